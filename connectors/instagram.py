"""Instagram Graph API hashtag search: recent public media per hashtag, for a business account.

Two calls per hashtag: ``GET /ig_hashtag_search?user_id=…&q=<name>`` gives the hashtag's id
(ids are static and global, so each is looked up once and kept), then
``GET /<hashtag id>/recent_media?user_id=…&fields=…&limit=50&after=<cursor>`` pages through the
media tagged with it in the last 24 hours, newest first; ``paging.next`` is absent on the last
page. Nothing older than 24 hours is ever returned, so polls must be less than a day apart and
a connector stopped for longer loses what was posted meanwhile (it says so when it restarts).

The budget. An account may query at most 30 unique hashtags in any rolling 7 days; a hashtag
counts from its first query and later queries within those 7 days do not count again. The
connector keeps, in its checkpoints, each hashtag's id and when its current 7-day window began,
and never has more than ``weekly_hashtags`` windows open at once. Whether Meta counts a
``recent_media`` call on a kept id as a query is not documented, so any use of a hashtag opens
a window here (the safe reading). A window is reserved and saved *before* the request that
opens it, and moved to the time the request succeeded after it, so neither a crash nor a long
retry can make the count here lower than Meta's. Configured hashtags beyond the budget are
skipped, in configuration order (earlier ones have priority), with a warning and an entry in
``over_budget`` / ``budget_status()``; they are picked up when a window closes.

Failures, as the one table (``connectors.api.classify``, Graph error codes before HTTP
statuses) classifies them: a refused token (code 190, HTTP 400 or 401) stops the connector —
long-lived tokens are refreshed by the operator (a new token in the environment, then a
restart), never by this connector; rate limits (codes 4, 17, 32, 613, and 80002, Instagram's
business-use-case limit, answered with HTTP 400, 403 or 429) are waited out; 5xx and transport
errors are retried with backoff. A hashtag search refused for any other reason (Meta gives a
generic error for hashtags it deems sensitive) skips that hashtag and reports it in
``refused``; if every search of a pass is refused, the configuration is wrong and the
connector stops.

Progress. Per hashtag, the newest media time of the last complete pass and the cursor of the
pass in progress are checkpointed after the media of each page are acknowledged by Kafka, so a
restart resumes mid-pass. A pass stops paging once it reaches media no newer than that
checkpoint which was already sent unchanged: everything below it was read by an earlier pass.
Media whose counts changed are sent again (same post id), and paging goes on past them.

Limitations. The API gives no author: ``Post.author.handle`` is the username when the
permalink carries one, else ``unknown:<shortcode>`` (one placeholder per post, so author-grouped
rules neither merge strangers nor fire on a fake "most active account"), else
``instagram_user``. ``native_id`` is the shortcode in the permalink, not the Graph API media id
(which is not the media id scraping tools export), so the same post read here and imported
from Apify or Zeeschuimer is one post id. ``paging.next`` carries the access token in its query
string, so it is only read as "there is more" and never stored or logged; pages are requested
with the ``after`` cursor instead.
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.parse
from collections.abc import Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

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
    hashtags_of,
    instagram_shortcode,
    mentions_of,
    object_at,
    raw_fields,
    strip_tracking,
    warn_of_controls,
)
from connectors.state import ConnectorState
from schemas.config import InstagramHashtagSource
from schemas.erasure import post_author_refs
from schemas.errors import NormaliseError
from schemas.post import Post
from schemas.retry import backoff

log = logging.getLogger(__name__)

FIELDS = "id,caption,media_type,comments_count,like_count,permalink,timestamp"
RAW_FIELDS = raw_fields(*(name for name in FIELDS.split(",") if name != "permalink"), urls=("permalink",),
                        why="Instagram Graph API hashtag media: exactly the fields requested")
"""What ``Post.raw`` keeps of a media object (docs/raw-fields.md)."""
PAGE_SIZE = 50
RECENT_WINDOW = timedelta(hours=24)
"""How far back ``recent_media`` reaches."""
BUDGET_WINDOW = timedelta(days=7)
BUDGET_MARGIN = timedelta(minutes=10)
"""Kept on top of the 7 days, for the difference between our clock and Meta's."""
RATE_WAIT = 300.0
"""First wait after a rate-limit answer (Meta's limits are counted over a rolling hour)."""
RATE_WAIT_CAP = 3600.0
MAX_EMPTY_PAGES = 5
"""Consecutive empty pages with a ``next`` after which a pass is ended anyway."""
PLACEHOLDER_HANDLE = "instagram_user"

_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_SHORTCODE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_MEDIA_KINDS = frozenset({"p", "reel", "reels", "tv"})


def parse_timestamp(value: Any) -> datetime:
    """The Graph API's ``2026-11-24T09:12:33+0000`` as an aware UTC datetime."""
    if not isinstance(value, str):
        raise ValueError(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment.astimezone(UTC)


def handle_from_permalink(permalink: str) -> str:
    """The best author handle a permalink gives (the API returns no username).

    ``https://www.instagram.com/<username>/p/<code>/`` gives the username;
    ``https://www.instagram.com/p/<code>/`` (the usual form) gives ``unknown:<code>``, a
    placeholder that is stable per post; anything else gives ``instagram_user``.
    """
    parts = [part for part in urllib.parse.urlsplit(permalink).path.split("/") if part]
    if len(parts) >= 3 and parts[1] in _MEDIA_KINDS and _USERNAME.match(parts[0]):
        return parts[0]
    if len(parts) >= 2 and parts[0] in _MEDIA_KINDS and _SHORTCODE.match(parts[1]):
        return f"unknown:{parts[1]}"
    return PLACEHOLDER_HANDLE


def to_post(media: dict[str, Any], collected_at: datetime, warnings: list[str] | None = None) -> Post:
    """A Graph API IG Media object (from a hashtag edge) → ``Post``.

    ``native_id`` is the shortcode in the permalink, as for every other source of Instagram
    posts (``connectors.formats.instagram_shortcode``): the Graph API's media id is not the id
    scrapers see, so with it the same post imported from Apify would become a second post. A
    permalink without a shortcode falls back to the media id, with a warning. Hashtags and
    mentions come from the caption only, not from the hashtag that found the media, so a post
    found under two hashtags is the same post with the same digest. A missing ``like_count``
    (the owner hid likes) or ``comments_count`` is unknown, with a warning; Instagram has no
    share count, so shares are unknown too.
    """
    try:
        media_id = str(media["id"])
        permalink = str(media["permalink"])
        stamp = media["timestamp"]
    except KeyError as exc:
        msg = f"instagram: missing field {exc.args[0]!r}"
        raise NormaliseError(msg) from None
    native_id = instagram_shortcode(permalink)
    if native_id is None:
        native_id = media_id
        if warnings is not None:
            warnings.append("instagram: the permalink has no shortcode: the Graph API media id is used as the post "
                            "id, so the same post from another source may not be recognised")
    handle = handle_from_permalink(permalink)
    if warnings is not None and handle == PLACEHOLDER_HANDLE:
        warnings.append(f"instagram: no username in the permalink: the author is {PLACEHOLDER_HANDLE!r}")
    try:
        created = parse_timestamp(stamp)
    except (TypeError, ValueError):
        msg = f"instagram: timestamp {stamp!r} is not an ISO 8601 time with a timezone"
        raise NormaliseError(msg) from None
    caption = media.get("caption") or ""
    if not isinstance(caption, str):
        msg = f"instagram: caption is {type(caption).__name__}, not text"
        raise NormaliseError(msg)
    try:
        engagement = {
            "likes": count_of("instagram", media, "like_count", warnings),  # absent when the owner hides likes
            "comments": count_of("instagram", media, "comments_count", warnings),
        }
    except FormatError as exc:
        raise NormaliseError(str(exc)) from None
    fields = {"platform": "instagram", "native_id": native_id, "url": strip_tracking(permalink),
              "author": {"handle": handle}}
    warn_of_controls("instagram", fields, warnings)
    try:
        return Post(
            **fields,
            text=caption,
            hashtags=hashtags_of(caption),
            mentions=mentions_of(caption),
            created_at=created,
            collected_at=max(collected_at, created),
            engagement=engagement,
            raw=RAW_FIELDS.apply(media),
        )
    except (ValueError, TypeError) as exc:
        msg = f"instagram: not a valid post ({str(exc).splitlines()[0]})"
        raise NormaliseError(msg) from None


def normalise_hashtag(value: str) -> str:
    """How a configured hashtag is queried and counted: no ``#``, lower case."""
    return value.strip().lstrip("#").strip().lower()


class InstagramHashtagConnector(ApiConnector):
    """Polls ``recent_media`` (or ``top_media``) of the configured hashtags within the weekly budget."""

    def __init__(self, source: InstagramHashtagSource, state: ConnectorState, clock: Clock | None = None,
                 environ: dict[str, str] | None = None) -> None:
        super().__init__(source, state, clock, environ)
        self.hashtags: list[str] = []
        for value in source.hashtags:
            tag = normalise_hashtag(value)
            if tag and tag not in self.hashtags:
                self.hashtags.append(tag)
        self.budget: dict[str, dict[str, Any]] = self.state.checkpoint("hashtags") or {}
        """Per hashtag: its ``id`` (or None) and ``since``, when its current 7-day window began."""
        self.over_budget: dict[str, datetime] = {}
        """Configured hashtags skipped for the budget, with when the next window closes."""
        self.refused: dict[str, str] = {}
        """Configured hashtags whose search the API refused or found nothing for, with the reason."""
        if source.poll_interval >= RECENT_WINDOW:
            log.warning("connector %s: poll_interval %s is not under 24 hours; recent_media only reaches 24 "
                        "hours back, so posts will be missed", self.name, source.poll_interval)

    # -- token ----------------------------------------------------------------------------------

    def _token(self) -> str:
        token = self.environ.get(self.source.access_token_env)
        if not token:
            msg = (f"connector {self.name}: set the environment variable {self.source.access_token_env} to a "
                   f"long-lived access token of the account {self.source.ig_user_id}")
            raise ConnectorFatal(msg)
        return token

    def _scrub(self, text: str) -> str:
        token = self.environ.get(self.source.access_token_env)
        return text.replace(token, "***") if token else text

    def _token_refused(self, failure: ApiFailure) -> ConnectorFatal:
        msg = (f"connector {self.name}: the access token in {self.source.access_token_env} was refused "
               f"(HTTP {failure.status}, code {failure.code}: {self._scrub(failure.message)}). Long-lived "
               f"tokens are refreshed by the operator, not by this connector: put a fresh token in "
               f"{self.source.access_token_env} and restart it")
        return ConnectorFatal(msg)

    def check(self) -> str:
        """Read the business account with the token (no hashtag is queried, no budget used); report the budget."""
        query = urllib.parse.urlencode({"fields": "id,username", "access_token": self._token()})
        try:
            account = self.request_json("GET", f"{self.source.base_url}/{urllib.parse.quote(self.source.ig_user_id)}"
                                          f"?{query}")
        except ApiFailure as failure:
            if failure.action is Action.REFRESH_TOKEN:
                raise self._token_refused(failure) from None
            if failure.action in (Action.RETRY, Action.WAIT_QUOTA):
                raise  # no answer about the account yet: the API is down, failing or limiting us
            msg = (f"connector {self.name}: the business account {self.source.ig_user_id} cannot be read (HTTP "
                   f"{failure.status}, code {failure.code}: {self._scrub(failure.message)}); check ig_user_id")
            raise ConnectorFatal(msg) from None
        return (f"access token accepted by {self.source.base_url} for @{account.get('username', '?')} "
                f"({self.source.ig_user_id}); {self.budget_status()}")

    # -- the budget -----------------------------------------------------------------------------

    def _window_open(self, entry: dict[str, Any] | None, now: datetime) -> bool:
        since = entry.get("since") if entry else None
        return since is not None and now < parse_timestamp(since) + BUDGET_WINDOW + BUDGET_MARGIN

    def _open_windows(self, now: datetime) -> list[str]:
        return [tag for tag, entry in self.budget.items() if self._window_open(entry, now)]

    def _next_window_close(self, now: datetime) -> datetime:
        return min(parse_timestamp(self.budget[tag]["since"]) + BUDGET_WINDOW + BUDGET_MARGIN
                   for tag in self._open_windows(now))

    def budget_status(self) -> str:
        """Hashtag windows open against the weekly budget, and what was skipped or refused."""
        now = self.clock.now()
        used = self._open_windows(now)
        status = (f"{len(used)}/{self.source.weekly_hashtags} hashtags queried in the last 7 days"
                  f"{' (' + ', '.join(sorted(used)) + ')' if used else ''}")
        if self.over_budget:
            skipped = ", ".join(f"#{tag} (next slot {when:%Y-%m-%d %H:%M} UTC)"
                                for tag, when in self.over_budget.items())
            status += f"; over budget, skipped: {skipped}"
        if self.refused:
            status += "; refused: " + ", ".join(f"#{tag} ({why})" for tag, why in self.refused.items())
        return status

    def _budget_checkpoint(self) -> dict[str, Any]:
        # Kept: every open window, and the ids of configured hashtags (they never change).
        now = self.clock.now()
        return {"hashtags": {tag: dict(entry) for tag, entry in self.budget.items()
                             if tag in self.hashtags or self._window_open(entry, now)}}

    # -- requests -------------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, Any], stop: threading.Event) -> dict[str, Any] | None:
        """One GET, through every failure the Graph API allows to wait out; ``None`` if stopped.

        Raises ``ConnectorFatal`` for a refused token and ``ApiFailure`` for any other failure
        that retrying cannot fix, for the caller to judge.
        """
        attempt = waits = 0
        while not stop.is_set():
            query = urllib.parse.urlencode({**params, "access_token": self._token()})
            try:
                return self.request_json("GET", f"{self.source.base_url}{path}?{query}")
            except ApiFailure as failure:
                if failure.action is Action.REFRESH_TOKEN:
                    raise self._token_refused(failure) from None
                if failure.action is Action.WAIT_QUOTA:
                    waits += 1
                    seconds = backoff(waits - 1, base=RATE_WAIT, cap=RATE_WAIT_CAP, jitter=False)
                    log.warning("connector %s: rate limited (HTTP %d, code %s: %s); waiting %.0f s", self.name,
                                failure.status, failure.code, self._scrub(failure.message), seconds)
                    if self.clock.sleep(seconds, stop):
                        return None
                elif failure.action is Action.RETRY:
                    attempt += 1
                    log.warning("connector %s: %s (attempt %d)", self.name, self._scrub(str(failure)), attempt)
                    if self.clock.sleep(backoff(attempt), stop):
                        return None
                else:
                    raise
        return None

    # -- polling --------------------------------------------------------------------------------

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """Each hashtag's media within the weekly hashtag budget, poll after poll, until ``stop``."""
        self._token()  # fail before reserving any budget if it is not set
        self._warn_of_gaps()
        while not stop.is_set():
            outcomes = []
            for tag in self.hashtags:
                outcomes.append((yield from self._hashtag(tag, stop)))
                if stop.is_set():
                    return
            attempted = [outcome for outcome in outcomes if outcome != "skipped"]
            if attempted and all(outcome == "refused" for outcome in attempted):
                msg = (f"connector {self.name}: every hashtag search was refused or found nothing "
                       f"({self.budget_status()}); check ig_user_id {self.source.ig_user_id}, the token's "
                       f"permissions and the hashtags")
                raise ConnectorFatal(msg)
            if self.over_budget or self.refused:
                log.info("connector %s: %s", self.name, self.budget_status())
            if self.clock.sleep(self.source.poll_interval.total_seconds(), stop):
                return

    def _warn_of_gaps(self) -> None:
        horizon = self.clock.now() - RECENT_WINDOW
        for tag in self.hashtags:
            newest = (self.state.checkpoint(f"hashtag:{tag}") or {}).get("newest")
            if newest and parse_timestamp(newest) < horizon:
                log.warning("connector %s: #%s was last read up to %s; recent_media only reaches back to %s, "
                            "so media posted in between cannot be collected", self.name, tag, newest,
                            horizon.isoformat())

    def _hashtag(self, tag: str, stop: threading.Event) -> Generator[SourceRecord, None, str]:
        """Read one hashtag; the return value says how: read, refused, skipped or stopped."""
        now = self.clock.now()
        entry = self.budget.get(tag)
        opening = not self._window_open(entry, now)
        if opening:
            if len(self._open_windows(now)) >= self.source.weekly_hashtags:
                frees_at = self._next_window_close(now)
                if self.over_budget.get(tag) != frees_at:
                    log.warning("connector %s: skipping #%s: %d of %d hashtags already queried in the last 7 "
                                "days (Instagram allows 30 per account); next slot at %s", self.name, tag,
                                len(self._open_windows(now)), self.source.weekly_hashtags, frees_at.isoformat())
                self.over_budget[tag] = frees_at
                self.stats.warn(f"#{tag} skipped: over the weekly hashtag budget")
                return "skipped"
            # Reserve the window and save it before the request that opens it.
            entry = {"id": (entry or {}).get("id"), "since": now.isoformat()}
            self.budget[tag] = entry
            yield SourceRecord(None, b"", produce=False, checkpoint=self._budget_checkpoint())
        assert entry is not None  # noqa: S101 - an invariant for the type checker, not a check of input
        self.over_budget.pop(tag, None)
        if entry.get("id") is None:
            params = {"user_id": self.source.ig_user_id, "q": tag}
            try:
                answer = self._get("/ig_hashtag_search", params, stop)
            except ApiFailure as failure:
                reason = f"HTTP {failure.status}, code {failure.code}: {self._scrub(failure.message)}"
                if self.refused.get(tag) != reason:
                    log.warning("connector %s: the search for #%s was refused (%s); skipping it", self.name, tag,
                                reason)
                self.refused[tag] = reason
                self.stats.warn(f"#{tag} skipped: the search was refused")
                return "refused"
            if answer is None:
                return "stopped"
            found = answer.get("data") or []
            if not found or not isinstance(found[0], dict) or not found[0].get("id"):
                if self.refused.get(tag) != "no such hashtag":
                    log.warning("connector %s: Instagram has no hashtag #%s; skipping it", self.name, tag)
                self.refused[tag] = "no such hashtag"
                self.stats.warn(f"#{tag} skipped: Instagram has no such hashtag")
                return "refused"
            entry["id"] = str(found[0]["id"])
            if opening:  # Meta counted the hashtag at some moment up to now: count it from now.
                entry["since"] = self.clock.now().isoformat()
        self.refused.pop(tag, None)
        yield from self._media(tag, entry, opening, stop)
        return "stopped" if stop.is_set() else "read"

    def _media(self, tag: str, entry: dict[str, Any], opening: bool, stop: threading.Event,
               ) -> Iterator[SourceRecord]:
        key = f"hashtag:{tag}"
        saved = self.state.checkpoint(key) or {}
        newest = parse_timestamp(saved["newest"]) if saved.get("newest") else None
        pass_newest = parse_timestamp(saved["pass_newest"]) if saved.get("pass_newest") else None
        after: str | None = saved.get("after")
        resumed = after is not None
        recent = self.source.edge == "recent_media"
        empty_pages = 0
        while not stop.is_set():
            params = {"user_id": self.source.ig_user_id, "fields": FIELDS, "limit": PAGE_SIZE}
            if after:
                params["after"] = after
            try:
                answer = self._get(f"/{entry['id']}/{self.source.edge}", params, stop)
            except ApiFailure as failure:
                if resumed and failure.action is Action.RESTART_SEARCH:
                    log.info("connector %s: #%s: the saved cursor was refused (%s); reading from the newest",
                             self.name, tag, self._scrub(failure.message))
                    after, resumed = None, False
                    continue
                msg = f"connector {self.name}: #{tag}: {self._scrub(str(failure))}"
                raise ConnectorFatal(msg) from None
            if answer is None:
                return
            if opening:  # Meta counted the window from some moment up to now: count it from now.
                entry["since"] = self.clock.now().isoformat()
                opening = False
            media = answer.get("data")
            media = media if isinstance(media, list) else []
            paging = object_at(answer, "paging")
            cursors = object_at(paging, "cursors")
            next_after = cursors.get("after")
            more = bool(paging.get("next")) and isinstance(next_after, str) and next_after != after
            empty_pages = empty_pages + 1 if not media else 0
            if more and empty_pages >= MAX_EMPTY_PAGES:
                log.warning("connector %s: #%s: %d empty pages in a row; ending this pass", self.name, tag,
                            empty_pages)
                more = False
            collected_at = self.clock.now()
            caught_up = False
            for item in media:
                record, created = self._record(item, collected_at)
                if created is not None:
                    if (recent and newest is not None and created <= newest and record.key is not None
                            and record.digest is not None and not self.state.is_new(record.key, record.digest)):
                        caught_up = True  # read by an earlier pass, and nothing about it changed
                        break
                    pass_newest = created if pass_newest is None else max(pass_newest, created)
                yield record
            if caught_up or not more:
                marks = [moment for moment in (newest, pass_newest) if moment is not None]
                done = max(marks).isoformat() if marks else None
                progress = {"newest": done, "pass_newest": None, "after": None}
            else:
                progress = {"newest": newest.isoformat() if newest else None,
                            "pass_newest": pass_newest.isoformat() if pass_newest else None,
                            "after": next_after}
            yield SourceRecord(None, b"", produce=False, checkpoint={key: progress, **self._budget_checkpoint()})
            if caught_up or not more:
                return
            after = next_after

    def _record(self, media: Any, collected_at: datetime) -> tuple[SourceRecord, datetime | None]:
        raw = raw_bytes(media)
        if not isinstance(media, dict):
            return SourceRecord(None, raw, failure="instagram: a media item is not a JSON object"), None
        warnings: list[str] = []
        try:
            post = to_post(media, collected_at, warnings)
            value, digest = encode_post(post)
        except NormaliseError as exc:
            return SourceRecord(None, raw, failure=str(exc)), None
        except ValueError as exc:
            return SourceRecord(None, raw, failure=f"instagram: {exc}"), None
        record = SourceRecord(post.post_id, value, digest=digest, warnings=tuple(warnings),
                              authors=post_author_refs(post))
        return record, post.created_at
