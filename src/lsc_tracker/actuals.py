"""The only writer of ``actuals.yaml``: an append-only log that nothing may ever lose.

Every write goes through `append_entries`, which

* takes an exclusive lock (``fcntl.flock`` on ``.actuals.yaml.lock`` beside the real log,
  whatever symlinks lead to it), so concurrent ``lsc record`` processes queue up instead of
  interleaving, and the duplicate check they make cannot race;
* first takes back the end of an append whose writer was stopped mid-write (the journal in
  the lock file says so), saving those bytes in a file beside the log and saying where;
* loads and checks the whole data directory inside the lock, and refuses to append to data
  that has any problem (a log whose last entry was cut off by a crash included), or to a log
  laid out so that an added line would not join its list (saying how to fix the layout);
* appends whole entries with a single ``write`` followed by ``fsync``: after a crash the log
  holds either none of the new entries or all of them. A failed write is truncated back;
* never re-serialises what is already there: comments and hand-written layout stay as they
  are. The one exception is a log that holds no entry but just ``[]`` or ``null`` (plus
  comments), whose value line is replaced by the first entries through an atomic rename.

Each entry is written on one line as ``- {...}`` holding a JSON object (see `entry_line`):
still YAML, one line per entry for clean diffs and merges, and read by the loader's fast
path (`yamlsource.parse_log`).
"""

from __future__ import annotations

import errno
import fcntl
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path
from typing import Literal

from .loader import (
    ACTUALS_FILE,
    MAX_LOG_BYTES,
    ROLLED_BACK,
    Note,
    NotRegularFile,
    PendingAppend,
    Plan,
    UnsafeSideFile,
    birth_time,
    display_path,
    flock_within,
    load,
    lock_path_for,
    open_regular,
    open_side_file,
    read_note,
    regular_file_problem,
    unfinished_offset,
)
from .models import Actual, ActualEntry
from .problems import DataError, LscError, Problem
from .yamlsource import LogDocument, parse_log

LOCK_TIMEOUT = 60.0
HEADER = (
    "# yaml-language-server: $schema=../schemas/actuals.schema.json\n"
    "# Actuals of the metrics in metrics.yaml, one entry per line, oldest first.\n"
    "# Written by 'lsc record' and 'lsc import' (see docs/recording.md): append, never edit;\n"
    "# to correct a value, record it again with --replace.\n"
)

# Characters a YAML double-quoted scalar cannot hold raw, or would read as a line break:
# C0 controls (json.dumps already escapes these), DEL and C1 controls (NEL U+0085 among
# them), the BOM, U+2028/U+2029 and the non-characters U+FFFE/U+FFFF.
_YAML_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ufeff\u2028\u2029\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class LogNotWritable(LscError):
    """The log could not be locked, read or written; nothing was changed."""


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


class DataNotValid(DataError):
    """The data has problems, so nothing is appended until they are fixed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        truncated = [p for p in self.problems if p.rule == "log-truncated"]
        if truncated:
            where = truncated[0].source
            message = (
                f"{where.path} line {where.line} holds an entry cut off by a crash, so nothing "
                "was recorded: delete or repair that line (run 'lsc check' to see it), "
                "then record that value again"
            )
        else:
            count = len(self.problems)
            message = (
                f"nothing was recorded: the data has {count} problem{'s' if count != 1 else ''}; "
                "fix them first (run 'lsc check' to list them)"
            )
        self.args = (message,)


@dataclass(frozen=True)
class Appended:
    """What `append_entries` did: the plan as it was, and the entries added to its log."""

    plan: Plan
    entries: list[Actual]
    lines: list[str]
    written: bool
    rolled_back: RolledBack | None = None  # the end of an unfinished append, taken back

    @property
    def actuals(self) -> list[Actual]:
        """Every entry of the log after the append, in log order."""
        return [*self.plan.actuals, *self.entries]


# --- the line format ------------------------------------------------------------------------


def _escape_for_yaml(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _text(value: str) -> str:
    if _SURROGATE.search(value):
        raise LscError(f"{value!r} is not valid UTF-8 text (it holds a lone surrogate)")
    return _YAML_UNSAFE.sub(_escape_for_yaml, json.dumps(value, ensure_ascii=False))


def number_text(value: float) -> str:
    """A number both JSON and YAML (1.1 and 1.2) read back exactly: 42, -3.5, 1.0e-05."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = repr(value)
    mantissa, exponent_mark, exponent = text.partition("e")
    if exponent_mark and "." not in mantissa:  # YAML 1.1 needs the dot to see a float
        text = f"{mantissa}.0e{exponent}"
    return text


def _scalar(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int):
        return str(value)
    return number_text(value)


def format_line(fields: Mapping[str, str | float | bool]) -> str:
    """One log line holding ``fields`` in their order: ``- {"key": value, ...}``.

    Valid JSON after the ``- `` and valid YAML, with any text kept exactly.
    """
    return "- {" + ", ".join(f"{_text(key)}: {_scalar(v)}" for key, v in fields.items()) + "}"


def entry_fields(actual: Actual) -> dict[str, str | float | bool]:
    """An entry's fields as written, leaving out the empty ones.

    Always in the order metric, date, value, place, note, by, recorded, replaces.
    """
    fields: dict[str, str | float | bool] = {
        "metric": actual.metric,
        "date": actual.date.isoformat(),
        "value": actual.value,
    }
    for name in ("place", "note", "by"):
        text = getattr(actual, name)
        if text is not None:
            fields[name] = text
    if actual.recorded is not None:
        fields["recorded"] = actual.recorded.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if actual.replaces:
        fields["replaces"] = True
    return fields


def entry_line(actual: Actual) -> str:
    """The one line `record` writes for an entry, without its line break.

    Example: ``- {"metric": "ooa-placements", "date": "2020-06-30", "value": 42}``.
    """
    return format_line(entry_fields(actual))


def _verify(lines: list[str], entries: list[Actual], shown: str) -> None:
    """Refuse to write lines that the loader would not read back as exactly these entries."""
    doc = parse_log("\n".join(lines), shown)
    read_back: list[Actual] = []
    if not doc.problems and isinstance(doc.data, list) and len(doc.data) == len(entries):
        try:
            read_back = [ActualEntry.model_validate(item).to_actual() for item in doc.data]
        except ValueError:
            read_back = []
    if read_back != list(entries):
        raise LscError("internal error: an entry would not read back as written; nothing written")


# --- locking -------------------------------------------------------------------------------


def _shown_beside_log(data_dir: Path, path: Path) -> str:
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
def locked(data_dir: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[LockFile]:
    """Hold the exclusive lock on the data directory's log (released even on a crash).

    The lock file is beside the real log (`loader.lock_path_for`), so that data directories
    sharing one log through symlinks share its lock; it also holds the journal. It is opened
    without following a link, and must be a regular file of its own (`loader.open_side_file`):
    a lock file that is a link to the log (or to any file) is refused, never truncated.
    """
    lock_path = lock_path_for(data_dir / ACTUALS_FILE)
    shown = _shown_beside_log(data_dir, lock_path)
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


# --- writing ---------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
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


def _write_all_once(fd: int, data: bytes) -> None:
    """One write of the whole text, then fsync; a short write is an error, not a retry."""
    written = os.write(fd, data)
    if written != len(data):
        raise OSError(errno.ENOSPC, "No space left on device (short write)")
    os.fsync(fd)


def _journal(lock: LockFile, pending: PendingAppend) -> None:
    """Note in the lock file, durably, what is about to be appended: a write of more than a
    page can be stopped partway by SIGKILL or a power cut, and then readers leave out the
    part that landed and the next writer takes it back (`loader.PendingAppend`). Written
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


def _clear_journal(lock: LockFile) -> None:
    """Empty the journal once the append is whole (or taken back), durably: a note that a
    power cut brought back would describe bytes that are by then committed. One that cannot
    be emptied at all is left: it no longer matches the log's size, so nothing reads it."""
    with suppress(OSError):
        os.ftruncate(lock.fd, 0)
        os.fsync(lock.fd)


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
        """The line `append_entries` tells the user (on stderr, by default)."""
        return (
            f"note: took back the end of {self.log} from line {self.first_line} "
            f"({self.size:,} bytes), part of an append that was stopped before it finished; "
            f"those bytes are saved in {self.saved_to}"
        )


def _save_taken_back(directory: Path, data: bytes) -> Path:
    """Keep bytes about to be taken back from the log in a new file beside it, durably,
    before they are taken back (``.actuals.yaml.rolled-back-YYYYMMDDTHHMMSSZ``)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for attempt in range(1, 100):
        path = directory / (ROLLED_BACK + stamp + ("" if attempt == 1 else f"-{attempt}"))
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(path, flags, 0o666)  # a new file: never through a link put there
        except FileExistsError:
            continue
        try:
            _write_all_once(fd, data)
        except OSError:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        os.close(fd)
        _fsync_dir(directory)
        return path
    raise OSError(errno.EEXIST, f"too many files named {ROLLED_BACK}{stamp}-*")


def _take_back(data_dir: Path, log_path: Path, note: Note) -> RolledBack | None:
    """Truncate the log back to where the unfinished append began, if it ends inside it and
    the note applies to it (`loader.unfinished_offset`), after saving the bytes removed (see
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
        saved = _save_taken_back(log_path.parent, tail)
        first_line = os.pread(fd, offset, 0).count(b"\n") + 1
        first_line += tail.startswith((b"\n", b"\r\n"))  # an append after a missing newline
        os.ftruncate(fd, offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    shown = display_path(data_dir, ACTUALS_FILE)
    return RolledBack(shown, first_line, len(tail), _shown_beside_log(data_dir, saved))


def _roll_back_unfinished(data_dir: Path, lock: LockFile, log_path: Path) -> RolledBack | None:
    """Take back what a writer stopped mid-append left at the end of the log (saving it),
    and empty the journal. Holding the exclusive lock, so no append is under way. Only the
    note's header is read, and of its bytes no more than the log's end is compared with: a
    lock file of gigabytes (sparse, or not a note at all) is emptied unread."""
    size = os.fstat(lock.fd).st_size
    if not size:
        return None
    note = read_note(lambda start, count: os.pread(lock.fd, count, start), size)
    rolled_back = _take_back(data_dir, log_path, note) if note is not None else None
    _clear_journal(lock)
    return rolled_back


_Seen = tuple[int, int, int] | None  # the log's (device, inode, size) when read; None: missing


def _seen(path: Path) -> _Seen:
    """Which file the log is, and its size, before it is read under the lock."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino, info.st_size)


def _refuse_unless_as_seen(fd: int, seen: _Seen, shown: str) -> os.stat_result:
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
    path: Path, payload: list[str], newline: str, lock: LockFile, seen: _Seen, shown: str
) -> None:
    fd = open_regular(path, os.O_RDWR | os.O_APPEND)
    try:
        info = _refuse_unless_as_seen(fd, seen, shown)
        size = info.st_size
        ends_cleanly = size == 0 or os.pread(fd, 1, size - 1) == b"\n"
        data = _appended_text(ends_cleanly, payload, newline).encode("utf-8")
        _journal(lock, PendingAppend.for_log(fd, size, data))
        try:
            _write_all_once(fd, data)
        except OSError:
            os.ftruncate(fd, size)  # take back any part of the entries that did land
            os.fsync(fd)
            raise
        finally:
            _clear_journal(lock)
        _confirm_written(path, fd, size, data, shown)
    finally:
        os.close(fd)


def _create(path: Path, payload: list[str], lock: LockFile, shown: str) -> None:
    data = (HEADER + "".join(line + "\n" for line in payload)).encode("utf-8")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:  # made by another program since the log was read
        raise LscError(
            f"{shown} was created by another program while this command checked the data; "
            "nothing was recorded: run this command again"
        ) from None
    try:
        _journal(lock, PendingAppend.for_log(fd, 0, data))
        try:
            _write_all_once(fd, data)
        finally:
            _clear_journal(lock)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    try:
        _confirm_written(path, fd, 0, data, shown)
    finally:
        os.close(fd)
    _fsync_dir(path.parent)


def _replace_file(path: Path, text: str, seen: _Seen, shown: str) -> None:
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
    fd, temp_name = tempfile.mkstemp(prefix=".actuals.yaml.", suffix=".tmp", dir=path.parent)
    try:
        try:
            _write_all_once(fd, data)
            os.fchmod(fd, mode)
            os.replace(temp_name, path)
            _confirm_written(path, fd, 0, data, shown)
        finally:
            os.close(fd)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


# --- where the new lines go ----------------------------------------------------------------

# The one value of a log that holds no entries yet, which the first entries replace:
# ``[]``, or a null (``null``, ``~``), perhaps after a ``---`` on the same line.
_EMPTY_VALUE_LINE = re.compile(r"\s*(---\s+)?(\[\s*\]|null|Null|NULL|~)\s*(#.*)?\r?")
_BARE_DOCUMENT_START = re.compile(r"---\s*(#.*)?\r?")
_DOCUMENT_END = re.compile(r"\.\.\.(\s|$)")


@dataclass(frozen=True)
class _Write:
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


def _how_to_write(log: LogDocument | None, shown: str) -> _Write:
    """Choose how to add to this log, or refuse, saying how to fix it, a layout that nothing
    can be appended to without breaking the file (a refusal writes nothing).

    A log with tool-written lines is appended to: `parse_log` has checked every line around
    them. A log without any is one YAML document of its own, which may be laid out so that
    a line added at the end would not join its list: after ``...`` (the end of a document),
    an indented list, a ``[...]`` list. A log holding no entry, only ``[]`` or a null, has
    that value replaced by the first entries (comments and a ``---`` kept).
    """
    if log is None:
        return _Write("create")
    if log.fast_entry_lines:
        return _Write("append")
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
        return _Write("append")
    if len(values) == 1 and _EMPTY_VALUE_LINE.fullmatch(log.lines[values[0]]):
        return _Write("rewrite", values[0])
    return _Write("append")


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


def _new_text(
    log: LogDocument | None, how: _Write, payload: list[str], newline: str, shown: str
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


# --- the one way in --------------------------------------------------------------------------


def _tell_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def append_entries(
    data_dir: Path | str,
    make_entries: Callable[[Plan], list[Actual]],
    *,
    today: date,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    notify: Callable[[str], None] = _tell_stderr,
) -> Appended:
    """Check the data, build entries against it, and append them to the log in one write.

    Args:
        data_dir: the data directory holding actuals.yaml.
        make_entries: builds and validates the new entries from the plan loaded inside the
            lock (so a duplicate check against ``plan.actuals`` cannot race); raises an
            `LscError` to refuse, and then nothing is written.
        today: dates after this are refused, in the log and in the new entries.
        dry_run: do everything but take the lock and write.
        lock_timeout: seconds to wait for another writer before giving up.
        notify: told, at once, anything the user must hear even if the command is then
            refused: that the unfinished end of an earlier append was taken back, and where
            it was saved (`RolledBack.message`). Prints to stderr by default.

    Returns:
        The plan as loaded, the entries appended and their lines (and `RolledBack`, if any).

    Raises:
        DataNotValid: the data already has problems (run ``lsc check``).
        LogNotWritable: the lock or the write failed; the log is unchanged.
        LscError: whatever ``make_entries`` refuses, or a log laid out so that nothing can
            be appended to it (the message says how to fix it).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        reason = "is not a directory" if data_dir.exists() else "does not exist"
        raise LscError(f"data directory {data_dir} {reason}")
    _refuse_a_log_that_is_not_a_file(data_dir)
    if dry_run:
        return _check_and_append(data_dir, make_entries, today=today, lock=None)
    with locked(data_dir, timeout=lock_timeout) as lock:
        return _check_and_append(data_dir, make_entries, today=today, lock=lock, notify=notify)


def _refuse_a_log_that_is_not_a_file(data_dir: Path) -> None:
    """A log that is a named pipe, a device (a link to /dev/zero) or too big is refused as
    the loader reports it, before the lock file is made beside it (in /dev, say). A missing
    log is fine (it is created); a broken link is reported by the loader."""
    shown = display_path(data_dir, ACTUALS_FILE)
    path = data_dir / ACTUALS_FILE
    problem = regular_file_problem(path, shown, limit=MAX_LOG_BYTES, expected="a YAML file")
    if problem is not None and problem.rule != "file-missing":
        raise DataNotValid([problem])


def _check_and_append(
    data_dir: Path,
    make_entries: Callable[[Plan], list[Actual]],
    *,
    today: date,
    lock: LockFile | None,
    notify: Callable[[str], None] = _tell_stderr,
) -> Appended:
    """`append_entries` once the exclusive lock is held (``lock``), or for a dry run
    (None: nothing is written)."""
    path = data_dir / ACTUALS_FILE
    shown = display_path(data_dir, ACTUALS_FILE)
    real_path = Path(os.path.realpath(path))
    rolled_back = None
    if lock is not None:  # first clear up after a writer killed mid-append
        try:
            rolled_back = _roll_back_unfinished(data_dir, lock, real_path)
        except OSError as error:
            reason = error.strerror or str(error)
            raise LogNotWritable(
                f"cannot take back the unfinished end of an earlier append to {shown}: "
                f"{reason}; nothing was recorded"
            ) from None
        if rolled_back is not None:
            notify(rolled_back.message)
    seen = _seen(real_path) if lock is not None else None
    plan, problems = load(data_dir, today=today, lock=lock is None)
    if problems:
        raise DataNotValid(problems)
    doc = plan.documents.get("actuals")
    log = doc if isinstance(doc, LogDocument) else None
    how = _how_to_write(log, shown)
    entries = make_entries(plan)
    lines = [entry_line(entry) for entry in entries]
    _verify(lines, entries, shown)
    newline = "\r\n" if log is not None and log.lines and log.lines[0].endswith("\r") else "\n"
    new_text = _new_text(log, how, lines, newline, shown)
    if lock is None or not entries:
        return Appended(plan, entries, lines, written=False, rolled_back=rolled_back)
    try:
        for stale in real_path.parent.glob(".actuals.yaml.*.tmp"):  # left by a killed rewrite
            if not stale.is_dir():  # unlinking removes the name only, never a link's target
                stale.unlink(missing_ok=True)
        if how.kind == "create":
            _create(real_path, lines, lock, shown)
        elif how.kind == "rewrite":
            _replace_file(real_path, new_text, seen, shown)
        else:
            _append_to(real_path, lines, newline, lock, seen, shown)
    except OSError as error:
        reason = error.strerror or str(error)
        raise LogNotWritable(f"cannot write {shown}: {reason}; nothing was recorded") from None
    return Appended(plan, entries, lines, written=True, rolled_back=rolled_back)
