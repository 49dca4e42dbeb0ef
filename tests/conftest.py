"""Shared test helpers, one of each: the plan builder (`plan_files`, the `write_plan` fixture),
the two ways to run lsc (`lsc` in this process, `lsc_process` as a real process), a fixed date,
a pinned terminal width, and the reliability figures printed at the end of a run.

A new test writes its plan with ``write_plan(metrics=[{"id": "m0", ...}])`` (or YAML text) and
runs the CLI with ``lsc(data, "status", "--format", "json")``; see the README, "Running the tests".
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

AS_OF = date(2020, 6, 30)
REPO = Path(__file__).resolve().parent.parent
SHIPPED_DATA = REPO / "data"

PRIORITIES = """\
priorities:
  - id: P3
    title: Strengthen the resilience and mental health of people and communities
  - id: P4
    title: Develop a group model for hospital services
"""

PLACES = """\
places:
  - id: lsc
    name: Lancashire and South Cumbria
    population: 1800000
  - id: fylde-coast
    name: Fylde Coast
    population: 354000
    parent: lsc
  - id: morecambe-bay
    name: Morecambe Bay
    population: 352000
    parent: lsc
"""

CCG_CONFIGURATION = """\
  - id: ccg-configuration
    priority: P4
    name: Agree the future configuration of CCGs
    kind: milestone
    due: 2020-04-30
"""
"""A milestone, one item of a metrics list (the small plan's and the recording tests')."""

METRICS = (
    """\
metrics:
  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
    unit: placements
    baseline: {date: 2019-03-31, value: 120}
    targets:
      - {by: 2021-03-31, change: -50%}
      - {by: 2023-03-31, change: -75%}
"""
    + CCG_CONFIGURATION
)

# A plan for the recording tests: a measure, a measure in %, a milestone tracked by place.
RECORDING_PRIORITIES = """\
priorities:
  - {id: P3, title: Resilience and mental health}
  - {id: P4, title: Group model for hospital services}
"""

RECORDING_PLACES = """\
places:
  - {id: lsc, name: Lancashire and South Cumbria}
  - {id: fylde-coast, name: Fylde Coast, parent: lsc}
  - {id: morecambe-bay, name: Morecambe Bay, parent: lsc}
"""

RECORDING_METRICS = """\
metrics:
  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
    unit: placements
    baseline: {date: 2019-03-31, value: 120}
    targets: [{by: 2021-03-31, change: -50%}]
  - id: sickness-absence
    priority: P3
    name: Sickness absence rate
    direction: decrease
    unit: "%"
    targets: [{by: 2021-03-31, value: 4}]
  - id: icp-plans
    priority: P4
    name: Each ICP agrees a health inequalities plan
    kind: milestone
    due: 2020-03-31
    places: [fylde-coast, morecambe-bay]
"""

# --- the plan builder ----------------------------------------------------------------------

Item = Mapping[str, Any] | str
"""One item of a plan file's list: a mapping (written as one YAML flow mapping) or its YAML text."""
FileContent = str | Sequence[Item] | None
"""A data file: its YAML text as is, a list of items, or None to leave the file out."""

PLAN_FILES = ("priorities", "places", "metrics", "actuals")


def item_text(item: Item) -> str:
    """One item as one line of YAML: ``{id: m0, priority: P1, name: Metric 0}``."""
    if isinstance(item, str):
        return item
    return yaml.safe_dump(
        dict(item), default_flow_style=True, sort_keys=False, allow_unicode=True, width=1 << 16
    ).strip()


def file_text(name: str, content: str | Sequence[Item]) -> str:
    """A data file's text: text is kept (dedented when it starts with a newline); a list of
    items becomes ``name:`` and one ``  - item`` line each (actuals.yaml: a bare list)."""
    if isinstance(content, str):
        return textwrap.dedent(content).lstrip("\n") if content.startswith("\n") else content
    if name == "actuals":
        return "".join(f"- {item_text(item)}\n" for item in content)
    return f"{name}:\n" + "".join(f"  - {item_text(item)}\n" for item in content)


def plan_files(
    priorities: FileContent = PRIORITIES,
    places: FileContent = PLACES,
    metrics: FileContent = METRICS,
    actuals: FileContent = None,
) -> dict[str, str]:
    """The texts of a data directory's files by file name (``metrics.yaml``), for tests that
    write many directories themselves (hypothesis); the defaults are the small plan above."""
    given = dict(zip(PLAN_FILES, (priorities, places, metrics, actuals), strict=True))
    return {
        f"{name}.yaml": file_text(name, content)
        for name, content in given.items()
        if content is not None
    }


def measures(
    count: int, priority: str = "P1", name: str = "Measure", **fields: Any
) -> list[dict[str, Any]]:
    """``count`` simple measures m0, m1, ... named "Measure 0", ..., going up, with ``fields``."""
    return [
        {"id": f"m{k}", "priority": priority, "name": f"{name} {k}", "direction": "increase"}
        | fields
        for k in range(count)
    ]


WritePlan = Callable[..., Path]


def hashes(directory: Path) -> dict[str, str]:
    """Every file of ``directory`` with its sha256, but the writers' lock files (a writer
    creates its lock before it checks anything): what "nothing changed" compares."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in directory.iterdir()
        if p.is_file() and not p.name.endswith(".lock")
    }


def write_plan_files(data_dir: Path, files: Mapping[str, str]) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (data_dir / name).write_text(text, encoding="utf-8")
    return data_dir


@pytest.fixture
def write_plan(tmp_path: Path) -> WritePlan:
    """Write a data directory under tmp_path and return it. Each argument is a file: YAML
    text, a list of items, or None to leave it out (see `plan_files`)."""

    def write(
        priorities: FileContent = PRIORITIES,
        places: FileContent = PLACES,
        metrics: FileContent = METRICS,
        actuals: FileContent = None,
        *,
        directory: str = "data",
    ) -> Path:
        files = plan_files(priorities, places, metrics, actuals)
        return write_plan_files(tmp_path / directory, files)

    return write


# --- running lsc -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """What one run of lsc gave; unpacks as ``code, stdout, stderr = lsc(...)``."""

    exit_code: int
    stdout: str
    stderr: str
    output: str
    """stdout and stderr as a terminal shows them (a process: stdout, then stderr)."""

    def __iter__(self) -> Iterator[Any]:
        return iter((self.exit_code, self.stdout, self.stderr))


_RUNNER = CliRunner()


def lsc(data: Path | str | None, *args: str, **invoke: Any) -> Ran:
    """Run ``lsc --data DATA ARGS`` in this process (no ``--data`` when data is None);
    ``invoke`` goes to CliRunner.invoke (env, input). lsc never lets an exception out (a
    traceback is a bug), so one fails the test here."""
    from lsc_tracker.cli import app

    given = [] if data is None else ["--data", str(data)]
    result = _RUNNER.invoke(app, [*given, *args], **invoke)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"lsc {' '.join(args)} raised") from result.exception
    return Ran(result.exit_code, result.stdout, result.stderr, result.output)


LSC_PROCESS = (sys.executable, "-m", "lsc_tracker")


def lsc_process(
    data: Path | str | None,
    *args: str,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    command: Sequence[str] = LSC_PROCESS,
    **popen: Any,
) -> Ran:
    """Run lsc as a real process, for what needs one (signals, memory limits, encodings,
    imports): ``command --data DATA ARGS`` with this environment (LSC_DATA is never set in
    tests), changed by ``env`` (None removes a variable), stdin empty."""
    given = [] if data is None else ["--data", str(data)]
    environment = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    done = subprocess.run(
        [*command, *given, *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=environment,
        timeout=timeout,
        check=False,
        **popen,
    )
    return Ran(done.returncode, done.stdout, done.stderr, done.stdout + done.stderr)


@pytest.fixture(autouse=True)
def _pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich output is compared in tests: fix its width and let NO_COLOR come from the test."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("LSC_DATA", raising=False)


# --- the synthetic demo data set (examples/), for the SPC, show and report tests ------------

DEMO_DATA = REPO / "examples" / "demo"
DEMO_AS_OF = date(2024, 3, 31)
"""The demo's actuals run monthly from April 2021 to March 2024."""


# --- figures the reliability tests print at the end of every run (docs/reliability.md) -------

FIGURES: list[str] = []


def report_figure(text: str) -> None:
    """Keep a line for the end of the run ("hostile files tried: 66, ..."), shown even with -q."""
    FIGURES.append(text)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
