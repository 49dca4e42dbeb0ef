"""The benchmark scripts run (once, at the smallest size), so they cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from lsc_tracker.loader import load

pytestmark = pytest.mark.slow  # runs the benchmark scripts: seconds each


def test_generate_writes_a_valid_labelled_synthetic_plan(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "10000", str(out)],
        check=True,
        capture_output=True,
    )
    plan, problems = load(out, today=None)
    assert problems == []
    assert len(plan.metrics) == 200 and len(plan.places) == 42
    assert 9_000 <= len(plan.actuals) <= 13_000
    for name in ("priorities", "places", "metrics", "actuals"):
        assert (out / f"{name}.yaml").read_text().startswith("# SYNTHETIC")


def test_run_prints_ratios_against_floors_measured_in_the_same_run() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "10000", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "floor: python -c pass" in out and "CSafeLoader load" in out
    for what in (
        "lsc --version",
        "lsc --help",
        "lsc status (shipped data)",
        "lsc status (shipped data) / library imports",
        "lsc check @10k",
        "lsc status --format json @10k",
        "lsc record @10k",
    ):
        assert what in out, what
    assert "floor: python -c 'import typer, rich, pydantic, yaml'" in out
    assert out.count("x   goal") == 7
