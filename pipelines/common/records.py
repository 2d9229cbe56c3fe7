"""Kafka records as the pipeline sees them, and their validation into posts.

``KafkaRecord`` has the shape Beam's ``ReadFromKafka(with_metadata=True)`` yields, so the
transforms downstream of it are the same whether records come from the local micro-batch
driver or from a streaming runner's Kafka IO.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from schemas.deadletter import DeadLetter
from schemas.post import Post

MAX_RECORD_BYTES = 900_000
"""The largest raw record accepted, and the largest a post may be once written again as JSON:
under librdkafka's 1,000,000-byte default (what our connectors can send) with room for the tags,
so the tagged post still fits the producer. A larger tagged post would fail its batch on every
retry. Both sizes are checked: a record can grow when written again (``1e5`` becomes
``100000.0``, so 900 kB of such numbers come out as 2 MB)."""

MAX_TAGGED_BYTES = 1_000_000
"""The largest tagged post written to the tagged-posts topic: under kafka-python's
``max_request_size`` (1,048,576) and a broker's default ``message.max.bytes`` (1,048,588), with
room for the key and the record's framing."""

MAX_REASON_CHARS = 2_000
"""Reasons are cut here, so every dead letter stays far below the broker's message limit."""


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
        if item["type"] == "json_invalid":
            detail = item["msg"].removeprefix("Invalid JSON: ")
            if detail.startswith("recursion limit exceeded"):
                # Thousands of nested brackets fit well under the size limit; the parser stops
                # at a fixed depth instead of failing the batch (as json.loads once did).
                return "malformed JSON: nested too deeply to parse"
            return f"malformed JSON: {detail}"
        if item["type"] == "model_type" and not item["loc"]:
            return f"expected a JSON object, got {type(item['input']).__name__}"
        where = ".".join(str(part) for part in item["loc"]) or "record"
        parts.append(f"{where}: {item['msg']}")
    return cut("invalid post: " + "; ".join(parts))


def cut(reason: str) -> str:
    """``reason`` cut to ``MAX_REASON_CHARS``, saying so."""
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return reason[: MAX_REASON_CHARS - 20] + f"… ({len(reason):,} chars)"


def parse_post(value: bytes) -> Post:
    r"""Validate one raw-posts value into a ``Post``; raise ``InvalidRecord`` with a clear reason.

    pydantic's own JSON parser, not ``json.loads``: it refuses what UTF-8 cannot carry (a lone
    surrogate escape such as ``"\ud800"``), which ``json.loads`` takes and which then fails
    every later write of the post as JSON. The post is then written again to check the size it
    will have downstream, not the size it came in with.
    """
    if len(value) > MAX_RECORD_BYTES:
        msg = f"record is {len(value):,} bytes, over the {MAX_RECORD_BYTES:,}-byte limit"
        raise InvalidRecord(msg)
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Checked apart for a clearer reason than the parser's "invalid unicode code point".
        msg = f"not UTF-8: {exc.reason} at byte {exc.start}"
        raise InvalidRecord(msg) from None
    try:
        post = Post.model_validate_json(value)
    except ValidationError as exc:
        raise InvalidRecord(_describe(exc)) from None
    size = serialised_size(post)
    if size > MAX_RECORD_BYTES:
        msg = (f"post is {size:,} bytes once written again as JSON (it came in as {len(value):,}), "
               f"over the {MAX_RECORD_BYTES:,}-byte limit")
        raise InvalidRecord(msg)
    return post


def serialised_size(post: Post) -> int:
    """The length of ``post`` as the JSON the sinks write; ``InvalidRecord`` if it cannot be written."""
    try:
        return len(post.model_dump_json().encode())
    except (PydanticSerializationError, UnicodeEncodeError) as exc:
        msg = f"cannot be written as JSON: {exc}"
        raise InvalidRecord(cut(msg)) from None


def record_key(record: KafkaRecord) -> str | None:
    """The record's key as text, if it has a readable one."""
    if record.key is None:
        return None
    return record.key.decode("utf-8", "replace")


def dead_letter_message(letter: DeadLetter) -> tuple[bytes | None, bytes]:
    """A dead letter as the dead-letter topic's ``(key, value)``."""
    key = (letter.key or letter.source).encode()
    return key, letter.model_dump_json().encode()


def stripped_dead_letter(value: bytes) -> bytes:
    """A dead-letter message without its original, for a dead-letter topic that refused the whole one.

    What is left (stage, reason, source, key, the original's size and SHA-256, a short preview)
    is a few kilobytes; the original stays at ``source`` for the raw topic's retention.
    """
    letter = DeadLetter.model_validate_json(value)
    original = letter.original()
    stripped = letter.model_copy(update={
        "original_b64": "",
        "original_preview": letter.original_preview[:200],
        "reason": cut(letter.reason)[:1_000],
        "original_size": letter.original_size or len(original),
        "original_sha256": letter.original_sha256 or hashlib.sha256(original).hexdigest(),
        "truncated": True,
    })
    return stripped.model_dump_json().encode()
