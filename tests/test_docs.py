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

from conftest import REPO, lsc_process
from lsc_tracker.cli import app

COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]
LSC = f"{sys.executable} -m lsc_tracker"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the shipped data and examples, so examples may write freely."""
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path


def with_this_lsc(command: str) -> str:
    """A documented command line, with `lsc` meaning this checkout's CLI."""
    return re.sub(r"(^|&& |\| )lsc ", rf"\1{LSC} ", command)


def run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a documented command line."""
    return subprocess.run(
        ["bash", "-c", with_this_lsc(command)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def help_text(*command: str) -> str:
    result = lsc_process(None, *command, "--help")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_commands_are_the_documented_ones() -> None:
    documented = ["check", "history", "import", "init", "record", "report", "schema", "show"]
    documented += ["update"]
    documented += ["return-form"]
    documented += ["list"]
    assert sorted([*documented, "spc", "status"]) == COMMANDS


@pytest.mark.slow  # runs documented commands as real processes
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


@pytest.mark.slow  # runs documented commands as real processes
def test_top_level_help_ends_with_an_example_that_runs(workspace: Path) -> None:
    lines = [line for line in help_text().splitlines() if line.strip()]
    last = lines[-1].strip()
    assert last == "Example: lsc check && lsc status", last  # on one line: not rewrapped
    result = run_shell(last.removeprefix("Example: "), workspace)
    assert result.returncode == 0, (last, result.stdout, result.stderr)
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


def run_session(steps: list[tuple[str, int]], cwd: Path) -> list[tuple[str, int, str]]:
    """Run a console block's commands one after another in one shell, as a reader would type
    them (so `export` and `cd` carry on to the next line): each command with its exit code
    and what it printed."""
    marker = "@@lsc-step-done"
    script = "".join(
        f'{with_this_lsc(command)}\necho "{marker} $?"; echo {marker} >&2\n' for command, _ in steps
    )
    result = subprocess.run(
        ["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    outs = result.stdout.split(f"{marker} ")
    errs = result.stderr.split(f"{marker}\n")
    ran = []
    for i, (command, _) in enumerate(steps):
        if i + 1 >= len(outs):  # the shell stopped before this command finished
            ran.append((command, -1, result.stdout + result.stderr))
            break
        code = int(outs[i + 1].split("\n", 1)[0])
        ran.append((command, code, errs[i] if i < len(errs) else ""))
    return ran


@pytest.mark.slow  # runs documented commands as real processes
@pytest.mark.parametrize("block", readme_console_blocks(), ids=lambda b: b[0][0][:40])
def test_readme_examples_run(block: list[tuple[str, int]], workspace: Path) -> None:
    ran = run_session(block, workspace)
    for (command, expected), (_, code, err) in zip(block, ran, strict=False):
        assert code == expected, (command, err)
        assert "Traceback" not in err
    assert len(ran) == len(block)


@pytest.mark.slow  # runs documented commands as real processes
def test_the_data_owners_month_leaves_the_shipped_data_alone(workspace: Path) -> None:
    """Followed as written, the README's recording example changes a copy, never data/."""
    (block,) = [b for b in readme_console_blocks() if any(" record " in c for c, _ in b)]
    before = {p: p.read_bytes() for p in (workspace / "data").rglob("*") if p.is_file()}
    ran = run_session(block, workspace)
    assert [code for _, code, _ in ran] == [expected for _, expected in block]
    after = {p: p.read_bytes() for p in (workspace / "data").rglob("*") if p.is_file()}
    assert after == before
    assert "January, revised" in (workspace / "my-copy" / "actuals.yaml").read_text()


def _month_example() -> list[tuple[str, list[str]]]:
    """docs/recording.md's "A data owner's month": each command with the lines shown under it."""
    text = (REPO / "docs" / "recording.md").read_text()
    section = text[text.index("## A data owner's month") :]
    block = re.search(r"```console\n(.*?)```", section, flags=re.S)
    assert block
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


@pytest.mark.slow  # runs documented commands as real processes
def test_the_data_owners_month_in_recording_md_prints_what_it_shows(workspace: Path) -> None:
    """Each status line, the import's and the check's summary lines, as documented (the
    written log lines differ only in their recorded times). The file `cat july.csv` shows is
    written first; the closing git commit is left out (the copy is not a repository)."""
    steps = _month_example()
    marker = "@@lsc-step-done"
    script = ""
    for command, shown in steps:
        if command.startswith("cat "):
            (workspace / command.split()[1]).write_text("\n".join(shown) + "\n")
        if command.startswith("git "):
            continue
        # on its own line in the group: a documented command may end in a # comment
        script += f'{{ {with_this_lsc(command)}\n}} 2>&1\necho "{marker}"\n'
    result = subprocess.run(
        ["bash", "-c", script], cwd=workspace, capture_output=True, text=True, timeout=300
    )
    outputs = result.stdout.split(f"{marker}\n")
    ran = [step for step in steps if not step[0].startswith("git ")]
    assert len(outputs) == len(ran) + 1, result.stdout[-2000:]
    kinds = ("status: ", "recorded ", "data: valid", "dry run: ")
    for (command, shown), printed in zip(ran, outputs, strict=False):
        for kind in kinds:  # each kind of line the docs show for a command (they abridge)
            expected = [line for line in shown if line.startswith(kind)]
            if expected:
                actual = [line for line in printed.splitlines() if line.startswith(kind)]
                assert actual == expected, command
        assert "Traceback" not in printed
