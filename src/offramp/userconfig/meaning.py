"""What a configuration value means: which rule it breaks, and what a fix would put there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple
from urllib.parse import urlsplit

from offramp import codes
from offramp.catalog import SdkSurface, deployment_setting, renamable_key
from offramp.hosts import URL_RE, classify_url, is_placeholder_host
from offramp.mapping import is_provider_model, map_model
from offramp.providers import Provider, builtin_providers
from offramp.redact import without_url_credentials
from offramp.userconfig.text import (
    Entry,
    Tok,
)

# The same wording as the Python check (offramp.checks.secrets); a test keeps them equal.
ROLE_TEXT = {
    "key": "holds an OpenAI/Azure API key",
    "base-url": "holds an OpenAI/Azure endpoint",
    "azure": "configures Azure OpenAI",
    "model": "names an OpenAI model or Azure deployment",
    "other": "configures the OpenAI SDK",
}
_MAPS_LATER = "is only served by OpenAI; `offramp fix --to PROVIDER` maps it"
_AZURE_API_TYPES = frozenset({"azure", "azure_ad", "azuread"})
_API_TYPE_KEYS = frozenset({"api_type", "openai_api_type"})
_MODEL_KEYS = frozenset(
    {
        "model",
        "model_name",
        "model_id",
        "deployment",
        "deployment_name",
        "deployment_id",
        "engine",
        "llm_model",
    }
)
_MODEL_SUFFIXES = ("_model", "_model_name", "_model_id", "_deployment", "_deployment_name", "_deployment_id")
_BASE_KEY = re.compile(r"(^|_)(base_?url|api_?base|base|endpoint|api_?host|api_?url|host|url)$")
# Values under these names are secrets: only the OFR302 key scan looks at them.
_SECRET_KEY = re.compile(r"(key|token|secret|password|passwd|credentials?)$")
# A variable with a default: `${NAME:-default}`, `${NAME-default}` (shell, compose) and
# `${env:NAME:-default}` (DB-GPT's TOML and others).
_ENV_DEFAULT = re.compile(r"(?P<pre>\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*:?-)(?P<d>[^{}]*)(?P<post>\})")
# Three words separated by spaces: what a setting's value never is, and a message usually is.
# A word starts only where a run of letters does: searched from every letter of a run, the
# pattern was quadratic (30,000 letters: 30 s).
_PROSE = re.compile(r"(?<![^\W\d_])[^\W\d_]{2,}[,.:;!?]?\s+[^\W\d_]{2,}[,.:;!?]?\s+[^\W\d_]{2,}")
_MODEL_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/\-]*")
# What a replacement may contain so that it needs no quoting or escaping in any format.
SAFE_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/?&=%+@\-]*")
# A reference: `${NAME}`, `${NAME:-default}` (the default may hold `$OTHER` or `${OTHER}`), `$NAME`,
# LiteLLM's `os.environ/NAME`. The default stops at the next brace: scanned to the next `}`,
# every `${a:` of `${a:${a:${a:...` rescanned the rest of the value (quadratic).
ENV_REF = re.compile(
    r"\$\{(?P<a>[A-Za-z_][A-Za-z0-9_]*)(?:[:?+=\-](?:[^{}$]|\$(?!\{)|\$\{[^{}]*\})*)?\}"
    r"|\$(?P<b>[A-Za-z_][A-Za-z0-9_]*)"
    r"|os\.environ/(?P<c>[A-Za-z_][A-Za-z0-9_]*)"
)


# -- what a value means ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtin_model_ids() -> FrozenSet[str]:
    return frozenset(m for p in builtin_providers().values() for m in p.models.values())


@dataclass
class Ctx:
    sdk: SdkSurface
    hosts: Sequence[str]
    provider: Optional[Provider]
    models: Mapping[str, str]
    env_mode: bool
    region: Optional[str] = None
    renamed: Set[int] = field(default_factory=set)
    added: Set[int] = field(default_factory=set)  # key variables holding a real key: the provider's goes after
    disabled: Set[int] = field(default_factory=set)  # key variables holding a real key: commented out
    left: Set[int] = field(default_factory=set)

    @property
    def base(self) -> str:
        assert self.provider is not None
        return self.provider.base_url(self.region)

    def provider_model(self, value: str) -> bool:
        if value in _builtin_model_ids() or value in self.models.values():
            return True
        return self.provider is not None and is_provider_model(value, self.provider, self.models)


@dataclass
class Verdict:
    code: str
    start: int
    end: int
    args: Dict[str, Any]
    fixable: bool
    new_value: Optional[str] = None  # replaces the entry's value token (provider given)
    counter: str = ""


def _norm(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(".", "_")


def _is_model_key(norm: str, role: Optional[str]) -> bool:
    return role == "model" or norm in _MODEL_KEYS or norm.endswith(_MODEL_SUFFIXES)


def _is_deployment_key(norm: str) -> bool:
    return (
        "deployment" in norm
        and ("azure" in norm or "openai" in norm or norm.startswith("aoai"))
        and not deployment_setting(norm)
    )


def _is_base_key(norm: str, role: Optional[str]) -> bool:
    return role == "base-url" or bool(_BASE_KEY.search(norm))


def _url_plan(url: str, kind: str, base_key: bool, ctx: Ctx) -> Tuple[bool, Optional[str]]:
    """(fixable, replacement) for a blocked URL that is a whole value; the replacement needs a provider.

    OpenAI: `https://api.openai.com/v1[/path]` becomes the provider's base URL plus the same path
    where the provider serves it (as the Python fix does). Azure: only an endpoint root under an
    endpoint-like key becomes the provider's base URL; deployment URLs need a person.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False, None
    if parts.scheme.lower() not in ("http", "https"):
        return False, None
    if kind == "openai":
        if parts.path != "/v1" and not parts.path.startswith("/v1/"):
            return False, None
        rest = parts.path[3:].strip("/")
        if rest:
            family = ctx.sdk.rest_family(rest)
            if family is None or (ctx.provider is not None and ctx.provider.endpoint(family) == "no"):
                return False, None
        if ctx.provider is None:
            return True, None
        prefix = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*/v1", url)
        if prefix is None:
            return False, None
        # userinfo and `?api-key=`-style parameters are OpenAI's credentials: dropped, never copied
        return True, without_url_credentials(ctx.base.rstrip("/") + url[prefix.end() :])[0]
    if not base_key or parts.query or parts.fragment:
        return False, None
    if parts.path.rstrip("/") not in ("", "/openai", "/openai/v1"):
        return False, None
    if ctx.provider is None:
        return True, None
    return True, ctx.base.rstrip("/") + ("/" if url.endswith("/") else "")


def _placeholder_endpoint(value: str, ctx: Ctx) -> Optional[str]:
    """The provider's base URL for a `.env` endpoint variable whose value is an OpenAI / Azure endpoint with a
    placeholder host (`https://YOUR-RESOURCE.openai.azure.com/`, a sample file's): it has no URL finding of its
    own, yet it is the file's endpoint, which moves with the file's API type and key (userconfig/together.py).
    Kept Azure beside the provider's key, a migrated sample paired the two. None otherwise."""
    value = value.strip()
    if not ctx.env_mode or ctx.provider is None or not URL_RE.fullmatch(value):
        return None
    target = classify_url(value, ctx.sdk, ctx.hosts, endpoint=True)
    if not target.blocked or not is_placeholder_host(target.host):
        return None
    return _safe(_url_plan(value, target.kind, True, ctx)[1])


def _safe(new: Optional[str]) -> Optional[str]:
    return new if new is not None and SAFE_VALUE.fullmatch(new) else None


def default_of(value: str) -> Tuple[str, Optional[Tuple[str, str]]]:
    """`${NAME:-default}` -> (default, (text before it, text after it)); any other value -> (value, None)."""
    m = _ENV_DEFAULT.fullmatch(value)
    default = m.group("d") if m else ""
    if m is None or not default or default != default.strip():
        return value, None
    return default, (m.group("pre"), m.group("post"))


def _env_relevant(key: str, role: str, tok: Optional[Tok], ctx: Ctx) -> bool:
    """Whether a variable still needs attention; after a fix, base URL, API type and model
    variables that hold provider values do not."""
    value = tok.value.strip() if tok is not None else ""
    if not value:
        return True
    value, _ = default_of(value)  # `${NAME:-default}`: what the setting is when NAME is unset
    if not ctx.env_mode and key not in ctx.sdk.env_roles and _PROSE.search(value):
        # A name that only matches the pattern, holding a sentence: a message or a label
        # (`INVALID_OPENAI_API_KEY: "Invalid OpenAI API key, check it"`), not a setting.
        return False
    if role == "base-url" and URL_RE.fullmatch(value):
        return classify_url(value, ctx.sdk, ctx.hosts, endpoint=True).blocked
    if key.upper().endswith("API_TYPE"):  # `amazon-bedrock`: the SDK's Bedrock client, not OpenAI or Azure
        return value.lower() not in ("openai", "open_ai", *ctx.sdk.cloud_api_types)
    if role == "model" or "DEPLOYMENT" in key.upper():
        return not ctx.provider_model(value)
    return True


def _role_text(role: str, ctx: Ctx) -> str:
    text = ROLE_TEXT.get(role, ROLE_TEXT["other"])
    if ctx.provider is not None and role == "key":
        text += f"; {ctx.provider.name} reads `{ctx.provider.key_env}`"
    return text


def analyse(index: int, e: Entry, ctx: Ctx) -> List[Verdict]:
    out: List[Verdict] = []
    key = e.key or ""
    norm = _norm(key)
    role = ctx.sdk.env_role(key) if key else None
    tok = e.value
    sdk, provider = ctx.sdk, ctx.provider

    if e.key_span is not None and role is not None and _env_relevant(key, role, tok, ctx):
        text = _role_text(role, ctx)
        renameable = ctx.env_mode and renamable_key(key, role)
        if renameable and provider is not None:
            renameable = index in ctx.renamed or index in ctx.disabled
        base = _placeholder_endpoint(tok.value, ctx) if role == "base-url" and tok is not None else None
        args = {"env": key, "role": text}
        span = e.key_span
        counter = "url" if base is not None else ""
        out.append(Verdict(codes.OPENAI_ENV_VAR, span[0], span[1], args, renameable or base is not None, base, counter))
    if tok is None:
        return out

    for m in ENV_REF.finditer(tok.value):
        name = m.group("a") or m.group("b") or m.group("c")
        ref_role = sdk.env_role(name)
        if ref_role is None:
            continue
        start, end = (tok.inner + m.start(), tok.inner + m.end()) if tok.inner >= 0 else (tok.start, tok.end)
        out.append(Verdict(codes.OPENAI_ENV_VAR, start, end, {"env": name, "role": _role_text(ref_role, ctx)}, False))

    if role == "key" or _SECRET_KEY.search(norm):
        return out  # a secret's value is never examined beyond the sk- key scan
    value = tok.value.strip()
    if not value:
        return out
    # `${NAME:-default}`: the default is the value whenever the variable is unset. It is judged
    # like a whole value, and a fix replaces it inside the expression (only when the token is
    # spelled in the file exactly, so the text around it is kept).
    value, wrap = default_of(value)

    def wrapped(new: Optional[str]) -> Optional[str]:
        if new is None or wrap is None:
            return new
        return wrap[0] + new + wrap[1] if tok is not None and tok.inner >= 0 else None

    if (norm in _API_TYPE_KEYS or key.upper() == "OPENAI_API_TYPE") and value.lower() in _AZURE_API_TYPES:
        out.append(
            Verdict(
                codes.MODULE_CLIENT_CONFIG,
                tok.start,
                tok.end,
                {"attr": "api_type", "target": "targets Azure OpenAI"},
                ctx.env_mode,
                "openai" if ctx.env_mode and provider is not None else None,
                "api-type",
            )
        )
        return out

    for m in URL_RE.finditer(tok.value):
        url = m.group(0).rstrip(".,;:)]}")
        target = classify_url(url, sdk, ctx.hosts, endpoint=role == "base-url")  # AZURE_OPENAI_ENDPOINT=...
        if not target.blocked or is_placeholder_host(target.host):
            continue
        fixable, new = False, None
        if url == value:
            fixable, new = _url_plan(url, target.kind, _is_base_key(norm, role), ctx)
            new = wrapped(_safe(new))
            if provider is not None or (wrap is not None and tok.inner < 0):
                fixable = new is not None
        kind = "Azure OpenAI" if target.kind == "azure" else "OpenAI API"
        out.append(Verdict(codes.OPENAI_URL, tok.start, tok.end, {"kind": kind, "url": url}, fixable, new, "url"))
        return out

    if not _MODEL_TOKEN.fullmatch(value) or ctx.provider_model(value):
        return out
    if _is_deployment_key(norm):
        if provider is None:
            fixable = sdk.is_openai_model(value) or value in ctx.models
            mapping = "must be replaced by a provider model id" + (
                "" if fixable else " (add it to [tool.offramp.models])"
            )
            new = None
        else:
            choice = map_model(value, provider, sdk, ctx.models)
            new = wrapped(_safe(choice.target))
            fixable = new is not None
            if new is not None:
                mapping = choice.becomes(provider)
            else:
                mapping = f"has no {provider.name} model; map it under [tool.offramp.models]"
        args = {"deployment": value, "arg": key, "mapping": mapping}
        out.append(Verdict(codes.AZURE_DEPLOYMENT, tok.start, tok.end, args, fixable, new, "deployment"))
    elif _is_model_key(norm, role) and sdk.is_openai_model(value):
        if provider is None:
            exact = wrap is None or tok.inner >= 0
            out.append(Verdict(codes.OPENAI_MODEL, tok.start, tok.end, {"model": value, "mapping": _MAPS_LATER}, exact))
            return out
        choice = map_model(value, provider, sdk, ctx.models)
        mapped = _safe(choice.target)
        new = wrapped(mapped)
        if new is not None:
            args = {"model": value, "mapping": choice.becomes(provider)}
            out.append(Verdict(codes.OPENAI_MODEL, tok.start, tok.end, args, True, new, "model"))
        else:
            args = {"provider": provider.name, "model": value, "family": choice.family or "unknown"}
            out.append(Verdict(codes.UNMAPPED_MODEL, tok.start, tok.end, args, False))
    return out
