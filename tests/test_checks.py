"""Cross-file checks: every problem of an entry in one round, not one fix at a time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import METRICS, WritePlan
from lsc_tracker.checks import CHECKS
from lsc_tracker.loader import load

TODAY = date(2026, 12, 1)


def found(data_dir: Path) -> list[tuple[int, int, str]]:
    _, problems = load(data_dir, today=TODAY)
    return [(p.source.line, p.source.column, p.rule) for p in problems]


def test_an_unknown_metric_does_not_hide_a_future_date(write_plan: WritePlan) -> None:
    actuals = "- {metric: nope, date: 2999-06-30, value: 3}\n"
    assert found(write_plan(actuals=actuals)) == [
        (1, 12, "unknown-metric"),
        (1, 24, "future-actual"),
    ]


def test_a_misfit_value_and_place_and_a_future_date_are_all_reported(
    write_plan: WritePlan,
) -> None:
    actuals = "- {metric: ccg-configuration, date: 2999-06-30, value: 3, place: fylde-coast}\n"
    assert [rule for *_, rule in found(write_plan(actuals=actuals))] == [
        "future-actual",
        "actual-value",
        "actual-place",
    ]


def test_a_place_listed_twice_under_a_metric_is_a_problem(write_plan: WritePlan) -> None:
    twice = "    due: 2020-04-30\n    places: [fylde-coast, morecambe-bay, fylde-coast]\n"
    metrics = METRICS.replace("    due: 2020-04-30\n", twice)
    assert found(write_plan(metrics=metrics)) == [(16, 42, "duplicate-place")]


def test_each_check_is_registered_under_every_rule_it_emits(write_plan: WritePlan) -> None:
    metrics = (
        METRICS.replace("priority: P4", "priority: P44")
        .replace("change: -75%", "change: 75%")
        .replace("{by: 2021-03-31, change: -50%}", "{by: 2018-03-31, value: 3, change: -50%}")
        .replace("    due: 2020-04-30\n", "    places: [nowhere, lsc, lsc]\n")
    )
    actuals = (
        "- {metric: nope, date: 2999-06-30, value: 3}\n"
        "- {metric: ccg-configuration, date: 2020-01-31, value: 3, place: lsc}\n"
        "- {metric: ooa-placements, date: 2020-01-31, value: 3, place: lsc}\n"
        "- {metric: ooa-placements, date: 2020-01-31, value: 4, place: lsc}\n"
    )
    plan, _ = load(write_plan(metrics=metrics, actuals=actuals), today=TODAY)
    emitted = {
        problem.rule: check
        for check in dict.fromkeys(CHECKS.values())
        for problem in check(plan, TODAY)
    }
    assert len(emitted) == 12, sorted(emitted)
    assert all(CHECKS[rule] is check for rule, check in emitted.items())


# --- issue 13: baselines, standing targets and revisions --------------------------------------

MEASURE = """\
metrics:
  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
"""


def lines(data_dir: Path) -> list[str]:
    """What ``lsc check`` prints, without the directory: ``line:col: message (rule)``."""
    _, problems = load(data_dir, today=TODAY)
    return [f"{p.source.line}:{p.source.column}: {p.message} ({p.rule})" for p in problems]


def test_baselines_a_value_needs_a_date_and_a_baseline_a_date_or_a_note(
    write_plan: WritePlan,
) -> None:
    metrics = MEASURE + (
        "    baseline: {value: 120}\n"
        "    targets: [{by: 2021-03-31, change: -50%}]\n"
        "  - {id: m2, priority: P3, name: M2, direction: decrease, baseline: {source: minute},"
        " targets: [{by: 2021-03-31, change: -50%}]}\n"
        "  - {id: m3, priority: P3, name: M3, direction: decrease,"
        " targets: [{by: 2021-03-31, change: -50%}]}\n"
    )
    assert lines(write_plan(metrics=metrics)) == [
        "6:23: a baseline value needs its 'date: YYYY-MM-DD' (the day the figure is for), so "
        "that the plan line starts there (baseline-date)",
        "7:40: a 'change' target needs a 'baseline' to be relative to: give the baseline a "
        "'date' (and 'value'), or a 'note' saying it is not yet agreed (change-without-baseline)",
        "8:69: a baseline needs a 'date' (its value is then the actual recorded for that date,"
        " unless 'value' gives it) or, while none is agreed, a 'note' saying so (baseline-empty)",
        "8:122: a 'change' target needs a 'baseline' to be relative to: give the baseline a "
        "'date' (and 'value'), or a 'note' saying it is not yet agreed (change-without-baseline)",
        "9:94: a 'change' target needs a 'baseline' to be relative to (change-without-baseline)",
    ]


def test_the_new_baseline_forms_are_valid(write_plan: WritePlan) -> None:
    metrics = MEASURE + (
        "    baseline: {note: The plan states no baseline figure or date}\n"
        "    targets: [{by: 2021-03-31, change: -50%}, {by: 2023-03-31, change: -75%}]\n"
        "  - {id: m2, priority: P3, name: M2, direction: decrease, baseline: {date: 2019-03-31},"
        " targets: [{by: 2021-03-31, change: -50%}]}\n"
    )
    assert lines(write_plan(metrics=metrics)) == []


def test_a_target_gives_exactly_one_of_by_and_from_and_one_standing_target_last(
    write_plan: WritePlan,
) -> None:
    metrics = MEASURE + (
        "    targets:\n"
        "      - {from: 2020-04-01, value: 0}\n"
        "      - {by: 2021-03-31, from: 2021-03-31, value: 0}\n"
        "      - {value: 0}\n"
        "      - {from: 2022-04-01, value: 0}\n"
    )
    assert lines(write_plan(metrics=metrics)) == [
        "7:10: a standing target ('from') must be the last target: it holds from its date on, "
        "so no target can come after it (standing-target)",
        "8:9: give either 'by' (a deadline) or 'from' (a standing target, held from that date "
        "on), not both (target-shape)",
        "8:26: only one standing target ('from') is allowed: the first is held from its date "
        "on (target 1) (standing-target)",
        "9:9: a target needs 'by: YYYY-MM-DD' (a deadline) or 'from: YYYY-MM-DD' (a standing "
        "target, held from that date on) (target-shape)",
        "10:10: only one standing target ('from') is allowed: the first is held from its date "
        "on (target 1) (standing-target)",
    ]


def test_a_standing_target_last_is_valid_and_its_date_is_in_order(
    write_plan: WritePlan,
) -> None:
    good = MEASURE + "    targets: [{by: 2020-03-31, value: 2}, {from: 2020-04-01, value: 0}]\n"
    assert lines(write_plan(metrics=good)) == []
    early = MEASURE + "    targets: [{by: 2020-03-31, value: 2}, {from: 2020-03-01, value: 0}]\n"
    assert lines(write_plan(metrics=early)) == [
        "6:50: target date 2020-03-01 must be after the previous target's date (2020-03-31) "
        "(target-order)"
    ]


REVISED = (
    METRICS
    + """\
    revisions:
      - decided: 2020-05-12
        by: ICS Board
        reason: Covid-19
        due: 2020-09-30
"""
)


def test_a_valid_revision_and_a_withdrawal_pass(write_plan: WritePlan) -> None:
    withdrawn = (
        REVISED + "      - {decided: 2021-01-05, by: ICS Board, reason: ICB, withdrawn: true}\n"
    )
    assert lines(write_plan(metrics=withdrawn)) == []


def test_a_revision_needs_decided_by_and_reason(write_plan: WritePlan) -> None:
    metrics = METRICS + (
        "    revisions:\n"
        "      - {by: ICS Board, reason: Covid-19, due: 2020-09-30}\n"
        "      - {decided: 2020-06-01, by: , reason: '  ', due: 2020-10-31}\n"
    )
    assert lines(write_plan(metrics=metrics)) == [
        "17:9: a revision needs 'decided: YYYY-MM-DD', the date of the decision "
        "(revision-required)",
        "18:35: a revision needs 'by', who decided (a board, a committee) (revision-required)",
        "18:45: a revision needs 'reason'; it is blank (revision-required)",
    ]


def test_decided_dates_increase_and_are_not_in_the_future(write_plan: WritePlan) -> None:
    metrics = REVISED + (
        "      - {decided: 2020-05-12, by: Board, reason: again, due: 2020-10-31}\n"
        "      - {decided: 2027-01-01, by: Board, reason: later, due: 2020-11-30}\n"
    )
    assert lines(write_plan(metrics=metrics)) == [
        "21:19: decided 2020-05-12 must be after the previous revision's (2020-05-12): "
        "revisions are appended in the order they were decided (revision-order)",
        f"22:19: decided 2027-01-01 is in the future (today is {TODAY}): record a decision "
        "once it is made (revision-future)",
    ]


def test_a_revision_gives_only_what_fits_the_metric_s_kind(write_plan: WritePlan) -> None:
    metrics = REVISED + (
        "      - {decided: 2020-06-01, by: Board, reason: x, targets: [], baseline: {note: y}}\n"
    )
    metrics = metrics.replace(
        "      - {by: 2023-03-31, change: -75%}\n",
        "      - {by: 2023-03-31, change: -75%}\n"
        "    revisions: [{decided: 2020-05-12, by: Board, reason: x, due: 2020-09-30}]\n",
    )
    assert lines(write_plan(metrics=metrics)) == [
        "11:61: 'due' is for a milestone's revision; this metric is a measure: give the new "
        "'targets' (the whole list) or 'baseline' (revision-fields)",
        "22:53: 'targets' is for a measure's revision; this metric is a milestone: give the "
        "new 'due' (revision-fields)",
        "22:66: 'baseline' is for a measure's revision; this metric is a milestone: give the "
        "new 'due' (revision-fields)",
    ]


def test_a_revision_that_changes_nothing_is_refused(write_plan: WritePlan) -> None:
    metrics = REVISED + (
        "      - {decided: 2020-06-01, by: Board, reason: nothing given}\n"
        "      - {decided: 2020-07-01, by: Board, reason: same date, due: 2020-09-30}\n"
    )
    assert lines(write_plan(metrics=metrics)) == [
        "21:9: this revision changes nothing: give the new 'due' (a milestone), 'targets' or "
        "'baseline' (a measure), or 'withdrawn: true' (revision-empty)",
        "22:9: this revision changes nothing: what it gives is already the plan in force "
        "(notes and sources are not a change) (revision-empty)",
    ]


def test_nothing_follows_a_withdrawal(write_plan: WritePlan) -> None:
    metrics = REVISED + (
        "      - {decided: 2021-01-05, by: Board, reason: ICB, withdrawn: true}\n"
        "      - {decided: 2021-02-01, by: Board, reason: back, due: 2021-06-30}\n"
    )
    assert lines(write_plan(metrics=metrics)) == [
        "22:9: nothing can follow a withdrawal (line 21): the metric is withdrawn; to revive "
        "a commitment, add a new metric (revision-after-withdrawn)",
    ]


def test_a_revision_s_targets_obey_the_target_rules(write_plan: WritePlan) -> None:
    metrics = METRICS.replace(
        "      - {by: 2023-03-31, change: -75%}\n",
        "      - {by: 2023-03-31, change: -75%}\n"
        "    revisions:\n"
        "      - decided: 2020-05-12\n"
        "        by: ICS Board\n"
        "        reason: Covid-19\n"
        "        targets:\n"
        "          - {from: 2021-04-01, value: 0}\n"
        "          - {by: 2022-03-31, change: 50%}\n"
        "          - {by: 2021-03-31, value: 3, change: -10%}\n",
    )
    assert lines(write_plan(metrics=metrics)) == [
        "16:14: a standing target ('from') must be the last target: it holds from its date "
        "on, so no target can come after it (standing-target)",
        "17:38: change 50% raises the target, but this metric's direction is decrease: write "
        "-50% for a decrease of 50% (or +50% if growth is really allowed) (change-direction)",
        "18:13: give either 'value' or 'change', not both (target-shape)",
        "18:18: target date 2021-03-31 must be after the previous target's date (2022-03-31) "
        "(target-order)",
    ]


def test_programme_is_a_priority_every_metric_may_name(write_plan: WritePlan) -> None:
    metrics = METRICS.replace("priority: P4", "priority: programme")
    plan, problems = load(write_plan(metrics=metrics), today=TODAY)
    assert problems == []
    assert plan.metric_by_id["ccg-configuration"].priority == "programme"
    typo = METRICS.replace("priority: P4", "priority: programe")
    assert lines(write_plan(metrics=typo)) == [
        "12:15: 'programe' is not a priority id: use P and a number, like P3, or programme for "
        "a commitment of the whole programme (schema)"
    ]


def test_a_bad_withdrawn_word_is_one_problem_not_two(write_plan: WritePlan) -> None:
    metrics = REVISED + "      - {decided: 2021-01-05, by: Board, reason: ICB, withdrawn: yes}\n"
    assert lines(write_plan(metrics=metrics)) == [
        "21:66: expected true or false, got 'yes' (schema)"
    ]
