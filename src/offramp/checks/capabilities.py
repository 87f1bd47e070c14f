"""OFR4xx: what the chosen provider cannot do for this code (only with --to)."""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from offramp import codes
from offramp.analysis.facts import Analysis, ApiCall
from offramp.checks.base import CheckContext, Hit
from offramp.checks.models import call_is_relevant, literal_is_live, sends_images
from offramp.checks.responses import responses_gaps
from offramp.providers import ENDPOINT_FAMILIES, PARAMETERS, Provider
from offramp.types import Severity

# OpenAI's published embedding sizes (openai 3.54.0 docs strings; text-embedding-3-* default dims).
OPENAI_EMBEDDING_DIMS: Dict[str, int] = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
ENDPOINT_STATUS: Dict[str, Tuple[str, Severity]] = {
    "no": ("does not serve", "error"),
    "partial": ("only partly serves", "warning"),
    "unknown": ("does not document", "info"),
}
_PARAM_TEXT: Dict[str, Tuple[str, Severity]] = {
    "no": ("does not support", "warning"),
    "partial": ("only partly supports", "info"),
    "unknown": ("does not document", "info"),
}
_SAME_NAME = set(PARAMETERS) - {
    "tools",
    "functions",
    "image_input",
    "audio_output",
    "tool_choice-required",
    "response_format-json_object",
    "response_format-json_schema",
}


def used_parameters(call: ApiCall) -> List[str]:
    """The provider-matrix parameter keys a chat call uses."""
    out: List[str] = []
    for kw in call.keywords:
        if kw in _SAME_NAME:
            out.append(kw)
        elif kw == "tools":
            out.append("tools")
        elif kw in ("functions", "function_call"):
            out.append("functions")
        elif kw in ("modalities", "audio"):
            out.append("audio_output")
    if call.response_format in ("json_object", "json_schema"):
        out.append(f"response_format-{call.response_format}")
    if call.tool_choice == "required":
        out.append("tool_choice-required")
    if call.image_input:
        out.append("image_input")
    return list(dict.fromkeys(out))


def told_elsewhere(param: str, provider: Provider) -> bool:
    """A parameter whose translation checks/semantics.py reports from the provider's own rules (OFR405,
    OFR407): a second, vaguer OFR402 for it would only repeat it."""
    s = provider.semantics
    return (param == "reasoning_effort" and s.reasoning is not None) or (
        param == "response_format-json_schema" and s.structured is not None
    )


def call_gaps(call: ApiCall, p: Provider) -> Tuple[str, List[Tuple[str, str]]]:
    """What `p` lacks for the request `call`: its endpoint's status (`yes` when served), and each chat
    parameter it uses with its status (but those another rule tells of, `told_elsewhere`). check reports
    each status it has words for (OFR401, OFR402); fix writes a TODO for each `no` (fixes/requests.py)."""
    status = p.endpoint(call.family) if call.family in ENDPOINT_FAMILIES else "no"
    if call.family != "chat":
        return status, []
    return status, [(param, p.parameter(param)) for param in used_parameters(call) if not told_elsewhere(param, p)]


def check_capabilities(a: Analysis, ctx: CheckContext) -> List[Hit]:
    p = ctx.provider
    if p is None:
        return []
    hits: List[Hit] = []
    seen_literals: Set[int] = set()
    hosts = frozenset(p.hosts)
    for call in a.calls:
        if not call_is_relevant(call, a, hosts):
            continue
        status, params = call_gaps(call, p)
        if status in ENDPOINT_STATUS:
            text, severity = ENDPOINT_STATUS[status]
            hits.append(
                Hit(
                    codes.UNSUPPORTED_ENDPOINT,
                    call.span,
                    {"provider": p.name, "status": text, "family": call.family, "call": call.display},
                    severity=severity,
                    fixable=any(g.edit is not None for g in responses_gaps(call, p, a.module)) or None,
                )
            )
        for param, pstatus in params:
            if pstatus in _PARAM_TEXT:
                text, severity = _PARAM_TEXT[pstatus]
                args = {"provider": p.name, "status": text, "param": param}
                hits.append(Hit(codes.UNSUPPORTED_PARAMETER, call.span, args, severity=severity))
    for c in a.clients:
        if c.wrapper is None or not (c.target.blocked or c.target.kind in ("dynamic", "env") or c.target.host in hosts):
            continue
        status = p.endpoint(c.family)
        if status in ENDPOINT_STATUS:
            text, severity = ENDPOINT_STATUS[status]
            hits.append(
                Hit(
                    codes.UNSUPPORTED_ENDPOINT,
                    c.span,
                    {"provider": p.name, "status": text, "family": c.family, "call": c.cls},
                    severity=severity,
                )
            )
    for lit in a.models:
        if id(lit) in seen_literals or not literal_is_live(lit, a):
            continue
        seen_literals.add(id(lit))
        choice = ctx.choose(lit.value, sends_images(lit))
        if choice is None or choice.family is None:
            continue
        if choice.target is None:
            hits.append(
                Hit(codes.UNMAPPED_MODEL, lit.span, {"provider": p.name, "model": lit.value, "family": choice.family})
            )
        elif choice.is_embedding and choice.target != lit.value:
            hits.append(
                Hit(
                    codes.EMBEDDING_REINDEX,
                    lit.span,
                    {
                        "model": lit.value,
                        "target_model": choice.target,
                        "provider": p.name,
                        "dims": _dims(lit.value, choice.target, p),
                    },
                )
            )
    return hits


def _dims(old: str, new: str, provider: Provider) -> str:
    before: Optional[int] = OPENAI_EMBEDDING_DIMS.get(old)
    spec = provider.embedding_dimensions.get(new)
    after: Optional[int] = spec.get("default") if spec else None
    if before and after:
        return f" (dimensions {before} -> {after})"
    return ""
