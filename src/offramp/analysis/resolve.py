"""Turn one file's collected maps into SDK facts: clients, API calls, model literals, module config.

The collector's one traversal records what each name, attribute and call holds; deciding what
holds a client or which literal feeds a `model=` needs the whole file (a client set in
`__init__` is used in a method defined above it), so resolution runs after the traversal, while
the scope metadata is still attached. The layers, each a class built on the one before
(ValueFlow <- TargetResolver <- ClientResolver <- CallResolver <- Resolver): flow.py (where a value
comes from, nothing SDK-specific), targets.py (where a base URL points), clients.py (clients),
calls.py (API calls and the module client); frameworks.py has framework clients and what frameworks
send by themselves.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper

from offramp.analysis.calls import CallResolver
from offramp.analysis.collector import FullCollector
from offramp.analysis.facts import Analysis
from offramp.analysis.frameworks import (
    bound_call,
    default_clients,
    default_keys,
    exports,
    subclass_wrapper,
    wrapper_ctor,
    wrapper_spec,
)
from offramp.analysis.inherited import inherited_models
from offramp.analysis.reopen import reopens
from offramp.analysis.values import string_value
from offramp.catalog import SdkSurface
from offramp.types import Span
from offramp.wrappers import load_wrappers


def collect_and_resolve(
    sdk: SdkSurface,
    provider_hosts: tuple,
    analysis: Analysis,
    wrapper: MetadataWrapper,
    subclass_ctors: Optional[Dict[Span, str]] = None,
    reopened: Optional[Dict[Span, str]] = None,
    module_away: str = "",
    local: FrozenSet[str] = frozenset(),
) -> None:
    """The full collector's traversal, then the resolver, with the collector's metadata attached."""
    collector = FullCollector(sdk, provider_hosts, analysis, wrapper)
    with collector.resolve(wrapper):
        wrapper.module.visit(collector)
        resolver = Resolver(collector)
        resolver.local = local
        resolver.subclass_ctors = {(s.line, s.column): q for s, q in (subclass_ctors or {}).items()}
        resolver.reopened = {(s.line, s.column): name for s, name in (reopened or {}).items()}
        resolver.module_away = module_away
        resolver.run()
        collector.key_uses.mark(analysis.models, lambda n: collector.span(n).line)


class Resolver(CallResolver):
    """Runs the layers over the file's calls and dicts and stores the facts in its `Analysis`."""

    # (line, column) of a construction of the project's subclass of an SDK client -> the SDK class (fix's route
    # gate; set by collect_and_resolve)
    subclass_ctors: Dict[Tuple[int, int], str]
    # (line, column) of a reopening call the routes show in a file without the function it rebuilds -> the name
    # of the program's function to hand it, "" for a TODO (project/reopens.py)
    reopened: Dict[Tuple[int, int], str]

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
                q, base = self.subclass_ctor(call.func, call)
            hinted = None
            if q is None and self.subclass_ctors:  # a project subclass built here, which the routes show
                at = self.c.span(call)
                hinted = self.subclass_ctors.get((at.line, at.column))
                if hinted in self.sdk.openai_clients or hinted in self.sdk.azure_clients:
                    q = hinted
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
                inherited_models(self, call, ctor, cls)
                continue
            spec, kept = wrapper_spec(self, call.func), None
            if spec is None:
                spec, kept = subclass_wrapper(self, call.func, call)
            if spec is None and hinted is not None:  # a framework class's subclass of another module
                spec = load_wrappers().get(hinted)
            if spec is not None:
                if not bound_call(self, call, spec, cls, defaults):
                    wrapper_ctor(self, call, spec, cls).kept_subclass = kept
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
        # (in the order written: the values of a name come from a set, and the notes fix prints about
        # these literals changed order from run to run on vanna's `model = "a" if ... else "b"`)
        self.a.models = sorted(self.models.values(), key=lambda m: (m.span.line, m.span.column))
        self.a.exports = exports(self)
        self.a.reopens = reopens(self)
        self.a.held_keys += default_keys(self)
