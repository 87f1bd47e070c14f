"""Turn the collector's raw maps into SDK facts: clients, API calls, model literals, module config.

Resolution follows values through the file the way a reader would: a name to what was
assigned to it (ScopeProvider knows which assignments are visible), `self.x` to what any
method of the class assigned, a factory call to what the function returns, `**kwargs` to the
dict literal it was built from, a parameter to its default. It stops at the file boundary
and at a small depth, and says "dynamic" rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union, cast

import libcst as cst
from libcst.metadata import Assignment, ScopeProvider

from offramp.analysis.facts import ApiCall, ClientCtor, DynamicModel, ModelLiteral, ModuleAssign
from offramp.analysis.frameworks import bound_call, default_clients, default_keys, exports, positional_kwargs
from offramp.analysis.values import Target, classify_url, dotted_name, string_value, template_value
from offramp.catalog import (
    NestedConfigDict,
    SdkSurface,
    WrapperSpec,
    load_config_dict_spec,
    load_toml,
    load_wrappers,
    rules_dir,
)
from offramp.hosts import is_secret_value

if TYPE_CHECKING:
    from offramp.analysis.collector import FullCollector

_MAX_DEPTH = 8
# Calls that return one element of a sequence, and calls that keep a sequence's elements.
_ELEMENT_PICKERS = frozenset({"next", "random.choice"})
_SEQUENCE_WRAPPERS = frozenset({"iter", "list", "tuple", "itertools.cycle", "reversed", "sorted"})
ClassCtx = Optional[cst.ClassDef]


@dataclass(frozen=True)
class Annotated:
    """A client known only by its type annotation (a parameter `client: OpenAI`)."""

    azure: bool


ClientRef = Union[ClientCtor, Annotated]


def _falsy_literal(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("None", "False")
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value in ("", b"")
    return isinstance(node, cst.Integer) and node.value == "0"


class Resolver:
    def __init__(self, c: FullCollector) -> None:
        self.c = c
        self.sdk = c.sdk
        self.a = c.a
        self.ctors: Dict[int, ClientCtor] = {}
        self._nested: Optional[Dict[int, Union[NestedConfigDict, bool]]] = None  # inner dicts of mem0-style configs
        self._qnames: Dict[int, Set[str]] = {}
        # `langfuse.openai.openai` is `openai`: drop-in modules (entry modules outside the SDK's packages)
        self._dropins = tuple(
            f"{m}." for m in sorted(self.sdk.entry_modules) if m.split(".")[0] not in self.sdk.sdk_modules
        )
        self.models: Dict[int, ModelLiteral] = {}
        self.module_targets: Dict[int, Target] = {}  # id(class) -> where module calls there go
        self._callers: Optional[Dict[int, List[Tuple[cst.Call, ClassCtx]]]] = None
        self._cli_defaults: Optional[Dict[str, List[Tuple[cst.BaseExpression, ClassCtx]]]] = None

    # -- metadata ------------------------------------------------------------------------
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
        if got and self._dropins:
            # `from langfuse.openai import openai`: a drop-in module re-exports the SDK module itself
            got = {self._undrop(q) for q in got}
        self._qnames[id(node)] = got
        return got

    def _undrop(self, q: str) -> str:
        for prefix in self._dropins:
            if q.startswith(prefix):
                rest = q[len(prefix) :]
                if rest.split(".")[0] in self.sdk.sdk_modules:
                    return rest
        return q

    def assignments(self, name: cst.Name) -> List[cst.CSTNode]:
        scope = self.c.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return []
        try:
            return [cast(Assignment, a).node for a in scope[name.value]]
        except Exception:
            return []

    def super_client(self, call: cst.Call, cls: ClassCtx) -> Tuple[Optional[str], Optional[cst.BaseExpression]]:
        """`super().__init__(...)` in a subclass of an SDK client class (`class MyClient(AzureOpenAI)`):
        the client class and the base expression naming it. That call builds the client: its
        arguments say where it goes and with which key, as a constructor's would."""
        func = call.func
        if (
            cls is None
            or not isinstance(func, cst.Attribute)
            or func.attr.value != "__init__"
            or not isinstance(func.value, cst.Call)
            or not isinstance(func.value.func, cst.Name)
            or func.value.func.value != "super"
        ):
            return None, None
        return self.sdk_base_of(cls.bases)

    def sdk_base_of(self, bases: Sequence[cst.Arg]) -> Tuple[Optional[str], Optional[cst.BaseExpression]]:
        """The SDK client class among a class's bases, and the base expression naming it."""
        for arg in bases:
            for q in self.qnames(arg.value):
                if q in self.sdk.openai_clients or q in self.sdk.azure_clients:
                    return q, arg.value
        return None, None

    def subclass_ctor(self, func: cst.BaseExpression) -> Tuple[Optional[str], Optional[cst.BaseExpression]]:
        """`Chat(api_key=..., azure_endpoint=...)` where `class Chat(AzureOpenAI)` in this module has no
        `__init__` of its own: the call is the SDK constructor, so its arguments say where the client goes
        and with which key (left unseen, the key read was renamed while the endpoint stayed Azure)."""
        if not isinstance(func, cst.Name):
            return None, None
        for node in self.assignments(func):
            if not isinstance(node, cst.ClassDef):
                continue
            body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
            if any(isinstance(st, cst.FunctionDef) and st.name.value in ("__init__", "__new__") for st in body):
                return None, None
            found = self.sdk_base_of(node.bases)
            if found[0] is not None:
                return found
        return None, None

    def client_class(self, func: cst.BaseExpression, depth: int = 0) -> Optional[str]:
        """The SDK client class `func` names, also through `cls = AsyncClient if a else Client`."""
        for q in self.qnames(func):
            if q in self.sdk.openai_clients or q in self.sdk.azure_clients:
                return q
        if depth < 3:
            if isinstance(func, cst.Name):
                for node in self.assignments(func):
                    value = self.c.assign_values.get(id(node)) if isinstance(node, cst.Name) else None
                    if value is not None:
                        found = self.client_class(value, depth + 1)
                        if found:
                            return found
            elif isinstance(func, cst.IfExp):
                return self.client_class(func.body, depth + 1) or self.client_class(func.orelse, depth + 1)
            elif isinstance(func, cst.BooleanOperation):
                return self.client_class(func.left, depth + 1) or self.client_class(func.right, depth + 1)
            elif isinstance(func, cst.Subscript):
                # CLIENTS[name]() with CLIENTS = {"openai": OpenAI, ...}: when every client class in it agrees on Azure
                found = {
                    q
                    for seq in self.sequences_of(func.value, None, 0, set()) + self.dict_values_of(func.value)
                    for q in (self.client_class(e, depth + 1) for e in seq)
                    if q is not None
                }
                if found and len({self.is_azure_class(q) for q in found}) == 1:
                    return sorted(found)[0]
            elif isinstance(func, cst.Call) and self.callee(func.func) == "getattr" and len(func.args) >= 2:
                # getattr(openai, "AsyncOpenAI"), getattr(openai, "AsyncOpenAI" if a else "OpenAI")
                names = {
                    string_value(n)
                    for n, _ in self.values_of(func.args[1].value, None)
                    if isinstance(n, cst.BaseExpression)
                }
                clients = self.sdk.openai_clients | self.sdk.azure_clients
                for q in self.qnames(func.args[0].value):
                    found = (
                        {f"{q}.{n}" for n in names if n and f"{q}.{n}" in clients}
                        if q in self.sdk.sdk_modules
                        else set()
                    )
                    if found and len({self.is_azure_class(f) for f in found}) == 1:
                        return sorted(found)[0]
        return None

    def dict_values_of(self, expr: cst.BaseExpression) -> List[List[cst.BaseExpression]]:
        return [
            [el.value for el in node.elements if isinstance(el, cst.DictElement)]
            for node, _ in self.values_of(expr, None)
            if isinstance(node, cst.Dict)
        ]

    def is_azure_class(self, qualified: str) -> bool:
        return qualified in self.sdk.azure_clients

    # -- generic value resolution ----------------------------------------------------------
    def sends_images(self, call: cst.Call, values: Dict[str, List[cst.BaseExpression]], cls: ClassCtx) -> bool:
        """Whether the request carries image parts: written in the call, or in the messages (or
        `input`) it names, one name deep (`content = [..., {"type": "image_url", ...}]` built above
        the call and sent as `messages=[{"role": "user", "content": content}]`)."""
        if _mentions(call, _IMAGE_PARTS):
            return True
        for v in values.get("messages", []) + values.get("input", []):
            for node, c in self.values_of(v, cls):
                if _mentions(node, _IMAGE_PARTS):
                    return True
                for name in _names_in(node)[:32]:
                    if any(_mentions(n, _IMAGE_PARTS) for n, _ in self.values_of(name, c)):
                        return True
        return False

    def values_of(
        self, expr: cst.BaseExpression, cls: ClassCtx, depth: int = 0, seen: Optional[Set[int]] = None
    ) -> List[Tuple[cst.CSTNode, ClassCtx]]:
        """The terminal expressions `expr` may evaluate to (literals, calls, unknowns)."""
        seen = set() if seen is None else seen
        if depth > _MAX_DEPTH or id(expr) in seen:
            return [(expr, cls)]
        seen.add(id(expr))
        if isinstance(expr, cst.Await):
            return self.values_of(expr.expression, cls, depth + 1, seen)
        if isinstance(expr, cst.IfExp):
            return self.values_of(expr.body, cls, depth + 1, seen) + self.values_of(expr.orelse, cls, depth + 1, seen)
        if isinstance(expr, cst.BooleanOperation):
            left = self.values_of(expr.left, cls, depth + 1, seen)
            if isinstance(expr.operator, cst.Or):  # `x or "default"` is never a falsy x (None, "")
                left = [(n, c) for n, c in left if not _falsy_literal(n)]
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
            key = string_value(idx.value) if isinstance(idx, cst.Index) else None
            if key is not None:
                entries, _ = self.dict_entries(expr.value, cls, depth + 1)
                if key in entries:
                    out = []
                    for v in entries[key]:
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

    def instance_attr(
        self, obj: cst.BaseExpression, attr: str, cls: ClassCtx, depth: int, seen: Set[int]
    ) -> List[Tuple[cst.CSTNode, ClassCtx]]:
        """`obj.attr` where `obj` is an instance of a class of this file: `Settings(model=...)`'s keyword,
        else what the class sets (a pydantic / dataclass field default, a class attribute, `self.attr = ...`).
        Also a parameter annotated with the class (`config: LLMConfig`)."""
        if depth > _MAX_DEPTH:
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
        if not isinstance(expr.value, cst.Name) or depth > _MAX_DEPTH:
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
        if depth > _MAX_DEPTH:
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
            if node is not attr:
                out.append((node, node_cls))
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

    def attribute_owner(self, expr: cst.Attribute, cls: ClassCtx) -> ClassCtx:
        """The class whose attributes `expr` reads: `self.x` in a method, or `Config.x` for a module class."""
        if not isinstance(expr.value, cst.Name):
            return None
        base = expr.value.value
        if cls is not None and base in {"self", "cls"} | self._self_names_of(cls):
            return cls
        return self.c.module_classes.get(base)

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

    def _self_names_of(self, cls: cst.ClassDef) -> Set[str]:
        return {n for fid, n in self.c.self_names.items() if self.c.func_class.get(fid) is cls}

    def dict_entries(
        self, expr: cst.BaseExpression, cls: ClassCtx, depth: int = 0
    ) -> Tuple[Dict[str, List[cst.BaseExpression]], bool]:
        """Keys of the dict(s) `expr` may be; `complete` is False when some part is unknown."""
        entries: Dict[str, List[cst.BaseExpression]] = {}
        complete = True
        if depth > _MAX_DEPTH:
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

    # -- clients ---------------------------------------------------------------------------
    def clients_of(
        self, expr: cst.BaseExpression, cls: ClassCtx, depth: int = 0, seen: Optional[Set[int]] = None
    ) -> List[ClientRef]:
        seen = set() if seen is None else seen
        if depth > _MAX_DEPTH or id(expr) in seen:
            return []
        seen.add(id(expr))
        out: List[ClientRef] = []
        if isinstance(expr, cst.Await):
            return self.clients_of(expr.expression, cls, depth + 1, seen)
        if isinstance(expr, (cst.IfExp,)):
            return self.clients_of(expr.body, cls, depth + 1, seen) + self.clients_of(expr.orelse, cls, depth + 1, seen)
        if isinstance(expr, cst.BooleanOperation):
            return self.clients_of(expr.left, cls, depth + 1, seen) + self.clients_of(expr.right, cls, depth + 1, seen)
        if isinstance(expr, cst.Call):
            q = self.client_class(expr.func)
            if q is not None:
                return [self.ctor(expr, q, cls)]
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value in self.sdk.copies:
                return self.clients_of(expr.func.value, cls, depth + 1, seen)
            if self.qnames(expr.func) & self.sdk.wrappers and expr.args:
                return self.clients_of(expr.args[0].value, cls, depth + 1, seen)
            for fn, fn_cls in self.functions_for(expr.func, cls):
                ann = fn.returns.annotation if fn.returns is not None else None
                if ann is not None:
                    kind = self.annotation_client(ann)
                    if kind is not None:
                        out.append(kind)
                for r in self.c.returns.get(id(fn), []):
                    out += self.clients_of(r, fn_cls, depth + 1, seen)
            return out
        if isinstance(expr, cst.Name):
            for node in self.assignments(expr):
                ann = self.c.annotations.get(id(node))
                if ann is not None:
                    kind = self.annotation_client(ann)
                    if kind is not None:
                        out.append(kind)
                if isinstance(node, cst.Name):
                    value = self.c.assign_values.get(id(node))
                    if value is not None:
                        out += self.clients_of(value, cls, depth + 1, seen)
                elif isinstance(node, cst.Param):
                    if node.default is not None:
                        out += self.clients_of(node.default, cls, depth + 1, seen)
                    for arg, arg_cls in self.call_site_args(node):
                        out += self.clients_of(arg, arg_cls, depth + 1, seen)
            return out
        if isinstance(expr, cst.Attribute):
            owner = self.attribute_owner(expr, cls)
            if owner is not None:
                ann = self.c.self_annots.get((id(owner), expr.attr.value))
                if ann is not None:
                    kind = self.annotation_client(ann)
                    if kind is not None:
                        out.append(kind)
                for v in self.c.self_attrs.get((id(owner), expr.attr.value), []):
                    out += self.clients_of(v, owner, depth + 1, seen)
                prop = self.c.class_methods.get((id(owner), expr.attr.value))
                if prop is not None and _is_property(prop):
                    if prop.returns is not None:
                        kind = self.annotation_client(prop.returns.annotation)
                        if kind is not None:
                            out.append(kind)
                    for r in self.c.returns.get(id(prop), []):
                        out += self.clients_of(r, owner, depth + 1, seen)
            if not out:
                # deps.client where `deps` is an instance of a class of this file (a dataclass / pydantic field)
                out += self.instance_clients(expr, cls, depth, seen)
            return out
        return out

    def instance_clients(self, expr: cst.Attribute, cls: ClassCtx, depth: int, seen: Set[int]) -> List[ClientRef]:
        out: List[ClientRef] = []
        attr = expr.attr.value
        for node, node_cls in self.values_of(expr.value, cls, depth + 1):
            klass: Optional[cst.ClassDef] = None
            if isinstance(node, cst.Call):
                klass = self.module_class(node.func)
                if klass is not None:
                    for arg in node.args:
                        if arg.keyword is not None and arg.keyword.value == attr:
                            out += self.clients_of(arg.value, node_cls, depth + 1, seen)
            elif isinstance(node, cst.Param) and node.annotation is not None:
                klass = self.annotated_class(node.annotation.annotation)
            if klass is None:
                continue
            ann = self.c.self_annots.get((id(klass), attr))
            kind = self.annotation_client(ann) if ann is not None else None
            if kind is not None:
                out.append(kind)
            for v in self.c.self_attrs.get((id(klass), attr), []):
                out += self.clients_of(v, klass, depth + 1, seen)
        return out

    def annotation_client(self, ann: cst.BaseExpression) -> Optional[Annotated]:
        """`OpenAI`, `openai.AsyncAzureOpenAI`, `Optional[OpenAI]`, `OpenAI | None`, "OpenAI"."""
        nodes: List[cst.BaseExpression] = [ann]
        while nodes:
            n = nodes.pop()
            if isinstance(n, cst.Subscript):
                nodes.append(n.value)
                nodes.extend(e.slice.value for e in n.slice if isinstance(e.slice, cst.Index))
                continue
            if isinstance(n, cst.BinaryOperation):
                nodes.extend([n.left, n.right])
                continue
            q = self.client_class(n) if isinstance(n, (cst.Name, cst.Attribute)) else None
            if q is not None:
                return Annotated(azure=self.is_azure_class(q))
        return None

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

    def ctor(self, call: cst.Call, qualified: str, cls: ClassCtx) -> ClientCtor:
        got = self.ctors.get(id(call))
        if got is not None:
            return got
        azure = self.is_azure_class(qualified)
        kwargs: Dict[str, List[cst.BaseExpression]] = {}
        star = False
        resolved = True
        for call_arg in call.args:
            if call_arg.keyword is not None:
                kwargs.setdefault(call_arg.keyword.value, []).append(call_arg.value)
            elif call_arg.star == "**":
                star = True
                entries, ok = self.dict_entries(call_arg.value, cls)
                resolved &= ok
                for k, vs in entries.items():
                    kwargs.setdefault(k, []).extend(vs)
            elif call_arg.star == "*":
                star, resolved = True, False
        literals: List[cst.CSTNode] = []
        if azure:
            target = Target("azure", detail="Azure OpenAI")
            for key in ("azure_endpoint", "base_url"):
                for v in kwargs.get(key, []):
                    t, lits = self.target_of(v, cls, env_fallback=False)
                    literals += lits
                    if t.kind in ("local",):
                        target = t
                    elif t.kind == "azure" and t.host:
                        target = Target("azure", t.host, t.host)
        elif "base_url" in kwargs:
            target, literals = self.targets_of(kwargs["base_url"], cls)
        elif "provider" in kwargs:
            target = Target("other", detail="a cloud provider (provider=)")
        elif "data_residency" in kwargs:
            region = string_value(kwargs["data_residency"][0]) or "<region>"
            host = "api.openai.com" if region == "global" else f"{region}.api.openai.com"
            target = Target("openai", host, f"{host} (data_residency={region!r})")
            literals = [kwargs["data_residency"][0]]
        elif star and not resolved:
            target = Target("dynamic", detail="**kwargs")
        else:
            target = Target("openai", "api.openai.com", "api.openai.com (the default: no base_url)")
        name = dotted_name(call.func) or qualified
        ctor = ClientCtor(
            node=call,
            span=self.c.span(call),
            cls=name,
            qualified=qualified,
            azure=azure or target.kind == "azure",
            target=target,
            target_literals=tuple(literals),
            star_kwargs=star,
            star_kwargs_resolved=resolved,
            keywords=tuple(kwargs),
            hardcoded_keys=self.hardcoded_keys(_keyword_args(call), ("api_key",), cls),
        )
        self.ctors[id(call)] = ctor
        return ctor

    def targets_of(self, exprs: Iterable[cst.BaseExpression], cls: ClassCtx) -> Tuple[Target, List[cst.CSTNode]]:
        best: Optional[Target] = None
        literals: List[cst.CSTNode] = []
        for e in exprs:
            t, lits = self.target_of(e, cls)
            literals += lits
            if best is None or (t.blocked and not best.blocked):
                best = t
        return best or Target("dynamic"), literals

    def target_of(
        self, expr: cst.BaseExpression, cls: ClassCtx, env_fallback: bool = True, skip_falsy: bool = False
    ) -> Tuple[Target, List[cst.CSTNode]]:
        """Where a base-URL expression points. Blocked wins over unknown: one path to OpenAI is enough."""
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            # `os.getenv("OPENAI_BASE_URL") or "https://provider/v1"`: an unset variable yields
            # the right-hand side, not the SDK's default host.
            left, left_lits = self.target_of(expr.left, cls, env_fallback=False, skip_falsy=True)
            right, right_lits = self.target_of(expr.right, cls, env_fallback)
            return self.targets_of_pair(left, right), left_lits + right_lits
        found: List[Target] = []
        literals: List[cst.CSTNode] = []
        for node, _ in self.values_of(expr, cls):
            if skip_falsy and _falsy_literal(node):
                continue
            azure_env = self.azure_endpoint_env(node)
            if azure_env is not None:
                found.append(Target("azure", "", f"Azure OpenAI (${azure_env})"))
                continue
            text = template_value(node) if isinstance(node, cst.BaseExpression) else None
            if text is not None:
                found.append(classify_url(text, self.sdk, self.c.provider_hosts, endpoint=True))
                literals.append(node)
                continue
            if isinstance(node, cst.Name) and node.value == "None":
                found.append(Target("openai", "api.openai.com", "api.openai.com (base_url=None)"))
                continue
            env = self.env_read(node)
            if env is not None:
                name, default = env
                if default is not None:
                    t, lits = self.target_of(default, cls, env_fallback)
                    found.append(t)
                    literals += lits
                elif env_fallback and self.sdk.env_role(name) == "base-url" and isinstance(node, cst.Call):
                    found.append(Target("openai", "api.openai.com", f"api.openai.com (when {name} is unset)"))
                else:
                    found.append(Target("env", detail=f"${name}"))
                continue
            found.append(Target("dynamic"))
        blocked = [t for t in found if t.blocked]
        if blocked:
            return blocked[0], literals
        known = [t for t in found if t.kind not in ("dynamic",)]
        return (known[0] if known else Target("dynamic")), literals

    @staticmethod
    def targets_of_pair(left: Target, right: Target) -> Target:
        """Blocked wins, then anything known over dynamic (as in `target_of`)."""
        for t in (left, right):
            if t.blocked:
                return t
        for t in (left, right):
            if t.kind != "dynamic":
                return t
        return Target("dynamic")

    def azure_endpoint_env(self, node: cst.CSTNode) -> Optional[str]:
        """The Azure endpoint variable a base URL is built on (`os.environ["AZURE_OPENAI_ENDPOINT"]`, also
        as the head of `... + "/openai/deployments/x"` or of an f-string), read with no default: wherever
        it points, it is Azure's endpoint, and a client given it talks to Azure with Azure's key."""
        while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            node = node.left
        if isinstance(node, cst.FormattedString) and node.parts:
            head = node.parts[0]
            if isinstance(head, cst.FormattedStringExpression):
                node = head.expression
        env = self.env_read(node)
        if env is None or env[1] is not None:
            return None
        name = env[0]
        # (projects name it their own way, AZURE_OPENAI_API_BASE, AOAI_ENDPOINT: the prefix says whose it is)
        azure = name.upper().startswith(("AZURE_", "AOAI_")) and self.sdk.env_role(name) == "base-url"
        return name if azure else None

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

    # -- API calls ----------------------------------------------------------------------
    def resource_family(self, segments: List[str]) -> Optional[str]:
        for n in (2, 1):
            if len(segments) > n:
                fam = self.sdk.resources.get(".".join(segments[:n]))
                if fam is not None:
                    return fam
        return None

    def chain_candidates(self, func: cst.BaseExpression) -> List[Tuple[cst.BaseExpression, List[str]]]:
        """Every (receiver, attribute path) split of `a.b.c.d`, innermost receiver last.

        `with_options(...)` / `copy(...)` calls inside the chain are kept in the receiver (they
        return a client), and `with_raw_response` / `with_streaming_response` are dropped from
        the path.
        """
        out: List[Tuple[cst.BaseExpression, List[str]]] = []
        segs: List[str] = []
        node = func
        while isinstance(node, cst.Attribute):
            segs.insert(0, node.attr.value)
            node = node.value
            out.append((node, [s for s in segs if s not in self.sdk.passthrough]))
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in self.sdk.copies
            ):
                break
        return out

    def bound_method(self, call: cst.Call, cls: ClassCtx) -> Optional[ApiCall]:
        """`create = client.chat.completions.create; create(model=...)`, `self._create = openai.ChatCompletion.create`
        (Qwen-Agent): a call through a name or `self.x` bound to an SDK method."""
        func = call.func
        if isinstance(func, cst.Attribute):
            key = self.attr_key(func, cls)
            if key is None or "." in key[1]:
                return None
            candidates = [(v, key[0]) for v in self.c.self_attrs.get((id(key[0]), key[1]), [])]
        elif isinstance(func, cst.Name):
            candidates = [
                (self.c.assign_values[id(n)], cls)
                for n in self.assignments(func)
                if isinstance(n, cst.Name) and id(n) in self.c.assign_values
            ]
        else:
            return None
        for value, value_cls in candidates:
            if isinstance(value, cst.Attribute):
                api = self.classify_call(call, value_cls, func=value)
                if api is not None:
                    return api
        return None

    def classify_call(
        self, call: cst.Call, cls: ClassCtx, func: Optional[cst.BaseExpression] = None
    ) -> Optional[ApiCall]:
        func = call.func if func is None else func
        if not isinstance(func, cst.Attribute):
            return None
        # `openai.embeddings.create(...).model_dump()` is a method of the result, not an SDK call;
        # the inner call is a candidate of its own.
        for q in self.qnames(func) if dotted_name(func) is not None else ():
            head, _, rest = q.partition(".")
            if head not in self.sdk.sdk_modules or not rest:
                continue
            parts = rest.split(".")
            if parts[0] in self.sdk.legacy_resources and len(parts) >= 2:
                family = self.sdk.legacy_resources[parts[0]]
                return self.module_call(call, cls, "v0", ".".join(parts), family)
            fam = self.resource_family([p for p in parts if p not in self.sdk.passthrough])
            if fam is not None:
                return self.module_call(call, cls, "module", ".".join(parts), fam)
        for base, segs in self.chain_candidates(func):
            fam = self.resource_family(segs) or self.wrapper_method_family(base, segs, cls)
            if fam is None:
                continue
            refs = self.clients_of(base, cls)
            if refs:
                break
        else:
            return None
        ctors = tuple(dict.fromkeys(r for r in refs if isinstance(r, ClientCtor)))
        azure = any(r.azure for r in refs)
        return self.api_call(call, cls, "client", ".".join(segs), fam, ctors, azure=azure)

    def wrapper_method_family(self, base: cst.BaseExpression, segs: List[str], cls: ClassCtx) -> Optional[str]:
        """Methods a client wrapper adds (`instructor.from_openai(client).create(...)`, `.messages.create(...)`):
        their endpoint family, when `base` is such a wrapper's result."""
        methods = _wrapper_methods()
        if not segs or segs[-1] not in methods["methods"]:
            return None
        if any(s not in methods["aliases"] for s in segs[:-1]):
            return None
        for node, _ in self.values_of(base, cls):
            if isinstance(node, cst.Call) and self.qnames(node.func) & self.sdk.wrappers:
                return str(methods["methods"][segs[-1]])
        return None

    def wrapper_models(self, call: cst.Call, cls: ClassCtx) -> None:
        """`instructor.from_openai(client, model="gpt-4o")`: a default model for every call through the wrapper."""
        if not call.args or call.args[0].keyword is not None:
            return
        models = [a.value for a in call.args if a.keyword is not None and a.keyword.value == "model"]
        if not models:
            return
        refs = self.clients_of(call.args[0].value, cls)
        owner = next((r for r in refs if isinstance(r, ClientCtor)), None)
        azure = any(r.azure for r in refs)
        for expr in models:
            for node, _ in self.values_of(expr, cls):
                value = string_value(node) if isinstance(node, cst.BaseExpression) else None
                if value is not None and (azure or self.sdk.is_openai_model(value)):
                    self.model_literal(node, value, "model", azure).owner = owner

    def api_call(
        self,
        call: cst.Call,
        cls: ClassCtx,
        via: str,
        path: str,
        family: str,
        ctors: Tuple[ClientCtor, ...],
        azure: bool = False,
    ) -> ApiCall:
        keywords: List[str] = []
        values: Dict[str, List[cst.BaseExpression]] = {}
        for call_arg in call.args:
            if call_arg.keyword is not None:
                keywords.append(call_arg.keyword.value)
                values.setdefault(call_arg.keyword.value, []).append(call_arg.value)
            elif call_arg.star == "**":
                entries, _ = self.dict_entries(call_arg.value, cls)
                for k, vs in entries.items():
                    keywords.append(k)
                    values.setdefault(k, []).extend(vs)
        rf = None
        for v in values.get("response_format", []):
            for node, _ in self.values_of(v, cls):
                if isinstance(node, cst.Dict):
                    entries, _ = self.dict_entries(node, cls)
                    for t in entries.get("type", []):
                        rf = string_value(t) or rf
                elif path.endswith(".parse"):
                    rf = "json_schema"
        tool_choice = None
        for v in values.get("tool_choice", []):
            tool_choice = string_value(v) or tool_choice
        api = ApiCall(
            node=call,
            span=self.c.span(call),
            via=via,
            path=path,
            display=dotted_name(call.func) or path,
            family=family,
            clients=ctors,
            azure=azure,
            keywords=tuple(dict.fromkeys(keywords)),
            response_format=rf,
            tool_choice=tool_choice,
            image_input=self.sends_images(call, values, cls),
            hardcoded_keys=self.hardcoded_keys(_keyword_args(call), ("api_key",), cls) if via == "v0" else {},
        )
        self.model_args(api, values, cls)
        return api

    def model_args(self, api: ApiCall, values: Dict[str, List[cst.BaseExpression]], cls: ClassCtx) -> None:
        sources: List[Tuple[str, cst.BaseExpression]] = []
        for arg in ("model", "engine", "deployment_id"):
            for v in values.get(arg, []):
                sources.append((arg, v))
        if api.via == "v0" and api.path.startswith("Audio.") and api.node.args and api.node.args[0].keyword is None:
            sources.append(("model", api.node.args[0].value))
        static = False
        dynamic: Optional[DynamicModel] = None
        for arg, expr in sources:
            for node, _ in self.values_of(expr, cls):
                value = string_value(node) if isinstance(node, cst.BaseExpression) else None
                if value is not None:
                    static = True
                    if not value.strip():
                        continue  # `model=""`: a placeholder default, not a model or deployment name
                    # v0 `engine="text-davinci-003"` away from Azure names an OpenAI model (openai<1.0
                    # took engine= for model=); on Azure, and `deployment_id=` always, a deployment.
                    deployment = (
                        api.azure or arg == "deployment_id" or (arg == "engine" and not self.sdk.is_openai_model(value))
                    )
                    if deployment or self.sdk.is_openai_model(value):
                        lit = self.model_literal(node, value, arg, deployment)
                        lit.calls.append(api)
                        api.model_literals.append(lit)
                    continue
                origin = self.origin(node)
                if origin and dynamic is None:
                    dynamic = DynamicModel(span=self.c.span(expr), origin=origin)
        # Only a model no literal reaches is "dynamic": a parameter with a literal default is not.
        api.dynamic_model = None if static else dynamic

    def model_literal(self, node: cst.CSTNode, value: str, arg: str, deployment: bool) -> ModelLiteral:
        got = self.models.get(id(node))
        if got is None:
            got = ModelLiteral(node=node, span=self.c.span(node), value=value, arg=arg, azure=deployment)
            self.models[id(node)] = got
        elif got.azure and not deployment:
            # One literal feeding both an Azure deployment and an OpenAI call (gpt-engineer's
            # `model_name="gpt-4-turbo"`) is an OpenAI model id, whichever use was seen first.
            got.azure, got.arg = False, arg
        return got

    def origin(self, node: cst.CSTNode) -> Optional[str]:
        env = self.env_read(node)
        if env is not None:
            return f"environment variable `{env[0]}`"
        if isinstance(node, cst.Param):
            return f"parameter `{node.name.value}`"
        if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
            return None  # `model=None` (a default): the call's other values say where the model comes from
        if isinstance(node, (cst.Attribute, cst.Name, cst.Subscript, cst.Call)):
            text = dotted_name(node) if isinstance(node, (cst.Attribute, cst.Name)) else None
            return f"`{text}`" if text else "a value computed at run time"
        return None

    # -- wrapper libraries (rules/wrappers.toml) -----------------------------------------------
    def wrapper_spec(self, func: cst.BaseExpression) -> Optional[WrapperSpec]:
        wrappers = load_wrappers()
        for q in self.qnames(func):
            if q in wrappers:
                return wrappers[q]
        return None

    def wrapper_ctor(self, call: cst.Call, spec: WrapperSpec, cls: ClassCtx) -> ClientCtor:
        """A LangChain / LlamaIndex class or a LiteLLM call: a client with its model given up front."""
        kwargs: Dict[str, List[cst.BaseExpression]] = {k: [v] for k, v in positional_kwargs(call, spec).items()}
        resolved = True
        from_star: Set[str] = set()  # keywords only a `**dict` supplies
        for call_arg in call.args:
            if call_arg.keyword is not None:
                kwargs.setdefault(call_arg.keyword.value, []).append(call_arg.value)
            elif call_arg.star == "**":
                entries, ok = self.dict_entries(call_arg.value, cls)
                resolved &= ok
                for k, vs in entries.items():
                    kwargs.setdefault(k, []).extend(vs)
                    from_star.add(k)
        from_star -= {a.keyword.value for a in call.args if a.keyword is not None}
        # Old LangChain: `OpenAIEmbeddings(openai_api_type="azure", deployment=...)` is the Azure class in
        # disguise; read (and fix) it as the library's Azure variant (same family, same replacement class).
        api_types = [string_value(v) or "" for a in ("openai_api_type", "api_type") for v in kwargs.get(a, [])]
        if not spec.azure and any(t.lower().startswith("azure") for t in api_types):
            spec = next(
                (
                    w
                    for w in dict.fromkeys(load_wrappers().values())
                    if w.azure and w.family == spec.family and w.fix_class == spec.fix_class and w.fix_class
                ),
                spec,
            )
        literals: List[cst.CSTNode] = []
        models: List[Tuple[cst.CSTNode, str, str, bool, str]] = []  # node, value, arg, deployment, template
        foreign = False
        for arg in spec.model_args:
            for v in kwargs.get(arg, []):
                for node, _ in self.values_of(v, cls):
                    value = string_value(node) if isinstance(node, cst.BaseExpression) else None
                    if value is None:
                        continue
                    deployment, template = spec.azure, "{}"
                    if value.startswith(spec.foreign_model_prefixes or ("\0",)):
                        foreign = True  # AutoGen's `claude-...`: the library's own route to that provider
                        continue
                    if spec.model_prefix:
                        # litellm "openai/...", langchain "openai:..."
                        head, sep, rest = value.partition(spec.model_prefix[-1])
                        if sep and head == "azure":
                            value, deployment, template = rest, True, spec.model_prefix + "{}"
                        elif sep and head == "openai":
                            value, template = rest, spec.model_prefix + "{}"
                        elif sep:
                            foreign = True  # anthropic/..., deepseek/...: not an OpenAI call
                            continue
                        else:
                            template = spec.model_prefix + "{}"
                    if deployment or self.sdk.is_openai_model(value):
                        models.append((node, value, arg, deployment, template))
        for arg in spec.deployment_args:
            for v in kwargs.get(arg, []):
                for node, _ in self.values_of(v, cls):
                    value = string_value(node) if isinstance(node, cst.BaseExpression) else None
                    if value is not None:
                        models.append((node, value, arg, True, "{}"))
        provider_named = [string_value(v) for v in kwargs.get(spec.provider_arg, [])] if spec.provider_arg else []
        if any(p not in spec.provider_values for p in provider_named):
            foreign, models = True, []  # init_chat_model(model_provider="anthropic")
        elif spec.openai_models_only and not models and not provider_named:
            foreign = True  # a model name the library sends elsewhere, or one this file cannot read
        azure = spec.azure or any(m[3] for m in models)
        bases = [v for a in spec.base_url_args for v in kwargs.get(a, [])]
        if foreign and not models and not bases:
            target = Target("other", detail="another LiteLLM provider" if spec.model_prefix else "another provider")
        elif bases:
            target, literals = self.targets_of(bases, cls)
            if azure and target.kind not in ("local", "provider", "other"):
                target = Target("azure", target.host, target.host or "Azure OpenAI")
        elif azure:
            target = Target("azure", detail="Azure OpenAI")
        elif not resolved:
            target = Target("dynamic", detail="**kwargs")
        else:
            target = Target("openai", "api.openai.com", "api.openai.com (the default: no base URL)")
        has_model = any(a in kwargs for a in spec.model_args + spec.deployment_args)
        ctor = ClientCtor(
            node=call,
            span=self.c.span(call),
            cls=dotted_name(call.func) or spec.names[0],
            qualified=spec.names[0],
            azure=azure,
            target=target,
            target_literals=tuple(literals),
            # A base URL or key the `**dict` supplies (maybe only on some paths: `params["api_key"] = k`
            # under an `if`) cannot be passed as a keyword too (TypeError: multiple values): fix leaves a
            # TODO, as for a dict it cannot read.
            star_kwargs=not resolved or bool(from_star & {*spec.base_url_args, *spec.key_args}),
            star_kwargs_resolved=resolved,
            keywords=tuple(kwargs),
            wrapper=spec,
            default_model=None if has_model or spec.function else spec.default_model,
            family=spec.family_of(next(iter(self.qnames(call.func) & set(spec.names)), spec.names[0])),
            hardcoded_keys=self.hardcoded_keys(_keyword_args(call), spec.key_args, cls),
        )
        self.ctors[id(call)] = ctor
        for node, value, arg, deployment, template in models:
            lit = self.model_literal(node, value, arg, deployment)
            lit.owner, lit.template = ctor, template
        return ctor

    def config_dict(self, node: cst.Dict, cls: ClassCtx) -> None:
        """`{"model": "gpt-4", "api_key": ..., "api_type": "azure"}`: an AutoGen-style client configuration."""
        spec = load_config_dict_spec()
        nested = self.nested_config(node)
        entries = _dict_entries(node)
        if nested is False or any(n.provider_key in entries for n in spec.nested):
            # another provider's inner config (mem0's "azure_openai": azure_kwargs), or a flat dict naming its
            # provider (mem0's reranker config, which ignores a base_url entry): not ours to move, nor its key
            held = [entries[k] for k in spec.key_keys if k in entries]
            self.a.held_keys += [(value, "a config dict naming its provider") for value in held]
            return
        if nested is not None:
            spec = spec.inside(nested)
        model_key = next((k for k in spec.model_keys if k in entries), None)
        if model_key is None or not (nested is not None or any(k in entries for k in spec.require_any)):
            return
        api_type = string_value(entries["api_type"]) if "api_type" in entries else None
        azure = bool(api_type and api_type.lower().startswith("azure"))
        models = [
            (n, string_value(n))
            for n, _ in self.values_of(entries[model_key], cls)
            if isinstance(n, cst.BaseExpression) and string_value(n) is not None
        ]
        if not azure and not any(self.sdk.is_openai_model(v) for _, v in models if v):
            return  # some other provider's configuration
        bases = [entries[k] for k in spec.base_url_keys if k in entries]
        literals: List[cst.CSTNode] = []
        if bases:
            target, literals = self.targets_of(bases, cls)
            if azure and target.kind not in ("local", "provider", "other"):
                target = Target("azure", target.host, target.host or "Azure OpenAI")
        elif azure:
            target = Target("azure", detail="Azure OpenAI")
        else:
            target = Target("openai", "api.openai.com", f"api.openai.com (no {spec.fix_base_url_key} in the config)")
        ctor = ClientCtor(
            node=node,
            span=self.c.span(node),
            cls="client config dict" if nested is None else f"{nested.id} config dict",
            qualified="dict",
            azure=azure,
            target=target,
            target_literals=tuple(literals),
            keywords=tuple(entries),
            config_dict=True,
            dict_spec=spec if nested is not None else None,
            family="embeddings" if any(_embedding(self.sdk, v) for _, v in models) else "chat",
            hardcoded_keys=self.hardcoded_keys(entries.items(), spec.key_keys, cls),
        )
        self.ctors[id(node)] = ctor
        for lit_node, value in models:
            if value is not None and (azure or self.sdk.is_openai_model(value)):
                self.model_literal(lit_node, value, model_key, azure).owner = ctor

    def nested_config(self, node: cst.Dict) -> Union[NestedConfigDict, bool, None]:
        """The library whose `{"provider": "openai", "config": node}` holds this dict (mem0); False when the
        provider is another one (`"azure_openai"`, `"ollama"`); None when no such dict holds it."""
        if self._nested is None:
            self._nested = {}
            specs = load_config_dict_spec().nested
            for outer, _ in self.c.dicts if specs else ():
                entries = _dict_entries(outer)
                for n in specs:
                    inner = entries.get(n.config_key)
                    if not isinstance(inner, cst.Dict) or n.provider_key not in entries:
                        continue
                    provider = string_value(entries[n.provider_key])
                    self._nested[id(inner)] = n if provider in n.providers else False
        return self._nested.get(id(node))

    def module_call(self, call: cst.Call, cls: ClassCtx, via: str, path: str, family: str) -> ApiCall:
        """A call through the module client, aimed by the configuration that applies where it is."""
        target = self.module_target(cls)
        api = self.api_call(call, cls, via, path, family, (), azure=target.kind == "azure")
        api.module_target = target
        return api

    # -- module client ----------------------------------------------------------------------
    def module_assigns(self) -> None:
        for assign, target in self.c.attr_assigns:
            for q in self.qnames(target):
                head, _, attr = q.partition(".")
                if head in self.sdk.sdk_modules and attr in self.sdk.module_config:
                    role = self.sdk.module_config[attr]
                    cls, _ = self.c.context_of.get(id(assign), (None, None))
                    ma = ModuleAssign(node=assign, span=self.c.span(assign), attr=attr, role=role, value=assign.value)
                    ma.owner = cls
                    ma.literal = string_value(assign.value)
                    if role == "api-type":
                        ma.literal = self.api_type_value(assign.value, cls)
                    if role == "key":
                        ma.hardcoded_key = self.key_source(assign.value, cls)
                    if role in ("base-url", "azure-endpoint"):
                        ma.target, _ = self.target_of(assign.value, cls, env_fallback=True)
                        if role == "azure-endpoint" and ma.target.kind not in ("local", "provider", "other"):
                            ma.target = Target("azure", ma.target.host, ma.target.host or "Azure OpenAI")
                    self.a.module_assigns.append(ma)
                    break

    def api_type_value(self, expr: cst.BaseExpression, cls: ClassCtx) -> Optional[str]:
        """`openai.api_type = ...`: the literal it is, or its default (`os.getenv("OPENAI_API_TYPE", "azure")`)."""
        for node, _ in self.values_of(expr, cls):
            value = string_value(node) if isinstance(node, cst.BaseExpression) else None
            env = self.env_read(node) if value is None else None
            if env is not None and env[1] is not None:
                value = string_value(env[1])
            if value:
                return value
        return None

    def module_target(self, cls: ClassCtx = None) -> Target:
        """Where the module client goes from code in class `cls` (None: anywhere else).

        Configuration set in a class body or method counts for that class only: one subclass that
        sets `api_type = "azure"` does not make the whole file's module client Azure. Configuration
        at module level or in a plain function (a `configure()` helper) counts everywhere.
        """
        if id(cls) not in self.module_targets:
            assigns = [m for m in self.a.module_assigns if m.owner is None or m.owner is cls]
            self.module_targets[id(cls)] = self.target_of_assigns(assigns)
        return self.module_targets[id(cls)]

    def target_of_assigns(self, assigns: List[ModuleAssign]) -> Target:
        bases = [m for m in assigns if m.role in ("base-url", "azure-endpoint") and m.target]
        azure_type = any(m.role == "api-type" and (m.literal or "").lower().startswith("azure") for m in assigns)
        for m in bases:
            assert m.target is not None
            if m.target.blocked and not (azure_type and m.target.kind == "openai"):
                # (with api_type="azure" the SDK never falls back to api.openai.com: an unset
                # endpoint variable is an error, not OpenAI)
                return m.target
        for m in bases:
            assert m.target is not None
            if m.target.kind in ("local", "provider", "other", "env", "dynamic") and not azure_type:
                return m.target
        if azure_type:
            return Target("azure", detail="Azure OpenAI (api_type='azure')")
        return Target("openai", "api.openai.com", "calls api.openai.com (no base URL set in this file)")

    # -- driver ---------------------------------------------------------------------------
    def index_item_writes(self) -> None:
        for name, key, value in self.c.item_writes:
            for node in self.assignments(name):
                self.c.item_sets.setdefault(id(node), {}).setdefault(key, []).append(value)

    def run(self) -> None:
        self.index_item_writes()
        self.module_assigns()
        # the file's module configuration as a whole (OFR103 and fix judge the assignments by it)
        self.a.module_target = self.target_of_assigns(self.a.module_assigns)
        for m in self.a.module_assigns:
            # `openai.api_base = os.getenv("OPENAI_API_BASE")` beside api_type="azure": unset, it is
            # an error, not api.openai.com
            if m.target is not None and m.target.kind == "openai" and self.module_target(m.owner).kind == "azure":
                m.target = self.module_target(m.owner)
        defaults = default_clients(self)
        for call, cls, _func in self.c.calls:
            q = self.client_class(call.func)
            base = None
            if q is None:
                q, base = self.super_client(call, cls)
            if q is None:
                q, base = self.subclass_ctor(call.func)
            if q is not None:
                ctor = self.ctor(call, q, cls)
                ctor.base = base
                # azure_deployment= names a deployment, like model= on Azure.
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == "azure_deployment":
                        for node, _ in self.values_of(arg.value, cls):
                            value = string_value(node) if isinstance(node, cst.BaseExpression) else None
                            if value is not None:
                                self.model_literal(node, value, "azure_deployment", True).owner = ctor
                continue
            spec = self.wrapper_spec(call.func)
            if spec is not None:
                if not bound_call(self, call, spec, cls, defaults):
                    self.wrapper_ctor(call, spec, cls)
                continue
            if self.qnames(call.func) & self.sdk.wrappers:
                self.wrapper_models(call, cls)
                continue
            api = self.classify_call(call, cls) or self.bound_method(call, cls)
            if api is None:
                continue
            self.a.calls.append(api)
        for node, cls in self.c.dicts:
            self.config_dict(node, cls)
        self.a.clients = list(self.ctors.values())
        self.a.models = list(self.models.values())
        self.a.exports = exports(self)
        self.a.held_keys += default_keys(self)


@lru_cache(maxsize=1)
def _wrapper_methods() -> Dict[str, Dict[str, str]]:
    """rules/openai.toml [clients.wrapper-methods]: methods a wrapper's result adds, and the attributes
    that return the wrapper itself (catalog.SdkSurface does not carry them)."""
    raw = load_toml(rules_dir() / "openai.toml").get("clients", {}).get("wrapper-methods", {})
    return {"methods": dict(raw.get("methods", {})), "aliases": {a: a for a in raw.get("aliases", [])}}


def _embedding(sdk: SdkSurface, model: Optional[str]) -> bool:
    return bool(model) and sdk.is_openai_model(model) and sdk.model_family(model).startswith("embedding")


def _dict_entries(node: cst.Dict) -> Dict[str, cst.BaseExpression]:
    """A dict literal's entries with string keys."""
    out: Dict[str, cst.BaseExpression] = {}
    for el in node.elements:
        if isinstance(el, cst.DictElement):
            key = string_value(el.key)
            if key is not None:
                out[key] = el.value
    return out


def _keyword_args(call: cst.Call) -> List[Tuple[str, cst.BaseExpression]]:
    return [(a.keyword.value, a.value) for a in call.args if a.keyword is not None]


def _is_static(fn: cst.FunctionDef) -> bool:
    return any((dotted_name(d.decorator) or "").rsplit(".", 1)[-1] == "staticmethod" for d in fn.decorators)


def _is_property(fn: cst.FunctionDef) -> bool:
    for d in fn.decorators:
        name = dotted_name(d.decorator) or ""
        if name.rsplit(".", 1)[-1] in ("property", "cached_property"):
            return True
    return False


_IMAGE_PARTS = ("image_url", "input_image")


def _names_in(node: cst.CSTNode) -> List[cst.Name]:
    out: List[cst.Name] = []

    class _V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            out.append(n)

    node.visit(_V())
    return out


def _mentions(node: cst.CSTNode, words: Tuple[str, ...]) -> bool:
    """Whether a string literal inside `node` equals one of `words` (cheap image-input detection)."""
    found = False

    class _V(cst.CSTVisitor):
        def visit_SimpleString(self, n: cst.SimpleString) -> None:
            nonlocal found
            if string_value(n) in words:
                found = True

    node.visit(_V())
    return found
