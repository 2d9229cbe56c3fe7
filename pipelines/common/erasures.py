"""The suppression list's store: the Elasticsearch index every component reads (``elasticsearch.erasures_index``).

Why Elasticsearch and not a compacted Kafka topic: every component already reaches it (the
connectors for their index set-up), a search returns the whole list in one request, an entry
is replaced in place by its id, and noida-db, the local stand-in, serves it; it does not
compact topics. The list is small (an entry per erased post or author) and rarely changes.

``shared_suppressions`` gives each process one ``schemas.erasure.SuppressionList`` per
configuration, read from here, so the pipeline's transforms (one Beam pipeline per
micro-batch, or a streaming worker) and the connector threads of ``siaga run`` share it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pipelines.common.clients import resolve_secrets
from schemas.config import Settings
from schemas.erasure import BUILT_IN_KEY, Erasure, SuppressionList

log = logging.getLogger(__name__)

PAGE = 1000
_lists: dict[str, tuple[SuppressionList, Elasticsearch]] = {}
_lists_lock = threading.Lock()


def erasure_key(settings: Settings) -> bytes:
    """The key of the authors' keyed hashes (``erasure.key``, else the built-in one)."""
    key = settings.erasure.key
    return key.get_secret_value().encode("utf-8") if key is not None else BUILT_IN_KEY


class ErasureStore:
    """The entries of the suppression list in ``index``: read them all, add or replace some."""

    def __init__(self, es: Elasticsearch, index: str) -> None:
        self.es = es
        self.index = index

    def entries(self) -> Iterator[tuple[str, str]]:
        """Every ``(kind, key)`` on the list; none while the index does not exist yet (no erasure so far)."""
        after: list[Any] | None = None
        while True:
            try:
                page = self.es.search(index=self.index, size=PAGE, source=["kind", "key"], sort=[{"_id": "asc"}],
                                      query={"match_all": {}}, **({"search_after": after} if after else {}))
            except NotFoundError:
                return
            hits = page["hits"]["hits"]
            for hit in hits:
                yield hit["_source"]["kind"], hit["_source"]["key"]
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]

    def records(self) -> list[Erasure]:
        """Every entry with its record (who, when, why), oldest first."""
        found: list[Erasure] = []
        after: list[Any] | None = None
        while True:
            try:
                page = self.es.search(index=self.index, size=PAGE, sort=[{"_id": "asc"}], query={"match_all": {}},
                                      **({"search_after": after} if after else {}))
            except NotFoundError:
                break
            hits = page["hits"]["hits"]
            found.extend(Erasure.model_validate(hit["_source"]) for hit in hits)
            if len(hits) < PAGE:
                break
            after = hits[-1]["sort"]
        return sorted(found, key=lambda entry: (entry.erased_at, entry.kind, entry.key))

    def add(self, entries: list[Erasure]) -> None:
        """Put ``entries`` on the list (replacing the same ones), searchable at once."""
        for entry in entries:
            self.es.index(index=self.index, id=entry.doc_id, document=entry.model_dump(mode="json"))
        if entries:
            self.es.indices.refresh(index=self.index)


def suppression_list(settings: Settings, es: Elasticsearch) -> SuppressionList:
    """A ``SuppressionList`` read from the configured index with ``es``, refreshed every ``erasure.refresh``."""
    store = ErasureStore(es, settings.elasticsearch.erasures_index)
    return SuppressionList(store.entries, refresh=settings.erasure.refresh, key=erasure_key(settings))


def shared_suppressions(settings: Settings) -> SuppressionList:
    """This process's ``SuppressionList`` for ``settings`` (made on first use; its client is its own).

    The client is made with ``resolve_secrets``: on a streaming worker the settings carry the
    names of secrets, not their values.
    """
    es_kwargs = settings.elasticsearch_kwargs()
    cache_key = json.dumps([es_kwargs, settings.elasticsearch.erasures_index,
                            settings.erasure.refresh.total_seconds(), erasure_key(settings).hex()],
                           sort_keys=True, default=str)
    with _lists_lock:
        found = _lists.get(cache_key)
        if found is None:
            es = Elasticsearch(**resolve_secrets(es_kwargs))
            found = _lists[cache_key] = (suppression_list(settings, es), es)
        return found[0]


def forget_shared_suppressions() -> None:
    """Drop every shared list and close its client (at the end of a run or a test session)."""
    with _lists_lock:
        lists = list(_lists.values())
        _lists.clear()
    for _, es in lists:
        es.close()
