"""What values and dates are plausible for a metric: its range, whole numbers, and dates.

A metric may declare ``range: [min, max]`` (either end null for none) and ``whole: true``; a
unit ``%`` implies 0 to 100 unless a range says otherwise (a change in percentage points
can be negative: give ``range: [-100, 100]``). A count unit (people, placements) has only
what the plan declares. An actual dated more than `YEARS_BEFORE_PLAN` years before the
metric's earliest baseline or target date (a milestone: its due date) is implausible (a
mistyped year). ``lsc record`` and ``lsc import`` refuse such values, and ``lsc check`` holds
the log to the same rules. `fraction_hint` catches a fraction typed for a percentage
(0.045 for 4.5%). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .applog.format import number_text
from .models import Metric

YEARS_BEFORE_PLAN = 10
"""How many years before a metric's earliest baseline or target date an actual may be."""

Range = tuple[float | None, float | None]


def value_range(metric: Metric) -> Range | None:
    """The metric's plausible values (either end None for none), or None for no range."""
    if metric.range is not None:
        return metric.range
    if metric.unit == "%":
        return (0.0, 100.0)
    return None


def range_text(bounds: Range) -> str:
    low, high = bounds
    if low is not None and high is not None:
        return f"{number_text(low)} to {number_text(high)}"
    if low is not None:
        return f"at least {number_text(low)}"
    return f"at most {number_text(high)}" if high is not None else "any value"


def _why(metric: Metric) -> str:
    if metric.range is not None:
        return "its range in metrics.yaml"
    return "as a percentage; give the metric a range in metrics.yaml if it can go beyond"


def value_problem(metric: Metric, value: float | str) -> str | None:
    """Why a value is implausible for the metric (outside its range, or not whole), or None."""
    if isinstance(value, str):
        return None
    bounds = value_range(metric)
    if bounds is not None:
        low, high = bounds
        if (low is not None and value < low) or (high is not None and value > high):
            shown = number_text(value) + ("%" if metric.unit == "%" else "")
            return (
                f"{shown} is outside the range of {metric.id}: {range_text(bounds)} "
                f"({_why(metric)})"
            )
    if metric.whole and not float(value).is_integer():
        unit = f" of {metric.unit}" if metric.unit else ""
        return f"{number_text(value)} is not a whole number: {metric.id} counts whole numbers{unit}"
    return None


def earliest_date(metric: Metric) -> date | None:
    """The earliest date an actual of the metric may plausibly have, or None for any."""
    dates = [t.day for t in metric.targets if t.day is not None]
    if metric.baseline is not None and metric.baseline.date is not None:
        dates.append(metric.baseline.date)
    if metric.due is not None:
        dates.append(metric.due)
    if not dates:
        return None
    first = min(dates)
    try:
        return first.replace(year=first.year - YEARS_BEFORE_PLAN)
    except ValueError:  # 29 February
        return first.replace(year=first.year - YEARS_BEFORE_PLAN, day=28)


def date_problem(metric: Metric, when: date) -> str | None:
    """Why a date is implausible for an actual of the metric, or None."""
    earliest = earliest_date(metric)
    if earliest is not None and when < earliest:
        return (
            f"{when} is implausible for {metric.id}: more than {YEARS_BEFORE_PLAN} years "
            f"before its earliest baseline or target date (so from {earliest} on; a "
            "mistyped year?)"
        )
    return None


def fraction_hint(
    metric: Metric, value: float | str, recorded: Iterable[float | str]
) -> str | None:
    """'did you mean 4.5%?' for a value at or below 1 of a percentage metric whose recorded
    values (at least one) are all above 1: a fraction typed for a percentage. None otherwise."""
    if metric.unit != "%" or isinstance(value, str) or value > 1:
        return None
    numbers = [v for v in recorded if not isinstance(v, str)]
    if not numbers or min(numbers) <= 1:
        return None
    meant = number_text(round(value * 100, 10))
    return (
        f"{number_text(value)}% looks like a fraction: every value recorded for {metric.id} "
        f"is above 1%; did you mean {meant}%? (add --confirm if {number_text(value)}% is right)"
    )
