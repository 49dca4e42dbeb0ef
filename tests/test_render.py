"""Every format of the status report shows the same rows, safely, as a reader would want."""

from __future__ import annotations

import csv
import io
import json
import textwrap

import pytest

from conftest import AS_OF, WritePlan
from lsc_tracker.loader import load
from lsc_tracker.renderers import render_status
from lsc_tracker.renderers.status_files import CSV_COLUMNS, markdown_escape, spreadsheet_safe
from lsc_tracker.renderers.status_table import render_table
from lsc_tracker.status import StatusReport, assess, select

METRICS = """\
metrics:
  - id: ooa
    priority: P3
    name: Out of area placements
    direction: decrease
    unit: placements
    cadence: monthly
    baseline: {date: 2019-03-31, value: 100}
    targets:
      - {by: 2020-03-31, value: 80}
      - {by: 2020-09-30, value: 70}
      - {by: 2021-03-31, change: -50%}
  - id: waits
    priority: P3
    name: "=HYPERLINK(\\"x\\") | waits"
    direction: decrease
    targets: [{by: 2020-03-31, value: 0}]
  - id: open
    priority: P3
    name: Inappropriate admissions
    direction: decrease
  - id: icp-plans
    priority: P4
    name: ICP plans
    kind: milestone
    due: 2020-03-31
    places: [fylde-coast, morecambe-bay]
"""

ACTUALS = """\
- {metric: ooa, date: 2020-04-30, value: 80}
- {metric: waits, date: 2020-05-31, value: 3}
- {metric: icp-plans, date: 2020-04-15, value: done, place: fylde-coast}
"""


@pytest.fixture
def report(write_plan: WritePlan) -> StatusReport:
    plan, problems = load(write_plan(metrics=METRICS, actuals=ACTUALS))
    assert problems == []
    return assess(plan, AS_OF)


def rendered(fmt: str, report: StatusReport) -> str:
    out = io.StringIO()
    render_status(fmt, report, out)
    return out.getvalue()


def test_spreadsheet_safe_neutralises_formula_starts_only() -> None:
    for risky in ("=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"):
        assert spreadsheet_safe(risky) == "'" + risky
    for plain in ("Out of area", "", "1-2", "'quoted"):
        assert spreadsheet_safe(plain) == plain


def test_json_has_the_documented_shape(report: StatusReport) -> None:
    data = json.loads(rendered("json", report))
    assert data["as_of"] == "2020-06-30"
    assert data["priorities"][0] == {
        "id": "P3",
        "title": "Strengthen the resilience and mental health of people and communities",
        "status": "overdue",
        "counts": {"overdue": 1, "off_track": 1, "no_target": 1},
    }
    ooa, waits, open_, icp = data["metrics"]
    documented = {"id", "priority", "kind", "status", "stale", "late", "latest", "expected"}
    assert documented | {"target", "places"} <= set(ooa)
    assert ooa["latest"] == {"date": "2020-04-30", "value": 80.0}
    assert ooa["expected"] == 78.360656  # 80 - 10 x 30/183, to 6 decimals, still a number
    assert ooa["target"] == {"by": "2020-09-30", "value": 70.0}
    assert (ooa["status"], ooa["stale"], ooa["places"]) == ("off_track", True, [])
    assert waits["target"] == {"by": "2020-03-31", "value": 0.0}  # the last, all being past
    assert waits["days_to_deadline"] == -91
    assert (open_["status"], open_["target"], open_["expected"]) == ("no_target", None, None)
    assert icp["latest"] is None and icp["target"] is None and icp["due"] == "2020-03-31"
    assert [(p["place"], p["status"], p["late"]) for p in icp["places"]] == [
        ("fylde-coast", "achieved", True),
        ("morecambe-bay", "overdue", False),
    ]
    assert icp["places"][0]["latest"] == {"date": "2020-04-15", "value": "done"}
    assert data["summary"]["counts"] == {"overdue": 2, "off_track": 1, "no_target": 1}


def test_csv_reads_back_with_numbers_as_numbers_and_text_made_safe(
    report: StatusReport,
) -> None:
    lines = list(csv.reader(io.StringIO(rendered("csv", report))))
    assert tuple(lines[0]) == CSV_COLUMNS
    rows = [dict(zip(CSV_COLUMNS, line, strict=True)) for line in lines[1:]]
    assert [(r["metric"], r["place"], r["status"]) for r in rows] == [
        ("ooa", "", "off_track"),
        ("waits", "", "overdue"),
        ("open", "", "no_target"),
        ("icp-plans", "", "overdue"),
        ("icp-plans", "fylde-coast", "achieved"),
        ("icp-plans", "morecambe-bay", "overdue"),
    ]
    waits = rows[1]
    assert waits["name"] == '\'=HYPERLINK("x") | waits'
    assert waits["days_to_deadline"] == "-91"  # a number, not neutralised
    assert (waits["latest_value"], waits["latest_date"]) == ("3.0", "2020-05-31")
    assert rows[3]["late"] == "false"  # not every place is done yet
    assert float(rows[0]["expected"]) == 78.360656 and rows[0]["stale"] == "true"
    assert (rows[4]["target_value"], rows[4]["deadline"], rows[4]["late"]) == (
        "done",
        "2020-03-31",
        "true",
    )


def test_markdown_has_a_table_per_priority_and_escapes_pipes(report: StatusReport) -> None:
    text = rendered("markdown", report)
    lines = text.splitlines()
    assert lines[0] == "# Status as of 2020-06-30"
    assert (
        "## P3 Strengthen the resilience and mental health of people and communities: OVERDUE"
        in lines
    )
    assert "## P4 Develop a group model for hospital services: OVERDUE" in lines
    waits = '| OVERDUE | =HYPERLINK("x") \\| waits | waits | 3 | 2020-05-31 | 0 | 0 | 2020-03-31 |'
    # the plan has baselines and stages, so the Baseline and Stages columns follow
    assert waits + " 91 days past |  |  |  |  | 2020: no data |" in lines
    table_rows = [line for line in lines if line.startswith("| ")]
    assert all(line.count(" | ") == 13 for line in table_rows if "\\|" not in line)
    assert "| ACHIEVED (late) | ↳ fylde-coast |  | done | 2020-04-15 |" in text
    assert (
        "| OVERDUE | ICP plans | icp-plans |  |  |  | done | 2020-03-31 | 91 days past |  |" in text
    )
    assert lines[-1] == "3 actuals counted."


def test_markdown_escape() -> None:
    assert markdown_escape("a | b\\c\nd") == "a \\| b\\\\c d"
    assert markdown_escape("<script>alert(1)</script> & co") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    )


def test_table_reads_without_colour_when_piped(report: StatusReport) -> None:
    text = rendered("table", report)
    assert "\x1b[" not in text
    assert "P3 Strengthen the resilience" in text
    assert "OVERDUE: 1 overdue, 1 off track, 1 no target" in text
    for word in ("OFF TRACK", "NO TARGET", "ACHIEVED", "stale", "late", "↳ morecambe-bay"):
        assert word in text
    # days to the deadline: the number over "past", so the metric's name keeps the width
    overdue_line = next(i for i, line in enumerate(text.splitlines()) if line.endswith(" 91"))
    assert text.splitlines()[overdue_line + 1].endswith(" past")
    assert "4 metrics as of 2020-06-30: 2 overdue, 1 off track, 1 no target." in text
    assert "2 of them have a deadline that has passed without being met." in text


def test_flat_formats_leave_out_a_metric_shown_only_to_head_its_places(
    report: StatusReport,
) -> None:
    """--status achieved: the CSV has only achieved rows; the table and JSON keep the overdue
    icp-plans as the heading of its achieved place, and JSON says why it is there."""
    achieved = select(report, statuses=["achieved"])
    table = list(csv.DictReader(io.StringIO(rendered("csv", achieved))))
    assert [(r["metric"], r["place"], r["status"]) for r in table] == [
        ("icp-plans", "fylde-coast", "achieved")
    ]
    (shown,) = json.loads(rendered("json", achieved))["metrics"]
    assert (shown["id"], shown["status"], shown["shown_for_places"]) == (
        "icp-plans",
        "overdue",
        True,
    )
    assert "↳ fylde-coast" in rendered("table", achieved)


def test_table_leaves_out_columns_no_row_has(write_plan: WritePlan) -> None:
    """With no actuals there is no expected value and no SPC: those columns go, everywhere."""
    plan, problems = load(write_plan())
    assert problems == []
    text = rendered("table", assess(plan, AS_OF))
    headers = [line.split() for line in text.splitlines() if line.startswith("Status  ")]
    assert headers and all(h == ["Status", "Metric", "Latest", "Target", "Days"] for h in headers)


def test_table_colour_on_a_terminal_and_none_with_no_color(
    report: StatusReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    render_table(report, out, force_terminal=True)
    assert "\x1b[31mOFF TRACK" in out.getvalue()  # off track in red
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    render_table(report, out, force_terminal=True)
    assert "\x1b[31m" not in out.getvalue() and "\x1b[1;31m" not in out.getvalue()
    assert "OVERDUE" in out.getvalue()


def test_table_respects_width(report: StatusReport) -> None:
    out = io.StringIO()
    render_table(report, out, width=80)
    assert max(len(line) for line in out.getvalue().splitlines()) <= 80


def test_an_empty_view_says_so_in_every_format(report: StatusReport) -> None:
    empty = select(report, statuses=["at_risk"])
    assert "No metrics to show." in rendered("table", empty)
    assert "0 metrics shown (status: at_risk)" in rendered("markdown", empty)
    assert json.loads(rendered("json", empty))["metrics"] == []
    assert rendered("csv", empty).splitlines() == [",".join(CSV_COLUMNS)]


def test_a_plan_with_no_actuals_says_so_plainly(write_plan: WritePlan) -> None:
    plan, _ = load(write_plan(metrics=METRICS))
    text = rendered("table", assess(plan, AS_OF))
    assert textwrap.dedent("No actuals are recorded on or before 2020-06-30") in text
