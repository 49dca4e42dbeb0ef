"""JSON Schemas for the data files, generated from the pydantic models (never hand-written).

Editors with the YAML language server (VS Code's YAML extension, and others) read them through
the ``# yaml-language-server: $schema=...`` line at the top of each data file, to complete keys
and underline mistakes as you type. `lsc check` remains the authority: a schema cannot express
cross-file rules such as "this priority must exist".
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, RootModel

from .models import ActualEntry, MetricsFile, PlacesFile, PrioritiesFile
from .updates import UpdateEntry


class ActualsFile(RootModel[list[ActualEntry]]):
    """actuals.yaml: the append-only log of recorded values, one entry per line."""


class UpdatesFile(RootModel[list[UpdateEntry]]):
    """updates.yaml: the append-only log of owners' updates (`lsc update`), one per line."""


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "priorities": PrioritiesFile,
    "places": PlacesFile,
    "metrics": MetricsFile,
    "actuals": ActualsFile,
    "updates": UpdatesFile,
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one data file, e.g. ``json_schema("metrics")``."""
    schema = SCHEMA_MODELS[name].model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        **schema,
    }


def schema_text(name: str) -> str:
    return json.dumps(json_schema(name), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write ``<name>.schema.json`` for every data file into ``directory``; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMA_MODELS:
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written


SCHEMA_COMMENT = "# yaml-language-server: $schema="


def schema_dir_for(data_dir: Path) -> Path | None:
    """The directory a plan's data files point editors at (their first line's
    ``$schema=DIR/NAME.schema.json``, relative to the data directory), or None when no file
    says (or none can be read)."""
    for name in SCHEMA_MODELS:
        try:
            with open(data_dir / f"{name}.yaml", encoding="utf-8", errors="replace") as file:
                first = file.readline(1000).strip()
        except OSError:
            continue
        if first.startswith(SCHEMA_COMMENT):
            target = first.removeprefix(SCHEMA_COMMENT).strip()
            if target.endswith(".schema.json") and "://" not in target:
                return Path(os.path.normpath(data_dir / Path(target).parent))
    return None
