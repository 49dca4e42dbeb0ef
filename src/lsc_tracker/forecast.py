"""Will the trend get there in time? A measure's (or place's) recent rate against the rate its
target needs (issue 15, part 3). Pure, standard library only.

From the last `WINDOW` counted actuals (at least `MIN_POINTS`):

* the recent rate is the Theil-Sen slope (the median of the slopes between every pair of
  points), so one odd month moves it little;
* the required rate runs from the latest actual to the current target (the first dated on or
  after the as-of date, else the last) by its deadline;
* the projection runs from the latest actual at the recent rate to that deadline;
* the ETA is when the recent rate, from the latest actual, reaches the last target.

Rates are per month of `MONTH_DAYS` days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any

from .models import meets

if TYPE_CHECKING:
    from .status import Goal

MONTH_DAYS = 30.4375
"""Days in the average month (365.25 / 12): rates are per month of this length."""
MIN_POINTS = 4
"""The fewest counted actuals a forecast is made from."""
WINDOW = 6
"""How many of the latest counted actuals the recent rate is taken from."""
_MAX_ETA_DAYS = 100 * 366  # a trend that needs longer than this never gets there in practice


@dataclass(frozen=True)
class Forecast:
    """A measure's forecast (see the module's docstring); rates per month."""

    recent_rate_per_month: float
    required_rate_per_month: float | None  # None: the deadline is not after the latest actual
    projected: float | None  # the value at the deadline at the recent rate
    projected_meets: bool | None  # whether ``projected`` meets the target
    eta: date | None  # None: the trend does not approach the last target
    target: Goal  # the target the projection is judged against
    last_target: Goal  # the target the ETA is for

    def as_dict(self) -> dict[str, Any]:
        """As JSON has it: numbers to 6 decimals, the ETA as YYYY-MM-DD."""
        return {
            "recent_rate_per_month": _six(self.recent_rate_per_month),
            "required_rate_per_month": _six(self.required_rate_per_month),
            "projected": _six(self.projected),
            "projected_meets": self.projected_meets,
            "eta": self.eta.isoformat() if self.eta else None,
        }

    def misses(self) -> bool:
        """The projection does not meet the target by its deadline."""
        return self.projected_meets is False


def _six(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def theil_sen(points: Sequence[tuple[float, float]]) -> float:
    """The median of the slopes between every pair of points with different x (0.0 when no
    pair has)."""
    slopes = [
        (y2 - y1) / (x2 - x1)
        for i, (x1, y1) in enumerate(points)
        for x2, y2 in points[i + 1 :]
        if x2 != x1
    ]
    return median(slopes) if slopes else 0.0


def forecast(
    series: Sequence[tuple[date, float]],
    target: Goal | None,
    last_target: Goal | None,
    direction: str,
) -> Forecast | None:
    """The forecast of a series of counted actuals (date order), or None: fewer than
    `MIN_POINTS`, no target with a figure and a deadline (a change target without a baseline
    value, an open target, a standing target)."""
    if len(series) < MIN_POINTS or target is None or target.standing:
        return None
    last = last_target if last_target is not None and not last_target.standing else target
    recent = series[-WINDOW:]
    start = recent[0][0]
    per_day = theil_sen([((day - start).days, value) for day, value in recent])
    latest_day, latest = recent[-1]
    days_left = (target.by - latest_day).days
    required = projected = projected_meets = None
    if days_left > 0:
        required = (target.value - latest) / days_left * MONTH_DAYS
        projected = latest + per_day * days_left
        projected_meets = meets(projected, target.value, direction)
    return Forecast(
        per_day * MONTH_DAYS,
        required,
        projected,
        projected_meets,
        _eta(latest_day, latest, per_day, last, direction),
        target,
        last,
    )


def _eta(day: date, value: float, per_day: float, goal: Goal, direction: str) -> date | None:
    """When the trend from (day, value) reaches the goal: the day itself when the value
    already meets it; None when the trend does not approach it (flat or moving away)."""
    if meets(value, goal.value, direction):
        return day
    if per_day == 0:
        return None
    days = (goal.value - value) / per_day
    if days <= 0 or days > _MAX_ETA_DAYS or not math.isfinite(days):
        return None
    try:
        return day + timedelta(days=math.ceil(days))
    except OverflowError:
        return None
