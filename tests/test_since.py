"""Changes since the last paper (issue 15, part 5): ``--since DATE`` gives each metric's and
place's status on that date beside today's, the movement judged by hand below, in every
format of ``lsc status``; and the refusals (a bad date, a date not before the as-of date).

The plan is tests/test_exceptions.py's, compared between 2020-05-31 and 2020-06-30:

- ``steady``: on track both days: no change;
- ``behind``: no actual by 2020-05-31 (no data), off track now: new data;
- ``slipping``: 45 on 2020-05-01 was on track; 40 on 2020-06-01 is at risk: worse;
- ``fine``: no data, then on track: new data;
- ``plans``: overdue at both places on 2020-05-31; done at fylde-coast on 2020-06-15, so that
  place is better while the metric (the worst of its places) stays overdue.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lsc_tracker.changes import Change, changes_since, compare, movement
from lsc_tracker.loader import load
from lsc_tracker.status import assess
from test_exceptions import data  # noqa: F401  (the fixture: the hand-worked plan)

SINCE = date(2020, 5, 31)
AS_OF = date(2020, 6, 30)


@pytest.mark.parametrize(
    ("was", "now", "expected"),
    [
        ("on_track", "on_track", None),
        ("off_track", "at_risk", "better"),
        ("overdue", "off_track", "better"),
        ("on_track", "achieved", "better"),
        ("at_risk", "overdue", "worse"),
        ("no_baseline", "at_risk", "worse"),
        ("no_data", "overdue", "new_data"),
        ("no_data", "on_track", "new_data"),
        ("on_track", "withdrawn", "withdrawn"),
        ("no_target", "on_track", "changed"),
        (None, "on_track", "changed"),
    ],
)
def test_movement(was: str | None, now: str, expected: str | None) -> None:
    assert movement(was, now) == expected


def test_compare_lists_every_row_that_moved(data: Path) -> None:  # noqa: F811
    plan, _ = load(data)
    report = compare(assess(plan, SINCE), assess(plan, AS_OF))
    assert report.since == SINCE
    assert report.changes == (
        Change("behind", None, "no_data", "off_track", "new_data"),
        Change("slipping", None, "on_track", "at_risk", "worse"),
        Change("fine", None, "no_data", "on_track", "new_data"),
        Change("plans", "fylde-coast", "overdue", "achieved", "better"),
    )
    by_id = {m.id: m for m in report.metrics}
    assert by_id["steady"].was == "on_track"
    assert by_id["plans"].was == "overdue"
    assert [(p.place, p.was, p.status) for p in by_id["plans"].places] == [
        ("fylde-coast", "overdue", "achieved"),
        ("morecambe-bay", "overdue", "overdue"),
    ]
    assert [c.movement for c in changes_since(report)] == [
        "worse",
        "better",
        "new_data",
        "new_data",
    ]
