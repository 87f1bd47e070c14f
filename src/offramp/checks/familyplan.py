"""`--to chat=deepseek,embeddings=qwen`: which provider each client and request of a file goes to.

A client moves to the provider of the family of the requests it sends (offramp.targets). A client that
sends requests of two families (chat and embeddings through one `client`) is *split*: it moves to the
chat provider, and a second client for the other family is built right after it, in the same scope,
at that family's provider with that provider's key (`client_embeddings = OpenAI(base_url=..., api_key=
os.environ["DASHSCOPE_API_KEY"])`); that family's calls are pointed at it. Host, key and model of each
request still move together (ARCHITECTURE.md, invariant 1).

Splitting needs to see every use of the client: it is done only where the client is bound by a plain
assignment (`client = OpenAI(...)`, `self.client = OpenAI(...)`) and the name is used in this file only
as the receiver of requests. A client handed on (an argument, a return value, an alias), built with
`**kwargs` or positional arguments, or the module-level client (`openai.embeddings.create`: one
configuration for the whole process) is not split: it moves to the chat provider as with a plain
`--to`, and each request of another family through it gets a TODO saying why, so the person
migrating builds that client (never half a migration).

`check` judges each finding against the provider decided here (checks/families.py) and `fix` moves
each client and request there (fixes/families.py builds the second clients of a split).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import libcst as cst

from offramp.analysis.facts import ApiCall, ClientCtor
from offramp.checks.moves import Moves
from offramp.providers import Provider
from offramp.targets import Targets, family_of


@dataclass
class Split:
    """A second client for the requests of `family` through `client`, bound to `name`."""

    client: ClientCtor
    family: str
    provider: Provider
    name: str  # `client_embeddings`, `self.client_embeddings`
    receiver: str  # the original binding as written: `client`, `self.client`
    calls: List[ApiCall] = field(default_factory=list)


@dataclass
class FamilyPlan:
    """Per client and per request of one file: the provider it goes to."""

    clients: Dict[int, Provider] = field(default_factory=dict)  # id(ClientCtor) ->
    calls: Dict[int, Provider] = field(default_factory=dict)  # id(ApiCall.node) ->
    splits: List[Split] = field(default_factory=list)
    # id(ApiCall.node) -> why it goes to the chat provider although its family has another one
    stuck: Dict[int, str] = field(default_factory=dict)


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def plan_families(moves: Moves, targets: Targets) -> FamilyPlan:
    out = FamilyPlan()
    a = moves.a
    default = targets.default
    for c in a.clients:
        if c.wrapper is not None or c.config_dict:
            out.clients[id(c)] = targets.for_family(c.family)
            continue
        if not moves.retargets(c):  # it stays where it is: at a target (a second run), or elsewhere
            host = c.target.host.lower()
            out.clients[id(c)] = next((p for p in targets.providers if host in {h.lower() for h in p.hosts}), default)
            continue
        calls = [call for call in a.calls if any(x is c for x in call.clients)]
        groups: Dict[str, List[ApiCall]] = {}
        for call in calls:
            groups.setdefault(family_of(call.family), []).append(call)
        routed = moves.gate.families_at(c.span)  # as the project's routes see it (project/gate.py)
        sent = [call.family for call in calls] + list(routed)
        unseen = {family_of(f) for f in routed} - set(groups)  # requests this file does not tie to `c`
        one = targets.for_families(sent) if sent else default
        if one is not None:
            out.clients[id(c)] = one
            continue
        out.clients[id(c)] = default
        others = {f: cs for f, cs in groups.items() if targets.for_family(cs[0].family).id != default.id}
        why = "requests offramp cannot tie to it here use it too" if unseen else _unsplittable(moves, c, calls)
        for family, cs in others.items():
            if why is None:
                receiver = _receiver_name(moves, c)
                assert receiver is not None
                name = f"{receiver}_{family}"
                out.splits.append(Split(c, family, targets.for_family(cs[0].family), name, receiver, cs))
            else:
                named = _receiver_name(moves, c)
                client = f"`{named}` (an `{c.cls}` client)" if named else f"its `{c.cls}` client"
                also = ", ".join(sorted(f for f in groups if f != family))
                for call in cs:
                    out.stuck[id(call.node)] = f"{client} also sends {also} requests, and {why}"
    for call in a.calls:
        if call.via == "client" and call.clients:
            found = {p.id: p for p in (out.clients.get(id(x), default) for x in call.clients)}
            provider = next(iter(found.values())) if len(found) == 1 else default
        elif call.via == "client":
            # a client made in another file: its own file moves it (with what the routes say it sends),
            # and the route gate holds this request whole if that is not its family's provider
            provider = targets.for_family(call.family)
        else:
            provider = default  # the module-level client: one configuration, the chat provider's
            if targets.for_family(call.family).id != default.id:
                out.stuck[id(call.node)] = (
                    "it goes through the module-level client, one configuration for every request of the program, "
                    "which offramp does not split"
                )
        out.calls[id(call.node)] = provider
    for s in out.splits:
        for call in s.calls:
            out.calls[id(call.node)] = s.provider
    return out


def _bound_target(moves: Moves, c: ClientCtor) -> Optional[cst.BaseExpression]:
    """The one target of the plain assignment (`client = OpenAI(...)`, `client: OpenAI = OpenAI(...)`)
    whose value is the construction itself."""
    stmt = moves.stmt(c.node)
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    assign = stmt.body[0]
    if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and assign.value is c.node:
        return assign.targets[0].target
    if isinstance(assign, cst.AnnAssign) and assign.value is c.node:
        return assign.target
    return None


def _receiver_name(moves: Moves, c: ClientCtor) -> Optional[str]:
    """`client` / `self.client`: the name the construction is bound to, as written."""
    target = _bound_target(moves, c)
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
        return _code(target)
    return None


def _unsplittable(moves: Moves, c: ClientCtor, calls: List[ApiCall]) -> Optional[str]:
    """Why the client cannot be split safely, or None."""
    if c.base is not None or not isinstance(c.node, cst.Call):
        return "offramp does not rewrite its construction"
    if any(arg.keyword is None for arg in c.node.args):
        return "it is built from positional or `**` arguments"
    if c.azure and any(
        arg.keyword is not None and arg.keyword.value in moves.sdk.azure_only_entries for arg in c.node.args
    ):
        return "its Azure headers or query would go with it"
    receiver = _receiver_name(moves, c)
    if receiver is None:
        return "it is not bound by a plain assignment (`client = OpenAI(...)`)"
    for call in calls:
        if _receiver_of(call.node.func, receiver) is None:
            return f"a request reaches it other than through `{receiver}`"
    family_names = {f"{receiver}_{family_of(call.family)}" for call in calls}
    text = _code(moves.a.module)
    for name in family_names:
        if name.rsplit(".", 1)[-1] in text:
            return f"`{name}` is already a name in this file"
    uses = _uses(moves.a.module, receiver)
    receivers = {id(r) for call in calls for r in [_receiver_of(call.node.func, receiver)] if r is not None}
    receivers.add(id(_bound_target(moves, c)))
    if any(id(u) not in receivers for u in uses):
        return f"`{receiver}` is also used as a value (handed on, returned or aliased): its requests cannot all be seen"
    if "." not in receiver and _exported(moves.a.module, receiver):
        return f"`{receiver}` is listed in `__all__`"
    return None


def _receiver_of(func: cst.BaseExpression, receiver: str) -> Optional[cst.BaseExpression]:
    """The node of `func`'s attribute chain written `receiver` (`client` in `client.embeddings.create`)."""
    node = func
    while isinstance(node, cst.Attribute):
        if _code(node.value) == receiver:
            return node.value
        node = node.value
    return None


def _uses(module: cst.Module, receiver: str) -> List[cst.CSTNode]:
    """Every expression written `receiver` (a Name, or `self.x`) in the module."""
    out: List[cst.CSTNode] = []
    attr = receiver.split(".", 1)[1] if "." in receiver else None

    class Find(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if attr is None and node.value == receiver:
                out.append(node)

        def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
            if attr is not None and node.attr.value == attr and _code(node) == receiver:
                out.append(node)
                return False
            if attr is None:  # `x.client`: an attribute named like the receiver is not a use of it
                node.value.visit(self)
                return False
            return True

    module.visit(Find())
    return out


def _exported(module: cst.Module, name: str) -> bool:
    text = _code(module)
    return "__all__" in text and (f'"{name}"' in text or f"'{name}'" in text)
