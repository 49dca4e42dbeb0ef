"""``lsc status`` as a file: JSON, CSV or Markdown, from the same rows as the table.

Text a spreadsheet would run as a formula is made safe (`spreadsheet_safe`, also used by
the workbook and ``lsc history --format csv``); Markdown escapes what would form a link,
an image or HTML (`markdown_escape`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Final, TextIO

from ..changes import movement
from ..exceptions import places_text
from ..models import Revision, Target
from ..status import (
    BaselineUsed,
    Goal,
    MetricStatus,
    PlaceStatus,
    Reading,
    SpcSummary,
    Stage,
    StatusReport,
    Unresolved,
)
from ..words import (
    PLAN_LINE,
    TREND_MISSES,
    as_known_text,
    days_left,
    format_cell,
    spc_short,
    status_label,
    visible,
)
from .status_rows import Row, rounded, rows, sections, summary_lines

_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a cell starting with =, +, -, @, tab or
    carriage return gets a leading apostrophe (OWASP "CSV injection"). Numbers must be
    written as numbers, not passed through here."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# --- JSON ------------------------------------------------------------------------------------


def report_data(report: StatusReport) -> dict[str, Any]:
    """The report as plain JSON-ready data (dates as YYYY-MM-DD, numbers as numbers)."""
    memo: dict[int, Any] = {}  # stages and baselines shared by a metric's places: once each
    return {
        "as_of": report.as_of.isoformat(),
        "plan": report.plan,
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
        "metrics": [_known_data(_metric_data(m, memo), report) for m in report.metrics],
        "as_known": report.as_known.as_dict() if report.as_known else None,
    }


def _known_data(data: dict[str, Any], report: StatusReport) -> dict[str, Any]:
    """A metric's data with ``not_yet_known``: with --as-known, how many of its log entries
    were left out as recorded later (null without --as-known)."""
    known = report.as_known
    data["not_yet_known"] = known.left_out.get(data["id"], 0) if known else None
    return data


def _reading_data(reading: Reading | None) -> dict[str, Any] | None:
    if reading is None:
        return None
    return {"date": reading.date.isoformat(), "value": reading.value}


def _provisional_data(
    reading: Reading | None, places: tuple[PlaceStatus, ...] = ()
) -> dict[str, Any]:
    """``"provisional"``: whether the latest value is provisional (a metric tracked by place:
    any place's), and ``"source"``: the system the latest value came from."""
    provisional = bool(reading and reading.provisional) or any(
        place.latest is not None and place.latest.provisional for place in places
    )
    return {"provisional": provisional, "source": reading.source if reading else None}


def _goal_data(goal: Goal | None, unresolved: Unresolved | None = None) -> dict[str, Any] | None:
    """``{"by", "value"}`` (``"from"`` for a standing target); while a change target's
    baseline has no value, ``{"by", "value": null, "change": -0.5}``."""
    if goal is not None:
        return {_day_key(goal.standing): goal.by.isoformat(), "value": rounded(goal.value, 6)}
    if unresolved is not None:
        return {
            _day_key(unresolved.standing): unresolved.by.isoformat(),
            "value": None,
            "change": unresolved.change,
        }
    return None


def _day_key(standing: bool) -> str:
    return "from" if standing else "by"


def _baseline_data(baseline: BaselineUsed | None) -> dict[str, Any] | None:
    if baseline is None:
        return None
    return {
        "date": baseline.date.isoformat() if baseline.date else None,
        "value": rounded(baseline.value, 6),
        "from_log": baseline.from_log,
    }


def _stage_data(stage: Stage) -> dict[str, Any]:
    data: dict[str, Any] = {
        _day_key(stage.standing): stage.day.isoformat(),
        "target": rounded(stage.figure, 6),
        "verdict": stage.verdict,
        "actual": _reading_data(stage.actual),
    }
    if stage.standing:
        data["breaches"] = stage.breaches
        data["last_breach"] = stage.last_breach.isoformat() if stage.last_breach else None
    return data


def _target_written(target: Target) -> dict[str, Any]:
    day = target.day
    return {
        _day_key(target.is_standing): day.isoformat() if day else None,
        "value": target.value,
        "change": target.change,
    }


def _decision_data(revision: Revision) -> dict[str, Any]:
    return {
        "decided": revision.decided.isoformat(),
        "by": revision.by,
        "reason": revision.reason,
        "source": revision.source,
    }


def _history_data(status: MetricStatus) -> dict[str, Any]:
    """The revisions in force (each marked when it eased the plan), the plan as first
    written when any is, and the withdrawal."""
    return {
        "revisions": [
            {
                "decided": applied.revision.decided.isoformat(),
                "by": applied.revision.by,
                "reason": applied.revision.reason,
                "eased": applied.eased,
            }
            for applied in status.revisions
        ],
        "original": (
            {
                "due": status.original_due.isoformat() if status.original_due else None,
                "targets": [_target_written(t) for t in status.original_targets],
            }
            if status.revisions
            else None
        ),
        "withdrawn": _decision_data(status.withdrawn) if status.withdrawn else None,
    }


def _shared(memo: dict[int, Any], shared: Any, convert: Any) -> Any:
    """``convert(shared)``, once per object: a metric's places share their stages tuple and
    baseline when these do not depend on the place's own actuals (the report keeps every
    object alive, so an id is not reused while ``memo`` is)."""
    key = id(shared)
    if key not in memo:
        memo[key] = convert(shared)
    return memo[key]


def _stages_data(stages: tuple[Stage, ...]) -> list[dict[str, Any]]:
    return [_stage_data(stage) for stage in stages]


def _metric_data(status: MetricStatus, memo: dict[int, Any] | None = None) -> dict[str, Any]:
    memo = {} if memo is None else memo
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
        **_provisional_data(status.latest, status.places),
        "expected": rounded(status.expected, 6),
        "target": _goal_data(status.target, status.unresolved),
        "due": metric.due.isoformat() if metric.due else None,
        "days_to_deadline": status.days_to_deadline,
        "baseline": _baseline_data(status.baseline),
        "missing": status.missing,
        "stages": [_stage_data(stage) for stage in status.stages],
        **_history_data(status),
        "shown_for_places": status.shown_for_places,
        "places": [
            {
                "place": place.place,
                "status": place.status,
                "stale": place.stale,
                "late": place.late,
                "latest": _reading_data(place.latest),
                **_provisional_data(place.latest),
                "expected": rounded(place.expected, 6),
                "target": _goal_data(place.target, place.unresolved),
                "days_to_deadline": place.days_to_deadline,
                "baseline": _shared(memo, place.baseline, _baseline_data),
                "missing": place.missing,
                "stages": _shared(memo, place.stages, _stages_data),
                "spc": _spc_data(place.spc),
                "update": place.update.as_dict() if place.update else None,
                "mismatch": place.mismatch,
                "forecast": place.forecast.as_dict() if place.forecast else None,
            }
            for place in status.places
        ],
        "spc": _spc_data(status.spc),
        "update": status.update.as_dict() if status.update else None,
        "mismatch": status.mismatch,
        "forecast": status.forecast.as_dict() if status.forecast else None,
    }


def _spc_data(summary: SpcSummary | None) -> dict[str, str | int | bool | None] | None:
    """The icons (null below 12 points), the points of the latest group and whether they are
    enough for a verdict (docs/spc.md)."""
    if summary is None:
        return None
    return {
        "variation": summary.variation,
        "assurance": summary.assurance,
        "points": summary.points,
        "enough_points": summary.enough_points,
    }


def render_json(report: StatusReport, out: TextIO) -> None:
    out.write(json_text(view_data(report_data(report), report)))


def view_data(data: dict[str, Any], report: StatusReport) -> dict[str, Any]:
    """`report_data` with what ``--since`` and ``--exceptions`` add (keys added, never one
    changed): ``since`` and the summary's ``changes``; each metric's and place's ``was``
    and ``movement``; ``exceptions`` and each metric's ``reasons`` and ``places_summary``."""
    if report.since is None and not report.exceptions:
        return data
    if report.since is not None:
        data = {"since": report.since.isoformat(), **data}
        data["summary"]["changes"] = [change.as_dict() for change in report.changes]
    if report.exceptions:
        data = {"exceptions": True, **data}
    for shown, status in zip(data["metrics"], report.metrics, strict=True):
        if report.since is not None:
            shown["was"] = status.was
            shown["movement"] = movement(status.was, status.status)
            for place_data, place in zip(shown["places"], status.places, strict=True):
                place_data["was"] = place.was
                place_data["movement"] = movement(place.was, place.status)
        if report.exceptions:
            shown["reasons"] = list(status.reasons)
            shown["places_summary"] = places_text(status) or None
    return data


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
    # a plan that lives (issue 13), after the columns above so that they keep their places
    "target_change",
    "target_from",
    "baseline_value",
    "baseline_date",
    "baseline_from_log",
    "missing",
    "stages",
    "standing",
    "revised",
    "eased",
    "revisions",
    "original",
    "withdrawn_reason",
    "spc_points",  # of the SPC series since its latest rebase: no icons below 12 (issue 17)
)
"""The CSV's and the workbook's columns, in order; ``owner`` follows them when any row has
an owner (`flat_columns`)."""


UPDATE_COLUMNS: Final = (
    "declared",
    "mismatch",
    "update_date",
    "update_note",
    "update_action",
    "update_recovery",
    "update_by",
)
"""The owner's update in force and how it compares (issue 15): after ``owner``, and only
when some row has an update."""


FORECAST_COLUMNS: Final = (
    "forecast",
    "forecast_recent_rate_per_month",
    "forecast_required_rate_per_month",
    "forecast_projected",
    "forecast_projected_meets",
    "forecast_eta",
)
"""The forecast (issue 15, part 3): the sentence and JSON's figures; only when some row has
one."""

SINCE_COLUMNS: Final = ("was", "movement")
"""``--since``: each row's status on that date and how it moved (`changes.movement`)."""

PROVISIONAL_COLUMNS: Final = ("provisional", "source")
"""Whether the latest value is provisional and where it came from (issue 18); only when
some row's latest value is provisional or names its source."""

EXCEPTION_COLUMNS: Final = ("reasons", "places_summary")
"""``--exceptions``: why each metric is there, and its places collapsed into a sentence."""


def flat_columns(
    found: Sequence[Row], *, since: bool = False, exceptions: bool = False
) -> tuple[str, ...]:
    """`CSV_COLUMNS`, then ``owner`` when any row has one, then `UPDATE_COLUMNS` when any row
    has an owner update, then `FORECAST_COLUMNS` when any has a forecast: every view hides
    columns that would be empty for every row. ``since`` adds `SINCE_COLUMNS` and
    ``exceptions`` `EXCEPTION_COLUMNS` (``lsc status --since``/``--exceptions``)."""
    owner = ("owner",) if any(row.owner for row in found) else ()
    declared = UPDATE_COLUMNS if any(row.declared for row in found) else ()
    trend = FORECAST_COLUMNS if any(row.forecast for row in found) else ()
    view = (*(SINCE_COLUMNS if since else ()), *(EXCEPTION_COLUMNS if exceptions else ()))
    marked = PROVISIONAL_COLUMNS if any(row.provisional or row.source for row in found) else ()
    return (*CSV_COLUMNS, *owner, *declared, *trend, *view, *marked)


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
    found = rows(report, headings=False)
    columns = flat_columns(found, since=report.since is not None, exceptions=report.exceptions)
    writer.writerow(columns)
    for row in found:
        writer.writerow(_csv_cell(getattr(row, column)) for column in columns)


# --- Markdown -------------------------------------------------------------------------------

_MARKDOWN_HEADER: Final = (
    "Status",
    "Metric",
    "Id",
    "Latest",
    "Date",
    PLAN_LINE.capitalize(),
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


_MARKDOWN_EXTRA: Final = {
    "Baseline": lambda row: row.baseline_text,
    "Stages": lambda row: row.standing or row.stages,
    "Revisions": lambda row: row.revisions_line if row.place is None else "",
    "Owner": lambda row: row.owner or "",
    "Declared": lambda row: row.declared_text,
    "Owner update": lambda row: row.update_text,
    "Forecast": lambda row: (f"{TREND_MISSES}: " if row.trend_misses else "") + row.forecast,
    "Was": lambda row: row.was_text,
    "Why": lambda row: row.reasons_text,
    "Places": lambda row: row.places_summary,
    "Source": lambda row: row.source or "",
}
"""Columns after `_MARKDOWN_HEADER`, each shown only when some row of the report has it
(a plan with no baselines, stages, revisions or owners keeps the table it had)."""


def render_markdown(report: StatusReport, out: TextIO) -> None:
    """A heading and a pipe table per section (the whole programme, then each priority),
    then the summary, for board papers."""
    out.write(f"# Status as of {report.as_of}\n")
    if report.as_known is not None:  # no user text in it: the moment, a commit, counts
        out.write(f"\n{as_known_text(report.as_known)}\n")
    shown = sections(report)
    every_row = [row for section in shown for row in section.rows]
    extra = {
        name: cell for name, cell in _MARKDOWN_EXTRA.items() if any(cell(row) for row in every_row)
    }
    header = (*_MARKDOWN_HEADER, *extra)
    for section in shown:
        heading = f"{markdown_escape(section.heading)}: {status_label(section.status)}"
        out.write(f"\n## {heading}\n\n")
        owner = f"; owner: {markdown_escape(section.owner)}" if section.owner else ""
        out.write(f"{section.counts_line}{owner}\n\n")
        out.write(_markdown_line(header))
        out.write(_markdown_line(["---"] * len(header)))
        for row in section.rows:
            metric = row.name if row.place is None else f"↳ {row.place}"
            status = status_label(row.status, row.late)
            if row.place is None and row.eased and row.withdrawn_reason is None:
                status += " (eased)"
            cells = [
                status,
                metric,
                row.metric if row.place is None else "",
                row.latest_text,
                str(row.latest_date or ""),
                format_cell(row.expected, row.unit),
                row.target_text,
                row.deadline_text,
                days_left(row.days_to_deadline, row.status),
                "stale" if row.stale else "",
                spc_short(row.spc_variation) or row.spc_note,
                spc_short(row.spc_assurance),
                *(cell(row) for cell in extra.values()),
            ]
            out.write(_markdown_line(cells))
    out.write("\n" + "\n".join(summary_lines(report)) + "\n")


def _markdown_line(cells: Any) -> str:
    return "| " + " | ".join(markdown_escape(str(cell)) for cell in cells) + " |\n"
