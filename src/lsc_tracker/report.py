"""``lsc report``: one self-contained HTML file for board papers.

Order of the page: a summary by priority, the exceptions (overdue, off track, at risk), then
one section per metric, grouped by priority: its facts, its Making Data Count chart (actuals
coloured grey / blue / orange, SPC mean and process limits, plan line, targets) and its
variation and assurance icons. A key to the icons closes it.

Self-contained: the charts are inline SVG drawn by matplotlib, the icons hand-written inline
SVG, the CSS inline; no font, script or image is fetched, so opening the file makes no network
request. Every text taken from the data is HTML-escaped. The same plan and date give the
same bytes (no clock, fixed SVG ids), so reports can be compared.

matplotlib is imported only inside `chart_svg`, so that importing this module (and every
other command) stays fast.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING

from . import __version__, mdc, spc
from .render import summary_lines
from .status import STATUS_ORDER
from .views import (
    STATUS_LABELS,
    MetricView,
    SeriesView,
    describe_days,
    direction_words,
    format_figure,
    format_value,
    plan_views,
    spc_verdict,
)

if TYPE_CHECKING:
    from .loader import Plan
    from .status import StatusReport

EXCEPTION_STATUSES = ("overdue", "off_track", "at_risk")
"""Statuses listed in the exceptions section, worst first."""

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
MARKER_GLYPHS = {spc.COMMON_CAUSE: "●", spc.IMPROVEMENT: "■", spc.CONCERN: "◆"}

CHART_SIZE = (7.4, 2.6)  # inches: the width of an A4 page inside 12 mm margins
_RC = {
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
}


def h(text: object) -> str:
    """HTML-escape any text taken from the data (quotes too, for attributes)."""
    return escape(str(text), quote=True)


# --- the page --------------------------------------------------------------------------------


def render_report(plan: Plan, as_of: date) -> str:
    """The whole report as one HTML document.

    Args:
        plan: a loaded plan without problems.
        as_of: the date of the report; later actuals are left out.

    Returns:
        The HTML text (UTF-8 when written), identical for the same plan and date.
    """
    report, views = plan_views(plan, as_of)
    title = report_title(plan)
    body = "\n".join(
        [
            _header(title, report, views),
            _summary(report, views),
            _exceptions(views),
            _metric_sections(report, views),
            _key(),
            _footer(),
        ]
    )
    template = Template(
        resources.files("lsc_tracker").joinpath("templates/report.html").read_text("utf-8")
    )
    return template.substitute(title=h(title), version=h(__version__), body=body)


def report_title(plan: Plan) -> str:
    """``<system>: plan tracker board report``, the system being the one top-level place."""
    roots = [p for p in plan.places if p.parent is None]
    prefix = f"{roots[0].name}: " if len(roots) == 1 else ""
    return f"{prefix}plan tracker board report"


def _badge(status: str) -> str:
    return f'<span class="badge status-{h(status)}">{h(STATUS_LABELS.get(status, status))}</span>'


def _anchor(view: MetricView) -> str:
    return f"m-{view.id}"


def _header(title: str, report: StatusReport, views: Sequence[MetricView]) -> str:
    counts = report.counts
    glance = "".join(
        f"<li><strong>{n}</strong> {h(STATUS_LABELS[s].lower())}</li>" for s, n in counts.items()
    )
    measures = sum(1 for v in views if not v.metric.is_milestone)
    return (
        f'<header id="top"><h1>{h(title)}</h1>\n'
        f'<p class="meta">Position as of <strong>{report.as_of.isoformat()}</strong>: '
        f"{len(views)} metrics ({measures} measures, {len(views) - measures} milestones) "
        f"under {len(report.priorities)} priorities. "
        "Status compares each metric with its plan line; the icons read its measures the "
        "Making Data Count way (see the key at the end).</p>\n"
        f'<ul class="glance" aria-label="Metrics by status">{glance}</ul>\n'
        + f'<p class="meta">{h(" ".join(summary_lines(report)))}</p></header>'
    )


def _spc_counts(views: Iterable[MetricView]) -> tuple[int, int]:
    """How many measure series end on a special cause concern, and on an improvement."""
    concern = improvement = 0
    for view in views:
        for series in view.series:
            variation = series.spc.variation if series.spc else None
            concern += bool(variation and variation.startswith("concern"))
            improvement += bool(variation and variation.startswith("improvement"))
    return concern, improvement


def _summary(report: StatusReport, views: Sequence[MetricView]) -> str:
    rows = []
    for priority in report.priorities:
        mine = [v for v in views if v.metric.priority == priority.id]
        counts = ", ".join(f"{n} {STATUS_LABELS[s].lower()}" for s, n in priority.counts.items())
        concern, improvement = _spc_counts(mine)
        rows.append(
            "<tr>"
            f'<td><a href="#p-{h(priority.id)}">{h(priority.id)}</a></td>'
            f"<td>{h(priority.priority.title)}</td>"
            f"<td>{_badge(priority.status)}</td>"
            f"<td>{h(counts) or 'no metrics'}</td>"
            f'<td class="num">{concern}</td><td class="num">{improvement}</td>'
            "</tr>"
        )
    return (
        '<section id="summary"><h2>Summary by priority</h2>\n'
        "<table><thead><tr><th>Priority</th><th>Title</th><th>Status</th><th>Metrics</th>"
        '<th class="num">SPC concern</th><th class="num">SPC improvement</th></tr></thead>\n'
        f"<tbody>{''.join(rows)}</tbody></table>\n"
        '<p class="note">A priority takes the worst status of its metrics. The SPC columns '
        "count the measures (and places) whose latest point is a special cause concern or "
        "improvement.</p></section>"
    )


def _exceptions(views: Sequence[MetricView]) -> str:
    found: list[tuple[int, int, MetricView, SeriesView]] = []
    for order, view in enumerate(views):
        for series in view.series:
            if series.status in EXCEPTION_STATUSES:
                found.append((STATUS_ORDER.index(series.status), order, view, series))
    found.sort(key=lambda item: item[:2])
    if not found:
        body = "<p>None: no metric is overdue, off track or at risk.</p>"
        return f'<section id="exceptions"><h2>Exceptions</h2>\n{body}</section>'
    rows = []
    for _, _, view, series in found:
        metric = view.metric
        place = h(series.place_name) if series.place_name else ""
        latest = series.latest
        shown = format_value(latest.value, metric.unit) if latest else "—"
        when = f' <span class="muted">({latest.date.isoformat()})</span>' if latest else ""
        deadline = view.assessed.deadline
        rows.append(
            "<tr>"
            f"<td>{_badge(series.status)}</td>"
            f'<td><a href="#{_anchor(view)}">{h(metric.name)}</a>'
            f' <span class="muted">{h(metric.priority)}</span></td>'
            f"<td>{place}</td>"
            f"<td>{h(shown)}{when}</td>"
            f'<td class="num">{h(format_figure(series.expected, metric.unit))}</td>'
            f"<td>{h(deadline.isoformat()) if deadline else '—'}"
            f' <span class="muted">{h(describe_days(series.days_to_deadline))}</span></td>'
            f"<td>{h(metric.owner or '—')}</td>"
            "</tr>"
        )
    return (
        '<section id="exceptions"><h2>Exceptions</h2>\n'
        "<table><thead><tr><th>Status</th><th>Metric</th><th>Place</th><th>Latest</th>"
        '<th class="num">Plan line</th><th>Deadline</th><th>Owner</th></tr></thead>\n'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _metric_sections(report: StatusReport, views: Sequence[MetricView]) -> str:
    parts = ['<section id="metrics">']
    for priority in report.priorities:
        mine = [v for v in views if v.metric.priority == priority.id]
        parts.append(
            f'<section class="priority-group" id="p-{h(priority.id)}">'
            f"<h2>{h(priority.id)} {h(priority.priority.title)} {_badge(priority.status)}</h2>"
        )
        if not mine:
            parts.append('<p class="muted">No metrics.</p>')
        parts.extend(_metric_section(view) for view in mine)
        parts.append("</section>")
    parts.append("</section>")
    return "\n".join(parts)


def _facts(view: MetricView) -> str:
    metric = view.metric
    facts: list[tuple[str, str]] = [("Kind", "milestone" if metric.is_milestone else "measure")]
    if metric.is_milestone:
        facts.append(("Due", metric.due.isoformat() if metric.due else "—"))
    else:
        facts.append(("Direction", direction_words(metric)))
        if metric.unit:
            facts.append(("Unit", metric.unit))
        if metric.cadence:
            facts.append(("Cadence", metric.cadence))
        if metric.baseline:
            base = metric.baseline
            facts.append(("Baseline", f"{format_value(base.value, metric.unit)} on {base.date}"))
        targets = [_target_text(view, i) for i in range(len(metric.targets))]
        facts.append(("Targets", "; ".join(targets) if targets else "none with a date"))
    deadline = view.assessed.deadline
    if deadline:
        facts.append(("Deadline", f"{deadline} ({describe_days(view.assessed.days_to_deadline)})"))
    facts.append(("Owner", metric.owner or "—"))
    facts.append(("Source", metric.source or "—"))
    cells = "".join(f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in facts)
    return f'<dl class="facts">{cells}</dl>'


def _target_text(view: MetricView, index: int) -> str:
    metric = view.metric
    target = metric.targets[index]
    value = metric.target_value(target)
    if value is None:
        return f"open (no figure) by {target.by}"
    shown = format_figure(value, metric.unit)
    change = f" ({target.change:+.0%} on the baseline)" if target.change is not None else ""
    return f"{shown}{change} by {target.by}"


def _metric_section(view: MetricView) -> str:
    metric = view.metric
    flags = []
    if view.assessed.stale:
        flags.append('<span class="flag">STALE DATA</span>')
    if view.assessed.late:
        flags.append('<span class="flag">DONE LATE</span>')
    head = (
        f'<div class="metric-head"><h3>{h(metric.name)} '
        f'<span class="metric-id">{h(metric.id)}</span></h3>'
        f"<div>{' '.join(flags)} {_badge(view.assessed.status)}</div></div>"
    )
    parts = [f'<section class="metric" id="{_anchor(view)}">', head, _facts(view)]
    if metric.description:
        parts.append(f'<p class="description">{h(metric.description)}</p>')
    notes = [t.note for t in metric.targets if t.note]
    parts.extend(f'<p class="note">Target note: {h(note)}</p>' for note in notes)
    if metric.is_milestone:
        parts.append(_milestone_body(view))
    else:
        parts.extend(_measure_series(view, series) for series in view.series)
    parts.append("</section>")
    return "\n".join(parts)


def _latest_text(view: MetricView, series: SeriesView) -> str:
    unit = view.metric.unit
    latest = series.latest
    if latest is None:
        return "Latest: no actual recorded."
    text = f"Latest: <strong>{h(format_value(latest.value, unit))}</strong> on {latest.date}"
    if series.expected is not None:
        text += f"; the plan line expects {h(format_figure(series.expected, unit))} then"
    if series.stale:
        text += " (stale: older than 1.5 reporting periods)"
    return text + "." + _entry_note(series)


def _entry_note(series: SeriesView) -> str:
    """The note and recorder of the entry behind the latest value ("January return, revised",
    by jo.bloggs): what a board member asks first about a figure. Escaped like every text."""
    entry = series.entries[-1] if series.entries else None
    if entry is None or (entry.note is None and entry.by is None):
        return ""
    parts = [f"“{h(entry.note)}”"] if entry.note else []
    if entry.by:
        parts.append(f"recorded by {h(entry.by)}")
    return f' <span class="muted">({", ".join(parts)})</span>'


def _measure_series(view: MetricView, series: SeriesView) -> str:
    title = ""
    if series.place is not None:
        title = f"<h4>{h(series.place_name)} {_badge(series.status)}</h4>"
    key = f"{view.id}--{series.place}" if series.place else view.id
    label = f"{view.metric.name}" + (f", {series.place_name}" if series.place_name else "")
    if series.entries or view.goals:
        figure = (
            f"<figure>{chart_svg(view, series, key=key, label=label)}"
            f"<figcaption>{_chart_key(series)}</figcaption></figure>"
        )
    else:
        figure = f"<figure>{empty_chart_svg(label)}</figure>"
    verdict = h(spc_verdict(view.metric, series.spc))
    return (
        f'<div class="series">{title}<p>{_latest_text(view, series)}</p>\n{figure}\n'
        f'{_icons(series.spc)}\n<p class="verdict">{verdict}</p></div>'
    )


def _chart_key(series: SeriesView) -> str:
    parts = []
    types = {p.type for p in series.spc.points} if series.spc else set()
    for kind in (spc.COMMON_CAUSE, spc.IMPROVEMENT, spc.CONCERN):
        if kind in types:
            glyph = f'<span style="color:{COLOURS[kind]}">{MARKER_GLYPHS[kind]}</span>'
            parts.append(f'<span class="key-line">{glyph} {mdc.POINT_LABELS[kind]}</span>')
    if series.spc and series.spc.groups and series.spc.groups[-1].upl is not None:
        parts.append('<span class="key-line">━ mean</span>')
        parts.append('<span class="key-line">╌ process limits</span>')
    if len(series.line) > 1:
        plan = f'<span style="color:{COLOURS["plan"]}">╌</span>'
        parts.append(f'<span class="key-line">{plan} plan line</span>')
    if series.line:
        target = f'<span style="color:{COLOURS["target"]}">✕</span>'
        parts.append(f'<span class="key-line">{target} target</span>')
    parts.append('<span class="key-line">┆ report date</span>')
    return " ".join(parts)


def _milestone_body(view: MetricView) -> str:
    rows = []
    for series in view.series:
        done = series.latest.date.isoformat() if series.latest else "not yet"
        late = ' <span class="flag">LATE</span>' if series.late else ""
        place = f"<td>{h(series.place_name)}</td>" if series.place else ""
        note = _entry_note(series) if series.latest else ""
        rows.append(f"<tr>{place}<td>{_badge(series.status)}</td><td>{done}{late}{note}</td></tr>")
    head = "<th>Place</th>" if view.metric.places else ""
    table = (
        f"<table><thead><tr>{head}<th>Status</th><th>Done</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return f"<figure>{timeline_svg(view)}</figure>\n{table}"


def _key() -> str:
    variation = "".join(
        f'<div class="icon-pair">{variation_icon(kind)}<span>{h(label)}</span></div>'
        for kind, label in mdc.VARIATION_LABELS.items()
        if kind is not None
    )
    assurance = "".join(
        f'<div class="icon-pair">{assurance_icon(kind)}<span>{h(label)}</span></div>'
        for kind, label in mdc.ASSURANCE_LABELS.items()
    )
    statuses = " ".join(_badge(s) for s in STATUS_ORDER)
    return (
        '<section id="key"><h2>How to read this report</h2>\n'
        f"<p><strong>Status</strong> (against the plan line to each target): {statuses}</p>\n"
        "<p><strong>Charts</strong>: each measure's actuals as an XmR chart. Grey points are "
        "common cause variation (noise); blue points a special cause improvement; orange "
        "points a special cause concern (a point outside the process limits, a trend of 7, "
        "2 of 3 points beyond the 2-sigma line, or a run of 7 on one side of the mean). "
        "Limits drawn dotted are trial limits (fewer than 13 points).</p>\n"
        f'<h4>Variation (the latest point)</h4><div class="icons">{variation}</div>\n'
        f'<h4>Assurance (the target against the process limits)</h4><div class="icons">'
        f"{assurance}</div>\n"
        "<p>See docs/report.md and docs/spc.md for the rules.</p></section>"
    )


def _footer() -> str:
    return (
        f"<footer>Made with lsc-tracker {h(__version__)} (lsc report). Figures come from "
        "the plan's data files; each metric cites its source.</footer>"
    )


# --- icons -------------------------------------------------------------------------------------

_ICON_OPEN = (
    '<svg class="icon" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="34" '
    'height="34" role="img" aria-label="{label}"><title>{label}</title>'
)
_ICON_FONT = 'font-family="Arial, sans-serif" font-weight="bold" text-anchor="middle"'


def _dots(ys: Sequence[float], colours: Sequence[str]) -> str:
    return "".join(
        f'<circle cx="{10 + 5 * i}" cy="{y}" r="2.1" fill="{c}"/>'
        for i, (y, c) in enumerate(zip(ys, colours, strict=True))
    )


def variation_icon(kind: str | None) -> str:
    """The MDC variation icon as inline SVG: a ring in the verdict's colour, a letter (H or L)
    for a special cause, and five dots showing the movement; with a text title."""
    label = h(mdc.VARIATION_LABELS.get(kind, str(kind)))
    grey = COLOURS[spc.COMMON_CAUSE]
    if kind is None:
        body = (
            f'<circle cx="20" cy="20" r="17" fill="#fff" stroke="{grey}" stroke-width="2.5" '
            f'stroke-dasharray="4 3"/><text x="20" y="25" font-size="14" {_ICON_FONT} '
            f'fill="{grey}">–</text>'
        )
        return _ICON_OPEN.format(label=label) + body + "</svg>"
    if kind == spc.COMMON_CAUSE:
        colour, letter, ys = grey, "", [26, 24, 27, 25, 26]
        tints = [grey] * 5
    else:
        colour = COLOURS[spc.IMPROVEMENT if kind.startswith("improvement") else spc.CONCERN]
        high = kind.endswith("high")
        letter = "H" if high else "L"
        ys = [29, 28, 26, 24, 22] if high else [22, 24, 26, 28, 29]
        tints = [grey, grey, colour, colour, colour]
    text = (
        f'<text x="20" y="17" font-size="11" {_ICON_FONT} fill="{colour}">{letter}</text>'
        if letter
        else ""
    )
    body = (
        f'<circle cx="20" cy="20" r="17" fill="#fff" stroke="{colour}" stroke-width="3"/>'
        f"{text}{_dots(ys, tints)}"
    )
    return _ICON_OPEN.format(label=label) + body + "</svg>"


def assurance_icon(kind: str | None) -> str:
    """The MDC assurance icon as inline SVG: P (pass, blue), F (fail, orange) or ? (grey)."""
    label = h(mdc.ASSURANCE_LABELS.get(kind, str(kind)))
    letter, colour = {
        spc.CONSISTENT_PASS: ("P", COLOURS[spc.IMPROVEMENT]),
        spc.CONSISTENT_FAIL: ("F", COLOURS[spc.CONCERN]),
        spc.INCONSISTENT: ("?", COLOURS[spc.COMMON_CAUSE]),
    }.get(kind or "", ("–", COLOURS[spc.COMMON_CAUSE]))
    dash = ' stroke-dasharray="4 3"' if kind is None else ""
    body = (
        f'<circle cx="20" cy="20" r="17" fill="#fff" stroke="{colour}" stroke-width="3"{dash}/>'
        f'<line x1="8" y1="27" x2="32" y2="27" stroke="{COLOURS["target"]}" stroke-width="1.2"/>'
        f'<text x="20" y="23" font-size="15" {_ICON_FONT} fill="{colour}">{letter}</text>'
    )
    return _ICON_OPEN.format(label=label) + body + "</svg>"


def _icons(result: spc.SpcResult | None) -> str:
    variation = result.variation if result else None
    assurance = result.assurance if result else None
    return (
        '<div class="icons">'
        f'<div class="icon-pair">{variation_icon(variation)}<span><strong>Variation</strong>: '
        f"{h(mdc.VARIATION_LABELS.get(variation, variation))}</span></div>"
        f'<div class="icon-pair">{assurance_icon(assurance)}<span><strong>Assurance</strong>: '
        f"{h(mdc.ASSURANCE_LABELS.get(assurance, assurance))}</span></div></div>"
    )


# --- charts ------------------------------------------------------------------------------------


def timeline_svg(view: MetricView) -> str:
    """A milestone's due date, the report date and each completion on one line (inline SVG).

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

    font = 'font-family="Arial, sans-serif" font-size="11"'
    parts = [
        '<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 66" '
        f'role="img" aria-label="{h(view.metric.name)}: timeline"><title>'
        f"{h(view.metric.name)}: due date, report date and completion</title>",
        f'<line x1="{left}" y1="34" x2="{right}" y2="34" stroke="#a6a6a6" stroke-width="2"/>',
        f'<line x1="{x(view.as_of)}" y1="22" x2="{x(view.as_of)}" y2="46" stroke="#4c6272" '
        f'stroke-dasharray="3 2"/><text x="{x(view.as_of)}" y="60" {font} '
        f'text-anchor="middle" fill="#4c6272">report date {view.as_of.isoformat()}</text>',
    ]
    labels: list[tuple[date, str, str]] = []
    if due:
        parts.append(
            f'<path d="M{x(due)} 27 l7 7 -7 7 -7 -7z" fill="#fff" '
            f'stroke="{COLOURS["target"]}" stroke-width="2"/>'
        )
        labels.append((due, f"due {due.isoformat()}", COLOURS["target"]))
    parts.extend(
        f'<circle cx="{x(day)}" cy="34" r="5" fill="{COLOURS[spc.IMPROVEMENT]}" '
        'stroke="#fff" stroke-width="1"/>'
        for day in done
    )
    if len(done) == 1:
        labels.append((done[0], f"done {done[0].isoformat()}", "#005eb8"))
    elif done:
        labels.append((max(done), f"{len(done)} of {len(view.series)} places done", "#005eb8"))
    labels.sort(key=lambda label: label[0])
    for position, (day, text, colour) in enumerate(labels):
        later = position == len(labels) - 1 and len(labels) > 1
        anchor, shift = ("start", 6) if later else ("end", -6)
        if len(labels) == 1:
            anchor, shift = "middle", 0
        parts.append(
            f'<text x="{x(day) + shift}" y="16" {font} text-anchor="{anchor}" '
            f'fill="{colour}">{h(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def empty_chart_svg(label: str) -> str:
    """A slim placeholder where a measure with no actuals and no target would have its chart."""
    return (
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 36" role="img" '
        f'aria-label="{h(label)}: no actuals recorded yet"><title>{h(label)}</title>'
        '<rect x="1" y="1" width="598" height="34" fill="#fff" stroke="#a6a6a6" '
        'stroke-dasharray="4 3"/><text x="300" y="23" font-family="Arial, sans-serif" '
        'font-size="12" text-anchor="middle" fill="#4c6272">No actuals recorded yet, and no '
        "target with a figure: nothing to chart</text></svg>"
    )


def chart_svg(view: MetricView, series: SeriesView, *, key: str, label: str) -> str:
    """The MDC chart of one measure series as inline SVG, drawn with matplotlib.

    Actuals joined by a grey line, each point coloured (and shaped) by its SPC type; per
    group the mean and the process limits (dotted when trial limits); the plan line and the
    targets; a dotted line on the report date.

    Args:
        view: the metric.
        series: the metric's series (the whole metric, or one place).
        key: unique within the page: prefixes every SVG id, so charts never share one.
        label: the chart's accessible name.
    """
    import matplotlib
    from matplotlib import dates as mdates
    from matplotlib.figure import Figure

    metric = view.metric
    result = series.spc
    with matplotlib.rc_context(_RC):
        has_points = bool(result and result.points)
        size = CHART_SIZE if has_points else (CHART_SIZE[0], CHART_SIZE[1] * 0.6)
        figure = Figure(figsize=size, layout="constrained")
        ax = figure.subplots()
        days: list[date] = [view.as_of]
        if result and result.points:
            xs = [p.date for p in result.points]
            ys = [p.value for p in result.points]
            days += xs
            ax.plot(xs, ys, color=COLOURS["value_line"], linewidth=1, zorder=2)
            for kind, marker in MARKERS.items():
                chosen = [p for p in result.points if p.type == kind]
                if chosen:
                    ax.scatter(
                        [p.date for p in chosen],
                        [p.value for p in chosen],
                        s=16 if kind == spc.COMMON_CAUSE else 20,
                        marker=marker,
                        color=COLOURS[kind],
                        zorder=3,
                        linewidths=0,
                    )
            _draw_limits(ax, result)
        values: list[float] = [p.value for p in result.points] if result else []
        if len(series.line) > 1:
            ax.plot(
                [d for d, _ in series.line],
                [v for _, v in series.line],
                color=COLOURS["plan"],
                linewidth=1.1,
                linestyle=(0, (5, 2)),
                zorder=1,
            )
            days += [d for d, _ in series.line]
            values += [v for _, v in series.line]
        for goal in view.goals:
            values.append(goal.value)
            ax.scatter([goal.by], [goal.value], marker="X", s=34, color=COLOURS["target"], zorder=4)
            ax.annotate(
                f"target {format_figure(goal.value, metric.unit)}",
                (goal.by, goal.value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
                color=COLOURS["target"],
            )
            days.append(goal.by)
        ax.axvline(view.as_of, color=COLOURS["as_of"], linewidth=0.8, linestyle=":", zorder=1)
        if values and max(values) == min(values) and not has_points:
            # a lone target: give it room instead of a +/-0.04 axis
            half = max(1.0, abs(values[0]) * 0.5)
            ax.set_ylim(values[0] - half, values[0] + half)
        if not has_points:
            ax.text(
                0.5,
                0.5,
                "No actuals recorded yet",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=9,
                color="#4c6272",
            )
            if not view.goals:
                ax.set_yticks([])
        first, last = min(days), max(days)
        pad = max((last - first).days // 30, 15)
        ax.set_xlim(mdates.date2num(first) - pad, mdates.date2num(last) + pad)
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if metric.unit:
            unit = metric.unit if len(metric.unit) <= 28 else metric.unit[:27] + "…"
            ax.set_ylabel(unit)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return clean_svg(buffer.getvalue(), prefix=f"c-{key}-", label=label)


def _draw_limits(ax: object, result: spc.SpcResult) -> None:
    """Each group's mean and process limits, over the group's own points."""
    for index, group in enumerate(result.groups):
        days = [p.date for p in result.points if p.group == index]
        if not days or group.mean is None:
            continue
        start, end = days[0], days[-1]
        ax.plot([start, end], [group.mean] * 2, color=COLOURS["mean"], linewidth=0.9, zorder=1)  # type: ignore[attr-defined]
        if group.lpl is None or group.upl is None:
            continue
        style = (0, (1, 1.5)) if group.trial else (0, (4, 2))
        for limit in (group.lpl, group.upl):
            ax.plot(  # type: ignore[attr-defined]
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
    svg = _COMMENT.sub("", _METADATA.sub("", _XML_HEADER.sub("", svg)))
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", prefix)
    svg = _ID.sub(lambda m: f'id="{safe}{m.group(1)}"', svg)
    svg = _REF.sub(lambda m: f"{m.group(1)}{safe}{m.group(2)}", svg)

    def root(match: re.Match[str]) -> str:
        tag = _SIZE.sub("", match.group(0))
        return (
            tag[:-1]
            + f' class="chart" role="img" aria-label="{h(label)}"><title>{h(label)}</title>'
        )

    return _ROOT.sub(root, svg, count=1).strip()
