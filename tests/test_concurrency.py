"""Concurrency: 8 processes recording and 2 reading the status at once, for a bounded time.

Recorders work in pairs on the same metric and the same dates, so every value is raced for:
one of the pair records it, the other is told it is already recorded. Readers loop ``lsc
status --format json`` and load the log themselves. Afterwards every record is in the log
exactly once, and no reader ever saw a half-written entry or a failed status.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import RECORDING_PLACES, RECORDING_PRIORITIES, WritePlan, measures, report_figure
from lsc_tracker.loader import load

pytestmark = pytest.mark.slow  # ten processes for SECONDS

RECORDERS = 8
READERS = 2
SECONDS = 8.0  # recorders stop starting new records after this; all is over well within 20 s


RECORDER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import date, timedelta
    from typer.testing import CliRunner
    from lsc_tracker.cli import app

    data, metric, name, stop = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    runner = CliRunner()
    kept, refused, i = [], 0, 0
    while time.time() < stop:
        day = (date(2000, 1, 1) + timedelta(days=i)).isoformat()
        args = ["--data", data, "record", metric, str(i), "--date", day, "--by", name]
        result = runner.invoke(app, args)
        if result.exit_code == 0:
            kept.append([metric, day, i])
        elif result.exit_code == 1 and "already recorded" in result.output:
            refused += 1  # the other recorder of the pair got there first
        else:
            sys.exit(f"{name} {metric} {day}: exit {result.exit_code}: {result.output}")
        i += 1
    print(json.dumps({"kept": kept, "refused": refused}))
    """
)

READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from typer.testing import CliRunner
    from lsc_tracker.cli import app
    from lsc_tracker.loader import load

    data, done_flag = sys.argv[1], Path(sys.argv[2])
    runner = CliRunner()
    reads, seen = 0, []
    while not done_flag.exists():
        result = runner.invoke(app, ["--data", data, "status", "--format", "json"])
        if result.exit_code != 0 or "Traceback" in result.output:
            sys.exit(f"status failed: exit {result.exit_code}: {result.output}")
        report = json.loads(result.stdout)  # a JSON error fails the reader
        assert report, report
        plan, problems = load(data)
        if problems:
            sys.exit("a reader saw: " + "; ".join(str(p) for p in problems))
        lines = plan.documents["actuals"].fast_entry_lines if plan.actuals else {}
        if len(lines) != len(plan.actuals):
            sys.exit("a reader saw an entry that is not one whole line")
        seen.append(len(plan.actuals))
        reads += 1
    print(json.dumps({"reads": reads, "seen": seen}))
    """
)


def test_eight_recorders_and_two_readers_at_once_keep_every_record_once(
    tmp_path: Path, write_plan: WritePlan
) -> None:
    metrics = measures(RECORDERS // 2, priority="P3")  # each raced for by a pair of recorders
    data = write_plan(RECORDING_PRIORITIES, RECORDING_PLACES, metrics, "# load test\n")
    done_flag = tmp_path / "recorders-done"
    started = time.monotonic()
    stop = time.time() + SECONDS

    def spawn(code: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", code, str(data), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    readers = [spawn(READER, str(done_flag)) for _ in range(READERS)]
    recorders = [spawn(RECORDER, f"m{k // 2}", f"r{k}", str(stop)) for k in range(RECORDERS)]
    recorded = [child.communicate(timeout=60) for child in recorders]
    done_flag.touch()
    read = [child.communicate(timeout=60) for child in readers]
    elapsed = time.monotonic() - started

    for child, (_out, err) in zip(recorders + readers, recorded + read, strict=True):
        assert child.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
    kept = [tuple(item) for out, _ in recorded for item in json.loads(out)["kept"]]
    refused = sum(json.loads(out)["refused"] for out, _ in recorded)
    reads = [json.loads(out) for out, _ in read]

    plan, problems = load(data)
    assert problems == []
    in_log = Counter((a.metric, a.date.isoformat(), a.value) for a in plan.actuals)
    assert all(count == 1 for count in in_log.values()), "an entry is in the log twice"
    assert set(in_log) == set(kept) and len(kept) == len(set(kept)) == len(plan.actuals)
    assert len(kept) >= RECORDERS * 5, f"only {len(kept)} records in {SECONDS} s"
    assert refused > 0  # the pairs really raced for the same values
    for reader in reads:
        assert reader["reads"] > 0 and reader["seen"] == sorted(reader["seen"])
    assert elapsed < 20 + 10, f"the load test took {elapsed:.0f} s"
    report_figure(
        f"concurrent records kept: {len(plan.actuals)}/{len(kept)} exactly once "
        f"({RECORDERS} recorders racing in pairs, {refused} duplicates refused; "
        f"{READERS} readers, {sum(r['reads'] for r in reads)} status reads, none saw a "
        f"half-written entry; {elapsed:.0f} s)"
    )
