"""What became of a provider's model ids: the `[served]` and `[[lifecycle]]` tables of a provider file.

A migrated program works only while the provider still serves the model it names. DeepSeek retired
`deepseek-chat` / `deepseek-reasoner` on 2026-07-24 and redirected `deepseek-v4-flash` to
`deepseek-flash` three months later; code migrated before that (by hand or by offramp) now fails
or silently runs on another model. These tables say so with sources, `checks/lifecycle.py` turns
them into findings (OFR205) and `fix` writes the successor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from offramp.catalog import CatalogError, rules_file

# retired: requests fail; redirected: the id still answers, served by the successor;
# deprecated: a retirement is announced (`retired` is the announced date).
STATUSES = ("retired", "redirected", "deprecated")
_KEYS = {"model", "status", "announced", "retired", "successor", "note", "source", "date"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SERVED_KEYS = {"models", "complete", "source", "date"}


@dataclass(frozen=True)
class ModelLifecycle:
    """One OpenAI model's deprecation facts (rules/openai.toml `api-lifecycle`): a migration must not carry a
    retired model to the provider's mapping, and the successor tells which provider model fits."""

    model: str
    status: str
    retired: str = ""  # YYYY-MM-DD, the retirement (or announced retirement) date
    announced: str = ""
    successor: str = ""
    note: str = ""
    source: Tuple[str, ...] = ()
    date: str = ""


@dataclass(frozen=True)
class Lifecycle:
    """A provider's model ids: those it serves and those it no longer serves (or soon will not)."""

    served: Tuple[str, ...] = ()
    complete: bool = False  # `served` (with [models] and the redirected ids) is every id the provider serves
    models: Mapping[str, ModelLifecycle] = field(default_factory=dict)
    source: Tuple[str, ...] = ()
    date: str = ""

    def entry(self, model: str) -> Optional[ModelLifecycle]:
        return self.models.get(model)


SourceReader = Callable[[Mapping[str, Any], str, bool], Tuple[Tuple[str, ...], str]]


def parse_lifecycle(data: Mapping[str, Any], where: str, sources: SourceReader, required: bool) -> Lifecycle:
    """`[served]` and `[[lifecycle]]` of one provider table (both optional)."""
    served_raw = data.get("served", {})
    if not isinstance(served_raw, dict):
        raise CatalogError(f"{where}: `[served]` must be a table")
    unknown = set(served_raw) - _SERVED_KEYS
    if unknown:
        raise CatalogError(f"{where} [served]: unknown key(s) {', '.join(sorted(unknown))}")
    served = served_raw.get("models", [])
    if not isinstance(served, list) or not all(isinstance(m, str) and m for m in served):
        raise CatalogError(f"{where} [served].models: must be a list of model ids")
    complete = served_raw.get("complete", False)
    if not isinstance(complete, bool):
        raise CatalogError(f"{where} [served].complete: must be true or false")
    src, date = sources(served_raw, f"{where} [served]", required) if served_raw else ((), "")
    entries: Dict[str, ModelLifecycle] = {}
    raw_entries = data.get("lifecycle", [])
    if not isinstance(raw_entries, list):
        raise CatalogError(f"{where}: `lifecycle` must be an array of tables ([[lifecycle]])")
    for i, raw in enumerate(raw_entries):
        w = f"{where} [[lifecycle]] #{i + 1}"
        if not isinstance(raw, dict):
            raise CatalogError(f"{w}: must be a table")
        unknown = set(raw) - _KEYS
        if unknown:
            raise CatalogError(f"{w}: unknown key(s) {', '.join(sorted(unknown))}")
        model, status = raw.get("model"), raw.get("status")
        if not isinstance(model, str) or not model:
            raise CatalogError(f"{w}: needs `model`")
        if status not in STATUSES:
            raise CatalogError(f"{w}: `status` must be one of {', '.join(STATUSES)}")
        texts = {k: raw.get(k, "") for k in ("announced", "retired", "successor", "note")}
        if not all(isinstance(v, str) for v in texts.values()):
            raise CatalogError(f"{w}: `announced`, `retired`, `successor` and `note` are strings")
        for k in ("announced", "retired"):
            if texts[k] and not _DATE.fullmatch(texts[k]):
                raise CatalogError(f"{w}: `{k}` must be YYYY-MM-DD")
        if model in entries:
            raise CatalogError(f"{w}: {model} is listed twice")
        esrc, edate = sources(raw, w, required)
        entries[model] = ModelLifecycle(model, status, source=esrc, date=edate, **texts)
    return Lifecycle(tuple(served), complete, entries, src, date)


def gone_mappings(models: Mapping[str, str], lifecycle: Lifecycle) -> Dict[str, ModelLifecycle]:
    """[models] entries (family -> entry) that name an id the provider retired or redirected."""
    out = {}
    for family, model in models.items():
        entry = lifecycle.entry(model)
        if entry is not None and entry.status in ("retired", "redirected"):
            out[family] = entry
    return out


@dataclass(frozen=True)
class ApiLifecycle:
    """An OpenAI endpoint family OpenAI no longer serves (rules/openai.toml [api-lifecycle])."""

    family: str
    status: str
    retired: str
    announced: str
    successor: str
    source: Tuple[str, ...]


def openai_api_lifecycle() -> Dict[str, ApiLifecycle]:
    """Endpoint family -> its lifecycle entry: the Assistants API (shut down 2026-08-26) and its threads."""
    raw = rules_file("openai.toml").get("api-lifecycle", {})
    src = raw.get("source", ())
    sources = (src,) if isinstance(src, str) else tuple(src)
    out: Dict[str, ApiLifecycle] = {}
    for family, entry in raw.items():
        if family in ("source", "date"):
            continue
        if not isinstance(entry, dict) or entry.get("status") not in STATUSES:
            raise CatalogError(f"openai.toml [api-lifecycle].{family}: needs a `status` of {', '.join(STATUSES)}")
        out[family] = ApiLifecycle(
            family,
            entry["status"],
            str(entry.get("retired", "")),
            str(entry.get("announced", "")),
            str(entry.get("successor", "")),
            sources,
        )
    return out
