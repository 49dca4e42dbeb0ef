"""A metric's owner updates, for ``lsc history``: a rich table beside the entries, or JSON/CSV
(``--updates``). User text is shown as typed (never markup), control characters visible."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..updates import Update
from ..words import STATUS_WORDS, visible
from .history_table import recorded_utc
from .status_files import spreadsheet_safe

COLUMNS = ("date", "place", "rag", "note", "action", "recovery", "by", "recorded")


def update_dict(update: Update) -> dict[str, str | None]:
    """One update as JSON and CSV show it, every field (null when not given)."""
    return {
        "metric": update.metric,
        "place": update.place,
        **update.as_dict(),
        "recorded": (
            update.recorded.isoformat().replace("+00:00", "Z") if update.recorded else None
        ),
    }


def updates_json(updates: Sequence[Update]) -> str:
    """The updates as a JSON list, in log order."""
    return json.dumps([update_dict(u) for u in updates], indent=2, ensure_ascii=False)


def _cell(value: str | None) -> str:
    return "" if value is None else spreadsheet_safe(value)


def updates_csv(updates: Sequence[Update]) -> str:
    """The updates as CSV; text a spreadsheet would run as a formula gets a leading '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = ["metric", *COLUMNS]
    writer.writerow(columns)
    for update in updates:
        item = update_dict(update)
        writer.writerow([_cell(item[c]) for c in columns])
    return out.getvalue()


def render_updates_table(console: Console, updates: Sequence[Update]) -> None:
    """Print the owner updates under a heading, oldest first, ratings in words."""
    with_place = any(u.place for u in updates)
    table = Table(box=None, header_style="bold", pad_edge=False, title_justify="left")
    names = ["date", *(["place"] if with_place else []), "rating", "by", "recorded (UTC)"]
    for name in names:
        table.add_column(name, no_wrap=True)
    for name in ("note", "action", "recovery"):
        table.add_column(name, overflow="fold")
    for update in updates:
        cells = [update.date.isoformat(), *([update.place or "(all)"] if with_place else [])]
        cells += [STATUS_WORDS[update.rag].label, update.by or "", recorded_utc(update.recorded)]
        recovery = update.recovery.isoformat() if update.recovery else ""
        cells += [update.note, update.action or "", recovery]
        table.add_row(*(Text(visible(cell)) for cell in cells))
    console.print(Text("owner updates", style="bold"))
    console.print(table)
