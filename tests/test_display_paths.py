"""Paths in output are relative to the project root: the batch form a run uses agrees with the one-path form."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from offramp.engine import display_path, display_paths


@pytest.mark.parametrize("root_name", ["proj", "proj/", "."])
def test_display_paths_agree_with_display_path(tmp_path: Path, monkeypatch, root_name: str) -> None:
    (tmp_path / "proj" / "pkg").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    root = Path(root_name)
    paths: list = [
        Path("proj/pkg/a.py"),
        Path("proj/./pkg/../pkg/b.py"),
        Path("proj"),
        tmp_path / "proj" / "pkg" / "c.py",
        tmp_path / "elsewhere" / "d.py",
        Path("elsewhere/e.yaml"),
        Path(os.path.relpath(tmp_path / "proj" / "f.py")),
        Path("proj/.env"),
        Path("proj/pkg/.hidden/g.py"),
        "proj//pkg/h.py",
        "./proj/i.py",
    ]
    expected = [display_path(p, root) for p in paths]
    assert display_paths(paths, root) == expected
    assert expected[0] == ("pkg/a.py" if root_name != "." else "proj/pkg/a.py")
