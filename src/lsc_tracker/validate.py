"""Validating parsed items against their pydantic model, in the plan's own words.

Each item is validated on its own, so one bad item does not hide the others
(`validate_items`), and pydantic's errors are reworded: no message says None, True or
'Input should be', and an unknown key or word gets a 'did you mean'. The actuals log also
has a fast path for the entries the tool wrote (`fast_actuals`).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    with_config,
)
from typing_extensions import TypedDict

from .models import (
    MAX_MAGNITUDE,
    VOID_VALUE,
    Actual,
    actual_date_from_text,
    parse_timestamp,
)
from .problems import MAX_LISTED, Problem, did_you_mean, too_many
from .yamlsource import Document, Loc, PlainScalar


def _message(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return f"missing required key {error['loc'][-1]!r}"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        allowed = _keys_at(model, error["loc"][:-1])
        hint = did_you_mean(name, allowed) if allowed else ""
        return f"unknown key {name!r}{hint}" + (
            f"; allowed keys: {', '.join(allowed)}" if allowed and not hint else ""
        )
    got = _shape(error.get("input"))
    if kind == "literal_error":  # kind, direction, cadence: the accepted words, the closest
        words = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        given = str(error.get("input"))
        hint = did_you_mean(given, words) if isinstance(error.get("input"), str) else ""
        choices = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else "".join(words)
        return f"expected {choices}, got {got}{hint}"
    if kind in _BOUNDS:
        bound_words, key = _BOUNDS[kind]
        return f"expected {bound_words} {(error.get('ctx') or {}).get(key)}, got {got}"
    plain = _PLAIN_WORDS.get(kind) or str(error["msg"]).replace("Input should be", "expected")
    return f"{plain}, got {got}"


_REVISION_REQUIRED = ("decided", "by", "reason")


def _message_and_rule(error: Mapping[str, Any], model: type[BaseModel]) -> tuple[str, str]:
    """The message and rule of one pydantic error: ``schema``, except a revision missing
    ``decided``, ``by`` or ``reason`` (rule revision-required, in the plan's words)."""
    loc = error["loc"]
    if (
        len(loc) >= 3
        and loc[-3] == "revisions"
        and loc[-1] in _REVISION_REQUIRED
        and (error["type"] == "missing" or error.get("input") is None)
    ):
        what = {
            "decided": "'decided: YYYY-MM-DD', the date of the decision",
            "by": "'by', who decided (a board, a committee)",
            "reason": "'reason', why the plan changed",
        }[str(loc[-1])]
        return f"a revision needs {what}", "revision-required"
    return _message(error, model), "schema"


# pydantic's bounds (Field(gt=0), ge=12): its words, and the key of the bound in its ctx
_BOUNDS = {
    "greater_than": ("a number above", "gt"),
    "greater_than_equal": ("a number of at least", "ge"),
    "less_than": ("a number below", "lt"),
    "less_than_equal": ("a number of at most", "le"),
}


_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9.eE+-]{0,30}")


def _shape(value: Any) -> str:
    """What a value is, in the plan's words (never a Python repr such as None or True)."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, PlainScalar) and _NUMBER_LIKE.fullmatch(value):
        return str(value)  # unquoted, as written: 'got 3', not "got '3'"
    return repr(str(value)) if len(str(value)) <= 60 else repr(str(value)[:57] + "...")


# pydantic's words for its error types, where they name Python types, in a plan's own terms
_PLAIN_WORDS: dict[str, str] = {
    "list_type": "expected a list, such as [a, b] or one '- ' item a line",
    "tuple_type": "expected a list, such as [a, b] or one '- ' item a line",
    "dict_type": "expected a mapping of keys, such as {key: value}",
    "model_type": "expected a mapping of keys, such as {key: value}",
    "model_attributes_type": "expected a mapping of keys, such as {key: value}",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
}


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a model accepts at a nested location, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _nested_model(fields[part].annotation)
    fields = getattr(current, "model_fields", None)
    return [field.alias or name for name, field in fields.items()] if fields else []


def _nested_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def validate_items(
    doc: Document,
    items: list[Any],
    model: type[BaseModel],
    prefix: Loc,
    rejected: set[str] | None = None,
    limit: int = MAX_LISTED,
) -> tuple[list[Any], list[Problem], list[int]]:
    """Validate each item on its own, so one bad item does not hide the others.

    Returns the valid items, the problems, and the position in ``items`` of each valid item.

    The ids of items that fail are added to ``rejected``, so that later checks do not
    report references to them as unknown (one mistake, one message). Past ``limit``
    problems, failing items are counted, not described: one last problem says how many.
    """
    rejected = set() if rejected is None else rejected
    positions: list[int] = []
    valid: list[Any] = []
    problems: list[Problem] = []
    unlisted, first_unlisted = 0, None
    for index, item in enumerate(items):
        loc = (*prefix, index)
        if not isinstance(item, dict):
            if first_unlisted is None and len(problems) < limit:
                got = _shape(item)
                problems.append(
                    Problem(doc.source(loc), f"expected a mapping of keys, got {got}", "schema")
                )
            else:
                unlisted, first_unlisted = unlisted + 1, first_unlisted or loc
            continue
        try:
            obj = model.model_validate(item)
        except ValidationError as error:
            if isinstance(item.get("id"), str):
                rejected.add(str(item["id"]))
            if first_unlisted is not None or len(problems) + error.error_count() > limit:
                unlisted, first_unlisted = unlisted + 1, first_unlisted or loc
                continue
            for detail in error.errors(include_url=False):
                where = doc.source((*loc, *detail["loc"]), key=detail["type"] == "extra_forbidden")
                problems.append(Problem(where, *_message_and_rule(detail, model)))
            continue
        if obj.__pydantic_private__ is not None:
            obj.__pydantic_private__["_index"] = index
        valid.append(obj)
        positions.append(index)
    if first_unlisted is not None:
        noun = "entry has" if unlisted == 1 else "entries have"
        more = f"{unlisted:,} more {noun} problems from here on, not listed"
        problems.append(too_many(doc.source(first_unlisted), more))
    return valid, problems, positions


# Tool-written log lines hold JSON types already, so one strict schema checked entirely inside
# pydantic-core accepts them in bulk, several times faster than `ActualEntry`'s per-field
# Python validators. It accepts a subset of what ActualEntry accepts, with the same meaning;
# anything it refuses goes through ActualEntry, which gives the positioned messages.
_SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@with_config(ConfigDict(extra="forbid", strict=True))
class _ToolWrittenEntry(TypedDict):
    metric: Annotated[str, StringConstraints(pattern=_SLUG_PATTERN)]
    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    value: NotRequired[
        Annotated[float, Field(allow_inf_nan=False, ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
        | Literal["done"]
    ]
    place: NotRequired[Annotated[str, StringConstraints(pattern=_SLUG_PATTERN)]]
    note: NotRequired[str]
    by: NotRequired[str]
    recorded: NotRequired[str]
    replaces: NotRequired[bool]
    void: NotRequired[bool]
    provisional: NotRequired[bool]
    source: NotRequired[str]


_tool_written_entries = TypeAdapter(list[_ToolWrittenEntry])


def _void_or_value(entry: _ToolWrittenEntry) -> bool:
    """A value and no void, or a void with a note, no value and no replaces."""
    if not entry.get("void", False):
        return "value" in entry
    return (
        "value" not in entry
        and not entry.get("replaces")
        and not entry.get("provisional")
        and bool(entry.get("note", "").strip())
    )


def fast_actuals(entries: list[Any]) -> list[Actual] | None:
    """The entries as Actuals if every one passes the strict schema, else None.

    Checked `_FAST_CHUNK` entries at a time, stopping at the first that fails: pydantic
    describes every error of a failing list, which for a million bad lines is gigabytes."""
    day = actual_date_from_text  # cached: a log holds few distinct dates
    actuals: list[Actual] = []
    try:
        for start in range(0, len(entries), _FAST_CHUNK):
            checked = _tool_written_entries.validate_python(entries[start : start + _FAST_CHUNK])
            if any("void" in entry or "value" not in entry for entry in checked) and not all(
                map(_void_or_value, checked)
            ):
                return None  # ActualEntry says what is wrong
            actuals += [
                Actual(
                    entry["metric"],
                    day(entry["date"]),
                    entry.get("value", VOID_VALUE),
                    entry.get("place"),
                    entry.get("note"),
                    entry.get("by"),
                    parse_timestamp(entry["recorded"]) if "recorded" in entry else None,
                    entry.get("replaces", False),
                    entry.get("void", False),
                    entry.get("provisional", False),
                    entry.get("source"),
                )
                for entry in checked
            ]
    except (ValidationError, ValueError):
        return None
    return actuals


_FAST_CHUNK = 10_000
