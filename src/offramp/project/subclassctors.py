"""Constructions of the project's subclasses of framework classes, in a module other than the class's own.

`class Chat(ChatOpenAI): ...` in llm.py, `Chat(model="gpt-4o", api_key=os.getenv("OPENAI_API_KEY"))` in
app.py: app.py alone sees a call of a project class, so its per-file analysis reports nothing and its plan
moves nothing, while its key read was renamed (issue 16). Each such construction is a framework request site
of its own (project/routes.py builds its route as the base's). Where calling the subclass is calling its base
(no `__init__` / `__new__` in the project classes between them, no `**kwargs`, a base `fix` keeps), the route
gate hands the construction to its file's plan, which rewrites it as the base (Route.subclass_ctors);
otherwise the route is held (`held`): host, key and model stay, with a TODO at the construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Sequence, Tuple

from offramp.project.flow import Flow
from offramp.project.index import Expr, ModuleIndex, Site, last_name
from offramp.project.objects import ClassRef, Ctx
from offramp.wrappers import WrapperSpec

MAX_NESTING = 6  # calls inside calls searched for a construction (`Agent(llm=Chat(...))`)


@dataclass(frozen=True)
class SubclassCtor:
    module: ModuleIndex  # where it is built
    site: Site  # the construction, as a framework constructor site (kind "ctor")
    cls: str  # the project subclass
    base: str  # the framework class it derives from (a key of rules/wrappers.toml)
    held: str  # why fix leaves it as it is ("": it is the base's constructor as it is)


def _calls(e: Expr, depth: int = 0) -> Iterator[Tuple]:
    if not isinstance(e, tuple) or depth > MAX_NESTING:
        return
    if e[:1] == ("call",) and len(e) == 5:
        yield e
    for x in e:  # (a tuple of keyword pairs too: `dict(llm=Chat(...))`)
        if isinstance(x, tuple):
            yield from _calls(x, depth + 1)


def framework_subclass_ctors(
    flow: Flow, modules: Sequence[ModuleIndex], wrappers: Dict[str, WrapperSpec]
) -> List[SubclassCtor]:
    classes = {q for q, spec in wrappers.items() if not spec.function}
    found: Dict[Tuple[str, str], str] = {}  # (module, class) -> the framework class
    for m in modules:
        for name, info in m.classes.items():
            if info.bases and info.kind == "plain":
                q = flow.base_among(ClassRef(m.name, name), 0, classes)
                if q:
                    found[(m.name, name)] = q
    if not found:
        return []
    names = {n for _, n in found}
    out: List[SubclassCtor] = []
    seen = set()
    for m in modules:
        scoped: List[Tuple[str, Expr]] = [("", e) for es in m.bindings.values() for e in es]
        for key, f in m.functions.items():
            scoped += [(key, e) for es in f.locals.values() for e in es]
            scoped += [(key, e) for e in f.returns]
        scoped += [(s.scope, x) for s in m.sites for x in (*s.args, *(v for _, v in s.kwargs))]
        for scope, e in scoped:
            for call in _calls(e):
                if last_name(call[1]) not in names or (m.path, call[4]) in seen:
                    continue
                refs = [v for v in flow.values(Ctx(m.name, scope), call[1]) if isinstance(v, ClassRef)]
                ref = next((r for r in refs if (r.module, r.name) in found), None)
                if ref is None or ref.module == m.name:
                    continue  # (built in its own module: that file's analysis sees the class)
                seen.add((m.path, call[4]))
                base = found[(ref.module, ref.name)]
                site = Site("ctor", call[1], list(call[3]), call[4], scope, [a for a in call[2] if a[:1] != ("star",)])
                held = _held(flow, ref, base, wrappers[base], call)
                out.append(SubclassCtor(m, site, ref.name, base, held))
    return out


def _held(flow: Flow, ref: ClassRef, base: str, spec: WrapperSpec, call: Tuple) -> str:
    """Why calling `ref` is not calling its framework base with the same arguments ("" when it is)."""
    if spec.fix_class and spec.fix_class not in spec.names:
        plain = spec.fix_class.rpartition(".")[2]
        home = flow.module(ref.module)
        return (
            f"`{ref.name}` ({home.path if home is not None else ref.module}) is a subclass of "
            f"`{base.rpartition('.')[2]}`: its base would have to become `{plain}`"
        )
    if any(k == "**" for k, _ in call[3]) or any(a[:1] == ("star",) for a in call[2]):
        return f"`{ref.name}` is built from *args / **kwargs here"
    chain, visited = [ref], set()
    while chain:
        c = chain.pop()
        m = flow.module(c.module)
        if m is None or c in visited:
            continue
        visited.add(c)
        if any(f"{c.name}.{f}" in m.functions for f in ("__init__", "__new__")):
            return f"`{c.name}` has an `__init__` of its own, which decides what its arguments mean"
        for b in m.classes[c.name].bases if c.name in m.classes else ():
            head, _, rest = b.partition(".")
            chain += [v for v in flow.values(Ctx(m.name, ""), ("name", head)) if isinstance(v, ClassRef) and not rest]
    return ""
