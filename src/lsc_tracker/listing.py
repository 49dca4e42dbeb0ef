"""What ``lsc list`` lists: the plan's metrics, places and priorities, with their ids.

Pure: from a loaded `Plan`, in the order of their files. Each kind is a `Listing`, its
columns named once (`COLUMNS`), so the table, JSON and CSV show the same fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from .plan import Plan
from .problems import did_you_mean

KINDS: Final = ("metrics", "places", "priorities")
"""What ``lsc list`` lists, in the order ``lsc list`` with no kind shows them."""

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "metrics": ("id", "name", "priority", "kind", "unit", "cadence", "places", "owner"),
    "places": ("id", "name", "parent", "population"),
    "priorities": ("id", "title", "owner", "metrics"),
}
"""Each kind's fields, in the order every format shows them."""


@dataclass(frozen=True)
class Listing:
    """One kind's items: each a dict of `COLUMNS` (None where the plan says nothing;
    ``places`` a list, ``population`` and a priority's ``metrics`` count numbers)."""

    kind: str
    items: list[dict[str, Any]]

    @property
    def columns(self) -> tuple[str, ...]:
        return COLUMNS[self.kind]


def listing(plan: Plan, kind: str, priorities: Sequence[str] = ()) -> Listing:
    """The plan's items of one kind (``metrics``, ``places`` or ``priorities``).

    Args:
        plan: a loaded plan.
        kind: one of `KINDS`.
        priorities: when given, only these priorities and their metrics (every place).

    Returns:
        The items in their file's order; a metric's owner is its own (the priority's owner
        is on the priority's row).
    """
    items: list[dict[str, Any]]
    if kind == "metrics":
        items = [
            {
                "id": m.id,
                "name": m.name,
                "priority": m.priority,
                "kind": m.kind,
                "unit": m.unit,
                "cadence": m.cadence,
                "places": list(m.places),
                "owner": m.owner,
            }
            for m in plan.metrics
            if not priorities or m.priority in priorities
        ]
    elif kind == "places":
        items = [
            {"id": p.id, "name": p.name, "parent": p.parent, "population": p.population}
            for p in plan.places
        ]
    elif kind == "priorities":
        counts: dict[str, int] = {}
        for metric in plan.metrics:
            counts[metric.priority] = counts.get(metric.priority, 0) + 1
        items = [
            {"id": p.id, "title": p.title, "owner": p.owner, "metrics": counts.get(p.id, 0)}
            for p in plan.priorities
            if not priorities or p.id in priorities
        ]
    else:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    return Listing(kind, items)


def unknown_hint(word: str, choices: Iterable[str], kind: str) -> str:
    """The end of an "unknown metric 'x'" message: the close match, " (did you mean
    'x-y'?)", else where to see every id, " (see 'lsc list metrics')" (``kind``: metrics,
    places or priorities)."""
    return did_you_mean(word, choices) or f" (see 'lsc list {kind}')"
