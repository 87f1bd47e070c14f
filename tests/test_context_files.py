"""A run on some files of a project reads the rest of it for the routes (api.py `context_files`): the
offramp-fix pre-commit hook hands over only the changed files, and `offramp fix --to deepseek app.py` did not read
config.py, which configures the module client app.py's requests use for Qwen: it wrote DeepSeek's module
configuration into app.py and sent the Qwen requests to DeepSeek. Now the other files are read, never reported on
nor written, and a route that would need an edit in one of them stays whole, with its TODO."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, List

import pytest
from helpers import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "projects"

OPENAI_CONFIG = 'import os\n\nimport openai\n\nopenai.api_key = os.environ["OPENAI_API_KEY"]\nCHAT_MODEL = "gpt-4o"\n'
OPENAI_APP = (
    "import openai\n"
    "\n"
    "from config import CHAT_MODEL\n"
    "\n"
    "\n"
    "def ask(question):\n"
    '    reply = openai.ChatCompletion.create(model=CHAT_MODEL, messages=[{"role": "user", "content": question}])\n'
    "    return reply.choices[0].message.content\n"
    "\n"
    "\n"
    "def ask_mini(question):\n"
    '    reply = openai.ChatCompletion.create(model="gpt-4o-mini", messages=[{"role": "user", "content": question}])\n'
    "    return reply.choices[0].message.content\n"
)


def _qwen_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(FIXTURES / "provider_module_split", root)
    (root / "pyproject.toml").write_text("[tool.offramp]\n", encoding="utf-8")
    return root


def _openai_project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.offramp]\n", encoding="utf-8")
    (root / "config.py").write_text(OPENAI_CONFIG, encoding="utf-8")
    (root / "app.py").write_text(OPENAI_APP, encoding="utf-8")
    return root


def _check(root: Path, *paths: str, to: str = "") -> List[str]:
    args = ["check", "--no-cache", "--output-format", "concise", *(["--to", to] if to else []), *paths]
    proc = run_cli(args, root)
    assert proc.returncode in (0, 1), proc.stderr
    return [line for line in proc.stdout.splitlines() if line.startswith(("app.py:", "config.py:"))]


def _texts(root: Path) -> Dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(root.glob("*.py"))}


@pytest.mark.parametrize("make", [_qwen_project, _openai_project])
@pytest.mark.parametrize("to", ["", "deepseek"])
def test_check_of_one_file_says_of_it_what_the_project_check_says(tmp_path: Path, make, to: str) -> None:
    """Before, `check app.py` of the Qwen project said its requests went to api.openai.com (OFR105 [*]) and
    `gpt-4o` was only OpenAI's (OFR201 [*]): the module configuration in config.py was never read."""
    root = make(tmp_path)
    whole = [line for line in _check(root, ".", to=to) if line.startswith("app.py:")]
    alone = _check(root, "app.py", to=to)
    assert all(line.startswith("app.py:") for line in alone), alone  # (nothing told of config.py)
    if not to:
        assert alone == whole
    else:  # (the route gate holds what would need config.py written: never more fixable than the project says)
        assert [line.removesuffix(" [*]") for line in alone] == [line.removesuffix(" [*]") for line in whole]
        assert {line for line in alone if line.endswith("[*]")} <= {line for line in whole if line.endswith("[*]")}


def test_fix_of_one_file_does_not_send_the_qwen_requests_to_deepseek(tmp_path: Path) -> None:
    root = _qwen_project(tmp_path)
    before = _texts(root)
    proc = run_cli(["fix", "--to", "deepseek", "app.py"], root)
    assert proc.returncode in (0, 1), proc.stderr
    after = _texts(root)
    assert after == before, after["app.py"]  # (as `fix --to deepseek .` leaves them: the requests stay at Qwen)
    assert "deepseek" not in after["app.py"].lower()


def test_fix_of_one_file_holds_a_route_configured_in_another_and_never_writes_it(tmp_path: Path) -> None:
    root = _openai_project(tmp_path)
    config = (root / "config.py").read_bytes()
    proc = run_cli(["fix", "--to", "deepseek", "app.py"], root)
    assert proc.returncode in (0, 1), proc.stderr
    assert (root / "config.py").read_bytes() == config
    app = (root / "app.py").read_text(encoding="utf-8")
    # (the module client is configured in config.py, which stays on OpenAI: nothing of app.py's requests moves)
    assert "api.deepseek.com" not in app and "DEEPSEEK_API_KEY" not in app
    assert 'model="gpt-4o-mini"' in app
    assert "TODO[offramp]" in app and "config.py" in app
    again = run_cli(["fix", "--to", "deepseek", "app.py"], root)
    assert again.returncode in (0, 1), again.stderr
    assert (root / "app.py").read_text(encoding="utf-8") == app
    assert (root / "config.py").read_bytes() == config


def test_the_whole_project_is_fixed_as_before(tmp_path: Path) -> None:
    """With every file named, no file is context: config.py moves with app.py (as before this change)."""
    root = _openai_project(tmp_path)
    proc = run_cli(["fix", "--to", "deepseek", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    assert "DEEPSEEK_API_KEY" in (root / "config.py").read_text(encoding="utf-8")


def test_an_unrelated_tree_of_the_project_is_no_context(tmp_path: Path) -> None:
    """Only the named file's import root is read: with the whole settings root, a `tools/report/json.py` elsewhere in
    the repository was taken for the `json` that shop's clients.py reads config.json with, and its OFR107 / OFR303
    findings were lost (this repository's fixtures, beside src/offramp/report/json.py)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "shop", root / "shop")
    (root / "pyproject.toml").write_text("[tool.offramp]\n", encoding="utf-8")
    (root / "tools" / "report").mkdir(parents=True)
    (root / "tools" / "report" / "json.py").write_text("def load(f):\n    return {}\n", encoding="utf-8")
    named = "shop/shop/llm/clients.py"
    proc = run_cli(["check", "--no-cache", "--output-format", "concise", "shop"], root)
    whole = [line for line in proc.stdout.splitlines() if line.startswith(named)]
    assert any("OFR107" in line for line in whole), proc.stdout
    alone = run_cli(["check", "--no-cache", "--output-format", "concise", named], root).stdout.splitlines()
    assert [line for line in alone if line.startswith(named)] == whole
