"""The status engine, one test per worked example in docs/status-rules.md (test_exNN_...),
then the helpers, the views and property tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import AS_OF, WritePlan
from lsc_tracker.loader import load
from lsc_tracker.models import Actual, ActualEntry, Metric, Priority
from lsc_tracker.status import (
    STATUS_ORDER,
    Goal,
    Reading,
    assess,
    assess_metric,
    effective_actuals,
    expected_value_on,
    parse_statuses,
    plan_line,
    rows_with,
    select,
    worst,
)
from reference import latest_actual

D = AS_OF  # 2020-06-30


def metric(**fields: Any) -> Metric:
    base: dict[str, Any] = {"id": "ooa", "priority": "P3", "name": "Out of area placements"}
    return Metric.model_validate(base | fields)


def ooa(**fields: Any) -> Metric:
    """The main example measure of docs/status-rules.md."""
    return metric(
        direction="decrease",
        tolerance=0.1,
        baseline={"date": date(2019, 3, 31), "value": 100},
        targets=[
            {"by": date(2020, 3, 31), "value": 80},
            {"by": date(2020, 9, 30), "value": 70},
            {"by": date(2021, 3, 31), "value": 50},
        ],
        **fields,
    )


def waits() -> Metric:
    return metric(
        id="waits",
        name="12-hour waits for a bed",
        direction="decrease",
        targets=[{"by": date(2020, 3, 31), "value": 0}],
    )


def milestone(due: date, **fields: Any) -> Metric:
    return metric(id="plans", name="Plans agreed", kind="milestone", due=due, **fields)


def entry(day: date, value: float | str, metric_id: str = "ooa", **fields: Any) -> Actual:
    entry = {"metric": metric_id, "date": day, "value": value} | fields
    return ActualEntry.model_validate(entry).to_actual()


def status_of(m: Metric, *actuals: Actual, as_of: date = D) -> str:
    return assess_metric(m, actuals, as_of).status


MAY_31 = date(2020, 5, 31)


# --- the worked examples --------------------------------------------------------------------


def test_ex01_meeting_the_current_target_early_is_on_track() -> None:
    assert status_of(ooa(), entry(MAY_31, 69)) == "on_track"


def test_ex02_ahead_of_the_plan_line_is_on_track() -> None:
    result = assess_metric(ooa(), [entry(MAY_31, 76)], D)
    assert result.status == "on_track"
    assert result.expected == pytest.approx(76.6667, abs=1e-4)  # a third of the way 80 -> 70
    assert result.target == Goal(date(2020, 9, 30), 70)
    assert result.latest == Reading(MAY_31, 76)


def test_ex03_a_shortfall_within_the_tolerance_is_at_risk() -> None:
    assert status_of(ooa(), entry(MAY_31, 77.5)) == "at_risk"


def test_ex04_a_shortfall_beyond_the_tolerance_is_off_track() -> None:
    assert status_of(ooa(), entry(MAY_31, 78)) == "off_track"


def test_ex05_meeting_the_last_target_before_its_deadline_is_achieved() -> None:
    result = assess_metric(ooa(), [entry(MAY_31, 50)], D)
    assert result.status == "achieved"
    assert result.days_to_deadline == (date(2020, 9, 30) - D).days


def test_ex06_a_shortfall_exactly_at_the_tolerance_on_a_deadline_is_at_risk() -> None:
    result = assess_metric(ooa(), [entry(date(2020, 3, 31), 82)], D)
    assert result.expected == 80  # the actual is on the 2020-03-31 target's deadline
    assert result.status == "at_risk"  # 2 / span 20 = 0.1, exactly the tolerance


def test_ex07_just_over_the_tolerance_is_off_track() -> None:
    assert status_of(ooa(), entry(date(2020, 3, 31), 82.5)) == "off_track"


def test_ex08_an_actual_after_the_as_of_date_is_ignored() -> None:
    actuals = [entry(MAY_31, 78), entry(date(2020, 7, 15), 60)]
    assert status_of(ooa(), *actuals) == "off_track"
    assert assess_metric(ooa(), actuals, D).latest == Reading(MAY_31, 78)
    assert status_of(ooa(), *actuals, as_of=date(2020, 7, 31)) == "on_track"


def test_ex09_a_later_replaces_entry_supersedes_the_earlier_one() -> None:
    actuals = [entry(MAY_31, 78), entry(MAY_31, 76, replaces=True)]
    result = assess_metric(ooa(), actuals, D)
    assert (result.status, result.latest) == ("on_track", Reading(MAY_31, 76))
    assert result.actuals_counted == 1


def test_ex10_no_actual_is_no_data() -> None:
    assert status_of(ooa()) == "no_data"
    assert status_of(ooa(), entry(date(2020, 7, 15), 60)) == "no_data"


def test_ex11_targets_left_open_are_no_target_whatever_the_actuals() -> None:
    open_targets = metric(
        direction="decrease",
        targets=[
            {"by": date(2021, 3, 31), "value": None},
            {"by": date(2023, 3, 31), "value": None},
        ],
    )
    result = assess_metric(open_targets, [entry(MAY_31, 60)], D)
    assert (result.status, result.target, result.expected) == ("no_target", None, None)
    assert result.latest == Reading(MAY_31, 60)  # still shown


def test_ex12_a_last_deadline_before_d_not_met_is_overdue() -> None:
    assert status_of(waits(), entry(MAY_31, 3, "waits")) == "overdue"
    assert status_of(waits(), entry(MAY_31, 0, "waits")) == "achieved"


def test_ex12_a_deadline_on_d_is_not_yet_overdue() -> None:
    deadline = date(2020, 3, 31)
    on_the_day = entry(deadline, 2, "waits")
    result = assess_metric(waits(), [on_the_day], deadline)
    assert (result.status, result.expected, result.days_to_deadline) == ("off_track", 0, 0)
    assert status_of(waits(), on_the_day, as_of=deadline + timedelta(days=1)) == "overdue"


def test_ex12_no_data_even_when_the_deadline_is_past() -> None:
    result = assess_metric(waits(), [], D)
    assert (result.status, result.days_to_deadline) == ("no_data", -91)


def test_ex13_without_a_baseline_the_line_starts_at_the_earliest_counted_actual() -> None:
    nobase = metric(
        id="ooa-nobase", direction="decrease", targets=[{"by": date(2021, 3, 31), "value": 50}]
    )
    actuals = [
        entry(date(2020, 3, 31), 100, "ooa-nobase"),
        entry(date(2020, 3, 31), 90, "ooa-nobase", replaces=True),
        entry(MAY_31, 88, "ooa-nobase"),
    ]
    result = assess_metric(nobase, actuals, D)
    assert result.expected == pytest.approx(83.315, abs=1e-3)  # from 90, not the replaced 100
    assert result.status == "off_track"


def test_ex14_increase_with_a_change_target() -> None:
    apprentices = metric(
        id="apprentices",
        direction="increase",
        baseline={"date": date(2019, 3, 31), "value": 100},
        targets=[{"by": date(2021, 3, 31), "change": "+100%"}],
    )
    march = date(2020, 3, 31)
    result = assess_metric(apprentices, [entry(march, 145, "apprentices")], D)
    assert result.target == Goal(date(2021, 3, 31), 200)
    assert result.expected == pytest.approx(150.07, abs=0.01)
    assert result.status == "at_risk"
    assert status_of(apprentices, entry(march, 160, "apprentices")) == "on_track"
    assert status_of(apprentices, entry(march, 200, "apprentices")) == "achieved"


def test_ex15_a_flat_segment_measures_the_shortfall_against_the_value() -> None:
    hold = metric(
        id="hold",
        direction="decrease",
        baseline={"date": date(2020, 1, 1), "value": 10},
        targets=[{"by": date(2021, 1, 1), "value": 10}],
    )
    assert status_of(hold, entry(MAY_31, 10.5, "hold")) == "at_risk"  # 0.5 / |E| 10
    assert status_of(hold, entry(MAY_31, 12, "hold")) == "off_track"


@pytest.mark.parametrize(
    ("cadence", "days_old", "stale"),
    [
        ("monthly", 46, False),
        ("monthly", 47, True),
        ("quarterly", 138, False),  # exactly 1.5 periods
        ("quarterly", 139, True),
        ("annual", 549, False),
        ("annual", 550, True),
    ],
)
def test_ex16_stale_when_older_than_one_and_a_half_periods(
    cadence: str, days_old: int, stale: bool
) -> None:
    result = assess_metric(ooa(cadence=cadence), [entry(D - timedelta(days=days_old), 69)], D)
    assert (result.status, result.stale) == ("on_track", stale)


def test_ex16_never_stale_without_a_cadence_or_without_data() -> None:
    assert not assess_metric(ooa(), [entry(date(2015, 1, 1), 69)], D).stale
    assert not assess_metric(ooa(cadence="monthly"), [], D).stale


@pytest.mark.parametrize(
    ("due", "done", "status", "late"),
    [
        (date(2020, 6, 29), None, "overdue", False),
        (date(2020, 6, 30), None, "at_risk", False),
        (date(2020, 7, 30), None, "at_risk", False),  # exactly 30 days away
        (date(2020, 7, 31), None, "on_track", False),
        (date(2020, 6, 1), date(2020, 6, 15), "achieved", True),
        (date(2020, 6, 1), date(2020, 6, 1), "achieved", False),  # done on the due date
        (date(2020, 6, 1), date(2020, 7, 15), "overdue", False),  # done after D
    ],
)
def test_ex17_milestones(due: date, done: date | None, status: str, late: bool) -> None:
    actuals = [] if done is None else [entry(done, "done", "plans")]
    result = assess_metric(milestone(due), actuals, D)
    assert (result.status, result.late) == (status, late)
    assert result.days_to_deadline == (due - D).days
    assert result.latest == (Reading(done, "done") if status == "achieved" else None)


def test_ex18_a_metric_with_places_takes_the_worst_place() -> None:
    icp = milestone(date(2020, 3, 31), places=["fylde-coast", "morecambe-bay"])
    done = entry(date(2020, 3, 15), "done", "plans", place="fylde-coast")
    result = assess_metric(icp, [done], D)
    assert [(p.place, p.status) for p in result.places] == [
        ("fylde-coast", "achieved"),
        ("morecambe-bay", "overdue"),
    ]
    assert (result.status, result.latest, result.late) == ("overdue", None, False)


def test_ex18_a_metric_with_places_is_late_once_all_are_done_and_one_was_late() -> None:
    icp = milestone(date(2020, 3, 31), places=["fylde-coast", "morecambe-bay"])
    actuals = [
        entry(date(2020, 3, 15), "done", "plans", place="fylde-coast"),
        entry(date(2020, 4, 15), "done", "plans", place="morecambe-bay"),
    ]
    result = assess_metric(icp, actuals, D)
    assert (result.status, result.late) == ("achieved", True)
    assert [p.late for p in result.places] == [False, True]


def test_ex18_places_share_the_metric_wide_target() -> None:
    by_place = ooa(places=["fylde-coast", "morecambe-bay"])
    actuals = [
        entry(MAY_31, 69, place="fylde-coast"),
        entry(MAY_31, 78, place="morecambe-bay"),
        entry(MAY_31, 10),  # no place: not counted for a metric tracked by place
    ]
    result = assess_metric(by_place, actuals, D)
    assert [p.status for p in result.places] == ["on_track", "off_track"]
    assert result.status == "off_track"
    assert result.target == Goal(date(2020, 9, 30), 70)
    assert result.places[1].expected == pytest.approx(76.67, abs=0.01)
    assert result.actuals_counted == 2


def plan_files(write_plan: WritePlan, actuals: str) -> Any:
    metrics = """\
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
      - id: waits
        priority: P3
        name: 12-hour waits
        direction: decrease
        targets: [{by: 2020-03-31, value: 0}]
      - id: open
        priority: P3
        name: Inappropriate admissions
        direction: decrease
      - id: recruits
        priority: P4
        name: International recruitment
        direction: increase
      - id: icp-plans
        priority: P4
        name: ICP plans
        kind: milestone
        due: 2020-03-31
        places: [fylde-coast, morecambe-bay]
    """
    import textwrap

    data = write_plan(metrics=textwrap.dedent(metrics), actuals=textwrap.dedent(actuals))
    plan, problems = load(data)
    assert problems == []
    return plan


def test_ex19_a_priority_takes_its_worst_metric_and_counts_them(write_plan: WritePlan) -> None:
    plan = plan_files(
        write_plan,
        """\
        - {metric: ooa, date: 2020-05-31, value: 78}
        - {metric: waits, date: 2020-05-31, value: 3}
        """,
    )
    report = assess(plan, D)
    p3, p4 = report.priorities
    assert (p3.id, p3.status, dict(p3.counts)) == (
        "P3",
        "overdue",
        {"overdue": 1, "off_track": 1, "no_target": 1},
    )
    assert list(p3.counts) == ["overdue", "off_track", "no_target"]  # worst first
    assert (p4.status, dict(p4.counts)) == ("overdue", {"overdue": 1, "no_target": 1})
    assert [m.id for m in report.metrics] == ["ooa", "waits", "open", "recruits", "icp-plans"]


def test_ex19_a_priority_of_only_no_target_metrics_is_no_target() -> None:
    from lsc_tracker.status import roll_up_priority

    p2 = Priority(id="P2", title="Workforce")
    open_metric = assess_metric(metric(priority="P2", direction="increase"), [], D)
    assert roll_up_priority(p2, [open_metric]).status == "no_target"
    assert roll_up_priority(p2, []).status == "no_target"


# --- helpers ---------------------------------------------------------------------------------


def test_worst_follows_the_issue_order_and_no_target_comes_last() -> None:
    issue_order = ("overdue", "off_track", "at_risk", "no_baseline", "no_data", "on_track")
    assert (*issue_order, "achieved", "no_target", "withdrawn") == STATUS_ORDER
    assert worst(["achieved", "no_data", "on_track"]) == "no_data"
    assert worst(["no_target", "achieved"]) == "achieved"
    assert worst(["no_target", "no_target"]) == "no_target"
    with pytest.raises(ValueError):
        worst([])


def test_latest_actual_on_the_same_date_is_the_last_in_the_log() -> None:
    first, second = entry(MAY_31, 1), entry(MAY_31, 2, replaces=True)
    assert latest_actual([first, second, entry(date(2020, 4, 30), 9)], D) is second
    assert latest_actual([entry(date(2020, 7, 1), 9)], D) is None
    assert effective_actuals([entry(MAY_31, 1), entry(date(2020, 1, 31), 2)], D)[0].value == 2


def test_an_actual_on_the_baseline_date_is_judged_on_the_first_segment() -> None:
    """The line is flat only before the starting point: 108 on the baseline date (E 100) is
    8 short of a segment spanning 20, so off track, as the same value a day later is."""
    baseline_day = date(2019, 3, 31)
    assert expected_value_on(plan_line(ooa(), None), baseline_day) == 100
    as_of = date(2019, 6, 30)
    assert status_of(ooa(), entry(baseline_day, 108), as_of=as_of) == "off_track"
    assert status_of(ooa(), entry(baseline_day + timedelta(days=1), 108), as_of=as_of) == (
        "off_track"
    )
    assert status_of(ooa(), entry(baseline_day, 101), as_of=as_of) == "at_risk"  # 1/20


def test_an_actual_on_the_plan_line_is_on_track_despite_float_rounding() -> None:
    """From 0.1 to 0 over 10 days, day 6's expected value computes as 0.039999999999999994."""
    m = metric(
        direction="decrease",
        baseline={"date": date(2020, 1, 2), "value": 0.1},
        targets=[{"by": date(2020, 1, 12), "value": 0}],
    )
    assert status_of(m, entry(date(2020, 1, 8), 0.04), as_of=date(2020, 1, 8)) == "on_track"
    assert status_of(m, entry(date(2020, 1, 8), 0.0401), as_of=date(2020, 1, 8)) == "at_risk"


def test_plan_line_knots_and_flat_ends() -> None:
    line = plan_line(ooa())
    assert line[0] == (date(2019, 3, 31), 100) and line[-1] == (date(2021, 3, 31), 50)
    assert expected_value_on(line, date(2018, 1, 1)) == 100  # flat before the start
    assert expected_value_on(line, date(2030, 1, 1)) == 50  # flat after the last target
    assert expected_value_on(line, date(2020, 3, 31)) == 80
    assert expected_value_on((), D) is None
    # a start dated on or after the first target is left out
    late_start = metric(direction="decrease", targets=[{"by": date(2020, 3, 31), "value": 5}])
    assert plan_line(late_start, entry(MAY_31, 9)) == ((date(2020, 3, 31), 5),)


def test_parse_statuses_normalises_and_refuses_unknown_names() -> None:
    assert parse_statuses("overdue, Off-Track,OFF TRACK,at_risk") == (
        "overdue",
        "off_track",
        "at_risk",
    )
    with pytest.raises(ValueError, match=r"did you mean 'overdue'"):
        parse_statuses("overdu")
    with pytest.raises(ValueError, match="give one or more"):
        parse_statuses(" , ")


# --- views -----------------------------------------------------------------------------------


def test_select_by_place_shows_that_place_and_its_status(write_plan: WritePlan) -> None:
    plan = plan_files(
        write_plan, "- {metric: icp-plans, date: 2020-03-15, value: done, place: fylde-coast}\n"
    )
    report = assess(plan, D)
    fylde = select(report, place="fylde-coast")
    assert [m.id for m in fylde.metrics] == ["icp-plans"]
    (icp,) = fylde.metrics
    assert (icp.status, [p.place for p in icp.places]) == ("achieved", ["fylde-coast"])
    assert [(p.id, p.status) for p in fylde.priorities] == [("P4", "achieved")]
    bay = select(report, place="morecambe-bay")
    assert bay.metrics[0].status == "overdue"


def test_select_by_status_keeps_the_roll_up_of_the_whole_scope(write_plan: WritePlan) -> None:
    plan = plan_files(write_plan, "- {metric: ooa, date: 2020-05-31, value: 69}\n")
    report = select(assess(plan, D), statuses=["on_track"])
    assert [m.id for m in report.metrics] == ["ooa"]
    assert report.priorities[0].status == "no_data"  # waits has no data, even if not shown
    assert report.filters == {"status": ("on_track",)}


def test_select_by_status_shows_matching_places_under_their_metric(write_plan: WritePlan) -> None:
    plan = plan_files(
        write_plan, "- {metric: icp-plans, date: 2020-03-15, value: done, place: fylde-coast}\n"
    )
    report = select(assess(plan, D), statuses=["achieved"])
    (icp,) = report.metrics
    assert icp.status == "overdue"  # the metric row itself is still the worst place
    assert icp.shown_for_places  # ... but it is there only to head the achieved place
    assert [p.place for p in icp.places] == ["fylde-coast"]
    assert [(m.id, p and p.place) for m, p in rows_with(report, ["achieved"])] == [
        ("icp-plans", "fylde-coast")
    ]
    assert rows_with(report, ["overdue"]) == []  # --fail-on overdue: nothing shown is overdue
    assert not select(assess(plan, D), statuses=["overdue"]).metrics[0].shown_for_places


def test_select_by_priority(write_plan: WritePlan) -> None:
    plan = plan_files(write_plan, "[]\n")
    report = select(assess(plan, D), priorities=["P4"])
    assert [p.id for p in report.priorities] == ["P4"]
    assert {m.metric.priority for m in report.metrics} == {"P4"}


def test_report_summary_figures(write_plan: WritePlan) -> None:
    plan = plan_files(write_plan, "- {metric: ooa, date: 2020-05-31, value: 78}\n")
    report = assess(plan, D)
    assert report.counts == {"overdue": 1, "off_track": 1, "no_data": 1, "no_target": 2}
    assert report.deadlines_missed == 2  # waits (no data) and icp-plans
    assert report.actuals_counted == 1


# --- properties -----------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=4 * 366)
EPOCH = date(2018, 1, 1)


@st.composite
def measures(draw: st.DrawFn) -> Metric:
    direction = draw(st.sampled_from(["increase", "decrease"]))
    target_days = sorted(set(draw(st.lists(days, min_size=1, max_size=4))))
    values = st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda v: round(v, 2))
    fields: dict[str, Any] = {
        "direction": direction,
        "tolerance": draw(st.sampled_from([0, 0.05, 0.1, 0.5])),
        "cadence": draw(st.sampled_from([None, "monthly", "quarterly", "annual"])),
        "targets": [{"by": EPOCH + timedelta(days=d), "value": draw(values)} for d in target_days],
    }
    if draw(st.booleans()):
        start = draw(st.integers(min_value=0, max_value=target_days[0])) - 1
        fields["baseline"] = {"date": EPOCH + timedelta(days=start), "value": draw(values)}
    return metric(**fields)


@st.composite
def logs(draw: st.DrawFn, metric_id: str = "ooa") -> list[Actual]:
    items = draw(
        st.lists(
            st.tuples(
                days,
                st.floats(min_value=-1000, max_value=1000, allow_nan=False),
                st.booleans(),
            ),
            max_size=8,
        )
    )
    return [
        entry(EPOCH + timedelta(days=d), round(v, 2), metric_id, replaces=r) for d, v, r in items
    ]


def rank(status: str) -> int:
    return STATUS_ORDER.index(status)


@settings(max_examples=300, deadline=None)
@given(
    m=measures(),
    log=logs(),
    as_of=days,
    better=st.floats(min_value=0, max_value=500, allow_nan=False),
)
def test_moving_the_latest_actual_in_the_better_direction_never_makes_it_worse(
    m: Metric, log: list[Actual], as_of: int, better: float
) -> None:
    day = EPOCH + timedelta(days=as_of)
    latest = latest_actual(log, day)
    if latest is None:
        return
    step = better if m.direction == "increase" else -better
    improved = latest._replace(value=float(latest.value) + step)
    moved = [improved if a is latest else a for a in log]
    before = assess_metric(m, log, day).status
    after = assess_metric(m, moved, day).status
    assert rank(after) >= rank(before), (before, after)


@pytest.mark.slow  # over a second
@settings(max_examples=200, deadline=None)
@given(m=measures(), log=logs(), others=logs("other"), as_of=days, data=st.data())
def test_entries_for_other_metrics_and_their_order_do_not_matter(
    m: Metric, log: list[Actual], others: list[Actual], as_of: int, data: st.DataObject
) -> None:
    day = EPOCH + timedelta(days=as_of)
    alone = assess_metric(m, log, day)
    mixed = data.draw(st.permutations(others)) + log
    for position, other in enumerate(data.draw(st.permutations(others))):
        mixed.insert(min(position * 2, len(mixed)), other)
    assert assess_metric(m, mixed, day) == alone


@settings(max_examples=200, deadline=None)
@given(m=measures(), log=logs(), as_of=days, future=logs())
def test_actuals_after_the_as_of_date_are_ignored(
    m: Metric, log: list[Actual], as_of: int, future: list[Actual]
) -> None:
    day = EPOCH + timedelta(days=as_of)
    later = [a._replace(date=day + timedelta(days=1 + (a.date - EPOCH).days)) for a in future]
    assert assess_metric(m, log + later, day) == assess_metric(m, log, day)
