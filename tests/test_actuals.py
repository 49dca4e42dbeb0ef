"""The log writer: one line per entry, appends that never lose or corrupt anything."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import WritePlan, measures
from journal_reference import committed
from lsc_tracker import actuals
from lsc_tracker.actuals import DataNotValid, append_entries, entry_line
from lsc_tracker.applog import append as log_append
from lsc_tracker.applog import read as log_read
from lsc_tracker.applog.format import number_text
from lsc_tracker.applog.journal import PENDING_APPEND, PendingAppend
from lsc_tracker.applog.lock import LogNotWritable, locked
from lsc_tracker.applog.parse import parse_log
from lsc_tracker.files import FileBytes
from lsc_tracker.loader import load
from lsc_tracker.models import Actual, ActualEntry
from lsc_tracker.plan import ACTUALS, Plan
from lsc_tracker.problems import LscError

HEADER = ACTUALS.header

TODAY = date(2026, 1, 31)
NOW = datetime(2026, 1, 31, 10, 15, tzinfo=UTC)

PRIORITIES = [{"id": "P1", "title": "Test priority"}]
PLACES = [{"id": "lsc", "name": "Lancashire and South Cumbria"}]
METRIC_COUNT = 8
METRICS = measures(METRIC_COUNT, name="Metric", cadence="monthly")


@pytest.fixture
def data_dir(write_plan: WritePlan) -> Path:
    return write_plan(PRIORITIES, PLACES, METRICS)


def actual(
    metric: str = "m0", day: date = date(2020, 6, 30), value: float | str = 42, **more
) -> Actual:
    return Actual(metric=metric, date=day, value=value, **more)


def append(data_dir: Path, *entries: Actual) -> actuals.Appended:
    return append_entries(data_dir, lambda plan: list(entries), today=TODAY)


def loaded(data_dir: Path) -> Plan:
    plan, problems = load(data_dir, today=TODAY)
    assert problems == [], [str(p) for p in problems]
    return plan


def log_text(data_dir: Path) -> str:
    return (data_dir / "actuals.yaml").read_text(encoding="utf-8")


# --- the line format ------------------------------------------------------------------------


def test_an_entry_is_one_line_of_json_in_a_yaml_list() -> None:
    entry = actual(
        "ooa-placements",
        value=42.0,
        place="fylde-coast",
        note='June: "draft" # 1',
        by="jo",
        recorded=NOW,
        replaces=True,
    )
    assert entry_line(entry) == (
        '- {"metric": "ooa-placements", "date": "2020-06-30", "value": 42, "place": "fylde-coast", '
        '"note": "June: \\"draft\\" # 1", "by": "jo", "recorded": "2026-01-31T10:15:00Z", '
        '"replaces": true}'
    )
    assert (
        entry_line(actual(value="done"))
        == '- {"metric": "m0", "date": "2020-06-30", "value": "done"}'
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (42.0, "42"),
        (-0.0, "0"),
        (29.2, "29.2"),
        (1e-05, "1.0e-05"),
        (1e20, "1.0e+20"),
        (-2.5e-300, "-2.5e-300"),
    ],
)
def test_numbers_read_back_the_same_in_json_and_in_yaml(value: float, text: str) -> None:
    assert number_text(value) == text
    assert json.loads(text) == value
    assert yaml.safe_load(text) == value


def test_text_yaml_would_fold_or_refuse_is_escaped() -> None:
    line = entry_line(actual(note="a\x85b\u2028c\x7fd\ufeffe\uffff\x00\t"))
    assert not any(ch in line for ch in "\x85\u2028\x7f\ufeff\uffff\x00\t")
    assert yaml.safe_load(line)[0]["note"] == "a\x85b\u2028c\x7fd\ufeffe\uffff\x00\t"


def test_a_lone_surrogate_is_refused_not_written() -> None:
    with pytest.raises(LscError, match="not valid UTF-8"):
        entry_line(actual(note="bad \udcff"))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(note=st.text(min_size=1), by=st.text(min_size=1, max_size=40))
def test_any_text_round_trips_through_json_yaml_and_the_loader(note: str, by: str) -> None:
    entry = actual(note=note, by=by, recorded=NOW)
    line = entry_line(entry)
    assert "\n" not in line and "\r" not in line
    assert json.loads(line[2:])["note"] == note
    assert yaml.safe_load(line) == [json.loads(line[2:])]
    doc = parse_log(line + "\n", "actuals.yaml")
    assert doc.problems == []
    assert ActualEntry.model_validate(doc.data[0]).to_actual() == entry


@pytest.mark.parametrize("note", ["plain words", 'a "quoted": note', ":leading colon", "é" * 5000])
def test_long_and_awkward_notes_load_back_from_the_log(data_dir: Path, note: str) -> None:
    append(data_dir, actual(note=note + ' "x": ' * 300))
    [entry] = loaded(data_dir).actuals
    assert entry.note == note + ' "x": ' * 300


# --- where the first entry goes -------------------------------------------------------------


def test_a_missing_log_is_created_with_a_header(data_dir: Path) -> None:
    result = append(data_dir, actual(recorded=NOW))
    assert result.written
    assert log_text(data_dir) == HEADER + result.lines[0] + "\n"
    assert log_text(data_dir).startswith(
        "# yaml-language-server: $schema=../schemas/actuals.schema.json\n"
    )
    assert len(loaded(data_dir).actuals) == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "{line}\n"),
        ("\n\n", "\n\n{line}\n"),
        ("# only comments\n# here", "# only comments\n# here\n{line}\n"),
        ("# schema line\n# why empty\n[]\n", "# schema line\n# why empty\n{line}\n"),
        ("# header\n[]  # none yet\n# footer\n", "# header\n# none yet\n{line}\n# footer\n"),
        ("[]", "{line}\n"),
        ("# crlf\r\n[]\r\n", "# crlf\r\n{line}\r\n"),
        ("---\n[]\n", "---\n{line}\n"),
        ("--- []\n", "---\n{line}\n"),
        ("# c\r\n--- [] # none yet\r\n", "# c\r\n---\r\n# none yet\r\n{line}\r\n"),
        ("null\n", "{line}\n"),
        ("# nothing yet\n~\n# end\n", "# nothing yet\n{line}\n# end\n"),
        ("--- null  # none\n", "---\n# none\n{line}\n"),
        ("---\n", "---\n{line}\n"),
        ("%YAML 1.1\n---\n", "%YAML 1.1\n---\n{line}\n"),
        (
            "# crlf\r\n- {metric: m1, date: 2020-01-31, value: 1}\r\n",
            "# crlf\r\n- {metric: m1, date: 2020-01-31, value: 1}\r\n{line}\r\n",
        ),
        (
            "- metric: m1\n  date: 2020-01-31\n  value: 1",
            "- metric: m1\n  date: 2020-01-31\n  value: 1\n{line}\n",
        ),
    ],
)
def test_an_empty_log_starts_its_list_and_keeps_its_comments(
    data_dir: Path, before: str, after: str
) -> None:
    (data_dir / "actuals.yaml").write_bytes(before.encode())
    line = append(data_dir, actual()).lines[0]
    assert (data_dir / "actuals.yaml").read_bytes() == after.replace("{line}", line).encode()
    assert loaded(data_dir).actuals[-1] == actual()


def test_a_bom_and_the_file_mode_survive_the_rewrite_of_an_empty_list(data_dir: Path) -> None:
    path = data_dir / "actuals.yaml"
    path.write_bytes(b"\xef\xbb\xbf# c\n[]\n")
    path.chmod(0o640)
    line = append(data_dir, actual()).lines[0]
    assert path.read_bytes() == b"\xef\xbb\xbf# c\n" + line.encode() + b"\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".")) == [
        ".actuals.yaml.lock"
    ]


def test_a_temporary_file_left_by_a_killed_rewrite_is_cleared_and_ignored(data_dir: Path) -> None:
    (data_dir / "actuals.yaml").write_text("[]\n")
    (data_dir / ".actuals.yaml.x1y2.tmp").write_text("- {half an entry")
    append(data_dir, actual())
    assert sorted(p.name for p in data_dir.iterdir()) == [
        ".actuals.yaml.lock",
        "actuals.yaml",
        "metrics.yaml",
        "places.yaml",
        "priorities.yaml",
    ]


def test_appending_never_rewrites_what_is_there(data_dir: Path) -> None:
    hand_written = (
        "# yaml-language-server: $schema=../schemas/actuals.schema.json\n"
        "- metric: m1   # odd spacing, kept\n"
        "  date: 2020-01-31\n"
        "  value: 1\n"
        "\n"
        "# a comment between entries\n"
        "- {metric: m1, date: 2020-02-29, value: 2.50}\n"
    )
    (data_dir / "actuals.yaml").write_text(hand_written)
    lines = append(data_dir, actual(day=date(2020, 3, 31)), actual(day=date(2020, 4, 30))).lines
    assert log_text(data_dir) == hand_written + lines[0] + "\n" + lines[1] + "\n"
    assert [a.value for a in loaded(data_dir).actuals] == [1, 2.5, 42, 42]


@pytest.mark.parametrize(
    ("log", "message"),
    [
        ("[]\n...\n", "line 2 is '...', the end of its YAML document, after which nothing"),
        ("# c\n--- # x\n...\n", "line 3 is '...', the end of its YAML document"),
        ("- {metric: m1, date: 2020-01-31, value: 1}\n...\n", "line 2 is '...'"),
        (
            "  - metric: m1\n    date: 2020-01-31\n    value: 1\n",
            "holds its entries indented (line 1), but each entry 'lsc record' adds starts at "
            "the left margin",
        ),
        ("[\n]\n", "is laid out so that entries added to it would not read back"),
    ],
)
def test_a_log_that_nothing_can_be_appended_to_is_refused_with_how_to_fix_it(
    data_dir: Path, log: str, message: str
) -> None:
    """Each of these is one valid YAML list that `lsc check` passes, but a line added at its
    end would break it: refused before anything is written, saying what to change."""
    (data_dir / "actuals.yaml").write_text(log)
    loaded(data_dir)  # valid as it is
    with pytest.raises(LscError, match="then record again") as caught:
        append(data_dir, actual())
    assert message in str(caught.value)
    assert log_text(data_dir) == log


def test_a_flow_list_with_entries_is_not_appended_to(data_dir: Path) -> None:
    (data_dir / "actuals.yaml").write_text("[{metric: m1, date: 2020-01-31, value: 1}]\n")
    with pytest.raises(LscError, match=r"one '\[\.\.\.\]' list, which cannot be appended to"):
        append(data_dir, actual())
    assert log_text(data_dir) == "[{metric: m1, date: 2020-01-31, value: 1}]\n"


# --- refusals change nothing ----------------------------------------------------------------


def test_data_with_problems_is_not_appended_to(data_dir: Path) -> None:
    (data_dir / "actuals.yaml").write_text("- {metric: m9, date: 2020-01-31, value: 1}\n")
    with pytest.raises(DataNotValid) as caught:
        append(data_dir, actual())
    assert "nothing was recorded: the data has 1 problem" in str(caught.value)
    assert [p.rule for p in caught.value.problems] == ["unknown-metric"]
    assert log_text(data_dir) == "- {metric: m9, date: 2020-01-31, value: 1}\n"


def test_a_log_cut_off_by_a_crash_is_refused_with_how_to_mend_it(data_dir: Path) -> None:
    whole = entry_line(actual(day=date(2020, 1, 31))) + "\n"
    cut = whole + entry_line(actual(day=date(2020, 2, 29)))[:40]
    (data_dir / "actuals.yaml").write_text(cut)
    with pytest.raises(DataNotValid) as caught:
        append(data_dir, actual())
    assert str(caught.value) == (
        f"{data_dir}/actuals.yaml line 2 holds an entry cut off by a crash, so nothing was "
        "recorded: delete or repair that line (run 'lsc check' to see it), then record that "
        "value again"
    )
    assert log_text(data_dir) == cut


def test_refusals_from_make_entries_write_nothing(data_dir: Path) -> None:
    (data_dir / "actuals.yaml").write_text("[]\n")

    def refuse(plan: Plan) -> list[Actual]:
        raise LscError("no")

    with pytest.raises(LscError, match="no"):
        append_entries(data_dir, refuse, today=TODAY)
    assert log_text(data_dir) == "[]\n"


def test_a_line_the_loader_would_not_read_back_is_never_written(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actuals, "entry_line", lambda a: '- {"metric": "m0", "date": "2020-06-30"}')
    with pytest.raises(LscError, match="would not read back"):
        append(data_dir, actual())
    assert not (data_dir / "actuals.yaml").exists()


@pytest.mark.parametrize(
    "start", [None, "# c\n[]\n", "# c\n- {metric: m1, date: 2020-01-31, value: 1}"]
)
def test_a_failed_write_leaves_the_log_as_it_was(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, start: str | None
) -> None:
    path = data_dir / "actuals.yaml"
    if start is not None:
        path.write_text(start)

    def half_then_disk_full(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(log_append, "write_all_once", half_then_disk_full)
    with pytest.raises(
        LogNotWritable, match=r"cannot write .*actuals\.yaml: No space left on device"
    ):
        append(data_dir, actual(), actual(day=date(2020, 7, 31)))
    assert (path.read_text() if path.exists() else None) == start
    assert [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_a_directory_that_cannot_hold_a_lock_is_one_clear_error(data_dir: Path) -> None:
    (data_dir / ".actuals.yaml.lock").mkdir()
    with pytest.raises(LogNotWritable, match=r"cannot lock .*: Is a directory"):
        append(data_dir, actual())
    with pytest.raises(LscError, match=r"data directory .*nope does not exist"):
        append_entries(data_dir / "nope", lambda plan: [], today=TODAY)


def test_a_writer_waiting_for_the_lock_gives_up_with_a_message(data_dir: Path) -> None:
    with locked(ACTUALS, data_dir):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                append_entries(data_dir, lambda plan: [actual()], today=TODAY, lock_timeout=0.2)
            except LogNotWritable as error:
                os._exit(0 if "try again" in str(error) else 2)
            os._exit(1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not (data_dir / "actuals.yaml").exists()


# --- the journal of an append, and the lock -----------------------------------------------


def _append_leaving_the_journal(data_dir: Path, monkeypatch: pytest.MonkeyPatch, *entries: Actual):
    """Append as a writer killed between its fsync and emptying the journal would: the
    entries are all there, and so is the note about them."""
    with monkeypatch.context() as patched:
        patched.setattr(log_append, "clear_journal", lambda lock: None)
        append(data_dir, *entries)
    assert (data_dir / ".actuals.yaml.lock").read_bytes().startswith(PENDING_APPEND)


IMPORTED = [actual(day=date(2020, month, 28), note=f"row {month}") for month in (1, 2, 3)]


def test_a_journal_left_behind_hides_nothing_once_the_log_is_replaced(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sed -i '$d'`` deletes the last row of a three-row import by writing a new file: a
    note left behind about that import is about another file now, and hides nothing."""
    _append_leaving_the_journal(data_dir, monkeypatch, *IMPORTED)
    path = data_dir / "actuals.yaml"
    edited = path.read_text().removesuffix(entry_line(IMPORTED[2]) + "\n")
    temp = data_dir / "sed-tmp"
    temp.write_text(edited)
    temp.replace(path)  # what sed -i does
    assert [a.note for a in loaded(data_dir).actuals] == ["row 1", "row 2"]
    append(data_dir, actual(day=date(2020, 4, 30)))
    assert [a.note for a in loaded(data_dir).actuals] == ["row 1", "row 2", None]
    assert list(data_dir.glob(".actuals.yaml.rolled-back-*")) == []


def test_a_log_edited_in_place_to_end_inside_an_append_is_not_silently_cut(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Edited in place (same file), the log ends inside the bytes a note left behind
    describes: readers say they leave them out, and the writer that takes them back saves
    them first, and says where."""
    path = data_dir / "actuals.yaml"
    path.write_text(HEADER)
    _append_leaving_the_journal(data_dir, monkeypatch, *IMPORTED)
    kept = path.read_text().removesuffix(entry_line(IMPORTED[2]) + "\n")
    with path.open("r+") as log:  # the same inode, as `truncate` or an in-place editor leaves it
        log.truncate(len(kept.encode()))
    plan, problems = load(data_dir, today=TODAY)
    assert plan.actuals == []  # the two rows left could be the start of an unfinished append
    [problem] = problems
    assert (problem.rule, problem.source.line, problem.source.column) == (
        "log-unfinished-append",
        len(HEADER.splitlines()) + 1,
        1,
    )
    assert "so it is not counted" in problem.message
    assert "empty " + str(data_dir / ".actuals.yaml.lock") + " instead" in problem.message

    notes: list[str] = []
    result = append_entries(
        data_dir, lambda plan: [actual(day=date(2020, 4, 30))], today=TODAY, notify=notes.append
    )
    [saved] = data_dir.glob(".actuals.yaml.rolled-back-*")
    assert saved.read_text() == kept.removeprefix(HEADER)  # the two rows, kept
    assert result.rolled_back is not None and notes == [result.rolled_back.message]
    assert notes[0] == (
        f"note: took back the end of {data_dir}/actuals.yaml from line 5 ({saved.stat().st_size}"
        " bytes), part of an append that was stopped before it finished; those bytes are saved "
        f"in {data_dir}/{saved.name}"
    )
    assert log_text(data_dir) == HEADER + result.lines[0] + "\n"
    assert (data_dir / ".actuals.yaml.lock").read_bytes() == b""
    # by default the note goes to stderr, even for a record that is then refused
    _append_leaving_the_journal(data_dir, monkeypatch, actual(day=date(2020, 5, 31)), actual())
    with path.open("r+") as log:
        log.truncate(len(log_text(data_dir).encode()) - 10)
    capsys.readouterr()
    with pytest.raises(LscError, match="no"):
        append_entries(data_dir, lambda plan: (_ for _ in ()).throw(LscError("no")), today=TODAY)
    assert capsys.readouterr().err.startswith(f"note: took back the end of {data_dir}/actuals")
    assert len(list(data_dir.glob(".actuals.yaml.rolled-back-*"))) == 2


def test_emptying_the_journal_is_synced_to_disk(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut after an unsynced truncate could bring the note back."""
    synced: list[tuple[str, int]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append((os.path.basename(os.readlink(f"/proc/self/fd/{fd}")), os.fstat(fd).st_size))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    append(data_dir, actual())
    append(data_dir, actual(day=date(2020, 7, 31)))
    journal_syncs = [size for name, size in synced if name == ".actuals.yaml.lock"]
    assert journal_syncs[-1] == 0 and journal_syncs.count(0) == 2, synced


def test_the_journal_names_the_file_it_is_about(data_dir: Path) -> None:
    path = data_dir / "actuals.yaml"
    path.write_bytes(b"# head\n")
    with path.open("rb") as log:
        pending = PendingAppend.for_log(log.fileno(), 7, b"- {x}\n")
    info = path.stat()
    assert PendingAppend.from_journal(pending.journal()) == pending
    raw = b"# head\n- {"
    identity = (info.st_dev, info.st_ino)
    assert committed(raw, pending.journal(), identity) == b"# head\n"
    assert committed(raw, pending.journal(), identity, pending.birth) == b"# head\n"
    assert committed(raw, pending.journal(), (info.st_dev, info.st_ino + 1)) == raw
    assert committed(raw, pending.journal(), identity, pending.birth + 1) == raw  # a new file
    assert committed(b"# HEAD\n- {", pending.journal(), identity) == b"# HEAD\n- {"  # edited
    old_style = PENDING_APPEND + b"7 6\n- {x}\n"  # from before notes named their file
    assert committed(raw, old_style, identity) == raw
    older = PENDING_APPEND + b"7 6 %d %d\n- {x}\n" % identity  # before they held its content
    assert committed(raw, older, identity) == raw


def test_data_directories_sharing_one_log_share_its_lock(
    tmp_path: Path, write_plan: WritePlan
) -> None:
    """The lock is beside the real log: a writer through one link waits for a writer through
    another, instead of both appending at once."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "actuals.yaml").write_text("# shared\n")
    first = write_plan(PRIORITIES, PLACES, METRICS, directory="first")
    second = write_plan(PRIORITIES, PLACES, METRICS, directory="second")
    (first / "actuals.yaml").symlink_to(shared / "actuals.yaml")
    (second / "actuals.yaml").symlink_to("../shared/actuals.yaml")
    with locked(ACTUALS, first) as lock:
        assert lock.path == shared / ".actuals.yaml.lock"
        with pytest.raises(LogNotWritable, match="for over 0 s; nothing was recorded"):
            append_entries(second, lambda plan: [actual()], today=TODAY, lock_timeout=0.2)
    append(second, actual())
    assert len(loaded(first).actuals) == 1
    assert sorted(p.name for p in shared.iterdir()) == [".actuals.yaml.lock", "actuals.yaml"]
    assert not (first / ".actuals.yaml.lock").exists()
    assert not (second / ".actuals.yaml.lock").exists()


def test_a_reader_that_found_no_lock_file_reads_again_if_a_writer_began(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a fresh clone there is no lock file until the first writer creates it. A reader
    that found none, and during whose read a first writer began an append, must not take
    the half-written append for the log."""
    path = data_dir / "actuals.yaml"
    path.write_text(entry_line(actual(day=date(2020, 1, 31))) + "\n")
    payload = ("".join(entry_line(a) + "\n" for a in IMPORTED)).encode()
    real_read = log_read.read_regular
    calls = []

    def read_while_a_first_writer_begins(file: Path, limit: int) -> FileBytes:
        if file != path:
            return real_read(file, limit)
        if not calls:  # the writer creates the lock, notes its append, and half of it lands
            with path.open("rb") as log:
                pending = PendingAppend.for_log(log.fileno(), path.stat().st_size, payload)
            (data_dir / ".actuals.yaml.lock").write_bytes(pending.journal())
            with path.open("ab") as log:
                log.write(payload[: len(payload) // 2])
        calls.append(file)
        return real_read(file, limit)

    monkeypatch.setattr(log_read, "read_regular", read_while_a_first_writer_begins)
    plan, problems = load(data_dir, today=TODAY)
    assert [p.rule for p in problems] == ["log-unfinished-append"]
    assert [a.date for a in plan.actuals] == [date(2020, 1, 31)]
    assert len(calls) == 2  # read again, under the lock


def test_readers_create_no_file(data_dir: Path) -> None:
    (data_dir / "actuals.yaml").write_text("[]\n")
    before = sorted(p.name for p in data_dir.iterdir())
    loaded(data_dir)
    assert sorted(p.name for p in data_dir.iterdir()) == before


# --- many writers, and writers killed mid-way -------------------------------------------------

RECORDER = textwrap.dedent(
    """
    import sys
    from datetime import date, timedelta
    from typer.testing import CliRunner
    from lsc_tracker.cli import app

    data, metric, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    runner = CliRunner()
    for i in range(count):
        day = (date(2020, 1, 1) + timedelta(days=i)).isoformat()
        args = ["--data", data, "record", metric, str(i), "--date", day, "--by", metric]
        result = runner.invoke(app, args)
        if result.exit_code != 0:
            sys.exit(f"{metric} {i}: {result.output}")
    """
)


@pytest.mark.slow
def test_eight_processes_recording_at_once_lose_nothing(data_dir: Path) -> None:
    per_process = 50
    children = [
        subprocess.Popen(
            [sys.executable, "-c", RECORDER, str(data_dir), f"m{k}", str(per_process)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(METRIC_COUNT)
    ]
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [child.returncode for child in children] == [0] * METRIC_COUNT, errors
    plan, problems = load(data_dir)
    assert problems == []
    keys = [(a.metric, a.date) for a in plan.actuals]
    assert len(keys) == METRIC_COUNT * per_process == len(set(keys))
    for k in range(METRIC_COUNT):  # each process's entries are all there, in its order
        mine = [a.value for a in plan.actuals if a.metric == f"m{k}"]
        assert mine == [float(i) for i in range(per_process)]
    assert all(line.startswith(("#", "- {")) for line in log_text(data_dir).splitlines())


APPENDER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, date, datetime, timedelta
    from lsc_tracker.actuals import append_entries
    from lsc_tracker.models import Actual

    data = sys.argv[1]
    note = "x" * 3000 + " end"

    def make(plan):
        start = date(2000, 1, 1) + timedelta(days=len(plan.actuals))
        return [
            Actual(metric="m0", date=start + timedelta(days=i), value=i, note=note,
                   recorded=datetime.now(UTC).replace(microsecond=0))
            for i in range(1 + len(plan.actuals) % 3)
        ]

    while True:
        append_entries(data, make, today=date(2030, 1, 1))
        print("appended", flush=True)
    """
)


@pytest.mark.slow
def test_a_writer_killed_mid_append_leaves_only_whole_entries(data_dir: Path) -> None:
    (data_dir / "actuals.yaml").write_text("# killed writers\n[]\n")
    rng = random.Random(20200630)
    counts = []
    for _ in range(6):
        child = subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(data_dir)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        assert child.stdout.readline() == "appended\n"  # it is in its loop of appends
        time.sleep(rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        plan, problems = load(data_dir)
        assert problems == []
        doc = plan.documents["actuals"]
        assert len(doc.fast_entry_lines) == len(plan.actuals)  # every entry a whole line
        assert all(a.note == "x" * 3000 + " end" for a in plan.actuals)
        counts.append(len(plan.actuals))
    assert counts == sorted(counts) and counts[0] > 0
    assert log_text(data_dir).startswith("# killed writers\n- {")


def test_dates_are_checked_against_today_passed_in(data_dir: Path) -> None:
    future = actual(day=TODAY + timedelta(days=1))
    (data_dir / "actuals.yaml").write_text(entry_line(future) + "\n")
    with pytest.raises(DataNotValid) as caught:
        append(data_dir, actual())
    assert [p.rule for p in caught.value.problems] == ["future-actual"]
