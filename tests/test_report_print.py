"""`lsc report` as a board member gets it (issue 15, part 6): chosen like `lsc status`
(--priority, --status), a file that stands alone when emailed (its key explains every mark),
charts whose value axis never runs below 0 for figures that never do and whose labels are
whole, and the shipped plan printed to A4 in at most one page per two metrics plus three.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    AS_OF,
    DEMO_AS_OF,
    DEMO_DATA,
    REPO,
    SHIPPED_DATA,
    WritePlan,
    lsc,
    lsc_process,
)
from lsc_tracker import words
from lsc_tracker.changes import MOVEMENTS
from lsc_tracker.loader import load
from lsc_tracker.metric_view import plan_views
from lsc_tracker.renderers.html_report import chart
from test_report import chromium, sections


def report_html(data: Path, out: Path, *args: str, as_of: str = AS_OF.isoformat()) -> str:
    result = lsc(data, "report", "--as-of", as_of, "--output", str(out), "--quiet", *args)
    assert result.exit_code == 0, result.output
    return out.read_text("utf-8")


def section_ids(html: str) -> list[str]:
    return list(sections(html))


# --- chosen like lsc status -----------------------------------------------------------------


def test_priority_keeps_only_those_priorities(tmp_path: Path) -> None:
    html = report_html(DEMO_DATA, tmp_path / "r.html", "--priority", "P3", as_of="2024-03-31")
    plan, _ = load(DEMO_DATA)
    assert section_ids(html) == [m.id for m in plan.metrics if m.priority == "P3"]
    summary = html[html.index('id="summary"') : html.index('id="exceptions"')]
    assert re.findall(r'<a href="#p-([^"]+)">', summary) == ["P3"]
    assert "(priority: P3)" in html.split("</header>")[0]  # the header says what is shown


def test_priority_and_status_refuse_what_status_refuses(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    for args in (["--priority", "P9"], ["--status", "bogus"]):
        said = lsc(SHIPPED_DATA, "status", *args)
        got = lsc(SHIPPED_DATA, "report", "--output", str(out), *args)
        assert got.exit_code == said.exit_code != 0
        assert said.stderr.splitlines()[-1] in got.stderr
        assert "Traceback" not in got.output
        assert not out.exists()
    assert lsc(SHIPPED_DATA, "report", "-p", "P9", "-o", str(out)).exit_code == 1
    assert lsc(SHIPPED_DATA, "report", "--status", "bogus", "-o", str(out)).exit_code == 2


def test_status_keeps_metrics_and_places_with_those_statuses(tmp_path: Path) -> None:
    html = report_html(DEMO_DATA, tmp_path / "r.html", "--status", "at_risk", as_of="2024-03-31")
    chosen = lsc(DEMO_DATA, "status", "--as-of", "2024-03-31", "--status", "at_risk", "-f", "json")
    shown = json.loads(chosen.stdout)["metrics"]
    assert shown, "the demo has a metric at risk"
    assert section_ids(html) == [m["id"] for m in shown]
    for metric in shown:
        section = sections(html)[metric["id"]]
        for place in metric["places"]:  # only the places at risk have their own part
            assert place["status"] == "at_risk"
        headed = re.findall(r"<h4>(.*?) <span class=\"badge status-([a-z_]+)\"", section)
        assert {status for _, status in headed} <= {"at_risk"}
    # the summary still rolls up every metric of every priority
    summary = html[html.index('id="summary"') : html.index('id="exceptions"')]
    plan, _ = load(DEMO_DATA)
    assert re.findall(r'<a href="#p-([^"]+)">', summary) == [p.id for p in plan.priorities]


# --- the exceptions, and what changed since the last paper -----------------------------------


def exceptions_table(html: str) -> str:
    start = html.index('id="exceptions"')
    return html[start : html.index("</section>", start)]


def status_json(data: Path, *args: str) -> dict[str, Any]:
    result = lsc(data, "status", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_exceptions_are_one_row_per_metric_places_collapsed(tmp_path: Path) -> None:
    """The shipped plan today: milestones tracked in five places are one row each, and the
    columns no row fills (latest, plan line, owner: no actuals, no owners) are left out."""
    html = report_html(SHIPPED_DATA, tmp_path / "r.html", as_of="2026-12-03")
    table = exceptions_table(html)
    linked = re.findall(r'<a href="#m-([a-z0-9-]+)">', table)
    assert len(linked) == len(set(linked)) > 0
    expected = status_json(SHIPPED_DATA, "--as-of", "2026-12-03", "--exceptions")["metrics"]
    assert set(linked) == {m["id"] for m in expected}
    row = table[table.index('href="#m-preventable-deaths-plans"') :]
    assert "5 of 5 places overdue: " in row[: row.index("</tbody>")]
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", table)
    assert headers == ["Status", "Metric", "Deadline"]


@pytest.mark.slow  # over a second
def test_exceptions_show_the_owner_forecast_and_stages(tmp_path: Path) -> None:
    html = unescape(report_html(DEMO_DATA, tmp_path / "r.html", as_of=DEMO_AS_OF.isoformat()))
    table = exceptions_table(html)
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", table)
    assert headers == ["Status", "Metric", "Latest", "Plan line", "Deadline", "Owner"]
    rows = table.split('<tbody class="exception">')[1:]
    (ae,) = [row for row in rows if 'href="#m-ae-four-hour"' in row]
    assert "declared better" in ae and words.TREND_MISSES in ae
    assert "Owner's update</strong>: On track (declared better), 2024-03-15" in ae
    assert "action: Demo: same-day emergency care extended to weekends" in ae
    assert "Forecast</strong>: needs 0.48% a month, recent −0.2% a month" in ae
    (ooa,) = [row for row in rows if 'href="#m-mh-out-of-area-placements"' in row]
    assert "Targets</strong>: 2023: missed (31 vs 20)" in ooa
    (smoking,) = [row for row in rows if 'href="#m-smoking-quit-rate"' in row]
    assert "3 of 3 places off track: " in smoking
    assert "South (demo place): On track (declared better)" in smoking


def test_owner_text_in_the_exceptions_is_escaped(write_plan: WritePlan) -> None:
    """An owner's note, action and name land in the exceptions as text, never markup."""
    script = "<script>alert(1)</script>"
    data = write_plan(actuals="- {metric: ooa-placements, date: 2020-05-31, value: 110}\n")
    entry = {
        "metric": "ooa-placements",
        "date": "2020-05-01",
        "rag": "on_track",
        "note": script,
        "action": f"<b>{script}</b>",
        "recovery": "2020-09-30",
        "by": "O'Brien <i>",
    }
    (data / "updates.yaml").write_text(f"- {json.dumps(entry)}\n", encoding="utf-8")
    html = report_html(data, data.parent / "r.html")
    table = exceptions_table(html)
    assert "Owner's update</strong>: On track (declared better)" in table  # off track
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table and "O&#39;Brien &lt;i&gt;" in table


@pytest.mark.slow  # over a second
def test_exceptions_only_shows_those_metrics(tmp_path: Path) -> None:
    html = report_html(DEMO_DATA, tmp_path / "r.html", "--exceptions", as_of=DEMO_AS_OF.isoformat())
    expected = status_json(DEMO_DATA, "--as-of", DEMO_AS_OF.isoformat(), "--exceptions")
    ids = {m["id"] for m in expected["metrics"]}
    assert ids and set(section_ids(html)) == ids
    assert 'id="summary"' not in html and 'id="exceptions"' in html and 'id="key"' in html
    plan, _ = load(DEMO_DATA)
    assert len(ids) < len(plan.metrics)
    header = " ".join(re.sub(r"<[^>]+>", "", html.split("</header>")[0]).split())
    said = f"{len(ids)} of {len(plan.metrics)} metrics"
    assert said in header and "those that need the board's attention" in unescape(header)


def test_exceptions_with_status_and_priority(tmp_path: Path) -> None:
    args = ("--exceptions", "--status", "off_track", "--priority", "P1,P4")
    html = report_html(DEMO_DATA, tmp_path / "r.html", *args, as_of=DEMO_AS_OF.isoformat())
    expected = status_json(DEMO_DATA, "--as-of", DEMO_AS_OF.isoformat(), *args)["metrics"]
    assert set(section_ids(html)) == {m["id"] for m in expected} != set()


@pytest.mark.slow  # over a second
def test_since_opens_with_what_changed(tmp_path: Path) -> None:
    since = ("--since", "2024-02-29")
    html = report_html(DEMO_DATA, tmp_path / "r.html", *since, as_of=DEMO_AS_OF.isoformat())
    order = [html.index(f'id="{part}"') for part in ("top", "changes", "summary", "exceptions")]
    assert order == sorted(order)
    section = html[html.index('id="changes"') : html.index('id="summary"')]
    assert "<h2>Changed since 2024-02-29</h2>" in section
    changes = status_json(DEMO_DATA, "--as-of", DEMO_AS_OF.isoformat(), *since)["summary"]
    moved = changes["changes"]
    assert moved, "the demo has a change since last month"
    rows = re.findall(
        r'<td class="movement-([a-z_]+)">.*?href="#m-([a-z0-9-]+)".*?'
        r'status-([a-z_]+)".*?status-([a-z_]+)"',
        section,
        re.S,
    )
    assert sorted(rows) == sorted((c["movement"], c["metric"], c["from"], c["to"]) for c in moved)
    movements = [movement for movement, *_ in rows]  # worst first
    assert movements == sorted(movements, key=MOVEMENTS.index)
    assert "worse ↓" in section and "better ↑" in section
    # each metric whose own status moved says so beside its status, in its section
    found = sections(html)
    for change in moved:
        if change["place"] is None:
            said = f"since 2024-02-29: {words.MOVEMENT_WORDS[change['movement']]} (was "
            assert said + words.STATUS_WORDS[change["from"]].shout + ")" in found[change["metric"]]
    assert sum("since 2024-02-29:" in text for text in found.values()) == sum(
        change["place"] is None for change in moved
    )


def test_since_is_refused_as_status_refuses_it(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    for since in ("2024-03-31", "2024-04-30", "2024-02-30"):
        args = ("--as-of", "2024-03-31", "--since", since)
        said = lsc(DEMO_DATA, "status", *args)
        got = lsc(DEMO_DATA, "report", "-o", str(out), *args)
        assert got.exit_code == said.exit_code == 2, got.output
        assert said.stderr.strip().splitlines()[-1] in got.stderr
        assert "Traceback" not in got.output and not out.exists()


@pytest.mark.slow  # over a second
def test_summary_columns_empty_for_every_row_are_left_out(tmp_path: Path) -> None:
    """The shipped plan has no actuals and names no owner: no SPC columns of zeros (it says
    why), no Owner; the demo has SPC verdicts."""
    found = {}
    for name, data, as_of in (
        ("shipped", SHIPPED_DATA, "2026-12-03"),
        ("demo", DEMO_DATA, DEMO_AS_OF.isoformat()),
    ):
        html = report_html(data, tmp_path / f"{name}.html", as_of=as_of)
        found[name] = html[html.index('id="summary"') : html.index('id="exceptions"')]
    columns = ["Priority", "Title", "Status", "Metrics"]
    assert re.findall(r"<th[^>]*>([^<]+)</th>", found["shipped"]) == columns
    assert "No measure has an SPC verdict yet" in found["shipped"]
    spc = ["SPC concern", "SPC improvement"]
    assert re.findall(r"<th[^>]*>([^<]+)</th>", found["demo"]) == columns + spc


# --- a file that stands alone ---------------------------------------------------------------


def test_the_shipped_report_points_to_nothing_a_reader_cannot_open(tmp_path: Path) -> None:
    html = report_html(SHIPPED_DATA, tmp_path / "r.html")
    assert not re.search(r"docs/|README|\.md\b|status-rules|spc\.md", html)
    links = re.findall(r'href="([^"]*)"', html)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert links and all(link.startswith("#") and link[1:] in ids for link in links)


@pytest.mark.slow  # over a second
def test_the_key_explains_every_status_mark_and_icon(tmp_path: Path) -> None:
    html = report_html(DEMO_DATA, tmp_path / "r.html", as_of=DEMO_AS_OF.isoformat())
    key = unescape(html[html.index('id="key"') : html.index("<footer")])
    for status, meaning in words.STATUS_MEANINGS.items():
        assert f"status-{status}" in key and meaning in key
    assert set(words.STATUS_MEANINGS) == set(words.STATUS_WORDS)
    for mark, meaning in words.REPORT_MARKS:
        assert mark in key and meaning in key
    for verdict_words, glyph in words.STAGE_WORDS.values():
        assert f"{glyph} {verdict_words}" in key
    for label in [*words.VARIATION_LABELS.values(), *words.ASSURANCE_LABELS.values()]:
        if label != words.VARIATION_LABELS[None]:
            assert label in key, label
    # every mark the page puts beside a status is one the key explains
    marks = set(re.findall(r'<span class="(?:flag|eased)">([^<]+)</span>', html))
    explained = {mark for mark, _ in words.REPORT_MARKS} | {"LATE"}
    assert marks <= explained | {f"{words.EASED_GLYPH} {words.EASED}"}, marks - explained


@pytest.mark.slow  # over a second
def test_no_variation_has_its_own_grey_icon(tmp_path: Path) -> None:
    """'No variation to judge' was drawn as an orange 'L', a special cause concern."""
    html = report_html(DEMO_DATA, tmp_path / "r.html", as_of=DEMO_AS_OF.isoformat())
    key = html[html.index('id="key"') : html.index("<footer")]
    label = words.VARIATION_LABELS["no_variation"]
    icon = re.search(rf'<svg[^>]*aria-label="{re.escape(label)}".*?</svg>', key, re.S)
    assert icon is not None
    assert "#e46c0a" not in icon.group(0) and "#00b0f0" not in icon.group(0)
    assert ">L<" not in icon.group(0) and ">H<" not in icon.group(0)


# --- charts ----------------------------------------------------------------------------------


def tick_labels(svg: str) -> list[str]:
    """The text matplotlib writes (svg.fonttype none keeps it as text)."""
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def chart_of(data: Path, metric_id: str, as_of: date) -> str:
    plan, problems = load(data)
    assert problems == []
    _, views = plan_views(plan, as_of)
    (view,) = [v for v in views if v.id == metric_id]
    drawn = chart(view, view.series[0], key=metric_id, label=metric_id)
    assert drawn.svg is not None, drawn.reason
    return drawn.svg


def negative(labels: list[str]) -> list[str]:
    return [t for t in labels if re.fullmatch(r"[−-]\d[\d.,]*", t)]


def test_an_empty_chart_of_deaths_does_not_run_below_0() -> None:
    svg = chart_of(SHIPPED_DATA, "preventable-deaths", date(2026, 12, 3))
    labels = tick_labels(svg)
    assert "target 0" in labels and "No actuals recorded yet" in labels
    assert negative(labels) == [] and "0.0" in labels and "1.0" in labels


def test_figures_at_0_and_limits_below_0_keep_the_axis_at_0(write_plan: WritePlan) -> None:
    """Counts near 0 with a spread whose lower process limit is below 0: the axis stops at 0;
    figures below 0 take it below."""
    values = [0, 3, 1, 0, 4, 2, 0, 5, 1, 2, 0, 3]
    metric = {"id": "falls", "priority": "P3", "name": "Falls", "direction": "decrease"}
    for shift, below in ((0, False), (-2, True)):
        actuals = "".join(
            f"- {{metric: falls, date: 2019-{m + 1:02d}-28, value: {v + shift}}}\n"
            for m, v in enumerate(values)
        )
        data = write_plan(metrics=[metric], actuals=actuals)
        labels = tick_labels(chart_of(data, "falls", AS_OF))
        assert bool(negative(labels)) is below, labels
        assert "0" in labels


def test_a_long_unit_is_shown_whole(write_plan: WritePlan) -> None:
    unit = "individuals waiting more than 12 hours in a mental health inpatient bed"
    data = write_plan(
        metrics=[
            {
                "id": "waits",
                "priority": "P3",
                "name": "Waits",
                "direction": "decrease",
                "unit": unit,
                "targets": [{"by": "2021-03-31", "value": 0}],
            }
        ]
    )
    svg = chart_of(data, "waits", AS_OF)
    assert unit in " ".join(tick_labels(svg))


# --- printed to A4 ---------------------------------------------------------------------------


def pdf_pages(pdf: Path) -> int:
    """Pages of a PDF Chromium printed: its /Type /Page objects (not the /Pages tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf.read_bytes()))


def print_to_pdf(html: Path, pdf: Path, profile: Path) -> None:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        html.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]


@pytest.mark.slow  # starts a browser
def test_the_shipped_plan_prints_in_one_page_per_two_metrics_plus_three(tmp_path: Path) -> None:
    html = report_html(SHIPPED_DATA, tmp_path / "r.html", as_of="2026-12-03")
    metrics = len(sections(html))  # the metrics the report shows
    assert metrics == len(load(SHIPPED_DATA)[0].metrics)
    pdf = tmp_path / "r.pdf"
    print_to_pdf(tmp_path / "r.html", pdf, tmp_path / "profile")
    pages = pdf_pages(pdf)
    assert 1 < pages <= metrics // 2 + 3, (pages, metrics)


@pytest.mark.slow  # runs the documented commands as real processes, and a browser
def test_the_documented_example_runs(tmp_path: Path) -> None:
    """docs/report.md, "Choosing what it shows, and printing it": its commands, as written."""
    text = (REPO / "docs/report.md").read_text("utf-8")
    section = text[text.index("### Choosing what it shows") : text.index("## `lsc show")]
    (block,) = re.findall(r"```console\n(.*?)```", section, flags=re.S)
    commands = [shlex.split(line[2:]) for line in block.splitlines() if line.startswith("$ ")]
    assert [command[0] for command in commands] == ["lsc", "lsc", "chromium"]
    shutil.copytree(DEMO_DATA, tmp_path / "examples" / "demo")
    for command in commands[:2]:
        ran = lsc_process(None, *command[1:], cwd=tmp_path)
        assert ran.exit_code == 0, ran.output
    board = (tmp_path / "board-2024-03.html").read_text("utf-8")
    assert "<h2>Changed since 2024-02-29</h2>" in board and 'id="summary"' not in board
    plan, _ = load(DEMO_DATA)
    p1 = section_ids((tmp_path / "p1.html").read_text("utf-8"))
    assert p1 == [m.id for m in plan.metrics if m.priority == "P1"]
    browser = chromium()  # skipped here (not in CI) when there is none
    printing = [browser, *commands[2][1:], f"--user-data-dir={tmp_path / 'profile'}"]
    done = subprocess.run(printing, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert pdf_pages(tmp_path / "board-2024-03.pdf") >= 1
