"""The alerting job's own files: the rule engine's saved state, and the dead letters it has produced.

Both live in ``alerting.state_dir`` and are written with ``schemas.files.write_private`` (0600 in
a 0700 folder, fsync of the file and of the folder around an atomic rename), so a crash or a
power cut leaves the old content or the new, never an empty file.

A state file that cannot be read anyway (a disk error, a hand edit, a file from an older Siaga)
is moved aside (``engine-state.json.unreadable-<time>``) with a logged error, and the job starts
from an empty engine: it then rebuilds the incidents still open from the alerts index (see
``AlertingJob``), so an ongoing burst is not announced again under a new id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines.alerting.engine import RuleEngine
from schemas.clock import Clock
from schemas.files import read_or_quarantine, write_private

log = logging.getLogger(__name__)

STATE_FILE = "engine-state.json"
LEDGER_FILE = "dead-letters.json"
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, IndexError)
"""What a damaged or foreign state file makes ``json.loads`` and ``RuleEngine.restore`` raise."""


class EngineStateFile:
    """``engine-state.json``: the engine's snapshot and the cluster labels still to apply."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / STATE_FILE
        self.quarantined = 0

    def load(self, make_engine: Callable[[], RuleEngine]) -> tuple[RuleEngine, dict[str, dict[str, Any]], bool]:
        """A new engine with the saved state, the pending labels, and whether there was a usable state."""

        def parse(data: bytes) -> tuple[RuleEngine, dict[str, dict[str, Any]]]:
            saved = json.loads(data)
            engine = make_engine()
            engine.restore(saved["engine"])
            labels = saved.get("cluster_labels", {})
            if not isinstance(labels, dict):
                msg = "cluster_labels is not an object"
                raise TypeError(msg)
            return engine, labels

        def moved(_path: Path, _to: Path, _reason: str) -> None:
            self.quarantined += 1

        loaded = read_or_quarantine(self.path, parse, errors=_UNREADABLE, on_quarantine=moved)
        if loaded is None:
            return make_engine(), {}, False
        return loaded[0], loaded[1], True

    def save(self, engine: RuleEngine, labels: dict[str, dict[str, Any]]) -> int:
        """Replace the saved state durably; return its size in bytes."""
        data = json.dumps({"engine": engine.snapshot(), "cluster_labels": labels}, separators=(",", ":")).encode()
        write_private(self.path, data)
        return len(data)


class DeadLetterLedger:
    """The dead letters already produced, by a key naming what failed, so none is produced twice.

    A batch that fails after its dead letters went out is read again (from the committed offsets,
    after a crash too), and would produce them again. Keys: ``<topic>/<partition>/<offset>`` for
    records, ``alerting/…`` and ``outbox/…`` for the job's own failures. Kept ``KEEP``: far longer
    than any batch waits to be read again.
    """

    KEEP = timedelta(days=7)

    def __init__(self, state_dir: Path, clock: Clock) -> None:
        self.path = state_dir / LEDGER_FILE
        self.clock = clock
        loaded = read_or_quarantine(self.path, json.loads, errors=_UNREADABLE)
        self.keys: dict[str, str] = loaded if isinstance(loaded, dict) else {}

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def add(self, keys: Iterable[str]) -> None:
        """Remember ``keys`` durably (and forget those older than ``KEEP``)."""
        now = self.clock.now()
        added = {key: now.isoformat() for key in keys if key not in self.keys}
        if not added:
            return
        horizon = now - self.KEEP
        kept = {key: at for key, at in self.keys.items() if _instant(at) >= horizon}
        self.keys = {**kept, **added}
        write_private(self.path, json.dumps(self.keys))


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime(1970, 1, 1, tzinfo=UTC)  # unreadable: forget it at the next add
