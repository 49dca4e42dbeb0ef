"""Cross-file checks: every problem of an entry in one round, not one fix at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import METRICS, WritePlan
from lsc_tracker.checks import CHECKS
from lsc_tracker.loader import load

TODAY = date(2026, 12, 1)


def found(data_dir: Path) -> list[tuple[int, int, str]]:
    _, problems = load(data_dir, today=TODAY)
    return [(p.source.line, p.source.column, p.rule) for p in problems]


def test_an_unknown_metric_does_not_hide_a_future_date(write_plan: WritePlan) -> None:
    actuals = "- {metric: nope, date: 2999-06-30, value: 3}\n"
    assert found(write_plan(actuals=actuals)) == [
        (1, 12, "unknown-metric"),
        (1, 24, "future-actual"),
    ]


def test_a_misfit_value_and_place_and_a_future_date_are_all_reported(
    write_plan: WritePlan,
) -> None:
    actuals = "- {metric: ccg-configuration, date: 2999-06-30, value: 3, place: fylde-coast}\n"
    assert [rule for *_, rule in found(write_plan(actuals=actuals))] == [
        "future-actual",
        "actual-value",
        "actual-place",
    ]


def test_a_place_listed_twice_under_a_metric_is_a_problem(write_plan: WritePlan) -> None:
    twice = "    due: 2020-04-30\n    places: [fylde-coast, morecambe-bay, fylde-coast]\n"
    metrics = METRICS.replace("    due: 2020-04-30\n", twice)
    assert found(write_plan(metrics=metrics)) == [(16, 42, "duplicate-place")]


def test_each_check_is_registered_under_every_rule_it_emits(write_plan: WritePlan) -> None:
    metrics = (
        METRICS.replace("priority: P4", "priority: P44")
        .replace("change: -75%", "change: 75%")
        .replace("{by: 2021-03-31, change: -50%}", "{by: 2018-03-31, value: 3, change: -50%}")
        .replace("    due: 2020-04-30\n", "    places: [nowhere, lsc, lsc]\n")
    )
    actuals = (
        "- {metric: nope, date: 2999-06-30, value: 3}\n"
        "- {metric: ccg-configuration, date: 2020-01-31, value: 3, place: lsc}\n"
        "- {metric: ooa-placements, date: 2020-01-31, value: 3, place: lsc}\n"
        "- {metric: ooa-placements, date: 2020-01-31, value: 4, place: lsc}\n"
    )
    plan, _ = load(write_plan(metrics=metrics, actuals=actuals), today=TODAY)
    emitted = {
        problem.rule: check
        for check in dict.fromkeys(CHECKS.values())
        for problem in check(plan, TODAY)
    }
    assert len(emitted) == 12, sorted(emitted)
    assert all(CHECKS[rule] is check for rule, check in emitted.items())
