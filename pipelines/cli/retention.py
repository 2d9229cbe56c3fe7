"""``siaga retention``: delete post months and alerts past their retention."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command, print_json, require_services
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga retention``."""
    parser = add_command(
        commands, "retention", handler=retention, summary="delete post indices and alerts past their retention",
        description="""
            Delete every monthly post index that is wholly older than retention.posts, and the
            alerts fired before retention.alerts; on this machine also the connectors' sent-post
            records and idle checkpoints older than retention.posts, and the outbox's records,
            failed/ files and .eml files older than retention.alerts. `siaga run` does this every
            retention.interval; this command does it once, now.""",
        examples=["siaga retention --dry-run", "siaga retention", "siaga retention --json"],
    )
    parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")


def retention(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga retention``."""
    from elasticsearch import Elasticsearch

    from pipelines.ops.indices import apply_retention

    require_services(settings, "elasticsearch")
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        report = apply_retention(es, settings, dry_run=args.dry_run)
    finally:
        es.close()
    if args.json:
        print_json(report.as_json())
    else:
        print(report.render())
    return EXIT_OK
