"""Issue 17: lsc at an ordinary terminal, through the installed command: closed pipes, options
where people put them, one vocabulary, counts, SPC, lists, widths, the pager, start-up."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import SHIPPED_DATA, Ran, lsc_process

pytestmark = pytest.mark.slow  # every test here runs the installed command as a process

LSC = shutil.which("lsc") or "lsc"

CLOSED_PIPE_RUNNER = """\
import os, subprocess, sys
read_end, write_end = os.pipe()
os.close(read_end)  # the reader is gone before lsc writes a byte: every write is EPIPE
done = subprocess.run(sys.argv[1:], stdout=write_end, stderr=subprocess.PIPE, text=True)
sys.stderr.write(done.stderr)
sys.exit(done.returncode)
"""


def installed(data: Path | None, *args: str, env: dict[str, str | None] | None = None) -> Ran:
    """The installed ``lsc`` as a user runs it."""
    return lsc_process(data, *args, command=[LSC], env=env, timeout=120)


def into_closed_pipe(*args: str) -> Ran:
    """The installed ``lsc ARGS`` with stdout a pipe nobody reads any more (lsc ... | head)."""
    return lsc_process(None, *args, command=[sys.executable, "-c", CLOSED_PIPE_RUNNER, LSC])


# --- 5: closed pipes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--format", "csv"),
        ("status", "--format", "json"),
        ("--help",),
        ("status", "--help"),
        ("report", "--output", "-", "--as-of", "2021-03-31"),
    ],
    ids=" ".join,
)
def test_a_closed_pipe_ends_quietly_with_141(args: tuple[str, ...]) -> None:
    ran = into_closed_pipe("--data", str(SHIPPED_DATA), *args)
    assert ran.exit_code == 141, ran.stderr
    assert ran.stderr == ""


def test_head_of_the_status_table_exits_141_not_1() -> None:
    done = lsc_process(
        None,
        "--data",
        str(SHIPPED_DATA),
        "status",
        command=["bash", "-c", f'"{LSC}" "$@" | head -1; exit "${{PIPESTATUS[0]}}"', "lsc"],
        env={"COLUMNS": "80"},
    )
    assert done.stdout.startswith("Status as of")
    assert done.exit_code in (0, 141), done.stderr  # 0 when it all fitted the pipe in time
    assert "Traceback" not in done.stderr and "error" not in done.stderr.lower()
