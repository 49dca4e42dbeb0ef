"""Reading the log for loading: under its shared lock, without an unfinished append.

The log is read under a shared lock, and without the part of an append that a writer was
stopped in the middle of (`applog.journal`), which is then a problem of its own: readers
never leave bytes out silently. A last entry cut off by a crash is said so plainly
(`truncation_hint`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..files import MAX_LOG_BYTES, decode_utf8, read_problem, read_regular
from ..problems import Problem, Source
from ..yamlsource import Document
from .journal import Note, birth_time, reader_of_bytes, unfinished_offset
from .lock import lock_path_for, shared_log_lock
from .parse import LogDocument
from .spec import LogSpec


@dataclass
class LogText:
    """The log as read for loading: its text (None if it cannot be read), and the problems
    found while reading it (an unfinished append left at its end, bytes that are not UTF-8)."""

    text: str | None
    problems: list[Problem] = field(default_factory=list)


def read_log(spec: LogSpec, path: Path, shown: str, *, lock: bool = True) -> LogText:
    """Read the log, under its shared lock unless the caller holds the exclusive one.

    In a fresh clone there is no lock file (git ignores it) until the first writer creates
    it: a reader that found none reads without a lock, then looks again; if the lock file
    has appeared meanwhile, a writer may have been appending while it read, so it reads again
    under the lock. (A writer creates the lock file before it writes a byte, so a lock file
    still missing after the read proves no append overlapped it; and readers never create
    files, so ``lsc check`` changes nothing.)
    """
    if not lock:
        return _log_text(spec, path, shown, None)
    lock_path = lock_path_for(path, spec)
    with shared_log_lock(lock_path) as journal:
        result = _log_text(spec, path, shown, journal.note)
    if not journal.found and os.path.lexists(lock_path):
        with shared_log_lock(lock_path) as journal:
            result = _log_text(spec, path, shown, journal.note)
    return result


def _log_text(spec: LogSpec, path: Path, shown: str, note: Note | None) -> LogText:
    try:
        file = read_regular(path, MAX_LOG_BYTES)
    except OSError as error:
        return LogText(None, [read_problem(error, shown, "a YAML file")])
    raw, problems = file.raw, []
    offset = unfinished_offset(
        note, len(raw), file.identity, reader_of_bytes(raw), lambda: birth_time(path=path)
    )
    if offset is not None:
        problems.append(_unfinished_append(spec, raw, offset, shown, path))
        raw = raw[:offset]
    text, problem, cut_inside_character = decode_utf8(raw, shown)
    if problem is not None:
        if cut_inside_character and _last_line(raw).lstrip().startswith(b"-"):
            problems.append(cut_off(Source(shown, problem.source.line, 1)))
        problems.append(problem)
    return LogText(text, problems)


def _last_line(raw: bytes) -> bytes:
    return raw[raw.rfind(b"\n") + 1 :]


def _unfinished_append(spec: LogSpec, raw: bytes, offset: int, shown: str, path: Path) -> Problem:
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
    lock = lock_path_for(path, spec)
    in_data_dir = lock.parent == Path(os.path.realpath(path.parent))
    lock_shown = str(Path(shown).with_name(spec.lock)) if in_data_dir else str(lock)
    message = (
        f"the log from here to its end ({len(raw) - offset:,} bytes) is part of an append that "
        "was stopped before it finished (a writer killed, a power cut?), so it is not counted: "
        "the next 'lsc record' or 'lsc import' takes it back, keeping a copy beside the log "
        f"({spec.rolled_back_prefix}*); if these lines are meant to be there, "
        f"empty {lock_shown} instead"
    )
    return Problem(Source(shown, line, column), message, "log-unfinished-append")


_CUT_OFF = (
    "the last entry is incomplete (cut off by a crash?): delete or repair this line, "
    "then record that value again"
)


def cut_off(where: Source) -> Problem:
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
        return [cut_off(Source(doc.path, last_line, 1))]
    if last_text.endswith(":") and any(p.source.line == last_line for p in problems):
        return [cut_off(Source(doc.path, last_line, 1))]  # cut after a key: YAML reads null
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
    return [cut_off(Source(doc.path, last_line, 1))]
