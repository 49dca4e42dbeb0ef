"""`lsc report`: the HTML a board member opens, on the shipped plan and on the demo data.

The reports are made once per module (matplotlib is slowish) through the real command, then
read as text and screenshotted in headless Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import AS_OF, DEMO_AS_OF, DEMO_DATA, SHIPPED_DATA, WritePlan, lsc
from lsc_tracker import words
from lsc_tracker.loader import load
from lsc_tracker.renderers.html_report import render_report


def make_report(data_dir: Path, as_of: str, out: Path) -> str:
    result = lsc(data_dir, "report", "--as-of", as_of, "--output", str(out))
    assert result.exit_code == 0, result.output
    return out.read_text("utf-8")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    shipped, demo = folder / "shipped.html", folder / "demo.html"
    make_report(SHIPPED_DATA, AS_OF.isoformat(), shipped)
    make_report(DEMO_DATA, DEMO_AS_OF.isoformat(), demo)
    return {"shipped": shipped, "demo": demo}


def sections(html: str) -> dict[str, str]:
    """Each metric section's HTML, by metric id, in page order."""
    found = re.findall(r'<section class="metric" id="m-([a-z0-9-]+)">(.*?)</section>', html, re.S)
    return dict(found)


# --- what is on the page --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data_dir"), [("shipped", SHIPPED_DATA), ("demo", DEMO_DATA)])
def test_summary_then_exceptions_then_one_section_per_metric(
    reports: dict[str, Path], name: str, data_dir: Path
) -> None:
    html = reports[name].read_text("utf-8")
    order = [html.index(f'id="{part}"') for part in ("summary", "exceptions", "metrics", "key")]
    assert order == sorted(order)
    plan, _ = load(data_dir)
    # the whole programme's commitments (priority: programme) first, then each priority's
    by_priority = [m.id for m in plan.metrics if m.priority == "programme"]
    by_priority += [m.id for p in plan.priorities for m in plan.metrics if m.priority == p.id]
    found = sections(html)
    assert list(found) == by_priority
    for metric_id, section in found.items():
        assert "<svg" in section, f"{metric_id} has no inline SVG"


def test_the_shipped_report_says_plainly_how_thin_the_data_is(reports: dict[str, Path]) -> None:
    """The same plain words as `lsc status`: deadlines passed, and no actuals at all."""
    header = reports["shipped"].read_text("utf-8").split("</header>")[0]
    assert "have a deadline that has passed without being met." in header
    assert "No actuals are recorded on or before" in header


def test_the_latest_value_shows_its_note_and_recorder(write_plan: WritePlan) -> None:
    actuals = (
        "- {metric: ooa-placements, date: 2020-04-30, value: 90, note: first}\n"
        "- {metric: ooa-placements, date: 2020-05-31, value: 80, note: May return, by: jo.bloggs}\n"
    )
    plan, problems = load(write_plan(actuals=actuals))
    assert problems == []
    html = render_report(plan, AS_OF)
    assert "(“May return”, recorded by jo.bloggs)" in sections(html)["ooa-placements"]
    assert "“first”" not in html  # only the entry behind the latest value


@pytest.mark.parametrize("name", ["shipped", "demo"])
def test_charts_are_inline_svg_and_nothing_is_fetched(reports: dict[str, Path], name: str) -> None:
    html = reports[name].read_text("utf-8")
    for tag in ("<img", "<script", "<link", "<iframe", "<object", "<embed", "<base"):
        assert tag not in html.lower(), tag
    external = r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)"""
    assert not re.search(external, html, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:|//)", html, re.I)
    assert "@import" not in html
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    for svg in svgs:
        ET.fromstring(svg)  # each is well-formed XML on its own
    figures = re.findall(r"<figure>(.*?)</figure>", html, re.S)
    assert figures and all(f.lstrip().startswith("<svg") for f in figures)
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "two elements share an id"


def test_demo_measures_have_charts_icons_and_figures(reports: dict[str, Path]) -> None:
    found = sections(reports["demo"].read_text("utf-8"))
    outlier = found["mh-out-of-area-placements"]
    assert re.search(r'<svg[^>]*class="chart"', outlier)
    assert "Variation</strong>: Common cause: no significant change" in outlier
    assert "Assurance</strong>: Consistently failing the target" in outlier
    assert "Latest: <strong>34</strong> on 2024-03-31" in outlier
    assert "1 special cause point" in outlier and "outside the process limits" in outlier
    assert "Demo owner: mental health commissioning lead" in outlier
    assert "2025-03-31 (in 365 days)" in outlier
    by_place = found["smoking-quit-rate"]
    assert by_place.count('class="chart"') == 3
    assert (
        "Special cause concern (low)" in by_place and "Special cause improvement (high)" in by_place
    )
    html = reports["demo"].read_text("utf-8")
    # every icon's words but the variation's "No data" (each demo measure has data)
    variation = [text for key, text in words.VARIATION_LABELS.items() if key is not None]
    for label in [*variation, *words.ASSURANCE_LABELS.values()]:
        assert label in html, label


def test_demo_exceptions_worst_first(reports: dict[str, Path]) -> None:
    html = reports["demo"].read_text("utf-8")
    table = html[html.index('id="exceptions"') : html.index('id="metrics"')]
    statuses = re.findall(r'class="badge status-([a-z_]+)"', table)
    # one row per metric (places collapsed), worst first; on track last: its trend misses
    assert statuses == ["overdue"] + ["off_track"] * 4 + ["at_risk"] * 2 + ["on_track"]
    body = table[table.index("<tbody") :]
    first_row = body[: body.index("</tr>")]
    assert "Each place publishes a workforce plan" in first_row
    assert "1 of 3 places overdue: south" in first_row


def test_prints_on_a4(reports: dict[str, Path]) -> None:
    html = reports["demo"].read_text("utf-8")
    assert "@page { size: A4; margin: 12mm; }" in html
    assert re.search(r"\.priority-group \{ break-before: page;", html)
    assert re.search(r"figure \{[^}]*break-inside: avoid", html)


# --- safety and determinism ----------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_every_text_from_the_data_is_escaped(write_plan: WritePlan) -> None:
    quoted = f'"{SCRIPT}"'
    data = write_plan(
        priorities=f"priorities:\n  - id: P3\n    title: {quoted}\n  - id: P4\n    title: Four\n",
        places=f"places:\n  - id: lsc\n    name: {quoted}\n",
        metrics=f"""\
metrics:
  - id: ooa-placements
    priority: P3
    name: {quoted}
    direction: decrease
    unit: {quoted}
    owner: {quoted}
    source: {quoted}
    description: {quoted}
    baseline: {{date: 2019-03-31, value: 120}}
    targets:
      - {{by: 2021-03-31, change: -50%, note: {quoted}}}
  - id: ccg-configuration
    priority: P4
    name: "A & B <b>bold</b>"
    kind: milestone
    due: 2020-04-30
    owner: "O'Brien \\"quoted\\""
""",
        actuals='- {"metric": "ooa-placements", "date": "2020-01-31", "value": 100}\n'
        '- {"metric": "ooa-placements", "date": "2020-02-29", "value": 90}\n',
    )
    plan, problems = load(data)
    assert not problems, [str(p) for p in problems]
    html = render_report(plan, AS_OF)
    assert "<script" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 8
    # markupsafe's entities (the template engine escapes): &#39; for ' and &#34; for "
    assert "A &amp; B &lt;b&gt;bold&lt;/b&gt;" in html and "O&#39;Brien &#34;quoted&#34;" in html


def test_the_same_input_gives_the_same_bytes(write_plan: WritePlan) -> None:
    data = write_plan(
        actuals="".join(
            f'- {{"metric": "ooa-placements", "date": "2019-{m:02d}-28", "value": {100 + m % 3}}}\n'
            for m in range(1, 13)
        )
    )
    plan, _ = load(data)
    assert render_report(plan, AS_OF) == render_report(plan, AS_OF)


def test_other_commands_do_not_import_matplotlib() -> None:
    code = (
        "import sys, lsc_tracker.cli, lsc_tracker.renderers.html_report, "
        "lsc_tracker.renderers.terminal_show; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at start-up'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- opened in a browser --------------------------------------------------------------------


def chromium() -> str:
    """The browser, or skip (locally) / fail (in CI, where .ci/run installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run should have installed it")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    return found


@pytest.mark.slow  # starts a browser
@pytest.mark.parametrize("name", ["shipped", "demo"])
def test_chromium_opens_and_screenshots_the_report(
    reports: dict[str, Path], name: str, tmp_path: Path
) -> None:
    browser = chromium()
    png = tmp_path / f"{name}.png"
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={png}",
        "--window-size=1200,1600",
        reports[name].as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console  # no script error, no blocked resource
    assert png.exists() and png.stat().st_size > 20_000
    from matplotlib.image import imread

    pixels = imread(png)
    assert pixels.shape[:2] == (1600, 1200)
    assert pixels.std() > 0.05, "the screenshot is blank"
