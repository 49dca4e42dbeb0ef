"""Issue 11, the actuals log's writer, lock and journal: what a hostile review found.

Each test here failed on the code before its fix.

1. a lock file that is a link (symbolic or hard) to the log, the plan or a file elsewhere:
   refused with a message saying to remove it, nothing truncated or written through it;
   readers never follow it either.
10. a read-only log holding ``[]`` is refused like one holding entries, not replaced.
12. a log replaced by another program (an editor saving it by rename) while recording: the
    writer checks, after writing under the lock, that the name still leads to the file it
    wrote and that its bytes are there, else exit 1 saying so; a log changed between being
    read and being written to is refused with nothing written.
11. a note left behind, then ``sed -i '$d'`` twice, which can give the log its old inode
    back: the note names the log's birth time and the sha256 of the bytes before the append,
    so it no longer applies, and no committed entry is set aside.
15. a 2 GiB sparse lock file: the writer reads a note's header only (and of its bytes no
    more than it compares), so it is quick and small; readers likewise.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import lsc
from lsc_tracker import logwriter
from lsc_tracker.actuals import append_entries
from lsc_tracker.applog import append as log_append
from lsc_tracker.applog import lock as log_lock
from lsc_tracker.applog.append import LogReplaced
from lsc_tracker.applog.journal import PENDING_APPEND, PendingAppend
from lsc_tracker.applog.lock import LogNotWritable
from lsc_tracker.loader import load
from lsc_tracker.models import Actual
from lsc_tracker.problems import LscError
from test_faults import LOCK_FILE, RECORD, assert_one_clear_error, lsc_with_fault, make_data

TODAY = __import__("datetime").date(2026, 1, 1)


def sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def every_file(*roots: Path) -> dict[str, str | None]:
    """Every regular file under the roots (links as their target's text), by sha256."""
    found: dict[str, str | None] = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_symlink():
                found[str(path)] = "-> " + os.readlink(path)
            elif path.is_file():
                found[str(path)] = sha(path)
    return found


# --- 1. a lock file that is a link ------------------------------------------------------------


def _symlink_to_log(data: Path, outside: Path) -> Path:
    (data / LOCK_FILE).symlink_to("actuals.yaml")
    return data / "actuals.yaml"


def _symlink_to_plan(data: Path, outside: Path) -> Path:
    (data / LOCK_FILE).symlink_to("metrics.yaml")
    return data / "metrics.yaml"


def _symlink_outside(data: Path, outside: Path) -> Path:
    (outside / "precious.txt").write_text("a file outside the data directory\n")
    (data / LOCK_FILE).symlink_to(outside / "precious.txt")
    return outside / "precious.txt"


def _dangling_symlink(data: Path, outside: Path) -> Path:
    (data / LOCK_FILE).symlink_to(outside / "created-through-the-link")
    return outside / "created-through-the-link"


def _hard_link_to_log(data: Path, outside: Path) -> Path:
    os.link(data / "actuals.yaml", data / LOCK_FILE)
    return data / "actuals.yaml"


def _hard_link_to_plan(data: Path, outside: Path) -> Path:
    os.link(data / "metrics.yaml", data / LOCK_FILE)
    return data / "metrics.yaml"


LINKS = {
    "symlink-to-log": (_symlink_to_log, "symbolic link (to actuals.yaml)"),
    "symlink-to-plan": (_symlink_to_plan, "symbolic link (to metrics.yaml)"),
    "symlink-outside": (_symlink_outside, "symbolic link (to /"),
    "dangling-symlink": (_dangling_symlink, "symbolic link (to /"),
    "hard-link-to-log": (_hard_link_to_log, "hard link (one file with 2 names"),
    "hard-link-to-plan": (_hard_link_to_plan, "hard link (one file with 2 names"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(LINKS))
def test_a_lock_file_that_is_a_link_is_refused_and_nothing_is_written_through_it(
    tmp_path: Path, case: str
) -> None:
    """Before: exit 0, the entry printed, and the log (or the plan, or the file elsewhere)
    truncated to 0 bytes; a dangling link made a file at its target."""
    make, what = LINKS[case]
    data = make_data(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    target = make(data, outside)
    before = every_file(data, outside)
    for command in (RECORD, ["import", str(tmp_path / "month.csv")]):
        (tmp_path / "month.csv").write_text("metric,date,value\nooa-placements,2020-06-30,42\n")
        result = lsc_with_fault(tmp_path, *command)
        assert_one_clear_error(result, f"cannot lock data/{LOCK_FILE}: it is a {what}")
        assert "remove it (rm 'data/.actuals.yaml.lock'), then record again" in result.stderr
        assert "nothing was recorded" in result.stderr
        assert every_file(data, outside) == before  # no byte changed, no file made
    assert (target.exists() and target.stat().st_size > 0) == (case != "dangling-symlink")
    check = lsc_with_fault(tmp_path, "check")  # the data is as it was: 2 actuals
    assert check.exit_code == 0 and "2 actuals" in check.stderr, check.stdout + check.stderr
    (data / LOCK_FILE).unlink()  # what the message says to do; then it records
    result = lsc_with_fault(tmp_path, *RECORD)
    assert result.exit_code == 0, result.stderr
    assert len(load(data)[0].actuals) == 3
    assert every_file(outside) == {k: v for k, v in before.items() if k.startswith(str(outside))}


def test_a_lock_file_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Owned by neither this user nor the directory's owner: refused (seen as another user
    by pretending to be one, which works as root and not)."""
    data = make_data(tmp_path)
    (data / LOCK_FILE).touch()
    before = every_file(data)
    me = os.geteuid()
    real_stat = os.stat
    monkeypatch.setattr(os, "geteuid", lambda: me + 4242)

    def stat(path, *args, **kwargs):  # the directory belongs to yet another user
        info = real_stat(path, *args, **kwargs)
        if Path(path) == data:
            return os.stat_result((info.st_mode, 0, 0, 2, me + 1, 0, 0, 0, 0, 0))
        return info

    monkeypatch.setattr(os, "stat", stat)
    with pytest.raises(LogNotWritable, match=f"belongs to user id {me}, neither you nor"):
        append_entries(data, lambda plan: [_entry()], today=TODAY)
    monkeypatch.undo()
    assert every_file(data) == before


def _entry() -> Actual:
    from datetime import date

    return Actual("ooa-placements", date(2020, 6, 30), 42.0)


def test_readers_do_not_follow_a_lock_file_that_is_a_link(tmp_path: Path) -> None:
    """A link as the lock file, to a file holding a note that would hide the log's last
    entry: readers must not read it (before, they did, and counted one entry of two)."""
    data = make_data(tmp_path)
    log = data / "actuals.yaml"
    raw = log.read_bytes()
    last = raw.splitlines(keepends=True)[-1]
    offset = len(raw) - len(last)
    with log.open("rb") as file:
        note = PendingAppend.for_log(file.fileno(), offset, last + b"- more\n")
    planted = tmp_path / "planted-note"
    planted.write_bytes(note.journal())
    (data / LOCK_FILE).symlink_to(planted)
    plan, problems = load(data)
    assert problems == [] and len(plan.actuals) == 2
    check = lsc_with_fault(tmp_path, "check")
    assert check.exit_code == 0 and "2 actuals" in check.stderr, check.stdout + check.stderr


def test_the_lock_file_replaced_while_waiting_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock file swapped for another name while a writer waited for it: the writer would
    hold a lock no one else takes; it says so instead."""
    data = make_data(tmp_path)
    real_flock_within = log_lock.flock_within

    def swap_then_lock(fd: int, operation: int, timeout: float, **kwargs) -> bool:
        os.unlink(data / LOCK_FILE)
        (data / LOCK_FILE).touch()
        return real_flock_within(fd, operation, timeout, **kwargs)

    monkeypatch.setattr(log_lock, "flock_within", swap_then_lock)
    before = sha(data / "actuals.yaml")
    with pytest.raises(LogNotWritable, match="was removed or replaced while this command waited"):
        append_entries(data, lambda plan: [_entry()], today=TODAY)
    assert sha(data / "actuals.yaml") == before


# --- 10. a read-only log holding [] ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("log", ["[]\n", "# none yet\n[]\n", "--- null\n", "~\n"])
def test_a_read_only_log_holding_no_entry_is_refused_not_replaced(tmp_path: Path, log: str) -> None:
    """Before: the empty value was replaced through a temporary file and a rename, which
    the directory allows, and the read-only log was rewritten (exit 0)."""
    data = make_data(tmp_path, log)
    (data / LOCK_FILE).touch()
    before = every_file(data)
    result = lsc_with_fault(tmp_path, *RECORD, fault="eacces", arg="data/actuals.yaml")
    assert_one_clear_error(result, "cannot write data/actuals.yaml: Permission denied")
    assert "nothing was recorded" in result.stderr
    assert every_file(data) == before
    assert [p.name for p in data.iterdir() if p.name.endswith(".tmp")] == []
    if os.geteuid() != 0:  # where chmod binds, a really read-only log too
        (data / "actuals.yaml").chmod(0o444)
        result = lsc_with_fault(tmp_path, *RECORD)
        assert_one_clear_error(result, "cannot write data/actuals.yaml: Permission denied")
        assert every_file(data) == before
        (data / "actuals.yaml").chmod(0o644)
    result = lsc_with_fault(tmp_path, *RECORD)  # writable again: the first entry replaces the value
    assert result.exit_code == 0, result.stderr
    assert len(load(data)[0].actuals) == 1


# --- 12. the log replaced under the lock ---------------------------------------------------------


def _editor_saves(path: Path, text: bytes) -> None:
    """What an editor (or ``sed -i``) does: a new file renamed over the log."""
    temp = path.with_name("editor-save.tmp")
    temp.write_bytes(text)
    os.replace(temp, path)


@pytest.mark.parametrize("log", [None, "[]\n", "# actuals\n"], ids=["create", "rewrite", "append"])
def test_a_log_replaced_while_recording_is_an_error_not_a_silent_loss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log: str | None
) -> None:
    """An editor that read the log before the append saves it (renames its copy over it)
    just after the append: before, exit 0 and the entry gone; now exit 1, saying so."""
    data = make_data(tmp_path, log)
    path = data / "actuals.yaml"
    editors_copy = b"# the editor's copy, read before the append\n"
    real_fsync = os.fsync

    def fsync_then_editor_saves(fd: int) -> None:
        real_fsync(fd)
        written = os.readlink(f"/proc/self/fd/{fd}")
        if os.path.basename(written) in ("actuals.yaml",) or written.endswith(".tmp"):
            monkeypatch.setattr(os, "fsync", real_fsync)  # once
            if written.endswith(".tmp"):  # a rewrite: the editor saves after its rename
                real_replace = os.replace

                def replace_then_save(src, dst, **kwargs):
                    real_replace(src, dst, **kwargs)
                    monkeypatch.setattr(os, "replace", real_replace)
                    _editor_saves(path, editors_copy)

                monkeypatch.setattr(os, "replace", replace_then_save)
            else:
                _editor_saves(path, editors_copy)

    monkeypatch.setattr(os, "fsync", fsync_then_editor_saves)
    result = lsc(data, *RECORD)
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert (
        "error: " + str(data / "actuals.yaml") + " was replaced by another program (an editor "
        "saving it?) while this command was recording, so what it recorded may not be in the log"
    ) in result.output
    assert path.read_bytes() == editors_copy
    with pytest.raises(LogReplaced):  # the library says the same
        monkeypatch.setattr(os, "fsync", fsync_then_editor_saves)
        append_entries(data, lambda plan: [_entry()], today=TODAY)


def test_a_log_changed_after_it_was_checked_is_refused_with_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor saves between the writer's read and its write: the writer would append to
    a file it never checked (a duplicate, a broken layout); it refuses, writing nothing."""
    data = make_data(tmp_path)
    path = data / "actuals.yaml"
    real_load = logwriter.load

    def load_then_editor_saves(*args, **kwargs):
        result = real_load(*args, **kwargs)
        _editor_saves(path, path.read_bytes() + b"# saved by an editor\n")
        return result

    monkeypatch.setattr(logwriter, "load", load_then_editor_saves)
    with pytest.raises(LscError, match=r"was changed by another program .* nothing was"):
        append_entries(data, lambda plan: [_entry()], today=TODAY)
    assert path.read_bytes().endswith(b"# saved by an editor\n")
    monkeypatch.undo()
    assert len(load(data)[0].actuals) == 2


EDITOR = """
import os, sys, time
path, stop = sys.argv[1], sys.argv[2]
while not os.path.exists(stop):
    text = open(path, "rb").read()
    with open(path + ".editor.tmp", "wb") as temp:
        temp.write(text)
    os.replace(path + ".editor.tmp", path)
    time.sleep(0.05)
"""


@pytest.mark.slow
def test_records_racing_an_editor_that_saves_every_50_ms_lose_nothing_unsaid(
    tmp_path: Path,
) -> None:
    """The review's case: a program rewriting the log by temporary file and rename every
    50 ms during 30 records. Before: all 30 exited 0 and some entries were lost. Now every
    record that exited 0 has its entry in the log; the others said the log was replaced
    (or changed) and to run again. (What no writer can see: an editor that read the log
    before an append and saves it long after: docs/recording.md.)"""
    data = make_data(tmp_path)
    path = data / "actuals.yaml"
    stop = tmp_path / "stop"
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(path), str(stop)])
    outcomes = []
    try:
        time.sleep(0.1)
        for day in range(1, 31):
            record = ["record", "ooa-placements", str(day), "--date", f"2020-06-{day:02d}"]
            result = lsc_with_fault(tmp_path, *record, "--note", f"record {day}")
            outcomes.append((day, result.exit_code, result.stderr))
    finally:
        stop.touch()
        editor.wait(timeout=10)
    kept = {a.note for a in load(data)[0].actuals}
    for day, code, stderr in outcomes:
        if code == 0:
            assert f"record {day}" in kept, (day, stderr)
        else:
            assert code == 1 and "Traceback" not in stderr, stderr
            assert "by another program (an editor saving it?)" in stderr, stderr


# --- 11. a note revived by inode reuse ------------------------------------------------------


def _import_leaving_the_note(data: Path, monkeypatch: pytest.MonkeyPatch, rows: int) -> None:
    """An import whose writer was killed between its fsync and emptying the note."""
    from datetime import date

    with monkeypatch.context() as patched:
        patched.setattr(log_append, "clear_journal", lambda lock: None)
        append_entries(
            data,
            lambda plan: [
                Actual("ooa-placements", date(2021, month, 28), float(month), note=f"row {month}")
                for month in range(1, rows + 1)
            ],
            today=TODAY,
        )
    assert (data / LOCK_FILE).read_bytes().startswith(PENDING_APPEND)


@pytest.mark.slow
def test_a_note_left_behind_is_not_revived_when_sed_gives_the_log_its_old_inode_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review's case, with the real ``sed -i '$d'`` twice: often the second new file
    gets the inode the log had. Before, the note then applied again, readers hid the 3 rows
    left, and the next record set them aside. Tried until the inode came back 3 times."""
    reused = 0
    for trial in range(40):
        data = make_data(tmp_path / f"trial-{trial}")
        log = data / "actuals.yaml"
        _import_leaving_the_note(data, monkeypatch, rows=5)
        inode = log.stat().st_ino
        for _ in range(2):
            subprocess.run(["sed", "-i", "$d", str(log)], check=True)
        reused += log.stat().st_ino == inode
        plan, problems = load(data)
        assert problems == [], problems
        assert [a.note for a in plan.actuals] == [None, None, "row 1", "row 2", "row 3"]
        result = append_entries(data, lambda plan: [_entry()], today=TODAY)
        assert result.rolled_back is None
        assert [a.note for a in load(data)[0].actuals][2:] == ["row 1", "row 2", "row 3", None]
        assert list(data.glob(".actuals.yaml.rolled-back-*")) == []
        if reused >= 3:
            break
    assert reused >= 3, f"the inode came back only {reused} times in {trial + 1} trials"


def test_a_note_applies_only_to_the_bytes_it_was_written_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same file (same inode and birth), edited in place before the append's bytes and
    cut back inside them: the note's sha256 of what came before no longer matches, so every
    line left counts (before: the last line was hidden, then set aside)."""
    data = make_data(tmp_path)
    log = data / "actuals.yaml"
    _import_leaving_the_note(data, monkeypatch, rows=3)
    raw = log.read_bytes()
    edited = raw.replace(b'"value": 101', b'"value": 102', 1)  # a hand correction, same size
    edited = edited[: edited.rstrip(b"\n").rfind(b"\n") + 1]  # and the last row deleted
    with log.open("r+b") as file:  # in place: the same inode, the same birth time
        file.write(edited)
        file.truncate(len(edited))
    plan, problems = load(data)
    assert problems == []
    assert [(a.value, a.note) for a in plan.actuals] == [
        (102, None),
        (99, None),
        (1, "row 1"),
        (2, "row 2"),
    ]
    result = append_entries(data, lambda plan: [_entry()], today=TODAY)
    assert result.rolled_back is None and len(load(data)[0].actuals) == 5


# --- 15. a huge lock file ------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("size", [2 << 30, 900 << 20], ids=["2-gib", "900-mib"])
def test_a_huge_sparse_lock_file_is_not_read_whole(tmp_path: Path, size: int) -> None:
    """Under a 1 GiB address-space limit, quickly. Before: a MemoryError traceback from the
    writer (and, for one under 1 GiB, from readers too)."""
    data = make_data(tmp_path)
    with (data / LOCK_FILE).open("wb") as lock:
        lock.write(PENDING_APPEND)
        lock.truncate(size)
    limit = str(1 << 30)
    for command in (["check"], ["status", "--format", "json"]):
        started = time.monotonic()
        result = lsc_with_fault(tmp_path, *command, fault="memory", arg=limit, timeout=30)
        assert result.exit_code in (0, 1) and "Traceback" not in result.stderr, result.stderr
        assert "Traceback" not in result.stdout and time.monotonic() - started < 10
    check = lsc_with_fault(tmp_path, "check", fault="memory", arg=limit, timeout=30)
    assert check.exit_code == 0 and "2 actuals" in check.stderr, check.stderr
    started = time.monotonic()
    result = lsc_with_fault(tmp_path, *RECORD, fault="memory", arg=limit, timeout=30)
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 10
    assert (data / LOCK_FILE).stat().st_size == 0  # not a note: emptied, unread
    assert len(load(data)[0].actuals) == 3
