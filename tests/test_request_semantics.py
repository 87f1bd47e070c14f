"""Request semantics (issue 18): the provider data that drives them, and the route invariant for them.

The rewrites themselves are snapshot fixtures (tests/fixtures/fix/*/request_semantics.py) and run
against the emulated providers in tests/runtime/test_provider_emulation.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from offramp.catalog import CatalogError
from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.providers import builtin_providers
from offramp.semantics import parse_semantics
from offramp.settings import Settings

HELD = """import json
from openai import OpenAI

settings = json.load(open("settings.json"))
client = OpenAI(base_url=settings["base_url"], api_key=settings["key"])
moved = OpenAI()


def think(q):
    return client.chat.completions.create(model="o3", messages=[q], reasoning_effort="low")


def think_too(q):
    return moved.chat.completions.create(model="o3", messages=[q], reasoning_effort="low")
"""


def test_a_held_route_keeps_the_parameters_openai_reads(tmp_path: Path) -> None:
    """The route gate holds `client` (its base URL may be null: the SDK would send it to OpenAI), so
    its call keeps `reasoning_effort="low"`; the call through the client that moves gets DeepSeek's level."""
    (tmp_path / "app.py").write_text(HELD, encoding="utf-8")
    (tmp_path / "settings.json").write_text('{"base_url": null, "key": "x"}', encoding="utf-8")
    s = Settings(root=tmp_path)
    provider = resolve_provider("deepseek", s)
    assert provider is not None
    fix_files([tmp_path / "app.py"], s, provider, jobs=1)
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert 'client.chat.completions.create(model="o3", messages=[q], reasoning_effort="low")' in text
    assert 'moved.chat.completions.create(model="deepseek-v4-pro", messages=[q], reasoning_effort="high")' in text


def test_every_fact_table_has_source_and_date() -> None:
    for p in builtin_providers().values():
        s = p.semantics
        tables = [s.reasoning, s.structured]
        tables += [t for t in (s.limits, s.errors) if t != type(t)()]  # (absent: the empty defaults)
        for table in tables:
            if table is not None:
                assert table.source and table.date, (p.id, table)


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"reasoning": {"control": "enable_thinking"}}, "needs `source` and `date`"),
        ({"reasoning": {"control": "knob", "source": "x", "date": "2026-12-05"}}, "control: must be one of"),
        ({"limits": {"embedding-batch": 0, "source": "x", "date": "2026-12-05"}}, "positive integer"),
        ({"reasoning": {"control": "enable_thinking", "efort": {}, "source": "x", "date": "2026-12-05"}}, "efort"),
        ({"thinking": {}}, "unknown key"),
    ],
)
def test_bad_semantics_tables_are_refused(raw, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CatalogError, match=message):
        parse_semantics(raw, "x.toml")


def test_the_provider_rules_the_issue_names_are_data() -> None:
    p = builtin_providers()
    assert p["qwen"].semantics.reasoning.needs_stream("qwen3-32b")
    assert not p["qwen"].semantics.reasoning.needs_stream(p["qwen"].models["reasoning"])
    assert p["glm"].semantics.reasoning.thinks_always(p["glm"].models["flagship"])
    assert p["kimi"].semantics.reasoning.fixed(p["kimi"].models["cheap"])
    assert p["qwen"].semantics.limits.embedding_batch == 10
    assert not p["deepseek"].semantics.structured.takes_json_schema(p["deepseek"].models["flagship"])
    assert p["deepseek"].semantics.reasoning.replay and p["kimi"].semantics.reasoning.replay


IMAGES_BUILT_APART = """import base64
from openai import OpenAI

client = OpenAI()


def describe(path):
    data = base64.b64encode(open(path, "rb").read()).decode()
    content = [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}},
    ]
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}])


def plain(q):
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])
"""


def test_image_parts_built_above_the_call_pick_the_vision_model(tmp_path: Path) -> None:
    """The image parts are built in `content` and sent through `messages=[{..., "content": content}]`:
    the request carries images, so it goes to DeepSeek's model that takes them (deepseek-v4-pro does
    not); the text-only request next to it gets the default model."""
    (tmp_path / "app.py").write_text(IMAGES_BUILT_APART, encoding="utf-8")
    s = Settings(root=tmp_path)
    provider = resolve_provider("deepseek", s)
    assert provider is not None
    fix_files([tmp_path / "app.py"], s, provider, jobs=1)
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert 'model="deepseek-flash", messages=[{"role": "user", "content": content}]' in text, text
    assert 'model="deepseek-v4-pro", messages=[{"role": "user", "content": q}]' in text, text
