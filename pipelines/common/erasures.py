"""The suppression list's store: the Elasticsearch index every component reads (``elasticsearch.erasures_index``).

Why Elasticsearch and not a compacted Kafka topic: every component already reaches it (the
connectors for their index set-up), a search returns the whole list in one request, an entry
is replaced in place by its id, and noida-db, the local stand-in, serves it; it does not
compact topics. The list is small (an entry per erased post or author) and rarely changes.

``shared_suppressions`` gives each process one ``schemas.erasure.SuppressionList`` per
configuration, read from here, so the pipeline's transforms (one Beam pipeline per
micro-batch, or a streaming worker), the alerting job and the connector threads of
``siaga run`` share it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pipelines.common.clients import EnvSecret, resolve_secrets
from schemas.config import Settings, env_name
from schemas.erasure import BUILT_IN_KEY, Erasure, SuppressionList

log = logging.getLogger(__name__)

PAGE = 1000
_ORDER = [{"kind": "asc"}, {"key": "asc"}]
"""Entries in a stable order for paging (``_id`` cannot be sorted on)."""
_lists: dict[str, tuple[SuppressionList, Elasticsearch]] = {}
_lists_lock = threading.Lock()


def erasure_key(settings: Settings) -> bytes:
    """The key of the authors' keyed hashes (``erasure.key``, else the built-in one)."""
    key = settings.erasure.key
    return key.get_secret_value().encode("utf-8") if key is not None else BUILT_IN_KEY


@dataclass(frozen=True)
class SuppressionSource:
    """Where a process reads the suppression list from: what a Beam DoFn carries (it is pickled).

    Settings that hold secrets by reference (the streaming job's, ``secrets_by_reference``) give
    the hash key by reference too, so neither it nor a password is in the job graph.
    """

    es_kwargs: dict[str, Any]
    index: str
    refresh_s: float
    key: bytes | EnvSecret

    @classmethod
    def of(cls, settings: Settings) -> SuppressionSource:
        """The source ``settings`` configure."""
        key: bytes | EnvSecret = erasure_key(settings)
        if getattr(settings, "secrets_by_reference", False) and settings.erasure.key is not None:
            key = EnvSecret(env_name(("erasure", "key")))
        return cls(settings.elasticsearch_kwargs(), settings.elasticsearch.erasures_index,
                   settings.erasure.refresh.total_seconds(), key)

    def key_bytes(self) -> bytes:
        """The hash key, read from this process's environment if it is held by reference."""
        return self.key.value().encode("utf-8") if isinstance(self.key, EnvSecret) else self.key


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
                page = self.es.search(index=self.index, size=PAGE, source=["kind", "key"],  # type: ignore[arg-type]  # the stub lacks the list form
                                      sort=_ORDER,
                                      query={"match_all": {}}, search_after=after)
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
                page = self.es.search(index=self.index, size=PAGE, sort=_ORDER, query={"match_all": {}},
                                      search_after=after)
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


def shared_suppressions(where: Settings | SuppressionSource) -> SuppressionList:
    """This process's ``SuppressionList`` for ``where`` (made on first use, with a client of its own).

    One per process and source: the connector threads of ``siaga run`` and every micro-batch of
    the pipeline share it, so the list is read once per ``erasure.refresh``, not once per batch.
    """
    source = where if isinstance(where, SuppressionSource) else SuppressionSource.of(where)
    key_digest = hashlib.sha256(repr(source.key).encode()).hexdigest()
    cache_key = json.dumps([source.es_kwargs, source.index, source.refresh_s, key_digest], sort_keys=True, default=repr)
    with _lists_lock:
        found = _lists.get(cache_key)
        if found is None:
            es = Elasticsearch(**resolve_secrets(source.es_kwargs))
            store = ErasureStore(es, source.index)
            suppressions = SuppressionList(store.entries, refresh=timedelta(seconds=source.refresh_s),
                                           key=source.key_bytes())
            found = _lists[cache_key] = (suppressions, es)
        return found[0]


def forget_shared_suppressions() -> None:
    """Drop every shared list and close its client (at the end of a run or a test session)."""
    with _lists_lock:
        lists = list(_lists.values())
        _lists.clear()
    for _, es in lists:
        es.close()
