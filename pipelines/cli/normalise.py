"""``siaga normalise``: show a text as Siaga indexes it for search, and what to type in Discover."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command, print_json, untrusted
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga normalise``."""
    parser = add_command(
        commands, "normalise", handler=normalise, summary="show a text as search sees it, and what to type in Discover",
        description="""
            Print the normalised form Siaga stores in every post's text_norm (slang to standard
            words, stretched letters folded, each word followed by its stem), the terms a query
            with these words searches for, and the query to type in Kibana Discover. Needs no
            running service.""",
        examples=["siaga normalise 'jgn lupa nyoblos, curang bangeeet'", "siaga normalise mencoblos --json"],
    )
    parser.add_argument("text", nargs="+", metavar="TEXT", help="the text (several words may be given unquoted)")
    parser.add_argument("--json", action="store_true", help="one JSON object: text_norm, terms, discover")


def normalise(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga normalise``."""
    from pipelines.tagging.search import discover_query, normalise_for_search, search_terms

    text = " ".join(args.text)
    text_norm, terms, discover = normalise_for_search(text), search_terms(text), discover_query(text)
    if args.json:
        print_json({"text_norm": text_norm, "terms": terms, "discover": discover})
        return EXIT_OK
    print(f"text_norm : {untrusted(text_norm)}")
    print(f"search    : {untrusted(' '.join(terms))}")
    print(f"Discover  : {untrusted(discover)}")
    return EXIT_OK
