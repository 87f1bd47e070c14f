"""The function each node of a module is in, for name matching that must respect Python's scopes.

checks/keptkeys.py ties a key read to the calls that use the name it is stored under. Matched by
spelling alone, `api_key = api_key or os.environ["OPENAI_API_KEY"]` in one function was tied to
`Mistral(api_key=api_key)` in another (FastChat's serve/api_provider.py, a stream helper per API):
the read kept its name for a consumer it never reaches, and the migrated helper then raised KeyError
without OPENAI_API_KEY. A name assigned inside a function (and not declared `global`/`nonlocal`
there) is that function's: only code in it, or in a function nested in it, sees it.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set

import libcst as cst


class FunctionScopes:
    """`function_of(node)`, `local_to(stmt, name)` and `sees(function, node)` over one module (one walk, on
    the first question)."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._in: Optional[Dict[int, Optional[cst.FunctionDef]]] = None
        self._outer: Dict[int, Optional[cst.FunctionDef]] = {}
        self._declared: Dict[int, Set[str]] = {}  # id(function) -> names it declares global or nonlocal

    def _walk(self) -> Dict[int, Optional[cst.FunctionDef]]:
        if self._in is None:
            found: Dict[int, Optional[cst.FunctionDef]] = {}
            stack: List[cst.FunctionDef] = []
            outer, declared = self._outer, self._declared

            class Walk(cst.CSTVisitor):
                def on_visit(self, node: cst.CSTNode) -> bool:
                    found[id(node)] = stack[-1] if stack else None
                    if isinstance(node, cst.FunctionDef):
                        outer[id(node)] = stack[-1] if stack else None
                        stack.append(node)
                    elif isinstance(node, (cst.Global, cst.Nonlocal)) and stack:
                        declared.setdefault(id(stack[-1]), set()).update(n.name.value for n in node.names)
                    return True

                def on_leave(self, original_node: cst.CSTNode) -> None:
                    if isinstance(original_node, cst.FunctionDef):
                        stack.pop()

            self.module.visit(Walk())
            self._in = found
        return self._in

    def function_of(self, node: cst.CSTNode) -> Optional[cst.FunctionDef]:
        return self._walk().get(id(node))

    def local_to(self, stmt: Optional[cst.CSTNode], name: str) -> Optional[cst.FunctionDef]:
        """The function whose local variable `name` is, as statement `stmt` binds it (an assignment to the plain
        name, or a parameter of the function `stmt` is); None: module level, an attribute, or declared global."""
        if isinstance(stmt, cst.FunctionDef):
            func: Optional[cst.FunctionDef] = stmt
        elif isinstance(stmt, cst.SimpleStatementLine) and _assigns_name(stmt, name):
            func = self.function_of(stmt)
        else:
            return None
        if func is None or name in self._declared.get(id(func), set()):
            return None
        return func

    def sees(self, func: cst.FunctionDef, node: cst.CSTNode) -> bool:
        """Whether code at `node` is inside `func` (or a function nested in it), so sees its local names."""
        walk = self._walk()
        current = walk.get(id(node))
        if id(node) not in walk:
            return True  # (a node of another tree: no answer, so a match)
        while current is not None:
            if current is func:
                return True
            current = self._outer.get(id(current))
        return False


def _assigns_name(stmt: cst.SimpleStatementLine, name: str) -> bool:
    def plain(t: cst.BaseExpression) -> bool:
        if isinstance(t, cst.Name):
            return t.value == name
        if isinstance(t, (cst.Tuple, cst.List)):
            return any(plain(el.value) for el in t.elements)
        return False

    for small in stmt.body:
        if isinstance(small, cst.Assign) and any(plain(t.target) for t in small.targets):
            return True
        if isinstance(small, (cst.AnnAssign, cst.AugAssign)) and plain(small.target):
            return True
    return False
