"""OFR205 in a configuration file: a provider model id the provider retired, redirected or never served,
next to that provider's endpoint.

A `.env` or YAML file migrated by hand (or by an older offramp) keeps `DEEPSEEK_MODEL=deepseek-chat`
beside `DEEPSEEK_BASE_URL=https://api.deepseek.com`: whatever reads the file sends the retired id to
DeepSeek, and requests fail since 2026-07-24. The code check follows models into the code that reads a
file; a variable read from the environment has no value there, so the file itself is judged, with the
endpoint it names as the route (the convention of OFR303 in configuration files, userconfig/pairs.py).
The facts are the provider file's `[served]` / `[[lifecycle]]` tables (checks/lifecycle.py). The
finding names the successor; `fix` leaves configuration values it did not derive from code as they are.
"""

from __future__ import annotations

from typing import List

from offramp import codes
from offramp.checks.lifecycle import judge_model
from offramp.providers import builtin_providers
from offramp.userconfig.meaning import _MODEL_TOKEN, Ctx, Verdict, _is_model_key, _norm, default_of
from offramp.userconfig.pairs import provider_endpoint
from offramp.userconfig.text import Parsed, Text


def retired_models(parsed: Parsed, ctx: Ctx, t: Text) -> List[Verdict]:
    endpoint = provider_endpoint(parsed, ctx)
    if endpoint is None:
        return []
    host, at = endpoint
    chosen = ctx.provider
    provider = (
        chosen
        if chosen is not None and host in chosen.hosts
        else next((p for p in builtin_providers().values() if host in p.hosts), None)
    )
    if provider is None:
        return []
    overrides = ctx.models if provider is chosen else {}
    route = f"with the endpoint on line {t.pos(at)[0]} of this file"
    out: List[Verdict] = []
    for e in parsed.entries:
        tok = e.value
        if tok is None or not e.key or not _is_model_key(_norm(e.key), ctx.sdk.env_role(e.key)):
            continue
        value, _ = default_of(tok.value.strip())
        if not _MODEL_TOKEN.fullmatch(value) or ctx.sdk.is_openai_model(value):
            continue
        found = judge_model(value, provider, overrides)
        if found is None:
            continue
        args = {"model": value, "provider": provider.name, "host": host, "state": found.state}
        args.update(route=route, advice=found.advice)
        out.append(Verdict(codes.MODEL_RETIRED, tok.start, tok.end, args, False))
    return out
