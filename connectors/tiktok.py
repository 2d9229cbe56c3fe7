"""TikTok Research API: public videos by keyword, hashtag and username in Indonesia.

The API answers ``POST /v2/research/video/query/`` with pages of at most 100 videos, a
``cursor`` and a ``search_id`` that later pages must quote; a search id can expire, and then
the window is searched again from the start (posts already sent are not sent twice). A date
range may span 30 days, but 7-day windows fail less, so the range is split. Access tokens come
from client credentials and last two hours; the connector refreshes five minutes early, and
again on a 401. The daily budget (1,000 requests, 100,000 records, reset 00:00 UTC) is counted
here, so the connector waits for midnight instead of burning requests on 429s.

Progress (each window's cursor and search id, and the day's quota use) is checkpointed after
the posts of each page are acknowledged by Kafka, so a restart resumes mid-window.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from connectors.api import (
    Action,
    ApiConnector,
    ApiFailure,
    Clock,
    ConnectorFatal,
    next_utc_midnight,
    sleep_until,
)
from connectors.base import SourceRecord, encode_post, raw_bytes
from connectors.formats import NormaliseError as FormatError
from connectors.formats import count_of, hashtags_of, mentions_of, raw_fields, warn_of_controls
from connectors.state import ConnectorState
from schemas.config import TikTokSource
from schemas.erasure import post_author_refs
from schemas.errors import NormaliseError
from schemas.post import Post
from schemas.retry import backoff

log = logging.getLogger(__name__)

FIELDS = ("id,video_description,create_time,region_code,share_count,view_count,like_count,comment_count,"
          "hashtag_names,username")
TOKEN_MARGIN = timedelta(minutes=5)
TOKEN_PATH = "/v2/oauth/token/"  # noqa: S105 - the endpoint's path, not a token
QUERY_PATH = "/v2/research/video/query/"
RAW_FIELDS = raw_fields(*FIELDS.split(","), why="TikTok Research API video objects: exactly the fields requested")
"""What ``Post.raw`` keeps of a video: the fields the connector asks for (docs/raw-fields.md)."""


def to_post(video: dict[str, Any], collected_at: datetime, warnings: list[str] | None = None) -> Post:
    """A Research API video object → ``Post``.

    A count the API leaves out (it does for likes the author hid) is unknown, not 0, and noted
    in ``warnings``. Hashtags are ``hashtag_names`` and those in the description; mentions come
    from the description. A NUL in a username (the API returns some) is removed from the handle
    and the URL, with a warning; ``raw`` keeps the original. ``raw`` keeps the fields of
    ``RAW_FIELDS`` only (an answer may carry more than was asked for).
    """
    try:
        native_id = str(video["id"])
        username = str(video["username"])
        created = datetime.fromtimestamp(int(video["create_time"]), UTC)
    except KeyError as exc:
        msg = f"tiktok: missing field {exc.args[0]!r}"
        raise NormaliseError(msg) from None
    except (TypeError, ValueError, OverflowError):
        msg = f"tiktok: create_time {video.get('create_time')!r} is not a Unix time"
        raise NormaliseError(msg) from None
    text = str(video.get("video_description") or "")
    listed = video.get("hashtag_names") or []
    try:
        engagement = {name: count_of("tiktok", video, field, warnings) for name, field in
                      (("likes", "like_count"), ("comments", "comment_count"), ("shares", "share_count"),
                       ("views", "view_count"))}
    except FormatError as exc:
        raise NormaliseError(str(exc)) from None
    fields = {"platform": "tiktok", "native_id": native_id, "author": {"handle": username},
              "url": f"https://www.tiktok.com/@{username}/video/{native_id}"}
    warn_of_controls("tiktok", fields, warnings)
    try:
        return Post(
            **fields,
            text=text,
            hashtags=hashtags_of(text, [str(tag) for tag in listed] if isinstance(listed, list) else []),
            mentions=mentions_of(text),
            created_at=created,
            collected_at=max(collected_at, created),
            engagement=engagement,
            raw=RAW_FIELDS.apply(video),
        )
    except (ValueError, TypeError) as exc:
        msg = f"tiktok: not a valid post ({str(exc).splitlines()[0]})"
        raise NormaliseError(msg) from None


def windows(start: date, end: date, days: int) -> list[tuple[date, date]]:
    """``[start, end]`` cut into windows of at most ``days`` days (both ends inclusive)."""
    result = []
    while start <= end:
        stop = min(start + timedelta(days=days - 1), end)
        result.append((start, stop))
        start = stop + timedelta(days=1)
    return result


class TikTokConnector(ApiConnector):
    """Polls the Research API for the configured query; resumable, quota-aware."""

    def __init__(self, source: TikTokSource, state: ConnectorState, clock: Clock | None = None,
                 environ: dict[str, str] | None = None) -> None:
        super().__init__(source, state, clock, environ)
        self.token: str | None = None
        self.token_expires = datetime.min.replace(tzinfo=UTC)
        self.quota = self.state.checkpoint("quota") or {"day": "", "requests": 0, "records": 0}

    # -- the query ---------------------------------------------------------------------------

    def query(self) -> dict[str, Any]:
        """The Research API query: region AND (any keyword OR hashtag OR username)."""
        anyof = []
        for field, values in (("keyword", self.source.keywords), ("hashtag_name", self.source.hashtags),
                              ("username", self.source.usernames)):
            if values:
                anyof.append({"operation": "IN", "field_name": field, "field_values": list(values)})
        region = {"operation": "EQ", "field_name": "region_code", "field_values": [self.source.region_code]}
        return {"and": [region], "or": anyof}

    # -- tokens and quota --------------------------------------------------------------------

    def _credentials(self) -> dict[str, str]:
        key = self.environ.get(self.source.client_key_env)
        secret = self.environ.get(self.source.client_secret_env)
        if not key or not secret:
            msg = (f"connector {self.name}: set the environment variables {self.source.client_key_env} "
                   f"and {self.source.client_secret_env}")
            raise ConnectorFatal(msg)
        return {"client_key": key, "client_secret": secret, "grant_type": "client_credentials"}

    def _refresh_token(self) -> None:
        """Get a new access token; raise ``ApiFailure`` (retry or wait) or ``ConnectorFatal`` (refused)."""
        try:
            answer = self.request_json("POST", f"{self.source.base_url}{TOKEN_PATH}", form=self._credentials())
        except ApiFailure as failure:
            if failure.action not in (Action.RETRY, Action.WAIT_QUOTA):
                # Refused, or an answer that only makes sense for a search: asking again cannot help.
                msg = f"connector {self.name}: the client credentials were refused ({failure.code})"
                raise ConnectorFatal(msg) from None
            raise
        try:
            token = answer["access_token"]
            lifetime = int(answer.get("expires_in", 7200))
        except (KeyError, TypeError, ValueError):
            raise ApiFailure(Action.RETRY, 200, "malformed_response", "the token answer has no access_token",
                             TOKEN_PATH) from None
        self.token = str(token)
        self.token_expires = self.clock.now() + timedelta(seconds=lifetime)

    def _quota_today(self) -> dict[str, Any]:
        today = self.clock.now().date().isoformat()
        if self.quota["day"] != today:
            self.quota = {"day": today, "requests": 0, "records": 0}
        return self.quota

    def check(self) -> str:
        """Fetch a token with the configured credentials and report today's quota use."""
        self._refresh_token()
        return f"credentials accepted by {self.source.base_url}; {self.quota_status()}"

    def quota_status(self) -> str:
        """Requests and records used today against the daily budget."""
        quota = self._quota_today()
        return (f"{quota['requests']}/{self.source.daily_requests} requests and "
                f"{quota['records']}/{self.source.daily_records} records used on {quota['day']} (UTC)")

    # -- paging ------------------------------------------------------------------------------

    def _page(self, body: dict[str, Any], stop: threading.Event) -> dict[str, Any] | None:
        """One page, through every failure the table allows; ``None`` if stopped.

        The token request is inside the same classified attempt as the query: a token endpoint
        that answers 5xx or refuses connections is retried with the same backoff, never in a
        loop around the search. Only ``RESTART_SEARCH`` leaves this method as ``ApiFailure``.
        """
        attempt = refused = 0
        while not stop.is_set():
            quota = self._quota_today()
            if quota["requests"] >= self.source.daily_requests or quota["records"] >= self.source.daily_records:
                log.info("connector %s: daily budget spent (%s); waiting for 00:00 UTC", self.name,
                         self.quota_status())
                if sleep_until(self.clock, next_utc_midnight(self.clock.now()), stop):
                    return None
                continue
            try:
                if self.token is None or self.clock.now() >= self.token_expires - TOKEN_MARGIN:
                    self._refresh_token()
                quota["requests"] += 1
                return self.request_json("POST", f"{self.source.base_url}{QUERY_PATH}?fields={FIELDS}",
                                    headers={"Authorization": f"Bearer {self.token}"}, body=body)
            except ApiFailure as failure:
                if failure.action is Action.REFRESH_TOKEN:
                    refused += 1
                    if refused > 2:
                        msg = f"connector {self.name}: fresh access tokens are refused too ({failure.code})"
                        raise ConnectorFatal(msg) from None
                    self.token = None
                elif failure.action is Action.WAIT_QUOTA:
                    if "daily" in failure.code:
                        quota["requests"] = self.source.daily_requests
                    elif self.clock.sleep(60, stop):
                        return None
                elif failure.action is Action.RETRY:
                    attempt += 1
                    log.warning("connector %s: %s (attempt %d)", self.name, failure, attempt)
                    if self.clock.sleep(backoff(attempt), stop):
                        return None
                elif failure.action is Action.RESTART_SEARCH and failure.path.endswith(QUERY_PATH):
                    raise  # the caller searches the window again
                else:
                    msg = f"connector {self.name}: {failure}"
                    raise ConnectorFatal(msg) from None
        return None

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """The query's videos, date window by window within the daily quota, poll after poll, until ``stop``."""
        first = True
        while not stop.is_set():
            today = self.clock.now().date()
            if first:
                start = (self.clock.now() - self.source.since).date()
                first = False
            else:
                start = today - timedelta(days=self.source.lookback_days)
            for window in windows(start, today, self.source.window_days):
                yield from self._window(window, stop)
                if stop.is_set():
                    return
            if self.clock.sleep(self.source.poll_interval.total_seconds(), stop):
                return

    def _window(self, window: tuple[date, date], stop: threading.Event) -> Iterator[SourceRecord]:
        key = f"window:{window[0].isoformat()}:{window[1].isoformat()}"
        saved = self.state.checkpoint(key) or {}
        if saved.get("done"):
            if window[1] < self.clock.now().date() - timedelta(days=self.source.lookback_days):
                return  # read to the end, and too old for late videos to appear
            cursor, search_id = 0, None  # a new search sees videos that arrived late
        else:
            cursor, search_id = saved.get("cursor", 0), saved.get("search_id")  # resume
        restarts = 0
        while not stop.is_set():
            body: dict[str, Any] = {
                "query": self.query(),
                "start_date": window[0].strftime("%Y%m%d"),
                "end_date": window[1].strftime("%Y%m%d"),
                "max_count": self.source.max_count,
                "cursor": cursor,
            }
            if search_id:
                body["search_id"] = search_id
            try:
                answer = self._page(body, stop)
            except ApiFailure as failure:  # RESTART_SEARCH only: everything else is handled in _page
                if not search_id and not cursor:
                    # The search itself is refused, not a position in it: asking again cannot help.
                    msg = f"connector {self.name}: {failure}"
                    raise ConnectorFatal(msg) from None
                restarts += 1
                log.info("connector %s: %s; searching window %s again from the start (restart %d)", self.name,
                         failure.message, key, restarts)
                if self.restart_pause(restarts, stop):
                    return
                cursor, search_id = 0, None
                continue
            if answer is None:
                return
            data = answer.get("data") or {}
            videos = data.get("videos") or []
            self._quota_today()["records"] += len(videos)
            cursor = int(data.get("cursor", cursor + len(videos)))
            search_id = data.get("search_id", search_id)
            more = bool(data.get("has_more"))
            checkpoint = {key: {"cursor": cursor, "search_id": search_id, "done": not more}, "quota": self.quota}
            collected_at = self.clock.now()
            for video in videos:
                yield self._record(video, collected_at)
            yield SourceRecord(None, b"", produce=False, checkpoint=checkpoint)
            if not more:
                return

    def _record(self, video: Any, collected_at: datetime) -> SourceRecord:
        raw = raw_bytes(video)
        if not isinstance(video, dict):
            return SourceRecord(None, raw, failure="tiktok: a video is not a JSON object")
        warnings: list[str] = []
        try:
            post = to_post(video, collected_at, warnings)
            value, digest = encode_post(post)
        except NormaliseError as exc:
            return SourceRecord(None, raw, failure=str(exc))
        except ValueError as exc:
            return SourceRecord(None, raw, failure=f"tiktok: {exc}")
        return SourceRecord(post.post_id, value, digest=digest, warnings=tuple(warnings),
                            authors=post_author_refs(post))
