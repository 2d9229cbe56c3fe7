"""The webhook channel: an alert POSTed as JSON to the configured URL."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from pipelines.delivery.emails import PermanentFailure


def post_webhook(url: str, payload: dict[str, Any], token: str | None, timeout: float) -> None:
    """POST ``payload`` as JSON; raise ``PermanentFailure`` on 4xx, ``OSError`` on anything retryable."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("Idempotency-Key", str(payload.get("key", "")))
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from validated config
            response.read()
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            msg = f"webhook refused the message: HTTP {exc.code}"
            raise PermanentFailure(msg) from exc
        msg = f"webhook answered HTTP {exc.code}"
        raise OSError(msg) from exc
