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
from importlib import import_module
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..status import StatusReport


@dataclass(frozen=True)
class StatusRenderer:
    """One output format of ``lsc status``: text written to a stream (a terminal or a file),
    or bytes for a binary file (the workbook, which never goes to a terminal).

    Named by module and function rather than imported: a run imports only the renderer of
    the format it writes (the table's rich layout, or the workbook's openpyxl, are not paid
    for by ``--format json``), which keeps ``lsc status``'s start-up short."""

    module: str  # in this package, e.g. "status_files"
    function: str
    binary: bool = False

    def load(self) -> Callable[..., Any]:
        found: Callable[..., Any] = getattr(
            import_module(f"{__name__}.{self.module}"), self.function
        )
        return found


RENDERERS: dict[str, StatusRenderer] = {
    "table": StatusRenderer("status_table", "render_table"),
    "json": StatusRenderer("status_files", "render_json"),
    "csv": StatusRenderer("status_files", "render_csv"),
    "markdown": StatusRenderer("status_files", "render_markdown"),
    "xlsx": StatusRenderer("workbook", "status_xlsx_bytes", binary=True),
}
"""Every output format of ``lsc status``, by the name ``--format`` takes."""


def render_status(fmt: str, report: StatusReport, out: TextIO | None = None) -> bytes | None:
    """Render ``report`` in format ``fmt``: written to ``out`` when given (text formats only),
    else returned as the bytes of a file (text as UTF-8)."""
    renderer = RENDERERS[fmt]
    if renderer.binary:
        if out is not None:
            raise ValueError(f"the {fmt} format is binary: it is written to a file")
        data: bytes = renderer.load()(report)
        return data
    write_text = renderer.load()
    if out is not None:
        write_text(report, out)
        return None
    text = io.StringIO()
    write_text(report, text)
    return text.getvalue().encode("utf-8")
