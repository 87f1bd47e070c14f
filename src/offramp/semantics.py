"""What a provider does differently with an OpenAI request once the base URL has moved.

Moving host, key and model is not the end of a migration: code written for OpenAI sends
`reasoning_effort=`, `response_format={"type": "json_schema", ...}`, 2,048 embedding inputs at a
time, and the first request fails at the provider with a 400. These are the provider's rules for
such requests, read from the `[semantics.*]` tables of rules/providers/*.toml (each with its
source and date, and the provider's own error text where one is known), so that checks, fixes and
the runtime tests' provider emulation (tests/runtime/) agree on one set of facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from offramp.catalog import CatalogError, check_table_keys, fact_sources

#: How a provider turns thinking on and off (`[semantics.reasoning].control`).
CONTROLS = ("reasoning_effort", "enable_thinking", "thinking-type")


@dataclass(frozen=True)
class Reasoning:
    """How a provider takes `reasoning_effort` and thinking: the same request means different things per provider,
    so the checks say where a migrated call would think, not think, or be refused."""

    control: str  # one of CONTROLS
    # reasoning_effort control: OpenAI effort -> the value this provider accepts (absent: sent as written)
    efforts: Mapping[str, str] = field(default_factory=dict)
    off: Tuple[str, ...] = ("none", "minimal")  # OpenAI efforts that mean "do not think"
    effort_models: Tuple[str, ...] = ()  # model globs that take reasoning_effort whatever `control` says
    always_on: Tuple[str, ...] = ()  # model globs that think whatever the request says
    stream_only: Tuple[str, ...] = ()  # model globs that reject thinking on a non-streaming call
    stream_only_error: str = ""
    fixed_sampling: Tuple[str, ...] = ()  # model globs whose sampling parameters are fixed
    fixed_params: Tuple[str, ...] = ()
    fixed_sampling_error: str = ""
    thinks_by_default: Tuple[str, ...] = ()  # model globs that think unless told not to
    thinking_rejects: Tuple[str, ...] = ()  # request parameters refused while the model thinks
    replay: bool = False  # assistant messages with tool_calls must carry reasoning_content back
    replay_error: str = ""
    source: Tuple[str, ...] = ()
    date: str = ""

    def thinks_always(self, model: Optional[str]) -> bool:
        return _matches(model, self.always_on)

    def thinks_unless_told(self, model: Optional[str]) -> bool:
        return _matches(model, self.thinks_by_default) or _matches(model, self.always_on)

    def takes_effort(self, model: Optional[str]) -> bool:
        return _matches(model, self.effort_models)

    def needs_stream(self, model: Optional[str]) -> bool:
        return _matches(model, self.stream_only)

    def fixed(self, model: Optional[str]) -> bool:
        return _matches(model, self.fixed_sampling)


@dataclass(frozen=True)
class StructuredOutput:
    """Which of a provider's models accept `response_format` (json_schema, json_object): a structured-output call
    that migrates to a model without it fails at run time, not at import."""

    json_schema_models: Tuple[str, ...] = ()  # model globs that accept response_format json_schema
    json_schema_error: str = ""
    json_object_keyword: bool = False  # json_object needs the word "JSON" in the messages
    source: Tuple[str, ...] = ()
    date: str = ""

    def takes_json_schema(self, model: Optional[str]) -> bool:
        return _matches(model, self.json_schema_models)


@dataclass(frozen=True)
class Limits:
    """Request limits that differ from OpenAI's (embedding batch size, `n`): a batch that OpenAI takes may be
    refused by the provider."""

    embedding_batch: Optional[int] = None  # inputs per embeddings request
    embedding_batch_error: str = ""
    n_max: Optional[int] = None
    source: Tuple[str, ...] = ()
    date: str = ""


@dataclass(frozen=True)
class Errors:
    """The provider's answers the runtime emulation gives (status, message)."""

    unknown_model: Tuple[int, str] = (404, "")
    unsupported: Mapping[str, str] = field(default_factory=dict)  # parameter key -> the provider's message
    source: Tuple[str, ...] = ()
    date: str = ""


@dataclass(frozen=True)
class Semantics:
    """What a provider does differently with the same request (rules/providers/*.toml): the facts behind the
    semantic checks (checks/semantics.py), each table with its source and date."""

    reasoning: Optional[Reasoning] = None
    structured: Optional[StructuredOutput] = None
    limits: Limits = Limits()
    errors: Errors = Errors()


NONE = Semantics()


def _matches(model: Optional[str], globs: Sequence[str]) -> bool:
    return bool(model) and any(fnmatchcase(str(model).lower(), g.lower()) for g in globs)


def _strs(table: Mapping[str, Any], key: str, where: str) -> Tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}.{key}: must be a list of strings")
    return tuple(value)


def _str(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str) or not value.isprintable():
        raise CatalogError(f"{where}.{key}: must be one line of text")
    return value


def _provenance(table: Mapping[str, Any], where: str, allowed: Sequence[str]) -> Tuple[Tuple[str, ...], str]:
    if not isinstance(table, dict):
        raise CatalogError(f"{where}: must be a table")
    check_table_keys(table, tuple(allowed), where)
    return fact_sources(table, where)


_REASONING_KEYS = (
    "control",
    "efforts",
    "off",
    "effort-models",
    "always-on",
    "stream-only",
    "stream-only-error",
    "fixed-sampling",
    "fixed-params",
    "fixed-sampling-error",
    "replay",
    "replay-error",
    "thinks-by-default",
    "thinking-rejects",
)


def parse_semantics(raw: Mapping[str, Any], where: str) -> Semantics:
    """The `[semantics]` table of one provider file (every sub-table needs `source` and `date`)."""
    if not isinstance(raw, dict):
        raise CatalogError(f"{where} [semantics]: must be a table")
    unknown = set(raw) - {"reasoning", "structured-output", "limits", "errors"}
    if unknown:
        raise CatalogError(f"{where} [semantics]: unknown key(s) {', '.join(sorted(unknown))}")
    reasoning = None
    if "reasoning" in raw:
        w = f"{where} [semantics.reasoning]"
        t = raw["reasoning"]
        src, date = _provenance(t, w, _REASONING_KEYS)
        control = t.get("control")
        if control not in CONTROLS:
            raise CatalogError(f"{w}.control: must be one of {', '.join(CONTROLS)}")
        efforts = t.get("efforts", {})
        if not isinstance(efforts, dict) or not all(isinstance(v, str) for v in efforts.values()):
            raise CatalogError(f"{w}.efforts: must be a table of effort = value")
        if not isinstance(t.get("replay", False), bool):
            raise CatalogError(f"{w}.replay: must be true or false")
        reasoning = Reasoning(
            control=control,
            efforts=dict(efforts),
            off=_strs(t, "off", w) or ("none", "minimal"),
            effort_models=_strs(t, "effort-models", w),
            always_on=_strs(t, "always-on", w),
            stream_only=_strs(t, "stream-only", w),
            stream_only_error=_str(t, "stream-only-error", w),
            fixed_sampling=_strs(t, "fixed-sampling", w),
            fixed_params=_strs(t, "fixed-params", w),
            fixed_sampling_error=_str(t, "fixed-sampling-error", w),
            thinks_by_default=_strs(t, "thinks-by-default", w),
            thinking_rejects=_strs(t, "thinking-rejects", w),
            replay=bool(t.get("replay", False)),
            replay_error=_str(t, "replay-error", w),
            source=src,
            date=date,
        )
    structured = None
    if "structured-output" in raw:
        w = f"{where} [semantics.structured-output]"
        t = raw["structured-output"]
        src, date = _provenance(t, w, ("json-schema-models", "json-schema-error", "json-object-keyword"))
        if not isinstance(t.get("json-object-keyword", False), bool):
            raise CatalogError(f"{w}.json-object-keyword: must be true or false")
        structured = StructuredOutput(
            _strs(t, "json-schema-models", w),
            _str(t, "json-schema-error", w),
            bool(t.get("json-object-keyword", False)),
            src,
            date,
        )
    limits = Limits()
    if "limits" in raw:
        w = f"{where} [semantics.limits]"
        t = raw["limits"]
        src, date = _provenance(t, w, ("embedding-batch", "embedding-batch-error", "n-max"))
        for key in ("embedding-batch", "n-max"):
            if key in t and not (isinstance(t[key], int) and t[key] > 0):
                raise CatalogError(f"{w}.{key}: must be a positive integer")
        limits = Limits(t.get("embedding-batch"), _str(t, "embedding-batch-error", w), t.get("n-max"), src, date)
    errors = Errors()
    if "errors" in raw:
        w = f"{where} [semantics.errors]"
        t = raw["errors"]
        src, date = _provenance(t, w, ("unknown-model-status", "unknown-model", "unsupported"))
        unsupported = t.get("unsupported", {})
        if not isinstance(unsupported, dict) or not all(isinstance(v, str) for v in unsupported.values()):
            raise CatalogError(f"{w}.unsupported: must be a table of parameter = message")
        status = t.get("unknown-model-status", 404)
        if not isinstance(status, int):
            raise CatalogError(f"{w}.unknown-model-status: must be an HTTP status")
        errors = Errors((status, _str(t, "unknown-model", w)), dict(unsupported), src, date)
    return Semantics(reasoning, structured, limits, errors)


def cited(source: Sequence[str], date: str, about: str = "") -> str:
    """`(source: X; checked 2026-12-05)` for a finding that quotes the provider: the first source that
    mentions `about` (the fact's own source in a table citing several), else the table's first."""
    if not source:
        return ""
    first = next((s for s in source if about and about in s), source[0])
    return f" (source: {first}; checked {date})" if date else f" (source: {first})"


def as_dict(s: Semantics) -> Dict[str, Any]:
    """The facts the runtime emulation needs, as plain JSON data (it runs stdlib-only in the child)."""
    r, so, lim, err = s.reasoning, s.structured, s.limits, s.errors
    return {
        "stream_only": list(r.stream_only) if r else [],
        "stream_only_error": r.stream_only_error if r else "",
        "control": r.control if r else "",
        "efforts": sorted(set(r.efforts.values())) if r and r.control == "reasoning_effort" and r.efforts else [],
        "fixed_sampling": list(r.fixed_sampling) if r else [],
        "fixed_params": list(r.fixed_params) if r else [],
        "fixed_sampling_error": r.fixed_sampling_error if r else "",
        "replay": bool(r and r.replay),
        "replay_error": r.replay_error if r else "",
        "json_schema_models": list(so.json_schema_models) if so else None,
        "json_schema_error": so.json_schema_error if so else "",
        "json_object_keyword": bool(so and so.json_object_keyword),
        "embedding_batch": lim.embedding_batch,
        "embedding_batch_error": lim.embedding_batch_error,
        "unknown_model": list(err.unknown_model),
        "unsupported": dict(err.unsupported),
    }
