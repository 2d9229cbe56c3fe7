"""Back-matching: the posts already indexed that repeat a newly imported fact-check.

A debunk often comes days after the claim started to spread. When fact-checks are imported
(``siaga factchecks import``, the ``factchecks`` source), the posts of the last
``factchecks.backmatch`` (7 days by default) are read from the posts index and matched against
the new fact-checks alone (a matcher over a handful of fact-checks costs a few µs a post). The
posts that repeat one are tagged again, as the pipeline would tag them now (with every stored
fact-check), written back in place (same ``_id``, same monthly index, near-duplicate cluster
kept) and sent again to the tagged-posts topic, where the alerting job sees them and the
``factcheck_match`` rules fire: once per fact-check and group, because the rule remembers what
it fired for and a re-import of an unchanged fact-check back-matches nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pipelines.common.clients import shared_client
from pipelines.factchecks.matcher import FactCheckMatcher
from pipelines.factchecks.store import FactCheckStore
from pipelines.post.transforms import as_kafka_message, shared_tagger
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.factcheck import FactCheck
from schemas.post import Post, TaggedPost

log = logging.getLogger(__name__)

PAGE = 1000
_POST_FIELDS = frozenset(Post.model_fields)


@dataclass
class BackmatchReport:
    """What one back-matching pass read and marked."""

    read: int = 0
    marked: list[str] = field(default_factory=list)
    """Ids of the posts that now carry one of the new fact-checks."""


def _recent_posts(es: Elasticsearch, settings: Settings, since: str) -> Any:
    """Pages of (index, source) of the posts created at or after ``since``, oldest first."""
    after: list[Any] | None = None
    while True:
        try:
            page = es.search(index=settings.elasticsearch.posts_index, size=PAGE,
                             query={"range": {"created_at": {"gte": since}}},
                             sort=[{"created_at": "asc"}, {"post_id": "asc"}], search_after=after)
        except NotFoundError:
            return
        hits = page["hits"]["hits"]
        if hits:
            yield [(hit["_index"], hit["_source"]) for hit in hits]
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def backmatch(settings: Settings, new: list[FactCheck], *, clock: Clock | None = None,
              es: Elasticsearch | None = None) -> BackmatchReport:
    """Mark the recent posts that repeat one of ``new``; return what was read and marked."""
    report = BackmatchReport()
    probe = FactCheckMatcher(new)
    if not probe.factchecks:  # none debunked: nothing a post could repeat
        return report
    clock = clock or process_clock()
    es = es or shared_client("elasticsearch", settings.elasticsearch_kwargs())
    since = (clock.now() - settings.factchecks.backmatch).isoformat()
    found: list[tuple[str, dict[str, Any]]] = []
    for page in _recent_posts(es, settings, since):
        report.read += len(page)
        results = probe.match_many([source["text"] for _, source in page])
        found += [item for item, result in zip(page, results, strict=True) if result.raised]
    if not found:
        log.info("back-matching %d fact-checks: none of %d recent posts repeats them", len(new), report.read)
        return report
    full = FactCheckMatcher(FactCheckStore(es, settings.elasticsearch.factchecks_index).all() + new)
    tagger = shared_tagger(settings.tagging, settings.election)
    tagged_at = clock.now()
    retagged = []
    for (index, source), tags in zip(found, tagger.tag([source["text"] for _, source in found], full), strict=True):
        if not tags.factchecks:  # the full matcher prefers nothing new here (a debunk cue, a better fact-check)
            continue
        post = TaggedPost(**{k: v for k, v in source.items() if k in _POST_FIELDS},
                          language=tags.language, language_score=tags.language_score, text_norm=tags.text_norm,
                          topics=tags.topics, risk=tags.risk, matches=tags.matches, entities=tags.entities,
                          factchecks=tags.factchecks, cluster_id=source.get("cluster_id"), tagged_at=tagged_at,
                          tagger_version=tagger.version)
        retagged.append((index, post))
    producer = shared_client("kafka", settings.kafka_client_kwargs())
    sends = []
    for index, post in retagged:
        es.index(index=index, id=post.post_id, document=post.model_dump(mode="json"))
        key, value = as_kafka_message(post)
        sends.append(producer.send(settings.kafka.topics.tagged, key=key, value=value))
        report.marked.append(post.post_id)
    producer.flush()
    for send in sends:  # a refused send raises here: the import fails and says how to run it again
        send.get(timeout=30)
    if retagged:
        es.indices.refresh(index=settings.elasticsearch.posts_index)
    log.info("back-matching %d fact-checks: %d of %d recent posts repeat them", len(new), len(report.marked),
             report.read)
    return report
