"""Model ids that are also keys: the value sent as `model=` is compared, tested or looked up too.

`MODEL = "gpt-4o"` sent with `create(model=MODEL)` and also read by `PRICES[MODEL]`,
`if MODEL == "gpt-4o"`, `MODEL.startswith("gpt-")` or `tiktoken.encoding_for_model(MODEL)`:
rewriting the constant to the provider's model raised KeyError in the lookup or silently took the
other branch (issue 14, invariant 5). Such a literal is marked (`ModelLiteral.also_key`): the check
reports it as not fixable and `fix` leaves it with a TODO that names the other use, so a person
changes both together.

What is matched: the name the literal is bound to (an assignment, a parameter default, a class
attribute or `self.x = ...`; also as the default of a read, `os.environ.get("OPENAI_MODEL", "gpt-4o")`, or in
an `or` chain, `cfg.model or "gpt-4o"`) and its reads in key positions - a comparison operand, the subject of
`startswith`/`endswith`, a subscript index, the argument of `.get()`/`.pop()` or of a model lookup
function (rules/openai.toml [models] lookups, or a project's own helper whose name says it counts tokens or
prices: `count_string_tokens(text, model)`, [models] lookup-words). Names are matched by spelling within the binding's
function (a module-level name: anywhere in the file); attributes (`self.x`, `cls.x`, `Class.x`) by
name, whatever the class (`response.model` is not one of them). A value that
reaches the call through more than one name (`model = MODEL` then `model == ...`) is not followed.

A substring test `"ollama" in model` is a probe, not a key: it takes the other branch only when the provider's model
answers it otherwise than the OpenAI one did (open-interpreter's `if "ollama" in model or "llama" in model:` picks a
system prompt for local models; `gpt-4o-mini` and `qwen-flash` both answer no). Such a read is kept apart
(`ModelLiteral.probes`) and weighed against the model a provider maps the literal to (`ModelLiteral.key_use`).
"""

from __future__ import annotations

from typing import Callable, Collection, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from offramp.analysis.facts import ModelLiteral
from offramp.analysis.positions import node_positions
from offramp.analysis.values import dotted_name, string_value
from offramp.catalog import load_sdk
from offramp.hosts import MATCH_METHODS
from offramp.types import Span

Key = Tuple[str, str]  # ("name", spelling) | ("attr", last attribute name)
_LOOKUP_METHODS = frozenset({"get", "pop", "index"})


def _key(expr: cst.BaseExpression) -> Optional[Key]:
    if isinstance(expr, cst.Name):
        return ("name", expr.value)
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        owner = expr.value.value
        if owner in ("self", "cls") or owner[:1].isupper():  # the object's or class's own attribute
            return ("attr", expr.attr.value)
    return None


def _fallbacks(value: cst.BaseExpression) -> List[cst.BaseExpression]:
    """The string literals a name may be bound to by `value`: the literal itself, the default of a read
    (`os.environ.get("OPENAI_MODEL", "gpt-4o")`, `cfg.get("model", "gpt-4o")`, `os.getenv(..., default=...)`)
    or a literal of an `or` chain (`cfg.model or "gpt-4o"`). chatgpt-telegram-bot binds its model so and passes
    it to its own `default_max_tokens(model=model)`, a table of GPT ids: rewritten, the table gave None and
    `int(None)` stopped the bot at start-up."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        return [value]
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        return _fallbacks(value.left) + _fallbacks(value.right)
    if isinstance(value, cst.Call) and (dotted_name(value.func) or "").rpartition(".")[2] in _GETTERS:
        positional = [a.value for a in value.args if a.keyword is None and not a.star]
        given = [a.value for a in value.args if a.keyword is not None and a.keyword.value == "default"]
        default = positional[1:2] or given
        return [d for d in default if isinstance(d, (cst.SimpleString, cst.ConcatenatedString))]
    return []


_GETTERS = frozenset({"get", "getenv"})


class KeyUses:
    """Collects key-position reads and literal bindings during the collector's one traversal."""

    def __init__(self, lookups: Collection[str], words: Collection[str] = ()) -> None:
        self.lookups = frozenset(lookups)
        self.words = tuple(words)
        # key -> (scope, read, what, needle): `needle` is the string a probe `"needle" in name` looks for
        self.uses: Dict[Key, List[Tuple[Optional[int], cst.CSTNode, str, Optional[str]]]] = {}
        self.binds: Dict[int, Tuple[Key, Optional[int]]] = {}  # id(literal) -> (key, scope)

    # -- fed by the collector ------------------------------------------------------------------
    def bind(
        self, target: cst.BaseExpression, value: Optional[cst.BaseExpression], scope: Optional[int], in_class: bool
    ) -> None:
        """`target = value`, or a parameter `target` whose default is `value` (`in_class`: a class
        attribute, read as `self.target`)."""
        key = ("attr", target.value) if in_class and isinstance(target, cst.Name) else _key(target)
        if key is None or value is None:
            return
        for literal in _fallbacks(value):
            self.binds[id(literal)] = (key, scope if key[0] == "name" else None)

    def comparison(self, node: cst.Comparison, scope: Optional[int]) -> None:
        (first, *more) = node.comparisons
        needle = string_value(node.left)
        if not more and isinstance(first.operator, (cst.In, cst.NotIn)) and needle is not None:
            self._use(first.comparator, scope, f"tested for `{needle}`", needle)
            return
        for operand in (node.left, *(c.comparator for c in node.comparisons)):
            self._use(operand, scope, "compared")

    def subscript(self, node: cst.Subscript, scope: Optional[int]) -> None:
        for el in node.slice:
            if isinstance(el.slice, cst.Index):
                self._use(el.slice.value, scope, f"a key of `{dotted_name(node.value) or 'a lookup'}`")

    def call(self, node: cst.Call, scope: Optional[int]) -> None:
        func = node.func
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        if isinstance(func, cst.Attribute) and func.attr.value in MATCH_METHODS:
            self._use(func.value, scope, f"tested with `{func.attr.value}`")
        elif isinstance(func, cst.Attribute) and func.attr.value in _LOOKUP_METHODS and positional:
            self._use(positional[0], scope, f"a key of `{dotted_name(func.value) or 'a lookup'}`")
        else:
            name = (dotted_name(func) or "").rpartition(".")[2]
            if name in self.lookups or any(w in name.lower() for w in self.words):
                for arg in node.args:
                    self._use(arg.value, scope, f"looked up by `{name}`")

    def _use(self, expr: cst.BaseExpression, scope: Optional[int], what: str, needle: Optional[str] = None) -> None:
        key = _key(expr)
        if key is not None:
            self.uses.setdefault(key, []).append((scope, expr, what, needle))

    # -- read after the traversal ----------------------------------------------------------------
    def mark(self, models: Sequence[ModelLiteral], line_of: Callable[[cst.CSTNode], int]) -> None:
        """Set `also_key` on each model literal whose bound name is also read as a key (`line_of`: a
        node's line, asked only of the reads found: positions cost a pass over the module)."""
        for lit in models:
            found = self.reads(lit.node, line_of)
            lit.also_key = next((text for needle, text in found if needle is None), "")
            lit.probes = tuple((needle, text) for needle, text in found if needle is not None)

    def reads_of(
        self, literal: cst.CSTNode, line_of: Callable[[cst.CSTNode], int], change: Optional[Tuple[str, str]] = None
    ) -> str:
        """Where the name `literal` is bound to is read as a key ("" when nowhere); with `change` (its value,
        the value it would get), probes only where they would answer otherwise."""
        return next(
            (
                text
                for needle, text in self.reads(literal, line_of)
                if needle is None or change is None or (needle in change[0]) != (needle in change[1])
            ),
            "",
        )

    def reads(self, literal: cst.CSTNode, line_of: Callable[[cst.CSTNode], int]) -> List[Tuple[Optional[str], str]]:
        """Each read of the name `literal` is bound to in a key position, first line first: (a probe's needle or
        None, where)."""
        bound = self.binds.get(id(literal))
        if bound is None:
            return []
        key, scope = bound
        found = sorted(
            (line_of(read), what, needle)
            for use_scope, read, what, needle in self.uses.get(key, [])
            if scope is None or use_scope == scope
        )
        return [(needle, f"`{key[1]}` is also {what} (line {line})") for line, what, needle in found]


class _Feeder(cst.CSTVisitor):
    """The collector's feeding of `KeyUses`, alone: for a file `fix` rewrites a model literal of
    without analysing it (a constant or parameter default that requests of other files send)."""

    def __init__(self, uses: KeyUses) -> None:
        self.uses = uses
        self.stack: List[cst.CSTNode] = []  # the functions and classes around the node

    def _scope(self) -> Optional[int]:
        return next((id(n) for n in reversed(self.stack) if isinstance(n, cst.FunctionDef)), None)

    def _in_class_body(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1], cst.ClassDef)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_Param(self, node: cst.Param) -> None:
        self.uses.bind(node.name, node.default, self._scope(), False)

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self.uses.bind(t.target, node.value, self._scope(), self._in_class_body())

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.uses.bind(node.target, node.value, self._scope(), self._in_class_body())

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self.uses.comparison(node, self._scope())

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.uses.subscript(node, self._scope())

    def visit_Call(self, node: cst.Call) -> None:
        self.uses.call(node, self._scope())


def keyed_literals(
    module: cst.Module,
    literals: Sequence[cst.CSTNode],
    lookups: Collection[str],
    words: Collection[str],
    line_of: Callable[[cst.CSTNode], int],
    changes: Optional[Dict[int, Tuple[str, str]]] = None,
) -> Dict[int, str]:
    """id(literal) -> where its bound name is also used as a key (`also_key`'s text), for those of
    `literals` that are: one walk over `module`. `changes`: id(literal) -> (its value, its new value), against
    which probes (`"ollama" in model`) are weighed."""
    uses = KeyUses(lookups, words)
    module.visit(_Feeder(uses))
    out: Dict[int, str] = {}
    for lit in literals:
        found = uses.reads_of(lit, line_of, (changes or {}).get(id(lit)))
        if found:
            out[id(lit)] = found
    return out


def literals_at(
    module: cst.Module, models: Dict[Span, Tuple[str, str]]
) -> List[Tuple[cst.SimpleString, Span, str, str]]:
    """The string literals at the given spans that still hold the expected value (the route gate's
    `Gate.models`), with their new value and, for one whose name is also used as a key
    (`PRICES[MODEL]`, `count_tokens(text, model)`), where. `fix` rewrites the others with their
    requests (fixes/crossfile.py) and gives such a one a TODO instead (invariant 5, as the file's own
    literals get, fixes/literals.py); `check` marks the others fixable (project/stage.py). A literal
    whose text changed since the routes were built (or that is not a plain string) is left out."""
    if not models:
        return []
    found = []
    positions = node_positions(module)
    for node, r in positions.items():
        if isinstance(node, cst.SimpleString):
            span = Span(r[0], r[1] + 1, r[2], r[3] + 1)
            want = models.get(span)
            if want is not None and string_value(node) == want[0]:
                found.append((node, span, want[1]))
    if not found:
        return []
    sdk = load_sdk()
    keyed = keyed_literals(
        module,
        [n for n, _, _ in found],
        sdk.model_lookups,
        sdk.model_lookup_words,
        lambda n: positions[n][0],
        {id(n): (models[span][0], new) for n, span, new in found},
    )
    return [(node, span, new, keyed.get(id(node), "")) for node, span, new in found]
