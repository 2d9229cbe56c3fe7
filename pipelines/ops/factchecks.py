"""Importing fact-checks: read a file or a feed, store what is new, publish it, back-match it.

One path for every way fact-checks come in (``siaga factchecks import FILE|URL``, the
``factchecks`` source of ``siaga run``): ``read_document`` fetches the bytes (a file, or an HTTP
feed with the connectors' session), ``parse`` reads them with ``connectors.factchecks`` (the
format given or guessed), and ``import_factchecks``

1. stores the new and changed fact-checks in the fact-checks index (``FactCheckStore.put``: a
   fact-check read again unchanged is not written, so a re-import changes nothing),
2. publishes them to the fact-checks topic (key ``factcheck_id``),
3. sends every item it could not read to the dead-letter topic with the reason and its bytes,
4. back-matches them (``pipelines.post.backmatch``): the posts of the last
   ``factchecks.backmatch`` that repeat one are marked and sent to the alerting job again.

The pipeline picks the stored fact-checks up within ``factchecks.refresh``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.api import new_session
from connectors.factchecks import Parsed, to_factchecks
from pipelines.common.clients import shared_client
from pipelines.factchecks.store import FactCheckStore
from pipelines.post.backmatch import BackmatchReport, backmatch
from schemas.clock import Clock, process_clock
from schemas.config import Settings
from schemas.deadletter import DeadLetter
from schemas.errors import SiagaError, UsageError
from schemas.factcheck import SOURCE_FORMATS, FactCheck

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 64 << 20
"""Largest file or feed read at once: a fact-check site's whole archive as JSON is a few MB."""


class FactCheckImportError(SiagaError):
    """A document that cannot be fetched or read at all (not one bad item: those are dead-lettered)."""


def read_document(location: str, *, timeout_s: float = 30.0) -> tuple[bytes, str]:
    """The bytes of a file or an http(s) URL, and a name to guess the format from."""
    if location.startswith(("http://", "https://")):
        try:
            reply = new_session().get(location, timeout=timeout_s)
        except Exception as exc:  # noqa: BLE001 - any failure to fetch is the operator's to see, in one line
            msg = f"{location}: no answer ({type(exc).__name__})"
            raise FactCheckImportError(msg) from None
        if reply.status_code != 200:
            msg = f"{location}: HTTP {reply.status_code}"
            raise FactCheckImportError(msg)
        return reply.content[:MAX_DOCUMENT_BYTES + 1], location.split("?")[0]
    path = Path(location)
    if not path.is_file():
        msg = f"{location}: no such file"
        raise UsageError(msg)
    with path.open("rb") as handle:
        return handle.read(MAX_DOCUMENT_BYTES + 1), path.name


def guess_format(name: str, raw: bytes) -> str:
    """The fact-check format of a document, from its name and its first bytes."""
    lower = name.lower()
    head = raw[:4096].decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".rss", ".xml")) or head.startswith("<?xml") or head.startswith("<rss"):
        return "rss"
    if head.startswith("{"):
        try:
            first = json.loads(raw.decode("utf-8", "replace"))
        except json.JSONDecodeError:
            first = None
        if isinstance(first, dict) and "claims" in first:
            return "factcheck-tools"
    if head.startswith("["):
        try:
            items = json.loads(raw.decode("utf-8", "replace"))
        except json.JSONDecodeError:
            items = None
        if isinstance(items, list) and items and isinstance(items[0], dict) and isinstance(items[0].get("title"), dict):
            return "wordpress"
    return "claimreview"


def parse(raw: bytes, name: str, *, fmt: str | None, clock: Clock, source: str = "",
          publisher: str | None = None) -> Parsed:
    """The fact-checks of one document, in ``fmt`` or the guessed format."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        msg = f"{name}: over {MAX_DOCUMENT_BYTES >> 20} MB; split it"
        raise FactCheckImportError(msg)
    chosen = fmt or guess_format(name, raw)
    if chosen not in SOURCE_FORMATS:
        msg = f"unknown fact-check format {chosen!r} (use one of: {', '.join(SOURCE_FORMATS)})"
        raise UsageError(msg)
    return to_factchecks(raw, chosen, clock.now(), source=source, publisher=publisher)


@dataclass
class ImportReport:
    """What one import read, stored, refused and back-matched."""

    read: int = 0
    stored: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    backmatch: BackmatchReport = field(default_factory=BackmatchReport)

    def as_json(self) -> dict[str, Any]:
        """The report as one JSON object."""
        return {"read": self.read, "stored": self.stored, "unchanged": self.unchanged, "refused": self.refused,
                "warnings": self.warnings,
                "backmatch": {"posts_read": self.backmatch.read, "posts_marked": self.backmatch.marked}}

    def render(self) -> str:
        """The report for an operator."""
        lines = [f"read {self.read} fact-checks: {len(self.stored)} new or changed, {self.unchanged} unchanged, "
                 f"{len(self.refused)} refused (dead-lettered)"]
        lines += [f"  refused: {reason}" for reason in self.refused[:10]]
        lines += [f"  warning: {warning}" for warning in self.warnings[:10]]
        lines.append(f"back-matched against {self.backmatch.read} recent posts: {len(self.backmatch.marked)} "
                     "repeat a new fact-check and were marked")
        lines += [f"  {post_id}" for post_id in self.backmatch.marked[:20]]
        return "\n".join(lines)


def import_factchecks(settings: Settings, parsed: Parsed, *, clock: Clock | None = None, source: str = "import",
                      rematch: bool = False) -> ImportReport:
    """Store, publish and back-match the fact-checks of ``parsed``; dead-letter what it refused.

    ``rematch``: back-match every fact-check read, changed or not (after an import whose
    back-matching failed: the fact-checks were stored, so a plain re-import would find nothing new).
    """
    clock = clock or process_clock()
    report = ImportReport(read=len(parsed.factchecks), warnings=list(parsed.warnings))
    es = shared_client("elasticsearch", settings.elasticsearch_kwargs())
    producer = shared_client("kafka", settings.kafka_client_kwargs())
    sends = []
    for refused in parsed.refused:
        letter = DeadLetter.wrap(refused.original, stage="factcheck", reason=refused.reason[:1000],
                                 error_type="FactCheckError", source=f"factchecks/{source}", key=None,
                                 failed_at=clock.now())
        sends.append(producer.send(settings.kafka.topics.dead_letter, value=letter.model_dump_json().encode()))
        report.refused.append(refused.reason)
        log.warning("fact-check refused (%s): %s", source, refused.reason)
    changed = FactCheckStore(es, settings.elasticsearch.factchecks_index).put(parsed.factchecks)
    report.stored = [fc.factcheck_id for fc in changed]
    report.unchanged = len({fc.factcheck_id for fc in parsed.factchecks}) - len(changed)
    for factcheck in changed:
        sends.append(producer.send(settings.kafka.topics.factchecks, key=factcheck.factcheck_id.encode(),
                                   value=factcheck.model_dump_json().encode()))
    producer.flush()
    for send in sends:
        send.get(timeout=30)
    todo: list[FactCheck] = list({fc.factcheck_id: fc for fc in parsed.factchecks}.values()) if rematch else changed
    if todo:
        try:
            report.backmatch = backmatch(settings, todo, clock=clock, es=es)
        except Exception as exc:
            msg = (f"{len(changed)} fact-checks stored, but back-matching them failed ({type(exc).__name__}: {exc}); "
                   "run the import again with --rematch")
            raise FactCheckImportError(msg) from exc
    log.info("fact-check import %s: %d read, %d stored, %d refused, %d posts back-matched", source, report.read,
             len(report.stored), len(report.refused), len(report.backmatch.marked))
    return report
