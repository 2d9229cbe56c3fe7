"""Clients shared by every stage: one Elasticsearch client and one Kafka producer per process and
configuration, and secrets that stay out of pickled job graphs (``EnvSecret``)."""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

from schemas.errors import ConfigError

log = logging.getLogger(__name__)
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


@dataclass(frozen=True)
class EnvSecret:
    """A secret named by the environment variable that holds it, read where the client is made.

    The streaming job's DoFns are pickled into the job graph that Flink or Dataflow store (Flink's
    HA storage and savepoints). Holding the variable's name instead of the value keeps the
    secret out of that graph; each worker reads it from its own environment in ``setup()``.
    """

    variable: str

    def value(self) -> str:
        """The secret from this process's environment; a clear error naming the variable if unset."""
        secret = os.environ.get(self.variable)
        if not secret:
            msg = (f"{self.variable} is not set in this worker's environment: the streaming job's sinks "
                   "read this secret from it, it is not part of the job graph")
            raise ConfigError(msg)
        return secret


def resolve_secrets(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with every ``EnvSecret`` (also inside tuples and lists) replaced by its value."""

    def resolve(value: Any) -> Any:
        if isinstance(value, EnvSecret):
            return value.value()
        if isinstance(value, tuple | list):
            return type(value)(resolve(item) for item in value)
        return value

    return {key: resolve(value) for key, value in kwargs.items()}


def _cache_key(kind: str, kwargs: dict[str, Any], owner: str) -> str:
    return f"{kind}/{owner}/" + json.dumps(kwargs, sort_keys=True, default=str)


def shared_client(kind: str, kwargs: dict[str, Any], owner: str = "") -> Any:
    """One client per process, configuration and ``owner``, reused across bundles and micro-batches.

    ``owner`` keeps one user's client apart from the others' where one user may have to replace
    it (``discard_shared_client``) while another still holds it: the post pipeline's producer is
    its own, so the alerting job running in the same process never finds it closed under it.
    """
    cache_key = _cache_key(kind, kwargs, owner)
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is None:
            if kind == "elasticsearch":
                from elasticsearch import Elasticsearch

                client = Elasticsearch(**kwargs)
            else:
                from kafka import KafkaProducer

                # Every bundle ends with flush(), so lingering adds no latency; it saves the producer
                # waking its I/O thread for nearly every send (~0.14 ms a post in a profile).
                client = KafkaProducer(acks="all", linger_ms=100, batch_size=512 * 1024, retries=5, **kwargs)
            _clients[cache_key] = client
        return client


def discard_shared_client(kind: str, kwargs: dict[str, Any], client: Any, owner: str = "") -> bool:
    """Close ``client`` and forget it, so the next ``shared_client`` call makes a new one.

    For a client that cannot be used any more: kafka-python's (3.0) idempotent producer fails
    every later send, to any topic, once the broker refused one. Only ``client`` itself is
    dropped: if another user already replaced it, the replacement stays. ``True`` if dropped now.
    """
    cache_key = _cache_key(kind, kwargs, owner)
    broken: Any = client  # the identity test below would narrow `client` to the cache's Optional
    with _clients_lock:
        if _clients.get(cache_key) is not client:
            return False
        del _clients[cache_key]
    log.warning("replacing the shared %s client after a failure that leaves it unusable", kind)
    try:
        # A short wait: the producer's pending sends are failed already, there is nothing to flush.
        broken.close(**({"timeout": 2} if kind == "kafka" else {}))
    except Exception as exc:  # noqa: BLE001 - closing a broken client may fail too; it is dropped anyway
        log.warning("closing the discarded %s client failed: %s: %s", kind, type(exc).__name__, exc)
    return True


def close_shared_clients() -> None:
    """Close every cached client (at the end of a run or a test session)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
