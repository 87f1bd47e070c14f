"""string_value reads a plain literal without compiling it, and always gives what Python would."""

from __future__ import annotations

import ast

import libcst as cst
import pytest

from offramp.analysis.values import _plain_text, string_value

LITERALS = [
    "'gpt-4o'",
    '"https://api.openai.com/v1"',
    "''",
    '""',
    "'''a\n b'''",
    '"""x"""',
    '""""""',
    "u'x'",
    "R'a b'",
    "r'\\d+'",
    "'a\\tb'",
    "'caf\\u00e9'",
    "'café'",
    "b'bytes'",
    "rb'x'",
    "'''it's'''",
    '"\'"',
    "'''a\r\nb'''",
]


@pytest.mark.parametrize("literal", LITERALS)
def test_string_value_is_pythons(literal: str) -> None:
    node = cst.parse_expression(literal) if "\r" not in literal else cst.SimpleString(literal)
    want = ast.literal_eval(literal)
    assert string_value(node) == (want if isinstance(want, str) else None)


def test_the_plain_ones_skip_the_compiler() -> None:
    assert _plain_text("'gpt-4o'") == "gpt-4o"
    assert _plain_text("'''a\n b'''") == "a\n b"
    assert _plain_text("'a\\tb'") is None  # an escape: compiled
    assert _plain_text("'café'") is None  # not ASCII: compiled
    assert _plain_text("b'x'") is None
