"""``lsc list`` and the ids around it (issue 17, point 3): the plan's metrics, places and
priorities as a table, JSON or CSV; shell completion of ids from the data directory in
effect; "unknown metric" pointing at ``lsc list metrics``. Through the installed ``lsc``."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from conftest import Ran, WritePlan, lsc_process

pytestmark = pytest.mark.slow  # real processes, several a test

LSC = (str(Path(sys.executable).with_name("lsc")),)

METRICS = """\
metrics:
  - id: ooa-placements
    priority: P3
    name: Out of area placements
    direction: decrease
    unit: placements
    cadence: monthly
    owner: Director of mental health
    targets: [{by: 2021-03-31, value: 60}]
  - id: icp-plans
    priority: P4
    name: "=Each ICP agrees a plan"
    kind: milestone
    due: 2020-03-31
    places: [fylde-coast, morecambe-bay]
"""


@pytest.fixture
def data(write_plan: WritePlan) -> Path:
    return write_plan(metrics=METRICS)


def run(data: Path | None, *args: str, columns: int = 200, **kwargs: object) -> Ran:
    env = {"COLUMNS": str(columns), **kwargs.pop("env", {})}  # type: ignore[dict-item]
    return lsc_process(data, *args, env=env, command=LSC, **kwargs)  # type: ignore[arg-type]


def test_list_metrics_as_a_table(data: Path) -> None:
    ran = run(data, "list", "metrics")
    assert (ran.exit_code, ran.stderr) == (0, "")
    lines = ran.stdout.splitlines()
    assert lines[0] == "Metrics (2)"
    assert lines[1].split() == [
        "id", "name", "priority", "kind", "unit", "cadence", "places", "owner"
    ]  # fmt: skip
    assert lines[2].split() == [
        "ooa-placements", "Out", "of", "area", "placements", "P3", "measure", "placements",
        "monthly", "Director", "of", "mental", "health",
    ]  # fmt: skip
    assert "icp-plans" in lines[3] and "fylde-coast, morecambe-bay" in lines[3]


def test_list_everything_and_each_kind_as_json(data: Path) -> None:
    every = json.loads(run(data, "list", "--format", "json").stdout)
    assert list(every) == ["metrics", "places", "priorities"]
    assert every["metrics"][0] == {
        "id": "ooa-placements",
        "name": "Out of area placements",
        "priority": "P3",
        "kind": "measure",
        "unit": "placements",
        "cadence": "monthly",
        "places": [],
        "owner": "Director of mental health",
    }
    assert every["metrics"][1]["places"] == ["fylde-coast", "morecambe-bay"]
    assert every["places"][1] == {
        "id": "fylde-coast",
        "name": "Fylde Coast",
        "parent": "lsc",
        "population": 354000,
    }
    assert [p["metrics"] for p in every["priorities"]] == [1, 1]
    places = json.loads(run(data, "list", "places", "-f", "json").stdout)
    assert list(places) == ["places"]


def test_list_as_csv_is_safe_for_spreadsheets(data: Path) -> None:
    ran = run(data, "list", "metrics", "--format", "csv")
    rows = list(csv.reader(io.StringIO(ran.stdout)))
    assert rows[0] == ["id", "name", "priority", "kind", "unit", "cadence", "places", "owner"]
    assert rows[2][:2] == ["icp-plans", "'=Each ICP agrees a plan"]  # not a formula
    assert rows[2][6] == "fylde-coast;morecambe-bay"
    assert run(data, "list", "places", "-f", "csv").stdout.splitlines()[2] == (
        "fylde-coast,Fylde Coast,lsc,354000"
    )


def test_csv_of_every_kind_is_a_usage_error(data: Path) -> None:
    ran = run(data, "list", "--format", "csv")
    assert ran.exit_code == 2 and "lists one kind" in ran.stderr


def test_list_to_a_file_by_its_suffix(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "ids.json"
    ran = run(data, "list", "priorities", "--output", str(out))
    assert (ran.exit_code, ran.stdout) == (0, "")
    assert ran.stderr == f"list written to {out}\n"
    assert [p["id"] for p in json.loads(out.read_text())["priorities"]] == ["P3", "P4"]
    refused = run(data, "list", "--output", str(data / "metrics.yaml"))
    assert refused.exit_code == 2
    assert "ooa-placements" in (data / "metrics.yaml").read_text()


@pytest.mark.parametrize("columns", [40, 60])
def test_a_narrow_terminal_gets_one_block_per_item_with_ids_whole(data: Path, columns: int) -> None:
    text = run(data, "list", "metrics", columns=columns).stdout
    lines = text.splitlines()
    assert "ooa-placements" in lines and "icp-plans" in lines  # each id on its own line
    assert "  places: fylde-coast, morecambe-bay" in lines or columns < 40
    assert "  owner: Director of mental health" in lines


# --- "unknown metric" ------------------------------------------------------------------------


def test_an_unknown_metric_with_nothing_close_points_at_lsc_list(data: Path) -> None:
    ran = run(data, "record", "ooa", "3")
    assert ran.exit_code == 1
    assert ran.stderr == "error: unknown metric 'ooa' (see 'lsc list metrics')\n"
    close = run(data, "record", "ooa-placement", "3")
    assert "(did you mean 'ooa-placements'?)" in close.stderr and "lsc list" not in close.stderr
    for args in (["show", "nope"], ["history", "nope"], ["update", "nope", "--rag", "at_risk"]):
        ran = run(data, *args, "--note", "x") if args[0] == "update" else run(data, *args)
        assert ran.exit_code == 1
        assert ran.stderr.endswith("unknown metric 'nope' (see 'lsc list metrics')\n"), args
    place = run(data, "record", "icp-plans", "done", "--place", "blackpool")
    assert place.stderr == "error: unknown place 'blackpool' (see 'lsc list places')\n"


# --- shell completion ----------------------------------------------------------------------


def complete(words: str, cwd: Path, **env: str) -> list[str]:
    """What bash completion offers for the last word of ``words``."""
    parts = words.split(" ")
    ran = lsc_process(
        None,
        env={
            "_LSC_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
            **env,
        },
        cwd=cwd,
        command=LSC,
    )
    assert (ran.exit_code, ran.stderr) == (0, ""), ran
    return ran.stdout.split()


def test_completion_of_metric_place_and_priority_ids(data: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert complete("lsc record oo", elsewhere) == []  # no ./data there: nothing
    assert complete("lsc record oo", data.parent) == ["ooa-placements"]  # ./data
    assert complete(f"lsc --data {data} show i", tmp_path) == ["icp-plans"]
    assert complete(f"lsc history --data {data} ", tmp_path) == ["ooa-placements", "icp-plans"]
    assert complete("lsc spc o", tmp_path, LSC_DATA=str(data)) == ["ooa-placements"]
    assert complete(f"lsc --data {data} status --place f", tmp_path) == ["fylde-coast"]
    assert complete(f"lsc --data {data} record icp-plans done --place m", tmp_path) == [
        "morecambe-bay"
    ]
    # after a metric tracked by place, its places only; else every place
    places = ["fylde-coast", "morecambe-bay"]
    assert complete(f"lsc --data {data} record icp-plans done --place ", tmp_path) == places
    assert complete(f"lsc --data {data} status --place ", tmp_path) == ["lsc", *places]
    assert complete(f"lsc --data {data} status -p P3,P", tmp_path) == ["P3,P3", "P3,P4"]
    assert complete("lsc li", tmp_path) == ["list"]


def test_a_broken_plan_completes_nothing(data: Path, tmp_path: Path) -> None:
    (data / "metrics.yaml").write_text("metrics: [\n")
    assert complete(f"lsc --data {data} show ", tmp_path) == []
    (data / "metrics.yaml").write_bytes(b"\xff\xfe not yaml: [")
    assert complete(f"lsc --data {data} show ", tmp_path) == []
    assert complete(f"lsc --data {data}/metrics.yaml show ", tmp_path) == []


def test_list_by_priority(data: Path) -> None:
    found = json.loads(run(data, "list", "-f", "json", "--priority", "P4").stdout)
    assert [m["id"] for m in found["metrics"]] == ["icp-plans"]
    assert [p["id"] for p in found["priorities"]] == ["P4"]
    assert len(found["places"]) == 3  # places are not the priority's
    unknown = run(data, "list", "--priority", "P9")
    assert unknown.exit_code == 1 and "unknown priority 'P9'" in unknown.stderr
