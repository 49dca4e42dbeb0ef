"""Terminal views of one metric: ``lsc show`` (everything about it) and ``lsc spc``'s table.

Built with rich, from a `metric_view.MetricView` and an `spc.SpcResult`, in the words of
`words`. Every colour has a word or
a glyph beside it, so the output reads the same with NO_COLOR or piped into a file. The chart
is drawn here with plain characters (see `text_chart`) rather than with a plotting library:
it needs actuals, the plan line, targets, the SPC mean and limits and a glyph per point type
on one small grid, which is some 80 lines of code, where a terminal plotting package would be
one more dependency and still need the SPC overlays written by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Span, Text

from .. import spc, status
from ..metric_view import MetricView, SeriesView, owner_and_trend
from ..models import PROGRAMME, Revision
from ..status import expected_value_on
from ..words import (
    ASSURANCE_LABELS,
    EASED,
    EASED_GLYPH,
    EASED_STYLE,
    INDICATIVE,
    LIMIT_GLYPH,
    MEAN_GLYPH,
    PLAN_GLYPH,
    PLAN_LINE,
    POINT_GLYPHS,
    POINT_LABELS,
    POINT_STYLES,
    PROGRAMME_TITLE,
    PROVISIONAL_NOTE,
    RULE_LABELS,
    STAGE_WORDS,
    STATUS_WORDS,
    TARGET_GLYPH,
    VARIATION_LABELS,
    change_text,
    describe_days,
    direction_words,
    format_figure,
    format_value,
    percent,
    points_text,
    provisional_value,
    spc_verdict,
    stage_line,
    standing_text,
    too_few_points_text,
    visible,
)
from .rich_text import plain, status_cell
from .status_rows import original_text

HISTORY_ROWS = 12
"""Entries shown by ``lsc show``; ``lsc history`` lists them all."""


# --- lsc spc ----------------------------------------------------------------------------------


def spc_json(
    metric_id: str,
    place: str | None,
    result: spc.SpcResult,
    provisional: frozenset[date] = frozenset(),
) -> str:
    """``lsc spc --format json``: the metric, its place, then `spc.result_to_dict`, each
    point saying whether its figure is provisional (``provisional``: the dates that are)."""
    data: dict[str, Any] = {"metric": metric_id, "place": place, **spc.result_to_dict(result)}
    for point, shown in zip(result.points, data["points"], strict=True):
        shown["provisional"] = point.date in provisional
    return json.dumps(data, indent=2, allow_nan=False)


def render_spc_table(
    console: Console,
    metric_name: str,
    place: str | None,
    unit: str | None,
    result: spc.SpcResult,
    provisional: frozenset[date] = frozenset(),
) -> None:
    """``lsc spc``'s table: the groups with their limits, the points with their type and rule
    (a provisional figure marked P, with the footnote), then the verdicts."""
    where = f" at {place}" if place else ""
    heading = f"{metric_name}{where}: XmR chart, {points_text(len(result.points))}"
    console.print(plain(heading, style="bold"))
    groups = Table(box=None, header_style="bold", pad_edge=False, title_justify="left")
    for name in ("group", "start", "points", "mean", "lower limit", "upper limit", "limits"):
        groups.add_column(name, justify="right" if name not in ("start", "limits") else "left")
    for index, group in enumerate(result.groups):
        kind = "none" if group.upl is None else "trial" if group.trial else "final"
        groups.add_row(
            str(index),
            group.start.isoformat(),
            str(group.n),
            format_figure(group.mean, unit),
            format_figure(group.lpl, unit),
            format_figure(group.upl, unit),
            kind,
        )
    console.print(groups)
    console.print()
    console.print(points_table(result, unit, provisional), soft_wrap=True)
    if any(point.date in provisional for point in result.points):
        console.print(PROVISIONAL_NOTE)
    console.print()
    console.print(f"variation: {result.variation or 'none'}: {VARIATION_LABELS[result.variation]}")
    target = f" (target {format_figure(result.target, unit)})" if result.target is not None else ""
    console.print(
        f"assurance: {result.assurance or 'none'}{target}: {ASSURANCE_LABELS[result.assurance]}"
    )
    warning = spc_warning(result)
    if warning:
        console.print(f"warning: {warning}")


def spc_warning(result: spc.SpcResult) -> str:
    """``lsc spc``'s warning when the latest group is too short for a verdict: "too few
    points for SPC (5 of 12): limits are indicative only"; "" otherwise."""
    if not result.points or result.enough_points:
        return ""
    return f"{too_few_points_text(result.points_in_group)}: {INDICATIVE}"


def points_table(
    result: spc.SpcResult, unit: str | None, provisional: frozenset[date] = frozenset()
) -> Text:
    """Every point of the chart, one line each: date, value, group, type (its glyph in its
    colour) and rule, in aligned columns.

    Built as one `Text` rather than a rich `Table`: a table measures and wraps every cell,
    which took seconds for 10,000 points; these columns have known widths, so each line is
    padded once and the whole is printed without wrapping (a line wider than the terminal
    is folded by the terminal, and nothing is cut)."""
    header = ("date", "value", "group", "type", "rule")
    cells = [
        (
            point.date.isoformat(),
            provisional_value(format_value(point.value, unit), point.date in provisional),
            str(point.group),
            f"{POINT_GLYPHS[point.type]} {POINT_LABELS[point.type]}",
            RULE_LABELS[point.rule],
        )
        for point in result.points
    ]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(header)]
    right = (False, True, True, False, False)

    def line(row: Sequence[str]) -> str:
        padded = (
            cell.rjust(width) if is_right else cell.ljust(width)
            for cell, width, is_right in zip(row, widths, right, strict=True)
        )
        return "  ".join(padded).rstrip()

    lines = [line(header)]
    spans = [Span(0, len(lines[0]), "bold")]
    glyph_at = sum(widths[:3]) + 2 * 3  # where the type column starts
    offset = len(lines[0]) + 1
    for point, row in zip(result.points, cells, strict=True):
        text = line(row)
        spans.append(Span(offset + glyph_at, offset + glyph_at + 1, POINT_STYLES[point.type]))
        lines.append(text)
        offset += len(text) + 1
    return Text("\n".join(lines), spans=spans)


# --- lsc show ---------------------------------------------------------------------------------


def render_show(console: Console, view: MetricView, place: str | None = None) -> None:
    """Everything about one metric: definition, targets, status, history, chart, SPC verdict.

    For a metric tracked by place, ``place`` picks one place's series (chart and history);
    without it, each place gets a summary row instead.
    """
    metric = view.metric
    inner = console.width - 4  # inside the panel's border and padding
    if not _id_fits(metric.id, inner):  # the id whole, on its own line above the panel
        console.print(Text(metric.id, style="bold"), no_wrap=True, overflow="ignore", crop=False)
    definition = _definition(view, inner)
    console.print(Panel(definition, title=plain(metric.name), title_align="left"))
    chosen = [s for s in view.series if s.place == place] if place else list(view.series)
    if not metric.is_milestone:
        one = chosen[0] if len(chosen) == 1 and (place or not metric.places) else None
        console.print(_targets(view, one))
    for part in _living_plan(view):
        console.print(part)
    for name, text in owner_and_trend(view):  # the owner's update and the forecast (issue 15)
        console.print(Text.assemble((f"{name}: ", "bold"), plain(text)))
    if metric.places and place is None:
        console.print(_places_table(view, console.width))
        if not metric.is_milestone:
            places = ", ".join(metric.places)
            console.print(plain(f"give --place (one of {places}) for a place's chart", "dim"))
        _provisional_note(console, view.series, history=False)
        return
    for series in chosen:
        console.print(_status_line(view, series))
        if not metric.is_milestone:
            console.print(_history(view, series))
            console.print(text_chart(view, series, max_width=console.width))
            console.print(_spc_lines(view, series))
    _provisional_note(console, chosen, history=not metric.is_milestone)


def _provisional_note(
    console: Console, shown: Sequence[SeriesView], *, history: bool = True
) -> None:
    """The footnote "P: provisional figure, to be confirmed" when a value shown has the P:
    a latest value, or (``history``) an entry of the history table."""
    latest = any(s.latest is not None and s.latest.provisional for s in shown)
    entries = history and any(e.provisional for s in shown for e in s.entries[-HISTORY_ROWS:])
    if latest or entries:
        console.print(plain(PROVISIONAL_NOTE, "dim"))


def _id_fits(metric_id: str, width: int, gap: int = 1) -> bool:
    """Whether the id fits whole beside the definition's longest key in ``width``."""
    return len("description") + gap + len(metric_id) <= width


def _definition(view: MetricView, width: int = 80) -> RenderableType:
    """The metric's facts, a key beside each value, in ``width``: the id whole (the gap
    between the columns narrows to one cell when that is what it takes; an id longer than
    that is left to `render_show`, above the panel)."""
    metric = view.metric
    gap = 2 if _id_fits(metric.id, width, gap=2) else 1
    table = Table.grid(padding=(0, gap))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    priority = view.priority.title if view.priority else ""
    if metric.priority == PROGRAMME:
        priority = f"({PROGRAMME_TITLE})"
    rows: list[tuple[str, Any]] = [
        *([("id", metric.id)] if _id_fits(metric.id, width) else []),
        ("priority", f"{metric.priority} {priority}".strip()),
        ("kind", metric.kind),
        ("status", status_cell(view.assessed.status)),
    ]
    if metric.is_milestone:
        rows.append(("due", metric.due.isoformat() if metric.due else "none"))
    else:
        rows.append(("direction", f"{metric.direction} ({direction_words(metric)})"))
        rows += [(k, v) for k, v in (("unit", metric.unit), ("cadence", metric.cadence)) if v]
        rows.append(("tolerance", f"{percent(metric.tolerance)} of the plan line's step (at risk)"))
    if view.assessed.deadline:
        days = describe_days(view.assessed.days_to_deadline)
        rows.append(("deadline", f"{view.assessed.deadline.isoformat()} ({days})"))
    if metric.places:
        rows.append(("places", ", ".join(metric.places)))
    owner = metric.owner or (view.priority.owner if view.priority else None)
    if owner and not metric.owner:
        owner += " (the priority's owner)"
    rows += [(k, v) for k, v in (("owner", owner), ("source", metric.source)) if v]
    if metric.description:
        rows.append(("description", metric.description))
    for key, value in rows:
        table.add_row(key, plain(value) if isinstance(value, str) else value)
    return table


def _targets(view: MetricView, series: SeriesView | None) -> RenderableType:
    """The baseline and every target of the plan in force, each target with its stage's
    verdict when one series is shown (a metric with places and no --place: each place has
    its own baseline and verdicts, so the figures of a change wait for --place)."""
    metric = view.metric
    unit = metric.unit
    table = Table(title="Targets", title_justify="left", box=None, header_style="bold")
    for name in ("date", "target", "figure", "verdict", "note"):
        table.add_column(name, overflow="fold" if name in ("note", "verdict") else "ellipsis")
    base = metric.baseline
    if base is not None:
        used = series.baseline if series is not None else None
        if used is not None and used.value is not None:
            figure = format_figure(used.value, unit) + (" (from the log)" if used.from_log else "")
        elif base.value is not None:
            figure = format_figure(base.value, unit)
        elif base.date is not None:
            figure = (
                "not recorded (from the log)"
                if series is not None
                else "from the log (each place its own)"
            )
        else:
            figure = "not agreed"
        note = "; ".join(text for text in (base.note, base.source) if text)
        table.add_row(
            base.date.isoformat() if base.date else "—", "baseline", figure, "", plain(note)
        )
    stages = series.stages if series is not None else ()
    for index, target in enumerate(metric.targets):
        stage = stages[index] if index < len(stages) else None
        value = stage.figure if stage is not None else metric.target_value(target)
        if target.change is not None and value is not None:
            stated = f"{percent(target.change, sign=True)} on the baseline"
        elif target.change is not None:
            stated = change_text(target.change)  # no baseline value yet
        elif target.value is None:
            stated = "open (no figure)"
        else:
            stated = "value"
        if target.is_standing:
            stated += ", standing"
        day = f"from {target.day}" if target.is_standing else str(target.day)
        table.add_row(
            day,
            stated,
            format_figure(value, unit),
            _verdict(stage, unit) if stage is not None else Text(""),
            plain(target.note or ""),
        )
    if not metric.targets:
        table.add_row("—", "no dated target", "", "", "")
    return table


def _verdict(stage: status.Stage, unit: str | None) -> Text:
    """A stage's verdict with its glyph (✓ met, ✗ missed ...) and the figures behind it;
    a standing target's record ("held since 2020-04-01, 2 breaches, last 2020-09-30")."""
    glyph = STAGE_WORDS.get(stage.verdict, ("", "?"))[1]
    style = {"met": "green", "holding": "green", "missed": "red", "breached": "red"}
    text = Text(f"{glyph} ", style=style.get(stage.verdict, ""))
    if stage.standing and stage.verdict in ("holding", "breached"):
        last = str(stage.last_breach) if stage.last_breach else None
        words = STAGE_WORDS[stage.verdict][0]
        return text.append(f"{words}; {standing_text(str(stage.day), stage.breaches, last)}")
    return text.append(stage_line(stage, unit))


def _living_plan(view: MetricView) -> list[RenderableType]:
    """The revisions in force (an eased one marked), the plan as first written when any
    is, and the withdrawal."""
    assessed = view.assessed
    found: list[RenderableType] = []
    if assessed.revisions:
        table = Table(title="Revisions", title_justify="left", box=None, header_style="bold")
        for name in ("decided", "by", "changed", "eased", "reason", "source"):
            table.add_column(name, overflow="fold")
        for applied in assessed.revisions:
            revision = applied.revision
            eased = Text(f"{EASED_GLYPH} {EASED}", style=EASED_STYLE) if applied.eased else ""
            table.add_row(
                revision.decided.isoformat(),
                plain(revision.by),
                _changed(revision),
                eased,
                plain(revision.reason),
                plain(revision.source or ""),
            )
        found.append(table)
        if assessed.withdrawn is None:
            found.append(plain(f"{original_text(assessed)} (as first written)", "dim"))
    withdrawn = assessed.withdrawn
    if withdrawn is not None:
        text = Text("WITHDRAWN", style=STATUS_WORDS["withdrawn"].style)
        text.append(
            visible(
                f" {withdrawn.decided} by {withdrawn.by}: {withdrawn.reason}"
                + (f" ({withdrawn.source})" if withdrawn.source else "")
                + "; no target, deadline or stage is judged"
            )
        )
        found.append(text)
    return found


def _changed(revision: Revision) -> str:
    """What a revision gives, in a few words: "due 2020-09-30", "targets, baseline"."""
    parts = []
    if revision.due is not None:
        parts.append(f"due {revision.due}")
    if revision.targets is not None:
        parts.append("targets")
    if revision.baseline is not None:
        parts.append("baseline")
    if revision.withdrawn:
        parts.append("withdrawn")
    return ", ".join(parts)


def _status_line(view: MetricView, series: SeriesView) -> Text:
    metric = view.metric
    text = Text()
    if series.place_name:
        text.append(f"{visible(series.place_name)}: ", style="bold")
    text.append("status ")
    text.append_text(status_cell(series.status))
    if metric.is_milestone:
        done = series.latest
        text.append(f"; done {done.date.isoformat()}" if done else "; not done yet")
        if series.late:
            text.append(" (late)")
        return text
    if series.missing:
        text.append(f"; {series.missing}")
    latest = series.latest
    if latest is None:
        text.append("; no actual recorded")
        return text
    shown = provisional_value(format_value(latest.value, metric.unit), latest.provisional)
    text.append(f"; latest {shown} on {latest.date.isoformat()}")
    if series.expected is not None:
        text.append(f"; the {PLAN_LINE} expects {format_figure(series.expected, metric.unit)}")
    target = view.assessed.target
    if series.place is not None or target is None:
        found = view.assessed.places
        part = next((p for p in found if p.place == series.place), None)
        target = part.target if part is not None else target
    if target is not None:
        day = "from" if target.standing else "by"
        text.append(f"; target {format_figure(target.value, metric.unit)} {day} {target.by}")
    if series.stale:
        text.append(" (stale: older than 1.5 reporting periods)")
    if series.status in ("at_risk", "off_track") and series.line:
        text.append("\n").append(_shortfall_text(view, series))
    return text


def _shortfall_text(view: MetricView, series: SeriesView) -> str:
    """The numbers behind at risk / off track: how far behind the plan line, as a share of
    the plan segment's step, against the metric's tolerance."""
    metric = view.metric
    assert series.latest is not None and metric.direction is not None
    gap = status.shortfall(metric.direction, series.line, series.latest)
    verdict = "within" if series.status == "at_risk" else "beyond"

    def amount(value: float) -> str:  # a gap in a % is in percentage points
        unit = "percentage points" if metric.unit == "%" else metric.unit
        return format_figure(value, None) + (f" {visible(unit)}" if unit else "")

    return (
        f"why: {amount(gap.amount)} behind the plan line, {percent(gap.ratio)} of the plan "
        f"segment's step of {amount(gap.span)}, {verdict} the {percent(metric.tolerance)} "
        "tolerance"
    )


def _places_table(view: MetricView, width: int = 80) -> RenderableType:
    """A row per place, or, when its columns do not fit in ``width``, a block per place
    (its id whole on a line of its own, then ``column: value`` lines)."""
    metric = view.metric
    table = Table(title="By place", title_justify="left", box=None, header_style="bold")
    columns = ["place", "status", "latest" if not metric.is_milestone else "done"]
    if not metric.is_milestone:
        columns += [PLAN_LINE, "variation", "assurance"]
    for name in columns:
        table.add_column(name, no_wrap=name in ("place", "variation", "assurance"), overflow="fold")
    for series in view.series:
        latest = series.latest
        cells: list[Any] = [
            plain(series.place or ""),
            status_cell(series.status),
            (
                latest.date.isoformat()
                if metric.is_milestone and latest
                else provisional_value(format_value(latest.value, metric.unit), latest.provisional)
                if latest
                else "—"
            ),
        ]
        if not metric.is_milestone:
            result = series.spc
            variation, assurance = spc.verdicts(result)
            few = result.points_in_group if result and result.points else 0
            cells += [
                format_figure(series.expected, metric.unit),
                (f"{few} of {spc.MIN_POINTS} points" if 0 < few < spc.MIN_POINTS else variation)
                or "—",
                assurance or "—",
            ]
        table.add_row(*cells)
    return table if _fits(table, width) else _stacked("By place", table)


def _fits(table: Table, width: int) -> bool:
    """Whether every column of ``table`` fits in ``width`` at its widest cell (one cell of
    padding each side, as rich draws a table without a box)."""
    widths = [
        max([len(str(column.header)), *(Text(str(c)).cell_len for c in column.cells)])
        for column in table.columns
    ]
    return sum(widths) + 2 * len(widths) <= width


def _stacked(title: str, table: Table) -> RenderableType:
    """The narrow layout of a table: its title, then per row its first cell (an id) whole on
    a line of its own, bold, and a ``column: value`` line for each other cell."""
    lines: list[RenderableType] = [Text(title, style="bold")]
    cells = [list(column.cells) for column in table.columns]
    for index in range(table.row_count):
        first = cells[0][index]
        lines.append(Text(first.plain if isinstance(first, Text) else str(first), style="bold"))
        for column, found in zip(table.columns[1:], cells[1:], strict=True):
            value = found[index]
            text = value if isinstance(value, Text) else Text(str(value))
            line = Text(f"  {column.header}: ").append_text(text)
            lines.append(line)
    return Group(*lines)


def _history(view: MetricView, series: SeriesView) -> RenderableType:
    unit = view.metric.unit
    kinds = {p.date: p for p in series.spc.points} if series.spc else {}
    shown = series.entries[-HISTORY_ROWS:]
    earlier = len(series.entries) - len(shown)
    title = "History" + (f" (latest {len(shown)}; lsc history lists all)" if earlier else "")
    table = Table(title=title, title_justify="left", box=None, header_style="bold")
    for name in ("date", "value", "SPC", "note"):
        table.add_column(name, justify="right" if name == "value" else "left", overflow="fold")
    for entry in shown:
        point = kinds.get(entry.date)
        kind = Text()
        if point is not None:
            rule = f" ({point.rule})" if point.rule else ""
            kind.append(POINT_GLYPHS[point.type], style=POINT_STYLES[point.type])
            kind.append(f" {POINT_LABELS[point.type]}{rule}")
        value = provisional_value(format_value(entry.value, unit), entry.provisional)
        table.add_row(entry.date.isoformat(), value, kind, plain(entry.note or ""))
    if not series.entries:
        table.add_row("—", "", "", "no actual recorded")
    return table


def _spc_lines(view: MetricView, series: SeriesView) -> Text:
    result = series.spc
    variation, assurance = spc.verdicts(result)
    text = Text()
    if result is not None and result.points and not result.enough_points:
        text.append("variation and assurance: ", style="bold")
        text.append(f"none yet, {too_few_points_text(result.points_in_group)}\n")
        text.append(spc_verdict(view.metric, result))
        return text
    text.append("variation: ", style="bold")
    text.append(f"{VARIATION_LABELS[variation]}\n")
    text.append("assurance: ", style="bold")
    text.append(f"{ASSURANCE_LABELS[assurance]}\n")
    text.append(spc_verdict(view.metric, result))
    return text


# --- the chart --------------------------------------------------------------------------------


@dataclass
class _Grid:
    """A character canvas: ``cells[row][column]`` holds (glyph, style); row 0 is the top."""

    width: int
    height: int
    first: date
    last: date
    low: float
    high: float

    def __post_init__(self) -> None:
        self.cells: list[list[tuple[str, str]]] = [
            [(" ", "")] * self.width for _ in range(self.height)
        ]

    def column(self, day: date) -> int:
        span = max((self.last - self.first).days, 1)
        return round((day - self.first).days / span * (self.width - 1))

    def row(self, value: float) -> int:
        # in halves: the difference of two figures near the largest float would overflow
        span = (self.high / 2 - self.low / 2) or 1.0
        return self.height - 1 - round((value / 2 - self.low / 2) / span * (self.height - 1))

    def put(self, column: int, value: float, glyph: str, style: str) -> None:
        row = self.row(value)
        if 0 <= row < self.height and 0 <= column < self.width:
            self.cells[row][column] = (glyph, style)

    def day_at(self, column: int) -> date:
        span = (self.last - self.first).days
        return date.fromordinal(self.first.toordinal() + round(column / (self.width - 1) * span))


def _interpolate(knots: Sequence[tuple[date, float]], day: date) -> float | None:
    """The plan line's value on ``day`` (the status engine's), or None outside its knots."""
    if not knots or not knots[0][0] <= day <= knots[-1][0]:
        return None
    return expected_value_on(knots, day)


def text_chart(
    view: MetricView,
    series: SeriesView,
    width: int = 60,
    height: int = 12,
    *,
    max_width: int | None = None,
) -> Text:
    """The series on a character grid: actuals by SPC type, mean and limits, plan line, targets.

    Glyphs carry the meaning and colours only repeat it: ● common cause, ■ special cause
    improvement, ◆ special cause concern, ─ mean, ┄ process limits, · plan line, ✕ target.
    """
    metric = view.metric
    result = series.spc
    points = list(result.points) if result else []
    goals = list(series.goals)
    if not points:
        return Text("(no chart: no actuals recorded yet)", style="dim")
    days = [p.date for p in points] + [g.by for g in goals] + [d for d, _ in series.line]
    values = [p.value for p in points] + [g.value for g in goals]
    for group in result.groups if result else ():
        values += [v for v in (group.lpl, group.upl, group.mean) if v is not None]
    first, last = min(days), max(days)
    values += [v for d, v in series.line if first <= d <= last]
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    label_width = max(len(format_figure(high, metric.unit)), len(format_figure(low, metric.unit)))
    if max_width is not None:  # the labels, " ┤" and the grid within the terminal
        width = max(24, min(width, max_width - label_width - 2))
    grid = _Grid(width, height, first, last, low, high)

    line = series.line
    for column in range(width):
        value = _interpolate(line, grid.day_at(column)) if len(line) > 1 else None
        if value is not None:
            grid.put(column, value, PLAN_GLYPH, "magenta")
    for index, group in enumerate(result.groups if result else ()):
        dates = [p.date for p in points if p.group == index]
        if not dates:
            continue
        for column in range(grid.column(dates[0]), grid.column(dates[-1]) + 1):
            for level, glyph in ((group.lpl, LIMIT_GLYPH), (group.upl, LIMIT_GLYPH)):
                if level is not None:
                    grid.put(column, level, glyph, "bright_black")
            if group.mean is not None:
                grid.put(column, group.mean, MEAN_GLYPH, "")
    for goal in goals:
        grid.put(grid.column(goal.by), goal.value, TARGET_GLYPH, "red")
    for point in points:
        grid.put(
            grid.column(point.date), point.value, POINT_GLYPHS[point.type], POINT_STYLES[point.type]
        )

    text = Text()
    for row_index, row in enumerate(grid.cells):
        if row_index == 0:
            label = format_figure(high, metric.unit)
        elif row_index == height - 1:
            label = format_figure(low, metric.unit)
        else:
            label = ""
        text.append(f"{label:>{label_width}} ┤" if label else f"{'':>{label_width}} │")
        for glyph, style in row:
            text.append(glyph, style=style or None)
        text.append("\n")
    text.append(f"{'':>{label_width}} └" + "─" * width + "\n")
    start, end = first.isoformat(), last.isoformat()
    text.append(f"{'':>{label_width}}  {start}{end:>{width - len(start)}}\n")
    legend = [
        f"{POINT_GLYPHS[spc.COMMON_CAUSE]} common cause",
        f"{POINT_GLYPHS[spc.IMPROVEMENT]} improvement",
        f"{POINT_GLYPHS[spc.CONCERN]} concern",
        f"{MEAN_GLYPH} mean",
        f"{LIMIT_GLYPH} limits",
        f"{PLAN_GLYPH} plan",
        f"{TARGET_GLYPH} target",
    ]
    text.append("  ".join(legend), style="dim")
    return text
