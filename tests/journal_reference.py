"""A reference the journal tests hold the package to, kept here because nothing in the
package needs it: the log as readers count it, computed from bytes alone."""

from __future__ import annotations

from lsc_tracker.applog.journal import read_note, reader_of_bytes, unfinished_offset
from lsc_tracker.files import Identity


def committed(raw: bytes, journal: bytes, identity: Identity, birth: int = 0) -> bytes:
    """The log without the part of an append whose writer was stopped mid-write (see
    `PendingAppend`); anything else is kept as it is. ``birth``: the log's birth time, 0 if
    not known (then it is not compared)."""
    note = read_note(reader_of_bytes(journal), len(journal))
    offset = unfinished_offset(note, len(raw), identity, reader_of_bytes(raw), lambda: birth)
    return raw if offset is None else raw[:offset]
