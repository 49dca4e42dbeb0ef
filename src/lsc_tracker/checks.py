"""Checks across items and files, each small, named and registered in `CHECKS`.

Each check takes the loaded `Plan` (and today's date, passed in) and yields `Problem`s that
point at the exact key to fix. The docstring of each check is its documentation, with the
YAML it refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from itertools import islice

from .loader import Plan
from .models import Actual, Metric
from .problems import MAX_LISTED, Problem, did_you_mean, too_many

Check = Callable[[Plan, "date | None"], Iterator[Problem]]


def check_duplicate_ids(plan: Plan, today: date | None) -> Iterator[Problem]:
    """Ids are unique within their file.

    FAIL: ``metrics: [{id: ooa, ...}, {id: ooa, ...}]``
    """
    for kind in ("priorities", "places", "metrics"):
        first: dict[str, int] = {}
        for item in getattr(plan, kind):
            if item.id in first:
                line = first[item.id]
                yield Problem(
                    plan.source(kind, item, "id"),
                    f"duplicate id {item.id!r} (first used on line {line})",
                    "duplicate-id",
                )
            else:
                first[item.id] = plan.source(kind, item, "id").line


def check_references(plan: Plan, today: date | None) -> Iterator[Problem]:
    """Every priority, place and parent a plan file names exists.

    FAIL: ``metrics: [{id: ooa, priority: P9, ...}]`` when priorities.yaml has no P9.
    """
    places = plan.place_by_id
    for metric in plan.metrics:
        known = plan.priority_by_id.keys() | plan.rejected_ids
        if plan.knows_all("priorities") and metric.priority not in known:
            hint = did_you_mean(metric.priority, plan.priority_by_id.keys())
            yield Problem(
                plan.source("metrics", metric, "priority"),
                f"unknown priority {metric.priority!r}{hint}",
                "unknown-priority",
            )
        for position, place in enumerate(metric.places):
            if plan.knows_all("places") and place not in places.keys() | plan.rejected_ids:
                yield Problem(
                    plan.source("metrics", metric, "places", position),
                    f"unknown place {place!r}{did_you_mean(place, places.keys())}",
                    "unknown-place",
                )
            elif place in metric.places[:position]:
                yield Problem(
                    plan.source("metrics", metric, "places", position),
                    f"place {place!r} is listed twice: each place is tracked once",
                    "duplicate-place",
                )
    for place in plan.places:
        if place.parent is not None and place.parent not in places.keys() | plan.rejected_ids:
            yield Problem(
                plan.source("places", place, "parent"),
                f"unknown parent place {place.parent!r}{did_you_mean(place.parent, places.keys())}",
                "unknown-place",
            )


def check_place_cycles(plan: Plan, today: date | None) -> Iterator[Problem]:
    """A place cannot enclose itself, directly or through its parents."""
    places = plan.place_by_id
    for place in plan.places:
        seen = {place.id}
        parent = place.parent
        while parent is not None and parent in places:
            if parent in seen:
                yield Problem(
                    plan.source("places", place, "parent"),
                    f"place {place.id!r} encloses itself through its parents",
                    "place-cycle",
                )
                break
            seen.add(parent)
            parent = places[parent].parent


_MEASURE_ONLY = ("direction", "unit", "cadence", "tolerance", "baseline", "targets", "spc")


def check_kind_fields(plan: Plan, today: date | None) -> Iterator[Problem]:
    """A measure has a direction and no due date; a milestone has a due date and nothing else.

    FAIL: ``{id: ccg-config, kind: milestone, due: 2020-04-30, direction: increase}``
    """
    for metric in plan.metrics:
        given = metric.model_fields_set
        if metric.is_milestone:
            if metric.due is None:
                yield _at(plan, metric, None, "a milestone needs 'due: YYYY-MM-DD'", "kind-fields")
            for name in _MEASURE_ONLY:
                if name in given:
                    message = f"{name!r} is for measures only; this metric is a milestone"
                    yield _at(plan, metric, name, message, "kind-fields", key=True)
        else:
            if metric.direction is None:
                message = "a measure needs 'direction: increase' or 'direction: decrease'"
                yield _at(plan, metric, None, message, "kind-fields")
            if "due" in given:
                message = "'due' is for milestones only; give a measure 'targets' instead"
                yield _at(plan, metric, "due", message, "kind-fields", key=True)


def check_targets(plan: Plan, today: date | None) -> Iterator[Problem]:
    """Targets give exactly one of value/change, an open one (value: null) has a note saying
    what the plan says, a change needs a baseline, dates increase.

    FAIL: ``targets: [{by: 2023-03-31, value: 10}, {by: 2021-03-31, value: 5}]``
    """
    for metric in plan.metrics:
        previous: date | None = metric.baseline.date if metric.baseline else None
        for position, target in enumerate(metric.targets):
            given = target.model_fields_set
            if "value" in given and "change" in given:
                yield _at(
                    plan,
                    metric,
                    ("targets", position),
                    "give either 'value' or 'change', not both",
                    "target-shape",
                )
            elif "value" not in given and "change" not in given:
                yield _at(
                    plan,
                    metric,
                    ("targets", position),
                    "a target needs 'value' (or 'value: null' if the plan leaves it open) "
                    "or 'change'",
                    "target-shape",
                )
            elif target.is_open and not target.note:
                yield _at(
                    plan,
                    metric,
                    ("targets", position, "value"),
                    "a target left open ('value: null') needs a 'note' with the plan's words, "
                    "so readers know what is to be agreed",
                    "open-target-note",
                )
            if target.change is not None and metric.baseline is None:
                yield _at(
                    plan,
                    metric,
                    ("targets", position, "change"),
                    "a 'change' target needs a 'baseline' to be relative to",
                    "change-without-baseline",
                )
            if previous is not None and target.by <= previous:
                what = "the baseline date" if position == 0 else "the previous target's date"
                yield _at(
                    plan,
                    metric,
                    ("targets", position, "by"),
                    f"target date {target.by} must be after {what} ({previous})",
                    "target-order",
                )
            previous = target.by


def check_actuals(plan: Plan, today: date | None) -> Iterator[Problem]:
    """Each actual names a known metric and place, fits its metric, and is not in the future.

    FAIL: ``- {metric: ooa, date: 2020-06-30, value: done}`` when ooa is a measure.
    """
    metrics = plan.metric_by_id
    # A national log repeats a few thousand (metric, place, kind of value) combinations a
    # million times: judge each combination once.
    verdicts: dict[tuple[str, str | None, bool], tuple[bool, str | None]] = {}
    hints: dict[str, str] = {}  # a misspelt metric is searched for once, however often used
    known = sorted(metrics)
    for actual in plan.actuals:
        metric = metrics.get(actual.metric)
        if metric is None:
            if plan.knows_all("metrics") and actual.metric not in plan.rejected_ids:
                hint = hints.get(actual.metric)
                if hint is None:
                    hint = hints[actual.metric] = did_you_mean(actual.metric, known)
                yield Problem(
                    plan.source("actuals", actual, "metric"),
                    f"unknown metric {actual.metric!r}{hint}",
                    "unknown-metric",
                )
        else:
            key = (actual.metric, actual.place, actual.value == "done")
            verdict = verdicts.get(key)
            if verdict is None:
                value_fits = value_problem(metric, actual.value) is None
                verdict = verdicts[key] = (value_fits, place_problem(metric, actual.place))
            value_fits, place_verdict = verdict
            if not value_fits:
                message = value_problem(metric, actual.value) or ""
                yield Problem(plan.source("actuals", actual, "value"), message, "actual-value")
            if place_verdict:
                where = plan.source("actuals", actual, "place" if actual.place else "metric")
                yield Problem(where, place_verdict, "actual-place")
        if today is not None and actual.date > today:  # whatever the metric: one round of fixes
            yield Problem(
                plan.source("actuals", actual, "date"),
                f"date {actual.date} is in the future (today is {today})",
                "future-actual",
            )


def check_duplicate_actuals(plan: Plan, today: date | None) -> Iterator[Problem]:
    """A second entry for the same metric, place and date must say ``replaces: true``.

    FAIL: two entries ``{metric: ooa, date: 2020-06-30, ...}`` without ``replaces``.
    """
    first: dict[tuple[str, str | None, date], Actual] = {}
    for actual in plan.actuals:
        key = (actual.metric, actual.place, actual.date)
        if key in first and not actual.replaces:
            place = f" at {actual.place}" if actual.place else ""
            yield Problem(
                plan.source("actuals", actual, "date"),
                f"a second entry for {actual.metric}{place} on {actual.date} (first on line "
                f"{plan.source('actuals', first[key]).line}): add 'replaces: true' if it "
                "corrects the first",
                "duplicate-actual",
            )
        elif key not in first:
            first[key] = actual


def value_problem(metric: Metric, value: float | str) -> str | None:
    """Why a value does not fit a metric (shared with `record` and `import`), or None."""
    if metric.is_milestone and value != "done":
        shown = f"{value:g}" if isinstance(value, float) else value
        return f"{metric.id} is a milestone: its only value is done, got {shown}"
    if not metric.is_milestone and value == "done":
        return f"{metric.id} is a measure: expected a number, got done"
    return None


def place_problem(metric: Metric, place: str | None) -> str | None:
    """Why a place does not fit a metric (shared with `record` and `import`), or None."""
    if metric.places and place is None:
        return f"{metric.id} is tracked by place: give one of {', '.join(metric.places)}"
    if not metric.places and place is not None:
        return f"{metric.id} is not tracked by place: leave the place out"
    if place is not None and place not in metric.places:
        return f"{metric.id} is not tracked at {place!r}{did_you_mean(place, metric.places)}"
    return None


def _at(
    plan: Plan,
    metric: Metric,
    loc: str | tuple[str | int, ...] | None,
    message: str,
    rule: str,
    *,
    key: bool = False,
) -> Problem:
    parts: tuple[str | int, ...] = () if loc is None else (loc,) if isinstance(loc, str) else loc
    return Problem(plan.source("metrics", metric, *parts, key=key), message, rule)


CHECKS: dict[str, Check] = {
    "duplicate-id": check_duplicate_ids,
    "unknown-reference": check_references,
    "place-cycle": check_place_cycles,
    "kind-fields": check_kind_fields,
    "targets": check_targets,
    "actuals": check_actuals,
    "duplicate-actual": check_duplicate_actuals,
}


def run_checks(plan: Plan, *, today: date | None, limit: int = MAX_LISTED) -> list[Problem]:
    """Run every registered check and collect its problems, at most ``limit`` of them: the
    checks stop there (so a flood costs no more than ``limit`` problems' work), and one last
    problem, where the next one would have been, says that more are not listed."""
    found: list[Problem] = []
    for check in CHECKS.values():
        found.extend(islice(check(plan, today), max(limit - len(found), 0) + 1))
        if len(found) > limit:
            next_one = found.pop()
            found.append(too_many(next_one.source, "more problems from here on are not listed"))
            break
    return found
