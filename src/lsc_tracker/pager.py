"""Long output on a terminal goes through a pager, as git's does.

The pager is ``$LSC_PAGER``, else ``$PAGER``, else ``less -FRX`` (and ``LESS=FRX`` is set
for it when ``LESS`` is not: quit when the output fits one screen, keep colours, leave the
screen as it was). An empty value or ``cat`` means no pager. Never when stdout is not a
terminal (a pipe, a file, ``--output``), nor with ``lsc --no-pager``.

While `paging` is in force, ``sys.stdout`` writes to the pager's stdin and says it is a
terminal, so that rich keeps its colours (``-R`` shows them) and the terminal's width (read
from the real stdout). A pager that cannot be started leaves the output on stdout, with a
warning when it was the user's choice; a pager the user quits early is not an error: what
is left of the output is dropped and the command ends as it would have.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TextIO

DEFAULT_PAGER = "less -FRX"
"""The pager when neither LSC_PAGER nor PAGER is set (git's, with its LESS options)."""

NO_PAGER = frozenset({"", "cat"})
"""Pager settings that mean: print straight to stdout."""

_SHELL_CHARACTERS = frozenset("|&;<>()$`\\\"'*?[#~=%")


def pager_command(environ: Mapping[str, str]) -> tuple[str | None, bool]:
    """The pager to run and whether the user chose it (LSC_PAGER or PAGER), or (None, ...)
    for none. LSC_PAGER wins over PAGER, even when it is empty (no pager for lsc only)."""
    for name in ("LSC_PAGER", "PAGER"):
        if name in environ:
            command = environ[name].strip()
            return (None if command in NO_PAGER else command), True
    return DEFAULT_PAGER, False


def _argv(command: str) -> list[str] | None:
    """The pager as a program and its arguments, or None when it needs a shell (a pipe, a
    variable, quotes): then ``sh -c`` runs it, as git does."""
    words = command.split()
    if any(ch in _SHELL_CHARACTERS for word in words for ch in word):
        return None
    return words


class _PagerStream(io.TextIOWrapper):
    """The pager's stdin as stdout: a terminal to rich (colours and width), whose writes
    stop quietly once the pager has gone."""

    closed_by_reader = False

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.closed_by_reader:
            return len(text)
        try:
            return super().write(text)
        except BrokenPipeError:
            self.closed_by_reader = True
            return len(text)

    def flush(self) -> None:
        if self.closed_by_reader:
            return
        try:
            super().flush()
        except BrokenPipeError:
            self.closed_by_reader = True


def _start(command: str, chosen: bool, stdout: TextIO) -> subprocess.Popen[bytes] | None:
    """Start the pager reading from a pipe, writing to the terminal; None when it cannot be
    started (a warning on stderr when the user named it)."""
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    argv = _argv(command)
    try:
        return subprocess.Popen(
            argv if argv is not None else ["/bin/sh", "-c", command],
            stdin=subprocess.PIPE,
            stdout=stdout.fileno(),
            env=env,
        )
    except OSError as error:
        if chosen:
            reason = error.strerror or str(error)
            print(
                f"warning: cannot run pager {command!r}: {reason}; printing instead",
                file=sys.stderr,
            )
        return None


def wanted(enabled: bool = True) -> bool:
    """Whether output would go through a pager: enabled, stdout a terminal, a pager set."""
    if not enabled:
        return False
    try:
        if not sys.stdout.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    return pager_command(os.environ)[0] is not None


@contextmanager
def paging(enabled: bool = True) -> Iterator[None]:
    """Inside: stdout goes through the pager, when `wanted`. On leaving, the output is
    flushed and lsc waits for the user to quit the pager; a broken pipe (the user quit
    early) ends the output quietly, and the command goes on."""
    if not wanted(enabled):
        yield
        return
    command, chosen = pager_command(os.environ)
    assert command is not None
    real = sys.stdout
    real.flush()
    try:
        process = _start(command, chosen, real)
    except (AttributeError, ValueError, io.UnsupportedOperation):  # no real file descriptor
        process = None
    if process is None or process.stdin is None:
        yield
        return
    stream = _PagerStream(
        process.stdin, encoding=real.encoding or "utf-8", errors="replace", write_through=True
    )
    sys.stdout = stream
    try:
        yield
    except BrokenPipeError:
        stream.closed_by_reader = True
    finally:
        sys.stdout = real
        with suppress(OSError):  # the pager has gone: what was left is dropped
            stream.close()
        while True:
            try:
                process.wait()
                break
            except KeyboardInterrupt:  # less takes ^C itself; lsc waits for it to quit
                continue
