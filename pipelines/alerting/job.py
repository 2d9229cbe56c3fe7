"""The alerting job: tagged posts → rule engine → alerts index, alerts topic and outbox → email/webhook.

Each step is a small transaction. It polls a batch of tagged posts and feeds them to the rule
engine (``pipelines.alerting.engine``) in event-time order. For every alert it fires, it indexes the
alert with ``op_type=create`` under its stable id, publishes it to the alerts topic and queues
its email (and webhook) in the outbox (``pipelines.delivery``); for every incident that cleared
it marks the opening alert ``resolved`` and queues a notice. It labels the posts of
near-duplicate clusters with their ``cluster_id`` in the posts index, saves the engine's state,
and only then commits the batch's offsets. Delivery drains the outbox afterwards, so an SMTP
outage never holds up the rule engine and never loses or reorders an email.

If anything before the commit fails, the engine is reloaded from the last saved state and the
batch is re-read: a breach recomputed after a restart has the same alert id, the create is
refused as a duplicate, and an alert already marked ``sent`` is not emailed again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import ConflictError, Elasticsearch, NotFoundError
from kafka.errors import KafkaError
from pydantic import ValidationError

from pipelines.delivery.deliverer import Deliverer
from pipelines.delivery.outbox import Outbox
from pipelines.common.kafka_io import lag, make_consumer, poll_batch
from pipelines.common.records import KafkaRecord
from pipelines.alerting.engine import Breach, ClusterUpdate, Resolution, RuleEngine
from pipelines.alerting.silences import SilenceStore
from pipelines.common.clients import shared_client
from pipelines.common.records import dead_letter_message, record_key
from schemas.alert import Alert, make_alert_id
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.clock import Clock, process_clock
from schemas.index import posts_pattern
from schemas.post import TaggedPost

log = logging.getLogger(__name__)

STATE_FILE = "engine-state.json"
SEND_TIMEOUT_S = 30.0
"""How long the broker may take to acknowledge the step's dead letters and alerts before the batch is retried."""
LABEL_ATTEMPTS = 30
"""Steps a cluster label is retried for a post not (yet) in the posts index before it is given up, loudly."""

GROUP_BY_OF_TYPE = {"critical_post": "post", "coordinated": "cluster", "new_term": "term"}


@dataclass
class AlertingTotals:
    """What the alerting job did in this process."""

    posts_seen: int = 0
    fired: list[Alert] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    silenced: int = 0
    already_sent: int = 0
    dead_lettered: int = 0
    labelled: int = 0
    labels_given_up: int = 0
    destinations: set[str] = field(default_factory=set)


def alert_from(breach: Breach, fired_at: datetime) -> Alert:
    """The ``Alert`` document for a breach."""
    rule = breach.rule
    window = getattr(rule, "window", None)
    return Alert(
        alert_id=make_alert_id(rule.id, breach.group, breach.trigger_post_id, breach.window_end),
        rule_id=rule.id,
        rule_name=rule.name,
        rule_type=rule.type,
        severity=rule.severity,
        group_by=getattr(rule, "group_by", None) or GROUP_BY_OF_TYPE[rule.type],
        group=breach.group,
        count=breach.count,
        threshold=breach.threshold,
        window_seconds=max(int(window.total_seconds()), 1) if window is not None else 1,
        window_start=breach.window_start,
        window_end=breach.window_end,
        fired_at=fired_at,
        posts=list(breach.posts),
        cluster_id=breach.cluster_id,
        incident_id=breach.incident_id,
        realert=breach.realert,
        detail=breach.detail,
        accounts=breach.accounts,
        platforms=list(breach.platforms),
        post_ids=list(breach.post_ids),
    )


def digest_release(fired_at: datetime, period: timedelta) -> datetime:
    """The end of the digest period (of wall-clock time, from the epoch) that ``fired_at`` falls in."""
    seconds = int(period.total_seconds())
    start = int(fired_at.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start + seconds, tz=fired_at.tzinfo)


class AlertingJob:
    """Consumes the tagged-posts topic and turns rule breaches into delivered alerts."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or process_clock()
        state_dir = settings.alerting.state_dir
        self.state_path = state_dir / STATE_FILE
        self.rules = {rule.id: rule for rule in settings.rules}
        self.engine, self.labels = self._load_state()
        self.silences = SilenceStore(state_dir)
        self.outbox = Outbox(state_dir / "queue")
        self.consumer = make_consumer(
            settings, settings.alerting.group_id, settings.kafka.topics.tagged, settings.pipeline.batch_max_records
        )
        self.es: Elasticsearch = shared_client("elasticsearch", settings.elasticsearch_kwargs())
        self.producer = shared_client("kafka", settings.kafka_client_kwargs())
        self._shared_producer = self.producer
        self.deliverer = Deliverer(settings, self.es, self.outbox, self.clock)
        self.totals = AlertingTotals()
        self.totals.destinations = self.deliverer.totals.destinations
        self.failures = 0
        self._sends: list[Any] = []
        self._rewind = False

    # --- state -----------------------------------------------------------------------------

    def _load_state(self) -> tuple[RuleEngine, dict[str, dict[str, Any]]]:
        engine = RuleEngine(self.settings.rules, self.settings.alerting.max_posts_in_alert, self.settings.alerting)
        labels: dict[str, dict[str, Any]] = {}
        if self.state_path.is_file():
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            engine.restore(data["engine"])
            labels = data.get("cluster_labels", {})
        return engine, labels

    def _save_state(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_suffix(".tmp")
        data = {"engine": self.engine.snapshot(), "cluster_labels": self.labels}
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, self.state_path)

    # --- the step --------------------------------------------------------------------------

    def _failed(self, what: str, exc: BaseException) -> None:
        """Reload the engine from its saved state and back off; the next step re-reads from the committed offsets."""
        self.failures += 1
        self._rewind = True
        self._sends = []
        # Kept below max_poll_interval_ms: a longer pause between polls would cost the group membership.
        delay = min(2 ** min(self.failures, 10) * 0.25, self.settings.pipeline.retry_backoff_max_s,
                    self.settings.kafka.max_poll_interval_ms / 2000)
        log.error("%s: %s: %s; retrying in %.1fs", what, type(exc).__name__, exc, delay)
        self.engine, self.labels = self._load_state()
        time.sleep(delay)

    def step(self) -> int:
        """Process one batch of tagged posts and drain the outbox; return how many records were committed."""
        pipeline = self.settings.pipeline
        try:
            records = poll_batch(self.consumer, pipeline.batch_max_records, pipeline.batch_max_wait_ms,
                                 rewind=self._rewind)
            self._rewind = False
        except Exception as exc:  # noqa: BLE001 - a broker that does not answer: back off, never exit
            self._failed("Kafka did not answer", exc)
            return 0
        committed = 0
        if records:
            try:
                self._process(records)
                self._save_state()
            except Exception as exc:  # noqa: BLE001 - any failure means: reload state, rewind, retry
                self._failed(f"alerting batch of {len(records)} failed", exc)
                return 0
            try:
                self.consumer.commit()
            except Exception as exc:  # noqa: BLE001 - e.g. CommitFailedError after a rebalance: re-read, never exit
                # The saved state already holds this batch, as after a crash between saving and committing:
                # re-read, its posts are counted once (the engine drops post ids it has seen) and its
                # alerts exist already.
                self._failed(f"commit of {len(records)} alerting records failed", exc)
                return 0
            self.failures = 0
            committed = len(records)
        elif self.labels:
            try:
                self._apply_labels()
                self._save_state()
            except Exception as exc:  # noqa: BLE001 - Elasticsearch unavailable: the labels wait for the next step
                log.error("cluster labels not applied yet: %s", exc)
        self.deliver()
        return committed

    def deliver(self) -> int:
        """Send what the outbox holds (stops at the first message a server cannot take now)."""
        try:
            return self.deliverer.drain()
        except Exception as exc:  # noqa: BLE001 - Elasticsearch down while delivering: the queue waits
            log.error("delivery paused: %s", exc)
            return 0

    def _process(self, records: list[KafkaRecord]) -> None:
        posts: list[TaggedPost] = []
        letters = []
        for record in records:
            try:
                posts.append(TaggedPost.model_validate_json(record.value))
            except ValidationError as exc:
                letters.append(
                    DeadLetter.wrap(
                        record.value,
                        stage="alert",
                        reason=f"not a tagged post: {exc.error_count()} error(s), first: {exc.errors()[0]['msg']}",
                        error_type="ValidationError",
                        source=record.source,
                        key=record_key(record),
                        failed_at=self.clock.now(),
                    )
                )
        self._sends = []
        for letter in letters:
            key, value = dead_letter_message(letter)
            self._sends.append(self.producer.send(self.settings.kafka.topics.dead_letter, key=key, value=value))
        self.totals.dead_lettered += len(letters)
        for post in sorted(posts, key=lambda p: (p.created_at, p.post_id)):
            self.totals.posts_seen += 1
            for event in self.engine.observe_all(post):
                if isinstance(event, Breach):
                    self._fire(alert_from(event, self.clock.now()))
                else:
                    self._resolve(event)
        self._queue_labels(self.engine.take_cluster_updates())
        self._apply_labels()
        self.producer.flush()
        # flush() does not raise for a send the broker refused; only its future says so. A failed one
        # fails the batch: nothing is committed, and the batch (dead letters included) is sent again.
        try:
            for future in self._sends:
                future.get(timeout=SEND_TIMEOUT_S)
        except KafkaError:
            self._own_producer()
            raise
        self._sends = []

    def _own_producer(self) -> None:
        """Go on with a producer of this job's own after the broker refused a send.

        kafka-python (3.0) keeps failing every later send of a producer once one was refused, even
        to another topic; the shared one is left to its other users.
        """
        from kafka import KafkaProducer

        if self.producer is not self._shared_producer:
            self.producer.close(timeout=5)
        self.producer = KafkaProducer(acks="all", retries=5, **self.settings.kafka_client_kwargs())

    # --- alerts ----------------------------------------------------------------------------

    def _publish(self, alert: Alert) -> None:
        self._sends.append(self.producer.send(self.settings.kafka.topics.alerts, key=alert.alert_id.encode(),
                                              value=alert.model_dump_json().encode()))

    def _fire(self, alert: Alert) -> None:
        index = self.settings.elasticsearch.alerts_index
        rule = self.rules[alert.rule_id]
        hook = self.settings.alerting.webhook is not None
        silence = self.silences.matching(alert.rule_id, alert.group, alert.fired_at)
        if silence is not None:
            alert = alert.model_copy(update={"state": "silenced", "delivery": "suppressed", "silence_id":
                                             silence.silence_id, "webhook": "suppressed" if hook else None})
        elif hook:
            alert = alert.model_copy(update={"webhook": "pending"})
        try:
            # no refresh: a GET by id is real-time, and searches see the alert within the refresh interval
            self.es.index(index=index, id=alert.alert_id, document=alert.model_dump(mode="json"), op_type="create")
        except ConflictError:
            existing = Alert.model_validate(self.es.get(index=index, id=alert.alert_id)["_source"])
            if existing.delivery != "pending" and existing.webhook != "pending":
                self.totals.already_sent += 1
                log.info("alert %s was already handled (%s); not sending again", alert.alert_id, existing.delivery)
                return
            alert = existing
        self._publish(alert)
        self.totals.fired.append(alert)
        if alert.state == "silenced":
            self.totals.silenced += 1
            log.info("alert %s silenced by %s", alert.alert_id, alert.silence_id)
            return
        entry = {"kind": "alert", "alert_id": alert.alert_id, "rule_id": alert.rule_id}
        if alert.delivery == "pending":
            email_entry = dict(entry)
            if rule.digest is not None:
                release = digest_release(alert.fired_at, rule.digest)
                email_entry.update(digest=f"digest-{rule.id}-{int(release.timestamp())}", release_at=release.isoformat())
            self.outbox.enqueue("email", alert.alert_id, email_entry)
        if alert.webhook == "pending":
            self.outbox.enqueue("webhook", alert.alert_id, entry)
        log.info("alert %s [%s] %s (%s): %d posts, group %s", alert.alert_id, alert.severity, alert.rule_id,
                 alert.rule_type, alert.count, alert.group)

    def _resolve(self, resolution: Resolution) -> None:
        index = self.settings.elasticsearch.alerts_index
        try:
            alert = Alert.model_validate(self.es.get(index=index, id=resolution.incident_id)["_source"])
        except NotFoundError:
            log.warning("incident %s cleared but its alert is not in %s", resolution.incident_id, index)
            return
        if alert.resolved_at is not None:
            return
        state = "silenced" if alert.state == "silenced" else "resolved"
        alert = alert.model_copy(update={"state": state, "resolved_at": resolution.at})
        self.es.update(index=index, id=alert.alert_id,
                       doc={"state": state, "resolved_at": resolution.at.isoformat()})
        self._publish(alert)
        self.totals.resolved.append(alert.alert_id)
        if state == "silenced":
            return
        entry = {"kind": "resolved", "alert_id": alert.alert_id, "rule_id": alert.rule_id,
                 "resolved_at": resolution.at.isoformat()}
        self.outbox.enqueue("email", f"{alert.alert_id}.resolved", entry)
        if self.settings.alerting.webhook is not None:
            self.outbox.enqueue("webhook", f"{alert.alert_id}.resolved", entry)

    # --- near-duplicate cluster labels -----------------------------------------------------

    def _queue_labels(self, updates: list[ClusterUpdate]) -> None:
        for update in updates:
            pending = self.labels.setdefault(update.cluster_id, {"post_ids": [], "attempts": 0})
            pending["post_ids"] = list(dict.fromkeys(pending["post_ids"] + update.post_ids))
            pending["attempts"] = 0

    def _apply_labels(self) -> None:
        """Store ``cluster_id`` on clustered posts, through every monthly post index (never a concrete one).

        The update names ``posts_pattern`` rather than the alias: noida-db applies an
        ``update_by_query`` on an alias to its first index only; the pattern works on both.
        """
        if not self.labels:
            return
        alias = self.settings.elasticsearch.posts_index
        self.es.indices.refresh(index=alias)
        for cluster_id, pending in list(self.labels.items()):
            ids = pending["post_ids"]
            self.es.update_by_query(
                index=posts_pattern(alias),
                query={"ids": {"values": ids}},
                script={"source": "ctx._source.cluster_id = params.cluster_id", "lang": "painless",
                        "params": {"cluster_id": cluster_id}},
                conflicts="proceed",
                refresh=True,
            )
            found = self.es.search(index=alias, size=len(ids), source=False,
                                   query={"bool": {"filter": [{"ids": {"values": ids}},
                                                              {"term": {"cluster_id": cluster_id}}]}})
            done = {hit["_id"] for hit in found["hits"]["hits"]}
            self.totals.labelled += len(done)
            missing = [pid for pid in ids if pid not in done]
            if not missing:
                del self.labels[cluster_id]
                continue
            pending["post_ids"], pending["attempts"] = missing, pending["attempts"] + 1
            if pending["attempts"] >= LABEL_ATTEMPTS:
                self.totals.labels_given_up += len(missing)
                log.error("cluster %s: %d post(s) never appeared in %s, label given up: %s", cluster_id,
                          len(missing), alias, ", ".join(missing[:10]))
                del self.labels[cluster_id]

    # --- the rest ----------------------------------------------------------------------------

    def lag(self) -> int | None:
        """Tagged posts not yet committed by the alerting job."""
        return lag(self.consumer)

    def close(self) -> None:
        """Leave the consumer group (and close the job's own producer, if it needed one)."""
        self.consumer.close()
        if self.producer is not self._shared_producer:
            self.producer.close(timeout=5)
