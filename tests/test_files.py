"""Private, durable files (``schemas.files``): modes whatever the umask, atomic replacement, quarantine."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.files import private_dir, private_file, quarantine, read_or_quarantine, write_private


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive usual umask, so a file made without care would be world-readable."""
    old = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(old)


def test_a_written_file_is_0600_in_0700_folders_made_for_it_whatever_the_umask(tmp_path: Path,
                                                                                open_umask: None) -> None:
    target = tmp_path / "state" / "alerting" / "engine-state.json"
    write_private(target, b'{"a": 1}')
    assert target.read_bytes() == b'{"a": 1}'
    assert mode(target) == 0o600
    assert mode(tmp_path / "state") == 0o700
    assert mode(tmp_path / "state" / "alerting") == 0o700


def test_a_str_is_written_as_utf8_and_replaces_the_old_content_leaving_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "silences.json"
    write_private(target, "old")
    write_private(target, "pemilu ✓")
    assert target.read_text(encoding="utf-8") == "pemilu ✓"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["silences.json"]


def test_a_file_that_was_world_readable_becomes_private_when_rewritten(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "status.json"
    target.write_text("{}")
    os.chmod(target, 0o644)
    write_private(target, b"{}")
    assert mode(target) == 0o600


def test_an_existing_folder_is_not_tightened_because_it_may_not_be_ours_to_change(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)  # noqa: S103 - a folder as others leave it, which the test must not tighten
    write_private(tmp_path / "out.json", b"[]")
    assert mode(tmp_path) == 0o755


def test_a_failed_write_leaves_the_old_content_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "engine-state.json"
    write_private(target, b"old")
    with pytest.raises(TypeError):
        write_private(target, 12)  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["engine-state.json"]


def test_the_file_and_then_its_folder_are_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", spy)
    target = tmp_path / "queue" / "0001-a.json"
    write_private(target, b"{}")
    # The temporary file is fsynced before the rename (so under its temporary name), the folder after it.
    assert len(synced) == 2
    assert Path(synced[0]).parent == target.parent and Path(synced[0]).name.endswith(".tmp")
    assert synced[1] == str(target.parent)


def test_a_file_that_only_reports_can_skip_the_fsyncs_and_is_still_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    target = tmp_path / "status" / "pipeline.1.json"
    write_private(target, b"{}", durable=False)
    assert synced == [] and target.read_bytes() == b"{}"
    assert mode(target) == 0o600 and mode(target.parent) == 0o700


def test_private_dir_makes_missing_folders_0700_and_refuses_a_file_in_the_way(tmp_path: Path,
                                                                             open_umask: None) -> None:
    made = private_dir(tmp_path / "a" / "b")
    assert made == tmp_path / "a" / "b" and mode(made) == 0o700 and mode(tmp_path / "a") == 0o700
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        private_dir(tmp_path / "file")


def test_a_sqlite_database_made_through_private_file_keeps_its_journal_private(tmp_path: Path,
                                                                              open_umask: None) -> None:
    path = private_file(tmp_path / "connectors" / "tiktok.sqlite")
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    db.commit()
    made = sorted(tmp_path.joinpath("connectors").iterdir())
    assert [p.name for p in made] == ["tiktok.sqlite", "tiktok.sqlite-shm", "tiktok.sqlite-wal"]
    assert all(mode(p) == 0o600 for p in made), {p.name: oct(mode(p)) for p in made}
    db.close()


def test_private_file_keeps_an_existing_files_content_but_tightens_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"content")
    os.chmod(path, 0o664)
    private_file(path)
    assert path.read_bytes() == b"content" and mode(path) == 0o600


def test_a_missing_file_reads_as_nothing_and_a_good_one_as_its_content(tmp_path: Path) -> None:
    assert read_or_quarantine(tmp_path / "none.json", json.loads) is None
    write_private(tmp_path / "good.json", b'{"engine": {}}')
    assert read_or_quarantine(tmp_path / "good.json", json.loads) == {"engine": {}}


@pytest.mark.parametrize("content", [b"", b'{"engine": ', b"\xff\xfe", b"[]"],
                         ids=["empty", "torn", "not-utf8", "wrong-shape"])
def test_an_unreadable_file_is_moved_aside_logged_and_counted_and_reads_as_nothing(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes) -> None:
    path = tmp_path / "engine-state.json"
    path.write_bytes(content)
    seen: list[tuple[Path, Path, str]] = []

    def parse(data: bytes) -> dict:
        return json.loads(data)["engine"]

    with caplog.at_level(logging.ERROR, logger="schemas.files"):
        assert read_or_quarantine(path, parse, on_quarantine=lambda *a: seen.append(a)) is None
    assert not path.exists()
    (original, moved, reason), = seen
    assert original == path and moved.parent == tmp_path and moved.read_bytes() == content
    assert moved.name.startswith("engine-state.json.unreadable-") and not moved.name.endswith(".json")
    assert "engine-state.json" in caplog.text and reason in caplog.text


def test_an_unreadable_queue_file_can_be_moved_into_another_folder_and_twice_the_same_name_keeps_both(
        tmp_path: Path) -> None:
    failed = tmp_path / "queue" / "failed"
    for _ in range(2):
        path = tmp_path / "queue" / "email" / "0001-a.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        assert read_or_quarantine(path, json.loads, into=failed) is None
    moved = sorted(failed.iterdir())
    assert len(moved) == 2 and all(p.name.startswith("0001-a.json.unreadable-") for p in moved)
    assert mode(failed) == 0o700


def test_an_error_the_caller_did_not_name_is_not_hidden(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b"{}")

    def broken(_data: bytes) -> None:
        raise RuntimeError("a bug, not a bad file")

    with pytest.raises(RuntimeError):
        read_or_quarantine(path, broken)
    assert path.exists()


def test_quarantine_returns_where_the_file_went(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"x")
    moved = quarantine(path, "hand-edited")
    assert moved.read_bytes() == b"x" and not path.exists()
