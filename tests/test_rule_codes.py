"""offramp.codes names every rule of the catalogue, and nothing else: each constant is the code of the
rule its name spells (`OPENAI_ENV_VAR` is `openai-env-var`), so a code in src/ written as a constant
cannot drift from rules/catalog.toml."""

from __future__ import annotations

import ast
from pathlib import Path

from offramp import codes
from offramp.catalog import load_rules

SRC = Path(__file__).resolve().parents[1] / "src" / "offramp"


def test_every_constant_is_the_catalogue_code_of_its_rule() -> None:
    constants = {name: value for name, value in vars(codes).items() if name.isupper()}
    by_name = {rule.name.replace("-", "_").upper(): code for code, rule in load_rules().items()}
    assert constants == by_name


def test_modules_name_codes_through_the_constants() -> None:
    """A code as a string literal is left only where the lead is editing today (gate.py)."""
    literal = {f"OFR{n:03}" for n in range(1000)}
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in ("codes.py", "gate.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in literal:
                found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value}")
    assert found == []
