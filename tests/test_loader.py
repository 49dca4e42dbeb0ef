"""Loading a data directory: every problem found, each at its file:line:column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import METRICS, SHIPPED_DATA, WritePlan
from lsc_tracker.loader import load
from lsc_tracker.problems import Problem

TODAY = date(2026, 11, 23)


def found(data_dir: Path) -> list[tuple[str, int, int, str]]:
    _, problems = load(data_dir, today=TODAY)
    return [(Path(p.source.path).name, p.source.line, p.source.column, p.rule) for p in problems]


def messages(data_dir: Path) -> list[str]:
    _, problems = load(data_dir, today=TODAY)
    return [
        f"{Path(p.source.path).name}:{p.source.line}:{p.source.column}: {p.message}"
        for p in problems
    ]


def test_the_shipped_plan_is_valid() -> None:
    plan, problems = load(SHIPPED_DATA, today=TODAY)
    assert problems == []
    assert [p.id for p in plan.priorities] == [f"P{n}" for n in range(1, 9)]
    assert len(plan.places) == 6
    assert all(m.source for m in plan.metrics), "every metric cites its source"


def test_a_small_valid_plan_loads_with_values_converted(write_plan: WritePlan) -> None:
    plan, problems = load(write_plan(), today=TODAY)
    assert problems == []
    ooa = plan.metric_by_id["ooa-placements"]
    assert ooa.baseline is not None and ooa.baseline.value == 120
    assert [ooa.target_value(t) for t in ooa.targets] == [60, 30]
    assert plan.metric_by_id["ccg-configuration"].due == date(2020, 4, 30)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("March 2021", "expected a date as YYYY-MM-DD (for example 2021-03-31), got 'March 2021'"),
        ("31/03/2021", "expected a date as YYYY-MM-DD (for example 2021-03-31), got '31/03/2021'"),
        ("2021-02-30", "2021-02-30 is not a real date (expected YYYY-MM-DD)"),
        ("2021-3-31", "expected a date as YYYY-MM-DD (for example 2021-03-31), got '2021-3-31'"),
    ],
)
def test_dates_must_be_iso(write_plan: WritePlan, due: str, expected: str) -> None:
    metrics = METRICS.replace("due: 2020-04-30", f"due: {due}")
    assert messages(write_plan(metrics=metrics)) == [f"metrics.yaml:15:10: {expected}"]


def test_unknown_keys_are_errors_with_a_suggestion(write_plan: WritePlan) -> None:
    metrics = METRICS.replace("    unit: placements\n", "    unti: placements\n")
    assert messages(write_plan(metrics=metrics)) == [
        "metrics.yaml:6:5: unknown key 'unti' (did you mean 'unit'?)"
    ]


def test_unknown_top_level_key(write_plan: WritePlan) -> None:
    assert found(write_plan(priorities="prioritys: []\n")) == [
        ("priorities.yaml", 1, 1, "schema"),
        ("priorities.yaml", 1, 1, "schema"),
    ]
    assert "did you mean 'priorities'" in messages(write_plan(priorities="prioritys: []\n"))[1]


def test_ids_must_be_unique_and_well_formed(write_plan: WritePlan) -> None:
    priorities = (
        "priorities:\n  - {id: P1, title: a}\n  - {id: P1, title: b}\n  - {id: p2, title: c}\n"
    )
    assert messages(write_plan(priorities=priorities, metrics="metrics: []\n")) == [
        "priorities.yaml:3:10: duplicate id 'P1' (first used on line 2)",
        "priorities.yaml:4:10: 'p2' is not a priority id: use P and a number, like P3",
    ]


def test_look_alike_unicode_in_an_id_is_refused(write_plan: WritePlan) -> None:
    metrics = METRICS.replace("id: ooa-placements", "id: ооa-placements")  # Cyrillic o
    assert found(write_plan(metrics=metrics)) == [("metrics.yaml", 2, 9, "schema")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"120"', "expected a number, got the quoted text '120': remove the quotes"),
        (".nan", "expected a finite number, got '.nan': NaN and infinity are not allowed"),
        ("-.inf", "expected a finite number, got '-.inf': NaN and infinity are not allowed"),
        ("1e400", "expected a finite number, got '1e400'"),
        ("lots", "expected a number, got 'lots'"),
        ("1_000", "expected a number, got '1_000'"),
    ],
)
def test_numbers_must_be_finite_unquoted_numbers(
    write_plan: WritePlan, value: str, message: str
) -> None:
    metrics = METRICS.replace("value: 120}", f"value: {value}}}")
    result = messages(write_plan(metrics=metrics))
    assert result[0] == f"metrics.yaml:7:41: {message}"


def test_yaml_11_surprises_do_not_reach_the_model(write_plan: WritePlan) -> None:
    priorities = "priorities:\n  - id: P1\n    title: NO\n    summary: 1.10\n    source: 1:30\n"
    plan, problems = load(write_plan(priorities=priorities, metrics="metrics:\n"), today=TODAY)
    assert problems == []
    p1 = plan.priority_by_id["P1"]
    assert (p1.title, p1.summary, p1.source) == ("NO", "1.10", "1:30")


def test_references_across_files_with_did_you_mean(write_plan: WritePlan) -> None:
    metrics = METRICS.replace("priority: P4", "priority: P9").replace(
        "    unit: placements\n", "    unit: placements\n    places: [fylde-cost]\n"
    )
    assert messages(write_plan(metrics=metrics)) == [
        "metrics.yaml:7:14: unknown place 'fylde-cost' (did you mean 'fylde-coast'?)",
        "metrics.yaml:13:15: unknown priority 'P9'",
    ]


def test_kind_fields_change_without_baseline_and_target_order(write_plan: WritePlan) -> None:
    metrics = """\
metrics:
  - id: m1
    priority: P3
    name: no direction, change without baseline, dates backwards
    targets:
      - {by: 2021-03-31, change: -50%}
      - {by: 2020-03-31, value: 3}
  - id: m2
    priority: P4
    name: milestone with measure fields
    kind: milestone
    direction: increase
  - id: m3
    priority: P3
    name: measure with a due date and a target with both value and change
    direction: increase
    due: 2020-01-31
    baseline: {date: 2019-01-31, value: 1}
    targets:
      - {by: 2019-01-31, value: 3, change: +10%}
"""
    assert found(write_plan(metrics=metrics)) == [
        ("metrics.yaml", 2, 5, "kind-fields"),
        ("metrics.yaml", 6, 34, "change-without-baseline"),
        ("metrics.yaml", 7, 14, "target-order"),
        ("metrics.yaml", 8, 5, "kind-fields"),
        ("metrics.yaml", 12, 5, "kind-fields"),
        ("metrics.yaml", 17, 5, "kind-fields"),
        ("metrics.yaml", 20, 9, "target-shape"),
        ("metrics.yaml", 20, 14, "target-order"),
    ]


def test_an_open_target_is_valid_but_a_target_with_no_value_key_is_not(
    write_plan: WritePlan,
) -> None:
    open_target = '{by: 2023-03-31, value: null, note: "75% fewer (baseline not stated)"}'
    metrics = METRICS.replace("{by: 2023-03-31, change: -75%}", open_target)
    assert found(write_plan(metrics=metrics)) == []
    metrics = METRICS.replace("{by: 2023-03-31, change: -75%}", "{by: 2023-03-31, value: null}")
    assert found(write_plan(metrics=metrics)) == [("metrics.yaml", 10, 33, "open-target-note")]
    metrics = METRICS.replace("{by: 2023-03-31, change: -75%}", "{by: 2023-03-31}")
    assert found(write_plan(metrics=metrics)) == [("metrics.yaml", 10, 9, "target-shape")]


ACTUALS_BAD = """\
- {"metric": "ooa-placement", "date": "2020-01-31", "value": 1}
- {"metric": "ooa-placements", "date": "2020-01-31", "value": "done"}
- {"metric": "ccg-configuration", "date": "2020-01-31", "value": 4}
- {"metric": "ooa-placements", "date": "2020-02-29", "value": 2, "place": "fylde-coast"}
- {"metric": "ooa-placements", "date": "2999-01-31", "value": 2}
- {"metric": "ooa-placements", "date": "2020-03-31", "value": 2}
- {"metric": "ooa-placements", "date": "2020-03-31", "value": 4, "replaces": true}
- {"metric": "ooa-placements", "date": "2020-03-31", "value": 3}
- metric: ooa-placements
  date: 2020-04-30
  value: .inf
"""


def test_actuals_are_checked_against_their_metric(write_plan: WritePlan) -> None:
    assert messages(write_plan(actuals=ACTUALS_BAD)) == [
        "actuals.yaml:1:14: unknown metric 'ooa-placement' (did you mean 'ooa-placements'?)",
        "actuals.yaml:2:63: ooa-placements is a measure: expected a number, got done",
        "actuals.yaml:3:66: ccg-configuration is a milestone: its only value is done, got 4",
        "actuals.yaml:4:75: ooa-placements is not tracked by place: leave the place out",
        "actuals.yaml:5:40: date 2999-01-31 is in the future (today is 2026-11-23)",
        "actuals.yaml:8:40: a second entry for ooa-placements on 2020-03-31 (first on line 6): "
        "line 6: 2; line 8: 3; add 'replaces: true' if it corrects the first, or keep one with "
        "'lsc record ooa-placements 3 --date 2020-03-31 --replace' (the value to keep), or "
        "withdraw both with 'lsc record ooa-placements --date 2020-03-31 --void --reason TEXT'",
        "actuals.yaml:11:10: expected a finite number, got '.inf': "
        "NaN and infinity are not allowed",
    ]


def test_actuals_file_may_be_absent_empty_or_brackets(write_plan: WritePlan) -> None:
    for text in (None, "", "# none yet\n", "[]\n"):
        plan, problems = load(write_plan(actuals=text), today=TODAY)
        assert problems == [] and plan.actuals == []


def test_a_truncated_last_entry_is_reported_with_how_to_mend(write_plan: WritePlan) -> None:
    actuals = (
        '- {"metric": "ooa-placements", "date": "2020-01-31", "value": 1}\n'
        '- {"metric": "ooa-placements", "date": "2020-02'
    )
    rules = {p.rule: p for p in load(write_plan(actuals=actuals), today=TODAY)[1]}
    assert rules["log-truncated"].source.line == 2
    assert "delete or repair this line" in rules["log-truncated"].message


@pytest.mark.parametrize("cut", ["- ", "-", "-\n", "- \r\n"])
def test_a_log_cut_right_after_an_entrys_dash_is_called_cut_off(
    write_plan: WritePlan, cut: str
) -> None:
    actuals = '- {"metric": "ooa-placements", "date": "2020-01-31", "value": 1}\n' + cut
    assert messages(write_plan(actuals=actuals)) == [
        "actuals.yaml:2:1: the last entry is incomplete (cut off by a crash?): delete or repair "
        "this line, then record that value again",
        "actuals.yaml:2:2: expected a mapping of keys, got nothing",
    ]


def test_a_log_cut_inside_a_character_is_called_cut_off(write_plan: WritePlan) -> None:
    data = write_plan()
    whole = '- {"metric": "ooa-placements", "date": "2020-01-31", "value": 1}\n'
    (data / "actuals.yaml").write_bytes((whole + whole[:-3] + ', "note": "café').encode()[:-1])
    assert messages(data) == [
        "actuals.yaml:2:1: the last entry is incomplete (cut off by a crash?): delete or repair "
        "this line, then record that value again",
        "actuals.yaml:2:77: not UTF-8: byte 0xc3 cannot be decoded; save the file as UTF-8",
    ]
    (data / "actuals.yaml").write_bytes(b"# caf\xc3")  # a comment cut: not called an entry
    assert [rule for *_, rule in found(data)] == ["file-encoding"]


def test_files_that_are_not_regular_or_are_too_big_are_one_problem_each(
    write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from lsc_tracker.applog import read as log_read

    data = write_plan(actuals="[]\n")
    os.mkfifo(data / "places.yaml.fifo")
    (data / "places.yaml").unlink()
    (data / "places.yaml").symlink_to("places.yaml.fifo")
    monkeypatch.setattr(log_read, "MAX_LOG_BYTES", 2)
    assert messages(data) == [
        "actuals.yaml:1:1: too big to read: 3 bytes, more than the 2 bytes this tool reads from "
        "one file; is it the right file?",
        "places.yaml:1:1: not a regular file: it is a named pipe (FIFO); expected a YAML file",
    ]


def test_missing_unreadable_and_non_utf8_files(write_plan: WritePlan, tmp_path: Path) -> None:
    data = write_plan(places=None)
    (data / "metrics.yaml").write_bytes(b"metrics:\n  - id: caf\xe9\n")
    (data / "actuals.yaml").mkdir()
    assert messages(data) == [
        "actuals.yaml:1:1: is a directory, expected a YAML file",
        "metrics.yaml:2:12: not UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8",
        "places.yaml:1:1: file not found",
    ]
    assert found(tmp_path / "nowhere") == [("nowhere", 1, 1, "file-missing")]


def test_bom_and_crlf_load(write_plan: WritePlan) -> None:
    data = write_plan()
    text = (data / "metrics.yaml").read_text()
    (data / "metrics.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert found(data) == []


def test_one_bad_metric_does_not_cascade_into_unknown_references(write_plan: WritePlan) -> None:
    metrics = METRICS.replace("value: 120}", "value: lots}")
    actuals = '- {"metric": "ooa-placements", "date": "2020-01-31", "value": 1}\n'
    assert [rule for *_, rule in found(write_plan(metrics=metrics, actuals=actuals))] == ["schema"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.integers(0, len(METRICS) - 1),
    st.integers(0, 5),
    st.sampled_from(["", " ", "\n", ":", "-", "[", "'", "#", "x"]),
)
def test_mutated_plan_files_only_ever_give_problems(
    write_plan: WritePlan, position: int, cut: int, insert: str
) -> None:
    metrics = METRICS[:position] + insert + METRICS[position + cut :]
    _, problems = load(write_plan(metrics=metrics), today=TODAY)
    assert all(isinstance(p, Problem) and p.source.line >= 1 for p in problems)


def test_shape_errors_are_in_the_plan_s_words_not_python_s(write_plan: WritePlan) -> None:
    metrics = METRICS.replace("kind: milestone\n", "kind: milestone\n    places: fylde-coast\n")
    actuals = (
        "- metric\n"
        '- {"metric": "ccg-configuration", "date": "2020-01-31", "value": "done", '
        '"replaces": "maybe"}\n'
    )
    found_messages = messages(write_plan(metrics=metrics, actuals=actuals))
    assert any(
        "expected a list, such as [a, b] or one '- ' item a line, got 'fylde-coast'" in m
        for m in found_messages
    ), found_messages
    assert "actuals.yaml:1:3: expected a mapping of keys, got 'metric'" in found_messages
    assert any("expected true or false, got 'maybe'" in m for m in found_messages)
    assert not any("Input should be a valid" in m for m in found_messages)


def test_issue_13_and_14_forms_load(write_plan: WritePlan) -> None:
    """Priority owner, place description and neighbourhoods, programme metrics, baselines
    from the log or not agreed, standing targets, and revisions."""
    data = write_plan(
        priorities="priorities:\n  - {id: P3, title: Resilience, owner: Chief Nurse}\n",
        places=(
            "places:\n  - {id: lsc, name: LSC, neighbourhoods: 41}\n"
            "  - {id: west-lancashire, name: West Lancashire, parent: lsc,"
            " description: A Multispeciality Community Provider}\n"
        ),
        metrics="""
        metrics:
          - id: ooa
            priority: P3
            name: Out of area placements
            direction: decrease
            baseline: {note: The plan states no baseline figure or date}
            targets: [{by: 2021-03-31, change: -50%}, {by: 2023-03-31, change: -75%}]
            revisions:
              - decided: 2020-05-12
                by: ICS Board
                reason: Baseline agreed
                source: Board minute 12
                baseline: {date: 2019-03-31, source: Board paper}
          - id: deaths
            priority: P3
            name: Preventable deaths
            direction: decrease
            targets: [{from: 2020-04-01, value: 0}]
          - id: strategy
            priority: programme
            name: Five-year strategy published
            kind: milestone
            due: 2019-09-30
            revisions: [{decided: 2019-09-01, by: ICS Board, reason: Overtaken, withdrawn: true}]
        """,
    )
    plan, problems = load(data, today=TODAY)
    assert problems == []
    assert plan.priorities[0].owner == "Chief Nurse"
    assert plan.places[0].neighbourhoods == 41
    assert plan.places[1].description == "A Multispeciality Community Provider"
    ooa, deaths, strategy = plan.metrics
    assert ooa.baseline is not None and ooa.baseline.date is None and ooa.baseline.value is None
    assert ooa.revisions[0].baseline is not None
    assert ooa.revisions[0].baseline.date == date(2019, 3, 31)
    assert deaths.targets[0].is_standing and deaths.targets[0].from_ == date(2020, 4, 1)
    assert strategy.priority == "programme" and strategy.revisions[0].withdrawn is True


def test_a_place_s_neighbourhoods_is_a_positive_count(write_plan: WritePlan) -> None:
    data = write_plan(places="places:\n  - {id: lsc, name: LSC, neighbourhoods: 0}\n")
    assert messages(data) == ["places.yaml:2:42: expected a number above 0, got 0"]


def test_a_misspelt_from_gets_did_you_mean_from(write_plan: WritePlan) -> None:
    metrics = METRICS.replace("{by: 2023-03-31, change: -75%}", "{form: 2023-03-31, change: -75%}")
    assert "unknown key 'form' (did you mean 'from'?)" in "\n".join(
        messages(write_plan(metrics=metrics))
    )
