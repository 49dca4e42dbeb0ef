"""Reading the log's text: one JSON-shaped flow mapping per line, read fast.

Lines the tool wrote (``- {"metric": "x", ...}``, see `applog.format`) are read with
``json.loads``, many at once; anything a person wrote by hand in between goes through the
YAML path (`yamlsource`) with the same positions, a segment at a time. The result is one
`LogDocument`: the entries, the line of each, and every problem at its position.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..problems import Source
from ..yamlsource import (
    LONE_CR_MESSAGE,
    Document,
    Loc,
    lone_cr_line_ends,
    parse_yaml_part,
)


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


_json_decoder = json.JSONDecoder(parse_constant=_refuse_constant)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    entry = dict(pairs)
    if len(entry) != len(pairs):
        raise ValueError("duplicate key")
    return entry


_careful_decoder = json.JSONDecoder(
    parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates
)

# Characters JSON accepts raw in a string but YAML reads differently (line breaks such as
# U+2028, C1 controls, byte-order marks): a line holding one goes to the YAML path, so that
# both readers always agree. `lsc record` escapes them.
_YAML_DIFFERS = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _batch_decode(bodies: list[str]) -> list[Any]:
    """Decode many simple JSON objects in one C-level call; [] if the batch does not decode.

    Every body here holds exactly one ``{`` (its first character), one ``}`` (its last) and
    no brackets, and JSON refuses the line break that joins them inside a string: so no value
    can span two bodies, and a batch that decodes gives each body its own value.
    """
    try:
        values = _json_decoder.decode("[" + ",\n".join(bodies) + "]")
    except ValueError:
        return []
    return values if len(values) == len(bodies) else []


def _is_simple(body: str) -> bool:
    return body.count("{") == 1 and body.count("}") == 1 and "[" not in body and "]" not in body


def _distinct_keys(value: Any, body: str) -> bool:
    """A flat object whose keys are all distinct, as a YAML reader would also see it.

    JSON keeps the last of two equal keys; to catch that without a slow per-key hook we count
    the ``":`` key separators in the body. Every key has one (a key followed by white space,
    ``"a" :``, is left to the careful decoder), and text inside values can only add more, so
    a count equal to the number of keys proves there is no duplicate.
    """
    return (
        type(value) is dict
        and body.count('":') == len(value)
        and '" :' not in body
        and '"\t:' not in body
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _holds_surrogate(entry: dict[str, Any]) -> bool:
    """A JSON escape such as \\ud800 alone decodes to half a character, which no output can
    print: such a line goes to the YAML path, which refuses it with its position."""
    return any(
        isinstance(text, str) and _SURROGATE.search(text) for item in entry.items() for text in item
    )


def _decode_one(body: str) -> dict[str, Any] | None:
    """One body, decoded carefully: a flat object with distinct keys, or None."""
    try:
        value = _careful_decoder.decode(body)
    except (ValueError, RecursionError):
        # JSONDecodeError, NaN/Infinity, duplicate keys, huge ints; and nesting deep enough
        # to exhaust the json module's recursion (1,000 '['): the YAML path, which stops at
        # `MAX_DEPTH`, says where
        return None
    if type(value) is not dict or _holds_surrogate(value):
        return None
    return value


def fast_entries(lines: list[str]) -> dict[int, dict[str, Any]]:
    """The entries on tool-written lines, by line index; other lines need the YAML path.

    A line qualifies when it is ``- `` and one flat JSON object with distinct keys. Simple
    lines (as `lsc record` writes them) are decoded together, the rest one by one.
    """
    candidates = [number for number, line in enumerate(lines) if line.startswith("- {")]
    bodies = {number: lines[number][2:].rstrip(" \t\r") for number in candidates}
    simple = [number for number in candidates if _is_simple(bodies[number])]
    found: dict[int, dict[str, Any]] = {}
    batch = _batch_decode([bodies[number] for number in simple])
    for number, value in zip(simple, batch, strict=False):
        if _distinct_keys(value, bodies[number]) and (
            "\\u" not in bodies[number] or not _holds_surrogate(value)
        ):
            found[number] = value
    for number in candidates:
        if number not in found and (value := _decode_one(bodies[number])) is not None:
            found[number] = value
    if any(_YAML_DIFFERS.search(lines[number]) for number in found):
        found = {n: v for n, v in found.items() if not _YAML_DIFFERS.search(lines[n])}
    return found


@dataclass
class LogDocument(Document):
    """A Document for the actuals log, where fast-path entries get positions on demand."""

    lines: list[str] = field(default_factory=list)
    fast_entry_lines: dict[int, int] = field(default_factory=dict)  # entry index -> line

    def source(self, loc: Loc = (), *, key: bool = False) -> Source:
        loc = tuple(loc)
        if loc and loc[0] in self.fast_entry_lines:
            index = loc[0]
            line_number = self.fast_entry_lines[index]
            line = self.lines[line_number - 1]
            single = parse_yaml_part(line, self.path, line_offset=line_number - 1)
            return single.source((0, *loc[1:]), key=key)
        return super().source(loc, key=key)

    def entry_line(self, index: int) -> int:
        """The line where entry ``index`` starts."""
        return self.fast_entry_lines.get(index) or self.source((index,)).line


def parse_log(text: str, path: str) -> LogDocument:
    """Parse the actuals log: a top-level list, read line by line where the tool wrote it.

    Consecutive lines that are not tool-written entries form a segment parsed as YAML on its
    own (with its line numbers kept); each such segment must be comments, or a block list at
    the left margin, so that the whole file stays one valid YAML list. So a segment may not
    hold a document marker (`_misplaced_marker`: only a ``---`` before the first entry) nor a
    null (``null``, ``~``), which YAML would read as a second document or a broken list, and
    which each segment on its own would happily read as nothing. A file with no tool-written
    line is one segment, read as the YAML document it is. Returns data as a list of entries
    (or the offending value when the file is not a list).
    """
    if lone_cr_line_ends(text):
        doc = LogDocument(path, data=[], lines=[text])
        doc.add_problem(1, 1, LONE_CR_MESSAGE, "line-ends")
        return doc
    lines = text.split("\n")
    doc = LogDocument(path, data=[], lines=lines)
    entries: list[Any] = doc.data
    segment_start: int | None = None
    seen_fast = False

    def flush(end: int) -> None:
        nonlocal segment_start
        if segment_start is None:
            return
        start, segment_start = segment_start, None
        whole_file = start == 0 and end == len(lines)
        misplaced = None if whole_file else _misplaced_marker(lines, start, end)
        if misplaced is not None:
            doc.add_problem(misplaced[0] + 1, 1, misplaced[1], "log-shape")
            return
        segment_text = "\n".join(lines[start:end])
        part = parse_yaml_part(segment_text, path, line_offset=start)
        doc.problems.extend(part.problems)
        if part.problems:
            return
        if part.data is None:
            if not whole_file and (null := _null_line(lines, start, end)) is not None:
                line, column = part.value_marks.get((), (null + 1, 1))
                message = (
                    f"expected a list entry starting with '- ', got {lines[null].strip()!r}, "
                    "which YAML reads as null: delete this line"
                )
                doc.add_problem(line, column, message, "log-shape")
            return
        if not isinstance(part.data, list):
            if whole_file:
                doc.data = part.data
                doc.value_marks[()] = part.value_marks.get((), (start + 1, 1))
                return
            line, column = part.value_marks.get((), (start + 1, 1))
            doc.add_problem(line, column, "expected a list entry starting with '- '", "log-shape")
            return
        if part.value_marks.get((), (0, 2))[1] != 1 and not whole_file:
            line, column = part.value_marks[()]
            doc.add_problem(line, column, "list entries must start at the left margin", "log-shape")
            return
        if not whole_file and _is_flow_list(segment_text):
            line, column = part.value_marks[()]
            doc.add_problem(
                line,
                column,
                "a '[...]' list cannot be mixed with '- ' entries: remove the brackets",
                "log-shape",
            )
            return
        base = len(entries)
        # a part's positions start with its own entry index: shift them to the log's
        for loc, mark in part.value_marks.items():
            if loc and isinstance(loc[0], int):
                doc.value_marks[(base + loc[0], *loc[1:])] = mark
        for loc, mark in part.key_marks.items():
            if loc and isinstance(loc[0], int):
                doc.key_marks[(base + loc[0], *loc[1:])] = mark
        entries.extend(part.data)

    fast = fast_entries(lines)
    fast_entry_lines = doc.fast_entry_lines
    for number in range(len(lines)):
        entry = fast.get(number)
        if entry is None:
            if segment_start is None:
                segment_start = number
            continue
        if segment_start is not None:
            flush(number)
            if doc.too_many_problems(number + 1, 1):
                return doc
        seen_fast = True
        fast_entry_lines[len(entries)] = number + 1
        entries.append(entry)
    flush(len(lines))
    if seen_fast and not isinstance(doc.data, list):
        doc.data = entries
    return doc


# A document marker is ``---`` or ``...`` at the left margin, then white space or the line end.
_DOCUMENT_MARKER = re.compile(r"(---|\.\.\.)(?=[ \t\r]|$)")
_BARE_DOCUMENT_START = re.compile(r"---[ \t]*(#.*)?\r?")


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _misplaced_marker(lines: list[str], start: int, end: int) -> tuple[int, str] | None:
    """The first document marker in ``lines[start:end]`` that would break the log's one YAML
    document, with what to do about it; None if there is none.

    A segment parsed on its own reads ``---`` or ``...`` as an empty document, so without this
    a log of tool-written lines with such a line between them loads, while YAML (an editor,
    ``yaml.safe_load``) reads it as two documents and refuses it. The one marker allowed is a
    bare ``---`` (a comment after it at most) before anything else in the file, as editors
    write it; directives (``%YAML``) may come before it. A line starting ``---`` at the margin
    is a marker even inside a hand-written multi-line note, so looking at lines is enough.
    """
    at_start = start == 0
    for number in range(start, end):
        line = lines[number]
        if _is_blank_or_comment(line):
            continue
        if _DOCUMENT_MARKER.match(line):
            if at_start and _BARE_DOCUMENT_START.fullmatch(line):
                at_start = False
                continue
            return number, _marker_message(line, at_start)
        at_start = at_start and line.startswith("%")
    return None


def _marker_message(line: str, at_start: bool) -> str:
    if line.startswith("..."):
        return (
            "'...' ends the YAML document here, so the entries after it would not be part of "
            "the list: delete this line"
        )
    if at_start:
        return (
            "'---' with something after it cannot start a log of '- ' entries: leave '---' "
            "alone on its line, or delete it"
        )
    return (
        "'---' here starts a second YAML document, which splits the list: delete this line "
        "(only the top of the log may have a '---' line)"
    )


def _null_line(lines: list[str], start: int, end: int) -> int | None:
    """The first line of ``lines[start:end]`` holding something other than comments, document
    markers and directives: where a segment that read as null wrote it (``null``, ``~``)."""
    for number in range(start, end):
        line = lines[number]
        if not (_is_blank_or_comment(line) or _DOCUMENT_MARKER.match(line) or line[:1] == "%"):
            return number
    return None


def _is_flow_list(segment_text: str) -> bool:
    """Whether the segment's value is a ``[...]`` list: its first line of content, after
    comments, directives and a ``---``, starts with a bracket."""
    for line in segment_text.split("\n"):
        if _is_blank_or_comment(line) or line[:1] == "%" or _BARE_DOCUMENT_START.fullmatch(line):
            continue
        return line.lstrip().startswith("[")
    return False
