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

The words and number formats all of them use are in `words`. `RENDERERS` names each
``lsc status --format`` that writes text; the workbook (bytes) is `workbook.status_xlsx_bytes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from ..status import StatusReport
from .status_files import render_csv, render_json, render_markdown
from .status_table import render_table

Renderer = Callable[[StatusReport, TextIO], None]

RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
}
"""Every text output format of ``lsc status``, by the name ``--format`` takes."""
