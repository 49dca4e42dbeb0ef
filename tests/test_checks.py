"""Cross-file checks: every problem of an entry in one round, not one fix at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import METRICS, WritePlan
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
