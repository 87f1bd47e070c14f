"""The provider emulation's spec (``$OFFRAMP_EMULATE``), built from the provider data files.

tests/runtime/_site/provider_emulation.py enforces it inside the program's process; this module
derives it from rules/providers/<id>.toml so that the emulated provider refuses exactly what the
data says it refuses: a model it does not serve (its status and words), a parameter marked "no",
json_schema where `[semantics.structured-output]` does not list the model, thinking rules, sampling
a model fixes, tool loops without reasoning_content, and the embedding batch limit.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Sequence

from offramp.providers import Provider
from offramp.semantics import as_dict

#: [parameters] keys sent under the same name in the JSON body.
_SAME_NAME = (
    "n",
    "logprobs",
    "top_logprobs",
    "seed",
    "logit_bias",
    "parallel_tool_calls",
    "stream_options",
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


_PATHS = {"chat": "chat/completions", "responses": "responses", "embeddings": "embeddings"}


def rules_for(p: Provider, also_served: Sequence[str] = ()) -> Dict[str, Any]:
    s = as_dict(p.semantics)
    unsupported = {
        k: s["unsupported"].get(k) or f"{p.name} does not support the parameter `{k}`"
        for k in _SAME_NAME
        if p.parameter(k) == "no"
    }
    json_schema_models = s["json_schema_models"]
    if json_schema_models is None and p.parameter("response_format-json_schema") == "no":
        json_schema_models = []
    if s["unsupported"].get("response_format-json_schema") and not s["json_schema_error"]:
        s["json_schema_error"] = s["unsupported"]["response_format-json_schema"]
    return {
        "models": sorted(set(p.models.values()) | set(also_served)),
        "unknown_model": s["unknown_model"],
        "unsupported": unsupported,
        "json_schema_models": json_schema_models,
        "json_schema_error": s["json_schema_error"],
        "json_word": s["json_object_keyword"],
        "no_images": p.parameter("image_input") == "no",
        **{k: s[k] for k in ("control", "efforts", "stream_only", "stream_only_error", "fixed_sampling")},
        **{k: s[k] for k in ("fixed_params", "fixed_sampling_error", "replay", "replay_error")},
        # endpoints it does not serve under its base URL ("no"; GLM's /responses lives elsewhere: "partial")
        "missing": [f"/{path}" for family, path in _PATHS.items() if p.endpoint(family) in ("no", "partial")],
        "embedding_batch": s["embedding_batch"],
        "embedding_batch_error": s["embedding_batch_error"],
    }


def spec_for(*providers: Provider, also_served: Sequence[str] = ()) -> str:
    """``$OFFRAMP_EMULATE`` for a program migrated to `providers`: their hosts answer by their rules
    (`also_served`: models the providers serve beyond the ones offramp maps to)."""
    return json.dumps({h: rules_for(p, also_served) for p in providers for h in p.hosts}, sort_keys=True)
