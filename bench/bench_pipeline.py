"""Throughput of Siaga's post pipeline, with a baseline measured in the same run.

Run:  .venv/bin/python bench/bench_pipeline.py [--posts N] [--json]     (or `make bench`)
      other flags: --batch-records N, --repeats N, --baseline-first, --timeout S, --keep-data

The bench starts its own noida-db (the local Kafka + Elasticsearch stand-in) on free ports with
a temporary data directory, builds N posts by cycling the 570 sample posts with unique
native_ids, produces them to a fresh raw topic, and stops noida-db at the end, even on error.

What is measured, all on the same N posts:

(a) Tagging alone (no Kafka, no Elasticsearch): ``pipelines.tagging.tagger.Tagger.tag`` (the
    whole tagger the pipeline's ``TagFn`` runs: language, topics, risk level and watchlist
    matches, built from ``settings.tagging``) called once per post (a one-element list each
    time) against ``tag`` on lists of 500, the largest batch the pipeline's ``BatchElements``
    hands ``TagFn``. The normalisation alone (``pipelines.tagging.text.prepare``, which ``tag``
    runs once per text in both paths) is shown too: batching only helps the fastText calls, not
    this per-text work. Best of ``--repeats`` interleaved rounds. Both paths must give
    identical tags.
(b) Siaga end to end: ``PostPipelineJob.step()`` in a loop until the group's lag is 0, exactly
    the driver ``siaga run`` uses: poll a micro-batch → validate → tag → bulk-index into
    Elasticsearch → produce the tagged posts (and dead letters) to Kafka → commit offsets.
    Each batch runs a fresh Beam pipeline on the in-process FnApiRunner. ``run_batch`` is
    wrapped (in this process only, the source is untouched) to time the Beam part of a step.
(c) Baseline: a plain kafka-python consumer → the same validation (``parse_post``) and the
    same ``Tagger`` (one ``tag`` call per polled batch, ``TaggedPost`` built as ``TagFn`` builds
    it) → ``elasticsearch.helpers.bulk`` → commit; no Beam, its own consumer group, its own
    index (same template/mapping). Its ``Tagger`` is loaded once, inside its wall time.
(c+) The same baseline that also produces every tagged post to its own Kafka topic with
    acks=all before committing, i.e. the same outputs as Siaga (minus an empty dead-letter
    topic). Siaga/(c+) is the like-for-like ratio; Siaga/(c) is the brief's plain loop.

How to read the numbers:
- "posts/s" = posts / wall time of the phase. For (b), (c) and (c+) the wall time runs from
  creating the consumer to lag 0 and includes the consumer-group join (~0.4 s) and the first
  batch; "steady/s" is posts / summed batch time with the first batch left out.
- Ratio Siaga/baseline < 1 means Siaga is slower; 0.5 means half the throughput. Both sides
  do the same validation, tagging and writes to the same server, so the gap is what the
  micro-batch driver adds: a Beam pipeline built and run per batch (a fixed cost per run, which
  includes ``TagFn.setup`` loading a ``Tagger`` and its warm-up ``tag(["siap"])`` call, and
  per-record costs: the batch is pickled into the pipeline, elements pass through coders
  between stages). The "calls" lines count ``Tagger.tag`` calls and bulk requests per phase
  (thin wrappers installed by this bench): in Siaga, ``BatchElements`` starts again at size 1
  in every micro-batch, so it makes many small calls where the baseline makes few large ones.
- Batch latency = wall time of one ``step()`` (poll + Beam run + commit), i.e. how long a post
  waits at most inside the pipeline once polled. Bigger batches amortise the fixed cost.
- noida-db is a stand-in: its Elasticsearch and Kafka are not the real ones, so absolute numbers
  say little about production; the ratio between two clients of the same server is the point.
- Counts are checked after an index refresh: every produced post must be in each index and on
  each tagged topic, the dead-letter topic must be empty, and all indices (and (a)) must hold
  the same language distribution and the same risk-level distribution; a mismatch is printed
  and the exit status is 1.
- Each end-to-end phase starts once noida-db is idle (it saves asynchronously after writes).
  Phases run in the order Siaga, (c), (c+); ``--baseline-first`` reverses it to check order
  effects. On this 2-core machine run-to-run spread is roughly ±10%.
- Peak RSS is ``getrusage(RUSAGE_SELF).ru_maxrss`` of this process (Beam runs in-process), noted
  after each phase, so it is the peak *so far*; noida-db's own peak (VmHWM) is listed apart.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.noida import NoidaStack  # noqa: E402 - importable once the repository is on sys.path

SAMPLE = REPO / "connectors" / "samples" / "posts.jsonl"
TAG_BATCH = 500  # ValidateAndTag's default max_batch_size: the largest list TagFn gets
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    from pipelines.stack import free_port as stack_free_port

    return stack_free_port(HOST)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def settings_for(tmp: Path, stack: NoidaStack, name: str, raw_topic: str, batch_records: int | None):
    """Siaga settings for one variant: shared raw topic, own group, index and tagged topic."""
    from schemas.config import load_settings

    pipeline: dict[str, Any] = {"group_id": f"bench-{name}"}
    if batch_records:
        pipeline["batch_max_records"] = batch_records
    data = {
        "stack": {"data_dir": str(tmp / "unused-stack")},
        "kafka": {
            "bootstrap_servers": stack.bootstrap,
            "topics": {"raw": raw_topic, "tagged": f"bench.{name}.tagged", "dead_letter": f"bench.{name}.dlq"},
        },
        # Distinct prefixes: the index templates' patterns (`<index>*`) must not overlap.
        "elasticsearch": {"url": stack.es_url, "posts_index": f"{name}-posts-bench",
                          "alerts_index": f"{name}-alerts-bench"},
        "pipeline": pipeline,
        "alerting": {"state_dir": str(tmp / "alerting")},
        "email": {"outbox_dir": str(tmp / "outbox")},
    }
    path = tmp / f"siaga-bench-{name}.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return load_settings(path, environ={})


def build_messages(n: int) -> list[tuple[bytes, bytes]]:
    """N raw posts as (key, value): the sample posts cycled, each with a unique native_id."""
    samples = [json.loads(line) for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    messages = []
    for i in range(n):
        post = dict(samples[i % len(samples)])
        post["native_id"] = f"{post['native_id']}-b{i}"
        key = f"{post['platform']}:{post['native_id']}"
        messages.append((key.encode(), json.dumps(post, ensure_ascii=False).encode()))
    return messages


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


def produce(settings, messages: list[tuple[bytes, bytes]]) -> float:
    from kafka import KafkaProducer

    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all", linger_ms=10, retries=5)
    topic = settings.kafka.topics.raw
    started = time.perf_counter()
    try:
        pending = []
        for key, value in messages:
            pending.append(producer.send(topic, key=key, value=value))
            if len(pending) >= 5000:
                producer.flush()
                for future in pending:
                    future.get(timeout=30)
                pending.clear()
        producer.flush()
        for future in pending:
            future.get(timeout=30)
    finally:
        producer.close()
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# (a) tagging alone


def bench_tagging(settings, texts: list[str], repeats: int) -> dict[str, Any]:
    """Best of ``repeats`` interleaved rounds of: normalise only, per-post ``tag``, batched ``tag``."""
    from pipelines.tagging.tagger import Tagger
    from pipelines.tagging.text import prepare

    tagger = Tagger(settings.tagging)  # loads the models and watchlists, outside the timings
    tagger.tag(["siap"])  # as TagFn.setup does
    for text in texts[:1000]:  # warm-up
        tagger.tag([text])

    times: dict[str, list[float]] = {"normalise": [], "per_post": [], "batched": []}
    single: list[Any] = []
    batched: list[Any] = []
    for _ in range(repeats):
        started = time.perf_counter()
        for text in texts:
            prepare(text)
        times["normalise"].append(time.perf_counter() - started)

        started = time.perf_counter()
        single = [tagger.tag([text])[0] for text in texts]
        times["per_post"].append(time.perf_counter() - started)

        started = time.perf_counter()
        batched = []
        for i in range(0, len(texts), TAG_BATCH):
            batched.extend(tagger.tag(texts[i : i + TAG_BATCH]))
        times["batched"].append(time.perf_counter() - started)

    n = len(texts)
    best = {name: min(values) for name, values in times.items()}
    return {
        "posts": n,
        "repeats": repeats,
        "per_post_s": best["per_post"],
        "per_post_posts_per_s": n / best["per_post"],
        "batched_s": best["batched"],
        "batched_posts_per_s": n / best["batched"],
        "batch_size": TAG_BATCH,
        "normalise_s": best["normalise"],
        "normalise_posts_per_s": n / best["normalise"],
        "batched_over_per_post": best["per_post"] / best["batched"],
        "all_rounds_s": times,
        "identical_results": single == batched,
        "tagger_version": tagger.version,
        "languages": dict(Counter(tags.language for tags in batched).most_common()),
        "risk_levels": dict(Counter(tags.risk.level for tags in batched).most_common()),
    }


class CallStats:
    """Counts ``Tagger.tag`` calls and Elasticsearch bulk requests, with their sizes.

    Installed as thin wrappers on the two classes for the whole bench (the FnApiRunner runs the
    DoFns in this process), so each phase can say how many calls it made and how big they were.
    """

    def __init__(self) -> None:
        self.tag: list[int] = []
        self.bulk: list[int] = []

    def install(self) -> None:
        from elasticsearch import Elasticsearch

        from pipelines.tagging.tagger import Tagger

        stats = self
        original_tag, original_bulk = Tagger.tag, Elasticsearch.bulk

        def tag(tagger, texts):  # noqa: ANN001, ANN202 - same signature as the original
            stats.tag.append(len(texts))
            return original_tag(tagger, texts)

        def bulk(client, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            operations = kwargs.get("operations") or kwargs.get("body") or (args[0] if args else [])
            stats.bulk.append(len(operations) // 2)  # index action + source per document
            return original_bulk(client, *args, **kwargs)

        Tagger.tag = tag
        Elasticsearch.bulk = bulk
        self._restore = (Tagger, original_tag, Elasticsearch, original_bulk)

    def uninstall(self) -> None:
        if hasattr(self, "_restore"):
            tagger_cls, tag, es_cls, bulk = self._restore
            tagger_cls.tag = tag
            es_cls.bulk = bulk
            del self._restore

    def mark(self) -> tuple[int, int]:
        return len(self.tag), len(self.bulk)

    def since(self, mark: tuple[int, int]) -> dict[str, Any]:
        tag, bulk = self.tag[mark[0]:], self.bulk[mark[1]:]
        return {
            "tag_calls": len(tag),
            "mean_tag_list": sum(tag) / len(tag) if tag else 0,
            "bulk_requests": len(bulk),
            "mean_bulk_docs": sum(bulk) / len(bulk) if bulk else 0,
        }


# --------------------------------------------------------------------------------------------
# (b) Siaga end to end


def latency_stats(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {}
    ordered = sorted(samples)
    return {
        "mean_s": statistics.fmean(ordered),
        "p50_s": ordered[len(ordered) // 2],
        "p95_s": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max_s": ordered[-1],
    }


def phase_result(name: str, batches: list[tuple[int, float]], wall_s: float, expected: int, **extra: Any):
    posts = sum(n for n, _ in batches)
    steady_posts = sum(n for n, _ in batches[1:])
    steady_s = sum(dt for _, dt in batches[1:])
    return {
        "name": name,
        "posts": posts,
        "expected": expected,
        "wall_s": wall_s,
        "posts_per_s": posts / wall_s if wall_s else 0.0,
        "steady_posts_per_s": steady_posts / steady_s if steady_s else None,
        "batches": len(batches),
        "mean_batch_size": posts / len(batches) if batches else 0,
        "batch_latency": latency_stats([dt for _, dt in batches]),
        **extra,
    }


def bench_siaga(settings, expected: int, timeout_s: float) -> dict[str, Any]:
    import pipelines.job as job_module
    from pipelines.sinks import close_shared_clients

    beam_runs: list[float] = []
    original_run_batch = job_module.run_batch

    def timed_run_batch(records, batch_settings):  # noqa: ANN001, ANN202 - same signature as run_batch
        started = time.perf_counter()
        try:
            return original_run_batch(records, batch_settings)
        finally:
            beam_runs.append(time.perf_counter() - started)

    job_module.run_batch = timed_run_batch
    batches: list[tuple[int, float]] = []
    try:
        started = time.perf_counter()
        job = job_module.PostPipelineJob(settings)
        retried = 0
        try:
            while True:
                step_started = time.perf_counter()
                committed = job.step()
                step_s = time.perf_counter() - step_started
                if committed:
                    batches.append((committed, step_s))
                    log(f"    siaga batch {len(batches):3d}: {committed:5d} posts in {step_s:.3f} s")
                if not committed and job.failures:  # step() failed, rewound and backed off
                    retried += 1
                    if job.failures >= 3:
                        msg = "the Siaga pipeline failed 3 batches in a row"
                        raise RuntimeError(msg)
                if job.lag() == 0:
                    break
                if time.perf_counter() - started > timeout_s:
                    msg = f"Siaga did not reach lag 0 within {timeout_s:.0f} s (lag {job.lag()})"
                    raise RuntimeError(msg)
            wall_s = time.perf_counter() - started
        finally:
            job.close()
            close_shared_clients()
    finally:
        job_module.run_batch = original_run_batch
    return phase_result(
        "siaga", batches, wall_s, expected,
        beam_run_batch=latency_stats(beam_runs),
        beam_share=sum(beam_runs) / wall_s if wall_s else None,
        counters=dict(job.totals),
        retried_batches=retried,
    )


# --------------------------------------------------------------------------------------------
# (c) baseline: plain consumer → tagger → helpers.bulk


def bench_baseline(settings, expected: int, timeout_s: float, *, produce_tagged: bool) -> dict[str, Any]:
    from elasticsearch import Elasticsearch, helpers
    from kafka import KafkaConsumer, KafkaProducer

    from pipelines.kafka_io import lag
    from pipelines.records import InvalidRecord, parse_post
    from pipelines.tagging.tagger import Tagger
    from schemas.fields import utc_now
    from schemas.post import TaggedPost

    kafka_kwargs = settings.kafka_client_kwargs()
    index = settings.elasticsearch.posts_index
    batch_max = settings.pipeline.batch_max_records
    tagged_topic = settings.kafka.topics.tagged
    batches: list[tuple[int, float]] = []
    invalid = 0
    languages: Counter[str] = Counter()
    risk_levels: Counter[str] = Counter()

    started = time.perf_counter()
    consumer = KafkaConsumer(**kafka_kwargs, group_id=settings.pipeline.group_id, enable_auto_commit=False,
                             auto_offset_reset="earliest", max_poll_records=batch_max)
    consumer.subscribe([settings.kafka.topics.raw])
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    producer = KafkaProducer(**kafka_kwargs, acks="all", linger_ms=5, retries=5) if produce_tagged else None
    tagger = Tagger(settings.tagging)
    try:
        while True:
            batch_started = time.perf_counter()
            polled = consumer.poll(timeout_ms=settings.pipeline.batch_max_wait_ms, max_records=batch_max)
            records = [message for messages in polled.values() for message in messages]
            if records:
                posts = []
                for record in records:
                    try:
                        posts.append(parse_post(record.value))
                    except InvalidRecord:
                        invalid += 1
                tagged_at = utc_now()  # as TagFn.process: one timestamp and version per tagged batch
                version = tagger.version
                tagged = [
                    TaggedPost(**post.model_dump(), language=tags.language, language_score=tags.language_score,
                               topics=tags.topics, risk=tags.risk, matches=tags.matches,
                               tagged_at=tagged_at, tagger_version=version)
                    for post, tags in zip(posts, tagger.tag([post.text for post in posts]), strict=True)
                ]
                languages.update(post.language for post in tagged)
                risk_levels.update(post.risk.level for post in tagged)
                helpers.bulk(
                    es,
                    ({"_index": index, "_id": post.post_id, "_source": post.model_dump(mode="json")} for post in tagged),
                    chunk_size=settings.pipeline.es_bulk_size,
                )
                if producer is not None:
                    futures = [producer.send(tagged_topic, key=post.post_id.encode(),
                                             value=post.model_dump_json().encode()) for post in tagged]
                    producer.flush()
                    for future in futures:
                        future.get(timeout=30)
                consumer.commit()
                batches.append((len(records), time.perf_counter() - batch_started))
            if lag(consumer) == 0:
                break
            if time.perf_counter() - started > timeout_s:
                msg = f"baseline did not reach lag 0 within {timeout_s:.0f} s"
                raise RuntimeError(msg)
        wall_s = time.perf_counter() - started
    finally:
        consumer.close()
        es.close()
        if producer is not None:
            producer.close()
    name = "baseline+topic" if produce_tagged else "baseline"
    return phase_result(name, batches, wall_s, expected, invalid=invalid, languages=dict(languages),
                        risk_levels=dict(risk_levels))


# --------------------------------------------------------------------------------------------
# checks and report


def es_check(settings) -> dict[str, Any]:
    from elasticsearch import Elasticsearch

    es = Elasticsearch(**settings.elasticsearch_kwargs())
    index = settings.elasticsearch.posts_index
    try:
        es.indices.refresh(index=index)
        count = es.count(index=index)["count"]
        aggs = es.search(index=index, size=0, aggs={"lang": {"terms": {"field": "language", "size": 50}},
                                                    "risk": {"terms": {"field": "risk.level", "size": 50}}})
        languages = {b["key"]: b["doc_count"] for b in aggs["aggregations"]["lang"]["buckets"]}
        risk_levels = {b["key"]: b["doc_count"] for b in aggs["aggregations"]["risk"]["buckets"]}
        return {"index": index, "count": count, "languages": languages, "risk_levels": risk_levels}
    finally:
        es.close()


def fmt_rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def render(report: dict[str, Any]) -> str:
    a, phases = report["tagging"], report["phases"]
    env = report["environment"]
    lines = [
        f"Siaga pipeline benchmark: {report['posts']:,} posts ({report['samples']} samples cycled), "
        f"{env['cpus']} CPUs, Python {env['python']}, Beam {env['beam']}, batch_max_records "
        f"{report['batch_max_records']}, es_bulk_size {report['es_bulk_size']}",
        f"produced to {report['raw_topic']} ({report['raw_partitions']} partitions) in "
        f"{report['produce_s']:.2f} s ({fmt_rate(report['posts'] / report['produce_s'])} posts/s)",
        "",
        f"{'stage':<48}{'posts':>8}{'seconds':>9}{'posts/s':>10}{'steady/s':>10}",
        f"{'(a) tagging: text.prepare only (normalise)':<48}{a['posts']:>8}{a['normalise_s']:>9.2f}"
        f"{fmt_rate(a['normalise_posts_per_s']):>10}",
        f"{'(a) tagging: Tagger.tag one post per call':<48}{a['posts']:>8}{a['per_post_s']:>9.2f}"
        f"{fmt_rate(a['per_post_posts_per_s']):>10}",
        f"{'(a) tagging: Tagger.tag lists of ' + str(a['batch_size']):<48}{a['posts']:>8}{a['batched_s']:>9.2f}"
        f"{fmt_rate(a['batched_posts_per_s']):>10}",
    ]
    labels = {
        "siaga": "(b) Siaga: step() until lag 0 (Beam)",
        "baseline": "(c) baseline: consumer→tagger→helpers.bulk",
        "baseline+topic": "(c+) baseline + produce tagged topic",
    }
    for phase in phases.values():
        lines.append(f"{labels[phase['name']]:<48}{phase['posts']:>8}{phase['wall_s']:>9.2f}"
                     f"{fmt_rate(phase['posts_per_s']):>10}{fmt_rate(phase['steady_posts_per_s']):>10}")
    ratios = report["ratios"]

    def fmt_ratio(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    lines += [
        "",
        f"tagging batched / per-post          : x{a['batched_over_per_post']:.2f}"
        f"  (best of {a['repeats']} rounds; identical tags: {'yes' if a['identical_results'] else 'NO'})",
        f"Siaga / baseline (c)                : {fmt_ratio(ratios['siaga_over_baseline'])}"
        f"  (steady state {fmt_ratio(ratios['siaga_over_baseline_steady'])})",
        f"Siaga / baseline+topic (c+)         : {fmt_ratio(ratios['siaga_over_baseline_topic'])}"
        f"  (steady state {fmt_ratio(ratios['siaga_over_baseline_topic_steady'])})",
        "",
        "batch latency (one step / one poll-to-commit loop) and calls made:",
    ]
    for phase in phases.values():
        lat, calls = phase["batch_latency"], phase["calls"]
        lines.append(f"  {phase['name']:<15} {phase['batches']:>3} batches, mean size {phase['mean_batch_size']:>5.0f}: "
                     f"mean {lat['mean_s']:.3f} s  p50 {lat['p50_s']:.3f} s  p95 {lat['p95_s']:.3f} s  "
                     f"max {lat['max_s']:.3f} s")
        lines.append(f"  {'':<15} Tagger.tag calls {calls['tag_calls']:>4} (mean list {calls['mean_tag_list']:>5.0f}), "
                     f"bulk requests {calls['bulk_requests']:>4} (mean {calls['mean_bulk_docs']:>4.0f} docs)")
    siaga = phases["siaga"]
    beam = siaga["beam_run_batch"]
    lines.append(f"  of which Beam run_batch: mean {beam['mean_s']:.3f} s  p50 {beam['p50_s']:.3f} s  "
                 f"max {beam['max_s']:.3f} s  ({siaga['beam_share']:.0%} of Siaga's wall time)")
    checks = report["checks"]
    lines += ["", f"counts (after refresh): produced {report['posts']:,}"]
    for name, check in checks["elasticsearch"].items():
        lines.append(f"  ES index {check['index']:<26} {check['count']:>8,}")
    for topic, size in checks["topics"].items():
        lines.append(f"  topic {topic:<29} {size:>8,}")
    lines.append(f"  Siaga counters: {siaga['counters'].get('posts_in', 0):,} in, "
                 f"{siaga['counters'].get('indexed', 0):,} indexed; retried batches {siaga['retried_batches']}")
    langs = checks["elasticsearch"]["siaga"]["languages"]
    lines.append("  languages in Siaga's index: " + ", ".join(f"{k} {v:,}" for k, v in langs.items())
                 + f"; same in all indices and in (a): {'yes' if checks['languages_agree'] else 'NO'}")
    levels = checks["elasticsearch"]["siaga"]["risk_levels"]
    lines.append("  risk levels in Siaga's index: " + ", ".join(f"{k} {v:,}" for k, v in levels.items())
                 + f"; same in all indices and in (a): {'yes' if checks['risk_levels_agree'] else 'NO'}")
    lines.append(f"  tagger version: {report['tagging']['tagger_version']}")
    lines.append(f"  all counts match: {'yes' if checks['ok'] else 'NO: ' + '; '.join(checks['problems'])}")
    lines += ["", "peak RSS (bench process, getrusage ru_maxrss, peak so far):"]
    for label, value in report["peak_rss_mb"].items():
        lines.append(f"  after {label:<28} {value:>7.0f} MB")
    if report.get("noida_peak_rss_mb") is not None:
        lines.append(f"  noida-db server (VmHWM)             {report['noida_peak_rss_mb']:>7.0f} MB")
    lines.append(f"total bench time {report['total_s']:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000, help="posts to produce (default 20000)")
    parser.add_argument("--batch-records", type=int, default=None,
                        help="pipeline.batch_max_records for Siaga and the baselines (default: Siaga's, 2000)")
    parser.add_argument("--baseline-first", action="store_true", help="run the baselines before Siaga")
    parser.add_argument("--repeats", type=int, default=3,
                        help="rounds of the tagging micro-bench (a); the best round is reported (default 3)")
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds allowed per end-to-end phase")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument("--keep-data", action="store_true", help="do not delete the temporary data directory")
    args = parser.parse_args(argv)
    if args.posts < 1 or args.repeats < 1:
        parser.error("--posts and --repeats must be at least 1")

    # Beam logs a harmless "apitools not found" warning on import; keep the output to the figures.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    import apache_beam

    from pipelines.services import ensure_ready

    def on_term(signum, frame):  # noqa: ANN001, ANN202, ARG001 - signal handler signature
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    bench_started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="siaga-bench-"))
    stack = NoidaStack(tmp / "noida")
    rss: dict[str, float] = {"start": peak_rss_mb()}
    calls = CallStats()
    try:
        calls.install()
        log(f"starting noida-db in {tmp} (kafka :{stack.kafka_port}, elasticsearch :{stack.es_port})")
        stack.start()
        raw_topic = "bench.posts.raw"
        variants = {name: settings_for(tmp, stack, name, raw_topic, args.batch_records)
                    for name in ("siaga", "base", "basek")}
        for settings in variants.values():
            ensure_ready(settings)  # topics (raw shared, tagged/dlq per variant) and index templates
        siaga_settings = variants["siaga"]

        messages = build_messages(args.posts)
        samples = min(args.posts, len(SAMPLE.read_bytes().splitlines()))
        log(f"producing {len(messages):,} posts to {raw_topic}")
        produce_s = produce(siaga_settings, messages)
        on_topic = topic_size(siaga_settings, raw_topic)
        if on_topic != len(messages):
            msg = f"{raw_topic} holds {on_topic} records after producing {len(messages)}"
            raise RuntimeError(msg)
        rss["producing"] = peak_rss_mb()

        log("(a) tagging alone (Tagger.tag)")
        texts = [json.loads(value)["text"] for _, value in messages]
        tagging = bench_tagging(siaga_settings, texts, args.repeats)
        rss["tagging (a)"] = peak_rss_mb()

        phases: dict[str, dict[str, Any]] = {}

        def measure(name: str, label: str, run) -> None:  # noqa: ANN001 - a zero-argument callable
            settled = stack.settle()  # start each phase with the server idle, not still saving
            log(f"{label} (noida-db idle after {settled:.1f} s)")
            mark = calls.mark()
            phases[name] = run()
            phases[name]["calls"] = calls.since(mark)
            rss[label.split(":")[0] + " " + name] = peak_rss_mb()

        def run_siaga() -> None:
            measure("siaga", "(b): Siaga pipeline end to end",
                    lambda: bench_siaga(siaga_settings, len(messages), args.timeout))

        def run_baselines() -> None:
            measure("baseline", "(c): baseline, consumer → tagger → helpers.bulk",
                    lambda: bench_baseline(variants["base"], len(messages), args.timeout, produce_tagged=False))
            measure("baseline+topic", "(c+): baseline + tagged topic",
                    lambda: bench_baseline(variants["basek"], len(messages), args.timeout, produce_tagged=True))

        for run in ((run_baselines, run_siaga) if args.baseline_first else (run_siaga, run_baselines)):
            run()
        phases = {name: phases[name] for name in ("siaga", "baseline", "baseline+topic")}

        log("checking counts")
        es_counts = {name: es_check(settings) for name, settings in variants.items()}
        topics = {
            siaga_settings.kafka.topics.tagged: topic_size(siaga_settings, siaga_settings.kafka.topics.tagged),
            siaga_settings.kafka.topics.dead_letter: topic_size(siaga_settings, siaga_settings.kafka.topics.dead_letter),
            variants["basek"].kafka.topics.tagged: topic_size(siaga_settings, variants["basek"].kafka.topics.tagged),
        }
        stack.sample_rss()
        n = len(messages)
        problems = []
        for name, check in es_counts.items():
            if check["count"] != n:
                problems.append(f"index {check['index']} has {check['count']} documents, expected {n}")
        for topic, size in topics.items():
            want = 0 if topic.endswith(".dlq") else n
            if size != want:
                problems.append(f"topic {topic} has {size} messages, expected {want}")
        for name, phase in phases.items():
            if phase["posts"] != n:
                problems.append(f"{name} consumed {phase['posts']} records, expected {n}")
        if not tagging["identical_results"]:
            problems.append("per-post and batched tagging disagree")
        language_sets = [check["languages"] for check in es_counts.values()]
        language_sets += [tagging["languages"], phases["baseline"]["languages"],
                          phases["baseline+topic"]["languages"]]
        languages_agree = all(langs == language_sets[0] for langs in language_sets)
        if not languages_agree:
            problems.append("language distributions differ between indices")
        level_sets = [check["risk_levels"] for check in es_counts.values()]
        level_sets += [tagging["risk_levels"], phases["baseline"]["risk_levels"],
                       phases["baseline+topic"]["risk_levels"]]
        risk_levels_agree = all(levels == level_sets[0] for levels in level_sets)
        if not risk_levels_agree:
            problems.append("risk-level distributions differ between indices")

        siaga, base, basek = phases["siaga"], phases["baseline"], phases["baseline+topic"]

        def ratio(x: float | None, y: float | None) -> float | None:
            return x / y if x and y else None

        report = {
            "posts": n,
            "samples": samples,
            "raw_topic": raw_topic,
            "raw_partitions": siaga_settings.kafka.partitions,
            "batch_max_records": siaga_settings.pipeline.batch_max_records,
            "es_bulk_size": siaga_settings.pipeline.es_bulk_size,
            "produce_s": produce_s,
            "tagging": tagging,
            "phases": phases,
            "ratios": {
                "siaga_over_baseline": ratio(siaga["posts_per_s"], base["posts_per_s"]),
                "siaga_over_baseline_steady": ratio(siaga["steady_posts_per_s"], base["steady_posts_per_s"]),
                "siaga_over_baseline_topic": ratio(siaga["posts_per_s"], basek["posts_per_s"]),
                "siaga_over_baseline_topic_steady": ratio(siaga["steady_posts_per_s"], basek["steady_posts_per_s"]),
            },
            "checks": {"elasticsearch": es_counts, "topics": topics, "languages_agree": languages_agree,
                       "risk_levels_agree": risk_levels_agree, "ok": not problems, "problems": problems},
            "peak_rss_mb": rss,
            "noida_peak_rss_mb": stack.peak_rss_mb,
            "environment": {"cpus": os.cpu_count(), "python": platform.python_version(),
                            "beam": apache_beam.__version__, "order": "baselines first" if args.baseline_first
                            else "Siaga first"},
        }
    finally:
        calls.uninstall()
        log("stopping noida-db")
        stack.stop()
        if args.keep_data:
            log(f"data kept in {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    report["noida_peak_rss_mb"] = stack.peak_rss_mb
    report["total_s"] = time.perf_counter() - bench_started
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(render(report))
    return 0 if report["checks"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
