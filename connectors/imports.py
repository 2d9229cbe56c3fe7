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

import codecs
import itertools
import json
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic_core import from_json

from connectors.base import Connector, SourceRecord, encode_post
from connectors.state import ConnectorState
from schemas.config import ImportSource, Settings
from schemas.clock import Clock, process_clock

SUFFIXES = (".json", ".jsonl", ".ndjson")
PARALLEL_BYTES = 8 << 20
"""Files at least this big are normalised in worker processes while this one produces (below,
starting them costs more than they gain)."""
WORKERS = 2
"""Worker processes for a large file (at most one per core)."""
WORKER_BATCH = 200
"""Items per message from the worker process."""
READ_SIZE = 1 << 20
"""Bytes read at a time from an export file: memory stays bounded whatever the file's size."""
MAX_ITEM_CHARS = 64 << 20
"""An array item still not complete after this many characters is taken as a broken file."""
_WHITESPACE = " \t\r\n"


def _items(path: Path, skip: int = 0, share: tuple[int, int] = (0, 1)) -> Iterator[tuple[Any, bytes, str | None]]:
    """``(item, raw bytes, None)`` for each item of an export, in whichever shape ``_shape`` finds.

    Every shape is read incrementally, so a 135 MB export never sits in memory whole. A part that is
    not JSON comes back as ``(None, its bytes, the reason)``, for the dead-letter topic. Lines
    are parsed with pydantic-core's JSON parser, about twice as fast as ``json.loads``. The
    first ``skip`` items are passed over; lines are not even parsed, so a grown capture resumes
    quickly. ``share`` ``(k, n)`` keeps only the items after those whose number (from 0, after
    ``skip``) is ``k`` modulo ``n``: a worker's share when ``n`` workers split a file.
    """
    mine, workers = share
    with path.open("rb") as stream:
        head = stream.read(len(codecs.BOM_UTF8))
        if head != codecs.BOM_UTF8:
            stream.seek(0)
        shape = _shape(stream)
        if shape != "lines":
            reader = _array_items if shape == "array" else _value_items
            yield from itertools.islice(reader(stream), skip + mine, None, workers)
            return
        number = -1
        for line in stream:
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            if skip:
                skip -= 1
                continue
            number += 1
            if number % workers != mine:
                continue
            try:
                yield from_json(line), line, None
            except ValueError as exc:
                yield None, line, f"not JSON ({str(exc).split(' at line ')[0]})"


def _shape(stream: BinaryIO) -> str:
    """How an export writes its items, read from its content (never from its name), the stream left where it was.

    ``array``: a JSON array (Apify's JSON export), its first character ``[``. ``values``: JSON
    values one after another, each over several lines (a single pretty-printed object saved from
    a tool, ``jq '.[]'`` output); its first line opens a value without closing it (``{``, or
    ``{ "id": 1,``), which no line of a JSON-lines file does. ``lines``: anything else, one JSON
    value a line (NDJSON, Zeeschuimer, Apify's JSONL), so that a broken line costs that line only.
    """
    start = stream.tell()
    try:
        line = stream.readline(READ_SIZE)
        while line and not line.strip():
            line = stream.readline(READ_SIZE)
    finally:
        stream.seek(start)
    first = line.strip()
    if first[:1] == b"[":
        return "array"
    if first[:1] == b"{" and first.endswith((b"{", b"[", b",")):
        return "values"
    return "lines"


def _value_items(stream: BinaryIO) -> Iterator[tuple[Any, bytes, str | None]]:
    """The JSON values of a file that holds them one after another, each with its exact bytes.

    Decoded one at a time from a buffer refilled as it runs out, as ``_array_items`` does, so
    memory stays bounded. A value that does not parse cannot be stepped over (nothing marks
    where the next one starts), so what is left of the file from it on becomes one dead letter
    (its first ``READ_SIZE`` bytes).
    """
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    text, position, at_end = "", 0, False

    def refill() -> bool:
        nonlocal text, position, at_end
        if at_end:
            return False
        more = stream.read(READ_SIZE)
        at_end = not more
        text = text[position:] + utf8.decode(more, final=at_end)
        position = 0
        return True

    index = 0
    try:
        while True:
            while True:
                while position < len(text) and text[position] in _WHITESPACE:
                    position += 1
                if position < len(text):
                    break
                if not refill():
                    return
            try:
                item, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as exc:
                if len(text) - position < MAX_ITEM_CHARS and refill():
                    continue  # the value goes on in the next read
                reason = f"not JSON ({exc.msg})"
                break
            except RecursionError:
                reason = "an item is nested too deeply to parse"
                break
            if end == len(text) and refill():
                continue  # a number at the very end of the buffer may go on in the next read
            yield item, text[position:end].encode("utf-8", "surrogateescape"), None
            index += 1
            position = end
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 ({exc.reason})"
    rest = text[position:position + READ_SIZE].encode("utf-8", "surrogateescape")
    yield None, rest, f"{reason} after item {index}; the rest of the file is not read"


class _BrokenArray(Exception):  # noqa: N818 - internal signal, caught below
    """The array cannot be read on: the rest of the file is not valid JSON or not UTF-8."""


def _array_items(stream: BinaryIO) -> Iterator[tuple[Any, bytes, str | None]]:
    """The items of a JSON array, decoded one at a time from a buffer refilled as it runs out.

    ``JSONDecoder.raw_decode`` parses one value and says where it ended, which gives each item's
    exact text for a dead letter without serialising it again. An item cut by the end of the
    buffer fails to parse, so more is read and it is tried again: a parse error counts only at
    the end of the file. A broken array cannot be resynchronised, so what is left of it from the
    error on becomes one dead letter (its first ``READ_SIZE`` bytes; the file itself is kept).
    """
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    text, position, at_end = "", 0, False

    def refill() -> bool:
        nonlocal text, position, at_end
        if at_end:
            return False
        more = stream.read(READ_SIZE)
        at_end = not more
        try:
            decoded = utf8.decode(more, final=at_end)
        except UnicodeDecodeError as exc:
            msg = f"not UTF-8 ({exc.reason})"
            raise _BrokenArray(msg) from None
        text = text[position:] + decoded
        position = 0
        return True

    def skip_space() -> str | None:
        nonlocal position
        while True:
            while position < len(text) and text[position] in _WHITESPACE:
                position += 1
            if position < len(text):
                return text[position]
            if not refill():
                return None

    def rest() -> bytes:
        return text[position:position + READ_SIZE].encode("utf-8", "surrogateescape")

    index = 0
    try:
        if skip_space() != "[":
            raise _BrokenArray("not a JSON array")
        position += 1
        if skip_space() == "]":
            return
        while True:
            if skip_space() is None:
                raise _BrokenArray("the file ends inside the array")
            try:
                item, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as exc:
                if len(text) - position < MAX_ITEM_CHARS and refill():
                    continue
                msg = f"not JSON ({exc.msg})"
                raise _BrokenArray(msg) from None
            except RecursionError:
                # Where such an item ends cannot be found without parsing it, so the array
                # cannot be read on; it stops here with a dead letter instead of a crash.
                raise _BrokenArray("an item is nested too deeply to parse") from None
            if end == len(text) and refill():
                continue  # a number at the very end of the buffer may go on in the next read
            yield item, text[position:end].encode("utf-8", "surrogateescape"), None
            index += 1
            position = end
            following = skip_space()
            if following == "]":
                return
            if following != ",":
                raise _BrokenArray("expected ',' or ']' after an item" if following else
                                   "the file ends inside the array")
            position += 1
    except _BrokenArray as exc:
        yield None, rest(), f"{exc} after item {index} of the array; the rest of the file is not read"


class ImportConnector(Connector):
    """Streams the items of export files into the raw-posts topic, resuming where it stopped."""

    def __init__(self, name: str, path: Path, fmt: str, state: ConnectorState, *, watch: bool = False,
                 poll_interval_s: float = 5.0, clock: Clock | None = None) -> None:
        super().__init__(name)
        self.clock = clock or process_clock()
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
        collected_at = self.clock.now()
        workers = min(WORKERS, os.cpu_count() or 1) if stat.st_size >= PARALLEL_BYTES else 0
        results = (_in_workers(path, self.format, skip, collected_at, workers) if workers
                   else _normalised(path, self.format, skip, collected_at))
        index = skip
        try:
            for index, result in enumerate(results, skip + 1):
                if stop.is_set():
                    return
                yield self._record(result, {key: {"items": index, **position, "complete": False}})
        finally:
            results.close()  # a worker process is ended with its generator
        yield SourceRecord(None, b"", produce=False, checkpoint={key: {"items": index, **position, "complete": True}})

    def _record(self, result: Normalised, checkpoint: dict[str, Any]) -> SourceRecord:
        key, value, digest, failure, warnings = result
        return SourceRecord(key, value, failure=failure, digest=digest, checkpoint=checkpoint, warnings=warnings)


Normalised = tuple[str | None, bytes, str | None, str | None, tuple[str, ...]]
"""One item, normalised: ``(post id, Kafka value, digest, None, warnings)``, or for an item that
failed ``(None, its raw bytes, None, the reason, ())``."""


def _normalised(path: Path, fmt: str, skip: int, collected_at: datetime,
                share: tuple[int, int] = (0, 1)) -> Generator[Normalised, None, None]:
    """Each item of the file after the first ``skip`` (of ``share``, see ``_items``), normalised, in file order."""
    from connectors.formats import FORMATS, NormaliseError

    normalise = FORMATS[fmt]
    for item, raw, broken in _items(path, skip, share):
        if broken is not None:
            yield None, raw, None, f"{fmt}: {broken}", ()
            continue
        if not isinstance(item, dict):
            yield None, raw, None, f"{fmt}: expected a JSON object, got {type(item).__name__}", ()
            continue
        warnings: list[str] = []
        try:
            post = normalise(item, collected_at, warnings)
            value, digest = encode_post(post)
        except NormaliseError as exc:
            yield None, raw, None, str(exc), ()
        except ValueError as exc:
            yield None, raw, None, f"{fmt}: {exc}", ()
        else:
            yield post.post_id, value, digest, None, tuple(warnings)


def _in_workers(path: Path, fmt: str, skip: int, collected_at: datetime,
                workers: int) -> Generator[Normalised, None, None]:
    """``_normalised`` run in ``workers`` worker processes, while this one produces what they make.

    Parsing, normalising and serialising cost ~50 us of Python per item, producing and keeping
    state ~20 us: in one process they stay near 10,000 items/s on a free core, and below it as
    soon as other work shares the machine. Worker ``k`` of ``n`` takes the items whose number
    is ``k`` modulo ``n`` (each reads the whole file; lines it does not take it does not parse),
    and this process takes one result from each in turn, so the order is the file's.

    A worker is a plain ``python -c`` child speaking pickle over its stdin and stdout:
    multiprocessing's ``fork`` would copy this process with the producer's threads half-copied,
    and its ``spawn`` re-imports the caller's main module, which not every program embedding a
    connector guards. Workers write batches to pipes; a full pipe holds a worker back, so each
    runs at most a few batches ahead and memory stays bounded.
    """
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry)}
    started: list[subprocess.Popen[bytes]] = []
    try:
        for mine in range(workers):
            worker = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed command
                [sys.executable, "-c", "from connectors.imports import _work; _work()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
            started.append(worker)
            assert worker.stdin is not None
            pickle.dump((str(path), fmt, skip, collected_at, (mine, workers)), worker.stdin)
            worker.stdin.close()
        streams = [_results(worker, path) for worker in started]
        for number in itertools.count():
            result = next(streams[number % workers], None)
            if result is None:  # the file ends at item ``number``: no worker may have more
                if any(next(stream, None) is not None for stream in streams):
                    msg = f"the import workers for {path} disagree about where it ends"
                    raise RuntimeError(msg)
                return
            yield result
    finally:
        for worker in started:
            assert worker.stdout is not None
            worker.stdout.close()
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=10)


def _results(worker: subprocess.Popen[bytes], path: Path) -> Iterator[Normalised]:
    """The results one worker sends, batch by batch, until its end marker."""
    assert worker.stdout is not None
    while True:
        try:
            batch = pickle.load(worker.stdout)  # noqa: S301 - our own child process
        except EOFError:
            msg = f"an import worker for {path} ended without finishing (exit code {worker.poll()})"
            raise RuntimeError(msg) from None
        if batch is None:
            return
        if isinstance(batch, str):
            msg = f"an import worker for {path} failed: {batch}"
            raise RuntimeError(msg)
        yield from batch


def _work() -> None:
    """A worker process: read its task from stdin, write result batches to stdout, then ``None``."""
    output = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but batches may reach the parent on stdout
    try:
        path, fmt, skip, collected_at, share = pickle.load(sys.stdin.buffer)  # noqa: S301 - sent by our parent
        batch: list[Normalised] = []
        for result in _normalised(Path(path), fmt, skip, collected_at, share):
            batch.append(result)
            if len(batch) >= WORKER_BATCH:
                pickle.dump(batch, output, protocol=pickle.HIGHEST_PROTOCOL)
                batch = []
        pickle.dump(batch, output, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, output)
    except BrokenPipeError:
        pass  # the parent stopped reading (stopped, or failed itself)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        pickle.dump(f"{type(exc).__name__}: {exc}", output)
    try:
        output.flush()
    except BrokenPipeError:
        pass
