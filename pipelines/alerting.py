"""The alerting job: tagged posts → rule engine → alerts index → on-call email.

Each step is a small transaction. It polls a batch of tagged posts, feeds them to the rule
engine in event-time order, and for every breach indexes the alert with ``op_type=create``
under its stable id before emailing it; then it saves the engine's state and only then
commits the batch's offsets. If anything fails, the engine is reloaded from the last saved
state and the batch is re-read: a breach recomputed after a restart has the same alert id, the
create is refused as a duplicate, and an alert already marked ``sent`` is not emailed again.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from elasticsearch import ConflictError, Elasticsearch
from pydantic import ValidationError

from pipelines.kafka_io import lag, make_consumer, poll_batch, rewind_to_committed
from pipelines.notify import deliver, render
from pipelines.records import KafkaRecord
from pipelines.rules import Breach, RuleEngine
from pipelines.sinks import shared_client
from pipelines.transforms import dead_letter_message, record_key
from schemas.alert import Alert, make_alert_id
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.fields import utc_now
from schemas.post import TaggedPost

log = logging.getLogger(__name__)

STATE_FILE = "engine-state.json"


@dataclass
class AlertingTotals:
    """What the alerting job did in this process."""

    posts_seen: int = 0
    fired: list[Alert] = field(default_factory=list)
    already_sent: int = 0
    dead_lettered: int = 0
    destinations: set[str] = field(default_factory=set)


def alert_from(breach: Breach, fired_at=None) -> Alert:  # noqa: ANN001 - datetime | None
    """The ``Alert`` document for a breach."""
    rule = breach.rule
    return Alert(
        alert_id=make_alert_id(rule.id, breach.group, breach.trigger_post_id, breach.window_end),
        rule_id=rule.id,
        rule_name=rule.name,
        severity=rule.severity,
        group_by=rule.group_by,
        group=breach.group,
        count=breach.count,
        threshold=rule.threshold,
        window_seconds=int(rule.window.total_seconds()),
        window_start=breach.window_start,
        window_end=breach.window_end,
        fired_at=fired_at or utc_now(),
        posts=list(breach.posts),
    )


class AlertingJob:
    """Consumes the tagged-posts topic and turns threshold breaches into delivered alerts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state_path = settings.alerting.state_dir / STATE_FILE
        self.engine = self._load_engine()
        self.consumer = make_consumer(
            settings, settings.alerting.group_id, settings.kafka.topics.tagged, settings.pipeline.batch_max_records
        )
        self.es: Elasticsearch = shared_client("elasticsearch", settings.elasticsearch_kwargs())
        self.producer = shared_client("kafka", settings.kafka_client_kwargs())
        self.totals = AlertingTotals()
        self.failures = 0

    def _load_engine(self) -> RuleEngine:
        engine = RuleEngine(self.settings.rules, self.settings.alerting.max_posts_in_alert)
        if self.state_path.is_file():
            engine.restore(json.loads(self.state_path.read_text(encoding="utf-8")))
        return engine

    def _save_engine(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.engine.snapshot()), encoding="utf-8")
        os.replace(temporary, self.state_path)

    def step(self) -> int:
        """Process one batch of tagged posts; return how many were committed (0 if none or failed)."""
        pipeline = self.settings.pipeline
        records = poll_batch(self.consumer, pipeline.batch_max_records, pipeline.batch_max_wait_ms)
        if not records:
            return 0
        try:
            self._process(records)
            self._save_engine()
        except Exception as exc:  # noqa: BLE001 - any failure means: reload state, rewind, retry
            self.failures += 1
            delay = min(2 ** min(self.failures, 10) * 0.25, pipeline.retry_backoff_max_s)
            log.error("alerting batch of %d failed (%s); retrying in %.1fs", len(records), exc, delay)
            self.engine = self._load_engine()
            rewind_to_committed(self.consumer)
            time.sleep(delay)
            return 0
        self.consumer.commit()
        self.failures = 0
        return len(records)

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
                        failed_at=utc_now(),
                    )
                )
        if letters:
            for letter in letters:
                key, value = dead_letter_message(letter)
                self.producer.send(self.settings.kafka.topics.dead_letter, key=key, value=value)
            self.producer.flush()
            self.totals.dead_lettered += len(letters)
        for post in sorted(posts, key=lambda p: (p.created_at, p.post_id)):
            self.totals.posts_seen += 1
            for breach in self.engine.observe(post):
                self._dispatch(alert_from(breach))

    def _dispatch(self, alert: Alert) -> None:
        index = self.settings.elasticsearch.alerts_index
        try:
            self.es.index(
                index=index, id=alert.alert_id, document=alert.model_dump(mode="json"), op_type="create", refresh=True
            )
        except ConflictError:
            existing = self.es.get(index=index, id=alert.alert_id)["_source"]
            if existing.get("delivery") == "sent":
                self.totals.already_sent += 1
                log.info("alert %s was already sent; not sending again", alert.alert_id)
                return
            alert = Alert.model_validate(existing)
        where = deliver(render(alert, self.settings.email), self.settings.email)
        self.es.update(
            index=index,
            id=alert.alert_id,
            doc={"delivery": "sent", "delivered_at": utc_now().isoformat()},
            refresh=True,
        )
        self.totals.fired.append(alert)
        self.totals.destinations.add(str(Path(where).parent) if not where.startswith("smtp://") else where)
        log.info("alert %s [%s] %s: %d posts, group %s → %s", alert.alert_id, alert.severity, alert.rule_id,
                    alert.count, alert.group, where)

    def lag(self) -> int | None:
        """Tagged posts not yet committed by the alerting job."""
        return lag(self.consumer)

    def close(self) -> None:
        """Leave the consumer group."""
        self.consumer.close()
