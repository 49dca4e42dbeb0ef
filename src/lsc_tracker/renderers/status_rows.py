"""The rows every status format shows, built once from a `StatusReport`.

One row per metric, and one per place under a metric tracked by place (`rows`); the
sections per priority (`sections`) and the plain-words footer (`summary_lines`). The
table, the files (JSON aside, which writes the report itself), the workbook and the HTML
report take these, so no two formats can show different figures.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..status import MetricStatus, PlaceStatus, StatusReport
from ..words import counts_text


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
        expected=rounded(part.expected, 6),  # shown to 2 decimals; CSV keeps the precision
        target_value=rounded(target, 6) if isinstance(target, float) else target,
        deadline=metric.deadline,
        days_to_deadline=part.days_to_deadline,
        unit=m.unit,
        spc_variation=part.spc.variation if part.spc else None,
        spc_assurance=part.spc.assurance if part.spc else None,
    )


def rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


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


def sections(report: StatusReport) -> list[tuple[str, str, str, dict[str, int], list[Row]]]:
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
