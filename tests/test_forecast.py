"""The forecast (issue 15, part 3), on series worked by hand: a straight line, a line with one
outlier, a flat series, a series moving away from the target; and in lsc status's JSON."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import RECORDING_METRICS, RECORDING_PLACES, RECORDING_PRIORITIES, WritePlan, lsc
from lsc_tracker.forecast import MONTH_DAYS, forecast, theil_sen
from lsc_tracker.status import Goal

D0 = date(2020, 1, 1)


def series(*values: float, step: int = 30) -> list[tuple[date, float]]:
    return [(D0 + timedelta(days=step * i), v) for i, v in enumerate(values)]


LATEST = D0 + timedelta(days=150)  # the sixth point of a 30-day series
TARGET = Goal(LATEST + timedelta(days=300), 60.0)


def test_a_straight_line() -> None:
    # 100, 97, ..., 85 every 30 days: -0.1 a day; 60 needed 300 days after the latest (85)
    found = forecast(series(100, 97, 94, 91, 88, 85), TARGET, TARGET, "decrease")
    assert found is not None
    assert found.recent_rate_per_month == pytest.approx(-0.1 * MONTH_DAYS)
    assert found.required_rate_per_month == pytest.approx(-25 / 300 * MONTH_DAYS)
    assert found.projected == pytest.approx(85 - 0.1 * 300)  # 55
    assert found.projected_meets is True
    assert found.eta == LATEST + timedelta(days=250)  # 25 / 0.1
    assert found.as_dict() == {
        "recent_rate_per_month": -3.04375,
        "required_rate_per_month": -2.536458,
        "projected": 55.0,
        "projected_meets": True,
        "eta": "2021-02-04",
    }


def test_one_outlier_moves_the_rate_little() -> None:
    # the third point is 150 instead of 94: 10 of the 15 pairwise slopes are still -0.1
    found = forecast(series(100, 97, 150, 91, 88, 85), TARGET, TARGET, "decrease")
    assert found is not None
    assert found.recent_rate_per_month == pytest.approx(-0.1 * MONTH_DAYS)
    assert found.eta == LATEST + timedelta(days=250)


def test_a_flat_series_never_gets_there() -> None:
    found = forecast(series(80, 80, 80, 80, 80), TARGET, TARGET, "decrease")
    assert found is not None
    assert found.recent_rate_per_month == 0
    assert found.projected == 80 and found.projected_meets is False
    assert found.eta is None


def test_a_series_moving_away_from_the_target() -> None:
    found = forecast(series(80, 81, 82, 83, 84, 85), TARGET, TARGET, "decrease")
    assert found is not None
    assert found.recent_rate_per_month == pytest.approx(1 / 30 * MONTH_DAYS)
    assert found.required_rate_per_month == pytest.approx(-25 / 300 * MONTH_DAYS)
    assert found.projected == pytest.approx(95) and found.projected_meets is False
    assert found.eta is None


def test_only_the_last_six_actuals_count_and_at_least_four_are_needed() -> None:
    wild = series(500, -500, 100, 97, 94, 91, 88, 85)
    shifted = Goal(D0 + timedelta(days=210 + 300), 60.0)
    found = forecast(wild, shifted, shifted, "decrease")
    assert found is not None
    assert found.recent_rate_per_month == pytest.approx(-0.1 * MONTH_DAYS)
    assert forecast(series(100, 97, 94), TARGET, TARGET, "decrease") is None
    assert forecast(series(100, 97, 94, 91), None, None, "decrease") is None


def test_an_increase_already_met_has_its_eta_on_the_latest_date() -> None:
    goal = Goal(LATEST + timedelta(days=30), 50.0)
    found = forecast(series(40, 45, 50, 55), goal, goal, "increase")
    assert found is not None
    assert found.eta == D0 + timedelta(days=90)


def test_a_past_deadline_has_no_required_rate_or_projection() -> None:
    goal = Goal(D0 + timedelta(days=60), 60.0)
    found = forecast(series(100, 97, 94, 91, 88, 85), goal, goal, "decrease")
    assert found is not None
    assert found.required_rate_per_month is None and found.projected is None
    assert found.projected_meets is None
    assert found.eta == LATEST + timedelta(days=250)


def test_theil_sen_is_the_median_pairwise_slope() -> None:
    assert theil_sen([(0, 0), (1, 1), (2, 2), (3, 3), (4, 40)]) == pytest.approx(1.0)
    assert theil_sen([(1, 5), (1, 6)]) == 0.0


ACTUALS = "".join(
    f"- {{metric: ooa-placements, date: {day}, value: {value}, by: jo}}\n"
    for day, value in [
        ("2020-01-31", 110),
        ("2020-02-29", 108),
        ("2020-03-31", 106),
        ("2020-04-30", 104),
    ]
)


def test_status_json_has_the_forecast(write_plan: WritePlan) -> None:
    data: Path = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS)
    code, out, err = lsc(data, "status", "--as-of", "2020-06-30", "--format", "json")
    assert code == 0, err
    metrics = {m["id"]: m for m in json.loads(out)["metrics"]}
    found = metrics["ooa-placements"]["forecast"]
    assert found["projected_meets"] is False  # -2 a month will not reach 60 by 2021-03-31
    assert found["recent_rate_per_month"] == pytest.approx(-2.0, abs=0.1)
    assert found["eta"] is not None and found["eta"] > "2021-03-31"
    assert metrics["sickness-absence"]["forecast"] is None  # no actuals
    assert metrics["icp-plans"]["forecast"] is None  # a milestone


def test_forecast_in_words() -> None:
    from lsc_tracker.words import forecast_text

    late = forecast_text(-1.2, -0.4, 30, date(2023, 3, 31), date(2025, 8, 15))
    assert late == (
        "needs −1.2 a month, recent −0.4 a month: at that rate reaches 30 in Aug 2025, "
        "29 months late"
    )
    in_time = forecast_text(None, 2.5, 76, date(2025, 3, 31), date(2024, 8, 1), "%")
    assert in_time == "recent 2.5% a month: at that rate reaches 76% in Aug 2024, in time"
    never = forecast_text(-2, 0, 60, date(2021, 3, 31), None)
    assert never == "needs −2 a month, recent 0 a month: at that rate never reaches 60"


FLAT = "".join(
    f"- {{metric: ooa-placements, date: {day}, value: 80, by: jo}}\n"
    for day in ("2020-01-31", "2020-02-29", "2020-03-31", "2020-04-30")
)


def test_on_track_today_but_the_trend_misses_is_flagged(write_plan: WritePlan) -> None:
    data: Path = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, FLAT)
    as_of = ("--as-of", "2020-06-30")
    metric = next(
        m
        for m in json.loads(lsc(data, "status", *as_of, "--format", "json").stdout)["metrics"]
        if m["id"] == "ooa-placements"
    )
    assert metric["status"] == "on_track"
    assert metric["forecast"]["projected_meets"] is False and metric["forecast"]["eta"] is None
    table = lsc(data, "status", *as_of, env={"COLUMNS": "200"}).stdout
    status_column = [line[:11].strip() for line in table.splitlines()]  # "trend misses", wrapped
    at = status_column.index("ON TRACK")
    assert status_column[at + 1 : at + 3] == ["trend", "misses"]
    assert "forecast: needs −1.82 a month, recent 0 a month: at that rate never reaches 60" in table
    markdown = lsc(data, "status", *as_of, "--format", "markdown").stdout
    assert "| Forecast |" in markdown
    assert "| trend misses: needs −1.82 a month" in markdown
