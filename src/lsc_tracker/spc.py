"""Making Data Count (MDC) XmR statistical process control.

Why: NHS boards are asked to read performance the NHS England "Making Data Count" way:
an XmR chart per metric, grey / blue / orange dots, and two summary icons (variation and
assurance) instead of red-amber-green ratings. This module computes exactly those figures
and labels so that ``lsc spc``, ``lsc show`` and ``lsc report`` agree with what a board
would see from the NHS-R community's NHSRplotthedots R package (v0.2.x), which it follows.

The rules, per group of points (a new group starts at the first point and at the first
point dated on or after each rebase date), in date order:

* Baseline: all points of the group, or the first ``fix_after`` (at least 12).
* Mean of the baseline; moving ranges of consecutive baseline points and their mean
  ``amr``; with screening on, moving ranges >= 3.267 x amr are dropped once and ``amr``
  recomputed.
* Process limits: mean +/- 2.66 x amr; "2 sigma" lines: mean +/- (2 x 2.66 / 3) x amr.
  A point on a limit is inside. No limits when the group has fewer than 2 points or every
  baseline moving range is 0. Groups of fewer than 13 points have trial limits.
* Special cause, first rule that applies wins:
  1. ``outside``: a point strictly outside the process limits;
  2. ``trend``: every point of a stretch of 7 or more points each strictly higher (or
     each strictly lower) than the one before;
  3. ``two_of_three``: of 3 consecutive points all strictly on one side of the mean, at
     least 2 are strictly beyond that side's 2-sigma line (but inside the limits); only
     those close points are flagged;
  4. ``run``: every point of a stretch of 7 or more points strictly on one side of the mean.
  Trends and runs do not cross groups.
* A special cause is "high" (above the mean / rising) or "low"; it is an improvement when
  high for ``increase`` metrics or low for ``decrease`` metrics, otherwise a concern.
* Variation icon from the last point; assurance icon from the target against the latest
  group's process limits.

The XmR maths on any series, nothing about the plan: `spc_inputs` picks a metric's series,
target and settings from the plan, and `words` names the icons, point types and rules.
`summary` is a quicker twin of `analyse` for ``lsc status`` (its docstring says why).

Pure: no I/O, no clock, standard library only.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise
from operator import itemgetter
from typing import NamedTuple

MEAN_RANGE_TO_LIMIT = 2.66
"""Multiplier of the mean moving range giving the 3-sigma process limits (3 / d2, d2 = 1.128)."""

SCREEN_FACTOR = 3.267
"""Moving ranges at or above this multiple of the mean moving range are screened out."""

TWO_SIGMA_FACTOR = 2 * (MEAN_RANGE_TO_LIMIT / 3)
"""Multiplier of the mean moving range giving the 2-sigma lines (computed as the package does)."""

TREND_POINTS = 7
"""Points strictly rising (or falling) in a row that make a trend."""

RUN_POINTS = 7
"""Points strictly on one side of the mean in a row that make a run (a "shift")."""

TWO_OF_THREE_WINDOW = 3
"""Consecutive points looked at by the two-of-three rule."""

TWO_OF_THREE_CLOSE = 2
"""Points of that window that must be beyond the 2-sigma line."""

TRIAL_LIMIT_POINTS = 13
"""Groups with fewer points than this get trial limits."""

MIN_FIX_AFTER = 12
"""Smallest allowed baseline length for ``fix_after``."""

MIN_POINTS_FOR_LIMITS = 2
"""A single point has no moving range, hence no limits."""

MIN_POINTS = 12
"""Points a group (the series since its latest rebase) needs before its verdicts mean
something. NHS England's Making Data Count guidance asks for at least 12 data points before
limits are calculated and signals are read (fewer give too little to separate common from
special cause); NHSRplotthedots warns for any group shorter than 12 points
(``ptd_add_short_group_warnings``, ``warning_threshold`` 12) that its limits are trial limits.
``lsc status``, ``lsc show`` and ``lsc report`` give no variation or assurance verdict below
it ("too few points for SPC (5 of 12)"); ``lsc spc`` still computes and says so
(``enough_points``)."""

OUTPUT_DECIMALS = 6
"""Decimal places kept by :func:`result_to_dict`."""

INCREASE = "increase"
DECREASE = "decrease"
DIRECTIONS = (INCREASE, DECREASE)

COMMON_CAUSE = "common_cause"
NO_VARIATION = "no_variation"
"""The variation "icon" of a group whose limits are zero-width (every baseline moving range
0, or the limits within float slack of the mean): there is no variation to judge a point by."""
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"

RULE_OUTSIDE = "outside"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two_of_three"
RULE_RUN = "run"

CONSISTENT_PASS = "consistent_pass"
CONSISTENT_FAIL = "consistent_fail"
INCONSISTENT = "inconsistent"

HIGH = 1
LOW = -1
NONE = 0


@dataclass(frozen=True)
class SpcGroup:
    start: date  # date of the group's first point
    n: int  # points in the group
    mean: float | None  # None only when the group has no points
    lpl: float | None  # lower process limit
    upl: float | None  # upper process limit
    lower_two_sigma: float | None
    upper_two_sigma: float | None
    trial: bool
    clipped: tuple[str, ...] = ()  # the limits clipped to the metric's range (lpl, upl, ...)

    @property
    def no_variation(self) -> bool:
        """Zero-width limits: the group has 2 or more points but its baseline does not vary
        (every moving range 0, or limits within float slack of the mean), so it has no limits."""
        return self.n >= MIN_POINTS_FOR_LIMITS and (self.lpl is None or self.upl is None)


class SpcPoint(NamedTuple):
    """One point of the chart. A named tuple: a national run builds millions of these."""

    date: date
    value: float
    group: int  # index into groups
    type: str  # common_cause | special_cause_improvement | special_cause_concern
    rule: str | None  # outside | trend | two_of_three | run | None


@dataclass(frozen=True)
class SpcResult:
    direction: str  # increase | decrease
    target: float | None
    groups: tuple[SpcGroup, ...]
    points: tuple[SpcPoint, ...]
    variation: str | None  # None when there are no points
    assurance: str | None
    value_range: tuple[float | None, float | None] | None = None  # the limits are clipped to it

    @property
    def points_in_group(self) -> int:
        """Points of the latest group (since the latest rebase): what the icons are read from."""
        return self.groups[-1].n if self.groups else 0

    @property
    def enough_points(self) -> bool:
        """Whether the latest group has the `MIN_POINTS` a verdict needs."""
        return enough_points(self.points_in_group)


def enough_points(points: int) -> bool:
    """Whether a group of ``points`` points is long enough for SPC verdicts (`MIN_POINTS`)."""
    return points >= MIN_POINTS


def verdicts(result: SpcResult | None) -> tuple[str | None, str | None]:
    """``(variation, assurance)`` a board may read: the result's icons, or ``(None, None)``
    when its latest group has fewer than `MIN_POINTS` points (or there is no result)."""
    if result is None or not result.enough_points:
        return None, None
    return result.variation, result.assurance


# --- input checks -------------------------------------------------------------------------


def _check_options(direction: str, target: float | None, fix_after: int | None) -> None:
    """Reject options the rules are not defined for, before any figure is shown."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if fix_after is not None and (
        isinstance(fix_after, bool) or not isinstance(fix_after, int) or fix_after < MIN_FIX_AFTER
    ):
        raise ValueError(f"fix_after must be an integer >= {MIN_FIX_AFTER}, got {fix_after!r}")
    if target is not None and not math.isfinite(float(target)):
        raise ValueError(f"target must be a finite number, got {target!r}")


def _sorted_points(points: Sequence[tuple[date, float]]) -> list[tuple[date, float]]:
    """Order points by date (stable, so same-day points keep their order); values as floats."""
    cleaned = [(when, float(value)) for when, value in points]
    if not all(map(math.isfinite, [number for _, number in cleaned])):
        when, value = next(p for p in points if not math.isfinite(float(p[1])))
        raise ValueError(f"value for {when} is not a finite number: {value!r}")
    return sorted(cleaned, key=itemgetter(0))  # stable; linear on the usual, sorted input


def _group_indices(dates: Sequence[date], rebase: Sequence[date]) -> list[int]:
    """Number each point's group: a point is the first of a new group when a rebase date
    falls after the previous point's date and on or before its own."""
    if not rebase:
        return [0] * len(dates)
    rebase_dates = sorted(rebase)
    indices: list[int] = []
    group = 0
    for i, when in enumerate(dates):
        if i > 0 and any(dates[i - 1] < r <= when for r in rebase_dates):
            group += 1
        indices.append(group)
    return indices


def _split(items: Sequence[float], indices: Sequence[int]) -> list[list[float]]:
    """Cut a series into its groups, in order."""
    groups: list[list[float]] = []
    for item, index in zip(items, indices, strict=True):
        if index == len(groups):
            groups.append([])
        groups[index].append(item)
    return groups


# --- scale: huge finite values ------------------------------------------------------------

_SCALE_ABOVE = 2.0**960
"""Groups whose largest magnitude reaches this are analysed scaled down by a power of two:
sums, moving ranges and limits of values near the largest float (1.8e308) would overflow to
infinity. Dividing by a power of two is exact, and every rule compares values with lines
computed from them, so the colours and icons are those of the unscaled series."""

_LARGEST = sys.float_info.max


_SCALE_TO = 900
"""A group scaled down is brought below 2**900: room for every sum and limit, and ordinary
values (1, 2, 3) stay normal floats, with every digit."""


def _scale_of(values: Sequence[float]) -> int:
    """0, or the exponent of the power of two that brings every value below 2**900."""
    big = max(map(abs, values), default=0.0)
    return 0 if big < _SCALE_ABOVE else math.frexp(big)[1] - _SCALE_TO


def _scaled(values: Sequence[float], scale: int) -> Sequence[float]:
    return values if scale == 0 else [math.ldexp(value, -scale) for value in values]


def _unscaled(x: float | None, scale: int) -> float | None:
    """A figure computed on scaled values, in the data's units: a limit beyond the largest
    float is shown as that float (every finite value is then inside it, as it truly is)."""
    if x is None or scale == 0:
        return x
    try:
        return math.ldexp(x, scale)
    except OverflowError:
        return math.copysign(_LARGEST, x)


def _unscaled_group(group: SpcGroup, scale: int) -> SpcGroup:
    if scale == 0:
        return group
    return SpcGroup(
        start=group.start,
        n=group.n,
        mean=_unscaled(group.mean, scale),
        lpl=_unscaled(group.lpl, scale),
        upl=_unscaled(group.upl, scale),
        lower_two_sigma=_unscaled(group.lower_two_sigma, scale),
        upper_two_sigma=_unscaled(group.upper_two_sigma, scale),
        trial=group.trial,
    )


# --- limits -------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    """Mean with a correctly rounded sum; a flat series' mean is exactly its value.

    (statistics.mean is exact too, but through fractions: it dominated a national-scale run.)
    """
    first = values[0]
    if all(value == first for value in values):
        return first
    mean = math.fsum(values) / len(values)
    # fsum then divide rounds twice ([0.1, 0.2, 0.3] x 4 gives 0.19999999999999998); one
    # correction pass brings it to the nearest float, so a point "on the mean" is on it.
    # It is a rounding fix only: where the differences themselves round (values of very
    # different sizes, 1 beside 1e308), it is not applied.
    correction = math.fsum(value - mean for value in values) / len(values)
    return mean + correction if abs(correction) <= 4 * math.ulp(mean) else mean


def _moving_ranges(values: Sequence[float]) -> list[float]:
    """Absolute differences between consecutive points: the XmR measure of spread."""
    return [abs(b - a) for a, b in pairwise(values)]


def _average_moving_range(ranges: Sequence[float], screen_outliers: bool) -> float | None:
    """Mean moving range, after dropping (once) ranges >= 3.267 x the mean when screening.

    None when there is no spread to measure (no ranges, or all of them 0). Screening never
    takes the spread to 0: when every range left after it is 0 (``2, 2, 2, 2, 2, 1``: the one
    range of 1 is 5 x the mean of 0.2), the unscreened mean is kept. Screened to 0 the limits
    would collapse onto the mean and every point off it would be "outside" (NHSRplotthedots
    does that: six special causes from those six values); screening is there to stop one wild
    range widening the limits, not to remove every range there is.
    """
    if not ranges or all(r == 0 for r in ranges):
        return None
    amr = _mean(ranges)
    if screen_outliers:
        screened = _mean([r for r in ranges if r < SCREEN_FACTOR * amr])
        amr = screened if screened > 0 else amr
    return amr


def _group_summary(
    start: date, values: Sequence[float], fix_after: int | None, screen_outliers: bool
) -> SpcGroup:
    """Mean, process limits and 2-sigma lines of one group, from its baseline points."""
    baseline = values[:fix_after] if fix_after is not None else values
    mean = _mean(baseline) if baseline else None
    amr = _average_moving_range(_moving_ranges(baseline), screen_outliers)
    trial = len(values) < TRIAL_LIMIT_POINTS
    if (
        amr is not None
        and mean is not None
        and _compare(mean + MEAN_RANGE_TO_LIMIT * amr, mean) == 0
    ):
        amr = None  # limits within float slack of the mean: zero-width, as if every range were 0
    if mean is None or amr is None or len(baseline) < MIN_POINTS_FOR_LIMITS:
        return SpcGroup(start, len(values), mean, None, None, None, None, trial)
    return SpcGroup(
        start=start,
        n=len(values),
        mean=mean,
        lpl=mean - MEAN_RANGE_TO_LIMIT * amr,
        upl=mean + MEAN_RANGE_TO_LIMIT * amr,
        lower_two_sigma=mean - TWO_SIGMA_FACTOR * amr,
        upper_two_sigma=mean + TWO_SIGMA_FACTOR * amr,
        trial=trial,
    )


# --- special-cause rules ------------------------------------------------------------------
# Each rule returns, per point, HIGH (+1), LOW (-1) or NONE (0): whether the point is part
# of that signal and on which side (above the mean / rising vs below / falling).


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


_RELATIVE_SLACK = 1e-9
"""Values within this fraction of a limit, line or mean compare equal to it: those are
computed (mean + 2.66 x amr), so a point entered as exactly the limit can land a few units
in the last place beyond it, and "a point on a limit is inside" must still hold."""


def _band(line: float) -> tuple[float, float]:
    """(below, above): a value is beyond ``line`` downwards when < below, upwards when >
    above, and on it in between (within the relative slack). Computed once per line, as a
    national status run compares a million points with them."""
    slack = _RELATIVE_SLACK * abs(line)
    return line - slack, line + slack


def _compare(value: float, line: float) -> int:
    """+1 if ``value`` is beyond ``line`` upwards, -1 downwards, 0 on it (within the slack)."""
    below, above = _band(line)
    return HIGH if value > above else LOW if value < below else NONE


def _outside_signals(values: Sequence[float], group: SpcGroup) -> list[int]:
    """A point strictly beyond a process limit is a special cause on its own."""
    if group.lpl is None or group.upl is None:
        return [NONE] * len(values)
    above_upper, below_lower = _band(group.upl)[1], _band(group.lpl)[0]
    return [HIGH if v > above_upper else LOW if v < below_lower else NONE for v in values]


def _stretches(keys: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal stretches of equal keys as (first index, last index, key)."""
    found: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            found.append((start, i - 1, keys[start]))
            start = i
    return found


def _trend_signals(values: Sequence[float]) -> list[int]:
    """Flag every point of a run of >= 7 points each strictly above (below) the previous.

    A point ending one trend and starting the next takes the later trend's direction,
    as the package does ("use right side").
    """
    signals = [NONE] * len(values)
    steps = [_sign(b - a) for a, b in pairwise(values)]
    for first, last, step in _stretches(steps):
        # steps first..last join points first..last + 1
        if step != NONE and last - first + 2 >= TREND_POINTS:
            for i in range(first, last + 2):
                signals[i] = step
    return signals


def _run_signals(sides: Sequence[int]) -> list[int]:
    """Flag every point of a run of >= 7 points strictly on one side of the mean."""
    signals = [NONE] * len(sides)
    for first, last, side in _stretches(sides):
        if side != NONE and last - first + 1 >= RUN_POINTS:
            for i in range(first, last + 1):
                signals[i] = side
    return signals


def _close_to_limits(
    values: Sequence[float], group: SpcGroup, outside: Sequence[int]
) -> list[bool]:
    """Points strictly beyond a 2-sigma line but not outside the process limits."""
    if group.lower_two_sigma is None or group.upper_two_sigma is None:
        return [False] * len(values)
    above_upper, below_lower = _band(group.upper_two_sigma)[1], _band(group.lower_two_sigma)[0]
    return [
        not out and (v > above_upper or v < below_lower)
        for v, out in zip(values, outside, strict=True)
    ]


def _two_of_three_signals(close: Sequence[bool], sides: Sequence[int]) -> list[int]:
    """Flag the close points of any 3 consecutive points, all on one side of the mean,
    of which at least 2 are close to the limits."""
    signals = [NONE] * len(close)
    for start in range(len(close) - TWO_OF_THREE_WINDOW + 1):
        window = range(start, start + TWO_OF_THREE_WINDOW)
        side = sides[start]
        same_side = side != NONE and all(sides[i] == side for i in window)
        if same_side and sum(close[i] for i in window) >= TWO_OF_THREE_CLOSE:
            for i in window:
                if close[i]:
                    signals[i] = side
    return signals


def _special_causes(values: Sequence[float], group: SpcGroup) -> list[tuple[str | None, int]]:
    """Per point, the first rule that applies (outside, trend, two of three, run) and its side."""
    mean = group.mean if group.mean is not None else 0.0
    below, above = _band(mean)
    sides = [HIGH if v > above else LOW if v < below else NONE for v in values]
    outside = _outside_signals(values, group)
    by_priority = (
        (RULE_OUTSIDE, outside),
        (RULE_TREND, _trend_signals(values)),
        (RULE_TWO_OF_THREE, _two_of_three_signals(_close_to_limits(values, group, outside), sides)),
        (RULE_RUN, _run_signals(sides)),
    )
    causes: list[tuple[str | None, int]] = []
    for i in range(len(values)):
        cause: tuple[str | None, int] = (None, NONE)
        for rule, signals in by_priority:
            if signals[i] != NONE:
                cause = (rule, signals[i])
                break
        causes.append(cause)
    return causes


# --- labels -------------------------------------------------------------------------------


def _improvement_sign(direction: str) -> int:
    return HIGH if direction == INCREASE else LOW


def _point_type(side: int, direction: str) -> str:
    """Special causes on the improvement side are improvements; the other side, concerns."""
    if side == NONE:
        return COMMON_CAUSE
    return IMPROVEMENT if side == _improvement_sign(direction) else CONCERN


def _variation_icon(last_type: str, direction: str, group: SpcGroup) -> str:
    """MDC variation icon for the latest point: which way it is special, and whether good;
    `NO_VARIATION` when it is no special cause and its group's limits are zero-width."""
    if last_type == IMPROVEMENT:
        return "improvement_high" if direction == INCREASE else "improvement_low"
    if last_type == CONCERN:
        return "concern_low" if direction == INCREASE else "concern_high"
    return NO_VARIATION if group.no_variation else COMMON_CAUSE


def _assurance_icon(group: SpcGroup, target: float | None, direction: str) -> str | None:
    """Whether the current process will reliably hit the target: only when the target lies
    strictly outside the latest process limits is the answer certain. Without limits (too
    few points, or no variation) nothing is certain either: `inconsistent`, as the package
    gives (its comparisons with a missing limit fall through to that case). Zero-width
    limits (`SpcGroup.no_variation`) give none: there is no variation to judge."""
    if target is None or group.no_variation:
        return None
    if group.lpl is None or group.upl is None:
        return INCONSISTENT
    if _compare(target, group.upl) > 0:
        return CONSISTENT_FAIL if direction == INCREASE else CONSISTENT_PASS
    if _compare(target, group.lpl) < 0:
        return CONSISTENT_PASS if direction == INCREASE else CONSISTENT_FAIL
    return INCONSISTENT


# --- public API ---------------------------------------------------------------------------


def _checked_and_grouped(
    points: Sequence[tuple[date, float]],
    direction: str,
    target: float | None,
    fix_after: int | None,
    rebase: Sequence[date],
) -> tuple[list[tuple[date, float]], list[date], list[int]]:
    """What `analyse` and `summary` both start from, so that they cannot differ in it: the
    options checked, the points in date order, their dates, and each point's group index."""
    _check_options(direction, target, fix_after)
    ordered = _sorted_points(points)
    dates = [when for when, _ in ordered]
    return ordered, dates, _group_indices(dates, rebase)


def analyse(
    points: Sequence[tuple[date, float]],
    *,
    direction: str,
    target: float | None = None,
    rebase: Sequence[date] = (),
    fix_after: int | None = None,
    screen_outliers: bool = True,
    value_range: tuple[float | None, float | None] | None = None,
) -> SpcResult:
    """Compute the MDC XmR chart of one metric: groups, point colours and both icons.

    Points may be unsorted; they are sorted by date (stably: same-day points keep their
    order). ``fix_after`` (>= 12) limits each group's baseline to its first points.
    ``value_range`` (the metric's plausible values) clips the limits and two-sigma lines
    shown, as NHS SPC tools do (a count never has a negative lower limit); the group's
    ``clipped`` names them. Clipping changes no signal or icon: no point lies beyond the
    range, so none is beyond a limit that was clipped to it.
    """
    ordered, dates, indices = _checked_and_grouped(points, direction, target, fix_after, rebase)
    group_values = _split([value for _, value in ordered], indices)
    starts = [dates[indices.index(g)] for g in range(len(group_values))]

    groups: list[SpcGroup] = []
    causes: list[tuple[str | None, int]] = []
    scale = 0
    last_group: SpcGroup | None = None  # the latest group as computed (scaled), for assurance
    for start, values in zip(starts, group_values, strict=True):
        scale = _scale_of(values)
        scaled = _scaled(values, scale)
        last_group = _group_summary(start, scaled, fix_after, screen_outliers)
        groups.append(_unscaled_group(last_group, scale))
        causes.extend(_special_causes(scaled, last_group))

    spc_points = tuple(
        SpcPoint(when, value, index, _point_type(side, direction), rule)
        for (when, value), index, (rule, side) in zip(ordered, indices, causes, strict=True)
    )
    target_value = float(target) if target is not None else None
    if value_range is not None:
        groups = [_clipped(group, value_range) for group in groups]
    return SpcResult(
        direction=direction,
        target=target_value,
        groups=tuple(groups),
        points=spc_points,
        variation=(
            _variation_icon(spc_points[-1].type, direction, last_group)
            if spc_points and last_group is not None
            else None
        ),
        assurance=(
            _assurance_icon(last_group, _scaled_target(target_value, scale), direction)
            if last_group is not None
            else None
        ),
        value_range=value_range,
    )


def _clipped(group: SpcGroup, value_range: tuple[float | None, float | None]) -> SpcGroup:
    """The group with its limits brought within the range, naming those that were."""
    low, high = value_range
    clipped: list[str] = []

    def clip(name: str, limit: float | None) -> float | None:
        if limit is None:
            return None
        bounded = limit if low is None else max(limit, float(low))
        bounded = bounded if high is None else min(bounded, float(high))
        if bounded != limit:
            clipped.append(name)
        return bounded

    lpl, upl = clip("lpl", group.lpl), clip("upl", group.upl)
    lower, upper = (
        clip("lower_two_sigma", group.lower_two_sigma),
        clip("upper_two_sigma", group.upper_two_sigma),
    )
    if not clipped:
        return group
    return replace(
        group,
        lpl=lpl,
        upl=upl,
        lower_two_sigma=lower,
        upper_two_sigma=upper,
        clipped=tuple(clipped),
    )


def _scaled_target(target: float | None, scale: int) -> float | None:
    """The target in the units of a group analysed scaled down (see `_scale_of`)."""
    return target if target is None or scale == 0 else math.ldexp(target, -scale)


class Icons(NamedTuple):
    """The two icons of a series' latest point and the points of its latest group."""

    variation: str | None
    assurance: str | None
    points: int  # in the latest group: compare with MIN_POINTS (`enough_points`)


def summary(
    points: Sequence[tuple[date, float]],
    *,
    direction: str,
    target: float | None = None,
    rebase: Sequence[date] = (),
    fix_after: int | None = None,
    screen_outliers: bool = True,
    value_range: tuple[float | None, float | None] | None = None,  # changes no icon: unused
) -> Icons:
    """The icons of `analyse`, and the points of the latest group, for ``lsc status``.

    Why a second way: a status run asks for the icons of every metric and place (8,200
    series in a national plan) and needs nothing else. Both icons depend only on the latest
    group (rules never cross a rebase) and the variation only on its last point, so this
    summarises that group and classifies that one point, with the same helpers and the
    same precedence of rules; a property test holds it equal to `analyse`.
    """
    ordered, dates, indices = _checked_and_grouped(points, direction, target, fix_after, rebase)
    if not ordered:
        return Icons(None, None, 0)
    start = indices.index(indices[-1])
    unscaled = [value for _, value in ordered[start:]]
    scale = _scale_of(unscaled)
    values = _scaled(unscaled, scale)
    group = _group_summary(dates[start], values, fix_after, screen_outliers)
    side = _last_point_signal(values, group)
    target_value = float(target) if target is not None else None
    return Icons(
        _variation_icon(_point_type(side, direction), direction, group),
        _assurance_icon(group, _scaled_target(target_value, scale), direction),
        len(values),
    )


def _last_point_signal(values: Sequence[float], group: SpcGroup) -> int:
    """The side (HIGH, LOW or NONE) of the special cause, if any, of a group's last point:
    `_special_causes` for that point alone, rule by rule in the same order."""
    last, n = values[-1], len(values)
    limits = group.lpl is not None and group.upl is not None
    if group.lpl is not None and group.upl is not None:  # 1. outside
        above_upper, below_lower = _band(group.upl)[1], _band(group.lpl)[0]
        if last > above_upper or last < below_lower:
            return HIGH if last > above_upper else LOW
    step = _sign(values[-1] - values[-2]) if n >= 2 else NONE
    if step != NONE:  # 2. trend: the stretch of same-direction steps that ends here
        points_in_trend = 2
        while (
            points_in_trend < n
            and _sign(values[n - points_in_trend] - values[n - points_in_trend - 1]) == step
        ):
            points_in_trend += 1
        if points_in_trend >= TREND_POINTS:
            return step
    below, above = _band(group.mean if group.mean is not None else 0.0)
    sides = [HIGH if v > above else LOW if v < below else NONE for v in values[-RUN_POINTS:]]
    side = sides[-1]
    if side == NONE:
        return NONE
    window = values[-TWO_OF_THREE_WINDOW:]
    if (
        limits
        and len(window) == TWO_OF_THREE_WINDOW
        and all(s == side for s in sides[-TWO_OF_THREE_WINDOW:])
    ):  # 3. two of three: the one window that holds the last point
        close = _close_to_limits(window, group, _outside_signals(window, group))
        if close[-1] and sum(close) >= TWO_OF_THREE_CLOSE:
            return side
    if len(sides) == RUN_POINTS and all(s == side for s in sides):  # 4. run
        return side
    return NONE


def _rounded(x: float | None) -> float | None:
    """Round for display, keeping a float (and never a negative zero)."""
    return None if x is None else round(x, OUTPUT_DECIMALS) + 0.0


def result_to_dict(result: SpcResult) -> dict:
    """JSON-ready form of a result: ISO dates, floats rounded to 6 decimal places."""
    return {
        "direction": result.direction,
        "target": _rounded(result.target),
        "groups": [
            {
                "start": g.start.isoformat(),
                "n": g.n,
                "mean": _rounded(g.mean),
                "lpl": _rounded(g.lpl),
                "upl": _rounded(g.upl),
                "lower_two_sigma": _rounded(g.lower_two_sigma),
                "upper_two_sigma": _rounded(g.upper_two_sigma),
                "trial": g.trial,
                "clipped": list(g.clipped),
            }
            for g in result.groups
        ],
        "points": [
            {
                "date": p.date.isoformat(),
                "value": _rounded(p.value),
                "group": p.group,
                "type": p.type,
                "rule": p.rule,
            }
            for p in result.points
        ],
        "variation": result.variation,
        "assurance": result.assurance,
        "range": None if result.value_range is None else list(result.value_range),
        "points_in_group": result.points_in_group,
        "enough_points": result.enough_points,
        "min_points": MIN_POINTS,
    }
