"""Appending to one of a data directory's logs, checked against the plan: the one way in for
every log (`actuals`, `update_log`), so each has the same guarantees.

`append_checked` takes the log's exclusive lock (so concurrent writers queue up and their
checks cannot race), takes back the end of an append stopped mid-write, loads and checks the
whole data directory inside the lock, refuses to append to data with any problem, builds the
new entries against the plan as loaded, checks that their lines read back as those entries,
and appends them in one write (`applog.append`). A refusal writes nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar, cast

from .applog.append import (
    RolledBack,
    checked_text,
    how_to_write,
    newline_of,
    roll_back_unfinished,
    seen_state,
    write_lines,
)
from .applog.lock import LOCK_TIMEOUT, LockFile, LogNotWritable, locked
from .applog.parse import LogDocument, parse_log
from .applog.spec import LogSpec
from .checks import unsettled_duplicates
from .files import MAX_LOG_BYTES, display_path, regular_file_problem
from .filesystems import shared_drive_warning
from .loader import load
from .models import Actual
from .plan import Plan
from .problems import DataError, LscError, Problem

Entry = TypeVar("Entry")


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
class LogKind(Generic[Entry]):
    """What a log's writer needs to know of it: its `LogSpec`, its key in `Plan.documents`,
    one entry as a line, and an entry as its log reads it back (to compare with)."""

    spec: LogSpec
    kind: str
    line: Callable[[Entry], str]
    read_back: Callable[[dict[str, object]], Entry]
    needs_actuals: bool = True  # False: the plan is loaded without the actuals log


@dataclass(frozen=True)
class Written(Generic[Entry]):
    """What `append_checked` did: the plan as it was, and the entries added to the log."""

    plan: Plan
    entries: list[Entry]
    lines: list[str]
    written: bool
    rolled_back: RolledBack | None = None


def _tell_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def verify_lines(log: LogKind[Entry], lines: list[str], entries: list[Entry], shown: str) -> None:
    """Refuse to write lines that the loader would not read back as exactly these entries."""
    doc = parse_log("\n".join(lines), shown)
    read_back: list[Entry] = []
    if not doc.problems and isinstance(doc.data, list) and len(doc.data) == len(entries):
        try:
            read_back = [log.read_back(item) for item in doc.data]
        except ValueError:
            read_back = []
    if read_back != list(entries):
        raise LscError("internal error: an entry would not read back as written; nothing written")


def append_checked(
    log: LogKind[Entry],
    data_dir: Path | str,
    make_entries: Callable[[Plan], list[Entry]],
    *,
    today: date,
    dry_run: bool = False,
    lock_timeout: float = LOCK_TIMEOUT,
    notify: Callable[[str], None] = _tell_stderr,
) -> Written[Entry]:
    """Check the data, build entries against it, and append them to the log in one write
    (see `actuals.append_entries`, whose arguments these are, for the whole contract)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        reason = "is not a directory" if data_dir.exists() else "does not exist"
        raise LscError(f"data directory {data_dir} {reason}")
    _refuse_a_log_that_is_not_a_file(log.spec, data_dir)
    if not dry_run and (warning := shared_drive_warning(data_dir)):
        notify(f"warning: {warning}")
    if dry_run:
        return _check_and_append(log, data_dir, make_entries, today=today, lock=None)
    with locked(log.spec, data_dir, timeout=lock_timeout) as lock:
        return _check_and_append(log, data_dir, make_entries, today=today, lock=lock, notify=notify)


def _refuse_a_log_that_is_not_a_file(spec: LogSpec, data_dir: Path) -> None:
    """A log that is a named pipe, a device (a link to /dev/zero) or too big is refused as
    the loader reports it, before the lock file is made beside it (in /dev, say). A missing
    log is fine (it is created); a broken link is reported by the loader."""
    shown = display_path(data_dir, spec.file)
    path = data_dir / spec.file
    problem = regular_file_problem(path, shown, limit=MAX_LOG_BYTES, expected="a YAML file")
    if problem is not None and problem.rule != "file-missing":
        raise DataNotValid([problem])


def _check_and_append(
    log: LogKind[Entry],
    data_dir: Path,
    make_entries: Callable[[Plan], list[Entry]],
    *,
    today: date,
    lock: LockFile | None,
    notify: Callable[[str], None] = _tell_stderr,
) -> Written[Entry]:
    """`append_checked` once the exclusive lock is held (``lock``), or for a dry run
    (None: nothing is written)."""
    spec = log.spec
    path = data_dir / spec.file
    shown = display_path(data_dir, spec.file)
    real_path = Path(os.path.realpath(path))
    rolled_back = None
    if lock is not None:  # first clear up after a writer killed mid-append
        try:
            rolled_back = roll_back_unfinished(spec, data_dir, lock, real_path)
        except OSError as error:
            reason = error.strerror or str(error)
            raise LogNotWritable(
                f"cannot take back the unfinished end of an earlier append to {shown}: "
                f"{reason}; nothing was recorded"
            ) from None
        if rolled_back is not None:
            notify(rolled_back.message)
    seen = seen_state(real_path) if lock is not None else None
    plan, problems = load(
        data_dir, today=today, lock=lock is None, held=spec, actuals=log.needs_actuals
    )
    settling = log.kind == "actuals" and all(p.rule == "duplicate-actual" for p in problems)
    if problems and not settling:
        raise DataNotValid(problems)
    doc = plan.documents.get(log.kind)
    document = doc if isinstance(doc, LogDocument) else None
    how = how_to_write(document, shown)
    entries = make_entries(plan)
    if problems and unsettled_duplicates([*plan.actuals, *cast("list[Actual]", entries)]):
        # a duplicate (two clones merged) blocks every write but the one that settles it:
        # a --replace or --void for its metric, place and date
        raise DataNotValid(problems)
    lines = [log.line(entry) for entry in entries]
    verify_lines(log, lines, entries, shown)
    newline = newline_of(document)
    new_text = checked_text(document, how, lines, newline, shown)
    if lock is None or not entries:
        return Written(plan, entries, lines, written=False, rolled_back=rolled_back)
    write_lines(
        spec,
        real_path,
        how,
        lines,
        newline=newline,
        new_text=new_text,
        lock=lock,
        seen=seen,
        shown=shown,
    )
    return Written(plan, entries, lines, written=True, rolled_back=rolled_back)
