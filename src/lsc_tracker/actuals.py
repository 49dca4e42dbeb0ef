"""Recording actuals: the only writer of ``actuals.yaml``, which nothing may ever lose.

`append_entries` takes the log's exclusive lock (so concurrent ``lsc record`` processes
queue up and their duplicate checks cannot race), takes back the end of an append stopped
mid-write, loads and checks the whole data directory inside the lock, refuses to append to
data with any problem, builds the new entries against the plan as loaded, and appends them
in one write (`applog.append`). This module holds what is specific to actuals: the
`Actual` as a log line (`entry_line`) and the plan checks; the protocol is `applog`'s.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

from .applog.append import (
    RolledBack,
    checked_text,
    how_to_write,
    newline_of,
    roll_back_unfinished,
    seen_state,
    write_lines,
)
from .applog.format import format_line
from .applog.lock import LOCK_TIMEOUT, LockFile, LogNotWritable, locked
from .applog.parse import LogDocument, parse_log
from .files import MAX_LOG_BYTES, display_path, regular_file_problem
from .loader import load
from .models import Actual, ActualEntry
from .plan import ACTUALS, Plan, counted_actuals
from .problems import DataError, LscError, Problem


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
        """The entries of the log that count after the append, in log order (`counted_actuals`:
        no voids, nothing a void withdrew)."""
        return counted_actuals([*self.plan.actuals, *self.entries])


def entry_fields(actual: Actual) -> dict[str, str | float | bool]:
    """An entry's fields as written, leaving out the empty ones.

    Always in the order metric, date, value, place, note, by, recorded, replaces, void (a void
    entry has no value).
    """
    fields: dict[str, str | float | bool] = {
        "metric": actual.metric,
        "date": actual.date.isoformat(),
    }
    if not actual.void:
        fields["value"] = actual.value
    for name in ("place", "note", "by"):
        text = getattr(actual, name)
        if text is not None:
            fields[name] = text
    if actual.recorded is not None:
        fields["recorded"] = actual.recorded.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if actual.replaces:
        fields["replaces"] = True
    if actual.void:
        fields["void"] = True
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
    with locked(ACTUALS, data_dir, timeout=lock_timeout) as lock:
        return _check_and_append(data_dir, make_entries, today=today, lock=lock, notify=notify)


def _refuse_a_log_that_is_not_a_file(data_dir: Path) -> None:
    """A log that is a named pipe, a device (a link to /dev/zero) or too big is refused as
    the loader reports it, before the lock file is made beside it (in /dev, say). A missing
    log is fine (it is created); a broken link is reported by the loader."""
    shown = display_path(data_dir, ACTUALS.file)
    path = data_dir / ACTUALS.file
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
    path = data_dir / ACTUALS.file
    shown = display_path(data_dir, ACTUALS.file)
    real_path = Path(os.path.realpath(path))
    rolled_back = None
    if lock is not None:  # first clear up after a writer killed mid-append
        try:
            rolled_back = roll_back_unfinished(ACTUALS, data_dir, lock, real_path)
        except OSError as error:
            reason = error.strerror or str(error)
            raise LogNotWritable(
                f"cannot take back the unfinished end of an earlier append to {shown}: "
                f"{reason}; nothing was recorded"
            ) from None
        if rolled_back is not None:
            notify(rolled_back.message)
    seen = seen_state(real_path) if lock is not None else None
    plan, problems = load(data_dir, today=today, lock=lock is None)
    if problems:
        raise DataNotValid(problems)
    doc = plan.documents.get("actuals")
    log = doc if isinstance(doc, LogDocument) else None
    how = how_to_write(log, shown)
    entries = make_entries(plan)
    lines = [entry_line(entry) for entry in entries]
    _verify(lines, entries, shown)
    newline = newline_of(log)
    new_text = checked_text(log, how, lines, newline, shown)
    if lock is None or not entries:
        return Appended(plan, entries, lines, written=False, rolled_back=rolled_back)
    write_lines(
        ACTUALS,
        real_path,
        how,
        lines,
        newline=newline,
        new_text=new_text,
        lock=lock,
        seen=seen,
        shown=shown,
    )
    return Appended(plan, entries, lines, written=True, rolled_back=rolled_back)
