"""``siaga verdict``: an officer says whether a post's (or an alert's) tags were right, or what they actually are."""

from __future__ import annotations

import argparse
import os

from pipelines.cli.common import EXIT_OK, add_command, print_json, require_services
from schemas.config import Settings
from schemas.errors import UsageError
from schemas.verdict import VERDICT_TASKS

OFFICER_ENV = "SIAGA_OFFICER"


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga verdict``."""
    parser = add_command(
        commands, "verdict", handler=verdict,
        summary="say whether a post's or an alert's tags are right (teaches the next retrained model)",
        description=f"""
            Record an officer's verdict on one post (PLATFORM:ID) or on every post of an alert
            (its alert id): --correct, or --wrong, optionally with the labels the post actually
            has (--label, repeatable). A --wrong verdict without a label says none of the labels
            apply. The verdict is searchable at once in the verdicts index and goes to the
            verdicts topic; giving another one later replaces it for retraining (the history
            stays). `siaga model retrain` learns from them. The officer is --by, else
            ${OFFICER_ENV}.""",
        examples=["siaga verdict tiktok:7310000000000000001 --wrong --label hoax --note 'hoaks jadwal KPU'",
                  "siaga verdict ancaman-kekerasan-3f2a9c1d0b7e4a55 --correct --by andi",
                  "siaga verdict facebook:123 --wrong --task topic --label election --json"],
    )
    parser.add_argument("target", metavar="POST_ID|ALERT_ID", help="a post id (tiktok:731...) or an alert id")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--correct", action="store_true", help="the model's labels are right")
    which.add_argument("--wrong", action="store_true", help="they are wrong (with --label: it is actually L)")
    parser.add_argument("--label", action="append", default=[], metavar="L",
                        help="a label the post actually has (repeat for several)")
    parser.add_argument("--task", choices=VERDICT_TASKS, default="risk", help="which tags are judged (default risk)")
    parser.add_argument("--note", default="", metavar="TEXT", help="why, for the other officers")
    parser.add_argument("--by", metavar="NAME", help=f"who gives the verdict (default: ${OFFICER_ENV})")
    parser.add_argument("--json", action="store_true", help="print each verdict recorded as one JSON line")


def verdict(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga verdict``."""
    from pipelines.common.clients import shared_client
    from pipelines.common.erasures import shared_suppressions
    from pipelines.common.verdicts import VerdictDesk
    from pipelines.ops.services import ensure_verdicts_ready

    by = (args.by or os.environ.get(OFFICER_ENV) or "").strip()
    if not by:
        msg = f"who gives the verdict? pass --by NAME or set {OFFICER_ENV}"
        raise UsageError(msg)
    require_services(settings, "kafka", "elasticsearch")
    ensure_verdicts_ready(settings)
    es = shared_client("elasticsearch", settings.elasticsearch_kwargs())
    producer = shared_client("kafka", settings.kafka_client_kwargs())
    desk = VerdictDesk(settings, es, producer, suppressions=shared_suppressions(settings))
    given = desk.give(args.target, correct=args.correct, labels=args.label, note=args.note, by=by, task=args.task)
    if args.json:
        for item in given.recorded:
            print_json(item.model_dump(mode="json"))
        return EXIT_OK
    for item in given.recorded:
        what = "benar" if item.correct else "salah" + (f", sebenarnya {', '.join(item.labels)}" if item.labels else "")
        print(f"{item.verdict_id}: {item.post_id} [{item.task}] {what} (model "
              f"{item.model.version if item.model else 'tidak diketahui'}; label model: "
              f"{', '.join(item.tagged_labels) or '-'}) oleh {item.by}")
    for post_id in given.skipped:
        print(f"skipped {post_id}: no longer in the posts index (erased or past retention)")
    return EXIT_OK
