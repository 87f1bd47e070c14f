"""What the last run learnt of each file, vouched for by the file's stat: a warm run need not read it.

The findings cache is keyed by content, so it survives `git checkout` and copied trees; but proving
a file unchanged by its content means reading and hashing every file of the tree on every run,
~0.1 s of a ~0.3 s warm check of a 2,000-file project after one edit (bench/figures.py, figure 3).
Like Ruff's cache and git's index, this table sits in front of the content keys: a file whose
device, inode, size, modification and change times are those recorded when it was last read is
taken to hold the same bytes, so its content digest and prefilter verdict are reused without a
read. Any other stat, or none recorded, and the file is read and hashed as before; the table is
only a shortcut to the content key, never a key of its own.

A file is recorded only when both its times are at least `RACY_NS` older than the stat: a file
written again within its timestamp's granularity (up to 2 s on FAT, a few ms on ext4) after it
was read could keep the recorded stat with other bytes; git calls this the racy-clean problem and
answers it the same way. The change time cannot be set back by a user (`touch -d`, `os.utime`
move the modification time only), so an edit that restores the old mtime is still seen.

The table is one signed file in the cache directory, like the findings cache (cache.py): a pull
request cannot commit a table that calls a file with findings one that cannot match.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Mapping, Optional, Tuple

from offramp.cache import MarshalCache, content_hash

#: A file modified this recently (nanoseconds) when it is read is not recorded (see the module docstring).
RACY_NS = 2_000_000_000

MISS, PASS = 0, 1  # the prefilter's verdict on the bytes: cannot match / must be checked

# (device, inode, size, mtime_ns, ctime_ns)
Stamp = Tuple[int, int, int, int, int]


def stamp(st: os.stat_result) -> Stamp:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def digest_of(
    display: str, known: Optional[Mapping[str, str]], read: Callable[[str], Optional[bytes]]
) -> Optional[str]:
    """The content digest of a file of the run (None when unreadable): the one the stat table vouched for
    (`known`, runner._triage), else of its bytes."""
    got = known.get(display) if known is not None else None
    if got is None:
        data = read(display)
        got = content_hash(data) if data is not None else None
    return got


class StatTable(MarshalCache):
    """display path -> (content digest, (stamp, verdict)), in `stats-<key>.bin` beside the findings cache. Paths,
    hex digests and numbers: nothing here is a secret to mask."""

    _CONTEXT = "offramp stat table"

    def __init__(self, directory: Path, key: str) -> None:
        super().__init__(directory, key)
        self.file = directory / f"stats-{key}.bin"
        self.now = time.time_ns()

    def known(self, display: str, path: str) -> Optional[Tuple[str, int]]:
        """(content digest, verdict) of `path` when its stat is the one recorded, else None (read it)."""
        entry = self.entries.get(display)
        if entry is None:
            return None
        try:
            recorded, verdict = entry[1]
            if tuple(recorded) == stamp(os.stat(path)) and isinstance(entry[0], str) and verdict in (MISS, PASS):
                return entry[0], verdict
        except (OSError, TypeError, ValueError):
            pass
        return None

    def record(self, display: str, st: os.stat_result, digest: str, verdict: int) -> None:
        """Remember what bytes read under stat `st` were, unless the file may still be changing."""
        if self.now - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
            return
        entry = (digest, (stamp(st), verdict))
        if self.entries.get(display) != entry:
            self.entries[display] = entry
            self.dirty = True
