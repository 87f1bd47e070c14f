"""Library calls that rebuild a wrapper from the configuration the library stored with it (rules/wrappers.toml
[[reopener]]).

A chroma collection keeps its embedding function's configuration. `client.get_collection("docs")` without
`embedding_function=` rebuilds OpenAIEmbeddingFunction from it: its stored api_base with the key variable it
stored, which is OPENAI_API_KEY whenever that is set (chromadb 1.5.9). Measured on the recorded run of
tests/fixtures/frameworks/chroma_app.py: a migrated program's reopened collection sent `Bearer sk-old` (the
OpenAI key) to DashScope. The call is found here with the one embedding function of the program the call can
see by name, which `fix` passes it; with none (or several) `fix` leaves a TODO.
"""

from __future__ import annotations

from typing import Dict, List, Set, cast

import libcst as cst
from libcst.metadata import Assignment, GlobalScope, ScopeProvider

from offramp.analysis.clients import ClientResolver
from offramp.analysis.facts import Reopen
from offramp.analysis.flow import ClassCtx
from offramp.wrappers import ReopenerSpec, load_reopeners, load_wrappers


def reopens(r: ClientResolver) -> List[Reopen]:
    """The file's reopening calls of a library whose wrapper the file builds (`r.ctors` complete)."""
    out: List[Reopen] = []
    for spec in load_reopeners():
        ctors = [c for c in r.ctors.values() if c.wrapper is not None and c.wrapper.id in spec.wrappers]
        if not ctors:
            out += _hinted(r, spec)
            continue
        bound = _module_names(r, [c.node for c in ctors])
        family = ctors[0].family
        passed: Set[str] = set()
        found: List[cst.Call] = []
        for call, cls, _ in r.c.calls:
            func = call.func
            if not isinstance(func, cst.Attribute) or not _library_receiver(r, func.value, cls, spec):
                continue
            given = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == spec.arg), None)
            if func.attr.value in spec.pass_from and isinstance(given, cst.Name):
                passed.add(given.value)
            # (a second positional argument, `configuration=` or `*`/`**` may hand it over: not ours to judge)
            positional = [a for a in call.args if a.keyword is None]
            keywords = {a.keyword.value for a in call.args if a.keyword is not None}
            if (
                func.attr.value in spec.methods
                and given is None
                and len(positional) <= 1
                and not any(a.star for a in positional)
                and not keywords & set(spec.also_given_by)
            ):
                found.append(call)
        names = [n for n in bound if n in passed] if passed & set(bound) else list(bound)
        for call in found:
            name = names[0] if len(names) == 1 and _visible(r, call, bound[names[0]]) else None
            assert isinstance(call.func, cst.Attribute)
            method = call.func.attr.value
            out.append(Reopen(node=call, span=r.c.span(call), spec=spec, method=method, given=name, family=family))
    return out


def _hinted(r: ClientResolver, spec: ReopenerSpec) -> List[Reopen]:
    """The reopening calls the project's routes show in this file, which builds no function of its own
    (project/reopens.py): handed the name they give, or a TODO."""
    hints = getattr(r, "reopened", None) or {}
    if not hints:
        return []
    family = next(w.family for w in load_wrappers().values() if w.id in spec.wrappers)
    out: List[Reopen] = []
    for call, _cls, _ in r.c.calls:
        at = r.c.span(call)
        if (at.line, at.column) not in hints or not isinstance(call.func, cst.Attribute):
            continue
        method = call.func.attr.value
        if method in spec.methods:
            name = hints[(at.line, at.column)] or None
            out.append(Reopen(node=call, span=at, spec=spec, method=method, given=name, family=family))
    return out


def _module_names(r: ClientResolver, nodes: List[cst.CSTNode]) -> Dict[str, cst.Name]:
    """`embed = OpenAIEmbeddingFunction(...)` at module level, the name's only assignment: name -> its target."""
    out: Dict[str, cst.Name] = {}
    for node in nodes:
        stmt = r.a.statement_of.get(id(node))
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
        if not (isinstance(small, cst.Assign) and small.value is node and len(small.targets) == 1):
            continue
        target = small.targets[0].target
        scope = r.c.get_metadata(ScopeProvider, target, None) if isinstance(target, cst.Name) else None
        if isinstance(target, cst.Name) and isinstance(scope, GlobalScope) and len(scope[target.value]) == 1:
            out[target.value] = target
    return out


def _library_receiver(r: ClientResolver, receiver: cst.BaseExpression, cls: ClassCtx, spec: ReopenerSpec) -> bool:
    """The receiver is not known to be another library's object (`QdrantClient(...).get_collection`)."""
    for node, _ in r.values_of(receiver, cls):
        if isinstance(node, cst.Call):
            names = r.qnames(node.func)
            if names and not any(q.partition(".")[0] in spec.modules for q in names):
                return False
    return True


def _visible(r: ClientResolver, call: cst.Call, target: cst.Name) -> bool:
    """Whether the name, written at the call, is the module-level one (assigned before it, not shadowed)."""
    scope = r.c.get_metadata(ScopeProvider, call, None)
    if scope is None:
        return False
    if isinstance(scope, GlobalScope):
        return r.c.span(target).line < r.c.span(call).line
    try:
        found = {id(cast(Assignment, a).node) for a in scope[target.value]}  # (another kind raises: below)
    except Exception:  # (a scope libcst cannot resolve the name in)
        return False
    return found == {id(target)}
