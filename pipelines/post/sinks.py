"""Idempotent sinks as Beam transforms: Elasticsearch bulk indexing and Kafka producing.

Both key every write by the stable post id, so writing the same post twice leaves one copy.
A sink that cannot write raises, which fails the bundle: the driver then retries the batch and
commits no offset for it. A document Elasticsearch refuses for what it is (a mapping conflict,
too large) cannot succeed on retry, so it becomes a dead letter instead, carrying
Elasticsearch's reason; so does a message a Kafka topic refuses for what it is (too large).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.pvalue import TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue
from kafka.errors import (
    InvalidRecordError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
)

from pipelines.common.clients import discard_shared_client, resolve_secrets, shared_client
from pipelines.common.records import cut
from pipelines.post.transforms import DEAD_LETTER, METRICS_NAMESPACE
from schemas.clock import utc_now
from schemas.deadletter import DeadLetter
from schemas.errors import ServiceUnavailable, SiagaError
from schemas.index import monthly_index
from schemas.post import TaggedPost

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
BULK_MAX_BYTES = 10 * 1024 * 1024
"""The default largest bulk request body: Elasticsearch advises bulk requests of a few MB (far
under its 100 MB ``http.max_content_length``); a batch of large posts goes in several requests."""


class BulkIndexFn(beam.DoFn):
    """A batch of tagged posts → bulk requests; written posts out, refused ones dead-lettered.

    With ``monthly`` (the posts), ``index`` is the alias readers search and each post is
    written to the monthly index of its ``created_at`` (``<alias>-YYYY.MM``): a post fetched
    again months later still lands on the same ``_id`` in the same index, never a second copy.

    ``elasticsearch.helpers.streaming_bulk`` sends the batch in requests of at most ``max_bytes``
    (``pipeline.es_bulk_max_bytes``) and reports every document: written, refused for itself (a 4xx: dead
    letter with Elasticsearch's reason), or refused for now (``RETRYABLE_STATUS``: the bundle
    fails and the batch is retried). Its own retries are off (they sleep inside the DoFn, on no
    clock of ours). One thing it does not do: a request refused as too large (413, from a proxy
    or a server with a smaller limit than ``max_bytes``) fails every document of that
    request, so the rest of the batch is split in halves here until the one document that is
    too large on its own is left; that one is dead-lettered.
    """

    def __init__(self, es_kwargs: dict[str, Any], index: str, *, monthly: bool = True,
                 max_bytes: int = BULK_MAX_BYTES) -> None:
        self._es_kwargs = es_kwargs
        self._index = index
        self._monthly = monthly
        self._max_bytes = max_bytes
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
        from elasticsearch.helpers import streaming_bulk

        documents = [(post, post.model_dump(mode="json"), self._target(post)) for post in batch]
        # "_source" carries the document, so a post field that shares a name with bulk metadata
        # ("routing", "version", "pipeline" ...) stays in the document.
        actions = ({"_op_type": "index", "_index": target, "_id": post.post_id, "_source": body}
                   for post, body, target in documents)
        answered = 0
        retryable = []
        try:
            results = streaming_bulk(self._es, actions, chunk_size=max(len(batch), 1), max_chunk_bytes=self._max_bytes,
                                     raise_on_error=False, max_retries=0)
            for (post, body, target), (ok, item) in zip(documents, results, strict=True):
                answered += 1
                result = item["index"]
                status = result.get("status", 500)
                if ok:
                    self.indexed.inc()
                    yield post
                elif status in RETRYABLE_STATUS:
                    retryable.append(f"{post.post_id}: {status}")
                else:
                    self.bulk_errors.inc()
                    yield self._refused(post, body, status, result.get("error") or {}, target)
        except ApiError as exc:
            self.bulk_errors.inc()
            if exc.meta.status != 413:
                raise
            # The documents before ``answered`` were answered in earlier requests; the rest is split.
            rest = batch[answered:]
            if len(rest) == 1:
                post, body, target = documents[answered]
                yield self._refused(post, body, 413, f"request too large: {exc.message}", target)
            else:
                half = len(rest) // 2
                yield from self.process(rest[:half])
                yield from self.process(rest[half:])
            return
        except Exception:
            self.bulk_errors.inc()
            raise
        if retryable:
            self.bulk_errors.inc()
            msg = f"Elasticsearch could not take {len(retryable)} document(s) now, e.g. {retryable[0]}"
            raise ServiceUnavailable(msg)


SEND_TIMEOUT_S = 30
REFUSED_FOR_ITSELF: tuple[type[Exception], ...] = (MessageSizeTooLargeError, RecordListTooLargeError,
                                                   InvalidRecordError)
"""Errors that say the message itself can never be written (too large for the producer or the
topic, invalid), as opposed to a broker that is away or overloaded, which a retry can fix."""
PRODUCER_OWNER = "post-pipeline"
"""The post pipeline's producer is its own (see ``shared_client``): it may have to replace it."""


def _answered(exc: Exception) -> bool:
    """Whether a failed send was refused by the broker, which may leave the producer failing every later send.

    A broker that did not answer in time (``KafkaTimeoutError``) leaves the producer as it was:
    it reconnects by itself, and a new one could not connect either.
    """
    return not isinstance(exc, KafkaTimeoutError)


class DeadLetterRefused(SiagaError):
    """The dead-letter topic refused even a dead letter stripped of its original: check its limits."""


@dataclass
class _Send:
    key: bytes | None
    value: bytes
    timestamp: Any
    window: Any
    future: Any


class ProduceFn(beam.DoFn):
    """``(key, value)`` pairs → a Kafka topic; the bundle ends only once every send is acknowledged.

    A message refused for what it is (larger than the producer's ``max_request_size`` or the
    topic's ``max.message.bytes``) would fail the bundle on every retry and block its partition,
    so it leaves as a dead letter (stage ``publish``) instead; with ``fallback``, it is sent
    again as ``fallback(value)`` (for the dead-letter topic itself: a dead letter without its
    original), and only if that is refused too does the bundle fail.

    kafka-python's (3.0) idempotent producer fails every later send once the broker refused one,
    even of messages it had taken, so after a refusal the shared producer is closed and replaced
    and each failed message is sent again on its own: only what is refused alone is a dead letter.
    """

    def __init__(self, kafka_kwargs: dict[str, Any], topic: str,
                 fallback: Callable[[bytes], bytes] | None = None) -> None:
        self._kafka_kwargs = kafka_kwargs
        self._topic = topic
        self._fallback = fallback
        self.refused = Metrics.counter(METRICS_NAMESPACE, "dead_letter.publish")

    def setup(self) -> None:
        self._client_kwargs = resolve_secrets(self._kafka_kwargs)
        self._producer = shared_client("kafka", self._client_kwargs, PRODUCER_OWNER)

    def start_bundle(self) -> None:
        # Asked again each bundle: a refusal in an earlier bundle may have replaced the producer.
        self._producer = shared_client("kafka", self._client_kwargs, PRODUCER_OWNER)
        self._pending: list[_Send] = []

    def process(self, message: tuple[bytes | None, bytes], timestamp: Any = beam.DoFn.TimestampParam,
                window: Any = beam.DoFn.WindowParam) -> Iterator[TaggedOutput]:
        key, value = message
        try:
            future = self._producer.send(self._topic, key=key, value=value)
        except REFUSED_FOR_ITSELF as exc:
            # Refused by the producer before sending (its max_request_size): the producer is unharmed.
            letter = self._refused_for_good(key, value, exc)
            if letter is not None:
                yield TaggedOutput(DEAD_LETTER, letter)
            return
        self._pending.append(_Send(key, value, timestamp, window, future))

    def finish_bundle(self) -> Iterator[TaggedOutput]:
        pending, self._pending = self._pending, []
        try:
            self._producer.flush()
        except KafkaError as exc:
            # kafka-python (3.0) splits a batch the broker refused as too large and re-sends the
            # halves; flush() then gives up on the split batch with "Future not done". Each
            # message's own future still tells how it ended, so they decide below.
            log.warning("flushing the producer for topic %s: %s: %s", self._topic, type(exc).__name__, exc)
        failed: list[tuple[_Send, Exception]] = []
        for send in pending:
            try:
                send.future.get(timeout=SEND_TIMEOUT_S)
            except KafkaError as exc:
                failed.append((send, exc))
        if not failed:
            return
        if any(_answered(exc) for _, exc in failed):
            self._replace_producer()
        retryable = [exc for _, exc in failed if not isinstance(exc, REFUSED_FOR_ITSELF)]
        if retryable:
            raise retryable[0]
        log.warning("the broker refused %d message(s) for topic %s; sending each again on its own",
                    len(failed), self._topic)
        for send, _ in failed:
            refusal = self._send_alone(send.key, send.value)
            if refusal is None:
                continue
            letter = self._refused_for_good(send.key, send.value, refusal)
            if letter is not None:
                yield TaggedOutput(DEAD_LETTER, WindowedValue(letter, send.timestamp, (send.window,)))

    def _replace_producer(self) -> None:
        discard_shared_client("kafka", self._client_kwargs, self._producer, PRODUCER_OWNER)
        self._producer = shared_client("kafka", self._client_kwargs, PRODUCER_OWNER)

    def _send_alone(self, key: bytes | None, value: bytes) -> Exception | None:
        """Send one message and wait for it; the error if it was refused for itself, else ``None``."""
        try:
            future = self._producer.send(self._topic, key=key, value=value)
        except REFUSED_FOR_ITSELF as exc:
            return exc
        try:
            self._producer.flush()
        except KafkaError as exc:
            log.warning("flushing the producer for topic %s: %s: %s", self._topic, type(exc).__name__, exc)
        try:
            future.get(timeout=SEND_TIMEOUT_S)
        except REFUSED_FOR_ITSELF as exc:
            self._replace_producer()
            return exc
        except KafkaError as exc:
            if _answered(exc):
                self._replace_producer()
            raise
        return None

    def _refused_for_good(self, key: bytes | None, value: bytes, exc: Exception) -> DeadLetter | None:
        """The dead letter for a message refused for itself, or ``None`` once its fallback was written."""
        what = f"{type(exc).__name__}: {exc}"
        if self._fallback is not None:
            again = self._send_alone(key, self._fallback(value))
            if again is None:
                log.error("topic %s refused a %d-byte message (%s); wrote it without its original",
                          self._topic, len(value), what)
                return None
            msg = (f"topic {self._topic} refused a {len(value):,}-byte message ({what}) and then even "
                   f"its fallback ({type(again).__name__}: {again})")
            raise DeadLetterRefused(msg)
        self.refused.inc()
        log.error("topic %s refused a %d-byte message; dead-lettered: %s", self._topic, len(value), what)
        return DeadLetter.wrap(
            value, stage="publish", reason=cut(f"Kafka refused the message for topic {self._topic}: {what}"),
            error_type=type(exc).__name__, source=f"kafka/{self._topic}",
            key=None if key is None else key.decode("utf-8", "replace"), failed_at=utc_now(),
        )


class WriteToElasticsearch(beam.PTransform):
    """Tagged posts → Elasticsearch; returns ``{"indexed": TaggedPost, "dead_letter": DeadLetter}``."""

    def __init__(self, es_kwargs: dict[str, Any], index: str, batch_size: int,
                 max_bytes: int = BULK_MAX_BYTES) -> None:
        super().__init__()
        self._es_kwargs = es_kwargs
        self._index = index
        self._batch_size = batch_size
        self._max_bytes = max_bytes

    def expand(self, posts: beam.PCollection) -> dict[str, beam.PCollection]:
        written = (
            posts
            | "BatchForBulk" >> beam.BatchElements(min_batch_size=self._batch_size, max_batch_size=self._batch_size)
            | "BulkIndex"
            >> beam.ParDo(BulkIndexFn(self._es_kwargs, self._index, max_bytes=self._max_bytes))
            .with_output_types(TaggedPost)
            .with_outputs(DEAD_LETTER, main="indexed")
        )
        return {"indexed": written.indexed, DEAD_LETTER: written[DEAD_LETTER]}


class WriteToKafka(beam.PTransform):
    """``(key, value)`` byte pairs → a Kafka topic, acknowledged by all in-sync replicas.

    Returns the dead letters of messages the topic refused for what they are (see ``ProduceFn``).
    """

    def __init__(self, kafka_kwargs: dict[str, Any], topic: str,
                 fallback: Callable[[bytes], bytes] | None = None) -> None:
        super().__init__()
        self._kafka_kwargs = kafka_kwargs
        self._topic = topic
        self._fallback = fallback

    def expand(self, messages: beam.PCollection) -> beam.PCollection:
        produced = messages | f"Produce[{self._topic}]" >> beam.ParDo(
            ProduceFn(self._kafka_kwargs, self._topic, self._fallback)).with_outputs(DEAD_LETTER, main="written")
        return produced[DEAD_LETTER]
