"""The line length Ruff formats a file to: `line-length` of the Ruff settings that apply to it, else 88.

Ruff takes the nearest `.ruff.toml`, `ruff.toml`, or `pyproject.toml` with a `[tool.ruff]` table,
at or above the file (a pyproject.toml without that table is passed over). `fix` wraps the calls
it lengthens to this width, so that a project formatted with `ruff format` stays formatted; in a
project with no Ruff settings at all (None) it keeps the code's own layout. A setting inherited
through `extend` is not followed (the default applies).
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import Any, Dict, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

DEFAULT = 88
_NAMES = (".ruff.toml", "ruff.toml", "pyproject.toml")
_MAX_BYTES = 1 << 20  # a settings file larger than this is not a Ruff configuration anyone wrote


def line_length(path: str | os.PathLike[str]) -> Optional[int]:
    """The line length for the file at `path`, None when no Ruff settings apply to it."""
    return _for_directory(os.path.dirname(os.path.realpath(path)))


@lru_cache(maxsize=256)
def _for_directory(directory: str) -> Optional[int]:
    for name in _NAMES:
        table = _ruff_table(os.path.join(directory, name), name == "pyproject.toml")
        if table is not None:
            value = table.get("line-length")
            return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 320 else DEFAULT
    parent = os.path.dirname(directory)
    return None if parent == directory else _for_directory(parent)


def _ruff_table(path: str, pyproject: bool) -> Optional[Dict[str, Any]]:
    """Ruff's settings in `path`: the whole file, or pyproject's `[tool.ruff]` (None: none there).
    A file that cannot be read or parsed counts as settings without a line length, as Ruff stops there too."""
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > _MAX_BYTES:
            return None
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if pyproject and b"ruff" not in data:
        return None
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    if not pyproject:
        return table
    tool = table.get("tool")
    ruff = tool.get("ruff") if isinstance(tool, dict) else None
    return ruff if isinstance(ruff, dict) else None
