"""Governance in CI: a plan is changed by revision, not by editing history (issue 13, part 5).

`lsc check --base REV` compares ``metrics.yaml`` with its content at git revision REV and
finds every existing metric whose commitments were edited in place:

* its ``due``, ``targets`` or ``baseline`` differ from REV (rule ``changed-without-revision``);
* its ``revisions`` were edited, reordered or removed: they are append-only, so REV's list
  must be a prefix of today's (rule ``revision-edited``);
* it was deleted (rule ``metric-deleted``): a commitment is withdrawn by revision instead.

New metrics, appended revisions, and text (name, description, source, owner, and the note
or source of a target or baseline) change freely. The comparison is of parsed values
(`yamlsource`), not text: reformatting, reordering keys, quoting a date, ``30`` for ``30.0``
or ``-50.0%`` for ``-50%`` is not a change.

Two halves: `read_base` is the one place that runs git (and raises `UsageError`, exit 2, when
it cannot: git missing, not a repository, unknown REV); `compare_metrics` is pure, a base
document and a current one in, problems out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .gitfiles import NotReadable, git_message, run_git, text_at
from .plan import PLAN_FILES
from .problems import Problem, UsageError
from .yamlsource import Document, Loc, PlainScalar, parse_yaml

CHANGED = "changed-without-revision"
REVISION_EDITED = "revision-edited"
DELETED = "metric-deleted"

GOVERNED_FILES = ("metrics",)
"""The plan files compared with REV: only metrics hold commitments (due, targets, baseline)."""

FREE_KEYS = frozenset({"note", "source"})
"""Keys of a target or baseline that are commentary, free to change: only the figures and dates
are the commitment. (A revision is compared whole, its text included: it is a record.)"""

GIT_TIMEOUT = 60

_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_PERCENT = re.compile(r"([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s?%", re.ASCII)

_ADVICE = "keep the original and add a revisions entry with decided, by and reason"


# --- reading the plan at REV (the only git call) ------------------------------------------


@dataclass(frozen=True)
class BaseFiles:
    """The plan files as they were at ``rev``: each kind's text, or None when the file did not
    exist there (or could not be read as UTF-8 text): nothing to compare."""

    rev: str
    texts: dict[str, str | None] = field(default_factory=dict)


def _git(cwd: Path, *args: str) -> tuple[int, bytes, str]:
    """Run ``git ARGS`` in ``cwd``: exit code, stdout, stderr (as text). Raises `UsageError`
    when git cannot be run at all."""
    done = run_git(cwd, *args, option="--base", timeout=GIT_TIMEOUT)
    if done is None:
        raise UsageError(
            "--base needs git, which is not installed (no 'git' on PATH): install git, "
            "or run lsc check without --base"
        )
    return done.returncode, done.stdout, git_message(done)


def read_base(data_dir: Path, rev: str) -> BaseFiles | None:
    """The governed plan files of ``data_dir`` at git revision ``rev``, read with
    ``git show REV:path`` in the repository ``data_dir`` is in (path from its root).

    None when ``data_dir`` is not a directory (the ordinary check says so). Raises
    `UsageError` (exit 2) when git is missing, ``data_dir`` is not in a git repository, or
    ``rev`` is not a commit there.
    """
    if not rev.strip() or rev.startswith("-"):
        raise UsageError(f"--base {rev!r} is not a git revision: give one such as origin/main")
    if not data_dir.is_dir():
        return None
    cwd = data_dir.resolve()
    code, out, message = _git(cwd, "rev-parse", "--show-prefix")
    if code != 0:
        raise UsageError(
            f"--base: {data_dir} is not in a git repository ({message or 'git refused'}); "
            "--base compares the plan with a git revision of the repository that holds it"
        )
    prefix = out.decode("utf-8", "surrogateescape").strip()
    code, out, message = _git(cwd, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if code != 0:
        raise UsageError(
            f"--base {rev}: unknown revision in the repository of {data_dir}: give a branch, "
            "tag or commit it has (in CI, fetch it first: git fetch origin main, or check out "
            "with fetch-depth: 0; see docs/ci.md)"
        )
    commit = out.decode("ascii", "replace").strip()
    texts: dict[str, str | None] = {}
    for kind in GOVERNED_FILES:
        spec = f"{commit}:{prefix}{PLAN_FILES[kind]}"
        try:
            texts[kind] = text_at(cwd, spec, option=f"--base {rev}", timeout=GIT_TIMEOUT)
        except NotReadable:  # absent at REV, too large or not text: nothing to compare
            texts[kind] = None
    return BaseFiles(rev, texts)


def compare_plan(base: BaseFiles, documents: dict[str, Any]) -> list[Problem]:
    """Every governance problem of the current plan files (``documents``, as the loader
    parsed them) against ``base``."""
    problems: list[Problem] = []
    for kind in GOVERNED_FILES:
        text, current = base.texts.get(kind), documents.get(kind)
        if text is None or current is None:
            continue
        before = parse_yaml(text, f"{base.rev}:{PLAN_FILES[kind]}")
        problems.extend(compare_metrics(before, current, base.rev))
    return problems


# --- the pure comparison ------------------------------------------------------------------


def canonical(value: Any, free: frozenset[str] = frozenset()) -> Any:
    """A parsed YAML value as compared: an unquoted number is a float, a percentage a
    ('%', fraction) pair, a mapping a dict without null values (nor the keys in ``free``),
    a list a tuple. So `{by: 2021-03-31, value: 30}` equals its block form, and `30.0`."""
    if isinstance(value, dict):
        pairs = ((str(k), canonical(v)) for k, v in value.items() if k not in free)
        return {k: v for k, v in pairs if v is not None}
    if isinstance(value, list):
        return tuple(canonical(v) for v in value)
    if isinstance(value, str):
        if isinstance(value, PlainScalar) and _NUMBER.fullmatch(value):
            return float(value)
        match = _PERCENT.fullmatch(value.strip())
        if match:
            return ("%", float(match.group(1)) / 100)
        return str(value)
    return value


def _metrics_list(doc: Document) -> list[Any] | None:
    data = doc.data
    if not isinstance(data, dict):
        return None
    items = data.get("metrics")
    return items if isinstance(items, list) else None


def _by_id(items: list[Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    """Each metric with an id, by id (the first of duplicates), with its index."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, item in enumerate(items):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found.setdefault(str(item["id"]), (index, item))
    return found


def compare_metrics(base: Document, current: Document, rev: str) -> list[Problem]:
    """The governance problems of ``current`` (metrics.yaml now) against ``base`` (at REV).

    A file that cannot be read as a list of metrics on either side gives nothing to compare
    (the ordinary check reports the current file's problems)."""
    before_items, now_items = _metrics_list(base), _metrics_list(current)
    if before_items is None or now_items is None or current.problems:
        return []
    now = _by_id(now_items)
    problems: list[Problem] = []
    for metric_id, (_, old) in _by_id(before_items).items():
        if metric_id not in now:
            where = current.source(("metrics",), key=True)
            message = (
                f"metric {metric_id!r} was deleted (it is in {PLAN_FILES['metrics']} at {rev}): "
                "a commitment is not removed from the plan; restore it and, to withdraw it, "
                "add a revisions entry with decided, by, reason and withdrawn: true"
            )
            problems.append(Problem(where, message, DELETED))
            continue
        index, new = now[metric_id]
        for loc, message, rule in _compare_metric(old, new, ("metrics", index)):
            problems.append(Problem(current.source(loc, key=True), message, rule))
    return problems


Finding = tuple[Loc, str, str]  # where in the current file, the message, the rule


def _compare_metric(old: dict[str, Any], new: dict[str, Any], at: Loc) -> list[Finding]:
    findings: list[Finding] = []
    due = _compare_due(old.get("due"), new.get("due"), at)
    if due:
        findings.append(due)
    targets = _compare_targets(old.get("targets"), new.get("targets"), at)
    if targets:
        findings.append(targets)
    baseline = _compare_baseline(old.get("baseline"), new.get("baseline"), at)
    if baseline:
        findings.append(baseline)
    revisions = _compare_revisions(old.get("revisions"), new.get("revisions"), at)
    if revisions:
        findings.append(revisions)
    return findings


def _shown(value: Any) -> str:
    """A scalar as the plan writes it, short."""
    text = "nothing" if value is None else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _compare_due(old: Any, new: Any, at: Loc) -> Finding | None:
    if canonical(old) == canonical(new):
        return None
    loc = (*at, "due")
    if new is None:
        message = (
            f"the deadline {_shown(old)} was removed without a revision: keep it, and to "
            "withdraw the milestone add a revisions entry with decided, by, reason and "
            "withdrawn: true"
        )
    elif old is None:
        message = f"a deadline {_shown(new)} was added without a revision: {_ADVICE}"
    else:
        message = (
            f"the deadline changed from {_shown(old)} to {_shown(new)} without a revision: "
            f"{_ADVICE}"
        )
    return loc, message, CHANGED


def _target_when(target: Any) -> str:
    if not isinstance(target, dict):
        return ""
    if target.get("by") is not None:
        return f"by {_shown(target['by'])}"
    if target.get("from") is not None:
        return f"from {_shown(target['from'])}"
    return "with no date"


def _target_figure(target: Any) -> str:
    if not isinstance(target, dict):
        return _shown(target)
    if target.get("value") is not None:
        return _shown(target["value"])
    if target.get("change") is not None:
        return f"{_shown(target['change'])} of the baseline"
    return "an open figure"


def _target_text(target: Any) -> str:
    when = _target_when(target)
    return f"{_target_figure(target)} {when}".strip()


_TARGETS_ADVICE = (
    "keep the original targets and add a revisions entry with decided, by, reason and "
    "targets (the whole new list)"
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _compare_targets(old: Any, new: Any, at: Loc) -> Finding | None:
    olds, news = _as_list(old), _as_list(new)
    old_c = [canonical(t, FREE_KEYS) for t in olds]
    new_c = [canonical(t, FREE_KEYS) for t in news]
    if old_c == new_c:
        return None
    loc: Loc = (*at, "targets")
    if len(olds) == len(news):
        index = next(i for i, (a, b) in enumerate(zip(old_c, new_c, strict=True)) if a != b)
        was, now = olds[index], news[index]
        loc = (*loc, index, *_first_difference(old_c[index], new_c[index]))
        if _target_when(was) == _target_when(now) and _target_when(now):
            what = (
                f"the target {_target_when(now)} changed from {_target_figure(was)} to "
                f"{_target_figure(now)}"
            )
        else:
            what = f"the target {_target_text(was)} changed to {_target_text(now)}"
    elif new_c[: len(old_c)] == old_c:
        index = len(olds)
        loc = (*loc, index)
        added = "; ".join(_target_text(t) for t in news[index:])
        what = f"{'a target' if len(news) - index == 1 else 'targets'} {added} added"
        what = what.replace(" added", " was added" if len(news) - index == 1 else " were added")
    elif old_c[: len(new_c)] == new_c:
        removed = olds[len(news) :]
        listed = "; ".join(_target_text(t) for t in removed)
        what = f"the target{'s' if len(removed) > 1 else ''} {listed} "
        what += "were removed" if len(removed) > 1 else "was removed"
    else:
        before = "; ".join(_target_text(t) for t in olds) or "none"
        after = "; ".join(_target_text(t) for t in news) or "none"
        what = f"the targets changed from [{before}] to [{after}]"
    return loc, f"{what} without a revision: {_TARGETS_ADVICE}", CHANGED


def _first_difference(old: Any, new: Any) -> Loc:
    """The key of the first differing value of two canonical mappings (() if not both)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ()
    order = ["by", "from", "date", "value", "change", *sorted(set(old) | set(new))]
    for key in order:
        if old.get(key) != new.get(key):
            return (key,) if key in new else ()
    return ()


def _baseline_text(baseline: Any) -> str:
    if baseline is None:
        return "none"
    if not isinstance(baseline, dict):
        return _shown(baseline)
    when, value = baseline.get("date"), baseline.get("value")
    if value is not None and when is not None:
        return f"{_shown(value)} on {_shown(when)}"
    if value is not None:
        return f"{_shown(value)} (no date)"
    if when is not None:
        return f"the actual of {_shown(when)}"
    return "not agreed"


def _compare_baseline(old: Any, new: Any, at: Loc) -> Finding | None:
    old_c, new_c = canonical(old, FREE_KEYS), canonical(new, FREE_KEYS)
    if old_c == new_c:
        return None
    loc: Loc = (*at, "baseline", *_first_difference(old_c, new_c))
    if new is None:
        what = f"the baseline {_baseline_text(old)} was removed"
    elif old is None:
        what = f"a baseline {_baseline_text(new)} was added"
    else:
        what = f"the baseline changed from {_baseline_text(old)} to {_baseline_text(new)}"
    advice = "keep the original and add a revisions entry with decided, by, reason and baseline"
    return loc, f"{what} without a revision: {advice}", CHANGED


def _compare_revisions(old: Any, new: Any, at: Loc) -> Finding | None:
    if old is not None and not isinstance(old, list):
        return None  # not a list at REV: nothing to hold today's to
    olds = _as_list(old)
    news = new if isinstance(new, list) else []
    for index, was in enumerate(olds):
        number = index + 1
        decided = was.get("decided") if isinstance(was, dict) else None
        named = f"revision {number}" + (f" (decided {_shown(decided)})" if decided else "")
        if index >= len(news):
            where: Loc = (*at, "revisions")
            message = (
                f"{named} was removed: revisions are append-only; restore it as it was "
                "(to reverse a decision, add a new revision after the last)"
            )
            return where, message, REVISION_EDITED
        was_c, now_c = canonical(was), canonical(news[index])
        if was_c != now_c:
            where = (*at, "revisions", index, *_first_difference(was_c, now_c))
            message = (
                f"{named} was edited: revisions are append-only; restore it as it was at "
                "the base revision and record a new decision as a new revisions entry after "
                "the last"
            )
            return where, message, REVISION_EDITED
    return None
