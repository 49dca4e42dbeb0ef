"""Issue 11, import: hostile CSV and XLSX files given to ``lsc import`` are refused (or read) in
bounded time and memory, with short messages that name the column and, in a workbook, the cell.

The workbooks are written here by small generators (zipfile and hand-written XML), never
committed. Each hostile case runs the real CLI in its own process under a 1 GiB address-space
limit and a time limit: before the fix, each of them ran out of one or the other, or printed a
line as long as the hostile value.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import RECORDING_METRICS, RECORDING_PLACES, RECORDING_PRIORITIES, WritePlan, hashes

MEMORY_LIMIT = 1 << 30
TIME_LIMIT = 20.0
_LAUNCH = (
    "import resource, runpy, sys; limit = int(sys.argv.pop(1)); "
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); "
    "runpy.run_module('lsc_tracker', run_name='__main__', alter_sys=True)"
)


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, "")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float


def lsc_import(data: Path, path: Path, timeout: float = TIME_LIMIT) -> Run:
    """``lsc --data DATA import PATH`` as a real process, under the memory and time limits
    (a run past the time limit fails the test, with what it printed so far)."""
    command = [sys.executable, "-c", _LAUNCH, str(MEMORY_LIMIT), "--data", str(data)]
    start = time.monotonic()
    try:
        done = subprocess.run(
            [*command, "import", str(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env={
                "LSC_USER": "tester",
                "PATH": "/usr/bin:/bin",
                "NO_COLOR": "1",
                **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
            },
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"lsc import {path.name} ran for more than {timeout:.0f} s")
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start)


def assert_refused_in_one_short_line(run: Run, *parts: str) -> None:
    assert run.code == 1, run.stderr[:2000]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr[:2000]
    assert len(lines[0]) < 400, lines[0][:2000]
    assert lines[0].startswith("error: ")
    for part in parts:
        assert part in lines[0]


# --- writing workbooks by hand --------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _content_types(shared: bool) -> str:
    parts = [
        ("/xl/workbook.xml", f"{_XLSX}.sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", f"{_XLSX}.worksheet+xml"),
    ]
    if shared:
        parts.append(("/xl/sharedStrings.xml", f"{_XLSX}.sharedStrings+xml"))
    overrides = "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in parts)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>"
    )


def _relationships(*targets: tuple[str, str]) -> str:
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_DOC_RELS}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(targets, start=1)
    )
    start = f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE_RELS}">'
    return f"{start}{rels}</Relationships>"


def text(coordinate: str, value: str) -> str:
    """One cell holding text inline."""
    return f'<c r="{coordinate}" t="inlineStr"><is><t>{value}</t></is></c>'


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


HEADER = row(1, text("A1", "metric"), text("B1", "date"), text("C1", "value"))
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'
SHEET_END = "</sheetData></worksheet>"


def workbook(path: Path, sheet: Iterable[str], shared: Iterable[str] | None = None) -> Path:
    """An .xlsx whose one sheet ("actuals") is the XML ``sheet`` yields, piece by piece (so a
    huge part is never whole in memory), with a shared-strings part if ``shared`` is given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types(shared is not None))
        archive.writestr("_rels/.rels", _relationships(("officeDocument", "xl/workbook.xml")))
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
            f'xmlns:r="{_DOC_RELS}"><sheets><sheet name="actuals" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        targets = [("worksheet", "worksheets/sheet1.xml")]
        if shared is not None:
            targets.append(("sharedStrings", "sharedStrings.xml"))
        archive.writestr("xl/_rels/workbook.xml.rels", _relationships(*targets))
        for name, pieces in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)):
            if pieces is None:
                continue
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in pieces:
                    part.write(piece.encode("utf-8"))
    return path


def one_huge_cell(path: Path, megabytes: int) -> Path:
    """Row 2's value is one inline string of ``megabytes`` MiB of 'x' (a few hundred KB zipped)."""

    def sheet() -> Iterator[str]:
        yield SHEET_START + HEADER + '<row r="2">' + text("A2", "ooa-placements")
        yield text("B2", "2020-06-30") + '<c r="C2" t="inlineStr"><is><t>'
        chunk = "x" * (1 << 20)
        for _ in range(megabytes):
            yield chunk
        yield "</t></is></c></row>" + SHEET_END

    return workbook(path, sheet())


# --- finding 3: an XLSX bomb -----------------------------------------------------------------


@pytest.mark.slow
def test_a_400_mb_cell_in_a_small_workbook_is_refused_before_it_is_unpacked(
    data: Path, tmp_path: Path
) -> None:
    path = one_huge_cell(tmp_path / "bomb.xlsx", 400)
    assert path.stat().st_size < 1 << 20  # a small file
    before = hashes(data)
    run = lsc_import(data, path)
    assert_refused_in_one_short_line(run, "unpacks to more than 100 MiB")
    assert run.seconds < 10
    assert hashes(data) == before


def test_a_40_mb_cell_is_refused_in_one_short_line(data: Path, tmp_path: Path) -> None:
    path = one_huge_cell(tmp_path / "bomb.xlsx", 40)
    before = hashes(data)
    run = lsc_import(data, path)
    assert_refused_in_one_short_line(run, "holds a text longer than a cell can hold (32,767")
    assert hashes(data) == before


def test_a_cell_longer_than_excel_allows_is_a_problem_quoting_only_its_start(
    data: Path, tmp_path: Path
) -> None:
    """100,000 characters pass the unpacking bound (they could be spelt in that many bytes),
    and are refused once read: the row is a problem, the message short."""
    path = workbook(
        tmp_path / "long.xlsx",
        [
            SHEET_START,
            HEADER,
            row(
                2, text("A2", "ooa-placements"), text("B2", "2020-06-30"), text("C2", "9" * 100_000)
            ),
            SHEET_END,
        ],
    )
    before = hashes(data)
    run = lsc_import(data, path)
    assert run.code == 1
    first, last = run.stderr.splitlines()
    assert first.startswith(
        f"{path}:2: cell C2 holds 100,000 characters, more than a cell can hold (32,767): '999"
    )
    assert len(first) < len(str(path)) + 200
    assert last == "error: nothing was imported: 1 row cannot be recorded"
    assert hashes(data) == before


def test_a_long_csv_value_is_quoted_by_its_start_only(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(f"metric,date,value\nooa-placements,2020-06-30,{'7' * 100_000}\n")
    run = lsc_import(data, path)
    assert run.code == 1
    first = run.stderr.splitlines()[0]
    assert first.startswith(f"{path}:2: column 'value': '7777")
    assert "(100,000 characters) is too long to be a value" in first
    assert len(first) < len(str(path)) + 200


def test_a_zip_member_that_unpacks_to_more_than_it_declares_is_refused(
    data: Path, tmp_path: Path
) -> None:
    """Sizes in a zip are the file's word: one that declares 1 KB for 40 MB is refused too."""
    path = one_huge_cell(tmp_path / "liar.xlsx", 40)
    content = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    real = member.file_size.to_bytes(8, "little")  # zip64: the sizes are in the extra field
    assert content.count(real) >= 1
    content[:] = content.replace(real, (1000).to_bytes(8, "little"))
    path.write_bytes(bytes(content))
    before = hashes(data)
    run = lsc_import(data, path)
    assert_refused_in_one_short_line(run)
    assert hashes(data) == before


# --- finding 4: sheet shapes that spin -------------------------------------------------------


def test_a_row_numbered_999999999_is_refused_at_once(data: Path, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "far.xlsx",
        [SHEET_START, HEADER, row(999_999_999, text("A999999999", "x")), SHEET_END],
    )
    before = hashes(data)
    run = lsc_import(data, path)
    assert_refused_in_one_short_line(
        run, "a row numbered 999,999,999, beyond the last row a sheet can have (1,048,576)"
    )
    assert run.seconds < 10
    assert hashes(data) == before


@pytest.mark.slow
def test_rows_with_an_empty_cell_in_column_xfd_are_read_as_the_cells_they_hold(
    data: Path, tmp_path: Path
) -> None:
    """20,000 rows each with one empty cell in the last column: blank rows, read in a moment;
    the one row of figures among them is imported."""

    def sheet() -> Iterator[str]:
        yield SHEET_START + HEADER
        for number in range(2, 20_002):
            yield f'<row r="{number}"><c r="XFD{number}"/></row>'
        yield row(
            20_002,
            text("A20002", "ooa-placements"),
            text("B20002", "2020-06-30"),
            "<c><v>38</v></c>",
        )
        yield SHEET_END

    path = workbook(tmp_path / "wide.xlsx", sheet())
    run = lsc_import(data, path)
    assert run.code == 0, run.stderr
    assert run.seconds < 10
    assert (
        '"metric": "ooa-placements", "date": "2020-06-30", "value": 38'
        in (data / "actuals.yaml").read_text()
    )


def test_a_cell_past_column_xfd_is_refused(data: Path, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "past.xlsx",
        [SHEET_START, HEADER, row(2, text("XFE2", "x")), SHEET_END],
    )
    run = lsc_import(data, path)
    assert_refused_in_one_short_line(run, "beyond the last column a sheet can have (16,384, XFD)")


# --- finding 14: slow on small files ---------------------------------------------------------


@pytest.mark.slow
def test_five_million_shared_strings_are_refused_quickly(data: Path, tmp_path: Path) -> None:
    def shared() -> Iterator[str]:
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">'
        for _ in range(500):
            yield "<si><t/></si>" * 10_000
        yield "</sst>"

    path = workbook(tmp_path / "strings.xlsx", [SHEET_START, HEADER, SHEET_END], shared())
    assert path.stat().st_size < 1 << 20
    before = hashes(data)
    run = lsc_import(data, path)
    assert_refused_in_one_short_line(run, "more than 1,000,000 different texts")
    assert run.seconds < 10
    assert hashes(data) == before


@pytest.mark.slow
def test_a_csv_header_of_a_million_columns_is_one_problem(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    columns = ",".join(f"c{n}" for n in range(1_000_000))
    path.write_text(f"{columns}\n{columns}\n")
    before = hashes(data)
    run = lsc_import(data, path)
    assert run.code == 1
    assert run.stderr.splitlines() == [
        f"{path}:1: the header has 1,000,000 columns: expected at most 8, named metric, date, "
        "value, place, note, by, status, source",
        "error: nothing was imported",
    ]
    assert run.seconds < 10
    assert hashes(data) == before


def test_at_most_a_thousand_problems_are_listed_and_the_rest_counted(
    data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("metric,date,value\n" + "ooa-placements,2020-06-30,x\n" * 5_000)
    run = lsc_import(data, path)
    assert run.code == 1
    lines = run.stderr.splitlines()
    assert len(lines) == 1_001
    assert lines[0].startswith(f"{path}:2: column 'value': 'x' is not a value")
    assert lines[999].startswith(f"{path}:1001: ")
    assert lines[-1] == (
        "error: nothing was imported: 5,000 rows cannot be recorded (the first 1,000 problems "
        "are listed above; 4,000 more are not shown)"
    )


# --- finding 20: problems name the column, and in a workbook the cell ------------------------


def test_csv_problems_name_the_column(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "july.csv"
    path.write_text(
        "metric,value,date,place\n"
        "ooa-placement,38,2020-07-31,\n"
        "ooa-placements,38,07/31/2020,\n"
        "icp-plans,done,2020-07-20,blackpool\n"
        ",1,2020-07-31,\n"
    )
    run = lsc_import(data, path)
    assert run.code == 1
    assert run.stderr.splitlines()[:-1] == [
        f"{path}:2: column 'metric': unknown metric 'ooa-placement' "
        "(did you mean 'ooa-placements'?)",
        f"{path}:3: column 'date': 07/31/2020 is not a real date read as DD/MM/YYYY (day 07, "
        "month 31): dates with / are read the UK way, never as MM/DD; write YYYY-MM-DD",
        f"{path}:4: column 'place': unknown place 'blackpool' (see 'lsc list places')",
        f"{path}:5: column 'metric': no metric given",
    ]


def test_xlsx_problems_name_the_cell_and_its_column(data: Path, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "july.xlsx",
        [
            SHEET_START,
            row(3, text("A3", "metric"), text("B3", "date"), text("C3", "value")),
            row(4, text("A4", "ooa-placements"), text("B4", "2020-07-31"), text("C4", "lots")),
            row(
                7, text("A7", "ooa-placements"), text("B7", "07/31/2020"), '<c r="C7"><v>5</v></c>'
            ),
            SHEET_END,
        ],
    )
    run = lsc_import(data, path)
    assert run.code == 1
    assert run.stderr.splitlines() == [
        f"{path}:4: cell C4, column 'value': 'lots' is not a value for ooa-placements: "
        "expected a number like 42, -3.5 or 101,000",
        f"{path}:7: cell B7, column 'date': 07/31/2020 is not a real date read as DD/MM/YYYY "
        "(day 07, month 31): dates with / are read the UK way, never as MM/DD; write YYYY-MM-DD",
        "error: nothing was imported: 2 rows cannot be recorded",
    ]
