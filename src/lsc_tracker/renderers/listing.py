"""``lsc list``: the plan's metrics, places and priorities as a terminal table, JSON or CSV.

The table never splits an id: a column of ids (and the places column, a list of ids) is at
least as wide as its longest id; when the terminal is too narrow for every column at its
narrowest, each item is a block, its id on a line of its own, then ``label: value`` lines.
User text is shown as typed (`rich_text.plain`); CSV text a spreadsheet would run as a
formula gets a leading apostrophe, as in every CSV the tool writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console, JustifyMethod
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..listing import Listing
from ..words import visible
from .rich_text import plain
from .status_files import json_text, spreadsheet_safe

_ID_COLUMNS = frozenset({"id", "priority", "parent", "places"})
"""Columns of ids: never narrower than their longest id, so none is split."""
_TEXT_MIN = 20
"""The narrowest a column of words (a name, an owner) is drawn; it wraps at spaces."""
_GAP = 2
_TITLES = {"metrics": "Metrics", "places": "Places", "priorities": "Priorities"}


def cell_text(value: Any, *, csv_list: bool = False) -> str:
    """A field as text: a list joined (", " in the table, ";" in CSV), None as ""."""
    if value is None:
        return ""
    if isinstance(value, list):
        return (";" if csv_list else ", ").join(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if csv_list else f"{value:,}"
    return str(value)


def listing_json(listings: Sequence[Listing]) -> str:
    """``{"metrics": [...], ...}``: each kind asked for, one object per item."""
    return json_text({found.kind: found.items for found in listings})


def listing_csv(found: Listing) -> str:
    """One kind as CSV with a header; places separated by ";"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # CRLF, as every CSV the tool writes
    writer.writerow(found.columns)
    for item in found.items:
        cells = []
        for column in found.columns:
            value = item[column]
            text = cell_text(value, csv_list=True)
            numeric = isinstance(value, int) and not isinstance(value, bool)
            cells.append(text if numeric else spreadsheet_safe(text))
        writer.writerow(cells)
    return out.getvalue()


def render_listing(console: Console, listings: Sequence[Listing]) -> None:
    """Each kind under a heading ("Metrics (103)"): a table when it fits, else blocks."""
    for index, found in enumerate(listings):
        if index:
            console.print()
        console.print(Text(f"{_TITLES[found.kind]} ({len(found.items)})", style="bold"))
        rows = [[visible(cell_text(item[c])) for c in found.columns] for item in found.items]
        widths = _widths(found.columns, rows, console.width)
        if widths is None:
            _print_stacked(console, found.columns, rows)
            continue
        table = Table(box=None, header_style="bold", pad_edge=False, padding=(0, _GAP // 2))
        for column, width in zip(found.columns, widths, strict=True):
            justify: JustifyMethod = "right" if column in ("population", "metrics") else "left"
            table.add_column(column, width=width, justify=justify, overflow="fold")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)


def _widths(columns: Sequence[str], rows: list[list[str]], width: int) -> list[int] | None:
    """Each column's width within ``width``: natural when all fit, else the word columns
    narrowed (never below `_TEXT_MIN`, an id column never below its longest id); None when
    even that does not fit."""
    natural = [
        max([len(column), *(len(row[k]) for row in rows)]) for k, column in enumerate(columns)
    ]
    least = []
    for k, column in enumerate(columns):
        if column in _ID_COLUMNS:
            words = [word.rstrip(",") for row in rows for word in row[k].split()]
            least.append(max([len(column), *map(len, words)]))
        elif column in ("population", "metrics", "kind", "cadence"):
            least.append(natural[k])
        else:
            least.append(min(natural[k], _TEXT_MIN))
    room = width - _GAP * (len(columns) - 1)
    if sum(least) > room:
        return None
    widths = list(natural)
    while sum(widths) > room:  # narrow the column with the most to spare, one cell at a time
        k = max(range(len(widths)), key=lambda k: widths[k] - least[k])
        widths[k] -= 1
    return widths


def _print_stacked(console: Console, columns: Sequence[str], rows: list[list[str]]) -> None:
    for row in rows:
        console.print()
        console.print(Text(row[0], style="bold"), no_wrap=True, overflow="ignore", crop=False)
        for column, cell in zip(columns[1:], row[1:], strict=True):
            if cell:
                line = Text(f"{column}: ").append_text(plain(cell))
                console.print(Padding(line, (0, 0, 0, 2), expand=False))
