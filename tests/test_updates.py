"""Owner updates (issue 15, part 1): ``lsc update``, the ``updates.yaml`` log (the actuals
log's protocol and guarantees), ``lsc check`` on it, and ``lsc history`` showing it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
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
from lsc_tracker.updates import Update, latest_update

ACTUALS = "- {metric: ooa-placements, date: 2020-04-30, value: 80, by: jo}\n"
AT_RISK = ("ooa-placements", "--rag", "at_risk", "--note", "x")
LINE = "- {{metric: {metric}, date: {date}, rag: {rag}, note: {note}{more}}}\n"


def update_text(metric: str = "ooa-placements", day: str = "2020-05-10", **more: str) -> str:
    rag = more.pop("rag", "at_risk")
    extra = "".join(f", {key}: {value}" for key, value in more.items())
    return LINE.format(metric=metric, date=day, rag=rag, note="n", more=extra)


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS)


def update(data: Path, *args: str) -> tuple[int, str, str]:
    code, out, err = lsc(data, "update", *args)
    return code, out, err


# --- lsc update ------------------------------------------------------------------------------


def test_update_appends_one_line_to_a_new_log_with_its_header(data: Path) -> None:
    code, out, err = update(
        data,
        "ooa-placements",
        "--rag",
        "At risk",
        "--note",
        "Winter pressures",
        "--action",
        "Spot purchase beds",
        "--recovery",
        "2020-09-30",
        "--date",
        "2020-05-10",
    )
    assert code == 0, err
    text = (data / "updates.yaml").read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../schemas/updates.schema.json\n"
        "# Owner updates on the metrics"
    )
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines == [out.strip()]
    entry = json.loads(lines[0][2:])
    assert {k: v for k, v in entry.items() if k != "recorded"} == {
        "metric": "ooa-placements",
        "date": "2020-05-10",
        "rag": "at_risk",
        "note": "Winter pressures",
        "action": "Spot purchase beds",
        "recovery": "2020-09-30",
        "by": "amy",
    }
    plan, problems = load(data)
    assert problems == []
    assert plan.updates[0].rag == "at_risk" and plan.updates[0].recovery == date(2020, 9, 30)


def test_update_date_defaults_to_today_and_a_second_update_appends(data: Path) -> None:
    assert update(data, "ooa-placements", "--rag", "on_track", "--note", "a")[0] == 0
    assert update(data, "ooa-placements", "--rag", "off_track", "--note", "b", "-q") == (0, "", "")
    plan, _ = load(data)
    assert [u.date for u in plan.updates] == [date.today(), date.today()]
    assert [u.rag for u in plan.updates] == ["on_track", "off_track"]


def test_update_date_takes_a_period_as_record_does(data: Path) -> None:
    """June's commentary is dated June's last day; a quarter or a year likewise (issue 16)."""
    for given in ("2020-06", "2020/21 Q1", "2019/20"):
        assert (
            update(data, "ooa-placements", "--rag", "at_risk", "--note", "x", "--date", given)[0]
            == 0
        )
    plan, _ = load(data)
    assert [u.date for u in plan.updates] == [
        date(2020, 6, 30),
        date(2020, 6, 30),
        date(2020, 3, 31),
    ]


def test_an_update_for_a_place_of_a_metric_tracked_by_place(data: Path) -> None:
    code, _, err = update(
        data, "icp-plans", "--rag", "achieved", "--note", "agreed", "--place", "fylde-coast"
    )
    assert code == 0, err
    assert load(data)[0].updates[0].place == "fylde-coast"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nope", "--rag", "at_risk", "--note", "x"], 1, "unknown metric 'nope'"),
        (["ooa-placements", "--rag", "green", "--note", "x"], 2, "unknown rating 'green'"),
        (["ooa-placements", "--rag", "at_risk"], 2, "--note"),
        (["ooa-placements", "--rag", "at_risk", "--note", "  "], 1, "--note needs"),
        (
            ["ooa-placements", "--rag", "at_risk", "--note", "x", "--date", "2199-01-01"],
            1,
            "--date 2199-01-01 is in the future",
        ),
        (
            [*AT_RISK, "--date", "2020-05-01", "--recovery", "2020-04-30"],
            1,
            "recovery date 2020-04-30 is before the update's date 2020-05-01",
        ),
        (["ooa-placements", "--rag", "at_risk", "--note", "x", "--date", "2020-13-01"], 2, ""),
        (
            ["ooa-placements", "--rag", "at_risk", "--note", "x", "--date", "2020-13"],
            2,
            "not a month",
        ),
        (
            ["ooa-placements", "--rag", "at_risk", "--note", "x", "--place", "fylde-coast"],
            1,
            "not tracked by place",
        ),
        (
            ["icp-plans", "--rag", "at_risk", "--note", "x", "--place", "fylde"],
            1,
            "not tracked at 'fylde'",
        ),
    ],
)
def test_a_refused_update_leaves_every_file_byte_identical(
    data: Path, args: list[str], code: int, message: str
) -> None:
    assert update(data, "ooa-placements", "--rag", "on_track", "--note", "first")[0] == 0
    before = hashes(data)
    got, out, err = update(data, *args)
    assert got == code, err
    assert message in err
    assert out == ""
    assert hashes(data) == before


def test_no_update_is_written_while_the_data_has_a_problem(data: Path) -> None:
    (data / "updates.yaml").write_text(update_text(metric="no-such-metric"))
    before = hashes(data)
    code, _, err = update(data, "ooa-placements", "--rag", "on_track", "--note", "x")
    assert code == 1
    assert "nothing was recorded" in err
    assert hashes(data) == before


def test_a_record_is_refused_while_the_updates_log_has_a_problem(data: Path) -> None:
    (data / "updates.yaml").write_text(update_text(rag="green"))
    before = hashes(data)
    code, _, err = lsc(data, "record", "ooa-placements", "70", "--date", "2020-05-31")
    assert code == 1 and "nothing was recorded" in err
    assert hashes(data) == before


def test_an_update_appends_after_hand_written_entries_and_comments(data: Path) -> None:
    original = "# kept\n" + update_text()
    (data / "updates.yaml").write_text(original)
    assert update(data, "ooa-placements", "--rag", "on_track", "--note", "x")[0] == 0
    text = (data / "updates.yaml").read_text()
    assert text.startswith(original)
    assert len(load(data)[0].updates) == 2


# --- lsc check -------------------------------------------------------------------------------


def test_a_missing_updates_log_is_no_updates(data: Path) -> None:
    plan, problems = load(data)
    assert problems == [] and plan.updates == []


@pytest.mark.parametrize(
    ("line", "rule", "at", "message"),
    [
        (update_text(metric="ooa-placement"), "update-unknown-metric", "ooa-", "did you mean"),
        (update_text(place="fylde-coast"), "update-place", "fylde", "not tracked by place"),
        (update_text(day="2999-01-01"), "update-future", "2999", "in the future"),
        (update_text(recovery="2020-05-01"), "update-recovery-order", "2020-05-01}", "before"),
        (update_text(rag="green"), "schema", "green", "on_track"),
    ],
)
def test_check_validates_the_updates_log(
    data: Path, line: str, rule: str, at: str, message: str
) -> None:
    (data / "updates.yaml").write_text("# c\n" + line)
    code, out, err = lsc(data, "check")
    assert code == 1
    problems = [p for p in load(data, today=date(2026, 1, 1))[1] if p.rule == rule]
    assert len(problems) == 1, err
    assert (problems[0].source.line, problems[0].source.column) == (2, line.index(at) + 1)
    assert message in problems[0].message
    assert "updates.yaml:2:" in out + err


def test_check_reports_a_cut_off_update_line(data: Path) -> None:
    (data / "updates.yaml").write_text(update_text().rstrip("}\n"))
    code, out, err = lsc(data, "check")
    assert code == 1
    assert "updates.yaml:1:" in out + err


# --- which update is in force -------------------------------------------------------------------


def _u(day: date, rag: str, place: str | None = None) -> Update:
    return Update("m", day, rag, "n", place=place, recorded=datetime(2020, 1, 1, tzinfo=UTC))


def test_the_update_in_force_is_the_latest_on_or_before_the_date() -> None:
    log = [
        _u(date(2020, 5, 1), "on_track"),
        _u(date(2020, 3, 1), "at_risk"),
        _u(date(2020, 5, 1), "off_track"),
        _u(date(2020, 6, 1), "achieved", "x"),
    ]
    assert latest_update(log, "m", None, date(2020, 2, 1)) is None
    assert latest_update(log, "m", None, date(2020, 4, 1)) == log[1]
    assert latest_update(log, "m", None, date(2020, 5, 1)) == log[2]  # same date: later in log
    assert latest_update(log, "m", None, date(2021, 1, 1)) == log[2]
    assert latest_update(log, "m", "x", date(2021, 1, 1)) == log[3]
    assert latest_update(log, "other", None, date(2021, 1, 1)) is None


# --- lsc history -------------------------------------------------------------------------------


def test_history_shows_updates_beside_the_entries(data: Path) -> None:
    update(
        data, "ooa-placements", "--rag", "at_risk", "--note", "[red]Winter", "--date", "2020-05-10"
    )
    code, out, err = lsc(data, "history", "ooa-placements")
    assert code == 0, err
    assert out.index("80") < out.index("owner updates") < out.index("At risk")
    assert "[red]Winter" in out
    code, out, _ = lsc(data, "history", "ooa-placements", "--updates", "--format", "json")
    assert code == 0
    [item] = json.loads(out)
    assert item["rag"] == "at_risk" and item["note"] == "[red]Winter" and item["by"] == "amy"
    code, out, _ = lsc(data, "history", "ooa-placements", "--updates", "--format", "csv")
    assert out.splitlines()[0] == "metric,date,place,rag,note,action,recovery,by,recorded"
    code, _, err = lsc(data, "history", "sickness-absence", "--updates")
    assert code == 0 and "no owner updates" in err
    assert lsc(data, "history", "nope", "--updates").exit_code == 1


# --- declared against measured (part 2) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rag", "status", "expected"),
    [
        ("on_track", "off_track", "declared_better"),
        ("on_track", "overdue", "declared_better"),
        ("off_track", "overdue", None),  # overdue counts as off track
        ("achieved", "on_track", "declared_better"),
        ("at_risk", "on_track", "declared_worse"),
        ("off_track", "achieved", "declared_worse"),
        ("at_risk", "at_risk", None),
        ("on_track", "no_data", None),
        ("on_track", "no_baseline", None),
        ("off_track", "no_target", None),
        ("on_track", "withdrawn", None),
        (None, "off_track", None),
    ],
)
def test_mismatch_order(rag: str | None, status: str, expected: str | None) -> None:
    from lsc_tracker.updates import mismatch

    assert mismatch(rag, status) == expected


MEASURED = (
    "- {metric: ooa-placements, date: 2020-04-30, value: 118, by: jo}\n"  # off track
    "- {metric: icp-plans, date: 2020-03-20, value: done, place: fylde-coast, by: jo}\n"
)


@pytest.fixture
def measured(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, MEASURED)


def status_json(data: Path, *args: str) -> dict[str, dict]:
    code, out, err = lsc(data, "status", "--as-of", "2020-06-30", "--format", "json", *args)
    assert code in (0, 1), err
    return {m["id"]: m for m in json.loads(out)["metrics"]}


def test_json_has_the_update_in_force_and_the_mismatch(measured: Path) -> None:
    before = status_json(measured)
    assert before["ooa-placements"]["update"] is None
    assert before["ooa-placements"]["mismatch"] is None
    update(
        measured, "ooa-placements", "--rag", "on_track", "--note", "fine", "--date", "2020-05-01"
    )
    update(
        measured, "ooa-placements", "--rag", "off_track", "--note", "later", "--date", "2020-08-01"
    )
    metric = status_json(measured)["ooa-placements"]
    assert metric["status"] == "off_track"
    assert metric["update"] == {
        "date": "2020-05-01",
        "rag": "on_track",
        "note": "fine",
        "action": None,
        "recovery": None,
        "by": "amy",
    }
    assert metric["mismatch"] == "declared_better"
    # an update after the as-of date is not in force yet
    later = lsc(measured, "status", "--as-of", "2020-09-30", "--format", "json")
    [item] = [m for m in json.loads(later.stdout)["metrics"] if m["id"] == "ooa-placements"]
    assert item["update"]["note"] == "later" and item["mismatch"] is None


def test_each_place_has_its_own_update(measured: Path) -> None:
    update(measured, "icp-plans", "--rag", "on_track", "--note", "x", "--date", "2020-03-01")
    args = ("--place", "morecambe-bay", "--date", "2020-03-01")
    update(measured, "icp-plans", "--rag", "on_track", "--note", "mb", *args)
    metric = status_json(measured)["icp-plans"]
    places = {p["place"]: p for p in metric["places"]}
    assert metric["status"] == "overdue" and metric["mismatch"] == "declared_better"
    assert places["fylde-coast"]["update"] is None and places["fylde-coast"]["mismatch"] is None
    assert places["morecambe-bay"]["update"]["note"] == "mb"
    assert places["morecambe-bay"]["mismatch"] == "declared_better"
    only = status_json(measured, "--place", "morecambe-bay")["icp-plans"]
    assert only["update"]["note"] == "mb"  # the row is the place's


def test_fail_on_declared_better(measured: Path) -> None:
    as_of = ("--as-of", "2020-06-30")
    assert lsc(measured, "status", *as_of, "--fail-on", "declared_better").exit_code == 0
    update(
        measured, "ooa-placements", "--rag", "off_track", "--note", "agree", "--date", "2020-05-01"
    )
    assert lsc(measured, "status", *as_of, "--fail-on", "declared_better").exit_code == 0
    update(
        measured, "ooa-placements", "--rag", "on_track", "--note", "fine", "--date", "2020-05-02"
    )
    code, _, err = lsc(measured, "status", *as_of, "--fail-on", "Declared-Better")
    assert code == 1
    assert "failing on 1 row (1 declared_better)" in err
    code, _, err = lsc(measured, "status", *as_of, "--fail-on", "declared_better,overdue")
    assert code == 1 and "on 3 rows (2 overdue, 1 declared_better)" in err
    assert lsc(measured, "status", *as_of, "--fail-on", "declared_worse").exit_code == 2


def test_csv_has_the_update_columns_only_when_there_is_an_update(measured: Path) -> None:
    as_of = ("--as-of", "2020-06-30", "--format", "csv")
    header = lsc(measured, "status", *as_of).stdout.splitlines()[0]
    assert "declared" not in header
    update(
        measured, "ooa-placements", "--rag", "on_track", "--note", "=fine", "--date", "2020-05-01"
    )
    lines = lsc(measured, "status", *as_of).stdout.splitlines()
    columns = lines[0].split(",")
    assert columns[-7:] == [
        "declared",
        "mismatch",
        "update_date",
        "update_note",
        "update_action",
        "update_recovery",
        "update_by",
    ]
    [row] = [line for line in lines if line.split(",")[1] == "ooa-placements"]
    assert row.endswith(",on_track,declared_better,2020-05-01,'=fine,,,amy")


def test_the_text_views_show_the_declared_rating_and_mark_a_mismatch(measured: Path) -> None:
    as_of = ("--as-of", "2020-06-30")
    plain = lsc(measured, "status", *as_of).stdout
    assert "declared" not in plain and "owner:" not in plain
    markdown = lsc(measured, "status", *as_of, "--format", "markdown").stdout
    assert "Declared" not in markdown
    update(
        measured,
        *("ooa-placements", "--rag", "on_track", "--note", "fine", "--date", "2020-05-01"),
        *("--action", "spot beds", "--recovery", "2020-09-30"),
    )
    table = lsc(measured, "status", *as_of, env={"COLUMNS": "200"}).stdout
    assert "declared better" in table
    assert "owner: On track (declared better), 2020-05-01, amy: fine; action: spot beds;" in table
    markdown = lsc(measured, "status", *as_of, "--format", "markdown").stdout
    header = next(line for line in markdown.splitlines() if line.startswith("| Status"))
    assert header.endswith("| Declared | Owner update |")
    [row] = [line for line in markdown.splitlines() if "| ooa-placements |" in line]
    assert row.endswith(
        "| On track (declared better) | 2020-05-01, amy: fine; action: spot beds; "
        "recovery by 2020-09-30 |"
    )


def test_the_demo_shows_a_mismatch_from_its_synthetic_updates() -> None:
    from conftest import DEMO_DATA

    assert (DEMO_DATA / "updates.yaml").read_text().startswith("# SYNTHETIC DEMO DATA")
    code, out, err = lsc(DEMO_DATA, "status", "--as-of", "2024-03-31", "--format", "json")
    assert code == 0, err
    metrics = {m["id"]: m for m in json.loads(out)["metrics"]}
    assert metrics["ae-four-hour"]["mismatch"] == "declared_better"
    assert metrics["ae-four-hour"]["forecast"]["projected_meets"] is False
    south = next(p for p in metrics["smoking-quit-rate"]["places"] if p["place"] == "south")
    assert south["mismatch"] == "declared_better"


@pytest.mark.slow  # over a second
def test_the_html_report_shows_declared_ratings_and_forecasts(tmp_path: Path) -> None:
    from conftest import DEMO_DATA

    out = tmp_path / "r.html"
    code, _, err = lsc(DEMO_DATA, "report", "--as-of", "2024-03-31", "--output", str(out))
    assert code == 0, err
    html = out.read_text()
    # the exceptions: the owner's rating, with its mismatch, beneath the metric's row
    assert "<strong>Owner's update</strong>: On track (declared better), 2024-03-15" in html
    assert "Owner update</dt><dd>On track (declared better), 2024-03-15, Demo urgent care" in html
    assert "Forecast</dt><dd>needs 0.48% a month, recent −0.2% a month" in html
    assert "Owner update (south)</dt>" in html


def test_show_gives_the_owner_update_and_the_forecast() -> None:
    from conftest import DEMO_DATA

    args = ("show", "ae-four-hour", "--as-of", "2024-03-31")
    code, out, err = lsc(DEMO_DATA, *args, env={"COLUMNS": "300"})
    assert code == 0, err
    assert "Owner update: On track (declared better), 2024-03-15, Demo urgent care lead" in out
    assert "Forecast: needs 0.48% a month, recent −0.2% a month" in out


@pytest.mark.slow  # real processes at once
def test_concurrent_updates_and_records_keep_every_entry_once(data: Path) -> None:
    """Owner updates and actuals written at once, by separate processes: each log keeps
    every entry exactly once and both load without a problem (no lock waits on the other)."""
    from concurrent.futures import ThreadPoolExecutor

    from conftest import lsc_process

    def one(i: int) -> int:
        if i % 2:
            args = ("update", "ooa-placements", "--rag", "at_risk", "--note", f"n{i}")
            return lsc_process(data, *args, "--date", "2020-05-10").exit_code
        day = f"2020-{i // 2 + 5:02d}-28"
        return lsc_process(data, "record", "ooa-placements", str(70 - i), "--date", day).exit_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, range(8)))
    assert codes == [0] * 8
    plan, problems = load(data)
    assert problems == []
    assert sorted(u.note for u in plan.updates) == ["n1", "n3", "n5", "n7"]
    assert len(plan.actuals) == 1 + 4


def test_check_counts_the_owner_updates(data: Path) -> None:
    assert "owner update" not in lsc(data, "check").stderr
    update(data, "ooa-placements", "--rag", "on_track", "--note", "x")
    assert lsc(data, "check").stderr.strip().endswith("1 actual, 1 owner update)")
