"""The outbox: one ordered folder of message files per delivery channel, under the alerting state.

A message is a small JSON file named ``<sequence>-<key>.json``, so a folder lists in the order
alerts fired; the same key is queued once. Every file is written with ``schemas.files.write_private``:
0600 in 0700 folders (they quote alert details), fsynced and renamed, so a crash never leaves an
empty or torn one. A file that cannot be read anyway is moved to ``failed/`` (``…unreadable-<time>``)
with a logged error, and a stub with only its key takes its place in the queue: the deliverer
rebuilds the message from the alerts index (the key names the alert), so one bad file neither
stops the channel nor loses the email.

What became of each message is recorded before anything else is done about it:

- ``<channel>/unmarked/<key>.json``: sent (or refused for good) at ``at``, not yet written to the
  alert document in Elasticsearch. The deliverer retries that update on every drain.
- ``<channel>/done/<key>.json``: the alerts index knows too. Kept for ``RECORD_DAYS`` days.

Both stop the same key from being queued or sent again (a batch re-read after a crash queues its
messages again). ``failed/`` keeps what a receiver refused, with the reason.
(How the queue is drained: ``pipelines.delivery.deliverer``.)
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from schemas.files import private_dir, read_or_quarantine, write_private

log = logging.getLogger(__name__)

CHANNELS = ("email", "webhook")
RECORD_DAYS = 7
"""How long a delivered message's record is kept after the alerts index has it: far longer than
any batch is re-read after a crash; beyond that the alerts index alone says it was sent."""
_NAME = re.compile(r"^\d{20}-(?P<key>.+)\.json$")


def digest_release(fired_at: datetime, period: timedelta) -> datetime:
    """The end of the digest period (of wall-clock time, from the epoch) that ``fired_at`` falls in."""
    seconds = int(period.total_seconds())
    start = int(fired_at.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start + seconds, tz=fired_at.tzinfo)


def _json(data: bytes) -> dict[str, Any]:
    value = json.loads(data)
    if not isinstance(value, dict) or "key" not in value:
        msg = "not a queued message (a JSON object with a key)"
        raise ValueError(msg)
    return value


class Outbox:
    """Ordered message files per channel; enqueueing the same key twice keeps one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._last = 0
        self.quarantined = 0

    def _dir(self, channel: str) -> Path:
        return self.root / channel

    @property
    def failed_dir(self) -> Path:
        """Where refused and unreadable messages go."""
        return self.root / "failed"

    @staticmethod
    def _safe(key: str) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]", "_", key)

    def _record_path(self, channel: str, key: str, state: str) -> Path:
        return self._dir(channel) / state / f"{self._safe(key)}.json"

    # --- the queue -----------------------------------------------------------------------------

    def enqueue(self, channel: str, key: str, entry: dict[str, Any]) -> bool:
        """Queue a message unless one with ``key`` is queued or was already handled; ``True`` if queued now."""
        folder = private_dir(self._dir(channel))
        safe = self._safe(key)
        if any(folder.glob(f"*-{safe}.json")) or self.handled(channel, key):
            return False
        # a sequence, not a clock reading: it only orders the files
        self._last = max(time.time_ns(), self._last + 1)
        write_private(folder / f"{self._last:020d}-{safe}.json", json.dumps({**entry, "key": key}))
        return True

    def pending(self, channel: str) -> list[tuple[Path, dict[str, Any]]]:
        """Queued messages of ``channel``, oldest first; an unreadable one is moved aside and left as a stub.

        The stub (``{"key": …, "rebuild": true}``) keeps the message's place in the queue.
        """
        folder = self._dir(channel)
        if not folder.is_dir():
            return []
        found = []
        aside: list[Path] = []
        for path in sorted(folder.glob("*.json")):
            entry = read_or_quarantine(path, _json, into=self.failed_dir,
                                       on_quarantine=lambda original, _to, _why: aside.append(original))
            if entry is None:
                match = _NAME.match(path.name)
                if path not in aside or match is None:
                    continue  # gone meanwhile, or not one of ours (then it is in failed/, with the error logged)
                self.quarantined += 1
                entry = {"key": match.group("key"), "rebuild": True}
                write_private(path, json.dumps(entry))
            found.append((path, entry))
        return found

    def update(self, path: Path, entry: dict[str, Any]) -> None:
        """Rewrite a queued message in place (its tries so far, a rebuilt entry), keeping its place."""
        write_private(path, json.dumps(entry))

    def count(self) -> int:
        """Messages waiting on every channel."""
        return sum(len(list(self._dir(c).glob("*.json"))) for c in CHANNELS if self._dir(c).is_dir())

    def done(self, path: Path) -> None:
        """Remove a message from the queue (its outcome is recorded, or it needed nothing)."""
        path.unlink(missing_ok=True)

    def fail(self, path: Path, entry: dict[str, Any], reason: str) -> Path:
        """Move a refused message to ``failed/`` with its reason; return where."""
        target = write_private(self.failed_dir / path.name, json.dumps({**entry, "reason": reason}))
        path.unlink(missing_ok=True)
        return target

    def refused(self, key: str, entry: dict[str, Any]) -> Path:
        """Record recipients a server refused for a message it sent to the others."""
        return write_private(self.failed_dir / f"{self._safe(key)}.refused-recipients.json",
                             json.dumps({**entry, "key": key}))

    # --- what became of each message -----------------------------------------------------------

    def record(self, channel: str, path: Path | None, entry: dict[str, Any], outcome: dict[str, Any], *,
               marked: bool) -> Path:
        """Record durably what became of a message, then take it off the queue; return the record."""
        state = "done" if marked else "unmarked"
        record = write_private(self._record_path(channel, entry["key"], state),
                               json.dumps({**outcome, "key": entry["key"], "kind": entry.get("kind", "alert")}))
        if path is not None:
            path.unlink(missing_ok=True)
        return record

    def handled(self, channel: str, key: str) -> bool:
        """Whether a message with ``key`` was sent or refused for good (and recorded so)."""
        return any(self._record_path(channel, key, state).exists() for state in ("unmarked", "done"))

    def unmarked(self, channel: str) -> list[tuple[Path, dict[str, Any]]]:
        """Outcomes the alerts index does not know yet, oldest first."""
        folder = self._dir(channel) / "unmarked"
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns):
            record = read_or_quarantine(path, _json, into=self.failed_dir)
            if record is not None:
                found.append((path, record))
        return found

    def marked(self, channel: str, record: Path) -> None:
        """The alerts index has the outcome now: keep the record only to recognise the key."""
        folder = private_dir(self._dir(channel) / "done")
        os.replace(record, folder / record.name)

    def prune(self, channel: str, before: datetime) -> int:
        """Forget records of messages handled before ``before``; return how many."""
        folder = self._dir(channel) / "done"
        if not folder.is_dir():
            return 0
        pruned = 0
        for path in folder.glob("*.json"):
            record = read_or_quarantine(path, _json, into=self.failed_dir)
            if record is None:
                continue
            try:
                handled_at = datetime.fromisoformat(record["at"])
            except (KeyError, TypeError, ValueError):
                handled_at = before - timedelta(seconds=1)  # a record without its time is no use: forget it
            if handled_at < before:
                path.unlink(missing_ok=True)
                pruned += 1
        return pruned
