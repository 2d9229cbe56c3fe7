"""``siaga retention``: delete post months and alerts past their retention."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command, require_services
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga retention``."""
    parser = add_command(
        commands, "retention", handler=retention, summary="delete post indices and alerts past their retention",
        description="""
            Delete every monthly post index that is wholly older than retention.posts, and the
            alerts fired before retention.alerts. `siaga run` does this every
            retention.interval; this command does it once, now.""",
        examples=["siaga retention --dry-run", "siaga retention"],
    )
    parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")


def retention(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga retention``."""
    from elasticsearch import Elasticsearch

    from pipelines.ops.indices import apply_retention

    require_services(settings, "elasticsearch")
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        print(apply_retention(es, settings, dry_run=args.dry_run).render())
    finally:
        es.close()
    return EXIT_OK
