"""Connectors under ``siaga run``: each in its own thread, restarted with backoff when it fails.

A connector that raises (Kafka away longer than a send may wait, a state file it cannot open,
any error its own failure table did not absorb) is rebuilt from its configuration and run
again after a backoff wait: full jitter up to 2 s, 4 s, 8 s ... capped at
``connectors.restart_backoff_max``. A run that lasted that long before failing starts the
count again. ``ConnectorFatal`` is a configuration problem (credentials refused, a missing
import path): restarting cannot fix it, so the connector stays stopped and says why while the
others go on. Every change is logged, counted (``siaga_connector_restarts``) and written to
the run's status file.

``run_health`` reads that file for the container's health check: unhealthy when a connector
is stopped, has been failing for longer than ``connectors.unhealthy_after``, or the run has
not reported for that long.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from connectors import Connector, ConnectorStats
from connectors.api import ConnectorFatal
from pipelines.common.metrics import CONNECTOR_RESTARTS, CONNECTOR_UP, StatusFile, read_status_files
from schemas.clock import Clock, wib
from schemas.config import Settings
from schemas.erasure import SuppressionList
from schemas.retry import backoff

log = logging.getLogger(__name__)

RUNNING, RESTARTING, STOPPED, FINISHED = "running", "restarting", "stopped", "finished"
"""A connector's states in the status file."""
GIVE_UP_AFTER = 3
"""Restarts in a row after which a connector of a run that ends when idle (``--until-idle``)
is given up: such a run must end, and a source that fails this often will not finish."""


class ConnectorSupervisor:
    """Runs one configured connector until stopped, rebuilding and restarting it after failures.

    ``stats`` adds up every run's counts; ``error`` says why it stopped for good, if it did.
    """

    def __init__(self, name: str, build: Callable[[], Connector], settings: Settings, stop: threading.Event,
                 clock: Clock, status: StatusFile | None = None, give_up_after: int | None = None,
                 suppressions: SuppressionList | None = None) -> None:
        self.name = name
        self.suppressions = suppressions
        """The erased posts and authors the connector drops (``schemas.erasure``)."""
        self.build = build
        self.settings = settings
        self.stop = stop
        self.clock = clock
        self.status = status
        self.give_up_after = give_up_after
        self.stats = ConnectorStats()
        self.restarts = 0
        self.error: str | None = None
        self.last_error: str | None = None
        self.waits: list[float] = []
        """Every backoff wait before a restart, in seconds."""
        self._failing_since: datetime | None = None

    def run(self) -> None:
        """Run, and restart after failures, until stopped, finished, or stopped for good."""
        cap = self.settings.connectors.restart_backoff_max.total_seconds()
        attempt = 0
        while not self.stop.is_set():
            started = self.clock.monotonic()
            connector: Connector | None = None
            try:
                connector = self.build()
                self._report(RUNNING)
                connector.run(self.settings, self.stop, self.suppressions)
            except ConnectorFatal as exc:
                self._stopped(str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - any failure of one connector: restart it, the others go on
                failure = f"{type(exc).__name__}: {exc}"
            else:
                if self.stop.is_set():
                    return
                if connector.bounded:
                    self._report(FINISHED)
                    return
                failure = "it ended without being stopped"
            finally:
                if connector is not None:
                    self.stats.add(connector.stats)
            if self.clock.monotonic() - started >= cap:
                attempt, self._failing_since = 0, None  # it ran well for a while: a new failure, not the same
            attempt += 1
            self.last_error = failure
            if self.give_up_after is not None and attempt > self.give_up_after:
                self._stopped(f"gave up after {self.give_up_after} restarts; last error: {failure}")
                return
            wait = backoff(attempt, cap=cap)
            self.waits.append(wait)
            self.restarts += 1
            CONNECTOR_RESTARTS.labels(self.name).inc()
            now = self.clock.now()
            if self._failing_since is None:
                self._failing_since = now
            log.error("connector %s failed (%s); restart %d in %.1f s", self.name, failure, self.restarts, wait)
            self._report(RESTARTING, next_attempt_at=(now + timedelta(seconds=wait)).isoformat())
            if self.clock.sleep(wait, self.stop):
                return

    def _stopped(self, reason: str) -> None:
        self.error = reason
        log.error("connector %s stopped: %s; the other connectors go on", self.name, reason)
        self._report(STOPPED, reason=reason)

    def _report(self, state: str, **extra: Any) -> None:
        CONNECTOR_UP.labels(self.name).set(1 if state in (RUNNING, FINISHED) else 0)
        if self.status is None:
            return
        entry = {"state": state, "since": self.clock.now().isoformat(), "restarts": self.restarts,
                 "failing_since": self._failing_since.isoformat() if self._failing_since else None,
                 "last_error": self.last_error[:500] if self.last_error else None, **extra}
        try:
            self.status.connector(self.name, entry)
        except OSError as exc:  # the status file is for the health check; it must not stop the connector
            log.warning("connector %s: cannot write the status file: %s", self.name, exc)


# -- the health check ----------------------------------------------------------------------------


@dataclass
class Health:
    """What the health check found: healthy or not, and one line per finding."""

    healthy: bool
    lines: list[str] = field(default_factory=list)

    def render(self) -> str:
        """``healthy`` or ``unhealthy``, then the findings, one per line."""
        return "\n".join([("healthy" if self.healthy else "unhealthy"), *self.lines])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def connector_problem(name: str, entry: dict[str, Any], now: datetime, unhealthy_after: timedelta,
                      stable_after: timedelta) -> str | None:
    """Why one connector's state makes the run unhealthy, or ``None`` if it does not."""
    state = entry.get("state")
    since = _when(entry.get("since")) or now
    failing_since = _when(entry.get("failing_since"))
    if state == STOPPED:
        return f"connector {name} stopped since {wib(since)}: {entry.get('reason') or 'no reason given'}"
    # A connector that restarts and soon fails again is still failing while it runs.
    flapping = state == RUNNING and now - since < stable_after
    if failing_since is not None and (state == RESTARTING or flapping) and now - failing_since >= unhealthy_after:
        return (f"connector {name} failing since {wib(failing_since)} ({entry.get('restarts', 0)} restarts; "
                f"last error: {entry.get('last_error') or '-'})")
    return None


def run_health(status_dir: Path, now: datetime, unhealthy_after: timedelta,
               stable_after: timedelta = timedelta(minutes=5)) -> Health:
    """The health of the ``siaga run`` process reporting in ``status_dir``.

    Unhealthy when no live ``siaga run`` has reported, when it last reported longer than
    ``unhealthy_after`` ago, when a connector is stopped, or when one has been failing for
    longer than ``unhealthy_after``. Status files of processes that no longer exist are left
    aside (a run killed before it could remove its file).
    """
    runs = [status for status in read_status_files(status_dir)
            if "connectors" in status and _alive(int(status.get("pid", 0)))]
    if not runs:
        return Health(False, [f"no running `siaga run` has reported in {status_dir}"])
    status = runs[0]
    lines: list[str] = []
    problems: list[str] = []
    updated = _when(status.get("updated_at")) or now
    if now - updated >= unhealthy_after:
        problems.append(f"siaga run (pid {status['pid']}) has not reported since {wib(updated)}")
    for name, entry in sorted(status["connectors"].items()):
        problem = connector_problem(name, entry, now, unhealthy_after, stable_after)
        if problem is not None:
            problems.append(problem)
            continue
        restarts = entry.get("restarts", 0)
        lines.append(f"connector {name} {entry.get('state')} since {wib(_when(entry.get('since')) or now)}"
                     + (f" ({restarts} restarts; last error: {entry.get('last_error')})" if restarts else ""))
    return Health(not problems, problems + lines)


def health(settings: Settings, now: datetime) -> Health:
    """``run_health`` for the configured status folder and thresholds (what ``siaga status --health`` asks)."""
    connectors = settings.connectors
    return run_health(settings.pipeline.status_dir, now, connectors.unhealthy_after, connectors.restart_backoff_max)
