"""The whole tagger: language, topics, risk and watchlist matches for a batch of texts.

Each text is normalised once for language ID and once for the classifiers (sharing the work),
then each model predicts the whole batch in one call. The overall risk level comes from the
highest calibrated score among the risk labels assigned, against the configured level
thresholds, and is at least ``waspada`` when any risk label is assigned; a watchlist match can
raise it and is stored on the post so an officer sees why.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from pipelines.tagging.language import LanguageTagger, bundled_lid_model, pick_language
from pipelines.tagging.models import Classifier
from pipelines.tagging.search import normalise_for_search
from pipelines.tagging.text import prepare
from schemas.config import RiskLevels, TaggingSettings, Watchlist
from schemas.post import LabelScore, RiskTags, WatchlistMatch
from schemas.taxonomy import RISK_LEVELS, UNDETERMINED, RiskLevel, level_rank


def default_model(task: str) -> Path:
    """The default model for ``task`` shipped inside the package."""
    return Path(str(resources.files("pipelines.tagging") / "models" / f"{task}.ftz"))


@dataclass(frozen=True)
class Tags:
    """What the tagger says about one text."""

    language: str
    language_score: float
    text_norm: str = ""  # the text as officers search it (pipelines.tagging.search)
    topics: list[LabelScore] = field(default_factory=list)
    risk: RiskTags = field(default_factory=RiskTags)
    matches: list[WatchlistMatch] = field(default_factory=list)


class Watchlists:
    """All configured watchlists as one case-insensitive pattern; finds every term in a text."""

    def __init__(self, watchlists: Sequence[Watchlist]) -> None:
        self.by_term: dict[str, list[Watchlist]] = {}
        for watchlist in watchlists:
            for term in watchlist.terms:
                self.by_term.setdefault(_term_key(term), []).append(watchlist)
        words = sorted(self.by_term, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w#])#?(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)") if words else None
        )

    def find(self, text: str) -> list[WatchlistMatch]:
        """Every (watchlist, term) found in ``text``, each once."""
        if self.pattern is None:
            return []
        found: dict[tuple[str, str], WatchlistMatch] = {}
        for hit in self.pattern.finditer(text.casefold()):
            term = hit.group(0).lstrip("#")
            for watchlist in self.by_term.get(term, []):
                found.setdefault((watchlist.name, term), WatchlistMatch(watchlist=watchlist.name, term=term,
                                                                      risk=watchlist.risk))
        return list(found.values())

    def level_for(self, matches: Sequence[WatchlistMatch], names: dict[str, Watchlist]) -> RiskLevel | None:
        """The highest level any matched watchlist raises a post to."""
        levels = [names[m.watchlist].level for m in matches if names[m.watchlist].level is not None]
        return max(levels, key=level_rank) if levels else None


def _term_key(term: str) -> str:
    return " ".join(term.strip().lstrip("#").casefold().split())


def risk_level(score: float, levels: RiskLevels) -> RiskLevel:
    """The alert level a risk score reaches."""
    for level in reversed(RISK_LEVELS[1:]):
        if score >= getattr(levels, level):
            return level
    return "normal"


class Tagger:
    """Loads the three models and the watchlists once; tags batches of texts."""

    def __init__(self, settings: TaggingSettings) -> None:
        self.settings = settings
        self.strategy = settings.language_strategy
        self.language = (
            None if self.strategy == "lid176"
            else Classifier.load(settings.language_model or default_model("language"), "language")
        )
        candidates = settings.candidate_languages or (
            self.language.meta.labels if self.language else ["id", "ms", "jv", "su", "en"]
        )
        self.candidates = tuple(candidates)
        self.lid176 = (
            None if self.strategy == "siaga"
            else LanguageTagger(settings.lid176_model or bundled_lid_model(), self.candidates, settings.min_confidence)
        )
        self.topic = Classifier.load(settings.topic_model or default_model("topic"), "topic")
        self.risk = Classifier.load(settings.risk_model or default_model("risk"), "risk")
        self.watchlists = Watchlists(settings.watchlists)
        self.watchlist_names = {w.name: w for w in settings.watchlists}

    @property
    def version(self) -> str:
        """Which models and watchlists tagged a post, stored on every post."""
        parts = []
        if self.language is not None:
            parts.append(f"language={self.language.version}")
        if self.lid176 is not None:
            parts.append(f"lid176={self.lid176.version.split('/')[0]}")
        parts += [f"topic={self.topic.version}", f"risk={self.risk.version}"]
        if self.settings.watchlists:
            digest = hashlib.sha256(
                "".join(w.model_dump_json() for w in self.settings.watchlists).encode()
            ).hexdigest()[:8]
            parts.append(f"watchlists@{digest}")
        return ";".join(parts)

    def _languages(self, lid_texts: Sequence[str]) -> list[tuple[str, float]]:
        settings = self.settings
        if self.language is None:
            assert self.lid176 is not None
            return self.lid176.predict_clean(lid_texts)
        own = self.language.scores(lid_texts)
        if self.lid176 is None:
            if set(self.candidates) >= set(self.language.meta.labels):
                # Every label is a candidate: the softmax already sums to 1, no renormalising.
                return [_top(row, settings.min_confidence) for row in own]
            return [_best(row, self.candidates, settings.min_confidence) for row in own]
        lid = self.lid176.scores_clean(lid_texts)
        results = []
        for mine, theirs in zip(own, lid, strict=True):
            merged = {code: (p + theirs[code]) / 2 if code in theirs else p for code, p in mine.items()}
            for code, p in theirs.items():
                merged.setdefault(code, p / 2)
            results.append(_best(merged, self.candidates, settings.min_confidence))
        return results

    def tag(self, texts: Sequence[str]) -> list[Tags]:
        """Tags for each text, in order."""
        prepared = [prepare(text) for text in texts]
        lid_texts = [p[0] for p in prepared]
        classifier_texts = [p[1] for p in prepared]
        languages = self._languages(lid_texts)
        topics = self.topic.scores(classifier_texts)
        risks = self.risk.scores(classifier_texts)
        results = []
        for text, (language, language_score), topic_row, risk_row in zip(
            texts, languages, topics, risks, strict=True
        ):
            # model_construct: the values come from our own models, validating them again per post
            # would cost more than the prediction.
            topic_labels = [LabelScore.model_construct(label=label, score=round(topic_row[label], 4))
                            for label in self.topic.decide(topic_row)]
            risk_labels = [LabelScore.model_construct(label=label, score=round(risk_row[label], 4))
                           for label in self.risk.decide(risk_row)]
            score = max((item.score for item in risk_labels), default=0.0)
            level = risk_level(score, self.settings.risk_levels)
            if risk_labels and level == "normal":
                level = "waspada"  # a risk label the model assigns always asks for attention
            matches = self.watchlists.find(text)
            raised = False
            if matches:
                floor = self.watchlists.level_for(matches, self.watchlist_names)
                if floor is not None and level_rank(floor) > level_rank(level):
                    level, raised = floor, True
            results.append(Tags(
                language=language,
                language_score=round(language_score, 4),
                text_norm=normalise_for_search(text),
                topics=topic_labels,
                risk=RiskTags.model_construct(level=level, score=round(score, 4), labels=risk_labels,
                                              raised_by_watchlist=raised),
                matches=matches,
            ))
        return results


def _best(scores: dict[str, float], candidates: Sequence[str], min_confidence: float) -> tuple[str, float]:
    if not scores:
        return UNDETERMINED, 0.0
    codes = list(scores)
    return pick_language(codes, [scores[c] for c in codes], candidates, min_confidence)


def _top(scores: dict[str, float], min_confidence: float) -> tuple[str, float]:
    if not scores:
        return UNDETERMINED, 0.0
    best = max(scores, key=scores.__getitem__)
    score = scores[best]
    return (best, score) if score >= min_confidence else (UNDETERMINED, score)
