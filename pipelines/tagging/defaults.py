"""Building the default models from ``data/``: one command, the same models every time.

``siaga model build-defaults`` (``make models``) writes the deduplicated splits to
``data/splits/``, trains the language, topic and risk models on the train split with the valid
split for calibration and thresholds, evaluates each on the test split only (overall and per
source), compares the language strategies on the same test data, and writes the models and
their metadata into the package, so a fresh install tags without any download.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.tagging.corpus import build_splits
from pipelines.tagging.models import Classifier, evaluate, read_examples, score_sets, train
from pipelines.tagging.tagger import Tagger, default_model
from pipelines.tagging.text import normalise_for_lid
from schemas.config import TaggingSettings
from schemas.model import Metrics
from schemas.taxonomy import TASKS

STRATEGIES = ("siaga", "lid176", "combined")


def models_dir() -> Path:
    """Where the default models live inside the package."""
    return default_model("language").parent


def test_files(splits: Path, task: str) -> list[Path]:
    """The task's whole test split first, then its per-source parts."""
    folder = splits / task
    return [folder / "test.jsonl", *sorted(folder.glob("test-*.jsonl"))]


def compare_language_strategies(splits: Path, out_dir: Path) -> dict[str, list[Metrics]]:
    """Each language strategy's figures on every language test file."""
    results: dict[str, list[Metrics]] = {}
    for strategy in STRATEGIES:
        settings = TaggingSettings(
            language_strategy=strategy,
            language_model=out_dir / "language.ftz",
            topic_model=out_dir / "topic.ftz",
            risk_model=out_dir / "risk.ftz",
        )
        tagger = Tagger(settings)
        for path in test_files(splits, "language"):
            examples = read_examples(path)
            predicted = tagger._languages([normalise_for_lid(e.text) for e in examples])
            results.setdefault(strategy, []).append(
                score_sets(path.name, [{code} for code, _ in predicted], [set(e.labels) for e in examples])
            )
    return results


def build_defaults(data_dir: Path, splits: Path, out_dir: Path) -> dict[str, object]:
    """Splits, three trained models with test figures in their metadata, and a strategy report."""
    counts = build_splits(data_dir, splits)
    report: dict[str, object] = {"splits": counts}
    for task in TASKS:
        out = out_dir / f"{task}.ftz"
        meta = train(task, splits / task / "train.jsonl", out, splits / task / "valid.jsonl")
        classifier = Classifier.load(out, task)
        tests = [evaluate(classifier, read_examples(path), path.name) for path in test_files(splits, task)]
        meta = meta.model_copy(update={"metrics": [*meta.metrics, *tests]})
        out.with_suffix(".json").write_text(meta.model_dump_json(indent=2) + "\n", encoding="utf-8")
        report[task] = [m.model_dump() for m in tests]
    strategies = compare_language_strategies(splits, out_dir)
    report["language_strategies"] = {s: [m.model_dump() for m in ms] for s, ms in strategies.items()}
    (out_dir / "language-strategies.json").write_text(
        json.dumps(report["language_strategies"], indent=2) + "\n", encoding="utf-8"
    )
    return report
