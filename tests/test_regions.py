"""Per-region model maps (`[regions.NAME]` in a provider file, offramp.knowledge.regions).

Doubao's `--region intl` is BytePlus ModelArk, which serves `seed-2-0-*` ids, not Volcengine's
`doubao-seed-2-1-*`: before the region maps, `fix --region intl` wrote ids BytePlus answers with
"model not found". And an id no source confirms for a region is said to be unconfirmed wherever
offramp maps to it (check's OFR201, fix's summary), never written as a fact.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import run_cli

from offramp.catalog import CatalogError, load_sdk, rules_dir
from offramp.engine import resolve_provider
from offramp.knowledge.lifecycle import gone_mappings
from offramp.mapping import map_model
from offramp.providers import builtin_providers, load_provider_file
from offramp.settings import Settings

CODE = (
    "from openai import OpenAI\n"
    "client = OpenAI()\n"
    'r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])\n'
    'e = client.embeddings.create(model="text-embedding-3-small", input="x")\n'
)


def test_doubao_intl_maps_to_the_ids_byteplus_serves() -> None:
    s = Settings(root=Path("."))
    cn = resolve_provider("doubao", s)
    intl = resolve_provider("doubao", s, "intl")
    eu = resolve_provider("doubao", s, "eu")
    assert cn.models["flagship"] == "doubao-seed-2-1-pro-260915"
    assert intl.base_url() == "https://ark.ap-southeast.bytepluses.com/api/v3"
    assert eu.base_url() == "https://ark.eu-west.bytepluses.com/api/v3"
    for p in (intl, eu):
        assert p.models["flagship"] == "seed-2-0-pro-260328" and p.models["cheap"] == "seed-2-0-lite-260228"
        assert not any(m.startswith("doubao-") for m in p.models.values()), p.models
        # BytePlus has only a multimodal embedding endpoint: a documented gap, not a Volcengine id
        assert "embedding-small" in p.no_equivalent and "embedding-small" not in p.models
        assert not p.unconfirmed
    sdk = load_sdk()
    assert map_model("o3", intl, sdk, {}).target == "seed-2-0-pro-260328"
    assert map_model("text-embedding-3-small", intl, sdk, {}).target is None


def test_fix_with_region_intl_writes_byteplus_ids(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(CODE, encoding="utf-8")
    run_cli(["fix", "--to", "doubao", "--region", "intl", "a.py"], tmp_path)
    text = (tmp_path / "a.py").read_text(encoding="utf-8")
    assert '"seed-2-0-lite-260228"' in text and "bytepluses.com" in text
    assert "doubao-" not in text


def test_user_overrides_win_over_the_region_map(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.offramp.providers.doubao.models]\ncheap = "ep-20261201000000-abcde"\n', encoding="utf-8"
    )
    from offramp.settings import load_settings

    p = resolve_provider("doubao", load_settings(tmp_path), "intl")
    assert p.models["cheap"] == "ep-20261201000000-abcde" and p.models["flagship"] == "seed-2-0-pro-260328"


def test_no_region_map_names_a_retired_id() -> None:
    for p in builtin_providers().values():
        for region in p.base_urls:
            assert gone_mappings(p.in_region(region).models, p.lifecycle) == {}, (p.id, region)


def test_every_region_table_is_sourced_and_dated() -> None:
    for p in builtin_providers().values():
        for spec in p.regions.values():
            assert spec.source and spec.date >= "2026-12-05", (p.id, spec.region)
            assert not spec.unconfirmed or spec.note, (p.id, spec.region)


def test_unconfirmed_ids_are_said_by_check_and_fix(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(CODE, encoding="utf-8")
    check = run_cli(["check", "--to", "qwen", "--region", "us", "a.py"], tmp_path)
    assert "becomes `qwen-flash` on Qwen" in check.stdout
    assert check.stdout.count("(unconfirmed: no Alibaba model list read here says which models US") == 2
    # Singapore lists both ids: nothing to say
    intl = run_cli(["check", "--to", "qwen", "--region", "intl", "a.py"], tmp_path)
    assert "becomes `qwen-flash` on Qwen" in intl.stdout and "unconfirmed" not in intl.stdout
    fixed = run_cli(["fix", "--to", "qwen", "--region", "us", "a.py"], tmp_path)
    assert "Wrote `qwen-flash`, unconfirmed: " in fixed.stderr
    assert "`offramp verify --to qwen --region us` tries it" in fixed.stderr
    assert '"qwen-flash"' in (tmp_path / "a.py").read_text(encoding="utf-8")
    # a second fix writes nothing, so says nothing
    again = run_cli(["fix", "--to", "qwen", "--region", "us", "a.py"], tmp_path)
    assert "unconfirmed" not in again.stderr


def test_default_region_unconfirmed_ids_are_said(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(CODE, encoding="utf-8")
    out = run_cli(["check", "--to", "hunyuan", "a.py"], tmp_path).stdout
    assert "becomes `hunyuan-embedding` on Hunyuan (Tencent) (unconfirmed: " in out
    assert "becomes `hunyuan-turbos-latest` on Hunyuan (Tencent) [*]" in out  # a confirmed id: no note


def _edited(tmp_path: Path, extra: str) -> Path:
    text = (rules_dir() / "providers" / "qwen.toml").read_text(encoding="utf-8") + extra
    path = tmp_path / "qwen.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "extra, message",
    [
        ('[regions.mars]\nunconfirmed = "all"\nnote = "x"\nsource = "s"\ndate = "2026-12-05"\n', "not a [base-url]"),
        ('[regions.cn]\nunconfirmed = ["flagshp"]\nnote = "x"\nsource = "s"\ndate = "2026-12-05"\n', "unconfirmed"),
        ('[regions.cn]\nunconfirmed = ["cheap"]\nsource = "s"\ndate = "2026-12-05"\n', "note"),
        ('[regions.cn]\nunconfirmd = ["cheap"]\nsource = "s"\ndate = "2026-12-05"\n', "unknown key"),
        ('[regions.cn]\nnote = "x"\n', "source"),
        (
            '[regions.cn]\nsource = "s"\ndate = "2026-12-05"\n[regions.cn.models]\ncheap = "a b"\n'
            'source = "s"\ndate = "2026-12-05"\n',
            "not a model id",
        ),
    ],
)
def test_region_tables_are_strict(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)):
        load_provider_file(_edited(tmp_path, "\n" + extra))


def test_the_fix_command_check_suggests_keeps_the_region(tmp_path: Path) -> None:
    """`fix --to doubao` without `--region intl` would write Volcengine ids into a BytePlus project."""
    (tmp_path / "a.py").write_text(CODE, encoding="utf-8")
    out = run_cli(["check", "--to", "doubao", "--region", "intl", "--output-format", "concise", "a.py"], tmp_path)
    assert "fixable with `offramp fix --to doubao --region intl`." in out.stdout
    plain = run_cli(["check", "--to", "doubao", "--output-format", "concise", "a.py"], tmp_path)
    assert "fixable with `offramp fix --to doubao`." in plain.stdout


def test_a_region_the_users_config_adds_keeps_the_users_models(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.offramp.providers.doubao.base-url]\n"
        'gateway = "https://llm.example.internal/v1"\n'
        '[tool.offramp.providers.doubao.models]\ncheap = "house-small"\n',
        encoding="utf-8",
    )
    from offramp.settings import load_settings

    p = resolve_provider("doubao", load_settings(tmp_path), "gateway")
    assert p.base_url() == "https://llm.example.internal/v1"
    assert p.models["cheap"] == "house-small" and p.models["flagship"] == "doubao-seed-2-1-pro-260915"


def test_without_a_provider_the_footer_says_its_fixable_count_is_judged_per_file(tmp_path: Path) -> None:
    """Without `--to` the route stage cannot tell which requests fix holds (a relay the user configures, an API
    the provider lacks), so `[*]` is the file's own answer, and the footer says so rather than promise it."""
    (tmp_path / "a.py").write_text(CODE, encoding="utf-8")
    for how in (["--output-format", "concise"], ["--output-format", "full"], ["--statistics"]):
        out = run_cli(["check", *how, "a.py"], tmp_path)
        assert "fixable with `offramp fix --to PROVIDER` (judged file by file;" in out.stdout, how
        chosen = run_cli(["check", "--to", "qwen", *how, "a.py"], tmp_path)
        assert "fixable with `offramp fix --to qwen`." in chosen.stdout, how
