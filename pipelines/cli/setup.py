"""``siaga setup``: create the Kafka topics and the Elasticsearch index templates."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga setup``."""
    add_command(
        commands, "setup", handler=setup, summary="create Kafka topics and Elasticsearch index templates",
        description="""
            Create the Kafka topics, the index templates generated from the schemas, the posts
            alias with this month's index, and the alerts index. Safe to run again: what exists
            is left as it is. `siaga run` does this itself at start.""",
        examples=["siaga setup", "siaga setup --config production.yaml"],
    )


def setup(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga setup``."""
    from pipelines.ops.services import ensure_ready

    ensure_ready(settings)
    print("topics and index templates are in place")
    return EXIT_OK
