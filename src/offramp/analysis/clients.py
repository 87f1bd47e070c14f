"""Which SDK client a value is, and where a client sends its requests.

A client is a constructor call of an SDK client class (also through a subclass, a factory, a
`cls = AsyncOpenAI if a else OpenAI` choice, a `getattr(openai, "OpenAI")`), a framework's client
(analysis/frameworks.py), or a configuration dict a library turns into one (AutoGen's
`config_list`, mem0's `{"provider": "openai", "config": {...}}`). Its target (where its base URL
points: targets.py) and its model literals are the facts the checks and the fix plan work from.
Values are followed with flow.py's `ValueFlow`; the calls made through these clients are calls.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Literal, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from offramp.analysis.collector import FullCollector
from offramp.analysis.facts import ClientCtor, ModelLiteral
from offramp.analysis.flow import MAX_DEPTH, ClassCtx, keyword_args
from offramp.analysis.targets import TargetResolver
from offramp.analysis.values import Target, dotted_name, string_value
from offramp.catalog import SdkSurface
from offramp.wrappers import ConfigDictSpec, NestedConfigDict, TypedConfigDict, load_config_dict_spec


@dataclass(frozen=True)
class Annotated:
    """A client known only by its type annotation (a parameter `client: OpenAI`)."""

    azure: bool


ClientRef = Union[ClientCtor, Annotated]


class ClientResolver(TargetResolver):
    """Clients, their targets and their model literals, one file at a time (`ctors`, `models`: by node id)."""

    def __init__(self, c: FullCollector) -> None:
        super().__init__(c)
        self.a = c.a
        self.ctors: Dict[int, ClientCtor] = {}
        self.models: Dict[int, ModelLiteral] = {}
        # inner dicts of mem0-style configs (False: another provider's)
        self._nested: Optional[Dict[int, Union[NestedConfigDict, Literal[False]]]] = None
        # `langfuse.openai.openai` is `openai`: drop-in modules (entry modules outside the SDK's packages)
        self._dropins = tuple(
            f"{m}." for m in sorted(self.sdk.entry_modules) if m.split(".")[0] not in self.sdk.sdk_modules
        )

    def renamed(self, names: Set[str]) -> Set[str]:
        if names and self._dropins:
            # `from langfuse.openai import openai`: a drop-in module re-exports the SDK module itself
            return {self.sdk.undropped(q) for q in names}
        return names

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

    def subclass_ctor(
        self, func: cst.BaseExpression, call: Optional[cst.Call] = None
    ) -> Tuple[Optional[str], Optional[cst.BaseExpression]]:
        """`Chat(api_key=..., azure_endpoint=...)` where `class Chat(AzureOpenAI)` in this module has no
        `__init__` of its own: the call is the SDK constructor, so its arguments say where the client goes
        and with which key (left unseen, the key read was renamed while the endpoint stayed Azure)."""
        node = self.inheriting_class(func, call)
        return self.sdk_base_of(node.bases) if node is not None else (None, None)

    def inheriting_class(self, func: cst.BaseExpression, call: Optional[cst.Call] = None) -> Optional[cst.ClassDef]:
        """The class of this module `func` names, when calling it calls its base's constructor with the same
        keywords: it has no `__init__` / `__new__` of its own, or (for a `call` by keywords only) an
        `__init__` that hands every parameter on to `super().__init__` by name, `**kwargs` included."""
        if not isinstance(func, cst.Name):
            return None
        for node in self.assignments(func):
            if not isinstance(node, cst.ClassDef):
                continue
            body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
            if any(isinstance(st, cst.FunctionDef) and st.name.value == "__new__" for st in body):
                return None
            init = next((st for st in body if isinstance(st, cst.FunctionDef) and st.name.value == "__init__"), None)
            if init is None:
                return node
            by_keyword = call is not None and all(a.keyword is not None or a.star == "**" for a in call.args)
            return node if by_keyword and _forwarding_init(init) else None
        return None

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
                classes = {
                    q
                    for seq in self.sequences_of(func.value, None, 0, set()) + self.dict_values_of(func.value)
                    for q in (self.client_class(e, depth + 1) for e in seq)
                    if q is not None
                }
                if classes and len({self.is_azure_class(q) for q in classes}) == 1:
                    return sorted(classes)[0]
            elif isinstance(func, cst.Call) and self.callee(func.func) == "getattr" and len(func.args) >= 2:
                # getattr(openai, "AsyncOpenAI"), getattr(openai, "AsyncOpenAI" if a else "OpenAI")
                names = {
                    string_value(n)
                    for n, _ in self.values_of(func.args[1].value, None)
                    if isinstance(n, cst.BaseExpression)
                }
                clients = self.sdk.openai_clients | self.sdk.azure_clients
                for q in self.qnames(func.args[0].value):
                    classes = (
                        {f"{q}.{n}" for n in names if n and f"{q}.{n}" in clients}
                        if q in self.sdk.sdk_modules
                        else set()
                    )
                    if classes and len({self.is_azure_class(f) for f in classes}) == 1:
                        return sorted(classes)[0]
        return None

    def is_azure_class(self, qualified: str) -> bool:
        return qualified in self.sdk.azure_clients

    def clients_of(
        self, expr: cst.BaseExpression, cls: ClassCtx, depth: int = 0, seen: Optional[Set[int]] = None
    ) -> List[ClientRef]:
        seen = set() if seen is None else seen
        if depth > MAX_DEPTH or id(expr) in seen:
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
            q = self.client_class(expr.func) or self.subclass_ctor(expr.func, expr)[0]
            if q is not None:  # (a subclass's construction too: the requests through it are its base's)
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
                    out += self.own_instances(node)
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

    def own_instances(self, param: cst.Param) -> List[ClientRef]:
        """`self` in a method of `class Tuned(OpenAI)`: the constructions of that class in this module that
        are its base's constructor (`Tuned(api_key=...)`), so `self.chat.completions.create(model=...)` is
        a request of theirs, its model checked and mapped with them (fix's route gate rewrote it while
        check, seeing no client, said nothing)."""
        fn = self.c.param_owner.get(id(param))
        klass = self.c.func_class.get(id(fn)) if fn is not None else None
        if fn is None or klass is None or not fn.params.params or fn.params.params[0] is not param:
            return []
        decorators = {(dotted_name(d.decorator) or "").rpartition(".")[2] for d in fn.decorators}
        q, _ = self.sdk_base_of(klass.bases)
        if q is None or decorators & {"staticmethod", "classmethod"}:
            return []
        return [
            self.ctor(call, q, call_cls)
            for call, call_cls, _ in self.c.calls
            if isinstance(call.func, cst.Name)
            and call.func.value == klass.name.value
            and self.inheriting_class(call.func, call) is klass
        ]

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
        """`OpenAI`, `openai.AsyncAzureOpenAI`, `Optional[OpenAI]`, `OpenAI | None`, "OpenAI". Azure only when every
        client class it names is: `AsyncOpenAI | AsyncAzureOpenAI` (khoj) may be a plain client aimed at any server,
        whose model ids are no Azure deployments."""
        nodes: List[cst.BaseExpression] = [ann]
        found: List[bool] = []
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
                found.append(self.is_azure_class(q))
        return Annotated(azure=all(found)) if found else None

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
        elif qualified in self.sdk.cloud_clients:  # BedrockOpenAI: AWS, whatever its arguments
            target = Target("other", detail=f"{self.sdk.cloud_clients[qualified]} ({qualified.rsplit('.', 1)[-1]})")
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
            hardcoded_keys=self.hardcoded_keys(keyword_args(call), ("api_key",), cls),
        )
        self.ctors[id(call)] = ctor
        return ctor

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

    def config_dict(self, node: cst.Dict, cls: ClassCtx) -> None:
        """`{"model": "gpt-4", "api_key": ..., "api_type": "azure"}`: an AutoGen-style client configuration."""
        spec = load_config_dict_spec()
        nested = self.nested_config(node)
        entries = _dict_entries(node)
        typed = next((t for t in spec.typed if t.type_key in entries), None)
        if typed is not None:
            self.typed_config(node, entries, spec, typed, cls)
            return
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
            if azure:
                target = target.for_azure_client()
        elif azure:
            target = Target("azure", detail="Azure OpenAI")
        else:
            target = Target("openai", "api.openai.com", f"api.openai.com (no {spec.fix_base_url_key} in the config)")
        family = "embeddings" if any(_embedding(self.sdk, v) for _, v in models) else "chat"
        name = "client config dict" if nested is None else f"{nested.id} config dict"
        ctor = self.dict_ctor(node, entries, name, (target, literals), spec, nested is not None, family, azure, cls)
        for lit_node, value in models:
            if value is not None and (azure or self.sdk.is_openai_model(value)):
                self.model_literal(lit_node, value, model_key, azure).owner = ctor

    def dict_ctor(
        self,
        node: cst.Dict,
        entries: Dict[str, cst.BaseExpression],
        name: str,
        aim: Tuple[Target, List[cst.CSTNode]],
        spec: ConfigDictSpec,
        own_keys: bool,
        family: str,
        azure: bool,
        cls: ClassCtx,
    ) -> ClientCtor:
        """The client a config dict configures (`own_keys`: the spec's key names are the library's own)."""
        ctor = ClientCtor(
            node=node,
            span=self.c.span(node),
            cls=name,
            qualified="dict",
            azure=azure,
            target=aim[0],
            target_literals=tuple(aim[1]),
            keywords=tuple(entries),
            config_dict=True,
            dict_spec=spec if own_keys else None,
            family=family,
            hardcoded_keys=self.hardcoded_keys(entries.items(), spec.key_keys, cls),
        )
        self.ctors[id(node)] = ctor
        return ctor

    def typed_config(
        self,
        node: cst.Dict,
        entries: Dict[str, cst.BaseExpression],
        spec: ConfigDictSpec,
        typed: TypedConfigDict,
        cls: ClassCtx,
    ) -> None:
        """agentscope's `{"model_type": "openai_chat", "model_name": "gpt-4", "api_key": ...}`: a client
        configuration when its type is one of the library's OpenAI types; its base URL in `client_args`."""
        family = dict(typed.types).get(string_value(entries[typed.type_key]) or "")
        model_key = next((k for k in typed.model_keys if k in entries), None)
        if family is None or model_key is None:
            if family is None:  # another provider's type (`dashscope_chat`): its key is not ours to rename
                self.a.held_keys += [
                    (entries[k], "a config dict naming its provider") for k in typed.key_keys if k in entries
                ]
            return
        spec = spec.typed_as(typed)
        inner = entries.get(typed.client_key)
        bases = [v for k, v in _dict_entries(inner).items() if k == "base_url"] if isinstance(inner, cst.Dict) else []
        literals: List[cst.CSTNode] = []
        if bases:
            target, literals = self.targets_of(bases, cls)
        elif inner is not None and not isinstance(inner, cst.Dict):
            target = Target("dynamic", detail=f"`{typed.client_key}` computed at run time")
        else:
            target = Target("openai", "api.openai.com", f"api.openai.com (no base_url in `{typed.client_key}`)")
        ctor = self.dict_ctor(
            node, entries, f"{typed.id} config dict", (target, literals), spec, True, family, False, cls
        )
        for lit_node, _ in self.values_of(entries[model_key], cls):
            value = string_value(lit_node) if isinstance(lit_node, cst.BaseExpression) else None
            if value is not None and self.sdk.is_openai_model(value):
                self.model_literal(lit_node, value, model_key, False).owner = ctor

    def nested_config(self, node: cst.Dict) -> Union[NestedConfigDict, Literal[False], None]:
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


def _is_property(fn: cst.FunctionDef) -> bool:
    for d in fn.decorators:
        name = dotted_name(d.decorator) or ""
        if name.rsplit(".", 1)[-1] in ("property", "cached_property"):
            return True
    return False


def _dict_entries(node: cst.Dict) -> Dict[str, cst.BaseExpression]:
    """A dict literal's entries with string keys."""
    out: Dict[str, cst.BaseExpression] = {}
    for el in node.elements:
        if isinstance(el, cst.DictElement):
            key = string_value(el.key)
            if key is not None:
                out[key] = el.value
    return out


def _embedding(sdk: SdkSurface, model: Optional[str]) -> bool:
    if not model:
        return False
    return sdk.is_openai_model(model) and sdk.model_family(model).startswith("embedding")


def _forwarding_init(fn: cst.FunctionDef) -> bool:
    """`def __init__(self, api_key=None, **kwargs): super().__init__(api_key=api_key, **kwargs)`: every
    parameter goes to the base's constructor under its own name, nothing else is done but a docstring
    and `self.x = <parameter>`; so a keyword the caller adds (`base_url=`) reaches the base too."""
    ps = fn.params
    if ps.posonly_params or ps.star_kwarg is None or not ps.params:
        return False
    names = {p.name.value for p in [*ps.params[1:], *ps.kwonly_params]}
    star = ps.star_kwarg.name.value
    args = ps.star_arg.name.value if isinstance(ps.star_arg, cst.Param) else None  # `*args`, handed on as `*args`
    supers = 0
    for st in fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ():
        small = st.body[0] if isinstance(st, cst.SimpleStatementLine) and len(st.body) == 1 else None
        value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
        if isinstance(small, cst.Expr) and isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            continue  # the docstring
        if (
            isinstance(small, cst.Assign)
            and isinstance(value, cst.Name)
            and value.value in names | {star}
            and all(isinstance(t.target, cst.Attribute) for t in small.targets)
        ):
            continue  # self.api_key = api_key
        call = value if isinstance(small, cst.Expr) else None
        func = call.func if isinstance(call, cst.Call) else None
        if not (
            isinstance(call, cst.Call)
            and isinstance(func, cst.Attribute)
            and func.attr.value == "__init__"
            and isinstance(func.value, cst.Call)
            and isinstance(func.value.func, cst.Name)
            and func.value.func.value == "super"
        ):
            return False
        given = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        stars = [a.value for a in call.args if a.star == "**"]
        rest = [a.value for a in call.args if a.star == "*"]
        if args is not None and [r.value for r in rest if isinstance(r, cst.Name)] != [args]:
            return False
        if len(given) + len(stars) + len(rest) != len(call.args) or not names <= set(given):
            return False
        if any(not (isinstance(v, cst.Name) and v.value == k) for k in names for v in [given[k]]):
            return False
        if any(not _plain_setting(k, v) for k, v in given.items() if k not in names):
            return False
        if len(stars) != 1 or not (isinstance(stars[0], cst.Name) and stars[0].value == star):
            return False
        supers += 1
    return supers == 1


def _plain_setting(keyword: str, value: cst.BaseExpression) -> bool:
    """`max_retries=0`, `timeout=30.0` that a forwarding `__init__` adds: a literal for no argument that says
    where the client goes, with which key or model (`fix` adds those at the construction instead)."""
    if any(w in keyword for w in ("key", "url", "base", "endpoint", "model", "deployment", "client", "token")):
        return False
    return isinstance(value, (cst.SimpleString, cst.Integer, cst.Float)) or (
        isinstance(value, cst.Name) and value.value in ("True", "False", "None")
    )
