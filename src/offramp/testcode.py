"""Whether a finding is in test code: a test file (pytest's and unittest's naming) or a test function.

Tests hold placeholder endpoints and keys on purpose (`https://fake.openai.azure.com`,
`api_key="fake_key"`) and recorded traces; they do not reach OpenAI from production. Their
findings are still reported, so a migration can update them, but as `info` and marked
"(test code)", and `fix` keeps a test's placeholder key instead of turning it into an
environment read that the test's CI does not set.
"""

from __future__ import annotations

import ast
import re
from typing import Callable, List, Tuple

# Directories and file names pytest and unittest collect by default (plus conftest.py).
_TEST_DIRS = frozenset({"test", "tests", "testing"})
_TEST_FILE = re.compile(r"^(test_.*|.*_test|tests?|conftest)\.(py|pyi|ipynb)$")
_TEST_FUNCTION = re.compile(r"^test")
_TEST_CLASS = re.compile(r"^Test")
# Where a test function or class can start. Without one the text is not parsed: a warm run re-finishes
# the route findings of every file that has one, and the parse was 0.23 s of a 0.6 s run (70 files).
_MAY_HOLD_TESTS = re.compile(r"\b(?:def[\s\\]+test|class[\s\\]+Test)")


def is_test_path(display: str) -> bool:
    """`tests/...`, `.../test/...`, `test_x.py`, `x_test.py`, `conftest.py` (a root-relative path, `/`-separated)."""
    parts = display.replace("\\", "/").split("/")
    return any(p.lower() in _TEST_DIRS for p in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


def ranges_of_tests(text: str) -> List[Tuple[int, int]]:
    """Line ranges (1-based, inclusive) of test functions and Test* classes; [] when the text does not parse."""
    if not _MAY_HOLD_TESTS.search(text):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out: List[Tuple[int, int]] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        pattern = _TEST_CLASS if isinstance(node, ast.ClassDef) else _TEST_FUNCTION
        if pattern.match(node.name):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            out.append((start, node.end_lineno or node.lineno))
    return out


def in_test_code(display: str, text: str) -> Callable[[int], bool]:
    """line -> whether it is test code. Parses only when the path is not a test path and a line is asked."""
    if is_test_path(display):
        return lambda line: True
    ranges: List[List[Tuple[int, int]]] = []

    def inside(line: int) -> bool:
        if not ranges:
            ranges.append(ranges_of_tests(text))
        return any(a <= line <= b for a, b in ranges[0])

    return inside
