"""Connectors under `siaga run`: restarted with backoff when they fail, and seen by the health check."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors import ReplayConnector
from pipelines.common.metrics import StatusFile, read_status_files
from pipelines.ops.runner import RunSummary, run
from pipelines.ops.services import ensure_ready
from pipelines.ops.supervisor import ConnectorSupervisor, connector_problem, health, run_health
from schemas.clock import FixedClock, utc_now
from schemas.config import Settings
from tests.conftest import Stack, make_post, make_settings, read_topic, write_jsonl

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
POSTS = [make_post(f"88{i}", minutes=i) for i in range(5)]


def test_a_connector_that_dies_is_restarted_with_backoff_counted_and_logged(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    ensure_ready(settings)
    clock = FixedClock(START)
    path = tmp_path / "later.jsonl"  # not there yet: each run fails, until the fourth
    builds: list[datetime] = []

    def build() -> ReplayConnector:
        builds.append(clock.now())
        if len(builds) == 4:
            write_jsonl(path, POSTS)
        return ReplayConnector("replay", path)

    status = StatusFile(tmp_path / "status", "run")
    supervisor = ConnectorSupervisor("replay", build, settings, threading.Event(), clock, status)
    with caplog.at_level(logging.ERROR, logger="pipelines.ops.supervisor"):
        supervisor.run()

    assert supervisor.restarts == 3 and supervisor.error is None and supervisor.stats.produced == 5
    # Each wait is full jitter up to 2**attempt seconds; the next run starts when the wait ends.
    assert all(0 <= wait <= 2.0 ** attempt for attempt, wait in enumerate(supervisor.waits, 1))
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(builds, builds[1:], strict=False)]
    assert gaps == pytest.approx(supervisor.waits, abs=1e-5)
    assert [r.message.split(";")[0] for r in caplog.records if r.name == "pipelines.ops.supervisor"] == [
        f"connector replay failed (FileNotFoundError: [Errno 2] No such file or directory: '{path}')"] * 3
    assert sorted(m.key for m in read_topic(settings, settings.kafka.topics.raw, 5)) == [
        f"tiktok:88{i}".encode() for i in range(5)]
    (written,) = read_status_files(tmp_path / "status")
    entry = written["connectors"]["replay"]
    assert entry["state"] == "finished" and entry["restarts"] == 3
    assert entry["last_error"].startswith("FileNotFoundError") and entry["failing_since"] == START.isoformat()


def test_a_connector_is_given_up_after_a_few_restarts_in_a_run_that_ends_when_idle(stack: Stack,
                                                                                   tmp_path: Path) -> None:
    settings = make_settings(stack, tmp_path, sources=[
        {"name": "missing", "type": "replay", "path": str(tmp_path / "missing.jsonl")},
        {"name": "good", "type": "replay", "path": str(write_jsonl(tmp_path / "good.jsonl", POSTS))},
    ], pipeline={"status_dir": str(tmp_path / "status")})
    summary = run(settings, until_idle=True, stop=threading.Event(), clock=FixedClock(START))
    assert summary.connectors == {"missing": 0, "good": 5} and summary.indexed == 5
    assert summary.connector_errors["missing"].startswith("gave up after 3 restarts; last error: FileNotFoundError")
    assert summary.connector_restarts["missing"][0] == 3
    assert "  connector missing restarted 3 time(s); last failure: FileNotFoundError" in summary.render(settings)


def _status_of(status_dir: Path, name: str, deadline_s: float = 60.0, **wanted: Any) -> dict[str, Any]:
    """The connector's entry in the run's status file, once it has ``wanted`` values."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for status in read_status_files(status_dir):
            entry = status.get("connectors", {}).get(name)
            if entry and all(entry.get(key) == value if not callable(value) else value(entry.get(key))
                             for key, value in wanted.items()):
                return entry
        time.sleep(0.1)
    msg = f"connector {name} never reached {wanted}: {read_status_files(status_dir)}"
    raise AssertionError(msg)


def test_siaga_run_restarts_a_failed_connector_and_the_health_check_sees_it(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "later.jsonl"
    status_dir = tmp_path / "status"
    settings = make_settings(stack, tmp_path, sources=[{"name": "late", "type": "replay", "path": str(path)}],
                             pipeline={"status_dir": str(status_dir)},
                             connectors={"unhealthy_after": "10m", "restart_backoff_max": "2s"})
    stop = threading.Event()
    summaries: list[RunSummary] = []
    runner = threading.Thread(target=lambda: summaries.append(run(settings, until_idle=False, stop=stop)))
    runner.start()
    try:
        failing = _status_of(status_dir, "late", state="restarting", restarts=lambda n: (n or 0) >= 2)
        assert failing["last_error"].startswith("FileNotFoundError")
        failing_since = datetime.fromisoformat(failing["failing_since"])
        # Failing for less than connectors.unhealthy_after: still healthy; for longer: not.
        assert health(settings, failing_since + timedelta(minutes=9)).healthy
        sick = health(settings, failing_since + timedelta(minutes=11))
        (line,) = [line for line in sick.lines if line.startswith("connector late")]
        assert not sick.healthy and line.startswith("connector late failing since ") and "FileNotFoundError" in line

        write_jsonl(path, POSTS)  # the file arrives: the next restart reads it
        finished = _status_of(status_dir, "late", state="finished")
        assert finished["restarts"] >= 2
        assert health(settings, utc_now()).healthy
    finally:
        stop.set()
        runner.join(timeout=60)
    (summary,) = summaries
    assert summary.connectors == {"late": 5} and summary.connector_errors == {}
    assert summary.connector_restarts["late"][0] >= 2
    assert not list(status_dir.glob("*.json")), "a run that stops cleanly removes its status file"
    assert not health(settings, failing_since).healthy, "no run is reporting any more"


def test_a_connector_with_a_configuration_problem_stays_stopped_and_the_health_check_says_why(
    stack: Stack, tmp_path: Path,
) -> None:
    status_dir = tmp_path / "status"
    settings = make_settings(stack, tmp_path, sources=[
        {"name": "drop", "type": "import", "path": str(tmp_path / "no-such-folder"), "format": "apify-tiktok",
         "watch": True},
        {"name": "good", "type": "replay", "path": str(write_jsonl(tmp_path / "good.jsonl", POSTS))},
    ], pipeline={"status_dir": str(status_dir)}, connectors={"state_dir": str(tmp_path / "state")})
    stop = threading.Event()
    summaries: list[RunSummary] = []
    runner = threading.Thread(target=lambda: summaries.append(run(settings, until_idle=False, stop=stop)))
    runner.start()
    try:
        stopped = _status_of(status_dir, "drop", state="stopped")
        _status_of(status_dir, "good", state="finished")
        time.sleep(0.5)
        assert _status_of(status_dir, "drop")["state"] == "stopped", "a configuration problem is not restarted"
        assert stopped["restarts"] == 0 and "does not exist" in stopped["reason"]
        verdict = health(settings, datetime.fromisoformat(stopped["since"]))
        assert not verdict.healthy
        assert verdict.lines[0].startswith("connector drop stopped since ")
        assert verdict.lines[0].endswith(f"import path {tmp_path / 'no-such-folder'} does not exist")
        assert verdict.lines[1].startswith("connector good finished since ")
    finally:
        stop.set()
        runner.join(timeout=60)
    (summary,) = summaries
    assert summary.connectors == {"drop": 0, "good": 5}
    assert summary.connector_errors == {"drop": f"import path {tmp_path / 'no-such-folder'} does not exist"}


# -- the health rules, on status files written by hand -------------------------------------------------


def _write_run_status(status_dir: Path, connectors: dict[str, dict[str, Any]], **fields: Any) -> Path:
    status = StatusFile(status_dir, "run")
    status.connectors = connectors
    status.write()
    if fields:
        data = json.loads(status.path.read_text(encoding="utf-8"))
        data.update(fields)
        status.path.write_text(json.dumps(data), encoding="utf-8")
    return status.path


def entry(state: str, since: datetime, failing_since: datetime | None = None, **extra: Any) -> dict[str, Any]:
    return {"state": state, "since": since.isoformat(), "restarts": 4 if failing_since else 0,
            "failing_since": failing_since.isoformat() if failing_since else None,
            "last_error": "KafkaException: broker down" if failing_since else None, **extra}


@pytest.mark.parametrize(("state", "since_min", "failing_min", "healthy"), [
    ("running", 60, None, True),
    ("finished", 60, None, True),
    ("restarting", 1, 9, True),  # failing, but not for long yet
    ("restarting", 1, 11, False),
    ("running", 1, 30, False),  # restarted a minute ago after failing for half an hour: still flapping
    ("running", 6, 30, True),  # running for longer than the backoff cap since: recovered
    ("stopped", 0, None, False),
])
def test_the_health_of_one_connector(state: str, since_min: int, failing_min: int | None, healthy: bool) -> None:
    now = START
    failing = now - timedelta(minutes=failing_min) if failing_min is not None else None
    problem = connector_problem("tiktok", entry(state, now - timedelta(minutes=since_min), failing,
                                                reason="credentials refused"),
                                now, timedelta(minutes=10), timedelta(minutes=5))
    assert (problem is None) == healthy


def test_a_run_that_stopped_reporting_or_died_is_unhealthy(tmp_path: Path) -> None:
    now = utc_now()  # the status file's updated_at is written by the process clock
    status_dir = tmp_path / "status"
    assert run_health(status_dir, now, timedelta(minutes=10)).lines == [
        f"no running `siaga run` has reported in {status_dir}"]
    path = _write_run_status(status_dir, {"a": entry("running", now)})
    assert run_health(status_dir, now, timedelta(minutes=10)).healthy
    late = run_health(status_dir, now + timedelta(minutes=11), timedelta(minutes=10))
    assert not late.healthy and late.lines[0].startswith("siaga run (pid ")
    # A status file left by a process that no longer exists does not count.
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "pid": 2**22 + 12345}), encoding="utf-8")
    assert not run_health(status_dir, now, timedelta(minutes=10)).healthy
    # A pipeline worker's status file (no connectors) is not a run's.
    worker = StatusFile(status_dir, "worker")
    worker.write()
    assert run_health(status_dir, now, timedelta(minutes=10)).lines[0].startswith("no running `siaga run`")
