"""The paths a report shows: relative to the current directory, as Ruff prints them.

Inside offramp a file is named relative to its project root (the folder of the settings file):
per-file-ignores, baselines and the cache are written that way, so they stay portable. A
person, an editor and `git apply` read paths from where the command ran, though:
`offramp check examples/chatbot` must print `examples/chatbot/llm.py`, not `llm.py`, and
`offramp fix --diff backend | git apply` must find the files. A file outside the current
directory is shown by its absolute path (Ruff does the same).

SARIF names files relative to `%SRCROOT%`, the repository root (the nearest folder above the
project root holding `.git`, else the project root), so that code scanning places them
whichever folder the upload ran from.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Dict, Iterable, Optional

from offramp.types import Finding


def relative_to(path: str, base: str) -> str:
    """`path` relative to `base` with `/` separators when it lies below it, else absolute."""
    full = os.path.abspath(path)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if full.startswith(prefix):
        return full[len(prefix) :].replace(os.sep, "/")
    if full == base:
        return "."
    return full.replace(os.sep, "/")


def from_cwd(path: str) -> str:
    """`path` (absolute, or relative to the current directory) as a report shows it."""
    return relative_to(path, os.getcwd())


def repository_root(root: Path) -> Path:
    """The work tree above (or at) `root`: the nearest folder with a `.git`, else `root` itself."""
    here = os.path.abspath(root)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return Path(here)
        parent = os.path.dirname(here)
        if parent == here:
            return Path(os.path.abspath(root))
        here = parent


def rebased(findings: Iterable[Finding], root: Path, base: Optional[str] = None) -> Dict[Finding, Finding]:
    """Each finding (its path relative to the project `root`, or absolute) with its path relative
    to `base` (default: the current directory)."""
    base = os.path.abspath(base if base is not None else os.getcwd())
    out: Dict[Finding, Finding] = {}
    shown: Dict[str, str] = {}
    for f in findings:
        path = shown.get(f.path)
        if path is None:
            path = shown[f.path] = relative_to(os.path.join(root, f.path), base)
        out[f] = f if path == f.path else dataclasses.replace(f, path=path)
    return out
