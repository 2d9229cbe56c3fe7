"""Meta Content Library API: public Facebook and Instagram posts by keyword in one country.

The Content Library API (CrowdTangle's successor; vetted researchers only) is reached from
Meta's research environment. This connector models its synchronous search as a Graph-API-style
REST endpoint; the exact transport (host, version prefix, a proxy in the research environment)
is configurable through ``base_url``, and the semantics follow Meta's Content Library
documentation (search guide, data dictionary, "Rate limiting and query budgeting"):

``GET {base_url}/content_library/search?platform=facebook|instagram&q=<keyword>&country=ID
&since=<ISO 8601>&until=<ISO 8601>&limit=<≤100>&after=<cursor>&access_token=<token>``

answers ``{"data": [{"id", "text", "creation_time" (ISO 8601), "url", "owner": {"id",
"username" or "name"}, "statistics": {"reaction_count", "comment_count", "share_count",
"views"}}, ...], "paging": {"cursors": {"after"}, "next"}}``; a page without ``paging.next``
is the last. The next page is asked for by rebuilding the URL from ``base_url`` with the
``after`` cursor (``paging.next`` is not followed, so the token is never taken from a URL the
server wrote and a configured proxy stays in the path).

Limits, counted here so the connector waits instead of being refused: 60 synchronous queries
over any one-minute interval (``queries_per_minute``; the connector never sends more in any
60 s) and 500,000 records per researcher per rolling seven days (``weekly_records``; the budget
is shared with the Content Library web tool, so the API may still refuse first). Records are
counted per hour in the checkpoint; when the budget is spent the connector waits until the
oldest counted records leave the seven-day window, and asks for no more records than remain.

Failures, as the one table (``connectors.api.classify``, Graph error codes before HTTP
statuses) classifies them: 429 or codes 4, 17, 32, 613 → wait for the rate window and retry;
5xx or codes 1, 2 → retry with backoff; a refused token (190, 102, HTTP 401: it expired, was
revoked or is invalid) → stop this connector with a clear message, since a Content Library
token cannot be refreshed from here; an invalid paging cursor → search the same window again
from its start; anything else (a permission refused included) → stop this connector. Items
that cannot be normalised go to the dead-letter topic.

One search per (platform, keyword). Each search's checkpoint holds its high-water mark (the
``until`` of its last finished search) and, while a search is under way, its window and paging
cursor, so a restart resumes mid-search. Each poll searches from the high-water mark minus a
small overlap (posts reach the index a little late) up to now. A post found by two keywords,
or again in the overlap, is sent once: the connector state remembers a digest of what it sent.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.api import (
    Action,
    ApiConnector,
    ApiFailure,
    Clock,
    ConnectorFatal,
    sleep_until,
)
from connectors.base import SourceRecord, encode_post, raw_bytes
from connectors.formats import NormaliseError as FormatError
from connectors.formats import (
    count_of,
    facebook_post_id,
    hashtags_of,
    instagram_shortcode,
    mentions_of,
    object_at,
    raw_fields,
    strip_tracking,
    warn_of_controls,
)
from connectors.state import ConnectorState
from schemas.config import MetaContentLibrarySource
from schemas.erasure import post_author_refs
from schemas.errors import NormaliseError
from schemas.post import Post
from schemas.retry import backoff

log = logging.getLogger(__name__)

SEARCH_PATH = "/content_library/search"
PAGE_LIMIT = 100
"""The most records one synchronous search page returns."""
OVERLAP = timedelta(hours=1)
"""How far before the high-water mark each poll searches again, for posts indexed late."""
WEEK = timedelta(days=7)
MINUTE = timedelta(seconds=60)
QUOTA_WAIT = 60.0
"""First wait after a rate-limit answer (60 synchronous queries a minute), doubling while they last."""
QUOTA_WAIT_CAP = 3600.0
RAW_FIELDS = raw_fields(
    "id", "creation_time", "modified_time", "text", "lang", "is_branded_content", "owner.id", "owner.username",
    "owner.name", "statistics.reaction_count", "statistics.comment_count", "statistics.share_count",
    "statistics.views", urls=("url",),
    why="Meta Content Library search items, Facebook and Instagram (media, and anything else the search "
        "returns, are dropped)")
"""What ``Post.raw`` keeps of a search item (docs/raw-fields.md)."""



def _created(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(value)
    created = datetime.fromisoformat(value)
    return created.replace(tzinfo=UTC) if created.tzinfo is None else created.astimezone(UTC)


def to_post(item: dict[str, Any], platform: str, collected_at: datetime, warnings: list[str] | None = None) -> Post:
    """A Content Library search item of ``platform`` ("facebook" or "instagram") → ``Post``.

    An Instagram post's ``native_id`` is the shortcode in its URL, as for every other source of
    Instagram posts (``connectors.formats.instagram_shortcode``), so the same post found here and
    by the hashtag connector or an import is one post id. A Facebook post's is the post part of
    its ``<owner>_<post>`` id (``connectors.formats.facebook_post_id``), as from the Graph API
    and the scrapers. Fallbacks taken (no URL, a time without a timezone, no shortcode, a count
    missing from ``statistics``: unknown, not 0) are appended to ``warnings``.
    """
    notes = warnings if warnings is not None else []
    try:
        native_id = str(item["id"])
        owner = item["owner"]
        raw_time = item["creation_time"]
    except KeyError as exc:
        msg = f"meta_content_library: missing field {exc.args[0]!r}"
        raise NormaliseError(msg) from None
    try:
        created = _created(raw_time)
    except (TypeError, ValueError):
        msg = f"meta_content_library: creation_time {raw_time!r} is not an ISO 8601 time"
        raise NormaliseError(msg) from None
    if isinstance(raw_time, str) and datetime.fromisoformat(raw_time).tzinfo is None:
        notes.append("meta_content_library: creation_time has no timezone, read as UTC")
    if not isinstance(owner, dict) or not (owner.get("username") or owner.get("name")):
        msg = "meta_content_library: owner has neither username nor name"
        raise NormaliseError(msg)
    url = item.get("url")
    if not url:
        if platform != "facebook":
            msg = "meta_content_library: missing field 'url'"
            raise NormaliseError(msg)
        url = f"https://www.facebook.com/{native_id}"
        notes.append("meta_content_library: no url: the URL is built from the post id")
    if platform == "facebook":
        native_id = facebook_post_id(native_id)
    if platform == "instagram":
        shortcode = instagram_shortcode(str(url))
        if shortcode is not None:
            native_id = shortcode
        else:
            notes.append("meta_content_library: the Instagram url has no shortcode: the Content Library id is "
                         "used as the post id, so the same post from another source may not be recognised")
    text = str(item.get("text") or "")
    try:
        engagement = {
            "likes": count_of("meta_content_library", item, "statistics.reaction_count", notes),
            "comments": count_of("meta_content_library", item, "statistics.comment_count", notes),
            "shares": count_of("meta_content_library", item, "statistics.share_count", notes),
            # Only videos have views: a post without them hides nothing.
            "views": count_of("meta_content_library", item, "statistics.views", notes, hidden_if_absent=False),
        }
    except FormatError as exc:
        raise NormaliseError(str(exc)) from None
    try:
        fields = {
            "platform": platform,
            "native_id": native_id,
            "url": strip_tracking(str(url)),
            "author": {
                "id": str(owner["id"]) if owner.get("id") is not None else None,
                "handle": str(owner.get("username") or owner["name"]),
                "display_name": str(owner["name"]) if owner.get("name") else None,
            },
        }
        warn_of_controls("meta_content_library", fields, notes)
        return Post(
            **fields,
            text=text,
            hashtags=hashtags_of(text),
            mentions=mentions_of(text),
            created_at=created,
            collected_at=max(collected_at, created),
            engagement=engagement,
            raw=RAW_FIELDS.apply(item),
        )
    except (ValueError, TypeError, AttributeError) as exc:
        msg = f"meta_content_library: not a valid post ({str(exc).splitlines()[0]})"
        raise NormaliseError(msg) from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def search_key(platform: str, keyword: str) -> str:
    """The checkpoint key of one (platform, keyword) search."""
    return f"search:{platform}:{keyword}"


class MetaContentLibraryConnector(ApiConnector):
    """Searches the Content Library per (platform, keyword); resumable, rate- and budget-aware."""

    def __init__(self, source: MetaContentLibrarySource, state: ConnectorState, clock: Clock | None = None,
                 environ: dict[str, str] | None = None, page_limit: int = PAGE_LIMIT) -> None:
        super().__init__(source, state, clock, environ)
        self.page_limit = max(1, min(page_limit, PAGE_LIMIT))
        saved = self.state.checkpoint("quota") or {}
        self.queries: deque[datetime] = deque(_parse(moment) for moment in saved.get("queries", []))
        self.buckets: list[list[Any]] = [[_parse(last), int(count)] for last, count in saved.get("records", [])]
        self._quota_failures = 0
        self._sent_this_poll: dict[str, str] = {}

    # -- credentials, rate limit and budget ------------------------------------------------

    def _token(self) -> str:
        token = self.environ.get(self.source.access_token_env)
        if not token:
            msg = (f"connector {self.name}: set the environment variable {self.source.access_token_env} "
                   f"to a Meta Content Library API access token")
            raise ConnectorFatal(msg)
        return token

    def _refused(self, failure: ApiFailure, token: str) -> ConnectorFatal:
        message = failure.message.replace(token, "<token>")
        if failure.action is Action.REFRESH_TOKEN:
            return ConnectorFatal(
                f"connector {self.name}: the access token in {self.source.access_token_env} was refused "
                f"(OAuthException {failure.code}: {message}); create a new Content Library API token "
                f"and set {self.source.access_token_env}")
        return ConnectorFatal(f"connector {self.name}: {failure.path}: HTTP {failure.status} {failure.code}: "
                              f"{message}")

    def _prune(self, now: datetime) -> None:
        while self.queries and self.queries[0] + MINUTE <= now:
            self.queries.popleft()
        self.buckets = [bucket for bucket in self.buckets if bucket[0] + WEEK > now]

    def records_used(self) -> int:
        """Records retrieved in the last seven days, as counted here."""
        self._prune(self.clock.now())
        return sum(count for _, count in self.buckets)

    def _count_records(self, count: int) -> None:
        now = self.clock.now()
        hour = now.replace(minute=0, second=0, microsecond=0)
        if self.buckets and self.buckets[-1][0].replace(minute=0, second=0, microsecond=0) == hour:
            self.buckets[-1] = [now, self.buckets[-1][1] + count]
        elif count:
            self.buckets.append([now, count])

    def _quota_checkpoint(self) -> dict[str, Any]:
        self._prune(self.clock.now())
        return {"queries": [_iso(moment) for moment in self.queries],
                "records": [[_iso(last), count] for last, count in self.buckets]}

    def quota_status(self) -> str:
        """Records used in the rolling week and queries sent in the last minute, against the limits."""
        used = self.records_used()
        return (f"{used}/{self.source.weekly_records} records used in the last 7 days, "
                f"{len(self.queries)}/{self.source.queries_per_minute} queries in the last minute")

    def _wait_for_room(self, stop: threading.Event) -> int | None:
        """Wait until a query may be sent and records remain; the page size to ask for, or None if stopped."""
        while not stop.is_set():
            now = self.clock.now()
            self._prune(now)
            remaining = self.source.weekly_records - sum(count for _, count in self.buckets)
            if remaining <= 0:
                log.info("connector %s: weekly record budget spent (%s); waiting for the oldest records to "
                         "leave the 7-day window", self.name, self.quota_status())
                if sleep_until(self.clock, self.buckets[0][0] + WEEK, stop):
                    return None
                continue
            if len(self.queries) >= self.source.queries_per_minute:
                if sleep_until(self.clock, self.queries[0] + MINUTE, stop):
                    return None
                continue
            self.queries.append(now)
            return min(self.page_limit, remaining)
        return None

    # -- searching ---------------------------------------------------------------------------

    def _url(self, params: dict[str, Any], token: str) -> str:
        query = urllib.parse.urlencode({**params, "access_token": token})
        return f"{self.source.base_url.rstrip('/')}{SEARCH_PATH}?{query}"

    def _page(self, params: dict[str, Any], stop: threading.Event) -> dict[str, Any] | None:
        """One search page, through every failure the table allows; ``None`` if stopped."""
        token = self._token()
        attempt = 0
        while not stop.is_set():
            limit = self._wait_for_room(stop)
            if limit is None:
                return None
            try:
                answer = self.request_json("GET", self._url({**params, "limit": limit}, token))
                if not isinstance(answer.get("data"), list):
                    raise ApiFailure(Action.RETRY, 200, "malformed_response", "the answer has no data list",
                                     SEARCH_PATH)
            except ApiFailure as failure:
                action = failure.action
                if action is Action.WAIT_QUOTA:
                    self._quota_failures += 1
                    wait = backoff(self._quota_failures - 1, base=QUOTA_WAIT, cap=QUOTA_WAIT_CAP, jitter=False)
                    log.info("connector %s: rate limited (%s %s); waiting %.0f s", self.name, failure.status,
                             failure.code, wait)
                    if self.clock.sleep(wait, stop):
                        return None
                elif action is Action.RETRY:
                    attempt += 1
                    log.warning("connector %s: %s (attempt %d)", self.name, failure, attempt)
                    if self.clock.sleep(backoff(attempt), stop):
                        return None
                elif action is Action.RESTART_SEARCH and params.get("after"):
                    raise  # the caller searches the window again from its start
                else:
                    raise self._refused(failure, token) from None
                continue
            self._quota_failures = 0
            return answer
        return None

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """Each (platform, keyword) search's posts since its high-water mark, within the quotas, until ``stop``."""
        while not stop.is_set():
            self._sent_this_poll = {}
            for platform in self.source.platforms:
                for keyword in self.source.keywords:
                    yield from self._search(platform, keyword, stop)
                    if stop.is_set():
                        return
            if self.clock.sleep(self.source.poll_interval.total_seconds(), stop):
                return

    def _search(self, platform: str, keyword: str, stop: threading.Event) -> Iterator[SourceRecord]:
        key = search_key(platform, keyword)
        saved = self.state.checkpoint(key) or {}
        high_water = saved.get("until")
        active = saved.get("active")
        if not active:  # a new search: from the high-water mark (less the overlap) up to now
            now = self.clock.now()
            since = _parse(high_water) - OVERLAP if high_water else now - self.source.since
            active = {"since": _iso(since), "until": _iso(now), "after": None}
        restarts = 0
        while not stop.is_set():
            params = {"platform": platform, "q": keyword, "country": self.source.country,
                      "since": active["since"], "until": active["until"]}
            if active["after"]:
                params["after"] = active["after"]
            try:
                answer = self._page(params, stop)
            except ApiFailure as failure:  # RESTART_SEARCH of a cursor: everything else is handled in _page
                restarts += 1
                log.info("connector %s: %s; searching %s again from the start of its window (restart %d)",
                         self.name, failure.message, key, restarts)
                if self.restart_pause(restarts, stop):
                    return
                active = {**active, "after": None}
                continue
            if answer is None:
                return
            items = answer["data"]
            self._count_records(len(items))
            paging = object_at(answer, "paging")
            cursors = object_at(paging, "cursors")
            after = cursors.get("after")
            more = bool(paging.get("next")) and bool(after)
            if more and after == active["after"] and not items:
                log.warning("connector %s: %s answered an empty page that does not advance; ending this search",
                            self.name, key)
                more = False
            if more:
                active = {**active, "after": after}
                progress = {"until": high_water, "active": active}
            else:
                progress = {"until": active["until"], "active": None}
            collected_at = self.clock.now()
            for item in items:
                record = self._record(item, platform, collected_at)
                if record is not None:
                    yield record
            yield SourceRecord(None, b"", produce=False,
                               checkpoint={key: progress, "quota": self._quota_checkpoint()})
            if not more:
                return

    def _record(self, item: Any, platform: str, collected_at: datetime) -> SourceRecord | None:
        raw = raw_bytes(item)
        if not isinstance(item, dict):
            return SourceRecord(None, raw, failure="meta_content_library: an item is not a JSON object")
        warnings: list[str] = []
        try:
            post = to_post(item, platform, collected_at, warnings)
            value, digest = encode_post(post)
        except NormaliseError as exc:
            return SourceRecord(None, raw, failure=str(exc))
        except ValueError as exc:
            return SourceRecord(None, raw, failure=f"meta_content_library: {exc}")
        if self._sent_this_poll.get(post.post_id) == digest:
            return None  # found again by another keyword in this poll
        self._sent_this_poll[post.post_id] = digest
        return SourceRecord(post.post_id, value, digest=digest, warnings=tuple(warnings),
                            authors=post_author_refs(post))

    # -- checking ----------------------------------------------------------------------------

    def check(self) -> str:
        """One one-record search, to validate the token; report the budget use."""
        token = self._token()
        now = self.clock.now()
        params = {"platform": self.source.platforms[0], "q": self.source.keywords[0],
                  "country": self.source.country, "since": _iso(now - timedelta(hours=1)), "until": _iso(now),
                  "limit": 1}
        self._prune(now)
        self.queries.append(now)
        try:
            answer = self.request_json("GET", self._url(params, token))
        except ApiFailure as failure:
            if failure.action in (Action.RETRY, Action.WAIT_QUOTA):
                raise  # no answer about the token yet: the API is down, failing or limiting us
            raise self._refused(failure, token) from None
        self._count_records(len(answer.get("data") or []))
        self.state.commit([], {"quota": self._quota_checkpoint()})
        return f"access token accepted by {self.source.base_url}; {self.quota_status()}"
