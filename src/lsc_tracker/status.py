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
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING, Final, NamedTuple

from .forecast import MIN_POINTS as MIN_FORECAST_POINTS
from .forecast import Forecast, forecast
from .models import (
    CADENCE_DAYS,
    RELATIVE_SLACK,
    Actual,
    Baseline,
    Metric,
    Priority,
    Revision,
    Target,
    meets,
)
from .problems import did_you_mean
from .revisions import AppliedRevision, plan_in_force
from .updates import Update, declared

if TYPE_CHECKING:
    from .asknown import AsKnown
    from .changes import Change
    from .plan import Plan

STATUS_ORDER: Final = (
    "overdue",
    "off_track",
    "at_risk",
    "no_baseline",
    "no_data",
    "on_track",
    "achieved",
    "no_target",
    "withdrawn",
)
"""Every status, worst first. ``no_target`` and ``withdrawn`` are last so that a roll-up
ignores them unless every part is one of them (and ``--fail-on overdue`` never sees a
withdrawn metric: it is never overdue)."""

STATUSES: Final = frozenset(STATUS_ORDER)

UNJUDGED: Final = frozenset({"no_target", "withdrawn"})
"""Statuses that say the plan asks nothing to judge: left out of roll-ups."""

PLANS: Final = ("current", "original")
"""``--plan``: judge against the plan in force (revisions applied), or as first written."""

STAGE_VERDICTS: Final = ("pending", "met", "missed", "no_data", "open", "no_baseline")
"""A dated (``by``) stage's verdicts; see `Stage`."""

STANDING_VERDICTS: Final = ("pending", "holding", "breached", "no_data", "open", "no_baseline")
"""A standing (``from``) stage's verdicts."""

MILESTONE_WARNING_DAYS: Final = 30
"""A milestone not yet done is ``at_risk`` when due within this many days."""

STALE_PERIODS: Final = 1.5
"""A measure is stale when its latest actual is older than this many reporting periods."""

_EPSILON: Final = RELATIVE_SLACK  # (`models.meets`'s slack, for the shortfall too)

Knot = tuple[date, float]
"""A point of the plan line: (date, value)."""


@dataclass(frozen=True)
class Reading:
    """An actual as the status sees it: the value that counts on a date."""

    date: date
    value: float | str  # a number, or "done" for a milestone
    provisional: bool = False  # the entry behind it is provisional, to be confirmed
    source: str | None = None  # the system the figure came from


@dataclass(frozen=True)
class Goal:
    """A target with its figure resolved (a ``change`` target becomes baseline x (1 + change)).

    ``by`` is the deadline or, for a standing target (``standing``), the date it holds from.
    ``change`` is the relative change it was resolved from, if it was one."""

    by: date
    value: float
    standing: bool = False
    change: float | None = field(default=None, compare=False)  # how it was written, not what


@dataclass(frozen=True)
class Unresolved:
    """The target in view when its figure cannot be given: a ``change`` whose baseline has no
    value (none recorded for its date, or none agreed), or, on the row of a metric tracked by
    place, a change against each place's own baseline. JSON writes it as ``"value": null``
    beside the change."""

    by: date
    change: float
    standing: bool = False


@dataclass(frozen=True)
class BaselineUsed:
    """The baseline a series is judged from: as written (``from_log`` false), taken from the
    actual counted on its date (``from_log`` true), or missing its value (``value`` None:
    not recorded for ``date``, or, with no ``date``, not agreed; ``note`` says why)."""

    date: date | None
    value: float | None
    from_log: bool
    note: str | None = None

    @property
    def missing(self) -> str | None:
        """What is missing, in words, or None when the value is known."""
        if self.value is not None:
            return None
        if self.date is None:
            return "baseline not agreed"
        return f"baseline not recorded for {self.date.isoformat()}"


class Stage(NamedTuple):
    """One target of the plan in force as a stage with its own verdict (docs/status-rules.md).

    ``day`` is the target's ``by`` (or, ``standing``, its ``from``); ``figure`` its resolved
    value (None: open, or a change with no baseline value). ``actual``: the reading judged
    (for a dated stage the latest counted on or before ``day``, after the previous stage's
    date and within 1.5 periods of ``day`` when the metric has a cadence; for a standing one
    the latest on or after ``day``). ``breaches`` and ``last_breach``: standing stages only,
    the counted actuals dated on or after ``day`` that miss the figure. A named tuple, not a
    dataclass: one is built per target per series, tens of thousands in a national run."""

    target: Target
    day: date
    standing: bool
    figure: float | None
    verdict: str
    actual: Reading | None = None
    breaches: int = 0
    last_breach: date | None = None


@dataclass(frozen=True)
class SpcSummary:
    """Making Data Count icons for a metric; filled in by the SPC step, not by this module.
    The icons are None when the series since its latest rebase has fewer points than SPC
    needs (``enough_points`` false: `spc.MIN_POINTS`)."""

    variation: str | None
    assurance: str | None
    points: int = 0  # of the latest group (since the latest rebase)
    enough_points: bool = False


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
    baseline: BaselineUsed | None = None  # None: the plan states no baseline
    unresolved: Unresolved | None = None  # the target in view when ``target`` cannot be given
    missing: str | None = None  # "baseline not recorded for 2019-03-31", "baseline not agreed"
    stages: tuple[Stage, ...] = ()  # every target of the plan in force, in order
    line: tuple[Knot, ...] = ()  # the plan line's knots (empty for a milestone)
    update: Update | None = None  # the owner's update for this place in force (`updates`)
    mismatch: str | None = None  # "declared_better", "declared_worse" (`updates.mismatch`)
    forecast: Forecast | None = None  # the trend against the target (`forecast`)
    was: str | None = None  # the status on the --since date (`changes.compare`)

    @property
    def deadline(self) -> date | None:
        """The date of the target in view (None once a standing target holds)."""
        return _deadline_of(self.target, self.unresolved, self.days_to_deadline)


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
    baseline: BaselineUsed | None = None  # a metric with places: as written (each has its own)
    unresolved: Unresolved | None = None
    missing: str | None = None
    stages: tuple[Stage, ...] = ()  # a metric with places: empty (each place has its own)
    line: tuple[Knot, ...] = ()
    revisions: tuple[AppliedRevision, ...] = ()  # in force on as_of, in order
    withdrawn: Revision | None = None  # the revision that withdrew the metric, if in force
    original_due: date | None = None  # as first written (when a revision is in force)
    original_targets: tuple[Target, ...] = ()
    written: Metric | None = None  # the metric as first written; ``metric`` is the plan in force
    update: Update | None = None  # the owner's update on the metric as a whole, in force
    mismatch: str | None = None  # the update's rating against ``status`` (`updates.mismatch`)
    forecast: Forecast | None = None  # a metric not tracked by place (else each place's)
    was: str | None = None  # the status on the --since date (`changes.compare`)
    reasons: tuple[str, ...] = ()  # why it needs attention (`exceptions.only_exceptions`)

    @property
    def id(self) -> str:
        return self.metric.id

    @property
    def deadline(self) -> date | None:
        """The current target's date, or a milestone's due date (of the plan in force); None
        for a withdrawn metric and once a standing target holds."""
        if self.withdrawn is not None:
            return None
        if self.metric.is_milestone:
            return self.metric.due
        return _deadline_of(self.target, self.unresolved, self.days_to_deadline)

    @property
    def eased(self) -> bool:
        """A revision in force eased the plan (boards must see every easing)."""
        return any(applied.eased for applied in self.revisions)


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
    plan: str = "current"  # "original": judged against the plan as first written
    as_known: AsKnown | None = None  # the plan and logs as known on a past date (--as-known)
    since: date | None = None  # --since: ``was`` and ``changes`` are against this date
    changes: tuple[Change, ...] = ()  # every row whose status moved since ``since``
    exceptions: bool = False  # --exceptions: one row per metric needing attention

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
            if m.days_to_deadline is not None
            and m.days_to_deadline < 0
            and m.status not in ("achieved", "withdrawn")
        )

    @property
    def actuals_counted(self) -> int:
        return sum(m.actuals_counted for m in self.metrics)


def _deadline_of(
    target: Goal | None, unresolved: Unresolved | None, days: int | None
) -> date | None:
    shown = target or unresolved
    if shown is None or (shown.standing and days is None):
        return None
    return shown.by


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


def _figure(target: Target, baseline: float | None) -> float | None:
    """A target's figure: its value, or baseline x (1 + change); None when open or when the
    baseline has no value."""
    if target.value is not None:
        return target.value
    if target.change is not None and baseline is not None:
        return baseline * (1 + target.change)
    return None


def _from_log(baseline: Baseline) -> bool:
    return baseline.value is None and baseline.date is not None


def written_baseline(metric: Metric) -> BaselineUsed | None:
    """The metric's baseline as the plan writes it (a ``{date}`` baseline has no value yet:
    each series takes its own from the log, `resolve_baseline`)."""
    written = metric.baseline
    if written is None:
        return None
    return BaselineUsed(written.date, written.value, _from_log(written), written.note)


def resolve_baseline(metric: Metric, counted: Sequence[Actual]) -> BaselineUsed | None:
    """The baseline of one series: as written, or, for a ``{date}`` baseline, the counted
    actual dated exactly on that date (value None when there is none).

    Args:
        metric: the metric (its plan in force).
        counted: the series' entries that count, in date order (`effective_actuals`).
    """
    found = written_baseline(metric)
    if found is None or not found.from_log or found.date is None:
        return found
    index = bisect_left(counted, found.date, key=_DATE_OF)
    if index < len(counted) and counted[index].date == found.date:
        value = counted[index].value
        if not isinstance(value, str):
            return replace(found, value=float(value))
    return found


def goals(metric: Metric, baseline: float | None = None) -> list[Goal]:
    """The metric's targets that have a figure, in date order (open targets, and change
    targets whose baseline has no value, take no part). A standing target's ``by`` is the
    date it holds from.

    Args:
        metric: the metric (its plan in force).
        baseline: the baseline value to resolve ``change`` targets with (one series' value
            taken from the log); default the metric's own.
    """
    if baseline is None and metric.baseline is not None:
        baseline = metric.baseline.value
    found = []
    for target in metric.targets:
        value = _figure(target, baseline)
        day = target.day
        if value is not None and day is not None:
            found.append(Goal(day, value, target.is_standing, target.change))
    return sorted(found, key=lambda goal: goal.by)


def current_goal(all_goals: Sequence[Goal], as_of: date) -> Goal | None:
    """The first goal dated on or after ``as_of``; the last one when all are past."""
    for goal in all_goals:
        if goal.by >= as_of:
            return goal
    return all_goals[-1] if all_goals else None


def plan_line(
    metric: Metric,
    earliest: Actual | Reading | None = None,
    *,
    baseline: BaselineUsed | None = None,
) -> tuple[Knot, ...]:
    """The knots of the plan line: the starting point, then every target with a figure.

    The starting point is the baseline (``baseline``, one series' as `resolve_baseline` gives
    it; default the metric's as written) or, when it has no value, ``earliest`` (the earliest
    actual that counts). A starting point dated on or after the first target is left out:
    the line then starts at the first target. Empty when no target has a figure.
    """
    if baseline is None:
        baseline = written_baseline(metric)
    value = None if baseline is None else baseline.value
    targets = goals(metric, value)
    if not targets:
        return ()
    start: Knot | None = None
    if baseline is not None and baseline.date is not None and value is not None:
        start = (baseline.date, value)
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


def is_stale(metric: Metric, latest: date | None, as_of: date) -> bool:
    """The latest actual is older than 1.5 reporting periods (a period is 31, 92 or 366 days)."""
    if metric.cadence is None or latest is None:
        return False
    return (as_of - latest).days > STALE_PERIODS * CADENCE_DAYS[metric.cadence]


def _reading(actual: Actual | None) -> Reading | None:
    if actual is None:
        return None
    return Reading(actual.date, actual.value, actual.provisional, actual.source)


# --- one place of a metric (or a metric not tracked by place) ------------------------------


def _numeric(actual: Actual) -> float:
    value = actual.value
    if isinstance(value, str):
        raise ValueError(f"a measure's actual must be a number, got {value!r}")
    return float(value)


_DATE_OF: Final = attrgetter("date")


def _dated_stage(
    target: Target,
    day: date,
    figure: float | None,
    after: date | None,
    counted: Sequence[Actual],
    as_of: date,
    metric: Metric,
) -> Stage:
    """A ``by`` target's verdict: judged on the latest counted actual dated on or before its
    date, after ``after`` (the previous stage's date, or the baseline's for the first) and,
    with a cadence, no more than 1.5 periods before its date."""
    if target.is_open:
        return Stage(target, day, False, None, "open")
    if figure is None:
        return Stage(target, day, False, None, "no_baseline")
    if day > as_of:
        return Stage(target, day, False, figure, "pending")
    index = bisect_right(counted, day, key=_DATE_OF) - 1
    found = counted[index] if index >= 0 else None
    if found is not None and after is not None and found.date <= after:
        found = None
    if (
        found is not None
        and metric.cadence is not None
        and (day - found.date).days > STALE_PERIODS * CADENCE_DAYS[metric.cadence]
    ):
        found = None
    if found is None:
        return Stage(target, day, False, figure, "no_data")
    assert metric.direction is not None
    verdict = "met" if meets(_numeric(found), figure, metric.direction) else "missed"
    return Stage(target, day, False, figure, verdict, _reading(found))


def _standing_stage(
    target: Target,
    day: date,
    figure: float | None,
    counted: Sequence[Actual],
    as_of: date,
    direction: str,
) -> Stage:
    """A ``from`` target's verdict: pending before its date, then holding or breached by the
    latest counted actual dated on or after it (no_data when there is none), with every
    counted actual from its date on that misses it counted as a breach."""
    if target.is_open:
        return Stage(target, day, True, None, "open")
    if figure is None:
        return Stage(target, day, True, None, "no_baseline")
    if day > as_of:
        return Stage(target, day, True, figure, "pending")
    since = counted[bisect_left(counted, day, key=_DATE_OF) :]
    if not since:
        return Stage(target, day, True, figure, "no_data")
    breaches = [entry.date for entry in since if not meets(_numeric(entry), figure, direction)]
    latest = since[-1]
    verdict = "breached" if breaches and breaches[-1] == latest.date else "holding"
    return Stage(
        target,
        day,
        True,
        figure,
        verdict,
        _reading(latest),
        len(breaches),
        breaches[-1] if breaches else None,
    )


def stages(
    metric: Metric,
    counted: Sequence[Actual],
    as_of: date,
    baseline: BaselineUsed | None = None,
) -> tuple[Stage, ...]:
    """Every target of ``metric`` (its plan in force) as a stage with its verdict, in order.

    Args:
        metric: a measure (a milestone has no stages).
        counted: one series' entries that count, in date order (`effective_actuals`).
        as_of: the date of the assessment.
        baseline: the series' baseline (`resolve_baseline`); default resolved here.
    """
    if baseline is None:
        baseline = resolve_baseline(metric, counted)
    return _stages(metric, _prepare(metric, as_of, baseline), counted, as_of)


def _stages(
    metric: Metric, prepared: _Prepared, counted: Sequence[Actual], as_of: date
) -> tuple[Stage, ...]:
    direction = metric.direction
    if direction is None:
        return ()
    if prepared.fixed_stages is not None:
        return prepared.fixed_stages  # shared by every series of the metric
    after = None if prepared.base is None else prepared.base.date
    found = []
    for target, day, figure in prepared.figures:
        if target.is_standing:
            found.append(_standing_stage(target, day, figure, counted, as_of, direction))
        else:
            found.append(_dated_stage(target, day, figure, after, counted, as_of, metric))
        after = day
    return tuple(found)


def _in_view(metric: Metric, as_of: date) -> tuple[list[Target], bool]:
    """The targets the overall status is judged on (those with a figure or a change) and
    whether a standing target holds on ``as_of`` (then it alone is judged)."""
    asked = [t for t in metric.targets if not t.is_open and t.day is not None]
    standing = asked[-1].from_ if asked else None
    if standing is not None and standing <= as_of:
        return [asked[-1]], True
    return asked, False


def _current_target(
    asked: Sequence[Target], baseline: float | None, as_of: date, holding: bool
) -> tuple[Goal | None, Unresolved | None, int | None]:
    """The target in view on ``as_of`` (the first dated on or after it, else the last):
    as a `Goal`, or `Unresolved` when its figure needs a baseline value there is not; and
    the days to its date (None once a standing target holds)."""
    chosen = next((t for t in asked if t.day is not None and t.day >= as_of), None)
    if chosen is None:
        chosen = asked[-1] if asked else None
    if chosen is None or chosen.day is None:
        return None, None, None
    days = None if holding else (chosen.day - as_of).days
    figure = _figure(chosen, baseline)
    if figure is None:
        assert chosen.change is not None  # an open target is never in view
        return None, Unresolved(chosen.day, chosen.change, chosen.is_standing), days
    return Goal(chosen.day, figure, chosen.is_standing, chosen.change), None, days


class _Prepared(NamedTuple):
    """What judging a measure needs that depends on its plan and baseline but not on the
    series: computed once per metric and shared by its places (once per place only when
    each place takes its own baseline from the log)."""

    base: BaselineUsed | None
    asked: list[Target]  # the targets the status is judged on
    holding: bool  # a standing target holds on as_of
    target: Goal | None
    unresolved: Unresolved | None
    days: int | None
    missing: str | None  # set when a target in view cannot be resolved: no_baseline
    goals: list[Goal]
    line: tuple[Knot, ...] | None  # None: it starts at the series' earliest actual
    figures: tuple[tuple[Target, date, float | None], ...]  # each target's stage inputs
    fixed_stages: tuple[Stage, ...] | None  # when no stage reads the series (all pending...)


def _prepare(metric: Metric, as_of: date, base: BaselineUsed | None) -> _Prepared:
    value = None if base is None else base.value
    asked, holding = _in_view(metric, as_of)
    target, unresolved, days = _current_target(asked, value, as_of, holding)
    missing = None
    if any(_figure(t, value) is None for t in asked):
        # no baseline at all with a change target is refused by `lsc check`
        missing = "baseline not agreed" if base is None else base.missing
    fixed = base is not None and base.date is not None and value is not None
    figures = tuple((t, t.day, _figure(t, value)) for t in metric.targets if t.day is not None)
    fixed_stages = None
    if all(t.is_open or f is None or d > as_of for t, d, f in figures):
        direction = metric.direction or "decrease"  # no stage here compares a value
        fixed_stages = tuple(
            _standing_stage(t, d, f, (), as_of, direction)
            if t.is_standing
            else _dated_stage(t, d, f, None, (), as_of, metric)
            for t, d, f in figures
        )
    return _Prepared(
        base,
        asked,
        holding,
        target,
        unresolved,
        days,
        missing,
        goals(metric, value),
        plan_line(metric, baseline=base) if fixed else None,
        figures,
        fixed_stages,
    )


def _assess_measure(
    metric: Metric,
    place: str | None,
    counted: Sequence[Actual],
    as_of: date,
    spc: SpcSummary | None = None,
    prepared: _Prepared | None = None,
) -> PlaceStatus:
    direction = metric.direction
    if direction is None:
        raise ValueError(f"measure {metric.id!r} has no direction")
    if prepared is None:
        prepared = _prepare(metric, as_of, resolve_baseline(metric, counted))
    base, target, holding = prepared.base, prepared.target, prepared.holding
    latest = counted[-1] if counted else None
    line = prepared.line
    if line is None:
        line = plan_line(metric, counted[0] if counted else None, baseline=base)
    trend = _forecast(counted, target, prepared.goals, direction)

    def result(status: str, expected: float | None = None) -> PlaceStatus:
        return PlaceStatus(
            place=place,
            status=status,
            latest=_reading(latest),
            expected=expected,
            target=target,
            days_to_deadline=prepared.days,
            stale=is_stale(metric, latest and latest.date, as_of),
            late=False,
            actuals_counted=len(counted),
            spc=spc,
            baseline=base,
            unresolved=prepared.unresolved,
            missing=prepared.missing,
            stages=_stages(metric, prepared, counted, as_of),
            line=line,
            forecast=trend,
        )

    if not prepared.asked:
        return result("no_target")
    if prepared.missing is not None:
        return result("no_baseline", expected_value_on(line, latest.date) if latest else None)
    if latest is None or target is None:
        return result("no_data")
    value = _numeric(latest)
    expected = expected_value_on(line, latest.date)
    if holding:
        # a standing target on and after its date: never overdue or achieved
        if latest.date < target.by:
            return result("no_data", expected)
        return result(
            "on_track" if meets(value, target.value, direction) else "off_track", expected
        )
    last = prepared.goals[-1]
    if meets(value, last.value, direction):
        return result("achieved", expected)
    if last.by < as_of:
        return result("overdue", expected)
    if meets(value, target.value, direction):
        return result("on_track", expected)
    assert expected is not None  # the line has at least the current target
    gap = shortfall(direction, line, Reading(latest.date, value))
    if gap.amount <= _EPSILON * max(1.0, abs(expected)):  # on the line, to rounding
        return result("on_track", expected)
    if gap.ratio <= metric.tolerance + _EPSILON:
        return result("at_risk", expected)
    return result("off_track", expected)


def _forecast(
    counted: Sequence[Actual], target: Goal | None, all_goals: Sequence[Goal], direction: str
) -> Forecast | None:
    """The trend of a series against its current target and its last dated one (a standing
    target has no deadline to reach by), or None (`forecast.forecast`)."""
    if len(counted) < MIN_FORECAST_POINTS:
        return None
    dated = [goal for goal in all_goals if not goal.standing]
    series = [(a.date, float(a.value)) for a in counted if not a.is_done]
    return forecast(series, target, dated[-1] if dated else None, direction)


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


def _withdrawn(metric: Metric, place: str | None, counted: Sequence[Actual]) -> PlaceStatus:
    """A withdrawn metric: listed with its latest actual, with no target, deadline or stage."""
    if metric.is_milestone:
        shown = next((a for a in counted if a.value == "done"), None)
    else:
        shown = counted[-1] if counted else None
    return PlaceStatus(
        place=place,
        status="withdrawn",
        latest=_reading(shown),
        expected=None,
        target=None,
        days_to_deadline=None,
        stale=False,
        late=False,
        actuals_counted=len(counted),
        baseline=None if metric.is_milestone else written_baseline(metric),
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
    withdrawn: bool = False,
    prepared: _Prepared | None = None,
) -> PlaceStatus:
    counted = effective_actuals(entries, as_of)
    if withdrawn:
        return _withdrawn(metric, place, counted)
    if metric.is_milestone:
        return _assess_milestone(metric, place, counted, as_of)
    icons = spc(metric, counted) if spc is not None else None
    return _assess_measure(metric, place, counted, as_of, icons, prepared)


# --- metrics, priorities, the report ---------------------------------------------------------


def assess_metric(
    metric: Metric, actuals: Iterable[Actual], as_of: date, *, original: bool = False
) -> MetricStatus:
    """Where one metric stands on ``as_of``.

    Args:
        metric: the metric as written, with its targets (or due date), places and
            revisions.
        actuals: this metric's entries from the log, in log order; entries for other
            metrics, for places the metric is not tracked at, or dated after ``as_of``
            are ignored.
        as_of: the date of the assessment (D in docs/status-rules.md).
        original: judge against the plan as first written (``--plan original``), not the
            plan in force on ``as_of`` (every revision decided on or before it applied).

    Returns:
        The metric's status and, for a metric tracked by place, each place's.
    """
    by_place: dict[str | None, list[Actual]] = defaultdict(list)
    for entry in actuals:
        if entry.metric == metric.id:
            by_place[entry.place].append(entry)
    return _assess_grouped(metric, by_place, as_of, original=original)


def _assess_grouped(
    written: Metric,
    by_place: Mapping[str | None, Sequence[Actual]],
    as_of: date,
    spc: SpcHook | None = None,
    *,
    original: bool = False,
) -> MetricStatus:
    plan = plan_in_force(written, as_of, original=original)
    metric = plan.metric
    withdrawn = plan.withdrawn is not None
    history = {
        "revisions": plan.applied,
        "withdrawn": plan.withdrawn,
        "original_due": plan.original_due,
        "original_targets": plan.original_targets,
        "written": written,
    }
    if not metric.places:
        own = _assess_one(metric, None, by_place.get(None, ()), as_of, spc, withdrawn)
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
            baseline=own.baseline,
            unresolved=own.unresolved,
            missing=own.missing,
            stages=own.stages,
            line=own.line,
            forecast=own.forecast,
            **history,  # type: ignore[arg-type]
        )
    shared = None  # one baseline for every place: judge the plan once
    stated = metric.baseline
    if not withdrawn and not metric.is_milestone and (stated is None or not _from_log(stated)):
        shared = _prepare(metric, as_of, written_baseline(metric))
    places = tuple(
        _assess_one(metric, place, by_place.get(place, ()), as_of, spc, withdrawn, shared)
        for place in metric.places
    )
    return replace(_roll_up_places(metric, places), **history)  # type: ignore[arg-type]


def _roll_up_places(metric: Metric, places: tuple[PlaceStatus, ...]) -> MetricStatus:
    first = places[0]  # the deadline is metric-wide, so the same for every place
    status = worst(p.status for p in places)
    target, unresolved = first.target, first.unresolved
    if any(p.target != target or p.unresolved != unresolved for p in places):
        # a change against each place's own baseline: the metric's row shows the change
        shown = first.target or first.unresolved
        target = None
        if shown is not None and shown.change is not None:
            unresolved = Unresolved(shown.by, shown.change, shown.standing)
    missing = [p for p in places if p.missing]
    if len(missing) == len(places):
        said = missing[0].missing
    elif missing:
        said = f"{missing[0].missing} at {len(missing)} of {len(places)} places"
    else:
        said = None
    return MetricStatus(
        metric=metric,
        status=status,
        latest=None,
        expected=None,
        target=target,
        days_to_deadline=first.days_to_deadline,
        stale=any(p.stale for p in places),
        late=status == "achieved" and any(p.late for p in places),
        actuals_counted=sum(p.actuals_counted for p in places),
        places=places,
        baseline=None if metric.is_milestone else written_baseline(metric),
        unresolved=unresolved,
        missing=said,
    )


def roll_up_priority(priority: Priority, metrics: Iterable[MetricStatus]) -> PriorityStatus:
    """A priority's status: the worst of its metrics', leaving out ``no_target`` and
    ``withdrawn`` unless all are (a priority with no metrics is ``no_target``), with a
    count per status."""
    statuses = [m.status for m in metrics if m.metric.priority == priority.id]
    return PriorityStatus(
        priority=priority,
        status=worst(statuses) if statuses else "no_target",
        counts=count_statuses(statuses),
    )


def assess(
    plan: Plan, as_of: date, *, spc: SpcHook | None = None, original: bool = False
) -> StatusReport:
    """Where every metric and priority of the plan stands on ``as_of``.

    Reads the actuals log once, grouping it by (metric, place), so the cost grows with
    n log n in the number of entries.

    Args:
        plan: a loaded plan (``plan.priorities``, ``plan.metrics``, ``plan.actuals``).
        as_of: the date of the assessment; actuals dated after it are ignored.
        spc: fills in each measure's (or place's) ``spc`` icons (see `SpcHook`); None
            leaves them out.
        original: judge every metric against its plan as first written (``--plan
            original``) rather than the plan in force on ``as_of``.

    Returns:
        Priorities and metrics in plan order, with their statuses.
    """
    grouped: dict[str, dict[str | None, list[Actual]]] = defaultdict(lambda: defaultdict(list))
    for entry in plan.counted:
        grouped[entry.metric][entry.place].append(entry)
    metrics = tuple(
        _assess_grouped(m, grouped.get(m.id, {}), as_of, spc, original=original)
        for m in plan.metrics
    )
    if plan.updates:
        metrics = tuple(declared(m, plan.updates, as_of) for m in metrics)
    priorities = tuple(roll_up_priority(p, metrics) for p in plan.priorities)
    return StatusReport(
        as_of=as_of,
        priorities=priorities,
        metrics=metrics,
        plan="original" if original else "current",
        as_known=plan.as_known,
    )


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
        plan=report.plan,
        as_known=report.as_known,
    )


def _at_place(metric: MetricStatus, place: str) -> MetricStatus:
    rows = tuple(p for p in metric.places if p.place == place)
    spc = rows[0].spc if rows else metric.spc
    return replace(
        _roll_up_places(metric.metric, rows),
        spc=spc,
        revisions=metric.revisions,
        withdrawn=metric.withdrawn,
        original_due=metric.original_due,
        original_targets=metric.original_targets,
        written=metric.written,
        update=rows[0].update if rows else None,  # the row is the place's: its update
        forecast=rows[0].forecast if rows else None,
        mismatch=rows[0].mismatch if rows else None,
    )


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
