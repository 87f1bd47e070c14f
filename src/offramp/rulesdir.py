"""Where offramp's data (rules/) lives: inside the installed package, else the source checkout.

A module of its own, standard library `os` only, so that the no-parse path of `offramp check`
can find the data without importing the catalog.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict


def rules_path() -> str | None:
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "rules"), os.path.join(os.path.dirname(os.path.dirname(here)), "rules")):
        if os.path.isdir(candidate):
            return candidate
    return None


_docs: Dict[str, dict] = {}


def parsed(path: str) -> dict:
    """A rules/ file parsed once per process, for every reader: the prefilter (which must not import the
    catalog) and the catalog's `rules_file` both read openai.toml, and each parsed it (~1.4 ms a warm run).
    Errors reach the caller (the catalog turns them into a CatalogError); readers only read the result.
    Parsed once per machine, in fact (tomlcache.py)."""
    doc = _docs.get(path)
    if doc is None:
        from offramp.tomlcache import parse  # lazy: start-up

        doc = _docs[path] = parse(path)
    return doc
