"""A gate in front of the test Elasticsearch server: forwards every request, until told to fail some.

The alerting job talks to Elasticsearch through it (settings with ``elasticsearch.url`` = the
gate's URL). A test can then make Elasticsearch unreachable at an exact point of the job's work,
for instance from an SMTP handler at the moment the server accepts a message, or make it *lose
the answer* to a write it did apply, which is what a crash right after that write looks like.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import Literal

from tests.doubles.loopback import LoopbackServer

Mode = Literal["forward", "drop", "lose_answer"]
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class ElasticsearchGate(LoopbackServer):
    """An HTTP proxy to ``target``; requests matching a rule are dropped, or applied with their answer lost."""

    def __init__(self, target: str) -> None:
        parts = urllib.parse.urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 9200)
        self.rules: list[tuple[str, re.Pattern[str], Mode]] = []
        self.lock = threading.Lock()
        self.refused: list[str] = []
        gate = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def _any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                mode = gate.mode_for(self.command, self.path)
                if mode == "drop":
                    gate.refused.append(f"{self.command} {self.path}")
                    self.close_connection = True
                    return
                upstream = http.client.HTTPConnection(*gate.target, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                    upstream.request(self.command, self.path, body=body or None, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                finally:
                    upstream.close()
                if mode == "lose_answer":
                    gate.refused.append(f"{self.command} {self.path} (applied)")
                    self.close_connection = True
                    return
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        self._serve(Handler)

    def mode_for(self, method: str, path: str) -> Mode:
        """What to do with a request: the first matching rule's mode, else forward it."""
        with self.lock:
            for rule_method, pattern, mode in self.rules:
                if rule_method in ("*", method) and pattern.search(path):
                    return mode
        return "forward"

    def fail(self, mode: Mode, method: str = "*", path: str = "") -> None:
        """From now on, ``mode`` every request with ``method`` whose path matches the regex ``path``."""
        with self.lock:
            self.rules.append((method, re.compile(path), mode))

    def close(self) -> None:
        """Elasticsearch is unreachable from now on."""
        self.fail("drop")

    def open(self) -> None:
        """Forward everything again."""
        with self.lock:
            self.rules.clear()
