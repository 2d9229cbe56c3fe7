"""What every platform-API double shares: a threaded HTTP server on 127.0.0.1 and JSON answers."""

from __future__ import annotations

import json
import socketserver
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class Served:
    """A double whose ``server`` runs on 127.0.0.1 in ``thread`` while the double is used as a context manager."""

    server: socketserver.TCPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class LoopbackServer(Served):
    """A double's server: ``_serve(handler)`` in ``__init__``, then use the double as a context manager.

    ``connections`` counts the TCP connections clients opened and ``responses_sent`` the responses
    on them: a handler speaking HTTP/1.1 keeps a connection open for the client's next request, as
    a platform's edge does.
    """

    server: ThreadingHTTPServer
    thread: threading.Thread
    connections: int = 0
    responses_sent: int = 0

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        double = self
        counting = threading.Lock()

        class Counted(handler):  # type: ignore[valid-type, misc]
            def setup(self) -> None:
                with counting:
                    double.connections += 1
                super().setup()

            def send_response(self, code: int, message: str | None = None) -> None:
                with counting:
                    double.responses_sent += 1
                super().send_response(code, message)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Counted)
        # A short poll interval: shutdown() waits up to one interval, in every test's teardown.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def _serve_get(self) -> None:
        """Serve GET requests with ``answer_get(path, params)``, one request at a time under ``lock``.

        ``params`` holds the last value of each query parameter; an answer that is ``bytes`` goes
        out as it is (deliberately broken payloads), anything else as JSON.
        """
        double = self
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(parts.query))
                with double.lock:
                    status, answer = double.answer_get(parts.path, params)
                raw = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                write_json(self, status, raw, double.content_type)

        self._serve(Handler)

    content_type = "application/json"
    """The Content-Type of ``_serve_get`` answers."""

    def answer_get(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        """A GET request's status and body; doubles served with ``_serve_get`` define it."""
        raise NotImplementedError


def write_json(handler: BaseHTTPRequestHandler, status: int, raw: bytes,
               content_type: str = "application/json") -> None:
    """Send ``raw`` (already-encoded JSON, or deliberately broken bytes) as the answer."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)
