"""As known on a date (issue 18, part 1): which log entries were known by a moment.

Pure: the moment ``--as-known`` names (`parse_known_time`), which entries count by then
(`known_by`), and the summary every view shows (`AsKnown`). No I/O, no clock: the git side
(the plan at a commit, each log line's commit time) is `provenance`, which builds the inputs.

An entry dated after the moment's date was not known then. Otherwise it was known when its
``recorded`` time (written by ``lsc record``, ``import`` and ``update``, UTC) is before the
moment's end; an entry without ``recorded`` (a line written by hand) is known when its
line's time is, the author time of the commit that added the line (``git blame``); with
neither (outside git), it counts and is counted as an entry without a known time. The rules
are in docs/status-rules.md, "As known on a date".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypeVar

_KNOWN_TIME = re.compile(
    r"(?P<day>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?",
    re.ASCII,
)


@dataclass(frozen=True)
class KnownTime:
    """The moment ``--as-known`` names: what was known before ``end`` (UTC, exclusive).

    A date is the whole day in UTC (``2025-04-10``: up to 23:59:59 UTC); a time is the
    whole minute (or second) it names, in UTC unless it carries an offset."""

    given: str  # as typed
    start: datetime  # the moment's first instant, UTC (a date's midnight)
    end: datetime  # its end, exclusive, UTC
    day: date  # the date as typed: --as-of's default

    @property
    def last(self) -> datetime:
        """The last whole second that counts (what JSON and the report print)."""
        return self.end - timedelta(seconds=1)

    def text(self) -> str:
        """The moment as the views write it: ``2025-04-10 23:59:59 UTC``."""
        return self.last.strftime("%Y-%m-%d %H:%M:%S UTC")


def parse_known_time(text: str) -> KnownTime:
    """``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS]``, with an optional ``Z`` or ``+HH:MM`` offset.

    Raises:
        ValueError: anything else, with what to give instead.
    """
    given = text.strip()
    match = _KNOWN_TIME.fullmatch(given)
    wanted = "give YYYY-MM-DD (the end of that day, UTC) or YYYY-MM-DDTHH:MM (UTC, or with +HH:MM)"
    if match is None:
        raise ValueError(f"{text!r} is not a date or time: {wanted}")
    try:
        day = date.fromisoformat(match["day"])
        if match["hour"] is None:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return KnownTime(given, start, start + timedelta(days=1), day)
        zone = match["zone"] or "Z"
        moment = datetime.fromisoformat(
            f"{match['day']}T{match['hour']}:{match['minute']}:{match['second'] or '00'}"
            f"{'+00:00' if zone == 'Z' else zone}"
        )
        step = timedelta(seconds=1) if match["second"] else timedelta(minutes=1)
        start = moment.astimezone(UTC)
        return KnownTime(given, start, start + step, day)
    except (ValueError, OverflowError) as error:  # 9999-12-31 has no end within datetime
        raise ValueError(f"{text!r} is not a date or time ({error}): {wanted}") from None


class Recorded(Protocol):
    """An entry of either log: what `known_by` reads of it."""

    @property
    def metric(self) -> str: ...

    @property
    def date(self) -> date: ...

    @property
    def recorded(self) -> datetime | None: ...


E = TypeVar("E", bound=Recorded)
T = TypeVar("T")


@dataclass(frozen=True)
class Known:
    """What `known_by` kept of one log, and what it left out."""

    kept: list[int]  # indices of the entries known by the moment, in log order
    left_out: Counter[str]  # entries left out as not yet known, by metric
    without_time: int  # entries counted with no known time (no recorded, no line time)


def known_by(
    entries: Sequence[E], line_times: Sequence[datetime | None], moment: KnownTime
) -> Known:
    """Which of a log's entries were known at ``moment``.

    An entry dated after the moment's date was not known then, whatever its times say (a
    figure or an update is recorded once its date has come: `lsc record` refuses a future
    date). Otherwise it was known when its ``recorded`` time, else its line's time, is
    before the moment's end; with neither, it counts, and is counted as without a time.

    Args:
        entries: the log's entries, in log order.
        line_times: for each entry, the time its line was committed (UTC), or None when
            unknown (outside git).
        moment: the moment (`parse_known_time`).

    Returns:
        The indices of the entries known by then, and counts of those left out (by metric)
        and of those counted without a known time.
    """
    kept: list[int] = []
    left_out: Counter[str] = Counter()
    without_time = 0
    for index, (entry, line_time) in enumerate(zip(entries, line_times, strict=True)):
        when = entry.recorded or line_time
        if entry.date > moment.day:
            left_out[entry.metric] += 1
        elif when is None:
            without_time += 1
            kept.append(index)
        elif _utc(when) < moment.end:
            kept.append(index)
        else:
            left_out[entry.metric] += 1
    return Known(kept, left_out, without_time)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def keep(items: Sequence[T], indices: Sequence[int]) -> list[T]:
    """The items at ``indices`` (a `Known.kept`), in order."""
    return [items[index] for index in indices]


@dataclass(frozen=True)
class AsKnown:
    """The summary of an as-known view, carried by the plan into every result and view."""

    time: KnownTime
    commit: str | None  # the commit the plan files were read at; None outside git
    commit_time: datetime | None  # its author time (UTC)
    entries_without_time: int  # entries counted with no known time (outside git)
    left_out: Mapping[str, int] = field(default_factory=dict)  # actuals left out, by metric
    actuals_left_out: int = 0
    updates_left_out: int = 0

    @property
    def short_commit(self) -> str | None:
        return self.commit[:7] if self.commit else None

    def as_dict(self) -> dict[str, object]:
        """As status JSON's ``as_known`` holds it."""
        return {
            "time": self.time.last.isoformat().replace("+00:00", "Z"),
            "commit": self.commit,
            "commit_time": (
                self.commit_time.isoformat().replace("+00:00", "Z") if self.commit_time else None
            ),
            "entries_without_time": self.entries_without_time,
            "actuals_left_out": self.actuals_left_out,
            "updates_left_out": self.updates_left_out,
        }
