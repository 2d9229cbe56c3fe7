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
from dataclasses import dataclass

from typing import Any

from kafka import KafkaProducer

from connectors.state import ConnectorState
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.fields import utc_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceRecord:
    """One record for the raw-posts topic: the post id as key (if known) and the value bytes.

    ``failure`` marks a payload the connector could not normalise: it goes to the dead-letter
    topic with that reason and ``value`` as the original bytes. ``digest`` (what identifies the
    content, without collection times) lets a stateful connector skip a post it already sent
    unchanged. ``checkpoint`` is saved once this record and all before it are acknowledged.
    """

    key: str | None
    value: bytes
    failure: str | None = None
    digest: str | None = None
    checkpoint: dict[str, Any] | None = None
    produce: bool = True
    """False for a record that only carries a checkpoint (e.g. "this file was read to the end")."""


@dataclass
class ConnectorStats:
    """What one connector run produced."""

    produced: int = 0
    unchanged: int = 0
    dead_lettered: int = 0
    finished: bool = False
    error: str | None = None


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
        """Yield records until the source is exhausted or ``stop`` is set."""

    state: ConnectorState | None = None
    """Checkpoints and sent posts; ``None`` for a connector that keeps no state (replay)."""

    def check(self) -> str:
        """Validate what can be validated without producing (credentials, paths); say what was found."""
        return "configuration valid"

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
        pending: list[tuple[Any, SourceRecord]] = []
        try:
            for record in self.records(stop):
                if not record.produce:
                    future = None
                elif record.failure is not None:
                    letter = DeadLetter.wrap(record.value, stage="connector", reason=record.failure,
                                             error_type="NormaliseError", source=f"connector:{self.name}",
                                             key=record.key, failed_at=utc_now())
                    future = producer.send(topics.dead_letter, key=(record.key or self.name).encode(),
                                           value=letter.model_dump_json().encode())
                elif (self.state is not None and record.key is not None and record.digest is not None
                      and not self.state.is_new(record.key, record.digest)):
                    future = None
                else:
                    key = record.key.encode() if record.key is not None else None
                    future = producer.send(topics.raw, key=key, value=record.value)
                pending.append((future, record))
                # A checkpoint-only record marks a natural pause (a file read to its end): confirm
                # now, so a connector that then waits for more input has saved its progress.
                if len(pending) >= 1000 or not record.produce:
                    self._confirm(producer, pending)
            self._confirm(producer, pending)
            self.stats.finished = not stop.is_set()
        except Exception as exc:
            self.stats.error = f"{type(exc).__name__}: {exc}"
            log.error("connector %s failed: %s", self.name, self.stats.error)
            raise
        finally:
            producer.close()
            if self.state is not None:
                self.state.close()
        log.info("connector %s produced %d records (%d unchanged, %d dead-lettered)", self.name,
                 self.stats.produced, self.stats.unchanged, self.stats.dead_lettered)
        return self.stats

    def _confirm(self, producer: KafkaProducer, pending: list[tuple[Any, SourceRecord]]) -> None:
        producer.flush()
        checkpoints: dict[str, Any] = {}
        sent = []
        for future, record in pending:
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
        if self.state is not None:
            self.state.commit(sent, checkpoints)
        pending.clear()
