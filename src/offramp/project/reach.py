"""Which modules the project stage reads: the seeds (files with a request or a client), the files that import
what they export, and the callers of a route's functions.

Kept apart from project/stage.py (building and checking the routes) because this part only chooses files: the
index is cheap to ask (`Project.ask`, a regex on a file's text, cached by content) and costly to load, so every
rule here says why a file is worth loading.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Set

from offramp.analysis.sdkimports import brings_clients
from offramp.catalog import load_sdk
from offramp.project.calls import CallSites
from offramp.project.flow import Flow
from offramp.project.index import ModuleIndex
from offramp.project.lastroutes import PROGRAMS
from offramp.project.routes import RouteFinder
from offramp.project.sources import Route
from offramp.project.tree import Project
from offramp.providers import known_provider_hosts
from offramp.wrappers import load_wrappers


def importers(project: Project, seeds: Sequence[str], candidates: Sequence[str]) -> List[str]:
    """Files among `candidates` that import one of the `seeds` modules (`from .clients import get_client`).

    A regex on the module's last name picks the few files worth a look; their import lines are then
    resolved (relative ones too) and must name the seed module itself or its package's attribute.
    """
    wanted: Dict[str, str] = {}
    for d in seeds:
        entry = project.canonical.get(d)
        if entry is not None:
            wanted[entry[0]] = d
    if not wanted:
        return []
    stems = tuple(sorted({name.rsplit(".", 1)[-1] for name in wanted}))
    out = []
    for d in candidates:
        entry = project.canonical.get(d)
        if entry is None or not project.ask(d, "may-import", stems):
            continue
        for module, attr in project.ask(d, "imports", entry) or ():
            module = project.import_target(d, module, attr)
            target = project.names.get(module)
            full = project.names.get(f"{module}.{attr}") if attr else None
            if (target is not None and target in seeds) or (full is not None and full in seeds):
                out.append(d)
                break
    return out


def provider_files(project: Project, candidates: Sequence[str]) -> List[str]:
    """Files naming a known provider's host: after a migration, raw HTTP to the provider has no OpenAI word left."""
    hosts = tuple(h.encode() for h in known_provider_hosts())
    return [d for d in candidates if project.ask(d, "host", hosts)]


def exports_clients(m: ModuleIndex) -> bool:
    """Whether other modules can get an SDK client or framework object from `m`: a function returning one,
    a module-level one, or a subclass of an SDK class (judged by names, before any value is followed).
    Modules that only use the SDK's types (most of an SDK-based library) are not."""
    sdk = load_sdk()
    tops = set(sdk.sdk_modules) | set(sdk.wrapper_modules) | {e.split(".")[0] for e in sdk.entry_modules}
    names = {q.rsplit(".", 1)[-1] for q in (*sdk.openai_clients, *sdk.azure_clients, *load_wrappers())}
    classes = {n for n, (mod, attr) in m.imports.items() if attr in names and mod.split(".")[0] in tops}
    modules = {n for n, (mod, attr) in m.imports.items() if attr is None and mod.split(".")[0] in tops}
    if not classes and not modules:
        return False

    def mentions(e: Any) -> bool:
        if not isinstance(e, tuple) or not e:
            return False
        if e[0] == "name" and len(e) == 2:
            return e[1] in classes
        if e[0] == "attr" and e[2] in names and e[1][:1] == ("name",) and e[1][1] in modules:
            return True
        return any(mentions(x) for x in e[1:])

    if any(b.split(".")[0] in classes or b.rsplit(".", 1)[-1] in names for c in m.classes.values() for b in c.bases):
        return True
    if any(mentions(r) for f in m.functions.values() for r in f.returns):
        return True
    # `return openai` from a factory that configured the module client: callers make requests with it
    if any(r[:1] == ("name",) and r[1] in modules for f in m.functions.values() for r in f.returns):
        return True
    return any(mentions(v) for vs in m.bindings.values() for v in vs)


def imports_sdk(m: ModuleIndex) -> bool:
    """Whether the module's own analysis sees its SDK use: the rule `check` decides it by (analysis.needs_scopes)."""
    imported = [(module, None if name is None else (name,)) for module, name in m.imports.values()]
    return brings_clients([*imported, *((module, ("*",)) for module in m.star_imports)], load_sdk())


def project_routes(project: Project, seeds: Sequence[str], displays: Sequence[str]) -> List[Route]:
    exporters = []
    quiet = []  # seeds with no site of their own: indexed below when they import an exporter
    for d in seeds:
        if not (project.ask(d, "route") or project.ask(d, "posts")):
            quiet.append(d)
            continue  # indexed later only if a name leads there
        m = project.load(d)
        if m is not None and exports_clients(m):
            exporters.append(d)
    seed_set = set(seeds)
    others = [d for d in displays if d.endswith(".py") and d not in seed_set]
    # raw HTTP whose URL, key or model comes from a seed module (`requests.post(settings.API_URL, ...)`):
    # after a migration renamed the key, nothing OpenAI is left in the file itself
    posting = [d for d in others if project.ask(d, "posts")]
    # (a seed importing an exporter: `Chat(api_key=os.getenv("OPENAI_API_KEY"))` of `class Chat(ChatOpenAI)` in
    # llm.py names no library, and no route leads into it: project/subclassctors.py finds it there)
    found = importers(project, exporters, [*others, *quiet]) + provider_files(project, others)
    found += importers(project, seeds, posting)
    # a reopening call (`client.get_collection("docs")`) in a file that names no wrapper: project/reopens.py
    reopening = tuple(f".{m}(".encode() for m in sorted(project.watch.reopens))
    found += [d for d in others if project.ask(d, "words", reopening)]
    # a module that loads a `.env` file (`load_dotenv()` in main.py) fills the variables the routes read
    loaders = tuple(w.encode() for w in project.watch.loaders)
    found += [d for d in others if project.ask(d, "words", loaders)]
    # a request through a client handed in as a parameter, in a file that names no SDK (`def get_completion(client,
    # ...)`): its route is the caller's client (project/calls.py); unfollowed, fix moved that client and the
    # helper's own model default went with it to the provider (swarm's examples)
    found += [d for d in others if project.ask(d, "requests")]
    for d in dict.fromkeys(found):
        project.load(d)
    sdk = load_sdk()
    flow = Flow(sdk, project.module, project.read_config)
    flow.calls = CallSites(flow, callers_of(project, [d for d in displays if d.endswith(PROGRAMS)]))
    finder = RouteFinder(flow, sdk, known_provider_hosts(), project.env_line)
    finder.name_of = project.name_of
    return finder.routes(project.modules())


_MAX_CALLERS = 64


def callers_of(project: Project, pys: Sequence[str]) -> Callable[[str, str, bool], Optional[List[ModuleIndex]]]:
    """The modules that may call `wanted` of module `name`: itself, the files importing it, and the files
    importing a package `__init__` that re-exports it, among them those whose text names `wanted`
    (loaded on demand); for a method (not `__init__`), every file whose text has `.wanted`: an instance
    travels anywhere. The import graph is read once, from the import lines of every file (one regex
    pass each: asking `importers` per module cost 6 s on the SDK corpora). None: more than
    `_MAX_CALLERS` files, a library's core module rather than a route's function."""
    graph: Dict[str, Set[str]] = {}
    built = False

    def importers_of(display: str) -> Set[str]:
        nonlocal built
        if not built:
            built = True
            for d in pys:
                entry = project.canonical.get(d)
                if entry is None:
                    continue
                for module, attr in project.ask(d, "imports", entry) or ():
                    module = project.import_target(d, module, attr)
                    for cand in (f"{module}.{attr}" if attr else "", module):
                        target = project.names.get(cand) if cand else None
                        if target is not None and target != d:
                            graph.setdefault(target, set()).add(d)
        return graph.get(display, set())

    def callers(name: str, wanted: str, method: bool) -> Optional[List[ModuleIndex]]:
        home = project.names.get(name)
        if home is None:
            return []
        word = wanted.encode("utf-8", "surrogateescape")
        if method:  # an instance travels anywhere: every file that names the method
            found = set(pys)
            word = b"." + word
        else:
            direct = importers_of(home)
            found = {home, *direct}
            for d in direct:
                if d.endswith("__init__.py"):
                    found |= importers_of(d)
        named = sorted(d for d in found if project.ask(d, "words", (word,)))
        if len(named) > _MAX_CALLERS:
            return None
        return [m for m in (project.load(d) for d in named) if m is not None]

    return callers
