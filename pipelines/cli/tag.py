"""``siaga tag``: tag posts or ``{"text": ...}`` lines offline, JSONL in, JSONL out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.cli.common import EXIT_FAILED, EXIT_OK, add_command, existing_path
from schemas.config import Settings

if TYPE_CHECKING:
    from pipelines.factchecks.matcher import FactCheckMatcher


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga tag``."""
    parser = add_command(
        commands, "tag", handler=tag, summary='tag JSONL posts or {"text": ...} lines offline',
        description=f"""
            Run the tagger (language, topics, risk, watchlists, the election's entities) over JSON
            lines without Kafka or Elasticsearch and write each line back with its "tags". With
            --factchecks each line is also matched against fact-checks, as the pipeline matches
            posts against the imported ones: from a file (any format `siaga factchecks import`
            reads), or "stored" for those in Elasticsearch. A line that cannot be read
            is reported on stderr and the rest go on; the exit code is then {EXIT_FAILED}.""",
        examples=["siaga tag --input posts.jsonl --output tagged.jsonl",
                  "siaga tag --input posts.jsonl --factchecks connectors/samples/factchecks.ndjson",
                  """echo '{"text": "Ayo coblos, jangan golput!"}' | siaga tag"""],
    )
    parser.add_argument("--input", type=Path, metavar="FILE.jsonl", help="JSONL to read (default: stdin)")
    parser.add_argument("--output", type=Path, metavar="FILE.jsonl", help="JSONL to write (default: stdout)")
    parser.add_argument("--factchecks", metavar="FILE|stored",
                        help='match against the fact-checks of FILE, or "stored": those imported into Elasticsearch')


def _factchecks(settings: Settings, where: str | None) -> FactCheckMatcher | None:
    """The fact-check matcher ``--factchecks`` asks for, if any."""
    from pipelines.factchecks.matcher import FactCheckMatcher

    if where is None:
        return None
    if where == "stored":
        from elasticsearch import Elasticsearch

        from pipelines.cli.common import require_services
        from pipelines.factchecks.store import FactCheckStore

        require_services(settings, "elasticsearch")
        es = Elasticsearch(**settings.elasticsearch_kwargs())
        try:
            return FactCheckMatcher(FactCheckStore(es, settings.elasticsearch.factchecks_index).all())
        finally:
            es.close()
    from pipelines.ops.factchecks import parse, read_document
    from schemas.clock import process_clock

    raw, name = read_document(where)
    parsed = parse(raw, name, fmt=None, clock=process_clock())
    for refused in parsed.refused:
        print(f"siaga tag: --factchecks {where}: {refused.reason}", file=sys.stderr)
    return FactCheckMatcher(parsed.factchecks)


def tag(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga tag``."""
    from pipelines.factchecks.matcher import debunk_cue
    from pipelines.tagging.offline import tag_stream
    from pipelines.tagging.tagger import Tagger

    if args.input is not None:
        existing_path(args.input, "--input")
    source = args.input.open(encoding="utf-8", errors="surrogateescape") if args.input else sys.stdin
    try:
        target = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
        try:
            tagger = Tagger(settings.tagging, settings.election, debunk=debunk_cue)  # as the pipeline tags
            bad = tag_stream(settings.tagging, source, target, sys.stderr, tagger=tagger,
                             factchecks=_factchecks(settings, args.factchecks))
        finally:
            if args.output:
                target.close()
    finally:
        if args.input:
            source.close()
    return EXIT_FAILED if bad else EXIT_OK
