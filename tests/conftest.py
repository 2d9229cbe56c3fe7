"""Shared fixtures: a real Kafka-protocol broker and Elasticsearch-API server (noida-db), a real
SMTP server on loopback (aiosmtpd), and per-test settings with their own topics and indices.

The stack is started once per session on free ports with a temporary data directory and torn
down afterwards; each test gets unique topic, index and group names, so tests never see each
other's data.
"""

from __future__ import annotations

import json
import multiprocessing.process
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from pipelines.common.clients import close_shared_clients
from pipelines.common.erasures import forget_shared_suppressions
from pipelines.factchecks.store import forget_shared_factchecks
from pipelines.ops.stack import free_port, port_open, spawn
from schemas.config import Settings, load_settings


def pytest_configure(config: pytest.Config) -> None:
    # kafka-python 3.0 loads its protocol schemas with a deprecated importlib call, once per
    # message type; the warning is theirs and says nothing about Siaga.
    config.addinivalue_line("filterwarnings", "ignore:read_text is deprecated:DeprecationWarning")
    config.addinivalue_line("filterwarnings", "ignore:open_text is deprecated:DeprecationWarning")


SERVICE_FIXTURES = frozenset({"stack", "smtp_server", "own_server", "stack_config"})
"""Fixtures that start a server or a process: the session's noida-db (and every fixture built on it,
``settings`` included), the SMTP server, a test's own noida-db, the stacks `siaga stack up` starts."""
SLOW_FIXTURES = frozenset({"trained"})
"""Fixtures that take seconds of CPU: training a fastText model (tests/test_models.py)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``services`` (``slow``) every test that requests such a fixture, directly or through another one.

    Derived from the fixture closure, so a new test is marked by what it uses; ``make test-fast``
    runs ``-m "not services and not slow"``. A test that starts processes by itself is marked
    ``services`` by hand, and ``_processes_only_in_services_tests`` fails it until it is.
    """
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if SERVICE_FIXTURES & fixtures:
            item.add_marker(pytest.mark.services)
        if SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _processes_only_in_services_tests(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that starts a process without the ``services`` mark, so the fast subset stays fast.

    The process still starts (the test runs as it would); the failure comes after, naming it.
    """
    if request.node.get_closest_marker("services") is not None:
        yield
        return
    started: list[str] = []
    execute_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]
    start_process = multiprocessing.process.BaseProcess.start

    def noting_child(self: subprocess.Popen[Any], args: Any, *rest: Any, **options: Any) -> Any:
        started.append(" ".join(map(str, args)) if isinstance(args, list | tuple) else str(args))
        return execute_child(self, args, *rest, **options)

    def noting_process(self: multiprocessing.process.BaseProcess) -> None:
        started.append(f"multiprocessing {self.name}")
        start_process(self)

    monkeypatch.setattr(subprocess.Popen, "_execute_child", noting_child)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", noting_process)
    yield
    if started:
        pytest.fail(f"this test starts processes ({'; '.join(started)[:300]}): mark it @pytest.mark.services")


class Stack:
    """A noida-db process serving Kafka and Elasticsearch on loopback."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.kafka_port = free_port()
        self.es_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = spawn(self.data_dir, self.kafka_port, self.es_port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
        deadline = time.monotonic() + 20
        while port_open("127.0.0.1", self.kafka_port) or port_open("127.0.0.1", self.es_port):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)

    @property
    def es_url(self) -> str:
        return f"http://127.0.0.1:{self.es_port}"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The session's broker and Elasticsearch server."""
    running = Stack(tmp_path_factory.mktemp("noida"))
    running.start()
    yield running
    close_shared_clients()
    forget_shared_suppressions()
    forget_shared_factchecks()
    running.stop()


def make_settings(stack: Stack | None, tmp_path: Path, **sections: Any) -> Settings:
    """Settings isolated to one test: unique topics, indices, groups, state and outbox."""
    tag = uuid.uuid4().hex[:8]
    data: dict[str, Any] = {
        "kafka": {"topics": {"raw": f"raw-{tag}", "tagged": f"tagged-{tag}", "dead_letter": f"dlq-{tag}",
                             "alerts": f"alerts-{tag}", "verdicts": f"verdicts-{tag}"}},
        "elasticsearch": {"posts_index": f"posts-{tag}", "alerts_index": f"alerts-{tag}",
                          "erasures_index": f"erasures-{tag}", "factchecks_index": f"factchecks-{tag}",
                          "verdicts_index": f"verdicts-{tag}"},
        "pipeline": {"group_id": f"pipeline-{tag}", "batch_max_wait_ms": 300},
        "alerting": {"group_id": f"alerting-{tag}", "state_dir": str(tmp_path / "alerting")},
        "email": {"outbox_dir": str(tmp_path / "outbox")},
    }
    if stack is not None:
        data["kafka"]["bootstrap_servers"] = stack.bootstrap
        data["elasticsearch"]["url"] = stack.es_url
    for section, values in sections.items():
        if isinstance(values, dict) and isinstance(data.get(section), dict):
            merged = dict(data[section])
            merged.update(values)
            data[section] = merged
        else:
            data[section] = values
    config = tmp_path / f"siaga-{tag}.yaml"
    config.write_text(json.dumps(data), encoding="utf-8")
    return load_settings(config, environ={})


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    """Isolated settings pointing at the session stack."""
    return make_settings(stack, tmp_path)


class SmtpSink:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpSink, int]]:
    """A real SMTP server on loopback; yields its message sink and port."""
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def make_post(native_id: str, *, minutes: float = 0, text: str = "Ayo ke TPS tanggal 27, jangan golput ya!",
              platform: str = "tiktok", hashtags: list[str] | None = None, handle: str = "warga_sukamaju",
              start: datetime = datetime(2026, 11, 21, 12, 0, tzinfo=UTC), **extra: Any) -> dict[str, Any]:
    """A valid raw post as a connector would produce it."""
    created = start + timedelta(minutes=minutes)
    post = {
        "platform": platform,
        "native_id": native_id,
        "url": f"https://www.tiktok.com/@{handle}/video/{native_id}",
        "author": {"id": f"a{native_id}", "handle": handle, "display_name": "Warga Sukamaju"},
        "text": text,
        "hashtags": hashtags or [],
        "mentions": [],
        "created_at": created.isoformat(),
        "collected_at": (created + timedelta(minutes=5)).isoformat(),
        "engagement": {"likes": 3, "comments": 1, "shares": 0, "views": 120},
        "region": None,
    }
    post.update(extra)
    return post


def write_jsonl(path: Path, lines: list[dict[str, Any] | bytes | str]) -> Path:
    """Write posts (dicts) and raw lines (bytes/str, e.g. deliberately broken ones) to a JSONL file."""
    with path.open("wb") as out:
        for line in lines:
            if isinstance(line, dict):
                out.write(json.dumps(line, ensure_ascii=False).encode())
            elif isinstance(line, str):
                out.write(line.encode())
            else:
                out.write(line)
            out.write(b"\n")
    return path


def read_topic(settings: Settings, topic: str, expected: int, timeout_ms: int = 8000) -> list[Any]:
    """Up to ``expected`` messages of ``topic`` from the start, read without a consumer group."""
    from kafka import KafkaConsumer  # imported late: kafka-python warns on import, before our filters apply

    consumer = KafkaConsumer(topic, **settings.kafka_client_kwargs(), group_id=None, auto_offset_reset="earliest",
                             consumer_timeout_ms=timeout_ms, enable_auto_commit=False)
    messages = []
    for message in consumer:
        messages.append(message)
        if len(messages) >= expected:
            break
    consumer.close()
    return messages
