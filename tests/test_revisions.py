"""The plan in force on a date (`revisions.plan_in_force`), and which revisions ease it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from lsc_tracker.models import Metric, Target
from lsc_tracker.revisions import plan_in_force


def measure(**fields: Any) -> Metric:
    return Metric.model_validate(
        {
            "id": "ooa",
            "priority": "P3",
            "name": "Out of area placements",
            "direction": "decrease",
            "baseline": {"date": date(2019, 3, 31), "value": 120},
            "targets": [
                {"by": date(2021, 3, 31), "change": "-50%"},
                {"by": date(2023, 3, 31), "value": 30},
            ],
            **fields,
        }
    )


def milestone(**fields: Any) -> Metric:
    return Metric.model_validate(
        {
            "id": "ccg",
            "priority": "P8",
            "name": "CCG configuration",
            "kind": "milestone",
            "due": date(2020, 4, 30),
            **fields,
        }
    )


def revision(decided: date, **fields: Any) -> dict[str, Any]:
    return {"decided": decided, "by": "ICS Board", "reason": "Covid-19", **fields}


MOVED = revision(date(2020, 5, 12), due=date(2020, 9, 30), source="Board minute 12")
WITHDRAWN = revision(date(2021, 1, 5), withdrawn=True, reason="Overtaken by the ICB")


def test_before_any_revision_is_decided_the_plan_is_the_original() -> None:
    metric = milestone(revisions=[MOVED])
    in_force = plan_in_force(metric, date(2020, 5, 11))
    assert in_force.metric.due == date(2020, 4, 30)
    assert in_force.applied == ()
    assert in_force.withdrawn is None
    assert in_force.original_due == date(2020, 4, 30)


def test_a_revision_applies_from_the_day_it_is_decided_and_is_marked_eased() -> None:
    metric = milestone(revisions=[MOVED])
    in_force = plan_in_force(metric, date(2020, 5, 12))
    assert in_force.metric.due == date(2020, 9, 30)
    assert [(a.revision.decided, a.eased) for a in in_force.applied] == [(date(2020, 5, 12), True)]
    assert in_force.original_due == date(2020, 4, 30)
    assert in_force.metric.id == "ccg" and in_force.metric.revisions == metric.revisions


def test_original_ignores_every_revision() -> None:
    metric = milestone(revisions=[MOVED, WITHDRAWN])
    in_force = plan_in_force(metric, date(2026, 1, 1), original=True)
    assert in_force.metric.due == date(2020, 4, 30)
    assert in_force.applied == () and in_force.withdrawn is None


def test_revisions_apply_in_order_and_a_withdrawal_is_in_force_from_its_date() -> None:
    earlier = revision(date(2020, 10, 1), due=date(2020, 8, 31))  # brought forward: not eased
    metric = milestone(revisions=[MOVED, earlier, WITHDRAWN])
    in_force = plan_in_force(metric, date(2020, 12, 31))
    assert in_force.metric.due == date(2020, 8, 31)
    assert [a.eased for a in in_force.applied] == [True, False]
    assert in_force.withdrawn is None
    later = plan_in_force(metric, date(2021, 1, 5))
    assert later.withdrawn is not None and later.withdrawn.reason == "Overtaken by the ICB"
    assert [a.eased for a in later.applied] == [True, False, True]


def test_the_plan_of_the_board_on_a_date_is_reproduced() -> None:
    """A measure's targets and baseline are replaced whole by each revision."""
    new_targets = [{"by": date(2021, 3, 31), "value": 60}, {"by": date(2023, 3, 31), "value": 25}]
    metric = measure(
        revisions=[
            revision(date(2020, 5, 12), baseline={"date": date(2019, 3, 31), "value": 110}),
            revision(date(2020, 9, 1), targets=new_targets),
        ]
    )
    first = plan_in_force(metric, date(2020, 6, 30)).metric
    assert first.baseline is not None and first.baseline.value == 110
    assert first.target_value(first.targets[0]) == pytest.approx(55)
    second = plan_in_force(metric, date(2020, 9, 1)).metric
    assert [first.target_value(t) for t in second.targets] == [60, 25]
    assert plan_in_force(metric, date(2020, 9, 1)).original_targets == metric.targets


@pytest.mark.parametrize(
    ("given", "eased"),
    [
        # the last figure less demanding for a decrease metric: eased
        (
            {
                "targets": [
                    {"by": date(2021, 3, 31), "change": "-50%"},
                    {"by": date(2023, 3, 31), "value": 40},
                ]
            },
            True,
        ),
        # more demanding: not eased
        (
            {
                "targets": [
                    {"by": date(2021, 3, 31), "change": "-50%"},
                    {"by": date(2023, 3, 31), "value": 20},
                ]
            },
            False,
        ),
        # the last deadline moved later: eased
        (
            {
                "targets": [
                    {"by": date(2021, 3, 31), "change": "-50%"},
                    {"by": date(2024, 3, 31), "value": 30},
                ]
            },
            True,
        ),
        # a target removed: eased
        ({"targets": [{"by": date(2023, 3, 31), "value": 30}]}, True),
        # every target removed: eased
        ({"targets": []}, True),
        # a stage added between, the rest kept: not eased
        (
            {
                "targets": [
                    {"by": date(2021, 3, 31), "change": "-50%"},
                    {"by": date(2022, 3, 31), "value": 45},
                    {"by": date(2023, 3, 31), "value": 30},
                ]
            },
            False,
        ),
        # the last figure left open: eased
        (
            {
                "targets": [
                    {"by": date(2021, 3, 31), "change": "-50%"},
                    {"by": date(2023, 3, 31), "value": None, "note": "to be agreed"},
                ]
            },
            True,
        ),
        # a standing target from the last date: not eased (it asks more)
        (
            {
                "targets": [
                    {"by": date(2021, 3, 31), "change": "-50%"},
                    {"by": date(2023, 3, 31), "value": 30},
                    {"from": date(2023, 4, 1), "value": 30},
                ]
            },
            False,
        ),
        # a baseline that only changes its note: not eased
        ({"baseline": {"date": date(2019, 3, 31), "value": 120, "note": "confirmed"}}, False),
        # a withdrawal: eased
        ({"withdrawn": True}, True),
    ],
)
def test_which_revisions_of_a_measure_ease_the_plan(given: dict[str, Any], eased: bool) -> None:
    metric = measure(revisions=[revision(date(2020, 5, 12), **given)])
    (applied,) = plan_in_force(metric, date(2026, 1, 1)).applied
    assert applied.eased is eased


def test_a_lower_baseline_eases_a_change_target_on_an_increase_metric() -> None:
    metric = measure(
        direction="increase",
        targets=[{"by": date(2021, 3, 31), "change": "+10%"}],
        revisions=[revision(date(2020, 5, 12), baseline={"date": date(2019, 3, 31), "value": 100})],
    )
    (applied,) = plan_in_force(metric, date(2026, 1, 1)).applied
    assert applied.eased is True


def test_a_smaller_fall_eases_a_change_target_whose_baseline_is_not_agreed() -> None:
    metric = measure(
        baseline={"note": "The plan states no baseline figure or date"},
        targets=[{"by": date(2021, 3, 31), "change": "-50%"}],
        revisions=[
            revision(date(2020, 5, 12), targets=[{"by": date(2021, 3, 31), "change": "-40%"}])
        ],
    )
    (applied,) = plan_in_force(metric, date(2026, 1, 1)).applied
    assert applied.eased is True
    assert metric.target_value(metric.targets[0]) is None


def test_removing_the_standing_target_eases_the_plan() -> None:
    metric = measure(
        targets=[{"from": date(2020, 4, 1), "value": 0}],
        revisions=[revision(date(2020, 5, 12), targets=[{"by": date(2020, 4, 1), "value": 0}])],
    )
    assert metric.targets[0].is_standing and metric.targets[0].day == date(2020, 4, 1)
    (applied,) = plan_in_force(metric, date(2026, 1, 1)).applied
    assert applied.eased is True


def test_a_standing_target_is_written_with_from() -> None:
    target = Target.model_validate({"from": date(2020, 4, 1), "value": 0})
    assert target.from_ == date(2020, 4, 1) and target.by is None and target.is_standing
    assert Target(from_=date(2020, 4, 1), value=0) == target
