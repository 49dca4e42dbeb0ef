"""``lsc history`` as a file: JSON or CSV, one object or row per log entry.

CSV text a spreadsheet would run as a formula gets a leading apostrophe
(`status_files.spreadsheet_safe`), as in every CSV the tool writes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from ..recording import HistoryRow
from .status_files import spreadsheet_safe


def history_json(rows: Sequence[HistoryRow]) -> str:
    """The history as a JSON list, one object per entry (see `HistoryRow.as_dict`)."""
    return json.dumps(
        [row.as_dict() for row in rows], indent=2, ensure_ascii=False, allow_nan=False
    )


_NOT_TEXT = frozenset({"line", "date", "value", "recorded", "voided_on", "void_line"})


def _cell(item: dict[str, object], column: str) -> str:
    value = item[column]
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if column in _NOT_TEXT else spreadsheet_safe(str(value))


def history_csv(rows: Sequence[HistoryRow]) -> str:
    """The history as CSV; text a spreadsheet would run as a formula gets a leading '."""
    out = io.StringIO()
    columns = ["line", "metric", "place", "date", "value", "note", "by", "recorded"]
    # CRLF, as RFC 4180 has it: with "\n" the csv module leaves a lone "\r" in a field
    # unquoted, and a spreadsheet starts a new row there
    writer = csv.writer(out, lineterminator="\r\n")
    flags = ["replaces", "superseded"]
    after = ["period", "void", "voided", "voided_by", "voided_on", "void_reason", "void_line"]
    after += ["provisional", "source"]
    writer.writerow([*columns, *flags, *after])
    for row in rows:
        item = row.as_dict()
        cells = [_cell(item, c) for c in columns]
        writer.writerow(
            [*cells, *(str(item[f]).lower() for f in flags), *(_cell(item, c) for c in after)]
        )
    return out.getvalue()
