"""Checks over routes: findings that need the whole request (host, credential and model together).

Each finding sits where a person must act — the model constant in `settings.py`, the client whose
base URL may be unset, the variable whose key is sent to another host — and its message names the
route's call site (`app.py:12`). Per-file checks already report what one file shows on its own, so
a route's OFR101 / OFR201 / OFR202 findings are only produced where that file could not: the source
is in another module than the request, or the request's file never imports the SDK. The codes that
only routes can decide (OFR107, OFR204, OFR303, OFR304) are produced everywhere.
"""

from __future__ import annotations

from typing import Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlsplit

from offramp import codes
from offramp.catalog import SdkSurface
from offramp.checks.base import AIMED_AT_CHOSEN, AIMED_AWAY, CheckContext, Hit
from offramp.checks.capabilities import ENDPOINT_STATUS
from offramp.checks.lifecycle import lifecycle_hit
from offramp.checks.routegroup import RouteHit
from offramp.checks.unsetbase import unset_base_hits
from offramp.hosts import Target, classify_url, may_name_deployment
from offramp.mapping import is_provider_model
from offramp.project.sources import (
    AZURE_AD_TOKEN,
    ConfigValue,
    EnvRead,
    Literal,
    Route,
    SdkDefault,
    Source,
    Unknown,
    all_passed,
    every_route,
)
from offramp.providers import ENDPOINT_FAMILIES, Provider, builtin_providers
from offramp.types import Span
from offramp.wrappers import load_reopeners


def ordered(sources: Iterable[Source]) -> List[Source]:
    """A route's sources in a fixed order. They are sets, and which host a message names (`is sent to
    ...`) or which hit a span keeps must not change with PYTHONHASHSEED: checking tests/fixtures/fix
    as one project gave different messages from run to run."""
    return sorted(sources, key=repr)


def host_targets(route: Route, ctx: CheckContext, provider_hosts: Tuple[str, ...]) -> List[Tuple[Source, Target]]:
    """Each host source with where it sends the request."""
    out: List[Tuple[Source, Target]] = []
    for s in ordered(route.host):
        if isinstance(s, SdkDefault):
            kind = "azure" if s.azure else "openai"
            out.append((s, Target(kind, "" if s.azure else s.host, s.host)))
        elif isinstance(s, (Literal, ConfigValue)) and s.value:
            t = classify_url(s.value, ctx.sdk, provider_hosts)
            out.append((s, t.for_azure_client() if route.azure else t))
        elif isinstance(s, EnvRead):
            out.append((s, Target("env", detail=f"${s.name}")))
        else:
            out.append((s, Target("dynamic")))
    return out


def settled_requests(
    routes: Iterable[Route], ctx: CheckContext, provider_hosts: Tuple[str, ...]
) -> Dict[str, List[Span]]:
    """Requests (by file, their spans) every route of which the project shows aimed away from OpenAI and Azure: a
    local server, a provider, another host (devika's `OpenAI(base_url=Config().get_lmstudio_api_endpoint())`,
    config.toml's `http://localhost:1234/v1`). The file alone cannot read such a base URL and asks for the
    request's run-time model (OFR203, checks/models.py); no migration concerns it."""

    def aimed(r: Route) -> Optional[bool]:
        if r.alone:
            return None
        targets = host_targets(r, ctx.for_family(r.family), provider_hosts)
        return bool(targets) and all(t.kind in ("local", "provider", "other") for _, t in targets)

    return every_route(routes, aimed)


def provider_model_reads(routes: Iterable[Route], ctx: CheckContext) -> Dict[str, List[Span]]:
    """Reads of a model variable (by file) that every `.env` the program loads sets to a model of the route's
    provider, as `fix` leaves it: such a read no longer "names an OpenAI model" (OFR301). Where no loaded file
    sets the variable, the deployment may still, and the read stays reported."""
    verdict: List[Tuple[str, Span, bool]] = []
    for r in routes:
        p = ctx.for_family(r.family).provider
        loaded: Dict[str, List[Optional[str]]] = {}
        for s in r.model:
            if isinstance(s, ConfigValue) and s.loaded:
                loaded.setdefault(s.key, []).append(s.value)
        for s in r.model:
            if isinstance(s, EnvRead) and s.file and s.span is not None and s.name in loaded:
                ok = p is not None and all(v and is_provider_model(v, p, ctx.models) for v in loaded[s.name])
                verdict.append((s.file, s.span, bool(ok)))
    return all_passed(verdict)


def _provider_of(host: str, chosen: Optional[Provider]) -> Optional[Provider]:
    if chosen is not None and host in chosen.hosts:
        return chosen
    for p in builtin_providers().values():
        if host in p.hosts or any(host.endswith("." + h) for h in p.hosts):
            return p
    return None


def check_routes(
    routes: Iterable[Route],
    ctx: CheckContext,
    provider_hosts: Tuple[str, ...],
    sdk_file: Callable[[str], bool],
    unbound: Callable[[str, str], bool] = lambda path, name: False,
) -> List[RouteHit]:
    """`sdk_file(path)`: whether the per-file analysis of `path` sees its SDK use (it imports the SDK);
    `unbound(path, name)`: whether nothing in module `path` binds `name` (no import, assignment or parameter)."""
    out: List[RouteHit] = []
    base = ctx
    for route in routes:
        ctx = base.for_family(route.family)  # its own family's provider (offramp.targets)
        if route.kind == "reopen":
            out += _reopened(route, ctx)
            continue
        targets = host_targets(route, ctx, provider_hosts)
        blocked = [t for _, t in targets if t.blocked]
        unknown = [t for _, t in targets if not t.blocked and t.kind in ("env", "dynamic")]
        elsewhere = [t for _, t in targets if t.kind in ("provider", "local", "other")]
        live = bool(blocked or unknown or not targets)
        out += unset_base_hits(route, targets)
        out += _endpoint(route, ctx, live, elsewhere)
        out += _env_model(route, ctx, live, elsewhere)
        out += _models(route, ctx, live, elsewhere, blocked)
        out += _credentials(route, ctx, blocked, elsewhere)
        if route.kind == "http":
            out += _http_urls(route, targets)
        if route.azure and route.client_span is not None and _through_self(route) and not sdk_file(route.client_file):
            # `AzTuned(azure_endpoint=...)` of `class AzTuned(AzureOpenAI)` in another module: fix leaves it too
            hint = f"`{route.client}` is built here from a class of another module: fix leaves it"
            args = {"cls": route.client, "where": ""}
            hit = Hit(codes.AZURE_OPENAI_CLIENT, route.client_span, args, fixable=False, hint=hint)
            out.append(RouteHit(route.client_file, hit, route.where))
        out += _subclass_built_elsewhere(route, blocked)
        out += _module_configured_elsewhere(route, targets, ctx)
        out += _supplied_library(route, blocked, sdk_file, unbound)
        if (
            route.client_file
            and route.client_span is not None
            and route.kind == "client"
            and not sdk_file(route.client_file)
            and blocked
            and not route.azure
        ):
            # (a file without SDK use has no plan of its own that moves the construction, unless the routes
            # show it is the SDK's constructor: `Tuned(api_key=...)` of `class Tuned(OpenAI)` in clients.py, which
            # the route gate hands to fix; a construction by position, or of a class with its own `__init__`, stays)
            cls = route.client if _through_self(route) else route.call.split(".")[0]
            args = {"cls": cls, "target": blocked[0].describe()}
            moves = bool(route.subclass_ctors)
            built_elsewhere = f"`{cls}` is built here from a class of another module: fix leaves it"
            hint = built_elsewhere if _through_self(route) else ""
            hit = Hit(codes.OPENAI_CLIENT, route.client_span, args, fixable=moves, hint="" if moves else hint)
            out.append(RouteHit(route.client_file, hit, route.where))
    return out


def _module_configured_elsewhere(
    route: Route, targets: List[Tuple[Source, Target]], ctx: CheckContext
) -> List[RouteHit]:
    """Where the module client of a request configured in other modules goes (`openai.api_type = "azure"` and its
    endpoint in config.py, `openai.ChatCompletion.create(engine=...)` in app.py). The request's file alone says
    "calls api.openai.com (no base URL set in this file)", untrue of a route that goes to Azure (the route gate
    holds it there whole for an unmapped deployment, project/gate.py): this retells that finding (OFR104 /
    OFR105, `RETOLD_BY_ROUTES`), naming the files that configure it (`azure`: to Azure, where the request's model
    is the deployment the route names, OFR202, not the OpenAI model its file alone sees). Never a finding of its
    own. A request every host of which is a local server, a provider or another host that is not OpenAI's or
    Azure's (`aimed_away`) is not one: the retelling says so (`AIMED_AWAY`; `AIMED_AT_CHOSEN` where every host is
    the chosen provider's, whose gaps stay), and the finding goes (joinroutes.with_routes)."""
    files = configured_elsewhere(route)
    if not files:
        return []
    code = codes.MODULE_CLIENT_CALL if route.kind == "module" else codes.LEGACY_API_CALL
    if aimed_away(route, targets, ctx.sdk):
        p = ctx.provider
        # (the chosen provider's host on any arm: `if ...: openai.api_base = <DeepSeek's>` else Qwen's, --to qwen)
        hosts = {h.lower() for h in p.hosts} if p is not None else set()
        chosen = any(t.kind == "provider" and t.host.lower() in hosts for s, t in targets if not isinstance(s, EnvRead))
        args = {"call": route.call, "target": AIMED_AT_CHOSEN if chosen else AIMED_AWAY}
        return [RouteHit(route.file, Hit(code, route.span, args), route.where)]
    where = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    if route.azure and all(t.kind in ("azure", "env") for _, t in targets):
        details = sorted(
            f"${s.name}" if isinstance(s, EnvRead) else _hostname(s.value or "")
            for s in route.host
            if isinstance(s, EnvRead) or (isinstance(s, Literal) and s.value)
        )
        shown = f"Azure OpenAI ({details[0]})" if len(details) == 1 else "Azure OpenAI"
        told = {"call": route.call, "target": f"targets {shown}, configured in {where}", "azure": True}
        return [RouteHit(route.file, Hit(code, route.span, told), route.where)]
    if any(t.blocked for _, t in targets) and all(t.kind in ("openai", "env") for _, t in targets):
        target = f"calls {next(t for _, t in targets if t.blocked).describe()}, configured in {where}"
    elif any(t.kind == "env" for _, t in targets) and all(t.kind in ("env", *AWAY) for _, t in targets):
        # (`os.getenv("OPENAI_API_BASE", "http://localhost:8000/v1")`: the variable may hold OpenAI's URL, so the
        # finding stays, but "no base URL set in this file" says nothing of where it is set)
        names = ", ".join(sorted({t.describe() for _, t in targets if t.kind == "env"}))
        default = ", ".join(sorted({t.describe() for _, t in targets if t.kind != "env"}))
        shown = f"{names} (default {default})" if default else names
        openai_env = any(isinstance(s, EnvRead) and ctx.sdk.env_role(s.name) for s, _ in targets)
        target = f"calls the URL in {shown}, configured in {where}" + (
            ": the variable may hold OpenAI's" if openai_env else ""
        )
    else:
        return []  # (a provider, a variable or a host offramp cannot know configured elsewhere: not retold here)
    return [RouteHit(route.file, Hit(code, route.span, {"call": route.call, "target": target}), route.where)]


def configured_elsewhere(route: Route) -> List[str]:
    """The other files that configure the module client of a module / v0 route whose own file sets none of its
    host (config.py's `openai.api_base = ...`, app.py's `openai.ChatCompletion.create(...)`); [] for any other."""
    if route.kind not in ("module", "v0"):
        return []
    own = route.file
    files = sorted({path for path, _ in route.other_clients} - {own, ""})
    if any(getattr(s, "file", "") == own for s in route.host):
        return []  # (configured in its own file too: what the file shows is what it says)
    return files


#: Where a request configured elsewhere goes that is no concern of the migration (checks/routes.py `aimed_away`)
AWAY = ("local", "provider", "other")


def aimed_away(route: Route, targets: List[Tuple[Source, Target]], sdk: SdkSurface) -> bool:
    """Whether every host of a module / v0 route configured in other files (`configured_elsewhere`) is a local
    server, a provider's (config.py's `openai.api_base = "https://dashscope.aliyuncs.com/compatible-mode/v1"`) or
    another host that is not OpenAI's or Azure's: a host that may be unset (the SDK's default), a variable or a
    value offramp cannot know is not. The request's file alone says it calls api.openai.com; in one file such a
    request has no finding but what the routes tell of its model (OFR204) and, with the chosen provider's host,
    what that provider lacks; `fix` leaves its host (project/gate.py `modules_aimed_away`). A variable with such a
    default the SDK does not read as OpenAI's or Azure's (`os.getenv("DASHSCOPE_BASE_URL", "https://dashscope...")`)
    goes where its default does, as one file takes it (analysis/targets.py); OPENAI_API_BASE may hold OpenAI's."""
    if not configured_elsewhere(route):
        return False
    hosts = [t for s, t in targets if not (isinstance(s, EnvRead) and s.has_default and not sdk.env_role(s.name))]
    return bool(hosts) and all(t.kind in AWAY for t in hosts)


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _reopened(route: Route, ctx: CheckContext) -> List[RouteHit]:
    """`client.get_collection("docs")` in a file that does not build the embedding function the collection stored
    (project/reopens.py), as analysis/reopen.py reports one in the function's own file."""
    spec = next((s for s in load_reopeners() if s.id == route.reopener), None)
    if spec is None:
        return []
    target = f"api.openai.com (without `{spec.arg}=` {spec.what})"
    fixable = bool(route.client) and not (ctx.provider and ctx.provider.endpoint(route.family) == "no")
    hit = Hit(codes.OPENAI_CLIENT, route.span, {"cls": route.call, "target": target}, fixable=fixable)
    return [RouteHit(route.file, hit, route.where)]


def _subclass_built_elsewhere(route: Route, blocked: List[Target]) -> List[RouteHit]:
    """`Chat(...)` of `class Chat(ChatOpenAI)` in another module (project/subclassctors.py): its file alone sees
    a project class, so the construction is reported here, fixable when fix rewrites it as its base."""
    if route.kind != "framework" or route.client_span is None or not (route.subclass_ctors or route.subclass_todo):
        return []
    if not route.azure and not blocked:
        return []
    cls = route.client
    if route.azure:
        args = {"cls": cls, "where": ""}
        hit = Hit(codes.AZURE_OPENAI_CLIENT, route.client_span, args, fixable=False, hint=route.held)
    else:
        args = {"cls": cls, "target": blocked[0].describe()}
        hit = Hit(codes.OPENAI_CLIENT, route.client_span, args, fixable=not route.held, hint=route.held)
    return [RouteHit(route.client_file, hit, route.where)]


def _supplied_library(
    route: Route, blocked: List[Target], sdk_file: Callable[[str], bool], unbound: Callable[[str, str], bool]
) -> List[RouteHit]:
    """`litellm.completion(model="gpt-4o-mini", ...)` where nothing in the file binds `litellm`: a framework supplies
    it when it runs the function (babyagi's `@func.register_function(imports=["litellm"])`). The route has the
    library's default host and key, and its model was reported (OFR201) while the call had no finding: the file
    alone sees no library. Reported here, and left (fix plans a file from what it imports)."""
    head = route.call.split(".")[0]
    if (
        route.kind != "framework"
        or route.client_span is None
        or route.subclass_ctors
        or route.subclass_todo
        or route.azure
        or not blocked
        or sdk_file(route.client_file)
        or not unbound(route.client_file, head)
    ):
        return []
    hint = f"`{head}` is bound nowhere in this file (the program supplies it when it runs): fix leaves it"
    args = {"cls": route.client, "target": blocked[0].describe()}
    hit = Hit(codes.OPENAI_CLIENT, route.client_span, args, fixable=False, hint=hint)
    return [RouteHit(route.client_file, hit, route.where)]


def _through_self(route: Route) -> bool:
    """A request a project subclass of an SDK client makes in its own methods (`self.chat...`), with the
    construction that says where it goes in another file."""
    return route.call.split(".")[0] == "self" and bool(route.client) and route.client_file != route.file


def _endpoint(route: Route, ctx: CheckContext, live: bool, elsewhere: List[Target]) -> List[RouteHit]:
    """An API the provider lacks (OFR401), asked through a client the request's own file cannot see (`from
    evals.registry import client`, then `client.beta.assistants.create(...)`): once fix moved the client,
    the request failed at the provider and check after fix said nothing of it. The per-file check reports
    the calls it sees itself (the runner keeps its finding on the same line)."""
    p = ctx.provider
    if p is None or not route.sdk_method or not route.family or not _reaches(route, p, live, elsewhere):
        return []
    status = p.endpoint(route.family) if route.family in ENDPOINT_FAMILIES else "no"
    if status not in ENDPOINT_STATUS:
        return []
    text, severity = ENDPOINT_STATUS[status]
    args = {"provider": p.name, "status": text, "family": route.family, "call": route.call}
    return [RouteHit(route.file, Hit(codes.UNSUPPORTED_ENDPOINT, route.span, args, severity=severity), route.where)]


def env_model(route: Route) -> Optional[EnvRead]:
    """The variable the model of an SDK method route is read from in the code, when no literal reaches it
    (`model = os.environ["AZURE_OPENAI_CHAT_DEPLOYMENT"]` returned with the client by a factory)."""
    if not route.sdk_method or any(isinstance(s, Literal) and s.value for s in route.model):
        return None
    reads = sorted((s for s in route.model if isinstance(s, EnvRead) and s.file and s.span), key=repr)
    return reads[0] if reads else None


def _env_model(route: Route, ctx: CheckContext, live: bool, elsewhere: List[Target]) -> List[RouteHit]:
    """OFR203 for a request whose model comes from an environment variable read in another module or
    through a client its own file cannot see (a factory returning `client, model`): the per-file check
    reports the calls it sees. Once fix moved the client, the variable still named an OpenAI model or an
    Azure deployment, and fix said nothing of it."""
    p = ctx.provider
    read = env_model(route)
    if p is None or read is None or not _reaches(route, p, live, elsewhere):
        return []
    args = {"call": route.call, "origin": f"environment variable `{read.name}`", "provider": p.name}
    return [RouteHit(route.file, Hit(codes.DYNAMIC_MODEL, route.span, args), route.where)]


def _reaches(route: Route, p: Provider, live: bool, elsewhere: List[Target]) -> bool:
    """Whether the request may still reach OpenAI/Azure, or already goes to `p` (after fix)."""
    hosts = {h.lower() for h in p.hosts}
    return live or bool(elsewhere and all(t.kind == "provider" and t.host.lower() in hosts for t in elsewhere))


def sent_as_deployment(route: Route, value: str, ctx: CheckContext) -> bool:
    """Whether `value`, a model an Azure route sends (as `_models` tells it from an OpenAI model), is reported as an
    Azure deployment: not a model of the provider, nor another library's model on a receiver that may be that
    library's object (`claude-3-opus` of the factory's `Anthropic()` branch: no Azure deployment)."""
    if ctx.provider is not None and is_provider_model(value, ctx.provider, ctx.models):
        return False
    if route.mixed and not may_name_deployment(value):
        # no Azure deployment is named so (letters, digits, `-`, `_`, `.`): the branch of a plain client aimed at
        # a configured server sends it (khoj's `thenlper/gte-small` to its embeddings endpoint, which
        # `get_openai_client` builds as AzureOpenAI only for an `*.openai.azure.com` URL)
        return False
    return not (route.foreign_receiver and not ctx.sdk.is_openai_model(value))


def _models(
    route: Route,
    ctx: CheckContext,
    live: bool,
    elsewhere: List[Target],
    blocked: List[Target],
) -> List[RouteHit]:
    out: List[RouteHit] = []
    provider = ctx.provider
    for s in ordered(route.model):
        if isinstance(s, ConfigValue) and s.loaded:
            continue  # a `.env` value the program loads: that file's own findings sit on its line
        if isinstance(s, ConfigValue) and s.value:
            # a model from the configuration file the code loads: reported at the line that loads it
            where = _config_reader(s)
            if where is None:
                continue
            s = Literal(where[0], where[1], s.value)
        if not isinstance(s, Literal) or not s.value or s.template or not s.file:
            continue
        value = s.value
        if not value.strip():
            continue
        # What the request sends: LiteLLM's `openai/deepseek-v4-pro` is `deepseek-v4-pro` at the provider's URL
        # (as fix writes it, fixes/literals.py); judged whole, every id fix wrote for DeepSeek was "not served".
        # And to OpenAI: chat-langchain's `ModelConfig(id="openai:gpt-5.4-nano")`, handed to `init_chat_model`
        # in another module, was no OpenAI model and went unreported.
        prefix = route.model_template.partition("{}")[0]
        if prefix and value.startswith(prefix) and len(value) > len(prefix):
            value = value[len(prefix) :]
        openai_model = ctx.sdk.is_openai_model(value)
        if live:
            # (where the per-file checks report it too, on the same line, the runner keeps theirs)
            # A route that may be OpenAI's or Azure's (`mixed`: a client chosen by a branch) names an OpenAI model
            # id as such (its OpenAI branch sends it; fix writes it as OFR201's, fixes/planner.py); an id of no
            # OpenAI model can only be the Azure branch's deployment
            if route.azure and not (route.mixed and openai_model):
                if not sent_as_deployment(route, value, ctx):
                    continue
                choice = ctx.choose(value)
                # (worded as one file words it, checks/models.py `check_models`)
                if provider is not None and choice is not None and choice.target:
                    mapping = choice.becomes(provider)
                elif provider is not None:
                    mapping = f"has no {provider.name} model; map it under [tool.offramp.models]"
                else:
                    mapping = "must be replaced by a provider model id" + (
                        "" if openai_model or value in ctx.models else " (add it to [tool.offramp.models])"
                    )
                args = {"deployment": value, "arg": "model", "mapping": mapping}
                out.append(RouteHit(s.file, Hit(codes.AZURE_DEPLOYMENT, s.span, args, fixable=False), route.where))
                continue
            if not openai_model:
                continue
            choice = ctx.choose(value)
            if provider is None:
                mapping = "is only served by OpenAI"
            elif choice is not None and choice.target:
                mapping = choice.becomes(provider)
            else:
                mapping = f"has no {provider.name} equivalent"
            args = {"model": value, "mapping": mapping}
            # (a subclass's method, its constructions retargeted by the route gate: fix maps it with them)
            fixable = bool(route.subclass_ctors) and provider is not None and choice is not None and bool(choice.target)
            out.append(RouteHit(s.file, Hit(codes.OPENAI_MODEL, s.span, args, fixable=fixable), route.where))
            continue
        # (each provider a branch may pick, `qwen_url if ... else deepseek_url`: the id goes to all of them, and the
        # first that does not serve it is said; a self-hosted or in-house server may well serve an OpenAI-named model)
        hosts = list(dict.fromkeys(t.host for t in elsewhere if t.kind == "provider")) if not blocked else []
        for host in hosts:
            target = _provider_of(host, provider)
            if openai_model:
                if target is not None and is_provider_model(value, target, ctx.models):
                    continue
                args = {"model": value, "provider": target.name if target is not None else host, "host": host}
                out.append(RouteHit(s.file, Hit(codes.MODEL_NOT_SERVED, s.span, args), route.where))
                break
            if target is not None:  # a provider's own id: retired, redirected or never served there (lifecycle.py)
                ours = provider is None or target is provider
                hit = lifecycle_hit(value, s.span, host, target, ctx.models if ours else {}, ours)
                if hit is not None:
                    out.append(RouteHit(s.file, hit, route.where))
                    break
    return out


def _credentials(route: Route, ctx: CheckContext, blocked: List[Target], elsewhere: List[Target]) -> List[RouteHit]:
    """An OpenAI / Azure key (variable, or the SDK's implicit OPENAI_API_KEY) on a route to another host,
    or a provider's key on a route that may go to OpenAI / Azure."""
    if blocked:
        return _provider_keys(route, blocked)
    if not elsewhere:
        return []
    host = elsewhere[0].host or elsewhere[0].describe()
    out: List[RouteHit] = _unset_keys(route, ctx, elsewhere[0], host)
    for s in ordered(route.credential):
        if isinstance(s, EnvRead) and ctx.sdk.env_role(s.name) == "key":
            what = f"environment variable `{s.name}` (an OpenAI/Azure credential)"
            if s.file and s.span is not None:
                out.append(
                    RouteHit(s.file, Hit(codes.FOREIGN_CREDENTIAL, s.span, {"what": what, "host": host}), route.where)
                )
            elif route.client_file and route.client_span is not None:
                what = f"`{s.name}`, read by the SDK because no api_key is given,"
                out.append(
                    RouteHit(
                        route.client_file,
                        Hit(
                            codes.FOREIGN_CREDENTIAL,
                            route.client_span,
                            {"what": what, "host": host},
                            severity="warning",
                        ),
                        route.where,
                    )
                )
        elif isinstance(s, ConfigValue) and any(w in s.key.lower() for w in ("openai", "azure", "aoai")):
            where = _config_reader(s)
            if where is not None:
                what = f"`{s.key}` from {s.file} (an OpenAI/Azure credential)"
                out.append(
                    RouteHit(
                        where[0], Hit(codes.FOREIGN_CREDENTIAL, where[1], {"what": what, "host": host}), route.where
                    )
                )
        elif isinstance(s, Unknown) and s.reason == AZURE_AD_TOKEN and route.client_span is not None:
            out.append(
                RouteHit(
                    route.client_file,
                    Hit(codes.FOREIGN_CREDENTIAL, route.client_span, {"what": "an Azure AD token", "host": host}),
                    route.where,
                )
            )
    return out


def _unset_keys(route: Route, ctx: CheckContext, target: Target, host: str) -> List[RouteHit]:
    """A provider key read that returns None when its variable is unset (`os.getenv("DASHSCOPE_API_KEY")`):
    the SDK (and the frameworks built on it) then reads OPENAI_API_KEY itself and sends that to the
    provider. Raw HTTP requests and the v0 SDK (which refuses a None key) have no such fallback."""
    if target.kind != "provider" or route.kind in ("http", "v0") or route.azure:
        return []
    out: List[RouteHit] = []
    for s in ordered(route.credential):
        if isinstance(s, EnvRead) and s.nullable and s.file and s.span is not None and not ctx.sdk.env_role(s.name):
            args = {"env": s.name, "host": host}
            out.append(RouteHit(s.file, Hit(codes.KEY_MAY_BE_UNSET, s.span, args), route.where))
    return out


def _http_urls(route: Route, targets: List[Tuple[Source, Target]]) -> List[RouteHit]:
    """The URL of a raw HTTP request to OpenAI / Azure, where it is defined (often a settings module)."""
    out: List[RouteHit] = []
    for s, t in targets:
        if isinstance(s, Literal) and s.value and s.file and t.blocked:
            kind = "Azure OpenAI" if t.kind == "azure" else "OpenAI API"
            out.append(
                RouteHit(
                    s.file, Hit(codes.OPENAI_URL, s.span, {"kind": kind, "url": s.value}, fixable=False), route.where
                )
            )
    return out


def _provider_keys(route: Route, blocked: List[Target]) -> List[RouteHit]:
    keys = {p.key_env: p.name for p in builtin_providers().values() if p.key_env}
    out: List[RouteHit] = []
    for s in ordered(route.credential):
        if isinstance(s, EnvRead) and s.name in keys and s.file and s.span is not None:
            what = f"{keys[s.name]}'s key `{s.name}`"
            out.append(
                RouteHit(
                    s.file,
                    Hit(codes.FOREIGN_CREDENTIAL, s.span, {"what": what, "host": blocked[0].describe()}),
                    route.where,
                )
            )
    return out


def _config_reader(s: ConfigValue) -> Optional[Tuple[str, Span]]:
    """The line of code that loads the configuration file (findings sit in code, not in the data file)."""
    path, _, line = s.reader.rpartition(":")
    if not path or not line.isdigit():
        return None
    n = int(line)
    return path, Span(n, 1, n, 1)
