"""A loopback HTTP server that plays the TikTok Research API, with the documented semantics.

Client-credentials tokens that expire after two hours, video queries paged by ``cursor`` with
a ``search_id``, a daily request quota that resets at 00:00 UTC, and faults a test scripts in
advance: 500s, rate limiting, an expired search id, a malformed item. Time comes from the same
fake clock the connector uses, so a day of expiries and quota resets passes in milliseconds.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.doubles.loopback import LoopbackServer, write_json


class FakeClock:
    """Time that moves only when someone sleeps; stops the connector once past ``stop_at``."""

    def __init__(self, start: datetime, stop_at: datetime | None = None) -> None:
        self.current = start
        self.stop_at = stop_at
        self.lock = threading.Lock()
        self.slept = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        with self.lock:
            return self.current

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        with self.lock:
            self.current += timedelta(seconds=max(seconds, 0.0))
            self.slept += max(seconds, 0.0)
            self.sleeps.append(max(seconds, 0.0))
            past = self.stop_at is not None and self.current >= self.stop_at
        if past:
            stop.set()
        return stop.is_set()


class TikTokDouble(LoopbackServer):
    """The API's state: videos, tokens, searches, quota and scripted faults."""

    def __init__(self, clock: FakeClock, videos: list[dict[str, Any]], *, daily_requests: int = 1000,
                 client_key: str = "key-123", client_secret: str = "s3cret-xyz") -> None:
        self.clock = clock
        self.videos = sorted(videos, key=lambda v: v["id"])
        self.daily_requests = daily_requests
        self.client_key, self.client_secret = client_key, client_secret
        self.tokens: dict[str, datetime] = {}
        self.searches: dict[str, list[dict[str, Any]]] = {}
        self.expired_searches: set[str] = set()
        self.faults: list[str] = []
        self.token_status: int | None = None
        """When set, the token endpoint answers every request with this HTTP status (a 503, say)."""
        self.token_requests: list[datetime] = []
        """When (on the fake clock) each token request arrived."""
        self.requests_per_day: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._serve(self._handler())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def _send(self, status: int, body: Any) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                write_json(self, status, raw)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                path = urllib.parse.urlsplit(self.path).path
                with double.lock:
                    if path == "/v2/oauth/token/":
                        status, answer = double.token(urllib.parse.parse_qs(body.decode()))
                    elif path == "/v2/research/video/query/":
                        status, answer = double.query(self.headers.get("Authorization", ""), body)
                    else:
                        status, answer = 404, {"error": {"code": "not_found", "message": path}}
                self._send(status, answer)

        return Handler

    @staticmethod
    def _error(code: str, message: str) -> dict[str, Any]:
        return {"data": {}, "error": {"code": code, "message": message, "log_id": "test"}}

    def token(self, form: dict[str, list[str]]) -> tuple[int, Any]:
        self.calls["token"] += 1
        self.token_requests.append(self.clock.now())
        if self.token_status is not None:
            return self.token_status, {"error": "server_error", "error_description": "Service unavailable."}
        if form.get("client_key") != [self.client_key] or form.get("client_secret") != [self.client_secret]:
            return 401, {"error": "invalid_client", "error_description": "Client key or secret is incorrect."}
        token = f"tok-{self.calls['token']}"
        self.tokens[token] = self.clock.now() + timedelta(hours=2)
        return 200, {"access_token": token, "expires_in": 7200, "token_type": "Bearer"}

    def query(self, authorization: str, raw: bytes) -> tuple[int, Any]:
        self.calls["query"] += 1
        now = self.clock.now()
        token = authorization.removeprefix("Bearer ")
        if token not in self.tokens or now >= self.tokens[token]:
            return 401, self._error("access_token_invalid", "The access token is invalid or not found in the request.")
        day = now.astimezone(UTC).date().isoformat()
        if self.requests_per_day[day] >= self.daily_requests:
            return 429, self._error("daily_quota_limit_exceeded", "Daily quota limit exceeded.")
        self.requests_per_day[day] += 1
        body = json.loads(raw)
        search_id = body.get("search_id")
        # An expired search can only hit a request that pages on a search id: keep it until one does.
        applicable = self.faults and (self.faults[0] != "expire_search" or search_id)
        fault = self.faults.pop(0) if applicable else None
        if fault == "500":
            return 500, self._error("internal_error", "Something went wrong. Please try again later.")
        if fault == "rate_limit":
            return 429, self._error("rate_limit_exceeded", "API rate limit exceeded.")
        if fault == "expire_search":
            self.expired_searches.add(search_id)
        if search_id in self.expired_searches:
            return 400, self._error("invalid_params", f"Search Id {search_id} is invalid or expired")
        if search_id is None:
            search_id = f"search-{self.calls['query']}"
            self.searches[search_id] = self.matching(body)
        found = self.searches[search_id]
        cursor, count = int(body.get("cursor", 0)), int(body.get("max_count", 20))
        page = [dict(v) for v in found[cursor : cursor + count]]
        if fault == "malformed_item" and page:
            del page[0]["id"]
        return 200, {
            "data": {"videos": page, "cursor": cursor + len(page), "has_more": cursor + count < len(found),
                     "search_id": search_id},
            "error": {"code": "ok", "message": "", "log_id": "test"},
        }

    def matching(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        start = datetime.strptime(body["start_date"], "%Y%m%d").replace(tzinfo=UTC)
        end = datetime.strptime(body["end_date"], "%Y%m%d").replace(tzinfo=UTC) + timedelta(days=1)
        hashtags = {v for cond in body["query"].get("or", []) if cond["field_name"] == "hashtag_name"
                    for v in cond["field_values"]}
        return [v for v in self.videos
                if start <= datetime.fromtimestamp(v["create_time"], UTC) < end
                and datetime.fromtimestamp(v["create_time"], UTC) <= self.clock.now() - timedelta(days=2)
                and (not hashtags or hashtags & set(v["hashtag_names"]))]
