"""An officer's verdict on a tagged post: "right", "wrong", or "wrong, it is actually X".

Verdicts are how the officers who read the alerts teach the models (``siaga verdict``, or the
"benar / salah" links in an alert email). Each verdict is one immutable document: the topic
``kafka.topics.verdicts`` carries it (key: the post id) and the index
``elasticsearch.verdicts_index`` keeps it (``_id``: ``verdict_id``). An officer who changes
their mind gives a new verdict; the history stays, and the **latest** verdict per post and
task is the one that counts (``current``).

A verdict keeps the text of its post and the post's ``created_at``: retraining needs the text
after the post's monthly index is gone, and retention deletes a verdict when it deletes its
post (by ``post_created_at``, with ``retention.posts``); ``siaga erase`` deletes the verdicts of
the posts it erases.

What a verdict teaches (``example_labels``):

- ``correct``: the labels the model gave (``tagged_labels``) are right, unless ``labels`` says
  which of them are;
- ``wrong`` with ``labels``: the post is actually ``labels`` (an "actually X");
- ``wrong`` without labels: none of the task's labels apply (a negative example). On a post
  the model gave no label it teaches nothing new; ``siaga verdict`` asks for ``--label`` then,
  a link (an alert raised by a hashtag rule) records it as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.fields import UtcDatetime, es_text
from schemas.post import MAX_TEXT_CHARS, ModelRef

VerdictSource = Literal["cli", "link"]
VerdictTask = Literal["risk", "topic"]
VERDICT_TASKS: tuple[VerdictTask, ...] = ("risk", "topic")

MAX_NOTE_CHARS = 1000


def make_verdict_id(post_id: str, task: str, basis: str) -> str:
    """A verdict's id: stable for one act of giving it (``basis``: who and when, or a link's signature)."""
    digest = hashlib.sha256(f"{post_id}\x1f{task}\x1f{basis}".encode()).hexdigest()[:20]
    return f"v-{digest}"


class Verdict(BaseModel):
    """One officer's judgement of one post's tags for one task (risk or topic)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verdict_id: str
    post_id: str
    alert_id: str | None = Field(default=None, description="the alert the verdict was given through, if any")
    task: VerdictTask = "risk"
    correct: bool = Field(description="true: the model's labels are right; false: they are wrong")
    labels: list[str] = Field(default_factory=list, description='"actually X": the labels the post really has')
    tagged_labels: list[str] = Field(default_factory=list, description="the labels the model gave the post")
    note: str = es_text(default="", max_length=MAX_NOTE_CHARS)
    by: str = Field(min_length=1, max_length=128, description="the officer (SIAGA_OFFICER, --by, or the link form)")
    at: UtcDatetime
    model: ModelRef | None = Field(default=None, description="the model that tagged the post, when it said")
    source: VerdictSource
    platform: str
    post_created_at: UtcDatetime = Field(description="when the post was made: retention deletes the verdict with it")
    text: str = es_text(max_length=MAX_TEXT_CHARS, description="the post's text, for retraining")

    def example_labels(self) -> list[str]:
        """The labels a training example made from this verdict carries (empty: none apply)."""
        if self.labels:
            return sorted(set(self.labels))
        return sorted(set(self.tagged_labels)) if self.correct else []


def current(verdicts: Iterable[Verdict]) -> dict[tuple[str, str], Verdict]:
    """The verdict that counts per (post id, task): the latest given (ties: the larger id)."""
    latest: dict[tuple[str, str], Verdict] = {}
    for verdict in verdicts:
        key = (verdict.post_id, verdict.task)
        known = latest.get(key)
        if known is None or (verdict.at, verdict.verdict_id) > (known.at, known.verdict_id):
            latest[key] = verdict
    return latest
