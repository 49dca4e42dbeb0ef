"""Load a data directory into a `Plan`, collecting every problem instead of stopping at one.

Stages, as in beancount: read the files (`files`, and `applog.read` for the log, under its
lock) -> parse YAML with positions (`yamlsource`, `applog.parse`) -> validate each item
against its model (`validate`) -> cross-file checks (`checks`). Bad data never raises:
`load` returns ``(plan, problems)`` and the caller decides what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .applog.parse import LogDocument, parse_log
from .applog.read import read_log, truncation_hint
from .applog.spec import LogSpec
from .checks import run_checks
from .files import display_path, read_text
from .models import ActualEntry, Metric, Place, Priority
from .plan import ACTUALS, PLAN_FILES, UPDATES, Plan
from .problems import MAX_LISTED, Problem, Source, did_you_mean, too_many
from .updates import UpdateEntry, check_updates
from .validate import fast_actuals, validate_items
from .yamlsource import Document, parse_yaml

PLAN_MODELS: dict[str, type[BaseModel]] = {
    "priorities": Priority,
    "places": Place,
    "metrics": Metric,
}


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
    """Read, parse and validate one plan file (``kind``) into ``plan``; its problems."""
    shown = display_path(plan.data_dir, PLAN_FILES[kind])
    text, problem = read_text(plan.data_dir / PLAN_FILES[kind], shown)
    if problem:
        plan.broken_files.add(kind)
        return [problem]
    return load_plan_text(plan, kind, text or "", shown)


def load_plan_text(plan: Plan, kind: str, text: str, shown: str) -> list[Problem]:
    """Parse and validate one plan file's ``text`` (``kind``, named ``shown`` in problems)
    into ``plan``; its problems. (`provenance` gives the file's text at a git commit.)"""
    model = PLAN_MODELS[kind]
    doc = parse_yaml(text, shown)
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
    doc, problems = _read_log_document(plan, ACTUALS, "actuals", lock=lock)
    return problems if doc is None else problems + _load_entries(plan, doc)


def _read_log_document(
    plan: Plan, spec: LogSpec, kind: str, *, lock: bool
) -> tuple[LogDocument | None, list[Problem]]:
    """Read and parse one append-only log of the data directory (`applog`): its document
    and the problems of reading it; no document for a missing file (no entries) or an
    unreadable one (``kind`` is then marked broken, so ids it would hold are not unknown)."""
    path = plan.data_dir / spec.file
    shown = display_path(plan.data_dir, spec.file)
    if not path.exists() and not path.is_symlink():
        return None, []
    log = read_log(spec, path, shown, lock=lock)
    if log.text is None:
        plan.broken_files.add(kind)
        return None, log.problems
    return parse_log(log.text, shown), log.problems


def _load_entries(plan: Plan, doc: LogDocument) -> list[Problem]:
    """Validate the parsed log's entries into ``plan.actuals``: all at once when the tool
    wrote them all (`fast_actuals`), else one by one with positioned problems."""
    plan.documents["actuals"] = doc
    if doc.problems:
        return list(doc.problems) + truncation_hint(doc)
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
    return item_problems + (truncation_hint(doc, item_problems) if item_problems else [])


def load_updates(plan: Plan, *, lock: bool = True) -> list[Problem]:
    """Load the owner updates log (`updates`) by the actuals log's protocol; a missing file
    means no updates. ``lock``: read it under the shared lock (False: the caller holds the
    exclusive one)."""
    doc, read_problems = _read_log_document(plan, UPDATES, "updates", lock=lock)
    if doc is None:
        return read_problems
    plan.documents["updates"] = doc
    if doc.problems:
        return read_problems + list(doc.problems) + truncation_hint(doc)
    if doc.data is None:
        return read_problems
    if not isinstance(doc.data, list):
        return [
            *read_problems,
            Problem(doc.source(), "expected a list of entries, each starting with '- '", "schema"),
        ]
    valid, item_problems, plan.update_positions = validate_items(doc, doc.data, UpdateEntry, ())
    plan.updates = [entry.to_update() for entry in valid]
    hint = truncation_hint(doc, item_problems) if item_problems else []
    return read_problems + item_problems + hint


def load(
    data_dir: Path | str,
    *,
    today: date | None = None,
    lock: bool = True,
    held: LogSpec = ACTUALS,
    actuals: bool = True,
    plan_texts: Mapping[str, str] | None = None,
    before_checks: Callable[[Plan], None] | None = None,
) -> tuple[Plan, list[Problem]]:
    """Load and check a data directory. Returns the plan and every problem found, sorted.

    Args:
        data_dir: the directory holding priorities.yaml, places.yaml, metrics.yaml and
            (optionally) actuals.yaml.
        today: actuals dated after this are problems; None skips that check.
        lock: read the logs under their shared locks, so that an append under way is not
            seen half done; False only for a writer that holds ``held``'s exclusive lock
            (``held`` is then read without a lock, the other log under its shared lock).
        actuals: False leaves the actuals log unread (for the updates writer, which does not
            need it: so it never waits for that log's lock while holding its own).
        plan_texts: the plan files' texts by kind, read instead of the files (`provenance`:
            the plan as it was at a git commit); None reads the files.
        before_checks: called with the loaded plan before the cross-file checks (`provenance`
            leaves out the log entries not yet known then).
    """
    plan = Plan(Path(data_dir))
    problems: list[Problem] = []
    if not plan.data_dir.is_dir():
        shown = str(data_dir)
        reason = "is not a directory" if plan.data_dir.exists() else "does not exist"
        return plan, [Problem(Source(shown), f"data directory {reason}", "file-missing")]
    for kind in PLAN_FILES:
        if plan_texts is None:
            problems.extend(load_plan_file(plan, kind))
        else:
            shown = display_path(plan.data_dir, PLAN_FILES[kind])
            problems.extend(load_plan_text(plan, kind, plan_texts[kind], shown))
    if actuals:
        problems.extend(load_actuals(plan, lock=lock or held is not ACTUALS))
    problems.extend(load_updates(plan, lock=lock or held is not UPDATES))
    if before_checks is not None:
        before_checks(plan)
    problems.extend(run_checks(plan, today=today))
    if plan.updates:
        problems.extend(check_updates(plan, today))
    return plan, sort_problems(problems)


def sort_problems(problems: Iterable[Problem], limit: int = MAX_LISTED) -> list[Problem]:
    """The problems in file order, each once; past ``limit``, the rest are one last problem
    that counts them (each stage collects about ``limit`` at most, so this stays small)."""
    unique = {(p.source, p.message): p for p in problems}
    ordered = sorted(unique.values(), key=Problem.sort_key)
    if len(ordered) <= limit + 1:
        return ordered
    left = ordered[limit:]
    at_least = "at least " if any(p.rule == "too-many-problems" for p in left) else ""
    more = f"{at_least}{len(left):,} more problems from here on, not listed"
    return [*ordered[:limit], too_many(left[0].source, more)]
