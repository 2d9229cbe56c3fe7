"""A loopback HTTP server that plays the Meta Content Library search API, Graph-API style.

``GET /content_library/search?platform=&q=&country=&since=&until=&limit=&after=&access_token=``
answers pages of at most ``limit`` (≤ 100) posts, newest first, with Graph paging
(``paging.cursors.after`` and, unless it is the last page, ``paging.next``). Cursors are opaque
and point after the last post returned, so a post indexed while a search pages is not skipped
in what follows it. The double plays Meta's documented limits (60 synchronous queries over any
one-minute interval, 500,000 records per rolling seven days) and the Graph error bodies:
OAuthException 190 for an invalid or expired token, 613 / 4 / 17 for too many calls, code 2 on
500s, 100 for an invalid parameter or cursor. Faults are scripted in advance; time comes from
the same FakeClock the connector uses, so days pass in milliseconds.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.doubles.loopback import LoopbackServer
from tests.doubles.tiktok_api import FakeClock

__all__ = ["FakeClock", "Hosted", "MetaContentLibraryDouble"]

WEEK = timedelta(days=7)
MINUTE = timedelta(seconds=60)


@dataclass
class Hosted:
    """One post the library holds: its platform, country and the item the API returns."""

    platform: str
    item: dict[str, Any]
    country: str = "ID"

    @property
    def created(self) -> datetime:
        return _time(self.item["creation_time"])


@dataclass
class Request:
    """One search request as the double saw it (the token left out)."""

    at: datetime
    params: dict[str, str]
    status: int = 200
    returned: int = 0


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _graph_error(code: int, message: str, *, kind: str = "OAuthException", subcode: int | None = None,
                 transient: bool = False) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return {"error": error}


class MetaContentLibraryDouble(LoopbackServer):
    """The library's state: posts, the token, the limits, the request log and scripted faults.

    Faults (``self.faults``, consumed in order by otherwise valid search requests): ``"500"``,
    ``"rate_limit"`` (429, code 613), ``"app_limit"`` (400, code 4), ``"user_limit"`` (400,
    code 17), ``"expire_token"`` (the token expires now: 401, code 190), ``"empty_page"`` (an
    empty page that still has a next page), ``"invalid_cursor"`` (a request that pages with
    ``after`` is refused: 400, code 100), ``"malformed_item"`` (the first post of the page loses
    its ``id``), ``"bad_time"`` (its ``creation_time`` is not a time), ``"not_object"`` (a string
    is added to the page), ``"forbidden"`` (403, code 10: the researcher's
    access was withdrawn), ``"none"`` (no fault: lets a test place the next one). Faults that
    need items or a cursor wait for a request that has them.
    """

    def __init__(self, clock: FakeClock, posts: list[Hosted], *, access_token: str = "mcl-token-4b1d",
                 queries_per_minute: int = 60, weekly_records: int = 500_000,
                 index_delay: timedelta = timedelta(minutes=5)) -> None:
        self.clock = clock
        self.posts = posts
        self.access_token = access_token
        self.token_expired = False
        self.queries_per_minute = queries_per_minute
        self.weekly_records = weekly_records
        self.index_delay = index_delay
        self.faults: list[str] = []
        self.applied: list[tuple[str, str | None]] = []
        """Faults played, with the post id (``platform:id``) of the post they corrupted, if any."""
        self.requests: list[Request] = []
        self.served: list[tuple[datetime, int]] = []
        self.calls: Counter[str] = Counter()
        self._serial = 0
        self._serve_get()

    def answer_get(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        if path == "/content_library/search":
            return self.search(params)
        return 404, _graph_error(803, f"Unknown path {path}")

    # -- what tests ask ------------------------------------------------------------------------

    def max_queries_in_a_minute(self) -> int:
        """The most search requests received in any 60 s."""
        times = [request.at for request in self.requests]
        return max((sum(1 for other in times if moment <= other < moment + MINUTE) for moment in times), default=0)

    def max_records_in_a_week(self) -> int:
        """The most records served in any rolling seven days."""
        return max((sum(count for other, count in self.served if moment <= other < moment + WEEK)
                    for moment, _ in self.served), default=0)

    def searches(self, platform: str, keyword: str) -> list[Request]:
        """The successful requests of one (platform, keyword) search, in order."""
        return [r for r in self.requests if r.params.get("platform") == platform and r.params.get("q") == keyword
                and r.status == 200]

    def matching(self, platform: str, keyword: str, since: datetime, until: datetime,
                 country: str = "ID") -> list[dict[str, Any]]:
        """What a search finds now, newest first."""
        now = self.clock.now()
        found = [hosted.item for hosted in self.posts
                 if hosted.platform == platform and hosted.country == country
                 and keyword.lower() in str(hosted.item.get("text", "")).lower()
                 and since <= hosted.created < until and hosted.created + self.index_delay <= now]
        return sorted(found, key=lambda item: (item["creation_time"], item["id"]), reverse=True)

    # -- the API -----------------------------------------------------------------------------

    def _cursor(self, item: dict[str, Any] | None, position: dict[str, Any] | None = None) -> str:
        self._serial += 1
        where = {"t": item["creation_time"], "id": item["id"]} if item is not None else dict(position or {})
        where["n"] = self._serial
        return base64.urlsafe_b64encode(json.dumps(where).encode()).decode().rstrip("=")

    @staticmethod
    def _position(cursor: str) -> dict[str, Any]:
        padded = cursor + "=" * (-len(cursor) % 4)
        where = json.loads(base64.urlsafe_b64decode(padded))
        return {"t": where["t"], "id": where["id"]}

    def _pop_fault(self, page_has_items: bool, has_cursor: bool) -> str | None:
        if not self.faults:
            return None
        fault = self.faults[0]
        if fault in ("malformed_item", "bad_time", "not_object") and not page_has_items:
            return None
        if fault == "invalid_cursor" and not has_cursor:
            return None
        return self.faults.pop(0)

    def search(self, params: dict[str, str]) -> tuple[int, Any]:
        self.calls["search"] += 1
        now = self.clock.now()
        token = params.pop("access_token", None)
        request = Request(now, dict(params))
        self.requests.append(request)
        status, answer = self._search(request, token, params)
        request.status = status
        return status, answer

    def _search(self, request: Request, token: str | None, params: dict[str, str]) -> tuple[int, Any]:
        now = request.at
        if token != self.access_token:
            return 401, _graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_expired:
            return 401, _graph_error(190, "Error validating access token: Session has expired on Tuesday, "
                                          "24-Nov-26 10:00:00 PST.", subcode=463)
        recent = sum(1 for r in self.requests if now - MINUTE < r.at <= now)
        if recent > self.queries_per_minute:
            self.calls["rate_refused"] += 1
            return 429, _graph_error(613, "Calls to this api have exceeded the rate limit.")
        try:
            platform, keyword = params["platform"], params["q"]
            since, until = _time(params["since"]), _time(params["until"])
            limit = int(params.get("limit", 25))
        except (KeyError, ValueError):
            return 400, _graph_error(100, "(#100) Invalid parameter")
        if platform not in ("facebook", "instagram") or not 1 <= limit <= 100:
            return 400, _graph_error(100, "(#100) Invalid parameter: platform or limit")
        found = self.matching(platform, keyword, since, until, params.get("country", "ID"))
        after = params.get("after")
        if after:
            try:
                position = self._position(after)
            except (ValueError, KeyError):
                return 400, _graph_error(100, "(#100) Invalid cursor")
            found = [item for item in found if (item["creation_time"], item["id"]) < (position["t"], position["id"])]
        else:
            position = None
        page = [json.loads(json.dumps(item)) for item in found[:limit]]
        fault = self._pop_fault(bool(page), bool(after))
        if fault is not None:
            self.calls[f"fault:{fault}"] += 1
        if fault == "500":
            self.applied.append((fault, None))
            return 500, _graph_error(2, "An unexpected error has occurred. Please retry your request later.",
                                     transient=True)
        if fault == "rate_limit":
            self.applied.append((fault, None))
            return 429, _graph_error(613, "Calls to this api have exceeded the rate limit.")
        if fault == "forbidden":
            self.applied.append((fault, None))
            return 403, _graph_error(10, "(#10) Application does not have permission for this action",
                                     kind="OAuthException")
        if fault == "app_limit":
            self.applied.append((fault, None))
            return 400, _graph_error(4, "Application request limit reached", transient=True)
        if fault == "user_limit":
            self.applied.append((fault, None))
            return 400, _graph_error(17, "User request limit reached", transient=True)
        if fault == "expire_token":
            self.applied.append((fault, None))
            self.token_expired = True
            return 401, _graph_error(190, "Error validating access token: Session has expired on Tuesday, "
                                          "24-Nov-26 10:00:00 PST.", subcode=463)
        if fault == "invalid_cursor":
            self.applied.append((fault, None))
            return 400, _graph_error(100, "(#100) Invalid cursor: the cursor has expired")
        week = sum(count for moment, count in self.served if now - WEEK < moment <= now)
        if week + len(page) > self.weekly_records:
            self.calls["budget_refused"] += 1
            return 429, _graph_error(4, f"Query budget exceeded: {self.weekly_records} records per rolling "
                                        "seven days")
        if fault == "empty_page":
            self.applied.append((fault, None))
            here = position or {"t": "9999-12-31T23:59:59+00:00", "id": "~"}
            cursor = self._cursor(None, here)
            return 200, {"data": [], "paging": {"cursors": {"after": cursor}, "next": self._next(params, cursor)}}
        if fault in ("malformed_item", "bad_time"):
            self.applied.append((fault, f"{platform}:{page[0]['id']}"))
        if fault == "malformed_item":
            del page[0]["id"]
        elif fault == "bad_time":
            page[0]["creation_time"] = "kemarin sore"
        self.served.append((now, len(page)))
        request.returned = len(page)
        served: list[Any] = list(page)
        if fault == "not_object":
            self.applied.append((fault, None))
            served.insert(1, "not a post")
        if not page:
            return 200, {"data": []}
        cursor = self._cursor(found[len(page) - 1])
        paging: dict[str, Any] = {"cursors": {"before": self._cursor(found[0]), "after": cursor}}
        if len(found) > len(page):
            paging["next"] = self._next(params, cursor)
        return 200, {"data": served, "paging": paging}

    def _next(self, params: dict[str, str], cursor: str) -> str:
        query = urllib.parse.urlencode({**params, "after": cursor, "access_token": self.access_token})
        return f"{self.url}/content_library/search?{query}"
