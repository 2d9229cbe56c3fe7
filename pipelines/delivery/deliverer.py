"""Delivery of alerts: a durable, ordered outbox per channel (email, webhook), drained after each step.

The alerting job never waits for SMTP: once an alert is indexed (``delivery: pending``) it
puts one small JSON file per message and channel in ``<state_dir>/queue/<channel>/``, named
``<sequence>-<key>.json`` so the folder lists in the order alerts fired; then it commits. Each
step drains the queue in that order over one SMTP connection (or POSTs the webhook). If the
server is down, draining stops at the first message and resumes there on the next step: none
lost, none reordered. A message is marked ``sent`` in the alerts index after the server
accepted it and only then removed from the queue; a message whose alert is already marked sent
is dropped, so a restart does not send it twice (a crash in the instant between the server's
acceptance and the index update can still repeat one; its Message-ID is the same, so mail
clients can fold the copy). Permanent refusals (an SMTP 5xx for the sender, for every recipient
or for the content; HTTP 4xx) go to ``<state_dir>/queue/failed/`` with the reason, the alert is
marked ``failed``, and the messages behind it go on; a temporary one (SMTP 4xx, no connection)
keeps the queue waiting at that message. An email the server took for some recipients and
refused for others has gone out: it is marked ``sent``, and the refused recipients are logged,
counted and written to ``failed/`` as ``<key>.refused-recipients.json``.

Digest rules: their alert messages carry a ``release_at`` (end of the rule's digest period of
wall-clock time); they wait, without holding up other messages, until then and go out as one
email per rule and period.
"""

from __future__ import annotations

import logging
import os
import smtplib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pipelines.delivery.outbox import CHANNELS, Outbox
from pipelines.delivery.webhook import post_webhook
from pipelines.delivery.emails import (
    PermanentFailure,
    SmtpSession,
    recipients_for,
    render,
    render_digest,
    render_resolved,
)
from schemas.alert import Alert
from schemas.config import RuleBase, Settings
from schemas.clock import Clock, process_clock

log = logging.getLogger(__name__)

FIELD = {"email": "delivery", "webhook": "webhook"}


@dataclass
class DeliveryTotals:
    """What delivery did in this process."""

    sent: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CHANNELS})
    skipped_already_sent: int = 0
    failed: int = 0
    refused_recipients: int = 0
    destinations: set[str] = field(default_factory=set)
    errors: int = 0


class Deliverer:
    """Drains the outbox: renders each queued message from the alerts index and sends it."""

    def __init__(self, settings: Settings, es: Elasticsearch, outbox: Outbox, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or process_clock()
        self.es = es
        self.outbox = outbox
        self.rules: dict[str, RuleBase] = {rule.id: rule for rule in settings.rules}
        self.totals = DeliveryTotals()

    def _alert(self, alert_id: str) -> Alert | None:
        try:
            return Alert.model_validate(self.es.get(index=self.settings.elasticsearch.alerts_index, id=alert_id)["_source"])
        except NotFoundError:
            return None

    def _mark(self, alert_ids: list[str], channel: str, state: str) -> None:
        doc: dict[str, Any] = {FIELD[channel]: state}
        if channel == "email" and state == "sent":
            doc["delivered_at"] = self.clock.now().isoformat()
        for alert_id in alert_ids:
            self.es.update(index=self.settings.elasticsearch.alerts_index, id=alert_id, doc=doc)

    def drain(self) -> int:
        """Send what is due on every channel, in order; return how many messages went out."""
        sent, now = 0, self.clock.now()
        for channel in CHANNELS:
            if channel == "webhook" and self.settings.alerting.webhook is None:
                continue
            sent += self._drain(channel, now)
        return sent

    def _drain(self, channel: str, now: datetime) -> int:
        entries = self.outbox.pending(channel)
        session = SmtpSession(self.settings.email) if channel == "email" else None
        sent, handled = 0, set()
        try:
            for path, entry in entries:
                if sent >= self.settings.alerting.delivery_batch:
                    break
                if path in handled:
                    continue
                release = entry.get("release_at")
                if release and datetime.fromisoformat(release) > now:
                    continue  # a digest still gathering; it holds up nothing behind it
                group = [(path, entry)]
                if entry.get("digest"):
                    group = [(p, e) for p, e in entries if e.get("digest") == entry["digest"]]
                try:
                    sent += self._send(channel, session, [e for _, e in group])
                except PermanentFailure as exc:
                    log.error("%s delivery of %s refused for good: %s", channel, entry["key"], exc)
                    self.totals.failed += 1
                    self._mark([e["alert_id"] for _, e in group if e["kind"] == "alert"], channel, "failed")
                    for p, _ in group:
                        handled.add(p)
                        self.outbox.fail(p, str(exc))
                    continue
                except (smtplib.SMTPException, OSError) as exc:
                    self.totals.errors += 1
                    log.warning("%s delivery paused, %d message(s) wait in the outbox: %s", channel,
                                len(entries) - len(handled), exc)
                    break
                for p, _ in group:
                    handled.add(p)
                    self.outbox.done(p)
        finally:
            if session is not None:
                session.close()
        return sent

    def _send(self, channel: str, session: SmtpSession | None, group: list[dict[str, Any]]) -> int:
        first = group[0]
        rule = self.rules.get(first["rule_id"])
        alerts: list[Alert] = []
        for entry in group:
            alert = self._alert(entry["alert_id"])
            if alert is None:
                log.error("alert %s is not in the alerts index; its queued %s message is dropped",
                          entry["alert_id"], channel)
                continue
            if entry["kind"] == "alert" and getattr(alert, FIELD[channel]) == "sent":
                self.totals.skipped_already_sent += 1
                continue
            alerts.append(alert)
        if not alerts:
            return 0
        if channel == "webhook":
            return self._send_webhook(group, alerts)
        email = self.settings.email
        recipients = recipients_for(alerts[0].severity, rule.recipients if rule else None, email)
        language = rule.language if rule else None
        if first["kind"] == "resolved":
            message = render_resolved(alerts[0], datetime.fromisoformat(first["resolved_at"]), email,
                                      recipients=recipients, language=language)
        elif first.get("digest"):
            message = render_digest(alerts, first["digest"], email, recipients=recipients, language=language)
        else:
            message = render(alerts[0], email, recipients=recipients, language=language)
        assert session is not None
        where = session.send(message)
        if first["kind"] == "alert":
            self._mark([a.alert_id for a in alerts], "email", "sent")
        if session.refused:
            self.totals.refused_recipients += len(session.refused)
            record = self.outbox.refused(first["key"], {"alert_ids": [a.alert_id for a in alerts],
                                                        "subject": str(message["Subject"]),
                                                        "refused": session.refused})
            log.error("emailed %s, but the server refused %d of its %d recipient(s) (%s): %s", first["key"],
                      len(session.refused), len(recipients), record,
                      "; ".join(f"{rcpt}: {reply}" for rcpt, reply in session.refused.items()))
        self.totals.sent["email"] += 1
        self.totals.destinations.add(where if where.startswith("smtp://") else str(Path(where).parent))
        log.info("emailed %s (%s) → %s", first["key"], message["Subject"], where)
        return 1

    def _send_webhook(self, group: list[dict[str, Any]], alerts: list[Alert]) -> int:
        hook = self.settings.alerting.webhook
        assert hook is not None
        token = os.environ.get(hook.token_env) if hook.token_env else None
        first = group[0]
        payload = {"event": first["kind"], "key": first["key"], "alert": alerts[0].model_dump(mode="json")}
        if first["kind"] == "resolved":
            payload["resolved_at"] = first["resolved_at"]
        post_webhook(hook.url, payload, token, hook.timeout_s)
        if first["kind"] == "alert":
            self._mark([alerts[0].alert_id], "webhook", "sent")
        self.totals.sent["webhook"] += 1
        return 1
