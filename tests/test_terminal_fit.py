"""Tables that fit the terminal (issue 17, point 1): an id is never split, and below the width
where every column fits, ``lsc status`` stacks each metric as ``Label: value`` lines rather
than dropping columns. Run through the installed ``lsc`` with COLUMNS, as a user's shell."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from conftest import DEMO_DATA, SHIPPED_DATA, Ran, WritePlan, lsc_process

LSC = (str(Path(sys.executable).with_name("lsc")),)
"""The installed console script, as a user runs it."""

LONG_ID = "mh-community-services-in-neighbourhood-teams"

METRICS = f"""\
metrics:
  - id: {LONG_ID}
    priority: P3
    name: Mental health community services delivered in neighbourhood teams
    direction: increase
    unit: "%"
    cadence: monthly
    baseline: {{date: 2019-03-31, value: 20}}
    targets: [{{by: 2021-03-31, value: 60}}]
  - id: icp-plans
    priority: P4
    name: Each ICP agrees a health inequalities plan
    kind: milestone
    due: 2020-03-31
    places: [fylde-coast, morecambe-bay]
"""

MONTHS = (
    *(f"2019-{month}" for month in ("04-30", "05-31", "06-30", "07-31", "08-31", "09-30")),
    *(f"2019-{month}" for month in ("10-31", "11-30", "12-31")),
    *(f"2020-{month}" for month in ("01-31", "02-29", "03-31", "04-30", "05-31", "06-30")),
)
"""15 monthly actuals: enough for SPC."""
ACTUALS = [{"metric": LONG_ID, "date": day, "value": 20 + k} for k, day in enumerate(MONTHS)]


def status_at(data: Path, columns: int, as_of: str = "2020-06-30") -> Ran:
    ran = lsc_process(data, "status", "--as-of", as_of, env={"COLUMNS": str(columns)}, command=LSC)
    assert ran.exit_code == 0, ran.stderr
    return ran


def assert_ids_whole(text: str, ids: list[str]) -> None:
    """Every id is a whole word of the text, and none is folded: a folded id leaves a word
    that starts it ("mh-community-services-in-n") and one that starts with the rest."""
    words = set(text.split())
    for metric_id in ids:
        assert metric_id in words, metric_id
        folded = [
            word
            for word in words
            if word != metric_id
            and metric_id.startswith(word)
            and any(other.startswith(metric_id[len(word) :]) for other in words)
        ]
        assert not folded, (metric_id, folded)


@pytest.mark.parametrize("columns", [60, 80, 100, 160])
def test_ids_are_whole_and_nothing_is_dropped_at_any_width(
    write_plan: WritePlan, columns: int
) -> None:
    data = write_plan(metrics=METRICS, actuals=ACTUALS)
    text = status_at(data, columns).stdout
    assert max(len(line.rstrip()) for line in text.splitlines()) <= columns
    assert_ids_whole(text, [LONG_ID, "icp-plans", "fylde-coast", "morecambe-bay"])
    # every figure is there, whatever the layout: latest, plan line, target, days, SPC
    flat = " ".join(text.split())
    for shown in ("34%", "2020-06-30", "45.01%", "60%", "2021-03-31", "274", "91", "improving"):
        assert shown in flat, (columns, shown)
    stacked = "  Target: 60% by 2021-03-31" in text
    assert stacked == (columns < 160), columns  # the other columns and the 44-character id


def test_the_stacked_layout_is_one_block_per_metric_under_its_priority(
    write_plan: WritePlan,
) -> None:
    data = write_plan(metrics=METRICS, actuals=ACTUALS)
    text = status_at(data, 60).stdout
    block = text[text.index("P4 Develop") :].splitlines()
    assert block[:14] == [
        "P4 Develop a group model for hospital services",
        "OVERDUE: 1 overdue",
        "",
        "icp-plans",
        "  Each ICP agrees a health inequalities plan",
        "  Status: OVERDUE",
        "  Target: done by 2020-03-31",
        "  Days: 91 past",
        "  ↳ fylde-coast",
        "    Status: OVERDUE",
        "    Target: done by 2020-03-31",
        "    Days: 91 past",
        "  ↳ morecambe-bay",
        "    Status: OVERDUE",
    ]
    measure = text[text.index(LONG_ID) :].splitlines()
    assert measure[0] == LONG_ID  # the id on its own line, whole
    assert "  Status: OFF TRACK" in measure
    assert "  Latest: 34% on 2020-06-30" in measure
    assert "  Plan line: 45.01%" in measure
    assert "  Days: 274 left" in measure
    assert "  SPC: improving ↑, will fail" in measure


def test_short_ids_keep_the_table_at_100_columns(write_plan: WritePlan) -> None:
    """A plan whose ids fit keeps the table, every column in it."""
    short = METRICS.replace(LONG_ID, "mh-teams")
    actuals = [{**entry, "metric": "mh-teams"} for entry in ACTUALS]
    text = status_at(write_plan(metrics=short, actuals=actuals), 100).stdout
    header = next(line for line in text.splitlines() if line.startswith("Status  "))
    assert header.split() == ["Status", "Metric", "Latest", "Plan", "line", "Target", "Days", "SPC"]
    assert_ids_whole(text, ["mh-teams", "icp-plans", "fylde-coast", "morecambe-bay"])
    assert max(len(line) for line in text.splitlines()) <= 100


def test_the_shipped_plan_is_a_table_at_80_columns_with_every_id_whole() -> None:
    """The issue's case: the shipped plan at 80 columns (a laptop, a pipe). Its longest id
    (44 characters) fits beside Status, Latest, Target and Days, whole."""
    ids = [m["id"] for m in yaml.safe_load((SHIPPED_DATA / "metrics.yaml").read_text())["metrics"]]
    text = status_at(SHIPPED_DATA, 80, "2021-03-31").stdout
    assert "Status      Metric" in text and "  Target: " not in text
    assert_ids_whole(text, ids)
    assert max(len(line) for line in text.splitlines()) <= 80


def test_a_pipe_is_80_columns(write_plan: WritePlan) -> None:
    """With no COLUMNS and no terminal (a pipe, a file), the width is 80, as before."""
    data = write_plan(metrics=METRICS, actuals=ACTUALS)
    ran = lsc_process(data, "status", "--as-of", "2020-06-30", env={"COLUMNS": None}, command=LSC)
    assert ran.exit_code == 0, ran.stderr
    assert "  Target: 60% by 2021-03-31" in ran.stdout  # stacked: the long id needs 107
    assert max(len(line.rstrip()) for line in ran.stdout.splitlines()) <= 80


PLACES_METRICS = f"""\
{METRICS}  - id: {LONG_ID}-by-place
    priority: P3
    name: The same, by place
    description: Share of community mental health services delivered in teams.
    direction: increase
    places: [central-lancashire-and-the-fylde-coast, morecambe-bay]
"""
PLACES = """\
places:
  - {id: lsc, name: Lancashire and South Cumbria}
  - {id: central-lancashire-and-the-fylde-coast, name: Central and Fylde, parent: lsc}
  - {id: morecambe-bay, name: Morecambe Bay, parent: lsc}
  - {id: fylde-coast, name: Fylde Coast, parent: lsc}
"""
PLACE_ACTUALS = [
    {"metric": f"{LONG_ID}-by-place", "date": day, "value": 30 + k, "place": place, "by": "jo"}
    for k, day in enumerate(MONTHS[:3])
    for place in ("central-lancashire-and-the-fylde-coast", "morecambe-bay")
]


@pytest.mark.slow  # over a second
@pytest.mark.parametrize("columns", [60, 120])
def test_history_and_show_keep_ids_whole(write_plan: WritePlan, columns: int) -> None:
    data = write_plan(places=PLACES, metrics=PLACES_METRICS, actuals=ACTUALS + PLACE_ACTUALS)
    env = {"COLUMNS": str(columns)}
    ids = [f"{LONG_ID}-by-place", "central-lancashire-and-the-fylde-coast", "morecambe-bay"]
    history = lsc_process(data, "history", ids[0], env=env, command=LSC)
    assert history.exit_code == 0, history.stderr
    assert_ids_whole(history.stdout, ids[1:])
    assert history.stdout.count("place: central-lancashire-and-the-fylde-coast") == (
        3 if columns == 60 else 0  # at 60 each entry is a block, at 120 a table row
    )
    assert "jo" in history.stdout.split()
    for args in (["show", ids[0]], ["show", LONG_ID]):
        shown = lsc_process(data, *args, "--as-of", "2020-06-30", env=env, command=LSC)
        assert shown.exit_code == 0, shown.stderr
        assert_ids_whole(shown.stdout, ids if args[1] == ids[0] else [LONG_ID])
        assert max(len(line.rstrip()) for line in shown.stdout.splitlines()) <= columns


def test_owner_updates_keep_their_note_on_a_narrow_terminal() -> None:
    """At 60 columns history's owner updates are a block each: the note and the action are
    there, not cropped away with their columns."""
    ran = lsc_process(DEMO_DATA, "history", "ae-four-hour", env={"COLUMNS": "60"}, command=LSC)
    assert ran.exit_code == 0, ran.stderr
    updates = ran.stdout[ran.stdout.index("owner updates") :].splitlines()
    assert updates[1:4] == ["2024-02-09", "  rating: At risk", "  by: Demo urgent care lead"]
    assert "  note: Demo: winter demand above plan" in updates
    assert any(line.startswith("  action: Demo: same-day emergency care") for line in updates)
    assert max(len(line.rstrip()) for line in ran.stdout.splitlines()) <= 60
