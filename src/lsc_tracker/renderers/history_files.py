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


_NOT_TEXT = frozenset({"line", "date", "value", "recorded"})


def history_csv(rows: Sequence[HistoryRow]) -> str:
    """The history as CSV; text a spreadsheet would run as a formula gets a leading '."""
    out = io.StringIO()
    columns = ["line", "metric", "place", "date", "value", "note", "by", "recorded"]
    # CRLF, as RFC 4180 has it: with "\n" the csv module leaves a lone "\r" in a field
    # unquoted, and a spreadsheet starts a new row there
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*columns, "replaces", "superseded"])
    for row in rows:
        item = row.as_dict()
        cells = [
            "" if item[c] is None else str(item[c]) if c in _NOT_TEXT else spreadsheet_safe(item[c])
            for c in columns
        ]
        writer.writerow([*cells, str(row.actual.replaces).lower(), str(row.superseded).lower()])
    return out.getvalue()
