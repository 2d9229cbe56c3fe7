"""The outbox: one ordered folder of message files per delivery channel, under the alerting state.

A message is a small JSON file named ``<sequence>-<key>.json``, so a folder lists in the order
alerts fired; the same key is queued once. ``failed/`` keeps what a server refused for good,
with the reason. (How the queue is drained: ``pipelines.delivery.deliverer``.)
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any

CHANNELS = ("email", "webhook")


class Outbox:
    """Ordered message files per channel; enqueueing the same key twice keeps one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._last = 0

    def _dir(self, channel: str) -> Path:
        return self.root / channel

    @staticmethod
    def _safe(key: str) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]", "_", key)

    def enqueue(self, channel: str, key: str, entry: dict[str, Any]) -> bool:
        """Queue a message unless one with ``key`` is already queued; ``True`` if queued now."""
        folder = self._dir(channel)
        folder.mkdir(parents=True, exist_ok=True)
        safe = self._safe(key)
        if any(folder.glob(f"*-{safe}.json")):
            return False
        self._last = max(time.time_ns(), self._last + 1)
        path = folder / f"{self._last:020d}-{safe}.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({**entry, "key": key}), encoding="utf-8")
        os.replace(temporary, path)
        return True

    def pending(self, channel: str) -> list[tuple[Path, dict[str, Any]]]:
        """Queued messages of ``channel``, oldest first."""
        folder = self._dir(channel)
        if not folder.is_dir():
            return []
        return [(path, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(folder.glob("*.json"))]

    def count(self) -> int:
        """Messages waiting on every channel."""
        return sum(len(list(self._dir(c).glob("*.json"))) for c in CHANNELS if self._dir(c).is_dir())

    def done(self, path: Path) -> None:
        """Remove a delivered message."""
        path.unlink(missing_ok=True)

    def fail(self, path: Path, reason: str) -> None:
        """Move a refused message aside with its reason."""
        failed = self.root / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        entry = json.loads(path.read_text(encoding="utf-8"))
        (failed / path.name).write_text(json.dumps({**entry, "reason": reason}), encoding="utf-8")
        path.unlink(missing_ok=True)

    def refused(self, key: str, entry: dict[str, Any]) -> Path:
        """Record recipients a server refused for a message it sent to the others."""
        failed = self.root / "failed"
        failed.mkdir(parents=True, exist_ok=True)
        path = failed / f"{self._safe(key)}.refused-recipients.json"
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({**entry, "key": key}), encoding="utf-8")
        os.replace(temporary, path)
        return path
