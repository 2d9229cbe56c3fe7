"""The post pipeline: Kafka raw posts → validate → tag → Elasticsearch + tagged-posts topic.

``build`` wires the runner-agnostic transforms onto any source of ``KafkaRecord``s. The local
driver, ``PostPipelineJob``, gives streaming behaviour on one machine, where Beam's local
runners cannot stream from Kafka (see docs/architecture.md, "Why micro-batches"): it polls a bounded batch of
records, runs the Beam pipeline over it on the in-process FnApiRunner, and commits the batch's
offsets only after every sink in the pipeline has acknowledged its writes. A failed batch is
rewound and retried with backoff; nothing is committed for it. A broker or Elasticsearch that
does not answer is the same case: the job backs off and retries, it does not exit.

A batch reaches the Beam pipeline by reference, not by value: ``beam.Create`` would pickle
every record into the pipeline proto. The in-process runner shares this process's memory, so
the source is one token that a ``FlatMap`` turns back into the batch.
"""

from __future__ import annotations

import functools
import itertools
import logging
import socket
import threading
import time
import weakref
from collections import Counter
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from pipelines.common import metrics
from pipelines.common.erasures import SuppressionSource
from pipelines.common.kafka_io import batch_retry_wait, lag_by_partition, make_consumer, poll_batch
from pipelines.common.records import KafkaRecord, dead_letter_message, stripped_dead_letter
from pipelines.factchecks.store import FactCheckSource
from pipelines.post.sinks import WriteToElasticsearch, WriteToKafka
from pipelines.post.transforms import DEAD_LETTER, METRICS_NAMESPACE, ValidateAndTag, as_kafka_message, flatten_all
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.taxonomy import RISK_LEVELS

log = logging.getLogger(__name__)


def build(records: beam.PCollection, settings: Settings) -> None:
    """Attach the whole post pipeline, sinks included, to a PCollection of ``KafkaRecord``s."""
    kafka, topics = settings.kafka_client_kwargs(), settings.kafka.topics
    out = records | "ValidateAndTag" >> ValidateAndTag(settings.tagging, erasures=SuppressionSource.of(settings),
                                                       election=settings.election,
                                                       factchecks=FactCheckSource.of(settings))
    indexed = out["tagged"] | "WriteToElasticsearch" >> WriteToElasticsearch(
        settings.elasticsearch_kwargs(), settings.elasticsearch.posts_index, settings.pipeline.es_bulk_size,
        settings.pipeline.es_bulk_max_bytes,
    )
    refused = (
        indexed["indexed"]
        | "ToTaggedMessage" >> beam.Map(as_kafka_message)
        | "WriteTaggedPosts" >> WriteToKafka(kafka, topics.tagged)
    )
    (
        flatten_all((out[DEAD_LETTER], indexed[DEAD_LETTER], refused), "AllDeadLetters")
        | "ToDeadLetterMessage" >> beam.Map(dead_letter_message)
        | "WriteDeadLetters" >> WriteToKafka(kafka, topics.dead_letter, fallback=stripped_dead_letter)
    )


def _memoize_dofn_specs() -> None:
    """Compute Beam's state/timer specs once per DoFn instance instead of ~8 times per pipeline.

    Building and running a pipeline calls ``userstate.get_dofn_specs`` about 100 times, each
    one taking the signature of every method of the DoFn: ~0.19 s of fixed cost per micro-batch
    in a profile, most of a small batch's time. The specs of an instance never change, so the
    answer is kept per instance (weakly, so finished pipelines' DoFns are still freed).
    """
    from apache_beam.transforms import userstate

    original = userstate.get_dofn_specs
    if getattr(original, "siaga_memoized", False):
        return
    cache: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def get_dofn_specs(dofn: Any) -> Any:
        try:
            return cache[dofn]
        except KeyError:
            specs = cache[dofn] = original(dofn)
            return specs
        except TypeError:  # not weakly referenceable: compute as Beam does
            return original(dofn)

    get_dofn_specs.siaga_memoized = True  # type: ignore[attr-defined]
    userstate.get_dofn_specs = get_dofn_specs


_memoize_dofn_specs()
_batches: dict[int, list[KafkaRecord]] = {}
_batch_ids = itertools.count()
_batches_lock = threading.Lock()


def _take_batch(token: int) -> list[KafkaRecord]:
    with _batches_lock:
        return _batches.pop(token)


class ReadBatch(beam.PTransform):
    """A bounded batch held in this process → a PCollection of its ``KafkaRecord``s (not pickled)."""

    def __init__(self, records: list[KafkaRecord]) -> None:
        super().__init__()
        with _batches_lock:
            self._token = next(_batch_ids)
            _batches[self._token] = records

    def expand(self, begin: beam.pvalue.PBegin) -> beam.PCollection:
        return (begin | "Token" >> beam.Create([self._token], reshuffle=False)
                | "Records" >> beam.FlatMap(_take_batch))

    def discard(self) -> None:
        """Forget the batch if the pipeline never read it."""
        with _batches_lock:
            _batches.pop(self._token, None)


@functools.cache
def _local_options() -> PipelineOptions:
    # Parsing Beam's ~1,700 option definitions took ~0.06 s per micro-batch; they never change.
    return PipelineOptions([])


def run_batch(records: list[KafkaRecord], settings: Settings) -> Counter[str]:
    """Run the pipeline over one bounded batch on the in-process runner; return its counters."""
    pipeline = beam.Pipeline(runner=FnApiRunner(), options=_local_options())
    source = ReadBatch(records)
    build(pipeline | "Batch" >> source, settings)
    try:
        result = pipeline.run()
    finally:
        source.discard()
    result.wait_until_finish()
    counters: Counter[str] = Counter()
    for counter in result.metrics().query()["counters"]:
        if counter.key.metric.namespace == METRICS_NAMESPACE:
            counters[counter.key.metric.name] += counter.committed or counter.attempted or 0
    return counters


class PostPipelineJob:
    """Consumes the raw-posts topic in micro-batches and commits only what was fully written."""

    def __init__(self, settings: Settings, worker_index: int | None = None, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or process_clock()
        pipeline = settings.pipeline
        instance_id = None if worker_index is None else worker_instance_id(settings, worker_index)
        self.consumer = make_consumer(
            settings, pipeline.group_id, settings.kafka.topics.raw, pipeline.batch_max_records, instance_id
        )
        self.totals: Counter[str] = Counter()
        self.failures = 0
        self._rewind = False
        self.status = metrics.StatusFile(pipeline.status_dir, pipeline.group_id)
        metrics.MODEL.info({"tagger_version": _tagger_version(settings)})

    def _failed(self, what: str, exc: BaseException) -> None:
        """Back off after a failure; the next step re-reads from the committed offsets."""
        self.failures += 1
        self._rewind = True
        metrics.BATCHES.labels("failed").inc()
        delay = batch_retry_wait(self.settings, self.failures)
        error = f"{what}: {type(exc).__name__}: {exc}"
        log.error("%s; retrying in %.1fs", error, delay)
        self.status.failed(error)
        self.clock.sleep(delay)

    def step(self) -> int:
        """Process one micro-batch; return how many records were committed (0 if none or failed)."""
        pipeline = self.settings.pipeline
        started = time.monotonic()
        try:
            records = poll_batch(self.consumer, pipeline.batch_max_records, pipeline.batch_max_wait_ms,
                                 rewind=self._rewind)
            self._rewind = False
        except Exception as exc:  # noqa: BLE001 - a broker that does not answer: back off, never exit
            self._failed("Kafka did not answer", exc)
            return 0
        if not records:
            return 0
        try:
            counters = run_batch(records, self.settings)
        except Exception as exc:  # noqa: BLE001 - any failure means: do not commit, rewind, retry
            self._failed(f"batch of {len(records)} records failed", exc)
            return 0
        try:
            self.consumer.commit()
        except Exception as exc:  # noqa: BLE001 - written but not committed: re-read, the sinks are idempotent
            self._failed(f"commit of {len(records)} written records failed", exc)
            return 0
        self.failures = 0
        self.totals.update(counters)
        metrics.record_batch(counters, time.monotonic() - started)
        self.status.committed(len(records), counters)
        log.info("committed %d records: %s", len(records), dict(counters))
        return len(records)

    def lag(self) -> int | None:
        """Raw posts not yet committed by the pipeline (``None`` if unknown right now)."""
        try:
            by_partition = lag_by_partition(self.consumer)
        except Exception:  # noqa: BLE001 - unknown while the broker does not answer
            return None
        if by_partition is None:
            return None
        for (topic, partition), behind in by_partition.items():
            metrics.CONSUMER_LAG.labels(topic, str(partition)).set(behind)
        return sum(by_partition.values())

    def close(self) -> None:
        """Leave the consumer group."""
        self.status.remove()
        self.consumer.close()


def worker_instance_id(settings: Settings, worker_index: int) -> str:
    """The static group-member id of worker ``worker_index`` on this host."""
    return f"{socket.gethostname()}-{settings.pipeline.group_id}-{worker_index}"


def _tagger_version(settings: Settings) -> str:
    from pipelines.post.transforms import shared_tagger

    return shared_tagger(settings.tagging, settings.election).version


def counters_summary(totals: Counter[str]) -> dict[str, Any]:
    """Totals split into posts in, dead-lettered, per-language and per-level counts, and the candidates
    and parties under attack (posts whose ``black_campaign`` is aimed at each, by entity id)."""
    languages = {
        name.removeprefix("language."): count for name, count in totals.items() if name.startswith("language.")
    }
    dead = {name.removeprefix("dead_letter."): n for name, n in totals.items() if name.startswith("dead_letter.")}
    levels = {level: totals[f"risk_level.{level}"] for level in RISK_LEVELS if totals[f"risk_level.{level}"]}
    attacked = {name.removeprefix("attacked."): n for name, n in totals.items() if name.startswith("attacked.")}
    return {
        "posts_in": totals["posts_in"],
        "indexed": totals["indexed"],
        "suppressed": totals["suppressed"],
        "dead_lettered": dead,
        "languages": dict(sorted(languages.items(), key=lambda kv: -kv[1])),
        "risk_levels": levels,
        "attacked": dict(sorted(attacked.items(), key=lambda kv: (-kv[1], kv[0]))),
        "factcheck_matched": totals["factcheck_matched"],
    }
