"""positions.py gives LibCST's PositionProvider's numbers for every node it records."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from offramp.analysis.positions import node_positions

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.py"))
# Shapes the fixtures may lack: CRLF and lone CR line ends, tabs, a file without a final newline,
# continuation lines, hoisted positions (decorators, else/finally, match), semicolons, f-strings.
EDGES = [
    "import openai\r\nclient = openai.OpenAI(\r\n    base_url='https://api.openai.com/v1')\r\n",
    "x = 1\ry = openai.OpenAI()\r",
    "from openai import (\n    AzureOpenAI,\n    OpenAI,\n)\nfrom . import (a)\n",
    "def f():\n\tif a:\n\t\treturn OpenAI(api_key=k)  # c\n\telse:\n\t\tpass\n",
    "client = OpenAI(model='gpt-4o')",
    "x = a + \\\n    b; y = f'{x!r:>10}' 'tail'\n",
    "@dec\n@dec2(1)\nclass C(B):\n    '''doc'''\n    async def m(self):\n        try:\n            pass\n"
    "        except E as e:\n            raise\n        finally:\n            del x\n",
    "match cmd:\n    case [a, *rest] if a:\n        pass\n    case {'k': v, **kw}:\n        pass\n"
    "    case _:\n        pass\n",
    "",
    "\n\n# only a comment\n",
    # an import's end is hoisted from its closing parenthesis (punctuation, otherwise not recorded)
    "from langchain_openai import ChatOpenAI\nfrom m import (\n    a,\n)\nfrom n import (b as c)\n",
]


def _compare(module: cst.Module) -> int:
    theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    ours = node_positions(module)
    assert set(ours) <= set(theirs)
    for node, want in theirs.items():
        if node in ours:
            got = ours[node]
            assert got == (want.start.line, want.start.column, want.end.line, want.end.column), type(node).__name__
        else:  # only whitespace and punctuation are left out
            assert not isinstance(node, (cst.BaseExpression, cst.BaseStatement, cst.BaseSmallStatement, cst.BaseSuite))
    return len(ours)


def test_positions_match_libcst_on_every_fixture() -> None:
    compared = 0
    for path in SOURCES:
        try:
            module = cst.parse_module(path.read_bytes())
        except cst.ParserSyntaxError:
            continue
        compared += _compare(module)
    assert compared > 10_000


def test_positions_match_libcst_on_edge_shapes() -> None:
    for code in EDGES:
        _compare(cst.parse_module(code))
