"""The exception report (issue 15, part 4): which metrics need the board's attention and why,
one row per metric with its places collapsed; ``lsc status --exceptions`` in every format.

The plan below is worked by hand (as of 2020-06-30; each measure's plan line runs from 0 on
2020-01-01 to 120 on 2021-01-01, so 39.7 on 2020-05-01 and 49.8 on 2020-06-01, and a shortfall
of up to 12, 10% of the span, is at risk):

- ``steady``: 50, 52, ..., 58 monthly to 2020-06-01, above the line (on track); its trend, 2 a
  month, reaches only about 72 by the deadline: the forecast misses while on track today;
- ``behind``: 10 on 2020-06-01 (39.8 short: off track); its owner rates it on track
  (declared better);
- ``slipping``: 45 on 2020-05-01 (on track then), 40 on 2020-06-01 (9.8 short: at risk);
- ``fine``: 60 on 2020-06-01 (on track, no forecast with one point): not an exception;
- ``plans``: a milestone at two places due 2020-03-31, done at fylde-coast on 2020-06-15:
  1 of 2 places overdue.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from conftest import RECORDING_PLACES, WritePlan, lsc
from lsc_tracker.exceptions import exception_rows, places_text, reasons
from lsc_tracker.loader import load
from lsc_tracker.status import assess

AS_OF = "2020-06-30"
PRIORITIES = "priorities:\n  - {id: P1, title: Priority one}\n"
LINE = "{baseline: {date: 2020-01-01, value: 0}, targets: [{by: 2021-01-01, value: 120}]}"


def measure(metric: str, **more: str) -> dict[str, object]:
    return {
        "id": metric,
        "priority": "P1",
        "name": metric.capitalize(),
        "direction": "increase",
        "baseline": {"date": "2020-01-01", "value": 0},
        "targets": [{"by": "2021-01-01", "value": 120}],
        **more,
    }


METRICS = [
    measure("steady", owner="Sam"),
    measure("behind", owner="Bo"),
    measure("slipping"),
    measure("fine"),
    {
        "id": "plans",
        "priority": "P1",
        "name": "Plans",
        "kind": "milestone",
        "due": "2020-03-31",
        "places": ["fylde-coast", "morecambe-bay"],
    },
]

ACTUALS = [
    *(
        {"metric": "steady", "date": f"2020-0{month}-01", "value": value}
        for month, value in zip(range(2, 7), (50, 52, 54, 56, 58), strict=True)
    ),
    {"metric": "behind", "date": "2020-06-01", "value": 10},
    {"metric": "slipping", "date": "2020-05-01", "value": 45},
    {"metric": "slipping", "date": "2020-06-01", "value": 40},
    {"metric": "fine", "date": "2020-06-01", "value": 60},
    {"metric": "plans", "place": "fylde-coast", "date": "2020-06-15", "value": "done"},
]

UPDATES = (
    "- {metric: behind, date: 2020-06-20, rag: on_track, note: recovering, "
    "action: extra clinics, recovery: 2020-09-30, by: Bo}\n"
)


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    directory = write_plan(PRIORITIES, RECORDING_PLACES, METRICS, ACTUALS)
    (directory / "updates.yaml").write_text(UPDATES)
    return directory


def test_which_metrics_and_why(data: Path) -> None:
    plan, problems = load(data)
    assert problems == []
    report = assess(plan, date.fromisoformat(AS_OF))
    found = {row.metric: row.reasons for row in exception_rows(report)}
    assert found == {
        "steady": ("forecast_misses",),
        "behind": ("off_track", "declared_better"),
        "slipping": ("at_risk",),
        "plans": ("overdue",),
    }
    by_id = {m.id: m for m in report.metrics}
    assert reasons(by_id["fine"]) == ()
    assert places_text(by_id["plans"]) == "1 of 2 places overdue: morecambe-bay"
    assert places_text(by_id["behind"]) == ""


def test_a_row_carries_the_owner_update_and_forecast(data: Path) -> None:
    plan, _ = load(data)
    report = assess(plan, date.fromisoformat(AS_OF))
    rows = {row.metric: row for row in exception_rows(report)}
    behind = rows["behind"]
    assert (behind.owner, behind.declared, behind.mismatch) == ("Bo", "on_track", "declared_better")
    assert behind.update is not None and behind.update.action == "extra clinics"
    steady = rows["steady"]
    # needs (120 - 58) over the 214 days to 2021-01-01; recent: 2 a month (the month's days vary)
    assert steady.forecast == (
        "needs 8.82 a month, recent 2 a month: at that rate reaches 120 in Dec 2022, 24 months late"
    )
    assert (steady.declared, steady.places, steady.stages) == (None, "", "")


# --- lsc status --exceptions, in every format --------------------------------------------------


def status(data: Path, *args: str) -> str:
    code, out, err = lsc(data, "status", "--as-of", AS_OF, "--exceptions", *args)
    assert code == 0, err
    return out


def test_json_lists_only_the_exceptions_with_why(data: Path) -> None:
    found = json.loads(status(data, "--format", "json"))
    assert found["exceptions"] is True
    shown = {m["id"]: (m["reasons"], m["places_summary"]) for m in found["metrics"]}
    assert shown == {
        "steady": (["forecast_misses"], None),
        "behind": (["off_track", "declared_better"], None),
        "slipping": (["at_risk"], None),
        "plans": (["overdue"], "1 of 2 places overdue: morecambe-bay"),
    }
    # every key of the plain report is still there, with the same meaning (additive only)
    _, plain, _ = lsc(data, "status", "--as-of", AS_OF, "--format", "json")
    plain_metric = json.loads(plain)["metrics"][0]
    assert set(plain_metric) <= set(found["metrics"][0])
    assert set(json.loads(plain)) <= set(found)


def test_csv_has_one_row_per_metric(data: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(status(data, "--format", "csv"))))
    assert [(r["metric"], r["place"]) for r in rows] == [
        ("steady", ""),
        ("behind", ""),
        ("slipping", ""),
        ("plans", ""),
    ]
    by_id = {r["metric"]: r for r in rows}
    assert by_id["behind"]["reasons"] == "off_track, declared_better"
    assert by_id["behind"]["declared"] == "on_track"
    assert by_id["behind"]["mismatch"] == "declared_better"
    assert by_id["behind"]["update_recovery"] == "2020-09-30"
    assert by_id["plans"]["places_summary"] == "1 of 2 places overdue: morecambe-bay"
    assert by_id["steady"]["forecast_projected_meets"] == "false"


def test_markdown_and_table_say_why_and_collapse_places(data: Path) -> None:
    markdown = status(data, "--format", "markdown")
    assert "| Why | Places |" in markdown
    assert "off track, declared better" in markdown
    assert "1 of 2 places overdue: morecambe-bay" in markdown
    assert "↳" not in markdown  # no place rows
    assert "Exceptions only (--exceptions)" in markdown
    assert "1 on track, 1 overdue" not in markdown
    assert "hidden by --exceptions" in markdown  # "fine" is not an exception
    table = status(data)
    assert "needs attention: off track, declared better" in table
    assert "needs attention: trend misses" in table
    assert "1 of 2 places overdue: morecambe-bay" in table
    assert "↳" not in table


def test_workbook_has_one_row_per_metric(data: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "x.xlsx"
    status(data, "--output", str(out), "--quiet")
    sheet = load_workbook(out)["Metrics"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(2)]
    assert [r["metric"] for r in rows] == ["steady", "behind", "slipping", "plans"]
    assert rows[1]["reasons"] == "off_track, declared_better"


def test_status_narrows_the_exceptions(data: Path) -> None:
    found = json.loads(status(data, "--status", "at_risk", "--format", "json"))
    assert [m["id"] for m in found["metrics"]] == ["slipping"]
    # a metric is kept when one of its places has the status; its places are counted whole
    found = json.loads(status(data, "--status", "achieved", "--format", "json"))
    assert [(m["id"], m["places_summary"]) for m in found["metrics"]] == [
        ("plans", "1 of 2 places overdue: morecambe-bay")
    ]


def test_fail_on_looks_at_the_same_rows_as_without_exceptions(data: Path) -> None:
    # "fine" is on track and not an exception: --fail-on still sees it
    code, _, err = lsc(data, "status", "--as-of", AS_OF, "--exceptions", "--fail-on", "on_track")
    assert code == 1 and "2 metrics on track" in err
    code, _, err = lsc(data, "status", "--as-of", AS_OF, "--exceptions", "--fail-on", "no_target")
    assert code == 0, err


def test_forecast_columns_in_csv_without_exceptions(data: Path) -> None:
    code, out, err = lsc(data, "status", "--as-of", AS_OF, "--format", "csv")
    assert code == 0, err
    rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(out)) if not r["place"]}
    steady = rows["steady"]
    assert steady["forecast_projected_meets"] == "false"
    assert steady["forecast_eta"] == "2022-12-30"
    assert float(steady["forecast_required_rate_per_month"]) == pytest.approx(
        62 / 214 * 30.4375, abs=1e-6
    )
    assert steady["forecast"].startswith("needs 8.82 a month")
    assert rows["fine"]["forecast"] == ""  # one point: no forecast
    assert "reasons" not in steady and "was" not in steady


def test_the_demo_shows_a_mismatch_a_missing_trend_and_a_change() -> None:
    from conftest import DEMO_DATA

    args = ("status", "--as-of", "2024-03-31", "--exceptions", "--since", "2024-02-29")
    code, out, err = lsc(DEMO_DATA, *args, "--format", "json")
    assert code == 0, err
    found = json.loads(out)
    metrics = {m["id"]: m for m in found["metrics"]}
    assert "declared_better" in metrics["ae-four-hour"]["reasons"]
    steady = metrics["talking-therapies-recovery"]
    assert (steady["status"], steady["reasons"]) == ("on_track", ["forecast_misses"])
    assert steady["update"]["by"].startswith("Demo")
    assert {"metric": "health-checks-launch", "place": None, "from": "on_track"}.items() <= (
        found["summary"]["changes"][-1].items()
    )


def test_a_place_view_is_that_place_s_row(data: Path) -> None:
    found = json.loads(status(data, "--place", "morecambe-bay", "--format", "json"))
    # the milestone's row is morecambe-bay's (overdue): no sentence about one place of one
    assert [(m["id"], m["status"], m["places_summary"]) for m in found["metrics"]] == [
        ("plans", "overdue", None)
    ]
    found = json.loads(status(data, "--place", "fylde-coast", "--format", "json"))
    assert found["metrics"] == []  # done there: nothing needs attention


# --- lsc init --demo: the synthetic demo, from the installed package ----------------------------

DEMO_FILES = ("priorities.yaml", "places.yaml", "metrics.yaml", "actuals.yaml", "updates.yaml")


def test_the_package_ships_the_demo_as_examples_has_it() -> None:
    from conftest import DEMO_DATA, REPO

    shipped = REPO / "src" / "lsc_tracker" / "demo_files"
    for name in DEMO_FILES:
        assert (shipped / name).read_bytes() == (DEMO_DATA / name).read_bytes(), (
            f"{shipped / name} differs: cp examples/demo/*.yaml src/lsc_tracker/demo_files/"
        )


def test_init_demo_writes_the_demo_and_says_how_to_read_it(tmp_path: Path) -> None:
    from conftest import DEMO_DATA

    demo = tmp_path / "d"
    code, _, err = lsc(None, "init", "--demo", str(demo))
    assert code == 0, err
    assert err.endswith(
        f"next: lsc --data {demo} status --as-of 2024-03-31 --exceptions --since 2024-02-29\n"
    )
    for name in DEMO_FILES:
        assert (demo / name).read_bytes() == (DEMO_DATA / name).read_bytes()
    assert (demo / "updates.yaml").read_text().startswith("# SYNTHETIC DEMO DATA")
    code, out, err = lsc(demo, "check")
    assert code == 0, err
    code, out, err = lsc(
        demo,
        "status",
        "--as-of",
        "2024-03-31",
        "--exceptions",
        "--since",
        "2024-02-29",
        "-f",
        "json",
    )
    assert code == 0, err
    found = json.loads(out)
    reasons = {m["id"]: (m["status"], m["reasons"]) for m in found["metrics"]}
    assert reasons["ae-four-hour"] == (
        "off_track",
        ["off_track", "declared_better", "forecast_misses"],
    )
    assert reasons["talking-therapies-recovery"] == ("on_track", ["forecast_misses"])
    assert [(c["metric"], c["movement"]) for c in found["summary"]["changes"]] == [
        ("virtual-ward-occupancy", "better"),
        ("health-checks-launch", "worse"),
    ]
    # refused, writing nothing, over an existing plan
    code, _, err = lsc(None, "init", "--demo", str(demo))
    assert code == 1 and "nothing was written" in err
