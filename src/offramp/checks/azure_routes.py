"""Whether a file's Azure module-level route can move to the provider whole (check and fix ask here).

The module client (`openai.api_type = "azure"` with `openai.ChatCompletion.create(engine=...)` or
`openai.chat.completions.create(model=...)`) is one route: its host, key and every deployment its
calls name move together or not at all. A deployment the provider has no model for (no OpenAI
model name, nothing under [tool.offramp.models]) cannot move, so neither can the route: pointing
the module at the provider would send every call there, that one with a model the provider does
not serve (or, kept as `engine=`, to `/engines/<deployment>/...`). `fix` then leaves the whole
route on Azure with a TODO, and `check` does not promise (`[*]`) what `fix` will not do.
"""

from __future__ import annotations

from typing import List, Mapping, Optional

from offramp.analysis.facts import Analysis, ApiCall, ModelLiteral
from offramp.catalog import SdkSurface
from offramp.mapping import is_provider_model, map_model
from offramp.providers import Provider


def on_azure_module_route(call: ApiCall, a: Analysis) -> bool:
    """A call through the module client that goes to Azure from where it is."""
    if call.via not in ("module", "v0"):
        return False
    target = call.module_target or a.module_target
    return target is not None and target.kind == "azure"


def unmapped_module_deployments(
    a: Analysis, provider: Optional[Provider], sdk: SdkSurface, models: Mapping[str, str]
) -> List[ModelLiteral]:
    """The deployment literals on the Azure module route that have no model at `provider` (with no
    provider: no OpenAI model name and no [tool.offramp.models] entry). Any one keeps the route on Azure."""
    out: List[ModelLiteral] = []
    for call in a.calls:
        if not on_azure_module_route(call, a):
            continue
        for lit in call.model_literals:
            if lit.template != "{}" or lit in out:
                continue
            if not deployment_maps(lit.value, provider, sdk, models):
                out.append(lit)
    return out


def deployment_maps(value: str, provider: Optional[Provider], sdk: SdkSurface, models: Mapping[str, str]) -> bool:
    """Whether an Azure deployment name has a model at `provider` (with no provider: an OpenAI model name or a
    [tool.offramp.models] entry). One that has none keeps its whole Azure module route on Azure, whether the
    route is configured in the request's own file or in another (project/gate.py `RouteJudge.stranded`)."""
    if provider is None:
        return sdk.is_openai_model(value) or value in models
    return is_provider_model(value, provider, models) or bool(map_model(value, provider, sdk, dict(models)).target)


def only_on_azure_module_route(lit: ModelLiteral, a: Analysis) -> bool:
    """A model literal whose every call goes through the Azure module route (it moves or stays with it)."""
    return bool(lit.calls) and all(on_azure_module_route(c, a) for c in lit.calls)
