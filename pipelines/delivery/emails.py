"""Alert emails for on-call officers: Indonesian first, times in WIB, post text escaped.

``render`` builds a multipart message (plain text and HTML) from an ``Alert``; ``deliver``
sends it over SMTP, or, when no SMTP server is configured, writes it to the outbox folder as
an ``.eml`` file named after the alert id. Every piece of post text, handle and hashtag is
user-controlled, so it is HTML-escaped in the HTML part and stripped of line breaks wherever it
lands in a header.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from pipelines.delivery.failures import PermanentFailure, RefusedForNow
from schemas.alert import Alert, AlertPost, Severity
from schemas.clock import WIB, wib
from schemas.config import EmailSettings
from schemas.files import write_private
from schemas.taxonomy import RISKS

if TYPE_CHECKING:
    from pipelines.delivery.verdict_links import LinkSigner

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


GROUP_LABEL_EN = {
    "none": "all posts", "platform": "platform", "language": "language", "region": "region",
    "hashtag": "hashtag", "author": "account", "topic": "topic", "risk_label": "risk label",
    "cluster": "near-duplicate cluster", "term": "term", "post": "post", "entity": "target",
}
GROUP_LABEL.update({"topic": "topik", "risk_label": "label risiko", "cluster": "klaster hampir-identik",
                    "term": "istilah", "post": "unggahan", "entity": "sasaran"})

RISKS_EN = {"hate_speech": "hate speech (SARA)", "abusive": "abusive language", "provocation": "provocation",
            "black_campaign": "black campaign", "hoax": "hoax", "money_politics": "money politics"}
LEVEL_LABEL = {"normal": "normal", "waspada": "WASPADA", "siaga": "SIAGA", "awas": "AWAS"}
REACH = (("views", "ditonton", "views"), ("likes", "suka", "likes"), ("shares", "dibagikan", "shares"),
         ("comments", "komentar", "comments"))


def _count(value: int | None, english: bool) -> str:
    if value is None:
        return "unknown" if english else "tidak diketahui"
    grouped = f"{value:,}"
    return grouped if english else grouped.replace(",", ".")


def reach_text(post: AlertPost, english: bool = False) -> str:
    """A post's reach in one line: ``ditonton 1.234 · suka 56 · dibagikan tidak diketahui · komentar 3``.

    A count the platform hides is unknown, never 0; without any counts at all (evidence kept by
    an older version) the whole reach is unknown.
    """
    if post.engagement is None:
        return "unknown" if english else "tidak diketahui"
    return " · ".join(f"{en if english else id_} {_count(getattr(post.engagement, field), english)}"
                      for field, id_, en in REACH)


def _reason_text(reason: object, english: bool) -> str:
    kind, label, ref, detail = (getattr(reason, name) for name in ("kind", "label", "ref", "detail"))
    if not english:
        return one_line(detail, 200)
    if kind == "model":
        score = getattr(reason, "score", None)
        return f"model: {RISKS_EN.get(ref or label, ref or label)}" + (f" ({score:.2f})" if score is not None else "")
    if kind == "entity":
        quoted = detail.rfind("(\u201c")  # the words as written, as the Indonesian line quotes them
        return one_line(f"aimed at {ref}" + (f" {detail[quoted:]}" if quoted >= 0 else ""), 200)
    if kind == "watchlist":
        return f"watchlist term \u201c{one_line(ref or '', 80)}\u201d"
    if kind == "factcheck":
        return one_line("repeats a debunked claim: " + detail.split(": ", 1)[-1], 200)
    return one_line(detail, 200)


def why_lines(post: AlertPost, english: bool = False) -> list[str]:
    """Why a post was raised, one line per risk label: the label, then its reasons.

    ``SIAGA · Kampanye hitam: menyasar kandidat paslon 02 Asep–Rudi (“Asep”); model: ...``
    """
    names = RISKS_EN if english else RISKS
    lines = []
    for label in post.labels:
        reasons = [_reason_text(r, english) for r in post.reasons if r.label == label]
        line = names.get(label, label) + (": " + "; ".join(dict.fromkeys(reasons)) if reasons else "")
        lines.append(one_line(line, 400))
    if post.level is not None and post.level != "normal":
        level = LEVEL_LABEL[post.level]
        lines = [f"{level} · {lines[0]}", *lines[1:]] if lines else [level]
    return lines


def duration_en(seconds: int) -> str:
    """A window length in English: ``30 min``, ``2 h``, ``1 d``."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def _rison(value: str) -> str:
    return "'" + value.replace("!", "!!").replace("'", "!'") + "'"


def _utc_z(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def kibana_link(alert: Alert, base_url: str) -> str:
    """A Kibana 8 Discover URL on the ``siaga-posts`` data view, filtered to exactly the alert's posts."""
    ids = alert.post_ids or [post.post_id for post in alert.posts]
    if ids:
        quoted = ('"' + pid.replace("\\", "\\\\").replace('"', '\\"') + '"' for pid in ids)
        query = "post_id:(" + " or ".join(quoted) + ")"
    elif alert.cluster_id:
        query = f'cluster_id:"{alert.cluster_id}"'
    else:
        query = ""
    start, end = _utc_z(alert.window_start - timedelta(minutes=1)), _utc_z(alert.window_end + timedelta(minutes=1))
    g = f"(time:(from:{_rison(start)},to:{_rison(end)}))"
    a = f"(dataSource:(dataViewId:'siaga-posts',type:dataView),query:(language:kuery,query:{_rison(query)}))"
    safe = "():,'!*-._~"
    return f"{base_url.rstrip('/')}/app/discover#/?_g={quote(g, safe=safe)}&_a={quote(a, safe=safe)}"


def _group_label(alert: Alert, english: bool) -> str:
    labels = GROUP_LABEL_EN if english else GROUP_LABEL
    if alert.group_by == "none":
        return labels["none"]
    if alert.group_by == "entity" and alert.detail:
        # the engine puts the name officers read in the detail: "sasaran paslon 02 Asep–Rudi"
        return f"{labels['entity']} {one_line(alert.detail)} ({one_line(alert.group)})"
    return f"{labels.get(alert.group_by, alert.group_by)} {one_line(alert.group)}"


def group_text(alert: Alert) -> str:
    """The group an alert is about, in Indonesian."""
    return _group_label(alert, english=False)


def headline(alert: Alert, english: bool = False) -> str:
    """What happened, in one line, by rule type."""
    window = duration_en(alert.window_seconds) if english else duration_id(alert.window_seconds)
    group = one_line(alert.group)
    if alert.rule_type == "critical_post":
        post = alert.posts[0] if alert.posts else None
        who = f"@{one_line(post.author_handle)} ({post.platform})" if post else group
        return f"critical post by {who}" if english else f"unggahan kritis dari {who}"
    if alert.rule_type == "coordinated":
        if english:
            return f"{alert.count} near-identical posts from {alert.accounts} accounts within {window}"
        return f"{alert.count} unggahan hampir identik dari {alert.accounts} akun dalam {window}"
    if alert.rule_type == "new_term":
        return (f"new term {group} used {alert.count} times within {window}" if english
                else f"istilah baru {group} dipakai {alert.count} kali dalam {window}")
    if alert.rule_type == "factcheck_match":
        return (f"{alert.count} post(s) repeat a debunked claim" if english
                else f"{alert.count} unggahan mengulang klaim yang sudah dibantah")
    if alert.rule_type == "spike":
        return (f"spike of {alert.count} posts within {window}" if english
                else f"lonjakan {alert.count} unggahan dalam {window}")
    return f"{alert.count} posts within {window}" if english else f"{alert.count} unggahan dalam {window}"


def subject_of(alert: Alert, english: bool = False) -> str:
    """The subject line: severity, rule, what happened and the group."""
    group = ""
    if alert.group_by not in ("none", "post", "term", "cluster"):
        group = f" — {_group_label(alert, english)}"
    realert = ""
    if alert.realert:
        realert = f" (re-alert {alert.realert})" if english else f" (pengingat ke-{alert.realert})"
    return one_line(
        f"[{SEVERITY_LABEL[alert.severity]}] {alert.rule_name}: {headline(alert, english)}{group}{realert}", 200
    )


_TEXT = {
    "id": {
        "title": "PERINGATAN SIAGA — tingkat {level}", "rule": "Aturan", "type": "Jenis", "group": "Kelompok",
        "count": "Jumlah", "range": "Rentang", "detected": "Terdeteksi", "id": "ID peringatan",
        "cluster": "Klaster", "detail": "Rincian", "incident": "Insiden", "until": "s.d.",
        "vs": "{count} unggahan dalam {window} (ambang {threshold})", "latest": "Unggahan terbaru ({n})",
        "kibana": "Buka di Kibana", "link": "tautan", "verdict": "Penilaian", "platform": "Platform",
        "account": "Akun", "time": "Waktu",
        "text": "Teks", "accounts": "akun", "why": "Mengapa", "reach": "Jangkauan", "names": "Menyebut",
        "footer": "Tindak lanjuti sesuai SOP patroli siber. Email ini dikirim otomatis oleh Siaga.",
        "debunked": "Klaim dibantah", "rating": "Penilaian", "debunk": "Bantahan", "no_link": "(tanpa tautan)",
    },
    "en": {
        "title": "SIAGA ALERT — level {level}", "rule": "Rule", "type": "Type", "group": "Group",
        "count": "Count", "range": "Window", "detected": "Detected", "id": "Alert ID",
        "cluster": "Cluster", "detail": "Detail", "incident": "Incident", "until": "to",
        "vs": "{count} posts within {window} (threshold {threshold})", "latest": "Latest posts ({n})",
        "kibana": "Open in Kibana", "link": "link", "verdict": "Verdict", "platform": "Platform",
        "account": "Account", "time": "Time",
        "text": "Text", "accounts": "accounts", "why": "Why", "reach": "Reach", "names": "Names",
        "footer": "Follow up under the cyber patrol SOP. This email was sent automatically by Siaga.",
        "debunked": "Debunked claim", "rating": "Rating", "debunk": "Debunk", "no_link": "(no link)",
    },
}


def _facts(alert: Alert, english: bool) -> list[tuple[str, str]]:
    t = _TEXT["en" if english else "id"]
    window = duration_en(alert.window_seconds) if english else duration_id(alert.window_seconds)
    rows = [
        (t["rule"], f"{alert.rule_name} ({alert.rule_id})"),
        (t["group"], _group_label(alert, english)),
        (t["count"], t["vs"].format(count=alert.count, window=window, threshold=alert.threshold)),
        (t["range"], f"{wib(alert.window_start)} {t['until']} {wib(alert.window_end)}"),
        (t["detected"], wib(alert.fired_at)),
        (t["id"], alert.alert_id),
    ]
    if alert.rule_type == "critical_post":
        # one post, no window: its time and why it is critical say it all
        rows = [rows[0], (t["time"], wib(alert.window_end)), *rows[-2:]]
    if alert.rule_type != "threshold":
        rows.insert(1, (t["type"], alert.rule_type))
    if alert.detail and alert.group_by != "entity":  # for an entity the detail is its name, in the group row
        rows.insert(-3, (t["detail"], one_line(alert.detail, 300)))
    if alert.cluster_id:
        rows.insert(-3, (t["cluster"], f"{alert.cluster_id} ({alert.accounts} {t['accounts']}, "
                                       f"{', '.join(alert.platforms)})"))
    if alert.incident_id:
        rows.append((t["incident"], alert.incident_id))
    if alert.factcheck is not None:
        # the debunk first: it is what the officer forwards, and what the posts are measured against
        debunk = alert.factcheck
        rows[1:1] = [(t["debunked"], debunk.title or debunk.claim), (t["rating"], debunk.verdict_line(english)),
                     (t["debunk"], str(debunk.url) if debunk.url else t["no_link"])]
    return rows


def _verdict_links(alert: Alert, post: AlertPost, links: LinkSigner | None) -> dict[str, str]:
    # Issued at fired_at, not at sending: the same alert rendered again gives the same links.
    return links.links(post.post_id, alert.alert_id, alert.fired_at) if links is not None else {}


def _plain(alert: Alert, settings: EmailSettings, english: bool = False, links: LinkSigner | None = None) -> str:
    t = _TEXT["en" if english else "id"]
    facts = _facts(alert, english)
    width = 12
    lines = [t["title"].format(level=SEVERITY_LABEL[alert.severity]), ""]
    lines += [f"{label:<{width}}: {one_line(value)}" for label, value in facts]
    lines += ["", t["latest"].format(n=len(alert.posts)) + ":"]
    for number, post in enumerate(alert.posts, 1):
        lines += [
            "",
            f"{number}. [{post.platform}] @{one_line(post.author_handle)} — {wib(post.created_at)}",
            f"   {one_line(post.text, EXCERPT_CHARS)}",
        ]
        lines += [f"   {t['why']}: {line}" for line in why_lines(post, english)]
        if post.entities:
            lines.append(f"   {t['names']}: {_names(post)}")
        lines += [f"   {t['reach']}: {reach_text(post, english)}", f"   {post.url}"]
        for verdict, url in _verdict_links(alert, post, links).items():
            lines.append(f"   {t['verdict']} {verdict}: {url}")
    if settings.kibana_url:
        lines += ["", f"{t['kibana']}: {kibana_link(alert, settings.kibana_url)}"]
    lines += ["", t["footer"]]
    if not english:
        lines += [
            "",
            "— English —",
            f"Rule {alert.rule_id} ({alert.rule_type}) fired: {headline(alert, english=True)} "
            f"for {alert.group_by} = {one_line(alert.group)} (threshold {alert.threshold}).",
        ]
    return "\n".join(lines) + "\n"


def _names(post: AlertPost) -> str:
    """The entities a post names, as written: ``Asep (candidate:paslon-02), #kpusukamajucurang (...)``."""
    return one_line(", ".join(f"{entity.surface} ({entity.id})" for entity in post.entities), 300)


def _verdict_cell(alert: Alert, post: AlertPost, links: LinkSigner | None) -> str:
    found = _verdict_links(alert, post, links)
    if not found:
        return ""
    anchors = " / ".join(f'<a href="{html.escape(url, quote=True)}">{verdict}</a>' for verdict, url in found.items())
    return f"<td>{anchors}</td>"


def _html_body(alert: Alert, settings: EmailSettings, english: bool, links: LinkSigner | None = None) -> str:
    e = html.escape
    t = _TEXT["en" if english else "id"]
    link = str(alert.factcheck.url) if alert.factcheck is not None and alert.factcheck.url else None
    facts = "".join(f"<tr><th align=left>{e(label)}</th><td>"
                    + (f'<a href="{e(link, quote=True)}">{e(one_line(value))}</a>' if label == t["debunk"] and link
                       else e(one_line(value))) + "</td></tr>"
                    for label, value in _facts(alert, english))
    rows = "".join(
        "<tr>"
        f"<td>{number}</td><td>{e(post.platform)}</td><td>@{e(one_line(post.author_handle))}</td>"
        f"<td>{e(wib(post.created_at))}</td><td>{e(one_line(post.text, EXCERPT_CHARS))}</td>"
        f"<td>{'<br>'.join(e(line) for line in why_lines(post, english))}"
        f"{'<br>' + e(t['names'] + ': ' + _names(post)) if post.entities else ''}</td>"
        f"<td>{e(reach_text(post, english)).replace(' · ', '<br>')}</td>"
        f'<td><a href="{e(post.url, quote=True)}">{t["link"]}</a></td>'
        f"{_verdict_cell(alert, post, links)}"
        "</tr>"
        for number, post in enumerate(alert.posts, 1)
    )
    kibana = ""
    if settings.kibana_url:
        kibana = f'<p><a href="{e(kibana_link(alert, settings.kibana_url), quote=True)}">{t["kibana"]}</a></p>'
    return (
        f"<h2>{e(t['title'].format(level=SEVERITY_LABEL[alert.severity]))}</h2>"
        f"<table>{facts}</table>"
        f"<h3>{e(t['latest'].format(n=len(alert.posts)))}</h3>"
        f"<table border=1 cellpadding=4><tr><th>#</th><th>{t['platform']}</th><th>{t['account']}</th>"
        f"<th>{t['time']}</th><th>{t['text']}</th><th>{t['why']}</th><th>{t['reach']}</th><th>{t['link']}</th>"
        f"{'<th>' + t['verdict'] + '</th>' if links is not None else ''}</tr>"
        f"{rows}</table>{kibana}"
        f"<p>{e(t['footer'])}</p>"
    )


def _html(alert: Alert, settings: EmailSettings, english: bool = False, links: LinkSigner | None = None) -> str:
    # dir="auto" per cell would still let an RTL override inside post text reorder the row;
    # unicode-bidi: isolate keeps each escaped cell's direction to itself.
    return (
        f'<!doctype html><html lang="{"en" if english else "id"}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject_of(alert, english))}</title>"
        "<style>td{unicode-bidi:isolate}</style></head><body>"
        f"{_html_body(alert, settings, english, links)}</body></html>"
    )


def _envelope(message: EmailMessage, settings: EmailSettings, recipients: list[str] | None, when: datetime,
              message_id: str, alert_id: str, rule_id: str) -> None:
    message["From"] = settings.sender
    message["To"] = ", ".join(recipients or settings.recipients)
    message["Date"] = format_datetime(when.astimezone(WIB))
    # Stable per alert, so a mail system that sees the same alert twice can tell.
    message["Message-ID"] = f"<{message_id}@siaga.local>"
    message["X-Siaga-Alert-Id"] = alert_id
    message["X-Siaga-Rule"] = rule_id


def recipients_for(severity: Severity, rule_recipients: list[str] | None, settings: EmailSettings) -> list[str]:
    """The rule's recipients (or the default ones) plus those of the alert's severity, without repeats."""
    wanted = list(rule_recipients or settings.recipients) + settings.recipients_by_level.get(severity, [])
    return list(dict.fromkeys(wanted))


def render(alert: Alert, settings: EmailSettings, *, recipients: list[str] | None = None,
           language: str | None = None, links: LinkSigner | None = None) -> EmailMessage:
    """The alert as a multipart email (plain text first, HTML alternative); with ``links``, each post
    gets signed "benar / salah" verdict links (``pipelines.delivery.verdict_links``)."""
    english = (language or settings.language) == "en"
    message = EmailMessage()
    message["Subject"] = subject_of(alert, english)
    _envelope(message, settings, recipients, alert.fired_at, alert.alert_id, alert.alert_id, alert.rule_id)
    message.set_content(_plain(alert, settings, english, links))
    message.add_alternative(_html(alert, settings, english, links), subtype="html")
    return message


def render_resolved(alert: Alert, resolved_at: datetime, settings: EmailSettings, *,
                    recipients: list[str] | None = None, language: str | None = None) -> EmailMessage:
    """The notice that an incident's condition has cleared, threaded under the alert that opened it."""
    english = (language or settings.language) == "en"
    prefix = "[RESOLVED]" if english else "[SELESAI]"
    lines = [
        (f"The incident {alert.alert_id} of rule {alert.rule_name} ({alert.rule_id}) has cleared."
         if english else
         f"Insiden {alert.alert_id} dari aturan {alert.rule_name} ({alert.rule_id}) sudah mereda."),
        f"{'Group' if english else 'Kelompok'}: {_group_label(alert, english)}",
        f"{'Opened' if english else 'Dibuka'}: {wib(alert.window_end)}",
        f"{'Cleared' if english else 'Mereda'}: {wib(resolved_at)}",
    ]
    if settings.kibana_url:
        lines.append(f"{_TEXT['en' if english else 'id']['kibana']}: {kibana_link(alert, settings.kibana_url)}")
    message = EmailMessage()
    message["Subject"] = one_line(f"{prefix} {alert.rule_name} — {_group_label(alert, english)}", 200)
    _envelope(message, settings, recipients, resolved_at, f"{alert.alert_id}.resolved", alert.alert_id,
              alert.rule_id)
    message["In-Reply-To"] = f"<{alert.alert_id}@siaga.local>"
    message["References"] = f"<{alert.alert_id}@siaga.local>"
    message.set_content("\n".join(one_line(line) for line in lines) + "\n")
    message.add_alternative(
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        + "".join(f"<p>{html.escape(one_line(line))}</p>" for line in lines) + "</body></html>",
        subtype="html",
    )
    return message


def render_digest(alerts: list[Alert], digest_id: str, settings: EmailSettings, *,
                  recipients: list[str] | None = None, language: str | None = None,
                  links: LinkSigner | None = None) -> EmailMessage:
    """Several alerts of one rule in one email: a summary line each, then each alert in full."""
    english = (language or settings.language) == "en"
    first = alerts[0]
    label = "alerts" if english else "peringatan"
    message = EmailMessage()
    message["Subject"] = one_line(f"[{SEVERITY_LABEL[first.severity]}] {first.rule_name}: {len(alerts)} {label} "
                                  f"(digest {wib(alerts[-1].fired_at)})", 200)
    _envelope(message, settings, recipients, alerts[-1].fired_at, digest_id, digest_id, first.rule_id)
    summary = [subject_of(alert, english) for alert in alerts]
    message.set_content("\n".join(f"- {line}" for line in summary) + "\n\n"
                        + "\n\n".join(_plain(alert, settings, english, links) for alert in alerts))
    message.add_alternative(
        '<!doctype html><html><head><meta charset="utf-8"><style>td{unicode-bidi:isolate}</style></head><body><ul>'
        + "".join(f"<li>{html.escape(line)}</li>" for line in summary) + "</ul>"
        + "<hr>".join(_html_body(alert, settings, english, links) for alert in alerts)
        + "</body></html>",
        subtype="html",
    )
    return message


# Replies that say the sender's login is missing or wrong (530, 534, 535), or that the server is
# closing the connection (421): the configuration or the server is at fault, not the message, so
# every message would fail alike; the queue waits, in order, instead of counting them against it.
_SERVER_CODES = frozenset({421, 530, 534, 535})


def _reply(code: int, text: bytes | str, settings: EmailSettings) -> str:
    """A server reply as one safe line; the SMTP password never appears in it, even if echoed."""
    reason = one_line(text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text), 300)
    if settings.smtp_password is not None and settings.smtp_password.get_secret_value():
        reason = reason.replace(settings.smtp_password.get_secret_value(), "**********")
    return f"{code} {reason}"


class SmtpSession:
    """One SMTP connection reused for a run of messages; opened on first use."""

    def __init__(self, settings: EmailSettings) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None
        self.refused: dict[str, str] = {}
        """Recipients the server refused for the last message that went to the others, with its reply."""

    def send(self, message: EmailMessage) -> str:
        """Send one message (or write it to the outbox folder); return where it went.

        A 5xx refusal of the sender, of every recipient or of the content, or a message the
        server cannot take at all (``SMTPNotSupportedError``: say, SMTPUTF8 needed) raises
        ``PermanentFailure`` with the server's reply; a 4xx refusal of this message (or every
        recipient refused, some only for now) raises ``RefusedForNow``; anything else (no
        connection, the login refused, 421) raises the ``smtplib``/``OSError`` exception,
        meaning: the server cannot be asked now.
        """
        settings = self.settings
        self.refused = {}
        if settings.smtp_host is None:
            return str(_write_outbox(message, settings.outbox_dir))
        if self.client is None:
            self.client = _connect(settings, settings.smtp_host)
        try:
            refused = self.client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # smtplib has reset the transaction, so the connection stays usable for the next message
            who = "; ".join(f"{rcpt}: {_reply(code, text, settings)}" for rcpt, (code, text) in exc.recipients.items())
            if exc.recipients and all(code >= 500 for code, _ in exc.recipients.values()):
                msg = f"SMTP server refused every recipient: {who}"
                raise PermanentFailure(msg) from exc
            msg = f"SMTP server refused every recipient, some for now: {who}"
            raise RefusedForNow(msg) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            what = "sender" if isinstance(exc, smtplib.SMTPSenderRefused) else "message"
            reply = _reply(exc.smtp_code, exc.smtp_error, settings)
            if exc.smtp_code in _SERVER_CODES:
                self._drop()
                raise
            if exc.smtp_code >= 500:
                msg = f"SMTP server refused the {what}: {reply}"
                raise PermanentFailure(msg) from exc
            msg = f"SMTP server refused the {what} for now: {reply}"
            raise RefusedForNow(msg) from exc
        except smtplib.SMTPNotSupportedError as exc:
            msg = f"SMTP server cannot take this message: {one_line(str(exc), 300)}"
            raise PermanentFailure(msg) from exc
        except (smtplib.SMTPServerDisconnected, OSError):  # after the refusals: SMTPException is an OSError
            self._drop()
            raise
        self.refused = {rcpt: _reply(code, text, settings) for rcpt, (code, text) in refused.items()}
        return f"smtp://{settings.smtp_host}:{settings.smtp_port}"

    def _drop(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None


def _connect(settings: EmailSettings, host: str) -> smtplib.SMTP:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, settings.smtp_port, timeout=settings.timeout_s, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, settings.smtp_port, timeout=settings.timeout_s)
    try:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            client.login(settings.smtp_username, password or "")
    except BaseException:
        client.close()
        raise
    return client


def deliver(message: EmailMessage, settings: EmailSettings) -> str:
    """Send over SMTP, or write to the outbox; return where the message went."""
    session = SmtpSession(settings)
    try:
        return session.send(message)
    finally:
        session.close()


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    # named after the Message-ID, so an alert and its resolution notice are two files; private
    # (0600 in a 0700 folder) because it quotes post texts and handles
    local = str(message["Message-ID"]).strip("<>").rsplit("@", 1)[0]
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", local)
    return write_private(outbox / f"{name}.eml", message.as_bytes())
