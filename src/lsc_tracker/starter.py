"""`lsc init`: scaffold a new, empty plan that passes `lsc check`, with commented examples."""

from __future__ import annotations

import contextlib
from importlib import resources
from pathlib import Path

from .plan import ACTUALS, FILE_NAMES, GITATTRIBUTES, GITIGNORE, LOGS, UPDATES
from .problems import LscError
from .schema import SCHEMA_MODELS, schema_text

SCHEMA_DIR = "schemas"
# The side files `lsc record` and `lsc import` keep beside actuals.yaml, and `lsc update`
# beside updates.yaml (see `applog.spec`):
# the writers' lock and journal, a rewrite's temporary file, and bytes kept from a
# rolled-back append. None of them belongs in the plan's history.
_GITIGNORE_COMMENT = (
    f"# Side files lsc-tracker keeps beside {ACTUALS.file} (and the other logs) while recording: "
    "not part of the plan."
)
GITIGNORE_TEXT = "".join(
    f"{line}\n"
    for line in [_GITIGNORE_COMMENT, *(p for log in LOGS for p in log.side_file_patterns)]
)


# Git's union merge keeps the lines of both sides of a merge: the logs are one entry per line
# and append-only, so two clones that each recorded entries merge without a conflict (a
# key recorded in both is then a duplicate `lsc check` reports, with the command that
# settles it).
GITATTRIBUTES_TEXT = "".join(
    f"{line}\n"
    for line in [
        "# The append-only logs merge by keeping the entries of both sides (git's union merge);",
        "# lsc check then reports any metric, place and date recorded on both "
        "(docs/collaboration.md).",
        *(f"{log.file} merge=union" for log in LOGS),
    ]
)


DEMO_AS_OF = "2024-03-31"
"""The synthetic demo's last month: read it as of this date (its figures run monthly from
April 2021 to March 2024, fixed dates, so every run shows the same)."""


def planned_files(directory: Path, *, demo: bool = False) -> dict[Path, str]:
    """Every file `init_plan` writes into ``directory``, with its text, in writing order.
    ``demo``: the synthetic demo plan (``lsc init --demo``: `examples/demo`'s files, shipped
    in the package as ``demo_files``) instead of the empty starter files."""
    starter = resources.files("lsc_tracker") / ("demo_files" if demo else "starter_files")
    files = {
        directory / name: (starter / name).read_text(encoding="utf-8")
        for name in (*FILE_NAMES, UPDATES.file)
    }
    files[directory / GITIGNORE] = GITIGNORE_TEXT
    files[directory / GITATTRIBUTES] = GITATTRIBUTES_TEXT
    for name in SCHEMA_MODELS:
        files[directory / SCHEMA_DIR / f"{name}.schema.json"] = schema_text(name)
    return files


def _refusal(directory: Path, files: dict[Path, str]) -> str | None:
    """Why ``init_plan`` must write nothing, or None when every path is free."""
    for folder in (directory, directory / SCHEMA_DIR):
        if folder.exists() and not folder.is_dir():
            return f"{folder} exists and is not a directory; nothing was written"
    existing = [path for path in files if path.exists() or path.is_symlink()]
    if existing:
        names = ", ".join(str(path) for path in existing)
        return f"refusing to overwrite existing files: {names}; nothing was written"
    return None


def init_plan(directory: Path, *, demo: bool = False) -> list[Path]:
    """Write the starter plan, its two empty logs, a .gitignore, a .gitattributes (the logs
    merge as a union) and JSON Schemas to ``directory``.

    Every path is checked before anything is written: when any of those files already exists,
    or ``directory`` or its ``schemas`` is a file, it raises LscError and writes nothing, so
    an existing plan is never overwritten or half-replaced. Should a write fail part-way (a
    full disk, a file created meanwhile), what this call wrote is removed again. ``demo``
    writes the synthetic demo plan, with its figures and owner updates, instead.
    """
    files = planned_files(directory, demo=True) if demo else planned_files(directory)
    refusal = _refusal(directory, files)
    if refusal:
        raise LscError(refusal)
    made: list[Path] = []  # directories this call created, outermost first
    written: list[Path] = []
    try:
        for folder in (directory, directory / SCHEMA_DIR):
            missing = [folder, *folder.parents]
            missing = [p for p in reversed(missing) if not p.exists()]
            folder.mkdir(parents=True, exist_ok=True)
            made.extend(missing)
        for path, text in files.items():
            with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
                written.append(path)
                handle.write(text)
    except FileExistsError as error:
        _undo(written, made)
        raise LscError(f"refusing to overwrite {error.filename}; nothing was written") from None
    except OSError as error:
        _undo(written, made)
        where = error.filename or directory
        raise LscError(f"cannot write {where}: {error.strerror}; nothing was written") from None
    return written


def _undo(written: list[Path], made: list[Path]) -> None:
    """Remove the files and then the (now empty) directories a failed `init_plan` created."""
    for path in reversed(written):
        with contextlib.suppress(OSError):
            path.unlink()
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()
