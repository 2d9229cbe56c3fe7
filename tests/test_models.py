"""Training, calibration, evaluation and loading of fastText models, and the operators' commands."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.tagging.models import (
    NORMALISERS,
    Classifier,
    ModelError,
    calibrate,
    evaluate,
    fit_platt,
    read_examples,
    score_sets,
    train,
)
from pipelines.tagging.tagger import default_model
from pipelines.tagging.text import normalise_for_lid
from schemas.model import ModelMeta

WORDS = {
    "weather": "hujan panas mendung cerah angin badai gerimis terik",
    "food": "bakso nasi goreng sate rendang soto martabak gorengan seblak",
    "football": "gol persib persija wasit penalti liga kiper striker",
}


def synthetic(path: Path, count: int, seed: int, multi: bool = True) -> Path:
    """Labelled lines whose words give their labels away: a model must learn them to pass."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            labels = sorted(rng.sample(sorted(WORDS), rng.choice([0, 1, 1, 2] if multi else [1])))
            words = [w for label in labels for w in rng.sample(WORDS[label].split(), 3)]
            words += rng.sample("aku kamu dia kita sih dong deh nih ya kok".split(), 3)
            rng.shuffle(words)
            out.write(json.dumps({"text": " ".join(words), "labels": labels}) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ModelMeta, Path]:
    folder = tmp_path_factory.mktemp("model")
    data = synthetic(folder / "train.jsonl", 300, seed=1)
    valid = synthetic(folder / "valid.jsonl", 80, seed=2)
    test = synthetic(folder / "test.jsonl", 80, seed=3)
    out = folder / "topic.ftz"
    meta = train("topic", data, out, valid, params={"epoch": 15})
    return out, meta, test


def test_training_writes_a_quantized_model_with_metadata(trained: tuple[Path, ModelMeta, Path]) -> None:
    out, meta, _ = trained
    assert out.is_file() and out.stat().st_size < 5_000_000
    stored = ModelMeta.model_validate_json(out.with_suffix(".json").read_text())
    assert stored == meta
    assert meta.task == "topic" and meta.multi_label
    assert meta.labels == ["food", "football", "weather"]
    assert len(meta.training_data_sha256) == 64
    assert set(meta.calibration) == set(meta.thresholds) == set(meta.labels)
    assert meta.metrics and meta.metrics[0].data.endswith("valid.jsonl")


def test_a_model_learns_held_out_examples(trained: tuple[Path, ModelMeta, Path]) -> None:
    out, _, test = trained
    metrics = evaluate(Classifier.load(out, "topic"), read_examples(test), "test")
    assert metrics.examples == 80
    assert metrics.micro_f1 > 0.9
    assert metrics.exact_match > 0.8
    assert set(metrics.labels) == {"food", "football", "weather"}


@pytest.mark.slow
def test_training_is_reproducible(trained: tuple[Path, ModelMeta, Path], tmp_path: Path) -> None:
    out, _, _ = trained
    again = tmp_path / "again.ftz"
    data, valid = out.parent / "train.jsonl", out.parent / "valid.jsonl"
    train("topic", data, again, valid, params={"epoch": 15})
    assert again.read_bytes() == out.read_bytes()


def test_loading_a_model_for_another_task_is_refused(trained: tuple[Path, ModelMeta, Path]) -> None:
    out, _, _ = trained
    with pytest.raises(ModelError, match="is a topic model, not a risk model"):
        Classifier.load(out, "risk")


def test_a_model_without_metadata_is_refused(tmp_path: Path, trained: tuple[Path, ModelMeta, Path]) -> None:
    lonely = tmp_path / "lonely.ftz"
    lonely.write_bytes(trained[0].read_bytes())
    with pytest.raises(ModelError, match="metadata lonely.json is missing"):
        Classifier.load(lonely)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "ok", "labels": ["a"]}\n\n', "train.jsonl:2: empty line"),
        ('{"labels": ["a"]}\n', "train.jsonl:1: text: Field required"),
        ('{"text": "", "labels": ["a"]}\n', "train.jsonl:1: text: String should have at least 1 character"),
        ('{"text": "ok", "labels": "a"}\n', "train.jsonl:1: labels: Input should be a valid (list|array)"),
        ("not json\n", "train.jsonl:1: line: Invalid JSON"),
        ('{"text": "ok", "labels": []}\n', "no example carries a label"),
    ],
)
def test_bad_training_data_is_named_by_line(tmp_path: Path, content: str, message: str) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        train("topic", data, tmp_path / "m.ftz")


def test_a_validation_label_missing_from_training_is_refused(tmp_path: Path) -> None:
    data = synthetic(tmp_path / "train.jsonl", 30, seed=4)
    valid = tmp_path / "valid.jsonl"
    valid.write_text('{"text": "pemilu", "labels": ["election"]}\n', encoding="utf-8")
    with pytest.raises(ModelError, match="label\\(s\\) election have no examples in"):
        train("topic", data, tmp_path / "m.ftz", valid)


def test_platt_scaling_maps_overconfident_scores_to_observed_rates() -> None:
    # A model that says 0.9 but is right 60 % of the time, and says 0.1 but is right 20 % of the time.
    raw = [0.9] * 100 + [0.1] * 100
    gold = [i < 60 for i in range(100)] + [i < 20 for i in range(100)]
    platt = fit_platt(raw, gold)
    assert calibrate(platt, 0.9) == pytest.approx(0.6, abs=0.02)
    assert calibrate(platt, 0.1) == pytest.approx(0.2, abs=0.02)
    assert calibrate(None, 0.37) == 0.37


def test_score_sets_counts_exact_matches_and_f1() -> None:
    metrics = score_sets("t", [{"a"}, {"a", "b"}, set(), {"b"}], [{"a"}, {"a"}, set(), {"a"}])
    assert metrics.exact_match == 0.5
    assert metrics.labels["a"].precision == 1.0 and metrics.labels["a"].recall == pytest.approx(2 / 3, abs=1e-3)
    assert metrics.labels["b"].support == 0 and metrics.labels["b"].precision == 0.0
    assert metrics.macro_f1 == metrics.labels["a"].f1, "labels with no gold examples do not enter macro-F1"


@pytest.mark.slow
def test_the_cli_trains_and_evaluates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = synthetic(tmp_path / "train.jsonl", 200, seed=5)
    test = synthetic(tmp_path / "test.jsonl", 50, seed=6)
    model = tmp_path / "mine.ftz"
    assert main(["model", "train", "--task", "risk", "--data", str(data), "--out", str(model)]) == 0
    assert "labels food, football, weather" in capsys.readouterr().out
    assert main(["model", "evaluate", "--task", "risk", "--model", str(model), "--data", str(test), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["examples"] == 50 and figures["micro_f1"] > 0.8
    assert main(["model", "evaluate", "--task", "topic", "--model", str(model), "--data", str(test)]) == 2
    assert "is a risk model, not a topic model" in capsys.readouterr().err


def test_the_bundled_default_models_carry_test_figures() -> None:
    for task in ("language", "topic", "risk"):
        classifier = Classifier.load(default_model(task), task)
        names = [m.data for m in classifier.meta.metrics]
        assert "test.jsonl" in names, f"{task} model has no test-split figures"
        assert classifier.meta.metrics[0].data.endswith("valid.jsonl")


@pytest.mark.parametrize("task", ["topic", "risk"])
def test_the_fast_decisions_are_the_labels_and_scores_decide_gives(task: str) -> None:
    # decided() asks fastText only for labels above a floor and re-predicts hate speech in full
    # for its attributes: on every text of the valid and test splits it must give exactly what
    # scoring every label and deciding does.
    classifier = Classifier.load(default_model(task), task)
    clean = NORMALISERS[classifier.meta.normalisation]
    splits = Path(__file__).resolve().parents[1] / "data" / "splits" / task
    texts = [clean(e.text) for name in ("valid.jsonl", "test.jsonl") for e in read_examples(splits / name)]
    texts += ["", "   "]
    expected = [[(label, row[label]) for label in classifier.decide(row)] for row in classifier.scores(texts)]
    assert classifier._floor > 0  # the shortcut is taken, not skipped
    assert classifier.decided(texts) == expected
    assert sum(1 for labels in expected if labels) > 100


def test_the_likeliest_language_is_the_best_of_all_scores() -> None:
    classifier = Classifier.load(default_model("language"), "language")
    splits = Path(__file__).resolve().parents[1] / "data" / "splits" / "language"
    texts = [normalise_for_lid(e.text) for e in read_examples(splits / "valid.jsonl")] + [""]
    expected = [(max(row, key=row.__getitem__), row[max(row, key=row.__getitem__)]) if row else None
                for row in classifier.scores(texts)]
    assert classifier.best(texts) == expected
