"""The "benar / salah" links in alert emails, and the small HTTP endpoint that records them.

A link names one post, the alert it came in, the verdict (``benar`` = the tags are right,
``salah`` = they are wrong) and an expiry, and carries an HMAC-SHA256 signature over exactly
those four values, made with ``verdicts.link_key`` (from the environment; never in the URL, a
file or a log line). The endpoint recomputes the signature: a link whose signature, post,
alert, verdict or expiry was changed is refused (403), an expired one too (410).

Two steps, on purpose: opening a link (GET) only shows a confirmation page with a button;
the verdict is recorded by that button (POST). Mail scanners and link previews open every
link in an email; were a GET enough, they would record "benar" and "salah" for every post.

Replay: a used link is refused (409), and it is idempotent underneath. The verdict's id is
derived from the link's signature (``make_verdict_id(..., basis=signature)``) and indexed with
``op_type=create``, so a second use can never record a second verdict, even from two browsers
at once; and an old "benar" link used again after a "salah" cannot turn the verdict back,
since the latest verdict is the one that counts and the replay adds none.

Every value a page shows is HTML-escaped; the pages are plain Indonesian, and carry
``Referrer-Policy: no-referrer`` (so the signed URL does not leak to another site) and a
content security policy that allows no script.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from pipelines.common.verdicts import VerdictDesk, VerdictError
from schemas.clock import Clock, process_clock
from schemas.config import VerdictSettings

log = logging.getLogger(__name__)

VERDICTS: dict[str, bool] = {"benar": True, "salah": False}
"""The two verdicts a link can carry, as officers read them, and whether each says "correct"."""
LINK_BY = "tautan email"
"""Who a link verdict is by when the officer leaves the name field empty."""
MAX_BODY = 4096
MAX_NAME = 64
_FIELDS = ("p", "a", "v", "e", "s")


class LinkRefused(Exception):
    """A link that is not honoured: forged or changed (403), expired (410), or malformed (400)."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Claim:
    """What a link asks for: this verdict on this post of this alert, until ``expires`` (Unix seconds)."""

    post_id: str
    alert_id: str
    verdict: str
    expires: int

    def message(self) -> bytes:
        """The bytes the signature covers: a version, then the four values, unit-separated."""
        return "\x1f".join(("siaga-verdict-v1", self.post_id, self.alert_id, self.verdict,
                            str(self.expires))).encode("utf-8")


class LinkSigner:
    """Makes and checks verdict links with one key; the key stays inside this object."""

    def __init__(self, key: bytes, public_url: str, ttl: timedelta) -> None:
        self._key = key
        self.public_url = public_url
        self.ttl = ttl

    @classmethod
    def of(cls, settings: VerdictSettings) -> LinkSigner | None:
        """The signer ``settings`` configure, or ``None`` when links are off (no key or no public address)."""
        if settings.link_key is None or settings.public_url is None:
            return None
        return cls(settings.link_key.get_secret_value().encode("utf-8"), settings.public_url, settings.link_ttl)

    def __repr__(self) -> str:
        return f"LinkSigner({self.public_url!r}, ttl={self.ttl})"  # never the key

    def signature(self, claim: Claim) -> str:
        """The hex HMAC-SHA256 of ``claim``."""
        return hmac.new(self._key, claim.message(), hashlib.sha256).hexdigest()

    def link(self, post_id: str, alert_id: str, verdict: str, issued_at: datetime) -> str:
        """The URL that records ``verdict`` on ``post_id`` of ``alert_id``, valid for ``ttl`` after ``issued_at``."""
        claim = Claim(post_id, alert_id, verdict, int((issued_at + self.ttl).timestamp()))
        query = urlencode({"p": claim.post_id, "a": claim.alert_id, "v": claim.verdict, "e": claim.expires,
                           "s": self.signature(claim)})
        return f"{self.public_url}{'&' if '?' in self.public_url else '?'}{query}"

    def links(self, post_id: str, alert_id: str, issued_at: datetime) -> dict[str, str]:
        """Both links of one post: ``{"benar": url, "salah": url}``."""
        return {verdict: self.link(post_id, alert_id, verdict, issued_at) for verdict in VERDICTS}

    def verify(self, fields: Mapping[str, str], now: datetime) -> tuple[Claim, str]:
        """The claim of a link's fields and its signature, if the signature holds and it has not expired."""
        missing = [name for name in _FIELDS if not fields.get(name)]
        if missing:
            raise LinkRefused(HTTPStatus.BAD_REQUEST, "Tautan tidak lengkap.")
        if fields["v"] not in VERDICTS or not fields["e"].isdigit():
            raise LinkRefused(HTTPStatus.FORBIDDEN, "Tautan tidak sah.")
        claim = Claim(fields["p"], fields["a"], fields["v"], int(fields["e"]))
        # The signature first, in constant time: an altered link learns nothing, not even whether it expired.
        if not hmac.compare_digest(self.signature(claim).encode(), fields["s"].lower().encode("utf-8")):
            raise LinkRefused(HTTPStatus.FORBIDDEN, "Tautan tidak sah: tanda tangannya tidak cocok.")
        if now.timestamp() >= claim.expires:
            raise LinkRefused(HTTPStatus.GONE, "Tautan ini sudah kedaluwarsa. Beri penilaian dengan "
                                               "`siaga verdict`.")
        return claim, fields["s"].lower()


def _page(title: str, body: str) -> bytes:
    return ('<!doctype html><html lang="id"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>{body}"
            "</body></html>").encode("utf-8")


def _confirm_page(claim: Claim, signature: str) -> bytes:
    e = html.escape
    verdict = "BENAR (label model tepat)" if VERDICTS[claim.verdict] else "SALAH (label model keliru)"
    hidden = "".join(f'<input type="hidden" name="{name}" value="{e(value, quote=True)}">' for name, value in (
        ("p", claim.post_id), ("a", claim.alert_id), ("v", claim.verdict), ("e", str(claim.expires)),
        ("s", signature)))
    return _page("Konfirmasi penilaian", (
        f"<p>Unggahan <b>{e(claim.post_id)}</b> pada peringatan <b>{e(claim.alert_id)}</b> akan dinilai "
        f"<b>{e(verdict)}</b>.</p>"
        f'<form method="post">{hidden}'
        f'<p><label>Nama petugas (boleh kosong): <input name="by" maxlength="{MAX_NAME}"></label></p>'
        '<p><button type="submit">Kirim penilaian</button></p></form>'))


class VerdictServer:
    """The verdict endpoint on ``listen_host:listen_port``, in a thread of its own (``siaga alerts run``)."""

    def __init__(self, signer: LinkSigner, desk: VerdictDesk, *, host: str, port: int,
                 clock: Clock | None = None) -> None:
        self.signer = signer
        self.desk = desk
        self.clock = clock or process_clock()
        self.recorded = 0
        self.refused = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "siaga-verdict"
            sys_version = ""

            def do_GET(self) -> None:
                server.handle(self, "GET")

            def do_POST(self) -> None:
                server.handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                # Only the path: the query holds the link's signature, which acts as a one-use token.
                log.info("verdict endpoint: %s %s", self.command, urlsplit(self.path).path)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="verdict-endpoint", daemon=True)

    def start(self) -> VerdictServer:
        """Serve in the background; return self."""
        self._thread.start()
        log.warning("verdict links served on %s:%d", self.httpd.server_address[0], self.port)
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def _reply(self, request: BaseHTTPRequestHandler, status: HTTPStatus, page: bytes) -> None:
        request.send_response(status)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(page)))
        request.send_header("Cache-Control", "no-store")
        request.send_header("Referrer-Policy", "no-referrer")
        request.send_header("X-Content-Type-Options", "nosniff")
        request.send_header("X-Frame-Options", "DENY")
        request.send_header("Content-Security-Policy", "default-src 'none'; form-action 'self'")
        request.end_headers()
        request.wfile.write(page)

    def _refuse(self, request: BaseHTTPRequestHandler, status: HTTPStatus, message: str) -> None:
        self.refused += 1
        log.warning("verdict link refused (%d): %s", status, message)
        self._reply(request, status, _page("Penilaian tidak dicatat", f"<p>{html.escape(message)}</p>"))

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        """Answer one request: a confirmation page (GET) or the verdict recorded (POST)."""
        try:
            if method == "POST":
                length = int(request.headers.get("Content-Length") or 0)
                if not 0 <= length <= MAX_BODY:
                    self._refuse(request, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Permintaan terlalu besar.")
                    return
                query = request.rfile.read(length).decode("utf-8", "replace")
            else:
                query = urlsplit(request.path).query
            fields = {k: v[0] for k, v in parse_qs(query, max_num_fields=10).items()}
        except ValueError:  # a Content-Length that is no number, too many fields
            self._refuse(request, HTTPStatus.BAD_REQUEST, "Permintaan tidak sah.")
            return
        try:
            claim, signature = self.signer.verify(fields, self.clock.now())
        except LinkRefused as exc:
            self._refuse(request, exc.status, str(exc))
            return
        if method == "GET":
            self._reply(request, HTTPStatus.OK, _confirm_page(claim, signature))
            return
        by = " ".join(fields.get("by", "").split())[:MAX_NAME] or LINK_BY
        try:
            given = self.desk.give(claim.post_id, correct=VERDICTS[claim.verdict], by=by, source="link",
                                   alert_id=claim.alert_id, basis=signature)
        except VerdictError as exc:
            self._refuse(request, HTTPStatus.NOT_FOUND, f"Penilaian tidak dapat dicatat: {exc}")
            return
        except Exception:
            log.exception("verdict link for %s not recorded", claim.post_id)
            self._reply(request, HTTPStatus.SERVICE_UNAVAILABLE, _page(
                "Penilaian belum tercatat", "<p>Layanan sedang terganggu. Coba buka tautan ini lagi nanti.</p>"))
            return
        if not given.recorded:
            self._refuse(request, HTTPStatus.CONFLICT,
                         "Tautan ini sudah dipakai; penilaiannya sudah tercatat sebelumnya dan tidak dicatat lagi.")
            return
        self.recorded += len(given.recorded)
        verdict = "benar" if VERDICTS[claim.verdict] else "salah"
        self._reply(request, HTTPStatus.OK, _page("Terima kasih, penilaian tercatat", (
            f"<p>Unggahan <b>{html.escape(claim.post_id)}</b> dinilai <b>{verdict}</b> oleh "
            f"{html.escape(by)}.</p><p>Penilaian ini dipakai saat model dilatih ulang "
            "(<code>siaga model retrain</code>).</p>")))
