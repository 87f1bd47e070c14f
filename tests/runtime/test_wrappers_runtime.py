"""LangChain and LiteLLM programs, migrated, send their requests to the provider.

The wrapper libraries run for real (pinned versions in their own cached virtualenv, built on
first use); only the network is replaced, at the transport level, as for the SDK programs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import harness
import pytest

from offramp.config import Settings
from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files

PROGRAM = Path(__file__).resolve().parents[1] / "fixtures" / "runtime" / "wrappers_langchain_litellm.py"


@pytest.mark.parametrize("provider_id", ["qwen", "glm"])
def test_langchain_and_litellm_reach_provider(provider_id: str, tmp_path: Path, wrappers_python: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    target = work / PROGRAM.name
    shutil.copy(PROGRAM, target)
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    (result,) = fix_files([target], settings, provider, jobs=1)
    assert result.changed and result.error is None
    env = {provider.key_env: f"key-{provider_id}", "OPENAI_API_KEY": "sk-old", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    run = harness.run_program_full(target, env=env, tmp_path=tmp_path / "run", python=wrappers_python, timeout=180)
    host = provider.base_url().split("/")[2]
    assert [r.path.rsplit("/", 1)[-1] for r in run.requests] == ["completions", "embeddings", "completions"]
    for r in run.requests:
        assert r.host == host, r.url
        assert r.headers.get("authorization") == f"Bearer key-{provider_id}"
        assert r.json["model"] in set(provider.models.values())
    assert run.requests[1].json["model"] == provider.models["embedding-small"]
