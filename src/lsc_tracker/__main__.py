"""Entry point for ``lsc`` and ``python -m lsc_tracker``.

``lsc --version`` is answered here without importing the CLI framework, so that the
cheapest question stays instant; everything else goes to `cli`.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
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
