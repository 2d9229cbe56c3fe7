"""Clients shared by every stage: one Elasticsearch client and one Kafka producer per process and
configuration, and secrets that stay out of pickled job graphs (``EnvSecret``)."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from typing import Any

from schemas.errors import ConfigError

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

                # Every bundle ends with flush(), so lingering adds no latency; it saves the producer
                # waking its I/O thread for nearly every send (~0.14 ms a post in a profile).
                client = KafkaProducer(acks="all", linger_ms=100, batch_size=512 * 1024, retries=5, **kwargs)
            _clients[cache_key] = client
        return client


def close_shared_clients() -> None:
    """Close every cached client (at the end of a run or a test session)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
