"""Unit tests for alert emails (pipelines.delivery.emails): rendering, escaping, the outbox, Indonesian units."""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from aiosmtpd.controller import Controller

from pipelines.delivery.emails import (
    EXCERPT_CHARS,
    PermanentFailure,
    SmtpSession,
    deliver,
    duration_id,
    kibana_link,
    recipients_for,
    render,
    render_digest,
    render_resolved,
)
from schemas.alert import Alert, AlertPost, make_alert_id
from schemas.clock import wib
from schemas.config import EmailSettings
from schemas.factcheck import FactCheckMatch
from schemas.post import Engagement, Entity, RiskReason
from tests.conftest import SmtpSink, free_port

FIRED = datetime(2026, 11, 21, 12, 0, 5, tzinfo=UTC)


def evidence(native_id: str, minutes: float, **overrides: Any) -> AlertPost:
    fields: dict[str, Any] = {
        "post_id": f"tiktok:{native_id}",
        "platform": "tiktok",
        "url": f"https://www.tiktok.com/@warga/video/{native_id}",
        "author_handle": "warga",
        "created_at": datetime(2026, 11, 21, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        "text": f"Unggahan nomor {native_id}",
    }
    return AlertPost(**{**fields, **overrides})


def make_alert(**overrides: Any) -> Alert:
    fields: dict[str, Any] = {
        "alert_id": make_alert_id("hoaks-pemilu", "#pemilu", "tiktok:3", FIRED),
        "rule_id": "hoaks-pemilu",
        "rule_name": "Lonjakan hoaks pemilu",
        "severity": "siaga",
        "group_by": "hashtag",
        "group": "#pemilu",
        "count": 12,
        "threshold": 10,
        "window_seconds": 1800,
        "window_start": datetime(2026, 11, 21, 11, 30, tzinfo=UTC),
        "window_end": datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
        "fired_at": FIRED,
        "posts": [evidence("3", 0), evidence("2", -5), evidence("1", -20)],
    }
    return Alert(**{**fields, **overrides})


@pytest.fixture
def email_settings(tmp_path: Path) -> EmailSettings:
    return EmailSettings(
        sender="Siaga <siaga@polda.example.id>",
        recipients=["piket1@polda.example.id", "piket2@polda.example.id"],
        outbox_dir=tmp_path / "outbox",
    )


def plain_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def reparse(message: EmailMessage) -> EmailMessage:
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


# --- subject and headers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "prefix"), [("waspada", "[WASPADA] "), ("siaga", "[SIAGA] "), ("awas", "[AWAS] ")]
)
def test_subject_severity_prefix(email_settings: EmailSettings, severity: str, prefix: str) -> None:
    subject = render(make_alert(severity=severity), email_settings)["Subject"]
    assert subject.startswith(prefix)
    assert "Lonjakan hoaks pemilu" in subject
    assert "12 unggahan dalam 30 menit" in subject
    assert "#pemilu" in subject


def test_subject_without_group(email_settings: EmailSettings) -> None:
    message = render(make_alert(group_by="none", group="*", window_seconds=7200), email_settings)
    assert message["Subject"] == "[SIAGA] Lonjakan hoaks pemilu: 12 unggahan dalam 2 jam"


def test_group_cannot_inject_headers(email_settings: EmailSettings) -> None:
    alert = make_alert(group="#pemilu\r\nBcc: evil@x", rule_name="Aturan\nX-Evil: 1")
    message = render(alert, email_settings)
    subject = message["Subject"]
    assert "\r" not in subject
    assert "\n" not in subject
    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    parsed = reparse(message)
    assert parsed["Bcc"] is None
    assert parsed["X-Evil"] is None
    assert "bcc" not in {key.lower() for key in parsed.keys()}
    assert "evil@x" in parsed["Subject"]  # kept as text, on the one subject line
    assert "\nBcc:" not in plain_of(parsed)


def test_identity_headers(email_settings: EmailSettings) -> None:
    alert = make_alert()
    message = render(alert, email_settings)
    assert message["Message-ID"] == f"<{alert.alert_id}@siaga.local>"
    assert message["X-Siaga-Alert-Id"] == alert.alert_id
    assert message["X-Siaga-Rule"] == "hoaks-pemilu"
    assert message["From"] == "Siaga <siaga@polda.example.id>"
    assert message["To"] == "piket1@polda.example.id, piket2@polda.example.id"
    assert message["Date"].datetime == FIRED
    assert message["Date"].datetime.utcoffset() == timedelta(hours=7)


def test_message_is_plain_then_html(email_settings: EmailSettings) -> None:
    message = render(make_alert(), email_settings)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]


# --- plain part ----------------------------------------------------------------------------


def test_plain_part_uses_wib(email_settings: EmailSettings) -> None:
    plain = plain_of(render(make_alert(), email_settings))
    assert "21 Nov 2026 18:30 WIB s.d. 21 Nov 2026 19:00 WIB" in plain
    assert "19:00 WIB" in plain
    assert "18:40 WIB" in plain  # the oldest post, 11:40 UTC
    assert "Lonjakan hoaks pemilu (hoaks-pemilu)" in plain
    assert "12 unggahan dalam 30 menit (ambang 10)" in plain
    assert "Unggahan nomor 1" in plain
    assert "https://www.tiktok.com/@warga/video/2" in plain


def test_plain_part_lists_posts_in_alert_order(email_settings: EmailSettings) -> None:
    plain = plain_of(render(make_alert(), email_settings))
    assert plain.index("Unggahan nomor 3") < plain.index("Unggahan nomor 2") < plain.index("Unggahan nomor 1")


def test_long_post_text_is_cut_to_one_line(email_settings: EmailSettings) -> None:
    text = "baris pertama\nbaris kedua " + "kata " * 200
    plain = plain_of(render(make_alert(posts=[evidence("9", 0, text=text)]), email_settings))
    [line] = [line for line in plain.splitlines() if "baris pertama" in line]
    assert "baris pertama baris kedua kata" in line
    assert line.strip().endswith("…")
    assert len(line.strip()) <= EXCERPT_CHARS


def test_kibana_link_when_configured(tmp_path: Path) -> None:
    settings = EmailSettings(outbox_dir=tmp_path, kibana_url="https://kibana.example.id/")
    alert = make_alert(post_ids=["tiktok:3", "tiktok:2", 'facebook:1_"2'])
    message = render(alert, settings)
    link = kibana_link(alert, "https://kibana.example.id/")
    assert f"Buka di Kibana: {link}" in plain_of(message)
    assert f'href="{html.escape(link, quote=True)}"' in html_of(message)
    assert link.startswith("https://kibana.example.id/app/discover#/?_g=")
    fragment = unquote(link.split("#", 1)[1])
    assert "dataSource:(dataViewId:'siaga-posts',type:dataView)" in fragment
    # exactly the posts behind the alert, as a KQL query on post_id, and the window in UTC
    assert """query:(language:kuery,query:'post_id:("tiktok:3" or "tiktok:2" or "facebook:1_\\"2")')""" in fragment
    assert "time:(from:'2026-11-21T11:29:00.000Z',to:'2026-11-21T12:01:00.000Z')" in fragment


def test_kibana_link_rison_escapes_quotes_and_bangs() -> None:
    link = kibana_link(make_alert(post_ids=["tiktok:it's!"]), "https://k")
    assert """query:'post_id:("tiktok:it!'s!!")'""" in unquote(link)


def test_no_kibana_link_without_base_url(email_settings: EmailSettings) -> None:
    assert "Kibana" not in plain_of(render(make_alert(), email_settings))


# --- HTML part -----------------------------------------------------------------------------


def test_html_escapes_post_text(email_settings: EmailSettings) -> None:
    text = 'Lihat <script>alert(1)</script> dan "quotes" & lainnya'
    html = html_of(render(make_alert(posts=[evidence("1", 0, text=text)]), email_settings))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;quotes&quot;" in html
    assert "&amp; lainnya" in html
    assert "<script" not in html.lower()
    assert '"quotes"' not in html


def test_html_escapes_handle_group_and_rule_name(email_settings: EmailSettings) -> None:
    alert = make_alert(
        group="#<img src=x onerror=alert(1)>",
        rule_name="Aturan <b>tebal</b>",
        posts=[evidence("1", 0, author_handle="<i>warga</i>")],
    )
    html = html_of(render(alert, email_settings))
    assert "<img" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "@&lt;i&gt;warga&lt;/i&gt;" in html
    assert "Aturan &lt;b&gt;tebal&lt;/b&gt;" in html


def test_html_escapes_quotes_in_href(email_settings: EmailSettings) -> None:
    url = 'https://example.com/v/1"onmouseover="alert(1)'
    html = html_of(render(make_alert(posts=[evidence("1", 0, url=url)]), email_settings))
    assert 'href="https://example.com/v/1&quot;onmouseover=&quot;alert(1)"' in html
    assert 'onmouseover="' not in html


def test_html_uses_wib(email_settings: EmailSettings) -> None:
    html = html_of(render(make_alert(), email_settings))
    assert "21 Nov 2026 19:00 WIB" in html
    assert "12:00 WIB" not in html


# --- delivery to the outbox ----------------------------------------------------------------


def test_deliver_writes_eml_to_outbox(email_settings: EmailSettings) -> None:
    alert = make_alert(posts=[evidence("1", 0, text="Awas <hoaks>")])
    message = render(alert, email_settings)
    where = deliver(message, email_settings)
    path = email_settings.outbox_dir / f"{alert.alert_id}.eml"
    assert where == str(path)
    assert path.is_file()
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    # the stdlib folds the long non-ASCII subject and unfolds it with one extra space
    assert " ".join(parsed["Subject"].split()) == message["Subject"]
    assert parsed["Subject"].endswith("— tagar #pemilu")
    assert parsed["Subject"].startswith("[SIAGA] Lonjakan hoaks pemilu")
    assert parsed["Message-ID"] == f"<{alert.alert_id}@siaga.local>"
    plain = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "Awas <hoaks>" in plain
    assert "Awas &lt;hoaks&gt;" in html
    assert "19:00 WIB" in plain


def test_delivering_twice_leaves_one_file(email_settings: EmailSettings) -> None:
    message = render(make_alert(), email_settings)
    first = deliver(message, email_settings)
    second = deliver(render(make_alert(), email_settings), email_settings)
    assert first == second
    assert sorted(p.name for p in email_settings.outbox_dir.iterdir()) == [f"{make_alert().alert_id}.eml"]


def test_outbox_file_name_cannot_escape_the_folder(email_settings: EmailSettings) -> None:
    where = Path(deliver(render(make_alert(alert_id="../../etc/evil id"), email_settings), email_settings))
    assert where.parent == email_settings.outbox_dir
    assert where.name == ".._.._etc_evil_id.eml"
    assert [p.name for p in email_settings.outbox_dir.iterdir()] == [where.name]


# --- units and times -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1800, "30 menit"),
        (7200, "2 jam"),
        (86400, "1 hari"),
        (90, "90 detik"),
        (60, "1 menit"),
        (3600, "1 jam"),
        (5400, "90 menit"),
        (129600, "36 jam"),
        (172800, "2 hari"),
        (1, "1 detik"),
    ],
)
def test_duration_id(seconds: int, text: str) -> None:
    assert duration_id(seconds) == text


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 21, 12, 0, tzinfo=UTC), "21 Nov 2026 19:00 WIB"),
        (datetime(2026, 11, 21, 17, 30, tzinfo=UTC), "22 Nov 2026 00:30 WIB"),
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "01 Jan 2027 06:59 WIB"),
        (datetime(2026, 11, 21, 20, 0, tzinfo=timezone(timedelta(hours=8))), "21 Nov 2026 19:00 WIB"),
    ],
)
def test_wib(moment: datetime, text: str) -> None:
    assert wib(moment) == text


# --- hostile text --------------------------------------------------------------------------

RLO, PDF, ZWSP, ZWJ = "\u202e", "\u202c", "\u200b", "\u200d"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(document.cookie)</script>",
        "<img src=x onerror=alert(1)> <a href='javascript:alert(1)'>klik</a>",
        f"Transfer ke {RLO}gpj.exe{PDF} sekarang",
        f"KPU{ZWSP}curang{ZWJ}<scr{ZWSP}ipt>x</script>",
        "🔥" * 5000 + "<b>",
        "</td></tr></table><h1>palsu</h1>",
    ],
)
def test_hostile_text_cannot_become_markup(email_settings: EmailSettings, text: str) -> None:
    message = render(make_alert(posts=[evidence("1", 0, text=text, author_handle=text[:100])], group=text[:150]),
                     email_settings)
    html = html_of(reparse(message))
    body = html.split("<body>", 1)[1]
    # the only tags are ours
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", body))
    assert tags <= {"h2", "h3", "table", "tr", "th", "td", "a", "p"}, tags
    assert "javascript:" not in re.findall(r'href="([^"]*)"', body)[0]
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<h1" not in html.lower()
    # text is kept (escaped), never the raw markup; huge runs are cut to the excerpt length
    for cell in re.findall(r"<td>([^<]*)</td>", body):
        assert len(cell) <= EXCERPT_CHARS * 8
    plain = plain_of(reparse(message))
    assert all(len(line) < 2000 for line in plain.splitlines())


def test_rtl_override_is_isolated_in_html(email_settings: EmailSettings) -> None:
    html = html_of(render(make_alert(posts=[evidence("1", 0, text=f"a {RLO}b")]), email_settings))
    assert "td{unicode-bidi:isolate}" in html
    assert f"a {RLO}b" in html  # kept as text so officers see what was posted


def test_hostile_text_stays_out_of_headers(email_settings: EmailSettings) -> None:
    text = f"grup{RLO}\r\nBcc: x@y{ZWSP}" + "😀" * 400
    message = reparse(render(make_alert(group=text, rule_name=text), email_settings))
    assert message["Bcc"] is None
    assert len(" ".join(message["Subject"].split())) <= 200


# --- languages, recipients, notices, digests ------------------------------------------------


def test_english_option(email_settings: EmailSettings) -> None:
    message = render(make_alert(), email_settings, language="en")
    plain = plain_of(message)
    assert message["Subject"] == "[SIAGA] Lonjakan hoaks pemilu: 12 posts within 30 min — hashtag #pemilu"
    assert "Count" in plain and "12 posts within 30 min (threshold 10)" in plain
    assert "21 Nov 2026 19:00 WIB" in plain
    assert "unggahan" not in plain.replace("Unggahan nomor", "")


def test_recipients_per_rule_and_level() -> None:
    settings = EmailSettings(recipients=["piket@x"], recipients_by_level={"awas": ["kapolres@x", "piket@x"]})
    assert recipients_for("waspada", None, settings) == ["piket@x"]
    assert recipients_for("awas", None, settings) == ["piket@x", "kapolres@x"]
    assert recipients_for("awas", ["sara@x"], settings) == ["sara@x", "kapolres@x", "piket@x"]


def test_resolved_notice_threads_under_the_alert(email_settings: EmailSettings) -> None:
    alert = make_alert()
    message = render_resolved(alert, datetime(2026, 11, 21, 13, 0, tzinfo=UTC), email_settings)
    assert message["Subject"] == "[SELESAI] Lonjakan hoaks pemilu — tagar #pemilu"
    assert message["In-Reply-To"] == f"<{alert.alert_id}@siaga.local>"
    assert message["Message-ID"] == f"<{alert.alert_id}.resolved@siaga.local>"
    assert "Mereda: 21 Nov 2026 20:00 WIB" in plain_of(message)
    path = Path(deliver(message, email_settings))
    assert path.name == f"{alert.alert_id}.resolved.eml"


def test_digest_lists_every_alert(email_settings: EmailSettings) -> None:
    alerts = [make_alert(alert_id=f"a{i}", group=f"#g{i}") for i in range(3)]
    message = render_digest(alerts, "digest-x", email_settings)
    plain = plain_of(message)
    assert "3 peringatan" in message["Subject"]
    assert [line for line in plain.splitlines() if line.startswith("- ")] == [
        f"- [SIAGA] Lonjakan hoaks pemilu: 12 unggahan dalam 30 menit — tagar #g{i}" for i in range(3)]
    assert html_of(message).count("<h2>") == 3


class RefusingSink(SmtpSink):
    """An SMTP server that refuses some recipients or rules' messages, for good (5xx) or for now (4xx)."""

    def __init__(self, rcpt: dict[str, str] | None = None, data: dict[str, list[str]] | None = None) -> None:
        super().__init__()
        self.rcpt = rcpt or {}
        self.data = data or {}  # rule id → replies to its messages' DATA, one per attempt, then "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.rcpt:
            return self.rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        rule = email.message_from_bytes(envelope.original_content, policy=email.policy.default)["X-Siaga-Rule"]
        if self.data.get(rule):
            return self.data[rule].pop(0)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def refusing_server(sink: RefusingSink, **smtp_options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def smtp_session(port: int, tmp_path: Path, **extra: Any) -> SmtpSession:
    return SmtpSession(EmailSettings(smtp_host="127.0.0.1", smtp_port=port, security="none", timeout_s=5,
                                     outbox_dir=tmp_path, **extra))


def test_smtp_refusal_for_good_is_permanent_and_the_connection_goes_on(tmp_path: Path) -> None:
    sink = RefusingSink(rcpt={"hilang@polres.example": "550 5.1.1 <hilang@polres.example>: s3cret-pw unknown"})
    with refusing_server(sink) as port:
        session = smtp_session(port, tmp_path, smtp_password="s3cret-pw")
        try:
            with pytest.raises(PermanentFailure) as refused:
                session.send(render(make_alert(), session.settings, recipients=["hilang@polres.example"]))
            session.send(render(make_alert(), session.settings, recipients=["piket@polres.example"]))
        finally:
            session.close()
    reason = str(refused.value)
    assert "hilang@polres.example: 550 5.1.1" in reason and "s3cret-pw" not in reason
    assert [e.rcpt_tos for e in sink.envelopes] == [["piket@polres.example"]]


def test_smtp_content_refusal_for_good_is_permanent(tmp_path: Path, email_settings: EmailSettings) -> None:
    alert = make_alert()
    sink = RefusingSink(data={alert.rule_id: ["552 5.3.4 message too big"]})
    with refusing_server(sink) as port, pytest.raises(PermanentFailure, match="refused the message: 552 5.3.4"):
        deliver(render(alert, email_settings), smtp_session(port, tmp_path).settings)


def test_smtp_refusal_for_now_is_not_permanent(tmp_path: Path) -> None:
    from pipelines.delivery.failures import RefusedForNow

    alert = make_alert()
    sink = RefusingSink(rcpt={"piket@polres.example": "450 4.2.1 mailbox busy"},
                        data={alert.rule_id: ["451 4.3.0 try again later"]})
    with refusing_server(sink) as port:
        session = smtp_session(port, tmp_path)
        try:
            with pytest.raises(RefusedForNow, match="piket@polres.example: 450 4.2.1 mailbox busy"):
                session.send(render(alert, session.settings, recipients=["piket@polres.example"]))
            with pytest.raises(RefusedForNow, match="refused the message for now: 451 4.3.0"):
                session.send(render(alert, session.settings, recipients=["kapolres@polres.example"]))
            session.send(render(alert, session.settings, recipients=["kapolres@polres.example"]))
        finally:
            session.close()
    assert [e.rcpt_tos for e in sink.envelopes] == [["kapolres@polres.example"]]


def test_smtp_recipients_refused_some_for_good_some_for_now_is_a_refusal_for_now(tmp_path: Path) -> None:
    from pipelines.delivery.failures import RefusedForNow

    sink = RefusingSink(rcpt={"hilang@polres.example": "550 5.1.1 mailbox unavailable",
                              "piket@polres.example": "452 4.2.2 mailbox full"})
    with refusing_server(sink) as port:
        session = smtp_session(port, tmp_path)
        try:
            with pytest.raises(RefusedForNow) as refused:
                session.send(render(make_alert(), session.settings,
                                    recipients=["hilang@polres.example", "piket@polres.example"]))
        finally:
            session.close()
    assert "550 5.1.1" in str(refused.value) and "452 4.2.2" in str(refused.value)
    assert sink.messages == []


def test_a_message_the_server_cannot_take_at_all_is_a_permanent_failure(tmp_path: Path) -> None:
    # An address with non-ASCII letters needs SMTPUTF8, which this server does not offer: retrying cannot help.
    with refusing_server(RefusingSink(), enable_SMTPUTF8=False) as port:
        session = smtp_session(port, tmp_path)
        try:
            with pytest.raises(PermanentFailure, match="cannot take this message"):
                session.send(render(make_alert(), session.settings, recipients=["pétugas@polres.example"]))
        finally:
            session.close()


def test_an_eml_file_is_private(email_settings: EmailSettings) -> None:
    import stat

    path = Path(deliver(render(make_alert(), email_settings), email_settings))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_smtp_partial_refusal_reaches_the_others_and_names_the_refused(tmp_path: Path) -> None:
    sink = RefusingSink(rcpt={"hilang@polres.example": "550 5.1.1 mailbox unavailable"})
    with refusing_server(sink) as port:
        session = smtp_session(port, tmp_path)
        try:
            where = session.send(render(make_alert(), session.settings,
                                        recipients=["hilang@polres.example", "piket@polres.example"]))
        finally:
            session.close()
    assert where == f"smtp://127.0.0.1:{port}"
    assert session.refused == {"hilang@polres.example": "550 5.1.1 mailbox unavailable"}
    assert [e.rcpt_tos for e in sink.envelopes] == [["piket@polres.example"]]


# --- why each post was raised, and its reach ---------------------------------------------------


def raised(native_id: str, **overrides: Any) -> AlertPost:
    """Evidence of a post the tagger composed into a black campaign against paslon 02."""
    fields: dict[str, Any] = {
        "level": "siaga",
        "labels": ["black_campaign", "abusive"],
        "reasons": [
            RiskReason(kind="model", label="black_campaign", ref="abusive", detail="model: Kata kasar / hinaan (0.82)",
                       score=0.82),
            RiskReason(kind="entity", label="black_campaign", ref="candidate:paslon-02",
                       detail="menyasar kandidat paslon 02 Asep–Rudi (\u201cKang Asep\u201d)"),
            RiskReason(kind="model", label="abusive", ref="abusive", detail="model: Kata kasar / hinaan (0.82)",
                       score=0.82),
        ],
        "entities": [Entity(type="candidate", id="candidate:paslon-02", surface="Kang Asep")],
        "engagement": Engagement(views=12345, likes=678, shares=None, comments=9),
    }
    return evidence(native_id, 0, text="Kang Asep muka maling", **{**fields, **overrides})


def test_the_email_says_why_each_post_was_raised_and_its_reach(email_settings: EmailSettings) -> None:
    message = render(make_alert(posts=[raised("7")]), email_settings)
    plain, html_part = plain_of(message), html_of(message)
    assert ("   Mengapa: SIAGA · Kampanye hitam: model: Kata kasar / hinaan (0.82); "
            "menyasar kandidat paslon 02 Asep–Rudi (\u201cKang Asep\u201d)") in plain
    assert "   Mengapa: Kata kasar / hinaan: model: Kata kasar / hinaan (0.82)" in plain
    assert "   Menyebut: Kang Asep (candidate:paslon-02)" in plain
    assert "   Jangkauan: ditonton 12.345 · suka 678 · dibagikan tidak diketahui · komentar 9" in plain
    assert plain.index("Mengapa") < plain.index("Jangkauan") < plain.index("https://www.tiktok.com/@warga/video/7")
    assert "<th>Mengapa</th><th>Jangkauan</th>" in html_part
    assert "menyasar kandidat paslon 02 Asep–Rudi (\u201cKang Asep\u201d)" in html.unescape(html_part)
    assert "ditonton 12.345<br>suka 678<br>dibagikan tidak diketahui<br>komentar 9" in html_part


def test_in_english_the_reasons_and_reach_are_english(email_settings: EmailSettings) -> None:
    plain = plain_of(render(make_alert(posts=[raised("7")]), email_settings, language="en"))
    assert ("   Why: SIAGA · black campaign: model: abusive language (0.82); "
            "aimed at candidate:paslon-02 (\u201cKang Asep\u201d)") in plain
    assert "   Reach: views 12,345 · likes 678 · shares unknown · comments 9" in plain


def test_a_post_without_known_reach_or_reasons_says_so(email_settings: EmailSettings) -> None:
    plain = plain_of(render(make_alert(posts=[evidence("8", 0)]), email_settings))
    assert "   Jangkauan: tidak diketahui" in plain
    assert "Mengapa" not in plain, "evidence kept before reasons existed has none to show"
    hidden = plain_of(render(make_alert(posts=[evidence("9", 0, engagement=Engagement())]), email_settings))
    assert "   Jangkauan: ditonton tidak diketahui · suka tidak diketahui · dibagikan tidak diketahui · " \
           "komentar tidak diketahui" in hidden


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "\u202eevil"])
def test_reasons_and_names_from_a_post_are_escaped_in_html(email_settings: EmailSettings, hostile: str) -> None:
    post = raised("6", entities=[Entity(type="candidate", id="candidate:paslon-02", surface=hostile)],
                  reasons=[RiskReason(kind="entity", label="black_campaign", ref="candidate:paslon-02",
                                      detail=f"menyasar kandidat paslon 02 (\u201c{hostile}\u201d)")])
    html_part = html_of(render(make_alert(posts=[post]), email_settings))
    assert "<script>" not in html_part and "<img" not in html_part
    assert html.escape(hostile) in html_part
    broken = raised("6", reasons=[RiskReason(kind="watchlist", label="black_campaign", ref="x\ny",
                                             detail="baris\nbaru")])
    plain = plain_of(render(make_alert(posts=[broken]), email_settings))
    assert "   Mengapa: SIAGA · Kampanye hitam: baris baru\n" in plain, "a reason is one line"


# --- factcheck_match: the debunk in the email ------------------------------------------------------

DEBUNK = FactCheckMatch(
    factcheck_id="fc-" + "1" * 20, claim="KTP-el lama tidak bisa dipakai mencoblos",
    title="[SALAH] KTP-el <lama> tidak bisa dipakai \"mencoblos\"", url="https://cekfakta.sukamaju.example/ktp?a=1&b=2",
    rating="SALAH", verdict="false", publisher="Cek Fakta Sukamaju",
    published_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC), score=0.93, matched="KTP-el lama", reason="repeats")


def factcheck_alert() -> Alert:
    reason = RiskReason(kind="factcheck", label="hoax", ref=DEBUNK.factcheck_id, score=0.93,
                        detail="mengulang klaim yang sudah dibantah: " + DEBUNK.summary())
    return make_alert(rule_type="factcheck_match", rule_id="hoaks-terbantah", rule_name="Hoaks yang sudah dibantah",
                      group_by="none", group=DEBUNK.factcheck_id, count=2, threshold=1, factcheck=DEBUNK,
                      posts=[evidence("3", 0, labels=["hoax"], level="siaga", reasons=[reason], factchecks=[DEBUNK]),
                             evidence("2", -5, labels=["hoax"], level="siaga", reasons=[reason])])


def test_a_factcheck_alert_quotes_the_debunk_in_indonesian_first_with_its_link_and_wib_date(
        email_settings: EmailSettings) -> None:
    message = render(factcheck_alert(), email_settings)
    assert "mengulang klaim yang sudah dibantah" in message["Subject"]
    plain = plain_of(message)
    assert "Klaim dibantah: [SALAH] KTP-el <lama> tidak bisa dipakai \"mencoblos\"" in plain
    assert "Penilaian   : SALAH, Cek Fakta Sukamaju, 20 Nov 2026 10:00 WIB" in plain
    assert "Bantahan    : https://cekfakta.sukamaju.example/ktp?a=1&b=2" in plain
    assert plain.index("Klaim dibantah") < plain.index("— English —")
    page = html_of(message)
    assert '<a href="https://cekfakta.sukamaju.example/ktp?a=1&amp;b=2">' in page
    assert "KTP-el &lt;lama&gt; tidak bisa dipakai &quot;mencoblos&quot;" in page and "<lama>" not in page


def test_a_factcheck_alert_in_english_names_the_rating_and_the_reason_in_english(
        email_settings: EmailSettings) -> None:
    plain = plain_of(render(factcheck_alert().model_copy(update={"rule_id": "x"}), email_settings.model_copy(
        update={"language": "en"})))
    assert "Rating      : SALAH (false), Cek Fakta Sukamaju, 20 Nov 2026 10:00 WIB" in plain
    assert "repeats a debunked claim: \u201c[SALAH] KTP-el" in plain
