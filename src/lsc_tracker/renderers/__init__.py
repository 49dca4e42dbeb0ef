"""Every view of the plan's figures: each module turns computed results into one output.

- `status_rows`: the rows every status format shows, built once.
- `status_table`: ``lsc status`` in the terminal (rich).
- `status_files`: ``lsc status`` as JSON, CSV or Markdown.
- `workbook`: ``lsc status`` as an Excel workbook.
- `status_line`: the line ``lsc record`` prints on where the metric stands.
- `terminal_show`: ``lsc show`` and ``lsc spc`` in the terminal (rich).
- `html_report`: ``lsc report``, the HTML board report (templates in ``lsc_tracker/templates``).
- `history_table`: ``lsc history`` in the terminal (rich).
- `history_files`: ``lsc history`` as JSON or CSV.
- `rich_text`: user text and statuses as rich `Text`, never markup.

The words and number formats all of them use are in `words`. `RENDERERS` names every
``lsc status --format``, the workbook included: `render_status` is the one way to run one.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from ..status import StatusReport
from .status_files import render_csv, render_json, render_markdown
from .status_table import render_table
from .workbook import status_xlsx_bytes


@dataclass(frozen=True)
class StatusRenderer:
    """One output format of ``lsc status``: text written to a stream (a terminal or a file),
    or bytes for a binary file (the workbook, which never goes to a terminal)."""

    write_text: Callable[[StatusReport, TextIO], None] | None = None
    to_bytes: Callable[[StatusReport], bytes] | None = None

    @property
    def binary(self) -> bool:
        return self.to_bytes is not None


RENDERERS: dict[str, StatusRenderer] = {
    "table": StatusRenderer(write_text=render_table),
    "json": StatusRenderer(write_text=render_json),
    "csv": StatusRenderer(write_text=render_csv),
    "markdown": StatusRenderer(write_text=render_markdown),
    "xlsx": StatusRenderer(to_bytes=status_xlsx_bytes),
}
"""Every output format of ``lsc status``, by the name ``--format`` takes."""


def render_status(fmt: str, report: StatusReport, out: TextIO | None = None) -> bytes | None:
    """Render ``report`` in format ``fmt``: written to ``out`` when given (text formats only),
    else returned as the bytes of a file (text as UTF-8)."""
    renderer = RENDERERS[fmt]
    if renderer.to_bytes is not None:
        if out is not None:
            raise ValueError(f"the {fmt} format is binary: it is written to a file")
        return renderer.to_bytes(report)
    assert renderer.write_text is not None
    if out is not None:
        renderer.write_text(report, out)
        return None
    text = io.StringIO()
    renderer.write_text(report, text)
    return text.getvalue().encode("utf-8")
