"""Idempotent sinks as Beam transforms: Elasticsearch bulk indexing and Kafka producing.

Both key every write by the stable post id, so writing the same post twice leaves one copy.
A sink that cannot write raises, which fails the bundle: the driver then retries the batch and
commits no offset for it. A document Elasticsearch refuses for what it is (a mapping conflict,
too large) cannot succeed on retry, so it becomes a dead letter instead, carrying
Elasticsearch's reason.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from pipelines.transforms import DEAD_LETTER, METRICS_NAMESPACE
from schemas.deadletter import DeadLetter
from schemas.errors import ServiceUnavailable
from schemas.fields import utc_now
from schemas.post import TaggedPost

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def shared_client(kind: str, kwargs: dict[str, Any]) -> Any:
    """One client per process and configuration, reused across bundles and micro-batches."""
    cache_key = kind + json.dumps(kwargs, sort_keys=True, default=str)
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is None:
            if kind == "elasticsearch":
                from elasticsearch import Elasticsearch

                client = Elasticsearch(**kwargs)
            else:
                from kafka import KafkaProducer

                client = KafkaProducer(acks="all", linger_ms=5, retries=5, **kwargs)
            _clients[cache_key] = client
        return client


def close_shared_clients() -> None:
    """Close every cached client (at the end of a run or a test session)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


class BulkIndexFn(beam.DoFn):
    """A batch of tagged posts → one bulk request; written posts out, refused ones dead-lettered."""

    def __init__(self, es_kwargs: dict[str, Any], index: str) -> None:
        self._es_kwargs = es_kwargs
        self._index = index
        self.indexed = Metrics.counter(METRICS_NAMESPACE, "indexed")
        self.refused = Metrics.counter(METRICS_NAMESPACE, "dead_letter.index")

    def setup(self) -> None:
        self._es = shared_client("elasticsearch", self._es_kwargs)

    def process(self, batch: list[TaggedPost]) -> Iterator[TaggedPost | TaggedOutput]:
        operations: list[dict[str, Any]] = []
        bodies: list[str] = []
        for post in batch:
            operations.append({"index": {"_index": self._index, "_id": post.post_id}})
            body = post.model_dump(mode="json")
            operations.append(body)
            bodies.append(json.dumps(body, ensure_ascii=False))
        response = self._es.bulk(operations=operations)
        retryable = []
        for post, body, item in zip(batch, bodies, response["items"], strict=True):
            result = item["index"]
            status = result.get("status", 500)
            if status < 300:
                self.indexed.inc()
                yield post
            elif status in RETRYABLE_STATUS:
                retryable.append(f"{post.post_id}: {status}")
            else:
                error = result.get("error") or {}
                self.refused.inc()
                yield TaggedOutput(
                    DEAD_LETTER,
                    DeadLetter.wrap(
                        body.encode(),
                        stage="index",
                        reason=f"Elasticsearch refused the document ({status}): {error.get('reason', error)}",
                        error_type=str(error.get("type", "es_error")),
                        source=f"elasticsearch/{self._index}",
                        key=post.post_id,
                        failed_at=utc_now(),
                    ),
                )
        if retryable:
            msg = f"Elasticsearch could not take {len(retryable)} document(s) now, e.g. {retryable[0]}"
            raise ServiceUnavailable(msg)


class ProduceFn(beam.DoFn):
    """``(key, value)`` pairs → a Kafka topic; the bundle ends only once every send is acknowledged."""

    def __init__(self, kafka_kwargs: dict[str, Any], topic: str) -> None:
        self._kafka_kwargs = kafka_kwargs
        self._topic = topic

    def setup(self) -> None:
        self._producer = shared_client("kafka", self._kafka_kwargs)

    def start_bundle(self) -> None:
        self._pending: list[Any] = []

    def process(self, message: tuple[bytes | None, bytes]) -> None:
        key, value = message
        self._pending.append(self._producer.send(self._topic, key=key, value=value))

    def finish_bundle(self) -> None:
        self._producer.flush()
        for future in self._pending:
            future.get(timeout=30)
        self._pending = []


class WriteToElasticsearch(beam.PTransform):
    """Tagged posts → Elasticsearch; returns ``{"indexed": TaggedPost, "dead_letter": DeadLetter}``."""

    def __init__(self, es_kwargs: dict[str, Any], index: str, batch_size: int) -> None:
        super().__init__()
        self._es_kwargs = es_kwargs
        self._index = index
        self._batch_size = batch_size

    def expand(self, posts: beam.PCollection) -> dict[str, beam.PCollection]:
        written = (
            posts
            | "BatchForBulk" >> beam.BatchElements(min_batch_size=1, max_batch_size=self._batch_size)
            | "BulkIndex"
            >> beam.ParDo(BulkIndexFn(self._es_kwargs, self._index)).with_outputs(DEAD_LETTER, main="indexed")
        )
        return {"indexed": written.indexed, DEAD_LETTER: written[DEAD_LETTER]}


class WriteToKafka(beam.PTransform):
    """``(key, value)`` byte pairs → a Kafka topic, acknowledged by all in-sync replicas."""

    def __init__(self, kafka_kwargs: dict[str, Any], topic: str) -> None:
        super().__init__()
        self._kafka_kwargs = kafka_kwargs
        self._topic = topic

    def expand(self, messages: beam.PCollection) -> beam.PCollection:
        return messages | f"Produce[{self._topic}]" >> beam.ParDo(ProduceFn(self._kafka_kwargs, self._topic))
