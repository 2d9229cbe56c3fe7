"""The connector base class: subclasses fetch records, the base produces them to Kafka.

A connector yields ``SourceRecord``s (a key and the exact bytes to put on the raw-posts topic);
``Connector.run`` owns the producer, sends each record keyed by its post id, waits until Kafka
acknowledges every send, and counts what it did. Fetching and normalising stay in the
subclass, producing and flushing stay here, so every connector delivers the same way.
"""

from __future__ import annotations

import abc
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from typing import Any

from kafka import KafkaProducer

from connectors.state import ConnectorState
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.fields import utc_now

log = logging.getLogger(__name__)


PREFETCH = 500
"""Records a stateful connector gathers before looking up, in one query, which were sent before."""
CONFIRM_EVERY = 1000
"""Records sent between two confirmations (flush, check every send, save the checkpoints)."""
MAX_WARNING_KINDS = 50
"""Distinct warning messages kept in ``ConnectorStats.warning_counts``; later ones count as "other"."""


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


@dataclass
class ConnectorStats:
    """What one connector run produced, and the non-fatal problems it met."""

    produced: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
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

    def warning_lines(self, limit: int = 10) -> list[str]:
        """The most frequent warnings, one line each (``count × message``)."""
        ranked = sorted(self.warning_counts.items(), key=lambda item: (-item[1], item[0]))
        lines = [f"{count:,} × {message}" for message, count in ranked[:limit]]
        if len(ranked) > limit:
            lines.append(f"... and {len(ranked) - limit} more kinds of warning")
        return lines


class Connector(abc.ABC):
    """A source of raw posts; subclasses implement ``records``."""

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

    def run(self, settings: Settings, stop: threading.Event) -> ConnectorStats:
        """Produce every record; return once all are acknowledged and checkpointed."""
        # A raw post is ~3 KB (the platform's item rides along in ``raw``): in the default 16 KB
        # batch five fit, and the sender would send a request for nearly every record.
        producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all", linger_ms=10, retries=5,
                                 batch_size=512 * 1024)
        topics = settings.kafka.topics
        pending: list[tuple[Any, SourceRecord]] = []  # sent in this window
        older: list[tuple[Any, SourceRecord]] = []  # sent in the window before, not yet confirmed
        # Posts sent but not yet confirmed, with their digests: the state learns them only then.
        in_flight: dict[str, str] = {}
        try:
            for chunk in self._chunks(self.records(stop)):
                sent_before = self._sent_before(chunk, in_flight)
                for record in chunk:
                    for message in record.warnings:
                        self.stats.warn(message)
                    if not record.produce:
                        future = None
                    elif record.failure is not None:
                        letter = DeadLetter.wrap(record.value, stage="connector", reason=record.failure,
                                                 error_type="NormaliseError", source=f"connector:{self.name}",
                                                 key=record.key, failed_at=utc_now())
                        future = producer.send(topics.dead_letter, key=(record.key or self.name).encode(),
                                               value=letter.model_dump_json().encode())
                    elif record.key is not None and record.digest is not None \
                            and sent_before.get(record.key) == record.digest:
                        future = None
                    else:
                        key = record.key.encode() if record.key is not None else None
                        future = producer.send(topics.raw, key=key, value=record.value)
                        if self.state is not None and record.key is not None and record.digest is not None:
                            sent_before[record.key] = in_flight[record.key] = record.digest
                    pending.append((future, record))
                    if not record.produce:
                        # A checkpoint-only record marks a natural pause (a file read to its end):
                        # confirm everything now, so a connector that then waits for more input
                        # has saved its progress.
                        producer.flush()
                        self._confirm(older + pending, in_flight)
                        older, pending = [], []
                    elif len(pending) >= CONFIRM_EVERY:
                        # Confirm the window before this one: its sends have had a whole window's
                        # time to be acknowledged, so this rarely waits, and the producer is never
                        # drained empty (a flush here would leave it idle while records are made).
                        self._confirm(older, in_flight)
                        older, pending = pending, []
            producer.flush()
            self._confirm(older + pending, in_flight)
            self.stats.finished = not stop.is_set()
        except Exception as exc:
            self.stats.error = f"{type(exc).__name__}: {exc}"
            log.error("connector %s failed: %s", self.name, self.stats.error)
            raise
        finally:
            producer.close()
            if self.state is not None:
                self.state.close()
        log.info("connector %s produced %d records (%d unchanged, %d dead-lettered, %d warnings)", self.name,
                 self.stats.produced, self.stats.unchanged, self.stats.dead_lettered, self.stats.warnings)
        return self.stats

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

    def _confirm(self, window: list[tuple[Any, SourceRecord]], in_flight: dict[str, str]) -> None:
        """Wait for every send of ``window``, count it, then save its posts and checkpoints together."""
        checkpoints: dict[str, Any] = {}
        sent = []
        for future, record in window:
            if future is not None:
                future.get(timeout=30)
            if not record.produce:
                pass
            elif record.failure is not None:
                self.stats.dead_lettered += 1
            elif future is None:
                self.stats.unchanged += 1
            else:
                self.stats.produced += 1
                if record.key is not None and record.digest is not None:
                    sent.append((record.key, record.digest))
            if record.checkpoint:
                checkpoints.update(record.checkpoint)
        if self.state is not None and (sent or checkpoints):
            self.state.commit(sent, checkpoints)
        for key, digest in sent:
            if in_flight.get(key) == digest:
                del in_flight[key]
