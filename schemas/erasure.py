"""Erasure under UU 27/2022: what the suppression list holds, and the lookup every component makes.

``siaga erase`` removes a post (or every post of an author) from the stores Siaga owns and then
lists it here, so that it does not come back: a connector that fetches an erased post again
drops it before producing, and the pipeline and alerting drop one still on a topic. The list
holds only what that needs:

- ``post`` entries: the post id (``tiktok:7310...``), which names no one by itself;
- ``author`` entries: a keyed hash (HMAC-SHA256, ``erasure.key``) of ``<platform>:handle:<handle>``
  and of ``<platform>:id:<author id>``, so the list does not spell out whom it protects but
  a post by that account is still recognised, under its handle or its numeric id.

The reason, who asked and when are on the same index document, for the record of the
erasure; nothing of the post's content is kept anywhere.

The list itself is stored by ``pipelines.common.erasures`` (an Elasticsearch index every
component can read). This module has the lookup, because the connectors may import only
``schemas``: a ``SuppressionList`` is handed to ``Connector.run``, which asks it about each
record; it reads the list again every ``erasure.refresh``, so an erasure reaches connectors in
other processes and containers within that time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.clock import Clock, process_clock
from schemas.fields import UtcDatetime, es_text
from schemas.post import Post

log = logging.getLogger(__name__)

EntryKind = Literal["post", "author"]

BUILT_IN_KEY = b"siaga-erasure-default-key"
"""The hash key when ``erasure.key`` is unset: consistent across containers, but public."""

RETRY_AFTER = timedelta(seconds=5)
"""How soon a failed read of the list is tried again (the last list read stays in force)."""


class Erasure(BaseModel):
    """One entry of the suppression list, and the record of the erasure that put it there.

    ``_id`` is ``<kind>:<key>``, so erasing the same post twice keeps one entry (the later
    request's reason and time).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EntryKind
    key: str = Field(description="the post id, or the keyed hash of an author reference")
    platform: str = Field(description="the post's or the author's platform")
    erased_at: UtcDatetime
    erased_by: str = Field(description="who ran the erasure (--by, else the login name)")
    reason: str = es_text(description="why: the request's reference, not the data subject's name")

    @property
    def doc_id(self) -> str:
        """The Elasticsearch ``_id`` of this entry."""
        return f"{self.kind}:{self.key}"


def author_refs(platform: str, handle: str | None, author_id: str | None = None) -> tuple[str, ...]:
    """The plain references to an account that an ``author`` entry hashes: by handle and by numeric id.

    Handles are compared case-insensitively: none of the three platforms lets two accounts
    differ only in case, and tools write them in either.
    """
    refs = []
    if handle:
        refs.append(f"{platform}:handle:{handle.strip().lstrip('@').casefold()}")
    if author_id:
        refs.append(f"{platform}:id:{author_id.strip()}")
    return tuple(refs)


def post_author_refs(post: Post) -> tuple[str, ...]:
    """``author_refs`` of a post's author."""
    return author_refs(post.platform, post.author.handle, post.author.id)


@functools.lru_cache(maxsize=65536)
def keyed_hash(ref: str, key: bytes) -> str:
    """The keyed hash an ``author`` entry lists for ``ref`` (hex, 32 characters).

    Cached: accounts post many times, and two HMACs cost ~9 us a record, as much as a tenth of
    what a connector spends on one; with the cache a repeated account costs ~2 us a record.
    """
    return hmac.new(key, ref.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


Loader = Callable[[], Iterable[tuple[str, str]]]
"""Reads the whole list: ``(kind, key)`` pairs. Raises when the store cannot be read."""


class SuppressionList:
    """The erased posts and authors, read from the store and read again every ``refresh``.

    ``blocks`` is what a component asks of each post; it reads the list again first when it is
    due. A read that fails keeps the last list in force, logs, counts (``failures``) and is
    tried again after ``RETRY_AFTER``. Thread-safe: one list serves every connector thread of a
    process. ``generation`` changes whenever the list does, so a component that keeps its own
    copies of posts (a connector's sent digests, the alerting state) knows when to forget some.
    """

    def __init__(self, load: Loader, *, refresh: timedelta, key: bytes = BUILT_IN_KEY,
                 clock: Clock | None = None) -> None:
        self._load = load
        self.refresh_s = refresh.total_seconds()
        self.key = key
        self.clock = clock or process_clock()
        self.post_ids: frozenset[str] = frozenset()
        self.author_hashes: frozenset[str] = frozenset()
        self.generation = 0
        self.loaded = False
        self.failures = 0
        self.last_error: str | None = None
        self._next_at: float | None = None
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, post_ids: Iterable[str] = (), author_hashes: Iterable[str] = (), *,
              key: bytes = BUILT_IN_KEY) -> SuppressionList:
        """A list that never changes (tests, and a component with nothing to read it from)."""
        entries = [("post", pid) for pid in post_ids] + [("author", h) for h in author_hashes]
        return cls(lambda: entries, refresh=timedelta(days=36500), key=key)

    def refresh(self) -> bool:
        """Read the list now; ``True`` if it changed. A failure keeps the last list (logged, counted)."""
        with self._lock:
            return self._refresh()

    def _refresh(self) -> bool:
        try:
            entries = list(self._load())
        except Exception as exc:  # noqa: BLE001 - any store failure: keep the last list, try again soon
            self.failures += 1
            self.last_error = f"{type(exc).__name__}: {exc}"
            self._next_at = self.clock.monotonic() + RETRY_AFTER.total_seconds()
            log.warning("the suppression list of erased posts could not be read (%s); the list read %s stays in "
                        "force, next try in %.0f s", self.last_error,
                        "before" if self.loaded else "so far (none)", RETRY_AFTER.total_seconds())
            return False
        posts = frozenset(key for kind, key in entries if kind == "post")
        authors = frozenset(key for kind, key in entries if kind == "author")
        self._next_at = self.clock.monotonic() + self.refresh_s
        changed = posts != self.post_ids or authors != self.author_hashes
        if changed:
            self.post_ids, self.author_hashes = posts, authors
            self.generation += 1
        self.loaded = True
        self.last_error = None
        return changed

    def _due(self) -> bool:
        return self._next_at is None or self.clock.monotonic() >= self._next_at

    def refresh_if_due(self) -> bool:
        """Read the list again if ``refresh`` has passed since the last read (or it was never read).

        Threads that find it due together read it once: the others wait for that read and use it.
        """
        if not self._due():
            return False
        with self._lock:
            return self._refresh() if self._due() else False

    def blocks(self, post_id: str | None, authors: Iterable[str] = ()) -> bool:
        """Whether a post (by id, and by its author's ``author_refs``) was erased."""
        self.refresh_if_due()
        if post_id is not None and post_id in self.post_ids:
            return True
        hashes = self.author_hashes
        return bool(hashes) and any(keyed_hash(ref, self.key) in hashes for ref in authors)

    def blocks_post(self, post: Post) -> bool:
        """``blocks`` for a post in hand."""
        return self.blocks(post.post_id, post_author_refs(post))

    def author_erased(self, platform: str, handle: str | None, author_id: str | None = None) -> bool:
        """Whether the account is on the list (without reading the list again)."""
        hashes = self.author_hashes
        return bool(hashes) and any(keyed_hash(ref, self.key) in hashes
                                    for ref in author_refs(platform, handle, author_id))
