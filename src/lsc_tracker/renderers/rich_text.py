"""User text and statuses as rich `Text`, for every terminal view.

User text (names, notes, who recorded) is never given to rich as markup: `plain` makes it
a `Text` (so ``[red]`` and ``[/]`` print as typed) with control characters made
`words.visible`. A status is its word in its style (`status_cell`), so it reads the same
without colour. Every view prints through a `PipeConsole`.
"""

from __future__ import annotations

import errno

from rich.console import Console
from rich.text import Text

from ..words import STATUS_WORDS, visible


def plain(text: str, style: str = "") -> Text:
    """User text for a rich renderable: shown as typed, never read as markup."""
    return Text(visible(text), style=style)


def status_cell(status: str, *markers: str) -> Text:
    """A status as its capitalised word in its style, with markers ("late", "stale") below."""
    words = STATUS_WORDS.get(status)
    cell = Text(words.shout if words else status, style=words.style if words else "")
    for marker in markers:
        cell.append(f"\n{marker}", style="bold")
    return cell


class PipeConsole(Console):
    """A rich console that, when stdout's reader has gone (``lsc status | head``), raises
    the broken pipe for the CLI to end with exit 141, where rich would exit 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")
