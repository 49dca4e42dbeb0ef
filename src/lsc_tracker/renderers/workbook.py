"""``lsc status --format xlsx``: the status report as an Excel workbook.

A "Summary" sheet (one row per priority) and a "Metrics" sheet (the CSV report's rows and
columns, built by the same `status_rows.rows`, so the two never drift). Status cells are
filled with the status's colours and hold its word (`words.STATUS_WORDS`); dates are real
dates, numbers real numbers; every text cell goes through `status_files.spreadsheet_safe`,
so nothing the plan says can run as a formula. The same report gives the same bytes (no
clock in the file).

openpyxl is imported only inside these functions, so that every other command stays fast.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ..import_files import MAX_CELL_TEXT
from ..models import PROGRAMME
from ..status import STATUS_ORDER, StatusReport
from ..words import PROGRAMME_TITLE, PROVISIONAL_MARK, STATUS_WORDS
from .status_files import flat_columns, spreadsheet_safe
from .status_rows import programme_roll_up, rows, summary_lines

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

SUMMARY_SHEET: Final = "Summary"
METRICS_SHEET: Final = "Metrics"

SUMMARY_COLUMNS: Final = ("priority", "title", "status", "metrics", *STATUS_ORDER, "as_of")

DATE_FORMAT: Final = "yyyy-mm-dd"
_WIDTHS: Final = {"title": 60, "name": 60}  # the widest a column gets; others stop at 40


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
    owners = any(p.priority.owner for p in report.priorities)
    columns = (*SUMMARY_COLUMNS, "owner") if owners else SUMMARY_COLUMNS
    _fill_sheet(summary, columns, _summary_rows(report, owners=owners))
    metrics = workbook.create_sheet(METRICS_SHEET)
    found = rows(report, headings=False)
    flat = flat_columns(found, since=report.since is not None, exceptions=report.exceptions)
    _fill_sheet(metrics, flat, ([getattr(row, column) for column in flat] for row in found))
    stamp = datetime.combine(report.as_of, time())
    props = workbook.properties
    props.creator = "lsc-tracker"
    props.title = f"Status as of {report.as_of.isoformat()}"
    props.description = " ".join(summary_lines(report))
    props.created = props.modified = stamp
    return _save(workbook, stamp)


def _summary_rows(report: StatusReport, *, owners: bool = False) -> Iterable[list[Any]]:
    """One row per priority, the whole programme's first (priority ``programme``, titled
    "Whole programme") when it has metrics; ``owners``: each priority's owner last."""
    programme = [m for m in report.metrics if m.metric.priority == PROGRAMME]
    if programme:
        status, found = programme_roll_up(programme)
        counts = [found.get(s, 0) for s in STATUS_ORDER]
        extra = [None] if owners else []
        yield [PROGRAMME, PROGRAMME_TITLE, status, sum(counts), *counts, report.as_of, *extra]
    for priority in report.priorities:
        counts = [priority.counts.get(status, 0) for status in STATUS_ORDER]
        yield [
            priority.id,
            priority.priority.title,
            priority.status,
            sum(counts),
            *counts,
            report.as_of,
            *([priority.priority.owner] if owners else []),
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
        _mark_provisional(sheet, last_row, columns, values)
    last_column = get_column_letter(len(columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last_column}{last_row}"
    for position, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
        limit = _WIDTHS.get(name, 40)
        # + 3 leaves room for the filter button beside the header
        sheet.column_dimensions[get_column_letter(position)].width = min(width, limit) + 3


PROVISIONAL_FORMAT: Final = f'General" {PROVISIONAL_MARK}"'
"""A provisional latest value's number format: still a number, shown "42 P" (issue 18)."""


def _mark_provisional(
    sheet: Worksheet, row: int, columns: Sequence[str], values: Sequence[Any]
) -> None:
    """Show a provisional row's latest value with the P beside it (its number kept)."""
    if "provisional" not in columns or values[columns.index("provisional")] is not True:
        return
    cell = sheet.cell(row=row, column=columns.index("latest_value") + 1)
    if isinstance(cell.value, int | float):
        cell.number_format = PROVISIONAL_FORMAT


def _write_cell(sheet: Worksheet, row: int, column: int, name: str, value: Any) -> int:
    """Write one value; returns how many characters wide it shows."""
    from openpyxl.styles import Font, PatternFill

    cell = sheet.cell(row=row, column=column)
    if value is None:
        return 0
    if name in ("status", "was"):  # a status in its colours (was: on the --since date)
        words = STATUS_WORDS[value]
        fill, ink = words.fill, words.ink
        _set_text(cell, words.shout)
        cell.fill = PatternFill(fill_type="solid", start_color=fill, end_color=fill)
        cell.font = Font(bold=True, color=ink)
        return len(words.shout)
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
    cell.value = safe[:MAX_CELL_TEXT]  # a longer text makes Excel "repair" the file
    cell.data_type = "s"


class _StampedZip(zipfile.ZipFile):
    """A zip whose members all carry one fixed time instead of the clock's."""

    stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    # The two overrides take the arguments openpyxl passes, a narrower signature than
    # ZipFile's (which also takes path-likes and keyword-only options): hence the ignores.
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
    # a zip member's date runs from 1980 to 2107 (DOS time): a report as of another year keeps
    # its own date in the workbook's properties, its members the nearest a zip can hold
    in_zip_range = min(max(stamp, datetime(1980, 1, 1)), datetime(2107, 12, 31))
    archive.stamp = in_zip_range.timetuple()[:6]
    ExcelWriter(workbook, archive).save()  # writes every part, then closes the archive
    return buffer.getvalue()
