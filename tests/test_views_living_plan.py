"""A plan that lives (issue 13) and the whole programme (issue 14) in every view but JSON:
the status table at 80 and 120 columns, CSV, Markdown, the workbook, ``lsc show`` and the HTML
report. One plan exercises every form: a baseline not agreed, baselines from the log per
place, a standing target with breaches, stage verdicts, an eased revision of targets, a moved
milestone, a withdrawal, a programme-wide milestone and a priority with an owner. Each test
asserts what a user sees."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import WritePlan, lsc
from lsc_tracker.renderers.status_files import CSV_COLUMNS, FORECAST_COLUMNS

AS_OF = "2020-10-31"

PRIORITIES = """\
priorities:
  - {id: P3, title: Resilience and mental health, owner: Jo Bloggs}
  - {id: P4, title: Group model for hospital services}
"""

PLACES = """\
places:
  - {id: lsc, name: Lancashire and South Cumbria}
  - {id: fylde-coast, name: Fylde Coast, parent: lsc}
  - {id: morecambe-bay, name: Morecambe Bay, parent: lsc}
"""

METRICS = """\
metrics:
  - id: strategy
    priority: programme
    name: Five-year strategy published
    kind: milestone
    due: 2019-09-30
  - id: placements
    priority: P3
    name: Out of area placements
    direction: decrease
    baseline: {note: The plan states no baseline figure or date}
    targets:
      - {by: 2021-03-31, change: -50%}
      - {by: 2023-03-31, change: -75%}
  - id: ooa-log
    priority: P3
    name: Placements by place
    direction: decrease
    baseline: {date: 2019-03-31}
    targets: [{by: 2021-03-31, change: -50%}]
    places: [fylde-coast, morecambe-bay]
  - id: deaths
    priority: P3
    name: Preventable deaths
    direction: decrease
    targets: [{from: 2020-04-01, value: 0}]
  - id: ooa
    priority: P3
    name: Out of area placements (revised)
    direction: decrease
    baseline: {date: 2019-03-31, value: 100}
    targets:
      - {by: 2020-03-31, value: 80}
      - {by: 2020-09-30, value: 70}
      - {by: 2021-03-31, value: 50}
    revisions:
      - decided: 2020-05-12
        by: ICS Board
        reason: COVID-19 recovery
        targets:
          - {by: 2020-03-31, value: 80}
          - {by: 2020-09-30, value: 75}
          - {by: 2021-03-31, value: 60}
  - id: waits
    priority: P4
    name: 12-hour waits for a bed
    direction: decrease
    targets: [{by: 2020-03-31, value: 0}]
    revisions:
      - {decided: 2020-05-01, by: ICS Board, reason: Overtaken by the national standard,
         withdrawn: true}
  - id: plans
    priority: P4
    name: Plans agreed
    kind: milestone
    due: 2020-04-30
    revisions:
      - {decided: 2020-04-15, by: ICS Board, reason: "COVID-19: planning paused",
         due: 2020-09-30}
  - id: stages
    priority: P4
    name: Staged reduction
    direction: decrease
    cadence: quarterly
    baseline: {date: 2019-03-31, value: 100}
    targets:
      - {by: 2019-09-30, value: 90}
      - {by: 2020-03-31, value: 80}
      - {by: 2020-06-30, value: null, note: to be agreed}
      - {by: 2020-09-30, value: 70}
      - {by: 2021-03-31, value: 50}
"""

ACTUALS = """\
- {metric: ooa-log, place: fylde-coast, date: 2019-03-31, value: 40}
- {metric: ooa-log, place: fylde-coast, date: 2020-05-31, value: 28}
- {metric: ooa-log, place: morecambe-bay, date: 2020-05-31, value: 50}
- {metric: placements, date: 2020-05-31, value: 70}
- {metric: deaths, date: 2020-04-30, value: 0}
- {metric: deaths, date: 2020-05-31, value: 1}
- {metric: deaths, date: 2020-06-30, value: 0}
- {metric: deaths, date: 2020-07-31, value: 0}
- {metric: deaths, date: 2020-08-31, value: 0}
- {metric: deaths, date: 2020-09-30, value: 2}
- {metric: deaths, date: 2020-10-31, value: 0}
- {metric: ooa, date: 2020-05-31, value: 78}
- {metric: waits, date: 2020-04-30, value: 3}
- {metric: stages, date: 2019-06-30, value: 93}
- {metric: stages, date: 2019-09-30, value: 88}
- {metric: stages, date: 2019-12-31, value: 85}
- {metric: stages, date: 2020-05-31, value: 75}
"""


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    return write_plan(PRIORITIES, PLACES, METRICS, ACTUALS)


def status(data: Path, *args: str, columns: int = 120) -> str:
    ran = lsc(data, "status", "--as-of", AS_OF, *args, env={"COLUMNS": str(columns)})
    assert ran.exit_code == 0, ran.output
    return ran.stdout


def flat(text: str) -> str:
    """The table's text with its column padding squeezed, to find words across cells."""
    return " ".join(text.split())


# --- the status table ---------------------------------------------------------------------


def test_table_shows_every_form_of_a_living_plan(data: Path) -> None:
    text = status(data)
    lines = text.splitlines()
    # the whole programme's section comes first, before the priorities
    assert lines[2] == "Whole programme"
    assert lines.index("Whole programme") < lines.index("P3 Resilience and mental health")
    assert "NO BASELINE: 2 no baseline, 2 on track; owner: Jo Bloggs" in lines
    words = flat(text)
    assert "NO BASELINE Out of area placements 70 −50% of" in words
    assert "baseline not agreed" in words
    assert "2021: no baseline · 2023: no baseline" in words
    assert "baseline not recorded for 2019-03-31 at 1 of 2 places" in words
    assert "held since 2020-04-01, 2 breaches, last 2020-09-30" in words
    deaths = next(i for i, line in enumerate(lines) if "Preventable deaths" in line)
    under = flat(" ".join(lines[deaths + 1 : deaths + 3]))
    assert "from" in under and "2020-04-01" in under  # the standing target's date
    assert "2020-09: missed (78 vs 75)" in words
    assert "revised 2020-05-12 (eased); original plan 50 by 2021-03-31" in words
    assert "revised 2020-04-15 (eased); original plan due 2020-04-30" in words
    assert "withdrawn 2020-05-01 by ICS Board: Overtaken by the national standard" in words
    assert "2019-09: met (88 vs 90) · 2020-03: missed (85 vs 80) · 2020-06: left open" in words
    # the eased mark under the status, and the withdrawn metric with no deadline
    assert any(line.startswith("eased ") for line in lines)
    assert any(line.startswith("WITHDRAWN ") for line in lines)


def test_table_fits_80_columns(data: Path) -> None:
    text = status(data, columns=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "NO BASELINE" in text and "WITHDRAWN" in text
    assert "held since" in text


def test_table_against_the_original_plan_has_no_revision_marks(data: Path) -> None:
    words = flat(status(data, "--plan", "original"))
    assert "eased" not in words and "WITHDRAWN" not in words
    assert "OVERDUE 12-hour waits for a bed" in words


# --- CSV, Markdown, the workbook ------------------------------------------------------------


def csv_rows(text: str) -> tuple[list[str], dict[tuple[str, str], dict[str, str]]]:
    lines = list(csv.reader(io.StringIO(text)))
    found = {(r[1], r[2]): dict(zip(lines[0], r, strict=True)) for r in lines[1:]}
    return lines[0], found


def test_csv_adds_the_living_plan_after_the_existing_columns(data: Path) -> None:
    header, found = csv_rows(status(data, "--format", "csv"))
    # no owner column: no metric has an owner; the forecast's: a measure has 4 actuals
    assert tuple(header) == (*CSV_COLUMNS, *FORECAST_COLUMNS)
    assert header[:17][-2:] == ["spc_variation", "spc_assurance"]
    assert header[17 : len(CSV_COLUMNS)] == [
        "target_change", "target_from", "baseline_value", "baseline_date",
        "baseline_from_log", "missing", "stages", "standing", "revised", "eased",
        "revisions", "original", "withdrawn_reason", "spc_points",
    ]  # fmt: skip
    assert found[("strategy", "")]["priority"] == "programme"
    placements = found[("placements", "")]
    assert placements["status"] == "no_baseline"
    assert placements["target_change"] == "-0.5"
    assert placements["missing"] == "baseline not agreed"
    fylde = found[("ooa-log", "fylde-coast")]
    assert (fylde["baseline_value"], fylde["baseline_from_log"]) == ("40.0", "true")
    deaths = found[("deaths", "")]
    assert deaths["target_from"] == "2020-04-01" and deaths["deadline"] == ""
    assert deaths["standing"] == "held since 2020-04-01, 2 breaches, last 2020-09-30"
    ooa = found[("ooa", "")]
    assert (ooa["revised"], ooa["eased"]) == ("true", "true")
    assert ooa["original"] == "original plan 50 by 2021-03-31"
    assert ooa["stages"] == "2020-03: no data · 2020-09: missed (78 vs 75) · 2021-03: pending"
    assert found[("waits", "")]["withdrawn_reason"] == "Overtaken by the national standard"


def test_an_owner_column_appears_only_when_some_row_has_an_owner(
    write_plan: WritePlan,
) -> None:
    owned = METRICS.replace(
        "    name: Preventable deaths\n", "    name: Preventable deaths\n    owner: Dr A\n"
    )
    data = write_plan(PRIORITIES, PLACES, owned, ACTUALS)
    header, found = csv_rows(status(data, "--format", "csv"))
    assert header[len(CSV_COLUMNS)] == "owner" and found[("deaths", "")]["owner"] == "Dr A"
    assert "| Owner |" in status(data, "--format", "markdown")


def test_markdown_shows_the_programme_first_and_the_living_plan(data: Path) -> None:
    text = status(data, "--format", "markdown")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Whole programme: OVERDUE"
    assert "2 no baseline, 2 on track; owner: Jo Bloggs" in text
    header = next(line for line in text.splitlines() if line.startswith("| Status"))
    # no Owner: none is named; a forecast from the actuals (issue 15)
    assert header.endswith("| Baseline | Stages | Revisions | Forecast |")
    assert (
        "| ON TRACK (eased) | Out of area placements (revised) | ooa | 78 | 2020-05-31 | 78.33 "
        "| 60 |" in text
    )
    assert "| revised 2020-05-12 (eased); original plan 50 by 2021-03-31 |" in text
    assert "| −50% of baseline | 2021-03-31 |" in text
    assert "| 0 | from 2020-04-01 |" in text
    assert "| held since 2020-04-01, 2 breaches, last 2020-09-30 |" in text
    assert "| WITHDRAWN | 12-hour waits for a bed |" in text


def test_workbook_has_the_programme_and_the_living_plan_columns(data: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "status.xlsx"
    ran = lsc(data, "status", "--as-of", AS_OF, "--output", str(out))
    assert ran.exit_code == 0, ran.output
    book = load_workbook(out)
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert summary[0][-1] == "owner"
    assert summary[1][:3] == ["programme", "Whole programme", "OVERDUE"]
    assert summary[2][0] == "P3" and summary[2][-1] == "Jo Bloggs"
    metrics = [[c.value for c in row] for row in book["Metrics"].iter_rows()]
    header = metrics[0]
    waits = next(row for row in metrics if row[1] == "waits")
    assert waits[header.index("status")] == "WITHDRAWN"
    assert waits[header.index("withdrawn_reason")] == "Overtaken by the national standard"
    ooa = next(row for row in metrics if row[1] == "ooa")
    assert ooa[header.index("eased")] is True


# --- lsc show --------------------------------------------------------------------------------


def show(data: Path, metric: str, *args: str) -> str:
    ran = lsc(data, "show", metric, "--as-of", AS_OF, *args, env={"COLUMNS": "120"})
    assert ran.exit_code == 0, ran.output
    return flat(ran.stdout)


def test_show_a_baseline_not_agreed_and_its_change_targets(data: Path) -> None:
    text = show(data, "placements")
    assert "— baseline not agreed The plan states no baseline figure or date" in text
    assert "2021-03-31 −50% of baseline — ? no baseline" in text
    assert "status NO BASELINE; baseline not agreed; latest 70 on 2020-05-31" in text
    assert "owner Jo Bloggs (the priority's owner)" in text


def test_show_a_place_with_its_baseline_from_the_log(data: Path) -> None:
    text = show(data, "ooa-log", "--place", "fylde-coast")
    assert "2019-03-31 baseline 40 (from the log)" in text
    assert "2021-03-31 -50% on the baseline 20 … pending" in text


def test_show_a_standing_target(data: Path) -> None:
    text = show(data, "deaths")
    assert (
        "from 2020-04-01 value, standing 0 ✓ holding; "
        "held since 2020-04-01, 2 breaches, last 2020-09-30"
    ) in text
    assert "target 0 from 2020-04-01" in text


def test_show_stages_revisions_and_the_original_plan(data: Path) -> None:
    text = show(data, "stages")
    assert "2019-09-30 value 90 ✓ met (88 vs 90)" in text
    assert "2020-03-31 value 80 ✗ missed (85 vs 80)" in text
    assert "2020-06-30 open (no figure) — – left open to be agreed" in text
    text = show(data, "ooa")
    assert "2020-05-12 ICS Board targets ▼ eased COVID-19 recovery" in text
    assert "original plan 50 by 2021-03-31 (as first written)" in text
    text = show(data, "plans")
    assert "2020-04-15 ICS Board due 2020-09-30 ▼ eased" in text
    assert "original plan due 2020-04-30 (as first written)" in text


def test_show_a_withdrawal(data: Path) -> None:
    text = show(data, "waits")
    assert "status WITHDRAWN" in text
    assert "WITHDRAWN 2020-05-01 by ICS Board: Overtaken by the national standard" in text
    assert "Revisions" not in show(data, "waits", "--plan", "original")


def test_show_a_programme_metric(data: Path) -> None:
    assert "priority programme (Whole programme)" in show(data, "strategy")


# --- the HTML report --------------------------------------------------------------------------


@pytest.mark.slow  # over a second
def test_report_shows_the_living_plan(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    ran = lsc(data, "report", "--as-of", AS_OF, "--output", str(out))
    assert ran.exit_code == 0, ran.output
    html = out.read_text(encoding="utf-8")
    # the whole programme: a row of the summary and its own section, before the priorities
    assert html.index('id="p-programme"') < html.index('id="p-P3"')
    assert "<td>Whole programme</td>" in html
    # withdrawn metrics in their own short list, with the reason
    withdrawn = html[html.index('<section id="withdrawn">') :]
    withdrawn = withdrawn[: withdrawn.index("</section>")]
    assert "12-hour waits for a bed" in withdrawn
    assert "Overtaken by the national standard" in withdrawn
    # eased revisions marked visibly, with the original plan beside them
    assert '<span class="eased">▼ PLAN EASED</span>' in html
    assert '<span class="eased">▼ eased</span>' in html
    assert "Original plan 50 by 2021-03-31, as first written." in html
    # the new statuses, what is missing, stages and a standing target's record
    assert 'class="badge status-no_baseline">NO BASELINE</span>' in html
    assert "Baseline not agreed: the change targets cannot be judged until it is." in html
    assert "−50% of baseline by 2021-03-31" in html
    assert "holding: held since 2020-04-01, 2 breaches, last 2020-09-30" in html
    assert "missed (85 vs 80)" in html
    # a priority's owner where given; no Owner column in the exceptions (no metric owner)
    assert "<th>Owner</th>" in html  # the summary's, for P3's owner
    exceptions = html[html.index('<section id="exceptions">') : html.index('id="withdrawn"')]
    assert "Owner" not in exceptions
    assert '<p class="meta">Owner: Jo Bloggs</p>' in html


@pytest.mark.slow  # over a second
def test_report_against_the_original_plan_says_so(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    ran = lsc(data, "report", "--as-of", AS_OF, "--plan", "original", "--output", str(out))
    assert ran.exit_code == 0, ran.output
    html = out.read_text(encoding="utf-8")
    assert "Judged against the <strong>original plan</strong>" in html
    page = html[: html.index('<section id="key">')]  # the key explains every mark anyway
    assert 'id="withdrawn"' not in page and "PLAN EASED" not in page
