"""A plan that lives (issue 13) in the status engine: baselines from the log and not yet
agreed, standing targets, stage verdicts, revisions and --plan original. One test per worked
example 20-27 of docs/status-rules.md (test_exNN_...), each asserting what the JSON says."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import AS_OF, WritePlan
from lsc_tracker.cli import app
from lsc_tracker.models import Actual, ActualEntry, Metric, Priority
from lsc_tracker.renderers.status_files import report_data
from lsc_tracker.status import (
    Goal,
    MetricStatus,
    StatusReport,
    Unresolved,
    assess_metric,
    roll_up_priority,
    rows_with,
)

D = AS_OF  # 2020-06-30
MAY_31 = date(2020, 5, 31)
BASELINE_DAY = date(2019, 3, 31)
runner = CliRunner()


def metric(**fields: Any) -> Metric:
    base: dict[str, Any] = {"id": "ooa", "priority": "P3", "name": "Out of area placements"}
    return Metric.model_validate(base | fields)


def entry(day: date, value: float | str, metric_id: str = "ooa", **fields: Any) -> Actual:
    raw = {"metric": metric_id, "date": day, "value": value} | fields
    return ActualEntry.model_validate(raw).to_actual()


def as_json(result: MetricStatus, as_of: date = D, plan: str = "current") -> dict[str, Any]:
    """The metric as `lsc status --format json` writes it."""
    report = StatusReport(as_of=as_of, priorities=(), metrics=(result,), plan=plan)
    data: dict[str, Any] = json.loads(json.dumps(report_data(report)))
    return data["metrics"][0]


def ooa(**fields: Any) -> Metric:
    """The main example measure of docs/status-rules.md."""
    return metric(
        direction="decrease",
        baseline={"date": BASELINE_DAY, "value": 100},
        targets=[
            {"by": date(2020, 3, 31), "value": 80},
            {"by": date(2020, 9, 30), "value": 70},
            {"by": date(2021, 3, 31), "value": 50},
        ],
        **fields,
    )


# --- 20. a baseline taken from the log ------------------------------------------------------


def ooa_log(**fields: Any) -> Metric:
    written: dict[str, Any] = {
        "direction": "decrease",
        "baseline": {"date": BASELINE_DAY},
        "targets": [{"by": date(2021, 3, 31), "change": "-50%"}],
    }
    return metric(**(written | fields))


def test_ex20_a_baseline_date_with_no_actual_on_it_is_no_baseline() -> None:
    result = assess_metric(ooa_log(), [entry(MAY_31, 70)], D)
    assert result.status == "no_baseline"
    assert result.missing == "baseline not recorded for 2019-03-31"
    shown = as_json(result)
    assert shown["status"] == "no_baseline"
    assert shown["baseline"] == {"date": "2019-03-31", "value": None, "from_log": True}
    assert shown["target"] == {"by": "2021-03-31", "value": None, "change": -0.5}
    assert shown["missing"] == "baseline not recorded for 2019-03-31"
    assert shown["days_to_deadline"] == (date(2021, 3, 31) - D).days
    assert shown["stages"] == [
        {"by": "2021-03-31", "target": None, "verdict": "no_baseline", "actual": None}
    ]


def test_ex20_the_actual_on_the_baseline_date_is_the_baseline() -> None:
    log = [entry(BASELINE_DAY, 100), entry(MAY_31, 70)]
    result = assess_metric(ooa_log(), log, D)
    shown = as_json(result)
    assert shown["baseline"] == {"date": "2019-03-31", "value": 100, "from_log": True}
    assert shown["target"] == {"by": "2021-03-31", "value": 50}
    assert shown["missing"] is None
    assert shown["expected"] == pytest.approx(70.79, abs=0.01)  # 100 - 50 x 427/731
    assert result.status == "on_track"  # 70 < 70.79
    # a correction of the baseline day's entry is the baseline
    fixed = [*log, entry(BASELINE_DAY, 90, replaces=True)]
    assert as_json(assess_metric(ooa_log(), fixed, D))["target"]["value"] == 45
    # an actual on another day is not
    other = [entry(date(2019, 4, 30), 100), entry(MAY_31, 70)]
    assert assess_metric(ooa_log(), other, D).status == "no_baseline"
    # nor is one recorded after the as-of date
    assert assess_metric(ooa_log(), log, date(2019, 3, 30)).status == "no_baseline"


# --- 21. a baseline not yet agreed ----------------------------------------------------------


def test_ex21_a_baseline_with_only_a_note_is_not_agreed() -> None:
    placements = metric(
        direction="decrease",
        baseline={"note": "The plan states no baseline figure or date"},
        targets=[
            {"by": date(2021, 3, 31), "change": "-50%"},
            {"by": date(2023, 3, 31), "change": "-75%"},
        ],
    )
    result = assess_metric(placements, [entry(MAY_31, 70)], D)
    assert result.status == "no_baseline"
    shown = as_json(result)
    assert shown["missing"] == "baseline not agreed"
    assert shown["baseline"] == {"date": None, "value": None, "from_log": False}
    assert shown["target"] == {"by": "2021-03-31", "value": None, "change": -0.5}
    assert [s["verdict"] for s in shown["stages"]] == ["no_baseline", "no_baseline"]
    # with no actual at all it is still no_baseline: what is missing first is the baseline
    assert assess_metric(placements, [], D).status == "no_baseline"


# --- 22. each place its own baseline from the log -------------------------------------------


def by_place() -> Metric:
    return ooa_log(places=["fylde-coast", "morecambe-bay"])


def test_ex22_each_place_takes_its_own_actual_on_the_baseline_date() -> None:
    log = [
        entry(BASELINE_DAY, 40, place="fylde-coast"),
        entry(BASELINE_DAY, 60, place="morecambe-bay"),
        entry(MAY_31, 28, place="fylde-coast"),
        entry(MAY_31, 50, place="morecambe-bay"),
    ]
    result = assess_metric(by_place(), log, D)
    shown = as_json(result)
    fylde, morecambe = shown["places"]
    assert fylde["baseline"] == {"date": "2019-03-31", "value": 40, "from_log": True}
    assert fylde["target"] == {"by": "2021-03-31", "value": 20}
    assert fylde["expected"] == pytest.approx(28.32, abs=0.01)
    assert fylde["status"] == "on_track"
    assert morecambe["baseline"] == {"date": "2019-03-31", "value": 60, "from_log": True}
    assert morecambe["target"] == {"by": "2021-03-31", "value": 30}
    assert morecambe["expected"] == pytest.approx(42.48, abs=0.01)
    assert morecambe["status"] == "off_track"  # 7.52 / 30 = 0.25
    # the metric's row: the worst place, and the change (each place has its own figure)
    assert shown["status"] == "off_track"
    assert shown["target"] == {"by": "2021-03-31", "value": None, "change": -0.5}
    assert shown["baseline"] == {"date": "2019-03-31", "value": None, "from_log": True}
    assert shown["missing"] is None
    assert result.deadline == date(2021, 3, 31)


def test_ex22_a_place_with_no_actual_on_the_baseline_date_is_no_baseline() -> None:
    log = [entry(BASELINE_DAY, 40, place="fylde-coast"), entry(MAY_31, 28, place="fylde-coast")]
    result = assess_metric(by_place(), log, D)
    assert [(p.place, p.status) for p in result.places] == [
        ("fylde-coast", "on_track"),
        ("morecambe-bay", "no_baseline"),
    ]
    assert result.status == "no_baseline"
    assert result.missing == "baseline not recorded for 2019-03-31 at 1 of 2 places"
    assert result.places[1].missing == "baseline not recorded for 2019-03-31"
    assert result.places[1].unresolved == Unresolved(date(2021, 3, 31), -0.5)


# --- 23. a standing target ------------------------------------------------------------------


def deaths() -> Metric:
    return metric(
        id="deaths",
        name="Preventable deaths",
        direction="decrease",
        targets=[{"from": date(2020, 4, 1), "value": 0}],
    )


def death(day: date, value: float) -> Actual:
    return entry(day, value, "deaths")


HELD = [
    death(date(2020, 4, 30), 0),
    death(date(2020, 5, 31), 1),
    death(date(2020, 6, 30), 0),
    death(date(2020, 7, 31), 0),
    death(date(2020, 8, 31), 0),
    death(date(2020, 9, 30), 2),
    death(date(2020, 10, 31), 0),
]


def test_ex23_before_its_date_a_standing_target_acts_as_a_deadline() -> None:
    march = date(2020, 3, 15)
    log = [death(date(2020, 1, 31), 4), death(date(2020, 2, 29), 3)]
    result = assess_metric(deaths(), log, march)
    assert result.status == "off_track"  # E 4 - 4 x 29/61 = 2.10; 0.90 / 4 = 0.225
    assert result.expected == pytest.approx(2.10, abs=0.01)
    assert result.days_to_deadline == 17
    assert result.target == Goal(date(2020, 4, 1), 0, standing=True)
    shown = as_json(result, march)
    assert shown["target"] == {"from": "2020-04-01", "value": 0}
    assert shown["stages"] == [
        {
            "from": "2020-04-01",
            "target": 0,
            "verdict": "pending",
            "actual": None,
            "breaches": 0,
            "last_breach": None,
        }
    ]
    # meeting it early reads as for any target: achieved (the level is already reached)
    assert assess_metric(deaths(), [death(date(2020, 2, 29), 0)], march).status == "achieved"


def test_ex23_on_and_after_its_date_it_holds_or_is_breached() -> None:
    october = date(2020, 10, 31)
    result = assess_metric(deaths(), HELD, october)
    assert result.status == "on_track"  # the latest, 0, meets it: never achieved
    assert result.days_to_deadline is None  # no deadline: never overdue
    assert result.deadline is None
    shown = as_json(result, october)
    assert shown["target"] == {"from": "2020-04-01", "value": 0}
    assert shown["stages"] == [
        {
            "from": "2020-04-01",
            "target": 0,
            "verdict": "holding",
            "actual": {"date": "2020-10-31", "value": 0},
            "breaches": 2,
            "last_breach": "2020-09-30",
        }
    ]
    september = assess_metric(deaths(), HELD, date(2020, 9, 30))
    assert september.status == "off_track"
    assert (september.stages[0].verdict, september.stages[0].breaches) == ("breached", 2)
    june = assess_metric(deaths(), HELD, D)
    assert (june.status, june.stages[0].verdict) == ("on_track", "holding")
    assert (june.stages[0].breaches, june.stages[0].last_breach) == (1, date(2020, 5, 31))


def test_ex23_no_actual_since_its_date_is_no_data() -> None:
    log = [death(date(2020, 3, 31), 0)]
    result = assess_metric(deaths(), log, date(2020, 4, 15))
    assert (result.status, result.stages[0].verdict) == ("no_data", "no_data")


# --- 24. stage verdicts ---------------------------------------------------------------------


def staged(**fields: Any) -> Metric:
    written: dict[str, Any] = {
        "direction": "decrease",
        "cadence": "quarterly",
        "baseline": {"date": BASELINE_DAY, "value": 100},
        "targets": [
            {"by": date(2019, 9, 30), "value": 90},
            {"by": date(2020, 3, 31), "value": 80},
            {"by": date(2020, 6, 30), "value": None, "note": "to be set"},
            {"by": date(2020, 9, 30), "value": 70},
            {"by": date(2021, 3, 31), "value": 50},
        ],
    }
    return metric(**(written | fields))


STAGED_LOG = [
    entry(date(2019, 6, 30), 93),
    entry(date(2019, 9, 30), 88),
    entry(date(2019, 12, 31), 85),
    entry(MAY_31, 75),
]


def test_ex24_every_target_is_a_stage_with_its_verdict() -> None:
    december = date(2020, 12, 31)
    result = assess_metric(staged(), STAGED_LOG, december)
    shown = as_json(result, december)
    september, december_2019 = (
        {"date": "2019-09-30", "value": 88},
        {"date": "2019-12-31", "value": 85},
    )
    assert shown["stages"] == [
        {"by": "2019-09-30", "target": 90, "verdict": "met", "actual": september},
        {"by": "2020-03-31", "target": 80, "verdict": "missed", "actual": december_2019},
        {"by": "2020-06-30", "target": None, "verdict": "open", "actual": None},
        {"by": "2020-09-30", "target": 70, "verdict": "no_data", "actual": None},
        {"by": "2021-03-31", "target": 50, "verdict": "pending", "actual": None},
    ]
    # the overall status keeps its rules: 75 is ahead of the plan line (76.67) on 2020-05-31
    assert (result.status, result.stale) == ("on_track", True)


def test_ex24_a_stage_looks_back_no_more_than_one_and_a_half_periods() -> None:
    october = [*STAGED_LOG[:2], entry(date(2019, 10, 31), 85), STAGED_LOG[3]]
    result = assess_metric(staged(), october, date(2020, 12, 31))
    assert result.stages[1].verdict == "no_data"  # 152 days before 2020-03-31 > 138
    # without a cadence only the previous stage's date bounds it
    result = assess_metric(staged(cadence=None), october, date(2020, 12, 31))
    assert result.stages[1].verdict == "missed"


def test_ex24_the_first_stage_does_not_count_the_baseline_itself() -> None:
    from_log = ooa_log(targets=[{"by": date(2020, 3, 31), "change": "-20%"}])
    result = assess_metric(from_log, [entry(BASELINE_DAY, 100)], D)
    assert result.stages[0].verdict == "no_data"
    assert result.status == "overdue"


# --- 25. a revision moving a deadline -------------------------------------------------------

POSTPONED = {
    "decided": date(2020, 4, 15),
    "by": "ICS Board",
    "reason": "COVID-19: planning paused",
    "due": date(2020, 9, 30),
}


def plans(*revisions: dict[str, Any]) -> Metric:
    return metric(
        id="plans",
        name="Plans agreed",
        kind="milestone",
        due=date(2020, 4, 30),
        revisions=list(revisions),
    )


def test_ex25_a_revision_moves_the_deadline_from_the_day_it_is_decided() -> None:
    result = assess_metric(plans(POSTPONED), [], D)
    assert (result.status, result.days_to_deadline) == ("on_track", 92)
    shown = as_json(result)
    assert shown["due"] == "2020-09-30"
    assert shown["revisions"] == [
        {
            "decided": "2020-04-15",
            "by": "ICS Board",
            "reason": "COVID-19: planning paused",
            "eased": True,
        }
    ]
    assert shown["original"] == {"due": "2020-04-30", "targets": []}
    assert shown["withdrawn"] is None
    # the plan the board had before the decision
    before = assess_metric(plans(POSTPONED), [], date(2020, 4, 14))
    assert (before.status, before.days_to_deadline) == ("at_risk", 16)
    assert as_json(before, date(2020, 4, 14))["revisions"] == []
    assert as_json(before, date(2020, 4, 14))["original"] is None
    # --plan original: against the plan as first written
    original = assess_metric(plans(POSTPONED), [], D, original=True)
    assert original.status == "overdue"
    assert as_json(original, plan="original")["due"] == "2020-04-30"


# --- 26. an eased target --------------------------------------------------------------------


def revised_ooa(last: float) -> Metric:
    return ooa(
        revisions=[
            {
                "decided": date(2020, 5, 12),
                "by": "ICS Board",
                "reason": "Bed base reduced",
                "targets": [
                    {"by": date(2020, 3, 31), "value": 80},
                    {"by": date(2020, 9, 30), "value": 75},
                    {"by": date(2021, 3, 31), "value": last},
                ],
            }
        ]
    )


def test_ex26_an_eased_target_is_judged_and_marked() -> None:
    result = assess_metric(revised_ooa(60), [entry(MAY_31, 78)], D)
    assert result.expected == pytest.approx(78.33, abs=0.01)  # 80 - 5 x 61/183
    assert result.status == "on_track"
    assert result.eased
    shown = as_json(result)
    assert shown["revisions"][0]["eased"] is True
    assert shown["target"] == {"by": "2020-09-30", "value": 75}
    assert shown["original"]["targets"] == [
        {"by": "2020-03-31", "value": 80, "change": None},
        {"by": "2020-09-30", "value": 70, "change": None},
        {"by": "2021-03-31", "value": 50, "change": None},
    ]
    original = assess_metric(revised_ooa(60), [entry(MAY_31, 78)], D, original=True)
    assert original.status == "off_track"  # example 4
    assert original.revisions == ()


def test_ex26_a_tightened_target_is_not_eased() -> None:
    result = assess_metric(revised_ooa(40), [entry(MAY_31, 78)], D)
    assert as_json(result)["revisions"][0]["eased"] is False


# --- 27. a withdrawn metric -----------------------------------------------------------------

WITHDRAWN = {
    "decided": date(2020, 5, 1),
    "by": "ICS Board",
    "reason": "Overtaken by the national standard",
    "source": "Board minutes, May 2020",
    "withdrawn": True,
}


def waits(*revisions: dict[str, Any]) -> Metric:
    return metric(
        id="waits",
        name="12-hour waits for a bed",
        direction="decrease",
        targets=[{"by": date(2020, 3, 31), "value": 0}],
        revisions=list(revisions),
    )


def test_ex27_a_withdrawn_metric_is_listed_never_overdue() -> None:
    log = [entry(date(2020, 4, 30), 3, "waits")]
    result = assess_metric(waits(WITHDRAWN), log, D)
    assert result.status == "withdrawn"
    assert result.days_to_deadline is None
    shown = as_json(result)
    assert shown["withdrawn"] == {
        "decided": "2020-05-01",
        "by": "ICS Board",
        "reason": "Overtaken by the national standard",
        "source": "Board minutes, May 2020",
    }
    assert shown["revisions"][0]["eased"] is True
    assert shown["latest"] == {"date": "2020-04-30", "value": 3}
    report = StatusReport(as_of=D, priorities=(), metrics=(result,))
    assert report.deadlines_missed == 0
    assert rows_with(report, ["overdue"]) == []
    # left out of the priority's roll-up (like no_target), but counted
    p3 = Priority(id="P3", title="Mental health")
    on_track = assess_metric(ooa(), [entry(MAY_31, 69)], D)
    rolled = roll_up_priority(p3, [on_track, result])
    assert (rolled.status, dict(rolled.counts)) == ("on_track", {"on_track": 1, "withdrawn": 1})
    assert roll_up_priority(p3, [result]).status == "withdrawn"
    # before the decision, and with --plan original, it is overdue
    assert assess_metric(waits(WITHDRAWN), log, date(2020, 4, 30)).status == "overdue"
    assert assess_metric(waits(WITHDRAWN), log, D, original=True).status == "overdue"


def test_ex27_every_place_of_a_withdrawn_metric_is_withdrawn() -> None:
    icp = metric(
        id="icp-plans",
        name="ICP plans",
        kind="milestone",
        due=date(2020, 3, 31),
        places=["fylde-coast", "morecambe-bay"],
        revisions=[WITHDRAWN],
    )
    result = assess_metric(icp, [], D)
    assert [p.status for p in result.places] == ["withdrawn", "withdrawn"]
    assert result.status == "withdrawn"


# --- 28. lsc status --plan original|current --------------------------------------------------

REVISED_METRICS = """\
metrics:
  - id: ooa
    priority: P3
    name: Out of area placements
    direction: decrease
    baseline: {date: 2019-03-31, value: 100}
    targets:
      - {by: 2020-03-31, value: 80}
      - {by: 2020-09-30, value: 70}
      - {by: 2021-03-31, value: 50}
    revisions:
      - decided: 2020-05-12
        by: ICS Board
        reason: Bed base reduced
        targets:
          - {by: 2020-03-31, value: 80}
          - {by: 2020-09-30, value: 75}
          - {by: 2021-03-31, value: 60}
  - id: waits
    priority: P3
    name: 12-hour waits for a bed
    direction: decrease
    targets: [{by: 2020-03-31, value: 0}]
    revisions:
      - {decided: 2020-05-01, by: ICS Board, reason: Overtaken, withdrawn: true}
  - id: deaths
    priority: P3
    name: Preventable deaths
    direction: decrease
    targets: [{from: 2020-04-01, value: 0}]
  - id: placements
    priority: P3
    name: Placements against a baseline to come
    direction: decrease
    baseline: {date: 2019-03-31}
    targets: [{by: 2021-03-31, change: -50%}]
"""

REVISED_ACTUALS = """\
- {metric: ooa, date: 2020-05-31, value: 78}
- {metric: waits, date: 2020-05-31, value: 3}
- {metric: deaths, date: 2020-05-31, value: 1}
- {metric: placements, date: 2020-05-31, value: 70}
"""


@pytest.fixture
def revised(write_plan: WritePlan) -> Path:
    return write_plan(metrics=REVISED_METRICS, actuals=REVISED_ACTUALS)


def run_status(data: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data", str(data), "status", "--as-of", "2020-06-30", *args])
    return result.exit_code, result.stdout, result.stderr


def statuses(data: Path, *args: str) -> dict[str, str]:
    code, out, err = run_status(data, "--format", "json", *args)
    assert code == 0, err
    return {m["id"]: m["status"] for m in json.loads(out)["metrics"]}


def test_ex28_plan_current_is_the_default_and_original_ignores_revisions(revised: Path) -> None:
    current = {"ooa": "on_track", "waits": "withdrawn", "deaths": "off_track"}
    assert statuses(revised) == current | {"placements": "no_baseline"}
    assert statuses(revised, "--plan", "current") == statuses(revised)
    original = {"ooa": "off_track", "waits": "overdue", "deaths": "off_track"}
    assert statuses(revised, "--plan", "original") == original | {"placements": "no_baseline"}
    _, out, _ = run_status(revised, "--format", "json", "--plan", "original")
    payload = json.loads(out)
    assert payload["plan"] == "original"
    assert all(m["revisions"] == [] and m["original"] is None for m in payload["metrics"])
    assert json.loads(run_status(revised, "--format", "json")[1])["plan"] == "current"


def test_ex28_fail_on_leaves_a_withdrawn_metric_out(revised: Path) -> None:
    code, _, err = run_status(revised, "--fail-on", "overdue", "--format", "json")
    assert code == 0, err
    code, _, err = run_status(revised, "--fail-on", "overdue", "--plan", "original")
    assert code == 1
    assert "failing: 1 metric overdue" in err


def test_new_statuses_are_accepted_by_status_filters(revised: Path) -> None:
    assert statuses(revised, "--status", "no-baseline") == {"placements": "no_baseline"}
    assert statuses(revised, "--status", "WITHDRAWN") == {"waits": "withdrawn"}


def test_an_unknown_plan_is_a_usage_error(revised: Path) -> None:
    result = runner.invoke(app, ["--data", str(revised), "status", "--plan", "latest"])
    assert result.exit_code == 2
    assert "latest" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_every_text_format_shows_the_new_statuses(revised: Path, fmt: str) -> None:
    code, out, err = run_status(revised, "--format", fmt)
    assert code == 0, err
    assert "NO BASELINE" in out.upper().replace("_", " ")
    assert "WITHDRAWN" in out.upper()
