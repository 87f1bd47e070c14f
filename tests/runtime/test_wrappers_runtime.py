"""LangChain, LiteLLM and DSPy programs, migrated, send their requests to the provider.

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

PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"


def _migrate_and_run(name: str, provider_id: str, tmp_path: Path, python: Path) -> tuple:
    work = tmp_path / "project"
    work.mkdir()
    target = work / name
    shutil.copy(PROGRAMS / name, target)
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    (result,) = fix_files([target], settings, provider, jobs=1)
    assert result.changed and result.error is None
    env = {provider.key_env: f"key-{provider_id}", "OPENAI_API_KEY": "sk-old", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return provider, harness.run_program_full(target, env=env, tmp_path=tmp_path / "run", python=python, timeout=180)


@pytest.mark.parametrize("provider_id", ["qwen", "glm"])
def test_langchain_and_litellm_reach_provider(provider_id: str, tmp_path: Path, wrappers_python: Path) -> None:
    provider, run = _migrate_and_run("wrappers_langchain_litellm.py", provider_id, tmp_path, wrappers_python)
    host = provider.base_url().split("/")[2]
    assert [r.path.rsplit("/", 1)[-1] for r in run.requests] == ["completions", "embeddings", "completions"]
    for r in run.requests:
        assert r.host == host, r.url
        assert r.headers.get("authorization") == f"Bearer key-{provider_id}"
        assert r.json["model"] in set(provider.models.values())
    assert run.requests[1].json["model"] == provider.models["embedding-small"]


@pytest.mark.parametrize("provider_id", ["glm"])  # (every provider: the credential oracle's wrappers_dspy.py)
def test_dspy_reaches_provider(provider_id: str, tmp_path: Path, wrappers_python: Path) -> None:
    """DSPy 3.4.1 for real: `dspy.LM` (its own HTTP client, lm15) and `dspy.Embedder` (LiteLLM) get the
    provider's `api_base` and key and an `openai/<provider model>` name; unmigrated, all three requests
    go to api.openai.com with OPENAI_API_KEY. The decoys (an Anthropic LM never called, an embedder that
    is a function of the program's own) send nothing."""
    provider, run = _migrate_and_run("wrappers_dspy.py", provider_id, tmp_path, wrappers_python)
    host = provider.base_url().split("/")[2]
    assert [r.path.rsplit("/", 1)[-1] for r in run.requests] == ["completions", "completions", "embeddings"]
    for r in run.requests:
        assert r.host == host, r.url
        assert r.headers.get("authorization") == f"Bearer key-{provider_id}"
        assert r.json["model"] in set(provider.models.values())
    assert run.requests[2].json["model"] == provider.models["embedding-small"]
