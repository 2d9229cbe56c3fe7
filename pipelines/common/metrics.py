"""Health of the post pipeline: Prometheus metrics, a status file per worker, JSON logs.

Each worker process exposes its own ``/metrics`` (``pipeline.metrics_port``; with ``--workers
N`` worker ``i`` listens on ``metrics_port + i``), so Prometheus scrapes each worker as its own
target and sums. The same figures go to a small JSON status file per worker under
``pipeline.status_dir``, which ``siaga status`` reads next to the consumer lag from Kafka.
Under ``siaga run`` that file also holds each connector's state (running, restarting since,
stopped and why), refreshed at least every ``HEARTBEAT_S``, for the health check.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, Histogram, Info, start_http_server
from prometheus_client import Counter as PromCounter

from schemas.clock import utc_now
from schemas.files import private_dir, write_private

REGISTRY = CollectorRegistry(auto_describe=True)
"""One registry per process: every job in the process adds to the same series."""

POSTS_IN = PromCounter("siaga_pipeline_posts_in", "Raw records consumed, by stage", ["stage"], registry=REGISTRY)
POSTS_OUT = PromCounter("siaga_pipeline_posts_out", "Records written, by stage", ["stage"], registry=REGISTRY)
DEAD_LETTERED = PromCounter("siaga_pipeline_dead_lettered", "Records dead-lettered, by stage", ["stage"],
                            registry=REGISTRY)
SUPPRESSED = PromCounter("siaga_pipeline_suppressed", "Raw records dropped because their post was erased",
                         registry=REGISTRY)
BATCHES = PromCounter("siaga_pipeline_batches", "Micro-batches, by outcome", ["outcome"], registry=REGISTRY)
ES_BULK_ERRORS = PromCounter("siaga_pipeline_es_bulk_errors", "Failed Elasticsearch bulk requests or items",
                             registry=REGISTRY)
BATCH_SECONDS = Histogram("siaga_pipeline_batch_seconds", "Wall time of one micro-batch (poll to commit)",
                          buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32), registry=REGISTRY)
CONSUMER_LAG = Gauge("siaga_pipeline_consumer_lag", "Records not yet committed, per partition",
                     ["topic", "partition"], registry=REGISTRY)
MODEL = Info("siaga_pipeline_model", "Tagger models in use", registry=REGISTRY)
CONNECTOR_RESTARTS = PromCounter("siaga_connector_restarts", "Connector runs restarted after a failure",
                                 ["connector"], registry=REGISTRY)
CONNECTOR_UP = Gauge("siaga_connector_up", "1 while a connector runs (or finished its bounded source), else 0",
                     ["connector"], registry=REGISTRY)

HEARTBEAT_S = 30.0
"""A status file is rewritten at least this often while its process runs (``StatusFile.heartbeat``)."""

_servers: dict[tuple[str, int], Any] = {}


def serve(host: str, port: int) -> int:
    """Serve ``/metrics`` on ``host:port`` (0 picks a free port) once per process; return the port."""
    key = (host, port)
    if key not in _servers:
        server, _thread = start_http_server(port, addr=host, registry=REGISTRY)
        _servers[key] = server
    return _servers[key].server_address[1]


def record_batch(counters: Counter[str], seconds: float) -> None:
    """Add one committed batch's Beam counters to the Prometheus series."""
    POSTS_IN.labels("validate").inc(counters["posts_in"])
    POSTS_OUT.labels("index").inc(counters["indexed"])
    POSTS_OUT.labels("tagged_topic").inc(counters["indexed"])
    for name, value in counters.items():
        if name.startswith("dead_letter."):
            DEAD_LETTERED.labels(name.removeprefix("dead_letter.")).inc(value)
    ES_BULK_ERRORS.inc(counters["es_bulk_errors"])
    SUPPRESSED.inc(counters["suppressed"])
    BATCHES.labels("committed").inc()
    BATCH_SECONDS.observe(seconds)


class StatusFile:
    """What one worker last did, as JSON, for ``siaga status``: totals, recent rate, last errors."""

    def __init__(self, directory: Path, group_id: str) -> None:
        private_dir(directory)
        self.path = directory / f"{group_id}.{os.getpid()}.json"
        self.started_at = utc_now()
        self.totals: Counter[str] = Counter()
        self.errors: deque[dict[str, str]] = deque(maxlen=10)
        self._recent: deque[tuple[float, int]] = deque()
        self.connectors: dict[str, dict[str, Any]] | None = None
        """Each connector's state, under ``siaga run`` only (``None``: a pipeline worker on its own)."""
        self._lock = threading.Lock()  # connector threads, the pipeline and the main loop all write
        self._written = 0.0

    def connector(self, name: str, state: dict[str, Any]) -> None:
        """Note a connector's new state (``siaga run``'s supervisors call this) and write the file."""
        with self._lock:
            if self.connectors is None:
                self.connectors = {}
            self.connectors[name] = state
        self.write()

    def heartbeat(self) -> None:
        """Rewrite the file if it is older than ``HEARTBEAT_S``: its ``updated_at`` says the process is alive."""
        if time.monotonic() - self._written >= HEARTBEAT_S:
            self.write()

    def committed(self, records: int, counters: Counter[str]) -> None:
        """Note a committed batch."""
        with self._lock:
            self.totals.update(counters)
            self.totals["committed"] += records
            self._recent.append((time.monotonic(), records))
        self.write()

    def failed(self, error: str) -> None:
        """Note a failed batch (or a broker that did not answer)."""
        with self._lock:
            self.errors.append({"at": utc_now().isoformat(), "error": error[:500]})
        self.write()

    def rate(self, window_s: float = 60.0) -> float:
        """Records committed per second over the last ``window_s``."""
        now = time.monotonic()
        while self._recent and self._recent[0][0] < now - window_s:
            self._recent.popleft()
        if not self._recent:
            return 0.0
        span = max(now - min(self._recent[0][0], now - 1.0), 1.0)
        return sum(n for _, n in self._recent) / span

    def write(self) -> None:
        """Rewrite the file atomically (a few hundred bytes, once per batch).

        Private (0600): its last errors can quote what a post held. Not fsynced: it only
        reports, and two fsyncs per batch would cost more than the file is worth.
        """
        with self._lock:
            data = {"pid": os.getpid(), "started_at": self.started_at.isoformat(),
                    "updated_at": utc_now().isoformat(),
                    "committed": self.totals["committed"], "indexed": self.totals["indexed"],
                    "dead_lettered": sum(v for k, v in self.totals.items() if k.startswith("dead_letter.")),
                    "rate_per_s": round(self.rate(), 1), "last_errors": list(self.errors)}
            if self.connectors is not None:
                data["connectors"] = {name: dict(state) for name, state in self.connectors.items()}
            write_private(self.path, json.dumps(data), durable=False)
            self._written = time.monotonic()

    def remove(self) -> None:
        """Forget this worker (it stopped cleanly)."""
        self.path.unlink(missing_ok=True)


def read_status_files(directory: Path) -> list[dict[str, Any]]:
    """Every worker's last status, newest first."""
    found = []
    for path in directory.glob("*.json") if directory.is_dir() else []:
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue
    return sorted(found, key=lambda s: s.get("updated_at", ""), reverse=True)


class JsonFormatter(logging.Formatter):
    """One JSON object per log line: time (UTC), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
