"""Reading the files ``lsc import`` takes: a CSV file or an XLSX workbook, into a `Table`.

Each reader (`READERS`, by suffix) turns a file into the same `Table` of text cells, with
the line (the row number, in a sheet) where each row starts; `recording.import_entries`
then checks the rows into log entries. Only a regular file within `files.MAX_IMPORT_BYTES`
is read, and never a named pipe or a device.

A workbook is read within bounds: before openpyxl sees it, `_check_archive` unpacks it once,
streaming (`MAX_UNPACKED` in all, no text longer than a cell can hold, at most
`MAX_SHARED_STRINGS` different texts), so that a small file cannot take minutes or
gigabytes; the sheet is then read as the cells it holds (`_read_sheet`), never padded out to
the size its rows and columns claim. openpyxl is imported only when a workbook is read.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from .files import MAX_IMPORT_BYTES, read_text, regular_file_problem
from .problems import LscError, Problem, did_you_mean, row_problem

IMPORT_SHEET: Final = "actuals"
"""The sheet `read_xlsx` reads when the workbook has one of this name; else the first."""
MAX_CELL_TEXT: Final = 32_767
"""Excel's limit for the text of one cell (the workbook writer cuts a longer text to it)."""

MAX_QUOTED = 40
"""The most characters of a user's text any import message quotes."""


def quoted(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` quoted for a message: at most ``limit`` characters of it, then ``…``."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 1]) + "…"


def column_letter(position: int) -> str:
    """The spreadsheet name of the column at ``position`` (0 is A, 26 is AA)."""
    letters = ""
    number = position + 1
    while number:
        number, left = divmod(number - 1, 26)
        letters = chr(ord("A") + left) + letters
    return letters


@dataclass(frozen=True)
class Row:
    """The text cells of one row, and the line of the file where the row starts."""

    line: int
    cells: list[str]


@dataclass
class Table:
    """An import file as text cells. ``problems`` are rows the reader could not read.

    ``sheet`` is true for a spreadsheet read from column A, whose cells have names (``C7``:
    the column's letter and the row's line), which problems then give.
    """

    path: str
    header: list[str] = field(default_factory=list)
    header_line: int = 1
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheet: bool = False
    sheet_hint: str = ""  # a workbook of several sheets: which was read, and --sheet


def _csv_message(error: csv.Error) -> str:
    text = str(error)
    if "unexpected end of data" in text:
        return 'a quoted value is never closed: a closing " is missing'
    if "expected after" in text:
        return 'a closing " must be followed by a comma: write "" for a quote inside quotes'
    if "field larger than field limit" in text:
        return (
            f"a value is longer than {csv.field_size_limit():,} characters: this is not a "
            "file of figures (a quote left open?)"
        )
    return f"not a valid CSV row: {text}"


def read_csv(path: Path, shown: str) -> Table:
    """Read a CSV file (UTF-8 with or without BOM, LF or CRLF); blank rows are skipped."""
    table = Table(shown)
    text = _read(path, shown)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    header_seen = False
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if not header_seen:
                table.header, table.header_line, header_seen = cells, line, True
            else:
                table.rows.append(Row(line, cells))
    except csv.Error as error:  # the rest of the file cannot be trusted: stop here
        table.problems.append(row_problem(shown, start, _csv_message(error)))
    return table


def _read(path: Path, shown: str) -> str:
    """The text of an import file: a regular file of at most `MAX_IMPORT_BYTES`, read without
    ever waiting on a named pipe or reading a device (a link to /dev/zero) to exhaustion."""
    text, problem = read_text(path, shown, limit=MAX_IMPORT_BYTES, expected="a file to import")
    if problem is not None:
        if problem.rule == "file-encoding":
            raise LscError(f"{shown}:{problem.source.line}: {problem.message}")
        raise LscError(f"{shown}: {problem.message}")
    return text or ""


# --- XLSX ------------------------------------------------------------------------------------

MAX_UNPACKED: Final = 100 << 20
"""The most bytes a workbook to import may hold once unpacked (about 400,000 rows)."""
MAX_MEMBERS: Final = 10_000
"""The most parts (files inside the zip) a workbook to import may have."""
MAX_SHARED_STRINGS: Final = 1_000_000
"""The most different texts (shared strings) a workbook to import may hold."""
MAX_SHEET_ROWS: Final = 1_048_576  # Excel's last row
MAX_SHEET_COLUMNS: Final = 16_384  # Excel's last column, XFD
_MAX_RUN: Final = MAX_CELL_TEXT * 10
"""Bytes of XML between two tags: no spelling of 32,767 characters (``&#1114111;`` is ten
bytes for one) is longer, so a longer run is a text no cell can hold."""
_CHUNK: Final = 1 << 20
_SHARED_STRING: Final = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_RESAVE: Final = 'save it from Excel as "Excel Workbook (.xlsx)", or export it as CSV UTF-8'


def read_xlsx(path: Path | str, shown: str | None = None, sheet: str | None = None) -> Table:
    """Read the rows of an XLSX file to import, as the CSV reader reads a CSV file.

    The sheet read is ``sheet`` (``--sheet NAME``) if given, else the one named "actuals" (in
    any case) if there is one, else the first.
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
                chosen = _import_sheet(workbook.worksheets, shown, sheet)
                table = _read_sheet(chosen, shown)
                if sheet is None and len(workbook.worksheets) > 1:
                    others = [s.title for s in workbook.worksheets if s is not chosen]
                    table.sheet_hint = (
                        f" (this is sheet {chosen.title!r}; to read another, give --sheet "
                        f"NAME: {', '.join(repr(t) for t in others[:10])})"
                    )
                return table
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
                            f"cell can hold ({MAX_CELL_TEXT:,} characters): {_RESAVE}"
                        )
                    texts += len(_SHARED_STRING.findall(body))
                    if texts > MAX_SHARED_STRINGS:
                        raise too_many_texts()
            texts += len(_SHARED_STRING.findall(carry))
            if texts > MAX_SHARED_STRINGS:
                raise too_many_texts()


def _import_sheet(sheets: Sequence[Any], shown: str, name: str | None = None) -> Any:
    """The sheet to read: ``name`` (--sheet; exact, else in any case), else the one named
    "actuals", else the first."""
    if not sheets:
        raise LscError(f"{shown}: the workbook has no worksheet")
    titles = [sheet.title for sheet in sheets]
    if name is not None:
        for same in (lambda t: t == name, lambda t: t.strip().lower() == name.strip().lower()):
            found = [sheet for sheet in sheets if same(sheet.title)]
            if found:
                return found[0]
        hint = did_you_mean(name, titles) or ""
        listed = ", ".join(repr(title) for title in titles[:20])
        raise LscError(f"{shown}: no sheet named {name!r}{hint}; its sheets are {listed}")
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
                table.problems.append(row_problem(shown, number, "; ".join(problems)))
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
                    row_problem(
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
    if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
        raise ValueError(
            f"cell {cell.coordinate} holds {len(value):,} characters, more than a cell can hold "
            f"({MAX_CELL_TEXT:,}): {quoted(value)}"
        )
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number_text(value, getattr(cell, "number_format", None) or "")
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


_PLAIN: Final = (str, int, float, bool, date, time, timedelta)


def _datetime_text(value: datetime) -> str:
    """A date cell as YYYY-MM-DD when its time is midnight (what Excel stores for a date;
    within a second either side, the rounding of its day fractions); else the date and time,
    which the date column refuses."""
    midnight = datetime.combine(value.date(), time())
    for day in (midnight, midnight + timedelta(days=1)):
        if abs((value - day).total_seconds()) < 1:
            return day.date().isoformat()
    return value.isoformat(" ", "seconds")


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


# --- by suffix -------------------------------------------------------------------------------

Reader = Callable[[Path, str], Table]
READERS: dict[str, Reader] = {".csv": read_csv, ".xlsx": read_xlsx}
"""The reader for each suffix `lsc import` takes."""


def read_rows(path: Path | str, sheet: str | None = None) -> Table:
    """Read an import file with the reader for its suffix (see `READERS`); ``sheet`` names
    the sheet of a workbook to read.

    Raises:
        LscError: an unsupported suffix, a sheet for a file that is not a workbook, or a
            file that cannot be read at all.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        kinds = ", ".join(sorted(READERS))
        raise LscError(f"{path}: cannot import this kind of file: expected {kinds}")
    if sheet is not None:
        if reader is not read_xlsx:
            raise LscError(f"{path}: --sheet is for a workbook (.xlsx); a CSV file has no sheets")
        return read_xlsx(path, str(path), sheet)
    return reader(path, str(path))
