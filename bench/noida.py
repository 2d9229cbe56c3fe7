"""The benches' own noida-db: Kafka and Elasticsearch on free loopback ports, in a temporary folder.

Unlike ``siaga stack up``, the server lives only as long as the bench: ``stop`` ends it, and
``settle`` waits until it has finished saving, so one phase's writes do not slow the next.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"


class NoidaStack:
    """A noida-db process serving Kafka and Elasticsearch on free loopback ports (for the benches)."""

    def __init__(self, data_dir: Path) -> None:
        from pipelines.ops.stack import free_port

        self.data_dir = data_dir
        self.kafka_port = free_port(HOST)
        self.es_port = free_port(HOST)
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "noida-bench.log"
        self.peak_rss_mb: float | None = None

    def start(self) -> None:
        from pipelines.ops.stack import StackError, spawn

        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as out:
            try:
                self.process = spawn(self.data_dir, self.kafka_port, self.es_port, host=HOST, output=out)
            except StackError as exc:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                msg = f"{exc}; its log ends with:\n{tail}"
                raise RuntimeError(msg) from None

    def sample_rss(self) -> None:
        """Remember noida-db's peak resident set (VmHWM) while it still runs."""
        if self.process is None:
            return
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_rss_mb = int(line.split()[1]) / 1024
        except OSError:
            pass

    def settle(self, quiet_cpu: float = 0.05, timeout: float = 10.0) -> float:
        """Wait until noida-db uses under ``quiet_cpu`` of a core (it saves asynchronously after writes)."""
        started = time.monotonic()
        if self.process is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        pid = self.process.pid

        def cpu_seconds() -> float:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick

        try:
            while time.monotonic() - started < timeout:
                before = cpu_seconds()
                time.sleep(0.25)
                if (cpu_seconds() - before) / 0.25 < quiet_cpu:
                    break
        except OSError:
            pass
        return time.monotonic() - started

    def stop(self, grace_s: float = 20.0) -> None:
        """Terminate noida-db; kill it if it is still saving after ``grace_s``."""
        from pipelines.ops.stack import port_open

        if self.process is not None:
            self.sample_rss()
            self.process.terminate()
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        deadline = time.monotonic() + 20
        while (port_open(HOST, self.kafka_port) or port_open(HOST, self.es_port)) and time.monotonic() < deadline:
            time.sleep(0.05)

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.kafka_port}"

    @property
    def es_url(self) -> str:
        return f"http://{HOST}:{self.es_port}"
