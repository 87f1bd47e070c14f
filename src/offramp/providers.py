"""The provider catalogue: rules/providers/*.toml, plus custom providers and model overrides from config.

Provider files are facts with provenance. The loader is strict on purpose: a key it does
not know, or a fact table without `source` and `date`, is an error, so a typo cannot make a
capability silently disappear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Set, Tuple
from urllib.parse import urlsplit

from offramp.catalog import MODEL_ID, CatalogError, check_table_keys, fact_sources, load_toml, rules_dir
from offramp.knowledge.lifecycle import Lifecycle, parse_lifecycle
from offramp.knowledge.regions import RegionMap, parse_regions, regional_maps
from offramp.redact import without_url_credentials
from offramp.semantics import NONE, Semantics, parse_semantics

ENDPOINT_FAMILIES = (
    "chat",
    "completions",
    "responses",
    "embeddings",
    "images",
    "audio-speech",
    "audio-transcriptions",
    "audio-translations",
    "moderations",
    "models",
    "files",
    "uploads",
    "batches",
    "fine-tuning",
    "assistants",
    "threads",
    "vector-stores",
    "realtime",
    "containers",
    "evals",
    "conversations",
    "videos",
)
PARAMETERS = (
    "n",
    "logprobs",
    "top_logprobs",
    "seed",
    "logit_bias",
    "response_format-json_object",
    "response_format-json_schema",
    "tools",
    "tool_choice-required",
    "parallel_tool_calls",
    "stream_options",
    "image_input",
    "audio_output",
    "max_completion_tokens",
    "reasoning_effort",
    "service_tier",
    "store",
    "metadata",
    "prediction",
    "user",
    "presence_penalty",
    "frequency_penalty",
    "web_search_options",
    "prompt_cache_key",
    "safety_identifier",
    "verbosity",
    "functions",
)
MODEL_FAMILIES = (
    "flagship",
    "mid",
    "cheap",
    "legacy",
    "reasoning",
    "reasoning-cheap",
    "code",
    "vision",
    "vision-cheap",
    "embedding-small",
    "embedding-large",
    "image",
    "speech",
    "transcription",
    "moderation",
)
STATUSES = ("yes", "no", "partial", "unknown")
# What `fix` may write into code, `.env` and config files. A provider's values are inserted as
# identifiers and literals there, so anything else (`key-env = 5`, a quote, a line break) is an
# error in the provider's definition, not something to escape at each place it is written.
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_URL_CHARS = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&*+,;=%\-]{1,2000}")  # RFC 3986 minus quotes and parens
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")

_TOP_KEYS = {
    "schema",
    "id",
    "name",
    "vendor",
    "docs",
    "key-env",
    "source",
    "date",
    "base-url",
    "models",
    "no-equivalent",
    "embedding-dimensions",
    "endpoints",
    "parameters",
    "quirks",
    "semantics",
    "served",
    "lifecycle",
    "regions",
}


@dataclass(frozen=True)
class Quirk:
    """A documented difference of a provider (rules/providers/*.toml `[[quirks]]`), quoted with its source and
    date where a check needs the reason (an image input the provider refuses)."""

    id: str
    text: str
    source: Tuple[str, ...]
    date: str


@dataclass(frozen=True)
class Provider:
    """One OpenAI-compatible target, with the facts the checks and fixes need."""

    id: str
    name: str
    vendor: str
    docs: str
    key_env: str
    base_urls: Mapping[str, str]
    default_region: str
    models: Mapping[str, str]
    # OpenAI model family -> why this provider has no model for it. Unlike a family merely left
    # out of [models], a listed family stays unmapped: `offramp.mapping` does not try the
    # fallbacks for it, so the call gets an OFR403 TODO instead of a model of another kind.
    no_equivalent: Mapping[str, str] = field(default_factory=dict)
    embedding_dimensions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    endpoints: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    quirks: Tuple[Quirk, ...] = ()
    sources: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    dates: Mapping[str, str] = field(default_factory=dict)
    custom: bool = False
    # What the provider does differently with an OpenAI request (offramp.semantics)
    semantics: Semantics = NONE
    # [served] / [[lifecycle]]: ids served today, and retired / redirected / deprecated ones
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    # [regions.NAME] (offramp.knowledge.regions): a region's own model map, or the mapped ids no source
    # confirms there. `models` / `no_equivalent` above are those of `default_region`.
    regions: Mapping[str, RegionMap] = field(default_factory=dict)
    base_models: Mapping[str, str] = field(default_factory=dict)  # [models] as written
    base_no_equivalent: Mapping[str, str] = field(default_factory=dict)
    unconfirmed: Mapping[str, str] = field(default_factory=dict)  # model id -> why it is unconfirmed here

    def in_region(self, region: str) -> Provider:
        """This provider with `region` as its default: its base URL and that region's model map."""
        self.base_url(region)
        if not self.regions:
            return replace(self, default_region=region)
        maps = regional_maps(region, self.base_models, self.base_no_equivalent, self.regions)
        return replace(
            self,
            default_region=region,
            models=maps.models,
            no_equivalent=maps.no_equivalent,
            unconfirmed=maps.unconfirmed,
        )

    def base_url(self, region: Optional[str] = None) -> str:
        region = region or self.default_region
        if region not in self.base_urls:
            raise CatalogError(
                f"provider {self.id} has no region {region!r} (known: {', '.join(sorted(self.base_urls))})"
            )
        return self.base_urls[region]

    @property
    def hosts(self) -> Tuple[str, ...]:
        return tuple(sorted({(urlsplit(u).hostname or "").lower() for u in self.base_urls.values()} - {""}))

    def endpoint(self, family: str) -> str:
        return self.endpoints.get(family, "unknown")

    def parameter(self, name: str) -> str:
        return self.parameters.get(name, "unknown")


def is_base_url(url: str) -> bool:
    """An http(s) URL with a host, made only of characters that need no quoting in code or config."""
    if not _URL_CHARS.fullmatch(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _check_text(data: Mapping[str, Any], where: str) -> None:
    """`id`, `name`, `vendor`, `docs` and `key-env`: the right type and shape before they reach code or output."""
    if "id" in data and not (isinstance(data["id"], str) and _ID.fullmatch(data["id"])):
        raise CatalogError(f"{where}: `id` must be letters, digits, `_`, `.` or `-`")
    if "key-env" in data and not (isinstance(data["key-env"], str) and ENV_NAME.fullmatch(data["key-env"])):
        raise CatalogError(
            f"{where}: `key-env` must be an environment variable name (letters, digits, `_`), not {data['key-env']!r}"
        )
    for key in ("name", "vendor", "docs"):
        value = data.get(key, "")
        if not isinstance(value, str) or not value.isprintable() or len(value) > 200:
            raise CatalogError(f"{where}: `{key}` must be one line of text")


def _status_table(raw: Mapping[str, Any], allowed: Tuple[str, ...], where: str, complete: bool) -> Dict[str, str]:
    check_table_keys(raw, allowed, where)
    out = {}
    for k, v in raw.items():
        if k in ("source", "date"):
            continue
        if v not in STATUSES:
            raise CatalogError(f"{where}.{k}: must be one of {', '.join(STATUSES)}")
        out[k] = v
    if complete:
        missing = set(allowed) - set(out)
        if missing:
            raise CatalogError(f"{where}: missing key(s) {', '.join(sorted(missing))}")
    return out


def parse_provider(data: Mapping[str, Any], where: str, *, custom: bool = False) -> Provider:
    """Validate one provider table (a shipped file, or `[tool.offramp.providers.NAME]` when custom)."""
    check_table_keys(data, _TOP_KEYS, where)
    sources: Dict[str, Tuple[str, ...]] = {}
    dates: Dict[str, str] = {}
    sources["provider"], dates["provider"] = fact_sources(data, where, required=not custom)
    for key in ("id", "name", "key-env"):
        if not custom and not isinstance(data.get(key), str):
            raise CatalogError(f"{where}: `{key}` is required")
    _check_text(data, where)
    base = data.get("base-url")
    if not isinstance(base, dict):
        raise CatalogError(f"{where}: `[base-url]` table is required")
    sources["base-url"], dates["base-url"] = fact_sources(base, f"{where} [base-url]", required=not custom)
    urls = {k: v for k, v in base.items() if k not in ("source", "date", "default")}
    for region, url in urls.items():
        if (
            not re.fullmatch(r"[a-z][a-z0-9-]*", region)
            or not isinstance(url, str)
            or not url.startswith(("http://", "https://"))
        ):
            raise CatalogError(f"{where} [base-url].{region}: must be an http(s) URL under a lowercase region key")
        if not is_base_url(url):
            raise CatalogError(
                f"{where} [base-url].{region}: {url!r} is not a URL offramp can write into code "
                "(a host, no blanks, quotes, parentheses or backslashes)"
            )
        dropped = without_url_credentials(url)[1]
        if dropped:  # fix writes this URL into code: a credential in it would be a key literal there
            key_env = data.get("key-env", "the provider's `key-env` variable")
            raise CatalogError(
                f"{where} [base-url].{region}: the URL carries a credential ({', '.join(dropped)}); "
                f"remove it: the key is read from {key_env}"
            )
    if not urls:
        raise CatalogError(f"{where} [base-url]: no URL")
    default_region = base.get("default", next(iter(urls)))
    if default_region not in urls:
        raise CatalogError(f"{where} [base-url].default: {default_region!r} is not one of the regions")

    models_raw = data.get("models", {})
    check_table_keys(models_raw, MODEL_FAMILIES, f"{where} [models]")
    sources["models"], dates["models"] = fact_sources(models_raw, f"{where} [models]", required=not custom)
    models = {k: v for k, v in models_raw.items() if k not in ("source", "date")}
    for k, v in models.items():
        if not isinstance(v, str) or not MODEL_ID.fullmatch(v):
            raise CatalogError(f"{where} [models].{k}: {v!r} is not a model id (letters, digits and ._:/@+-)")

    gaps_raw = data.get("no-equivalent", {})
    if not isinstance(gaps_raw, dict):
        raise CatalogError(f"{where}: `[no-equivalent]` must be a table of family = reason")
    check_table_keys(gaps_raw, MODEL_FAMILIES, f"{where} [no-equivalent]")
    if gaps_raw:
        sources["no-equivalent"], dates["no-equivalent"] = fact_sources(
            gaps_raw, f"{where} [no-equivalent]", required=not custom
        )
    gaps = {k: v for k, v in gaps_raw.items() if k not in ("source", "date")}
    for k, v in gaps.items():
        if not isinstance(v, str) or not v.strip():
            raise CatalogError(f"{where} [no-equivalent].{k}: must be a reason string")
    both = sorted(set(gaps) & set(models))
    if both:
        raise CatalogError(f"{where}: {', '.join(both)} both mapped in [models] and listed in [no-equivalent]")

    dims_raw = data.get("embedding-dimensions", {})
    if dims_raw:
        sources["embedding-dimensions"], dates["embedding-dimensions"] = fact_sources(
            dims_raw, f"{where} [embedding-dimensions]", required=not custom
        )
    dims = {}
    for k, v in dims_raw.items():
        if k in ("source", "date"):
            continue
        if not isinstance(v, dict) or set(v) - {"default", "allowed"} or not isinstance(v.get("default"), int):
            raise CatalogError(f"{where} [embedding-dimensions].{k}: needs `default` (int) and optional `allowed`")
        dims[k] = v

    endpoints_raw = data.get("endpoints", {})
    parameters_raw = data.get("parameters", {})
    if not custom or endpoints_raw:
        sources["endpoints"], dates["endpoints"] = fact_sources(
            endpoints_raw, f"{where} [endpoints]", required=not custom
        )
    if not custom or parameters_raw:
        sources["parameters"], dates["parameters"] = fact_sources(
            parameters_raw, f"{where} [parameters]", required=not custom
        )
    endpoints = _status_table(endpoints_raw, ENDPOINT_FAMILIES, f"{where} [endpoints]", complete=not custom)
    parameters = _status_table(parameters_raw, PARAMETERS, f"{where} [parameters]", complete=not custom)

    quirks = []
    for i, q in enumerate(data.get("quirks", [])):
        qw = f"{where} [[quirks]] #{i + 1}"
        check_table_keys(q, {"id", "text"}, qw)
        src, date = fact_sources(q, qw, required=not custom)
        if not isinstance(q.get("id"), str) or not isinstance(q.get("text"), str):
            raise CatalogError(f"{qw}: needs `id` and `text`")
        quirks.append(Quirk(q["id"], q["text"], src, date))

    lifecycle = parse_lifecycle(data, where, fact_sources, required=not custom)
    regions = parse_regions(
        data, where, tuple(urls), MODEL_FAMILIES, lambda m: bool(MODEL_ID.fullmatch(m)), fact_sources, not custom
    )
    pid = data.get("id", "")
    provider = Provider(
        id=pid,
        name=data.get("name", pid),
        vendor=data.get("vendor", ""),
        docs=data.get("docs", ""),
        key_env=data.get("key-env", f"{pid.upper().replace('-', '_')}_API_KEY"),
        base_urls=urls,
        default_region=default_region,
        models=models,
        no_equivalent=gaps,
        embedding_dimensions=dims,
        endpoints=endpoints,
        parameters=parameters,
        quirks=tuple(quirks),
        sources=sources,
        dates=dates,
        custom=custom,
        semantics=parse_semantics(data["semantics"], where) if "semantics" in data else NONE,
        lifecycle=lifecycle,
        regions=regions,
        base_models=models,
        base_no_equivalent=gaps,
    )
    return provider.in_region(default_region) if regions else provider


def load_provider_file(path: Path) -> Provider:
    data = load_toml(path)
    if data.get("schema") != 1:
        raise CatalogError(f"{path.name}: `schema = 1` is required")
    p = parse_provider(data, path.name)
    if p.id != path.stem:
        raise CatalogError(f"{path.name}: id {p.id!r} does not match the file name")
    return p


@lru_cache(maxsize=1)
def builtin_providers() -> Dict[str, Provider]:
    directory = rules_dir() / "providers"
    out: Dict[str, Provider] = {}
    for path in sorted(directory.glob("*.toml")):
        p = load_provider_file(path)
        out[p.id] = p
    return out


def known_provider_hosts() -> Tuple[str, ...]:
    """Hosts of every shipped provider, used to recognise code that is already retargeted."""
    hosts: Set[str] = set()
    for p in builtin_providers().values():
        hosts.update(p.hosts)
    return tuple(sorted(hosts))
