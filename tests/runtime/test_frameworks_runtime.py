"""Agent-framework programs (OpenAI Agents SDK, AutoGen 0.4+, LangChain 1.x), migrated: every request reaches
the provider.

The frameworks run for real (pinned in their own cached virtualenv, conftest.frameworks_python); only
the network is replaced, at the transport level. Unmigrated, the Agents SDK program calls api.openai.com
three times (twice through the Responses API) and exports its traces there with OPENAI_API_KEY; after
`fix` every request, the trace export included, must go to the provider with its key and a model it
serves (the harness fails on any request it did not intercept).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import harness
import pytest

from offramp.config import Settings
from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files

PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "frameworks"


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
    env = {
        provider.key_env: f"key-{provider_id}",
        "OPENAI_API_KEY": "sk-old",
        "AZURE_OPENAI_API_KEY": "azure-old",
        "AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com/",
    }
    run = harness.run_program_full(target, env=env, tmp_path=tmp_path / "run", python=python, timeout=180)
    return provider, run


@pytest.mark.parametrize(
    "program, provider_id, count",
    [
        ("openai_agents.py", "deepseek", 3),
        # Kimi has no Responses API (DeepSeek serves one since 2026-10): the default API and the Responses
        # model class change too.
        ("openai_agents_default.py", "kimi", 2),
        # AutoGen: the OpenAI and Azure model clients, with the `model_info` the provider's model needs.
        ("autogen.py", "kimi", 3),
        ("autogen.py", "qwen", 3),
        # LangChain 1.x: models and an agent named by a string.
        ("langchain_v1.py", "kimi", 3),
    ],
)
def test_framework_program_reaches_provider(
    program: str, provider_id: str, count: int, tmp_path: Path, frameworks_python: Path
) -> None:
    provider, run = _migrate_and_run(program, provider_id, tmp_path, frameworks_python)
    host = provider.base_url().split("/")[2]
    assert [r.path.rsplit("/", 2)[-2:] for r in run.requests] == [["chat", "completions"]] * count
    for r in run.requests:
        assert r.host == host, r.url
        assert r.headers.get("authorization") == f"Bearer key-{provider_id}"
        assert r.json["model"] in set(provider.models.values())
