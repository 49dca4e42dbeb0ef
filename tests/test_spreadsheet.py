"""Excel workbooks: `lsc status --format xlsx` read back with openpyxl, and `lsc import` of
.xlsx files, as an analyst and a data owner use them."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from conftest import AS_OF, RECORDING_PLACES, WritePlan, hashes, lsc
from lsc_tracker.import_files import read_xlsx
from lsc_tracker.loader import load
from lsc_tracker.problems import LscError
from lsc_tracker.renderers import render_status
from lsc_tracker.renderers.status_files import CSV_COLUMNS
from lsc_tracker.renderers.workbook import SUMMARY_COLUMNS, status_xlsx_bytes
from lsc_tracker.status import StatusReport, assess
from lsc_tracker.words import STATUS_WORDS

STATUS_LABELS = {status: words.shout for status, words in STATUS_WORDS.items()}
STATUS_COLOURS = {status: (words.fill, words.ink) for status, words in STATUS_WORDS.items()}


PRIORITIES = [  # a title that a spreadsheet would take for a formula
    {"id": "P3", "title": '=HYPERLINK("http://example.com") Resilience'},
    {"id": "P4", "title": "Develop a group model for hospital services"},
]

PLACES = RECORDING_PLACES

METRICS = """\
metrics:
  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
    unit: placements
    baseline: {date: 2019-03-31, value: 120}
    targets: [{by: 2021-03-31, change: -50%}]
  - id: sickness-absence
    priority: P3
    name: "#N/A"
    direction: decrease
    unit: "%"
  - id: icp-plans
    priority: P4
    name: "-Each ICP agrees a health inequalities plan"
    kind: milestone
    due: 2020-04-30
    places: [fylde-coast, morecambe-bay]
"""

ACTUALS = """\
- {metric: ooa-placements, date: 2020-05-31, value: 70}
- {metric: icp-plans, date: 2020-04-15, value: done, place: fylde-coast}
"""


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(PRIORITIES, PLACES, METRICS, ACTUALS)


@pytest.fixture
def report(data: Path) -> StatusReport:
    plan, problems = load(data)
    assert problems == []
    return assess(plan, AS_OF)


def opened(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


# --- the status workbook ----------------------------------------------------------------------


def test_the_workbook_has_a_summary_and_a_metrics_sheet_ready_to_filter(
    report: StatusReport,
) -> None:
    book = opened(status_xlsx_bytes(report))
    assert book.sheetnames == ["Summary", "Metrics"]
    summary, metrics = book["Summary"], book["Metrics"]
    assert [c.value for c in summary[1]] == list(SUMMARY_COLUMNS)
    assert [c.value for c in metrics[1]] == list(CSV_COLUMNS)
    for sheet in (summary, metrics):
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions  # the header and every row
        assert all(cell.font.b for cell in sheet[1])
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])
    assert (summary.dimensions, metrics.max_row) == (
        "A1:N3",
        6,
    )  # 2 priorities (4 columns, one per status, as_of); 3 metrics, 2 places
    assert book.properties.title == "Status as of 2020-06-30"


def test_the_summary_has_one_row_per_priority_with_counts_and_a_real_date(
    report: StatusReport,
) -> None:
    summary = opened(status_xlsx_bytes(report))["Summary"]
    p3, p4 = ({SUMMARY_COLUMNS[i]: c for i, c in enumerate(row)} for row in summary.iter_rows(2))
    assert (p4["priority"].value, p4["status"].value) == ("P4", "OVERDUE")
    assert (p4["metrics"].value, p4["overdue"].value, p4["achieved"].value) == (1, 1, 0)
    assert all(p3[s].data_type == "n" for s in ("metrics", "on_track", "no_target"))
    assert p3["as_of"].value == datetime(2020, 6, 30)
    assert p3["as_of"].number_format == "yyyy-mm-dd"
    # a title that Excel would run as a formula comes back as text, apostrophe first
    assert p3["title"].value == '\'=HYPERLINK("http://example.com") Resilience'
    assert p3["title"].data_type == "s"


def test_status_cells_are_coloured_and_say_the_status_in_words(report: StatusReport) -> None:
    book = opened(status_xlsx_bytes(report))
    cells = [row[5] for row in book["Metrics"].iter_rows(2)] + [
        row[2] for row in book["Summary"].iter_rows(2)
    ]
    seen = set()
    for cell in cells:
        status = next(s for s, label in STATUS_LABELS.items() if label == cell.value)
        fill, ink = STATUS_COLOURS[status]
        assert cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb == "00" + fill
        assert cell.font.color.rgb == "00" + ink and cell.font.b
        seen.add(cell.value)
    assert seen == {"ON TRACK", "NO TARGET", "OVERDUE", "ACHIEVED"}


def test_the_metrics_sheet_holds_the_csv_rows_with_real_types(report: StatusReport) -> None:
    out = io.StringIO()
    render_status("csv", report, out)
    expected = list(csv.DictReader(io.StringIO(out.getvalue())))
    metrics = opened(status_xlsx_bytes(report))["Metrics"]
    got = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in metrics.iter_rows(2)]
    assert len(got) == len(expected)
    for sheet_row, csv_row in zip(got, expected, strict=True):
        for column in CSV_COLUMNS:
            cell, text = sheet_row[column], csv_row[column]
            if column == "status":
                assert cell.value == STATUS_LABELS[text]
            elif isinstance(cell.value, datetime):
                assert cell.value.date().isoformat() == text
                assert cell.number_format == "yyyy-mm-dd"
            elif isinstance(cell.value, bool):
                assert str(cell.value).lower() == text
            elif isinstance(cell.value, int | float):
                assert float(text) == cell.value
            else:
                assert (cell.value or "") == text, column
    ooa, waits, icp, fylde, _ = got
    assert (ooa["latest_value"].value, ooa["latest_value"].data_type) == (70, "n")
    assert ooa["latest_date"].value == datetime(2020, 5, 31)
    assert (icp["days_to_deadline"].value, icp["days_to_deadline"].data_type) == (-61, "n")
    assert (fylde["place"].value, fylde["target_value"].value) == ("fylde-coast", "done")
    # text never becomes a formula or an error value; numbers are never neutralised
    assert (waits["name"].value, waits["name"].data_type) == ("#N/A", "s")
    assert icp["name"].value == "'-Each ICP agrees a health inequalities plan"


def test_the_same_report_gives_the_same_bytes(report: StatusReport) -> None:
    first = status_xlsx_bytes(report)
    assert status_xlsx_bytes(report) == first
    stamps = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert stamps == {(2020, 6, 30, 0, 0, 0)}


def test_lsc_status_writes_the_workbook_to_output(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "status.xlsx"
    result = lsc(data, "status", "--as-of", "2020-06-30", "--format", "xlsx", "--output", str(path))
    assert result.exit_code == 0, result.output
    assert (result.stdout, result.stderr) == ("", f"status written to {path}\n")
    assert load_workbook(path).sheetnames == ["Summary", "Metrics"]
    failing = lsc(
        data,
        "status",
        "--as-of",
        "2020-06-30",
        "-f",
        "xlsx",
        "-o",
        str(path),
        "--fail-on",
        "overdue",
    )
    assert failing.exit_code == 1  # written, and the --fail-on hit still reported
    assert failing.stderr.splitlines() == [
        f"status written to {path}",
        "status: failing: 1 metric overdue, and 1 place row overdue",
    ]


@pytest.mark.parametrize("output", [[], ["--output", "-"]])
def test_xlsx_without_an_output_file_is_a_usage_error(data: Path, output: list[str]) -> None:
    result = lsc(data, "status", "--format", "xlsx", *output)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: --format xlsx writes a binary workbook: give --output FILE.xlsx\n"
    )


def test_output_writes_any_format_to_a_file(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "status.csv"
    shown = lsc(data, "status", "--as-of", "2020-06-30", "-f", "csv")
    written = lsc(data, "status", "--as-of", "2020-06-30", "-f", "csv", "-o", str(path))
    assert (written.exit_code, written.stdout) == (0, "")
    assert path.read_text(encoding="utf-8") == shown.stdout
    nowhere = lsc(data, "status", "-f", "xlsx", "-o", str(tmp_path / "no" / "such" / "x.xlsx"))
    assert nowhere.exit_code == 1
    assert nowhere.stderr.startswith(f"error: cannot write {tmp_path / 'no'}")


def test_commands_other_than_xlsx_do_not_import_openpyxl(data: Path, tmp_path: Path) -> None:
    (tmp_path / "may.csv").write_text("metric,date,value\nooa-placements,2020-06-30,65\n")
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from lsc_tracker.cli import app\n"
        "for args in (['--help'], ['status', '-f', 'csv'], ['import', sys.argv[2], '--dry-run']):\n"
        "    result = CliRunner().invoke(app, ['--data', sys.argv[1], *args])\n"
        "    assert result.exit_code == 0, result.output\n"
        "assert 'openpyxl' not in sys.modules, 'openpyxl imported'\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(data), str(tmp_path / "may.csv")], check=True, timeout=60
    )


# --- importing a workbook ---------------------------------------------------------------------


def write_book(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "May") -> Path:
    """A workbook whose first sheet holds ``rows`` from A1; a ``(value, format)`` tuple sets a
    number format, and a None row is left blank."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row or (), start=1):
            cell = ws.cell(number, column)
            if isinstance(value, tuple):
                cell.value, cell.number_format = value
            else:
                cell.value = value
    book.save(path)
    return path


def text_cell(path: Path, coordinate: str, text: str) -> None:
    """Store text that starts with '=' as text (as Excel does when it is typed as '=...)."""
    book = load_workbook(path)
    cell = book.worksheets[0][coordinate]
    cell.value = text
    cell.data_type = "s"
    book.save(path)


def test_import_appends_the_rows_of_a_workbook(data: Path, tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "may.xlsx",
        [
            ("metric", "date", "value", "place", "note"),
            ("ooa-placements", date(2020, 6, 30), 65, None, "June return"),
            None,
            ("sickness-absence", datetime(2020, 6, 30), (0.047, "0.0%")),
            ("icp-plans", "2020-05-20", "done", "morecambe-bay", "placeholder"),
        ],
    )
    text_cell(path, "E5", "=signed off at the board")
    result = lsc(data, "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"recorded 3 entries from {path} in {data / 'actuals.yaml'}\n"
    added = load(data)[0].actuals[2:]
    assert [(a.metric, a.date, a.value, a.place, a.note, a.by) for a in added] == [
        ("ooa-placements", date(2020, 6, 30), 65, None, "June return", "amy"),
        ("sickness-absence", date(2020, 6, 30), 4.7, None, None, "amy"),
        (
            "icp-plans",
            date(2020, 5, 20),
            "done",
            "morecambe-bay",
            "=signed off at the board",
            "amy",
        ),
    ]


def test_cells_are_read_as_they_would_be_typed(tmp_path: Path) -> None:
    path = write_book(
        tmp_path / "cells.xlsx",
        [
            (None,),
            ("Metric", "Date", "Value", None, None),
            ("m", datetime(2020, 6, 30, 12, 30), 38.0),
            ("m", "2020-06-30", -3.5, "", "  "),
            ("m", date(2020, 6, 30), (0.5, '0.0"%"')),
            ("m", 44012, True, None, "x"),
        ],
    )
    table = read_xlsx(path)
    assert (table.header, table.header_line) == (["Metric", "Date", "Value"], 2)
    assert [(row.line, row.cells) for row in table.rows] == [
        (3, ["m", "2020-06-30 12:30:00", "38"]),
        (4, ["m", "2020-06-30", "-3.5"]),
        (5, ["m", "2020-06-30", "0.5"]),  # a literal "%" in the format is not a percentage
    ]
    # something right of the header is a problem at its cell
    assert [(p.source.line, p.message) for p in table.problems] == [
        (
            6,
            "cell E6 holds 'x', right of the header's last column (C): clear it, or import it "
            "under a named column",
        )
    ]


def test_the_sheet_named_actuals_is_read_before_the_first(tmp_path: Path) -> None:
    path = write_book(tmp_path / "two.xlsx", [("notes",), ("ignore me",)], sheet="Read me")
    book = load_workbook(path)
    book.create_sheet("Actuals").append(("metric", "date", "value"))
    book["Actuals"].append(("ooa-placements", "2020-06-30", 65))
    book.save(path)
    assert read_xlsx(path).rows[0].cells == ["ooa-placements", "2020-06-30", "65"]


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        (
            [
                ("metric", "date", "value"),
                ("ooa-placements", date(2020, 6, 30), 65),
                None,  # a blank row is skipped, and counted: the bad row is Excel's row 4
                ("ooa-placements", date(2020, 5, 31), "four"),
            ],
            [
                "4: cell C4, column 'value': 'four' is not a value for ooa-placements: expected "
                "a number like 42, -3.5 or 101,000"
            ],
        ),
        (
            [("metric", "date", "value"), ("ooa-placements", "2020-06-30", "=B2*2")],
            [
                "2: cell C2 holds a formula (=B2*2): type the figure, or paste it as values "
                "(Paste Special > Values)"
            ],
        ),
        (
            [("metric", "date", "value"), ("ooa-placements", "2020-06-30", "#N/A")],
            ["2: cell C2 holds the error #N/A: give a figure"],
        ),
        (
            [("metric", "date", "=TODAY()")],
            [
                "1: cell C1 holds a formula (=TODAY()): type the figure, or paste it as values "
                "(Paste Special > Values)"
            ],
        ),
        (
            [("metric", "date", "value"), ("ooa-placements", "06/30/2020", 1)],
            [
                "2: cell B2, column 'date': 06/30/2020 is not a real date read as DD/MM/YYYY "
                "(day 06, month 30): dates with / are read the UK way, never as MM/DD; write "
                "YYYY-MM-DD"
            ],
        ),
        (
            [("metric", "date", "value"), ("ooa-placements", "2020-06-30", 1, "x")],
            [
                "2: cell D2 holds 'x', right of the header's last column (C): clear it, or "
                "import it under a named column"
            ],
        ),
    ],
)
def test_a_refused_workbook_lists_every_bad_row_and_changes_no_file(
    data: Path, tmp_path: Path, rows: list[Any], problems: list[str]
) -> None:
    path = write_book(tmp_path / "bad.xlsx", rows)
    before = hashes(data)
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [f"{path}:{p}" for p in problems]
    assert result.stderr.splitlines()[-1].startswith("error: nothing was imported")
    assert hashes(data) == before


def truncated(path: Path) -> None:
    content = write_book(path, [("metric", "date", "value")]).read_bytes()
    path.write_bytes(content[: len(content) // 2])


def not_a_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "a zip, but not a workbook")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b"metric,date,value\n"), "BadZipFile: File is not a zip file"),
        (truncated, "BadZipFile: File is not a zip file"),
        (not_a_workbook, "KeyError"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_in_one_line(
    data: Path, tmp_path: Path, make: Any, reason: str
) -> None:
    path = tmp_path / "june.xlsx"
    make(path)
    before = hashes(data)
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {path}: not a readable .xlsx workbook ({reason}")
    assert result.stderr.rstrip().endswith("or export it as CSV UTF-8")
    assert "Traceback" not in result.output
    assert hashes(data) == before


def test_a_missing_workbook_is_refused_in_one_line(data: Path, tmp_path: Path) -> None:
    result = lsc(data, "import", str(tmp_path / "none.xlsx"))
    assert (result.exit_code, result.stderr) == (
        1,
        f"error: {tmp_path / 'none.xlsx'}: file not found\n",
    )


@pytest.mark.parametrize("kind", ["fifo", "directory", "missing"])
def test_an_xlsx_to_import_that_is_not_a_regular_file_is_refused_unopened(
    tmp_path: Path, kind: str
) -> None:
    """A named pipe would hang openpyxl for ever: it is refused before anything opens it."""
    import os

    path = tmp_path / "return.xlsx"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    expected = {
        "fifo": "not a regular file: it is a named pipe (FIFO)",
        "directory": "is a directory",
        "missing": "file not found",
    }[kind]
    with pytest.raises(LscError, match=re.escape(f"return.xlsx: {expected}")):
        read_xlsx(path, "return.xlsx")


# --- Excel as it is used (issue 16, part 4) ---------------------------------------------------


def digests(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in directory.iterdir()
        if p.name != ".actuals.yaml.lock"
    }


def test_a_uk_csv_with_dd_mm_yyyy_and_empty_trailing_columns_imports(
    data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "july.csv"  # as Excel saves it in a UK locale
    path.write_text(
        "metric,date,value,,\r\n"
        "ooa-placements,31/07/2020,38,,\r\n"
        "ooa-placements,1/6/2020,39,,\r\n"
        "sickness-absence,31/07/2020,4.7%\r\n",  # a row that leaves out the empty cells
        encoding="utf-8",
    )
    result = lsc(data, "import", str(path))
    assert result.exit_code == 0, result.stderr
    text = (data / "actuals.yaml").read_text()
    assert '"date": "2020-07-31", "value": 38' in text
    assert '"date": "2020-06-01", "value": 39' in text


@pytest.mark.parametrize(
    ("date_text", "message"),
    [
        ("07/31/2020", "07/31/2020 is not a real date read as DD/MM/YYYY (day 07, month 31)"),
        ("31/02/2020", "31/02/2020 is not a real date read as DD/MM/YYYY (day 31, month 02)"),
        ("31-07-2020", "expected a date as YYYY-MM-DD"),
        ("31/07/20", "expected a date as YYYY-MM-DD"),
    ],
)
def test_a_date_never_read_as_mm_dd_is_refused(
    data: Path, tmp_path: Path, date_text: str, message: str
) -> None:
    path = tmp_path / "july.csv"
    path.write_text(f"metric,date,value\nooa-placements,{date_text},38\n", encoding="utf-8")
    before = digests(data)
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:2: column 'date': {message}" in result.stderr
    assert digests(data) == before


def test_an_unnamed_column_with_something_in_it_is_still_refused(
    data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "july.csv"
    path.write_text("metric,date,value,\nooa-placements,2020-07-31,38,x\n", encoding="utf-8")
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:1: column 4 of the header is empty" in result.stderr


def test_extra_columns_are_refused_naming_the_option_and_ignored_with_it(
    data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "july.csv"
    path.write_text(
        "metric,date,value,comments,Checked by\nooa-placements,2020-07-31,38,fine,Sam\n",
        encoding="utf-8",
    )
    before = digests(data)
    refused = lsc(data, "import", str(path))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[:2] == [
        f"{path}:1: unknown column 'comments'; the columns are metric, date, value, place, "
        "note, by, status, source; to import without it, add --ignore-columns 'comments'",
        f"{path}:1: unknown column 'Checked by'; the columns are metric, date, value, place, "
        "note, by, status, source; to import without it, add --ignore-columns 'Checked by'",
    ]
    assert digests(data) == before
    partly = lsc(data, "import", str(path), "--ignore-columns", "comments")
    assert partly.exit_code == 1 and "'Checked by'" in partly.stderr
    done = lsc(data, "import", str(path), "--ignore-columns", "Comments, checked by")
    assert done.exit_code == 0, done.stderr
    assert "fine" not in (data / "actuals.yaml").read_text()


def test_ignore_columns_cannot_leave_out_a_column_import_reads(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "july.csv"
    path.write_text("metric,date,value\nooa-placements,2020-07-31,38\n", encoding="utf-8")
    result = lsc(data, "import", str(path), "--ignore-columns", "note")
    assert result.exit_code == 2
    assert "--ignore-columns cannot leave out note" in result.stderr


def cover_and_figures(path: Path, when: Any) -> Path:
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover["A1"] = "July return, Blackpool"
    figures = book.create_sheet("Figures")
    figures.append(["metric", "date", "value"])
    figures.append(["ooa-placements", when, 38])
    figures["B2"].number_format = "dd/mm/yyyy"
    book.save(path)
    return path


def test_sheet_picks_the_sheet_and_the_default_says_which_was_read(
    data: Path, tmp_path: Path
) -> None:
    path = cover_and_figures(tmp_path / "july.xlsx", datetime(2020, 7, 31, 0, 0))
    before = digests(data)
    default = lsc(data, "import", str(path))
    assert default.exit_code == 1
    assert (
        "(this is sheet 'Cover'; to read another, give --sheet NAME: 'Figures')"
        in default.stderr.splitlines()[0]
    )
    wrong = lsc(data, "import", str(path), "--sheet", "Figurs")
    assert wrong.exit_code == 1
    assert wrong.stderr == (
        f"error: {path}: no sheet named 'Figurs' (did you mean 'Figures'?); its sheets are "
        "'Cover', 'Figures'\n"
    )
    assert digests(data) == before
    for name in ("Figures", "figures"):
        dry = lsc(data, "import", str(path), "--sheet", name, "--dry-run")
        assert dry.exit_code == 0, dry.stderr
        assert '"date": "2020-07-31", "value": 38' in dry.stdout
    csv_file = tmp_path / "july.csv"
    csv_file.write_text("metric,date,value\n", encoding="utf-8")
    on_csv = lsc(data, "import", str(csv_file), "--sheet", "Figures")
    assert on_csv.exit_code == 1 and "--sheet is for a workbook (.xlsx)" in on_csv.stderr


@pytest.mark.parametrize(
    ("when", "stored"),
    [
        (datetime(2020, 7, 31, 0, 0), "2020-07-31"),
        (datetime(2020, 7, 31, 0, 0, 0, 400_000), "2020-07-31"),  # a day's fraction, rounded
        (datetime(2020, 7, 30, 23, 59, 59, 600_000), "2020-07-31"),
    ],
)
def test_a_date_cell_at_midnight_is_a_date(
    data: Path, tmp_path: Path, when: datetime, stored: str
) -> None:
    table = read_xlsx(cover_and_figures(tmp_path / "july.xlsx", when), "july.xlsx", "Figures")
    assert table.rows[0].cells[1] == stored


def test_a_date_cell_with_a_time_of_day_is_refused(data: Path, tmp_path: Path) -> None:
    path = cover_and_figures(tmp_path / "july.xlsx", datetime(2020, 7, 31, 14, 30))
    result = lsc(data, "import", str(path), "--sheet", "Figures")
    assert result.exit_code == 1
    assert "cell B2, column 'date'" in result.stderr and "2020-07-31 14:30:00" in result.stderr
