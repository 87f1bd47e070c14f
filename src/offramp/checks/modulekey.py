"""A module-level client whose key is its caller's: `def construct_ui(api_key): openai.api_key = api_key`.

The project's routes judge the module client's key where a request of a model family goes through it
(project/gate.py). A file whose module client has no such request (its requests are made elsewhere, or
have no model: `openai.models.list()`) has no route, so nothing shows what its callers pass; moved beside
it, the provider's URL would receive whatever key that is, most likely the OpenAI key the parameter was
documented for (camel's apps/agents, whose `--api-key` is "OpenAI API key"). Both `check` (OFR103 not
fixable) and `fix` (a TODO) hold such a module client where it is.
"""

from __future__ import annotations

from typing import List, Optional, Set

import libcst as cst

from offramp.analysis.facts import Analysis
from offramp.project.index import route_families


def caller_key(a: Analysis) -> Optional[str]:
    """The parameter a key assignment of the module client reads, when no route judges that client; else None."""
    families = route_families()
    if any(c.via in ("module", "v0") and c.family in families for c in a.calls):
        return None
    keyed = {id(m.node): m for m in a.module_assigns if m.role == "key" and m.hardcoded_key is None}
    if not keyed:
        return None
    found: List[str] = []

    class _Params(cst.CSTVisitor):
        def __init__(self) -> None:
            self.stack: List[Set[str]] = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            p = node.params
            self.stack.append({x.name.value for x in (*p.posonly_params, *p.params, *p.kwonly_params)})

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            self.stack.pop()

        def visit_Assign(self, node: cst.Assign) -> None:
            m = keyed.get(id(node))
            if m is not None and self.stack:
                found.extend(sorted((_names(m.value) - {"self", "cls"}) & self.stack[-1]))

    a.module.visit(_Params())
    return found[0] if found else None


def _names(node: cst.CSTNode) -> Set[str]:
    """The variable names `node` reads (`conf.api_key` reads `conf`, not `api_key`)."""
    out: Set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            out.add(n.value)

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            n.value.visit(self)
            return False

    node.visit(_Collect())
    return out
