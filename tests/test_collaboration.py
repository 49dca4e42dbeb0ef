"""Many clones, one log (issue 18, part 3): the logs merge as a union in git, a key recorded in
two clones is a duplicate ``lsc check`` explains and one command settles, and a data directory
on a network filesystem is warned about on every write."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (
    RECORDING_METRICS,
    RECORDING_PLACES,
    RECORDING_PRIORITIES,
    REPO,
    WritePlan,
    lsc,
)
from lsc_tracker import filesystems
from lsc_tracker.loader import load
from lsc_tracker.starter import GITATTRIBUTES_TEXT, GITIGNORE_TEXT

ACTUALS = "- {metric: ooa-placements, date: 2020-04-30, value: 80, by: jo}\n"

# --- which filesystem ------------------------------------------------------------------------

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
40 27 0:45 / /srv/plans rw,relatime shared:20 - nfs4 fs:/export/plans rw,vers=4.2
41 40 0:46 / /srv/plans/local rw,relatime shared:21 - ext4 /dev/sdb1 rw
42 27 0:47 / /mnt/team\\040drive rw,relatime - cifs //server/team rw
43 27 0:48 / /mnt/wsl rw - 9p drvfs rw
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/srv/plans/lsc/data", "nfs4"),
        ("/srv/plans", "nfs4"),
        ("/srv/plans/local/data", "ext4"),  # a local disk mounted inside the share
        ("/srv/plansx/data", "ext4"),  # a prefix of the name is not a parent
        ("/mnt/team drive/data", "cifs"),  # mountinfo writes a space as \040
        ("/home/amy/plan", "ext4"),
    ],
)
def test_the_filesystem_is_the_longest_mount_point_above_the_path(path: str, kind: str) -> None:
    assert filesystems.filesystem_type(path, MOUNTINFO) == kind


def test_the_last_mount_on_a_point_wins() -> None:
    later = MOUNTINFO + "50 27 0:60 / /srv/plans rw - ext4 /dev/sdc1 rw\n"
    assert filesystems.filesystem_type("/srv/plans/lsc", later) == "ext4"


def test_network_filesystems_are_named_and_local_ones_are_not() -> None:
    assert {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs"} <= filesystems.NETWORK_FILESYSTEMS
    assert not {"ext4", "xfs", "btrfs", "tmpfs", "9p", "apfs"} & filesystems.NETWORK_FILESYSTEMS


@pytest.fixture
def data(write_plan: WritePlan, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LSC_USER", "amy")
    return write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS)


def on_a_share(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, directory: Path, kind: str) -> None:
    """Point the lookup at a mountinfo that mounts ``directory`` from a ``kind`` share."""
    fake = tmp_path / "mountinfo"
    point = str(Path(os.path.realpath(directory))).replace(" ", "\\040")
    fake.write_text(MOUNTINFO + f"60 27 0:70 / {point} rw - {kind} server:/plans rw\n")
    monkeypatch.setattr(filesystems, "MOUNTINFO", fake)


WARNING = (
    "warning: the data directory is on nfs4: file locking may not be honoured across machines, "
    "so two people recording at once could lose or mix entries; share the plan through git "
    "instead (docs/collaboration.md)"
)


def test_every_write_to_a_network_share_warns(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_share(monkeypatch, tmp_path, data, "nfs4")
    ran = lsc(data, "record", "ooa-placements", "70", "--date", "2020-05-31")
    assert ran.exit_code == 0, ran.stderr
    assert ran.stderr.splitlines()[0] == WARNING
    void = lsc(data, "record", "ooa-placements", "--void", "--date", "2020-05-31", "--reason", "x")
    assert void.exit_code == 0 and WARNING in void.stderr
    csv = tmp_path / "june.csv"
    csv.write_text("metric,date,value\nooa-placements,2020-06-30,66\n")
    assert WARNING not in lsc(data, "import", str(csv), "--dry-run").stderr  # nothing written
    imported = lsc(data, "import", str(csv))
    assert imported.exit_code == 0 and WARNING in imported.stderr
    update = lsc(data, "update", "ooa-placements", "--rag", "at_risk", "--note", "winter")
    assert update.exit_code == 0, update.stderr
    assert WARNING in update.stderr
    # a refused write warns too (the user hears it at once), and reading never does
    refused = lsc(data, "record", "ooa-placements", "70", "--date", "2020-06-30")
    assert refused.exit_code == 1 and WARNING in refused.stderr
    assert WARNING not in lsc(data, "status").stderr
    assert WARNING not in lsc(data, "check").stderr


def test_a_local_disk_gives_no_warning(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_a_share(monkeypatch, tmp_path, data, "ext4")
    ran = lsc(data, "record", "ooa-placements", "70", "--date", "2020-05-31")
    assert ran.exit_code == 0 and "warning" not in ran.stderr
    monkeypatch.setattr(filesystems, "MOUNTINFO", tmp_path / "no-such-file")  # not Linux
    assert filesystems.network_filesystem(data) is None


# --- .gitattributes ----------------------------------------------------------------------------


def test_init_and_the_shipped_data_merge_the_logs_as_a_union(tmp_path: Path) -> None:
    assert lsc(None, "init", str(tmp_path / "plan")).exit_code == 0
    for directory in (tmp_path / "plan", REPO / "data"):
        text = (directory / ".gitattributes").read_text(encoding="utf-8")
        assert text == GITATTRIBUTES_TEXT
        rules = [line for line in text.splitlines() if not line.startswith("#")]
        assert rules == ["actuals.yaml merge=union", "updates.yaml merge=union"]
    assert lsc(tmp_path / "plan", "check").exit_code == 0


# --- two clones, one log (real git) -------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def clones(
    write_plan: WritePlan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """Two clones of one plan's repository: ``first`` (the origin) and ``second``."""
    for name, value in {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }.items():
        monkeypatch.setenv(name, value)
    data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, ACTUALS)
    (data / ".gitattributes").write_text(GITATTRIBUTES_TEXT)  # as lsc init writes them
    (data / ".gitignore").write_text(GITIGNORE_TEXT)
    first = data.parent
    git(first, "init", "-q", "-b", "main")
    git(first, "add", ".")
    git(first, "commit", "-q", "-m", "the plan")
    second = tmp_path.parent / f"{tmp_path.name}-second"
    git(tmp_path, "clone", "-q", str(first), str(second))
    return first, second


def record_and_commit(clone: Path, user: str, *args: str) -> None:
    ran = lsc(clone / "data", "record", *args, "--by", user)
    assert ran.exit_code == 0, ran.stderr
    git(clone, "add", "data/actuals.yaml")
    git(clone, "commit", "-q", "-m", f"{user} records")


def merge(into: Path, other: Path) -> subprocess.CompletedProcess[str]:
    git(into, "fetch", "-q", str(other), "main")
    return subprocess.run(
        ["git", "-C", str(into), "merge", "--no-edit", "FETCH_HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
@needs_git
def test_entries_recorded_in_two_clones_merge_without_a_conflict(
    clones: tuple[Path, Path],
) -> None:
    first, second = clones
    record_and_commit(first, "amy", "ooa-placements", "70", "--date", "2020-05-31")
    record_and_commit(first, "amy", "sickness-absence", "4.6", "--date", "2020-05-31")
    record_and_commit(second, "jo", "ooa-placements", "66", "--date", "2020-06-30")
    update = lsc(second / "data", "update", "ooa-placements", "--rag", "at_risk", "--date",
                 "2020-06-01", "--note", "from the second clone")  # fmt: skip
    assert update.exit_code == 0, update.stderr
    git(second, "add", "data/updates.yaml")
    git(second, "commit", "-q", "-m", "jo's update")
    update = lsc(first / "data", "update", "sickness-absence", "--rag", "on_track", "--date",
                 "2020-06-02", "--note", "from the first clone")  # fmt: skip
    assert update.exit_code == 0, update.stderr
    git(first, "add", "data/updates.yaml")
    git(first, "commit", "-q", "-m", "amy's update")

    merged = merge(first, second)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "CONFLICT" not in merged.stdout
    assert git(first, "status", "--porcelain") == ""
    check = lsc(first / "data", "check")
    assert check.exit_code == 0, check.stdout
    plan, problems = load(first / "data")
    assert problems == []
    assert sorted((a.metric, a.date.isoformat(), a.value, a.by) for a in plan.actuals) == [
        ("ooa-placements", "2020-04-30", 80, "jo"),
        ("ooa-placements", "2020-05-31", 70, "amy"),
        ("ooa-placements", "2020-06-30", 66, "jo"),
        ("sickness-absence", "2020-05-31", 4.6, "amy"),
    ]
    assert sorted(u.note for u in plan.updates) == ["from the first clone", "from the second clone"]
    # the merge rewrote the log: the next record appends to it as usual
    record_and_commit(first, "amy", "ooa-placements", "64", "--date", "2020-07-31")
    assert lsc(first / "data", "check").exit_code == 0
    assert len(load(first / "data")[0].actuals) == 5


@pytest.mark.slow
@needs_git
def test_the_same_key_recorded_in_two_clones_is_a_duplicate_check_explains(
    clones: tuple[Path, Path],
) -> None:
    first, second = clones
    record_and_commit(first, "amy", "ooa-placements", "70", "--date", "2020-05-31")
    record_and_commit(second, "jo", "ooa-placements", "72", "--date", "2020-05-31")
    merged = merge(first, second)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    data = first / "data"
    check = lsc(data, "check")
    assert check.exit_code == 1
    [line] = [line for line in check.stdout.splitlines() if "duplicate-actual" in line]
    stamp = r"recorded \d{4}-\d\d-\d\d \d\d:\d\d UTC"
    assert re.fullmatch(
        rf"{data}/actuals\.yaml:3:\d+: error: a second entry for ooa-placements on 2020-05-31 "
        rf"\(first on line 2\): line 2: 70 by amy, {stamp}; line 3: 72 by jo, {stamp}; add "
        r"'replaces: true' if it corrects the first, or keep one with 'lsc record "
        r"ooa-placements 72 --date 2020-05-31 --replace' \(the value to keep\), or withdraw "
        r"both with 'lsc record ooa-placements --date 2020-05-31 --void --reason TEXT' "
        r"\(duplicate-actual\)",
        line,
    ), line

    # until it is settled, nothing else is recorded (and nothing is written) ...
    log = data / "actuals.yaml"
    before = hashlib.sha256(log.read_bytes()).hexdigest()
    other = lsc(data, "record", "sickness-absence", "4.6", "--date", "2020-05-31")
    assert other.exit_code == 1
    assert "nothing was recorded" in other.stderr
    assert hashlib.sha256(log.read_bytes()).hexdigest() == before
    # no board paper from a disputed figure; history lists both, to help decide
    assert lsc(data, "status").exit_code == 1
    history = lsc(data, "history", "ooa-placements", "--format", "json")
    assert history.exit_code == 0
    assert [(r["value"], r["by"]) for r in json.loads(history.stdout)][-2:] == [
        (70, "amy"),
        (72, "jo"),
    ]
    # ... and the command the message gives settles it
    settle = lsc(data, "record", "ooa-placements", "72", "--date", "2020-05-31", "--replace")
    assert settle.exit_code == 0, settle.stderr
    assert lsc(data, "check").exit_code == 0
    assert lsc(data, "record", "sickness-absence", "4.6", "--date", "2020-05-31").exit_code == 0


@pytest.mark.slow
@needs_git
def test_a_void_settles_a_duplicate_too(clones: tuple[Path, Path]) -> None:
    first, second = clones
    record_and_commit(first, "amy", "ooa-placements", "70", "--date", "2020-05-31")
    record_and_commit(second, "jo", "ooa-placements", "72", "--date", "2020-05-31")
    assert merge(first, second).returncode == 0
    data = first / "data"
    void = lsc(data, "record", "ooa-placements", "--void", "--date", "2020-05-31", "--reason",
               "both clones recorded May; the return is not agreed yet")  # fmt: skip
    assert void.exit_code == 0, void.stderr
    assert lsc(data, "check").exit_code == 0
    assert [a.date.isoformat() for a in load(data)[0].counted] == ["2020-04-30"]


# --- docs/collaboration.md runs as written ------------------------------------------------------


def console_steps(text: str) -> list[tuple[str, int]]:
    """Every ```console block's commands, in order, with the exit code each expects."""
    steps: list[tuple[str, int]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], 0))
            elif (found := re.fullmatch(r"\[exit (\d+)\]", line.strip())) and steps:
                steps[-1] = (steps[-1][0], int(found.group(1)))
    return steps


@pytest.mark.slow  # runs documented commands as real processes
@needs_git
def test_the_collaboration_docs_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_docs import run_session

    for name, value in {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }.items():
        monkeypatch.setenv(name, value)
    shutil.copytree(REPO / "data", tmp_path / "data")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    steps = console_steps((REPO / "docs" / "collaboration.md").read_text(encoding="utf-8"))
    assert len(steps) > 10
    ran = run_session(steps, tmp_path)
    assert [(command, code) for command, code, _ in ran] == steps, ran
    merged = (tmp_path / "amy" / "data" / "actuals.yaml").read_text(encoding="utf-8")
    march = [line for line in merged.splitlines() if '"date": "2020-03-31"' in line]
    assert [('"by": "amy"' in line, '"replaces": true' in line) for line in march] == [
        (True, False),  # amy's figure
        (False, False),  # jo's, merged in: the duplicate
        (True, True),  # amy settles it
    ]
    history = (tmp_path / "demo-copy" / "actuals.yaml").read_text(encoding="utf-8")
    assert '"value": 72.1, "by": ' in history and '"provisional": true, "source": "ECDS"' in history
