"""Data flows one way (../shared/ARCHITECTURE.md): analysis, the project's routes and checks decide,
fixes apply, so nothing that decides imports from offramp.fixes. What `fix` will do and `check` must
predict (which clients move, which key variables keep their name, the provider per request family, the
route gate) is decided once in checks/moves.py, keptkeys.py, familyplan.py and project/gate.py, and the
fix planner builds on them; the LibCST helpers both use live in offramp.syntax, which knows neither.

Imports sit at the top of a module, where a reader sees what it depends on. One inside a function says
why on its first line (`# lazy: start-up`: a command that never needs it would import it, measured with
the module sets of every command; `# lazy: cycle (...)`: the other module imports this one)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Tuple

SRC = Path(__file__).resolve().parents[1] / "src" / "offramp"

# The packages that decide what a finding is and what moves: none asks offramp.fixes.
DECIDING = ("analysis", "checks", "project", "userconfig", "knowledge", "syntax")


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


def test_deciders_do_not_import_fixes() -> None:
    wrong = []
    for package in DECIDING:
        paths = sorted((SRC / package).rglob("*.py"))
        assert paths, package
        for path in paths:
            for module, line in _imports(path):
                if _under(module, "offramp.fixes"):
                    wrong.append(f"{path.relative_to(SRC).as_posix()}:{line} imports {module}")
    assert wrong == []


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
