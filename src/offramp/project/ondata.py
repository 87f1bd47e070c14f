"""Azure requests of a module that sends Azure OpenAI On Your Data bodies (checks/ondata.py says why they stay)."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Dict, List, Optional, Sequence

from offramp import codes
from offramp.checks.base import CheckContext, Hit
from offramp.project.index import ModuleIndex
from offramp.project.sources import Route
from offramp.types import Span


def on_your_data_reason(where: str) -> str:
    """Why a client whose requests in `where` send On Your Data stays on Azure (no line number: the reason goes
    into a TODO, which a second run must find the same)."""
    return (
        f"a request in {where} sends Azure OpenAI On Your Data (`data_sources`), which only Azure serves and "
        "which carries the search service's key: replace it with retrieval of your own first"
    )


def on_your_data_held(
    routes: List[Route], modules: Sequence[ModuleIndex], module: Callable[[str], Optional[ModuleIndex]]
) -> List[Route]:
    """Each Azure request of a module that sends Azure OpenAI On Your Data bodies (`data_sources`) held
    whole: only Azure serves them, and they carry the search service's key, which moved with the client
    would go to the provider (checks/ondata.py holds a client built in that module; this one built anywhere).
    The body may be built in a module the request's file imports (`extra_body=search.extra()`, `json=build_body(q)`).
    `module(name)`: a project module by name."""
    by_path = {m.path: m for m in modules}
    files = {m.path for m in modules if m.on_your_data}
    for r in routes:
        m = by_path.get(r.file)
        if r.azure and not r.held and m is not None and r.file not in files and imported_bodies(m, module):
            files.add(r.file)
    if not files:
        return routes
    return [
        replace(r, held=on_your_data_reason(r.file)) if r.file in files and r.azure and not r.held else r
        for r in routes
    ]


def imported_bodies(m: ModuleIndex, module: Callable[[str], Optional[ModuleIndex]]) -> List[ModuleIndex]:
    """The project modules `m` imports from that write an On Your Data body (a `data_sources` dict) and send
    none themselves (a module that sends one is On Your Data itself): `m`'s requests send it."""
    out: List[ModuleIndex] = []
    for mod, attr in m.imports.values():
        for name in (mod, f"{mod}.{attr}") if attr else (mod,):
            other = module(name)
            fresh = other is not None and other is not m and all(o.path != other.path for o in out)
            if fresh and other is not None and other.body_keys and not other.on_your_data:
                out.append(other)
    return out


def imported_body_hits(
    routes: Sequence[Route],
    indexed: Dict[str, ModuleIndex],
    module: Callable[[str], Optional[ModuleIndex]],
    ctx: CheckContext,
) -> Dict[str, List[Hit]]:
    """OFR409 at the `data_sources` keys of the modules that build the On Your Data body of another module's Azure
    requests (`imported_bodies`): that file's own check does not know it is a request body."""
    if ctx.provider is None:
        return {}
    out: Dict[str, List[Hit]] = {}
    for path in dict.fromkeys(r.file for r in routes if r.azure):
        m = indexed.get(path)
        for builder in imported_bodies(m, module) if m is not None else ():
            if builder.path not in out:
                args = {"provider": ctx.provider.name}
                out[builder.path] = [Hit(codes.AZURE_ON_YOUR_DATA, Span(*sp), args) for sp in builder.body_keys]
    return out
