"""Reference implementations the tests hold the package to: simple, slow and obviously
right, kept here because nothing in the package needs them.

- `spc_by_metric`: every series' whole chart (`spc_inputs.metric_spc`), which
  `spc_inputs.assess_with_spc`'s quicker icons must equal.
- `spc_summary`: the two icons a status shows, from a whole chart.
- `latest_actual`: the latest entry that counts on a date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from lsc_tracker import spc, status
from lsc_tracker.models import Actual
from lsc_tracker.plan import Plan
from lsc_tracker.spc_inputs import metric_spc


def spc_by_metric(plan: Plan, as_of: date) -> dict[tuple[str, str | None], spc.SpcResult | None]:
    """`metric_spc` for every metric and place of the plan, reading the log once.

    Keys are ``(metric id, None)`` for every metric, plus ``(metric id, place id)`` for each
    place of a metric tracked by place (whose ``(metric id, None)`` entry is None).
    """
    grouped: dict[tuple[str, str | None], list[Actual]] = defaultdict(list)
    for entry in plan.actuals:
        grouped[(entry.metric, entry.place)].append(entry)
    found: dict[tuple[str, str | None], spc.SpcResult | None] = {}
    for metric in plan.metrics:
        found[(metric.id, None)] = (
            None if metric.places else metric_spc(grouped[(metric.id, None)], metric, None, as_of)
        )
        for place in metric.places:
            found[(metric.id, place)] = metric_spc(
                grouped[(metric.id, place)], metric, place, as_of
            )
    return found


def spc_summary(result: spc.SpcResult | None) -> status.SpcSummary | None:
    """The two icons ``lsc status`` shows (none when the latest group has fewer than 12
    points), or None when SPC does not apply (a milestone)."""
    if result is None:
        return None
    points = result.groups[-1].n if result.groups else 0
    enough = points >= spc.MIN_POINTS
    return status.SpcSummary(
        variation=result.variation if enough else None,
        assurance=result.assurance if enough else None,
        points=points,
        enough_points=enough,
    )


def latest_actual(entries: Iterable[Actual], as_of: date) -> Actual | None:
    """The latest entry that counts on ``as_of`` (see `status.effective_actuals`), or None."""
    counted = status.effective_actuals(entries, as_of)
    return counted[-1] if counted else None
