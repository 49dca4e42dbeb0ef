"""Time whole `lsc` processes against floors measured in the same run, and print ratios.

    python benchmarks/run.py                      # shipped data, 10k and 100k actuals
    python benchmarks/run.py --sizes 10000,100000,1000000 --runs 5
    python benchmarks/run.py --sizes 10000 --runs 1 --quick     # the smoke test's setting

Each figure is the median wall time of --runs runs after one warm-up, with the largest peak
RSS seen, measured on child processes (os.wait4). Floors, measured in the same run on the same
machine so that ratios survive a slower or busier machine:

* ``python -c pass``: the interpreter's own start-up;
* ``python -c "import typer, rich, pydantic, yaml"``: the libraries lsc is built on, imported
  and nothing else (the floor of ``lsc status`` on the shipped plan);
* ``yaml.load(actuals.yaml, Loader=yaml.CSafeLoader)``: loading the same log with PyYAML's C
  loader, the obvious way to read a YAML file.

Goals (from the performance issue) are printed beside each ratio; see docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
# The installed console script, as a user runs it (beside this interpreter, as in a virtualenv);
# `python -m lsc_tracker` where there is none.
_SCRIPT = shutil.which("lsc", path=str(Path(PYTHON).parent))
LSC = [_SCRIPT] if _SCRIPT else [PYTHON, "-m", "lsc_tracker"]
# The libraries lsc is built on, imported and nothing else: the floor of its start-up.
LIBRARY_IMPORTS = "import typer, rich, pydantic, yaml"


@dataclass
class Timing:
    seconds: float
    peak_mib: float


def measure(command: list[str], runs: int) -> Timing:
    """Median wall time over ``runs`` after a warm-up; the largest peak RSS of any run.

    With ``runs=0`` the single run is the one timed (for commands that change their input).
    """
    times: list[float] = []
    peak = 0
    for attempt in range(runs + 1):
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"benchmark command failed (exit {code}): {' '.join(command)}")
        if attempt or not runs:  # the first run warms the caches
            times.append(elapsed)
        peak = max(peak, usage.ru_maxrss)
    return Timing(statistics.median(times), peak / 1024)


def measure_record(data: Path, runs: int) -> Timing:
    """`lsc record` of one new value, each run on a fresh copy of the same log."""
    log = data / "actuals.yaml"
    backup = data / "actuals.yaml.orig"
    shutil.copyfile(log, backup)
    times: list[float] = []
    peak = 0.0
    for attempt in range(runs + 1):
        shutil.copyfile(backup, log)
        command = [*LSC, "--data", str(data), "record", "measure-000", str(attempt + 1)]
        command += ["--place", "pcn-01", "--date", "2026-11-01", "--by", "bench"]
        timing = measure(command, 0)
        if attempt:
            times.append(timing.seconds)
        peak = max(peak, timing.peak_mib)
    shutil.copyfile(backup, log)
    return Timing(statistics.median(times), peak)


def generate(size: int, directory: Path) -> None:
    subprocess.run(
        [PYTHON, str(HERE / "generate.py"), str(size), str(directory)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def fmt_size(size: int) -> str:
    return f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark lsc against floors in the same run.")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated actuals counts")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument(
        "--floor-runs", type=int, default=None, help="runs for the CSafeLoader floor (slow)"
    )
    parser.add_argument("--quick", action="store_true", help="skip the start-up figures")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    floor_runs = args.floor_runs or args.runs
    rows: list[tuple[str, str, float, str, str]] = []

    def row(what: str, timing: Timing, floor: Timing | None, goal: str) -> None:
        ratio = timing.seconds / floor.seconds if floor else float("nan")
        rows.append((what, f"{timing.seconds:8.3f} s {timing.peak_mib:7.0f} MiB", ratio, goal, ""))
        print(
            f"  {what:<42} {timing.seconds:8.3f} s {timing.peak_mib:7.0f} MiB   "
            f"{ratio:7.2f}x   goal {goal}",
            flush=True,
        )

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    print(f"lsc: {' '.join(LSC)}")
    python_pass = measure([PYTHON, "-c", "pass"], max(args.runs, 5))
    print(f"floor: python -c pass = {python_pass.seconds:.4f} s")
    if not args.quick:
        row("lsc --version", measure([*LSC, "--version"], args.runs), python_pass, "<= 8x")
        row("lsc --help", measure([*LSC, "--help"], args.runs), python_pass, "<= 15x")
        shipped = [*LSC, "--data", str(REPO / "data"), "status"]
        shipped_status = measure(shipped, args.runs)
        row("lsc status (shipped data)", shipped_status, python_pass, "<= 25x")
        # The start-up goal of the terminal issue: `lsc status` against importing the four
        # libraries it is built on, so the ratio is what lsc itself adds on top of them.
        libraries = measure([PYTHON, "-c", LIBRARY_IMPORTS], max(args.runs, 5))
        print(f"floor: python -c '{LIBRARY_IMPORTS}' = {libraries.seconds:.4f} s")
        row("lsc status (shipped data) / library imports", shipped_status, libraries, "<= 1.8x")

    statuses: dict[int, Timing] = {}
    with tempfile.TemporaryDirectory(prefix="lsc-bench-") as tmp:
        for size in sizes:
            data = Path(tmp) / f"plan-{size}"
            generate(size, data)
            log = data / "actuals.yaml"
            entries = sum(1 for line in log.open() if line.startswith("- "))
            floor = measure(
                [
                    PYTHON,
                    "-c",
                    "import sys, yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)",
                    str(log),
                ],
                floor_runs,
            )
            label = fmt_size(size)
            print(
                f"\n{label}: {entries} actuals, {log.stat().st_size / 2**20:.1f} MiB; floor: "
                f"CSafeLoader load = {floor.seconds:.3f} s, {floor.peak_mib:.0f} MiB"
            )
            status = measure([*LSC, "--data", str(data), "status", "--format", "json"], args.runs)
            statuses[size] = status
            row(
                f"lsc status --format json @{label}",
                status,
                floor,
                "<= 0.15x, <= 250 MiB at 100k; <= 10 s, 1.5 GiB at 1M",
            )
            row(
                f"lsc check @{label}",
                measure([*LSC, "--data", str(data), "check"], args.runs),
                floor,
                "<= 0.2x at 100k",
            )
            record = measure_record(data, args.runs)
            row(f"lsc record @{label}", record, floor, "<= status at the same size")
            print(f"  record / status at {label}: {record.seconds / status.seconds:.2f}x")
    if len(statuses) > 1:
        small, large = min(statuses), max(statuses)
        growth = statuses[large].seconds / statuses[small].seconds
        print(
            f"\nstatus growth {fmt_size(small)} -> {fmt_size(large)}: {growth:.1f}x "
            f"for {large / small:.0f}x the actuals (goal: no worse than linear)"
        )


if __name__ == "__main__":
    main()
