"""The alerting job: tagged posts → rule engine → alerts index, alerts topic and outbox → email/webhook.

Each step is a small transaction. It polls a batch of tagged posts and feeds them to the rule
engine (``pipelines.alerting.engine``) in event-time order. For every alert it fires, it indexes the
alert with ``op_type=create`` under its stable id, publishes it to the alerts topic and queues
its email (and webhook) in the outbox (``pipelines.delivery``); for every incident that cleared
it marks the opening alert ``resolved`` and queues a notice. It labels the posts of
near-duplicate clusters with their ``cluster_id`` in the posts index, saves the engine's state,
and only then commits the batch's offsets. Delivery drains the outbox afterwards, so an SMTP
outage never holds up the rule engine and never loses or reorders an email.

State and offsets move together, on a timer: while posts keep coming, the engine's state is
saved (durably: ``pipelines.alerting.state``) and then the offsets committed at most every
``alerting.checkpoint_interval``, and whenever the job has read everything (or stops). A save
costs what the state weighs, so it is not paid on every batch.

If anything before the commit fails, the engine is reloaded from the last saved state and the
posts since are re-read: a breach recomputed after a restart has the same alert id, the create
is refused as a duplicate, an alert already marked ``sent`` is not emailed again, a message
already queued or sent is not queued again (``Outbox``), and a dead letter already produced is
not produced again (``DeadLetterLedger``). If the state itself was lost or unreadable, the
incidents still open are rebuilt from the alerts index before the first batch, so a burst that
goes on keeps its incident (and its id) instead of opening a new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from elasticsearch import ConflictError, Elasticsearch, NotFoundError
from kafka.errors import KafkaError
from pydantic import ValidationError

from pipelines.alerting.engine import EVALUATORS, Breach, ClusterUpdate, Resolution, RuleEngine
from pipelines.alerting.silences import SilenceStore
from pipelines.alerting.state import STATE_FILE, DeadLetterLedger, EngineStateFile
from pipelines.common.clients import shared_client
from pipelines.common.erasures import shared_suppressions
from pipelines.common.kafka_io import batch_retry_wait, lag, make_consumer, poll_batch
from pipelines.common.records import KafkaRecord, dead_letter_message, record_key
from pipelines.common.verdicts import VerdictDesk
from pipelines.delivery.deliverer import Deliverer
from pipelines.delivery.outbox import Outbox, digest_release
from pipelines.delivery.verdict_links import LinkSigner, VerdictServer
from schemas.alert import Alert, make_alert_id
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.files import private_dir
from schemas.index import posts_pattern
from schemas.post import TaggedPost

log = logging.getLogger(__name__)

__all__ = ["STATE_FILE", "AlertingJob", "AlertingTotals", "Recent", "alert_from", "digest_release"]

SEND_TIMEOUT_S = 30.0
"""How long the broker may take to acknowledge the step's dead letters and alerts before the batch is retried."""
LABEL_ATTEMPTS = 30
"""Steps a cluster label is retried for a post not (yet) in the posts index before it is given up, loudly."""

REBUILD_PAGE = 500
KEEP_RECENT = 100

GROUP_BY_OF_TYPE = {"critical_post": "post", "coordinated": "cluster", "new_term": "term"}

T = TypeVar("T")


class Recent(Generic[T]):
    """How many items a run produced, and the newest ``keep`` of them: a summary that does not grow.

    ``len()`` counts them all; iterating, indexing and comparing with a list see the newest ones
    (``siaga run`` prints them). A job that runs for months fires thousands of alerts; keeping
    every one in memory was a leak.
    """

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, keep: int = KEEP_RECENT) -> None:
        self.items: deque[T] = deque(maxlen=keep)
        self.count = 0

    def append(self, item: T) -> None:
        """Count ``item`` and keep it among the newest."""
        self.items.append(item)
        self.count += 1

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __getitem__(self, index: int) -> T:
        return list(self.items)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Recent):
            return self.count == other.count and list(self.items) == list(other.items)
        if isinstance(other, list):
            return self.count == len(other) and list(self.items) == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"Recent({self.count} items, newest {list(self.items)!r})"


@dataclass
class AlertingTotals:
    """What the alerting job did in this process."""

    posts_seen: int = 0
    fired: Recent[Alert] = field(default_factory=Recent)
    resolved: Recent[str] = field(default_factory=Recent)
    silenced: int = 0
    already_sent: int = 0
    dead_lettered: int = 0
    labelled: int = 0
    labels_given_up: int = 0
    resolutions_without_alert: int = 0
    incidents_rebuilt: int = 0
    suppressed: int = 0
    """Tagged posts dropped because they were erased."""
    checkpoints: int = 0
    state_bytes: int = 0
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
        factcheck=breach.factcheck,
    )


class AlertingJob:
    """Consumes the tagged-posts topic and turns rule breaches into delivered alerts."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or process_clock()
        state_dir = private_dir(settings.alerting.state_dir)
        self.state = EngineStateFile(state_dir)
        self.state_path = self.state.path
        self.rules = {rule.id: rule for rule in settings.rules}
        self.engine, self.labels, self._rebuild_needed = self._load_state()
        self.silences = SilenceStore(state_dir)
        self.outbox = Outbox(state_dir / "queue")
        self.ledger = DeadLetterLedger(state_dir, self.clock)
        self.consumer = make_consumer(
            settings, settings.alerting.group_id, settings.kafka.topics.tagged, settings.pipeline.batch_max_records
        )
        self.es: Elasticsearch = shared_client("elasticsearch", settings.elasticsearch_kwargs())
        self.producer = shared_client("kafka", settings.kafka_client_kwargs())
        self._shared_producer = self.producer
        self.deliverer = Deliverer(settings, self.es, self.outbox, self.clock, self._dead_letter_now)
        self.totals = AlertingTotals()
        self.totals.destinations = self.deliverer.totals.destinations
        self.failures = 0
        self._sends: list[tuple[Any, str | None]] = []
        """This step's sends: (future, the dead letter's dedupe key, or None for an alert)."""
        self._rewind = False
        self._uncommitted = 0
        """Records processed since the last commit (the engine's state in memory holds them)."""
        self._saved_at: datetime | None = None
        self.suppressions = shared_suppressions(settings)
        self._erasures_applied = -1
        self.verdict_server = self._verdict_server()

    def _verdict_server(self) -> VerdictServer | None:
        """The endpoint of the "benar / salah" links in this job's emails, when they are configured."""
        signer = LinkSigner.of(self.settings.verdicts)
        if signer is None:
            return None
        desk = VerdictDesk(self.settings, self.es, self.producer, clock=self.clock, suppressions=self.suppressions)
        verdicts = self.settings.verdicts
        return VerdictServer(signer, desk, host=verdicts.listen_host, port=verdicts.listen_port,
                             clock=self.clock).start()

    # --- erasures ----------------------------------------------------------------------------

    def _apply_erasures(self) -> None:
        """Forget posts erased since the last look (``siaga erase``), in memory and in the saved state.

        The erase command cannot reach this job's state (it may run in another container, and
        this process would overwrite the file): the job reads the suppression list every
        ``erasure.refresh`` and forgets what is new on it itself, then saves its state at once.
        """
        suppressions = self.suppressions
        suppressions.refresh_if_due()
        if suppressions.generation == self._erasures_applied:
            return
        removed = self.engine.forget(suppressions.post_ids, suppressions.author_erased)
        pending = 0
        for cluster_id, item in list(self.labels.items()):
            kept = [pid for pid in item["post_ids"] if pid not in suppressions.post_ids and pid not in removed]
            pending += len(item["post_ids"]) - len(kept)
            if kept:
                item["post_ids"] = kept
            else:
                del self.labels[cluster_id]
        self._erasures_applied = suppressions.generation
        if removed or pending:
            log.warning("erasure: the alerting state forgot %d erased post(s)", len(removed) + pending)
            try:
                self.totals.state_bytes = self.state.save(self.engine, self.labels)
            except OSError as exc:  # saved again at the next checkpoint
                log.error("erasure: the alerting state could not be saved yet: %s", exc)

    # --- state -----------------------------------------------------------------------------

    def _new_engine(self) -> RuleEngine:
        return RuleEngine(self.settings.rules, self.settings.alerting.max_posts_in_alert, self.settings.alerting,
                          self.settings.election.entity_ids())

    def _load_state(self) -> tuple[RuleEngine, dict[str, dict[str, Any]], bool]:
        """The saved engine and labels, and whether its incidents must be rebuilt (no usable state)."""
        engine, labels, loaded = self.state.load(self._new_engine)
        return engine, labels, not loaded

    def _due(self) -> bool:
        return self._saved_at is None or self.clock.now() - self._saved_at >= self.settings.alerting.checkpoint_interval

    def _checkpoint(self) -> int:
        """Save the state durably, then commit the records it holds; return how many that committed."""
        try:
            self.totals.state_bytes = self.state.save(self.engine, self.labels)
        except Exception as exc:  # noqa: BLE001 - a full or read-only disk: retry from the last state, never exit
            self._failed("saving the alerting state failed", exc)
            return 0
        self._saved_at = self.clock.now()
        self.totals.checkpoints += 1
        if not self._uncommitted:
            return 0
        try:
            self.consumer.commit()
        except Exception as exc:  # noqa: BLE001 - e.g. CommitFailedError after a rebalance: re-read, never exit
            # The saved state already holds these records, as after a crash between saving and committing:
            # re-read, their posts are counted once (the engine drops post ids it has seen) and their
            # alerts exist already.
            self._failed(f"commit of {self._uncommitted} alerting records failed", exc)
            return 0
        committed, self._uncommitted = self._uncommitted, 0
        self.failures = 0
        return committed

    # --- the step --------------------------------------------------------------------------

    def _failed(self, what: str, exc: BaseException) -> None:
        """Reload the engine from its saved state and back off; the next step re-reads from the committed offsets."""
        self.failures += 1
        self._rewind = True
        self._settle_letters()
        self._uncommitted = 0
        delay = batch_retry_wait(self.settings, self.failures)
        log.error("%s: %s: %s; retrying in %.1fs", what, type(exc).__name__, exc, delay)
        self.engine, self.labels, self._rebuild_needed = self._load_state()
        self._erasures_applied = -1  # the state read back may predate an erasure it had forgotten
        self.clock.sleep(delay)

    def step(self) -> int:
        """Process one batch of tagged posts and drain the outbox; return how many records were committed."""
        pipeline = self.settings.pipeline
        self._apply_erasures()
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
                self._sends = []
                if self._rebuild_needed:
                    self._rebuild_incidents()
                self._process(records)
            except Exception as exc:  # noqa: BLE001 - any failure means: reload state, rewind, retry
                self._failed(f"alerting batch of {len(records)} failed", exc)
                return 0
            self._uncommitted += len(records)
            if self._due():
                committed = self._checkpoint()
        else:
            if self._uncommitted:
                committed = self._checkpoint()
            if self.labels and not self._rewind:
                try:
                    self._sends = []
                    self._apply_labels()
                    self._confirm_sends()
                    self.state.save(self.engine, self.labels)
                except Exception as exc:  # noqa: BLE001 - Elasticsearch unavailable: the labels wait for the next step
                    self._failed("cluster labels not applied yet", exc)
                    return committed
        self.deliver()
        return committed

    def deliver(self) -> int:
        """Send what the outbox holds (a channel whose server cannot be reached waits, in order)."""
        try:
            return self.deliverer.drain()
        except Exception as exc:  # noqa: BLE001 - Elasticsearch down while delivering: the queue waits
            log.error("delivery paused: %s", exc)
            return 0

    def _process(self, records: list[KafkaRecord]) -> None:
        posts: list[TaggedPost] = []
        for record in records:
            try:
                posts.append(TaggedPost.model_validate_json(record.value))
            except ValidationError as exc:
                self._letter(
                    DeadLetter.wrap(
                        record.value,
                        stage="alert",
                        reason=f"not a tagged post: {exc.error_count()} error(s), first: {exc.errors()[0]['msg']}",
                        error_type="ValidationError",
                        source=record.source,
                        key=record_key(record),
                        failed_at=self.clock.now(),
                    ),
                    record.source,
                )
        if self._sends:
            # confirmed (and remembered) before anything else can fail the batch and have it read again
            self._confirm_sends()
        for post in sorted(posts, key=lambda p: (p.created_at, p.post_id)):
            if self.suppressions.blocks_post(post):
                # An erased post still on the tagged topic (read again after a restart) counts nowhere.
                self.totals.suppressed += 1
                continue
            self.totals.posts_seen += 1
            for event in self.engine.observe_all(post):
                if isinstance(event, Breach):
                    self._fire(alert_from(event, self.clock.now()))
                else:
                    self._resolve(event)
        self._queue_labels(self.engine.take_cluster_updates())
        self._apply_labels()
        self._confirm_sends()

    # --- dead letters, once each ---------------------------------------------------------------

    def _letter(self, letter: DeadLetter, dedupe: str) -> None:
        """Produce a dead letter with this step's sends, unless one with ``dedupe`` went out already."""
        if dedupe in self.ledger or any(key == dedupe for _, key in self._sends):
            return
        key, value = dead_letter_message(letter)
        self._sends.append((self.producer.send(self.settings.kafka.topics.dead_letter, key=key, value=value), dedupe))

    def _confirm_sends(self) -> None:
        """Wait for this step's sends; remember the dead letters the broker took; raise if it refused any.

        flush() does not raise for a send the broker refused; only its future says so. A failed one
        fails the batch: nothing is committed, and the batch is read again; the dead letters that
        did go out are in the ledger, so only the others are produced again.
        """
        self.producer.flush()
        produced, error = [], None
        for future, dedupe in self._sends:
            try:
                future.get(timeout=SEND_TIMEOUT_S)
            except KafkaError as exc:
                error = error or exc
                continue
            if dedupe is not None:
                produced.append(dedupe)
        self._sends = []
        if produced:
            self.ledger.add(produced)
            self.totals.dead_lettered += len(produced)
        if error is not None:
            self._own_producer()
            raise error

    def _settle_letters(self) -> None:
        """After a failed step: remember the dead letters that went out all the same, forget the other sends."""
        sends, self._sends = self._sends, []
        if not any(dedupe for _, dedupe in sends):
            return
        try:
            self.producer.flush(timeout=SEND_TIMEOUT_S)
        except KafkaError:
            return
        produced = [dedupe for future, dedupe in sends if dedupe and future.is_done and future.succeeded()]
        if produced:
            try:
                self.ledger.add(produced)
            except OSError as exc:
                log.error("dead-letter ledger not written (%s); %d dead letter(s) may be produced again", exc,
                          len(produced))
            self.totals.dead_lettered += len(produced)

    def _dead_letter_now(self, letter: DeadLetter, dedupe: str) -> None:
        """Produce one dead letter and wait for the broker (for delivery, outside any batch), once per key."""
        if dedupe in self.ledger:
            return
        key, value = dead_letter_message(letter)
        try:
            self.producer.send(self.settings.kafka.topics.dead_letter, key=key, value=value).get(timeout=SEND_TIMEOUT_S)
        except KafkaError:
            self._own_producer()
            raise
        self.ledger.add([dedupe])
        self.totals.dead_lettered += 1

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
        self._sends.append((self.producer.send(self.settings.kafka.topics.alerts, key=alert.alert_id.encode(),
                                               value=alert.model_dump_json().encode()), None))

    def _fire(self, alert: Alert) -> None:
        index = self.settings.elasticsearch.alerts_index
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
        self._complete(alert)

    def _complete(self, alert: Alert) -> None:
        """Publish an indexed alert and queue its email and webhook (the outbox takes each key once)."""
        self._publish(alert)
        self.totals.fired.append(alert)
        if alert.state == "silenced":
            self.totals.silenced += 1
            log.info("alert %s silenced by %s", alert.alert_id, alert.silence_id)
            return
        rule = self.rules.get(alert.rule_id)
        entry = {"kind": "alert", "alert_id": alert.alert_id, "rule_id": alert.rule_id}
        if alert.delivery == "pending":
            email_entry = dict(entry)
            if rule is not None and rule.digest is not None:
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
            self._resolution_without_alert(resolution, index)
            return
        if alert.resolved_at is not None:
            return
        state = "silenced" if alert.state == "silenced" else "resolved"
        alert = alert.model_copy(update={"state": state, "resolved_at": resolution.at})
        if state == "resolved":
            # Queued before the alert is marked resolved: after a crash between the two, the batch is
            # read again, the alert is still open and the notice is queued again (and refused as a
            # duplicate). The other way round, the re-read found it resolved and the notice was lost.
            entry = {"kind": "resolved", "alert_id": alert.alert_id, "rule_id": alert.rule_id,
                     "resolved_at": resolution.at.isoformat()}
            self.outbox.enqueue("email", f"{alert.alert_id}.resolved", entry)
            if self.settings.alerting.webhook is not None:
                self.outbox.enqueue("webhook", f"{alert.alert_id}.resolved", entry)
        self.es.update(index=index, id=alert.alert_id,
                       doc={"state": state, "resolved_at": resolution.at.isoformat()})
        self._publish(alert)
        self.totals.resolved.append(alert.alert_id)

    def _resolution_without_alert(self, resolution: Resolution, index: str) -> None:
        self.totals.resolutions_without_alert += 1
        reason = (f"incident {resolution.incident_id} of rule {resolution.rule.id} (group {resolution.group}) "
                  f"cleared at {resolution.at.isoformat()}, but its alert is not in {index}: no notice can be sent")
        original = json.dumps({"incident_id": resolution.incident_id, "rule_id": resolution.rule.id,
                               "group": resolution.group, "resolved_at": resolution.at.isoformat()}).encode()
        source = f"alerting/resolution/{resolution.incident_id}"
        self._letter(DeadLetter.wrap(original, stage="alert", reason=reason, error_type="MissingAlert", source=source,
                                     key=resolution.incident_id, failed_at=self.clock.now()), source)
        log.error("%s; dead-lettered", reason)

    # --- after a lost state ----------------------------------------------------------------

    def _rebuild_incidents(self) -> None:
        """Take over the incidents still open in the alerts index, and the cooldowns of recent alerts.

        Runs before the first batch when there was no usable state: the offsets say where to go on
        reading, but the engine knows no incident, so an ongoing burst would fire again under a new
        id (and its first incident would never be resolved).
        """
        index = self.settings.elasticsearch.alerts_index
        if not self.es.indices.exists(index=index):
            self._rebuild_needed = False
            return
        self.es.indices.refresh(index=index)
        tracked = [rule_type for rule_type, evaluator in EVALUATORS.items() if evaluator.tracks_incidents]
        opening = list(self._all_alerts(index, {"bool": {
            "filter": [{"terms": {"rule_type": tracked}}],
            "must_not": [{"exists": {"field": "resolved_at"}}, {"exists": {"field": "incident_id"}}]}}))
        latest: dict[str, Alert] = {}
        realerts: list[Alert] = []
        ids = [alert.alert_id for alert in opening]
        for start in range(0, len(ids), REBUILD_PAGE):
            for realert in self._all_alerts(index, {"terms": {"incident_id": ids[start:start + REBUILD_PAGE]}}):
                realerts.append(realert)
                known = latest.get(realert.incident_id or "")
                if known is None or realert.realert > known.realert:
                    latest[realert.incident_id or ""] = realert
        adopted = 0
        for alert in opening:
            rule = self.rules.get(alert.rule_id)
            if rule is None or rule.type != alert.rule_type:
                continue
            last = latest.get(alert.alert_id, alert)
            if self.engine.adopt_incident(alert.rule_id, alert.group, alert.alert_id, alert.window_end,
                                          last.window_end, last.realert):
                adopted += 1
        # The posts after the committed offsets are read again, but their breaches now fall inside
        # adopted incidents and fire nothing: finish here what a crash may have cut short after an
        # alert was indexed (its publication, its queued messages).
        for alert in [*opening, *realerts]:
            if "pending" in (alert.delivery, alert.webhook) or alert.state == "silenced":
                self._complete(alert)
        longest = max((rule.cooldown for rule in self.rules.values()), default=timedelta(0))
        since = self.clock.now() - longest - timedelta(days=1)
        for alert in self._all_alerts(index, {"range": {"fired_at": {"gte": since.isoformat()}}}):
            self.engine.keep_quiet(alert.rule_id, alert.group, alert.window_end)
        self.totals.incidents_rebuilt += adopted
        self._rebuild_needed = False
        log.log(logging.WARNING if adopted or self.state.quarantined else logging.INFO,
                "no usable alerting state: took over %d open incident(s) from %s", adopted, index)

    def _all_alerts(self, index: str, query: dict[str, Any]) -> Iterator[Alert]:
        after: list[Any] | None = None
        while True:
            page = self.es.search(index=index, query=query, size=REBUILD_PAGE,
                                  sort=[{"fired_at": "asc"}, {"alert_id": "asc"}],
                                  search_after=after)["hits"]["hits"]
            for hit in page:
                yield Alert.model_validate(hit["_source"])
            if len(page) < REBUILD_PAGE:
                return
            after = page[-1]["sort"]

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
                self._label_given_up(cluster_id, missing, alias)
                del self.labels[cluster_id]

    def _label_given_up(self, cluster_id: str, missing: list[str], alias: str) -> None:
        self.totals.labels_given_up += len(missing)
        reason = (f"cluster {cluster_id}: {len(missing)} post(s) never appeared in {alias} after {LABEL_ATTEMPTS} "
                  "tries; their cluster label is given up")
        original = json.dumps({"cluster_id": cluster_id, "post_ids": missing}).encode()
        source = f"alerting/labels/{cluster_id}"
        self._letter(DeadLetter.wrap(original, stage="alert", reason=reason, error_type="LabelGivenUp", source=source,
                                     key=cluster_id, failed_at=self.clock.now()),
                     f"{source}/{hashlib.sha256(original).hexdigest()[:16]}")
        log.error("%s (dead-lettered): %s", reason, ", ".join(missing[:10]))

    # --- the rest ----------------------------------------------------------------------------

    def lag(self) -> int | None:
        """Tagged posts not yet committed by the alerting job."""
        return lag(self.consumer)

    def close(self) -> None:
        """Save and commit what was processed, leave the consumer group (and close the job's own producer)."""
        if self._uncommitted:
            try:
                self.state.save(self.engine, self.labels)
                self.consumer.commit()
                self._uncommitted = 0
            except Exception as exc:  # noqa: BLE001 - stopping anyway: the next start re-reads these records
                log.error("alerting state not saved on close (%s: %s); the next start re-reads %d record(s)",
                          type(exc).__name__, exc, self._uncommitted)
        self.consumer.close()
        if self.verdict_server is not None:
            self.verdict_server.close()
        if self.producer is not self._shared_producer:
            self.producer.close(timeout=5)
