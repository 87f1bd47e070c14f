"""One provider per request family: `--to chat=deepseek,embeddings=qwen`.

A provider rarely serves everything a codebase asks of OpenAI: DeepSeek serves no embeddings
(rules/providers/deepseek.toml), so `--to deepseek` alone leaves a TODO on every embedding call, while
Qwen or GLM serve embeddings. A target is therefore a provider per *family* (rules/openai.toml
`[target-families]`: which endpoint families and model families each one covers): a request goes to
the provider of its family, with that provider's host, key and model together. A plain `--to qwen`
is the one-family case, and everything behaves as before.

Written as `--to chat=deepseek,embeddings=qwen` (a bare name is the default for every family not
named: `--to deepseek,embeddings=qwen`), or `target = {chat = "deepseek", embeddings = "qwen"}` in
`[tool.offramp]`, which the settings keep as the same normalised text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple

from offramp.catalog import rules_file

if TYPE_CHECKING:
    from offramp.providers import Provider

CHAT = "chat"


class TargetError(ValueError):
    """A malformed target: the CLI says it on one line (`offramp: error: ...`) and exits 2."""


@lru_cache(maxsize=1)
def families() -> Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]]:
    """family -> (its endpoint families, its model families), from rules/openai.toml."""
    table = rules_file("openai.toml")["target-families"]
    return {name: (tuple(v["endpoints"]), tuple(v["models"])) for name, v in table.items()}


def family_of(endpoint_family: str) -> str:
    """The target family of a request of `endpoint_family` (`chat` for anything not listed)."""
    for name, (endpoints, _) in families().items():
        if endpoint_family in endpoints:
            return name
    return CHAT


def family_of_model(model_family: Optional[str]) -> Optional[str]:
    """The target family an OpenAI model family belongs to (`embedding-small` -> `embeddings`), or None."""
    for name, (_, models) in families().items():
        if model_family in models:
            return name
    return None


def is_family_spec(text: Optional[str]) -> bool:
    return bool(text) and ("=" in str(text) or "," in str(text))


def parse_spec(text: str) -> Dict[str, str]:
    """`chat=deepseek,embeddings=qwen` -> {"chat": "deepseek", "embeddings": "qwen"}; a bare name is the
    default of every family not named, under the key "". Raises TargetError with the reason."""
    out: Dict[str, str] = {}
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            raise TargetError(f"empty entry in {text!r} (expected FAMILY=PROVIDER, comma-separated)")
        family, sep, provider = (s.strip() for s in entry.partition("="))
        if not sep:
            family, provider = "", family
        elif family not in families():
            from offramp.closest import did_you_mean  # lazy: start-up

            known = sorted(families())
            raise TargetError(
                f"unknown request family {family!r}{did_you_mean(family, known)}; known families: {', '.join(known)}"
            )
        if not provider:
            raise TargetError(f"no provider for {family or 'the default'} in {text!r}")
        if family in out:
            raise TargetError(
                f"family {family!r} is given twice" if family else f"two default providers in {text!r}: name families"
            )
        out[family] = provider
    if CHAT not in out and "" not in out:
        raise TargetError(f"no provider for chat requests in {text!r}: add chat=PROVIDER")
    return out


def spec_text(value: Any) -> str:
    """The target setting as text: a provider name as it is, a `{family = provider}` table as `family=provider,...`."""
    if isinstance(value, str):
        return value
    pairs = value.items() if isinstance(value, Mapping) else ()
    if pairs and all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
        return ",".join(f"{k}={v}" for k, v in value.items())
    raise TargetError('expected a provider name or a table of family = "provider"')


@dataclass(frozen=True)
class Targets:
    """The provider of each family. `chat` is always there; families not named go to it."""

    by_family: Tuple[Tuple[str, Provider], ...]

    @property
    def default(self) -> Provider:
        return dict(self.by_family)[CHAT]

    @property
    def split(self) -> bool:
        """Whether more than one provider is involved (else: the one-provider behaviour, exactly)."""
        return len({p.id for _, p in self.by_family}) > 1

    def for_family(self, endpoint_family: str) -> Provider:
        """The provider a request of `endpoint_family` (`embeddings`, `chat`, `audio-speech`...) goes to."""
        return self.of(family_of(endpoint_family))

    def for_families(self, endpoint_families: Any) -> Optional[Provider]:
        """The one provider all these requests go to, or None when they go to several."""
        found = {self.for_family(f).id: self.for_family(f) for f in endpoint_families}
        return next(iter(found.values())) if len(found) == 1 else None

    def for_model_family(self, model_family: Optional[str]) -> Provider:
        """The provider an OpenAI model of `model_family` goes to (`embedding-small` -> the embeddings provider)."""
        family = family_of_model(model_family)
        return self.of(family) if family else self.default

    def of(self, family: str) -> Provider:
        """The provider of a target family (`chat`, `embeddings`, `images`, `audio`)."""
        return dict(self.by_family).get(family, self.default)

    def families_of(self, provider_id: str) -> List[str]:
        """The families whose requests go to `provider_id` (those not named go to the chat provider)."""
        return [f for f in families() if self.of(f).id == provider_id]

    @property
    def providers(self) -> List[Provider]:
        seen: Dict[str, Provider] = {}
        for _, p in self.by_family:
            seen.setdefault(p.id, p)
        return list(seen.values())

    def hosts(self) -> frozenset:
        return frozenset(h for p in self.providers for h in p.hosts)

    def label(self) -> str:
        """`chat at DeepSeek and embeddings at Qwen`; the provider's name alone when there is one."""
        if not self.split:
            return self.default.name
        parts = [f"{family} at {p.name}" for family, p in self.by_family]
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def spec(self) -> str:
        return ",".join(f"{family}={p.id}" for family, p in self.by_family)


def resolve_targets(text: str, resolve: Callable[[str], Provider]) -> Targets:
    """Each family's provider (`resolve`: a provider id to the provider, raising on an unknown one)."""
    spec = parse_spec(text)
    by_id: Dict[str, Provider] = {}
    for pid in spec.values():
        if pid not in by_id:
            by_id[pid] = resolve(pid)
    default = spec.get("", spec.get(CHAT, ""))
    pairs: List[Tuple[str, Provider]] = [(CHAT, by_id[spec.get(CHAT, default)])]
    for family in families():
        if family != CHAT and family in spec:
            pairs.append((family, by_id[spec[family]]))
        elif family != CHAT and "" in spec and spec[""] != pairs[0][1].id:
            pairs.append((family, by_id[spec[""]]))
    return Targets(tuple(pairs))
