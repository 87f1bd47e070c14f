"""OFR1xx: clients, module-level configuration, legacy calls and URLs that reach OpenAI or Azure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Mapping, Optional, Set
from urllib.parse import urlsplit

import libcst as cst

from offramp import codes
from offramp.analysis.facts import Analysis, ClientCtor, ModelLiteral, ModuleAssign, UrlLiteral
from offramp.analysis.frameworks import library_refuses
from offramp.catalog import SdkSurface
from offramp.checks.azure_routes import unmapped_client_deployments, unmapped_module_deployments
from offramp.checks.base import TURNED_OFF, CheckContext, Hit
from offramp.checks.modulekey import caller_key
from offramp.checks.ondata import holds
from offramp.hosts import Target
from offramp.providers import Provider
from offramp.redact import without_url_credentials


def _goes(target: Target) -> str:
    text = target.describe()
    if target.kind == "azure":
        return f"targets {text}"
    return text if text.startswith("calls ") else f"calls {text}"


def client_code(c: ClientCtor) -> str:
    """The rule a client's finding is reported under (fix plans its changes for that finding)."""
    return codes.AZURE_OPENAI_CLIENT if c.azure else codes.OPENAI_CLIENT


# Why `fix` leaves something aimed at OpenAI/Azure where it is, with a TODO (`Left.kind`)
SUBCLASS = "subclass"  # a subclass of a framework class: its base is the person's to change
KWARGS = "kwargs"  # a client built from **kwargs: where its host and key come from is not here
UNSERVED = "unserved"  # a wrapper or config dict for an API the provider does not serve (a URL: a path it lacks)
REFUSED = "refused"  # a wrapper whose library would refuse the URL or model fix writes (`why`)
AZURE_URL = "azure-url"  # an Azure OpenAI endpoint URL: no path maps to the provider's
NO_COUNTERPART = "no-counterpart"  # an OpenAI URL outside /v1 (dashboards, billing)
CREDENTIALS = "credentials"  # a URL built at run time (an f-string) that carries OpenAI's credentials (`why`)
# an Azure client a request of which names a deployment with no provider model (`why`: which, and where): it
# stays on Azure whole, host, key and every model (checks/azure_routes.py)
DEPLOYMENTS = "deployments"  # (`why`: "deployment `a` (where)" or "deployments `a` (...), `b` (...)")


@dataclass(frozen=True)
class Left:
    """Why `fix` writes a TODO rather than moving a client or URL; `why` says more (REFUSED: the library's
    objection; UNSERVED for a URL: the path the provider does not serve)."""

    kind: str
    why: str = ""


def client_left(
    c: ClientCtor,
    a: Analysis,
    provider: Optional[Provider],
    target: Callable[[str], Optional[str]],
    sdk: SdkSurface,
    models: Mapping[str, str],
    family_provider: Optional[Callable[[str], Optional[Provider]]] = None,
) -> Optional[Left]:
    """Why `fix` gives the client `c` (aimed at OpenAI/Azure) a TODO rather than moving it to `provider`, or
    None when it moves it (unless the project's routes hold it: checks/moves.py `stays`). The one decision
    behind check's `[*]` on the client and its model, what moves with it (checks/moves.py `retargets`) and
    fix's plan for it (fixes/sdkclients.py `client`); `target` maps a model id to the provider's."""
    if c.kept_subclass is not None:
        return Left(SUBCLASS)
    if c.star_kwargs and not c.config_dict:
        return Left(KWARGS)
    if unserved(c, provider):
        return Left(UNSERVED)
    refused = refusal(c, a, provider, target)
    if refused is not None:
        return Left(REFUSED, refused)
    provider_of = family_provider or (lambda family: provider)  # (`--to chat=...`: a provider per family)
    calls = [call for call in a.calls if any(o is c for o in call.clients)]
    if calls and all((p := provider_of(call.family)) is not None and p.endpoint(call.family) == "no" for call in calls):
        return None  # (the provider answers none of its requests: the routes hold it, project/unserved.py)
    deployments = unmapped_client_deployments(c, a, provider_of, sdk, models)
    if deployments:  # (no line numbers: a second run must find the same TODO text after the first's insertions)
        named = ", ".join(f"`{lit.value}` ({_sent_by(lit, c)})" for lit in deployments)
        return Left(DEPLOYMENTS, f"deployments {named}" if len(deployments) > 1 else f"deployment {named}")
    return None


def client_left_in(c: ClientCtor, a: Analysis, ctx: CheckContext) -> Optional[Left]:
    """`client_left` for a check's context (its provider, or one per request family)."""
    return client_left(c, a, ctx.provider, ctx.target, ctx.sdk, ctx.models, ctx.family_provider)


def _sent_by(lit: ModelLiteral, c: ClientCtor) -> str:
    """Where a deployment literal is sent from, for the TODO: its request, or the client's own argument."""
    calls = [call for call in lit.calls if any(o is c for o in call.clients)]
    if calls:
        return f"`{lit.arg}=` of `{calls[0].display}`"
    return f"its `{lit.arg}=`"


def held_on_azure(lit: ModelLiteral, left_of: Callable[[ClientCtor], Optional[Left]]) -> bool:
    """A model literal every request of which goes through an Azure client that stays on Azure whole because
    a deployment it names has no provider model (`left_of`: `client_left`, DEPLOYMENTS): it stays with it."""
    if any(not call.clients for call in lit.calls):
        return False
    owners = [lit.owner] if lit.owner is not None else []
    owners += [c for call in lit.calls for c in call.clients]
    lefts = [left_of(c) for c in owners]
    return bool(owners) and all(left is not None and left.kind == DEPLOYMENTS for left in lefts)


@dataclass
class ModuleLeft:
    """Why `fix` leaves the file's module-level client, aimed at OpenAI/Azure, where it is: its host, key and
    every model stay together (the project's routes may hold it too: project/gate.py)."""

    # deployments on its Azure route with no provider model (checks/azure_routes.py): the route stays on Azure
    deployments: List[ModelLiteral] = field(default_factory=list)
    # else the parameter its key is read from, which no route judges (checks/modulekey.py): maybe an OpenAI key
    caller_key: Optional[str] = None


def module_left(
    a: Analysis, provider: Optional[Provider], sdk: SdkSurface, models: Mapping[str, str]
) -> Optional[ModuleLeft]:
    """Why `fix` leaves the module-level client where it is, as the file shows it, or None when it moves it (unless
    the routes hold it: checks/moves.py `module_stays`). The one decision behind check's `[*]` on the module-level
    configuration and calls and fix's plan for them (fixes/moduleclient.py `module_config`)."""
    target = a.module_target
    if target is None or not target.blocked:
        return None
    deployments = unmapped_module_deployments(a, provider, sdk, models)
    if deployments:
        return ModuleLeft(deployments)
    key = caller_key(a)
    return ModuleLeft(caller_key=key) if key else None


def module_urls(m: ModuleAssign) -> Set[int]:
    """The URL nodes of a module-level base URL setting (`openai.api_base = "https://api.openai.com/v1"`): the
    setting's finding (OFR103) and not URLs of their own (OFR106). They move with the module-level client or
    stay with it, never alone: moved beside a key the route keeps, the key would go to the provider."""
    if m.role not in ("base-url", "azure-endpoint"):
        return set()
    return {id(m.value), *(id(node) for node in _string_nodes(m.value))}


def unserved(c: ClientCtor, provider: Optional[Provider]) -> bool:
    """A wrapper or config dict for an API `provider` does not serve: moved, it would only fail there."""
    return bool((c.wrapper or c.config_dict) and provider is not None and provider.endpoint(c.family) == "no")


def refusal(
    c: ClientCtor, a: Analysis, provider: Optional[Provider], target: Callable[[str], Optional[str]]
) -> Optional[str]:
    """Why the wrapper's library would not take what `fix` writes (lagent's GPTAPI: a URL argument or model
    names it would refuse; analysis/frameworks.py), given the models the client sends."""
    if c.wrapper is None:
        return None
    sent = [m.value for m in a.models if m.owner is c]
    return library_refuses(c, sent, provider.name if provider is not None else "the provider", target)


def left_by_conversion(c: ClientCtor, a: Analysis, sdk: SdkSurface) -> Set[int]:
    """The URL literals of an Azure client written outside its construction (`EP = "https://x.openai.azure.com"`,
    `AzureOpenAI(azure_endpoint=EP, ...)`): converted, the client gets the provider's URL as its argument and the
    literal stays where it is, a finding of its own (OFR106) that fix's first run now writes its TODO for. Claimed
    by the client, it had none until the second run, which was then no no-op."""
    if c.qualified not in sdk.azure_clients:
        return set()
    wanted = {id(n) for n in c.target_literals}
    return {id(u.node) for u in a.urls if id(u.node) in wanted and not c.span.contains(u.span)}


def check_clients(a: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    claimed: Set[int] = set()
    for c in a.clients:
        if not c.target.blocked:
            continue
        fixable = not holds(c, a) and client_left_in(c, a, ctx) is None
        claimed.update(id(n) for n in c.target_literals if not (fixable and id(n) in left_by_conversion(c, a, ctx.sdk)))
        if c.azure:
            where = f" ({c.target.host})" if c.target.host else ""
            hits.append(Hit(client_code(c), c.span, {"cls": c.cls, "where": where}, fixable=fixable))
        else:
            hits.append(Hit(client_code(c), c.span, {"cls": c.cls, "target": c.target.describe()}, fixable=fixable))

    for e in a.exports:
        if not e.spec.host:
            continue
        target = f"{e.spec.host} ({e.spec.what}, with the default OpenAI key)"
        hint = f"{TURNED_OFF}`{e.spec.fix}` after the imports"
        hits.append(Hit(codes.OPENAI_CLIENT, e.span, {"cls": e.spec.id, "target": target}, hint=hint))

    for r in a.reopens:  # (fixable: fix hands the call the program's own function, if the provider serves it)
        target = f"api.openai.com (without `{r.spec.arg}=` {r.spec.what})"
        fixable = r.given is not None and not (ctx.provider and ctx.provider.endpoint(r.family) == "no")
        hits.append(Hit(codes.OPENAI_CLIENT, r.span, {"cls": r.method, "target": target}, fixable=fixable))

    module = a.module_target
    module_blocked = bool(module and module.blocked)
    held = module_left(a, ctx.provider, ctx.sdk, ctx.models) is not None
    for m in a.module_assigns:
        own_blocked = bool(m.target and m.target.blocked)
        if own_blocked or module_blocked:
            claimed.update(module_urls(m))
            shown = m.target if own_blocked and m.target else module
            assert shown is not None
            hits.append(
                Hit(
                    codes.MODULE_CLIENT_CONFIG,
                    m.span,
                    {"attr": m.attr, "target": _goes(shown)},
                    fixable=None if a.module_client_used and not held else False,
                )
            )
    for call in a.calls:
        goes = call.module_target or module  # where the module client goes from this call's class
        if call.via == "client" or goes is None or not goes.blocked:
            continue
        code = codes.MODULE_CLIENT_CALL if call.via == "module" else codes.LEGACY_API_CALL
        hits.append(
            Hit(code, call.span, {"call": call.display, "target": _goes(goes)}, fixable=False if held else None)
        )
    for u in a.urls:
        if id(u.node) in claimed:
            continue
        kind = "Azure OpenAI" if u.target.kind == "azure" else "OpenAI API"
        fixable = url_left(u, ctx.sdk, ctx.provider) is None
        hits.append(Hit(codes.OPENAI_URL, u.span, {"kind": kind, "url": u.url}, fixable=fixable))
    return hits


def url_left(u: UrlLiteral, sdk: SdkSurface, provider: Optional[Provider]) -> Optional[Left]:
    """Why `fix` gives an OpenAI/Azure URL literal a TODO rather than the provider's URL (None: it rewrites it,
    an OpenAI `/v1` URL whose endpoint the provider serves): check's `[*]` and fix's plan (fixes/literals.py)."""
    url, target = u.url, u.target
    if target.kind != "openai":
        return Left(AZURE_URL)
    path = urlsplit(url.replace("{...}", "x")).path
    if not path.startswith("/v1"):
        return Left(NO_COUNTERPART)  # dashboard/billing pages and the like
    rest = path[3:].lstrip("/")
    if not rest:
        return None
    family = sdk.rest_family(rest)
    if family is None or (provider is not None and provider.endpoint(family) == "no"):
        return Left(UNSERVED, f"/{rest}")
    # OpenAI's credentials in it (userinfo, `?api-key=`): only a plain literal is rewritten whole, without them
    dropped = [] if u.plain else without_url_credentials(url)[1]
    return Left(CREDENTIALS, ", ".join(dropped)) if dropped else None


def _string_nodes(expr: object) -> List[object]:
    out: List[object] = []
    stack = [expr]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.SimpleString, cst.FormattedString)):
            out.append(n)
        elif isinstance(n, cst.ConcatenatedString):
            out.append(n)
            stack.extend([n.left, n.right])
        elif isinstance(n, cst.Call):
            stack.extend(arg.value for arg in n.args)
        elif isinstance(n, (cst.BooleanOperation,)):
            stack.extend([n.left, n.right])
    return out
