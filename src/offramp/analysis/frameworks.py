"""Framework calls that are not routes of their own (rules/wrappers.toml), and what frameworks send by themselves.

A framework object often carries no host or key: the OpenAI Agents SDK's
`OpenAIChatCompletionsModel(model="gpt-4o", openai_client=client)` sends its requests through a client the
code built, and `Agent(model="gpt-4o")` through the default client `set_default_openai_client(client)`
installed. Its model belongs to that client's route, and migrating the client migrates it. A framework
may also call OpenAI on its own (the Agents SDK exports traces to api.openai.com with the default key,
or with the key of the default client): an `Export` the check reports and the fix turns off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

import libcst as cst

from offramp.analysis.facts import Bound, ClientCtor, Export
from offramp.analysis.values import string_value
from offramp.catalog import WrapperSpec, load_exporters, load_wrappers

if TYPE_CHECKING:
    from offramp.analysis.resolve import ClassCtx, Resolver


def positional_kwargs(call: cst.Call, spec: WrapperSpec) -> Dict[str, cst.BaseExpression]:
    """The call's leading positional arguments, by the parameter names the spec gives them."""
    out: Dict[str, cst.BaseExpression] = {}
    for name, arg in zip(spec.positional, call.args):
        if arg.keyword is not None or arg.star:
            break
        out[name] = arg.value
    return out


def setter_parts(entry: str) -> tuple:
    """`agents.set_default_openai_client:client` -> (function, keyword naming the client or provider)."""
    name, _, keyword = entry.partition(":")
    return name, keyword


def default_clients(r: Resolver) -> Dict[str, Optional[ClientCtor]]:
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
    r: Resolver, call: cst.Call, spec: WrapperSpec, cls: ClassCtx, defaults: Dict[str, Optional[ClientCtor]]
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


def _objects_only(r: Resolver, exprs: List[cst.BaseExpression], cls: ClassCtx) -> bool:
    """The values are calls (a model object built here), none a string or an environment read."""
    values = [n for e in exprs for n, _ in r.values_of(e, cls)]
    return bool(values) and all(isinstance(n, cst.Call) and r.env_read(n) is None for n in values)


def _strings(r: Resolver, expr: cst.BaseExpression, cls: ClassCtx) -> List[tuple]:
    out = []
    for node, _ in r.values_of(expr, cls):
        value = string_value(node) if isinstance(node, cst.BaseExpression) else None
        if value is not None:
            out.append((node, value))
    return out


def default_keys(r: Resolver) -> List[Tuple[cst.BaseExpression, str]]:
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
                label = f"`{name.rpartition('.')[2]}` (the default client stays on OpenAI)"
                out += [(given[0], label)] if given else []
    return out


def exports(r: Resolver) -> List[Export]:
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
