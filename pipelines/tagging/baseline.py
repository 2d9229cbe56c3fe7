"""TF-IDF + logistic regression: the yardstick a fastText model must beat on the same data.

fastText is what keeps the stream cheap, but it is only worth shipping if it does at least as
well as the classic linear baseline trained on the same split. This module trains that baseline
(word 1-2-grams and character 2-5-grams, TF-IDF, one logistic regression per label with C=10,
the best of the settings tried on the risk valid split) on the same normalised text, calibrates
and thresholds it on the same valid file the same way (``models.fit_decisions``) and decides
labels the same way, so that ``siaga model train`` can print both on the valid split.

scikit-learn is a development dependency (``pip install -e '.[eval]'``), never needed to tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipelines.tagging.models import (
    ATTRIBUTES_OF,
    NORMALISERS,
    ModelError,
    attribute_groups,
    attributes,
    calibrate,
    fit_decisions,
    normalisation_of,
    score_sets,
)
from schemas.model import Example, Metrics, Platt

C = 10.0


def _sklearn() -> Any:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_union
    except ImportError:
        msg = "the TF-IDF + logistic regression baseline needs scikit-learn: pip install -e '.[eval]'"
        raise ModelError(msg) from None
    return make_union, TfidfVectorizer, LogisticRegression


class TfidfBaseline:
    """One logistic regression per label over word and character TF-IDF features."""

    def __init__(self, task: str) -> None:
        self.clean = NORMALISERS[normalisation_of(task)]
        self.labels: list[str] = []
        self.calibration: dict[str, Platt] = {}
        self.thresholds: dict[str, float] = {}

    def fit(self, examples: Sequence[Example]) -> TfidfBaseline:
        """Train on labelled examples."""
        union, vectorizer, regression = _sklearn()
        texts = [self.clean(e.text) for e in examples]
        self.labels = sorted({label for e in examples for label in e.labels})
        self.features = union(
            # S106: token_pattern is a regular expression, not a password.
            vectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+", lowercase=False),  # noqa: S106
            vectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=False,
                       max_features=300_000),
        )
        features = self.features.fit_transform(texts).tocsr()
        self.models = {}
        for label in self.labels:
            gold = [int(label in e.labels) for e in examples]
            self.models[label] = regression(C=C, solver="liblinear", max_iter=1000).fit(features, gold)
        return self

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Raw probability of every label for each (unnormalised) text."""
        features = self.features.transform([self.clean(t) for t in texts]).tocsr()
        columns = {label: model.predict_proba(features)[:, 1].tolist() for label, model in self.models.items()}
        return [{label: columns[label][i] for label in self.labels} for i in range(len(texts))]

    def calibrate_on(self, examples: Sequence[Example]) -> TfidfBaseline:
        """Platt calibration and thresholds on validation examples, as fastText models get them."""
        raw = self.scores([e.text for e in examples])
        self.calibration, self.thresholds = fit_decisions(self.labels, raw, examples, fine=True)
        return self

    def decide(self, raw: dict[str, float]) -> set[str]:
        """The labels assigned, attribute labels decided as ``Classifier.decide`` does."""
        scores = {label: calibrate(self.calibration.get(label), p) for label, p in raw.items()}
        groups = attribute_groups(self.labels)
        attribute_labels = {label for members in groups.values() for label in members}
        chosen = {label for label, s in scores.items()
                  if label not in attribute_labels and s >= self.thresholds.get(label, 0.5)}
        if groups and ATTRIBUTES_OF in chosen:
            chosen |= set(attributes(scores, groups))
        return chosen

    def evaluate(self, examples: Sequence[Example], name: str) -> Metrics:
        """Figures on labelled data, as ``models.evaluate`` gives them."""
        predicted = [self.decide(row) for row in self.scores([e.text for e in examples])]
        return score_sets(name, predicted, [set(e.labels) for e in examples])


def compare_on_valid(task: str, train: Sequence[Example], valid: Sequence[Example], name: str) -> Metrics:
    """The baseline trained on ``train``, calibrated on ``valid`` and measured there (as the model is)."""
    return TfidfBaseline(task).fit(train).calibrate_on(valid).evaluate(valid, f"{name} (TF-IDF + LR)")


def headline(metrics: Metrics, labels: Sequence[str] = ("hate_speech", "abusive")) -> float:
    """One figure to compare two models by: the mean of the F1 of ``labels`` and the exact match."""
    f1 = [metrics.labels[label].f1 if label in metrics.labels else 0.0 for label in labels]
    return round((sum(f1) + metrics.exact_match) / (len(f1) + 1), 4)
