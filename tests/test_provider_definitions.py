"""Custom providers ([tool.offramp.providers.NAME]) and model mappings ([tool.offramp.models]) are
validated before anything of them reaches code: `fix` writes the key variable, base URL and
model ids into Python, `.env` and config files. A `key-env = 5`, or a quote or a line break in
any of them, is a one-line config error naming the file and the key (exit 2), never code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

from offramp.engine import resolve_provider
from offramp.settings import load_settings

APP = "from openai import OpenAI\nc = OpenAI()\nc.chat.completions.create(model='gpt-4o', messages=[])\n"
GOOD = {
    "key-env": '"GATEWAY_KEY"',
    "name": '"House gateway"',
    "url": '"https://llm.example.internal/v1"',
    "model": '"house-large"',
}
BAD = [
    ("key-env", "5", "key-env"),
    ("key-env", '\'X"]); import os; os.system("id"); (["\'', "key-env"),
    ("key-env", '"A B"', "key-env"),
    ("key-env", '"KEY\\nimport os"', "key-env"),
    ("key-env", '"1KEY"', "key-env"),
    ("name", '"House\\nimport os"', "name"),
    ("name", "7", "name"),
    ("url", '"https://evil.example.com/v1\'); import os #"', "base-url"),
    ("url", '"https://evil.example.com/v1\\nimport os"', "base-url"),
    ("url", '"https://evil.example.com/v 1"', "base-url"),
    ("url", '"https:///v1"', "base-url"),
    ("model", '\'m"+__import__("os").system("id")+"\'', "models"),
    ("model", '"qwen\\nimport os"', "models"),
    ("model", '"two words"', "models"),
    ("model", "3", "models"),
]


def _config(**values: str) -> str:
    v = {**GOOD, **values}
    return (
        '[tool.offramp]\ntarget = "gateway"\n'
        f"[tool.offramp.providers.gateway]\nname = {v['name']}\nkey-env = {v['key-env']}\n"
        f"[tool.offramp.providers.gateway.base-url]\ncn = {v['url']}\n"
        f"[tool.offramp.providers.gateway.models]\nflagship = {v['model']}\ncheap = {v['model']}\n"
    )


def test_a_valid_custom_provider_loads(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(_config(), encoding="utf-8")
    p = resolve_provider("gateway", load_settings(tmp_path))
    assert p is not None and p.key_env == "GATEWAY_KEY" and p.models["flagship"] == "house-large"


@pytest.mark.parametrize("field, value, key", BAD, ids=[f"{f}={v}" for f, v, _ in BAD])
def test_a_bad_custom_provider_is_a_one_line_config_error(field: str, value: str, key: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(_config(**{field: value}), encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli(["fix", "app.py"], tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("offramp: error: "), proc.stderr
    assert "pyproject.toml" in lines[0] and "gateway" in lines[0] and key in lines[0]
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == APP


@pytest.mark.parametrize("value", ['"qwen\\"; import os"', '"a b"', '""'])
def test_a_bad_model_mapping_is_a_config_error(value: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.offramp.models]\n"gpt-4o" = {value}\n', encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli(["fix", "--to", "deepseek", "app.py"], tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("offramp: error: ") and "models" in proc.stderr and "gpt-4o" in proc.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == APP


def test_an_override_of_a_shipped_provider_is_validated_too(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.offramp.providers.deepseek]\nkey-env = "DEEPSEEK KEY"\n', encoding="utf-8"
    )
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    proc = run_cli(["fix", "--to", "deepseek", "app.py"], tmp_path)
    assert proc.returncode == 2 and "key-env" in proc.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == APP
