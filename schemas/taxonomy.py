"""The tag taxonomy: fixed label ids for language, topic and risk, with the names officers read.

Label ids never change once posts carry them (they are stored in Elasticsearch and matched by
alert rules); the Indonesian names are for emails and dashboards and may be reworded freely.
Operators may train models on labels of their own; these are the ones Siaga's default models
use and its rules and dashboards know about.
"""

from __future__ import annotations

from typing import Literal

UNDETERMINED = "und"

LANGUAGES: dict[str, str] = {
    "id": "Indonesia",
    "ms": "Melayu",
    "jv": "Jawa",
    "su": "Sunda",
    "en": "Inggris",
    "min": "Minangkabau",
    "ban": "Bali",
    "bjn": "Banjar",
    "bug": "Bugis",
    "ace": "Aceh",
    "mad": "Madura",
    "bbc": "Batak Toba",
    "nij": "Ngaju",
    UNDETERMINED: "tidak pasti",
}
"""ISO 639-1 where a code exists, ISO 639-3 otherwise; ``und`` when the tagger is unsure."""

TOPICS: dict[str, str] = {
    "election": "Pemilu / pilkada",
    "candidate": "Kandidat",
    "party": "Partai politik",
    "election_body": "Penyelenggara pemilu (KPU, Bawaslu, DKPP)",
    "religion": "Agama",
    "ethnicity": "Suku / etnis",
    "security": "Keamanan",
    "government": "Pemerintahan",
    "economy": "Ekonomi",
}
"""Multi-label; a post with none of them is off-topic."""

RISKS: dict[str, str] = {
    "hate_speech": "Ujaran kebencian (SARA)",
    "abusive": "Kata kasar / hinaan",
    "provocation": "Provokasi",
    "black_campaign": "Kampanye hitam",
    "hoax": "Hoaks",
    "money_politics": "Politik uang",
}
"""Multi-label, each with a calibrated score."""

ATTRIBUTES_OF = "hate_speech"
"""The risk label the model's attribute labels describe: ``target:individual|group``,
``category:religion|ethnicity|physical|gender|other``, ``strength:weak|moderate|strong`` (the
2019 set's annotation, pipelines/tagging/models/README.md). They fill ``RiskTags.target``,
``categories`` and ``strength`` and are never risk labels themselves."""

NONE_LABEL = "none"
"""The training label of an example with no topic (or no risk); never stored on a post."""

RiskLevel = Literal["normal", "waspada", "siaga", "awas"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("normal", "waspada", "siaga", "awas")
"""Indonesia's alert levels, lowest first."""

Task = Literal["language", "topic", "risk"]
TASKS: tuple[Task, ...] = ("language", "topic", "risk")


def level_rank(level: RiskLevel) -> int:
    """0 for ``normal`` up to 3 for ``awas``."""
    return RISK_LEVELS.index(level)
