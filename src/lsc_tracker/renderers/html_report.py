"""``lsc report``: one self-contained HTML file for board papers, in the words of `words`.

Order of the page: with ``--since``, what changed since then (`changes`); a summary by
priority; the exceptions, one row per metric needing the board's attention (`exceptions`);
then one section per metric, grouped by priority: its facts, its Making Data Count chart
(actuals coloured grey / blue / orange, SPC mean and process limits, plan line, targets) and
its variation and assurance icons. A key closes it, explaining every status, mark and icon in
the file itself (it is emailed: it points to nothing its reader cannot open).
``--priority``, ``--status`` and ``--exceptions`` choose the metrics as for ``lsc status``.

The markup is in Jinja2 templates (``templates/report.html``, the page, and
``templates/parts.html``, its pieces) rendered with autoescape on: every text taken from the
data is HTML-escaped by default, wherever it lands. The one exception is the charts, inline
SVG drawn by matplotlib and cleaned by `clean_svg`, passed as `markupsafe.Markup`. This module
computes what the templates show (facts, icon looks, timeline marks, the exceptions) as plain
values.

Self-contained: the charts are inline SVG drawn by matplotlib, the icons inline SVG in the
templates, the CSS inline; no font, script or image is fetched, so opening the file makes no
network request. The same plan and date give the same bytes (no clock, fixed SVG ids), so
reports can be compared.

matplotlib and jinja2 are imported only when a report is rendered, so that importing this
module (and every other command) stays fast.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import warnings
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from .. import __version__, spc, status
from ..changes import Change, changes_since, movement
from ..changes import since as compared_since
from ..exceptions import ExceptionRow, only_exceptions
from ..exceptions import exception_rows as attention_rows
from ..metric_view import MetricView, SeriesView, owner_and_trend, plan_views
from ..models import PROGRAMME
from ..status import STATUS_ORDER, Stage, StatusReport
from ..words import (
    ASSURANCE_LABELS,
    EASED,
    EASED_GLYPH,
    MOVEMENT_WORDS,
    PLAN_LINE,
    POINT_GLYPHS,
    POINT_LABELS,
    PROGRAMME_TITLE,
    PROVISIONAL_MARK,
    PROVISIONAL_NOTE,
    REASON_WORDS,
    REPORT_MARKS,
    STAGE_WORDS,
    STATUS_MEANINGS,
    STATUS_WORDS,
    VARIATION_LABELS,
    as_known_text,
    change_text,
    changes_text,
    declared_text,
    describe_days,
    direction_words,
    format_figure,
    format_value,
    spc_verdict,
    stage_line,
    standing_text,
    too_few_points_text,
    update_text,
)
from .status_rows import (
    original_text,
    programme_roll_up,
    provisional_count,
    summary_lines,
)

if TYPE_CHECKING:
    import jinja2

    from ..plan import Plan

# Colours of NHSRplotthedots' ptd_spc_colours(), the MDC palette.
COLOURS = {
    spc.COMMON_CAUSE: "#a6a6a6",
    spc.IMPROVEMENT: "#00b0f0",
    spc.CONCERN: "#e46c0a",
    "value_line": "#a6a6a6",
    "mean": "#000000",
    "limits": "#7f7f7f",
    "target": "#de1b1b",
    "plan": "#490092",
    "as_of": "#4c6272",
}
# Each point type also has its own marker, so the chart reads in greyscale print.
MARKERS = {spc.COMMON_CAUSE: "o", spc.IMPROVEMENT: "s", spc.CONCERN: "D"}

CHART_SIZE = (7.4, 2.6)  # inches: the width of an A4 page inside 12 mm margins
_RC: Any = {  # Any: matplotlib types the keys as a Literal of every rc name
    "svg.hashsalt": "lsc-tracker",  # fixed ids: the same input gives the same file
    "svg.fonttype": "none",  # text stays text: smaller, crisp in print, uses the page's font
    "font.size": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#4c6272",
    "axes.labelcolor": "#4c6272",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e8edee",
    "grid.linewidth": 0.6,
    "xtick.color": "#4c6272",
    "ytick.color": "#4c6272",
    "lines.solid_capstyle": "round",
    # text is text: never LaTeX, never mathtext in tick labels (user text is drawn with
    # parse_math=False), whatever the user's matplotlibrc says
    "text.usetex": False,
    "axes.formatter.use_mathtext": False,
}


# --- the page --------------------------------------------------------------------------------


def render_report(
    plan: Plan,
    as_of: date,
    *,
    original: bool = False,
    priorities: Collection[str] = (),
    statuses: Collection[str] = (),
    exceptions_only: bool = False,
    since: date | None = None,
) -> str:
    """The whole report as one HTML document.

    Args:
        plan: a loaded plan without problems.
        as_of: the date of the report; later actuals are left out.
        original: judge against the plan as first written.
        priorities: only these priorities' metrics (``--priority``), as ``lsc status``.
        statuses: only metrics and place rows with these statuses (``--status``), as
            ``lsc status``: a priority with none of them shown has no section.
        exceptions_only: only the metrics needing the board's attention
            (`exceptions.only_exceptions`): the exceptions and those metrics' sections.
        since: open with what changed since this date (`changes.since`), before ``as_of``.

    Returns:
        The HTML text (UTF-8 when written), identical for the same plan and date.
    """
    assessed = status.assess(plan, as_of, original=original)
    in_view = status.select(assessed, priorities=priorities) if priorities else assessed
    if exceptions_only:
        chosen = only_exceptions(in_view, tuple(statuses))
    elif statuses:
        chosen = status.select(assessed, priorities=priorities, statuses=statuses)
    else:
        chosen = in_view
    if since is not None:
        chosen = compared_since(plan, chosen, since)
    report, views = plan_views(plan, as_of, report=chosen)
    measures = sum(1 for v in views if not v.metric.is_milestone)
    groups = [
        (priority, [v for v in views if v.metric.priority == priority.id])
        for priority in report.priorities
    ]
    # the summary keeps every priority in scope; the sections only those with a metric shown
    filtered = bool(statuses) or exceptions_only
    shown_groups = [(priority, mine) for priority, mine in groups if mine or not filtered]
    programme = [v for v in views if v.metric.priority == PROGRAMME]
    programme_status = programme_roll_up([v.assessed for v in programme]) if programme else None
    # places counted whole (before --status), for the metrics the report shows
    exceptions = exception_lines(plan, in_view, views)
    return (
        _environment()
        .get_template("report.html")
        .render(
            title=report_title(plan),
            version=__version__,
            report=report,
            views=views,
            measures=measures,
            in_scope=len(in_view.metrics),
            groups=groups,
            shown_groups=shown_groups,
            programme=programme,
            programme_title=PROGRAMME_TITLE,
            programme_status=programme_status,
            exceptions=exceptions,
            exception_columns=exception_columns(exceptions),
            exceptions_only=exceptions_only,
            changes=change_lines(plan, report, views),
            since=report.since,
            priority_owners=any(p.priority.owner for p in report.priorities),
            # no SPC columns of zeros when no measure has a verdict (the shipped plan today)
            spc_columns=any(spc.verdicts(s.spc)[0] is not None for v in views for s in v.series),
            withdrawn=[v for v in views if v.assessed.withdrawn is not None],
            plan=report.plan,
            summary=" ".join(summary_lines(report)),
            as_known=as_known_text(report.as_known) if report.as_known else None,
            provisional=provisional_count(report),
        )
    )


def _status_label(status: str) -> str:
    """A status as every human format shows it (`StatusWords.shout`: OFF TRACK)."""
    words = STATUS_WORDS.get(status)
    return status if words is None else words.shout


@cache
def _environment() -> jinja2.Environment:
    """The Jinja2 environment of the report's templates (package data ``templates/``).

    Autoescape is on for every template: text from the data is escaped wherever it lands,
    so escaping is the default and raw markup the marked exception (`markupsafe.Markup`,
    given only to the charts matplotlib draws, cleaned by `clean_svg`). Unknown names fail
    rather than render as nothing. jinja2 is imported here, not at start-up.
    """
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("lsc_tracker", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        status_label=_status_label,
        status_order=STATUS_ORDER,
        variation_labels=VARIATION_LABELS,
        assurance_labels=ASSURANCE_LABELS,
        variation_label=lambda kind: VARIATION_LABELS.get(kind, kind),
        assurance_label=lambda kind: ASSURANCE_LABELS.get(kind, kind),
        colours={"target": COLOURS["target"], "improvement": COLOURS[spc.IMPROVEMENT]},
        format_value=format_value,
        format_figure=format_figure,
        describe_days=describe_days,
        spc_verdict=spc_verdict,
        spc_counts=spc_counts,
        spc_verdicts=spc.verdicts,
        spc_too_few=spc_too_few,
        facts=facts,
        changes_text=changes_text,
        moved_text=moved_text,
        chart_key_items=chart_key_items,
        timeline_marks=timeline_marks,
        variation_look=variation_look,
        assurance_look=assurance_look,
        chart=_chart_markup,
        stage_rows=stage_rows,
        revision_rows=revision_rows,
        original_text=original_text,
        eased_word=EASED,
        eased_glyph=EASED_GLYPH,
        sentence=lambda text: text[:1].upper() + text[1:],
        status_meanings=STATUS_MEANINGS,
        report_marks=REPORT_MARKS,
        stage_words=STAGE_WORDS,
        provisional_note=PROVISIONAL_NOTE,
        provisional_mark_text=PROVISIONAL_MARK,
    )
    return environment


def report_title(plan: Plan) -> str:
    """``<system>: plan tracker board report``, the system being the one top-level place."""
    roots = [p for p in plan.places if p.parent is None]
    prefix = f"{roots[0].name}: " if len(roots) == 1 else ""
    return f"{prefix}plan tracker board report"


def spc_too_few(result: spc.SpcResult | None) -> str:
    """The words "too few points for SPC (5 of 12)" for a series with points but too few for
    its icons to mean anything; "" otherwise."""
    if result is None or not result.points or result.enough_points:
        return ""
    return too_few_points_text(result.points_in_group)


def spc_counts(views: Iterable[MetricView]) -> tuple[int, int]:
    """How many measure series end on a special cause concern, and on an improvement."""
    concern = improvement = 0
    for view in views:
        for series in view.series:
            variation, _ = spc.verdicts(series.spc)  # none from too few points
            concern += bool(variation and variation.startswith("concern"))
            improvement += bool(variation and variation.startswith("improvement"))
    return concern, improvement


@dataclass(frozen=True)
class ExceptionLine:
    """One metric needing the board's attention (`exceptions.ExceptionRow`: places collapsed)
    as the report's exceptions table shows it: plain texts, "" where there is nothing."""

    row: ExceptionRow
    view: MetricView
    flags: tuple[str, ...]  # the reasons the status badge does not say: "declared better"
    latest: str  # "34 (2024-03-31)"
    expected: str  # the plan line's figure on the latest actual's date
    deadline: str  # "2025-03-31 (in 365 days)"
    owner: str
    update: str  # the owner's rating and update: "On track (declared better), 2024-03-05, ..."
    stages: str  # the stage verdicts (counted over the places)
    forecast: str  # the forecast sentence


EXCEPTION_COLUMNS = ("latest", "expected", "deadline", "owner")
"""The exceptions table's optional columns, each shown only when some row has a value."""


def exception_lines(
    plan: Plan, report: StatusReport, views: Sequence[MetricView]
) -> list[ExceptionLine]:
    """The exceptions of the metrics ``views`` shows, one line per metric (`exceptions`
    decides which and why, from ``report``, where every place is counted), worst status
    first, then in plan order."""
    by_id = {view.id: view for view in views}
    lines = []
    for row in attention_rows(report):
        view = by_id.get(row.metric)
        if view is None:
            continue
        metric, unit = row.status, row.status.metric.unit
        latest = metric.latest
        update = ""
        if row.update is not None:
            where = ""
            if row.update_place is not None:
                place = plan.place_by_id.get(row.update_place)
                where = f"{place.name if place else row.update_place}: "
            said = update_text(
                row.update.date,
                row.update.note,
                row.update.action,
                row.update.recovery,
                row.update.by,
            )
            update = f"{where}{declared_text(row.update.rag, row.mismatch)}, {said}"
        deadline = ""
        if metric.deadline is not None:
            deadline = f"{metric.deadline} ({describe_days(metric.days_to_deadline)})"
        lines.append(
            ExceptionLine(
                row=row,
                view=view,
                flags=tuple(REASON_WORDS[r] for r in row.reasons if r not in STATUS_ORDER),
                latest=f"{format_value(latest.value, unit)} ({latest.date})" if latest else "",
                expected=format_figure(metric.expected, unit)
                if metric.expected is not None
                else "",
                deadline=deadline,
                owner=metric.metric.owner or "",
                update=update,
                stages=row.stages,
                forecast=row.forecast,
            )
        )
    lines.sort(key=lambda line: STATUS_ORDER.index(line.row.status.status))
    return lines


def moved_text(view: MetricView, since: date | None) -> str:
    """With ``--since``, how the metric's own status moved since then: "since 2024-02-29:
    worse ↓ (was ON TRACK)"; "" without ``--since`` or when it did not move."""
    how = movement(view.assessed.was, view.assessed.status) if since is not None else None
    if how is None:
        return ""
    was = view.assessed.was
    then = f" (was {STATUS_WORDS[was].shout})" if was in STATUS_WORDS else ""
    return f"since {since}: {MOVEMENT_WORDS[how]}{then}"


def exception_columns(lines: Sequence[ExceptionLine]) -> set[str]:
    """The optional columns some line has a value for: a column empty for every row (no
    owner named, no plan line) is left out."""
    return {name for name in EXCEPTION_COLUMNS if any(getattr(line, name) for line in lines)}


@dataclass(frozen=True)
class ChangeLine:
    """One row whose status moved since ``--since``, named for the reader."""

    change: Change
    view: MetricView | None  # None: the metric is not shown (cannot happen from `compare`)
    name: str  # the metric's name
    place: str  # the place's name, "" for the metric's own row
    movement: str  # in words: "worse ↓"


def change_lines(plan: Plan, report: StatusReport, views: Sequence[MetricView]) -> list[ChangeLine]:
    """The report's changes since ``--since``, worst movement first (`changes.changes_since`)."""
    by_id = {view.id: view for view in views}
    lines = []
    for change in changes_since(report):
        view = by_id.get(change.metric)
        place = plan.place_by_id.get(change.place) if change.place else None
        lines.append(
            ChangeLine(
                change=change,
                view=view,
                name=view.metric.name if view else change.metric,
                place=(place.name if place else change.place or ""),
                movement=MOVEMENT_WORDS[change.movement],
            )
        )
    return lines


def facts(view: MetricView) -> list[tuple[str, str]]:
    """The facts of a metric's section, as (name, text) pairs of plain text."""
    metric = view.metric
    found: list[tuple[str, str]] = [("Kind", "milestone" if metric.is_milestone else "measure")]
    if metric.is_milestone:
        found.append(("Due", metric.due.isoformat() if metric.due else "—"))
    else:
        found.append(("Direction", direction_words(metric)))
        if metric.unit:
            found.append(("Unit", metric.unit))
        if metric.cadence:
            found.append(("Cadence", metric.cadence))
        baseline = _baseline_text(view)
        if baseline:
            found.append(("Baseline", baseline))
        targets = [_target_text(view, i) for i in range(len(metric.targets))]
        found.append(("Targets", "; ".join(targets) if targets else "none with a date"))
    deadline = view.assessed.deadline
    if deadline:
        found.append(("Deadline", f"{deadline} ({describe_days(view.assessed.days_to_deadline)})"))
    owner = metric.owner or (view.priority.owner if view.priority else None)
    if owner:
        found.append(("Owner", owner if metric.owner else f"{owner} (the priority's owner)"))
    found.append(("Source", metric.source or "—"))
    return found + owner_and_trend(view)


def _baseline_text(view: MetricView) -> str:
    """The baseline in words: "100 on 2019-03-31", "taken from the log for 2019-03-31 (40)",
    "not agreed: <note>"; "" when the plan states none."""
    metric = view.metric
    base = metric.baseline
    if base is None:
        return ""
    if base.value is not None:
        text = f"{format_value(base.value, metric.unit)} on {base.date}"
    elif base.date is None:
        text = "not agreed"
    else:
        text = f"the actual recorded for {base.date}"
        used = [s.baseline for s in view.series if s.baseline is not None]
        if not metric.places and used and used[0].value is not None:
            text += f": {format_value(used[0].value, metric.unit)}"
        elif not metric.places:
            text += ": not recorded yet"
        else:
            text += " (each place its own)"
    if base.note:
        text += f" ({base.note})"
    return text


def _target_text(view: MetricView, index: int) -> str:
    metric = view.metric
    target = metric.targets[index]
    value = metric.target_value(target)
    day = f"from {target.day}" if target.is_standing else f"by {target.day}"
    if value is None:
        if target.change is not None:
            return f"{change_text(target.change)} {day}"
        return f"open (no figure) {day}"
    shown = format_figure(value, metric.unit)
    change = f" ({target.change:+.0%} on the baseline)" if target.change is not None else ""
    return f"{shown}{change} {day}"


def stage_rows(series: SeriesView, unit: str | None) -> list[tuple[str, str, str, str]]:
    """A series' stages for the report: (when, verdict id, glyph, words), the words with
    the figures behind the verdict ("missed (34 vs 30)", "holding; held since ...")."""
    found = []
    for stage in series.stages:
        when = f"from {stage.day}" if stage.standing else f"by {stage.day}"
        figure = format_figure(stage.figure, unit) if stage.figure is not None else ""
        if figure:
            when = f"{figure} {when}"
        found.append(
            (when, stage.verdict, STAGE_WORDS[stage.verdict][1], _stage_words(stage, unit))
        )
    return found


def _stage_words(stage: Stage, unit: str | None) -> str:
    if stage.standing and stage.verdict in ("holding", "breached"):
        last = str(stage.last_breach) if stage.last_breach else None
        words = STAGE_WORDS[stage.verdict][0]
        return f"{words}: {standing_text(str(stage.day), stage.breaches, last)}"
    return stage_line(stage, unit)


def revision_rows(view: MetricView) -> list[tuple[str, str, str, str, bool]]:
    """The revisions in force: (decided, by, reason, source, eased)."""
    return [
        (
            str(applied.revision.decided),
            applied.revision.by,
            applied.revision.reason,
            applied.revision.source or "",
            applied.eased,
        )
        for applied in view.assessed.revisions
    ]


def chart_key_items(series: SeriesView) -> list[tuple[str, str | None, str]]:
    """The key under a chart: (glyph, its colour or None, words) for what the chart shows."""
    items: list[tuple[str, str | None, str]] = []
    types = {p.type for p in series.spc.points} if series.spc else set()
    for kind in (spc.COMMON_CAUSE, spc.IMPROVEMENT, spc.CONCERN):
        if kind in types:
            items.append((POINT_GLYPHS[kind], COLOURS[kind], POINT_LABELS[kind]))
    if series.spc and series.spc.groups and series.spc.groups[-1].upl is not None:
        items.append(("━", None, "mean"))
        items.append(("╌", None, "process limits"))
    if len(series.line) > 1:
        items.append(("╌", COLOURS["plan"], PLAN_LINE))
    if series.line:
        items.append(("✕", COLOURS["target"], "target"))
    if series.spc and any(p.date in _provisional_dates(series) for p in series.spc.points):
        items.append((PROVISIONAL_MARK, None, "provisional figure, to be confirmed"))
    items.append(("┆", None, "report date"))
    return items


def _provisional_dates(series: SeriesView) -> frozenset[date]:
    """The dates of the series whose figure in force is provisional (marked P on the chart)."""
    return frozenset(entry.date for entry in series.entries if entry.provisional)


def _chart_markup(view: MetricView, series: SeriesView, label: str) -> Chart:
    """`chart` for the template: the one place raw markup enters the page. The SVG is
    matplotlib's (which escapes the text it draws), cleaned by `clean_svg` (which escapes the
    label it adds); a reason (why there is no chart) stays text, escaped by the template."""
    from markupsafe import Markup

    key = f"{view.id}--{series.place}" if series.place else view.id
    drawn = chart(view, series, key=key, label=label)
    return Chart(Markup(drawn.svg), "") if drawn.svg is not None else drawn


# --- icons -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IconLook:
    """What an MDC icon shows: its label (title), ring colour, letter and dots."""

    label: str
    colour: str
    letter: str = ""
    dashed: bool = False
    dots: tuple[tuple[int, int, str], ...] = ()


def variation_look(kind: str | None) -> IconLook:
    """The MDC variation icon: a ring in the verdict's colour, a letter (H or L) for a special
    cause, and five dots showing the movement; a dashed ring when there is no verdict."""
    label = VARIATION_LABELS.get(kind, str(kind))
    grey = COLOURS[spc.COMMON_CAUSE]
    if kind is None:
        return IconLook(label, grey, dashed=True)
    if kind in (spc.COMMON_CAUSE, spc.NO_VARIATION):
        # no variation: grey like common cause (no special cause), its dots on one level
        still = kind == spc.NO_VARIATION
        colour, letter, ys = grey, "", [26] * 5 if still else [26, 24, 27, 25, 26]
        tints = [grey] * 5
    else:
        colour = COLOURS[spc.IMPROVEMENT if kind.startswith("improvement") else spc.CONCERN]
        high = kind.endswith("high")
        letter = "H" if high else "L"
        ys = [29, 28, 26, 24, 22] if high else [22, 24, 26, 28, 29]
        tints = [grey, grey, colour, colour, colour]
    dots = tuple((10 + 5 * i, y, c) for i, (y, c) in enumerate(zip(ys, tints, strict=True)))
    return IconLook(label, colour, letter, dots=dots)


def assurance_look(kind: str | None) -> IconLook:
    """The MDC assurance icon: P (pass, blue), F (fail, orange) or ? (grey); a dashed ring
    and a dash when there is no target."""
    label = ASSURANCE_LABELS.get(kind, str(kind))
    letter, colour = {
        spc.CONSISTENT_PASS: ("P", COLOURS[spc.IMPROVEMENT]),
        spc.CONSISTENT_FAIL: ("F", COLOURS[spc.CONCERN]),
        spc.INCONSISTENT: ("?", COLOURS[spc.COMMON_CAUSE]),
    }.get(kind or "", ("–", COLOURS[spc.COMMON_CAUSE]))
    return IconLook(label, colour, letter, dashed=kind is None)


# --- charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineMarks:
    """Where a milestone's timeline puts its marks (x in the 600-wide viewBox)."""

    left: int
    right: int
    as_of_x: float
    due_x: float | None
    done_xs: tuple[float, ...]
    labels: tuple[tuple[float, str, str, str], ...]  # x, text-anchor, words, colour


def timeline_marks(view: MetricView) -> TimelineMarks:
    """A milestone's due date, the report date and each completion on one line.

    The due date and a single completion are labelled above the line, the earlier of the two
    to the left of its mark and the later to the right, so that close dates never overlap;
    the report date is labelled below.
    """
    due = view.metric.due
    done = [s.latest.date for s in view.series if s.latest]
    days = [view.as_of, *done] + ([due] if due else [])
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    left, right = 130, 470

    def x(day: date) -> float:
        return round(left + (right - left) * (day - first).days / span, 1)

    labels: list[tuple[date, str, str]] = []
    if due:
        labels.append((due, f"due {due.isoformat()}", COLOURS["target"]))
    if len(done) == 1:
        labels.append((done[0], f"done {done[0].isoformat()}", "#005eb8"))
    elif done:
        labels.append((max(done), f"{len(done)} of {len(view.series)} places done", "#005eb8"))
    labels.sort(key=lambda label: label[0])
    placed = []
    for position, (day, words, colour) in enumerate(labels):
        later = position == len(labels) - 1 and len(labels) > 1
        anchor, shift = ("start", 6) if later else ("end", -6)
        if len(labels) == 1:
            anchor, shift = "middle", 0
        placed.append((x(day) + shift, anchor, words, colour))
    return TimelineMarks(
        left=left,
        right=right,
        as_of_x=x(view.as_of),
        due_x=x(due) if due else None,
        done_xs=tuple(x(day) for day in done),
        labels=tuple(placed),
    )


MAX_DRAWABLE = 1e300
"""The largest magnitude a chart draws. Beyond it, matplotlib's margins, tick steps and
transforms overflow (a range of 1e308 to -1e308 is already infinite): such a chart is
replaced by a box saying why, and the figures stay in the text around it."""


@dataclass(frozen=True)
class Chart:
    """One measure series' chart: the cleaned SVG, or why it cannot be drawn."""

    svg: str | None  # inline SVG (cleaned by clean_svg); None when it cannot be drawn
    reason: str = ""  # why it cannot be drawn, in words for the reader


class ChartError(Exception):
    """A chart cannot be drawn; the message says why, in words for the reader."""


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _sized(value: float) -> str:
    return format(value, ".3g")


def chart(view: MetricView, series: SeriesView, *, key: str, label: str) -> Chart:
    """The chart of one measure series, never an exception: whatever `chart_svg` cannot
    draw (numbers too large to plot, dates at the ends of the calendar that matplotlib
    cannot place) comes back as a reason the page shows instead of the chart."""
    try:
        return Chart(chart_svg(view, series, key=key, label=label))
    except ChartError as error:
        return Chart(None, str(error))
    except (ValueError, ArithmeticError) as error:  # numpy's LinAlgError is a ValueError
        return Chart(None, f"the chart library could not draw it ({type(error).__name__})")


def _on_date_axis(days: Any) -> Any:
    """Dates as matplotlib takes them on an axis. It converts `date`s through its unit
    registry, but its type hints say numbers only: this one place says so, instead of an
    ignore on every call."""
    return days


def chart_svg(view: MetricView, series: SeriesView, *, key: str, label: str) -> str:
    """The MDC chart of one measure series as inline SVG, drawn with matplotlib.

    Actuals joined by a grey line, each point coloured (and shaped) by its SPC type; per
    group the mean and the process limits (dotted when trial limits); the plan line and the
    targets; a dotted line on the report date. A value that is not a finite number is left
    out of the drawing (the chart says how many).

    Every text from the data (the unit) is drawn as plain text: never read as mathtext.

    Args:
        view: the metric.
        series: the metric's series (the whole metric, or one place).
        key: unique within the page: prefixes every SVG id, so charts never share one.
        label: the chart's accessible name.

    Raises:
        ChartError: the values are too large to draw.
    """
    import matplotlib
    from matplotlib.figure import Figure

    metric = view.metric
    result = series.spc
    all_points = result.points if result else ()
    points = [p for p in all_points if _finite(p.value)]
    left_out = len(all_points) - len(points)
    groups = [
        (index, group)
        for index, group in enumerate(result.groups if result else ())
        if _finite(group.mean)
    ]
    line = series.line if all(_finite(v) for _, v in series.line) else ()
    goals = [goal for goal in series.goals if _finite(goal.value)]
    values = [p.value for p in points] + [v for _, v in line] + [g.value for g in goals]
    for _, group in groups:
        values += [v for v in (group.mean, group.lpl, group.upl) if v is not None and _finite(v)]
    if values and max(abs(v) for v in values) > MAX_DRAWABLE:
        biggest = max(values, key=abs)
        raise ChartError(
            f"its values (as large as {_sized(biggest)}) are too large to plot (a chart draws "
            f"numbers up to ±{_sized(MAX_DRAWABLE)})"
        )
    days = [view.as_of, *(p.date for p in points), *(d for d, _ in line), *(g.by for g in goals)]
    has_points = bool(points)
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
        # e.g. a glyph missing from matplotlib's font: the SVG keeps the text as text and the
        # browser draws it, so the warning would only be noise on the terminal
        warnings.simplefilter("ignore")
        size = CHART_SIZE if has_points else (CHART_SIZE[0], CHART_SIZE[1] * 0.6)
        figure = Figure(figsize=size, layout="constrained")
        ax = figure.subplots()
        if has_points:
            ax.plot(
                _on_date_axis([p.date for p in points]),
                [p.value for p in points],
                color=COLOURS["value_line"],
                linewidth=1,
                zorder=2,
            )
            for kind, marker in MARKERS.items():
                chosen = [p for p in points if p.type == kind]
                if chosen:
                    ax.scatter(
                        _on_date_axis([p.date for p in chosen]),
                        [p.value for p in chosen],
                        s=16 if kind == spc.COMMON_CAUSE else 20,
                        marker=marker,
                        color=COLOURS[kind],
                        zorder=3,
                        linewidths=0,
                        clip_on=False,  # whole on the axis floor at 0
                    )
            provisional = _provisional_dates(series)
            for point in (p for p in points if p.date in provisional):
                ax.annotate(  # a figure still to be confirmed: P above its point, as in tables
                    PROVISIONAL_MARK,
                    (point.date, point.value),
                    textcoords="offset points",
                    xytext=(0, 5),
                    ha="center",
                    fontsize=7,
                    fontweight="bold",
                    color=COLOURS["value_line"],
                    annotation_clip=False,
                )
            _draw_limits(ax, points, groups)
        if len(line) > 1:
            ax.plot(
                _on_date_axis([d for d, _ in line]),
                [v for _, v in line],
                color=COLOURS["plan"],
                linewidth=1.1,
                linestyle=(0, (5, 2)),
                zorder=1,
            )
        for goal in goals:
            ax.scatter(
                _on_date_axis([goal.by]),
                [goal.value],
                marker="X",
                s=34,
                color=COLOURS["target"],
                zorder=4,
                clip_on=False,  # whole on the axis floor at 0
            )
            ax.annotate(
                f"target {format_figure(goal.value, metric.unit)}",
                (goal.by, goal.value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
                color=COLOURS["target"],
                parse_math=False,
            )
        ax.axvline(
            _on_date_axis(view.as_of),
            color=COLOURS["as_of"],
            linewidth=0.8,
            linestyle=":",
            zorder=1,
        )
        if values and max(values) == min(values) and not has_points:
            # a lone target: give it room instead of a +/-0.04 axis
            half = max(1.0, abs(values[0]) * 0.5)
            ax.set_ylim(values[0] - half, values[0] + half)
        figures = [p.value for p in points] + [v for _, v in line] + [g.value for g in goals]
        if not figures or min(figures) >= 0:
            _floor_at_zero(ax, max(figures, default=0.0))
        if not has_points:
            words = "No actuals recorded yet" if not left_out else "No actual can be drawn"
            ax.text(
                0.5,
                0.5,
                words,
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=9,
                color="#4c6272",
            )
            if not goals:
                ax.set_yticks([])
        left = f"{left_out} point{'s' if left_out != 1 else ''} not drawn: not a finite number"
        if left_out:
            ax.text(0.01, 0.98, left, transform=ax.transAxes, ha="left", va="top", fontsize=7)
        _date_axis(ax, min(days), max(days))
        if metric.unit:
            # the unit over the value axis, across: a long one wraps rather than being cut
            # off, as it would be up a short chart's side
            unit = textwrap.fill(metric.unit, UNIT_WRAP)
            ax.set_title(unit, loc="left", fontsize=7.5, color="#4c6272", parse_math=False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return clean_svg(buffer.getvalue(), prefix=f"c-{key}-", label=label)


UNIT_WRAP = 110
"""Characters a line of the unit over a chart holds (the chart's width at its font size)."""


def _floor_at_zero(ax: Any, highest: float) -> None:
    """The value axis starts at 0, for a chart with no figure below 0 (a count of deaths
    never runs from -1): matplotlib's margin, or a lone target's room, would take it below.
    A lower process limit below 0 is then out of view; the page's key says so. Figures all
    0 get an axis to 1, not matplotlib's +/-0.05."""
    bottom, top = ax.get_ylim()
    if bottom < 0:
        ax.set_ylim(0, top if highest > 0 else max(top, 1.0))


_CALENDAR_MARGIN = 400
"""Days kept clear of the calendar's ends (0001-01-01 and 9999-12-31): matplotlib's date
locators round to whole years and beyond, and fail outside the calendar."""


def _date_axis(ax: Any, first: date, last: date) -> None:
    """The x axis from ``first`` to ``last`` with a margin: matplotlib's concise dates, or,
    near the ends of the calendar where its locators cannot work, the two end dates."""
    from matplotlib import dates as mdates
    from matplotlib import ticker

    pad = max((last - first).days // 30, 15)
    low = max(first.toordinal() - pad, 1)
    high = min(last.toordinal() + pad, date.max.toordinal())
    start, end = date.fromordinal(low), date.fromordinal(high)
    ax.set_xlim(mdates.date2num(start), mdates.date2num(end))
    inside = low > _CALENDAR_MARGIN and high < date.max.toordinal() - _CALENDAR_MARGIN
    if inside:
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        return
    ticks = sorted({first, last})
    ax.xaxis.set_major_locator(ticker.FixedLocator([mdates.date2num(d) for d in ticks]))
    ax.xaxis.set_major_formatter(ticker.FixedFormatter([d.isoformat() for d in ticks]))
    ax.xaxis.set_minor_locator(ticker.NullLocator())


def _draw_limits(
    ax: Any, points: Sequence[spc.SpcPoint], groups: Sequence[tuple[int, spc.SpcGroup]]
) -> None:
    """Each group's mean and process limits, over the group's own points."""
    for index, group in groups:
        days = [p.date for p in points if p.group == index]
        if not days or group.mean is None:
            continue
        start, end = days[0], days[-1]
        ax.plot([start, end], [group.mean] * 2, color=COLOURS["mean"], linewidth=0.9, zorder=1)
        if not _finite(group.lpl, group.upl):
            continue
        style = (0, (1, 1.5)) if group.trial else (0, (4, 2))
        for limit in (group.lpl, group.upl):
            ax.plot(
                [start, end],
                [limit] * 2,
                color=COLOURS["limits"],
                linewidth=0.9,
                linestyle=style,
                zorder=1,
            )


_XML_HEADER = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*")
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_ROOT = re.compile(r"<svg\b[^>]*>")
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="#|url\(#)([^")]+)')
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def clean_svg(svg: str, *, prefix: str, label: str) -> str:
    """Make matplotlib's SVG fit for inlining in a page beside others.

    Drops the XML header, the doctype, comments and the RDF metadata block (which names
    external vocabularies); prefixes every id and reference to it, so two charts never share
    an id; lets CSS size the chart (the viewBox keeps the shape); adds an accessible name.
    """
    from markupsafe import escape

    svg = _COMMENT.sub("", _METADATA.sub("", _XML_HEADER.sub("", svg)))
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", prefix)
    svg = _ID.sub(lambda m: f'id="{safe}{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{safe}{m.group(2)}", svg)

    name = escape(label)

    def root(match: re.Match[str]) -> str:
        tag = _SIZE.sub("", match.group(0))
        return tag[:-1] + f' class="chart" role="img" aria-label="{name}"><title>{name}</title>'

    return _ROOT.sub(root, svg, count=1).strip()
