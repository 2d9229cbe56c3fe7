"""Delivery of alerts: a durable, ordered outbox per channel (email, webhook), drained after each step.

The alerting job never waits for SMTP: once an alert is indexed (``delivery: pending``) it
puts one small JSON file per message and channel in ``<state_dir>/queue/<channel>/``, named
``<sequence>-<key>.json`` so the folder lists in the order alerts fired; then it commits. Each
step drains the queue in that order over one SMTP connection (or POSTs the webhook).

Exactly once, as far as this side can make it: when the server accepts a message, the outbox
records that durably (``<channel>/unmarked/``) and takes the message off the queue *before* the
alert document is marked ``sent`` in Elasticsearch. If Elasticsearch fails there, the mark is
retried on the next drain, and the message is not sent again (it used to be, on every drain
for as long as Elasticsearch was down). A record stays (``<channel>/done/``) for a week after the
mark, so a batch re-read after a crash cannot queue the same message again. Only a crash in
the instant between the server's acceptance and that local record can still repeat a message;
its Message-ID is the same, so mail clients fold the copy.

What the receiver says decides what happens next (``pipelines.delivery.failures``):

- unreachable (no connection, timeout, SMTP login refused): draining stops at that message and
  resumes there on the next step; none lost, none reordered;
- refused for good (SMTP 5xx for the sender, every recipient or the content; HTTP 4xx): the
  message goes to ``queue/failed/`` with the reason, the alert is marked ``failed``, the rest go on;
- refused for now (SMTP 4xx, HTTP 3xx/5xx/408/429): the message steps aside and is tried again
  after ``alerting.delivery_retry_after`` (doubling, at most 30 min), while the messages behind it
  go on (except those about the same alert, which keep their order behind it); after
  ``delivery_max_attempts`` refusals or ``delivery_max_age`` since the first, it goes to
  ``queue/failed/`` like a permanent refusal, counted and logged.

An email the server took for some recipients and refused for others has gone out: it is marked
``sent`` with the refused recipients on the alert document (``refused_recipients``), and they are
logged, counted and written to ``failed/`` as ``<key>.refused-recipients.json``.

A queued message whose alert is not in the alerts index cannot be rendered: it is dead-lettered
(stage ``alert``) and moved to ``failed/``. An unreadable queue file is rebuilt from its key and
the alerts index (``Outbox.pending``).

Digest rules: their alert messages carry a ``release_at`` (end of the rule's digest period of
wall-clock time); they wait, without holding up other messages, until then and go out as one
email per rule and period.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pipelines.delivery.emails import SmtpSession, recipients_for, render, render_digest, render_resolved
from pipelines.delivery.failures import PermanentFailure, RefusedForNow
from pipelines.delivery.outbox import CHANNELS, RECORD_DAYS, Outbox, digest_release, prune_files
from pipelines.delivery.verdict_links import LinkSigner
from pipelines.delivery.webhook import post_webhook
from schemas.alert import Alert
from schemas.clock import Clock, process_clock
from schemas.config import RuleBase, Settings
from schemas.deadletter import DeadLetter
from schemas.retry import backoff

log = logging.getLogger(__name__)

FIELD = {"email": "delivery", "webhook": "webhook"}
MAX_RETRY_WAIT = timedelta(minutes=30)
PRUNE_EVERY = timedelta(hours=1)

Entry = tuple[Path, dict[str, Any]]
DeadLetterSink = Callable[[DeadLetter, str], None]
"""Produces a dead letter (once per dedupe key) and returns when the broker has it; raises if it cannot."""


@dataclass
class DeliveryTotals:
    """What delivery did in this process."""

    sent: dict[str, int] = field(default_factory=lambda: {c: 0 for c in CHANNELS})
    skipped_already_sent: int = 0
    failed: int = 0
    refused_for_now: int = 0
    given_up: int = 0
    refused_recipients: int = 0
    missing_alerts: int = 0
    rebuilt: int = 0
    marks_late: int = 0
    destinations: set[str] = field(default_factory=set)
    errors: int = 0


class Deliverer:
    """Drains the outbox: renders each queued message from the alerts index and sends it."""

    def __init__(self, settings: Settings, es: Elasticsearch, outbox: Outbox, clock: Clock | None = None,
                 dead_letter: DeadLetterSink | None = None) -> None:
        self.settings = settings
        self.clock = clock or process_clock()
        self.es = es
        self.outbox = outbox
        self.dead_letter = dead_letter
        self.rules: dict[str, RuleBase] = {rule.id: rule for rule in settings.rules}
        self.totals = DeliveryTotals()
        self._pruned_at: datetime | None = None
        self.links = LinkSigner.of(settings.verdicts)
        """Signs the "benar / salah" links of each post in an alert email; ``None`` when they are off."""

    def _alert(self, alert_id: str) -> Alert | None:
        try:
            return Alert.model_validate(self.es.get(index=self.settings.elasticsearch.alerts_index, id=alert_id)["_source"])
        except NotFoundError:
            return None

    def drain(self) -> int:
        """Send what is due on every channel, in order; return how many messages went out.

        Raises what Elasticsearch raises (the queue, and every record, waits for the next drain).
        """
        sent, now = 0, self.clock.now()
        for channel in CHANNELS:
            if channel == "webhook" and self.settings.alerting.webhook is None:
                continue
            self._apply_marks(channel)
            sent += self._drain(channel, now)
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = now
            for channel in CHANNELS:
                self.outbox.prune(channel, now - timedelta(days=RECORD_DAYS))
            # The retention pass does this too where it can reach this folder; on Kubernetes
            # only this process can.
            try:
                prune_files(self.outbox.root, self.settings.email.outbox_dir, now - self.settings.retention.alerts)
            except OSError as exc:  # the next hour tries again; delivery goes on
                log.error("retention of the outbox's files failed: %s", exc)
        return sent

    # --- the alerts index ------------------------------------------------------------------

    def _apply_marks(self, channel: str) -> None:
        """Write to the alerts index the outcomes recorded while it could not be written."""
        for path, record in self.outbox.unmarked(channel):
            self._mark(channel, path, record)
            self.totals.marks_late += 1

    def _mark(self, channel: str, path: Path, record: dict[str, Any]) -> None:
        doc: dict[str, Any] = {FIELD[channel]: record["state"]}
        if channel == "email" and record["state"] == "sent":
            doc["delivered_at"] = record["at"]
        if record.get("refused"):
            doc["refused_recipients"] = [{"address": address, "reply": reply}
                                         for address, reply in record["refused"].items()]
        for alert_id in record["alert_ids"]:
            try:
                self.es.update(index=self.settings.elasticsearch.alerts_index, id=alert_id, doc=doc)
            except NotFoundError:
                log.warning("alert %s left the alerts index before its %s outcome (%s) was written", alert_id,
                            channel, record["state"])
        self.outbox.marked(channel, path)

    def _record(self, channel: str, group: Sequence[tuple[Path | None, dict[str, Any]]], state: str,
                **extra: Any) -> None:
        """Record each message's outcome durably and take it off the queue, then tell the alerts index."""
        records = []
        for path, entry in group:
            outcome = {"state": state, "at": self.clock.now().isoformat(), **extra}
            needs_mark = entry.get("kind", "alert") == "alert"
            outcome["alert_ids"] = [entry["alert_id"]] if needs_mark else []
            records.append((self.outbox.record(channel, path, entry, outcome, marked=not needs_mark), outcome))
        for record, outcome in records:
            if outcome["alert_ids"]:
                self._mark(channel, record, outcome)

    # --- the queue -------------------------------------------------------------------------

    def _drain(self, channel: str, now: datetime) -> int:
        entries = self.outbox.pending(channel)
        session = SmtpSession(self.settings.email) if channel == "email" else None
        sent, handled = 0, set()
        waiting: set[str] = set()
        """Alerts with an earlier message waiting in this channel: a later one about them waits too."""
        try:
            for path, entry in entries:
                if sent >= self.settings.alerting.delivery_batch:
                    break
                if path in handled:
                    continue
                if entry.get("rebuild"):
                    rebuilt = self._rebuild(channel, path, entry)
                    if rebuilt is None:
                        handled.add(path)
                        continue
                    entry = rebuilt
                if entry["alert_id"] in waiting:
                    continue
                if self.outbox.handled(channel, entry["key"]):
                    self.totals.skipped_already_sent += 1
                    self.outbox.done(path)
                    handled.add(path)
                    continue
                release, retry = entry.get("release_at"), entry.get("retry_at")
                if (release and datetime.fromisoformat(release) > now) or (retry and datetime.fromisoformat(retry) > now):
                    waiting.add(entry["alert_id"])  # a digest still gathering, or a message refused for now
                    continue
                group = [(path, entry)]
                if entry.get("digest"):
                    group = [(p, e) for p, e in entries if e.get("digest") == entry["digest"] and p not in handled]
                handled.update(p for p, _ in group)
                try:
                    sent += self._send(channel, session, group)
                except PermanentFailure as exc:
                    log.error("%s delivery of %s refused for good: %s", channel, entry["key"], exc)
                    self._give_up(channel, group, str(exc))
                except RefusedForNow as exc:
                    self._refused_for_now(channel, group, exc, now)
                    waiting.update(e["alert_id"] for _, e in group)
                except (smtplib.SMTPException, OSError) as exc:
                    self.totals.errors += 1
                    log.warning("%s delivery paused, %d message(s) wait in the outbox: %s", channel,
                                len(entries) - len(handled) + len(group), exc)
                    break
        finally:
            if session is not None:
                session.close()
        return sent

    def _give_up(self, channel: str, group: list[Entry], reason: str) -> None:
        self.totals.failed += 1
        for path, entry in group:
            self.outbox.fail(path, entry, reason)
        self._record(channel, [(None, e) for _, e in group], "failed", reason=reason)

    def _refused_for_now(self, channel: str, group: list[Entry], exc: RefusedForNow, now: datetime) -> None:
        """Count the refusal against each message; set it aside until its next try, or give it up."""
        alerting = self.settings.alerting
        self.totals.refused_for_now += 1
        entry = group[0][1]
        attempts = entry.get("attempts", 0) + 1
        first = datetime.fromisoformat(entry["first_refused_at"]) if entry.get("first_refused_at") else now
        if attempts >= alerting.delivery_max_attempts or now - first >= alerting.delivery_max_age:
            reason = f"refused for now {attempts} time(s) since {first.isoformat()}, given up: {exc}"
            log.error("%s delivery of %s given up: %s", channel, entry["key"], reason)
            self.totals.given_up += 1
            self._give_up(channel, group, reason)
            return
        wait = timedelta(seconds=backoff(attempts - 1, base=alerting.delivery_retry_after.total_seconds(),
                                         cap=MAX_RETRY_WAIT.total_seconds(), jitter=False))
        for path, item in group:
            self.outbox.update(path, {**item, "attempts": attempts, "first_refused_at": first.isoformat(),
                                      "retry_at": (now + wait).isoformat(), "last_error": str(exc)})
        log.warning("%s delivery of %s refused for now (%d of %d tries), next try in %s; the messages behind it go "
                    "on: %s", channel, entry["key"], attempts, alerting.delivery_max_attempts, wait, exc)

    def _missing(self, channel: str, path: Path, entry: dict[str, Any], original: bytes | None = None) -> None:
        """A queued message whose alert is not in the alerts index: dead-letter it and set it aside."""
        alert_id = entry.get("alert_id") or entry["key"]
        reason = f"queued {channel} message {entry['key']}: its alert {alert_id} is not in the alerts index"
        self.totals.missing_alerts += 1
        if self.dead_letter is not None:
            letter = DeadLetter.wrap(
                original if original is not None else json.dumps(entry).encode(),
                stage="alert", reason=reason, error_type="MissingAlert",
                source=f"outbox/{channel}/{path.name}", key=alert_id, failed_at=self.clock.now(),
            )
            self.dead_letter(letter, f"outbox/{channel}/{entry['key']}")
        self.outbox.fail(path, entry, reason)
        log.error("%s; dead-lettered and moved to %s", reason, self.outbox.failed_dir)

    def _rebuild(self, channel: str, path: Path, stub: dict[str, Any]) -> dict[str, Any] | None:
        """The message an unreadable queue file held, from its key, the alerts index and the rules."""
        key = stub["key"]
        resolved = key.endswith(".resolved")
        alert_id = key.removesuffix(".resolved")
        alert = self._alert(alert_id)
        if alert is None or (resolved and alert.resolved_at is None):
            self._missing(channel, path, {**stub, "alert_id": alert_id})
            return None
        entry: dict[str, Any] = {"kind": "resolved" if resolved else "alert", "alert_id": alert_id,
                                 "rule_id": alert.rule_id, "key": key}
        rule = self.rules.get(alert.rule_id)
        if resolved:
            entry["resolved_at"] = alert.resolved_at.isoformat()  # type: ignore[union-attr]
        elif channel == "email" and rule is not None and rule.digest is not None:
            release = digest_release(alert.fired_at, rule.digest)
            entry.update(digest=f"digest-{rule.id}-{int(release.timestamp())}", release_at=release.isoformat())
        self.outbox.update(path, entry)
        self.totals.rebuilt += 1
        log.warning("queued %s message %s was unreadable; rebuilt from the alerts index", channel, key)
        return entry

    def _send(self, channel: str, session: SmtpSession | None, group: list[Entry]) -> int:
        first = group[0][1]
        rule = self.rules.get(first["rule_id"])
        alerts: list[Alert] = []
        sending: list[Entry] = []
        for path, entry in group:
            alert = self._alert(entry["alert_id"])
            if alert is None:
                self._missing(channel, path, entry)
                continue
            if entry["kind"] == "alert" and getattr(alert, FIELD[channel]) == "sent":
                self.totals.skipped_already_sent += 1
                self.outbox.record(channel, path, entry, {"state": "sent", "at": self.clock.now().isoformat(),
                                                          "alert_ids": [alert.alert_id]}, marked=True)
                continue
            alerts.append(alert)
            sending.append((path, entry))
        if not alerts:
            return 0
        if channel == "webhook":
            return self._send_webhook(sending, alerts)
        first = sending[0][1]
        email = self.settings.email
        recipients = recipients_for(alerts[0].severity, rule.recipients if rule else None, email)
        language = rule.language if rule else None
        if first["kind"] == "resolved":
            message = render_resolved(alerts[0], datetime.fromisoformat(first["resolved_at"]), email,
                                      recipients=recipients, language=language)
        elif first.get("digest"):
            message = render_digest(alerts, first["digest"], email, recipients=recipients, language=language,
                                    links=self.links)
        else:
            message = render(alerts[0], email, recipients=recipients, language=language, links=self.links)
        assert session is not None  # noqa: S101 - an invariant for the type checker, not a check of input
        where = session.send(message)
        refused = dict(session.refused)
        self.totals.sent["email"] += 1
        self.totals.destinations.add(where if where.startswith("smtp://") else str(Path(where).parent))
        log.info("emailed %s (%s) → %s", first["key"], message["Subject"], where)
        if refused:
            self.totals.refused_recipients += len(refused)
            record = self.outbox.refused(first["key"], {"alert_ids": [a.alert_id for a in alerts],
                                                        "subject": str(message["Subject"]), "refused": refused})
            log.error("emailed %s, but the server refused %d of its %d recipient(s) (%s): %s", first["key"],
                      len(refused), len(recipients), record,
                      "; ".join(f"{rcpt}: {reply}" for rcpt, reply in refused.items()))
        self._record("email", sending, "sent", **({"refused": refused} if refused else {}))
        return 1

    def _send_webhook(self, group: list[Entry], alerts: list[Alert]) -> int:
        hook = self.settings.alerting.webhook
        assert hook is not None  # noqa: S101 - an invariant for the type checker, not a check of input
        token = os.environ.get(hook.token_env) if hook.token_env else None
        first = group[0][1]
        payload = {"event": first["kind"], "key": first["key"], "alert": alerts[0].model_dump(mode="json")}
        if first["kind"] == "resolved":
            payload["resolved_at"] = first["resolved_at"]
        post_webhook(hook.url, payload, token, hook.timeout_s)
        self.totals.sent["webhook"] += 1
        self._record("webhook", group[:1], "sent")
        return 1
