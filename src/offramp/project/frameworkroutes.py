"""Framework routes: a framework's constructor or call (rules/wrappers.toml) as a request site.

`ChatOpenAI(model=...)`, `litellm.completion(model="gpt-4o")`, `init_chat_model("azure_openai:gpt-4o")`:
the library builds its own client from the call's arguments (the SDK's defaults for what is missing),
unless the call hands it a client the code built (`OpenAIChatCompletionsModel(openai_client=client)`),
whose route it then is. A call that names another provider (`model_provider="anthropic"`, a litellm
`anthropic/...` model, AutoGen's `claude-...`) is no route. Split from routes.py (`RouteFinder`), whose
value questions it asks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, List, Optional, Sequence

from offramp.project.index import ModuleIndex, Site, display
from offramp.project.objects import Client, Ctx, ExtRef
from offramp.project.sources import (
    OPENAI_DEFAULT,
    EnvRead,
    Literal,
    Route,
    SdkDefault,
    Source,
    Unknown,
    may_be_unset,
    with_fallback_read,
)
from offramp.types import Span
from offramp.wrappers import WrapperSpec

if TYPE_CHECKING:
    from offramp.project.routes import RouteFinder


def framework_route(
    finder: RouteFinder, m: ModuleIndex, ctx: Ctx, site: Site, spec: Optional[WrapperSpec] = None
) -> Optional[Route]:
    for v in finder.flow.values(ctx, site.func) if spec is None else ():
        if isinstance(v, ExtRef) and v.qualified in finder.wrappers:
            spec = finder.wrappers[v.qualified]
            break
    if spec is None:
        return None
    kwargs = [*zip(spec.positional, site.args), *site.kwargs]
    bound = _bound(finder, m, ctx, replace(site, kwargs=kwargs), spec)
    if bound is None or isinstance(bound, Route):  # (False: a route of its own)
        return bound
    model = finder.model_of(ctx, kwargs, (*spec.model_args, *spec.deployment_args))
    sep = spec.model_prefix[-1:] or "/"
    azure_heads = tuple(f"{v}{sep}" for v in spec.provider_azure_values)
    ours = (f"openai{sep}", f"azure{sep}", *azure_heads)
    others = {
        s for s in model if isinstance(s, Literal) and s.value and sep in s.value and not s.value.startswith(ours)
    }
    held = ""
    if spec.model_prefix and others:
        # litellm "anthropic/...": another provider's route. One of several models a call site may send is that
        # request's only (chat-langchain's `init_chat_model(model=model)`, handed "anthropic:claude-..." by one
        # call and "openai:gpt-5.4-nano" by another): the OpenAI ones are still a route
        model = model - others
        if not any(isinstance(s, Literal) and s.value for s in model):
            return None
        # ... but one the call's host and key cannot move alone: given the provider's URL and key, the other
        # provider's requests (gptme's reflection model, `anthropic/...` or `openai/gpt-5` by the model chosen)
        # would go there too and fail. It stays whole, with a TODO (split the call by provider first).
        other = sorted(s.value for s in others if isinstance(s, Literal) and s.value)[0]
        held = f"it also sends `{other}`, another provider's model, which the provider's URL and key would take along"
    named = [s.value for s in finder.explicit(ctx, kwargs, (spec.provider_arg,)) or () if isinstance(s, Literal)]
    if any(v not in (*spec.provider_values, *spec.provider_azure_values) for v in named):
        return None  # init_chat_model(model_provider="anthropic")
    # init_chat_model("azure_openai:gpt-4o") / (model_provider="azure_openai"): the library's Azure class
    azure = spec.azure or any(v in spec.provider_azure_values for v in named)
    # LiteLLM's `deployment_id=` and `azure=True` send the call to Azure (litellm/main.py `completion`)
    azure |= any(k in (*spec.deployment_args, *spec.azure_flag_args) and not _false(e) for k, e in kwargs)
    azure |= bool(azure_heads) and any(
        isinstance(s, Literal) and (s.value or "").startswith(azure_heads) for s in model
    )
    host = finder.explicit(ctx, kwargs, spec.base_url_args)
    if host is None:
        host = (
            {EnvRead("AZURE_OPENAI_ENDPOINT"), SdkDefault("<resource>.openai.azure.com", "Azure", azure=True)}
            if azure
            # (LangChain's and LiteLLM's OpenAI classes read OPENAI_API_BASE first: FastChat's tests point them
            # at its own server that way)
            else {EnvRead("OPENAI_BASE_URL"), OPENAI_DEFAULT, *_written(finder, ctx, _BASE_VARIABLES)}
        )
    elif any(may_be_unset(s) for s in host):
        host.add(OPENAI_DEFAULT)
    key = finder.explicit(ctx, kwargs, spec.key_args)
    env = "AZURE_OPENAI_API_KEY" if azure else "OPENAI_API_KEY"
    if key is None:
        key = {EnvRead(env), *finder.env_written(env, ctx.module)}
    else:
        key = with_fallback_read(key, env, "the library")
    openai_named = any(
        isinstance(s, Literal)
        and s.value
        and (s.value.startswith(spec.model_prefix or "\0") or finder.sdk.is_openai_model(s.value))
        for s in model
    )
    if spec.openai_models_only and not named and not openai_named:
        return None  # the library picks another provider from the model's name
    foreign = spec.foreign_model_prefixes or ("\0",)
    if finder.explicit(ctx, kwargs, spec.base_url_args) is None and any(
        isinstance(s, Literal) and s.value and s.value.startswith(foreign) for s in model
    ):
        return None  # AutoGen "claude-...": the library sends it to that provider itself
    return Route(
        file=m.path,
        span=Span(*site.span),
        call=display(site.func),
        kind="framework",
        family=spec.family,
        azure=azure,
        host=frozenset(host),
        credential=frozenset(key),
        model=frozenset(model),
        client=display(site.func),
        client_file=m.path,
        client_span=Span(*site.span),
        model_template=f"{spec.model_prefix}{{}}" if spec.model_prefix else "{}",
        held=held,
    )


_BASE_VARIABLES = ("OPENAI_BASE_URL", "OPENAI_API_BASE")


def _false(e: object) -> bool:
    """A keyword's value written as False or None (the index's expression of a name)."""
    return isinstance(e, tuple) and len(e) == 2 and e[0] == "name" and e[1] in ("False", "None")


def _written(finder: RouteFinder, ctx: Ctx, names: Sequence[str]) -> List[Source]:
    return [s for name in names for s in finder.env_written(name, ctx.module)]


def _bound(finder: RouteFinder, m: ModuleIndex, ctx: Ctx, site: Site, spec: WrapperSpec) -> Optional[Route] | bool:
    """A framework call whose requests go through a client the code built (analysis/frameworks.py says
    which): that client's route, None when it is no route, False when it is a route of its own."""
    clients = [
        v for k, e in site.kwargs if k in spec.client_args for v in finder.flow.values(ctx, e) if isinstance(v, Client)
    ]
    if not clients and any(k in spec.client_args for k, _ in site.kwargs):
        return None
    models = [e for k, e in site.kwargs if k in spec.model_args]
    if not (spec.base_url_args or spec.key_args or models or spec.default_model):
        return None  # nothing of a route: `RunConfig()` runs each agent on its own model
    objects = not any(not isinstance(s, Unknown) for e in models for s in finder.flow.sources(ctx, e))
    if not clients and spec.model_objects and models and objects:
        return None  # a model object: itself the route
    if not clients and spec.default_client_setters:
        setters = dict(s.partition(":")[::2] for s in spec.default_client_setters)  # function -> keyword
        set_here = False
        for other in m.sites:
            sctx = Ctx(m.name, other.scope)
            names = {v.qualified for v in finder.flow.values(sctx, other.func) if isinstance(v, ExtRef)}
            for name in names & set(setters):
                given = [e for k, e in other.kwargs if k == setters[name]] + list(other.args[:1])
                set_here |= bool(given)
                clients += [v for e in given[:1] for v in finder.flow.values(sctx, e) if isinstance(v, Client)]
        if set_here and not clients:
            return None  # a default the file installs from something else (a model provider of its own)
    if not clients:
        return False
    return finder.client_route(m, ctx, site, clients, spec.family, display(site.func))
