"""Return forms (issue 16, part 5): ``lsc return-form`` and ``lsc status --missing``; the form
round-trips (generate, fill, import, status)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import WritePlan, hashes, lsc
from lsc_tracker.loader import load
from lsc_tracker.return_forms import expected

PLACES = """\
places:
  - {id: lsc, name: Lancashire and South Cumbria}
  - {id: north, name: North, parent: lsc}
  - {id: south, name: South, parent: lsc}
"""

METRICS = [
    {"id": "waits", "priority": "P3", "name": "=People waiting", "direction": "decrease",
     "unit": "people", "cadence": "monthly", "owner": "Jo Bloggs\x1b[31m",
     "targets": [{"by": "2021-03-31", "value": 10}]},
    {"id": "sickness", "priority": "P3", "name": "Sickness absence", "direction": "decrease",
     "unit": "%", "cadence": "quarterly", "owner": "HR lead"},
    {"id": "spend", "priority": "P4", "name": "Spend per person", "direction": "decrease",
     "cadence": "annual"},
    {"id": "quits", "priority": "P4", "name": "Smoking quits", "direction": "increase",
     "cadence": "monthly", "places": ["north", "south"]},
    {"id": "no-cadence", "priority": "P3", "name": "No cadence", "direction": "increase"},
    {"id": "plan-agreed", "priority": "P3", "name": "Plan agreed", "kind": "milestone",
     "due": "2020-09-30"},
]  # fmt: skip

LOG = """\
- {metric: waits, date: 2020-05-31, value: 40}
- {metric: sickness, date: 2020-03-31, value: 5.1}
- {metric: quits, date: 2020-06-30, value: 12, place: north}
"""


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(places=PLACES, metrics=METRICS, actuals=LOG)


def keys(data: Path, day: date, **options: object) -> list[tuple[str, str | None]]:
    plan, problems = load(data)
    assert problems == []
    return [(e.metric.id, e.place) for e in expected(plan, day, **options)]  # type: ignore[arg-type]


# --- which values a period expects ------------------------------------------------------------


def test_a_period_expects_what_its_cadences_end(data: Path) -> None:
    assert keys(data, date(2020, 5, 31)) == [
        ("waits", None),
        ("quits", "north"),
        ("quits", "south"),
    ]
    assert keys(data, date(2020, 6, 30)) == [
        ("waits", None),
        ("sickness", None),
        ("quits", "north"),
        ("quits", "south"),
    ]
    assert keys(data, date(2021, 3, 31)) == [
        ("waits", None),
        ("sickness", None),
        ("spend", None),
        ("quits", "north"),
        ("quits", "south"),
    ]
    assert keys(data, date(2020, 6, 15)) == []
    assert keys(data, date(2020, 6, 30), priorities=("P4",)) == [
        ("quits", "north"),
        ("quits", "south"),
    ]
    assert keys(data, date(2020, 6, 30), place="south") == [("quits", "south")]


def test_a_withdrawn_metric_expects_nothing(write_plan: WritePlan) -> None:
    withdrawn = dict(METRICS[0])
    withdrawn["revisions"] = [
        {"decided": "2020-04-15", "by": "ICS board", "reason": "Replaced", "withdrawn": True}
    ]
    data = write_plan(places=PLACES, metrics=[withdrawn, METRICS[1]])
    assert keys(data, date(2020, 3, 31)) == [("waits", None), ("sickness", None)]
    assert keys(data, date(2020, 6, 30)) == [("sickness", None)]


# --- the form, round trip ----------------------------------------------------------------------


def test_an_xlsx_form_round_trips(data: Path, tmp_path: Path) -> None:
    form = tmp_path / "june.xlsx"
    before = hashes(data)
    code, out, err = lsc(data, "return-form", "--period", "2020-06", "--output", str(form))
    assert (code, out) == (0, "")
    assert err == f"form written to {form}: 4 rows for June 2020, 2020/21 Q1 (1 already recorded)\n"
    assert hashes(data) == before
    book = load_workbook(form)
    sheet = book["actuals"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "metric", "place", "date", "value", "status", "source", "note",
        "name", "unit", "last value", "last date", "target", "owner",
    ]  # fmt: skip
    assert rows[1][:7] == ["waits", None, rows[1][2], None, None, None, None]
    assert rows[1][2].date() == date(2020, 6, 30)
    assert rows[1][7:] == [
        "=People waiting", "people", "40", "2020-05-31", "10 by 2021-03-31", "Jo Bloggs\ufffd[31m",
    ]  # fmt: skip
    assert sheet["H2"].data_type == "s"  # a name starting with = is text, not a formula
    assert sheet.protection.sheet and not sheet["D2"].protection.locked
    assert not any(sheet[f"{c}2"].protection.locked for c in "DEFG")  # value, status, source, note
    assert sheet["H2"].protection.locked and sheet["C2"].protection.locked
    (choices,) = sheet.data_validations.dataValidation
    assert (choices.formula1, str(choices.sqref)) == ('"final,provisional"', "E2:E5")
    assert [r[1] for r in rows[1:]] == [None, None, "north", "south"]
    # the owner fills in two of the four, and leaves the rest for later
    sheet["D2"] = 38
    sheet["E2"] = "provisional"  # a figure to be confirmed, from the system it came from
    sheet["F2"] = "MHSDS"
    sheet["D3"] = 4.6
    book.save(form)
    code, out, err = lsc(data, "import", str(form))
    assert code == 0, err
    assert "recorded 2 entries" in err
    text = (data / "actuals.yaml").read_text()
    assert '"metric": "waits", "date": "2020-06-30", "value": 38' in text
    assert '"provisional": true, "source": "MHSDS"}' in text
    assert '"metric": "sickness", "date": "2020-06-30", "value": 4.6' in text
    missing = lsc(data, "status", "--missing", "--period", "2020-06")
    assert missing.exit_code == 0
    assert missing.stdout.splitlines()[0] == (
        "outstanding for June 2020, 2020/21 Q1 (2020-06-30): 1 of 4 expected values"
    )
    assert missing.stdout.splitlines()[2].split() == ["quits", "south", "never"]


def test_a_csv_form_round_trips_even_after_excel_saves_it(data: Path, tmp_path: Path) -> None:
    form = tmp_path / "june.csv"
    assert lsc(data, "return-form", "--period", "2020/21 Q1", "--output", str(form)).exit_code == 0
    raw = form.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1][:8] == ["waits", "", "2020-06-30", "", "", "", "", "'=People waiting"]
    # Excel in a UK locale saves dates as DD/MM/YYYY; fill in every value
    rows[1][3], rows[2][3], rows[3][3], rows[4][3] = "38", "4.6%", "13", "9"
    for row in rows[1:]:
        row[2] = "30/06/2020"
    rows[3][3] = ""  # quits at north is already recorded: left blank
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    form.write_text(out.getvalue(), encoding="utf-8-sig")
    code, _, err = lsc(data, "import", str(form))
    assert code == 0, err
    assert "recorded 3 entries" in err
    assert lsc(data, "status", "--missing", "--period", "2020-06").stdout.startswith(
        "outstanding for June 2020, 2020/21 Q1 (2020-06-30): 0 of 4 expected values"
    )
    assert lsc(data, "check").exit_code == 0


def test_an_unfilled_form_imports_nothing(data: Path, tmp_path: Path) -> None:
    form = tmp_path / "june.csv"
    assert lsc(data, "return-form", "--period", "2020-06", "--output", str(form)).exit_code == 0
    before = hashes(data)
    code, _, err = lsc(data, "import", str(form))
    assert code == 1
    assert err.splitlines() == [
        f"{form}:1: no rows to import: no row of this return form has a value yet",
        "error: nothing was imported",
    ]
    assert hashes(data) == before


def test_a_form_row_filled_for_a_recorded_value_is_refused_without_replace(
    data: Path, tmp_path: Path
) -> None:
    form = tmp_path / "june.csv"
    assert lsc(data, "return-form", "--period", "2020-06", "--output", str(form)).exit_code == 0
    text = form.read_text(encoding="utf-8-sig").replace(
        "quits,north,2020-06-30,,", "quits,north,2020-06-30,14,"
    )
    form.write_text(text, encoding="utf-8-sig")
    before = hashes(data)
    refused = lsc(data, "import", str(form))
    assert refused.exit_code == 1 and "already recorded as 12" in refused.stderr
    assert hashes(data) == before
    assert lsc(data, "import", str(form), "--replace").exit_code == 0


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--period", "2020-06", "--output", "june.pdf"], 2, "is FILE.xlsx or FILE.csv"),
        (["--period", "2020-13", "--output", "june.csv"], 2, "2020-13 is not a month"),
        (["--output", "june.csv"], 2, "Missing option '--period'"),
        (["--period", "2020-06"], 2, "Missing option '--output'"),
        (["--period", "2020-06-15", "--output", "june.csv"], 1, "no metric expects a value"),
        (["--period", "2020-06", "-p", "P9", "--output", "june.csv"], 1, "unknown priority"),
        (["--period", "2020-06", "--place", "west", "--output", "june.csv"], 1, "unknown place"),
    ],
)  # fmt: skip
def test_a_form_that_cannot_be_is_refused_and_nothing_is_written(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int,
    message: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    before = hashes(data)
    result = lsc(data, "return-form", *args)
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.output
    assert hashes(data) == before
    assert not list(tmp_path.glob("june.*"))


def test_a_form_never_overwrites_a_data_file(data: Path) -> None:
    before = hashes(data)
    result = lsc(data, "return-form", "--period", "2020-06", "--output", str(data / "x.csv"))
    assert result.exit_code == 0  # a new file beside the data is fine
    (data / "x.csv").unlink()
    result = lsc(data, "return-form", "--period", "2020-06", "--output", str(data / "actuals.yaml"))
    assert result.exit_code == 2
    assert hashes(data) == before


# --- status --missing --------------------------------------------------------------------------


def test_missing_lists_who_to_chase_with_user_text_visible(data: Path) -> None:
    result = lsc(data, "status", "--missing", "--period", "2020-06")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "outstanding for June 2020, 2020/21 Q1 (2020-06-30): 3 of 4 expected values"
    assert lines[1].split() == ["metric", "place", "owner", "last", "recorded"]
    assert lines[2].startswith("waits") and "Jo Bloggs\\x1b[31m" in lines[2]
    assert "\x1b" not in result.stdout
    assert lines[2].rstrip().endswith("40 on 2020-05-31")
    assert lines[3].split() == ["sickness", "HR", "lead", "5.1%", "on", "2020-03-31"]
    assert lines[4].split() == ["quits", "south", "never"]


def test_missing_as_json_and_csv(data: Path) -> None:
    found = json.loads(lsc(data, "status", "--missing", "--period", "2020-06", "-f", "json").stdout)
    assert (found["period"], found["date"], found["expected"]) == (
        "June 2020, 2020/21 Q1",
        "2020-06-30",
        4,
    )
    assert [(r["metric"], r["place"]) for r in found["outstanding"]] == [
        ("waits", None),
        ("sickness", None),
        ("quits", "south"),
    ]
    rows = list(
        csv.reader(
            io.StringIO(lsc(data, "status", "--missing", "--period", "2020-06", "-f", "csv").stdout)
        )
    )
    assert rows[0] == ["metric", "place", "date", "name", "owner", "last_value", "last_date"]
    assert rows[1][3] == "'=People waiting"
    assert (
        lsc(data, "status", "--missing", "--period", "2020-06", "--place", "south")
        .stdout.splitlines()[0]
        .endswith("1 of 1 expected value")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--missing"], "--missing needs --period"),
        (["--missing", "--period", "2020/22"], "2020/22 is not a financial year"),
        (["--missing", "--period", "2020-06", "--output", "x.csv"], "leave out --output"),
        (["--missing", "--period", "2020-06", "--format", "markdown"], "a table, json or csv"),
    ],
)
def test_missing_usage_errors(data: Path, args: list[str], message: str) -> None:
    result = lsc(data, "status", *args)
    assert result.exit_code == 2
    assert message in result.stderr
