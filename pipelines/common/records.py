"""Kafka records as the pipeline sees them, and their validation into posts.

``KafkaRecord`` has the shape Beam's ``ReadFromKafka(with_metadata=True)`` yields, so the
transforms downstream of it are the same whether records come from the local micro-batch
driver or from a streaming runner's Kafka IO.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from schemas.deadletter import DeadLetter
from schemas.post import Post

MAX_RECORD_BYTES = 900_000
"""The largest raw record accepted: under librdkafka's 1,000,000-byte default (what our
connectors can send) with room for the tags, so the tagged post still fits kafka-python's
1 MiB request limit. A larger tagged post would fail its batch on every retry."""


@dataclass(frozen=True)
class KafkaRecord:
    """One consumed Kafka record."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int = 0

    @property
    def source(self) -> str:
        """``topic/partition/offset``: where to find this record again."""
        return f"{self.topic}/{self.partition}/{self.offset}"


class InvalidRecord(ValueError):
    """A record that is not a valid post; the message is the reason put on the dead letter."""


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "record"
        parts.append(f"{where}: {item['msg']}")
    return "invalid post: " + "; ".join(parts)


def parse_post(value: bytes) -> Post:
    """Validate one raw-posts value into a ``Post``; raise ``InvalidRecord`` with a clear reason."""
    if len(value) > MAX_RECORD_BYTES:
        msg = f"record is {len(value)} bytes, over the {MAX_RECORD_BYTES}-byte limit"
        raise InvalidRecord(msg)
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8: {exc.reason} at byte {exc.start}"
        raise InvalidRecord(msg) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise InvalidRecord(msg) from None
    except RecursionError:
        # Thousands of nested brackets fit well under the size limit; unhandled, they failed
        # the whole batch on every retry and stalled the partition behind one record.
        msg = "malformed JSON: nested too deeply to parse"
        raise InvalidRecord(msg) from None
    if not isinstance(data, dict):
        msg = f"expected a JSON object, got {type(data).__name__}"
        raise InvalidRecord(msg)
    try:
        return Post.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord(_describe(exc)) from None


def record_key(record: KafkaRecord) -> str | None:
    """The record's key as text, if it has a readable one."""
    if record.key is None:
        return None
    return record.key.decode("utf-8", "replace")


def dead_letter_message(letter: DeadLetter) -> tuple[bytes | None, bytes]:
    """A dead letter as the dead-letter topic's ``(key, value)``."""
    key = (letter.key or letter.source).encode()
    return key, letter.model_dump_json().encode()
