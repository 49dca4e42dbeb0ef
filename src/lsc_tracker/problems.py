"""Problems in user data are values, not exceptions.

Every problem carries the file, line and column it came from, so that a terminal, an
editor or CI can jump straight to it (``path:line:col: error: message``).
Exceptions are kept for bad arguments and I/O the user must fix (`LscError`).
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
    """Where a value came from: 1-based line and column in a file."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, with its position and the rule it breaks."""

    source: Source
    message: str
    rule: str
    level: str = "error"

    def __post_init__(self) -> None:
        # a value pasted into a file can be megabytes long; its message stays one short line
        if len(self.message) > MAX_MESSAGE:
            head, tail = self.message[:300], self.message[-80:]
            left_out = len(self.message) - len(head) - len(tail)
            shortened = f"{head}...({left_out:,} characters left out)...{tail}"
            object.__setattr__(self, "message", shortened)

    def __str__(self) -> str:
        return f"{self.source}: {self.level}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.source.path, self.source.line, self.source.column, self.message)


class LscError(Exception):
    """A problem the user must fix before the command can run (bad argument, unreadable file)."""


class DataError(LscError):
    """The data files have problems; carries them so the caller can list every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        first = self.problems[0] if self.problems else None
        super().__init__(str(first) if first else "invalid data")


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
    """Render problems as ``text`` (path:line:col: error: message), ``json``, ``github``
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
