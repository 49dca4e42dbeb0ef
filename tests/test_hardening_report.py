"""Issue 11 (hardening), the HTML board report: what a hostile review tried on `lsc report`.

- The page comes from Jinja2 templates with autoescape on (issue 12, point 9): text from the
  data is escaped wherever it lands, template syntax in the data stays text, and the only raw
  markup is the charts' SVG.
- Finding 9: a unit that is invalid matplotlib mathtext (``$x^{^}$``) passed `check` and
  crashed `report`. Text from the data is drawn as plain text, never read as mathtext.
- Findings 7 and 8 (the report's side): huge finite numbers (±1e308) and dates at the ends
  of the calendar (0001-01-01, 9999-12-31) crashed the charts. The report draws what can be
  drawn, or says in a plain box why a chart cannot be drawn; it never raises. The loader and
  `--as-of` now refuse such figures and dates; these tests call the rendering directly, so the
  report stays safe whatever it is given.
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess
import sys
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from conftest import AS_OF, Ran, WritePlan, lsc_process
from lsc_tracker.loader import load
from lsc_tracker.metric_view import metric_view
from lsc_tracker.models import Actual
from lsc_tracker.plan import Plan
from lsc_tracker.renderers import html_report as report_module
from lsc_tracker.renderers.html_report import render_report

HOSTILE = Path(__file__).resolve().parent / "hostile"

# --- A: HTML by a template engine that escapes by default ----------------------------------


def test_the_templates_escape_by_default() -> None:
    """Escaping is the default: a text put in any template is escaped unless marked."""
    environment = report_module._environment()
    page = environment.from_string('<p title="{{ x }}">{{ x }}</p>')
    assert page.render(x="<b>\"'&") == (
        '<p title="&lt;b&gt;&#34;&#39;&amp;">&lt;b&gt;&#34;&#39;&amp;</p>'
    )
    for name in ("report.html", "parts.html"):
        assert environment.get_template(name).environment.autoescape is True


def test_no_template_turns_escaping_off() -> None:
    """Raw markup is the marked exception, in Python (the charts), never in a template."""
    folder = resources.files("lsc_tracker").joinpath("templates")
    names = sorted(f.name for f in folder.iterdir() if f.name.endswith(".html"))
    assert names == ["parts.html", "report.html"]
    for name in names:
        text = folder.joinpath(name).read_text("utf-8")
        assert not re.search(r"\|\s*safe\b|autoescape\s+false", text), name
    source = (
        resources.files("lsc_tracker").joinpath("renderers", "html_report.py").read_text("utf-8")
    )
    assert source.count("Markup(") == 1  # the charts, in _chart_markup


def test_template_syntax_and_markup_in_the_data_stay_text(write_plan: WritePlan) -> None:
    hostile = "{{ 7 * 7 }} {% if true %}IF{% endif %} <i>x</i> ${title}"
    quoted = '"' + hostile.replace('"', '\\"') + '"'
    data = write_plan(
        places=f"places:\n  - id: lsc\n    name: {quoted}\n",
        metrics=f"""\
metrics:
  - id: ooa-placements
    priority: P3
    name: {quoted}
    direction: decrease
    unit: {quoted}
    owner: {quoted}
    baseline: {{date: 2019-03-31, value: 120}}
    targets:
      - {{by: 2021-03-31, change: -50%, note: {quoted}}}
""",
        actuals=f"- {{metric: ooa-placements, date: 2020-01-31, value: 100, note: {quoted}}}\n",
    )
    plan, problems = load(data)
    assert problems == []
    html = render_report(plan, AS_OF)
    escaped = "{{ 7 * 7 }} {% if true %}IF{% endif %} &lt;i&gt;x&lt;/i&gt; ${title}"
    assert html.count(escaped) >= 6  # title, name, unit, owner, note, entry note
    assert "<i>" not in html


def test_cli_start_up_does_not_import_jinja2() -> None:
    code = (
        "import sys, lsc_tracker.cli, lsc_tracker.renderers.html_report; "
        "assert 'jinja2' not in sys.modules and 'markupsafe' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- B: user text is never mathtext (finding 9) ---------------------------------------------

MATHTEXT = HOSTILE / "metrics--mathtext-unit.yaml"


def installed_lsc(data: Path, *args: str) -> Ran:
    """The installed command as a user runs it."""
    return lsc_process(data, *args, command=[shutil.which("lsc") or "lsc"], timeout=120)


@pytest.mark.slow
def test_a_unit_of_invalid_mathtext_is_drawn_as_text(write_plan: WritePlan, tmp_path: Path) -> None:
    data = write_plan(
        metrics=MATHTEXT.read_text("utf-8"),
        actuals="- {metric: ooa-placements, date: 2020-01-31, value: 100}\n"
        "- {metric: ooa-placements, date: 2020-02-29, value: 90, note: '$x^{^}$ <i>', "
        "by: '$\\frac{}$'}\n",
    )
    assert installed_lsc(data, "check").exit_code == 0
    out = tmp_path / "report.html"
    done = installed_lsc(data, "report", "--as-of", "2020-06-30", "--output", str(out))
    assert done.exit_code == 0, done.stderr
    assert done.stderr == f"report written to {out}\n"  # no traceback, no warning
    html = out.read_text("utf-8")
    chart_svg = re.search(r'<svg[^>]*class="chart".*?</svg>', html, re.S)
    assert chart_svg, "the measure has no chart"
    # the unit is the y label, character for character (matplotlib escapes it as XML text)
    assert re.search(r"<text[^>]*>\$x\^\{\^\}\$</text>", chart_svg.group(0))
    assert "“$x^{^}$ &lt;i&gt;”" in html and "recorded by $\\frac{}$" in html
    assert "Out of area $\\frac{1}{0}$ placements &lt;b&gt;{{ 7 * 7 }}&lt;/b&gt;" in html
    assert "<script" not in html and "<b>" not in html


@pytest.mark.parametrize(
    "unit", ["$x^{^}$", "$", "$$", "$\\undefined$", "\\$", "a $b$ c $", "%", "💥 ‮rtl", "x" * 300]
)
def test_any_unit_gives_a_chart(write_plan: WritePlan, unit: str) -> None:
    metrics = MATHTEXT.read_text("utf-8").replace("'$x^{^}$'", "'" + unit.replace("'", "''") + "'")
    data = write_plan(
        metrics=metrics,
        actuals="- {metric: ooa-placements, date: 2020-01-31, value: 100}\n"
        "- {metric: ooa-placements, date: 2020-02-29, value: 90}\n",
    )
    plan, problems = load(data)
    assert problems == [] and plan.metrics[0].unit == unit
    html = render_report(plan, AS_OF)
    assert re.search(r'<svg[^>]*class="chart"', html) and "Chart cannot be drawn" not in html


# --- C: huge numbers and calendar ends (findings 7 and 8, the report's side) ----------------


def plan_with(write_plan: WritePlan, *entries: tuple[date, float]) -> Plan:
    """The small plan with these actuals of ooa-placements, put straight into the loaded plan
    (the loader now refuses such figures and dates: the report must not rely on it)."""
    plan, problems = load(write_plan(actuals=""))
    assert problems == []
    actuals = [Actual("ooa-placements", day, value) for day, value in entries]
    return dataclasses.replace(plan, actuals=actuals)


def measure_section(html: str) -> str:
    return html[html.index('id="m-ooa-placements"') : html.index('id="m-ccg-configuration"')]


@pytest.mark.parametrize(
    "values",
    [(1e308, -1e308), (1.7976931348623157e308, 1.0), (-1e308, -1e308), (1e301, 1e301)],
    ids=["both-ends", "max-float", "minus-huge", "just-beyond"],
)
def test_huge_finite_numbers_give_a_plain_box_not_a_crash(
    write_plan: WritePlan, values: tuple[float, float]
) -> None:
    plan = plan_with(write_plan, (date(2020, 1, 31), values[0]), (date(2020, 2, 29), values[1]))
    html = render_report(plan, AS_OF)
    section = measure_section(html)
    assert '<p class="no-chart">Chart cannot be drawn: its values (as large as ' in section
    assert "are too large to plot (a chart draws numbers up to ±1e+300)" in section
    assert not re.search(r'<svg[^>]*class="chart"', section)
    assert f"Latest: <strong>{format(values[1], ',.10g')}</strong> on 2020-02-29" in section
    assert "Variation</strong>" in section  # the rest of the section is still there


def test_large_numbers_within_reach_are_still_drawn(write_plan: WritePlan) -> None:
    plan = plan_with(write_plan, (date(2020, 1, 31), 1e290), (date(2020, 2, 29), -1e289))
    section = measure_section(render_report(plan, AS_OF))
    assert re.search(r'<svg[^>]*class="chart"', section) and "no-chart" not in section


@pytest.mark.parametrize(
    ("entries", "as_of"),
    [
        ([(date(2020, 1, 31), 5.0), (date(2020, 2, 29), 1.0)], date(9999, 12, 31)),
        ([], date(1, 1, 1)),
        ([(date(1, 1, 1), 5.0)], date(1, 1, 1)),
        ([(date(1, 1, 1), 5.0), (date(2020, 2, 29), 1.0)], AS_OF),
        ([(date(2020, 2, 29), 1.0), (date(9999, 12, 31), 5.0)], date(9999, 12, 31)),
        ([(date(1, 1, 1), 5.0), (date(9999, 12, 31), 1.0)], date(9999, 12, 31)),
    ],
    ids=["as-of-9999", "as-of-0001", "actual-and-as-of-0001", "actual-0001", "actual-9999", "both"],
)
def test_calendar_ends_are_drawn(
    write_plan: WritePlan, entries: list[tuple[date, float]], as_of: date
) -> None:
    html = render_report(plan_with(write_plan, *entries), as_of)
    section = measure_section(html)
    assert re.search(r'<svg[^>]*class="chart"', section) and "no-chart" not in section
    for day in {d for d, _ in entries} | {as_of}:
        if day.year in (1, 9999):  # the chart's own end labels, and the text
            assert day.isoformat() in section
    assert f"report date {as_of.isoformat()}" in html  # the milestone's timeline


def series_with(write_plan: WritePlan, **changes: object) -> tuple[object, object]:
    """The measure's view and series on AS_OF, with its SPC result changed as given."""
    plan = plan_with(write_plan, *((date(2020, m, 28), 100.0 - m) for m in range(1, 6)))
    view = metric_view(plan, plan.metrics[0], AS_OF)
    series = view.series[0]
    assert series.spc is not None
    return view, dataclasses.replace(series, spc=dataclasses.replace(series.spc, **changes))


def test_a_value_that_is_not_finite_is_left_out_and_said(write_plan: WritePlan) -> None:
    view, series = series_with(write_plan)
    points = list(series.spc.points)
    points[1] = points[1]._replace(value=math.nan)
    points[3] = points[3]._replace(value=math.inf)
    groups = [dataclasses.replace(g, upl=math.inf, lpl=-math.inf) for g in series.spc.groups]
    series = dataclasses.replace(
        series, spc=dataclasses.replace(series.spc, points=tuple(points), groups=tuple(groups))
    )
    nan_goal = dataclasses.replace(view.goals[0], value=math.nan)
    view = dataclasses.replace(view, goals=(*view.goals, nan_goal))
    drawn = report_module.chart(view, series, key="k", label="label")
    assert drawn.svg is not None and drawn.reason == ""
    assert "2 points not drawn: not a finite number" in drawn.svg


def test_no_finite_value_at_all(write_plan: WritePlan) -> None:
    view, series = series_with(write_plan)
    points = tuple(p._replace(value=-math.inf) for p in series.spc.points)
    series = dataclasses.replace(series, spc=dataclasses.replace(series.spc, points=points))
    drawn = report_module.chart(view, series, key="k", label="label")
    assert drawn.svg is not None
    assert "No actual can be drawn" in drawn.svg and "5 points not drawn" in drawn.svg


def test_whatever_matplotlib_raises_becomes_a_reason(
    write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np
    from matplotlib.figure import Figure

    def singular(*args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(Figure, "savefig", singular)
    view, series = series_with(write_plan)
    drawn = report_module.chart(view, series, key="k", label="label")
    assert drawn == report_module.Chart(None, "the chart library could not draw it (LinAlgError)")


@pytest.mark.slow
def test_the_command_never_shows_a_traceback_on_huge_figures_or_far_dates(
    write_plan: WritePlan, tmp_path: Path
) -> None:
    """Through the CLI: whether the loader refuses ±1e308 and a far --as-of (exit 1 or 2,
    one message) or lets them through (exit 0), `report` never crashes."""
    data = write_plan(
        actuals="- {metric: ooa-placements, date: 2020-01-31, value: 1e308}\n"
        "- {metric: ooa-placements, date: 2020-02-29, value: -1e308}\n"
    )
    for as_of in ("2020-06-30", "9999-12-31", "0001-01-01"):
        out = tmp_path / f"{as_of}.html"
        done = installed_lsc(data, "report", "--as-of", as_of, "--output", str(out))
        assert "Traceback" not in done.stderr and "Error" not in done.stderr.replace("Error:", "")
        if done.exit_code == 0:
            assert "Chart cannot be drawn" in out.read_text("utf-8")
        else:
            assert done.exit_code in (1, 2) and not out.exists()
            assert re.search(r"(?m)^(error|Error):", done.stderr), done.stderr
