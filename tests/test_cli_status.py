"""`lsc status` as a user, a board secretary or a CI job sees it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, SHIPPED_DATA, WritePlan
from lsc_tracker.cli import app

runner = CliRunner()
LSC = [sys.executable, "-m", "lsc_tracker"]

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
    assert "65 metrics as of 2026-11-23: 21 overdue, 1 no baseline, 3 no data, 40 no target." in out
    assert "24 of them have a deadline that has passed without being met." in out
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
    assert payload["summary"]["counts"]["overdue"] >= 20


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
    assert ooa["expected"] == 76.666667 and ooa["places"] == []


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
    assert "| ON TRACK | Out of area placements | ooa | 69 | 2020-05-31 | 76.67 | 70 |" in out


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
        (["--status", "overdu"], "unknown status 'overdu' (did you mean 'overdue'?)"),
        (["--fail-on", "late"], "unknown status 'late'"),
        (["--as-of", "31/03/2021"], "expected a date as YYYY-MM-DD"),
    ],
)
def test_malformed_filter_values_are_usage_errors(
    data: Path, args: list[str], message: str
) -> None:
    code, out, err = status(data, *args)
    assert code == 2
    assert message in " ".join(err.split())
    assert out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--priority", "P33"], "unknown priority 'P33' (did you mean 'P3'?)"),
        (["--priority", "P3,P9"], "unknown priority 'P9'; choose from P3, P4"),
        (["--place", "fylde"], "unknown place 'fylde' (did you mean 'fylde-coast'?)"),
    ],
)
def test_an_id_the_plan_does_not_have_exits_1_as_in_record(
    data: Path, args: list[str], message: str
) -> None:
    code, out, err = status(data, *args)
    assert (code, out, err) == (1, "", f"error: {message}\n")


# --- --output, --format and --quiet -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "looks_like"),
    [
        ("status.xlsx", lambda b: b.startswith(b"PK")),  # a zip: the workbook
        ("status.csv", lambda b: b.startswith(b"priority,metric,place,")),
        ("status.json", lambda b: json.loads(b)["as_of"] == "2020-06-30"),
        ("status.md", lambda b: b.startswith(b"# Status as of 2020-06-30")),
        ("STATUS.MARKDOWN", lambda b: b.startswith(b"# Status as of 2020-06-30")),
        ("status.txt", lambda b: b.startswith(b"Status as of 2020-06-30")),
        ("status", lambda b: b.startswith(b"Status as of 2020-06-30")),
    ],
)
def test_without_format_the_output_suffix_chooses_it(
    data: Path, tmp_path: Path, name: str, looks_like
) -> None:
    path = tmp_path / name
    code, out, err = status(data, "--output", str(path))
    assert (code, out, err) == (0, "", f"status written to {path}\n")
    assert looks_like(path.read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-f", "xlsx", "-o", "out.csv"],
            "error: --format xlsx writes an Excel workbook, but out.csv does not end in .xlsx: "
            "name the file FILE.xlsx",
        ),
        (
            ["--format", "csv", "--output", "out.xlsx"],
            "error: --format csv writes text, but out.xlsx ends in .xlsx: give --format xlsx "
            "for a workbook (or leave --format out), or another file name for text",
        ),
        (["-f", "table", "-o", "out.XLSX"], "error: --format table writes text, but out.XLSX"),
    ],
)
def test_a_format_that_contradicts_the_output_name_is_refused(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = status(data, *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(message)
    assert list(tmp_path.iterdir()) == [data]  # no file written


def test_quiet_silences_the_written_line_but_not_data_or_the_fail_on_line(
    data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "status.md"
    assert status(data, "-o", str(path), "--quiet") == (0, "", "")
    assert path.read_text().startswith("# Status as of 2020-06-30")
    code, out, err = status(data, "-q", "-f", "json")
    assert code == 0 and json.loads(out)["as_of"] == "2020-06-30" and err == ""
    code, _, err = status(data, "-q", "-o", str(path), "--fail-on", "overdue")
    assert code == 1 and err == "status: failing: 2 metrics overdue, and 1 place row overdue\n"


# --- what a user without a plan, or with a narrow terminal encoding, sees ------------------------


def test_no_data_directory_says_how_to_give_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [*LSC, "status"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "LSC_DATA"},
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        "error: data directory data (the default) does not exist: give --data DIR "
        "or set LSC_DATA=DIR, or start a new plan there with: lsc init data\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "markdown"],
        [],  # the table
        ["--format", "csv"],
        ["--format", "json"],
    ],
    ids=["markdown", "table", "csv", "json"],
)
def test_a_cp1252_stdout_gets_question_marks_not_a_traceback(data: Path, args: list[str]) -> None:
    result = subprocess.run(
        [*LSC, "--data", str(data), "status", "--as-of", "2020-06-30", *args],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252", "NO_COLOR": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("cp1252")
    assert result.stderr == b""
    out = result.stdout.decode("cp1252")  # in the encoding asked for
    assert "Out of area placements" in out
    if "--format" not in args or "markdown" in args:
        assert "? fylde-coast" in out  # the "↳" it cannot hold


# --- --fail-on ---------------------------------------------------------------------------------


def test_fail_on_exits_1_when_a_shown_row_has_the_status(data: Path) -> None:
    code, out, err = status(data, "--fail-on", "overdue,off_track", "--format", "json")
    assert code == 1
    assert json.loads(out)["metrics"]  # the report is still written, and is still JSON
    assert "status: failing: 2 metrics overdue, and 1 place row overdue" in err


def test_fail_on_exits_0_when_no_shown_row_has_the_status(data: Path) -> None:
    assert status(data, "--fail-on", "off_track,at_risk")[0] == 0
    # overdue rows exist, but the filter hides them: icp-plans (overdue) is shown only to head
    # its achieved place, and does not count
    assert status(data, "--fail-on", "overdue", "--status", "on_track,achieved")[0] == 0
    assert status(data, "--fail-on", "achieved", "--status", "on_track,achieved")[0] == 1
    assert status(data, "--fail-on", "overdue", "--priority", "P3", "--status", "on_track")[0] == 0


def test_fail_on_counts_place_rows(data: Path) -> None:
    code, _, err = status(data, "--fail-on", "achieved")
    assert code == 1 and err == "status: failing: 1 place row achieved\n"


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
        "points": 36,
        "enough_points": True,
    }
    milestones = [m for m in metrics.values() if m["kind"] == "milestone"]
    assert milestones and all(m["spc"] is None for m in milestones)
    by_place = [m for m in metrics.values() if m["places"] and m["kind"] == "measure"]
    assert by_place and all(p["spc"]["variation"] for m in by_place for p in m["places"])
    table = runner.invoke(app, [*args, "--priority", "P1"])
    assert "common cause" in table.stdout and "may miss" in table.stdout
    csv_text = runner.invoke(app, [*args, "--format", "csv"]).stdout
    # the SPC columns keep their places; issue 13's columns (and owner) come after them
    assert ",unit,spc_variation,spc_assurance,target_change," in csv_text.splitlines()[0]
