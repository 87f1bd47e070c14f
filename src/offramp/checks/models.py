"""OFR2xx: OpenAI model ids and Azure deployment names that reach SDK calls."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Dict, List, Mapping, Optional

from offramp import codes
from offramp.analysis.facts import Analysis, ApiCall, ClientCtor, ModelLiteral
from offramp.checks.azure_routes import only_on_azure_module_route, unmapped_module_deployments
from offramp.checks.base import CheckContext, Hit
from offramp.checks.clients import client_left_in, held_on_azure, refusal, unserved
from offramp.mapping import ModelChoice, is_provider_model
from offramp.providers import Provider
from offramp.types import Span


def client_is_live(c: ClientCtor) -> bool:
    """Whether the client may still reach OpenAI/Azure (or we cannot tell)."""
    return c.target.blocked or c.target.kind in ("dynamic", "env")


def call_is_live(call: ApiCall, a: Analysis) -> bool:
    """Whether the call may still reach OpenAI/Azure (or we cannot tell): its model matters."""
    if call.via == "client":
        if not call.clients:
            return True  # a client we only know by type: target unknown
        return any(client_is_live(c) for c in call.clients)
    target = call.module_target or a.module_target
    return target is None or target.blocked or target.kind in ("dynamic", "env")


def call_is_relevant(call: ApiCall, a: Analysis, hosts: frozenset) -> bool:
    """Live, or already aimed at the chosen provider's hosts (after `fix`): its capability gaps matter."""
    if call_is_live(call, a):
        return True
    if call.via == "client":
        return any(c.target.host in hosts for c in call.clients)
    # (any base URL the module client may get: a branch between two providers' URLs reaches the chosen one on one
    # arm, as the routes judge it across files, checks/routes.py `_module_configured_elsewhere`)
    bases = [m.target for m in a.module_assigns if m.role == "base-url" and m.target]
    return any(t.host in hosts for t in (a.module_target, *bases) if t)


def literal_is_live(lit: ModelLiteral, a: Analysis) -> bool:
    if lit.calls:
        return any(call_is_live(c, a) for c in lit.calls)
    if lit.owner is not None:  # a wrapper's model=, or azure_deployment= on a constructor
        return client_is_live(lit.owner)
    return True


def sends_images(lit: ModelLiteral) -> bool:
    """Every request the literal names sends image parts: it needs the provider's vision model."""
    return bool(lit.calls) and all(c.image_input for c in lit.calls)


# What `fix --to P` does with a model literal (`model_move`): one decision for check's `[*]` and fix's plan
MAPPED = "mapped"  # rewritten to the provider's model where it is written (fixes/literals.py)
WITH_CLIENT = "with-client"  # its client's edit takes it (`azure_deployment=`, a wrapper's deployment argument)
KEPT = "kept"  # as it is: its class stays (a subclass, a wrapper fix leaves), its route stays on Azure, or it is
# the provider's model already
KEY_USE = "key-use"  # also used as a key here: rewritten alone, the lookup would fail; a TODO
UNMAPPED = "unmapped"  # no provider model: a TODO


def model_move(
    lit: ModelLiteral,
    a: Analysis,
    provider: Provider,
    choice: ModelChoice,
    models: Mapping[str, str],
    route_held: bool,
    left: bool,
    client_held: bool = False,
) -> str:
    """What `fix` does with the model literal `lit` for `provider` (`choice`: its provider model). `route_held`:
    the Azure module route stays on Azure (a deployment with no provider model, checks/azure_routes.py);
    `left`: fix leaves the wrapper or config dict the literal belongs to with a TODO (`owner_left`);
    `client_held`: its Azure client stays on Azure whole (checks/clients.py `held_on_azure`)."""
    owner = lit.owner
    if owner is not None and owner.kept_subclass:
        return KEPT  # its class stays (a TODO): the deployment keeps its name
    if client_held:
        return KEPT  # its client stays on Azure with a TODO naming the deployment that holds it
    if (
        lit.arg == "azure_deployment"
        and not lit.calls
        and not lit.inherited
        and (owner is None or owner.wrapper is None)
    ):
        return WITH_CLIENT  # (the constructor argument goes; its TODO is on the client)
    if owner is not None and owner.wrapper is not None and lit.arg in owner.wrapper.deployment_args:
        return WITH_CLIENT  # the wrapper's edit turns the deployment into model=
    if lit.azure and lit.template == "{}" and is_provider_model(lit.value, provider, models):
        return KEPT  # an earlier run's output (`text-embedding-v4` on a client left for review)
    if choice.target and lit.key_use(choice.target) and not lit.azure and choice.target != lit.value:
        return KEY_USE  # invariant 5: `PRICES[MODEL]` raised KeyError, `model == "gpt-4o"` took another branch
    if choice.target:
        if route_held and only_on_azure_module_route(lit, a):
            return KEPT  # its calls stay on Azure (module_config), where the deployment keeps its name
        if left:
            return KEPT  # its wrapper stays (a TODO), and its model with it: moved alone, a half-migration
        return MAPPED if choice.target != lit.value or lit.template != "{}" else KEPT
    return UNMAPPED


def owner_left(
    c: Optional[ClientCtor], a: Analysis, provider: Provider, target: Callable[[str], Optional[str]]
) -> bool:
    """Whether fix leaves the wrapper or config dict `c` with a TODO (checks/clients.py), its model with it."""
    if c is None or not (c.wrapper or c.config_dict):
        return False
    return unserved(c, provider) or refusal(c, a, provider, target) is not None


def _fixable(lit: ModelLiteral, a: Analysis, ctx: CheckContext, choice: ModelChoice, held: bool) -> bool:
    """check's `[*]` on a model literal: what `model_move` says fix does with it."""
    assert ctx.provider is not None
    left = owner_left(lit.owner, a, ctx.provider, ctx.target)
    client_held = held_on_azure(lit, lambda c: client_left_in(c, a, ctx))
    move = model_move(lit, a, ctx.provider, choice, ctx.models, held, left, client_held)
    if move == WITH_CLIENT:  # (the client's fix takes it, when it has a provider model and its route moves)
        return bool(choice.target) and not left and not (held and only_on_azure_module_route(lit, a))
    return move == MAPPED


def check_models(a: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    provider = ctx.provider
    held = unmapped_module_deployments(a, provider, ctx.sdk, ctx.models)
    for lit in a.models:
        if not literal_is_live(lit, a):
            continue
        choice = ctx.choose(lit.value, sends_images(lit))
        if lit.azure and provider is not None and is_provider_model(lit.value, provider, ctx.models):
            continue  # already the provider's model (fix's own output): nothing to map
        if lit.azure:
            if provider is None:
                fixable = ctx.sdk.is_openai_model(lit.value) or lit.value in ctx.models
                held_here = fixable and (
                    (bool(held) and only_on_azure_module_route(lit, a))
                    or held_on_azure(lit, lambda c: client_left_in(c, a, ctx))
                )
                fixable = fixable and not held_here
                mapping = "must be replaced by a provider model id" + (
                    "" if fixable or held_here else " (add it to [tool.offramp.models])"
                )
            elif choice is not None and choice.target:
                # (on a module route another deployment keeps on Azure, fix leaves it as it is)
                fixable = _fixable(lit, a, ctx, choice, bool(held))
                mapping = choice.becomes(provider)
            else:
                fixable = False
                mapping = f"has no {provider.name} model; map it under [tool.offramp.models]"
            hits.append(
                Hit(
                    codes.AZURE_DEPLOYMENT,
                    lit.span,
                    {"deployment": lit.value, "arg": lit.arg, "mapping": mapping},
                    fixable=fixable,
                )
            )
            continue
        if provider is None and lit.also_key:
            mapping = f"is only served by OpenAI, and {lit.also_key}: map both together"
            hits.append(Hit(codes.OPENAI_MODEL, lit.span, {"model": lit.value, "mapping": mapping}, fixable=False))
        elif provider is None and ctx.sdk.model_family(lit.value) == "fine-tuned":
            mapping = (
                "is fine-tuned on an OpenAI account, which alone can call it: "
                "fine-tune a provider model and map it in [tool.offramp.models]"
            )
            hits.append(Hit(codes.OPENAI_MODEL, lit.span, {"model": lit.value, "mapping": mapping}, fixable=False))
        elif provider is None:
            hits.append(
                Hit(
                    codes.OPENAI_MODEL,
                    lit.span,
                    {"model": lit.value, "mapping": "is only served by OpenAI; `offramp fix --to PROVIDER` maps it"},
                )
            )
        elif choice is not None and choice.target and lit.key_use(choice.target):
            # rewritten alone, the lookup or comparison would no longer match: fix leaves a TODO
            mapping = f"{choice.becomes(provider)}, but {lit.key_use(choice.target)}: change both together"
            fixable = _fixable(lit, a, ctx, choice, bool(held))
            hits.append(Hit(codes.OPENAI_MODEL, lit.span, {"model": lit.value, "mapping": mapping}, fixable=fixable))
        elif choice is not None and choice.target:
            args = {"model": lit.value, "mapping": choice.becomes(provider)}
            hits.append(Hit(codes.OPENAI_MODEL, lit.span, args, fixable=_fixable(lit, a, ctx, choice, bool(held))))
        elif choice is not None:
            # No equivalent: the capability check reports OFR403 at this literal instead.
            continue
    # (with no provider: the model of a subclass whose class fix leaves with a TODO stays with it)
    kept = {lit.span for lit in a.models if lit.owner is not None and lit.owner.kept_subclass}
    hits = [replace(h, fixable=False) if h.span in kept else h for h in hits]
    if provider is not None:
        # one finding per place to act: llama-index spreads one helper's `{"model": self.model, **kwargs}` into
        # every request (four kinds of them), and fix writes one TODO there
        sent: Dict[Span, List[ApiCall]] = {}
        for call in a.calls:
            if call.dynamic_model is not None and call_is_live(call, a):
                sent.setdefault(call.dynamic_model.span, []).append(call)
        for span, calls in sent.items():
            first, model = calls[0], calls[0].dynamic_model
            assert model is not None
            others = [f"`{d}`" for d in dict.fromkeys(c.display for c in calls) if d != first.display]
            hits.append(
                Hit(
                    codes.DYNAMIC_MODEL,
                    span,
                    {"call": first.display, "origin": model.origin, "provider": provider.name},
                    hint=f"the requests of {', '.join(others)} send it too" if others else "",
                )
            )
        for c in a.clients:  # a framework client's model= (`ChatOpenAI(model_name=self.llm.get_model())`)
            if c.dynamic_model is not None and client_is_live(c):
                hits.append(
                    Hit(
                        codes.DYNAMIC_MODEL,
                        c.dynamic_model.span,
                        {"call": c.cls, "origin": c.dynamic_model.origin, "provider": provider.name},
                    )
                )
    return hits
