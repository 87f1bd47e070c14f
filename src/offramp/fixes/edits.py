"""Node builders for the codemods: new literals in the file's own quote style, keyword-argument edits.

Every edit is made on LibCST nodes so formatting, comments and unrelated code survive
byte-for-byte; these helpers keep the surrounding punctuation (commas, line breaks) in the
style the call already uses.
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Tuple

import libcst as cst


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
    return cst.SimpleString(f"{prefix}{quote}{body}{quote}")


def env_read(name: str, quote: str = '"', module: str = "os") -> cst.BaseExpression:
    return cst.parse_expression(f"{module}.environ[{quote}{name}{quote}]")


def _default_comma(args: Sequence[cst.Arg]) -> cst.Comma:
    for a in args:
        if isinstance(a.comma, cst.Comma):
            return without_comment(a.comma)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def without_comment(comma: cst.Comma) -> cst.Comma:
    """A copy of a separator for new items: its layout, never a neighbour's trailing comment."""
    ws = comma.whitespace_after
    if isinstance(ws, cst.ParenthesizedWhitespace) and ws.first_line.comment is not None:
        first = ws.first_line.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
        return comma.with_changes(whitespace_after=ws.with_changes(first_line=first))
    return comma


def kwarg_index(args: Sequence[cst.Arg], name: str) -> int:
    for i, a in enumerate(args):
        if a.keyword is not None and a.keyword.value == name:
            return i
    return -1


def set_kwarg(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """Replace `name=`'s value, or insert `name=value` before the other arguments."""
    args = list(call.args)
    i = kwarg_index(args, name)
    if i >= 0:
        args[i] = args[i].with_changes(value=value)
        return call.with_changes(args=args)
    new = cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    # keyword args must follow positional ones
    pos = 0
    while pos < len(args) and args[pos].keyword is None and not args[pos].star:
        pos += 1
    if args:
        new = new.with_changes(comma=_default_comma(args))
        args.insert(pos, new)
        if pos == len(args) - 1:  # appended last: the previous one needs a comma, this one keeps none
            args[pos - 1] = args[pos - 1].with_changes(comma=_default_comma(args))
            args[pos] = args[pos].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    else:
        args = [new]
    return call.with_changes(args=args)


def retarget_args(call: cst.Call, drop: Iterable[str], values: Sequence[Tuple[str, cst.BaseExpression]]) -> cst.Call:
    """Drop some keyword arguments and set others, in the call's own layout.

    Existing keywords keep their place and punctuation; new ones go before them (after any
    positional arguments) using the separator the call already uses between arguments, and
    the last argument keeps the original trailing comma (or its absence), so a call written
    one-argument-per-line stays that way.
    """
    drop = set(drop)
    orig = list(call.args)
    sep = _default_comma(orig[:-1]) if len(orig) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    trailing = orig[-1].comma if orig else cst.MaybeSentinel.DEFAULT
    if (
        len(orig) == 1
        and isinstance(trailing, cst.Comma)
        and isinstance(trailing.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        sep = without_comment(trailing)
    kept = [a for a in orig if not (a.keyword is not None and a.keyword.value in drop)]
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
    args = kept[:pos] + new + kept[pos:]
    needs_sep = {id(a) for a in new}
    if kept:
        needs_sep.add(id(kept[-1]))  # it may no longer be last
    for i, a in enumerate(args):
        if i == len(args) - 1:
            args[i] = a.with_changes(comma=trailing)
        elif id(a) in needs_sep or not isinstance(a.comma, cst.Comma):
            args[i] = a.with_changes(comma=sep)
    return call.with_changes(args=args)


def retarget_dict(node: cst.Dict, drop: Iterable[str], values: Sequence[Tuple[str, cst.BaseExpression]]) -> cst.Dict:
    """The dict-literal twin of retarget_args: drop some string keys, set others, keep the layout."""
    from offramp.analysis.values import string_value

    drop = set(drop)
    orig = list(node.elements)

    def key_of(el: cst.BaseDictElement) -> Optional[str]:
        return string_value(el.key) if isinstance(el, cst.DictElement) else None

    commas = [el.comma for el in orig[:-1] if isinstance(el.comma, cst.Comma)]
    sep = without_comment(commas[0]) if commas else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    trailing = orig[-1].comma if orig else cst.MaybeSentinel.DEFAULT
    kept = [el for el in orig if key_of(el) not in drop]
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
    elements = new + kept
    needs_sep = {id(el) for el in new}
    if kept:
        needs_sep.add(id(kept[-1]))
    for i, el in enumerate(elements):
        if i == len(elements) - 1:
            elements[i] = el.with_changes(comma=trailing)
        elif id(el) in needs_sep or not isinstance(el.comma, cst.Comma):
            elements[i] = el.with_changes(comma=sep)
    return node.with_changes(elements=elements)


def drop_kwargs(call: cst.Call, names: Iterable[str]) -> cst.Call:
    """Remove keyword arguments, keeping the call's trailing-comma style."""
    names = set(names)
    args = list(call.args)
    kept = [a for a in args if not (a.keyword is not None and a.keyword.value in names)]
    if len(kept) == len(args):
        return call
    if kept and args:
        kept[-1] = kept[-1].with_changes(comma=args[-1].comma)
    return call.with_changes(args=kept)


def rename_kwarg(call: cst.Call, old: str, new: str) -> cst.Call:
    args = list(call.args)
    if kwarg_index(args, new) >= 0:
        return call
    i = kwarg_index(args, old)
    if i < 0:
        return call
    args[i] = args[i].with_changes(keyword=cst.Name(new))
    return call.with_changes(args=args)


def todo_lines(existing: Sequence[cst.EmptyLine], texts: List[str]) -> List[cst.EmptyLine]:
    """Leading comment lines with each TODO added once (a second fix run adds nothing)."""
    have = {line.comment.value for line in existing if line.comment is not None}
    out = list(existing)
    for text in texts:
        comment = f"# TODO[offramp]: {text}"
        if comment not in have:
            out.append(cst.EmptyLine(indent=True, comment=cst.Comment(comment)))
            have.add(comment)
    return out
