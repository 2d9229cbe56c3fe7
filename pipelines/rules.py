"""The threshold rule: at least N matching posts within a sliding event-time window, per group.

Plain logic on plain data, with no I/O: the alerting job feeds it tagged posts and persists
its state; tests drive it directly. Each (rule, group) keeps the ids and times of its matching
posts inside the window, so a post delivered twice (after a restart) is counted once, and a
cooldown so that one sustained breach gives one alert, not one per post.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from schemas.alert import AlertPost
from schemas.config import PostFilter, ThresholdRule
from schemas.post import TaggedPost
from schemas.taxonomy import level_rank

STATE_VERSION = 1
UNKNOWN = "(tidak diketahui)"
_SWEEP_EVERY = 1000


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
        if not self.hashtags and self.terms is None:
            return True
        if self.hashtags and self.hashtags.intersection(post.hashtags):
            return True
        return self.terms is not None and self.terms.search(post.text.casefold()) is not None


def group_values(group_by: str, post: TaggedPost) -> list[str]:
    """The group(s) a post counts towards; a post with several hashtags counts in each."""
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
    msg = f"unknown group_by {group_by!r}"
    raise ValueError(msg)


def evidence_of(post: TaggedPost) -> AlertPost:
    """What an alert keeps of a post."""
    return AlertPost(
        post_id=post.post_id,
        platform=post.platform,
        url=str(post.url),
        author_handle=post.author.handle,
        created_at=post.created_at,
        text=post.text,
    )


@dataclass
class GroupState:
    """The matching posts of one (rule, group) inside the window, and its cooldown."""

    seen: dict[str, datetime] = field(default_factory=dict)
    evidence: list[AlertPost] = field(default_factory=list)
    cooldown_until: datetime | None = None
    latest: datetime | None = None
    _expiry: list[tuple[datetime, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._expiry = sorted((ts, pid) for pid, ts in self.seen.items())
        self.latest = max(self.seen.values(), default=self.latest)

    def add(self, post_id: str, at: datetime, window: timedelta) -> None:
        """Record a post and forget those that fell out of the window behind the latest one."""
        self.seen[post_id] = at
        heapq.heappush(self._expiry, (at, post_id))
        self.latest = at if self.latest is None else max(self.latest, at)
        horizon = self.latest - window
        while self._expiry and self._expiry[0][0] <= horizon:
            _, expired = heapq.heappop(self._expiry)
            self.seen.pop(expired, None)

    def count_in(self, start: datetime, end: datetime) -> int:
        """Posts with ``start < time <= end``."""
        if self.latest is not None and end >= self.latest and all(ts > start for ts, _ in self._expiry[:1]):
            return len(self.seen)
        return sum(1 for ts in self.seen.values() if start < ts <= end)


@dataclass(frozen=True)
class Breach:
    """A rule's threshold reached for one group at one post's time."""

    rule: ThresholdRule
    group: str
    count: int
    window_start: datetime
    window_end: datetime
    trigger_post_id: str
    posts: tuple[AlertPost, ...]


class RuleEngine:
    """Evaluates threshold rules over a stream of tagged posts in event time."""

    def __init__(self, rules: Iterable[ThresholdRule], max_evidence: int = 10) -> None:
        self.rules = [rule for rule in rules if rule.enabled]
        self.filters = {rule.id: CompiledFilter(rule.filter) for rule in self.rules}
        self.max_evidence = max_evidence
        self.groups: dict[tuple[str, str], GroupState] = {}
        self.watermark: datetime | None = None
        self._observed = 0

    def observe(self, post: TaggedPost) -> list[Breach]:
        """Count ``post`` towards every rule it matches; return the breaches it completes."""
        breaches = []
        at = post.created_at
        self.watermark = at if self.watermark is None else max(self.watermark, at)
        for rule in self.rules:
            if not self.filters[rule.id].matches(post):
                continue
            for group in group_values(rule.group_by, post):
                breach = self._count(rule, group, post)
                if breach is not None:
                    breaches.append(breach)
        self._observed += 1
        if self._observed % _SWEEP_EVERY == 0:
            self.sweep()
        return breaches

    def _count(self, rule: ThresholdRule, group: str, post: TaggedPost) -> Breach | None:
        state = self.groups.setdefault((rule.id, group), GroupState())
        if post.post_id in state.seen:
            return None
        at = post.created_at
        state.add(post.post_id, at, rule.window)
        state.evidence.append(evidence_of(post))
        if len(state.evidence) > 2 * self.max_evidence:
            state.evidence = sorted(
                (e for e in state.evidence if e.post_id in state.seen), key=lambda e: e.created_at
            )[-self.max_evidence :]
        start = at - rule.window
        count = state.count_in(start, at)
        if count < rule.threshold or (state.cooldown_until is not None and at < state.cooldown_until):
            return None
        state.cooldown_until = at + rule.cooldown
        in_window = sorted(
            (e for e in state.evidence if start < e.created_at <= at and e.post_id in state.seen),
            key=lambda e: e.created_at,
        )
        posts = tuple(reversed(in_window[-self.max_evidence :]))
        return Breach(rule, group, count, start, at, post.post_id, posts)

    def sweep(self) -> None:
        """Forget groups that can neither breach again nor are cooling down."""
        if self.watermark is None:
            return
        windows = {rule.id: rule.window for rule in self.rules}
        for key in list(self.groups):
            state = self.groups[key]
            latest = state.latest
            idle = latest is None or latest <= self.watermark - windows.get(key[0], timedelta(0))
            cooled = state.cooldown_until is None or state.cooldown_until <= self.watermark
            if idle and cooled:
                del self.groups[key]

    def snapshot(self) -> dict[str, Any]:
        """The engine's state as JSON-ready data."""
        return {
            "version": STATE_VERSION,
            "watermark": self.watermark.isoformat() if self.watermark else None,
            "groups": [
                {
                    "rule_id": rule_id,
                    "group": group,
                    "seen": {pid: ts.isoformat() for pid, ts in state.seen.items()},
                    "evidence": [e.model_dump(mode="json") for e in state.evidence],
                    "cooldown_until": state.cooldown_until.isoformat() if state.cooldown_until else None,
                }
                for (rule_id, group), state in self.groups.items()
            ],
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Load a snapshot; groups of rules no longer configured are dropped."""
        if data.get("version") != STATE_VERSION:
            msg = f"alerting state version {data.get('version')!r} is not {STATE_VERSION}"
            raise ValueError(msg)
        known = {rule.id for rule in self.rules}
        self.watermark = datetime.fromisoformat(data["watermark"]) if data.get("watermark") else None
        self.groups = {}
        for item in data["groups"]:
            if item["rule_id"] not in known:
                continue
            self.groups[(item["rule_id"], item["group"])] = GroupState(
                seen={pid: datetime.fromisoformat(ts) for pid, ts in item["seen"].items()},
                evidence=[AlertPost.model_validate(e) for e in item["evidence"]],
                cooldown_until=datetime.fromisoformat(item["cooldown_until"]) if item["cooldown_until"] else None,
            )
