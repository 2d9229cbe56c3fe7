"""What every platform-API connector shares: a clock, an HTTP JSON client, and one failure table.

Platform APIs fail in a handful of ways, and each way has one right response. ``classify``
is the single table that maps a response to that response: retry with backoff and jitter
(5xx, timeouts), wait for the quota window (429), refresh the token and retry (401 on an
expired token), or stop this connector with a clear message (bad credentials, forbidden,
bad request) while the others keep running. Secrets never appear in messages: errors carry
the status, the platform's error code and message, and the URL path, never headers or bodies
we sent.

The clock is injectable so tests can run a day of quota windows and token expiries in
milliseconds.
"""

from __future__ import annotations

import enum
import json
import random
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError

from schemas.config import Duration
from schemas.errors import SiagaError

_DURATION: TypeAdapter[timedelta] = TypeAdapter(Duration)


class Clock:
    """Wall time and waiting, for the real world."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Wait ``seconds``; return True if ``stop`` was set meanwhile."""
        return stop.wait(max(seconds, 0.0))


GRAPH_RATE_LIMIT_CODES = frozenset({"4", "17", "32", "613"})
"""Graph API error codes for too many calls (application, user, page, custom rate limit).

The Graph-style APIs (Facebook pages, Instagram, Meta Content Library) answer most errors with
HTTP 400 and put the meaning in ``error.code``, so ``classify``'s status table alone cannot
tell a rate limit from a bad request; each of those connectors checks these codes first.
"""
GRAPH_TOKEN_CODE = "190"
"""Graph API OAuthException: the access token expired, was revoked or is invalid."""


class Action(enum.Enum):
    """What to do about a failed request."""

    RETRY = "retry"
    WAIT_QUOTA = "wait for the quota window"
    REFRESH_TOKEN = "refresh the token"
    FATAL = "stop this connector"


@dataclass(frozen=True)
class ApiFailure(Exception):
    """A request that did not succeed, classified."""

    action: Action
    status: int
    code: str
    message: str
    path: str

    def __str__(self) -> str:
        return f"{self.path}: HTTP {self.status} {self.code}: {self.message} → {self.action.value}"


class ConnectorFatal(SiagaError):
    """This connector cannot go on (bad credentials, forbidden, bad configuration)."""


def classify(status: int, code: str, message: str) -> Action:
    """The one table: an HTTP status and the platform's error code → what to do."""
    if status == 429 or "quota" in code or "rate_limit" in code:
        return Action.WAIT_QUOTA
    if status == 401 and ("expired" in code or "expired" in message.lower() or code == "access_token_invalid"):
        return Action.REFRESH_TOKEN
    if status >= 500 or status in (0, 408):
        return Action.RETRY
    return Action.FATAL


def backoff(attempt: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential backoff with full jitter: a random wait up to ``base * 2**attempt``, capped."""
    return random.uniform(0, min(cap, base * 2 ** min(attempt, 20)))  # noqa: S311 - jitter, not crypto


def next_utc_midnight(moment: datetime) -> datetime:
    """When a daily quota that resets at 00:00 UTC resets next."""
    day = moment.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def request_json(method: str, url: str, *, headers: dict[str, str] | None = None, body: Any = None,
                 form: dict[str, str] | None = None, timeout: float = 30.0) -> dict[str, Any]:
    """One HTTP request with a JSON answer; raise ``ApiFailure`` (classified) on any failure."""
    data = None
    all_headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    path = urllib.parse.urlsplit(url).path
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured API URL
            raw = response.read()
    except urllib.error.HTTPError as exc:
        code, message = _error_of(exc.read())
        raise ApiFailure(classify(exc.code, code, message), exc.code, code, message, path) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ApiFailure(Action.RETRY, 0, "connection_error", str(reason), path) from None
    try:
        answer = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiFailure(Action.RETRY, 200, "malformed_response", "the answer is not JSON", path) from None
    if not isinstance(answer, dict):
        raise ApiFailure(Action.RETRY, 200, "malformed_response", "the answer is not a JSON object", path)
    return answer


def _error_of(raw: bytes) -> tuple[str, str]:
    try:
        answer = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "http_error", raw[:200].decode("utf-8", "replace")
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or error.get("type") or "error"), str(error.get("message", ""))
    return "http_error", ""


WIB = ZoneInfo("Asia/Jakarta")


def parse_since(value: str, now: datetime) -> timedelta:
    """How far back ``--since`` reaches from ``now``: a duration (``3d``, ``12h``) or an ISO date or time.

    A date, or a time without an offset, is read in WIB (Asia/Jakarta), the time operators work
    in; ``2026-11-20`` is midnight WIB. Raise ``ValueError`` with a message for anything else,
    or for a moment that is not in the past.
    """
    text = value.strip()
    try:
        reach = _DURATION.validate_python(text)
    except ValidationError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            msg = f"--since {value!r} is neither a duration (3d, 12h, 90m) nor an ISO date or time (2026-11-20)"
            raise ValueError(msg) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=WIB)
        reach = now - moment
    if reach <= timedelta(0):
        msg = f"--since {value!r} is not in the past"
        raise ValueError(msg)
    return reach


def sleep_until(clock: Clock, moment: datetime, stop: threading.Event) -> bool:
    """Wait until ``moment``; True if stopped first."""
    return clock.sleep((moment - clock.now()).total_seconds(), stop)
