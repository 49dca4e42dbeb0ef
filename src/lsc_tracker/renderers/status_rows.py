"""The rows every status format shows, built once from a `StatusReport`.

One row per metric, and one per place under a metric tracked by place (`rows`); the
sections per priority (`sections`) and the plain-words footer (`summary_lines`). The
table, the files (JSON aside, which writes the report itself), the workbook and the HTML
report take these, so no two formats can show different figures.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple

from ..changes import movement
from ..exceptions import exception_row
from ..models import PROGRAMME, Revision
from ..status import (
    UNJUDGED,
    MetricStatus,
    PlaceStatus,
    Stage,
    StatusReport,
    count_statuses,
    worst,
)
from ..words import (
    EXCEPTIONS_NOTE,
    MISMATCH_WORDS,
    NEEDS_ATTENTION,
    ORIGINAL_PLAN,
    PROGRAMME_TITLE,
    PROVISIONAL_NOTE,
    change_text,
    changes_text,
    counts_text,
    declared_text,
    forecast_sentence,
    format_cell,
    provisional_value,
    reasons_text,
    revision_text,
    stages_text,
    standing_text,
    too_few_points_text,
    update_text,
    was_text,
    withdrawn_text,
)


@dataclass(frozen=True)
class Row:
    """One line of the report: a metric, or one place of a metric tracked by place."""

    priority: str
    metric: str
    name: str
    place: str | None
    kind: str
    status: str
    stale: bool
    late: bool
    latest_value: float | str | None
    latest_date: date | None
    expected: float | None
    target_value: float | str | None  # "done" for a milestone
    deadline: date | None
    days_to_deadline: int | None
    unit: str | None
    spc_variation: str | None = None
    spc_assurance: str | None = None  # both None below 12 points: see spc_points
    # a plan that lives (issue 13): CSV and the workbook add these columns at the end
    target_change: float | None = None  # a change target not resolved to a figure
    target_from: date | None = None  # a standing target: it holds from this date on
    baseline_value: float | None = None
    baseline_date: date | None = None
    baseline_from_log: bool | None = None  # None: the plan states no baseline
    missing: str | None = None  # "baseline not recorded for 2019-03-31", "baseline not agreed"
    stages: str = ""  # "2021: missed (34 vs 30) · 2023: pending"
    standing: str = ""  # "held since 2020-04-01, 2 breaches, last 2020-09-30"
    revised: bool = False  # a revision is in force (the metric's, on each of its rows)
    eased: bool = False  # a revision in force eased the plan
    revisions: str = ""  # "revised 2020-05-12 (eased)"
    withdrawn_reason: str | None = None
    owner: str | None = None  # the metric's owner (the senior responsible owner)
    original: str = ""  # the plan as first written, when a revision is in force
    # the owner's update in force (issue 15), and how its rating compares with the status
    declared: str | None = None  # the owner's rating: on_track, at_risk, off_track, achieved
    mismatch: str | None = None  # declared_better, declared_worse
    update_date: date | None = None
    update_note: str | None = None
    update_action: str | None = None
    update_recovery: date | None = None
    update_by: str | None = None
    forecast: str = ""  # the forecast in words (`words.forecast_text`)
    trend_misses: bool = False  # on track today, but the recent trend misses the target
    spc_points: int | None = None  # of the SPC series' latest group; None: no SPC (a milestone)
    spc_enough: bool = False  # enough points (12) for the icons above
    # the forecast's figures (issue 15, part 3), for CSV and the workbook
    forecast_recent_rate_per_month: float | None = None
    forecast_required_rate_per_month: float | None = None
    forecast_projected: float | None = None
    forecast_projected_meets: bool | None = None
    forecast_eta: date | None = None
    # --since and --exceptions (issue 15, parts 4 and 5)
    was: str | None = None  # the status on the --since date
    movement: str | None = None  # since then: better, worse, new_data, withdrawn, changed
    reasons: str = ""  # --exceptions: why it needs attention, ids: "off_track, declared_better"
    places_summary: str = ""  # --exceptions: "1 of 2 places overdue: morecambe-bay"
    # provisional figures (issue 18): the latest value is to be confirmed; where it came from
    provisional: bool = False
    source: str | None = None

    @property
    def latest_text(self) -> str:
        """The latest value as a text view shows it: "1,234.5", "42 P" when provisional
        (`words.PROVISIONAL_MARK`), "" for none."""
        return provisional_value(format_cell(self.latest_value, self.unit), self.provisional)

    @property
    def spc_note(self) -> str:
        """The words "too few points for SPC (5 of 12)" when a series has some points but too
        few for a verdict; "" otherwise (no SPC, no points: the status says no data, or enough)."""
        if not self.spc_points or self.spc_enough:
            return ""
        return too_few_points_text(self.spc_points)

    @property
    def baseline_text(self) -> str:
        """The baseline in words: "100 on 2019-03-31", "40 on 2019-03-31 (from the log)",
        what is missing ("baseline not recorded for 2019-03-31", "baseline not agreed"), or,
        on the row of a metric whose places each take their own, "from the log for
        2019-03-31"; "" for none."""
        if self.missing:
            return self.missing
        if self.baseline_from_log is None:
            return ""
        if self.baseline_value is None:
            if self.baseline_date is None:
                return "baseline not agreed"
            return f"from the log for {self.baseline_date}"
        logged = " (from the log)" if self.baseline_from_log else ""
        return f"{format_cell(self.baseline_value, self.unit)} on {self.baseline_date}{logged}"

    @property
    def target_text(self) -> str:
        """The target as the text views show it: its figure, "−50% of baseline" while a
        change has no baseline value, "done" for a milestone; "" for none."""
        if self.target_change is not None and self.target_value is None:
            return change_text(self.target_change)
        return format_cell(self.target_value, self.unit)

    @property
    def deadline_text(self) -> str:
        """The deadline, or "from 2020-04-01" for a standing target; "" for none."""
        if self.target_from is not None:
            return f"from {self.target_from}"
        return "" if self.deadline is None else str(self.deadline)

    @property
    def revisions_line(self) -> str:
        """The revisions in force and the original plan: "revised 2020-05-12 (eased);
        original plan 50 by 2021-03-31"."""
        if not self.revisions:
            return ""
        return f"{self.revisions}; {self.original}" if self.original else self.revisions

    @property
    def declared_text(self) -> str:
        """The owner's rating with any mismatch: "On track (declared better)"; "" for none."""
        return declared_text(self.declared, self.mismatch) if self.declared else ""

    @property
    def update_text(self) -> str:
        """The owner's update after the rating: "2020-05-01, amy: fine; action: ...;
        recovery by 2020-09-30"; "" for none."""
        if self.update_date is None or self.update_note is None:
            return ""
        return update_text(
            self.update_date,
            self.update_note,
            self.update_action,
            self.update_recovery,
            self.update_by,
        )

    @property
    def mismatch_text(self) -> str:
        """The mismatch in words ("declared better"), as the status cell marks it."""
        return MISMATCH_WORDS[self.mismatch] if self.mismatch else ""

    @property
    def update_line(self) -> str:
        """The owner's update in one line, as the text views show it under the name:
        "owner: On track (declared better), 2020-05-01, amy: fine"; "" for none."""
        return f"owner: {self.declared_text}, {self.update_text}" if self.declared else ""

    @property
    def was_text(self) -> str:
        """The status on the --since date and its movement: "AT RISK, worse ↓"; "" when
        the report is not compared with a date."""
        if self.was is None and self.movement is None:
            return ""
        return was_text(self.was, self.movement)

    @property
    def reasons_text(self) -> str:
        """Why an exception needs attention, in words: "off track, declared better"."""
        return reasons_text(self.reasons.split(", ")) if self.reasons else ""

    @property
    def notes(self) -> list[str]:
        """The lines a text view shows under the metric's name, in this order: why it
        needs attention and its places (--exceptions), the owner update, the forecast, what
        is missing, the standing record, the stages, the revisions, the withdrawal."""
        trend = f"forecast: {self.forecast}" if self.forecast else ""
        attention = f"{NEEDS_ATTENTION}: {self.reasons_text}" if self.reasons else ""
        found = [attention, self.places_summary, self.update_line, trend]
        found += [self.missing or "", self.standing, self.stages]
        if self.place is None:
            found.append(self.revisions_line)
            if self.withdrawn_reason is not None:
                found = [self.revisions]
        return [line for line in found if line]


def rows(report: StatusReport, priority: str | None = None, *, headings: bool = True) -> list[Row]:
    """The report's rows in order, optionally only one priority's.

    ``headings=False`` leaves out the row of a metric shown only to head its places (see
    `MetricStatus.shown_for_places`): in a flat CSV or sheet every row then has a status
    that was asked for.
    """
    found: list[Row] = []
    for metric in report.metrics:
        if report.exceptions and (priority is None or metric.metric.priority == priority):
            found.append(_exception_row(metric))  # one row per metric, places collapsed
            continue
        if priority is None or metric.metric.priority == priority:
            if headings or not metric.shown_for_places:
                found.append(_row(metric, None))
            found.extend(_row(metric, place) for place in metric.places)
    return found


def _row(metric: MetricStatus, place: PlaceStatus | None) -> Row:
    part: MetricStatus | PlaceStatus = metric if place is None else place
    m = metric.metric
    target: float | str | None = part.target.value if part.target else None
    if m.is_milestone and m.due is not None and metric.withdrawn is None:
        target = "done"
    shown = part.target or part.unresolved
    base = part.baseline
    standing = next((s for s in part.stages if s.verdict in ("holding", "breached")), None)
    return Row(
        priority=m.priority,
        metric=m.id,
        name=m.name,
        place=None if place is None else place.place,
        kind=m.kind,
        status=part.status,
        stale=part.stale,
        late=part.late,
        latest_value=part.latest.value if part.latest else None,
        latest_date=part.latest.date if part.latest else None,
        expected=rounded(part.expected, 6),  # shown to 2 decimals; CSV keeps the precision
        target_value=rounded(target, 6) if isinstance(target, float) else target,
        deadline=metric.deadline,
        days_to_deadline=part.days_to_deadline,
        unit=m.unit,
        spc_variation=part.spc.variation if part.spc else None,
        spc_assurance=part.spc.assurance if part.spc else None,
        spc_points=part.spc.points if part.spc else None,
        spc_enough=part.spc.enough_points if part.spc else False,
        target_change=part.unresolved.change if part.target is None and part.unresolved else None,
        target_from=shown.by if shown is not None and shown.standing else None,
        baseline_value=None if base is None else rounded(base.value, 6),
        baseline_date=None if base is None else base.date,
        baseline_from_log=None if base is None else base.from_log,
        missing=part.missing,
        stages=stages_text(part.stages, m.unit),
        standing=_standing(standing),
        revised=bool(metric.revisions),
        eased=metric.eased,
        revisions=revisions_text(metric),
        withdrawn_reason=metric.withdrawn.reason if metric.withdrawn else None,
        owner=m.owner,
        original=original_text(metric) if metric.revisions and not metric.withdrawn else "",
        **_update_fields(part),
        **_forecast_fields(part, m.unit),
        **_was_fields(metric, part),
        provisional=bool(part.latest and part.latest.provisional),
        source=part.latest.source if part.latest else None,
    )


def _was_fields(metric: MetricStatus, part: MetricStatus | PlaceStatus) -> dict[str, Any]:
    """A row's status on the --since date and its movement (`changes.movement`), empty when
    the report is not compared with a date (``was`` is None and so is the movement)."""
    if part.was is None and not metric.was and not any(p.was for p in metric.places):
        return {}
    return {"was": part.was, "movement": movement(part.was, part.status)}


def _exception_row(metric: MetricStatus) -> Row:
    """A metric of the exception report as one row: its places collapsed into a sentence,
    the stage verdicts counted over them, the latest owner update of the metric or a place
    (the note then starts with the place: "south: ..."), the forecasts that miss
    (`exceptions.exception_row`)."""
    found = exception_row(metric)
    row = _row(metric, None)
    if found is None:  # not an exception: shown as it is (a report filtered elsewhere)
        return row
    update: dict[str, Any] = {}
    if found.update is not None:
        shown = found.update
        if found.update_place is not None:
            shown = shown._replace(note=f"{found.update_place}: {shown.note}")
        update = _update_fields(replace(metric, update=shown, mismatch=found.mismatch))
    return replace(
        row,
        reasons=", ".join(found.reasons),
        places_summary=found.places,
        stages=found.stages,
        forecast=found.forecast,
        trend_misses=metric.status == "on_track" and "forecast_misses" in found.reasons,
        **update,
    )


def _forecast_fields(part: MetricStatus | PlaceStatus, unit: str | None) -> dict[str, Any]:
    """A row's forecast in words and its warning (`Row.forecast`), empty without one."""
    found = part.forecast
    if found is None:
        return {}
    text = forecast_sentence(found, unit)
    return {
        "forecast": text,
        "trend_misses": part.status == "on_track" and found.misses(),
        "forecast_recent_rate_per_month": rounded(found.recent_rate_per_month, 6),
        "forecast_required_rate_per_month": rounded(found.required_rate_per_month, 6),
        "forecast_projected": rounded(found.projected, 6),
        "forecast_projected_meets": found.projected_meets,
        "forecast_eta": found.eta,
    }


def _update_fields(part: MetricStatus | PlaceStatus) -> dict[str, Any]:
    """A row's owner update fields (`Row.declared` on), empty without an update."""
    update = part.update
    if update is None:
        return {}
    return {
        "declared": update.rag,
        "mismatch": part.mismatch,
        "update_date": update.date,
        "update_note": update.note,
        "update_action": update.action,
        "update_recovery": update.recovery,
        "update_by": update.by,
    }


def _standing(stage: Stage | None) -> str:
    """A standing target's record once in force: "held since 2020-04-01, 2 breaches, last
    2020-09-30", "breached now; held since ..." while the latest actual misses it."""
    if stage is None:
        return ""
    last = str(stage.last_breach) if stage.last_breach else None
    text = standing_text(str(stage.day), stage.breaches, last)
    return text if stage.verdict == "holding" else f"breached now; {text}"


def original_text(metric: MetricStatus) -> str:
    """The plan as first written, in a few words: "original plan 50 by 2021-03-31",
    "original plan due 2020-04-30", "original plan −50% of baseline by 2021-03-31"."""
    if metric.metric.is_milestone:
        due = metric.original_due
        return f"{ORIGINAL_PLAN} due {due}" if due else f"{ORIGINAL_PLAN}: no due date"
    targets = metric.original_targets
    if not targets:
        return f"{ORIGINAL_PLAN}: no target"
    last = targets[-1]
    unit = metric.metric.unit
    if last.value is not None:
        figure = format_cell(last.value, unit)
    elif last.change is not None:
        figure = change_text(last.change)
    else:
        figure = "left open"
    return f"{ORIGINAL_PLAN} {figure} {'from' if last.is_standing else 'by'} {last.day}"


def revisions_text(metric: MetricStatus) -> str:
    """The revisions in force, marked when they eased the plan: "revised 2020-05-12
    (eased)"; a withdrawal as "withdrawn 2020-05-01 by ICS Board: reason"."""
    found = []
    for applied in metric.revisions:
        revision = applied.revision
        if revision.withdrawn:
            found.append(withdrawn_text(_decision(revision), revision.by, revision.reason))
        else:
            found.append(revision_text(_decision(revision), applied.eased))
    return "; ".join(found)


def _decision(revision: Revision) -> str:
    return revision.decided.isoformat()


def rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def summary_lines(report: StatusReport) -> list[str]:
    """The plain-words footer: how many metrics, their statuses, missed deadlines, actuals."""
    n = len(report.metrics)
    shown = f"{n} metric{'' if n == 1 else 's'}"
    if report.filters:
        shown += (
            " shown ("
            + "; ".join(f"{key}: {', '.join(values)}" for key, values in report.filters.items())
            + ")"
        )
    lines = [f"{shown} as of {report.as_of}: {counts_text(report.counts)}."]
    missed = report.deadlines_missed
    if missed:
        lines.append(
            f"{missed} of them ha{'s' if missed == 1 else 've'} a deadline that has passed "
            "without being met."
        )
    stale = sum(1 for m in report.metrics if m.stale)
    if stale:
        lines.append(f"{stale} ha{'s' if stale == 1 else 've'} stale data (no recent actual).")
    counted = report.actuals_counted
    if counted == 0:
        lines.append(
            f"No actuals are recorded on or before {report.as_of}: these statuses come from "
            "the plan's dates alone."
        )
    else:
        lines.append(f"{counted:,} actual{'' if counted == 1 else 's'} counted.")
    provisional = provisional_count(report)
    if provisional:
        values = f"{provisional} latest value{' is' if provisional == 1 else 's are'}"
        lines.append(f"{PROVISIONAL_NOTE} ({values} provisional).")
    lines.extend(_view_lines(report))
    return lines


def provisional_count(report: StatusReport) -> int:
    """How many latest values shown (of metrics and of places) are provisional."""
    count = 0
    for metric in report.metrics:
        readings = [metric.latest, *(place.latest for place in metric.places)]
        count += sum(1 for reading in readings if reading is not None and reading.provisional)
    return count


def _view_lines(report: StatusReport) -> list[str]:
    """What ``--exceptions`` and ``--since`` add to the footer: that only exceptions are
    shown, and how many rows moved since the date, by movement."""
    lines = []
    if report.exceptions:
        lines.append(EXCEPTIONS_NOTE)
    if report.since is not None:
        lines.append(changes_text(report.since, [c.movement for c in report.changes]))
    return lines


class Section(NamedTuple):
    """A part of the report: the whole programme's commitments, or one priority."""

    id: str  # "programme", or the priority's id
    title: str
    status: str
    counts: dict[str, int]
    rows: list[Row]
    owner: str | None = None  # the priority's senior responsible owner, if named
    hidden: int = 0  # of the metrics ``counts`` covers, how many --status leaves out
    hidden_by: str = "--status"  # or "--exceptions"

    @property
    def counts_line(self) -> str:
        """The counts under the heading, saying how many of them the --status filter hides:
        "3 overdue, 2 on track; 2 of 5 hidden by --status" (of the priority's metrics)."""
        line = counts_text(self.counts)
        if self.hidden:
            line += f"; {self.hidden} of {sum(self.counts.values())} hidden by {self.hidden_by}"
        return line

    @property
    def heading(self) -> str:
        """ "Whole programme", or "P3 Strengthen the resilience ..."."""
        return self.title if self.id == PROGRAMME else f"{self.id} {self.title}"


def sections(report: StatusReport) -> list[Section]:
    """The sections that have rows to show: the whole programme's commitments (metrics with
    ``priority: programme``) first, as "Whole programme", then each priority."""
    found = []
    programme = [m for m in report.metrics if m.metric.priority == PROGRAMME]
    section_rows = rows(report, PROGRAMME)
    if section_rows:
        status, counts = programme_roll_up(programme)
        found.append(Section(PROGRAMME, PROGRAMME_TITLE, status, counts, section_rows))
    filtered = "status" in report.filters or report.exceptions
    for priority in report.priorities:
        section_rows = rows(report, priority.id)
        if section_rows:
            shown = sum(1 for m in report.metrics if m.metric.priority == priority.id)
            found.append(
                Section(
                    priority.id,
                    priority.priority.title,
                    priority.status,
                    dict(priority.counts),
                    section_rows,
                    priority.priority.owner,
                    hidden=sum(priority.counts.values()) - shown if filtered else 0,
                    hidden_by="--exceptions" if report.exceptions else "--status",
                )
            )
    return found


def programme_roll_up(metrics: list[MetricStatus]) -> tuple[str, dict[str, int]]:
    """The whole programme's section heading: the worst of its metrics (no_target and
    withdrawn left out, as for a priority) and a count per status."""
    statuses = [m.status for m in metrics]
    judged = [s for s in statuses if s not in UNJUDGED] or statuses
    return (worst(judged) if judged else "no_target"), count_statuses(statuses)
