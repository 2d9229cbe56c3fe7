"""Facebook Graph API: the feeds of a watchlist of public pages (local news, candidates' pages).

Each configured page (a numeric page id or a username) is read with
``GET /{page}/posts?fields=...&since=<unix>&limit=100``; the answer comes newest first, in
pages linked by ``paging.next`` (absent on the last page). Only the query of ``next`` is used:
requests always go to the configured ``base_url`` with the current token, so the token that
Facebook embeds in ``next`` is never stored or followed elsewhere.

Checkpoints, per page: ``newest``, the newest ``created_time`` seen by a completed walk, and
the next poll asks for ``since = min(newest - OVERLAP, now - refresh_window)``. The overlap
catches posts that show up in the feed a little late. The refresh window (``refresh_window`` in
the source, one hour by default) is how long a post's reaction, comment and share counts are
refreshed: every poll reads again the posts created within it. A post re-read with new counts
is sent again under the same key (the index updates it); one re-read unchanged is not sent
again (the sent-post digest). A longer window costs requests: about one more per page and
poll for every 100 posts the page published within it. Because a
walk runs from newest to oldest, ``newest`` only moves once a walk reaches its end; while a walk
is under way its progress is saved as ``walk`` (its ``since``, and ``until`` = the oldest post
read so far), and a restart resumes the walk with ``since``/``until`` instead of starting over
or, worse, skipping the posts it had not reached.

Failures, as the one table (``connectors.api.classify``, which reads Graph error codes before
HTTP statuses) classifies them:
- a refused token (190, 102, 2500, or HTTP 401; subcode 463 = expired, 460 = password changed,
  ...): fatal for this connector. Page access tokens are issued and renewed by the operator, not
  by Siaga: there is no refresh here; the message says which environment variable to update.
- rate limits (4, 17, 32, 613, the 800xx business-use-case codes, 429): wait 5 minutes,
  doubling up to an hour while they last (the Graph limits are rolling one-hour windows).
- an object that cannot be read (100 "Unsupported get request" / "does not exist", 803 unknown
  alias, 10 / 200 no permission): that page is skipped for this poll with an error in the log
  and in ``unavailable_pages`` (``siaga connectors check`` lists them); the other pages go on.
  Dead letters are for posts, not for pages.
- 5xx, 1/2 (unknown / temporarily unavailable), timeouts, malformed answers: retry with backoff.
- Anything else (e.g. a bad ``fields`` value): fatal, with Facebook's message.

Budget: at most ``hourly_requests`` requests in any rolling hour (default 200, the Graph API's
app-level allowance per user), counted here and checkpointed, so the connector waits instead
of running into rate-limit errors. Tokens never appear in messages, logs or checkpoints.
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from connectors.api import (
    Action,
    ApiConnector,
    ApiFailure,
    Clock,
    ConnectorFatal,
)
from connectors.base import SourceRecord, encode_post, raw_bytes
from connectors.formats import (
    NormaliseError as FormatError,
)
from connectors.formats import (
    count_of,
    facebook_permalink_username,
    facebook_post_id,
    hashtags_of,
    mentions_of,
    object_at,
    raw_fields,
    strip_tracking,
    warn_of_controls,
)
from connectors.state import ConnectorState
from schemas.config import FacebookPagesSource
from schemas.erasure import post_author_refs
from schemas.errors import NormaliseError
from schemas.post import Post
from schemas.retry import backoff

log = logging.getLogger(__name__)

FIELDS = ("id,message,created_time,permalink_url,from{id,name},shares,"
          "reactions.summary(total_count),comments.summary(total_count)")
RAW_FIELDS = raw_fields(
    "id", "message", "created_time", "from.id", "from.name", "shares.count", "reactions.summary.total_count",
    "comments.summary.total_count", urls=("permalink_url",),
    why="Facebook Graph API page posts: the fields requested, without the reactions' and comments' `data` "
        "(who reacted, other users' comments), which the API adds to a summary")
"""What ``Post.raw`` keeps of a page post (docs/raw-fields.md)."""
PAGE_SIZE = 100
"""Posts asked for per request: the most the ``/posts`` edge returns (it may return fewer)."""
OVERLAP = timedelta(hours=1)
"""How far before the newest post already seen each poll starts again."""
HOURLY_REQUESTS = 200
"""Default request budget per rolling hour, when the source configures none."""
RATE_LIMIT_WAIT = 300.0
RATE_LIMIT_WAIT_MAX = 3600.0
MAX_EMPTY_PAGES = 20
"""Consecutive empty pages that still link a ``next`` page before a walk is given up as looping."""

_USERNAME = re.compile(r"[A-Za-z0-9.]{1,128}")


def _is_username(value: str | None) -> bool:
    """A page username (``kompascom``), as opposed to a numeric page id."""
    if not value:
        return False
    return _USERNAME.fullmatch(value) is not None and not value.isdigit()


def parse_time(value: Any) -> datetime:
    """A Graph API time (``2026-11-21T12:00:00+0000``) as an aware UTC datetime."""
    if not isinstance(value, str):
        raise ValueError(value)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)


def to_post(item: dict[str, Any], collected_at: datetime, page: str | None = None,
            warnings: list[str] | None = None) -> Post:
    """A Graph API page post → ``Post``.

    ``native_id`` is the post part of the Graph id ``<page id>_<post id>``, the key every
    source of a Facebook post shares (``connectors.formats.facebook_post_id``); the whole Graph
    id stays in ``raw``. ``page`` is the configured page the post was read from. The author's
    handle is what the page is called in its URLs, because that is what an officer searches
    for: the configured username if it is one, else the username in ``permalink_url``, else the
    page's numeric id (``from.id``, or the page part of the post id). ``author.id`` is always
    the numeric id and ``from.name`` the display name. A post without ``message`` (a photo, a
    shared link) has empty text. Reactions and comments are unknown (``None``, warned about in
    ``warnings``) when their summary is missing; a missing ``shares`` is 0, because the Graph
    API leaves the field out of a post no one has shared.
    """
    try:
        native_id = item["id"]
        created_time = item["created_time"]
    except KeyError as exc:
        msg = f"facebook: missing field {exc.args[0]!r}"
        raise NormaliseError(msg) from None
    if not isinstance(native_id, str) or not native_id:
        msg = f"facebook: id {native_id!r} is not a Graph post id"
        raise NormaliseError(msg)
    try:
        created = parse_time(created_time)
    except ValueError:
        msg = f"facebook: created_time {created_time!r} is not a Graph API time"
        raise NormaliseError(msg) from None
    author = object_at(item, "from")
    author_id = str(author.get("id") or native_id.partition("_")[0]) or None
    permalink = item.get("permalink_url") if isinstance(item.get("permalink_url"), str) else None
    handle: str | None  # None: no handle anywhere, which the Post's validation refuses with the reason
    if _is_username(page):
        handle = str(page)
    else:
        handle = facebook_permalink_username(permalink) or author_id
    message = item.get("message")
    text = message if isinstance(message, str) else ""
    try:
        engagement = {
            "likes": count_of("facebook", item, "reactions.summary.total_count", warnings),
            "comments": count_of("facebook", item, "comments.summary.total_count", warnings),
            "shares": count_of("facebook", item, "shares.count", warnings, hidden_if_absent=False) or 0,
        }
    except FormatError as exc:
        raise NormaliseError(str(exc)) from None
    fields = {
        "platform": "facebook",
        "native_id": facebook_post_id(native_id),
        "url": strip_tracking(permalink) if permalink else f"https://www.facebook.com/{native_id}",
        "author": {"id": author_id, "handle": handle,
                   "display_name": str(author["name"]) if author.get("name") else None},
    }
    warn_of_controls("facebook", fields, warnings)
    try:
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
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "post"
        msg = f"facebook: not a valid post ({where}: {first['msg']})"
        raise NormaliseError(msg) from None


def describe(failure: ApiFailure) -> str:
    """A failed request for a log line: path, status, Graph code and message (no token, no query)."""
    return f"{failure.path}: HTTP {failure.status}, Graph error {failure.code}: {failure.message}"


class PageUnavailable(Exception):
    """The page does not exist, is not public, or the token may not read it."""


# -- the connector ---------------------------------------------------------------------------


class FacebookPagesConnector(ApiConnector):
    """Polls the feeds of the configured pages; resumable, budgeted, one failing page skipped."""

    def __init__(self, source: FacebookPagesSource, state: ConnectorState, clock: Clock | None = None,
                 environ: dict[str, str] | None = None, hourly_requests: int | None = None) -> None:
        super().__init__(source, state, clock, environ)
        self.hourly_requests = hourly_requests or int(getattr(source, "hourly_requests", HOURLY_REQUESTS))
        self.budget: list[float] = list(self.state.checkpoint("budget") or [])
        """Unix times of the requests made in the last hour."""
        self.unavailable_pages: dict[str, str] = {}
        """Pages skipped in the latest poll, with the reason (logged once; ``check`` probes them live)."""
        self.token: str | None = None

    # -- token and budget --------------------------------------------------------------------

    def _token(self) -> str:
        if self.token is None:
            token = self.environ.get(self.source.access_token_env)
            if not token:
                msg = (f"connector {self.name}: set the environment variable {self.source.access_token_env} "
                       f"to a Facebook page access token")
                raise ConnectorFatal(msg)
            self.token = token
        return self.token

    def _token_refused(self, failure: ApiFailure) -> ConnectorFatal:
        detail = failure.message or failure.code
        if self.token:
            detail = detail.replace(self.token, "***")
        env = self.source.access_token_env
        msg = (f"connector {self.name}: Facebook refused the access token in {env} (Graph error {failure.code}: "
               f"{detail}). Page access tokens are issued and renewed by the operator, not by Siaga: create a "
               f"new one (a long-lived page token or a system-user token), set {env} to it and restart this "
               f"connector; it resumes where it stopped")
        return ConnectorFatal(msg)

    def _budget_wait(self) -> float:
        """Seconds to wait before the next request fits the hourly budget (0: go now)."""
        now = self.clock.now().timestamp()
        self.budget = [t for t in self.budget if t > now - 3600]
        if len(self.budget) < self.hourly_requests:
            return 0.0
        return max(0.001, self.budget[-self.hourly_requests] + 3600 - now)

    def budget_status(self) -> str:
        """Requests made in the last hour against the budget."""
        self._budget_wait()
        return f"{len(self.budget)}/{self.hourly_requests} requests used in the last hour"

    def check(self) -> str:
        """Read one post of every page with the configured token; say which pages cannot be read.

        Raise ``ApiFailure`` when no page got an answer (the API is down, failing or limiting us):
        then nothing is known about the token or the pages, and the check has not passed.
        """
        token = self._token()
        problems = []
        unanswered: list[ApiFailure] = []
        for page in self.source.pages:
            query = urllib.parse.urlencode({"fields": "id", "limit": 1, "access_token": token})
            try:
                self.request_json("GET", f"{self._page_url(page)}?{query}")
            except ApiFailure as failure:
                if failure.action is Action.REFRESH_TOKEN:
                    raise self._token_refused(failure) from None
                if failure.action in (Action.RETRY, Action.WAIT_QUOTA):
                    unanswered.append(failure)
                problems.append(f"{page} ({failure.code}: {failure.message})")
        if len(unanswered) == len(self.source.pages):
            raise unanswered[0]
        readable = len(self.source.pages) - len(problems)
        answer = (f"access token accepted by {self.source.base_url}; {readable} of {len(self.source.pages)} "
                  f"pages readable; {self.budget_status()}")
        return answer + (f"; cannot read {', '.join(problems)}" if problems else "")

    # -- requests ----------------------------------------------------------------------------

    def _page_url(self, page: str) -> str:
        return f"{self.source.base_url.rstrip('/')}/{urllib.parse.quote(page, safe='')}/posts"

    def _get(self, page: str, params: dict[str, Any], stop: threading.Event) -> dict[str, Any] | None:
        """One page of a feed, through every failure the Graph table allows; ``None`` if stopped."""
        attempt = limited = 0
        while not stop.is_set():
            wait = self._budget_wait()
            if wait > 0:
                log.info("connector %s: hourly budget spent (%s); waiting %.0f s", self.name, self.budget_status(),
                         wait)
                if self.clock.sleep(wait, stop):
                    return None
                continue
            self.budget.append(self.clock.now().timestamp())
            query = urllib.parse.urlencode({**params, "access_token": self._token()})
            try:
                answer = self.request_json("GET", f"{self._page_url(page)}?{query}")
                if not isinstance(answer.get("data"), list):
                    raise ApiFailure(Action.RETRY, 200, "malformed_response", "the answer has no data list",
                                     urllib.parse.urlsplit(self._page_url(page)).path)
                return answer
            except ApiFailure as failure:
                action = failure.action
                if action is Action.REFRESH_TOKEN:
                    raise self._token_refused(failure) from None
                if action is Action.SKIP:
                    raise PageUnavailable(f"{failure.code}: {failure.message}") from None
                if action is Action.WAIT_QUOTA:
                    limited += 1
                    pause = backoff(limited - 1, base=RATE_LIMIT_WAIT, cap=RATE_LIMIT_WAIT_MAX, jitter=False)
                    log.warning("connector %s: rate limited (%s); waiting %.0f s", self.name, describe(failure),
                                pause)
                    if self.clock.sleep(pause, stop):
                        return None
                elif action is Action.RETRY:
                    attempt += 1
                    log.warning("connector %s: %s; retrying (attempt %d)", self.name, describe(failure), attempt)
                    if self.clock.sleep(backoff(attempt), stop):
                        return None
                else:
                    msg = f"connector {self.name}: {describe(failure)}"
                    raise ConnectorFatal(msg) from None
        return None

    @staticmethod
    def _next_params(answer: dict[str, Any], params: dict[str, Any]) -> dict[str, Any] | None:
        """The query of the next page (without Facebook's copy of the token); ``None`` on the last page."""
        paging = object_at(answer, "paging")
        link = paging.get("next")
        if not isinstance(link, str) or not link:
            return None
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
        query.pop("access_token", None)
        if not query:  # no query to copy: page on with the cursor
            after = (paging.get("cursors") or {}).get("after")
            if not after:
                return None
            query = {**params, "after": after}
        return query

    # -- polling -----------------------------------------------------------------------------

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """Each watched page's new and recently changed posts, page by page, until ``stop``."""
        while not stop.is_set():
            for page in self.source.pages:
                try:
                    yield from self._feed(page, stop)
                except PageUnavailable as exc:
                    reason = str(exc)
                    if self.unavailable_pages.get(page) != reason:
                        log.error("connector %s: page %r cannot be read and is skipped (%s); check that the page "
                                  "id or username is right and the page is public; the other pages go on",
                                  self.name, page, reason)
                    self.unavailable_pages[page] = reason
                    self.stats.warn(f"page {page!r} cannot be read and was skipped")
                    continue
                if page in self.unavailable_pages:
                    log.info("connector %s: page %r can be read again", self.name, page)
                    self.unavailable_pages.pop(page, None)
                if stop.is_set():
                    return
            if self.clock.sleep(self.source.poll_interval.total_seconds(), stop):
                return

    def _feed(self, page: str, stop: threading.Event) -> Iterator[SourceRecord]:
        """One walk of a page's feed, newest first, from where the last one (or a broken one) left off."""
        key = f"page:{page}"
        saved = self.state.checkpoint(key) or {}
        newest = saved.get("newest")
        walk = saved.get("walk")
        if walk is None:
            now = self.clock.now()
            if newest:
                start = min(parse_time(newest) - OVERLAP, now - self.source.refresh_window)
            else:
                start = now - self.source.since
            walk = {"since": int(start.timestamp()), "until": None, "newest": None}
        params: dict[str, Any] = {"fields": FIELDS, "since": walk["since"], "limit": PAGE_SIZE}
        if walk["until"] is not None:
            params["until"] = walk["until"]
        empty = 0
        while not stop.is_set():
            answer = self._get(page, params, stop)
            if answer is None:
                return
            collected_at = self.clock.now()
            for item in answer["data"]:
                record, created = self._record(item, collected_at, page)
                if created is not None:
                    stamp = created.strftime("%Y-%m-%dT%H:%M:%S+0000")
                    walk["newest"] = max(walk["newest"] or stamp, stamp)
                    oldest = int(created.timestamp()) + 1  # inclusive of posts in the same second
                    walk["until"] = oldest if walk["until"] is None else min(walk["until"], oldest)
                yield record
            following = self._next_params(answer, params)
            empty = 0 if answer["data"] else empty + 1
            if following is not None and (following == params or empty >= MAX_EMPTY_PAGES):
                log.warning("connector %s: page %r keeps linking empty or identical pages; ending this walk",
                            self.name, page)
                following = None
            if following is None:
                done = max(filter(None, (newest, walk["newest"])), default=None)
                yield SourceRecord(None, b"", produce=False,
                                   checkpoint={key: {"newest": done, "walk": None}, "budget": list(self.budget)})
                return
            yield SourceRecord(None, b"", produce=False,
                               checkpoint={key: {"newest": newest, "walk": dict(walk)}, "budget": list(self.budget)})
            params = following

    def _record(self, item: Any, collected_at: datetime, page: str) -> tuple[SourceRecord, datetime | None]:
        raw = raw_bytes(item)
        if not isinstance(item, dict):
            return SourceRecord(None, raw, failure="facebook: a post is not a JSON object"), None
        warnings: list[str] = []
        try:
            post = to_post(item, collected_at, page=page, warnings=warnings)
            value, digest = encode_post(post)
        except NormaliseError as exc:
            return SourceRecord(None, raw, failure=str(exc)), None
        except ValueError as exc:
            return SourceRecord(None, raw, failure=f"facebook: {exc}"), None
        record = SourceRecord(post.post_id, value, digest=digest, warnings=tuple(warnings),
                              authors=post_author_refs(post))
        return record, post.created_at
