"""The routes of a set of files on disk: the project stage run from paths (route gate, `verify`)."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Mapping, Optional

from offramp.prefilter import may_match
from offramp.project.index import watch_from_rules
from offramp.project.lastroutes import PROGRAMS
from offramp.project.reach import project_routes
from offramp.project.tree import Project
from offramp.source import SourceError, read_bytes


def routes_of_files(by_display: Mapping[str, Path], root: Path) -> list:
    """The routes of the project made of these files (display path -> path), read as they are now."""
    cache: Dict[str, Optional[bytes]] = {}

    def read(display: str) -> Optional[bytes]:
        if display not in cache:
            path = by_display.get(display)
            try:
                cache[display] = read_bytes(path, root) if path is not None else None
            except SourceError:
                cache[display] = None
        return cache[display]

    displays = list(by_display)
    seeds = [d for d in displays if d.endswith(PROGRAMS) and may_match(read(d) or b"")]
    if not seeds:
        return []
    return project_routes(Project(displays, read, root, watch_from_rules()), seeds, displays)
