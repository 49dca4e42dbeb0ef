"""What has changed since the last paper (issue 15, part 5): each metric's (and place's)
status on a ``--since`` date beside its status on the as-of date. Pure: two `StatusReport`
in, one out; no I/O, no clock.

Both reports come from the same plan, judged the same way (``--plan``), with the same
``--priority``/``--place`` view; only the date differs. The earlier one counts the actuals
dated on or before the ``--since`` date as the log holds them now, so a late return or a
correction recorded since then counts on its own date (the status that date *as we now know
it*, which may differ from what the last paper printed).

How a movement is judged (`movement`), first rule that fits:

* the same status: no change, not listed;
* now ``withdrawn``: ``withdrawn``;
* was ``no_data``: ``new_data`` (a measure with no counted actual stays ``no_data`` whatever
  its deadline, so only a new figure moves it on);
* was or now ``no_target``, or not in the earlier report: ``changed``;
* otherwise by `RANKED`, worst first: further down is ``better``, further up ``worse``
  (``overdue`` is worse than ``off_track``; ``no_baseline`` sits between ``at_risk`` and
  ``no_data``, as in `status.STATUS_ORDER`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from .status import STATUS_ORDER, StatusReport, assess, select

if TYPE_CHECKING:
    from .plan import Plan

RANKED: Final = tuple(s for s in STATUS_ORDER if s not in ("no_target", "withdrawn"))
"""The statuses a movement is judged on, worst first (`status.STATUS_ORDER` without
``no_target`` and ``withdrawn``, which say the plan asks nothing to judge)."""

MOVEMENTS: Final = ("worse", "better", "new_data", "withdrawn", "changed")
"""Every movement `movement` gives, in the order the views sort them: worse first."""


@dataclass(frozen=True)
class Change:
    """One row (a metric, or one place of a metric tracked by place) whose status moved."""

    metric: str
    place: str | None  # None: the metric's own row
    was: str | None  # None: the metric was not in the earlier report
    now: str
    movement: str  # one of MOVEMENTS

    def as_dict(self) -> dict[str, Any]:
        """As JSON has it: ``{"metric", "place", "from", "to", "movement"}``."""
        return {
            "metric": self.metric,
            "place": self.place,
            "from": self.was,
            "to": self.now,
            "movement": self.movement,
        }


def movement(was: str | None, now: str) -> str | None:
    """How a status moved (see the module's docstring), or None when it did not.

    >>> movement("off_track", "at_risk"), movement("no_data", "overdue")
    ('better', 'new_data')
    """
    if was == now:
        return None
    if now == "withdrawn":
        return "withdrawn"
    if was == "no_data":
        return "new_data"
    if was not in RANKED or now not in RANKED:
        return "changed"
    return "better" if RANKED.index(now) > RANKED.index(was) else "worse"


def compare(was_report: StatusReport, report: StatusReport) -> StatusReport:
    """``report`` with each metric's and place's status on ``was_report``'s date beside it
    (``was``), and every row that moved listed in ``changes``, in the report's order.

    Args:
        was_report: the same plan and view assessed on the earlier (``--since``) date.
        report: the report as shown (as of the later date); may be filtered (``--status``,
            `exceptions.only_exceptions`): only the rows it shows are compared.

    Returns:
        ``report`` with ``since``, ``changes`` and every row's ``was`` filled in.
    """
    then: dict[tuple[str, str | None], str] = {}
    for metric in was_report.metrics:
        then[(metric.id, None)] = metric.status
        for place in metric.places:
            then[(metric.id, place.place)] = place.status
    found: list[Change] = []
    metrics = []
    for metric in report.metrics:
        was = then.get((metric.id, None))
        own = movement(was, metric.status)
        if own is not None and not metric.shown_for_places:
            found.append(Change(metric.id, None, was, metric.status, own))
        places = []
        for place in metric.places:
            place_was = then.get((metric.id, place.place))
            moved = movement(place_was, place.status)
            if moved is not None:
                found.append(Change(metric.id, place.place, place_was, place.status, moved))
            places.append(replace(place, was=place_was))
        metrics.append(replace(metric, was=was, places=tuple(places)))
    return replace(report, metrics=tuple(metrics), since=was_report.as_of, changes=tuple(found))


def since(plan: Plan, report: StatusReport, day: date) -> StatusReport:
    """``report`` compared with the plan's status on ``day`` (`compare`): the plan assessed
    on ``day`` judged the same way (``report.plan``) in the same ``--priority``/``--place``
    view (``report.filters``). This is what ``lsc status --since`` and ``lsc report --since``
    call; apply any other narrowing (``--status``, ``--exceptions``) to ``report`` first.

    Args:
        plan: the loaded plan ``report`` was assessed from.
        report: the report as shown, as of a date after ``day``.
        day: the ``--since`` date; `check_since` says whether it may be used.
    """
    earlier = assess(plan, day, original=report.plan == "original")
    places = report.filters.get("place", ())
    earlier = select(
        earlier,
        priorities=report.filters.get("priority", ()),
        place=places[0] if places else None,
    )
    return compare(earlier, report)


def changes_since(report: StatusReport) -> list[Change]:
    """The report's changes, worst movement first (then in the report's order): what the
    "Changed since" section lists."""
    order = {name: rank for rank, name in enumerate(MOVEMENTS)}
    return sorted(report.changes, key=lambda change: order[change.movement])


def check_since(since: date, as_of: date) -> str | None:
    """Why ``--since`` cannot be used with this as-of date, or None when it can."""
    if since >= as_of:
        return f"--since {since} must be before the as-of date ({as_of})"
    return None
