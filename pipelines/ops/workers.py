"""``siaga pipeline run --runner local``: the micro-batch driver as a long-running service.

One worker is one process running ``PostPipelineJob`` until told to stop. ``--workers N``
starts N such processes in one consumer group, so Kafka spreads the raw topic's partitions
over them (parallelism up to the partition count). The supervisor restarts a worker that died,
with backoff, and passes SIGTERM/SIGINT on; a worker stops between batches, so a clean stop
never leaves a half-written batch (and a killed one is re-read from its committed offsets).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipelines.common import metrics
from pipelines.common.clients import close_shared_clients
from pipelines.ops.services import PIPELINE, check_ready
from pipelines.post.job import PostPipelineJob
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.retry import backoff

log = logging.getLogger(__name__)

IDLE_CONFIRMATIONS = 2
RESTART_WAIT_BASE_S = 0.5
RESTART_WAIT_MAX_S = 30.0
"""A dead worker is restarted after 1 s, 2 s, 4 s ... at most this long."""


def run_worker(settings: Settings, stop: threading.Event, *, until_idle: bool = False,
               metrics_port: int | None = None, worker_index: int | None = None) -> int:
    """Run one pipeline worker until ``stop`` (or, with ``until_idle``, until its lag is 0); return records done.

    It checks the set-up (topics, the posts alias) and does not make it: ``siaga setup`` does.
    """
    check_ready(settings, PIPELINE)
    port = metrics_port if metrics_port is not None else settings.pipeline.metrics_port
    if port is not None:
        bound = metrics.serve(settings.pipeline.metrics_host, port)
        log.info("metrics on http://%s:%d/metrics", settings.pipeline.metrics_host, bound)
    job = PostPipelineJob(settings, worker_index)
    done = idle = 0
    try:
        while not stop.is_set():
            moved = job.step()
            done += moved
            if moved:
                idle = 0
                continue
            job.lag()  # refreshes the per-partition lag gauges
            if until_idle:
                idle = idle + 1 if job.lag() == 0 else 0
                if idle >= IDLE_CONFIRMATIONS:
                    break
    finally:
        job.close()
        close_shared_clients()
    return done


def run_workers(config: Path | None, count: int, *, until_idle: bool, metrics_port: int | None,
                verbose: int, log_format: str | None, stop: threading.Event, clock: Clock | None = None) -> int:
    """Start ``count`` worker processes in one consumer group and keep them running; return the worst exit code."""
    clock = clock or process_clock()

    def command(index: int) -> list[str]:
        argv = [sys.executable, "-m", "pipelines.cli"]
        if config is not None:
            argv += ["--config", str(config)]
        argv += ["-v"] * verbose
        if log_format:
            argv += ["--log-format", log_format]
        argv += ["pipeline", "run", "--runner", "local", "--workers", "1", "--worker-index", str(index)]
        if until_idle:
            argv.append("--until-idle")
        if metrics_port is not None:
            argv += ["--metrics-port", str(metrics_port + index if metrics_port else 0)]
        return argv

    procs: dict[int, subprocess.Popen[bytes]] = {i: subprocess.Popen(command(i)) for i in range(count)}  # noqa: S603 - this interpreter running `siaga pipeline run`
    restarts: dict[int, int] = dict.fromkeys(procs, 0)
    finished: dict[int, int] = {}
    try:
        while len(finished) < count and not stop.is_set():
            for index, proc in list(procs.items()):
                code = proc.poll()
                if code is None or index in finished:
                    continue
                if code == 0 and until_idle:
                    finished[index] = 0
                    continue
                restarts[index] += 1
                delay = backoff(restarts[index], base=RESTART_WAIT_BASE_S, cap=RESTART_WAIT_MAX_S, jitter=False)
                log.error("pipeline worker %d (pid %d) exited with %d; restarting in %.1fs",
                          index, proc.pid, code, delay)
                if clock.sleep(delay, stop):
                    break
                procs[index] = subprocess.Popen(command(index))  # noqa: S603 - this interpreter running `siaga pipeline run`
            clock.sleep(0.5, stop)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 60
        for proc in procs.values():
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return max(finished.values(), default=0)
