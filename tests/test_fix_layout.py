"""`fix` keeps a call's layout within the project's Ruff line length where it changed the call
(issue 15): tests/fixtures/fix-layout/input/*.py rewritten for Qwen in a project with
`[tool.ruff] line-length = 88`, compared with tests/fixtures/fix-layout/qwen/.

- hugged.py: arguments on one line of their own (`ruff format`'s "hugging"); where the inserted
  `base_url=` or a longer model name takes that line past 88, one argument a line with a trailing
  comma, as `ruff format` does next; a line that still fits stays hugged.
- aligned.py: arguments aligned under the bracket keep that layout while it fits, else take Ruff's
  (a comment after an argument stays with it).
- one_per_line.py: the inserted arguments get lines of their own; a name added to a sorted
  `from openai import ...` keeps it sorted.
- generator_arg.py: `f(\n    x for x in y\n)` cannot take one item a line (a trailing comma after a
  bare generator is a syntax error): it is left as it is, over the limit.
Inputs that `ruff format` accepts stay formatted, and no other line offramp writes exceeds 88 columns.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FIXTURES, compare_snapshot, run_cli

LAYOUT = FIXTURES / "fix-layout"
INPUTS = sorted((LAYOUT / "input").glob("*.py"))
RUFF_FORMATTED = {"hugged.py", "one_per_line.py"}  # aligned.py is not: its layout is the author's
LEFT_LONG = {"generator_arg.py"}


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The inputs in one project with Ruff's line length 88, after one `fix --to qwen`."""
    root = tmp_path_factory.mktemp("layout")
    (root / "pyproject.toml").write_text("[tool.ruff]\nline-length = 88\n", encoding="utf-8")
    for source in INPUTS:
        shutil.copy(source, root / source.name)
    formatted = sorted(RUFF_FORMATTED | LEFT_LONG)
    assert ruff("format", "--check", *formatted, cwd=root).returncode == 0  # the inputs are formatted
    assert ruff("check", "--select", "E501,I", ".", cwd=root).returncode == 0
    proc = run_cli(["fix", "--to", "qwen", "."], root)
    assert f"Rewrote {len(INPUTS)} files" in proc.stderr, proc.stderr
    return root


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.stem)
def test_fix_keeps_the_layout_within_the_line_length(fixed: Path, source: Path) -> None:
    text = (fixed / source.name).read_text(encoding="utf-8")
    compare_snapshot(text, LAYOUT / "qwen" / source.name)
    ast.parse(text)
    if source.name not in LEFT_LONG:
        assert max(len(line) for line in text.splitlines()) <= 88


def test_fixed_code_is_still_ruff_formatted_and_clean(fixed: Path) -> None:
    fmt = ruff("format", "--diff", *sorted(RUFF_FORMATTED), cwd=fixed)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = ruff("check", "--select", "E501,I", *sorted(p.name for p in INPUTS if p.name not in LEFT_LONG), cwd=fixed)
    assert lint.returncode == 0, lint.stdout


def test_a_second_fix_changes_nothing(fixed: Path) -> None:
    again = run_cli(["fix", "--to", "qwen", "--diff", "."], fixed)
    assert again.stdout == "", again.stdout
