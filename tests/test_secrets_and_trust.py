"""Secrets and trust.

- No API key value is ever printed: not in any report format, not in `fix --diff` (whose `-`
  lines would otherwise show the removed key), not in `fix --report`, baselines or notes.
- Fixes never write a key literal.
- offramp never imports or executes the code it scans (nor commands a scanned repository's git
  configuration names), and makes no network connection: a sitecustomize hook records every
  socket connect and DNS lookup in every offramp process, and the test asserts there were none.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from helpers import run_cli

from offramp.analysis.values import KEY_RE
from offramp.cli import OUTPUT_FORMATS
from offramp.redact import redact, split_diff

# Built at run time so that no key-shaped literal sits in this file for scanners to flag.
OPENAI_KEY = "sk-" + "proj-" + "Zq7Lm2Xw8ZpR6vB1nK3sD7fT9qWc4Yh5"
OPENAI_KEY_2 = "sk-" + "Gh5Jk8Lm2Np4Qr6St8Vw1Xy3Za5Bc7De9Fg"
AZURE_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRETS = (OPENAI_KEY, OPENAI_KEY_2, AZURE_KEY)
QWEN_BASE = "https://dashscope.aliyuncs.com/compatible-mode/v1"
FRAGMENTS = ("Zq7Lm2Xw8ZpR6vB1", "Gh5Jk8Lm2Np4Qr6S", "0f1e2d3c4b5a6978")  # any part of a key is a leak

APP = f'''"""An app with keys where they should never be."""
import os

import openai
from openai import AzureOpenAI, OpenAI

openai.api_key = "{OPENAI_KEY}"
client = OpenAI(api_key="{OPENAI_KEY}", timeout=30)
azure = AzureOpenAI(
    api_key="{AZURE_KEY}",
    azure_endpoint="https://acme.openai.azure.com",
    api_version="2024-06-01",
)
# the old key was {OPENAI_KEY_2}
HEADERS = {{"Authorization": "Bearer {OPENAI_KEY_2}"}}


def ask(q):
    return client.chat.completions.create(model="gpt-4o", messages=[{{"role": "user", "content": q}}])
'''
ENV = f"OPENAI_API_KEY={OPENAI_KEY}\nAZURE_OPENAI_API_KEY={AZURE_KEY}\nOPENAI_MODEL=gpt-4o-mini\n"
YAML = f"llm:\n  provider: openai\n  api_key: {OPENAI_KEY_2}\n  azure_api_key: '{AZURE_KEY}'\n  model: gpt-4o\n"
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [],
            "source": ["from openai import OpenAI\n", f'client = OpenAI(api_key="{OPENAI_KEY}")'],
        }
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def project(root: Path) -> Path:
    (root / "app.py").write_text(APP)
    (root / ".env").write_text(ENV)
    (root / "settings.yaml").write_text(YAML)
    (root / "demo.ipynb").write_text(json.dumps(NOTEBOOK, indent=1))
    return root


def assert_no_secret(text: str, where: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text, f"a key leaked into {where}:\n{text[:3000]}"


# -- nothing prints a key -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
def test_no_report_format_prints_a_key(tmp_path: Path, fmt: str) -> None:
    root = project(tmp_path)
    proc = run_cli(["check", "--to", "qwen", "--output-format", fmt, "."], root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.strip(), "empty report"
    assert_no_secret(proc.stdout + proc.stderr, f"--output-format {fmt}")
    proc = run_cli(["check", "--output-format", fmt, "-o", "report.out", "."], root)
    assert_no_secret((root / "report.out").read_text(encoding="utf-8") + proc.stderr, f"-o with {fmt}")


def test_keys_are_found_but_not_shown(tmp_path: Path) -> None:
    root = project(tmp_path)
    proc = run_cli(["check", "--output-format", "json", "."], root)
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"]]
    assert codes.count("OFR302") >= 3, codes  # the keys are reported...
    assert_no_secret(proc.stdout, "json")  # ...without their values
    proc = run_cli(["check", "--statistics", "."], root)
    assert_no_secret(proc.stdout + proc.stderr, "--statistics")
    proc = run_cli(["baseline", "-o", "baseline.json", "."], root)
    assert_no_secret((root / "baseline.json").read_text() + proc.stderr, "the baseline")


def test_fix_diff_and_report_do_not_print_keys(tmp_path: Path) -> None:
    root = project(tmp_path)
    proc = run_cli(["fix", "--to", "qwen", "--diff", "--report", "migration.md", "."], root)
    assert proc.returncode == 1
    # the hunk that removes a key cannot be shown without it (masked, it would not apply): left out, said so
    assert "-client = OpenAI(api_key=" not in proc.stdout
    assert "app.py: hunk @@ -" in proc.stderr and "not shown: it would print a secret" in proc.stderr
    assert_no_secret(proc.stdout, "fix --diff (stdout)")
    assert_no_secret(proc.stderr, "fix --diff (stderr)")
    assert_no_secret((root / "migration.md").read_text(), "fix --report")
    proc = run_cli(["fix", "--to", "qwen", "--report", "applied.md", "."], root)
    assert_no_secret(proc.stdout + proc.stderr, "fix (notes and summary)")
    assert_no_secret((root / "applied.md").read_text(), "fix --report after writing")


def test_redaction_covers_the_shapes_keys_come_in() -> None:
    lines = {
        f'client = OpenAI(api_key="{OPENAI_KEY}")': 'client = OpenAI(api_key="********")',
        f"openai.api_key = '{OPENAI_KEY}'": "openai.api_key = '********'",
        f"# old: {OPENAI_KEY}": "# old: sk-********",
        f'AzureOpenAI(api_key="{AZURE_KEY}", api_version="2024-06-01")': (
            'AzureOpenAI(api_key="********", api_version="2024-06-01")'
        ),
        f'{{"api_key": "{AZURE_KEY}"}}': '{"api_key": "********"}',
        f"AZURE_OPENAI_API_KEY={AZURE_KEY}": "AZURE_OPENAI_API_KEY=********",
        f"  azure_api_key: {AZURE_KEY}": "  azure_api_key: ********",
        f'os.environ["OPENAI_API_KEY"] = "{AZURE_KEY}"': 'os.environ["OPENAI_API_KEY"] = "********"',
        f'headers = {{"Authorization": "Bearer {AZURE_KEY}"}}': 'headers = {"Authorization": "********"}',
        # code that only *names* a key stays readable
        'OpenAI(api_key=os.environ["DASHSCOPE_API_KEY"])': 'OpenAI(api_key=os.environ["DASHSCOPE_API_KEY"])',
        "api_key=OPENAI_API_KEY_FROM_SETTINGS_2024": "api_key=OPENAI_API_KEY_FROM_SETTINGS_2024",
        'api_key="EMPTY"': 'api_key="EMPTY"',
        'cache_key = "user-1234-session-5678"': 'cache_key = "user-1234-session-5678"',
        'max_tokens = 4096  # tokenizer="cl100k_base"': 'max_tokens = 4096  # tokenizer="cl100k_base"',
    }
    for line, expected in lines.items():
        assert redact(line) == expected, line
    head = "--- a/app.py\n+++ b/app.py\n"
    secret = f'@@ -1 +1 @@\n-client = OpenAI(api_key="{OPENAI_KEY}")\n+client = OpenAI(api_key=os.environ["K"])\n'
    clean = '@@ -9 +9 @@\n-x = OpenAI()\n+x = OpenAI(base_url="https://example.com/v1")\n'
    assert split_diff(head + secret + clean) == (
        head + clean,
        ["app.py: hunk @@ -1 +1 @@ not shown: it would print a secret"],
    )
    assert split_diff(head + secret) == ("", ["app.py: hunk @@ -1 +1 @@ not shown: it would print a secret"])


# -- fixes never write a key --------------------------------------------------------------------


def test_fix_never_writes_a_key_literal(tmp_path: Path) -> None:
    root = project(tmp_path)
    before = {p.name: p.read_text() for p in root.iterdir() if p.is_file()}
    run_cli(["fix", "--to", "qwen", "."], root)
    after = {p.name: p.read_text() for p in root.iterdir() if p.is_file()}
    for name, text in after.items():
        old_lines = set(before[name].splitlines())
        for line in text.splitlines():
            if line not in old_lines:  # a line fix wrote
                assert not KEY_RE.search(line), f"{name}: {line}"
                assert AZURE_KEY not in line, f"{name}: {line}"
    app = after["app.py"]
    assert f'api_key="{OPENAI_KEY}"' not in app and f'api_key="{AZURE_KEY}"' not in app
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"]' in app
    assert 'openai.api_key = os.environ["DASHSCOPE_API_KEY"]' in app


def test_fix_does_not_send_an_openai_key_to_the_new_provider(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(f'from openai import OpenAI\nKEY = "{OPENAI_KEY}"\nclient = OpenAI(api_key=KEY)\n')
    proc = run_cli(["fix", "--to", "qwen", "app.py"], tmp_path)
    text = (tmp_path / "app.py").read_text()
    assert "dashscope" in text
    assert "api_key=KEY" not in text, text
    assert f'client = OpenAI(base_url="{QWEN_BASE}", api_key=os.environ["DASHSCOPE_API_KEY"])' in text
    assert f'KEY = "{OPENAI_KEY}"' in text  # the definition is left alone (OFR302 still reports it)...
    assert "got a key written into this file" in proc.stderr  # ...and the note says so
    assert_no_secret(proc.stdout + proc.stderr, "fix notes")


def fix_in_process(tmp_path: Path, source: str, provider_id: str = "qwen"):  # type: ignore[no-untyped-def]
    from offramp.engine import resolve_provider
    from offramp.fixes.runner import fix_files
    from offramp.settings import Settings

    path = tmp_path / "app.py"
    path.write_text(source)
    settings = Settings(root=tmp_path)
    provider = resolve_provider(provider_id, settings)
    (result,) = fix_files([path], settings, provider, jobs=1)
    assert result.error is None, result.error
    return path.read_text(), result


ENV_READ = 'os.environ["DASHSCOPE_API_KEY"]'
# source (the key built in at run time) -> what the fixed file must hold; each case also checks that
# no line fix wrote holds a key, that the output compiles and that a second fix changes nothing.
KEY_CASES = {
    "variable-used-by-two-clients": (
        'from openai import AsyncOpenAI, OpenAI\nKEY = "{k}"\na = OpenAI(api_key=KEY)\nb = AsyncOpenAI(api_key=KEY)\n',
        [
            f'a = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key={ENV_READ})',
            f'b = AsyncOpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key={ENV_READ})',
        ],
    ),
    "function-default": (
        'from openai import OpenAI\n\n\ndef make(key="{k}"):\n    return OpenAI(api_key=key)\n',
        [f"api_key={ENV_READ})"],
    ),
    "class-attribute": (
        'from openai import OpenAI\n\n\nclass Settings:\n    KEY = "{k}"\n\n\nclient = OpenAI(api_key=Settings.KEY)\n',
        [f"api_key={ENV_READ})"],
    ),
    "self-attribute": (
        "from openai import OpenAI\n\n\nclass Bot:\n    def __init__(self):\n"
        '        self.key = "{k}"\n        self.client = OpenAI(api_key=self.key)\n',
        [f"api_key={ENV_READ})"],
    ),
    "dict-entry": (
        'from openai import OpenAI\nCFG = {{"api_key": "{k}"}}\nclient = OpenAI(api_key=CFG["api_key"])\n',
        [f"api_key={ENV_READ})"],
    ),
    "environment-fallback": (
        'import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.getenv("OPENAI_API_KEY") or "{k}")\n',
        [f"api_key={ENV_READ})"],
    ),
    "getenv-default": (
        "import os\nfrom openai import OpenAI\n"
        'KEY = os.getenv("OPENAI_API_KEY", "{k}")\nclient = OpenAI(api_key=KEY)\n',
        ['KEY = os.environ["DASHSCOPE_API_KEY"]', f"api_key={ENV_READ})"],  # never None: no fallback to OPENAI_API_KEY
    ),
    "azure-client": (
        'from openai import AzureOpenAI\nKEY = "{k}"\n'
        'client = AzureOpenAI(api_key=KEY, azure_endpoint="https://acme.openai.azure.com", api_version="2024-06-01")\n',
        [f'client = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", api_key={ENV_READ})'],
    ),
    "module-client": (
        'import openai\nKEY = "{k}"\nopenai.api_key = KEY\n'
        'r = openai.chat.completions.create(model="gpt-4o", messages=[])\n',
        [f"openai.api_key = {ENV_READ}"],
    ),
    "legacy-v0-call": (
        'import openai\nKEY = "{k}"\nr = openai.ChatCompletion.create(model="gpt-4", api_key=KEY, messages=[])\n',
        [f"api_key={ENV_READ}, messages=[])"],
    ),
    "langchain": (
        'from langchain_openai import ChatOpenAI\nKEY = "{k}"\n'
        'a = ChatOpenAI(model="gpt-4o", openai_api_key=KEY)\nb = ChatOpenAI(model="gpt-4o", api_key=KEY)\n',
        [f"openai_api_key={ENV_READ})", f"api_key={ENV_READ})"],
    ),
    "config-dict": (
        'from autogen import OpenAIWrapper\nKEY = "{k}"\n'
        'llm = OpenAIWrapper(config_list=[{{"model": "gpt-4o", "api_key": KEY}}])\n',
        [f'"api_key": {ENV_READ}}}]'],
    ),
}


@pytest.mark.parametrize("case", sorted(KEY_CASES))
@pytest.mark.parametrize("key", [OPENAI_KEY, AZURE_KEY], ids=["openai-key", "azure-key"])
def test_a_key_reached_through_the_code_is_replaced_not_moved(tmp_path: Path, case: str, key: str) -> None:
    template, expected = KEY_CASES[case]
    source = template.format(k=key)
    text, result = fix_in_process(tmp_path, source)
    compile(text, "app.py", "exec")
    for want in expected:
        assert want in text, text
    assert text.count(key) <= source.count(key)  # never copied (a definition is left where it is)
    old = set(source.splitlines())
    for line in text.splitlines():
        if line not in old:
            assert key not in line, line
    assert_no_secret("\n".join(n for _, n in result.notes), "notes")
    again, second = fix_in_process(tmp_path, text)
    assert again == text and not second.changed


@pytest.mark.parametrize("value", ["sk-xxx", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "YOUR_OPENAI_KEY", "", "EMPTY"])
def test_placeholder_keys_are_judged_as_the_key_check_judges_them(tmp_path: Path, value: str) -> None:
    from offramp.hosts import is_placeholder_key, is_secret_value

    assert not is_secret_value(value)
    if value.startswith("sk-"):
        assert is_placeholder_key(value)
    # a placeholder reached through a name is no more the provider's key than a literal one: replaced, quietly
    text, result = fix_in_process(
        tmp_path, f'from openai import OpenAI\nKEY = "{value}"\nclient = OpenAI(api_key=KEY)\n'
    )
    assert f"api_key={ENV_READ})" in text and f'KEY = "{value}"' in text
    assert not any("got a key" in n for _, n in result.notes)
    # as a parameter's default it is only a fallback: the caller's key stays
    source = f'from openai import OpenAI\n\n\ndef make(key="{value}"):\n    return OpenAI(api_key=key)\n'
    text, _ = fix_in_process(tmp_path, source)
    assert "api_key=key)" in text


def test_real_keys_are_secrets() -> None:
    from offramp.hosts import is_secret_value

    for value in (OPENAI_KEY, OPENAI_KEY_2, AZURE_KEY, "sk-ant-api03-" + "Q2w9Er7Ty5Ui3Op1As8Df6Gh4Jk"):
        assert is_secret_value(value), value
    for value in ("${OPENAI_API_KEY}", "$OPENAI_API_KEY_2", "os.environ/AZURE_API_KEY", "<your key 1>", "   "):
        assert not is_secret_value(value), value


def test_an_environment_variable_set_to_a_key_keeps_its_name(tmp_path: Path) -> None:
    source = f'import os\nfrom openai import OpenAI\nos.environ["OPENAI_API_KEY"] = "{OPENAI_KEY}"\nclient = OpenAI()\n'
    text, _ = fix_in_process(tmp_path, source)
    assert f'os.environ["OPENAI_API_KEY"] = "{OPENAI_KEY}"' in text  # not renamed: DASHSCOPE_API_KEY would get it
    assert f'os.environ["DASHSCOPE_API_KEY"] = "{OPENAI_KEY}"' not in text
    assert "# TODO[offramp]: `OPENAI_API_KEY` is set to a key written into this file" in text
    assert f"api_key={ENV_READ})" in text
    again, second = fix_in_process(tmp_path, text)
    assert again == text and not second.changed


def test_env_rename_does_not_hand_the_openai_key_to_the_new_provider(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={OPENAI_KEY}\n")
    # no code reads it: not ours to change
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env").read_text() == f"OPENAI_API_KEY={OPENAI_KEY}\n"
    assert ".env:1: note: not rewritten: no Python code in this run reads it" in proc.stderr
    # its reader (the SDK, given no key) moves to Qwen: the key is commented out, never copied
    (tmp_path / "app.py").write_text(
        'from openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    text = (tmp_path / ".env").read_text()
    assert f"DASHSCOPE_API_KEY={OPENAI_KEY}" not in text, text
    assert text == (
        f"# OPENAI_API_KEY={OPENAI_KEY}\n"
        "# offramp: set your Qwen (Alibaba Cloud Model Studio) key (not copied from OPENAI_API_KEY)\n"
        "DASHSCOPE_API_KEY=\n"
    )
    assert_no_secret(proc.stdout + proc.stderr, "fix output")
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env").read_text() == text


LEFT_ON_OPENAI = {
    # DeepSeek serves no embeddings: these clients stay on OpenAI/Azure, so must their keys
    "in-the-call": 'emb = OpenAIEmbeddings(openai_api_key=os.environ["OPENAI_API_KEY"])\n',
    "through-a-name": 'key = os.getenv("OPENAI_API_KEY")\nemb = OpenAIEmbeddings(openai_api_key=key)\n',
    "a-default": 'def make(key=os.environ["OPENAI_API_KEY"]):\n    return OpenAIEmbeddings(openai_api_key=key)\n',
    "azure": 'emb = OpenAIEmbeddings(openai_api_key=os.environ["AZURE_OPENAI_API_KEY"], openai_api_type="azure", '
    'openai_api_base="https://x.openai.azure.com", deployment="emb")\n',
    "implicit": 'os.environ["OPENAI_API_KEY"] = getpass()\nemb = OpenAIEmbeddings()\n',
}


@pytest.mark.parametrize("case", sorted(LEFT_ON_OPENAI))
def test_a_client_left_on_openai_keeps_its_key_variable(tmp_path: Path, case: str) -> None:
    source = (
        "import os\nfrom getpass import getpass\n\nfrom langchain_openai import OpenAIEmbeddings\n\n"
        + LEFT_ON_OPENAI[case]
    )
    text, result = fix_in_process(tmp_path, source, "deepseek")
    assert "DEEPSEEK_API_KEY" not in text, text  # renamed, the DeepSeek key would go to OpenAI/Azure
    assert "OFR401" in text
    assert any("which stays where it is" in note for _, note in result.notes)
    again, second = fix_in_process(tmp_path, text, "deepseek")
    assert again == text and not second.changed


def test_a_key_shared_with_a_client_left_on_openai_is_not_used_for_the_provider(tmp_path: Path) -> None:
    source = (
        "import os\n\nfrom langchain_openai import OpenAIEmbeddings\nfrom openai import OpenAI\n\n"
        'key = os.environ["OPENAI_API_KEY"]\nemb = OpenAIEmbeddings(openai_api_key=key)\n'
        'chat = OpenAI(api_key=key)\nchat.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    text, _ = fix_in_process(tmp_path, source, "deepseek")
    assert 'key = os.environ["OPENAI_API_KEY"]' in text and "OpenAIEmbeddings(openai_api_key=key)" in text
    assert 'chat = OpenAI(base_url="https://api.deepseek.com/v1", api_key=os.environ["DEEPSEEK_API_KEY"])' in text


def test_a_module_client_kept_on_openai_keeps_its_key_variable(tmp_path: Path) -> None:
    source = (
        'import os\n\nimport openai\n\nopenai.api_key = os.environ["OPENAI_API_KEY"]'
        "  # offramp: ignore[OFR103,OFR104,OFR105]\n"
        'openai.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    text, _ = fix_in_process(tmp_path, source, "deepseek")
    assert 'openai.api_key = os.environ["OPENAI_API_KEY"]' in text and "DEEPSEEK_API_KEY" not in text


# -- never imports or runs scanned code ---------------------------------------------------------

TRAP = """import pathlib
pathlib.Path({marker!r}).joinpath({name!r}).write_text("imported")
raise SystemExit("offramp imported scanned code: {name}")
"""
# Names a scanner could be tricked into importing: startup hooks, packaging entry points, and
# modules offramp itself or its dependencies import (shadowed when the current directory is on sys.path).
TRAP_MODULES = (
    "sitecustomize",
    "usercustomize",
    "conftest",
    "setup",
    "__init__",
    "__main__",
    "openai",
    "libcst",
    "click",
    "rich",
    "tomli",
    "yaml",
    "secrets",
    "tokenize",
    "difflib",
    "fnmatch",
    "json",
    "signal",
    "tempfile",
    "typing_extensions",
)


def trap_project(root: Path, marker: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in TRAP_MODULES:
        (root / f"{name}.py").write_text(
            TRAP.format(marker=str(marker), name=name)
            + f'\nfrom openai import OpenAI\nclient = OpenAI(api_key="{OPENAI_KEY}")\n'
        )
    (root / "pkg").mkdir(exist_ok=True)
    (root / "pkg" / "__init__.py").write_text(TRAP.format(marker=str(marker), name="pkg"))
    pth = f"import pathlib; pathlib.Path({str(marker)!r}).joinpath('pth').write_text('x')\n"
    (root / "zz_trap.pth").write_text(pth)
    (root / "app.py").write_text("import openai\nimport pkg\nimport conftest\nclient = openai.OpenAI()\n")
    return root


def offramp_commands() -> List[List[str]]:
    script = Path(sys.executable).parent / "offramp"
    commands = [[sys.executable, "-m", "offramp"]]
    if script.exists():
        commands.append([str(script)])
    return commands


@pytest.mark.parametrize("command", offramp_commands(), ids=lambda c: "python -m offramp" if len(c) > 1 else "offramp")
def test_scanned_code_is_never_imported(tmp_path: Path, command: List[str]) -> None:
    marker = tmp_path / "markers"
    marker.mkdir()
    root = trap_project(tmp_path / "proj", marker)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    env["NO_COLOR"] = "1"
    runs = [
        ["check", "."],
        ["check", "-j", "2", "--no-cache", "."],
        ["check", "--to", "qwen", "--output-format", "sarif", "."],
        ["fix", "--to", "qwen", "--diff", "."],
        ["fix", "--to", "deepseek", "."],
        ["baseline", "-o", "b.json", "."],
    ]
    for args in runs:
        proc = subprocess.run([*command, *args], cwd=root, env=env, capture_output=True, text=True, timeout=120)
        assert not [line for line in proc.stderr.splitlines() if line.startswith("offramp imported")], args
        assert proc.returncode in (0, 1), (args, proc.stderr[-2000:])
        assert not list(marker.iterdir()), (args, sorted(p.name for p in marker.iterdir()))
    assert "deepseek" in (root / "app.py").read_text()  # the trap files were analysed and fixed as text


def _git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True)
    return proc.stdout


def _committed_repo(root: Path) -> None:
    """A repository with three committed files; a.py and b.py then gain a line, c.py only a new mtime."""
    root.mkdir()
    _git(root, "init", "-q")
    for name in ("a.py", "b.py", "c.py"):
        (root / name).write_text("import openai\nclient = openai.OpenAI()\n")
    (root / ".gitignore").write_text("ignored/\n")
    _git(root, "add", ".")
    _git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init")


def _trap_fsmonitor(root: Path, ran: str) -> None:
    _git(root, "config", "core.fsmonitor", f"touch {ran}; false")


def _trap_textconv(root: Path, ran: str) -> None:
    _git(root, "config", "diff.trap.textconv", f"sh -c 'touch {ran}; cat \"$0\"'")
    (root / ".gitattributes").write_text("*.py diff=trap\n")


def _trap_external_diff(root: Path, ran: str) -> None:
    _git(root, "config", "diff.external", f"touch {ran}")
    _git(root, "config", "diff.trap.command", f"touch {ran}")
    (root / ".gitattributes").write_text("*.py diff=trap\n")


def _trap_clean_filter(root: Path, ran: str) -> None:
    _git(root, "config", "filter.trap.clean", f"touch {ran}; cat")
    _git(root, "config", "filter.trap.smudge", f"touch {ran}; cat")
    (root / ".gitattributes").write_text("*.py filter=trap\n")


def _trap_process_filter(root: Path, ran: str) -> None:
    """A long-running `process` filter that git must not start; `required` makes skipping it fatal."""
    _git(root, "config", "filter.trap.process", f"sh -c 'touch {ran}; exit 1'")
    _git(root, "config", "filter.trap.required", "true")
    (root / ".gitattributes").write_text("*.py filter=trap\n")


def _trap_included_filter(root: Path, ran: str) -> None:
    """The filter is defined in a file of the tree that .git/config includes (a name with '=' in it)."""
    (root / "tools.gitconfig").write_text(f'[filter "a=b"]\n\tclean = "touch {ran}; cat"\n')
    _git(root, "config", "include.path", "../tools.gitconfig")
    (root / ".gitattributes").write_text("*.py filter=a=b\n")


def _trap_hook(root: Path, ran: str) -> None:
    """`git diff` refreshes the index for c.py's new mtime, and writing the index runs post-index-change."""
    hooks = root / "githooks"
    hooks.mkdir()
    (hooks / "post-index-change").write_text(f"#!/bin/sh\ntouch {ran}\n")
    (hooks / "post-index-change").chmod(0o755)
    _git(root, "config", "core.hooksPath", str(hooks))


def _trap_submodule_filter(root: Path, ran: str) -> None:
    """Whether a submodule is dirty is asked of git inside it, with the submodule's own filters."""
    sub = root.parent / "sub"
    _committed_repo(sub)
    (sub / ".gitattributes").write_text("*.py filter=subtrap\n")
    _git(sub, "add", ".")
    _git(sub, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "attrs")
    _git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "sub")
    _git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "sub")
    _git(root / "sub", "config", "filter.subtrap.clean", f"touch {ran}; cat")
    os.utime(root / "sub" / "a.py", (1e9, 1e9))


def _trap_lazy_fetch(root: Path, ran: str) -> None:
    """A "partial clone" whose base blob is missing: git would fetch it over ssh with the repository's sshCommand."""
    blob = _git(root, "rev-parse", "HEAD:a.py").strip()
    (root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    for key, value in (
        ("core.repositoryformatversion", "1"),
        ("extensions.partialClone", "origin"),
        ("remote.origin.url", "ssh://example.invalid/repo.git"),
        ("remote.origin.promisor", "true"),
        ("protocol.ssh.allow", "always"),
        ("core.sshCommand", f"touch {ran}; false"),
    ):
        _git(root, "config", key, value)


GIT_TRAPS = {
    "fsmonitor": _trap_fsmonitor,
    "textconv": _trap_textconv,
    "external-diff": _trap_external_diff,
    "clean-filter": _trap_clean_filter,
    "process-filter": _trap_process_filter,
    "included-filter": _trap_included_filter,
    "post-index-change-hook": _trap_hook,
    "submodule-filter": _trap_submodule_filter,
    "lazy-fetch-ssh-command": _trap_lazy_fetch,
}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("trap", sorted(GIT_TRAPS))
def test_a_scanned_repository_cannot_make_git_run_commands(tmp_path: Path, trap: str) -> None:
    """Every command a repository's git configuration can name stays unrun by offramp's git calls.

    The pager is not among the traps: git only pages to a terminal, and offramp always captures
    git's output (it passes --no-pager all the same).
    """
    root = tmp_path / "repo"
    _committed_repo(root)
    ran = tmp_path / "ran"
    GIT_TRAPS[trap](root, str(ran))
    with (root / "a.py").open("a") as f:
        f.write("x = openai.OpenAI()\n")
    with (root / "b.py").open("a") as f:
        f.write("y = openai.OpenAI()\n")
    os.utime(root / "c.py", (1e9, 1e9))
    for args in (["check", "."], ["check", "--diff-base", "HEAD", "."], ["fix", "--to", "qwen", "--diff", "."]):
        proc = run_cli(args, root)
        assert not ran.exists(), (args, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr, proc.stderr
        if trap == "lazy-fetch-ssh-command" and "--diff-base" in args:
            # Without the network the base is unreadable: a one-line error, not a fetch.
            assert proc.returncode == 2 and proc.stderr.startswith("offramp: error: --diff-base"), proc.stderr
            assert len(proc.stderr.splitlines()) == 1, proc.stderr
        else:
            assert proc.returncode in (0, 1), (args, proc.stderr)
    # GIT_CONFIG makes `git config --list` (and only it) read another file: it must not hide the drivers.
    run_cli(["check", "--diff-base", "HEAD", "."], root, env={"GIT_CONFIG": os.devnull})
    assert not ran.exists(), "GIT_CONFIG hid the repository's configuration"
    checked = run_cli(["check", "--diff-base", "HEAD", "--output-format", "concise", "."], root)
    if trap != "lazy-fetch-ssh-command":  # the change is still seen: only the new lines are reported
        assert sorted(line.split(":")[:2] for line in checked.stdout.splitlines() if ": OFR" in line) == [
            ["a.py", "3"],
            ["b.py", "3"],
        ], checked.stdout


# -- no network ---------------------------------------------------------------------------------

SITECUSTOMIZE = r'''
"""Installed by test_secrets_and_trust: record every attempt to reach the network."""
import os
import socket

_LOG = os.environ["OFFRAMP_NET_LOG"]


def _record(kind, detail):
    with open(_LOG, "a") as f:
        f.write(f"{os.getpid()} {kind} {detail!r}\n")


with open(_LOG, "a") as _f:
    _f.write(f"{os.getpid()} armed\n")

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def connect(self, address):
    _record("connect", (self.family, address))
    if self.family != socket.AF_UNIX:
        raise OSError("network disabled by test")
    return _connect(self, address)


def connect_ex(self, address):
    _record("connect_ex", (self.family, address))
    if self.family != socket.AF_UNIX:
        raise OSError("network disabled by test")
    return _connect_ex(self, address)


def sendto(self, *args):
    _record("sendto", args[-1])
    raise OSError("network disabled by test")


def getaddrinfo(*args, **kwargs):
    _record("getaddrinfo", args[:2])
    raise OSError("network disabled by test")


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
socket.getaddrinfo = getaddrinfo
socket.gethostbyname = lambda host: getaddrinfo(host, None)
'''


def network_env(tmp_path: Path) -> Dict[str, str]:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net.log"
    log.write_text("")
    path = os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {"PYTHONPATH": path, "OFFRAMP_NET_LOG": str(log)}


def attempts(tmp_path: Path) -> List[str]:
    lines = (tmp_path / "net.log").read_text().splitlines()
    return [line for line in lines if not line.endswith(" armed") and "AF_UNIX" not in line]


def test_the_network_hook_catches_a_connection(tmp_path: Path) -> None:
    env = {**os.environ, **network_env(tmp_path)}
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('api.openai.com', 443), timeout=1)\n"
        "except OSError:\n"
        "    pass\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert attempts(tmp_path), "the hook did not record anything: the no-network test would prove nothing"


def test_offramp_makes_no_network_calls(tmp_path: Path) -> None:
    env = network_env(tmp_path)
    (tmp_path / "proj").mkdir()
    root = project(tmp_path / "proj")
    for i in range(33):  # enough files for the worker pools of check (12) and of fix and its suggestions (32)
        (root / f"m{i:02d}.py").write_text(
            "from openai import OpenAI\nclient = OpenAI()\n"
            f'r = client.embeddings.create(model="text-embedding-3-small", input=["{i}"])\n'
        )
    runs = [
        ["check", "--to", "qwen", "-j", "2", "--no-cache", "."],
        ["check", "--output-format", "sarif", "."],
        ["fix", "--to", "qwen", "--diff", "-j", "2", "."],
        ["fix", "--to", "deepseek", "-j", "2", "--report", "m.md", "."],
        ["providers"],
        ["providers", "show", "qwen"],
        ["rules"],
        ["explain", "OFR101"],
    ]
    for args in runs:
        proc = run_cli(args, root, env=env, timeout=300)
        assert proc.returncode in (0, 1), (args, proc.stderr[-2000:])
    log = (tmp_path / "net.log").read_text().splitlines()
    armed = {line.split()[0] for line in log if line.endswith(" armed")}
    assert len(armed) >= len(runs), "the hook was not loaded in every offramp process"
    assert not attempts(tmp_path), attempts(tmp_path)
