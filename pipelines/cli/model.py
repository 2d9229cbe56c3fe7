"""``siaga model train | evaluate | build-defaults``: the language, topic and risk models."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.cli import model_retrain
from pipelines.cli.common import EXIT_OK, add_command, existing_path, subcommands
from schemas.config import Settings
from schemas.taxonomy import TASKS

if TYPE_CHECKING:
    from schemas.model import Metrics


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
    train_parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                              help="with --valid, skip training TF-IDF + logistic regression on the same data "
                                   "to compare on the valid file (needs scikit-learn: pip install -e '.[eval]')")
    evaluate_parser = add_command(
        actions, "evaluate", handler=evaluate, summary="score a model on labelled JSONL",
        description="Print exact match, micro- and macro-F1 and per-label figures of a model on labelled data.",
        examples=["siaga model evaluate --task language --model language.ftz --data test.jsonl"])
    evaluate_parser.add_argument("--task", required=True, choices=TASKS, help="the task the model was trained for")
    evaluate_parser.add_argument("--model", required=True, type=Path, metavar="FILE.ftz", help="the model to score")
    evaluate_parser.add_argument("--data", required=True, type=Path, metavar="FILE.jsonl",
                                 help="labelled JSONL to score it on")
    evaluate_parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate_parser.add_argument("--baseline", nargs=2, type=Path, metavar=("TRAIN.jsonl", "VALID.jsonl"),
                                 help="also train TF-IDF + logistic regression on TRAIN, calibrate it on VALID and "
                                      "print it beside the model on VALID (needs scikit-learn)")
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
    if args.valid is not None and args.baseline and meta.multi_label:
        _print_baseline(args.task, args.data, args.valid, meta.metrics[-1])
    return EXIT_OK


def _print_baseline(task: str, train_path: Path, valid_path: Path, model_metrics: Metrics) -> None:
    from pipelines.tagging import models
    from pipelines.tagging.baseline import compare_on_valid, headline

    print(f"training TF-IDF + logistic regression on {train_path} to compare (a minute or two) ...", flush=True)
    try:
        metrics = compare_on_valid(task, models.read_examples(train_path), models.read_examples(valid_path),
                                   str(valid_path))
    except models.ModelError as exc:
        # The model is written and usable; only the comparison is missing.
        print(f"no comparison: {exc}", file=sys.stderr)
        return
    print(models.metrics_table(metrics))
    ours, theirs = headline(model_metrics), headline(metrics)
    verdict = "beats" if ours > theirs else "does NOT beat"
    print(f"on {valid_path}: fastText {ours:.4f} {verdict} TF-IDF + LR {theirs:.4f} "
          "(mean of hate_speech F1, abusive F1 and exact match)")


def evaluate(settings: Settings, args: argparse.Namespace) -> int:
    """``siaga model evaluate``."""
    from pipelines.tagging import models

    existing_path(args.model, "--model")
    existing_path(args.data, "--data")
    classifier = models.Classifier.load(args.model, args.task)
    metrics = models.evaluate(classifier, models.read_examples(args.data), str(args.data))
    # The figures at the top level (as before), what the tagger makes of the model beside them.
    report: dict[str, Any] = metrics.model_dump()
    if args.task == "risk":
        from pipelines.tagging.alarms import risk_report

        # The configuration's watchlists and election, as the pipeline would tag (siaga --config).
        report |= risk_report(settings.tagging, settings.election, args.model,
                              models.read_examples(args.data), everyday_sets())
    if args.baseline:
        from pipelines.tagging.baseline import compare_on_valid, headline

        train_path, valid_path = args.baseline
        existing_path(train_path, "--baseline TRAIN")
        existing_path(valid_path, "--baseline VALID")
        valid = models.read_examples(valid_path)
        ours = models.evaluate(classifier, valid, str(valid_path))
        theirs = compare_on_valid(args.task, models.read_examples(train_path), valid, str(valid_path))
        report["valid"] = {"model": ours.model_dump(), "baseline": theirs.model_dump(),
                           "headline": {"model": headline(ours), "baseline": headline(theirs)}}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(models.metrics_table(metrics))
    if args.task == "risk":
        from pipelines.tagging.alarms import render_risk_report

        print(render_risk_report(report))
    if args.baseline:
        valid_report = report["valid"]
        print(models.metrics_table(ours))
        print(models.metrics_table(theirs))
        print(f"headline on valid (mean of hate_speech F1, abusive F1, exact match): fastText "
              f"{valid_report['headline']['model']:.4f}, TF-IDF + LR {valid_report['headline']['baseline']:.4f}")
    return EXIT_OK


REPO = Path(__file__).resolve().parents[2]
SAMPLE_BUILDER = REPO / "connectors" / "samples" / "build_sample.py"
WRITTEN = REPO / "data" / "corpus" / "written"


def everyday_sets() -> dict[str, list[str]]:
    """Benign texts to count false alarms on: the demo sample's benign posts, the written ones with no risk.

    Both live in a source checkout, not in an installed package; a set that is missing is left out.
    """
    sets: dict[str, list[str]] = {}
    if SAMPLE_BUILDER.is_file():
        spec = importlib.util.spec_from_file_location("build_sample", SAMPLE_BUILDER)
        if spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sets["demo sample, benign posts"] = [rec["text"] for cat, rec in module.build() if cat == "benign"]
    written = []
    for path in sorted(WRITTEN.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        written += [row["text"] for row in rows if row.get("risk") == []]
    if written:
        sets["written examples with no risk label"] = written
    return sets


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
