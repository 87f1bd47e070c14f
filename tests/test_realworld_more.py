"""More shapes found by running `fix` then `check` on real projects offramp had never seen (session 11:
babyagi, gpt-engineer, MetaGPT, chatgpt-on-wechat, GPT-Researcher, camel, aider, private-gpt, autogen and
Azure-Samples/openai).

Each test is the smallest program with the shape and fails on the code before its fix; the credential
shapes also have an oracle project under tests/fixtures/oracle/, run with the real SDK.
"""

from __future__ import annotations

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
