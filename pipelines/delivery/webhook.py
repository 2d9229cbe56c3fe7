"""The webhook channel: an alert POSTed as JSON to the configured URL, never redirected.

A redirect is not followed: ``urllib`` would repeat the request (as a GET, for a 302) to whatever
host the answer names, with the ``Authorization`` header, and a redirected alert is not a
delivered one. A 3xx answer is a refusal for now, like a 5xx: the message is tried again and,
if the receiver keeps redirecting, goes to ``queue/failed/`` after the retry cap. Where the URL
may point (https, or http to a loopback address only) is checked in ``schemas.config``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from pipelines.delivery.failures import PermanentFailure, RefusedForNow

RETRY_LATER = frozenset({408, 429})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Turns every 3xx into an ``HTTPError`` instead of a new request."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post_webhook(url: str, payload: dict[str, Any], token: str | None, timeout: float) -> None:
    """POST ``payload`` as JSON.

    Raises ``PermanentFailure`` on a 4xx (but 408/429), ``RefusedForNow`` on 3xx, 5xx, 408 and
    429, and ``OSError`` (``URLError``, a timeout) when the receiver could not be reached.
    """
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - settings allow only https:// or loopback http://
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("Idempotency-Key", str(payload.get("key", "")))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            where = exc.headers.get("Location", "?") if exc.headers else "?"
            msg = f"webhook answered HTTP {exc.code} (a redirect to {where[:200]}, not followed)"
            raise RefusedForNow(msg) from exc
        if 400 <= exc.code < 500 and exc.code not in RETRY_LATER:
            msg = f"webhook refused the message: HTTP {exc.code}"
            raise PermanentFailure(msg) from exc
        msg = f"webhook answered HTTP {exc.code}"
        raise RefusedForNow(msg) from exc
