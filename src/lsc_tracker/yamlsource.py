"""Read YAML into plain Python values while remembering where each value came from.

Why not ``yaml.safe_load``? It forgets positions, keeps the last of two duplicate keys
(silently losing data), follows aliases (the "billion laughs" bomb), and applies YAML 1.1
guesses (``NO`` is false, ``1:30`` is 90, ``0777`` is octal). Instead we walk PyYAML's event
stream (libyaml's C parser when present) and build the tree ourselves:

* every scalar stays text; an unquoted one is a `PlainScalar` so the schema can tell
  ``value: 42`` (a number) from ``value: "42"`` (text that looks like one);
  unquoted ``null``, ``~`` and an empty value are None;
* tags, anchors, aliases, complex keys, duplicate keys and more than one document are
  problems at their position;
* nesting deeper than `MAX_DEPTH` stops the parse (libyaml's composer segfaults at about
  25,000 levels; we never use it, but no plan needs more than a handful);
* so does the `MAX_PROBLEMS`-th problem in a file: a file of a million aliases or duplicate
  keys would otherwise hold a million problems, more memory than the machine has;
* every value and key is recorded in a position index, so a pydantic ``loc`` maps back to
  ``file:line:column``.

`parse_log` adds a fast path for the actuals log: lines the tool wrote are JSON-shaped
flow mappings (``- {"metric": "x", ...}``) and are read with ``json.loads``; anything a
person wrote by hand in between goes through the YAML path with the same positions.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Problem, Source

MAX_DEPTH = 40
MAX_PROBLEMS = 100

_YAML_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]|\r(?!\n)")

Loc = tuple[str | int, ...]


class PlainScalar(str):
    """An unquoted YAML scalar. Its text is all we keep; the schema decides its type."""

    __slots__ = ()


@dataclass
class Document:
    """One parsed YAML file: its data, the position of every value, and its problems."""

    path: str
    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    value_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def source(self, loc: Loc = (), *, key: bool = False) -> Source:
        """The position of the value at ``loc`` (or of its key), else of its nearest parent."""
        loc = tuple(loc)
        while True:
            mark = (self.key_marks.get(loc) if key else None) or self.value_marks.get(loc)
            if mark is not None:
                return Source(self.path, *mark)
            if not loc:
                return Source(self.path, 1, 1)
            loc = loc[:-1]
            key = False

    def add_problem(self, line: int, column: int, message: str, rule: str) -> None:
        self.problems.append(Problem(Source(self.path, line, column), message, rule))

    def too_many_problems(self, line: int, column: int) -> bool:
        """Whether to stop reading: if so, says where it stopped (one last problem)."""
        if len(self.problems) < MAX_PROBLEMS:
            return False
        if self.problems[-1].rule != "too-many-problems":
            message = f"stopped reading here after {len(self.problems)} problems: fix those first"
            self.add_problem(line, column, message, "too-many-problems")
        return True


class _Abort(Exception):
    """Stop building: the rest of the stream cannot be trusted."""


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    loc: Loc
    pending_key: str | None = None
    key_line: int = 0
    first_seen: dict[str, int] = field(default_factory=dict)


def _scalar_value(event: yaml.ScalarEvent) -> Any:
    if event.style in (None, ""):
        return None if event.value in _NULLS else PlainScalar(event.value)
    return event.value


def _yaml_error_message(error: yaml.YAMLError, line_text: str) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"invalid YAML: {problem}"
    if context:
        message += f" ({context})"
    if "\t" in line_text[: len(line_text) - len(line_text.lstrip())] or "'\\t'" in problem:
        message += "; indent with spaces, not tabs"
    return message


class _Builder:
    """Turns a stream of YAML events into a Document; see the module docstring."""

    def __init__(self, doc: Document, line_offset: int, text: str = "") -> None:
        self.doc = doc
        self.line_offset = line_offset
        self.stack: list[_Frame] = []
        self.documents = 0
        # YAML also breaks lines at NEL, U+2028, U+2029 and a lone CR, which editors and
        # `file:line:col` do not: where the text holds one, count lines by "\n" instead
        self.newlines: list[int] | None = None
        if _YAML_ONLY_BREAK.search(text):
            self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def position(self, mark: Any) -> tuple[int, int]:
        if self.newlines is None:
            return (mark.line + 1 + self.line_offset, mark.column + 1)
        line = bisect.bisect_left(self.newlines, mark.index)  # line breaks before the mark
        start = self.newlines[line - 1] + 1 if line else 0
        return (line + 1 + self.line_offset, mark.index - start + 1)

    def problem(self, mark: Any, message: str, rule: str) -> None:
        self.doc.add_problem(*self.position(mark), message, rule)
        if self.doc.too_many_problems(*self.position(mark)):
            raise _Abort

    def refuse_decorations(self, event: Any) -> None:
        if getattr(event, "anchor", None) is not None:
            self.problem(
                event.start_mark,
                f"anchors (&{event.anchor}) are not allowed: write the value out in full",
                "yaml-anchor",
            )
        if getattr(event, "tag", None) is not None:
            self.problem(event.start_mark, f"tags ({event.tag}) are not allowed", "yaml-tag")

    def place(self, value: Any, event: Any) -> Loc | None:
        """Attach a value (or a key) to the current container; return its loc if a value."""
        mark = self.position(event.start_mark)
        if not self.stack:
            self.doc.data = value
            self.doc.value_marks[()] = mark
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            loc = (*frame.loc, len(frame.container))
            frame.container.append(value)
            self.doc.value_marks[loc] = mark
            return loc
        if frame.pending_key is None:
            if isinstance(value, (dict, list)):
                self.problem(event.start_mark, "a key must be plain text", "yaml-key")
                raise _Abort
            key = "" if value is None else str(value)
            if key in frame.first_seen:
                self.problem(
                    event.start_mark,
                    f"duplicate key {key!r} (first given on line {frame.first_seen[key]}): "
                    "YAML would silently keep only the last one",
                    "duplicate-key",
                )
                key = f"\0duplicate:{key}:{mark}"
            else:
                frame.first_seen[key] = mark[0]
            frame.pending_key = key
            self.doc.key_marks[(*frame.loc, key)] = mark
            return None
        key, frame.pending_key = frame.pending_key, None
        loc = (*frame.loc, key)
        if not key.startswith("\0"):
            frame.container[key] = value  # type: ignore[call-overload]
        self.doc.value_marks.setdefault(loc, mark)
        return loc

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self.refuse_decorations(event)
            self.place(_scalar_value(event), event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.refuse_decorations(event)
            if len(self.stack) >= MAX_DEPTH:
                self.problem(
                    event.start_mark,
                    f"nested more than {MAX_DEPTH} levels deep: the plan never needs this",
                    "yaml-depth",
                )
                raise _Abort
            container: dict[str, Any] | list[Any] = (
                {} if isinstance(event, yaml.MappingStartEvent) else []
            )
            loc = self.place(container, event)
            if loc is None:  # a collection used as a key; place() has already aborted
                raise _Abort
            self.stack.append(_Frame(container, loc))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            self.problem(
                event.start_mark,
                f"aliases (*{event.anchor}) are not allowed: write the value out in full",
                "yaml-alias",
            )
            self.place(None, event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problem(
                    event.start_mark, "only one YAML document is allowed per file", "yaml-document"
                )
                raise _Abort


def _too_deep(text: str, error: yaml.MarkedYAMLError, doc: Document, builder: _Builder) -> bool:
    """libyaml (0.2.5 on) stops at 1,000 levels while it looks ahead for a simple key, before
    the builder has seen the 41st: parse the text up to there again with PyYAML's own parser,
    which hands over events as it goes, so that the problem is `MAX_DEPTH`'s, at its place.
    On success ``doc`` holds what that second parse found (it re-reads the same prefix)."""
    mark = error.problem_mark
    if mark is None or _YAML_LOADER is yaml.BaseLoader:
        return False
    trial = Document(doc.path)
    retry = _Builder(trial, builder.line_offset)
    retry.newlines = builder.newlines
    try:
        for event in yaml.parse(text[: mark.index], Loader=yaml.BaseLoader):
            retry.feed(event)
    except _Abort:
        if trial.problems and trial.problems[-1].rule == "yaml-depth":
            doc.data, doc.problems = trial.data, trial.problems
            doc.value_marks, doc.key_marks = trial.value_marks, trial.key_marks
            return True
    except yaml.YAMLError:
        pass
    return False


_LONE_CR = re.compile("\r(?!\n)")
LONE_CR_MESSAGE = (
    "this file ends its lines with a lone CR (classic Mac OS), which editors, git and CI "
    "count differently from YAML: save it with LF line ends (for example: "
    "tr '\\r' '\\n' < FILE > FILE.new, then replace FILE with it)"
)


def lone_cr_line_ends(text: str) -> bool:
    """Whether ``text`` ends its lines with lone CRs rather than LF or CRLF: more lone CRs
    than LFs. (A few lone CRs pasted into a value of an LF file are read as YAML reads them,
    with positions counted by LF.)"""
    if "\r" not in text:
        return False
    return len(_LONE_CR.findall(text)) > text.count("\n")


def parse_yaml(text: str, path: str, *, line_offset: int = 0) -> Document:
    """Parse one YAML document from ``text``; never raises for bad input. A file whose line
    ends are lone CRs is refused at 1:1 (`lone_cr_line_ends`)."""
    if lone_cr_line_ends(text):
        doc = Document(path)
        doc.add_problem(1 + line_offset, 1, LONE_CR_MESSAGE, "line-ends")
        return doc
    return _parse_part(text, path, line_offset=line_offset)


def _parse_part(text: str, path: str, *, line_offset: int = 0) -> Document:
    """`parse_yaml` for a part of a file (lines of the log, whose CRLF ends keep their CR)."""
    doc = Document(path)
    builder = _Builder(doc, line_offset, text)
    try:
        for event in yaml.parse(text, Loader=_YAML_LOADER):
            builder.feed(event)
    except _Abort:
        pass
    except yaml.MarkedYAMLError as error:
        if error.problem == "exceeded maximum nesting depth" and _too_deep(
            text, error, doc, builder
        ):
            return doc
        mark = error.problem_mark or error.context_mark
        line, column = builder.position(mark) if mark else (1 + line_offset, 1)
        lines = text.split("\n")
        if line - line_offset > len(lines):  # libyaml's end of stream is a line past the text
            line, column = len(lines) + line_offset, len(lines[-1]) + 1
        line_text = lines[line - 1 - line_offset] if 0 < line - line_offset <= len(lines) else ""
        message = _yaml_error_message(error, line_text)
        context = error.context_mark
        if context is not None and mark is not None and context.line < mark.line:
            # an unclosed quote is found at the end of the file: say where it was opened
            start_line, start_column = builder.position(context)
            message += f", which starts at line {start_line}, column {start_column}"
        doc.add_problem(line, column, message, "yaml-syntax")
    except yaml.reader.ReaderError as error:  # a character YAML does not accept: point at it
        line, column = _offset_position(text, error.position)
        character = error.character
        shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
        message = f"invalid YAML: unacceptable character {shown}: {error.reason}"
        doc.add_problem(line + line_offset, column, message, "yaml-syntax")
    except yaml.YAMLError as error:
        doc.add_problem(1 + line_offset, 1, _yaml_error_message(error, ""), "yaml-syntax")
    return doc


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """Line and column of a reader error's offset: in UTF-8 bytes for libyaml, else in
    characters."""
    if _YAML_LOADER is not yaml.BaseLoader:
        before = text.encode("utf-8", "surrogatepass")[:offset].decode("utf-8", "ignore")
    else:
        before = text[:offset]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


# --- the actuals log: one JSON-shaped flow mapping per line, read fast -----------------


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
            single = _parse_part(line, self.path, line_offset=line_number - 1)
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
        part = _parse_part(segment_text, path, line_offset=start)
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
        for loc, mark in part.value_marks.items():
            if loc:
                doc.value_marks[(base + loc[0], *loc[1:])] = mark  # type: ignore[operator]
        for loc, mark in part.key_marks.items():
            doc.key_marks[(base + loc[0], *loc[1:])] = mark  # type: ignore[operator]
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
