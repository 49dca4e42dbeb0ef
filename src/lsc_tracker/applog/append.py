"""Appending to the log: whole entries in one ``write`` and ``fsync``, nothing re-serialised.

With the exclusive lock held (`applog.lock.locked`), a writer

* first takes back the end of an append whose writer was stopped mid-write (the journal says
  so), saving those bytes in a file beside the log and saying where (`roll_back_unfinished`);
* refuses a log laid out so that an added line would not join its list, saying how to fix the
  layout (`how_to_write`), and checks that the log will read back as it was plus exactly the
  new lines (`checked_text`);
* notes the append in the journal, appends the lines with a single ``write`` followed by
  ``fsync`` (after a crash the log holds either none of the new entries or all of them; a
  failed write is truncated back), then empties the note (`write_lines`);
* never re-serialises what is already there: comments and hand-written layout stay as they
  are. The one exception is a log that holds no entry but just ``[]`` or ``null`` (plus
  comments), whose value line is replaced by the first entries through an atomic rename.

What the entries are, and checking them and the plan first, is the caller's (`actuals`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..files import display_path, fsync_dir, open_regular, write_all_once
from ..problems import LscError
from .journal import Note, PendingAppend, birth_time, read_note, unfinished_offset
from .lock import LockFile, LogNotWritable, clear_journal, shown_beside_log, write_journal
from .parse import LogDocument, parse_log
from .spec import TEMP_SUFFIX, LogSpec


class LogReplaced(LscError):
    """The log was replaced by another program (an editor saving it by renaming a new file
    over it) while entries were being appended: they may not be in the log now."""

    def __init__(self, shown: str) -> None:
        super().__init__(
            f"{shown} was replaced by another program (an editor saving it?) while this "
            "command was recording, so what it recorded may not be in the log: close the "
            "other program, run 'lsc check', then run this command again (a value that did "
            "get in is refused as already recorded)"
        )


@dataclass(frozen=True)
class RolledBack:
    """The end of the log that a writer took back (part of an append stopped before it
    finished), and the file it saved those bytes in first: nothing is taken back unseen."""

    log: str  # the log, as messages show it
    first_line: int
    size: int
    saved_to: str

    @property
    def message(self) -> str:
        """The line the writer tells the user (on stderr, by default)."""
        return (
            f"note: took back the end of {self.log} from line {self.first_line} "
            f"({self.size:,} bytes), part of an append that was stopped before it finished; "
            f"those bytes are saved in {self.saved_to}"
        )


def _save_taken_back(spec: LogSpec, directory: Path, data: bytes) -> Path:
    """Keep bytes about to be taken back from the log in a new file beside it, durably,
    before they are taken back (``.actuals.yaml.rolled-back-YYYYMMDDTHHMMSSZ``)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for attempt in range(1, 100):
        path = directory / (
            spec.rolled_back_prefix + stamp + ("" if attempt == 1 else f"-{attempt}")
        )
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(path, flags, 0o666)  # a new file: never through a link put there
        except FileExistsError:
            continue
        try:
            write_all_once(fd, data)
        except OSError:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        os.close(fd)
        fsync_dir(directory)
        return path
    raise OSError(errno.EEXIST, f"too many files named {spec.rolled_back_prefix}{stamp}-*")


def _take_back(spec: LogSpec, data_dir: Path, log_path: Path, note: Note) -> RolledBack | None:
    """Truncate the log back to where the unfinished append began, if it ends inside it and
    the note applies to it (`journal.unfinished_offset`), after saving the bytes removed (see
    `RolledBack`)."""
    try:
        fd = open_regular(log_path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(fd)
        offset = unfinished_offset(
            note,
            info.st_size,
            (info.st_dev, info.st_ino),
            lambda start, count: os.pread(fd, count, start),
            lambda: birth_time(fd=fd),
        )
        if offset is None:
            return None
        tail = os.pread(fd, info.st_size - offset, offset)
        saved = _save_taken_back(spec, log_path.parent, tail)
        first_line = os.pread(fd, offset, 0).count(b"\n") + 1
        first_line += tail.startswith((b"\n", b"\r\n"))  # an append after a missing newline
        os.ftruncate(fd, offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    shown = display_path(data_dir, spec.file)
    return RolledBack(shown, first_line, len(tail), shown_beside_log(data_dir, saved))


def roll_back_unfinished(
    spec: LogSpec, data_dir: Path, lock: LockFile, log_path: Path
) -> RolledBack | None:
    """Take back what a writer stopped mid-append left at the end of the log (saving it),
    and empty the journal. Holding the exclusive lock, so no append is under way. Only the
    note's header is read, and of its bytes no more than the log's end is compared with: a
    lock file of gigabytes (sparse, or not a note at all) is emptied unread."""
    size = os.fstat(lock.fd).st_size
    if not size:
        return None
    note = read_note(lambda start, count: os.pread(lock.fd, count, start), size)
    rolled_back = _take_back(spec, data_dir, log_path, note) if note is not None else None
    clear_journal(lock)
    return rolled_back


Seen = tuple[int, int, int] | None  # the log's (device, inode, size) when read; None: missing


def seen_state(path: Path) -> Seen:
    """Which file the log is, and its size, before it is read under the lock."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino, info.st_size)


def _refuse_unless_as_seen(fd: int, seen: Seen, shown: str) -> os.stat_result:
    """The log opened for writing must be the file that was read and checked, at the size it
    had then: another program that does not take the lock (an editor) may have saved it
    since. Nothing has been written yet, so that is a refusal."""
    info = os.fstat(fd)
    if seen != (info.st_dev, info.st_ino, info.st_size):
        raise LscError(
            f"{shown} was changed by another program (an editor saving it?) while this "
            "command checked it; nothing was recorded: close the other program, then run "
            "this command again"
        )
    return info


def _confirm_written(path: Path, fd: int, offset: int, data: bytes, shown: str) -> None:
    """After writing under the lock, the log's name must still lead to the file written, and
    that file must hold the bytes written where they were written: a program that does not
    take the lock and renames a new file over the log (an editor saving what it read before)
    would otherwise make the entries vanish while the command reports them written."""
    try:
        now = os.stat(path)
        info = os.fstat(fd)
        same = (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino)
        same = same and os.pread(fd, len(data), offset) == data
    except OSError:
        same = False
    if not same:
        raise LogReplaced(shown)


def _appended_text(ends_cleanly: bool, payload: list[str], newline: str) -> str:
    """What an append adds: a line break first if the log does not end with one."""
    return ("" if ends_cleanly else newline) + "".join(line + newline for line in payload)


def _append_to(
    path: Path, payload: list[str], newline: str, lock: LockFile, seen: Seen, shown: str
) -> None:
    fd = open_regular(path, os.O_RDWR | os.O_APPEND)
    try:
        info = _refuse_unless_as_seen(fd, seen, shown)
        size = info.st_size
        ends_cleanly = size == 0 or os.pread(fd, 1, size - 1) == b"\n"
        data = _appended_text(ends_cleanly, payload, newline).encode("utf-8")
        write_journal(lock, PendingAppend.for_log(fd, size, data))
        try:
            write_all_once(fd, data)
        except OSError:
            os.ftruncate(fd, size)  # take back any part of the entries that did land
            os.fsync(fd)
            raise
        finally:
            clear_journal(lock)
        _confirm_written(path, fd, size, data, shown)
    finally:
        os.close(fd)


def _create(path: Path, header: str, payload: list[str], lock: LockFile, shown: str) -> None:
    data = (header + "".join(line + "\n" for line in payload)).encode("utf-8")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:  # made by another program since the log was read
        raise LscError(
            f"{shown} was created by another program while this command checked the data; "
            "nothing was recorded: run this command again"
        ) from None
    try:
        write_journal(lock, PendingAppend.for_log(fd, 0, data))
        try:
            write_all_once(fd, data)
        finally:
            clear_journal(lock)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    try:
        _confirm_written(path, fd, 0, data, shown)
    finally:
        os.close(fd)
    fsync_dir(path.parent)


def _replace_file(spec: LogSpec, path: Path, text: str, seen: Seen, shown: str) -> None:
    """Replace the log by ``text`` (keeping its BOM and mode) through a temporary file and an
    atomic rename: a crash leaves the old log or the new one.

    The log is first opened for writing, as an append would open it, though it is replaced
    rather than written: a log that may not be written is refused, never replaced."""
    old = open_regular(path, os.O_RDWR)  # refused (EACCES, EROFS) for a read-only log
    try:
        info = _refuse_unless_as_seen(old, seen, shown)
        bom = b"\xef\xbb\xbf" if os.pread(old, 3, 0) == b"\xef\xbb\xbf" else b""
    finally:
        os.close(old)
    data = bom + text.encode("utf-8")
    mode = info.st_mode & 0o7777
    fd, temp_name = tempfile.mkstemp(prefix=spec.temp_prefix, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        try:
            write_all_once(fd, data)
            os.fchmod(fd, mode)
            os.replace(temp_name, path)
            _confirm_written(path, fd, 0, data, shown)
        finally:
            os.close(fd)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


# --- where the new lines go ----------------------------------------------------------------

# The one value of a log that holds no entries yet, which the first entries replace:
# ``[]``, or a null (``null``, ``~``), perhaps after a ``---`` on the same line.
_EMPTY_VALUE_LINE = re.compile(r"\s*(---\s+)?(\[\s*\]|null|Null|NULL|~)\s*(#.*)?\r?")
_BARE_DOCUMENT_START = re.compile(r"---\s*(#.*)?\r?")
_DOCUMENT_END = re.compile(r"\.\.\.(\s|$)")


@dataclass(frozen=True)
class Write:
    """How new lines join the log: a new file, an append, or a rewrite of the line holding
    the empty value of a log without entries (``[]``, ``null``)."""

    kind: Literal["create", "append", "rewrite"]
    line: int = -1  # for a rewrite: the 0-based line of the empty value


def _value_lines(doc: LogDocument) -> list[int]:
    """The lines that hold YAML content: not blank, comments, directives or a bare ``---``."""
    return [
        number
        for number, line in enumerate(doc.lines)
        if line.strip()
        and not line.lstrip().startswith("#")
        and not line.startswith("%")
        and not _BARE_DOCUMENT_START.fullmatch(line)
    ]


def how_to_write(log: LogDocument | None, shown: str) -> Write:
    """Choose how to add to this log, or refuse, saying how to fix it, a layout that nothing
    can be appended to without breaking the file (a refusal writes nothing).

    A log with tool-written lines is appended to: `parse_log` has checked every line around
    them. A log without any is one YAML document of its own, which may be laid out so that
    a line added at the end would not join its list: after ``...`` (the end of a document),
    an indented list, a ``[...]`` list. A log holding no entry, only ``[]`` or a null, has
    that value replaced by the first entries (comments and a ``---`` kept).
    """
    if log is None:
        return Write("create")
    if log.fast_entry_lines:
        return Write("append")
    for number, line in enumerate(log.lines):
        if _DOCUMENT_END.match(line):
            raise LscError(
                f"{shown} line {number + 1} is '...', the end of its YAML document, after which "
                "nothing can be added: delete that line, then record again"
            )
    values = _value_lines(log)
    if log.data and values:
        first = log.lines[values[0]]
        if first.lstrip().startswith("["):
            raise LscError(
                f"{shown} holds its entries as one '[...]' list, which cannot be appended to: "
                "write them as '- ' entries, one per line, then record again"
            )
        if first[:1] in (" ", "\t"):
            raise LscError(
                f"{shown} holds its entries indented (line {values[0] + 1}), but each entry "
                "'lsc record' adds starts at the left margin, and a YAML list keeps one "
                "column: move the entries to the left margin ('- ' first on the line), "
                "then record again"
            )
        return Write("append")
    if len(values) == 1 and _EMPTY_VALUE_LINE.fullmatch(log.lines[values[0]]):
        return Write("rewrite", values[0])
    return Write("append")


def _rewritten(lines: list[str], payload: list[str], index: int) -> str:
    """The log with its empty value line (``[]``, ``--- null``...) replaced by the entries;
    a ``---`` and a comment on that line are kept, on lines of their own."""
    lines = list(lines)
    old = lines[index]
    cr = "\r" if old.endswith("\r") else ""
    marker = ["---" + cr] if old.lstrip().startswith("---") else []
    comment = old.partition("#")[2].rstrip("\r")
    kept = marker + ([f"#{comment}{cr}"] if comment else [])
    lines[index : index + 1] = kept + [line + cr for line in payload]
    text = "\n".join(lines)
    return text if text.endswith("\n") else text + cr + "\n"


def _tail(log: LogDocument) -> tuple[str, int]:
    """The log from its last tool-written entry on, and the number of entries there: all of
    the log whose reading an append can change (`parse_log` reads the lines before it the
    same whatever follows). The whole log when no line is tool-written."""
    if not log.fast_entry_lines:
        return "\n".join(log.lines), len(log.data)
    index = next(reversed(log.fast_entry_lines))
    return "\n".join(log.lines[log.fast_entry_lines[index] - 1 :]), len(log.data) - index


def _refuse_unless_reads_back(text: str, before: int, payload: list[str], shown: str) -> None:
    """The log (or its tail) as it will be must read with no problem, as the ``before``
    entries that were there then exactly the new ones: the last guard against a layout this
    module does not foresee, checked before anything is written."""
    doc = parse_log(text, shown)
    new = [json.loads(line[2:]) for line in payload]
    if (
        doc.problems
        or not isinstance(doc.data, list)
        or len(doc.data) != before + len(new)
        or doc.data[before:] != new
    ):
        why = f" ({doc.problems[0].message})" if doc.problems else ""
        raise LscError(
            f"{shown} is laid out so that entries added to it would not read back{why}: write "
            "its entries as '- ' lines at the left margin, then record again; nothing was "
            "recorded"
        )


def newline_of(log: LogDocument | None) -> str:
    """The line break new lines get: the log's own (CRLF when its first line ends so)."""
    return "\r\n" if log is not None and log.lines and log.lines[0].endswith("\r") else "\n"


def checked_text(
    log: LogDocument | None, how: Write, payload: list[str], newline: str, shown: str
) -> str:
    """Check that the log will read back right once the payload is added (see
    `_refuse_unless_reads_back`); returns the whole new text for a rewrite, else ''."""
    if log is None or not payload:
        return ""
    if how.kind == "rewrite":
        text = _rewritten(log.lines, payload, how.line)
        _refuse_unless_reads_back(text, 0, payload, shown)
        return text
    tail, before = _tail(log)
    ends_cleanly = tail == "" or tail.endswith("\n")
    _refuse_unless_reads_back(
        tail + _appended_text(ends_cleanly, payload, newline), before, payload, shown
    )
    return ""


def write_lines(
    spec: LogSpec,
    path: Path,
    how: Write,
    payload: list[str],
    *,
    newline: str,
    new_text: str,
    lock: LockFile,
    seen: Seen,
    shown: str,
) -> None:
    """Add the lines to the log at ``path`` (the real file) as ``how`` says, under ``lock``.

    Raises:
        LogNotWritable: the write failed; the log is as it was.
        LogReplaced: another program replaced the log while the lines were written.
        LscError: the log changed since it was read (``seen``), or was created meanwhile.
    """
    try:
        for stale in path.parent.glob(spec.temp_pattern):  # left by a killed rewrite
            if not stale.is_dir():  # unlinking removes the name only, never a link's target
                stale.unlink(missing_ok=True)
        if how.kind == "create":
            _create(path, spec.header, payload, lock, shown)
        elif how.kind == "rewrite":
            _replace_file(spec, path, new_text, seen, shown)
        else:
            _append_to(path, payload, newline, lock, seen, shown)
    except OSError as error:
        reason = error.strerror or str(error)
        raise LogNotWritable(f"cannot write {shown}: {reason}; nothing was recorded") from None
