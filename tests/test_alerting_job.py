"""The alerting job against the real broker, Elasticsearch server and an SMTP server on loopback.

What officers rely on: an alert is sent once, even when alerting restarts and re-reads its
topic, and an alert whose email could not go out is neither lost nor committed past.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from pipelines.alerting.job import STATE_FILE, AlertingJob
from pipelines.ops.services import ensure_ready
from schemas.alert import Alert
from schemas.config import Settings
from schemas.post import Post, TaggedPost
from tests.conftest import SmtpSink, Stack, free_port, make_post, make_settings

RULE = {
    "id": "hoaks-pemilu",
    "name": "Gelombang hoaks KPU",
    "severity": "siaga",
    "filter": {"hashtags_any": ["kpusukamajucurang"]},
    "threshold": 3,
    "window": "30m",
    "cooldown": "2h",
}


def tagged(native_id: str, minutes: float, handle: str = "akun") -> TaggedPost:
    post = Post.model_validate(make_post(native_id, minutes=minutes, handle=handle, hashtags=["kpusukamajucurang"],
                                         text="Surat suara sudah dicoblos duluan!! #kpusukamajucurang"))
    return TaggedPost(**post.model_dump(), language="id", language_score=0.9,
                      tagged_at=datetime(2026, 11, 22, tzinfo=UTC), tagger_version="test")


def produce_tagged(settings: Settings, posts: list[TaggedPost]) -> None:
    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all")
    for post in posts:
        producer.send(settings.kafka.topics.tagged, key=post.post_id.encode(), value=post.model_dump_json().encode())
    producer.flush()
    producer.close()


def drain(job: AlertingJob, rounds: int = 20) -> None:
    for _ in range(rounds):
        job.step()
        if job.lag() == 0:
            return
    raise AssertionError(f"alerting did not catch up; lag {job.lag()}")


def run_alerting(settings: Settings) -> AlertingJob:
    """Start an alerting job (a fresh process would do the same), catch up, and stop it."""
    job = AlertingJob(settings)
    try:
        drain(job)
    finally:
        job.close()
    return job


def smtp_settings(stack: Stack, tmp_path: Path, port: int, **alerting: object) -> Settings:
    return make_settings(stack, tmp_path, rules=[RULE],
                         email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none", "timeout_s": 5},
                         **({"alerting": alerting} if alerting else {}))


def alert_docs(settings: Settings) -> list[Alert]:
    es = Elasticsearch(settings.elasticsearch_url())
    index = settings.elasticsearch.alerts_index
    es.indices.refresh(index=index)
    hits = es.search(index=index, query={"match_all": {}})["hits"]["hits"]
    es.close()
    return [Alert.model_validate(hit["_source"]) for hit in hits]


def test_a_restart_that_lost_its_state_and_offsets_does_not_resend(stack: Stack, tmp_path: Path, smtp_server) -> None:
    sink, port = smtp_server
    settings = smtp_settings(stack, tmp_path, port)
    ensure_ready(settings)
    produce_tagged(settings, [tagged(f"h{i}", minutes=i * 2, handle=f"a{i}") for i in range(5)])

    job = run_alerting(settings)
    assert len(sink.messages) == 1
    assert json.loads((settings.alerting.state_dir / STATE_FILE).read_text())["engine"]["incidents"]

    # The worst restart: state directory wiped and a new consumer group re-reading from the start.
    (settings.alerting.state_dir / STATE_FILE).unlink()
    fresh = settings.model_copy(update={"alerting": settings.alerting.model_copy(update={"group_id": "again"})})
    job = run_alerting(fresh)
    assert job.totals.fired == []
    assert job.totals.incidents_rebuilt == 1, "the open incident is taken over from the alerts index"
    assert len(sink.messages) == 1
    (alert,) = alert_docs(settings)
    assert alert.delivery == "sent" and alert.count == 3


def test_a_restart_remembers_the_cooldown(stack: Stack, tmp_path: Path, smtp_server) -> None:
    sink, port = smtp_server
    settings = smtp_settings(stack, tmp_path, port)
    ensure_ready(settings)
    produce_tagged(settings, [tagged(f"c{i}", minutes=i) for i in range(3)])
    run_alerting(settings)
    assert len(sink.messages) == 1

    # Same burst continues after the restart, inside the 2h cooldown: still one incident.
    produce_tagged(settings, [tagged(f"c{i}", minutes=i) for i in range(3, 9)])
    run_alerting(settings)
    assert len(sink.messages) == 1
    # After the cooldown a new breach is a new incident.
    produce_tagged(settings, [tagged(f"d{i}", minutes=200 + i) for i in range(3)])
    run_alerting(settings)
    # ... and the first one's resolution notice goes out before it, when the stream moves past it.
    first_id = sink.messages[0]["X-Siaga-Alert-Id"]
    assert [m["Subject"].split("]")[0] for m in sink.messages] == ["[SIAGA", "[SELESAI", "[SIAGA"]
    assert sink.messages[1]["In-Reply-To"] == f"<{first_id}@siaga.local>"
    docs = {a.alert_id: a for a in alert_docs(settings)}
    assert len(docs) == 2
    assert docs[first_id].state == "resolved" and docs[first_id].resolved_at is not None
    assert [a.state for i, a in docs.items() if i != first_id] == ["open"]


def test_alerts_wait_in_the_outbox_while_smtp_is_down_and_go_out_once_in_order(stack: Stack, tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet
    rule_b = {**RULE, "id": "hoaks-b", "filter": {"hashtags_any": ["pilkadaditunda"]}}
    settings = make_settings(stack, tmp_path, rules=[RULE, rule_b],
                             email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none", "timeout_s": 5})
    ensure_ready(settings)
    first = [tagged(f"s{i}", minutes=i) for i in range(3)]
    second = [TaggedPost(**{**p.model_dump(), "hashtags": ["pilkadaditunda"]})
              for p in (tagged(f"u{i}", minutes=10 + i) for i in range(3))]
    produce_tagged(settings, first + second)

    job = AlertingJob(settings)
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    try:
        drain(job)
        assert job.lag() == 0, "the rule engine goes on while SMTP is down: the batch is committed"
        assert sorted(a.delivery for a in alert_docs(settings)) == ["pending", "pending"]
        assert job.outbox.count() == 2
        fired = [a.alert_id for a in job.totals.fired]
        job.close()

        # a restart while SMTP is still down keeps the queue
        job = AlertingJob(settings)
        job.step()
        assert job.outbox.count() == 2 and sink.messages == []

        controller.start()
        job.step()
    finally:
        job.close()
        controller.stop()
    assert [m["X-Siaga-Alert-Id"] for m in sink.messages] == fired, "in the order they fired, each once"
    assert {a.delivery for a in alert_docs(settings)} == {"sent"}
    assert job.outbox.count() == 0


def test_a_record_that_is_not_a_tagged_post_is_dead_lettered(stack: Stack, tmp_path: Path) -> None:
    settings = make_settings(stack, tmp_path, rules=[RULE])
    ensure_ready(settings)
    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all")
    producer.send(settings.kafka.topics.tagged, value=b'{"not": "a post"}')
    producer.flush()
    producer.close()
    produce_tagged(settings, [tagged(f"t{i}", minutes=i) for i in range(3)])
    job = run_alerting(settings)
    assert job.totals.dead_lettered == 1
    assert len(job.totals.fired) == 1
    assert len(list(settings.email.outbox_dir.glob("*.eml"))) == 1


def test_siaga_alerts_run_is_a_service_that_alerts_once_and_stops_cleanly_on_sigterm(
        stack: Stack, tmp_path: Path, smtp_server) -> None:
    # `siaga alerts run` is what the Compose and Kubernetes deployments run beside the pipeline.
    import signal
    import subprocess
    import sys
    import time

    from tests.test_cli import config_of

    sink, port = smtp_server
    settings = smtp_settings(stack, tmp_path, port)
    ensure_ready(settings)  # `siaga setup`: the service checks the set-up, it does not make it
    config = config_of(settings, tmp_path / "siaga.yaml")
    process = subprocess.Popen(
        [sys.executable, "-c", "from pipelines.cli import main; raise SystemExit(main())",
         "--config", str(config), "alerts", "run"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        produce_tagged(settings, [tagged(f"s{i}", minutes=i * 2, handle=f"a{i}") for i in range(4)])
        deadline = time.monotonic() + 60
        while not sink.messages and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert len(sink.messages) == 1, process.stderr.read() if process.poll() is not None else "no email in 60 s"
        assert process.poll() is None, "a service keeps running while there is nothing to do"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "1 alert(s) fired" in out
    (alert,) = alert_docs(settings)
    assert alert.delivery == "sent"


@pytest.mark.services
def test_an_alert_the_broker_refuses_to_publish_fails_the_batch_until_the_broker_takes_it(tmp_path: Path) -> None:
    # flush() does not raise for a send the broker refused: only the send's future says so. A broker
    # of its own: the refusal leaves the process's shared producer failing every send.
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic

    from pipelines.common.clients import close_shared_clients
    from tests.conftest import read_topic

    own = Stack(tmp_path / "noida")
    own.start()
    try:
        topics = {"raw": "raw", "tagged": "tagged", "dead_letter": "dlq", "alerts": "alerts"}
        settings = make_settings(own, tmp_path, rules=[RULE], kafka={"topics": topics})
        admin = KafkaAdminClient(**settings.kafka_client_kwargs())
        # a topic that takes no message as big as an alert: the broker refuses each publish
        admin.create_topics([NewTopic("alerts", 1, 1, topic_configs={"max.message.bytes": "200"})])
        ensure_ready(settings)
        produce_tagged(settings, [tagged(f"m{i}", minutes=i) for i in range(3)])
        job = AlertingJob(settings)
        try:
            for _ in range(10):
                assert job.step() == 0
                if job.failures == 2:
                    break
            assert job.failures == 2 and job.lag() == 3, "nothing committed past the alert that was not published"
            assert not (settings.alerting.state_dir / STATE_FILE).exists()

            admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "alerts",
                                                configs={"max.message.bytes": "1000000"})])
            drain(job)
        finally:
            job.close()
            admin.close()
        (alert,) = alert_docs(settings)
        assert [m.key.decode() for m in read_topic(settings, "alerts", 1)] == [alert.alert_id]
        assert job.failures == 0
    finally:
        close_shared_clients()
        own.stop()


# --- state: bounded, saved on a timer, durable, private; lost or unreadable state is not fatal ------


def step_until_read(job: AlertingJob) -> int:
    """Step until the job has read a batch (the first poll may only join the group); return what it committed."""
    seen = job.totals.posts_seen
    for _ in range(20):
        committed = job.step()
        if job.totals.posts_seen > seen:
            return committed
    raise AssertionError("no batch read in 20 steps")


def test_a_busy_job_saves_its_state_and_commits_on_a_timer_not_after_every_batch(stack: Stack, tmp_path: Path) -> None:
    from schemas.clock import FixedClock

    clock = FixedClock(datetime(2026, 11, 22, 3, 0, tzinfo=UTC))
    settings = make_settings(stack, tmp_path, rules=[RULE], pipeline={"batch_max_records": 2})  # every 10 s
    ensure_ready(settings)
    produce_tagged(settings, [tagged(f"b{i}", minutes=i) for i in range(6)])
    state = settings.alerting.state_dir / STATE_FILE

    def saved_watermark() -> str:
        return json.loads(state.read_bytes())["engine"]["watermark"]

    job = AlertingJob(settings, clock)
    try:
        assert step_until_read(job) == 2, "the first batch is saved and committed at once"
        first = saved_watermark()
        assert step_until_read(job) == 0 and step_until_read(job) == 0, "the next batches wait for the timer"
        assert saved_watermark() == first and job.lag() == 4
        clock.advance(10)
        produce_tagged(settings, [tagged("b6", minutes=6)])
        assert step_until_read(job) == 5, "the timer is up: everything read so far is saved, then committed"
        assert saved_watermark() == "2026-11-21T12:06:00+00:00"
        assert job.step() == 0 and job.lag() == 0
    finally:
        job.close()


def test_the_totals_of_a_long_run_count_every_alert_but_keep_only_the_newest() -> None:
    from pipelines.alerting.job import AlertingTotals
    from tests.test_notify import make_alert

    totals = AlertingTotals()
    alerts = [make_alert(alert_id=f"r-{i:04d}") for i in range(1000)]
    for alert in alerts:
        totals.fired.append(alert)
    assert len(totals.fired) == 1000
    assert list(totals.fired) == alerts[-100:]


@pytest.mark.parametrize("damage", ["deleted", "empty", "torn", "not an engine"])
def test_a_lost_or_unreadable_state_keeps_the_ongoing_incident_and_its_id(
        stack: Stack, tmp_path: Path, smtp_server, damage: str) -> None:
    sink, port = smtp_server
    settings = smtp_settings(stack, tmp_path, port)
    ensure_ready(settings)
    produce_tagged(settings, [tagged(f"o{i}", minutes=i, handle=f"a{i}") for i in range(3)])
    run_alerting(settings)
    assert len(sink.messages) == 1
    opened = sink.messages[0]["X-Siaga-Alert-Id"]

    state = settings.alerting.state_dir / STATE_FILE
    if damage == "deleted":
        state.unlink()
    else:
        state.write_bytes({"empty": b"", "torn": state.read_bytes()[:200], "not an engine": b"[1, 2]"}[damage])
    # the offsets are kept; the burst goes on: six more posts within the same 30 minutes
    produce_tagged(settings, [tagged(f"o{i}", minutes=i, handle=f"a{i}") for i in range(3, 9)])
    job = run_alerting(settings)
    assert len(sink.messages) == 1, "no second alert under a new id for the same burst"
    assert job.totals.incidents_rebuilt == 1 and len(job.totals.fired) == 0
    aside = list(settings.alerting.state_dir.glob(f"{STATE_FILE}.unreadable-*"))
    assert len(aside) == (0 if damage == "deleted" else 1)

    produce_tagged(settings, [tagged("o-sepi", minutes=90)])  # the burst has died down
    run_alerting(settings)
    assert [m["Subject"].split("]")[0] for m in sink.messages] == ["[SIAGA", "[SELESAI"]
    assert sink.messages[1]["In-Reply-To"] == f"<{opened}@siaga.local>"
    (alert,) = alert_docs(settings)
    assert alert.alert_id == opened and alert.state == "resolved"


def test_a_resolution_whose_write_was_cut_short_still_sends_its_notice(stack: Stack, tmp_path: Path, smtp_server) -> None:
    from tests.doubles.gate import ElasticsearchGate

    sink, port = smtp_server
    with ElasticsearchGate(stack.es_url) as gate:
        settings = make_settings(stack, tmp_path, rules=[RULE],
                                 elasticsearch={"url": gate.url, "request_timeout_s": 2},
                                 email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
                                        "timeout_s": 5})
        ensure_ready(settings)
        produce_tagged(settings, [tagged(f"r{i}", minutes=i) for i in range(3)])
        run_alerting(settings)
        produce_tagged(settings, [tagged("r-sepi", minutes=90)])
        # Elasticsearch applies the update that marks the alert resolved, but its answer is lost, as
        # if the job had crashed right after the write.
        gate.fail("lose_answer", "POST", r"/_update/")
        job = AlertingJob(settings)
        try:
            step_until_read(job)
            assert job.failures == 1
            gate.open()
            drain(job)
            (alert,) = alert_docs(settings)
        finally:
            job.close()
    assert alert.state == "resolved"
    assert [m["Subject"].split("]")[0] for m in sink.messages] == ["[SIAGA", "[SELESAI"]


def test_an_empty_silences_file_is_moved_aside_and_alerts_go_out(stack: Stack, tmp_path: Path, smtp_server) -> None:
    from pipelines.alerting.silences import FILE

    sink, port = smtp_server
    settings = smtp_settings(stack, tmp_path, port)
    ensure_ready(settings)
    settings.alerting.state_dir.mkdir(parents=True)
    (settings.alerting.state_dir / FILE).write_bytes(b"")
    produce_tagged(settings, [tagged(f"s{i}", minutes=i) for i in range(3)])
    run_alerting(settings)
    assert len(sink.messages) == 1
    assert len(list(settings.alerting.state_dir.glob(f"{FILE}.unreadable-*"))) == 1


def test_state_queue_silences_and_emails_are_private(stack: Stack, tmp_path: Path) -> None:
    import stat

    from pipelines.alerting.silences import SilenceStore

    settings = make_settings(stack, tmp_path, rules=[RULE, {**RULE, "id": "lain", "filter": {"hashtags_any": ["x"]}}],
                             email={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "security": "none",
                                    "timeout_s": 2})
    ensure_ready(settings)
    SilenceStore(settings.alerting.state_dir).add("lain", None, timedelta(hours=1), "uji", "tester",
                                                  datetime(2026, 11, 22, tzinfo=UTC))
    produce_tagged(settings, [tagged(f"p{i}", minutes=i) for i in range(3)])
    run_alerting(settings)  # SMTP is down: the email waits in the queue
    from pipelines.delivery.emails import deliver, render
    from schemas.config import EmailSettings

    eml = EmailSettings(outbox_dir=tmp_path / "eml")

    deliver(render(alert_docs(settings)[0], eml), eml)
    state_dir = settings.alerting.state_dir
    files = [state_dir / STATE_FILE, state_dir / "silences.json", *(state_dir / "queue" / "email").glob("*.json"),
             *eml.outbox_dir.glob("*.eml")]
    folders = [state_dir, state_dir / "queue", state_dir / "queue" / "email", eml.outbox_dir]
    assert len(files) == 4
    assert {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {str(p): "0o600" for p in files}
    assert {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in folders} == {str(p): "0o700" for p in folders}


# --- dead letters: everything that cannot be done is dead-lettered, once -------------------------


def dead_letters(settings: Settings, at_most: int = 5) -> list:
    from schemas.deadletter import DeadLetter
    from tests.conftest import read_topic

    return [DeadLetter.model_validate_json(m.value)
            for m in read_topic(settings, settings.kafka.topics.dead_letter, at_most, timeout_ms=3000)]


def test_a_resolution_for_an_alert_that_is_gone_is_dead_lettered(stack: Stack, tmp_path: Path) -> None:
    settings = make_settings(stack, tmp_path, rules=[RULE])
    ensure_ready(settings)
    produce_tagged(settings, [tagged(f"g{i}", minutes=i) for i in range(3)])
    (alert,) = run_alerting(settings).totals.fired
    es = Elasticsearch(settings.elasticsearch_url())
    es.delete(index=settings.elasticsearch.alerts_index, id=alert.alert_id, refresh=True)
    es.close()
    produce_tagged(settings, [tagged("g-sepi", minutes=90)])
    job = run_alerting(settings)
    (letter,) = dead_letters(settings)
    assert letter.stage == "alert" and letter.key == alert.alert_id
    assert "its alert is not in" in letter.reason
    assert job.totals.resolutions_without_alert == 1 and job.totals.dead_lettered == 1


def test_a_cluster_label_given_up_is_dead_lettered_once(stack: Stack, tmp_path: Path) -> None:
    from pipelines.alerting.job import LABEL_ATTEMPTS
    from tests.test_alert_delivery import COORDINATED, copy_paste

    settings = make_settings(stack, tmp_path, rules=[COORDINATED], pipeline={"batch_max_wait_ms": 20})
    ensure_ready(settings)
    posts = [copy_paste(f"lg{i}", i, i) for i in range(4)]  # never indexed: the labels cannot be applied
    produce_tagged(settings, posts)
    job = AlertingJob(settings)
    try:
        step_until_read(job)
        for _ in range(LABEL_ATTEMPTS + 5):
            job.step()
    finally:
        job.close()
    (letter,) = dead_letters(settings)
    assert letter.stage == "alert" and "label is given up" in letter.reason
    assert sorted(json.loads(letter.original())["post_ids"]) == sorted(p.post_id for p in posts)
    assert job.totals.labels_given_up == 4 and job.labels == {}


def test_dead_letters_of_a_batch_read_again_are_produced_once(stack: Stack, tmp_path: Path) -> None:
    from tests.doubles.gate import ElasticsearchGate

    with ElasticsearchGate(stack.es_url) as gate:
        settings = make_settings(stack, tmp_path, rules=[RULE], kafka={"partitions": 1},
                                 elasticsearch={"url": gate.url, "request_timeout_s": 2})
        ensure_ready(settings)
        run_alerting(settings)
        producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all")
        producer.send(settings.kafka.topics.tagged, value=b'{"not": "a post"}')
        producer.flush()
        producer.close()
        produce_tagged(settings, [tagged(f"d{i}", minutes=i) for i in range(3)])
        gate.fail("drop", "PUT", r"op_type=create")  # the alert cannot be indexed: the batch fails after its dead letter
        job = AlertingJob(settings)
        try:
            step_until_read(job)
            assert job.failures == 1 and job.lag() == 4
        finally:
            job.close()
        gate.open()
        job = run_alerting(settings)  # a new process reads the batch again
    assert len(job.totals.fired) == 1
    (letter,) = dead_letters(settings)
    assert letter.reason.startswith("not a tagged post")


ELECTION = {"candidates": [
    {"id": "paslon-01", "ballot_number": 1, "name": "Dadan Hermawan", "running_mate": "Euis Kurniasih"},
    {"id": "paslon-02", "ballot_number": 2, "name": "Asep Wiranegara", "running_mate": "Rudi Santika",
     "label": "Asep–Rudi"}]}
ATTACKS_ON_2 = {
    "id": "serangan-paslon-02", "name": "Serangan terhadap paslon 02", "severity": "siaga",
    "filter": {"risk_labels_any": ["black_campaign"], "entities_any": ["candidate:paslon-02"]},
    "group_by": "entity", "threshold": 3, "window": "30m", "cooldown": "2h",
}


def attack(native_id: str, minutes: float, candidate: str, surface: str, handle: str) -> TaggedPost:
    """A tagged post whose black campaign names ``candidate``, as the tagger composes it."""
    post = Post.model_validate(make_post(native_id, minutes=minutes, handle=handle, text=f"{surface} muka maling",
                                         engagement={"likes": 40, "comments": 2, "shares": None, "views": 900}))
    return TaggedPost.model_validate({
        **post.model_dump(), "language": "id", "language_score": 0.9,
        "tagged_at": datetime(2026, 11, 22, tzinfo=UTC), "tagger_version": "test",
        "entities": [{"type": "candidate", "id": candidate, "surface": surface}],
        "risk": {"level": "siaga", "score": 0.8,
                 "labels": [{"label": "black_campaign", "score": 0.8}, {"label": "abusive", "score": 0.8}],
                 "reasons": [
                     {"kind": "watchlist", "label": "black_campaign", "ref": "muka maling",
                      "detail": "daftar pantauan hinaan: \u201cmuka maling\u201d"},
                     {"kind": "entity", "label": "black_campaign", "ref": candidate,
                      "detail": f"menyasar kandidat {candidate} (\u201c{surface}\u201d)"}]}})


def test_a_spike_of_attacks_on_candidate_2_alerts_once_with_why_and_reach(stack: Stack, tmp_path: Path,
                                                                          smtp_server) -> None:
    sink, port = smtp_server
    settings = make_settings(stack, tmp_path, rules=[ATTACKS_ON_2], election=ELECTION,
                             email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none", "timeout_s": 5})
    ensure_ready(settings)
    others = [attack(f"o{i}", i, "candidate:paslon-01", "Pak Dadan", f"x{i}") for i in range(4)]
    on_2 = [attack(f"a{i}", 5 + i, "candidate:paslon-02", "Kang Asep", f"y{i}") for i in range(4)]
    produce_tagged(settings, others + on_2)

    job = run_alerting(settings)

    (alert,) = job.totals.fired
    assert (alert.rule_id, alert.group_by, alert.group, alert.count) == (
        "serangan-paslon-02", "entity", "candidate:paslon-02", 3)
    assert {post.post_id for post in alert.posts} == {"tiktok:a0", "tiktok:a1", "tiktok:a2"}
    (stored,) = alert_docs(settings)
    assert stored.posts[0].entities[0].surface == "Kang Asep"
    assert [r.ref for r in stored.posts[0].reasons] == ["muka maling", "candidate:paslon-02"]
    assert stored.posts[0].engagement is not None and stored.posts[0].engagement.shares is None
    (message,) = sink.messages
    assert " ".join(message["Subject"].split()) == ("[SIAGA] Serangan terhadap paslon 02: 3 unggahan dalam 30 menit "
                                                    "— sasaran paslon 02 Asep–Rudi (candidate:paslon-02)")
    plain = message.get_body(("plain",)).get_content()
    assert "Kelompok    : sasaran paslon 02 Asep–Rudi (candidate:paslon-02)" in plain
    assert ("Mengapa: SIAGA · Kampanye hitam: daftar pantauan hinaan: \u201cmuka maling\u201d; "
            "menyasar kandidat candidate:paslon-02 (\u201cKang Asep\u201d)") in plain
    assert "Jangkauan: ditonton 900 · suka 40 · dibagikan tidak diketahui · komentar 2" in plain
