"""Read the aggregator catalogues a maintainer downloads: LiteLLM's model-price JSON and models.dev's api.json.

Both describe models by provider with dates and capability flags, and both are often wrong about a
provider (LiteLLM marks DeepSeek `supports_response_schema`, which DeepSeek answers with a 400): the
refresh report uses them only to say what to check, never to change the catalogue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from offramp.catalog import CatalogError, load_toml, rules_dir


@dataclass(frozen=True)
class UpstreamModel:
    """One model as an aggregator lists it."""

    id: str
    origin: str  # "LiteLLM" | "models.dev"
    mode: str = "chat"  # LiteLLM's mode (chat, embedding, image_generation...); "" when unknown
    retires: str = ""  # LiteLLM deprecation_date; models.dev status "deprecated" gives "deprecated"
    context: Optional[int] = None
    vision: Optional[bool] = None
    reasoning: Optional[bool] = None
    json_schema: Optional[bool] = None
    released: str = ""  # models.dev release_date


@dataclass(frozen=True)
class UpstreamMap:
    """rules/upstream.toml: where each provider (and OpenAI) is found in the two catalogues."""

    openai: Tuple[Tuple[str, ...], Tuple[str, ...]]
    providers: Mapping[str, Tuple[Tuple[str, ...], Tuple[str, ...]]]


def load_upstream_map() -> UpstreamMap:
    path = rules_dir() / "upstream.toml"
    data = load_toml(path)

    def pair(entry: Any, where: str) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
        if not isinstance(entry, dict) or set(entry) - {"litellm", "models-dev"}:
            raise CatalogError(f"{path.name} {where}: needs `litellm` and `models-dev` lists")
        return tuple(entry.get("litellm", ())), tuple(entry.get("models-dev", ()))

    providers = {k: pair(v, f"[providers].{k}") for k, v in data.get("providers", {}).items()}
    return UpstreamMap(pair(data.get("openai", {}), "[openai]"), providers)


def _read_json(path: Path, what: str) -> Dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as e:
        raise CatalogError(f"{path}: cannot read the {what}: {e.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CatalogError(f"{path}: the {what} is not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: the {what} must be a JSON object")
    return data


def read_litellm(path: Path) -> Dict[str, List[UpstreamModel]]:
    """litellm_provider -> its models (the `provider/` prefix of a key removed)."""
    out: Dict[str, List[UpstreamModel]] = {}
    for key, entry in _read_json(path, "LiteLLM model-price JSON").items():
        if not isinstance(entry, dict) or not isinstance(entry.get("litellm_provider"), str):
            continue  # `sample_spec` and the like
        provider = entry["litellm_provider"]
        model = key[len(provider) + 1 :] if key.startswith(provider + "/") else key
        if "/" in model:
            continue  # `high/1024-x-1024/gpt-image-1`: a price variant, not a model id
        context = entry.get("max_input_tokens")
        out.setdefault(provider, []).append(
            UpstreamModel(
                id=model,
                origin="LiteLLM",
                mode=str(entry.get("mode", "")),
                retires=str(entry.get("deprecation_date") or ""),
                context=context if isinstance(context, int) else None,
                vision=entry.get("supports_vision"),
                reasoning=entry.get("supports_reasoning"),
                json_schema=entry.get("supports_response_schema"),
            )
        )
    return out


def read_models_dev(path: Path) -> Dict[str, List[UpstreamModel]]:
    """models.dev provider id -> its models, from api.json (keys starting with `_` are notes)."""
    out: Dict[str, List[UpstreamModel]] = {}
    for provider, entry in _read_json(path, "models.dev api.json").items():
        if provider.startswith("_") or not isinstance(entry, dict) or not isinstance(entry.get("models"), dict):
            continue
        for mid, m in entry["models"].items():
            if not isinstance(m, dict):
                continue
            inputs = (m.get("modalities") or {}).get("input") or []
            limit = (m.get("limit") or {}).get("context")
            out.setdefault(provider, []).append(
                UpstreamModel(
                    id=str(m.get("id", mid)),
                    origin="models.dev",
                    mode="",
                    retires="deprecated" if m.get("status") == "deprecated" else "",
                    context=limit if isinstance(limit, int) else None,
                    vision=("image" in inputs) if inputs else None,
                    reasoning=m.get("reasoning") if isinstance(m.get("reasoning"), bool) else None,
                    json_schema=m.get("structured_output") if isinstance(m.get("structured_output"), bool) else None,
                    released=str(m.get("release_date", "")),
                )
            )
    return out
