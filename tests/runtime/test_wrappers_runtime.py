"""LangChain, LiteLLM and DSPy programs, migrated, send their requests to the provider.

The wrapper libraries run for real (pinned versions in their own cached virtualenv, built on
first use); only the network is replaced, at the transport level, as for the SDK programs.
The three runs share one interpreter that imports the libraries once and forks a child per
program (batch.py), as the credential oracle runs these programs: an interpreter each cost
~6 CPU-s, mostly those imports (18 CPU-s for the module, measured 2026-12-06).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from batch import Job, JobResult, run_batch
from harness import CapturedRequest

from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.providers import Provider
from offramp.settings import Settings

PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
LANGCHAIN_LITELLM, DSPY = "wrappers_langchain_litellm.py", "wrappers_dspy.py"
AZURE_LLM = "wrappers_langchain_azure_llm.py"
CASES = ((LANGCHAIN_LITELLM, "qwen"), (LANGCHAIN_LITELLM, "glm"), (DSPY, "glm"), (AZURE_LLM, "deepseek"))
PRELOAD = ("openai", "langchain_openai", "litellm", "dspy")

Runs = Dict[Tuple[str, str], Tuple[Provider, JobResult]]


def _migrate(name: str, provider_id: str, work: Path) -> Tuple[Provider, Path]:
    work.mkdir(parents=True)
    target = work / name
    shutil.copy(PROGRAMS / name, target)
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    (result,) = fix_files([target], settings, provider, jobs=1)
    assert result.changed and result.error is None
    return provider, target


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, wrappers_python: Path) -> Runs:
    """Each case migrated, then run (one batch); the requests of each, or its failure when asked for."""
    tmp = tmp_path_factory.mktemp("wrappers")
    providers: Dict[Tuple[str, str], Provider] = {}
    jobs = []
    for name, provider_id in CASES:
        provider, target = _migrate(name, provider_id, tmp / f"{provider_id}-{Path(name).stem}")
        env = {
            provider.key_env: f"key-{provider_id}",
            "OPENAI_API_KEY": "sk-old",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        }
        providers[(name, provider_id)] = provider
        jobs.append(Job(f"{name}|{provider_id}", target, env))
    results = run_batch(jobs, tmp_path=tmp / "runs", preload=PRELOAD, timeout_per_job=180, python=wrappers_python)
    return {case: (providers[case], results[f"{case[0]}|{case[1]}"]) for case in CASES}


def _run(runs: Runs, name: str, provider_id: str) -> Tuple[Provider, List[CapturedRequest]]:
    provider, result = runs[(name, provider_id)]
    return provider, result.checked()  # a non-zero exit fails, as harness.run_program_full's check does


@pytest.mark.parametrize("provider_id", ["qwen", "glm"])
def test_langchain_and_litellm_reach_provider(provider_id: str, runs: Runs) -> None:
    provider, requests = _run(runs, LANGCHAIN_LITELLM, provider_id)
    host = provider.base_url().split("/")[2]
    assert [r.path.rsplit("/", 1)[-1] for r in requests] == ["completions", "embeddings", "completions"]
    for r in requests:
        assert r.host == host, r.url
        assert r.headers.get("authorization") == f"Bearer key-{provider_id}"
        assert r.json["model"] in set(provider.models.values())
    assert requests[1].json["model"] == provider.models["embedding-small"]


@pytest.mark.parametrize("provider_id", ["glm"])  # (every provider: the credential oracle's wrappers_dspy.py)
def test_dspy_reaches_provider(provider_id: str, runs: Runs) -> None:
    """DSPy 3.4.1 for real: `dspy.LM` (its own HTTP client, lm15) and `dspy.Embedder` (LiteLLM) get the
    provider's `api_base` and key and an `openai/<provider model>` name; unmigrated, all three requests
    go to api.openai.com with OPENAI_API_KEY. The decoys (an Anthropic LM never called, an embedder that
    is a function of the program's own) send nothing."""
    provider, requests = _run(runs, DSPY, provider_id)
    host = provider.base_url().split("/")[2]
    assert [r.path.rsplit("/", 1)[-1] for r in requests] == ["completions", "completions", "embeddings"]
    for r in requests:
        assert r.host == host, r.url
        assert r.headers.get("authorization") == f"Bearer key-{provider_id}"
        assert r.json["model"] in set(provider.models.values())
    assert requests[2].json["model"] == provider.models["embedding-small"]


def test_langchain_azure_completions_class_reaches_provider(runs: Runs) -> None:
    """langchain-openai's `AzureOpenAI` (completions) for real: swapped for its `OpenAI` class with the provider's
    base URL, key and model. Yesterday offramp did not know the class: nothing was rewritten (and its key read,
    handed to "a call offramp cannot follow", kept its name)."""
    provider, requests = _run(runs, AZURE_LLM, "deepseek")
    assert [(r.host, r.path.rsplit("/", 1)[-1]) for r in requests] == [("api.deepseek.com", "completions")]
    assert requests[0].headers.get("authorization") == "Bearer key-deepseek"
    assert requests[0].json["model"] in set(provider.models.values())
