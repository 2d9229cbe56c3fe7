"""Imports of collection-tool exports: Apify datasets and Zeeschuimer / 4CAT captures.

Where official API access is narrow, agencies bring posts from scraping services and capture
tools. This connector reads their exports: one file, or a folder it keeps watching for new and
growing files. Each item goes through the format's pure normaliser (``connectors.formats``);
an item that does not normalise goes to the dead-letter topic with the reason and its raw
JSON, and the import goes on.

Progress is checkpointed per file (items done, and the file's size when they were read), so a
restarted import resumes where it stopped. A file that shrank or was replaced is read again
from the start; the sent-posts memory then keeps posts already sent unchanged from being sent
twice, while posts whose counts changed are sent again to update them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.base import Connector, SourceRecord
from connectors.state import ConnectorState, content_digest
from schemas.config import ImportSource, Settings
from schemas.fields import utc_now

SUFFIXES = (".json", ".jsonl", ".ndjson")


def _items(path: Path) -> Iterator[tuple[Any, bytes]]:
    """``(item or None, raw bytes)`` for each item: a JSON array file, or one JSON value per line."""
    data = path.read_bytes()
    if data.lstrip()[:1] == b"[":
        try:
            array = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            yield None, data
            return
        for item in array:
            yield item, json.dumps(item, ensure_ascii=False).encode()
        return
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            yield json.loads(line), line
        except (json.JSONDecodeError, UnicodeDecodeError):
            yield None, line


class ImportConnector(Connector):
    """Streams the items of export files into the raw-posts topic, resuming where it stopped."""

    def __init__(self, name: str, path: Path, fmt: str, state: ConnectorState, *, watch: bool = False,
                 poll_interval_s: float = 5.0) -> None:
        super().__init__(name)
        from connectors.formats import FORMATS

        self.path = path
        self.format = fmt
        self.normalise = FORMATS[fmt]
        self.state = state
        self.watch = watch
        self.poll_interval_s = poll_interval_s

    @property
    def bounded(self) -> bool:
        """A watched folder never runs out; a one-shot import does."""
        return not self.watch

    @classmethod
    def from_config(cls, source: ImportSource, settings: Settings) -> ImportConnector:
        """The connector a configured import source describes."""
        state = ConnectorState(settings.connectors.state_dir / f"{source.name}.sqlite")
        return cls(source.name, source.path, source.format, state, watch=source.watch,
                   poll_interval_s=source.poll_interval_s)

    def check(self) -> str:
        """The export files found, and how many are fully imported."""
        files = self.files()
        done = sum(1 for path in files if (self.state.checkpoint(f"file:{path.resolve()}") or {}).get("complete"))
        return f"{len(files)} export file(s) under {self.path}, {done} fully imported"

    def files(self) -> list[Path]:
        """The export files to read, oldest name first."""
        if self.path.is_file():
            return [self.path]
        if self.path.is_dir():
            return sorted(p for p in self.path.iterdir() if p.is_file() and p.suffix in SUFFIXES)
        msg = f"import path {self.path} does not exist"
        raise FileNotFoundError(msg)

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        while not stop.is_set():
            for path in self.files():
                yield from self._file_records(path, stop)
                if stop.is_set():
                    return
            if not self.watch or stop.wait(self.poll_interval_s):
                return

    def _file_records(self, path: Path, stop: threading.Event) -> Iterator[SourceRecord]:
        key = f"file:{path.resolve()}"
        stat = path.stat()
        done = self.state.checkpoint(key) or {"items": 0, "size": 0, "mtime_ns": 0, "complete": False}
        if done["complete"] and (done["size"], done["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
            return  # read to the end, unchanged since
        unchanged = (done["size"], done["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns)
        appended = path.suffix != ".json" and stat.st_size > done["size"]
        # Interrupted, or a capture that grew at its end: resume after the items done. Anything
        # else (a re-exported JSON array, a shrunk file) is read again from the start.
        skip = done["items"] if unchanged or appended else 0
        position = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        collected_at = utc_now()
        index = 0
        for index, (item, raw) in enumerate(_items(path), 1):
            if index <= skip:
                continue
            if stop.is_set():
                return
            yield self._record(item, raw, collected_at, {key: {"items": index, **position, "complete": False}})
        yield SourceRecord(None, b"", produce=False, checkpoint={key: {"items": index, **position, "complete": True}})

    def _record(self, item: Any, raw: bytes, collected_at: Any, checkpoint: dict[str, Any]) -> SourceRecord:
        from connectors.formats import NormaliseError

        if not isinstance(item, dict):
            reason = "not JSON" if item is None else f"expected a JSON object, got {type(item).__name__}"
            return SourceRecord(None, raw, failure=f"{self.format}: {reason}", checkpoint=checkpoint)
        try:
            post = self.normalise(item, collected_at)
        except NormaliseError as exc:
            return SourceRecord(None, raw, failure=str(exc), checkpoint=checkpoint)
        digest = content_digest(post.model_dump_json(exclude={"collected_at", "raw"}).encode())
        return SourceRecord(post.post_id, post.model_dump_json().encode(), digest=digest, checkpoint=checkpoint)
