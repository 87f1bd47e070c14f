"""The provider catalogue: shipped data is complete and sourced; the loader is strict; config extends it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import run_cli

from offramp.catalog import CatalogError, load_sdk, rules_dir
from offramp.engine import resolve_provider
from offramp.mapping import map_model
from offramp.providers import (
    ENDPOINT_FAMILIES,
    MODEL_FAMILIES,
    PARAMETERS,
    Provider,
    builtin_providers,
    load_provider_file,
)
from offramp.runner import check_code
from offramp.settings import Settings, load_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXPECTED = {
    "qwen",
    "ernie",
    "glm",
    "kimi",
    "minimax",
    "deepseek",
    "doubao",
    "hunyuan",
    "siliconflow",
    "yi",
    "baichuan",
    "stepfun",
    "spark",
}
ADDED = ("yi", "baichuan", "stepfun", "spark")  # the lower-confidence providers of fact sheet §4
QWEN = rules_dir() / "providers" / "qwen.toml"
# One OpenAI model per family of rules/openai.toml (checked below to stay complete).
SAMPLES = {
    "flagship": "gpt-4o",
    "mid": "gpt-6.1-terra",
    "cheap": "gpt-4o-mini",
    "legacy": "gpt-3.5-turbo",
    "reasoning": "o3",
    "reasoning-cheap": "o4-mini",
    "code": "codex-mini-latest",
    "vision": "gpt-4-vision-preview",
    "embedding-small": "text-embedding-3-small",
    "embedding-large": "text-embedding-3-large",
    "image": "dall-e-3",
    "speech": "tts-1",
    "transcription": "whisper-1",
    "moderation": "omni-moderation-latest",
    "realtime": "gpt-4o-realtime-preview",
    "video": "sora-2",
    "fine-tuned": "ft:gpt-4o-mini-2024-07-18:acme::9XyZ1a2b",
}
PROVIDER_IDS = sorted(EXPECTED)


def test_all_providers_load_with_sources_and_dates() -> None:
    providers = builtin_providers()
    assert set(providers) == EXPECTED
    for p in providers.values():
        assert p.base_url().startswith("https://"), p.id
        assert p.key_env.isupper(), p.id
        assert set(p.endpoints) == set(ENDPOINT_FAMILIES), p.id
        assert set(p.parameters) == set(PARAMETERS), p.id
        assert p.endpoint("chat") == "yes", p.id
        for section in ("provider", "base-url", "models", "endpoints", "parameters", "no-equivalent"):
            assert p.sources[section] and p.dates[section], (p.id, section)
        for section, date in p.dates.items():
            assert date >= "2026-11-23", (p.id, section, date)  # checked against the current fact sheet
        for q in p.quirks:
            assert q.source and q.date, (p.id, q.id)
        assert "flagship" in p.models and "cheap" in p.models, p.id
        assert p.hosts and all(h.count(".") >= 1 for h in p.hosts), p.id


def test_samples_cover_every_openai_model_family() -> None:
    sdk = load_sdk()
    assert {family for family, _ in sdk.model_families} == set(SAMPLES)
    for family, model in SAMPLES.items():
        assert sdk.is_openai_model(model) and sdk.model_family(model) == family, model


REGIONS = [(pid, region) for pid in PROVIDER_IDS for region in builtin_providers()[pid].base_urls]


@pytest.mark.parametrize("provider_id, region", REGIONS)
def test_every_openai_family_maps_to_a_model_or_an_explicit_gap(provider_id: str, region: str) -> None:
    """Each family gets a provider model (directly or through the fallbacks) or a reasoned [no-equivalent]
    entry, in every region (a region may bring its own model map: offramp.knowledge.regions)."""
    p = builtin_providers()[provider_id].in_region(region)
    sdk = load_sdk()
    served = set(p.models.values())
    for family, model in SAMPLES.items():
        choice = map_model(model, p, sdk, {})
        assert choice.family == family
        if family not in MODEL_FAMILIES:  # realtime, video, fine-tuned: no provider file can map them
            assert choice.target is None, (p.id, family)
        elif family in p.no_equivalent:
            assert family not in p.models and p.no_equivalent[family].strip(), (p.id, family)
        else:
            assert choice.target in served, (
                f"{p.id}: OpenAI family {family!r} maps to nothing; map it in [models] or explain it in [no-equivalent]"
            )
    assert set(p.no_equivalent) <= set(MODEL_FAMILIES)


def test_no_equivalent_stops_the_fallbacks() -> None:
    sdk = load_sdk()
    leaks = [
        (p.id, family, map_model(SAMPLES[family], p, sdk, {}).target)
        for p in builtin_providers().values()
        for family in p.no_equivalent
        if map_model(SAMPLES[family], p, sdk, {}).target is not None
    ]
    assert not leaks


def test_config_override_beats_no_equivalent(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.offramp.providers.yi.models]\nreasoning = "yi-large-rag"\n', encoding="utf-8"
    )
    yi = resolve_provider("yi", load_settings(tmp_path))
    assert yi is not None and map_model("o3", yi, load_sdk(), {}).target == "yi-large-rag"


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
        (lambda t: t.replace("[no-equivalent]\n", '[no-equivalent]\nfax = "x"\n', 1), "unknown key(s) fax"),
        (lambda t: t.replace("[no-equivalent]\n", '[no-equivalent]\ncheap = "x"\n', 1), "both mapped"),
        (lambda t: t.replace("[no-equivalent]\n", '[no-equivalent]\nvideo = "x"\n', 1), "unknown key(s) video"),
        (lambda t: t.replace('moderation = "Model Studio', 'moderation = " "\n# "', 1), "must be a reason string"),
        (lambda t: _drop_key(t, "[no-equivalent]", "source"), "needs `source` and `date`"),
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
        assert f"│ {pid} " in out
    show = run_cli(["providers", "show", "deepseek"], tmp_path)
    assert show.returncode == 0
    assert "DEEPSEEK_API_KEY" in show.stdout and "https://api.deepseek.com" in show.stdout
    assert "embeddings" in show.stdout and "sources:" in show.stdout
    # Bracketed text is data, not console markup: regions and source tags must survive.
    assert "base URL [cn (default)]: https://api.deepseek.com" in show.stdout
    assert any(line.startswith("  [") and "20" in line for line in show.stdout.splitlines())
    assert "none: " in show.stdout  # DeepSeek documents no embeddings model
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


@pytest.mark.parametrize("provider_id", ADDED)
def test_added_provider_show_check_and_fix(provider_id: str, tmp_path: Path) -> None:
    p: Provider = builtin_providers()[provider_id]
    show = run_cli(["providers", "show", provider_id], tmp_path)
    assert show.returncode == 0, show.stderr
    assert p.key_env in show.stdout and p.base_url() in show.stdout and "sources:" in show.stdout
    (tmp_path / "app.py").write_text(
        "from openai import OpenAI\nc = OpenAI()\nc.chat.completions.create(model='gpt-4o', messages=[])\n"
        "c.embeddings.create(model='text-embedding-3-small', input='x')\n",
        encoding="utf-8",
    )
    check = run_cli(["check", "app.py", "--to", provider_id, "--output-format", "concise"], tmp_path)
    assert check.returncode == 1, check.stderr
    assert f"becomes `{p.models['flagship']}` on {p.name}" in check.stdout
    embedding = p.models.get("embedding-small")
    if embedding:
        assert f"becomes `{embedding}`" in check.stdout or "OFR404" in check.stdout
    else:
        assert "OFR403" in check.stdout and "text-embedding-3-small" in check.stdout
    fix = run_cli(["fix", "app.py", "--to", provider_id], tmp_path)
    assert fix.returncode in (0, 1), fix.stderr
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert f'base_url="{p.base_url()}"' in text and f'os.environ["{p.key_env}"]' in text
    assert f"model='{p.models['flagship']}'" in text


def test_spark_x1_gap_is_explicit() -> None:
    """x1 lives under /v2, which one base URL per region cannot express: reasoning maps to a /v1 model, with a quirk."""
    spark = builtin_providers()["spark"]
    assert all(url.endswith("/v1") for url in spark.base_urls.values())
    assert spark.models["reasoning"] in {spark.models["flagship"], spark.models["cheap"], spark.models["legacy"]}
    assert "x1" not in spark.models.values()
    (quirk,) = [q for q in spark.quirks if q.id == "x1-on-v2"]
    assert "https://spark-api-open.xf-yun.com/v2" in quirk.text and "x1" in quirk.text


def test_low_confidence_providers_refuse_reasoning_and_missing_embeddings() -> None:
    providers = builtin_providers()
    for pid in ("yi", "baichuan"):
        assert {"reasoning", "reasoning-cheap"} <= set(providers[pid].no_equivalent), pid
    for pid in ("yi", "stepfun", "spark", "deepseek", "kimi", "minimax"):
        p = providers[pid]
        assert p.endpoint("embeddings") == "no" and {"embedding-small", "embedding-large"} <= set(p.no_equivalent)
