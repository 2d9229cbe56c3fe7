"""What every platform-API connector shares: a clock, an HTTP JSON client, and one failure table.

Platform APIs fail in a handful of ways, and each way has one right response. ``classify``
is the single table, for every API Siaga reads, that maps a failed response to that response
(an ``Action``): retry with backoff and jitter (5xx, timeouts, Graph codes 1 and 2), wait for
the quota or rate window (429, TikTok's quota codes, Graph codes 4, 17, 32, 613, 800xx), get a
new token (401, Graph codes 190, 102, 2500: refreshed where the connector can, else the operator
renews it), search again from the start (an expired search id or cursor), skip the one object
that cannot be read (a Facebook page gone or private: Graph codes 803, 10, 200, 100 "does not
exist"), or stop this connector with a clear message (bad credentials, forbidden, bad request)
while the others keep running. The Graph-style APIs (Facebook pages, Instagram, the Meta
Content Library) answer most errors with HTTP 400 and put the meaning in ``error.code``, so
their numeric codes are read before the HTTP status. Each connector decides only what an
action means in its own scope (a TikTok token is refreshed with the client credentials; a
Graph token is renewed by the operator, so that connector stops and says so).

Secrets never appear in messages: errors carry the status, the platform's error code and
message, and the URL path, never headers or bodies we sent.

The clock is injectable so tests can run a day of quota windows and token expiries in
milliseconds.
"""

from __future__ import annotations

import enum
import json
import os
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from pydantic import TypeAdapter, ValidationError

from connectors.base import Connector, ConnectorStats
from connectors.state import ConnectorState
from schemas.clock import Clock, parse_instant, process_clock
from schemas.config import Duration, Settings
from schemas.errors import SiagaError
from schemas.erasure import SuppressionList
from schemas.retry import backoff

_DURATION: TypeAdapter[timedelta] = TypeAdapter(Duration)


class Action(enum.Enum):
    """What to do about a failed request."""

    RETRY = "retry"
    WAIT_QUOTA = "wait for the quota window"
    REFRESH_TOKEN = "get a new token"
    RESTART_SEARCH = "search again from the start"
    SKIP = "skip this object"
    FATAL = "stop this connector"


GRAPH_CODES: dict[str, Action] = {
    "1": Action.RETRY,  # API Unknown: a temporary issue
    "2": Action.RETRY,  # API Service: a temporary issue
    "4": Action.WAIT_QUOTA,  # application request limit
    "17": Action.WAIT_QUOTA,  # user request limit
    "32": Action.WAIT_QUOTA,  # page request limit
    "613": Action.WAIT_QUOTA,  # custom rate limit
    "190": Action.REFRESH_TOKEN,  # OAuthException: the token expired, was revoked or is invalid
    "102": Action.REFRESH_TOKEN,  # session key invalid
    "2500": Action.REFRESH_TOKEN,  # no active access token
    "803": Action.SKIP,  # an alias (page username) that does not exist
    "10": Action.SKIP,  # no permission to read this object
    "200": Action.SKIP,  # permissions error on this object
}
"""Graph API error codes (Facebook, Instagram, Meta Content Library) with one meaning whatever the status."""
GRAPH_RATE_LIMIT_PREFIX = "800"
"""80001-80014: business-use-case rate limits (Pages, Instagram, ...), all waited out."""
_GONE = ("unsupported get request", "does not exist")
"""Graph code 100 (invalid parameter) with these words: the object is gone or not public."""


def classify(status: int, code: str, message: str) -> Action:
    """The one table: an HTTP status, the platform's error code and its message → what to do."""
    text = message.lower()
    if code in GRAPH_CODES:
        return GRAPH_CODES[code]
    if code.startswith(GRAPH_RATE_LIMIT_PREFIX) and len(code) == 5 and code.isdigit():
        return Action.WAIT_QUOTA
    if code == "100" and any(words in text for words in _GONE):
        return Action.SKIP
    if status == 429 or "quota" in code or "rate_limit" in code:
        return Action.WAIT_QUOTA
    if status == 401:
        return Action.REFRESH_TOKEN
    if status == 400 and ("search id" in text or "cursor" in text) and ("invalid" in text or "expired" in text):
        return Action.RESTART_SEARCH
    if status >= 500 or status in (0, 408):
        return Action.RETRY
    return Action.FATAL


CONNECTION_ERROR = "connection_error"
"""The error code of a request that got no usable HTTP answer (status 0)."""
USER_AGENT = "siaga (public-post monitoring for Indonesian elections)"
"""Sent with every platform request, so a platform's operators can tell our traffic apart."""


@dataclass(frozen=True)
class ApiFailure(SiagaError):
    """A request that did not succeed, classified (``action`` says what the caller should do)."""

    action: Action
    status: int
    code: str
    message: str
    path: str

    def __str__(self) -> str:
        return f"{self.path}: HTTP {self.status} {self.code}: {self.message} → {self.action.value}"


class ConnectorFatal(SiagaError):
    """This connector cannot go on (bad credentials, forbidden, bad configuration)."""


def next_utc_midnight(moment: datetime) -> datetime:
    """When a daily quota that resets at 00:00 UTC resets next."""
    day = moment.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def new_session() -> requests.Session:
    """An HTTP session for one connector: its connections are kept alive from page to page.

    A poll reads tens to hundreds of pages from one host; a new TLS connection per page costs a
    handshake each time (and counts against some platforms' connection limits). requests'
    adapter retries nothing by itself (``max_retries=0``), so every failure reaches ``classify``.
    """
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def request_json(method: str, url: str, *, session: requests.Session | None = None,
                 headers: dict[str, str] | None = None, body: Any = None, form: dict[str, str] | None = None,
                 timeout: float = 30.0) -> dict[str, Any]:
    """One HTTP request with a JSON answer; raise ``ApiFailure`` (classified) on any failure.

    Sent on ``session`` (a connector's own, see ``ApiConnector.http``), or on a session made for
    this one request.
    """
    if session is None:
        with new_session() as own:
            return request_json(method, url, session=own, headers=headers, body=body, form=form, timeout=timeout)
    path = urllib.parse.urlsplit(url).path
    try:
        # stream=True: the status arrives before the body, so an error answer whose body is cut off
        # is still judged by its status (below) rather than taken for no answer at all.
        response = session.request(method, url, headers=headers, json=body, data=form, timeout=timeout,
                                   stream=True)
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema) as exc:
        message = _scrubbed(f"{type(exc).__name__}: {exc}", url)
        raise ApiFailure(Action.FATAL, 0, "invalid_url", message, path) from None
    except requests.exceptions.RequestException as exc:
        raise _no_answer(exc, url, path) from None
    with response:
        status = response.status_code
        try:
            raw = response.content
        except requests.exceptions.RequestException as exc:
            if 200 <= status < 300:
                raise _no_answer(exc, url, path) from None
            raw = b""  # the error's body was cut off: the status alone decides
    if not 200 <= status < 300:
        code, message = _error_of(raw)
        raise ApiFailure(classify(status, code, message), status, code, message, path)
    try:
        answer = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiFailure(Action.RETRY, 200, "malformed_response", "the answer is not JSON", path) from None
    if not isinstance(answer, dict):
        raise ApiFailure(Action.RETRY, 200, "malformed_response", "the answer is not a JSON object", path)
    return answer


def _no_answer(exc: requests.exceptions.RequestException, url: str, path: str) -> ApiFailure:
    """No answer, or a broken one, as a failure with status 0: retried with backoff by the table.

    Refused or reset connections, timeouts, TLS failures, a connection closed before the status
    line or inside the body, a garbled status line: never left to end the connector's thread.
    The message names the underlying cause (urllib3's wrapper around it repeats the URL, and a
    Graph URL carries the access token in its query).
    """
    cause: BaseException = exc
    for _ in range(10):  # requests wraps urllib3's MaxRetryError or ProtocolError, which wraps the cause
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException) and cause.args and isinstance(cause.args[-1], BaseException):
            inner = cause.args[-1]
        if not isinstance(inner, BaseException) or inner is cause:
            break
        cause = inner
    message = _scrubbed(f"{type(cause).__name__}: {cause}", url)
    return ApiFailure(classify(0, CONNECTION_ERROR, message), 0, CONNECTION_ERROR, message, path)


def _scrubbed(message: str, url: str) -> str:
    """``message`` without the URL's query string (where Graph APIs carry the access token)."""
    query = urllib.parse.urlsplit(url).query
    return message.replace(query, "…") if query else message


def _error_of(raw: bytes) -> tuple[str, str]:
    try:
        answer = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "http_error", raw[:200].decode("utf-8", "replace")
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or error.get("type") or "error"), str(error.get("message", ""))
    return "http_error", ""


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
            moment = parse_instant(text)
        except ValueError:
            msg = f"--since {value!r} is neither a duration (3d, 12h, 90m) nor an ISO date or time (2026-11-20)"
            raise ValueError(msg) from None
        reach = now - moment
    if reach <= timedelta(0):
        msg = f"--since {value!r} is not in the past"
        raise ValueError(msg)
    return reach


def sleep_until(clock: Clock, moment: datetime, stop: threading.Event) -> bool:
    """Wait until ``moment``; True if stopped first."""
    return clock.sleep((moment - clock.now()).total_seconds(), stop)


class ApiConnector(Connector):
    """A connector polling a platform API until stopped: its source, state, clock and environment.

    The clock and the environment are injectable so the tests can run a simulated day against a
    loopback double without real waits and without real credentials. Every request goes through
    ``request_json`` on the connector's own HTTP session (``http``), which keeps its connections
    to the platform alive between pages and is closed when ``run`` ends.
    """

    def __init__(self, source: Any, state: ConnectorState, clock: Clock | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        super().__init__(source.name)
        self.source = source
        self.state = state
        self.clock = clock or process_clock()
        self.environ = os.environ if environ is None else environ
        self.http = new_session()

    def request_json(self, method: str, url: str, **options: Any) -> dict[str, Any]:
        """One request on this connector's session (see the module function ``request_json``)."""
        return request_json(method, url, session=self.http, **options)

    def close(self) -> None:
        """Close the connector's connections (a later request opens new ones)."""
        self.http.close()

    def run(self, settings: Settings, stop: threading.Event,
            suppressions: SuppressionList | None = None) -> ConnectorStats:
        """Produce every record (see ``Connector.run``), then close the connector's connections."""
        try:
            return super().run(settings, stop, suppressions)
        finally:
            self.close()

    @property
    def bounded(self) -> bool:
        """Polled until stopped."""
        return False

    def restart_pause(self, restarts: int, stop: threading.Event) -> bool:
        """Wait before searching again from the start for the ``restarts``-th time in a row; True if stopped.

        The first restart goes at once (a search id or cursor expires now and then); later ones
        back off, so a search whose cursor keeps expiring cannot spin through the quota.
        """
        if restarts <= 1:
            return stop.is_set()
        return self.clock.sleep(backoff(restarts - 1), stop)

    @classmethod
    def from_config(cls, source: Any, settings: Settings) -> ApiConnector:
        """The connector a configured source describes, with its state under ``connectors.state_dir``."""
        return cls(source, ConnectorState(settings.connectors.state_dir / f"{source.name}.sqlite"))
