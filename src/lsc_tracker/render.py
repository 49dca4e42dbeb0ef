"""Render a `StatusReport` as a table, JSON, CSV or Markdown: one model, one switch.

``RENDERERS[fmt](report, out)`` writes the report to the text stream ``out``. Every format
shows the same rows (one per metric, and one per place under a metric tracked by place)
built once by `rows`; only the table imports rich.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final, TextIO

from .status import Goal, MetricStatus, PlaceStatus, Reading, SpcSummary, StatusReport
from .views import visible

if TYPE_CHECKING:
    from rich.table import Table
    from rich.text import Text

Renderer = Callable[[StatusReport, TextIO], None]

STATUS_LABELS: Final = {
    "overdue": "OVERDUE",
    "off_track": "OFF TRACK",
    "at_risk": "AT RISK",
    "no_data": "NO DATA",
    "on_track": "ON TRACK",
    "achieved": "ACHIEVED",
    "no_target": "NO TARGET",
}
"""The word shown for each status, so that the table reads the same without colour."""

STATUS_STYLES: Final = {
    "overdue": "bold red",
    "off_track": "red",
    "at_risk": "yellow",
    "no_data": "magenta",
    "on_track": "green",
    "achieved": "bold green",
    "no_target": "dim",
}

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a cell starting with =, +, -, @, tab or
    carriage return gets a leading apostrophe (OWASP "CSV injection"). Numbers must be
    written as numbers, not passed through here."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# --- rows: what every format shows ----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the report: a metric, or one place of a metric tracked by place."""

    priority: str
    metric: str
    name: str
    place: str | None
    kind: str
    status: str
    stale: bool
    late: bool
    latest_value: float | str | None
    latest_date: date | None
    expected: float | None
    target_value: float | str | None  # "done" for a milestone
    deadline: date | None
    days_to_deadline: int | None
    unit: str | None
    spc_variation: str | None = None
    spc_assurance: str | None = None


def rows(report: StatusReport, priority: str | None = None, *, headings: bool = True) -> list[Row]:
    """The report's rows in order, optionally only one priority's.

    ``headings=False`` leaves out the row of a metric shown only to head its places (see
    `MetricStatus.shown_for_places`): in a flat CSV or sheet every row then has a status
    that was asked for.
    """
    found: list[Row] = []
    for metric in report.metrics:
        if priority is None or metric.metric.priority == priority:
            if headings or not metric.shown_for_places:
                found.append(_row(metric, None))
            found.extend(_row(metric, place) for place in metric.places)
    return found


def _row(metric: MetricStatus, place: PlaceStatus | None) -> Row:
    part: MetricStatus | PlaceStatus = metric if place is None else place
    m = metric.metric
    target: float | str | None = part.target.value if part.target else None
    if m.is_milestone and m.due is not None:
        target = "done"
    return Row(
        priority=m.priority,
        metric=m.id,
        name=m.name,
        place=None if place is None else place.place,
        kind=m.kind,
        status=part.status,
        stale=part.stale,
        late=part.late,
        latest_value=part.latest.value if part.latest else None,
        latest_date=part.latest.date if part.latest else None,
        expected=_round(part.expected, 6),  # shown to 2 decimals; CSV keeps the precision
        target_value=_round(target, 6) if isinstance(target, float) else target,
        deadline=metric.deadline,
        days_to_deadline=part.days_to_deadline,
        unit=m.unit,
        spc_variation=part.spc.variation if part.spc else None,
        spc_assurance=part.spc.assurance if part.spc else None,
    )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


# --- text shared by the table and Markdown --------------------------------------------------

SPC_WORDS: Final = {
    "common_cause": "common cause",
    "improvement_high": "improving ↑",
    "improvement_low": "improving ↓",
    "concern_high": "concern ↑",
    "concern_low": "concern ↓",
    "consistent_pass": "will pass",
    "consistent_fail": "will fail",
    "inconsistent": "may miss",
}


def spc_text(icon: str | None) -> str:
    """A Making Data Count icon in a few words (docs/spc.md explains each)."""
    return "" if icon is None else SPC_WORDS.get(icon, icon)


def number_text(value: float | str | None, unit: str | None = None) -> str:
    """A value for people: 1,234.5 (at most 2 decimals), "done", or "" when there is none."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    return text + "%" if unit == "%" else text


def days_text(row: Row, *, short: bool = False) -> str:
    """How far the deadline is: "45 days left", "due today", "812 days past" ("" once met);
    ``short`` leaves out "days" (the table's column says it)."""
    days = row.days_to_deadline
    if days is None or row.status == "achieved":
        return ""
    if days == 0:
        return "due today"
    unit = "" if short else " day" if abs(days) == 1 else " days"
    return f"{days:,}{unit} left" if days > 0 else f"{-days:,}{unit} past"


def status_text(status: str, late: bool = False) -> str:
    return STATUS_LABELS[status] + (" (late)" if late else "")


def counts_text(counts: Mapping[str, int]) -> str:
    """``{"overdue": 2, "no_data": 1}`` -> "2 overdue, 1 no data"."""
    return ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items()) or "none"


def summary_lines(report: StatusReport) -> list[str]:
    """The plain-words footer: how many metrics, their statuses, missed deadlines, actuals."""
    n = len(report.metrics)
    shown = f"{n} metric{'' if n == 1 else 's'}"
    if report.filters:
        shown += (
            " shown ("
            + "; ".join(f"{key}: {', '.join(values)}" for key, values in report.filters.items())
            + ")"
        )
    lines = [f"{shown} as of {report.as_of}: {counts_text(report.counts)}."]
    missed = report.deadlines_missed
    if missed:
        lines.append(
            f"{missed} of them ha{'s' if missed == 1 else 've'} a deadline that has passed "
            "without being met."
        )
    stale = sum(1 for m in report.metrics if m.stale)
    if stale:
        lines.append(f"{stale} ha{'s' if stale == 1 else 've'} stale data (no recent actual).")
    counted = report.actuals_counted
    if counted == 0:
        lines.append(
            f"No actuals are recorded on or before {report.as_of}: these statuses come from "
            "the plan's dates alone."
        )
    else:
        lines.append(f"{counted:,} actual{'' if counted == 1 else 's'} counted.")
    return lines


def _sections(report: StatusReport) -> list[tuple[str, str, str, dict[str, int], list[Row]]]:
    """(id, title, status, counts, rows) per priority that has rows to show."""
    sections = []
    for priority in report.priorities:
        section_rows = rows(report, priority.id)
        if section_rows:
            sections.append(
                (
                    priority.id,
                    priority.priority.title,
                    priority.status,
                    dict(priority.counts),
                    section_rows,
                )
            )
    return sections


# --- table (rich) ---------------------------------------------------------------------------


def render_table(
    report: StatusReport,
    out: TextIO,
    *,
    width: int | None = None,
    no_color: bool | None = None,
    force_terminal: bool | None = None,
) -> None:
    """Per priority, a heading with its roll-up, then a rich table of its metrics and places.

    Colour only on a terminal, and never when NO_COLOR is set (rich reads it); every
    status is also a word, so the table reads the same in black and white. Every section
    has the same fixed columns, so they line up down the page.
    """
    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=out,
        width=width,
        no_color=no_color,
        force_terminal=force_terminal,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(Text(f"Status as of {report.as_of}", style="bold"))
    sections = _sections(report)
    if not sections:
        console.print("No metrics to show.")
    columns = _table_columns([row for *_, section_rows in sections for row in section_rows])
    for pid, title, status, counts, section_rows in sections:
        console.print()
        console.print(Text(visible(f"{pid} {title}"), style="bold"))
        heading = _status_cell(status)
        heading.append(f": {counts_text(counts)}", style="")
        console.print(heading)
        table = _new_table(columns)
        for row in section_rows:
            cells = _table_cells(row)
            table.add_row(*(cells[name] for name in columns))
        console.print(table)
    console.print()
    for line in summary_lines(report):
        console.print(visible(line))


# Column: (heading, options). Latest, Target and Days are narrow two-line cells (value over
# date, "2,436" over "past"), so that on an 80-column terminal the metric's name has room.
_TABLE_COLUMNS: dict[str, dict[str, Any]] = {
    "status": {"header": "Status", "width": 9},
    "metric": {"header": "Metric", "ratio": 1, "min_width": 24},
    "latest": {"header": "Latest", "justify": "right", "min_width": 10},
    "expected": {"header": "Expected", "justify": "right", "min_width": 8},
    "target": {"header": "Target", "justify": "right", "min_width": 10},
    "days": {"header": "Days", "justify": "right", "min_width": 6},
    "spc": {"header": "SPC", "min_width": 11},
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
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.padding = (0, 1, 0, 0)
    for name in columns:
        options = dict(_TABLE_COLUMNS[name])
        table.add_column(options.pop("header"), **options)
    return table


def _status_cell(status: str, *markers: str) -> Text:
    from rich.text import Text

    cell = Text(STATUS_LABELS[status], style=STATUS_STYLES[status])
    for marker in markers:
        cell.append(f"\n{marker}", style="bold")
    return cell


def _table_cells(row: Row) -> dict[str, Text | str]:
    from rich.text import Text

    if row.place is None:
        metric: Text | str = Text(visible(row.name), overflow="fold")
        metric.append(f"\n{row.metric}", style="dim")
    else:
        metric = f"  ↳ {visible(row.place)}"
    markers = [name for name, flag in (("late", row.late), ("stale", row.stale)) if flag]
    latest = number_text(row.latest_value, row.unit)
    target = number_text(row.target_value, row.unit)
    spc = (spc_text(row.spc_variation), spc_text(row.spc_assurance))
    return {
        "status": _status_cell(row.status, *markers),
        "metric": metric,
        "latest": f"{latest}\n{row.latest_date}" if row.latest_date else latest,
        "expected": number_text(row.expected, row.unit),
        "target": f"{target}\n{row.deadline}" if row.deadline else target,
        "days": days_text(row, short=True).replace(" ", "\n", 1),
        "spc": "\n".join(text for text in spc if text),
    }


# --- JSON -----------------------------------------------------------------------------------


def report_data(report: StatusReport) -> dict[str, Any]:
    """The report as plain JSON-ready data (dates as YYYY-MM-DD, numbers as numbers)."""
    return {
        "as_of": report.as_of.isoformat(),
        "filters": {key: list(values) for key, values in report.filters.items()},
        "summary": {
            "metrics": len(report.metrics),
            "counts": report.counts,
            "deadlines_missed": report.deadlines_missed,
            "actuals_counted": report.actuals_counted,
        },
        "priorities": [
            {"id": p.id, "title": p.priority.title, "status": p.status, "counts": dict(p.counts)}
            for p in report.priorities
        ],
        "metrics": [_metric_data(m) for m in report.metrics],
    }


def _reading_data(reading: Reading | None) -> dict[str, Any] | None:
    if reading is None:
        return None
    return {"date": reading.date.isoformat(), "value": reading.value}


def _goal_data(goal: Goal | None) -> dict[str, Any] | None:
    if goal is None:
        return None
    return {"by": goal.by.isoformat(), "value": _round(goal.value, 6)}


def _metric_data(status: MetricStatus) -> dict[str, Any]:
    metric = status.metric
    return {
        "id": metric.id,
        "priority": metric.priority,
        "name": metric.name,
        "kind": metric.kind,
        "unit": metric.unit,
        "status": status.status,
        "stale": status.stale,
        "late": status.late,
        "latest": _reading_data(status.latest),
        "expected": _round(status.expected, 6),
        "target": _goal_data(status.target),
        "due": metric.due.isoformat() if metric.due else None,
        "days_to_deadline": status.days_to_deadline,
        "shown_for_places": status.shown_for_places,
        "places": [
            {
                "place": place.place,
                "status": place.status,
                "stale": place.stale,
                "late": place.late,
                "latest": _reading_data(place.latest),
                "expected": _round(place.expected, 6),
                "target": _goal_data(place.target),
                "days_to_deadline": place.days_to_deadline,
                "spc": _spc_data(place.spc),
            }
            for place in status.places
        ],
        "spc": _spc_data(status.spc),
    }


def _spc_data(summary: SpcSummary | None) -> dict[str, str | None] | None:
    return (
        None
        if summary is None
        else {"variation": summary.variation, "assurance": summary.assurance}
    )


def render_json(report: StatusReport, out: TextIO) -> None:
    out.write(json_text(report_data(report)))


def json_text(data: dict[str, Any]) -> str:
    """Pretty at the top, one compact line per list item (per metric, per priority).

    Readable and diff-friendly, and fast: ``indent=`` makes the json module fall back to its
    pure-Python encoder, which took seconds for a national-scale report.
    """
    lines = ["{"]
    for position, (key, value) in enumerate(data.items()):
        comma = "," if position < len(data) - 1 else ""
        name = json.dumps(key)
        if isinstance(value, list) and value:
            items = [json.dumps(item, ensure_ascii=False, allow_nan=False) for item in value]
            lines.append(f"  {name}: [")
            lines.append(",\n".join(f"    {item}" for item in items))
            lines.append(f"  ]{comma}")
        else:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False)
            lines.append(f"  {name}: {text}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS: Final = (
    "priority",
    "metric",
    "place",
    "name",
    "kind",
    "status",
    "latest_value",
    "latest_date",
    "expected",
    "target_value",
    "deadline",
    "days_to_deadline",
    "stale",
    "late",
    "unit",
    "spc_variation",
    "spc_assurance",
)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return value  # a number stays a number, sign and all


def render_csv(report: StatusReport, out: TextIO) -> None:
    """One row per metric and per place, with a header; text made safe for spreadsheets."""
    # CRLF, as RFC 4180 has it: with "\n" the csv module leaves a lone "\r" in a field
    # unquoted, and a spreadsheet starts a new row there
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows(report, headings=False):
        writer.writerow(_csv_cell(getattr(row, column)) for column in CSV_COLUMNS)


# --- Markdown -------------------------------------------------------------------------------

_MARKDOWN_HEADER: Final = (
    "Status",
    "Metric",
    "Latest",
    "Date",
    "Expected",
    "Target",
    "Deadline",
    "Days",
    "Stale",
    "Variation",
    "Assurance",
)


def markdown_escape(text: str) -> str:
    """Text safe inside a pipe-table cell: backslashes, pipes and square brackets escaped
    (so no link or image, ``[x](javascript:...)`` or ``![](...)``, can form), one line,
    ``&``, ``<`` and ``>`` as entities, so that a ``<script>`` in a name stays text when a
    Markdown viewer renders HTML, and control characters made `visible`."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("[", "\\[").replace("]", "\\]")
    return visible(" ".join(text.split()))


def render_markdown(report: StatusReport, out: TextIO) -> None:
    """A heading and a pipe table per priority, then the summary, for board papers."""
    out.write(f"# Status as of {report.as_of}\n")
    for pid, title, status, counts, section_rows in _sections(report):
        out.write(f"\n## {markdown_escape(f'{pid} {title}')}: {status_text(status)}\n\n")
        out.write(f"{counts_text(counts)}\n\n")
        out.write(_markdown_line(_MARKDOWN_HEADER))
        out.write(_markdown_line(["---"] * len(_MARKDOWN_HEADER)))
        for row in section_rows:
            metric = row.name if row.place is None else f"↳ {row.place}"
            cells = [
                status_text(row.status, row.late),
                metric,
                number_text(row.latest_value, row.unit),
                str(row.latest_date or ""),
                number_text(row.expected, row.unit),
                number_text(row.target_value, row.unit),
                str(row.deadline or ""),
                days_text(row),
                "stale" if row.stale else "",
                spc_text(row.spc_variation),
                spc_text(row.spc_assurance),
            ]
            out.write(_markdown_line(cells))
    out.write("\n" + "\n".join(summary_lines(report)) + "\n")


def _markdown_line(cells: Any) -> str:
    return "| " + " | ".join(markdown_escape(str(cell)) for cell in cells) + " |\n"


RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}
"""Every output format of ``lsc status``, by the name ``--format`` takes."""
