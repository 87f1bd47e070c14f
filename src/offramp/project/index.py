"""The project index: one cheap `ast` pass per Python file, recording what crosses module boundaries.

A request's host, credential and model are often defined in another module (`from .settings import
CHAT_MODEL`, `config.MODEL`, a `get_client()` factory, a pydantic settings class, a JSON file the code
loads). The per-file analysis cannot see them; this index can, at a fraction of its cost: the stdlib
parser and one walk per file, no scopes, no positions beyond the nodes it keeps. Every value is kept
as a small JSON-able expression tree (`Expr`, a tagged tuple) so that an entry can be cached by the
file's content and resolved later, across modules, by `project.flow`. This module is the entry's
data (and `Watch`, the names that make a call worth keeping); indexer.py builds it.

What one `ModuleIndex` holds: imports (relative ones made absolute), module-level bindings, classes
(their bases, class attribute defaults, `self.x = ...` in methods, decorators: dataclass / pydantic /
settings / Enum), functions (parameters, local bindings, returned values), request sites (SDK method
chains, module-client configuration, raw HTTP calls, framework constructors), environment writes and
environment reads.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Pattern, Tuple

from offramp.catalog import load_sdk, rules_file

# An Expr is a tagged tuple; the tags and their fields:
#   ("str", value, span)   ("fstr", template, span, inner Exprs)   ("none", span)   ("const",)
#   ("func", key)          ("in", scope, Expr) (a value bound inside a function)   ("iter", Expr) (a loop element)
#   ("env", name, default|None, span, may be None)               ("name", id)
#   ("attr", base, name)           ("call", func, args, kwargs, span)  kwargs: (("key"|"**", Expr), ...)
#   ("sub", base, key)             ("alt", (Expr, ...))         ("or", left, right)
#   ("dict", ((key|None, Expr), ...))  ("seq", (Expr, ...))      ("unknown", reason)
#   ("star", Expr) (a `*args` argument of a call: the positions after it are unknown)
#   ("set", Expr) (an argument read under an `if` that tests it set: no None, no "" there)
# A span is (line, column, end_line, end_column), 1-based columns counted in characters.
Expr = Tuple[Any, ...]
# Where a statement sits among the `if`/`elif`/`else` and `match` arms of its function, outside loops:
# ((line, column, arm), ...) for each enclosing one. Two statements with the same (line, column) and
# different arms never both run in one call: a binding in one arm does not reach a call in another.
Branch = Tuple[Tuple[int, int, int], ...]
SpanT = Tuple[int, int, int, int]
DYNAMIC = "{...}"


# Raw HTTP calls whose requests project/rawhttp.py follows as routes; their libraries are watched here too.
HTTP_CALLS = frozenset(
    {
        "requests.post",
        "requests.get",
        "requests.put",
        "requests.patch",
        "requests.delete",
        "requests.request",
        "requests.api.post",
        "requests.api.get",
        "httpx.post",
        "httpx.get",
        "httpx.put",
        "httpx.patch",
        "httpx.delete",
        "httpx.request",
        "httpx.stream",
    }
)
HTTP_LIBRARIES = frozenset(q.split(".", 1)[0] for q in HTTP_CALLS) | {"aiohttp"}


@dataclass
class FuncInfo:
    """A function of the project index: its parameters, locals and return values, so a value can be followed
    through a `get_client()` factory or a parameter into another module."""

    params: List[Tuple[str, Optional[Expr], str]]  # name, default, annotation (dotted) or ""
    locals: Dict[str, List[Expr]] = field(default_factory=dict)
    returns: List[Expr] = field(default_factory=list)
    line: int = 0
    positional: int = -1  # how many of `params` (the first ones) can be passed by position; -1: not known
    # Per local, the branch of each of its bindings (aligned with `locals`): see `Branch`.
    branches: Dict[str, List[Branch]] = field(default_factory=dict)


@dataclass
class ClassInfo:
    """A class of the project index: its bases and attribute defaults (plain classes, dataclasses, pydantic
    settings, enums), so `settings.chat_model` resolves to its default and the environment variable it reads."""

    bases: List[str]
    kind: str  # plain | dataclass | pydantic | settings | enum
    attrs: Dict[str, List[Expr]] = field(default_factory=dict)
    env_prefix: str = ""
    line: int = 0


@dataclass
class Site:
    """A place a request may start: `kind` is call | assign | http | ctor, or `new`: an SDK client
    constructed (its own route when no request offramp can follow is sent through it)."""

    kind: str
    func: Expr  # the callee (call/http/ctor) or the assignment target (assign)
    kwargs: List[Tuple[str, Expr]]
    span: SpanT
    scope: str  # "" (module), "f" or "Class.method"
    args: List[Expr] = field(default_factory=list)
    conditional: bool = False  # assign: under an `if` / `try` (may not run)
    # assign: the `if` arms it is made in when only those make it conditional (no `try`, loop or `match`), else ()
    arms: Branch = ()


@dataclass
class ModuleIndex:
    """One module's entry in the project index (project/indexer.py): what the routes need to follow a name
    across modules without parsing the module again. Plain data: cached by content digest (tree.IndexCache)."""

    name: str
    path: str  # display path
    package: bool  # an __init__.py
    imports: Dict[str, Tuple[str, Optional[str]]] = field(default_factory=dict)  # local -> (module, attr)
    star_imports: List[str] = field(default_factory=list)
    bindings: Dict[str, List[Expr]] = field(default_factory=dict)
    classes: Dict[str, ClassInfo] = field(default_factory=dict)
    functions: Dict[str, FuncInfo] = field(default_factory=dict)  # "f" and "Class.method"
    sites: List[Site] = field(default_factory=list)
    env_writes: List[Tuple[str, Expr, SpanT]] = field(default_factory=list)
    # Every read of an environment variable by name, wherever it is (also outside the values kept above):
    # `os.environ["X"]`, `os.getenv("X")`, `os.environ.get("X")`, and an SDK variable's name handed to
    # another reader (`Secret.from_env_var("OPENAI_API_KEY")`, `env["OPENAI_API_KEY"]`), as the per-file
    # analysis finds them: (name, span of the name's literal). A write's name follows its reads (stage.py).
    env_reads: List[Tuple[str, SpanT]] = field(default_factory=list)
    # Calls made as statements (`super().__init__(key, lang)`, `setup(api_key=KEY)`), by scope: the call
    # sites a parameter is resolved through (project.calls); calls inside bindings are in those already.
    calls: List[Tuple[str, Expr, Branch]] = field(default_factory=list)
    # Calls that load a `.env` file into the environment (`load_dotenv()`, `load_dotenv(".env.local")`,
    # `load_dotenv(find_dotenv())`), by scope: (scope, the path argument or None, span). A variable the
    # program reads afterwards (`os.getenv("OPENAI_BASE_URL")`) then holds that file's value (routes.py).
    dotenv: List[Tuple[str, Optional[Expr], SpanT]] = field(default_factory=list)
    # Arms that run only for some values of a name: (the name compared, its last part; the strings that
    # select the arm; first line; last line). A provider switch (`if provider == "openai": model = ...`,
    # `match provider: case "azure": AzureOpenAI(...)`) keeps each provider's values on its own requests.
    selectors: List[Tuple[str, Tuple[str, ...], int, int]] = field(default_factory=list)
    # A dict holds a request-body key only Azure serves (`"data_sources"`: Azure OpenAI On Your Data, rules/openai.toml
    # `azure-only-body`), in a module that sends request bodies: the Azure requests made here stay on Azure
    # (routes.py, checks/ondata.py).
    on_your_data: bool = False
    # The spans of such keys (`{"data_sources": ...}`, `dict(data_sources=...)`), whether or not the module sends a
    # body: one that builds the body for a module that imports it (project/ondata.py) is On Your Data too.
    body_keys: List[SpanT] = field(default_factory=list)

    def bound(self, scope: str, name: str) -> List[Expr]:
        """The values `name` is bound to as the code of function `scope` ("" the module) sees it: the function's own
        bindings of it, else the module's."""
        local = self.functions[scope].locals.get(name) if scope in self.functions else None
        return local if local else self.bindings.get(name, [])

    def to_data(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, d: Dict[str, Any]) -> ModuleIndex:
        m = cls(name=d["name"], path=d["path"], package=d["package"])
        m.imports = {k: (v[0], v[1]) for k, v in d["imports"].items()}
        m.star_imports = list(d["star_imports"])
        m.bindings = {k: [_tup(e) for e in v] for k, v in d["bindings"].items()}
        m.classes = {
            k: ClassInfo(
                bases=list(c["bases"]),
                kind=c["kind"],
                attrs={a: [_tup(e) for e in v] for a, v in c["attrs"].items()},
                env_prefix=c["env_prefix"],
                line=c["line"],
            )
            for k, c in d["classes"].items()
        }
        m.functions = {
            k: FuncInfo(
                params=[(p[0], _tup(p[1]) if p[1] is not None else None, p[2]) for p in f["params"]],
                locals={a: [_tup(e) for e in v] for a, v in f["locals"].items()},
                returns=[_tup(e) for e in f["returns"]],
                line=f["line"],
                positional=f["positional"],
                branches={a: [_tup(b) for b in v] for a, v in f["branches"].items()},
            )
            for k, f in d["functions"].items()
        }
        m.sites = [
            Site(
                kind=s["kind"],
                func=_tup(s["func"]),
                kwargs=[(k, _tup(v)) for k, v in s["kwargs"]],
                span=tuple(s["span"]),
                scope=s["scope"],
                args=[_tup(a) for a in s["args"]],
                conditional=s["conditional"],
                arms=_tup(s.get("arms", ())),
            )
            for s in d["sites"]
        ]
        m.env_writes = [(n, _tup(e), tuple(sp)) for n, e, sp in d["env_writes"]]
        m.env_reads = [(n, tuple(sp)) for n, sp in d["env_reads"]]
        m.calls = [(scope, _tup(e), _tup(b)) for scope, e, b in d["calls"]]
        m.dotenv = [(scope, _tup(e) if e is not None else None, tuple(sp)) for scope, e, sp in d["dotenv"]]
        m.selectors = [(n, tuple(vs), a, b) for n, vs, a, b in d["selectors"]]
        m.on_your_data = bool(d.get("on_your_data", False))
        m.body_keys = [tuple(sp) for sp in d.get("body_keys", ())]
        return m


def _tup(x: Any) -> Any:
    """Expressions are tuples all the way down (hashable, comparable); a list (JSON) becomes one."""
    if isinstance(x, list):
        return tuple(_tup(e) for e in x)
    return x


def last_name(e: Expr) -> str:
    """The name a callee ends with: `Chat` of `Chat` and of `llm.Chat`."""
    if isinstance(e, tuple) and e[:1] == ("name",):
        return str(e[1])
    if isinstance(e, tuple) and e[:1] == ("attr",):
        return str(e[2])
    return ""


def display(func: Expr) -> str:
    """An expression as a dotted name for messages: `client.chat.completions.create`, `get_client().x`."""
    parts: List[str] = []
    node = func
    while node[0] == "attr":
        parts.insert(0, node[2])
        node = node[1]
    if node[0] == "name":
        parts.insert(0, node[1])
    elif node[0] == "call":
        parts.insert(0, display(node[1]) + "()")
    else:
        parts.insert(0, "...")
    return ".".join(parts)


@dataclass(frozen=True)
class Watch:
    """Names that make a call worth keeping as a site (from rules/: SDK resources, framework classes).

    Text is searched with one regex that starts with a literal `.` and with `str.find` for bare names:
    a single regex with alternations of bare words cost ~1 s over the SDK corpora's 200 candidates.
    """

    segments: frozenset  # attribute names of SDK resource paths (`completions`, `ChatCompletion`...)
    wrappers: frozenset  # last names of framework classes and functions (`ChatOpenAI`, `completion`)
    dotted: Pattern[str]  # `.completions`, `.post(`...: text that can start a site
    makers: Pattern[str]  # `.Client`, `.api_base =`: text that can make or configure a client
    words: Tuple[str, ...]  # bare names that can start a site (framework callables, `environ`, `putenv`)
    classes: Tuple[str, ...]  # client class names (`OpenAI`, `AzureOpenAI`...)
    loaders: Tuple[str, ...] = ()  # calls that fill os.environ from a `.env` file (`load_dotenv`)
    # the SDK's variables (`OPENAI_API_KEY`...): a literal naming one is a read whatever reads it
    env_names: frozenset = frozenset()
    # Top-level names of the libraries whose calls are sites (`openai`, `langchain_openai`, `requests`...):
    # a project file is never taken for one of them by a suffix of its path. (A project module that
    # shadows one of them imports itself where it imports the library: no working program does.)
    libraries: frozenset = frozenset()
    # methods that rebuild a stored wrapper (rules/wrappers.toml [[reopener]]: chroma's `get_collection`)
    reopens: frozenset = frozenset()
    azure_body: Tuple[str, ...] = ()  # request-body keys only Azure serves (rules/openai.toml `azure-only-body`)
    sdk_modules: frozenset = frozenset()  # the SDK's own top-level modules (`openai`): no project module is one

    def env_offsets(self, text: str) -> List[int]:
        """Where text can read an environment variable: `environ`, `getenv`, an SDK variable's name (for its
        line: `AZURE_OPENAI_API_KEY` is found as `OPENAI_API_KEY`, see `covering`)."""
        return word_offsets(text, covering(("environ", "getenv", *sorted(self.env_names))))

    def site_offsets(self, text: str) -> List[int]:
        """Where text can start a site, for its line (a bare name is found by the shortest name it holds)."""
        out = [m.start() for m in self.dotted.finditer(text)]
        out += [m.start() for m in self.makers.finditer(text)]
        out += [i for i in (m.start() for m in _HEADERS.finditer(text)) if _word_starts(text, i)]
        return out + word_offsets(text, covering((*self.words, *self.classes)))

    def may_route(self, text: str) -> bool:
        """Whether a module can hold a site or hand a client to other modules: the others are indexed
        only when a name is followed into them."""
        if self.dotted.search(text) or self.makers.search(text):
            return True
        if any(_word_starts(text, m.start()) for m in _HEADERS.finditer(text)):
            return True
        return any(w in text for w in covering((*self.words, *self.classes)))

    def resource_chain(self, func: ast.Attribute) -> bool:
        node: ast.AST = func.value
        while isinstance(node, ast.Attribute):
            if node.attr in self.segments:
                return True
            node = node.value
        return False


# `headers=`: a raw HTTP call of any method that sends a credential (`requests.get(..., headers=...)`). Searched
# apart from `Watch.dotted` and without its `\b`, which took the regex's literal prefix away (0.085 of 0.11 s
# over the SDK corpora's indexed modules): `_word_starts` checks the boundary.
_HEADERS = re.compile(r"headers\s*=")


def _word_starts(text: str, i: int) -> bool:
    """What `\b` before text[i] (a word character) says: the character before is not a word character."""
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")


@lru_cache(maxsize=8)
def covering(words: Tuple[str, ...]) -> Tuple[str, ...]:
    """`words` without those that hold another of them (`AzureOpenAI` holds `OpenAI`): every line (or text)
    with one of `words` has one of these, in fewer `str.find` passes (57 names of the SDK and frameworks: 20)."""
    unique = tuple(dict.fromkeys(words))
    return tuple(w for w in unique if not any(o != w and o in w for o in unique))


def word_offsets(text: str, words: Tuple[str, ...]) -> List[int]:
    """Where each of `words` occurs in `text` (`str.find`: see `Watch`)."""
    out = []
    for w in words:
        i = text.find(w)
        while i >= 0:
            out.append(i)
            i = text.find(w, i + 1)
    return out


@lru_cache(maxsize=1)
def route_families() -> frozenset:
    """The endpoint families whose requests are routes (rules/openai.toml [routes] model-families)."""
    return frozenset(rules_file("openai.toml").get("routes", {}).get("model-families", []))


@lru_cache(maxsize=1)
def watch_from_rules() -> Watch:
    """The Watch of offramp's rules, kept per machine beside the parsed rules (tomlcache.py `derived`) under the
    digest of offramp's code and rules: building it loads the SDK surface and the framework table (~40 regexes
    and a dozen dataclasses, ~10 ms of a ~0.19 s warm check) to keep ~100 names."""
    from offramp import tomlcache  # lazy: start-up
    from offramp.cache import own_stamp  # lazy: start-up (cache imports this module's users)

    stamp = own_stamp().hex()
    kept = tomlcache.derived("watch", stamp)
    if kept is not None:
        try:
            return _watch_from_data(kept)
        except (KeyError, TypeError, ValueError, re.error):
            pass
    watch = _built_watch()
    tomlcache.keep_derived("watch", stamp, _watch_data(watch))
    return watch


def _watch_data(w: Watch) -> Dict[str, Any]:
    data = {f.name: getattr(w, f.name) for f in fields(w)}
    data["dotted"], data["makers"] = (w.dotted.pattern, w.dotted.flags), (w.makers.pattern, w.makers.flags)
    return data


def _watch_from_data(data: Dict[str, Any]) -> Watch:
    values = {f.name: data[f.name] for f in fields(Watch)}
    values["dotted"], values["makers"] = re.compile(*data["dotted"]), re.compile(*data["makers"])
    return Watch(**values)


def _built_watch() -> Watch:
    from offramp.wrappers import load_reopeners, load_wrappers  # lazy: start-up (a kept Watch needs neither)

    sdk = load_sdk()
    families = route_families()
    segments = {key.rsplit(".", 1)[-1] for key, fam in sdk.resources.items() if fam in families}
    segments |= {name for name, fam in sdk.legacy_resources.items() if fam in families}
    wrappers = {name.rsplit(".", 1)[-1] for name in load_wrappers()}
    # (a default-client setter is a site too: the framework calls of its module use that client)
    wrappers |= {
        s.partition(":")[0].rsplit(".", 1)[-1] for spec in load_wrappers().values() for s in spec.default_client_setters
    }
    alternation = "|".join(re.escape(w) for w in sorted(segments))
    reopens = {m for spec in load_reopeners() for m in spec.methods}  # (chroma's `.get_collection(`)
    calls = "|".join(("post", "request", "stream", *(re.escape(m) for m in sorted(reopens))))
    dotted = re.compile(rf"\.(?:(?:{alternation})\b|(?:{calls})\s*\()")  # (and `headers=`: `_HEADERS`)
    classes = {q.rsplit(".", 1)[-1] for q in (*sdk.openai_clients, *sdk.azure_clients)}
    generic = {c for c in classes if c in ("Client", "AsyncClient")}
    names = "|".join(re.escape(a) for a in sorted(set(sdk.module_config) | generic))
    makers = re.compile(rf"\.(?:{names})\b")
    words = (*sorted(wrappers), "environ", "putenv")
    roots = {q.split(".", 1)[0] for q in (*sdk.openai_clients, *sdk.azure_clients, *load_wrappers())}
    libraries = frozenset(roots | HTTP_LIBRARIES)
    return Watch(
        frozenset(segments),
        frozenset(wrappers),
        dotted,
        makers,
        words,
        tuple(sorted(classes - generic)),
        tuple(sdk.env_loaders),
        frozenset(sdk.env_roles),
        libraries,
        frozenset(reopens),
        tuple(sdk.azure_only_body),
        frozenset(sdk.sdk_modules),
    )


def absolute(module: str, name: str, package: bool) -> str:
    """`..config` imported by `pkg.sub.mod` is `pkg.config`."""
    level = len(module) - len(module.lstrip("."))
    if not level:
        return module
    parts = name.split(".") if package else name.split(".")[:-1]
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    rest = module[level:]
    return ".".join([*parts, rest] if rest else parts)


def place(
    m: ModuleIndex, name: str, package: bool, target: Optional[Callable[[str, Optional[str]], str]] = None
) -> ModuleIndex:
    """The entry as module `name` of the project: its relative imports made absolute, and, through `target`
    (tree.py `Project.import_target`: the absolute module and the name a `from` import takes), the modules of its
    own directory named as the project names them."""
    m.name, m.package = name, package

    def resolved(mod: str, attr: Optional[str]) -> str:
        mod = absolute(mod, name, package)
        return target(mod, attr) if target is not None else mod

    m.imports = {k: (resolved(mod, attr), attr) for k, (mod, attr) in m.imports.items()}
    m.star_imports = [resolved(mod, "*") for mod in m.star_imports]
    return m
