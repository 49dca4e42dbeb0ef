"""Provisional and final figures, and the source of a figure (issue 18, part 2): recording and
importing them, the log's line, ``lsc check``, ``lsc history``, and every status view."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import (
    RECORDING_METRICS,
    RECORDING_PLACES,
    RECORDING_PRIORITIES,
    WritePlan,
    hashes,
    lsc,
)
from lsc_tracker.loader import load

ACTUALS = """\
- {metric: ooa-placements, date: 2020-04-30, value: 80, by: jo}
- {metric: icp-plans, date: 2020-03-20, value: done, place: fylde-coast, by: jo}
"""


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS)


def log_lines(data: Path) -> list[str]:
    return (data / "actuals.yaml").read_text(encoding="utf-8").splitlines()


def record(data: Path, *args: str) -> tuple[int, str, str]:
    ran = lsc(data, "record", "ooa-placements", *args)
    return ran.exit_code, ran.stdout, ran.stderr


# --- recording ------------------------------------------------------------------------------


def test_record_provisional_with_a_source_writes_both_and_check_passes(data: Path) -> None:
    code, out, err = record(data, "70", "--date", "2020-05-31", "--provisional", "--source", "SUS")
    assert code == 0, err
    line = log_lines(data)[-1]
    assert line.startswith('- {"metric": "ooa-placements", "date": "2020-05-31", "value": 70')
    assert line.endswith(', "provisional": true, "source": "SUS"}')
    assert out.splitlines()[0] == line
    assert lsc(data, "check").exit_code == 0
    [entry] = [a for a in load(data)[0].actuals if a.date.isoformat() == "2020-05-31"]
    assert (entry.provisional, entry.source) == (True, "SUS")


def test_a_final_figure_confirms_a_provisional_one_without_replace(data: Path) -> None:
    assert record(data, "70", "--date", "2020-05-31", "--provisional")[0] == 0
    code, _, err = record(data, "72", "--date", "2020-05-31", "--source", "MHSDS")
    assert code == 0, err
    line = log_lines(data)[-1]
    assert '"replaces": true' in line and "provisional" not in line
    assert '"source": "MHSDS"' in line
    # now final: a further correction is an ordinary one, which needs --replace
    code, _, err = record(data, "73", "--date", "2020-05-31")
    assert code == 1
    assert "is already recorded as 72 by amy" in err and "add --replace" in err


def test_a_second_provisional_figure_needs_replace(data: Path) -> None:
    assert record(data, "70", "--date", "2020-05-31", "--provisional")[0] == 0
    before = hashes(data)
    code, _, err = record(data, "71", "--date", "2020-05-31", "--provisional")
    assert code == 1
    assert err == (
        "error: ooa-placements on 2020-05-31 is already recorded as 70 (provisional) by amy "
        "(actuals.yaml line 3): add --replace to correct it (a revised provisional figure)\n"
    )
    assert hashes(data) == before
    code, _, err = record(data, "71", "--date", "2020-05-31", "--provisional", "--replace")
    assert code == 0, err
    assert log_lines(data)[-1].endswith('"replaces": true, "provisional": true}')


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--void", "--date", "2020-04-30", "--reason", "x", "--provisional"], 2, "--provisional"),
        (["--void", "--date", "2020-04-30", "--reason", "x", "--source", "SUS"], 2, "--source"),
        (["5", "--date", "2020-05-31", "--source", "  "], 1, "source: give the name"),
    ],
)
def test_options_that_do_not_fit_are_refused_and_nothing_changes(
    data: Path, args: list[str], code: int, message: str
) -> None:
    before = hashes(data)
    got, _, err = record(data, *args)
    assert got == code
    assert message in err
    assert hashes(data) == before


def test_hand_written_and_tool_written_provisional_entries_load_alike(
    write_plan: WritePlan,
) -> None:
    hand = (
        "- {metric: ooa-placements, date: 2020-05-31, value: 70, provisional: true, source: SUS}\n"
    )
    tool = (
        '- {"metric": "ooa-placements", "date": "2020-05-31", "value": 70, '
        '"provisional": true, "source": "SUS"}\n'
    )
    loaded = []
    for text in (hand, tool):
        data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, text)
        plan, problems = load(data)
        assert problems == []
        loaded.append(plan.actuals)
    assert loaded[0] == loaded[1]
    assert loaded[0][0].provisional and loaded[0][0].source == "SUS"


def test_check_refuses_a_provisional_void(write_plan: WritePlan) -> None:
    text = (
        "- {metric: ooa-placements, date: 2020-05-31, value: 70}\n"
        "- {metric: ooa-placements, date: 2020-05-31, void: true, note: x, provisional: true}\n"
    )
    data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, text)
    result = lsc(data, "check")
    assert result.exit_code == 1
    assert "a void entry has no figure to be provisional" in result.stdout


# --- import ---------------------------------------------------------------------------------


def test_import_reads_the_status_and_source_columns(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "may.csv"
    path.write_text(
        "metric,date,value,status,source\n"
        "ooa-placements,2020-05-31,70,Provisional,SUS\n"
        "sickness-absence,2020-05-31,4.5,final,ESR\n"
        "ooa-placements,2020-06-30,66,,\n"
    )
    result = lsc(data, "import", str(path))
    assert result.exit_code == 0, result.stderr
    entries = {(a.metric, a.date.isoformat()): a for a in load(data)[0].actuals}
    may = entries[("ooa-placements", "2020-05-31")]
    assert (may.provisional, may.source) == (True, "SUS")
    assert (entries[("sickness-absence", "2020-05-31")].provisional,) == (False,)
    assert entries[("sickness-absence", "2020-05-31")].source == "ESR"
    assert entries[("ooa-placements", "2020-06-30")].source is None
    # next month's return confirms May: a final row for it needs no --replace
    path.write_text("metric,date,value,status\nooa-placements,2020-05-31,71,final\n")
    result = lsc(data, "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "replaced: ooa-placements on 2020-05-31: 71 replaces 70" in result.stderr
    assert log_lines(data)[-1].endswith('"replaces": true}')


def test_import_refuses_an_unknown_status_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "may.csv"
    path.write_text("metric,date,value,status\nooa-placements,2020-05-31,70,draft\n")
    before = hashes(data)
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:2: column 'status': expected provisional or final (or nothing, for final), "
        "got 'draft'"
    )
    assert hashes(data) == before


# --- history --------------------------------------------------------------------------------


def test_history_shows_p_and_the_source(data: Path) -> None:
    record(data, "70", "--date", "2020-05-31", "--provisional", "--source", "SUS")
    table = lsc(data, "history", "ooa-placements")
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "line",
        "date",
        "value",
        "by",
        "recorded",
        "(UTC)",
        "source",
        "note",
    ]
    assert lines[1].split()[:4] == ["1", "2020-04-30", "80", "jo"]
    assert lines[2].split()[:5] == ["3", "2020-05-31", "70", "P", "amy"]
    assert lines[2].split()[-1] == "SUS"
    rows = json.loads(lsc(data, "history", "ooa-placements", "-f", "json").stdout)
    assert [(r["provisional"], r["source"]) for r in rows] == [(False, None), (True, "SUS")]
    found = list(
        csv.DictReader(io.StringIO(lsc(data, "history", "ooa-placements", "-f", "csv").stdout))
    )
    assert [(r["provisional"], r["source"]) for r in found] == [("false", ""), ("true", "SUS")]


# --- every view -----------------------------------------------------------------------------

VIEW_METRICS = [
    {"id": "waits", "priority": "P3", "name": "People waiting", "direction": "decrease",
     "unit": "people", "cadence": "monthly", "targets": [{"by": "2021-03-31", "value": 10}]},
    {"id": "quits", "priority": "P4", "name": "Smoking quits", "direction": "increase",
     "cadence": "monthly", "places": ["fylde-coast", "morecambe-bay"],
     "targets": [{"by": "2021-03-31", "value": 50}]},
]  # fmt: skip

VIEW_LOG = """\
- {metric: waits, date: 2020-04-30, value: 40}
- {metric: waits, date: 2020-05-31, value: 38, provisional: true, source: SUS}
- {metric: quits, date: 2020-05-31, value: 12, place: fylde-coast}
- {metric: quits, date: 2020-05-31, value: 14, place: morecambe-bay, provisional: true}
"""


@pytest.fixture
def views(write_plan: WritePlan) -> Path:
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, VIEW_METRICS, VIEW_LOG)


def status(data: Path, *args: str) -> str:
    ran = lsc(data, "status", "--as-of", "2020-06-30", *args)
    assert ran.exit_code == 0, ran.stderr
    return ran.stdout


def test_status_json_marks_a_provisional_latest_value(views: Path) -> None:
    report = json.loads(status(views, "--format", "json"))
    metrics = {m["id"]: m for m in report["metrics"]}
    assert (metrics["waits"]["provisional"], metrics["waits"]["source"]) == (True, "SUS")
    assert metrics["waits"]["latest"] == {"date": "2020-05-31", "value": 38}
    # a metric tracked by place: provisional when any place's latest value is
    assert metrics["quits"]["provisional"] is True
    places = {p["place"]: p["provisional"] for p in metrics["quits"]["places"]}
    assert places == {"fylde-coast": False, "morecambe-bay": True}


def test_a_confirmed_value_is_no_longer_provisional(views: Path) -> None:
    ran = lsc(views, "record", "waits", "37", "--date", "2020-05-31", "--by", "jo")
    assert ran.exit_code == 0, ran.stderr
    assert "latest 37 on 2020-05-31" in ran.stdout
    waits = json.loads(status(views, "--format", "json"))["metrics"][0]
    assert (waits["provisional"], waits["latest"]["value"]) == (False, 37)


def test_record_says_the_new_value_is_provisional(views: Path) -> None:
    ran = lsc(views, "record", "waits", "36", "--date", "2020-06-30", "--provisional")
    assert ran.exit_code == 0, ran.stderr
    assert "latest 36 P on 2020-06-30" in ran.stdout


def test_the_table_puts_p_beside_the_value_and_explains_it(views: Path) -> None:
    out = status(views)
    assert "38 P" in out and "14 P" in out
    assert "12 P" not in out and "\n12\n" not in out  # fylde-coast's value is final
    assert "P: provisional figure, to be confirmed (2 latest values are provisional)." in out


def test_lsc_spc_marks_each_provisional_point(views: Path) -> None:
    table = lsc(views, "spc", "waits", "--as-of", "2020-06-30")
    assert table.exit_code == 0, table.stderr
    rows = {line.split()[0]: line for line in table.stdout.splitlines() if line[:4] == "2020"}
    assert "38 P" in rows["2020-05-31"] and " P " not in rows["2020-04-30"]
    assert "P: provisional figure, to be confirmed" in table.stdout
    ran = lsc(
        views, "spc", "quits", "--place", "morecambe-bay", "--as-of", "2020-06-30", "-f", "json"
    )
    assert ran.exit_code == 0, ran.stderr
    assert [(p["date"], p["provisional"]) for p in json.loads(ran.stdout)["points"]] == [
        ("2020-05-31", True)
    ]
    confirmed = lsc(views, "record", "waits", "37", "--date", "2020-05-31", "--by", "jo")
    assert confirmed.exit_code == 0, confirmed.stderr
    after = lsc(views, "spc", "waits", "--as-of", "2020-06-30", "--format", "json")
    assert [p["provisional"] for p in json.loads(after.stdout)["points"]] == [False, False]


def test_markdown_and_csv_mark_it(views: Path) -> None:
    markdown = status(views, "--format", "markdown")
    waits = next(line for line in markdown.splitlines() if "| waits |" in line)
    assert "| 38 P |" in waits and waits.rstrip().endswith("| SUS |")
    assert "P: provisional figure, to be confirmed" in markdown
    found = list(csv.DictReader(io.StringIO(status(views, "--format", "csv"))))
    marked = {(r["metric"], r["place"]): (r["provisional"], r["source"]) for r in found}
    assert marked[("waits", "")] == ("true", "SUS")
    assert marked[("quits", "morecambe-bay")] == ("true", "")
    assert marked[("quits", "fylde-coast")] == ("false", "")
    assert {r["latest_value"] for r in found if r["metric"] == "waits"} == {"38.0"}  # a number


def test_csv_has_no_provisional_columns_when_nothing_is(write_plan: WritePlan) -> None:
    data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, VIEW_METRICS, VIEW_LOG[:46])
    header = status(data, "--format", "csv").splitlines()[0].split(",")
    assert "provisional" not in header and "source" not in header


def test_the_workbook_keeps_the_number_and_shows_the_p(views: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "status.xlsx"
    status(views, "--output", str(path), "--quiet")
    sheet = load_workbook(path)["Metrics"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell for cell in row), strict=True)) for row in sheet.iter_rows(2)]
    waits = next(r for r in rows if r["metric"].value == "waits")
    assert waits["latest_value"].value == 38
    assert waits["latest_value"].number_format == 'General" P"'
    assert waits["provisional"].value is True
    fylde = next(r for r in rows if r["place"].value == "fylde-coast")
    assert fylde["latest_value"].number_format == "General"


def test_show_marks_the_latest_value_and_the_history(views: Path) -> None:
    ran = lsc(views, "show", "waits", "--as-of", "2020-06-30")
    assert ran.exit_code == 0, ran.stderr
    assert "latest 38 P on 2020-05-31" in ran.stdout
    assert "38 P" in ran.stdout.split("History", 1)[1]
    assert ran.stdout.rstrip().endswith("P: provisional figure, to be confirmed")
    places = lsc(views, "show", "quits", "--as-of", "2020-06-30")
    assert "14 P" in places.stdout and "P: provisional figure, to be confirmed" in places.stdout
    final = lsc(views, "show", "quits", "--place", "fylde-coast", "--as-of", "2020-06-30")
    assert "provisional" not in final.stdout


def test_the_report_marks_the_value_and_has_the_footnote(views: Path, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    ran = lsc(views, "report", "--as-of", "2020-06-30", "--output", str(path))
    assert ran.exit_code == 0, ran.stderr
    html = path.read_text(encoding="utf-8")
    mark = '<abbr class="provisional" title="P: provisional figure, to be confirmed">P</abbr>'
    assert f"<strong>38</strong> {mark} on 2020-05-31 (source: SUS)" in html
    assert f"<strong>14</strong> {mark} on 2020-05-31" in html
    assert f"<td>38 {mark} <span" in html  # the exceptions table
    assert "<strong>12</strong> on 2020-05-31" in html
    note = '<p class="note" id="provisional-note">P: provisional figure, to be confirmed.</p>'
    assert note in html
    # each chart marks its provisional point with a P above it, and its key says what P is
    assert (
        len(re.findall(r"<text style=\"font-weight: 700; font-size: 7px;[^>]*>P</text>", html)) == 2
    )
    assert html.count("provisional figure, to be confirmed</span>") == 2


# --- lsc status --missing -------------------------------------------------------------------

MISSING_LOG = """\
- {metric: waits, date: 2020-04-30, value: 40, provisional: true, by: jo, source: SUS}
- {metric: waits, date: 2020-05-31, value: 38, provisional: true}
- {metric: waits, date: 2020-06-30, value: 37, provisional: true}
- {metric: quits, date: 2020-05-31, value: 12, place: fylde-coast, provisional: true}
- {metric: quits, date: 2020-05-31, value: 13, place: fylde-coast, replaces: true}
- {metric: quits, date: 2020-05-31, value: 14, place: morecambe-bay, provisional: true}
"""


@pytest.fixture
def missing(write_plan: WritePlan) -> Path:
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, VIEW_METRICS, MISSING_LOG)


def test_missing_lists_provisional_values_older_than_a_period(missing: Path) -> None:
    """June's return: June's own provisional figure is fine for now; April's and May's (a
    period old) are to be confirmed; fylde-coast's May figure was confirmed."""
    ran = lsc(missing, "status", "--missing", "--period", "2020-06")
    assert ran.exit_code == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == "outstanding for June 2020, 2020/21 Q1 (2020-06-30): 2 of 3 expected values"
    start = lines.index("provisional, to be confirmed: 3 provisional values older than a period")
    assert [line.split() for line in lines[start + 1 :]] == [
        ["metric", "place", "date", "value", "by", "source"],
        ["waits", "2020-04-30", "40", "jo", "SUS"],
        ["waits", "2020-05-31", "38"],
        ["quits", "morecambe-bay", "2020-05-31", "14"],
    ]
    # a month earlier, May's figures are not a period old yet
    may = lsc(missing, "status", "--missing", "--period", "2020-05").stdout
    assert "1 provisional value older than a period" in may  # April's


def test_missing_json_and_csv_list_what_is_to_be_confirmed(missing: Path) -> None:
    args = ("status", "--missing", "--period", "2020-06", "--place", "morecambe-bay")
    found = json.loads(lsc(missing, *args, "-f", "json").stdout)
    assert found["to_confirm"] == [
        {
            "metric": "quits",
            "place": "morecambe-bay",
            "date": "2020-05-31",
            "name": "Smoking quits",
            "owner": None,
            "last_value": "14",
            "last_date": "2020-05-31",
            "state": "provisional, to be confirmed",
            "by": None,
            "source": None,
        }
    ]
    rows = list(csv.reader(io.StringIO(lsc(missing, *args, "-f", "csv").stdout)))
    assert rows[0][-1] == "state"
    assert [(row[0], row[1], row[-1]) for row in rows[1:]] == [
        ("quits", "morecambe-bay", "missing"),
        ("quits", "morecambe-bay", "provisional, to be confirmed"),
    ]
    none = json.loads(lsc(missing, "status", "--missing", "--period", "2020-06", "--priority",
                          "P3", "--place", "fylde-coast", "-f", "json").stdout)  # fmt: skip
    assert none["to_confirm"] == []
