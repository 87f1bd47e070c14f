"""Library imports that a file's own directory answers: `from agents import Agent` in `examples/bot/main.py` beside
`examples/bot/agents.py` (which defines `class Agent`) is that module, not the OpenAI Agents SDK.

The project index takes such a module (tree.py `Project.import_target`, `library_siblings`; a file at the root
named like a library: `module_names`), so the routes never see the SDK there. A file's own analysis cannot: it
reads one file, and took `Agent(model="gpt-4o")` for the SDK's. check reported it, and fix rewrote the call and
imported `OpenAIChatCompletionsModel` from a module that has none (an ImportError at run time). This is the
project's word on it, per file: the libraries whose imports there are the project's module. check analyses those
files again with it (joinroutes.py `with_routes`) and fix plans them with it (`Gate.local`, fixes/routegate.py); the
analysis then reads those imports as a relative import's (analysis `analyze`, `local`). The findings cache keeps
each file's own analysis, keyed on its content as before: this answer depends on other files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, Optional, Set

from offramp.project.index import watch_from_rules


def local_libraries(displays: Iterable[str], read: Callable[[str], Optional[bytes]]) -> Dict[str, FrozenSet[str]]:
    """Python file -> the libraries (rules' `libraries`, never the SDK itself) whose imports in it the project
    index takes for a module of the project (only files that import one). Empty, without reading a file, when no
    module of the run is named like a library."""
    displays = list(displays)
    watch = watch_from_rules()
    libraries = watch.libraries - watch.sdk_modules
    if not any(d.endswith(".py") and not libraries.isdisjoint(d[:-3].split("/")) for d in displays):
        return {}
    import ast  # lazy: start-up (a run without such a module needs none of it: every run asks)

    from offramp.analysis.sdkimports import ast_imports  # lazy: start-up (and the analysis package with it)
    from offramp.project.tree import Project  # lazy: start-up

    project = Project(displays, read, Path("."), watch)  # (no configuration file is read here)
    # the importers that can take one: a file of a script directory with such a module, or any file at the root
    # when the root has one (module_names: a root module named like a library answers to that name)
    folders = set(project.library_siblings)
    if any("/" not in project.names.get(lib, "/") for lib in libraries):
        folders.add("")
    out: Dict[str, FrozenSet[str]] = {}
    for d in displays:
        data = read(d) if d.endswith(".py") and (d.rsplit("/", 1)[0] if "/" in d else "") in folders else None
        if not data or not any(lib.encode() in data for lib in libraries):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        found: Set[str] = set()
        for module, names in ast_imports(tree):
            head = module.split(".")[0]
            if head not in libraries or head in found:
                continue
            for attr in names or (None,):
                target = project.import_target(d, module, attr)
                if project.names.get(target) is not None or project.names.get(f"{target}.{attr}") is not None:
                    found.add(head)
                    break
        if found:
            out[d] = frozenset(found)
    return out
