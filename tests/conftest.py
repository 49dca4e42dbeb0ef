"""Shared fixtures: small data directories written into tmp_path, a fixed date, a pinned width."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

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

METRICS = """\
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
  - id: ccg-configuration
    priority: P4
    name: Agree the future configuration of CCGs
    kind: milestone
    due: 2020-04-30
"""

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

WritePlan = Callable[..., Path]


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n") if text.startswith("\n") else text


@pytest.fixture
def write_plan(tmp_path: Path) -> WritePlan:
    """Write a data directory; each argument is a file's YAML text (None leaves it out)."""

    def write(
        priorities: str | None = PRIORITIES,
        places: str | None = PLACES,
        metrics: str | None = METRICS,
        actuals: str | None = None,
        *,
        directory: str = "data",
    ) -> Path:
        data_dir = tmp_path / directory
        data_dir.mkdir(parents=True, exist_ok=True)
        for name, text in (
            ("priorities", priorities),
            ("places", places),
            ("metrics", metrics),
            ("actuals", actuals),
        ):
            if text is not None:
                (data_dir / f"{name}.yaml").write_text(_dedent(text), encoding="utf-8")
        return data_dir

    return write


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
