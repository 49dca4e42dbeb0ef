"""`lsc spc`, `lsc show` and `lsc report`'s options, as a user sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import DEMO_AS_OF, DEMO_DATA, WritePlan, lsc
from lsc_tracker.spc import MEAN_RANGE_TO_LIMIT

LSC = [sys.executable, "-m", "lsc_tracker"]

MONTHS = [date(2019, m, 28) for m in range(4, 13)] + [date(2020, 1, 28)]
VALUES = [100, 110] * 4 + [100, 160]  # 10 points; the 160 is outside the limits


def log(*entries: dict) -> str:
    return "".join(f"- {json.dumps(entry)}\n" for entry in entries)


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    """The conftest plan (ooa-placements, a milestone) with 10 monthly actuals of ooa."""
    entries = [
        {"metric": "ooa-placements", "date": d.isoformat(), "value": v}
        for d, v in zip(MONTHS, VALUES, strict=True)
    ]
    return write_plan(actuals=log(*entries))


# --- lsc spc -----------------------------------------------------------------------------------


def test_spc_json_gives_the_limits_point_types_and_icons(data: Path) -> None:
    result = lsc(data, "spc", "ooa-placements", "--as-of", "2020-06-30", "--format", "json")
    assert result.exit_code == 0, result.output
    chart = json.loads(result.stdout)
    assert list(chart) == [
        "metric",
        "place",
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
    ]
    # 10 points: computed all the same, but marked and warned about
    assert (chart["points_in_group"], chart["enough_points"]) == (10, False)
    assert result.stderr == (
        "warning: too few points for SPC (10 of 12): limits are indicative only\n"
    )
    assert chart["range"] is None  # placements: no range declared, nothing clipped
    assert (chart["metric"], chart["place"], chart["direction"]) == (
        "ooa-placements",
        None,
        "decrease",
    )
    assert chart["target"] == 60.0  # baseline 120, -50% by 2021-03-31
    # mean 1100 / 10; moving ranges eight 10s and a 60, which screening drops
    # (60 >= 3.267 x 140 / 9), so the limits are 110 +/- 2.66 x 10
    (group,) = chart["groups"]
    assert group["start"] == "2019-04-28" and group["n"] == 10 and group["trial"] is True
    assert group["mean"] == pytest.approx(110.0)
    assert group["lpl"] == pytest.approx(110 - MEAN_RANGE_TO_LIMIT * 10)
    assert group["upl"] == pytest.approx(110 + MEAN_RANGE_TO_LIMIT * 10)
    last = chart["points"][-1]
    assert last == {
        "date": "2020-01-28",
        "value": 160.0,
        "group": 0,
        "type": "special_cause_concern",
        "rule": "outside",
        "provisional": False,
    }
    assert {p["type"] for p in chart["points"][:-1]} == {"common_cause"}
    assert (chart["variation"], chart["assurance"]) == ("concern_high", "consistent_fail")


def test_spc_table_lists_groups_points_and_verdicts(data: Path) -> None:
    result = lsc(data, "spc", "ooa-placements", "--as-of", "2020-06-30")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Out of area placements: XmR chart, 10 points" in out
    assert out.index("lower limit") < out.index("2020-01-28") < out.index("variation:")
    assert "trial" in out.splitlines()[2]
    row = next(line for line in out.splitlines() if line.startswith("2020-01-28"))
    assert "160" in row and "special cause concern" in row and "outside the process limits" in row
    assert "variation: concern_high: Special cause concern (high)" in out
    assert "assurance: consistent_fail (target 60): Consistently failing the target" in out


def test_spc_as_of_leaves_out_later_actuals(data: Path) -> None:
    result = lsc(data, "spc", "ooa-placements", "--as-of", "2019-04-30", "-f", "json")
    chart = json.loads(result.stdout)
    assert [p["value"] for p in chart["points"]] == [100.0]
    assert chart["groups"][0]["lpl"] is None and chart["groups"][0]["upl"] is None
    assert chart["points"][0]["type"] == "common_cause" and chart["assurance"] == "inconsistent"
    empty = json.loads(
        lsc(data, "spc", "ooa-placements", "--as-of", "2019-01-31", "-f", "json").stdout
    )
    assert (empty["groups"], empty["points"], empty["variation"]) == ([], [], None)


def test_spc_refuses_a_milestone(data: Path) -> None:
    result = lsc(data, "spc", "ccg-configuration")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: ccg-configuration is a milestone: SPC applies to measures only"
    )
    assert result.stdout == ""


def test_spc_asks_for_a_place_and_checks_it() -> None:
    """A metric or place the plan does not have exits 1, as in `lsc record`; a malformed
    argument is a usage error (2)."""
    result = lsc(DEMO_DATA, "spc", "smoking-quit-rate")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: smoking-quit-rate is tracked by place: give --place (one of north, central, south)"
    )
    wrong = lsc(DEMO_DATA, "spc", "smoking-quit-rate", "--place", "west")
    assert (wrong.exit_code, wrong.stdout) == (1, "")
    assert wrong.stderr == "error: smoking-quit-rate is not tracked at 'west'\n"
    unknown = lsc(DEMO_DATA, "spc", "smoking-quit")
    assert (unknown.exit_code, unknown.stdout) == (1, "")
    assert (
        unknown.stderr
        == "error: unknown metric 'smoking-quit' (did you mean 'smoking-quit-rate'?)\n"
    )
    bad_date = lsc(DEMO_DATA, "spc", "ae-four-hour", "--as-of", "31/03/2024")
    assert bad_date.exit_code == 2
    no_metric = lsc(DEMO_DATA, "spc")
    assert no_metric.exit_code == 2


def test_spc_on_the_demo_outlier_and_a_place() -> None:
    as_of = DEMO_AS_OF.isoformat()
    outlier = lsc(DEMO_DATA, "spc", "mh-out-of-area-placements", "--as-of", as_of, "-f", "json")
    chart = json.loads(outlier.stdout)
    special = [p for p in chart["points"] if p["type"] != "common_cause"]
    assert special == [
        {
            "date": "2022-12-31",
            "value": 55.0,
            "group": 0,
            "type": "special_cause_concern",
            "rule": "outside",
            "provisional": False,
        }
    ]
    assert (chart["variation"], chart["assurance"]) == ("common_cause", "consistent_fail")
    south = lsc(
        DEMO_DATA, "spc", "smoking-quit-rate", "--place", "south", "--as-of", as_of, "-f", "json"
    )
    chart = json.loads(south.stdout)
    assert chart["place"] == "south" and chart["variation"] == "concern_low"
    rebased = lsc(DEMO_DATA, "spc", "mh-crisis-response", "--as-of", as_of, "-f", "json")
    groups = json.loads(rebased.stdout)["groups"]
    assert [(g["start"], g["n"]) for g in groups] == [("2021-04-30", 18), ("2022-10-31", 18)]


# --- lsc show ----------------------------------------------------------------------------------


def test_show_a_measure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = lsc(DEMO_DATA, "show", "delayed-discharges", "--as-of", DEMO_AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b[" not in out
    for expected in (
        "Patients fit for discharge still in hospital",  # definition
        "decrease (lower is better)",
        "Demo owner: discharge programme lead",
        "-40% on the baseline",  # targets
        "status OFF TRACK; latest 167 on 2024-03-31; the plan line expects 133; "
        "target 114 by 2025-03-31",
        "History (latest 12; lsc history lists all)",
        "■ special cause improvement (trend)",
        "● common cause  ■ improvement  ◆ concern",  # the chart's legend
        "variation: Special cause improvement (low)",
        "assurance: Consistently failing the target",
    ):
        assert expected in out, expected
    chart = out[out.index("└") - 2000 : out.index("└")]
    assert "■" in chart and "✕" in chart and "·" in chart


def test_show_a_metric_by_place_and_one_place() -> None:
    as_of = DEMO_AS_OF.isoformat()
    every = lsc(DEMO_DATA, "show", "smoking-quit-rate", "--as-of", as_of)
    assert every.exit_code == 0, every.output
    south_row = next(line for line in every.stdout.splitlines() if line.strip().startswith("south"))
    assert "OFF TRACK" in south_row and "41.6" in south_row and "concern_low" in south_row
    assert "give --place (one of north, central, south)" in every.stdout
    one = lsc(DEMO_DATA, "show", "smoking-quit-rate", "--place", "central", "--as-of", as_of)
    assert one.exit_code == 0, one.output
    assert "Central (demo place): status OFF TRACK; latest 50.2" in one.stdout
    assert "variation: Special cause improvement (high)" in one.stdout


def test_show_a_milestone_and_a_measure_without_actuals(data: Path) -> None:
    milestone = lsc(data, "show", "ccg-configuration", "--as-of", "2020-06-30")
    assert milestone.exit_code == 0, milestone.output
    assert "2020-04-30 (61 days ago)" in milestone.stdout
    assert "status OVERDUE; not done yet" in milestone.stdout
    early = lsc(data, "show", "ooa-placements", "--as-of", "2019-01-31")
    assert early.exit_code == 0, early.output
    assert (
        "no actual recorded" in early.stdout
        and "(no chart: no actuals recorded yet)" in early.stdout
    )
    nope = lsc(data, "show", "nope")
    assert (nope.exit_code, nope.stdout) == (1, "")
    assert nope.stderr == "error: unknown metric 'nope' (see 'lsc list metrics')\n"


def test_show_an_unknown_place_exits_1_and_a_malformed_date_2() -> None:
    place = lsc(DEMO_DATA, "show", "smoking-quit-rate", "--place", "nort")
    assert (place.exit_code, place.stdout) == (1, "")
    assert place.stderr == (
        "error: smoking-quit-rate is not tracked at 'nort' (did you mean 'north'?)\n"
    )
    assert lsc(DEMO_DATA, "show", "ae-four-hour", "--as-of", "2024-02-30").exit_code == 2


@pytest.mark.parametrize(
    "args",
    [
        ["show", "smoking-quit-rate"],
        ["spc", "smoking-quit-rate", "--place", "north"],
        ["status"],
    ],
    ids=["show", "spc", "status-table"],
)
def test_a_cp1252_stdout_gets_no_traceback(args: list[str]) -> None:
    result = subprocess.run(
        [*LSC, "--data", str(DEMO_DATA), *args, "--as-of", DEMO_AS_OF.isoformat()],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252", "NO_COLOR": "1", "COLUMNS": "100"},
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("cp1252")
    assert result.stderr == b""
    assert "smoking quit rate" in result.stdout.decode("cp1252").lower()


# --- lsc report's options (the HTML itself: test_report.py) -------------------------------------


def test_report_writes_report_html_by_default(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = lsc(data, "report", "--as-of", "2020-06-30")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.strip() == "report written to report.html"
    html = (tmp_path / "report.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Position as of <strong>2020-06-30" in html


@pytest.mark.slow  # a real process making the report
def test_report_to_stdout_is_utf8_as_it_declares_even_on_a_cp1252_stdout(data: Path) -> None:
    result = subprocess.run(
        [*LSC, "--data", str(data), "report", "-o", "-"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("cp1252")
    html = result.stdout.decode("utf-8")  # not cp1252: the page says <meta charset="utf-8">
    assert '<meta charset="utf-8">' in html and html.rstrip().endswith("</html>")


def test_report_to_stdout_and_a_bad_output(data: Path, tmp_path: Path) -> None:
    result = lsc(data, "report", "--as-of", "2020-06-30", "--output", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.rstrip().endswith(
        "</html>"
    )
    missing = tmp_path / "no-such-dir" / "r.html"
    failed = lsc(data, "report", "--as-of", "2020-06-30", "-o", str(missing))
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"error: cannot write {missing}: ")
