"""`lsc show`'s account of a status: the numbers behind at risk and off track."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEMO_AS_OF, DEMO_DATA, WritePlan, lsc


def show(data: Path, metric: str, as_of: str) -> str:
    result = lsc(data, "show", metric, "--as-of", as_of)
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())  # the panel wraps lines; compare the words


@pytest.mark.parametrize(
    ("value", "words"),
    [
        # conftest's plan: 120 on 2019-03-31, -50% (60) by 2021-03-31. 2020-03-31 is 366 of
        # 731 days along that segment: E = 89.96; the step is 60
        ("92", "why: 2.04 placements behind the plan line, 3% of the plan segment's step of "
         "60 placements, within the 10% tolerance"),
        ("100", "why: 10 placements behind the plan line, 17% of the plan segment's step "
         "of 60 placements, beyond the 10% tolerance"),
    ],
)  # fmt: skip
def test_show_says_how_far_behind_the_line_and_against_what_tolerance(
    write_plan: WritePlan, value: str, words: str
) -> None:
    actuals = f"- {{metric: ooa-placements, date: 2020-03-31, value: {value}}}\n"
    out = show(write_plan(actuals=actuals), "ooa-placements", "2020-04-30")
    assert words in out


def test_show_gives_no_reason_line_when_on_track(write_plan: WritePlan) -> None:
    actuals = "- {metric: ooa-placements, date: 2020-03-31, value: 85}\n"
    out = show(write_plan(actuals=actuals), "ooa-placements", "2020-04-30")
    assert "status ON TRACK" in out and "why:" not in out


def test_a_gap_in_a_percentage_is_in_percentage_points() -> None:
    out = show(DEMO_DATA, "ae-four-hour", DEMO_AS_OF.isoformat())
    assert "why: 4.45 percentage points behind the plan line" in out
