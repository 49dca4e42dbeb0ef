"""The README's install lines are what CI runs, and the first one works on a fresh machine."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

README = REPO / "README.md"


def readme_command(name: str) -> str:
    """The fenced `sh` block after `<!-- ci:NAME -->` in the README (as .ci/run reads it)."""
    match = re.search(
        rf"^<!-- ci:{re.escape(name)} -->\n```sh\n(.*?)\n```", README.read_text(), re.M | re.S
    )
    assert match, f"README.md has no ci:{name} block"
    return match.group(1)


def test_ci_runs_the_readmes_lines_not_its_own() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "readme_command install-dev" in ci and "readme_command checks" in ci
    # No install command of its own that could drift from the README's.
    assert "pip install" not in ci
    script = "\n".join(line for line in ci.splitlines() if not line.lstrip().startswith("#"))
    extract = re.search(r"^readme_command\(\) \{.*?^\}", script, re.M | re.S)
    assert extract
    for name in ("install-user", "install-dev", "checks"):
        shown = subprocess.run(
            ["bash", "-c", f"{extract.group(0)}\nreadme_command {name}"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert shown == readme_command(name)


def test_install_lines_make_a_virtual_environment() -> None:
    for name in ("install-user", "install-dev"):
        line = readme_command(name)
        assert line.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert readme_command("install-user").endswith("&& lsc check && lsc status")


def _copy_of_the_checkout(target: Path) -> None:
    """Tracked and new files of this checkout, without virtualenvs or caches."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in listed:
        if not raw:
            continue
        relative = Path(os.fsdecode(raw))
        source = REPO / relative
        if not source.is_file():
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / relative)


@pytest.mark.slow
def test_the_first_command_installs_and_reports_on_a_fresh_copy(tmp_path: Path) -> None:
    """A new user's first line, in a copy of the repository with no virtual environment."""
    checkout = tmp_path / "lsc-tracker"
    _copy_of_the_checkout(checkout)
    assert not (checkout / ".venv").exists()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "LSC_DATA", "PAGER", "LSC_PAGER"}
    }
    # Outside any virtualenv, as a new user's shell is: the system's python3 first on PATH.
    environment["PATH"] = os.pathsep.join(
        part
        for part in environment.get("PATH", "").split(os.pathsep)
        if not (Path(part) / "activate").exists()
    )
    result = subprocess.run(
        ["bash", "-c", readme_command("install-user")],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (checkout / ".venv" / "bin" / "lsc").exists()
    output = result.stdout + result.stderr
    assert "data: valid" in output  # lsc check
    assert "Status as of" in result.stdout  # lsc status
