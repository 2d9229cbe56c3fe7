"""Preparing Kafka and Elasticsearch for Siaga, checking that they are prepared, and the
alerting job run as a service of its own.

Two ways to start: ``ensure_ready`` sets up what is missing (topics, index templates, the posts
alias and the alerts index, new fields on existing indices); ``siaga setup``, ``siaga run`` (the
all-in-one local and Compose mode), ``siaga import`` and ``make demo`` use it. The long-running
components of a deployment (``siaga connectors run``, ``siaga pipeline run``, ``siaga alerts
run``) call ``check_ready`` instead: it changes nothing and fails with one line naming what is
missing, so their identities need no set-up rights (deploy/README.md, "Identities"), and each
checks only what it uses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from elasticsearch import Elasticsearch
from elasticsearch import exceptions as es_errors
from kafka.errors import KafkaError

from pipelines.alerting.job import AlertingJob, AlertingTotals
from pipelines.common.kafka_io import ensure_topics, missing_topics
from pipelines.ops.indices import ensure_indices, set_up_problems
from pipelines.ops.stack import status
from schemas.clock import Clock
from schemas.config import Settings
from schemas.errors import ServiceUnavailable, SiagaError


class NotSetUp(SiagaError):
    """What ``siaga setup`` creates is missing or older than this Siaga; the message says what and what to run."""


@dataclass(frozen=True)
class Needs:
    """What one long-running component uses: topics (by their ``kafka.topics`` field) and indices."""

    topics: tuple[str, ...]
    posts: bool = False
    alerts: bool = False


CONNECTOR = Needs(("raw", "dead_letter"))
"""A connector writes raw posts and dead letters; it does not touch Elasticsearch."""
PIPELINE = Needs(("raw", "tagged", "dead_letter"), posts=True)
"""A pipeline worker reads raw posts, indexes tagged ones and writes tagged posts and dead letters."""
ALERTING = Needs(("tagged", "alerts", "dead_letter"), posts=True, alerts=True)
"""Alerting reads tagged posts (and labels them in the posts index) and writes alerts."""


def ensure_templates(settings: Settings, clock: Clock | None = None) -> list[str]:
    """Install the index templates generated from ``schemas``, the posts alias and the alerts index."""
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        return ensure_indices(es, settings, clock)
    finally:
        es.close()


def _reachable(settings: Settings, names: set[str]) -> None:
    """Fail with a clear message if one of the services ``names`` is down."""
    down = [s for s in status(settings) if s.name in names and not s.reachable]
    if down:
        hints = []
        for service in down:
            hint = "start it with `siaga stack up`" if service.embedded else "check the address and the network"
            hints.append(f"{service.name} at {service.address} is not reachable ({hint})")
        raise ServiceUnavailable("; ".join(hints))


def ensure_ready(settings: Settings, clock: Clock | None = None) -> None:
    """Fail with a clear message if a service is down; otherwise create topics and templates."""
    _reachable(settings, {"kafka", "elasticsearch"})
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


def ensure_verdicts_ready(settings: Settings) -> None:
    """The verdicts topic and index, made if missing: after an upgrade a verdict may come before `siaga setup`."""
    try:
        ensure_topics(settings)
    except KafkaError as exc:
        msg = f"cannot set up Kafka topics at {settings.kafka_bootstrap()}: {exc}"
        raise ServiceUnavailable(msg) from exc
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        if not es.indices.exists(index=settings.elasticsearch.verdicts_index):
            ensure_indices(es, settings)
    finally:
        es.close()


def check_ready(settings: Settings, needs: Needs) -> None:
    """Fail with one line if a service ``needs`` is down or its set-up is missing; create nothing."""
    elasticsearch = needs.posts or needs.alerts
    _reachable(settings, {"kafka"} | ({"elasticsearch"} if elasticsearch else set()))
    topics = [getattr(settings.kafka.topics, field) for field in needs.topics]
    try:
        problems = [f"topic {name} does not exist" for name in missing_topics(settings, topics)]
    except KafkaError as exc:
        msg = f"cannot list the Kafka topics at {settings.kafka_bootstrap()}: {exc}"
        raise ServiceUnavailable(msg) from exc
    if elasticsearch:
        es = Elasticsearch(**settings.elasticsearch_kwargs())
        try:
            problems += set_up_problems(es, settings, posts=needs.posts, alerts=needs.alerts)
        except (es_errors.ConnectionError, es_errors.TransportError) as exc:
            msg = f"cannot read the Elasticsearch indices at {settings.elasticsearch_url()}: {exc}"
            raise ServiceUnavailable(msg) from exc
        finally:
            es.close()
    if problems:
        msg = f"Siaga is not set up here: {'; '.join(problems)}. Run `siaga setup` with this configuration first"
        raise NotSetUp(msg)


def serve_alerting(settings: Settings, stop: threading.Event, *, until_idle: bool = False) -> AlertingTotals:
    """``siaga alerts run``: the alerting job on its own, until ``stop`` (or, ``until_idle``, caught up).

    This is how alerting runs beside a pipeline on Flink or in separate pipeline workers: it only
    reads the tagged-posts topic, so it can be restarted or moved without touching ingestion. It
    checks the set-up and does not make it (``siaga setup`` does).
    """
    check_ready(settings, ALERTING)
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
