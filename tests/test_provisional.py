"""Provisional and final figures, and the source of a figure (issue 18, part 2): recording and
importing them, the log's line, ``lsc check``, ``lsc history``, and every status view."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from conftest import (
    RECORDING_METRICS,
    RECORDING_PLACES,
    RECORDING_PRIORITIES,
    WritePlan,
    lsc,
)
from lsc_tracker.loader import load

ACTUALS = """\
- {metric: ooa-placements, date: 2020-04-30, value: 80, by: jo}
- {metric: icp-plans, date: 2020-03-20, value: done, place: fylde-coast, by: jo}
"""


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS)


def hashes(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in directory.iterdir()
        if p.is_file() and p.name != ".actuals.yaml.lock"
    }


def log_lines(data: Path) -> list[str]:
    return (data / "actuals.yaml").read_text(encoding="utf-8").splitlines()


def record(data: Path, *args: str) -> tuple[int, str, str]:
    ran = lsc(data, "record", "ooa-placements", *args)
    return ran.exit_code, ran.stdout, ran.stderr


# --- recording ------------------------------------------------------------------------------


def test_record_provisional_with_a_source_writes_both_and_check_passes(data: Path) -> None:
    code, out, err = record(data, "70", "--date", "2020-05-31", "--provisional", "--source", "SUS")
    assert code == 0, err
    line = log_lines(data)[-1]
    assert line.startswith('- {"metric": "ooa-placements", "date": "2020-05-31", "value": 70')
    assert line.endswith(', "provisional": true, "source": "SUS"}')
    assert out.splitlines()[0] == line
    assert lsc(data, "check").exit_code == 0
    [entry] = [a for a in load(data)[0].actuals if a.date.isoformat() == "2020-05-31"]
    assert (entry.provisional, entry.source) == (True, "SUS")


def test_a_final_figure_confirms_a_provisional_one_without_replace(data: Path) -> None:
    assert record(data, "70", "--date", "2020-05-31", "--provisional")[0] == 0
    code, _, err = record(data, "72", "--date", "2020-05-31", "--source", "MHSDS")
    assert code == 0, err
    line = log_lines(data)[-1]
    assert '"replaces": true' in line and "provisional" not in line
    assert '"source": "MHSDS"' in line
    # now final: a further correction is an ordinary one, which needs --replace
    code, _, err = record(data, "73", "--date", "2020-05-31")
    assert code == 1
    assert "is already recorded as 72 by amy" in err and "add --replace" in err


def test_a_second_provisional_figure_needs_replace(data: Path) -> None:
    assert record(data, "70", "--date", "2020-05-31", "--provisional")[0] == 0
    before = hashes(data)
    code, _, err = record(data, "71", "--date", "2020-05-31", "--provisional")
    assert code == 1
    assert err == (
        "error: ooa-placements on 2020-05-31 is already recorded as 70 (provisional) by amy "
        "(actuals.yaml line 3): add --replace to correct it (a revised provisional figure)\n"
    )
    assert hashes(data) == before
    code, _, err = record(data, "71", "--date", "2020-05-31", "--provisional", "--replace")
    assert code == 0, err
    assert log_lines(data)[-1].endswith('"replaces": true, "provisional": true}')


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--void", "--date", "2020-04-30", "--reason", "x", "--provisional"], 2, "--provisional"),
        (["--void", "--date", "2020-04-30", "--reason", "x", "--source", "SUS"], 2, "--source"),
        (["5", "--date", "2020-05-31", "--source", "  "], 1, "source: give the name"),
    ],
)
def test_options_that_do_not_fit_are_refused_and_nothing_changes(
    data: Path, args: list[str], code: int, message: str
) -> None:
    before = hashes(data)
    got, _, err = record(data, *args)
    assert got == code
    assert message in err
    assert hashes(data) == before


def test_hand_written_and_tool_written_provisional_entries_load_alike(
    write_plan: WritePlan,
) -> None:
    hand = (
        "- {metric: ooa-placements, date: 2020-05-31, value: 70, provisional: true, source: SUS}\n"
    )
    tool = (
        '- {"metric": "ooa-placements", "date": "2020-05-31", "value": 70, '
        '"provisional": true, "source": "SUS"}\n'
    )
    loaded = []
    for text in (hand, tool):
        data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, text)
        plan, problems = load(data)
        assert problems == []
        loaded.append(plan.actuals)
    assert loaded[0] == loaded[1]
    assert loaded[0][0].provisional and loaded[0][0].source == "SUS"


def test_check_refuses_a_provisional_void(write_plan: WritePlan) -> None:
    text = (
        "- {metric: ooa-placements, date: 2020-05-31, value: 70}\n"
        "- {metric: ooa-placements, date: 2020-05-31, void: true, note: x, provisional: true}\n"
    )
    data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, text)
    result = lsc(data, "check")
    assert result.exit_code == 1
    assert "a void entry has no figure to be provisional" in result.stdout


# --- import ---------------------------------------------------------------------------------


def test_import_reads_the_status_and_source_columns(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "may.csv"
    path.write_text(
        "metric,date,value,status,source\n"
        "ooa-placements,2020-05-31,70,Provisional,SUS\n"
        "sickness-absence,2020-05-31,4.5,final,ESR\n"
        "ooa-placements,2020-06-30,66,,\n"
    )
    result = lsc(data, "import", str(path))
    assert result.exit_code == 0, result.stderr
    entries = {(a.metric, a.date.isoformat()): a for a in load(data)[0].actuals}
    may = entries[("ooa-placements", "2020-05-31")]
    assert (may.provisional, may.source) == (True, "SUS")
    assert (entries[("sickness-absence", "2020-05-31")].provisional,) == (False,)
    assert entries[("sickness-absence", "2020-05-31")].source == "ESR"
    assert entries[("ooa-placements", "2020-06-30")].source is None
    # next month's return confirms May: a final row for it needs no --replace
    path.write_text("metric,date,value,status\nooa-placements,2020-05-31,71,final\n")
    result = lsc(data, "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "replaced: ooa-placements on 2020-05-31: 71 replaces 70" in result.stderr
    assert log_lines(data)[-1].endswith('"replaces": true}')


def test_import_refuses_an_unknown_status_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    path = tmp_path / "may.csv"
    path.write_text("metric,date,value,status\nooa-placements,2020-05-31,70,draft\n")
    before = hashes(data)
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:2: column 'status': expected provisional or final (or nothing, for final), "
        "got 'draft'"
    )
    assert hashes(data) == before


# --- history --------------------------------------------------------------------------------


def test_history_shows_p_and_the_source(data: Path) -> None:
    record(data, "70", "--date", "2020-05-31", "--provisional", "--source", "SUS")
    table = lsc(data, "history", "ooa-placements")
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "line",
        "date",
        "value",
        "by",
        "recorded",
        "(UTC)",
        "source",
        "note",
    ]
    assert lines[1].split()[:4] == ["1", "2020-04-30", "80", "jo"]
    assert lines[2].split()[:5] == ["3", "2020-05-31", "70", "P", "amy"]
    assert lines[2].split()[-1] == "SUS"
    rows = json.loads(lsc(data, "history", "ooa-placements", "-f", "json").stdout)
    assert [(r["provisional"], r["source"]) for r in rows] == [(False, None), (True, "SUS")]
    found = list(
        csv.DictReader(io.StringIO(lsc(data, "history", "ooa-placements", "-f", "csv").stdout))
    )
    assert [(r["provisional"], r["source"]) for r in found] == [("false", ""), ("true", "SUS")]
