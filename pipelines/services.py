"""Preparing Kafka and Elasticsearch for Siaga: reachability, topics, index templates."""

from __future__ import annotations

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_errors
from kafka.errors import KafkaError

from pipelines.indices import ensure_indices
from pipelines.kafka_io import ensure_topics
from pipelines.stack import status
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
