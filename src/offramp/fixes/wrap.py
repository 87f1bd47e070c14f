"""Calls that `fix` lengthened past the project's line length, wrapped as `ruff format` wraps them.

`client = OpenAI()` becomes `client = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",
api_key=os.environ["DASHSCOPE_API_KEY"])`: 118 characters on one line, which `ruff format` then
rewrites and `ruff check` (E501) reports. Where the statement fitted before the fix and does not
after, the call that ends it is split as Ruff splits it: its arguments on one indented line when
they fit there, else one per line with a trailing comma. Statements that were already too long,
span lines, or end in something other than the changed call are left as they are.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Union

import libcst as cst

_EMPTY = cst.Module(body=[])


def width(stmt: cst.SimpleStatementLine) -> Optional[int]:
    """The length of the statement's one line, without its indentation (None: it spans lines)."""
    code = _EMPTY.code_for_node(stmt.with_changes(leading_lines=()))
    line, _, rest = code.partition("\n")
    return None if rest else len(line.rstrip("\r"))


def ending_call(stmt: cst.SimpleStatementLine) -> Optional[cst.Call]:
    """The call whose `)` ends the statement: `x = f(...)`, `f(...)`, `return f(...)`, `x = await f(...)`."""
    if len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    value = (
        getattr(small, "value", None) if isinstance(small, (cst.Assign, cst.AnnAssign, cst.Expr, cst.Return)) else None
    )
    if isinstance(value, cst.Await):
        value = value.expression
    return value if isinstance(value, cst.Call) and not value.rpar else None


def wrap_statement(
    stmt: cst.SimpleStatementLine, call: cst.Call, indent: int, step: str, limit: int
) -> cst.SimpleStatementLine:
    """`stmt` with `call` (which ends it) split over lines so that they fit in `limit` where they can."""
    new = _split(call, indent, 1, step, limit)
    return stmt if new is call else stmt.deep_replace(call, new)  # type: ignore[return-value]


Bracketed = Union[cst.Call, cst.Dict, cst.List, cst.Set]
_Item = Union[cst.Arg, cst.BaseDictElement, cst.BaseElement]


def _split(node: Bracketed, indent: int, depth: int, step: str, limit: int) -> Bracketed:
    """`node` over lines, its items at `depth` steps past `indent`: on one line of their own when they
    fit there (Ruff's "hugging" of the right-hand side) and the last has no comma, else one a line
    with a trailing comma, and
    an item still too long split the same way when it is itself a call, dict, list or set."""
    items: Sequence[_Item] = node.args if isinstance(node, cst.Call) else node.elements
    if not items or any(isinstance(getattr(i, "value", None), cst.GeneratorExp) and not i.value.lpar for i in items):
        return node  # `f(x for x in y)` takes no trailing comma, and no line break before its `)`
    texts = [_code(_bare(i)) for i in items]
    inner = indent + len(step) * depth
    magic_comma = isinstance(items[-1].comma, cst.Comma)  # `f(a, b,)`: Ruff puts one item a line
    if inner + len(", ".join(texts)) <= limit and not magic_comma:
        new_items = [
            _bare(i).with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            if n < len(items) - 1
            else _bare(i)
            for n, i in enumerate(items)
        ]
        return _with_items(node, new_items, step * depth, step * (depth - 1), trailing=False)
    new_items = []
    for i, text in zip(items, texts):
        item = _bare(i)
        value = getattr(item, "value", None)
        if (
            inner + len(text) + 1 > limit
            and isinstance(value, (cst.Call, cst.Dict, cst.List, cst.Set))
            and not value.lpar
        ):
            item = item.with_changes(value=_split(value, indent, depth + 1, step, limit))
        new_items.append(item)
    return _with_items(node, new_items, step * depth, step * (depth - 1), trailing=True)


def _bare(item: _Item) -> _Item:
    """The item without its comma and the space after it."""
    if isinstance(item, cst.Arg):
        return item.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace(""))
    return item.with_changes(comma=cst.MaybeSentinel.DEFAULT)


def _with_items(node: Bracketed, items: List[_Item], inside: str, outside: str, trailing: bool) -> Bracketed:
    """`node` with a line break after its opening bracket and before its closing one; `trailing`: one
    item a line, each with its comma, else `items` as they are (on one line)."""
    if trailing:
        items = [
            i.with_changes(comma=cst.Comma(whitespace_after=_break(inside if n < len(items) - 1 else outside)))
            for n, i in enumerate(items)
        ]
    if isinstance(node, cst.Call):
        if not trailing:
            items[-1] = items[-1].with_changes(whitespace_after_arg=_break(outside))
        return node.with_changes(whitespace_before_args=_break(inside), args=items)
    if not trailing:
        items[-1] = items[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    opening, closing = ("lbrace", "rbrace") if isinstance(node, (cst.Dict, cst.Set)) else ("lbracket", "rbracket")
    before_close = cst.SimpleWhitespace("") if trailing else _break(outside)
    return node.with_changes(
        elements=items,
        **{
            opening: getattr(node, opening).with_changes(whitespace_after=_break(inside)),
            closing: getattr(node, closing).with_changes(whitespace_before=before_close),
        },
    )


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _break(last_line: str) -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, then the statement's indentation and `last_line`."""
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), empty_lines=[], indent=True, last_line=cst.SimpleWhitespace(last_line)
    )
