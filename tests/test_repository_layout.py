"""The repository's top level is the design card's (pyproject.toml, src/, tests/, rules/, README.md) and the
project's own tooling, nothing else: a shell slip once committed 36 empty files there (`Acme.Inc.markdown`,
`Crew`, `+`...) and nothing noticed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = {
    ".ci",
    ".gitignore",
    ".pre-commit-hooks.yaml",
    "CHANGELOG.md",
    "README.md",
    "SECURITY.md",
    "bench",
    "docs",
    "examples",
    "pyproject.toml",
    "rules",
    "src",
    "tests",
}
# What a checkout gains by being used (.gitignore), when the files are judged without git.
_MADE_HERE = {".git", ".venv", "venv", "build", "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}


def _top_level() -> set:
    proc = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if proc.returncode == 0 and proc.stdout:
        return {os.fsdecode(p).split("/", 1)[0] for p in proc.stdout.split(b"\0") if p}
    return {
        name
        for name in os.listdir(ROOT)
        if name not in _MADE_HERE and not name.endswith(".egg-info") and name != ".offramp_cache"
    }


def test_the_repository_root_holds_only_what_it_is_meant_to() -> None:
    assert _top_level() <= TOP_LEVEL, sorted(_top_level() - TOP_LEVEL)
    assert {"pyproject.toml", "src", "tests", "rules", "README.md"} <= _top_level()
