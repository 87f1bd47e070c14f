"""What a call of a library's function gives, as value flow (project/flow.py) follows it.

flow.py's `Flow` follows names, attributes and the project's own functions; a call of a function outside the
project (`ExtRef`: `json.load`, `open`, `os.path.join`, `requests.Session`, an SDK client's class) ends in a
value flowcalls.py names by kind: a client, an HTTP session, a file, a loaded configuration document, an
environment read. That part is this base class of `Flow`, kept apart because it reads the library names, not
the project's index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, List, Tuple

from offramp.project import flowcalls
from offramp.project.index import Expr
from offramp.project.objects import Client, ConfigDoc, Ctx, DictVal, FileHandle, SeqVal, Session, Value
from offramp.project.sources import RESULT_OF, EnvRead, Literal, Unknown
from offramp.wrappers import load_env_read_calls

if TYPE_CHECKING:
    from offramp.catalog import SdkSurface


class ExtCalls:
    """`Flow`'s calls of library functions (`ext_call`), with the mapping reads and paths they take."""

    if TYPE_CHECKING:  # (`Flow`'s own, which these methods use)
        sdk: SdkSurface
        clients: frozenset

        def values(self, ctx: Ctx, expr: Expr, depth: int = 0) -> List[Value]: ...

        def elements(self, seq: SeqVal, depth: int) -> List[Value]: ...

        def _path(self, ctx: Ctx) -> str: ...

    def ext_call(self, ctx: Ctx, q: str, e: Expr, depth: int) -> List[Value]:
        args, kwargs, span = e[2], e[3], e[4]
        path = self._path(ctx)
        reader = f"{path}:{span[0]}"
        if q in self.clients:
            return [Client(q, (ctx, e))]
        if q in flowcalls.HTTP_SESSIONS:
            return [Session(q)]
        if q in flowcalls.PASSTHROUGH_CALLS and args:
            return self.values(ctx, args[0], depth)
        if q in load_env_read_calls() and args:  # `Secret.from_env_var("OPENAI_API_KEY")`: that variable's read
            names = [v for v in self.values(ctx, args[0], depth) if isinstance(v, Literal) and v.value]
            for v in [
                x for s in self.values(ctx, args[0], depth) if isinstance(s, SeqVal) for x in self.elements(s, depth)
            ]:
                names += [v] if isinstance(v, Literal) and v.value else []
            if names:
                return [EnvRead(n.value or "", n.file, n.span) for n in names]
        if q.endswith(".get") and args:
            got = self.mapping_get(ctx, args, kwargs, depth)
            if got:
                return got
        if q in flowcalls.ELEMENT_CALLS and args:
            items = self.values(ctx, args[0], depth)
            return [x for v in items for x in (self.elements(v, depth) if isinstance(v, SeqVal) else [v])]
        if q in ("dict", "builtins.dict"):
            return [DictVal(ctx, ("dict", tuple((k, v) for k, v in kwargs if k != "**")))]
        if q == "os.path.join" and args:
            return [FileHandle(p, reader) for p in self.paths(ctx, args[-1:], depth)] or [Unknown("a path", path)]
        if q in flowcalls.OPENERS or q in flowcalls.PATHS:
            return [FileHandle(p, reader) for p in self.paths(ctx, args[:1], depth)] or [Unknown("a file", path)]
        if q in flowcalls.LOADERS:
            docs: List[Value] = []
            for a in self.values(ctx, args[0], depth) if args else []:
                if isinstance(a, FileHandle):
                    docs.append(ConfigDoc(a.path, (), a.reader))
                elif isinstance(a, Literal) and a.value and flowcalls.LOADERS[q] in ("toml", "env") and not a.template:
                    docs.append(ConfigDoc(a.value, (), reader))
            return docs or [Unknown(f"{RESULT_OF}{q}()", path)]
        return [Unknown(f"{RESULT_OF}{q}()", path)]

    def mapping_get(self, ctx: Ctx, args: Tuple[Expr, ...], kwargs: Tuple[Any, ...], depth: int) -> List[Value]:
        """A library's mapping read by an SDK variable's name (Streamlit's `st.secrets.get("OPENAI_API_KEY")`,
        which Streamlit also exports to the environment; `st.secrets["..."]` in `_eval`) is that variable's read,
        as the per-file rule takes it (analysis/collector.py): `fix` renames it with the request it feeds. Taken
        for an unknown value, it held the request in `check` alone. None when unset, with no default."""
        named = [v for v in self.values(ctx, args[0], depth) if isinstance(v, Literal) and v.value]
        if not named or not all(self.sdk.env_role(n.value or "") for n in named):
            return []
        default = args[1] if len(args) > 1 else next((v for k, v in kwargs if k == "default"), None)
        nullable = default is None or default[0] == "none"
        out: List[Value] = [EnvRead(n.value or "", n.file, n.span, default is not None, nullable) for n in named]
        return out + (self.values(ctx, default, depth) if default is not None else [])

    def paths(self, ctx: Ctx, args: Iterable[Expr], depth: int) -> List[str]:
        out = []
        for a in args:
            for v in self.values(ctx, a, depth):
                if isinstance(v, Literal) and v.value and not v.template:
                    out.append(v.value)
                elif isinstance(v, FileHandle):
                    out.append(v.path)
        return out
