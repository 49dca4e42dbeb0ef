"""A pager for long output on a terminal, as git's (issue 17, point 2): LSC_PAGER, else PAGER,
else ``less -FRX``; ``--no-pager``; never when stdout is not a terminal. Each test runs the
installed ``lsc`` with stdout on a pseudo-terminal and a fake pager that keeps what it reads."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from conftest import WritePlan, lsc_process

pytestmark = pytest.mark.slow  # a process on a pseudo-terminal each, about a second

LSC = str(Path(sys.executable).with_name("lsc"))

METRICS = """\
metrics:
  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
    targets: [{by: 2021-03-31, value: 60}]
  - id: icp-plans
    priority: P4
    name: Each ICP agrees a health inequalities plan
    kind: milestone
    due: 2020-03-31
    places: [fylde-coast, morecambe-bay]
"""


def run_on_a_terminal(
    args: list[str], env: Mapping[str, str | None], tmp_path: Path
) -> tuple[int, str, str]:
    """Run lsc ARGS with stdout on a pseudo-terminal: its exit code, what reached the
    terminal and what went to stderr."""
    environment = {k: v for k, v in os.environ.items() if k not in ("LSC_PAGER", "PAGER", "LESS")}
    environment["COLUMNS"] = "100"
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    master, slave = pty.openpty()
    seen = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end closed
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        done = subprocess.run(
            [LSC, *args],
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    return done.returncode, seen.decode("utf-8", "replace"), done.stderr.decode()


@pytest.fixture
def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager that writes LESS and everything it reads to a file."""
    kept = tmp_path / "paged.txt"
    script = tmp_path / "fake-pager"
    script.write_text(f'#!/bin/sh\necho "LESS=$LESS" > {kept}\ncat >> {kept}\n')
    script.chmod(0o755)
    return str(script), kept


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    actuals = [{"metric": "ooa-placements", "date": "2020-05-31", "value": 80}]
    return write_plan(metrics=METRICS, actuals=actuals)


STATUS = ["status", "--as-of", "2020-06-30"]


def test_status_on_a_terminal_goes_through_the_pager_in_colour(
    data: Path, fake_pager: tuple[str, Path], tmp_path: Path
) -> None:
    pager, kept = fake_pager
    code, shown, stderr = run_on_a_terminal(
        ["--data", str(data), *STATUS], {"PAGER": pager}, tmp_path
    )
    assert (code, stderr) == (0, "")
    assert shown == ""  # all of it went to the pager
    paged = kept.read_text()
    assert paged.startswith("LESS=FRX\n")  # git's LESS when the user has none
    assert "\x1b[1;31mOVERDUE" in paged or "\x1b[31mOVERDUE" in paged  # colours for less -R
    assert "icp-plans" in paged and "fylde-coast" in paged


def test_lsc_pager_wins_over_pager_and_less_is_kept(
    data: Path, fake_pager: tuple[str, Path], tmp_path: Path
) -> None:
    pager, kept = fake_pager
    env = {"LSC_PAGER": pager, "PAGER": "false", "LESS": "R"}
    code, shown, _ = run_on_a_terminal(["--data", str(data), *STATUS], env, tmp_path)
    assert code == 0 and shown == ""
    assert kept.read_text().startswith("LESS=R\n")


@pytest.mark.parametrize(
    ("env", "args"),
    [
        ({"LSC_PAGER": ""}, STATUS),  # empty: no pager, for lsc only
        ({"LSC_PAGER": "cat"}, STATUS),
        ({}, ["--no-pager", *STATUS]),  # before the command, as git
        ({}, [*STATUS, "--no-pager"]),  # or after it
    ],
)
def test_no_pager(
    data: Path,
    fake_pager: tuple[str, Path],
    tmp_path: Path,
    env: dict[str, str],
    args: list[str],
) -> None:
    pager, kept = fake_pager
    code, shown, _ = run_on_a_terminal(
        ["--data", str(data), *args], {"PAGER": pager, **env}, tmp_path
    )
    assert code == 0
    assert "Status as of 2020-06-30" in shown and "icp-plans" in shown
    assert not kept.exists()


def test_never_when_stdout_is_not_a_terminal(data: Path, fake_pager: tuple[str, Path]) -> None:
    pager, kept = fake_pager
    ran = lsc_process(data, *STATUS, env={"PAGER": pager, "LSC_PAGER": None})
    assert ran.exit_code == 0 and "Status as of 2020-06-30" in ran.stdout
    assert "\x1b[" not in ran.stdout
    assert not kept.exists()


def test_show_history_spc_list_and_check_are_paged(
    data: Path, fake_pager: tuple[str, Path], tmp_path: Path
) -> None:
    pager, kept = fake_pager
    shown = (
        ["show", "icp-plans", "--as-of", "2020-06-30"],
        ["history", "ooa-placements"],
        ["spc", "ooa-placements", "--as-of", "2020-06-30"],
        ["list"],
        ["check"],
    )
    for args in shown:
        if args == ["check"]:  # a plan with a problem: check lists it, through the pager
            (data / "metrics.yaml").write_text(METRICS.replace("2020-03-31", "2020-13-31"))
        kept.unlink(missing_ok=True)
        code, output, stderr = run_on_a_terminal(
            ["--data", str(data), *args], {"PAGER": pager}, tmp_path
        )
        assert code == (1 if args == ["check"] else 0), stderr
        assert output == "" and kept.exists(), args
    assert "metrics.yaml:" in kept.read_text()


def test_a_pager_that_cannot_start_leaves_the_output_on_the_terminal(
    data: Path, tmp_path: Path
) -> None:
    env = {"PAGER": "no-such-pager -R"}
    code, shown, stderr = run_on_a_terminal(
        ["--data", str(data), *STATUS, "--fail-on", "overdue"], env, tmp_path
    )
    assert code == 1  # the --fail-on hit, as without a pager
    assert "icp-plans" in shown
    assert "warning: cannot run pager 'no-such-pager -R'" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(("fail_on", "expected"), [([], 0), (["--fail-on", "overdue"], 1)])
def test_quitting_the_pager_early_changes_no_exit_code(
    data: Path, tmp_path: Path, fail_on: list[str], expected: int
) -> None:
    env = {"PAGER": "head -c 20 > /dev/null"}  # reads a little, then goes
    code, _, stderr = run_on_a_terminal(["--data", str(data), *STATUS, *fail_on], env, tmp_path)
    assert code == expected, stderr
    assert "Traceback" not in stderr and "Broken pipe" not in stderr
