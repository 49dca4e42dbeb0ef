"""Everything about one metric on a date, gathered once for ``lsc show`` and ``lsc report``.

A `MetricView` puts side by side what the status engine says (`status`), the actuals that
count, the plan line and the Making Data Count analysis (`spc_inputs`), per place for a metric
tracked by place. The renderers (`renderers.terminal_show` for the terminal,
`renderers.html_report`) only format it, in the words of `words`, so the terminal and the
board report can never disagree.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from . import spc_inputs, status, words
from .models import Actual, Metric, Priority
from .spc import SpcResult
from .status import BaselineUsed, Goal, Knot, Reading, Stage
from .updates import declared

if TYPE_CHECKING:
    from .plan import Plan


@dataclass(frozen=True)
class SeriesView:
    """One line of a metric: the whole metric, or one of its places."""

    place: str | None
    place_name: str | None
    status: str
    latest: Reading | None
    expected: float | None  # the plan line on the latest actual's date
    days_to_deadline: int | None
    stale: bool
    late: bool
    entries: tuple[Actual, ...]  # the entries that count, in date order
    line: tuple[Knot, ...]  # the plan line's knots
    spc: SpcResult | None  # None for a milestone
    baseline: BaselineUsed | None = None  # this series' own (from the log, or not)
    missing: str | None = None  # "baseline not recorded for 2019-03-31", "baseline not agreed"
    stages: tuple[Stage, ...] = ()  # every target of the plan in force, with verdicts
    goals: tuple[Goal, ...] = ()  # targets with a figure, from this series' baseline


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
    line = assessed.line  # the engine's, from this series' own baseline (docs/status-rules.md)
    points = spc_inputs.points_of(numeric)
    base = assessed.baseline
    own = base.value if base is not None else None
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
        spc=spc_inputs.analyse_series(metric, points, as_of),
        baseline=base,
        missing=assessed.missing,
        stages=assessed.stages,
        goals=tuple(status.goals(metric, own)),
    )


def metric_view(
    plan: Plan,
    metric: Metric,
    as_of: date,
    *,
    assessed: status.MetricStatus | None = None,
    entries: Mapping[str | None, Sequence[Actual]] | None = None,
    original: bool = False,
) -> MetricView:
    """Gather everything about ``metric`` on ``as_of``.

    Args:
        plan: the loaded plan (for the priority, the place names and the actuals).
        metric: one of the plan's metrics.
        as_of: the date of the view; later actuals are left out.
        assessed: the metric's status if already computed (as by `status.assess`).
        entries: the metric's log entries by place, if already grouped.
        original: judge against the plan as first written (``--plan original``).

    ``metric`` of the view is the plan in force (``assessed.metric``), so its targets, due
    date and plan line are the ones the status was judged on.
    """
    if entries is None:
        grouped: dict[str | None, list[Actual]] = defaultdict(list)
        for entry in plan.counted:
            if entry.metric == metric.id:
                grouped[entry.place].append(entry)
        entries = grouped
    if assessed is None:
        assessed = status.assess_metric(
            metric, [e for place in entries.values() for e in place], as_of, original=original
        )
        # what `status.assess` adds (issue 15)
        if plan.updates:
            assessed = declared(assessed, plan.updates, as_of)
    metric = assessed.metric
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


def plan_views(
    plan: Plan,
    as_of: date,
    *,
    original: bool = False,
    report: status.StatusReport | None = None,
) -> tuple[status.StatusReport, list[MetricView]]:
    """The status report and a view of every metric, in plan order, reading the log once
    (``original``: judged against the plan as first written). ``report``: the report to
    view, when already assessed (and chosen from, as by `status.select`): a view of each of
    its metrics, with the place rows it keeps."""
    if report is None:
        report = status.assess(plan, as_of, original=original)
    grouped: dict[str, dict[str | None, list[Actual]]] = defaultdict(lambda: defaultdict(list))
    for entry in plan.counted:
        grouped[entry.metric][entry.place].append(entry)
    views = [
        metric_view(plan, assessed.metric, as_of, assessed=assessed, entries=grouped[assessed.id])
        for assessed in report.metrics
    ]
    return report, views


def owner_and_trend(view: MetricView) -> list[tuple[str, str]]:
    """The owner's update in force and the forecast (issue 15), of the metric and of each
    place, as facts: "Owner update (north)": "Off track, 2024-03-05, ...: ..."."""
    found: list[tuple[str, str]] = []
    unit = view.metric.unit
    parts: list[tuple[str | None, Any]] = [(None, view.assessed)]
    parts += [(p.place, p) for p in view.assessed.places]
    for place, part in parts:
        where = f" ({place})" if place else ""
        update = part.update
        if update is not None:
            said = words.update_text(
                update.date, update.note, update.action, update.recovery, update.by
            )
            rating = words.declared_text(update.rag, part.mismatch)
            found.append((f"Owner update{where}", f"{rating}, {said}"))
        trend = part.forecast
        if trend is not None:
            text = words.forecast_sentence(trend, unit)
            misses = part.status == "on_track" and trend.misses()
            warning = f"{words.TREND_MISSES}: " if misses else ""
            found.append((f"Forecast{where}", warning + text))
    return found
