"""What a connector remembers across restarts: its checkpoints and the posts it has sent.

One SQLite file per connector under ``connectors.state_dir``. A checkpoint is a small JSON
value under a key (a file's position, an API cursor), saved only after Kafka acknowledged
everything before it, so a restarted connector resumes with no gap. The sent-posts table maps
each post id to a digest of what was sent; a post seen again with the same content is not
re-sent (no re-publish flood after a restart), while one whose counts changed is sent again so
Elasticsearch updates it under the same id.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent (post_id TEXT PRIMARY KEY, digest TEXT NOT NULL);
"""
_LOOKUP_BATCH = 500
"""Post ids per lookup query (SQLite allows 32,766 parameters; smaller batches keep each cheap)."""


def content_digest(value: bytes) -> str:
    """A short digest of what was sent for a post."""
    return hashlib.sha256(value).hexdigest()[:16]


class ConnectorState:
    """Checkpoints and sent-post digests of one connector, in SQLite."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript(_SCHEMA)

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
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO sent (post_id, digest) VALUES (?, ?)", list(sent))
            self._db.executemany(
                "INSERT OR REPLACE INTO checkpoints (key, value) VALUES (?, ?)",
                [(key, json.dumps(value)) for key, value in checkpoints.items()],
            )

    def close(self) -> None:
        """Close the database."""
        self._db.close()
