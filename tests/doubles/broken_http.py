"""A loopback server that answers HTTP badly on purpose: the failures ``http.client`` raises itself.

Each mode is one way a platform's edge (a load balancer, a proxy mid-restart) breaks a request:
``"close"`` hangs up before any answer (``RemoteDisconnected``), ``"truncate"`` promises a body
it does not send (``IncompleteRead``), ``"garble"`` answers with no valid status line
(``BadStatusLine``), ``"error_truncate"`` sends a 503 whose body is cut off.
"""

from __future__ import annotations

import socketserver
import threading

from tests.doubles.loopback import Served

MODES = ("close", "truncate", "garble", "error_truncate")


class BrokenHttpServer(Served):
    """A TCP server on 127.0.0.1 that reads a request and answers it in ``mode``."""

    def __init__(self, mode: str) -> None:
        if mode not in MODES:
            msg = f"unknown mode {mode!r}"
            raise ValueError(msg)
        self.mode = mode
        self.requests = 0
        double = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(65536)
                double.requests += 1
                answers = {
                    "close": b"",
                    "truncate": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"da",
                    "garble": b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
                    "error_truncate": b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100\r\n\r\n{\"err",
                }
                self.request.sendall(answers[double.mode])

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
