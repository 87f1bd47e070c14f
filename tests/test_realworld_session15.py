"""Session 15's leftovers and new users from real projects, each as the smallest program with the shape; every
test fails on the code before its fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

from helpers import concise_check, run_cli


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _findings(root: Path, provider: str = "qwen") -> list:
    proc = run_cli(["check", "--to", provider, "-n", "-j", "1", "--output-format", "json", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)["findings"]


# ChatPaper's Reader (chat_paper.py, chat_arxiv.py): a ConfigParser kept on `self`, filled by `self.config.read(...)`,
# its options written in capitals (configparser lower-cases them, in the file and in `get`)
_READER = (
    "import configparser\n"
    "import os\n\n"
    "import openai\n\n\n"
    "class Reader:\n"
    "    def __init__(self):\n"
    "        self.config = configparser.ConfigParser()\n"
    "        self.config.read('apikey.ini')\n"
    '        OPENAI_KEY = os.environ.get("OPENAI_KEY", "")\n'
    "        openai.api_base = self.config.get('OpenAI', 'OPENAI_API_BASE')\n"
    "        self.chat_api_list = self.config.get('OpenAI', 'OPENAI_API_KEYS')[1:-1].split(',')\n"
    "        self.chat_api_list.append(OPENAI_KEY)\n"
    "        self.chatgpt_model = self.config.get('OpenAI', 'CHATGPT_MODEL')\n"
    "AZURE"
    "        self.cur_api = 0\n\n"
    "    def summary(self, text):\n"
    "        openai.api_key = self.chat_api_list[self.cur_api]\n"
    "CALL"
)
_AZURE = (
    "        if not self.chat_api_list:\n"
    "            self.chatgpt_model = self.config.get('AzureOPenAI', 'CHATGPT_MODEL')\n"
    "            openai.api_base = self.config.get('AzureOPenAI', 'OPENAI_API_BASE')\n"
    "            openai.api_type = 'azure'\n"
    "            openai.api_version = self.config.get('AzureOPenAI', 'OPENAI_API_VERSION')\n"
)
_CALL = "        return openai.ChatCompletion.create(model=self.chatgpt_model, messages=[])\n"
_AZURE_CALL = (
    "        if openai.api_type == 'azure':\n"
    "            return openai.ChatCompletion.create(engine=self.chatgpt_model, messages=[])\n"
    "        return openai.ChatCompletion.create(model=self.chatgpt_model, messages=[])\n"
)
_INI = (
    "[OpenAI]\n"
    "OPENAI_API_KEYS = [sk-xxxx, ]\n"
    "OPENAI_API_BASE = https://api.openai.com/v1\n"
    "CHATGPT_MODEL = gpt-3.5-turbo-0301\n\n"
    "[AzureOPenAI]\n"
    "OPENAI_API_KEYS =\n"
    "OPENAI_API_BASE =\n"
    "OPENAI_API_VERSION =\n"
    "CHATGPT_MODEL =\n"
)


def test_a_configparser_on_self_reaches_the_request_and_its_capital_options_are_found(tmp_path: Path) -> None:
    """`self.config.read('apikey.ini')` then `self.config.get('OpenAI', 'CHATGPT_MODEL')` in another method: the
    index bound only a plain name (`parser.read(...)`), so the request's host and model were unknown, the
    configuration file was "read by no request" and stayed on api.openai.com with gpt-3.5-turbo-0301. A
    configparser option is also found whatever its case (`OPENAI_API_BASE` is the file's `openai_api_base`)."""
    _write(tmp_path, {"reader.py": _READER.replace("AZURE", "").replace("CALL", _CALL), "apikey.ini": _INI})
    found = {(f["path"], f["line"], f["code"]) for f in _findings(tmp_path)}
    assert ("reader.py", 10, "OFR201") in found, found  # the model the request sends, at the file's reading
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    # (the key is an element of a list offramp does not follow: nothing of the route moves, and nothing is
    # reported as fixed)
    assert (tmp_path / "apikey.ini").read_text("utf-8") == _INI


def test_an_azure_module_client_configured_from_an_ini_file_is_offered_as_fix_moves_it(tmp_path: Path) -> None:
    """ChatPaper's chat_paper.py: the module client is Azure in one branch, its base URL read from the INI file in
    both. fix writes the provider's URL over an Azure module client's setting (it keeps only a plain client's
    configured URL as an override), and check predicted the setting kept: once the index followed the file,
    `check --to` held every module setting while fix moved them. Both now agree, and the file's OpenAI model
    and URL, read by this request alone, move with it."""
    _write(tmp_path, {"reader.py": _READER.replace("AZURE", _AZURE).replace("CALL", _AZURE_CALL), "apikey.ini": _INI})
    offered = {(f["path"], f["line"]) for f in _findings(tmp_path) if f["fixable"]}
    assert {("reader.py", 12), ("reader.py", 20), ("apikey.ini", 3), ("apikey.ini", 4)} <= offered, offered
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    ini = (tmp_path / "apikey.ini").read_text("utf-8")
    assert "api.openai.com" not in ini and "gpt-3.5" not in ini, ini
    code = (tmp_path / "reader.py").read_text("utf-8")
    assert 'os.environ["DASHSCOPE_API_KEY"]' in code and "api_type = 'azure'" not in code, code
    assert [line for line in concise_check(tmp_path) if "[*]" in line] == []
    assert "Would rewrite 0 files" in run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path).stderr


def test_a_todo_stays_on_its_statement_below_a_function_s_new_import(tmp_path: Path) -> None:
    """crewAI's tests/llms/azure/test_azure.py: a function that imports crewAI itself gets its own `import os` as
    its first statement (fixes/placement.py), and that statement also got a TODO (the Azure `endpoint=` URL left
    in the rewritten `LLM(...)`). The TODO went above the new import with the statement's comments, so a second
    fix found no TODO above the statement and wrote it again: fix was not idempotent."""
    app = (
        "from crewai import LLM\n\n\n"
        "def build():\n"
        '    """An LLM for the crew."""\n'
        "    # the crew's model\n"
        '    llm = LLM(model="azure/gpt-4", endpoint="https://test.openai.azure.com")\n'
        "    from crewai.llms.providers.azure.completion import AzureCompletion\n\n"
        "    return llm, AzureCompletion\n"
    )
    _write(tmp_path, {"app.py": app})
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    lines = (tmp_path / "app.py").read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("    llm = LLM("))
    assert lines[at - 2 : at] == ["    import os", lines[at - 1]] and "TODO[offramp]" in lines[at - 1], lines
    assert lines[at - 3] == "    # the crew's model", lines
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path)
    assert again.stdout == "" and "Would rewrite 0 files" in again.stderr, again.stdout


def test_litellm_azure_flag_and_deployment_id_are_azure_calls(tmp_path: Path) -> None:
    """bilingual_book_maker's litellm_translator.py: `completion(engine=self.deployment_id, ..., azure=True)`.
    LiteLLM sends a call given `azure=True` or `deployment_id=` to Azure (litellm/main.py: `custom_llm_provider =
    "azure"`, `model = deployment_id`). check called them OpenAI calls to api.openai.com, and fix gave them the
    provider's URL and key and kept `azure=True` / `deployment_id=`: LiteLLM then built Azure requests against the
    provider (the deployment as the model). Now they are Azure calls: `azure=` goes when the call moves, and an
    unmapped `deployment_id` holds it whole, with its TODO."""
    app = (
        "from litellm import completion\n\n\n"
        "def two(messages):\n"
        '    return completion(model="gpt-4o", messages=messages, azure=True)\n\n\n'
        "def four(messages):\n"
        '    return completion(model="gpt-4o", deployment_id="my-deploy", messages=messages)\n'
    )
    _write(tmp_path, {"app.py": app})
    found = {(f["line"], f["code"], f["fixable"]) for f in _findings(tmp_path) if f["code"] in ("OFR101", "OFR102")}
    assert found == {(5, "OFR102", True), (9, "OFR102", False)}, found
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "app.py").read_text("utf-8")
    two = next(line for line in after.splitlines() if "messages=messages)" in line and "dashscope" in line)
    assert "azure=" not in two and 'model="openai/' in two, after
    assert 'completion(model="gpt-4o", deployment_id="my-deploy", messages=messages)' in after, after
    assert "my-deploy` (its `deployment_id=`) has no" in after, after


def test_a_base_url_read_under_an_if_that_tests_it_is_not_unset(tmp_path: Path) -> None:
    """ChatDev's runtime/node/agent/memory/embedding.py: `if self.base_url: self.client = openai.OpenAI(...,
    base_url=self.base_url)` with `base_url: str | None = None` in the config dataclass. check said OFR107: "sends
    requests to api.openai.com when its base URL is unset, and it may be: it comes from `None`", and fix wrote that
    TODO, on the one client whose base URL the code has just tested set. An argument read in the body of an `if`
    that tests it (`if x:`, `if x is not None:`, an `and` of them) holds no None and no ""."""
    config = (
        "from dataclasses import dataclass\n\n\n@dataclass\nclass EmbeddingConfig:\n    model: str\n"
        "    api_key: str | None = None\n    base_url: str | None = None\n"
    )
    app = (
        "import openai\n\nfrom cfg.memory import EmbeddingConfig\n\n\n"
        "class OpenAIEmbedding:\n"
        "    def __init__(self, embedding_config: EmbeddingConfig):\n"
        "        self.base_url = embedding_config.base_url\n"
        "        self.api_key = embedding_config.api_key\n"
        "        if self.base_url:\n"
        "            self.client = openai.OpenAI(api_key=self.api_key, base_url=self.base_url)\n"
        "        else:\n"
        "            self.client = openai.OpenAI(api_key=self.api_key)\n\n"
        "    def embed(self, text):\n"
        '        return self.client.embeddings.create(input=text, model="text-embedding-3-small")\n'
    )
    _write(tmp_path, {"cfg/memory.py": config, "embedding.py": app})
    found = {(f["line"], f["code"]) for f in _findings(tmp_path) if f["path"] == "embedding.py"}
    assert (11, "OFR107") not in found and (13, "OFR101") in found, found


def test_an_azure_deployment_named_for_a_retired_provider_model_is_moved_once(tmp_path: Path) -> None:
    """crewAI's `LLM(model="azure/deepseek-chat")` with --to deepseek: fix took it off Azure as
    `openai/deepseek-chat` with its deployment TODO, and check then offered OFR205 [*] (DeepSeek retired
    `deepseek-chat`): the second fix wrote `openai/deepseek-flash`. The first now writes the successor."""
    _write(tmp_path, {"app.py": 'from crewai import LLM\n\nllm = LLM(model="azure/deepseek-chat")\n'})
    run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    fixed = (tmp_path / "app.py").read_text("utf-8")
    assert 'model="openai/deepseek-flash"' in fixed and "api.deepseek.com" in fixed, fixed
    assert not any(f["fixable"] for f in _findings(tmp_path, "deepseek"))
    run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    assert (tmp_path / "app.py").read_text("utf-8") == fixed
