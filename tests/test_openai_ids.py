"""Every OpenAI model id of openai 3.63.0 and LiteLLM 1.110.2 is recognised and lands in the right family.

The id lists are pinned in tests/fixtures/knowledge/ (extracted from the wheels, see their headers). The
2026-12 audit found `gpt-6-luna` (OpenAI's cheap tier, $0.10 per M input tokens) classed as flagship, so
a gpt-4o-mini replacement was migrated to the provider's most expensive model; `gpt-live-*` realtime and
transcription models mapped to chat models; and `ft:` fine-tuned ids not recognised at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from offramp.catalog import load_sdk
from offramp.mapping import map_model
from offramp.providers import builtin_providers

PINNED = Path(__file__).parent / "fixtures" / "knowledge"
LISTS = ("openai-3.63.0-model-ids.txt", "litellm-1.110.2-openai-ids.txt")


def _ids(name: str) -> List[str]:
    lines = (PINNED / name).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _expected_family(model: str) -> str:
    """The audit's classification of the new tiers (None: no claim about this id)."""
    if model.startswith("ft:"):
        return "fine-tuned"
    if model.startswith("gpt-live-transcribe"):
        return "transcription"
    if model.startswith("gpt-live-"):
        return "realtime"
    if "-luna" in model:
        return "cheap"
    if "-terra" in model:
        return "mid"
    return ""


@pytest.mark.parametrize("name", LISTS)
def test_every_pinned_id_is_an_openai_model(name: str) -> None:
    sdk = load_sdk()
    ids = _ids(name)
    assert len(ids) > 100
    assert [m for m in ids if not sdk.is_openai_model(m)] == []


@pytest.mark.parametrize("name", LISTS)
def test_new_tiers_classify_as_the_audit_says(name: str) -> None:
    sdk = load_sdk()
    claims = {m: _expected_family(m) for m in _ids(name) if _expected_family(m)}
    assert {"cheap", "mid", "realtime"} <= set(claims.values())  # the lists hold each new tier
    assert {m: sdk.model_family(m) for m in claims} == claims


def test_litellm_lists_fine_tuned_and_live_transcription_ids() -> None:
    families = {load_sdk().model_family(m) for m in _ids(LISTS[1])}
    assert {"fine-tuned", "transcription"} <= families


def test_a_fine_tuned_id_is_never_migrated_silently() -> None:
    sdk = load_sdk()
    fine_tuned = [m for m in _ids(LISTS[1]) if m.startswith("ft:")]
    assert fine_tuned
    for p in builtin_providers().values():
        for m in fine_tuned:
            choice = map_model(m, p, sdk, {})
            assert choice.family == "fine-tuned" and choice.target is None, (p.id, m)


def test_the_mid_tier_falls_back_to_the_flagship() -> None:
    sdk = load_sdk()
    for p in builtin_providers().values():
        assert map_model("gpt-6.1-terra", p, sdk, {}).target == p.models["flagship"], p.id
