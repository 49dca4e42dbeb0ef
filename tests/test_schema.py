"""JSON Schemas for editors, and `lsc schema` / `lsc init`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from conftest import REPO, SHIPPED_DATA
from lsc_tracker.applog.parse import parse_log
from lsc_tracker.cli import app
from lsc_tracker.loader import load
from lsc_tracker.plan import FILE_NAMES
from lsc_tracker.schema import SCHEMA_MODELS, json_schema, schema_text
from lsc_tracker.yamlsource import PlainScalar, parse_yaml

runner = CliRunner()
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def as_editor_sees_it(value: Any) -> Any:
    """YAML 1.2 core schema, as the YAML language server reads a file."""
    if isinstance(value, dict):
        return {k: as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees_it(v) for v in value]
    if isinstance(value, PlainScalar):
        if NUMBER.fullmatch(value):
            return float(value) if any(c in value for c in ".eE") else int(value)
        if value in ("true", "false"):
            return value == "true"
    return value


def editor_errors(data_dir: Path, name: str) -> list[str]:
    text = (data_dir / f"{name}.yaml").read_text(encoding="utf-8")
    doc = parse_log(text, name) if name in ("actuals", "updates") else parse_yaml(text, name)
    validator = jsonschema.Draft202012Validator(json_schema(name))
    return [error.message for error in validator.iter_errors(as_editor_sees_it(doc.data))]


def test_committed_schemas_match_the_models() -> None:
    for name in SCHEMA_MODELS:
        committed = (REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(name), f"run: lsc schema --output schemas ({name})"


@pytest.mark.parametrize("name", [name for name in SCHEMA_MODELS if name != "updates"])
def test_shipped_data_is_valid_for_the_editor_too(name: str) -> None:
    assert editor_errors(SHIPPED_DATA, name) == []


def test_an_updates_log_written_by_lsc_update_is_valid_for_the_editor(tmp_path: Path) -> None:
    """The shipped plan has no owner updates (the documents state none): the log `lsc update`
    creates points editors at its schema, and what it writes passes that schema."""
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    update = ["update", "ooa-placements", "--rag", "at_risk", "--note", "Two beds closed"]
    update += ["--action", "Reopen them", "--recovery", "2030-01-31", "--by", "Ann"]
    result = runner.invoke(app, ["--data", str(data), *update])
    assert result.exit_code == 0, result.output
    first = (data / "updates.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/updates.schema.json"
    assert editor_errors(data, "updates") == []
    # and the schema does underline a rating that is not one of the four
    (data / "updates.yaml").write_text(
        '- {"metric": "ooa-placements", "date": "2030-01-01", "rag": "green", "note": "x"}\n'
    )
    assert any("'green' is not one of" in error for error in editor_errors(data, "updates"))


def test_every_shipped_file_points_editors_at_its_schema() -> None:
    for file_name in FILE_NAMES:
        first = (SHIPPED_DATA / file_name).read_text(encoding="utf-8").splitlines()[0]
        name = file_name.removesuffix(".yaml")
        assert first == f"# yaml-language-server: $schema=../schemas/{name}.schema.json"
        assert (SHIPPED_DATA / ".." / "schemas" / f"{name}.schema.json").is_file()


def test_the_schema_underlines_a_typo_and_a_bad_date(tmp_path: Path) -> None:
    (tmp_path / "metrics.yaml").write_text(
        "metrics:\n  - {id: m, priority: P1, name: x, kind: measre, due: March 2021}\n"
    )
    errors = editor_errors(tmp_path, "metrics")
    assert any("'measre' is not one of" in e for e in errors)
    assert any("'March 2021' is not valid" in e for e in errors)


def test_lsc_schema_writes_the_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{name}.schema.json" for name in SCHEMA_MODELS
    )


def test_init_scaffolds_a_plan_that_passes_check(tmp_path: Path) -> None:
    plan_dir = tmp_path / "new-plan"
    result = runner.invoke(app, ["init", str(plan_dir)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["--data", str(plan_dir), "check"]).exit_code == 0
    for name in SCHEMA_MODELS:
        assert editor_errors(plan_dir, name) == []
        assert (plan_dir / "schemas" / f"{name}.schema.json").is_file()


def follow_the_starter_instructions(path: Path) -> None:
    """What each starter file says to do, literally and in place: delete the "[]" (after the
    file's key; the log's "[]" line), then the "#" at the start of each line of the example
    below it. Nothing else is touched."""
    lines = path.read_text().splitlines(keepends=True)
    key = next(i for i, line in enumerate(lines) if line.rstrip("\n").endswith("[]"))
    if lines[key] == "[]\n":
        del lines[key]  # the log: the "[]" line goes
    else:
        lines[key] = lines[key].replace(" []", "", 1)  # "priorities: []" -> "priorities:"
    for i in range(key, len(lines)):
        if lines[i].startswith(("#   ", "#- ")):
            lines[i] = lines[i][1:]
    path.write_text("".join(lines))


def test_init_examples_pass_check_once_uncommented(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    for name in ("priorities", "places", "metrics", "actuals", "updates"):
        path = tmp_path / f"{name}.yaml"
        before = path.read_text().splitlines()
        follow_the_starter_instructions(path)
        after = path.read_text().splitlines()
        assert len(before) - 1 <= len(after) <= len(before) and after != before
    result = runner.invoke(app, ["--data", str(tmp_path), "check"])
    assert result.exit_code == 0, result.output
    assert "valid (1 priority, 2 places, 2 metrics, 1 actual, 1 owner update)" in result.stderr
    for name in SCHEMA_MODELS:
        assert editor_errors(tmp_path, name) == []
    plan, problems = load(tmp_path, today=None)
    assert problems == []
    assert [m.id for m in plan.metrics] == [
        "out-of-area-placements",
        "agree-new-commissioning-model",
    ]
    record = ["record", "out-of-area-placements", "40", "--place", "north", "--date", "2020-07-31"]
    recorded = runner.invoke(app, ["--data", str(tmp_path), *record, "--by", "amy"])
    assert recorded.exit_code == 0, recorded.output
    assert len(load(tmp_path, today=None)[0].actuals) == 2
    assert [u.rag for u in plan.updates] == ["at_risk"]


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "metrics.yaml").write_text("mine\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "refusing to overwrite existing files" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.yaml"]
    assert (tmp_path / "metrics.yaml").read_text() == "mine\n"
