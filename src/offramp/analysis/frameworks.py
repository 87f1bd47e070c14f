"""Framework clients (rules/wrappers.toml), framework calls that are not routes of their own, and what
frameworks send by themselves.

A LangChain / LlamaIndex class or a LiteLLM call is a client with its model given up front
(`wrapper_ctor`), read with the same value flow as an SDK constructor.

A framework object often carries no host or key: the OpenAI Agents SDK's
`OpenAIChatCompletionsModel(model="gpt-4o", openai_client=client)` sends its requests through a client the
code built, and `Agent(model="gpt-4o")` through the default client `set_default_openai_client(client)`
installed. Its model belongs to that client's route, and migrating the client migrates it. A framework
may also call OpenAI on its own (the Agents SDK exports traces to api.openai.com with the default key,
or with the key of the default client): an `Export` the check reports and the fix turns off.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst

from offramp.analysis.clients import ClientResolver
from offramp.analysis.facts import Bound, ClientCtor, DynamicModel, Export
from offramp.analysis.flow import ClassCtx, keyword_args
from offramp.analysis.values import Target, dotted_name, string_value
from offramp.wrappers import WrapperSpec, load_exporters, load_wrappers


def positional_kwargs(call: cst.Call, spec: WrapperSpec) -> Dict[str, cst.BaseExpression]:
    """The call's leading positional arguments, by the parameter names the spec gives them."""
    out: Dict[str, cst.BaseExpression] = {}
    for name, arg in zip(spec.positional, call.args):
        if arg.keyword is not None or arg.star:
            break
        out[name] = arg.value
    return out


def wrapper_spec(r: ClientResolver, func: cst.BaseExpression) -> Optional[WrapperSpec]:
    wrappers = load_wrappers()
    for q in r.qnames(func):
        if q in wrappers:
            return wrappers[q]
    return None


def subclass_wrapper(
    r: ClientResolver, func: cst.BaseExpression, call: cst.Call
) -> Tuple[Optional[WrapperSpec], Optional[Tuple[str, str]]]:
    """`MyChat(model=..., api_key=...)` where `class MyChat(ChatOpenAI)` in this module adds methods only:
    the framework class's constructor, so its keywords and defaults (its key variable) are the base's.
    With a base `fix` swaps for another class (AzureChatOpenAI -> ChatOpenAI), also (the base as written,
    the class it would become): reported like its base, but the class itself would have to change, and
    other modules may build it with Azure's arguments, so `fix` leaves a TODO and its key read its name."""
    node = r.inheriting_class(func, call)
    for arg in node.bases if node is not None else ():
        spec = wrapper_spec(r, arg.value)
        if spec is not None and not spec.function:
            swapped = spec.fix_class and spec.fix_class not in spec.names
            written = dotted_name(arg.value) or spec.names[0]
            return spec, (written, spec.fix_class.rpartition(".")[2]) if swapped and spec.fix_class else None
    return None, None


def library_refuses(
    c: ClientCtor, sent: List[str], provider: str, target: Callable[[str], Optional[str]]
) -> Optional[str]:
    """Why the wrapper's library would not take the provider's URL or model as `fix` writes them (rules/wrappers.toml
    `fix-base-url-named`, `fix-model-names`), given the models the client sends and their provider models; None
    when it would. Then host, key and model stay, with a TODO (check: not fixable)."""
    spec = c.wrapper
    if spec is None:
        return None
    if spec.fix_refused:
        return f"`{c.cls}` {spec.fix_refused}"
    swapped = spec.fix_class and spec.fix_class not in spec.names and not spec.function
    loose = (
        [a for a in c.node.args[len(spec.positional) :] if a.keyword is None and not a.star]
        if swapped and isinstance(c.node, cst.Call)
        else []
    )
    if loose:
        # MetaGPT's `AzureChatCompletion(llm.model, llm.base_url, llm.api_key)` (Semantic Kernel 0.x) became
        # `OpenAIChatCompletion(llm.model, llm.base_url, llm.api_key, ...)`: the URL went in as its key, the
        # Azure key as its organization (1.x: its service id and key); the classes order them differently
        other = (spec.fix_class or "").rpartition(".")[2]
        return (
            f"`{c.cls}` is given {len(loose)} argument(s) by position, and `{other}` orders its parameters "
            f"differently: pass them by name"
        )
    if not (spec.fix_model_names or spec.fix_base_url_named):
        return None
    if spec.fix_base_url_named and not set(spec.base_url_args) & set(c.keywords):
        names = " / ".join(f"`{a}=`" for a in spec.base_url_args)
        return f"`{c.cls}` takes its URL as {names} depending on the library's version: name the one yours takes"
    for value in sent or [c.default_model or ""]:
        new = target(value) if value else None
        if new and spec.fix_model_names and not new.lower().startswith(spec.fix_model_names):
            names = "/".join(f"{n}*" for n in spec.fix_model_names)
            return f"`{c.cls}` sends only models named {names}, and {provider}'s is `{new}`"
    return None


def wrapper_ctor(r: ClientResolver, call: cst.Call, spec: WrapperSpec, cls: ClassCtx) -> ClientCtor:
    """A LangChain / LlamaIndex class or a LiteLLM call: a client with its model given up front."""
    kwargs: Dict[str, List[cst.BaseExpression]] = {k: [v] for k, v in positional_kwargs(call, spec).items()}
    resolved = True
    from_star: Set[str] = set()  # keywords only a `**dict` supplies
    for call_arg in call.args:
        if call_arg.keyword is not None:
            kwargs.setdefault(call_arg.keyword.value, []).append(call_arg.value)
        elif call_arg.star == "**":
            entries, ok = r.dict_entries(call_arg.value, cls)
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
    provider_named = [string_value(v) for v in kwargs.get(spec.provider_arg, [])] if spec.provider_arg else []
    # init_chat_model("gpt-4o", model_provider="azure_openai"): an Azure deployment, by the library's AzureChatOpenAI
    azure_named = bool(provider_named) and all(p in spec.provider_azure_values for p in provider_named)
    foreign = False
    static, dynamic = False, None
    for arg in spec.model_args:
        for v in kwargs.get(arg, []):
            for node, _ in r.values_of(v, cls):
                value = string_value(node) if isinstance(node, cst.BaseExpression) else None
                if value is None:
                    origin = r.origin(node)
                    if origin and dynamic is None:
                        dynamic = DynamicModel(span=r.c.span(v), origin=origin, node=v)
                    continue
                static = True
                deployment, template = spec.azure, "{}"
                if value.startswith(spec.foreign_model_prefixes or ("\0",)):
                    foreign = True  # AutoGen's `claude-...`: the library's own route to that provider
                    continue
                if spec.model_prefix:
                    # litellm "openai/...", langchain "openai:..."
                    head, sep, rest = value.partition(spec.model_prefix[-1])
                    if sep and (head == "azure" or head in spec.provider_azure_values):
                        value, deployment, template = rest, True, spec.model_prefix + "{}"
                    elif not sep and azure_named:
                        deployment, template = True, spec.model_prefix + "{}"
                    elif sep and head == "openai":
                        value, template = rest, spec.model_prefix + "{}"
                    elif sep:
                        foreign = True  # anthropic/..., deepseek/...: not an OpenAI call
                        continue
                    else:
                        template = spec.model_prefix + "{}"
                if deployment or r.sdk.is_openai_model(value):
                    models.append((node, value, arg, deployment, template))
    for arg in spec.deployment_args:
        for v in kwargs.get(arg, []):
            for node, _ in r.values_of(v, cls):
                value = string_value(node) if isinstance(node, cst.BaseExpression) else None
                if value is not None:
                    models.append((node, value, arg, True, "{}"))
    if any(p not in (*spec.provider_values, *spec.provider_azure_values) for p in provider_named):
        foreign, models = True, []  # init_chat_model(model_provider="anthropic")
    elif spec.openai_models_only and not models and not provider_named:
        foreign = True  # a model name the library sends elsewhere, or one this file cannot read
    azure = spec.azure or azure_named or any(m[3] for m in models)
    # LiteLLM's `azure=True`: the Azure provider, whatever the model (a variable may be True: taken as Azure too)
    flags = [v for a in spec.azure_flag_args for v in kwargs.get(a, [])]
    azure |= any(not (isinstance(v, cst.Name) and v.value in ("False", "None")) for v in flags)
    bases = [v for a in spec.base_url_args for v in kwargs.get(a, [])]
    if foreign and not models and not bases:
        target = Target("other", detail="another LiteLLM provider" if spec.model_prefix else "another provider")
    elif bases:
        target, literals = r.targets_of(bases, cls)
        if azure:
            target = target.for_azure_client()
    elif azure:
        target = Target("azure", detail="Azure OpenAI")
    elif not resolved:
        target = Target("dynamic", detail="**kwargs")
    else:
        target = Target("openai", "api.openai.com", "api.openai.com (the default: no base URL)")
    has_model = any(a in kwargs for a in spec.model_args + spec.deployment_args)
    ctor = ClientCtor(
        node=call,
        span=r.c.span(call),
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
        family=spec.family_of(next(iter(r.qnames(call.func) & set(spec.names)), spec.names[0])),
        hardcoded_keys=r.hardcoded_keys(keyword_args(call), spec.key_args, cls),
    )
    if not static:
        # (a literal default reaching it is not dynamic, as for SDK calls). Beside a deployment too: converted,
        # `AzureOpenAIEmbeddings(deployment=..., model=os.environ["AZURE_EMBEDDING_MODEL_NAME"])` sends that model
        ctor.dynamic_model = dynamic
    r.ctors[id(call)] = ctor
    for node, value, arg, deployment, template in models:
        lit = r.model_literal(node, value, arg, deployment)
        lit.owner, lit.template = ctor, template
    return ctor


def setter_parts(entry: str) -> tuple:
    """`agents.set_default_openai_client:client` -> (function, keyword naming the client or provider)."""
    name, _, keyword = entry.partition(":")
    return name, keyword


def default_clients(r: ClientResolver) -> Dict[str, Optional[ClientCtor]]:
    """Setter entry -> the client this file installs as the library default (None: not one it knows, such
    as a model provider object of its own)."""
    entries = {s for spec in load_wrappers().values() for s in spec.default_client_setters}
    out: Dict[str, Optional[ClientCtor]] = {}
    for call, cls, _ in r.c.calls:
        names = r.qnames(call.func)
        for entry in entries:
            name, keyword = setter_parts(entry)
            if name not in names:
                continue
            given = [a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword]
            given += [a.value for a in call.args[:1] if a.keyword is None and not a.star]
            if not given:
                continue
            owner = next((c for c in r.clients_of(given[0], cls) if isinstance(c, ClientCtor)), None)
            out[entry] = owner if out.get(entry) is None else out[entry]
    return out


def bound_call(
    r: ClientResolver, call: cst.Call, spec: WrapperSpec, cls: ClassCtx, defaults: Dict[str, Optional[ClientCtor]]
) -> bool:
    """Whether `call` is no route of its own: it names a client (its model is then that client's), takes a
    model object, or runs on a default client the file installs."""
    kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    kwargs = {**positional_kwargs(call, spec), **kwargs}
    client_exprs = [kwargs[a] for a in spec.client_args if a in kwargs]
    models = [kwargs[a] for a in spec.model_args if a in kwargs]
    owner: Optional[ClientCtor] = None
    if not (spec.base_url_args or spec.key_args or models or spec.default_model):
        return True  # nothing of a route: `RunConfig()` runs each agent on its own model
    if client_exprs:
        refs = [ref for e in client_exprs for ref in r.clients_of(e, cls)]
        owner = next((c for c in refs if isinstance(c, ClientCtor)), None)
    elif spec.model_objects and models and _objects_only(r, models, cls):
        return True  # a model object: the object is the route
    elif any(s in defaults for s in spec.default_client_setters):
        owner = next((defaults[s] for s in spec.default_client_setters if defaults.get(s) is not None), None)
    else:
        return False
    if owner is not None and spec.fix_class and client_exprs:
        r.a.bound.append(Bound(node=call, span=r.c.span(call), spec=spec, owner=owner))
    if owner is None:
        return True  # a client or provider this file cannot see: its models are not ours to judge
    azure = owner.azure
    for expr in models:
        for node, value in _strings(r, expr, cls):
            if azure or r.sdk.is_openai_model(value):
                r.model_literal(node, value, spec.model_args[0], azure).owner = owner
    return True


def _objects_only(r: ClientResolver, exprs: List[cst.BaseExpression], cls: ClassCtx) -> bool:
    """The values are calls (a model object built here), none a string or an environment read."""
    values = [n for e in exprs for n, _ in r.values_of(e, cls)]
    return bool(values) and all(isinstance(n, cst.Call) and r.env_read(n) is None for n in values)


def _strings(r: ClientResolver, expr: cst.BaseExpression, cls: ClassCtx) -> List[tuple]:
    out = []
    for node, _ in r.values_of(expr, cls):
        value = string_value(node) if isinstance(node, cst.BaseExpression) else None
        if value is not None:
            out.append((node, value))
    return out


def default_keys(r: ClientResolver) -> List[Tuple[cst.BaseExpression, str]]:
    """(value, what takes it) of each key the file hands to a library's default client (`default-key-setters`:
    the Agents SDK's `set_default_openai_key(KEY)`), which stays on api.openai.com."""
    entries = [setter_parts(s) for spec in load_wrappers().values() for s in spec.default_key_setters]
    out: List[Tuple[cst.BaseExpression, str]] = []
    for call, _, _ in r.c.calls if entries else ():
        names = r.qnames(call.func)
        for name, keyword in entries:
            if name in names:
                given = [a.value for a in call.args if a.keyword is not None and a.keyword.value == keyword]
                given += [a.value for a in call.args[:1] if a.keyword is None and not a.star]
                label = f"`{name.rpartition('.')[2]}` (what it sets stays on OpenAI)"
                out += [(given[0], label)] if given else []
    return out


def exports(r: ClientResolver) -> List[Export]:
    """Requests a framework this file uses sends by itself (trace export), unless the file turns them off."""
    wrappers = load_wrappers()
    out: List[Export] = []
    for spec in load_exporters():
        on: Set[str] = {q for q, w in wrappers.items() if w.id in spec.wrappers}
        on |= {setter_parts(s)[0] for q in on for s in wrappers[q].default_client_setters} | set(spec.on_calls)
        first: Optional[cst.Call] = None
        off = False
        for call, _, _ in r.c.calls:
            names = r.qnames(call.func)
            if names & set(spec.off_calls):
                off = True
                break
            if first is None and names & on:
                first = call
        if first is not None and not off:
            out.append(Export(node=first, span=r.c.span(first), spec=spec))
    return out
