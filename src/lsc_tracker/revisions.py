"""The plan in force on a date: a metric as first written, with its revisions applied.

Pure (models in, models out). A metric's ``revisions`` are decisions kept beside the
original commitment; the plan in force on D is the original with every revision decided on
or before D applied in order (``due``, ``targets`` and ``baseline`` each replaced when the
revision gives them; ``withdrawn: true`` withdraws the metric). So ``lsc status --as-of D``
judges against the plan the board had on D, and ``--plan original`` against the plan as
first written.

A revision *eases* the plan when, compared with the plan in force just before it, it moves
the last deadline later (a milestone's ``due``, or the last target's date), makes the last
target's figure less demanding for the metric's direction (or leaves it open), removes a
target (a date the old list had and the new one lacks, or the standing target), or
withdraws the metric. Boards must see every easing, so views mark them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from .models import Baseline, Metric, Revision, Target


@dataclass(frozen=True)
class AppliedRevision:
    """A revision in force, and whether it eased the plan it replaced."""

    revision: Revision
    eased: bool


@dataclass(frozen=True)
class InForce:
    """A metric's plan in force on a date.

    ``metric``: the metric with the revisions in force applied (with ``original=True``, as
    first written). ``applied``: those revisions, in order. ``withdrawn``: the revision that
    withdrew it, if in force. ``original_due`` and ``original_targets``: as first written.
    """

    metric: Metric
    applied: tuple[AppliedRevision, ...]
    withdrawn: Revision | None
    original_due: date | None
    original_targets: tuple[Target, ...]

    @property
    def revised(self) -> bool:
        """At least one revision is in force."""
        return bool(self.applied)

    @property
    def eased(self) -> bool:
        """At least one revision in force eased the plan."""
        return any(applied.eased for applied in self.applied)


def plan_in_force(metric: Metric, as_of: date, *, original: bool = False) -> InForce:
    """The plan of ``metric`` in force on ``as_of``: every revision decided on or before it
    applied in order (none with ``original=True``). Revisions after a withdrawal are ignored
    (`lsc check` refuses them)."""
    current = metric
    applied: list[AppliedRevision] = []
    withdrawn: Revision | None = None
    if not original:
        for revision in metric.revisions:
            if revision.decided > as_of or withdrawn is not None:
                break
            revised = apply_revision(current, revision)
            applied.append(AppliedRevision(revision, eases(current, revised, revision)))
            current = revised
            if revision.withdrawn:
                withdrawn = revision
    return InForce(current, tuple(applied), withdrawn, metric.due, metric.targets)


def apply_revision(metric: Metric, revision: Revision) -> Metric:
    """``metric`` with what ``revision`` gives replaced (its position in the file is kept)."""
    update: dict[str, Any] = {}
    if revision.due is not None:
        update["due"] = revision.due
    if revision.targets is not None:
        update["targets"] = revision.targets
    if revision.baseline is not None:
        update["baseline"] = revision.baseline
    return metric.model_copy(update=update) if update else metric


def changes_anything(metric: Metric, revision: Revision) -> bool:
    """Whether ``revision`` changes the plan in force ``metric`` at all: it withdraws it, or
    a date or figure it gives differs (notes and sources are commentary, not the plan)."""
    if revision.withdrawn:
        return True
    if revision.due is not None and revision.due != metric.due:
        return True
    if revision.targets is not None and _figures(revision.targets) != _figures(metric.targets):
        return True
    return revision.baseline is not None and _baseline_figures(revision.baseline) != (
        _baseline_figures(metric.baseline)
    )


def eases(before: Metric, after: Metric, revision: Revision) -> bool:
    """Whether going from plan ``before`` to plan ``after`` (by ``revision``) eases it."""
    if revision.withdrawn:
        return True
    if before.due is not None and after.due is not None and after.due > before.due:
        return True
    old, new = before.targets, after.targets
    if not old:
        return False
    if not new:
        return True  # every target removed
    old_days = {target.day for target in old}
    new_days = {target.day for target in new}
    if old_days - new_days:
        return True  # a target removed (or moved: its old date is no longer a stage)
    old_standing, new_standing = _standing(old), _standing(new)
    if old_standing is not None and new_standing is None:
        return True  # the standing commitment removed
    if old_standing is not None and new_standing is not None:
        if (new_standing.from_ or date.min) > (old_standing.from_ or date.min):
            return True  # held from a later date
        if _less_demanding(before, old_standing, after, new_standing):
            return True
    old_last, new_last = _last_deadline(old), _last_deadline(new)
    if old_last is None or new_last is None:
        return False
    if (new_last.by or date.min) > (old_last.by or date.min):
        return True
    return _less_demanding(before, old_last, after, new_last)


def _standing(targets: tuple[Target, ...]) -> Target | None:
    return targets[-1] if targets[-1].is_standing else None


def _last_deadline(targets: tuple[Target, ...]) -> Target | None:
    deadlines = [target for target in targets if not target.is_standing]
    return deadlines[-1] if deadlines else None


def _less_demanding(before: Metric, old: Target, after: Metric, new: Target) -> bool:
    """The new last target asks less than the old one, for the metric's direction."""
    if new.is_open and not old.is_open:
        return True  # a figure became open
    worse = {"decrease": 1.0, "increase": -1.0}.get(after.direction or "")
    if worse is None:
        return False
    old_figure, new_figure = before.target_value(old), after.target_value(new)
    if old_figure is None or new_figure is None:
        if old.change is None or new.change is None:
            return False  # cannot be compared until the baseline is known
        old_figure, new_figure = old.change, new.change  # both relative to a baseline
    if math.isclose(old_figure, new_figure, rel_tol=1e-9, abs_tol=1e-12):
        return False
    return (new_figure - old_figure) * worse > 0


def _figures(targets: tuple[Target, ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple((t.by, t.from_, t.value, t.change) for t in targets)


def _baseline_figures(baseline: Baseline | None) -> tuple[Any, ...] | None:
    return None if baseline is None else (baseline.date, baseline.value)
