"""Reopening calls in a module that does not build the wrapper they rebuild (rules/wrappers.toml [[reopener]]).

store.py builds `openai_ef = OpenAIEmbeddingFunction(...)` and creates the collection with it; query.py only
calls `client.get_collection("docs")`. Chroma then rebuilds the function the collection stored: after `fix`
moved store.py's function, the provider's api_base with OPENAI_API_KEY's value (analysis/reopen.py measured it).
The file alone sees no embedding function, so its analysis finds no reopening call. Each one is a route of kind
`reopen` here, whose `client` is the name under which the file can hand over the program's function (the one
module-level function of the project, imported by that name: `from store import openai_ef`), or "" when it
cannot: then `fix` leaves a TODO there. The route gate hands it to the file's plan (project/gate.py `Gate.reopens`).
"""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from offramp.project.flow import Flow
from offramp.project.index import ModuleIndex, Site
from offramp.project.objects import Ctx, ExtRef
from offramp.project.sources import Route
from offramp.types import Span
from offramp.wrappers import ReopenerSpec, WrapperSpec, load_reopeners


def _functions(
    flow: Flow, modules: Sequence[ModuleIndex], wrappers: Dict[str, WrapperSpec], spec: ReopenerSpec
) -> Tuple[List[str], List[Tuple[str, str]]]:
    """The modules that build one of the reopener's wrappers, and (module, name) of each module-level one
    bound to a name once (`openai_ef = OpenAIEmbeddingFunction(...)`)."""
    homes: List[str] = []
    named: List[Tuple[str, str]] = []
    for m in modules:
        for site in m.sites:
            if site.kind != "ctor":
                continue
            names = {v.qualified for v in flow.values(Ctx(m.name, site.scope), site.func) if isinstance(v, ExtRef)}
            if not any(q in wrappers and wrappers[q].id in spec.wrappers for q in names):
                continue
            homes.append(m.name)
            for name, exprs in m.bindings.items():
                if site.scope == "" and len(exprs) == 1 and exprs[0][:1] == ("call",) and exprs[0][4] == site.span:
                    named.append((m.name, name))
    return homes, named


def _reopening(site: Site, spec: ReopenerSpec) -> bool:
    """`client.get_collection("docs")`: a reopening method given no function (nor a second positional argument,
    `configuration=`, `*` / `**`, which may hand one over)."""
    if site.kind != "reopen" or site.func[:1] != ("attr",) or site.func[2] not in spec.methods:
        return False
    keywords = {k for k, _ in site.kwargs}
    return len(site.args) <= 1 and not keywords & {spec.arg, "**", *spec.also_given_by}


def _uses(m: ModuleIndex, spec: ReopenerSpec) -> bool:
    return any(mod.split(".")[0] in spec.modules for mod, _ in m.imports.values())


def _library(m: ModuleIndex, site: Site, spec: ReopenerSpec, by_name: Dict[str, ModuleIndex]) -> bool:
    """The module uses the library, or its receiver comes from a project module that does
    (`from store import client`)."""
    if _uses(m, spec):
        return True
    root = site.func[1]
    while root[:1] == ("attr",):
        root = root[1]
    imported = m.imports.get(str(root[1])) if root[:1] == ("name",) else None
    home = by_name.get(imported[0]) if imported is not None else None
    return home is not None and _uses(home, spec)


def _other_library(flow: Flow, m: ModuleIndex, site: Site, spec: ReopenerSpec) -> bool:
    """The receiver is built by another library's call (`QdrantClient(...).get_collection`), here or in a name."""
    receiver = site.func[1]
    made = [receiver]
    if receiver[:1] == ("name",):
        made = m.bound(site.scope, receiver[1])
    for e in made:
        if e[:1] == ("call",):
            names = {v.qualified for v in flow.values(Ctx(m.name, site.scope), e[1]) if isinstance(v, ExtRef)}
            if names and not any(q.split(".")[0] in spec.modules for q in names):
                return True
    return False


def reopen_routes(flow: Flow, modules: Sequence[ModuleIndex], wrappers: Dict[str, WrapperSpec]) -> List[Route]:
    out: List[Route] = []
    for spec in load_reopeners():
        homes, named = _functions(flow, modules, wrappers, spec)
        if not homes:
            continue
        family = next(w.family for w in wrappers.values() if w.id in spec.wrappers)
        by_name = {m.name: m for m in modules}
        for m in modules:
            if m.name in homes:
                continue  # (its own file's analysis sees the function: analysis/reopen.py)
            for site in m.sites:
                if not _reopening(site, spec) or not _library(m, site, spec, by_name):
                    continue
                if _other_library(flow, m, site, spec):
                    continue
                given = ""
                if len(named) == 1:
                    home, name = named[0]
                    local = m.functions.get(site.scope)
                    shadowed = local is not None and (name in local.locals or any(p[0] == name for p in local.params))
                    if m.imports.get(name) == (home, name) and not shadowed:
                        given = name
                out.append(
                    Route(
                        file=m.path,
                        span=Span(*site.span),
                        call=str(site.func[2]),
                        kind="reopen",
                        family=family,
                        azure=False,
                        client=given,
                        reopener=spec.id,
                    )
                )
    return out
