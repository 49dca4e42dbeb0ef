"""The only writer of ``actuals.yaml``: an append-only log that nothing may ever lose.

Every write goes through `append_entries`, which

* takes an exclusive lock (``fcntl.flock`` on ``.actuals.yaml.lock`` beside the log), so
  concurrent ``lsc record`` processes queue up instead of interleaving, and the duplicate
  check they make cannot race;
* loads and checks the whole data directory inside the lock, and refuses to append to data
  that has any problem (a log whose last entry was cut off by a crash included);
* appends whole entries with a single ``write`` followed by ``fsync``: after a crash the log
  holds either none of the new entries or all of them. A failed write is truncated back;
* never re-serialises what is already there: comments and hand-written layout stay as they
  are. The one exception is a log that holds just ``[]`` (plus comments), whose ``[]`` line
  is replaced by the first entries through an atomic rename.

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
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

from .loader import (
    ACTUALS_FILE,
    LOCK_FILE,
    PENDING_APPEND,
    Plan,
    committed,
    display_path,
    load,
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
_EMPTY_LIST_LINE = re.compile(r"\s*\[\s*\]\s*(#.*)?\r?")


class LogNotWritable(LscError):
    """The log could not be locked, read or written; nothing was changed."""


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


# --- locking and writing --------------------------------------------------------------------


@contextmanager
def locked(data_dir: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock on the data directory's log (released even on a crash)."""
    lock_path = data_dir / LOCK_FILE
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as error:
        raise LogNotWritable(
            f"cannot lock {display_path(data_dir, LOCK_FILE)}: {error.strerror}; "
            "the data directory must be writable to record"
        ) from None
    try:
        deadline = time.monotonic() + timeout
        pause = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LogNotWritable(
                        f"another lsc command has been writing to {data_dir} for over "
                        f"{timeout:.0f} s; nothing was recorded: try again"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
            except OSError as error:
                raise LogNotWritable(
                    f"cannot lock {display_path(data_dir, LOCK_FILE)}: {error.strerror}"
                ) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


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


def _journal(lock_path: Path, offset: int, data: bytes) -> None:
    """Note in the lock file, durably, what is about to be appended at ``offset``: a write of
    more than a page can be stopped partway by SIGKILL or a power cut, and then readers
    ignore the part that landed and the next writer takes it back (`loader.committed`)."""
    fd = os.open(lock_path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.ftruncate(fd, 0)
        try:
            _write_all_once(fd, PENDING_APPEND + b"%d %d\n" % (offset, len(data)) + data)
        except OSError:
            os.ftruncate(fd, 0)
            raise
    finally:
        os.close(fd)


def _clear_journal(lock_path: Path) -> None:
    """Empty the journal once the append is whole (or taken back); a journal that cannot be
    emptied is harmless, since it only hides an append that did not complete."""
    with suppress(OSError):
        os.truncate(lock_path, 0)


def _roll_back_unfinished(data_dir: Path, path: Path) -> None:
    """Truncate away what a writer killed mid-append left, and empty the journal."""
    lock_path = data_dir / LOCK_FILE
    journal = lock_path.read_bytes()
    if not journal:
        return
    raw = path.read_bytes() if path.is_file() else b""
    kept = committed(raw, journal)
    if len(kept) < len(raw):
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.ftruncate(fd, len(kept))
            os.fsync(fd)
        finally:
            os.close(fd)
    _clear_journal(lock_path)


def _append_to(path: Path, payload: list[str], newline: str, lock_path: Path) -> None:
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        ends_cleanly = size == 0 or os.pread(fd, 1, size - 1) == b"\n"
        text = ("" if ends_cleanly else newline) + "".join(line + newline for line in payload)
        data = text.encode("utf-8")
        _journal(lock_path, size, data)
        try:
            _write_all_once(fd, data)
        except OSError:
            os.ftruncate(fd, size)  # take back any part of the entries that did land
            os.fsync(fd)
            raise
        finally:
            _clear_journal(lock_path)
    finally:
        os.close(fd)


def _create(path: Path, payload: list[str], lock_path: Path) -> None:
    data = (HEADER + "".join(line + "\n" for line in payload)).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        _journal(lock_path, 0, data)
        try:
            _write_all_once(fd, data)
        finally:
            _clear_journal(lock_path)
    except OSError:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    _fsync_dir(path.parent)


def _replace_empty_list(path: Path, payload: list[str], index: int) -> None:
    """Rewrite a log holding just ``[]``: that line becomes the entries; comments stay."""
    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    lines = raw[len(bom) :].decode("utf-8").split("\n")
    old = lines[index]
    cr = "\r" if old.endswith("\r") else ""
    comment = old.partition("#")[2].rstrip("\r")
    kept = [f"#{comment}{cr}"] if comment else []
    lines[index : index + 1] = kept + [line + cr for line in payload]
    data = bom + "\n".join(lines).encode("utf-8")
    if not data.endswith(b"\n"):
        data += cr.encode() + b"\n"
    mode = path.stat().st_mode & 0o7777
    fd, temp_name = tempfile.mkstemp(prefix=".actuals.yaml.", suffix=".tmp", dir=path.parent)
    try:
        try:
            _write_all_once(fd, data)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _empty_list_line(doc: LogDocument | None) -> int | None:
    """The 0-based line of the ``[]`` in a log that holds nothing else but comments."""
    if doc is None or doc.data != [] or doc.fast_entry_lines:
        return None
    content = [
        i for i, line in enumerate(doc.lines) if line.strip() and not line.lstrip().startswith("#")
    ]
    if len(content) == 1 and _EMPTY_LIST_LINE.fullmatch(doc.lines[content[0]]):
        return content[0]
    return None


def _starts_with_flow_list(doc: LogDocument) -> bool:
    for line in doc.lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            return stripped.startswith("[")
    return False


def append_entries(
    data_dir: Path | str,
    make_entries: Callable[[Plan], list[Actual]],
    *,
    today: date,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
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

    Returns:
        The plan as loaded, the entries appended and their lines.

    Raises:
        DataNotValid: the data already has problems (run ``lsc check``).
        LogNotWritable: the lock or the write failed; the log is unchanged.
        LscError: whatever ``make_entries`` refuses.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        reason = "is not a directory" if data_dir.exists() else "does not exist"
        raise LscError(f"data directory {data_dir} {reason}")
    if dry_run:
        return _check_and_append(data_dir, make_entries, today=today, write=False)
    with locked(data_dir, timeout=lock_timeout):
        return _check_and_append(data_dir, make_entries, today=today, write=True)


def _check_and_append(
    data_dir: Path,
    make_entries: Callable[[Plan], list[Actual]],
    *,
    today: date,
    write: bool,
) -> Appended:
    path = data_dir / ACTUALS_FILE
    if write:  # holding the exclusive lock: first clear up after a writer killed mid-append
        try:
            _roll_back_unfinished(data_dir, Path(os.path.realpath(path)))
        except OSError as error:
            reason = error.strerror or str(error)
            shown = display_path(data_dir, ACTUALS_FILE)
            raise LogNotWritable(f"cannot write {shown}: {reason}; nothing was recorded") from None
    plan, problems = load(data_dir, today=today, lock=not write)
    if problems:
        raise DataNotValid(problems)
    shown = display_path(data_dir, ACTUALS_FILE)
    doc = plan.documents.get("actuals")
    log = doc if isinstance(doc, LogDocument) else None
    if log is not None and log.data and not log.fast_entry_lines and _starts_with_flow_list(log):
        raise LscError(
            f"{shown} holds its entries as one '[...]' list, which cannot be appended to: "
            "write them as '- ' entries, one per line, then record again"
        )
    entries = make_entries(plan)
    lines = [entry_line(entry) for entry in entries]
    _verify(lines, entries, shown)
    if not write or not entries:
        return Appended(plan, entries, lines, written=False)
    newline = "\r\n" if log is not None and log.lines and log.lines[0].endswith("\r") else "\n"
    try:
        empty_line = _empty_list_line(log)
        real_path = Path(os.path.realpath(path))
        for stale in real_path.parent.glob(".actuals.yaml.*.tmp"):  # left by a killed rewrite
            stale.unlink(missing_ok=True)
        if log is None:
            _create(real_path, lines, data_dir / LOCK_FILE)
        elif empty_line is not None:
            _replace_empty_list(real_path, lines, empty_line)
        else:
            _append_to(real_path, lines, newline, data_dir / LOCK_FILE)
    except OSError as error:
        reason = error.strerror or str(error)
        raise LogNotWritable(f"cannot write {shown}: {reason}; nothing was recorded") from None
    return Appended(plan, entries, lines, written=True)
