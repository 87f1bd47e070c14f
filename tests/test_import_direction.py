"""Data flows one way (../shared/ARCHITECTURE.md): checks decide findings, fixes apply them, so a check
never imports from offramp.fixes; the LibCST helpers both use live in offramp.syntax, which knows
neither. The few checks that still ask the fix planner what `fix` will do are listed with their reason,
and the list must shrink with the code: an exception no longer taken fails the test too.

Imports sit at the top of a module, where a reader sees what it depends on. One inside a function says
why on its first line (`# lazy: start-up`: a command that never needs it would import it, measured with
the module sets of every command; `# lazy: cycle (...)`: the other module imports this one)."""

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


def _function_level_imports(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, text of that line) of every import inside a function of `path`."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()

    def walk(node: ast.AST, inside: bool) -> Iterator[Tuple[int, str]]:
        for child in ast.iter_child_nodes(node):
            if inside and isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child.lineno, lines[child.lineno - 1]
            yield from walk(child, inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    yield from walk(ast.parse(text), False)


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


def test_function_level_imports_say_why() -> None:
    """An import inside a function carries `# lazy: <reason>`; every other one belongs at the top."""
    paths = sorted(SRC.rglob("*.py"))
    found = wrong = 0
    unexplained = []
    for path in paths:
        for line, text in _function_level_imports(path):
            found += 1
            reason = text.partition("# lazy:")[2].strip()
            if not reason:
                wrong += 1
                unexplained.append(f"{path.relative_to(SRC).as_posix()}:{line}: {text.strip()}")
    assert found  # the walk sees function bodies at all
    assert unexplained == [], f"{wrong} function-level imports without `# lazy: <reason>`"
