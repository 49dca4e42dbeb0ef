"""Reading and writing files safely: regular files only, up to a size, output written whole.

Only regular files are read: a named pipe would hang the reader, a link to /dev/zero would
eat all memory, so they are refused before they are opened (`open_regular`). A file that
cannot be read is a positioned `Problem`, not a crash (`read_text`, `regular_file_problem`).
Files lsc keeps beside the data (the log's lock) are never opened through a link
(`open_side_file`). Reports are written through a temporary file and a rename
(`write_atomically`), so a crash leaves the old file or the new one, never a part.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem, Source

# The most this tool reads from one file. Generous: a million actuals in the one-line format
# are about 150 MB; the caps are there so that a wrong file (a disk image, a sparse file of
# terabytes) is one clear message rather than all the memory there is.
MAX_LOG_BYTES = 1 << 30  # 1 GiB
MAX_PLAN_BYTES = 100 << 20  # 100 MiB for priorities.yaml, places.yaml, metrics.yaml
MAX_IMPORT_BYTES = 100 << 20  # 100 MiB for a file given to 'lsc import' (about 1.5M rows)

Identity = tuple[int, int]  # (st_dev, st_ino): which file, whatever its name


def display_path(data_dir: Path, name: str) -> str:
    """The path to show in messages: the directory as the user gave it, plus the file name."""
    return str(data_dir / name)


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
    """Open a file lsc keeps beside the log (its lock) without ever following a link: it
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


def read_problem(error: OSError, shown: str, expected: str) -> Problem:
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
        return read_problem(error, shown, expected)
    if not stat.S_ISREG(info.st_mode):
        return read_problem(NotRegularFile(_kind(info.st_mode)), shown, expected)
    if info.st_size > limit:
        return read_problem(FileTooBig(info.st_size, limit), shown, expected)
    return None


def decode_utf8(raw: bytes, shown: str) -> tuple[str | None, Problem | None, bool]:
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
        return None, read_problem(error, shown, expected)
    text, problem, _ = decode_utf8(raw, shown)
    return text, problem


# --- writing ---------------------------------------------------------------------------------


def fsync_dir(directory: Path) -> None:
    """Make a new or renamed file's directory entry durable, where the file system can."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a directory; the data itself is synced
        pass
    finally:
        os.close(fd)


def write_all_once(fd: int, data: bytes) -> None:
    """One write of the whole text, then fsync; a short write is an error, not a retry."""
    written = os.write(fd, data)
    if written != len(data):
        raise OSError(errno.ENOSPC, "No space left on device (short write)")
    os.fsync(fd)


def write_atomically(output: str, data: bytes) -> None:
    """Write ``data`` to ``output`` atomically: into a temporary file beside the real file
    (through links), then renamed over it, so that a crash leaves the old file or the new one
    and never a part. A new file gets the usual mode (0o666 less the umask), an old one keeps
    its own."""
    real = Path(os.path.realpath(output))
    try:
        mode = real.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(temp, real)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
