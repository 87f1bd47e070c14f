"""Parameters followed to the arguments of every call of their function, across modules.

A request's key, base URL or model is often a parameter: `cli.py` reads the key and hands it to
`Translator(key, ...)`, whose `__init__` builds `OpenAI(api_key=key)`; `make_client(base_url=
settings.BASE)`; `Bot(model=CHAT_MODEL)`. Left a `Parameter`, the route's credential was unknown
and `fix` held the client back (bilingual_book_maker). Here a parameter of a function or method
(`__init__` included, so `self.key = key` read in another method follows too) becomes the union
of what its calls pass: positional and keyword arguments, the default where a call leaves it out,
a `**dict` literal's entry. Each call site is one definition of the source, so the route gate
moves it only when every route it reaches moves.

What cannot be seen stays unknown, with the reason: a `*args` or `**kwargs` forwarded at a call,
the function passed around as a value (`functools.partial(make_client, key)`, a dispatch table
`{"openai": Translator}`, a callback), more than `_MAX_SITES` calls or `_MAX_HOPS` functions in a
chain. A function with no call in the project keeps its `Parameter` (a library's entry point: the
caller's choice, as before). The calls are looked for in the function's module and the modules
importing it (through a package that re-exports it), one table of calls per module, built once
from the index entries; the sites of each function are cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple, Union

from offramp.project.flow import Flow
from offramp.project.index import Branch, Expr, FuncInfo, ModuleIndex
from offramp.project.objects import ClassRef, Client, Ctx, DictVal, ExtRef, FuncRef, Instance, ModRef, Value
from offramp.project.sources import Unknown

_MAX_HOPS = 4  # functions a value is followed back through (cli -> loader -> translator -> base)
_MAX_SITES = 32  # calls of one function: more is a utility, not a route's constructor
_LEAVES = frozenset({"str", "none", "const", "func", "unknown"})
#: The reason of an `Unknown` credential: the value handed to the route's function is also handed to a
#: call offramp cannot follow (`Relay(key)` beside `Translator(key)`). Renamed for the route, the
#: provider's key would go there too; routes.py keeps it on credentials only.
SHARED = "also handed to "
# Calls that look at a value without sending it anywhere.
_HARMLESS = frozenset(
    {"len", "print", "bool", "str", "int", "repr", "isinstance", "hash", "type", "debug", "info", "warning", "error"}
)


@dataclass(frozen=True)
class CallSite:
    ctx: Ctx
    call: Expr
    skip: int  # leading parameters the call does not pass itself (`self` of a method or constructor)
    branch: Branch = ()  # its arm of the caller's `if`/`match` statements (index.Branch)


# calls by callee's last name; names used as values (and how); calls by the names their arguments hold
_Calls = Dict[str, List[Tuple[str, Expr, Branch]]]
_Table = Tuple[_Calls, Dict[str, str], _Calls]


class CallSites:
    def __init__(self, flow: Flow, callers: Callable[[str, str, bool], Optional[List[ModuleIndex]]]) -> None:
        """`callers(module, name, method)`: the project modules that may call `name` of `module` (itself and
        the importers that mention it; for a method, any module naming it), None when too many do."""
        self.flow = flow
        self.callers = callers
        self._tables: Dict[str, _Table] = {}
        self._sites: Dict[Tuple[str, str], Union[Unknown, List[CallSite], None]] = {}
        self.hops = 0

    # -- a parameter's values -------------------------------------------------------------------
    def arguments(
        self, m: ModuleIndex, key: str, index: int, name: str, default: Optional[Expr], depth: int
    ) -> Optional[List[Value]]:
        """What parameter `index` (`name`) of function `key` of `m` receives at its calls; None when the
        project has no call of it (the parameter stays a `Parameter`)."""
        fn = m.functions.get(key)
        if fn is None or name.startswith("*"):
            return None
        if self.hops >= _MAX_HOPS:
            return [Unknown(f"`{name}` is handed through more than {_MAX_HOPS} functions", m.path)]
        self.hops += 1
        try:
            sites = self.sites(m, key, depth)
            if sites is None:
                return None
            out: List[Value] = []
            if isinstance(sites, Unknown):
                out.append(sites)  # (and the default, which the calls offramp cannot see may leave out)
            else:
                for s in sites:
                    out += self.argument(s, m, fn, index, name, None, depth, sites)
            # The default is one of its definitions even where every call passes the argument: it moves
            # with the routes (or stays with them) rather than being rewritten on its own. A `None` default
            # defines nothing, though: where every call passes the argument it is never the value (read as
            # one, `def __init__(self, api_key=None)` made the SDK's own read of OPENAI_API_KEY a source of
            # every route built by `LLM(api_key=os.environ[...])`, and held them all).
            unused_none = (
                default is not None
                and default[0] == "none"
                and not isinstance(sites, Unknown)
                and all(_passes(s, fn, index, name) for s in sites)
            )
            if default is not None and not unused_none:
                out += self.flow.values(Ctx(m.name, ""), default, depth)
            return out
        finally:
            self.hops -= 1

    def argument(
        self,
        s: CallSite,
        m: ModuleIndex,
        fn: FuncInfo,
        index: int,
        name: str,
        default: Optional[Expr],
        depth: int,
        sites: List[CallSite],
    ) -> List[Value]:
        args, kwargs = s.call[2], s.call[3]
        where = self.flow._path(s.ctx)
        for k, v in kwargs:
            if k == name:
                return self.passed(s, v, depth, sites)
        j = _slot(s, fn, index)
        if j is not None:
            for a in args[: j + 1]:
                if a[:1] == ("star",):
                    return [Unknown(f"`*args` at a call of `{name}`'s function", where)]
            if j < len(args):
                return self.passed(s, args[j], depth, sites)
        forwarded = [v for k, v in kwargs if k == "**"]
        if forwarded:
            out: List[Value] = []
            for v in forwarded:
                for d in self.flow.values(s.ctx, v, depth):
                    if not isinstance(d, DictVal):
                        return [Unknown(f"`**kwargs` forwarded to `{name}`'s function", where)]
                    out += self.flow.dict_entry(d, name, depth)
            if out:
                return out
        if default is not None:
            return self.flow.values(Ctx(m.name, ""), default, depth)
        return []  # (a call that leaves out a required argument raises TypeError: no request)

    def passed(self, s: CallSite, arg: Expr, depth: int, sites: List[CallSite]) -> List[Value]:
        """The argument's values, and an `Unknown` (SHARED) for each other call of the caller's module that
        is handed the same variable and that offramp cannot follow (not a call of this function, not an
        SDK client, not a harmless look such as `len(key)`)."""
        mod = self.flow.module(s.ctx.module)
        if mod is None:
            return list(self.flow.values(s.ctx, arg, depth))
        out = self.reaching(s, mod, arg, depth)
        ours = {id(x.call) for x in sites} | {x.call for x in sites if x.ctx.module == mod.name}
        fn = mod.functions.get(s.ctx.scope)
        for n in _names(arg):
            local = fn is not None and (n in fn.locals or any(p == n for p, _, _ in fn.params))
            for scope, call, _ in self.table(mod)[2].get(n, ()):
                if (local and scope != s.ctx.scope) or id(call) in ours or call in ours:
                    continue
                last = _last(call[1])
                if last in _HARMLESS or self.sdk_call(Ctx(mod.name, scope), call, depth):
                    continue
                where = f"{mod.path}:{call[4][0]}"
                out.append(Unknown(f"{SHARED}`{last or 'a call'}()` at {where}, which offramp cannot follow"))
        return out

    def reaching(self, s: CallSite, mod: ModuleIndex, arg: Expr, depth: int) -> List[Value]:
        """The argument's values; for a local variable, only its bindings that can reach the call: one made
        in another arm of the same `if`/`elif`/`match` cannot (`access_key = os.getenv("MINIMAX_API_KEY")`
        in the MiniMax branch is not what `Agent(access_key)` in the next branch gets), and a parameter
        of the same name still can (a binding in some arms only)."""
        fn = mod.functions.get(s.ctx.scope)
        if arg[:1] != ("name",) or fn is None or arg[1] not in fn.locals:
            return list(self.flow.values(s.ctx, arg, depth))  # (a copy: the flow's memo holds that list)
        name = arg[1]
        arms = fn.branches.get(name, [])
        out: List[Value] = []
        for i, x in enumerate(fn.locals[name]):
            if i < len(arms) and _exclusive(arms[i], s.branch):
                continue
            out += self.flow.values(s.ctx, x, depth)
        out += self.flow.parameter(s.ctx, mod, name, depth) or []
        return out

    def sdk_call(self, ctx: Ctx, call: Expr, depth: int) -> bool:
        """Whether the callee is an SDK client class (its own route says where the key goes)."""
        return any(
            isinstance(v, ExtRef) and v.qualified in self.flow.clients for v in self.flow.values(ctx, call[1], depth)
        )

    # -- the calls of one function ------------------------------------------------------------
    def sites(self, m: ModuleIndex, key: str, depth: int) -> Union[Unknown, List[CallSite], None]:
        memo = (m.name, key)
        if memo in self._sites:
            return self._sites[memo]
        self._sites[memo] = None  # (a call inside the function itself must not recurse here)
        got = self._find(m, key, depth)
        self._sites[memo] = got
        return got

    def _find(self, m: ModuleIndex, key: str, depth: int) -> Union[Unknown, List[CallSite], None]:
        cls, _, meth = key.rpartition(".")
        if cls and cls not in m.classes:
            return None
        ctor = meth == "__init__" and bool(cls)
        wanted = cls if ctor else meth
        target_fn = FuncRef(m.name, key)
        target_cls = ClassRef(m.name, cls) if cls else None
        found: List[CallSite] = []
        modules = self.callers(m.name, wanted, bool(cls) and not ctor)
        if modules is None:
            return Unknown(f"`{wanted}` is imported by too many modules to follow its calls", m.path)
        for mod in modules:
            calls, uses, _ = self.table(mod)
            if wanted in uses:
                why = uses[wanted]
                return Unknown(f"`{wanted}` {why} in {mod.path}, so not every call of it is seen", mod.path)
            for scope, call, branch in calls.get(wanted, ()):
                ctx = Ctx(mod.name, scope)
                skip = self.skip(ctx, call, target_fn, target_cls, ctor, depth)
                if skip is not None:
                    found.append(CallSite(ctx, call, skip, branch))
            if ctor and target_cls is not None:
                for scope, call, branch in calls.get("__init__", ()):
                    skip = self.super_init(mod, scope, call, target_cls, depth)
                    if skip is not None:
                        found.append(CallSite(Ctx(mod.name, scope), call, skip, branch))
        found = list(dict.fromkeys(found))
        if len(found) > _MAX_SITES:
            return Unknown(f"`{wanted}` is called in {len(found)} places", m.path)
        return found or None

    def skip(
        self, ctx: Ctx, call: Expr, target_fn: object, target_cls: object, ctor: bool, depth: int
    ) -> Optional[int]:
        """How many leading parameters the call leaves to Python (`self`), or None: not a call of the target."""
        func = call[1]
        if ctor:
            return 1 if target_cls in self.flow.values(ctx, func, depth) else None
        if func[0] != "attr":
            return 0 if target_fn in self.flow.values(ctx, func, depth) else None
        for r in self.flow.values(ctx, func[1], depth):
            if isinstance(r, ModRef) and target_fn in self.flow.attr(ctx, r, func[2], depth):
                return 0
            if isinstance(r, Instance) and target_fn in self.flow.class_attr(r, func[2], depth):
                return 1
            if isinstance(r, Client) and r.subclass:  # `self.method(...)` in a subclass of an SDK client
                ref = ClassRef(ctx.module, r.subclass)
                if target_fn in self.flow.class_attr(ref, func[2], depth):
                    return 1
        return None

    def super_init(self, mod: ModuleIndex, scope: str, call: Expr, target: object, depth: int) -> Optional[int]:
        """`super().__init__(key, lang)` in a subclass's `__init__`, or `Base.__init__(self, key, lang)`."""
        func = call[1]
        if func[0] != "attr":
            return None
        receiver = func[1]
        if receiver[:2] == ("call", ("name", "super")):
            sub = scope.rsplit(".", 1)[0] if scope.endswith(".__init__") else ""
            info = mod.classes.get(sub)
            if info is None:
                return None
            for b in info.bases:
                head, _, rest = b.partition(".")
                found = self.flow.values(Ctx(mod.name, ""), ("name", head), depth) if head else []
                for part in rest.split(".") if rest else []:
                    found = [a for f in found for a in self.flow.attr(Ctx(mod.name, ""), f, part, depth)]
                if target in found:
                    return 1
            return None
        if isinstance(target, ClassRef) and target in self.flow.values(Ctx(mod.name, scope), receiver, depth):
            return 0
        return None

    # -- one module's calls ---------------------------------------------------------------------
    def table(self, mod: ModuleIndex) -> _Table:
        got = self._tables.get(mod.name)
        if got is None:
            got = _table(mod)
            self._tables[mod.name] = got
        return got


def _exclusive(a: Branch, b: Branch) -> bool:
    """Whether two places sit in different arms of one `if`/`match` (never both run in one call)."""
    arms = {(line, col): arm for line, col, arm in a}
    return any(arms.get((line, col), arm) != arm for line, col, arm in b)


def _last(func: Expr) -> str:
    if func[:1] == ("name",):
        return str(func[1])
    if func[:1] == ("attr",):
        return str(func[2])
    return ""


def _table(mod: ModuleIndex) -> _Table:
    """Every call in the module's index entry by its callee's last name, and the names used as values
    (with how: `functools.partial(f, ...)`, a dict or list of classes, a callback argument)."""
    calls: _Calls = {}
    uses: Dict[str, str] = {}
    handed: _Calls = {}

    at: List[Branch] = [()]  # the arm of the expression being walked (locals and statement calls have one)

    def walk(scope: str, e: object, how: str = "is used as a value") -> None:
        if not isinstance(e, tuple) or not e or not isinstance(e[0], str) or e[0] in _LEAVES:
            return
        tag = e[0]
        if tag == "call":
            func = e[1]
            last = _last(func)
            if last:
                calls.setdefault(last, []).append((scope, e, at[0]))
            if func[:1] == ("attr",):
                walk(scope, func[1])
            elif not last:
                walk(scope, func)
            inner = "is wrapped in functools.partial" if last == "partial" else "is passed as an argument"
            for a in (*e[2], *(v for _, v in e[3])):
                walk(scope, a, inner)
                for n in _names(a):
                    handed.setdefault(n, []).append((scope, e, at[0]))
        elif tag == "name":
            uses.setdefault(str(e[1]), how)
        elif tag == "attr":
            uses.setdefault(str(e[2]), how)
            walk(scope, e[1])
        elif tag == "in":
            walk(str(e[1]), e[2], how)
        elif tag == "fstr":
            for x in e[3]:
                walk(scope, x)
        elif tag == "env":
            walk(scope, e[2])
        elif tag in ("alt", "seq"):
            for x in e[1]:
                walk(scope, x, "is held in a list" if tag == "seq" else how)
        elif tag == "dict":
            for _, v in e[1]:
                walk(scope, v, "is held in a dict")
        elif tag in ("sub", "or", "div"):
            walk(scope, e[1], how)
            walk(scope, e[2], how)
        elif tag in ("iter", "star", "set"):
            walk(scope, e[1], how)

    for es in mod.bindings.values():
        for e in es:
            walk("", e)
    for info in mod.classes.values():
        for es in info.attrs.values():
            for e in es:
                walk("", e)
    for key, fn in mod.functions.items():
        for name, es in fn.locals.items():
            arms = fn.branches.get(name, [])
            for i, e in enumerate(es):
                at[0] = arms[i] if i < len(arms) else ()
                walk(key, e)
        at[0] = ()
        for e in fn.returns:
            walk(key, e)
    for site in mod.sites:
        if site.kind == "new":
            continue  # a constructor is in a binding, a return or a statement call: walked there
        if site.kind != "assign":
            # the callee is called, not used as a value (`LLM(api_key=KEY)` made every call of LLM "not seen",
            # so its key parameter's None default counted and the route was held): only its receiver is a value
            if site.func[:1] == ("attr",):
                walk(site.scope, site.func[1])
            elif site.func[:1] != ("name",):
                walk(site.scope, site.func)
        for a in site.args:
            walk(site.scope, a, "is passed as an argument")
        for _, v in site.kwargs:
            walk(site.scope, v, "is passed as an argument")
    for _, e, _ in mod.env_writes:
        walk("", e)
    for scope, e, branch in mod.calls:
        at[0] = branch
        walk(scope, e)
    return calls, uses, handed


def _passes(s: CallSite, fn: FuncInfo, index: int, name: str) -> bool:
    """Whether the call gives parameter `index` (`name`) a value of its own (by keyword, by position, or
    through `*args` / `**kwargs` offramp cannot read: those may, so they count)."""
    args, kwargs = s.call[2], s.call[3]
    if any(k in (name, "**") for k, _ in kwargs) or any(a[:1] == ("star",) for a in args):
        return True
    j = _slot(s, fn, index)
    return j is not None and j < len(args)


def _slot(s: CallSite, fn: FuncInfo, index: int) -> Optional[int]:
    """Where parameter `index` sits among the call's positional arguments (past `self` of a method or a
    constructor); None when it cannot be passed by position."""
    j = index - s.skip
    return j if j >= 0 and (fn.positional < 0 or index < fn.positional) else None


def _names(e: Expr) -> List[str]:
    """The variables an argument hands on as they are: `key`, `settings.KEY`, `f"Bearer {key}"`, `a or b`."""
    tag = e[0] if e else ""
    if tag == "name":
        return [str(e[1])]
    if tag == "attr":
        return [str(e[2])]
    if tag == "fstr":
        return [n for x in e[3] for n in _names(x)]
    if tag == "or":
        return _names(e[1]) + _names(e[2])
    if tag == "set":  # (read under an `if` that tests it: project/indexer.py `tested_set`)
        return _names(e[1])
    if tag in ("alt", "star"):
        return [n for x in (e[1] if tag == "alt" else (e[1],)) for n in _names(x)]
    return []
