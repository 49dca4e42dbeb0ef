"""Entry point for ``lsc`` and ``python -m lsc_tracker``.

``lsc --version`` is answered here without importing the CLI framework, so that the
cheapest question stays instant; everything else goes to `cli`.
"""

from __future__ import annotations

import codecs
import gc
import os
import sys


def never_fail_to_print() -> None:
    """Make stdout and stderr write any text rather than raise UnicodeEncodeError.

    A stream in another encoding than UTF-8 (``PYTHONIOENCODING=cp1252``, a legacy locale)
    keeps the user's encoding, but a character it cannot hold (the report's ``↳``, a name in
    another script) is written as ``?``. A strict UTF-8 stream would still fail on a file name
    that is not valid UTF-8 (Python decodes its bad bytes as lone surrogates): it writes them
    escaped, as ``\\udcff``. Other error handlers (``surrogateescape`` in the C locale) stay.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = getattr(stream, "encoding", None)
        if reconfigure is None or not encoding:
            continue
        try:
            utf8 = codecs.lookup(encoding).name == "utf-8"
        except LookupError:
            utf8 = False
        if not utf8:
            reconfigure(errors="replace")
        elif stream.errors == "strict":
            reconfigure(errors="backslashreplace")


def main() -> None:
    never_fail_to_print()
    # One run builds up to millions of small acyclic objects (log entries): the cyclic
    # garbage collector, run every 700 allocations by default, would only rescan them (15%
    # of `status` at 100k actuals, docs/performance.md). Run it every million instead: as
    # fast as turning it off, while what does make cycles (a chart's matplotlib figure, in
    # `lsc report`) is still collected. Only the command line does this, not the library.
    gc.set_threshold(1_000_000, 50, 1000)
    # pydantic looks for third-party plugins through every installed distribution's entry
    # points at start-up (tens of milliseconds); this CLI uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if sys.argv[1:] == ["--version"]:
        from . import __version__

        print(f"lsc {__version__}")
        return
    from .cli import run

    run()


if __name__ == "__main__":
    main()
