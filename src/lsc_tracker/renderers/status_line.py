"""The one line ``lsc record`` prints after an entry: where its metric stands now.

Built from the same row as every status format (`status_rows.rows`), in the words of
`words`, so the line and ``lsc status`` cannot disagree.
"""

from __future__ import annotations

from datetime import date

from ..status import MetricStatus, StatusReport
from ..words import PLAN_LINE, days_left, format_cell, status_label
from .status_rows import rows


def status_line(metric_status: MetricStatus, place: str | None, as_of: date) -> str:
    """One line on where the metric (at the place recorded) stands now."""
    found = rows(StatusReport(as_of=as_of, priorities=(), metrics=(metric_status,)))
    row = next((r for r in found if r.place == place), found[0])
    parts = []
    if row.latest_value is not None:
        stale = ", stale" if row.stale else ""
        parts.append(f"latest {row.latest_text} on {row.latest_date}{stale}")
    if row.expected is not None:
        parts.append(f"{PLAN_LINE} {format_cell(row.expected, row.unit)}")
    if row.target_value is not None and row.deadline is not None:
        days = days_left(row.days_to_deadline, row.status)
        target = f"target {format_cell(row.target_value, row.unit)} by {row.deadline}"
        parts.append(target + (f", {days}" if days else ""))
    where = f" at {place}" if place else ""
    line = f"status: {row.metric}{where} is {status_label(row.status, row.late)}"
    line += f" ({'; '.join(parts)})" if parts else ""
    if place is not None and metric_status.places:
        line += f"; all places: {status_label(metric_status.status, metric_status.late)}"
    return line
