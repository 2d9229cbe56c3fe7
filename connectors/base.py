"""The connector base class: subclasses fetch records, the base produces them to Kafka.

A connector yields ``SourceRecord``s (a key and the exact bytes to put on the raw-posts topic);
``Connector.run`` owns the producer, sends each record keyed by its post id, waits until Kafka
acknowledges every send, and counts what it did. Fetching and normalising stay in the
subclass, producing and flushing stay here, so every connector delivers the same way.

The producer is confluent-kafka's (librdkafka, in C): kafka-python's ``send`` costs ~35 us of
Python per 3 KB record, as much as normalising it, and that alone kept imports under 10,000
posts/s; librdkafka's ``produce`` costs ~2 us (bench/connectors.py measures both). The rest of
Siaga may keep kafka-python: the wire protocol is the same.
"""

from __future__ import annotations

import abc
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from confluent_kafka import KafkaError, KafkaException, Producer
from pydantic_core import PydanticSerializationError

from connectors.state import ConnectorState, content_digest
from schemas.clock import Clock, process_clock, utc_now
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.erasure import SuppressionList, post_author_refs
from schemas.post import Post

log = logging.getLogger(__name__)


PREFETCH = 500
"""Records a stateful connector gathers before looking up, in one query, which were sent before."""
CONFIRM_EVERY = 1000
"""Records per confirmation window: a window's delivery reports are checked, and its posts and
checkpoints saved, once the window after it is full (or at a checkpoint-only record)."""
CONFIRM_TIMEOUT_S = 60.0
"""How long a send may stay unacknowledged before the run fails (as ``message.timeout.ms``)."""
PRODUCER_SETTINGS: dict[str, Any] = {
    "acks": "all",
    "linger.ms": 10,
    # A raw post is ~3 KB (the platform's item rides along in ``raw``): 512 KB batches keep the
    # number of produce requests low.
    "batch.size": 512 * 1024,
    "retries": 5,
    # As kafka-python's default: a retried batch cannot overtake more than a few others, so an
    # older version of a post is not written after a newer one.
    "max.in.flight.requests.per.connection": 5,
    "message.timeout.ms": int(CONFIRM_TIMEOUT_S * 1000),
    # librdkafka's default, stated so the size check below uses the same figure: under Kafka's
    # 1,048,588-byte broker default, so what librdkafka accepts the broker accepts too.
    "message.max.bytes": 1_000_000,
}
"""librdkafka settings of every connector's producer (besides the connection's)."""
RECORD_OVERHEAD = 64
"""Bytes librdkafka counts against ``message.max.bytes`` besides key and value (36 measured with
confluent-kafka 2.16 for a record without headers; rounded up)."""
MAX_MESSAGE_BYTES = PRODUCER_SETTINGS["message.max.bytes"] - RECORD_OVERHEAD
"""The largest key + value a connector produces; a larger post is dead-lettered instead of
making ``produce`` raise ``MSG_SIZE_TOO_LARGE`` (which ended the connector's thread)."""
MAX_WARNING_KINDS = 50
"""Distinct warning messages kept in ``ConnectorStats.warning_counts``; later ones count as "other"."""
STATE_PRUNE_EVERY = timedelta(days=1)
"""How often a long-running connector applies the retention to its own state (and once at start)."""

SENT, UNCHANGED, SUPPRESSED, NOT_A_POST = "sent", "unchanged", "suppressed", "not a post"
"""What became of each record of a window (a dead letter is told by its ``failure``)."""


@dataclass(frozen=True)
class SourceRecord:
    """One record for the raw-posts topic: the post id as key (if known) and the value bytes.

    ``failure`` marks a payload the connector could not normalise: it goes to the dead-letter
    topic with that reason and ``value`` as the original bytes. ``digest`` (what identifies the
    content, without collection times) lets a stateful connector skip a post it already sent
    unchanged. ``checkpoint`` is saved once this record and all before it are acknowledged.
    ``warnings`` are non-fatal problems met while normalising (a fallback taken, a value not
    read): the post is still sent, and the run's stats count them for the operator.
    """

    key: str | None
    value: bytes
    failure: str | None = None
    digest: str | None = None
    checkpoint: dict[str, Any] | None = None
    produce: bool = True
    """False for a record that only carries a checkpoint (e.g. "this file was read to the end")."""
    warnings: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    """The post's author as ``schemas.erasure.author_refs`` (handle, numeric id): what an erased
    author is recognised by. Empty when unknown (a replayed line, a failure)."""
    original_size: int | None = None
    """For a failure whose ``value`` is only the beginning of the original (a line too long to
    hold): the whole original's size in bytes, and its SHA-256 in ``original_sha256``."""
    original_sha256: str | None = None


@dataclass
class ConnectorStats:
    """What one connector run produced, and the non-fatal problems it met."""

    produced: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
    suppressed: int = 0
    """Posts dropped before producing because they were erased (``siaga erase``): never sent, never dead-lettered."""
    finished: bool = False
    error: str | None = None
    warnings: int = 0
    """Non-fatal problems: records normalised with a fallback, values not read, sources skipped."""
    warning_counts: dict[str, int] = field(default_factory=dict)
    """How often each distinct warning message occurred (at most ``MAX_WARNING_KINDS`` messages)."""

    def warn(self, message: str) -> None:
        """Count one warning under its message."""
        self.warnings += 1
        if message not in self.warning_counts and len(self.warning_counts) >= MAX_WARNING_KINDS:
            message = "other warnings"
        self.warning_counts[message] = self.warning_counts.get(message, 0) + 1

    def add(self, other: ConnectorStats) -> None:
        """Add the counts of another run of the same source (a restarted connector's)."""
        self.produced += other.produced
        self.unchanged += other.unchanged
        self.dead_lettered += other.dead_lettered
        self.suppressed += other.suppressed
        for message, count in other.warning_counts.items():
            if message not in self.warning_counts and len(self.warning_counts) >= MAX_WARNING_KINDS:
                message = "other warnings"
            self.warning_counts[message] = self.warning_counts.get(message, 0) + count
        self.warnings += other.warnings

    def warning_lines(self, limit: int = 10) -> list[str]:
        """The most frequent warnings, one line each (``count × message``)."""
        ranked = sorted(self.warning_counts.items(), key=lambda item: (-item[1], item[0]))
        lines = [f"{count:,} × {message}" for message, count in ranked[:limit]]
        if len(ranked) > limit:
            lines.append(f"... and {len(ranked) - limit} more kinds of warning")
        return lines


_NOT_CONTENT = {"collected_at", "raw"}  # a set, not a frozenset: the type pydantic's `exclude` names


def encode_post(post: Post) -> tuple[bytes, str]:
    r"""A post's Kafka value and the digest of its content (everything but collection time and raw item).

    Raise ``ValueError`` for a post that cannot be written as JSON: a ``\ud800`` escape in an
    item decodes to a lone surrogate, which passes validation but has no UTF-8 form.
    """
    try:
        value = post.model_dump_json().encode()
        digest = content_digest(post.model_dump_json(exclude=_NOT_CONTENT).encode())
    except PydanticSerializationError as exc:
        msg = f"cannot be written as JSON ({str(exc).removeprefix('Error serializing to JSON: ')})"
        raise ValueError(msg) from None
    return value, digest


def post_record(post: Post, **extra: Any) -> SourceRecord:
    """The ``SourceRecord`` of a normalised post: its id as key, its JSON, digest and author references.

    Raise ``ValueError`` as ``encode_post`` does.
    """
    value, digest = encode_post(post)
    return SourceRecord(post.post_id, value, digest=digest, authors=post_author_refs(post), **extra)


def raw_bytes(item: Any) -> bytes:
    """An API item as JSON bytes for a dead letter, whatever strings it holds."""
    return json.dumps(item, ensure_ascii=False).encode("utf-8", "backslashreplace")


def producer_config(settings: Settings, client_id: str = "siaga-connector") -> dict[str, Any]:
    """librdkafka configuration for the configured Kafka: the connection, then ``PRODUCER_SETTINGS``."""
    kafka = settings.kafka
    config: dict[str, Any] = {
        "bootstrap.servers": settings.kafka_bootstrap(),
        "security.protocol": kafka.security_protocol,
        "client.id": client_id,
        "logger": logging.getLogger("connectors.kafka"),
        **PRODUCER_SETTINGS,
    }
    if kafka.ssl_cafile:
        config["ssl.ca.location"] = str(kafka.ssl_cafile)
    if kafka.sasl_mechanism:
        config["sasl.mechanism"] = kafka.sasl_mechanism
        config["sasl.username"] = kafka.sasl_username or ""
        config["sasl.password"] = kafka.sasl_password.get_secret_value() if kafka.sasl_password else ""
    return config


class _Window:
    """The records handled since the last confirmation, and the delivery reports of those sent."""

    __slots__ = ("delivered", "errors", "records", "sent")

    def __init__(self) -> None:
        self.records: list[tuple[str, SourceRecord]] = []  # (SENT, UNCHANGED, SUPPRESSED or NOT_A_POST, record)
        self.sent = 0
        self.delivered = 0
        self.errors: list[KafkaError] = []

    def report(self, error: KafkaError | None, _message: Any) -> None:
        """librdkafka's delivery report (called from ``poll``/``flush``, on the producing thread)."""
        self.delivered += 1
        if error is not None:
            self.errors.append(error)


class Connector(abc.ABC):
    """A source of raw posts; subclasses implement ``records``."""

    topic: ClassVar[str] = "raw"
    """The field of ``kafka.topics`` the records go to: ``raw`` for posts (``factchecks`` for fact-checks)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = ConnectorStats()

    @classmethod
    @abc.abstractmethod
    def from_config(cls, source: Any, settings: Settings) -> Connector:
        """Build the connector a configured source describes."""

    @abc.abstractmethod
    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """Yield records until the source is exhausted or ``stop`` is set.

        A connector with state ends each burst of records it has at hand (a page of an API, the
        end of a file) with a checkpoint-only record (``produce=False``): ``run`` gathers records
        up to one of those, or up to ``PREFETCH`` records, before it produces them.
        """

    state: ConnectorState | None = None
    """Checkpoints and sent posts; ``None`` for a connector that keeps no state (replay)."""

    def check(self) -> str:
        """Validate what can be validated without producing (credentials, paths); say what was found."""
        return "configuration valid"

    def warn(self, message: str) -> None:
        """Report a non-fatal problem of the source itself (not of one record): logged and counted."""
        log.warning("connector %s: %s", self.name, message)
        self.stats.warn(message)

    @property
    def bounded(self) -> bool:
        """Whether the source runs out (a file) rather than being polled until stopped (an API)."""
        return True

    def run(self, settings: Settings, stop: threading.Event,
            suppressions: SuppressionList | None = None) -> ConnectorStats:
        """Produce every record; return once all are acknowledged and checkpointed.

        ``suppressions`` is the list of erased posts and authors (``schemas.erasure``): a post on
        it is dropped before producing, counted as suppressed, and forgotten by the state. Every
        command that runs a connector passes it; ``None`` (unit tests of fetching alone) checks
        nothing.
        """
        producer = Producer(producer_config(settings, f"siaga-connector-{self.name}"))
        topics = settings.kafka.topics
        window = _Window()  # handled since the last confirmation
        older = _Window()  # the window before, not yet confirmed
        # Posts sent but not yet confirmed, with their digests: the state learns them only then.
        in_flight: dict[str, str] = {}
        self._suppressions = suppressions
        clock = getattr(self, "clock", None) or process_clock()
        try:
            self._maintain_state(settings, clock)
            for chunk in self._chunks(self.records(stop)):
                self._maintain_state(settings, clock)
                sent_before = self._sent_before(chunk, in_flight)
                for record in chunk:
                    for message in record.warnings:
                        self.stats.warn(message)
                    outcome = SENT
                    if not record.produce:
                        outcome = NOT_A_POST
                    elif record.failure is not None:
                        self._dead_letter(producer, window, topics.dead_letter, record, "NormaliseError")
                    elif suppressions is not None and suppressions.blocks(record.key, record.authors):
                        # Checked before anything is produced, the dead-letter topic included: an
                        # erased post must not reach Kafka in any form.
                        outcome = SUPPRESSED
                        log.debug("connector %s: post %s is erased, dropped", self.name, record.key)
                    elif record.key is not None and record.digest is not None \
                            and sent_before.get(record.key) == record.digest:
                        outcome = UNCHANGED
                    else:
                        refused = _send_post(producer, window, getattr(topics, self.topic), record)
                        if refused is not None:
                            # Counted and checkpointed as a dead letter, and not remembered as sent:
                            # a later, smaller version of the post is sent.
                            log.warning("connector %s: post %s dead-lettered: %s", self.name, record.key, refused)
                            record = replace(record, failure=refused, digest=None)
                            self._dead_letter(producer, window, topics.dead_letter, record, "ProduceError")
                        elif self.state is not None and record.key is not None and record.digest is not None:
                            sent_before[record.key] = in_flight[record.key] = record.digest
                    window.records.append((outcome, record))
                    if not record.produce:
                        # A checkpoint-only record marks a natural pause (a file read to its end):
                        # confirm everything now, so a connector that then waits for more input
                        # has saved its progress.
                        self._confirm(producer, older, in_flight)
                        self._confirm(producer, window, in_flight)
                        older, window = _Window(), _Window()
                    elif len(window.records) >= CONFIRM_EVERY:
                        # Confirm the window before this one: its sends have had a whole window's
                        # time to be acknowledged, so this rarely waits, and the producer is never
                        # drained empty (a flush here would leave it idle while records are made).
                        self._confirm(producer, older, in_flight)
                        older, window = window, _Window()
                producer.poll(0)  # serve the delivery reports that have arrived
            self._confirm(producer, older, in_flight)
            self._confirm(producer, window, in_flight)
            self.stats.finished = not stop.is_set()
        except Exception as exc:
            self.stats.error = f"{type(exc).__name__}: {exc}"
            log.error("connector %s failed: %s", self.name, self.stats.error)
            raise
        finally:
            # Sends not yet confirmed are not checkpointed either: a restart sends them again.
            producer.flush(5)
            if self.state is not None:
                self.state.close()
        log.info("connector %s produced %d records (%d unchanged, %d dead-lettered, %d suppressed as erased, "
                 "%d warnings)", self.name, self.stats.produced, self.stats.unchanged, self.stats.dead_lettered,
                 self.stats.suppressed, self.stats.warnings)
        return self.stats

    _suppressions: SuppressionList | None = None
    _erasures_applied = -1
    _forgotten: frozenset[str] = frozenset()
    _pruned_at: datetime | None = None

    def _maintain_state(self, settings: Settings, clock: Clock) -> None:
        """Keep the state to what it may hold: forget newly erased posts, and apply the retention daily.

        The retention pass (``siaga retention``, ``siaga run``) prunes the state files it can
        reach; a connector in a container of its own has them to itself, so it prunes its own.
        """
        if self.state is None:
            return
        suppressions = self._suppressions
        if suppressions is not None:
            suppressions.refresh_if_due()
            if suppressions.generation != self._erasures_applied:
                fresh = suppressions.post_ids - self._forgotten
                if fresh:
                    forgotten = self.state.forget(fresh)
                    if forgotten:
                        log.warning("connector %s: forgot %d erased post(s) it had sent", self.name, forgotten)
                self._forgotten = suppressions.post_ids
                self._erasures_applied = suppressions.generation
        now = clock.now()
        if self._pruned_at is None or now - self._pruned_at >= STATE_PRUNE_EVERY:
            self._pruned_at = now
            before = now - settings.retention.posts
            pruned = self.state.prune(before)
            if pruned.sent or pruned.checkpoints:
                log.warning("connector %s: retention deleted %d sent-post record(s) and %d idle checkpoint(s) from "
                            "before %s", self.name, pruned.sent, pruned.checkpoints, before.isoformat())

    def _dead_letter(self, producer: Producer, window: _Window, topic: str, record: SourceRecord,
                     error_type: str) -> None:
        """Send ``record`` (with its ``failure``) to the dead-letter topic, its value as the original."""
        whole: dict[str, Any] = {}
        if record.original_size is not None:
            whole = {"original_size": record.original_size, "original_sha256": record.original_sha256,
                     "truncated": True}
        letter = DeadLetter.wrap(record.value, stage="connector", reason=record.failure or "",
                                 error_type=error_type, source=f"connector:{self.name}", key=record.key,
                                 failed_at=utc_now(), **whole)
        # A dead letter is at most ~700 KB (its original is cut at 256 KB), so it always fits; if
        # Kafka refuses it anyway, the run fails and the record is read again on restart.
        _send(producer, window, topic, (record.key or self.name).encode(), letter.model_dump_json().encode())

    def _chunks(self, records: Iterator[SourceRecord]) -> Iterator[list[SourceRecord]]:
        """Records in runs of up to ``PREFETCH``, each run ending early at a checkpoint-only record.

        Without state there is nothing to look up, so records go out one by one (a paced replay
        must not wait for a run to fill).
        """
        if self.state is None:
            for record in records:
                yield [record]
            return
        chunk: list[SourceRecord] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= PREFETCH or not record.produce:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _sent_before(self, chunk: list[SourceRecord], in_flight: dict[str, str]) -> dict[str, str]:
        """The digest last sent for each post of ``chunk`` sent before, looked up in one query."""
        if self.state is None:
            return {}
        keys = [record.key for record in chunk
                if record.produce and record.failure is None and record.key is not None and record.digest is not None]
        if not keys:
            return {}
        known = self.state.sent_digests(key for key in keys if key not in in_flight)
        known.update((key, in_flight[key]) for key in keys if key in in_flight)
        return known

    def _confirm(self, producer: Producer, window: _Window, in_flight: dict[str, str]) -> None:
        """Wait for every send of ``window``, count it, then save its posts and checkpoints together."""
        deadline = time.monotonic() + CONFIRM_TIMEOUT_S + 5
        while window.delivered < window.sent:
            if time.monotonic() > deadline:
                msg = f"{window.sent - window.delivered} sends unacknowledged after {CONFIRM_TIMEOUT_S + 5:.0f} s"
                raise TimeoutError(msg)
            producer.poll(0.05)
        if window.errors:
            raise KafkaException(window.errors[0])
        checkpoints: dict[str, Any] = {}
        posts = []
        erased = self._suppressions.post_ids if self._suppressions is not None else frozenset()
        for outcome, record in window.records:
            if not record.produce:
                pass
            elif record.failure is not None:
                self.stats.dead_lettered += 1
            elif outcome == SUPPRESSED:
                self.stats.suppressed += 1
            elif outcome == UNCHANGED:
                self.stats.unchanged += 1
            else:
                self.stats.produced += 1
                # A post erased while it was on its way is not remembered as sent.
                if record.key is not None and record.digest is not None and record.key not in erased:
                    posts.append((record.key, record.digest))
            if record.checkpoint:
                checkpoints.update(record.checkpoint)
        if self.state is not None and (posts or checkpoints):
            self.state.commit(posts, checkpoints)
        for outcome, record in window.records:
            if outcome == SENT and record.key in in_flight and in_flight[record.key] == record.digest:
                del in_flight[record.key]


def _send_post(producer: Producer, window: _Window, topic: str, record: SourceRecord) -> str | None:
    """Hand a post to librdkafka; the reason it was refused, if it was (nothing is sent then).

    The size is checked first, so an over-size post never reaches ``produce``; any other
    error ``produce`` raises for this one record (not a fatal one of the producer) is the
    record's, and it is dead-lettered like a post that did not normalise.
    """
    key = record.key.encode() if record.key is not None else None
    size = len(record.value) + len(key or b"")
    if size > MAX_MESSAGE_BYTES:
        return f"the post is {size:,} bytes, over the {MAX_MESSAGE_BYTES:,}-byte limit of a Kafka message"
    try:
        _send(producer, window, topic, key, record.value)
    except KafkaException as exc:
        error = exc.args[0] if exc.args and isinstance(exc.args[0], KafkaError) else None
        if error is None or error.fatal():
            raise
        return f"Kafka refused the post ({error.name()}: {error.str()})"
    return None


def _send(producer: Producer, window: _Window, topic: str, key: bytes | None, value: bytes) -> None:
    """Hand one message to librdkafka; its delivery report lands in ``window``."""
    while True:
        try:
            producer.produce(topic, value=value, key=key, on_delivery=window.report)
            break
        except BufferError:  # the local queue is full: let the sender catch up
            producer.poll(0.05)
    window.sent += 1
