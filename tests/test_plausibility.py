"""Plausibility (issue 16, part 3): ranges, whole numbers, % as 0 to 100, a fraction typed for
a percentage, dates long before the plan; lsc check applies them; SPC limits clipped."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import WritePlan, hashes, lsc
from lsc_tracker import plausibility, spc

METRICS = [
    {"id": "sickness", "priority": "P3", "name": "Sickness absence", "direction": "decrease",
     "unit": "%", "targets": [{"by": "2021-03-31", "value": 4}]},
    {"id": "change-pp", "priority": "P3", "name": "Change in points", "direction": "increase",
     "unit": "%", "range": [-100, 100]},
    {"id": "waits", "priority": "P3", "name": "People waiting", "direction": "decrease",
     "unit": "people", "whole": True, "range": [0, None],
     "baseline": {"date": "2019-03-31", "value": 12}},
    {"id": "score", "priority": "P3", "name": "Score", "direction": "increase",
     "range": [1, 5]},
    {"id": "spend", "priority": "P3", "name": "Spend", "direction": "decrease",
     "unit": "£m"},
]  # fmt: skip

LOG = """\
- {metric: sickness, date: 2020-04-30, value: 4.9}
- {metric: sickness, date: 2020-05-31, value: 5.1}
"""


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(metrics=METRICS, actuals=LOG)


def refused(data: Path, *args: str) -> str:
    before = hashes(data)
    code, out, err = lsc(data, "record", *args)
    assert (code, out) == (1, ""), err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert hashes(data) == before
    return err.removeprefix("error: ").rstrip("\n")


# --- record ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sickness", "450%"],
            "450% is outside the range of sickness: 0 to 100 (as a percentage; give the metric "
            "a range in metrics.yaml if it can go beyond)",
        ),
        (["sickness", "-2%"], "-2% is outside the range of sickness: 0 to 100"),
        (["sickness", "100.5"], "100.5% is outside the range of sickness: 0 to 100"),
        (["change-pp", "-101"], "-101% is outside the range of change-pp: -100 to 100"),
        (["waits", "-1"], "-1 is outside the range of waits: at least 0 (its range in"),
        (["waits", "4.5"], "4.5 is not a whole number: waits counts whole numbers of people"),
        (["score", "0"], "0 is outside the range of score: 1 to 5 (its range in metrics.yaml)"),
        (["score", "6"], "6 is outside the range of score: 1 to 5"),
    ],
)
def test_a_value_outside_the_range_or_not_whole_is_refused(
    data: Path, args: list[str], message: str
) -> None:
    assert message in refused(data, *args, "--date", "2020-06-30")


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ("sickness", "0"),
        ("sickness", "100%"),
        ("change-pp", "-2%"),
        ("waits", "0"),
        ("waits", "1,000"),
        ("score", "4.5"),
        ("spend", "-3.5"),
    ],
)
def test_values_within_the_range_are_recorded(data: Path, metric: str, value: str) -> None:
    code, _, err = lsc(data, "record", metric, value, "--date", "2020-06-30", "--confirm")
    assert code == 0, err


def test_a_fraction_for_a_percentage_is_refused_with_did_you_mean(data: Path) -> None:
    message = refused(data, "sickness", "0.045", "--date", "2020-06-30")
    assert message == (
        "0.045% looks like a fraction: every value recorded for sickness is above 1%; did you "
        "mean 4.5%? (add --confirm if 0.045% is right)"
    )
    assert "did you mean 100%?" in refused(data, "sickness", "1", "--date", "2020-06-30")
    code, out, err = lsc(data, "record", "sickness", "0.045", "--date", "2020-06-30", "--confirm")
    assert code == 0, err
    assert '"value": 0.045' in out


def test_no_did_you_mean_without_history_or_when_small_values_are_usual(
    write_plan: WritePlan,
) -> None:
    fresh = write_plan(metrics=METRICS, directory="fresh")
    assert lsc(fresh, "record", "sickness", "0.5", "--date", "2020-06-30").exit_code == 0
    assert lsc(fresh, "record", "sickness", "0.7", "--date", "2020-07-31").exit_code == 0
    assert lsc(fresh, "record", "sickness", "4.5", "--date", "2020-08-31").exit_code == 0
    # not every value is above 1, so a small one is not taken for a fraction
    assert lsc(fresh, "record", "sickness", "0.6", "--date", "2020-09-30").exit_code == 0


def test_an_actual_more_than_ten_years_before_the_plan_is_refused(data: Path) -> None:
    message = refused(data, "waits", "3", "--date", "2009-03-30")
    assert message == (
        "date: 2009-03-30 is implausible for waits: more than 10 years before its earliest "
        "baseline or target date (so from 2009-03-31 on; a mistyped year?)"
    )
    assert "implausible for sickness" in refused(data, "sickness", "3", "--date", "2011-02")
    assert lsc(data, "record", "waits", "3", "--date", "2009-03-31").exit_code == 0
    # a metric with no baseline or target date has only the global bound (1990)
    assert lsc(data, "record", "spend", "3", "--date", "1990-01-31").exit_code == 0


# --- import ----------------------------------------------------------------------------------


def test_import_refuses_implausible_rows_naming_the_column(data: Path, tmp_path: Path) -> None:
    csv = tmp_path / "june.csv"
    csv.write_text(
        "metric,date,value\n"
        "sickness,2020-06-30,450%\n"
        "waits,2020-06-30,4.5\n"
        "sickness,2020-07-31,0.047\n"
        "waits,1999-06-30,3\n"
        "score,2020-06-30,3\n"
    )
    before = hashes(data)
    code, out, err = lsc(data, "import", str(csv))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{csv}:2: column 'value': 450% is outside the range of sickness: 0 to 100 (as a "
        "percentage; give the metric a range in metrics.yaml if it can go beyond)",
        f"{csv}:3: column 'value': 4.5 is not a whole number: waits counts whole numbers of people",
        f"{csv}:4: column 'value': 0.047% looks like a fraction: every value recorded for "
        "sickness is above 1%; did you mean 4.7%? (add --confirm if 0.047% is right)",
        f"{csv}:5: column 'date': 1999-06-30 is implausible for waits: more than 10 years "
        "before its earliest baseline or target date (so from 2009-03-31 on; a mistyped year?)",
        "error: nothing was imported: 4 rows cannot be recorded",
    ]
    assert hashes(data) == before
    csv.write_text("metric,date,value\nsickness,2020-07-31,0.047\n")
    assert lsc(data, "import", str(csv), "--confirm").exit_code == 0


# --- lsc check -------------------------------------------------------------------------------


def test_check_applies_the_rules_to_the_log(write_plan: WritePlan) -> None:
    log = (
        "- {metric: sickness, date: 2020-04-30, value: 450}\n"
        "- {metric: waits, date: 2020-04-30, value: 4.5}\n"
        "- {metric: waits, date: 2001-04-30, value: 4}\n"
        "- {metric: score, date: 2020-04-30, value: 9}\n"
        "- {metric: score, date: 2020-05-31, value: 9}\n"
        "- {metric: score, date: 2020-05-31, note: typo, void: true}\n"
    )
    data = write_plan(metrics=METRICS, actuals=log)
    code, out, _ = lsc(data, "check")
    assert code == 1
    found = [line.split("actuals.yaml:")[1] for line in out.splitlines()]
    assert found == [
        "1:47: error: 450% is outside the range of sickness: 0 to 100 (as a percentage; give "
        "the metric a range in metrics.yaml if it can go beyond) (actual-range)",
        "2:44: error: 4.5 is not a whole number: waits counts whole numbers of people "
        "(actual-whole)",
        "3:25: error: 2001-04-30 is implausible for waits: more than 10 years before its "
        "earliest baseline or target date (so from 2009-03-31 on; a mistyped year?) "
        "(actual-implausible-date)",
        "4:44: error: 9 is outside the range of score: 1 to 5 (its range in metrics.yaml) "
        "(actual-range)",
    ]  # the voided 9 on line 5 is corrected by its void


def test_check_refuses_an_empty_range_and_a_range_on_a_milestone(write_plan: WritePlan) -> None:
    metrics = [
        {"id": "score", "priority": "P3", "name": "Score", "direction": "increase",
         "range": [5, 1]},
        {"id": "plan-agreed", "priority": "P3", "name": "Plan agreed", "kind": "milestone",
         "due": "2020-03-31", "range": [0, 1], "whole": True},
    ]  # fmt: skip
    data = write_plan(metrics=metrics)
    code, out, _ = lsc(data, "check")
    assert code == 1
    assert "range [5, 1] is empty: give [min, max], min below max (range-order)" in out
    assert "'range' is for measures only; this metric is a milestone (kind-fields)" in out
    assert "'whole' is for measures only; this metric is a milestone (kind-fields)" in out


# --- SPC -------------------------------------------------------------------------------------


def test_spc_limits_are_clipped_to_the_range_and_json_says_so(write_plan: WritePlan) -> None:
    start = date(2019, 4, 30)
    values = [0, 1, 0, 9, 0, 1, 0, 0, 2, 0, 1, 0, 0, 1]
    log = "".join(
        f"- {{metric: waits, date: {start + timedelta(days=31 * i)}, value: {v}}}\n"
        for i, v in enumerate(values)
    )
    data = write_plan(metrics=METRICS, actuals=log)
    code, out, err = lsc(data, "spc", "waits", "--as-of", "2021-03-31", "--format", "json")
    assert code == 0, err
    chart = json.loads(out)
    assert chart["range"] == [0, None]
    [group] = chart["groups"]
    assert group["lpl"] == 0 and "lpl" in group["clipped"]
    assert group["upl"] > 0 and "upl" not in group["clipped"]
    unclipped = spc.analyse(
        [(start + timedelta(days=31 * i), float(v)) for i, v in enumerate(values)],
        direction="decrease",
    )
    assert unclipped.groups[0].lpl is not None and unclipped.groups[0].lpl < 0
    assert unclipped.groups[0].clipped == ()
    # clipping changes no signal or icon
    clipped = spc.analyse(
        [(start + timedelta(days=31 * i), float(v)) for i, v in enumerate(values)],
        direction="decrease",
        value_range=(0.0, None),
    )
    assert clipped.points == unclipped.points
    assert (clipped.variation, clipped.assurance) == (unclipped.variation, unclipped.assurance)


def test_a_percentage_chart_is_clipped_at_100() -> None:
    points = [(date(2020, 1, 1) + timedelta(days=31 * i), v) for i, v in enumerate(
        [99.0, 95.0, 100.0, 90.0, 99.5, 97.0, 100.0, 94.0]
    )]  # fmt: skip
    result = spc.analyse(points, direction="increase", value_range=(0.0, 100.0))
    assert result.groups[0].upl == 100.0 and "upl" in result.groups[0].clipped


def test_the_range_a_metric_implies() -> None:
    from lsc_tracker.models import Metric

    def metric(**fields: object) -> Metric:
        base = {"id": "m", "priority": "P1", "name": "M", "direction": "increase"}
        return Metric.model_validate(base | fields)

    assert plausibility.value_range(metric(unit="%")) == (0.0, 100.0)
    assert plausibility.value_range(metric(unit="%", range=[-100, 100])) == (-100.0, 100.0)
    assert plausibility.value_range(metric(unit="people")) is None
    assert plausibility.value_range(metric()) is None
