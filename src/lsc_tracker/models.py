"""The plan as frozen pydantic models: priorities, places, metrics with targets, actuals.

The loader hands these models plain text for every scalar (see `yamlsource`), so each field
type below says how its text becomes a value, and refuses anything else with a message that
shows the accepted form. This is where YAML 1.1 surprises stop: ``NO`` is only ever text,
``1.10`` in a text field stays ``1.10``, and ``2021-02-30`` is a refused date.

Rules that need more than one field or file (a milestone with a direction, an unknown
priority) live in `checks`, where they can point at the exact key.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Annotated, Any, Final, Literal, NamedTuple

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    model_validator,
)

from .yamlsource import PlainScalar

# --- scalar types -----------------------------------------------------------------------

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER_TEXT = re.compile(
    r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII
)  # YAML 1.2 core schema decimal forms, no octal/hex/sexagesimal/underscores
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
_PRIORITY_ID = re.compile(r"P[1-9][0-9]{0,3}", re.ASCII)

PROGRAMME = "programme"
"""The reserved priority of a metric that belongs to the whole programme, not to one priority
(a metric's ``priority: programme``); no priority in priorities.yaml can take this id."""
_PERCENT = re.compile(r"([-+]?(?:\d+(?:\.\d*)?|\.\d+))\s?%", re.ASCII)
_SURROGATE = re.compile("[\ud800-\udfff]")

EARLIEST_ACTUAL = date(1990, 1, 1)
"""The earliest date an actual may carry (in the log, from ``lsc record`` or ``lsc import``).

Why: the plan tracks an ICS formed in 2016 against baselines from the 2010s, so no figure it
records can be for a day before 1990; a date such as 0001-01-01 is a slip of the keyboard
(a year typed as 0020) or a hostile value, and accepting it silently would make every chart's
time axis span two thousand years. Dates in the future are refused separately (`checks`)."""

MAX_MAGNITUDE = 1e15
"""The largest magnitude a number in the plan or the log may have.

Why: no count, rate or amount of money in an ICS's plan comes near a thousand million
million (the NHS budget is about 1.6e11 pounds); a value such as 1e308 is a paste error or a
hostile value, and sums, spans and SPC limits computed from it overflow to infinity."""


def _show(value: Any) -> str:
    """A value as a message shows it: in the plan's words, never Python's (None, True)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list, tuple)):
        return "a mapping" if isinstance(value, dict) else "a list"
    text = repr(str(value)) if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_MINUS_LOOKALIKES = re.compile("[\u2212\u2012\u2013\u2014\ufe63\uff0d]")


def _minus_hint(value: Any) -> str:
    """'; type the minus sign as -' when a number is written with a look-alike dash (a word
    processor's U+2212 minus or an en dash), which no YAML reader takes for a minus."""
    if isinstance(value, str) and (found := _MINUS_LOOKALIKES.search(value)):
        return f": its {found.group()!r} (U+{ord(found.group()):04X}) is not a minus sign, type -"
    return ""


def parse_iso_date(value: Any) -> date:
    """Accept a date as YYYY-MM-DD only; refuse 'March 2021', '31/03/2021', '2021-02-30'."""
    if isinstance(value, datetime):
        raise ValueError(f"expected a date as YYYY-MM-DD, got a date and time {_show(value)}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date_from_text(str(value))
    raise ValueError(f"expected a date as YYYY-MM-DD (for example 2021-03-31), got {_show(value)}")


@lru_cache(maxsize=8192)
def date_from_text(text: str) -> date:
    # cached: a log of a million entries holds a few hundred distinct dates
    if _DATE_TEXT.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text} is not a real date (expected YYYY-MM-DD)") from None
    raise ValueError(f"expected a date as YYYY-MM-DD (for example 2021-03-31), got {_show(text)}")


def parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 date and time with a time zone, e.g. 2026-11-22T10:15:00Z."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(
            f"expected a UTC date and time like 2026-11-22T10:15:00Z, got {_show(value)}"
        )
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is a day before the first
        raise ValueError(
            f"{_show(value)} is out of range: in UTC it falls outside the years 1 to 9999"
        ) from None


def check_actual_date(when: date) -> date:
    """An actual's date, refused before `EARLIEST_ACTUAL`."""
    if when < EARLIEST_ACTUAL:
        raise ValueError(
            f"{when} is too early for an actual: dates are from {EARLIEST_ACTUAL} on "
            "(a mistyped year?)"
        )
    return when


@lru_cache(maxsize=8192)
def actual_date_from_text(text: str) -> date:
    """`date_from_text` for an actual's date: a real date from `EARLIEST_ACTUAL` on."""
    return check_actual_date(date_from_text(text))


def parse_actual_date(value: Any) -> date:
    """`parse_iso_date` for an actual's date: a real date from `EARLIEST_ACTUAL` on."""
    return check_actual_date(parse_iso_date(value))


def parse_number(value: Any) -> float:
    """A finite number, written unquoted. Quoted text, NaN and infinity are refused."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a number, got {_show(value)}")
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, PlainScalar):
        if value.lower().lstrip("+-.") in ("nan", "inf", "infinity"):
            raise ValueError(
                f"expected a finite number, got {_show(value)}: NaN and infinity are not allowed"
            )
        if not _NUMBER_TEXT.fullmatch(value):
            raise ValueError(f"expected a number, got {_show(value)}{_minus_hint(value)}")
        number = float(value)
    elif isinstance(value, str):
        raise ValueError(
            f"expected a number, got the quoted text {_show(value)}: remove the quotes"
            if _NUMBER_TEXT.fullmatch(value.strip())
            else f"expected a number, got {_show(value)}"
        )
    else:
        raise ValueError(f"expected a number, got {_show(value)}")
    try:
        result = float(number)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        raise ValueError(f"expected a finite number, got {_show(value)}")
    if abs(result) > MAX_MAGNITUDE:
        raise ValueError(too_large(_show(value)))
    return result


def too_large(shown: str) -> str:
    """Why a number beyond `MAX_MAGNITUDE` is refused (shared with `lsc record`)."""
    return (
        f"{shown} is too large to be a figure of this plan: numbers are limited to "
        f"\u00b1{MAX_MAGNITUDE:.0e} (a paste error?)"
    )


def parse_integer(value: Any) -> int:
    """A whole number, written unquoted (no '0777' octal, no '1_000')."""
    number = parse_number(value)
    if not number.is_integer() or (isinstance(value, str) and not value.lstrip("+-").isdigit()):
        raise ValueError(f"expected a whole number, got {_show(value)}")
    return int(number)


def parse_percent(value: Any) -> float:
    """A relative change written as a percentage, e.g. -50% (stored as -0.5)."""
    if isinstance(value, str):
        match = _PERCENT.fullmatch(value.strip())
        if match:
            return float(match.group(1)) / 100
    raise ValueError(
        f"expected a percentage like -50% or +10%, got {_show(value)}{_minus_hint(value)}"
    )


def parse_text(value: Any) -> str:
    """Any text. Numbers written unquoted are kept as written ('1.10' stays '1.10')."""
    if isinstance(value, str):
        # a JSON escape like "\ud800" decodes to half a character, which no output can print
        if not value.isascii() and _SURROGATE.search(value):
            raise ValueError(f"{_show(value)} is not valid text: it holds a lone surrogate")
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected text, got {_show(value)}")


def parse_bool(value: Any) -> bool:
    """true or false only (YAML 1.1's yes/no/on/off are refused, not guessed)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, PlainScalar) and value in ("true", "false"):
        return value == "true"
    raise ValueError(f"expected true or false, got {_show(value)}")


def _slug(value: Any) -> str:
    return _checked_slug(parse_text(value))


@lru_cache(maxsize=8192)
def _checked_slug(text: str) -> str:
    # cached: ids repeat on every entry of the log
    if not _SLUG.fullmatch(text):
        raise ValueError(
            f"{_show(text)} is not a valid id: use lowercase letters a-z, digits and hyphens"
        )
    return text


def _priority_id(value: Any) -> str:
    text = parse_text(value)
    if not _PRIORITY_ID.fullmatch(text):
        raise ValueError(f"{_show(text)} is not a priority id: use P and a number, like P3")
    return text


def _metric_priority(value: Any) -> str:
    text = parse_text(value)
    if text == PROGRAMME:
        return text
    if not _PRIORITY_ID.fullmatch(text):
        raise ValueError(
            f"{_show(text)} is not a priority id: use P and a number, like P3, or {PROGRAMME} "
            "for a commitment of the whole programme"
        )
    return text


VOID_VALUE = ""
"""The value of a void entry (``void: true``), which has none in the log: it withdraws the
earlier entries for its metric, place and date, and nothing reads its value."""


class _NoValue:
    """Stands in for the value a void entry leaves out, until `ActualEntry` checks it."""


_NO_VALUE = _NoValue()


def _actual_value(value: Any) -> float | str:
    if value is _NO_VALUE:
        return VOID_VALUE
    if value is None:
        raise ValueError("the value is missing: give a number (or done)")
    if isinstance(value, str) and value.strip() == "done":
        return "done"
    try:
        return parse_number(value)
    except ValueError as error:
        message = str(error).replace("expected a number", "expected a number (or done)", 1)
        raise ValueError(message) from None


_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

IsoDate = Annotated[date, BeforeValidator(parse_iso_date), WithJsonSchema(_DATE_SCHEMA)]
ActualDate = Annotated[date, BeforeValidator(parse_actual_date), WithJsonSchema(_DATE_SCHEMA)]
Timestamp = Annotated[
    datetime,
    BeforeValidator(parse_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Number = Annotated[float, BeforeValidator(parse_number), WithJsonSchema({"type": "number"})]
NonNegative = Annotated[Number, Field(ge=0)]
PositiveInt = Annotated[
    int,
    BeforeValidator(parse_integer),
    Field(gt=0),
    WithJsonSchema({"type": "integer", "exclusiveMinimum": 0}),
]
Percent = Annotated[
    float,
    BeforeValidator(parse_percent),
    WithJsonSchema({"type": "string", "pattern": r"^[-+]?(\d+(\.\d*)?|\.\d+) ?%$"}),
]
Text = Annotated[str, BeforeValidator(parse_text), WithJsonSchema({"type": "string"})]
Flag = Annotated[bool, BeforeValidator(parse_bool), WithJsonSchema({"type": "boolean"})]
Slug = Annotated[
    str,
    BeforeValidator(_slug),
    WithJsonSchema({"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"}),
]
PriorityId = Annotated[
    str,
    BeforeValidator(_priority_id),
    WithJsonSchema({"type": "string", "pattern": r"^P[1-9][0-9]{0,3}$"}),
]
MetricPriority = Annotated[
    str,
    BeforeValidator(_metric_priority),
    WithJsonSchema({"type": "string", "pattern": r"^(P[1-9][0-9]{0,3}|programme)$"}),
]
ActualValue = Annotated[
    float | str,
    BeforeValidator(_actual_value),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"const": "done"}]}),
]

Direction = Literal["increase", "decrease"]
Kind = Literal["measure", "milestone"]
Cadence = Literal["monthly", "quarterly", "annual"]

CADENCE_DAYS: dict[str, int] = {"monthly": 31, "quarterly": 92, "annual": 366}

RELATIVE_SLACK: Final = 1e-9
"""Relative slack in comparisons, so that binary rounding (baseline x (1 + change), or a
shortfall exactly at the tolerance) never flips a boundary case."""


def meets(value: float, goal: float, direction: str) -> bool:
    """Whether ``value`` is at least as good as ``goal`` (<= for decrease, >= for increase).

    Here, with the directions, rather than in `status`: the status engine judges with it and
    so does `forecast` (which `status` uses), and neither may import the other's user."""
    slack = RELATIVE_SLACK * max(1.0, abs(goal))
    if direction == "decrease":
        return value <= goal + slack
    if direction == "increase":
        return value >= goal - slack
    raise ValueError(f"direction must be increase or decrease, got {direction!r}")


# --- models -------------------------------------------------------------------------------


class _Model(BaseModel):
    """Frozen, and strict about keys: a typo must not pass silently."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class _PlanItem(_Model):
    """An item of a plan file, which remembers its position in the file's list.

    Actuals do not carry this: a private attribute costs pydantic a hook per instance, which
    matters at a million log entries. `plan.Plan.index_of` finds theirs instead.
    """

    _index: int = PrivateAttr(default=-1)

    @property
    def index(self) -> int:
        """Position of this item in its file's list (for error positions)."""
        return self._index


class Priority(_PlanItem):
    """One of the partnership priorities (P1..P8 in the ICS strategy)."""

    id: PriorityId
    title: Text
    summary: Text | None = None
    owner: Text | None = Field(None, description="The senior responsible owner, if named.")
    source: Text | None = None


class Place(_PlanItem):
    """The system, an Integrated Care Partnership (place) or a neighbourhood."""

    id: Slug
    name: Text
    population: PositiveInt | None = None
    parent: Slug | None = None
    description: Text | None = None
    neighbourhoods: PositiveInt | None = Field(
        None, description="How many neighbourhoods (Primary Care Networks) the place has."
    )
    source: Text | None = None


class Baseline(_Model):
    """The starting point a `change` target is relative to.

    ``{date, value}``: as stated. ``{date}``: the value is the actual recorded for that date.
    ``{note}``: not yet agreed (the note says so). A value needs a date, and a baseline needs
    a date or a note: `checks` refuses the rest at the key (rules baseline-date, baseline-empty).
    """

    date: IsoDate | None = Field(None, description="The date the baseline is for, YYYY-MM-DD.")
    value: Number | None = Field(
        None, description="The figure; leave out to take the actual recorded for the date."
    )
    note: Text | None = Field(None, description="Say so here when no baseline is agreed yet.")
    source: Text | None = None


class Target(_Model):
    """A value to reach by a date (``by``), or to hold from a date on (``from``, a standing
    target): absolute (`value`), relative (`change`) or left open. Exactly one of by/from
    (`checks`, rule target-shape); a standing target is the last (rule standing-target)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    by: IsoDate | None = Field(None, description="The deadline, YYYY-MM-DD.")
    from_: IsoDate | None = Field(
        None,
        alias="from",
        description="A standing target: held from this date on, YYYY-MM-DD (instead of by).",
    )
    value: Number | None = Field(
        None, description="The figure to reach; null when the plan leaves it open."
    )
    change: Percent | None = Field(None, description="Relative to the baseline, e.g. -50%.")
    note: Text | None = None

    @property
    def is_open(self) -> bool:
        """The plan states a deadline but no figure ("increase by X%")."""
        return self.value is None and self.change is None

    @property
    def is_standing(self) -> bool:
        """Held from a date on (``from:``) rather than reached by a deadline (``by:``)."""
        return self.from_ is not None

    @property
    def day(self) -> date | None:
        """The target's date: its deadline (``by``), or the day a standing target starts."""
        return self.by if self.by is not None else self.from_


class Revision(_Model):
    """A decision that changes a metric's commitment, kept beside the original (append-only).

    Decided dates strictly increase and are not in the future; a milestone's revision may give
    ``due``, a measure's ``targets`` (the whole list, replaced) and ``baseline``; ``withdrawn:
    true`` is the last revision. `revisions.plan_in_force` applies them."""

    decided: IsoDate = Field(description="The date of the decision, YYYY-MM-DD.")
    by: Text = Field(description="Who decided (a board, a committee).")
    reason: Text = Field(description="Why the plan changed.")
    source: Text | None = Field(None, description="The paper or minute that records it.")
    due: IsoDate | None = Field(None, description="Milestones: the new due date.")
    targets: tuple[Target, ...] | None = Field(
        None, description="Measures: the new list of targets, replacing the whole list."
    )
    baseline: Baseline | None = Field(None, description="Measures: the new baseline.")
    withdrawn: Flag = Field(
        False, description="true: the commitment is withdrawn or overtaken (the last revision)."
    )


class SpcSettings(_Model):
    """Per-metric options for the Making Data Count (XmR) analysis."""

    rebase: tuple[IsoDate, ...] = ()
    fix_after: Annotated[int, BeforeValidator(parse_integer), Field(ge=12)] | None = None
    screen_outliers: Flag = True


class Metric(_PlanItem):
    """A measure with targets, or a milestone with a due date."""

    id: Slug
    priority: MetricPriority = Field(
        description="A priority id from priorities.yaml, or programme for the whole programme."
    )
    name: Text
    kind: Kind = Field(
        "measure",
        description="measure (a number tracked against targets) or milestone (done by a due date).",
    )
    direction: Direction | None = Field(
        None, description="Measures only: which way is better, increase or decrease."
    )
    unit: Text | None = Field(None, description='Free text, e.g. placements; "%" for a percentage.')
    cadence: Cadence | None = Field(
        None,
        description="How often a value is expected: monthly, quarterly or annual (for stale).",
    )
    range: tuple[Number | None, Number | None] | None = Field(
        None,
        description="Measures: the plausible values [min, max] (null for no bound); a value "
        'outside is refused. A unit "%" implies [0, 100] unless a range is given.',
    )
    whole: Flag = Field(
        False, description="Measures: true when values are whole numbers (counts of people)."
    )
    tolerance: NonNegative = Field(
        0.1,
        description="Largest shortfall, as a share of the plan segment's span, still at risk.",
    )
    places: tuple[Slug, ...] = Field(
        (), description="Places where the metric is tracked separately (ids from places.yaml)."
    )
    baseline: Baseline | None = None
    targets: tuple[Target, ...] = Field(
        (),
        description='Measures only: dated targets, dates strictly increasing; a standing "from" '
        "target last.",
    )
    due: IsoDate | None = Field(
        None, description="Milestones only: the date it is due, YYYY-MM-DD."
    )
    spc: SpcSettings | None = Field(
        None, description="Options for the Making Data Count (XmR) analysis."
    )
    source: Text | None = Field(
        None, description="The document and section this metric comes from."
    )
    owner: Text | None = None
    description: Text | None = None
    revisions: tuple[Revision, ...] = Field(
        (), description="Decisions that changed this commitment, oldest first (append-only)."
    )

    @property
    def is_milestone(self) -> bool:
        return self.kind == "milestone"

    def target_value(self, target: Target) -> float | None:
        """The figure a target asks for: its value, or baseline x (1 + change)."""
        if target.value is not None:
            return target.value
        if target.change is not None and self.baseline is not None:
            if self.baseline.value is None:
                return None  # the baseline is to come from the log, or is not agreed yet
            return self.baseline.value * (1 + target.change)
        return None


class Actual(NamedTuple):
    """One entry of the actuals log, as loaded and used everywhere after validation.

    A plain named tuple rather than a pydantic model: a national log holds a million entries,
    and creating a model instance per entry cost more than reading the file. Entries are
    validated by `ActualEntry` (or, for tool-written lines, by the equivalent strict schema in
    `loader`) before they become one of these.
    """

    metric: str
    date: date
    value: float | str  # a number, or "done" for a milestone
    place: str | None = None
    note: str | None = None
    by: str | None = None
    recorded: datetime | None = None
    replaces: bool = False
    void: bool = False  # withdraws earlier entries for its key; its value is VOID_VALUE
    provisional: bool = False  # a figure to be confirmed by a later (final) entry for its key
    source: str | None = None  # the system the figure came from

    @property
    def is_done(self) -> bool:
        return self.value == "done"


def _void_schema(schema: dict[str, Any]) -> None:
    """In the JSON Schema, as in `ActualEntry`: a value, unless void (then a note, no value)."""
    schema["required"] = [name for name in schema.get("required", []) if name != "value"]
    schema["if"] = {"properties": {"void": {"const": True}}, "required": ["void"]}
    schema["then"] = {"required": ["note"], "not": {"required": ["value"]}}
    schema["else"] = {"required": ["value"]}


class ActualEntry(_Model):
    """One entry of the append-only actuals log, as written: the schema and its validation."""

    model_config = ConfigDict(**{**_Model.model_config, "json_schema_extra": _void_schema})

    metric: Slug
    date: ActualDate = Field(
        description="The date the value is for (e.g. the end of the month it reports), YYYY-MM-DD."
    )
    value: ActualValue = Field(description="A number for a measure; done for a milestone.")
    place: Slug | None = Field(
        None, description="Required when the metric has places; absent otherwise."
    )
    note: Text | None = None
    by: Text | None = None
    recorded: Timestamp | None = Field(None, description="When the tool wrote the entry (UTC).")
    replaces: Flag = Field(
        False, description="true: supersedes earlier entries for the same metric, place and date."
    )
    void: Flag = Field(
        False,
        description="true: withdraws every earlier entry for the same metric, place and date "
        "(no value; the note says why).",
    )
    provisional: Flag = Field(
        False,
        description="true: a provisional figure, to be confirmed by a later entry for the same "
        "metric, place and date (leave out for a final figure).",
    )
    source: Text | None = Field(
        None, description="The system the figure came from (e.g. a national collection)."
    )

    @model_validator(mode="before")
    @classmethod
    def _void_has_no_value(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("void") in (True, "true") and "value" not in data:
            return {**data, "value": _NO_VALUE}
        return data

    @model_validator(mode="after")
    def _void_says_why(self) -> ActualEntry:
        if self.void and self.value != VOID_VALUE:
            raise ValueError("a void entry has no value: remove 'value' (or 'void')")
        if self.void and self.replaces:
            raise ValueError("a void entry withdraws, it does not replace: remove 'replaces'")
        if self.void and not (self.note or "").strip():
            raise ValueError("a void entry needs a note saying why it withdraws the entries")
        if self.void and self.provisional:
            raise ValueError("a void entry has no figure to be provisional: remove 'provisional'")
        return self

    def to_actual(self) -> Actual:
        return Actual(
            self.metric,
            self.date,
            self.value,
            self.place,
            self.note,
            self.by,
            self.recorded,
            self.replaces,
            self.void,
            self.provisional,
            self.source,
        )


# --- whole files (used for JSON Schema generation and by the loader) -----------------------


class PrioritiesFile(_Model):
    """priorities.yaml"""

    version: Literal[1] = 1
    priorities: list[Priority]


class PlacesFile(_Model):
    """places.yaml"""

    version: Literal[1] = 1
    places: list[Place]


class MetricsFile(_Model):
    """metrics.yaml"""

    version: Literal[1] = 1
    metrics: list[Metric]
