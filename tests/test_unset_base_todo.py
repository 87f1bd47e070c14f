"""OFR107: a base URL that may be unset (a null in the configuration file, an assignment that may not run)
sends the requests to api.openai.com. `fix` cannot decide what a person configures, so it leaves the
client; yesterday it left no TODO of its own there (only an OFR203 "set it to a Qwen model" one on the
call), so nothing in the code said why the client stayed or what to do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import FIXTURES, run_cli

SETUP = (
    "import openai\n\n\n"
    "def setup(base, key):\n"
    "    if base:\n"
    "        openai.api_base = base\n"
    "    openai.api_key = key\n\n\n"
    "def ask(m):\n"
    '    return openai.ChatCompletion.create(model=m, messages=[{"role": "user", "content": "hi"}])\n'
)


def _todos(text: str) -> list:
    return [line.strip() for line in text.splitlines() if "TODO[offramp]" in line]


def test_a_client_whose_base_url_may_be_unset_gets_a_todo_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(SETUP, "utf-8")
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    after = (tmp_path / "app.py").read_text("utf-8")
    todos = _todos(after)
    unset = [t for t in todos if t.endswith("(OFR107)")]
    assert len(unset) == 1, todos
    # above the assignment that may not run; why fix left it, and what to do
    assert after.index(unset[0]) < after.index("openai.api_base = base") < after.index("openai.api_key = key")
    assert "an assignment that may not run" in unset[0] and "api.openai.com" in unset[0]
    assert "https://dashscope.aliyuncs.com/compatible-mode/v1" in unset[0] and "DASHSCOPE_API_KEY" in unset[0]
    # check still reports the problem there (no OFR003 for the TODO: OFR107 says it); a second fix is a no-op
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert " OFR107 " in check.stdout and " OFR003 " not in check.stdout, check.stdout
    again = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert again.returncode in (0, 1) and (tmp_path / "app.py").read_text("utf-8") == after


def test_a_null_base_url_from_the_configuration_file_gets_its_todo_at_the_client(tmp_path: Path) -> None:
    tree = tmp_path / "shop"
    shutil.copytree(FIXTURES / "projects" / "shop", tree)
    run_cli(["fix", "--to", "qwen", "."], tree)
    clients = (tree / "shop" / "llm" / "clients.py").read_text("utf-8")
    (todo,) = [t for t in _todos(clients) if t.endswith("(OFR107)")]
    assert "`base_url` in" in todo and "config.json" in todo and "null" in todo
    assert clients.index(todo) < clients.index('return OpenAI(api_key=cfg["api_key"], base_url=cfg["base_url"])')


BOT = (
    "import dataclasses\n\nimport openai\n\n\n"
    "@dataclasses.dataclass\n"
    "class Bot:\n"
    "    openai_key: str\n"
    "    api_base: str | None = None\n\n"
    "    def client(self):\n"
    '        if self.api_base and self.api_base.endswith("openai.azure.com"):\n'
    "            return openai.AzureOpenAI(\n"
    '                api_key=self.openai_key, azure_endpoint=self.api_base, api_version="2024-02-15-preview"\n'
    "            )\n"
    "        return openai.OpenAI(api_key=self.openai_key, base_url=self.api_base)\n\n"
    "    def ask(self, q):\n"
    '        return self.client().chat.completions.create(model="gpt-4o", messages=[])\n'
)


def test_no_unset_base_todo_where_the_file_reports_the_client_itself(tmp_path: Path) -> None:
    """xiaogpt: the route's unset base sits on a client its own file reports (OFR101 / OFR102), where check
    drops OFR107; that client keeps its own TODO, and no OFR107 one is written in its place."""
    (tmp_path / "bot.py").write_text(BOT, "utf-8")
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    todos = _todos((tmp_path / "bot.py").read_text("utf-8"))
    assert not [t for t in todos if t.endswith("(OFR107)")], todos
    assert [t for t in todos if t.endswith("(OFR102)")], todos


def test_a_project_whose_only_finding_is_an_unset_base_url_gets_its_todo(tmp_path: Path) -> None:
    """`OpenAI(base_url=os.getenv("LLM_BASE_URL"))`, the model already the provider's: check reports OFR107 (no
    `[*]`), and fix, with nothing else to plan in the project, skipped the routes and wrote no TODO (as a finding
    without `[*]` elsewhere gets: OFR202, OFR203, OFR401)."""
    (tmp_path / "app.py").write_text(
        "import os\n\nfrom openai import OpenAI\n\n"
        'client = OpenAI(base_url=os.getenv("LLM_BASE_URL"), api_key=os.getenv("LLM_API_KEY"))\n'
        'client.chat.completions.create(model="qwen-plus", messages=[])\n',
        "utf-8",
    )
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert " OFR107 " in check.stdout and "[*]" not in check.stdout, check.stdout
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "app.py").read_text("utf-8")
    (todo,) = [t for t in _todos(after) if t.endswith("(OFR107)")]
    assert "`LLM_BASE_URL`" in todo and after.index(todo) < after.index("client = OpenAI("), after
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / "app.py").read_text("utf-8") == after


def test_a_module_base_url_set_in_each_arm_of_an_if_is_always_set(tmp_path: Path) -> None:
    """configured_base_url.py as fix leaves it: `if conf.base: openai.base_url = conf.base or URL` / `else:
    openai.base_url = URL`. Each arm sets it, yet check said it may be unset (OFR107) and that the provider key went
    to api.openai.com (OFR303); a second fix then wrote a TODO for that."""
    (tmp_path / "app.py").write_text(
        "import os\n\nimport openai\n\n"
        'base = os.getenv("LLM_RELAY_URL")\nopenai.api_key = os.environ["DASHSCOPE_API_KEY"]\n'
        'if base:\n    openai.base_url = base or "https://dashscope.aliyuncs.com/compatible-mode/v1/"\n'
        'elif os.getenv("OTHER"):\n    openai.base_url = "https://dashscope.aliyuncs.com/compatible-mode/v1/"\n'
        'else:\n    openai.base_url = "https://dashscope.aliyuncs.com/compatible-mode/v1/"\n\n\n'
        'def ask():\n    openai.chat.completions.create(model="qwen3.8-max", messages=[])\n',
        "utf-8",
    )
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert "All checks passed!" in check.stdout, check.stdout
    # without the else, the URL may be unset
    text = (tmp_path / "app.py").read_text("utf-8")
    (tmp_path / "app.py").write_text(text.replace("else:\n    openai.base_url", "openai.x"), "utf-8")
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert " OFR107 " in check.stdout, check.stdout
