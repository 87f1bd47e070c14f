"""What a semantic gap is (`Gap`), and the call and result readers its rules share.

A gap is one difference between what a call asks for and what the provider does with it: the
finding's text and, where a correct rewrite exists, the edit of the call (and of the reads of
its result that go with it), else the TODO `fix` writes. checks/semantics.py, responses.py and
structured.py build gaps; fixes/semantics.py applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import libcst as cst

from offramp.analysis.values import string_value
from offramp.syntax.arguments import kwarg_index
from offramp.syntax.tree import parents_of

CallEdit = Callable[[cst.Call], cst.Call]


@dataclass
class Gap:
    """One difference between what a call asks for and what the provider does with it."""

    code: str
    text: str  # the finding: what differs, in the provider's words, with source
    todo: str = ""  # the TODO fix writes when there is no edit
    edit: Optional[CallEdit] = None  # the rewrite of the call node (None: a TODO)
    imports: Tuple[Tuple[str, Optional[str]], ...] = ()
    note: str = ""  # what fix says it did
    node: Optional[cst.CSTNode] = None  # reported here instead of the call (a rebuilt assistant message)
    # Edits of other nodes that go with the call's (`resp.output_text` -> `resp.choices[0].message.content`)
    others: Tuple[Tuple[cst.CSTNode, Callable[[cst.CSTNode], cst.CSTNode]], ...] = ()


def kwarg(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    i = kwarg_index(call.args, name)
    return call.args[i].value if i >= 0 else None


def dict_get(node: cst.BaseExpression, key: str) -> Optional[cst.BaseExpression]:
    if not isinstance(node, cst.Dict):
        return None
    for el in node.elements:
        if isinstance(el, cst.DictElement) and string_value(el.key) == key:
            return el.value
    return None


_PARENTS: List[Tuple[cst.Module, dict]] = []


def parents_for(module: cst.Module) -> dict:
    """The module's parent map, kept for the next Responses call of the same module (one walk per file)."""
    if not _PARENTS or _PARENTS[0][0] is not module:
        _PARENTS[:] = [(module, parents_of(module))]
    return _PARENTS[0][1]


def result_reads(call: cst.Call, parents, read) -> Optional[List[cst.Attribute]]:
    """The reads `read` accepts of the call's result when that is all the code reads of it: on the call
    itself (`create(...).output_text`) or on the one name it is assigned to in its scope; None otherwise."""
    expr: cst.CSTNode = call
    parent = parents.get(id(call))
    if isinstance(parent, cst.Await):  # `r = await client.responses.create(...)`
        expr, parent = parent, parents.get(id(parent))
    direct = read(expr, parents)
    if direct is not None:
        return [direct]
    if not (
        isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name)
    ):
        return None
    name = parent.targets[0].target.value
    scope = parent
    while scope is not None and not isinstance(scope, (cst.FunctionDef, cst.Module)):
        scope = parents.get(id(scope))
    if scope is None:
        return None
    uses: List[cst.Attribute] = []
    other = [False]

    class V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value != name or n is parent.targets[0].target:
                return
            up = parents.get(id(n))
            found = read(n, parents)
            if found is not None:
                uses.append(found)
            elif not (isinstance(up, cst.Attribute) and up.attr is n):
                other[0] = True

        def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
            return n is scope

    scope.visit(V())
    return None if other[0] or not uses else uses
