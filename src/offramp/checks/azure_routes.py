"""Whether a file's Azure module-level route can move to the provider whole (check and fix ask here).

The module client (`openai.api_type = "azure"` with `openai.ChatCompletion.create(engine=...)` or
`openai.chat.completions.create(model=...)`) is one route: its host, key and every deployment its
calls name move together or not at all. A deployment the provider has no model for (no OpenAI
model name, nothing under [tool.offramp.models]) cannot move, so neither can the route: pointing
the module at the provider would send every call there, that one with a model the provider does
not serve (or, kept as `engine=`, to `/engines/<deployment>/...`). `fix` then leaves the whole
route on Azure with a TODO, and `check` does not promise (`[*]`) what `fix` will not do.

An Azure client (`AzureOpenAI(...)`, a plain client aimed at an Azure endpoint, an Azure wrapper class) is
one route the same way: a request through it naming a deployment with no provider model keeps the client,
its key and every model its requests send on Azure (`unmapped_client_deployments`, checks/clients.py
`client_left`), with one TODO at the client.
"""

from __future__ import annotations

from typing import Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from offramp.analysis.facts import Analysis, ApiCall, ClientCtor, ModelLiteral
from offramp.catalog import SdkSurface
from offramp.mapping import is_provider_model, map_model
from offramp.project.sources import MODULE, Literal, Route, SdkDefault
from offramp.providers import Provider
from offramp.types import Span

MAP_IT = " (map it under [tool.offramp.models])"


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


def on_azure_client(c: ClientCtor) -> bool:
    """An Azure client: its requests' models are deployments of its Azure resource."""
    return c.azure or c.target.kind == "azure"


def client_literals(c: ClientCtor, a: Analysis) -> List[ModelLiteral]:
    """The model literals the requests through `c` send (its calls' model=, its own deployment argument)."""
    return [lit for lit in a.models if lit.owner is c or any(any(o is c for o in call.clients) for call in lit.calls)]


def unmapped_client_deployments(
    c: ClientCtor,
    a: Analysis,
    provider_of: Callable[[str], Optional[Provider]],
    sdk: SdkSurface,
    models: Mapping[str, str],
) -> List[ModelLiteral]:
    """The deployment literals the requests through the Azure client `c` name that have no model at the provider
    of their request's endpoint family (`provider_of`: one provider, or one per family with `--to chat=...`), as
    `unmapped_module_deployments`. Any one keeps the client whole on Azure."""
    if not on_azure_client(c):
        return []
    out: List[ModelLiteral] = []
    for lit in client_literals(c, a):
        if not lit.azure or lit.template != "{}" or lit in out:
            continue
        calls = [call for call in lit.calls if any(o is c for o in call.clients)]
        family = calls[0].family if calls else c.family
        if not deployment_maps(lit.value, provider_of(family), sdk, models):
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


def modules_held_without_provider(
    routes: Iterable[Route], sdk: SdkSurface, models: Mapping[str, str]
) -> Dict[str, Dict[Span, str]]:
    """Without `--to`, what `check` shows held (no `[*]`) of an Azure module route naming a deployment with no
    OpenAI model name and no [tool.offramp.models] entry: the module client in every file that configures it or
    calls through it (MODULE), and the deployments every request through it names, by file. One file holds them
    itself (`module_left`: no `[*]` on its OFR103 / OFR105 / OFR202); split (`openai.api_type = "azure"` in
    config.py, the calls in app.py), each file alone offered them, and only `--to` judged the route (project/gate.py
    `unmapped_deployment`)."""
    found: List[Tuple[Route, Set[str], List[Literal]]] = []
    for r in routes:
        if r.kind in ("module", "v0") and r.azure:
            files = {r.file, *(path for path, _ in r.other_clients), *r.process}
            files |= {s.file for s in r.host if isinstance(s, SdkDefault) and s.file}
            lits = sorted(
                (s for s in r.model if isinstance(s, Literal) and s.file and s.value and not s.template), key=repr
            )
            found.append((r, files - {""}, lits))
    why, held = "", set()
    for r, files, lits in found:
        unmapped = next((s.value for s in lits if not deployment_maps(s.value or "", None, sdk, models)), None)
        if unmapped is not None:
            why = why or f"Azure deployment `{unmapped}` of `{r.call}` in {r.file} names no OpenAI model{MAP_IT}"
            held |= files
    out: Dict[str, Dict[Span, str]] = {}
    for _, files, lits in found:
        if files & held:  # (one module client: any request through it that cannot move holds every one)
            for path in files:
                out.setdefault(path, {})[MODULE] = why
            for s in lits:
                if s.span is not None:
                    out.setdefault(s.file, {})[s.span] = why
    return out
