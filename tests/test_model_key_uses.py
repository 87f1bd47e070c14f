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


HELPER = """\
import openai

GPT_4O_MODELS = ("gpt-4o", "gpt-4o-mini")


def default_max_tokens(model: str) -> int:
    if model in GPT_4O_MODELS:
        return 4096


class Helper:
    def __init__(self, config):
        self.client = openai.AsyncOpenAI(api_key=config["api_key"])
        self.config = config

    async def ask(self, q):
        return await self.client.chat.completions.create(model=self.config["model"], messages=[q])
"""

BOT_MAIN = """\
import os

from openai_helper import Helper, default_max_tokens


def main():
    model = os.environ.get("OPENAI_MODEL", "gpt-4o")
    config = {
        "api_key": os.environ["OPENAI_API_KEY"],
        "max_tokens": int(os.environ.get("MAX_TOKENS", default_max_tokens(model=model))),
        "model": model,
    }
    return Helper(config)
"""


def test_a_read_default_handed_to_a_token_helper_of_another_module_gets_a_todo(tmp_path: Path) -> None:
    """chatgpt-telegram-bot: `model = os.environ.get("OPENAI_MODEL", "gpt-4o")` goes to the request and to the
    project's `default_max_tokens(model=model)` (openai_helper.py), a table of GPT ids. The key-use analysis
    bound a name only to a literal assigned whole, so the read's default was rewritten: the table gave None and
    `int(None)` stopped the bot at start-up. A read's default (and an `or` chain's literal) is bound too."""
    _write(tmp_path, {"openai_helper.py": HELPER, "main.py": BOT_MAIN})
    before = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    models = [line for line in before.stdout.splitlines() if " OFR201 " in line and line.startswith("main.py")]
    assert len(models) == 1 and not models[0].endswith("[*]"), before.stdout
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    main = (tmp_path / "main.py").read_text("utf-8")
    assert 'os.environ.get("OPENAI_MODEL", "gpt-4o")' in main, main
    assert "looked up by `default_max_tokens`" in main, main


def test_an_or_chains_model_also_used_as_a_key_is_not_offered(tmp_path: Path) -> None:
    """`model = cfg.get("model") or "gpt-4o"` then `PRICES[model]`: the literal is what `model` is whenever the
    setting is empty, so it is a key of PRICES as much as an assigned literal is (check offered it, fix mapped it)."""
    app = (
        'from openai import OpenAI\n\nclient = OpenAI()\nPRICES = {"gpt-4o": 5}\n\n\n'
        "def ask(cfg):\n"
        '    model = cfg.get("model") or "gpt-4o"\n'
        "    cost = PRICES[model]\n"
        "    return client.chat.completions.create(model=model, messages=[]), cost\n"
    )
    _write(tmp_path, {"app.py": app})
    before = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    (model,) = [line for line in before.stdout.splitlines() if " OFR201 " in line]
    assert not model.endswith("[*]") and "a key of `PRICES`" in model, before.stdout
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert 'cfg.get("model") or "gpt-4o"' in (tmp_path / "app.py").read_text("utf-8")
