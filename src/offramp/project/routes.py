"""Routes: one per request site, with the Sources of its host, credential and model.

A request site is an SDK method call through a client, a call of the module client or a v0 class, a
framework constructor (rules/wrappers.toml), or a raw HTTP POST to an OpenAI or Azure OpenAI URL. The
construction gives host and credential (the SDK's defaults where one may be unset); the call the model.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from offramp.catalog import SdkSurface
from offramp.project.arms import Arms, every_arm
from offramp.project.calls import SHARED
from offramp.project.dotenvs import LoadedEnv
from offramp.project.flow import Flow
from offramp.project.frameworkroutes import framework_route
from offramp.project.importgraph import ImportGraph
from offramp.project.index import Expr, ModuleIndex, Site, display, last_name
from offramp.project.objects import Client, Ctx, ExtRef
from offramp.project.ondata import on_your_data_held
from offramp.project.perrequest import own_kwargs, per_request
from offramp.project.rawhttp import http_route
from offramp.project.reopens import reopen_routes
from offramp.project.sources import (
    AZURE_AD_TOKEN,
    MODULE,
    OPENAI_DEFAULT,
    UNSET_GIVEN,
    EnvRead,
    Literal,
    Route,
    SdkDefault,
    Source,
    Unknown,
    made_by_another_library,
    may_be_unset,
    with_fallback_read,
)
from offramp.project.subclassctors import framework_subclass_ctors
from offramp.types import Span
from offramp.wrappers import WrapperSpec, load_wrappers

_MODEL_ARGS = ("model", "engine", "deployment_id")


def _span(t: Sequence[int]) -> Span:
    return Span(*t)


class RouteFinder(ImportGraph):
    name_of: Optional[Callable[[str], Optional[str]]] = None  # Project.name_of: a name's module, not indexed

    def __init__(
        self,
        flow: Flow,
        sdk: SdkSurface,
        provider_hosts: Tuple[str, ...],
        env_line: Optional[Callable[[str, str, str], Optional[Tuple[str, int]]]] = None,
    ) -> None:
        """`env_line(reader, written, name)`: where a `.env` file a module loads sets a variable
        (its display path and line), so that a finding or a hold can sit on that line."""
        self.flow = flow
        self.env_line = env_line
        self.arms = Arms([])
        self.loaded = LoadedEnv(flow, [], self.linked, env_line)
        self.sdk = sdk
        self.provider_hosts = provider_hosts
        self.wrappers: Dict[str, WrapperSpec] = load_wrappers()
        self._module_config: Optional[Dict[str, List[Tuple[Ctx, Site]]]] = None
        self._env_writes: Optional[Dict[str, List[Tuple[Ctx, Expr]]]] = None
        self.modules: List[ModuleIndex] = []
        self._reach: Dict[str, Set[str]] = {}
        self._roots: Dict[str, Set[str]] = {}  # module -> the modules whose program includes it
        self._made: Dict[str, List[Client]] = {}  # subclass name -> its constructions
        self._set_later: Optional[Dict[Client, List[Tuple[str, List[Source]]]]] = None
        self._by_path: Optional[Dict[str, str]] = None  # display path -> module name

    # -- the whole project ------------------------------------------------------------------
    def routes(self, modules: Sequence[ModuleIndex]) -> List[Route]:
        self.modules = list(modules)
        self.arms = Arms(self.modules)
        self.loaded = LoadedEnv(self.flow, self.modules, self.linked, self.env_line)
        out: List[Route] = []
        for m in modules:
            for site in m.sites:
                ctx = Ctx(m.name, site.scope)
                try:
                    found = [self.arms.apart(r, m, site) for r in self.route(m, ctx, site)]
                except RecursionError:
                    found = []
                out.extend(
                    self.loaded.add_to(self.with_writes(_shared_on_credential(route), m.name)) for route in found
                )
        out = self.process_wide(out)
        out = on_your_data_held(out, self.modules, self.flow.module)
        out.extend(self.loaded.add_to(r) for r in self.unreached(out))
        out.extend(self.loaded.add_to(r) for r in self.framework_subclasses())
        out.extend(reopen_routes(self.flow, self.modules, self.wrappers))
        return [self.reached_writes(r) for r in out]

    def reached_writes(self, route: Route) -> Route:
        """The route with the environment writes it reads (`Route.writes`): of a variable it reads, in a module
        linked to its request's or its client's."""
        names = {s.name for s in (*route.host, *route.credential, *route.model) if isinstance(s, EnvRead)}
        if not names:
            return route
        if self._by_path is None:
            self._by_path = {m.path: m.name for m in self.modules}
        readers = {self._by_path[f] for f in (route.file, route.client_file) if f in self._by_path}
        sites = tuple(
            (m.path, _span(at))
            for m in self.modules
            for var, _, at in m.env_writes
            if var in names and any(self.linked(reader, m.name) for reader in readers)
        )
        return replace(route, writes=sites) if sites else route

    def process_wide(self, routes: List[Route]) -> List[Route]:
        """Each module-client route with the other files whose module-client requests share its program
        (`Route.process`). A v0 request with its own key was held in main.py while pool.py, which main.py
        imports, got the provider's `openai.api_base`: the held request went there with the OpenAI key."""
        names = {m.path: m.name for m in self.modules}
        files = sorted({r.file for r in routes if r.kind in ("module", "v0")})
        out: List[Route] = []
        for r in routes:
            if r.kind in ("module", "v0") and r.file in names:
                others = tuple(f for f in files if f != r.file and f in names and self.linked(names[r.file], names[f]))
                if others:
                    r = replace(r, process=others)
            out.append(r)
        return out

    def framework_subclasses(self) -> List[Route]:
        """`Chat(model=..., api_key=...)` of `class Chat(ChatOpenAI)` in another module: the base's route
        (project/subclassctors.py), moved by the file's plan as the base's constructor, or held with a TODO."""
        out: List[Route] = []
        for built in framework_subclass_ctors(self.flow, self.modules, self.wrappers):
            ctx = Ctx(built.module.name, built.site.scope)
            try:
                r = framework_route(self, built.module, ctx, built.site, self.wrappers[built.base])
            except RecursionError:
                continue
            if r is None or r.kind != "framework":
                continue  # (another provider's, a local server's, or bound to a client the code built)
            hint = ((built.module.path, r.span, built.base),)
            if built.held:
                r = replace(r, held=built.held, subclass_todo=hint)
            else:
                r = replace(r, subclass_ctors=hint)
            out.append(self.with_writes(_shared_on_credential(r), built.module.name))
        return out

    def unreached(self, routes: Sequence[Route]) -> List[Route]:
        """SDK clients that no request offramp can follow is sent through, each a route of its own
        (no model: its requests are not known). A real project's factory method returned
        `OpenAI(api_key=self.api_key)` to a registry that handed it to `call_model(client)`: on no
        route, the per-file plan aimed the client at the provider and kept `self.api_key`, whatever
        key the user had configured. As a route, its host and key move together or not at all."""
        known = {(r.client_file, r.client_span) for r in routes} | {o for r in routes for o in r.other_clients}
        openai, azure = set(self.sdk.openai_clients), set(self.sdk.azure_clients)
        out: List[Route] = []
        for m in self.modules:
            for site in m.sites:
                span = _span(site.span)
                if site.kind not in ("new", "ctor") or (m.path, span) in known:
                    continue
                ctx = Ctx(m.name, site.scope)
                try:
                    names = {v.qualified for v in self.flow.values(ctx, site.func) if isinstance(v, ExtRef)}
                    if not names & (openai | azure):
                        continue
                    is_azure = bool(names & azure)
                    kwargs = list(site.kwargs)
                    host, key = self.client_host(ctx, kwargs, is_azure), self.client_key(ctx, kwargs, is_azure)
                except RecursionError:
                    continue
                route = Route(
                    file=m.path,
                    span=span,
                    call=display(site.func),
                    kind="client",
                    family="",
                    azure=is_azure,
                    host=frozenset(host),
                    credential=frozenset(key),
                    client=display(site.func),
                    client_file=m.path,
                    client_span=span,
                    # (as a reached client's: the planner's `shared_key` replaces such an argument alike)
                    key_reads=()
                    if is_azure
                    else (tuple((m.path, at) for at in direct_key_reads(m, site.scope, kwargs)),),
                )
                out.append(self.with_writes(_shared_on_credential(route), m.name))
        return out

    def with_writes(self, route: Route, module: str) -> Route:
        """A variable read in code (`os.environ["OPENAI_API_KEY"]`) carries what the program itself
        wrote into it (`os.environ["OPENAI_API_KEY"] = os.getenv("PROD_KEY")`): those reads are the
        request's credential too, and renamed alone they would hand the provider's key to it."""
        extra: Set[Source] = set()
        for s in route.credential:
            if isinstance(s, EnvRead) and s.file:
                extra.update(self.env_written(s.name, module))
        if not extra - route.credential:
            return route
        return replace(route, credential=route.credential | frozenset(extra))

    def route(self, m: ModuleIndex, ctx: Ctx, site: Site) -> List[Route]:
        """The routes of one request site: more than one where its receiver may be several things
        (`pick(name)` returning the module client or an `OpenAI` client)."""
        if site.kind == "call":
            return self.sdk_call(m, ctx, site)
        if site.kind == "ctor":
            r = framework_route(self, m, ctx, site)
            return [r] if r is not None else []
        if site.kind == "http":
            r = http_route(self.flow, self.sdk, self.provider_hosts, m, ctx, site)
            return [r] if r is not None else self.sdk_call(m, ctx, site)
        return []

    # -- SDK calls --------------------------------------------------------------------------
    def family(self, segs: List[str]) -> Optional[str]:
        segs = [s for s in segs if s not in self.sdk.passthrough]
        for n in (2, 1):
            if len(segs) > n:
                fam = self.sdk.resources.get(".".join(segs[:n]))
                if fam is not None:
                    return fam
        return None

    def sdk_call(self, m: ModuleIndex, ctx: Ctx, site: Site) -> List[Route]:
        segs: List[str] = []
        node = site.func
        while node[0] == "attr":
            segs.insert(0, node[2])
            node = node[1]
            if len(segs) >= 2 and segs[0] in self.sdk.legacy_resources:
                for v in self.flow.values(ctx, node):
                    if isinstance(v, ExtRef) and self.sdk.undropped(v.qualified) in self.sdk.sdk_modules:
                        return [self.module_route(m, site, "v0", ".".join(segs), self.sdk.legacy_resources[segs[0]])]
            fam = self.family(segs)
            if fam is None:
                continue
            receivers = self.flow.values(ctx, node)
            out: List[Route] = []
            if any(self.sdk.undropped(v.qualified) in self.sdk.sdk_modules for v in receivers if isinstance(v, ExtRef)):
                out.append(self.module_route(m, site, "module", ".".join(segs), fam))
            clients = [v for v in receivers if isinstance(v, Client)]
            if clients:
                route = self.client_route(m, ctx, site, clients, fam, ".".join(segs))
                foreign = any(made_by_another_library(v, self.sdk.sdk_modules) for v in receivers)
                out.append(replace(route, foreign_receiver=foreign, sdk_method=True))
            if out:
                return out
        return []

    def model_of(self, ctx: Ctx, kwargs: Sequence[Tuple[str, Expr]], names: Sequence[str]) -> Set[Source]:
        out: Set[Source] = set()
        for k, v in kwargs:
            if k in names:
                out.update(self.flow.sources(ctx, v))
            elif k == "**" and not own_kwargs(self.flow, ctx, v):
                found, _ = self.flow.entries(ctx, v, names)
                out.update(s for sources in found.values() for s in sources)
        return out

    def client_route(
        self, m: ModuleIndex, ctx: Ctx, site: Site, clients: List[Client], family: str, path: str
    ) -> Route:
        host: Set[Source] = set()
        key: Set[Source] = set()
        azure = plain = False
        client_file, client_span, client = "", None, ""
        others: List[Tuple[str, Span]] = []
        own: Set[str] = set()
        key_reads: List[Tuple[Tuple[str, Span], ...]] = []
        made = [x for c in clients if c.call is None and c.subclass for x in self.constructions(c)]
        # (a subclass built in another module than its class's, the request made there: `Tuned(...).chat...`)
        built = [c for c in clients if c.call is not None and c.subclass and self.away(c) and c not in made]
        inheriting = [x for x in (*made, *built) if not self.held_subclass(x)]
        held = [x for x in (*made, *built) if self.held_subclass(x) and self.away(x)]
        for c in [*clients, *made] if made else clients:
            is_azure = c.qualified in self.sdk.azure_clients
            azure |= is_azure
            plain |= not is_azure
            if c.call is None and made and c.subclass:
                continue  # `self` of a subclass: its constructions below say where it goes
            if c.call is None:
                host.add(Unknown(f"a {c.subclass or c.qualified.rsplit('.', 1)[-1]} client made elsewhere"))
                continue
            cctx, call = c.call
            kwargs = list(call[3])
            cm = self.flow.module(cctx.module)
            if cm is not None and not client_file:
                client_file, client_span, client = cm.path, _span(call[4]), display(call[1])
            elif cm is not None and (cm.path, _span(call[4])) not in others:
                others.append((cm.path, _span(call[4])))
            host |= self.client_host(cctx, kwargs, is_azure)
            key |= self.client_key(cctx, kwargs, is_azure)
            if cm is not None and not is_azure:
                key_reads.append(tuple((cm.path, at) for at in direct_key_reads(cm, cctx.scope, kwargs)))
            for role, sources in self.set_later(c):
                (key if role == "cred" else host).update(sources)
                own.add(role)
        return Route(
            file=m.path,
            span=_span(site.span),
            call=display(site.func),
            kind="client",
            family=family,
            azure=azure,
            host=frozenset(host),
            credential=frozenset(key),
            model=frozenset(self.model_of(ctx, site.kwargs, _MODEL_ARGS)),
            client=client,
            client_file=client_file,
            client_span=client_span,
            other_clients=tuple(o for o in others if o != (client_file, client_span)),
            mixed=azure and plain,
            subclass_ctors=self.hints(inheriting) if len(inheriting) == len(made) + len(built) else (),
            # (one built elsewhere that fix leaves: the route stays whole, with a TODO there)
            held=self.held_subclass(held[0]) if held else "",
            subclass_todo=self.hints(held),
            own=tuple(sorted(own)),
            key_reads=tuple(key_reads),
        )

    def set_later(self, c: Client) -> List[Tuple[str, List[Source]]]:
        """`client.api_key = ...` / `client.base_url = ...` after the construction, as (`Route.own` role: "cred" or
        "host", the value's sources): the v1 client reads
        both attributes at each request, so what is written there is the route's key or host too. Unseen,
        `OpenAI()` moved to the provider while `client.api_key = os.environ["TEAM_OPENAI_KEY"]` below it
        sent the OpenAI key there."""
        if self._set_later is None:
            self._set_later = {}
            for m in self.modules:
                for site in m.sites:
                    if site.kind != "assign" or site.func[0] != "attr" or not site.kwargs:
                        continue
                    role = self.sdk.module_config.get(site.func[2])
                    if role not in ("key", "base-url", "azure-endpoint"):
                        continue
                    ctx = Ctx(m.name, site.scope)
                    for v in self.flow.values(ctx, site.func[1]):
                        if isinstance(v, Client) and v.call is not None:
                            found = self.flow.sources(ctx, site.kwargs[0][1])
                            self._set_later.setdefault(v, []).append(("cred" if role == "key" else "host", found))
        return self._set_later.get(c, [])

    def hints(self, built: Sequence[Client]) -> Tuple[Tuple[str, Span, str], ...]:
        out = []
        for x in built:
            home = self.flow.module(x.call[0].module) if x.call is not None else None
            if home is not None and x.call is not None:
                out.append((home.path, _span(x.call[1][4]), x.qualified))
        return tuple(out)

    def away(self, c: Client) -> bool:
        """Whether a subclass construction is in another module than its class (its file's analysis cannot
        tell it is a client)."""
        return c.call is not None and not any(
            m.name == c.call[0].module for m in self.modules if c.subclass in m.classes
        )

    def held_subclass(self, c: Client) -> str:
        """ "" for `Tuned(api_key=...)` of `class Tuned(OpenAI)` (one class of that name in the project, with no
        `__init__` or `__new__` of its own, on a plain SDK client), by keywords: the SDK's constructor as it is;
        otherwise why fix leaves the construction as it is."""
        if c.call is None or not c.subclass:
            return "its construction is not known"
        if c.qualified in self.sdk.azure_clients:
            return f"`{c.subclass}` is a subclass of `{c.qualified.rsplit('.', 1)[-1]}`: its base would have to change"
        _, call = c.call
        if call[2] or any(k == "**" for k, _ in call[3]):
            return f"`{c.subclass}` is built by position or from **kwargs"
        homes = [m for m in self.modules if c.subclass in m.classes]
        if len(homes) != 1:
            return f"more than one class of the project is named `{c.subclass}`"
        info, funcs = homes[0].classes[c.subclass], homes[0].functions
        plain = {q.rsplit(".", 1)[-1] for q in self.sdk.openai_clients}
        if any(f"{c.subclass}.{name}" in funcs for name in ("__init__", "__new__")):
            return f"`{c.subclass}` has an `__init__` of its own, which decides what its arguments mean"
        if not any(b.rsplit(".", 1)[-1] in plain for b in info.bases):
            return f"`{c.subclass}` derives from the SDK's client through another class"
        return ""

    def constructions(self, c: Client) -> List[Client]:
        """Where `self` of a project subclass of an SDK client (`class Chat(AzureOpenAI)` without its own
        `__init__`) is built: `Chat(api_key=..., azure_endpoint=...)` in a factory or another module. A
        request made in the subclass's methods goes where those arguments say; left "made elsewhere",
        its key reads were renamed while the endpoint stayed Azure."""
        name = c.subclass
        if name in self._made:
            return self._made[name]
        self._made[name] = []  # (a construction inside the class itself must not recurse here)
        out: List[Client] = []
        for m in self.modules:
            scoped: List[Tuple[str, Expr]] = [("", e) for es in m.bindings.values() for e in es]
            for key, f in m.functions.items():
                scoped += [(key, e) for es in f.locals.values() for e in es]
                scoped += [(key, e) for e in f.returns]
            for scope, e in scoped:
                if not (isinstance(e, tuple) and e[:1] == ("call",) and last_name(e[1]) == name):
                    continue
                for v in self.flow.values(Ctx(m.name, scope), e):
                    if isinstance(v, Client) and v.call is not None and v.subclass == name and v not in out:
                        out.append(v)
        self._made[name] = out
        return out

    def explicit(self, ctx: Ctx, kwargs: Sequence[Tuple[str, Expr]], names: Sequence[str]) -> Optional[Set[Source]]:
        """Sources of the first keyword in `names` given (also through a `**dict`); None when none is."""
        for k, v in kwargs:
            if k in names:
                return set(self.flow.sources(ctx, v))
        for k, v in kwargs:
            if k == "**":
                entries, opaque = self.flow.entries(ctx, v, names)
                found = {s for sources in entries.values() for s in sources} | (
                    {Unknown("**kwargs")} if opaque else set()
                )
                if found:
                    return found
        return None

    def client_host(self, ctx: Ctx, kwargs: Sequence[Tuple[str, Expr]], azure: bool) -> Set[Source]:
        names = ("azure_endpoint", "base_url") if azure else ("base_url",)
        given = self.explicit(ctx, kwargs, names)
        env = "AZURE_OPENAI_ENDPOINT" if azure else "OPENAI_BASE_URL"
        default = (
            SdkDefault("<resource>.openai.azure.com", f"{env} (read by the SDK)", azure=True)
            if azure
            else OPENAI_DEFAULT
        )
        if given is None:
            return {EnvRead(env), default, *self.env_written(env, ctx.module)}
        out = set(given)
        if not azure and any(may_be_unset(s) for s in given):
            out.add(SdkDefault(default.host, UNSET_GIVEN, azure=azure))
        return out

    def client_key(self, ctx: Ctx, kwargs: Sequence[Tuple[str, Expr]], azure: bool) -> Set[Source]:
        given = self.explicit(ctx, kwargs, ("api_key",))
        if given is None and azure and self.explicit(ctx, kwargs, ("azure_ad_token", "azure_ad_token_provider")):
            return {Unknown(AZURE_AD_TOKEN)}
        env = "AZURE_OPENAI_API_KEY" if azure else "OPENAI_API_KEY"
        if given is None:
            return {EnvRead(env), *self.env_written(env, ctx.module)}
        return with_fallback_read(given, env, "the SDK")

    def env_written(self, name: str, reader: Optional[str] = None) -> List[Source]:
        """Values the program itself puts into the variable (`os.environ["OPENAI_API_KEY"] = args.key`)."""
        if self._env_writes is None:
            self._env_writes = {}
            for m in self.modules:
                for var, expr, _ in m.env_writes:
                    self._env_writes.setdefault(var, []).append((Ctx(m.name, ""), expr))
        out: List[Source] = []
        for ctx, expr in self._env_writes.get(name, []):
            if reader is None or self.linked(reader, ctx.module):
                out += self.flow.sources(ctx, expr)
        return out

    # -- module client and v0 -----------------------------------------------------------------
    def module_config(self) -> Dict[str, List[Tuple[Ctx, Site]]]:
        """`openai.api_base = ...` and friends anywhere in the project, by role."""
        if self._module_config is None:
            self._module_config = {}
            for m in self.modules:
                for site in m.sites:
                    if site.kind != "assign" or site.func[0] != "attr" or site.func[2] not in self.sdk.module_config:
                        continue
                    ctx = Ctx(m.name, site.scope)
                    if any(
                        isinstance(v, ExtRef) and v.qualified in self.sdk.sdk_modules
                        for v in self.flow.values(ctx, site.func[1])
                    ):
                        role = self.sdk.module_config[site.func[2]]
                        self._module_config.setdefault(role, []).append((ctx, site))
        return self._module_config

    def module_route(self, m: ModuleIndex, site: Site, kind: str, path: str, family: str) -> Route:
        config = {
            role: [(ctx, a) for ctx, a in sites if self.linked(m.name, ctx.module)]
            for role, sites in self.module_config().items()
        }
        azure = any(
            isinstance(s, Literal) and (s.value or "").lower().startswith("azure")
            for ctx, a in config.get("api-type", [])
            for s in self.flow.sources(ctx, a.kwargs[0][1])
        )
        host: Set[Source] = set()
        always = False
        fallback: Optional[SdkDefault] = None
        arms = []  # (`if ...: openai.base_url = A` / `else: openai.base_url = B`: always set)
        for role in ("base-url", "azure-endpoint"):
            for ctx, a in config.get(role, []):
                found = self.flow.sources(ctx, a.kwargs[0][1])
                host.update(found)
                unset = any(may_be_unset(s) for s in found)
                always |= not a.conditional and not unset
                arms += [a.arms] if a.arms and not unset else []
                if fallback is None and (a.conditional or unset):
                    am = self.flow.module(ctx.module)
                    where = f"{am.path}:{a.span[0]}" if am is not None else "?"
                    why = f"when the assignment at {where} does not run" if a.conditional else "when it is unset"
                    fallback = SdkDefault(
                        "api.openai.com", why, file=am.path if am is not None else "", span=_span(a.span)
                    )
        if not always and not every_arm(arms):
            host |= {EnvRead("OPENAI_BASE_URL" if not azure else "AZURE_OPENAI_ENDPOINT"), fallback or OPENAI_DEFAULT}
        key: Set[Source] = set()
        key_always = False
        for ctx, a in config.get("key", []):
            key.update(self.flow.sources(ctx, a.kwargs[0][1]))
            key_always |= not a.conditional
        if not key_always:
            key |= {EnvRead("OPENAI_API_KEY"), *self.env_written("OPENAI_API_KEY", m.name)}
        ctx = Ctx(m.name, site.scope)
        own: Tuple[str, ...] = ()
        if kind == "v0":
            host, key, azure, own = per_request(self.flow, ctx, site, host, key, azure)
        # The files whose module configuration the request uses: its host and key move (or stay) there.
        homes: Dict[Tuple[str, Span], None] = {}
        for sites in config.values():
            for cctx, _ in sites:
                cm = self.flow.module(cctx.module)
                if cm is not None and cm.path != m.path:
                    homes[(cm.path, MODULE)] = None
        return Route(
            file=m.path,
            span=_span(site.span),
            call=display(site.func),
            kind=kind,
            family=family,
            azure=azure,
            host=frozenset(host),
            credential=frozenset(key),
            model=frozenset(self.model_of(ctx, site.kwargs, _MODEL_ARGS)),
            other_clients=tuple(homes),
            own=own,
        )


def _shared_on_credential(route: Route) -> Route:
    """A value also handed to a call offramp cannot follow matters for the key alone (the provider's key
    would go there too); a base URL or model handed on as well moves or stays with its route as before."""

    def kept(sources: FrozenSet[Source]) -> FrozenSet[Source]:
        return frozenset(s for s in sources if not (isinstance(s, Unknown) and s.reason.startswith(SHARED)))

    host, model = kept(route.host), kept(route.model)
    if host == route.host and model == route.model:
        return route
    return replace(route, host=host, model=model)


def direct_key_reads(m: ModuleIndex, scope: str, kwargs: Sequence[Tuple[str, Expr]]) -> List[Span]:
    """The environment reads an `api_key=` argument names itself: `os.environ[...]` written there, or a name
    bound to one in the same function or module (`api_key=OPENAI_API_KEY`), the planner's `shared_key` view."""
    value = next((v for k, v in kwargs if k == "api_key"), None)
    if value is None:
        return []
    if value[:1] == ("name",):
        bound = m.bound(scope, value[1])
    else:
        bound = [value]
    return [_span(e[3]) for e in bound if e[:1] == ("env",) and e[3] is not None]
