"""``siaga search``: find posts by what an officer types, the way Discover's ``text_norm`` finds them."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command, notes_stream, print_json, require_services, untrusted
from schemas.config import Settings
from schemas.errors import ServiceUnavailable, UsageError

EXCERPT_CHARS = 200


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga search``."""
    parser = add_command(
        commands, "search", handler=search, summary="find posts by words, whatever their slang or affixes",
        description="""
            Normalise the query as every post's text is normalised (slang to standard words,
            stretched letters folded, each word to its stem) and search the posts' text_norm
            field: "mencoblos" finds dicoblos, nyoblos and coblos; "jgn" finds jangan. Every
            word must occur (--any: one is enough); words in double quotes must stand together.
            Newest first, times in WIB. `siaga normalise TEXT` shows what Discover needs typed.""",
        examples=["siaga search mencoblos jgn", """siaga search '"surat suara" dicoblos' --from 2026-11-21""",
                  "siaga search kpu curang --any --limit 50", "siaga search '#tolakpendatang' --json"],
    )
    parser.add_argument("query", nargs="+", metavar="WORD", help="words to find (quote a phrase: '\"surat suara\"')")
    parser.add_argument("--any", action="store_true", help="posts with any of the words, not all")
    parser.add_argument("--from", dest="since", metavar="WHEN", help="posts created from then (WIB unless a zone is given)")
    parser.add_argument("--to", dest="until", metavar="WHEN", help="posts created before then")
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many to show (default 20)")
    parser.add_argument("--json", action="store_true", help="one JSON post per line on stdout; notes on stderr")


def _instant(text: str | None, option: str) -> str | None:
    from schemas.clock import parse_instant

    if text is None:
        return None
    try:
        return parse_instant(text).isoformat()
    except ValueError as exc:
        msg = f"{option}: {exc}"
        raise UsageError(msg) from None


def search(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga search``."""
    from elasticsearch import Elasticsearch
    from elasticsearch import exceptions as es_errors

    from pipelines.tagging.search import FIELD, discover_query, search_query
    from schemas.clock import wib
    from schemas.post import TaggedPost

    if args.limit < 1:
        msg = "--limit must be at least 1"
        raise UsageError(msg)
    text = " ".join(args.query)
    query = search_query(text, match_all=not args.any)
    if "match_none" in query:
        msg = f"nothing to search for in {text!r}: give words, numbers or #hashtags"
        raise UsageError(msg)
    since, until = _instant(args.since, "--from"), _instant(args.until, "--to")
    created: dict[str, str] = {key: value for key, value in (("gte", since), ("lt", until)) if value}
    if created:
        query = {"bool": {"must": [query], "filter": [{"range": {"created_at": created}}]}}
    notes = notes_stream(args.json)
    print(f"searching {FIELD} for: {untrusted(discover_query(text, match_all=not args.any))}", file=notes)
    require_services(settings, "elasticsearch")
    index = settings.elasticsearch.posts_index
    es = Elasticsearch(**settings.elasticsearch_kwargs())
    try:
        result = es.search(index=index, query=query, size=args.limit, track_total_hits=True,
                           sort=[{"created_at": "desc"}, {"post_id": "asc"}])
    except es_errors.NotFoundError:
        print(f"no posts indexed yet ({index} does not exist)", file=notes)
        return EXIT_OK
    except es_errors.ConnectionError as exc:
        msg = f"Elasticsearch at {settings.elasticsearch_url()} is not reachable"
        raise ServiceUnavailable(msg) from exc
    finally:
        es.close()
    hits = result["hits"]["hits"]
    for hit in hits:
        post = TaggedPost.model_validate(hit["_source"])
        if args.json:
            print_json(post.model_dump(mode="json", exclude={"raw"}))
            continue
        excerpt = " ".join(post.text.split())
        if len(excerpt) > EXCERPT_CHARS:
            excerpt = excerpt[: EXCERPT_CHARS - 1] + "…"
        print(f"{wib(post.created_at)}  {post.platform:<9} @{untrusted(post.author.handle)}  risk {post.risk.level}")
        print(f"    {untrusted(excerpt)}")
        print(f"    {untrusted(str(post.url))}")
    total = result["hits"]["total"]["value"]
    print(f"{total} post(s) found" + (f", the newest {len(hits)} shown" if total > len(hits) else ""), file=notes)
    return EXIT_OK
