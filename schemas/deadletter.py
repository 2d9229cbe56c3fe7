"""A record Siaga could not process, with the reason and the original bytes, never dropped."""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.fields import UtcDatetime

Stage = Literal["connector", "validate", "tag", "index", "alert"]

PREVIEW_CHARS = 2_000


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

    @classmethod
    def wrap(cls, original: bytes, **fields: object) -> DeadLetter:
        """Build a dead letter around the original bytes."""
        return cls(
            original_b64=base64.b64encode(original).decode("ascii"),
            original_preview=original[: PREVIEW_CHARS * 4].decode("utf-8", "replace")[:PREVIEW_CHARS],
            **fields,
        )

    def original(self) -> bytes:
        """The original bytes, decoded from base64."""
        return base64.b64decode(self.original_b64)
