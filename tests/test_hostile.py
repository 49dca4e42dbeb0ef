"""Hostile data files: each is refused with one clear, positioned message, or loads where it
must, and nothing is ever executed, changed, crashed on, hung on or exhausted.

The cases and the behaviour each must get are the table in tests/hostile/README.md, read
here, so the documentation and the test cannot drift apart. Each case replaces one data file
of a small valid plan (its name says which: ``metrics--tab-indent.yaml`` is metrics.yaml).
Cases too big to commit (10 MB files, 100,000 levels of nesting, 5 MB lines) are built by
`GENERATED` at test time.

For each case the installed CLI runs as a real process, under a 1 GiB address-space limit and
a time limit: ``lsc check`` (exit code, first line ``file:line:col: error: message``, number
of problems, no traceback, every file's sha256 unchanged), then ``lsc record`` (refused with
exit 1 and one ``error:`` line, no byte changed; or, for a case that must load, one entry
appended after the old bytes, which stay as they were).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import METRICS, WritePlan, lsc, plan_files, report_figure, write_plan_files

CORPUS = Path(__file__).resolve().parent / "hostile"
MEMORY_LIMIT = 1 << 30  # bytes of address space for each lsc process
SMALL_TIME_LIMIT = 20.0  # seconds, for a committed case
BIG_TIME_LIMIT = 60.0  # seconds, for a generated 10 MB case
PARALLEL = max(2, min(4, os.cpu_count() or 2))
RECORD = ("record", "ooa-placements", "42", "--date", "2020-06-30", "--by", "hostile")
BASE_PLAN = plan_files()  # conftest's small plan: each case replaces one of its files
LOCK_FILE = ".actuals.yaml.lock"  # created empty by the first record; ignored by git


# --- the table of cases ------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One row of tests/hostile/README.md."""

    name: str
    exit: int
    where: str | None  # "line:col" of the first problem
    message: str | None  # a part of the first problem's message
    problems: int
    generated: bool

    @property
    def target(self) -> str:
        """The data file this case replaces."""
        return self.name.split("--", 1)[0] + ".yaml"


_ROW = re.compile(r"^\|\s*`(?P<name>[^`]+)`(?P<gen>\s*\(generated\))?\s*\|(?P<rest>.*)\|\s*$")


def read_cases() -> list[Case]:
    cases = []
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        code, where, message, problems = (cell.strip() for cell in match["rest"].split("|"))
        cases.append(
            Case(
                name=match["name"],
                exit=int(code),
                where=None if where == "-" else where,
                message=None if message == "-" else message,
                problems=int(problems),
                generated=bool(match["gen"]),
            )
        )
    return cases


CASES = read_cases()


# --- the cases too big to commit ------------------------------------------------------------

MB = 1_000_000
TOOL_LINE = (
    '- {{"metric": "ooa-placements", "date": "{day}", "value": {value}, "note": "monthly return '
    'from the trust, checked by the programme office", "by": "x"{replaces}}}\n'
)


def _big_log(size: int = 10 * MB) -> str:
    """Tool-written lines, one a day from 2009-03-31 (the earliest plausible date for
    ooa-placements: 10 years before its baseline) for 4,000 days (to 2020-03-02, before the
    day test_record records), then the same days again,
    each saying it replaces the earlier entry."""
    lines, total, first = [], 0, date(2009, 3, 31)
    while total < size:
        count = len(lines)
        day = first + timedelta(days=count % 4_000)
        replaces = ', "replaces": true' if count >= 4_000 else ""
        line = TOOL_LINE.format(day=day.isoformat(), value=total % 997, replaces=replaces)
        lines.append(line)
        total += len(line)
    return "".join(lines)


def _big_metrics(last: str) -> str:
    item = (
        "  - id: m{k}\n    priority: P3\n    name: Metric {k}\n    kind: milestone\n"
        "    due: 2020-04-30\n    description: " + "w" * 2000 + "\n"
    )
    count = 10 * MB // len(item)
    return METRICS + "".join(item.format(k=k) for k in range(count)) + last


GENERATED: dict[str, Callable[[], str]] = {
    "metrics--deep-nesting-100k-flow.yaml": lambda: METRICS.replace(
        "    unit: placements\n", "    unit: " + "[" * 100_000 + "\n", 1
    ),
    "metrics--deep-nesting-100k-block.yaml": lambda: "metrics:\n  - " + "- " * 100_000 + "x\n",
    "actuals--deep-nesting-100k.yaml": lambda: (
        "- metric: ooa-placements\n  value: " + "[" * 100_000 + "\n"
    ),
    "metrics--long-line-5mb.yaml": lambda: METRICS.replace(
        "    unit: placements\n", "    unit: placements\n    description: " + "x" * 5 * MB + "\n", 1
    ),
    "actuals--long-line-5mb.yaml": lambda: (
        '- {"metric": "ooa-placements", "date": "2020-03-31", '
        '"note": "' + "x" * 5 * MB + '", "value": "lots"}\n'
    ),
    "metrics--10mb-error-at-end.yaml": lambda: _big_metrics(
        "  - id: last\n    priority: P3\n    name: Last\n    kind: milestone\n    due: 2021-02-30\n"
    ),
    "metrics--10mb-duplicate-key-flood.yaml": lambda: "metrics: []\n" * (10 * MB // 12 + 1),
    "actuals--10mb-valid.yaml": _big_log,
    "actuals--10mb-truncated.yaml": lambda: (
        _big_log() + '- {"metric": "ooa-placements", "date": "2020-03-31", "val'
    ),
    "actuals--10mb-alias-flood.yaml": lambda: "- &a 1\n" + "- *a\n" * (10 * MB // 5 + 1),
}


def case_bytes(case: Case) -> bytes:
    if case.generated:
        return GENERATED[case.name]().encode("utf-8")
    return (CORPUS / case.name).read_bytes()


# --- running lsc as a real process, several at once -----------------------------------------

# Sets the limit inside the child before anything else runs (no preexec_fn: the test's
# threads and a fork do not mix), then runs ``python -m lsc_tracker`` as installed.
_LIMIT = (
    "import resource, runpy, sys; limit = int(sys.argv.pop(1)); "
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); "
)
_LAUNCH = _LIMIT + "runpy.run_module('lsc_tracker', run_name='__main__', alter_sys=True)"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


@dataclass
class _Job:
    key: str
    argv: list[str]
    cwd: Path
    limit: float


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LSC_DATA", "LSC_USER")}
    env.update(COLUMNS="120", LSC_USER="hostile", PYTHONIOENCODING="utf-8")
    return env


def run_all(jobs: list[_Job]) -> dict[str, Run]:
    """Run the jobs, PARALLEL at a time, the slow ones first; each child's peak memory comes
    from wait4."""
    results: dict[str, Run] = {}
    pending = sorted(jobs, key=lambda job: job.limit)  # popped from the end: the big ones first
    running: dict[int, tuple[_Job, subprocess.Popen[bytes], float, Path]] = {}
    env = _env()
    while pending or running:
        while pending and len(running) < PARALLEL:
            job = pending.pop()
            out = job.cwd / f".{job.key}.out"
            with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
                child = subprocess.Popen(
                    [sys.executable, "-c", _LAUNCH, str(MEMORY_LIMIT), *job.argv],
                    cwd=job.cwd,
                    stdout=stdout,
                    stderr=stderr,
                    stdin=subprocess.DEVNULL,
                    env=env,
                )
            running[child.pid] = (job, child, time.monotonic(), out)
        for pid, (job, child, started, out) in list(running.items()):
            waited, status, usage = os.wait4(pid, os.WNOHANG)
            elapsed = time.monotonic() - started
            if waited == 0:
                if elapsed > job.limit:
                    child.kill()  # wait4 reaps it next time round; the time says why
                continue
            child.returncode = os.waitstatus_to_exitcode(status)
            del running[pid]
            err = out.with_suffix(".err")
            results[job.key] = Run(
                child.returncode,
                out.read_text(encoding="utf-8", errors="replace"),
                err.read_text(encoding="utf-8", errors="replace"),
                elapsed,
                usage.ru_maxrss / 1024,
            )
            out.unlink()
            err.unlink()
        time.sleep(0.005)
    return results


def hashes(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in directory.iterdir()
        if path.is_file()
    }


@dataclass
class Outcome:
    case: Case
    data: Path
    before: dict[str, str]
    after_check: dict[str, str]
    after_record: dict[str, str]
    check: Run
    record: Run | None  # see records_too
    original: bytes


def records_too(case: Case) -> bool:
    """Record against every hostile log and every case that must load. (For a broken plan
    file, record refuses through the same loader that check has just been tested on.)"""
    return case.target == "actuals.yaml" or case.exit == 0


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    root = tmp_path_factory.mktemp("hostile")
    prepared = {}
    for case in CASES:
        home = root / case.name.removesuffix(".yaml")
        data = write_plan_files(home / "data", BASE_PLAN)
        original = case_bytes(case)
        (data / case.target).write_bytes(original)
        prepared[case.name] = (case, home, data, hashes(data), original)

    def jobs(*args: str, only: Callable[[Case], bool] = lambda case: True) -> list[_Job]:
        return [
            _Job(
                name,
                ["--data", "data", *args],
                home,
                BIG_TIME_LIMIT if case.generated else SMALL_TIME_LIMIT,
            )
            for name, (case, home, *_) in prepared.items()
            if only(case)
        ]

    checks = run_all(jobs("check"))
    after_check = {name: hashes(data) for name, (_, _, data, *_) in prepared.items()}
    records = run_all(jobs(*RECORD, only=records_too))
    result = {
        name: Outcome(
            case,
            data,
            before,
            after_check[name],
            hashes(data),
            checks[name],
            records.get(name),
            original,
        )
        for name, (case, home, data, before, original) in prepared.items()
    }
    yield result
    _report_figures(result)
    shutil.rmtree(root, ignore_errors=True)


def _report_figures(result: dict[str, Outcome]) -> None:
    refused = sum(1 for o in result.values() if o.case.exit == 1)
    runs = [run for o in result.values() for run in (o.check, o.record) if run is not None]
    generated = sum(1 for o in result.values() if o.case.generated)
    slowest = max(r.seconds for r in runs)
    peak = max(r.peak_rss_mb for r in runs)
    report_figure(
        f"hostile files tried: {len(result)} ({len(result) - generated} committed, "
        f"{generated} generated up to 10 MB); {refused} refused with exit 1, "
        f"{len(result) - refused} loaded as they must; {len(runs)} lsc runs, slowest "
        f"{slowest:.1f} s, peak memory {peak:.0f} MB"
    )


# --- the tests ------------------------------------------------------------------------------


def test_the_readme_lists_every_corpus_file_and_generator() -> None:
    committed = {c.name for c in CASES if not c.generated}
    assert committed == {p.name for p in CORPUS.glob("*.yaml")}
    assert {c.name for c in CASES if c.generated} == set(GENERATED)
    assert len(CASES) >= 30
    for case in CASES:
        assert case.target in BASE_PLAN or case.target == "actuals.yaml", case.name
        assert (case.exit == 0) == (case.where is None) == (case.problems == 0), case.name
    for case in CASES:
        if "10mb" in case.name:
            assert len(GENERATED[case.name]()) >= 10 * MB, case.name


def _no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr + run.stdout, run.stderr[-3000:]


@pytest.mark.slow  # the first of these runs every case as a process
@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_check(outcomes: dict[str, Outcome], name: str) -> None:
    o = outcomes[name]
    case, run = o.case, o.check
    _no_traceback(run)
    limit = BIG_TIME_LIMIT if case.generated else SMALL_TIME_LIMIT
    assert run.seconds < limit, f"took {run.seconds:.1f} s"
    assert run.code == case.exit, run.stdout[:2000] + run.stderr[-2000:]
    assert o.after_check == o.before, "lsc check changed a file"
    lines = run.stdout.splitlines()
    assert len(lines) == case.problems, lines[:5]
    if case.exit == 0:
        assert run.stderr.startswith("data: valid ("), run.stderr
        return
    assert re.fullmatch(r"\d+ problems? in 1 file\n", run.stderr), run.stderr
    prefix = f"data/{case.target}:{case.where}: error: "
    assert lines[0].startswith(prefix), lines[0][:500]
    assert case.message in lines[0], lines[0][:500]
    assert all(len(line) < 1000 for line in lines), "a message is not one short line"
    assert not (o.data.parent / "PWNED").exists(), "the loader executed something"


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.name for c in CASES if records_too(c)])
def test_record(outcomes: dict[str, Outcome], name: str) -> None:
    o = outcomes[name]
    case, run = o.case, o.record
    assert run is not None
    _no_traceback(run)
    assert not (o.data.parent / "PWNED").exists(), "the loader executed something"
    if case.exit == 1:
        assert run.code == 1, run.stdout + run.stderr[-2000:]
        assert run.stdout == ""
        error_lines = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
        assert len(error_lines) == 1, run.stderr[-2000:]
        assert run.stderr.splitlines()[-1] == error_lines[0]
        assert {k: v for k, v in o.after_record.items() if k != LOCK_FILE} == o.before
        assert (o.data / LOCK_FILE).read_bytes() == b""
        return
    # a case that must load: one entry appended after the old bytes, which stay as they were
    assert run.code == 0, run.stderr[-2000:]
    assert run.stdout.startswith('- {"metric": "ooa-placements", "date": "2020-06-30"')
    changed = {k for k in o.after_record if o.after_record[k] != o.before.get(k)}
    assert changed <= {"actuals.yaml", LOCK_FILE}
    log = (o.data / "actuals.yaml").read_bytes()
    if case.target == "actuals.yaml":
        assert log.startswith(o.original)
        added = log[len(o.original) :].decode()
    else:
        added = log.decode()
    assert added.count('"date": "2020-06-30"') == 1


def test_python_tags_would_have_run_a_command_if_loaded_unsafely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tag cases are real: yaml.unsafe_load of the same text runs the command."""
    import yaml

    monkeypatch.chdir(tmp_path)
    yaml.unsafe_load((CORPUS / "metrics--python-tag.yaml").read_text())
    assert (tmp_path / "PWNED").exists()


def test_yaml_11_words_stay_text_and_0777_is_777(tmp_path: Path) -> None:
    from lsc_tracker.loader import load

    data = tmp_path / "data"
    data.mkdir()
    for name, text in BASE_PLAN.items():
        (data / name).write_text(text)
    shutil.copy(CORPUS / "priorities--yaml11-words.yaml", data / "priorities.yaml")
    shutil.copy(CORPUS / "places--octal-population.yaml", data / "places.yaml")
    shutil.copy(CORPUS / "metrics--date-as-text.yaml", data / "metrics.yaml")
    plan, problems = load(data)
    assert problems == []
    p3, p4 = plan.priorities
    assert (p3.title, p3.summary, p3.source) == ("NO", "on", "1:30")
    assert (p4.title, p4.summary, p4.source) == ("yes", "0777", "2020-04-30")
    assert plan.place_by_id["fylde-coast"].population == 777
    assert plan.metric_by_id["ooa-placements"].name == "2020-04-30"
    assert plan.metric_by_id["ooa-placements"].unit == "1:30"


@pytest.mark.slow  # asks for 2 GiB
def test_the_memory_limit_is_enforced() -> None:
    """The cap the cases run under is real: a process asking for more gets a MemoryError."""
    hog = _LIMIT + "x = bytearray(2 << 30)"
    result = subprocess.run(
        [sys.executable, "-c", hog, str(MEMORY_LIMIT)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "MemoryError" in result.stderr


# --- safe output: what the data says is shown, never run ---------------------------------------

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
SCRIPT = "<script>alert(1)</script>"


def _hostile_plan(write_plan: WritePlan) -> Path:
    """A valid plan whose every text starts like a formula or holds a script tag (the builder
    quotes them as YAML must: a \\t or \\r at the start survives)."""
    target = {"by": date(2021, 3, 31), "value": 10, "note": SCRIPT}
    metrics = [
        {
            "id": f"m{k}",
            "priority": "P3",
            "name": start + f"cmd|' /C calc'!A{k} {SCRIPT}",
            "direction": "increase",
            "unit": start + "u",
            "targets": [target],
        }
        for k, start in enumerate(FORMULA_STARTS)
    ]
    return write_plan(
        priorities=[{"id": "P3", "title": "=HYPERLINK(1) " + SCRIPT}],
        places=[{"id": "lsc", "name": "@SUM(1) " + SCRIPT}],
        metrics=metrics,
    )


def _cli(data: Path, *args: str) -> str:
    result = lsc(data, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_neutralises_formulas_and_keeps_negative_numbers(write_plan: WritePlan) -> None:
    import csv
    import io

    data = _hostile_plan(write_plan)
    for k, start in enumerate(FORMULA_STARTS):
        note = start + "SUM(A1:A9)"
        _cli(
            data,
            "record",
            f"m{k}",
            "-3.5",
            "--date",
            "2020-06-30",
            "--note",
            note,
            "--by",
            start + "x",
        )
    status = list(csv.DictReader(io.StringIO(_cli(data, "status", "--format", "csv"), newline="")))
    assert len(status) == len(FORMULA_STARTS)
    for row in status:
        assert row["name"].startswith("'") and row["unit"].startswith("'"), row
        assert row["latest_value"] == "-3.5"  # a number, sign and all: no apostrophe
    for k, start in enumerate(FORMULA_STARTS):
        text = _cli(data, "history", f"m{k}", "--format", "csv")
        (row,) = csv.DictReader(io.StringIO(text, newline=""))
        assert row["note"] == "'" + start + "SUM(A1:A9)", row
        assert row["by"] == ("'" + start + "x" if start.strip() else "x"), row  # names are trimmed
        assert row["value"] == "-3.5"


@pytest.mark.slow  # over a second
@pytest.mark.filterwarnings("ignore:Glyph")  # a tab in a chart title has no glyph: harmless
def test_html_report_escapes_every_text_from_the_data(write_plan: WritePlan) -> None:
    data = _hostile_plan(write_plan)
    _cli(data, "record", "m0", "5", "--date", "2020-06-30", "--note", SCRIPT, "--by", SCRIPT)
    html = _cli(data, "report", "--as-of", "2020-06-30", "--output", "-")
    assert "<script" not in html.lower()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    # the recorded note and its recorder, shown beside the latest value
    assert f"(“{escaped}”, recorded by {escaped})" in html
    assert html.count("&lt;script&gt;") >= 2 * len(FORMULA_STARTS)  # names and target notes


UNSAFE = re.compile(
    r"\byaml\.(load|load_all|unsafe_load|full_load|compose|compose_all)\("
    r"|\b(FullLoader|UnsafeLoader|yaml\.Loader)\b|\bpickle\b|(?<![\w.])(eval|exec)\("
)


def test_the_code_never_loads_yaml_in_a_way_that_could_run_anything() -> None:
    """Only PyYAML's event parser with a base loader is used: no constructor ever runs."""
    import yaml

    from lsc_tracker import yamlsource

    for path in (CORPUS.parent.parent / "src").rglob("*.py"):
        found = UNSAFE.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name}: {found and found.group()}"
    assert yamlsource._YAML_LOADER in (getattr(yaml, "CBaseLoader", None), yaml.BaseLoader)


def test_docs_reliability_points_only_at_tests_that_exist() -> None:
    """docs/reliability.md names the test behind each promise: every name must be real."""
    doc = (CORPUS.parent.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    current, named = None, 0
    for token in re.findall(r"`((?:tests/\w+\.py)?::\w+|tests/\w+\.py::\w+)`", doc):
        path, _, name = token.partition("::")
        current = path or current
        assert current is not None, token
        source = (CORPUS.parent.parent / current).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.M), f"{current}::{name} does not exist"
        named += 1
    assert named >= 30
