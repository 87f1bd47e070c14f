"""Discovery skips exactly what git ignores: inside a work tree git answers, outside `pathspec` does.

Each tree is judged twice, as a plain folder and as a git repository, and both answers are
compared with `git ls-files --others --exclude-standard` on the same tree (git's own matcher).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from offramp.discover import discover_paths

PLAIN = "x = 1\n"

TREES: Dict[str, Dict[str, str]] = {
    "re-included directory": {
        ".gitignore": "projects/*\n!projects/keep/\n",
        "projects/drop/a.py": PLAIN,
        "projects/keep/a.py": PLAIN,
        "projects/keep/sub/b.py": PLAIN,
    },
    "a slash pattern is anchored to one level": {
        ".gitignore": "docs/*.py\n",
        "docs/top.py": PLAIN,
        "docs/a/b.py": PLAIN,
    },
    "double star matches zero directories": {
        ".gitignore": "a/**/foo\n",
        "a/foo/x.py": PLAIN,
        "a/b/foo/y.py": PLAIN,
        "a/keep.py": PLAIN,
    },
    "a nested .gitignore, negation and directory-only rules": {
        ".gitignore": "*.pyi\nout/\n",
        "pkg/.gitignore": "!api.pyi\ngen_*.py\n",
        "pkg/api.pyi": PLAIN,
        "pkg/other.pyi": PLAIN,
        "pkg/gen_x.py": PLAIN,
        "pkg/out/z.py": PLAIN,
        "pkg/ok.py": PLAIN,
        "out.py": PLAIN,
    },
    "a file under an ignored directory cannot be re-included": {
        ".gitignore": "vendor/\n!vendor/keep.py\n",
        "vendor/keep.py": PLAIN,
        "main.py": PLAIN,
    },
}


def _tree(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def _found(root: Path, target: str = ".") -> List[str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        files, _ = discover_paths([target], root=str(root))
    finally:
        os.chdir(cwd)
    return sorted(os.path.relpath(f, target).replace(os.sep, "/") for f in files)


def _git_truth(root: Path) -> List[str]:
    out = _git(root, "ls-files", "--cached", "--others", "--exclude-standard")
    return sorted(p for p in out.splitlines() if p.endswith((".py", ".pyi")))


@pytest.mark.parametrize("name", sorted(TREES))
def test_discovery_agrees_with_git_inside_and_outside_a_repository(name: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    _tree(tmp_path, TREES[name])
    outside = _found(tmp_path)
    _git(tmp_path, "init", "-q")
    truth = _git_truth(tmp_path)
    assert outside == truth, "outside git"
    assert _found(tmp_path) == truth, "inside git"


def test_a_tracked_file_is_checked_even_when_gitignore_matches_it(tmp_path: Path) -> None:
    _tree(tmp_path, {"assets/config.yml": "model: gpt-4o\n", ".env.example": "OPENAI_API_KEY=\n", "app.py": PLAIN})
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    (tmp_path / ".gitignore").write_text("assets/\n.env*\n")
    (tmp_path / "assets" / "local.yml").write_text("model: gpt-4o\n")  # untracked and ignored
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        files, _ = discover_paths(["."], root=str(tmp_path), config_files=True)
    finally:
        os.chdir(cwd)
    names = sorted(os.path.relpath(f).replace(os.sep, "/") for f in files)
    assert "assets/config.yml" in names and ".env.example" in names
    assert "assets/local.yml" not in names


def test_a_parent_gitignore_applies_to_a_subdirectory_outside_git(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitignore": "gen/\n", "pkg/gen/a.py": PLAIN, "pkg/b.py": PLAIN})
    assert _found(tmp_path, "pkg") == ["b.py"]


def test_a_nested_repository_is_walked_with_its_own_gitignore(tmp_path: Path) -> None:
    _tree(tmp_path, {"top.py": PLAIN, "nested/a.py": PLAIN, "nested/skip.py": PLAIN, "nested/.gitignore": "skip.py\n"})
    _git(tmp_path / "nested", "init", "-q")
    _git(tmp_path, "init", "-q")
    assert _found(tmp_path) == ["nested/a.py", "top.py"]


def test_the_cli_checks_a_re_included_directory(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitignore": "projects/*\n!projects/keep/\n", "projects/keep/a.py": PLAIN})
    proc = subprocess.run(
        [sys.executable, "-m", "offramp", "check", "--no-cache"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.stdout == "All checks passed! (1 file checked)\n", proc.stdout + proc.stderr


def test_a_submodule_is_walked_with_its_own_gitignore(tmp_path: Path) -> None:
    inner = tmp_path / "inner"
    _tree(inner, {"a.py": PLAIN, "skip.py": PLAIN, ".gitignore": "skip.py\n"})
    _git(inner, "init", "-q")
    _git(inner, "add", ".")
    _git(inner, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "inner")
    outer = tmp_path / "outer"
    _tree(outer, {"top.py": PLAIN})
    _git(outer, "init", "-q")
    _git(outer, "-c", "protocol.file.allow=always", "submodule", "-q", "add", str(inner), "sub")
    assert _found(outer) == ["sub/a.py", "top.py"]
