"""The whole tagger: language, topics, risk, watchlist matches and election entities for a batch of texts.

Each text is normalised once for language ID and once for the classifiers (sharing the work),
then each model predicts the whole batch in one call. The election's candidates, parties,
bodies and region are found in each text (``pipelines.tagging.entities``); a candidate, party
or body named adds its topic with score 1.0. The risk labels, the election labels composed from
the model's labels, the watchlist matches and the entities, the overall level and the reasons
for each label come from ``pipelines.tagging.compose``, whose docstring states the level rules.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import cast

from pipelines.tagging.compose import compose, label_score, level_of
from pipelines.tagging.entities import EntityMatcher, has_url, read_words
from pipelines.tagging.features import with_markers
from pipelines.tagging.language import LanguageTagger, bundled_lid_model, pick_language
from pipelines.tagging.models import Classifier
from pipelines.tagging.search import normalise_for_search
from pipelines.tagging.text import prepare
from schemas.config import ElectionSettings, RiskLevels, TaggingSettings, Watchlist
from schemas.post import Entity, LabelScore, RiskCategory, RiskStrength, RiskTags, RiskTarget, WatchlistMatch
from schemas.taxonomy import UNDETERMINED, RiskLevel, level_rank

ENTITY_TOPICS = {"candidate": "candidate", "party": "party", "election_body": "election_body"}
"""The topic a named entity gives its post, with score 1.0."""

NOT_RISKY = RiskTags.model_construct(level="normal", score=0.0, labels=[], raised_by_watchlist=False, target=None,
                                     categories=[], strength=None, reasons=[])
"""The risk of a post with no label and no watchlist match (three of four posts). ``RiskTags`` is
frozen, so they all share this one: building it costs ~4.5 µs a post."""


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
    entities: list[Entity] = field(default_factory=list)


class Watchlists:
    """All configured watchlists as one case-insensitive pattern; finds every term in a text.

    The pattern is an alternation of every term, tried at every position of the text. Most
    posts hold none of the terms' first words, so ``find`` first looks those up among the post's
    words (``read_words``, which the entity matcher reads anyway): only a post that has one runs
    the pattern. A post the two readings could cut differently (an ``@`` handle, which the
    pattern reads into; a URL, which the words leave out; text that NFC changes) always runs it.
    """

    def __init__(self, watchlists: Sequence[Watchlist]) -> None:
        self.by_term: dict[str, list[Watchlist]] = {}
        for watchlist in watchlists:
            for term in watchlist.terms:
                self.by_term.setdefault(_term_key(term), []).append(watchlist)
        words = sorted(self.by_term, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w#])#?(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)") if words else None
        )
        firsts: set[str] = set()
        self.prefilter = True
        for term in self.by_term:
            term_words = read_words(term)
            if not term_words:  # a term of emoji or punctuation alone: no word to look up first
                self.prefilter = False
                continue
            first = term_words[0].lstrip("#")
            firsts.update({first, "#" + first})
        self.first_words = frozenset(firsts)

    def find(self, text: str, words: list[str] | None = None) -> list[WatchlistMatch]:
        """Every (watchlist, term) found in ``text``, each once; ``words`` is ``read_words(text)`` if known."""
        if self.pattern is None:
            return []
        if (words is not None and self.prefilter and self.first_words.isdisjoint(words) and "@" not in text
                and (text.isascii() or unicodedata.normalize("NFC", text) is text)
                and not has_url(text.casefold())):
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
        asked = [names[m.watchlist].level for m in matches]
        levels = [level for level in asked if level is not None]
        if not levels:
            return None
        highest: RiskLevel = max(levels, key=level_rank)
        return highest


def _term_key(term: str) -> str:
    return " ".join(term.strip().lstrip("#").casefold().split())


def risk_level(score: float, levels: RiskLevels) -> RiskLevel:
    """The alert level a risk score reaches."""
    return level_of(score, levels)


class Tagger:
    """Loads the three models, the watchlists and the election once; tags batches of texts."""

    def __init__(self, settings: TaggingSettings, election: ElectionSettings | None = None,
                 debunk: Callable[[str], object | None] | None = None) -> None:
        """``debunk(text)`` says (not ``None``) that a text debunks a hoax: the post pipeline passes the
        fact-check matcher's ``debunk_cue``; it is asked only of posts with a ``hoax`` label that name
        a candidate, party or body, the only ones whose labels it changes (it costs ~50 µs a post)."""
        self.settings = settings
        self.debunk = debunk
        self.election = election or ElectionSettings()
        self.entities = EntityMatcher(self.election)
        self.entity_names = self.election.entity_ids()
        self.election_known = bool(self.election.candidates or self.election.parties)
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
        self.risk_markers = self.risk.meta.normalisation == "risk"
        self.risk_attributes = any(":" in label for label in self.risk.meta.labels)
        self.watchlists = Watchlists(settings.watchlists)
        self.watchlist_names = {w.name: w for w in settings.watchlists}
        self.watchlist_levels = {w.name: w.level for w in settings.watchlists}

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
        if self.entity_names:
            parts.append(f"election@{hashlib.sha256(self.election.model_dump_json().encode()).hexdigest()[:8]}")
        return ";".join(parts)

    def _languages(self, lid_texts: Sequence[str]) -> list[tuple[str, float]]:
        settings = self.settings
        if self.language is None:
            assert self.lid176 is not None  # noqa: S101 - an invariant for the type checker, not a check of input
            return self.lid176.predict_clean(lid_texts)
        if self.lid176 is None and set(self.candidates) >= set(self.language.meta.labels):
            # Every label is a candidate: the softmax already sums to 1, no renormalising, and
            # only the likeliest language is needed.
            minimum = settings.min_confidence
            return [(UNDETERMINED, 0.0) if top is None else top if top[1] >= minimum else (UNDETERMINED, top[1])
                    for top in self.language.best(lid_texts)]
        own = self.language.scores(lid_texts)
        if self.lid176 is None:
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
        topics = self.topic.decided(classifier_texts)
        if self.risk_markers:
            risks = self.risk.decided([with_markers(t, c) for t, c in zip(texts, classifier_texts, strict=True)])
        else:
            risks = self.risk.decided(classifier_texts)
        results = []
        find_entities = self.entities.find
        levels, watchlist_levels = self.settings.risk_levels, self.watchlist_levels
        for text, (language, language_score), topic_row, risk_row in zip(
            texts, languages, topics, risks, strict=True
        ):
            # model_construct: the values come from our own models, validating them again per post
            # would cost more than the prediction.
            topic_labels = [label_score(label, score) for label, score in topic_row]
            risk_labels = [label_score(label, score) for label, score in risk_row]
            target: RiskTarget | None = None
            categories: tuple[RiskCategory, ...] = ()
            strength: RiskStrength | None = None
            if risk_labels and self.risk_attributes:
                risk_labels, target, categories, strength = _attributes(risk_labels)
            words = read_words(text)
            entities = find_entities(text, words)
            if entities:
                topic_labels = _with_entity_topics(topic_labels, entities)
            matches = self.watchlists.find(text, words)
            if risk_labels or matches:
                debunked = (self.debunk is not None and _hoax(risk_labels, matches) and _aimed(entities)
                            and self.debunk(text) is not None)
                risk = compose(risk_labels, entities=entities, matches=matches, levels_by_watchlist=watchlist_levels,
                               names=self.entity_names, levels=levels, election_known=self.election_known,
                               debunked=debunked, target=target, categories=categories, strength=strength)
            else:
                risk = NOT_RISKY
            results.append(Tags(
                language=language,
                language_score=round(language_score, 4),
                text_norm=normalise_for_search(text),
                topics=topic_labels,
                risk=risk,
                matches=matches,
                entities=entities,
            ))
        return results


def _attributes(labels: list[LabelScore]) -> tuple[list[LabelScore], RiskTarget | None, tuple[RiskCategory, ...],
                                                   RiskStrength | None]:
    """The risk labels proper, and the model's target, categories and strength of its hate speech.

    The values are the model's own labels (``target:group``), so they are the schema's literals.
    """
    kept: list[LabelScore] = []
    target: RiskTarget | None = None
    strength: RiskStrength | None = None
    categories: list[RiskCategory] = []
    for item in labels:
        name, sep, value = item.label.partition(":")
        if not sep:
            kept.append(item)
        elif name == "target":
            target = cast(RiskTarget, value)
        elif name == "category":
            categories.append(cast(RiskCategory, value))
        elif name == "strength":
            strength = cast(RiskStrength, value)
    return kept, target, tuple(categories), strength


def _hoax(labels: Sequence[LabelScore], matches: Sequence[WatchlistMatch]) -> bool:
    return any(item.label == "hoax" for item in labels) or any(m.risk == "hoax" for m in matches)


def _aimed(entities: Sequence[Entity]) -> bool:
    return any(e.type != "region" for e in entities)


def _with_entity_topics(topics: list[LabelScore], entities: Sequence[Entity]) -> list[LabelScore]:
    """``topics`` with the topic of each type of entity named set to 1.0 (a name is no guess)."""
    named = {ENTITY_TOPICS[e.type] for e in entities if e.type in ENTITY_TOPICS}
    if not named:
        return topics
    kept = [item for item in topics if item.label not in named]
    return [label_score(label, 1.0) for label in sorted(named)] + kept


def _best(scores: dict[str, float], candidates: Sequence[str], min_confidence: float) -> tuple[str, float]:
    if not scores:
        return UNDETERMINED, 0.0
    codes = list(scores)
    return pick_language(codes, [scores[c] for c in codes], candidates, min_confidence)

