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

While a folder is watched, a capture tool may be half-way through writing its last line: a
last line without its newline is left for a later poll (neither read nor counted), so the
post is read whole once the writer ends it. A one-shot import reads such a line too. A line
longer than ``max_line_bytes`` is never held in memory whole: it is read in bounded chunks
to its end and dead-lettered with its size, its SHA-256 and its first bytes.

Only regular files are read. Inside a folder, symbolic links and anything else that is not a
regular file (FIFOs, devices) are skipped with a warning; the configured path itself must not
be a symbolic link either. Whoever can drop a file into a watched folder must not be able to
make Siaga read ``/proc/self/environ`` (its secrets) onto Kafka and into the dead letters.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import json
import logging
import os
import pickle
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from pydantic_core import from_json

from connectors.api import ConnectorFatal
from connectors.base import Connector, SourceRecord, encode_post
from connectors.state import ConnectorState
from schemas.clock import Clock, process_clock
from schemas.config import ImportSource, Settings
from schemas.erasure import post_author_refs
from schemas.errors import SiagaError

log = logging.getLogger(__name__)

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
MAX_LINE_BYTES = 1 << 20
"""The default cap on one JSON line (``ImportSource.max_line_bytes``): above the 900,000-byte
raw record the pipeline accepts, so no post that could pass is refused here."""
LONG_LINE_KEPT = 64 << 10
"""Bytes of an over-long line kept in its dead letter (with the whole line's size and SHA-256)."""
_WHITESPACE = " \t\r\n"

Whole = tuple[int, str]
"""The size and SHA-256 (hex) of a part of a file that is not held in memory whole."""


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file and not a symbolic link; else ``NotRegularFile``.

    The check is made on the opened file (``O_NOFOLLOW``, then ``fstat``), so a file swapped
    for a link between listing a folder and reading it is refused too. ``O_NONBLOCK`` keeps a
    FIFO put in a file's place from blocking the open; it changes nothing for regular files.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError:
        if os.path.islink(path):
            msg = f"{path} is a symbolic link; only regular files are imported"
            raise NotRegularFile(msg) from None
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        msg = f"{path} is not a regular file; only regular files are imported"
        raise NotRegularFile(msg)
    return os.fdopen(descriptor, "rb")


class NotRegularFile(SiagaError):
    """A path to import turned out to be a symbolic link, a FIFO, a device: it is not read."""


def _lines(stream: BinaryIO, upto: int | None, max_line: int,
           wanted: Callable[[int], bool]) -> Iterator[tuple[bytes, Whole | None]]:
    """The non-blank lines of ``stream`` from where it stands up to byte ``upto`` (``None``: its end).

    Lines are numbered from 0; only those ``wanted`` are given, as ``(line, None)`` without the
    line end, or, for a line over ``max_line`` bytes, as ``(its first bytes, (size, sha256))``.
    An over-long line is read in chunks of at most ``READ_SIZE`` bytes to its end, and hashed
    only if wanted: memory stays near ``max_line`` whatever the file holds.
    """
    left = -1 if upto is None else upto - stream.tell()
    number = -1

    def read(limit: int) -> bytes:
        nonlocal left
        if left == 0:
            return b""
        chunk = stream.readline(limit if left < 0 else min(limit, left))
        if left > 0:
            left -= len(chunk)
        return chunk

    while True:
        line = read(max_line + 2)  # room for the content and its "\r\n"
        if not line:
            return
        if line.endswith(b"\n") or len(line) < max_line + 2:  # a whole line, or the unterminated last one
            content = line.rstrip(b"\r\n")
            if not content.strip():
                continue
            number += 1
            if not wanted(number):
                continue
            if len(content) <= max_line:
                yield content, None
            else:
                yield content[:LONG_LINE_KEPT], (len(content), hashlib.sha256(content).hexdigest())
            continue
        number += 1
        keep = wanted(number)
        digest = hashlib.sha256(line) if keep else None
        kept, size = line[:LONG_LINE_KEPT], len(line)
        while chunk := read(READ_SIZE):
            if chunk.endswith(b"\n"):
                chunk = chunk[:-1]  # size and digest are of the line without its newline
                size += len(chunk)
                if digest is not None:
                    digest.update(chunk)
                break
            size += len(chunk)
            if digest is not None:
                digest.update(chunk)
        if digest is not None:
            yield kept, (size, digest.hexdigest())


def _items(path: Path, skip: int = 0, share: tuple[int, int] = (0, 1), *, upto: int | None = None,
           max_line: int = MAX_LINE_BYTES) -> Iterator[tuple[Any, bytes, str | None, Whole | None]]:
    """``(item, raw bytes, None, None)`` for each item of an export, in whichever shape ``_shape`` finds.

    Every shape is read incrementally, so a 135 MB export never sits in memory whole. A part that is
    not JSON comes back as ``(None, its bytes, the reason, None)``, for the dead-letter topic;
    a line over ``max_line`` bytes as ``(None, its first bytes, the reason, (size, sha256))``.
    Lines are parsed with pydantic-core's JSON parser, about twice as fast as ``json.loads``.
    The first ``skip`` items are passed over; lines are not even parsed, so a grown capture
    resumes quickly. ``share`` ``(k, n)`` keeps only the items after those whose number (from
    0, after ``skip``) is ``k`` modulo ``n``: a worker's share when ``n`` workers split a file.
    Lines are read up to byte ``upto`` of the file (a watched file's last complete line);
    an array or a run of values is always read to its end.
    """
    mine, workers = share
    with open_regular(path) as stream:
        head = stream.read(len(codecs.BOM_UTF8))
        if head != codecs.BOM_UTF8:
            stream.seek(0)
        shape = _shape(stream)
        if shape != "lines":
            reader = _array_items if shape == "array" else _value_items
            for item, raw, broken in itertools.islice(reader(stream), skip + mine, None, workers):
                yield item, raw, broken, None
            return

        def wanted(number: int) -> bool:
            return number >= skip and (number - skip) % workers == mine

        for line, whole in _lines(stream, upto, max_line, wanted):
            if whole is not None:
                size, sha256 = whole
                yield (None, line, f"a line of {size:,} bytes is over the {max_line:,}-byte limit "
                                   f"(SHA-256 {sha256}); it was not read", whole)
                continue
            try:
                yield from_json(line), line, None, None
            except ValueError as exc:
                yield None, line, f"not JSON ({str(exc).split(' at line ')[0]})", None


def complete_end(path: Path, size: int) -> int:
    """The byte offset just after the last newline in the first ``size`` bytes of ``path`` (0 if none).

    Read backwards in bounded blocks: a watched file's unterminated last line is found without
    reading the file from its start.
    """
    with open_regular(path) as stream:
        end = size
        while end > 0:
            start = max(0, end - READ_SIZE)
            stream.seek(start)
            block = stream.read(end - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                return start + newline + 1
            end = start
    return 0


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


class _BrokenArray(Exception):
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

    state: ConnectorState  # always given: the files read and the posts sent live there

    def __init__(self, name: str, path: Path, fmt: str, state: ConnectorState, *, watch: bool = False,
                 poll_interval_s: float = 5.0, clock: Clock | None = None,
                 max_line_bytes: int = MAX_LINE_BYTES) -> None:
        super().__init__(name)
        self.clock = clock or process_clock()
        from connectors.formats import FORMATS

        self.path = path
        self.format = fmt
        self.normalise = FORMATS[fmt]
        self.state = state
        self.watch = watch
        self.poll_interval_s = poll_interval_s
        self.max_line_bytes = max_line_bytes
        self._skipped: set[str] = set()
        """Folder entries already reported as skipped (each is logged once, counted every poll)."""
        self._waiting: set[tuple[str, int]] = set()
        """(file, size) whose unterminated last line was already logged as waiting."""

    @property
    def bounded(self) -> bool:
        """A watched folder never runs out; a one-shot import does."""
        return not self.watch

    @classmethod
    def from_config(cls, source: ImportSource, settings: Settings) -> ImportConnector:
        """The connector a configured import source describes."""
        state = ConnectorState(settings.connectors.state_dir / f"{source.name}.sqlite")
        return cls(source.name, source.path, source.format, state, watch=source.watch,
                   poll_interval_s=source.poll_interval_s, max_line_bytes=source.max_line_bytes)

    def check(self) -> str:
        """The export files found, and how many are fully imported."""
        files = self.files()
        done = sum(1 for path in files if (self.state.checkpoint(f"file:{path.resolve()}") or {}).get("complete"))
        return f"{len(files)} export file(s) under {self.path}, {done} fully imported"

    def files(self) -> list[Path]:
        """The export files to read, oldest name first: regular files only, never a symbolic link.

        Raise ``ConnectorFatal`` (a configuration problem) for a configured path that does not
        exist, is a symbolic link, or is neither a regular file nor a folder.
        """
        try:
            mode = os.lstat(self.path).st_mode
        except FileNotFoundError:
            msg = f"import path {self.path} does not exist"
            raise ImportPathMissing(msg) from None
        if stat.S_ISLNK(mode):
            msg = (f"import path {self.path} is a symbolic link (to {os.readlink(self.path)}); Siaga imports only "
                   f"regular files and folders: configure the path it points to")
            raise ConnectorFatal(msg)
        if stat.S_ISREG(mode):
            return [self.path]
        if not stat.S_ISDIR(mode):
            msg = f"import path {self.path} is neither a regular file nor a folder"
            raise ConnectorFatal(msg)
        found = []
        with os.scandir(self.path) as entries:
            for entry in entries:
                if not entry.name.endswith(SUFFIXES):
                    continue
                if entry.is_file(follow_symlinks=False):
                    found.append(Path(entry.path))
                else:
                    self._skip(entry)
        return sorted(found)

    def _skip(self, entry: os.DirEntry[str]) -> None:
        kind = "a symbolic link" if entry.is_symlink() else "not a regular file"
        message = f"{entry.name} in {self.path} is {kind} and was skipped"
        if entry.path not in self._skipped:
            self._skipped.add(entry.path)
            log.warning("connector %s: %s; only regular files are imported", self.name, message)
        self.stats.warn(f"an export that is {kind} was skipped")

    def records(self, stop: threading.Event) -> Iterator[SourceRecord]:
        """The export's posts, file by file, from each file's checkpoint; with ``watch``, until ``stop``."""
        while not stop.is_set():
            for path in self.files():
                yield from self._file_records(path, stop)
                if stop.is_set():
                    return
            if not self.watch or stop.wait(self.poll_interval_s):
                return

    def _file_records(self, path: Path, stop: threading.Event) -> Iterator[SourceRecord]:
        key = f"file:{path.resolve()}"
        try:
            stat_now = path.lstat()
        except FileNotFoundError:
            return  # gone since the folder was listed
        if not stat.S_ISREG(stat_now.st_mode):
            return  # replaced since the folder was listed: the next listing reports it
        done = self.state.checkpoint(key) or {"items": 0, "size": 0, "mtime_ns": 0, "complete": False}
        unchanged = (done["size"], done["mtime_ns"]) == (stat_now.st_size, stat_now.st_mtime_ns)
        if unchanged and (done["complete"] or (self.watch and done.get("waiting"))):
            return  # read to the end (or, while watching, to its unterminated last line), unchanged since
        appended = path.suffix != ".json" and stat_now.st_size > done["size"]
        # Interrupted, or a capture that grew at its end: resume after the items done. Anything
        # else (a re-exported JSON array, a shrunk file) is read again from the start.
        skip = done["items"] if unchanged or appended else 0
        position = {"size": stat_now.st_size, "mtime_ns": stat_now.st_mtime_ns}
        upto = None
        waiting = False
        if self.watch:
            # A writer may be half-way through the last line: read up to the last newline only,
            # and come back for the rest when the file has grown.
            try:
                upto = complete_end(path, stat_now.st_size)
            except NotRegularFile:
                return  # replaced since the folder was listed: the next listing reports it
            waiting = upto < stat_now.st_size
            if waiting and (key, stat_now.st_size) not in self._waiting:
                self._waiting.add((key, stat_now.st_size))
                log.info("connector %s: %s ends in a line without its newline (%d bytes); it is read once "
                         "the writer ends it", self.name, path, stat_now.st_size - upto)
        collected_at = self.clock.now()
        workers = min(WORKERS, os.cpu_count() or 1) if stat_now.st_size >= PARALLEL_BYTES else 0
        options = Options(upto, self.max_line_bytes)
        results = (_in_workers(path, self.format, skip, collected_at, workers, options) if workers
                   else _normalised(path, self.format, skip, collected_at, options=options))
        index = skip
        try:
            for index, result in enumerate(results, skip + 1):
                if stop.is_set():
                    return
                yield self._record(result, {key: {"items": index, **position, "complete": False}})
        except NotRegularFile as exc:  # swapped for a link since it was listed: skipped, never read
            log.warning("connector %s: %s", self.name, exc)
            self.stats.warn("an export that is not a regular file was skipped")
            return
        finally:
            results.close()  # a worker process is ended with its generator
        final = {"items": index, **position, "complete": not waiting}
        if waiting:
            final["waiting"] = True
        yield SourceRecord(None, b"", produce=False, checkpoint={key: final})

    def _record(self, result: Normalised, checkpoint: dict[str, Any]) -> SourceRecord:
        key, value, digest, failure, warnings, whole, authors = result
        size, sha256 = whole if whole is not None else (None, None)
        return SourceRecord(key, value, failure=failure, digest=digest, checkpoint=checkpoint, warnings=warnings,
                            authors=authors, original_size=size, original_sha256=sha256)


class ImportPathMissing(ConnectorFatal, FileNotFoundError):
    """The configured import path does not exist (a configuration problem, and a missing file)."""


class Options(NamedTuple):
    """How a file is read: up to which byte (``None``: its end), and the longest line accepted."""

    upto: int | None = None
    max_line: int = MAX_LINE_BYTES


Normalised = tuple[str | None, bytes, str | None, str | None, tuple[str, ...], Whole | None, tuple[str, ...]]
"""One item, normalised: ``(post id, Kafka value, digest, None, warnings, None, author references)``,
or for an item that failed ``(None, its raw bytes, None, the reason, (), None, ())``; the sixth is
``(size, sha256)`` for a part too long to hold (its raw bytes are then only its beginning)."""


def _normalised(path: Path, fmt: str, skip: int, collected_at: datetime, share: tuple[int, int] = (0, 1),
                options: Options = Options()) -> Generator[Normalised, None, None]:
    """Each item of the file after the first ``skip`` (of ``share``, see ``_items``), normalised, in file order."""
    from connectors.formats import FORMATS, NormaliseError

    normalise = FORMATS[fmt]
    for item, raw, broken, whole in _items(path, skip, share, upto=options.upto, max_line=options.max_line):
        if broken is not None:
            yield None, raw, None, f"{fmt}: {broken}", (), whole, ()
            continue
        if not isinstance(item, dict):
            yield None, raw, None, f"{fmt}: expected a JSON object, got {type(item).__name__}", (), None, ()
            continue
        warnings: list[str] = []
        try:
            post = normalise(item, collected_at, warnings)
            value, digest = encode_post(post)
        except NormaliseError as exc:
            yield None, raw, None, str(exc), (), None, ()
        except ValueError as exc:
            yield None, raw, None, f"{fmt}: {exc}", (), None, ()
        else:
            yield post.post_id, value, digest, None, tuple(warnings), None, post_author_refs(post)


def _in_workers(path: Path, fmt: str, skip: int, collected_at: datetime,
                workers: int, options: Options = Options()) -> Generator[Normalised, None, None]:
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
            worker = subprocess.Popen(
                [sys.executable, "-c", "from connectors.imports import _work; _work()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
            started.append(worker)
            assert worker.stdin is not None  # noqa: S101 - an invariant for the type checker, not a check of input
            pickle.dump((str(path), fmt, skip, collected_at, (mine, workers), tuple(options)), worker.stdin)
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
            assert worker.stdout is not None  # noqa: S101 - an invariant for the type checker, not a check of input
            worker.stdout.close()
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=10)


def _results(worker: subprocess.Popen[bytes], path: Path) -> Iterator[Normalised]:
    """The results one worker sends, batch by batch, until its end marker."""
    assert worker.stdout is not None  # noqa: S101 - an invariant for the type checker, not a check of input
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
        path, fmt, skip, collected_at, share, options = pickle.load(sys.stdin.buffer)  # noqa: S301 - sent by our parent
        batch: list[Normalised] = []
        for result in _normalised(Path(path), fmt, skip, collected_at, share, Options(*options)):
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
