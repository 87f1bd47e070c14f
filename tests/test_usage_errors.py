"""Bad command lines get one `offramp: error: ...` line and exit code 2 (Ruff's), like every other error.

Click's own report is four lines (usage, a hint, a blank line, `Error: ...`) in a format no other
offramp error uses; CI logs and wrappers that grep for `offramp: error:` missed it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

CASES = [
    (["--bogus"], "--bogus"),
    (["chek"], "chek"),
    (["check", "--bogus"], "--bogus"),
    (["check", "--output-format", "xml"], "xml"),
    (["check", "--jobs", "many"], "many"),
    (["check", "--select"], "--select"),
    (["fix", "--bogus"], "--bogus"),
    (["fix", "--to"], "--to"),
    (["baseline", "--bogus"], "--bogus"),
    (["rules", "--output-format", "yaml"], "yaml"),
    (["explain"], "CODE"),
    (["explain", "OFR101", "extra"], "extra"),
    (["providers", "--bogus"], "--bogus"),
    (["providers", "show"], "PROVIDER_ID"),
    (["providers", "nope"], "nope"),
]


@pytest.mark.parametrize("args, word", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_usage_error_is_one_line(args: list, word: str, tmp_path: Path) -> None:
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("offramp: error: ")
    assert word in lines[0]


def test_help_and_version_still_work(tmp_path: Path) -> None:
    assert run_cli(["check", "--help"], cwd=tmp_path).returncode == 0
    result = run_cli(["--version"], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("offramp ")


def test_no_command_still_shows_the_help(tmp_path: Path) -> None:
    result = run_cli([], cwd=tmp_path)
    assert "Commands:" in result.stdout + result.stderr
    assert "offramp: error" not in result.stderr
