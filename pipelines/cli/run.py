"""``siaga run``: connectors, the post pipeline and alerting together in one process."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    add_command,
    existing_path,
    print_json,
    stop_on_signals,
)
from schemas.config import ReplaySource, Settings
from schemas.errors import UsageError

if TYPE_CHECKING:
    from pipelines.ops.runner import RunSummary


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga run``."""
    parser = add_command(
        commands, "run", handler=run, summary="run connectors, pipeline and alerting together",
        description=f"""
            Run every configured source, the post pipeline (tagging, Elasticsearch) and the
            alerting job in one process until Ctrl-C or SIGTERM, then print a summary. The
            stages talk only through Kafka, as separate services would. Exits {EXIT_FAILED} when
            a connector failed.""",
        examples=["siaga run", "siaga run --until-idle",
                  "siaga run --input posts.jsonl --rate 50 --until-idle",
                  "siaga run --until-idle --json > summary.json"],
    )
    parser.add_argument("--until-idle", action="store_true",
                        help="stop once every source has finished and all its posts are processed")
    parser.add_argument("--input", type=Path, metavar="FILE.jsonl",
                        help="replay this JSONL file of posts instead of the configured sources")
    parser.add_argument("--rate", type=float, metavar="N",
                        help="posts per second for --input (default: as fast as possible)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga run``."""
    from pipelines.ops.runner import run as run_all

    if args.rate is not None and args.input is None:
        msg = "--rate applies to --input only (a configured replay source has its own rate)"
        raise UsageError(msg)
    if args.input is not None:
        path = existing_path(args.input, "--input").resolve()
        settings = settings.model_copy(update={"sources": [ReplaySource(name="input", path=path, rate=args.rate)]})
    with stop_on_signals() as stop:
        summary = run_all(settings, until_idle=args.until_idle, stop=stop)
    if args.json:
        print_json(summary_json(summary, settings))
    else:
        print(summary.render(settings))
    return EXIT_FAILED if summary.connector_errors else EXIT_OK


def summary_json(summary: RunSummary, settings: Settings) -> dict[str, Any]:
    """The run's summary as JSON: every figure ``render`` prints, alerts by id, subject and severity."""
    from pipelines.delivery.emails import subject_of

    figures: dict[str, Any] = {field.name: getattr(summary, field.name) for field in dataclasses.fields(summary)}
    figures["alerts"] = [{"alert_id": alert.alert_id, "rule_id": alert.rule_id, "severity": alert.severity,
                          "group": alert.group, "subject": subject_of(alert)} for alert in summary.alerts]
    figures["connector_warnings"] = {name: {"count": count, "most_frequent": list(top)}
                                     for name, (count, top) in summary.connector_warnings.items()}
    figures["seconds"] = round(summary.seconds, 3)
    figures["elasticsearch"] = {"url": settings.elasticsearch_url(), "index": settings.elasticsearch.posts_index}
    figures["dead_letter_topic"] = settings.kafka.topics.dead_letter
    return figures
