"""Our reading of IPython syntax agrees with IPython's own input transformer, line by line.

IPython turns each IPython line of a cell into a `get_ipython()...` call and leaves every
Python line as written; offramp masks the IPython lines and keeps the rest. For generated cells
mixing Python, escapes (`!ls`, `%env`), magic assignments (`x = !ls`, `x = %sx ls`), help
(`obj?`) and strings whose lines look like those, a line is kept by offramp exactly when it is
still in IPython's transformed cell, and the masked cell is Python exactly when IPython's is.
(Automagic `pip install x` is left out: IPython resolves it when the line runs, not here.)
"""

from __future__ import annotations

import ast
from typing import List

from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.core.inputtransformer2 import TransformerManager

from offramp.notebook import _MASK, _MASK_INDENTED, _cell_masks

STRING_LINES = ["What is the capital?", "!important", "%d items", "x = !ls", "obj?", "# why?", "  ?"]


@st.composite
def units(draw: st.DrawFn, n: int) -> List[str]:
    kind = draw(st.sampled_from(["assign", "shell", "magic", "help", "sysassign", "magicassign", "string", "call"]))
    if kind == "assign":
        return [f"v{n} = {n}  # what?" if draw(st.booleans()) else f'v{n} = "is it {n}?"']
    if kind == "shell":
        return [draw(st.sampled_from([f"!echo {n}", f"!!echo {n}", f'!echo "it\'s {n}"']))]
    if kind == "magic":
        return [draw(st.sampled_from([f"%env X={n}", f"%timeit v{n} = 1", f"%matplotlib inline  # {n}"]))]
    if kind == "help":
        return [draw(st.sampled_from([f"v{n}?", f"v{n}.real??", f"%env{n}?"]))]
    if kind == "sysassign":
        return [draw(st.sampled_from([f"v{n} = !ls {n}", f"v{n} =!ls {n}", f"v{n}, w{n} = !ls {n}"]))]
    if kind == "magicassign":
        return [f"v{n} = %sx echo {n}"]
    if kind == "string":
        quote = draw(st.sampled_from(['"""', "'''"]))
        inner = draw(st.lists(st.sampled_from(STRING_LINES), min_size=1, max_size=4))
        return [f"s{n} = {quote}{inner[0]}", *inner[1:], f"{quote}  # {n}"]
    return [f"v{n} = f(", f"    {n},", f'    "{n}?",', ")"]


@st.composite
def cells(draw: st.DrawFn) -> List[str]:
    count = draw(st.integers(min_value=1, max_value=8))
    return [line for n in range(count) for line in draw(units(n))]


def _is_python(code: str) -> bool:
    try:
        compile(code, "<cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(cells())
def test_masking_agrees_with_ipython_transformer(lines: List[str]) -> None:
    transformed = TransformerManager().transform_cell("\n".join(lines) + "\n").splitlines()
    masks = _cell_masks(lines)
    for line, mask in zip(lines, masks):
        assert (mask is None) == (line in transformed), (line, lines, transformed)
    masked = "\n".join(
        line if m is None else m + (_MASK_INDENTED if m else _MASK).format(0) for line, m in zip(lines, masks)
    )
    assert _is_python(masked) == _is_python("\n".join(transformed))
