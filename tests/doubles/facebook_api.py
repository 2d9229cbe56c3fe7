"""A loopback HTTP server that plays the Facebook Graph API's page feed, with its documented semantics.

``GET /v21.0/{page}/posts?fields=...&since=&until=&limit=&after=&access_token=`` answers
``{"data": [...], "paging": {"cursors": {"before", "after"}, "next": url}}``, newest first, at
most ``max_limit`` posts a page (the Graph API returns fewer than asked for when it likes), no
``next`` on the last page, ``{"data": []}`` when nothing matches. A page is found by numeric id
or username. Errors come as ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}``: 190/463 for an expired token, 190 for an unparseable one, 100/33 for a page
that does not exist, 4 when the app's rolling-hour request limit is spent. Faults a test
scripts in advance hit the next feed requests in order: "500", "rate_limit" (429, code 4),
"page_rate_limit" (400, code 32), "user_rate_limit" (403, code 17), "empty_page" (no posts but a
``next`` link, as Graph does when it filters a page), "malformed_item" (the first post loses its
``created_time``), "bad_request" (400, code 100: a field the node does not have). Time comes
from the shared fake clock: posts become visible at their ``created_time`` and scheduled
reaction counts change at their time.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from tests.doubles.loopback import LoopbackServer
from tests.doubles.tiktok_api import FakeClock

VERSION = "v21.0"


def graph_time(moment: datetime) -> str:
    """How the Graph API writes a time: ``2026-11-21T12:00:00+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class FacebookPage:
    """A public page and its posts (API objects, ``created_time`` as the Graph API writes it)."""

    def __init__(self, page_id: str, name: str, username: str | None = None) -> None:
        self.id, self.name, self.username = page_id, name, username
        self.posts: list[dict[str, Any]] = []

    def graph_id(self, number: int) -> str:
        """The Graph id of post ``number``: ``<page id>_<post id>``, whose post id is unique across
        pages, as Facebook's are (it is the post's key in Siaga)."""
        return f"{self.id}_{self.id}{number:05d}"

    def post(self, number: int, created: datetime, message: str | None = "", *, reactions: int = 0,
             comments: int = 0, shares: int = 0) -> dict[str, Any]:
        post_id = self.graph_id(number)
        item: dict[str, Any] = {
            "id": post_id,
            "created_time": graph_time(created),
            "permalink_url": f"https://www.facebook.com/{self.username or self.id}/posts/{post_id.partition('_')[2]}",
            "from": {"id": self.id, "name": self.name},
            "reactions": {"data": [], "summary": {"total_count": reactions}},
            "comments": {"data": [], "summary": {"total_count": comments}},
        }
        if message is not None:
            item["message"] = message
        if shares:
            item["shares"] = {"count": shares}
        self.posts.append(item)
        return item


class FacebookGraphDouble(LoopbackServer):
    """The Graph API's state: pages, the token, the app's hourly limit and scripted faults."""

    def __init__(self, clock: FakeClock, pages: list[FacebookPage], *, token: str = "EAAG-page-token-123",
                 hourly_requests: int = 200, max_limit: int = 100) -> None:
        self.clock = clock
        self.pages = pages
        self.token = token
        self.token_expires: datetime | None = None
        self.hourly_requests = hourly_requests
        self.max_limit = max_limit
        self.faults: list[str] = []
        self.updates: list[tuple[datetime, str, int]] = []
        """Scheduled reaction counts: (from when, post id, new total)."""
        self.requests: list[tuple[datetime, str, dict[str, str]]] = []
        """Every feed request: when, the page asked for, its query (without the token)."""
        self.answered: list[float] = []
        self.calls: Counter[str] = Counter()
        self._serve_get()

    @property
    def url(self) -> str:
        """The base URL with the Graph API version, as connectors are configured."""
        return f"{super().url}/{VERSION}"

    content_type = "application/json; charset=UTF-8"

    def answer_get(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        segments = [urllib.parse.unquote(s) for s in path.split("/") if s]
        if len(segments) == 3 and segments[0] == VERSION and segments[2] == "posts":
            return self.feed(segments[1], params)
        return 400, self.error(100, f"Unknown path components: /{'/'.join(segments[1:])}", "OAuthException")

    @staticmethod
    def error(code: int, message: str, kind: str = "OAuthException", subcode: int | None = None) -> dict[str, Any]:
        error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}
        if subcode is not None:
            error["error_subcode"] = subcode
        return {"error": error}

    def find(self, page: str) -> FacebookPage | None:
        return next((p for p in self.pages if page in (p.id, p.username)), None)

    def feed(self, page_name: str, query: dict[str, str]) -> tuple[int, Any]:
        self.calls["feed"] += 1
        now = self.clock.now()
        token = query.pop("access_token", None)
        self.requests.append((now, page_name, dict(query)))
        if token != self.token:
            return 400, self.error(190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_expires is not None and now >= self.token_expires:
            expired = self.token_expires.strftime("%A, %d-%b-%y %H:%M:%S UTC")
            return 401, self.error(190, f"Error validating access token: Session has expired on {expired}. "
                                        f"The current time is {now.strftime('%A, %d-%b-%y %H:%M:%S UTC')}.",
                                   subcode=463)
        hour_ago = now.timestamp() - 3600
        self.answered = [t for t in self.answered if t > hour_ago]
        if len(self.answered) >= self.hourly_requests:
            self.calls["over_limit"] += 1
            return 429, self.error(4, "(#4) Application request limit reached", subcode=None)
        self.answered.append(now.timestamp())
        fault = self.faults.pop(0) if self.faults else None
        if fault == "500":
            return 500, self.error(2, "An unexpected error has occurred. Please retry your request later.")
        if fault == "rate_limit":
            return 429, self.error(4, "(#4) Application request limit reached")
        if fault == "page_rate_limit":
            return 400, self.error(32, "(#32) Page request limit reached")
        if fault == "user_rate_limit":
            return 403, self.error(17, "(#17) User request limit reached")
        if fault == "bad_request":
            return 400, self.error(100, "(#100) Tried accessing nonexisting field (form) on node type (Page)")
        page = self.find(page_name)
        if page is None:
            return 400, self.error(
                100, f"Unsupported get request. Object with ID '{page_name}' does not exist, cannot be loaded due "
                     "to missing permissions, or does not support this operation. Please read the Graph API "
                     "documentation at https://developers.facebook.com/docs/graph-api", subcode=33)
        for when, post_id, total in self.updates:
            if now >= when:
                for post in page.posts:
                    if post["id"] == post_id:
                        post["reactions"]["summary"]["total_count"] = total
        limit = min(int(query.get("limit", 25)), self.max_limit)
        since = int(query["since"]) if "since" in query else None
        until = int(query["until"]) if "until" in query else None
        visible = sorted(
            (p for p in page.posts if self._stamp(p) <= now.timestamp()
             and (since is None or self._stamp(p) >= since) and (until is None or self._stamp(p) <= until)),
            key=lambda p: (self._stamp(p), p["id"]), reverse=True)
        if "after" in query:
            after = self._decode(query["after"])
            visible = [p for p in visible if (self._stamp(p), p["id"]) < after]
        if fault == "empty_page":  # a fresh cursor for the same position: the next page is the real one
            chunk, more = [], bool(visible)
            after_cursor = self._cursor(*self._decode(query["after"])) if "after" in query else self._cursor(1e12, "")
        else:
            chunk = [json.loads(json.dumps(p)) for p in visible[:limit]]
            more = len(visible) > limit
            after_cursor = self._encode(chunk[-1]) if chunk else None
        if not chunk and not more:
            return 200, {"data": []}
        answer: dict[str, Any] = {"data": chunk}
        paging: dict[str, Any] = {}
        if chunk:
            paging["cursors"] = {"before": self._encode(chunk[0]), "after": after_cursor}
        if fault == "malformed_item" and chunk:
            del chunk[0]["created_time"]
        if more:
            next_query = {**query, "access_token": token}
            if after_cursor:
                next_query["after"] = after_cursor
            link = f"https://graph.facebook.com/{VERSION}/{page.id}/posts"  # Graph's own host, not ours
            paging["next"] = f"{link}?{urllib.parse.urlencode(next_query)}"
        answer["paging"] = paging
        return 200, answer

    @staticmethod
    def _stamp(post: dict[str, Any]) -> float:
        return datetime.strptime(post["created_time"], "%Y-%m-%dT%H:%M:%S%z").timestamp()

    def _encode(self, post: dict[str, Any]) -> str:
        return self._cursor(self._stamp(post), post["id"])

    def _cursor(self, stamp: float, post_id: str) -> str:
        # Opaque, and never the same twice (like Graph's): the request count rides along.
        key = json.dumps([stamp, post_id, self.calls["feed"]]).encode()
        return base64.urlsafe_b64encode(key).decode().rstrip("=")

    @staticmethod
    def _decode(cursor: str) -> tuple[float, str]:
        stamp, post_id, _ = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return float(stamp), str(post_id)
