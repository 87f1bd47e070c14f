"""Which project modules run in one program: the import graph that process-wide state follows (project/routes.py).

A module client's configuration (`openai.api_key = ...`) or an environment write reaches a request only when
both modules run in one process: one module imports both, directly or through others. Scripts that never meet
configure their own process. `RouteFinder` (routes.py) and `LoadedEnv` (dotenvs.py, through `linked`) ask this;
the graph is built once per run, apart from the routes it decides for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set

if TYPE_CHECKING:
    from offramp.project.flow import Flow
    from offramp.project.index import ModuleIndex


class ImportGraph:
    """`RouteFinder`'s import graph of `modules` (`_reach`: a module -> the project modules it imports, directly
    or not; `_roots`: a module -> the modules whose program includes it)."""

    if TYPE_CHECKING:  # (`RouteFinder`'s own, set in its __init__)
        name_of: Optional[Callable[[str], Optional[str]]]
        flow: Flow
        modules: List[ModuleIndex]
        _reach: Dict[str, Set[str]]
        _roots: Dict[str, Set[str]]

    def linked(self, a: str, b: str) -> bool:
        """Whether process-wide state (module client configuration, environment writes) set in one
        module can reach the other: both run in one program, i.e. one module imports both (or one of
        them imports the other), directly or through other project modules. Scripts that never meet
        each configure their own process: `openai.api_key = ...` in `tools/a.py` says nothing about
        the requests of `examples/b.py`."""
        if a == b:
            return True
        if not self._roots:
            self.reach("")  # builds the import graph
            for r, seen in self._reach.items():
                for x in (r, *seen):
                    self._roots.setdefault(x, set()).add(r)
        return bool(self._roots.get(a, {a}) & self._roots.get(b, {b}))

    def reach(self, name: str) -> Set[str]:
        if not self._reach:
            by_name = {m.name: m for m in self.modules}

            def project_module(dotted: str) -> Optional[str]:
                """A name as imported, as one of these modules is named: through the project's names
                (`xiaogpt.langchain.chain` is the module named `chain` when its directory is a namespace
                package). No other module is indexed for it (`name_of`: 154 of 368 entries on the SDK corpora)."""
                if dotted in by_name or (self.name_of is not None and self.name_of(dotted) not in by_name):
                    return dotted if dotted in by_name else None
                found = self.flow.module(dotted) if dotted else None
                return found.name if found is not None and found.name in by_name else None

            direct: Dict[str, Set[str]] = {}
            for m in self.modules:
                deps: Set[str] = set()
                for module, attr in m.imports.values():
                    dep = project_module(f"{module}.{attr}" if attr else "") or project_module(module)
                    if dep is not None:
                        deps.add(dep)
                deps.update(x for x in m.star_imports if x in by_name)
                direct[m.name] = deps
            for start in direct:
                seen: Set[str] = set()
                todo = list(direct[start])
                while todo:
                    x = todo.pop()
                    if x not in seen:
                        seen.add(x)
                        todo.extend(direct.get(x, ()))
                self._reach[start] = seen
        return self._reach.get(name, set())
