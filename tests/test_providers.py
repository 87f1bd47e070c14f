"""The provider catalogue: shipped data is complete and sourced; the loader is strict; config extends it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import run_cli

from offramp.catalog import CatalogError, rules_dir
from offramp.config import Settings
from offramp.engine import check_code, resolve_provider
from offramp.providers import ENDPOINT_FAMILIES, PARAMETERS, builtin_providers, load_provider_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXPECTED = {"qwen", "ernie", "glm", "kimi", "minimax", "deepseek", "doubao", "hunyuan", "siliconflow"}
QWEN = rules_dir() / "providers" / "qwen.toml"


def test_all_providers_load_with_sources_and_dates() -> None:
    providers = builtin_providers()
    assert set(providers) == EXPECTED
    for p in providers.values():
        assert p.base_url().startswith("https://"), p.id
        assert p.key_env.isupper(), p.id
        assert set(p.endpoints) == set(ENDPOINT_FAMILIES), p.id
        assert set(p.parameters) == set(PARAMETERS), p.id
        assert p.endpoint("chat") == "yes", p.id
        for section in ("provider", "base-url", "models", "endpoints", "parameters"):
            assert p.sources[section] and p.dates[section], (p.id, section)
        for q in p.quirks:
            assert q.source and q.date, (p.id, q.id)
        assert "flagship" in p.models and "cheap" in p.models, p.id


def test_deepseek_does_not_use_retired_aliases() -> None:
    ds = builtin_providers()["deepseek"]
    assert not {"deepseek-chat", "deepseek-reasoner"} & set(ds.models.values())
    assert ds.endpoint("embeddings") == "no"


def _mutated(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    text = QWEN.read_text(encoding="utf-8")
    out = tmp_path / "qwen.toml"
    out.write_text(edit(text), encoding="utf-8")
    tomllib.loads(out.read_text(encoding="utf-8"))
    return out


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda t: t.replace("[models]\n", '[models]\nturbo = "x"\n', 1), "unknown key(s) turbo"),
        (lambda t: t.replace("\n[endpoints]\n", '\n[endpoints]\nfax = "yes"\n', 1), "unknown key(s) fax"),
        (lambda t: _drop_key(t, "[endpoints]", "date"), "needs `source` and `date`"),
        (lambda t: _drop_key(t, "[base-url]", "source"), "needs `source` and `date`"),
        (lambda t: t.replace('chat = "yes"', 'chat = "maybe"', 1), "must be one of yes, no, partial, unknown"),
        (lambda t: t.replace("\nkey-env =", "\nkey_env =", 1), "unknown key(s) key_env"),
    ],
)
def test_loader_rejects_bad_files(tmp_path: Path, edit, needle: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CatalogError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        load_provider_file(_mutated(tmp_path, edit))


def _drop_key(text: str, table: str, key: str) -> str:
    """Remove `key = ...` (possibly a multi-line array) from one table."""
    head, _, rest = text.partition(table + "\n")
    body, sep, tail = rest.partition("\n[")
    lines = body.split("\n")
    out, skipping = [], False
    for line in lines:
        if line.startswith(f"{key} ="):
            skipping = line.rstrip().endswith("[")
            continue
        if skipping:
            skipping = not line.startswith("]")
            continue
        out.append(line)
    return head + table + "\n" + "\n".join(out) + sep + tail


def test_providers_command(tmp_path: Path) -> None:
    out = run_cli(["providers"], tmp_path).stdout
    for pid in EXPECTED:
        assert pid in out
    show = run_cli(["providers", "show", "deepseek"], tmp_path)
    assert show.returncode == 0
    assert "DEEPSEEK_API_KEY" in show.stdout and "https://api.deepseek.com" in show.stdout
    assert "embeddings" in show.stdout and "sources:" in show.stdout
    assert run_cli(["providers", "show", "nope"], tmp_path).returncode == 2


def test_region_selects_base_url() -> None:
    s = Settings(root=Path("."))
    assert resolve_provider("qwen", s, "intl").base_url().startswith("https://dashscope-intl.")
    with pytest.raises(Exception, match="no region"):
        resolve_provider("qwen", s, "mars")


def test_custom_provider_and_model_override_from_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.offramp]\ntarget = "gateway"\n'
        '[tool.offramp.models]\n"gpt-4o" = "house-large"\n'
        '[tool.offramp.providers.gateway]\nname = "House gateway"\nkey-env = "GATEWAY_KEY"\n'
        '[tool.offramp.providers.gateway.base-url]\ncn = "https://llm.example.internal/v1"\n'
        '[tool.offramp.providers.gateway.models]\ncheap = "house-small"\n',
        encoding="utf-8",
    )
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\nc = OpenAI()\nc.chat.completions.create(model='gpt-4o', messages=[])\n"
        "c.chat.completions.create(model='gpt-4o-mini', messages=[])\n",
        encoding="utf-8",
    )
    proc = run_cli(["fix", "app.py"], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert 'base_url="https://llm.example.internal/v1"' in text and 'os.environ["GATEWAY_KEY"]' in text
    assert "model='house-large'" in text and "model='house-small'" in text


def test_custom_provider_bad_table_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.offramp.providers.gw]\nname = "x"\nbase-url = "not a table"\n', encoding="utf-8"
    )
    (tmp_path / "a.py").write_text("import openai\n", encoding="utf-8")
    proc = run_cli(["check", "a.py", "--to", "gw"], tmp_path)
    assert proc.returncode == 2 and "base-url" in proc.stderr and "Traceback" not in proc.stderr


def test_capability_gap_uses_provider_data() -> None:
    codes = [
        f.code
        for f in check_code(
            "from openai import OpenAI\nc = OpenAI()\nc.embeddings.create(model='text-embedding-3-small', input='x')\n",
            to="deepseek",
        )
    ]
    assert "OFR401" in codes and "OFR403" in codes
