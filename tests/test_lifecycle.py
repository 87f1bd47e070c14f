"""Lifecycle data in the provider files: no mapping names a model the provider retired, and the tables
are as strict as the rest of a provider file (a typo in them must not silently drop a retirement)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from offramp.catalog import CatalogError, rules_dir
from offramp.knowledge.lifecycle import gone_mappings, openai_api_lifecycle
from offramp.providers import builtin_providers, load_provider_file

DEEPSEEK = rules_dir() / "providers" / "deepseek.toml"


def test_no_mapping_targets_a_retired_or_redirected_id() -> None:
    gone = {
        (p.id, family, e.model): e.status
        for p in builtin_providers().values()
        for family, e in gone_mappings(p.models, p.lifecycle).items()
    }
    assert gone == {}


def test_every_successor_is_a_model_the_provider_serves() -> None:
    for p in builtin_providers().values():
        served = set(p.lifecycle.served) | set(p.models.values())
        for e in p.lifecycle.models.values():
            assert not e.successor or e.successor in served, (p.id, e.model, e.successor)
            assert e.source and e.date, (p.id, e.model)


def test_deepseek_lifecycle_is_as_its_pricing_page_says() -> None:
    p = builtin_providers()["deepseek"]
    assert p.lifecycle.complete and set(p.lifecycle.served) == {"deepseek-flash", "deepseek-v4-pro"}
    retired = {m: (e.status, e.successor) for m, e in p.lifecycle.models.items()}
    assert retired["deepseek-chat"] == ("retired", "deepseek-flash")
    assert retired["deepseek-v4-flash"] == ("redirected", "deepseek-flash")
    assert p.models["cheap"] == "deepseek-flash" and p.endpoint("responses") == "yes"


def test_the_assistants_api_shut_down_on_2026_08_26() -> None:
    apis = openai_api_lifecycle()
    assert {f: (a.status, a.retired) for f, a in apis.items()} == {
        "assistants": ("retired", "2026-08-26"),
        "threads": ("retired", "2026-08-26"),
    }
    assert all(a.source for a in apis.values())


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace('status = "redirected"', 'status = "gone"', 1), "`status` must be one of"),
        (lambda t: t.replace('retired = "2026-07-24"', 'retired = "July"', 1), "`retired` must be YYYY-MM-DD"),
        (lambda t: t.replace("complete = true", 'complete = "yes"', 1), "[served].complete"),
        (
            lambda t: t.replace('successor = "deepseek-flash"', 'sucessor = "deepseek-flash"', 1),
            "unknown key(s) sucessor",
        ),
        (
            lambda t: (
                t + '\n[[lifecycle]]\nmodel = "deepseek-chat"\nstatus = "retired"\nsource = "x"\ndate = "2026-12-05"\n'
            ),
            "listed twice",
        ),
        (lambda t: t[: t.rindex('date = "2026-12-05"')], "needs `source` and `date`"),
    ],
)
def test_a_malformed_lifecycle_table_is_an_error(edit, message: str, tmp_path: Path) -> None:
    text = DEEPSEEK.read_text("utf-8")
    changed = edit(text)
    assert changed != text
    path = tmp_path / "deepseek.toml"
    path.write_text(changed, "utf-8")
    with pytest.raises(CatalogError, match=re.escape(message)):
        load_provider_file(path)
