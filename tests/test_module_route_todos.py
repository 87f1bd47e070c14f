"""The TODO of a module-level route the route gate holds says what is left, coded as the finding below it.

Yesterday every one read "module-level client left as it is ... (OFR104)": also above an openai 0.x request
that passes its own key (`api_key=`, `**chat_args`: XAgent's per-model API settings) in a program that never
configures the module-level client, and `check` then reported each such TODO again as OFR003, since the
finding below it is OFR105 (a v0 call) or OFR103 (the configuration), not OFR104.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import FIXTURES, run_cli


def _fix_and_check(root: Path) -> tuple:
    before = {p.name: p.read_text("utf-8") for p in root.glob("*.py")}
    run_cli(["fix", "--to", "qwen", "."], root)
    after = {p.name: p.read_text("utf-8") for p in root.glob("*.py")}
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], root)
    again = run_cli(["fix", "--to", "qwen", "."], root)
    assert again.returncode in (0, 1) and {p.name: p.read_text("utf-8") for p in root.glob("*.py")} == after
    todos = {name: [ln.strip() for ln in text.splitlines() if "TODO[offramp]" in ln] for name, text in after.items()}
    assert all(before[n] != after[n] for n in todos if todos[n])
    return todos, check.stdout


def test_a_v0_request_with_its_own_key_is_the_one_left(tmp_path: Path) -> None:
    root = tmp_path / "v0"
    shutil.copytree(FIXTURES / "oracle" / "v0_per_request_key", root)
    todos, check = _fix_and_check(root)
    assert " OFR003 " not in check and " OFR105 " in check, check
    (main,) = todos["main.py"]
    (pool,) = todos["pool.py"]
    assert main.startswith("# TODO[offramp]: request left as it is: ") and "(`api_key=`)" in main, main
    assert main.endswith("(OFR105)") and "module-level client" not in main
    assert "(`**chat_args`)" in pool and "module-level client" not in pool, pool


def test_the_module_client_left_says_so_above_its_configuration_and_its_calls(tmp_path: Path) -> None:
    (tmp_path / "setup_ai.py").write_text(
        'import os\n\nimport openai\n\nopenai.api_key = os.environ["OPENAI_API_KEY"]\n', "utf-8"
    )
    (tmp_path / "main.py").write_text(
        "import openai\n\nimport setup_ai  # noqa: F401\n\n\n"
        "def ask(q):\n"
        '    return openai.ChatCompletion.create(model="gpt-4", messages=[{"role": "user", "content": q}])\n\n\n'
        "def ask_with(q, key):\n"
        '    return openai.ChatCompletion.create(model="gpt-4", api_key=key, messages=[])\n',
        "utf-8",
    )
    todos, check = _fix_and_check(tmp_path)
    assert " OFR003 " not in check and " OFR103 " in check, check
    (setup,) = todos["setup_ai.py"]
    assert setup.startswith("# TODO[offramp]: module-level client left as it is: ") and setup.endswith("(OFR103)")
    assert todos["main.py"] and all(t.endswith("(OFR105)") for t in todos["main.py"]), todos
