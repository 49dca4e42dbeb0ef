"""What feeds a metric's SPC chart: from the plan's actuals to `spc.analyse`'s arguments.

`spc` is the XmR maths on any series; this module is the bridge from the plan to it:
which actuals of a metric (and place) count on a date, and the SPC settings and target to
analyse them with. The rules for which entries
count are the status engine's (`status.effective_actuals`: entries after ``as_of`` are left
out, and on a date with several entries the last in the log wins), so ``lsc status``,
``lsc spc``, ``lsc show`` and ``lsc report`` always read the same series.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from . import spc, status
from .models import Actual, Metric, SpcSettings
from .plan import Plan
from .plausibility import value_range
from .revisions import plan_in_force

DEFAULT_SETTINGS = SpcSettings()
"""SPC options for a metric without an ``spc:`` block: no rebase, all points, screening on."""

Point = tuple[date, float]


def _entries(plan_or_actuals: Plan | Iterable[Actual]) -> Iterable[Actual]:
    return plan_or_actuals.counted if isinstance(plan_or_actuals, Plan) else plan_or_actuals


def metric_entries(
    plan_or_actuals: Plan | Iterable[Actual], metric: Metric, place: str | None, as_of: date
) -> list[Actual]:
    """The log entries that count for one metric (and place) on ``as_of``, in date order.

    Args:
        plan_or_actuals: a loaded plan, or log entries in log order (other metrics' and
            places' entries are skipped).
        metric: the metric.
        place: the place id for a metric tracked by place, else None.
        as_of: entries dated after this are left out; superseded entries never count.

    Returns:
        One entry per date: the last one the log holds for that date.
    """
    mine = (
        entry
        for entry in _entries(plan_or_actuals)
        if entry.metric == metric.id and entry.place == place
    )
    return status.effective_actuals(mine, as_of)


def provisional_dates(
    plan_or_actuals: Plan | Iterable[Actual], metric: Metric, place: str | None, as_of: date
) -> frozenset[date]:
    """The dates of the series whose figure in force is provisional (`lsc spc` marks them)."""
    counted = metric_entries(plan_or_actuals, metric, place, as_of)
    return frozenset(entry.date for entry in counted if entry.provisional)


def metric_series(
    plan_or_actuals: Plan | Iterable[Actual], metric: Metric, place: str | None, as_of: date
) -> list[Point]:
    """The numeric actuals of one metric (and place) that count on ``as_of``: (date, value)
    pairs in date order, ready for `spc.analyse`. A milestone's ``done`` entries are left out.
    """
    return points_of(metric_entries(plan_or_actuals, metric, place, as_of))


def points_of(counted: Iterable[Actual]) -> list[Point]:
    """The (date, value) points of entries that count, leaving out ``done`` entries."""
    return [
        (entry.date, float(entry.value)) for entry in counted if not isinstance(entry.value, str)
    ]


def current_target(metric: Metric, as_of: date) -> float | None:
    """The figure of the target in force on ``as_of`` (the status engine's choice: the first
    target dated on or after it, else the last), or None when no target has a figure."""
    goal = status.current_goal(status.goals(metric), as_of)
    return None if goal is None else goal.value


def _spc_options(metric: Metric, as_of: date) -> dict[str, Any]:
    """The keyword arguments of `spc.analyse` and `spc.summary` for a metric on ``as_of``."""
    settings = metric.spc or DEFAULT_SETTINGS
    return {
        "direction": metric.direction,
        "target": current_target(metric, as_of),
        "rebase": settings.rebase,
        "fix_after": settings.fix_after,
        "screen_outliers": settings.screen_outliers,
        "value_range": value_range(metric),
    }


def analyse_series(metric: Metric, points: Iterable[Point], as_of: date) -> spc.SpcResult | None:
    """The XmR chart of a series already picked out with `metric_series`.

    None for a milestone or a measure without a direction (which `lsc check` refuses).
    """
    if metric.is_milestone or metric.direction is None:
        return None
    return spc.analyse(list(points), **_spc_options(metric, as_of))


def metric_spc(
    plan_or_actuals: Plan | Iterable[Actual], metric: Metric, place: str | None, as_of: date
) -> spc.SpcResult | None:
    """The Making Data Count analysis of one metric (and place) on ``as_of``.

    Uses the metric's ``spc:`` settings (rebase dates, ``fix_after``, screening) and, for the
    assurance icon, the figure of the target in force on ``as_of`` (`current_target`).

    Args:
        plan_or_actuals: a loaded plan, or log entries in log order.
        metric: the metric.
        place: a place id of a metric tracked by place, else None.
        as_of: the date of the analysis; later entries are left out.

    Returns:
        The analysis (with no groups and no icons when nothing is recorded), or None for a
        milestone and for a metric tracked by place asked about without a place: SPC is
        per place, there is no metric-wide series.

    Raises:
        ValueError: ``place`` is not one of the metric's places, or is given for a metric
            not tracked by place.
    """
    if place is not None and place not in metric.places:
        raise ValueError(f"{metric.id} is not tracked at {place!r}")
    if place is None and metric.places:
        return None
    in_force = plan_in_force(metric, as_of).metric  # the target the board had on as_of
    return analyse_series(in_force, metric_series(plan_or_actuals, metric, place, as_of), as_of)


def spc_summary(found: spc.Icons) -> status.SpcSummary:
    """What a status shows of a series' icons: none below `spc.MIN_POINTS` points in the
    latest group (a verdict from 5 points means nothing), with the count that says why."""
    enough = spc.enough_points(found.points)
    return status.SpcSummary(
        variation=found.variation if enough else None,
        assurance=found.assurance if enough else None,
        points=found.points,
        enough_points=enough,
    )


def assess_with_spc(plan: Plan, as_of: date, *, original: bool = False) -> status.StatusReport:
    """`status.assess`, with each measure's and place's SPC icons filled in (``original``:
    judged against the plan as first written, ``--plan original``).

    The icons come from `spc.summary` (the latest group, the last point: all a status shows;
    none when that group has fewer than `spc.MIN_POINTS` points),
    on the entries the status engine has just picked for each series, so the log is grouped
    and sorted once; a test holds them equal to the whole charts' (`metric_spc` for every series).
    """

    options: dict[str, dict[str, Any]] = {}  # per metric, not per place: 41 places share them

    def icons(metric: Metric, counted: Sequence[Actual]) -> status.SpcSummary | None:
        if metric.direction is None:
            return None
        if metric.id not in options:
            options[metric.id] = _spc_options(metric, as_of)
        found = spc.summary(points_of(counted), **options[metric.id])
        return spc_summary(found)

    return status.assess(plan, as_of, spc=icons, original=original)
