"""`lsc record`, `lsc import` and `lsc history` as a data owner uses them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import (
    RECORDING_METRICS,
    RECORDING_PLACES,
    RECORDING_PRIORITIES,
    SHIPPED_DATA,
    WritePlan,
    lsc,
)
from lsc_tracker.loader import load

TODAY = date.today()
LSC = Path(sys.executable).with_name("lsc")

PRIORITIES, PLACES, METRICS = RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS

ACTUALS = """\
# yaml-language-server: $schema=../schemas/actuals.schema.json
# Recorded by hand before the tool existed.
- {metric: ooa-placements, date: 2020-04-30, value: 80, by: jo}
"""


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(PRIORITIES, PLACES, METRICS, ACTUALS)


def hashes(directory: Path) -> dict[str, str]:
    """Every file in the directory but the (empty) lock file, with its sha256."""
    found = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in directory.iterdir()
        if path.name != ".actuals.yaml.lock"
    }
    lock = directory / ".actuals.yaml.lock"
    assert not lock.exists() or lock.stat().st_size == 0
    return found


# --- record ---------------------------------------------------------------------------------


def test_record_prints_the_entry_and_the_new_status(data: Path) -> None:
    result = lsc(data, "record", "ooa-placements", "57", "--date", "2020-06-30", "--note", "June")
    assert result.exit_code == 0, result.output
    line, status = result.stdout.splitlines()
    assert line.startswith(
        '- {"metric": "ooa-placements", "date": "2020-06-30", "value": 57, "note": "June", '
        '"by": "amy", "recorded": "'
    )
    assert status.startswith("status: ooa-placements is ACHIEVED (latest 57 on 2020-06-30")
    assert (data / "actuals.yaml").read_text() == ACTUALS + line + "\n"
    recorded = datetime.fromisoformat(json.loads(line[2:])["recorded"])
    assert abs(datetime.now(UTC) - recorded) < timedelta(minutes=1)


def test_what_record_writes_check_accepts_and_status_uses(data: Path) -> None:
    assert lsc(data, "record", "ooa-placements", "57", "--date", "2020-06-30").exit_code == 0
    assert lsc(data, "check").exit_code == 0
    status = json.loads(lsc(data, "status", "--format", "json").stdout)
    [ooa] = [m for m in status["metrics"] if m["id"] == "ooa-placements"]
    assert (ooa["latest"], ooa["status"]) == ({"date": "2020-06-30", "value": 57}, "achieved")

    corrected = lsc(data, "record", "ooa-placements", "75", "--date", "2020-06-30", "--replace")
    assert corrected.exit_code == 0, corrected.output
    assert '"value": 75, "by": "amy", "recorded": ' in corrected.stdout
    assert '"replaces": true}' in corrected.stdout
    assert lsc(data, "check").exit_code == 0
    status = json.loads(lsc(data, "status", "--format", "json").stdout)
    [ooa] = [m for m in status["metrics"] if m["id"] == "ooa-placements"]
    assert ooa["latest"] == {"date": "2020-06-30", "value": 75}
    assert ooa["status"] != "achieved"


def test_values_by_place_percent_thousands_negative_and_done(data: Path) -> None:
    for args in (
        ["icp-plans", "done", "--place", "fylde-coast", "--date", "2020-03-01"],
        ["sickness-absence", "4.5%", "--date", "2020-05-31"],
        ["ooa-placements", "101,000", "--date", "2020-05-31"],
        ["ooa-placements", "-3.5", "--date", "2020-03-31"],
    ):
        result = lsc(data, "record", *args)
        assert result.exit_code == 0, result.output
    values = [(a.metric, a.place, a.value) for a in load(data)[0].actuals[1:]]
    assert values == [
        ("icp-plans", "fylde-coast", "done"),
        ("sickness-absence", None, 4.5),
        ("ooa-placements", None, 101000.0),
        ("ooa-placements", None, -3.5),
    ]


def test_the_recorder_is_by_then_lsc_user_then_the_login_name(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lsc(data, "record", "ooa-placements", "1", "--date", "2020-01-31", "--by", "Jo Bloggs")
    lsc(data, "record", "ooa-placements", "2", "--date", "2020-02-29")
    monkeypatch.delenv("LSC_USER")
    monkeypatch.setattr("getpass.getuser", lambda: "login-name")
    lsc(data, "record", "ooa-placements", "3", "--date", "2020-03-31")

    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr("getpass.getuser", no_user)
    lsc(data, "record", "ooa-placements", "4", "--date", "2020-05-31")
    assert [a.by for a in load(data)[0].actuals[1:]] == [
        "Jo Bloggs",
        "amy",
        "login-name",
        "unknown",
    ]


def test_a_note_comes_back_exactly_as_given(data: Path) -> None:
    note = 'June: "draft" # not a comment\nsecond line\t\\ \u2028 é'
    assert (
        lsc(data, "record", "ooa-placements", "1", "--date", "2020-01-31", "--note", note).exit_code
        == 0
    )
    assert load(data)[0].actuals[-1].note == note
    history = json.loads(lsc(data, "history", "ooa-placements", "--format", "json").stdout)
    assert history[-1]["note"] == note


TRUNCATED = ACTUALS + '- {"metric": "ooa-placements", "date": "2020-05-'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ooa-placments", "1"], "unknown metric 'ooa-placments' (did you mean 'ooa-placements'?)"),
        (
            ["icp-plans", "done", "--place", "fylde"],
            "unknown place 'fylde' (did you mean 'fylde-coast'?)",
        ),
        (
            ["icp-plans", "done"],
            "icp-plans is tracked by place: give one of fylde-coast, morecambe-bay",
        ),
        (
            ["ooa-placements", "1", "--place", "lsc"],
            "ooa-placements is not tracked by place: leave the place out",
        ),
        (
            ["ooa-placements", "lots"],
            "'lots' is not a value for ooa-placements: expected a number like 42, -3.5 or 101,000",
        ),
        (
            ["ooa-placements", "nan"],
            "'nan' is not a finite number: ooa-placements takes a real figure",
        ),
        (
            ["ooa-placements", "inf"],
            "'inf' is not a finite number: ooa-placements takes a real figure",
        ),
        (
            ["ooa-placements", "done"],
            "ooa-placements is a measure: expected a number like 42, -3.5 or 101,000, got done",
        ),
        (
            ["icp-plans", "1", "--place", "fylde-coast"],
            "icp-plans is a milestone: its only value is done, got '1'",
        ),
        (
            ["ooa-placements", "29%"],
            "ooa-placements is measured in placements, not in %: give the number without '%'",
        ),
        (
            ["ooa-placements", "1,00"],
            "'1,00' is ambiguous: use commas only between groups of three digits (101,000) "
            "and a dot for decimals (1.5)",
        ),
        (
            ["ooa-placements", "1", "--date", "31/05/2020"],
            "date: expected a date as YYYY-MM-DD, a month YYYY-MM, a financial year like "
            "2020/21 or a quarter like 2020/21 Q1, got '31/05/2020' (for 31 May 2020 write "
            "2020-05-31)",
        ),
        (
            ["ooa-placements", "1", "--date", "2020-02-30"],
            "date: 2020-02-30 is not a real date (expected YYYY-MM-DD)",
        ),
        (
            ["ooa-placements", "1", "--date", str(TODAY + timedelta(days=1))],
            f"date {TODAY + timedelta(days=1)} is in the future (today is {TODAY})",
        ),
        (
            ["ooa-placements", "1", "--date", "2020-04-30"],
            "ooa-placements on 2020-04-30 is already recorded as 80 by jo "
            "(actuals.yaml line 3): add --replace to correct it",
        ),
        (
            ["ooa-placements", "1", "--date", "2020-05-31", "--replace"],
            "there is no entry for ooa-placements on 2020-05-31 to replace: leave out --replace",
        ),
    ],
)
def test_a_refused_record_says_why_and_changes_no_file(
    data: Path, args: list[str], message: str
) -> None:
    before = hashes(data)
    result = lsc(data, "record", *args)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {message}\n"
    assert result.stdout == ""
    assert hashes(data) == before


def test_record_on_a_log_cut_off_by_a_crash_is_refused_until_mended(data: Path) -> None:
    (data / "actuals.yaml").write_text(TRUNCATED)
    before = hashes(data)
    checked = lsc(data, "check")
    assert checked.exit_code == 1
    assert (
        f"{data}/actuals.yaml:4:1: error: the last entry is incomplete (cut off by a crash?): "
        "delete or repair this line, then record that value again"
    ) in checked.stdout
    result = lsc(data, "record", "ooa-placements", "1", "--date", "2020-01-31")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"error: {data}/actuals.yaml line 4 holds an entry cut off by a crash, so nothing was "
        "recorded: delete or repair that line (run 'lsc check' to see it), then record that "
        "value again"
    )
    assert hashes(data) == before
    (data / "actuals.yaml").write_text(ACTUALS)  # mended: the line deleted
    assert lsc(data, "record", "ooa-placements", "1", "--date", "2020-01-31").exit_code == 0


def test_record_refuses_while_any_data_file_has_a_problem(data: Path) -> None:
    (data / "metrics.yaml").write_text(METRICS.replace("priority: P4", "priority: P9"))
    before = hashes(data)
    result = lsc(data, "record", "ooa-placements", "1", "--date", "2020-01-31")
    assert result.exit_code == 1
    assert "unknown priority 'P9'" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "error: nothing was recorded: the data has 1 problem; fix them first "
        "(run 'lsc check' to list them)"
    )
    assert hashes(data) == before


def test_a_mistyped_option_is_a_usage_error_not_a_value(data: Path) -> None:
    before = hashes(data)
    result = lsc(data, "record", "ooa-placements", "1", "--plcae", "lsc")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no such option: --plcae (did you mean '--place'?)\n",
    )
    assert lsc(data, "record", "ooa-placements", "1", "2").exit_code == 2
    assert hashes(data) == before


def test_an_option_after_double_dash_says_how_to_give_a_negative_value(data: Path) -> None:
    before = hashes(data)
    result = lsc(data, "record", "ooa-placements", "--", "-7", "--date", "2020-04-30")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: --date came after '--', so it was not read as an option. A negative VALUE "
        "needs no '--': lsc record ooa-placements -7 --date 2020-04-30 (or put the options "
        "before '--': lsc record ooa-placements --date 2020-04-30 -- -7)\n"
    )
    assert hashes(data) == before
    # both ways it suggests record the value
    assert lsc(data, "record", "ooa-placements", "-7", "--date", "2020-03-31").exit_code == 0
    assert lsc(data, "record", "ooa-placements", "--date", "2020-05-31", "--", "-7").exit_code == 0


def test_first_record_on_the_shipped_data_keeps_its_comments(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    shipped = (SHIPPED_DATA / "actuals.yaml").read_text()
    result = lsc(data, "record", "ooa-placements", "42", "--date", "2020-06-30", "--by", "jo")
    assert result.exit_code == 0, result.output
    text = (data / "actuals.yaml").read_text()
    comments = [line for line in shipped.splitlines() if line.startswith("#")]
    assert text.splitlines() == [*comments, result.stdout.splitlines()[0]]
    assert lsc(data, "check").exit_code == 0


@pytest.mark.slow  # six processes racing
def test_the_installed_lsc_lets_only_one_of_several_racing_duplicates_in(data: Path) -> None:
    args = [str(LSC), "--data", str(data), "record", "ooa-placements", "50", "--date", "2020-05-31"]
    racers = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    errors = [racer.communicate(timeout=60)[1] for racer in racers]
    results = [(racer.returncode, err) for racer, err in zip(racers, errors, strict=True)]
    assert sorted(code for code, _ in results) == [0, 1, 1, 1, 1, 1]
    assert all("already recorded as 50" in err for code, err in results if code == 1)
    plan, problems = load(data)
    assert problems == [] and len(plan.actuals) == 2


# --- import ---------------------------------------------------------------------------------


MONTH = (
    "\ufeffmetric,date,value,place,note\r\n"
    'ooa-placements,2020-05-31,"1,010",,May return\r\n'
    "sickness-absence,2020-05-31,4.2%,,\r\n"
    'icp-plans,2020-05-31,done,morecambe-bay,"signed off\r\nat the board"\r\n'
)


def test_import_dry_run_shows_the_entries_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    (tmp_path / "may.csv").write_text(MONTH, encoding="utf-8")
    before = hashes(data)
    result = lsc(data, "import", str(tmp_path / "may.csv"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert [json.loads(line[2:])["value"] for line in result.stdout.splitlines()] == [
        1010,
        4.2,
        "done",
    ]
    assert result.stderr == "dry run: 3 entries would be recorded; nothing was written\n"
    assert hashes(data) == before


def test_import_appends_every_row_at_once(data: Path, tmp_path: Path) -> None:
    (tmp_path / "may.csv").write_text(MONTH, encoding="utf-8")
    result = lsc(data, "import", str(tmp_path / "may.csv"))
    assert result.exit_code == 0, result.output
    # the entries as written and each metric's new status (stdout), as record prints them
    written = (data / "actuals.yaml").read_text().splitlines()[-3:]
    assert result.stdout.splitlines()[:3] == written
    assert [line.split(" is ")[0] for line in result.stdout.splitlines()[3:]] == [
        "status: ooa-placements",
        "status: sickness-absence",
        "status: icp-plans at morecambe-bay",
    ]
    assert (
        result.stderr
        == f"recorded 3 entries from {tmp_path / 'may.csv'} in {data / 'actuals.yaml'}\n"
    )
    actuals = load(data)[0].actuals
    assert [(a.value, a.by, a.note) for a in actuals[1:]] == [
        (1010, "amy", "May return"),
        (4.2, "amy", None),
        ("done", "amy", "signed off\r\nat the board"),
    ]
    again = lsc(data, "import", str(tmp_path / "may.csv"))
    assert again.exit_code == 1
    assert again.stderr.splitlines()[-1] == "error: nothing was imported: 3 rows cannot be recorded"


def test_one_bad_row_in_a_thousand_and_nothing_is_written(data: Path, tmp_path: Path) -> None:
    start = date(2017, 1, 1)
    rows = [f"ooa-placements,{start + timedelta(days=i)},{i}" for i in range(1000)]
    rows[636] = f"ooa-placements,{start + timedelta(days=636)},six hundred"
    path = tmp_path / "years.csv"
    path.write_text("metric,date,value\n" + "\n".join(rows) + "\n")
    before = hashes(data)
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:638: column 'value': 'six hundred' is not a value for ooa-placements: "
        "expected a number like 42, -3.5 or 101,000",
        "error: nothing was imported: 1 row cannot be recorded",
    ]
    assert hashes(data) == before
    path.write_text("metric,date,value\n" + "\n".join(rows[:636] + rows[637:]) + "\n")
    assert lsc(data, "import", str(path)).exit_code == 0
    assert len(load(data)[0].actuals) == 1000


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            "metric,date,value,colour\n",
            [
                "1: unknown column 'colour'; the columns are metric, date, value, place, note, "
                "by, status, source; to import without it, add --ignore-columns 'colour'"
            ],
        ),
        ("metric,date,value,value\n", ["1: column 'value' appears twice (columns 3 and 4)"]),
        (
            "metric;date;value\nooa-placements;2020-05-31;5\n",
            [
                "1: the header 'metric;date;value' is one column holding ';': the file looks "
                "semicolon-separated; save it as 'CSV (comma delimited)', or import the .xlsx"
            ],
        ),
        (
            ",metric,date,value\n1,ooa-placements,2020-05-31,5\n",  # an unnamed column in use
            [
                "1: column 1 of the header is empty: every column needs a name, one of "
                "metric, date, value, place, note, by, status, source"
            ],
        ),
        (
            "metric,date,value\nooa-placements,2020-05-31\n",
            ["2: this row has only 2 values but the header has 3 columns"],
        ),
        (
            'metric,date,value\nooa-placements,2020-05-31,"5\n',
            ['2: a quoted value is never closed: a closing " is missing'],
        ),
        (
            "metric,date,value\nooa-placements,2020-05-31,5\nooa-placements,2020-05-31,6\n",
            ["3: a second row for ooa-placements on 2020-05-31 (first on line 2)"],
        ),
    ],
)
def test_a_refused_import_lists_every_bad_row_and_changes_no_file(
    data: Path, tmp_path: Path, text: str, problems: list[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    before = hashes(data)
    result = lsc(data, "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [f"{path}:{p}" for p in problems]
    assert result.stderr.splitlines()[-1].startswith("error: nothing was imported")
    assert hashes(data) == before


# --- history --------------------------------------------------------------------------------


def test_history_shows_superseded_entries_and_who_recorded_them(data: Path) -> None:
    lsc(
        data,
        "record",
        "ooa-placements",
        "70",
        "--date",
        "2020-04-30",
        "--replace",
        "--note",
        "revised",
    )
    table = lsc(data, "history", "ooa-placements")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["line", "date", "value", "by", "recorded", "(UTC)", "note"]
    assert lines[1].split() == ["3", "2020-04-30", "80", "jo", "superseded", "by", "line", "4"]
    assert lines[2].split()[:4] == ["4", "2020-04-30", "70", "amy"]
    assert lines[2].split()[-4:] == ["revised", "replaces", "line", "3"]

    rows = json.loads(lsc(data, "history", "ooa-placements", "-f", "json").stdout)
    assert [(r["line"], r["value"], r["by"], r["superseded"]) for r in rows] == [
        (3, 80, "jo", True),
        (4, 70, "amy", False),
    ]
    csv_lines = lsc(data, "history", "ooa-placements", "-f", "csv").stdout.splitlines()
    assert csv_lines[1] == "3,ooa-placements,,2020-04-30,80,,jo,,false,true,,false,false,,,,,false,"


def test_history_of_an_unknown_metric_or_place(data: Path) -> None:
    assert lsc(data, "history", "ooa").stderr == (
        "error: unknown metric 'ooa' (see 'lsc list metrics')\n"
    )
    result = lsc(data, "history", "icp-plans", "--place", "fylde")
    assert (result.exit_code, result.stderr) == (
        1,
        "error: unknown place 'fylde' (did you mean 'fylde-coast'?)\n",
    )
    empty = lsc(data, "history", "icp-plans")
    assert (empty.exit_code, empty.stderr) == (0, "no entries for icp-plans\n")


def test_history_still_lists_a_log_with_a_duplicate_entry_but_not_an_unreadable_one(
    data: Path,
) -> None:
    """History is how one investigates a duplicate: it warns, and lists both entries."""
    log = data / "actuals.yaml"
    log.write_text(
        '- {"metric": "ooa-placements", "date": "2020-01-31", "value": 3}\n'
        '- {"metric": "ooa-placements", "date": "2020-01-31", "value": 2}\n'
    )
    result = lsc(data, "history", "ooa-placements", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "a second entry for ooa-placements on 2020-01-31" in result.stderr
    assert "warning: the data has 1 problem; showing the entries that loaded" in result.stderr
    assert [line.split(",")[4] for line in result.stdout.splitlines()[1:]] == ["3", "2"]
    log.write_text('- {"metric": "ooa-placements", "date": "2020-01-31"\n')  # cut off
    cut = lsc(data, "history", "ooa-placements")
    assert cut.exit_code == 1 and "run 'lsc check' for the list" in cut.stderr


@pytest.mark.parametrize("by", ["", " "])
def test_an_empty_by_is_refused_not_recorded_as_nobody(data: Path, by: str) -> None:
    before = hashes(data)
    result = lsc(data, "record", "ooa-placements", "40", "--date", "2020-06-30", "--by", by)
    assert (result.exit_code, hashes(data)) == (2, before)
    assert result.stderr.startswith("error: --by needs a name")


def test_help_names_every_option_with_an_example() -> None:
    for command in ("record", "import", "history"):
        result = lsc(None, command, "--help")
        assert result.exit_code == 0
        assert "Example: lsc " in result.stdout
    assert os.path.exists(LSC)


def test_history_shows_notes_as_typed_and_csv_is_spreadsheet_safe(data: Path) -> None:
    lsc(data, "record", "ooa-placements", "1", "--date", "2020-01-31", "--note", "[red]=SUM(A1)")
    assert "[red]=SUM(A1)" in lsc(data, "history", "ooa-placements").stdout
    csv_text = lsc(data, "history", "ooa-placements", "-f", "csv").stdout
    assert ",'[red]=SUM(A1)," not in csv_text  # starts with [, not a formula: kept
    lsc(data, "record", "ooa-placements", "2", "--date", "2020-02-29", "--note", "=SUM(A1)")
    csv_text = lsc(data, "history", "ooa-placements", "-f", "csv").stdout
    assert ",'=SUM(A1),amy," in csv_text


def test_quiet_record_and_import_print_nothing_on_success(data: Path, tmp_path: Path) -> None:
    (tmp_path / "may.csv").write_text(MONTH, encoding="utf-8")
    result = lsc(data, "import", str(tmp_path / "may.csv"), "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == result.stderr == ""
    result = lsc(data, "record", "ooa-placements", "75", "--date", "2020-06-30", "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == result.stderr == ""
