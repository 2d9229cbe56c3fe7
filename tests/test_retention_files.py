"""The retention pass on the files Siaga keeps on disk: connector state and the outbox.

Connector state (SQLite: sent-post digests, checkpoints) holds post ids; outbox records,
``failed/`` files and ``.eml`` files hold alert details and post text. Each goes once it is
older than the retention, in ``siaga retention`` (and ``siaga run``'s periodic pass), with
counts in the report; connectors and the deliverer prune their own where the pass cannot reach.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from connectors.imports import ImportConnector
from connectors.state import ConnectorState, prune_state_dir
from pipelines.cli import main
from pipelines.delivery.outbox import Outbox, prune_files
from pipelines.ops.indices import apply_retention
from pipelines.ops.services import ensure_ready
from schemas.clock import FixedClock, process_clock
from schemas.config import ImportSource, Settings
from tests.conftest import Stack, make_settings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SIAGA__") or name == "SIAGA_CONFIG":
            monkeypatch.delenv(name)


def state_at(path: Path, moment: datetime) -> ConnectorState:
    return ConnectorState(path, clock=FixedClock(moment))


def test_a_connector_state_file_is_created_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        state = ConnectorState(tmp_path / "connectors" / "tiktok.sqlite")
        state.commit([("tiktok:1", "abc")], {"quota": {"day": "2026-11-24"}})
        state.close()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "connectors" / "tiktok.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "connectors").stat().st_mode) == 0o700


def test_sent_posts_and_idle_checkpoints_older_than_the_retention_are_pruned(tmp_path: Path) -> None:
    export = tmp_path / "still-here.json"
    export.write_text("[]")
    path = tmp_path / "apify.sqlite"
    old = state_at(path, OLD)
    old.commit([("tiktok:old", "d1"), ("tiktok:both", "d2")],
               {"search:old": {"cursor": 5}, f"file:{export}": {"items": 3}, f"file:{tmp_path / 'gone.json'}": {}})
    old.close()
    recent = state_at(path, RECENT)
    recent.commit([("tiktok:new", "d3"), ("tiktok:both", "d4")], {"quota": {"day": "x"}})
    assert recent.prune(NOW - timedelta(days=180), dry_run=True).sent == 1
    pruned = recent.prune(NOW - timedelta(days=180))
    # the sent record of tiktok:both was renewed recently; the checkpoint of an export still in
    # its folder stays, or the file would be imported again
    assert (pruned.sent, pruned.checkpoints) == (1, 2)
    assert recent.sent_digests(["tiktok:old", "tiktok:new", "tiktok:both"]) == {"tiktok:new": "d3",
                                                                                "tiktok:both": "d4"}
    assert recent.checkpoint(f"file:{export}") == {"items": 3} and recent.checkpoint("search:old") is None
    recent.close()


def test_a_state_file_from_before_retention_gets_times_and_is_kept_until_its_own_retention(tmp_path: Path) -> None:
    path = tmp_path / "legacy.sqlite"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                     "CREATE TABLE sent (post_id TEXT PRIMARY KEY, digest TEXT NOT NULL);"
                     "INSERT INTO sent VALUES ('tiktok:1', 'd');"
                     "INSERT INTO checkpoints VALUES ('quota', '{}');")
    db.commit()
    db.close()
    state = state_at(path, RECENT)
    assert state.prune(NOW - timedelta(days=180)).sent == 0, "counted from when it was opened"
    assert state.prune(RECENT + timedelta(days=1)).sent == 1
    state.close()


def test_a_running_connector_prunes_its_own_state(stack: Stack, tmp_path: Path) -> None:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")})
    ensure_ready(settings)
    path = settings.connectors.state_dir / "apify.sqlite"
    old = state_at(path, process_clock().now() - timedelta(days=400))
    old.commit([("tiktok:ancient", "d")], {})
    old.close()
    export = tmp_path / "empty.json"
    export.write_text("[]")
    source = ImportSource(name="apify", path=export, format="apify-tiktok")
    ImportConnector.from_config(source, settings).run(settings, threading.Event())
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM sent").fetchone()[0] == 0
    db.close()


def eml(path: Path, fired_at: datetime) -> Path:
    message = EmailMessage()
    message["Subject"] = "[WASPADA] Kawal TPS"
    message["Date"] = format_datetime(fired_at)
    message["X-Siaga-Alert-Id"] = path.stem
    message.set_content("1. [tiktok] @dedi.cbh — teks pos\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(message.as_bytes())
    return path


def outbox_files(settings: Settings) -> dict[str, Path]:
    queue = settings.alerting.state_dir / "queue"
    files = {
        "done-old": queue / "email" / "done" / "a-old.json",
        "unmarked-new": queue / "email" / "unmarked" / "a-new.json",
        "failed-old": queue / "failed" / "0001-a-old.json",
        "refused-new": queue / "failed" / "a-new.refused-recipients.json",
    }
    for name, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        moment = OLD if name.endswith("old") else RECENT
        field = "at" if name.startswith(("done", "unmarked")) else "failed_at"
        path.write_text(json.dumps({"key": path.stem, field: moment.isoformat()}))
    files["eml-old"] = eml(settings.email.outbox_dir / "a-old.eml", OLD)
    files["eml-new"] = eml(settings.email.outbox_dir / "a-new.eml", RECENT)
    unreadable = queue / "failed" / "0002-x.json.unreadable-20260101"
    unreadable.write_bytes(b"\x00garbage")
    os.utime(unreadable, (OLD.timestamp(), OLD.timestamp()))  # no time inside: its mtime counts
    files["unreadable-old"] = unreadable
    return files


def test_outbox_records_failed_files_and_emails_older_than_the_retention_are_pruned(tmp_path: Path) -> None:
    settings = make_settings(None, tmp_path)
    files = outbox_files(settings)
    queue = settings.alerting.state_dir / "queue"
    dry = prune_files(queue, settings.email.outbox_dir, NOW - timedelta(days=180), dry_run=True)
    assert (dry.records, dry.failed, dry.eml) == (1, 2, 1) and all(path.exists() for path in files.values())
    removed = prune_files(queue, settings.email.outbox_dir, NOW - timedelta(days=180))
    assert (removed.records, removed.failed, removed.eml) == (1, 2, 1)
    assert sorted(name for name, path in files.items() if path.exists()) == ["eml-new", "refused-new",
                                                                            "unmarked-new"]


def test_a_failed_message_records_when_it_failed(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "queue")
    outbox.enqueue("email", "a-1", {"kind": "alert", "alert_id": "a-1", "rule_id": "r"})
    ((path, entry),) = outbox.pending("email")
    failed = outbox.fail(path, entry, "550 no such user")
    assert "failed_at" in json.loads(failed.read_text())


def test_siaga_retention_reports_connector_state_and_outbox_files(stack: Stack, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")})
    ensure_ready(settings)
    old = state_at(settings.connectors.state_dir / "apify.sqlite", OLD)
    old.commit([("tiktok:old", "d")], {"search:old": {}})
    old.close()
    outbox_files(settings)
    es = Elasticsearch(settings.elasticsearch_url())
    report = apply_retention(es, settings, dry_run=True, clock=FixedClock(NOW))
    es.close()
    assert report.connector_state is not None and (report.connector_state.sent,
                                                   report.connector_state.checkpoints) == (1, 1)
    assert report.outbox is not None and report.outbox.total == 4
    text = report.render()
    assert "would delete 1 sent-post record(s) and 1 idle checkpoint(s)" in text
    assert "would delete 1 record(s), 2 failed/ file(s), 1 .eml file(s)" in text

    config = str(next(tmp_path.glob("siaga-*.yaml")))
    assert main(["retention", "--json", "--config", config]) == 0  # the real clock: all of them are old
    result = json.loads(capsys.readouterr().out)
    assert result["connector_state"] == {"sent": 1, "checkpoints": 1}
    assert result["outbox"]["eml"] >= 1 and not (settings.email.outbox_dir / "a-old.eml").exists()


def test_where_the_folders_are_not_the_report_says_so(settings: Settings) -> None:
    ensure_ready(settings)
    es = Elasticsearch(settings.elasticsearch_url())
    report = apply_retention(es, settings, dry_run=True, clock=FixedClock(NOW))
    es.close()
    assert report.connector_state is None and report.outbox is None
    assert "no connector state on this machine" in report.render()


def test_prune_state_dir_adds_up_every_connector(tmp_path: Path) -> None:
    for name in ("a", "b"):
        state = state_at(tmp_path / f"{name}.sqlite", OLD)
        state.commit([(f"tiktok:{name}", "d")], {})
        state.close()
    pruned = prune_state_dir(tmp_path, NOW - timedelta(days=180))
    assert (pruned.sent, pruned.files) == (2, 2)
