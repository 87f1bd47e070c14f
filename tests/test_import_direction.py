"""Data flows one way (../shared/ARCHITECTURE.md): checks decide findings, fixes apply them, so a check
never imports from offramp.fixes; the LibCST helpers both use live in offramp.syntax, which knows
neither. The few checks that still ask the fix planner what `fix` will do are listed with their reason,
and the list must shrink with the code: an exception no longer taken fails the test too."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Set, Tuple

SRC = Path(__file__).resolve().parents[1] / "src" / "offramp"

# (check module, fixes module it imports): why the check asks the fix rather than deciding itself.
CHECKS_ASKING_FIXES = {
    ("checks/secrets.py", "offramp.fixes.planner"): (
        "OFR301's fixable flag is whether `fix` keeps the key read (Planner.kept_keys decides it)"
    ),
    ("checks/families.py", "offramp.fixes.planner"): (
        "with a provider per family, each finding is judged against the provider `fix` moves it to"
    ),
    ("checks/families.py", "offramp.fixes.families"): "plan_families decides that split for check and fix alike",
}


def _imports(path: Path) -> Iterator[Tuple[str, int]]:
    """Every module `path` imports from (absolute names, relative ones resolved), anywhere in the file."""
    package = ["offramp", *path.parent.relative_to(SRC).parts]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module, node.lineno
            for alias in node.names:  # `from offramp import fixes`
                yield f"{module}.{alias.name}", node.lineno


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_checks_do_not_import_fixes() -> None:
    found: Set[Tuple[str, str]] = set()
    wrong = []
    for path in sorted((SRC / "checks").rglob("*.py")):
        name = path.relative_to(SRC).as_posix()
        for module, line in _imports(path):
            if not _under(module, "offramp.fixes"):
                continue
            allowed = [(n, m) for n, m in CHECKS_ASKING_FIXES if n == name and _under(module, m)]
            found.update(allowed)
            if not allowed:
                wrong.append(f"{name}:{line} imports {module}")
    assert wrong == []
    assert sorted(set(CHECKS_ASKING_FIXES) - found) == []  # a stale exception: drop it from the list


def test_syntax_helpers_know_neither_checks_nor_fixes() -> None:
    """offramp.syntax serves both sides, so it imports from neither."""
    paths = sorted((SRC / "syntax").rglob("*.py"))
    assert paths
    wrong = []
    for path in paths:
        for module, line in _imports(path):
            if _under(module, "offramp.checks") or _under(module, "offramp.fixes"):
                wrong.append(f"{path.relative_to(SRC).as_posix()}:{line} imports {module}")
    assert wrong == []
