"""Fault injection: the pipeline loses and duplicates nothing when it is killed or a server goes away.

Real processes, real servers: the pipeline runs as ``siaga pipeline run`` in a subprocess and
is SIGKILLed at random points while posts flow; Elasticsearch and the Kafka broker are separate
noida-db processes stopped with SIGTERM (noida-db itself may lose writes acknowledged just
before its own SIGKILL, so only the pipeline is killed that way) and started again on the same
port and data directory.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.common.clients import close_shared_clients
from pipelines.common.kafka_io import group_lag
from pipelines.common.metrics import read_status_files
from pipelines.ops.services import ensure_ready
from pipelines.ops.stack import free_port, port_open, spawn
from pipelines.ops.workers import run_worker
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from tests.conftest import Stack, make_post, make_settings

REPO = Path(__file__).resolve().parent.parent


def post_value(i: int, **extra: Any) -> tuple[bytes, bytes]:
    post = make_post(f"f{i}", minutes=i % 600, text=f"Warga Sukamaju antre di TPS nomor {i}, jangan golput ya", **extra)
    return f"tiktok:f{i}".encode(), json.dumps(post).encode()


def produce(settings: Settings, values: list[tuple[bytes | None, bytes]], rate: float | None = None) -> None:
    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all", linger_ms=5,
                             max_request_size=4 * 1024 * 1024)
    started = time.monotonic()
    for n, (key, value) in enumerate(values):
        producer.send(settings.kafka.topics.raw, key=key, value=value)
        if rate:
            ahead = n / rate - (time.monotonic() - started)
            if ahead > 0:
                producer.flush()
                time.sleep(ahead)
    producer.flush()
    producer.close()


def write_config(settings: Settings, path: Path) -> Path:
    """The parts of ``settings`` a pipeline subprocess needs, as a config file."""
    data = {section: getattr(settings, section).model_dump(mode="json", exclude_none=True)
            for section in ("kafka", "elasticsearch", "pipeline")}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


class PipelineProcess:
    """``siaga pipeline run`` in a subprocess, its output in a log file."""

    def __init__(self, config: Path, log: Path, *extra: str) -> None:
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "--config", str(config), "-v", "pipeline", "run", *extra],
            cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def es_ids(settings: Settings) -> list[str]:
    """Every document id behind the posts alias, duplicates across monthly indices included."""
    es = Elasticsearch(settings.elasticsearch_url())
    alias = settings.elasticsearch.posts_index
    try:
        es.indices.refresh(index=alias)
        ids: list[str] = []
        for index in sorted(es.indices.get_alias(name=alias)):
            hits = es.search(index=index, size=10_000, query={"match_all": {}}, source=["language", "tagger_version"])
            for hit in hits["hits"]["hits"]:
                assert hit["_source"]["language"] and hit["_source"]["tagger_version"], hit
                ids.append(hit["_id"])
        return ids
    finally:
        es.close()


def es_count(settings: Settings) -> int:
    es = Elasticsearch(settings.elasticsearch_url(), request_timeout=5)
    try:
        es.indices.refresh(index=settings.elasticsearch.posts_index)
        return int(es.count(index=settings.elasticsearch.posts_index)["count"])
    finally:
        es.close()


def topic_keys(settings: Settings, topic: str) -> list[bytes]:
    """Every key on ``topic``, read to its end offsets without a consumer group."""
    consumer = KafkaConsumer(**settings.kafka_client_kwargs(), group_id=None, enable_auto_commit=False,
                             receive_message_max_bytes=512 * 1024 * 1024)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        keys: list[bytes] = []
        deadline = time.monotonic() + 30
        while any(consumer.position(tp) < ends[tp] for tp in tps) and time.monotonic() < deadline:
            for messages in consumer.poll(timeout_ms=500).values():
                keys += [m.key for m in messages if m.offset < ends[TopicPartition(m.topic, m.partition)]]
        return keys
    finally:
        consumer.close()


def committed_total(settings: Settings) -> int:
    return sum(committed or 0 for _end, committed in group_lag(
        settings, settings.pipeline.group_id, settings.kafka.topics.raw).values())


_last_settings: list[Settings] = []


def wait_until(condition, timeout: float, what: str, interval: float = 0.3) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            if condition():
                return
            last = f"false; committed {committed_total(_last_settings[0])}" if _last_settings else "false"
        except Exception as exc:  # noqa: BLE001 - a server that is still coming up: ask again
            last = exc
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what} (last: {last})")


def test_sigkill_at_random_points_loses_and_duplicates_nothing(settings, tmp_path):
    settings = make_settings(None, tmp_path,
                             kafka={**settings.kafka.model_dump(mode="json", exclude_none=True),
                                    "session_timeout_ms": 6000, "max_poll_interval_ms": 10000},
                             elasticsearch=settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                             pipeline={**settings.pipeline.model_dump(mode="json"), "batch_max_records": 100,
                                       "batch_max_wait_ms": 200, "retry_backoff_max_s": 2,
                                       "status_dir": str(tmp_path / "status")})
    ensure_ready(settings)
    config = write_config(settings, tmp_path / "pipeline.json")
    log = tmp_path / "pipeline.log"
    total = 1500
    producer = threading.Thread(target=produce, args=(settings, [post_value(i) for i in range(total)], 100.0))
    producer.start()
    rng = random.Random(20261124)
    kills = 0
    try:
        while kills < 3:
            worker = PipelineProcess(config, log)
            before = committed_total(settings)
            # Kill at a random point once this worker is writing: mid-batch, mid-commit or between.
            wait_until(lambda: committed_total(settings) > before, 90, f"worker {kills + 1} to commit")  # noqa: B023
            time.sleep(rng.uniform(0.0, 1.5))
            worker.kill()
            kills += 1
        producer.join()
        # The last run drains what is left and stops by itself.
        final = PipelineProcess(config, log, "--until-idle")
        try:
            assert final.wait(timeout=180) == 0, log.read_text()[-3000:]
        finally:
            final.stop()
    finally:
        producer.join()
    assert kills >= 3
    ids = es_ids(settings)
    assert len(ids) == total, f"{len(ids)} documents for {total} posts"
    assert sorted(set(ids)) == sorted(f"tiktok:f{i}" for i in range(total))
    tagged = set(topic_keys(settings, settings.kafka.topics.tagged))
    assert tagged == {f"tiktok:f{i}".encode() for i in range(total)}
    assert committed_total(settings) == total


@pytest.fixture
def own_server(tmp_path: Path):
    """A separate noida-db process this test may stop and start again: ``(start, stop, port)``."""
    port = free_port()
    data = tmp_path / "own-noida"
    holder: dict[str, subprocess.Popen[bytes]] = {}

    def start(service: str) -> None:
        holder["process"] = spawn(data, port if service == "kafka" else None,
                                  port if service == "elasticsearch" else None)

    def stop() -> None:
        process = holder.pop("process", None)
        if process is not None:
            process.terminate()  # SIGTERM: noida-db saves before it exits
            process.wait(timeout=20)
        wait_until(lambda: not port_open("127.0.0.1", port), 20, "the port to close")

    yield start, stop, port
    stop()


def _worker_thread(settings: Settings) -> tuple[threading.Thread, threading.Event, list[BaseException]]:
    stop = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            run_worker(settings, stop)
        except BaseException as exc:
            errors.append(exc)
            raise

    thread = threading.Thread(target=target, name="pipeline-worker", daemon=True)
    thread.start()
    return thread, stop, errors


def test_elasticsearch_outage_backs_off_commits_nothing_unwritten_and_catches_up(stack: Stack, tmp_path, own_server):
    start, stop_server, port = own_server
    start("elasticsearch")
    settings = make_settings(stack, tmp_path, elasticsearch={"url": f"http://127.0.0.1:{port}", "request_timeout_s": 2},
                             pipeline={"retry_backoff_max_s": 1, "batch_max_records": 100,
                                       "status_dir": str(tmp_path / "status")})
    ensure_ready(settings)
    thread, stop, errors = _worker_thread(settings)
    try:
        produce(settings, [post_value(i) for i in range(200)])
        wait_until(lambda: es_count(settings) == 200 and committed_total(settings) == 200, 60, "the first 200 posts")
        stop_server()
        produce(settings, [post_value(i) for i in range(200, 500)])
        time.sleep(5)
        assert thread.is_alive() and not errors
        assert committed_total(settings) == 200, "offsets were committed for posts Elasticsearch never took"
        (status,) = read_status_files(tmp_path / "status")
        assert status["last_errors"], "the outage left no error for `siaga status`"
        start("elasticsearch")
        wait_until(lambda: committed_total(settings) == 500, 90, "the catch-up after Elasticsearch returned")
        assert thread.is_alive() and not errors
    finally:
        stop.set()
        thread.join(timeout=60)
        close_shared_clients()
    assert not errors, errors
    ids = es_ids(settings)
    assert sorted(ids) == sorted(f"tiktok:f{i}" for i in range(500))


def test_kafka_outage_backs_off_and_catches_up(stack: Stack, tmp_path, own_server):
    start, stop_server, port = own_server
    start("kafka")
    settings = make_settings(stack, tmp_path, kafka={"bootstrap_servers": f"127.0.0.1:{port}"},
                             pipeline={"retry_backoff_max_s": 1, "batch_max_records": 100,
                                       "status_dir": str(tmp_path / "status")})
    ensure_ready(settings)
    thread, stop, errors = _worker_thread(settings)
    try:
        produce(settings, [post_value(i) for i in range(200)])
        wait_until(lambda: es_count(settings) == 200 and committed_total(settings) == 200, 60, "the first 200 posts")
        stop_server()
        time.sleep(4)
        assert thread.is_alive() and not errors
        start("kafka")
        produce(settings, [post_value(i) for i in range(200, 500)])
        wait_until(lambda: committed_total(settings) == 500, 120, "the catch-up after the broker returned")
        assert thread.is_alive() and not errors
    finally:
        stop.set()
        thread.join(timeout=60)
        close_shared_clients()
    assert not errors, errors
    assert sorted(es_ids(settings)) == sorted(f"tiktok:f{i}" for i in range(500))
    assert set(topic_keys(settings, settings.kafka.topics.tagged)) == {f"tiktok:f{i}".encode() for i in range(500)}


def test_poison_records_never_block_a_partition(settings, tmp_path):
    settings = make_settings(None, tmp_path, kafka={**settings.kafka.model_dump(mode="json", exclude_none=True),
                                                    "partitions": 1},
                             elasticsearch=settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                             pipeline={**settings.pipeline.model_dump(mode="json"), "batch_max_records": 50,
                                       "status_dir": str(tmp_path / "status")})
    ensure_ready(settings)
    alias = settings.elasticsearch.posts_index
    es = Elasticsearch(settings.elasticsearch_url())
    # A month whose index was made by hand with `region` as a number: posts of that month with a
    # text region are refused by Elasticsearch itself.
    es.indices.create(index=f"{alias}-2020.01", mappings={"properties": {"region": {"type": "long"}}},
                      aliases={alias: {}})
    es.close()
    refused_key, refused = post_value(9000, region="Cibeureum Hilir", start=datetime(2020, 1, 15, tzinfo=UTC))
    poison: list[tuple[bytes | None, bytes]] = [
        (None, b"{oops"), (None, b"\xff\xfe"), (b"big", b"{\"text\": \"" + b"x" * 900_000 + b"\"}"), (refused_key, refused),
        (None, b"[1, 2]"), (None, json.dumps(make_post("nodate", created_at="kemarin")).encode()),
        # Nested far past Python's recursion limit, yet well under the size limit.
        (None, b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ]
    good = [post_value(i) for i in range(140)]
    values = []
    for n, item in enumerate(good):
        values.append(item)
        if n % 20 == 0:
            values.append(poison[(n // 20) % len(poison)])
    produce(settings, values)
    thread, stop, errors = _worker_thread(settings)
    _last_settings[:] = [settings]
    try:
        wait_until(lambda: committed_total(settings) == len(values), 60,
                   f"the partition to be drained ({len(values)} records)")
    finally:
        stop.set()
        thread.join(timeout=60)
        close_shared_clients()
    assert not errors, errors
    assert sorted(es_ids(settings)) == sorted(f"tiktok:f{i}" for i in range(140))
    letters = [DeadLetter.model_validate_json(v) for v in _values(settings, settings.kafka.topics.dead_letter)]
    assert sorted(letter.stage for letter in letters) == ["index"] + ["validate"] * 6
    assert any("nested too deeply" in letter.reason for letter in letters)
    (refused_letter,) = [letter for letter in letters if letter.stage == "index"]
    assert refused_letter.key == "tiktok:f9000"
    assert "Elasticsearch refused the document (400)" in refused_letter.reason


def _values(settings: Settings, topic: str) -> list[bytes]:
    consumer = KafkaConsumer(topic, **settings.kafka_client_kwargs(), group_id=None, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000, enable_auto_commit=False)
    try:
        return [m.value for m in consumer]
    finally:
        consumer.close()


def test_a_large_backlog_is_consumed_despite_noida_db_ignoring_fetch_sizes(settings):
    """noida-db answers a fetch with the whole backlog (~120 MB here): over kafka-python's default
    100 MB frame limit the consumer looped on InvalidReceiveError and never got a record."""
    from pipelines.common.kafka_io import make_consumer, poll_batch

    ensure_ready(settings)
    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all", linger_ms=20, batch_size=512 * 1024)
    value = b"v" * 3000
    for i in range(40_000):
        producer.send(settings.kafka.topics.raw, key=str(i).encode(), value=value, partition=0)
    producer.flush()
    producer.close()
    consumer = make_consumer(settings, settings.pipeline.group_id, settings.kafka.topics.raw, 2000)
    try:
        got = 0
        deadline = time.monotonic() + 60
        while got < 40_000 and time.monotonic() < deadline:
            got += len(poll_batch(consumer, 2000, 1000))
        assert got == 40_000
    finally:
        consumer.close()


class SlowElasticsearch:
    """A loopback HTTP proxy in front of the real Elasticsearch server that delays every bulk request,
    and, with ``max_body``, refuses larger requests with 413 as Elasticsearch's ``http.max_content_length`` does."""

    def __init__(self, target: str, bulk_delay_s: float, max_body: int | None = None) -> None:
        import http.client
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        upstream = urlsplit(target)
        self.bulk_sizes: list[int] = []
        """The body size of every bulk request that reached the proxy."""
        self.too_large = 0
        """Requests refused with 413."""
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "_bulk" in self.path:
                    proxy.bulk_sizes.append(len(body))
                if max_body is not None and len(body) > max_body:
                    proxy.too_large += 1
                    payload = json.dumps({"error": {"type": "content_too_long_exception",
                                                    "reason": f"request body is {len(body)} bytes, over {max_body}"},
                                          "status": 413}).encode()
                    self.send_response(413)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("X-Elastic-Product", "Elasticsearch")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if "_bulk" in self.path:
                    time.sleep(bulk_delay_s)
                connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_memory_stays_bounded_while_elasticsearch_is_slower_than_the_input(settings, tmp_path):
    ensure_ready(settings)
    slow = SlowElasticsearch(settings.elasticsearch_url(), bulk_delay_s=1.0)
    try:
        slowed = make_settings(None, tmp_path, kafka=settings.kafka.model_dump(mode="json", exclude_none=True),
                               elasticsearch={**settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                                              "url": slow.url},
                               pipeline={**settings.pipeline.model_dump(mode="json"), "batch_max_records": 500,
                                         "es_bulk_size": 250, "status_dir": str(tmp_path / "status")})
        config = write_config(slowed, tmp_path / "slow.json")
        worker = PipelineProcess(config, tmp_path / "slow.log")
        try:
            produce(settings, [post_value(i) for i in range(200)])
            wait_until(lambda: committed_total(settings) >= 200, 60, "the first posts")
            baseline = rss_mb(worker.process.pid)
            # Input at ~500 posts/s for 8 s; the slowed Elasticsearch takes ~250 posts/s.
            feeder = threading.Thread(target=produce, args=(settings, [post_value(i) for i in range(200, 4200)], 500.0))
            feeder.start()
            peak, max_lag = baseline, 0
            deadline = time.monotonic() + 150
            while feeder.is_alive() or committed_total(settings) < 4200:
                assert time.monotonic() < deadline, f"not drained in time (max lag {max_lag})"
                peak = max(peak, rss_mb(worker.process.pid))
                ends = group_lag(settings, settings.pipeline.group_id, settings.kafka.topics.raw)
                max_lag = max(max_lag, sum(end - (committed or 0) for end, committed in ends.values()))
                assert worker.process.poll() is None, (tmp_path / "slow.log").read_text()[-2000:]
                time.sleep(0.5)
            feeder.join()
        finally:
            worker.stop()
    finally:
        slow.close()
    assert max_lag > 1000, f"Elasticsearch was not slower than the input (max lag {max_lag})"
    assert peak - baseline < 120, f"RSS grew {peak - baseline:.0f} MB (from {baseline:.0f} MB) while lagging"
    assert sorted(es_ids(settings)) == sorted(f"tiktok:f{i}" for i in range(4200))


def test_a_bulk_request_too_large_is_split_and_only_the_oversized_post_dead_lettered(settings, tmp_path):
    from pipelines.common.records import KafkaRecord
    from pipelines.post.job import run_batch

    ensure_ready(settings)
    limited = SlowElasticsearch(settings.elasticsearch_url(), bulk_delay_s=0.0, max_body=8_000)
    try:
        small = make_settings(None, tmp_path, kafka=settings.kafka.model_dump(mode="json", exclude_none=True),
                              elasticsearch={**settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                                             "url": limited.url})
        values = [post_value(i)[1] for i in range(4)]
        values.insert(2, json.dumps(make_post("huge", text="Kabar pilkada " + "panjang sekali " * 600)).encode())
        counters = run_batch([KafkaRecord("raw", 0, n, None, v) for n, v in enumerate(values)], small)
        close_shared_clients()
    finally:
        limited.close()
    assert counters["indexed"] == 4
    assert counters["dead_letter.index"] == 1
    assert sorted(es_ids(settings)) == sorted(f"tiktok:f{i}" for i in range(4))
    (letter,) = [DeadLetter.model_validate_json(v) for v in _values(settings, settings.kafka.topics.dead_letter)]
    assert letter.key == "tiktok:huge"
    assert letter.reason.startswith("Elasticsearch refused the document (413): request too large")
    assert set(topic_keys(settings, settings.kafka.topics.tagged)) == {f"tiktok:f{i}".encode() for i in range(4)}


def test_a_batch_larger_than_the_bulk_byte_limit_goes_in_several_requests_none_refused(settings, tmp_path):
    from pipelines.common.records import KafkaRecord
    from pipelines.post.job import run_batch

    ensure_ready(settings)
    limit = 64 * 1024
    limited = SlowElasticsearch(settings.elasticsearch_url(), bulk_delay_s=0.0, max_body=limit + 4096)
    try:
        small = make_settings(None, tmp_path, kafka=settings.kafka.model_dump(mode="json", exclude_none=True),
                              elasticsearch={**settings.elasticsearch.model_dump(mode="json", exclude_none=True),
                                             "url": limited.url},
                              pipeline={"es_bulk_max_bytes": limit})
        # 30 posts of ~4.5 kB each: ~140 kB of documents for one batch of 30 (es_bulk_size 500).
        values = [json.dumps(make_post(f"long{i}", minutes=i, text=f"Kabar pilkada {i} " + "panjang sekali " * 300))
                  .encode() for i in range(30)]
        counters = run_batch([KafkaRecord("raw", 0, n, None, v) for n, v in enumerate(values)], small)
        close_shared_clients()
    finally:
        limited.close()
    assert counters["indexed"] == 30 and not counters["dead_letter.index"]
    assert limited.too_large == 0, "no request went over the limit"
    assert len(limited.bulk_sizes) >= 3 and max(limited.bulk_sizes) <= limit, limited.bulk_sizes
    assert sorted(es_ids(settings)) == sorted(f"tiktok:long{i}" for i in range(30))
