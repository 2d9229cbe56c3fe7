"""``siaga tag``: tag a JSONL stream offline, with no Kafka or Elasticsearch.

Each input line is a JSON object with a ``text`` (a bare ``{"text": ...}`` or a whole Post);
each output line is the same object with ``"tags"`` added. A line that cannot be tagged is
reported on the error stream with its line number and left out; the rest go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from pipelines.tagging.tagger import FactCheckIndex, Tagger, Tags
from schemas.config import ElectionSettings, TaggingSettings

BATCH = 500


def tags_json(tags: Tags) -> dict[str, Any]:
    """The ``tags`` object of ``siaga tag`` output."""
    return {
        "language": {"code": tags.language, "score": tags.language_score},
        "text_norm": tags.text_norm,
        "topics": [item.model_dump() for item in tags.topics],
        "risk": tags.risk.model_dump(),
        "matches": [match.model_dump() for match in tags.matches],
        "entities": [entity.model_dump() for entity in tags.entities],
        "factchecks": [match.model_dump(mode="json") for match in tags.factchecks],
    }


def _parse(number: int, line: str) -> tuple[dict[str, Any] | None, str | None]:
    if not line.strip():
        return None, f"line {number}: empty line"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(record, dict):
        return None, f"line {number}: expected a JSON object, got {type(record).__name__}"
    if not isinstance(record.get("text"), str):
        return None, f"line {number}: no \"text\" string"
    return record, None


def tag_stream(settings: TaggingSettings, source: Iterable[str], target: TextIO, errors: TextIO, *,
               tagger: Tagger | None = None, election: ElectionSettings | None = None,
               factchecks: FactCheckIndex | None = None) -> int:
    """Tag every line of ``source`` into ``target``; return how many lines were bad.

    ``tagger`` is the one to use (the command passes the pipeline's, with debunk cues); by
    default one is built from ``settings`` and ``election``. ``factchecks``: the fact-check
    matcher to match every line against, as the pipeline does.
    """
    tagger = tagger or Tagger(settings, election)
    bad = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        for record, tags in zip(batch, tagger.tag([r["text"] for r in batch], factchecks), strict=True):
            target.write(json.dumps({**record, "tags": tags_json(tags)}, ensure_ascii=False) + "\n")
        batch.clear()

    for number, line in enumerate(source, 1):
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            errors.write(f"siaga tag: line {number}: not UTF-8\n")
            bad += 1
            continue
        record, problem = _parse(number, line)
        if problem is not None:
            errors.write(f"siaga tag: {problem}\n")
            bad += 1
            continue
        assert record is not None  # noqa: S101 - _parse gives a record or a problem
        batch.append(record)
        if len(batch) >= BATCH:
            flush()
    flush()
    return bad
