"""The requests a catalogue framework class makes in its own methods, for a subclass that builds their client.

haystack's `AzureOpenAIGenerator(OpenAIGenerator)` sets `self.client = AzureOpenAI(...)` and `self.model` in its own
`__init__`; its requests are the parent's `run`: `self.client.chat.completions.create(model=self.model, ...)`, in
the library or another module of the project, which the file's analysis does not follow. rules/wrappers.toml
`self-requests` names the attributes the parent sends through. When every value the subclass gives `self.<model>`
is a literal, those literals are the client's requests' models (`ModelLiteral.inherited`): mapped with the client's
move (check offers them), and no "pass model= on its calls" TODO. A value the file cannot see keeps the TODO.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from offramp.analysis.clients import ClientResolver
from offramp.analysis.facts import ClientCtor
from offramp.analysis.flow import ClassCtx
from offramp.analysis.values import string_value
from offramp.wrappers import load_wrappers


def inherited_models(r: ClientResolver, call: cst.Call, ctor: ClientCtor, cls: ClassCtx) -> None:
    """Mark the literals of `self.<model>` in `cls` as the models of `ctor`'s requests, when `cls` subclasses a
    catalogue class with `self-requests` and builds `ctor` as its `self.<client>`."""
    attrs = _self_requests(r, cls)
    if cls is None or attrs is None:
        return
    client_attr, model_attr = attrs
    assigned = r.c.self_attrs  # (the values given to `self.<attr>` in the class's methods, and to class attributes)
    if not any(value is call for value in assigned.get((id(cls), client_attr), [])):
        return
    found: List[Tuple[cst.CSTNode, str]] = []
    for expr in assigned.get((id(cls), model_attr), []):
        for node, _ in r.values_of(expr, cls):
            if isinstance(node, cst.Param) and node.default is not None and string_value(node.default) is not None:
                continue  # (its literal default is a value of its own; a caller's is the caller's: as calls.py says)
            value = string_value(node) if isinstance(node, cst.BaseExpression) else None
            if value is None:
                return  # (a value the file cannot see: the client's TODO stays)
            if value.strip():
                found.append((node, value))
    for node, value in found:
        lit = r.model_literal(node, value, "model", ctor.azure)
        lit.owner = lit.owner or ctor
        lit.inherited = True


def _self_requests(r: ClientResolver, cls: ClassCtx) -> Optional[Tuple[str, str]]:
    if cls is None:
        return None
    wrappers = load_wrappers()
    for base in cls.bases:
        for q in r.qnames(base.value):
            spec = wrappers.get(q)
            if spec is not None and spec.self_requests is not None:
                return spec.self_requests
    return None
