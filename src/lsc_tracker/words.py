"""The words, glyphs and number formats every view uses, each defined once.

The status table, JSON, CSV, Markdown, the workbook, ``lsc show``, ``lsc spc``,
``lsc history`` and the HTML report all name a status, an SPC verdict or the plan line
and write a figure the same way because they take the wording from here: change a word
here and every view says it. Also `visible`, which every terminal view passes user text
through.

Pure: standard library, `models` and `spc` only; no rich, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from . import spc

if TYPE_CHECKING:
    from datetime import date

    from .asknown import AsKnown
    from .forecast import Forecast
    from .models import Metric
    from .status import Stage

# --- statuses --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusWords:
    """How every view shows one status: its label, its terminal style and its colours."""

    label: str  # "Off track": in prose ("3 off track"); a status cell shows `shout`
    style: str  # rich style in the terminal
    fill: str  # background colour (hex), in the workbook and the HTML report
    ink: str  # text colour on that background

    @property
    def shout(self) -> str:
        """The label in capitals (``OFF TRACK``): the status as every human format shows it
        (table, Markdown, workbook, HTML report), so it reads the same without colour. The
        machine formats (CSV, JSON) give the status id (``off_track``)."""
        return self.label.upper()


STATUS_WORDS: Final = {
    "overdue": StatusWords("Overdue", "bold red", "8A1538", "FFFFFF"),
    "off_track": StatusWords("Off track", "red", "D5281B", "FFFFFF"),
    "at_risk": StatusWords("At risk", "yellow", "FFB81C", "212B32"),
    "no_data": StatusWords("No data", "magenta", "FFFFFF", "4C6272"),
    "on_track": StatusWords("On track", "green", "007F3B", "FFFFFF"),
    "achieved": StatusWords("Achieved", "bold green", "005EB8", "FFFFFF"),
    "no_target": StatusWords("No target", "dim", "F0F4F5", "4C6272"),
    "no_baseline": StatusWords("No baseline", "bold magenta", "330072", "FFFFFF"),
    "withdrawn": StatusWords("Withdrawn", "dim italic", "D8DDE0", "4C6272"),
}
"""Every status's words, by the status's id (see `status.STATUS_ORDER`)."""

STAGE_WORDS: Final = {
    "pending": ("pending", "…"),
    "met": ("met", "✓"),
    "missed": ("missed", "✗"),
    "no_data": ("no data", "?"),
    "open": ("left open", "–"),
    "no_baseline": ("no baseline", "?"),
    "holding": ("holding", "✓"),
    "breached": ("breached", "✗"),
}
"""A stage's verdict (`status.Stage`) as (words, glyph), so it reads without colour."""

EASED: Final = "eased"
"""The mark of a revision that eased the plan (boards must see every easing)."""
EASED_GLYPH: Final = "▼"
EASED_STYLE: Final = "bold yellow"
"""The terminal style of an eased revision's mark (the word says it without colour)."""

PROGRAMME_TITLE: Final = "Whole programme"
"""The heading of the section of ``priority: programme`` metrics, shown before the
priorities in every view: commitments of the whole programme, under no one priority."""

ORIGINAL_PLAN: Final = "original plan"
"""What the views call the plan as first written, beside the revised one."""

STATUS_MEANINGS: Final = {
    "overdue": "the last deadline has passed and the target is not met",
    "off_track": "the latest actual is short of the plan line by more than the tolerance",
    "at_risk": "the latest actual is short of the plan line, within the tolerance",
    "no_baseline": "a target set as a change from a baseline that has no figure yet",
    "no_data": "no actual recorded yet",
    "on_track": "the latest actual is on or better than the plan line",
    "achieved": "the latest actual meets the last target (a milestone: done)",
    "no_target": "no target with a figure and a date to judge against",
    "withdrawn": "withdrawn by a revision of the plan: not judged, left out of roll-ups",
}
"""What each status means, in a line, for the key of a file read away from the docs (the
HTML board report)."""


def stage_verdict_text(verdict: str) -> str:
    """A stage's verdict in words ("met", "left open")."""
    return STAGE_WORDS.get(verdict, (verdict, ""))[0]


def revision_text(decided: str, eased: bool) -> str:
    """A revision in force: "revised 2020-05-12", "revised 2020-05-12 (eased)"."""
    return f"revised {decided}" + (f" ({EASED})" if eased else "")


def withdrawn_text(decided: str, by: str, reason: str) -> str:
    """A withdrawal: "withdrawn 2020-05-01 by ICS Board: Overtaken by the national standard"."""
    return f"withdrawn {decided} by {by}: {reason}"


def change_text(change: float) -> str:
    """A change target as the views show it while its baseline has no value:
    ``−50% of baseline`` (a real minus sign), ``+10% of baseline``."""
    text = percent(change, sign=True)
    return ("\u2212" + text[1:] if text.startswith("-") else text) + " of baseline"


def standing_text(since: str, breaches: int, last_breach: str | None) -> str:
    """A standing target's record: "held since 2020-04-01, 2 breaches, last 2020-09-30"."""
    if breaches == 0:
        return f"held since {since}, no breaches"
    noun = "breach" if breaches == 1 else "breaches"
    return f"held since {since}, {breaches:,} {noun}, last {last_breach}"


def points_text(n: int) -> str:
    """``1 point``, ``2 points``: how many points a chart has, in every view."""
    return f"{n:,} point" + ("" if n == 1 else "s")


def status_label(status: str, late: bool = False) -> str:
    """A status as the text views show it: ``OFF TRACK``, ``OVERDUE (late)``."""
    return STATUS_WORDS[status].shout + (" (late)" if late else "")


def counts_text(counts: Mapping[str, int]) -> str:
    """``{"overdue": 2, "no_data": 1}`` -> "2 overdue, 1 no data"."""
    return ", ".join(f"{n} {STATUS_WORDS[s].label.lower()}" for s, n in counts.items()) or "none"


def failing_text(metric_counts: Mapping[str, int], place_counts: Mapping[str, int]) -> str:
    """What ``--fail-on`` found, metrics and place rows counted apart: "failing: 18 metrics
    overdue, and 10 place rows overdue"; with several statuses, "20 metrics (18 overdue, 2 off
    track)". A metric is counted once, by its own status; its place rows count on their own."""

    def part(counts: Mapping[str, int], one: str, many: str) -> str:
        total = sum(counts.values())
        noun = f"{total:,} {one if total == 1 else many}"
        if len(counts) == 1:
            (status,) = counts
            return f"{noun} {STATUS_WORDS[status].label.lower()}"
        return f"{noun} ({counts_text(counts)})"

    parts = [
        part(counts, one, many)
        for counts, one, many in (
            (metric_counts, "metric", "metrics"),
            (place_counts, "place row", "place rows"),
        )
        if counts
    ]
    return "failing: " + ", and ".join(parts)


# --- the plan line ---------------------------------------------------------------------------

PLAN_LINE: Final = "plan line"
"""The one name of the figure the plan expects on a date (``expected`` in JSON and CSV):
the table's column, ``lsc show``, the status line and the HTML report all call it this."""


# --- Making Data Count -----------------------------------------------------------------------

VARIATION_LABELS: Final[dict[str | None, str]] = {
    spc.COMMON_CAUSE: "Common cause: no significant change",
    spc.NO_VARIATION: "No variation to judge: the values do not vary",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    None: "No data",
}
"""The variation icon in words, as the MDC guidance names it."""

ASSURANCE_LABELS: Final[dict[str | None, str]] = {
    spc.CONSISTENT_PASS: "Consistently passing the target",
    spc.CONSISTENT_FAIL: "Consistently failing the target",
    spc.INCONSISTENT: "Inconsistent: will sometimes meet, sometimes miss the target",
    None: "No assurance (no target, too few points, or no variation to judge)",
}
"""The assurance icon in words."""

SPC_SHORT: Final = {
    "common_cause": "common cause",
    "no_variation": "no variation to judge",
    "improvement_high": "improving ↑",
    "improvement_low": "improving ↓",
    "concern_high": "concern ↑",
    "concern_low": "concern ↓",
    "consistent_pass": "will pass",
    "consistent_fail": "will fail",
    "inconsistent": "may miss",
}
"""A variation or assurance icon in a few words, for a table cell (docs/spc.md explains)."""

POINT_LABELS: Final = {
    spc.COMMON_CAUSE: "common cause",
    spc.IMPROVEMENT: "special cause improvement",
    spc.CONCERN: "special cause concern",
}
"""A point's type in words."""

RULE_LABELS: Final[dict[str | None, str]] = {
    spc.RULE_OUTSIDE: "outside the process limits",
    spc.RULE_TREND: "trend of 7 or more rising or falling",
    spc.RULE_TWO_OF_THREE: "2 of 3 beyond the 2-sigma line",
    spc.RULE_RUN: "run of 7 or more on one side of the mean",
    None: "",
}
"""The special-cause rule a point broke, in words."""


def too_few_points_text(points: int) -> str:
    """Why a series has no SPC verdict: "too few points for SPC (5 of 12)"."""
    return f"too few points for SPC ({points:,} of {spc.MIN_POINTS})"


INDICATIVE: Final = "limits are indicative only"
"""What ``lsc spc`` adds to `too_few_points_text`: it still computes, from fewer points."""


def spc_short(icon: str | None) -> str:
    """An SPC icon in a few words (`SPC_SHORT`); "" when there is none."""
    return "" if icon is None else SPC_SHORT.get(icon, icon)


# --- glyphs ----------------------------------------------------------------------------------

POINT_GLYPHS: Final = {spc.COMMON_CAUSE: "●", spc.IMPROVEMENT: "■", spc.CONCERN: "◆"}
"""Each point type's glyph, so that a chart reads without colour."""
POINT_STYLES: Final = {
    spc.COMMON_CAUSE: "bright_black",
    spc.IMPROVEMENT: "blue",
    spc.CONCERN: "dark_orange",
}
"""Each point type's colour in the terminal (the glyph already says which it is)."""
PLAN_GLYPH, TARGET_GLYPH, MEAN_GLYPH, LIMIT_GLYPH = "·", "✕", "─", "┄"
"""The terminal chart's glyphs for the plan line, a target, the mean and the limits."""


# --- numbers ---------------------------------------------------------------------------------


def format_number(value: float) -> str:
    """A figure for people: thousands separators, no needless decimals (72.1, 1,250, 5.52)."""
    magnitude = abs(value)
    if magnitude >= 1e15:  # beyond any figure of a plan: 1.2e+308, not 309 digits
        return f"{value:.4g}"
    decimals = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(share: float, *, sign: bool = False) -> str:
    """A share as a whole percentage (``10%``, ``+25%``); a share too large for a percentage
    to mean anything (a tolerance of 1e308) as a multiple, never ``inf%``."""
    if abs(share) < 1e6:
        return f"{share:{'+' if sign else ''}.0%}"
    return f"{'+' if sign and share > 0 else ''}{format_number(share)} times"


def format_value(value: float | str | None, unit: str | None = None) -> str:
    """An actual as recorded (every digit kept), with a % sign for percentages; "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    text = format(value, ",.10g")
    return f"{text}%" if unit == "%" else text


def format_figure(value: float | None, unit: str | None = None) -> str:
    """A computed figure (mean, limit, plan line), rounded with `format_number`; "—" for none."""
    if value is None:
        return "—"
    text = format_number(value)
    return f"{text}%" if unit == "%" else text


def format_cell(value: float | str | None, unit: str | None = None) -> str:
    """A value in a status table cell: 1,234.5 (at most 2 decimals), "done", or "" for none.

    Not the log's number format (`actuals` writes every digit so the value reads back
    exactly); this one is for reading."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    return text + "%" if unit == "%" else text


# --- days and directions ---------------------------------------------------------------------


def describe_days(days: int | None) -> str:
    """``in 30 days``, ``today``, ``12 days ago``; empty when there is no deadline."""
    if days is None:
        return ""
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"


def days_left(days: int | None, status: str, *, short: bool = False) -> str:
    """How far the deadline is: "45 days left", "due today", "812 days past" ("" once
    achieved); ``short`` leaves out "days" (the table's column says it)."""
    if days is None or status == "achieved":
        return ""
    if days == 0:
        return "due today"
    unit = "" if short else " day" if abs(days) == 1 else " days"
    return f"{days:,}{unit} left" if days > 0 else f"{-days:,}{unit} past"


def direction_words(metric: Metric) -> str:
    """Which way is better, in words."""
    if metric.direction == "increase":
        return "higher is better"
    if metric.direction == "decrease":
        return "lower is better"
    return ""


def spc_verdict(metric: Metric, result: spc.SpcResult | None) -> str:
    """The figures behind the icons in one sentence: points, mean, limits, special causes."""
    if result is None:
        return "SPC applies to measures only."
    unit = metric.unit
    if not result.points:
        return "No SPC analysis: no actuals recorded yet."
    group = result.groups[-1]
    words = [points_text(len(result.points))]
    if len(result.groups) > 1:
        words.append(f"{len(result.groups)} periods (rebased from {group.start})")
    if not result.enough_points:
        words.append(f"mean {format_figure(group.mean, unit)}")
        words.append(f"{too_few_points_text(result.points_in_group)}: no verdict yet")
        return "SPC: " + ", ".join(words) + "."
    if group.no_variation:
        words.append(f"mean {format_figure(group.mean, unit)}, no variation to judge")
    elif group.upl is None or group.lpl is None:
        words.append(f"mean {format_figure(group.mean, unit)}, no process limits yet")
    else:
        trial = " (trial limits: fewer than 13 points)" if group.trial else ""
        words.append(
            f"mean {format_figure(group.mean, unit)}, process limits "
            f"{format_figure(group.lpl, unit)} to {format_figure(group.upl, unit)}{trial}"
        )
    specials = [p for p in result.points if p.type != spc.COMMON_CAUSE]
    if specials:
        rules = sorted({RULE_LABELS[p.rule] for p in specials if p.rule})
        points = "point" if len(specials) == 1 else "points"
        words.append(f"{len(specials)} special cause {points} ({'; '.join(rules)})")
    if result.target is not None:
        words.append(f"target used for assurance {format_figure(result.target, unit)}")
    return "SPC: " + ", ".join(words) + "."


# --- user text -------------------------------------------------------------------------------

_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""Characters a terminal acts on rather than shows: C0 controls but tab and newline (ESC
starts the escape sequences that recolour, retitle or rewrite a terminal), DEL, C1 controls
(CSI among them), and the bidirectional overrides and line separators that reorder or break
what is shown."""


def visible(text: str) -> str:
    """User text (a name, a note, who recorded it) as a terminal must show it: every
    character it would act on written out as an escape, ``\\x1b`` or ``\\u202e``, so the text
    reads as it was typed and cannot recolour, move or rewrite anything on the screen. Every
    terminal renderer passes user text through this (and prints it as rich `Text`, never as
    markup, so ``[red]`` and ``[/]`` print as typed)."""
    if _HIDDEN.search(text) is None:
        return text
    return _HIDDEN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# --- owner updates (issue 15) ----------------------------------------------------------------

MISMATCH_WORDS: Final = {
    "declared_better": "declared better",
    "declared_worse": "declared worse",
}
"""A mismatch between the owner's rating and the measured status, as the views say it (the
machine formats give the id: declared_better)."""


def declared_text(rag: str, mismatch: str | None) -> str:
    """The owner's rating in the status words, with any mismatch: "On track (declared
    better)", "Off track"."""
    label = STATUS_WORDS[rag].label
    return f"{label} ({MISMATCH_WORDS[mismatch]})" if mismatch else label


def update_text(
    day: date, note: str, action: str | None, recovery: date | None, by: str | None
) -> str:
    """An owner update's words after the rating: "2020-05-01, amy: fine; action: escalation
    beds; recovery by 2020-09-30"."""
    who = f", {by}" if by else ""
    parts = [f"{day}{who}: {note}"]
    if action:
        parts.append(f"action: {action}")
    if recovery:
        parts.append(f"recovery by {recovery}")
    return "; ".join(parts)


# --- the forecast (issue 15) -------------------------------------------------------------------

TREND_MISSES: Final = "trend misses"
"""The mark on a row on track today whose recent trend misses its target: the most useful
warning a board can get."""

REPORT_MARKS: Final = (
    ("STALE DATA", "the latest actual is older than one and a half reporting periods"),
    ("DONE LATE", "a milestone completed after its due date (LATE: a place's)"),
    (
        f"{EASED_GLYPH} PLAN EASED",
        "a revision in force eased the plan (a later date or a "
        "softer target); the revisions are listed under the metric",
    ),
    ("REVISED", "a revision in force changed the plan without easing it"),
    (
        MISMATCH_WORDS["declared_better"],
        "the owner rates the metric better than the figures measure it (beside the owner's "
        "rating: On track (declared better)); declared worse: worse",
    ),
    (
        TREND_MISSES,
        "on track today, but at the recent rate the trend will not reach "
        "the target by its deadline",
    ),
    (
        "since 2024-02-29: worse \u2193 (was ON TRACK)",
        "with a date of the last paper: how the metric's status moved since then (better \u2191, "
        "new data, withdrawn, changed); the Changed since section lists every row that moved",
    ),
)
"""The marks the board report puts beside a status, each with what it means (its key)."""


def _rate(value: float, unit: str | None) -> str:
    text = format_cell(value, unit) if abs(value) >= 0.005 else f"{value:.2g}"
    return "\u2212" + text[1:] if text.startswith("-") else text


def forecast_text(
    required: float | None,
    recent: float,
    goal: float,
    deadline: date,
    eta: date | None,
    unit: str | None = None,
) -> str:
    """A forecast in words: "needs −1.2 a month, recent −0.4 a month: at that rate reaches 30
    in Aug 2025, 29 months late" (or "in time", or "never reaches 30")."""
    parts = [] if required is None else [f"needs {_rate(required, unit)} a month"]
    parts.append(f"recent {_rate(recent, unit)} a month")
    target = format_cell(goal, unit)
    if eta is None:
        return ", ".join(parts) + f": at that rate never reaches {target}"
    months = round((eta - deadline).days / 30.4375)
    when = "in time" if months <= 0 else f"{months} month{'s' if months != 1 else ''} late"
    return ", ".join(parts) + f": at that rate reaches {target} in {eta:%b %Y}, {when}"


def forecast_sentence(found: Forecast, unit: str | None = None) -> str:
    """`forecast_text` of a `forecast.Forecast`: what every view says of a trend."""
    return forecast_text(
        found.required_rate_per_month,
        found.recent_rate_per_month,
        found.last_target.value,
        found.last_target.by,
        found.eta,
        unit,
    )


# --- a target's stages, in words -----------------------------------------------------------


def _stage_name(stage: Stage, precision: int) -> str:
    if stage.standing:
        return f"from {stage.day}"
    return stage.day.isoformat()[:precision]


def stages_text(stages: tuple[Stage, ...], unit: str | None = None) -> str:
    """Every stage in one line: "2021: missed (34 vs 30) · 2023: pending". A stage is named
    by its year when no two stages share one, else by its date; a standing one "from
    2020-04-01". A metric with one stage and no verdict beyond "pending" says nothing more
    than its target does, so a single pending stage is left out."""
    stages = tuple(s for s in stages if s.verdict not in ("holding", "breached"))
    if not stages or (len(stages) == 1 and stages[0].verdict == "pending"):
        return ""
    precision = next(
        (size for size in (4, 7) if len({s.day.isoformat()[:size] for s in stages}) == len(stages)),
        10,
    )
    return " · ".join(
        f"{_stage_name(stage, precision)}: {stage_line(stage, unit)}" for stage in stages
    )


def stage_line(stage: Stage, unit: str | None = None) -> str:
    """A stage's verdict with the figures behind it: "missed (34 vs 30)", "met (88 vs 90)",
    "holding (2 breaches)"."""
    said = stage_verdict_text(stage.verdict)
    if stage.verdict in ("met", "missed") and stage.actual is not None:
        actual = format_cell(stage.actual.value, unit)
        return f"{said} ({actual} vs {format_cell(stage.figure, unit)})"
    if stage.standing and stage.verdict in ("holding", "breached") and stage.breaches:
        noun = "breach" if stage.breaches == 1 else "breaches"
        return f"{said} ({stage.breaches:,} {noun})"
    return said


# --- exceptions and changes since a date (issue 15) -----------------------------------------

REASON_WORDS: Final = {
    "overdue": "overdue",
    "off_track": "off track",
    "at_risk": "at risk",
    "no_baseline": "no baseline",
    "declared_better": "declared better",
    "forecast_misses": TREND_MISSES,
}
"""Why a metric is in the exception report (`exceptions.REASONS`), as the views say it."""

NEEDS_ATTENTION: Final = "needs attention"
"""The line under an exception's name that lists its reasons: "needs attention: off track,
declared better"."""

MOVEMENT_WORDS: Final = {
    "worse": "worse \u2193",
    "better": "better \u2191",
    "new_data": "new data",
    "withdrawn": "withdrawn",
    "changed": "changed",
}
"""A status's movement since ``--since`` (`changes.MOVEMENTS`), as the views say it (the
machine formats give the id: new_data); an arrow beside better and worse."""


EXCEPTIONS_NOTE: Final = (
    "Exceptions only (--exceptions): the metrics overdue, off track, at risk or with no "
    "baseline, rated better by their owner than measured, or whose trend misses the target."
)
"""The footer line of a view showing only exceptions."""


def changes_text(since: date, movements: Sequence[str]) -> str:
    """The footer line of ``--since``: "Since 2024-02-29: 3 rows moved (1 worse, 2 better)."
    or "Since 2024-02-29: no status moved."."""
    if not movements:
        return f"Since {since}: no status moved."
    counts = [(name, movements.count(name)) for name in MOVEMENT_WORDS]
    said = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts if n)
    rows = "1 row" if len(movements) == 1 else f"{len(movements)} rows"
    return f"Since {since}: {rows} moved ({said})."


def reasons_text(reasons: Iterable[str]) -> str:
    """Why a metric needs attention: "off track, declared better, trend misses"."""
    return ", ".join(REASON_WORDS[reason] for reason in reasons)


def was_text(was: str | None, movement: str | None) -> str:
    """The status on the --since date and how it moved: "AT RISK, worse ↓"; "ON TRACK" when
    it did not move; "not assessed" when there was no status then."""
    then = STATUS_WORDS[was].shout if was else "not assessed"
    return f"{then}, {MOVEMENT_WORDS[movement]}" if movement else then


# --- provisional figures (issue 18) ------------------------------------------------------------

PROVISIONAL_MARK: Final = "P"
"""The mark beside a value that is provisional (to be confirmed by a final figure)."""
PROVISIONAL_NOTE: Final = "P: provisional figure, to be confirmed"
"""The footnote of every view that marks a value with `PROVISIONAL_MARK`."""
TO_CONFIRM: Final = "provisional, to be confirmed"
"""What ``lsc status --missing`` says of a provisional value older than one period."""


def provisional_value(text: str, provisional: bool) -> str:
    """A value as a view shows it: ``42 P`` when provisional, else as given (empty stays so)."""
    return f"{text} {PROVISIONAL_MARK}" if provisional and text else text


# --- as known on a date (issue 18, part 1) -----------------------------------------------------


def as_known_text(info: AsKnown) -> str:
    """What an as-known view says of itself, in one sentence: "As known on 2025-04-10
    23:59:59 UTC: the plan at commit abc1234 (2025-04-02); 3 entries recorded later left
    out." Outside git it says the plan files are as they are and how many entries had no
    known time."""
    if info.commit is not None and info.commit_time is not None:
        source = f"the plan at commit {info.short_commit} ({info.commit_time:%Y-%m-%d})"
    else:
        source = "not in a git repository: the plan files as they are now"
    later = info.actuals_left_out + info.updates_left_out
    said = [f"{later:,} {'entry' if later == 1 else 'entries'} recorded later left out"]
    if info.entries_without_time:
        n = info.entries_without_time
        said.append(f"{n:,} {'entry' if n == 1 else 'entries'} without a known time counted")
    return f"As known on {info.time.text()}: {source}; {', '.join(said)}."


AS_KNOWN_DUPLICATES: Final = (
    "entries for the same metric, place and date that a correction recorded later settles "
    "(or recorded in two clones); the later one in the log counts"
)
"""Why ``--as-known`` goes on past duplicate entries: the log as known then had them."""


def no_git_warning(without_time: int) -> str:
    """The warning of ``--as-known`` outside git: only ``recorded`` can leave an entry out."""
    n = f"{without_time:,} {'entry' if without_time == 1 else 'entries'}"
    return f"not in a git repository: entries without `recorded` counted as known ({n})"
