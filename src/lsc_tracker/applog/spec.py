"""The names of an append-only log and of the side files kept beside it, defined once.

Everything else (the lock, the journal, the writer, ``lsc init``'s .gitignore, the check that
a report does not overwrite them) takes the names from a `LogSpec`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LogSpec:
    """An append-only log: its file name, and the header a new log starts with.

    The side files are named after the log (for ``actuals.yaml``):

    * ``.actuals.yaml.lock``: flock'ed by writers and readers, and holding the journal of an
      append under way (`applog.journal.PendingAppend`);
    * ``.actuals.yaml.XXXX.tmp``: a rewrite's temporary file, renamed over the log;
    * ``.actuals.yaml.rolled-back-YYYYMMDDTHHMMSSZ``: bytes a writer took back.
    """

    file: str
    header: str = ""

    @property
    def side_prefix(self) -> str:
        """What the name of every side file starts with: a dot, then the log's name."""
        return f".{self.file}"

    @property
    def lock(self) -> str:
        """The lock file (and journal), beside the real log."""
        return f"{self.side_prefix}.lock"

    @property
    def temp_prefix(self) -> str:
        """A rewrite's temporary file: this, a random part, then `TEMP_SUFFIX`."""
        return f"{self.side_prefix}."

    @property
    def temp_pattern(self) -> str:
        """A glob for temporary files a killed rewrite left behind."""
        return f"{self.temp_prefix}*{TEMP_SUFFIX}"

    @property
    def rolled_back_prefix(self) -> str:
        """Bytes a writer took back: this, then a UTC time."""
        return f"{self.side_prefix}.rolled-back-"

    @property
    def side_file_patterns(self) -> list[str]:
        """Every side file, as .gitignore patterns: none belongs in the plan's history."""
        return [self.lock, self.temp_pattern, f"{self.rolled_back_prefix}*"]


TEMP_SUFFIX = ".tmp"
