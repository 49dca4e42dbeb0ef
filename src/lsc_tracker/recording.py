"""Turn what a data owner types or pastes into checked log entries, and read the log back.

`record_entries` (one value from ``lsc record``) and `import_entries` (the rows of a file
from ``lsc import``) apply the same rules: a known metric and place, a value that fits the
metric (`parse_value`), a real date that is not in the future, and no second entry for the
same metric, place and date unless it says it replaces the first. Both are given the plan
loaded inside the log's lock (see `actuals.append_entries`), so the duplicate check sees
every entry written before.

The file ``lsc import`` takes is read into a `Table` of text cells by `import_files`;
everything here is pure. ``lsc history``'s rows are `HistoryRow`s (rendered by
`renderers.history_table` and `renderers.history_files`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import plausibility
from .applog.format import number_text
from .applog.parse import LogDocument
from .checks import place_problem
from .import_files import Row, Table, column_letter, quoted
from .listing import unknown_hint
from .models import MAX_MAGNITUDE, VOID_VALUE, Actual, Metric, check_actual_date, too_large
from .periods import latest_complete, parse_period, period_name
from .plan import Plan
from .problems import LscError, Problem, did_you_mean, row_problem

REQUIRED_COLUMNS = ("metric", "date", "value")
OPTIONAL_COLUMNS = ("place", "note", "by", "status", "source")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
CONTEXT_COLUMNS = ("name", "unit", "last value", "last date", "target", "owner")
"""The read-only columns of a return form (``lsc return-form``): import recognises and
ignores them, and in a file that has one a row left without a value is skipped (a figure
still to come) rather than refused."""

_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_NOT_FINITE = re.compile(r"[-+]?(?:nan|inf|infinity)", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

Key = tuple[str, str | None, date]


@dataclass(frozen=True)
class EntryInput:
    """One entry as the user gave it: text, before it is checked against the plan."""

    metric: str
    value: str
    date: str | None = None
    place: str | None = None
    note: str | None = None
    by: str | None = None
    provisional: bool = False  # a figure to be confirmed (``--provisional``, status cell)
    source: str | None = None  # the system the figure came from


# --- values, dates, places -----------------------------------------------------------------


def _accepted_forms(metric: Metric) -> str:
    if metric.is_milestone:
        return "done"
    forms = "a number like 42, -3.5 or 101,000"
    return forms + (" (or 29.2%)" if metric.unit == "%" else "")


def parse_value(text: str, metric: Metric) -> float | str:
    """Read a value typed for ``metric``: a number, or ``done`` for a milestone.

    ``101,000`` is accepted (commas between groups of three digits only: ``1,00`` is
    ambiguous), and ``29.2%`` only for a metric whose unit is ``%`` (stored as 29.2).

    Raises:
        LscError: saying what is accepted for this metric.
    """
    given = text.strip()
    if not given:
        raise LscError(f"no value given: {metric.id} takes {_accepted_forms(metric)}")
    if given.lower() == "done":
        if not metric.is_milestone:
            raise LscError(
                f"{metric.id} is a measure: expected {_accepted_forms(metric)}, got done"
            )
        return "done"
    if metric.is_milestone:
        raise LscError(f"{metric.id} is a milestone: its only value is done, got {given!r}")
    number_text = given
    if given.endswith("%"):
        if metric.unit != "%":
            unit = f"in {metric.unit}" if metric.unit else "without a unit"
            raise LscError(f"{metric.id} is measured {unit}, not in %: give the number without '%'")
        number_text = given[:-1].rstrip()
    if "," in number_text and _PLAIN_NUMBER.fullmatch(number_text.replace(",", "")):
        if not _THOUSANDS.fullmatch(number_text):
            raise LscError(
                f"{given!r} is ambiguous: use commas only between groups of three digits "
                "(101,000) and a dot for decimals (1.5)"
            )
        number_text = number_text.replace(",", "")
    if _NOT_FINITE.fullmatch(number_text):
        raise LscError(f"{given!r} is not a finite number: {metric.id} takes a real figure")
    if not _PLAIN_NUMBER.fullmatch(number_text):
        raise LscError(
            f"{given!r} is not a value for {metric.id}: expected {_accepted_forms(metric)}"
        )
    number = float(number_text)
    if not math.isfinite(number):
        raise LscError(f"{given!r} is too large: {metric.id} takes a finite number")
    if abs(number) > MAX_MAGNITUDE:
        raise LscError(too_large(repr(given)))
    return number


def _parse_date(text: str | None, today: date, cadence: str | None = None) -> date:
    """The date typed (a day or a period: `periods.parse_period`); when none is, the end of
    the latest complete period for a metric with a cadence, else today."""
    if text is None:
        return today if cadence is None else latest_complete(cadence, today)
    try:
        when = check_actual_date(parse_period(text))
    except ValueError as error:
        raise LscError(f"date: {error}") from None
    if when > today:
        if _DAY.fullmatch(text.strip()):
            raise LscError(f"date {when} is in the future (today is {today})")
        raise LscError(
            f"date {when} (the end of {text.strip()}) is in the future (today is {today}): "
            "a period is recorded once it has ended"
        )
    return when


def _metric(plan: Plan, metric_id: str) -> Metric:
    metric = plan.metric_by_id.get(metric_id)
    if metric is None:
        hint = unknown_hint(metric_id, plan.metric_by_id.keys(), "metrics")
        raise LscError(f"unknown metric {metric_id!r}{hint}")
    return metric


def _place(plan: Plan, metric: Metric, place: str | None) -> str | None:
    if place is not None and place not in plan.place_by_id:
        raise LscError(f"unknown place {place!r}{unknown_hint(place, plan.place_by_id, 'places')}")
    problem = place_problem(metric, place)
    if problem:
        raise LscError(problem)
    return place


def _text(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if _SURROGATE.search(value):
        raise LscError(f"{name} is not valid UTF-8 text: retype it")
    return value


def _optional_id(value: str | None) -> str | None:
    stripped = None if value is None else value.strip()
    return stripped or None


def _plausible_date(metric: Metric, when: date) -> date:
    problem = plausibility.date_problem(metric, when)
    if problem:
        raise LscError(f"date: {problem}")
    return when


def _plausible_value(
    plan: Plan,
    metric: Metric,
    value: float | str,
    *,
    confirm: bool,
    cache: dict[str, list[float | str]],
) -> float | str:
    """The value, refused when outside the metric's range or not whole, or when it looks like
    a fraction typed for a percentage (unless ``confirm``)."""
    problem = plausibility.value_problem(metric, value)
    if problem:
        raise LscError(problem)
    if not confirm and metric.unit == "%":
        if metric.id not in cache:
            cache[metric.id] = [a.value for a in plan.counted if a.metric == metric.id]
        hint = plausibility.fraction_hint(metric, value, cache[metric.id])
        if hint:
            raise LscError(hint)
    return value


def make_actual(
    plan: Plan,
    given: EntryInput,
    *,
    today: date,
    recorded: datetime,
    replaces: bool = False,
    confirm: bool = False,
    cache: dict[str, list[float | str]] | None = None,
) -> Actual:
    """Check one entry against the plan (not against the log) and build it: its value must
    be plausible (`plausibility`; a fraction for a percentage only with ``confirm``).

    Raises:
        LscError: the first reason the entry cannot be recorded.
    """
    metric = _metric(plan, given.metric.strip())
    place = _place(plan, metric, _optional_id(given.place))
    when = _plausible_date(metric, _parse_date(given.date, today, metric.cadence))
    value = parse_value(given.value, metric)
    value = _plausible_value(
        plan, metric, value, confirm=confirm, cache={} if cache is None else cache
    )
    by = _text(given.by, "by")
    if by is not None:
        by = by.strip()
        if not by:
            raise LscError("by: give a name")
    return Actual(
        metric=metric.id,
        date=when,
        value=value,
        place=place,
        note=_text(given.note, "note"),
        by=by,
        recorded=recorded.replace(microsecond=0),
        replaces=replaces,
        provisional=given.provisional,
        source=_source(given.source),
    )


def _source(text: str | None) -> str | None:
    """The source system's name, trimmed; None when none is given."""
    source = _text(text, "source")
    if source is not None and not source.strip():
        raise LscError("source: give the name of the system the figure came from")
    return None if source is None else source.strip()


def confirms(existing: Actual | None, actual: Actual) -> bool:
    """Whether ``actual`` is the final figure for a key whose entry in force is provisional:
    confirming it is the normal monthly flow, so it needs no ``--replace`` (it is written as
    a replacing entry). A second provisional figure for the key still needs ``--replace``."""
    return existing is not None and existing.provisional and not actual.provisional


# --- the log: duplicates and history -------------------------------------------------------


def _key(actual: Actual) -> Key:
    return (actual.metric, actual.place, actual.date)


def _describe(key: Key) -> str:
    metric, place, when = key
    return f"{metric}{f' at {place}' if place else ''} on {when}"


def entry_line_number(plan: Plan, actual: Actual) -> int:
    """The line of ``actual`` in the log (0 if it is not from the log)."""
    doc = plan.documents.get("actuals")
    index = plan.index_of(actual)
    if isinstance(doc, LogDocument) and index >= 0:
        return doc.entry_line(index)
    return 0


def _latest(plan: Plan) -> dict[Key, Actual]:
    """The entry that counts for each key (no void, nothing a void withdrew)."""
    return {_key(actual): actual for actual in plan.counted}


def _shown_value(value: float | str) -> str:
    return value if isinstance(value, str) else number_text(value)


def _already_recorded(plan: Plan, existing: Actual) -> str:
    line = entry_line_number(plan, existing)
    by = f" by {existing.by}" if existing.by else ""
    provisional = " (provisional)" if existing.provisional else ""
    return (
        f"{_describe(_key(existing))} is already recorded as {_shown_value(existing.value)}"
        f"{provisional}{by} (actuals.yaml line {line})"
    )


def record_entries(
    plan: Plan,
    given: EntryInput,
    *,
    today: date,
    recorded: datetime,
    replace: bool = False,
    confirm: bool = False,
) -> list[Actual]:
    """The entry ``lsc record`` appends: checked against the plan and the log.

    A second entry for the same metric, place and date is refused unless ``replace``; with
    it, the new entry says ``replaces: true`` and the earlier one stays in the log.
    """
    actual = make_actual(
        plan, given, today=today, recorded=recorded, replaces=replace, confirm=confirm
    )
    existing = _latest(plan).get(_key(actual))
    if confirms(existing, actual) and not replace:
        return [actual._replace(replaces=True)]
    if existing is not None and not replace:
        again = " (a revised provisional figure)" if existing.provisional else ""
        raise LscError(f"{_already_recorded(plan, existing)}: add --replace to correct it{again}")
    if existing is None and replace:
        raise LscError(
            f"there is no entry for {_describe(_key(actual))} to replace: leave out --replace"
        )
    return [actual]


def void_entries(
    plan: Plan,
    given: EntryInput,
    *,
    today: date,
    recorded: datetime,
) -> list[Actual]:
    """The void entry ``lsc record --void`` appends: it withdraws every earlier entry for its
    metric, place and date (``given.note`` is the reason; ``given.value`` is not used).

    Raises:
        LscError: an unknown metric or place, a bad date, no reason, or no entry to withdraw.
    """
    metric = _metric(plan, given.metric.strip())
    place = _place(plan, metric, _optional_id(given.place))
    if given.date is None:
        raise LscError("--void needs --date: the date of the entry to withdraw")
    when = _parse_date(given.date, today, metric.cadence)
    reason = _text(given.note, "reason")
    if reason is None or not reason.strip():
        raise LscError("--void needs --reason TEXT: why the entry is withdrawn")
    by = _text(given.by, "by")
    key: Key = (metric.id, place, when)
    if key not in _latest(plan):
        raise LscError(f"there is no entry for {_describe(key)} to void")
    return [
        Actual(
            metric=metric.id,
            date=when,
            value=VOID_VALUE,
            place=place,
            note=reason,
            by=by.strip() if by else None,
            recorded=recorded.replace(microsecond=0),
            void=True,
        )
    ]


@dataclass(frozen=True)
class HistoryRow:
    """One entry of a metric's history, with its line in the log: superseded by a later
    value, withdrawn by a later void (``voided_by``, with its line), and the period it is for
    (``November 2026``, by the metric's cadence; None when its date ends no period)."""

    line: int
    actual: Actual
    superseded: bool
    voided_by: Actual | None = None
    void_line: int = 0
    period: str | None = None
    replaced_line: int = 0  # a replacing entry: the line of the entry it superseded
    superseded_line: int = 0  # a superseded entry: the line of the entry that replaced it

    def as_dict(self) -> dict[str, Any]:
        a = self.actual
        value: float | str | None = None if a.void else a.value
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        void = self.voided_by
        return {
            "line": self.line,
            "metric": a.metric,
            "place": a.place,
            "date": a.date.isoformat(),
            "period": self.period,
            "value": value,
            "note": a.note,
            "by": a.by,
            "recorded": _timestamp(a.recorded),
            "replaces": a.replaces,
            "provisional": a.provisional,
            "source": a.source,
            "superseded": self.superseded,
            "void": a.void,
            "voided": void is not None,
            "voided_by": None if void is None else void.by,
            "voided_on": None if void is None else _timestamp(void.recorded),
            "void_reason": None if void is None else void.note,
            "void_line": self.void_line or None,
            "replaced_line": self.replaced_line or None,
            "superseded_by_line": self.superseded_line or None,
        }


def _timestamp(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


def history(plan: Plan, metric_id: str, place: str | None = None) -> list[HistoryRow]:
    """Every entry for a metric (at one place, if given) in log order.

    An entry is superseded when a later one has the same metric, place and date (before any
    void of that key): the status uses the later one, and the log keeps both. An entry is
    voided when a later void entry has its key: the status ignores it, and the row says who
    withdrew it, when and why.

    Raises:
        LscError: unknown metric, or a place that does not fit it.
    """
    metric = _metric(plan, metric_id.strip())
    place = _optional_id(place)
    if place is not None:
        _place(plan, metric, place)
    entries = [
        a for a in plan.actuals if a.metric == metric.id and (place is None or a.place == place)
    ]
    line_of = [entry_line_number(plan, a) for a in entries]
    superseded_by: dict[int, int] = {}  # position -> the position that replaced it
    voided: dict[int, int] = {}  # position -> the position of its void
    open_entries: dict[Key, list[int]] = {}  # the entries since the key's last void
    for position, actual in enumerate(entries):
        since = open_entries.setdefault(_key(actual), [])
        if actual.void:
            voided.update(dict.fromkeys(since, position))
            since.clear()
        else:
            if since:
                superseded_by[since[-1]] = position
            since.append(position)
    replaced = {later: earlier for earlier, later in superseded_by.items()}
    return [
        HistoryRow(
            line_of[position],
            a,
            position in superseded_by,
            entries[voided[position]] if position in voided else None,
            line_of[voided[position]] if position in voided else 0,
            period_name(a.date, metric.cadence),
            line_of[replaced[position]] if position in replaced else 0,
            line_of[superseded_by[position]] if position in superseded_by else 0,
        )
        for position, a in enumerate(entries)
    ]


# --- import files ----------------------------------------------------------------------------

MAX_SHOWN_PROBLEMS = 1_000
"""`BadRows` lists at most this many problems; the rest are counted in its message."""
MAX_HEADER_COLUMNS = 50
"""A header wider than this is one problem, not one per column (a valid one has at most 8)."""
MAX_ID_CHARS = 200
"""A metric, place, date, value or by cell longer than this is refused before it is checked,
so no message ever quotes more than a short prefix of it."""


class BadRows(LscError):
    """Some rows of an import file cannot be recorded, so none of them was.

    ``problems`` (`row_problem`) holds the first `MAX_SHOWN_PROBLEMS` (by line), so that what
    is printed stays bounded whatever the file; the message counts the rows and says how many
    were left out.
    """

    def __init__(self, problems: list[Problem], *, header_line: int = 1) -> None:
        ordered = sorted(problems, key=lambda p: p.source.line)
        listed = ordered[:MAX_SHOWN_PROBLEMS]
        self.left_out = len(ordered) - len(listed)
        rows = len({p.source.line for p in ordered} - {header_line})
        message = (
            f"nothing was imported: {rows:,} row{'s' if rows != 1 else ''} cannot be recorded"
            if rows
            else "nothing was imported"
        )
        if self.left_out:
            message += (
                f" (the first {len(listed):,} problems are listed above; "
                f"{self.left_out:,} more are not shown)"
            )
        super().__init__(message, listed)


def _empty_column(table: Table, position: int) -> bool:
    """Whether no row has anything in the column (Excel saves ``metric,date,value,,``)."""
    return all(position >= len(row.cells) or not row.cells[position].strip() for row in table.rows)


def _columns(
    table: Table, ignored: frozenset[str] = frozenset()
) -> tuple[dict[str, int], list[Problem]]:
    """Map each column name to its position, or say what is wrong with the header. A column
    named in ``ignored`` (--ignore-columns), or with no name and nothing in it, is left out."""
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(row_problem(table.path, table.header_line, message + table.sheet_hint))

    if not table.header:
        problem(f"the file is empty: expected a header row {','.join(REQUIRED_COLUMNS)}")
        return {}, problems
    if len(table.header) == 1 and ";" in table.header[0]:  # Excel's CSV in many locales
        problem(
            f"the header {quoted(table.header[0].strip())} is one column holding ';': the file "
            "looks semicolon-separated; save it as 'CSV (comma delimited)', or import the .xlsx"
        )
        return {}, problems
    if len(table.header) > MAX_HEADER_COLUMNS:
        problem(
            f"the header has {len(table.header):,} columns: expected at most {len(COLUMNS)}, "
            f"named {', '.join(COLUMNS)}"
        )
        return {}, problems
    positions: dict[str, int] = {}
    unnamed = False  # an unknown or empty column may be the missing one, misspelt: say that only
    for position, cell in enumerate(table.header):
        name = cell.strip().lower()
        if name in ignored or name in CONTEXT_COLUMNS:
            continue
        if not name and _empty_column(table, position):
            continue
        unnamed = unnamed or name not in COLUMNS
        if not name:
            problem(
                f"column {position + 1} of the header is empty: every column needs a name, "
                f"one of {', '.join(COLUMNS)}"
            )
        elif name not in COLUMNS:
            hint = "" if len(name) > MAX_ID_CHARS else did_you_mean(name, COLUMNS)
            if not hint:  # a misspelt column is not to be left out: only an extra one
                hint = f"; the columns are {', '.join(COLUMNS)}"
                if len(name) <= MAX_ID_CHARS and "," not in name:
                    hint += f"; to import without it, add --ignore-columns {quoted(cell.strip())}"
            problem(f"unknown column {quoted(cell.strip())}{hint}")
        elif name in positions:
            problem(
                f"column {name!r} appears twice (columns {positions[name] + 1} and {position + 1})"
            )
        else:
            positions[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in positions and not unnamed:
            problem(f"missing the column {name!r}: the header needs {', '.join(REQUIRED_COLUMNS)}")
    return positions, problems


class _CellError(LscError):
    """A problem with one cell of a row: the column it is in, and the message."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def _row_input(
    row: Row, columns: dict[str, int], width: int, by: str | None, shortest: int | None = None
) -> EntryInput:
    if not (width if shortest is None else shortest) <= len(row.cells) <= width:
        fewer = "only " if len(row.cells) < width else ""
        raise LscError(
            f"this row has {fewer}{len(row.cells):,} values but the header has {width} columns"
        )

    def cell(name: str) -> str:
        return row.cells[columns[name]] if name in columns else ""

    for name in ("metric", "date", "value", "place", "by", "status", "source"):
        text = cell(name)
        if len(text) > MAX_ID_CHARS:
            raise _CellError(
                name, f"{quoted(text)} ({len(text):,} characters) is too long to be a {name}"
            )
    if not cell("metric").strip():
        raise _CellError("metric", "no metric given")
    if not cell("date").strip():
        raise _CellError("date", "no date given")
    return EntryInput(
        metric=cell("metric"),
        value=cell("value"),
        date=_uk_date(cell("date").strip()),
        place=cell("place"),
        note=cell("note"),
        by=cell("by") if cell("by").strip() else by,
        provisional=_row_status(cell("status")),
        source=cell("source") if cell("source").strip() else None,
    )


ROW_STATUSES = ("provisional", "final")
"""What an import file's ``status`` column may hold (empty: final)."""


def _row_status(text: str) -> bool:
    """Whether a row's ``status`` cell says provisional (empty or ``final``: not)."""
    status = text.strip().lower()
    if status and status not in ROW_STATUSES:
        raise _CellError(
            "status", f"expected provisional or final (or nothing, for final), got {quoted(text)}"
        )
    return status == "provisional"


_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def _uk_date(text: str) -> str:
    """A date cell as Excel writes it in a UK locale, DD/MM/YYYY, as YYYY-MM-DD; never read
    as MM/DD. Anything else is left for `periods.parse_period`.

    Raises:
        _CellError: a DD/MM/YYYY that is no real day (07/31/2020: a US date?).
    """
    found = _UK_DATE.fullmatch(text)
    if found is None:
        return text
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise _CellError(
            "date",
            f"{text} is not a real date read as DD/MM/YYYY (day {found[1]}, month {found[2]}): "
            "dates with / are read the UK way, never as MM/DD; write YYYY-MM-DD",
        ) from None


def _check_cells(
    plan: Plan,
    given: EntryInput,
    today: date,
    *,
    confirm: bool = False,
    cache: dict[str, list[float | str]] | None = None,
) -> None:
    """Check each cell of a row as `make_actual` does, in its order, saying which column is
    wrong: `_CellError` for the first that is."""

    def check(column: str, test: Callable[[], Any]) -> Any:
        try:
            return test()
        except LscError as error:
            message = str(error).removeprefix(f"{column}: ")
            raise _CellError(column, message) from None

    metric = check("metric", lambda: _metric(plan, given.metric.strip()))
    check("place", lambda: _place(plan, metric, _optional_id(given.place)))
    when = check("date", lambda: _parse_date(given.date, today))
    check("date", lambda: _plausible_date(metric, when))
    value = check("value", lambda: parse_value(given.value, metric))
    known = {} if cache is None else cache
    check("value", lambda: _plausible_value(plan, metric, value, confirm=confirm, cache=known))
    check("by", lambda: _text(given.by, "by"))
    check("note", lambda: _text(given.note, "note"))
    check("source", lambda: _source(given.source))


def _where(table: Table, row: Row, columns: dict[str, int], column: str) -> str:
    """How a problem names the cell: ``column 'value'``, in a sheet ``cell C7, column 'value'``."""
    position = columns.get(column)
    if table.sheet and position is not None:
        return f"cell {column_letter(position)}{row.line}, column {column!r}"
    return f"column {column!r}"


def import_entries(
    plan: Plan,
    table: Table,
    *,
    today: date,
    recorded: datetime,
    by: str | None,
    replace: bool = False,
    confirm: bool = False,
    ignore_columns: frozenset[str] = frozenset(),
) -> list[Actual]:
    """The entries ``lsc import`` appends, one per row, or every reason it cannot.

    With ``replace``, a row for an entry already in the log replaces it (``replaces: true``;
    `replaced` says which), and a row for a new key is simply added.

    Each row is checked as ``lsc record`` checks a value, and also against the rows above
    it: a second row for the same metric, place and date is refused, and so is a row for an
    entry already in the log (correct that with ``lsc record --replace``). ``by`` is used for
    rows that leave their ``by`` cell empty. A problem with one cell names its column (and,
    in a spreadsheet, the cell: ``cell C7, column 'value': ...``).

    Raises:
        BadRows: every bad row, with the line where it starts; nothing is to be written.
    """
    if not table.header and table.problems:  # the header row itself could not be read
        raise BadRows(table.problems)
    columns, problems = _columns(table, ignore_columns)
    shortest = len(table.header)  # a row may leave out trailing empty, unnamed columns
    while shortest > 0 and not table.header[shortest - 1].strip():
        if not _empty_column(table, shortest - 1):
            break
        shortest -= 1
    if problems:  # without a clear header no row can be read
        raise BadRows(problems, header_line=table.header_line)
    problems = list(table.problems)
    latest = _latest(plan)
    first_line: dict[Key, int] = {}
    entries: list[Actual] = []
    cache: dict[str, list[float | str]] = {}  # a % metric's recorded values, read once
    form = any(cell.strip().lower() in CONTEXT_COLUMNS for cell in table.header)
    value_at = columns.get("value")
    for row in table.rows:
        blank = value_at is not None and (
            value_at >= len(row.cells) or not row.cells[value_at].strip()
        )
        if form and blank:
            continue  # a return form's row still to be filled in
        try:
            given = _row_input(row, columns, len(table.header), by, shortest)
            _check_cells(plan, given, today, confirm=confirm, cache=cache)
            actual = make_actual(
                plan, given, today=today, recorded=recorded, confirm=confirm, cache=cache
            )
            key = _key(actual)
            if key in first_line:
                raise LscError(
                    f"a second row for {_describe(key)} (first on line {first_line[key]})"
                )
            first_line[key] = row.line
            if (key in latest and replace) or confirms(latest.get(key), actual):
                actual = actual._replace(replaces=True)
            elif key in latest:
                raise LscError(
                    f"{_already_recorded(plan, latest[key])}: add --replace to replace "
                    "it (or correct it with 'lsc record --replace')"
                )
        except _CellError as error:
            where = _where(table, row, columns, error.column)
            problems.append(row_problem(table.path, row.line, f"{where}: {error}"))
        except LscError as error:
            problems.append(row_problem(table.path, row.line, str(error)))
        else:
            entries.append(actual)
    if problems:
        raise BadRows(problems, header_line=table.header_line)
    if not entries:
        why = ": no row of this return form has a value yet" if form else ""
        raise BadRows([row_problem(table.path, table.header_line, f"no rows to import{why}")])
    return entries


def replaced(plan: Plan, entries: list[Actual]) -> list[tuple[Actual, Actual, int]]:
    """Each new entry that replaces one in the log, with the entry it replaces and its line."""
    latest = _latest(plan)
    found = []
    for entry in entries:
        old = latest.get(_key(entry)) if entry.replaces else None
        if old is not None:
            found.append((entry, old, entry_line_number(plan, old)))
    return found


def replacement_line(entry: Actual, old: Actual, line: int) -> str:
    """``ooa-placements on 2020-07-31: 38 replaces 40 (by jo, actuals.yaml line 12)``."""
    by = f"by {old.by}, " if old.by else ""
    return (
        f"{_describe(_key(entry))}: {_shown_value(entry.value)} replaces "
        f"{_shown_value(old.value)} ({by}actuals.yaml line {line})"
    )
