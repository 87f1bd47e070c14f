"""A model literal that requests of other files or functions send, and that is also a key.

The route gate rewrites a model literal wherever the routes show it sent (`CHAT_MODEL` in settings.py,
a parameter default handed on to the method that makes the request). When the same name is also
looked up (`PRICES[CHAT_MODEL]`, the project's `count_string_tokens(text, model)` that branches on
`model.startswith("gpt-4")`), the rewritten id raised KeyError or took the other branch (AgentVerse's
ChatHistoryMemory). Such a literal keeps its value with a TODO naming the other use, as a literal of
the request's own file does (tests/fixtures/fix/input/model_used_as_key.py).
"""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli

TOKENS = """\
import tiktoken


def count_string_tokens(text, model="gpt-3.5-turbo"):
    if model.startswith("gpt-3.5-turbo") or model.startswith("gpt-4"):
        return len(tiktoken.encoding_for_model(model).encode(text))
"""

MEMORY = """\
from client import client
from tokens import count_string_tokens


class Memory:
    def summarize(self, events, model: str = "gpt-3.5-turbo"):
        budget = 4096 - count_string_tokens(str(events), model)
        return self._batch(events, model, budget)

    def _batch(self, events, model, budget):
        return client.chat.completions.create(model=model, messages=events, max_tokens=budget)


def plain(events, model="gpt-4o"):
    return Memory()._batch(events, model, 100)
"""


def _write(root: Path, files: dict) -> None:
    for name, text in files.items():
        (root / name).write_text(text, "utf-8")


def test_a_parameter_default_handed_to_a_token_counter_gets_a_todo_not_a_new_id(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"client.py": "from openai import OpenAI\n\nclient = OpenAI()\n", "tokens.py": TOKENS, "memory.py": MEMORY},
    )
    before = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    fixable = {line.split(" ")[0] for line in before.stdout.splitlines() if line.endswith("[*]")}
    # check offers what fix rewrites (the default only sent), not the one it leaves with a TODO
    assert fixable == {"client.py:3:10:", "memory.py:14:25:"}, before.stdout
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    memory = (tmp_path / "memory.py").read_text("utf-8")
    assert 'model: str = "gpt-3.5-turbo"' in memory  # still what count_string_tokens knows
    assert (
        "# TODO[offramp]: map `gpt-3.5-turbo` to `qwen-flash` here and where it is used as a key: "
        "`model` is also looked up by `count_string_tokens` (line 7) (OFR201)\n    def summarize(" in memory
    )
    assert 'def plain(events, model="qwen3.8-max"):' in memory  # only sent: rewritten with its request
    assert "dashscope" in (tmp_path / "client.py").read_text("utf-8")
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert "All checks passed" not in check.stdout
    assert any(line.startswith("memory.py:7:") and "gpt-3.5-turbo" in line for line in check.stdout.splitlines())
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path)
    assert again.stdout == "", again.stdout


def test_a_constant_of_a_module_without_sdk_use_also_a_key_there_gets_a_todo(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "settings.py": 'CHAT_MODEL = "gpt-4o"\nPRICES = {"gpt-4o": 2.5}\nPRICE = PRICES[CHAT_MODEL]\n',
            "app.py": "from openai import OpenAI\nfrom settings import CHAT_MODEL\n\nclient = OpenAI()\n"
            "client.chat.completions.create(model=CHAT_MODEL, messages=[])\n",
        },
    )
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert (tmp_path / "settings.py").read_text("utf-8") == (
        "# TODO[offramp]: map `gpt-4o` to `qwen3.8-max` here and where it is used as a key: "
        "`CHAT_MODEL` is also a key of `PRICES` (line 3) (OFR201)\n"
        'CHAT_MODEL = "gpt-4o"\nPRICES = {"gpt-4o": 2.5}\nPRICE = PRICES[CHAT_MODEL]\n'
    )
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path)
    assert again.stdout == "", again.stdout


def test_check_offers_a_constant_of_another_module_that_fix_rewrites(tmp_path: Path) -> None:
    """settings.py's CHAT_MODEL, sent only by app.py's request: fix rewrites it with the client, so
    check marks it fixable (it said "not fixable" and fix then rewrote it)."""
    _write(
        tmp_path,
        {
            "settings.py": 'CHAT_MODEL = "gpt-4o"\n',
            "app.py": "from openai import OpenAI\nfrom settings import CHAT_MODEL\n\nclient = OpenAI()\n"
            "client.chat.completions.create(model=CHAT_MODEL, messages=[])\n",
        },
    )
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    assert any(
        line.startswith("settings.py:1:14: OFR201") and line.endswith("[*]") for line in check.stdout.splitlines()
    )
