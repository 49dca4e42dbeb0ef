"""Owner updates: what a metric's owner says about it (a rating, commentary, the recovery action
and its date), kept in ``updates.yaml``, an append-only log written by ``lsc update``.

Pure: the model of an entry and its log line's fields, the checks ``lsc check`` applies, how
``lsc update``'s input becomes an entry, and which update is in force on a date. The log is
read and written by the same protocol as the actuals log (`applog`, `logwriter`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import Field, ValidationError

from .checks import place_problem
from .listing import unknown_hint
from .models import ActualDate, IsoDate, Slug, Text, Timestamp, _Model
from .problems import LscError, NotFound, Problem, did_you_mean

if TYPE_CHECKING:
    from .plan import Plan
    from .status import MetricStatus, PlaceStatus

RAGS = ("achieved", "on_track", "at_risk", "off_track")
"""An owner's ratings, best first (the order `mismatch` compares in)."""

_Day = date  # a field named ``date`` hides the type inside `Update`

Rag = Literal["achieved", "on_track", "at_risk", "off_track"]


class Update(NamedTuple):
    """One owner update, as loaded (validated by `UpdateEntry`)."""

    metric: str
    date: date
    rag: str
    note: str
    action: str | None = None
    recovery: _Day | None = None
    place: str | None = None
    by: str | None = None
    recorded: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """The update as JSON has it: ``{"date", "rag", "note", "action", "recovery", "by"}``."""
        return {
            "date": self.date.isoformat(),
            "rag": self.rag,
            "note": self.note,
            "action": self.action,
            "recovery": self.recovery.isoformat() if self.recovery else None,
            "by": self.by,
        }


class UpdateEntry(_Model):
    """One entry of the append-only owner updates log, as written: the schema and validation."""

    metric: Slug
    date: ActualDate = Field(description="The date of the update, YYYY-MM-DD.")
    rag: Rag = Field(description="The owner's rating: on_track, at_risk, off_track or achieved.")
    note: Text = Field(description="The owner's commentary.")
    action: Text | None = Field(None, description="The recovery action, if any.")
    recovery: IsoDate | None = Field(
        None, description="When the recovery action should bring the metric back on track."
    )
    place: Slug | None = Field(
        None, description="The place the update is about; absent: the metric as a whole."
    )
    by: Text | None = None
    recorded: Timestamp | None = Field(None, description="When the tool wrote the entry (UTC).")

    def to_update(self) -> Update:
        return Update(
            self.metric,
            self.date,
            self.rag,
            self.note,
            self.action,
            self.recovery,
            self.place,
            self.by,
            self.recorded,
        )


def update_fields(update: Update) -> dict[str, str | float | bool]:
    """An update's fields as written, leaving out the empty ones, in the order metric, date,
    rag, note, action, recovery, place, by, recorded."""
    fields: dict[str, str | float | bool] = {
        "metric": update.metric,
        "date": update.date.isoformat(),
        "rag": update.rag,
        "note": update.note,
    }
    if update.action is not None:
        fields["action"] = update.action
    if update.recovery is not None:
        fields["recovery"] = update.recovery.isoformat()
    for name in ("place", "by"):
        text = getattr(update, name)
        if text is not None:
            fields[name] = text
    if update.recorded is not None:
        fields["recorded"] = update.recorded.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return fields


# --- lsc check -------------------------------------------------------------------------------


def update_problems(update: Update, plan: Plan, today: date | None) -> Iterator[tuple[str, str]]:
    """What is wrong with one update against the plan: (the key at fault, the message) pairs,
    with the rule id as the message's prefix before a tab."""
    metric = plan.metric_by_id.get(update.metric)
    if metric is None:
        if update.metric not in plan.rejected_ids and plan.knows_all("metrics"):
            hint = did_you_mean(update.metric, list(plan.metric_by_id))
            yield "metric", f"update-unknown-metric\tunknown metric {update.metric!r}{hint}"
    elif update.place is not None:
        problem = place_problem(metric, update.place)
        if problem:
            yield "place", f"update-place\t{problem}"
    if today is not None and update.date > today:
        yield "date", f"update-future\tdate {update.date} is in the future (today is {today})"
    if update.recovery is not None and update.recovery < update.date:
        yield (
            "recovery",
            f"update-recovery-order\trecovery date {update.recovery} is before the update's "
            f"date {update.date}: a recovery is planned on or after the update",
        )


def check_updates(plan: Plan, today: date | None) -> list[Problem]:
    """Each update names a known metric (and a place it is tracked at), is not in the future,
    and plans its recovery on or after its own date."""
    doc = plan.documents.get("updates")
    problems = []
    for update, position in zip(plan.updates, plan.update_positions, strict=True):
        for key, text in update_problems(update, plan, today):
            rule, message = text.split("\t", 1)
            if doc is not None:
                problems.append(Problem(doc.source((position, key)), message, rule))
    return problems


# --- lsc update ------------------------------------------------------------------------------


class UpdateInput(NamedTuple):
    """``lsc update``'s arguments, as typed."""

    metric: str
    rag: str
    note: str
    action: str | None
    recovery: date | None
    place: str | None
    when: date | None
    by: str


def normalise_rag(text: str) -> str:
    """A rating as typed ('On track', 'on-track', 'ON_TRACK') as its name, or ValueError."""
    name = text.strip().lower().replace("-", "_").replace(" ", "_")
    if name not in RAGS:
        raise ValueError(
            f"unknown rating {text.strip()!r}{did_you_mean(name, RAGS)}; "
            f"choose from {', '.join(RAGS)}"
        )
    return name


def new_update(plan: Plan, given: UpdateInput, *, today: date, recorded: datetime) -> list[Update]:
    """The update ``lsc update`` appends, checked against the plan; LscError (exit 1) refuses
    it, and then nothing is written."""
    metric_id = given.metric.strip()
    if metric_id not in plan.metric_by_id:
        hint = unknown_hint(metric_id, list(plan.metric_by_id), "metrics")
        raise NotFound(f"unknown metric {metric_id!r}{hint}")
    if not given.note.strip():
        raise LscError("--note needs the owner's commentary (it cannot be blank)")
    for name, text in (("--action", given.action), ("--by", given.by)):
        if text is not None and not text.strip():
            raise LscError(f"{name} cannot be blank (leave it out instead)")
    place = given.place.strip() if given.place is not None else None
    update = Update(
        metric_id,
        given.when or today,
        given.rag,
        given.note,
        given.action,
        given.recovery,
        place,
        given.by,
        recorded,
    )
    try:
        UpdateEntry.model_validate(update_fields(update))
    except ValidationError as error:
        message = error.errors()[0]["msg"]
        raise LscError(f"the update does not fit its log: {message}") from None
    for key, text in update_problems(update, plan, today):
        rule, message = text.split("\t", 1)
        if rule == "update-place":
            raise NotFound(message)
        raise LscError(message.replace("date ", "--date ", 1) if key == "date" else message)
    return [update]


# --- which update is in force ----------------------------------------------------------------


def latest_update(
    updates: Iterable[Update], metric: str, place: str | None, as_of: date
) -> Update | None:
    """The update in force for a metric (and place; None: the metric as a whole) on
    ``as_of``: the latest dated on or before it; of two on one date, the later in the log."""
    found: Update | None = None
    for update in updates:
        here = update.metric == metric and update.place == place and update.date <= as_of
        if here and (found is None or update.date >= found.date):
            found = update
    return found


def updates_for(updates: Iterable[Update], metric: str, place: str | None) -> list[Update]:
    """A metric's updates in log order (with ``place``, only that place's)."""
    return [u for u in updates if u.metric == metric and (place is None or u.place == place)]


# --- declared against measured ---------------------------------------------------------------

RANK = {"achieved": 3, "on_track": 2, "at_risk": 1, "off_track": 0, "overdue": 0}
"""Ratings and measured statuses in one order, best first; overdue counts as off track.
Statuses not here (no_data, no_baseline, no_target, withdrawn) are never compared."""

MISMATCHES = ("declared_better", "declared_worse")


def mismatch(rag: str | None, status: str) -> str | None:
    """The owner's rating against the measured status: "declared_better" when the rating is
    better (the "watermelon": green outside, red inside), "declared_worse" when it is worse,
    else None (they agree, there is no update, or the status is not one a rating compares
    with: no_data, no_baseline, no_target, withdrawn)."""
    if rag is None or status not in RANK:
        return None
    declared, measured = RANK[rag], RANK[status]
    if declared > measured:
        return "declared_better"
    if declared < measured:
        return "declared_worse"
    return None


def _declared_place(place: PlaceStatus, found: Update | None) -> PlaceStatus:
    from dataclasses import replace

    if found is None:
        return place
    return replace(place, update=found, mismatch=mismatch(found.rag, place.status))


def declared(metric: MetricStatus, updates: list[Update], as_of: date) -> MetricStatus:
    """The metric's status with the owner updates in force on ``as_of`` beside it: the
    metric's own (an update with no place) on the metric row, and on a metric not tracked
    by place on its one row; each place's own on that place's row."""
    from dataclasses import replace

    own = latest_update(updates, metric.id, None, as_of)
    places = tuple(
        _declared_place(
            p, own if p.place is None else latest_update(updates, metric.id, p.place, as_of)
        )
        for p in metric.places
    )
    if own is None and places == metric.places:
        return metric
    return replace(
        metric,
        places=places,
        update=own,
        mismatch=mismatch(own.rag, metric.status) if own is not None else None,
    )


def declared_better_rows(
    metrics: Iterable[MetricStatus],
) -> list[tuple[MetricStatus, PlaceStatus | None]]:
    """Every row (a metric, or one of its places) whose owner rates it better than its
    status: ``--fail-on declared_better``. As for statuses, a metric row shown only to head
    its places does not count."""
    found: list[tuple[MetricStatus, PlaceStatus | None]] = []
    for metric in metrics:
        if metric.mismatch == "declared_better" and not metric.shown_for_places:
            found.append((metric, None))
        found.extend((metric, p) for p in metric.places if p.mismatch == "declared_better")
    return found
