"""Node builders: new literals in the file's own quote style, keyword-argument and dict-entry edits.

Every edit is made on LibCST nodes so formatting, comments and unrelated code survive
byte-for-byte; these helpers keep the surrounding punctuation (commas, line breaks) in the
style the call already uses. Both sides use them: a check builds the edit its finding carries
(checks/semantics.py, responses.py, structured.py) and the fix planner builds its own, so they
live here rather than in either (tests/test_import_direction.py keeps checks off fixes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import libcst as cst

from offramp.analysis.values import string_value


def string_like(template: Optional[cst.CSTNode], value: str) -> cst.SimpleString:
    """A string literal holding `value`, quoted like `template` (prefix and quote character)."""
    quote = '"'
    prefix = ""
    if isinstance(template, cst.ConcatenatedString):
        template = template.left
    if isinstance(template, cst.SimpleString):
        prefix = "".join(ch for ch in template.prefix if ch.lower() in "u")
        quote = template.quote if template.quote in ('"', "'") else template.quote[0]
    if quote in value and ('"' if quote == "'" else "'") not in value:
        quote = '"' if quote == "'" else "'"
    body = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
    # one-character quotes end at a line break (a triple-quoted template's value may hold one)
    body = "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in body)
    return cst.SimpleString(f"{prefix}{quote}{body}{quote}")


def env_read(name: str, quote: str = '"', module: str = "os") -> cst.BaseExpression:
    return cst.parse_expression(f"{module}.environ[{quote}{name}{quote}]")


# -- layout of a bracketed list (call arguments, dict entries) ---------------------------------
# LibCST keeps the whitespace between items on the items themselves: each item's `comma` owns
# what follows it, the call's `whitespace_before_args` (a dict's `lbrace.whitespace_after`) owns
# what follows the opening bracket, and the last argument owns what precedes the closing one.
# New items copy the call's own separator - the first comma between two existing items or, when
# there is none, the break after the opening bracket - and never its comments or blank lines.


def _line_break(ws: cst.ParenthesizedWhitespace, extra: str = "") -> cst.ParenthesizedWhitespace:
    """A bare line break to `ws`'s indentation (plus `extra`): no comment, no blank or comment lines."""
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=ws.indent,
        last_line=cst.SimpleWhitespace(ws.last_line.value + extra),
    )


def without_comment(comma: cst.Comma) -> cst.Comma:
    """A copy of a separator for new items: its layout, never a neighbour's comment or blank lines."""
    ws = comma.whitespace_after
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return comma.with_changes(whitespace_after=_line_break(ws))
    return comma


def _breaks(ws: object) -> Optional[cst.ParenthesizedWhitespace]:
    return ws if isinstance(ws, cst.ParenthesizedWhitespace) else None


def _uncommented(ws: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """`ws` without the comment ending the line it breaks (that comment belonged to a dropped item)."""
    if isinstance(ws, cst.ParenthesizedWhitespace) and ws.first_line.comment is not None:
        return ws.with_changes(first_line=cst.TrailingWhitespace(newline=ws.first_line.newline))
    return ws


def _commented(ws: cst.ParenthesizedWhitespace, own: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """`ws` ending its line with `own`'s comment, followed by `own`'s comment lines and then its own."""
    return ws.with_changes(first_line=own.first_line, empty_lines=[*own.empty_lines, *ws.empty_lines])


def _single_line() -> cst.Comma:
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _separator(open_ws: cst.BaseParenthesizableWhitespace, items: Sequence[Any]) -> cst.Comma:
    """The separator the list already uses between items (see the comment above)."""
    for item in items[:-1]:
        if isinstance(item.comma, cst.Comma):
            return without_comment(item.comma)
    if isinstance(open_ws, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=_line_break(open_ws))  # one item, on its own line
    return _single_line()


def _indent_unit(ws: cst.ParenthesizedWhitespace) -> str:
    return "\t" if "\t" in ws.last_line.value else "    "


def _without(items: Sequence[Any], gone: Callable[[Any], bool], open_ws: Any) -> Tuple[List[Any], Any]:
    """`items` minus the `gone` ones, and the whitespace after the opening bracket.

    A dropped item takes the comment on its own line with it; the comment lines below it are
    about what follows, so they move up to the item before (or to the opening bracket).
    """
    kept: List[Any] = []
    for i, item in enumerate(items):
        if not gone(item):
            kept.append(item)
            continue
        lines = _breaks(item.comma.whitespace_after) if isinstance(item.comma, cst.Comma) else None
        if lines is None or not lines.empty_lines or i == len(items) - 1:
            continue  # a last item's comment lines are kept with the closing bracket (see _arrange)
        before = _breaks(kept[-1].comma.whitespace_after) if kept and isinstance(kept[-1].comma, cst.Comma) else None
        if not kept:
            before = _breaks(open_ws)
        if before is None:
            continue
        moved = before.with_changes(empty_lines=[*before.empty_lines, *lines.empty_lines])
        if kept:
            kept[-1] = kept[-1].with_changes(comma=kept[-1].comma.with_changes(whitespace_after=moved))
        else:
            open_ws = moved
    return kept, open_ws


@dataclass
class _Brackets:
    """A bracketed list being rearranged: its items and the whitespace inside the brackets."""

    items: List[Any]
    open_ws: cst.BaseParenthesizableWhitespace
    close_ws: Optional[cst.BaseParenthesizableWhitespace] = None  # a dict's; a call's is on its last argument


def _arrange(lst: _Brackets, orig: Sequence[Any], new: Sequence[Any], survivor: Any, is_call: bool) -> _Brackets:
    """Give `lst.items` (kept `orig` items plus `new` ones) commas and line breaks in `orig`'s layout.

    `survivor` is the item standing for `orig`'s last one, None when that was dropped. The last
    item gets the original trailing comma (or its absence) and what preceded the closing bracket;
    new items and a survivor that is no longer last get the list's separator. Comments stay with
    the item they followed; a dropped item's comment goes with it. An empty list broken over lines
    (`f(\\n)`) becomes one item per line, one level deeper than the closing bracket, with a
    trailing comma.
    """
    items, open_ws, close_ws = lst.items, lst.open_ws, lst.close_ws
    if not items:
        return lst
    fresh = {id(item) for item in new}
    empty: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace("")
    trailing: Union[cst.Comma, cst.MaybeSentinel]
    if orig:
        sep = _separator(open_ws, orig)
        trailing, tail = orig[-1].comma, (orig[-1].whitespace_after_arg if is_call else empty)
    elif isinstance(open_ws, cst.ParenthesizedWhitespace):
        inner = _line_break(open_ws, _indent_unit(open_ws))
        sep, trailing, tail = cst.Comma(whitespace_after=inner), cst.Comma(whitespace_after=_line_break(open_ws)), empty
        open_ws = open_ws.with_changes(last_line=inner.last_line)
    else:
        sep, trailing, tail = _single_line(), cst.MaybeSentinel.DEFAULT, empty
    trailing_ws = trailing.whitespace_after if isinstance(trailing, cst.Comma) else None
    out = []
    for i, item in enumerate(items):
        if i < len(items) - 1:
            if item is survivor:  # no longer last: a separator, and its comment stays on its line
                own = _breaks(trailing_ws) or _breaks(tail)
                now = _breaks(sep.whitespace_after)
                comma = sep.with_changes(whitespace_after=_commented(now, own)) if own and now else sep
                item = item.with_changes(comma=comma, **({"whitespace_after_arg": empty} if is_call else {}))
            elif id(item) in fresh or not isinstance(item.comma, cst.Comma):
                item = item.with_changes(comma=sep)
            out.append(item)
            continue
        if item is survivor:
            out.append(item)
            break
        # a new last item: the survivor is followed by new ones, or the last item was dropped
        if survivor is not None:  # its comments stayed with it
            end_ws = without_comment(trailing) if isinstance(trailing, cst.Comma) else trailing
            end_tail = _line_break(tail) if isinstance(tail, cst.ParenthesizedWhitespace) else tail
        else:  # the dropped item's comment went with it, comment lines before the bracket stay
            end_ws = (
                trailing.with_changes(whitespace_after=_uncommented(trailing.whitespace_after))
                if isinstance(trailing, cst.Comma)
                else trailing
            )
            end_tail = _uncommented(tail)
            close_ws = _uncommented(close_ws) if close_ws is not None else None
        own = (
            _breaks(item.comma.whitespace_after)
            if id(item) not in fresh and isinstance(item.comma, cst.Comma)
            else None
        )
        if own is not None and (own.first_line.comment is not None or own.empty_lines):
            # this item's own comment follows it to the end
            end_break = _breaks(end_ws.whitespace_after) if isinstance(end_ws, cst.Comma) else None
            if isinstance(end_ws, cst.Comma) and end_break is not None:
                end_ws = end_ws.with_changes(whitespace_after=_commented(end_break, own))
            elif isinstance(end_tail, cst.ParenthesizedWhitespace):
                end_tail = _commented(end_tail, own)
            elif isinstance(close_ws, cst.ParenthesizedWhitespace):
                close_ws = _commented(close_ws, own)
            elif is_call:
                end_tail = own.with_changes(last_line=cst.SimpleWhitespace(""))
            else:
                close_ws = own.with_changes(last_line=cst.SimpleWhitespace(""))
        changes: Dict[str, Any] = {"comma": end_ws}
        if is_call:
            changes["whitespace_after_arg"] = end_tail
        out.append(item.with_changes(**changes))
    at = [i for i, item in enumerate(items) if id(item) in fresh]
    return _Brackets(*_comment_lines_stay_put(out, at, open_ws), close_ws)


def _comment_lines_stay_put(items: List[Any], at: List[int], open_ws: Any) -> Tuple[List[Any], Any]:
    """Comment lines that stood right above an existing item stay right above it, below the new
    items inserted there (at indexes `at`)."""
    if not at or at[-1] == len(items) - 1:
        return items, open_ws
    first, last = at[0], at[-1]
    before = open_ws if first == 0 else items[first - 1].comma.whitespace_after
    after = items[last].comma.whitespace_after
    if not (isinstance(before, cst.ParenthesizedWhitespace) and before.empty_lines and _breaks(after)):
        return items, open_ws
    items = list(items)
    items[last] = items[last].with_changes(
        comma=items[last].comma.with_changes(
            whitespace_after=after.with_changes(empty_lines=[*before.empty_lines, *after.empty_lines])
        )
    )
    before = before.with_changes(empty_lines=[])
    if first == 0:
        return items, before
    items[first - 1] = items[first - 1].with_changes(comma=items[first - 1].comma.with_changes(whitespace_after=before))
    return items, open_ws


def kwarg_index(args: Sequence[cst.Arg], name: str) -> int:
    for i, a in enumerate(args):
        if a.keyword is not None and a.keyword.value == name:
            return i
    return -1


def retarget_args(call: cst.Call, drop: Iterable[str], values: Sequence[Tuple[str, cst.BaseExpression]]) -> cst.Call:
    """Drop some keyword arguments and set others, in the call's own layout.

    Existing keywords keep their place and punctuation; new ones go before them (after any
    positional arguments) using the separator the call already uses between arguments (or,
    for a single argument on its own line, that line's indentation), and the last argument
    keeps the original trailing comma (or its absence), so a call written one-argument-per-line,
    with a hanging indent or on one line stays that way.
    """
    drop = set(drop)
    orig = list(call.args)
    kept, open_ws = _without(
        orig, lambda a: a.keyword is not None and a.keyword.value in drop, call.whitespace_before_args
    )
    wanted = dict(values)
    present = set()
    for i, a in enumerate(kept):
        if a.keyword is not None and a.keyword.value in wanted:
            kept[i] = a.with_changes(value=wanted[a.keyword.value])
            present.add(a.keyword.value)
    new = [
        cst.Arg(
            keyword=cst.Name(k),
            value=v,
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
            ),
        )
        for k, v in values
        if k not in present
    ]
    pos = 0
    while pos < len(kept) and kept[pos].keyword is None and not kept[pos].star:
        pos += 1
    last_dropped = bool(orig) and orig[-1].keyword is not None and orig[-1].keyword.value in drop
    survivor = kept[-1] if kept and not last_dropped else None
    lst = _arrange(_Brackets(kept[:pos] + new + kept[pos:], open_ws), orig, new, survivor, True)
    return call.with_changes(args=lst.items, whitespace_before_args=lst.open_ws)


def as_keywords(args: Sequence[cst.Arg], names: Sequence[str]) -> List[cst.Arg]:
    """The leading positional arguments written as `name=value` (the names in order), the others as they are."""
    out = list(args)
    tight = cst.SimpleWhitespace("")
    for i, name in enumerate(names):
        if i < len(out) and out[i].keyword is None and not out[i].star:
            equal = cst.AssignEqual(whitespace_before=tight, whitespace_after=tight)
            out[i] = out[i].with_changes(keyword=cst.Name(name), equal=equal)
    return out


def retarget_dict(node: cst.Dict, drop: Iterable[str], values: Sequence[Tuple[str, cst.BaseExpression]]) -> cst.Dict:
    """The dict-literal twin of retarget_args: drop some string keys, set others, keep the layout."""
    drop = set(drop)
    orig = list(node.elements)

    def key_of(el: cst.BaseDictElement) -> Optional[str]:
        return string_value(el.key) if isinstance(el, cst.DictElement) else None

    kept, open_ws = _without(orig, lambda el: key_of(el) in drop, node.lbrace.whitespace_after)
    wanted = dict(values)
    present = set()
    for i, el in enumerate(kept):
        k = key_of(el)
        if k in wanted and isinstance(el, cst.DictElement):
            kept[i] = el.with_changes(value=wanted[k])
            present.add(k)
    template = next(
        (el.key for el in orig if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString)), None
    )
    new = [
        cst.DictElement(
            key=string_like(template, k),
            value=v,
            whitespace_before_colon=cst.SimpleWhitespace(""),
            whitespace_after_colon=cst.SimpleWhitespace(" "),
        )
        for k, v in values
        if k not in present
    ]
    survivor = kept[-1] if kept and key_of(orig[-1]) not in drop else None
    lst = _arrange(_Brackets(new + kept, open_ws, node.rbrace.whitespace_before), orig, new, survivor, False)
    return node.with_changes(
        elements=lst.items,
        lbrace=node.lbrace.with_changes(whitespace_after=lst.open_ws),
        rbrace=node.rbrace.with_changes(whitespace_before=lst.close_ws),
    )


def rename_kwarg(call: cst.Call, old: str, new: str) -> cst.Call:
    args = list(call.args)
    if kwarg_index(args, new) >= 0:
        return call
    i = kwarg_index(args, old)
    if i < 0:
        return call
    args[i] = args[i].with_changes(keyword=cst.Name(new))
    return call.with_changes(args=args)
