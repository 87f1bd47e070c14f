"""Session 12's new users: FastChat, gpt_academic, graphrag, ChuanhuChatGPT, bot-on-anything, open-interpreter,
crewAI-examples, rags, chat-langchain and Azure-Samples/openai-chat-app-quickstart, each checked and fixed
as someone who had never run offramp would. What went wrong there, each as the smallest program with the
shape; every test fails on the code before its fix. Credential shapes are oracle projects too
(tests/fixtures/oracle/), run with the real SDK by tests/runtime/test_credential_oracle.py."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import concise_check, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_base_url_the_caller_hands_in_keeps_the_clients_key(tmp_path: Path) -> None:
    """FastChat's api_provider.py: `OpenAI(base_url=api_base or "https://api.openai.com/v1", api_key=api_key)` and
    `OpenAI(base_url=api_base, ...)`, with `api_base` handed in from the endpoint registry (local vLLM servers, a
    router). fix rewrote the default to the provider's URL, kept `api_base` as the override and gave both clients
    the provider's key, which then went to every server the registry names (oracle shape caller_base_url). The
    clients stay with a TODO, as check says (no [*])."""
    shutil.copytree(FIXTURES / "oracle" / "caller_base_url", tmp_path, dirs_exist_ok=True)
    before = concise_check(tmp_path)
    assert not any(line.startswith("providers.py:") and line.endswith("[*]") for line in before), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "providers.py").read_text("utf-8")
    assert "DASHSCOPE_API_KEY" not in after and after.count("left as it is") == 2, after
