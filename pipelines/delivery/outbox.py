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

Nothing is kept for ever: ``prune_files`` (the retention pass, and the deliverer every hour)
deletes ``done/``, ``unmarked/`` and ``failed/`` records and ``.eml`` files older than
``retention.alerts``; ``erase_files`` (``siaga erase``) deletes those that name an erased post
or author. The queue itself holds only keys and alert ids, never a post.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from schemas.clock import utc_now
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
        """Move a refused message to ``failed/`` with its reason (and when, for the retention); return where."""
        target = write_private(self.failed_dir / path.name,
                               json.dumps({**entry, "reason": reason, "failed_at": utc_now().isoformat()}))
        path.unlink(missing_ok=True)
        return target

    def refused(self, key: str, entry: dict[str, Any]) -> Path:
        """Record recipients a server refused for a message it sent to the others."""
        return write_private(self.failed_dir / f"{self._safe(key)}.refused-recipients.json",
                             json.dumps({**entry, "key": key, "failed_at": utc_now().isoformat()}))

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


# --- retention and erasure of what the outbox keeps -------------------------------------------------

RECORD_FOLDERS = ("done", "unmarked")
"""Per channel, the folders of records of what became of each message."""


@dataclass
class FilesRemoved:
    """Outbox files a retention or erasure pass deleted (or, dry, would delete), by kind."""

    records: int = 0
    """``<channel>/done/`` and ``<channel>/unmarked/`` records."""
    failed: int = 0
    """``failed/`` files: refused or unreadable messages, refused recipients."""
    eml: int = 0
    """``.eml`` files in ``email.outbox_dir``."""
    paths: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """All files together."""
        return self.records + self.failed + self.eml


def _record_files(root: Path) -> Iterator[tuple[str, Path]]:
    for channel in CHANNELS:
        for state in RECORD_FOLDERS:
            folder = root / channel / state
            if folder.is_dir():
                yield from (("records", path) for path in sorted(folder.iterdir()) if path.is_file())
    failed = root / "failed"
    if failed.is_dir():
        yield from (("failed", path) for path in sorted(failed.iterdir()) if path.is_file())


def _eml_files(eml_dir: Path | None) -> Iterator[Path]:
    if eml_dir is not None and eml_dir.is_dir():
        yield from (path for path in sorted(eml_dir.glob("*.eml")) if path.is_file())


def _written_at(path: Path, kind: str) -> datetime:
    """When a file's content was written, by Siaga's clock where the file says so, else its mtime.

    Records carry ``at`` (or ``failed_at``) and an email its ``Date``, both from the process clock
    the retention compares with; a file without either (one moved aside as unreadable) goes by
    its modification time.
    """
    try:
        data = path.read_bytes()
        if kind == "eml":
            stamp = BytesHeaderParser(policy=policy.default).parsebytes(data).get("Date")
            if stamp is not None and stamp.datetime is not None and stamp.datetime.tzinfo is not None:
                return stamp.datetime.astimezone(UTC)
        else:
            record = json.loads(data)
            for name in ("at", "failed_at"):
                if isinstance(record, dict) and isinstance(record.get(name), str):
                    moment = datetime.fromisoformat(record[name])
                    if moment.tzinfo is not None:
                        return moment.astimezone(UTC)
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _remove(path: Path, kind: str, removed: FilesRemoved, dry_run: bool) -> None:
    if not dry_run:
        path.unlink(missing_ok=True)
    setattr(removed, kind, getattr(removed, kind) + 1)
    removed.paths.append(str(path))


def prune_files(root: Path, eml_dir: Path | None, before: datetime, *, dry_run: bool = False) -> FilesRemoved:
    """Delete records, ``failed/`` files and ``.eml`` files written before ``before`` (``_written_at``)."""
    removed = FilesRemoved()
    for kind, path in _record_files(root):
        if _written_at(path, kind) < before:
            _remove(path, kind, removed, dry_run)
    for path in _eml_files(eml_dir):
        if _written_at(path, "eml") < before:
            _remove(path, "eml", removed, dry_run)
    if removed.total and not dry_run:
        log.warning("retention: deleted %d outbox record(s), %d failed/ file(s) and %d .eml file(s) from before %s",
                    removed.records, removed.failed, removed.eml, before.isoformat())
    return removed


def _mentions(markers: Iterable[str]) -> re.Pattern[str] | None:
    wanted = sorted({marker for marker in markers if marker}, key=len, reverse=True)
    if not wanted:
        return None
    # A marker inside a longer id is not a match: tiktok:12 is not in tiktok:123.
    return re.compile(r"(?<![\w.:/-])(?:" + "|".join(map(re.escape, wanted)) + r")(?![\w.-])", re.IGNORECASE)


def _eml_text(data: bytes) -> tuple[str, str]:
    """An email's alert id header and all its text (headers and decoded text parts)."""
    message = message_from_bytes(data, policy=policy.default)
    parts = [str(message.get("Subject", "")), str(message.get("X-Siaga-Alert-Id", ""))]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                parts.append(part.get_content())
            except (LookupError, ValueError):
                payload = part.get_payload(decode=True)
                parts.append(payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload))
    return str(message.get("X-Siaga-Alert-Id", "")), "\n".join(parts)


def erase_files(root: Path, eml_dir: Path | None, markers: Iterable[str], alert_ids: Iterable[str] = (), *,
                dry_run: bool = False) -> FilesRemoved:
    """Delete outbox records, ``failed/`` files and ``.eml`` files that name an erased post or author.

    ``markers`` are what names them in a file: post ids, post URLs, ``@handle`` and
    ``<platform>:<handle>`` (an author group); ``alert_ids`` the alerts whose evidence quoted an
    erased post (their ``.eml`` files go, since the email quotes the post). Queued messages stay:
    they hold only an alert id, and are rendered from the alerts index, which the erasure has
    already cleaned.
    """
    removed = FilesRemoved()
    pattern = _mentions(markers)
    alerts = set(alert_ids)
    if pattern is None and not alerts:
        return removed
    for kind, path in _record_files(root):
        try:
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if pattern is not None and pattern.search(text):
            _remove(path, kind, removed, dry_run)
    for path in _eml_files(eml_dir):
        try:
            alert_id, text = _eml_text(path.read_bytes())
        except OSError:
            continue
        if alert_id in alerts or (pattern is not None and pattern.search(text)):
            _remove(path, "eml", removed, dry_run)
    return removed
