"""Return forms: what a period expects from the people who supply the figures, and what is
still outstanding (``lsc return-form``, ``lsc status --missing``).

A metric expects a value for a period when it has a ``cadence`` and the period's last day
ends one of its periods (a monthly metric every month; a quarterly one at each financial
quarter end; an annual one on 31 March), and it is not withdrawn on that day. A metric
tracked by place expects one value per place. The form has one row per expected value with
``metric``, ``place`` and ``date`` filled in and ``value`` empty, then read-only context
columns (`CONTEXT_COLUMNS`) that ``lsc import`` recognises and ignores. `expected` is pure;
the writers return bytes (openpyxl is imported inside `form_xlsx`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .applog.format import number_text
from .models import Actual, Metric
from .periods import is_period_end, period_end_on_or_after, period_name
from .plan import Plan
from .recording import CONTEXT_COLUMNS
from .renderers.status_files import spreadsheet_safe
from .revisions import plan_in_force
from .status import current_goal, effective_actuals, goals
from .words import TO_CONFIRM, visible

FORM_COLUMNS = ("metric", "place", "date", "value", "status", "source", "note")
"""The columns the owner fills in: ``value``; ``status`` ``provisional`` for a figure still to
be confirmed (empty or ``final`` otherwise), the ``source`` system, and a ``note`` if they
wish (what ``lsc import`` reads from them: docs/recording.md)."""
FILLED_IN = tuple(
    number
    for number, name in enumerate(FORM_COLUMNS, start=1)
    if name not in ("metric", "place", "date")
)
"""The form's columns (1-based) the owner may type in: unlocked in the workbook."""
STATUS_CHOICES = ("final", "provisional")
"""What the workbook's ``status`` column offers (a drop-down; empty means final)."""


@dataclass(frozen=True)
class Expected:
    """One value a period expects: the metric, place and date, and what helps fill it in."""

    metric: Metric
    place: str | None
    date: date
    last: Actual | None  # the latest entry that counts, on or before the date
    target: str  # the target in force, as text ('60 by 2021-03-31'), or ''

    @property
    def recorded(self) -> bool:
        """Whether the period's value is in the log already."""
        return self.last is not None and self.last.date == self.date

    def context(self) -> dict[str, str]:
        last = self.last
        value = "" if last is None else _value_text(last.value, self.metric.unit)
        return {
            "name": self.metric.name,
            "unit": self.metric.unit or "",
            "last value": value,
            "last date": "" if last is None else last.date.isoformat(),
            "target": self.target,
            "owner": self.metric.owner or "",
        }


def _value_text(value: float | str, unit: str | None) -> str:
    if isinstance(value, str):
        return value
    return number_text(value) + ("%" if unit == "%" else "")


def _target_text(metric: Metric, day: date) -> str:
    goal = current_goal(goals(metric), day)
    if goal is None:
        return ""
    word = "from" if goal.standing else "by"
    return f"{_value_text(goal.value, metric.unit)} {word} {goal.by}"


def expects(metric: Metric, day: date) -> bool:
    """Whether the metric expects a value for the period ending ``day`` (by its cadence)."""
    return (
        metric.cadence is not None
        and not metric.is_milestone
        and is_period_end(day, metric.cadence)
    )


def expected(
    plan: Plan,
    day: date,
    *,
    priorities: tuple[str, ...] = (),
    place: str | None = None,
) -> list[Expected]:
    """Every value the period ending ``day`` expects, in plan order (per place in the
    metric's order), for these priorities (all when empty) and this place (all when None:
    then a metric tracked by place gives one row per place)."""
    by_key: dict[tuple[str, str | None], list[Actual]] = {}
    for entry in plan.counted:
        by_key.setdefault((entry.metric, entry.place), []).append(entry)
    found: list[Expected] = []
    for written in plan.metrics:
        if priorities and written.priority not in priorities:
            continue
        in_force = plan_in_force(written, day)
        metric = in_force.metric
        if in_force.withdrawn is not None or not expects(metric, day):
            continue
        places: tuple[str | None, ...] = metric.places or (None,)
        if place is not None:
            places = tuple(p for p in places if p == place)
        target = _target_text(metric, day)
        for where in places:
            counted = effective_actuals(by_key.get((metric.id, where), []), day)
            found.append(Expected(metric, where, day, counted[-1] if counted else None, target))
    return found


def older_than_a_period(entry_date: date, cadence: str | None, day: date) -> bool:
    """Whether a value for ``entry_date`` is older than one period on ``day``: the period
    after the one it is for (by the metric's cadence; monthly for a metric without one) has
    ended by then. A provisional May figure is to be confirmed by the end of June."""
    every = cadence or "monthly"
    own = period_end_on_or_after(entry_date, every)
    return period_end_on_or_after(own + timedelta(days=1), every) <= day


def to_confirm(
    plan: Plan,
    day: date,
    *,
    priorities: tuple[str, ...] = (),
    place: str | None = None,
) -> list[Actual]:
    """The provisional values still in force on ``day`` that are older than one period
    (`older_than_a_period`): to be confirmed by a final figure. In plan order, then by place
    and date; for these priorities (all when empty) and this place (all when None)."""
    in_force: dict[tuple[str, str | None, date], Actual] = {}
    for entry in plan.counted:
        if entry.date <= day:
            in_force[(entry.metric, entry.place, entry.date)] = entry
    order = {metric.id: position for position, metric in enumerate(plan.metrics)}
    found = []
    for entry in in_force.values():
        metric = plan.metric_by_id.get(entry.metric)
        if metric is None or not entry.provisional:
            continue
        if (priorities and metric.priority not in priorities) or (place and entry.place != place):
            continue
        if plan_in_force(metric, day).withdrawn is None and older_than_a_period(
            entry.date, metric.cadence, day
        ):
            found.append(entry)
    return sorted(found, key=lambda e: (order[e.metric], e.place or "", e.date))


def describe_period(day: date) -> str:
    """The period ending ``day`` in words, for messages: the month, and the quarter or year it
    also ends (``June 2020, 2020/21 Q1``)."""
    names = [period_name(day, cadence) for cadence in ("monthly", "quarterly", "annual")]
    return ", ".join(name for name in names if name) or str(day)


# --- writers -----------------------------------------------------------------------------------

SHEET = "actuals"
"""The form's sheet: the one ``lsc import`` reads by default."""


def _rows(found: list[Expected]) -> list[list[str]]:
    return [
        [e.metric.id, e.place or "", e.date.isoformat(), "", "", "", "", *e.context().values()]
        for e in found
    ]


def form_csv(found: list[Expected]) -> bytes:
    """The form as CSV UTF-8 with a byte-order mark (what Excel opens as UTF-8); text a
    spreadsheet would run as a formula gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*FORM_COLUMNS, *CONTEXT_COLUMNS])
    for row in _rows(found):
        writer.writerow([spreadsheet_safe(cell) if cell else cell for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def form_xlsx(found: list[Expected], title: str) -> bytes:
    """The form as a workbook: sheet ``actuals``, the date a real date, the columns to fill
    in white and the context columns grey and locked (the sheet is protected without a
    password, so a slip cannot change them; Review > Unprotect Sheet lifts it)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    grey = PatternFill("solid", fgColor="E7E6E6")
    sheet.append([*FORM_COLUMNS, *CONTEXT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(_rows(found), start=2):
        for column, text in enumerate(row, start=1):
            cell = sheet.cell(number, column)
            # text Excel shows as typed and never runs (=..., #N/A), and can store (no
            # control characters: openpyxl refuses them, Excel would "repair" the file)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", text)[:32_767]
            cell.data_type = "s"
            if column == 3:
                cell.value = found[number - 2].date
                cell.number_format = "yyyy-mm-dd"
            if column in FILLED_IN:
                cell.protection = Protection(locked=False)
            elif column > len(FORM_COLUMNS):
                cell.fill = grey
    if found:  # the status column: a drop-down of the two words (typing anything else is refused)
        status = get_column_letter(FORM_COLUMNS.index("status") + 1)
        choices = DataValidation(type="list", formula1=f'"{",".join(STATUS_CHOICES)}"')
        choices.error = "final or provisional (empty means final)"
        choices.add(f"{status}2:{status}{len(found) + 1}")
        sheet.add_data_validation(choices)
    widths = (34, 16, 12, 10, 12, 14, 24, 40, 12, 12, 12, 20, 20)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- lsc status --missing ----------------------------------------------------------------------


def missing_text(
    outstanding: list[Expected],
    found: list[Expected],
    day: date,
    fmt: str,
    confirm: Sequence[Actual] = (),
    plan: Plan | None = None,
) -> str:
    """What ``lsc status --missing`` prints: a table (user text made visible, never markup),
    or json or csv (one row per outstanding value); then the provisional values still to be
    confirmed (``confirm``, `to_confirm`: JSON ``to_confirm``, CSV rows whose ``state`` says
    so, a second table)."""
    rows = [
        {
            "metric": e.metric.id,
            "place": e.place,
            "date": e.date.isoformat(),
            "name": e.metric.name,
            "owner": e.metric.owner,
            "last_value": None if e.last is None else e.context()["last value"],
            "last_date": None if e.last is None else e.last.date.isoformat(),
        }
        for e in outstanding
    ]
    confirming = [_confirm_row(entry, plan) for entry in confirm]
    if fmt == "json":
        import json

        summary = {
            "period": describe_period(day),
            "date": day.isoformat(),
            "expected": len(found),
            "outstanding": rows,
            "to_confirm": confirming,
        }
        return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        columns = list(rows[0]) if rows else ["metric", "place", "date", "name", "owner"]
        if confirming:  # a state column only when some row is not simply missing
            columns = [*_MISSING_COLUMNS, "state"]
            rows = [{**row, "state": "missing"} for row in rows]
            rows += [{name: row.get(name) for name in columns} for row in confirming]
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else spreadsheet_safe(str(v)) for v in row.values()])
        return out.getvalue()
    head = (
        f"outstanding for {describe_period(day)} ({day}): {len(outstanding)} of "
        f"{len(found)} expected value{'s' if len(found) != 1 else ''}\n"
    )
    if not outstanding:
        return head + _confirm_table(confirming)
    table = [["metric", "place", "owner", "last recorded"]]
    for row in rows:
        last = f"{row['last_value']} on {row['last_date']}" if row["last_date"] else "never"
        cells = [row["metric"], row["place"], row["owner"]]
        table.append([visible(cell or "") for cell in cells] + [visible(last)])
    return head + _aligned(table) + _confirm_table(confirming)


_MISSING_COLUMNS = ("metric", "place", "date", "name", "owner", "last_value", "last_date")


def _aligned(table: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table
    ]
    return "\n".join(lines) + "\n"


def _confirm_row(entry: Actual, plan: Plan | None) -> dict[str, str | None]:
    """A provisional value to be confirmed, as a row of `missing_text` (``last_value`` and
    ``last_date`` are the provisional value's own)."""
    metric = None if plan is None else plan.metric_by_id.get(entry.metric)
    unit = None if metric is None else metric.unit
    return {
        "metric": entry.metric,
        "place": entry.place,
        "date": entry.date.isoformat(),
        "name": None if metric is None else metric.name,
        "owner": None if metric is None else metric.owner,
        "last_value": _value_text(entry.value, unit),
        "last_date": entry.date.isoformat(),
        "state": TO_CONFIRM,
        "by": entry.by,
        "source": entry.source,
    }


def _confirm_table(confirming: list[dict[str, str | None]]) -> str:
    """The table's second part: the provisional values older than a period."""
    if not confirming:
        return ""
    n = len(confirming)
    head = f"\n{TO_CONFIRM}: {n} provisional value{'s' if n != 1 else ''} older than a period\n"
    table = [["metric", "place", "date", "value", "by", "source"]]
    for row in confirming:
        cells = [row[name] for name in ("metric", "place", "date", "last_value", "by", "source")]
        table.append([visible(cell or "") for cell in cells])
    return head + _aligned(table)
