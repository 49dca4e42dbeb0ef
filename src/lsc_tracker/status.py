"""The status engine: where each metric stands against its plan on a given date.

Pure: ``(plan, actuals, as_of) -> results``. No I/O, no clock, no typer or rich. The rules
are written out, with a worked example for each status, in ``docs/status-rules.md``; the
tests in ``tests/test_status.py`` follow those examples one to one.

In short, for each metric (and each place of a metric tracked by place), as of a date D,
counting only actuals dated on or before D:

* a measure is ``no_target``, ``no_data``, ``achieved``, ``overdue``, ``on_track``,
  ``at_risk`` or ``off_track``, judged from its latest actual against its targets and the
  straight-line *plan line* between them;
* a milestone is ``achieved`` once done, else ``overdue``, ``at_risk`` (due within 30 days)
  or ``on_track``;
* a metric with places takes the worst of its places, and a priority the worst of its
  metrics (``no_target`` counts only when nothing else does).
"""

from __future__ import annotations

import math
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Final, NamedTuple

from .models import CADENCE_DAYS, Actual, Metric, Priority
from .problems import did_you_mean

if TYPE_CHECKING:
    from .plan import Plan

STATUS_ORDER: Final = (
    "overdue",
    "off_track",
    "at_risk",
    "no_data",
    "on_track",
    "achieved",
    "no_target",
)
"""Every status, worst first. ``no_target`` is last so that a roll-up ignores it unless
every part is ``no_target``."""

STATUSES: Final = frozenset(STATUS_ORDER)

MILESTONE_WARNING_DAYS: Final = 30
"""A milestone not yet done is ``at_risk`` when due within this many days."""

STALE_PERIODS: Final = 1.5
"""A measure is stale when its latest actual is older than this many reporting periods."""

_EPSILON: Final = 1e-9
"""Relative slack in comparisons, so that binary rounding (baseline x (1 + change), or a
shortfall exactly at the tolerance) never flips a boundary case."""

Knot = tuple[date, float]
"""A point of the plan line: (date, value)."""


@dataclass(frozen=True)
class Reading:
    """An actual as the status sees it: the value that counts on a date."""

    date: date
    value: float | str  # a number, or "done" for a milestone


@dataclass(frozen=True)
class Goal:
    """A target with its figure resolved (a ``change`` target becomes baseline x (1 + change))."""

    by: date
    value: float


@dataclass(frozen=True)
class SpcSummary:
    """Making Data Count icons for a metric; filled in by the SPC step, not by this module."""

    variation: str | None
    assurance: str | None


@dataclass(frozen=True)
class PlaceStatus:
    """Where one place of a metric stands."""

    place: str | None  # None for a metric not tracked by place
    status: str
    latest: Reading | None
    expected: float | None  # the plan line on the latest actual's date
    target: Goal | None  # the current target, or the last one when all are past
    days_to_deadline: int | None  # negative when the deadline is past
    stale: bool
    late: bool  # a milestone done after its due date
    actuals_counted: int  # entries that count (on or before as_of, not superseded)
    spc: SpcSummary | None = None  # filled in by assess(spc=...): spc_inputs.assess_with_spc


@dataclass(frozen=True)
class MetricStatus:
    """Where one metric stands. For a metric tracked by place, ``status`` is the worst of
    ``places``; ``stale`` is true when any place's is, and ``late`` when every place is done
    and any was late; ``latest`` and ``expected`` are None (each place has its own), and
    ``target`` is metric-wide."""

    metric: Metric
    status: str
    latest: Reading | None
    expected: float | None
    target: Goal | None
    days_to_deadline: int | None
    stale: bool
    late: bool
    actuals_counted: int
    places: tuple[PlaceStatus, ...] = ()
    spc: SpcSummary | None = None
    shown_for_places: bool = False
    """Set by `select` with a status filter: the metric's own status is not one asked for,
    and it is there only to head the places that are. Flat outputs leave its row out, and
    ``--fail-on`` does not count it."""

    @property
    def id(self) -> str:
        return self.metric.id

    @property
    def deadline(self) -> date | None:
        """The current target's date, or a milestone's due date."""
        if self.metric.is_milestone:
            return self.metric.due
        return None if self.target is None else self.target.by


@dataclass(frozen=True)
class PriorityStatus:
    """A priority's roll-up: the worst of its metrics, and how many have each status."""

    priority: Priority
    status: str
    counts: Mapping[str, int]  # in STATUS_ORDER, statuses with no metric left out

    @property
    def id(self) -> str:
        return self.priority.id


@dataclass(frozen=True)
class StatusReport:
    """The result of `assess`: priorities in plan order, then metrics in plan order."""

    as_of: date
    priorities: tuple[PriorityStatus, ...]
    metrics: tuple[MetricStatus, ...]
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """How many of the metrics have each status, in STATUS_ORDER."""
        return count_statuses(m.status for m in self.metrics)

    @property
    def deadlines_missed(self) -> int:
        """Metrics whose deadline is past and not achieved (measures with targets, milestones)."""
        return sum(
            1
            for m in self.metrics
            if m.days_to_deadline is not None and m.days_to_deadline < 0 and m.status != "achieved"
        )

    @property
    def actuals_counted(self) -> int:
        return sum(m.actuals_counted for m in self.metrics)


# --- helpers --------------------------------------------------------------------------------


def worst(statuses: Iterable[str]) -> str:
    """The worst of some statuses (``no_target`` only when all are). Raises on none."""
    ranks = [STATUS_ORDER.index(s) for s in statuses]
    if not ranks:
        raise ValueError("worst() of no statuses")
    return STATUS_ORDER[min(ranks)]


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """Count statuses, in STATUS_ORDER, leaving out those with a count of 0."""
    counts = Counter(statuses)
    return {s: counts[s] for s in STATUS_ORDER if counts[s]}


def normalise_status(text: str) -> str:
    """``Off-Track``, ``off track`` and ``OFF_TRACK`` all mean ``off_track``."""
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


def parse_statuses(text: str) -> tuple[str, ...]:
    """A comma-separated list of status names, normalised; ValueError names the unknown one."""
    found: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        name = normalise_status(part)
        if name not in STATUSES:
            hint = did_you_mean(name, STATUS_ORDER)
            raise ValueError(
                f"unknown status {part.strip()!r}{hint}; choose from {', '.join(STATUS_ORDER)}"
            )
        if name not in found:
            found.append(name)
    if not found:
        raise ValueError(f"give one or more of {', '.join(STATUS_ORDER)}, separated by commas")
    return tuple(found)


def effective_actuals(entries: Iterable[Actual], as_of: date) -> list[Actual]:
    """The entries that count for one (metric, place), in date order.

    Entries dated after ``as_of`` are left out. On a date with several entries only the last
    in the log counts (a later ``replaces: true`` entry corrects an earlier one), so a
    superseded entry counts nowhere, not even as the plan line's starting point.

    Args:
        entries: one (metric, place)'s entries, in log order.
        as_of: the date of the assessment.
    """
    by_date: dict[date, Actual] = {}
    for entry in entries:
        if entry.date <= as_of:
            by_date[entry.date] = entry  # the last entry in the log for a date wins
    return [by_date[day] for day in sorted(by_date)]


def goals(metric: Metric) -> list[Goal]:
    """The metric's targets that have a figure, in date order (open targets take no part)."""
    found = []
    for target in metric.targets:
        value = metric.target_value(target)
        if value is not None:
            found.append(Goal(target.by, value))
    return sorted(found, key=lambda goal: goal.by)


def current_goal(all_goals: Sequence[Goal], as_of: date) -> Goal | None:
    """The first goal dated on or after ``as_of``; the last one when all are past."""
    for goal in all_goals:
        if goal.by >= as_of:
            return goal
    return all_goals[-1] if all_goals else None


def plan_line(metric: Metric, earliest: Actual | Reading | None = None) -> tuple[Knot, ...]:
    """The knots of the plan line: the starting point, then every target with a figure.

    The starting point is the baseline or, when there is none, ``earliest`` (the earliest
    actual that counts). A starting point dated on or after the first target is left out:
    the line then starts at the first target. Empty when no target has a figure.
    """
    targets = goals(metric)
    if not targets:
        return ()
    start: Knot | None = None
    if metric.baseline is not None:
        start = (metric.baseline.date, metric.baseline.value)
    elif earliest is not None and isinstance(earliest.value, float | int):
        start = (earliest.date, float(earliest.value))
    knots = [(goal.by, goal.value) for goal in targets]
    if start is not None and start[0] < knots[0][0]:
        knots.insert(0, start)
    return tuple(knots)


def _segment(line: Sequence[Knot], day: date) -> tuple[Knot, Knot]:
    """The segment of the line holding ``day``: a day on a knot belongs to the segment that
    ends there, and the starting point's own day to the first segment (the line is flat only
    *before* it); before the first knot or after the last, the flat segment beyond it."""
    if day < line[0][0]:
        return line[0], line[0]
    for left, right in pairwise(line):
        if day <= right[0]:
            return left, right
    return line[-1], line[-1]


def expected_value_on(line: Sequence[Knot], day: date) -> float | None:
    """The plan line's value on ``day``: linear between knots, flat beyond the ends."""
    if not line:
        return None
    (start, low), (end, high) = _segment(line, day)
    if start == end or low == high:
        return low
    share = (day - start).days / (end - start).days
    step = high - low
    if math.isfinite(step):
        return low + step * share
    # knots of opposite sign near the largest float: their difference overflows, but the
    # weighted mean of the two cannot leave the range between them
    between = low * (1 - share) + high * share
    return min(max(between, min(low, high)), max(low, high))


def segment_span(line: Sequence[Knot], day: date) -> float:
    """The absolute change in value over the segment holding ``day`` (0 on a flat one); at
    most the largest float (knots of opposite sign near it would overflow)."""
    (_, low), (_, high) = _segment(line, day)
    return min(abs(high - low), _LARGEST)


_LARGEST: Final = sys.float_info.max


class Shortfall(NamedTuple):
    """How far a value is behind the plan line: ``amount`` in the metric's unit (<= 0 is on
    or ahead of the line), ``span`` the step of the plan segment it is judged on, and
    ``ratio`` = amount / span, which the metric's tolerance is compared with.

    Differences of figures near the largest float overflow: ``amount`` and ``span`` are then
    shown as the largest float, and ``ratio`` is computed from halves, which cannot."""

    expected: float
    amount: float
    span: float
    exact_ratio: float | None = None

    @property
    def ratio(self) -> float:
        return self.amount / self.span if self.exact_ratio is None else self.exact_ratio


def shortfall(direction: str, line: Sequence[Knot], latest: Reading) -> Shortfall:
    """The shortfall of ``latest`` against the plan line on its date (the at-risk and
    off-track rules); a flat segment's span is |E|, and 1 when E is 0."""
    expected = expected_value_on(line, latest.date)
    if expected is None or not isinstance(latest.value, float | int):
        raise ValueError("a shortfall needs a plan line and a numeric value")
    value = float(latest.value)
    worse, better = (value, expected) if direction == "decrease" else (expected, value)
    amount = worse - better
    (_, low), (_, high) = _segment(line, latest.date)
    span = abs(high - low) or abs(expected) or 1.0
    if math.isfinite(amount) and math.isfinite(span):
        return Shortfall(expected, amount, span)
    half_span = abs(high / 2 - low / 2) or abs(expected / 2) or 0.5
    ratio = (worse / 2 - better / 2) / half_span
    clamp = min(max(amount, -_LARGEST), _LARGEST)
    return Shortfall(expected, clamp, min(span, _LARGEST), ratio)


def meets(value: float, goal: float, direction: str) -> bool:
    """Whether ``value`` is at least as good as ``goal`` (<= for decrease, >= for increase)."""
    slack = _EPSILON * max(1.0, abs(goal))
    if direction == "decrease":
        return value <= goal + slack
    if direction == "increase":
        return value >= goal - slack
    raise ValueError(f"direction must be increase or decrease, got {direction!r}")


def is_stale(metric: Metric, latest: date | None, as_of: date) -> bool:
    """The latest actual is older than 1.5 reporting periods (a period is 31, 92 or 366 days)."""
    if metric.cadence is None or latest is None:
        return False
    return (as_of - latest).days > STALE_PERIODS * CADENCE_DAYS[metric.cadence]


def _reading(actual: Actual | None) -> Reading | None:
    return None if actual is None else Reading(actual.date, actual.value)


# --- one place of a metric (or a metric not tracked by place) ------------------------------


def _assess_measure(
    metric: Metric,
    place: str | None,
    counted: Sequence[Actual],
    as_of: date,
    spc: SpcSummary | None = None,
) -> PlaceStatus:
    if metric.direction is None:
        raise ValueError(f"measure {metric.id!r} has no direction")
    targets = goals(metric)
    target = current_goal(targets, as_of)
    days = None if target is None else (target.by - as_of).days
    latest = counted[-1] if counted else None
    stale = is_stale(metric, latest and latest.date, as_of)

    def result(status: str, expected: float | None = None) -> PlaceStatus:
        return PlaceStatus(
            place=place,
            status=status,
            latest=_reading(latest),
            expected=expected,
            target=target,
            days_to_deadline=days,
            stale=stale,
            late=False,
            actuals_counted=len(counted),
            spc=spc,
        )

    if target is None:
        return result("no_target")
    if latest is None:
        return result("no_data")
    value = float(latest.value)
    line = plan_line(metric, counted[0])
    expected = expected_value_on(line, latest.date)
    last = targets[-1]
    if meets(value, last.value, metric.direction):
        return result("achieved", expected)
    if last.by < as_of:
        return result("overdue", expected)
    if meets(value, target.value, metric.direction):
        return result("on_track", expected)
    assert expected is not None  # the line has at least the current target
    gap = shortfall(metric.direction, line, Reading(latest.date, value))
    if gap.amount <= _EPSILON * max(1.0, abs(expected)):  # on the line, to rounding
        return result("on_track", expected)
    if gap.ratio <= metric.tolerance + _EPSILON:
        return result("at_risk", expected)
    return result("off_track", expected)


def _assess_milestone(
    metric: Metric, place: str | None, counted: Sequence[Actual], as_of: date
) -> PlaceStatus:
    due = metric.due
    done = next((a for a in counted if a.value == "done"), None)
    days = None if due is None else (due - as_of).days
    if due is None:
        status = "no_target"
    elif done is not None:
        status = "achieved"
    elif due < as_of:
        status = "overdue"
    elif (due - as_of).days <= MILESTONE_WARNING_DAYS:
        status = "at_risk"
    else:
        status = "on_track"
    return PlaceStatus(
        place=place,
        status=status,
        latest=_reading(done),
        expected=None,
        target=None,
        days_to_deadline=days,
        stale=False,
        late=done is not None and due is not None and done.date > due,
        actuals_counted=len(counted),
    )


SpcHook = Callable[[Metric, Sequence[Actual]], "SpcSummary | None"]
"""Given a measure and one series' counted entries (date order), its SPC icons: how
`spc_inputs.assess_with_spc` adds Making Data Count to a status run without this engine knowing
SPC, and without grouping and sorting the log a second time."""


def _assess_one(
    metric: Metric,
    place: str | None,
    entries: Iterable[Actual],
    as_of: date,
    spc: SpcHook | None = None,
) -> PlaceStatus:
    counted = effective_actuals(entries, as_of)
    if metric.is_milestone:
        return _assess_milestone(metric, place, counted, as_of)
    icons = spc(metric, counted) if spc is not None else None
    return _assess_measure(metric, place, counted, as_of, icons)


# --- metrics, priorities, the report ---------------------------------------------------------


def assess_metric(metric: Metric, actuals: Iterable[Actual], as_of: date) -> MetricStatus:
    """Where one metric stands on ``as_of``.

    Args:
        metric: the metric, with its targets (or due date) and places.
        actuals: this metric's entries from the log, in log order; entries for other
            metrics, for places the metric is not tracked at, or dated after ``as_of``
            are ignored.
        as_of: the date of the assessment (D in docs/status-rules.md).

    Returns:
        The metric's status and, for a metric tracked by place, each place's.
    """
    by_place: dict[str | None, list[Actual]] = defaultdict(list)
    for entry in actuals:
        if entry.metric == metric.id:
            by_place[entry.place].append(entry)
    return _assess_grouped(metric, by_place, as_of)


def _assess_grouped(
    metric: Metric,
    by_place: Mapping[str | None, Sequence[Actual]],
    as_of: date,
    spc: SpcHook | None = None,
) -> MetricStatus:
    if not metric.places:
        own = _assess_one(metric, None, by_place.get(None, ()), as_of, spc)
        return MetricStatus(
            metric=metric,
            status=own.status,
            latest=own.latest,
            expected=own.expected,
            target=own.target,
            days_to_deadline=own.days_to_deadline,
            stale=own.stale,
            late=own.late,
            actuals_counted=own.actuals_counted,
            spc=own.spc,
        )
    places = tuple(
        _assess_one(metric, place, by_place.get(place, ()), as_of, spc) for place in metric.places
    )
    return _roll_up_places(metric, places)


def _roll_up_places(metric: Metric, places: tuple[PlaceStatus, ...]) -> MetricStatus:
    first = places[0]  # target and deadline are metric-wide, so the same for every place
    status = worst(p.status for p in places)
    return MetricStatus(
        metric=metric,
        status=status,
        latest=None,
        expected=None,
        target=first.target,
        days_to_deadline=first.days_to_deadline,
        stale=any(p.stale for p in places),
        late=status == "achieved" and any(p.late for p in places),
        actuals_counted=sum(p.actuals_counted for p in places),
        places=places,
    )


def roll_up_priority(priority: Priority, metrics: Iterable[MetricStatus]) -> PriorityStatus:
    """A priority's status: the worst of its metrics', leaving out ``no_target`` unless all
    are (a priority with no metrics is ``no_target``), with a count per status."""
    statuses = [m.status for m in metrics if m.metric.priority == priority.id]
    return PriorityStatus(
        priority=priority,
        status=worst(statuses) if statuses else "no_target",
        counts=count_statuses(statuses),
    )


def assess(plan: Plan, as_of: date, *, spc: SpcHook | None = None) -> StatusReport:
    """Where every metric and priority of the plan stands on ``as_of``.

    Reads the actuals log once, grouping it by (metric, place), so the cost grows with
    n log n in the number of entries.

    Args:
        plan: a loaded plan (``plan.priorities``, ``plan.metrics``, ``plan.actuals``).
        as_of: the date of the assessment; actuals dated after it are ignored.
        spc: fills in each measure's (or place's) ``spc`` icons (see `SpcHook`); None
            leaves them out.

    Returns:
        Priorities and metrics in plan order, with their statuses.
    """
    grouped: dict[str, dict[str | None, list[Actual]]] = defaultdict(lambda: defaultdict(list))
    for entry in plan.actuals:
        grouped[entry.metric][entry.place].append(entry)
    metrics = tuple(_assess_grouped(m, grouped.get(m.id, {}), as_of, spc) for m in plan.metrics)
    priorities = tuple(roll_up_priority(p, metrics) for p in plan.priorities)
    return StatusReport(as_of=as_of, priorities=priorities, metrics=metrics)


# --- views -----------------------------------------------------------------------------------


def select(
    report: StatusReport,
    *,
    priorities: Collection[str] = (),
    place: str | None = None,
    statuses: Collection[str] = (),
) -> StatusReport:
    """A view of the report, for ``lsc status --priority/--place/--status``.

    * ``priorities``: only these priorities and their metrics.
    * ``place``: only metrics tracked at this place, each showing only that place's row and
      taking that place's status; priority roll-ups are recomputed over these metrics, and
      priorities with none are left out.
    * ``statuses``: only rows with one of these statuses: a place row when its own status
      is listed, a metric when its own status is, or any of its place rows is. Roll-ups
      still cover every metric in scope, so a heading never hides what the filter hides.
    """
    wanted = set(priorities)
    in_scope = [m for m in report.metrics if not wanted or m.metric.priority in wanted]
    if place is not None:
        in_scope = [_at_place(m, place) for m in in_scope if place in m.metric.places]
    scoped_ids = {m.metric.priority for m in in_scope}
    rolled = tuple(
        roll_up_priority(p.priority, in_scope)
        for p in report.priorities
        if (not wanted or p.id in wanted) and (place is None or p.id in scoped_ids)
    )
    shown = in_scope
    if statuses:
        shown = [kept for m in in_scope if (kept := _with_statuses(m, set(statuses)))]
    filters = {
        "priority": tuple(priorities),
        "place": (place,) if place else (),
        "status": tuple(statuses),
    }
    return StatusReport(
        as_of=report.as_of,
        priorities=rolled,
        metrics=tuple(shown),
        filters={key: value for key, value in filters.items() if value},
    )


def _at_place(metric: MetricStatus, place: str) -> MetricStatus:
    rows = tuple(p for p in metric.places if p.place == place)
    spc = rows[0].spc if rows else metric.spc
    return replace(_roll_up_places(metric.metric, rows), spc=spc)


def _with_statuses(metric: MetricStatus, statuses: set[str]) -> MetricStatus | None:
    places = tuple(p for p in metric.places if p.status in statuses)
    if metric.status in statuses or places:
        return replace(metric, places=places, shown_for_places=metric.status not in statuses)
    return None


def rows_with(
    report: StatusReport, statuses: Collection[str]
) -> list[tuple[MetricStatus, PlaceStatus | None]]:
    """Every row of the report (a metric, or one of its places) whose status is listed.

    Used by ``--fail-on``: a place row counts as well as its metric's, so a place at risk
    under a metric that is overdue still trips ``--fail-on at_risk``.
    """
    found: list[tuple[MetricStatus, PlaceStatus | None]] = []
    for metric in report.metrics:
        if metric.status in statuses and not metric.shown_for_places:
            found.append((metric, None))
        found.extend((metric, p) for p in metric.places if p.status in statuses)
    return found
