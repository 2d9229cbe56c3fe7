"""``siaga model retrain | rollback``: teach the topic or risk model the officers' verdicts, gated, reversibly.

Kept apart from ``pipelines/cli/model.py`` (train, evaluate, build-defaults), which registers
these two subcommands with one call.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.cli.common import EXIT_OK, add_command, existing_path, print_json, require_services
from schemas.config import Settings
from schemas.verdict import VERDICT_TASKS


def register(actions: argparse._SubParsersAction) -> None:
    """Add ``siaga model retrain`` and ``siaga model rollback`` under ``siaga model``."""
    from pipelines.tagging.retrain import HOLD_OUT, TOLERANCE, WEIGHT

    retrain_parser = add_command(
        actions, "retrain", handler=retrain, summary="retrain a model with the officers' verdicts; install if not worse",
        description="""
            Add the verdicts (the latest per post; a --wrong one without labels is a negative
            example) to the training split, train a candidate, and score it and the model in use
            on the valid split and on the verdicts held out of training. Per label, before and
            after. The candidate is installed (tagging.model_dir, or the configured model file)
            only if it is not worse on either; the pipeline picks it up without a restart, and
            the model it replaces stays for `siaga model rollback`.""",
        examples=["siaga model retrain --task risk", "siaga model retrain --task topic --dry-run",
                  "siaga model retrain --task risk --data /srv/siaga/splits --json"])
    retrain_parser.add_argument("--task", required=True, choices=VERDICT_TASKS, help="which model to retrain")
    retrain_parser.add_argument("--data", type=Path, default=Path("data/splits"), metavar="DIR",
                                help="the splits: DIR/<task>/train.jsonl and valid.jsonl (default ./data/splits)")
    retrain_parser.add_argument("--hold-out", type=float, default=HOLD_OUT, metavar="SHARE",
                                help=f"share of verdicted posts kept out of training to score on (default {HOLD_OUT})")
    retrain_parser.add_argument("--weight", type=int, default=WEIGHT, metavar="N",
                                help=f"copies of each verdict in the training data (default {WEIGHT})")
    retrain_parser.add_argument("--tolerance", type=float, default=TOLERANCE, metavar="F1",
                                help=f"largest micro-F1 drop still counted as not worse (default {TOLERANCE})")
    retrain_parser.add_argument("--dry-run", action="store_true", help="compare only; install nothing")
    retrain_parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    rollback_parser = add_command(
        actions, "rollback", handler=rollback, summary="put back the model the last retrain replaced",
        description="""
            Swap the installed model with the one kept by the last `siaga model retrain`
            (rolling back twice returns to where you started). The pipeline picks it up
            without a restart.""",
        examples=["siaga model rollback --task risk"])
    rollback_parser.add_argument("--task", required=True, choices=VERDICT_TASKS, help="which model to roll back")


def retrain(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga model retrain``."""
    from pipelines.common.clients import shared_client
    from pipelines.common.verdicts import read_verdicts
    from pipelines.tagging import retrain as retraining
    from pipelines.tagging.tagger import installed_model, model_path
    from schemas.errors import UsageError

    train_file = existing_path(args.data / args.task / "train.jsonl", "--data")
    valid_file = existing_path(args.data / args.task / "valid.jsonl", "--data")
    if not 0.0 <= args.hold_out < 1.0 or args.weight < 1:
        msg = "--hold-out must be in [0, 1) and --weight at least 1"
        raise UsageError(msg)
    require_services(settings, "elasticsearch")
    es = shared_client("elasticsearch", settings.elasticsearch_kwargs())
    verdicts = list(read_verdicts(es, settings.elasticsearch.verdicts_index, args.task))
    report = retraining.retrain(
        args.task, train_file, valid_file, verdicts, baseline=model_path(settings.tagging, args.task),
        installed=installed_model(settings.tagging, args.task), hold_out=args.hold_out, weight=args.weight,
        tolerance=args.tolerance, install=not args.dry_run)
    if args.json:
        print_json(report.as_json())
    else:
        print(report.render())
    return EXIT_OK


def rollback(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga model rollback``."""
    from pipelines.tagging.retrain import rollback as roll_back
    from pipelines.tagging.tagger import installed_model

    installed = installed_model(settings.tagging, args.task)
    version = roll_back(installed)
    print(f"{args.task}: {installed} is now {version} again; the pipeline picks it up at its next batch")
    return EXIT_OK
