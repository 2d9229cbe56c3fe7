"""Fact-checks through the running system: import, the pipeline's matching, back-matching, the alert.

Against the session's noida-db (Kafka and Elasticsearch) and an aiosmtpd server, with the demo's
fictional fact-checks (``connectors/samples/factchecks.ndjson``, ClaimReview).
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

from elasticsearch import Elasticsearch

from connectors.factchecks import to_factchecks
from pipelines.alerting.backtest import backtest
from pipelines.alerting.job import AlertingJob
from pipelines.cli import main
from pipelines.factchecks.store import FactCheckStore, LoadedFactChecks
from pipelines.ops.factchecks import import_factchecks
from pipelines.ops.runner import run
from pipelines.ops.services import ensure_ready
from pipelines.post.job import PostPipelineJob
from schemas.alert import Alert
from schemas.clock import FixedClock
from schemas.config import Settings
from schemas.post import TaggedPost
from tests.conftest import Stack, make_post, make_settings, read_topic, write_jsonl
from tests.test_alerting_job import drain as drain_alerting
from tests.test_pipeline_job import drain, es_docs, produce

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "connectors" / "samples" / "factchecks.ndjson"
BALLOTS = "fc-08870b15eaa1ec5c8997"
KTP = "fc-2144293daa8d23d8ccc9"
RULE = {"id": "hoaks-terbantah", "name": "Hoaks yang sudah dibantah", "type": "factcheck_match", "severity": "siaga"}
START = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
NOW = START + timedelta(days=2)

REPEAT = "info dr orang dlm: surat suara di gudang kpu sukamaju udh dicoblos buat 01 semua 😱😱 sebarin sebelum dihapus"
DEBUNK = ("HOAKS! beredar pesan surat suara di gudang KPU Sukamaju sudah dicoblos untuk paslon 01. Faktanya surat "
          "suara masih tersegel")
EVERYDAY = "Ayo ke TPS tanggal 27, jangan golput ya!"


def posts() -> list[dict]:
    return [make_post("1", text=REPEAT, start=START), make_post("2", minutes=5, text=DEBUNK, start=START),
            make_post("3", minutes=9, text=EVERYDAY, start=START),
            make_post("4", minutes=30, text="Surat suara di gudang KPU Sukamaju sdh dicoblos utk 01, viralkan!!",
                      platform="facebook", handle="akun_lain", start=START)]


def sample(clock: FixedClock):
    return to_factchecks(SAMPLE.read_bytes(), "claimreview", clock.now())


def tag_posts(settings: Settings) -> PostPipelineJob:
    """Produce ``posts()`` to the raw topic and run the pipeline over them; the finished job."""
    produce(settings, posts())
    job = PostPipelineJob(settings)
    try:
        assert drain(job) == 4
    finally:
        job.close()
    return job


def alert_docs(settings: Settings) -> list[Alert]:
    es = Elasticsearch(settings.elasticsearch_url())
    try:
        es.indices.refresh(index=settings.elasticsearch.alerts_index)
        hits = es.search(index=settings.elasticsearch.alerts_index, size=100, query={"match_all": {}})["hits"]["hits"]
    finally:
        es.close()
    return [Alert.model_validate(hit["_source"]) for hit in hits]


def stored_count(settings: Settings) -> int:
    es = Elasticsearch(settings.elasticsearch_url())
    try:
        es.indices.refresh(index=settings.elasticsearch.factchecks_index)
        return es.count(index=settings.elasticsearch.factchecks_index)["count"]
    finally:
        es.close()


def test_siaga_factchecks_import_stores_and_publishes_them_and_a_re_import_changes_nothing(
        settings: Settings, tmp_path: Path) -> None:
    config = str(next(tmp_path.glob("siaga-*.yaml")))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["factchecks", "import", str(SAMPLE), "--config", config, "--json"]) == 0
    published = read_topic(settings, settings.kafka.topics.factchecks, 10, timeout_ms=3000)
    # Kafka delivers at least once (a send retried under load may land twice): keys, not counts.
    assert {m.key.decode() for m in published} == {BALLOTS, KTP, "fc-17f97721c48f315f4f08"}
    with redirect_stdout(out):
        assert main(["factchecks", "import", str(SAMPLE), "--config", config, "--json"]) == 0
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert (len(first["stored"]), first["unchanged"], first["refused"]) == (3, 0, [])
    assert (second["stored"], second["unchanged"]) == ([], 3)
    assert stored_count(settings) == 3
    again = read_topic(settings, settings.kafka.topics.factchecks, 10, timeout_ms=3000)
    assert len(again) == len(published), "a re-import publishes nothing"

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["factchecks", "match", REPEAT, "--config", config, "--json"]) == 0
    shown = json.loads(out.getvalue())
    assert shown["raised"] == [BALLOTS] and shown["candidates"][0]["raised"] is True
    assert shown["candidates"][0]["url"] == "https://cekfakta.sukamaju.example/2026/11/surat-suara-gudang-kpu-sudah-dicoblos"


def test_the_pipeline_marks_a_post_repeating_a_stored_fact_check_and_not_its_debunk(settings: Settings) -> None:
    ensure_ready(settings)
    clock = FixedClock(NOW)
    import_factchecks(settings, sample(clock), clock=clock)
    job = tag_posts(settings)
    docs = {pid: TaggedPost.model_validate(doc) for pid, doc in es_docs(settings).items()}
    repeat = docs["tiktok:1"]
    assert [m.factcheck_id for m in repeat.factchecks] == [BALLOTS]
    assert repeat.factchecks[0].title == "[SALAH] Surat suara di gudang KPU Sukamaju sudah dicoblos untuk paslon 01"
    assert ("factcheck", "hoax", BALLOTS) in [(r.kind, r.label, r.ref) for r in repeat.risk.reasons]
    assert "hoax" in {label.label for label in repeat.risk.labels} and repeat.risk.level in ("siaga", "awas")
    assert docs["tiktok:2"].factchecks == [] and docs["tiktok:3"].factchecks == []
    assert job.totals["factcheck_matched"] == 2


def test_a_fact_check_imported_after_its_posts_marks_them_and_fires_its_rule_once(stack: Stack, tmp_path: Path) -> None:
    settings = make_settings(stack, tmp_path, rules=[RULE])
    ensure_ready(settings)
    tag_posts(settings)
    assert all(not doc["factchecks"] for doc in es_docs(settings).values()), "no fact-check known yet"
    alerting = AlertingJob(settings)
    try:
        drain_alerting(alerting)
        assert alert_docs(settings) == []

        clock = FixedClock(NOW)
        report = import_factchecks(settings, sample(clock), clock=clock)
        assert sorted(report.backmatch.marked) == ["facebook:4", "tiktok:1"]
        docs = es_docs(settings)
        assert [m["factcheck_id"] for m in docs["tiktok:1"]["factchecks"]] == [BALLOTS]
        assert docs["tiktok:2"]["factchecks"] == []
        drain_alerting(alerting)
        (alert,) = alert_docs(settings)
        assert (alert.rule_type, alert.group, alert.count, alert.post_ids) == ("factcheck_match", BALLOTS, 1,
                                                                               ["tiktok:1"])
        assert alert.factcheck is not None and str(alert.factcheck.url).endswith("surat-suara-gudang-kpu-sudah-dicoblos")

        again = import_factchecks(settings, sample(clock), clock=clock)
        assert (again.stored, again.backmatch.marked) == ([], [])
        rematched = import_factchecks(settings, sample(clock), clock=clock, rematch=True)
        assert sorted(rematched.backmatch.marked) == ["facebook:4", "tiktok:1"], "sent to alerting a second time"
        drain_alerting(alerting)
    finally:
        alerting.close()
    restarted = AlertingJob(settings)
    try:
        drain_alerting(restarted)
    finally:
        restarted.close()
    assert len(alert_docs(settings)) == 1, "no duplicate on re-import, re-match or restart"
    replay = backtest(settings, [settings.rules[0]], START - timedelta(hours=1), START + timedelta(days=1))
    assert [(a.rule_type, a.group, a.factcheck.factcheck_id if a.factcheck else None) for a in replay.alerts] == [
        ("factcheck_match", BALLOTS, BALLOTS)], "siaga alerts test-rule replays it like the other types"


def test_siaga_run_reads_a_fact_check_source_first_and_emails_the_debunk(
        stack: Stack, tmp_path: Path, smtp_server) -> None:
    sink, port = smtp_server
    stream = write_jsonl(tmp_path / "posts.jsonl", posts())
    settings = make_settings(
        stack, tmp_path, rules=[RULE],
        sources=[{"name": "posts", "type": "replay", "path": str(stream)},
                 {"name": "cekfakta", "type": "factchecks", "path": str(SAMPLE)}],
        connectors={"state_dir": str(tmp_path / "state")},
        email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none", "recipients": ["piket@polres.example"],
               "outbox_dir": str(tmp_path / "outbox")},
    )
    summary = run(settings, until_idle=True)
    assert summary.connectors == {"posts": 4, "cekfakta": 3}
    assert [a.rule_type for a in summary.alerts] == ["factcheck_match"]
    (message,) = sink.messages
    plain = message.get_body(preferencelist=("plain",)).get_content()
    assert "Klaim dibantah: [SALAH] Surat suara di gudang KPU Sukamaju sudah dicoblos untuk paslon 01" in plain
    assert "Bantahan    : https://cekfakta.sukamaju.example/2026/11/surat-suara-gudang-kpu-sudah-dicoblos" in plain
    assert "20 Nov 2026 09:00 WIB" in plain

    again = run(settings, until_idle=True)
    assert again.connectors == {"posts": 4, "cekfakta": 0} and again.alerts == [] and len(sink.messages) == 1


def test_the_pipelines_matcher_picks_up_an_import_after_refresh_and_is_not_rebuilt_for_nothing(
        settings: Settings) -> None:
    clock = FixedClock(NOW)
    es = Elasticsearch(settings.elasticsearch_url())
    try:
        store = FactCheckStore(es, settings.elasticsearch.factchecks_index)
        loaded = LoadedFactChecks(store, refresh_s=20, clock=clock)
        assert loaded.matcher() is None, "nothing stored yet (no index either)"
        factchecks = sample(clock).factchecks
        assert len(store.put(factchecks)) == 3
        assert loaded.matcher() is None, "not looked at again before refresh"
        clock.advance(20)
        first = loaded.matcher()
        assert first is not None and len(first.factchecks) == 3
        assert store.put(factchecks) == []
        clock.advance(20)
        assert loaded.matcher() is first, "an unchanged index is not rebuilt"
    finally:
        es.close()
