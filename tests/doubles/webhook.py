"""A chat tool's webhook receiver on loopback: keeps every JSON body, can be told to fail or redirect first."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.doubles.loopback import LoopbackServer, write_json


class WebhookReceiver(LoopbackServer):
    """Answers 200 to every POST after ``fail_first`` answers of ``fail_status`` (a 3xx redirects to ``location``).

    Every request, whatever its method, is noted in ``requests`` with its headers: a redirected
    POST comes back from ``urllib`` as a GET.
    """

    def __init__(self, fail_first: int = 0, fail_status: int = 503, location: str | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.location = location
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append(("POST", dict(self.headers)))
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    if 300 <= receiver.fail_status < 400:
                        self.send_response(receiver.fail_status)
                        self.send_header("Location", receiver.location or "/")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    write_json(self, receiver.fail_status, b'{"error": "busy"}')
                    return
                receiver.received.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                write_json(self, 200, b'{"ok": true}')

            def do_GET(self) -> None:
                receiver.requests.append(("GET", dict(self.headers)))
                write_json(self, 200, b'{"ok": true}')

            def log_message(self, *_: object) -> None:
                pass

        self._serve(Handler)
