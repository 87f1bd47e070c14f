"""The text `verify` prints: the plan (`--dry-run`) or the verdict per route."""

from __future__ import annotations

import json
from typing import List

from offramp.verify.plan import Plan
from offramp.verify.probe import Result


def _route_line(where: str, family: str, model: str, tail: str) -> str:
    return f"{where}  {family} `{model or '?'}`  {tail}"


def render_plan(plan: Plan, key_env: str, key_set: bool) -> str:
    p = plan.provider
    lines = [
        f"offramp verify (dry run): {p.name} at {plan.base_url}",
        f"key: ${key_env} ({'set' if key_set else 'not set'}); no request is sent in a dry run",
    ]
    if plan.list_models:
        lines.append(f"GET {plan.base_url}/models")
    for rp in plan.routes:
        if rp.skip:
            lines.append(_route_line(rp.where, rp.family, rp.model, f"not tried: {rp.skip}"))
            continue
        lines.append(_route_line(rp.where, rp.family, rp.model, "would send:"))
        for probe in rp.probes:
            extra = {k: v for k, v in probe.body().items() if k not in ("model", "messages", "input")}
            shown = json.dumps(extra, separators=(",", ":")) if extra else ""
            lines.append(f"    POST {plan.base_url}{probe.path}  ({probe.capability}) {shown}".rstrip())
    if not plan.routes:
        lines.append(f"no request of these files goes to {p.name}: run `offramp fix --to {p.id}` first")
    return "\n".join(lines) + "\n"


def render_result(plan: Plan, key_env: str, result: Result) -> str:
    p = plan.provider
    lines: List[str] = [f"offramp verify: {p.name} at {plan.base_url} (key from ${key_env})"]
    if result.key_refused:
        lines.append(f"the provider refused the key: {result.key_refused}")
        lines.append(f"(a key of another region or account? ${key_env} must belong to {plan.base_url})")
    elif result.models is not None:
        lines.append(f"GET /models: {len(result.models)} models")
    elif result.models_error:
        lines.append(result.models_error)
    counts = {"works": 0, "fails": 0, "not tried": 0}
    for v in result.verdicts:
        counts[v.state] += 1
        lines.append(_route_line(v.where, v.family, v.model, f"{v.state}: {v.detail}" if v.detail else v.state))
    if not plan.routes:
        lines.append(f"no request of these files goes to {p.name}: run `offramp fix --to {p.id}` first")
    lines.append(f"Summary: {counts['works']} works, {counts['fails']} fail, {counts['not tried']} not tried")
    return "\n".join(lines) + "\n"
