"""Keep the arms of one provider switch apart: a model chosen for one provider stays on that provider's requests.

Real projects pick a provider by name in two places: the configuration (`if embedding_provider ==
"huggingface": self.embedding_model = "sentence-transformers/..."`) and where the client is made
(`match embedding_provider: case "azure_openai": AzureOpenAIEmbeddings(model=model)`). Followed by value
alone, every arm's model reaches every arm's request: in gpt-researcher the HuggingFace and Gemini model
names became "Azure deployments" of the Azure request (OFR202), OpenAI models "not served" by the
MiniMax request (OFR204), and `fix` rewrote the Gemini arm's `text-embedding-004` to a provider's model.
The index records each such arm (`ModuleIndex.selectors`: the name compared, the strings that select it,
its lines); a model source written in an arm and a request sent from an arm that compare the same name
with no string in common never meet.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, Sequence, Set, Tuple

from offramp.project.index import Branch, ModuleIndex, Site
from offramp.project.sources import Route, Source
from offramp.types import Span


def every_arm(arms: Sequence[Branch], prefix: Branch = ()) -> bool:
    """Whether assignments made in these arms (`Site.arms`) run whatever the tests: one in each arm of an `if`
    and its `else` (an `elif` chain ending in `else` too), at `prefix`."""
    if prefix in arms:
        return True
    n = len(prefix)
    ifs = {b[n][:2] for b in arms if len(b) > n and b[:n] == prefix}
    return any(every_arm(arms, (*prefix, (*k, 0))) and every_arm(arms, (*prefix, (*k, 1))) for k in ifs)


class Arms:
    def __init__(self, modules: Sequence[ModuleIndex]) -> None:
        self.by_path: Dict[str, ModuleIndex] = {m.path: m for m in modules}

    def apart(self, route: Route, m: ModuleIndex, site: Site) -> Route:
        """The route without the model values written in another arm of the same switch as its request."""
        here = _arms_at(m, site.span[0])
        if not here or not route.model:
            return route
        kept: Set[Source] = set()
        for s in route.model:
            span = getattr(s, "span", None)
            home = self.by_path.get(getattr(s, "file", "")) if isinstance(span, Span) else None
            if (
                home is not None
                and isinstance(span, Span)
                and any(
                    name == other and not values & chosen
                    for other, chosen in _arms_at(home, span.line)
                    for name, values in here
                )
            ):
                continue
            kept.add(s)
        if not kept or len(kept) == len(route.model):
            return route  # (none left: the request's model comes from somewhere the switch does not show)
        return replace(route, model=frozenset(kept))


def _arms_at(m: ModuleIndex, line: int) -> Sequence[Tuple[str, Set[str]]]:
    return [(name, set(values)) for name, values, first, last in m.selectors if first <= line <= last]
