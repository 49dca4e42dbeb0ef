"""The docs cannot drift: every command has help ending with an example that runs, every
command is in the README, and every command shown in the README's console blocks runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from conftest import REPO
from lsc_tracker.cli import app

COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]
LSC = f"{sys.executable} -m lsc_tracker"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the shipped data and examples, so examples may write freely."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path


def run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a documented command line, with `lsc` meaning this checkout's CLI."""
    line = re.sub(r"(^|&& |\| )lsc ", rf"\1{LSC} ", command)
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def help_text(command: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "lsc_tracker", command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_commands_are_the_documented_ones() -> None:
    documented = ["check", "history", "import", "init", "record", "report", "schema", "show"]
    assert sorted([*documented, "spc", "status"]) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_an_example_that_runs(command: str, workspace: Path) -> None:
    lines = [line for line in help_text(command).splitlines() if line.strip()]
    last = lines[-1].strip()
    assert last.startswith("Example: lsc "), last
    example = last.removeprefix("Example: ")
    assert f" {command} " in f" {example} "
    result = run_shell(example, workspace)
    assert result.returncode == 0, (example, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`lsc {command}" in (REPO / "README.md").read_text()


def readme_console_blocks() -> list[list[tuple[str, int]]]:
    """Each ```console block of the README as (command, expected exit code) pairs."""
    text = (REPO / "README.md").read_text()
    blocks = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        steps: list[tuple[str, int]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], 0))
            elif (match := re.fullmatch(r"\[exit (\d+)\]", line.strip())) and steps:
                steps[-1] = (steps[-1][0], int(match.group(1)))
        blocks.append(steps)
    return blocks


@pytest.mark.parametrize("block", readme_console_blocks(), ids=lambda b: b[0][0][:40])
def test_readme_examples_run(block: list[tuple[str, int]], workspace: Path) -> None:
    for command, expected in block:
        result = run_shell(command, workspace)
        assert result.returncode == expected, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
