"""OFR205: a provider model id the provider retired, redirected or never served, on a route to it.

Code migrated by hand (or by an older offramp) keeps working only while the provider serves the id it
names: `deepseek-chat` has failed since 2026-07-24, `deepseek-v4-flash` silently runs on V4.1-Flash
since 2026-10, and `deepseek-flsh` never worked. The facts are the provider file's `[served]` and
`[[lifecycle]]` tables (offramp.knowledge.lifecycle); `fix --to` that provider writes the successor
the file names (fixes/routegate.py), never a guess for a typo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, AbstractSet, Mapping, Optional

from offramp import codes
from offramp.checks.base import Hit
from offramp.closest import did_you_mean
from offramp.mapping import map_model
from offramp.providers import Provider
from offramp.types import Severity, Span

if TYPE_CHECKING:
    from offramp.catalog import SdkSurface


@dataclass(frozen=True)
class LifecycleFinding:
    state: str  # "was retired on 2026-07-24 (requests with it fail)"
    advice: str  # ": use `deepseek-flash`", or a "did you mean"
    successor: str  # what fix writes ("" when it writes nothing)
    severity: Severity


def served_ids(provider: Provider, overrides: Mapping[str, str] = {}) -> frozenset:
    """Every id the provider is known to serve: mapped, listed in [served], or a user's own mapping."""
    life = provider.lifecycle
    redirected = {m for m, e in life.models.items() if e.status in ("redirected", "deprecated")}
    return frozenset(provider.models.values()) | set(life.served) | redirected | set(overrides.values())


def judge_model(model: str, provider: Provider, overrides: Mapping[str, str] = {}) -> Optional[LifecycleFinding]:
    """What is wrong with sending `model` to `provider`, or None when nothing is known to be."""
    entry = provider.lifecycle.entry(model)
    if entry is not None:
        use = f": use `{entry.successor}`" if entry.successor else ""
        if entry.status == "retired":
            when = f" on {entry.retired}" if entry.retired else ""
            return LifecycleFinding(f"was retired{when}, so requests with it fail", use, entry.successor, "error")
        if entry.status == "redirected":
            what = f"`{entry.successor}`" if entry.successor else "another model"
            state = f"is an old name {provider.name} now answers with {what}"
            return LifecycleFinding(state, use, entry.successor, "warning")
        when = f" on {entry.retired}" if entry.retired else ""
        return LifecycleFinding(f"is to be retired{when}", use, entry.successor, "warning")
    if provider.lifecycle.complete and model not in served_ids(provider, overrides):
        known = sorted(served_ids(provider, overrides))
        hint = did_you_mean(model, known) or f" (it serves {', '.join(f'`{m}`' for m in known)})"
        return LifecycleFinding(f"is not a model {provider.name} serves", hint, "", "error")
    return None


def written_elsewhere(
    value: str, to: Provider, sdk: SdkSurface, models: Mapping[str, str], enabled: Optional[AbstractSet[str]]
) -> Optional[str]:
    """The model id fix writes over a literal `value` of one file that requests of others moved to `to` send
    (the route gate's `Gate.models`), else None: a retired id of the provider's own becomes its successor
    (OFR209), any other its mapping when OFR201 is on (a model rewrite is OFR201's fix; an Azure deployment
    mapped under [tool.offramp.models] too). `enabled`: the rules the run reports (None: all). The one answer
    check (project/stage.py, which offers such a literal as [*]) and fix (fixes/routegate.py) use."""
    if (enabled is None or codes.MODEL_RETIRED in enabled) and not sdk.is_openai_model(value):
        newer = successor(value, to)
        if newer is not None:
            return newer
    if enabled is not None and codes.OPENAI_MODEL not in enabled:
        return None
    return map_model(value, to, sdk, dict(models)).target


def successor(model: str, provider: Provider) -> Optional[str]:
    """The id `fix` writes in place of a retired or redirected one (None: leave it)."""
    entry = provider.lifecycle.entry(model)
    if entry is None or entry.status == "deprecated" or not entry.successor:
        return None
    return entry.successor


def lifecycle_hit(
    model: str, span: Span, host: str, provider: Provider, overrides: Mapping[str, str], fix_target: bool
) -> Optional[Hit]:
    """The OFR205 finding for `model` sent to `host`, which `provider` serves (route checks).
    `fix_target`: `fix` of this run would target `provider` (or no target is chosen yet)."""
    found = judge_model(model, provider, overrides)
    if found is None:
        return None
    args = {"model": model, "provider": provider.name, "host": host, "state": found.state, "advice": found.advice}
    fixable = fix_target and successor(model, provider) is not None
    return Hit(codes.MODEL_RETIRED, span, args, fixable=fixable, severity=found.severity)
