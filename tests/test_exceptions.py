"""The exception report (issue 15, part 4): which metrics need the board's attention and why,
one row per metric with its places collapsed; ``lsc status --exceptions`` in every format.

The plan below is worked by hand (as of 2020-06-30; each measure's plan line runs from 0 on
2020-01-01 to 120 on 2021-01-01, so 39.7 on 2020-05-01 and 49.8 on 2020-06-01, and a shortfall
of up to 12, 10% of the span, is at risk):

- ``steady``: 50, 52, ..., 58 monthly to 2020-06-01, above the line (on track); its trend, 2 a
  month, reaches only about 72 by the deadline: the forecast misses while on track today;
- ``behind``: 10 on 2020-06-01 (39.8 short: off track); its owner rates it on track
  (declared better);
- ``slipping``: 45 on 2020-05-01 (on track then), 40 on 2020-06-01 (9.8 short: at risk);
- ``fine``: 60 on 2020-06-01 (on track, no forecast with one point): not an exception;
- ``plans``: a milestone at two places due 2020-03-31, done at fylde-coast on 2020-06-15:
  1 of 2 places overdue.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import RECORDING_PLACES, WritePlan
from lsc_tracker.exceptions import exception_rows, places_text, reasons
from lsc_tracker.loader import load
from lsc_tracker.status import assess

AS_OF = "2020-06-30"
PRIORITIES = "priorities:\n  - {id: P1, title: Priority one}\n"
LINE = "{baseline: {date: 2020-01-01, value: 0}, targets: [{by: 2021-01-01, value: 120}]}"


def measure(metric: str, **more: str) -> dict[str, object]:
    return {
        "id": metric,
        "priority": "P1",
        "name": metric.capitalize(),
        "direction": "increase",
        "baseline": {"date": "2020-01-01", "value": 0},
        "targets": [{"by": "2021-01-01", "value": 120}],
        **more,
    }


METRICS = [
    measure("steady", owner="Sam"),
    measure("behind", owner="Bo"),
    measure("slipping"),
    measure("fine"),
    {
        "id": "plans",
        "priority": "P1",
        "name": "Plans",
        "kind": "milestone",
        "due": "2020-03-31",
        "places": ["fylde-coast", "morecambe-bay"],
    },
]

ACTUALS = [
    *(
        {"metric": "steady", "date": f"2020-0{month}-01", "value": value}
        for month, value in zip(range(2, 7), (50, 52, 54, 56, 58), strict=True)
    ),
    {"metric": "behind", "date": "2020-06-01", "value": 10},
    {"metric": "slipping", "date": "2020-05-01", "value": 45},
    {"metric": "slipping", "date": "2020-06-01", "value": 40},
    {"metric": "fine", "date": "2020-06-01", "value": 60},
    {"metric": "plans", "place": "fylde-coast", "date": "2020-06-15", "value": "done"},
]

UPDATES = (
    "- {metric: behind, date: 2020-06-20, rag: on_track, note: recovering, "
    "action: extra clinics, recovery: 2020-09-30, by: Bo}\n"
)


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    directory = write_plan(PRIORITIES, RECORDING_PLACES, METRICS, ACTUALS)
    (directory / "updates.yaml").write_text(UPDATES)
    return directory


def test_which_metrics_and_why(data: Path) -> None:
    plan, problems = load(data)
    assert problems == []
    report = assess(plan, date.fromisoformat(AS_OF))
    found = {row.metric: row.reasons for row in exception_rows(report)}
    assert found == {
        "steady": ("forecast_misses",),
        "behind": ("off_track", "declared_better"),
        "slipping": ("at_risk",),
        "plans": ("overdue",),
    }
    by_id = {m.id: m for m in report.metrics}
    assert reasons(by_id["fine"]) == ()
    assert places_text(by_id["plans"]) == "1 of 2 places overdue: morecambe-bay"
    assert places_text(by_id["behind"]) == ""


def test_a_row_carries_the_owner_update_and_forecast(data: Path) -> None:
    plan, _ = load(data)
    report = assess(plan, date.fromisoformat(AS_OF))
    rows = {row.metric: row for row in exception_rows(report)}
    behind = rows["behind"]
    assert (behind.owner, behind.declared, behind.mismatch) == ("Bo", "on_track", "declared_better")
    assert behind.update is not None and behind.update.action == "extra clinics"
    steady = rows["steady"]
    # needs (120 - 58) over the 214 days to 2021-01-01; recent: 2 a month (the month's days vary)
    assert steady.forecast == (
        "needs 8.82 a month, recent 2 a month: at that rate reaches 120 in Dec 2022, 24 months late"
    )
    assert (steady.declared, steady.places, steady.stages) == (None, "", "")
