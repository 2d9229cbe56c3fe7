"""``siaga erase``: erase a post, or every post of an author, everywhere Siaga keeps it (UU 27/2022)."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command, notes_stream, print_json, require_services
from schemas.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga erase``."""
    parser = add_command(
        commands, "erase", handler=erase,
        summary="erase a post or an author's posts everywhere, and keep them from coming back",
        description="""
            For a data subject's erasure request (UU 27/2022). Puts the post (or the author, as a
            keyed hash) on the suppression list that connectors, pipeline and alerting honour,
            then deletes the post(s) from every monthly posts index, takes them out of the
            evidence of alerts, and deletes what this machine keeps about them: the connectors'
            state and the outbox's records and .eml files. Components in other containers forget
            their copies when they next read the list (erasure.refresh). After that interval a
            second sweep removes what a component wrote meanwhile (--no-recheck skips the wait).
            Each erasure is logged and recorded with who, when and why; never with the post's
            text. Kafka topics keep their copies until their retention: the report says so.""",
        examples=["siaga erase --post tiktok:7310000000000000001 --reason 'request PDP-2026-014' --dry-run",
                  "siaga erase --author instagram:warga.sukamaju --reason 'request PDP-2026-015'",
                  "siaga erase --post facebook:1234567890 --reason 'PDP-2026-016' --json"],
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--post", metavar="PLATFORM:ID", help="one post, by its post id (as Kibana and alerts show it)")
    which.add_argument("--author", metavar="PLATFORM:HANDLE", help="every post of one account, and its future posts")
    parser.add_argument("--reason", required=True, metavar="TEXT",
                        help="why: the request's reference (recorded with the erasure; not the person's name)")
    parser.add_argument("--by", metavar="NAME", help="who erases, for the record (default: the login name)")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be erased; change nothing")
    parser.add_argument("--no-recheck", action="store_true",
                        help="do not wait erasure.refresh for the second sweep")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")


def erase(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga erase``."""
    from pipelines.ops.erasure import Target
    from pipelines.ops.erasure import erase as erase_target

    target = Target.post(args.post) if args.post is not None else Target.author(args.author)
    require_services(settings, "elasticsearch")
    if not args.dry_run and not args.no_recheck:
        print(f"erasing; a second sweep follows in {settings.erasure.refresh.total_seconds():.0f} s "
              "(--no-recheck skips it)", file=notes_stream(args.json))
    report = erase_target(settings, target, reason=args.reason, by=args.by, dry_run=args.dry_run,
                          recheck=not args.no_recheck)
    if args.json:
        print_json(report.as_json())
    else:
        print(report.render())
    return EXIT_OK
