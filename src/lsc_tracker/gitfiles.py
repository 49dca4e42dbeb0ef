"""Reading a plan's past from git: the one place lsc runs git.

`lsc check --base REV` (`governance`) compares the plan with a revision, and `--as-known`
(`provenance`) reads the plan files as they were at a commit and blames the logs. Both run
git the same way (no prompt, the C locale, a timeout) and read a file at a commit the same
way (its size first, so a huge blob is never read; UTF-8 text only).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .files import MAX_PLAN_BYTES
from .problems import UsageError


def run_git(
    cwd: Path, *args: str, option: str, timeout: float = 60
) -> subprocess.CompletedProcess[bytes] | None:
    """Run ``git ARGS`` in ``cwd``; None when git is not installed.

    Raises:
        UsageError: git did not answer within ``timeout`` seconds, or could not be run
            (the message starts with ``option``, the command-line option that needed git).
    """
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=timeout, env=env, check=False
        )
    except FileNotFoundError:
        return None
    except subprocess.TimeoutExpired:
        raise UsageError(f"{option}: git did not answer within {timeout:g} s") from None
    except OSError as error:
        raise UsageError(f"{option}: cannot run git: {error.strerror or error}") from None


def git_message(done: subprocess.CompletedProcess[bytes] | None) -> str:
    """git's stderr on one line ('' when it said nothing, or did not run)."""
    if done is None:
        return ""
    return done.stderr.decode("utf-8", "replace").strip().replace("\n", "; ")


def prefix_in_repository(cwd: Path, *, option: str) -> str | None:
    """The path of ``cwd`` inside its git work tree ('' at the root, else ending in '/'),
    or None when ``cwd`` is not in one (or git is not installed)."""
    done = run_git(cwd, "rev-parse", "--show-prefix", option=option)
    if done is None or done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogateescape").strip()


class NotReadable(Exception):
    """A file at a commit that cannot be read as a plan file; ``str()`` says why in a few
    words ("not in the commit", "too large", "not UTF-8 text")."""


def text_at(cwd: Path, spec: str, *, option: str, timeout: float = 60) -> str:
    """The text of ``spec`` (``COMMIT:path``, the path from the work tree's root).

    Raises:
        NotReadable: the path is not in that commit, is larger than a plan file may be
            (`files.MAX_PLAN_BYTES`), or is not UTF-8 text.
        UsageError: git could not be run, or ``git show`` failed on a blob that exists.
    """
    size = run_git(cwd, "cat-file", "-s", spec, option=option, timeout=timeout)
    if size is None or size.returncode != 0:
        raise NotReadable("not in the commit")
    if int(size.stdout or b"0") > MAX_PLAN_BYTES:
        raise NotReadable("too large")
    done = run_git(cwd, "show", "--no-textconv", spec, option=option, timeout=timeout)
    if done is None or done.returncode != 0:
        raise UsageError(f"{option}: git show {spec} failed: {git_message(done) or 'no reason'}")
    try:
        return done.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotReadable("not UTF-8 text") from None
