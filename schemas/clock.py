"""Time in one place: the clock every component asks for "now", WIB, and reading operators' times.

Code never calls ``datetime.now()``: it asks a ``Clock``. Components that decide by the time
(index set-up and retention, the rule engine, silences, the outbox, the connectors) take one as
an argument, so a test fixes it; timestamps that only record when something happened
(``tagged_at``, ``failed_at``) come from the process clock through ``utc_now()``.

The process clock is the system clock, unless ``SIAGA_CLOCK_START`` holds an instant: then it
starts there when the process starts and runs at the real rate. That exists so the whole test
suite (and the processes it spawns, which inherit the environment) can be run as if it were
another day (``make test-calendar`` runs it at a year boundary and on a leap day); an operator
can also use it to replay a past period. A process so started says so in its log.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

WIB = ZoneInfo("Asia/Jakarta")
"""Western Indonesian Time (UTC+7, no daylight saving): the time officers and operators read."""

CLOCK_START_ENV = "SIAGA_CLOCK_START"


class Clock:
    """The real wall clock, optionally shifted by a fixed offset; waiting is real waiting."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        """The current instant as an aware UTC datetime."""
        return datetime.now(UTC) + self.offset

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, for measuring intervals."""
        return time.monotonic()

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        """Wait ``seconds``; True if ``stop`` was set meanwhile (the wait then ends early)."""
        if stop is None:
            time.sleep(max(seconds, 0.0))
            return False
        return stop.wait(max(seconds, 0.0))


class FixedClock(Clock):
    """A clock that stands still until told to move: ``sleep`` advances it instead of waiting."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        if start.tzinfo is None:
            msg = "FixedClock needs an aware datetime"
            raise ValueError(msg)
        self.current = start.astimezone(UTC)
        self._mono = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The instant the clock stands at."""
        with self._lock:
            return self.current

    def monotonic(self) -> float:
        """Seconds moved since the clock was made."""
        with self._lock:
            return self._mono

    def advance(self, by: timedelta | float) -> datetime:
        """Move forward by a duration or a number of seconds; return the new instant."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        with self._lock:
            self.current += step
            self._mono += step.total_seconds()
            return self.current

    def set(self, moment: datetime) -> None:
        """Stand at ``moment`` (never earlier than now: time does not go back)."""
        with self._lock:
            if moment.astimezone(UTC) > self.current:
                self._mono += (moment.astimezone(UTC) - self.current).total_seconds()
                self.current = moment.astimezone(UTC)

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> bool:
        """Advance by ``seconds`` at once; True if ``stop`` is set."""
        if stop is not None and stop.is_set():
            return True
        self.advance(max(seconds, 0.0))
        return stop is not None and stop.is_set()


def parse_instant(text: str) -> datetime:
    """An ISO date or date-time; a date is midnight and a time without a zone is read as WIB.

    Raise ``ValueError`` naming the text for anything else.
    """
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        msg = f"not a date or time: {text!r} (use 2026-11-21, 2026-11-21T19:00 or 2026-11-21T12:00Z)"
        raise ValueError(msg) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=WIB)


def wib(moment: datetime) -> str:
    """A time as officers read it: ``21 Nov 2026 19:42 WIB``."""
    return moment.astimezone(WIB).strftime("%d %b %Y %H:%M WIB")


def wib_date(moment: datetime) -> date:
    """The calendar day in WIB that ``moment`` falls on."""
    return moment.astimezone(WIB).date()


def _from_environment() -> Clock:
    start = os.environ.get(CLOCK_START_ENV, "").strip()
    if not start:
        return Clock()
    try:
        moment = parse_instant(start)
    except ValueError as exc:
        msg = f"{CLOCK_START_ENV}: {exc}"
        raise ValueError(msg) from None
    offset = moment - datetime.now(UTC)
    log.warning("the clock starts at %s (%s is set), not at the real time", moment.isoformat(), CLOCK_START_ENV)
    return Clock(offset)


_PROCESS_CLOCK: Clock = _from_environment()


def process_clock() -> Clock:
    """The process's clock: the system clock, or the one ``SIAGA_CLOCK_START`` moved."""
    return _PROCESS_CLOCK


def utc_now() -> datetime:
    """The process clock's current instant (aware, UTC)."""
    return _PROCESS_CLOCK.now()
