"""Faults: a read-only data directory, a log that is a directory, missing files, a disk that
fills up mid-append, and writers killed with SIGKILL at random moments.

Each fault gives one clear ``error:`` line and exit 1, and leaves the log loadable and
byte-for-byte unchanged; a killed writer leaves only whole entries, and none that it reported
written is lost. The figures are printed at the end of the run (see conftest.report_figure).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import (
    RECORDING_METRICS,
    RECORDING_PLACES,
    RECORDING_PRIORITIES,
    Ran,
    lsc,
    lsc_process,
    plan_files,
    report_figure,
    write_plan_files,
)
from journal_reference import committed
from lsc_tracker.actuals import append_entries
from lsc_tracker.applog import append as log_append
from lsc_tracker.applog.journal import PENDING_APPEND
from lsc_tracker.loader import load
from lsc_tracker.models import Actual
from lsc_tracker.plan import ACTUALS

pytestmark = pytest.mark.slow  # real processes, killed, out of memory, out of disk

LOCK_FILE = ACTUALS.lock
RECORD = ["record", "ooa-placements", "42", "--date", "2020-06-30", "--by", "faults"]
LOG = (
    "# actuals\n"
    '- {"metric": "ooa-placements", "date": "2020-04-30", "value": 101, "by": "jo"}\n'
    '- {"metric": "ooa-placements", "date": "2020-05-31", "value": 99, "by": "jo"}\n'
)


def make_data(root: Path, actuals: str | None = LOG) -> Path:
    files = plan_files(RECORDING_PRIORITIES, RECORDING_PLACES, RECORDING_METRICS, actuals)
    return write_plan_files(root / "data", files)


def snapshot(data: Path) -> dict[str, str]:
    """Every file's sha256 (directories as 'dir'), leaving out the empty lock file."""
    result = {}
    for path in sorted(data.iterdir()):
        if path.name == LOCK_FILE and path.stat().st_size == 0:
            continue
        result[path.name] = (
            "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
        )
    return result


# Runs the installed CLI (python -m lsc_tracker) in a real process, after an optional fault
# set up inside it: a file-size limit (a full disk) or a file system that refuses writes.
_LAUNCH = """
import errno, os, resource, runpy, signal, sys
fault, arg = sys.argv.pop(1), sys.argv.pop(1)
if fault == "memory":  # at most this many bytes of address space, as under ulimit -v
    resource.setrlimit(resource.RLIMIT_AS, (int(arg), int(arg)))
elif fault == "fsize":  # the disk is full once the file reaches this size
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(arg), int(arg)))
elif fault in ("erofs", "eacces"):  # opening anything under arg for writing fails
    # erofs: a read-only file system; eacces: no write permission, but the lock file exists
    # and is writable (it is created once, by the first record)
    target, code = os.path.realpath(arg), errno.EROFS if fault == "erofs" else errno.EACCES
    real_open = os.open
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    def guarded_open(path, flags, mode=0o777, *, dir_fd=None):
        full = os.path.realpath(os.fsdecode(path))
        lock = fault == "eacces" and full.endswith("/.actuals.yaml.lock")
        under = full == target or full.startswith(target + os.sep)
        if flags & writing and under and not lock:
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return real_open(path, flags, mode, dir_fd=dir_fd)
    os.open = guarded_open
runpy.run_module("lsc_tracker", run_name="__main__", alter_sys=True)
"""


def lsc_with_fault(
    cwd: Path, *args: str, fault: str = "none", arg: str = "-", timeout: float = 60
) -> Ran:
    launch = (sys.executable, "-c", _LAUNCH, fault, arg)
    return lsc_process(
        "data", *args, command=launch, cwd=cwd, timeout=timeout, env={"LSC_USER": None}
    )


def assert_one_clear_error(result: Ran, *parts: str) -> None:
    """Exit 1, nothing on stdout, no traceback, and stderr ending with one error: line."""
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and result.stderr.splitlines()[-1] == errors[0], result.stderr
    for part in parts:
        assert part in errors[0], errors[0]


def assert_loads_unchanged(data: Path, before: dict[str, str], entries: int) -> None:
    assert snapshot(data) == before
    plan, problems = load(data)
    assert problems == [] and len(plan.actuals) == entries


def assert_recovers(tmp_path: Path, data: Path, entries: int) -> None:
    """Once the fault is gone, the same command records, after the entries already there."""
    result = lsc_with_fault(tmp_path, *RECORD)
    assert result.exit_code == 0, result.stderr
    plan, problems = load(data)
    assert problems == [] and len(plan.actuals) == entries + 1
    assert [p.name for p in data.iterdir() if p.name.endswith(".tmp")] == []


# --- a read-only data directory ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("log", "fault", "where", "reason"),
    [
        # the whole directory refuses writes: the lock cannot even be created
        (LOG, "erofs", "data", "cannot lock data/.actuals.yaml.lock: Read-only file system"),
        (None, "erofs", "data", "cannot lock data/.actuals.yaml.lock: Read-only file system"),
        # the lock exists but the log is read-only: appending, creating or rewriting fails
        (LOG, "eacces", "data/actuals.yaml", "cannot write data/actuals.yaml: Permission denied"),
        ("# none yet\n[]\n", "eacces", "data", "cannot write data/actuals.yaml: Permission denied"),
        (None, "eacces", "data", "cannot write data/actuals.yaml: Permission denied"),
    ],
    ids=[
        "read-only-fs",
        "read-only-fs-no-log",
        "read-only-log",
        "read-only-dir-empty-list",
        "read-only-dir-no-log",
    ],
)
def test_a_data_directory_that_refuses_writes(
    tmp_path: Path, log: str | None, fault: str, where: str, reason: str
) -> None:
    """Simulated inside the real lsc process (os.open refuses writes under ``where``): as root,
    which this runs as in CI containers, chmod cannot make a directory read-only."""
    data = make_data(tmp_path, log)
    if fault == "eacces":
        (data / LOCK_FILE).touch()
    before = snapshot(data)
    entries = 2 if log == LOG else 0
    assert_one_clear_error(lsc_with_fault(tmp_path, *RECORD, fault=fault, arg=where), reason)
    assert_loads_unchanged(data, before, entries)
    check = lsc_with_fault(tmp_path, "check", fault=fault, arg=where)  # reading still works
    assert check.exit_code == 0, check.stdout + check.stderr
    assert snapshot(data) == before
    assert_recovers(tmp_path, data, entries)


def test_a_really_read_only_directory_when_not_root(tmp_path: Path) -> None:
    """With chmod, where it binds (not as root: root writes anyway, as the test checks)."""
    data = make_data(tmp_path)
    before = snapshot(data)
    for path in data.iterdir():
        path.chmod(0o444)
    data.chmod(0o555)
    try:
        result = lsc_with_fault(tmp_path, *RECORD)
    finally:
        data.chmod(0o755)
        for path in data.iterdir():
            path.chmod(0o644)
    if os.geteuid() == 0:  # chmod does not bind root: the record simply succeeds
        assert result.exit_code == 0, result.stderr
        return
    assert_one_clear_error(result, "cannot lock data/.actuals.yaml.lock: Permission denied")
    assert_loads_unchanged(data, before, 2)


# --- a log that is a directory, missing files ---------------------------------------------------


def test_an_actuals_file_that_is_a_directory(tmp_path: Path) -> None:
    data = make_data(tmp_path, None)
    (data / "actuals.yaml").mkdir()
    before = snapshot(data)
    check = lsc_with_fault(tmp_path, "check")
    assert check.exit_code == 1
    assert check.stdout == (
        "data/actuals.yaml:1:1: error: is a directory, expected a YAML file (file-unreadable)\n"
    )
    assert_one_clear_error(lsc_with_fault(tmp_path, *RECORD), "nothing was recorded")
    assert_one_clear_error(lsc_with_fault(tmp_path, "status"), "the data has 1 problem")
    assert snapshot(data) == before and list((data / "actuals.yaml").iterdir()) == []


GIB = 1 << 30


def _named_pipe(path: Path) -> None:
    os.mkfifo(path)


def _link_to_dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _sparse_2_gib(path: Path) -> None:
    with path.open("wb") as file:
        file.truncate(2 * GIB)  # a file of 2 GiB that takes no disk space


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_named_pipe, "not a regular file: it is a named pipe (FIFO); expected a YAML file"),
        (_link_to_dev_zero, "not a regular file: it is a device; expected a YAML file"),
        (_sparse_2_gib, "too big to read: 2 GiB, more than the 1 GiB this tool reads from one"),
    ],
    ids=["fifo", "dev-zero", "2-gib"],
)
def test_a_log_that_is_not_a_regular_file_or_is_huge(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    """One positioned message, exit 1, in a second, under a 1 GiB address-space limit: the
    log is never opened (a FIFO would hang the open; /dev/zero would fill memory), and no
    lock file is made beside the real log (in /dev)."""
    data = make_data(tmp_path, None)
    make(data / "actuals.yaml")
    before = sorted(p.name for p in data.iterdir())
    check = lsc_with_fault(tmp_path, "check", fault="memory", arg=str(GIB), timeout=20)
    assert check.exit_code == 1 and "Traceback" not in check.stderr, check.stderr
    assert check.stdout.startswith(f"data/actuals.yaml:1:1: error: {message}"), check.stdout
    assert check.stdout.count("\n") == 1 and check.stderr == "1 problem in 1 file\n"
    record = lsc_with_fault(tmp_path, *RECORD, fault="memory", arg=str(GIB), timeout=20)
    assert_one_clear_error(record, "nothing was recorded: the data has 1 problem")
    assert f"data/actuals.yaml:1:1: error: {message}" in record.stderr
    assert sorted(p.name for p in data.iterdir()) == before  # no lock file, nothing changed
    assert not Path("/dev/.actuals.yaml.lock").exists()


def test_a_lock_file_that_is_a_named_pipe(tmp_path: Path) -> None:
    """Readers do not wait on it (it is not a lock anyone can hold: writers refuse it)."""
    data = make_data(tmp_path)
    os.mkfifo(data / LOCK_FILE)
    check = lsc_with_fault(tmp_path, "check", timeout=20)
    assert check.exit_code == 0, check.stdout + check.stderr
    assert "2 actuals" in check.stderr
    status = lsc_with_fault(tmp_path, "status", "--format", "json", timeout=20)
    assert status.exit_code == 0, status.stderr
    record = lsc_with_fault(tmp_path, *RECORD, timeout=20)
    assert_one_clear_error(
        record, "cannot lock data/.actuals.yaml.lock: not a regular file: it is a named pipe"
    )
    assert (data / "actuals.yaml").read_text() == LOG


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_named_pipe, "not a regular file: it is a named pipe (FIFO); expected a file to import"),
        (_link_to_dev_zero, "not a regular file: it is a device; expected a file to import"),
        (_sparse_2_gib, "too big to read: 2 GiB, more than the 100 MiB this tool reads from"),
    ],
    ids=["fifo", "dev-zero", "2-gib"],
)
def test_an_import_file_that_is_not_a_regular_file_or_is_huge(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    data = make_data(tmp_path)
    make(tmp_path / "july.csv")
    before = snapshot(data)
    result = lsc_with_fault(
        tmp_path, "import", "july.csv", fault="memory", arg=str(GIB), timeout=20
    )
    assert_one_clear_error(result, f"july.csv: {message}")
    assert snapshot(data) == before


@pytest.mark.parametrize("missing", ["priorities.yaml", "places.yaml", "metrics.yaml"])
def test_a_missing_plan_file(tmp_path: Path, missing: str) -> None:
    data = make_data(tmp_path)
    (data / missing).unlink()
    before = snapshot(data)
    check = lsc_with_fault(tmp_path, "check")
    assert check.exit_code == 1
    first = check.stdout.splitlines()[0]
    assert first == f"data/{missing}:1:1: error: file not found (file-missing)"
    assert_one_clear_error(lsc_with_fault(tmp_path, *RECORD), "nothing was recorded")
    assert snapshot(data) == before
    _, problems = load(data)
    assert [(p.source.path, p.rule) for p in problems] == [(str(data / missing), "file-missing")]


def test_a_missing_data_directory(tmp_path: Path) -> None:
    check = lsc_with_fault(tmp_path, "check")
    assert check.exit_code == 1 and "Traceback" not in check.stderr
    assert check.stdout == "data:1:1: error: data directory does not exist (file-missing)\n"
    assert_one_clear_error(lsc_with_fault(tmp_path, *RECORD), "data directory data does not exist")
    assert not (tmp_path / "data").exists()


# --- a disk that fills up during the write ------------------------------------------------------


@pytest.mark.parametrize(
    ("log", "room", "reason"),
    [
        (LOG, 20, "No space left on device (short write)"),  # part of the line fits
        # not one byte fits (the log longer than the note in the lock file, which the same
        # limit binds and which is written first)
        (LOG + "# " + "x" * 400 + "\n", 0, "File too large"),
        (None, 50, "No space left on device (short write)"),  # creating the log
        ("# none yet\n[]\n", 30, "No space left on device (short write)"),  # rewriting []
    ],
    ids=["append-partial", "append-nothing", "create", "rewrite-empty-list"],
)
def test_a_disk_that_fills_up_during_the_write(
    tmp_path: Path, log: str | None, room: int, reason: str
) -> None:
    """RLIMIT_FSIZE in the real lsc process, just above the log's size: the write is cut
    short (or refused) as on a full disk, and what did land is taken back."""
    data = make_data(tmp_path, log)
    before = snapshot(data)
    size = len(log.encode()) if log is not None else 0
    result = lsc_with_fault(tmp_path, *RECORD, fault="fsize", arg=str(size + room))
    assert_one_clear_error(result, "cannot write data/actuals.yaml: " + reason, "nothing was")
    entries = 2 if log is not None and log.startswith(LOG) else 0
    if log is None:
        assert not (data / "actuals.yaml").exists() and snapshot(data) == before
    else:
        assert_loads_unchanged(data, before, entries)
    assert [p.name for p in data.iterdir() if p.name.endswith(".tmp")] == []
    assert_recovers(tmp_path, data, entries)


# --- writers killed with SIGKILL at random moments ---------------------------------------------

KILLS = 100
DIRECTORIES = 5  # each starts from a log holding just [], rewritten by the first append
BASE_DAY = date(2009, 4, 1)  # from the earliest plausible day for ooa-placements (issue 16)


def _note(index: int, length: int) -> str:
    """A note whose every character can be checked: a cut or mixed-up line shows."""
    return f"<{index}:" + "abcdefghij" * (length // 10) + f":{length}>"


def _build(plan_actuals: int, rng: random.Random) -> list[Actual]:
    """The next 1 to 3 entries, numbered on from what the log holds, some with long notes."""
    count = rng.randint(1, 3)
    return [
        Actual(
            metric="ooa-placements",
            date=BASE_DAY + timedelta(days=plan_actuals + k),
            value=float(plan_actuals + k),
            note=_note(plan_actuals + k, rng.choice([0, 100, 3000, 20000])),
            by="killed",
            recorded=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for k in range(count)
    ]


def _writer(data: Path, report: int, seed: int) -> None:  # pragma: no cover - in the child
    """Append in a loop until killed, saying on the pipe when each append starts and ends."""
    rng = random.Random(seed)
    try:
        while True:
            os.write(report, b"s\n")
            if rng.random() < 0.2:  # sometimes through the CLI, as a data owner would
                plan, _ = load(data)
                n = len(plan.actuals)
                day = (BASE_DAY + timedelta(days=n)).isoformat()
                note = _note(n, rng.choice([0, 100, 3000]))
                args = ["record", "ooa-placements", str(n), "--date", day]
                if lsc(data, *args, "--note", note, "--by", "killed").exit_code != 0:
                    os._exit(3)
                total = n + 1
            else:
                done = append_entries(
                    data, lambda plan: _build(len(plan.actuals), rng), today=date(2030, 1, 1)
                )
                total = len(done.actuals)
            os.write(report, b"d %d\n" % total)
    except BaseException:
        os._exit(4)


def _check_whole(data: Path) -> int:
    """The log loads with no problem, every entry is one whole line, and each is as built.

    The one problem allowed is the end of an append cut short by the kill, which readers
    leave out and say so (the next writer takes it back)."""
    plan, problems = load(data)
    unfinished = [p for p in problems if p.rule == "log-unfinished-append"]
    assert [p for p in problems if p not in unfinished] == [], [str(p) for p in problems]
    assert bool(unfinished) == _cut_short(data)
    doc = plan.documents.get("actuals")
    if doc is None:
        return 0
    assert len(doc.fast_entry_lines) == len(plan.actuals)  # no entry spread over lines
    for index, entry in enumerate(plan.actuals):
        assert entry.value == index and entry.date == BASE_DAY + timedelta(days=index)
        note = entry.note or ""
        length = int(note.rsplit(":", 1)[1].rstrip(">"))
        assert note == _note(index, length), f"entry {index} is not whole"
    return len(plan.actuals)


def _cut_short(data: Path) -> bool:
    """Whether the log ends with part of an append whose writer was killed mid-write."""
    log, journal = data / "actuals.yaml", data / LOCK_FILE
    if not log.exists() or not journal.exists():
        return False
    raw, info = log.read_bytes(), log.stat()
    return len(committed(raw, journal.read_bytes(), (info.st_dev, info.st_ino))) < len(raw)


def _kill_at_random(data: Path, rng: random.Random) -> tuple[int, bool]:
    """Fork a writer, kill it after a random moment; return the entries it said it wrote and
    whether it was in the middle of an append when killed."""
    read_end, write_end = os.pipe()
    seed = rng.randrange(1 << 30)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        _writer(data, write_end, seed)
        os._exit(0)
    os.close(write_end)
    time.sleep(rng.uniform(0.0, 0.06))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        said = pipe.read().decode().split()
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
    confirmed = max((int(n) for n in said if n.isdigit()), default=0)
    in_append = bool(said) and said[-1] == "s"
    return confirmed, in_append


def test_writers_killed_at_random_moments_leave_only_whole_entries(tmp_path: Path) -> None:
    rng = random.Random(20200630)
    directories = []
    for k in range(DIRECTORIES):
        data = make_data(tmp_path / f"run{k}", "# killed writers\n[]\n")
        directories.append(data)
    survived = mid_append = cut_writes = 0
    counts = {data: 0 for data in directories}
    for kill in range(KILLS):
        data = directories[kill * DIRECTORIES // KILLS]
        confirmed, in_append = _kill_at_random(data, rng)
        cut_writes += _cut_short(data)
        entries = _check_whole(data)
        assert entries >= confirmed, f"kill {kill}: {confirmed} written, {entries} in the log"
        assert entries >= counts[data]
        counts[data] = entries
        survived += 1
        mid_append += in_append
    for data in directories:  # a killed writer never holds the lock: the next one proceeds
        append_entries(data, lambda plan: _build(len(plan.actuals), rng), today=date(2030, 1, 1))
        assert _check_whole(data) > counts[data]
        assert not _cut_short(data)  # and it took back any part of an append cut short
        assert (data / "actuals.yaml").read_text().startswith("# killed writers\n- {")
        assert [p.name for p in data.iterdir() if p.name.endswith(".tmp")] == []
    total = sum(counts.values())
    assert mid_append >= KILLS // 4, f"only {mid_append} kills landed inside an append"
    report_figure(
        f"writer kills survived: {survived}/{KILLS} ({mid_append} in the middle of a record, "
        f"{cut_writes} cut a write short: hidden, then taken back), log always loads, "
        f"entries whole: {total}/{total}, entries lost: 0"
    )


def test_a_real_lsc_record_killed_at_random_moments(tmp_path: Path) -> None:
    """The installed CLI too: 10 processes killed while starting, checking or writing."""
    data = make_data(tmp_path)
    rng = random.Random(7)
    recorded = 0
    for k in range(10):
        day = (date(2019, 1, 1) + timedelta(days=k)).isoformat()
        args = ["record", "ooa-placements", str(k), "--date", day, "--note", "x" * 5000]
        child = subprocess.Popen(
            [sys.executable, "-m", "lsc_tracker", "--data", "data", *args],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 0.9))
        child.kill()
        child.wait()
        recorded += child.returncode == 0
        plan, problems = load(data)
        assert problems == []
        assert all(a.note in (None, "x" * 5000) for a in plan.actuals)
    assert len(plan.actuals) >= 2 + recorded
    assert_recovers(tmp_path, data, len(plan.actuals))


def _killed_mid_write(data: Path, entries: list[Actual]) -> None:
    """Append in a child that SIGKILLs itself halfway through writing the log: exactly what
    a kill can do to a write of more than a page."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            real = log_append.write_all_once

            def half_then_killed(fd: int, data_bytes: bytes) -> None:
                if data_bytes.startswith(PENDING_APPEND):  # the journal goes down whole
                    real(fd, data_bytes)
                    return
                os.write(fd, data_bytes[: len(data_bytes) // 2])
                os.kill(os.getpid(), signal.SIGKILL)

            log_append.write_all_once = half_then_killed
            append_entries(data, lambda plan: entries, today=date(2030, 1, 1))
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.mark.parametrize("log", [LOG, None], ids=["append", "create"])
def test_an_import_cut_short_by_a_kill_is_all_or_nothing(tmp_path: Path, log: str | None) -> None:
    """500 entries (about 60 kB, many pages) cut off halfway: readers count none of them and
    say so, and the next record takes back the part that landed, saving it, and says so."""
    data = make_data(tmp_path, log)
    before = (data / "actuals.yaml").read_bytes() if log else b""
    rows = [
        Actual("ooa-placements", date(2000, 1, 1) + timedelta(k), k, note="imported row " * 5)
        for k in range(500)
    ]
    _killed_mid_write(data, rows)
    raw = (data / "actuals.yaml").read_bytes()
    assert len(raw) > len(before) + 20_000  # tens of kilobytes of a cut-off batch landed
    entries = 2 if log else 0
    first_line = before.count(b"\n") + 1
    check = lsc_with_fault(tmp_path, "check")  # the installed CLI, as a reader: not silent about it
    assert check.exit_code == 1, check.stdout + check.stderr
    assert check.stdout.startswith(f"data/actuals.yaml:{first_line}:1: error: the log from here")
    assert f"({len(raw) - len(before):,} bytes)" in check.stdout
    assert "so it is not counted" in check.stdout and check.stdout.count("\n") == 1
    plan, problems = load(data)
    assert [p.rule for p in problems] == ["log-unfinished-append"]
    assert len(plan.actuals) == entries  # none of the cut-off import is counted

    record = lsc_with_fault(tmp_path, *RECORD)
    assert record.exit_code == 0, record.stderr
    [saved] = data.glob(".actuals.yaml.rolled-back-*")
    assert saved.read_bytes() == raw[len(before) :]  # every byte taken back is kept
    assert record.stderr.startswith(
        f"note: took back the end of data/actuals.yaml from line {first_line} "
        f"({len(raw) - len(before):,} bytes), part of an append that was stopped before it "
        f"finished; those bytes are saved in data/{saved.name}\n"
    )
    plan, problems = load(data)
    assert problems == [] and len(plan.actuals) == entries + 1
    after = (data / "actuals.yaml").read_bytes()
    assert after.startswith(before) and after.count(b"imported row") == 0
    assert (data / LOCK_FILE).read_bytes() == b""
