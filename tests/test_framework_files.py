"""Configuration files a framework loads itself (userconfig/frameworkfiles.py, rules/frameworkfiles.toml):
AutoGen component configs, `.prompty` files, promptflow connections and flow nodes.

tests/fixtures/framework-files/input holds the files (with decoys: a local server's AutoGen client, an
Azure token provider nested in a client's config, `provider:` / `type:` keys that are not framework
blocks, the prompt text after a `.prompty` front matter); `check*.expected` the findings, and
`<provider>/` each file as `fix --to <provider>` leaves it. A block moves whole or stays as it is: a
real key in the file or a model with no provider equivalent keeps it, and check says why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, compare_snapshot, concise_lines

from offramp.catalog import load_sdk
from offramp.engine import make_options, resolve_provider
from offramp.fixes.runner import fix_files
from offramp.providers import builtin_providers, known_provider_hosts
from offramp.runner import iter_findings, run
from offramp.settings import Settings
from offramp.userconfig.frameworkfiles import find_blocks, fix_blocks

HERE = FIXTURES / "framework-files"
INPUTS = sorted(p for p in (HERE / "input").iterdir() if p.is_file())
PROVIDERS = ("qwen", "kimi")


def _findings(root: Path, provider_id: str | None) -> str:
    settings = Settings(root=root)
    opts = make_options(settings, resolve_provider(provider_id, settings))
    findings = iter_findings(run(sorted(root.iterdir()), opts, jobs=1))
    return concise_lines(sorted(findings, key=lambda f: (f.path, f.span.line, f.span.column, f.code)))


@pytest.mark.parametrize("provider_id", [None, "qwen"])
def test_check(provider_id: str | None, tmp_path: Path) -> None:
    work = tmp_path / "input"
    shutil.copytree(HERE / "input", work)
    name = "check.expected" if provider_id is None else f"check-{provider_id}.expected"
    compare_snapshot(_findings(work, provider_id), HERE / name)


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_fix(provider_id: str, tmp_path: Path) -> None:
    work = tmp_path / "input"
    shutil.copytree(HERE / "input", work)
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    files = sorted(work.iterdir())
    results = fix_files(files, settings, provider, jobs=1)
    assert all(r.error is None for r in results), [r.error for r in results]
    for path in files:
        compare_snapshot(path.read_text(encoding="utf-8"), HERE / provider_id / path.name)
    again = fix_files(files, settings, provider, jobs=1)
    assert not any(r.changed for r in again), "a second fix changed a file"


def test_held_blocks_say_why() -> None:
    """A block that cannot move whole is left byte for byte, with the reason."""
    qwen = builtin_providers()["qwen"]
    for name, why in (("autogen_secret.yaml", "holds a real key"), ("autogen_unmapped.yaml", "has no Qwen")):
        text = (HERE / "input" / name).read_text(encoding="utf-8")
        fixed = fix_blocks("yaml", text, qwen, load_sdk(), {}, None, known_provider_hosts())
        assert fixed is not None
        assert fixed[0] == text
        assert len(fixed[2]) == 1 and why in fixed[2][0]


def test_mapped_deployment_moves() -> None:
    """[tool.offramp.models] maps a deployment the catalogue cannot (the file's model is a fine-tune)."""
    qwen = builtin_providers()["qwen"]
    text = (HERE / "input" / "autogen_unmapped.yaml").read_text(encoding="utf-8")
    new, counts, held = fix_blocks(
        "yaml", text, qwen, load_sdk(), {"prod-ft": "qwen-plus"}, None, known_provider_hosts()
    )
    assert not held and "  model: qwen-plus\n" in new and "azure_" not in new and "OpenAIChatCompletionClient\n" in new
    assert counts["autogen-component model_info"] == 1


@pytest.mark.parametrize(
    "kind, text",
    [
        ("yaml", "provider: openai\nconfig:\n  model: gpt-4o\n"),
        ("yaml", "config:\n  model: gpt-4o\nprovider: autogen_ext.models.openai.OpenAIChatCompletionClient2\n"),
        ("json", '{"provider": "autogen_ext.models.openai.OpenAIChatCompletionClient"}'),
        ("yaml", "nodes:\n- name: x\n  type: python\n  inputs:\n    connection: c\n"),
        ("prompty", "model:\n  configuration:\n    type: azure_openai\n"),  # no front matter: a prompt's text
        ("yaml", "model:\n  configuration:\n    type: openai\n    model: gpt-4o\n"),  # not a .prompty file
    ],
)
def test_not_a_framework_block(kind: str, text: str) -> None:
    assert find_blocks(kind, text)[1] == []
