"""The alerting job against the real broker, Elasticsearch server and an SMTP server on loopback.

What officers rely on: an alert is sent once, even when alerting restarts and re-reads its
topic, and an alert whose email could not go out is neither lost nor committed past.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

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
    job = run_alerting(settings)
    assert len(sink.messages) == 1

    # Same burst continues after the restart, inside the 2h cooldown: still one incident.
    produce_tagged(settings, [tagged(f"c{i}", minutes=i) for i in range(3, 9)])
    job = run_alerting(settings)
    assert len(sink.messages) == 1
    # After the cooldown a new breach is a new incident.
    produce_tagged(settings, [tagged(f"d{i}", minutes=200 + i) for i in range(3)])
    job = run_alerting(settings)
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
