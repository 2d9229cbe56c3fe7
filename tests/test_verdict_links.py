"""The signed "benar / salah" links of alert emails against a real endpoint on loopback.

The endpoint (``pipelines.delivery.verdict_links.VerdictServer``) writes to the session's real
Kafka and Elasticsearch; every request goes over HTTP with ``urllib``. A forged, tampered,
expired or replayed link records nothing.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from elasticsearch import Elasticsearch

from pipelines.common.clients import shared_client
from pipelines.common.records import KafkaRecord
from pipelines.common.verdicts import VerdictDesk, read_verdicts
from pipelines.delivery.emails import render
from pipelines.delivery.verdict_links import LinkSigner, VerdictServer
from pipelines.ops.services import ensure_ready
from pipelines.post.job import run_batch
from schemas.alert import Alert, AlertPost
from schemas.clock import FixedClock
from schemas.config import Settings, load_settings
from tests.conftest import Stack, make_post, make_settings

KEY = "k" * 20 + "-verdict-link-key-for-tests"
FIRED = datetime(2026, 11, 21, 12, 5, tzinfo=UTC)
ALERT_ID = "hoaks-0123456789abcdef"


@pytest.fixture(autouse=True)
def _no_siaga_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SIAGA__") or name in ("SIAGA_CONFIG", "SIAGA_OFFICER"):
            monkeypatch.delenv(name)


def link_settings(stack: Stack, tmp_path: Path, port: int = 0) -> Settings:
    """Settings with verdict links on: the key from the environment only, as in production."""
    make_settings(stack, tmp_path, retention={"interval": None},
                  verdicts={"public_url": "https://siaga.example.go.id/penilaian", "listen_port": port})
    config = next(tmp_path.glob("siaga-*.yaml"))
    return load_settings(config, environ={"SIAGA__VERDICTS__LINK_KEY": KEY})


def alert_with(post_ids: list[str]) -> Alert:
    posts = [AlertPost(post_id=pid, platform="tiktok", url=f"https://www.tiktok.com/@w/video/{pid[7:]}",
                       author_handle="w", created_at=FIRED, text="teks") for pid in post_ids]
    return Alert(alert_id=ALERT_ID, rule_id="hoaks", rule_name="Hoaks", severity="siaga", group_by="none",
                 group="all", count=len(posts), threshold=1, window_seconds=1800, window_start=FIRED,
                 window_end=FIRED, fired_at=FIRED, posts=posts, post_ids=post_ids)


class Endpoint:
    """A running verdict endpoint, its signer and what it wrote."""

    def __init__(self, settings: Settings, clock: FixedClock) -> None:
        self.settings = settings
        self.clock = clock
        signer = LinkSigner.of(settings.verdicts)
        assert signer is not None
        self.signer = signer
        es = shared_client("elasticsearch", settings.elasticsearch_kwargs())
        desk = VerdictDesk(settings, es, shared_client("kafka", settings.kafka_client_kwargs()), clock=clock)
        self.server = VerdictServer(signer, desk, host="127.0.0.1", port=0, clock=clock).start()
        self.base = f"http://127.0.0.1:{self.server.port}/penilaian"

    def local(self, url: str) -> str:
        """A link as emailed, sent to the endpoint on loopback (the public address is a proxy in production)."""
        return f"{self.base}?{urlsplit(url).query}"

    def request(self, url: str, fields: dict[str, str] | None = None) -> tuple[int, str]:
        data = urlencode(fields).encode() if fields is not None else None
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()

    def post(self, url: str, **extra: str) -> tuple[int, str]:
        """Press the confirmation page's button: POST the link's fields."""
        fields = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        return self.request(self.base, {**fields, **extra})

    def verdicts(self) -> list:
        return list(read_verdicts(Elasticsearch(self.settings.elasticsearch_url()),
                                  self.settings.elasticsearch.verdicts_index))


@pytest.fixture
def endpoint(stack: Stack, tmp_path: Path) -> Endpoint:
    settings = link_settings(stack, tmp_path)
    ensure_ready(settings)
    records = [KafkaRecord("raw", 0, n, None, json.dumps(make_post(str(n))).encode()) for n in (1, 2)]
    run_batch(records, settings)
    Elasticsearch(settings.elasticsearch_url()).indices.refresh(index=settings.elasticsearch.posts_index)
    running = Endpoint(settings, FixedClock(FIRED + timedelta(hours=1)))
    yield running
    running.server.close()


def test_opening_a_link_only_asks_and_the_button_records_the_verdict(endpoint: Endpoint) -> None:
    link = endpoint.signer.link("tiktok:1", ALERT_ID, "salah", FIRED)
    status, page = endpoint.request(endpoint.local(link))
    assert status == 200 and "Konfirmasi penilaian" in page and 'method="post"' in page
    assert endpoint.verdicts() == []  # a mail scanner that opens the link records nothing
    status, page = endpoint.post(link, by="Andi <b>")
    assert status == 200 and "penilaian tercatat" in page
    assert "Andi &lt;b&gt;" in page and "<b>Andi" not in page
    (verdict,) = endpoint.verdicts()
    assert (verdict.post_id, verdict.alert_id, verdict.correct, verdict.source, verdict.by) == (
        "tiktok:1", ALERT_ID, False, "link", "Andi <b>")


def test_a_forged_signature_is_refused(endpoint: Endpoint) -> None:
    link = endpoint.signer.link("tiktok:1", ALERT_ID, "benar", FIRED)
    forged = link.replace(parse_qs(urlsplit(link).query)["s"][0], "0" * 64)
    assert endpoint.request(endpoint.local(forged))[0] == 403
    assert endpoint.post(forged)[0] == 403
    other_key = LinkSigner(b"another-key-of-at-least-32-characters!", endpoint.signer.public_url, timedelta(days=7))
    assert endpoint.post(other_key.link("tiktok:1", ALERT_ID, "benar", FIRED))[0] == 403
    assert endpoint.verdicts() == []


@pytest.mark.parametrize(("field", "value"), [("v", "salah"), ("p", "tiktok:2"), ("a", "lain-0123456789abcdef"),
                                              ("e", "4102444800")])
def test_a_link_with_its_verdict_post_alert_or_expiry_changed_is_refused(endpoint: Endpoint, field: str,
                                                                         value: str) -> None:
    link = endpoint.signer.link("tiktok:1", ALERT_ID, "benar", FIRED)
    fields = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    status, page = endpoint.request(endpoint.base, {**fields, field: value})
    assert status == 403 and "tanda tangannya tidak cocok" in page
    assert endpoint.verdicts() == []


def test_an_expired_link_is_refused(endpoint: Endpoint) -> None:
    link = endpoint.signer.link("tiktok:1", ALERT_ID, "benar", FIRED)
    endpoint.clock.advance(timedelta(days=7))
    status, page = endpoint.post(link)
    assert status == 410 and "kedaluwarsa" in page
    assert endpoint.verdicts() == []


def test_a_used_link_is_refused_and_cannot_undo_a_later_verdict(endpoint: Endpoint) -> None:
    benar = endpoint.signer.link("tiktok:1", ALERT_ID, "benar", FIRED)
    salah = endpoint.signer.link("tiktok:1", ALERT_ID, "salah", FIRED)
    assert endpoint.post(benar)[0] == 200
    endpoint.clock.advance(timedelta(minutes=1))
    assert endpoint.post(salah)[0] == 200
    endpoint.clock.advance(timedelta(minutes=1))
    status, page = endpoint.post(benar)
    assert status == 409 and "sudah dipakai" in page
    assert [v.correct for v in endpoint.verdicts()] == [True, False]


def test_neither_the_key_nor_a_signature_reaches_the_url_or_the_log(endpoint: Endpoint,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    link = endpoint.signer.link("tiktok:1", ALERT_ID, "salah", FIRED)
    assert KEY not in link and KEY not in repr(endpoint.signer)
    endpoint.post(link)
    endpoint.post(link)
    signature = parse_qs(urlsplit(link).query)["s"][0]
    assert KEY not in caplog.text and signature not in caplog.text


def test_the_alert_email_carries_a_benar_and_a_salah_link_for_each_post(endpoint: Endpoint) -> None:
    message = render(alert_with(["tiktok:1", "tiktok:2"]), endpoint.settings.email, links=endpoint.signer)
    parsed = BytesParser(policy=policy.default).parsebytes(bytes(message))
    plain = parsed.get_body(("plain",)).get_content()
    html_part = parsed.get_body(("html",)).get_content()
    urls = [line.split(": ", 1)[1] for line in plain.splitlines() if line.strip().startswith("Penilaian ")]
    assert len(urls) == 4 and all(url.startswith("https://siaga.example.go.id/penilaian?") for url in urls)
    assert html_part.count(">benar</a>") == 2 and html_part.count(">salah</a>") == 2
    assert endpoint.post(urls[1])[0] == 200  # the plain part's second link: salah on the first post
    (verdict,) = endpoint.verdicts()
    assert (verdict.post_id, verdict.correct) == ("tiktok:1", False)


def test_a_short_key_is_refused_at_start_up(stack: Stack, tmp_path: Path) -> None:
    from schemas.errors import ConfigError

    make_settings(stack, tmp_path, verdicts={"public_url": "https://siaga.example.go.id/penilaian"})
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load_settings(next(tmp_path.glob("siaga-*.yaml")), environ={"SIAGA__VERDICTS__LINK_KEY": "short"})


def test_a_malformed_request_gets_a_plain_refusal(endpoint: Endpoint) -> None:
    too_many = {f"x{n}": "1" for n in range(20)}
    assert endpoint.request(endpoint.base, too_many)[0] == 400
    assert endpoint.request(endpoint.base + "?p=tiktok:1")[0] == 400
    assert endpoint.verdicts() == []
