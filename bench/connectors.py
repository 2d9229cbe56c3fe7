"""Throughput of the import connector (Apify TikTok export → raw-posts topic), with bare-producer baselines.

Run:  .venv/bin/python bench/connectors.py [--posts N] [--json]
      other flags: --target POSTS_PER_S (default 10000), --keep-data

The bench starts its own noida-db (the local Kafka + Elasticsearch stand-in) on free ports with
a temporary data directory, and stops it at the end, even on error. Its input is an Apify TikTok
scraper dataset export of N items (default 50,000) built by cycling the 5 items of
tests/data/imports/apify-tiktok.json; each copy gets a unique 19-digit ``id`` (the sample's
first 12 digits + a 7-digit sequence number) and its ``webVideoUrl``, when it has one, gets the
same id, so post id, Kafka key and URL agree. The export is written twice: as a JSON array
(what Apify's "JSON" download gives) and as NDJSON (its "JSONL" download).

What is measured:

(1) Normalising alone, no Kafka: ``FORMATS["apify-tiktok"](item, collected_at, warnings)`` over
    all N items, already parsed. Three more rows break down the rest of what the connector does
    per item outside Kafka: reading and parsing each file as ``connectors.imports._items`` does
    (the JSON array decoded incrementally with ``JSONDecoder.raw_decode``, which also gives
    each item's raw text; the NDJSON lines with pydantic-core's ``from_json``), and
    ``ImportConnector._record``'s two ``Post.model_dump_json`` calls + the sha256 digest.
(2) The whole import: ``ImportConnector.from_config(ImportSource(...), settings).run(settings,
    Event())`` into a fresh raw topic, with a fresh SQLite state. The wall time runs from
    ``from_config`` (opening the state) until ``run`` returns, i.e. every record acknowledged by
    the broker (acks=all), its id stored in the state, the file's checkpoint saved and the
    producer flushed. Once for the JSON array file, once for the NDJSON file (its own topic and
    state). Files of 8 MB or more (``connectors.imports.PARALLEL_BYTES``; both exports here, with
    the default N) are parsed, normalised and serialised in two worker processes while the
    connector produces, so an import uses up to two cores (and three processes).
(3) Re-runs of the same import, nothing new to send:
    - the same file, untouched: its checkpoint says "read to the end, same size and mtime", so
      the connector skips the whole file without reading it;
    - the same file with a new mtime (a re-export of the same dataset): a JSON array is read
      again from the start; every item is parsed, normalised and serialised, and the sent-posts
      memory (one SQLite query per 500 posts) finds it unchanged, so nothing is produced.
    The raw topic must still hold exactly N records afterwards.
(4) Baseline, as the issue asks: a bare kafka-python loop, a ``KafkaProducer`` with the
    kafka-python names of the connector's producer settings (``connectors.base.PRODUCER_SETTINGS``:
    acks=all, linger 10 ms, 512 KB batches, 5 retries, 5 requests in flight), sending the same N
    posts already serialised (``Post.model_dump_json()`` of the normalised items, key = post id)
    to a fresh topic: send all, flush once, check every future.
(4c) The same loop with the client the connector uses (confluent-kafka / librdkafka), configured
    by ``connectors.base.producer_config`` exactly as ``Connector.run`` does: produce all, flush
    once, check every delivery report. It says how much of the import's time is producing at all.

How to read the numbers:
- posts/s = N / wall time of the phase; "us/post" is the inverse.
- import / baseline < 1 means the import is slower than the bare producer loop; against (4c)
  the gap is the connector's own per-item work (parse, normalise, serialise twice, digest,
  SQLite lookup and insert) plus its confirmation rhythm. All run in this one Python process, on
  the same broker, with the same producer settings and the same values (same size: the Post
  JSON with the whole item in ``raw``, about 3.2 KB). The connector produces with librdkafka
  because kafka-python's ``send`` alone (4) costs about a third of the 100 us a post may take
  at 10,000 posts/s, in the same thread that normalises.
- The target (default 10,000 posts/s, from the issue) applies to each whole import (2); the
  line says PASS only if both the JSON and the NDJSON import reach it.
- Counts are checked, and a mismatch makes the exit status 1: each raw topic holds exactly N
  records (sum of end offsets), the dead-letter topic none; the connector's stats say N
  produced; the SQLite state holds exactly the N expected post ids and a "complete" checkpoint
  for the file at item N; a sample of records read back from the topic are valid Posts keyed by
  their post id (partition 0 read to its end: every key expected and distinct, the first 200
  parsed as Posts). Re-runs must produce nothing and leave the topic at N, and the re-export must
  find all N unchanged. The baseline topics must hold N records each.
- The first line says which CRC32C kafka-python (the baseline (4)) uses: without the ``crc32c``
  package it falls back to a pure-Python one, which costs ~300 us of CPU per 3 KB record on
  this machine, in the producer's sender thread (not visible in a profile of the main thread).
- Each Kafka phase starts once noida-db is idle (it saves asynchronously after writes).
- noida-db is a stand-in for Kafka, so absolute numbers say little about production; the ratio
  between two clients of the same server is the point. On a 2-core machine shared with other
  work, the same phase has moved by 20-30% from run to run: the last line gives the load average
  at the start and the end.
- CPU time: user + system time of the bench process and its finished children (the import's
  worker process) during each phase. Unlike posts/s it does not move with other load on the
  machine: it says what a post costs, and posts per CPU-second what one free core would give.
- Memory: for each phase, the RSS of this process when the phase starts and its peak during the
  phase (VmHWM, reset at the start of the phase through /proc/self/clear_refs); "growth" is the
  difference, i.e. what the phase needed on top of what the process already held. The imports run
  first, while the bench holds nothing but the list of expected ids. The process's overall peak
  (the largest of those peaks and ``getrusage`` ru_maxrss) and noida-db's own peak (VmHWM) are
  listed too.
- (1) runs after the imports, once noida-db is idle again (on 2 cores its background saving
  would otherwise take CPU from the timings).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
# This file is bench/connectors.py: with bench/ first on sys.path (as when run as a script),
# `import connectors` would import this file instead of the package. Put the repository first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() not in (BENCH_DIR, REPO)]
sys.path.insert(0, str(REPO))

from bench.noida import NoidaStack  # noqa: E402 - importable once the repository is on sys.path

SAMPLE = REPO / "tests" / "data" / "imports" / "apify-tiktok.json"
FORMAT = "apify-tiktok"
HOST = "127.0.0.1"
READ_BACK = 200  # records of partition 0 of each import topic parsed and validated as Posts


_STARTED = time.monotonic()


def log(message: str) -> None:
    try:
        print(f"[{time.monotonic() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)
    except OSError:  # stderr closed (e.g. piped into `head`): never let progress lines stop the cleanup
        pass


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its finished children so far."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Memory:
    """Peak RSS per phase: VmHWM is reset at the start of each phase (``/proc/self/clear_refs``).

    Where the reset is not allowed, the peak of a phase is the process's peak so far.
    """

    def __init__(self) -> None:
        self.phases: dict[str, dict[str, float | None]] = {}
        self.resettable = True
        self._start: float | None = None

    def start(self) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
        except OSError:
            self.resettable = False
        self._start = _status_mb("VmRSS")

    def stop(self, label: str) -> None:
        peak = _status_mb("VmHWM") if self.resettable else peak_rss_mb()
        self.phases[label] = {"rss_at_start_mb": self._start, "peak_mb": peak,
                              "growth_mb": peak - self._start if peak is not None and self._start else None}


def settings_for(tmp: Path, stack: NoidaStack, name: str):
    """Settings whose raw and dead-letter topics belong to this phase alone; state under ``tmp``."""
    from schemas.config import Settings

    return Settings.model_validate({
        "stack": {"data_dir": str(tmp / "unused-stack")},
        "kafka": {"bootstrap_servers": stack.bootstrap,
                  "topics": {"raw": f"bench.{name}.raw", "tagged": f"bench.{name}.tagged",
                             "dead_letter": f"bench.{name}.dlq"}},
        "elasticsearch": {"url": stack.es_url},
        "connectors": {"state_dir": str(tmp / "connectors")},
        "alerting": {"state_dir": str(tmp / "alerting")},
        "email": {"outbox_dir": str(tmp / "outbox")},
    })


# --------------------------------------------------------------------------------------------
# the export


def build_export(n: int, json_path: Path, ndjson_path: Path) -> dict[str, Any]:
    """Write N Apify TikTok items (the samples cycled, unique ids) as a JSON array and as NDJSON."""
    samples = json.loads(SAMPLE.read_bytes())
    ids: list[str] = []
    with json_path.open("w", encoding="utf-8") as array, ndjson_path.open("w", encoding="utf-8") as lines:
        array.write("[\n")
        for i in range(n):
            sample = samples[i % len(samples)]
            item = dict(sample)  # shallow: the nested objects are shared, only id and URL change
            native_id = f"{sample['id'][:12]}{i:07d}"
            item["id"] = native_id
            if item.get("webVideoUrl"):
                item["webVideoUrl"] = item["webVideoUrl"].replace(sample["id"], native_id)
            text = json.dumps(item, ensure_ascii=False)
            array.write(text + (",\n" if i < n - 1 else "\n"))
            lines.write(text + "\n")
            ids.append(native_id)
        array.write("]\n")
    return {
        "samples": len(samples),
        "post_ids": [f"tiktok:{native_id}" for native_id in ids],
        "json_mb": json_path.stat().st_size / 1e6,
        "ndjson_mb": ndjson_path.stat().st_size / 1e6,
    }


# --------------------------------------------------------------------------------------------
# Kafka helpers


def create_topics(settings) -> None:
    from pipelines.common.kafka_io import ensure_topics

    ensure_topics(settings)  # raw, tagged and dead-letter, with settings.kafka.partitions each


def topic_size(settings, topic: str) -> int:
    """Messages on a topic (sum of end offsets; every topic here is fresh)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(**settings.kafka_client_kwargs(), group_id=None, enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            return 0
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
    finally:
        consumer.close()


def read_back(settings, topic: str, expected_ids: set[str]) -> dict[str, Any]:
    """Read partition 0 of ``topic`` to its end: every key an expected, distinct post id; a sample valid Posts.

    noida-db answers a fetch with everything the partition holds, whatever the fetch's
    ``max_bytes``, so the consumer's frame limit (``receive_message_max_bytes``, 100 MB by
    default) is raised to 1 GiB here; a default consumer fails on a partition past ~100 MB.
    """
    from kafka import KafkaConsumer, TopicPartition

    from schemas.post import Post

    consumer = KafkaConsumer(**settings.kafka_client_kwargs(), group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest", receive_message_max_bytes=1 << 30)
    problems: list[str] = []
    keys: list[str] = []
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        consumer.seek_to_beginning(partition)
        end = consumer.end_offsets([partition])[partition]
        deadline = time.monotonic() + 30
        while consumer.position(partition) < end and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    key = record.key.decode() if record.key is not None else None
                    keys.append(key)
                    if len(keys) <= READ_BACK:
                        post = Post.model_validate_json(record.value)
                        if key != post.post_id:
                            problems.append(f"{topic}: record key {key!r} is not its post id {post.post_id!r}")
                        if not str(post.url).endswith(post.native_id):
                            problems.append(f"{topic}: url {post.url} does not end with the id {post.native_id}")
    finally:
        consumer.close()
    if len(keys) != end:
        problems.append(f"{topic}: read {len(keys)} of the {end} records of partition 0")
    if len(set(keys)) != len(keys):
        problems.append(f"{topic}: {len(keys) - len(set(keys))} duplicate keys in partition 0")
    unexpected = [key for key in keys if key not in expected_ids]
    if unexpected:
        problems.append(f"{topic}: {len(unexpected)} unexpected keys in partition 0, e.g. {unexpected[0]!r}")
    return {"partition": 0, "records": len(keys), "validated": min(len(keys), READ_BACK),
            "problems": problems[:5] + ([f"... {len(problems) - 5} more"] if len(problems) > 5 else [])}


# --------------------------------------------------------------------------------------------
# (2) and (3): the import connector


def state_summary(state_path: Path, file_key: str) -> dict[str, Any]:
    """The sent ids and the file's checkpoint, read straight from the connector's SQLite file."""
    db = sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)
    try:
        ids = {row[0] for row in db.execute("SELECT post_id FROM sent")}
        row = db.execute("SELECT value FROM checkpoints WHERE key = ?", (file_key,)).fetchone()
    finally:
        db.close()
    return {"sent_ids": ids, "checkpoint": json.loads(row[0]) if row else None}


def kafka_python_settings() -> dict[str, Any]:
    """The connector's producer settings (``connectors.base.PRODUCER_SETTINGS``) in kafka-python's names."""
    from connectors.base import PRODUCER_SETTINGS

    names = {"acks": "acks", "linger.ms": "linger_ms", "batch.size": "batch_size", "retries": "retries",
             "max.in.flight.requests.per.connection": "max_in_flight_requests_per_connection",
             "message.timeout.ms": "delivery_timeout_ms"}
    unknown = set(PRODUCER_SETTINGS) - set(names)
    if unknown:
        msg = f"no kafka-python name for producer setting(s) {sorted(unknown)}: add them here"
        raise RuntimeError(msg)
    return {names[key]: value for key, value in PRODUCER_SETTINGS.items()}


def run_import(settings, source_name: str, path: Path) -> dict[str, Any]:
    """One ``ImportConnector`` run, timed from ``from_config`` to every record acknowledged."""
    from connectors.imports import ImportConnector
    from schemas.config import ImportSource

    source = ImportSource(name=source_name, path=path, format=FORMAT)
    cpu = cpu_seconds()
    started = time.perf_counter()
    connector = ImportConnector.from_config(source, settings)
    stats = connector.run(settings, threading.Event())
    wall_s = time.perf_counter() - started
    return {"wall_s": wall_s, "cpu_s": cpu_seconds() - cpu, "produced": stats.produced, "unchanged": stats.unchanged,
            "dead_lettered": stats.dead_lettered, "finished": stats.finished, "error": stats.error,
            "warnings": stats.warnings}


def bench_import(stack: NoidaStack, tmp: Path, name: str, path: Path, post_ids: list[str],
                 memory: Memory, *, reexport: bool) -> dict[str, Any]:
    """(2) a first import into a fresh topic, checked; (3) re-runs that must send nothing."""
    settings = settings_for(tmp, stack, name)
    create_topics(settings)
    source_name = f"bench-{name}"
    state_path = settings.connectors.state_dir / f"{source_name}.sqlite"
    file_key = f"file:{path.resolve()}"
    n = len(post_ids)
    expected = set(post_ids)
    raw, dlq = settings.kafka.topics.raw, settings.kafka.topics.dead_letter
    problems: list[str] = []

    settled = stack.settle()
    log(f"(2) import {path.name} → {raw} (noida-db idle after {settled:.1f} s)")
    memory.start()
    first = run_import(settings, source_name, path)
    memory.stop(f"(2) import, {name}")
    first["posts"] = n
    first["posts_per_s"] = n / first["wall_s"]
    on_topic, on_dlq = topic_size(settings, raw), topic_size(settings, dlq)
    state = state_summary(state_path, file_key)
    first.update(topic_records=on_topic, dead_letters=on_dlq, state_sent_ids=len(state["sent_ids"]),
                 checkpoint=state["checkpoint"], state_mb=state_path.stat().st_size / 1e6)
    if first["produced"] != n or first["dead_lettered"] or first["unchanged"] or not first["finished"]:
        problems.append(f"{name} import: stats {first['produced']} produced, {first['unchanged']} unchanged, "
                        f"{first['dead_lettered']} dead-lettered, finished {first['finished']}; expected {n} produced")
    if on_topic != n:
        problems.append(f"{raw} holds {on_topic} records, expected {n}")
    if on_dlq:
        problems.append(f"{dlq} holds {on_dlq} dead letters, expected 0")
    if state["sent_ids"] != expected:
        problems.append(f"{name} state: {len(state['sent_ids'])} sent ids, "
                        f"{len(state['sent_ids'] & expected)} of the {n} expected")
    checkpoint = state["checkpoint"] or {}
    if checkpoint.get("items") != n or not checkpoint.get("complete"):
        problems.append(f"{name} state: checkpoint {checkpoint}, expected items {n}, complete")
    back = read_back(settings, raw, expected)
    problems += back.pop("problems")
    first["read_back"] = back

    reruns: dict[str, dict[str, Any]] = {}
    settled = stack.settle()
    log(f"(3) re-run, same file (noida-db idle after {settled:.1f} s)")
    memory.start()
    reruns["unchanged file"] = run_import(settings, source_name, path)
    memory.stop(f"(3) re-run, {name}, unchanged file")
    if reexport:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        log("(3) re-run, same content with a new mtime (a re-export)")
        memory.start()
        reruns["re-export, new mtime"] = run_import(settings, source_name, path)
        memory.stop(f"(3) re-run, {name}, re-export")
    for label, rerun in reruns.items():
        handled = rerun["produced"] + rerun["unchanged"] + rerun["dead_lettered"]
        rerun["posts"] = n
        rerun["skipped_unread"] = n - handled  # never read: the whole file skipped by its checkpoint
        rerun["posts_per_s"] = n / rerun["wall_s"]
        if rerun["produced"] or rerun["dead_lettered"] or not rerun["finished"]:
            problems.append(f"{name} re-run ({label}): {rerun['produced']} produced, "
                            f"{rerun['dead_lettered']} dead-lettered; expected nothing sent")
        if reexport and label != "unchanged file" and rerun["unchanged"] != n:
            problems.append(f"{name} re-run ({label}): {rerun['unchanged']} unchanged, expected {n}")
    after = topic_size(settings, raw)
    if after != n:
        problems.append(f"{raw} holds {after} records after the re-runs, expected {n}")
    return {"file": path.name, "raw_topic": raw, "partitions": settings.kafka.partitions, "first": first,
            "reruns": reruns, "topic_records_after_reruns": after, "problems": problems}


# --------------------------------------------------------------------------------------------
# (1): normalising and the connector's other per-item work, no Kafka


def bench_normalise(json_path: Path, ndjson_path: Path, n: int) -> tuple[dict[str, Any], list[tuple[bytes, bytes]]]:
    """Read and parse, normalise, serialise: each step timed alone over all N items. Returns the messages too."""
    from connectors.formats import FORMATS
    from connectors.imports import _items
    from connectors.state import content_digest
    from schemas.clock import utc_now

    times: dict[str, float] = {}
    started = time.perf_counter()
    items = [item for item, _, _, _ in _items(json_path)]
    times["parse_json"] = time.perf_counter() - started
    started = time.perf_counter()
    lines = sum(1 for _ in _items(ndjson_path))
    times["parse_ndjson"] = time.perf_counter() - started
    if len(items) != n or lines != n:
        msg = f"read {len(items)} items of the JSON array and {lines} lines, expected {n} each"
        raise RuntimeError(msg)

    normalise = FORMATS[FORMAT]
    collected_at = utc_now()
    warnings: list[str] = []
    started = time.perf_counter()
    posts = [normalise(item, collected_at, warnings) for item in items]
    times["normalise"] = time.perf_counter() - started

    started = time.perf_counter()
    messages = []
    for post in posts:
        content_digest(post.model_dump_json(exclude={"collected_at", "raw"}).encode())
        messages.append((post.post_id.encode(), post.model_dump_json().encode()))
    times["serialise"] = time.perf_counter() - started

    if len(posts) != n:
        msg = f"normalised {len(posts)} posts, expected {n}"
        raise RuntimeError(msg)
    result: dict[str, Any] = {name: {"s": s, "posts_per_s": n / s, "us_per_post": s / n * 1e6}
                              for name, s in times.items()}
    result["mean_value_bytes"] = sum(len(v) for _, v in messages) / n
    return result, messages


# --------------------------------------------------------------------------------------------
# (4): the bare producer baseline


def bench_baseline(stack: NoidaStack, tmp: Path, name: str, messages: list[tuple[bytes, bytes]],
                   memory: Memory) -> dict[str, Any]:
    """(4): a bare kafka-python loop; send all, flush once, check every future."""
    from kafka import KafkaProducer

    settings = settings_for(tmp, stack, name)
    create_topics(settings)
    topic = settings.kafka.topics.raw
    settled = stack.settle()
    log(f"(4) baseline, bare kafka-python loop → {topic} (noida-db idle after {settled:.1f} s)")
    memory.start()
    cpu = cpu_seconds()
    started = time.perf_counter()
    producer = KafkaProducer(**kafka_python_settings(), **settings.kafka_client_kwargs())
    try:
        pending = [producer.send(topic, key=key, value=value) for key, value in messages]
        producer.flush()
        for future in pending:
            future.get(timeout=30)
    finally:
        producer.close()
    wall_s = time.perf_counter() - started
    cpu_s = cpu_seconds() - cpu
    memory.stop("(4) baseline, kafka-python")
    return {**_baseline_result(settings, topic, messages, wall_s), "cpu_s": cpu_s}


def bench_baseline_librdkafka(stack: NoidaStack, tmp: Path, name: str, messages: list[tuple[bytes, bytes]],
                              memory: Memory) -> dict[str, Any]:
    """(4c): the same loop with the connector's client and configuration; check every delivery report."""
    from confluent_kafka import Producer

    from connectors.base import producer_config

    settings = settings_for(tmp, stack, name)
    create_topics(settings)
    topic = settings.kafka.topics.raw
    settled = stack.settle()
    log(f"(4c) baseline, bare confluent-kafka loop → {topic} (noida-db idle after {settled:.1f} s)")
    memory.start()
    errors: list[Any] = []
    delivered = 0

    def report(error: Any, _message: Any) -> None:
        nonlocal delivered
        delivered += 1
        if error is not None:
            errors.append(error)

    cpu = cpu_seconds()
    started = time.perf_counter()
    producer = Producer(producer_config(settings, "bench-baseline"))
    for key, value in messages:
        while True:
            try:
                producer.produce(topic, value=value, key=key, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(60)
    wall_s = time.perf_counter() - started
    cpu_s = cpu_seconds() - cpu
    memory.stop("(4c) baseline, confluent-kafka")
    result = {**_baseline_result(settings, topic, messages, wall_s), "cpu_s": cpu_s}
    if left or errors or delivered != len(messages):
        result["problems"].append(f"{topic}: {delivered} delivery reports for {len(messages)} messages, "
                                  f"{len(errors)} errors, {left} left in the queue")
    return result


def _baseline_result(settings, topic: str, messages: list[tuple[bytes, bytes]], wall_s: float) -> dict[str, Any]:
    n = len(messages)
    on_topic = topic_size(settings, topic)
    problems = [] if on_topic == n else [f"{topic} holds {on_topic} records, expected {n}"]
    return {"topic": topic, "posts": n, "wall_s": wall_s, "posts_per_s": n / wall_s, "topic_records": on_topic,
            "problems": problems}


# --------------------------------------------------------------------------------------------
# report


def fmt_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render(report: dict[str, Any]) -> str:
    env, n = report["environment"], report["posts"]
    norm, imports, base = report["normalise"], report["imports"], report["baseline"]
    lines = [
        f"Import connector benchmark: {n:,} Apify TikTok items ({report['samples']} samples cycled), "
        f"{env['cpus']} CPUs, Python {env['python']}, confluent-kafka {env['confluent_kafka']} (librdkafka "
        f"{env['librdkafka']}), kafka-python {env['kafka_python']} (CRC32C: {env['kafka_crc32c']}), "
        f"pydantic {env['pydantic']}",
        f"export: {report['files']['json_mb']:.1f} MB JSON array, {report['files']['ndjson_mb']:.1f} MB NDJSON; "
        f"Post values {norm['mean_value_bytes']:,.0f} bytes on average; topics with "
        f"{imports['json']['partitions']} partitions",
        "producer settings (Connector.run's, in both baselines too): "
        + ", ".join(f"{key}={value}" for key, value in report["producer_settings"].items())
        + "; the clients' defaults otherwise",
        "",
        f"{'stage':<58}{'posts':>8}{'seconds':>9}{'posts/s':>10}{'us/post':>9}",
    ]

    def row(label: str, seconds: float, *, rate: bool = True) -> None:
        if rate:
            lines.append(f"{label:<58}{n:>8}{seconds:>9.2f}{fmt_rate(n / seconds):>10}{seconds / n * 1e6:>9.1f}")
        else:  # nothing was read: a rate per post would mean nothing
            lines.append(f"{label:<58}{n:>8}{seconds:>9.2f}{'-':>10}{'-':>9}")

    row("(1) normalise only: FORMATS['apify-tiktok']", norm["normalise"]["s"])
    row("    read + parse the JSON array (_items: raw_decode)", norm["parse_json"]["s"])
    row("    read + parse the NDJSON (_items: from_json)", norm["parse_ndjson"]["s"])
    row("    serialise: 2x model_dump_json + digest (_record)", norm["serialise"]["s"])
    for name, label in (("json", "JSON array"), ("ndjson", "NDJSON")):
        row(f"(2) import, {label}: start → all acknowledged", imports[name]["first"]["wall_s"])
    for name, label in (("json", "JSON array"), ("ndjson", "NDJSON")):
        for how, rerun in imports[name]["reruns"].items():
            row(f"(3) re-run, {label}, {how}", rerun["wall_s"], rate=bool(rerun["unchanged"]))
    row("(4) baseline: bare kafka-python loop, flush at end", base["bare"]["wall_s"])
    row("(4c) baseline: bare confluent-kafka loop, flush at end", base["librdkafka"]["wall_s"])

    lines.append("")
    for name, label in (("json", "JSON array"), ("ndjson", "NDJSON")):
        first, back = imports[name]["first"], imports[name]["first"]["read_back"]
        checkpoint = first["checkpoint"] or {}
        lines.append(f"(2) {label}: {first['produced']:,} produced, {first['unchanged']} unchanged, "
                     f"{first['dead_lettered']} dead-lettered; topic {imports[name]['raw_topic']} holds "
                     f"{first['topic_records']:,} records, its dead-letter topic {first['dead_letters']}")
        lines.append(f"    state: {first['state_sent_ids']:,} sent ids ({first['state_mb']:.1f} MB), file checkpoint "
                     f"items {checkpoint.get('items')}, complete {checkpoint.get('complete')}; read back: partition "
                     f"{back['partition']}, {back['records']:,} records, {back['validated']} parsed as Posts")
        for how, rerun in imports[name]["reruns"].items():
            lines.append(f"(3) {label}, {how}: {rerun['produced']} produced, {rerun['unchanged']:,} unchanged "
                         f"(found in the sent-posts memory), {rerun['skipped_unread']:,} skipped unread "
                         f"(file checkpoint), {rerun['dead_lettered']} dead-lettered")
        lines.append(f"    topic after the re-runs: {imports[name]['topic_records_after_reruns']:,} records")
    for key, label in (("bare", "(4)"), ("librdkafka", "(4c)")):
        lines.append(f"{label} baseline topic {base[key]['topic']} holds {base[key]['topic_records']:,} records")

    cpu_rows = [(f"(2) import, {label}", imports[name]["first"]["cpu_s"])
                for name, label in (("json", "JSON array"), ("ndjson", "NDJSON"))]
    cpu_rows += [("(4) kafka-python loop", base["bare"]["cpu_s"]), ("(4c) confluent-kafka loop", base["librdkafka"]["cpu_s"])]
    lines += ["", "CPU time of the bench process (and its children) per phase, whatever else runs on the machine:"]
    lines += [f"  {label:<28}{cpu:>7.2f} s CPU, {cpu / n * 1e6:>6.1f} us/post, {n / cpu:>9,.0f} posts per CPU-second"
              for label, cpu in cpu_rows]

    ratios = report["ratios"]
    lines += [
        "",
        f"import / baseline (4), kafka-python loop     : JSON array {ratios['json_over_baseline']:.2f}, "
        f"NDJSON {ratios['ndjson_over_baseline']:.2f}",
        f"import / baseline (4c), confluent-kafka loop : JSON array {ratios['json_over_baseline_librdkafka']:.2f}, "
        f"NDJSON {ratios['ndjson_over_baseline_librdkafka']:.2f}",
    ]
    lines += [
        f"target: import >= {report['target_posts_per_s']:,.0f} posts/s: JSON array "
        f"{fmt_rate(imports['json']['first']['posts_per_s'])}, NDJSON "
        f"{fmt_rate(imports['ndjson']['first']['posts_per_s'])} -> {'PASS' if report['target_met'] else 'FAIL'}",
        "",
    ]
    checks = report["checks"]
    lines.append(f"all counts match: {'yes' if checks['ok'] else 'NO: ' + '; '.join(checks['problems'])}")
    memory = report["memory"]
    how = "VmHWM reset at its start" if memory["resettable"] else "peak so far: VmHWM could not be reset"
    lines += ["", f"memory of the bench process per phase (MB; peak = {how}):",
              f"  {'phase':<40}{'RSS at start':>13}{'peak':>8}{'growth':>8}"]
    for label, phase in memory["phases"].items():
        lines.append(f"  {label:<40}{phase['rss_at_start_mb']:>13.0f}{phase['peak_mb']:>8.0f}"
                     f"{phase['growth_mb']:>8.0f}")
    lines.append(f"  overall peak of the bench process               {report['peak_rss_mb']:>7.0f}")
    if report.get("worker_peak_rss_mb"):
        lines.append(f"  largest import worker process (ru_maxrss)       {report['worker_peak_rss_mb']:>7.0f}")
    if report.get("noida_peak_rss_mb") is not None:
        lines.append(f"  noida-db server (VmHWM)                         {report['noida_peak_rss_mb']:>7.0f}")
    load = [env["load_average_at_start"][0], env["load_average_at_end"][0]]
    lines.append(f"total bench time {report['total_s']:.1f} s; 1-minute load average {load[0]:.1f} at the start, "
                 f"{load[1]:.1f} at the end ({env['cpus']} CPUs: other work on the machine skews the timings)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=50_000, help="items in the export (default 50000)")
    parser.add_argument("--target", type=float, default=10_000.0, help="posts/s the import must reach (default 10000)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument("--keep-data", action="store_true", help="do not delete the temporary data directory")
    args = parser.parse_args(argv)
    if not 1 <= args.posts <= 9_999_999:
        parser.error("--posts must be between 1 and 9,999,999 (ids get a 7-digit sequence number)")

    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    import confluent_kafka
    import kafka
    import kafka.record.util
    import pydantic

    from connectors.base import PRODUCER_SETTINGS

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    bench_started = time.perf_counter()
    load_at_start = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="siaga-bench-connectors-"))
    stack = NoidaStack(tmp / "noida")
    memory = Memory()
    n = args.posts
    try:
        log(f"starting noida-db in {tmp} (kafka :{stack.kafka_port}, elasticsearch :{stack.es_port})")
        stack.start()

        exports = tmp / "exports"
        exports.mkdir()
        json_path, ndjson_path = exports / f"dataset_tiktok_{n}.json", exports / f"dataset_tiktok_{n}.ndjson"
        log(f"writing the export: {n:,} items")
        export = build_export(n, json_path, ndjson_path)
        post_ids = export.pop("post_ids")

        imports = {
            "json": bench_import(stack, tmp, "json", json_path, post_ids, memory, reexport=True),
            "ndjson": bench_import(stack, tmp, "ndjson", ndjson_path, post_ids, memory, reexport=False),
        }

        # The import workers are the only children waited for so far (noida-db runs until the end).
        worker_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        settled = stack.settle()
        log(f"(1) normalise only (noida-db idle after {settled:.1f} s)")
        memory.start()
        normalise, messages = bench_normalise(json_path, ndjson_path, n)
        memory.stop("(1) parse + normalise + serialise")

        baseline = {"bare": bench_baseline(stack, tmp, "baseline", messages, memory),
                    "librdkafka": bench_baseline_librdkafka(stack, tmp, "baseline-librdkafka", messages, memory)}
        del messages
        stack.sample_rss()
        log("all phases done")

        problems = [p for result in (*imports.values(), *baseline.values()) for p in result["problems"]]
        rate = {name: result["first"]["posts_per_s"] for name, result in imports.items()}
        ratios = {f"{name}_over_baseline": rate[name] / baseline["bare"]["posts_per_s"] for name in rate}
        ratios.update({f"{name}_over_baseline_librdkafka": rate[name] / baseline["librdkafka"]["posts_per_s"]
                       for name in rate})
        crc = kafka.record.util._crc32c
        report = {
            "posts": n,
            "samples": export["samples"],
            "files": export,
            "normalise": normalise,
            "imports": imports,
            "baseline": baseline,
            "ratios": ratios,
            "producer_settings": dict(PRODUCER_SETTINGS),
            "target_posts_per_s": args.target,
            "target_met": all(value >= args.target for value in rate.values()),
            "checks": {"ok": not problems, "problems": problems},
            "memory": {"resettable": memory.resettable, "phases": memory.phases},
            "environment": {"cpus": os.cpu_count(), "python": platform.python_version(),
                            "kafka_python": kafka.__version__, "pydantic": pydantic.VERSION,
                            "confluent_kafka": confluent_kafka.version(),
                            "librdkafka": confluent_kafka.libversion()[0],
                            "load_average_at_start": load_at_start, "load_average_at_end": os.getloadavg(),
                            "kafka_crc32c": "pure Python (kafka.record._crc32c)" if crc.__module__.startswith("kafka")
                            else f"C ({crc.__module__})"},
        }
    finally:
        stopping = time.monotonic()
        # On SIGTERM noida-db first saves what it holds (~20 s for 4 x 165 MB of topics); the data
        # is deleted right after, so it gets 3 s unless --keep-data asks for it.
        stack.stop(grace_s=20.0 if args.keep_data else 3.0)
        log(f"stopped noida-db ({time.monotonic() - stopping:.1f} s)")
        if args.keep_data:
            log(f"data kept in {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    # clear_refs also resets what getrusage reports, so the overall peak is the largest seen.
    report["worker_peak_rss_mb"] = worker_peak_mb
    report["peak_rss_mb"] = max([peak_rss_mb()] + [phase["peak_mb"] or 0 for phase in memory.phases.values()])
    report["noida_peak_rss_mb"] = stack.peak_rss_mb
    report["total_s"] = time.perf_counter() - bench_started
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(render(report))
    return 0 if report["checks"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
