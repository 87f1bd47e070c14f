"""What `fix` writes into a project formatted with Ruff stays formatted and Ruff-clean (issue 15):
arguments it inserts wrap at the project's line length (`[tool.ruff] line-length`, else 88) as
`ruff format` wraps them, and the `import os` it adds lands in the sorted standard-library block.
Checked with the real `ruff` on inputs that `ruff format` and `ruff check --select E501,I` accept.
A project with no Ruff settings keeps the code's own layout (the call on its one line).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional

import pytest
from helpers import run_cli

from offramp.rufflength import line_length

APP = """import logging
import sys

from openai import AsyncOpenAI, OpenAI

log = logging.getLogger(__name__)
client = OpenAI()


class Assistant:
    def __init__(self) -> None:
        self.client = OpenAI(max_retries=3, timeout=30)

    async def ask(self, question: str) -> str:
        async_client = AsyncOpenAI()
        response = await async_client.chat.completions.create(model="gpt-4o")
        return response.choices[0].message.content or ""


if __name__ == "__main__":
    print(Assistant(), sys.argv)
"""
# no standard-library import yet: `import os` becomes a block of its own above the others
LANGCHAIN = '''"""Chat model."""

from __future__ import annotations

# the model every chain uses
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o", temperature=0)
'''
SHORT = "from openai import OpenAI\n\nclient = OpenAI(timeout=30)\n"


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True)


def migrate(tmp_path: Path, files: Dict[str, str], pyproject: Optional[str], status: int = 0) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    # the inputs are what a Ruff user has: formatted, sorted, within the line length
    assert ruff("format", "--check", ".", cwd=root).returncode == 0
    assert ruff("check", "--select", "E501,I", ".", cwd=root).returncode == 0
    proc = run_cli(["fix", "--to", "qwen", "."], root)
    assert proc.returncode == status and f"Rewrote {len(files)} file" in proc.stderr, proc.stderr
    return root


@pytest.mark.parametrize(
    "pyproject, width",
    [("[tool.ruff]\n", 88), ('[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n', 100)],
    ids=["default-88", "line-length-100"],
)
def test_fixed_code_is_ruff_formatted_and_clean(tmp_path: Path, pyproject: Optional[str], width: int) -> None:
    root = migrate(tmp_path, {"app.py": APP, "chat.py": LANGCHAIN}, pyproject)
    fmt = ruff("format", "--diff", ".", cwd=root)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = ruff("check", "--select", "E501,I", ".", cwd=root)
    assert lint.returncode == 0, lint.stdout
    app, chat = (root / "app.py").read_text(), (root / "chat.py").read_text()
    assert max(len(line) for line in (app + chat).splitlines()) <= width
    assert "dashscope" in app and app.count('os.environ["DASHSCOPE_API_KEY"]') == 3
    assert app.startswith("import logging\nimport os\nimport sys\n\nfrom openai import")
    assert chat.startswith('"""Chat model."""\n\nfrom __future__ import annotations\n\nimport os\n\n# the model')
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], root)
    assert again.returncode == 0 and again.stdout == "", again.stdout


AZURE = """from openai import AzureOpenAI

client = AzureOpenAI(api_version="2024-10-21")


class Bot:
    def ask(self, question: str) -> str:
        response = client.chat.completions.create(
            model="contoso-classifier-prod", messages=[]
        )
        return response.choices[0].message.content or ""
"""


def test_todo_comments_wrap_at_the_line_length(tmp_path: Path) -> None:
    """The TODO above `response = ...` was one 140-column line (E501); it wraps, and reads back whole."""
    root = migrate(tmp_path, {"app.py": AZURE}, "[tool.ruff]\n", status=1)  # (1: the TODO remains)
    text = (root / "app.py").read_text()
    todo = [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]
    # (`contoso-classifier-prod` has no Qwen model: the client stays on Azure whole, its TODO says why)
    assert len(todo) >= 2 and todo[0].startswith("# TODO[offramp]: `AzureOpenAI` stays on Azure OpenAI"), todo
    assert "`contoso-classifier-prod`" in " ".join(todo), todo
    assert all(line.startswith("#   ") for line in todo[1:]) and todo[-1].endswith("(OFR102)"), todo
    assert max(len(line) for line in text.splitlines()) <= 88
    assert ruff("check", "--select", "E501", ".", cwd=root).returncode == 0
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], root)  # the wrapped TODO is recognised: not added again
    assert again.returncode == 0 and again.stdout == "", again.stdout
    check = run_cli(["check", "--to", "qwen", "--output-format", "concise", "."], root).stdout
    assert "OFR102 `AzureOpenAI` targets Azure OpenAI" in check, check  # (still there: reported as itself)


def test_a_call_that_still_fits_stays_on_one_line(tmp_path: Path) -> None:
    root = migrate(tmp_path, {"app.py": SHORT}, "[tool.ruff]\nline-length = 160\n")
    lines = (root / "app.py").read_text().splitlines()
    assert [line for line in lines if line.startswith("client = OpenAI(base_url=")], lines
    assert ruff("format", "--check", ".", cwd=root).returncode == 0


def test_without_ruff_settings_the_layout_is_kept(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    assert run_cli(["fix", "--to", "qwen", "."], root).returncode == 0
    text = (root / "app.py").read_text()
    assert 'client = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key=os.environ[' in text


def test_line_length_comes_from_the_nearest_ruff_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\n')  # no [tool.ruff]: passed over
    (tmp_path / "pkg" / "sub" / "ruff.toml").write_text("line-length = 79\n")
    (tmp_path / "pkg" / "a.py").write_text("")
    (tmp_path / "pkg" / "sub" / "b.py").write_text("")
    assert line_length(tmp_path / "pkg" / "a.py") == 100
    assert line_length(tmp_path / "pkg" / "sub" / "b.py") == 79
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / ".ruff.toml").write_text("line-length = 'wide'\n")  # Ruff would refuse it; 88 here
    (tmp_path / "odd" / "c.py").write_text("")
    assert line_length(tmp_path / "odd" / "c.py") == 88
    assert line_length(Path("/") / "no-such-dir" / "x.py") is None or Path("/pyproject.toml").exists()
