"""Shell completion of the plan's ids: metrics, places and priorities.

The CLI's METRIC arguments and ``--place`` and ``--priority`` options complete from the data
directory in effect: ``--data`` given after the command so far, else before it (or
``LSC_DATA``, else ``./data``). A completion reads only the one plan file it needs (never
the log), as plain YAML, and never raises: a missing or broken file completes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .files import MAX_PLAN_BYTES, read_regular


def data_dir_in_effect(ctx: Any) -> Path:
    """The data directory a command being completed would read: the one ``--data`` after
    the command set (`cli.Settings`, on the context), else the group's ``--data`` (with its
    LSC_DATA and ./data defaults)."""
    current = ctx
    while current is not None:
        found = getattr(current.obj, "data_dir", None)
        if found is not None:
            return Path(found)
        current = current.parent
    given = ctx.find_root().params.get("data")
    if given:
        return Path(given)
    return Path(os.environ.get("LSC_DATA") or "data")


def plan_ids(data_dir: Path, kind: str) -> list[tuple[str, str]]:
    """Each ``kind`` (metrics, places, priorities) in ``data_dir`` as (id, name), in file
    order; [] when the file is missing, too big, not YAML or not a plan file."""
    return [(item_id, _name(item)) for item_id, item in _items(data_dir, kind)]


def _name(item: dict[str, Any]) -> str:
    return " ".join(str(item.get("name") or item.get("title") or "").split())


def _items(data_dir: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """The plan file's items with an id, as read (plain values); [] for anything wrong.
    Read with the plan's own YAML parser (`yamlsource`), which builds no object a file
    could name."""
    try:
        # Imported here: `cli` imports this module, and `lsc --help` must not pay for the
        # plan's models (`plan` builds them) or the YAML parser.
        from .plan import PLAN_FILES
        from .yamlsource import parse_yaml  # the plan's own parser: no constructor runs

        raw = read_regular(data_dir / PLAN_FILES[kind], MAX_PLAN_BYTES).raw
        document = parse_yaml(raw.decode("utf-8", "replace"), PLAN_FILES[kind]).data
        items = document.get(kind) if isinstance(document, dict) else None
        return [
            (str(item["id"]), item)
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        ]
    except Exception:  # completion must never fail: a broken plan completes nothing
        return []


def _complete(ctx: Any, incomplete: str, kind: str, *, commas: bool = False) -> list[Any]:
    """The ids of ``kind`` starting with ``incomplete`` (after its last comma, for a list
    option), each with its name as the help a shell may show."""
    head, _, last = incomplete.rpartition(",") if commas else ("", "", incomplete)
    prefix = f"{head}," if head else ""
    return [
        (prefix + item_id, name)
        for item_id, name in plan_ids(data_dir_in_effect(ctx), kind)
        if item_id.startswith(last)
    ]


def complete_metric(ctx: Any, incomplete: str) -> list[Any]:
    """Completes a METRIC argument."""
    return _complete(ctx, incomplete, "metrics")


def complete_place(ctx: Any, incomplete: str) -> list[Any]:
    """Completes ``--place``: after the id of a metric tracked by place, its places only."""
    found = _complete(ctx, incomplete, "places")
    metrics = dict(_items(data_dir_in_effect(ctx), "metrics"))
    given = [getattr(ctx, "params", {}).get("metric"), *getattr(ctx, "args", [])]
    named = next(
        (metrics[word] for word in given if isinstance(word, str) and word in metrics), None
    )
    places = named.get("places") if named is not None else None
    if not isinstance(places, list) or not places:
        return found
    return [(place, name) for place, name in found if place in places]


def complete_priority(ctx: Any, incomplete: str) -> list[Any]:
    """Completes ``--priority`` (``P3,P`` completes the part after the last comma)."""
    return _complete(ctx, incomplete, "priorities", commas=True)
