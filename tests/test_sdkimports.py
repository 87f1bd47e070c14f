"""Which files get LibCST's scope analysis: those whose import statements bring in a client
(offramp/analysis/sdkimports.py), not those that only look so to the text's regular expressions."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, List

import libcst as cst
import pytest

import offramp.engine
from offramp.analysis import imports_sdk, needs_scopes
from offramp.analysis.sdkimports import ast_imports, brings_clients, cst_imports
from offramp.catalog import load_sdk
from offramp.engine import check_source, make_options, resolve_provider
from offramp.fixes.onefile import fix_source
from offramp.project.index import watch_from_rules
from offramp.project.indexer import build
from offramp.project.reach import imports_sdk as index_imports_sdk
from offramp.settings import Settings
from offramp.source import SourceFile

SDK = load_sdk()
SETTINGS = Settings(root=Path("."))

# (source, whether its imports bring in a client)
SHAPES = {
    "client": ("from openai import OpenAI\n", True),
    "client among exceptions": ("from openai import APIError, OpenAI\n", True),
    "module": ("import openai\n", True),
    "legacy errors module": ("import openai.error\n", True),  # (binds `openai`: the module client)
    "star": ("from openai import *\n", True),
    "azure entry module": ("from openai.lib.azure import AzureOpenAI\n", True),
    "wrapper": ("from langchain_openai import ChatOpenAI\n", True),
    "nested in try": ("try:\n    import json\nexcept ImportError:\n    from openai import AsyncOpenAI\n", True),
    "in a function": ("def make():\n    from openai import OpenAI\n    return OpenAI()\n", True),
    "under TYPE_CHECKING": ("import typing\nif typing.TYPE_CHECKING:\n    from openai import OpenAI\n", True),
    "in a match case": ("match x:\n    case 1:\n        from openai import OpenAI\n", True),
    "exceptions only": ("from openai import APIConnectionError, RateLimitError\n", False),
    "sentinels only": ("from openai import NOT_GIVEN, NotGiven, Omit, omit, AsyncStream\n", False),
    "types module": ("from openai.types.chat import ChatCompletion\n", False),
    "relative": ("from .openai import OpenAI\n", False),
    "docstring example": ('"""Use it so:\n\n    from agents import Agent\n    import openai\n"""\nx = 1\n', False),
    "string": ('CODE = """\nfrom openai import OpenAI\n"""\n', False),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_both_trees_and_the_index_read_the_imports_alike(name: str) -> None:
    """`check` reads the stdlib tree, the analysis (and `fix`) the LibCST module, the route checks the index
    entry: one rule, the same answer for each."""
    text, expected = SHAPES[name]
    assert brings_clients(ast_imports(ast.parse(text)), SDK) is expected
    assert brings_clients(cst_imports(cst.parse_module(text)), SDK) is expected
    assert index_imports_sdk(build(text, "m.py", watch_from_rules(), None)) is expected
    assert needs_scopes(text, SDK) is (expected and imports_sdk(text, SDK))


def test_a_docstring_example_and_the_sdk_exceptions_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, both files below went to LibCST's parse and scope analysis; neither can make a request."""
    analysed: List[str] = []
    real = offramp.engine._check_with_libcst

    def counting(src: Any, display: str, *a: Any) -> Any:
        analysed.append(display)
        return real(src, display, *a)

    monkeypatch.setattr(offramp.engine, "_check_with_libcst", counting)
    opts = make_options(SETTINGS, None)
    doc = '"""Example:\n\n    from agents import Agent\n"""\nURL = "https://api.openai.com/v1"\n'
    errors = 'from openai import APIError\nURL = "https://api.openai.com/v1"\n'
    client = 'from openai import OpenAI\nclient = OpenAI(base_url="https://api.openai.com/v1")\n'
    for display, text in (("doc.py", doc), ("errors.py", errors), ("client.py", client)):
        assert check_source(_source(text), display, opts).findings, display  # (the URL is reported either way)
    assert analysed == ["client.py"]


# Files whose imports bring no client, with what the scope analysis could otherwise take for SDK use
FAST = {
    "exceptions and a call on a parameter": (
        "from openai import APIError, RateLimitError\n"
        "def ask(client, q):\n"
        "    try:\n"
        '        return client.chat.completions.create(model="gpt-4o", messages=[q])\n'
        "    except RateLimitError:\n"
        "        return None\n"
    ),
    "sentinels and a URL": (
        "from openai import NOT_GIVEN, omit\n"
        'BASE = "https://api.openai.com/v1"\n'
        'KEY = "sk-proj-abcdefabcdefabcdefabcdefabcdefabcdef"\n'
        "def params(temperature=NOT_GIVEN):\n"
        '    return {"model": "gpt-4o-mini", "temperature": temperature}\n'
    ),
    "docstring example and env reads": (
        '"""Example:\n\n    import openai\n    openai.api_key = "..."\n"""\n'
        "import os\n"
        'KEY = os.environ["OPENAI_API_KEY"]\n'
        'ENDPOINT = os.getenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")\n'
    ),
}


@pytest.mark.parametrize("to", [None, "qwen"])
@pytest.mark.parametrize("name", sorted(FAST))
def test_the_fast_path_finds_what_the_scope_analysis_finds(name: str, to: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim behind rules/openai.toml's inert names: for such a file the scope analysis would report
    nothing more, and `fix` (which analyses the LibCST module by the same rule) offers what check offers."""
    text = FAST[name]
    opts = make_options(SETTINGS, resolve_provider(to, SETTINGS))
    fast = check_source(_source(text), "prog.py", opts).findings
    assert not needs_scopes(text, SDK)
    monkeypatch.setattr(offramp.analysis.sdkimports, "brings_clients", lambda imports, sdk: True)
    monkeypatch.setattr(offramp.analysis, "brings_clients", lambda imports, sdk: True)
    monkeypatch.setattr(offramp.analysis, "needs_scopes", lambda text, sdk: True)
    analysed: List[bool] = []
    real = offramp.engine._check_with_libcst
    monkeypatch.setattr(offramp.engine, "_check_with_libcst", lambda *a: analysed.append(True) or real(*a))
    full = check_source(_source(text), "prog.py", opts).findings
    assert analysed == [True]
    assert [(f.code, f.span, f.fixable) for f in fast] == [(f.code, f.span, f.fixable) for f in full]
    if to is not None:
        monkeypatch.undo()
        new, _ = fix_source(_source(text), "prog.py", resolve_provider(to, SETTINGS), opts)  # type: ignore[arg-type]
        assert (new is not None and new != text) is any(f.fixable for f in fast)


def _source(text: str) -> SourceFile:
    return SourceFile(path=Path("prog.py"), data=text.encode(), text=text, encoding="utf-8", bom=False)
