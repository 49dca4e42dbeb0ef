"""Issue 11, outputs: what a hostile review found in the reports, the terminal text, SPC and
the status numbers, and what each now gets.

- ``--output`` never replaces the plan, the log or a side file, nor opens a FIFO or device,
  and writes through a temporary file renamed into place;
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import WritePlan
from lsc_tracker.cli import app

runner = CliRunner()
LSC = [sys.executable, "-m", "lsc_tracker"]

ACTUALS = """\
- {metric: ooa-placements, date: 2020-05-31, value: 69}
"""


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    return write_plan(actuals=ACTUALS)


def lsc(data: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--data", str(data), *args])
    return result.exit_code, result.stdout, result.stderr


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
    ],
)
def test_output_onto_a_data_file_is_refused_and_changes_nothing(
    data: Path, args: list[str]
) -> None:
    (data / ".actuals.yaml.lock").write_bytes(b"")
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
