"""The exception report (issue 15, part 4): only what needs the board's attention, one row per
metric. Pure: a `StatusReport` in, rows out; no I/O, no clock.

A metric needs attention, for each of these `REASONS` that holds (in this order):

* its status (for a metric tracked by place, the worst of its places') is ``overdue``,
  ``off_track``, ``at_risk`` or ``no_baseline`` (`ATTENTION_STATUSES`);
* ``declared_better``: the owner rates it, or any of its places, better than measured;
* ``forecast_misses``: the recent trend of the metric, or of any of its places, does not
  reach the target by its deadline (`forecast.Forecast.misses`), whatever the status today.

A metric tracked by place is one row: its places are collapsed into a sentence ("3 of 5
places overdue: blackpool, fylde-coast, lancashire; 1 at risk: ..."), its stage verdicts
counted over the places ("2021: missed at 3 of 5 places, met at 2"), and the owner update
shown is the latest dated of the metric's own and its places'.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from .status import STATUS_ORDER, MetricStatus, PlaceStatus, StatusReport
from .updates import Update
from .words import STATUS_WORDS, forecast_sentence, stage_verdict_text, stages_text

ATTENTION_STATUSES: Final = ("overdue", "off_track", "at_risk", "no_baseline")
"""The statuses that put a metric in the exception report by themselves."""

REASONS: Final = (*ATTENTION_STATUSES, "declared_better", "forecast_misses")
"""Every reason a metric is in the exception report, in the order they are listed."""


@dataclass(frozen=True)
class ExceptionRow:
    """One metric needing attention, as the exception report shows it (places collapsed)."""

    status: MetricStatus
    reasons: tuple[str, ...]  # in REASONS order
    places: str  # "3 of 5 places overdue: a, b, c"; "" for a metric not tracked by place
    update: Update | None  # the latest owner update of the metric or any of its places
    update_place: str | None  # the place ``update`` is for (None: the metric's own)
    mismatch: str | None  # that update's rating against its row's status
    stages: str  # the stage verdicts, counted over the places for a metric tracked by place
    forecast: str  # the forecast sentence; for places, each place's whose trend misses

    @property
    def metric(self) -> str:
        return self.status.id

    @property
    def owner(self) -> str | None:
        return self.status.metric.owner

    @property
    def declared(self) -> str | None:
        """The owner's rating (on_track, at_risk, off_track, achieved), None without one."""
        return self.update.rag if self.update else None


def reasons(metric: MetricStatus) -> tuple[str, ...]:
    """Why the metric needs the board's attention, in `REASONS` order; () when it does not."""
    rows: list[MetricStatus | PlaceStatus] = [metric, *metric.places]
    found = {metric.status} & set(ATTENTION_STATUSES)
    if any(row.mismatch == "declared_better" for row in rows):
        found.add("declared_better")
    if any(row.forecast is not None and row.forecast.misses() for row in rows):
        found.add("forecast_misses")
    return tuple(reason for reason in REASONS if reason in found)


def places_text(metric: MetricStatus) -> str:
    """The places collapsed into one sentence: for each status needing attention, worst
    first, how many places have it and which ("3 of 5 places overdue: a, b, c; 1 at risk:
    d"), then the places an owner rates better than measured and those whose trend misses.
    "" for a metric not tracked by place, and in a ``--place`` view (the row is the place's).
    Give it a metric whose places ``--status`` has not filtered."""
    places = metric.places
    if not _collapsed(metric):
        return ""
    parts: list[str] = []
    for status in STATUS_ORDER:
        if status not in ATTENTION_STATUSES:
            continue
        named = [str(p.place) for p in places if p.status == status]
        if named:
            label = STATUS_WORDS[status].label.lower()
            counted = f"{len(named)} of {len(places)} places" if not parts else str(len(named))
            parts.append(f"{counted} {label}: {', '.join(named)}")
    better = [str(p.place) for p in places if p.mismatch == "declared_better"]
    if better:
        parts.append(f"declared better at {', '.join(better)}")
    missing = [str(p.place) for p in places if p.forecast is not None and p.forecast.misses()]
    if missing:
        parts.append(f"trend misses at {', '.join(missing)}")
    return "; ".join(parts)


def _collapsed(metric: MetricStatus) -> bool:
    """Whether the metric's row stands for several places (not a ``--place`` view, where
    the row is that one place's)."""
    return bool(metric.places) and len(metric.places) == len(metric.metric.places)


def collapsed_stages(places: tuple[PlaceStatus, ...]) -> str:
    """Each stage's verdicts counted over the places: "2021: missed at 3 of 5 places, met at
    2 · 2023: pending at every place". Places share the plan's stages, one per target."""
    if not places or not places[0].stages:
        return ""
    if len(places[0].stages) == 1 and all(s.verdict == "pending" for p in places for s in p.stages):
        return ""  # a single pending stage says nothing the target does not (`stages_text`)
    parts = []
    for index, stage in enumerate(places[0].stages):
        verdicts = Counter(
            p.stages[index].verdict for p in places if len(p.stages) > index
        ).most_common()
        name = f"from {stage.day}" if stage.standing else stage.day.isoformat()
        if len(verdicts) == 1:
            parts.append(f"{name}: {stage_verdict_text(verdicts[0][0])} at every place")
            continue
        said = [
            f"{stage_verdict_text(verdict)} at {count}"
            + (f" of {len(places)} places" if position == 0 else "")
            for position, (verdict, count) in enumerate(verdicts)
        ]
        parts.append(f"{name}: {', '.join(said)}")
    return " · ".join(parts)


def _stages(metric: MetricStatus) -> str:
    if _collapsed(metric):
        return collapsed_stages(metric.places)
    shown = metric.places[0] if metric.places else metric  # a --place view: that place's
    return stages_text(shown.stages, metric.metric.unit)


def _forecast(part: MetricStatus | PlaceStatus, unit: str | None) -> str:
    found = part.forecast
    if found is None:
        return ""
    return forecast_sentence(found, unit)


def _forecasts(metric: MetricStatus) -> str:
    unit = metric.metric.unit
    if not _collapsed(metric):
        return _forecast(metric, unit)
    return "; ".join(
        f"{p.place}: {_forecast(p, unit)}"
        for p in metric.places
        if p.forecast is not None and p.forecast.misses()
    )


def _latest_update(metric: MetricStatus) -> tuple[Update | None, str | None, str | None]:
    """The latest dated owner update of the metric or its places (on a tie, one rated
    better than measured first, then the metric's own), with its place and mismatch."""
    rows: list[MetricStatus | PlaceStatus] = [metric, *metric.places]
    dated = [row for row in rows if row.update is not None]
    if not dated:
        return None, None, None
    chosen = max(
        dated,
        key=lambda row: (
            row.update.date if row.update else date.min,
            row.mismatch == "declared_better",
        ),
    )
    place = chosen.place if isinstance(chosen, PlaceStatus) else None
    return chosen.update, place, chosen.mismatch


def exception_row(metric: MetricStatus) -> ExceptionRow | None:
    """The metric as one exception row, or None when it needs no attention."""
    why = reasons(metric)
    if not why:
        return None
    update, place, mismatch = _latest_update(metric)
    return ExceptionRow(
        status=metric,
        reasons=why,
        places=places_text(metric),
        update=update,
        update_place=place,
        mismatch=mismatch,
        stages=_stages(metric),
        forecast=_forecasts(metric),
    )


def exception_rows(report: StatusReport) -> list[ExceptionRow]:
    """Every metric of the report needing the board's attention, in the report's order, one
    row each (what the HTML report's exceptions section and ``--exceptions`` show)."""
    return [row for metric in report.metrics if (row := exception_row(metric)) is not None]


def only_exceptions(report: StatusReport, statuses: tuple[str, ...] = ()) -> StatusReport:
    """The report narrowed to the metrics needing attention, each with its ``reasons``, for
    ``lsc status --exceptions``: the views then show one row per metric (places collapsed).

    Args:
        report: the report in view (``--priority``/``--place`` applied, not ``--status``:
            a metric's places are counted whole).
        statuses: ``--status``, narrowing further: only metrics whose own status, or one
            of whose places' status, is listed.
    """
    kept = []
    for metric in report.metrics:
        why = reasons(metric)
        in_view = not statuses or {metric.status, *(p.status for p in metric.places)} & set(
            statuses
        )
        if why and in_view:
            kept.append(replace(metric, reasons=why))
    filters = dict(report.filters)
    if statuses:
        filters["status"] = tuple(statuses)
    return replace(report, metrics=tuple(kept), filters=filters, exceptions=True)
