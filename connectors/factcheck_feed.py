"""The ``factchecks`` source: fact-check documents from a file, a folder or a feed URL into the fact-checks topic.

Each document is read with ``connectors.factchecks`` (the configured format, or the one
``guess_format`` sees); every fact-check becomes a record keyed by its ``factcheck_id`` whose
digest leaves out ``collected_at``, so the connector's state sends a fact-check again only when
it changed, and every refused item a dead letter with the reason and its bytes. ``siaga run``
stores what reaches the topic and back-matches it (``pipelines.ops.factchecks``).

A folder is read in name order, files of the suffixes below only; with ``watch`` the folder is
read again (a file is re-read when its size or modification time changed) and a URL fetched
again every ``poll_interval``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

from connectors.api import new_session
from connectors.base import Connector, SourceRecord
from connectors.factchecks import guess_format, to_factchecks
from connectors.state import ConnectorState
from schemas.clock import Clock, process_clock
from schemas.config import FactChecksSource, Settings
from schemas.errors import SiagaError

SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".xml", ".rss", ".html", ".htm")
MAX_DOCUMENT_BYTES = 64 << 20
"""Largest document read at once: a fact-check site's whole archive as JSON is a few MB."""


class FactCheckFeedError(SiagaError):
    """A configured fact-check file, folder or URL that cannot be read at all."""


class FactChecksConnector(Connector):
    """Reads fact-check documents; sends their fact-checks to the fact-checks topic."""

    topic = "factchecks"

    def __init__(self, source: FactChecksSource, state: ConnectorState, clock: Clock | None = None) -> None:
        super().__init__(source.name)
        self.source = source
        self.state = state
        self.clock = clock or process_clock()

    @classmethod
    def from_config(cls, source: FactChecksSource, settings: Settings) -> FactChecksConnector:
        """The connector of a configured ``factchecks`` source, its state beside the other connectors'."""
        return cls(source, ConnectorState(settings.connectors.state_dir / f"{source.name}.sqlite"))

    @property
    def bounded(self) -> bool:
        """A file or folder read once (no ``watch``) runs out."""
        return not self.source.watch

    def check(self) -> str:
        """Say what would be read."""
        if self.source.url is not None:
            return f"fact-checks from {self.source.url}"
        return f"fact-checks from {len(self.documents())} file(s) in {self.source.path}"

    def documents(self) -> list[Path]:
        """The files to read, in name order."""
        path = self.source.path
        assert path is not None  # noqa: S101 - the source's validator requires a path or a URL, and this is the path branch
        if path.is_file():
            return [path]
        if path.is_dir():
            return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        msg = f"fact-check source {self.name}: {path} does not exist"
        raise FactCheckFeedError(msg)

    def _fetch(self) -> Iterator[tuple[str, bytes, dict[str, object] | None]]:
        """(name, bytes, checkpoint) of every document to read now; a file unchanged since its checkpoint is skipped."""
        if self.source.url is not None:
            reply = new_session().get(self.source.url, timeout=30)
            if reply.status_code != 200:
                msg = f"fact-check source {self.name}: {self.source.url} answered HTTP {reply.status_code}"
                raise FactCheckFeedError(msg)
            yield self.source.url.split("?")[0], reply.content[:MAX_DOCUMENT_BYTES], None
            return
        for path in self.documents():
            stat = path.stat()
            seen = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
            if self.state is not None and self.state.checkpoint(f"file:{path.resolve()}") == seen:
                continue
            with path.open("rb") as handle:
                yield path.name, handle.read(MAX_DOCUMENT_BYTES), {f"file:{path.resolve()}": seen}

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """Every fact-check of every document (as long as ``stop`` is not set), then a checkpoint per document."""
        while not stop.is_set():
            for name, raw, checkpoint in self._fetch():
                parsed = to_factchecks(raw, self.source.format or guess_format(name, raw), self.clock.now(),
                                       source=self.name, publisher=self.source.publisher)
                for message in parsed.warnings:
                    self.warn(f"{name}: {message}")
                for refused in parsed.refused:
                    yield SourceRecord(key=None, value=refused.original, failure=f"{name}: {refused.reason}")
                for factcheck in parsed.factchecks:
                    content = factcheck.model_dump_json(exclude={"collected_at"}).encode()
                    yield SourceRecord(key=factcheck.factcheck_id, value=factcheck.model_dump_json().encode(),
                                       digest=hashlib.sha256(content).hexdigest()[:32])
                yield SourceRecord(key=None, value=b"", produce=False, checkpoint=checkpoint)
                if stop.is_set():
                    return
            if not self.source.watch:
                return
            if self.clock.sleep(self.source.poll_interval.total_seconds(), stop):
                return
