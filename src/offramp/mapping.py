"""Decide which provider model replaces an OpenAI model or an Azure deployment name.

Checks (to say what will happen) and fixes (to do it) must agree, so both call `map_model`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Mapping, Optional

from offramp.catalog import SdkSurface

if TYPE_CHECKING:
    from offramp.providers import Provider


@dataclass(frozen=True)
class ModelChoice:
    """The provider model an OpenAI model or Azure deployment migrates to, and where that answer came from: the
    report and the TODOs say whether the user, the catalogue or a fallback chose it."""

    source: str  # the model or deployment as written
    family: Optional[str]  # OpenAI family, None when the name is not an OpenAI model
    target: Optional[str]  # provider model id, None when there is no equivalent
    via: str  # "config" | "catalogue" | "fallback" | "none"
    # Why no primary source confirms `target` is served (in the chosen region); "" when one does.
    unconfirmed: str = ""

    @property
    def is_embedding(self) -> bool:
        return bool(self.family and self.family.startswith("embedding"))

    def becomes(self, provider: Provider) -> str:
        """What a finding says of the mapping, unconfirmed ids included: never written as a fact."""
        text = f"becomes `{self.target}` on {provider.name}"
        if self.unconfirmed:
            text += f" (unconfirmed: {self.unconfirmed}; `offramp verify` tries it with your key)"
        return text


#: A family whose requests send images -> the provider's family that sees them (gpt-4o is multimodal;
#: Qwen's, DeepSeek's and GLM's flagships are text-only, and an image part there is a 400).
_SEEING = {"flagship": "vision", "legacy": "vision", "code": "vision", "cheap": "vision-cheap"}


def map_model(
    value: str, provider: Provider, sdk: SdkSurface, overrides: Mapping[str, str], images: bool = False
) -> ModelChoice:
    """Config overrides first (exact name), then the provider's model for the OpenAI family; with
    `images` (every request naming the model sends image parts) its vision model where it has one."""
    if value in overrides:
        return ModelChoice(
            value, sdk.model_family(value) if sdk.is_openai_model(value) else None, overrides[value], "config"
        )
    if not sdk.is_openai_model(value):
        return ModelChoice(value, None, None, "none")
    return _unconfirmed(_catalogue_choice(value, provider, sdk, images), provider)


def _unconfirmed(choice: ModelChoice, provider: Provider) -> ModelChoice:
    why = provider.unconfirmed.get(choice.target or "", "")
    return replace(choice, unconfirmed=why) if why else choice


def _catalogue_choice(value: str, provider: Provider, sdk: SdkSurface, images: bool) -> ModelChoice:
    family = sdk.model_family(value)
    seeing = _SEEING.get(family or "") if images else None
    if seeing is not None and seeing in provider.models:
        return ModelChoice(value, seeing, provider.models[seeing], "catalogue")
    if family in provider.models:
        return ModelChoice(value, family, provider.models[family], "catalogue")
    if family in provider.no_equivalent:
        # The provider documents that it has nothing of this kind (no reasoning model at 01.AI):
        # a fallback would silently swap an o-series call for a chat model.
        return ModelChoice(value, family, None, "none")
    for alt in sdk.model_fallback.get(family, ()):
        if alt in provider.models:
            return ModelChoice(value, family, provider.models[alt], "fallback")
    return ModelChoice(value, family, None, "none")


def is_provider_model(value: str, provider: Provider, overrides: Mapping[str, str]) -> bool:
    """A name that already belongs to the provider (the fix's own output): nothing left to do."""
    return value in provider.models.values() or value in overrides.values()
