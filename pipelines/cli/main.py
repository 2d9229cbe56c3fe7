"""The ``siaga`` command line: the embedded stack, service set-up, and running the system."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path

from schemas.config import ReplaySource, Settings, load_settings
from schemas.errors import SiagaError


def _configure_logging(verbose: int, log_format: str = "text") -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_format == "json":
        from pipelines.common.metrics import JsonFormatter

        logging.getLogger().handlers[0].setFormatter(JsonFormatter())
    # Beam warns at import about optional Google Cloud libraries Siaga does not use.
    logging.getLogger().handlers[0].addFilter(lambda record: "apitools not found" not in record.getMessage())
    for noisy in ("apache_beam", "kafka", "elastic_transport", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.ERROR if verbose < 2 else logging.INFO)


def _stack(settings: Settings, action: str) -> int:
    from pipelines.ops import stack

    if action == "up":
        if not settings.embedded_services:
            print("Kafka and Elasticsearch are external in this configuration; nothing to start.")
        else:
            started = stack.up(settings)
            if started:
                print(f"started: {', '.join(started)}")
            elif stack.owned(settings):
                print("already running")
            else:
                print(f"the stack ports are already in use by a server not started from {settings.stack.data_dir};"
                      " Siaga will use it as it is, and `siaga stack down` will not stop it")
    elif action == "down":
        print("stopped (data kept in " + str(settings.stack.data_dir) + ")" if stack.down(settings) else "not running")
        return 0
    rows = stack.status(settings)
    for row in rows:
        where = "embedded" if row.embedded else "external"
        print(f"{row.name:<14} {row.address:<32} {where:<9} {'up' if row.reachable else 'DOWN'}")
    return 0 if all(row.reachable for row in rows) else 1


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from pipelines.ops.runner import run

    if args.input is not None:
        source = ReplaySource(name="input", path=args.input.resolve(), rate=args.rate)
        settings = settings.model_copy(update={"sources": [source]})
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    summary = run(settings, until_idle=args.until_idle, stop=stop)
    print(summary.render(settings))
    return 1 if summary.connector_errors else 0


def _deadletters(settings: Settings, limit: int, as_json: bool) -> int:
    from pydantic import ValidationError

    from pipelines.common.kafka_io import read_topic_tail
    from schemas.deadletter import DeadLetter
    from schemas.clock import wib

    topic = settings.kafka.topics.dead_letter
    records = read_topic_tail(settings, topic, limit)
    # With --json, stdout carries only dead letters (one JSON object a line); notes go to stderr.
    notes = sys.stderr if as_json else sys.stdout
    if not records:
        print(f"no dead letters on {topic}", file=notes)
        return 0
    for record in records:
        try:
            letter = DeadLetter.model_validate_json(record.value)
        except ValidationError:
            print(f"{record.source}: not a Siaga dead letter ({len(record.value)} bytes)", file=notes)
            continue
        if as_json:
            print(letter.model_dump_json())
            continue
        preview = letter.original_preview.replace("\n", " ")
        print(f"{wib(letter.failed_at)}  stage {letter.stage:<8} from {letter.source}")
        print(f"    reason  : {letter.reason}")
        print(f"    original: {preview[:100]}{'…' if len(preview) > 100 else ''}")
    print(f"{len(records)} most recent dead letter(s) on {topic}", file=notes)
    return 0


def _model(args: argparse.Namespace) -> int:
    from pipelines.tagging import models

    if args.model_command == "train":
        meta = models.train(args.task, args.data, args.out, args.valid)
        print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB) and {args.out.with_suffix('.json').name}: "
              f"{meta.training_examples} examples, labels {', '.join(meta.labels)}")
        for metrics in meta.metrics:
            print(models.metrics_table(metrics))
        return 0
    if args.model_command == "evaluate":
        classifier = models.Classifier.load(args.model, args.task)
        metrics = models.evaluate(classifier, models.read_examples(args.data), str(args.data))
        print(models.metrics_json(metrics) if args.json else models.metrics_table(metrics))
        return 0
    from pipelines.tagging.defaults import build_defaults, models_dir

    out = args.out or models_dir()
    report = build_defaults(args.data_dir, args.splits, out)
    print(f"splits in {args.splits}: {json.dumps(report['splits'])}")
    for task in ("language", "topic", "risk"):
        meta = models.Classifier.load(out / f"{task}.ftz", task).meta
        for metrics in meta.metrics[1:]:
            print(f"[{task}] " + models.metrics_table(metrics))
    print(f"models written to {out}")
    return 0


def _tag(settings: Settings, args: argparse.Namespace) -> int:
    from pipelines.tagging.offline import tag_stream

    source = args.input.open(encoding="utf-8", errors="surrogateescape") if args.input else sys.stdin
    target = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        bad = tag_stream(settings.tagging, source, target, sys.stderr)
    finally:
        if args.input:
            source.close()
        if args.output:
            target.close()
    return 1 if bad else 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from connectors.imports import ImportConnector
    from pipelines.ops.services import ensure_ready
    from schemas.config import ImportSource

    source = ImportSource(name=args.name, path=args.path.resolve(), format=args.format, watch=args.watch)
    ensure_ready(settings)
    connector = ImportConnector.from_config(source, settings)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    done = threading.Event()
    progress = threading.Thread(target=_show_progress, args=(connector, done), daemon=True)
    if sys.stderr.isatty():
        progress.start()
    try:
        stats = connector.run(settings, stop)
    finally:
        done.set()
        if progress.is_alive():
            progress.join()
    print(f"import {args.name} ({args.format}) from {args.path}: {stats.produced} posts sent to "
          f"{settings.kafka.topics.raw}, {stats.unchanged} already sent unchanged, "
          f"{stats.dead_lettered} dead-lettered to {settings.kafka.topics.dead_letter}, {stats.warnings} warnings")
    _print_warnings(stats)
    return 0


def _print_warnings(stats) -> None:  # noqa: ANN001 - a ConnectorStats
    """The most frequent non-fatal problems of a connector run, one line each."""
    for line in stats.warning_lines():
        print(f"  warning: {line}")


def _show_progress(connector, done: threading.Event) -> None:  # noqa: ANN001 - any Connector
    """A one-line progress display on a terminal, refreshed twice a second."""
    import time

    started = time.monotonic()
    while not done.wait(0.5):
        stats = connector.stats
        handled = stats.produced + stats.unchanged + stats.dead_lettered
        rate = handled / max(time.monotonic() - started, 1e-9)
        sys.stderr.write(f"\r  {handled:,} items: {stats.produced:,} sent, {stats.unchanged:,} unchanged, "
                         f"{stats.dead_lettered:,} dead-lettered ({rate:,.0f}/s)   ")
        sys.stderr.flush()
    sys.stderr.write("\n")


def _connectors(settings: Settings, args: argparse.Namespace) -> int:
    from connectors import REGISTRY

    if args.action == "list":
        print(f"connector types: {', '.join(sorted(REGISTRY))}")
        if not settings.sources:
            print("no sources configured")
        for source in settings.sources:
            detail = getattr(source, "format", "") or ""
            where = getattr(source, "path", None) or getattr(source, "base_url", "")
            print(f"  {source.name:<20} {source.type:<22} {detail:<16} {where}")
        return 0
    if not args.name:
        print(f"siaga: error: connectors {args.action} needs a source name", file=sys.stderr)
        return 2
    by_name = {source.name: source for source in settings.sources}
    if args.name not in by_name:
        known = ", ".join(by_name) or "none configured"
        print(f"siaga: error: no source named {args.name!r} (sources: {known})", file=sys.stderr)
        return 2
    source = by_name[args.name]
    if args.since is not None:
        from connectors.api import parse_since
        from schemas.clock import utc_now

        if args.action != "run" or "since" not in type(source).model_fields:
            reaches = {"instagram_hashtag": " (recent_media reaches back 24 hours, no more)"}.get(source.type, "")
            print(f"siaga: error: --since applies to `connectors run` of a tiktok, meta_content_library or "
                  f"facebook_pages source; {source.name} is {source.type}{reaches}", file=sys.stderr)
            return 2
        try:
            source = source.model_copy(update={"since": parse_since(args.since, utc_now())})
        except ValueError as exc:
            print(f"siaga: error: {exc}", file=sys.stderr)
            return 2
    connector = REGISTRY[source.type].from_config(source, settings)
    if args.action == "check":
        print(f"{source.name} ({source.type}): {connector.check()}")
        return 0
    from pipelines.ops.services import ensure_ready

    ensure_ready(settings)
    stop = threading.Event()
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        stats = connector.run(settings, stop)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print(f"{source.name}: {stats.produced} posts sent, {stats.unchanged} unchanged, "
          f"{stats.dead_lettered} dead-lettered, {stats.warnings} warnings")
    _print_warnings(stats)
    return 0


def _kibana(settings: Settings, args: argparse.Namespace) -> int:
    from schemas.kibana import build, to_ndjson

    es = settings.elasticsearch
    if args.action == "export":
        ndjson = to_ndjson(build(es.posts_index, es.alerts_index))
        if args.out is None:
            sys.stdout.write(ndjson)
        else:
            args.out.write_text(ndjson, encoding="utf-8")
            print(f"wrote {ndjson.count(chr(10))} saved objects to {args.out} (Kibana {es.posts_index}, "
                  f"{es.alerts_index})", file=sys.stderr)
        return 0
    from pipelines.ops.kibana import apply_space_settings, base_url, import_ndjson

    ndjson = args.file.read_text(encoding="utf-8") if args.file else to_ndjson(build(es.posts_index, es.alerts_index))
    where = base_url(settings.kibana, args.url, args.space)
    report = import_ndjson(settings.kibana, ndjson, url=args.url, space=args.space)
    for warning in report.warnings:
        print(f"warning: {warning}")
    for error in report.errors:
        print(f"refused: {error}")
    print(f"imported {report.imported} saved objects into {where}; {len(report.errors)} refused")
    if not report.ok:
        return 1
    if not args.no_settings:
        apply_space_settings(settings.kibana, url=args.url, space=args.space)
        print(f"space settings: dateFormat:tz={settings.kibana.timezone}, default data view siaga-posts")
    return 0


def _alerts(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga alerts list | silence | silences | test-rule``."""
    import getpass
    import os

    from pipelines.delivery.emails import subject_of
    from schemas.clock import wib
    from pipelines.alerting.silences import SilenceStore
    from pydantic import TypeAdapter, ValidationError

    from schemas.config import Duration
    from schemas.clock import utc_now

    if args.alerts_command == "silence":
        if args.rule not in {rule.id for rule in settings.rules}:
            known = ", ".join(rule.id for rule in settings.rules) or "none configured"
            print(f"siaga: error: no rule {args.rule!r} (rules: {known})", file=sys.stderr)
            return 2
        try:
            duration = TypeAdapter(Duration).validate_python(args.duration)
        except ValidationError as exc:
            print(f"siaga: error: --for: {exc.errors()[0]['msg']}", file=sys.stderr)
            return 2
        who = args.by or os.environ.get("SIAGA_USER") or getpass.getuser()
        silence = SilenceStore(settings.alerting.state_dir).add(args.rule, args.group, duration, args.reason, who,
                                                                utc_now())
        print(f"{silence.silence_id}: {silence.rule_id}{' group ' + silence.group if silence.group else ''} "
              f"silenced until {wib(silence.until)} by {silence.created_by}: {silence.reason}")
        return 0
    if args.alerts_command == "silences":
        now = utc_now()
        silences = SilenceStore(settings.alerting.state_dir).all()
        if not silences:
            print("no silences")
        for s in silences:
            state = "active" if s.created_at <= now < s.until else "expired"
            print(f"{s.silence_id}  {state:<7} {s.rule_id:<20} {s.group or '(all groups)':<24} until {wib(s.until)}"
                  f"  by {s.created_by}: {s.reason}")
        return 0
    if args.alerts_command == "run":
        from pipelines.ops.services import serve_alerting as serve
        from pipelines.delivery.outbox import Outbox

        totals = serve(settings, _stop_on_signals(), until_idle=args.until_idle)
        print(f"alerting stopped: {totals.posts_seen} posts seen, {len(totals.fired)} alert(s) fired, "
              f"{len(totals.resolved)} resolved, {totals.silenced} silenced, "
              f"{totals.dead_lettered} dead-lettered; {Outbox(settings.alerting.state_dir / 'queue').count()} message(s) wait in the outbox")
        return 0
    if args.alerts_command == "test-rule":
        from pipelines.alerting.backtest import backtest, load_rules, parse_time, report

        rules = load_rules(args.rule_file)
        start, end = parse_time(args.since), parse_time(args.until)
        result = backtest(settings, rules, start, end)
        print(report(result, rules, start, end))
        return 0
    from elasticsearch import Elasticsearch
    from elasticsearch import exceptions as es_errors

    from schemas.alert import Alert
    from schemas.errors import ServiceUnavailable

    es = Elasticsearch(**settings.elasticsearch_kwargs())
    query: dict = {"term": {"state": "open"}} if args.open else {"match_all": {}}
    try:
        es.indices.refresh(index=settings.elasticsearch.alerts_index)
        hits = es.search(index=settings.elasticsearch.alerts_index, query=query, size=args.limit,
                         sort=[{"fired_at": "desc"}, {"alert_id": "asc"}])["hits"]["hits"]
    except es_errors.NotFoundError:
        hits = []
    except es_errors.ConnectionError as exc:
        raise ServiceUnavailable(f"Elasticsearch at {settings.elasticsearch_url()} is not reachable") from exc
    finally:
        es.close()
    if not hits:
        print("no open alerts" if args.open else "no alerts")
    for hit in hits:
        alert = Alert.model_validate(hit["_source"])
        print(f"{wib(alert.fired_at)}  {alert.state:<8} {alert.delivery:<10} {alert.alert_id}")
        print(f"    {subject_of(alert)}")
    return 0


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _pipeline(settings: Settings, args: argparse.Namespace, beam_args: list[str]) -> int:
    if args.runner != "local":
        from pipelines.post.streaming import beam_flags, run_streaming

        try:
            beam_flags(beam_args)
        except ValueError as exc:
            print(f"siaga: error: {exc}", file=sys.stderr)
            return 2
        try:
            result = run_streaming(settings, args.runner, beam_args, args.kafka_expansion_service)
        except RuntimeError as exc:
            if "expansion-service" not in str(exc) and "jar" not in str(exc):
                raise
            msg = (f"cannot build Beam's Kafka IO (ReadFromKafka): it needs a Java expansion service. Give one with "
                   f"--kafka-expansion-service host:port, or run where Maven Central is reachable. ({exc})")
            raise SiagaError(msg) from None
        print(f"submitted the streaming post pipeline to {args.runner}: {result}")
        return 0
    if beam_args:
        print(f"siaga: error: unknown options for the local runner: {' '.join(beam_args)}", file=sys.stderr)
        return 2
    stop = _stop_on_signals()
    if args.workers > 1:
        from pipelines.ops.workers import run_workers

        return run_workers(args.config, args.workers, until_idle=args.until_idle, metrics_port=args.metrics_port,
                           verbose=args.verbose, log_format=args.log_format, stop=stop)
    from pipelines.ops.workers import run_worker

    done = run_worker(settings, stop, until_idle=args.until_idle, metrics_port=args.metrics_port,
                      worker_index=args.worker_index)
    print(f"pipeline worker stopped after {done} records")
    return 0


def _status(settings: Settings) -> int:
    from pipelines.common.kafka_io import group_lag
    from pipelines.common.metrics import read_status_files
    from schemas.clock import wib
    from datetime import datetime

    topic, group = settings.kafka.topics.raw, settings.pipeline.group_id
    lags = group_lag(settings, group, topic)
    total = 0
    print(f"consumer group {group} on {topic}:")
    for partition, (end, committed) in lags.items():
        behind = end - (committed or 0)
        total += behind
        print(f"  partition {partition:<3} end {end:<10} committed {committed if committed is not None else '-':<10} "
              f"lag {behind}")
    print(f"  total lag {total}")
    workers = read_status_files(settings.pipeline.status_dir)
    if not workers:
        print(f"no pipeline worker has reported (status files in {settings.pipeline.status_dir})")
        return 0
    print(f"throughput (last minute): {sum(w.get('rate_per_s', 0) for w in workers):.1f} records/s "
          f"over {len(workers)} worker(s)")
    for worker in workers:
        updated = wib(datetime.fromisoformat(worker["updated_at"]))
        print(f"  pid {worker['pid']:<8} updated {updated}  committed {worker['committed']}  "
              f"indexed {worker['indexed']}  dead-lettered {worker['dead_lettered']}  {worker['rate_per_s']}/s")
    errors = sorted((e for w in workers for e in w.get("last_errors", [])), key=lambda e: e["at"])[-5:]
    print("last errors:" if errors else "last errors: none")
    for error in errors:
        print(f"  {wib(datetime.fromisoformat(error['at']))}  {error['error']}")
    return 0


def _retention(settings: Settings, dry_run: bool) -> int:
    from elasticsearch import Elasticsearch

    from pipelines.ops.indices import apply_retention

    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        print(apply_retention(es, settings, dry_run=dry_run).render())
    finally:
        es.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``siaga`` console script."""
    parser = argparse.ArgumentParser(prog="siaga", description="Watch public social-media posts for election risks.")
    parser.add_argument("--config", type=Path, help="configuration file (default: $SIAGA_CONFIG or ./siaga.yaml)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    parser.add_argument("--log-format", choices=["text", "json"], help="log lines as text or one JSON object each")
    commands = parser.add_subparsers(dest="command", required=True)
    stack_parser = commands.add_parser("stack", help="the embedded local Kafka and Elasticsearch (noida-db)")
    stack_parser.add_argument("action", choices=["up", "status", "down"])
    run_parser = commands.add_parser("run", help="run connectors, pipeline and alerting together")
    run_parser.add_argument("--until-idle", action="store_true", help="stop once all input is processed")
    run_parser.add_argument("--input", type=Path, help="replay this JSONL file instead of the configured sources")
    run_parser.add_argument("--rate", type=float, help="posts per second for --input (default: as fast as possible)")
    dead_parser = commands.add_parser("deadletters", help="show the most recent dead letters and why they failed")
    dead_parser.add_argument("--limit", type=int, default=20, help="how many to show (default 20)")
    dead_parser.add_argument("--json", action="store_true", help="one JSON dead letter per line, original bytes included")
    model_parser = commands.add_parser("model", help="train and evaluate the language, topic and risk models")
    model_commands = model_parser.add_subparsers(dest="model_command", required=True)
    train_parser = model_commands.add_parser("train", help="train a model from labelled JSONL")
    train_parser.add_argument("--task", required=True, choices=["language", "topic", "risk"])
    train_parser.add_argument("--data", required=True, type=Path, help='JSONL: {"text": ..., "labels": [...]}')
    train_parser.add_argument("--out", required=True, type=Path, help="the model file to write (.ftz)")
    train_parser.add_argument("--valid", type=Path, help="labelled JSONL for calibration and thresholds")
    evaluate_parser = model_commands.add_parser("evaluate", help="score a model on labelled JSONL")
    evaluate_parser.add_argument("--task", required=True, choices=["language", "topic", "risk"])
    evaluate_parser.add_argument("--model", required=True, type=Path)
    evaluate_parser.add_argument("--data", required=True, type=Path)
    evaluate_parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    defaults_parser = model_commands.add_parser("build-defaults", help="rebuild the bundled default models")
    defaults_parser.add_argument("--data-dir", type=Path, default=Path("data"), help="the corpus (default ./data)")
    defaults_parser.add_argument("--splits", type=Path, default=Path("data/splits"), help="where splits go")
    defaults_parser.add_argument("--out", type=Path, help="where models go (default: inside the package)")
    tag_parser = commands.add_parser("tag", help="tag JSONL posts or {\"text\": ...} lines offline")
    tag_parser.add_argument("--input", type=Path, help="JSONL to read (default: stdin)")
    tag_parser.add_argument("--output", type=Path, help="JSONL to write (default: stdout)")
    import_parser = commands.add_parser("import", help="send a collection tool's export file (or folder) to Kafka")
    import_parser.add_argument("path", type=Path, help="a .json / .jsonl / .ndjson export, or a folder of them")
    import_parser.add_argument("--format", required=True,
                               choices=["apify-tiktok", "apify-instagram", "apify-facebook", "zeeschuimer"])
    import_parser.add_argument("--watch", action="store_true", help="keep watching the folder for new files")
    import_parser.add_argument("--name", default="import", help="the import's name: its checkpoints are kept under it")
    connectors_parser = commands.add_parser("connectors", help="the configured sources")
    connectors_parser.add_argument("action", choices=["list", "check", "run"])
    connectors_parser.add_argument("name", nargs="?", help="the source's name (for check and run)")
    connectors_parser.add_argument("--since", help="run: how far back this run reaches, instead of the source's "
                                   "configured since: 3d, 12h, or a date or time (2026-11-20 is midnight WIB)")
    kibana_parser = commands.add_parser("kibana", help="export or import the Kibana dashboards")
    kibana_parser.add_argument("action", choices=["export", "import"])
    kibana_parser.add_argument("--out", type=Path, help="export: the NDJSON file to write (default: stdout)")
    kibana_parser.add_argument("--url", help="import: Kibana's URL (default: kibana.url)")
    kibana_parser.add_argument("--space", help="import: the Kibana space (default: kibana.space, else default)")
    kibana_parser.add_argument("--file", type=Path, help="import: this NDJSON instead of the generated objects")
    kibana_parser.add_argument("--no-settings", action="store_true",
                               help="import: leave the space's time zone and default data view alone")
    alerts_parser = commands.add_parser("alerts", help="list alerts, silence rules, backtest a rule")
    alerts_commands = alerts_parser.add_subparsers(dest="alerts_command", required=True)
    alerts_run_parser = alerts_commands.add_parser(
        "run", help="the alerting job on its own (beside `siaga pipeline run` or a Flink pipeline)")
    alerts_run_parser.add_argument("--until-idle", action="store_true", help="stop once the tagged topic is drained")
    list_parser = alerts_commands.add_parser("list", help="the latest alerts, newest first")
    list_parser.add_argument("--open", action="store_true", help="only incidents not yet resolved")
    list_parser.add_argument("--limit", type=int, default=50)
    silence_parser = alerts_commands.add_parser("silence", help="keep a rule (or one group) quiet for a while")
    silence_parser.add_argument("rule", help="the rule id")
    silence_parser.add_argument("--group", help="only this group (a hashtag like #pemilu, a region, a cluster id...)")
    silence_parser.add_argument("--for", dest="duration", required=True, help="how long: 30m, 4h, 2d")
    silence_parser.add_argument("--reason", required=True, help="why, for the officers who read the list")
    silence_parser.add_argument("--by", help="who (default: $SIAGA_USER or the login name)")
    alerts_commands.add_parser("silences", help="every silence with who, why and until when")
    test_parser = alerts_commands.add_parser("test-rule", help="replay rules over posts in Elasticsearch; send nothing")
    test_parser.add_argument("rule_file", type=Path, help="YAML: one rule, a list, or a rules: section")
    test_parser.add_argument("--from", dest="since", required=True, help="start, e.g. 2026-11-21 (WIB unless a zone)")
    test_parser.add_argument("--to", dest="until", required=True, help="end (exclusive)")
    pipeline_parser = commands.add_parser("pipeline", help="the post pipeline as a service (local, Flink, Dataflow)")
    pipeline_commands = pipeline_parser.add_subparsers(dest="pipeline_command", required=True)
    prun = pipeline_commands.add_parser(
        "run", help="run the post pipeline; unknown --options go to Beam (e.g. --flink_master, --project)")
    prun.add_argument("--runner", choices=["local", "flink", "dataflow", "portable"], default="local")
    prun.add_argument("--workers", type=int, default=1, help="local: worker processes sharing the consumer group")
    prun.add_argument("--worker-index", type=int, default=0,
                      help="local: this worker's slot; a restart in the same slot takes its partitions back at once")
    prun.add_argument("--until-idle", action="store_true", help="local: stop once the raw topic is drained")
    prun.add_argument("--metrics-port", type=int, help="local: serve Prometheus /metrics here (0: any free port)")
    prun.add_argument("--kafka-expansion-service", help="flink/dataflow: host:port of a Kafka IO expansion service")
    commands.add_parser("status", help="pipeline consumer lag per partition, throughput and the last errors")
    retention_parser = commands.add_parser("retention", help="delete post indices and alerts past their retention")
    retention_parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    commands.add_parser("setup", help="create Kafka topics and Elasticsearch index templates")
    commands.add_parser("templates", help="print the Elasticsearch index templates generated from the schemas")
    args, beam_args = parser.parse_known_args(argv)
    if beam_args and args.command != "pipeline":
        parser.error(f"unrecognized arguments: {' '.join(beam_args)}")
    try:
        settings = load_settings(args.config)
        args.log_format = args.log_format or settings.pipeline.log_format
        _configure_logging(args.verbose, args.log_format)
        if args.command == "pipeline":
            return _pipeline(settings, args, beam_args)
        if args.command == "status":
            return _status(settings)
        if args.command == "retention":
            return _retention(settings, args.dry_run)
        if args.command == "stack":
            return _stack(settings, args.action)
        if args.command == "run":
            return _run(settings, args)
        if args.command == "model":
            return _model(args)
        if args.command == "tag":
            return _tag(settings, args)
        if args.command == "import":
            return _import(settings, args)
        if args.command == "connectors":
            return _connectors(settings, args)
        if args.command == "kibana":
            return _kibana(settings, args)
        if args.command == "deadletters":
            return _deadletters(settings, args.limit, args.json)
        if args.command == "alerts":
            return _alerts(settings, args)
        if args.command == "setup":
            from pipelines.ops.services import ensure_ready

            ensure_ready(settings)
            print("topics and index templates are in place")
            return 0
        from schemas.index import templates

        es = settings.elasticsearch
        print(json.dumps(templates(es.posts_index, es.alerts_index, shards=es.shards, replicas=es.replicas,
                                   ilm_policy=es.ilm_policy), indent=2))
        return 0
    except SiagaError as exc:
        print(f"siaga: error: {exc}", file=sys.stderr)
        return 2

