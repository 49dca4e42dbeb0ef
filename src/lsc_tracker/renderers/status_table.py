"""``lsc status``'s table in the terminal: per priority, a heading and a rich table.

Colour only on a terminal, and never when NO_COLOR is set (rich reads it); every status is
also a word (`words.status_label`), so the table reads the same in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from rich import box
from rich.table import Table
from rich.text import Text

from ..status import StatusReport
from ..words import EASED_STYLE, PLAN_LINE, TREND_MISSES, days_left, format_cell, spc_short, visible
from .rich_text import PipeConsole, status_cell
from .status_rows import Row, sections, summary_lines


def render_table(
    report: StatusReport,
    out: TextIO,
    *,
    width: int | None = None,
    no_color: bool | None = None,
    force_terminal: bool | None = None,
) -> None:
    """Per priority, a heading with its roll-up, then a rich table of its metrics and places.

    Every section
    has the same fixed columns, so they line up down the page.
    """
    console = PipeConsole(
        file=out,
        width=width,
        no_color=no_color,
        force_terminal=force_terminal,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(Text(f"Status as of {report.as_of}", style="bold"))
    shown = sections(report)
    if not shown:
        console.print("No metrics to show.")
    columns = _table_columns([row for section in shown for row in section.rows])
    for section in shown:
        console.print()
        console.print(Text(visible(section.heading), style="bold"))
        heading = status_cell(section.status)
        heading.append(f": {section.counts_line}", style="")
        if section.owner:
            heading.append(visible(f"; owner: {section.owner}"), style="")
        console.print(heading)
        table = _new_table(columns)
        for row in section.rows:
            cells = _table_cells(row)
            table.add_row(*(cells[name] for name in columns))
        console.print(table)
    console.print()
    for line in summary_lines(report):
        console.print(visible(line))


# Column: (heading, options). Latest, Target and Days are narrow two-line cells (value over
# date, "2,436" over "past"), so that on an 80-column terminal the metric's name has room.
_TABLE_COLUMNS: dict[str, dict[str, Any]] = {
    "status": {"header": "Status", "width": 11},
    "metric": {"header": "Metric", "ratio": 1, "min_width": 24},
    "latest": {"header": "Latest", "justify": "right", "min_width": 10},
    "expected": {"header": PLAN_LINE.capitalize(), "justify": "right", "min_width": 9},
    "target": {"header": "Target", "justify": "right", "min_width": 10, "max_width": 10},
    "days": {"header": "Days", "justify": "right", "min_width": 6},
    "spc": {"header": "SPC", "min_width": 12, "max_width": 12},
}


def _table_columns(all_rows: Sequence[Row]) -> list[str]:
    """Every column, less Expected and SPC when no row in the whole report has one (a plan
    with no actuals yet): the same columns in every section, so they line up down the page."""
    columns = list(_TABLE_COLUMNS)
    if all(row.expected is None for row in all_rows):
        columns.remove("expected")
    if all(row.spc_variation is None and row.spc_assurance is None for row in all_rows):
        columns.remove("spc")
    return columns


def _new_table(columns: Sequence[str]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.padding = (0, 0, 0, 0)
    for name in columns:
        options = dict(_TABLE_COLUMNS[name])
        table.add_column(options.pop("header"), **options)
    return table


def _table_cells(row: Row) -> dict[str, Text | str]:
    """One row's cells. Under the metric's name (or place): what is missing, a standing
    target's record, the stages, the revisions in force (an eased one in `EASED_STYLE`)
    and a withdrawal, one line each, dim."""
    if row.place is None:
        metric = Text(visible(row.name), overflow="fold")
        metric.append(f"\n{row.metric}", style="dim")
    else:
        metric = Text(f"  ↳ {visible(row.place)}", overflow="fold")
    for note in row.notes:
        style = EASED_STYLE if note == row.revisions and row.eased else "dim"
        metric.append("\n" + visible(note), style=style)
    markers = [name for name, flag in (("late", row.late), ("stale", row.stale)) if flag]
    if row.mismatch:
        markers.append(row.mismatch_text)
    if row.trend_misses:
        markers.append(TREND_MISSES)
    if row.place is None and row.revised and row.withdrawn_reason is None:
        markers.append("eased" if row.eased else "revised")
    latest = format_cell(row.latest_value, row.unit)
    target = row.target_text
    deadline = row.deadline_text
    spc = (spc_short(row.spc_variation), spc_short(row.spc_assurance))
    return {
        "status": status_cell(row.status, *markers),
        "metric": metric,
        "latest": f"{latest}\n{row.latest_date}" if row.latest_date else latest,
        "expected": format_cell(row.expected, row.unit),
        "target": f"{target}\n{deadline}" if deadline else target,
        "days": days_left(row.days_to_deadline, row.status, short=True).replace(" ", "\n", 1),
        "spc": "\n".join(text for text in spc if text),
    }
