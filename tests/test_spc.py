"""Tests for lsc_tracker.spc against NHSRplotthedots' published figures and the MDC rules."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lsc_tracker.spc import (
    MEAN_RANGE_TO_LIMIT,
    SCREEN_FACTOR,
    TWO_SIGMA_FACTOR,
    SpcResult,
    analyse,
    result_to_dict,
    summary,
)


def icons(points: Any, **options: Any) -> tuple[str | None, str | None]:
    """The two icons `lsc status` shows (`spc.summary`, without its point count)."""
    found = summary(points, **options)
    return found.variation, found.assurance


# set.seed(123); rnorm(20): the series used by NHSRplotthedots' own tests
# (tests/testthat/test-ptd_spc_standard.R and test-ptd_spc.R), dated 2020-01-02 onwards.
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip
RNORM_START = date(2020, 1, 2)

# vignettes/deviations.Rmd, "Treatment of outlying points", dated from 2021-03-22.
DEVIATIONS_DATA = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]

# A clean 12-point baseline: mean 5, every moving range 2, so with fix_after=12 the lines are
# exactly mean 5, limits 5 +/- 5.32 and 2-sigma lines 5 +/- 3.5467 for any later points.
BASELINE = [6, 4] * 6
TAIL = [4, 6] * 2


def dated(values, start=date(2024, 1, 1), step=timedelta(days=1)):
    return [(start + i * step, v) for i, v in enumerate(values)]


def chart(values, direction="increase", start=date(2024, 1, 1), **options) -> SpcResult:
    return analyse(dated(values, start), direction=direction, **options)


def flagged(result: SpcResult) -> dict[int, tuple[str, str]]:
    """Index -> (rule, type) for every special-cause point."""
    return {i: (p.rule, p.type) for i, p in enumerate(result.points) if p.rule is not None}


def published(figure: float):
    """R prints 7 significant digits."""
    return pytest.approx(figure, rel=1e-6)


# --- published examples -------------------------------------------------------------------


def test_rnorm_series_matches_package_snapshot():
    # _snaps/ptd_spc_standard.md (r1) and _snaps/ptd_spc.md summary: all 20 common cause.
    result = chart(RNORM_123, start=RNORM_START)
    (group,) = result.groups
    assert group.n == 20
    assert group.mean == published(0.1416238)
    assert group.lpl == published(-3.01138)
    assert group.upl == published(3.294627)
    assert group.trial is False
    assert {p.type for p in result.points} == {"common_cause"}
    assert result.variation == "common_cause"


def test_screened_limits_differ_from_unscreened_as_in_package_snapshot():
    # Same series with the 15th value set to 10 (_snaps/ptd_spc_standard.md r2 and r3).
    values = list(RNORM_123)
    values[14] = 10
    screened = chart(values, start=RNORM_START).groups[0]
    unscreened = chart(values, start=RNORM_START, screen_outliers=False).groups[0]
    assert screened.mean == unscreened.mean == published(0.6694159)
    assert (screened.lpl, screened.upl) == (published(-2.383666), published(3.722497))
    assert (unscreened.lpl, unscreened.upl) == (published(-4.596625), published(5.935457))


def test_outlier_point_is_flagged_with_and_without_screening():
    values = list(RNORM_123)
    values[14] = 10
    for screen in (True, False):
        result = chart(values, start=RNORM_START, screen_outliers=screen)
        assert flagged(result) == {14: ("outside", "special_cause_improvement")}


@pytest.mark.parametrize(
    ("screen", "upl", "lpl"),
    [(True, 4.6, -0.72), (False, 6.95, -3.06)],
)
def test_deviations_vignette_outlier_example(screen, upl, lpl):
    # vignettes/deviations.Rmd: captions "UPL = 4.6, Mean = 1.94, LPL = -0.72" (package
    # default) and "UPL = 6.95, Mean = 1.94, LPL = -3.06" (screen_outliers = FALSE, as Excel);
    # in both the fifth point (10) is the only special cause, an improvement.
    result = chart(DEVIATIONS_DATA, start=date(2021, 3, 22), screen_outliers=screen)
    group = result.groups[0]
    assert round(group.mean, 2) == 1.94
    assert round(group.upl, 2) == upl
    assert round(group.lpl, 2) == lpl
    assert flagged(result) == {4: ("outside", "special_cause_improvement")}
    assert result.variation == "common_cause"


def test_rebase_splits_rnorm_series_into_halves_as_in_package_summary():
    # _snaps/ptd_spc.md: halves of 10 have mean 0.0746 (-2.60, 2.75) and 0.209 (-3.28, 3.70).
    result = chart(RNORM_123, start=RNORM_START, rebase=[date(2020, 1, 12)])
    first, second = result.groups
    assert (first.start, first.n, second.start, second.n) == (
        date(2020, 1, 2),
        10,
        date(2020, 1, 12),
        10,
    )
    assert [round(x, 2) for x in (first.mean, first.lpl, first.upl)] == [0.07, -2.60, 2.75]
    assert [round(x, 2) for x in (second.mean, second.lpl, second.upl)] == [0.21, -3.28, 3.70]
    assert round(first.mean, 4) == 0.0746
    assert round(second.mean, 3) == 0.209
    assert first.trial and second.trial
    assert [p.group for p in result.points] == [0] * 10 + [1] * 10


def test_two_close_points_on_opposite_sides_are_common_cause():
    # test-ptd_spc_standard.R (issue #143): alternating 1/-1 with 5.5 then -5.5 at the end.
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    result = chart(values)
    assert [p.type for p in result.points[-2:]] == ["common_cause", "common_cause"]


def test_constants():
    assert MEAN_RANGE_TO_LIMIT == 2.66
    assert SCREEN_FACTOR == 3.267
    assert pytest.approx(2 * 2.66 / 3) == TWO_SIGMA_FACTOR


# --- limits -------------------------------------------------------------------------------


def test_two_sigma_lines_are_two_thirds_of_the_way_to_the_limits():
    group = chart(BASELINE + TAIL, fix_after=12).groups[0]
    assert group.mean == 5
    assert (group.lpl, group.upl) == (pytest.approx(-0.32), pytest.approx(10.32))
    assert group.lower_two_sigma == pytest.approx(5 - 2 * 2.66 / 3 * 2)
    assert group.upper_two_sigma == pytest.approx(5 + 2 * 2.66 / 3 * 2)


def test_fix_after_uses_only_the_first_points_for_the_limits():
    fixed = chart(RNORM_123, start=RNORM_START, fix_after=12).groups[0]
    baseline_only = chart(RNORM_123[:12], start=RNORM_START).groups[0]
    assert fixed.mean == pytest.approx(sum(RNORM_123[:12]) / 12)
    assert (fixed.mean, fixed.lpl, fixed.upl) == (
        baseline_only.mean,
        baseline_only.lpl,
        baseline_only.upl,
    )
    assert fixed.n == 20
    assert fixed.upl != chart(RNORM_123, start=RNORM_START).groups[0].upl


def test_fix_after_points_after_the_baseline_do_not_move_the_limits():
    calm = chart([*BASELINE, 5, 5], fix_after=12)
    wild = chart([*BASELINE, 5, 50], fix_after=12)
    assert calm.groups[0].upl == wild.groups[0].upl
    assert flagged(wild) == {13: ("outside", "special_cause_improvement")}


def test_fix_after_longer_than_the_group_uses_every_point():
    assert chart(RNORM_123, fix_after=50).groups == chart(RNORM_123).groups


@pytest.mark.parametrize("fix_after", [0, 1, 11, -12])
def test_fix_after_below_twelve_is_rejected(fix_after):
    with pytest.raises(ValueError, match="fix_after"):
        chart(RNORM_123, fix_after=fix_after)


def test_fix_after_is_applied_within_each_rebase_group():
    values = [*BASELINE, 5, 50, *BASELINE, 5, 5]
    result = chart(values, fix_after=12, rebase=[date(2024, 1, 15)])
    assert [g.n for g in result.groups] == [14, 14]
    assert [g.mean for g in result.groups] == [5, 5]
    assert result.groups[0].upl == result.groups[1].upl


def test_trial_limits_under_thirteen_points():
    assert chart(RNORM_123[:12]).groups[0].trial is True
    assert chart(RNORM_123[:13]).groups[0].trial is False


def test_single_point_has_a_mean_but_no_limits():
    result = chart([42.0], target=40)
    (group,) = result.groups
    assert (group.n, group.mean, group.trial) == (1, 42.0, True)
    assert (group.lpl, group.upl, group.lower_two_sigma, group.upper_two_sigma) == (None,) * 4
    assert result.points[0].type == "common_cause"
    assert result.variation == "common_cause"
    assert result.assurance == "inconsistent"  # a target, but no limits to judge it by


def test_single_point_group_after_rebase_is_common_cause():
    result = chart([*BASELINE, 100], rebase=[date(2024, 1, 13)], target=3)
    assert [g.n for g in result.groups] == [12, 1]
    assert result.groups[1].upl is None
    assert result.points[-1].type == "common_cause"
    assert result.assurance == "inconsistent"


@pytest.mark.parametrize("screen", [True, False])
def test_all_moving_ranges_zero_gives_no_limits_and_no_variation_to_judge(screen):
    result = chart([5.0] * 15, screen_outliers=screen, target=4)
    group = result.groups[0]
    assert group.mean == 5.0
    assert (group.lpl, group.upl) == (None, None)
    assert group.no_variation
    assert {p.type for p in result.points} == {"common_cause"}
    assert (result.variation, result.assurance) == ("no_variation", None)
    assert icons([p[:2] for p in result.points], direction="increase", target=4) == (
        "no_variation",
        None,
    )


def test_flat_baseline_still_detects_runs_without_limits():
    # Package behaviour: without limits, outside and two-of-three cannot fire, runs can.
    result = chart([5.0] * 12 + [6.0] * 7, fix_after=12)
    assert result.groups[0].upl is None
    assert set(flagged(result)) == set(range(12, 19))
    assert {rule for rule, _ in flagged(result).values()} == {"run"}


def test_screening_never_leaves_zero_width_limits():
    # Every range but the jump is 0; screening would drop the jump and collapse the limits
    # onto the mean (the package does: every point "outside"). The unscreened amr is kept:
    # 10 / 5 = 2, limits 6.67 +/- 5.32, and only the 15 is outside.
    result = chart([5, 5, 5, 5, 5, 15])
    group = result.groups[0]
    assert group.mean == pytest.approx(40 / 6)
    assert (group.lpl, group.upl) == pytest.approx((40 / 6 - 5.32, 40 / 6 + 5.32))
    assert [p.rule for p in result.points] == [None] * 5 + ["outside"]


def test_no_points():
    result = analyse([], direction="increase", target=1)
    assert (result.groups, result.points, result.variation, result.assurance) == (
        (),
        (),
        None,
        None,
    )


# --- rebase and ordering ------------------------------------------------------------------


def test_rebase_between_points_starts_group_at_next_point():
    weekly = dated(RNORM_123, start=date(2024, 1, 1), step=timedelta(weeks=1))
    result = analyse(weekly, direction="increase", rebase=[date(2024, 2, 14)])  # a Wednesday
    assert [g.start for g in result.groups] == [date(2024, 1, 1), date(2024, 2, 19)]
    assert [g.n for g in result.groups] == [7, 13]


def test_rebase_before_first_or_after_last_point_changes_nothing():
    plain = chart(RNORM_123, start=RNORM_START)
    # _snaps/ptd_spc.md: rebase = 2020-01-01 (before the first point) leaves one group.
    for rebase in ([date(2020, 1, 1)], [date(2021, 1, 1)], [RNORM_START]):
        assert chart(RNORM_123, start=RNORM_START, rebase=rebase).groups == plain.groups


def test_two_rebase_dates_between_the_same_points_make_one_split():
    result = chart(RNORM_123, rebase=[date(2024, 1, 11), date(2024, 1, 11)])
    assert [g.n for g in result.groups] == [10, 10]


def test_points_are_sorted_by_date_and_same_day_points_keep_their_order():
    day = date(2024, 3, 1)
    points = [(day + timedelta(days=2), 3.0), (day, 1.0), (day, 2.0), (day + timedelta(1), 9.0)]
    result = analyse(points, direction="increase")
    assert [(p.date, p.value) for p in result.points] == [
        (day, 1.0),
        (day, 2.0),
        (day + timedelta(days=1), 9.0),
        (day + timedelta(days=2), 3.0),
    ]


# --- special-cause rules ------------------------------------------------------------------

# Backgrounds that alternate across the mean (5), so only the inserted block can signal.
ENDS_HIGH = [0, 10] * 5
ENDS_LOW = [10, 0] * 5


def test_seven_rising_points_are_a_trend():
    result = chart(ENDS_HIGH + [2, 3, 4, 5, 6, 7, 8] + [0, 10] * 3)
    assert flagged(result) == {i: ("trend", "special_cause_improvement") for i in range(10, 17)}


def test_six_rising_points_are_not_a_trend():
    assert flagged(chart(ENDS_HIGH + [2, 3, 4, 5, 6, 7] + [0, 10] * 3)) == {}


def test_equal_neighbours_break_a_trend():
    assert flagged(chart(ENDS_HIGH + [2, 3, 4, 5, 5, 6, 7, 8] + [0, 10] * 3)) == {}


@pytest.mark.parametrize(
    ("direction", "label"),
    [("increase", "special_cause_concern"), ("decrease", "special_cause_improvement")],
)
def test_falling_trend_is_good_only_when_lower_is_better(direction, label):
    # The trend crosses the mean: its colour follows its direction (issues #167, #171).
    result = chart(ENDS_LOW + [8, 7, 6, 5, 4, 3, 2] + [10, 0] * 3, direction=direction)
    assert flagged(result) == {i: ("trend", label) for i in range(10, 17)}


def test_point_between_two_trends_takes_the_later_trend():
    # Seven falling then seven rising, sharing the bottom point (package: "use right side").
    result = chart(ENDS_HIGH + [9, 8, 7, 6, 5, 4, 3, 4, 5, 6, 7, 8, 9] + [0, 10] * 2)
    types = {i: t for i, (_, t) in flagged(result).items()}
    assert types[9] == types[15] == "special_cause_concern"  # 10, 9, ..., 4 falling
    assert types[16] == types[22] == "special_cause_improvement"  # bottom 3, rising to 9


def test_trend_does_not_cross_a_rebase():
    values = [6, 4] * 5 + [1, 2, 3, 4] + [5, 6, 7, 8] + [4, 6] * 5
    rebase_at = date(2024, 1, 1) + timedelta(days=14)
    assert "trend" in {r for r, _ in flagged(chart(values)).values()}
    split = chart(values, rebase=[rebase_at])
    assert [g.n for g in split.groups] == [14, 14]
    assert flagged(split) == {}


def test_seven_points_above_the_mean_are_a_run():
    result = chart(ENDS_LOW + [6] * 7 + [-2] + [10, 0] * 3)
    assert result.groups[0].mean == 5
    assert flagged(result) == {i: ("run", "special_cause_improvement") for i in range(10, 17)}


def test_seven_points_below_the_mean_are_a_concerning_run():
    result = chart(ENDS_HIGH + [4] * 7 + [12] + [0, 10] * 3)
    assert flagged(result) == {i: ("run", "special_cause_concern") for i in range(10, 17)}


def test_six_points_above_the_mean_are_not_a_run():
    assert flagged(chart(ENDS_LOW + [6] * 6 + [-1] + [10, 0] * 3)) == {}


def test_point_on_the_mean_breaks_a_run():
    result = chart(ENDS_LOW + [6, 6, 6, 5, 6, 6, 6] + [-1] + [10, 0] * 3)
    assert result.groups[0].mean == 5
    assert flagged(result) == {}


def test_point_exactly_on_the_limit_is_inside():
    upl = chart([*BASELINE, 5], fix_after=12).groups[0].upl
    on_limit = chart([*BASELINE, upl, 5, 4, *TAIL], fix_after=12)
    beyond = chart([*BASELINE, upl + 1e-6, 5, 4, *TAIL], fix_after=12)
    assert flagged(on_limit) == {}
    assert flagged(beyond) == {12: ("outside", "special_cause_improvement")}


def test_a_value_entered_as_the_limit_is_inside_whatever_the_float_rounding():
    """0 and 0.7 alternating: mean 0.35, amr 0.7, upper limit 0.35 + 2.66 x 0.7 = 2.212, which
    floating point computes as 2.2119999999999997: the entered 2.212 is on it, not beyond."""
    values = [0, 0.7] * 6
    assert chart(values).groups[0].upl == pytest.approx(2.212, abs=1e-12)
    assert flagged(chart([*values, 2.212], fix_after=12)) == {}
    assert chart(values, target=2.212).assurance == "inconsistent"
    assert chart(values, target=2.2121).assurance == "consistent_fail"


def test_a_value_entered_as_the_mean_breaks_a_run_whatever_the_float_rounding():
    """[0.1, 0.2, 0.3] x 4 has mean 0.2, though fsum / n gives 0.19999999999999998."""
    values = [0.1, 0.2, 0.3] * 4
    result = chart([*values, 0.25, 0.25, 0.25, 0.2, 0.25, 0.25, 0.25], fix_after=12)
    assert result.groups[0].mean == 0.2
    assert flagged(result) == {}


def test_below_the_lower_limit_is_a_concern_when_higher_is_better():
    result = chart([*BASELINE, -1, 5, 4, *TAIL], fix_after=12)
    assert flagged(result) == {12: ("outside", "special_cause_concern")}


def test_two_of_three_flags_only_the_close_points():
    result = chart([*BASELINE, 9, 6, 9, *TAIL], fix_after=12)
    assert flagged(result) == {
        12: ("two_of_three", "special_cause_improvement"),
        14: ("two_of_three", "special_cause_improvement"),
    }


def test_two_of_three_adjacent_and_three_of_three():
    adjacent = chart([*BASELINE, 6, 9, 9, *TAIL], fix_after=12)
    all_three = chart([*BASELINE, 9, 9, 9, *TAIL], fix_after=12)
    assert set(flagged(adjacent)) == {13, 14}
    assert set(flagged(all_three)) == {12, 13, 14}


@pytest.mark.parametrize(
    ("direction", "label"),
    [("increase", "special_cause_concern"), ("decrease", "special_cause_improvement")],
)
def test_two_of_three_below_the_mean(direction, label):
    result = chart([*BASELINE, 1, 4, 1, *TAIL], direction=direction, fix_after=12)
    assert flagged(result) == {12: ("two_of_three", label), 14: ("two_of_three", label)}


def test_two_of_three_needs_the_third_point_on_the_same_side():
    assert flagged(chart([*BASELINE, 9, 4, 9, *TAIL], fix_after=12)) == {}


def test_one_close_point_in_three_is_common_cause():
    assert flagged(chart([*BASELINE, 9, 6, 6, *TAIL], fix_after=12)) == {}


def test_point_beyond_the_limit_does_not_count_towards_two_of_three():
    result = chart([*BASELINE, 11, 9, 6, *TAIL], fix_after=12)
    assert flagged(result) == {12: ("outside", "special_cause_improvement")}


def test_point_on_the_limit_counts_towards_two_of_three():
    upl = chart([*BASELINE, 5], fix_after=12).groups[0].upl
    result = chart([*BASELINE, upl, 6, 9, *TAIL], fix_after=12)
    assert flagged(result) == {
        12: ("two_of_three", "special_cause_improvement"),
        14: ("two_of_three", "special_cause_improvement"),
    }


def test_outside_wins_over_run():
    # Seven points above the mean, the fourth beyond the limit.
    result = chart([*BASELINE, 6, 7, 6, 11, 6, 7, 6, *TAIL], fix_after=12)
    rules = {i: r for i, (r, _) in flagged(result).items()}
    assert rules == {
        12: "run",
        13: "run",
        14: "run",
        15: "outside",
        16: "run",
        17: "run",
        18: "run",
    }


# --- icons --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "last", "icon"),
    [
        ("increase", 11, "improvement_high"),
        ("increase", -1, "concern_low"),
        ("decrease", -1, "improvement_low"),
        ("decrease", 11, "concern_high"),
        ("increase", 5, "common_cause"),
        ("decrease", 5, "common_cause"),
    ],
)
def test_variation_icon_from_the_last_point(direction, last, icon):
    result = chart(BASELINE + TAIL + [last], direction=direction, fix_after=12)
    assert result.variation == icon


def test_variation_ignores_earlier_special_causes():
    result = chart([*BASELINE, 11, *TAIL], fix_after=12)
    assert result.points[12].type == "special_cause_improvement"
    assert result.variation == "common_cause"


@pytest.mark.parametrize(
    ("direction", "where", "icon"),
    [
        ("increase", "above", "consistent_fail"),
        ("increase", "below", "consistent_pass"),
        ("increase", "between", "inconsistent"),
        ("decrease", "above", "consistent_pass"),
        ("decrease", "below", "consistent_fail"),
        ("decrease", "between", "inconsistent"),
    ],
)
def test_assurance_icon(direction, where, icon):
    # The limits are -0.32 and 10.32.
    target = {"above": 12, "below": -2, "between": 7}[where]
    result = chart(BASELINE + TAIL, direction=direction, target=target, fix_after=12)
    assert result.assurance == icon


def test_target_exactly_on_a_limit_is_inconsistent():
    group = chart(BASELINE, fix_after=12).groups[0]
    for limit in (group.lpl, group.upl):
        assert chart(BASELINE, target=limit).assurance == "inconsistent"
    assert chart(BASELINE, target=group.upl + 1e-6).assurance == "consistent_fail"
    assert chart(BASELINE, target=group.lpl - 1e-6).assurance == "consistent_pass"


def test_assurance_uses_the_latest_group():
    # First group's limits are -0.32..10.32, second's 45..55 give or take.
    values = BASELINE + [46, 54] * 7
    result = chart(values, target=20, rebase=[date(2024, 1, 13)])
    assert result.groups[1].lpl > 20
    assert result.assurance == "consistent_pass"


def test_no_target_no_assurance():
    assert chart(BASELINE).assurance is None


# --- validation and output ----------------------------------------------------------------


@pytest.mark.parametrize("direction", ["neutral", "up", "", "Increase"])
def test_unknown_direction_is_rejected(direction):
    with pytest.raises(ValueError, match="direction"):
        chart(BASELINE, direction=direction)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_rejected(bad):
    with pytest.raises(ValueError, match="finite"):
        chart([*BASELINE, bad])


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_target_is_rejected(bad):
    with pytest.raises(ValueError, match="target"):
        chart(BASELINE, target=bad)


def test_result_to_dict_is_json_ready():
    result = chart(RNORM_123, start=RNORM_START, target=0.5, rebase=[date(2020, 1, 12)])
    data = result_to_dict(result)
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "direction",
        "target",
        "groups",
        "points",
        "variation",
        "assurance",
        "range",
        "points_in_group",
        "enough_points",
        "min_points",
    }
    assert (data["points_in_group"], data["enough_points"], data["min_points"]) == (10, False, 12)
    assert data["groups"][0] == {
        "start": "2020-01-02",
        "n": 10,
        "mean": 0.074626,
        "lpl": -2.600585,
        "upl": 2.749837,
        "lower_two_sigma": -1.708848,
        "upper_two_sigma": 1.8581,
        "trial": True,
        "clipped": [],
    }
    assert data["points"][0] == {
        "date": "2020-01-02",
        "value": -0.560476,
        "group": 0,
        "type": "common_cause",
        "rule": None,
    }
    assert (data["direction"], data["target"], data["variation"], data["assurance"]) == (
        "increase",
        0.5,
        "common_cause",
        "inconsistent",
    )


def test_result_to_dict_keeps_missing_limits_as_none_and_floats_as_floats():
    data = result_to_dict(chart([3]))
    assert data["groups"][0]["lpl"] is None
    assert isinstance(data["groups"][0]["mean"], float)
    assert isinstance(data["points"][0]["value"], float)
    assert data["target"] is None


# --- properties ---------------------------------------------------------------------------

small_series = st.lists(st.integers(-50, 50), max_size=40)


def _clear_of_lines(result: SpcResult, margin: float = 1e-6) -> bool:
    """True when no point sits within rounding distance of a limit or 2-sigma line."""
    for point in result.points:
        group = result.groups[point.group]
        lines = (group.lpl, group.upl, group.lower_two_sigma, group.upper_two_sigma)
        if any(line is not None and abs(point.value - line) < margin for line in lines):
            return False
    return True


@pytest.mark.slow  # hypothesis
@settings(max_examples=200, deadline=None)
@given(
    values=small_series,
    shift=st.integers(-1000, 1000),
    direction=st.sampled_from(["increase", "decrease"]),
    target=st.integers(-60, 60),
    fix_after=st.sampled_from([None, 12]),
    screen=st.booleans(),
)
def test_shifting_values_shifts_lines_and_keeps_labels(
    values, shift, direction, target, fix_after, screen
):
    options = dict(direction=direction, fix_after=fix_after, screen_outliers=screen)
    before = chart(values, target=target, **options)
    after = chart([v + shift for v in values], target=target + shift, **options)
    assume(_clear_of_lines(before) and _clear_of_lines(after))
    for old, new in zip(before.groups, after.groups, strict=True):
        for name in ("mean", "lpl", "upl", "lower_two_sigma", "upper_two_sigma"):
            a, b = getattr(old, name), getattr(new, name)
            assert (a is None) == (b is None)
            if a is not None:
                assert b == pytest.approx(a + shift, abs=1e-9)
    assert [(p.type, p.rule) for p in before.points] == [(p.type, p.rule) for p in after.points]
    assert (before.variation, before.assurance) == (after.variation, after.assurance)


MIRRORED_ICON = {
    "common_cause": "common_cause",
    "no_variation": "no_variation",
    "improvement_high": "improvement_low",
    "improvement_low": "improvement_high",
    "concern_high": "concern_low",
    "concern_low": "concern_high",
    None: None,
}
SWAPPED_TYPE = {
    "common_cause": "common_cause",
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
}


@pytest.mark.slow  # hypothesis
@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), max_size=40),
    direction=st.sampled_from(["increase", "decrease"]),
    target=st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
    screen=st.booleans(),
)
def test_mirroring_values_mirrors_the_chart(values, direction, target, screen):
    other = "decrease" if direction == "increase" else "increase"
    mirrored_target = None if target is None else -target
    mirrored_values = [-v for v in values]
    original = chart(values, direction=direction, target=target, screen_outliers=screen)
    mirrored = chart(
        mirrored_values, direction=other, target=mirrored_target, screen_outliers=screen
    )
    same_direction = chart(mirrored_values, direction=direction, screen_outliers=screen)

    for old, new in zip(original.groups, mirrored.groups, strict=True):
        assert new.mean == -old.mean
        assert new.lpl == (None if old.upl is None else -old.upl)
        assert new.upper_two_sigma == (
            None if old.lower_two_sigma is None else -old.lower_two_sigma
        )
    # Mirrored values with the opposite direction: same colours, same rules, mirrored icon.
    assert [(p.type, p.rule) for p in mirrored.points] == [
        (p.type, p.rule) for p in original.points
    ]
    assert mirrored.variation == MIRRORED_ICON[original.variation]
    assert mirrored.assurance == original.assurance
    # Mirrored values with the same direction: improvement and concern swap.
    assert [p.type for p in same_direction.points] == [
        SWAPPED_TYPE[p.type] for p in original.points
    ]


# --- the icons alone (what `lsc status` asks for) ---------------------------------------------

# Series rich in every pattern: small integers make ties, runs, trends and points on the lines
# common; a few large values fall outside the limits.
patterned_series = st.lists(
    st.one_of(st.integers(0, 6), st.integers(-40, 40), st.sampled_from([0.1, 0.2, 0.3, 2.212])),
    max_size=45,
)


@pytest.mark.slow  # hypothesis
@settings(max_examples=400, deadline=None)
@given(
    values=patterned_series,
    direction=st.sampled_from(["increase", "decrease"]),
    target=st.one_of(st.none(), st.integers(-10, 10), st.floats(-50, 50, allow_nan=False)),
    fix_after=st.sampled_from([None, 12, 20]),
    screen=st.booleans(),
    rebase_at=st.lists(st.integers(0, 44), max_size=3),
)
def test_icons_alone_agree_with_the_whole_chart(
    values, direction, target, fix_after, screen, rebase_at
):
    start = date(2024, 1, 1)
    rebase = [start + timedelta(days=i) for i in rebase_at]
    options = dict(direction=direction, target=target, fix_after=fix_after, screen_outliers=screen)
    whole = chart(values, rebase=rebase, **options)
    assert icons(dated(values), rebase=rebase, **options) == (whole.variation, whole.assurance)


def test_icons_alone_for_each_rule_on_the_last_point():
    cases = {
        "outside": [*BASELINE, 20],
        "trend": [*BASELINE, 0, 1, 2, 3, 4, 5, 5.5],
        "two_of_three": [*BASELINE, 9, 5.5, 9],
        "run": [*BASELINE, 6, 6, 6, 6, 6, 6, 6],
    }
    near_misses = [  # one point short of each rule: common cause
        [*BASELINE, 2, 3, 4, 5.5, 6, 7],  # 6 rising: no trend
        [*BASELINE, 4, 6, 6, 6, 6, 6, 6],  # 6 above the mean: no run
        [*BASELINE, 9, 5.5, 5.5],  # 1 of 3 beyond the 2-sigma line
        [*BASELINE, 6, 6, 6, 5, 6, 6, 6],  # a point on the mean breaks the run
    ]
    for values in near_misses:
        whole = chart(values, fix_after=12)
        assert whole.points[-1].rule is None, values
        assert icons(dated(values), direction="increase", fix_after=12)[0] == "common_cause"
    for rule, values in cases.items():
        whole = chart(values, fix_after=12)
        assert whole.points[-1].rule == rule, rule
        assert icons(dated(values), direction="increase", fix_after=12) == (
            whole.variation,
            whole.assurance,
        )
