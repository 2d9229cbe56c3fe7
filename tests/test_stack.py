"""`siaga stack up | status | down` through the real CLI, with real noida-db processes and sockets.

Every test stack gets its own free ports and a data directory under ``tmp_path``; the
``stack_config`` fixture stops whatever a test started, even when an assertion failed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.cli import main
from pipelines.ops import stack as stack_module
from pipelines.ops.stack import port_open
from schemas.config import Settings, load_settings
from tests.conftest import Stack, free_port

HOST = "127.0.0.1"


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` reads ``os.environ``; a stray SIAGA__* variable must not change what is tested."""
    for name in list(os.environ):
        if name.startswith("SIAGA_"):
            monkeypatch.delenv(name)


def two_free_ports() -> tuple[int, int]:
    first = free_port()
    second = free_port()
    while second == first:
        second = free_port()
    return first, second


def wait_closed(port: int, timeout: float = 5.0) -> bool:
    """Whether ``port`` stops accepting connections within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while port_open(HOST, port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def rows(out: str) -> dict[str, tuple[str, str, str]]:
    """The service rows of `stack` output: name → (address, embedded/external, up/DOWN)."""
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in ("kafka", "elasticsearch"):
            found[parts[0]] = (parts[1], parts[2], parts[3])
    return found


def control_pid(settings: Settings) -> int | None:
    control = settings.stack.data_dir / "noida.control.json"
    return json.loads(control.read_text())["pid"] if control.is_file() else None


class StackConfigs:
    """Writes stack configurations and remembers them, so teardown can stop what they started."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: list[Path] = []

    def __call__(self, **sections: Any) -> Path:
        kafka_port, es_port = two_free_ports()
        data: dict[str, Any] = {"stack": {"data_dir": "stackdata", "kafka_port": kafka_port,
                                          "elasticsearch_port": es_port}}
        for section, values in sections.items():
            data[section] = {**data.get(section, {}), **values}
        folder = self.folder / f"conf{len(self.written)}"
        folder.mkdir()
        path = folder / "siaga.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        self.written.append(path)
        return path

    def stop_all(self) -> None:
        for path in self.written:
            settings = load_settings(path, environ={})
            pid = control_pid(settings)
            try:
                stack_module.down(settings)
            finally:
                ports = (settings.stack.kafka_port, settings.stack.elasticsearch_port)
                if pid is not None and any(port_open(HOST, port) for port in ports):
                    os.kill(pid, signal.SIGKILL)  # the server this test started did not stop


@pytest.fixture
def stack_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Path]]:
    """A factory of config files for stacks on fresh ports; every stack they start is stopped after."""
    # Run from a different folder, so a relative data_dir must resolve against the config file.
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    configs = StackConfigs(tmp_path)
    try:
        yield configs
    finally:
        configs.stop_all()


def siaga(config: Path, *args: str) -> int:
    return main(["--config", str(config), *args])


def test_up_status_down_round_trip(stack_config: Callable[..., Path], tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = stack_config()
    settings = load_settings(config, environ={})
    kafka_port, es_port = settings.stack.kafka_port, settings.stack.elasticsearch_port
    data_dir = config.parent / "stackdata"
    assert settings.stack.data_dir == data_dir

    assert siaga(config, "stack", "up") == 0
    out = capsys.readouterr().out
    assert "started: kafka, elasticsearch" in out
    assert port_open(HOST, kafka_port)
    assert port_open(HOST, es_port)
    assert rows(out) == {
        "kafka": (f"{HOST}:{kafka_port}", "embedded", "up"),
        "elasticsearch": (f"http://{HOST}:{es_port}", "embedded", "up"),
    }
    # The server's state lives in the configured data_dir (next to the config, not in the cwd).
    pid = control_pid(settings)
    assert pid is not None
    assert (data_dir / "noida.log").is_file()
    assert list((tmp_path / "cwd").iterdir()) == []

    assert siaga(config, "stack", "status") == 0
    assert rows(capsys.readouterr().out) == {
        "kafka": (f"{HOST}:{kafka_port}", "embedded", "up"),
        "elasticsearch": (f"http://{HOST}:{es_port}", "embedded", "up"),
    }

    assert siaga(config, "stack", "up") == 0
    out = capsys.readouterr().out
    assert "already running" in out
    assert "started" not in out
    assert control_pid(settings) == pid  # no second server

    started = time.monotonic()
    assert siaga(config, "stack", "down") == 0
    assert capsys.readouterr().out.strip() == f"stopped (data kept in {data_dir})"
    assert wait_closed(kafka_port, timeout=5.0 - (time.monotonic() - started))
    assert wait_closed(es_port, timeout=5.0 - (time.monotonic() - started))
    assert control_pid(settings) is None

    assert siaga(config, "stack", "status") == 3  # a service is not reachable
    assert rows(capsys.readouterr().out) == {
        "kafka": (f"{HOST}:{kafka_port}", "embedded", "DOWN"),
        "elasticsearch": (f"http://{HOST}:{es_port}", "embedded", "DOWN"),
    }

    assert siaga(config, "stack", "down") == 0
    assert capsys.readouterr().out.strip() == "not running"


def test_data_is_kept_in_data_dir_across_down_and_up(stack_config: Callable[..., Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    config = stack_config()
    settings = load_settings(config, environ={})
    assert siaga(config, "stack", "up") == 0

    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all")
    sent = producer.send("kept", key=b"k", value=b"still here after a restart").get(timeout=10)
    producer.close()
    es = Elasticsearch(settings.elasticsearch_url())
    es.index(index="kept", id="1", document={"text": "masih ada"}, refresh=True)
    es.close()

    assert siaga(config, "stack", "down") == 0
    assert not port_open(HOST, settings.stack.kafka_port)
    assert {path.name for path in settings.stack.data_dir.iterdir()} - {"noida.log"}  # the saved data
    assert siaga(config, "stack", "up") == 0
    assert "started: kafka, elasticsearch" in capsys.readouterr().out

    consumer = KafkaConsumer(**settings.kafka_client_kwargs(), group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=5000)
    partition = TopicPartition("kept", sent.partition)
    consumer.assign([partition])
    consumer.seek(partition, sent.offset)
    kept = next((message.value for message in consumer if message.offset == sent.offset), None)
    consumer.close()
    assert kept == b"still here after a restart"
    es = Elasticsearch(settings.elasticsearch_url())
    assert es.get(index="kept", id="1")["_source"] == {"text": "masih ada"}
    es.close()


def test_external_services_start_nothing(stack: Stack, stack_config: Callable[..., Path],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = stack_config(kafka={"bootstrap_servers": stack.bootstrap}, elasticsearch={"url": stack.es_url})
    settings = load_settings(config, environ={})

    assert siaga(config, "stack", "up") == 0
    out = capsys.readouterr().out
    assert "external in this configuration; nothing to start" in out
    assert rows(out) == {
        "kafka": (stack.bootstrap, "external", "up"),
        "elasticsearch": (stack.es_url, "external", "up"),
    }
    assert not port_open(HOST, settings.stack.kafka_port)
    assert not port_open(HOST, settings.stack.elasticsearch_port)
    assert not settings.stack.data_dir.exists()

    assert siaga(config, "stack", "status") == 0
    assert {name: row[1:] for name, row in rows(capsys.readouterr().out).items()} == {
        "kafka": ("external", "up"), "elasticsearch": ("external", "up")}

    # `down` has nothing of its own to stop and leaves the external services alone.
    assert siaga(config, "stack", "down") == 0
    assert capsys.readouterr().out.strip() == "not running"
    assert port_open(HOST, stack.kafka_port)
    assert port_open(HOST, stack.es_port)


def test_only_the_service_without_an_external_address_is_started(
        stack: Stack, stack_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    config = stack_config(kafka={"bootstrap_servers": stack.bootstrap})
    settings = load_settings(config, environ={})

    assert siaga(config, "stack", "up") == 0
    out = capsys.readouterr().out
    assert "started: elasticsearch" in out
    assert rows(out) == {
        "kafka": (stack.bootstrap, "external", "up"),
        "elasticsearch": (f"http://{HOST}:{settings.stack.elasticsearch_port}", "embedded", "up"),
    }
    assert port_open(HOST, settings.stack.elasticsearch_port)
    assert not port_open(HOST, settings.stack.kafka_port)

    assert siaga(config, "stack", "down") == 0
    assert wait_closed(settings.stack.elasticsearch_port)
    assert port_open(HOST, stack.kafka_port)  # the external broker is untouched


def test_status_of_unreachable_external_services_fails(stack_config: Callable[..., Path],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    kafka_port, es_port = two_free_ports()  # nothing listens there
    config = stack_config(kafka={"bootstrap_servers": f"{HOST}:{kafka_port}"},
                          elasticsearch={"url": f"http://{HOST}:{es_port}"})
    assert siaga(config, "stack", "status") == 3  # a service is not reachable
    assert rows(capsys.readouterr().out) == {
        "kafka": (f"{HOST}:{kafka_port}", "external", "DOWN"),
        "elasticsearch": (f"http://{HOST}:{es_port}", "external", "DOWN"),
    }


@pytest.mark.parametrize("taken", ["kafka", "elasticsearch"])
def test_up_fails_clearly_when_a_port_is_taken_by_something_else(
        taken: str, stack_config: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    config = stack_config()
    settings = load_settings(config, environ={})
    ports = {"kafka": settings.stack.kafka_port, "elasticsearch": settings.stack.elasticsearch_port}
    other = next(name for name in ports if name != taken)
    squatter = socket.socket()
    try:
        squatter.bind((HOST, ports[taken]))
        squatter.listen()

        assert siaga(config, "stack", "up") == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("siaga: error: noida-db failed to start")
        assert f"{taken}: port {ports[taken]} is already in use" in captured.err
        # No half-started server is left behind on the other port.
        assert wait_closed(ports[other], timeout=3)
        assert control_pid(settings) is None
    finally:
        squatter.close()


def test_up_on_ports_served_by_a_server_it_did_not_start_says_so(
        stack: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "foreign.yaml"
    config.write_text(yaml.safe_dump({"stack": {"data_dir": str(tmp_path / "unused"), "kafka_port": stack.kafka_port,
                                                "elasticsearch_port": stack.es_port}}), encoding="utf-8")
    assert siaga(config, "stack", "up") == 0
    out = capsys.readouterr().out
    assert "already in use by a server not started from" in out
    assert "already running" not in out
    assert siaga(config, "stack", "down") == 0
    assert "not running" in capsys.readouterr().out
    assert port_open(HOST, stack.kafka_port), "down must not stop a server it did not start"
