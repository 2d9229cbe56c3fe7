"""The import connector against the real broker: checkpoints, restarts, dedup, dead letters, watching."""

from __future__ import annotations

import codecs
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.imports import ImportConnector
from connectors.state import ConnectorState
from pipelines.cli import main
from pipelines.ops.services import ensure_ready
from schemas.clock import utc_now
from schemas.config import ImportSource, Settings
from schemas.deadletter import DeadLetter
from schemas.post import Post
from tests.conftest import make_settings, read_topic


def tiktok_item(number: int, likes: int = 10, **changes: Any) -> dict[str, Any]:
    """One item of an Apify TikTok scraper dataset."""
    item = {
        "id": f"73{number:017d}",
        "text": f"Debat paslon semalam seru juga ya, kalian dukung siapa? #pilkada #debat{number}",
        "createTimeISO": "2026-11-20T13:00:00.000Z",
        "createTime": 1795179600,
        "authorMeta": {"id": f"68{number:017d}", "name": f"warga_{number}", "nickName": f"Warga {number}"},
        "diggCount": likes,
        "shareCount": 1,
        "playCount": 300,
        "commentCount": 2,
        "webVideoUrl": f"https://www.tiktok.com/@warga_{number}/video/73{number:017d}",
        "hashtags": [{"name": "pilkada"}, {"name": f"debat{number}"}],
        "mentions": [],
    }
    item.update(changes)
    return item


def import_settings(stack: Any, tmp_path: Path) -> Settings:
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")})
    ensure_ready(settings)
    return settings


def run_import(settings: Settings, path: Path, stop: threading.Event | None = None, **options: Any) -> ImportConnector:
    source = ImportSource(name="apify", path=path, format="apify-tiktok", **options)
    connector = ImportConnector.from_config(source, settings)
    connector.run(settings, stop or threading.Event())
    return connector


def raw_posts(settings: Settings, expected: int) -> list[Post]:
    return [Post.model_validate_json(m.value) for m in read_topic(settings, settings.kafka.topics.raw, expected,
                                                                     timeout_ms=3000)]


def test_an_apify_export_lands_in_kafka_and_a_bad_item_is_dead_lettered(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "dataset.json"
    bad = tiktok_item(99)
    del bad["id"]
    export.write_text(json.dumps([tiktok_item(1), bad, tiktok_item(2)]), encoding="utf-8")

    connector = run_import(settings, export)

    assert (connector.stats.produced, connector.stats.dead_lettered) == (2, 1)
    posts = raw_posts(settings, 3)
    assert sorted(p.post_id for p in posts) == [f"tiktok:73{1:017d}", f"tiktok:73{2:017d}"]
    (message,) = read_topic(settings, settings.kafka.topics.dead_letter, 1)
    letter = DeadLetter.model_validate_json(message.value)
    assert letter.stage == "connector" and letter.source == "connector:apify"
    assert "id" in letter.reason
    assert json.loads(letter.original())["authorMeta"]["name"] == "warga_99"


def test_a_rerun_sends_nothing_again_and_changed_counts_are_sent_as_updates(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "dataset.json"
    export.write_text(json.dumps([tiktok_item(1), tiktok_item(2)]), encoding="utf-8")
    assert run_import(settings, export).stats.produced == 2

    assert run_import(settings, export).stats.produced == 0, "an unchanged file is not read again"

    # The collector re-exported the same posts later: one has more likes now.
    export.write_text(json.dumps([tiktok_item(1, likes=500), tiktok_item(2)]) + "\n", encoding="utf-8")
    again = run_import(settings, export)
    assert (again.stats.produced, again.stats.unchanged) == (1, 1)
    posts = raw_posts(settings, 4)
    assert len(posts) == 3
    assert max(p.engagement.likes for p in posts if p.native_id == f"73{1:017d}") == 500


def test_a_stopped_import_resumes_where_it_stopped(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "capture.ndjson"
    export.write_text("".join(json.dumps(tiktok_item(i)) + "\n" for i in range(1, 7)), encoding="utf-8")
    stop = threading.Event()

    class StopAfterThree(ImportConnector):
        def _record(self, *args: Any, **kwargs: Any):
            record = super()._record(*args, **kwargs)
            if record.key == f"tiktok:73{3:017d}":
                stop.set()
            return record

    source = ImportSource(name="apify", path=export, format="apify-tiktok")
    first = StopAfterThree(source.name, export, source.format,
                           ConnectorState(settings.connectors.state_dir / "apify.sqlite"))
    first.run(settings, stop)
    assert first.stats.produced == 3 and not first.stats.finished

    second = run_import(settings, export)
    assert second.stats.produced == 3
    assert sorted(p.native_id for p in raw_posts(settings, 6)) == [f"73{i:017d}" for i in range(1, 7)]


def test_a_watched_folder_picks_up_new_and_grown_files(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.ndjson").write_text(json.dumps(tiktok_item(1)) + "\n", encoding="utf-8")
    stop = threading.Event()
    source = ImportSource(name="apify", path=folder, format="apify-tiktok", watch=True, poll_interval_s=0.1)
    connector = ImportConnector.from_config(source, settings)
    thread = threading.Thread(target=connector.run, args=(settings, stop))
    thread.start()
    try:
        time.sleep(0.5)
        (folder / "b.json").write_text(json.dumps([tiktok_item(2)]), encoding="utf-8")
        with (folder / "a.ndjson").open("a", encoding="utf-8") as grown:
            grown.write(json.dumps(tiktok_item(3)) + "\n")
        (folder / "notes.txt").write_text("not an export", encoding="utf-8")
        deadline = time.monotonic() + 10
        while len(raw_posts(settings, 3)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert sorted(p.native_id for p in raw_posts(settings, 4)) == [f"73{i:017d}" for i in (1, 2, 3)]


def test_the_import_command(stack, tmp_path: Path, capsys) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "dataset.json"
    export.write_text(json.dumps([tiktok_item(1), tiktok_item(2)]), encoding="utf-8")
    config = next(tmp_path.glob("siaga-*.yaml"))
    assert main(["--config", str(config), "import", str(export), "--format", "apify-tiktok"]) == 0
    out = capsys.readouterr().out
    assert "2 posts sent to" in out and "0 dead-lettered" in out
    assert main(["--config", str(config), "import", str(export), "--format", "apify-tiktok"]) == 0
    assert "0 posts sent to" in capsys.readouterr().out
    assert len(raw_posts(settings, 3)) == 2


def test_the_progress_line_counts_what_was_handled(capsys) -> None:
    from connectors.base import ConnectorStats
    from pipelines.cli.connectors import show_progress as _show_progress

    class Running:
        stats = ConnectorStats(produced=1500, unchanged=200, dead_lettered=3)

    done = threading.Event()
    thread = threading.Thread(target=_show_progress, args=(Running(), done))
    thread.start()
    time.sleep(0.7)
    done.set()
    thread.join()
    err = capsys.readouterr().err
    assert "\r  1,703 items: 1,500 sent, 200 unchanged, 3 dead-lettered (" in err and err.endswith("\n")


def test_warnings_are_counted_and_shown_by_the_import_command(stack, tmp_path: Path, capsys) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "dataset.ndjson"
    hidden = [tiktok_item(i, likes=-1) for i in (1, 2)]  # likes hidden by the author
    early = tiktok_item(3, createTime=int(utc_now().timestamp()) + 3600)  # the collector's clock behind
    del early["createTimeISO"]
    export.write_text("".join(json.dumps(item) + "\n" for item in [*hidden, early, tiktok_item(4)]),
                      encoding="utf-8")
    config = next(tmp_path.glob("siaga-*.yaml"))
    assert main(["--config", str(config), "import", str(export), "--format", "apify-tiktok"]) == 0
    out = capsys.readouterr().out
    assert "4 posts sent to" in out and "3 warnings" in out
    assert "  warning: 2 × apify-tiktok: diggCount is -1 (hidden by the platform), read as unknown" in out
    assert ("  warning: 1 × apify-tiktok: collected before it was created (the collector's clock was behind): "
            "collected_at raised to created_at") in out
    posts = {p.native_id: p for p in raw_posts(settings, 5)}
    assert posts[f"73{1:017d}"].engagement.likes is None, "the post is still sent, its likes unknown (not 0)"


def _array_items_of(path: Path, monkeypatch, read_size: int) -> list[tuple[Any, bytes, str | None]]:
    from connectors import imports

    monkeypatch.setattr(imports, "READ_SIZE", read_size)
    return [(item, raw, broken) for item, raw, broken, _ in imports._items(path)]


@pytest.mark.parametrize("read_size", [7, 64, 1 << 20])
@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_array_is_read_item_by_item_whatever_the_buffer(tmp_path: Path, monkeypatch, read_size: int,
                                                                indent: int | None) -> None:
    items = [tiktok_item(1), {"text": 'a "},{" inside a string, and ] [ too', "n": [1, 2.5, -3e2, None]},
             tiktok_item(2, text="Ayo nyoblos 🗳️ — jangan golput!"), [1, 2], 12345678901234567890, "teks"]
    export = tmp_path / "dataset.json"
    export.write_bytes(codecs.BOM_UTF8 + json.dumps(items, ensure_ascii=False, indent=indent).encode())
    got = _array_items_of(export, monkeypatch, read_size)
    assert [item for item, _, _ in got] == items
    assert all(broken is None for _, _, broken in got)
    assert [json.loads(raw) for _, raw, _ in got] == items, "each item's raw bytes are its exact text"


@pytest.mark.parametrize(
    ("content", "good", "reason"),
    [
        (b'[{"a": 1}, {"b": 2}', 2, "the file ends inside the array after item 2"),
        (b'[{"a": 1}, {"b": ', 1, "not JSON (Expecting value) after item 1"),
        (b'[{"a": 1} {"b": 2}]', 1, "expected ',' or ']' after an item after item 1"),
        (b'[{"a": 1}, {"b": "\xff"}]', 1, "not UTF-8 (invalid start byte) after item 1"),
        (b'[{"a": 1}, {"b": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]", 1,
         "an item is nested too deeply to parse after item 1"),
        (b"[]", 0, None),
        (b"  [\n]\n", 0, None),
    ],
)
def test_a_broken_json_array_gives_its_good_items_then_one_failure(tmp_path: Path, monkeypatch, content: bytes,
                                                                   good: int, reason: str | None) -> None:
    export = tmp_path / "broken.json"
    export.write_bytes(content)
    got = _array_items_of(export, monkeypatch, 8)
    assert [broken for _, _, broken in got[:good]] == [None] * good
    if reason is None:
        assert len(got) == good
    else:
        (item, raw, broken) = got[good]
        assert item is None and broken is not None and broken.startswith(reason.split(" after item")[0])
        assert broken.startswith(reason) and "the rest of the file is not read" in broken
        assert len(got) == good + 1


def _pretty(*items: Any) -> str:
    """Items pretty-printed one after another, as ``json.dump(item, indent=2)`` or ``jq`` writes them."""
    return "".join(json.dumps(item, ensure_ascii=False, indent=2) + "\n" for item in items)


ONE, TWO = tiktok_item(1), tiktok_item(2, text="Ayo nyoblos 🗳️ #pilkada")
LONG = tiktok_item(3, text="panjang " * 1000)  # a JSON line longer than any first look at the file


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # A single object, pretty-printed (saved from a tool's item view): one item, whatever the name.
        ("item.json", _pretty(ONE), [ONE]),
        ("item.jsonl", _pretty(ONE), [ONE]),
        ("item-crlf.ndjson", _pretty(ONE).replace("\n", "\r\n"), [ONE]),
        ("item-bom.json", "\ufeff" + _pretty(ONE), [ONE]),
        # Several pretty-printed objects one after another (``jq '.[]' export.json``).
        ("jq.json", _pretty(ONE, TWO), [ONE, TWO]),
        ("jq-spaced.json", "\n\n" + _pretty(ONE) + "\n" + _pretty(TWO), [ONE, TWO]),
        # An array in a file named for lines, and lines in a file named for an array.
        ("array.ndjson", json.dumps([ONE, TWO], indent=2), [ONE, TWO]),
        ("lines.json", json.dumps(ONE) + "\n" + json.dumps(TWO) + "\n", [ONE, TWO]),
        ("one-line.jsonl", json.dumps(ONE), [ONE]),
        ("long-lines.ndjson", json.dumps(LONG) + "\n" + json.dumps(TWO) + "\n", [LONG, TWO]),
        # JSON lines whose first line is broken are still lines: the rest is read.
        ("broken-first.ndjson", '{"id": "73", "tex\n' + json.dumps(TWO) + "\n", [None, TWO]),
    ],
)
def test_the_shape_of_an_export_is_read_from_its_content_not_its_name(tmp_path: Path, monkeypatch, name: str,
                                                                      content: str, expected: list[Any]) -> None:
    export = tmp_path / name
    export.write_bytes(content.encode())
    for read_size in (16, 1 << 20):
        got = _array_items_of(export, monkeypatch, read_size)
        assert [item for item, _, _ in got] == expected, read_size
        assert [broken is None for _, _, broken in got] == [item is not None for item in expected]
        assert [json.loads(raw) for item, raw, _ in got if item is not None] == [i for i in expected if i is not None]


def test_a_broken_pretty_printed_object_is_one_dead_letter_not_one_per_line(tmp_path: Path, monkeypatch) -> None:
    export = tmp_path / "cut.json"
    export.write_text(_pretty(ONE) + _pretty(TWO)[:-30], encoding="utf-8")  # the second one was cut off
    got = _array_items_of(export, monkeypatch, 64)
    assert [item for item, _, _ in got] == [ONE, None]
    assert got[1][2].startswith("not JSON (") and "after item 1" in got[1][2]
    assert got[1][1].lstrip().startswith(b'{\n  "id": "73')
    export.write_bytes(_pretty(ONE).encode() + b'{\n  "id": "\xff"\n}\n')
    got = _array_items_of(export, monkeypatch, 64)
    assert [item for item, _, _ in got] == [ONE, None] and got[1][2].startswith("not UTF-8 (invalid start byte)")


def test_a_pretty_printed_single_object_export_is_imported_as_one_post(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "one-video.jsonl"
    export.write_text(_pretty(ONE), encoding="utf-8")
    connector = run_import(settings, export)
    assert (connector.stats.produced, connector.stats.dead_lettered) == (1, 0)
    assert [p.post_id for p in raw_posts(settings, 1)] == [f"tiktok:73{1:017d}"]


def test_a_broken_array_is_dead_lettered_after_its_good_items(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "cut.json"
    export.write_bytes(json.dumps([tiktok_item(1), tiktok_item(2)]).encode()[:-40])  # the download was cut off
    connector = run_import(settings, export)
    assert (connector.stats.produced, connector.stats.dead_lettered) == (1, 1)
    (message,) = read_topic(settings, settings.kafka.topics.dead_letter, 1)
    letter = DeadLetter.model_validate_json(message.value)
    assert letter.reason.startswith("apify-tiktok: not JSON (") and "after item 1 of the array" in letter.reason
    assert letter.original().startswith(b'{"id": "73') and letter.source == "connector:apify"


def test_an_item_that_cannot_be_written_as_json_is_dead_lettered(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "surrogate.json"
    # A lone surrogate escape is valid JSON text but has no UTF-8 form: it passes validation
    # (it sits in a field Siaga keeps in raw but does not read) and fails only when the post is serialised.
    broken = json.dumps(tiktok_item(2, textLanguage="lagu")).replace('"lagu"', '"la\\ud800gu"')
    export.write_text(f"[{json.dumps(tiktok_item(1))}, {broken}, {json.dumps(tiktok_item(3))}]", encoding="utf-8")
    connector = run_import(settings, export)
    assert (connector.stats.produced, connector.stats.dead_lettered) == (2, 1)
    (message,) = read_topic(settings, settings.kafka.topics.dead_letter, 1)
    letter = DeadLetter.model_validate_json(message.value)
    assert letter.reason.startswith("apify-tiktok: cannot be written as JSON (UnicodeEncodeError")
    assert b'"la\\ud800gu"' in letter.original()


@pytest.mark.services
@pytest.mark.parametrize("name", sorted(p.name for p in (Path(__file__).parent / "data" / "imports").iterdir()))
def test_worker_processes_give_exactly_what_the_importing_process_would(name: str) -> None:
    from connectors.imports import _in_workers, _normalised

    path = Path(__file__).parent / "data" / "imports" / name
    fmt = name.split(".")[0]
    collected_at = datetime(2026, 12, 1, tzinfo=UTC)
    for skip, workers in ((0, 1), (0, 2), (2, 2), (1, 3)):
        here = list(_normalised(path, fmt, skip, collected_at))
        assert here, "every sample file has items past the second"
        assert list(_in_workers(path, fmt, skip, collected_at, workers)) == here


@pytest.mark.parametrize("content", [
    b"\n".join(json.dumps(tiktok_item(i)).encode() for i in range(7)) + b"\n\n\n",
    b"\n".join([json.dumps(tiktok_item(1)).encode(), b"", b"not json", json.dumps(tiktok_item(2)).encode(), b"[1]"]),
    json.dumps([tiktok_item(i) for i in range(7)], indent=1).encode(),
    json.dumps([tiktok_item(i) for i in range(5)]).encode()[:-30],  # cut: the failure is an item too
])
def test_shares_of_a_file_split_its_items_without_gap_or_overlap(tmp_path: Path, content: bytes) -> None:
    from connectors.imports import _items

    path = tmp_path / "export.json"
    path.write_bytes(content)
    every = list(_items(path, 1))
    for workers in (2, 3):
        shares = [list(_items(path, 1, (mine, workers))) for mine in range(workers)]
        assert sum(len(share) for share in shares) == len(every)
        assert [shares[number % workers][number // workers] for number in range(len(every))] == every


def test_a_large_import_runs_through_the_worker_and_resumes_after_a_stop(stack, tmp_path: Path, monkeypatch) -> None:
    from connectors import imports

    monkeypatch.setattr(imports, "PARALLEL_BYTES", 0)  # every file counts as large
    monkeypatch.setattr(imports, "WORKER_BATCH", 3)
    started: list[str] = []
    real_popen = imports.subprocess.Popen

    def popen(*args: Any, **kwargs: Any):
        started.append(args[0][-1])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(imports.subprocess, "Popen", popen)
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "big.ndjson"
    bad = tiktok_item(5)
    del bad["authorMeta"]
    export.write_text("".join(json.dumps(item) + "\n" for item in
                              [tiktok_item(i) for i in range(1, 5)] + [bad] + [tiktok_item(i) for i in range(6, 13)]),
                      encoding="utf-8")
    stop = threading.Event()

    class StopAfterSeven(ImportConnector):
        def _record(self, *args: Any, **kwargs: Any):
            record = super()._record(*args, **kwargs)
            if record.key == f"tiktok:73{7:017d}":
                stop.set()
            return record

    first = StopAfterSeven("apify", export, "apify-tiktok", ConnectorState(settings.connectors.state_dir / "apify.sqlite"))
    first.run(settings, stop)
    assert (first.stats.produced, first.stats.dead_lettered) == (6, 1) and not first.stats.finished
    second = run_import(settings, export)
    assert (second.stats.produced, second.stats.dead_lettered, second.stats.unchanged) == (5, 0, 0)
    assert len(started) == 2 * min(imports.WORKERS, os.cpu_count() or 1) and "_work()" in started[0], \
        "both runs normalised in worker processes"
    assert sorted(p.native_id for p in raw_posts(settings, 12)) == [f"73{i:017d}" for i in range(1, 13) if i != 5]


def test_siaga_run_lists_each_connectors_warnings(stack, tmp_path: Path) -> None:
    from pipelines.ops.runner import run

    export = tmp_path / "hidden.ndjson"
    export.write_text("".join(json.dumps(tiktok_item(i, likes=-1)) + "\n" for i in (1, 2, 3)), encoding="utf-8")
    settings = make_settings(stack, tmp_path, connectors={"state_dir": str(tmp_path / "connectors")},
                             sources=[{"type": "import", "name": "apify", "path": str(export), "format": "apify-tiktok"}])
    summary = run(settings, until_idle=True, stop=threading.Event())
    assert summary.connector_warnings == {
        "apify": (3, ["3 × apify-tiktok: diggCount is -1 (hidden by the platform), read as unknown"])}
    assert ("  connector apify warnings: 3\n    - 3 × apify-tiktok: diggCount is -1 (hidden by the platform), "
            "read as unknown") in summary.render(settings)


# -- a capture still being written, links and FIFOs in the folder, lines too long to hold -----------


def dead_letters(settings: Settings, expected: int) -> list[DeadLetter]:
    return [DeadLetter.model_validate_json(m.value)
            for m in read_topic(settings, settings.kafka.topics.dead_letter, expected, timeout_ms=1500)]


@contextmanager
def watching(settings: Settings, folder: Path) -> Iterator[ImportConnector]:
    """The import connector watching ``folder`` in a thread, stopped when the block ends."""
    source = ImportSource(name="apify", path=folder, format="apify-tiktok", watch=True, poll_interval_s=0.05)
    connector = ImportConnector.from_config(source, settings)
    stop = threading.Event()
    thread = threading.Thread(target=connector.run, args=(settings, stop))
    thread.start()
    try:
        yield connector
    finally:
        stop.set()
        thread.join(timeout=10)


def wait_for_posts(settings: Settings, count: int, timeout_s: float = 15) -> list[Post]:
    deadline = time.monotonic() + timeout_s
    while (posts := raw_posts(settings, count)) and len(posts) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return posts


def test_a_watched_capture_reads_its_last_line_only_once_the_writer_ends_it(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    folder = tmp_path / "zeeschuimer"
    folder.mkdir()
    capture = folder / "capture.ndjson"
    second = json.dumps(tiktok_item(2)).encode()
    capture.write_bytes(json.dumps(tiktok_item(1)).encode() + b"\n" + second[:70])  # the writer is mid-line
    with watching(settings, folder) as connector:
        assert [p.native_id for p in wait_for_posts(settings, 1)] == [f"73{1:017d}"]
        time.sleep(0.5)  # several polls see the half-written line
        with capture.open("ab") as writer:
            writer.write(second[70:] + b"\n")
        posts = wait_for_posts(settings, 2)
    assert sorted(p.native_id for p in posts) == [f"73{i:017d}" for i in (1, 2)]
    assert connector.stats.dead_lettered == 0 and dead_letters(settings, 1) == []


def test_a_one_shot_import_reads_the_last_line_a_watch_left_waiting(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    folder = tmp_path / "zeeschuimer"
    folder.mkdir()
    (folder / "capture.ndjson").write_bytes(json.dumps(tiktok_item(1)).encode() + b"\n"
                                            + json.dumps(tiktok_item(2)).encode())
    with watching(settings, folder) as connector:
        wait_for_posts(settings, 1)
        time.sleep(0.3)
    assert connector.stats.produced == 1, "the watch left the unterminated line"
    # The writer is gone for good: the operator imports the folder once, and the line is read.
    assert run_import(settings, folder).stats.produced == 1
    assert sorted(p.native_id for p in raw_posts(settings, 3)) == [f"73{i:017d}" for i in (1, 2)]


def test_a_one_shot_import_still_reads_a_last_line_without_newline(stack, tmp_path: Path) -> None:
    settings = import_settings(stack, tmp_path)
    export = tmp_path / "export.ndjson"
    export.write_bytes(json.dumps(tiktok_item(1)).encode() + b"\n" + json.dumps(tiktok_item(2)).encode())
    connector = run_import(settings, export)
    assert connector.stats.produced == 2 and connector.stats.finished


FAKE_SECRET = "SIAGA__KAFKA__SASL_PASSWORD=fake-secret-7Hq2"


@pytest.mark.parametrize("watch", [False, True])
def test_links_and_fifos_in_an_import_folder_are_skipped_and_nothing_of_them_is_sent(
    stack, tmp_path: Path, watch: bool,
) -> None:
    settings = import_settings(stack, tmp_path)
    secret = tmp_path / "environ"
    secret.write_text(f"PATH=/usr/bin\0{FAKE_SECRET}\0", encoding="utf-8")
    folder = tmp_path / "imports"
    folder.mkdir()
    (folder / "export.jsonl").symlink_to(secret)
    (folder / "b.ndjson").symlink_to(tmp_path / "missing.ndjson")  # a dangling link
    os.mkfifo(folder / "pipe.ndjson")
    (folder / "good.ndjson").write_text(json.dumps(tiktok_item(1)) + "\n", encoding="utf-8")
    if watch:
        with watching(settings, folder) as connector:
            wait_for_posts(settings, 1)
            time.sleep(0.3)
    else:
        connector = run_import(settings, folder)
    assert [p.native_id for p in raw_posts(settings, 2)] == [f"73{1:017d}"]
    assert dead_letters(settings, 1) == [] and connector.stats.dead_lettered == 0
    raw = b"".join(m.value for topic in (settings.kafka.topics.raw, settings.kafka.topics.dead_letter)
                   for m in read_topic(settings, topic, 5, timeout_ms=1000))
    assert b"fake-secret" not in raw
    assert connector.stats.warning_counts["an export that is a symbolic link was skipped"] >= 2
    assert connector.stats.warning_counts["an export that is not a regular file was skipped"] >= 1


def test_a_configured_import_path_that_is_a_link_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    from connectors.api import ConnectorFatal

    secret = tmp_path / "environ"
    secret.write_text(FAKE_SECRET, encoding="utf-8")
    link = tmp_path / "export.jsonl"
    link.symlink_to(secret)
    connector = ImportConnector("apify", link, "apify-tiktok", ConnectorState(tmp_path / "s.sqlite"))
    with pytest.raises(ConnectorFatal, match=r"export.jsonl is a symbolic link \(to .*environ\); .*configure the path"):
        list(connector.records(threading.Event()))
    missing = ImportConnector("apify", tmp_path / "nowhere", "apify-tiktok", ConnectorState(tmp_path / "m.sqlite"))
    with pytest.raises(ConnectorFatal, match="import path .*nowhere does not exist") as caught:
        missing.check()
    assert isinstance(caught.value, FileNotFoundError)


def test_a_line_over_the_limit_is_dead_lettered_with_its_size_and_hash(stack, tmp_path: Path) -> None:
    import hashlib

    settings = import_settings(stack, tmp_path)
    export = tmp_path / "export.ndjson"
    huge = json.dumps(tiktok_item(2, text="x" * (3 << 20))).encode()  # valid JSON, 3 MiB
    export.write_bytes(b"\n".join([json.dumps(tiktok_item(1)).encode(), huge, json.dumps(tiktok_item(3)).encode()]))
    connector = run_import(settings, export)
    assert (connector.stats.produced, connector.stats.dead_lettered) == (2, 1)
    assert sorted(p.native_id for p in raw_posts(settings, 3)) == [f"73{i:017d}" for i in (1, 3)]
    (letter,) = dead_letters(settings, 2)
    assert letter.reason == (f"apify-tiktok: a line of {len(huge):,} bytes is over the 1,048,576-byte limit "
                             f"(SHA-256 {hashlib.sha256(huge).hexdigest()}); it was not read")
    assert letter.original_size == len(huge) and letter.original_sha256 == hashlib.sha256(huge).hexdigest()
    assert letter.truncated and huge.startswith(letter.original()) and len(letter.original()) == 64 << 10


def test_a_long_line_is_never_held_in_memory_whole(tmp_path: Path) -> None:
    import tracemalloc

    from connectors.imports import _items

    export = tmp_path / "export.ndjson"
    with export.open("wb") as out:
        out.write(b'{"id": "1", "text": "')
        for _ in range(24):
            out.write(b"y" * (1 << 20))
        out.write(b'"}\n{"id": "2"}\n')
    tracemalloc.start()
    try:
        parts = [(item, len(raw), broken is not None, whole) for item, raw, broken, whole in _items(export)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(item, whole[0] if whole else None) for item, _, _, whole in parts] == [
        (None, export.stat().st_size - len(b'{"id": "2"}\n') - 1), ({"id": "2"}, None)]
    assert peak < 6 << 20, f"reading a 24 MiB line peaked at {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("max_line", [1024, 1500])
def test_lines_around_the_limit_and_shares_agree_on_what_an_item_is(tmp_path: Path, max_line: int) -> None:
    from connectors.imports import _items

    lines = [json.dumps({"n": 1, "pad": "a" * (1024 - 19)}).encode(),  # exactly 1024 bytes
             json.dumps({"n": 2, "pad": "b" * (1025 - 19)}).encode() + b"\r",  # 1025 bytes, then CRLF
             b"", json.dumps({"n": 3, "pad": "c" * 5000}).encode(), b"   ", b'{"n": 4}']
    assert len(lines[0]) == 1024 and len(lines[1]) == 1026
    path = tmp_path / "edge.ndjson"
    path.write_bytes(b"\n".join(lines))
    every = list(_items(path, max_line=max_line))
    assert [whole is not None for _, _, _, whole in every] == [False, max_line < 1025, True, False]
    assert [item["n"] for item, _, _, _ in every if item] == ([1, 4] if max_line == 1024 else [1, 2, 4])
    for skip in (0, 1, 2):
        for workers in (2, 3):
            shares = [list(_items(path, skip, (mine, workers), max_line=max_line)) for mine in range(workers)]
            assert sum(len(share) for share in shares) == len(every) - skip
            assert [shares[n % workers][n // workers] for n in range(len(every) - skip)] == every[skip:]
