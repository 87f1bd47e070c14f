"""Route findings grouped: one finding per place to act and rule, naming every request it concerns.

Kept apart from checks/routes.py (which findings a route gives) because this is how they are told: the same
model constant reached by three requests is one finding whose message lists the requests' call sites.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Tuple

from offramp import codes
from offramp.checks.base import AIMED_AT_CHOSEN, AIMED_AWAY, RETOLD_BY_ROUTES, Hit
from offramp.types import Span


@dataclass(frozen=True)
class RouteHit:
    path: str
    hit: Hit
    route: str  # the request's call site, "app.py:12"


def group(hits: Iterable[RouteHit]) -> Dict[str, List[Hit]]:
    """One finding per place to act and rule: the routes it concerns are listed together in its message. A model
    literal one route sends to OpenAI (OFR201) and another to Azure as a deployment (OFR202, gpt-researcher's
    provider switch) is one place, rewritten once: one finding, the OpenAI model's (it is an OpenAI id)."""
    merged: Dict[Tuple[str, str, Span], Tuple[Hit, List[str]]] = {}
    for rh in hits:
        code = codes.OPENAI_MODEL if rh.hit.code == codes.AZURE_DEPLOYMENT else rh.hit.code
        key = (rh.path, code, rh.hit.span)
        if (
            key not in merged
            or (merged[key][0].code, rh.hit.code) == (codes.AZURE_DEPLOYMENT, codes.OPENAI_MODEL)
            or (code in RETOLD_BY_ROUTES and merged[key][0].args.get("target") in (AIMED_AWAY, AIMED_AT_CHOSEN))
        ):  # (a request one route of which goes to a local server and another to OpenAI: the latter is said)
            merged[key] = (rh.hit, merged[key][1] if key in merged else [])
        routes = merged[key][1]
        if rh.route not in routes:
            routes.append(rh.route)
    out: Dict[str, List[Hit]] = {}
    for (path, _, _), (hit, routes) in sorted(merged.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
        code = hit.code
        shown = ", ".join(sorted(routes, key=_site_order)[:3]) + (
            f" and {len(routes) - 3} more" if len(routes) > 3 else ""
        )
        args = dict(hit.args)
        if code in (codes.OPENAI_MODEL, codes.AZURE_DEPLOYMENT):
            args["mapping"] = f"{args['mapping']} ({'requests' if len(routes) > 1 else 'request'} at {shown})"
        else:
            args["route"] = ("requests at " if len(routes) > 1 else "request at ") + shown
        out.setdefault(path, []).append(
            Hit(code, hit.span, args, fixable=hit.fixable, severity=hit.severity, hint=hit.hint)
        )
    return out


def _site_order(where: str) -> Tuple[str, int]:
    path, _, line = where.rpartition(":")
    return (path, int(line) if line.isdigit() else 0)
