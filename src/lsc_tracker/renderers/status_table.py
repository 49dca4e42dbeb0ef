"""``lsc status``'s table in the terminal: per priority, a heading and a rich table.

Colour only on a terminal, and never when NO_COLOR is set (rich reads it); every status is
also a word (`words.status_label`), so the table reads the same in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from rich import box
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..status import StatusReport
from ..words import (
    EASED_STYLE,
    MOVEMENT_WORDS,
    PLAN_LINE,
    TREND_MISSES,
    days_left,
    format_cell,
    spc_short,
    visible,
)
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

    Every section has the same columns at the same widths, so they line up down the page.
    A metric's id is never split: the Metric column is at least as wide as the longest id
    (and place) shown; when the width (the terminal's, COLUMNS, else 80) leaves it less
    room than that, each metric is a block of ``label: value`` lines instead (`_print_stacked`).
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
    all_rows = [row for section in shown for row in section.rows]
    columns = _table_columns(all_rows)
    cells = [_table_cells(row) for row in all_rows]
    widths = _column_widths(columns, all_rows, cells, console.width)
    found = iter(cells)
    for section in shown:
        console.print()
        console.print(Text(visible(section.heading), style="bold"))
        heading = status_cell(section.status)
        heading.append(f": {section.counts_line}", style="")
        if section.owner:
            heading.append(visible(f"; owner: {section.owner}"), style="")
        console.print(heading)
        section_cells = [next(found) for _ in section.rows]
        if widths is None:
            _print_stacked(console, columns, section.rows, section_cells)
            continue
        table = _new_table(columns, widths)
        for row_cells in section_cells:
            table.add_row(*(row_cells[name] for name in columns))
        console.print(table)
    console.print()
    for line in summary_lines(report):
        console.print(visible(line))


# Column: (heading, options). Latest, Target and Days are narrow two-line cells (value over
# date, "2,436" over "past"), so that on an 80-column terminal the metric's name has room.
# Every column but Metric is as wide as its widest cell line (within min_width and
# max_width); Metric takes the rest (`_column_widths`). "stacked" joins a cell's lines in
# the stacked layout (default ", ").
_TABLE_COLUMNS: dict[str, dict[str, Any]] = {
    "status": {"header": "Status", "width": 11},
    "was": {"header": "Was", "max_width": 11},  # --since: the status then, and its movement
    "metric": {"header": "Metric"},
    "latest": {"header": "Latest", "justify": "right", "stacked": " on "},
    "expected": {"header": PLAN_LINE.capitalize(), "justify": "right"},
    "target": {"header": "Target", "justify": "right", "max_width": 10, "stacked": " by "},
    "days": {"header": "Days", "justify": "right", "min_width": 5, "stacked": " "},
    "spc": {"header": "SPC", "max_width": 12},
}

METRIC_MIN_WIDTH = 20
"""The narrowest Metric column the table is drawn with (a name wrapped to fewer characters
a line is hard to read); it is also never narrower than the longest id or place shown."""


def _table_columns(all_rows: Sequence[Row]) -> list[str]:
    """Every column, less Expected and SPC when no row in the whole report has one (a plan
    with no actuals yet): the same columns in every section, so they line up down the page."""
    columns = list(_TABLE_COLUMNS)
    if all(row.expected is None for row in all_rows):
        columns.remove("expected")
    if all(
        row.spc_variation is None and row.spc_assurance is None and not row.spc_note
        for row in all_rows
    ):
        columns.remove("spc")
    if all(not row.was_text for row in all_rows):
        columns.remove("was")
    return columns


def _cell_width(cell: Text | str) -> int:
    """The widest line of a cell, in terminal cells."""
    text = cell if isinstance(cell, Text) else Text(cell)
    return max((line.cell_len for line in text.split("\n")), default=0)


def _column_widths(
    columns: Sequence[str], rows: Sequence[Row], cells: Sequence[dict[str, Text | str]], width: int
) -> dict[str, int] | None:
    """Each column's width for a table ``width`` cells wide, or None when the Metric column
    would be left narrower than `METRIC_MIN_WIDTH` or than the longest id or place shown
    (then the stacked layout is used: an id is never split)."""
    widths: dict[str, int] = {}
    for name in columns:
        if name == "metric":
            continue
        spec = _TABLE_COLUMNS[name]
        if "width" in spec:
            widths[name] = spec["width"]
            continue
        natural = max([len(spec["header"]), *(_cell_width(row[name]) for row in cells)])
        natural = max(natural, spec.get("min_width", 0))
        widths[name] = min(natural, spec.get("max_width", natural))
    ids = [len(row.metric) for row in rows] + [
        4 + len(visible(row.place)) for row in rows if row.place
    ]
    needed = max([METRIC_MIN_WIDTH, *ids])
    left = width - sum(widths.values()) - (len(columns) - 1)  # one space between columns
    if left < needed:
        return None
    return {name: left if name == "metric" else widths[name] for name in columns}


def _new_table(columns: Sequence[str], widths: dict[str, int]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.padding = (0, 0, 0, 0)
    for name in columns:
        options = {k: v for k, v in _TABLE_COLUMNS[name].items() if k != "stacked"}
        options.pop("min_width", None)
        options.pop("max_width", None)
        options["width"] = widths[name]
        table.add_column(options.pop("header"), **options)
    return table


def _print_stacked(
    console: PipeConsole,
    columns: Sequence[str],
    rows: Sequence[Row],
    cells: Sequence[dict[str, Text | str]],
) -> None:
    """The narrow layout: one block per metric, its id whole on the first line (bold), its
    name, then one ``Label: value`` line per column that has a value and the notes; a place
    of a metric tracked by place is a block indented under it (``↳ place``)."""
    for row, row_cells in zip(rows, cells, strict=True):
        indent = "  " if row.place is None else "    "
        if row.place is None:
            console.print()
            console.print(
                Text(row.metric, style="bold"), no_wrap=True, overflow="ignore", crop=False
            )
            console.print(Padding(Text(visible(row.name)), (0, 0, 0, 2), expand=False))
        else:
            title = Text(f"  ↳ {visible(row.place)}", style="bold")
            console.print(title, no_wrap=True, overflow="ignore", crop=False)
        lines = []
        for name in columns:
            if name == "metric":
                continue
            value = row_cells[name]
            text = value if isinstance(value, Text) else Text(value)
            parts = [part for part in text.split("\n") if part.plain]
            if not parts:
                continue
            joiner = _TABLE_COLUMNS[name].get("stacked", ", ")
            if len(parts) == 2 and parts[1].plain.startswith("from "):  # a standing target
                joiner = " "
            line = Text(f"{_TABLE_COLUMNS[name]['header']}: ")
            line.append_text(Text(joiner).join(parts))
            lines.append(line)
        for line in [*lines, *_notes(row)]:  # a long line wraps under itself, not the id
            console.print(Padding(line, (0, 0, 0, len(indent)), expand=False))


def _notes(row: Row) -> list[Text]:
    """The lines shown under a metric's name (or place), dim; an eased revision in
    `EASED_STYLE`."""
    return [
        Text(visible(note), style=EASED_STYLE if note == row.revisions and row.eased else "dim")
        for note in row.notes
    ]


def _table_cells(row: Row) -> dict[str, Text | str]:
    """One row's cells. Under the metric's name (or place): what is missing, a standing
    target's record, the stages, the revisions in force (an eased one in `EASED_STYLE`)
    and a withdrawal, one line each, dim."""
    if row.place is None:  # the id on its own line, whole: the column is wide enough
        metric = Text(visible(row.name), overflow="fold")
        metric.append(f"\n{row.metric}", style="dim")
    else:
        metric = Text(f"  ↳ {visible(row.place)}", overflow="fold")
    for note in _notes(row):
        metric.append("\n").append_text(note)
    markers = [name for name, flag in (("late", row.late), ("stale", row.stale)) if flag]
    if row.mismatch:
        markers.append(row.mismatch_text)
    if row.trend_misses:
        markers.append(TREND_MISSES)
    if row.place is None and row.revised and row.withdrawn_reason is None:
        markers.append("eased" if row.eased else "revised")
    latest = row.latest_text
    target = row.target_text
    deadline = row.deadline_text
    spc = (spc_short(row.spc_variation), spc_short(row.spc_assurance), row.spc_note)
    return {
        "status": status_cell(row.status, *markers),
        "metric": metric,
        "latest": f"{latest}\n{row.latest_date}" if row.latest_date else latest,
        "expected": format_cell(row.expected, row.unit),
        "target": f"{target}\n{deadline}" if deadline else target,
        "days": days_left(row.days_to_deadline, row.status, short=True).replace(" ", "\n", 1),
        "spc": "\n".join(text for text in spc if text),
        "was": _was_cell(row),
    }


def _was_cell(row: Row) -> Text | str:
    """--since: the status on that date in its style, its movement below ("worse ↓")."""
    if not row.was_text:
        return ""
    moved = [MOVEMENT_WORDS[row.movement]] if row.movement else []
    return status_cell(row.was, *moved) if row.was else Text("\n".join(["-", *moved]))
