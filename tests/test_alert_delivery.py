"""Alert features against the real broker, Elasticsearch server, SMTP server and an HTTP receiver.

Silences, the alerts topic, cluster labels on posts, the webhook, digests and backtesting,
each through the alerting job (or the CLI) exactly as ``siaga run`` uses it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from elasticsearch import Elasticsearch

from pipelines.alerting.job import AlertingJob
from pipelines.cli import main
from pipelines.ops.services import ensure_ready
from schemas.alert import Alert
from schemas.clock import FixedClock
from schemas.config import Settings
from schemas.index import monthly_index
from schemas.post import Post, TaggedPost
from tests.conftest import SmtpSink, Stack, free_port, make_post, make_settings, read_topic
from tests.doubles.gate import ElasticsearchGate
from tests.doubles.webhook import WebhookReceiver
from tests.test_alerting_job import RULE, alert_docs, drain, produce_tagged, tagged
from tests.test_notify import RefusingSink, refusing_server

CAMPAIGN = "Surat suara di TPS 7 Cibeureum sudah dicoblos untuk paslon 02 sebelum hari H, KPU curang, viralkan!"
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
"""The wall clock of tests that move it: delivery waits and retries by it."""
COORDINATED = {"id": "kampanye-salin", "name": "Kampanye salin-tempel", "type": "coordinated", "severity": "siaga",
               "min_posts": 4, "min_accounts": 4, "min_platforms": 2, "window": "30m", "cooldown": "2h"}
CRITICAL = {"id": "unggahan-awas", "name": "Unggahan tingkat awas", "type": "critical_post", "severity": "awas"}


def awas(native_id: str, minutes: float) -> TaggedPost:
    """A tagged post at the highest risk level."""
    return TaggedPost.model_validate({**tagged(native_id, minutes).model_dump(),
                                      "risk": {"level": "awas", "score": 0.95, "labels": []}})


def run_job(settings: Settings) -> AlertingJob:
    job = AlertingJob(settings)
    try:
        drain(job)
    finally:
        job.close()
    return job


def copy_paste(native_id: str, minutes: float, i: int) -> TaggedPost:
    platform = ("tiktok", "facebook")[i % 2]
    text = [CAMPAIGN, CAMPAIGN.upper() + " 🔥", CAMPAIGN + " #kpucurang", "@kpu " + CAMPAIGN][i % 4]
    raw = make_post(native_id, minutes=minutes, handle=f"akun{i}", platform=platform, text=text)
    return TaggedPost(**Post.model_validate(raw).model_dump(), language="id", language_score=0.9,
                      tagged_at=datetime(2026, 11, 22, tzinfo=UTC), tagger_version="test")


def index_posts(settings: Settings, posts: list[TaggedPost]) -> None:
    # Where the pipeline puts them: the month of each post's creation, behind the alias.
    es = Elasticsearch(settings.elasticsearch_url())
    for post in posts:
        es.index(index=monthly_index(settings.elasticsearch.posts_index, post.created_at), id=post.post_id,
                 document=post.model_dump(mode="json"))
    es.indices.refresh(index=settings.elasticsearch.posts_index)
    es.close()


def cluster_ids(settings: Settings, posts: list[TaggedPost]) -> dict[str, str | None]:
    es = Elasticsearch(settings.elasticsearch_url())
    # A search on the alias, not mget: real Elasticsearch refuses a get by id over several months.
    ids = [p.post_id for p in posts]
    hits = es.search(index=settings.elasticsearch.posts_index, query={"ids": {"values": ids}}, size=len(ids))
    es.close()
    return {hit["_id"]: hit["_source"].get("cluster_id") for hit in hits["hits"]["hits"]}


def test_coordinated_alert_labels_the_posts_and_is_published(stack: Stack, tmp_path: Path) -> None:
    settings = make_settings(stack, tmp_path, rules=[COORDINATED])
    ensure_ready(settings)
    posts = [copy_paste(f"cp{i}", i * 3, i) for i in range(5)]
    loner = copy_paste("solo", 1, 0).model_copy(update={"text": "Cuaca cerah, yuk ke pasar malam alun-alun nanti"})
    index_posts(settings, [*posts, loner])
    produce_tagged(settings, [*posts, loner])

    job = run_job(settings)

    (alert,) = job.totals.fired
    assert alert.rule_type == "coordinated" and alert.cluster_id
    assert alert.count == 4 and alert.accounts == 4 and alert.platforms == ["facebook", "tiktok"]
    labels = cluster_ids(settings, [*posts, loner])
    assert labels == {**{p.post_id: alert.cluster_id for p in posts}, loner.post_id: None}
    published = read_topic(settings, settings.kafka.topics.alerts, 1)
    assert [m.key.decode() for m in published] == [alert.alert_id]
    assert Alert.model_validate_json(published[0].value).cluster_id == alert.cluster_id
    eml = (settings.email.outbox_dir / f"{alert.alert_id}.eml").read_text(encoding="utf-8")
    assert "Klaster" in eml and alert.cluster_id in eml

    # The pipeline re-fetches a post and rewrites its document without the label: it comes back.
    index_posts(settings, [posts[2]])
    assert cluster_ids(settings, [posts[2]]) == {posts[2].post_id: None}
    produce_tagged(settings, [posts[2]])
    job = run_job(settings)
    assert job.totals.fired == []
    assert cluster_ids(settings, [posts[2]]) == {posts[2].post_id: alert.cluster_id}


def test_cluster_label_waits_for_a_post_not_yet_indexed(stack: Stack, tmp_path: Path) -> None:
    settings = make_settings(stack, tmp_path, rules=[COORDINATED])
    ensure_ready(settings)
    posts = [copy_paste(f"lt{i}", i, i) for i in range(4)]
    index_posts(settings, posts[:3])
    produce_tagged(settings, posts)
    job = run_job(settings)
    assert list(job.labels.values())[0]["post_ids"] == [posts[3].post_id]
    index_posts(settings, posts[3:])
    job = AlertingJob(settings)  # a restart: the pending label is in the saved state
    try:
        job.step()
    finally:
        job.close()
    assert set(cluster_ids(settings, posts).values()) == {job.totals.fired[0].cluster_id if job.totals.fired else
                                                          alert_docs(settings)[0].cluster_id}
    assert job.labels == {}


def test_silence_keeps_a_rule_quiet_and_says_who_and_why(stack: Stack, tmp_path: Path, smtp_server,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    sink, port = smtp_server
    settings = make_settings(stack, tmp_path, rules=[RULE, CRITICAL],
                             email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none"})
    config = tmp_path / "cli.yaml"
    config.write_text(json.dumps(settings.model_dump(mode="json", exclude={"email": {"smtp_password"}})),
                      encoding="utf-8")
    assert main(["--config", str(config), "alerts", "silence", "hoaks-pemilu", "--for", "4h",
                 "--reason", "sudah ditangani Polres", "--by", "aiptu.budi"]) == 0
    assert "silenced until" in capsys.readouterr().out
    ensure_ready(settings)
    critical = awas("aw", 5)
    produce_tagged(settings, [tagged(f"q{i}", i) for i in range(3)] + [critical])

    job = run_job(settings)

    by_rule = {a.rule_id: a for a in alert_docs(settings)}
    assert by_rule["hoaks-pemilu"].state == "silenced" and by_rule["hoaks-pemilu"].delivery == "suppressed"
    assert by_rule["hoaks-pemilu"].silence_id
    assert [m["X-Siaga-Rule"] for m in sink.messages] == ["unggahan-awas"]
    assert job.totals.silenced == 1

    assert main(["--config", str(config), "alerts", "silences"]) == 0
    out = capsys.readouterr().out
    assert "active" in out and "hoaks-pemilu" in out and "aiptu.budi" in out and "sudah ditangani Polres" in out
    assert main(["--config", str(config), "alerts", "list", "--open"]) == 0
    listed = capsys.readouterr().out
    assert "unggahan-awas" in listed and "hoaks-pemilu" not in listed
    assert main(["--config", str(config), "alerts", "silence", "tidak-ada", "--for", "1h", "--reason", "x"]) == 2
    assert main(["--config", str(config), "alerts", "silence", "hoaks-pemilu", "--for", "0m", "--reason", "x"]) == 2


def test_webhook_refused_for_now_is_tried_again_after_a_wait_each_once_in_order(stack: Stack, tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    with WebhookReceiver(fail_first=2) as receiver:
        settings = make_settings(stack, tmp_path, rules=[RULE, CRITICAL],
                                 alerting={"webhook": {"url": receiver.url + "/hook", "token_env": "SIAGA_TEST_HOOK"}})
        ensure_ready(settings)
        critical = awas("aw", 1)
        produce_tagged(settings, [tagged("w0", 0), critical, tagged("w2", 2), tagged("w3", 3)])
        job = AlertingJob(settings, clock)
        try:
            drain(job)
            assert receiver.received == [] and job.outbox.count() == 2  # the emails went to .eml files
            job.step()
            assert receiver.received == [], "each waits a minute after its 503"
            clock.advance(61)
            job.step()
        finally:
            job.close()
    fired = [a.alert_id for a in job.totals.fired]
    assert [body["alert"]["alert_id"] for body in receiver.received] == fired
    assert [body["event"] for body in receiver.received] == ["alert", "alert"]
    assert [h["Idempotency-Key"] for h in receiver.headers] == fired
    assert {a.webhook for a in alert_docs(settings)} == {"sent"}


def test_webhook_refusal_is_recorded_not_retried_forever(stack: Stack, tmp_path: Path) -> None:
    with WebhookReceiver(fail_first=1, fail_status=404) as receiver:
        settings = make_settings(stack, tmp_path, rules=[CRITICAL], alerting={"webhook": {"url": receiver.url}})
        ensure_ready(settings)
        critical = awas("aw", 1)
        produce_tagged(settings, [critical])
        job = run_job(settings)
    (alert,) = alert_docs(settings)
    assert alert.webhook == "failed" and alert.delivery == "sent"
    assert receiver.received == []
    failed = list((settings.alerting.state_dir / "queue" / "failed").glob("*.json"))
    assert len(failed) == 1 and "HTTP 404" in json.loads(failed[0].read_text())["reason"]
    assert job.outbox.count() == 0


def test_digest_sends_one_email_per_period(stack: Stack, tmp_path: Path, smtp_server) -> None:
    sink, port = smtp_server
    digest_rule = {**CRITICAL, "digest": "3s"}
    settings = make_settings(stack, tmp_path, rules=[digest_rule],
                             email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none"})
    ensure_ready(settings)
    produce_tagged(settings, [awas(f"d{i}", i) for i in range(3)])
    job = AlertingJob(settings)
    try:
        drain(job)
        fired = sorted(a.alert_id for a in job.totals.fired)
        deadline = time.monotonic() + 10
        while not sink.messages and time.monotonic() < deadline:
            job.step()
    finally:
        job.close()
    assert len(fired) == 3
    (message,) = sink.messages
    assert "3 peringatan" in message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    assert all(alert_id in plain for alert_id in fired)
    assert {a.delivery for a in alert_docs(settings)} == {"sent"}


def test_test_rule_replays_history_and_sends_nothing(stack: Stack, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(stack, tmp_path, rules=[])
    ensure_ready(settings)
    posts = [tagged(f"bt{i}", i * 4) for i in range(6)] + [tagged("bt-late", 200)]
    index_posts(settings, posts)
    config = tmp_path / "cli.yaml"
    config.write_text(json.dumps(settings.model_dump(mode="json")), encoding="utf-8")
    rule_file = tmp_path / "rule.yaml"
    rule_file.write_text(json.dumps({**RULE, "cooldown": "10m"}), encoding="utf-8")

    # 12:00 UTC is 19:00 WIB: a zone-less --from is read as WIB
    assert main(["--config", str(config), "alerts", "test-rule", str(rule_file),
                 "--from", "2026-11-21T19:00", "--to", "2026-11-22"]) == 0
    out = capsys.readouterr().out
    assert "replayed 7 posts" in out
    assert out.count("FIRE") == 2 and out.count("RESOLVE") == 1
    assert "3 vs threshold 3" in out
    assert "would have fired: hoaks-pemilu 2; resolved 1; nothing was sent" in out
    assert alert_docs(settings) == []
    assert not settings.email.outbox_dir.exists()

    assert main(["--config", str(config), "alerts", "test-rule", str(rule_file),
                 "--from", "2026-11-21T19:09", "--to", "2026-11-22"]) == 0
    assert "replayed 4 posts" in capsys.readouterr().out

    rule_file.write_text("id: x\nname: X\ntype: spike\nwindow: 10m\n", encoding="utf-8")
    assert main(["--config", str(config), "alerts", "test-rule", str(rule_file), "--from", "2026-11-21",
                 "--to", "2026-11-22"]) == 2
    err = capsys.readouterr().err
    assert "rules[x].baseline: Field required" in err and "rules[x].factor" in err


def test_an_alerts_index_from_before_the_new_fields_is_brought_up_to_date(stack: Stack, tmp_path: Path) -> None:
    from schemas.index import properties_of

    settings = make_settings(stack, tmp_path, rules=[CRITICAL])
    old = {name: mapping for name, mapping in properties_of(Alert).items()
           if name not in ("incident_id", "realert", "detail", "accounts", "platforms", "post_ids", "silence_id",
                           "webhook")}
    es = Elasticsearch(settings.elasticsearch_url())
    es.indices.create(index=settings.elasticsearch.alerts_index, mappings={"dynamic": "strict", "properties": old})
    es.close()
    ensure_ready(settings)
    produce_tagged(settings, [awas("up", 0)])
    job = run_job(settings)
    (alert,) = alert_docs(settings)
    assert alert.post_ids == [job.totals.fired[0].posts[0].post_id] and alert.delivery == "sent"


def test_recipients_per_rule_and_severity_reach_the_smtp_envelope(stack: Stack, tmp_path: Path, smtp_server) -> None:
    sink, port = smtp_server
    sara = {**CRITICAL, "recipients": ["tim-sara@polres.example"], "language": "en"}
    settings = make_settings(stack, tmp_path, rules=[sara, {**RULE, "severity": "waspada"}],
                             email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
                                    "recipients": ["piket@polres.example"],
                                    "recipients_by_level": {"awas": ["kapolres@polres.example"]}})
    ensure_ready(settings)
    produce_tagged(settings, [awas("rc", 0)] + [tagged(f"rt{i}", 1 + i) for i in range(3)])
    run_job(settings)
    envelopes = {m["X-Siaga-Rule"]: e.rcpt_tos for m, e in zip(sink.messages, sink.envelopes, strict=True)}
    assert envelopes == {"unggahan-awas": ["tim-sara@polres.example", "kapolres@polres.example"],
                         "hoaks-pemilu": ["piket@polres.example"]}
    english = next(m for m in sink.messages if m["X-Siaga-Rule"] == "unggahan-awas")
    assert "critical post by @" in english["Subject"]


# a critical alert (minute 0), the threshold rule's alert (its third post, minute 2), a critical alert (minute 5)
def three_alerts() -> list[TaggedPost]:
    return [awas("r0", 0), tagged("r1", 1), tagged("r2", 2), awas("r5", 5)]


def failed_entries(settings: Settings) -> list[dict[str, Any]]:
    folder = settings.alerting.state_dir / "queue" / "failed"
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


@pytest.mark.parametrize(("refusal", "reason"), [
    ({"rcpt": {"hilang@polres.example": "550 5.1.1 mailbox unavailable"}}, "550 5.1.1 mailbox unavailable"),
    ({"data": {"hoaks-pemilu": ["554 5.7.1 message rejected as spam"]}}, "554 5.7.1 message rejected as spam"),
])
def test_an_email_refused_for_good_is_set_aside_and_the_later_ones_still_go_in_order(
        stack: Stack, tmp_path: Path, refusal: dict[str, Any], reason: str) -> None:
    sink = RefusingSink(**refusal)
    with refusing_server(sink) as port:
        settings = make_settings(stack, tmp_path, rules=[CRITICAL, {**RULE, "recipients": ["hilang@polres.example"]}],
                                 email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
                                        "timeout_s": 5})
        ensure_ready(settings)
        produce_tagged(settings, three_alerts())
        job = run_job(settings)
    fired = [(a.rule_id, a.alert_id) for a in job.totals.fired]
    assert [rule for rule, _ in fired] == ["unggahan-awas", "hoaks-pemilu", "unggahan-awas"]
    refused = fired[1][1]
    assert [m["X-Siaga-Alert-Id"] for m in sink.messages] == [fired[0][1], fired[2][1]], "the rest in order, once"
    docs = {a.alert_id: a for a in alert_docs(settings)}
    assert {i: a.delivery for i, a in docs.items()} == {fired[0][1]: "sent", refused: "failed", fired[2][1]: "sent"}
    (entry,) = failed_entries(settings)
    assert entry["alert_id"] == refused and reason in entry["reason"]
    assert job.deliverer.totals.failed == 1 and job.outbox.count() == 0


def test_an_email_refused_for_some_recipients_reaches_the_others_and_the_refusal_is_recorded(
        stack: Stack, tmp_path: Path) -> None:
    sink = RefusingSink(rcpt={"hilang@polres.example": "550 5.1.1 mailbox unavailable"})
    with refusing_server(sink) as port:
        settings = make_settings(stack, tmp_path,
                                 rules=[{**CRITICAL, "recipients": ["hilang@polres.example", "piket@polres.example"]}],
                                 email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
                                        "timeout_s": 5})
        ensure_ready(settings)
        produce_tagged(settings, [awas("pr", 0)])
        job = run_job(settings)
    (alert,) = alert_docs(settings)
    assert alert.delivery == "sent"
    assert [(r.address, r.reply) for r in alert.refused_recipients] == [
        ("hilang@polres.example", "550 5.1.1 mailbox unavailable")], "on the alert document too"
    assert [e.rcpt_tos for e in sink.envelopes] == [["piket@polres.example"]]
    (entry,) = failed_entries(settings)
    assert entry["alert_ids"] == [alert.alert_id]
    assert entry["refused"] == {"hilang@polres.example": "550 5.1.1 mailbox unavailable"}
    assert job.deliverer.totals.refused_recipients == 1 and job.deliverer.totals.failed == 0


def test_an_email_refused_for_now_steps_aside_for_the_later_ones_and_goes_out_once_later(
        stack: Stack, tmp_path: Path) -> None:
    clock = FixedClock(NOW)
    sink = RefusingSink(data={"hoaks-pemilu": ["451 4.3.0 try again later"]})
    with refusing_server(sink) as port:
        settings = make_settings(stack, tmp_path, rules=[CRITICAL, RULE],
                                 email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
                                        "timeout_s": 5})
        ensure_ready(settings)
        produce_tagged(settings, three_alerts())
        job = AlertingJob(settings, clock)
        try:
            drain(job)
            fired = [a.alert_id for a in job.totals.fired]
            assert [m["X-Siaga-Alert-Id"] for m in sink.messages] == [fired[0], fired[2]], "the third goes on"
            assert job.outbox.count() == 1
            assert sorted(a.delivery for a in alert_docs(settings)) == ["pending", "sent", "sent"]
            clock.advance(61)
            job.step()
        finally:
            job.close()
    assert [m["X-Siaga-Alert-Id"] for m in sink.messages] == [fired[0], fired[2], fired[1]], "each once"
    assert {a.delivery for a in alert_docs(settings)} == {"sent"}
    assert failed_entries(settings) == [] and job.outbox.count() == 0


# --- reliability: once, never for ever, nothing dropped ---------------------------------------


class GateClosingSink(SmtpSink):
    """Accepts every message; as it accepts the first, Elasticsearch becomes unreachable."""

    def __init__(self, gate: ElasticsearchGate) -> None:
        super().__init__()
        self.gate = gate

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.messages:
            self.gate.close()
        return await super().handle_DATA(server, session, envelope)


def test_an_email_accepted_as_elasticsearch_goes_away_is_marked_later_and_sent_once(stack: Stack, tmp_path: Path) -> None:
    with ElasticsearchGate(stack.es_url) as gate:
        sink = GateClosingSink(gate)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        settings = make_settings(stack, tmp_path, rules=[CRITICAL],
                                 elasticsearch={"url": gate.url, "request_timeout_s": 2},
                                 email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none",
                                        "timeout_s": 5})
        ensure_ready(settings)
        produce_tagged(settings, [awas("es", 0)])
        job = AlertingJob(settings)
        try:
            drain(job)
            assert len(sink.messages) == 1 and gate.refused, "Elasticsearch went away as the server took the email"
            for _ in range(3):
                job.step()
            assert len(sink.messages) == 1, "not sent again while the alert cannot be marked"
            gate.open()
            job.step()
            (alert,) = alert_docs(settings)
        finally:
            job.close()
            controller.stop()
    assert len(sink.messages) == 1
    assert alert.delivery == "sent" and alert.delivered_at is not None
    assert job.deliverer.totals.marks_late == 1


def refusals_settings(stack: Stack, tmp_path: Path, port: int, rules: list[dict[str, Any]],
                      **alerting: Any) -> Settings:
    return make_settings(stack, tmp_path, rules=rules, alerting=alerting,
                         email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none", "timeout_s": 5})


def test_recipients_refused_again_and_again_go_to_failed_after_the_cap_and_the_rest_go_on(
        stack: Stack, tmp_path: Path) -> None:
    # one recipient gone for good (550), one full for now (452): nothing is delivered, every time
    sink = RefusingSink(rcpt={"hilang@polres.example": "550 5.1.1 mailbox unavailable",
                              "penuh@polres.example": "452 4.2.2 mailbox full"})
    clock = FixedClock(NOW)
    with refusing_server(sink) as port:
        rule = {**RULE, "recipients": ["hilang@polres.example", "penuh@polres.example"]}
        settings = refusals_settings(stack, tmp_path, port, [CRITICAL, rule], delivery_max_attempts=3,
                                     delivery_retry_after="1m")
        ensure_ready(settings)
        produce_tagged(settings, three_alerts())
        job = AlertingJob(settings, clock)
        try:
            drain(job)
            fired = [a.alert_id for a in job.totals.fired]
            assert [m["X-Siaga-Alert-Id"] for m in sink.messages] == [fired[0], fired[2]], "the third does not wait"
            clock.advance(30)
            job.step()  # not due yet: no try
            clock.advance(31)
            job.step()  # second refusal; the next try waits 2 minutes
            clock.advance(121)
            job.step()  # third refusal: given up
        finally:
            job.close()
    docs = {a.alert_id: a.delivery for a in alert_docs(settings)}
    assert docs == {fired[0]: "sent", fired[1]: "failed", fired[2]: "sent"}
    (entry,) = failed_entries(settings)
    assert entry["alert_id"] == fired[1] and "refused for now 3 time(s)" in entry["reason"]
    assert "452 4.2.2 mailbox full" in entry["reason"]
    totals = job.deliverer.totals
    assert (totals.refused_for_now, totals.given_up, totals.failed) == (3, 1, 1)
    assert job.outbox.count() == 0


def test_a_message_refused_for_now_longer_than_the_max_age_goes_to_failed(stack: Stack, tmp_path: Path) -> None:
    sink = RefusingSink(data={"hoaks-pemilu": ["451 4.3.0 try again later"] * 5})
    clock = FixedClock(NOW)
    with refusing_server(sink) as port:
        settings = refusals_settings(stack, tmp_path, port, [RULE], delivery_max_age="10m")
        ensure_ready(settings)
        produce_tagged(settings, [tagged(f"ma{i}", i) for i in range(3)])
        job = AlertingJob(settings, clock)
        try:
            drain(job)
            clock.advance(timedelta(minutes=11))
            job.step()
        finally:
            job.close()
    (alert,) = alert_docs(settings)
    assert alert.delivery == "failed" and sink.messages == []
    (entry,) = failed_entries(settings)
    assert "refused for now 2 time(s)" in entry["reason"] and "451 4.3.0" in entry["reason"]


def test_a_message_the_server_cannot_take_at_all_fails_at_once_and_the_rest_go_on(stack: Stack, tmp_path: Path) -> None:
    sink = RefusingSink()
    with refusing_server(sink, enable_SMTPUTF8=False) as port:
        settings = refusals_settings(stack, tmp_path, port, [CRITICAL, {**RULE, "recipients": ["pétugas@polres.example"]}])
        ensure_ready(settings)
        produce_tagged(settings, three_alerts())
        job = run_job(settings)
    fired = [a.alert_id for a in job.totals.fired]
    assert [m["X-Siaga-Alert-Id"] for m in sink.messages] == [fired[0], fired[2]]
    (entry,) = failed_entries(settings)
    assert entry["alert_id"] == fired[1] and "SMTPUTF8" in entry["reason"]


def test_a_webhook_redirect_is_not_followed_so_the_token_goes_nowhere_else(
        stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIAGA_TEST_HOOK", "rahasia-token")
    with WebhookReceiver() as elsewhere, \
            WebhookReceiver(fail_first=1, fail_status=302, location=elsewhere.url + "/lain") as receiver:
        settings = make_settings(stack, tmp_path, rules=[CRITICAL],
                                 alerting={"webhook": {"url": receiver.url + "/hook", "token_env": "SIAGA_TEST_HOOK"}})
        ensure_ready(settings)
        produce_tagged(settings, [awas("rd", 0)])
        run_job(settings)
    assert elsewhere.requests == [], "a 302 used to become a GET to the other host, with the Authorization header"
    (alert,) = alert_docs(settings)
    assert alert.webhook == "pending", "a redirect is not a delivery: it is tried again later"


@pytest.mark.parametrize("status", [302, 307, 308, 503])
def test_a_webhook_that_keeps_redirecting_or_failing_is_given_up_and_no_redirect_is_followed(
        stack: Stack, tmp_path: Path, status: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIAGA_TEST_HOOK", "rahasia-token")
    clock = FixedClock(NOW)
    with WebhookReceiver() as elsewhere, \
            WebhookReceiver(fail_first=100, fail_status=status, location=elsewhere.url + "/lain") as receiver:
        settings = make_settings(stack, tmp_path, rules=[CRITICAL],
                                 alerting={"webhook": {"url": receiver.url + "/hook", "token_env": "SIAGA_TEST_HOOK"},
                                           "delivery_max_attempts": 2})
        ensure_ready(settings)
        produce_tagged(settings, [awas("rd", 0)])
        job = AlertingJob(settings, clock)
        try:
            drain(job)
            clock.advance(61)
            job.step()
        finally:
            job.close()
    assert elsewhere.requests == [], "the token went nowhere else"
    assert [method for method, _ in receiver.requests] == ["POST", "POST"]
    assert receiver.requests[0][1]["Authorization"] == "Bearer rahasia-token"
    (alert,) = alert_docs(settings)
    assert alert.webhook == "failed" and alert.delivery == "sent"
    (entry,) = failed_entries(settings)
    assert f"HTTP {status}" in entry["reason"] and "given up" in entry["reason"]


def test_a_webhook_url_is_https_unless_it_is_on_this_machine() -> None:
    from pydantic import ValidationError

    from schemas.config import WebhookSettings

    assert WebhookSettings(url="https://chat.polda.example/hook").url.startswith("https://")
    for local in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]:9000/h"):
        assert WebhookSettings(url=local).url == local
    for bad in ("http://chat.polda.example/hook", "http://10.0.0.5/hook", "ftp://chat.polda.example/"):
        with pytest.raises(ValidationError, match="https|http"):
            WebhookSettings(url=bad)
    with pytest.raises(ValidationError) as error:
        WebhookSettings(url="http://chat.polda.example/hook")
    assert "must use https (plain http is allowed only to a loopback address" in str(error.value)


def test_a_queued_message_whose_alert_is_gone_is_dead_lettered_and_set_aside(stack: Stack, tmp_path: Path) -> None:
    from schemas.deadletter import DeadLetter

    settings = make_settings(stack, tmp_path, rules=[CRITICAL])
    ensure_ready(settings)
    job = AlertingJob(settings)
    try:
        job.outbox.enqueue("email", "unggahan-awas-00000000deadbeef",
                           {"kind": "alert", "alert_id": "unggahan-awas-00000000deadbeef", "rule_id": "unggahan-awas"})
        job.step()
        job.step()
    finally:
        job.close()
    letters = [DeadLetter.model_validate_json(m.value)
               for m in read_topic(settings, settings.kafka.topics.dead_letter, 2, timeout_ms=3000)]
    assert len(letters) == 1, "once"
    assert letters[0].stage == "alert" and "is not in the alerts index" in letters[0].reason
    assert json.loads(letters[0].original())["alert_id"] == "unggahan-awas-00000000deadbeef"
    (entry,) = failed_entries(settings)
    assert "is not in the alerts index" in entry["reason"]
    assert job.deliverer.totals.missing_alerts == 1 and job.totals.dead_lettered == 1 and job.outbox.count() == 0


def test_an_unreadable_queue_file_is_set_aside_rebuilt_and_delivery_goes_on(stack: Stack, tmp_path: Path) -> None:
    port = free_port()  # SMTP down while the alerts are queued
    settings = make_settings(stack, tmp_path, rules=[CRITICAL],
                             email={"smtp_host": "127.0.0.1", "smtp_port": port, "security": "none", "timeout_s": 5})
    ensure_ready(settings)
    produce_tagged(settings, [awas("q0", 0), awas("q1", 1)])
    job = AlertingJob(settings)
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    try:
        drain(job)
        fired = [a.alert_id for a in job.totals.fired]
        first = sorted((settings.alerting.state_dir / "queue" / "email").glob("*.json"))[0]
        first.write_bytes(b"")  # what a crash used to leave of a queue file written without fsync
        controller.start()
        job.step()
    finally:
        job.close()
        controller.stop()
    assert [m["X-Siaga-Alert-Id"] for m in sink.messages] == fired
    aside = list((settings.alerting.state_dir / "queue" / "failed").glob(f"{first.name}.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == b""
    assert job.outbox.quarantined == 1 and job.deliverer.totals.rebuilt == 1


def test_a_message_sent_or_refused_for_good_is_never_queued_again(tmp_path: Path) -> None:
    # A batch read again after a crash queues its messages again: the outbox's records refuse them.
    from pipelines.delivery.outbox import Outbox

    outbox = Outbox(tmp_path / "queue")
    entry = {"kind": "resolved", "alert_id": "r-1", "rule_id": "r"}
    assert outbox.enqueue("email", "r-1.resolved", entry)
    assert not outbox.enqueue("email", "r-1.resolved", entry), "queued once"
    ((path, queued),) = outbox.pending("email")
    outbox.record("email", path, queued, {"state": "sent", "at": NOW.isoformat(), "alert_ids": []}, marked=True)
    assert outbox.count() == 0 and outbox.handled("email", "r-1.resolved")
    assert not outbox.enqueue("email", "r-1.resolved", entry), "sent: never queued again"
    assert outbox.prune("email", NOW + timedelta(days=8)) == 1 and not outbox.handled("email", "r-1.resolved")
