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

from kafka import KafkaProducer

from schemas.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceRecord:
    """One record for the raw-posts topic: the post id as key (if known) and the value bytes."""

    key: str | None
    value: bytes


@dataclass
class ConnectorStats:
    """What one connector run produced."""

    produced: int = 0
    finished: bool = False
    error: str | None = None


class Connector(abc.ABC):
    """A source of raw posts; subclasses implement ``records``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.stats = ConnectorStats()

    @abc.abstractmethod
    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """Yield records until the source is exhausted or ``stop`` is set."""

    def run(self, settings: Settings, stop: threading.Event) -> ConnectorStats:
        """Produce every record to the raw-posts topic; return once all are acknowledged."""
        producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all", linger_ms=10, retries=5)
        topic = settings.kafka.topics.raw
        pending = []
        try:
            for record in self.records(stop):
                key = record.key.encode() if record.key is not None else None
                pending.append(producer.send(topic, key=key, value=record.value))
                if len(pending) >= 1000:
                    self._confirm(producer, pending)
            self._confirm(producer, pending)
            self.stats.finished = not stop.is_set()
        except Exception as exc:
            self.stats.error = f"{type(exc).__name__}: {exc}"
            log.error("connector %s failed: %s", self.name, self.stats.error)
            raise
        finally:
            producer.close()
        log.info("connector %s produced %d records", self.name, self.stats.produced)
        return self.stats

    def _confirm(self, producer: KafkaProducer, pending: list) -> None:
        producer.flush()
        for future in pending:
            future.get(timeout=30)
        self.stats.produced += len(pending)
        pending.clear()
