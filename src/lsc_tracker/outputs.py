"""Where a report may be written: never onto the data, and whole or not at all.

Every command with ``--output`` (status, report, schema, return-form) asks
`refuse_unsafe_output` first, so that a report can never replace the plan, a log or a file
the log's writer keeps beside it (through any link), nor block on a FIFO; then writes with
`write_output` (a temporary file renamed into place).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .files import write_atomically
from .plan import ACTUALS, FILE_NAMES, GIT_SETTINGS, UPDATES
from .problems import UsageError


def data_file_at(real: str, data_dir: Path) -> str | None:
    """What of the data directory the real path ``real`` is, if it is any of it: the directory
    itself, a data file (through any link, hard links included) or a side file the log's
    writer keeps (its lock, a temporary file, bytes it took back), here or beside the real log,
    or the git settings `lsc init` writes there (`plan.GIT_SETTINGS`).
    """
    data_files = [*FILE_NAMES, UPDATES.file]

    data_real = os.path.realpath(data_dir)
    if real == data_real:
        return "the data directory"
    log_dir = os.path.dirname(os.path.realpath(data_dir / ACTUALS.file))
    folder, name = os.path.split(real)
    try:
        found = os.stat(real)
    except OSError:
        found = None
    for file_name in data_files:
        data_file = os.path.realpath(data_dir / file_name)
        if real == data_file:
            return f"the data file {file_name}"
        if found is not None:
            try:
                if os.path.samestat(found, os.stat(data_file)):
                    return f"the data file {file_name} (a link to it)"
            except OSError:
                pass
    sides = (ACTUALS.side_prefix, UPDATES.side_prefix)
    beside_data = name in data_files or name in GIT_SETTINGS or name.startswith(sides)
    if folder in (data_real, log_dir) and beside_data:
        return f"{name}, a file lsc keeps beside the data"
    return None


def refuse_unsafe_output(output: str, data_dir: Path) -> None:
    """Refuse (exit 2, before anything is read or written) an --output that is a file of the
    data directory, the directory itself, or an existing file that is not a regular file
    (a FIFO would block, a device or directory cannot take a report): nothing is opened."""
    real = os.path.realpath(output)
    what = data_file_at(real, data_dir)
    if what is not None:
        raise UsageError(
            f"--output {output} is {what} in {data_dir}: a report would replace it; "
            "choose another file"
        )
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return  # not there yet (or unreadable): writing it says why if it fails
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise UsageError(f"--output {output} is {kind}: give the name of a file to write")


def write_output(output: str, data: bytes) -> None:
    """Write a report to ``output`` whole or not at all (`files.write_atomically`)."""
    write_atomically(output, data)
