"""`lsc init`: what it writes, and that it refuses, writing nothing, to touch an existing file.

(That the plan it writes passes `lsc check`, and its examples once uncommented: test_schema.py.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Ran, lsc
from lsc_tracker import starter


def tree(directory: Path) -> dict[str, bytes | None]:
    """Every path under the directory with its bytes (None for a directory)."""
    return {
        str(path.relative_to(directory)): None if path.is_dir() else path.read_bytes()
        for path in sorted(directory.rglob("*"))
    }


def init(directory: Path) -> Ran:
    return lsc(None, "init", str(directory))


def test_an_existing_schema_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    plan = tmp_path / "p"
    (plan / "schemas").mkdir(parents=True)
    (plan / "schemas" / "metrics.schema.json").write_text('{"mine": true}\n')
    before = tree(plan)
    result = init(plan)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: refusing to overwrite existing files: {plan}/schemas/metrics.schema.json; "
        "nothing was written\n"
    )
    assert tree(plan) == before


def test_schemas_being_a_file_is_refused_before_any_data_file_is_written(tmp_path: Path) -> None:
    plan = tmp_path / "p"
    plan.mkdir()
    (plan / "schemas").write_text("not a directory\n")
    before = tree(plan)
    result = init(plan)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {plan}/schemas exists and is not a directory; nothing was written\n"
    )
    assert tree(plan) == before  # no priorities.yaml, metrics.yaml, ... left behind


def test_every_existing_file_is_named_and_kept(tmp_path: Path) -> None:
    (tmp_path / "places.yaml").write_text("mine\n")
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    before = tree(tmp_path)
    result = init(tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path}/places.yaml, {tmp_path}/.gitignore; nothing was written" in result.stderr
    assert tree(tmp_path) == before


def test_a_failed_write_takes_back_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "new" / "plan"
    planned = starter.planned_files

    def with_an_unwritable_last_file(directory: Path) -> dict[Path, str]:
        files = planned(directory)
        files[directory / "no-such-dir" / "x"] = "cannot be written"
        return files

    monkeypatch.setattr(starter, "planned_files", with_an_unwritable_last_file)
    result = init(plan)
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert list(tmp_path.iterdir()) == []  # the files and the directories it made are gone


def test_init_writes_a_gitignore_for_the_side_files_of_recording(tmp_path: Path) -> None:
    plan = tmp_path / "p"
    result = init(plan)
    assert result.exit_code == 0, result.output
    assert f"wrote {plan}/.gitignore" in result.stderr
    lines = (plan / ".gitignore").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        ".actuals.yaml.lock",
        ".actuals.yaml.*.tmp",
        ".actuals.yaml.rolled-back-*",
        ".updates.yaml.lock",
        ".updates.yaml.*.tmp",
        ".updates.yaml.rolled-back-*",
    ]
    if shutil.which("git") is None:
        return
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    side_files = [".actuals.yaml.lock", ".actuals.yaml.x1y2.tmp", ".actuals.yaml.rolled-back-1"]
    names = [f"p/{name}" for name in side_files] + ["p/actuals.yaml", "p/metrics.yaml"]
    ignored = subprocess.run(
        ["git", "check-ignore", *names], cwd=tmp_path, capture_output=True, text=True
    )
    assert ignored.stdout.splitlines() == [f"p/{name}" for name in side_files]
