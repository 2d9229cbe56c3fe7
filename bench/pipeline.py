"""Siaga's post pipeline: sustained throughput and produce→searchable latency, against a baseline.

Run:  .venv/bin/python bench/pipeline.py [--posts N] [--seconds S] [--json]     (or `make bench`)

The bench starts its own noida-db (the local Kafka + Elasticsearch stand-in) on free ports in
a temporary folder and stops it at the end, even on error. Posts are the 570 sample posts
cycled with unique ids, on a 3-partition raw topic.

Phases, all in this run, on the same server:

1. Throughput, Siaga: ``PostPipelineJob.step()`` in a loop until the backlog of N posts is
   committed — exactly the driver of ``siaga run`` / ``siaga pipeline run`` (poll a micro-batch,
   run the Beam pipeline on the in-process FnApiRunner, bulk-index into monthly indices, produce
   the tagged posts, commit). posts/s = N / (time from the first polled batch to lag 0).
2. Throughput, baseline: a plain kafka-python consumer → ``parse_post`` → the same ``Tagger`` →
   ``helpers.bulk`` → produce the tagged posts → commit, no Beam; same N, own group and index.
   The ratio Siaga/baseline is what the Beam micro-batch driver costs.
3. Latency at 20 %, 50 % and 80 % of Siaga's measured throughput: posts are produced at that
   rate for S seconds to a fresh topic, a ``siaga pipeline run`` worker process consumes them,
   and a poller records when each post id is first found by a search on the posts alias. The
   poller refreshes the alias once a second, as Elasticsearch's default ``refresh_interval``
   does, so "searchable" means what it means on a real cluster; the poll period (0.2 s) and the
   search time of noida-db (which grows with the index) are inside the figures.
4. Profile: cProfile over a Siaga throughput run of N/4 posts; the top functions by own time
   and the share of time in tagging, Elasticsearch, Kafka and Beam.
5. With ``--factchecks K``: K fact-checks are stored (the demo's three and K - 3 synthetic ones
   from ``bench/factchecks.py``) and the pipeline's matcher built; then two rounds of a plain
   throughput phase (an empty fact-checks index) and one matching every post against the K
   (``--throughput-only`` skips 2-4). The drop is the fact-check stage's cost, by wall time and
   by this process's CPU time per post
   (``drop_cpu``: what the stage costs the pipeline, steady under a neighbour's load, which wall
   time is not on a shared machine). The matcher is built before the clock starts (once per
   worker process, like the models; its time is reported apart).

``--swap`` runs only a model-swap phase instead: the same backlog drained twice by the real
driver, once as is and once while a thread installs a risk model into ``tagging.model_dir``
every ``--swap-every`` seconds (as ``siaga model retrain`` does); the running tagger picks each
up between batches. It prints both rates, their ratio, the swaps and the failed batches
(target: none failed, rate within 5 %).

The machine is shared (2 cores): the load average is printed with the figures, and only
ratios measured in the same run mean much. Targets: ≥ 2,000 posts/s; p95 ≤ 2 s at 50 %.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.noida import NoidaStack  # noqa: E402 - importable once the repository is on sys.path

SAMPLE = REPO / "connectors" / "samples" / "posts.jsonl"
TARGET_RATE = 2000.0
TARGET_P95_S = 2.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def settings_for(tmp: Path, stack: NoidaStack, name: str, tagging: dict[str, Any] | None = None, **pipeline: Any):
    """Settings for one phase: own topics, group and index alias."""
    from schemas.config import load_settings

    data = {
        "kafka": {"bootstrap_servers": stack.bootstrap,
                  "topics": {"raw": f"bench.{name}.raw", "tagged": f"bench.{name}.tagged",
                             "dead_letter": f"bench.{name}.dlq"}},
        "elasticsearch": {"url": stack.es_url, "posts_index": f"bench-{name}-posts",
                          "alerts_index": f"bench-{name}-alerts", "factchecks_index": f"bench-{name}-factchecks"},
        "pipeline": {"group_id": f"bench-{name}", "status_dir": str(tmp / "status"), **pipeline},
        "retention": {"interval": None},
        "tagging": tagging or {},
    }
    path = tmp / f"bench-{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_settings(path, environ={}), path


def build_messages(n: int, tag: str) -> list[tuple[bytes, bytes]]:
    """N raw posts as (key, value): the sample posts cycled, each with a unique native_id."""
    samples = [json.loads(line) for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    messages = []
    for i in range(n):
        post = dict(samples[i % len(samples)])
        post["native_id"] = f"{post['native_id']}-{tag}{i}"
        messages.append((f"{post['platform']}:{post['native_id']}".encode(),
                         json.dumps(post, ensure_ascii=False).encode()))
    return messages


def produce_all(settings, messages: list[tuple[bytes, bytes]]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all", linger_ms=10, batch_size=512 * 1024)
    for key, value in messages:
        producer.send(settings.kafka.topics.raw, key=key, value=value)
    producer.flush()
    producer.close()


def bench_siaga(settings, n: int, profile: cProfile.Profile | None = None) -> dict[str, Any]:
    """Drain a backlog of n posts with the real driver; return posts/s and batch times."""
    from pipelines.post.job import PostPipelineJob

    job = PostPipelineJob(settings)
    batches: list[tuple[int, float]] = []
    first = None
    cpu = 0.0
    failed = 0
    try:
        if profile:
            profile.enable()
        while True:
            started, started_cpu = time.perf_counter(), time.process_time()
            failures = job.failures
            done = job.step()
            failed += job.failures > failures
            if done:
                first = first or started
                batches.append((done, time.perf_counter() - started))
                cpu += time.process_time() - started_cpu
            elif first and job.lag() == 0:
                break
        if profile:
            profile.disable()
        wall = time.perf_counter() - (first or time.perf_counter())
    finally:
        job.close()
    total = sum(b for b, _ in batches)
    assert total == n, f"Siaga committed {total} of {n}"
    return {"posts": total, "seconds": wall, "rate": total / wall, "cpu_s": cpu, "rate_cpu": total / cpu,
            "batches": len(batches), "failed_batches": failed,
            "batch_p50_s": statistics.median(t for _, t in batches), "batch_max_s": max(t for _, t in batches)}


def store_factchecks(settings, count: int) -> dict[str, Any]:
    """Store ``count`` fact-checks in the phase's index; build the pipeline's matcher over them; time both."""
    from bench.factchecks import synthetic
    from connectors.factchecks import to_factchecks
    from pipelines.common.clients import shared_client
    from pipelines.factchecks.store import FactCheckStore, shared_factchecks
    from schemas.clock import utc_now

    demo = to_factchecks((REPO / "connectors" / "samples" / "factchecks.ndjson").read_bytes(), "claimreview",
                         utc_now()).factchecks
    factchecks = demo + synthetic(max(count - len(demo), 0))
    started = time.perf_counter()
    FactCheckStore(shared_client("elasticsearch", settings.elasticsearch_kwargs()),
                   settings.elasticsearch.factchecks_index).put(factchecks)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    matcher = shared_factchecks(settings).matcher()
    assert matcher is not None and len(matcher.factchecks) == len(factchecks)
    return {"factchecks": len(factchecks), "store_s": stored, "build_s": time.perf_counter() - started}


def bench_swap(tmp: Path, stack: NoidaStack, n: int, every_s: float, extra: dict[str, Any]) -> dict[str, Any]:
    """The backlog drained without and with models installed under the running pipeline."""
    import shutil

    from pipelines.ops.services import ensure_ready
    from pipelines.tagging.retrain import _install
    from pipelines.tagging.tagger import default_model, model_path

    report: dict[str, Any] = {"swap_every_s": every_s}
    # A B B A: the local stand-in slows down as it holds more data, so the two kinds of run take
    # turns and each kind's figure is the mean of an early and a late run.
    for name in ("steady-1", "swapping-1", "swapping-2", "steady-2"):
        settings, _ = settings_for(tmp, stack, name, tagging={"model_dir": str(tmp / f"models-{name}")}, **extra)
        ensure_ready(settings)
        produce_all(settings, build_messages(n, name[0] + name[-1]))
        stack.settle()
        stop = threading.Event()
        swaps = 0

        def keep_installing(settings: Any = settings, stop: threading.Event = stop) -> None:
            nonlocal swaps
            source = default_model("risk")
            while not stop.wait(every_s):
                staged = tmp / f"stage-{settings.tagging.model_dir.name}-{swaps}" / "risk.ftz"
                staged.parent.mkdir()
                shutil.copyfile(source, staged)
                shutil.copyfile(source.with_suffix(".json"), staged.with_suffix(".json"))
                _install(staged, settings.tagging.model_dir / "risk.ftz", model_path(settings.tagging, "risk"))
                swaps += 1

        installer = threading.Thread(target=keep_installing) if name.startswith("swapping") else None
        log(f"swap phase: {name} …")
        if installer:
            installer.start()
        try:
            report[name] = bench_siaga(settings, n)
        finally:
            stop.set()
            if installer:
                installer.join()
        report[name]["installs"] = swaps
    for kind in ("steady", "swapping"):
        report[f"{kind}_rate"] = statistics.mean(report[f"{kind}-{i}"]["rate"] for i in (1, 2))
    report["ratio"] = report["swapping_rate"] / report["steady_rate"]
    report["failed_batches"] = sum(report[name]["failed_batches"] for name in report if name[-2:] in ("-1", "-2"))
    return report


def bench_baseline(settings, n: int) -> dict[str, Any]:
    """A plain consumer → parse → tag → bulk → produce → commit loop over the same backlog."""
    from elasticsearch import Elasticsearch, helpers
    from kafka import KafkaConsumer, KafkaProducer

    from pipelines.common.kafka_io import fetch_limits, lag
    from pipelines.common.records import InvalidRecord, parse_post
    from pipelines.factchecks.matcher import debunk_cue
    from pipelines.tagging.tagger import Tagger
    from schemas.clock import utc_now
    from schemas.post import TaggedPost

    kafka = settings.kafka_client_kwargs()
    consumer = KafkaConsumer(**kafka, **fetch_limits(settings), group_id=settings.pipeline.group_id,
                             enable_auto_commit=False, auto_offset_reset="earliest",
                             max_poll_records=settings.pipeline.batch_max_records)
    consumer.subscribe([settings.kafka.topics.raw])
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    producer = KafkaProducer(**kafka, acks="all", linger_ms=5)
    tagger = Tagger(settings.tagging, settings.election, debunk=debunk_cue)  # as the pipeline builds it
    tagger.tag(["siap"])
    index = f"{settings.elasticsearch.posts_index}-baseline"
    done, first = 0, None
    try:
        while True:
            polled = consumer.poll(timeout_ms=settings.pipeline.batch_max_wait_ms,
                                   max_records=settings.pipeline.batch_max_records)
            records = [m for ms in polled.values() for m in ms]
            if not records:
                if first and lag(consumer) == 0:
                    break
                continue
            first = first or time.perf_counter()
            posts = []
            for record in records:
                try:
                    posts.append(parse_post(record.value))
                except InvalidRecord:
                    pass
            tagged_at, version = utc_now(), tagger.version
            tagged = [TaggedPost(**p.model_dump(), language=t.language, language_score=t.language_score,
                                 topics=t.topics, risk=t.risk, matches=t.matches, entities=t.entities,
                                 tagged_at=tagged_at, tagger_version=version)
                      for p, t in zip(posts, tagger.tag([p.text for p in posts]), strict=True)]
            helpers.bulk(es, ({"_index": index, "_id": p.post_id, "_source": p.model_dump(mode="json")}
                              for p in tagged), chunk_size=settings.pipeline.es_bulk_size)
            futures = [producer.send(settings.kafka.topics.tagged, key=p.post_id.encode(),
                                     value=p.model_dump_json().encode()) for p in tagged]
            producer.flush()
            for future in futures:
                future.get(timeout=30)
            consumer.commit()
            done += len(records)
        wall = time.perf_counter() - first
    finally:
        consumer.close()
        es.close()
        producer.close()
    assert done == n, f"baseline committed {done} of {n}"
    return {"posts": done, "seconds": wall, "rate": done / wall}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def bench_latency(settings, config: Path, rate: float, seconds: float, tag: str) -> dict[str, Any]:
    """Produce at ``rate`` for ``seconds`` while a worker process runs; time produce → searchable per post."""
    from elasticsearch import Elasticsearch
    from kafka import KafkaProducer

    from pipelines.ops.services import ensure_ready

    ensure_ready(settings)
    worker = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--config", str(config), "pipeline", "run"],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    messages = build_messages(int(rate * seconds), tag)
    produced: dict[str, float] = {}
    found: dict[str, float] = {}
    done = threading.Event()
    alias = settings.elasticsearch.posts_index

    checks: list[float] = []

    def poll() -> None:
        es = Elasticsearch(settings.elasticsearch_url(), request_timeout=30)
        last_refresh = 0.0
        while not done.is_set() or len(found) < len(produced):
            check_started = time.monotonic()
            if time.monotonic() - last_refresh >= 1.0:
                es.indices.refresh(index=alias)
                last_refresh = time.monotonic()
            pending = [key for key in list(produced) if key not in found][:2000]
            if pending:
                hits = es.search(index=alias, query={"ids": {"values": pending}}, source=False, size=len(pending))
                now = time.monotonic()
                for hit in hits["hits"]["hits"]:
                    found.setdefault(hit["_id"], now)
            checks.append(time.monotonic() - check_started)
            if done.is_set() and time.monotonic() - done_at[0] > 120:
                break
            time.sleep(0.2)
        es.close()

    done_at = [0.0]
    try:
        time.sleep(3.0)  # the worker imports Beam and joins the group before the clock starts
        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        producer = KafkaProducer(**settings.kafka_client_kwargs(), acks="all", linger_ms=5)
        started = time.monotonic()
        for i, (key, value) in enumerate(messages):
            ahead = started + i / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            producer.send(settings.kafka.topics.raw, key=key, value=value)
            produced[key.decode()] = time.monotonic()
        producer.flush()
        producer.close()
        done_at[0] = time.monotonic()
        done.set()
        poller.join(timeout=180)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    latencies = [found[k] - produced[k] for k in produced if k in found]
    return {"target_rate": rate, "posts": len(produced), "searchable": len(latencies),
            "p50_s": percentile(latencies, 50), "p95_s": percentile(latencies, 95),
            "p99_s": percentile(latencies, 99), "max_s": max(latencies),
            "check_p50_s": statistics.median(checks) if checks else 0.0}


def profile_summary(profile: cProfile.Profile, top: int = 12) -> dict[str, Any]:
    """Own-time shares by area, and the top functions by own time."""
    stats = pstats.Stats(profile)
    total = sum(v[2] for v in stats.stats.values())  # tottime
    areas = {"tagging (fastText, text prep)": ("pipelines/tagging", "fasttext"),
             "Elasticsearch client": ("elasticsearch", "elastic_transport", "urllib3"),
             "Kafka client": ("kafka/",),
             "pydantic (validate, dump)": ("pydantic",),
             "Beam runner": ("apache_beam",),
             "json": ("json/",)}
    shares = dict.fromkeys(areas, 0.0)
    rows = []
    for (filename, line, func), (_cc, _nc, tottime, cumtime, _callers) in stats.stats.items():
        for area, needles in areas.items():
            if any(needle in filename for needle in needles):
                shares[area] += tottime
                break
        rows.append((tottime, cumtime, f"{Path(filename).name}:{line}({func})"))
    rows.sort(reverse=True)
    return {"total_s": total, "shares": {k: v / total for k, v in shares.items()},
            "top": [{"own_s": round(t, 3), "cum_s": round(c, 3), "function": f} for t, c, f in rows[:top]]}


def render(report: dict[str, Any]) -> str:
    siaga, base = report["siaga"], report["baseline"]
    lines = [
        f"Siaga pipeline bench — {report['posts']} posts, noida-db {report['noida']}, "
        f"load average at start {report['load_start']}, at end {report['load_end']}",
        f"  throughput Siaga    : {siaga['rate']:7.0f} posts/s ({siaga['posts']} in {siaga['seconds']:.1f} s, "
        f"{siaga['batches']} batches, batch p50 {siaga['batch_p50_s']:.2f} s, max {siaga['batch_max_s']:.2f} s)",
        f"  throughput baseline : {base['rate']:7.0f} posts/s (plain consumer → tagger → bulk → produce → commit)",
        f"  ratio Siaga/baseline: {siaga['rate'] / base['rate']:.2f}",
        f"  target ≥ {TARGET_RATE:.0f} posts/s: {'PASS' if siaga['rate'] >= TARGET_RATE else 'MISSED'}",
        "  produce → searchable latency (refresh every 1 s, as Elasticsearch's default):",
    ]
    for share, row in report["latency"].items():
        lines.append(f"    {share:>4} load ({row['target_rate']:6.0f} posts/s, {row['posts']} posts, "
                     f"{row['searchable']} found): p50 {row['p50_s']:.2f} s  p95 {row['p95_s']:.2f} s  "
                     f"p99 {row['p99_s']:.2f} s  max {row['max_s']:.2f} s  (one poller check: {row['check_p50_s']:.2f} s)")
    half = report["latency"].get("50%")
    if half:
        lines.append(f"  target p95 ≤ {TARGET_P95_S:.0f} s at 50%: {'PASS' if half['p95_s'] <= TARGET_P95_S else 'MISSED'}")
    prof = report["profile"]
    lines.append(f"  profile (cProfile, {prof['total_s']:.1f} s own time over a Siaga run of {report['posts'] // 4} posts):")
    for area, share in sorted(prof["shares"].items(), key=lambda kv: -kv[1]):
        lines.append(f"    {share:6.1%}  {area}")
    lines.append(f"    {1 - sum(prof['shares'].values()):6.1%}  other (our code, stdlib)")
    lines.append("    top functions by own time:")
    lines += [f"      {row['own_s']:7.3f} s own  {row['cum_s']:7.3f} s cum  {row['function']}" for row in prof["top"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000, help="backlog size for the throughput phases")
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each latency phase")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--latency-only", type=float, metavar="RATE",
                        help="only one latency phase at RATE posts/s (for tuning)")
    parser.add_argument("--batch-wait-ms", type=int, help="pipeline.batch_max_wait_ms for every phase")
    parser.add_argument("--factchecks", type=int, default=0, metavar="K",
                        help="also measure throughput with K fact-checks stored (phase 5)")
    parser.add_argument("--throughput-only", action="store_true", help="skip the baseline, latency and profile")
    parser.add_argument("--swap", action="store_true", help="only the model-swap phase (see the module doc)")
    parser.add_argument("--swap-every", type=float, default=1.0, metavar="S", help="seconds between installs")
    args = parser.parse_args(argv)
    extra = {"batch_max_wait_ms": args.batch_wait_ms} if args.batch_wait_ms else {}
    if args.swap:
        with tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp_name:
            tmp = Path(tmp_name)
            stack = NoidaStack(tmp / "noida")
            stack.start()
            try:
                result = bench_swap(tmp, stack, args.posts, args.swap_every, extra)
            finally:
                from pipelines.common.clients import close_shared_clients

                close_shared_clients()
                stack.stop()
        result["load"] = load_average()
        print(json.dumps(result, indent=2))
        return 0
    if args.latency_only:
        with tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp_name:
            tmp = Path(tmp_name)
            stack = NoidaStack(tmp / "noida")
            stack.start()
            try:
                settings, config = settings_for(tmp, stack, "tune", **extra)
                print(json.dumps(bench_latency(settings, config, args.latency_only, args.seconds, "t")), load_average())
            finally:
                stack.stop()
        return 0
    from importlib.metadata import version

    report: dict[str, Any] = {"posts": args.posts, "noida": version("noida-db"), "load_start": load_average()}
    with tempfile.TemporaryDirectory(prefix="siaga-bench-") as tmp_name:
        tmp = Path(tmp_name)
        stack = NoidaStack(tmp / "noida")
        stack.start()
        try:
            from pipelines.ops.services import ensure_ready

            siaga, _ = settings_for(tmp, stack, "siaga", **extra)
            base, _ = settings_for(tmp, stack, "baseline", **extra)
            for settings, tag in ((siaga, "s"), (base, "b")):
                ensure_ready(settings)
                produce_all(settings, build_messages(args.posts, tag))
            stack.settle()
            log("throughput: Siaga …")
            report["siaga"] = bench_siaga(siaga, args.posts)
            if args.factchecks:
                # Matcher loaded first, then plain and matched phases alternate: both kinds run in
                # the same process state (heap, caches, a noida-db index of the same size), and
                # the neighbours' load shifts both alike.
                fc_store, _ = settings_for(tmp, stack, "factchecks", **extra)
                ensure_ready(fc_store)
                log(f"storing {args.factchecks:,} fact-checks and building the matcher …")
                report["factchecks"] = store_factchecks(fc_store, args.factchecks)
                rounds: dict[str, list[dict[str, Any]]] = {"plain": [], "matched": []}
                for round_ in range(2):
                    for kind in ("plain", "matched"):
                        name = f"{kind}{round_}"
                        phase, _ = settings_for(tmp, stack, name, **extra)
                        if kind == "matched":  # the index holding the 50,000, as the pipeline reads it
                            phase = phase.model_copy(update={"elasticsearch": phase.elasticsearch.model_copy(
                                update={"factchecks_index": fc_store.elasticsearch.factchecks_index})})
                        ensure_ready(phase)
                        produce_all(phase, build_messages(args.posts, name))
                        stack.settle()
                        log(f"throughput: {kind} (round {round_ + 1}) …")
                        rounds[kind].append(bench_siaga(phase, args.posts))
                report["factchecks"]["rounds"] = rounds
                for key in ("rate", "rate_cpu"):
                    plain = statistics.mean(r[key] for r in rounds["plain"])
                    matched = statistics.mean(r[key] for r in rounds["matched"])
                    report["factchecks"]["drop" if key == "rate" else "drop_cpu"] = 1 - matched / plain
            if args.throughput_only:
                report["load_end"] = load_average()
                print(json.dumps(report, indent=2))
                return 0
            stack.settle()
            log("throughput: baseline …")
            report["baseline"] = bench_baseline(base, args.posts)
            rate = report["siaga"]["rate"]
            report["latency"] = {}
            for share in (0.2, 0.5, 0.8):
                name = f"lat{int(share * 100)}"
                settings, config = settings_for(tmp, stack, name, **extra)
                stack.settle()
                log(f"latency at {share:.0%} of {rate:.0f} posts/s …")
                report["latency"][f"{share:.0%}"] = bench_latency(settings, config, rate * share, args.seconds, name)
            prof_settings, _ = settings_for(tmp, stack, "profile", **extra)
            ensure_ready(prof_settings)
            produce_all(prof_settings, build_messages(args.posts // 4, "p"))
            stack.settle()
            log("profile …")
            profile = cProfile.Profile()
            bench_siaga(prof_settings, args.posts // 4, profile)
            report["profile"] = profile_summary(profile)
        finally:
            from pipelines.common.clients import close_shared_clients

            close_shared_clients()
            stack.stop()
    report["load_end"] = load_average()
    print(json.dumps(report, indent=2) if args.json else render(report))
    half = report["latency"]["50%"]
    return 0 if report["siaga"]["rate"] >= TARGET_RATE and half["p95_s"] <= TARGET_P95_S else 1


if __name__ == "__main__":
    sys.exit(main())
