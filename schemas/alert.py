"""An alert: one breach of one rule for one group, indexed in the alerts index and emailed."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.fields import UtcDatetime, es_text

Severity = Literal["waspada", "siaga", "awas"]
DeliveryState = Literal["pending", "sent", "failed"]
RuleType = Literal["threshold", "spike", "new_term", "critical_post", "coordinated"]
IncidentState = Literal["open", "resolved", "silenced"]


def make_alert_id(rule_id: str, group: str, trigger_post_id: str, trigger_at: datetime) -> str:
    """A stable alert id: the same breach, recomputed after a restart, gets the same id."""
    basis = f"{rule_id}\x1f{group}\x1f{trigger_post_id}\x1f{trigger_at.isoformat()}"
    return f"{rule_id}-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"


class AlertPost(BaseModel):
    """The evidence an alert carries: enough of each post for an officer to act on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    post_id: str
    platform: str
    url: str
    author_handle: str
    created_at: UtcDatetime
    text: str = es_text()


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
