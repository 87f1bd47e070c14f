"""Find offramp's own settings: `.offramp.toml`, `offramp.toml` or `[tool.offramp]` in pyproject.toml.

The nearest directory at or above the start wins, as with Ruff. Shared by `config` (which
validates what it finds) and `quickcheck` (which must find the same file without importing
the catalog), so the two can never disagree about which file applies.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple

NAMES = (".offramp.toml", "offramp.toml")


def find_settings(start: str, load: Callable[[str], Dict[str, Any]]) -> Tuple[Optional[str], Optional[Dict[str, Any]]]:
    """(path, table) of the settings that apply to `start`, or (None, None).

    A pyproject.toml whose text never says "offramp" cannot hold `[tool.offramp]` (in any TOML
    spelling) and is passed over unparsed: a project's broken or slow-to-parse pyproject that is
    not ours to judge costs nothing.
    """
    here = os.path.realpath(start)
    if os.path.isfile(here):
        here = os.path.dirname(here)
    while True:
        for name in NAMES:
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate, load(candidate)
        pyproject = os.path.join(here, "pyproject.toml")
        if os.path.isfile(pyproject) and _mentions_offramp(pyproject):
            data = load(pyproject)
            tool = data.get("tool", {})
            if isinstance(tool, dict) and "offramp" in tool:
                return pyproject, tool["offramp"]
        parent = os.path.dirname(here)
        if parent == here:
            return None, None
        here = parent


def _mentions_offramp(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return b"offramp" in f.read()
    except OSError:
        return True  # let the loader report what is wrong with it
