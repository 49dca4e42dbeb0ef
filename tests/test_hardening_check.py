"""Issue 11, loading and checking the data files: what a hostile review found, as a user sees it.

Each test runs `lsc` on a small plan (conftest's `write_plan`) and checks what a user would
notice: the exit code, the one readable message and its position, and that no file changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from conftest import WritePlan
from lsc_tracker.cli import app

runner = CliRunner()


def lsc(data: Path, *args: str) -> tuple[int, str, str]:
    """Run lsc on ``data``: exit code, stdout, stderr; a Python exception fails the test."""
    result = runner.invoke(app, ["--data", str(data), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def digests(data: Path) -> dict[str, str]:
    """Every data file's sha256 (the empty lock file a writer creates aside)."""
    lock = data / ".actuals.yaml.lock"
    assert not lock.exists() or lock.read_bytes() == b""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data.iterdir() if p != lock}


# --- finding 5: deep nesting in a tool-style log line -----------------------------------------


def test_deep_nesting_in_a_tool_style_line_is_one_positioned_problem(
    write_plan: WritePlan,
) -> None:
    data = write_plan(actuals='- {"metric": "ooa-placements", "value": ' + "[" * 1000 + "\n")
    code, out, err = lsc(data, "check")
    assert code == 1
    assert out.splitlines() == [
        f"{data}/actuals.yaml:1:79: error: nested more than 40 levels deep: "
        "the plan never needs this"
    ]
    before = digests(data)
    for command in (["record", "ooa-placements", "3", "--date", "2020-01-01"], ["status"]):
        code, out, err = lsc(data, *command)
        assert code == 1 and "nested more than 40 levels deep" in err, command
    assert digests(data) == before
