"""fastvisit.py: read-only visits see what LibCST's own visit shows them, without copying the tree."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import List, Tuple

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ScopeProvider

from offramp.fastvisit import fast_visits

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.py"))[::6]  # a sample across the fixture folders
# Node types whose LibCST walk branches (f-string format specs, `import *`), and other shapes.
EDGES = [
    "x = f'{a!r:>{w}}' f'{b}' t\n",
    "from m import *\nfrom n import (a as b, c)\nimport d.e as f\n",
    "@dec\nclass C(B, metaclass=M):\n    def m(self, /, a: int = 1, *args, k, **kw) -> R:\n"
    "        return lambda q: q\n",
    "match cmd:\n    case [a, *rest] if a:\n        pass\n    case {'k': v, **kw}:\n        pass\n",
    "async def f():\n    async with a as b:\n        await c\n    [x async for x in y if x]\n    global g\n",
    "try:\n    pass\nexcept* E as e:\n    raise X from e\nelse:\n    del a[1:2, ::3]\n",
]


class Log(cst.CSTVisitor):
    """Every callback LibCST makes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.log: List[Tuple[str, str, str]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.log.append(("visit", type(node).__name__, ""))
        return not isinstance(node, cst.Lambda)  # children of a lambda are skipped

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.log.append(("leave", type(original_node).__name__, ""))

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.log.append(("visit_attr", type(node).__name__, attribute))

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.log.append(("leave_attr", type(original_node).__name__, attribute))


class Typed(cst.CSTVisitor):
    """CSTVisitor's own dispatch: `visit_<Type>` (False stops), `leave_<Type>`, field hooks."""

    def __init__(self) -> None:
        super().__init__()
        self.log: List[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.log.append(f"def {node.name.value}")
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.log.append(node.value)

    def leave_Call(self, original_node: cst.Call) -> None:
        self.log.append("call")

    def visit_ClassDef_bases(self, node: cst.ClassDef) -> None:
        self.log.append("bases")

    def leave_ClassDef_bases(self, node: cst.ClassDef) -> None:
        self.log.append("/bases")


@functools.lru_cache(maxsize=1)
def _modules() -> List[cst.Module]:
    out = []
    for text in [p.read_text(encoding="utf-8") for p in SOURCES] + EDGES:
        try:
            out.append(cst.parse_module(text))
        except cst.ParserSyntaxError:  # (fixtures of files offramp cannot parse)
            continue
    assert len(out) > 40
    return out


@pytest.mark.parametrize("visitor", [Log, Typed])
def test_callbacks_are_libcsts(visitor: type) -> None:
    for module in _modules():
        theirs = visitor()
        module.visit(theirs)
        ours = visitor()
        with fast_visits():
            assert module.visit(ours) is module
        assert ours.log == theirs.log


def _scopes(module: cst.Module) -> list:
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    out = []
    for node, scope in scopes.items():
        if scope is None:
            out.append((type(node).__name__, None))
            continue
        names = sorted(
            (name, len(a.references), type(a.node).__name__, getattr(a, "_index", None))
            for name, al in scope._assignments.items()
            for a in al
        )
        counted = getattr(scope, "_assignment_count", None)  # (fastvisit answers ScopeVisitor.on_leave itself)
        out.append((type(node).__name__, type(scope).__name__, names, len(list(scope.accesses)), counted))
    return out


def test_scope_analysis_is_libcsts() -> None:
    """ScopeProvider (which calls `child.visit(self)` itself, with new visitors too) finds the same."""
    for module in _modules():
        want = _scopes(module)
        with fast_visits():
            assert _scopes(module) == want


def test_no_copies_and_transformers_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    module = cst.parse_module("def f(a):\n    return g(a, b=1)\n" * 20)
    copies = []
    original = cst.Call._visit_and_replace_children

    def counted(self: cst.Call, visitor: cst.CSTVisitor) -> cst.CSTNode:
        copies.append(self)
        return original(self, visitor)

    monkeypatch.setattr(cst.Call, "_visit_and_replace_children", counted)
    module.visit(Log())
    assert len(copies) == 20  # LibCST's own walk copies each call once
    copies.clear()
    with fast_visits():
        module.visit(Log())
        assert len(copies) <= 1  # the first node of a type is walked by LibCST to learn its fields

        class Rename(cst.CSTTransformer):
            def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
                return updated_node.with_changes(value=updated_node.value.upper())

        assert module.visit(Rename()).code == module.code.replace("f(a)", "F(A)").replace("g(a, b=1)", "G(A, B=1)")


def test_restored_after_the_block() -> None:
    before = cst.CSTNode.visit
    with pytest.raises(ValueError), fast_visits():
        with fast_visits():
            assert cst.CSTNode.visit is not before
        assert cst.CSTNode.visit is not before  # still inside the outer block
        raise ValueError
    assert cst.CSTNode.visit is before


def test_a_visitor_class_and_what_it_holds_are_freed() -> None:
    """A visitor class local to a function (a new class per call, its closure holding nodes of the
    tree it searched) is freed once nothing uses it: kept by the walk's cache of visitor classes,
    every such class lived as long as the process (fix on a generated 5k-line module held ~50 MB
    more when it parsed the rewrite)."""
    import gc
    import weakref

    def search(module: cst.Module, wanted: cst.CSTNode) -> Tuple[bool, weakref.ref]:
        found = []

        class Find(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                if node is wanted:
                    found.append(node)
                return True

        module.visit(Find())
        return bool(found), weakref.ref(Find)

    module = cst.parse_module("x = f(a)\n")
    with fast_visits():
        hit, cls = search(module, module.body[0])
    assert hit
    gc.collect()
    assert cls() is None
