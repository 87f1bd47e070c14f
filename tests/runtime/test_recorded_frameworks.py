"""Frameworks too heavy for CI (recorded.py says why and how the runs were recorded): the program `fix`
writes today is the one that was run, and every request it sent went to the provider with its key and a
model the provider serves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from recorded import CASES, RECORDED, digest, migrated

from offramp.engine import resolve_provider
from offramp.settings import Settings

RUNS = [(program, provider_id, count) for program, _, providers, count in CASES for provider_id in providers]


@pytest.mark.parametrize("program, provider_id, count", RUNS)
def test_recorded_run_reaches_provider(program: str, provider_id: str, count: int, tmp_path: Path) -> None:
    recording = json.loads((RECORDED / f"{Path(program).stem}.{provider_id}.json").read_text(encoding="utf-8"))
    target, _ = migrated(program, provider_id, tmp_path)
    assert digest(target) == recording["program_sha256"], "fix output changed: re-record (tests/runtime/recorded.py)"
    provider = resolve_provider(provider_id, Settings(root=tmp_path))
    assert provider is not None
    root = provider.base_url().rstrip("/") + "/"
    requests = recording["requests"]
    assert len(requests) == count
    for r in requests:
        # (a chat model sent to the legacy `completions` API, which the providers lack, fails here: DSPy's
        # dspy.OpenAI picks it by the model's name)
        assert r["url"].startswith(root) and r["url"][len(root) :] in ("chat/completions", "embeddings"), r["url"]
        assert r["authorization"] == f"Bearer key-{provider_id}" and r["api-key"] is None
        assert r["model"] in set(provider.models.values())
