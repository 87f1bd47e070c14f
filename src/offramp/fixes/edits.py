"""Node builders for the codemods: new literals in the file's own quote style, keyword-argument edits.

Every edit is made on LibCST nodes so formatting, comments and unrelated code survive
byte-for-byte; these helpers keep the surrounding punctuation (commas, line breaks) in the
style the call already uses.
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Sequence

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
            return a.comma
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


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
    new = cst.Arg(keyword=cst.Name(name), value=value, equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
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
