"""``siaga templates``: print the Elasticsearch index templates generated from ``schemas/``."""

from __future__ import annotations

import argparse
import json

from pipelines.cli.common import EXIT_OK, add_command
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga templates``."""
    add_command(
        commands, "templates", handler=templates,
        summary="print the Elasticsearch index templates generated from the schemas",
        description="""
            Print, as JSON, the composable index templates `siaga setup` installs for the
            configured posts, alerts and erasures indices (mappings, shards, replicas, ILM policy).
            Needs no running service.""",
        examples=["siaga templates", "siaga templates --config production.yaml | jq '.\"siaga-posts\"'"],
    )


def templates(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga templates``."""
    from schemas.index import templates as generated

    es = settings.elasticsearch
    print(json.dumps(generated(es.posts_index, es.alerts_index, shards=es.shards, replicas=es.replicas,
                               ilm_policy=es.ilm_policy, erasures_index=es.erasures_index,
                               verdicts_index=es.verdicts_index,
                               indonesian_analyzer=es.indonesian_analyzer), indent=2))
    return EXIT_OK
