"""The data directory as known on a past moment (``--as-known``, issue 18 part 1): the git side.

`load_as_known` loads the plan as it could have been loaded then:

* the plan files (priorities, places, metrics) as they were at the last commit on or before
  the moment (``git show COMMIT:path``), so revisions decided later and edits not committed
  do not leak back;
* the two logs as they are now, keeping only the entries known by then (`asknown.known_by`):
  an entry's ``recorded`` time when it has one, else the author time of the commit that
  added its line (``git blame --porcelain`` of the file as it is, once per log and only when
  some entry has no ``recorded``; a line not committed yet is known from now on).

Time is git's author time throughout, for the commit the plan is read at as for a log line,
so that a plan file and a log line added by the same commit agree. Outside git (no ``git``
on PATH, or the data directory in no repository), the plan files are read as they are and
only ``recorded`` can leave an entry out; entries without it count, and are counted.

The one module that runs git for this; it raises `UsageError` (exit 2) for a moment in the
future or before the repository's first commit, a plan not committed by then, a shallow
clone, or git failing to answer.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .applog.parse import LogDocument
from .asknown import AsKnown, E, Known, KnownTime, keep, known_by
from .gitfiles import NotReadable, git_message, prefix_in_repository, run_git, text_at
from .plan import ACTUALS, PLAN_FILES, UPDATES, Plan
from .problems import Problem, UsageError

GIT_TIMEOUT = 300  # a blame of a long log with a long history takes seconds, not minutes

_ZERO = re.compile(rb"0+")
# --porcelain: each line's header is "SHA ORIGINAL-LINE FINAL-LINE[ COUNT]"; the first time a
# commit appears, its "author-time SECONDS" follows. Content lines start with a tab, so
# neither pattern can match inside them.
_BLAME = re.compile(rb"^(?:([0-9a-f]{40,64}) \d+ (\d+)|author-time (\d+))", re.MULTILINE)


@dataclass(frozen=True)
class Repository:
    """Where the data directory sits in git: the directory to run git in (the data
    directory itself) and the data directory's path from the work tree's root."""

    cwd: Path
    prefix: str


def _git(repo_cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run ``git ARGS`` in ``repo_cwd``; None when git cannot be run (not installed)."""
    return run_git(repo_cwd, *args, option="--as-known", timeout=GIT_TIMEOUT)


def repository(data_dir: Path) -> Repository | None:
    """The git work tree holding ``data_dir``; None outside git (or without git)."""
    if not data_dir.is_dir():
        return None
    cwd = data_dir.resolve()
    prefix = prefix_in_repository(cwd, option="--as-known")
    return None if prefix is None else Repository(cwd, prefix)


def refuse_shallow(repo: Repository, when: KnownTime) -> None:
    """A shallow clone (CI's usual fetch-depth 1) has lost the history before its cut: its
    oldest commit would take every older line's time and the plan's past, so it is refused.

    Raises:
        UsageError: the repository is shallow.
    """
    done = _git(repo.cwd, "rev-parse", "--is-shallow-repository")
    if done is not None and done.stdout.strip() == b"true":
        raise UsageError(
            f"--as-known {when.given}: the repository of {repo.cwd} is a shallow clone, without "
            "the history --as-known reads: fetch it with 'git fetch --unshallow' (in CI, check "
            "out with fetch-depth: 0)"
        )


def commit_at(repo: Repository, when: KnownTime) -> tuple[str, datetime]:
    """The last commit on or before the moment, and its author time: walking HEAD's
    first-parent history back, the first commit authored before ``when.end``.

    Raises:
        UsageError: no commit yet, or the moment is before the first one.
    """
    done = _git(repo.cwd, "log", "--first-parent", "--format=%H %at", "HEAD", "--")
    if done is None or done.returncode != 0:
        raise UsageError(
            f"--as-known {when.given}: the repository of {repo.cwd} has no commit yet: "
            "commit the plan first (or leave --as-known out)"
        )
    end = when.end.timestamp()
    first: datetime | None = None
    for line in done.stdout.splitlines():
        sha, _, seconds = line.decode("ascii", "replace").partition(" ")
        authored = datetime.fromtimestamp(int(seconds), UTC)
        if authored.timestamp() < end:
            return sha, authored
        first = authored
    since = f" ({first:%Y-%m-%d %H:%M:%S} UTC)" if first else ""
    raise UsageError(
        f"--as-known {when.given} ({when.text()}) is before the repository's first commit"
        f"{since}: nothing was known then; give a later date"
    )


def plan_texts(repo: Repository, commit: str, when: KnownTime) -> dict[str, str]:
    """Each plan file's text at ``commit``.

    Raises:
        UsageError: a plan file that did not exist there (or is not text).
    """
    texts: dict[str, str] = {}
    for kind, name in PLAN_FILES.items():
        spec = f"{commit}:{repo.prefix}{name}"
        shown = f"{repo.prefix}{name}"
        try:
            texts[kind] = text_at(repo.cwd, spec, option="--as-known", timeout=GIT_TIMEOUT)
        except NotReadable as why:
            if str(why) == "not in the commit":
                raise UsageError(
                    f"--as-known {when.given}: {shown} is not in commit {commit[:7]}, the last "
                    "one by then: the plan was not committed yet (commit it, or give a later "
                    "date)"
                ) from None
            raise UsageError(f"--as-known {when.given}: {shown} at {commit[:7]} is {why}") from None
    return texts


def line_times(repo: Repository, name: str, now: datetime) -> list[datetime]:
    """The author time of each line of the log file ``name`` as it is now (index 0: line 1),
    from one ``git blame --porcelain``; a line not committed yet (or a file git does not
    track) has the time ``now``.

    Raises:
        UsageError: git blame failed on a file git tracks (so the times are unknown).
    """
    done = _git(repo.cwd, "blame", "--porcelain", "--", name)
    if done is None or done.returncode != 0:
        tracked = _git(repo.cwd, "ls-files", "--error-unmatch", "--", name)
        if tracked is None or tracked.returncode != 0:
            return []  # not tracked (not committed yet): every line is new
        reason = git_message(done)
        raise UsageError(f"--as-known: git blame {name} failed: {reason or 'no reason given'}")
    zero_shas: set[bytes] = set()
    seconds: dict[bytes, int] = {}
    final: dict[int, bytes] = {}
    sha = b""
    for match in _BLAME.finditer(done.stdout):
        if match.group(1) is not None:
            sha = match.group(1)
            final[int(match.group(2))] = sha
            if _ZERO.fullmatch(sha):
                zero_shas.add(sha)
        else:
            seconds[sha] = int(match.group(3))
    times: list[datetime] = [now] * (max(final, default=0))
    by_sha = {
        sha: now if sha in zero_shas else datetime.fromtimestamp(value, UTC)
        for sha, value in seconds.items()
    }
    for line, line_sha in final.items():
        times[line - 1] = by_sha.get(line_sha, now)
    return times


def entry_times(
    doc: LogDocument | None, positions: list[int], times: list[datetime], now: datetime
) -> list[datetime]:
    """Each entry's time: the latest of its lines' (from the line it starts on to the line
    before the next entry, comments and blank lines aside), for the entries at ``positions``
    (their index in the file's list)."""
    if doc is None:
        return [now] * len(positions)
    total = len(doc.data) if isinstance(doc.data, list) else 0

    def line_time(number: int) -> datetime:
        return times[number - 1] if 0 < number <= len(times) else now

    found: list[datetime] = []
    for position in positions:
        start = doc.entry_line(position)
        end = doc.entry_line(position + 1) if position + 1 < total else len(doc.lines) + 1
        spanned = [
            line_time(number)
            for number in range(start, max(end, start + 1))
            if number == start or not _blank_or_comment(doc.lines[number - 1])
        ]
        found.append(max(spanned))
    return found


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def load_as_known(data_dir: Path, when: KnownTime, *, now: datetime) -> tuple[Plan, list[Problem]]:
    """Load ``data_dir`` as known at ``when`` (see the module's docstring): the plan, with
    `Plan.as_known` saying what was left out, and every problem (as `loader.load`).

    Args:
        data_dir: the data directory.
        when: the moment (`asknown.parse_known_time`).
        now: the current time (UTC): a log line not committed yet is known from then on.

    Raises:
        UsageError: a moment after ``now`` or before the first commit, or git failing.
    """
    from .loader import load

    if when.start > now:
        raise UsageError(
            f"--as-known {when.given} is in the future: give a moment up to now "
            "(leave --as-known out for the plan as known now)"
        )
    repo = repository(data_dir)
    commit: tuple[str, datetime] | None = None
    texts: dict[str, str] | None = None
    if repo is not None:
        refuse_shallow(repo, when)
        commit = commit_at(repo, when)
        texts = plan_texts(repo, commit[0], when)

    def leave_out_unknown(plan: Plan) -> None:
        actuals = known_in(plan, "actuals", ACTUALS.file, plan.actuals, plan.actual_positions)
        updates = known_in(plan, "updates", UPDATES.file, plan.updates, plan.update_positions)
        positions = plan.actual_positions or list(range(len(plan.actuals)))
        plan.actuals = keep(plan.actuals, actuals.kept)
        plan.actual_positions = keep(positions, actuals.kept)
        plan.update_positions = keep(plan.update_positions, updates.kept)
        plan.updates = keep(plan.updates, updates.kept)
        plan.as_known = AsKnown(
            time=when,
            commit=commit[0] if commit else None,
            commit_time=commit[1] if commit else None,
            entries_without_time=actuals.without_time + updates.without_time,
            left_out=dict(actuals.left_out),
            actuals_left_out=sum(actuals.left_out.values()),
            updates_left_out=sum(updates.left_out.values()),
        )

    def known_in(
        plan: Plan, kind: str, name: str, entries: Sequence[E], positions: list[int] | None
    ) -> Known:
        """One log's entries known by then: by ``recorded`` alone outside git, or when every
        entry has one (no blame needed); else with each line's commit time."""
        if repo is None or all(entry.recorded is not None for entry in entries):
            return known_by(entries, [None] * len(entries), when)
        doc = plan.documents.get(kind)
        times = line_times(repo, name, now)
        indices = positions or list(range(len(entries)))
        log = doc if isinstance(doc, LogDocument) else None
        return known_by(entries, entry_times(log, indices, times, now), when)

    return load(data_dir, today=when.day, plan_texts=texts, before_checks=leave_out_unknown)
