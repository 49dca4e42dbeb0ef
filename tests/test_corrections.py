"""Corrections (issue 16, part 2): ``lsc record --void``, ``lsc import --replace``, and what
an import prints."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import (
    RECORDING_METRICS,
    RECORDING_PLACES,
    RECORDING_PRIORITIES,
    WritePlan,
    hashes,
    lsc,
)
from lsc_tracker.loader import load
from lsc_tracker.plan import counted_actuals

ACTUALS = """\
- {metric: ooa-placements, date: 2020-04-30, value: 80, by: jo}
- {metric: ooa-placements, date: 2020-05-31, value: 70, by: jo}
- {metric: icp-plans, date: 2020-03-20, value: done, place: fylde-coast, by: jo}
"""


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS)


def latest(data: Path, metric: str) -> object:
    status = json.loads(lsc(data, "status", "--format", "json").stdout)
    [found] = [m for m in status["metrics"] if m["id"] == metric]
    return found["latest"]


def void(data: Path, *args: str) -> tuple[int, str, str]:
    code, out, err = lsc(data, "record", *args)
    return code, out, err


# --- record --void ------------------------------------------------------------------------------


def test_a_void_withdraws_the_entry_and_the_log_keeps_it(data: Path) -> None:
    assert latest(data, "ooa-placements") == {"date": "2020-05-31", "value": 70}
    code, out, err = void(
        data, "ooa-placements", "--void", "--date", "2020-05-31", "--reason", "was June's figure"
    )
    assert code == 0, err
    line, status = out.splitlines()
    assert line.startswith(
        '- {"metric": "ooa-placements", "date": "2020-05-31", "note": "was June\'s figure", '
        '"by": "amy", "recorded": "'
    )
    assert line.endswith('"void": true}')
    assert status.startswith("status: ooa-placements is ") and "latest 80 on 2020-04-30" in status
    assert (data / "actuals.yaml").read_text().startswith(ACTUALS)  # the audit trail stays
    assert latest(data, "ooa-placements") == {"date": "2020-04-30", "value": 80}
    assert lsc(data, "check").exit_code == 0


def test_a_void_withdraws_every_earlier_entry_for_the_key_and_then_it_is_free(data: Path) -> None:
    assert (
        lsc(data, "record", "ooa-placements", "71", "--date", "2020-05-31", "--replace").exit_code
        == 0
    )
    assert void(data, "ooa-placements", "--void", "--date", "2020-05", "--reason", "x")[0] == 0
    assert latest(data, "ooa-placements") == {"date": "2020-04-30", "value": 80}
    # nothing left to replace or void; a new value needs no --replace
    code, _, err = lsc(data, "record", "ooa-placements", "72", "--date", "2020-05-31", "--replace")
    assert (code, err) == (
        1,
        "error: there is no entry for ooa-placements on 2020-05-31 to replace: leave out "
        "--replace\n",
    )
    assert lsc(data, "record", "ooa-placements", "72", "--date", "2020-05-31").exit_code == 0
    assert latest(data, "ooa-placements") == {"date": "2020-05-31", "value": 72}
    assert lsc(data, "check").exit_code == 0


def test_a_void_at_a_place(data: Path) -> None:
    code, _, err = void(
        data, "icp-plans", "--void", "--date", "2020-03-20", "--place", "fylde-coast",
        "--reason", "not signed off after all",
    )  # fmt: skip
    assert code == 0, err
    plan, problems = load(data)
    assert problems == []
    assert [a for a in plan.counted if a.metric == "icp-plans"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ooa-placements", "--void", "--date", "2020-06-30", "--reason", "x"],
            "error: there is no entry for ooa-placements on 2020-06-30 to void\n",
        ),
        (
            ["icp-plans", "--void", "--date", "2020-03-20", "--place", "morecambe-bay",
             "--reason", "x"],
            "error: there is no entry for icp-plans at morecambe-bay on 2020-03-20 to void\n",
        ),
        (
            ["icp-plans", "--void", "--date", "2020-03-20", "--reason", "x"],
            "error: icp-plans is tracked by place: give one of fylde-coast, morecambe-bay\n",
        ),
        (
            ["ooa-placement", "--void", "--date", "2020-05-31", "--reason", "x"],
            "error: unknown metric 'ooa-placement' (did you mean 'ooa-placements'?)\n",
        ),
        (
            ["ooa-placements", "--void", "--date", "2020/22", "--reason", "x"],
            "error: date: 2020/22 is not a financial year: one runs from April to March, "
            "as in 2020/21\n",
        ),
    ],
)  # fmt: skip
def test_a_void_that_cannot_be_is_refused_and_nothing_changes(
    data: Path, args: list[str], message: str
) -> None:
    before = hashes(data)
    code, out, err = lsc(data, "record", *args)
    assert (code, out, err) == (1, "", message)
    assert hashes(data) == before


def test_a_second_void_of_the_same_key_is_refused(data: Path) -> None:
    assert void(data, "ooa-placements", "--void", "--date", "2020-05-31", "--reason", "x")[0] == 0
    before = hashes(data)
    code, _, err = void(data, "ooa-placements", "--void", "--date", "2020-05-31", "--reason", "y")
    assert (code, err) == (1, "error: there is no entry for ooa-placements on 2020-05-31 to void\n")
    assert hashes(data) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["3", "--void", "--date", "2020-05-31", "--reason", "x"], "takes no VALUE (got '3')"),
        (["--void", "--date", "2020-05-31"], "--void needs --reason TEXT"),
        (["--void", "--date", "2020-05-31", "--reason", "  "], "--void needs --reason TEXT"),
        (["--void", "--reason", "x"], "--void needs --date"),
        (["--void", "--date", "2020-05-31", "--reason", "x", "--replace"], "do not go together"),
        (["--void", "--date", "2020-05-31", "--reason", "x", "--note", "y"], "not --note"),
        (["3", "--date", "2020-05-31", "--reason", "x"], "--reason goes with --void"),
        ([], "missing VALUE"),
    ],
)
def test_void_options_that_do_not_fit_are_usage_errors(
    data: Path, args: list[str], message: str
) -> None:
    before = hashes(data)
    code, out, err = lsc(data, "record", "ooa-placements", *args)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1, err
    assert hashes(data) == before


def test_history_shows_the_void_who_and_why(data: Path) -> None:
    assert (
        lsc(data, "record", "ooa-placements", "71", "--date", "2020-05-31", "--replace").exit_code
        == 0
    )
    assert (
        void(data, "ooa-placements", "--void", "--date", "2020-05-31", "--reason", "wrong")[0] == 0
    )
    rows = json.loads(lsc(data, "history", "ooa-placements", "--format", "json").stdout)
    shown = [(r["line"], r["value"], r["superseded"], r["void"], r["voided"]) for r in rows]
    assert shown == [
        (1, 80, False, False, False),
        (2, 70, True, False, True),
        (4, 71, False, False, True),
        (5, None, False, True, False),
    ]
    assert (rows[1]["voided_by"], rows[1]["void_reason"], rows[1]["void_line"]) == (
        "amy",
        "wrong",
        5,
    )
    assert rows[3]["note"] == "wrong" and rows[3]["by"] == "amy"
    table = lsc(data, "history", "ooa-placements").stdout
    assert "voided by amy (line 5)" in table
    assert "void" in table.splitlines()[-1] and "wrong" in table.splitlines()[-1]


# --- the log: check and load -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            '- {"metric": "ooa-placements", "date": "2020-06-30", "note": "x", "void": true}',
            "actuals.yaml:4:75: error: a void for ooa-placements on 2020-06-30, but no entry "
            "before it for that metric, place and date is left to withdraw (void-nothing)",
        ),
        (
            "- {metric: ooa-placements, date: 2020-05-31, value: 3, note: x, void: true}",
            "4:3: error: a void entry has no value: remove 'value' (or 'void') (schema)",
        ),
        (
            "- {metric: ooa-placements, date: 2020-05-31, void: true}",
            "4:3: error: a void entry needs a note saying why it withdraws the entries (schema)",
        ),
        (
            "- {metric: ooa-placements, date: 2020-05-31, note: x, void: true, replaces: true}",
            "a void entry withdraws, it does not replace: remove 'replaces' (schema)",
        ),
        (
            "- {metric: ooa-placements, date: 2020-05-31, note: x}",
            "4:3: error: missing required key 'value' (schema)",
        ),
    ],
)
def test_check_holds_voids_to_their_rules(write_plan: WritePlan, entry: str, message: str) -> None:
    data = write_plan(
        RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS + entry + "\n"
    )
    code, out, _ = lsc(data, "check")
    assert code == 1
    assert message in out, out


def test_a_tool_written_void_loads_as_a_hand_written_one(write_plan: WritePlan) -> None:
    tool = '- {"metric": "ooa-placements", "date": "2020-05-31", "note": "x", "void": true}\n'
    hand = "- {metric: ooa-placements, date: 2020-05-31, note: x, void: true}\n"
    fast = '- {"metric": "ooa-placements", "date": "2020-04-30", "value": 80}\n'
    loaded = []
    for name, text in (("tool", fast + fast.replace("04-30", "05-31") + tool), ("hand", None)):
        text = text or fast + fast.replace("04-30", "05-31") + hand
        data = write_plan(
            RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, text, directory=name
        )
        plan, problems = load(data)
        assert problems == []
        loaded.append(plan.actuals)
    assert loaded[0] == loaded[1]
    assert [a.void for a in loaded[0]] == [False, False, True]
    assert [a.date for a in counted_actuals(loaded[0])] == [date(2020, 4, 30)]


def test_counted_actuals_keeps_what_comes_after_a_void() -> None:
    from lsc_tracker.models import VOID_VALUE, Actual

    day = date(2020, 5, 31)
    a, b = Actual("m", day, 1.0), Actual("m", day, 2.0, replaces=True)
    v = Actual("m", day, VOID_VALUE, note="x", void=True)
    c, other = Actual("m", day, 3.0), Actual("n", day, 4.0)
    assert counted_actuals([a, other, b, v, c]) == [other, c]
    log = [a, other]
    assert counted_actuals(log) is log


# --- import --replace and what an import prints ----------------------------------------------


def test_import_replace_replaces_and_the_dry_run_says_what(data: Path, tmp_path: Path) -> None:
    csv = tmp_path / "may.csv"
    csv.write_text("metric,date,value\nooa-placements,2020-05-31,65\nooa-placements,2020-06,60\n")
    before = hashes(data)
    refused = lsc(data, "import", str(csv))
    assert refused.exit_code == 1
    assert "already recorded as 70 by jo (actuals.yaml line 2): add --replace" in refused.stderr
    dry = lsc(data, "import", str(csv), "--replace", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stderr.splitlines() == [
        "would replace: ooa-placements on 2020-05-31: 65 replaces 70 (by jo, actuals.yaml line 2)",
        "dry run: 2 entries would be recorded; nothing was written",
    ]
    assert hashes(data) == before
    done = lsc(data, "import", str(csv), "--replace")
    assert done.exit_code == 0, done.stderr
    assert "replaced: ooa-placements on 2020-05-31: 65 replaces 70" in done.stderr
    written = (data / "actuals.yaml").read_text().splitlines()[-2:]
    assert written[0].endswith('"replaces": true}') and "replaces" not in written[1]
    assert latest(data, "ooa-placements") == {"date": "2020-06-30", "value": 60}
    assert lsc(data, "check").exit_code == 0
    history = json.loads(lsc(data, "history", "ooa-placements", "-f", "json").stdout)
    assert [r["superseded"] for r in history] == [False, True, False, False]


def test_a_thousand_row_replace_import_with_one_bad_row_writes_nothing(
    data: Path, tmp_path: Path
) -> None:
    start = date(2017, 1, 1)
    rows = [f"ooa-placements,{start + timedelta(days=i)},{i}" for i in range(1000)]
    rows[500] = "ooa-placements,2020-05-31,50"  # replaces line 2
    rows[636] = f"ooa-placements,{start + timedelta(days=636)},six hundred"
    csv = tmp_path / "years.csv"
    csv.write_text("metric,date,value\n" + "\n".join(rows) + "\n")
    before = hashes(data)
    code, out, err = lsc(data, "import", str(csv), "--replace")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{csv}:638: column 'value': 'six hundred' is not a value for ooa-placements: "
        "expected a number like 42, -3.5 or 101,000",
        "error: nothing was imported: 1 row cannot be recorded",
    ]
    assert hashes(data) == before


def test_an_import_prints_what_it_wrote_and_each_status(data: Path, tmp_path: Path) -> None:
    csv = tmp_path / "june.csv"
    csv.write_text(
        "metric,date,value,place\n"
        "ooa-placements,2020-06-30,60,\n"
        "sickness-absence,2020-06-30,4.1%,\n"
        "icp-plans,2020-06-20,done,morecambe-bay\n"
    )
    code, out, err = lsc(data, "import", str(csv))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:3] == (data / "actuals.yaml").read_text().splitlines()[-3:]
    assert lines[3].startswith("status: ooa-placements is ")
    assert lines[4].startswith("status: sickness-absence is ")
    assert lines[5].startswith("status: icp-plans at morecambe-bay is ")
    assert lines[5].endswith("; all places: ACHIEVED (late)") or "all places" in lines[5]
    assert len(lines) == 6


def test_a_big_import_prints_a_summary(data: Path, tmp_path: Path) -> None:
    start = date(2017, 1, 1)
    rows = [f"ooa-placements,{start + timedelta(days=i)},{i}" for i in range(30)]
    csv = tmp_path / "days.csv"
    csv.write_text("metric,date,value\n" + "\n".join(rows) + "\n")
    code, out, err = lsc(data, "import", str(csv))
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 12
    assert lines[10] == "... and 20 more entries (see 'lsc history')"
    assert lines[11].startswith("status: ooa-placements is ")
    quiet = lsc(data, "import", str(csv), "--replace", "--quiet")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_history_says_what_replaced_what_and_the_period(write_plan: WritePlan) -> None:
    metrics = RECORDING_METRICS.replace(
        "    unit: placements\n", "    unit: placements\n    cadence: monthly\n", 1
    )
    data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, metrics, ACTUALS)
    assert (
        lsc(data, "record", "ooa-placements", "71", "--date", "2020-05", "--replace").exit_code == 0
    )
    rows = json.loads(lsc(data, "history", "ooa-placements", "--format", "json").stdout)
    assert [(r["period"], r["replaced_line"], r["superseded_by_line"]) for r in rows] == [
        ("April 2020", None, None),
        ("May 2020", None, 4),
        ("May 2020", 2, None),
    ]
    table = lsc(data, "history", "ooa-placements").stdout
    assert table.splitlines()[0].split()[:3] == ["line", "date", "for"]
    assert "superseded by line 4" in table and "replaces line 2" in table
    assert "May 2020" in table
