"""Where offramp's data (rules/) lives: inside the installed package, else the source checkout.

A module of its own, standard library `os` only, so that the no-parse path of `offramp check`
can find the data without importing the catalog.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Optional


def rules_path() -> str | None:
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "rules"), os.path.join(os.path.dirname(os.path.dirname(here)), "rules")):
        if os.path.isdir(candidate):
            return candidate
    return None


_docs: Dict[str, dict] = {}


def parsed(path: str, parse: Optional[Callable[[str], dict]] = None) -> dict:
    """A rules/ file parsed once per process, for every reader: the prefilter (which must not import the
    catalog) and the catalog's `rules_file` both read openai.toml, and each parsed it (~1.4 ms a warm run).
    Errors reach the caller (the catalog turns them into a CatalogError); readers only read the result.
    `parse`: how, when this process has not parsed it yet (by default once per machine: tomlcache.py)."""
    doc = _docs.get(path)
    if doc is None:
        doc = _docs[path] = (parse or _toml)(path)
    return doc


def _toml(path: str) -> dict:
    from offramp.tomlcache import parse  # lazy: start-up

    return parse(path)
