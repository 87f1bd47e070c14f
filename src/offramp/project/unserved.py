"""Clients whose every request the provider cannot answer: they stay where they are, with a TODO.

Moving a client is right only when its requests then work at the provider. DeepSeek serves no
embeddings; a client, or a module client, whose only requests are `embeddings.create(model=
"text-embedding-3-small")` got DeepSeek's URL and key while its model stayed OpenAI's: the host and the
credential moved, the model could not, and every request failed at the new host. That is the half-migration
the route invariant forbids ("host, credential and model move together or all three stay"), and check
offered it as `[*]`. A client that also sends requests the provider does answer still moves (the chat
requests need it; the others get their TODO): splitting one client per family is `[tool.offramp.targets]`'s
job, not a guess of fix's.
"""

from __future__ import annotations

from typing import Callable, Dict, Hashable, Mapping, Optional, Sequence

from offramp.mapping import map_model
from offramp.project.sources import MODULE, Literal, Route
from offramp.providers import Provider


def unserved(r: Route, p: Provider, sdk, models: Mapping[str, str]) -> Optional[str]:
    """Why `p` cannot answer this request wherever it is sent from: an API it does not serve, or models
    that are all OpenAI's and none of which it has (nor the user's map gives). None: it may answer."""
    if r.family and p.endpoint(r.family) == "no":
        return f"{p.name} does not serve the OpenAI `{r.family}` API this client is used for"
    values = sorted({s.value for s in r.model if isinstance(s, Literal) and s.value})
    if not values or len(values) != len(r.model):
        return None  # (a model read from elsewhere may well be one the provider has)
    if all(sdk.is_openai_model(v) and map_model(v, p, sdk, dict(models)).target is None for v in values):
        return f"{p.name} has no equivalent for `{values[0]}`, the model this client is used for"
    return None


def _constructions(r: Route) -> Sequence[Hashable]:
    """What moves when the route's client moves: its constructions, or the process's module client."""
    if r.kind in ("module", "v0"):
        return [("module", path) for path in (r.file, *r.process)] + [("module", path) for path, _ in r.other_clients]
    if r.kind == "http":
        return [(r.file, r.span)]
    if r.client_file and r.client_span is not None and r.client_span != MODULE:
        return [(r.client_file, r.client_span), *r.other_clients]
    return []


def unserved_clients(
    routes: Sequence[Route], provider_of: Callable[[Route], Provider], sdk, models: Mapping[str, str]
) -> Dict[int, str]:
    """Per route (by `id`), why it stays: every request through any of its constructions is unserved.
    Routes sharing a construction are one group (a union-find over constructions)."""
    parent: Dict[Hashable, Hashable] = {}

    def find(k: Hashable) -> Hashable:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    keyed = [(r, _constructions(r)) for r in routes]
    for _, keys in keyed:
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
    why: Dict[Hashable, Optional[str]] = {}
    for r, keys in keyed:
        if not keys:
            continue
        root = find(keys[0])
        reason = None if r.kind == "reopen" else unserved(r, provider_of(r), sdk, models)
        if root not in why:
            why[root] = reason
        elif reason is None:
            why[root] = None  # one request it answers is enough for the client to move
    return {id(r): why[find(keys[0])] or "" for r, keys in keyed if keys and why.get(find(keys[0]))}
