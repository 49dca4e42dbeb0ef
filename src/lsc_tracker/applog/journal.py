"""The journal of an append under way: a note a writer keeps in the log's lock file.

Before appending, a writer notes durably where it appends, the bytes, and which file with
what content it appends to (`PendingAppend`); it empties the note once they are all written
and synced. A reader that finds the log ending inside the noted bytes, with the note applying
to that very file (`unfinished_offset`), leaves that end out, and the next writer takes it
back. This module only reads and writes notes as bytes; `applog.lock` keeps them in the lock
file, `applog.read` and `applog.append` act on them.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..files import MAX_LOG_BYTES, Identity

# + b"OFFSET LENGTH DEVICE INODE BIRTH SHA256\n" + the bytes (see `PendingAppend`)
PENDING_APPEND = b"lsc-pending-append "


@dataclass(frozen=True)
class PendingAppend:
    """The journal of an append under way, kept in the lock file.

    Before appending, a writer notes durably where it appends (``offset``), the bytes, and
    which file with what content it appends to; it empties the note, durably, once they are
    all written and synced. A SIGKILL or a power cut can stop a write of more than a page
    partway: then the log ends with a proper part of those bytes, which readers do not count
    and the next writer takes back (`applog.append.roll_back_unfinished`).

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
        digest = _sha256_of(reader_of_fd(fd), offset)
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
        note = read_note(reader_of_bytes(journal), len(journal))
        if note is None:
            return None
        data = note.read_data(0, note.length)
        return cls(note.offset, data, note.identity, note.birth, note.digest)


Reader = Callable[[int, int], bytes]  # (offset, count) -> at most count bytes from offset
_CHUNK = 1 << 20
# the longest header a note can have: the prefix, five numbers of up to 20 digits, a sha256
MAX_NOTE_HEADER = len(PENDING_APPEND) + 5 * 21 + 64 + 1


def reader_of_fd(fd: int) -> Reader:
    return lambda offset, count: os.pread(fd, count, offset)


def reader_of_bytes(raw: bytes) -> Reader:
    view = memoryview(raw)
    return lambda offset, count: bytes(view[offset : offset + count])


def _sha256_of(read: Reader, count: int) -> bytes:
    """The sha256 (hex) of the first ``count`` bytes, read a chunk at a time."""
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
        function = ctypes.CDLL(None, use_errno=True).statx
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_int
    return function


def birth_time(*, fd: int | None = None, path: Path | None = None) -> int:
    """A file's birth time in nanoseconds (``statx``; ``st_birthtime`` on macOS), or 0 where
    the system or the file system does not say. A file given by ``path`` is followed through
    links."""
    if fd is not None:
        info = os.fstat(fd)
    elif path is not None:
        try:
            info = os.stat(path)
        except OSError:
            return 0
    else:
        raise TypeError("birth_time needs fd or path")
    born = getattr(info, "st_birthtime_ns", None) or getattr(info, "st_birthtime", None)
    if born:
        return int(born) if isinstance(born, int) else int(born * 1e9)
    statx = _statx()
    if statx is None:
        return 0
    buffer = ctypes.create_string_buffer(256)  # struct statx
    at_empty_path, at_fdcwd, statx_btime = 0x1000, -100, 0x800
    if fd is not None:
        failed = statx(fd, b"", at_empty_path, statx_btime, buffer)
    else:
        assert path is not None  # checked above
        failed = statx(at_fdcwd, os.fsencode(path), 0, statx_btime, buffer)
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
