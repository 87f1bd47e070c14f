"""The edits the planner attaches to nodes: functions from the updated node to its replacement.

An edit is applied to the node as the transform has already rewritten it, so edits nested in one
another compose (a renamed key read inside a client constructor that is itself retargeted). These
build the small ones: a literal quoted like the one it replaces, a renamed keyword or import alias,
an assignment's new value, `value or "<provider URL>"`. Keyword-argument surgery that keeps the
call's punctuation is syntax/arguments.py's.
"""

from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from offramp.syntax.arguments import env_read, rename_kwarg, retarget_args, string_like
from offramp.syntax.tree import quote_of

Edit = Callable[[cst.CSTNode], cst.CSTNode]


def or_default(value: cst.BaseExpression, template: Optional[cst.SimpleString], url: str) -> cst.BaseExpression:
    """`value or "url"` (`value` a name, attribute or subscript: no parentheses needed)."""
    return cst.BooleanOperation(
        left=value,
        operator=cst.Or(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
        right=string_like(template, url),
    )


def renamed_alias(old: str, new: str) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        if isinstance(node, cst.ImportAlias) and node.evaluated_name == old:
            return node.with_changes(name=cst.Name(new))
        return node

    return edit


def also_imported(name: str) -> Edit:
    """`from openai import AzureOpenAI` -> `from openai import AzureOpenAI, OpenAI` (once)."""

    def edit(node: cst.CSTNode) -> cst.CSTNode:
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            return node
        if any(alias.evaluated_name == name and alias.asname is None for alias in node.names):
            return node
        names = list(node.names)
        last = names[-1]
        if not isinstance(last.comma, cst.Comma):  # `import AzureOpenAI` -> `import AzureOpenAI, OpenAI`
            last = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return node.with_changes(names=[*names[:-1], last, cst.ImportAlias(name=cst.Name(name))])
        # a trailing comma (one name per line in parentheses): the new name goes on a line of its own
        # as the ones before it do, and takes the trailing comma
        between: cst.BaseParenthesizableWhitespace = cst.SimpleWhitespace(" ")
        earlier = names[-2].comma if len(names) > 1 else None
        if isinstance(earlier, cst.Comma):
            between = earlier.whitespace_after
        elif node.lpar is not None:
            between = node.lpar.whitespace_after
        new_last = cst.ImportAlias(name=cst.Name(name), comma=last.comma)
        last = last.with_changes(comma=cst.Comma(whitespace_after=between))
        return node.with_changes(names=[*names[:-1], last, new_last])

    return edit


def plain_func(func: cst.BaseExpression, plain: str) -> cst.BaseExpression:
    """`AzureOpenAI` -> `OpenAI` (or `openai.OpenAI`); `openai.lib.azure.AzureOpenAI` -> `openai.OpenAI`."""
    if isinstance(func, cst.Name):
        return cst.parse_expression(plain) if "." in plain else cst.Name(plain)
    if isinstance(func, cst.Attribute):
        root: cst.BaseExpression = func
        while isinstance(root, cst.Attribute):
            root = root.value
        return cst.Attribute(value=root, attr=cst.Name(plain))
    return func


def to_string(value: str) -> Callable[[Optional[cst.CSTNode]], cst.SimpleString]:
    """A node builder: `value` as a string literal quoted like the node it replaces."""
    return lambda old: string_like(old, value)


def env_read_quoted_like(name: str) -> Callable[[cst.BaseExpression], cst.BaseExpression]:
    """A node builder: `os.environ["name"]`, quoted like the node it replaces."""
    return lambda old: env_read(name, quote_of(old))


def renamed_kwarg(old: str, new: str) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return rename_kwarg(node, old, new)

    return edit


def with_kwarg(name: str, value: cst.BaseExpression) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return retarget_args(node, (), [(name, value)])

    return edit


def assign_value(make: Callable[[cst.BaseExpression], cst.BaseExpression]) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Assign)
        return node.with_changes(value=make(node.value))

    return edit


def assign_attr_value(attr: str, make: Callable[[cst.BaseExpression], cst.BaseExpression]) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Assign)
        targets = []
        for t in node.targets:
            if isinstance(t.target, cst.Attribute):
                t = t.with_changes(target=t.target.with_changes(attr=cst.Name(attr)))
            targets.append(t)
        return node.with_changes(targets=targets, value=make(node.value))

    return edit
