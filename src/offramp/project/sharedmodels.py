"""Routes held for a model literal they share with a route that stays (the route gate's `RouteJudge.decide`).

`MODEL = "gpt-4o"` in settings.py is sent by `client.chat.completions.create(model=MODEL)` in app.py, which can
move, and by a request that stays: one through a client whose key offramp cannot follow, or one already at
another provider than the chosen one (a DashScope client, `--to deepseek`). The literal stays for the second
(invariant 2), so the first cannot move whole: its host and key moved without it, it sent OpenAI's id to the
provider. In one file the planner maps the literal and the next round holds the first route for it
(`RouteJudge.model_stays`); a literal in a file with no plan of its own leaves no such trace
(`Decision.only_where`), and the first route moved alone. Decided here, in the same round, for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional, Tuple

from offramp.mapping import is_provider_model
from offramp.project.sources import left_out
from offramp.types import Span

if TYPE_CHECKING:
    from offramp.project.gate import RouteJudge


def hold_sharers(judge: RouteJudge, reasons: Dict[int, str]) -> None:
    """Add to `reasons` (route id -> why it stays) each route sending an OpenAI model literal that a route there
    sends too and that its own provider does not serve: "its model `gpt-4o` stays: <why the other stays>"."""
    from offramp.project.gate import ordered_models  # lazy: gate imports this module

    while True:
        held: Dict[Tuple[str, Optional[Span]], str] = {}
        for r in judge.routes:
            if id(r) in reasons and not left_out(r, judge.ignores):  # (per-file-ignores: no request that stays)
                for s in ordered_models(r):
                    held.setdefault((s.file, s.span), reasons[id(r)])
        added = False
        for r in judge.routes:
            if id(r) in reasons:
                continue
            p = judge.provider_of(r)
            prefix = r.model_template.partition("{}")[0]
            for s in ordered_models(r):
                why = held.get((s.file, s.span))
                value = s.value or ""
                bare = value[len(prefix) :] if prefix and value.startswith(prefix) else value
                if why is None or not judge.sdk.is_openai_model(bare) or is_provider_model(bare, p, judge.models):
                    continue
                reasons[id(r)] = f"its model `{value}` stays: {why}"
                added = True
                break
        if not added:
            return
