"""Issue 17, point 8: SPC only where it means something.

Fewer than 12 points in a series (since its latest rebase): no variation or assurance verdict
in ``lsc status``, ``lsc show`` and the report, which say "too few points for SPC (5 of 12)";
``lsc spc`` still computes, marks ``"enough_points": false`` and warns. Zero-width limits
(every moving range 0) are "no variation to judge", never special causes. The first tests
work the module's figures out by hand; the rest run the installed ``lsc`` as a process.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import PLACES, PRIORITIES, REPO, Ran, WritePlan, lsc_process
from lsc_tracker import spc

LSC = shutil.which("lsc") or "lsc"
AS_OF = "2020-06-30"
MONTHS = [date(2019 + (3 + i) // 12, (3 + i) % 12 + 1, 28) for i in range(15)]  # 2019-04-28 on


def series(values: list[float]) -> list[tuple[date, float]]:
    return list(zip(MONTHS, values, strict=False))


# --- the module, worked by hand ----------------------------------------------------------------


def test_the_minimum_is_one_named_constant_of_12() -> None:
    assert spc.MIN_POINTS == 12
    five = spc.analyse(series([5, 6, 5, 7, 6]), direction="increase", target=9)
    assert (five.points_in_group, five.enough_points) == (5, False)
    assert five.variation == "common_cause"  # computed all the same (lsc spc shows it)
    assert spc.verdicts(five) == (None, None)  # but not a verdict a board may read
    twelve = spc.analyse(series([5, 6] * 6), direction="increase", target=9)
    assert (twelve.points_in_group, twelve.enough_points) == (12, True)
    assert spc.verdicts(twelve) == ("common_cause", "consistent_fail")


def test_the_count_is_per_group_after_a_rebase() -> None:
    values = [5, 6] * 7 + [9]  # 15 points, the last 5 after the rebase
    rebased = spc.analyse(series(values), direction="increase", rebase=[MONTHS[10]])
    assert [g.n for g in rebased.groups] == [10, 5]
    assert (rebased.points_in_group, rebased.enough_points) == (5, False)
    summary = spc.summary(series(values), direction="increase", rebase=[MONTHS[10]])
    assert summary.points == 5


def test_two_two_two_two_two_one_has_real_limits_and_one_special_cause() -> None:
    """The issue's six values. Moving ranges 0, 0, 0, 0, 1: amr 0.2. Screening drops ranges
    >= 3.267 x 0.2 = 0.65, i.e. the only non-zero one, which left amr 0 and zero-width
    limits on the mean 11 / 6, so all six points were "outside". Screening may no longer
    take amr to 0: limits 1.8333 +/- 2.66 x 0.2 = 1.3013 .. 2.3653, and only the 1 is
    outside (a concern: lower, higher is better)."""
    result = spc.analyse(series([2, 2, 2, 2, 2, 1]), direction="increase", target=3)
    (group,) = result.groups
    assert group.mean == pytest.approx(11 / 6)
    assert (group.lpl, group.upl) == pytest.approx((11 / 6 - 0.532, 11 / 6 + 0.532))
    assert [p.rule for p in result.points] == [None] * 5 + ["outside"]
    assert result.points[-1].type == "special_cause_concern"
    assert not group.no_variation


def test_every_moving_range_zero_is_no_variation_to_judge() -> None:
    result = spc.analyse(series([5] * 14), direction="increase", target=10)
    assert result.groups[0].no_variation and result.groups[0].upl is None
    assert {p.type for p in result.points} == {"common_cause"}  # no special cause at all
    assert (result.variation, result.assurance) == ("no_variation", None)
    assert spc.summary(series([5] * 14), direction="increase", target=10)[:2] == (
        "no_variation",
        None,
    )


def test_limits_within_float_slack_of_the_mean_are_zero_width_too() -> None:
    # a spread of 0.001 on values of a billion: 2.66 x amr is within the 1e-9 relative slack
    # every line is compared with, so the limits are no limits at all
    values = [1e9, 1e9 + 0.001] * 7
    result = spc.analyse(series(values), direction="decrease", target=5)
    assert result.groups[0].no_variation
    assert {p.type for p in result.points} == {"common_cause"}
    assert (result.variation, result.assurance) == ("no_variation", None)


def test_a_flat_baseline_then_a_run_still_signals() -> None:
    # with fix_after the limits come from a flat baseline (no variation), but a run of 7
    # above its mean is still a run: the last point is a special cause, not "no variation"
    values = [5.0] * 12 + [6.0] * 7
    points = [(date(2018 + i // 12, i % 12 + 1, 1), v) for i, v in enumerate(values)]
    result = spc.analyse(points, direction="increase", fix_after=12)
    assert result.groups[0].no_variation
    assert result.variation == "improvement_high"


# --- through the installed lsc -----------------------------------------------------------------

METRICS = """\
metrics:
  - id: short
    priority: P3
    name: Short series
    direction: increase
    targets: [{by: 2021-03-31, value: 80}]
  - id: twelve
    priority: P3
    name: Twelve points
    direction: decrease
    targets: [{by: 2021-03-31, value: 60}]
  - id: flat
    priority: P3
    name: Flat series
    direction: increase
    targets: [{by: 2021-03-31, value: 10}]
  - id: twos
    priority: P3
    name: Twos then a one
    direction: increase
    targets: [{by: 2021-03-31, value: 3}]
  - id: rebased
    priority: P3
    name: Rebased series
    direction: increase
    targets: [{by: 2021-03-31, value: 80}]
    spc: {rebase: [2020-02-01]}
  - id: quits
    priority: P4
    name: Quit rate by place
    direction: increase
    targets: [{by: 2021-03-31, value: 80}]
    places: [fylde-coast, morecambe-bay]
"""


def entries(metric: str, values: list[float], place: str | None = None) -> list[dict]:
    where = {"place": place} if place else {}
    return [
        {"metric": metric, "date": when.isoformat(), "value": value, **where}
        for when, value in zip(MONTHS, values, strict=False)
    ]


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    log = [
        *entries("short", [61, 63, 60, 64, 62]),
        *entries("twelve", [100, 110] * 5 + [100, 105]),
        *entries("flat", [5] * 14),
        *entries("twos", [2, 2, 2, 2, 2, 1]),
        *entries("rebased", [60, 62] * 5 + [70, 71, 70, 72, 71]),  # 10, then 5 from 2020-02
        *entries("quits", [50, 52] * 6, "fylde-coast"),
        *entries("quits", [40, 42, 41, 43, 42], "morecambe-bay"),
    ]
    return write_plan(PRIORITIES, PLACES, METRICS, log)


def installed(data: Path, *args: str) -> Ran:
    """The installed ``lsc`` as a user runs it, on the test plan as of 2020-06-30."""
    return lsc_process(
        data, *args, "--as-of", AS_OF, command=[LSC], env={"NO_COLOR": "1", "COLUMNS": "160"}
    )


@pytest.mark.slow
def test_status_json_gives_no_verdict_below_12_points_and_says_why(data: Path) -> None:
    ran = installed(data, "status", "--format", "json")
    assert ran.exit_code == 0, ran.output
    found = {m["id"]: m for m in json.loads(ran.stdout)["metrics"]}
    assert found["short"]["spc"] == {
        "variation": None,
        "assurance": None,
        "points": 5,
        "enough_points": False,
    }
    assert found["twelve"]["spc"] == {
        "variation": "common_cause",
        "assurance": "consistent_fail",  # limits 89.4 .. 122.3, target 60 below them
        "points": 12,
        "enough_points": True,
    }
    assert found["flat"]["spc"] == {
        "variation": "no_variation",
        "assurance": None,
        "points": 14,
        "enough_points": True,
    }
    assert found["twos"]["spc"]["points"] == 6 and found["twos"]["spc"]["variation"] is None
    assert found["rebased"]["spc"]["points"] == 5  # since the rebase, not 15
    assert found["rebased"]["spc"]["enough_points"] is False
    places = {p["place"]: p["spc"] for p in found["quits"]["places"]}
    assert places["fylde-coast"]["enough_points"] is True
    assert places["fylde-coast"]["variation"] == "common_cause"
    assert places["morecambe-bay"] == {
        "variation": None,
        "assurance": None,
        "points": 5,
        "enough_points": False,
    }


@pytest.mark.slow
def test_status_table_markdown_and_csv_say_too_few_points(data: Path) -> None:
    table = installed(data, "status")
    assert table.exit_code == 0, table.output
    short = table.stdout[table.stdout.index("Short series") :]
    short = short[: short.index("Twelve points")]
    assert "too few" in short and "SPC (5 of" in short  # wrapped in its narrow column
    assert "common cause" not in short and "will fail" not in short
    assert "no variation" in table.stdout  # the flat series (wrapped: "to judge" below)
    markdown = installed(data, "status", "--format", "markdown").stdout
    flat = next(line for line in markdown.splitlines() if "| Flat series |" in line)
    assert "| no variation to judge |  |" in flat  # and no assurance
    row = next(line for line in markdown.splitlines() if "| Short series |" in line)
    assert "| too few points for SPC (5 of 12) |" in row
    bay = next(line for line in markdown.splitlines() if "↳ morecambe-bay" in line)
    assert "too few points for SPC (5 of 12)" in bay
    rows = list(csv.DictReader(io.StringIO(installed(data, "status", "--format", "csv").stdout)))
    by_id = {(r["metric"], r["place"]): r for r in rows}
    assert by_id[("short", "")]["spc_points"] == "5"
    assert by_id[("short", "")]["spc_variation"] == by_id[("short", "")]["spc_assurance"] == ""
    assert by_id[("twelve", "")]["spc_variation"] == "common_cause"
    assert by_id[("flat", "")]["spc_variation"] == "no_variation"
    assert by_id[("quits", "morecambe-bay")]["spc_points"] == "5"


@pytest.mark.slow
def test_show_says_too_few_points_instead_of_a_verdict(data: Path) -> None:
    short = installed(data, "show", "short")
    assert short.exit_code == 0, short.output
    assert "variation and assurance: none yet, too few points for SPC (5 of 12)" in short.stdout
    assert "SPC: 5 points, mean 62, too few points for SPC (5 of 12): no verdict yet." in (
        short.stdout
    )
    assert "Common cause" not in short.stdout and "Inconsistent" not in short.stdout
    twelve = installed(data, "show", "twelve")
    assert "variation: Common cause: no significant change" in twelve.stdout
    assert "assurance: Consistently failing the target" in twelve.stdout
    flat = installed(data, "show", "flat")
    assert "variation: No variation to judge: the values do not vary" in flat.stdout
    assert "mean 5, no variation to judge" in flat.stdout and "special cause" not in flat.stdout
    places = installed(data, "show", "quits")
    bay = next(
        line for line in places.stdout.splitlines() if line.strip().startswith("morecambe-bay")
    )
    assert "5 of 12 points" in bay and "inconsistent" not in bay


@pytest.mark.slow
def test_the_report_gives_no_icon_verdict_below_12_points(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    ran = installed(data, "report", "--output", str(out))
    assert ran.exit_code == 0, ran.output
    html = out.read_text("utf-8")
    short = html[html.index("Short series") :]
    short = short[: short.index('class="verdict"') + 200]
    assert "<strong>Variation</strong>: Too few points for SPC (5 of 12)" in short
    assert "<strong>Assurance</strong>: Too few points for SPC (5 of 12)" in short
    assert short.count("<title>Too few points for SPC (5 of 12)</title>") == 2  # both icons
    assert "<title>No data</title>" not in short
    assert "No variation to judge" in html  # the flat series' icon label


@pytest.mark.slow
def test_lsc_spc_still_computes_marks_and_warns(data: Path) -> None:
    ran = installed(data, "spc", "short", "--format", "json")
    assert ran.exit_code == 0, ran.output
    chart = json.loads(ran.stdout)
    assert (chart["points_in_group"], chart["enough_points"], chart["min_points"]) == (5, False, 12)
    assert chart["groups"][0]["upl"] is not None  # limits computed all the same
    assert chart["variation"] == "common_cause" and chart["assurance"] == "consistent_fail"
    assert ran.stderr == "warning: too few points for SPC (5 of 12): limits are indicative only\n"
    table = installed(data, "spc", "short")
    assert table.exit_code == 0 and table.stderr == ""
    assert table.stdout.rstrip().endswith(
        "warning: too few points for SPC (5 of 12): limits are indicative only"
    )
    enough = installed(data, "spc", "twelve", "--format", "json")
    assert json.loads(enough.stdout)["enough_points"] is True and enough.stderr == ""
    bay = installed(data, "spc", "quits", "--place", "morecambe-bay", "--format", "json")
    assert json.loads(bay.stdout)["points_in_group"] == 5 and "(5 of 12)" in bay.stderr


@pytest.mark.slow
def test_lsc_spc_on_twos_and_a_flat_series(data: Path) -> None:
    twos = json.loads(installed(data, "spc", "twos", "--format", "json").stdout)
    (group,) = twos["groups"]
    assert (group["lpl"], group["upl"]) == (1.301333, 2.365333)
    special = [p for p in twos["points"] if p["type"] != "common_cause"]
    assert special == [
        {
            "date": "2019-09-28",
            "value": 1.0,
            "group": 0,
            "type": "special_cause_concern",
            "rule": "outside",
            "provisional": False,
        }
    ]
    flat = installed(data, "spc", "flat", "--format", "json")
    chart = json.loads(flat.stdout)
    assert {p["type"] for p in chart["points"]} == {"common_cause"}
    assert (chart["variation"], chart["assurance"]) == ("no_variation", None)
    assert chart["enough_points"] is True and flat.stderr == ""
    text = installed(data, "spc", "flat").stdout
    assert "variation: no_variation: No variation to judge: the values do not vary" in text


@pytest.mark.slow
def test_the_documented_example_runs_and_says_what_docs_spc_says() -> None:
    text = (REPO / "docs/spc.md").read_text("utf-8")
    section = text[text.index("## Too few points") : text.index("## Per-metric options")]
    (block,) = re.findall(r"```console\n(.*?)```", section, flags=re.S)
    commands = [shlex.split(line[2:]) for line in block.splitlines() if line.startswith("$ ")]
    assert [command[0] for command in commands] == ["lsc", "lsc"]
    status, chart = (
        lsc_process(None, *command[1:], command=[LSC], cwd=REPO) for command in commands
    )
    assert status.exit_code == 0, status.output
    row = next(line for line in status.stdout.splitlines() if "virtual-ward-occupancy" in line)
    assert "| too few points for SPC (10 of 12) |" in row
    sickness = next(line for line in status.stdout.splitlines() if "staff-sickness" in line)
    assert "concern" in sickness
    assert chart.exit_code == 0, chart.output
    assert json.loads(chart.stdout)["enough_points"] is False
    assert chart.stderr == (
        "warning: too few points for SPC (10 of 12): limits are indicative only\n"
    )
