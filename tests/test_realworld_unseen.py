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


_OPENAI_HELPER = (
    "import os\n\nimport openai\n\n\n"
    "def openai_stream(model_name, messages, api_base=None, api_key=None):\n"
    '    api_key = api_key or os.environ["OPENAI_API_KEY"]\n'
    '    client = openai.OpenAI(base_url=api_base or "https://api.openai.com/v1", api_key=api_key)\n'
    "    return client.chat.completions.create(model=model_name, messages=messages)\n"
)
_MISTRAL_HELPER = (
    "\n\ndef mistral_stream(model_name, messages, api_key=None):\n"
    "    from mistralai import Mistral\n\n"
    "    if api_key is None:\n"
    '        api_key = os.environ["MISTRAL_API_KEY"]\n'
    "    client = Mistral(api_key=api_key)\n"
    "    return client.chat.stream(model=model_name, messages=messages)\n"
)


def test_a_local_variable_of_another_function_is_no_consumer_of_a_key_read(tmp_path: Path) -> None:
    """FastChat's api_provider.py has a stream helper per API, each with its own local `api_key`. The read of
    OPENAI_API_KEY in the OpenAI helper was tied by name to `Mistral(api_key=api_key)` in the Mistral helper
    ("kept `OPENAI_API_KEY`: it feeds `Mistral`"), so fix kept the read for it, gave the OpenAI client the
    provider's key and moved it; the migrated helper then raised KeyError without OPENAI_API_KEY. A function's
    local name is matched only in that function: the file is migrated as it is without the Mistral helper."""
    alone, both = tmp_path / "alone", tmp_path / "both"
    for tree, text in ((alone, _OPENAI_HELPER), (both, _OPENAI_HELPER + _MISTRAL_HELPER)):
        tree.mkdir()
        (tree / "providers.py").write_text(text, encoding="utf-8")
    run_cli(["fix", "--to", "qwen", "."], alone)
    done = run_cli(["fix", "--to", "qwen", "."], both)
    assert "Mistral" not in done.stdout + done.stderr, done.stdout + done.stderr
    migrated = (both / "providers.py").read_text("utf-8")
    assert migrated == (alone / "providers.py").read_text("utf-8") + _MISTRAL_HELPER, migrated
