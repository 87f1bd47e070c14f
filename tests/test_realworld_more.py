"""More shapes found by running `fix` then `check` on real projects offramp had never seen (session 11:
babyagi, gpt-engineer, MetaGPT, chatgpt-on-wechat, GPT-Researcher, camel, aider, private-gpt, autogen and
Azure-Samples/openai).

Each test is the smallest program with the shape and fails on the code before its fix; the credential
shapes also have an oracle project under tests/fixtures/oracle/, run with the real SDK.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import List

from helpers import run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _checked(tree: Path, to: str = "qwen") -> List[str]:
    """The lines of `check --to` in the concise format."""
    return run_cli(["check", "--to", to, "--no-cache", "--output-format", "concise", "."], tree).stdout.splitlines()


def test_a_key_read_written_back_into_a_kept_variable_keeps_its_name(tmp_path: Path) -> None:
    """babyagi's embed_input: `os.environ["OPENAI_API_KEY"] = os.getenv("OPENAI_API_KEY")` before a client
    that moves, while a REST call elsewhere in the program stays on OpenAI and reads the variable. The
    write kept its name, but its read became the provider's variable: the provider's key went into
    `OPENAI_API_KEY` and from there to api.openai.com (oracle shape env_write_own_value). The read now
    keeps its name with the write, and check no longer offers it."""
    shutil.copytree(FIXTURES / "oracle" / "env_write_own_value", tmp_path, dirs_exist_ok=True)
    read = [line for line in _checked(tmp_path) if line.startswith("vectors.py:8:") and " OFR301 " in line]
    assert len(read) == 2 and not any(line.endswith("[*]") for line in read), read
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "vectors.py").read_text("utf-8")
    assert 'os.environ["OPENAI_API_KEY"] = os.getenv("OPENAI_API_KEY", "")' in after, after
    assert "dashscope" in after  # the client itself still moves, with the provider's key given to it
    assert not any(line.endswith("[*]") for line in _checked(tmp_path))


def test_a_litellm_model_is_judged_as_sent_to_the_provider(tmp_path: Path) -> None:
    """babyagi for DeepSeek: fix wrote LiteLLM's `model="openai/deepseek-v4-pro"` beside the provider's
    `api_base`, and check then called each of the 12 "not a model DeepSeek serves" (did you mean
    `deepseek-v4-pro`?): LiteLLM sends the id without its `openai/` prefix. A retired id behind the
    prefix is found as the provider's, and fix writes its successor behind the prefix."""
    (tmp_path / "agent.py").write_text(
        "import os\n\nimport litellm\n\n\n"
        "def ask(messages):\n"
        '    return litellm.completion(model="gpt-4o", messages=messages)\n\n\n'
        "def old(messages):\n"
        '    base, key = "https://api.deepseek.com/v1", os.environ["DEEPSEEK_API_KEY"]\n'
        '    return litellm.completion(api_base=base, api_key=key, model="openai/deepseek-chat", messages=messages)\n',
        encoding="utf-8",
    )
    before = _checked(tmp_path, "deepseek")
    assert any(line.startswith("agent.py:12:") and " OFR205 " in line and line.endswith("[*]") for line in before)
    run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    after = (tmp_path / "agent.py").read_text("utf-8")
    assert 'model="openai/deepseek-v4-pro"' in after and 'model="openai/deepseek-flash"' in after, after
    assert _checked(tmp_path, "deepseek") == ["All checks passed! (1 file checked)"]


_SK_KERNEL = """import semantic_kernel as sk
from semantic_kernel.connectors.ai.open_ai.services.azure_chat_completion import AzureChatCompletion
from semantic_kernel.connectors.ai.open_ai.services.open_ai_chat_completion import OpenAIChatCompletion

from app.config import config


def make_kernel():
    kernel = sk.Kernel()
    if llm := config.get_azure_llm():
        kernel.add_chat_service("chat", AzureChatCompletion(llm.model, llm.base_url, llm.api_key))
    elif llm := config.get_openai_llm():
        kernel.add_chat_service("chat", OpenAIChatCompletion(llm.model, llm.api_key))
    return kernel
"""


def test_a_class_swap_leaves_arguments_given_by_position(tmp_path: Path) -> None:
    """MetaGPT's make_sk_kernel: Semantic Kernel's `AzureChatCompletion(llm.model, llm.base_url, llm.api_key)`
    became `OpenAIChatCompletion(llm.model, llm.base_url, llm.api_key, async_client=...)`. The classes order
    their parameters differently (0.x: the URL became the key and the Azure key the organization header;
    1.x: the Azure class's first parameter is service_id), so the swap is left to a person with a TODO, and
    check does not offer it. The OpenAI class's model, given by position, is named in its OFR203 TODO."""
    (tmp_path / "kernel.py").write_text(_SK_KERNEL, encoding="utf-8")
    before = _checked(tmp_path)
    azure = [line for line in before if line.startswith("kernel.py:11:") and " OFR102 " in line]
    assert azure and not azure[0].endswith("[*]"), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "kernel.py").read_text("utf-8")
    assert "AzureChatCompletion(llm.model, llm.base_url, llm.api_key))" in after, after
    assert "given 3 argument(s) by position" in after and "model comes from `llm.model`" in after, after
    assert "OpenAIChatCompletion(llm.model, llm.api_key, async_client=AsyncOpenAI(" in after, after
    assert run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path).returncode == 0


def test_a_dotenv_key_read_where_fix_leaves_it_is_not_offered(tmp_path: Path) -> None:
    """gpt-engineer: `.env.template` holds `OPENAI_API_KEY`; main.py reads it to decide whether to load the
    file and to set `openai.api_key` (a module client no request follows), while ai.py's ChatOpenAI moves.
    fix keeps the template's line (the code still reads the variable), but check offered it [*] before and
    after the fix, so a finished run never reached "All checks passed!" nor agreed with fix."""
    (tmp_path / "main.py").write_text(
        "import os\n\nimport openai\nfrom dotenv import load_dotenv\n\nfrom ai import make_chat\n\n\n"
        "def main():\n"
        '    if os.getenv("OPENAI_API_KEY") is None:\n'
        "        load_dotenv()\n"
        '    openai.api_key = os.getenv("OPENAI_API_KEY")\n'
        '    print(make_chat().invoke("hi"))\n',
        encoding="utf-8",
    )
    (tmp_path / "ai.py").write_text(
        'from langchain_openai import ChatOpenAI\n\n\ndef make_chat():\n    return ChatOpenAI(model="gpt-4o")\n',
        encoding="utf-8",
    )
    (tmp_path / ".env.template").write_text("OPENAI_API_KEY=...\nANTHROPIC_API_KEY=...\n", encoding="utf-8")
    template = [line for line in _checked(tmp_path) if line.startswith(".env.template:1:")]
    assert template and not template[0].endswith("[*]"), template
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env.template").read_text("utf-8").startswith("OPENAI_API_KEY=...")
    assert not any(line.endswith("[*]") for line in _checked(tmp_path))


_AI_SEARCH = """from openai import AsyncAzureOpenAI, AsyncOpenAI


class Search:
    def __init__(self, search_config):
        self.search_config = search_config

    async def embed(self, query):
        search_config = self.search_config
        embedding_model = getattr(search_config, "embedding_model", None)
        api_key = getattr(search_config, "openai_api_key", None)
        if search_config.provider == "azure_openai":
            endpoint = getattr(search_config, "openai_endpoint", None)
            client = AsyncAzureOpenAI(api_key=api_key, api_version="2024-06-01", azure_endpoint=endpoint)
        else:
            client = AsyncOpenAI(api_key=api_key)
        response = await client.embeddings.create(model=embedding_model, input=query)
        return response.data[0].embedding
"""


def test_getattr_of_a_configured_value_is_not_its_default(tmp_path: Path) -> None:
    """autogen-ext's AzureAISearchTool: `getattr(search_config, "embedding_model", None)` was read as its
    default alone. The key read that way looked like a `None` placeholder, so fix replaced the configured
    key and moved both clients although check (whose routes see a configured key) offered neither; and the
    model looked like None, so the configured model (an Azure deployment on one branch) went to the
    provider with no TODO, and check then said "All checks passed!". Now the attribute is a value offramp
    cannot see: the clients stay with their TODO, as check says, and the model is OFR203."""
    (tmp_path / "search.py").write_text(_AI_SEARCH, encoding="utf-8")
    before = _checked(tmp_path)
    assert not any(line.endswith("[*]") for line in before), before
    assert any(" OFR203 " in line and "`search_config.embedding_model`" in line for line in before), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "search.py").read_text("utf-8")
    assert "dashscope" not in after and after.count("TODO[offramp]") == 3, after
    assert "AsyncAzureOpenAI(api_key=api_key, api_version" in after
    assert any(" OFR102 " in line for line in _checked(tmp_path))


def test_one_held_assignment_holds_the_whole_module_client(tmp_path: Path) -> None:
    """Azure's embeddings notebook (its request cell does not parse): `openai.api_type = "azure"`, api_key,
    api_base and api_version, and no request offramp can follow. fix keeps the module-level client whole
    with a TODO (its key is on no route), but check offered its api_type, api_base and api_version [*]
    before and after the fix."""
    (tmp_path / "setup.py").write_text(
        "import os\n\nimport openai\n\n"
        'openai.api_type = "azure"\n'
        'openai.api_key = os.getenv("OPENAI_API_KEY")\n'
        'openai.api_base = os.getenv("OPENAI_API_BASE")\n'
        'openai.api_version = os.getenv("OPENAI_API_VERSION")\n',
        encoding="utf-8",
    )
    assert not any(line.endswith("[*]") for line in _checked(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert 'openai.api_type = "azure"' in (tmp_path / "setup.py").read_text("utf-8")
    assert not any(line.endswith("[*]") for line in _checked(tmp_path))


def _notebook(*cells: str) -> str:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    doc = {
        "cells": [{**cell, "source": text.splitlines(keepends=True)} for text in cells],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def test_a_configuration_file_a_notebook_reads_moves_with_it(tmp_path: Path) -> None:
    """Azure-Samples/openai's function-calling notebooks read `config.json` (MODEL_NAME, the Azure endpoint)
    for an AzureOpenAI client. check's routes count notebooks as the file's readers and offered its model
    [*]; fix counted only .py files ("no Python code in this run reads it") and left it, so the migrated
    notebook sent the Azure deployment name to the provider while check still offered the fix."""
    (tmp_path / "config.json").write_text(
        '{\n    "MODEL_NAME": "gpt-35-turbo",\n    "AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com"\n}\n',
        encoding="utf-8",
    )
    (tmp_path / "functions.ipynb").write_text(
        _notebook(
            "import json\nimport os\n\nfrom openai import AzureOpenAI\n\n"
            'with open("config.json") as f:\n    config_details = json.load(f)\n\n'
            'client = AzureOpenAI(azure_endpoint=config_details["AZURE_OPENAI_ENDPOINT"], '
            'api_key=os.getenv("AZURE_OPENAI_KEY"), api_version="2024-06-01")\n'
            'model_name = config_details["MODEL_NAME"]\n',
            'print(client.chat.completions.create(model=model_name, messages=[{"role": "user", "content": "hi"}]))\n',
        ),
        encoding="utf-8",
    )
    assert any(line.startswith("config.json:2:") and line.endswith("[*]") for line in _checked(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert '"MODEL_NAME": "qwen-flash"' in (tmp_path / "config.json").read_text("utf-8")
    assert "dashscope" in (tmp_path / "functions.ipynb").read_text("utf-8")
    assert not any(line.endswith("[*]") for line in _checked(tmp_path))


def test_an_env_template_keeps_what_fix_keeps(tmp_path: Path) -> None:
    """Azure-Samples/openai's agent templates, after fix: `AZURE_OPENAI_KEY=` beside an empty
    `AZURE_OPENAI_ENDPOINT=` that code fix does not follow reads (an empty endpoint moves no key with it, and
    no code reads the key), and `AZURE_AI_AGENT_MODEL_DEPLOYMENT_NAME=gpt-4o`, read by no code, beside a key
    that stays. fix left both; check offered both [*], before and after the fix."""
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / ".env.template").write_text(
        "# endpoint\nAZURE_OPENAI_ENDPOINT=\n# key\nAZURE_OPENAI_KEY=\n", encoding="utf-8"
    )
    (tmp_path / "eval" / "app.py").write_text(
        "from config import DefaultConfig, evaluate\n\n\n"
        "def main():\n"
        "    settings = dict(azure_openai_endpoint=DefaultConfig.AZURE_OPENAI_ENDPOINT)\n"
        '    print(evaluate(settings, "AZURE_OPENAI_ENDPOINT"))\n',
        encoding="utf-8",
    )
    (tmp_path / "orchestrator").mkdir()
    (tmp_path / "orchestrator" / ".env.template").write_text(
        "AZURE_OPENAI_API_KEY=\nAZURE_OPENAI_ENDPOINT=https://x.openai.azure.com\n"
        "AZURE_AI_AGENT_MODEL_DEPLOYMENT_NAME=gpt-4o\n",
        encoding="utf-8",
    )
    (tmp_path / "orchestrator" / "settings.py").write_text(
        'import os\n\nKEY, URL = os.getenv("AZURE_OPENAI_API_KEY"), os.getenv("AZURE_OPENAI_ENDPOINT")\n',
        encoding="utf-8",
    )
    before = _checked(tmp_path)
    assert not any(line.endswith("[*]") for line in before), before
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / "eval" / ".env.template").read_text("utf-8").endswith("AZURE_OPENAI_KEY=\n")
    assert "DEPLOYMENT_NAME=gpt-4o" in (tmp_path / "orchestrator" / ".env.template").read_text("utf-8")


def test_a_dotenv_key_the_sdk_reads_for_a_moved_client_is_still_offered(tmp_path: Path) -> None:
    """The other side of the rules above: `OpenAI()` reads OPENAI_API_KEY itself, and fix gives the moved
    client the provider's key, so nothing reads the variable after the fix and fix renames `.env.example`'s
    line; check must keep offering it."""
    (tmp_path / ".env.example").write_text("OPENAI_API_KEY=sk-your-key\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "from dotenv import load_dotenv\nfrom openai import OpenAI\n\nload_dotenv()\nclient = OpenAI()\n"
        'print(client.chat.completions.create(model="gpt-4o", messages=[]))\n',
        encoding="utf-8",
    )
    assert any(line.startswith(".env.example:1:") and line.endswith("[*]") for line in _checked(tmp_path))
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env.example").read_text("utf-8").startswith("DASHSCOPE_API_KEY=")
