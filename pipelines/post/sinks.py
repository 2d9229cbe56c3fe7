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
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput

from pipelines.common.clients import resolve_secrets, shared_client
from pipelines.post.transforms import DEAD_LETTER, METRICS_NAMESPACE
from schemas.deadletter import DeadLetter
from schemas.errors import ServiceUnavailable
from schemas.clock import utc_now
from schemas.index import monthly_index
from schemas.post import TaggedPost

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})


class BulkIndexFn(beam.DoFn):
    """A batch of tagged posts → one bulk request; written posts out, refused ones dead-lettered.

    With ``monthly`` (the posts), ``index`` is the alias readers search and each post is
    written to the monthly index of its ``created_at`` (``<alias>-YYYY.MM``): a post fetched
    again months later still lands on the same ``_id`` in the same index, never a second copy.
    A request Elasticsearch refuses as too large (413) is split in halves until the one
    document that is too large on its own is left; that one is dead-lettered.
    """

    def __init__(self, es_kwargs: dict[str, Any], index: str, *, monthly: bool = True) -> None:
        self._es_kwargs = es_kwargs
        self._index = index
        self._monthly = monthly
        self.indexed = Metrics.counter(METRICS_NAMESPACE, "indexed")
        self.refused = Metrics.counter(METRICS_NAMESPACE, "dead_letter.index")
        self.bulk_errors = Metrics.counter(METRICS_NAMESPACE, "es_bulk_errors")

    def setup(self) -> None:
        self._es = shared_client("elasticsearch", resolve_secrets(self._es_kwargs))

    def _target(self, post: TaggedPost) -> str:
        return monthly_index(self._index, post.created_at) if self._monthly else self._index

    def _refused(self, post: TaggedPost, body: dict[str, Any], status: int, error: Any, target: str) -> TaggedOutput:
        self.refused.inc()
        reason = error.get("reason", error) if isinstance(error, dict) else error
        error_type = error.get("type", "es_error") if isinstance(error, dict) else "es_error"
        return TaggedOutput(
            DEAD_LETTER,
            DeadLetter.wrap(
                json.dumps(body, ensure_ascii=False).encode(),
                stage="index",
                reason=f"Elasticsearch refused the document ({status}): {reason}",
                error_type=str(error_type),
                source=f"elasticsearch/{target}",
                key=post.post_id,
                failed_at=utc_now(),
            ),
        )

    def process(self, batch: list[TaggedPost]) -> Iterator[TaggedPost | TaggedOutput]:
        from elasticsearch import ApiError

        operations: list[dict[str, Any]] = []
        bodies: list[dict[str, Any]] = []
        targets: list[str] = []
        for post in batch:
            target = self._target(post)
            targets.append(target)
            operations.append({"index": {"_index": target, "_id": post.post_id}})
            body = post.model_dump(mode="json")
            operations.append(body)
            bodies.append(body)
        try:
            response = self._es.bulk(operations=operations)
        except ApiError as exc:
            if exc.meta.status != 413:
                self.bulk_errors.inc()
                raise
            if len(batch) == 1:
                self.bulk_errors.inc()
                yield self._refused(batch[0], bodies[0], 413, f"request too large: {exc.message}", targets[0])
                return
            half = len(batch) // 2
            yield from self.process(batch[:half])
            yield from self.process(batch[half:])
            return
        except Exception:
            self.bulk_errors.inc()
            raise
        retryable = []
        for post, body, target, item in zip(batch, bodies, targets, response["items"], strict=True):
            result = item["index"]
            status = result.get("status", 500)
            if status < 300:
                self.indexed.inc()
                yield post
            elif status in RETRYABLE_STATUS:
                retryable.append(f"{post.post_id}: {status}")
            else:
                self.bulk_errors.inc()
                yield self._refused(post, body, status, result.get("error") or {}, target)
        if retryable:
            self.bulk_errors.inc()
            msg = f"Elasticsearch could not take {len(retryable)} document(s) now, e.g. {retryable[0]}"
            raise ServiceUnavailable(msg)


class ProduceFn(beam.DoFn):
    """``(key, value)`` pairs → a Kafka topic; the bundle ends only once every send is acknowledged."""

    def __init__(self, kafka_kwargs: dict[str, Any], topic: str) -> None:
        self._kafka_kwargs = kafka_kwargs
        self._topic = topic

    def setup(self) -> None:
        self._producer = shared_client("kafka", resolve_secrets(self._kafka_kwargs))

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
            | "BatchForBulk" >> beam.BatchElements(min_batch_size=self._batch_size, max_batch_size=self._batch_size)
            | "BulkIndex"
            >> beam.ParDo(BulkIndexFn(self._es_kwargs, self._index)).with_output_types(TaggedPost)
            .with_outputs(DEAD_LETTER, main="indexed")
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
