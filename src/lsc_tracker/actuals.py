"""Recording actuals: the only writer of ``actuals.yaml``, which nothing may ever lose.

`append_entries` takes the log's exclusive lock (so concurrent ``lsc record`` processes
queue up and their duplicate checks cannot race), takes back the end of an append stopped
mid-write, loads and checks the whole data directory inside the lock, refuses to append to
data with any problem, builds the new entries against the plan as loaded, and appends them
in one write (`applog.append`). This module holds what is specific to actuals: the
`Actual` as a log line (`entry_line`); the checked append is `logwriter`'s (shared with the
owner updates log), the protocol `applog`'s.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

from .applog.append import RolledBack
from .applog.format import format_line
from .applog.lock import LOCK_TIMEOUT
from .logwriter import DataNotValid, LogKind, append_checked
from .models import Actual, ActualEntry
from .plan import ACTUALS, Plan, counted_actuals

__all__ = ["Appended", "DataNotValid", "append_entries", "entry_fields", "entry_line"]


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

    Always in the order metric, date, value, place, note, by, recorded, replaces, void,
    provisional, source (a void entry has no value; a final figure no ``provisional``).
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
    if actual.provisional:
        fields["provisional"] = True
    if actual.source is not None:
        fields["source"] = actual.source
    return fields


def entry_line(actual: Actual) -> str:
    """The one line `record` writes for an entry, without its line break.

    Example: ``- {"metric": "ooa-placements", "date": "2020-06-30", "value": 42}``.
    """
    return format_line(entry_fields(actual))


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
    done = append_checked(
        ACTUALS_LOG,
        data_dir,
        make_entries,
        today=today,
        dry_run=dry_run,
        lock_timeout=lock_timeout,
        notify=notify,
    )
    return Appended(done.plan, done.entries, done.lines, done.written, done.rolled_back)


def _read_back(item: dict[str, object]) -> Actual:
    return ActualEntry.model_validate(item).to_actual()


ACTUALS_LOG: LogKind[Actual] = LogKind(
    ACTUALS, "actuals", lambda actual: entry_line(actual), _read_back
)
"""The actuals log as `logwriter` writes it (``entry_line`` looked up when called)."""
