"""Checks across items and files, each small, named and registered in `CHECKS`.

Each check takes the loaded `Plan` (and today's date, passed in) and yields `Problem`s that
point at the exact key to fix. The docstring of each check is its documentation, with the
YAML it refuses. `CHECKS` is keyed by the rule ids the problems carry (the ``(rule-id)`` at
the end of each line of ``lsc check``): a check that emits several rules is registered
under each, and `run_checks` runs it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date
from itertools import islice
from typing import Any

from . import plausibility
from .applog.format import number_text
from .models import (
    PROGRAMME,
    Actual,
    Metric,
    parse_iso_date,
    parse_number,
    parse_percent,
)
from .plan import Plan
from .problems import MAX_LISTED, Problem, did_you_mean, too_many
from .revisions import apply_revision, changes_anything

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
        if metric.priority == PROGRAMME:
            pass  # the whole programme's commitment: no priority of its own
        elif plan.knows_all("priorities") and metric.priority not in known:
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
    for child in plan.places:
        if child.parent is not None and child.parent not in places.keys() | plan.rejected_ids:
            yield Problem(
                plan.source("places", child, "parent"),
                f"unknown parent place {child.parent!r}{did_you_mean(child.parent, places.keys())}",
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


_MEASURE_ONLY = (
    "direction",
    "unit",
    "cadence",
    "range",
    "whole",
    "tolerance",
    "baseline",
    "targets",
    "spc",
)


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
    """Targets give exactly one of value/change and exactly one of by/from, an open one
    (value: null) has a note saying what the plan says, a change needs a baseline (with a
    date, or a note saying none is agreed yet), dates increase, at most one standing target
    (``from``) and it is the last; a change does not go below -100% (a target below zero)
    nor against the metric's direction; a tolerance is a share of at most 1. A baseline's
    value needs its date, and a baseline needs a date or a note. A revision's targets and
    baseline obey the same rules (against the baseline in force). Every target of every
    metric is checked, even in a metric with another mistake.

    FAIL: ``targets: [{by: 2023-03-31, value: 10}, {by: 2021-03-31, value: 5}]``
    FAIL: ``{direction: decrease, targets: [{by: 2021-03-31, change: 50%}]}``
    FAIL: ``targets: [{from: 2020-04-01, value: 0}, {by: 2023-03-31, value: 0}]``
    FAIL: ``baseline: {value: 120}``
    """
    for index, raw in _metrics_as_written(plan):
        yield from _tolerance_problems(plan, index, raw)
        is_measure = raw.get("kind", "measure") == "measure"
        yield from _baseline_problems(plan, index, ("baseline",), raw.get("baseline"))
        baseline = raw.get("baseline")
        targets = raw.get("targets")
        if is_measure and isinstance(targets, list):
            yield from _target_list_problems(plan, index, ("targets",), targets, baseline, raw)
        revisions = raw.get("revisions")
        if not isinstance(revisions, list):
            continue
        for position, revision in enumerate(revisions):
            if not isinstance(revision, dict):
                continue
            here: tuple[str | int, ...] = ("revisions", position)
            if "baseline" in revision:
                yield from _baseline_problems(
                    plan, index, (*here, "baseline"), revision["baseline"]
                )
                baseline = revision["baseline"]
            given = revision.get("targets")
            if is_measure and isinstance(given, list):
                yield from _target_list_problems(
                    plan, index, (*here, "targets"), given, baseline, raw
                )


def _baseline_problems(
    plan: Plan, index: int, loc: tuple[str | int, ...], baseline: Any
) -> Iterator[Problem]:
    """A baseline's value needs its date; a baseline needs a date or a note (rules
    baseline-date, baseline-empty)."""
    if not isinstance(baseline, dict):
        return
    if baseline.get("date") is None and baseline.get("value") is not None:
        message = (
            "a baseline value needs its 'date: YYYY-MM-DD' (the day the figure is for), so "
            "that the plan line starts there"
        )
        yield _at(plan, index, (*loc, "value"), message, "baseline-date")
    elif baseline.get("date") is None and baseline.get("note") is None:
        message = (
            "a baseline needs a 'date' (its value is then the actual recorded for that date, "
            "unless 'value' gives it) or, while none is agreed, a 'note' saying so"
        )
        yield _at(plan, index, loc, message, "baseline-empty")


def _target_list_problems(
    plan: Plan,
    index: int,
    prefix: tuple[str | int, ...],
    targets: list[Any],
    baseline: Any,
    raw: dict[str, Any],
) -> Iterator[Problem]:
    """The target rules for one list of targets (a metric's, or a revision's) against the
    baseline in force for it."""
    base = baseline if isinstance(baseline, dict) else {}
    agreed_or_dated = baseline is not None and (
        not isinstance(baseline, dict) or base.get("date") is not None or base.get("note")
    )
    previous: date | None = _parsed(parse_iso_date, base.get("date"))
    base_value: float | None = _parsed(parse_number, base.get("value"))
    standing: int | None = None  # the position of the first standing target
    for position, target in enumerate(targets):
        if not isinstance(target, dict):
            continue
        here = (*prefix, position)
        yield from _value_shape_problems(plan, index, here, target)
        yield from _date_shape_problems(plan, index, here, target)
        if "from" in target:
            if standing is not None:
                message = (
                    "only one standing target ('from') is allowed: the first is held from "
                    f"its date on (target {standing + 1})"
                )
                yield _at(plan, index, (*here, "from"), message, "standing-target", key=True)
            elif position != len(targets) - 1:
                message = (
                    "a standing target ('from') must be the last target: it holds from its "
                    "date on, so no target can come after it"
                )
                yield _at(plan, index, (*here, "from"), message, "standing-target", key=True)
            standing = position if standing is None else standing
        change_text = target.get("change")
        change = _parsed(parse_percent, change_text)
        if change_text is not None and baseline is None:
            message = "a 'change' target needs a 'baseline' to be relative to"
            yield _at(plan, index, (*here, "change"), message, "change-without-baseline")
        elif change_text is not None and not agreed_or_dated:
            message = (
                "a 'change' target needs a 'baseline' to be relative to: give the baseline a "
                "'date' (and 'value'), or a 'note' saying it is not yet agreed"
            )
            yield _at(plan, index, (*here, "change"), message, "change-without-baseline")
        if change is not None:
            yield from _change_problems(
                plan, index, (*here, "change"), str(change_text), change, raw, base_value
            )
        key = "by" if target.get("by") is not None else "from"
        day = _parsed(parse_iso_date, target.get(key))
        if previous is not None and day is not None and day <= previous:
            what = "the baseline date" if position == 0 else "the previous target's date"
            message = f"target date {day} must be after {what} ({previous})"
            yield _at(plan, index, (*here, key), message, "target-order")
        previous = day if day is not None else previous


def _value_shape_problems(
    plan: Plan, index: int, here: tuple[str | int, ...], target: dict[str, Any]
) -> Iterator[Problem]:
    if "value" in target and "change" in target:
        message = "give either 'value' or 'change', not both"
        yield _at(plan, index, here, message, "target-shape")
    elif "value" not in target and "change" not in target:
        message = "a target needs 'value' (or 'value: null' if the plan leaves it open) or 'change'"
        yield _at(plan, index, here, message, "target-shape")
    elif "value" in target and target["value"] is None and not target.get("note"):
        message = (
            "a target left open ('value: null') needs a 'note' with the plan's words, "
            "so readers know what is to be agreed"
        )
        yield _at(plan, index, (*here, "value"), message, "open-target-note")


def _date_shape_problems(
    plan: Plan, index: int, here: tuple[str | int, ...], target: dict[str, Any]
) -> Iterator[Problem]:
    if target.get("by") is not None and target.get("from") is not None:
        message = (
            "give either 'by' (a deadline) or 'from' (a standing target, held from that "
            "date on), not both"
        )
        yield _at(plan, index, here, message, "target-shape")
    elif target.get("by") is None and target.get("from") is None:
        message = (
            "a target needs 'by: YYYY-MM-DD' (a deadline) or 'from: YYYY-MM-DD' (a standing "
            "target, held from that date on)"
        )
        yield _at(plan, index, here, message, "target-shape")


def check_revisions(plan: Plan, today: date | None) -> Iterator[Problem]:
    """Revisions are appended in the order decided, none decided after today, each gives
    what fits the metric's kind (a milestone ``due``; a measure ``targets`` and
    ``baseline``), each changes something, nothing follows ``withdrawn: true``, and ``by``
    and ``reason`` are not blank.

    FAIL: ``revisions: [{decided: 2020-05-12, by: ICS Board, reason: Covid}]`` (no change)
    FAIL: ``{kind: milestone, revisions: [{..., targets: [...]}]}``
    """
    valid = {metric.index: metric for metric in plan.metrics}
    for index, raw in _metrics_as_written(plan):
        revisions = raw.get("revisions")
        if not isinstance(revisions, list):
            continue
        in_force = valid.get(index)
        previous: date | None = None
        withdrawn_line: int | None = None
        for position, revision in enumerate(revisions):
            if not isinstance(revision, dict):
                continue
            here: tuple[str | int, ...] = ("revisions", position)
            if withdrawn_line is not None:
                message = (
                    f"nothing can follow a withdrawal (line {withdrawn_line}): the metric is "
                    "withdrawn; to revive a commitment, add a new metric"
                )
                yield _at(plan, index, here, message, "revision-after-withdrawn")
            for name in ("by", "reason"):
                text = revision.get(name)
                if isinstance(text, str) and not text.strip():
                    message = f"a revision needs {_REQUIRED_WORDS[name]}; it is blank"
                    yield _at(plan, index, (*here, name), message, "revision-required")
            yield from _decided_problems(plan, index, here, revision, previous, today)
            previous = _parsed(parse_iso_date, revision.get("decided")) or previous
            yield from _revision_fields_problems(plan, index, here, revision, raw)
            if in_force is not None and position < len(in_force.revisions):
                model = in_force.revisions[position]
                if not changes_anything(in_force, model) and _gives_something(revision):
                    message = (
                        "this revision changes nothing: what it gives is already the plan "
                        "in force (notes and sources are not a change)"
                    )
                    yield _at(plan, index, here, message, "revision-empty")
                in_force = apply_revision(in_force, model)
            if not _gives_something(revision):
                message = (
                    "this revision changes nothing: give the new 'due' (a milestone), "
                    "'targets' or 'baseline' (a measure), or 'withdrawn: true'"
                )
                yield _at(plan, index, here, message, "revision-empty")
            if revision.get("withdrawn") == "true" and withdrawn_line is None:
                withdrawn_line = plan.source("metrics", index, *here).line


_REQUIRED_WORDS = {"by": "'by', who decided (a board, a committee)", "reason": "'reason'"}


def _gives_something(revision: dict[str, Any]) -> bool:
    return (
        any(revision.get(key) is not None for key in ("due", "targets", "baseline"))
        or revision.get("withdrawn") not in (None, "false")  # a bad word is its own problem
    )


def _decided_problems(
    plan: Plan,
    index: int,
    here: tuple[str | int, ...],
    revision: dict[str, Any],
    previous: date | None,
    today: date | None,
) -> Iterator[Problem]:
    decided = _parsed(parse_iso_date, revision.get("decided"))
    if decided is None:
        return
    if previous is not None and decided <= previous:
        message = (
            f"decided {decided} must be after the previous revision's ({previous}): "
            "revisions are appended in the order they were decided"
        )
        yield _at(plan, index, (*here, "decided"), message, "revision-order")
    if today is not None and decided > today:
        message = (
            f"decided {decided} is in the future (today is {today}): record a decision "
            "once it is made"
        )
        yield _at(plan, index, (*here, "decided"), message, "revision-future")


def _revision_fields_problems(
    plan: Plan,
    index: int,
    here: tuple[str | int, ...],
    revision: dict[str, Any],
    raw: dict[str, Any],
) -> Iterator[Problem]:
    kind = raw.get("kind", "measure")
    if kind == "milestone":
        for name in ("targets", "baseline"):
            if name in revision:
                message = (
                    f"{name!r} is for a measure's revision; this metric is a milestone: "
                    "give the new 'due'"
                )
                yield _at(plan, index, (*here, name), message, "revision-fields", key=True)
    elif kind in ("measure", None) and "due" in revision:
        message = (
            "'due' is for a milestone's revision; this metric is a measure: give the new "
            "'targets' (the whole list) or 'baseline'"
        )
        yield _at(plan, index, (*here, "due"), message, "revision-fields", key=True)


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
            if not value_fits and not actual.void:
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


Key = tuple[str, str | None, date]


def unsettled_duplicates(actuals: Iterable[Actual]) -> list[tuple[Actual, Actual]]:
    """Each second entry for a metric, place and date that does not say ``replaces: true``,
    with the first entry for its key, in log order; a later entry for the key that replaces
    (``replaces: true``) or withdraws (a void) settles the duplicates before it, as it says
    which value counts. Two clones that each record the key and are merged give one."""
    first: dict[Key, Actual] = {}
    open_pairs: dict[Key, list[tuple[Actual, Actual]]] = {}
    found: list[tuple[int, Actual, Actual]] = []
    for position, actual in enumerate(actuals):
        key = (actual.metric, actual.place, actual.date)
        if actual.void or actual.replaces:
            open_pairs.pop(key, None)
        if actual.void:
            first.pop(key, None)
        elif key in first and not actual.replaces:
            open_pairs.setdefault(key, []).append((first[key], actual))
            found.append((position, first[key], actual))
        elif key not in first:
            first[key] = actual
    unsettled = {id(second) for pairs in open_pairs.values() for _, second in pairs}
    return [(one, two) for _, one, two in found if id(two) in unsettled]


def _entry_words(plan: Plan, actual: Actual) -> str:
    """``line 6: 70 by amy, recorded 2020-07-01 09:00 UTC``: an entry as a duplicate's
    message shows it, so that whoever merged can tell the two apart."""
    value = actual.value if isinstance(actual.value, str) else number_text(actual.value)
    by = f" by {actual.by}" if actual.by else ""
    when = actual.recorded
    recorded = f", recorded {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if when else ""
    return f"line {plan.source('actuals', actual).line}: {value}{by}{recorded}"


def _settle_commands(actual: Actual) -> str:
    """The commands that settle a duplicate: keep one value, or withdraw both."""
    where = f"{actual.metric} --date {actual.date}" + (
        f" --place {actual.place}" if actual.place else ""
    )
    value = actual.value if isinstance(actual.value, str) else number_text(actual.value)
    return (
        f"keep one with 'lsc record {actual.metric} {value} --date {actual.date}"
        f"{f' --place {actual.place}' if actual.place else ''} --replace' (the value to keep), "
        f"or withdraw both with 'lsc record {where} --void --reason TEXT'"
    )


def check_duplicate_actuals(plan: Plan, today: date | None) -> Iterator[Problem]:
    """A second entry for the same metric, place and date must say ``replaces: true`` (or a
    later entry for the key must replace or withdraw it: `unsettled_duplicates`), and a void
    (``void: true``) must have an entry before it to withdraw; after a void, the next entry
    for its key is a first again. A duplicate's message shows both entries, who recorded
    each and when, and the commands that settle it.

    FAIL: two entries ``{metric: ooa, date: 2020-06-30, ...}`` without ``replaces``; a void
    with no entry before it for its metric, place and date.
    """
    first: dict[Key, Actual] = {}
    for actual in plan.actuals:
        key = (actual.metric, actual.place, actual.date)
        if actual.void:  # withdraws what came before: the next entry for the key is a first
            if first.pop(key, None) is None:
                place = f" at {actual.place}" if actual.place else ""
                yield Problem(
                    plan.source("actuals", actual, "void"),
                    f"a void for {actual.metric}{place} on {actual.date}, but no entry before "
                    "it for that metric, place and date is left to withdraw",
                    "void-nothing",
                )
        elif key not in first:
            first[key] = actual
    for one, two in unsettled_duplicates(plan.actuals):
        place = f" at {two.place}" if two.place else ""
        yield Problem(
            plan.source("actuals", two, "date"),
            f"a second entry for {two.metric}{place} on {two.date} (first on line "
            f"{plan.source('actuals', one).line}): {_entry_words(plan, one)}; "
            f"{_entry_words(plan, two)}; add 'replaces: true' if it corrects the first, or "
            f"{_settle_commands(two)}",
            "duplicate-actual",
        )


def check_plausible_actuals(plan: Plan, today: date | None) -> Iterator[Problem]:
    """The entries that count hold plausible values for their metric (`plausibility`): within
    its range (a unit % is 0 to 100), whole when it says ``whole: true``, and dated no more
    than 10 years before its earliest baseline or target date. A voided entry is not held to
    them: the void is its correction.

    FAIL: ``- {metric: sickness-absence, date: 2020-06-30, value: 450}`` (unit %)
    """
    metrics = plan.metric_by_id
    # A national log holds a million entries of a few thousand metrics: what each metric
    # asks (a range, whole numbers, an earliest date) is worked out once, and an entry of a
    # metric that asks nothing is passed over at once.
    rules: dict[str, tuple[bool, date | None]] = {}
    for actual in plan.counted:
        known = rules.get(actual.metric)
        if known is None:
            metric = metrics.get(actual.metric)
            if metric is None:
                continue
            has_values = plausibility.value_range(metric) is not None or metric.whole
            known = rules[actual.metric] = (has_values, plausibility.earliest_date(metric))
        has_values, first = known
        if not has_values and (first is None or actual.date >= first):
            continue
        metric = metrics[actual.metric]
        if metric.is_milestone and actual.value == "done":
            continue
        problem = plausibility.value_problem(metric, actual.value) if has_values else None
        if problem:
            where = plan.source("actuals", actual, "value")
            yield Problem(where, problem, "actual-range" if "range" in problem else "actual-whole")
        if first is None or actual.date >= first:
            continue
        problem = plausibility.date_problem(metric, actual.date)
        if problem:
            yield Problem(
                plan.source("actuals", actual, "date"), problem, "actual-implausible-date"
            )


def check_ranges(plan: Plan, today: date | None) -> Iterator[Problem]:
    """A metric's ``range`` is [min, max] with min below max.

    FAIL: ``range: [100, 0]``
    """
    for metric in plan.metrics:
        low, high = metric.range or (None, None)
        if low is not None and high is not None and low >= high:
            yield Problem(
                plan.source("metrics", metric, "range"),
                f"range [{low:g}, {high:g}] is empty: give [min, max], min below max",
                "range-order",
            )


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
    "standing-target": check_targets,
    "baseline-date": check_targets,
    "baseline-empty": check_targets,
    "revision-required": check_revisions,
    "revision-order": check_revisions,
    "revision-future": check_revisions,
    "revision-fields": check_revisions,
    "revision-empty": check_revisions,
    "revision-after-withdrawn": check_revisions,
    "unknown-metric": check_actuals,
    "actual-value": check_actuals,
    "actual-place": check_actuals,
    "future-actual": check_actuals,
    "duplicate-actual": check_duplicate_actuals,
    "void-nothing": check_duplicate_actuals,
    "range-order": check_ranges,
    "actual-range": check_plausible_actuals,
    "actual-whole": check_plausible_actuals,
    "actual-implausible-date": check_plausible_actuals,
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
