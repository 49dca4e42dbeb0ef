"""Reporting periods: a month, an NHS financial quarter or year, as a data owner types them.

An actual is dated the last day of the period it reports. ``lsc record --date`` and the date
column of ``lsc import`` accept, besides ``YYYY-MM-DD``:

- ``YYYY-MM``: that month, dated its last day (``2020-06`` is 2020-06-30);
- ``2020/21``: the NHS financial year 1 April 2020 to 31 March 2021, dated 2021-03-31;
- ``2020/21 Q1`` to ``Q4``: its quarters, ending 30 June, 30 September, 31 December and
  31 March (``2020/21 Q4`` is 2021-03-31).

For a metric with a ``cadence``, `latest_complete` is the end of the latest period that has
ended before today (the default date of ``lsc record``), `period_name` names the period a
date ends, and `off_period_warning` says when a date is not the end of one. Pure: no I/O.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .models import date_from_text

CADENCES = ("monthly", "quarterly", "annual")

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
_FINANCIAL = re.compile(r"(\d{4})/(\d{2})(?:\s+[Qq]([0-9]+))?", re.ASCII)

ACCEPTED = (
    "a date as YYYY-MM-DD, a month YYYY-MM, a financial year like 2020/21 "
    "or a quarter like 2020/21 Q1"
)


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(first_year: int, quarter: int) -> date:
    """The last day of quarter 1-4 of the financial year that starts 1 April ``first_year``
    (Q1 ends 30 June, Q4 the next 31 March)."""
    month = 3 + 3 * quarter
    return month_end(first_year + (month > 12), (month - 1) % 12 + 1)


def parse_period(text: str) -> date:
    """The date a typed date or period stands for: its last day.

    Raises:
        ValueError: saying which forms are accepted (no date is guessed: ``31/05/2020`` and
            ``2020/22`` are refused).
    """
    given = text.strip()
    if month := _MONTH.fullmatch(given):
        year, number = int(month[1]), int(month[2])
        if not 1 <= number <= 12:
            raise ValueError(f"{given} is not a month: expected YYYY-MM with a month 01 to 12")
        return month_end(year, number)
    if financial := _FINANCIAL.fullmatch(given):
        first, second = int(financial[1]), int(financial[2])
        if second != (first + 1) % 100:
            raise ValueError(
                f"{given} is not a financial year: one runs from April to March, "
                f"as in {first}/{(first + 1) % 100:02d}"
            )
        if financial[3] is None:
            return date(first + 1, 3, 31)
        quarter = int(financial[3])
        if not 1 <= quarter <= 4:
            raise ValueError(f"{given} is not a quarter: a financial year has Q1 to Q4")
        return quarter_end(first, quarter)
    if _DAY.fullmatch(given):
        return date_from_text(given)  # 2020-02-30: "not a real date"
    try:
        return date_from_text(given)
    except ValueError:
        shown = repr(given if len(given) <= 40 else given[:40] + "...")
        raise ValueError(f"expected {ACCEPTED}, got {shown}{_uk_hint(given)}") from None


def _uk_hint(given: str) -> str:
    """'(for 31 May 2020 write 2020-05-31)' for a UK date typed as DD/MM/YYYY."""
    if found := _UK_DAY.fullmatch(given):
        try:
            day = date(int(found[3]), int(found[2]), int(found[1]))
        except ValueError:
            return ""
        return f" (for {day.day} {calendar.month_name[day.month]} {day.year} write {day})"
    return ""


def is_period_end(day: date, cadence: str) -> bool:
    """Whether ``day`` is the last day of a period of this cadence."""
    if cadence == "annual":
        return (day.month, day.day) == (3, 31)
    if (day + timedelta(days=1)).day != 1:
        return False
    return cadence == "monthly" or day.month in (3, 6, 9, 12)


def period_end_on_or_before(day: date, cadence: str) -> date:
    """The end of the latest period of this cadence that ends on or before ``day``."""
    end = month_end(day.year, day.month)
    if end > day:
        first = day.replace(day=1)
        end = first - timedelta(days=1)
    while not is_period_end(end, cadence):
        end = end.replace(day=1) - timedelta(days=1)
    return end


def period_end_on_or_after(day: date, cadence: str) -> date:
    """The end of the period of this cadence that ``day`` falls in."""
    end = month_end(day.year, day.month)
    while not is_period_end(end, cadence):
        following = end + timedelta(days=1)
        end = month_end(following.year, following.month)
    return end


def latest_complete(cadence: str, today: date) -> date:
    """The end of the latest complete period before ``today`` (a period ending today is not
    complete until the day is over): monthly, the last day of last month; quarterly, the last
    financial quarter end; annual, the last 31 March."""
    return period_end_on_or_before(today - timedelta(days=1), cadence)


def financial_year(day: date) -> str:
    """The financial year a day falls in: ``2020/21`` for 2020-04-01 to 2021-03-31."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def period_name(day: date, cadence: str | None) -> str | None:
    """The period of this cadence that ``day`` ends, in words (``November 2026``, ``2020/21
    Q1``, ``2020/21``), or None when it ends none (or there is no cadence)."""
    if cadence is None or not is_period_end(day, cadence):
        return None
    if cadence == "monthly":
        return f"{calendar.month_name[day.month]} {day.year}"
    if cadence == "quarterly":
        return f"{financial_year(day)} Q{(day.month - 4) % 12 // 3 + 1}"
    return financial_year(day)


_PERIOD_WORD = {"monthly": "month", "quarterly": "financial quarter", "annual": "financial year"}


def off_period_warning(metric_id: str, cadence: str | None, day: date) -> str | None:
    """Why a date is unusual for a metric with a cadence: it ends no period (allowed, since
    some figures are snapshots, but usually a slip). None when it is fine."""
    if cadence is None or is_period_end(day, cadence):
        return None
    word = _PERIOD_WORD[cadence]
    end = period_end_on_or_after(day, cadence)
    return (
        f"{metric_id} is {cadence}, and {day} is not the end of a {word}: "
        f"{'an' if cadence == 'annual' else 'a'} {cadence} value "
        f"is dated the {word}'s last day ({end} for {period_name(end, cadence)})"
    )
