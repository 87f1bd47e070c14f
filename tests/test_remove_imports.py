"""fix keeps an import without LibCST's RemoveImportsVisitor only where the visitor would keep it too."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor

from offramp.fixes.unusedimports import _all_referenced

HEAD = "from openai import AzureOpenAI, OpenAI\n"
CASES = [
    HEAD + "def f(c: AzureOpenAI) -> None:\n    pass\n",
    "from __future__ import annotations\n" + HEAD + "def f(c: AzureOpenAI) -> None:\n    pass\n",
    HEAD + "class C:\n    ok = isinstance(a, AzureOpenAI)\n",
    HEAD + "x = [AzureOpenAI for _ in y]\n",
    HEAD + "def f():\n    return lambda: AzureOpenAI\n",
    HEAD + "x = OpenAI()\n",
    HEAD + "def f():\n    AzureOpenAI = 1\n    return AzureOpenAI\n",
    HEAD + "x = 'AzureOpenAI'\n",
    HEAD + "x: 'AzureOpenAI'\n",
    "x = AzureOpenAI\n" + HEAD,
    "def f():\n    return AzureOpenAI\n" + HEAD,
    HEAD + "try:\n    pass\nexcept ImportError:\n    AzureOpenAI = None\nAzureOpenAI\n",
    HEAD + "def f():\n    global AzureOpenAI\n    AzureOpenAI = 2\nf(AzureOpenAI)\n",
    HEAD + "def f():\n    from openai import AzureOpenAI\n    return AzureOpenAI\n",
    HEAD + "for AzureOpenAI in y:\n    pass\n",
    HEAD + "x.AzureOpenAI = 1\nf(AzureOpenAI=2)\n",
    HEAD + "match x:\n    case AzureOpenAI():\n        pass\n",
    HEAD + "del AzureOpenAI\n",
]


def _visitor_keeps(code: str) -> bool:
    ctx = CodemodContext()
    RemoveImportsVisitor.remove_unused_import(ctx, "openai", "AzureOpenAI", None)
    new = RemoveImportsVisitor(ctx).transform_module(cst.parse_module(code)).code
    return new.count("AzureOpenAI") == code.count("AzureOpenAI")


@pytest.mark.parametrize("code", CASES)
def test_a_name_said_in_use_is_one_the_visitor_keeps(code: str) -> None:
    if _all_referenced(code, {"AzureOpenAI"}):
        assert _visitor_keeps(code)


def test_the_common_case_skips_the_visitor() -> None:
    # A large file that still names the class in signatures: kept without the whole-module analysis.
    assert _all_referenced(CASES[0], {"AzureOpenAI"})
    assert _all_referenced(CASES[1], {"AzureOpenAI"})
    assert _all_referenced(CASES[2], {"AzureOpenAI"})
