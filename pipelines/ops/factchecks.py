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

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connectors.api import new_session
from connectors.factchecks import Parsed, guess_format, to_factchecks
from pipelines.common.clients import shared_client
from pipelines.common.kafka_io import batch_retry_wait, lag, make_consumer, poll_batch
from pipelines.common.records import cut, record_key
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


def store_and_backmatch(settings: Settings, factchecks: list[FactCheck], *, clock: Clock,
                        rematch: bool = False) -> tuple[list[FactCheck], BackmatchReport]:
    """Store the new and changed ones of ``factchecks`` and back-match them; return them and the back-match.

    ``rematch``: back-match every one given, changed or not (after a back-match that failed: the
    fact-checks were stored, so a plain re-import would find nothing new to match).
    """
    es = shared_client("elasticsearch", settings.elasticsearch_kwargs())
    changed = FactCheckStore(es, settings.elasticsearch.factchecks_index).put(factchecks)
    todo = list({fc.factcheck_id: fc for fc in factchecks}.values()) if rematch else changed
    if not todo:
        return changed, BackmatchReport()
    try:
        return changed, backmatch(settings, todo, clock=clock, es=es)
    except Exception as exc:
        msg = (f"{len(changed)} fact-checks stored, but back-matching them failed ({type(exc).__name__}: {exc}); "
               "run `siaga factchecks import --rematch` with them")
        raise FactCheckImportError(msg) from exc


def import_factchecks(settings: Settings, parsed: Parsed, *, clock: Clock | None = None, source: str = "import",
                      rematch: bool = False) -> ImportReport:
    """Store, publish and back-match the fact-checks of ``parsed``; dead-letter what it refused."""
    clock = clock or process_clock()
    report = ImportReport(read=len(parsed.factchecks), warnings=list(parsed.warnings))
    producer = shared_client("kafka", settings.kafka_client_kwargs())
    sends = []
    for refused in parsed.refused:
        letter = DeadLetter.wrap(refused.original, stage="factcheck", reason=refused.reason[:1000],
                                 error_type="FactCheckError", source=f"factchecks/{source}", key=None,
                                 failed_at=clock.now())
        sends.append(producer.send(settings.kafka.topics.dead_letter, value=letter.model_dump_json().encode()))
        report.refused.append(refused.reason)
        log.warning("fact-check refused (%s): %s", source, refused.reason)
    changed, report.backmatch = store_and_backmatch(settings, parsed.factchecks, clock=clock, rematch=rematch)
    report.stored = [fc.factcheck_id for fc in changed]
    report.unchanged = len({fc.factcheck_id for fc in parsed.factchecks}) - len(changed)
    # Published for other consumers; the ingest job of `siaga run` finds them stored already and does nothing.
    for factcheck in changed:
        sends.append(producer.send(settings.kafka.topics.factchecks, key=factcheck.factcheck_id.encode(),
                                   value=factcheck.model_dump_json().encode()))
    producer.flush()
    for send in sends:
        send.get(timeout=30)
    log.info("fact-check import %s: %d read, %d stored, %d refused, %d posts back-matched", source, report.read,
             len(report.stored), len(report.refused), len(report.backmatch.marked))
    return report


class FactCheckIngestJob:
    """Consumes the fact-checks topic (what ``factchecks`` sources send): stores and back-matches each batch.

    Commits a batch only once it is stored and back-matched; a failure rewinds and the batch is
    read again (storing is idempotent, and a stored fact-check is back-matched again with
    ``rematch``, so a back-match that failed is not lost). A record that is no fact-check is
    dead-lettered with the reason.
    """

    GROUP_SUFFIX = "-factchecks"

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or process_clock()
        self.consumer = make_consumer(settings, settings.pipeline.group_id + self.GROUP_SUFFIX,
                                      settings.kafka.topics.factchecks, 500)
        self.stored = 0
        self.marked: list[str] = []
        self.failures = 0
        self._rewind = False

    def step(self) -> int:
        """Store and back-match one batch; return how many records were committed (0 if none or failed)."""
        try:
            records = poll_batch(self.consumer, 500, 200, rewind=self._rewind)
            self._rewind = False
        except Exception as exc:  # noqa: BLE001 - a broker that does not answer: back off, never exit
            return self._failed("Kafka did not answer", exc)
        if not records:
            return 0
        factchecks: list[FactCheck] = []
        letters = []
        for record in records:
            try:
                factchecks.append(FactCheck.model_validate_json(record.value))
            except ValidationError as exc:
                letters.append(DeadLetter.wrap(record.value, stage="factcheck", reason=cut(str(exc)),
                                               error_type="ValidationError", source=record.source,
                                               key=record_key(record), failed_at=self.clock.now()))
        try:
            producer = shared_client("kafka", self.settings.kafka_client_kwargs())
            sends = [producer.send(self.settings.kafka.topics.dead_letter, value=letter.model_dump_json().encode())
                     for letter in letters]
            producer.flush()
            for send in sends:
                send.get(timeout=30)
            changed, report = store_and_backmatch(self.settings, factchecks, clock=self.clock,
                                                  rematch=self.failures > 0)
            self.consumer.commit()
        except Exception as exc:  # noqa: BLE001 - any failure: do not commit, rewind, retry
            return self._failed(f"batch of {len(records)} fact-checks failed", exc)
        self.failures = 0
        self.stored += len(changed)
        self.marked += report.marked
        if changed or letters:
            log.info("fact-checks: %d stored, %d dead-lettered, %d posts back-matched", len(changed), len(letters),
                     len(report.marked))
        return len(records)

    def _failed(self, what: str, exc: BaseException) -> int:
        self.failures += 1
        self._rewind = True
        delay = batch_retry_wait(self.settings, self.failures)
        log.error("%s: %s: %s; retrying in %.1fs", what, type(exc).__name__, exc, delay)
        self.clock.sleep(delay)
        return 0

    def lag(self) -> int | None:
        """Fact-checks not yet stored (``None`` if unknown right now)."""
        try:
            return lag(self.consumer)
        except Exception:  # noqa: BLE001 - unknown while the broker does not answer
            return None

    def close(self) -> None:
        """Leave the consumer group."""
        self.consumer.close()
