"""``lsc history`` in the terminal: a metric's log entries as a rich table.

Every cell is user text shown as typed (a note ``[red]`` is not markup) with control
characters made visible; the recorded time is shown in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..words import PROVISIONAL_MARK, visible

if TYPE_CHECKING:
    from ..recording import HistoryRow


def recorded_utc(when: datetime | None) -> str:
    """When an entry was recorded, in UTC to the minute; a time whose UTC date would fall
    outside the calendar (0001-01-01T00:00+14:00) as written."""
    if when is None:
        return ""
    try:
        when = when.astimezone(UTC) if when.tzinfo is not None else when
    except OverflowError:
        return when.isoformat(" ", "minutes")
    return when.replace(tzinfo=None).isoformat(" ", "minutes")


def _marks(row: HistoryRow) -> str:
    """What became of an entry: replaces, superseded, void, voided by whom and why."""
    marks = []
    if row.actual.replaces or row.replaced_line:
        marks.append(f"replaces line {row.replaced_line}" if row.replaced_line else "replaces")
    if row.superseded:
        marks.append(f"superseded by line {row.superseded_line}")
    if row.actual.void:
        marks.append("void")
    void = row.voided_by
    if void is not None:  # who and why are on the void's own row, at that line
        marks.append(f"voided by {void.by or 'unknown'} (line {row.void_line})")
    return ", ".join(marks)


def render_history_table(console: Console, rows: list[HistoryRow]) -> None:
    """Print the entries (`recording.history`), superseded and voided ones dimmed and marked,
    with the period each is for when the metric has a cadence."""
    with_place = any(row.actual.place for row in rows)
    with_period = any(row.period for row in rows)
    with_source = any(row.actual.source for row in rows)
    place = ["place"] if with_place else []
    period = ["for"] if with_period else []
    source = ["source"] if with_source else []
    names = ["line", "date", *period, *place, "value", "by", "recorded (UTC)", *source, "note", ""]
    lines = []
    for row in rows:
        item = row.as_dict()
        cells = [str(item["line"]), item["date"], *([item["period"] or ""] if with_period else [])]
        cells += [item["place"] or ""] if with_place else []
        recorded = recorded_utc(row.actual.recorded)
        value = "void" if row.actual.void else str(item["value"])
        if row.actual.provisional:
            value += f" {PROVISIONAL_MARK}"
        cells += [value, item["by"] or "", recorded]
        cells += [item["source"] or ""] if with_source else []
        cells += [item["note"] or ""]
        lines.append([visible(cell) for cell in [*cells, _marks(row)]])
    styles = ["dim" if row.superseded or row.voided_by is not None else None for row in rows]
    if not columns_fit(names, lines, console.width, _WHOLE):
        _print_stacked(console, names, lines, styles)
        return
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in names:
        right = name in ("line", "value")
        wraps = name not in _WHOLE
        table.add_column(
            name,
            justify="right" if right else "left",
            no_wrap=not wraps,
            overflow="fold" if wraps else "ellipsis",
        )
    for cells, style in zip(lines, styles, strict=True):
        # Text: a note like "[red]" is shown as typed, not taken as markup
        table.add_row(*(Text(cell) for cell in cells), style=style)
    console.print(table)


_WHOLE = frozenset({"line", "date", "for", "place", "value", "recorded (UTC)"})
"""Columns never wrapped (numbers, dates, a place's id); the others wrap at spaces."""
_WRAP_MIN = 12
"""The narrowest a wrapping column (who, source, note) is drawn."""


def columns_fit(
    names: list[str], lines: list[list[str]], width: int, whole: frozenset[str]
) -> bool:
    """Whether every column fits in ``width``: the ``whole`` ones (never wrapped) at their
    widest cell, the others at `_WRAP_MIN` (or less when all their cells are shorter), two
    cells apart."""
    needed = 0
    for k, name in enumerate(names):
        widest = max([len(name), *(len(cells[k]) for cells in lines)])
        needed += widest if name in whole else min(widest, _WRAP_MIN)
    return needed + 2 * (len(names) - 1) <= width


def _print_stacked(
    console: Console, names: list[str], lines: list[list[str]], styles: list[str | None]
) -> None:
    """The narrow layout: per entry, "line 3  2020-04-30" then a ``name: value`` line for
    each other field it has, indented (what became of it, unlabelled, last)."""
    for cells, style in zip(lines, styles, strict=True):
        console.print()
        head = Text(f"line {cells[0]}  {cells[1]}", style=style or "bold")
        console.print(head, no_wrap=True, overflow="ignore", crop=False)
        for name, cell in zip(names[2:], cells[2:], strict=True):
            if cell:
                text = Text(f"{name}: " if name else "", style=style or "").append(cell)
                console.print(Padding(text, (0, 0, 0, 2), expand=False))
