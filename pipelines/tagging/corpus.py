"""The labelled corpus behind the default models: sources → deduplicated train / valid / test.

Sources, all in ``data/`` with their licences beside them:

- ``third_party/nusax``: the same sentences in 12 of Indonesia's languages (language ID);
- ``third_party/id-abusive-2018``: tweets labelled abusive or not (the risk label ``abusive``);
- ``third_party/id-hatespeech-2019``: 10,535 tweets labelled hate speech and abusive, with the
  target, category and strength of the hate speech (``HATESPEECH_2019`` maps the columns);
- ``corpus/written/*.jsonl``: examples the Siaga authors wrote, with language, topics and risk.

Every example gets a split from a hash of its group key, so the split never depends on the
order of files and adding examples does not shuffle the others. NusaX sentences are grouped by
sentence id across languages: a sentence and its translations always land in the same split,
or the test set would hold translations of training sentences. Tweets are grouped by their
letters and digits (``tweet_group``): a retweet, or the same tweet in the 2018 and the 2019 set,
lands in the split of the original. The hash split is not stratified; with ~1,000 tweets in
valid and in test, the shares of each label stay within a point or two of train's (MANIFEST.json). Within a task, examples whose
normalised text is identical are kept once.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelines.tagging.models import normaliser, sha256_of

SPLITS = ("train", "valid", "test")

NUSAX_LANGUAGES = {
    "acehnese": "ace", "balinese": "ban", "banjarese": "bjn", "buginese": "bug", "english": "en",
    "indonesian": "id", "javanese": "jv", "madurese": "mad", "minangkabau": "min", "ngaju": "nij",
    "sundanese": "su", "toba_batak": "bbc",
}

_ESCAPED_BYTES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")
_HEX_PAIR = re.compile(r"\\x([0-9a-fA-F]{2})")
_RETWEET = re.compile(r"^\s*RT\s+USER\s*:")
_USER = re.compile(r"\bUSER\b")
_LINK = re.compile(r"\bURL\b")
_PLACEHOLDERS = re.compile(r"@user|https://url|\brt\b")
_ALNUM = re.compile(r"[^\W_]+")
# Where two sources hold the same tweet, the one with the richer labels is kept.
_PREFERRED = ("id-hatespeech-2019", "id-abusive-2018")


@dataclass(frozen=True)
class Item:
    """One labelled example of one task, with where it came from and the key its split hangs on."""

    task: str
    text: str
    labels: tuple[str, ...]
    source: str
    group: str


def split_of(group: str) -> str:
    """``test`` for a tenth of the groups, ``valid`` for another tenth, ``train`` for the rest."""
    bucket = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 10
    return "test" if bucket == 0 else "valid" if bucket == 1 else "train"


def _nusax(folder: Path) -> Iterator[Item]:
    for path in sorted(folder.glob("*.csv")):
        language, _, part = path.stem.rpartition("_")
        code = NUSAX_LANGUAGES[language]
        with path.open(encoding="utf-8", newline="") as rows:
            for row in csv.DictReader(rows):
                yield Item("language", row["text"], (code,), "nusax", f"nusax:{part}:{row['id']}")


def _tweet(text: str) -> str:
    r"""A 2018/2019 tweet as a live post reads: emoji back from their escaped bytes, real mentions and links.

    The releases write emoji as literal ``\xf0\x9f...`` escapes, a newline as ``\n``, users and
    links as ``USER`` and ``URL``, and keep Twitter's ``RT USER:`` prefix and a stray trailing
    quote. The tagger sees none of that on a post, so neither does the model.
    """
    text = _ESCAPED_BYTES.sub(_decoded, text)
    text = html.unescape(text.replace("\\n", "\n").replace("\\t", " ").replace("\\'", "'"))
    text = _RETWEET.sub(" ", text)
    text = _USER.sub("@user", text)
    text = _LINK.sub("https://url", text)
    return text.strip(" -'\"")


def _decoded(match: re.Match[str]) -> str:
    raw = bytes(int(pair, 16) for pair in _HEX_PAIR.findall(match.group(0)))
    return " " + raw.decode("utf-8", errors="ignore") + " "


def tweet_group(text: str) -> str:
    """The split key of a tweet: its letters and digits, so copies and retweets of it share a split."""
    lowered = _PLACEHOLDERS.sub(" ", _tweet(text).lower())
    return " ".join(_ALNUM.findall(lowered))


def _abusive(path: Path) -> Iterator[Item]:
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            labels = ("abusive",) if row["Label"] in ("2", "3") else ()
            yield Item("risk", _tweet(row["Tweet"]), labels, "id-abusive-2018", tweet_group(row["Tweet"]))


HATESPEECH_2019: dict[str, str] = {
    "HS": "hate_speech",
    "Abusive": "abusive",
    "HS_Individual": "target:individual",
    "HS_Group": "target:group",
    "HS_Religion": "category:religion",
    "HS_Race": "category:ethnicity",
    "HS_Physical": "category:physical",
    "HS_Gender": "category:gender",
    "HS_Other": "category:other",
    "HS_Weak": "strength:weak",
    "HS_Moderate": "strength:moderate",
    "HS_Strong": "strength:strong",
}
"""The 2019 set's columns → Siaga's risk labels (``hate_speech``, ``abusive``) and the attributes of
hate speech the same model learns (``target:``, ``category:``, ``strength:``), which the tagger
puts into ``RiskTags.target``, ``categories`` and ``strength``. Race is ``ethnicity``: with
religion, the SARA categories (pipelines/tagging/models/README.md has the whole map)."""


def _hatespeech(path: Path) -> Iterator[Item]:
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            labels = tuple(label for column, label in HATESPEECH_2019.items() if row[column].strip() == "1")
            yield Item("risk", _tweet(row["Tweet"]), labels, "id-hatespeech-2019", tweet_group(row["Tweet"]))


def _written(path: Path) -> Iterator[Item]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            group = f"written:{path.stem}:{hashlib.sha256(record['text'].encode()).hexdigest()[:16]}"
            source = f"written/{path.name}"
            yield Item("language", record["text"], (record["language"],), source, group)
            if "topics" in record:
                yield Item("topic", record["text"], tuple(record["topics"]), source, group)
            if "risk" in record:
                yield Item("risk", record["text"], tuple(record["risk"]), source, group)


def items(data_dir: Path) -> list[Item]:
    """Every labelled example of every task from the sources under ``data_dir``."""
    found: list[Item] = []
    found += _nusax(data_dir / "third_party" / "nusax")
    found += _abusive(data_dir / "third_party" / "id-abusive-2018" / "re_dataset_three_labels.csv")
    found += _hatespeech(data_dir / "third_party" / "id-hatespeech-2019" / "train.csv")
    for path in sorted((data_dir / "corpus" / "written").glob("*.jsonl")):
        found += _written(path)
    return found


def source_files(data_dir: Path) -> list[Path]:
    """The files the corpus is built from, in a fixed order."""
    return sorted(p for p in (data_dir / "third_party").rglob("*") if p.suffix in (".csv",)) + sorted(
        (data_dir / "corpus" / "written").glob("*.jsonl")
    )


def build_splits(data_dir: Path, out_dir: Path) -> dict[str, dict[str, int]]:
    """Write ``out_dir/<task>/<split>.jsonl`` (and per-source test files); return the counts."""
    seen: set[tuple[str, str]] = set()
    rows: dict[tuple[str, str], list[dict]] = {}
    duplicates: Counter[str] = Counter()
    for item in sorted(items(data_dir), key=_order):
        clean = normaliser(item.task)(item.text)
        if not clean or (item.task, clean) in seen:
            duplicates[item.task] += 1
            continue
        seen.add((item.task, clean))
        split = split_of(item.group)
        rows.setdefault((item.task, split), []).append(
            {"text": item.text, "labels": list(item.labels), "source": item.source}
        )
    counts: dict[str, dict[str, int]] = {}
    for (task, split), examples in sorted(rows.items()):
        folder = out_dir / task
        folder.mkdir(parents=True, exist_ok=True)
        _write_jsonl(folder / f"{split}.jsonl", examples)
        counts.setdefault(task, {})[split] = len(examples)
        if split == "test":
            for source in sorted({e["source"].split("/")[0] for e in examples}):
                subset = [e for e in examples if e["source"].split("/")[0] == source]
                _write_jsonl(folder / f"test-{source}.jsonl", subset)
    manifest = {
        "sources_sha256": sha256_of(source_files(data_dir)),
        "counts": counts,
        "duplicates_dropped": dict(duplicates),
    }
    (out_dir / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return counts


def _order(item: Item) -> tuple[str, str, int, str]:
    rank = _PREFERRED.index(item.source) if item.source in _PREFERRED else len(_PREFERRED)
    return item.task, item.group, rank, item.text


def _write_jsonl(path: Path, examples: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps(example, ensure_ascii=False) + "\n")
