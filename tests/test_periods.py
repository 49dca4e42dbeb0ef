"""Periods (issue 16, part 1): months and NHS financial quarters and years as dates, the
default date of a metric with a cadence, the period named, and dates that end no period."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import WritePlan, hashes, lsc
from lsc_tracker import periods

TODAY = date.today()

METRICS = [
    {"id": "monthly-m", "priority": "P3", "name": "Monthly", "direction": "decrease",
     "unit": "placements", "cadence": "monthly"},
    {"id": "quarterly-m", "priority": "P3", "name": "Quarterly", "direction": "decrease",
     "cadence": "quarterly"},
    {"id": "annual-m", "priority": "P3", "name": "Annual", "direction": "decrease",
     "cadence": "annual"},
    {"id": "plain-m", "priority": "P3", "name": "No cadence", "direction": "decrease"},
]  # fmt: skip


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(metrics=METRICS, actuals="[]\n")


# --- the library ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2020-06-30", date(2020, 6, 30)),
        ("2020-06", date(2020, 6, 30)),
        ("2020-02", date(2020, 2, 29)),
        ("2021-02", date(2021, 2, 28)),
        ("2020-12", date(2020, 12, 31)),
        ("2020/21", date(2021, 3, 31)),
        ("1999/00", date(2000, 3, 31)),
        ("2020/21 Q1", date(2020, 6, 30)),
        ("2020/21 Q2", date(2020, 9, 30)),
        ("2020/21 Q3", date(2020, 12, 31)),
        ("2020/21 Q4", date(2021, 3, 31)),
        (" 2020/21  q2 ", date(2020, 9, 30)),
    ],
)
def test_a_period_is_dated_its_last_day(text: str, day: date) -> None:
    assert periods.parse_period(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2020/22", "2020/22 is not a financial year: one runs from April to March, as in 2020/21"),
        ("2020/21 Q5", "2020/21 Q5 is not a quarter: a financial year has Q1 to Q4"),
        ("2020/21 Q0", "not a quarter"),
        ("2020-13", "2020-13 is not a month"),
        ("2020-00", "2020-00 is not a month"),
        ("2020-02-30", "2020-02-30 is not a real date"),
        ("31/05/2020", "expected a date as YYYY-MM-DD, a month YYYY-MM, a financial year"),
        ("June 2020", "got 'June 2020'"),
        ("2020 Q1", "got '2020 Q1'"),
    ],
)
def test_what_is_not_a_period_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        periods.parse_period(text)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("cadence", "today", "end"),
    [
        ("monthly", date(2026, 12, 3), date(2026, 11, 30)),
        ("monthly", date(2026, 12, 1), date(2026, 11, 30)),
        ("monthly", date(2026, 3, 31), date(2026, 2, 28)),  # the month ending today is not over
        ("monthly", date(2026, 1, 15), date(2025, 12, 31)),
        ("quarterly", date(2026, 12, 3), date(2026, 9, 30)),
        ("quarterly", date(2026, 7, 1), date(2026, 6, 30)),
        ("quarterly", date(2026, 6, 30), date(2026, 3, 31)),
        ("quarterly", date(2026, 2, 1), date(2025, 12, 31)),
        ("annual", date(2026, 12, 3), date(2026, 3, 31)),
        ("annual", date(2026, 4, 1), date(2026, 3, 31)),
        ("annual", date(2026, 3, 31), date(2025, 3, 31)),
    ],
)
def test_the_latest_complete_period(cadence: str, today: date, end: date) -> None:
    assert periods.latest_complete(cadence, today) == end


@pytest.mark.parametrize(
    ("day", "cadence", "name"),
    [
        (date(2026, 11, 30), "monthly", "November 2026"),
        (date(2020, 6, 30), "quarterly", "2020/21 Q1"),
        (date(2021, 3, 31), "quarterly", "2020/21 Q4"),
        (date(2020, 12, 31), "quarterly", "2020/21 Q3"),
        (date(2021, 3, 31), "annual", "2020/21"),
        (date(2020, 6, 15), "monthly", None),
        (date(2020, 7, 31), "quarterly", None),
        (date(2020, 6, 30), "annual", None),
        (date(2020, 6, 30), None, None),
    ],
)
def test_a_period_is_named(day: date, cadence: str | None, name: str | None) -> None:
    assert periods.period_name(day, cadence) == name


def test_a_date_that_ends_no_period_is_warned_about_with_the_right_end() -> None:
    warn = periods.off_period_warning
    assert warn("m", "monthly", date(2020, 6, 30)) is None
    assert warn("m", None, date(2020, 6, 15)) is None
    assert warn("m", "monthly", date(2020, 6, 15)) == (
        "m is monthly, and 2020-06-15 is not the end of a month: a monthly value is dated "
        "the month's last day (2020-06-30 for June 2020)"
    )
    assert "(2020-09-30 for 2020/21 Q2)" in str(warn("m", "quarterly", date(2020, 7, 31)))
    assert "an annual value" in str(warn("m", "annual", date(2020, 7, 31)))
    assert "(2021-03-31 for 2020/21)" in str(warn("m", "annual", date(2021, 1, 31)))
    assert "(2021-03-31 for 2020/21)" in str(warn("m", "annual", date(2021, 3, 30)))


# --- lsc record ---------------------------------------------------------------------------------


def test_record_takes_a_month_and_names_it(data: Path) -> None:
    code, out, err = lsc(data, "record", "monthly-m", "4", "--date", "2020-06")
    assert code == 0, err
    assert '"date": "2020-06-30"' in out
    assert err == "recorded for June 2020 (2020-06-30)\n"


@pytest.mark.parametrize(
    ("given", "stored", "name"),
    [("2020/21 Q1", "2020-06-30", "2020/21 Q1"), ("2020/21 Q4", "2021-03-31", "2020/21 Q4")],
)
def test_record_takes_a_financial_quarter(data: Path, given: str, stored: str, name: str) -> None:
    code, out, err = lsc(data, "record", "quarterly-m", "4", "--date", given)
    assert code == 0, err
    assert f'"date": "{stored}"' in out
    assert err == f"recorded for {name} ({stored})\n"


def test_record_takes_a_financial_year(data: Path) -> None:
    code, out, err = lsc(data, "record", "annual-m", "4", "--date", "2019/20")
    assert code == 0, err
    assert '"date": "2020-03-31"' in out
    assert err == "recorded for 2019/20 (2020-03-31)\n"


def test_without_date_a_monthly_metric_is_for_last_month(data: Path) -> None:
    end = TODAY.replace(day=1) - timedelta(days=1)
    code, out, err = lsc(data, "record", "monthly-m", "4")
    assert code == 0, err
    assert f'"date": "{end}"' in out
    name = f"{end:%B} {end.year}"
    assert err == (
        f"recorded for {name} ({end}), the latest complete monthly period "
        "(give --date for another)\n"
    )


def test_without_date_quarterly_and_annual_metrics_are_for_their_last_period(data: Path) -> None:
    for metric, cadence in (("quarterly-m", "quarterly"), ("annual-m", "annual")):
        end = periods.latest_complete(cadence, TODAY)
        assert end < TODAY and periods.is_period_end(end, cadence)
        code, out, err = lsc(data, "record", metric, "4")
        assert code == 0, err
        assert f'"date": "{end}"' in out
        assert f"recorded for {periods.period_name(end, cadence)} ({end})" in err


def test_without_date_a_metric_without_cadence_is_for_today(data: Path) -> None:
    code, out, err = lsc(data, "record", "plain-m", "4")
    assert code == 0, err
    assert f'"date": "{TODAY}"' in out
    assert err == ""


def test_a_date_that_ends_no_period_is_recorded_with_a_warning(data: Path) -> None:
    code, out, err = lsc(data, "record", "monthly-m", "4", "--date", "2020-06-15")
    assert code == 0, err
    assert '"date": "2020-06-15"' in out
    assert err == (
        "warning: monthly-m is monthly, and 2020-06-15 is not the end of a month: a monthly "
        "value is dated the month's last day (2020-06-30 for June 2020)\n"
    )
    quiet = lsc(data, "record", "monthly-m", "4", "--date", "2020-05-15", "--quiet")
    assert quiet.stdout == "" and quiet.stderr.startswith("warning: ")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("2020/22", "error: date: 2020/22 is not a financial year"),
        ("2020/21 Q5", "error: date: 2020/21 Q5 is not a quarter"),
        ("2020-13", "error: date: 2020-13 is not a month"),
        ("1899-12", "error: date: 1899-12-31 is too early for an actual"),
        ("31/12/2020", "error: date: expected a date as YYYY-MM-DD, a month YYYY-MM"),
        (
            f"{TODAY.year + 1}-01",
            f"error: date {TODAY.year + 1}-01-31 (the end of {TODAY.year + 1}-01) is in the "
            f"future (today is {TODAY}): a period is recorded once it has ended",
        ),
        (
            f"{TODAY.year + 1}/{(TODAY.year + 2) % 100:02d} Q1",
            f"error: date {TODAY.year + 1}-06-30 (the end of",
        ),
    ],
)
def test_a_bad_period_is_refused_and_nothing_changes(data: Path, given: str, message: str) -> None:
    before = hashes(data)
    code, out, err = lsc(data, "record", "monthly-m", "4", "--date", given)
    assert (code, out) == (1, "")
    assert err.startswith(message) and err.count("\n") == 1, err
    assert hashes(data) == before


# --- lsc import ---------------------------------------------------------------------------------


def test_import_takes_periods_in_its_date_column(data: Path, tmp_path: Path) -> None:
    csv = tmp_path / "june.csv"
    csv.write_text(
        "metric,date,value\n"
        "monthly-m,2020-06,4\n"
        "quarterly-m,2020/21 Q1,5\n"
        "annual-m,2019/20,6\n"
        "plain-m,2020-06-15,7\n"
    )
    code, _, err = lsc(data, "import", str(csv))
    assert code == 0, err
    text = (data / "actuals.yaml").read_text()
    for metric, day in (
        ("monthly-m", "2020-06-30"),
        ("quarterly-m", "2020-06-30"),
        ("annual-m", "2020-03-31"),
        ("plain-m", "2020-06-15"),
    ):
        assert f'"metric": "{metric}", "date": "{day}"' in text
    assert "warning" not in err


def test_import_warns_about_dates_that_end_no_period(data: Path, tmp_path: Path) -> None:
    csv = tmp_path / "june.csv"
    rows = "".join(f"monthly-m,2019-{m:02d}-15,4\n" for m in range(1, 13))
    rows += "".join(f"monthly-m,2018-{m:02d}-15,4\n" for m in range(1, 13))
    csv.write_text("metric,date,value\n" + rows)
    code, _, err = lsc(data, "import", str(csv))
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 21  # 20, then a count of the rest
    assert warnings[-1] == "warning: 4 more dates end no period"


def test_import_refuses_a_bad_period_naming_the_row(data: Path, tmp_path: Path) -> None:
    csv = tmp_path / "june.csv"
    csv.write_text("metric,date,value\nmonthly-m,2020-06,4\nmonthly-m,2020/22,4\n")
    before = hashes(data)
    code, _, err = lsc(data, "import", str(csv))
    assert code == 1
    assert f"{csv}:3: column 'date': 2020/22 is not a financial year" in err
    assert hashes(data) == before
