"""Load a data directory into a `Plan`, collecting every problem instead of stopping at one.

Stages, as in beancount: read bytes -> parse YAML with positions (`yamlsource`) -> validate
each item against its model (`models`) -> cross-file checks (`checks`). Bad data never
raises: `load` returns ``(plan, problems)`` and the caller decides what to do.

Only regular files are read, up to a size (`read_regular`): a named pipe would hang the
reader, a link to /dev/zero would eat all memory. The log is read under a shared lock, and
without the part of an append that a writer was stopped in the middle of (`PendingAppend`),
which is then a problem of its own: readers never leave bytes out silently.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    with_config,
)
from typing_extensions import TypedDict

from .models import (
    MAX_MAGNITUDE,
    Actual,
    ActualEntry,
    Metric,
    Place,
    Priority,
    actual_date_from_text,
    parse_timestamp,
)
from .problems import MAX_LISTED, Problem, Source, did_you_mean, too_many
from .yamlsource import Document, Loc, LogDocument, PlainScalar, parse_log, parse_yaml

PLAN_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "priorities": ("priorities.yaml", Priority),
    "places": ("places.yaml", Place),
    "metrics": ("metrics.yaml", Metric),
}
ACTUALS_FILE = "actuals.yaml"
# flock'ed by writers (actuals.locked) and readers, beside the real log (`lock_path_for`);
# holds the journal of an append under way (`PendingAppend`)
LOCK_FILE = ".actuals.yaml.lock"
# + b"OFFSET LENGTH DEVICE INODE BIRTH SHA256\n" + the bytes (see `PendingAppend`)
PENDING_APPEND = b"lsc-pending-append "
ROLLED_BACK = ".actuals.yaml.rolled-back-"  # + a UTC time: bytes a writer took back
FILE_NAMES = [name for name, _ in PLAN_FILES.values()] + [ACTUALS_FILE]

# The most this tool reads from one file. Generous: a million actuals in the one-line format
# are about 150 MB; the caps are there so that a wrong file (a disk image, a sparse file of
# terabytes) is one clear message rather than all the memory there is.
MAX_LOG_BYTES = 1 << 30  # 1 GiB
MAX_PLAN_BYTES = 100 << 20  # 100 MiB for priorities.yaml, places.yaml, metrics.yaml
MAX_IMPORT_BYTES = 100 << 20  # 100 MiB for a file given to 'lsc import' (about 1.5M rows)


@dataclass
class Plan:
    """Everything in a data directory that passed its own model's validation.

    Items keep their position in their file (``item.index``), and `documents` keeps the
    position index of every file, so any later check can point at an exact key.
    """

    data_dir: Path
    priorities: list[Priority] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    actuals: list[Actual] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    rejected_ids: set[str] = field(default_factory=set)
    broken_files: set[str] = field(default_factory=set)
    actual_positions: list[int] | None = None  # file index of each actual; None: the same

    @cached_property
    def _actual_index(self) -> dict[int, int]:
        positions = self.actual_positions or range(len(self.actuals))
        return {id(actual): index for actual, index in zip(self.actuals, positions, strict=True)}

    def index_of(self, item: BaseModel) -> int:
        """Position of a loaded item in its file's list (-1 for one not from the files)."""
        if isinstance(item, Actual):
            return self._actual_index.get(id(item), -1)
        return item.index  # type: ignore[attr-defined]

    def knows_all(self, kind: str) -> bool:
        """Whether ``kind``'s file loaded whole, so an id missing from it is really unknown."""
        return kind not in self.broken_files

    @cached_property
    def priority_by_id(self) -> dict[str, Priority]:
        return {p.id: p for p in self.priorities}

    @cached_property
    def place_by_id(self) -> dict[str, Place]:
        return {p.id: p for p in self.places}

    @cached_property
    def metric_by_id(self) -> dict[str, Metric]:
        return {m.id: m for m in self.metrics}

    def source(
        self, kind: str, item: BaseModel | int, *loc: str | int, key: bool = False
    ) -> Source:
        """Where ``item`` (or one of its keys, ``loc``) is written, for error messages."""
        doc = self.documents.get(kind)
        index = item if isinstance(item, int) else self.index_of(item)
        if doc is None:
            return Source(str(self.data_dir / f"{kind}.yaml"))
        prefix: Loc = (kind, index) if kind in PLAN_FILES else (index,)
        return doc.source((*prefix, *loc), key=key)


def display_path(data_dir: Path, name: str) -> str:
    """The path to show in messages: the directory as the user gave it, plus the file name."""
    return str(data_dir / name)


Identity = tuple[int, int]  # (st_dev, st_ino): which file, whatever its name


def lock_path_for(log: Path) -> Path:
    """The lock (and journal) of a log: beside the real file, whatever symlinks lead to it,
    so that two data directories whose actuals.yaml is one file share one lock."""
    return Path(os.path.realpath(log)).parent / LOCK_FILE


@dataclass(frozen=True)
class PendingAppend:
    """The journal of an append under way, kept in the lock file.

    Before appending, a writer notes durably where it appends (``offset``), the bytes, and
    which file with what content it appends to; it empties the note, durably, once they are
    all written and synced. A SIGKILL or a power cut can stop a write of more than a page
    partway: then the log ends with a proper part of those bytes, which readers do not count
    and the next writer takes back (`actuals._roll_back_unfinished`).

    A note left behind (a writer killed between its fsync and emptying the note) must apply
    to that very file, with that very content, only: so it names the log's device and inode,
    its birth time (``birth``, from ``statx``; 0 where the system does not keep one), which
    tells a new file that got the old inode back (``sed -i`` twice) from the file itself, and
    the sha256 of the log's bytes before ``offset`` (``digest``), which an edit of those
    bytes changes.
    """

    offset: int
    data: bytes
    identity: Identity
    birth: int
    digest: bytes  # sha256 of the log's first ``offset`` bytes, in hex

    @classmethod
    def for_log(cls, fd: int, offset: int, data: bytes) -> PendingAppend:
        """The note for appending ``data`` at ``offset`` to the log open as ``fd``."""
        info = os.fstat(fd)
        digest = _sha256_of(_reader_of_fd(fd), offset)
        return cls(offset, data, (info.st_dev, info.st_ino), birth_time(fd=fd), digest)

    def journal(self) -> bytes:
        """The note as written to the lock file: a one-line header, then the bytes."""
        device, inode = self.identity
        fields = (self.offset, len(self.data), device, inode, self.birth, self.digest)
        return PENDING_APPEND + b"%d %d %d %d %d %s\n" % fields + self.data

    @classmethod
    def from_journal(cls, journal: bytes) -> PendingAppend | None:
        """The note in a lock file's content; None for an empty or unreadable one (and for one
        written before notes held all of the above, which cannot be told to apply)."""
        note = read_note(_reader_of_bytes(journal), len(journal))
        if note is None:
            return None
        data = note.read_data(0, note.length)
        return cls(note.offset, data, note.identity, note.birth, note.digest)


Reader = Callable[[int, int], bytes]  # (offset, count) -> at most count bytes from offset
_CHUNK = 1 << 20
# the longest header a note can have: the prefix, five numbers of up to 20 digits, a sha256
MAX_NOTE_HEADER = len(PENDING_APPEND) + 5 * 21 + 64 + 1


def _reader_of_fd(fd: int) -> Reader:
    return lambda offset, count: os.pread(fd, count, offset)


def _reader_of_bytes(raw: bytes) -> Reader:
    view = memoryview(raw)
    return lambda offset, count: bytes(view[offset : offset + count])


def _sha256_of(read: Reader, count: int) -> bytes:
    """The sha256 (hex) of the first ``count`` bytes, read a chunk at a time."""
    import hashlib

    digest = hashlib.sha256()
    done = 0
    while done < count:
        chunk = read(done, min(_CHUNK, count - done))
        if not chunk:
            break
        digest.update(chunk)
        done += len(chunk)
    return digest.hexdigest().encode() if done == count else b""


def _same_bytes(read_a: Reader, start_a: int, read_b: Reader, start_b: int, count: int) -> bool:
    """Whether ``count`` bytes from the two sources are equal, compared a chunk at a time."""
    done = 0
    while done < count:
        size = min(_CHUNK, count - done)
        chunk = read_a(start_a + done, size)
        if len(chunk) != size or chunk != read_b(start_b + done, size):
            return False
        done += size
    return True


@cache
def _statx() -> Callable[..., int] | None:
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).statx
    except (OSError, AttributeError, ImportError):
        return None
    function.restype = ctypes.c_int
    return function


def birth_time(*, fd: int | None = None, path: Path | None = None) -> int:
    """A file's birth time in nanoseconds (``statx``; ``st_birthtime`` on macOS), or 0 where
    the system or the file system does not say. A file given by ``path`` is followed through
    links."""
    if fd is not None:
        info = os.fstat(fd)
    else:
        try:
            info = os.stat(path)  # type: ignore[arg-type]
        except OSError:
            return 0
    born = getattr(info, "st_birthtime_ns", None) or getattr(info, "st_birthtime", None)
    if born:
        return int(born) if isinstance(born, int) else int(born * 1e9)
    statx = _statx()
    if statx is None:
        return 0
    import ctypes
    import struct

    buffer = ctypes.create_string_buffer(256)  # struct statx
    at_empty_path, at_fdcwd, statx_btime = 0x1000, -100, 0x800
    if fd is not None:
        failed = statx(fd, b"", at_empty_path, statx_btime, buffer)
    else:
        failed = statx(at_fdcwd, os.fsencode(path), 0, statx_btime, buffer)  # type: ignore[arg-type]
    if failed:
        return 0
    (mask,) = struct.unpack_from("=I", buffer, 0)
    if not mask & statx_btime:
        return 0
    seconds, nanoseconds = struct.unpack_from("=qI", buffer, 80)  # stx_btime
    return seconds * 1_000_000_000 + nanoseconds


@dataclass(frozen=True)
class Note:
    """A note's header, read from a lock file, and how to read its bytes (``read_data``):
    nothing more of the lock file is read than a check needs."""

    offset: int
    length: int
    identity: Identity
    birth: int
    digest: bytes
    read_data: Reader


def read_note(read: Reader, size: int) -> Note | None:
    """The note in a lock file of ``size`` bytes, reading its header only (at most
    `MAX_NOTE_HEADER` bytes): None unless the header is whole and the file holds exactly the
    bytes it announces, no more than a log can hold. A lock file of gigabytes is not read."""
    if size <= len(PENDING_APPEND):
        return None
    head = read(0, min(size, MAX_NOTE_HEADER))
    line, newline, _ = head.partition(b"\n")
    if not line.startswith(PENDING_APPEND) or not newline:
        return None
    fields = line[len(PENDING_APPEND) :].split(b" ")
    try:
        offset, length, device, inode, birth = (int(n) for n in fields[:5])
    except ValueError:
        return None
    digest = fields[5] if len(fields) == 6 else b""
    header = len(line) + 1
    if (
        len(digest) != 64
        or not all(c in b"0123456789abcdef" for c in digest)
        or not 0 < length <= MAX_LOG_BYTES
        or offset < 0
        or size != header + length
    ):
        return None
    return Note(
        offset,
        length,
        (device, inode),
        birth,
        digest,
        lambda start, count: read(header + start, count),
    )


def unfinished_offset(
    note: Note | None,
    size: int,
    identity: Identity,
    read_log: Reader,
    birth: Callable[[], int],
) -> int | None:
    """Where the unfinished append begins in a log of ``size`` bytes (read by ``read_log``),
    if the note applies to it: the same file (device, inode, and birth time where known),
    ending inside the noted bytes with a proper part of them, and holding before them the
    very bytes the writer saw (sha256). None otherwise: the log is kept whole."""
    if note is None or identity != note.identity:
        return None
    if not note.offset < size < note.offset + note.length:
        return None
    if not _same_bytes(read_log, note.offset, note.read_data, 0, size - note.offset):
        return None
    if note.birth and (born := birth()) and born != note.birth:
        return None  # a new file that got the inode back
    if _sha256_of(read_log, note.offset) != note.digest:
        return None
    return note.offset


def committed(raw: bytes, journal: bytes, identity: Identity, birth: int = 0) -> bytes:
    """The log without the part of an append whose writer was stopped mid-write (see
    `PendingAppend`); anything else is kept as it is. ``birth``: the log's birth time, 0 if
    not known (then it is not compared)."""
    note = read_note(_reader_of_bytes(journal), len(journal))
    offset = unfinished_offset(note, len(raw), identity, _reader_of_bytes(raw), lambda: birth)
    return raw if offset is None else raw[:offset]


class NotRegularFile(OSError):
    """A directory, named pipe, device or socket where a file must be: opening or reading it
    could wait forever (a FIFO) or never end (/dev/zero), so it is refused unopened."""

    def __init__(self, kind: str) -> None:
        code = errno.EISDIR if kind == "a directory" else errno.EINVAL
        reason = "Is a directory" if code == errno.EISDIR else f"not a regular file: it is {kind}"
        super().__init__(code, reason)
        self.kind = kind


class FileTooBig(OSError):
    """A file bigger than the tool reads (`MAX_LOG_BYTES`, `MAX_PLAN_BYTES`)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"too big: {_size_text(size)}, over {_size_text(limit)}")
        self.size = size
        self.limit = limit


def _size_text(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.{0 if size % scale == 0 else 1}f} {unit}"
    return f"{size} bytes"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """Open a regular file, never anything else, and never wait: what is not a regular file is
    refused before it is opened (opening a device can do things), and the open itself does
    not block (a FIFO put there in between). ``flags`` may hold ``O_CREAT``.

    Raises:
        NotRegularFile: a directory, named pipe, device or socket.
        OSError: the file cannot be opened (FileNotFoundError when it is not there).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if not flags & os.O_CREAT:
            raise
    else:
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(_kind(info.st_mode))
    fd = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise NotRegularFile(_kind(info.st_mode))
    return fd


class UnsafeSideFile(OSError):
    """A file lsc keeps beside the log (the lock and journal) that is a link, or is not this
    user's or the directory owner's: it may be another file (the log, the plan, a file
    elsewhere), so nothing is ever written or truncated through it. ``reason`` says what it
    is; the fix is to remove it."""

    def __init__(self, reason: str) -> None:
        super().__init__(errno.EPERM, reason)


def _refuse_unsafe_side_file(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise UnsafeSideFile(f"it is a symbolic link (to {target}), not a file of its own")
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(_kind(info.st_mode))
    if info.st_nlink != 1:
        raise UnsafeSideFile(
            f"it is a hard link (one file with {info.st_nlink} names, perhaps another data "
            "file), not a file of its own"
        )
    owners = {os.geteuid()}
    with suppress(OSError):
        owners.add(os.stat(path.parent).st_uid)
    if info.st_uid not in owners:
        raise UnsafeSideFile(
            f"it belongs to user id {info.st_uid}, neither you nor the owner of its directory"
        )


def open_side_file(path: Path, flags: int = os.O_RDONLY) -> int:
    """Open a file lsc keeps beside the log (`LOCK_FILE`) without ever following a link: it
    must be a regular file with one name, owned by this user or by its directory's owner;
    ``flags`` may hold ``O_CREAT`` (a missing file is then made). Checked before opening
    (a FIFO is never opened) and again on what was opened (``O_NOFOLLOW``: a link put there
    in between is refused too).

    Raises:
        UnsafeSideFile: a symbolic or hard link, or a file of another user.
        NotRegularFile: a directory, named pipe, device or socket.
        OSError: the file cannot be opened (FileNotFoundError when it is not there).
    """
    try:
        _refuse_unsafe_side_file(path, os.lstat(path))
    except FileNotFoundError:
        if not flags & os.O_CREAT:
            raise
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o666)
    except OSError as error:
        if error.errno == errno.ELOOP:  # a link made since the check
            raise UnsafeSideFile("it is a symbolic link, not a file of its own") from None
        raise
    try:
        _refuse_unsafe_side_file(path, os.fstat(fd))
    except OSError:
        os.close(fd)
        raise
    return fd


@dataclass(frozen=True)
class FileBytes:
    """A file's content and which file it was (see `PendingAppend`)."""

    raw: bytes
    identity: Identity


def read_regular(path: Path, limit: int) -> FileBytes:
    """All of a regular file, if it holds at most ``limit`` bytes.

    Raises:
        NotRegularFile, FileTooBig, OSError (FileNotFoundError when it is not there).
    """
    fd = open_regular(path)
    try:
        info = os.fstat(fd)
        if info.st_size > limit:
            raise FileTooBig(info.st_size, limit)
        raw = _read_at_most(fd, info.st_size, limit)
        if raw is None:  # it grew past the limit while being read
            raise FileTooBig(limit + 1, limit)
        return FileBytes(raw, (info.st_dev, info.st_ino))
    finally:
        os.close(fd)


def _read_at_most(fd: int, size: int, limit: int) -> bytes | None:
    """Read to the end in one allocation of the expected size; None past ``limit`` bytes."""
    chunks: list[bytes] = []
    total, want = 0, size + 1  # one byte more than expected shows a file still growing
    while chunk := os.read(fd, min(want, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None
        want = 1 << 16
    return b"".join(chunks)


@dataclass(frozen=True)
class Journal:
    """What a reader found beside the log: whether there is a lock file (``found``), and
    the note in it, if any (read while the lock file is open and locked)."""

    found: bool
    note: Note | None = None


@contextmanager
def shared_log_lock(lock_path: Path, *, timeout: float = 60.0) -> Iterator[Journal]:
    """Hold a shared lock on the log while reading it, so that no append is under way; yields
    the journal (see `PendingAppend`; its bytes are read only as a check needs them, while
    the lock is held), not ``found`` when there is no lock file yet (no one has recorded
    beside this log, or not yet: see `read_log`). A lock that cannot be opened as a file of
    its own (`open_side_file`: a link is never followed; writers refuse it, so nothing is
    being appended), or after ``timeout`` s of writers, reads without the lock (and with no
    note)."""
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
            note = read_note(_reader_of_fd(fd), os.fstat(fd).st_size)
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


def _read_problem(error: OSError, shown: str, expected: str) -> Problem:
    """One positioned problem for a file that cannot be read at all."""
    where = Source(shown)
    if isinstance(error, FileNotFoundError):
        return Problem(where, "file not found", "file-missing")
    if isinstance(error, (IsADirectoryError, NotRegularFile)):
        kind = getattr(error, "kind", "a directory")
        if kind == "a directory":
            return Problem(where, f"is a directory, expected {expected}", "file-unreadable")
        message = f"not a regular file: it is {kind}; expected {expected}"
        return Problem(where, message, "file-unreadable")
    if isinstance(error, FileTooBig):
        message = (
            f"too big to read: {_size_text(error.size)}, more than the {_size_text(error.limit)} "
            f"this tool reads from one file; is it the right file?"
        )
        return Problem(where, message, "file-too-big")
    return Problem(where, f"cannot read: {error.strerror or error}", "file-unreadable")


def regular_file_problem(path: Path, shown: str, *, limit: int, expected: str) -> Problem | None:
    """What is wrong with reading ``path`` as a regular file of at most ``limit`` bytes, found
    without opening it; None if nothing is. For code that opens the file itself (a writer
    about to lock beside it, openpyxl reading a workbook)."""
    try:
        info = os.stat(path)
    except OSError as error:
        return _read_problem(error, shown, expected)
    if not stat.S_ISREG(info.st_mode):
        return _read_problem(NotRegularFile(_kind(info.st_mode)), shown, expected)
    if info.st_size > limit:
        return _read_problem(FileTooBig(info.st_size, limit), shown, expected)
    return None


def _decode(raw: bytes, shown: str) -> tuple[str | None, Problem | None, bool]:
    """The text of UTF-8 bytes (BOM allowed), or the problem at the first byte that is not;
    the flag says the bytes end inside a character, as a cut-off file does."""
    try:
        return raw.decode("utf-8-sig"), None, False
    except UnicodeDecodeError as error:
        offset = error.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        before = raw[:offset]
        line = before.count(b"\n") + 1
        column = offset - (before.rfind(b"\n") + 1) + 1
        message = f"not UTF-8: byte 0x{raw[offset]:02x} cannot be decoded; save the file as UTF-8"
        problem = Problem(Source(shown, line, column), message, "file-encoding")
        return None, problem, error.reason == "unexpected end of data"


def read_text(
    path: Path, shown: str, *, limit: int = MAX_PLAN_BYTES, expected: str = "a YAML file"
) -> tuple[str | None, Problem | None]:
    """Read a UTF-8 file (BOM allowed) of at most ``limit`` bytes; a missing, unreadable or
    non-regular file is a problem, not a crash or a hang. ``expected`` names what the file
    should be, for the message about a directory or a named pipe."""
    try:
        raw = read_regular(path, limit).raw
    except OSError as error:
        return None, _read_problem(error, shown, expected)
    text, problem, _ = _decode(raw, shown)
    return text, problem


@dataclass
class LogText:
    """The log as read for loading: its text (None if it cannot be read), and the problems
    found while reading it (an unfinished append left at its end, bytes that are not UTF-8)."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)


def read_log(path: Path, shown: str, *, lock: bool = True) -> LogText:
    """Read the log, under its shared lock unless the caller holds the exclusive one.

    In a fresh clone there is no lock file (git ignores it) until the first writer creates
    it: a reader that found none reads without a lock, then looks again; if the lock file
    has appeared meanwhile, a writer may have been appending while it read, so it reads again
    under the lock. (A writer creates the lock file before it writes a byte, so a lock file
    still missing after the read proves no append overlapped it; and readers never create
    files, so ``lsc check`` changes nothing.)
    """
    if not lock:
        return _log_text(path, shown, None)
    lock_path = lock_path_for(path)
    with shared_log_lock(lock_path) as journal:
        result = _log_text(path, shown, journal.note)
    if not journal.found and os.path.lexists(lock_path):
        with shared_log_lock(lock_path) as journal:
            result = _log_text(path, shown, journal.note)
    return result


def _log_text(path: Path, shown: str, note: Note | None) -> LogText:
    try:
        file = read_regular(path, MAX_LOG_BYTES)
    except OSError as error:
        return LogText(None, [_read_problem(error, shown, "a YAML file")])
    raw, problems = file.raw, []
    offset = unfinished_offset(
        note, len(raw), file.identity, _reader_of_bytes(raw), lambda: birth_time(path=path)
    )
    if offset is not None:
        problems.append(_unfinished_append(raw, offset, shown, path))
        raw = raw[:offset]
    text, problem, cut_inside_character = _decode(raw, shown)
    if problem is not None:
        if cut_inside_character and _last_line(raw).lstrip().startswith(b"-"):
            problems.append(_cut_off(Source(shown, problem.source.line, 1)))
        problems.append(problem)
    return LogText(text, problems)


def _last_line(raw: bytes) -> bytes:
    return raw[raw.rfind(b"\n") + 1 :]


def _unfinished_append(raw: bytes, offset: int, shown: str, path: Path) -> Problem:
    """Say that the end of the log is not counted, and why: readers must not be silent about
    bytes they leave out, in case they are not what they seem (a note left behind, then a
    hand edit that made the log end inside the bytes it describes)."""
    start = offset  # an append to a log without a final newline starts with one
    for newline in (b"\r\n", b"\n"):
        if raw.startswith(newline, offset):
            start = offset + len(newline)
            break
    before = raw[:start]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
    lock = lock_path_for(path)
    in_data_dir = lock.parent == Path(os.path.realpath(path.parent))
    lock_shown = str(Path(shown).with_name(LOCK_FILE)) if in_data_dir else str(lock)
    message = (
        f"the log from here to its end ({len(raw) - offset:,} bytes) is part of an append that "
        "was stopped before it finished (a writer killed, a power cut?), so it is not counted: "
        "the next 'lsc record' or 'lsc import' takes it back, keeping a copy beside the log "
        f"({ROLLED_BACK}*); if these lines are meant to be there, empty {lock_shown} instead"
    )
    return Problem(Source(shown, line, column), message, "log-unfinished-append")


def _message(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return f"missing required key {error['loc'][-1]!r}"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        allowed = _keys_at(model, error["loc"][:-1])
        hint = did_you_mean(name, allowed) if allowed else ""
        return f"unknown key {name!r}{hint}" + (
            f"; allowed keys: {', '.join(allowed)}" if allowed and not hint else ""
        )
    got = _shape(error.get("input"))
    if kind == "literal_error":  # kind, direction, cadence: the accepted words, the closest
        words = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        given = str(error.get("input"))
        hint = did_you_mean(given, words) if isinstance(error.get("input"), str) else ""
        choices = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else "".join(words)
        return f"expected {choices}, got {got}{hint}"
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"expected {words} {(error.get('ctx') or {}).get(key)}, got {got}"
    plain = _PLAIN_WORDS.get(kind) or str(error["msg"]).replace("Input should be", "expected")
    return f"{plain}, got {got}"


# pydantic's bounds (Field(gt=0), ge=12): its words, and the key of the bound in its ctx
_BOUNDS = {
    "greater_than": ("a number above", "gt"),
    "greater_than_equal": ("a number of at least", "ge"),
    "less_than": ("a number below", "lt"),
    "less_than_equal": ("a number of at most", "le"),
}


_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9.eE+-]{0,30}")


def _shape(value: Any) -> str:
    """What a value is, in the plan's words (never a Python repr such as None or True)."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, PlainScalar) and _NUMBER_LIKE.fullmatch(value):
        return str(value)  # unquoted, as written: 'got 3', not "got '3'"
    return repr(str(value)) if len(str(value)) <= 60 else repr(str(value)[:57] + "...")


# pydantic's words for its error types, where they name Python types, in a plan's own terms
_PLAIN_WORDS: dict[str, str] = {
    "list_type": "expected a list, such as [a, b] or one '- ' item a line",
    "tuple_type": "expected a list, such as [a, b] or one '- ' item a line",
    "dict_type": "expected a mapping of keys, such as {key: value}",
    "model_type": "expected a mapping of keys, such as {key: value}",
    "model_attributes_type": "expected a mapping of keys, such as {key: value}",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
}


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a model accepts at a nested location, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _nested_model(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _nested_model(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def validate_items(
    doc: Document,
    items: list[Any],
    model: type[BaseModel],
    prefix: Loc,
    rejected: set[str] | None = None,
    limit: int = MAX_LISTED,
) -> tuple[list[Any], list[Problem], list[int]]:
    """Validate each item on its own, so one bad item does not hide the others.

    Returns the valid items, the problems, and the position in ``items`` of each valid item.

    The ids of items that fail are added to ``rejected``, so that later checks do not
    report references to them as unknown (one mistake, one message). Past ``limit``
    problems, failing items are counted, not described: one last problem says how many.
    """
    rejected = set() if rejected is None else rejected
    positions: list[int] = []
    valid: list[Any] = []
    problems: list[Problem] = []
    unlisted, first_unlisted = 0, None
    for index, item in enumerate(items):
        loc = (*prefix, index)
        if not isinstance(item, dict):
            if first_unlisted is None and len(problems) < limit:
                got = _shape(item)
                problems.append(
                    Problem(doc.source(loc), f"expected a mapping of keys, got {got}", "schema")
                )
            else:
                unlisted, first_unlisted = unlisted + 1, first_unlisted or loc
            continue
        try:
            obj = model.model_validate(item)
        except ValidationError as error:
            if isinstance(item.get("id"), str):
                rejected.add(str(item["id"]))
            if first_unlisted is not None or len(problems) + error.error_count() > limit:
                unlisted, first_unlisted = unlisted + 1, first_unlisted or loc
                continue
            for detail in error.errors(include_url=False):
                where = doc.source((*loc, *detail["loc"]), key=detail["type"] == "extra_forbidden")
                problems.append(Problem(where, _message(detail, model), "schema"))
            continue
        if obj.__pydantic_private__ is not None:
            obj.__pydantic_private__["_index"] = index
        valid.append(obj)
        positions.append(index)
    if first_unlisted is not None:
        noun = "entry has" if unlisted == 1 else "entries have"
        more = f"{unlisted:,} more {noun} problems from here on, not listed"
        problems.append(too_many(doc.source(first_unlisted), more))
    return valid, problems, positions


def _top_level_list(doc: Document, kind: str) -> tuple[list[Any], list[Problem]]:
    """The list under ``kind:`` in a plan file, checking the file's top-level shape."""
    data = doc.data
    if data is None:
        return [], [
            Problem(doc.source(), f"the file is empty: expected '{kind}:' and a list", "schema")
        ]
    if not isinstance(data, dict):
        return [], [Problem(doc.source(), f"expected a mapping with the key '{kind}:'", "schema")]
    problems = []
    for key in data:
        if key not in (kind, "version"):
            message = f"unknown top-level key {key!r}{did_you_mean(key, [kind, 'version'])}"
            problems.append(Problem(doc.source((key,), key=True), message, "schema"))
    if "version" in data and str(data["version"]) != "1":
        problems.append(
            Problem(
                doc.source(("version",)), "unsupported version: this tool reads version 1", "schema"
            )
        )
    if kind not in data:
        problems.append(Problem(doc.source(), f"missing the top-level key '{kind}:'", "schema"))
        return [], problems
    items = data[kind]
    if items is None:
        return [], problems
    if not isinstance(items, list):
        problems.append(Problem(doc.source((kind,)), f"'{kind}' must be a list", "schema"))
        return [], problems
    return items, problems


def load_plan_file(plan: Plan, kind: str) -> list[Problem]:
    name, model = PLAN_FILES[kind]
    shown = display_path(plan.data_dir, name)
    text, problem = read_text(plan.data_dir / name, shown)
    if problem:
        plan.broken_files.add(kind)
        return [problem]
    doc = parse_yaml(text or "", shown)
    plan.documents[kind] = doc
    if doc.problems:
        plan.broken_files.add(kind)
        return list(doc.problems)
    items, problems = _top_level_list(doc, kind)
    if problems:
        plan.broken_files.add(kind)
    valid, item_problems, _ = validate_items(doc, items, model, (kind,), plan.rejected_ids)
    setattr(plan, kind, valid)
    return problems + item_problems


def load_actuals(plan: Plan, *, lock: bool = True) -> list[Problem]:
    """Load the actuals log; a missing file is an empty log.

    ``lock``: read it under the shared lock (False when the caller holds the exclusive one).
    """
    path = plan.data_dir / ACTUALS_FILE
    shown = display_path(plan.data_dir, ACTUALS_FILE)
    if not path.exists() and not path.is_symlink():
        return []
    log = read_log(path, shown, lock=lock)
    if log.text is None:
        plan.broken_files.add("actuals")
        return log.problems
    return log.problems + _load_entries(plan, parse_log(log.text, shown))


def _load_entries(plan: Plan, doc: LogDocument) -> list[Problem]:
    """Validate the parsed log's entries into ``plan.actuals``: all at once when the tool
    wrote them all (`fast_actuals`), else one by one with positioned problems."""
    plan.documents["actuals"] = doc
    if doc.problems:
        return list(doc.problems) + truncation_hint(doc)
    if not isinstance(doc.data, list):
        return [
            Problem(doc.source(), "expected a list of entries, each starting with '- '", "schema")
        ]
    entries = doc.data
    fast = fast_actuals(entries) if len(doc.fast_entry_lines) == len(entries) else None
    if fast is not None:
        plan.actuals = fast
        return []
    valid, item_problems, plan.actual_positions = validate_items(doc, entries, ActualEntry, ())
    plan.actuals = [entry.to_actual() for entry in valid]
    return item_problems + (truncation_hint(doc, item_problems) if item_problems else [])


# Tool-written log lines hold JSON types already, so one strict schema checked entirely inside
# pydantic-core accepts them in bulk, several times faster than `ActualEntry`'s per-field
# Python validators. It accepts a subset of what ActualEntry accepts, with the same meaning;
# anything it refuses goes through ActualEntry, which gives the positioned messages.
_SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@with_config(ConfigDict(extra="forbid", strict=True))
class _ToolWrittenEntry(TypedDict):
    metric: Annotated[str, StringConstraints(pattern=_SLUG_PATTERN)]
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    value: (
        Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
        | Literal["done"]
    )
    place: NotRequired[Annotated[str, StringConstraints(pattern=_SLUG_PATTERN)]]
    note: NotRequired[str]
    by: NotRequired[str]
    recorded: NotRequired[str]
    replaces: NotRequired[bool]


_tool_written_entries = TypeAdapter(list[_ToolWrittenEntry])


def fast_actuals(entries: list[Any]) -> list[Actual] | None:
    """The entries as Actuals if every one passes the strict schema, else None.

    Checked `_FAST_CHUNK` entries at a time, stopping at the first that fails: pydantic
    describes every error of a failing list, which for a million bad lines is gigabytes."""
    day = actual_date_from_text  # cached: a log holds few distinct dates
    actuals: list[Actual] = []
    try:
        for start in range(0, len(entries), _FAST_CHUNK):
            checked = _tool_written_entries.validate_python(entries[start : start + _FAST_CHUNK])
            actuals.extend(
                Actual(
                    entry["metric"],
                    day(entry["date"]),
                    entry["value"],
                    entry.get("place"),
                    entry.get("note"),
                    entry.get("by"),
                    parse_timestamp(entry["recorded"]) if "recorded" in entry else None,
                    entry.get("replaces", False),
                )
                for entry in checked
            )
    except (ValidationError, ValueError):
        return None
    return actuals


_FAST_CHUNK = 10_000


_CUT_OFF = (
    "the last entry is incomplete (cut off by a crash?): delete or repair this line, "
    "then record that value again"
)


def _cut_off(where: Source) -> Problem:
    return Problem(where, _CUT_OFF, "log-truncated")


def truncation_hint(doc: Document, problems: Iterable[Problem] = ()) -> list[Problem]:
    """Say so plainly when the log's last entry looks cut off (a crash mid-write): its last
    line is cut inside a tool-written entry, right after a dash, or right after a key (a
    ``value:`` with nothing after it, one of ``problems``)."""
    if not isinstance(doc, LogDocument):
        return []
    content = [i for i, line in enumerate(doc.lines) if line.strip() and line.strip()[0] != "#"]
    if not content:
        return []
    last_line = content[-1] + 1
    last_text = doc.lines[content[-1]].rstrip(" \t\r")
    if last_text == "-":  # cut right after an entry's dash: YAML reads an empty entry
        return [_cut_off(Source(doc.path, last_line, 1))]
    if last_text.endswith(":") and any(p.source.line == last_line for p in problems):
        return [_cut_off(Source(doc.path, last_line, 1))]  # cut after a key: YAML reads null
    written_by_tool = last_text.startswith("- {")
    if not written_by_tool or last_line in set(doc.fast_entry_lines.values()):
        return []
    # only a syntax error at the very end says the line is cut short: a duplicate key, a tag
    # or a bad character on a whole line is reported as what it is
    end = (last_line, len(doc.lines[content[-1]].rstrip("\r")))
    if not any(
        p.rule == "yaml-syntax" and (p.source.line, p.source.column) > end for p in doc.problems
    ):
        return []
    return [_cut_off(Source(doc.path, last_line, 1))]


def load(
    data_dir: Path | str, *, today: date | None = None, lock: bool = True
) -> tuple[Plan, list[Problem]]:
    """Load and check a data directory. Returns the plan and every problem found, sorted.

    Args:
        data_dir: the directory holding priorities.yaml, places.yaml, metrics.yaml and
            (optionally) actuals.yaml.
        today: actuals dated after this are problems; None skips that check.
        lock: read the log under its shared lock, so that an append under way is not seen
            half done; False only for a writer that holds the exclusive lock.
    """
    from .checks import run_checks

    plan = Plan(Path(data_dir))
    problems: list[Problem] = []
    if not plan.data_dir.is_dir():
        shown = str(data_dir)
        reason = "is not a directory" if plan.data_dir.exists() else "does not exist"
        return plan, [Problem(Source(shown), f"data directory {reason}", "file-missing")]
    for kind in PLAN_FILES:
        problems.extend(load_plan_file(plan, kind))
    problems.extend(load_actuals(plan, lock=lock))
    problems.extend(run_checks(plan, today=today))
    return plan, sort_problems(problems)


def sort_problems(problems: Iterable[Problem], limit: int = MAX_LISTED) -> list[Problem]:
    """The problems in file order, each once; past ``limit``, the rest are one last problem
    that counts them (each stage collects about ``limit`` at most, so this stays small)."""
    unique = {(p.source, p.message): p for p in problems}
    ordered = sorted(unique.values(), key=Problem.sort_key)
    if len(ordered) <= limit + 1:
        return ordered
    left = ordered[limit:]
    at_least = "at least " if any(p.rule == "too-many-problems" for p in left) else ""
    more = f"{at_least}{len(left):,} more problems from here on, not listed"
    return [*ordered[:limit], too_many(left[0].source, more)]
