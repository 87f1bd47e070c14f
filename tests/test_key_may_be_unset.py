"""OFR304: a provider key read that may be None lets the SDK send OPENAI_API_KEY to the provider.

`OpenAI(api_key=None)` reads OPENAI_API_KEY itself (tests/runtime/test_key_fallback.py shows it on
the wire), so `check` reports such a read wherever the route's key comes from, and `fix` never
writes one: after `fix --to P`, `check --to P` finds neither a nullable key read nor a foreign key.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import FIXTURES, run_cli
from test_project_routes import check_tree

PROJECT = FIXTURES / "projects" / "keys_unset"


def test_nullable_provider_key_reads_are_reported_where_they_are_read() -> None:
    found = {(f.path, f.span.line) for f in check_tree(PROJECT, "qwen") if f.code == "OFR304"}
    assert found == {("app.py", 8), ("app.py", 9), ("settings.py", 3)}


def test_fix_leaves_no_key_read_that_may_be_none(tmp_path: Path) -> None:
    for provider in ("qwen", "deepseek"):
        work = tmp_path / provider
        work.mkdir()
        shutil.copy(FIXTURES / "fix" / "input" / "key_reads_unset.py", work)
        assert run_cli(["fix", "--to", provider, "."], work).returncode in (0, 1)
        check = run_cli(["check", "--to", provider, "--no-cache", "--output-format", "concise", "."], work)
        left = [line for line in check.stdout.splitlines() if " OFR304 " in line or " OFR303 " in line]
        assert left == [], "\n".join(left)
