"""A chat tool's webhook receiver on loopback: keeps every JSON body, can be told to fail first."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.doubles.loopback import LoopbackServer, write_json


class WebhookReceiver(LoopbackServer):
    """Answers 200 to every POST after ``fail_first`` answers of ``fail_status``."""

    def __init__(self, fail_first: int = 0, fail_status: int = 503) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.fail_first = fail_first
        self.fail_status = fail_status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    write_json(self, receiver.fail_status, b'{"error": "busy"}')
                    return
                receiver.received.append(json.loads(body))
                receiver.headers.append(dict(self.headers))
                write_json(self, 200, b'{"ok": true}')

            def log_message(self, *_: object) -> None:
                pass

        self._serve(Handler)
