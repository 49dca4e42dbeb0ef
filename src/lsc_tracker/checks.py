"""Checks across items and files, each small, named and registered in `CHECKS`.

Each check takes the loaded `Plan` (and today's date, passed in) and yields `Problem`s that
point at the exact key to fix. The docstring of each check is its documentation, with the
YAML it refuses. `CHECKS` is keyed by the rule ids the problems carry (the ``(rule-id)`` at
the end of each line of ``lsc check``): a check that emits several rules is registered
under each, and `run_checks` runs it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from itertools import islice
from typing import Any

from .models import Actual, Metric, parse_iso_date, parse_number, parse_percent
from .plan import Plan
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


def _metrics_as_written(plan: Plan) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every metric of metrics.yaml as written (position, mapping), whether or not it passed
    its model: so that a metric with one bad value still gets every other problem reported
    in the same run. Nothing when the file could not be parsed."""
    doc = plan.documents.get("metrics")
    if doc is None or doc.problems or not isinstance(doc.data, dict):
        return
    items = doc.data.get("metrics")
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _parsed(parse: Callable[[Any], Any], value: Any) -> Any:
    """``parse(value)``, or None when it is not valid (its own problem is reported already)."""
    try:
        return None if value is None else parse(value)
    except ValueError:
        return None


def check_kind_fields(plan: Plan, today: date | None) -> Iterator[Problem]:
    """A measure has a direction and no due date; a milestone has a due date and nothing else.

    FAIL: ``{id: ccg-config, kind: milestone, due: 2020-04-30, direction: increase}``
    """
    for index, raw in _metrics_as_written(plan):
        kind = raw.get("kind", "measure")
        if kind == "milestone":
            if raw.get("due") is None:
                yield _at(plan, index, None, "a milestone needs 'due: YYYY-MM-DD'", "kind-fields")
            for name in _MEASURE_ONLY:
                if name in raw:
                    message = f"{name!r} is for measures only; this metric is a milestone"
                    yield _at(plan, index, name, message, "kind-fields", key=True)
        elif kind in ("measure", None):
            if raw.get("direction") is None:
                message = "a measure needs 'direction: increase' or 'direction: decrease'"
                yield _at(plan, index, None, message, "kind-fields")
            if "due" in raw:
                message = "'due' is for milestones only; give a measure 'targets' instead"
                yield _at(plan, index, "due", message, "kind-fields", key=True)


def check_targets(plan: Plan, today: date | None) -> Iterator[Problem]:
    """Targets give exactly one of value/change, an open one (value: null) has a note saying
    what the plan says, a change needs a baseline, dates increase; a change does not go
    below -100% (a target below zero) nor against the metric's direction; a tolerance is a
    share of at most 1. Every target of every metric is checked, even in a metric with
    another mistake.

    FAIL: ``targets: [{by: 2023-03-31, value: 10}, {by: 2021-03-31, value: 5}]``
    FAIL: ``{direction: decrease, targets: [{by: 2021-03-31, change: 50%}]}``
    """
    for index, raw in _metrics_as_written(plan):
        yield from _tolerance_problems(plan, index, raw)
        targets = raw.get("targets")
        if raw.get("kind", "measure") != "measure" or not isinstance(targets, list):
            continue
        baseline = raw.get("baseline")
        has_baseline = baseline is not None
        base = baseline if isinstance(baseline, dict) else {}
        previous: date | None = _parsed(parse_iso_date, base.get("date"))
        base_value: float | None = _parsed(parse_number, base.get("value"))
        for position, target in enumerate(targets):
            if not isinstance(target, dict):
                continue
            here = ("targets", position)
            if "value" in target and "change" in target:
                message = "give either 'value' or 'change', not both"
                yield _at(plan, index, here, message, "target-shape")
            elif "value" not in target and "change" not in target:
                message = (
                    "a target needs 'value' (or 'value: null' if the plan leaves it open) "
                    "or 'change'"
                )
                yield _at(plan, index, here, message, "target-shape")
            elif "value" in target and target["value"] is None and not target.get("note"):
                message = (
                    "a target left open ('value: null') needs a 'note' with the plan's words, "
                    "so readers know what is to be agreed"
                )
                yield _at(plan, index, (*here, "value"), message, "open-target-note")
            change_text = target.get("change")
            change = _parsed(parse_percent, change_text)
            if change_text is not None and not has_baseline:
                message = "a 'change' target needs a 'baseline' to be relative to"
                yield _at(plan, index, (*here, "change"), message, "change-without-baseline")
            if change is not None:
                yield from _change_problems(
                    plan, index, (*here, "change"), str(change_text), change, raw, base_value
                )
            by = _parsed(parse_iso_date, target.get("by"))
            if previous is not None and by is not None and by <= previous:
                what = "the baseline date" if position == 0 else "the previous target's date"
                message = f"target date {by} must be after {what} ({previous})"
                yield _at(plan, index, (*here, "by"), message, "target-order")
            previous = by


def _change_problems(
    plan: Plan,
    index: int,
    loc: tuple[str | int, ...],
    text: str,
    change: float,
    raw: dict[str, Any],
    base_value: float | None,
) -> Iterator[Problem]:
    """A relative change that cannot mean what it says: below -100% (the target would be
    below zero), or an unsigned 50% on a decrease metric (the plan's words would be a fall).

    A sign written out is deliberate: "+2%" on a decrease metric is a cap on growth (NHS
    plans do say "limit the growth in admissions to 2%"), so only the unsigned form is refused.
    """
    shown = text.strip()
    if change < -1:
        result = "" if base_value is None else f" ({base_value:g} -> {base_value * (1 + change):g})"
        message = f"change {shown} takes the target below zero{result}: a fall is at most -100%"
        yield _at(plan, index, loc, message, "target-below-zero")
    direction = raw.get("direction")
    if direction == "decrease" and change > 0 and not shown.startswith("+"):
        message = (
            f"change {shown} raises the target, but this metric's direction is decrease: "
            f"write -{shown} for a decrease of {shown} (or +{shown} if growth is really allowed)"
        )
        yield _at(plan, index, loc, message, "change-direction")


def _tolerance_problems(plan: Plan, index: int, raw: dict[str, Any]) -> Iterator[Problem]:
    tolerance = _parsed(parse_number, raw.get("tolerance"))
    if tolerance is not None and tolerance > 1:
        message = (
            f"tolerance {tolerance:g} is {tolerance:.0%} of a plan segment's span: give a "
            "share from 0 to 1 (0.1 is 10%)"
        )
        yield _at(plan, index, "tolerance", message, "tolerance-range")


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
    yield from _refused_entry_places(plan)


def _refused_entry_places(plan: Plan) -> Iterator[Problem]:
    """An entry refused for one key (a missing value, a bad date) still gets its place
    checked against its metric, so that one run reports both (rule actual-place).

    FAIL: ``- {metric: icp-plans, date: 2020-03-31, value: }`` (no value, and no place)
    """
    doc = plan.documents.get("actuals")
    if doc is None or doc.problems or not isinstance(doc.data, list):
        return
    positions = plan.actual_positions
    if positions is None or len(positions) == len(doc.data):
        return
    loaded = set(positions)
    metrics = plan.metric_by_id
    for index, raw in enumerate(doc.data):
        if index in loaded or not isinstance(raw, dict):
            continue
        metric = metrics.get(raw["metric"]) if isinstance(raw.get("metric"), str) else None
        if metric is not None and raw.get("place") is None:
            message = place_problem(metric, None)
            if message:
                yield Problem(plan.source("actuals", index, "metric"), message, "actual-place")


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
    metric: Metric | int,
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
    "unknown-priority": check_references,
    "unknown-place": check_references,
    "duplicate-place": check_references,
    "place-cycle": check_place_cycles,
    "kind-fields": check_kind_fields,
    "target-shape": check_targets,
    "open-target-note": check_targets,
    "change-without-baseline": check_targets,
    "target-order": check_targets,
    "target-below-zero": check_targets,
    "change-direction": check_targets,
    "tolerance-range": check_targets,
    "unknown-metric": check_actuals,
    "actual-value": check_actuals,
    "actual-place": check_actuals,
    "future-actual": check_actuals,
    "duplicate-actual": check_duplicate_actuals,
}
"""Every check, by each rule id it emits, in the order they run."""


def run_checks(plan: Plan, *, today: date | None, limit: int = MAX_LISTED) -> list[Problem]:
    """Run every registered check and collect its problems, at most ``limit`` of them: the
    checks stop there (so a flood costs no more than ``limit`` problems' work), and one last
    problem, where the next one would have been, says that more are not listed."""
    found: list[Problem] = []
    for check in dict.fromkeys(CHECKS.values()):  # each check once, in registration order
        found.extend(islice(check(plan, today), max(limit - len(found), 0) + 1))
        if len(found) > limit:
            next_one = found.pop()
            found.append(too_many(next_one.source, "more problems from here on are not listed"))
            break
    return found
