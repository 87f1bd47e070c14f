"""LibCST's read-only visits without LibCST's cost of a transform: `fast_visits()`.

`node.visit(visitor)` with a `CSTVisitor` (which cannot change the tree) still runs the code a
transformer needs: every node's `_visit_and_replace_children` builds a new copy of the node (and
validates it) only for `visit` to return the original, and the default dispatch formats and looks
up `visit_<Type>`, `leave_<Type>` and `visit_<Type>_<field>` / `leave_<Type>_<field>` for every
node and every field, most of them absent. Every LibCST walk offramp makes is such a visit: the
ScopeProvider and ExpressionContextProvider (which call `child.visit(self)` themselves), the
collector, the planner's and the rewrite's searches.

A visitor whose `on_visit` / `on_leave` do per node type what `visit_<Type>` / `leave_<Type>`
would (offramp's collector) may also say so: its `fast_callbacks(node_type)` returns the pair of
callables (or None) this walk calls instead, `visit` returning False where its children are skipped.

Within `fast_visits()`, `CSTNode.visit` with a `CSTVisitor` walks the same fields in the same
order and makes the same callbacks the visitor would see (`on_visit`, `on_visit_attribute`,
`on_leave_attribute`, `on_leave`), minus the ones the visitor provably ignores (CSTVisitor's own
lookups of methods it does not have), and copies nothing. The fields and their order come from
LibCST itself: the first node of each type is visited once by LibCST's own code with a recorder,
and the record is checked against the node's fields. A node type whose `_visit_and_replace_children`
branches, and a visitor with per-instance visit methods, are left to LibCST. Transformers are
always LibCST's.

Measured with bench/lines.py (CPU seconds, generated 5k-line SDK module): see bench/README.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import dis
import threading
import weakref
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple, Type

from libcst import CSTNode, CSTVisitor, MaybeSentinel
from libcst._typed_visitor import CSTTypedBaseFunctions, CSTTypedVisitorFunctions

_ORIGINAL_VISIT = CSTNode.visit
_DEFAULT_ON_VISIT = CSTVisitor.on_visit
_DEFAULT_ON_LEAVE = CSTVisitor.on_leave
_DEFAULT_ON_VISIT_ATTRIBUTE = CSTVisitor.on_visit_attribute
_DEFAULT_ON_LEAVE_ATTRIBUTE = CSTVisitor.on_leave_attribute

# node type -> the fields LibCST visits, in its order; None: LibCST visits this type itself
_FIELDS: Dict[type, Optional[Tuple[str, ...]]] = {}
# visitor class -> `_attribute_hooks`; weak, since many visitor classes are local to a function: a new
# class per call, each holding its closure (nodes of the tree it searched). Kept by a plain dict, every
# such class and all it referred to lived as long as the process (fix on the 5k-line module: ~50 MB
# still held when the rewrite was parsed).
_HOOKS: weakref.WeakKeyDictionary[type, Optional[FrozenSet[str]]] = weakref.WeakKeyDictionary()
_walks: Dict[int, _Walk] = {}  # id(visitor) -> its walk, while it lasts
_lock = threading.Lock()
_UNSEEN: Any = object()
_SCOPE_VISITOR: List[Tuple[Optional[type], Tuple[type, ...]]] = []  # `_scope_visitor()`, once asked
_active = 0


@contextlib.contextmanager
def fast_visits() -> Iterator[None]:
    """Within the block (on any thread: offramp runs one LibCST job at a time per process),
    read-only visits take the fast walk. Nested blocks are fine."""
    global _active
    with _lock:
        _active += 1
        if _active == 1:
            CSTNode.visit = _visit  # type: ignore[method-assign]
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                CSTNode.visit = _ORIGINAL_VISIT  # type: ignore[method-assign]


def _visit(self: CSTNode, visitor: Any) -> Any:
    if not isinstance(visitor, CSTVisitor):
        return _ORIGINAL_VISIT(self, visitor)
    walk = _walks.get(id(visitor))
    if walk is not None and walk.visitor is visitor:  # a visitor's `child.visit(self)` inside its own walk
        walk.node(self)
        return self
    walk = _Walk.of(visitor)
    if walk is None:
        return _ORIGINAL_VISIT(self, visitor)
    # Kept here while the walk lasts, not on the visitor: a reference from the visitor to its walk
    # would be a cycle, leaving the visitor and all it collected to the cyclic collector.
    _walks[id(visitor)] = walk
    try:
        walk.node(self)
    finally:
        del _walks[id(visitor)]
    return self


class _Walk:
    """One visitor's callbacks, resolved once per node type."""

    def __init__(self, visitor: CSTVisitor, attribute_hooks: Optional[FrozenSet[str]]) -> None:
        self.visitor = visitor
        cls = type(visitor)
        # A visitor's own per-type answer to its `on_visit` / `on_leave` (see `fast_callbacks`)
        self.own: Optional[Callable[[type], Tuple[Optional[Callable], Optional[Callable]]]] = getattr(
            visitor, "fast_callbacks", None
        )
        self.default_visit = cls.on_visit is _DEFAULT_ON_VISIT or self.own is not None
        self.default_leave = cls.on_leave is _DEFAULT_ON_LEAVE
        # node type names with a `visit_<Type>_<field>` / `leave_<Type>_<field>`; None: call always
        self.attribute_hooks = attribute_hooks
        self.types: Dict[type, Tuple[Optional[Callable], Optional[Callable], bool]] = {}

    @staticmethod
    def of(visitor: CSTVisitor) -> Optional[_Walk]:
        state = getattr(visitor, "__dict__", None)
        if state is None:
            return None
        if any(k.startswith(("visit_", "leave_", "on_")) for k in state):
            return None  # callbacks set on the instance: LibCST's lookups see them, ours would not
        cls = type(visitor)
        hooks = _HOOKS.get(cls, _UNSEEN)
        if hooks is _UNSEEN:
            hooks = _HOOKS[cls] = _attribute_hooks(cls)
        return _Walk(visitor, hooks)

    def _callbacks(self, kind: type) -> Tuple[Optional[Callable], Optional[Callable], bool]:
        entry = self.types.get(kind)
        if entry is None:
            name = kind.__name__
            v = self.visitor
            if self.own is not None:
                visit, leave = self.own(kind)
            else:
                visit = getattr(v, f"visit_{name}", None) if self.default_visit else v.on_visit
                leave = getattr(v, f"leave_{name}", None) if self.default_leave else _scope_leave(v, kind) or v.on_leave
            hooks = self.attribute_hooks
            entry = self.types[kind] = (
                None if self.default_visit and does_nothing(visit) else visit,  # (`visit_<Type>`: None is "go on")
                None if does_nothing(leave) else leave,
                hooks is None or name in hooks,
            )
        return entry

    def node(self, node: CSTNode) -> None:
        kind = type(node)
        visit, leave, attributes = self.types.get(kind) or self._callbacks(kind)
        if visit is None:
            descend = True
        elif self.default_visit:  # CSTVisitor.on_visit: unless `visit_<Type>` returns False itself
            descend = visit(node) is not False
        else:  # LibCST descends when `on_visit` returns anything true
            descend = bool(visit(node))
        if descend:
            fields = _FIELDS[kind] if kind in _FIELDS else _fields_of(node)
            if fields is None:
                node._visit_and_replace_children(self.visitor)  # LibCST's own walk (its children come back here)
            else:
                v = self.visitor
                for name in fields:
                    if attributes:
                        v.on_visit_attribute(node, name)
                    value = getattr(node, name)
                    kind = type(value)
                    if kind is tuple or kind is list:
                        for child in value:
                            self.node(child)
                    elif value is not None and kind is not MaybeSentinel:  # (a node: CSTNode's ABC check is slow)
                        self.node(value)
                    if attributes:
                        v.on_leave_attribute(node, name)
        if leave is not None:
            leave(node)


def _scope_leave(visitor: CSTVisitor, kind: type) -> Optional[Callable[[CSTNode], None]]:
    """LibCST's `ScopeVisitor.on_leave` for nodes of this type, its per-node questions answered once.

    It runs on every node of a module that imports the SDK: it records the node's scope, counts the
    node if it is an assignment (`isinstance` against a tuple of 13 node classes, each an ABC
    check: ~1.2M calls on a generated 5k-line module, 40% of the scope analysis), then looks up a
    `leave_<Type>` method. The type decides the last two, so they are asked once per type; the
    effects, and their order, are the same. None (LibCST's own method runs) for any other visitor,
    or when LibCST's method is not the one this copies (its names and constants are checked).
    """
    if type(visitor).__name__ != "ScopeVisitor":  # (LibCST's scope module is not imported for any other)
        return None
    if not _SCOPE_VISITOR:
        _SCOPE_VISITOR.append(_scope_visitor())
    cls, like = _SCOPE_VISITOR[0]
    if type(visitor) is not cls:
        return None
    assignment = issubclass(kind, like)  # isinstance(node, like) for a node of this type
    typed = getattr(visitor, f"leave_{kind.__name__}", None)  # CSTVisitor.on_leave's lookup
    if typed is not None and does_nothing(typed):
        typed = None
    record = visitor.provider.set_metadata  # type: ignore[attr-defined]

    def on_leave(node: CSTNode) -> None:
        record(node, visitor.scope)  # type: ignore[attr-defined]
        if assignment:
            visitor.scope._assignment_count += 1  # type: ignore[attr-defined]
        if typed is not None:
            typed(node)

    return on_leave


def _scope_visitor() -> Tuple[Optional[type], Tuple[type, ...]]:
    """LibCST's ScopeVisitor and the node types its `on_leave` counts, if that method is the one
    `_scope_leave` reproduces; else (None, ())."""
    try:
        from libcst.metadata import scope_provider  # lazy: probe of LibCST's private module, guarded

        cls = scope_provider.ScopeVisitor
        like = scope_provider._ASSIGNMENT_LIKE_NODES
        code = cls.on_leave.__code__
    except (ImportError, AttributeError):
        return None, ()
    expected = (
        "provider",
        "set_metadata",
        "scope",
        "isinstance",
        "_ASSIGNMENT_LIKE_NODES",
        "_assignment_count",
        "super",
        "on_leave",
    )
    if (
        code.co_names != expected
        or set(code.co_consts) != {None, 1}
        or code.co_varnames != ("self", "original_node")
        or cls.__mro__[1] is not CSTVisitor
        or CSTVisitor.on_leave is not _DEFAULT_ON_LEAVE
        or not isinstance(like, tuple)
        or not all(isinstance(t, type) for t in like)
    ):
        return None, ()
    return cls, like


def _attribute_hooks(cls: Type[CSTVisitor]) -> Optional[FrozenSet[str]]:
    """The node type names a visitor class has `visit_<Type>_<field>` / `leave_<Type>_<field>`
    methods for that do something (CSTVisitor's attribute callbacks call nothing else); None: it
    has attribute callbacks of its own, called around every field."""
    if cls.on_visit_attribute is _DEFAULT_ON_VISIT_ATTRIBUTE and cls.on_leave_attribute is _DEFAULT_ON_LEAVE_ATTRIBUTE:
        names = set()
        for klass in cls.__mro__:
            if klass in _TYPED_NO_OPS:
                continue
            for name, value in vars(klass).items():
                if name.startswith(("visit_", "leave_")) and name.count("_") >= 2 and not does_nothing(value):
                    names.add(name.split("_")[1])
        return frozenset(names)
    if does_nothing(cls.on_visit_attribute) and does_nothing(cls.on_leave_attribute):
        return frozenset()
    return None


# LibCST's typed visitor bases: a `visit_<Type>`, `leave_<Type>`, `visit_<Type>_<field>` and
# `leave_<Type>_<field>` for every node type and field, each a `pass` (what its dispatch finds when
# a visitor has no method of its own)
_TYPED_NO_OPS = (CSTTypedBaseFunctions, CSTTypedVisitorFunctions)
_EMPTY: Dict[Any, bool] = {}


def does_nothing(fn: Any) -> bool:
    """Whether `fn` is a plain function whose body is `pass` (or a docstring): calling it is a no-op."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return False
    empty = _EMPTY.get(code)
    if empty is None:
        ops = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP")]
        empty = _EMPTY[code] = ops in ([("LOAD_CONST", None), ("RETURN_VALUE", None)], [("RETURN_CONST", None)])
    return empty


class _Recorder(CSTVisitor):
    """Records the fields LibCST visits on one node, without going below it."""

    def __init__(self, node: CSTNode) -> None:
        super().__init__()
        self.of = node
        self.fields: List[str] = []
        self.faithful = True

    def on_visit(self, node: CSTNode) -> bool:
        value = getattr(self.of, self.fields[-1], None) if self.fields else None
        if not (value is node or (isinstance(value, (tuple, list)) and any(c is node for c in value))):
            self.faithful = False
        return False

    def on_leave(self, original_node: CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: CSTNode, attribute: str) -> None:
        if node is not self.of:
            self.faithful = False
        self.fields.append(attribute)

    def on_leave_attribute(self, original_node: CSTNode, attribute: str) -> None:
        pass


def _fields_of(node: CSTNode) -> Optional[Tuple[str, ...]]:
    """The fields LibCST's `_visit_and_replace_children` visits on nodes of this type, in order; None
    when that depends on the node (it branches) or the record does not match the node's fields."""
    kind = type(node)
    fields: Optional[Tuple[str, ...]] = None
    if not _branches(kind._visit_and_replace_children):
        recorder = _Recorder(node)
        node._visit_and_replace_children(recorder)  # its children come to _Walk, which stops at them
        names = tuple(recorder.fields)
        if recorder.faithful and len(set(names)) == len(names) and _covers(node, set(names)):
            fields = names
    _FIELDS[kind] = fields
    return fields


def _covers(node: CSTNode, names: set) -> bool:
    """Every field that holds (or may hold) a node is among the visited ones."""
    for f in dataclasses.fields(node):
        if f.name in names:
            continue
        value = getattr(node, f.name)
        if value is None or isinstance(value, (CSTNode, MaybeSentinel)):
            return False
        if isinstance(value, (tuple, list)) and any(isinstance(v, CSTNode) for v in value):
            return False
    return True


def _branches(fn: Callable) -> bool:
    """Whether the function's code has a conditional, a loop or a comprehension (LibCST's are, but
    for a few types, straight calls)."""
    code = getattr(fn, "__code__", None)
    if code is None or any(isinstance(c, type(code)) for c in code.co_consts):
        return True
    return any("JUMP" in ins.opname or ins.opname == "FOR_ITER" for ins in dis.get_instructions(code))
