"""`spc_inputs`: which actuals feed a metric's XmR chart, with which target and settings; and the
demo data set, which must show every Making Data Count pattern."""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest

from conftest import AS_OF, DEMO_AS_OF, DEMO_DATA, REPO, WritePlan
from lsc_tracker import spc, spc_inputs
from lsc_tracker.loader import load
from lsc_tracker.plan import Plan
from reference import spc_by_metric, spc_summary


def loaded(data_dir: Path) -> Plan:
    plan, problems = load(data_dir)
    assert not problems, [str(p) for p in problems]
    return plan


def log(*entries: dict) -> str:
    return "".join(f"- {json.dumps(entry)}\n" for entry in entries)


MONTHS = [date(2019, m, 28) for m in range(4, 13)] + [date(2020, m, 28) for m in range(1, 7)]


@pytest.fixture
def ooa(write_plan: WritePlan) -> Plan:
    """ooa-placements (baseline 120; -50% by 2021-03-31, -75% by 2023-03-31), 15 months."""
    values = [100, 110] * 7 + [140]
    entries = [
        {"metric": "ooa-placements", "date": d.isoformat(), "value": v}
        for d, v in zip(MONTHS, values, strict=True)
    ]
    corrected = {"metric": "ooa-placements", "date": "2019-05-28", "value": 100, "replaces": True}
    later = {"metric": "ooa-placements", "date": "2020-07-28", "value": 999}
    return loaded(write_plan(actuals=log(*entries, corrected, later)))


def test_metric_series_drops_superseded_and_later_entries(ooa: Plan) -> None:
    metric = ooa.metric_by_id["ooa-placements"]
    series = spc_inputs.metric_series(ooa, metric, None, AS_OF)
    assert len(series) == 15  # 2020-07-28 is after AS_OF
    assert series[1] == (date(2019, 5, 28), 100.0)  # the replacing entry, not the 110
    assert series == sorted(series)
    assert spc_inputs.metric_series(ooa.actuals, metric, None, AS_OF) == series  # a log works too


def test_metric_spc_uses_the_target_in_force_and_the_status_engines_series(ooa: Plan) -> None:
    metric = ooa.metric_by_id["ooa-placements"]
    result = spc_inputs.metric_spc(ooa, metric, None, AS_OF)
    assert result is not None
    assert result.direction == "decrease"
    assert result.target == pytest.approx(60.0)  # 120 x (1 - 50%), due 2021-03-31
    assert spc_inputs.metric_spc(ooa, metric, None, date(2022, 1, 31)).target == pytest.approx(30.0)
    assert spc_inputs.metric_spc(ooa, metric, None, date(2024, 1, 31)).target == pytest.approx(30.0)
    last = result.points[-1]
    assert (last.value, last.type, last.rule) == (140.0, spc.CONCERN, spc.RULE_OUTSIDE)
    assert result.variation == "concern_high"
    assert result.assurance == spc.CONSISTENT_FAIL  # 60 is below the lower limit


def test_metric_spc_reads_the_metrics_spc_settings(write_plan: WritePlan) -> None:
    metrics = """\
metrics:
  - id: waits
    priority: P3
    name: Waits
    direction: decrease
    spc: {rebase: [2019-10-01], screen_outliers: false}
"""
    values = [10, 12] * 3 + [30, 32] * 3 + [31]
    entries = [
        {"metric": "waits", "date": d.isoformat(), "value": v}
        for d, v in zip(MONTHS[: len(values)], values, strict=True)
    ]
    plan = loaded(write_plan(metrics=metrics, actuals=log(*entries)))
    result = spc_inputs.metric_spc(plan, plan.metric_by_id["waits"], None, AS_OF)
    assert [(g.start, g.n) for g in result.groups] == [
        (date(2019, 4, 28), 6),
        (date(2019, 10, 28), 7),
    ]
    assert [g.mean for g in result.groups] == pytest.approx([11.0, 31.0])
    assert result.target is None and result.assurance is None


def test_metric_spc_is_none_for_milestones_and_for_a_metric_by_place_without_a_place(
    write_plan: WritePlan,
) -> None:
    metrics = """\
metrics:
  - id: quits
    priority: P3
    name: Quit rate
    direction: increase
    places: [fylde-coast, morecambe-bay]
  - id: ccg-configuration
    priority: P4
    name: Agree the future configuration of CCGs
    kind: milestone
    due: 2020-04-30
"""
    actuals = log(
        {"metric": "quits", "date": "2020-01-31", "value": 40, "place": "fylde-coast"},
        {"metric": "quits", "date": "2020-02-29", "value": 44, "place": "fylde-coast"},
        {"metric": "ccg-configuration", "date": "2020-03-31", "value": "done"},
    )
    plan = loaded(write_plan(metrics=metrics, actuals=actuals))
    quits, milestone = plan.metric_by_id["quits"], plan.metric_by_id["ccg-configuration"]
    assert spc_inputs.metric_spc(plan, milestone, None, AS_OF) is None
    assert spc_inputs.metric_spc(plan, quits, None, AS_OF) is None
    fylde = spc_inputs.metric_spc(plan, quits, "fylde-coast", AS_OF)
    assert [p.value for p in fylde.points] == [40.0, 44.0]
    empty = spc_inputs.metric_spc(plan, quits, "morecambe-bay", AS_OF)
    assert (empty.groups, empty.points, empty.variation, empty.assurance) == ((), (), None, None)
    with pytest.raises(ValueError, match="not tracked at 'lsc'"):
        spc_inputs.metric_spc(plan, quits, "lsc", AS_OF)
    every = spc_by_metric(plan, AS_OF)
    assert set(every) == {
        ("quits", None),
        ("quits", "fylde-coast"),
        ("quits", "morecambe-bay"),
        ("ccg-configuration", None),
    }
    assert every[("quits", "fylde-coast")] == fylde
    assert every[("quits", None)] is None and every[("ccg-configuration", None)] is None
    # two points: the chart has its icons, the status none (too few points for SPC)
    assert fylde.variation == spc.COMMON_CAUSE and spc_summary(None) is None
    assert (spc_summary(fylde).variation, spc_summary(fylde).points) == (None, 2)


def test_one_point_has_no_limits_and_is_common_cause(ooa: Plan) -> None:
    metric = ooa.metric_by_id["ooa-placements"]
    result = spc_inputs.metric_spc(ooa, metric, None, date(2019, 4, 30))
    assert len(result.points) == 1 and result.points[0].type == spc.COMMON_CAUSE
    assert (result.groups[0].lpl, result.groups[0].upl) == (None, None)
    assert (result.variation, result.assurance) == (spc.COMMON_CAUSE, spc.INCONSISTENT)


# --- the demo data set ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> dict[tuple[str, str | None], spc.SpcResult | None]:
    plan, problems = load(DEMO_DATA, today=DEMO_AS_OF)
    assert not problems, [str(p) for p in problems]
    return spc_by_metric(plan, DEMO_AS_OF)


def rules(result: spc.SpcResult) -> dict[str, str | None]:
    return {p.date.isoformat(): p.rule for p in result.points if p.rule}


def test_demo_shows_every_spc_pattern(demo: dict) -> None:
    common = demo[("ae-four-hour", None)]
    assert rules(common) == {} and common.variation == spc.COMMON_CAUSE

    outlier = demo[("mh-out-of-area-placements", None)]
    assert rules(outlier) == {"2022-12-31": spc.RULE_OUTSIDE}
    assert next(p for p in outlier.points if p.rule).type == spc.CONCERN

    shift = demo[("ambulance-handover-delays", None)]
    assert set(rules(shift).values()) == {spc.RULE_RUN}
    assert shift.variation == "improvement_low"

    trend = demo[("delayed-discharges", None)]
    assert spc.RULE_TREND in rules(trend).values() and trend.variation == "improvement_low"

    rebased = demo[("mh-crisis-response", None)]
    assert [g.start.isoformat() for g in rebased.groups] == ["2021-04-30", "2022-10-31"]
    assert rules(rebased) == {}

    close = demo[("staff-sickness-absence", None)]
    assert rules(close) == {"2024-01-31": "two_of_three", "2024-03-31": "two_of_three"}

    trial = demo[("virtual-ward-occupancy", None)]
    assert [(g.n, g.trial) for g in trial.groups] == [(10, True)]

    measures = [r for r in demo.values() if r is not None]
    assert {r.variation for r in measures} == {
        spc.COMMON_CAUSE,
        "improvement_high",
        "improvement_low",
        "concern_high",
        "concern_low",
    }
    assert {r.assurance for r in measures} == {
        spc.CONSISTENT_PASS,
        spc.CONSISTENT_FAIL,
        spc.INCONSISTENT,
        None,
    }


def test_demo_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_demo", REPO / "examples/generate_demo.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write(tmp_path)
    for path in written:
        shipped = DEMO_DATA / path.name
        assert path.read_text("utf-8") == shipped.read_text("utf-8"), (
            f"{shipped} is out of date: run python examples/generate_demo.py"
        )
        assert shipped.read_text("utf-8").startswith(
            "# SYNTHETIC DEMO DATA — generated by examples/generate_demo.py, not real figures\n"
        )


@pytest.mark.parametrize("as_of", [DEMO_AS_OF, date(2022, 6, 30), date(2021, 5, 31)])
def test_icons_for_status_match_the_whole_charts_on_every_demo_series(as_of: date) -> None:
    plan, _ = load(DEMO_DATA, today=DEMO_AS_OF)
    whole = {key: spc_summary(result) for key, result in spc_by_metric(plan, as_of).items()}
    report = spc_inputs.assess_with_spc(plan, as_of)
    shown = {(m.id, None): m.spc for m in report.metrics}
    shown |= {(m.id, p.place): p.spc for m in report.metrics for p in m.places}
    assert shown == whole
    variations = {s.variation for s in whole.values() if s}
    if as_of == date(2021, 5, 31):  # two months of figures: no verdict anywhere
        assert variations == {None} and {s.points for s in whole.values() if s} <= {0, 2}
    else:
        assert variations > {spc.COMMON_CAUSE}  # not all alike
