"""The SDK calls of one file: which endpoint family, through which client, with which model.

A call is an API call when its attribute chain names an SDK resource (`client.chat.completions.create`,
also through `with_options(...)`, a method bound to a name, a wrapper's added methods such as
instructor's `create`) on something clients.py resolves to a client, or when it goes through the
module client (`openai.chat.completions.create`, v0 `openai.ChatCompletion.create`), whose target
is the module configuration (`openai.base_url = ...`, `api_type`) that applies where the call is.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import libcst as cst

from offramp.analysis.clients import ClientResolver
from offramp.analysis.collector import FullCollector
from offramp.analysis.facts import ApiCall, ClientCtor, DynamicModel, ModuleAssign
from offramp.analysis.flow import ClassCtx, keyword_args
from offramp.analysis.values import Target, classify_url, dotted_name, string_value
from offramp.catalog import rules_file
from offramp.hosts import may_name_deployment

_IMAGE_PARTS = ("image_url", "input_image")


class CallResolver(ClientResolver):
    """API calls and the module client's configuration (`module_targets`: per class, where module calls go)."""

    def __init__(self, c: FullCollector) -> None:
        super().__init__(c)
        self.module_targets: Dict[int, Target] = {}  # id(class) -> where module calls there go
        # Where the module client goes where this file sets none of its host, when the routes show it configured in
        # another module for a local server, a provider or another host that is not OpenAI's or Azure's (fix's
        # route gate, `Gate.module_away`): "" where they do not, then the SDK's default, api.openai.com
        self.module_away = ""

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
            candidates: List[Tuple[cst.BaseExpression, ClassCtx]] = [
                (v, key[0]) for v in self.c.self_attrs.get((id(key[0]), key[1]), [])
            ]
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
            hardcoded_keys=self.hardcoded_keys(keyword_args(call), ("api_key",), cls) if via == "v0" else {},
        )
        self.model_args(api, values, cls)
        return api

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
                    if deployment and arg == "model" and any(not c.azure for c in api.clients):
                        # a request through an Azure client or a plain one (python-openai-demos' API_HOST switch):
                        # a value no Azure deployment can be named (`openai/gpt-4o`) is the plain branch's model
                        deployment = may_name_deployment(value)
                    if deployment or self.sdk.is_openai_model(value):
                        lit = self.model_literal(node, value, arg, deployment)
                        lit.calls.append(api)
                        api.model_literals.append(lit)
                    else:
                        api.other_models.append(value)
                    continue
                origin = self.origin(node)
                if origin and dynamic is None:
                    dynamic = DynamicModel(span=self.c.span(expr), origin=origin, node=expr)
        # Only a model no literal reaches is "dynamic": a parameter with a literal default is not.
        api.dynamic_model = None if static else dynamic

    def module_call(self, call: cst.Call, cls: ClassCtx, via: str, path: str, family: str) -> ApiCall:
        """A call through the module client, aimed by the configuration that applies where it is."""
        target = self.module_target(cls)
        api = self.api_call(call, cls, via, path, family, (), azure=target.kind == "azure")
        api.module_target = target
        return api

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
        clouds = [self.sdk.cloud_api_types.get((m.literal or "").lower()) for m in assigns if m.role == "api-type"]
        if any(clouds):  # api_type = "amazon-bedrock": the module client is a BedrockOpenAI
            return Target("other", detail=f"{next(c for c in clouds if c)} (api_type)")
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
        if self.module_away:  # (a provider's host as one file's `openai.api_base = "https://..."` makes it)
            away = classify_url(f"https://{self.module_away}/", self.sdk, self.c.provider_hosts, endpoint=True)
            return away if away.kind == "provider" else Target("other", detail=self.module_away)
        return Target("openai", "api.openai.com", "calls api.openai.com (no base URL set in this file)")


@lru_cache(maxsize=1)
def _wrapper_methods() -> Dict[str, Dict[str, str]]:
    """rules/openai.toml [clients.wrapper-methods]: methods a wrapper's result adds, and the attributes
    that return the wrapper itself (catalog.SdkSurface does not carry them)."""
    raw = rules_file("openai.toml").get("clients", {}).get("wrapper-methods", {})
    return {"methods": dict(raw.get("methods", {})), "aliases": {a: a for a in raw.get("aliases", [])}}


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
