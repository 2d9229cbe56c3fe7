"""Alert emails for on-call officers: Indonesian first, times in WIB, post text escaped.

``render`` builds a multipart message (plain text and HTML) from an ``Alert``; ``deliver``
sends it over SMTP, or, when no SMTP server is configured, writes it to the outbox folder as
an ``.eml`` file named after the alert id. Every piece of post text, handle and hashtag is
user-controlled, so it is HTML-escaped in the HTML part and stripped of line breaks wherever it
lands in a header.
"""

from __future__ import annotations

import html
import os
import re
import smtplib
import ssl
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from schemas.alert import Alert
from schemas.config import EmailSettings

WIB = timezone(timedelta(hours=7), "WIB")
EXCERPT_CHARS = 280
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")

SEVERITY_LABEL = {"waspada": "WASPADA", "siaga": "SIAGA", "awas": "AWAS"}
GROUP_LABEL = {
    "none": "semua unggahan",
    "platform": "platform",
    "language": "bahasa",
    "region": "wilayah",
    "hashtag": "tagar",
    "author": "akun",
}


def wib(moment: datetime) -> str:
    """A time as officers read it: ``21 Nov 2026 19:42 WIB``."""
    return moment.astimezone(WIB).strftime("%d %b %Y %H:%M WIB")


def duration_id(seconds: int) -> str:
    """A window length in Indonesian: ``30 menit``, ``2 jam``, ``1 hari``."""
    for unit, size in (("hari", 86400), ("jam", 3600), ("menit", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} detik"


def one_line(text: str, limit: int | None = None) -> str:
    """Text safe for a header or a single line: control characters and line breaks collapsed."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def subject_of(alert: Alert) -> str:
    """The subject line: severity, rule, count and group."""
    group = "" if alert.group_by == "none" else f" — {group_text(alert)}"
    return one_line(
        f"[{SEVERITY_LABEL[alert.severity]}] {alert.rule_name}: {alert.count} unggahan dalam "
        f"{duration_id(alert.window_seconds)}{group}",
        200,
    )


def group_text(alert: Alert) -> str:
    """The group an alert is about, in Indonesian."""
    if alert.group_by == "none":
        return GROUP_LABEL["none"]
    return f"{GROUP_LABEL[alert.group_by]} {one_line(alert.group)}"


def _plain(alert: Alert, settings: EmailSettings) -> str:
    window = duration_id(alert.window_seconds)
    lines = [
        f"PERINGATAN SIAGA — tingkat {SEVERITY_LABEL[alert.severity]}",
        "",
        f"Aturan      : {alert.rule_name} ({alert.rule_id})",
        f"Kelompok    : {group_text(alert)}",
        f"Jumlah      : {alert.count} unggahan dalam {window} (ambang {alert.threshold})",
        f"Rentang     : {wib(alert.window_start)} s.d. {wib(alert.window_end)}",
        f"Terdeteksi  : {wib(alert.fired_at)}",
        f"ID peringatan: {alert.alert_id}",
        "",
        f"Unggahan terbaru ({len(alert.posts)}):",
    ]
    for number, post in enumerate(alert.posts, 1):
        lines += [
            "",
            f"{number}. [{post.platform}] @{one_line(post.author_handle)} — {wib(post.created_at)}",
            f"   {one_line(post.text, EXCERPT_CHARS)}",
            f"   {post.url}",
        ]
    if settings.kibana_url:
        lines += ["", f"Buka di Kibana: {settings.kibana_url}"]
    lines += [
        "",
        "Tindak lanjuti sesuai SOP patroli siber. Email ini dikirim otomatis oleh Siaga.",
        "",
        "— English —",
        f"Rule {alert.rule_id} fired: {alert.count} matching posts within {alert.window_seconds}s "
        f"for {alert.group_by} = {one_line(alert.group)} (threshold {alert.threshold}).",
    ]
    return "\n".join(lines) + "\n"


def _html(alert: Alert, settings: EmailSettings) -> str:
    e = html.escape
    window = duration_id(alert.window_seconds)
    rows = "".join(
        "<tr>"
        f"<td>{number}</td><td>{e(post.platform)}</td><td>@{e(post.author_handle)}</td>"
        f"<td>{e(wib(post.created_at))}</td><td>{e(one_line(post.text, EXCERPT_CHARS))}</td>"
        f'<td><a href="{e(post.url, quote=True)}">tautan</a></td>'
        "</tr>"
        for number, post in enumerate(alert.posts, 1)
    )
    kibana = (
        f'<p><a href="{e(settings.kibana_url, quote=True)}">Buka di Kibana</a></p>' if settings.kibana_url else ""
    )
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f"<title>{e(subject_of(alert))}</title></head><body>"
        f"<h2>Peringatan Siaga — {e(SEVERITY_LABEL[alert.severity])}</h2>"
        "<table>"
        f"<tr><th align=left>Aturan</th><td>{e(alert.rule_name)} ({e(alert.rule_id)})</td></tr>"
        f"<tr><th align=left>Kelompok</th><td>{e(group_text(alert))}</td></tr>"
        f"<tr><th align=left>Jumlah</th><td>{alert.count} unggahan dalam {e(window)} "
        f"(ambang {alert.threshold})</td></tr>"
        f"<tr><th align=left>Rentang</th><td>{e(wib(alert.window_start))} s.d. {e(wib(alert.window_end))}</td></tr>"
        f"<tr><th align=left>Terdeteksi</th><td>{e(wib(alert.fired_at))}</td></tr>"
        f"<tr><th align=left>ID peringatan</th><td>{e(alert.alert_id)}</td></tr>"
        "</table>"
        f"<h3>Unggahan terbaru ({len(alert.posts)})</h3>"
        "<table border=1 cellpadding=4><tr><th>#</th><th>Platform</th><th>Akun</th><th>Waktu</th>"
        f"<th>Teks</th><th>Tautan</th></tr>{rows}</table>{kibana}"
        "<p>Tindak lanjuti sesuai SOP patroli siber. Email ini dikirim otomatis oleh Siaga.</p>"
        "</body></html>"
    )


def render(alert: Alert, settings: EmailSettings) -> EmailMessage:
    """The alert as a multipart email (plain text first, HTML alternative)."""
    message = EmailMessage()
    message["Subject"] = subject_of(alert)
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = format_datetime(alert.fired_at.astimezone(WIB))
    # Stable per alert, so a mail system that sees the same alert twice can tell.
    message["Message-ID"] = f"<{alert.alert_id}@siaga.local>"
    message["X-Siaga-Alert-Id"] = alert.alert_id
    message["X-Siaga-Rule"] = alert.rule_id
    message.set_content(_plain(alert, settings))
    message.add_alternative(_html(alert, settings), subtype="html")
    return message


def deliver(message: EmailMessage, settings: EmailSettings) -> str:
    """Send over SMTP, or write to the outbox; return where the message went."""
    if settings.smtp_host is None:
        return str(_write_outbox(message, settings.outbox_dir))
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.timeout_s, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_s)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            client.login(settings.smtp_username, password or "")
        client.send_message(message)
    return f"smtp://{settings.smtp_host}:{settings.smtp_port}"


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(message["X-Siaga-Alert-Id"]))
    path = outbox / f"{name}.eml"
    temporary = path.with_suffix(".eml.tmp")
    temporary.write_bytes(message.as_bytes())
    os.replace(temporary, path)
    return path
