"""The log's line format: one entry per line, ``- {...}`` holding a JSON object.

Still YAML, one line per entry for clean diffs and merges, and read back by the fast path of
`applog.parse`. Any text is kept exactly: characters YAML would read differently are escaped.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

from ..problems import LscError

# Characters a YAML double-quoted scalar cannot hold raw, or would read as a line break:
# C0 controls (json.dumps already escapes these), DEL and C1 controls (NEL U+0085 among
# them), the BOM, U+2028/U+2029 and the non-characters U+FFFE/U+FFFF.
_YAML_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ufeff\u2028\u2029\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_for_yaml(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _text(value: str) -> str:
    if _SURROGATE.search(value):
        raise LscError(f"{value!r} is not valid UTF-8 text (it holds a lone surrogate)")
    return _YAML_UNSAFE.sub(_escape_for_yaml, json.dumps(value, ensure_ascii=False))


def number_text(value: float) -> str:
    """A number both JSON and YAML (1.1 and 1.2) read back exactly: 42, -3.5, 1.0e-05."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    text = repr(value)
    mantissa, exponent_mark, exponent = text.partition("e")
    if exponent_mark and "." not in mantissa:  # YAML 1.1 needs the dot to see a float
        text = f"{mantissa}.0e{exponent}"
    return text


def _scalar(value: str | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int):
        return str(value)
    return number_text(value)


def format_line(fields: Mapping[str, str | float | bool]) -> str:
    """One log line holding ``fields`` in their order: ``- {"key": value, ...}``.

    Valid JSON after the ``- `` and valid YAML, with any text kept exactly.
    """
    return "- {" + ", ".join(f"{_text(key)}: {_scalar(v)}" for key, v in fields.items()) + "}"
