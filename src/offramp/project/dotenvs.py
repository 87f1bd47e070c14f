"""The `.env` files a program loads into its environment, and the values they give the variables it reads.

`load_dotenv()` (python-dotenv; `load_dotenv(".env.local")`, `load_dotenv(find_dotenv())`, and the other
loaders of rules/openai.toml [environment]) fills `os.environ` from a file, so the program's
`os.getenv("OPENAI_BASE_URL")` holds that file's line. Without it, a settings module's read of a variable
set to OpenAI's URL in `.env` was a value offramp could not see: `fix` held the key, the client and the
file, and `check` called the `.env` URL "a URL no request offramp can follow uses". A route's host and
model sources gain the file's value (`ConfigValue(loaded=True)` at the variable's line), the place a
person changes it; the variable's read stays a source too (the environment may set it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from offramp.project.flow import Flow
from offramp.project.index import Expr, ModuleIndex
from offramp.project.objects import Ctx, ExtRef
from offramp.project.sources import ConfigValue, EnvRead, Literal, Route, Source
from offramp.types import Span

_DEFAULT = ".env"


class LoadedEnv:
    def __init__(
        self,
        flow: Flow,
        modules: Sequence[ModuleIndex],
        linked: Callable[[str, str], bool],
        env_line: Optional[Callable[[str, str, str], Optional[Tuple[str, int]]]],
    ) -> None:
        """`linked(a, b)`: whether modules a and b run in one program; `env_line(reader, written, name)`:
        where the file a module loads sets a variable (display path, line)."""
        self.flow = flow
        self.modules = modules
        self.linked = linked
        self.env_line = env_line
        self.module_at: Dict[str, str] = {m.path: m.name for m in modules}
        self._loads: Optional[List[Tuple[ModuleIndex, str, int]]] = None

    def add_to(self, route: Route) -> Route:
        """The route with the values the loaded files give its host and model variables."""
        if not self.loads():
            return route
        host, model = self.values(route, route.host), self.values(route, route.model)
        if not host and not model:
            return route
        return replace(route, host=route.host | frozenset(host), model=route.model | frozenset(model))

    def values(self, route: Route, sources: FrozenSet[Source]) -> Set[Source]:
        out: Set[Source] = set()
        for s in sources:
            if not isinstance(s, EnvRead):
                continue
            reader = self.module_at.get(s.file or route.client_file or route.file)
            if reader is None:
                continue
            for loader, written, line in self.loads():
                if not self.linked(reader, loader.name):
                    continue
                data = self.flow.read_config(loader.path, written)
                if not (isinstance(data, dict) and s.name in data):
                    continue
                value = data[s.name] if isinstance(data[s.name], str) else None
                at = self.env_line(loader.path, written, s.name) if self.env_line is not None else None
                file, span = (at[0], Span(at[1], 0, at[1], 1 << 31)) if at else (written, None)
                out.add(ConfigValue(file, s.name, value, True, f"{loader.path}:{line}", loaded=True, span=span))
        return out

    def loads(self) -> List[Tuple[ModuleIndex, str, int]]:
        """Every file a module loads: (the module, the path as written, the loader's line)."""
        if self._loads is None:
            self._loads = [
                (m, written, span[0])
                for m in self.modules
                for scope, expr, span in m.dotenv
                for written in self.paths(Ctx(m.name, scope), expr)
            ]
        return self._loads

    def paths(self, ctx: Ctx, expr: Optional[Expr]) -> List[str]:
        """The file a loader reads: `.env` by default (python-dotenv's `find_dotenv()` walks up from the
        caller's directory, as `Project.read_config` looks up from the reader's), `find_dotenv("x.env")`'s
        name, or the path given."""
        if expr is None:
            return [_DEFAULT]
        if expr[0] == "call" and any(
            isinstance(v, ExtRef) and v.qualified.rsplit(".", 1)[-1] == "find_dotenv"
            for v in self.flow.values(ctx, expr[1])
        ):
            named = [v for k, v in expr[3] if k == "filename"] or list(expr[2][:1])
            if not named:
                return [_DEFAULT]
            expr = named[0]
        return [
            v.value
            for v in self.flow.values(ctx, expr)
            if isinstance(v, Literal) and v.value and not v.template and "\0" not in v.value
        ]
