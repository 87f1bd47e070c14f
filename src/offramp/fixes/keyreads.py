"""How a renamed key read is written so that it never hands the SDK None.

`OpenAI(api_key=None)` (a LangChain `ChatOpenAI(api_key=None)`, `openai.api_key = None` on the
v1 module client) reads `OPENAI_API_KEY` itself. So `os.getenv("OPENAI_API_KEY")` renamed to
`os.getenv("DASHSCOPE_API_KEY")` sends the OpenAI key to DashScope on every machine where the new
variable is not set yet but the old one still is (confirmed against the real SDK:
tests/runtime/test_key_fallback.py). A renamed read that may return None becomes:

* `os.environ["DASHSCOPE_API_KEY"]` when its value only ever goes into an SDK credential (a key
  argument, a config dict's key entry, `openai.api_key = ...`), directly or through a name
  (`KEY = os.getenv(...)`, `self.key = ...`) whose every use in the file is such a credential: a
  missing variable fails loudly, at the line that reads it, naming the variable.
* `os.getenv("DASHSCOPE_API_KEY", "")` otherwise: the value is also tested (`if not key:` keeps
  working), handed on, or read where a KeyError would break an import (a parameter default).
  `""` is never None, so the SDK never falls back; the provider answers 401 for an empty key
  instead of receiving the OpenAI one. A read that already had a default other than None keeps it.
"""

from __future__ import annotations

from typing import Callable, Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from offramp.analysis.facts import EnvAccess
from offramp.analysis.values import string_value
from offramp.syntax.arguments import string_like
from offramp.wrappers import load_config_dict_spec, load_wrappers

Edit = Callable[[cst.CSTNode], cst.CSTNode]


def may_be_none(e: EnvAccess) -> bool:
    """`os.getenv("X")`, `os.environ.get("X", None)`: the read returns None when X is unset; also where None is one
    branch of its default (khoj's `os.getenv("OPENAI_API_KEY", "placeholder" if base_url else None)`)."""
    if e.reader is None:
        return False
    return e.default is None or _may_be_none(e.default)


def _may_be_none(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Name):
        return value.value == "None"
    if isinstance(value, cst.IfExp):
        return _may_be_none(value.body) or _may_be_none(value.orelse)
    if isinstance(value, cst.BooleanOperation):
        return _may_be_none(value.right)
    return False


def credential_names() -> FrozenSet[str]:
    """Keyword arguments and dict keys that carry an SDK key: `api_key`, the wrappers' key arguments."""
    names = {"api_key"}
    for spec in load_wrappers().values():
        names.update(spec.key_args)
    names.update(load_config_dict_spec().key_keys)
    return frozenset(names)


class KeyReads:
    """Decides, for one file, whether a key read's value only ever feeds SDK credentials."""

    def __init__(self, module: cst.Module, parents: Dict[int, cst.CSTNode], credential_values: Set[int]) -> None:
        self.module = module
        self.parents = parents
        self.credential_values = credential_values  # ids of `openai.api_key = <value>` values
        self.names = credential_names()
        self._uses: Optional[Dict[Tuple[str, str], List[cst.CSTNode]]] = None

    def is_credential(self, node: cst.CSTNode) -> bool:
        """`node` is the whole value of a key argument, a key entry of a dict or `openai.api_key = ...`."""
        if id(node) in self.credential_values:
            return True
        parent = self.parents.get(id(node))
        if isinstance(parent, cst.Arg):
            return parent.value is node and parent.keyword is not None and parent.keyword.value in self.names
        if isinstance(parent, cst.DictElement):
            return parent.value is node and string_value(parent.key) in self.names
        return False

    def credential_only(self, call: cst.Call) -> bool:
        """The read's value goes into SDK credentials and nowhere else (see the module docstring)."""
        if self.is_credential(call):
            return True
        parent = self.parents.get(id(call))
        target: Optional[cst.BaseExpression] = None
        if isinstance(parent, cst.Assign) and parent.value is call and len(parent.targets) == 1:
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign) and parent.value is call:
            target = parent.target
        if isinstance(target, cst.Name):
            key = ("name", target.value)
        elif isinstance(target, cst.Attribute):
            key = ("attr", target.attr.value)  # `self.key`: every `x.key`
        else:
            return False
        uses = [n for n in self.uses().get(key, []) if n is not target]
        return bool(uses) and all(self.is_credential(n) for n in uses)

    def uses(self) -> Dict[Tuple[str, str], List[cst.CSTNode]]:
        """Every name and every `x.attr` in the file, by spelling (a doubt reads as one more use), but
        keyword-argument and parameter names, which are not reads of a variable."""
        if self._uses is None:
            found: Dict[Tuple[str, str], List[cst.CSTNode]] = {}

            class V(cst.CSTVisitor):
                def visit_Name(self, node: cst.Name) -> None:
                    found.setdefault(("name", node.value), []).append(node)

                def visit_Attribute(self, node: cst.Attribute) -> bool:
                    found.setdefault(("attr", node.attr.value), []).append(node)
                    node.value.visit(self)
                    return False

                def visit_Arg(self, node: cst.Arg) -> bool:
                    node.value.visit(self)  # `api_key=` names a parameter, not the variable `api_key`
                    return False

                def visit_Param(self, node: cst.Param) -> bool:
                    if node.default is not None:  # the parameter's own name binds another variable
                        node.default.visit(self)
                    return False

            self.module.visit(V())
            self._uses = found
        return self._uses


def strict_read(call: cst.Call) -> Tuple[Edit, bool]:
    """An edit turning `os.getenv("X")` / `os.environ.get("X")` / `environ.get("X")` into `<environ>["X"]`,
    and whether it needs `import os` (`getenv("X")` from `from os import getenv` becomes `os.environ["X"]`)."""
    func = call.func
    needs_os = False
    if isinstance(func, cst.Attribute) and func.attr.value == "get":
        mapping: cst.BaseExpression = func.value
    elif isinstance(func, cst.Attribute):
        mapping = cst.Attribute(value=func.value, attr=cst.Name("environ"))
    else:
        mapping, needs_os = cst.Attribute(value=cst.Name("os"), attr=cst.Name("environ")), True

    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return cst.Subscript(value=mapping, slice=[cst.SubscriptElement(slice=cst.Index(value=node.args[0].value))])

    return edit, needs_os


def empty_default() -> Edit:
    """An edit giving `os.getenv("X")` the default `""` (a None or key default becomes `""`)."""

    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        args = list(node.args)
        empty = string_like(args[0].value, "")
        for i, a in enumerate(args[1:], 1):
            if (a.keyword is None and i == 1) or (a.keyword is not None and a.keyword.value == "default"):
                args[i] = a.with_changes(value=empty)
                return node.with_changes(args=args)
        comma = args[0].comma
        args[0] = args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.insert(1, cst.Arg(value=empty, comma=comma))
        return node.with_changes(args=args)

    return edit
