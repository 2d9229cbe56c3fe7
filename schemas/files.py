"""Private, durable files: how every Siaga component writes state to disk and reads it back.

State files, queued messages, ``.eml`` files, status files and SQLite databases carry post
texts, handles and alert details; on a shared host they must not be readable by other users.
So everything Siaga creates on disk is created private (files 0600, folders 0700) whatever
the umask, and state is replaced atomically and durably: the new content goes to a temporary
file in the same folder, which is fsynced, renamed over the old one, and then the folder is
fsynced, so after a crash or power cut the file holds either the old content or the new one,
never an empty or half-written file.

A file that is unreadable anyway (a disk error, a hand edit, a file from before this rule) must
not stop a component for good: ``read_or_quarantine`` moves it aside with a logged error and
lets the caller start from nothing.

It lives in ``schemas/`` because the connectors may import only ``schemas``, and they keep
SQLite state too.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from schemas.clock import utc_now

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700
TEMP_SUFFIX = ".tmp"
"""Temporary files end in ``.tmp`` (and start with a dot), so no ``*.json`` listing picks them up."""
QUARANTINE_MARK = ".unreadable-"

T = TypeVar("T")


def private_dir(path: Path) -> Path:
    """Make ``path`` and any missing parents as folders only the owner can open (0700); return it.

    Folders that already exist are left as they are: the caller may write into a folder it
    does not own (a mount point, the working directory of ``--out``), and the files written
    there are 0600 anyway.
    """
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, DIR_MODE)
        except FileExistsError:
            # Another process made it between our check and our mkdir: it is theirs to set.
            continue
        # mkdir's mode is filtered by the umask; set it exactly.
        os.chmod(folder, DIR_MODE)
    if not path.is_dir():
        msg = f"{path} exists and is not a folder"
        raise NotADirectoryError(msg)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if missing (or tighten it to 0600 if ours); return it.

    For files another library opens itself, such as a SQLite database: SQLite creates its
    ``-wal``/``-journal`` files with the database file's mode, so creating the database 0600
    first keeps them private too.
    """
    path = Path(path)
    private_dir(path.parent)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
        return path
    os.close(descriptor)
    _tighten(path, FILE_MODE)
    _fsync_dir(path.parent)
    return path


def write_private(path: Path, data: bytes | str) -> Path:
    """Replace ``path`` with ``data`` atomically and durably, as a 0600 file in a 0700 folder.

    ``str`` is written as UTF-8. Write a temporary file in the same folder, fsync it, rename it
    over ``path``, fsync the folder. Readers see the old content or the new, never a mix; after
    a crash the file is never empty or torn.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = private_dir(path.parent)
    # mkstemp creates the file 0600 with O_EXCL, so two writers never share a temporary file.
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_dir(folder)
    return path


def quarantine(path: Path, reason: str, into: Path | None = None) -> Path:
    """Move an unreadable ``path`` aside (next to it, or into folder ``into``) and log why; return where.

    The new name keeps the old one and adds ``.unreadable-<UTC time>``, so nothing that lists
    ``*.json`` picks it up again, and an operator can still read what was there.
    """
    path = Path(path)
    folder = private_dir(into) if into is not None else path.parent
    stamp = utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{path.name}{QUARANTINE_MARK}{stamp}"
    suffix = 0
    while target.exists():
        suffix += 1
        target = folder / f"{path.name}{QUARANTINE_MARK}{stamp}-{suffix}"
    os.replace(path, target)
    _fsync_dir(folder)
    if folder != path.parent:
        _fsync_dir(path.parent)
    log.error("unreadable file %s (%s); moved aside to %s", path, reason, target)
    return target


def read_or_quarantine(
    path: Path,
    parse: Callable[[bytes], T],
    *,
    into: Path | None = None,
    errors: tuple[type[BaseException], ...] = (ValueError, TypeError, KeyError),
    on_quarantine: Callable[[Path, Path, str], None] | None = None,
) -> T | None:
    """``parse`` the bytes of ``path``; ``None`` if it does not exist or could not be read or parsed.

    A file that cannot be read (an ``OSError`` other than its absence) or whose ``parse``
    raises one of ``errors`` (``ValueError`` covers JSON and pydantic errors and bad UTF-8) is
    moved aside with ``quarantine`` and an error is logged; ``on_quarantine(path, moved_to,
    reason)`` is then called, for the caller's counter. An empty file is parsed like any other
    (``json.loads(b"")`` raises, so it is quarantined).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise
    except OSError as exc:
        reason = f"cannot read: {type(exc).__name__}: {exc}"
    else:
        try:
            return parse(data)
        except errors as exc:
            reason = f"cannot parse {len(data)} bytes: {type(exc).__name__}: {str(exc)[:200]}"
    moved = quarantine(path, reason, into)
    if on_quarantine is not None:
        on_quarantine(path, moved, reason)
    return None


def _tighten(path: Path, mode: int) -> None:
    """Set ``mode`` on ``path`` if this process owns it; someone else's file or folder is left alone."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    if info.st_uid != os.geteuid():
        return
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename or a new file) to disk."""
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
