"""``siaga model train | evaluate | build-defaults``: the language, topic and risk models."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipelines.cli import model_retrain
from pipelines.cli.common import EXIT_OK, add_command, existing_path, subcommands
from schemas.config import Settings
from schemas.taxonomy import TASKS


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``siaga model`` and its subcommands."""
    model = add_command(
        commands, "model", summary="train and evaluate the language, topic and risk models",
        description="""
            The fastText models the tagger uses. Train one from labelled JSONL, score a model on
            held-out data, or rebuild the bundled defaults from the corpus in data/.""",
        examples=["siaga model train --task risk --data risk.jsonl --out risk.ftz --valid risk-valid.jsonl",
                  "siaga model evaluate --task risk --model risk.ftz --data risk-test.jsonl --json",
                  "siaga model build-defaults"],
    )
    actions = subcommands(model, "model_command")
    train_parser = add_command(
        actions, "train", handler=train, summary="train a model from labelled JSONL",
        description="""
            Train a fastText model for one task and write it with a .json file beside it
            (labels, thresholds and figures). With --valid, scores are calibrated and
            per-label thresholds chosen on that data.""",
        examples=["siaga model train --task topic --data topic.jsonl --out topic.ftz"])
    train_parser.add_argument("--task", required=True, choices=TASKS, help="which tagger the model is for")
    train_parser.add_argument("--data", required=True, type=Path, metavar="FILE.jsonl",
                              help='labelled examples, one JSON object a line: {"text": ..., "labels": [...]}')
    train_parser.add_argument("--out", required=True, type=Path, metavar="FILE.ftz", help="the model file to write")
    train_parser.add_argument("--valid", type=Path, metavar="FILE.jsonl",
                              help="labelled JSONL for calibration and thresholds")
    evaluate_parser = add_command(
        actions, "evaluate", handler=evaluate, summary="score a model on labelled JSONL",
        description="Print exact match, micro- and macro-F1 and per-label figures of a model on labelled data.",
        examples=["siaga model evaluate --task language --model language.ftz --data test.jsonl"])
    evaluate_parser.add_argument("--task", required=True, choices=TASKS, help="the task the model was trained for")
    evaluate_parser.add_argument("--model", required=True, type=Path, metavar="FILE.ftz", help="the model to score")
    evaluate_parser.add_argument("--data", required=True, type=Path, metavar="FILE.jsonl",
                                 help="labelled JSONL to score it on")
    evaluate_parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    defaults_parser = add_command(
        actions, "build-defaults", handler=build_defaults, summary="rebuild the bundled default models",
        description="""
            Split the corpus reproducibly, train the three default models and print their
            figures on the held-out splits (what `make models` runs).""",
        examples=["siaga model build-defaults", "siaga model build-defaults --out /tmp/models"])
    defaults_parser.add_argument("--data-dir", type=Path, default=Path("data"), metavar="DIR",
                                 help="the corpus (default ./data)")
    defaults_parser.add_argument("--splits", type=Path, default=Path("data/splits"), metavar="DIR",
                                 help="where the splits are written (default ./data/splits)")
    defaults_parser.add_argument("--out", type=Path, metavar="DIR",
                                 help="where the models go (default: inside the installed package)")
    model_retrain.register(actions)  # retrain and rollback: learning from officers' verdicts


def train(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga model train``."""
    from pipelines.tagging import models

    existing_path(args.data, "--data")
    if args.valid is not None:
        existing_path(args.valid, "--valid")
    meta = models.train(args.task, args.data, args.out, args.valid)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} kB) and {args.out.with_suffix('.json').name}: "
          f"{meta.training_examples} examples, labels {', '.join(meta.labels)}")
    for metrics in meta.metrics:
        print(models.metrics_table(metrics))
    return EXIT_OK


def evaluate(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga model evaluate``."""
    from pipelines.tagging import models

    existing_path(args.model, "--model")
    existing_path(args.data, "--data")
    classifier = models.Classifier.load(args.model, args.task)
    metrics = models.evaluate(classifier, models.read_examples(args.data), str(args.data))
    print(models.metrics_json(metrics) if args.json else models.metrics_table(metrics))
    return EXIT_OK


def build_defaults(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga model build-defaults``."""
    from pipelines.tagging import models
    from pipelines.tagging.defaults import build_defaults as build
    from pipelines.tagging.defaults import models_dir

    existing_path(args.data_dir, "--data-dir", folder_ok=True)
    out = args.out or models_dir()
    report = build(args.data_dir, args.splits, out)
    print(f"splits in {args.splits}: {json.dumps(report['splits'])}")
    for task in TASKS:
        meta = models.Classifier.load(out / f"{task}.ftz", task).meta
        for metrics in meta.metrics[1:]:
            print(f"[{task}] " + models.metrics_table(metrics))
    print(f"models written to {out}")
    return EXIT_OK
