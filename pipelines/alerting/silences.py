"""Silences: an officer keeps a rule (or one group of it) quiet for a while, saying who and why.

Silences live in ``silences.json`` in the alerting state folder, written atomically, durably
and privately (``schemas.files.write_private``); the alerting job re-reads the file when it
changes, so ``siaga alerts silence`` takes effect on a running job within one step. A silenced
alert is still indexed (state ``silenced``) and published to the alerts topic; only its email
and webhook are held back.

An unreadable ``silences.json`` is moved aside with a logged error and counts as no silence:
alerts then go out (the safe side for a patrol team), where the job used to stop.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter

from schemas.alert import Silence
from schemas.files import read_or_quarantine, write_private

_SILENCES = TypeAdapter(list[Silence])

FILE = "silences.json"


class SilenceStore:
    """The silences in one state folder."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE
        self._mtime: float | None = None
        self._cache: list[Silence] = []

    def all(self) -> list[Silence]:
        """Every stored silence, oldest first (re-read when the file changed)."""
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return []
        if mtime != self._mtime:
            loaded = read_or_quarantine(self.path, _SILENCES.validate_json)
            self._cache = loaded or []
            self._mtime = mtime if loaded is not None else None
        return list(self._cache)

    def active(self, at: datetime) -> list[Silence]:
        """The silences in force at ``at``."""
        return [s for s in self.all() if s.created_at <= at < s.until]

    def matching(self, rule_id: str, group: str, at: datetime) -> Silence | None:
        """The silence that covers an alert of ``rule_id``/``group`` at ``at``, if any."""
        return next((s for s in self.all() if s.covers(rule_id, group, at)), None)

    def add(self, rule_id: str, group: str | None, duration: timedelta, reason: str, who: str,
            now: datetime) -> Silence:
        """Store a new silence from ``now`` for ``duration``."""
        basis = f"{rule_id}\x1f{group}\x1f{now.isoformat()}\x1f{who}"
        silence = Silence(
            silence_id="sil-" + hashlib.sha256(basis.encode()).hexdigest()[:10],
            rule_id=rule_id,
            group=group,
            created_by=who,
            reason=reason,
            created_at=now,
            until=now + duration,
        )
        items = [s.model_dump(mode="json") for s in self.all()] + [silence.model_dump(mode="json")]
        write_private(self.path, json.dumps(items, ensure_ascii=False, indent=1))
        return silence
