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

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from conftest import lsc
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


# --- lsc status --since, in every format, and its refusals ------------------------------------


def change(metric: str, place: str | None, was: str, now: str, moved: str) -> dict[str, object]:
    """A change as JSON has it."""
    return {"metric": metric, "place": place, "from": was, "to": now, "movement": moved}


def status(directory: Path, *args: str) -> str:
    code, out, err = lsc(directory, "status", "--as-of", str(AS_OF), "--since", str(SINCE), *args)
    assert code == 0, err
    return out


def test_json_has_was_per_metric_and_place_and_the_changes(data: Path) -> None:  # noqa: F811
    found = json.loads(status(data, "--format", "json"))
    assert found["since"] == "2020-05-31"
    assert found["summary"]["changes"] == [
        change("behind", None, "no_data", "off_track", "new_data"),
        change("slipping", None, "on_track", "at_risk", "worse"),
        change("fine", None, "no_data", "on_track", "new_data"),
        change("plans", "fylde-coast", "overdue", "achieved", "better"),
    ]
    metrics = {m["id"]: m for m in found["metrics"]}
    assert (metrics["steady"]["was"], metrics["steady"]["movement"]) == ("on_track", None)
    assert [(p["place"], p["was"], p["movement"]) for p in metrics["plans"]["places"]] == [
        ("fylde-coast", "overdue", "better"),
        ("morecambe-bay", "overdue", None),
    ]
    _, plain, _ = lsc(data, "status", "--as-of", str(AS_OF), "--format", "json")
    assert set(json.loads(plain)) <= set(found)  # keys added, none changed
    assert set(json.loads(plain)["metrics"][0]) <= set(found["metrics"][0])


def test_csv_and_workbook_have_was_and_movement(data: Path, tmp_path: Path) -> None:  # noqa: F811
    from openpyxl import load_workbook

    rows = list(csv.DictReader(io.StringIO(status(data, "--format", "csv"))))
    moved = {(r["metric"], r["place"]): (r["was"], r["movement"]) for r in rows}
    assert moved[("slipping", "")] == ("on_track", "worse")
    assert moved[("plans", "fylde-coast")] == ("overdue", "better")
    assert moved[("steady", "")] == ("on_track", "")
    out = tmp_path / "x.xlsx"
    status(data, "--output", str(out), "--quiet")
    sheet = load_workbook(out)["Metrics"]
    header = [cell.value for cell in sheet[1]]
    cells = {row[1].value: row[header.index("was")].value for row in sheet.iter_rows(2)}
    assert cells["slipping"] == "ON TRACK"  # a status cell, in its words and colours


def test_markdown_and_table_show_the_movement(data: Path) -> None:  # noqa: F811
    markdown = status(data, "--format", "markdown")
    assert "| Was |" in markdown
    assert "ON TRACK, worse ↓" in markdown
    assert "NO DATA, new data" in markdown
    assert "Since 2020-05-31: 4 rows moved (1 worse, 1 better, 2 new data)." in markdown
    table = status(data)
    assert "Was" in table
    assert "worse ↓" in table and "new data" in table and "better ↑" in table


def test_since_with_exceptions_and_a_place(data: Path) -> None:  # noqa: F811
    found = json.loads(status(data, "--exceptions", "--format", "json"))
    # only the exceptions' changes: "fine" moved but is not an exception
    assert [c["metric"] for c in found["summary"]["changes"]] == ["behind", "slipping", "plans"]
    found = json.loads(status(data, "--place", "fylde-coast", "--format", "json"))
    assert found["summary"]["changes"] == [
        change("plans", None, "overdue", "achieved", "better"),
        change("plans", "fylde-coast", "overdue", "achieved", "better"),
    ]


@pytest.mark.parametrize(
    ("since", "said"),
    [
        ("2020-13-01", "--since"),
        ("yesterday", "--since"),
        ("1800-01-01", "outside the dates"),
        ("2020-06-30", "--since 2020-06-30 must be before the as-of date (2020-06-30)"),
        ("2020-07-01", "must be before the as-of date"),
    ],
)
def test_a_bad_since_is_a_usage_error(data: Path, since: str, said: str) -> None:  # noqa: F811
    code, out, err = lsc(data, "status", "--as-of", str(AS_OF), "--since", since)
    assert code == 2 and out == ""
    assert said in err and "Traceback" not in err


def test_since_is_refused_with_missing(data: Path) -> None:  # noqa: F811
    code, _, err = lsc(data, "status", "--missing", "--period", "2020-06", "--since", "2020-05-31")
    assert code == 2 and "leave out --exceptions and --since" in err


def test_a_refused_since_writes_no_file(data: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "status.csv"
    code, _, err = lsc(
        data, "status", "--as-of", str(AS_OF), "--since", "2020-07-01", "-o", str(out)
    )
    assert code == 2 and "must be before" in err
    assert not out.exists()


@pytest.mark.slow  # a real process
def test_the_installed_lsc_on_a_copy_of_the_demo(tmp_path: Path) -> None:
    import shutil

    from conftest import DEMO_DATA, lsc_process

    demo = shutil.copytree(DEMO_DATA, tmp_path / "demo")
    args = ("status", "--as-of", "2024-03-31", "--exceptions", "--since", "2024-02-29")
    done = lsc_process(demo, *args, "--format", "markdown", env={"COLUMNS": "100"})
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    assert "On track (declared better)" in text  # the owner's rating better than measured
    assert "| ON TRACK | Talking therapies recovery rate |" in text  # on track, but...
    assert "trend misses: needs 0.06% a month" in text  # ...its trend misses
    assert "ON TRACK, worse ↓" in text and "OFF TRACK, better ↑" in text
    assert "Since 2024-02-29: 2 rows moved (1 worse, 1 better)." in text
