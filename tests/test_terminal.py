"""Issue 17: lsc at an ordinary terminal, through the installed command: closed pipes, options
where people put them, one vocabulary, counts, SPC, lists, widths, the pager, start-up."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from conftest import SHIPPED_DATA, Ran, WritePlan, lsc_process

pytestmark = pytest.mark.slow  # every test here runs the installed command as a process

LSC = shutil.which("lsc") or "lsc"

CLOSED_PIPE_RUNNER = """\
import os, subprocess, sys
read_end, write_end = os.pipe()
os.close(read_end)  # the reader is gone before lsc writes a byte: every write is EPIPE
done = subprocess.run(sys.argv[1:], stdout=write_end, stderr=subprocess.PIPE, text=True)
sys.stderr.write(done.stderr)
sys.exit(done.returncode)
"""


def installed(data: Path | None, *args: str, env: dict[str, str | None] | None = None) -> Ran:
    """The installed ``lsc`` as a user runs it."""
    return lsc_process(data, *args, command=[LSC], env=env, timeout=120)


def into_closed_pipe(*args: str) -> Ran:
    """The installed ``lsc ARGS`` with stdout a pipe nobody reads any more (lsc ... | head)."""
    return lsc_process(None, *args, command=[sys.executable, "-c", CLOSED_PIPE_RUNNER, LSC])


# --- 5: closed pipes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "--format", "csv"),
        ("status", "--format", "json"),
        ("--help",),
        ("status", "--help"),
        ("report", "--output", "-", "--as-of", "2021-03-31"),
    ],
    ids=" ".join,
)
def test_a_closed_pipe_ends_quietly_with_141(args: tuple[str, ...]) -> None:
    ran = into_closed_pipe("--data", str(SHIPPED_DATA), *args)
    assert ran.exit_code == 141, ran.stderr
    assert ran.stderr == ""


def test_head_of_the_status_table_exits_141_not_1() -> None:
    done = lsc_process(
        None,
        "--data",
        str(SHIPPED_DATA),
        "status",
        command=["bash", "-c", f'"{LSC}" "$@" | head -1; exit "${{PIPESTATUS[0]}}"', "lsc"],
        env={"COLUMNS": "80"},
    )
    assert done.stdout.startswith("Status as of")
    assert done.exit_code in (0, 141), done.stderr  # 0 when it all fitted the pipe in time
    assert "Traceback" not in done.stderr and "error" not in done.stderr.lower()


# --- 4: options where people put them ---------------------------------------------------------


def test_data_after_the_command_is_the_data_directory(tmp_path: Path) -> None:
    ran = installed(None, "check", "--data", str(SHIPPED_DATA))
    assert ran.exit_code == 0 and "valid" in ran.stderr
    ran = installed(None, "status", "--format", "json", f"--data={SHIPPED_DATA}")
    assert ran.exit_code == 0 and ran.stdout.startswith("{")
    # after the command it wins over the one before and over LSC_DATA
    missing = tmp_path / "missing"
    ran = installed(SHIPPED_DATA, "check", "--data", str(missing), env={"LSC_DATA": "elsewhere"})
    assert ran.exit_code == 1
    assert f"data directory {missing} does not exist" in ran.stderr.splitlines()[-1]
    assert "--data" in installed(None, "status", "--help").stdout


def test_schema_writes_beside_the_data_directory_in_effect(tmp_path: Path) -> None:
    plan = tmp_path / "my-plan"
    assert installed(None, "init", "--quiet", str(plan)).exit_code == 0
    for schema in (plan / "schemas").iterdir():
        schema.unlink()
    ran = lsc_process(plan, "schema", command=[LSC], cwd=tmp_path)
    assert ran.exit_code == 0, ran.stderr
    assert sorted(p.name for p in (plan / "schemas").iterdir()) == [
        "actuals.schema.json",
        "metrics.schema.json",
        "places.schema.json",
        "priorities.schema.json",
        "updates.schema.json",
    ]
    assert not (tmp_path / "schemas").exists()
    bare = tmp_path / "bare"  # no $schema line to follow: DIR/schemas
    bare.mkdir()
    assert lsc_process(None, "schema", "--data", "bare", command=[LSC], cwd=tmp_path).exit_code == 0
    assert (bare / "schemas" / "metrics.schema.json").is_file()
    # with the default ./data, as before: ./schemas (where data/'s files point)
    assert lsc_process(None, "schema", "-q", command=[LSC], cwd=tmp_path).exit_code == 0
    assert (tmp_path / "schemas" / "metrics.schema.json").is_file()


@pytest.mark.parametrize("name", ["r.pdf", "r.xlsx", "report", "r.html.txt"])
def test_report_refuses_a_file_name_that_is_not_html(tmp_path: Path, name: str) -> None:
    ran = installed(SHIPPED_DATA, "report", "--output", str(tmp_path / name))
    assert ran.exit_code == 2
    assert ran.stderr.startswith("error: lsc report writes HTML, but ")
    assert not (tmp_path / name).exists()


def test_report_takes_html_and_htm(tmp_path: Path) -> None:
    for name in ("r.html", "R.HTM"):
        ran = installed(
            SHIPPED_DATA, "report", "-q", "--as-of", "2021-03-31", "-o", str(tmp_path / name)
        )
        assert ran.exit_code == 0, ran.stderr
        assert (tmp_path / name).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- 7: one vocabulary -------------------------------------------------------------------------

OVERDUE_ON_SHIPPED = "2021-03-31"


def test_machine_formats_give_status_ids_and_human_formats_one_label(tmp_path: Path) -> None:
    import csv
    import io
    import json
    import zipfile

    args = ("status", "--as-of", OVERDUE_ON_SHIPPED)
    rows = list(csv.DictReader(io.StringIO(installed(SHIPPED_DATA, *args, "-f", "csv").stdout)))
    assert "overdue" in {row["status"] for row in rows}
    assert not any(row["status"].isupper() for row in rows)
    report = json.loads(installed(SHIPPED_DATA, *args, "-f", "json").stdout)
    assert "overdue" in {metric["status"] for metric in report["metrics"]}

    markdown = installed(SHIPPED_DATA, *args, "-f", "markdown").stdout
    assert "| Status | Metric | Id |" in markdown
    assert "| OVERDUE |" in markdown and "| mh-inpatient-bed-waits-over-12h |" in markdown
    table = installed(SHIPPED_DATA, *args, env={"COLUMNS": "160"}).stdout
    assert "OVERDUE" in table and "Overdue" not in table
    workbook = tmp_path / "status.xlsx"
    assert installed(SHIPPED_DATA, *args, "-q", "-o", str(workbook)).exit_code == 0
    with zipfile.ZipFile(workbook) as opened:
        cells = (
            opened.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in (opened.namelist())
            else "".join(opened.read(n).decode() for n in opened.namelist() if "sheet" in n)
        )
    assert "OVERDUE" in cells and ">Overdue<" not in cells
    html_file = tmp_path / "r.html"
    assert (
        installed(
            SHIPPED_DATA, "report", "-q", "--as-of", OVERDUE_ON_SHIPPED, "-o", str(html_file)
        ).exit_code
        == 0
    )
    html = html_file.read_text(encoding="utf-8")
    assert 'class="badge status-overdue">OVERDUE</span>' in html
    assert ">Overdue<" not in html


def test_one_point_is_one_point(write_plan: WritePlan) -> None:
    data = write_plan(
        metrics=[{"id": "m0", "priority": "P3", "name": "M0", "direction": "increase"}],
        actuals=[{"metric": "m0", "date": "2020-01-31", "value": 3}],
    )
    ran = installed(data, "spc", "m0", "--as-of", "2020-06-30")
    assert ran.exit_code == 0, ran.stderr
    assert "1 point" in ran.stdout and "1 points" not in ran.stdout


# --- 6: counts that say what they count --------------------------------------------------------


def test_fail_on_counts_metrics_and_place_rows_apart() -> None:
    import json

    args = ("status", "--as-of", OVERDUE_ON_SHIPPED)
    report = json.loads(installed(SHIPPED_DATA, *args, "-f", "json").stdout)
    metrics = sum(
        1 for m in report["metrics"] if m["status"] == "overdue" and not m["shown_for_places"]
    )
    places = sum(1 for m in report["metrics"] for p in m["places"] if p["status"] == "overdue")
    assert metrics and places
    ran = installed(SHIPPED_DATA, *args, "--fail-on", "overdue")
    assert ran.exit_code == 1
    assert ran.stderr == (
        f"status: failing: {metrics} metrics overdue, and {places} place rows overdue\n"
    )
    assert f"{metrics} overdue" in ran.stdout  # the summary counts metrics, as the line does


def test_a_filtered_heading_says_how_many_metrics_it_hides() -> None:
    import json

    args = ("status", "--as-of", OVERDUE_ON_SHIPPED, "--priority", "P3")
    whole = json.loads(installed(SHIPPED_DATA, *args, "-f", "json").stdout)
    in_p3 = len(whole["metrics"])
    overdue = sum(1 for m in whole["metrics"] if m["status"] == "overdue")
    assert 0 < overdue < in_p3
    for fmt in ("table", "markdown"):
        shown = installed(
            SHIPPED_DATA, *args, "--status", "overdue", "-f", fmt, env={"COLUMNS": "160"}
        )
        hidden = in_p3 - sum(
            1
            for m in whole["metrics"]
            if m["status"] == "overdue" or any(p["status"] == "overdue" for p in m["places"])
        )
        assert f"; {hidden} of {in_p3} hidden by --status" in shown.stdout, fmt
    unfiltered = installed(SHIPPED_DATA, *args, env={"COLUMNS": "160"}).stdout
    assert "hidden by" not in unfiltered
