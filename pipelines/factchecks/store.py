"""Where fact-checks live once imported, and the matcher every process builds from them.

The fact-checks index (``elasticsearch.factchecks_index``) holds one document per fact-check,
its ``_id`` the ``factcheck_id``: what ``siaga factchecks import`` and the ``factchecks`` source
write, and what the pipeline loads. Why Elasticsearch, as for the suppression list: every
component already reaches it, one search returns the whole list, a document is replaced in
place by its id, and noida-db serves it. The fact-checks topic gets the same documents for
other consumers; the index is what the pipeline reads.

``FactCheckStore.put`` writes only what is new or changed (``collected_at`` aside), so a
re-import of the same fact-checks writes nothing and back-matches nothing.

``shared_factchecks`` gives each process one ``LoadedFactChecks`` per index: the current
``FactCheckMatcher``, rebuilt when the index changes (checked at most every
``factchecks.refresh``, one count-and-max request), so the pipeline's micro-batches and its
streaming workers share one matcher and pick up an import within ``refresh``.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError
from elasticsearch.helpers import streaming_bulk

from pipelines.common.clients import resolve_secrets
from pipelines.factchecks.matcher import FactCheckMatcher
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.errors import SiagaError
from schemas.factcheck import FactCheck
from schemas.index import mappings_of

log = logging.getLogger(__name__)

PAGE = 1000
_SAME_EXCEPT = frozenset({"collected_at"})
"""Fields whose change alone is no change: a re-import reads the same fact-check at a later time."""


class FactCheckStoreError(SiagaError):
    """The fact-checks index refused a write (a mapping conflict): nothing of that import is lost, it is re-run."""


def _content(factcheck: FactCheck) -> str:
    return factcheck.model_dump_json(exclude=set(_SAME_EXCEPT))


class FactCheckStore:
    """The fact-checks in ``index``: read them all, or add and replace some."""

    def __init__(self, es: Elasticsearch, index: str) -> None:
        self.es = es
        self.index = index

    def all(self) -> list[FactCheck]:
        """Every stored fact-check, in id order; none while the index does not exist."""
        found: list[FactCheck] = []
        after: list[Any] | None = None
        while True:
            try:
                page = self.es.search(index=self.index, size=PAGE, sort=[{"factcheck_id": "asc"}],
                                      query={"match_all": {}}, search_after=after)
            except NotFoundError:
                return found
            hits = page["hits"]["hits"]
            found.extend(FactCheck.model_validate(hit["_source"]) for hit in hits)
            if len(hits) < PAGE:
                return found
            after = hits[-1]["sort"]

    def get_many(self, ids: Iterable[str]) -> dict[str, FactCheck]:
        """The stored fact-checks among ``ids``."""
        wanted = list(dict.fromkeys(ids))
        found: dict[str, FactCheck] = {}
        for start in range(0, len(wanted), PAGE):
            try:
                reply = self.es.mget(index=self.index, ids=wanted[start:start + PAGE])
            except NotFoundError:
                return found
            for doc in reply["docs"]:
                if doc.get("found"):
                    found[doc["_id"]] = FactCheck.model_validate(doc["_source"])
        return found

    def ensure(self) -> None:
        """Create the index with the fact-check mapping if it is missing.

        ``siaga setup`` installs a template that gives it the mapping; this covers a store used
        before set-up, where Elasticsearch would guess a mapping (``factcheck_id`` as text, which
        cannot be sorted on, so the pipeline could never load the fact-checks)."""
        if self.es.indices.exists(index=self.index):
            return
        try:
            self.es.indices.create(index=self.index, mappings=mappings_of(FactCheck))
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise

    def put(self, factchecks: Iterable[FactCheck]) -> list[FactCheck]:
        """Store the new and changed ones among ``factchecks`` (the last of one id wins); return them."""
        self.ensure()
        latest = {fc.factcheck_id: fc for fc in factchecks}
        stored = self.get_many(latest)
        changed = [fc for fid, fc in latest.items() if fid not in stored or _content(stored[fid]) != _content(fc)]
        if not changed:
            return []
        actions = ({"_op_type": "index", "_index": self.index, "_id": fc.factcheck_id,
                    "_source": fc.model_dump(mode="json")} for fc in changed)
        for ok, item in streaming_bulk(self.es, actions, raise_on_error=False, max_retries=3):
            if not ok:
                msg = f"Elasticsearch refused a fact-check: {item}"
                raise FactCheckStoreError(msg)
        self.es.indices.refresh(index=self.index)
        return changed

    def signature(self) -> tuple[int, str | None]:
        """What changes when a fact-check is added or replaced: the count and the newest ``collected_at``."""
        try:
            reply = self.es.search(index=self.index, size=0, track_total_hits=True,
                                   aggs={"newest": {"max": {"field": "collected_at"}}})
        except NotFoundError:
            return 0, None
        newest = reply["aggregations"]["newest"]
        return reply["hits"]["total"]["value"], newest.get("value_as_string") or (
            None if newest.get("value") is None else str(newest["value"]))


@dataclass(frozen=True)
class FactCheckSource:
    """Where a process reads its fact-checks from: what a Beam DoFn carries (it is pickled)."""

    es_kwargs: dict[str, Any]
    index: str
    refresh_s: float

    @classmethod
    def of(cls, settings: Settings) -> FactCheckSource:
        """The source ``settings`` configure."""
        return cls(settings.elasticsearch_kwargs(), settings.elasticsearch.factchecks_index,
                   settings.factchecks.refresh.total_seconds())


class LoadedFactChecks:
    """The matcher over the stored fact-checks, rebuilt when they change.

    A failed check keeps the matcher it has (a few seconds of an Elasticsearch outage should not
    stop tagging) and is tried again at the next ``matcher()`` call after ``refresh_s``.
    """

    def __init__(self, store: FactCheckStore, refresh_s: float, clock: Clock | None = None) -> None:
        self.store = store
        self.refresh_s = refresh_s
        self.clock = clock or process_clock()
        self._matcher: FactCheckMatcher | None = None
        self._signature: tuple[int, str | None] | None = None
        self._checked: float | None = None
        self._lock = threading.Lock()

    def matcher(self) -> FactCheckMatcher | None:
        """The current matcher; ``None`` while no debunked fact-check is stored."""
        now = self.clock.monotonic()
        if self._checked is not None and now - self._checked < self.refresh_s:
            return self._matcher
        with self._lock:
            if self._checked is None or now - self._checked >= self.refresh_s:
                self._reload()
                self._checked = self.clock.monotonic()
            return self._matcher

    def _reload(self) -> None:
        try:
            signature = self.store.signature()
            if signature == self._signature:
                return
            factchecks = self.store.all()
        except Exception as exc:
            if self._signature is None:
                raise
            log.warning("fact-checks not reloaded from %s, keeping %d: %s", self.store.index,
                        len(self._matcher.factchecks) if self._matcher else 0, exc)
            return
        matcher = FactCheckMatcher(factchecks) if factchecks else None
        if matcher is not None and not matcher.factchecks:
            matcher = None  # none debunked: nothing to match
        # The matcher's index is millions of small objects that never change: frozen, the collector
        # stops walking them at every generation-2 pass (which otherwise cost the stream ~10 %).
        # Unfrozen and collected first, so the matcher this one replaces is freed (a reload follows
        # an import: a full collection then, ~0.2 s, is no cost to the stream).
        gc.unfreeze()
        self._matcher, self._signature = matcher, signature
        gc.collect()
        gc.freeze()
        log.info("loaded %d fact-checks (%d debunked) from %s", len(factchecks),
                 len(matcher.factchecks) if matcher else 0, self.store.index)


_loaded: dict[str, tuple[LoadedFactChecks, Elasticsearch]] = {}
_loaded_lock = threading.Lock()


def shared_factchecks(where: Settings | FactCheckSource) -> LoadedFactChecks:
    """This process's ``LoadedFactChecks`` for ``where`` (made on first use, with a client of its own)."""
    source = where if isinstance(where, FactCheckSource) else FactCheckSource.of(where)
    key = json.dumps([source.es_kwargs, source.index, source.refresh_s], sort_keys=True, default=repr)
    with _loaded_lock:
        found = _loaded.get(key)
        if found is None:
            es = Elasticsearch(**resolve_secrets(source.es_kwargs))
            found = _loaded[key] = (LoadedFactChecks(FactCheckStore(es, source.index), source.refresh_s), es)
        return found[0]


def forget_shared_factchecks() -> None:
    """Drop every shared matcher and close its client (at the end of a run or a test session)."""
    with _loaded_lock:
        loaded = list(_loaded.values())
        _loaded.clear()
    for _, es in loaded:
        es.close()
