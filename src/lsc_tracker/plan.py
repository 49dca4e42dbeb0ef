"""The plan: everything in a data directory that passed validation, and its files' names.

The pure modules (checks, status, spc, views...) take a `Plan` and never import the I/O
layer (`loader`, `applog`) that builds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from .applog.spec import LogSpec
from .models import Actual, Metric, Place, Priority
from .problems import Source

if TYPE_CHECKING:
    from .asknown import AsKnown
    from .updates import Update
    from .yamlsource import Document, Loc

# kind -> file name, in loading order
PLAN_FILES: dict[str, str] = {
    "priorities": "priorities.yaml",
    "places": "places.yaml",
    "metrics": "metrics.yaml",
}
ACTUALS = LogSpec(
    "actuals.yaml",
    header=(
        "# yaml-language-server: $schema=../schemas/actuals.schema.json\n"
        "# Actuals of the metrics in metrics.yaml, one entry per line, oldest first.\n"
        "# Written by 'lsc record' and 'lsc import' (see docs/recording.md): append, never edit;\n"
        "# to correct a value, record it again with --replace.\n"
    ),
)
"""The actuals log: its file name, its side files' names and a new log's first lines."""
UPDATES = LogSpec(
    "updates.yaml",
    header=(
        "# yaml-language-server: $schema=../schemas/updates.schema.json\n"
        "# Owner updates on the metrics in metrics.yaml (rating, commentary, recovery action),\n"
        "# one entry per line, oldest first. Written by 'lsc update' (see docs/recording.md):\n"
        "# append, never edit; a later update supersedes an earlier one.\n"
    ),
)
"""The owner updates log (`updates`), kept by the same protocol as the actuals log."""
FILE_NAMES = [*PLAN_FILES.values(), ACTUALS.file]
GITIGNORE = ".gitignore"
GITATTRIBUTES = ".gitattributes"
GIT_SETTINGS = (GITIGNORE, GITATTRIBUTES)
"""The git settings `lsc init` writes beside the plan (its side files ignored; the logs merged
by union across clones): part of the data directory, never a place for a report."""
LOGS = (ACTUALS, UPDATES)
"""Every append-only log a data directory may hold (a missing one is an empty log)."""


def counted_actuals(actuals: list[Actual]) -> list[Actual]:
    """The entries of a log that count: without the void entries (``void: true``) and every
    entry a later void withdrew (the same metric, place and date, earlier in the log). The
    list itself when there is no void, so a log without one costs a scan."""
    last_void: dict[tuple[str, str | None, date], int] = {}
    for index, actual in enumerate(actuals):
        if actual.void:
            last_void[(actual.metric, actual.place, actual.date)] = index
    if not last_void:
        return actuals
    return [
        actual
        for index, actual in enumerate(actuals)
        if not actual.void and index > last_void.get((actual.metric, actual.place, actual.date), -1)
    ]


@dataclass
class Plan:
    """Everything in a data directory that passed its own model's validation.

    Items keep their position in their file (``item.index``), and `documents` keeps the
    position index of every file, so any later check can point at an exact key.
    """

    data_dir: Path
    priorities: list[Priority] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    actuals: list[Actual] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    rejected_ids: set[str] = field(default_factory=set)
    broken_files: set[str] = field(default_factory=set)
    actual_positions: list[int] | None = None  # file index of each actual; None: the same
    updates: list[Update] = field(default_factory=list)  # the owner updates log, in log order
    update_positions: list[int] = field(default_factory=list)  # file index of each update
    as_known: AsKnown | None = None  # read as known on a past date (--as-known, `provenance`)

    @cached_property
    def _actual_index(self) -> dict[int, int]:
        positions = self.actual_positions or range(len(self.actuals))
        return {id(actual): index for actual, index in zip(self.actuals, positions, strict=True)}

    def index_of(self, item: BaseModel | Actual) -> int:
        """Position of a loaded item in its file's list (-1 for one not from the files)."""
        if isinstance(item, Actual):
            return self._actual_index.get(id(item), -1)
        index = getattr(item, "index", -1)  # plan items remember theirs (models._PlanItem)
        return index if isinstance(index, int) else -1

    def knows_all(self, kind: str) -> bool:
        """Whether ``kind``'s file loaded whole, so an id missing from it is really unknown."""
        return kind not in self.broken_files

    @cached_property
    def counted(self) -> list[Actual]:
        """The entries that count (`counted_actuals`): every status, chart and duplicate
        check reads these; `actuals` is the whole log, voids and what they withdrew included."""
        return counted_actuals(self.actuals)

    @cached_property
    def priority_by_id(self) -> dict[str, Priority]:
        return {p.id: p for p in self.priorities}

    @cached_property
    def place_by_id(self) -> dict[str, Place]:
        return {p.id: p for p in self.places}

    @cached_property
    def metric_by_id(self) -> dict[str, Metric]:
        return {m.id: m for m in self.metrics}

    def source(
        self, kind: str, item: BaseModel | Actual | int, *loc: str | int, key: bool = False
    ) -> Source:
        """Where ``item`` (or one of its keys, ``loc``) is written, for error messages."""
        doc = self.documents.get(kind)
        index = item if isinstance(item, int) else self.index_of(item)
        if doc is None:
            return Source(str(self.data_dir / f"{kind}.yaml"))
        prefix: Loc = (kind, index) if kind in PLAN_FILES else (index,)
        return doc.source((*prefix, *loc), key=key)
