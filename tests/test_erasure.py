"""`siaga erase` against the real local Kafka and Elasticsearch: every store, the suppression list, the record.

An Apify TikTok export goes through ``siaga run`` (import connector with its SQLite state,
pipeline, alerting with an outbox that writes ``.eml`` files); then a post, or an author, is
erased from the command line, and a second run over the same export shows the connector
dropping it before producing, the pipeline and alerting dropping what is still on a topic.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from pipelines.cli import main
from pipelines.common.erasures import ErasureStore, shared_suppressions, suppression_list
from pipelines.common.records import KafkaRecord
from pipelines.ops.erasure import ERASED_GROUP
from pipelines.ops.services import ensure_ready
from pipelines.post.job import run_batch
from schemas.alert import Alert
from schemas.clock import FixedClock
from schemas.config import Settings
from schemas.erasure import Erasure, SuppressionList, author_refs, keyed_hash
from tests.conftest import Stack, make_post, make_settings, read_topic

TEXT = "Pilkada Sukamaju: ayo kawal TPS bareng, jangan mau dibeli suaranya #pilkada #kawaltps nomor {n}"
BASE = 1795179600  # 2026-11-20T13:00:00Z


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` reads ``os.environ``; only what a test sets itself may reach it."""
    for name in list(os.environ):
        if name.startswith("SIAGA__") or name == "SIAGA_CONFIG":
            monkeypatch.delenv(name)


def item(number: int, handle: str, author_id: str, likes: int = 10) -> dict[str, Any]:
    """One item of an Apify TikTok dataset, with what the allow-list drops too (a bio, an avatar)."""
    native = f"75{number:017d}"
    return {
        "id": native,
        "text": TEXT.format(n=number),
        "createTime": BASE + number * 60,
        "authorMeta": {"id": author_id, "name": handle, "nickName": f"Warga {number}",
                       "signature": "bio pribadi", "avatar": "https://p16.example/avatar.jpg?x-signature=abc"},
        "diggCount": likes, "shareCount": 1, "playCount": 300, "commentCount": 2,
        "webVideoUrl": f"https://www.tiktok.com/@{handle}/video/{native}",
    }


def post_id(number: int) -> str:
    return f"tiktok:75{number:017d}"


def settings_for(stack: Stack, tmp_path: Path, export: Path, **extra: Any) -> tuple[Settings, str]:
    settings = make_settings(
        stack, tmp_path,
        sources=[{"name": "apify", "type": "import", "path": str(export), "format": "apify-tiktok"}],
        rules=[{"id": "kawal", "name": "Kawal TPS", "threshold": 3, "window": "1h", "cooldown": "1h",
                "filter": {"hashtags_any": ["kawaltps"]}},
               {"id": "akun", "name": "Akun aktif", "threshold": 2, "window": "1h", "cooldown": "1h",
                "group_by": "author", "filter": {"hashtags_any": ["kawaltps"]}}],
        connectors={"state_dir": str(tmp_path / "connectors")},
        erasure={"refresh": "1s"},
        # The posts are from November 2026; run on another day (make test-calendar), a retention
        # pass at the start of the second run would delete their month.
        retention={"interval": None},
        **extra,
    )
    return settings, str(next(tmp_path.glob("siaga-*.yaml")))


def write_export(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def es_of(settings: Settings) -> Elasticsearch:
    return Elasticsearch(settings.elasticsearch_url())


def post_ids_in_index(settings: Settings) -> set[str]:
    es = es_of(settings)
    try:
        es.indices.refresh(index=settings.elasticsearch.posts_index)
        hits = es.search(index=settings.elasticsearch.posts_index, size=100, query={"match_all": {}})["hits"]["hits"]
    finally:
        es.close()
    return {hit["_id"] for hit in hits}


def alerts_in_index(settings: Settings) -> list[Alert]:
    es = es_of(settings)
    try:
        es.indices.refresh(index=settings.elasticsearch.alerts_index)
        hits = es.search(index=settings.elasticsearch.alerts_index, size=100, query={"match_all": {}})["hits"]["hits"]
    finally:
        es.close()
    return sorted((Alert.model_validate(hit["_source"]) for hit in hits), key=lambda alert: alert.rule_id)


def sent_in_state(settings: Settings) -> set[str]:
    db = sqlite3.connect(settings.connectors.state_dir / "apify.sqlite")
    try:
        return {row[0] for row in db.execute("SELECT post_id FROM sent")}
    finally:
        db.close()


def entries(settings: Settings) -> list[Erasure]:
    es = es_of(settings)
    try:
        return ErasureStore(es, settings.elasticsearch.erasures_index).records()
    finally:
        es.close()


def test_an_erased_post_leaves_every_store_and_a_refetch_is_suppressed_before_producing(
        stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    export = write_export(tmp_path / "export.json",
                          [item(1, "dedi.cbh", "901"), item(2, "sari.cbh", "902"), item(3, "ujang.cbh", "903")])
    settings, config = settings_for(stack, tmp_path, export)
    assert main(["run", "--config", config, "--until-idle", "--json"]) == 0
    capsys.readouterr()
    assert post_ids_in_index(settings) == {post_id(1), post_id(2), post_id(3)}
    (alert,) = [a for a in alerts_in_index(settings) if a.rule_id == "kawal"]
    assert post_id(1) in alert.post_ids and len(alert.posts) == 3
    (eml,) = settings.email.outbox_dir.glob(f"{alert.alert_id}.eml")
    assert sent_in_state(settings) == {post_id(1), post_id(2), post_id(3)}
    assert post_id(1) in (settings.alerting.state_dir / "engine-state.json").read_text(encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="pipelines.ops.erasure"):
        assert main(["erase", "--post", post_id(1), "--reason", "permintaan PDP-2026-014", "--by", "petugas.dpo",
                     "--config", config, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["posts_deleted"], report["alerts_changed"], report["evidence_removed"]) == (1, 1, 1)
    assert report["connector_records"] == 1 and report["outbox"]["eml"] == 1
    assert report["second_sweep"] == {"posts": 0, "alerts": 0}
    assert "not_removable" in report and "7 days" in report["not_removable"]

    # Elasticsearch: the post is gone; the alert keeps its figures but not the post.
    assert post_ids_in_index(settings) == {post_id(2), post_id(3)}
    (cleaned,) = [a for a in alerts_in_index(settings) if a.rule_id == "kawal"]
    assert cleaned.count == 3 and cleaned.erased == 1
    assert [p.post_id for p in cleaned.posts] == [post_id(3), post_id(2)]
    assert post_id(1) not in cleaned.post_ids
    # This machine's files: the connector's sent digest and the email that quoted the post.
    assert not eml.exists()
    assert sent_in_state(settings) == {post_id(2), post_id(3)}
    # The record: who, when, why, and nothing of the post.
    (entry,) = entries(settings)
    assert (entry.kind, entry.key, entry.erased_by, entry.reason) == ("post", post_id(1), "petugas.dpo",
                                                                       "permintaan PDP-2026-014")
    line = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("erasure of"))
    assert post_id(1) in line and "petugas.dpo" in line and "PDP-2026-014" in line
    assert "kawal TPS" not in line and "dedi.cbh" not in line

    # The same export again, the erased post with new counts (a real re-fetch): dropped before
    # producing, never dead-lettered, and the other posts go on as before.
    write_export(export, [item(1, "dedi.cbh", "901", likes=99), item(2, "sari.cbh", "902", likes=50),
                          item(3, "ujang.cbh", "903")])
    assert main(["run", "--config", config, "--until-idle", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["suppressed"]["connectors"] == 1 and summary["connectors"] == {"apify": 1}
    assert post_ids_in_index(settings) == {post_id(2), post_id(3)}
    raw_keys = [m.key for m in read_topic(settings, settings.kafka.topics.raw, 10, timeout_ms=2500)]
    assert raw_keys.count(post_id(1).encode()) == 1, "only the copy from before the erasure"
    assert read_topic(settings, settings.kafka.topics.dead_letter, 1, timeout_ms=1500) == []
    # The alerting job forgot the post in its own state when it read the list.
    assert post_id(1) not in (settings.alerting.state_dir / "engine-state.json").read_text(encoding="utf-8")


def test_an_erased_author_goes_by_handle_in_any_case_and_by_account_id(
        stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export(tmp_path / "export.json",
                          [item(1, "dedi.cbh", "901"), item(2, "dedi.cbh", "901"), item(3, "sari.cbh", "902"),
                           item(4, "ujang.cbh", "903")])
    settings, config = settings_for(stack, tmp_path, export)
    assert main(["run", "--config", config, "--until-idle"]) == 0
    capsys.readouterr()
    assert [a.group for a in alerts_in_index(settings) if a.rule_id == "akun"] == ["tiktok:dedi.cbh"]

    assert main(["erase", "--author", "tiktok:@DEDI.cbh", "--reason", "PDP-2026-015", "--config", config,
                 "--no-recheck"]) == 0
    out = capsys.readouterr().out
    assert "deleted 2 post(s)" in out and "dedi" not in out.casefold()
    assert post_ids_in_index(settings) == {post_id(3), post_id(4)}
    by_rule = {a.rule_id: a for a in alerts_in_index(settings)}
    assert by_rule["akun"].group == ERASED_GROUP and by_rule["akun"].posts == [] and by_rule["akun"].erased == 2
    assert [p.author_handle for p in by_rule["kawal"].posts] == ["sari.cbh"] and by_rule["kawal"].erased == 2
    # The list names no one: keyed hashes of the handle and of the account id, and the post ids.
    listed = entries(settings)
    assert {e.kind for e in listed} == {"post", "author"}
    assert all("dedi" not in e.model_dump_json().casefold() for e in listed)
    key = b"siaga-erasure-default-key"
    assert {e.key for e in listed if e.kind == "author"} == {keyed_hash(ref, key) for ref in (
        *author_refs("tiktok", "dedi.cbh"), *author_refs("tiktok", None, "901"))}

    # Renamed since (same account id, new handle), with a new post: still dropped by the connector.
    write_export(export, [item(5, "dedi.baru", "901"), item(6, "sari.cbh", "902")])
    assert main(["run", "--config", config, "--until-idle", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["suppressed"]["connectors"] == 1
    assert post_id(5) not in post_ids_in_index(settings) and post_id(6) in post_ids_in_index(settings)


def test_the_pipeline_drops_an_erased_post_already_on_the_raw_topic(settings: Settings) -> None:
    ensure_ready(settings)
    es = es_of(settings)
    at = datetime(2026, 11, 25, tzinfo=UTC)
    ErasureStore(es, settings.elasticsearch.erasures_index).add([
        Erasure(kind="post", key="tiktok:e1", platform="tiktok", erased_at=at, erased_by="t", reason="r"),
        Erasure(kind="author", key=keyed_hash("tiktok:handle:erased.author", b"siaga-erasure-default-key"),
                platform="tiktok", erased_at=at, erased_by="t", reason="r")])
    es.close()
    records = [KafkaRecord("raw", 0, offset, None, json.dumps(post).encode()) for offset, post in enumerate(
        [make_post("e1"), make_post("e2", handle="Erased.Author"), make_post("k1")])]
    counters = run_batch(records, settings)
    assert (counters["suppressed"], counters["indexed"]) == (2, 1)
    assert sum(n for name, n in counters.items() if name.startswith("dead_letter.")) == 0
    assert post_ids_in_index(settings) == {"tiktok:k1"}


def test_a_connector_in_another_process_sees_an_erasure_within_the_refresh(settings: Settings) -> None:
    ensure_ready(settings)
    es = es_of(settings)
    clock = FixedClock(datetime(2026, 11, 25, tzinfo=UTC))
    elsewhere = suppression_list(settings.model_copy(update={"erasure": settings.erasure.model_copy(
        update={"refresh": timedelta(seconds=30)})}), es)
    elsewhere.clock = clock
    assert not elsewhere.blocks("tiktok:late")  # reads the (empty) list
    assert main(["erase", "--post", "tiktok:late", "--reason", "PDP-1", "--no-recheck", "--config",
                 str(next(Path(settings.alerting.state_dir).parent.glob("siaga-*.yaml")))]) == 0
    clock.advance(29)
    assert not elsewhere.blocks("tiktok:late"), "its cached list is still valid"
    clock.advance(1)
    assert elsewhere.blocks("tiktok:late"), "read again once the refresh interval has passed"
    es.close()


def test_a_list_that_cannot_be_read_keeps_the_last_one_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    state = {"fail": False}

    def load() -> list[tuple[str, str]]:
        if state["fail"]:
            raise ConnectionError("Elasticsearch is not reachable")
        return [("post", "tiktok:1")]

    clock = FixedClock(datetime(2026, 11, 25, tzinfo=UTC))
    listed = SuppressionList(load, refresh=timedelta(seconds=60), clock=clock)
    assert listed.blocks("tiktok:1")
    state["fail"] = True
    clock.advance(61)
    with caplog.at_level(logging.WARNING, logger="schemas.erasure"):
        assert listed.blocks("tiktok:1")
    assert listed.failures == 1 and "could not be read" in caplog.text


def test_a_dry_run_changes_nothing(stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = write_export(tmp_path / "export.json", [item(1, "dedi.cbh", "901"), item(2, "sari.cbh", "902")])
    settings, config = settings_for(stack, tmp_path, export)
    assert main(["run", "--config", config, "--until-idle"]) == 0
    capsys.readouterr()
    assert main(["erase", "--post", post_id(1), "--reason", "PDP-3", "--dry-run", "--config", config]) == 0
    out = capsys.readouterr().out
    assert "DRY RUN" in out and "would delete 1 post(s)" in out
    assert post_ids_in_index(settings) == {post_id(1), post_id(2)}
    assert sent_in_state(settings) == {post_id(1), post_id(2)}
    assert entries(settings) == []


@pytest.mark.parametrize(("argv", "message"), [
    (["--post", "7310000000000000001"], "give the post id as PLATFORM:ID"),
    (["--post", "myspace:1"], "give the post id as PLATFORM:ID"),
    (["--author", "tiktok:"], "give the account as PLATFORM:HANDLE"),
])
def test_a_wrong_target_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               argv: list[str], message: str) -> None:
    make_settings(None, tmp_path)
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    assert main(["erase", *argv, "--reason", "x", "--config", config]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_without_elasticsearch_erase_fails_with_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.ops.stack import free_port

    config = tmp_path / "down.json"
    config.write_text(json.dumps({"elasticsearch": {"url": f"http://127.0.0.1:{free_port()}"}}))
    assert main(["erase", "--post", "tiktok:1", "--reason", "x", "--config", str(config)]) == 3
    assert capsys.readouterr().err.startswith("siaga: error: elasticsearch")


def test_shared_lists_are_one_per_configuration(settings: Settings) -> None:
    assert shared_suppressions(settings) is shared_suppressions(settings)


# --- the alerting state forgets erased posts -------------------------------------------------------


def test_the_rule_engine_forgets_erased_posts_in_windows_evidence_and_clusters() -> None:
    from pipelines.alerting.engine import RuleEngine
    from tests.test_rule_types import campaign, make_rule
    from tests.test_rules import post

    engine = RuleEngine([make_rule(type="coordinated", min_posts=3, min_accounts=3, window="1h"),
                         make_rule(id="per-author", type="threshold", threshold=5, window="1h", group_by="author"),
                         make_rule(id="critical", type="critical_post")])
    posts = campaign("c")  # six near-identical posts, the first opens the cluster
    awas = post("x1", 3, handle="pengancam", tags={"risk": {"level": "awas", "score": 0.95, "labels": []}})
    for item in [*posts, awas]:
        engine.observe_all(item)
    snapshot = json.dumps(engine.snapshot())
    assert "tiktok:c0" in snapshot and "tiktok:x1" in snapshot and "tiktok:pengancam" in snapshot

    def erased_author(platform: str, handle: str | None, author_id: str | None) -> bool:
        return platform == "tiktok" and (handle or "").casefold() == "pengancam"

    removed = engine.forget({"tiktok:c0"}, erased_author)
    assert removed == {"tiktok:c0", "tiktok:x1"}
    snapshot = json.dumps(engine.snapshot())
    assert "tiktok:c0" not in snapshot and "tiktok:x1" not in snapshot
    assert "tiktok:pengancam" not in snapshot, "the group named after the erased author is gone"
    assert len(engine.neardup.assigned) == 5 and "tiktok:c2" in snapshot


def test_a_cluster_only_the_erased_post_opened_is_dropped() -> None:
    from pipelines.alerting.neardup import NearDuplicateIndex, cluster_id_for

    index = NearDuplicateIndex(0.6, 40, timedelta(hours=6))
    at = datetime(2026, 11, 25, tzinfo=UTC)
    index.assign("tiktok:lone", "Surat suara di TPS 7 sudah dicoblos sebelum hari H, viralkan sekarang juga!", at)
    assert cluster_id_for("tiktok:lone") in index.clusters
    assert index.forget({"tiktok:lone"}) == 1
    assert index.clusters == {} and index.buckets == {} and index.assigned == {}


def test_a_facebook_graph_id_names_the_post_as_siaga_keys_it() -> None:
    from pipelines.ops.erasure import Target

    assert Target.post("facebook:100064000001_1234567890123456").post_id == "facebook:1234567890123456"
    assert Target.post("tiktok:7310000000000000001").post_id == "tiktok:7310000000000000001"
    assert Target.author("instagram:@Warga.Sukamaju").handle == "Warga.Sukamaju"
