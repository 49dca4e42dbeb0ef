"""`lsc check`, `--data`/`LSC_DATA`, `--version` and `--help`, as a user sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import METRICS, REPO, SHIPPED_DATA, WritePlan, lsc, lsc_process
from lsc_tracker import __version__

BROKEN_METRICS = METRICS.replace("due: 2020-04-30", "due: April 2020").replace(
    "priority: P3", "priority: P33"
)


def test_check_passes_on_the_shipped_data() -> None:
    result = lsc(SHIPPED_DATA, "check")
    assert result.exit_code == 0, result.output
    assert "valid (8 priorities" in result.stderr


def test_check_lists_every_problem_as_path_line_column(write_plan: WritePlan) -> None:
    data = write_plan(metrics=BROKEN_METRICS)
    result = lsc(data, "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{data}/metrics.yaml:3:15: error: unknown priority 'P33' (did you mean 'P3'?) "
        "(unknown-priority)",
        f"{data}/metrics.yaml:15:10: error: expected a date as YYYY-MM-DD "
        "(for example 2021-03-31), got 'April 2020' (schema)",
    ]
    assert "2 problems in 1 file" in result.stderr


def test_check_json_format(write_plan: WritePlan) -> None:
    data = write_plan(metrics=BROKEN_METRICS)
    result = lsc(data, "check", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert [(e["line"], e["column"]) for e in report["errors"]] == [(3, 15), (15, 10)]
    assert set(report["errors"][0]) >= {"file", "line", "column", "message"}
    ok = lsc(write_plan(), "check", "-f", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout) == {"valid": True, "errors": []}


def test_check_github_annotations(write_plan: WritePlan) -> None:
    data = write_plan(metrics=BROKEN_METRICS)
    result = lsc(data, "check", "--format", "github")
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first == (
        f"::error file={data}/metrics.yaml,line=3,col=15,title=unknown-priority::"
        "unknown priority 'P33' (did you mean 'P3'?)"
    )


def test_unknown_format_is_a_usage_error(write_plan: WritePlan) -> None:
    result = lsc(write_plan(), "check", "--format", "xml")
    assert result.exit_code == 2


def test_data_directory_from_env_then_default(
    write_plan: WritePlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = write_plan(metrics=BROKEN_METRICS)
    monkeypatch.setenv("LSC_DATA", str(data))
    assert lsc(None, "check").exit_code == 1
    monkeypatch.delenv("LSC_DATA")
    monkeypatch.chdir(tmp_path)  # holds ./data
    result = lsc(None, "check")
    assert result.exit_code == 1 and "data/metrics.yaml:3:15" in result.stdout
    monkeypatch.chdir(tmp_path / "data")
    result = lsc(None, "check")
    assert result.exit_code == 1
    assert result.stdout.strip() == "data:1:1: error: data directory does not exist (file-missing)"


def test_version_and_help_as_a_process() -> None:
    version = lsc_process(None, "--version", cwd=REPO)
    assert version.exit_code == 0 and version.stdout == f"lsc {__version__}\n"
    help_text = lsc_process(None, "--help", cwd=REPO)
    assert help_text.exit_code == 0
    assert "check" in help_text.stdout and "--data" in help_text.stdout


def test_no_traceback_for_a_broken_directory(write_plan: WritePlan) -> None:
    data = write_plan(priorities="priorities: [\n", places="\t- x\n", metrics="- just a list\n")
    (data / "actuals.yaml").write_bytes(b"\xff\xfe\x00garbage")
    result = lsc_process(str(data), "check")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 4
    assert all(line.startswith(str(data)) for line in result.stdout.splitlines())


@pytest.mark.slow  # real processes
def test_a_missing_data_directory_says_how_to_give_one(tmp_path: Path) -> None:
    result = lsc_process(None, "check", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stdout == "data:1:1: error: data directory does not exist (file-missing)\n"
    assert result.stderr.splitlines() == [
        "1 problem in 1 file",
        "error: data directory data (the default) does not exist: give --data DIR "
        "or set LSC_DATA=DIR, or start a new plan there with: lsc init data",
    ]
    (tmp_path / "plan").write_text("a file\n")
    result = lsc_process("plan", "check", "-f", "json", cwd=tmp_path)
    assert result.exit_code == 1 and json.loads(result.stdout)["valid"] is False
    assert result.stderr.splitlines()[-1] == (
        "error: data directory plan is not a directory: give --data DIR or set LSC_DATA=DIR"
    )
    for command in (["record", "ooa-placements", "3"], ["import", "july.csv"]):
        refused = lsc_process("plan", *command, cwd=tmp_path)
        assert (refused.exit_code, refused.stdout) == (1, "")
        assert refused.stderr == (
            "error: data directory plan is not a directory: give --data DIR or set LSC_DATA=DIR\n"
        )
    result = lsc_process(None, "check", cwd=tmp_path, env={"LSC_DATA": "my plan"})
    assert result.stderr.splitlines()[-1] == (
        "error: data directory my plan (from LSC_DATA) does not exist: give --data DIR "
        "or set LSC_DATA=DIR, or start a new plan there with: lsc init 'my plan'"
    )


@pytest.mark.slow  # real processes
@pytest.mark.parametrize("fmt", ["text", "json", "github", "gitlab"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_data_path_that_is_not_utf8_gives_problems_not_a_traceback(
    tmp_path: Path, fmt: str, encoding: str
) -> None:
    """`lsc --data $'bad\\xffdir' check -f gitlab`: the path decodes with a lone surrogate."""
    env = {k: v for k, v in os.environ.items() if k != "LSC_DATA"}
    result = subprocess.run(
        [sys.executable, "-m", "lsc_tracker", "--data", b"bad\xffdir", "check", "-f", fmt],
        capture_output=True,
        cwd=tmp_path,
        env={**env, "PYTHONIOENCODING": encoding},  # strict: the stream itself may not cope
        timeout=60,
        check=False,
    )
    stderr = result.stderr.decode(encoding, "replace")
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr and "data directory" in stderr
    out = result.stdout.decode(encoding)
    if fmt == "json":
        (error,) = json.loads(out)["errors"]
        assert error["file"] == ("bad\ufffddir" if encoding == "utf-8" else "bad?dir")
    elif fmt == "gitlab":
        (issue,) = json.loads(out)
        assert len(issue["fingerprint"]) == 64
        assert issue["location"]["path"] in ("bad\ufffddir", "bad?dir")
    elif fmt == "github":
        assert out.startswith("::error file=bad") and "data directory does not exist" in out
    else:
        assert out.endswith("dir:1:1: error: data directory does not exist (file-missing)\n")
