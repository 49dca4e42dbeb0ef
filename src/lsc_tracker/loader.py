"""Load a data directory into a `Plan`, collecting every problem instead of stopping at one.

Stages, as in beancount: read bytes -> parse YAML with positions (`yamlsource`) -> validate
each item against its model (`models`) -> cross-file checks (`checks`). Bad data never
raises: `load` returns ``(plan, problems)`` and the caller decides what to do.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    with_config,
)
from typing_extensions import TypedDict

from .models import Actual, ActualEntry, Metric, Place, Priority, date_from_text, parse_timestamp
from .problems import Problem, Source, did_you_mean
from .yamlsource import Document, Loc, LogDocument, parse_log, parse_yaml

PLAN_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "priorities": ("priorities.yaml", Priority),
    "places": ("places.yaml", Place),
    "metrics": ("metrics.yaml", Metric),
}
ACTUALS_FILE = "actuals.yaml"
LOCK_FILE = ".actuals.yaml.lock"  # flock'ed by writers (actuals.locked); holds the journal
PENDING_APPEND = b"lsc-pending-append "  # + b"OFFSET LENGTH\n" + the bytes being appended
FILE_NAMES = [name for name, _ in PLAN_FILES.values()] + [ACTUALS_FILE]


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

    @cached_property
    def _actual_index(self) -> dict[int, int]:
        positions = self.actual_positions or range(len(self.actuals))
        return {id(actual): index for actual, index in zip(self.actuals, positions, strict=True)}

    def index_of(self, item: BaseModel) -> int:
        """Position of a loaded item in its file's list (-1 for one not from the files)."""
        if isinstance(item, Actual):
            return self._actual_index.get(id(item), -1)
        return item.index  # type: ignore[attr-defined]

    def knows_all(self, kind: str) -> bool:
        """Whether ``kind``'s file loaded whole, so an id missing from it is really unknown."""
        return kind not in self.broken_files

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
        self, kind: str, item: BaseModel | int, *loc: str | int, key: bool = False
    ) -> Source:
        """Where ``item`` (or one of its keys, ``loc``) is written, for error messages."""
        doc = self.documents.get(kind)
        index = item if isinstance(item, int) else self.index_of(item)
        if doc is None:
            return Source(str(self.data_dir / f"{kind}.yaml"))
        prefix: Loc = (kind, index) if kind in PLAN_FILES else (index,)
        return doc.source((*prefix, *loc), key=key)


def display_path(data_dir: Path, name: str) -> str:
    """The path to show in messages: the directory as the user gave it, plus the file name."""
    return str(data_dir / name)


def committed(raw: bytes, journal: bytes) -> bytes:
    """The log without the part of an append whose writer was killed mid-write.

    Before appending, a writer puts `PENDING_APPEND`, the offset, the length and the bytes it
    is about to append into the lock file, and empties it once they are all written and
    synced. A SIGKILL or a power cut can stop a write of more than a page partway: a log
    whose end is a proper part of those bytes, from that offset, reads as if none of them
    had been written (and the next writer truncates them away). Anything else is kept.
    """
    if not journal.startswith(PENDING_APPEND):
        return raw
    header, _, pending = journal.partition(b"\n")
    try:
        offset, length = (int(number) for number in header[len(PENDING_APPEND) :].split())
    except ValueError:
        return raw
    if len(pending) != length or not offset < len(raw) < offset + length:
        return raw
    return raw[:offset] if raw[offset:] == pending[: len(raw) - offset] else raw


@contextmanager
def shared_log_lock(data_dir: Path, *, timeout: float = 60.0) -> Iterator[bytes]:
    """Hold a shared lock on the log while reading it, so that no append is under way;
    yields the journal (see `committed`). Without a lock file (no one has ever recorded
    here) or after ``timeout`` s of writers, reads without it."""
    try:
        fd = os.open(data_dir / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        yield b""
        return
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.002)
            except OSError:
                break
        try:
            journal = os.pread(fd, os.fstat(fd).st_size, 0)
        except OSError:  # not a readable file (a directory, say): there is no journal
            journal = b""
        yield journal
    finally:
        os.close(fd)


def read_text(path: Path, shown: str, *, journal: bytes = b"") -> tuple[str | None, Problem | None]:
    """Read a UTF-8 file (BOM allowed); a missing or unreadable file is a problem, not a crash.

    For the log, ``journal`` is the lock file's content: see `committed`.
    """
    try:
        raw = committed(path.read_bytes(), journal)
    except FileNotFoundError:
        return None, Problem(Source(shown), "file not found", "file-missing")
    except IsADirectoryError:
        return None, Problem(
            Source(shown), "is a directory, expected a YAML file", "file-unreadable"
        )
    except OSError as error:
        return None, Problem(Source(shown), f"cannot read: {error.strerror}", "file-unreadable")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        offset = error.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        before = raw[:offset]
        line = before.count(b"\n") + 1
        column = offset - (before.rfind(b"\n") + 1) + 1
        message = f"not UTF-8: byte 0x{raw[offset]:02x} cannot be decoded; save the file as UTF-8"
        return None, Problem(Source(shown, line, column), message, "file-encoding")
    return text, None


def _message(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return f"missing required key {error['loc'][-1]!r}"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        allowed = _keys_at(model, error["loc"][:-1])
        hint = did_you_mean(name, allowed) if allowed else ""
        return f"unknown key {name!r}{hint}" + (
            f"; allowed keys: {', '.join(allowed)}" if allowed and not hint else ""
        )
    shown = error.get("input")
    if isinstance(shown, (dict, list)):
        return f"{error['msg']}, got a {'mapping' if isinstance(shown, dict) else 'list'}"
    return f"{error['msg']}, got {str(shown)!r}"


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a model accepts at a nested location, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _nested_model(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def _nested_model(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def validate_items(
    doc: Document,
    items: list[Any],
    model: type[BaseModel],
    prefix: Loc,
    rejected: set[str] | None = None,
) -> tuple[list[Any], list[Problem], list[int]]:
    """Validate each item on its own, so one bad item does not hide the others.

    Returns the valid items, the problems, and the position in ``items`` of each valid item.

    The ids of items that fail are added to ``rejected``, so that later checks do not
    report references to them as unknown (one mistake, one message).
    """
    rejected = set() if rejected is None else rejected
    positions: list[int] = []
    valid: list[Any] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        loc = (*prefix, index)
        if not isinstance(item, dict):
            problems.append(
                Problem(doc.source(loc), f"expected a mapping of keys, got {item!r}", "schema")
            )
            continue
        try:
            obj = model.model_validate(item)
        except ValidationError as error:
            if isinstance(item.get("id"), str):
                rejected.add(str(item["id"]))
            for detail in error.errors(include_url=False):
                where = doc.source((*loc, *detail["loc"]), key=detail["type"] == "extra_forbidden")
                problems.append(Problem(where, _message(detail, model), "schema"))
            continue
        if obj.__pydantic_private__ is not None:
            obj.__pydantic_private__["_index"] = index
        valid.append(obj)
        positions.append(index)
    return valid, problems, positions


def _top_level_list(doc: Document, kind: str) -> tuple[list[Any], list[Problem]]:
    """The list under ``kind:`` in a plan file, checking the file's top-level shape."""
    data = doc.data
    if data is None:
        return [], [
            Problem(doc.source(), f"the file is empty: expected '{kind}:' and a list", "schema")
        ]
    if not isinstance(data, dict):
        return [], [Problem(doc.source(), f"expected a mapping with the key '{kind}:'", "schema")]
    problems = []
    for key in data:
        if key not in (kind, "version"):
            message = f"unknown top-level key {key!r}{did_you_mean(key, [kind, 'version'])}"
            problems.append(Problem(doc.source((key,), key=True), message, "schema"))
    if "version" in data and str(data["version"]) != "1":
        problems.append(
            Problem(
                doc.source(("version",)), "unsupported version: this tool reads version 1", "schema"
            )
        )
    if kind not in data:
        problems.append(Problem(doc.source(), f"missing the top-level key '{kind}:'", "schema"))
        return [], problems
    items = data[kind]
    if items is None:
        return [], problems
    if not isinstance(items, list):
        problems.append(Problem(doc.source((kind,)), f"'{kind}' must be a list", "schema"))
        return [], problems
    return items, problems


def load_plan_file(plan: Plan, kind: str) -> list[Problem]:
    name, model = PLAN_FILES[kind]
    shown = display_path(plan.data_dir, name)
    text, problem = read_text(plan.data_dir / name, shown)
    if problem:
        plan.broken_files.add(kind)
        return [problem]
    doc = parse_yaml(text or "", shown)
    plan.documents[kind] = doc
    if doc.problems:
        plan.broken_files.add(kind)
        return list(doc.problems)
    items, problems = _top_level_list(doc, kind)
    if problems:
        plan.broken_files.add(kind)
    valid, item_problems, _ = validate_items(doc, items, model, (kind,), plan.rejected_ids)
    setattr(plan, kind, valid)
    return problems + item_problems


def load_actuals(plan: Plan, *, lock: bool = True) -> list[Problem]:
    """Load the actuals log; a missing file is an empty log.

    ``lock``: read it under the shared lock (False when the caller holds the exclusive one).
    """
    path = plan.data_dir / ACTUALS_FILE
    shown = display_path(plan.data_dir, ACTUALS_FILE)
    if not path.exists() and not path.is_symlink():
        return []
    if lock:
        with shared_log_lock(plan.data_dir) as journal:
            text, problem = read_text(path, shown, journal=journal)
    else:
        text, problem = read_text(path, shown)
    if problem:
        plan.broken_files.add("actuals")
        return [problem]
    doc = parse_log(text or "", shown)
    plan.documents["actuals"] = doc
    problems = list(doc.problems)
    if problems:
        return problems + truncation_hint(doc)
    if not isinstance(doc.data, list):
        return [
            Problem(doc.source(), "expected a list of entries, each starting with '- '", "schema")
        ]
    entries = doc.data
    fast = fast_actuals(entries) if len(doc.fast_entry_lines) == len(entries) else None
    if fast is not None:
        plan.actuals = fast
        return []
    valid, item_problems, plan.actual_positions = validate_items(doc, entries, ActualEntry, ())
    plan.actuals = [entry.to_actual() for entry in valid]
    return item_problems


# Tool-written log lines hold JSON types already, so one strict schema checked entirely inside
# pydantic-core accepts them in bulk, several times faster than `ActualEntry`'s per-field
# Python validators. It accepts a subset of what ActualEntry accepts, with the same meaning;
# anything it refuses goes through ActualEntry, which gives the positioned messages.
_SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@with_config(ConfigDict(extra="forbid", strict=True))
class _ToolWrittenEntry(TypedDict):
    metric: Annotated[str, StringConstraints(pattern=_SLUG_PATTERN)]
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    value: Annotated[float, Field(allow_inf_nan=False)] | Literal["done"]
    place: NotRequired[Annotated[str, StringConstraints(pattern=_SLUG_PATTERN)]]
    note: NotRequired[str]
    by: NotRequired[str]
    recorded: NotRequired[str]
    replaces: NotRequired[bool]


_tool_written_entries = TypeAdapter(list[_ToolWrittenEntry])


def fast_actuals(entries: list[Any]) -> list[Actual] | None:
    """The entries as Actuals if every one passes the strict schema, else None."""
    try:
        checked = _tool_written_entries.validate_python(entries)
        day = date_from_text  # cached: a log holds few distinct dates
        return [
            Actual(
                entry["metric"],
                day(entry["date"]),
                entry["value"],
                entry.get("place"),
                entry.get("note"),
                entry.get("by"),
                parse_timestamp(entry["recorded"]) if "recorded" in entry else None,
                entry.get("replaces", False),
            )
            for entry in checked
        ]
    except (ValidationError, ValueError):
        return None


def truncation_hint(doc: Document) -> list[Problem]:
    """Say so plainly when the log's last entry looks cut off (a crash mid-write)."""
    if not isinstance(doc, LogDocument):
        return []
    content = [i for i, line in enumerate(doc.lines) if line.strip() and line.strip()[0] != "#"]
    if not content:
        return []
    last_line = content[-1] + 1
    written_by_tool = doc.lines[content[-1]].startswith("- {")
    if not written_by_tool or last_line in set(doc.fast_entry_lines.values()):
        return []
    # only a syntax error at the very end says the line is cut short: a duplicate key, a tag
    # or a bad character on a whole line is reported as what it is
    end = (last_line, len(doc.lines[content[-1]].rstrip("\r")))
    if not any(
        p.rule == "yaml-syntax" and (p.source.line, p.source.column) > end for p in doc.problems
    ):
        return []
    message = (
        "the last entry is incomplete (cut off by a crash?): delete or repair this line, "
        "then record that value again"
    )
    return [Problem(Source(doc.path, last_line, 1), message, "log-truncated")]


def load(
    data_dir: Path | str, *, today: date | None = None, lock: bool = True
) -> tuple[Plan, list[Problem]]:
    """Load and check a data directory. Returns the plan and every problem found, sorted.

    Args:
        data_dir: the directory holding priorities.yaml, places.yaml, metrics.yaml and
            (optionally) actuals.yaml.
        today: actuals dated after this are problems; None skips that check.
        lock: read the log under its shared lock, so that an append under way is not seen
            half done; False only for a writer that holds the exclusive lock.
    """
    from .checks import run_checks

    plan = Plan(Path(data_dir))
    problems: list[Problem] = []
    if not plan.data_dir.is_dir():
        shown = str(data_dir)
        reason = "is not a directory" if plan.data_dir.exists() else "does not exist"
        return plan, [Problem(Source(shown), f"data directory {reason}", "file-missing")]
    for kind in PLAN_FILES:
        problems.extend(load_plan_file(plan, kind))
    problems.extend(load_actuals(plan, lock=lock))
    problems.extend(run_checks(plan, today=today))
    return plan, sort_problems(problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    unique = {(p.source, p.message): p for p in problems}
    return sorted(unique.values(), key=Problem.sort_key)
