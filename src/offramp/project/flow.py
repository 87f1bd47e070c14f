"""Follow values across modules: what an index expression may evaluate to, as Sources.

`Flow.values(ctx, expr)` walks names to their bindings (function locals, parameters, module
globals, imports and re-exports through packages), attributes to module members, class
attribute defaults (plain classes, dataclasses, pydantic models, pydantic-settings with their
environment names, Enum members), `self.x` to what a method assigned, calls to what functions
return and to SDK clients (also subclasses of SDK client classes), and configuration files the
code loads (json / yaml / tomllib / dotenv) to the value at a key path. It stops at a small
depth and says `Unknown` rather than guess. Objects (modules, classes, clients, loaded
configuration documents: project/objects.py) stay internal; `sources()` turns the terminal values
into Sources.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Collection, Dict, List, Optional, Tuple, Union

from offramp.catalog import SdkSurface
from offramp.project import flowcalls
from offramp.project.extcalls import ExtCalls
from offramp.project.index import DYNAMIC, Expr, ModuleIndex
from offramp.project.objects import (
    ClassRef,
    Client,
    ConfigDoc,
    Ctx,
    DictVal,
    ExtRef,
    FileHandle,
    FuncRef,
    Instance,
    ModRef,
    SeqVal,
    Value,
)
from offramp.project.sources import ConfigValue, EnvRead, Literal, Parameter, Source, Unknown
from offramp.types import Span

if TYPE_CHECKING:
    from offramp.project.calls import CallSites

_MAX_DEPTH = 14


def _set(v: Value) -> Optional[Value]:
    """`v` as read where the code tested it set: None where it is None or "" (no run that reaches the read has it)."""
    if isinstance(v, Literal) and not v.value and not v.template:
        return None
    if isinstance(v, ConfigValue) and not v.value:
        return None
    return v  # (an environment read stays the one read: the routes that share it match it by equality)


def _span(t: Any) -> Span:
    return Span(*t)


class Flow(ExtCalls):
    def __init__(
        self,
        sdk: SdkSurface,
        module: Callable[[str], Optional[ModuleIndex]],
        read_config: Callable[[str, str], Optional[Any]],
    ) -> None:
        """`module(name)` gives a project module's index (built on demand) or None for a name outside the
        project; `read_config(reader_path, written_path)` the parsed configuration document, or None."""
        self.sdk = sdk
        self.module = module
        self.read_config = read_config
        self.clients = sdk.openai_clients | sdk.azure_clients
        self._memo: Dict[Tuple[Ctx, Expr], List[Value]] = {}
        self._globals: Dict[Tuple[str, str], List[Value]] = {}
        self._active: set = set()
        self.calls: Optional[CallSites] = None  # parameters followed to their calls' arguments, when set

    # -- entry points -----------------------------------------------------------------------
    def values(self, ctx: Ctx, expr: Expr, depth: int = 0) -> List[Value]:
        key = (ctx, expr)
        got = self._memo.get(key)
        if got is not None:
            return got
        if depth > _MAX_DEPTH or key in self._active:
            return [Unknown("too deep", self._path(ctx))]
        self._active.add(key)
        try:
            out = _dedupe(self._eval(ctx, expr, depth + 1))
        finally:
            self._active.discard(key)
        self._memo[key] = out
        return out

    def sources(self, ctx: Ctx, expr: Expr) -> List[Source]:
        out: List[Source] = []
        for v in self.values(ctx, expr):
            out.extend(self.as_sources(v))
        # Nothing found is not nothing there: a dataclass field without a default, an attribute set
        # only by code offramp does not see. Read as empty, such a key made a route look clean (a
        # real project's `AsyncOpenAI(api_key=self.openai_key, ...)` moved with the OpenAI key).
        return _dedupe(out) or [Unknown("a value offramp cannot see", self._path(ctx))]

    def entries(self, ctx: Ctx, expr: Expr, names: Collection[str]) -> Tuple[Dict[str, List[Source]], List[Value]]:
        """What a `**expr` argument gives the keywords `names`: the sources of each entry of the dicts `expr`
        evaluates to, by name, and the values that are no dict offramp can read (they may hold any of them)."""
        found: Dict[str, List[Source]] = {}
        opaque: List[Value] = []
        for d in self.values(ctx, expr):
            if not isinstance(d, DictVal):
                opaque.append(d)
                continue
            for name in names:
                for e in self.dict_entry(d, name, 0):
                    found.setdefault(name, []).extend(self.as_sources(e))
        return found, opaque

    def as_sources(self, v: Value) -> List[Source]:
        if isinstance(v, (Literal, EnvRead, ConfigValue, Parameter, Unknown)):
            return [v]
        if isinstance(v, ConfigDoc):
            return [self.config_value(v)]
        return [Unknown(type(v).__name__.lower())]

    def config_value(self, doc: ConfigDoc) -> Source:
        data = self.read_config(doc.reader.rsplit(":", 1)[0], doc.path)
        if data is None:
            return Unknown(f"configuration file {doc.path} (not readable)")
        node: Any = data
        keys = doc.keys
        if len(keys) == 2 and doc.path.lower().endswith((".ini", ".cfg", ".conf")):
            keys = (keys[0], keys[1].lower())  # configparser's option names are lower-cased (parse_config's too)
        for k in keys:
            if isinstance(node, dict) and k in node:
                node = node[k]
            else:
                return ConfigValue(doc.path, ".".join(doc.keys), None, False, doc.reader)
        if node is None or isinstance(node, str):
            return ConfigValue(doc.path, ".".join(doc.keys), node, True, doc.reader)
        return Unknown(f"{doc.path}: {'.'.join(doc.keys)} is not a string")

    # -- the evaluator -----------------------------------------------------------------------
    def _path(self, ctx: Ctx) -> str:
        m = self.module(ctx.module)
        return m.path if m is not None else ""

    def _eval(self, ctx: Ctx, e: Expr, depth: int) -> List[Value]:
        tag = e[0]
        path = self._path(ctx)
        if tag == "str":
            return [Literal(path, _span(e[2]), e[1])]
        if tag == "fstr":
            return self.fstrings(ctx, e, depth)
        if tag == "none":
            return [Literal(path, _span(e[1]), None)]
        if tag == "env":
            out: List[Value] = [EnvRead(e[1], path, _span(e[3]), e[2] is not None, len(e) > 4 and e[4])]
            if e[2] is not None:
                out += self.values(ctx, e[2], depth)
            return out
        if tag == "name":
            return self.name(ctx, e[1], depth)
        if tag == "set":  # read where an `if` tested it set (project/indexer.py `tested_set`): no None, no ""
            got = [_set(v) for v in self.values(ctx, e[1], depth)]
            return [v for v in got if v is not None] or [Unknown("a value the code tests set", path)]
        if tag == "attr":
            written = self.object_attr(ctx, e)
            out = []
            for x in written:
                out += self.values(Ctx(ctx.module, ""), x, depth)
            for base in self.values(ctx, e[1], depth):
                if written and isinstance(base, (ExtRef, Unknown)):
                    continue  # (another library's object: what the module wrote into it is all there is)
                out += self.attr(ctx, base, e[2], depth)
            return out
        if tag == "call":
            return self.call(ctx, e, depth)
        if tag == "sub":
            keys = [v for v in self.values(ctx, e[2], depth) if isinstance(v, Literal) and v.value is not None]
            out = []
            for base in self.values(ctx, e[1], depth):
                if isinstance(base, SeqVal):
                    out += self.elements(base, depth)
                for k in keys:
                    assert k.value is not None
                    if isinstance(base, ExtRef) and self.sdk.env_role(k.value):
                        out.append(EnvRead(k.value, k.file, k.span))  # `st.secrets["OPENAI_API_KEY"]`: mapping_get
                        continue
                    out += self.attr(ctx, base, k.value, depth, item=True)
            return out or [Unknown("subscript", path)]
        if tag == "alt":
            out = []
            for x in e[1]:
                out += self.values(ctx, x, depth)
            return out
        if tag == "or":
            left = [
                replace(v, nullable=False) if isinstance(v, EnvRead) and v.nullable else v
                for v in self.values(ctx, e[1], depth)
                if not (isinstance(v, Literal) and not v.value)
                and not (
                    isinstance(v, ConfigDoc) and isinstance(c := self.config_value(v), ConfigValue) and not c.value
                )
            ]  # (`os.getenv(A) or B` is None only when B is)
            return left + self.values(ctx, e[2], depth)
        if tag == "dict":
            return [DictVal(ctx, e)]
        if tag == "seq":
            return [SeqVal(ctx, e)]
        if tag == "elt":  # `a, b = value`: element e[2] of each sequence of e[3] elements `value` holds
            out = []
            for v in self.values(ctx, e[1], depth):
                if isinstance(v, SeqVal) and len(v.expr[1]) == e[3]:
                    out += self.values(v.ctx, v.expr[1][e[2]], depth)
                else:
                    out.append(Unknown("an element of a value offramp cannot split", path))
            return out
        if tag == "star":
            return self.values(ctx, e[1], depth)
        if tag == "iter":
            out = []
            for v in self.values(ctx, e[1], depth):
                out += self.elements(v, depth) if isinstance(v, SeqVal) else [Unknown("loop variable", path)]
            return out
        if tag == "in":
            return self.values(Ctx(ctx.module, e[1]), e[2], depth)
        if tag == "func":
            return [FuncRef(ctx.module, e[1])]
        if tag == "div":  # Path(__file__).parent / "config.json": the file name, found next to the reader
            return [v for v in self.values(ctx, e[2], depth) if isinstance(v, Literal)] or [Unknown("a path", path)]
        if tag == "unknown":
            return [Unknown(e[1], path)]
        return [Unknown("value", path)]

    def object_attr(self, ctx: Ctx, e: Expr) -> List[Expr]:
        """What the module writes into an attribute of one of its module-level objects (`bp.openai_model =
        os.getenv(...)` in a start-up hook), read as `bp.openai_model` where `bp` is that object."""
        if e[1][0] != "name":
            return []
        m = self.module(ctx.module)
        if m is None:
            return []
        name = e[1][1]
        fn = m.functions.get(ctx.scope) if ctx.scope else None
        if fn is not None and (name in fn.locals or any(p[0] == name for p in fn.params)):
            return []
        return m.bindings.get(f"{name}.{e[2]}", [])

    def fstrings(self, ctx: Ctx, e: Expr, depth: int) -> List[Value]:
        """An f-string's values (`fstring`); a URL built on a base that is one of a few URL literals (wukong-robot's
        `self.api_base + "/completions"`, `api_base` a parameter defaulting to `"https://api.openai.com/v1/chat"`)
        is that URL for each of them, and the template besides where the base may be something else: left one
        template, its raw request had no route, and fix renamed the key it sends to the OpenAI URL."""
        text, holes = e[1], e[3]
        one = self.fstring(ctx, e, depth)
        if not one.template or len(holes) != 1 or not text.startswith(DYNAMIC) or text.count(DYNAMIC) != 1:
            return [one]
        found = self.values(ctx, holes[0], depth)
        bases = sorted({v.value for v in found if isinstance(v, Literal) and not v.template and v.value})
        if not bases or len(bases) > 3 or not all(b.startswith(("http://", "https://")) for b in bases):
            return [one]
        path = self._path(ctx)
        out: List[Value] = [Literal(path, _span(e[2]), b + text[len(DYNAMIC) :]) for b in bases]
        if any(not (isinstance(v, Literal) and not v.template and v.value) for v in found):
            out.append(one)
        return out

    def fstring(self, ctx: Ctx, e: Expr, depth: int) -> Literal:
        """`f"https://{API_HOST}/v1"`: the text, with each hole filled when it has exactly one literal value."""
        text, holes = e[1], e[3]
        parts = text.split(DYNAMIC)
        if len(parts) == len(holes) + 1 and holes:
            filled = [parts[0]]
            for hole, rest in zip(holes, parts[1:]):
                found = {v.value for v in self.values(ctx, hole, depth) if isinstance(v, Literal) and not v.template}
                found_all = self.values(ctx, hole, depth)
                if len(found) != 1 or len(found_all) != 1 or None in found:
                    return Literal(self._path(ctx), _span(e[2]), text, template=True)
                filled += [str(next(iter(found))), rest]
            return Literal(self._path(ctx), _span(e[2]), "".join(filled))
        return Literal(self._path(ctx), _span(e[2]), text, template=DYNAMIC in text)

    def elements(self, seq: SeqVal, depth: int) -> List[Value]:
        out: List[Value] = []
        for x in seq.expr[1]:
            out += self.values(seq.ctx, x, depth)
        return out

    def name(self, ctx: Ctx, name: str, depth: int) -> List[Value]:
        m = self.module(ctx.module)
        if m is None:
            return [Unknown(name)]
        if ctx.scope:
            fn = m.functions.get(ctx.scope)
            if fn is not None:
                if name in fn.locals:
                    out: List[Value] = []
                    for x in fn.locals[name]:
                        out += self.values(ctx, x, depth)
                    return out
                got = self.parameter(ctx, m, name, depth)
                if got is not None:
                    return got
        return self.module_attr(m, name, depth)

    def parameter(self, ctx: Ctx, m: ModuleIndex, name: str, depth: int) -> Optional[List[Value]]:
        """What parameter `name` of the function `ctx.scope` holds; None when it has none of that name."""
        fn = m.functions.get(ctx.scope)
        for i, (pname, default, ann) in enumerate(fn.params if fn is not None else ()):
            if pname != name:
                continue
            cls = ctx.scope.split(".")[0] if "." in ctx.scope else ""
            if i == 0 and cls and cls in m.classes:  # self
                base = self.sdk_base(ClassRef(m.name, cls), depth)
                return [Client(base, subclass=cls) if base else Instance(m.name, cls)]
            called = self.calls.arguments(m, ctx.scope, i, name, default, depth) if self.calls else None
            if called is not None:
                # what its calls pass (project/calls.py); annotated with a class of the project, an instance of it
                # too where a call hands on what offramp cannot see (a parameter no call explains, a name of a
                # module it cannot find: swarm's `run_demo_loop(weather_agent)`): `agent.model` was only that, and
                # `model: str = "gpt-4o"` of `class Agent(BaseModel)`, which every example's Agent sends, went to
                # the provider unreported
                # (and it stays what the caller hands in: an attribute of what offramp cannot see is no value at all,
                # so beside the class defaults it must remain the caller's, or MetaGPT's `LLMConfig.api_key = "sk-"`
                # default, a placeholder, passed for the key the user's YAML gives, and the URL default moved)
                if ann and any(isinstance(v, (Parameter, Unknown, ExtRef)) for v in called):
                    instances = [v for v in self.annotated(ctx, ann, depth) if isinstance(v, Instance)]
                    if instances:
                        called = [*called, Parameter(name, m.path), *instances]
                return called
            out: List[Value] = [Parameter(name, m.path)]
            if default is not None:
                out += self.values(Ctx(ctx.module, ""), default, depth)
            if ann:
                out += self.annotated(ctx, ann, depth)
            return out
        return None

    def annotated(self, ctx: Ctx, ann: str, depth: int) -> List[Value]:
        """A parameter `client: OpenAI` is a client of that class (constructed elsewhere)."""
        head, _, rest = ann.partition(".")
        found = self.name(Ctx(ctx.module, ""), head, depth)
        for part in rest.split(".") if rest else []:
            found = [a for f in found for a in self.attr(ctx, f, part, depth)]
        out: List[Value] = []
        for f in found:
            if isinstance(f, ExtRef) and f.qualified in self.clients:
                out.append(Client(f.qualified))
            elif isinstance(f, ClassRef):
                base = self.sdk_base(f, depth)
                out.append(Client(base, subclass=f.name) if base else Instance(f.module, f.name))
        return out

    def module_attr(self, m: ModuleIndex, name: str, depth: int) -> List[Value]:
        """A module's global `name` (memoised: package re-exports and star imports are asked again and again)."""
        key = (m.name, name)
        got = self._globals.get(key)
        if got is not None:
            return got
        if key in self._active:
            return [Unknown(name, m.path)]
        self._active.add(key)
        try:
            got = self._module_attr(m, name, depth)
        finally:
            self._active.discard(key)
        self._globals[key] = got
        return got

    def _module_attr(self, m: ModuleIndex, name: str, depth: int) -> List[Value]:
        ctx = Ctx(m.name, "")
        if name in m.bindings:
            out: List[Value] = []
            for x in m.bindings[name]:
                out += self.values(ctx, x, depth)
            if name in m.classes:
                out.append(ClassRef(m.name, name))
            return out
        if name in m.classes:
            return [ClassRef(m.name, name)]
        if name in m.imports:
            module, attr = m.imports[name]
            if attr is None:
                return [self.module_ref(module)]
            return self.member(module, attr, depth)
        for star in m.star_imports:
            target = self.module(star)
            if target is not None and (name in target.bindings or name in target.classes or name in target.imports):
                return self.module_attr(target, name, depth)
        sub = self.module(f"{m.name}.{name}") if m.package else None
        if sub is not None:
            return [ModRef(sub.name)]
        return [ExtRef(name)]  # a builtin, or a name we cannot see

    def module_ref(self, name: str) -> Value:
        return ModRef(name) if self.module(name) is not None else ExtRef(name)

    def member(self, module: str, attr: str, depth: int) -> List[Value]:
        target = self.module(module)
        if target is None:
            return [ExtRef(f"{module}.{attr}")]
        if attr in target.bindings or attr in target.classes or attr in target.imports or target.star_imports:
            got = self.module_attr(target, attr, depth)
            if not (len(got) == 1 and isinstance(got[0], ExtRef) and got[0].qualified == attr):
                return got
        sub = self.module(f"{module}.{attr}")
        if sub is not None:
            return [ModRef(sub.name)]
        return [Unknown(f"{module}.{attr}", target.path)]

    def attr(self, ctx: Ctx, base: Value, name: str, depth: int, item: bool = False) -> List[Value]:
        if isinstance(base, ModRef):
            return self.member(base.name, name, depth)
        if isinstance(base, ExtRef):
            return [ExtRef(f"{base.qualified}.{name}")]
        if isinstance(base, ConfigDoc):
            return [ConfigDoc(base.path, (*base.keys, name), base.reader)]
        if isinstance(base, FileHandle) and item:  # configparser: `parser["section"]`
            return [ConfigDoc(base.path, (name,), base.reader)]
        if isinstance(base, DictVal):
            return self.dict_entry(base, name, depth)
        if isinstance(base, (ClassRef, Instance)):
            return self.class_attr(base, name, depth)
        if isinstance(base, Literal) and name in ("value",) and not item:
            return [base]  # Enum member `.value`
        if isinstance(base, Client):
            return [base] if name in self.sdk.copies else []
        if isinstance(base, Parameter) and not item:
            # `config.api_key` of a parameter `config: AgentConfig` is whatever the caller's object holds:
            # the annotated class's defaults (`api_key: str | None = None`) are only one possibility
            return [Parameter(f"{base.name}.{name}", base.file, base.span)]
        return []

    def dict_entry(self, d: DictVal, key: str, depth: int) -> List[Value]:
        out: List[Value] = []
        for k, v in d.expr[1]:
            if k == key:
                out += self.values(d.ctx, v, depth)
            elif k is None and v[0] != "const":  # {**other}
                for sub in self.values(d.ctx, v, depth):
                    if isinstance(sub, DictVal):
                        out += self.dict_entry(sub, key, depth)
        return out

    def class_attr(self, base: Union[ClassRef, Instance], name: str, depth: int) -> List[Value]:
        m = self.module(base.module)
        if m is None:
            return []
        info = m.classes.get(base.name)
        if info is None:
            return []
        ctx = Ctx(m.name, "")
        out: List[Value] = []
        if isinstance(base, Instance) and base.call is not None:
            call_ctx, call = base.call
            given = [v for k, v in call[3] if k == name]
            if given:
                for g in given:
                    out += self.values(call_ctx, g, depth)
                return out
        if name in info.attrs:
            for x in info.attrs[name]:
                out += self.values(ctx, x, depth)
            if info.kind == "settings":
                prefix = info.env_prefix
                first = next((x for x in info.attrs[name] if x and x[0] == "str"), None)
                span = _span(first[2]) if first else Span(info.line, 1, info.line, 1)
                out.append(EnvRead(f"{prefix}{name}".upper(), m.path, span, bool(info.attrs[name])))
            return out
        method = m.functions.get(f"{base.name}.{name}")
        if method is not None:
            return [FuncRef(m.name, f"{base.name}.{name}")]
        for b in info.bases:  # inherited defaults from a project class
            for v in self.name(ctx, b.split(".")[0], depth) if b else []:
                if isinstance(v, ClassRef) and v != base:
                    out += self.class_attr(v, name, depth)
        return out

    def sdk_base(self, cls: ClassRef, depth: int, seen: Optional[set] = None) -> str:
        """The SDK client class a project class derives from (`class Client(OpenAI)`), or ""."""
        return self.base_among(cls, depth, self.clients, seen)

    def base_among(self, cls: ClassRef, depth: int, names: Collection[str], seen: Optional[set] = None) -> str:
        """The class of `names` (qualified) a project class derives from, through project classes, or ""."""
        seen = set() if seen is None else seen
        if cls in seen or len(seen) > 8:
            return ""
        seen.add(cls)
        m = self.module(cls.module)
        info = m.classes.get(cls.name) if m is not None else None
        if info is None or m is None:
            return ""
        for b in info.bases:
            if not b:
                continue
            head, _, rest = b.partition(".")
            found = self.name(Ctx(m.name, ""), head, depth)
            for part in rest.split(".") if rest else []:
                found = [a for f in found for a in self.attr(Ctx(m.name, ""), f, part, depth)]
            for f in found:
                if isinstance(f, ExtRef) and f.qualified in names:
                    return f.qualified
                if isinstance(f, ClassRef):
                    got = self.base_among(f, depth, names, seen)
                    if got:
                        return got
        return ""

    def call(self, ctx: Ctx, e: Expr, depth: int) -> List[Value]:
        func = e[1]
        out: List[Value] = []
        if func[0] == "attr":
            for r in self.values(ctx, func[1], depth):
                out += self.method_call(ctx, r, func[2], e, depth)
        else:
            for f in self.values(ctx, func, depth):
                out += self.apply(ctx, f, e, depth)
        return out or [Unknown("a value computed at run time", self._path(ctx))]

    def method_call(self, ctx: Ctx, r: Value, method: str, e: Expr, depth: int) -> List[Value]:
        args = e[2]
        if isinstance(r, (ModRef, ExtRef, ClassRef)):  # a namespace: its attribute is the callee
            return [x for f in self.attr(ctx, r, method, depth) for x in self.apply(ctx, f, e, depth)]
        if isinstance(r, FileHandle) and method == "get" and len(args) >= 2:
            r = ConfigDoc(r.path, (), r.reader)  # configparser: `parser.get("section", "key")`
            keys = [self.values(ctx, a, depth) for a in args[:2]]
            docs: List[Value] = []
            for section in keys[0]:
                for key in keys[1]:
                    if isinstance(section, Literal) and isinstance(key, Literal) and section.value and key.value:
                        docs.append(ConfigDoc(r.path, (section.value, key.value), r.reader))
            return docs
        if isinstance(r, (ConfigDoc, DictVal)) and method == "get" and args:
            out: List[Value] = []
            for k in self.values(ctx, args[0], depth):
                if isinstance(k, Literal) and k.value is not None:
                    out += self.attr(ctx, r, k.value, depth, item=True)
            if len(args) > 1:
                out += self.values(ctx, args[1], depth)
            return out
        if isinstance(r, Client) and method in self.sdk.copies:
            return [r]
        if isinstance(r, Instance):
            return [x for f in self.class_attr(r, method, depth) for x in self.apply(ctx, f, e, depth)]
        if isinstance(r, (EnvRead, ConfigValue, Parameter, Unknown)) and method in flowcalls.PIECES:
            return [r]
        if isinstance(r, FileHandle) and method in ("read", "read_text", "open"):
            return [r]
        return []

    def apply(self, ctx: Ctx, f: Value, e: Expr, depth: int) -> List[Value]:
        """What calling `f` gives."""
        if isinstance(f, ExtRef):
            return self.ext_call(ctx, f.qualified, e, depth)
        if isinstance(f, ClassRef):
            base = self.sdk_base(f, depth)
            if base:
                return [Client(base, (ctx, e), subclass=f.name)]
            m = self.module(f.module)
            info = m.classes.get(f.name) if m is not None else None
            return [Instance(f.module, f.name, (ctx, e))] if info is not None and info.kind != "enum" else []
        if isinstance(f, FuncRef):
            m = self.module(f.module)
            fn = m.functions.get(f.key) if m is not None else None
            out: List[Value] = []
            for x in fn.returns if fn is not None else []:
                out += self.values(Ctx(f.module, f.key), x, depth)
            return out
        return []


def _dedupe(items: List[Any]) -> List[Any]:
    seen: set = set()
    out = []
    for x in items:
        try:
            if x in seen:
                continue
            seen.add(x)
        except TypeError:  # (an unhashable value is kept)
            pass
        out.append(x)
    return out
