"""Calls that `fix` lengthened past the project's line length, wrapped as `ruff format` wraps them.

`client = OpenAI()` becomes `client = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",
api_key=os.environ["DASHSCOPE_API_KEY"])`: 118 characters on one line, which `ruff format` then
rewrites and `ruff check` (E501) reports. Where the statement fitted before the fix and does not
after, the call that ends it is split as Ruff splits it: its arguments on one indented line when
they fit there, else one per line with a trailing comma. Statements that were already too long,
span lines, or end in something other than the changed call are left as they are.

A call already split over lines keeps its layout: one argument a line takes the inserted one on a
line of its own (the planner copies its neighbours' spacing), and a call with its arguments on one
indented line (`ruff format`'s "hugging") whose line the fix took past the limit gets one argument
a line, with the file's own indentation (`hugged_split`). Calls in other layouts (arguments aligned
under the bracket) are left as the author wrote them.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple, Union, cast

import libcst as cst

_EMPTY = cst.Module(body=[])
Bracketed = Union[cst.Call, cst.Dict, cst.List, cst.Set]
_Item = Union[cst.Arg, cst.BaseDictElement, cst.BaseElement]


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
    new = _split(call, indent, "", step, limit)
    if new is call:
        return stmt
    replaced = stmt.deep_replace(call, new)  # (a statement: the call inside it is replaced)
    return cast(cst.SimpleStatementLine, replaced)


def rewrap_statement(
    original: cst.SimpleStatementLine, stmt: cst.SimpleStatementLine, call: cst.Call, indent: int, step: str, limit: int
) -> cst.SimpleStatementLine:
    """`stmt`, a statement over lines whose lines all fitted in `limit` before the fix and one does not
    now, with `call` (which ends it) split as `ruff format` splits it (`wrap_statement`): arguments
    aligned under the bracket take Ruff's layout once one of their lines is too long, a comment after
    an argument's comma staying with it. Left as it is when the call does not open on the statement's
    first line, or an argument spans lines or has a comment elsewhere (which the layout would move)."""
    if indent + _widest(original) > limit or indent + _widest(stmt) <= limit:
        return stmt
    empty = call.with_changes(args=(), whitespace_before_args=cst.SimpleWhitespace(""))
    head = stmt.deep_replace(call, empty)
    if not isinstance(head, cst.SimpleStatementLine) or width(head) is None:
        return stmt
    comments = [_comment_after(a) for a in call.args]
    if _comments_in(call) != sum(c is not None for c in comments):
        return stmt
    if any("\n" in _code(_bare(a)) for a in call.args):
        return stmt
    new = _split(call, indent, "", step, limit, one_a_line=any(comments))
    if new is call:
        return stmt
    args = [
        a.with_changes(comma=a.comma.with_changes(whitespace_after=a.comma.whitespace_after.with_changes(first_line=c)))
        if c is not None and isinstance(a.comma, cst.Comma)
        else a
        for a, c in zip(new.args, comments)  # type: ignore[union-attr]
    ]
    replaced = stmt.deep_replace(call, new.with_changes(args=args))
    return cast(cst.SimpleStatementLine, replaced)


class _CountComments(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def visit_Comment(self, node: cst.Comment) -> None:
        self.count += 1


def _comments_in(node: cst.CSTNode) -> int:
    """How many comments `node` holds (libcst.matchers' `len(findall(node, Comment()))`: matchers is
    left unloaded, plainimports.py says why)."""
    counter = _CountComments()
    node.visit(counter)
    return counter.count


def _comment_after(arg: cst.Arg) -> Optional[cst.TrailingWhitespace]:
    """`a=1,  # note` (then a line break): the end of the line after the argument's comma."""
    ws = arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else None
    if isinstance(ws, cst.ParenthesizedWhitespace) and ws.first_line.comment is not None and not ws.empty_lines:
        return ws.first_line
    return None


def _widest(stmt: cst.SimpleStatementLine) -> int:
    """The length of the statement's longest line, past the block's indentation."""
    code = _EMPTY.code_for_node(stmt.with_changes(leading_lines=()))
    return max(len(line.rstrip("\r")) for line in code.split("\n"))


def hugged_split(original: Bracketed, node: Bracketed, indent: int, step: str, limit: int) -> Bracketed:
    """`node` (an edited `original`, in a block indented `indent` columns) one item a line, when both
    have their items on one line of their own between the brackets and that line fitted in `limit`
    before the edit and does not after: the next layout `ruff format` takes, at the file's indentation.
    Anything else is returned as it is."""
    was, now = _hugged(original), _hugged(node)
    if was is None or now is None or indent + was[1] > limit or indent + now[1] <= limit:
        return node
    inside, outside = now[0], _closing_indent(node)
    items: Sequence[_Item] = node.args if isinstance(node, cst.Call) else node.elements
    if _bare_generator(items):
        return node
    new_items = [_split_item(_bare(i), indent, inside, step, limit) for i in items]
    return _with_items(node, new_items, inside, outside, trailing=True)


def _hugged(node: cst.CSTNode) -> Optional[Tuple[str, int]]:
    """(indentation, width) of the line `node`'s items sit on when they have one of their own:
    `f(\n    a, b\n)`, with no comment at either break (None: another layout, or not a bracket)."""
    if not isinstance(node, (cst.Call, cst.Dict, cst.List, cst.Set)):
        return None
    items: Sequence[_Item] = node.args if isinstance(node, cst.Call) else node.elements
    if not items or (isinstance(node, cst.Call) and node.rpar):
        return None
    opening, closing = _breaks(node)
    if not (_plain_break(opening) and _plain_break(closing)):
        return None
    lines = _code(node).split("\n")  # a node on its own renders its breaks without the block's indentation
    last = cast(cst.ParenthesizedWhitespace, opening).last_line  # (a plain break, as tested above)
    return (last.value, len(lines[1])) if len(lines) == 3 else None


def _breaks(node: Bracketed) -> Tuple[cst.BaseParenthesizableWhitespace, cst.BaseParenthesizableWhitespace]:
    """The whitespace after the opening bracket and before the closing one."""
    if isinstance(node, cst.Call):
        return node.whitespace_before_args, node.args[-1].whitespace_after_arg
    if isinstance(node, (cst.Dict, cst.Set)):
        return node.lbrace.whitespace_after, node.rbrace.whitespace_before
    return node.lbracket.whitespace_after, node.rbracket.whitespace_before


def _plain_break(ws: cst.BaseParenthesizableWhitespace) -> bool:
    return (
        isinstance(ws, cst.ParenthesizedWhitespace)
        and ws.indent
        and ws.first_line.comment is None
        and not ws.first_line.whitespace.value
        and not ws.empty_lines
    )


def _closing_indent(node: Bracketed) -> str:
    return cast(cst.ParenthesizedWhitespace, _breaks(node)[1]).last_line.value  # (callers tested it: _plain_break)


def _split(node: Bracketed, indent: int, base: str, step: str, limit: int, one_a_line: bool = False) -> Bracketed:
    """`node` over lines, its items one `step` past `base` (after the block's `indent` columns) and its
    closing bracket at `base`: on one line of their own when they fit there (Ruff's "hugging" of the
    right-hand side) and the last has no comma, else one a line with a trailing comma, and an item
    still too long split the same way when it is itself a call, dict, list or set (`one_a_line`:
    never on one line)."""
    items: Sequence[_Item] = node.args if isinstance(node, cst.Call) else node.elements
    if not items or _bare_generator(items):
        return node
    texts = [_code(_bare(i)) for i in items]
    inside = base + step
    magic_comma = isinstance(items[-1].comma, cst.Comma)  # `f(a, b,)`: Ruff puts one item a line
    if indent + len(inside) + len(", ".join(texts)) <= limit and not magic_comma and not one_a_line:
        new_items = [
            _bare(i).with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            if n < len(items) - 1
            else _bare(i)
            for n, i in enumerate(items)
        ]
        return _with_items(node, new_items, inside, base, trailing=False)
    new_items = [_split_item(_bare(i), indent, inside, step, limit) for i in items]
    return _with_items(node, new_items, inside, base, trailing=True)


def _bare_generator(items: Sequence[_Item]) -> bool:
    """`f(x for x in y)`: the generator takes no trailing comma, nor a line of its own."""
    return any(isinstance(getattr(i, "value", None), cst.GeneratorExp) and not i.value.lpar for i in items)


def _split_item(item: _Item, indent: int, inside: str, step: str, limit: int) -> _Item:
    """`item` (on a line of its own at `inside`, with a comma after it) with its value split when that
    line is too long and the value is a call, dict, list or set."""
    value = getattr(item, "value", None)
    if (
        indent + len(inside) + len(_code(item)) + 1 > limit
        and isinstance(value, (cst.Call, cst.Dict, cst.List, cst.Set))
        and not value.lpar
    ):
        return item.with_changes(value=_split(value, indent, inside, step, limit))
    return item


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
