"""Preparing Kafka and Elasticsearch for Siaga (reachability, topics, index templates), and the
alerting job run as a service of its own."""

from __future__ import annotations

import threading

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_errors
from kafka.errors import KafkaError

from pipelines.alerting.job import AlertingJob, AlertingTotals
from pipelines.ops.indices import ensure_indices
from pipelines.common.kafka_io import ensure_topics
from pipelines.ops.stack import status
from schemas.clock import Clock
from schemas.config import Settings
from schemas.errors import ServiceUnavailable


def ensure_templates(settings: Settings, clock: Clock | None = None) -> list[str]:
    """Install the index templates generated from ``schemas``, the posts alias and the alerts index."""
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        return ensure_indices(es, settings, clock)
    finally:
        es.close()


def ensure_ready(settings: Settings, clock: Clock | None = None) -> None:
    """Fail with a clear message if a service is down; otherwise create topics and templates."""
    down = [s for s in status(settings) if not s.reachable]
    if down:
        hints = []
        for service in down:
            hint = "start it with `siaga stack up`" if service.embedded else "check the address and the network"
            hints.append(f"{service.name} at {service.address} is not reachable ({hint})")
        raise ServiceUnavailable("; ".join(hints))
    try:
        ensure_topics(settings)
    except KafkaError as exc:
        msg = f"cannot set up Kafka topics at {settings.kafka_bootstrap()}: {exc}"
        raise ServiceUnavailable(msg) from exc
    try:
        ensure_templates(settings, clock)
    except (es_errors.ConnectionError, es_errors.TransportError) as exc:
        msg = f"cannot set up Elasticsearch at {settings.elasticsearch_url()}: {exc}"
        raise ServiceUnavailable(msg) from exc


def serve_alerting(settings: Settings, stop: threading.Event, *, until_idle: bool = False) -> AlertingTotals:
    """``siaga alerts run``: the alerting job on its own, until ``stop`` (or, ``until_idle``, caught up).

    This is how alerting runs beside a pipeline on Flink or in separate pipeline workers: it only
    reads the tagged-posts topic, so it can be restarted or moved without touching ingestion.
    """
    ensure_ready(settings)
    job = AlertingJob(settings)
    try:
        idle = 0
        while not stop.is_set():
            moved = job.step()
            if moved:
                idle = 0
            elif until_idle:
                idle = idle + 1 if job.lag() == 0 else 0
                if idle >= 3:  # what the outbox still holds (digests, SMTP down) waits for the next start
                    break
    finally:
        job.close()
    return job.totals
