"""A record Siaga could not process, with the reason and the original bytes, never dropped."""

from __future__ import annotations

import base64
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.fields import UtcDatetime

Stage = Literal["connector", "validate", "tag", "index", "publish", "alert", "factcheck"]
"""Where a record failed; ``publish``: a Kafka topic of the pipeline refused it for what it is."""

PREVIEW_CHARS = 2_000
MAX_ORIGINAL_BYTES = 256 * 1024
"""Originals above this are kept truncated: base64 makes a record a third larger, and a dead
letter over the broker's 1 MB message limit could never be written, blocking its partition.
The full original stays at ``source`` (topic/partition/offset) for the topic's retention."""


class DeadLetter(BaseModel):
    """The dead-letter topic's value: where a record failed, why, and what it was."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stage: Stage
    reason: str
    error_type: str
    source: str
    """Where the record came from: ``topic/partition/offset`` or a connector name."""
    key: str | None = None
    original_b64: str
    """The original bytes, base64-encoded, so non-UTF-8 input survives intact."""
    original_preview: str
    """The first characters of the original, decoded leniently, for people reading the topic."""
    failed_at: UtcDatetime
    original_size: int | None = None
    """The original's length in bytes (set when it is larger than what ``original_b64`` holds)."""
    original_sha256: str | None = None
    """The whole original's SHA-256, to match a truncated original with the record at ``source``."""
    truncated: bool = False

    @classmethod
    def wrap(cls, original: bytes, **fields: object) -> DeadLetter:
        """Build a dead letter around the original bytes (the first ``MAX_ORIGINAL_BYTES`` of them)."""
        extra: dict[str, object] = {}
        if len(original) > MAX_ORIGINAL_BYTES:
            extra = {"original_size": len(original), "original_sha256": hashlib.sha256(original).hexdigest(),
                     "truncated": True}
        return cls(
            original_b64=base64.b64encode(original[:MAX_ORIGINAL_BYTES]).decode("ascii"),
            original_preview=original[: PREVIEW_CHARS * 4].decode("utf-8", "replace")[:PREVIEW_CHARS],
            **extra,
            **fields,
        )

    def original(self) -> bytes:
        """The original bytes, decoded from base64."""
        return base64.b64decode(self.original_b64)
