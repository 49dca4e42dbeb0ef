"""From what a data owner types or pastes to checked entries: values, places, dates, rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from conftest import CCG_CONFIGURATION, RECORDING_METRICS, RECORDING_PLACES, RECORDING_PRIORITIES
from lsc_tracker.import_files import read_rows
from lsc_tracker.loader import load
from lsc_tracker.plan import Plan
from lsc_tracker.problems import LscError
from lsc_tracker.recording import (
    BadRows,
    EntryInput,
    history,
    import_entries,
    parse_value,
    record_entries,
)
from lsc_tracker.renderers.history_files import history_csv, history_json

TODAY = date(2020, 6, 30)
NOW = datetime(2020, 6, 30, 9, 15, 0, 123456, tzinfo=UTC)

PRIORITIES, PLACES = RECORDING_PRIORITIES, RECORDING_PLACES
METRICS = RECORDING_METRICS + CCG_CONFIGURATION


@pytest.fixture
def data_dir(write_plan) -> Path:
    return write_plan(PRIORITIES, PLACES, METRICS)


def plan_with(data_dir: Path, actuals: str | None = None) -> Plan:
    if actuals is not None:
        (data_dir / "actuals.yaml").write_text(actuals, encoding="utf-8")
    plan, problems = load(data_dir, today=TODAY)
    assert problems == []
    return plan


@pytest.fixture
def plan(data_dir: Path) -> Plan:
    return plan_with(data_dir)


def refusal(plan: Plan, **given: str | None) -> str:
    entry = EntryInput(**{"metric": "ooa-placements", "value": "42", **given})  # type: ignore[arg-type]
    with pytest.raises(LscError) as caught:
        record_entries(plan, entry, today=TODAY, recorded=NOW)
    return str(caught.value)


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "metric", "expected"),
    [
        ("12", "ooa-placements", 12.0),
        ("-3.5", "ooa-placements", -3.5),
        (" 101,000 ", "ooa-placements", 101000.0),
        ("1,234,567.25", "ooa-placements", 1234567.25),
        ("1e3", "ooa-placements", 1000.0),
        ("29.2%", "sickness-absence", 29.2),
        ("29.2 %", "sickness-absence", 29.2),
        ("4", "sickness-absence", 4.0),
        ("done", "ccg-configuration", "done"),
        ("Done", "ccg-configuration", "done"),
    ],
)
def test_values_a_data_owner_types_are_read_as_meant(
    plan: Plan, text: str, metric: str, expected: float | str
) -> None:
    assert parse_value(text, plan.metric_by_id[metric]) == expected


@pytest.mark.parametrize(
    ("text", "metric", "message"),
    [
        ("1,00", "ooa-placements", "'1,00' is ambiguous: use commas only between groups of three"),
        ("1,5", "ooa-placements", "is ambiguous"),
        ("29.2%", "ooa-placements", "ooa-placements is measured in placements, not in %"),
        ("forty", "ooa-placements", "'forty' is not a value for ooa-placements: expected a number"),
        ("NaN", "ooa-placements", "'NaN' is not a finite number"),
        ("-inf", "ooa-placements", "'-inf' is not a finite number"),
        ("1e999", "ooa-placements", "'1e999' is too large"),
        ("", "ooa-placements", "no value given"),
        ("done", "ooa-placements", "ooa-placements is a measure: expected a number"),
        ("1", "ccg-configuration", "ccg-configuration is a milestone: its only value is done"),
        ("£1,200", "ooa-placements", "is not a value for ooa-placements"),
        ("1_000", "ooa-placements", "is not a value for ooa-placements"),
    ],
)
def test_values_that_do_not_fit_say_what_is_accepted(
    plan: Plan, text: str, metric: str, message: str
) -> None:
    with pytest.raises(LscError) as caught:
        parse_value(text, plan.metric_by_id[metric])
    assert message in str(caught.value)


def test_a_percent_metric_says_percent_is_accepted(plan: Plan) -> None:
    with pytest.raises(LscError) as caught:
        parse_value("high", plan.metric_by_id["sickness-absence"])
    assert str(caught.value).endswith("(or 29.2%)")


# --- one entry ------------------------------------------------------------------------------


def test_an_entry_gets_the_date_of_today_and_whole_seconds(plan: Plan) -> None:
    [entry] = record_entries(
        plan, EntryInput("ooa-placements", "42", by="jo"), today=TODAY, recorded=NOW
    )
    assert (entry.date, entry.value, entry.by, entry.place, entry.note) == (
        TODAY,
        42.0,
        "jo",
        None,
        None,
    )
    assert entry.recorded == datetime(2020, 6, 30, 9, 15, 0, tzinfo=UTC)
    assert entry.replaces is False


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"metric": "ooa-placments"},
            "unknown metric 'ooa-placments' (did you mean 'ooa-placements'?)",
        ),
        ({"place": "fylde"}, "unknown place 'fylde' (did you mean 'fylde-coast'?)"),
        ({"place": "lsc"}, "ooa-placements is not tracked by place: leave the place out"),
        (
            {"metric": "icp-plans", "value": "done"},
            "icp-plans is tracked by place: give one of fylde-coast, morecambe-bay",
        ),
        (
            {"metric": "icp-plans", "value": "done", "place": "lsc"},
            "icp-plans is not tracked at 'lsc'",
        ),
        ({"date": "2020-07-01"}, "date 2020-07-01 is in the future (today is 2020-06-30)"),
        ({"date": "30/06/2020"}, "date: expected a date as YYYY-MM-DD"),
        ({"date": "2020-02-30"}, "date: 2020-02-30 is not a real date"),
        ({"by": " "}, "by: give a name"),
        ({"note": "bad \udcff byte"}, "note is not valid UTF-8 text"),
    ],
)
def test_each_refusal_is_one_clear_message(plan: Plan, given: dict[str, str], message: str) -> None:
    assert message in refusal(plan, **given)


LOGGED = """\
# hand-written header
- {metric: ooa-placements, date: 2020-05-31, value: 50, by: jo}
"""


def test_a_second_value_for_a_date_is_refused_unless_it_replaces(data_dir: Path) -> None:
    plan = plan_with(data_dir, LOGGED)
    message = refusal(plan, date="2020-05-31")
    assert message == (
        "ooa-placements on 2020-05-31 is already recorded as 50 by jo (actuals.yaml line 2): "
        "add --replace to correct it"
    )
    given = EntryInput("ooa-placements", "48", date="2020-05-31")
    [entry] = record_entries(plan, given, today=TODAY, recorded=NOW, replace=True)
    assert entry.replaces is True and entry.value == 48


def test_replace_with_nothing_to_replace_is_refused(plan: Plan) -> None:
    with pytest.raises(LscError, match="there is no entry for ooa-placements on 2020-05-31"):
        record_entries(
            plan,
            EntryInput("ooa-placements", "1", date="2020-05-31"),
            today=TODAY,
            recorded=NOW,
            replace=True,
        )


def test_the_same_date_at_another_place_is_not_a_duplicate(data_dir: Path) -> None:
    plan = plan_with(
        data_dir,
        '- {"metric": "icp-plans", "date": "2020-03-01", "value": "done", '
        '"place": "fylde-coast"}\n',
    )
    given = EntryInput("icp-plans", "done", date="2020-03-01", place="morecambe-bay")
    assert record_entries(plan, given, today=TODAY, recorded=NOW)[0].place == "morecambe-bay"


# --- history --------------------------------------------------------------------------------


HISTORY = """\
- {"metric": "ooa-placements", "date": "2020-04-30", "value": 60, "by": "jo", \
"recorded": "2020-05-02T10:00:00Z"}
- {"metric": "ccg-configuration", "date": "2020-04-30", "value": "done"}
# a hand-written correction:
- metric: ooa-placements
  date: 2020-04-30
  value: 58.5
  note: "typo: 60 was April's draft"
  replaces: true
- {"metric": "ooa-placements", "date": "2020-05-31", "value": 55}
"""


def test_history_lists_every_entry_in_log_order_and_marks_the_superseded(data_dir: Path) -> None:
    rows = history(plan_with(data_dir, HISTORY), "ooa-placements")
    assert [(r.line, r.actual.value, r.actual.replaces, r.superseded) for r in rows] == [
        (1, 60, False, True),
        (4, 58.5, True, False),
        (9, 55, False, False),
    ]


def test_history_json_and_csv_carry_who_when_and_superseded(data_dir: Path) -> None:
    rows = history(plan_with(data_dir, HISTORY), "ooa-placements")
    assert history_json(rows).count('"superseded": true') == 1
    assert '"recorded": "2020-05-02T10:00:00Z"' in history_json(rows)
    assert history_csv(rows).splitlines()[:3] == [
        "line,metric,place,date,value,note,by,recorded,replaces,superseded,"
        "period,void,voided,voided_by,voided_on,void_reason,void_line,provisional,source",
        "1,ooa-placements,,2020-04-30,60,,jo,2020-05-02T10:00:00Z,false,true,,false,false,,,,"
        ",false,",
        "4,ooa-placements,,2020-04-30,58.5,typo: 60 was April's draft,,,true,false,"
        ",false,false,,,,,false,",
    ]


def test_history_of_an_unknown_metric_or_a_place_it_is_not_tracked_at(plan: Plan) -> None:
    with pytest.raises(LscError, match="did you mean 'icp-plans'"):
        history(plan, "icp-plan")
    with pytest.raises(LscError, match="not tracked at 'lsc'"):
        history(plan, "icp-plans", "lsc")


# --- import files ---------------------------------------------------------------------------


def rows_of(tmp_path: Path, text: str | bytes, plan: Plan, name: str = "in.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    table = read_rows(path)
    return import_entries(plan, table, today=TODAY, recorded=NOW, by="importer")


def problems_of(tmp_path: Path, text: str | bytes, plan: Plan) -> list[tuple[int, str]]:
    with pytest.raises(BadRows) as caught:
        rows_of(tmp_path, text, plan)
    return [(p.source.line, p.message) for p in caught.value.problems]


def test_columns_in_any_order_with_bom_and_crlf(tmp_path: Path, plan: Plan) -> None:
    text = (
        "\ufeffNote,value,date,metric,place,by\r\n"
        '"two\r\nlines",done,2020-03-01,icp-plans,fylde-coast,\r\n'
        ",4.5%,2020-05-31,sickness-absence,,amy\r\n"
    )
    entries = rows_of(tmp_path, text, plan)
    assert [(e.metric, e.value, e.place, e.note, e.by) for e in entries] == [
        ("icp-plans", "done", "fylde-coast", "two\r\nlines", "importer"),
        ("sickness-absence", 4.5, None, None, "amy"),
    ]


def test_header_problems_are_reported_on_line_1(tmp_path: Path, plan: Plan) -> None:
    assert problems_of(tmp_path, "metric,date,vlaue,colour\n", plan) == [
        (1, "unknown column 'vlaue' (did you mean 'value'?)"),
        (
            1,
            "unknown column 'colour'; the columns are metric, date, value, place, note, by, "
            "status, source; to import without it, add --ignore-columns 'colour'",
        ),
    ]
    assert problems_of(tmp_path, "metric,date,value,date\n", plan) == [
        (1, "column 'date' appears twice (columns 2 and 4)")
    ]
    assert problems_of(tmp_path, "metric,value\n", plan) == [
        (1, "missing the column 'date': the header needs metric, date, value")
    ]
    assert problems_of(tmp_path, "", plan) == [
        (1, "the file is empty: expected a header row metric,date,value")
    ]
    assert problems_of(tmp_path, "metric,date,value\n", plan) == [(1, "no rows to import")]


def test_every_bad_row_is_listed_at_the_line_where_it_starts(tmp_path: Path, plan: Plan) -> None:
    text = (
        "metric,date,value,note\n"  # 1
        'ooa-placements,2020-01-31,10,"a note\nover two lines"\n'  # 2-3: fine
        "ooa-placements,2020-02-29,11\n"  # 4: short
        "ooa-placements,2020-03-31,12,,extra\n"  # 5: long
        "\n"  # 6: blank, skipped
        "ooa-placements,2020-01-31,13,\n"  # 7: repeats line 2
        "ooa-placement,2020-04-30,14,\n"  # 8: unknown metric
        '"ooa-placements",2020-05-31,"1,00",\n'  # 9: ambiguous value
        ",2020-05-31,1,\n"  # 10: no metric
        'ooa-placements,2020-06-30,"15\n'  # 11: unclosed quote
    )
    assert problems_of(tmp_path, text, plan) == [
        (4, "this row has only 3 values but the header has 4 columns"),
        (5, "this row has 5 values but the header has 4 columns"),
        (7, "a second row for ooa-placements on 2020-01-31 (first on line 2)"),
        (8, "column 'metric': unknown metric 'ooa-placement' (did you mean 'ooa-placements'?)"),
        (
            9,
            "column 'value': '1,00' is ambiguous: use commas only between groups of three "
            "digits (101,000) and a dot for decimals (1.5)",
        ),
        (10, "column 'metric': no metric given"),
        (11, 'a quoted value is never closed: a closing " is missing'),
    ]


def test_a_row_already_in_the_log_is_refused(tmp_path: Path, data_dir: Path) -> None:
    plan = plan_with(data_dir, LOGGED)
    assert problems_of(tmp_path, "metric,date,value\nooa-placements,2020-05-31,50\n", plan) == [
        (
            2,
            "ooa-placements on 2020-05-31 is already recorded as 50 by jo (actuals.yaml line 2): "
            "add --replace to replace it (or correct it with 'lsc record --replace')",
        )
    ]


def test_a_stray_quote_after_a_quoted_value_is_an_error_not_repaired(
    tmp_path: Path, plan: Plan
) -> None:
    text = 'metric,date,value\n"ooa-placements"x,2020-05-31,1\n'
    assert problems_of(tmp_path, text, plan) == [
        (2, 'a closing " must be followed by a comma: write "" for a quote inside quotes')
    ]


def test_a_file_that_is_not_utf8_or_not_csv_is_refused(tmp_path: Path, plan: Plan) -> None:
    with pytest.raises(LscError, match=r"in.csv:2: not UTF-8: byte 0xa3"):
        rows_of(tmp_path, b"metric,date,value\nooa-placements,2020-05-31,\xa31\n", plan)
    with pytest.raises(LscError, match=r"cannot import this kind of file: expected \.csv, \.xlsx"):
        rows_of(tmp_path, "metric,date,value\n", plan, name="in.ods")
    with pytest.raises(LscError, match="file not found"):
        read_rows(tmp_path / "missing.csv")
