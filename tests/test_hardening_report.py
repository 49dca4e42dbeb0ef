"""Issue 11 (hardening), the HTML board report: what a hostile review tried on `lsc report`.

- The page comes from Jinja2 templates with autoescape on (issue 12, point 9): text from the
  data is escaped wherever it lands, template syntax in the data stays text, and the only raw
  markup is the charts' SVG.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources

from conftest import AS_OF, WritePlan
from lsc_tracker import report as report_module
from lsc_tracker.loader import load
from lsc_tracker.report import render_report

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
    source = resources.files("lsc_tracker").joinpath("report.py").read_text("utf-8")
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
        "import sys, lsc_tracker.cli, lsc_tracker.report; "
        "assert 'jinja2' not in sys.modules and 'markupsafe' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
