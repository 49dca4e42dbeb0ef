"""Excel workbooks: the status report as an XLSX file, and XLSX files to import.

`write_status_xlsx` writes ``lsc status --format xlsx``: a "Summary" sheet (one row per
priority) and a "Metrics" sheet (the CSV report's rows and columns, built by the same
`render.rows`, so the two never drift). Status cells are filled with the status colour and
hold the status word; dates are real dates, numbers real numbers; every text cell goes
through `render.spreadsheet_safe`, so nothing the plan says can run as a formula. The same
report gives the same bytes (no clock in the file).

`read_xlsx_rows` reads an XLSX file for ``lsc import`` into the same `recording.Table` as
the CSV reader, row numbers as Excel shows them (the header is row 1). Before openpyxl sees
the file, `_check_archive` unpacks it once, streaming, within bounds (`MAX_UNPACKED` in all,
no text longer than a cell can hold, at most `MAX_SHARED_STRINGS` different texts), so that a
small file cannot take minutes or gigabytes; the sheet is then read as the cells it holds
(`_read_sheet`), never padded out to the size its rows and columns claim.

openpyxl both reads and writes, so it is the one dependency for both; it is imported only
inside these functions, so that ``lsc --help`` and every other command stay fast.
"""

from __future__ import annotations

import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .problems import LscError
from .recording import Row, RowProblem, Table, column_letter, quoted
from .render import CSV_COLUMNS, STATUS_LABELS, rows, spreadsheet_safe, summary_lines
from .status import STATUS_ORDER, StatusReport

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SUMMARY_SHEET: Final = "Summary"
METRICS_SHEET: Final = "Metrics"
IMPORT_SHEET: Final = "actuals"
"""The sheet `read_xlsx_rows` reads when the workbook has one of this name; else the first."""

SUMMARY_COLUMNS: Final = ("priority", "title", "status", "metrics", *STATUS_ORDER, "as_of")

STATUS_COLOURS: Final = {
    # (fill, text): the colours of the HTML board report, so that both read alike
    "overdue": ("8A1538", "FFFFFF"),
    "off_track": ("D5281B", "FFFFFF"),
    "at_risk": ("FFB81C", "212B32"),
    "no_data": ("FFFFFF", "4C6272"),
    "on_track": ("007F3B", "FFFFFF"),
    "achieved": ("005EB8", "FFFFFF"),
    "no_target": ("F0F4F5", "4C6272"),
}

DATE_FORMAT: Final = "yyyy-mm-dd"
_MAX_TEXT: Final = 32_767  # Excel's limit for one cell; a longer text makes Excel "repair" it
_WIDTHS: Final = {"title": 60, "name": 60}  # the widest a column gets; others stop at 40


# --- writing the status workbook -------------------------------------------------------------


def write_status_xlsx(report: StatusReport, path: Path | str) -> None:
    """Write the status report as an Excel workbook.

    Args:
        report: the (possibly filtered) report, as ``lsc status`` shows it.
        path: the file to write; replaced if it exists.

    Raises:
        OSError: the file cannot be written.
    """
    data = status_xlsx_bytes(report)
    Path(path).write_bytes(data)


def status_xlsx_bytes(report: StatusReport) -> bytes:
    """The workbook of `write_status_xlsx` as bytes: the same report gives the same bytes."""
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _fill_sheet(summary, SUMMARY_COLUMNS, _summary_rows(report))
    metrics = workbook.create_sheet(METRICS_SHEET)
    _fill_sheet(
        metrics,
        CSV_COLUMNS,
        ([getattr(row, column) for column in CSV_COLUMNS] for row in rows(report, headings=False)),
    )
    stamp = datetime.combine(report.as_of, time())
    props = workbook.properties
    props.creator = "lsc-tracker"
    props.title = f"Status as of {report.as_of.isoformat()}"
    props.description = " ".join(summary_lines(report))
    props.created = props.modified = stamp
    return _save(workbook, stamp)


def _summary_rows(report: StatusReport) -> Iterable[list[Any]]:
    for priority in report.priorities:
        counts = [priority.counts.get(status, 0) for status in STATUS_ORDER]
        yield [
            priority.id,
            priority.priority.title,
            priority.status,
            sum(counts),
            *counts,
            report.as_of,
        ]


def _fill_sheet(sheet: Worksheet, columns: Sequence[str], data: Iterable[list[Any]]) -> None:
    """Header (bold, frozen, filtered), then the rows: each value written as its own type."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    widths = [len(name) for name in columns]
    for position, name in enumerate(columns, start=1):
        sheet.cell(row=1, column=position, value=name).font = bold
    last_row = 1
    for last_row, values in enumerate(data, start=2):
        for position, (name, value) in enumerate(zip(columns, values, strict=True), start=1):
            shown = _write_cell(sheet, last_row, position, name, value)
            widths[position - 1] = max(widths[position - 1], shown)
    last_column = get_column_letter(len(columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{last_row}"
    for position, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
        limit = _WIDTHS.get(name, 40)
        # + 3 leaves room for the filter button beside the header
        sheet.column_dimensions[get_column_letter(position)].width = min(width, limit) + 3


def _write_cell(sheet: Worksheet, row: int, column: int, name: str, value: Any) -> int:
    """Write one value; returns how many characters wide it shows."""
    from openpyxl.styles import Font, PatternFill

    cell = sheet.cell(row=row, column=column)
    if value is None:
        return 0
    if name == "status":
        fill, ink = STATUS_COLOURS[value]
        _set_text(cell, STATUS_LABELS[value])
        cell.fill = PatternFill(fill_type="solid", start_color=fill, end_color=fill)
        cell.font = Font(bold=True, color=ink)
        return len(STATUS_LABELS[value])
    if isinstance(value, bool):
        cell.value = value
        return 5
    if isinstance(value, int | float):
        cell.value = value  # a number stays a number, sign and all: never neutralised
        return len(f"{value:,}")
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return len(DATE_FORMAT)
    text = str(value)
    _set_text(cell, text)
    return len(text)


def _set_text(cell: Any, text: str) -> None:
    """Write text that Excel shows as typed and never runs: a formula-like start gets a
    leading apostrophe, and the cell is a string cell whatever the text (openpyxl would
    otherwise store "=..." as a formula and "#N/A" as an error)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    safe = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", spreadsheet_safe(text))
    cell.value = safe[:_MAX_TEXT]
    cell.data_type = "s"


class _StampedZip(zipfile.ZipFile):
    """A zip whose members all carry one fixed time instead of the clock's."""

    stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            member = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.stamp)
            member.compress_type = self.compression
            member.external_attr = 0o600 << 16
            zinfo_or_arcname = member
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(  # type: ignore[override]
        self,
        filename: str,
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl writes each worksheet to a temporary file and adds that file
        data = Path(filename).read_bytes()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)


def _save(workbook: Any, stamp: datetime) -> bytes:
    """Save without the clock: openpyxl's ``save`` stamps "modified" and every zip member with
    the current time, so the same report would give different bytes on every run."""
    from openpyxl.writer.excel import ExcelWriter

    buffer = io.BytesIO()
    archive = _StampedZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.stamp = max(stamp, datetime(1980, 1, 1)).timetuple()[:6]  # zip dates start in 1980
    ExcelWriter(workbook, archive).save()  # writes every part, then closes the archive
    return buffer.getvalue()


# --- reading a workbook to import ------------------------------------------------------------

MAX_UNPACKED: Final = 100 << 20
"""The most bytes a workbook to import may hold once unpacked (about 400,000 rows)."""
MAX_MEMBERS: Final = 10_000
"""The most parts (files inside the zip) a workbook to import may have."""
MAX_SHARED_STRINGS: Final = 1_000_000
"""The most different texts (shared strings) a workbook to import may hold."""
MAX_SHEET_ROWS: Final = 1_048_576  # Excel's last row
MAX_SHEET_COLUMNS: Final = 16_384  # Excel's last column, XFD
_MAX_RUN: Final = _MAX_TEXT * 10
"""Bytes of XML between two tags: no spelling of 32,767 characters (``&#1114111;`` is ten
bytes for one) is longer, so a longer run is a text no cell can hold."""
_CHUNK: Final = 1 << 20
_SHARED_STRING: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_RESAVE: Final = 'save it from Excel as "Excel Workbook (.xlsx)", or export it as CSV UTF-8'


def read_xlsx_rows(path: Path | str, shown: str | None = None) -> Table:
    """Read the rows of an XLSX file to import, as the CSV reader reads a CSV file.

    The sheet read is the one named "actuals" (in any case) if there is one, else the first.
    Rows are numbered as Excel numbers them; the first row with anything in it is the header,
    and rows with every cell empty are skipped. Each cell becomes text: a real date becomes
    YYYY-MM-DD, a number its shortest form (``38``, ``4.2``), a number shown as a percentage
    (0.047 formatted ``0.0%``) ``4.7%``. A cell holding a formula or an error (``#N/A``), or
    a text longer than a cell can hold, or anything right of the header's last column makes
    its row a problem.

    Args:
        path: the .xlsx file.
        shown: how to name the file in messages (default: the path as given).

    Raises:
        LscError: the file is missing, is not a readable XLSX workbook, or is bigger once
            unpacked, or shaped beyond, what a workbook to import may be.
    """
    from .loader import MAX_IMPORT_BYTES, regular_file_problem

    path = Path(path)
    shown = str(path) if shown is None else shown
    # a named pipe would hang openpyxl, a link to /dev/zero fill the memory: refuse unopened
    problem = regular_file_problem(
        path, shown, limit=MAX_IMPORT_BYTES, expected="an .xlsx workbook to import"
    )
    if problem is not None:
        raise LscError(f"{shown}: {problem.message}")

    try:
        _check_archive(path, shown)
        from openpyxl import load_workbook

        with warnings.catch_warnings():  # "no default style", "extension not supported", ...
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=False, keep_links=False)
            try:
                return _read_sheet(_import_sheet(workbook.worksheets, shown), shown)
            finally:
                workbook.close()
    except OSError as error:
        raise LscError(f"{shown}: cannot read the file: {error.strerror or error}") from None
    except LscError:
        raise
    except Exception as error:
        # A damaged or foreign file can fail anywhere inside openpyxl, zipfile or the XML
        # parser, with any kind of exception: each means the same thing to the user.
        text = str(error).strip()
        reason = _short(text.splitlines()[0], 200) if text else ""
        detail = f" ({type(error).__name__}: {reason})" if reason else ""
        raise LscError(f"{shown}: not a readable .xlsx workbook{detail}: {_RESAVE}") from None


def _check_archive(path: Path, shown: str) -> None:
    """Refuse a workbook that would take openpyxl unbounded time or memory, before it is
    opened: more than `MAX_UNPACKED` bytes unpacked (declared, and as really unpacked, read
    in chunks and stopped at the limit), a run of XML text longer than any cell can hold, or
    more than `MAX_SHARED_STRINGS` different texts.

    Raises:
        LscError: saying which limit the file is beyond.
        zipfile.BadZipFile: not a zip file, or a damaged one.
    """

    def too_big() -> LscError:
        return LscError(
            f"{shown}: the workbook unpacks to more than {MAX_UNPACKED >> 20} MiB, the limit "
            "for a workbook to import (about 400,000 rows): import fewer rows at a time"
        )

    def too_many_texts() -> LscError:
        return LscError(
            f"{shown}: the workbook holds more than {MAX_SHARED_STRINGS:,} different texts, "
            "the limit for a workbook to import: import fewer rows at a time"
        )

    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise LscError(
                f"{shown}: the workbook has {len(members):,} parts, more than a workbook to "
                f"import may have ({MAX_MEMBERS:,}): {_RESAVE}"
            )
        if sum(member.file_size for member in members) > MAX_UNPACKED:
            raise too_big()
        unpacked = 0
        texts = 0
        for member in members:
            xml = member.filename.lower().endswith((".xml", ".rels"))
            carry = b""  # the bytes from the last "<" of what was read, not yet scanned
            with archive.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > MAX_UNPACKED:  # the sizes the file declares were false
                        raise too_big()
                    if not xml:
                        continue
                    buffer = carry + chunk
                    cut = max(buffer.rfind(b"<"), 0)
                    body, carry = buffer[:cut], buffer[cut:]
                    if len(carry) > _MAX_RUN or max(map(len, body.split(b"<"))) > _MAX_RUN:
                        raise LscError(
                            f"{shown}: {_short(member.filename)} holds a text longer than a "
                            f"cell can hold ({_MAX_TEXT:,} characters): {_RESAVE}"
                        )
                    texts += len(_SHARED_STRING.findall(body))
                    if texts > MAX_SHARED_STRINGS:
                        raise too_many_texts()
            texts += len(_SHARED_STRING.findall(carry))
            if texts > MAX_SHARED_STRINGS:
                raise too_many_texts()


def _import_sheet(sheets: Sequence[Any], shown: str) -> Any:
    if not sheets:
        raise LscError(f"{shown}: the workbook has no worksheet")
    named = [sheet for sheet in sheets if sheet.title.strip().lower() == IMPORT_SHEET]
    return named[0] if named else sheets[0]


def _read_sheet(sheet: Any, shown: str) -> Table:
    """The rows of the sheet as they are in the file: only the rows and cells it holds are
    visited (openpyxl's ``iter_rows`` would make up every missing row and cell up to the
    furthest one named, minutes for one ``<row r="999999999">``), each row from column A."""
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import WorkSheetParser

    table = Table(shown, sheet=True)
    book = sheet.parent
    with sheet._get_source() as source:  # what openpyxl's own iter_rows parses
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            if not 1 <= number <= MAX_SHEET_ROWS:
                raise LscError(
                    f"{shown}: the sheet has a row numbered {number:,}, beyond the last row a "
                    f"sheet can have ({MAX_SHEET_ROWS:,}): {_RESAVE}"
                )
            texts, problems = _row_texts(sheet, cells, shown, ReadOnlyCell)
            if problems:
                table.problems.append(RowProblem(shown, number, "; ".join(problems)))
                if not table.header:
                    return table  # no header: no row can be read
                continue
            if not texts:
                continue
            if not table.header:
                width = max(column for column, text in texts.items() if text.strip())
                table.header = [texts.get(column, "") for column in range(1, width + 1)]
                table.header_line = number
                continue
            width = len(table.header)
            beyond = [column for column, text in texts.items() if column > width and text.strip()]
            if beyond:
                first = min(beyond)
                table.problems.append(
                    RowProblem(
                        shown,
                        number,
                        f"cell {column_letter(first - 1)}{number} holds {quoted(texts[first])}, "
                        f"right of the header's last column ({column_letter(width - 1)}): clear "
                        "it, or import it under a named column",
                    )
                )
                continue
            table.rows.append(
                Row(number, [texts.get(column, "") for column in range(1, width + 1)])
            )
    return table


def _row_texts(
    sheet: Any, cells: list[dict[str, Any]], shown: str, make: Any
) -> tuple[dict[int, str], list[str]]:
    """The row's cells that hold something, by column number (1 is A), and its problems."""
    texts: dict[int, str] = {}
    problems: list[str] = []
    for cell in cells:
        column = cell["column"]
        if not 1 <= column <= MAX_SHEET_COLUMNS:
            raise LscError(
                f"{shown}: the sheet has a cell in column {column:,}, beyond the last column a "
                f"sheet can have ({MAX_SHEET_COLUMNS:,}, XFD): {_RESAVE}"
            )
        try:
            text = _cell_text(make(sheet, **cell))
        except ValueError as error:
            problems.append(str(error))
            continue
        if text:
            texts[column] = text
    if not any(text.strip() for text in texts.values()):
        return {}, problems  # a blank row (spaces are kept only in a row with something)
    return texts, problems


def _cell_text(cell: Any) -> str:
    """A cell's value as text, as it would be typed; ValueError for a formula, an error, or
    a text longer than a cell can hold."""
    value = cell.value
    if cell.data_type == "f" or (value is not None and not isinstance(value, _PLAIN)):
        formula = value if isinstance(value, str) else getattr(value, "text", None) or ""
        shown = f" ({_short(formula)})" if formula else ""
        raise ValueError(
            f"cell {cell.coordinate} holds a formula{shown}: type the figure, or paste it as "
            "values (Paste Special > Values)"
        )
    if cell.data_type == "e":
        raise ValueError(
            f"cell {cell.coordinate} holds the error {_short(str(value))}: give a figure"
        )
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > _MAX_TEXT:
        raise ValueError(
            f"cell {cell.coordinate} holds {len(value):,} characters, more than a cell can hold "
            f"({_MAX_TEXT:,}): {quoted(value)}"
        )
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number_text(value, getattr(cell, "number_format", None) or "")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


_PLAIN: Final = (str, int, float, bool, date, time, timedelta)


def _number_text(value: float, number_format: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if "%" in number_format.replace("\\%", "").replace('"%"', ""):
        value = round(value * 100, 10)  # 0.047 shown as 4.7%; round away binary noise
        return f"{_plain_number(value)}%"
    return _plain_number(value)


def _plain_number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
