"""Route gate shapes found by running `fix` then `check` on real projects offramp had never seen.

Each test is the smallest program with the shape, and fails on the code before its fix (the credential
shapes also have an oracle project under tests/fixtures/oracle/, run with the real SDK).
"""

from __future__ import annotations

from pathlib import Path
from typing import List

from helpers import run_cli

_STRUCTURED = """import os

from openai import OpenAI


class Config:
    def __init__(self, model=None, api_key=None):
        self.model = model
        self.api_key = api_key


class Structured:
    def __init__(self, config=None):
        self.config = config or Config()
        if not self.config.model:
            self.config.model = "gpt-4o-mini"
        api_key = self.config.api_key or os.getenv("OPENAI_API_KEY")
        self.client = OpenAI(api_key=api_key)

    def ask(self, messages):
        params = {"messages": messages}
        params["model"] = self.config.model
        return self.client.chat.completions.create(**params)
"""


def _offered(tree: Path) -> List[str]:
    out = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tree).stdout
    return [line for line in out.splitlines() if line.endswith("[*]")]


def test_a_model_written_into_a_config_attribute_stays_with_the_request_that_stays(tmp_path: Path) -> None:
    """mem0's OpenAIStructuredLLM: `self.config.model = "gpt-5-mini"` when none is configured, sent as
    `params["model"] = self.config.model` by a client whose key is the configuration's or OPENAI_API_KEY.
    The client stays on OpenAI (its key is not the provider's); the default was on no route (the flow does
    not follow a write into an attribute of an attribute) and became a Qwen model sent to api.openai.com.
    The request's model has sources offramp cannot see, so a model on no route in its file stays too."""
    (tmp_path / "llms.py").write_text(_STRUCTURED, encoding="utf-8")
    assert _offered(tmp_path) == []
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "llms.py").read_text("utf-8")
    assert 'self.config.model = "gpt-4o-mini"' in after and "qwen-flash" not in after, after
