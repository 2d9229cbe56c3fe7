"""Training, calibrating, evaluating and loading Siaga's fastText classifiers.

One code path serves the three tasks and any taxonomy an operator brings: a JSONL file of
``{"text", "labels"}`` lines in, a quantized ``.ftz`` plus its ``.json`` metadata out.
Language models are single-label (softmax over languages); topic and risk models are
multi-label (one-vs-all, an independent probability per label). Scores of multi-label models
are calibrated on the validation file with Platt scaling, and each label's decision threshold
is tuned there too, so that "0.7" means about the same thing for every label.

Training is reproducible: one thread and a fixed seed give the same model from the same data.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipelines.tagging.features import with_markers
from pipelines.tagging.text import normalise_for_classifier, normalise_for_lid
from schemas.clock import utc_now
from schemas.errors import SiagaError
from schemas.model import Example, LabelMetrics, Metrics, ModelMeta, Platt
from schemas.taxonomy import ATTRIBUTES_OF, NONE_LABEL

PREFIX = "__label__"

PARAMS: dict[str, dict[str, Any]] = {
    # Character n-grams carry language identity in short, misspelt text; words alone do not.
    "language": {"loss": "softmax", "dim": 32, "epoch": 30, "lr": 0.5, "wordNgrams": 1, "minn": 2, "maxn": 4,
                 "minCount": 1, "bucket": 200_000},
    # Word unigrams and bigrams ("serangan fajar", "surat suara"). Character n-grams were tried
    # for slang spellings and did no better on the validation split while predicting slower.
    "topic": {"loss": "ova", "dim": 50, "epoch": 40, "lr": 0.3, "wordNgrams": 2, "minn": 0, "maxn": 0,
              "minCount": 1, "bucket": 200_000},
    # The 2019 hate-speech tweets (issue 14; pipelines/tagging/models/README.md): 10 epochs, not
    # 40, once ~9,700 examples replaced ~2,700 (40 overfit the tweets: HS F1 -0.01 on valid);
    # words and bigrams with the markers of pipelines.tagging.features; character n-grams, the
    # slang dictionary and stemming as rewrites, dim 100 or 200 and trigrams did no better.
    "risk": {"loss": "ova", "dim": 50, "epoch": 10, "lr": 0.3, "wordNgrams": 2, "minn": 0, "maxn": 0,
             "minCount": 1, "bucket": 200_000},
}
QUANTIZE_CUTOFF = 50_000
"""Rows kept by quantization: the most useful 50k words and n-grams give models of 1-2 MB (a full
risk model is 45 MB) that load in a few ms."""
FIXED = {"thread": 1, "seed": 20261124, "verbose": 0}


class ModelError(SiagaError):
    """A model or its training data cannot be used; the message says which file and why."""


def normaliser(task: str) -> Callable[[str], str]:
    """The text normalisation a task's model is trained on (the one ``normalisation_of(task)`` names)."""
    return NORMALISERS[normalisation_of(task)]


def normalisation_of(task: str) -> str:
    """The name of the normalisation new models of ``task`` are trained on, recorded in their metadata."""
    return {"language": "lid", "risk": "risk"}.get(task, "classifier")


def normalise_for_risk(text: str) -> str:
    """The classifier's words and the risk markers (``pipelines.tagging.features``)."""
    return with_markers(text, normalise_for_classifier(text))


NORMALISERS = {"lid": normalise_for_lid, "classifier": normalise_for_classifier, "risk": normalise_for_risk}
"""By the name a model's metadata records: a risk model trained before the markers existed
(``classifier``) is still fed what it was trained on."""


def read_examples(path: Path) -> list[Example]:
    """Labelled examples from a JSONL file; a bad line raises ``ModelError`` naming it."""
    if not path.is_file():
        msg = f"{path}: no such file"
        raise ModelError(msg)
    examples = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                msg = f"{path}:{number}: empty line"
                raise ModelError(msg)
            try:
                examples.append(Example.model_validate_json(line))
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"]) or "line"
                msg = f"{path}:{number}: {where}: {first['msg']}"
                raise ModelError(msg) from None
    if not examples:
        msg = f"{path}: no examples"
        raise ModelError(msg)
    return examples


def _fasttext_line(example: Example, clean: str) -> str:
    labels = example.labels or [NONE_LABEL]
    return " ".join(PREFIX + label.replace(" ", "_") for label in labels) + " " + clean


# -- calibration ---------------------------------------------------------------------------

def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def fit_platt(raw: Sequence[float], gold: Sequence[bool], iterations: int = 100, ridge: float = 1.0) -> Platt:
    """Platt scaling by damped Newton steps, with Platt's smoothed targets and a ridge towards identity.

    Without the ridge, a label the model separates perfectly on the validation set sends the
    slope to infinity; with it, ``(a, b)`` stays near ``(1, 0)`` unless the data pulls it away.
    """
    positives = sum(gold)
    negatives = len(gold) - positives
    if positives == 0 or negatives == 0:
        return Platt()
    hi, lo = (positives + 1) / (positives + 2), 1 / (negatives + 2)
    xs = [_logit(r) for r in raw]
    ts = [hi if g else lo for g in gold]

    def loss(a: float, b: float) -> float:
        total = ridge / 2 * ((a - 1) ** 2 + b**2)
        for x, t in zip(xs, ts, strict=True):
            z = a * x + b
            # -[t log p + (1-t) log(1-p)] with p = sigmoid(z), written to stay finite.
            total += max(z, 0) - z * t + math.log1p(math.exp(-abs(z)))
        return total

    a, b = 1.0, 0.0
    current = loss(a, b)
    for _ in range(iterations):
        g_a, g_b = ridge * (a - 1), ridge * b
        h_aa = h_bb = ridge
        h_ab = 0.0
        for x, t in zip(xs, ts, strict=True):
            p = _sigmoid(a * x + b)
            d, w = p - t, p * (1 - p)
            g_a += d * x
            g_b += d
            h_aa += w * x * x
            h_ab += w * x
            h_bb += w
        det = h_aa * h_bb - h_ab * h_ab
        step_a = (h_bb * g_a - h_ab * g_b) / det
        step_b = (h_aa * g_b - h_ab * g_a) / det
        scale = 1.0
        while scale > 1e-6 and loss(a - scale * step_a, b - scale * step_b) > current:
            scale /= 2
        a, b = a - scale * step_a, b - scale * step_b
        updated = loss(a, b)
        if current - updated < 1e-10:
            break
        current = updated
    return Platt(a=a, b=b)


def calibrate(platt: Platt | None, raw: float) -> float:
    """A raw model score through its label's calibration (identity without one)."""
    if platt is None:
        return raw
    return _sigmoid(platt.a * _logit(raw) + platt.b)


def _best_threshold(scores: Sequence[float], gold: Sequence[bool], fine: bool = False) -> float:
    """The decision threshold with the best F1 on validation data; 0.5 when there is nothing to tune."""
    if not any(gold):
        return 0.5
    best, best_f1 = 0.5, -1.0
    # ``fine`` (the risk model, ~1,200 validation tweets): steps of 0.01 from 0.05 to 0.95, where
    # steps of 0.05 left up to a point of F1 on the table. The topic model's few hundred written
    # validation examples are too few to tune that finely.
    for step in (range(5, 96) if fine else range(10, 91, 5)):
        threshold = step / 100
        tp = sum(1 for s, g in zip(scores, gold, strict=True) if s >= threshold and g)
        fp = sum(1 for s, g in zip(scores, gold, strict=True) if s >= threshold and not g)
        fn = sum(1 for s, g in zip(scores, gold, strict=True) if s < threshold and g)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        # Ties go to the threshold nearest 0.5: the least tuned one.
        if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) <= 1e-9 and abs(threshold - 0.5) < abs(best - 0.5)):
            best, best_f1 = threshold, f1
    return best


# -- the loaded model --------------------------------------------------------------------------

@dataclass
class Classifier:
    """A loaded model with its metadata: predicts calibrated label scores for normalised texts."""

    path: Path
    meta: ModelMeta
    model: Any

    @classmethod
    def load(cls, path: Path, task: str | None = None) -> Classifier:
        """Load ``path`` and its metadata; refuse a model made for a different task."""
        meta_path = path.with_suffix(".json")
        if not path.is_file():
            msg = f"{path}: no such model file"
            raise ModelError(msg)
        if not meta_path.is_file():
            msg = f"{path}: its metadata {meta_path.name} is missing (train models with `siaga model train`)"
            raise ModelError(msg)
        try:
            meta = ModelMeta.model_validate_json(meta_path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            msg = f"{meta_path}: not Siaga model metadata ({exc.error_count()} error(s))"
            raise ModelError(msg) from None
        if task is not None and meta.task != task:
            msg = f"{path} is a {meta.task} model, not a {task} model"
            raise ModelError(msg)
        import fasttext

        try:
            model = fasttext.load_model(str(path))
        except ValueError as exc:
            msg = f"{path}: not a fastText model ({exc})"
            raise ModelError(msg) from None
        return cls(path, meta, model)

    @property
    def version(self) -> str:
        """``name@sha256-prefix``: which model file tagged a post."""
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:12]
        return f"{self.path.stem}@{digest}"

    def __post_init__(self) -> None:
        # Per fastText label: (name, Platt a, Platt b), or None for the 'none' label. Built once,
        # because the scoring loop runs for every label of every post.
        self._table: dict[str, tuple[str, float, float] | None] = {}
        for label in self.model.get_labels():
            name = label[len(PREFIX):]
            platt = self.meta.calibration.get(name)
            self._table[label] = None if name == NONE_LABEL else (
                name, platt.a if platt else 1.0, platt.b if platt else 0.0
            )
        self._thresholds = {label: self.meta.threshold(label) for label in self.meta.labels}
        self._attribute_groups = attribute_groups(self.meta.labels)
        self._attribute_labels = frozenset(label for members in self._attribute_groups.values() for label in members)
        self._floor = self._raw_floor()

    def _raw_floor(self) -> float:
        """The lowest raw fastText probability that can still reach any label's threshold.

        fastText's predict takes one ``threshold`` and leaves out the labels below it, so
        ``decided`` asks for labels above this floor only: most posts get none, and turning 17
        labels a post into Python strings, floats and dict entries cost more than the predict.
        A Platt calibration with ``a > 0`` is increasing, so the raw probability at each label's
        threshold is its inverse; the floor sits 1 % below the lowest of them, far more than the
        float32 rounding of the probabilities, and the decision itself is still made on the
        calibrated score, so every label assigned is one ``decide`` assigns. Attribute labels
        are left out: ``decided`` reads all of them for the posts that get hate speech.
        """
        if not self.meta.multi_label:
            return 0.0
        floors = []
        for label, threshold in self._thresholds.items():
            if label in self._attribute_labels:
                continue
            platt = self.meta.calibration.get(label) if self.meta.calibration else None
            if platt is None:
                raw = threshold if not self.meta.calibration else _sigmoid(_logit(threshold))
            elif platt.a <= 0:
                return 0.0
            else:
                raw = _sigmoid((_logit(threshold) - platt.b) / platt.a)
            floors.append(raw)
        if not floors:
            return 0.0
        floor = min(floors) * 0.99
        return floor if floor > 1e-5 else 0.0

    def scores(self, cleaned: Sequence[str]) -> list[dict[str, float]]:
        """Calibrated score of every label (``none`` excluded) for each normalised text."""
        results: list[dict[str, float]] = [{} for _ in cleaned]
        todo = [i for i, text in enumerate(cleaned) if text]
        if not todo:
            return results
        labels, probabilities = self.model.predict([cleaned[i] for i in todo], k=-1)
        for i, row in zip(todo, self._calibrated_rows(list(zip(labels, probabilities, strict=True))), strict=True):
            results[i] = row
        return results

    def _calibrated_rows(self, rows: Sequence[tuple[list[str], Any]]) -> list[dict[str, float]]:
        """Calibrated scores (``none`` left out) of fastText's (labels, probabilities) rows."""
        table = self._table
        calibrated = bool(self.meta.calibration)
        results = []
        for row_labels, row_probs in rows:
            row = {}
            for label, probability in zip(row_labels, row_probs.tolist(), strict=True):
                entry = table[label]
                if entry is None:
                    continue
                name, a, b = entry
                p = probability if probability < 1.0 else 1.0
                if calibrated:
                    # calibrate(): sigmoid(a * logit(p) + b), inlined for speed.
                    p = 1e-6 if p < 1e-6 else 1 - 1e-6 if p > 1 - 1e-6 else p
                    z = a * math.log(p / (1 - p)) + b
                    p = 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))
                row[name] = p
            results.append(row)
        return results

    def best(self, cleaned: Sequence[str]) -> list[tuple[str, float] | None]:
        """The likeliest label and its score for each normalised text (``None`` for an empty one).

        What ``max`` over a row of ``scores`` gives, for a single-label (softmax, uncalibrated)
        model, without turning every other label into Python objects (~12 µs a post for the
        13-language model).
        """
        results: list[tuple[str, float] | None] = [None for _ in cleaned]
        todo = [i for i, text in enumerate(cleaned) if text]
        if not todo:
            return results
        if self.meta.multi_label or self.meta.calibration:
            rows = self.scores([cleaned[i] for i in todo])
            for i, row in zip(todo, rows, strict=True):
                if row:
                    top = max(row, key=row.__getitem__)
                    results[i] = (top, row[top])
            return results
        labels, probabilities = self.model.predict([cleaned[i] for i in todo], k=1)
        table = self._table
        for i, row_labels, row_probs in zip(todo, labels, probabilities, strict=True):
            entry = table[row_labels[0]] if row_labels else None
            if entry is not None:
                p = float(row_probs[0])
                results[i] = (entry[0], p if p < 1.0 else 1.0)
        return results

    def decided(self, cleaned: Sequence[str]) -> list[list[tuple[str, float]]]:
        """For each normalised text, the labels ``decide`` assigns with their calibrated scores.

        The same as ``[(label, row[label]) for label in decide(row)]`` for each row of ``scores``,
        at a fraction of the cost: fastText returns only the labels above ``_floor`` (for most
        posts none), and only the posts given hate speech are predicted again in full for the
        likeliest value of each attribute.
        """
        results: list[list[tuple[str, float]]] = [[] for _ in cleaned]
        todo = [i for i, text in enumerate(cleaned) if text]
        if not todo:
            return results
        if not self.meta.multi_label:
            labels, probabilities = self.model.predict([cleaned[i] for i in todo], k=-1)
            for i, row in zip(todo, self._calibrated_rows(list(zip(labels, probabilities, strict=True))), strict=True):
                chosen = self.decide(row)
                results[i] = [(label, row[label]) for label in chosen]
            return results
        labels, probabilities = self.model.predict([cleaned[i] for i in todo], k=-1, threshold=self._floor)
        hits = [(i, row_labels, row_probs) for i, row_labels, row_probs in zip(todo, labels, probabilities, strict=True)
                if row_labels]
        if not hits:
            return results
        rows = self._calibrated_rows([(row_labels, row_probs) for _, row_labels, row_probs in hits])
        thresholds, attribute_labels = self._thresholds, self._attribute_labels
        again: list[int] = []
        for (i, _, _), row in zip(hits, rows, strict=True):
            chosen = [label for label, score in row.items()
                      if score >= thresholds.get(label, 0.5) and label not in attribute_labels]
            if not chosen:
                continue
            if attribute_labels and ATTRIBUTES_OF in chosen:
                again.append(i)
            results[i] = [(label, row[label]) for label in
                          (sorted(chosen, key=lambda label: -row[label]) if len(chosen) > 1 else chosen)]
        if again:
            # The posts given hate speech: every score, as ``decide`` sees them, for the attributes.
            full = self.scores([cleaned[i] for i in again])
            for i, row in zip(again, full, strict=True):
                results[i] = [(label, row[label]) for label in self.decide(row)]
        return results

    def decide(self, scores: dict[str, float]) -> list[str]:
        """The labels assigned: above their thresholds (multi-label) or the best one (single-label).

        Attribute labels (``target:group``, ``category:religion``, ...) describe hate speech: a post
        gets them only with ``hate_speech``, and then one value of each attribute, the likeliest
        one, as the 2019 set's annotators gave them (``attributes``).
        """
        if not self.meta.multi_label:
            return [max(scores, key=scores.__getitem__)] if scores else []
        thresholds = self._thresholds
        chosen = [label for label, score in scores.items()
                  if score >= thresholds.get(label, 0.5) and label not in self._attribute_labels]
        if self._attribute_labels and ATTRIBUTES_OF in chosen:
            chosen += attributes(scores, self._attribute_groups)
        return sorted(chosen, key=lambda label: -scores[label]) if len(chosen) > 1 else chosen


def attribute_groups(labels: Iterable[str]) -> dict[str, list[str]]:
    """Attribute labels (``name:value``) grouped by name."""
    groups: dict[str, list[str]] = {}
    for label in labels:
        name, sep, _ = label.partition(":")
        if sep:
            groups.setdefault(name, []).append(label)
    return groups


def attributes(scores: dict[str, float], groups: dict[str, list[str]]) -> list[str]:
    """The likeliest value of each attribute."""
    return [max(members, key=lambda label: scores.get(label, 0.0)) for members in groups.values()]


# -- training and evaluation -----------------------------------------------------------------

def sha256_of(paths: Iterable[Path]) -> str:
    """One hash over the bytes of every file given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train(task: str, data: Path, out: Path, valid: Path | None = None,
          params: dict[str, Any] | None = None, cutoff: int | None = QUANTIZE_CUTOFF) -> ModelMeta:
    """Train, quantize, calibrate (with ``valid``) and save a model and its metadata."""
    import fasttext

    examples = read_examples(data)
    clean = normaliser(task)
    lines = [_fasttext_line(e, c) for e in examples if (c := clean(e.text))]
    if not lines:
        msg = f"{data}: no example has any text left after normalisation"
        raise ModelError(msg)
    labels = sorted({label for e in examples for label in e.labels})
    if not labels:
        msg = f"{data}: no example carries a label"
        raise ModelError(msg)
    valid_examples = read_examples(valid) if valid else []
    unknown = sorted({label for e in valid_examples for label in e.labels} - set(labels))
    if unknown:
        msg = f"{valid}: label(s) {', '.join(unknown)} have no examples in {data}"
        raise ModelError(msg)
    multi_label = task != "language" or any(len(e.labels) > 1 for e in examples)
    settings = {**PARAMS.get(task, PARAMS["topic"]), **(params or {}), **FIXED}
    if not multi_label:
        settings["loss"] = "softmax"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        train_file = Path(scratch) / "train.txt"
        train_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        model = fasttext.train_supervised(input=str(train_file), **settings)
        if cutoff:
            model.quantize(input=str(train_file), retrain=True, qnorm=True, cutoff=cutoff, thread=1, verbose=0)
        model.save_model(str(out))
    meta = ModelMeta(
        task=task,
        labels=labels,
        multi_label=multi_label,
        training_data_sha256=sha256_of([data]),
        training_examples=len(lines),
        trained_at=utc_now(),
        normalisation=normalisation_of(task),
        fasttext={k: v for k, v in settings.items() if k != "verbose"},
    )
    _write_meta(out, meta)
    if valid_examples and multi_label:
        meta = _calibrate(Classifier.load(out, task), valid_examples)
        _write_meta(out, meta)
    if valid_examples:
        metrics = evaluate(Classifier.load(out, task), valid_examples, str(valid))
        meta = meta.model_copy(update={"metrics": [metrics]})
        _write_meta(out, meta)
    return meta


def _write_meta(out: Path, meta: ModelMeta) -> None:
    temporary = out.with_suffix(".json.tmp")
    temporary.write_text(meta.model_dump_json(indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, out.with_suffix(".json"))


def _calibrate(classifier: Classifier, examples: Sequence[Example]) -> ModelMeta:
    clean = NORMALISERS[classifier.meta.normalisation]
    raw = classifier.scores([clean(e.text) for e in examples])
    calibration, thresholds = fit_decisions(classifier.meta.labels, raw, examples,
                                            fine=classifier.meta.task == "risk")
    return classifier.meta.model_copy(update={"calibration": calibration, "thresholds": thresholds})


def fit_decisions(labels: Sequence[str], raw: Sequence[dict[str, float]], examples: Sequence[Example],
                  fine: bool = False) -> tuple[dict[str, Platt], dict[str, float]]:
    """Each label's Platt calibration and F1-best threshold on validation scores (any model's)."""
    calibration, thresholds = {}, {}
    for label in labels:
        gold = [label in e.labels for e in examples]
        scores = [row.get(label, 0.0) for row in raw]
        platt = fit_platt(scores, gold)
        calibration[label] = platt
        thresholds[label] = _best_threshold([calibrate(platt, s) for s in scores], gold, fine)
    return calibration, thresholds


def evaluate(classifier: Classifier, examples: Sequence[Example], name: str) -> Metrics:
    """Exact-match accuracy, micro/macro F1 and per-label figures of a model on labelled data."""
    clean = NORMALISERS[classifier.meta.normalisation]
    predicted = [set(classifier.decide(row)) for row in classifier.scores([clean(e.text) for e in examples])]
    return score_sets(name, predicted, [set(e.labels) for e in examples])


def score_sets(name: str, predicted: Sequence[set[str]], gold: Sequence[set[str]]) -> Metrics:
    """Figures for predicted label sets against gold ones (an empty set means no label)."""
    pairs = list(zip(predicted, gold, strict=True))
    labels = sorted({label for p, g in pairs for label in p | g})
    per_label: dict[str, LabelMetrics] = {}
    total_tp = total_fp = total_fn = 0
    for label in labels:
        tp = sum(1 for p, g in pairs if label in p and label in g)
        fp = sum(1 for p, g in pairs if label in p and label not in g)
        fn = sum(1 for p, g in pairs if label not in p and label in g)
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = LabelMetrics(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4),
                                        support=tp + fn)
    supported = [m.f1 for m in per_label.values() if m.support]
    micro = 2 * total_tp / (2 * total_tp + total_fp + total_fn) if total_tp else 0.0
    # Exact match is over the labels proper; with attribute labels (target:, category:, strength:)
    # the share that gets those right too is reported beside it.
    plain = [({x for x in p if ":" not in x}, {x for x in g if ":" not in x}) for p, g in pairs]
    with_attributes = any(":" in label for label in labels)
    return Metrics(
        data=name,
        examples=len(pairs),
        exact_match=round(sum(p == g for p, g in plain) / len(pairs), 4) if pairs else 0.0,
        exact_match_attributes=(round(sum(p == g for p, g in pairs) / len(pairs), 4)
                                if pairs and with_attributes else None),
        micro_f1=round(micro, 4),
        macro_f1=round(sum(supported) / len(supported), 4) if supported else 0.0,
        labels=per_label,
    )


def metrics_table(metrics: Metrics) -> str:
    """A plain-text table of evaluation figures, as ``siaga model evaluate`` prints it."""
    lines = [
        f"{metrics.data}: {metrics.examples} examples",
        f"  exact match {metrics.exact_match:.3f}   micro-F1 {metrics.micro_f1:.3f}   macro-F1 {metrics.macro_f1:.3f}",
        f"  {'label':<16}{'precision':>10}{'recall':>10}{'F1':>8}{'support':>9}",
    ]
    for label, m in metrics.labels.items():
        lines.append(f"  {label:<16}{m.precision:>10.3f}{m.recall:>10.3f}{m.f1:>8.3f}{m.support:>9}")
    return "\n".join(lines)


def metrics_json(metrics: Metrics) -> str:
    """The evaluation figures as one JSON document."""
    return json.dumps(metrics.model_dump(), ensure_ascii=False, indent=2)
