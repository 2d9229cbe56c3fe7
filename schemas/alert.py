"""An alert: one breach of one rule for one group, indexed in the alerts index and emailed.

The alerts index holds one document per alert, ``_id`` = ``alert_id``. An incident is opened by
its first alert; re-alerts of a still-open incident carry its id in ``incident_id``; when the
condition clears the opening alert's ``state`` becomes ``resolved`` with ``resolved_at``.
``Silence`` is an operator's order to keep a rule (or one group of it) quiet for a while.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.factcheck import FactCheckMatch
from schemas.fields import UtcDatetime, es_text
from schemas.post import Engagement, Entity, RiskReason
from schemas.taxonomy import RiskLevel

Severity = Literal["waspada", "siaga", "awas"]
DeliveryState = Literal["pending", "sent", "failed", "suppressed"]
RuleType = Literal["threshold", "spike", "new_term", "critical_post", "coordinated", "factcheck_match"]
IncidentState = Literal["open", "resolved", "silenced"]


def make_alert_id(rule_id: str, group: str, trigger_post_id: str, trigger_at: datetime) -> str:
    """A stable alert id: the same breach, recomputed after a restart, gets the same id."""
    basis = f"{rule_id}\x1f{group}\x1f{trigger_post_id}\x1f{trigger_at.isoformat()}"
    return f"{rule_id}-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"


REASON_CHARS = 160
"""Longest reason line an alert keeps per reason (the post keeps the whole one)."""


class AlertPost(BaseModel):
    """The evidence an alert carries: enough of each post for an officer to act on it.

    Besides the post itself: its risk level and labels, the reasons for them (short), the
    candidates, parties and bodies it names, and its reach (``engagement``; a count the
    platform hides is ``None``, shown as "tidak diketahui", never as 0).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_id: str
    platform: str
    url: str
    author_handle: str
    created_at: UtcDatetime
    text: str = es_text()
    level: RiskLevel | None = Field(default=None, description="the post's risk level when the alert fired")
    labels: list[str] = Field(default_factory=list, description="its risk labels, strongest first")
    reasons: list[RiskReason] = Field(default_factory=list, description="why it was raised (the first few)")
    entities: list[Entity] = Field(default_factory=list, description="candidates, parties, bodies it names")
    engagement: Engagement | None = Field(default=None, description="its reach when collected; null counts unknown")
    factchecks: list[FactCheckMatch] = Field(default_factory=list, description="debunked claims it repeats (the first few)")


class RefusedRecipient(BaseModel):
    """A recipient the SMTP server refused for an email it sent to the others."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    address: str
    reply: str = Field(description="the server's reply, e.g. 550 5.1.1 mailbox unavailable")


class Alert(BaseModel):
    """One incident: a rule's threshold breached for one group within a sliding window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alert_id: str
    rule_id: str
    rule_name: str = es_text()
    rule_type: RuleType = "threshold"
    state: IncidentState = "open"
    severity: Severity
    group_by: str
    group: str
    count: int = Field(ge=1)
    threshold: int = Field(ge=1)
    window_seconds: int = Field(ge=1)
    window_start: UtcDatetime
    window_end: UtcDatetime
    fired_at: UtcDatetime
    posts: list[AlertPost] = Field(description="the most recent matching posts, newest first")
    delivery: DeliveryState = "pending"
    delivered_at: UtcDatetime | None = None
    resolved_at: UtcDatetime | None = None
    cluster_id: str | None = Field(default=None, description="the near-duplicate cluster behind a coordinated alert")
    incident_id: str | None = Field(default=None, description="for a re-alert: the alert that opened the incident")
    realert: int = Field(default=0, ge=0, description="0 for the alert that opens an incident, n for the n-th re-alert")
    detail: str = Field(default="", description="what was measured, beyond count and threshold")
    accounts: int | None = Field(default=None, description="distinct accounts behind a coordinated alert")
    platforms: list[str] = Field(default_factory=list)
    post_ids: list[str] = Field(default_factory=list, description="the posts behind the alert (newest first, capped)")
    silence_id: str | None = Field(default=None, description="the silence that kept this alert from being sent")
    webhook: DeliveryState | None = Field(default=None, description="webhook delivery, when one is configured")
    refused_recipients: list[RefusedRecipient] = Field(
        default_factory=list, description="recipients the SMTP server refused while it took the email for the others")
    factcheck: FactCheckMatch | None = Field(
        default=None, description="for a factcheck_match alert: the debunk the posts repeat (title, rating, link)")
    erased: int = Field(default=0, ge=0, description="posts taken out of the evidence by `siaga erase` (UU 27/2022); "
                                                     "count still includes them")


class Silence(BaseModel):
    """An operator's order: no emails for a rule (or one of its groups) until ``until``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    silence_id: str
    rule_id: str
    group: str | None = None
    created_by: str
    reason: str = Field(min_length=1)
    created_at: UtcDatetime
    until: UtcDatetime

    def covers(self, rule_id: str, group: str, at: datetime) -> bool:
        """Whether this silence applies to an alert of ``rule_id``/``group`` fired at ``at``."""
        return self.rule_id == rule_id and (self.group is None or self.group == group) and self.created_at <= at < self.until
