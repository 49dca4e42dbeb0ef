"""The shipped plan cites its sources: every priority, place and metric in data/ has a
`source` naming one of the seed documents, and holds the commitments docs/data-sources.md
describes in the forms it gives."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SHIPPED_DATA, lsc

SEEDS = {
    "000_12910044ba026deb.txt",
    "001_e01dc9adb0f0b5f0.txt",
    "002_b5f9553c7fd09eba.txt",
    "003_23db6c6b09f0c87e.txt",
    "004_584b833b2a37c500.txt",
}
SEED_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
DIRECTORIES = [SHIPPED_DATA]


def entries(directory: Path, file: str, key: str) -> list[dict]:
    loaded = yaml.safe_load((directory / file).read_text(encoding="utf-8"))
    return loaded[key]


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda d: d.relative_to(REPO).as_posix())
@pytest.mark.parametrize(
    ("file", "key"),
    [("priorities.yaml", "priorities"), ("places.yaml", "places"), ("metrics.yaml", "metrics")],
)
def test_every_entry_has_a_source_citing_a_seed_document(
    directory: Path, file: str, key: str
) -> None:
    found = entries(directory, file, key)
    assert found, f"{file} lists no {key}"
    for entry in found:
        source = entry.get("source")
        assert isinstance(source, str) and source.strip(), f"{file}: {entry['id']} has no source"
        cited = set(SEED_NAME.findall(source))
        assert cited, f"{file}: {entry['id']}'s source names no seed document: {source!r}"
        assert cited <= SEEDS, f"{file}: {entry['id']} cites an unknown document: {cited - SEEDS}"


def test_the_shipped_plan_has_the_counts_the_docs_give() -> None:
    assert len(entries(SHIPPED_DATA, "priorities.yaml", "priorities")) == 8
    assert len(entries(SHIPPED_DATA, "places.yaml", "places")) == 6
    metrics = entries(SHIPPED_DATA, "metrics.yaml", "metrics")
    kinds = [m.get("kind", "measure") for m in metrics]
    assert (kinds.count("measure"), kinds.count("milestone")) == (44, 21)


def test_no_owner_is_shipped_because_the_documents_name_none() -> None:
    for file, key in [("priorities.yaml", "priorities"), ("metrics.yaml", "metrics")]:
        assert all("owner" not in e for e in entries(SHIPPED_DATA, file, key)), file


def test_every_from_date_of_the_plan_is_the_first_of_the_month() -> None:
    """'From April 2020' is 2020-04-01 (docs/data-sources.md, Date conventions)."""
    metrics = {m["id"]: m for m in entries(SHIPPED_DATA, "metrics.yaml", "metrics")}
    assert str(metrics["pcn-national-dashboard"]["due"]) == "2020-04-01"
    assert str(metrics["preventable-deaths-plans"]["due"]) == "2020-04-01"
    assert str(metrics["preventable-deaths"]["targets"][-1]["from"]) == "2020-04-01"


def test_the_shipped_status_reads_as_the_plan_is_written() -> None:
    """Issue 14's 'done when': out of area placements is no baseline with both deadlines,
    preventable deaths a standing target, the five-year strategy a programme commitment."""
    ran = lsc(SHIPPED_DATA, "status", "--as-of", "2026-11-23", "--format", "json")
    assert ran.exit_code == 0, ran.stderr
    metrics = {m["id"]: m for m in json.loads(ran.stdout)["metrics"]}
    ooa = metrics["ooa-placements"]
    assert ooa["status"] == "no_baseline"
    assert [(s["by"], s["verdict"]) for s in ooa["stages"]] == [
        ("2021-03-31", "no_baseline"),
        ("2023-03-31", "no_baseline"),
    ]
    assert ooa["missing"] == "baseline not agreed"
    deaths = metrics["preventable-deaths"]
    assert deaths["status"] == "no_data"
    assert deaths["stages"][-1]["from"] == "2020-04-01"
    assert metrics["five-year-strategy"]["priority"] == "programme"
