"""Writing owner updates: the only writer of ``updates.yaml``, by the actuals log's protocol.

`append_update` is `logwriter.append_checked` for the updates log: the log's exclusive lock,
an unfinished append taken back, the data loaded and checked inside the lock (the actuals
log left unread, so this writer never waits on that log's lock while holding its own), the
update checked against the plan, its line checked to read back, one write and ``fsync``.
A refusal leaves every file byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from .applog.format import format_line
from .logwriter import LogKind, Written, append_checked
from .plan import UPDATES, Plan
from .updates import Update, UpdateEntry, update_fields


def update_line(update: Update) -> str:
    """The one line `lsc update` writes for an update, without its line break."""
    return format_line(update_fields(update))


def _read_back(item: dict[str, object]) -> Update:
    return UpdateEntry.model_validate(item).to_update()


UPDATES_LOG: LogKind[Update] = LogKind(
    UPDATES, "updates", update_line, _read_back, needs_actuals=False
)


def append_update(
    data_dir: Path | str,
    make_entries: Callable[[Plan], list[Update]],
    *,
    today: date,
    notify: Callable[[str], None] | None = None,
) -> Written[Update]:
    """Check the data, build the update against it and append it (see `append_checked`)."""
    if notify is None:
        return append_checked(UPDATES_LOG, data_dir, make_entries, today=today)
    return append_checked(UPDATES_LOG, data_dir, make_entries, today=today, notify=notify)
