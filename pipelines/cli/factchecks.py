"""``siaga factchecks``: import fact-checks (and back-match them), and see which ones a text repeats."""

from __future__ import annotations

import argparse

from pipelines.cli.common import (
    EXIT_OK,
    add_command,
    notes_stream,
    print_json,
    require_services,
    subcommands,
    untrusted,
)
from schemas.config import Settings
from schemas.errors import UsageError


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga factchecks import`` and ``siaga factchecks match``."""
    from schemas.factcheck import SOURCE_FORMATS

    parser = add_command(
        commands, "factchecks", summary="import fact-checks, and see which debunked claims a text repeats",
        description="""
            Fact-checks are what makes a repeated false claim recognisable: a post repeating a
            debunked claim gets the debunk next to it, a hoax label, and fires factcheck_match
            rules. `import` reads ClaimReview JSON-LD (a page, a JSON array or NDJSON), a Fact
            Check Tools API answer, a WordPress REST or RSS export, or a CSV list
            (id,claim,url,rating,date[,narrative]); a re-import of the same fact-checks changes
            nothing. New ones are matched against the posts of the last factchecks.backmatch
            (7 days) at once; the pipeline uses them within factchecks.refresh.""",
        examples=["siaga factchecks import data/demo/factchecks.jsonl",
                  "siaga factchecks import https://turnbackhoax.id/feed/ --format rss --publisher Mafindo",
                  "siaga factchecks match 'surat suara di gudang KPU udh dicoblos semua'"],
    )
    verbs = subcommands(parser, "factchecks_command")
    load = add_command(
        verbs, "import", handler=import_command,
        summary="store fact-checks from a file or a feed URL, and back-match them",
        description="""
            Store the new and changed fact-checks of FILE or URL in the fact-checks index,
            publish them to the fact-checks topic, dead-letter what cannot be read, and mark the
            recent posts that repeat them (they are sent to alerting again).""",
        examples=["siaga factchecks import factchecks.jsonl", "siaga factchecks import list.csv --source kominfo"])
    load.add_argument("location", metavar="FILE|URL", help="a file, or an http(s) feed or API answer")
    load.add_argument("--format", choices=SOURCE_FORMATS, help="the document's format (default: guessed)")
    load.add_argument("--publisher", metavar="NAME", help="the fact-checker, where the format does not say")
    load.add_argument("--source", default="import", metavar="NAME",
                      help="scopes the ids of a CSV list (default: import)")
    load.add_argument("--rematch", action="store_true",
                      help="back-match every fact-check read, not only new and changed ones")
    load.add_argument("--json", action="store_true", help="print the report as one JSON object")
    match = add_command(
        verbs, "match", handler=match_command, summary="the stored fact-checks closest to a text, with their scores",
        description="""
            Match TEXT against the stored fact-checks as the pipeline does; show the closest
            ones with their scores, whether each would be raised, and the debunk cue if the
            text debunks the claim rather than repeats it.""",
        examples=["siaga factchecks match 'ktp lama gabisa buat nyoblos'"])
    match.add_argument("text", nargs="+", metavar="TEXT", help="the text to match (a post as written)")
    match.add_argument("--limit", type=int, default=5, metavar="N", help="how many candidates (default 5)")
    match.add_argument("--json", action="store_true", help="one JSON object on stdout")


def import_command(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga factchecks import``."""
    from pipelines.ops.factchecks import import_factchecks, parse, read_document
    from pipelines.ops.services import ensure_ready
    from schemas.clock import process_clock

    clock = process_clock()
    raw, name = read_document(args.location)
    parsed = parse(raw, name, fmt=args.format, clock=clock, source=args.source, publisher=args.publisher)
    ensure_ready(settings, clock)
    report = import_factchecks(settings, parsed, clock=clock, source=args.source, rematch=args.rematch)
    if args.json:
        print_json(report.as_json())
    else:
        print(untrusted(report.render()))
    return EXIT_OK


def match_command(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga factchecks match``."""
    from elasticsearch import Elasticsearch

    from pipelines.factchecks.matcher import FactCheckMatcher
    from pipelines.factchecks.store import FactCheckStore

    if args.limit < 1:
        msg = "--limit must be at least 1"
        raise UsageError(msg)
    text = " ".join(args.text)
    require_services(settings, "elasticsearch")
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        stored = FactCheckStore(es, settings.elasticsearch.factchecks_index).all()
    finally:
        es.close()
    notes = notes_stream(args.json)
    matcher = FactCheckMatcher(stored)
    if not matcher.factchecks:
        print(f"no debunked fact-checks stored ({len(stored)} stored); import some with `siaga factchecks import`",
              file=notes)
        if args.json:
            print_json({"text": text, "raised": [], "candidates": [], "debunk_cue": None})
        return EXIT_OK
    result = matcher.match(text)
    raised = {m.factcheck_id for m in result.raised}
    candidates = matcher.candidates(text, limit=args.limit)
    if args.json:
        print_json({"text": text, "raised": sorted(raised),
                    "debunk_cue": result.debunk.cue if result.debunk else None,
                    "candidates": [{**matcher.explain(text, m).model_dump(mode="json"),
                                    "raised": m.factcheck_id in raised} for m in candidates]})
        return EXIT_OK
    print(f"{len(matcher.factchecks)} debunked fact-checks loaded", file=notes)
    if result.debunk is not None:
        print(f"debunk cue: \u201c{untrusted(result.debunk.cue)}\u201d: the text debunks, nothing is raised")
    if not candidates:
        print("no fact-check comes close")
    for m in candidates:
        factcheck = matcher.factcheck(m.factcheck_id)
        mark = "RAISED" if m.factcheck_id in raised else "below threshold" if m.factcheck_id not in {
            x.factcheck_id for x in result.matches} else "held back (debunk)"
        print(f"{m.score:.2f}  {mark:<18} {factcheck.factcheck_id}  {untrusted(factcheck.title or factcheck.claim)}")
        print(f"      {untrusted(str(factcheck.url or ''))}")
        print(f"      {untrusted(m.reason)}")
    return EXIT_OK
