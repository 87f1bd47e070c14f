"""Where a value in one file comes from: SDK-agnostic value flow over the collector's maps.

Resolution follows values through the file the way a reader would: a name to what was
assigned to it (ScopeProvider knows which assignments are visible), `self.x` to what any
method of the class assigned, a factory call to what the function returns, `**kwargs` to the
dict literal it was built from, a parameter to its default and to what this file's calls pass
for it. It stops at the file boundary and at a small depth, and says "dynamic" rather than
guess. Nothing here knows the SDK: clients.py and calls.py ask these questions about client
arguments, base URLs and models.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, cast

import libcst as cst
from libcst.metadata import Assignment, ScopeProvider

from offramp.analysis.collector import FullCollector
from offramp.analysis.values import dotted_name, string_value
from offramp.hosts import is_secret_value

MAX_DEPTH = 8
# Calls that return one element of a sequence, and calls that keep a sequence's elements.
_ELEMENT_PICKERS = frozenset({"next", "random.choice"})
_SEQUENCE_WRAPPERS = frozenset({"iter", "list", "tuple", "itertools.cycle", "reversed", "sorted"})
ClassCtx = Optional[cst.ClassDef]


class ValueFlow:
    """The value questions of one file (`values_of`, `dict_entries`, `key_source`, ...), asked while the
    collector's scope metadata is attached; answers are memoised per node for the file's resolver."""

    # libraries whose imports in this file are a module of the project (analysis `analyze`, `local`)
    local: FrozenSet[str] = frozenset()

    def __init__(self, c: FullCollector) -> None:
        self.c = c
        self._qnames: Dict[int, Set[str]] = {}
        self._callers: Optional[Dict[int, List[Tuple[cst.Call, ClassCtx]]]] = None
        self._cli_defaults: Optional[Dict[str, List[Tuple[cst.BaseExpression, ClassCtx]]]] = None

    def qnames(self, node: cst.CSTNode) -> Set[str]:
        """Qualified names, asked of the scope directly: the answer QualifiedNameProvider gives, without
        that provider's pass over every node of the file (a quarter of the analysis time, measured)."""
        got = self._qnames.get(id(node))
        if got is not None:
            return got
        try:
            scope = self.c.get_metadata(ScopeProvider, node, None)
            got = {q.name for q in scope.get_qualified_names_for(node)} if scope is not None else set()
        except Exception:
            got = set()
        got = self.renamed(got)
        if self.local:  # (`agents.Agent` of the folder's own agents.py: named as a relative import's name)
            got = {f".{q}" if q.split(".")[0] in self.local else q for q in got}
        self._qnames[id(node)] = got
        return got

    def renamed(self, names: Set[str]) -> Set[str]:
        """Qualified names as the resolver reads them (clients.py maps drop-in modules to the SDK's)."""
        return names

    def assignments(self, name: cst.Name) -> List[cst.CSTNode]:
        scope = self.c.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return []
        try:
            return [cast(Assignment, a).node for a in scope[name.value]]
        except Exception:
            return []

    def values_of(
        self, expr: cst.BaseExpression, cls: ClassCtx, depth: int = 0, seen: Optional[Set[int]] = None
    ) -> List[Tuple[cst.CSTNode, ClassCtx]]:
        """The terminal expressions `expr` may evaluate to (literals, calls, unknowns)."""
        seen = set() if seen is None else seen
        if depth > MAX_DEPTH or id(expr) in seen:
            return [(expr, cls)]
        seen.add(id(expr))
        if isinstance(expr, cst.Await):
            return self.values_of(expr.expression, cls, depth + 1, seen)
        if isinstance(expr, cst.IfExp):
            return self.values_of(expr.body, cls, depth + 1, seen) + self.values_of(expr.orelse, cls, depth + 1, seen)
        if isinstance(expr, cst.BooleanOperation):
            left = self.values_of(expr.left, cls, depth + 1, seen)
            if isinstance(expr.operator, cst.Or):  # `x or "default"` is never a falsy x (None, "")
                left = [(n, c) for n, c in left if not falsy_literal(n)]
            return left + self.values_of(expr.right, cls, depth + 1, seen)
        if isinstance(expr, cst.Name):
            if expr.value in ("None", "True", "False"):
                return [(expr, cls)]
            out: List[Tuple[cst.CSTNode, ClassCtx]] = []
            for node in self.assignments(expr):
                if isinstance(node, cst.Name):
                    value = self.c.assign_values.get(id(node))
                    if value is not None:
                        out += self.values_of(value, cls, depth + 1, seen)
                    else:
                        out.append((node, cls))
                elif isinstance(node, cst.Param):
                    if node.default is not None:
                        out += self.values_of(node.default, cls, depth + 1, seen)
                    for arg, arg_cls in self.call_site_args(node):
                        out += self.values_of(arg, arg_cls, depth + 1, seen)
                    out.append((node, cls))
                else:
                    out.append((node, cls))
            return out or [(expr, cls)]
        if isinstance(expr, cst.Attribute):
            out = []
            key = self.attr_key(expr, cls)
            if key is not None:
                owner, path = key
                for v in self.c.self_attrs.get((id(owner), path), []):
                    out += self.values_of(v, owner, depth + 1, seen)
            # and what the object's class gives it (a conditional `self.config.model = ...` keeps the default)
            out += self.instance_attr(expr.value, expr.attr.value, cls, depth, seen)
            if not out:
                out += self.cli_default(expr, cls, depth, seen)
            return out or [(expr, cls)]
        if isinstance(expr, cst.Call):
            env = self.env_read(expr)
            if env is not None and env[1] is not None:
                # os.getenv("MODEL", "gpt-4o"): the default is what runs when the variable is unset.
                return [(expr, cls), *self.values_of(env[1], cls, depth + 1, seen)]
            elements = self.picked_element(expr, cls, depth, seen)
            if elements:
                return elements
            got = self.getattr_read(expr, cls, depth, seen)
            if got:
                return got
            return [(expr, cls)]
        if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
            idx = expr.slice[0].slice
            item = string_value(idx.value) if isinstance(idx, cst.Index) else None
            if item is not None:
                entries, _ = self.dict_entries(expr.value, cls, depth + 1)
                if item in entries:
                    out = []
                    for v in entries[item]:
                        out += self.values_of(v, cls, depth + 1, seen)
                    return out
            elif isinstance(idx, cst.Index) and isinstance(idx.value, (cst.Integer, cst.UnaryOperation)):
                # MODELS[0], MODELS[-1]: the element of a literal list or tuple
                try:
                    pos = int(cst.Module([]).code_for_node(idx.value))
                except ValueError:
                    pos = None
                if pos is not None:
                    out = []
                    for seq in self.sequences_of(expr.value, cls, depth, seen):
                        if -len(seq) <= pos < len(seq):
                            out += self.values_of(seq[pos], cls, depth + 1, seen)
                    if out:
                        return out
            return [(expr, cls)]
        return [(expr, cls)]

    def call_site_args(self, param: cst.Param) -> List[Tuple[cst.BaseExpression, ClassCtx]]:
        """What the calls in this file pass for `param`: `run(model="gpt-4o")` for `def run(model=...)`."""
        fn = self.c.param_owner.get(id(param))
        if fn is None:
            return []
        if self._callers is None:
            self._callers = {}
            for call, call_cls, _ in self.c.calls:
                for target in self.callees(call, call_cls):
                    self._callers.setdefault(id(target), []).append((call, call_cls))
        ps = fn.params
        positional = [*ps.posonly_params, *ps.params]
        if self.c.func_class.get(id(fn)) is not None and not _is_static(fn) and positional:
            positional = positional[1:]  # self / cls: the receiver, not an argument
        index = next((i for i, p in enumerate(positional) if p is param), None)
        name = param.name.value
        out: List[Tuple[cst.BaseExpression, ClassCtx]] = []
        for call, call_cls in self._callers.get(id(fn), []):
            pos = 0
            for arg in call.args:
                if arg.star:
                    break
                if arg.keyword is None:
                    if index is not None and pos == index:
                        out.append((arg.value, call_cls))
                    pos += 1
                elif arg.keyword.value == name:
                    out.append((arg.value, call_cls))
        return out

    def callees(self, call: cst.Call, cls: ClassCtx) -> List[cst.FunctionDef]:
        """The functions of this file a call runs: `f(...)`, `self.m(...)`, `Cls(...)` (its `__init__`),
        `Cls(...).m(...)` / `obj.m(...)` on an instance of a class of this file."""
        out = [fn for fn, _ in self.functions_for(call.func, cls)]
        if out:
            return out
        func = call.func
        if isinstance(func, cst.Name):
            klass = self.module_class(func)
            init = self.c.class_methods.get((id(klass), "__init__")) if klass is not None else None
            return [init] if init is not None else []
        if isinstance(func, cst.Attribute):
            for node, _ in self.values_of(func.value, cls):
                klass = self.module_class(node.func) if isinstance(node, cst.Call) else None
                method = self.c.class_methods.get((id(klass), func.attr.value)) if klass is not None else None
                if method is not None:
                    out.append(method)
        return out

    def functions_for(self, func: cst.BaseExpression, cls: ClassCtx) -> List[Tuple[cst.FunctionDef, ClassCtx]]:
        out: List[Tuple[cst.FunctionDef, ClassCtx]] = []
        if isinstance(func, cst.Name):
            for node in self.assignments(func):
                if isinstance(node, cst.FunctionDef):
                    out.append((node, self.c.func_class.get(id(node))))
        elif isinstance(func, cst.Attribute):
            owner = self.attribute_owner(func, cls)
            if owner is not None:
                fn = self.c.class_methods.get((id(owner), func.attr.value))
                if fn is not None:
                    out.append((fn, owner))
        return out

    def attr_key(self, expr: cst.Attribute, cls: ClassCtx) -> Optional[Tuple[cst.ClassDef, str]]:
        """`self.x` / `self.config.x` in a method, `Config.x` for a module class: (class, "x" / "config.x")."""
        path = dotted_name(expr)
        if path is None:
            return None
        head, _, rest = path.partition(".")
        if cls is not None and head in {"self", "cls"} | self._self_names_of(cls):
            return cls, rest
        owner = self.c.module_classes.get(head)
        return (owner, rest) if owner is not None else None

    def attribute_owner(self, expr: cst.Attribute, cls: ClassCtx) -> ClassCtx:
        """The class whose attributes `expr` reads: `self.x` in a method, or `Config.x` for a module class."""
        if not isinstance(expr.value, cst.Name):
            return None
        base = expr.value.value
        if cls is not None and base in {"self", "cls"} | self._self_names_of(cls):
            return cls
        return self.c.module_classes.get(base)

    def _self_names_of(self, cls: cst.ClassDef) -> Set[str]:
        return {n for fid, n in self.c.self_names.items() if self.c.func_class.get(fid) is cls}

    def instance_attr(
        self, obj: cst.BaseExpression, attr: str, cls: ClassCtx, depth: int, seen: Set[int]
    ) -> List[Tuple[cst.CSTNode, ClassCtx]]:
        """`obj.attr` where `obj` is an instance of a class of this file: `Settings(model=...)`'s keyword,
        else what the class sets (a pydantic / dataclass field default, a class attribute, `self.attr = ...`).
        Also a parameter annotated with the class (`config: LLMConfig`)."""
        if depth > MAX_DEPTH:
            return []
        out: List[Tuple[cst.CSTNode, ClassCtx]] = []
        for node, node_cls in self.values_of(obj, cls, depth + 1, seen):
            klass: Optional[cst.ClassDef] = None
            given: Optional[cst.BaseExpression] = None
            if isinstance(node, cst.Call):
                klass = self.module_class(node.func)
                if klass is not None:
                    for arg in node.args:
                        if arg.keyword is not None and arg.keyword.value == attr:
                            given = arg.value
            elif isinstance(node, cst.Param) and node.annotation is not None:
                klass = self.annotated_class(node.annotation.annotation)
            if klass is None:
                continue
            if given is not None:
                out += self.values_of(given, node_cls, depth + 1, seen)
                continue
            for v in self.c.self_attrs.get((id(klass), attr), []):
                out += self.values_of(v, klass, depth + 1, seen)
        return out

    def cli_default(
        self, expr: cst.Attribute, cls: ClassCtx, depth: int, seen: Set[int]
    ) -> List[Tuple[cst.CSTNode, ClassCtx]]:
        """`args.model` with `args = parser.parse_args()`: the `default=` of `add_argument("--model", ...)`
        (also `dest=`), and the parsed value itself (the command line may override it)."""
        if not isinstance(expr.value, cst.Name) or depth > MAX_DEPTH:
            return []
        parsed = any(
            isinstance(n, cst.Call)
            and isinstance(n.func, cst.Attribute)
            and n.func.attr.value in ("parse_args", "parse_known_args", "parse_intermixed_args")
            for n, _ in self.values_of(expr.value, cls, depth + 1)
        )
        if not parsed:
            return []
        if self._cli_defaults is None:
            self._cli_defaults = {}
            for call, call_cls, _ in self.c.calls:
                if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_argument"):
                    continue
                flags = [string_value(a.value) or "" for a in call.args if a.keyword is None]
                kw = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
                dest = string_value(kw["dest"]) if "dest" in kw else None
                if dest is None:
                    longs = [f for f in flags if f.startswith("--")]
                    dest = (longs or flags or [""])[0].lstrip("-").replace("-", "_")
                if dest and "default" in kw:
                    self._cli_defaults.setdefault(dest, []).append((kw["default"], call_cls))
        out: List[Tuple[cst.CSTNode, ClassCtx]] = []
        for default, default_cls in self._cli_defaults.get(expr.attr.value, []):
            out += self.values_of(default, default_cls, depth + 1, seen)
        return [*out, (expr, cls)] if out else []

    def module_class(self, func: cst.BaseExpression) -> Optional[cst.ClassDef]:
        if isinstance(func, cst.Name):
            for node in self.assignments(func):
                if isinstance(node, cst.ClassDef):
                    return node
        return None

    def annotated_class(self, ann: cst.BaseExpression) -> Optional[cst.ClassDef]:
        """The class of this file an annotation names: `Config`, `Optional[Config]`, `Config | None`, "Config"."""
        nodes: List[cst.BaseExpression] = [ann]
        while nodes:
            n = nodes.pop()
            if isinstance(n, cst.Subscript):
                nodes.extend(e.slice.value for e in n.slice if isinstance(e.slice, cst.Index))
            elif isinstance(n, cst.BinaryOperation):
                nodes.extend([n.left, n.right])
            elif isinstance(n, cst.Name) and n.value in self.c.module_classes:
                return self.c.module_classes[n.value]
            elif isinstance(n, cst.SimpleString):
                text = string_value(n)
                if text in self.c.module_classes:
                    return self.c.module_classes[text]
        return None

    def sequences_of(
        self, expr: cst.BaseExpression, cls: ClassCtx, depth: int, seen: Set[int]
    ) -> List[List[cst.BaseExpression]]:
        """The literal lists / tuples `expr` may be (also through `cycle(...)`, `iter(...)`, `list(...)`)."""
        if depth > MAX_DEPTH:
            return []
        out: List[List[cst.BaseExpression]] = []
        for node, node_cls in self.values_of(expr, cls, depth + 1, seen):
            if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                if all(isinstance(e, cst.Element) for e in node.elements):
                    out.append([e.value for e in node.elements])
            elif (
                isinstance(node, cst.Call)
                and node.args
                and node.args[0].keyword is None
                and not node.args[0].star
                and self.callee(node.func) in _SEQUENCE_WRAPPERS
            ):
                out += self.sequences_of(node.args[0].value, node_cls, depth + 1, seen)
        return out

    def picked_element(
        self, call: cst.Call, cls: ClassCtx, depth: int, seen: Set[int]
    ) -> List[Tuple[cst.CSTNode, ClassCtx]]:
        """`next(cycle([...]))`, `next(iter([...]))`, `random.choice([...])`: any element of the sequence."""
        if not call.args or call.args[0].keyword is not None or call.args[0].star:
            return []
        if self.callee(call.func) not in _ELEMENT_PICKERS:
            return []
        out: List[Tuple[cst.CSTNode, ClassCtx]] = []
        for seq in self.sequences_of(call.args[0].value, cls, depth, seen):
            for element in seq:
                out += self.values_of(element, cls, depth + 1, seen)
        return out

    def getattr_read(
        self, call: cst.Call, cls: ClassCtx, depth: int, seen: Set[int]
    ) -> List[Tuple[cst.CSTNode, ClassCtx]]:
        """`getattr(obj, "model", "gpt-4o")`: what `obj.model` holds, and the default."""
        if self.callee(call.func) != "getattr" or not 2 <= len(call.args) <= 3:
            return []
        if any(a.keyword is not None or a.star for a in call.args):
            return []
        name = string_value(call.args[1].value)
        if name is None or not name.isidentifier():
            return []
        out: List[Tuple[cst.CSTNode, ClassCtx]] = []
        attr = cst.Attribute(value=call.args[0].value, attr=cst.Name(name))
        for node, node_cls in self.values_of(attr, cls, depth + 1, seen):
            # an attribute offramp cannot read is the call itself, a value it cannot see: dropped, only the
            # default was left (autogen's `getattr(search_config, "embedding_model", None)` read as None, so
            # fix moved the client with no TODO for the configured model, and replaced a configured key)
            out.append((call, cls) if node is attr else (node, node_cls))
        if len(call.args) == 3:
            out += self.values_of(call.args[2].value, cls, depth + 1, seen)
        return out

    def callee(self, func: cst.BaseExpression) -> Optional[str]:
        """The builtin or stdlib function a call names (`next`, `itertools.cycle`, `random.choice`)."""
        for q in self.qnames(func):
            if q.startswith("builtins."):
                return q[len("builtins.") :]
            if q in _ELEMENT_PICKERS or q in _SEQUENCE_WRAPPERS:
                return q
        return None

    def dict_entries(
        self, expr: cst.BaseExpression, cls: ClassCtx, depth: int = 0
    ) -> Tuple[Dict[str, List[cst.BaseExpression]], bool]:
        """Keys of the dict(s) `expr` may be; `complete` is False when some part is unknown."""
        entries: Dict[str, List[cst.BaseExpression]] = {}
        complete = True
        if depth > MAX_DEPTH:
            return entries, False
        for node, _ in self.values_of(expr, cls, depth + 1):
            if isinstance(node, cst.Dict):
                for el in node.elements:
                    if isinstance(el, cst.DictElement):
                        k = string_value(el.key)
                        if k is None:
                            complete = False
                        else:
                            entries.setdefault(k, []).append(el.value)
                    elif isinstance(el, cst.StarredDictElement):
                        sub, ok = self.dict_entries(el.value, cls, depth + 1)
                        complete &= ok
                        for k, v in sub.items():
                            entries.setdefault(k, []).extend(v)
            elif isinstance(node, cst.Call) and dotted_name(node.func) == "dict":
                for arg in node.args:
                    if arg.keyword is not None:
                        entries.setdefault(arg.keyword.value, []).append(arg.value)
                    else:
                        complete = False
            elif isinstance(node, cst.Call) and self.functions_for(node.func, cls):
                # **self._client_kwargs(): the dicts the helper returns
                for fn, fn_cls in self.functions_for(node.func, cls):
                    returns = self.c.returns.get(id(fn), [])
                    if not returns:
                        complete = False
                    for r in returns:
                        sub, ok = self.dict_entries(r, fn_cls, depth + 1)
                        complete &= ok
                        for k, v in sub.items():
                            entries.setdefault(k, []).extend(v)
            else:
                complete = False
        # `kwargs["model"] = ...` after the literal was built (also from a nested function)
        if isinstance(expr, cst.Name):
            for node in self.assignments(expr):
                for k, v in self.c.item_sets.get(id(node), {}).items():
                    entries.setdefault(k, []).extend(v)
        return entries, complete

    def dict_values_of(self, expr: cst.BaseExpression) -> List[List[cst.BaseExpression]]:
        return [
            [el.value for el in node.elements if isinstance(el, cst.DictElement)]
            for node, _ in self.values_of(expr, None)
            if isinstance(node, cst.Dict)
        ]

    def index_item_writes(self) -> None:
        for name, key, value in self.c.item_writes:
            for node in self.assignments(name):
                self.c.item_sets.setdefault(id(node), {}).setdefault(key, []).append(value)

    def origin(self, node: cst.CSTNode) -> Optional[str]:
        """Where a value the file cannot rewrite comes from, for "model comes from ..." (OFR203)."""
        env = self.env_read(node)
        if env is not None:
            return f"environment variable `{env[0]}`"
        if isinstance(node, cst.Param):
            return f"parameter `{node.name.value}`"
        if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
            return None  # `model=None` (a default): the call's other values say where the model comes from
        called = dotted_name(node.func) if isinstance(node, cst.Call) else None
        if called == "getattr" and isinstance(node, cst.Call) and len(node.args) >= 2:  # as getattr_read reads it
            owner, name = dotted_name(node.args[0].value), string_value(node.args[1].value)
            if owner and name:
                return f"`{owner}.{name}`"
        if called and called.rpartition(".")[2] not in ("Field", "field"):  # (not a pydantic/dataclass field)
            return f"`{called}()`"  # (`self.llm.get_model()`: the user knows where to look)
        if isinstance(node, (cst.Attribute, cst.Name, cst.Subscript, cst.Call)):
            text = dotted_name(node) if isinstance(node, (cst.Attribute, cst.Name)) else None
            return f"`{text}`" if text else "a value computed at run time"
        return None

    def env_read(self, node: cst.CSTNode) -> Optional[Tuple[str, Optional[cst.BaseExpression]]]:
        if isinstance(node, cst.Call) and node.args and node.args[0].keyword is None:
            path = self.c._os_path(node.func)
            if path in ("getenv", "environ.get"):
                name = string_value(node.args[0].value)
                if name is not None:
                    return name, (node.args[1].value if len(node.args) > 1 else None)
        if isinstance(node, cst.Subscript) and self.c._os_path(node.value) == "environ" and len(node.slice) == 1:
            idx = node.slice[0].slice
            if isinstance(idx, cst.Index):
                name = string_value(idx.value)
                if name is not None:
                    return name, None
        return None

    def key_source(self, expr: cst.BaseExpression, cls: ClassCtx) -> Optional[str]:
        """How a key argument's value is written in this file (through names, attributes, defaults, dicts).

        "secret": a real key literal can reach it (hosts.is_secret_value), also as one branch of
        several (`os.getenv("OPENAI_API_KEY", "sk-...")`, a parameter's default). "literal": every
        value it may take is some other string literal or None (a placeholder, ""). None: it comes
        from elsewhere (the environment, a parameter, a call) and no key literal reaches it.
        """
        secret = False
        written = True
        for node, _ in self.values_of(expr, cls):
            value = string_value(node) if isinstance(node, cst.BaseExpression) else None
            if value is not None:
                secret = secret or is_secret_value(value)
            elif not (isinstance(node, cst.Name) and node.value == "None"):
                written = False
        return "secret" if secret else "literal" if written else None

    def hardcoded_keys(
        self, args: Iterable[Tuple[str, cst.BaseExpression]], names: Iterable[str], cls: ClassCtx
    ) -> Dict[str, str]:
        """key_source of the explicit key arguments (`names`) among `args`."""
        wanted = set(names)
        out: Dict[str, str] = {}
        for name, value in args:
            if name in wanted:
                kind = self.key_source(value, cls)
                if kind is not None:
                    out[name] = kind
        return out


def falsy_literal(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("None", "False")
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value in ("", b"")
    return isinstance(node, cst.Integer) and node.value == "0"


def keyword_args(call: cst.Call) -> List[Tuple[str, cst.BaseExpression]]:
    return [(a.keyword.value, a.value) for a in call.args if a.keyword is not None]


def _is_static(fn: cst.FunctionDef) -> bool:
    return any((dotted_name(d.decorator) or "").rsplit(".", 1)[-1] == "staticmethod" for d in fn.decorators)
