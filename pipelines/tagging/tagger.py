"""The whole tagger: language, topics, risk, watchlist matches and election entities for a batch of texts.

Each text is normalised once for language ID and once for the classifiers (sharing the work),
then each model predicts the whole batch in one call. The election's candidates, parties,
bodies and region are found in each text (``pipelines.tagging.entities``); a candidate, party
or body named adds its topic with score 1.0. The risk labels, the election labels composed from
the model's labels, the watchlist matches and the entities, the overall level and the reasons
for each label come from ``pipelines.tagging.compose``, whose docstring states the level rules.

Fact-checks: ``tag`` takes the fact-check matcher of the moment (``pipelines.factchecks``; the
pipeline reloads it when fact-checks are imported) and matches the whole batch against it on the
classifier text already prepared; a post repeating a debunked claim gets the fact-check in
``Tags.factchecks`` and a ``hoax`` label whose reason (kind ``factcheck``) names it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, cast

from pipelines.tagging.compose import compose, factcheck_evidence, label_score, level_of
from pipelines.tagging.entities import EntityMatcher, has_url, read_words
from pipelines.tagging.features import with_markers
from pipelines.tagging.language import LanguageTagger, bundled_lid_model, pick_language
from pipelines.tagging.models import Classifier, ModelError
from pipelines.tagging.search import normalise_for_search
from pipelines.tagging.text import prepare
from schemas.config import ElectionSettings, RiskLevels, TaggingSettings, Watchlist
from schemas.factcheck import FactCheckMatch
from schemas.post import (
    MAX_FACTCHECKS,
    Entity,
    LabelScore,
    ModelRef,
    RiskCategory,
    RiskStrength,
    RiskTags,
    RiskTarget,
    TagsInfo,
    WatchlistMatch,
)
from schemas.taxonomy import UNDETERMINED, RiskLevel, level_rank

log = logging.getLogger(__name__)

ENTITY_TOPICS = {"candidate": "candidate", "party": "party", "election_body": "election_body"}
"""The topic a named entity gives its post, with score 1.0."""

NOT_RISKY = RiskTags.model_construct(level="normal", score=0.0, labels=[], raised_by_watchlist=False, target=None,
                                     categories=[], strength=None, reasons=[])
"""The risk of a post with no label and no watchlist match (three of four posts). ``RiskTags`` is
frozen, so they all share this one: building it costs ~4.5 µs a post."""


def default_model(task: str) -> Path:
    """The default model for ``task`` shipped inside the package."""
    return Path(str(resources.files("pipelines.tagging") / "models" / f"{task}.ftz"))


SWAPPABLE = ("topic", "risk")
"""The models ``siaga model retrain`` installs, and the tagger picks up without a restart."""


def installed_model(settings: TaggingSettings, task: str) -> Path:
    """Where ``siaga model retrain`` installs ``task``'s model: the configured file, else ``model_dir/<task>.ftz``."""
    configured = getattr(settings, f"{task}_model", None)
    return configured if configured is not None else settings.model_dir / f"{task}.ftz"


def model_path(settings: TaggingSettings, task: str) -> Path:
    """The model file the tagger loads for ``task``: the installed one if there is one, else the bundled default."""
    installed = installed_model(settings, task)
    if getattr(settings, f"{task}_model", None) is not None or installed.is_file():
        return installed
    return default_model(task)


def _stamp(path: Path) -> tuple[str, int, int] | None:
    """What changes when a model is installed over ``path``: its name and the mtimes of the file and its metadata.

    ``retrain`` replaces the ``.ftz`` first and the ``.json`` last, so a new ``.json`` mtime means both are new.
    """
    try:
        return str(path), path.stat().st_mtime_ns, path.with_suffix(".json").stat().st_mtime_ns
    except OSError:
        return None


def model_ref(classifier: Classifier, task: str) -> ModelRef:
    """The name and version a post stores for the model that tagged it."""
    return ModelRef(name=task, version=classifier.version.rpartition("@")[2])


@dataclass(frozen=True)
class Loaded:
    """The swappable models in use, swapped as one object so a batch never mixes two versions."""

    topic: Classifier
    risk: Classifier
    info: TagsInfo
    version: str
    """``topic=...;risk=...`` part of ``Tagger.version``."""
    risk_markers: bool = False
    """The risk model reads the marker tokens (``pipelines.tagging.features``): its metadata says so."""
    risk_attributes: bool = False
    """The risk model also predicts target, category and strength (``name:value`` labels)."""


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
    factchecks: list[FactCheckMatch] = field(default_factory=list)
    info: TagsInfo | None = None  # which models tagged it (tags.model on the post)


class FactCheckIndex(Protocol):
    """What the tagger needs of the fact-check matcher (``pipelines.factchecks.matcher.FactCheckMatcher``)."""

    def match_many(self, texts: Sequence[str], prepared: Sequence[str] | None = None) -> list[Any]:
        """The matches of each text (``None`` or an object with ``raised``)."""

    def explain(self, text: str, match: Any) -> FactCheckMatch:
        """One raised match as the post carries it."""


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
        self._stamps: dict[str, tuple[str, int, int] | None] = {}
        self._refused: dict[str, tuple[str, int, int] | None] = {}
        self.swaps = 0
        self.loaded = self._load({task: self._load_one(task) for task in SWAPPABLE})
        self.watchlists = Watchlists(settings.watchlists)
        self.watchlist_names = {w.name: w for w in settings.watchlists}
        self.watchlist_levels = {w.name: w.level for w in settings.watchlists}

    def _load_one(self, task: str) -> Classifier:
        path = model_path(self.settings, task)
        stamp = _stamp(path)
        classifier = Classifier.load(path, task)
        self._stamps[task] = stamp
        return classifier

    def _load(self, classifiers: dict[str, Classifier]) -> Loaded:
        # A file's version is read once here: hashing it per batch would also name a file
        # installed since, not the model in memory.
        refs = {task: model_ref(classifier, task) for task, classifier in classifiers.items()}
        models = ([model_ref(self.language, "language")] if self.language is not None else []) + [
            refs[task] for task in SWAPPABLE]
        versions = ";".join(f"{task}={classifiers[task].path.stem}@{refs[task].version}" for task in SWAPPABLE)
        risk = classifiers["risk"]
        return Loaded(classifiers["topic"], risk, TagsInfo(model=refs["risk"], models=models), versions,
                      risk_markers=risk.meta.normalisation == "risk",
                      risk_attributes=any(":" in label for label in risk.meta.labels))

    @property
    def topic(self) -> Classifier:
        """The topic model in use."""
        return self.loaded.topic

    @property
    def risk(self) -> Classifier:
        """The risk model in use."""
        return self.loaded.risk

    def reload_if_changed(self) -> list[str]:
        """Load a topic or risk model installed since (``siaga model retrain``); return the tasks swapped.

        Called between batches: a stat of two files per model, so it costs microseconds. A model
        that cannot be loaded (half-copied by hand, wrong task) leaves the one in use in place and
        is logged once; the next install is tried again.
        """
        changed = {}
        for task in SWAPPABLE:
            path = model_path(self.settings, task)
            stamp = _stamp(path)
            if stamp is None or stamp == self._stamps.get(task) or stamp == self._refused.get(task):
                continue
            try:
                classifier = Classifier.load(path, task)
                classifier.scores(["siap"])
            except (ModelError, OSError, ValueError) as exc:
                self._refused[task] = stamp
                log.error("the %s model installed at %s cannot be loaded; the one in use stays: %s", task, path, exc)
                continue
            self._stamps[task] = stamp
            changed[task] = classifier
        if not changed:
            return []
        current = {"topic": self.loaded.topic, "risk": self.loaded.risk}
        self.loaded = self._load({**current, **changed})
        self.swaps += 1
        log.warning("model swap: now tagging with %s", self.loaded.version)
        return sorted(changed)

    @property
    def version(self) -> str:
        """Which models and watchlists tagged a post, stored on every post."""
        parts = []
        if self.language is not None:
            parts.append(f"language={self.language.version}")
        if self.lid176 is not None:
            parts.append(f"lid176={self.lid176.version.split('/')[0]}")
        parts.append(self.loaded.version)
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

    def tag(self, texts: Sequence[str], factchecks: FactCheckIndex | None = None) -> list[Tags]:
        """Tags for each text, in order; ``factchecks``: the fact-check matcher to match them against, if any."""
        prepared = [prepare(text) for text in texts]
        lid_texts = [p[0] for p in prepared]
        classifier_texts = [p[1] for p in prepared]
        languages = self._languages(lid_texts)
        loaded = self.loaded  # one object: a swap meanwhile does not mix two models in one batch
        topic_model, risk_model, info = loaded.topic, loaded.risk, loaded.info
        topics = topic_model.decided(classifier_texts)
        if loaded.risk_markers:
            risks = risk_model.decided([with_markers(t, c) for t, c in zip(texts, classifier_texts, strict=True)])
        else:
            risks = risk_model.decided(classifier_texts)
        # Raised matches only (a post debunking the claim has none): ~44 us a post on the prepared text.
        found = (factchecks.match_many(texts, classifier_texts) if factchecks is not None and texts
                 else [None] * len(texts))
        results = []
        find_entities = self.entities.find
        levels, watchlist_levels = self.settings.risk_levels, self.watchlist_levels
        for text, (language, language_score), topic_row, risk_row, matched in zip(
            texts, languages, topics, risks, found, strict=True
        ):
            # model_construct: the values come from our own models, validating them again per post
            # would cost more than the prediction.
            topic_labels = [label_score(label, score) for label, score in topic_row]
            risk_labels = [label_score(label, score) for label, score in risk_row]
            target: RiskTarget | None = None
            categories: tuple[RiskCategory, ...] = ()
            strength: RiskStrength | None = None
            if risk_labels and loaded.risk_attributes:
                risk_labels, target, categories, strength = _attributes(risk_labels)
            words = read_words(text)
            entities = find_entities(text, words)
            if entities:
                topic_labels = _with_entity_topics(topic_labels, entities)
            matches = self.watchlists.find(text, words)
            raised = matched.raised[:MAX_FACTCHECKS] if matched is not None else ()
            debunks = [factchecks.explain(text, match) for match in raised] if raised and factchecks else []
            if risk_labels or matches or debunks:
                debunked = (self.debunk is not None and _hoax(risk_labels, matches) and _aimed(entities)
                            and self.debunk(text) is not None)
                risk = compose(risk_labels, entities=entities, matches=matches, levels_by_watchlist=watchlist_levels,
                               extra=factcheck_evidence(debunks), names=self.entity_names, levels=levels,
                               election_known=self.election_known, debunked=debunked, target=target,
                               categories=categories, strength=strength)
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
                factchecks=debunks,
                info=info,
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

