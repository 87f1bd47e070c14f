"""What the route stage's answers do to a file's own findings in `check`: a key read renamed with the
construction the routes move, an OFR203 whose request the routes settle dropped, and a finding whose change `fix`
holds back (a request that stays, a variable whose writes follow its reads) shown without `[*]`, with the reason
as its hint. runner.py joins these onto each file; kept apart so that `[*]` is explained in one place."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Dict, List, Sequence

from offramp import codes
from offramp.types import Finding, Span
from offramp.userconfig.kind import config_kind


def moved_with(findings: Sequence[Finding], built: Sequence[Span]) -> List[Finding]:
    """The key reads in those constructions are renamed with them (the file alone took the class for one it
    cannot follow, which keeps them)."""
    from offramp.project.gate import overlaps  # lazy: start-up

    out = []
    for f in findings:
        inside = f.code == codes.OPENAI_ENV_VAR and any(overlaps(s, f.span) for s in built)
        out.append(replace(f, fixable=True, hint="") if inside and not f.fixable else f)
    return out


def not_settled(findings: Sequence[Finding], requests: Sequence[Span]) -> List[Finding]:
    """The findings but an OFR203 in a request whose routes all go elsewhere than OpenAI and Azure (checks/routes.py
    `settled_requests`) or whose model the plans settle, and an OFR301 on a read of a model variable that the loaded
    `.env` sets to a provider model (`provider_model_reads`: the read's own span)."""
    from offramp.project.gate import overlaps  # lazy: start-up

    return [
        f
        for f in findings
        if not (f.code == codes.DYNAMIC_MODEL and any(overlaps(f.span, r) for r in requests))
        and not (f.code == codes.OPENAI_ENV_VAR and f.span in requests)
    ]


def held_back(findings: Sequence[Finding], spans: Dict[Span, str]) -> List[Finding]:
    if not spans:
        return list(findings)
    from offramp.checks.base import TURNED_OFF  # lazy: start-up
    from offramp.project.gate import MODULE, overlaps  # lazy: start-up

    module_codes = (codes.MODULE_CLIENT_CONFIG, codes.MODULE_CLIENT_CALL, codes.LEGACY_API_CALL)
    module = spans.get(MODULE)
    if module is None:
        # one held assignment holds the whole module-level client, as fix decides (checks/moves.py
        # `route_held_module`): Azure's embeddings notebook had `openai.api_key` held and its api_type,
        # api_base and api_version offered [*], which fix left
        module = next(
            (
                r
                for f in findings
                if f.code == codes.MODULE_CLIENT_CONFIG
                for s, r in spans.items()
                if s != MODULE and overlaps(s, f.span)
            ),
            None,
        )
    out = []
    for f in findings:
        why = module if module is not None and f.code in module_codes else None
        why = why or next((r for s, r in spans.items() if s != MODULE and overlaps(s, f.span)), None)
        own = f.hint.startswith(TURNED_OFF)  # (a framework's own request, turned off whatever the routes do)
        out.append(not_fixable(f, why) if why is not None and f.fixable and not own else f)
    return out


def not_fixable(f: Finding, why: str) -> Finding:
    """`f` as `check --to` shows what `fix` holds back: no `[*]`, and the reason as its hint."""
    text = why[0].upper() + why[1:] if why.startswith("fix leaves") else f"Not fixed alone: {why}"
    return replace(f, fixable=False, hint=(f.hint + " " if f.hint else "") + f"{text}.")


_MODEL_VALUES = (codes.OPENAI_MODEL, codes.AZURE_DEPLOYMENT)
_NAMED = re.compile(r"environment variable `([A-Za-z_][A-Za-z0-9_]*)`")


def held_names(findings: Sequence[Finding], writes: Dict[str, str]) -> List[Finding]:
    """OFR301 findings on a variable `fix` keeps (writes follow reads): not fixable. The variable is
    the one the rule's message names (`environment variable `X` ...`)."""
    held = {}
    for f in findings:
        m = _NAMED.match(f.message) if f.code == codes.OPENAI_ENV_VAR and f.fixable else None
        if m and m.group(1) in writes:
            held[id(f)] = writes[m.group(1)]
    if held and findings and config_kind(findings[0].path) == "env":
        # a `.env` file's endpoint and key move together or not at all (offramp.userconfig.together); a model
        # value moves with its own readers whatever the pair does (together.decide_env `values`)
        why = next(iter(held.values()))
        held = {id(f): held.get(id(f), why) for f in findings if f.fixable and f.code not in _MODEL_VALUES}
    return [not_fixable(f, held[id(f)]) if id(f) in held else f for f in findings]
