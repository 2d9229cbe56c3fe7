"""The replay connector: streams a JSONL file of posts into the raw-posts topic.

It reproduces a captured stream faithfully, bad lines included: each non-empty line goes out
as its exact bytes, so the pipeline's validation sees what a live source would have sent and
dead-letters what it must. The key is the post id when the line is readable enough to derive
one. ``rate`` paces the stream in posts per second; unset, it goes as fast as Kafka takes it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from connectors.base import Connector, SourceRecord
from schemas.config import ReplaySource, Settings
from schemas.post import make_post_id

SAMPLE = Path(__file__).parent / "samples" / "posts.jsonl"
"""The bundled sample set (synthetic, written for Siaga; see samples/README.md)."""


def key_of(line: bytes) -> str | None:
    """The post id of a JSONL line, or ``None`` if the line does not name one."""
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("post_id"), str) and data["post_id"]:
        return data["post_id"]
    platform, native_id = data.get("platform"), data.get("native_id")
    if isinstance(platform, str) and isinstance(native_id, str):
        return make_post_id(platform, native_id)
    return None


class ReplayConnector(Connector):
    """Replays a JSONL file, one post per line."""

    def __init__(self, name: str, path: Path, rate: float | None = None) -> None:
        super().__init__(name)
        self.path = path
        self.rate = rate

    @classmethod
    def from_config(cls, source: ReplaySource, settings: Settings) -> ReplayConnector:
        """The connector a configured replay source describes."""
        del settings  # replay keeps no state
        return cls(source.name, source.path, source.rate)

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """The file's lines as posts, at ``rate`` posts a second, until the file ends or ``stop``."""
        interval = 1.0 / self.rate if self.rate else 0.0
        started = time.monotonic()
        sent = 0
        with self.path.open("rb") as lines:
            for line in lines:
                if stop.is_set():
                    return
                line = line.rstrip(b"\r\n")
                if not line.strip():
                    continue
                if interval:
                    delay = started + sent * interval - time.monotonic()
                    if delay > 0 and stop.wait(delay):
                        return
                yield SourceRecord(key_of(line), line)
                sent += 1
