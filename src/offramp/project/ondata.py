"""Azure requests of a module that sends Azure OpenAI On Your Data bodies (checks/ondata.py says why they stay)."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import List, Set, Tuple

from offramp.analysis.quick import sends_a_body
from offramp.project.sources import Route


def on_your_data_reason(where: str) -> str:
    """Why a client whose requests in `where` send On Your Data stays on Azure (no line number: the reason goes
    into a TODO, which a second run must find the same)."""
    return (
        f"a request in {where} sends Azure OpenAI On Your Data (`data_sources`), which only Azure serves and "
        "which carries the search service's key: replace it with retrieval of your own first"
    )


def on_your_data_held(routes: List[Route], files: Set[str]) -> List[Route]:
    """Each Azure request of a module that sends Azure OpenAI On Your Data bodies (`data_sources`) held
    whole: only Azure serves them, and they carry the search service's key, which moved with the client
    would go to the provider (checks/ondata.py holds a client built in that module; this one built anywhere)."""
    if not files:
        return routes
    return [
        replace(r, held=on_your_data_reason(r.file)) if r.file in files and r.azure and not r.held else r
        for r in routes
    ]


def sends_on_your_data(text: str, tree: ast.Module, keys: Tuple[str, ...]) -> bool:
    """Does a dict of the module hold one of `keys` (`{"data_sources": [...]}`)? (the text says no first)"""
    if not any(key in text for key in keys) or not sends_a_body(text):
        return False
    return any(
        isinstance(node, ast.Dict)
        and any(isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value in keys for k in node.keys)
        for node in ast.walk(tree)
    )
