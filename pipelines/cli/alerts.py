"""``siaga alerts run | list | silence | silences | test-rule``: the rule engine and its alerts."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.cli.common import (
    EXIT_OK,
    add_command,
    print_json,
    require_services,
    stop_on_signals,
    subcommands,
    untrusted,
    warn_if_public_erasure_key,
)
from schemas.config import RULE_TYPES, Settings
from schemas.errors import ServiceUnavailable, UsageError


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga alerts`` and its subcommands."""
    parser = add_command(
        commands, "alerts", summary="run alerting, list alerts, silence rules, backtest a rule",
        description=f"""
            The alerting job reads tagged posts and runs the rules of siaga.yaml (rule types:
            {', '.join(RULE_TYPES)}); an alert is indexed in Elasticsearch and emailed.""",
        examples=["siaga alerts list --open", "siaga alerts silence hoaks-pemilu --for 4h --reason 'klarifikasi KPU'",
                  "siaga alerts test-rule rule.yaml --from 2026-11-21 --to 2026-11-22"],
    )
    actions = subcommands(parser, "alerts_command")
    run_parser = add_command(
        actions, "run", handler=run, summary="the alerting job on its own (beside `siaga pipeline run` or Flink)",
        description="""
            Run only the alerting job: it reads the tagged-posts topic, so it can run, restart
            or move apart from ingestion. Stops on Ctrl-C or SIGTERM.""",
        examples=["siaga alerts run", "siaga alerts run --until-idle"])
    run_parser.add_argument("--until-idle", action="store_true", help="stop once the tagged topic is drained")
    list_parser = add_command(
        actions, "list", handler=list_alerts, summary="the latest alerts, newest first",
        description="The latest alerts in Elasticsearch with their state (open, resolved) and delivery.",
        examples=["siaga alerts list", "siaga alerts list --open --limit 10", "siaga alerts list --json"])
    list_parser.add_argument("--open", action="store_true", help="only incidents not yet resolved")
    list_parser.add_argument("--limit", type=int, default=50, metavar="N", help="how many to show (default 50)")
    list_parser.add_argument("--json", action="store_true", help="one JSON alert per line")
    silence_parser = add_command(
        actions, "silence", handler=silence, summary="keep a rule (or one of its groups) quiet for a while",
        description="""
            Store a silence: alerts of the rule (or group) are still indexed, but no email goes
            out until it ends. Who and why are kept for the officers who read the list.""",
        examples=["siaga alerts silence hoaks-pemilu --for 4h --reason 'KPU sudah klarifikasi'",
                  "siaga alerts silence lonjakan --group '#pemilu' --for 30m --reason 'debat capres' --by andi"])
    silence_parser.add_argument("rule", help="the rule id")
    silence_parser.add_argument("--group", help="only this group (a hashtag like #pemilu, a region, a cluster id...)")
    silence_parser.add_argument("--for", dest="duration", required=True, metavar="DURATION",
                                help="how long: 30m, 4h, 2d")
    silence_parser.add_argument("--reason", required=True, help="why, for the officers who read the list")
    silence_parser.add_argument("--by", help="who (default: $SIAGA_USER or the login name)")
    silences_parser = add_command(
        actions, "silences", handler=silences, summary="every silence with who, why and until when",
        description="List every stored silence, active or expired, with who set it, why and until when (WIB).",
        examples=["siaga alerts silences", "siaga alerts silences --json"])
    silences_parser.add_argument("--json", action="store_true", help="one JSON silence per line, with its state")
    test_parser = add_command(
        actions, "test-rule", handler=test_rule, summary="replay rules over posts in Elasticsearch; send nothing",
        description="""
            Backtest: run rules from a YAML file over the indexed posts of a period, in post
            time, and print the alerts they would have fired. Nothing is indexed or sent.""",
        examples=["siaga alerts test-rule rule.yaml --from 2026-11-21 --to 2026-11-22",
                  "siaga alerts test-rule siaga.yaml --from '2026-11-21T08:00' --to '2026-11-21T20:00+07:00'"])
    test_parser.add_argument("rule_file", type=Path, metavar="RULES.yaml",
                             help="YAML: one rule, a list of rules, or a rules: section")
    test_parser.add_argument("--from", dest="since", required=True, metavar="WHEN",
                             help="start, e.g. 2026-11-21 (WIB unless a zone is given)")
    test_parser.add_argument("--to", dest="until", required=True, metavar="WHEN", help="end (exclusive)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga alerts run``."""
    from pipelines.delivery.outbox import Outbox
    from pipelines.ops.services import serve_alerting

    warn_if_public_erasure_key(settings)
    with stop_on_signals() as stop:
        totals = serve_alerting(settings, stop, until_idle=args.until_idle)
    waiting = Outbox(settings.alerting.state_dir / "queue").count()
    print(f"alerting stopped: {totals.posts_seen} posts seen, {len(totals.fired)} alert(s) fired, "
          f"{len(totals.resolved)} resolved, {totals.silenced} silenced, "
          f"{totals.dead_lettered} dead-lettered; {waiting} message(s) wait in the outbox")
    return EXIT_OK


def list_alerts(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga alerts list``."""
    from elasticsearch import Elasticsearch
    from elasticsearch import exceptions as es_errors

    from pipelines.delivery.emails import subject_of
    from schemas.alert import Alert
    from schemas.clock import wib

    require_services(settings, "elasticsearch")
    index = settings.elasticsearch.alerts_index
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    query: dict = {"term": {"state": "open"}} if args.open else {"match_all": {}}
    try:
        es.indices.refresh(index=index)
        hits = es.search(index=index, query=query, size=args.limit,
                         sort=[{"fired_at": "desc"}, {"alert_id": "asc"}])["hits"]["hits"]
    except es_errors.NotFoundError:
        hits = []
    except es_errors.ConnectionError as exc:
        msg = f"Elasticsearch at {settings.elasticsearch_url()} is not reachable"
        raise ServiceUnavailable(msg) from exc
    finally:
        es.close()
    alerts = [Alert.model_validate(hit["_source"]) for hit in hits]
    if args.json:
        for alert in alerts:
            print(alert.model_dump_json())
        return EXIT_OK
    if not alerts:
        print("no open alerts" if args.open else "no alerts")
    for alert in alerts:
        print(f"{wib(alert.fired_at)}  {alert.state:<8} {alert.delivery:<10} {alert.alert_id}")
        print(f"    {untrusted(subject_of(alert))}")
    return EXIT_OK


def silence(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga alerts silence RULE --for D --reason R``."""
    import getpass
    import os

    from pydantic import TypeAdapter, ValidationError

    from pipelines.alerting.silences import SilenceStore
    from schemas.clock import utc_now, wib
    from schemas.config import Duration

    if args.rule not in {rule.id for rule in settings.rules}:
        known = ", ".join(rule.id for rule in settings.rules) or "none configured"
        msg = f"no rule {args.rule!r} (rules: {known})"
        raise UsageError(msg)
    try:
        duration = TypeAdapter(Duration).validate_python(args.duration)
    except ValidationError as exc:
        msg = f"--for: {exc.errors()[0]['msg']}"
        raise UsageError(msg) from None
    who = args.by or os.environ.get("SIAGA_USER") or getpass.getuser()
    added = SilenceStore(settings.alerting.state_dir).add(args.rule, args.group, duration, args.reason, who, utc_now())
    print(f"{added.silence_id}: {added.rule_id}{' group ' + added.group if added.group else ''} "
          f"silenced until {wib(added.until)} by {added.created_by}: {added.reason}")
    return EXIT_OK


def silences(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga alerts silences``."""
    from pipelines.alerting.silences import SilenceStore
    from schemas.clock import utc_now, wib

    now = utc_now()
    stored = SilenceStore(settings.alerting.state_dir).all()
    for s in stored:
        state = "active" if s.created_at <= now < s.until else "expired"
        if args.json:
            print_json({**s.model_dump(mode="json"), "state": state})
            continue
        print(f"{s.silence_id}  {state:<7} {s.rule_id:<20} {untrusted(s.group or '(all groups)'):<24} "
              f"until {wib(s.until)}  by {untrusted(s.created_by)}: {untrusted(s.reason)}")
    if not stored and not args.json:
        print("no silences")
    return EXIT_OK


def test_rule(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga alerts test-rule RULES.yaml --from ... --to ...``."""
    from pipelines.alerting.backtest import backtest, load_rules, parse_time, report

    rules = load_rules(args.rule_file)
    start, end = parse_time(args.since), parse_time(args.until)
    require_services(settings, "elasticsearch")
    result = backtest(settings, rules, start, end)
    print(report(result, rules, start, end))
    return EXIT_OK
