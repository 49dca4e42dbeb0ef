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

The append-only log is read by `applog.parse`, which reads the lines the tool wrote as JSON
and the rest through `parse_yaml_part`, a segment at a time.
"""

from __future__ import annotations

import bisect
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
            frame.container[key] = value
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
    return parse_yaml_part(text, path, line_offset=line_offset)


def parse_yaml_part(text: str, path: str, *, line_offset: int = 0) -> Document:
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
