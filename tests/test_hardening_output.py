"""Issue 11, outputs: what a hostile review found in the reports, the terminal text, SPC and
the status numbers, and what each now gets.

- ``--output`` never replaces the plan, the log or a side file, nor opens a FIFO or device,
  and writes through a temporary file renamed into place;
- any finite figures (1e308 and -1e308, the largest float, a baseline or tolerance of 1e308)
  give finite SPC and status figures and valid JSON in every output, never a crash;
- dates at the ends of the calendar: ``--as-of`` outside 1900 to 2199 is refused (exit 2),
  and entries dated 0001-01-01 or 9999-12-31, or recorded at 0001-01-01T00:00+14:00, are
  read and shown by every view without a crash;
- user text is data: Markdown output escapes link and image syntax, every terminal view
  shows control characters as visible escapes, and rich markup in a note prints as typed;
- ``lsc spc`` as a table of 10,000 points takes well under a second to render, every point on
  one whole line.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import RECORDING_METRICS, RECORDING_PLACES, RECORDING_PRIORITIES, WritePlan, lsc
from lsc_tracker import spc, spc_inputs, status, words
from lsc_tracker.loader import load
from lsc_tracker.models import Actual
from lsc_tracker.plan import Plan

LSC = [sys.executable, "-m", "lsc_tracker"]

ACTUALS = """\
- {metric: ooa-placements, date: 2020-05-31, value: 69}
"""


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    return write_plan(actuals=ACTUALS)


def digests(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file()
    }


# --- finding 2: --output can overwrite the data ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["status", "--output", "{data}/actuals.yaml"],
        ["status", "--output", "{data}/metrics.yaml", "--format", "csv"],
        ["status", "--output", "{data}/places.yaml", "--format", "json"],
        ["status", "--output", "{data}/priorities.yaml", "--format", "markdown"],
        ["status", "--output", "{data}/.actuals.yaml.lock"],
        ["status", "--output", "{data}/.actuals.yaml.rolled-back-20200101T000000Z"],
        ["report", "--output", "{data}/actuals.yaml"],
        ["report", "--output", "{data}/metrics.yaml"],
        # the git settings lsc init writes beside the plan (the logs' union merge)
        ["list", "metrics", "--format", "csv", "--output", "{data}/.gitattributes"],
        ["status", "--output", "{data}/.gitignore"],
    ],
)
def test_output_onto_a_data_file_is_refused_and_changes_nothing(
    data: Path, args: list[str]
) -> None:
    (data / ".actuals.yaml.lock").write_bytes(b"")
    (data / ".gitattributes").write_text("actuals.yaml merge=union\n")
    before = digests(data)
    code, out, err = lsc(data, *(arg.format(data=data) for arg in args))
    assert code == 2, err
    assert "error: --output" in err and "choose another file" in err
    assert "Traceback" not in err and out == ""
    assert digests(data) == before


def test_output_through_a_link_to_the_log_is_refused(data: Path, tmp_path: Path) -> None:
    before = digests(data)
    (tmp_path / "soft.csv").symlink_to(data / "actuals.yaml")
    os.link(data / "actuals.yaml", tmp_path / "hard.csv")
    linked_dir = tmp_path / "linked"
    linked_dir.symlink_to(data)
    for output in (tmp_path / "soft.csv", tmp_path / "hard.csv", linked_dir / "metrics.yaml"):
        code, _, err = lsc(data, "status", "--output", str(output), "--format", "csv")
        assert code == 2, (output, err)
        assert "data file" in err
    # the data directory given through a link protects the same files
    code, _, err = lsc(linked_dir, "report", "--output", str(data / "actuals.yaml"))
    assert code == 2 and "data file actuals.yaml" in err
    assert digests(data) == before


def test_xlsx_onto_the_log_is_refused(data: Path, tmp_path: Path) -> None:
    link = tmp_path / "status.xlsx"
    link.symlink_to(data / "actuals.yaml")
    before = digests(data)
    code, _, err = lsc(data, "status", "--output", str(link))
    assert code == 2 and "data file actuals.yaml" in err
    assert digests(data) == before


def test_output_onto_the_data_directory_or_a_directory_is_refused(
    data: Path, tmp_path: Path
) -> None:
    code, _, err = lsc(data, "status", "--output", str(data))
    assert code == 2 and "the data directory" in err
    (tmp_path / "elsewhere").mkdir()
    code, _, err = lsc(data, "report", "--output", str(tmp_path / "elsewhere"))
    assert code == 2 and "is a directory" in err


def test_output_to_a_fifo_is_refused_without_waiting(data: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for command in ("status", "report"):
        done = subprocess.run(
            [*LSC, "--data", str(data), command, "--as-of", "2020-06-30", "--output", str(fifo)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2, done.stderr
        assert "is not a regular file" in done.stderr
        assert "Traceback" not in done.stderr


def test_schema_output_through_a_link_to_a_data_file_is_refused(data: Path, tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "metrics.schema.json").symlink_to(data / "metrics.yaml")
    before = digests(data)
    code, _, err = lsc(data, "schema", "--output", str(schemas))
    assert code == 2 and "data file metrics.yaml" in err
    assert digests(data) == before
    assert not (schemas / "priorities.schema.json").exists()  # checked before any is written


def test_output_is_replaced_whole_not_written_through(data: Path, tmp_path: Path) -> None:
    """A report written over an older one replaces it by a rename: a hard link to the old one
    (a kept copy) still holds the old text, the new file has the new text and no temporary file
    is left behind; through a symbolic link, the file it points at is the one replaced."""
    target = tmp_path / "out" / "status.csv"
    target.parent.mkdir()
    target.write_text("old report\n", encoding="utf-8")
    os.link(target, tmp_path / "kept.csv")
    code, _, err = lsc(data, "status", "--as-of", "2020-06-30", "--output", str(target))
    assert code == 0, err
    assert (tmp_path / "kept.csv").read_text(encoding="utf-8") == "old report\n"
    assert target.read_text(encoding="utf-8").startswith("priority,")
    assert sorted(p.name for p in target.parent.iterdir()) == ["status.csv"]

    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    code, _, err = lsc(data, "status", "--as-of", "2020-06-30", "--output", str(link), "-q")
    assert code == 0, err
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("priority,")


# --- finding 7: huge finite numbers break the reports ------------------------------------------

LARGEST = sys.float_info.max
HUGE = [1e308, -1e308, LARGEST, -LARGEST, 5.0, LARGEST, 1.0, -LARGEST, 1e308, 2.0]


def _json_strict(text: str) -> object:
    """Parse JSON as a strict parser would: Infinity and NaN are not JSON."""

    def refuse(word: str) -> float:
        raise ValueError(f"not JSON: {word}")

    return json.loads(text, parse_constant=refuse)


def _finite_numbers(data: object) -> list[float]:
    if isinstance(data, dict):
        return [x for value in data.values() for x in _finite_numbers(value)]
    if isinstance(data, list):
        return [x for value in data for x in _finite_numbers(value)]
    if isinstance(data, float):
        assert math.isfinite(data), data
        return [data]
    return []


def _huge_plan(write_plan: WritePlan, values: list[float], **metric_fields: object) -> Plan:
    """The small plan, its measure given these values monthly from 2019-04-30 (and any
    metric fields replaced), without the loader's bounds: the computations must not rely on
    them."""
    plan, problems = load(write_plan())
    assert not problems
    measure = plan.metric_by_id["ooa-placements"]
    if metric_fields:
        index = plan.metrics.index(measure)
        measure = measure.model_copy(update=metric_fields)
        plan.metrics[index] = measure
        plan.metric_by_id[measure.id] = measure
    day = date(2019, 4, 30)
    for value in values:
        plan.actuals.append(Actual(measure.id, day, value))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 28)
    return plan


def test_spc_of_huge_values_is_finite_and_agrees_with_its_icons() -> None:
    points = [(date(2020, 1, 1) + timedelta(days=30 * i), v) for i, v in enumerate(HUGE)]
    for target in (None, 1e308, -LARGEST, 3.0):
        for direction in ("increase", "decrease"):
            result = spc.analyse(points, direction=direction, target=target)
            data = _json_strict(json.dumps(spc.result_to_dict(result), allow_nan=False))
            assert _finite_numbers(data)
            assert spc.summary(points, direction=direction, target=target)[:2] == (
                result.variation,
                result.assurance,
            )


def test_scaling_huge_values_keeps_the_rules_answers() -> None:
    """A series near the largest float gets the same point types and icons as the same series
    at an ordinary size: the rules compare values with lines computed from them."""
    shape = [5, 6, 5, 7, 6, 5, 6, 9, 10, 11, 12, 13, 14, 15, 30, 6, 5, 4]
    for factor in (2.0**1000, 2.0**1018):
        ordinary = [(date(2020, 1, 1) + timedelta(days=30 * i), v) for i, v in enumerate(shape)]
        huge = [(when, v * factor) for when, v in ordinary]
        small = spc.analyse(ordinary, direction="increase", target=4)
        big = spc.analyse(huge, direction="increase", target=4 * factor)
        assert [(p.type, p.rule) for p in big.points] == [(p.type, p.rule) for p in small.points]
        assert (big.variation, big.assurance) == (small.variation, small.assurance)
        assert all(math.isfinite(x) for g in big.groups for x in (g.mean, g.lpl, g.upl))


def test_mean_of_mixed_sizes_is_not_spoiled_by_its_rounding_fix() -> None:
    values = [1.0, 2.0, 3.0, 1e308, -1e308, LARGEST, -LARGEST, 5.0]
    points = [(date(2020, 1, 1) + timedelta(days=i), v) for i, v in enumerate(values)]
    assert spc.analyse(points, direction="increase").groups[0].mean == 11 / 8


def test_plan_line_and_shortfall_between_huge_knots_are_finite() -> None:
    line = ((date(2020, 1, 1), 1e308), (date(2021, 1, 1), -1e308))
    middle = status.expected_value_on(line, date(2020, 7, 2))
    assert middle is not None and math.isfinite(middle) and abs(middle) < 1e306
    gap = status.shortfall("decrease", line, status.Reading(date(2020, 7, 2), LARGEST))
    assert all(math.isfinite(x) for x in (gap.expected, gap.amount, gap.span, gap.ratio))
    assert 0.5 < gap.ratio < 1


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        (HUGE, {}),
        ([1e308, -1e308], {}),
        ([3.0, 4.0, 5.0], {"tolerance": 1e308}),
        ([LARGEST, -LARGEST, 1.0], {"tolerance": 1e308}),
    ],
)
def test_every_output_of_huge_figures_is_finite_and_crash_free(
    write_plan: WritePlan, values: list[float], fields: dict[str, object]
) -> None:
    from rich.console import Console

    from lsc_tracker.metric_view import metric_view
    from lsc_tracker.renderers import RENDERERS, render_status
    from lsc_tracker.renderers.terminal_show import render_show, render_spc_table, spc_json

    plan = _huge_plan(write_plan, values, **fields)
    as_of = date(2021, 6, 30)
    measure = plan.metric_by_id["ooa-placements"]
    report = spc_inputs.assess_with_spc(plan, as_of)
    for name, renderer in RENDERERS.items():
        data = render_status(name, report)
        assert data is not None
        if renderer.binary:  # the workbook: written whole, a zip
            assert data.startswith(b"PK")
            continue
        text = data.decode("utf-8")
        if name == "json":
            _finite_numbers(_json_strict(text))
        assert "inf" not in text.lower() and "nan" not in text.lower()
    result = spc_inputs.metric_spc(plan, measure, None, as_of)
    assert result is not None
    _finite_numbers(_json_strict(spc_json(measure.id, None, result)))
    console = Console(file=io.StringIO(), width=120)
    render_spc_table(console, measure.name, None, measure.unit, result)
    render_show(console, metric_view(plan, measure, as_of))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "XmR chart" in shown and "inf" not in shown.lower()


def test_huge_baseline_and_target_give_a_status(write_plan: WritePlan) -> None:
    from lsc_tracker.models import Baseline, Target

    plan = _huge_plan(
        write_plan,
        [LARGEST, -LARGEST, 7.0],
        baseline=Baseline.model_construct(date=date(2019, 3, 31), value=-LARGEST),
        targets=[Target.model_construct(by=date(2021, 3, 31), value=LARGEST, change=None)],
    )
    report = spc_inputs.assess_with_spc(plan, date(2020, 6, 30))
    measure = report.metrics[0]
    assert measure.status in status.STATUS_ORDER
    assert measure.expected is not None and math.isfinite(measure.expected)


# --- finding 8: dates at the ends of the calendar ---------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
@pytest.mark.parametrize(
    "command",
    [
        ["status"],
        ["report", "--output", "{tmp}/report.html"],
        ["spc", "ooa-placements"],
        ["show", "ooa-placements"],
    ],
)
def test_as_of_at_an_end_of_the_calendar_is_a_usage_error(
    data: Path, tmp_path: Path, day: str, command: list[str]
) -> None:
    args = [arg.format(tmp=tmp_path) for arg in command]
    code, out, err = lsc(data, *args, "--as-of", day)
    assert code == 2, err
    assert "outside the dates this tool assesses (1900-01-01 to 2199-12-31)" in err
    assert out == "" and "Traceback" not in err
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("day", ["1900-01-01", "2199-12-31"])
def test_as_of_at_the_ends_of_the_range_works(data: Path, tmp_path: Path, day: str) -> None:
    for command in (["status"], ["spc", "ooa-placements"], ["show", "ooa-placements"]):
        code, _, err = lsc(data, *command, "--as-of", day)
        assert code == 0, (command, err)
    code, _, err = lsc(data, "report", "--as-of", day, "--output", str(tmp_path / "r.html"))
    assert code == 0, err


def test_entries_at_the_ends_of_the_calendar_are_shown_by_every_view(
    write_plan: WritePlan, capsys: pytest.CaptureFixture[str]
) -> None:
    """The loader refuses such dates now, but a reader must not rely on it: every view reads
    them without a crash, and `history` shows each time in UTC where the calendar has it."""
    from rich.console import Console

    from lsc_tracker import recording
    from lsc_tracker.metric_view import metric_view
    from lsc_tracker.renderers import RENDERERS, history_files, render_status
    from lsc_tracker.renderers.history_table import render_history_table
    from lsc_tracker.renderers.terminal_show import render_show, render_spc_table, spc_json

    plan, problems = load(write_plan())
    assert not problems
    plus14, minus12 = timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))
    plan.actuals += [
        Actual("ooa-placements", date.min, 5.0, recorded=datetime(1, 1, 1, tzinfo=plus14)),
        Actual(
            "ooa-placements",
            date(2020, 1, 1),
            7.0,
            recorded=datetime(2020, 1, 2, 10, 30, tzinfo=plus14),
        ),
        Actual(
            "ooa-placements", date.max, 9.0, recorded=datetime(9999, 12, 31, 23, 59, tzinfo=minus12)
        ),
        Actual("ccg-configuration", date.min, "done"),
    ]
    measure = plan.metric_by_id["ooa-placements"]
    for as_of in (date.min, date(2020, 6, 30), date.max):
        report = spc_inputs.assess_with_spc(plan, as_of)
        for name in RENDERERS:
            assert render_status(name, report)
        console = Console(file=io.StringIO(), width=120)
        result = spc_inputs.metric_spc(plan, measure, None, as_of)
        assert result is not None
        _json_strict(spc_json(measure.id, None, result))
        render_spc_table(console, measure.name, None, measure.unit, result)
        for metric in plan.metrics:
            render_show(console, metric_view(plan, metric, as_of))
    rows = recording.history(plan, "ooa-placements")
    _json_strict(history_files.history_json(rows))
    assert "9999-12-31" in history_files.history_csv(rows)
    render_history_table(Console(), rows)
    shown = capsys.readouterr().out
    assert "2020-01-01 20:30" in shown  # 10:30 at +14:00 is the day before in UTC
    assert "0001-01-01 00:00" in shown  # before the calendar in UTC: shown as written


# --- finding 13: text that is live elsewhere ----------------------------------------------------

HOSTILE_NAME = "Out \x1b[31mof\x1b[0m area [x](javascript:alert(3)) ![i](http://e.example/x.png)"
HOSTILE_NOTE = "[red]=SUM(A1) fix [/] later \x1b]0;pwned\x07 \x1b[2J\x9b1m \u202eevil\r"
HOSTILE_BY = "ev\x1b[31mil"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


def _hostile_plan(write_plan: WritePlan) -> Plan:
    """The small plan with a metric name, a note, a recorder and a place name that a
    terminal or a Markdown viewer would act on (set after loading: the view must not rely on
    the loader refusing them)."""
    plan, problems = load(write_plan())
    assert not problems
    measure = plan.metric_by_id["ooa-placements"]
    index = plan.metrics.index(measure)
    measure = measure.model_copy(update={"name": HOSTILE_NAME, "owner": HOSTILE_NOTE})
    plan.metrics[index] = plan.metric_by_id[measure.id] = measure
    priority = plan.priorities[0]
    plan.priorities[0] = plan.priority_by_id[priority.id] = priority.model_copy(
        update={"title": "Resilience [/] \x1b[5mblink"}
    )
    for month, value in ((1, 90.0), (2, 85.0), (3, 80.0)):
        plan.actuals.append(
            Actual(measure.id, date(2020, month, 28), value, note=HOSTILE_NOTE, by=HOSTILE_BY)
        )
    return plan


def _no_raw_controls(text: str) -> None:
    for char in RAW_CONTROLS:
        assert char not in text, repr(char)


def test_terminal_views_show_control_characters_and_markup_as_typed(
    write_plan: WritePlan, capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    from lsc_tracker import recording
    from lsc_tracker.metric_view import metric_view
    from lsc_tracker.renderers.history_table import render_history_table
    from lsc_tracker.renderers.status_table import render_table
    from lsc_tracker.renderers.terminal_show import render_show, render_spc_table

    plan = _hostile_plan(write_plan)
    as_of = date(2020, 6, 30)
    measure = plan.metric_by_id["ooa-placements"]
    for terminal in (False, True):
        console = Console(file=io.StringIO(), width=200, force_terminal=terminal, no_color=True)
        result = spc_inputs.metric_spc(plan, measure, None, as_of)
        assert result is not None
        render_spc_table(console, measure.name, None, measure.unit, result)  # no MarkupError
        render_show(console, metric_view(plan, measure, as_of))
        shown = console.file.getvalue()  # type: ignore[attr-defined]
        if terminal:  # rich's own colour codes are gone with no_color; bold may stay
            shown = re.sub("\x1b\\[[0-9;]*m", "", shown)
        _no_raw_controls(shown)
        assert "\\x1b[31mof\\x1b[0m area" in shown
        assert "[red]=SUM(A1) fix [/] later \\x1b]0;pwned\\x07" in shown
        assert "Resilience" not in shown or "[/] \\x1b[5mblink" in shown

        out = io.StringIO()
        render_table(spc_inputs.assess_with_spc(plan, as_of), out, width=200, force_terminal=False)
        _no_raw_controls(out.getvalue())
        assert "Resilience [/] \\x1b[5mblink" in out.getvalue()

    render_history_table(Console(), recording.history(plan, "ooa-placements"))
    shown = capsys.readouterr().out
    _no_raw_controls(shown)
    assert "ev\\x1b[31mil" in shown and "[red]=SUM(A1)" in shown


def test_markdown_escapes_links_images_and_control_characters(write_plan: WritePlan) -> None:
    from lsc_tracker.renderers.status_files import render_markdown

    out = io.StringIO()
    render_markdown(spc_inputs.assess_with_spc(_hostile_plan(write_plan), date(2020, 6, 30)), out)
    text = out.getvalue()
    assert not re.search(r"(?<!\\)\]\(", text)  # no "](" that is not escaped: no link
    assert "![" not in text  # no image
    assert "\\[x\\](javascript:alert(3))" in text and "!\\[i\\](http" in text
    _no_raw_controls(text)
    assert "Resilience \\[/\\] \\x1b\\[5mblink" in text


# --- finding 14: lsc spc as a table is slow -----------------------------------------------------


def test_spc_table_of_10k_points_is_fast_and_whole() -> None:
    import random
    import time

    from rich.console import Console

    from lsc_tracker.renderers.terminal_show import render_spc_table

    rng = random.Random(11)
    first = date(1995, 1, 1)
    points = [
        (first + timedelta(days=i), round(100 + rng.gauss(0, 5) + 20 * (i > 9000), 1))
        for i in range(10_000)
    ]
    result = spc.analyse(points, direction="decrease", target=90)
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="standard")
    started = time.perf_counter()
    render_spc_table(console, "A measure", None, None, result)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"{elapsed:.1f} s"  # a rich Table took 8 to 17 s here
    shown = re.sub("\x1b\\[[0-9;]*m", "", console.file.getvalue())  # type: ignore[attr-defined]
    lines = [line for line in shown.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", line)]
    assert len(lines) == 10_000  # one line per point, none wrapped
    for point, line in zip(result.points, lines, strict=True):
        assert line.startswith(point.date.isoformat())
        label = words.RULE_LABELS[point.rule] or words.POINT_LABELS[point.type]
        assert line.endswith(label)
    assert "\x1b[34m■" in console.file.getvalue()  # type: ignore[attr-defined]


# --- issue 12, point 5: user text through every command that prints it --------------------------

MARKUP_NAME = "Out of area [red]=SUM(A1) fix [/] later"
MARKUP_NOTE = "[red]=SUM(A1) fix [/] later \x1b[31mred"
MARKUP_BY = "[bold]amy[/] \x1b[31m"


def test_user_text_with_markup_prints_as_typed_through_each_command(
    write_plan: WritePlan,
) -> None:
    """A metric name, a note and a recorder holding rich markup (``[red]``, a stray ``[/]``)
    and an escape sequence, through show, history, status, record, spc and import: the
    markup prints as typed (never a MarkupError, never swallowed) and no raw ESC is sent."""
    metrics = RECORDING_METRICS.replace("name: Out of area placements", f'name: "{MARKUP_NAME}"')
    data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, metrics, "[]\n")

    def printed(*args: str) -> str:
        result = lsc(data, *args)
        assert result.exit_code == 0, (args, result.output)
        assert "\x1b" not in result.stdout, args
        return result.stdout

    typed = "[red]=SUM(A1) fix [/] later"
    recorded = printed(
        "record", "ooa-placements", "90", "--date", "2020-01-31",
        "--note", MARKUP_NOTE, "--by", MARKUP_BY,
    )  # fmt: skip
    assert typed in recorded and "\\u001b[31mred" in recorded  # the log line, as written
    csv_file = data.parent / "return.csv"
    csv_file.write_text(
        "metric,date,value,note,by\n"
        + "".join(
            f'ooa-placements,2020-0{month}-28,{value},"{MARKUP_NOTE}",{MARKUP_BY}\n'
            for month, value in ((2, 85), (3, 80), (4, 75))
        ),
        encoding="utf-8",
    )
    assert typed in printed("import", str(csv_file), "--dry-run")
    printed("import", str(csv_file))  # prints only "recorded 3 ..." (stderr)

    history = printed("history", "ooa-placements")
    assert f"{typed} \\x1b[31mred" in history and "[bold]amy[/] \\x1b[31m" in history
    shown = printed("show", "ooa-placements", "--as-of", "2020-06-30")
    assert MARKUP_NAME in shown and f"{typed} \\x1b[31mred" in shown
    assert MARKUP_NAME in printed("spc", "ooa-placements", "--as-of", "2020-06-30")
    assert MARKUP_NAME in printed("status", "--as-of", "2020-06-30")
    assert MARKUP_NAME.replace("[", "\\[").replace("]", "\\]") in printed(
        "status", "--as-of", "2020-06-30", "--format", "markdown"
    )
