"""The embedded default: a local Kafka-protocol broker and Elasticsearch-API server (noida-db).

``siaga stack up`` starts whichever of the two the configuration does not point elsewhere,
with its data under ``stack.data_dir``; ``down`` stops it (data is kept). When both Kafka and
Elasticsearch are external, there is nothing to start and the stack says so.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.errors import SiagaError

POLL_S = 0.05
"""How often a port is tried while waiting for a server to open or close it (noida-db starts in ~0.03 s)."""


class StackError(SiagaError):
    """The embedded stack could not be started or stopped."""


@dataclass(frozen=True)
class ServiceStatus:
    """One service as Siaga will use it."""

    name: str
    address: str
    embedded: bool
    reachable: bool


def noida_binary() -> str:
    """The noida-db server binary inside the installed ``noida_db`` package.

    The ``noida-db`` console script is a Python wrapper that starts this binary as a child;
    signalling the wrapper would leave the server running, so Siaga runs the binary itself.
    """
    spec = importlib.util.find_spec("noida_db")
    if spec is None or not spec.submodule_search_locations:
        msg = "noida-db is not installed (it comes with Siaga's dependencies: run `make install`)"
        raise StackError(msg)
    binary = Path(next(iter(spec.submodule_search_locations))) / "noida-db"
    if not binary.is_file():
        msg = f"the noida-db package has no server binary at {binary}"
        raise StackError(msg)
    return str(binary)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def spawn(data_dir: Path, kafka_port: int | None, elasticsearch_port: int | None, *, host: str = "127.0.0.1",
          output: IO[bytes] | int = subprocess.DEVNULL, timeout: float = 20.0,
          clock: Clock | None = None) -> subprocess.Popen[bytes]:
    """Run noida-db as a child process (tests, benchmarks) and return once its ports answer.

    Unlike ``up``, the server lives only as long as the caller keeps it: ``terminate()`` stops it.
    A port given as ``None`` leaves that service out (a test that stops only Elasticsearch runs
    one server for it alone).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: port for name, port in (("kafka", kafka_port), ("elasticsearch", elasticsearch_port)) if port}
    command = [noida_binary(), "start", "--only", ",".join(ports), "--host", host, "--data-dir", str(data_dir)]
    for name, port in ports.items():
        command += [f"--{name}-port", str(port)]
    process = subprocess.Popen(  # noqa: S603 - the noida-db binary with arguments built here
        command, stdout=output, stderr=subprocess.STDOUT if output is not subprocess.DEVNULL else subprocess.DEVNULL,
    )
    clock = clock or process_clock()
    deadline = clock.monotonic() + timeout
    while not all(port_open(host, port) for port in ports.values()):
        if clock.monotonic() > deadline or process.poll() is not None:
            process.kill()
            process.wait(timeout=10)
            msg = f"noida-db did not start on {host} ports {', '.join(map(str, ports.values()))}"
            raise StackError(msg)
        clock.sleep(POLL_S)
    return process


def _wait_for(host: str, port: int, *, open_: bool, timeout: float, clock: Clock | None = None) -> bool:
    clock = clock or process_clock()
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        if port_open(host, port) == open_:
            return True
        clock.sleep(POLL_S)
    return port_open(host, port) == open_


def _host_port(address: str) -> tuple[str, int]:
    hostport = address.split("://", 1)[-1].split("/", 1)[0].split(",", 1)[0]
    host, _, port = hostport.rpartition(":")
    return host.strip("[]") or "localhost", int(port or (443 if address.startswith("https") else 80))


def status(settings: Settings) -> list[ServiceStatus]:
    """Where Kafka and Elasticsearch are and whether they answer."""
    embedded = settings.embedded_services
    result = []
    for name, address in (("kafka", settings.kafka_bootstrap()), ("elasticsearch", settings.elasticsearch_url())):
        host, port = _host_port(address)
        result.append(ServiceStatus(name, address, name in embedded, port_open(host, port)))
    return result


def _ports(settings: Settings) -> dict[str, int]:
    return {"kafka": settings.stack.kafka_port, "elasticsearch": settings.stack.elasticsearch_port}


def up(settings: Settings, timeout: float = 20.0) -> list[str]:
    """Start the embedded services that are not running yet; return the ones started."""
    services = settings.embedded_services
    stack = settings.stack
    ports = _ports(settings)
    missing = [name for name in services if not port_open(stack.host, ports[name])]
    if not missing:
        return []
    stack.data_dir.mkdir(parents=True, exist_ok=True)
    command = [noida_binary(), "up", "--only", ",".join(services), "--data-dir", str(stack.data_dir),
               "--host", stack.host]
    for name in services:  # noida-db rejects a port option for a service left out of --only
        command += [f"--{name}-port", str(ports[name])]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)  # noqa: S603 - the noida-db binary with arguments built here
    if completed.returncode != 0:
        # `noida-db up` explains a failed start (e.g. a port in use) on stdout, not stderr.
        output = f"{completed.stdout}\n{completed.stderr}".splitlines()
        detail = "\n".join(line.strip() for line in output if line.strip() and "GLIBC" not in line)
        msg = f"noida-db failed to start (exit {completed.returncode}): {detail.strip()}"
        raise StackError(msg)
    for name in missing:
        if not _wait_for(stack.host, ports[name], open_=True, timeout=timeout):
            msg = f"{name} did not open {stack.host}:{ports[name]} within {timeout:.0f}s; see {stack.data_dir}/noida.log"
            raise StackError(msg)
    return missing


def owned(settings: Settings) -> bool:
    """Whether a server was started from this stack's data directory (so ``down`` can stop it)."""
    return (settings.stack.data_dir / "noida.control.json").is_file()


def down(settings: Settings, timeout: float = 20.0) -> bool:
    """Stop the embedded server (its data is kept); return whether one was running."""
    stack = settings.stack
    if not owned(settings):
        return False
    subprocess.run([noida_binary(), "down", "--data-dir", str(stack.data_dir)],  # noqa: S603 - the noida-db binary with arguments built here
                   capture_output=True, text=True, check=False, timeout=60)
    # `noida-db down` returns before the process exits; wait until the ports are free again.
    for port in _ports(settings).values():
        if not _wait_for(stack.host, port, open_=False, timeout=timeout):
            msg = f"port {port} still open {timeout:.0f}s after `noida-db down`"
            raise StackError(msg)
    return True
