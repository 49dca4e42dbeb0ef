"""A metric's owner updates, for ``lsc history``: a rich table beside the entries, or JSON/CSV
(``--updates``). User text is shown as typed (never markup), control characters visible."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..updates import Update
from ..words import STATUS_WORDS, visible
from .history_table import columns_fit, recorded_utc
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
    """Print the owner updates under a heading, oldest first, ratings in words; when the
    columns do not fit the terminal, a block per update (its date, then ``name: value``)."""
    with_place = any(u.place for u in updates)
    names = ["date", *(["place"] if with_place else []), "rating", "by", "recorded (UTC)"]
    names += ["note", "action", "recovery"]
    lines = []
    for update in updates:
        cells = [update.date.isoformat(), *([update.place or "(all)"] if with_place else [])]
        cells += [STATUS_WORDS[update.rag].label, update.by or "", recorded_utc(update.recorded)]
        recovery = update.recovery.isoformat() if update.recovery else ""
        cells += [update.note, update.action or "", recovery]
        lines.append([visible(cell) for cell in cells])
    console.print(Text("owner updates", style="bold"))
    if not columns_fit(names, lines, console.width, _WHOLE):
        for cells in lines:
            console.print(Text(cells[0], style="bold"))
            for name, cell in zip(names[1:], cells[1:], strict=True):
                if cell:
                    text = Text(f"{name}: ").append(cell)
                    console.print(Padding(text, (0, 0, 0, 2), expand=False))
        return
    table = Table(box=None, header_style="bold", pad_edge=False, title_justify="left")
    for name in names:
        if name in _WHOLE:
            table.add_column(name, no_wrap=True)
        else:
            table.add_column(name, overflow="fold")
    for cells in lines:
        table.add_row(*(Text(cell) for cell in cells))
    console.print(table)


_WHOLE = frozenset({"date", "place", "rating", "recorded (UTC)", "recovery"})
"""Columns never wrapped; who, the note and the action wrap at spaces."""
