"""Which filesystem a data directory is on, to warn when it is a network share.

The writers lock the log with ``fcntl.flock`` (`applog.lock`). On a local disk every
process of the machine honours that lock; on a network filesystem (NFS, SMB/CIFS, sshfs) a
lock taken on one machine may not be seen on another, so two people recording at once on a
shared drive could interleave their appends. We cannot make such a lock safe, so every write
to a data directory on one warns and points to git, which shares a plan without a shared
file (docs/collaboration.md).

On Linux the type comes from ``/proc/self/mountinfo`` (the mount whose mount point is the
longest prefix of the directory's real path; the last one mounted there wins). Elsewhere
(macOS) there is no such file, and no warning: see docs/collaboration.md.
"""

from __future__ import annotations

import os
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")
"""Where Linux lists the mounts this process sees (tests point it at a file of their own)."""

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "sshfs",
        "afs",
        "ncpfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "glusterfs",
        "fuse.glusterfs",
    }
)
"""Filesystem types (as mountinfo names them) whose locks other machines may not honour.
Left out: 9p (WSL 2's Windows drives, one machine) and cluster filesystems that implement
POSIX locks across nodes (ceph, gpfs, lustre)."""


def _unescape(field: str) -> str:
    r"""A mountinfo path: space, tab, newline and backslash are written \040, \011, \012, \134."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _mounts(mountinfo: str) -> list[tuple[str, str]]:
    """(mount point, filesystem type) for each line of ``mountinfo``, in mount order."""
    found = []
    for line in mountinfo.splitlines():
        before, separator, after = line.partition(" - ")
        fields, kinds = before.split(), after.split()
        if separator and len(fields) >= 5 and kinds:
            found.append((_unescape(fields[4]), kinds[0]))
    return found


def filesystem_type(path: Path | str, mountinfo: str) -> str | None:
    """The type of the filesystem holding ``path`` (already a real, absolute path), as
    ``mountinfo`` (the text of /proc/self/mountinfo) lists it; None when none matches."""
    target = str(path)
    best: tuple[int, str] | None = None
    for point, kind in _mounts(mountinfo):
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), kind)
    return None if best is None else best[1]


def network_filesystem(directory: Path | str) -> str | None:
    """The type of the network filesystem ``directory`` is on (``nfs4``, ``cifs``), or None
    for a local one, or when the type cannot be told (no mountinfo: not Linux)."""
    try:
        text = MOUNTINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    kind = filesystem_type(os.path.realpath(directory), text)
    return kind if kind in NETWORK_FILESYSTEMS else None


def shared_drive_warning(directory: Path | str) -> str | None:
    """The warning every write gives for a data directory on a network filesystem."""
    kind = network_filesystem(directory)
    if kind is None:
        return None
    return (
        f"the data directory is on {kind}: file locking may not be honoured across machines, "
        "so two people recording at once could lose or mix entries; share the plan through "
        "git instead (docs/collaboration.md)"
    )
