"""Everything about one metric on a date, gathered once for ``lsc show`` and ``lsc report``.

A `MetricView` puts side by side what the status engine says (`status`), the actuals that
count, the plan line and the Making Data Count analysis (`mdc`), per place for a metric
tracked by place. The renderers (`show` for the terminal, `report` for HTML) only format
it, so the terminal and the board report can never disagree. Also the number and date
wording both renderers share.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from . import mdc, status
from .models import Actual, Metric, Priority
from .spc import COMMON_CAUSE, SpcResult

if TYPE_CHECKING:
    from .loader import Plan


@dataclass(frozen=True)
class SeriesView:
    """One line of a metric: the whole metric, or one of its places."""

    place: str | None
    place_name: str | None
    status: str
    latest: status.Reading | None
    expected: float | None  # the plan line on the latest actual's date
    days_to_deadline: int | None
    stale: bool
    late: bool
    entries: tuple[Actual, ...]  # the entries that count, in date order
    line: tuple[status.Knot, ...]  # the plan line's knots
    spc: SpcResult | None  # None for a milestone


@dataclass(frozen=True)
class MetricView:
    """A metric, its status and its series (one, or one per place), on ``as_of``."""

    metric: Metric
    priority: Priority | None
    assessed: status.MetricStatus
    goals: tuple[status.Goal, ...]  # targets with a figure, in date order
    series: tuple[SeriesView, ...]
    as_of: date

    @property
    def id(self) -> str:
        return self.metric.id


def _series(
    metric: Metric,
    place: str | None,
    place_name: str | None,
    assessed: status.MetricStatus | status.PlaceStatus,
    entries: Sequence[Actual],
    as_of: date,
) -> SeriesView:
    counted = status.effective_actuals(entries, as_of)
    numeric = [e for e in counted if not isinstance(e.value, str)]
    line = () if metric.is_milestone else status.plan_line(metric, numeric[0] if numeric else None)
    points = mdc.points_of(numeric)
    return SeriesView(
        place=place,
        place_name=place_name,
        status=assessed.status,
        latest=assessed.latest,
        expected=assessed.expected,
        days_to_deadline=assessed.days_to_deadline,
        stale=assessed.stale,
        late=assessed.late,
        entries=tuple(counted),
        line=line,
        spc=mdc.analyse_series(metric, points, as_of),
    )


def metric_view(
    plan: Plan,
    metric: Metric,
    as_of: date,
    *,
    assessed: status.MetricStatus | None = None,
    entries: Mapping[str | None, Sequence[Actual]] | None = None,
) -> MetricView:
    """Gather everything about ``metric`` on ``as_of``.

    Args:
        plan: the loaded plan (for the priority, the place names and the actuals).
        metric: one of the plan's metrics.
        as_of: the date of the view; later actuals are left out.
        assessed: the metric's status if already computed (as by `status.assess`).
        entries: the metric's log entries by place, if already grouped.
    """
    if entries is None:
        grouped: dict[str | None, list[Actual]] = defaultdict(list)
        for entry in plan.actuals:
            if entry.metric == metric.id:
                grouped[entry.place].append(entry)
        entries = grouped
    if assessed is None:
        assessed = status.assess_metric(
            metric, [e for place in entries.values() for e in place], as_of
        )
    if metric.places:
        names = plan.place_by_id
        series = tuple(
            _series(
                metric,
                row.place,
                names[row.place].name if row.place in names else row.place,
                row,
                entries.get(row.place, ()),
                as_of,
            )
            for row in assessed.places
        )
    else:
        series = (_series(metric, None, None, assessed, entries.get(None, ()), as_of),)
    return MetricView(
        metric=metric,
        priority=plan.priority_by_id.get(metric.priority),
        assessed=assessed,
        goals=tuple(status.goals(metric)),
        series=series,
        as_of=as_of,
    )


def plan_views(plan: Plan, as_of: date) -> tuple[status.StatusReport, list[MetricView]]:
    """The status report and a view of every metric, in plan order, reading the log once."""
    report = status.assess(plan, as_of)
    grouped: dict[str, dict[str | None, list[Actual]]] = defaultdict(lambda: defaultdict(list))
    for entry in plan.actuals:
        grouped[entry.metric][entry.place].append(entry)
    views = [
        metric_view(plan, assessed.metric, as_of, assessed=assessed, entries=grouped[assessed.id])
        for assessed in report.metrics
    ]
    return report, views


# --- wording shared by the renderers ---------------------------------------------------------

_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""Characters a terminal acts on rather than shows: C0 controls but tab and newline (ESC
starts the escape sequences that recolour, retitle or rewrite a terminal), DEL, C1 controls
(CSI among them), and the bidirectional overrides and line separators that reorder or break
what is shown."""


def visible(text: str) -> str:
    """User text (a name, a note, who recorded it) as a terminal must show it: every
    character it would act on written out as an escape, ``\\x1b`` or ``\\u202e``, so the text
    reads as it was typed and cannot recolour, move or rewrite anything on the screen. Every
    terminal renderer passes user text through this (and prints it as rich `Text`, never as
    markup, so ``[red]`` and ``[/]`` print as typed)."""
    if _HIDDEN.search(text) is None:
        return text
    return _HIDDEN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


STATUS_LABELS: dict[str, str] = {
    "overdue": "Overdue",
    "off_track": "Off track",
    "at_risk": "At risk",
    "no_data": "No data",
    "on_track": "On track",
    "achieved": "Achieved",
    "no_target": "No target",
}


def format_number(value: float) -> str:
    """A figure for people: thousands separators, no needless decimals (72.1, 1,250, 5.52)."""
    magnitude = abs(value)
    if magnitude >= 1e15:  # beyond any figure of a plan: 1.2e+308, not 309 digits
        return f"{value:.4g}"
    decimals = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(share: float, *, sign: bool = False) -> str:
    """A share as a whole percentage (``10%``, ``+25%``); a share too large for a percentage
    to mean anything (a tolerance of 1e308) as a multiple, never ``inf%``."""
    if abs(share) < 1e6:
        return f"{share:{'+' if sign else ''}.0%}"
    return f"{'+' if sign and share > 0 else ''}{format_number(share)} times"


def format_value(value: float | str | None, unit: str | None = None) -> str:
    """An actual as recorded (every digit kept), with a % sign for percentages."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    text = format(value, ",.10g")
    return f"{text}%" if unit == "%" else text


def format_figure(value: float | None, unit: str | None = None) -> str:
    """A computed figure (mean, limit, plan line), rounded with `format_number`."""
    if value is None:
        return "—"
    text = format_number(value)
    return f"{text}%" if unit == "%" else text


def describe_days(days: int | None) -> str:
    """``in 30 days``, ``today``, ``12 days ago``; empty when there is no deadline."""
    if days is None:
        return ""
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"


def direction_words(metric: Metric) -> str:
    """Which way is better, in words."""
    if metric.direction == "increase":
        return "higher is better"
    if metric.direction == "decrease":
        return "lower is better"
    return ""


def spc_verdict(metric: Metric, result: SpcResult | None) -> str:
    """The figures behind the icons in one sentence: points, mean, limits, special causes."""
    if result is None:
        return "SPC applies to measures only."
    unit = metric.unit
    if not result.points:
        return "No SPC analysis: no actuals recorded yet."
    group = result.groups[-1]
    words = [f"{len(result.points)} point{'s' if len(result.points) != 1 else ''}"]
    if len(result.groups) > 1:
        words.append(f"{len(result.groups)} periods (rebased from {group.start})")
    if group.upl is None or group.lpl is None:
        words.append(f"mean {format_figure(group.mean, unit)}, no process limits yet")
    else:
        trial = " (trial limits: fewer than 13 points)" if group.trial else ""
        words.append(
            f"mean {format_figure(group.mean, unit)}, process limits "
            f"{format_figure(group.lpl, unit)} to {format_figure(group.upl, unit)}{trial}"
        )
    specials = [p for p in result.points if p.type != COMMON_CAUSE]
    if specials:
        rules = sorted({mdc.RULE_LABELS[p.rule] for p in specials if p.rule})
        points = "point" if len(specials) == 1 else "points"
        words.append(f"{len(specials)} special cause {points} ({'; '.join(rules)})")
    if result.target is not None:
        words.append(f"target used for assurance {format_figure(result.target, unit)}")
    return "SPC: " + ", ".join(words) + "."
