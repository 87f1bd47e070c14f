"""Questions about a LibCST tree: parents, paths, subtrees, names a value is bound to.

Plain functions of nodes, no planner state: the fix planner asks them, and so do the checks that
build the edit a finding carries (checks/gaps.py). `parents_of` reads dataclass fields instead of LibCST's
`children` (which rebuilds each node with a visitor, ~10x slower), and the planner builds the parent
map once per file: a whole-tree walk per Azure client made `fix` quadratic (391 s on a generated
20k-line module).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, List, Optional, Tuple

import libcst as cst

from offramp.analysis.values import dotted_name
from offramp.source import derived


def path_between(parents: Dict[int, cst.CSTNode], root: cst.CSTNode, target: cst.CSTNode) -> List[cst.CSTNode]:
    """`root`, ..., `target`: the nodes from `root` down to `target` (empty when it is not below),
    from a map of every node's parent (`parents_of`)."""
    path = [target]
    while path[-1] is not root:
        parent = parents.get(id(path[-1]))
        if parent is None:
            return []
        path.append(parent)
    path.reverse()
    return path


def module_parents(module: cst.Module) -> Dict[int, cst.CSTNode]:
    """`parents_of(module)`, built once for the module `fix` plans (the planner, its key reads and
    the rewrite ask; `source.derived`), else once per call."""
    return derived(module, "parents", lambda: parents_of(module))


def parents_of(root: cst.CSTNode) -> Dict[int, cst.CSTNode]:
    """id(node) -> its parent, for every node below `root`."""
    parents: Dict[int, cst.CSTNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in children_of(node):
            parents[id(child)] = node
            stack.append(child)
    return parents


_FIELDS: Dict[type, Tuple[str, ...]] = {}


def children_of(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The nodes directly below `node`, in no particular order: its dataclass fields that hold nodes
    (LibCST's `children` property rebuilds the node with a visitor to find them, ~10x slower)."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    out: List[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out


def subtree(node: cst.CSTNode) -> List[cst.CSTNode]:
    """`node` and every node below it."""
    out: List[cst.CSTNode] = []

    class V(cst.CSTVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            out.append(n)
            return True

    node.visit(V())
    return out


def bound_names(stmt: Optional[cst.CSTNode], node: cst.CSTNode) -> List[str]:
    """The names `node` (inside statement `stmt`) is stored under: assignment targets (a name, an
    attribute's last part, tuple members, a subscript's container) or the parameter it is the default of."""
    out: List[str] = []

    def targets(t: cst.BaseExpression) -> None:
        if isinstance(t, cst.Name):
            out.append(t.value)
        elif isinstance(t, cst.Attribute):
            out.append(t.attr.value)
        elif isinstance(t, cst.Subscript):
            targets(t.value)
        elif isinstance(t, (cst.Tuple, cst.List)):
            for el in t.elements:
                targets(el.value)

    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for t in small.targets:
                    targets(t.target)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                targets(small.target)
    elif isinstance(stmt, cst.FunctionDef):
        params = stmt.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.default is not None and any(n is node for n in subtree(param.default)):
                out.append(param.name.value)
    return out


def quote_of(node: cst.CSTNode) -> str:
    s = first_string(node)
    return s.quote if s is not None and s.quote in ('"', "'") else '"'


def first_string(node: cst.CSTNode) -> Optional[cst.SimpleString]:
    found: List[cst.SimpleString] = []

    class V(cst.CSTVisitor):
        def visit_SimpleString(self, n: cst.SimpleString) -> bool:
            if not found:
                found.append(n)
            return False

    node.visit(V())
    return found[0] if found else None


def dotted(node: cst.BaseExpression) -> Optional[str]:
    return dotted_name(node)


def statement_around(node: cst.CSTNode, parents: Dict[int, cst.CSTNode]) -> Optional[cst.CSTNode]:
    """The statement `node` is part of (for a parameter's default: its `def`), the place for a TODO."""
    at: Optional[cst.CSTNode] = node
    while at is not None and not isinstance(at, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        at = parents.get(id(at))
    return at
