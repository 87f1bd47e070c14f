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

from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.settings import Settings

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
        # LangChain 1.x: models and an agent named by a string, and an Azure model (azure_openai:).
        ("langchain_v1.py", "kimi", 4),
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


@pytest.mark.parametrize("provider_id", ["kimi", "qwen"])
def test_autogen_component_configs_reach_provider(provider_id: str, tmp_path: Path, frameworks_python: Path) -> None:
    """AutoGen component configs (YAML, JSON, a team's nested model client) migrated on their own: the
    framework is their reader. Loaded with the real `ChatCompletionClient.load_component`, each migrated
    client (the Azure ones included) sends its request to the provider with a model it serves and the
    `model_info` AutoGen needs; a `${VAR}` key reference now names the provider's variable, and a file
    that held a placeholder holds one naming it. The local server's client is left alone."""
    work = tmp_path / "project"
    shutil.copytree(PROGRAMS / "autogen_components", work)
    for name in ("autogen_openai.yaml", "autogen_azure.json", "autogen_team.yaml"):  # the fix fixtures' inputs
        shutil.copy(PROGRAMS.parent / "framework-files" / "input" / name, work / name)
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    results = fix_files(sorted(work.iterdir()), settings, provider, jobs=1)
    assert all(r.error is None for r in results)
    assert {r.display for r in results if r.changed} == {
        "autogen_openai.yaml",
        "autogen_azure.json",
        "autogen_team.yaml",
    }
    env = {provider.key_env: f"key-{provider_id}", "AZURE_OPENAI_API_KEY": "azure-old", "OPENAI_API_KEY": "sk-old"}
    run = harness.run_program_full(
        work / "load_components.py", env=env, tmp_path=tmp_path / "run", python=frameworks_python, timeout=180
    )
    host = provider.base_url().split("/")[2]
    placeholder = f"Bearer REPLACE_WITH_YOUR_{provider.key_env}"
    seen = [
        (r.host, r.headers.get("authorization"), r.json["model"] in set(provider.models.values())) for r in run.requests
    ]
    assert seen == [
        (host, placeholder, True),  # autogen_openai.yaml
        (host, f"Bearer key-{provider_id}", True),  # autogen_azure.json: ${AZURE_OPENAI_API_KEY} -> the provider's
        (host, placeholder, True),  # autogen_team.yaml: the Azure writer (Entra ID token before)
        ("localhost", "Bearer ollama", False),  # the local server's client, left alone
    ]
