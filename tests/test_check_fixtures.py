"""Snapshot tests: every tests/fixtures/check*/**.py file against its `.expected` concise output.

tests/fixtures/check/ runs without a target; tests/fixtures/check-to/<provider>/ with --to <provider>.
Regenerate with OFFRAMP_UPDATE_SNAPSHOTS=1 and review the diff like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURES, compare_snapshot, concise_lines

from offramp.engine import check_path, make_options, resolve_provider
from offramp.settings import Settings

CASES = sorted((FIXTURES / "check").glob("*.py")) + sorted((FIXTURES / "check-to").glob("*/*.py"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path) -> None:
    provider_id = path.parent.name if path.parent.parent.name == "check-to" else None
    settings = Settings(root=path.parent)
    opts = make_options(settings, resolve_provider(provider_id, settings))
    result = check_path(path, opts)
    compare_snapshot(concise_lines(list(result.findings)), path.with_suffix(".expected"))
