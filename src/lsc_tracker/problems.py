"""What the user is told about their data, and the one exception family that carries it.

Problems in user data are values: each `Problem` carries the file, line and column it came
from and the rule it breaks, so that a terminal, an editor or CI can jump straight to it
(``path:line:col: error: message (rule-id)``, as yamllint prints). Exceptions (`LscError`
and its subclasses) are for what stops a command: a bad argument, a file that cannot be read
or written, data with problems; each carries its message, the problems behind it and its
exit code, and the CLI turns every one into output in one place.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

MAX_MESSAGE = 500

MAX_LISTED = 1_000
"""The most problems `lsc check` (and every command) collects from one data directory.

Why: a flood (200,000 ``- {}`` lines, 40,000 misspelt metrics) would otherwise give a
problem per line, tens of megabytes of output and gigabytes of memory; no one fixes more than
the first thousand before running the check again. Past the bound, one last problem says
how much more there is (`too_many`), so the count stays honest."""


@dataclass(frozen=True, order=True)
class Source:
    """Where a value came from: 1-based line and column in a file. ``column`` is None for a
    whole row of an import file (its message names the row's column or cell)."""

    path: str
    line: int = 1
    column: int | None = 1

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, with its position and the rule it breaks."""

    source: Source
    message: str
    rule: str
    level: str = "error"

    def __post_init__(self) -> None:
        # a value pasted into a file can be megabytes long; its message stays one short line.
        # A row of an import file keeps its message whole: it joins the row's cell problems,
        # each already short (user text in them is quoted short).
        if len(self.message) > MAX_MESSAGE and self.source.column is not None:
            head, tail = self.message[:300], self.message[-80:]
            left_out = len(self.message) - len(head) - len(tail)
            shortened = f"{head}...({left_out:,} characters left out)...{tail}"
            object.__setattr__(self, "message", shortened)

    def __str__(self) -> str:
        """``path:line:col: error: message (rule-id)``; a row of an import file (no column)
        is ``path:line: message``, as `lsc import` has always listed its rows."""
        if self.source.column is None:
            return f"{self.source}: {self.message}"
        return f"{self.source}: {self.level}: {self.message} ({self.rule})"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.source.path, self.source.line, self.source.column or 0, self.message)


IMPORT_ROW = "import-row"
"""The rule of a problem with a row of an import file (`row_problem`)."""


def row_problem(path: str, line: int, message: str) -> Problem:
    """Why the row of an import file starting at ``line`` cannot be recorded."""
    return Problem(Source(path, line, None), message, IMPORT_ROW)


MAX_PROBLEMS_BEFORE_ERROR = 20
"""The most problems of the data a command other than `lsc check` lists before its error
line: enough to act on; `lsc check` lists them all."""


class LscError(Exception):
    """Something the user must fix before the command can go on (exit 1).

    Carries its message and the problems behind it; the CLI prints `listed` problems, then
    ``error: message``, and exits with `exit_code`. Subclasses exist only where a caller (or
    the exit code) must tell them apart.
    """

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems)

    @property
    def listed(self) -> list[Problem]:
        """The problems to print before the message."""
        return self.problems


class UsageError(LscError):
    """An argument or option that cannot be used as given (exit 2)."""

    exit_code = 2


class NotFound(LscError):
    """An id named on the command line that the plan does not have (exit 1)."""


class DataError(LscError):
    """The data files have problems: carries every one, sorted; the first is the message
    unless one is given, and the first `MAX_PROBLEMS_BEFORE_ERROR` are listed."""

    def __init__(self, problems: Iterable[Problem], message: str | None = None) -> None:
        ordered = sorted(problems, key=Problem.sort_key)
        first = str(ordered[0]) if ordered else "invalid data"
        super().__init__(first if message is None else message, ordered)

    @property
    def listed(self) -> list[Problem]:
        return self.problems[:MAX_PROBLEMS_BEFORE_ERROR]


def too_many(where: Source, more: str) -> Problem:
    """The last problem listed once `MAX_LISTED` are: ``more`` says what is left unlisted."""
    message = f"{more}: fix the problems above first, then check again"
    return Problem(where, message, "too-many-problems")


_LONGEST_GUESSED = 100  # difflib is quadratic in the length: no one misspells a 5 MB id


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix for an unknown id, or '' when nothing is close.

    Cached per word and set of choices: a log repeats the same misspelt metric thousands of
    times, and each search compares the word with every choice."""
    if len(word) > _LONGEST_GUESSED:
        return ""
    return _suggestion(word, tuple(sorted(choices)))


@lru_cache(maxsize=4096)
def _suggestion(word: str, choices: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(text: str) -> str:
    """Text any UTF-8 consumer can read: a lone surrogate (how Python decodes a byte of a file
    name that is not UTF-8, e.g. ``--data $'bad\\xffdir'``) becomes U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _fingerprint(problem: Problem) -> str:
    """A stable id for a problem; "surrogatepass" hashes every str, a lone surrogate included."""
    return hashlib.sha256(str(problem).encode("utf-8", "surrogatepass")).hexdigest()


def format_problems(problems: list[Problem], fmt: str) -> str:
    """Render problems as ``text`` (path:line:col: error: message (rule-id)), ``json``, ``github``
    (Actions workflow commands) or ``gitlab`` (a Code Quality report).

    The machine-read formats (json, gitlab, github) are always valid UTF-8: a path that is not
    is shown with U+FFFD for its undecodable bytes. ``text`` keeps the path as it is, so that
    a terminal shows the real name (the CLI's streams never fail on it).
    """
    if fmt == "json":
        import json

        errors = [
            {
                "file": p.source.path,
                "line": p.source.line,
                "column": p.source.column,
                "message": p.message,
                "rule": p.rule,
                "level": p.level,
            }
            for p in problems
        ]
        report = json.dumps({"valid": not problems, "errors": errors}, indent=2, ensure_ascii=False)
        return _valid_unicode(report)
    if fmt == "gitlab":
        import json

        issues = [
            {
                "description": p.message,
                "check_name": p.rule,
                "fingerprint": _fingerprint(p),
                "severity": "major" if p.level == "error" else "minor",
                "location": {"path": p.source.path, "lines": {"begin": p.source.line}},
            }
            for p in problems
        ]
        return _valid_unicode(json.dumps(issues, indent=2, ensure_ascii=False))
    if fmt == "github":
        return _valid_unicode(
            "\n".join(
                f"::{p.level} file={_github_escape(p.source.path, prop=True)},line={p.source.line},"
                f"col={p.source.column},title={_github_escape(p.rule, prop=True)}::"
                f"{_github_escape(p.message)}"
                for p in problems
            )
        )
    return "\n".join(str(p) for p in problems)
