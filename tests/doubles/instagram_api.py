"""A loopback HTTP server that plays the Instagram Graph API hashtag search, as documented.

``GET /<ig user id>?fields=id,username`` answers the business account itself (what
``connectors check`` reads); ``GET /ig_hashtag_search?user_id=&q=`` answers ``{"data": [{"id": …}]}`` with a static id per
hashtag; ``GET /<hashtag id>/recent_media`` (and ``top_media``) pages, newest first, through
the media tagged with the hashtag in the last 24 hours, 50 at most per page, with an opaque
``after`` cursor that marks a position (so media posted meanwhile do not shift later pages) and
``paging.next`` (carrying the access token, as Meta's does) on every page but the last.

Meta's rules played here: 30 unique hashtags per account per rolling 7 days, a hashtag counting
from its first query (search or media) and not again within its 7 days; an optional limit of
calls per rolling hour (code 4); code 190 for an invalid token (HTTP 400) or an expired one
(HTTP 401); and faults a test scripts in advance: 500s, rate-limit answers with codes 4, 17, 32,
613 or HTTP 429, an empty page, a malformed item, a body that is not JSON. Time comes from the
test's ``FakeClock``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.parse
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.doubles.loopback import LoopbackServer
from tests.doubles.tiktok_api import FakeClock

RECENT = timedelta(hours=24)
WEEK = timedelta(days=7)
FIELDS = {"id", "caption", "media_type", "comments_count", "like_count", "permalink", "timestamp"}

# (HTTP status, code, message) of each scripted rate-limit fault; statuses as Meta sends them.
RATE_LIMITS = {
    "rate_limit_4": (403, 4, "(#4) Application request limit reached"),
    "rate_limit_17": (400, 17, "(#17) User request limit reached"),
    "rate_limit_32": (403, 32, "(#32) Page request limit reached"),
    "rate_limit_613": (400, 613, "(#613) Calls to this api have exceeded the rate limit."),
    "429": (429, 4, "(#4) Application request limit reached"),
}


def stamp(moment: datetime) -> str:
    """A time as the Graph API writes it: ``2026-11-24T09:12:33+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def hashtag_id(name: str) -> str:
    """A static, global id per hashtag, as Meta's are."""
    return "178" + str(int(hashlib.sha256(name.encode()).hexdigest(), 16))[:14]


def _cursor(position: tuple[str, str] | None, nonce: int) -> str:
    raw = json.dumps({"pos": position, "n": nonce}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(cursor: str) -> tuple[str, str] | None:
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    position = json.loads(raw)["pos"]
    return tuple(position) if position else None  # type: ignore[return-value]


class InstagramDouble(LoopbackServer):
    """The API's state: media per hashtag, the token, the hashtag budget and scripted faults."""

    def __init__(self, clock: FakeClock, media: dict[str, list[dict[str, Any]]], *,
                 access_token: str = "EAAGig-long-lived-secret-token", ig_user_id: str = "17841400000000042",
                 token_expires: datetime | None = None, hashtag_limit: int = 30,
                 hourly_calls: int | None = None, blocked: frozenset[str] = frozenset()) -> None:
        self.clock = clock
        self.media = media
        self.access_token = access_token
        self.ig_user_id = ig_user_id
        self.token_expires = token_expires
        self.hashtag_limit = hashtag_limit
        self.hourly_calls = hourly_calls
        self.blocked = blocked
        self.ids = {hashtag_id(name): name for name in media}
        self.windows: dict[str, datetime] = {}
        """When each hashtag's current 7-day window began."""
        self.window_log: list[tuple[str, datetime]] = []
        """Every window opened: (hashtag, start)."""
        self.faults: list[str] = []
        self.calls: Counter[str] = Counter()
        self.searches: list[str] = []
        self.media_requests: list[tuple[datetime, str, str | None]] = []
        """(time, hashtag, after cursor) of every answered media page."""
        self.refusals: Counter[str] = Counter()
        self.call_times: list[datetime] = []
        self.nonce = 0
        self._serve_get()

    @staticmethod
    def error(message: str, code: int, kind: str = "OAuthException", **extra: Any) -> dict[str, Any]:
        return {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf", **extra}}

    # -- budget bookkeeping -------------------------------------------------------------------------

    def max_open_windows(self) -> int:
        """The most hashtag windows that were ever open at one moment."""
        return max((sum(start <= moment < start + WEEK for _, start in self.window_log)
                    for _, moment in self.window_log), default=0)

    def _query_hashtag(self, name: str) -> tuple[int, Any] | None:
        now = self.clock.now()
        start = self.windows.get(name)
        if start is not None and now < start + WEEK:
            return None
        open_now = [tag for tag, begun in self.windows.items() if now < begun + WEEK]
        if len(open_now) >= self.hashtag_limit:
            self.refusals["hashtag_limit"] += 1
            # Stand-in for Meta's answer, which is a generic error with this meaning.
            return 400, self.error(f"(#24) Cannot query more than {self.hashtag_limit} unique hashtags "
                                   "in 7 days", 24)
        self.windows[name] = now
        self.window_log.append((name, now))
        return None

    # -- requests --------------------------------------------------------------------------------

    def answer_get(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        self.calls["all"] += 1
        now = self.clock.now()
        token = params.get("access_token")
        if token != self.access_token:
            self.refusals["token"] += 1
            return 400, self.error("Invalid OAuth access token - Cannot parse access token", 190)
        if self.token_expires is not None and now >= self.token_expires:
            self.refusals["token"] += 1
            when = self.token_expires.strftime("%A, %d-%b-%y %H:%M:%S UTC")
            return 401, self.error(f"Error validating access token: Session has expired on {when}. The current "
                                   f"time is {now:%A, %d-%b-%y %H:%M:%S} UTC.", 190, error_subcode=463)
        if self.hourly_calls is not None:
            self.call_times = [t for t in self.call_times if t > now - timedelta(hours=1)]
            if len(self.call_times) >= self.hourly_calls:
                self.refusals["rate_limit"] += 1
                return 403, self.error("(#4) Application request limit reached", 4, is_transient=True)
            self.call_times.append(now)
        is_media = path.endswith(("/recent_media", "/top_media"))
        # Faults about items wait for a media request that has items to spoil.
        applicable = self.faults and (self.faults[0] not in ("empty_page", "malformed_item") or is_media)
        fault = self.faults.pop(0) if applicable else None
        if fault == "500":
            return 500, self.error("An unexpected error has occurred. Please retry your request later.", 2,
                                   is_transient=True)
        if fault in RATE_LIMITS:
            status, code, message = RATE_LIMITS[fault]
            self.refusals["rate_limit"] += 1
            return status, self.error(message, code, is_transient=True)
        if fault == "not_json":
            return 200, b"<html><body>Sorry, something went wrong.</body></html>"
        if path.count("/") == 1 and path[1:].isdigit():  # the IG User node: GET /<ig user id>?fields=id,username
            if path[1:] != self.ig_user_id:
                return 400, self.error(f"Unsupported get request. Object with ID '{path[1:]}' does not exist, "
                                       "cannot be loaded due to missing permissions, or does not support this "
                                       "operation.", 100, "GraphMethodException", error_subcode=33)
            return 200, {"id": self.ig_user_id, "username": "siaga.monitor"}
        if params.get("user_id") != self.ig_user_id:
            return 400, self.error(f"Unsupported get request. Object with ID '{params.get('user_id')}' does not "
                                   "exist, cannot be loaded due to missing permissions, or does not support this "
                                   "operation.", 100, "GraphMethodException", error_subcode=33)
        if path == "/ig_hashtag_search":
            return self.search(params)
        if is_media:
            return self.page(path, params, fault)
        return 400, self.error(f"Unknown path components: {path}", 2500)

    def search(self, params: dict[str, str]) -> tuple[int, Any]:
        self.calls["search"] += 1
        name = params.get("q", "").lower()
        self.searches.append(name)
        if name in self.blocked:
            return 400, self.error("Invalid parameter", 100)
        refused = self._query_hashtag(name)
        if refused is not None:
            return refused
        if name not in self.media:
            return 200, {"data": []}
        return 200, {"data": [{"id": hashtag_id(name)}]}

    def visible(self, name: str) -> list[dict[str, Any]]:
        """The hashtag's media of the last 24 hours, newest first."""
        now = self.clock.now()
        shown = [m for m in self.media[name]
                 if now - RECENT < datetime.fromisoformat(m["timestamp"]) <= now]
        return sorted(shown, key=lambda m: (m["timestamp"], m["id"]), reverse=True)

    def page(self, path: str, params: dict[str, str], fault: str | None) -> tuple[int, Any]:
        self.calls["media"] += 1
        node = path.strip("/").split("/")[0]
        name = self.ids.get(node)
        if name is None:
            return 400, self.error(f"Unsupported get request. Object with ID '{node}' does not exist", 100,
                                   "GraphMethodException", error_subcode=33)
        refused = self._query_hashtag(name)
        if refused is not None:
            return refused
        fields = set(params.get("fields", "id").split(","))
        if not fields <= FIELDS:
            return 400, self.error(f"(#100) Tried accessing nonexisting field ({sorted(fields - FIELDS)[0]})", 100)
        limit = min(int(params.get("limit", 25)), 50)
        after = params.get("after")
        try:
            position = _position(after) if after else None
        except (ValueError, KeyError):
            return 400, self.error("(#100) Invalid cursor", 100)
        self.media_requests.append((self.clock.now(), name, after))
        shown = self.visible(name)
        if position is not None:
            shown = [m for m in shown if (m["timestamp"], m["id"]) < position]
        self.nonce += 1
        if fault == "empty_page" and shown:
            # A page whose items were all filtered out: nothing, but a fresh cursor at the same place.
            return 200, self._with_paging([], path, params, position, more=True)
        page = [{key: value for key, value in m.items() if key in fields} for m in shown[:limit]]
        if fault == "malformed_item" and page:
            del page[0]["timestamp"]
        elif fault == "malformed_item":
            self.faults.insert(0, fault)  # keep it for a page that has items
        last = (shown[len(page) - 1]["timestamp"], shown[len(page) - 1]["id"]) if page else position
        return 200, self._with_paging(page, path, params, last, more=len(shown) > len(page))

    def _with_paging(self, page: list[dict[str, Any]], path: str, params: dict[str, str],
                     last: tuple[str, str] | None, *, more: bool) -> dict[str, Any]:
        if not page and not more:
            return {"data": []}
        after = _cursor(last, self.nonce)
        paging: dict[str, Any] = {"cursors": {"before": _cursor(None, self.nonce), "after": after}}
        if more:
            query = urllib.parse.urlencode({**params, "after": after})
            paging["next"] = f"https://graph.facebook.com/v21.0{path}?{query}"
        return {"data": page, "paging": paging}


__all__ = ["FakeClock", "InstagramDouble", "hashtag_id", "stamp"]
