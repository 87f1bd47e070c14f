"""Snapshot tests for `offramp fix`: tests/fixtures/fix/input/*.py rewritten for each provider.

Expected outputs live in tests/fixtures/fix/<provider>/<name>.py. Every case also proves that
the output parses, that a second fix is a no-op, and that a file with nothing to do is left
byte-for-byte alone (and never rewritten on disk).
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, compare_snapshot

from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.settings import Settings

INPUTS = sorted((FIXTURES / "fix" / "input").glob("*.py"))
PROVIDERS = ("qwen", "deepseek", "glm", "kimi")


def run_fix(path: Path, provider_id: str, **settings):  # type: ignore[no-untyped-def]
    s = Settings(root=path.parent, **settings)
    provider = resolve_provider(provider_id, s)
    assert provider is not None
    (result,) = fix_files([path], s, provider, jobs=1)
    assert result.error is None, result.error
    return result


@pytest.mark.parametrize("provider_id", PROVIDERS)
@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.stem)
def test_fix_snapshot(source: Path, provider_id: str, tmp_path: Path) -> None:
    work = tmp_path / source.name
    shutil.copy(source, work)
    run_fix(work, provider_id)
    text = work.read_text(encoding="utf-8")
    ast.parse(text)
    compare_snapshot(text, FIXTURES / "fix" / provider_id / source.name)
    before = work.read_bytes()
    again = run_fix(work, provider_id)
    assert not again.changed and work.read_bytes() == before, "second fix changed the file"


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_noop_file_untouched_on_disk(provider_id: str, tmp_path: Path) -> None:
    work = tmp_path / "noop.py"
    shutil.copy(FIXTURES / "fix" / "input" / "noop.py", work)
    os.utime(work, (1_000_000_000, 1_000_000_000))
    result = run_fix(work, provider_id)
    assert not result.changed
    assert work.stat().st_mtime == 1_000_000_000
    assert work.read_bytes() == (FIXTURES / "fix" / "input" / "noop.py").read_bytes()


def test_config_maps_deployments(tmp_path: Path) -> None:
    work = tmp_path / "azure.py"
    shutil.copy(FIXTURES / "fix" / "input" / "azure.py", work)
    run_fix(work, "qwen", models={"prod-summariser": "qwen-plus", "gpt-4o-mini": "qwen-turbo"})
    text = work.read_text(encoding="utf-8")
    assert 'model="qwen-plus"' in text and 'model="qwen-turbo"' in text
    assert "TODO[offramp]" not in text


@pytest.mark.parametrize(
    "template, value",
    [('"""a\nb"""', "x\ny"), ("'t'", "tab\there\r\x00"), ("r'c:\\p'", "c:\\q"), ('"ünï"', "ünï\u2028")],
)
def test_string_like_builds_a_literal_of_the_value(template: str, value: str) -> None:
    import libcst as cst

    from offramp.syntax.arguments import string_like

    code = string_like(cst.parse_expression(template), value).value
    assert "\n" not in code and ast.literal_eval(code) == value


ALL_PROVIDERS = tuple(sorted(__import__("offramp.providers", fromlist=["x"]).builtin_providers()))
# ~5 CPU-s a provider (a fix and a check of the 69 inputs). Qwen's and DeepSeek's are in test_fix_suggestions.py,
# on the tree its SARIF test fixes (DeepSeek's is `exhaustive` there); glm and kimi run here by default, the other
# ten are marked `exhaustive` (CI selects them; the runtime oracle's sample migrates every provider by default).
SUGGESTIONS_PROVIDERS = ("qwen", "deepseek")
EVERY_PROVIDER = [
    pytest.param(p, marks=() if p in PROVIDERS else (pytest.mark.exhaustive,))
    for p in ALL_PROVIDERS
    if p not in SUGGESTIONS_PROVIDERS
]


@pytest.mark.parametrize("provider_id", EVERY_PROVIDER)
def test_check_after_fix_finds_nothing_fixable(provider_id: str, tmp_path: Path) -> None:
    """`check --to P` after `fix --to P`: whatever is left must be something fix cannot do (helpers.fixable_after_fix).
    One job: a pool of workers costs 1.8 of the 8.8 CPU-s of the two runs, for each of the 14 providers
    (measured 2026-12-06); the pool itself is tested where a run is interrupted (test_safe_writes.py).
    """
    from helpers import fixable_after_fix, run_cli

    work = tmp_path / "src"
    shutil.copytree(FIXTURES / "fix" / "input", work)
    proc = run_cli(["fix", "--to", provider_id, "-j", "1", "."], work)
    assert proc.returncode in (0, 1), proc.stderr
    fixable = fixable_after_fix(work, provider_id)
    assert fixable == [], "\n".join(fixable)


def test_every_provider_is_checked_after_fix() -> None:
    assert {p.values[0] for p in EVERY_PROVIDER} | set(SUGGESTIONS_PROVIDERS) == set(ALL_PROVIDERS)
