"""The rule engine: five rule types over a stream of tagged posts, in event time, with incidents.

Plain logic on plain data, with no I/O: the alerting job feeds it tagged posts in ``created_at``
order and persists its snapshot; tests and ``siaga alerts test-rule`` drive it directly. Each
rule type is an ``Evaluator`` in ``EVALUATORS`` that says, for one post, which groups now breach
and, later, whether a group still does. The engine owns what is common to all types:

- **incidents**: the first breach of a (rule, group) opens an incident and fires an alert; while
  it stays open the group is re-alerted after ``cooldown`` (times ``realert_backoff^n``); once the
  condition clears the engine emits a ``Resolution``. After any alert the group stays quiet for
  ``cooldown`` even if it clears and breaches again, so a flapping group sends one email.
- **dedup**: a post delivered twice (after a restart, or re-fetched) is counted once per rule.
- **near-duplicate clusters** (``pipelines.alerting.neardup``) shared by the ``coordinated`` rules; the
  engine reports which posts joined a cluster so the job can store ``cluster_id`` on them.

Why not Beam: the consumer must turn a post into an email within seconds and snapshot its
state between micro-batches, and Beam's local runners cannot read Kafka as a stream here
(see docs/platform.md); the same plain code runs in the consumer, the backtest and the tests.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import logging
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from pipelines.alerting.neardup import NearDuplicateIndex
from schemas.alert import REASON_CHARS, AlertPost, make_alert_id
from schemas.clock import wib
from schemas.config import (
    AlertingSettings,
    CoordinatedRule,
    CriticalPostRule,
    FactCheckMatchRule,
    NewTermRule,
    PostFilter,
    RuleBase,
    SpikeRule,
    ThresholdRule,
)
from schemas.factcheck import FactCheckMatch
from schemas.post import TaggedPost
from schemas.taxonomy import level_rank

log = logging.getLogger(__name__)

STATE_VERSION = 3
"""3: evidence saved once per post, the new-term memory as arrays of term hashes, cluster openers only."""
READABLE_VERSIONS = (2, 3)
UNKNOWN = "(tidak diketahui)"
_SWEEP_EVERY = 1000
SWEEP_STEP = timedelta(minutes=1)
"""Event time between sweeps: a window ends with its window however slowly posts arrive (a sweep
every 1000 posts kept a day of one-hour windows on a quiet stream)."""
MAX_POST_IDS = 500
"""Post ids an alert lists for its Kibana link; beyond this the link shows the newest ones."""


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = [re.escape(term.strip().casefold()) for term in terms if term.strip()]
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")(?!\w)")


class CompiledFilter:
    """A ``PostFilter`` ready to test posts: sets for membership, one regex for the terms."""

    def __init__(self, spec: PostFilter) -> None:
        self.platforms = set(spec.platforms) if spec.platforms is not None else None
        self.languages = set(spec.languages) if spec.languages is not None else None
        self.regions = {r.casefold() for r in spec.regions} if spec.regions is not None else None
        self.hashtags = {h.strip().lstrip("#").lower() for h in spec.hashtags_any if h.strip()}
        self.terms = _term_pattern(spec.terms_any)
        self.min_level = level_rank(spec.min_risk_level) if spec.min_risk_level else None
        self.risk_labels = set(spec.risk_labels_any) if spec.risk_labels_any is not None else None
        self.topics = set(spec.topics_any) if spec.topics_any is not None else None
        self.watchlists = set(spec.watchlists_any) if spec.watchlists_any is not None else None
        self.entities = set(spec.entities_any) if spec.entities_any is not None else None

    def matches(self, post: TaggedPost) -> bool:
        """Every configured condition holds; hashtags and terms together form one any-of condition."""
        if self.platforms is not None and post.platform not in self.platforms:
            return False
        if self.languages is not None and post.language not in self.languages:
            return False
        if self.regions is not None and (post.region or "").casefold() not in self.regions:
            return False
        if self.min_level is not None and level_rank(post.risk.level) < self.min_level:
            return False
        if self.risk_labels is not None and not self.risk_labels.intersection(x.label for x in post.risk.labels):
            return False
        if self.topics is not None and not self.topics.intersection(x.label for x in post.topics):
            return False
        if self.watchlists is not None and not self.watchlists.intersection(m.watchlist for m in post.matches):
            return False
        if self.entities is not None and not self.entities.intersection(e.id for e in post.entities):
            return False
        if not self.hashtags and self.terms is None:
            return True
        if self.hashtags and self.hashtags.intersection(post.hashtags):
            return True
        return self.terms is not None and self.terms.search(post.text.casefold()) is not None


def group_values(group_by: str, post: TaggedPost, entities: Iterable[str] | None = None) -> list[str]:
    """The group(s) a post counts towards; a post with several hashtags (topics, labels, entities) counts in each.

    ``entities`` (a rule's ``filter.entities_any``) limits ``entity`` groups to those entity ids.
    """
    if group_by == "none":
        return ["*"]
    if group_by == "platform":
        return [post.platform]
    if group_by == "language":
        return [post.language]
    if group_by == "region":
        return [post.region or UNKNOWN]
    if group_by == "author":
        return [f"{post.platform}:{post.author.handle}"]
    if group_by == "hashtag":
        return [f"#{tag}" for tag in post.hashtags]
    if group_by == "topic":
        return [topic.label for topic in post.topics]
    if group_by == "risk_label":
        return [label.label for label in post.risk.labels]
    if group_by == "entity":
        wanted = None if entities is None else set(entities)
        return list(dict.fromkeys(e.id for e in post.entities if wanted is None or e.id in wanted))
    msg = f"unknown group_by {group_by!r}"
    raise ValueError(msg)


MAX_EVIDENCE_REASONS = 6
"""Reasons an alert keeps per post: enough to say why it was raised, short enough for an email."""
MAX_EVIDENCE_ENTITIES = 8
MAX_EVIDENCE_FACTCHECKS = 3


def evidence_of(post: TaggedPost) -> AlertPost:
    """What an alert keeps of a post: the post, why it was raised, whom it names, how far it reached."""
    reasons = [reason if len(reason.detail) <= REASON_CHARS else
               reason.model_copy(update={"detail": reason.detail[:REASON_CHARS - 1] + "…"})
               for reason in post.risk.reasons[:MAX_EVIDENCE_REASONS]]
    return AlertPost(
        post_id=post.post_id,
        platform=post.platform,
        url=str(post.url),
        author_handle=post.author.handle,
        created_at=post.created_at,
        text=post.text,
        level=post.risk.level,
        labels=[label.label for label in post.risk.labels],
        reasons=reasons,
        entities=post.entities[:MAX_EVIDENCE_ENTITIES],
        engagement=post.engagement,
        factchecks=post.factchecks[:MAX_EVIDENCE_FACTCHECKS],
    )


@dataclass(frozen=True)
class Breach:
    """A rule's condition met for one group at one post's time."""

    rule: RuleBase
    group: str
    count: int
    window_start: datetime
    window_end: datetime
    trigger_post_id: str
    posts: tuple[AlertPost, ...]
    threshold: int = 1
    detail: str = ""
    cluster_id: str | None = None
    post_ids: tuple[str, ...] = ()
    accounts: int | None = None
    platforms: tuple[str, ...] = ()
    incident_id: str | None = None
    """The alert id of the incident this re-alerts; ``None`` for the alert that opens it."""
    realert: int = 0
    factcheck: FactCheckMatch | None = None
    """The debunk a ``factcheck_match`` alert is about."""


@dataclass(frozen=True)
class Resolution:
    """An open incident whose condition no longer holds at ``at`` (the engine's watermark)."""

    rule: RuleBase
    group: str
    incident_id: str
    at: datetime


@dataclass
class Incident:
    """An open incident of one (rule, group)."""

    alert_id: str
    opened_at: datetime
    next_alert_at: datetime
    realerts: int = 0
    checked_at: datetime | None = None
    rebuilt: bool = False
    """Rebuilt from the alerts index after the state was lost: the rule's windows are empty, so
    whether it cleared is only judged once they have had a horizon's worth of posts again."""
    hold_from: datetime | None = None


class Window:
    """Matching posts of one group: ids, times (sorted) and the newest evidence."""

    def __init__(self) -> None:
        self.times: list[tuple[datetime, str]] = []
        self.seen: set[str] = set()
        self.evidence: dict[str, AlertPost] = {}
        self.extra: dict[str, Any] = {}

    def add(self, post: TaggedPost, keep_evidence: int, evidence: AlertPost | None = None, **extra: Any) -> bool:
        """Record a post (with ``evidence``, shared by every window it counts in); ``False`` if already counted."""
        if post.post_id in self.seen:
            return False
        self.seen.add(post.post_id)
        bisect.insort(self.times, (post.created_at, post.post_id))
        if keep_evidence > 0:
            self.evidence[post.post_id] = evidence if evidence is not None else evidence_of(post)
        if extra:
            self.extra[post.post_id] = extra
        if len(self.evidence) > 2 * keep_evidence + 50:
            self._trim_evidence(keep_evidence)
        return True

    def _trim_evidence(self, keep: int) -> None:
        newest = {pid for _, pid in self.times[-(keep + 25):]}
        self.evidence = {pid: e for pid, e in self.evidence.items() if pid in newest}

    def forget_before(self, horizon: datetime) -> None:
        """Drop posts at or before ``horizon``."""
        cut = bisect.bisect_right(self.times, (horizon, "\U0010ffff"))
        if cut:
            for _, pid in self.times[:cut]:
                self.seen.discard(pid)
                self.evidence.pop(pid, None)
                self.extra.pop(pid, None)
            del self.times[:cut]

    def remove(self, post_ids: Collection[str]) -> int:
        """Forget ``post_ids`` (erased posts) entirely; return how many were here."""
        gone = self.seen.intersection(post_ids)
        if gone:
            self.times = [(ts, pid) for ts, pid in self.times if pid not in gone]
            self.seen -= gone
            for pid in gone:
                self.evidence.pop(pid, None)
                self.extra.pop(pid, None)
        return len(gone)

    def between(self, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """Posts with ``start < time <= end``, oldest first."""
        lo = bisect.bisect_right(self.times, (start, "\U0010ffff"))
        hi = bisect.bisect_right(self.times, (end, "\U0010ffff"))
        return self.times[lo:hi]

    def count(self, start: datetime, end: datetime) -> int:
        """How many posts have ``start < time <= end``."""
        return len(self.between(start, end))

    @property
    def latest(self) -> datetime | None:
        """The newest post's time."""
        return self.times[-1][0] if self.times else None

    def snapshot(self, evidence: dict[str, Any]) -> dict[str, Any]:
        """JSON-ready state; the evidence goes into the shared table ``evidence`` (by post id), once per post."""
        for pid, item in self.evidence.items():
            if pid not in evidence:
                evidence[pid] = item.model_dump(mode="json")
        return {"times": [[ts.isoformat(), pid] for ts, pid in self.times], "evidence_ids": list(self.evidence),
                "extra": self.extra}

    @classmethod
    def restore(cls, data: dict[str, Any], evidence: dict[str, AlertPost]) -> Window:
        """Rebuild from ``snapshot`` (or a version-2 snapshot, which held its evidence inline)."""
        window = cls()
        window.times = [(datetime.fromisoformat(ts), pid) for ts, pid in data["times"]]
        window.seen = {pid for _, pid in window.times}
        if "evidence" in data:
            window.evidence = {e["post_id"]: AlertPost.model_validate(e) for e in data["evidence"]}
        else:
            window.evidence = {pid: evidence[pid] for pid in data["evidence_ids"] if pid in evidence}
        window.extra = data.get("extra", {})
        return window


@dataclass
class Context:
    """What the engine shares with every evaluator for one post."""

    max_evidence: int
    cluster_id: str | None = None
    post: TaggedPost | None = None

    @cached_property
    def evidence(self) -> AlertPost:
        """The post's evidence, built once and shared by every window it counts in."""
        assert self.post is not None  # noqa: S101 - an invariant for the type checker, not a check of input
        return evidence_of(self.post)


class Evaluator(ABC):
    """The logic of one rule type; one instance per configured rule."""

    rule_type: ClassVar[str]
    tracks_incidents: ClassVar[bool] = True
    horizon: timedelta
    """How far behind the watermark the evaluator needs its posts."""

    def __init__(self, rule: RuleBase) -> None:
        self.rule = rule
        self.groups: dict[str, Window] = {}

    @abstractmethod
    def observe(self, post: TaggedPost, ctx: Context) -> list[Breach]:
        """The breaches this (already filter-matched) post completes, before cooldowns."""

    def still_breached(self, group: str, at: datetime) -> bool:
        """Whether ``group``'s condition still holds at ``at``."""
        return False

    def sweep(self, watermark: datetime) -> None:
        """Forget posts and groups the rule can no longer need."""
        horizon = watermark - self.horizon
        for group in list(self.groups):
            window = self.groups[group]
            window.forget_before(horizon)
            if not window.times:
                del self.groups[group]

    def _evidence(self, window: Window, start: datetime, end: datetime, max_evidence: int) -> tuple:
        inside = window.between(start, end)
        posts = tuple(window.evidence[pid] for _, pid in reversed(inside[-max_evidence:]) if pid in window.evidence)
        post_ids = tuple(pid for _, pid in reversed(inside[-MAX_POST_IDS:]))
        return posts, post_ids

    def snapshot(self, evidence: dict[str, Any]) -> dict[str, Any]:
        """JSON-ready state; evidence goes into the engine's shared table."""
        return {"groups": {group: window.snapshot(evidence) for group, window in self.groups.items()}}

    def restore(self, data: dict[str, Any], evidence: dict[str, AlertPost]) -> None:
        """Load ``snapshot``."""
        self.groups = {group: Window.restore(item, evidence) for group, item in data["groups"].items()}


class ThresholdEvaluator(Evaluator):
    """``threshold`` matching posts within ``window`` per group."""

    rule_type = "threshold"
    rule: ThresholdRule

    def __init__(self, rule: ThresholdRule) -> None:
        super().__init__(rule)
        self.horizon = rule.window

    def observe(self, post: TaggedPost, ctx: Context) -> list[Breach]:
        """Count the post in each of its groups."""
        rule, breaches = self.rule, []
        at = post.created_at
        for group in group_values(rule.group_by, post, rule.filter.entities_any):
            window = self.groups.setdefault(group, Window())
            if not window.add(post, ctx.max_evidence, ctx.evidence):
                continue
            start = at - rule.window
            count = window.count(start, at)
            if count >= rule.threshold:
                posts, ids = self._evidence(window, start, at, ctx.max_evidence)
                breaches.append(Breach(rule, group, count, start, at, post.post_id, posts, rule.threshold,
                                       post_ids=ids))
        return breaches

    def still_breached(self, group: str, at: datetime) -> bool:
        """At least ``threshold`` posts in the window ending at ``at``."""
        window = self.groups.get(group)
        return window is not None and window.count(at - self.rule.window, at) >= self.rule.threshold


class SpikeEvaluator(Evaluator):
    """The current window's count is ``factor`` times the baseline period's (scaled to the window)."""

    rule_type = "spike"
    rule: SpikeRule

    def __init__(self, rule: SpikeRule) -> None:
        super().__init__(rule)
        self.horizon = rule.window + rule.baseline
        self.started: datetime | None = None
        """The first post this rule saw: before a window and a baseline have passed, "none before" means
        "not watched yet", not zero, so nothing can be a spike."""

    def _needed(self, window: Window, at: datetime) -> tuple[int, int, float]:
        rule = self.rule
        current = window.count(at - rule.window, at)
        before = window.count(at - rule.window - rule.baseline, at - rule.window)
        expected = before * (rule.window / rule.baseline)
        needed = max(rule.min_count, math.ceil(rule.factor * max(expected, 1.0)))
        return current, needed, expected

    def observe(self, post: TaggedPost, ctx: Context) -> list[Breach]:
        """Count the post and compare its window with the baseline."""
        rule, breaches = self.rule, []
        at = post.created_at
        self.started = at if self.started is None else min(self.started, at)
        warmed = at - self.started >= self.horizon
        for group in group_values(rule.group_by, post, rule.filter.entities_any):
            window = self.groups.setdefault(group, Window())
            if not window.add(post, ctx.max_evidence, ctx.evidence):
                continue
            current, needed, expected = self._needed(window, at)
            if warmed and current >= needed:
                start = at - rule.window
                posts, ids = self._evidence(window, start, at, ctx.max_evidence)
                ratio = current / max(expected, 1.0)
                detail = f"{current} vs {expected:.1f} expected from the baseline ({ratio:.1f}×)"
                breaches.append(Breach(rule, group, current, start, at, post.post_id, posts, needed, detail,
                                       post_ids=ids))
        return breaches

    def still_breached(self, group: str, at: datetime) -> bool:
        """The window ending at ``at`` is still a spike."""
        window = self.groups.get(group)
        if window is None:
            return False
        current, needed, _ = self._needed(window, at)
        return current >= needed

    def snapshot(self, evidence: dict[str, Any]) -> dict[str, Any]:
        """Windows plus when the rule started watching."""
        return {**super().snapshot(evidence), "started": self.started.isoformat() if self.started else None}

    def restore(self, data: dict[str, Any], evidence: dict[str, AlertPost]) -> None:
        """Load windows and the start."""
        super().restore(data, evidence)
        self.started = datetime.fromisoformat(data["started"]) if data.get("started") else None


_WORD = re.compile(r"[^\W\d_]{2,}")


def phrases_of(text: str) -> list[str]:
    """Two-word phrases of a text, lower-case, in order, without repeats."""
    words = _WORD.findall(re.sub(r"(https?://|[#@])\S+", " ", text.casefold()))
    seen: list[str] = []
    for first, second in zip(words, words[1:], strict=False):
        phrase = f"{first} {second}"
        if phrase not in seen:
            seen.append(phrase)
    return seen


def term_key(term: str) -> int:
    """A term's 64-bit key in the new-term memory (a phrase costs 8 bytes there, whatever its length)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")


def _seconds(at: datetime) -> int:
    return math.floor(at.timestamp())


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(array.tobytes()).decode("ascii")


def _unb64(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


class NewTermEvaluator(Evaluator):
    """A term unseen for ``memory`` reaches ``threshold`` uses within ``window`` of its first new use.

    The seen-terms memory is part of the snapshot, so it survives restarts. A term first seen
    before the memory has been running for ``window`` is treated as known: on an empty memory
    everything is new, and that is not news.

    The memory is what grows: 6,000 posts hold ~230,000 distinct two-word phrases. It keeps a
    64-bit hash of each term and the second it was last used (saved as arrays, ~17 bytes a term),
    terms older than ``memory`` are forgotten, and at ``max_terms`` the terms used only once and
    longest ago are forgotten first (``forgotten`` counts them): such a term, used again, counts
    as new, which is what a memory that short would say anyway.
    """

    rule_type = "new_term"
    rule: NewTermRule

    def __init__(self, rule: NewTermRule) -> None:
        super().__init__(rule)
        self.horizon = rule.window
        self.memory: dict[int, int] = {}
        """term key → the second (Unix time) the term was last used"""
        self.repeated: set[int] = set()
        """keys of terms used more than once within the memory: kept longest when the memory is full"""
        self.first_new: dict[str, datetime] = {}
        self.started: datetime | None = None
        self.forgotten = 0
        self._memory_swept: datetime | None = None

    def terms_of(self, post: TaggedPost) -> list[str]:
        """The post's hashtags (``#tag``) or two-word phrases."""
        if self.rule.terms == "hashtag":
            return [f"#{tag}" for tag in post.hashtags]
        return phrases_of(post.text)

    def knows(self, term: str) -> bool:
        """Whether ``term`` is in the memory."""
        return term_key(term) in self.memory

    def observe(self, post: TaggedPost, ctx: Context) -> list[Breach]:
        """Remember the post's terms; count uses of the new ones."""
        rule, breaches = self.rule, []
        at = post.created_at
        now, memory = _seconds(at), int(rule.memory.total_seconds())
        self.started = at if self.started is None else min(self.started, at)
        for term in self.terms_of(post):
            key = term_key(term)
            previous = self.memory.get(key)
            if previous is None or previous < now - memory:
                # unseen for the whole memory: new, unless the memory itself is too young to know
                if at - self.started >= rule.window or previous is not None:
                    self.first_new[term] = at
                self.repeated.discard(key)
            else:
                self.repeated.add(key)
            self.memory[key] = now if previous is None else max(previous, now)
            first = self.first_new.get(term)
            if first is None or at - first > rule.window:
                continue
            window = self.groups.setdefault(term, Window())
            if not window.add(post, ctx.max_evidence, ctx.evidence):
                continue
            start = at - rule.window
            count = window.count(start, at)
            if count >= rule.threshold:
                posts, ids = self._evidence(window, start, at, ctx.max_evidence)
                detail = f"first used {wib(first)}"
                breaches.append(Breach(rule, term, count, start, at, post.post_id, posts, rule.threshold, detail,
                                       post_ids=ids))
        if len(self.memory) > rule.max_terms:
            self._make_room()
        return breaches

    def _make_room(self) -> None:
        """Forget down to 90% of ``max_terms``, single-use terms first, oldest first within each.

        Going below the cap makes the sort (0.1 s for 200,000 terms) rare: once per tenth of it.
        """
        target = int(self.rule.max_terms * 0.9)
        excess = len(self.memory) - target
        repeated = self.repeated
        order = sorted(self.memory.items(), key=lambda item: (item[0] in repeated, item[1]))
        for key, _ in order[:excess]:
            del self.memory[key]
            repeated.discard(key)
        self.forgotten += excess
        log.info("rule %s: new-term memory full (%d terms); forgot the %d least used (%d so far)", self.rule.id,
                 self.rule.max_terms, excess, self.forgotten)

    def still_breached(self, group: str, at: datetime) -> bool:
        """Still ``threshold`` uses in the window ending at ``at``."""
        window = self.groups.get(group)
        return window is not None and window.count(at - self.rule.window, at) >= self.rule.threshold

    def sweep(self, watermark: datetime) -> None:
        """Forget windows, new-term marks older than the window, and (every 1% of it) terms older than the memory."""
        super().sweep(watermark)
        self.first_new = {t: ts for t, ts in self.first_new.items() if ts >= watermark - self.rule.window}
        if self._memory_swept is not None and watermark - self._memory_swept < self.rule.memory / 100:
            return
        self._memory_swept = watermark
        horizon = _seconds(watermark - self.rule.memory)
        self.memory = {key: ts for key, ts in self.memory.items() if ts >= horizon}
        self.repeated.intersection_update(self.memory)

    def snapshot(self, evidence: dict[str, Any]) -> dict[str, Any]:
        """Windows plus the seen-terms memory, as arrays: keys, seconds after the oldest, used-again bits."""
        keys = np.fromiter(self.memory.keys(), dtype="<u8", count=len(self.memory))
        seconds = np.fromiter(self.memory.values(), dtype=np.int64, count=len(self.memory))
        base = int(seconds.min()) if len(seconds) else 0
        again = np.fromiter((key in self.repeated for key in self.memory), dtype=bool, count=len(self.memory))
        return {
            **super().snapshot(evidence),
            "started": self.started.isoformat() if self.started else None,
            "memory": {"count": len(self.memory), "base": base, "keys": _b64(keys),
                       "seconds": _b64((seconds - base).astype("<u4")), "repeated": _b64(np.packbits(again))},
            "first_new": {t: ts.isoformat() for t, ts in self.first_new.items()},
            "forgotten": self.forgotten,
        }

    def restore(self, data: dict[str, Any], evidence: dict[str, AlertPost]) -> None:
        """Load windows and memory (a version-2 memory is a ``term → time`` object)."""
        super().restore(data, evidence)
        self.started = datetime.fromisoformat(data["started"]) if data.get("started") else None
        if "last_seen" in data:
            self.memory = {term_key(t): _seconds(datetime.fromisoformat(ts)) for t, ts in data["last_seen"].items()}
            self.repeated = set()
        else:
            memory = data["memory"]
            count = memory["count"]
            keys = _unb64(memory["keys"], "<u8").tolist()
            seconds = (_unb64(memory["seconds"], "<u4").astype(np.int64) + memory["base"]).tolist()
            again = np.unpackbits(_unb64(memory["repeated"], "u1"))[:count].astype(bool)
            if len(keys) != count or len(seconds) != count:
                msg = f"new-term memory of rule {self.rule.id} holds {len(keys)} keys for {count} terms"
                raise ValueError(msg)
            self.memory = dict(zip(keys, seconds, strict=True))
            self.repeated = {key for key, flag in zip(keys, again.tolist(), strict=True) if flag}
        self.first_new = {t: datetime.fromisoformat(ts) for t, ts in data["first_new"].items()}
        self.forgotten = data.get("forgotten", 0)


class CriticalPostEvaluator(Evaluator):
    """Any single post at ``min_level``, or with a watchlist match that carries a risk label."""

    rule_type = "critical_post"
    tracks_incidents = False
    rule: CriticalPostRule

    DEDUP = timedelta(days=7)
    """How long a critical post is remembered, so a re-fetch (TikTok re-reads 3 days) does not alert again."""

    def __init__(self, rule: CriticalPostRule) -> None:
        super().__init__(rule)
        self.horizon = self.DEDUP
        self.min_rank = level_rank(rule.min_level)

    def observe(self, post: TaggedPost, ctx: Context) -> list[Breach]:
        """One breach per qualifying post, grouped by the post itself."""
        reasons = []
        if level_rank(post.risk.level) >= self.min_rank:
            reasons.append(f"risk level {post.risk.level}")
        if self.rule.watchlist_with_risk:
            reasons += [f"watchlist {m.watchlist}: {m.term} ({m.risk})" for m in post.matches if m.risk]
        if not reasons:
            return []
        # only the post's id and time, for a week: its alert carries the post itself
        if not self.groups.setdefault(post.post_id, Window()).add(post, 0):
            return []
        at = post.created_at
        return [Breach(self.rule, post.post_id, 1, at, at, post.post_id, (evidence_of(post),), 1, "; ".join(reasons),
                       post_ids=(post.post_id,))]


class CoordinatedEvaluator(Evaluator):
    """``min_posts`` near-identical posts from ``min_accounts`` accounts (and ``min_platforms``) in ``window``."""

    rule_type = "coordinated"
    rule: CoordinatedRule

    def __init__(self, rule: CoordinatedRule) -> None:
        super().__init__(rule)
        self.horizon = rule.window

    def _spread(self, window: Window, start: datetime, end: datetime) -> tuple[int, set[str], set[str]]:
        inside = window.between(start, end)
        accounts = {window.extra[pid]["account"] for _, pid in inside}
        platforms = {window.extra[pid]["platform"] for _, pid in inside}
        return len(inside), accounts, platforms

    def _met(self, count: int, accounts: set[str], platforms: set[str]) -> bool:
        rule = self.rule
        return count >= rule.min_posts and len(accounts) >= rule.min_accounts and len(platforms) >= rule.min_platforms

    def observe(self, post: TaggedPost, ctx: Context) -> list[Breach]:
        """Count the post in its near-duplicate cluster."""
        if ctx.cluster_id is None:
            return []
        rule, at = self.rule, post.created_at
        window = self.groups.setdefault(ctx.cluster_id, Window())
        account = f"{post.platform}:{post.author.id or post.author.handle}"
        if not window.add(post, ctx.max_evidence, ctx.evidence, account=account, platform=post.platform):
            return []
        start = at - rule.window
        count, accounts, platforms = self._spread(window, start, at)
        if not self._met(count, accounts, platforms):
            return []
        posts, ids = self._evidence(window, start, at, ctx.max_evidence)
        detail = f"{len(accounts)} accounts on {', '.join(sorted(platforms))}"
        return [Breach(rule, ctx.cluster_id, count, start, at, post.post_id, posts, rule.min_posts, detail,
                       cluster_id=ctx.cluster_id, post_ids=ids, accounts=len(accounts),
                       platforms=tuple(sorted(platforms)))]

    def still_breached(self, group: str, at: datetime) -> bool:
        """The cluster still meets the rule in the window ending at ``at``."""
        window = self.groups.get(group)
        return window is not None and self._met(*self._spread(window, at - self.rule.window, at))


class FactCheckMatchEvaluator(Evaluator):
    """``min_posts`` posts repeating one debunked fact-check (per group) within ``window``: fires once.

    A group is ``<factcheck_id>`` or ``<factcheck_id> <value>`` with ``group_by``. Its posts are
    kept for ``window`` after the newest, and while they are it does not fire again (the set of
    groups that fired is part of the snapshot): one incident per fact-check and group however
    many posts repeat it, and a post sent again (back-matched, re-fetched) counts once.
    """

    rule_type = "factcheck_match"
    tracks_incidents = False
    rule: FactCheckMatchRule

    def __init__(self, rule: FactCheckMatchRule) -> None:
        super().__init__(rule)
        self.horizon = rule.window
        self.verdicts = frozenset(rule.verdicts)
        self.fired: set[str] = set()

    def observe(self, post: TaggedPost, ctx: Context) -> list[Breach]:
        """One breach per fact-check (and group) whose posts reach ``min_posts`` for the first time."""
        rule, at = self.rule, post.created_at
        breaches = []
        values = group_values(rule.group_by, post, rule.filter.entities_any) if rule.group_by != "none" else [""]
        for match in post.factchecks:
            if match.verdict not in self.verdicts or match.score < rule.min_score:
                continue
            for value in values:
                group = f"{match.factcheck_id} {value}" if value else match.factcheck_id
                window = self.groups.setdefault(group, Window())
                window.forget_before(at - rule.window)  # as a sweep would, which runs only now and then
                if not window.times:
                    self.fired.discard(group)
                account = f"{post.platform}:{post.author.id or post.author.handle}"
                if not window.add(post, ctx.max_evidence, ctx.evidence, account=account, platform=post.platform):
                    continue
                if group in self.fired or len(window.times) < rule.min_posts:
                    continue
                self.fired.add(group)
                start = window.times[0][0]
                newest = max(at, window.times[-1][0])
                posts, ids = self._evidence(window, start - timedelta(microseconds=1), newest, ctx.max_evidence)
                accounts = {window.extra[pid]["account"] for _, pid in window.times}
                platforms = sorted({window.extra[pid]["platform"] for _, pid in window.times})
                # the debunk itself travels apart (Breach.factcheck): the email puts it first
                detail = f"{len(window.times)} unggahan, {len(accounts)} akun, {', '.join(platforms)}"
                breaches.append(Breach(rule, group, len(window.times), start, newest, post.post_id, posts,
                                       rule.min_posts, detail, post_ids=ids, accounts=len(accounts),
                                       platforms=tuple(platforms), factcheck=match))
        return breaches

    def sweep(self, watermark: datetime) -> None:
        """Forget posts past the window, and that a group fired once all its posts are gone."""
        super().sweep(watermark)
        self.fired &= set(self.groups)

    def snapshot(self, evidence: dict[str, Any]) -> dict[str, Any]:
        """Windows plus the groups that fired."""
        return {**super().snapshot(evidence), "fired": sorted(self.fired)}

    def restore(self, data: dict[str, Any], evidence: dict[str, AlertPost]) -> None:
        """Load ``snapshot``."""
        super().restore(data, evidence)
        self.fired = set(data.get("fired", []))


EVALUATORS: dict[str, type[Evaluator]] = {
    cls.rule_type: cls
    for cls in (ThresholdEvaluator, SpikeEvaluator, NewTermEvaluator, CriticalPostEvaluator, CoordinatedEvaluator,
                FactCheckMatchEvaluator)
}
"""The registry: the evaluator of every rule type in ``schemas.config.RULE_TYPES``."""


AuthorErased = Callable[[str, str | None, str | None], bool]
"""``(platform, handle, author id) -> bool``: whether that account was erased (``schemas.erasure``)."""


def _group_author_erased(group: str, author_erased: AuthorErased) -> bool:
    platform, _, handle = group.partition(":")  # an author group is "<platform>:<handle>"
    return bool(handle) and author_erased(platform, handle, None)


def _account_erased(account: Any, author_erased: AuthorErased) -> bool:
    if not isinstance(account, str):
        return False
    platform, _, who = account.partition(":")  # "<platform>:<author id or handle>"
    return bool(who) and author_erased(platform, who, who)


@dataclass
class ClusterUpdate:
    """Posts to label with a near-duplicate cluster id in the posts index."""

    cluster_id: str
    post_ids: list[str] = field(default_factory=list)


class RuleEngine:
    """Evaluates rules over a stream of tagged posts in event time and keeps their incidents."""

    def __init__(self, rules: Iterable[RuleBase], max_evidence: int = 10,
                 settings: AlertingSettings | None = None, names: dict[str, str] | None = None) -> None:
        """``names``: entity id → the name officers read (``ElectionSettings.entity_ids``), for the
        detail of alerts grouped by entity ("paslon 02 Asep–Rudi" rather than candidate:paslon-02)."""
        settings = settings or AlertingSettings()
        self.names = names or {}
        self.rules = [rule for rule in rules if rule.enabled]
        self.by_id = {rule.id: rule for rule in self.rules}
        self.filters = {rule.id: CompiledFilter(rule.filter) for rule in self.rules}
        self.evaluators: dict[str, Evaluator] = {rule.id: EVALUATORS[rule.type](rule) for rule in self.rules}
        self.max_evidence = max_evidence
        self.neardup = NearDuplicateIndex(
            settings.near_duplicate_similarity, settings.near_duplicate_min_chars, settings.near_duplicate_memory
        )
        self.clustered_rules = [r for r in self.rules if r.type == "coordinated"]
        self.incidents: dict[tuple[str, str], Incident] = {}
        self.quiet_until: dict[tuple[str, str], datetime] = {}
        self.watermark: datetime | None = None
        self.cluster_updates: dict[str, ClusterUpdate] = {}
        self._cluster_first: dict[str, str] = {}
        """cluster id → its opening post, until a second post joins (and the first gets its label too)"""
        self._observed = 0
        self._swept: datetime | None = None

    # --- the stream ------------------------------------------------------------------------

    def observe(self, post: TaggedPost) -> list[Breach]:
        """Feed one post; return the alerts it fires (resolutions are in ``observe_all``)."""
        return [event for event in self.observe_all(post) if isinstance(event, Breach)]

    def observe_all(self, post: TaggedPost) -> list[Breach | Resolution]:
        """Feed one post; return the alerts it fires and the incidents that cleared."""
        at = post.created_at
        self.watermark = at if self.watermark is None else max(self.watermark, at)
        ctx = Context(self.max_evidence, self._cluster_of(post), post)
        events: list[Breach | Resolution] = list(self._resolve_cleared())
        for rule in self.rules:
            if not self.filters[rule.id].matches(post):
                continue
            evaluator = self.evaluators[rule.id]
            for breach in evaluator.observe(post, ctx):
                if breach.group in self.names and getattr(rule, "group_by", None) == "entity" and not breach.detail:
                    breach = replace(breach, detail=self.names[breach.group])
                fired = self._decide(evaluator, breach)
                if fired is not None:
                    events.append(fired)
        self._observed += 1
        if self._observed % _SWEEP_EVERY == 0 or self._swept is None or self.watermark - self._swept >= SWEEP_STEP:
            self.sweep()
        return events

    def _cluster_of(self, post: TaggedPost) -> str | None:
        if not self.clustered_rules or not any(self.filters[r.id].matches(post) for r in self.clustered_rules):
            return None
        already = post.post_id in self.neardup.assigned
        cluster = self.neardup.assign(post.post_id, post.text, post.created_at)
        if cluster is None:
            return None
        if cluster.size == 1 and not already:
            self._cluster_first[cluster.cluster_id] = post.post_id
        if cluster.size >= 2:
            # the first member is labelled when the second arrives; a post seen again is labelled
            # again, because the pipeline rewrites the whole document when it re-fetches a post
            update = self.cluster_updates.setdefault(cluster.cluster_id, ClusterUpdate(cluster.cluster_id))
            first = None if already else self._cluster_first.pop(cluster.cluster_id, None)
            for pid in ([first] if first is not None and first != post.post_id else []) + [post.post_id]:
                if pid not in update.post_ids:
                    update.post_ids.append(pid)
        return cluster.cluster_id

    def take_cluster_updates(self) -> list[ClusterUpdate]:
        """The cluster labels gathered since the last call."""
        updates, self.cluster_updates = list(self.cluster_updates.values()), {}
        return updates

    def _decide(self, evaluator: Evaluator, breach: Breach) -> Breach | None:
        rule, key, at = breach.rule, (breach.rule.id, breach.group), breach.window_end
        if not evaluator.tracks_incidents:
            return breach
        incident = self.incidents.get(key)
        if incident is not None:
            if at < incident.next_alert_at:
                return None
            incident.realerts += 1
            wait = rule.cooldown * (rule.realert_backoff ** incident.realerts)
            incident.next_alert_at = at + wait
            self.quiet_until[key] = at + rule.cooldown
            return replace(breach, incident_id=incident.alert_id, realert=incident.realerts)
        quiet = self.quiet_until.get(key)
        if quiet is not None and at < quiet:
            return None
        alert_id = make_alert_id(rule.id, breach.group, breach.trigger_post_id, at)
        self.incidents[key] = Incident(alert_id, at, at + rule.cooldown)
        self.quiet_until[key] = at + rule.cooldown
        return breach

    def _resolve_cleared(self) -> list[Resolution]:
        if not self.incidents or self.watermark is None:
            return []
        resolved = []
        for key, incident in list(self.incidents.items()):
            rule = self.by_id[key[0]]
            step = max(getattr(rule, "window", timedelta(minutes=20)) / 20, timedelta(seconds=1))
            if incident.checked_at is not None and self.watermark - incident.checked_at < step:
                continue
            if incident.rebuilt:
                incident.hold_from = incident.hold_from or self.watermark
                if self.watermark - incident.hold_from < self.evaluators[key[0]].horizon:
                    continue
                incident.rebuilt = False
            incident.checked_at = self.watermark
            if not self.evaluators[key[0]].still_breached(key[1], self.watermark):
                del self.incidents[key]
                resolved.append(Resolution(rule, key[1], incident.alert_id, self.watermark))
        return resolved

    def adopt_incident(self, rule_id: str, group: str, alert_id: str, opened_at: datetime, last_alert_at: datetime,
                       realerts: int) -> bool:
        """Take over an incident still open in the alerts index (the state that knew it was lost).

        Its next re-alert and quiet time follow from its last alert; whether it cleared is judged
        only once the rule's windows have seen a horizon of posts again (until then an empty window
        would "clear" a burst that is still going on, and its next breach would open it again under
        a new id). ``False`` if the rule is gone, does not track incidents, or already has one open.
        """
        rule = self.by_id.get(rule_id)
        key = (rule_id, group)
        if rule is None or not self.evaluators[rule_id].tracks_incidents or key in self.incidents:
            return False
        wait = rule.cooldown * (rule.realert_backoff ** realerts)
        self.incidents[key] = Incident(alert_id, opened_at, last_alert_at + wait, realerts, rebuilt=True)
        self.keep_quiet(rule_id, group, last_alert_at)
        return True

    def keep_quiet(self, rule_id: str, group: str, last_alert_at: datetime) -> None:
        """Keep (rule, group) quiet for the rule's cooldown after an alert found in the alerts index."""
        rule = self.by_id.get(rule_id)
        if rule is None:
            return
        key, until = (rule_id, group), last_alert_at + rule.cooldown
        if until > self.quiet_until.get(key, until - timedelta(seconds=1)):
            self.quiet_until[key] = until

    def forget(self, post_ids: Collection[str], author_erased: AuthorErased | None = None) -> set[str]:
        """Remove erased posts from all the state: windows, evidence, clusters, pending labels.

        ``post_ids`` are erased posts; ``author_erased(platform, handle, author_id)`` says whether
        an account was erased, which also removes the posts whose evidence or account names it and
        the groups of ``group_by: author`` rules named after it (with their incidents). Return
        the ids of the posts it held and removed. The counts of alerts
        already fired are not changed here: the alerts index keeps its figures (``siaga erase``
        removes the posts from their evidence).
        """
        removed = set(post_ids)
        if author_erased is not None:
            # First what names an erased account: an author group, a post's evidence, its account.
            for rule_id, evaluator in self.evaluators.items():
                by_author = getattr(self.by_id[rule_id], "group_by", None) == "author"
                for group in list(evaluator.groups):
                    window = evaluator.groups[group]
                    if by_author and _group_author_erased(group, author_erased):
                        removed.update(window.seen)
                        del evaluator.groups[group]
                        self.incidents.pop((rule_id, group), None)
                        self.quiet_until.pop((rule_id, group), None)
                        continue
                    removed.update(pid for pid, item in window.evidence.items()
                                   if author_erased(item.platform, item.author_handle, None))
                    removed.update(pid for pid, extra in window.extra.items()
                                   if isinstance(extra, dict) and _account_erased(extra.get("account"), author_erased))
        # Then each of those posts, wherever it counts (a critical post's window keeps no evidence).
        held = {pid for pid in removed if pid in self.neardup.assigned}
        for evaluator in self.evaluators.values():
            for group in list(evaluator.groups):
                window = evaluator.groups[group]
                held.update(window.seen.intersection(removed))
                window.remove(removed)
                if not window.times:
                    del evaluator.groups[group]
        self.neardup.forget(removed)
        held.update(p for p in self._cluster_first.values() if p in removed)
        self._cluster_first = {c: p for c, p in self._cluster_first.items() if p not in removed}
        for update in list(self.cluster_updates.values()):
            held.update(pid for pid in update.post_ids if pid in removed)
            update.post_ids = [pid for pid in update.post_ids if pid not in removed]
            if not update.post_ids:
                del self.cluster_updates[update.cluster_id]
        return held

    def open_incidents(self) -> dict[tuple[str, str], Incident]:
        """The incidents not yet resolved, by (rule id, group)."""
        return dict(self.incidents)

    def sweep(self) -> None:
        """Forget posts, groups and clusters no rule can need any more."""
        if self.watermark is None:
            return
        self._swept = self.watermark
        for evaluator in self.evaluators.values():
            evaluator.sweep(self.watermark)
        self.quiet_until = {k: t for k, t in self.quiet_until.items() if t > self.watermark}
        windows = [rule.window for rule in self.clustered_rules if isinstance(rule, CoordinatedRule)]
        singles = self.watermark - min(max(windows, default=self.neardup.memory), self.neardup.memory)
        self.neardup.forget_before(self.watermark - self.neardup.memory, singles)
        self._cluster_first = {c: p for c, p in self._cluster_first.items() if c in self.neardup.clusters}

    # --- state -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The engine's state as JSON-ready data, swept first; each post's evidence is in it once."""
        self.sweep()
        evidence: dict[str, Any] = {}
        rules = {rule_id: {"type": ev.rule_type, **ev.snapshot(evidence)} for rule_id, ev in self.evaluators.items()}
        return {
            "version": STATE_VERSION,
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "rules": rules,
            "evidence": evidence,
            "incidents": [
                [rule_id, group, inc.alert_id, inc.opened_at.isoformat(), inc.next_alert_at.isoformat(), inc.realerts,
                 inc.hold_from.isoformat() if inc.hold_from else None] if inc.rebuilt else
                [rule_id, group, inc.alert_id, inc.opened_at.isoformat(), inc.next_alert_at.isoformat(), inc.realerts]
                for (rule_id, group), inc in self.incidents.items()
            ],
            "quiet_until": [[rule_id, group, ts.isoformat()] for (rule_id, group), ts in self.quiet_until.items()],
            "neardup": self.neardup.snapshot(),
            "cluster_first": self._cluster_first,
            "cluster_updates": {c: u.post_ids for c, u in self.cluster_updates.items()},
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Load a snapshot; state of rules no longer configured (or whose type changed) is dropped."""
        if data.get("version") not in READABLE_VERSIONS:
            msg = f"alerting state version {data.get('version')!r} is not one of {READABLE_VERSIONS}"
            raise ValueError(msg)
        self.watermark = datetime.fromisoformat(data["watermark"]) if data.get("watermark") else None
        evidence = {pid: AlertPost.model_validate(item) for pid, item in data.get("evidence", {}).items()}
        for rule_id, item in data["rules"].items():
            evaluator = self.evaluators.get(rule_id)
            if evaluator is not None and evaluator.rule_type == item["type"]:
                evaluator.restore(item, evidence)
        self.incidents = {}
        for rule_id, group, alert_id, opened, nxt, n, *rebuilt in data["incidents"]:
            if rule_id in self.by_id:
                incident = Incident(alert_id, datetime.fromisoformat(opened), datetime.fromisoformat(nxt), n)
                if rebuilt:
                    incident.rebuilt = True
                    incident.hold_from = datetime.fromisoformat(rebuilt[0]) if rebuilt[0] else None
                self.incidents[(rule_id, group)] = incident
        self.quiet_until = {
            (rule_id, group): datetime.fromisoformat(ts)
            for rule_id, group, ts in data["quiet_until"]
            if rule_id in self.by_id
        }
        self.neardup.restore(data["neardup"])
        if "cluster_first" in data:
            self._cluster_first = dict(data["cluster_first"])
        else:  # version 2 kept every member; only the opener of a one-post cluster is still needed
            self._cluster_first = {c: members[0] for c, members in data.get("cluster_members", {}).items()
                                   if len(members) == 1}
        self.cluster_updates = {c: ClusterUpdate(c, list(ids)) for c, ids in data.get("cluster_updates", {}).items()}
