"""``siaga deadletters``: the latest dead letters, why they failed and where they came from."""

from __future__ import annotations

import argparse

from pipelines.cli.common import EXIT_OK, add_command, notes_stream, require_services, untrusted
from schemas.clock import wib
from schemas.config import Settings
from schemas.deadletter import DeadLetter

PREVIEW_CHARS = 100


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga deadletters``."""
    parser = add_command(
        commands, "deadletters", handler=deadletters,
        summary="show the most recent dead letters and why they failed",
        description="""
            Read the last records of the dead-letter topic (without joining a consumer group,
            so nothing is committed) and show, for each, when and at which stage it failed,
            the reason, where the record came from, and the start of the original.""",
        examples=["siaga deadletters", "siaga deadletters --limit 5",
                  "siaga deadletters --json | jq -r .reason"],
    )
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="how many to show (default 20)")
    parser.add_argument("--json", action="store_true",
                        help="one JSON dead letter per line on stdout, original bytes included; notes on stderr")


def deadletters(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga deadletters``."""
    from pydantic import ValidationError

    from pipelines.common.kafka_io import read_topic_tail

    require_services(settings, "kafka")
    topic = settings.kafka.topics.dead_letter
    records = read_topic_tail(settings, topic, args.limit)
    notes = notes_stream(args.json)
    if not records:
        print(f"no dead letters on {topic}", file=notes)
        return EXIT_OK
    for record in records:
        try:
            letter = DeadLetter.model_validate_json(record.value)
        except ValidationError:
            print(f"{record.source}: not a Siaga dead letter ({len(record.value)} bytes)", file=notes)
            continue
        if args.json:
            print(letter.model_dump_json())
        else:
            print(render(letter))
    print(f"{len(records)} most recent dead letter(s) on {topic}", file=notes)
    return EXIT_OK


def render(letter: DeadLetter) -> str:
    """One dead letter as three lines for a terminal; every text from outside goes through ``untrusted``."""
    preview = untrusted(letter.original_preview)
    more = "…" if len(preview) > PREVIEW_CHARS else ""
    return (f"{wib(letter.failed_at)}  stage {letter.stage:<8} from {untrusted(letter.source)}\n"
            f"    reason  : {untrusted(letter.reason)}\n"
            f"    original: {preview[:PREVIEW_CHARS]}{more}")
