"""Giving and keeping officers' verdicts: the verdicts topic and index (``schemas.verdict``).

``VerdictDesk.give`` is the one way a verdict is recorded, by ``siaga verdict`` and by the
signed links in alert emails (``pipelines.delivery.verdict_links``) alike: it finds the post
(or every post of an alert) in the posts index, makes one ``Verdict`` per post with the labels
and the model that tagged it, indexes each under its id with ``op_type=create`` (so the same
act recorded twice is one document) and a refresh (searchable at once), then publishes it to
the verdicts topic and waits for the broker.

``read_verdicts`` reads them back for retraining; ``delete_verdicts`` serves erasure and
retention.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import ConflictError, Elasticsearch, NotFoundError
from pydantic import ValidationError

from schemas.alert import Alert
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.erasure import SuppressionList
from schemas.errors import SiagaError
from schemas.post import PLATFORMS, ModelRef
from schemas.taxonomy import RISKS, TOPICS
from schemas.verdict import Verdict, VerdictTask, make_verdict_id

log = logging.getLogger(__name__)

PAGE = 1000
SEND_TIMEOUT_S = 30.0
KNOWN_LABELS: dict[str, dict[str, str]] = {"risk": RISKS, "topic": TOPICS}


class VerdictError(SiagaError):
    """A verdict that cannot be recorded: an unknown post or alert, an unknown label; the message says which."""


def is_post_id(value: str) -> bool:
    """Whether ``value`` reads as a post id (``<platform>:<native id>``) rather than an alert id."""
    platform, sep, native = value.partition(":")
    return bool(sep) and platform in PLATFORMS and bool(native)


@dataclass
class Given:
    """What one ``give`` recorded: new verdicts, and those already recorded (the same link used again)."""

    recorded: list[Verdict] = field(default_factory=list)
    already: list[Verdict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Post ids of an alert that are no longer in the posts index (erased, or past retention)."""


def _labels_of(source: dict[str, Any], task: str) -> list[str]:
    if task == "risk":
        return [item["label"] for item in (source.get("risk") or {}).get("labels") or []]
    return [item["label"] for item in source.get("topics") or []]


def _model_of(source: dict[str, Any], task: str) -> ModelRef | None:
    info = source.get("tags") or {}
    for ref in info.get("models") or []:
        if ref.get("name") == task:
            return ModelRef.model_validate(ref)
    return None


class VerdictDesk:
    """Records verdicts: reads posts and alerts from Elasticsearch, writes the verdicts index and topic."""

    def __init__(self, settings: Settings, es: Elasticsearch, producer: Any, *, clock: Clock | None = None,
                 suppressions: SuppressionList | None = None) -> None:
        self.settings = settings
        self.es = es
        self.producer = producer
        self.clock = clock or process_clock()
        self.suppressions = suppressions

    def posts_of(self, target: str) -> tuple[str | None, list[str]]:
        """The alert id (if ``target`` is one) and the post ids a verdict on ``target`` covers."""
        if is_post_id(target):
            return None, [target]
        try:
            found = self.es.get(index=self.settings.elasticsearch.alerts_index, id=target)
        except NotFoundError:
            msg = (f"{target!r} is neither a known alert id nor a post id (PLATFORM:ID, e.g. tiktok:7310...); "
                   "`siaga alerts list` shows the alert ids")
            raise VerdictError(msg) from None
        alert = Alert.model_validate(found["_source"])
        ids = list(dict.fromkeys([*alert.post_ids, *(post.post_id for post in alert.posts)]))
        if not ids:
            msg = f"alert {target} lists no posts (they were erased): there is nothing to give a verdict on"
            raise VerdictError(msg)
        return alert.alert_id, ids

    def _posts(self, post_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        alias = self.settings.elasticsearch.posts_index
        try:
            hits = self.es.search(index=alias, query={"ids": {"values": list(post_ids)}}, size=len(post_ids),
                                  source_excludes=["raw"])["hits"]["hits"]
        except NotFoundError:
            return {}
        return {hit["_id"]: hit["_source"] for hit in hits}

    def check_labels(self, task: str, labels: Sequence[str]) -> list[str]:
        """``labels`` if each is a label of ``task``; else a ``VerdictError`` listing the known ones."""
        known = KNOWN_LABELS[task]
        unknown = [label for label in labels if label not in known]
        if unknown:
            msg = f"unknown {task} label(s) {', '.join(unknown)}; known: {', '.join(known)}"
            raise VerdictError(msg)
        return sorted(set(labels))

    def give(self, target: str, *, correct: bool, labels: Sequence[str] = (), note: str = "", by: str,
             source: str = "cli", task: VerdictTask = "risk", alert_id: str | None = None,
             basis: str | None = None) -> Given:
        """Record a verdict on a post or on every post of an alert; see the module docstring.

        ``basis`` makes the verdict ids: by default who and when (each act is new); a signed link
        passes its signature, so using the same link twice records nothing new.
        """
        labels = self.check_labels(task, labels)
        found_alert, post_ids = self.posts_of(target)
        alert_id = alert_id or found_alert
        posts = self._posts(post_ids)
        given = Given()
        if not posts:
            what = f"post {target}" if found_alert is None else f"the posts of alert {target}"
            msg = f"{what}: not in the posts index {self.settings.elasticsearch.posts_index} (unknown, erased " \
                  "or past retention)"
            raise VerdictError(msg)
        at = self.clock.now()
        verdicts = []
        for post_id in post_ids:
            post = posts.get(post_id)
            if post is None or (self.suppressions is not None and self.suppressions.blocks(post_id)):
                given.skipped.append(post_id)
                continue
            tagged = _labels_of(post, task)
            if source == "cli" and not correct and not labels and not tagged:
                msg = (f"post {post_id} has no {task} label: a --wrong verdict on it must say what it actually is "
                       f"(--label L; known: {', '.join(KNOWN_LABELS[task])})")
                raise VerdictError(msg)
            try:
                verdicts.append(Verdict(
                    verdict_id=make_verdict_id(post_id, task, basis or f"{by}\x1f{at.isoformat()}\x1f{source}"),
                    post_id=post_id, alert_id=alert_id, task=task, correct=correct, labels=labels,
                    tagged_labels=tagged, note=note, by=by, at=at, model=_model_of(post, task), source=source,
                    platform=post["platform"], post_created_at=post["created_at"], text=post["text"],
                ))
            except ValidationError as exc:  # a --by or --note too long
                first = exc.errors(include_url=False)[0]
                msg = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
                raise VerdictError(msg) from None
        if not verdicts:
            msg = f"{target}: every post it names is erased"
            raise VerdictError(msg)
        index = self.settings.elasticsearch.verdicts_index
        for verdict in verdicts:
            try:
                self.es.index(index=index, id=verdict.verdict_id, document=verdict.model_dump(mode="json"),
                              op_type="create")
            except ConflictError:
                given.already.append(verdict)
                continue
            given.recorded.append(verdict)
        # Searchable at once: an officer who looks for the verdict just given finds it.
        self.es.indices.refresh(index=index)
        topic = self.settings.kafka.topics.verdicts
        futures = [self.producer.send(topic, key=v.post_id.encode(), value=v.model_dump_json().encode())
                   for v in given.recorded]
        for future in futures:
            future.get(timeout=SEND_TIMEOUT_S)
        for verdict in given.recorded:
            log.info("verdict %s on %s (%s): %s%s by %s via %s", verdict.verdict_id, verdict.post_id, task,
                     "correct" if correct else "wrong", f" actually {', '.join(labels)}" if labels else "", by, source)
        return given


def read_verdicts(es: Elasticsearch, index: str, task: str | None = None) -> Iterator[Verdict]:
    """Every verdict in ``index`` (of ``task``, if given), oldest first; none while the index does not exist."""
    query: dict[str, Any] = {"term": {"task": task}} if task else {"match_all": {}}
    after: list[Any] | None = None
    while True:
        try:
            hits = es.search(index=index, query=query, size=PAGE, sort=[{"at": "asc"}, {"verdict_id": "asc"}],
                             search_after=after)["hits"]["hits"]
        except NotFoundError:
            return
        for hit in hits:
            yield Verdict.model_validate(hit["_source"])
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def delete_verdicts(es: Elasticsearch, index: str, *, post_ids: Sequence[str] = (),
                    created_before: datetime | None = None, dry_run: bool = False) -> int:
    """Delete the verdicts on ``post_ids`` (erasure) or on posts made before ``created_before`` (retention)."""
    if not es.indices.exists(index=index):
        return 0
    should: list[dict[str, Any]] = []
    if post_ids:
        should.append({"terms": {"post_id": list(post_ids)}})
    if created_before is not None:
        should.append({"range": {"post_created_at": {"lt": created_before.isoformat()}}})
    if not should:
        return 0
    query = {"bool": {"should": should, "minimum_should_match": 1}}
    if dry_run:
        return int(es.count(index=index, query=query)["count"])
    result = es.delete_by_query(index=index, query=query, refresh=True, conflicts="proceed")
    return int(result.get("deleted", 0))
