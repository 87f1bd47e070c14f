"""Migrated programs against an emulated provider that answers as Qwen, DeepSeek, GLM and Kimi do.

tests/runtime/_site/provider_emulation.py refuses, with the provider's status and words, what the
provider data (rules/providers/*.toml) says the provider refuses: a model it does not serve, a
parameter marked "no", json_schema on a model that does not take it, an effort it does not know,
sampling a model fixes, more embedding inputs than it takes. A program migrated by `fix` must pass
it; the same program with only host, key and model moved (the request rules switched off) must not,
so the emulation and the fix are both shown to matter.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Dict, Tuple

import harness
import pytest
from batch import Job, run_batch
from emulation import spec_for
from harness import HarnessError

from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.providers import builtin_providers
from offramp.settings import Settings

PROGRAM = Path(__file__).resolve().parents[1] / "fixtures" / "semantics" / "semantics_requests.py"
PROVIDERS = ("qwen", "deepseek", "glm", "kimi")
REQUEST_RULES = ("OFR401", "OFR405", "OFR406", "OFR407", "OFR408")
# What the provider answers the program's requests when only host, key and model moved.
WHY_REFUSED = {
    # (qwen3.8-max, Qwen's flagship since 2026-12, takes json_schema: only the thinking control is refused)
    "qwen": ("think: 400 .*`reasoning_effort`",),
    # (DeepSeek serves the Responses API since 2026-10: the summary call is accepted)
    "deepseek": (
        "think: 400 .*reasoning_effort must be one of high, max",
        "extract: 400 .*This response_format type",
        "typed: 400 .*This response_format type",
    ),
    # (GLM 5.2+ and Kimi's reasoning models accept reasoning_effort: zai-sdk 0.2.3, LiteLLM's moonshot config)
    "glm": (
        "extract: 400 .*json_schema is not supported",
        "summarise: 404",
        "typed: 400 .*json_schema is not supported",
    ),
    "kimi": ("chat: 400 .*invalid temperature: only 1 is allowed", "summarise: 404"),
}


def _env(pid: str) -> Dict[str, str]:
    p = builtin_providers()[pid]
    return {p.key_env: f"key-for-{pid}", "OFFRAMP_EMULATE": spec_for(p)}


def _migrate(pid: str, work: Path, **settings) -> Path:  # type: ignore[no-untyped-def]
    work.mkdir(parents=True)
    target = work / PROGRAM.name
    shutil.copy(PROGRAM, target)
    s = Settings(root=work, **settings)
    provider = resolve_provider(pid, s)
    assert provider is not None
    (result,) = fix_files([target], s, provider, jobs=1)
    assert result.error is None and result.changed, result.error
    return target


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Dict[Tuple[str, str], object]:
    tmp = tmp_path_factory.mktemp("emulated")
    jobs = []
    for pid in PROVIDERS:
        fixed = _migrate(pid, tmp / pid / "fixed")
        moved_only = _migrate(pid, tmp / pid / "moved", ignore=REQUEST_RULES)
        jobs += [Job(f"{pid}:fixed", fixed, _env(pid)), Job(f"{pid}:moved", moved_only, _env(pid))]
    return {tuple(k.split(":")): v for k, v in run_batch(jobs, tmp_path=tmp / "runs").items()}  # type: ignore[misc]


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_fixed_program_is_accepted_by_the_provider(provider_id: str, runs) -> None:  # type: ignore[no-untyped-def]
    requests = runs[(provider_id, "fixed")].checked()
    p = builtin_providers()[provider_id]
    assert len(requests) == 5 and {r.host for r in requests} <= set(p.hosts)
    think, chat, extract, summarise, typed = (r.json for r in requests)
    if p.endpoint("responses") != "yes":
        assert requests[3].path.endswith("/chat/completions") and summarise["messages"][0]["role"] == "system"
    r = p.semantics.reasoning
    assert "reasoning_effort" not in think or r.control == "reasoning_effort" or r.takes_effort(think["model"])
    if p.semantics.reasoning.fixed(chat["model"]):
        assert "temperature" not in chat
    assert typed["response_format"]["type"] == extract["response_format"]["type"]  # .parse() as create()
    if extract["response_format"]["type"] == "json_object":
        assert "JSON" in extract["messages"][0]["content"] and extract["messages"][0]["role"] == "system"


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_only_moving_host_key_and_model_is_refused(provider_id: str, runs) -> None:  # type: ignore[no-untyped-def]
    """Yesterday's fix: the same program, its request parameters as OpenAI reads them."""
    with pytest.raises(HarnessError) as refused:
        runs[(provider_id, "moved")].checked()
    for why in WHY_REFUSED[provider_id]:
        assert re.search(why, str(refused.value)), why


def test_emulation_answers_like_the_provider(run_program_full) -> None:  # type: ignore[no-untyped-def]
    qwen, deepseek = builtin_providers()["qwen"], builtin_providers()["deepseek"]
    program = """
import openai
from openai import OpenAI
q = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key="k", max_retries=0)
d = OpenAI(base_url="https://api.deepseek.com/v1", api_key="k", max_retries=0)
for call in (
    lambda: q.embeddings.create(model="text-embedding-v4", input=[str(i) for i in range(11)]),
    lambda: q.embeddings.create(model="text-embedding-v4", input=[str(i) for i in range(10)]),
    lambda: q.chat.completions.create(model="gpt-4o", messages=[]),
    lambda: q.chat.completions.create(model="qwen3-32b", messages=[{"role": "user", "content": "hi"}]),
    lambda: q.chat.completions.create(model="qwen3-32b", messages=[], extra_body={"enable_thinking": False}),
    lambda: d.chat.completions.create(model="deepseek-chat", messages=[]),
    lambda: d.chat.completions.create(model="deepseek-v4-pro", messages=[{"role": "user", "content": "x"}],
                                      response_format={"type": "json_object"}),
):
    try:
        call()
        print("ok")
    except openai.APIStatusError as e:
        print(e.status_code, e.body["message"] if isinstance(e.body, dict) else e.body)
"""
    env = {"OFFRAMP_EMULATE": spec_for(qwen, deepseek, also_served=["qwen3-32b"])}
    out = run_program_full(program, env=env).stdout.splitlines()
    assert out[0] == "400 " + qwen.semantics.limits.embedding_batch_error
    assert out[1] == "ok"
    assert out[2].startswith("404 The model `gpt-4o` does not exist")
    assert out[3] == "400 parameter.enable_thinking must be set to false for non-streaming calls"
    assert out[4] == "ok"
    assert out[5] == "400 Model Not Exist"
    assert out[6].startswith("400 Prompt must contain the word 'json'")


LANGCHAIN = PROGRAM.with_name("langchain_embeddings.py")


def test_langchain_embeddings_are_batched_for_qwen(tmp_path: Path, wrappers_python: Path) -> None:
    """Qwen embeds at most 10 inputs per request: fix sets LangChain's chunk_size, and the 25 texts
    go in 10 + 10 + 5; with only host, key and model moved the one request of 25 is refused."""
    runs = {}
    for name, ignore in (("fixed", ()), ("moved", ("OFR408",))):
        work = tmp_path / name
        work.mkdir()
        shutil.copy(LANGCHAIN, work / LANGCHAIN.name)
        s = Settings(root=work, ignore=ignore)
        provider = resolve_provider("qwen", s)
        assert provider is not None
        fix_files([work / LANGCHAIN.name], s, provider, jobs=1)
        runs[name] = harness.run_program_full(
            work / LANGCHAIN.name,
            env=_env("qwen"),
            tmp_path=tmp_path / f"run-{name}",
            python=wrappers_python,
            timeout=180,
            check=False,
        )
    assert runs["fixed"].returncode == 0, runs["fixed"].stderr
    assert [len(r.json["input"]) for r in runs["fixed"].requests] == [10, 10, 5]
    assert runs["moved"].returncode != 0
    assert "batch size is invalid, it should not be larger than 10" in runs["moved"].stderr
