"""The log's lock: ``flock`` on a lock file beside the real log, shared or exclusive.

Writers hold it exclusively, so concurrent ``lsc record`` processes queue up instead of
interleaving, and the duplicate check they make cannot race; readers hold it shared, so they
never see an append half done. The lock file is beside the real log, whatever symlinks lead
to it (`lock_path_for`), so data directories sharing one log share its lock. It also holds
the journal of an append under way (`applog.journal`), written and emptied here through the
locked descriptor only. It is never opened through a link (`files.open_side_file`).
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from ..files import NotRegularFile, UnsafeSideFile, display_path, open_side_file
from ..problems import LscError
from .journal import Note, PendingAppend, read_note, reader_of_fd
from .spec import LogSpec

LOCK_TIMEOUT = 60.0  # seconds a writer (or a reader) waits for writers before giving up


class LogNotWritable(LscError):
    """The log could not be locked, read or written; nothing was changed."""


def lock_path_for(log: Path, spec: LogSpec) -> Path:
    """The lock (and journal) of a log: beside the real file, whatever symlinks lead to it,
    so that two data directories whose log is one file share one lock."""
    return Path(os.path.realpath(log)).parent / spec.lock


def shown_beside_log(data_dir: Path, path: Path) -> str:
    """A file beside the real log as messages show it: in the data directory as the user gave
    it when the log really is there, else by its real path (the log is a link to elsewhere)."""
    if path.parent == Path(os.path.realpath(data_dir)):
        return display_path(data_dir, path.name)
    return str(path)


@dataclass(frozen=True)
class LockFile:
    """The lock file, held: its path and the descriptor the lock is on. The journal is read
    and written through ``fd`` only, never by opening the path again."""

    path: Path
    fd: int


@contextmanager
def locked(spec: LogSpec, data_dir: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[LockFile]:
    """Hold the exclusive lock on the data directory's log (released even on a crash).

    The lock file is beside the real log (`lock_path_for`), so that data directories
    sharing one log through symlinks share its lock; it also holds the journal. It is opened
    without following a link, and must be a regular file of its own (`files.open_side_file`):
    a lock file that is a link to the log (or to any file) is refused, never truncated.
    """
    lock_path = lock_path_for(data_dir / spec.file, spec)
    shown = shown_beside_log(data_dir, lock_path)
    try:
        fd = open_side_file(lock_path, os.O_RDWR | os.O_CREAT)
    except UnsafeSideFile as error:
        raise LogNotWritable(
            f"cannot lock {shown}: {error.strerror}; lsc keeps its lock and journal there and "
            f"never writes through a link: remove it (rm '{shown}'), then record again; "
            "nothing was recorded"
        ) from None
    except OSError as error:
        writable = "; the data directory must be writable to record"
        hint = "" if isinstance(error, NotRegularFile) else writable
        raise LogNotWritable(f"cannot lock {shown}: {error.strerror}{hint}") from None
    try:
        try:
            acquired = flock_within(fd, fcntl.LOCK_EX, timeout)
        except OSError as error:
            raise LogNotWritable(f"cannot lock {shown}: {error.strerror}") from None
        if not acquired:
            raise LogNotWritable(
                f"another lsc command has been writing to {data_dir} for over "
                f"{timeout:.0f} s; nothing was recorded: try again"
            )
        try:  # the file locked must still be the one at that name (not replaced meanwhile)
            now = os.lstat(lock_path)
            held = os.fstat(fd)
            replaced = (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino)
        except OSError:
            replaced = True
        if replaced:
            raise LogNotWritable(
                f"{shown} was removed or replaced while this command waited for it; "
                "nothing was recorded: try again"
            )
        yield LockFile(lock_path, fd)
    finally:
        os.close(fd)  # closing releases the lock


def write_journal(lock: LockFile, pending: PendingAppend) -> None:
    """Note in the lock file, durably, what is about to be appended: a write of more than a
    page can be stopped partway by SIGKILL or a power cut, and then readers leave out the
    part that landed and the next writer takes it back (`PendingAppend`). Written
    through the locked descriptor, never by opening the lock file's name again."""
    os.ftruncate(lock.fd, 0)
    try:
        note = pending.journal()
        if os.pwrite(lock.fd, note, 0) != len(note):
            raise OSError(errno.ENOSPC, "No space left on device (short write)")
        os.fsync(lock.fd)
    except OSError:
        os.ftruncate(lock.fd, 0)
        raise


def clear_journal(lock: LockFile) -> None:
    """Empty the journal once the append is whole (or taken back), durably: a note that a
    power cut brought back would describe bytes that are by then committed. One that cannot
    be emptied at all is left: it no longer matches the log's size, so nothing reads it."""
    with suppress(OSError):
        os.ftruncate(lock.fd, 0)
        os.fsync(lock.fd)


@dataclass(frozen=True)
class Journal:
    """What a reader found beside the log: whether there is a lock file (``found``), and
    the note in it, if any (read while the lock file is open and locked)."""

    found: bool
    note: Note | None = None


@contextmanager
def shared_log_lock(lock_path: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[Journal]:
    """Hold a shared lock on the log while reading it, so that no append is under way; yields
    the journal (see `PendingAppend`; its bytes are read only as a check needs them, while
    the lock is held), not ``found`` when there is no lock file yet (no one has recorded
    beside this log, or not yet: see `applog.read.read_log`). A lock that cannot be opened
    as a file of its own (`open_side_file`: a link is never followed; writers refuse it, so
    nothing is being appended), or after ``timeout`` s of writers, reads without the lock
    (and with no note)."""
    try:
        fd = open_side_file(lock_path)
    except FileNotFoundError:
        yield Journal(found=False)
        return
    except OSError:
        yield Journal(found=True)
        return
    try:
        _wait_for_shared_lock(fd, timeout)
        try:
            note = read_note(reader_of_fd(fd), os.fstat(fd).st_size)
        except OSError:
            note = None
        yield Journal(found=True, note=note)
    finally:
        os.close(fd)


def flock_within(
    fd: int, operation: int, timeout: float, *, pause: float = 0.001, max_pause: float = 0.05
) -> bool:
    """Take ``operation`` (``fcntl.LOCK_SH`` or ``LOCK_EX``) on ``fd``, waiting up to
    ``timeout`` s for other holders (polling, the pause doubling from ``pause`` up to
    ``max_pause``); False when they held it all that time. Raises OSError when the file
    cannot be locked at all."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, max_pause)


def _wait_for_shared_lock(fd: int, timeout: float) -> None:
    """A reader waits for a writer, then reads anyway (a lock that cannot be taken, or a
    writer holding it past ``timeout``, must not stop a report). It polls every 2 ms: a
    reader should see the log the moment an append ends."""
    with suppress(OSError):
        flock_within(fd, fcntl.LOCK_SH, timeout, pause=0.002, max_pause=0.002)
