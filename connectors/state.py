"""What a connector remembers across restarts: its checkpoints and the posts it has sent.

One SQLite file per connector under ``connectors.state_dir``, created 0600 in a 0700 folder
(``schemas.files.private_file``) before SQLite opens it, so its journal files are private too:
it holds post ids. A checkpoint is a small JSON value under a key (a file's position, an API
cursor), saved only after Kafka acknowledged everything before it, so a restarted connector
resumes with no gap. The sent-posts table maps each post id to a digest of what was sent; a
post seen again with the same content is not re-sent (no re-publish flood after a restart),
while one whose counts changed is sent again so Elasticsearch updates it under the same id.

Nothing here is kept for ever. Each sent post and each checkpoint carries when it was last
written (``sent_at``, ``updated_at``, seconds since 1970), and the retention pass (``prune``,
``prune_state_dir``) deletes sent posts older than ``retention.posts`` and checkpoints idle for
as long, except the checkpoint of an export file that is still there (without it the file
would be imported again: delete the export instead). An erased post is forgotten at once
(``forget``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from schemas.clock import Clock, process_clock
from schemas.files import private_file

log = logging.getLogger(__name__)

_TABLES = """
CREATE TABLE IF NOT EXISTS checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER);
CREATE TABLE IF NOT EXISTS sent (post_id TEXT PRIMARY KEY, digest TEXT NOT NULL, sent_at INTEGER);
"""
_INDEXES = "CREATE INDEX IF NOT EXISTS sent_by_time ON sent (sent_at);"
_ADDED_COLUMNS = {"checkpoints": "updated_at", "sent": "sent_at"}
"""Columns a state file written before retention lacks; they are added when it is opened."""
_LOOKUP_BATCH = 500
"""Post ids per lookup query (SQLite allows 32,766 parameters; smaller batches keep each cheap)."""
STATE_SUFFIX = ".sqlite"
FILE_PREFIX = "file:"
"""The checkpoint key prefix of an import's file (``connectors.imports``)."""


def content_digest(value: bytes) -> str:
    """A short digest of what was sent for a post."""
    return hashlib.sha256(value).hexdigest()[:16]


@dataclass
class Pruned:
    """What a retention pass removed from connector state (or, dry, would remove)."""

    sent: int = 0
    checkpoints: int = 0
    files: int = 0

    def add(self, other: Pruned) -> None:
        """Add another file's counts."""
        self.sent += other.sent
        self.checkpoints += other.checkpoints
        self.files += other.files


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


class ConnectorState:
    """Checkpoints and sent-post digests of one connector, in SQLite."""

    def __init__(self, path: Path, clock: Clock | None = None) -> None:
        self.path = private_file(path)
        self.clock = clock or process_clock()
        # A short wait for the lock: the retention pass and `siaga erase` may open the file while
        # the connector writes to it.
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.executescript(_TABLES)
        self._add_missing_columns()
        self._db.executescript(_INDEXES)

    def _add_missing_columns(self) -> None:
        now = _seconds(self.clock.now())
        with self._db:
            for table, column in _ADDED_COLUMNS.items():
                columns = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    # Rows from before retention count from today: their real age is unknown.
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER")
                    self._db.execute(f"UPDATE {table} SET {column} = ?", (now,))  # noqa: S608 - our own names

    def checkpoint(self, key: str) -> Any:
        """The saved value under ``key``, or ``None``."""
        row = self._db.execute("SELECT value FROM checkpoints WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def is_new(self, post_id: str, digest: str) -> bool:
        """Whether this post, with this content, has not been sent before."""
        row = self._db.execute("SELECT digest FROM sent WHERE post_id = ?", (post_id,)).fetchone()
        return row is None or row[0] != digest

    def sent_digests(self, post_ids: Iterable[str]) -> dict[str, str]:
        """The digest last sent for each of ``post_ids`` that was sent before, in few queries.

        One query per record costs more than normalising the record: each call releases the
        GIL to the producer's sender thread and waits to get it back.
        """
        wanted = list(dict.fromkeys(post_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), _LOOKUP_BATCH):
            batch = wanted[start:start + _LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            found.update(self._db.execute(f"SELECT post_id, digest FROM sent WHERE post_id IN ({marks})",  # noqa: S608 - only placeholders
                                          batch).fetchall())
        return found

    def commit(self, sent: Iterable[tuple[str, str]], checkpoints: dict[str, Any]) -> None:
        """Record acknowledged posts and move checkpoints forward, in one transaction."""
        now = _seconds(self.clock.now())
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO sent (post_id, digest, sent_at) VALUES (?, ?, ?)",
                                 [(post_id, digest, now) for post_id, digest in sent])
            self._db.executemany(
                "INSERT OR REPLACE INTO checkpoints (key, value, updated_at) VALUES (?, ?, ?)",
                [(key, json.dumps(value), now) for key, value in checkpoints.items()],
            )

    def forget(self, post_ids: Iterable[str], *, dry_run: bool = False) -> int:
        """Delete what is kept about ``post_ids`` (erased posts); return how many were known."""
        wanted = list(dict.fromkeys(post_ids))
        forgotten = 0
        with self._db:
            for start in range(0, len(wanted), _LOOKUP_BATCH):
                batch = wanted[start:start + _LOOKUP_BATCH]
                marks = ",".join("?" * len(batch))
                if dry_run:
                    forgotten += self._db.execute(f"SELECT COUNT(*) FROM sent WHERE post_id IN ({marks})",  # noqa: S608
                                                  batch).fetchone()[0]
                else:
                    forgotten += self._db.execute(f"DELETE FROM sent WHERE post_id IN ({marks})",  # noqa: S608
                                                  batch).rowcount
        return forgotten

    def prune(self, before: datetime, *, dry_run: bool = False) -> Pruned:
        """Delete sent posts recorded before ``before`` and checkpoints idle since then (see the module doc)."""
        cutoff = _seconds(before)
        idle = [key for (key,) in self._db.execute("SELECT key FROM checkpoints WHERE updated_at < ?", (cutoff,))
                if not (key.startswith(FILE_PREFIX) and Path(key.removeprefix(FILE_PREFIX)).exists())]
        if dry_run:
            sent = self._db.execute("SELECT COUNT(*) FROM sent WHERE sent_at < ?", (cutoff,)).fetchone()[0]
            return Pruned(sent, len(idle))
        with self._db:
            sent = self._db.execute("DELETE FROM sent WHERE sent_at < ?", (cutoff,)).rowcount
            self._db.executemany("DELETE FROM checkpoints WHERE key = ?", [(key,) for key in idle])
        return Pruned(sent, len(idle))

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def state_files(state_dir: Path) -> list[Path]:
    """Every connector's state file under ``state_dir`` (none if the folder is not here)."""
    if not state_dir.is_dir():
        return []
    return sorted(path for path in state_dir.glob(f"*{STATE_SUFFIX}") if path.is_file() and not path.is_symlink())


def prune_state_dir(state_dir: Path, before: datetime, *, dry_run: bool = False) -> Pruned:
    """``ConnectorState.prune`` on every state file under ``state_dir``; the counts added up."""
    total = Pruned()
    for path in state_files(state_dir):
        state = ConnectorState(path)
        try:
            pruned = state.prune(before, dry_run=dry_run)
        finally:
            state.close()
        if pruned.sent or pruned.checkpoints:
            pruned.files = 1
            if not dry_run:
                log.warning("retention: %s: deleted %d sent-post record(s) and %d idle checkpoint(s) from before %s",
                            path, pruned.sent, pruned.checkpoints, before.isoformat())
        total.add(pruned)
    return total


def forget_in_state_dir(state_dir: Path, post_ids: Iterable[str], *, dry_run: bool = False) -> int:
    """``ConnectorState.forget`` on every state file under ``state_dir``; how many records in all."""
    wanted = list(post_ids)
    forgotten = 0
    if not wanted:
        return 0
    for path in state_files(state_dir):
        state = ConnectorState(path)
        try:
            forgotten += state.forget(wanted, dry_run=dry_run)
        finally:
            state.close()
    return forgotten
