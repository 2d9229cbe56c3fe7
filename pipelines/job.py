"""The post pipeline: Kafka raw posts → validate → tag → Elasticsearch + tagged-posts topic.

``build`` wires the runner-agnostic transforms onto any source of ``KafkaRecord``s. The local
driver, ``PostPipelineJob``, gives streaming behaviour on one machine, where Beam's local
runners cannot stream from Kafka (see README, "Why micro-batches"): it polls a bounded batch of
records, runs the Beam pipeline over it on the in-process FnApiRunner, and commits the batch's
offsets only after every sink in the pipeline has acknowledged its writes. A failed batch is
rewound and retried with backoff; nothing is committed for it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner

from pipelines.kafka_io import lag, make_consumer, poll_batch, rewind_to_committed
from pipelines.records import KafkaRecord
from pipelines.sinks import WriteToElasticsearch, WriteToKafka
from pipelines.transforms import (
    DEAD_LETTER,
    METRICS_NAMESPACE,
    ValidateAndTag,
    as_kafka_message,
    dead_letter_message,
    flatten_all,
)
from schemas.config import Settings
from schemas.taxonomy import RISK_LEVELS

log = logging.getLogger(__name__)


def build(records: beam.PCollection, settings: Settings) -> None:
    """Attach the whole post pipeline, sinks included, to a PCollection of ``KafkaRecord``s."""
    kafka, topics = settings.kafka_client_kwargs(), settings.kafka.topics
    out = records | "ValidateAndTag" >> ValidateAndTag(settings.tagging)
    indexed = out["tagged"] | "WriteToElasticsearch" >> WriteToElasticsearch(
        settings.elasticsearch_kwargs(), settings.elasticsearch.posts_index, settings.pipeline.es_bulk_size
    )
    (
        indexed["indexed"]
        | "ToTaggedMessage" >> beam.Map(as_kafka_message)
        | "WriteTaggedPosts" >> WriteToKafka(kafka, topics.tagged)
    )
    (
        flatten_all((out[DEAD_LETTER], indexed[DEAD_LETTER]), "AllDeadLetters")
        | "ToDeadLetterMessage" >> beam.Map(dead_letter_message)
        | "WriteDeadLetters" >> WriteToKafka(kafka, topics.dead_letter)
    )


def run_batch(records: list[KafkaRecord], settings: Settings) -> Counter[str]:
    """Run the pipeline over one bounded batch on the in-process runner; return its counters."""
    pipeline = beam.Pipeline(runner=FnApiRunner(), options=PipelineOptions([]))
    build(pipeline | "Records" >> beam.Create(records, reshuffle=False), settings)
    result = pipeline.run()
    result.wait_until_finish()
    counters: Counter[str] = Counter()
    for counter in result.metrics().query()["counters"]:
        if counter.key.metric.namespace == METRICS_NAMESPACE:
            counters[counter.key.metric.name] += counter.committed or counter.attempted or 0
    return counters


class PostPipelineJob:
    """Consumes the raw-posts topic in micro-batches and commits only what was fully written."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        pipeline = settings.pipeline
        self.consumer = make_consumer(
            settings, pipeline.group_id, settings.kafka.topics.raw, pipeline.batch_max_records
        )
        self.totals: Counter[str] = Counter()
        self.failures = 0

    def step(self) -> int:
        """Process one micro-batch; return how many records were committed (0 if none or failed)."""
        pipeline = self.settings.pipeline
        records = poll_batch(self.consumer, pipeline.batch_max_records, pipeline.batch_max_wait_ms)
        if not records:
            return 0
        try:
            counters = run_batch(records, self.settings)
        except Exception as exc:  # noqa: BLE001 - any failure means: do not commit, rewind, retry
            self.failures += 1
            delay = min(2 ** min(self.failures, 10) * 0.25, pipeline.retry_backoff_max_s)
            log.error("batch of %d records failed (%s); retrying in %.1fs", len(records), exc, delay)
            rewind_to_committed(self.consumer)
            time.sleep(delay)
            return 0
        self.consumer.commit()
        self.failures = 0
        self.totals.update(counters)
        log.info("committed %d records: %s", len(records), dict(counters))
        return len(records)

    def lag(self) -> int | None:
        """Raw posts not yet committed by the pipeline."""
        return lag(self.consumer)

    def close(self) -> None:
        """Leave the consumer group."""
        self.consumer.close()


def counters_summary(totals: Counter[str]) -> dict[str, Any]:
    """Totals split into posts in, dead-lettered and per-language counts."""
    languages = {
        name.removeprefix("language."): count for name, count in totals.items() if name.startswith("language.")
    }
    dead = {name.removeprefix("dead_letter."): n for name, n in totals.items() if name.startswith("dead_letter.")}
    levels = {level: totals[f"risk_level.{level}"] for level in RISK_LEVELS if totals[f"risk_level.{level}"]}
    return {
        "posts_in": totals["posts_in"],
        "indexed": totals["indexed"],
        "dead_lettered": dead,
        "languages": dict(sorted(languages.items(), key=lambda kv: -kv[1])),
        "risk_levels": levels,
    }
