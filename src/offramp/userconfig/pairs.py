"""OFR303 in a configuration file: an OpenAI / Azure credential kept next to a provider's endpoint.

Whatever reads the file (the SDK reads `OPENAI_BASE_URL` and `OPENAI_API_KEY` together; LiteLLM
reads `api_base` and `api_key` of one entry) sends that credential to the provider. This is what a
half-moved file looks like (an endpoint repointed by hand or by an older fix, the key left), and
`check --to P` must say so instead of "All checks passed!". A credential counts when it is named as
an OpenAI / Azure key (`OPENAI_API_KEY=...`, `openai_api_key:`) and holds a real key or a
reference (`${VAULT_KEY}`), or when a value references such a variable (`os.environ/OPENAI_API_KEY`);
empty values and placeholders send nothing. A bare `sk-...` under `api_key` is not judged: the
provider's own keys look the same.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from offramp import codes
from offramp.catalog import renamable_key
from offramp.hosts import URL_RE, classify_url, is_secret_value
from offramp.userconfig.meaning import ENV_REF, Ctx, Verdict, default_of
from offramp.userconfig.text import Parsed, Text


def provider_endpoint(parsed: Parsed, ctx: Ctx) -> Optional[Tuple[str, int]]:
    """(host, offset) of the first value that is a provider's URL."""
    for e in parsed.entries:
        if e.value is None or not e.key:
            continue
        value, _ = default_of(e.value.value.strip())
        if not URL_RE.fullmatch(value):
            continue
        target = classify_url(value, ctx.sdk, ctx.hosts, endpoint=True)
        if target.kind == "provider":
            return target.host, e.value.start
    return None


def _openai_key_name(name: str, ctx: Ctx) -> bool:
    return renamable_key(name, ctx.sdk.env_role(name.upper()))


def foreign_credentials(parsed: Parsed, ctx: Ctx, t: Text) -> List[Verdict]:
    endpoint = provider_endpoint(parsed, ctx)
    if endpoint is None:
        return []
    host, at = endpoint
    route = f"with the endpoint on line {t.pos(at)[0]} of this file"
    out: List[Verdict] = []

    def sent(name: str, start: int, end: int) -> None:
        args = {"what": f"`{name}` (an OpenAI/Azure credential)", "host": host, "route": route}
        out.append(Verdict(codes.FOREIGN_CREDENTIAL, start, end, args, False))

    for e in parsed.entries:
        tok = e.value
        if tok is None:
            continue
        value = tok.value.strip()
        named = bool(e.key) and _openai_key_name(e.key or "", ctx)
        if named and e.key_span is not None and (is_secret_value(value) or ENV_REF.search(value)):
            sent(e.key or "", e.key_span[0], e.key_span[1])
            continue
        for m in ENV_REF.finditer(tok.value):
            name = m.group("a") or m.group("b") or m.group("c")
            if _openai_key_name(name, ctx):
                start, end = (tok.inner + m.start(), tok.inner + m.end()) if tok.inner >= 0 else (tok.start, tok.end)
                sent(name, start, end)
    return out
