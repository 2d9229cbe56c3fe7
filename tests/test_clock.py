"""The one clock: fixed clocks for tests, WIB parsing, and the process clock moved by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest

from schemas.clock import WIB, FixedClock, parse_instant, wib_date


def test_a_fixed_clock_moves_only_when_told_and_sleeping_advances_it():
    clock = FixedClock(datetime(2027, 12, 31, 16, 59, tzinfo=UTC))
    assert clock.now() == datetime(2027, 12, 31, 16, 59, tzinfo=UTC)
    assert clock.sleep(90) is False
    assert clock.now() == datetime(2027, 12, 31, 17, 0, 30, tzinfo=UTC)
    assert clock.monotonic() == 90
    # 17:00 UTC on 31 December is already New Year's Day in WIB.
    assert wib_date(clock.now()).isoformat() == "2028-01-01"
    stop = threading.Event()
    stop.set()
    assert clock.sleep(10, stop) is True
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2027, "time never goes back"


def test_a_naive_fixed_clock_is_refused():
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2027, 1, 1))  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(("text", "expected"), [
    ("2028-02-29", datetime(2028, 2, 29, tzinfo=WIB)),
    ("2028-02-29T23:30", datetime(2028, 2, 29, 23, 30, tzinfo=WIB)),
    ("2028-02-29T23:30:00Z", datetime(2028, 2, 29, 23, 30, tzinfo=UTC)),
    ("2027-01-01T00:00:00+09:00", datetime(2026, 12, 31, 15, tzinfo=UTC)),
])
def test_times_without_a_zone_are_wib(text: str, expected: datetime):
    assert parse_instant(text) == expected


def test_an_unreadable_time_names_itself():
    with pytest.raises(ValueError, match="'kemarin sore'"):
        parse_instant("kemarin sore")


def _process_now(start: str | None) -> datetime:
    env = {k: v for k, v in os.environ.items() if k != "SIAGA_CLOCK_START"}
    if start is not None:
        env["SIAGA_CLOCK_START"] = start
    out = subprocess.run([sys.executable, "-c", "from schemas.clock import utc_now; print(utc_now().isoformat())"],
                         env=env, capture_output=True, text=True, check=True)
    return datetime.fromisoformat(out.stdout.strip())


@pytest.mark.services
def test_the_process_clock_starts_where_the_environment_says_and_runs_on():
    moved = _process_now("2028-02-29T23:30")
    start = datetime(2028, 2, 29, 23, 30, tzinfo=WIB)
    assert start <= moved < start + timedelta(seconds=30)
    real = _process_now(None)
    assert abs(real - datetime.now(UTC)) < timedelta(seconds=30)


@pytest.mark.services
def test_a_bad_clock_start_stops_the_process_with_its_name():
    env = dict(os.environ, SIAGA_CLOCK_START="tomorrow")
    run = subprocess.run([sys.executable, "-c", "import schemas.clock"], env=env, capture_output=True, text=True)
    assert run.returncode != 0
    assert "SIAGA_CLOCK_START" in run.stderr
