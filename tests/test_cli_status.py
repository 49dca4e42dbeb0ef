"""`lsc status` as a user, a board secretary or a CI job sees it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, SHIPPED_DATA, WritePlan
from lsc_tracker.cli import app

runner = CliRunner()

METRICS = """\
metrics:
  - id: ooa
    priority: P3
    name: Out of area placements
    direction: decrease
    baseline: {date: 2019-03-31, value: 100}
    targets:
      - {by: 2020-03-31, value: 80}
      - {by: 2020-09-30, value: 70}
      - {by: 2021-03-31, value: 50}
  - id: waits
    priority: P3
    name: 12-hour waits for a bed
    direction: decrease
    targets: [{by: 2020-03-31, value: 0}]
  - id: icp-plans
    priority: P4
    name: ICP plans
    kind: milestone
    due: 2020-03-31
    places: [fylde-coast, morecambe-bay]
"""

ACTUALS = """\
- {metric: ooa, date: 2020-05-31, value: 69}
- {metric: waits, date: 2020-05-31, value: 3}
- {metric: icp-plans, date: 2020-03-15, value: done, place: fylde-coast}
"""


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    return write_plan(metrics=METRICS, actuals=ACTUALS)


def status(data: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data", str(data), "status", "--as-of", "2020-06-30", *args])
    return result.exit_code, result.stdout, result.stderr


def shown_json(data: Path, *args: str) -> dict:
    code, out, err = status(data, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def metric_rows(payload: dict) -> list[tuple[str, str | None, str]]:
    found: list[tuple[str, str | None, str]] = []
    for metric in payload["metrics"]:
        found.append((metric["id"], None, metric["status"]))
        found.extend((metric["id"], p["place"], p["status"]) for p in metric["places"])
    return found


# --- the shipped plan -------------------------------------------------------------------------


def test_status_on_the_shipped_data_says_the_deadlines_are_past() -> None:
    result = runner.invoke(app, ["--data", str(SHIPPED_DATA), "status", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "OVERDUE" in out and "NO TARGET" in out
    assert "27 metrics as of 2026-11-23: 18 overdue, 3 no data, 6 no target." in out
    assert "21 of them have a deadline that has passed without being met." in out
    assert "No actuals are recorded on or before 2026-11-23" in out


def test_status_on_the_shipped_data_as_an_installed_command() -> None:
    lsc = Path(sys.executable).parent / "lsc"
    result = subprocess.run(
        [str(lsc), "status", "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["as_of"] == date.today().isoformat()  # the default --as-of
    assert payload["summary"]["counts"]["overdue"] >= 18


# --- formats ----------------------------------------------------------------------------------


def test_table_is_the_default_and_has_no_escape_codes_when_piped(data: Path) -> None:
    code, out, _ = status(data)
    assert code == 0
    assert "\x1b[" not in out
    assert "P3 Strengthen the resilience" in out and "OVERDUE: 1 overdue, 1 on track" in out
    assert "↳ fylde-coast" in out and "ACHIEVED" in out


def test_json_format(data: Path) -> None:
    payload = shown_json(data)
    assert payload["as_of"] == "2020-06-30"
    assert [(p["id"], p["status"], p["counts"]) for p in payload["priorities"]] == [
        ("P3", "overdue", {"overdue": 1, "on_track": 1}),
        ("P4", "overdue", {"overdue": 1}),
    ]
    ooa = payload["metrics"][0]
    assert ooa["latest"] == {"date": "2020-05-31", "value": 69.0}
    assert ooa["target"] == {"by": "2020-09-30", "value": 70.0}
    assert ooa["expected"] == 76.67 and ooa["places"] == []


def test_csv_format(data: Path) -> None:
    code, out, _ = status(data, "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["metric"], r["place"], r["status"]) for r in table] == [
        ("ooa", "", "on_track"),
        ("waits", "", "overdue"),
        ("icp-plans", "", "overdue"),
        ("icp-plans", "fylde-coast", "achieved"),
        ("icp-plans", "morecambe-bay", "overdue"),
    ]
    assert table[1]["days_to_deadline"] == "-91"


def test_markdown_format(data: Path) -> None:
    code, out, _ = status(data, "-f", "markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# Status as of 2020-06-30"
    assert sum(line.startswith("## P") for line in lines) == 2
    assert "| ON TRACK | Out of area placements | 69 | 2020-05-31 | 76.67 | 70 |" in out


def test_unknown_format_is_a_usage_error(data: Path) -> None:
    code, _, err = status(data, "--format", "xlsx")
    assert code == 2 and "xlsx" in err


# --- filters ----------------------------------------------------------------------------------


def test_priority_filter_repeated_or_comma_separated(data: Path) -> None:
    only_p4 = shown_json(data, "--priority", "P4")
    assert [p["id"] for p in only_p4["priorities"]] == ["P4"]
    assert {m["priority"] for m in only_p4["metrics"]} == {"P4"}
    both = [p["id"] for p in shown_json(data, "-p", "P3,P4")["priorities"]]
    assert both == [p["id"] for p in shown_json(data, "-p", "P3", "-p", "P4")["priorities"]]
    assert both == ["P3", "P4"]


def test_place_filter_shows_only_that_place(data: Path) -> None:
    payload = shown_json(data, "--place", "fylde-coast")
    assert metric_rows(payload) == [
        ("icp-plans", None, "achieved"),
        ("icp-plans", "fylde-coast", "achieved"),
    ]
    assert [(p["id"], p["status"]) for p in payload["priorities"]] == [("P4", "achieved")]
    code, out, _ = status(data, "--place", "morecambe-bay")
    assert code == 0 and "↳ morecambe-bay" in out and "fylde-coast" not in out


def test_status_filter(data: Path) -> None:
    payload = shown_json(data, "--status", "overdue")
    assert metric_rows(payload) == [
        ("waits", None, "overdue"),
        ("icp-plans", None, "overdue"),
        ("icp-plans", "morecambe-bay", "overdue"),
    ]
    achieved = shown_json(data, "--status", "ACHIEVED,on-track")
    assert metric_rows(achieved) == [
        ("ooa", None, "on_track"),
        ("icp-plans", None, "overdue"),
        ("icp-plans", "fylde-coast", "achieved"),
    ]
    code, out, _ = status(data, "--status", "at_risk")
    assert code == 0 and "No metrics to show." in out


def test_filters_combine(data: Path) -> None:
    payload = shown_json(data, "--priority", "P3", "--status", "on_track")
    assert metric_rows(payload) == [("ooa", None, "on_track")]
    assert shown_json(data, "--priority", "P3", "--place", "fylde-coast")["metrics"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--priority", "P33"], "unknown priority 'P33' (did you mean 'P3'?)"),
        (["--priority", "P3,P9"], "unknown priority 'P9'"),
        (["--place", "fylde"], "unknown place 'fylde' (did you mean 'fylde-coast'?)"),
        (["--status", "overdu"], "unknown status 'overdu' (did you mean 'overdue'?)"),
        (["--fail-on", "late"], "unknown status 'late'"),
        (["--as-of", "31/03/2021"], "expected a date as YYYY-MM-DD"),
    ],
)
def test_unknown_filter_values_are_usage_errors(data: Path, args: list[str], message: str) -> None:
    code, out, err = status(data, *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert out == ""


# --- --fail-on ---------------------------------------------------------------------------------


def test_fail_on_exits_1_when_a_shown_row_has_the_status(data: Path) -> None:
    code, out, err = status(data, "--fail-on", "overdue,off_track", "--format", "json")
    assert code == 1
    assert json.loads(out)["metrics"]  # the report is still written, and is still JSON
    assert "status: failing on 3 rows (3 overdue)" in err


def test_fail_on_exits_0_when_no_shown_row_has_the_status(data: Path) -> None:
    assert status(data, "--fail-on", "off_track,at_risk")[0] == 0
    # overdue rows exist, but the filter hides them: icp-plans (overdue) is shown only to head
    # its achieved place, and does not count
    assert status(data, "--fail-on", "overdue", "--status", "on_track,achieved")[0] == 0
    assert status(data, "--fail-on", "achieved", "--status", "on_track,achieved")[0] == 1
    assert status(data, "--fail-on", "overdue", "--priority", "P3", "--status", "on_track")[0] == 0


def test_fail_on_counts_place_rows(data: Path) -> None:
    code, _, err = status(data, "--fail-on", "achieved")
    assert code == 1 and "1 achieved" in err


# --- dates and data ----------------------------------------------------------------------------


def test_as_of_ignores_later_actuals(data: Path) -> None:
    before = shown_json(data, "--as-of", "2020-03-01")
    assert before["as_of"] == "2020-03-01"
    assert before["metrics"][0]["latest"] is None
    assert before["metrics"][0]["status"] == "no_data"


def test_invalid_data_exits_1_with_its_problems(write_plan: WritePlan) -> None:
    broken = write_plan(metrics=METRICS.replace("due: 2020-03-31", "due: March 2020"))
    code, out, err = status(broken)
    assert code == 1 and out == ""
    assert "metrics.yaml:" in err and "run 'lsc check'" in err


def test_status_shows_spc_icons_beside_the_trajectory_status() -> None:
    """Making Data Count side by side with the plan: icons per metric and per place."""
    from conftest import DEMO_AS_OF, DEMO_DATA

    args = ["--data", str(DEMO_DATA), "status", "--as-of", DEMO_AS_OF.isoformat()]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    metrics = {m["id"]: m for m in json.loads(result.stdout)["metrics"]}
    assert metrics["ae-four-hour"]["spc"] == {
        "variation": "common_cause",
        "assurance": "inconsistent",
    }
    milestones = [m for m in metrics.values() if m["kind"] == "milestone"]
    assert milestones and all(m["spc"] is None for m in milestones)
    by_place = [m for m in metrics.values() if m["places"] and m["kind"] == "measure"]
    assert by_place and all(p["spc"]["variation"] for m in by_place for p in m["places"])
    table = runner.invoke(app, [*args, "--priority", "P1"])
    assert "common cause" in table.stdout and "may miss" in table.stdout
    csv_text = runner.invoke(app, [*args, "--format", "csv"]).stdout
    assert csv_text.splitlines()[0].endswith(",spc_variation,spc_assurance")
