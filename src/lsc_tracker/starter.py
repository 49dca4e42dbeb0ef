"""`lsc init`: scaffold a new, empty plan that passes `lsc check`, with commented examples."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .loader import FILE_NAMES
from .problems import LscError
from .schema import write_schemas


def init_plan(directory: Path) -> list[Path]:
    """Write the four starter data files and their JSON Schemas into ``directory``.

    Refuses (raising LscError, writing nothing) when any of those files already exists, so an
    existing plan is never overwritten.
    """
    targets = [directory / name for name in FILE_NAMES]
    existing = [path for path in targets if path.exists()]
    if existing:
        names = ", ".join(str(path) for path in existing)
        raise LscError(f"refusing to overwrite existing files: {names}")
    if directory.exists() and not directory.is_dir():
        raise LscError(f"{directory} exists and is not a directory")
    starter = resources.files("lsc_tracker") / "starter_files"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for path in targets:
            text = (starter / path.name).read_text(encoding="utf-8")
            with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
                handle.write(text)
            written.append(path)
        written.extend(write_schemas(directory / "schemas"))
    except FileExistsError as error:
        raise LscError(f"refusing to overwrite {error.filename}") from None
    except OSError as error:
        raise LscError(f"cannot write {error.filename or directory}: {error.strerror}") from None
    return written
