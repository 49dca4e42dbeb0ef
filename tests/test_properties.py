"""Property-based tests (hypothesis) across the whole tool.

* Random and mutated data directories, through the loader and the CLI, never give anything
  but the tool's own problems: no exception, every problem at a real position in a real file,
  on one short line; a refused ``lsc record`` changes no byte, an accepted one only appends.
* A value written wrong at a random place in a generated plan is reported at that line.
* The status engine's invariants that tests/test_status.py does not already cover: the order
  of entries with different dates or places does not matter; a better value at one place
  never makes that place or the metric's roll-up worse; recording a milestone done never
  makes it worse; and, through the CLI, ``--as-of D`` gives exactly what a log holding only
  the entries up to D gives.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import SHIPPED_DATA, lsc, plan_files
from lsc_tracker.actuals import entry_line
from lsc_tracker.loader import load
from lsc_tracker.models import Actual, Metric
from lsc_tracker.plan import FILE_NAMES
from lsc_tracker.problems import Problem
from lsc_tracker.status import STATUS_ORDER, assess_metric

pytestmark = pytest.mark.slow  # hypothesis: hundreds of examples a test

TODAY = date(2026, 1, 31)
SMALL_LOG = (
    "# actuals\n"
    '- {"metric": "ooa-placements", "date": "2020-01-31", "value": 101, "by": "jo"}\n'
    "- metric: ccg-configuration\n  date: 2020-04-28\n  value: done\n  note: by hand\n"
    '- {"metric": "ooa-placements", "date": "2020-02-29", "value": 99, "note": "a: #b"}\n'
)
SMALL_PLAN = plan_files(actuals=SMALL_LOG)  # conftest's small plan and this log


@contextmanager
def data_dir(files: dict[str, bytes]) -> Iterator[Path]:
    """A fresh data directory per example (hypothesis runs many in one test)."""
    root = Path(tempfile.mkdtemp(prefix="lsc-prop-"))
    try:
        data = root / "data"
        data.mkdir()
        for name, content in files.items():
            (data / name).write_bytes(content)
        yield data
    finally:
        shutil.rmtree(root, ignore_errors=True)


def file_hashes(data: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in data.iterdir()
        if p.is_file() and p.name != ".actuals.yaml.lock"
    }


def assert_only_problems(data: Path, problems: list[Problem]) -> None:
    """Every problem is the tool's own: in one of the files, at a position the file has."""
    for problem in problems:
        assert isinstance(problem, Problem)
        path = Path(problem.source.path)
        assert path == data or (path.parent == data and path.name in FILE_NAMES), problem
        assert "\n" not in problem.message and len(problem.message) <= 500, problem
        assert problem.source.line >= 1 and problem.source.column >= 1, problem
        if path.is_file():  # a real line of the file, a column of that line or just past it
            raw = path.read_bytes()
            lines = raw.decode("utf-8", "replace").removeprefix("\ufeff").split("\n")
            assert problem.source.line <= len(lines), problem
            if problem.rule != "file-encoding":  # whose column counts bytes: no characters yet
                assert problem.source.column <= len(lines[problem.source.line - 1]) + 1, problem


# --- random and mutated data directories ------------------------------------------------------

SNIPPETS = [
    "&a ", "*a", "!!python/object:os.system ", "!!binary ", "\t", "\x00", "\x85", "\u2028",
    "<<: ", "? ", "---\n", "...\n", "{", "}", "[", "]", "'", '"', "%YAML 1.1\n", "#", ": ",
    "- ", "\n  ", "NO", "on", "~", "null", "1:30", "0777", "1e400", ".nan", "2021-02-30",
    "\ufeff", "\r\n", "\\ud800", '"\\ud800"', "9" * 400, "x" * 3000,
]  # fmt: skip


def _base(which: str) -> dict[str, bytes]:
    if which == "shipped":
        return {p.name: p.read_bytes() for p in SHIPPED_DATA.glob("*.yaml")}
    return {name: text.encode() for name, text in SMALL_PLAN.items()}


@st.composite
def mutated_directories(draw: st.DrawFn) -> dict[str, bytes]:
    files = _base(draw(st.sampled_from(["small", "small", "shipped"])))
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files)))
        content = files[name]
        at = draw(st.integers(0, len(content)))
        operation = draw(st.sampled_from(["insert", "delete", "snippet", "lines", "cut", "bytes"]))
        if operation == "insert":
            content = content[:at] + draw(st.binary(min_size=1, max_size=8)) + content[at:]
        elif operation == "delete":
            content = content[:at] + content[at + draw(st.integers(1, 40)) :]
        elif operation == "snippet":
            content = content[:at] + draw(st.sampled_from(SNIPPETS)).encode() + content[at:]
        elif operation == "cut":
            content = content[:at]
        elif operation == "bytes":
            content = draw(st.binary(max_size=200))
        else:  # duplicate or swap whole lines
            lines = content.split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if draw(st.booleans()):
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            content = b"\n".join(lines)
        files[name] = content
    return files


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=mutated_directories())
def test_mutated_data_directories_only_ever_give_problems(files: dict[str, bytes]) -> None:
    with data_dir(files) as data:
        _, problems = load(data, today=TODAY)
        assert_only_problems(data, problems)
        event("valid" if not problems else f"problem: {problems[0].rule}")


# Logs with no entry yet whose one value line the first entries replace (comments kept).
EMPTY_VALUE_LOGS = [
    "[]\n", "# c\n[]  # none yet\n", "\ufeff# bom\n[]\n", "[]", "---\n[]\n", "--- []\n",
    "# c\r\n--- [] # none\r\n", "null\n", "~\n", "# c\n--- null\n# end\n",
]  # fmt: skip
LOG_STARTS = [
    None, "", "# c\n", "---\n", "%YAML 1.1\n---\n", *EMPTY_VALUE_LOGS, SMALL_LOG,
    SMALL_LOG.rstrip("\n"), SMALL_LOG.replace("\n", "\r\n"), "\ufeff" + SMALL_LOG,
    SMALL_LOG + "\n\n# trailing comment", "---\n" + SMALL_LOG, "--- # top\n" + SMALL_LOG,
]  # fmt: skip
# Valid logs that nothing can be appended to without breaking them: record refuses, saying
# how to fix the layout, and changes nothing.
HAND_WRITTEN = "- metric: ccg-configuration\n  date: 2020-04-28\n  value: done\n"
UNAPPENDABLE_LOGS = {
    "[]\n...\n": "line 2 is '...', the end of its YAML document",
    "--- # x\n...\n": "line 2 is '...', the end of its YAML document",
    HAND_WRITTEN + "...\n# end\n": "line 4 is '...'",
    HAND_WRITTEN.replace("- ", "  - ").replace("\n  ", "\n    "): "indented (line 1)",
    "# c\n---\n  - {metric: ooa-placements, date: 2020-04-28, value: 1}\n": "indented (line 3)",
    "[{metric: ccg-configuration, date: 2020-04-28, value: done}]\n": "as one '[...]' list",
    "[\n]\n": "would not read back (a '[...]' list cannot be mixed with '- ' entries",
}


@st.composite
def valid_directories(draw: st.DrawFn) -> dict[str, bytes]:
    """Small plans whose log is valid but laid out in every way a person might leave it."""
    files = _base("small")
    start = draw(st.sampled_from(LOG_STARTS))
    if start is None:
        files.pop("actuals.yaml")
        return files
    notes = draw(st.lists(st.text(max_size=30), max_size=3))
    extra = "".join(
        entry_line(Actual("ooa-placements", date(2019, 1, 1) + timedelta(k), k, note=n or None))
        + "\n"
        for k, n in enumerate(notes)
    )
    if start.endswith("\n") and start not in EMPTY_VALUE_LOGS:  # more tool lines may follow
        start += extra
    files["actuals.yaml"] = start.encode()
    return files


def _holds_no_entry_but_a_value(log: bytes) -> bool:
    """A log of just ``[]`` or a null, and comments: its value line is rewritten."""
    values = [
        line.strip()
        for line in log.removeprefix(b"\xef\xbb\xbf").splitlines()
        if line.strip() and not line.strip().startswith((b"#", b"%")) and line.strip() != b"---"
    ]
    return len(values) == 1 and (b"[" in values[0] or values[0].split(b"#")[0].strip() in (
        b"null", b"Null", b"NULL", b"~", b"--- null", b"--- ~",
    ))  # fmt: skip


def record_and_check(files: dict[str, bytes], note: str) -> int:
    """Run ``lsc record`` on the files; a refusal changes no byte, an acceptance appends one
    entry and keeps every byte that was there (a log of just ``[]`` or ``null`` keeps its
    comments)."""
    with data_dir(files) as data:
        _, problems = load(data)
        before = file_hashes(data)
        old_log = files.get("actuals.yaml", b"")
        args = ["record", "ooa-placements", "42", "--date", "2020-06-30"]
        result = lsc(data, *args, "--note", note, "--by", "hypothesis")  # fails on an exception
        assert result.exit_code in (0, 1), result.output
        event(f"record exit {result.exit_code}")
        if result.exit_code == 1:
            assert file_hashes(data) == before  # refused: not one byte changed
            return 1
        assert problems == []  # recording is refused while the data has any problem
        after = file_hashes(data)
        assert {k for k in after if after[k] != before.get(k)} == {"actuals.yaml"}
        log = (data / "actuals.yaml").read_bytes()
        plan, problems = load(data)
        assert problems == [] and plan.actuals[-1].note == (note or None)
        if len(plan.actuals) == 1 and _holds_no_entry_but_a_value(old_log):  # rewritten...
            kept = [line for line in old_log.splitlines() if line.lstrip().startswith(b"#")]
            assert [line for line in log.splitlines() if line in kept] == kept  # ...comments kept
        else:
            assert log.startswith(old_log.rstrip(b"\n")), "the log was rewritten"
        return 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=mutated_directories(), note=st.text(max_size=40))
def test_record_on_mutated_data_refuses_without_a_trace_or_only_appends(
    files: dict[str, bytes], note: str
) -> None:
    record_and_check(files, note)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=valid_directories(), note=st.text(max_size=40))
def test_record_on_any_valid_log_layout_succeeds_and_only_appends(
    files: dict[str, bytes], note: str
) -> None:
    assert record_and_check(files, note) == 0


@pytest.mark.parametrize("log", sorted(UNAPPENDABLE_LOGS))
def test_record_refuses_a_valid_log_it_cannot_append_to_and_says_how_to_fix_it(log: str) -> None:
    files = _base("small") | {"actuals.yaml": log.encode()}
    with data_dir(files) as data:
        _, problems = load(data)
        assert problems == []  # a valid log: lsc check passes
        before = file_hashes(data)
        result = lsc(data, "record", "ooa-placements", "42", "--date", "2020-06-30")
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        [error] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert UNAPPENDABLE_LOGS[log] in error and "then record again" in error, error
        assert file_hashes(data) == before


plain_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates().map(str),
    st.sampled_from(["P3", "ooa-placements", "measure", "milestone", "done", "-50%", "lsc"]),
)
schema_keys = st.sampled_from(
    [
        "priorities", "places", "metrics", "id", "title", "name", "priority", "kind",
        "direction", "targets", "by", "value", "change", "baseline", "date", "due", "places",
        "parent", "population", "metric", "place", "note", "replaces", "spc", "version",
    ]
)  # fmt: skip
documents = st.recursive(
    plain_values,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(schema_keys | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(FILE_NAMES), document=documents, flow=st.booleans())
def test_random_yaml_documents_in_any_file_only_give_problems(
    target: str, document: Any, flow: bool
) -> None:
    files = _base("small")
    files[target] = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True).encode()
    with data_dir(files) as data:
        _, problems = load(data, today=date.today())  # as check does
        assert_only_problems(data, problems)
        event("valid" if not problems else f"problem: {problems[0].rule}")
        result = lsc(data, "check", "--format", "json")  # fails on an exception
        assert result.exit_code == (1 if problems else 0), result.output


# --- positions: a wrong value is reported at its line -------------------------------------------

BAD_VALUES = {
    "due": ("2021-02-30", "not a real date"),
    "priority": ("P 3", "is not a priority id"),
    "kind": ("yes", "expected measure or milestone, got 'yes'"),
    "name": ("[a, b]", "expected text"),
    "owner": ("{a: 1}", "expected text"),
}


@settings(max_examples=60, deadline=None)
@given(count=st.integers(1, 40), data=st.data())
def test_a_wrong_value_anywhere_is_reported_at_its_line(count: int, data: st.DataObject) -> None:
    lines = ["metrics:"]
    bad = data.draw(st.integers(0, count - 1))
    field = data.draw(st.sampled_from(sorted(BAD_VALUES)))
    value, message = BAD_VALUES[field]
    for k in range(count):
        item = {
            "id": f"m{k}",
            "priority": "P3",
            "name": f"Metric {k}",
            "kind": "milestone",
            "due": "2020-04-30",
            "owner": "jo",
        }
        order = data.draw(st.permutations(sorted(item))) if k == bad else sorted(item)
        for position, key in enumerate(order):
            text = value if (k == bad and key == field) else item[key]
            lines.append(f"  {'- ' if position == 0 else '  '}{key}: {text}")
            if k == bad and key == field:
                expected_line = len(lines)
                expected_column = len(f"  {'- ' if position == 0 else '  '}{key}: ") + 1
    files = _base("small")
    files["metrics.yaml"] = ("\n".join(lines) + "\n").encode()
    files.pop("actuals.yaml")
    with data_dir(files) as d:
        _, problems = load(d, today=TODAY)
    assert [(p.source.line, p.source.column) for p in problems] == [
        (expected_line, expected_column)
    ], [str(p) for p in problems]
    assert message in problems[0].message


# --- the status engine ----------------------------------------------------------------------------

EPOCH = date(2019, 1, 1)
PLACE_IDS = ("fylde-coast", "morecambe-bay")
days = st.integers(0, 1000)
values = st.floats(-1000, 1000, allow_nan=False).map(lambda v: round(v, 2))


@st.composite
def measures(draw: st.DrawFn, places: tuple[str, ...] = ()) -> Metric:
    target_days = sorted(set(draw(st.lists(days, min_size=1, max_size=4))))
    fields: dict[str, Any] = {
        "id": "m",
        "priority": "P3",
        "name": "M",
        "direction": draw(st.sampled_from(["increase", "decrease"])),
        "tolerance": draw(st.sampled_from([0, 0.1, 0.5])),
        "cadence": draw(st.sampled_from([None, "monthly", "annual"])),
        "targets": [{"by": str(EPOCH + timedelta(d)), "value": draw(values)} for d in target_days],
        "places": list(places),
    }
    if draw(st.booleans()):
        start = draw(st.integers(0, target_days[0])) - 1
        fields["baseline"] = {"date": str(EPOCH + timedelta(start)), "value": draw(values)}
    return Metric.model_validate(fields)


def entry(day: int, value: float | str, place: str | None = None, **more: Any) -> Actual:
    return Actual(metric="m", date=EPOCH + timedelta(day), value=value, place=place, **more)


def rank(status: str) -> int:
    return STATUS_ORDER.index(status)  # worst first


@st.composite
def keyed_logs(draw: st.DrawFn, places: tuple[str | None, ...] = (None,)) -> list[Actual]:
    """Entries with distinct (place, date) keys: no entry corrects another."""
    keys = draw(st.lists(st.tuples(st.sampled_from(places), days), unique=True, max_size=10))
    return [entry(day, draw(values), place) for place, day in keys]


@settings(max_examples=200, deadline=None)
@given(
    m=st.one_of(measures(), measures(PLACE_IDS)),
    data=st.data(),
    as_of=days,
)
def test_the_order_of_entries_with_different_dates_or_places_does_not_matter(
    m: Metric, data: st.DataObject, as_of: int
) -> None:
    log = data.draw(keyed_logs(m.places or (None,)))
    shuffled = data.draw(st.permutations(log))
    day = EPOCH + timedelta(as_of)
    assert assess_metric(m, shuffled, day) == assess_metric(m, log, day)


@settings(max_examples=200, deadline=None)
@given(
    m=measures(PLACE_IDS),
    data=st.data(),
    as_of=days,
    better=st.floats(0, 500, allow_nan=False),
)
def test_a_better_value_at_one_place_never_makes_it_or_the_metric_worse(
    m: Metric, data: st.DataObject, as_of: int, better: float
) -> None:
    log = data.draw(keyed_logs(PLACE_IDS))
    day = EPOCH + timedelta(as_of)
    counted = [a for a in log if a.date <= day]
    if not counted:
        return
    place = data.draw(st.sampled_from(sorted({a.place for a in counted})))
    latest = max((a for a in counted if a.place == place), key=lambda a: a.date)
    step = better if m.direction == "increase" else -better
    moved = [a._replace(value=a.value + step) if a is latest else a for a in log]
    before, after = assess_metric(m, log, day), assess_metric(m, moved, day)
    event(f"{before.status} -> {after.status}")
    assert rank(after.status) >= rank(before.status), (before.status, after.status)
    place_before = next(p for p in before.places if p.place == place)
    place_after = next(p for p in after.places if p.place == place)
    assert rank(place_after.status) >= rank(place_before.status)


@settings(max_examples=150, deadline=None)
@given(due=days, done=days, as_of=days, earlier=st.lists(days, max_size=3, unique=True))
def test_recording_a_milestone_done_never_makes_it_worse(
    due: int, done: int, as_of: int, earlier: list[int]
) -> None:
    m = Metric.model_validate(
        {
            "id": "m",
            "priority": "P3",
            "name": "M",
            "kind": "milestone",
            "due": str(EPOCH + timedelta(due)),
        }
    )
    log = [entry(d, "done") for d in earlier if d != done]
    day = EPOCH + timedelta(as_of)
    before = assess_metric(m, log, day)
    after = assess_metric(m, [*log, entry(done, "done")], day)
    assert rank(after.status) >= rank(before.status), (before.status, after.status)


# --- --as-of through the CLI: nothing after D counts ----------------------------------------

AS_OF_METRICS = """\
metrics:
  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
    cadence: monthly
    baseline: {date: 2019-03-31, value: 120}
    targets:
      - {by: 2020-03-31, change: -25%}
      - {by: 2021-03-31, change: -50%}
  - id: waits
    priority: P3
    name: Waits at each place
    direction: decrease
    targets: [{by: 2020-09-30, value: 10}]
    places: [fylde-coast, morecambe-bay]
  - id: ccg-configuration
    priority: P4
    name: Agree the future configuration of CCGs
    kind: milestone
    due: 2020-04-30
"""


@st.composite
def cli_logs(draw: st.DrawFn) -> list[Actual]:
    keys = draw(
        st.lists(
            st.sampled_from(
                [("ooa-placements", None), ("waits", "fylde-coast"), ("waits", "morecambe-bay")]
            ),
            max_size=12,
        )
    )
    log = []
    used: set[tuple[str, str | None, date]] = set()
    for metric, place in keys:
        day = date(2019, 4, 30) + timedelta(draw(st.integers(0, 800)))
        replaces = (metric, place, day) in used
        used.add((metric, place, day))
        log.append(Actual(metric, day, float(draw(st.integers(0, 150))), place, replaces=replaces))
    if draw(st.booleans()):
        day = date(2020, 1, 1) + timedelta(draw(st.integers(0, 300)))
        log.append(Actual("ccg-configuration", day, "done"))
    return log


def _status_json(files: dict[str, bytes], as_of: date) -> str:
    with data_dir(files) as data:
        result = lsc(data, "status", "--format", "json", "--as-of", str(as_of))
    assert result.exit_code == 0, result.output
    return result.stdout


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=cli_logs(), as_of=st.integers(0, 800))
def test_as_of_ignores_every_entry_after_it_through_the_cli(log: list[Actual], as_of: int) -> None:
    day = date(2019, 4, 30) + timedelta(as_of)
    files = {name: text.encode() for name, text in plan_files(metrics=AS_OF_METRICS).items()}
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    full = [a._replace(recorded=stamp) for a in log]
    files["actuals.yaml"] = "".join(entry_line(a) + "\n" for a in full).encode()
    everything = _status_json(files, day)
    event(f"entries after D: {sum(a.date > day for a in full) > 0}")
    files["actuals.yaml"] = "".join(entry_line(a) + "\n" for a in full if a.date <= day).encode()
    assert everything == _status_json(files, day)
