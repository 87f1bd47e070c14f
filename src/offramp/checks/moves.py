"""What a migration of one file moves: which clients go to the provider, whether the module-level client stays.

`check` marks a finding fixable (`[*]`) and judges each request against its family's provider by what
`fix` will do; `fix` then does it. Both ask these questions of one object, so the answer is written
once: `fix`'s planner (fixes/planner.py) is a `Moves` that also builds the edits, and the checks
(secrets.py, families.py) build a `Moves` of their own and ask it. Nothing here edits a tree or knows
the planner: the decisions that share state with the planner's edits live in its mixins.

The key variables a migration keeps are keptkeys.py's, the provider per request family familyplan.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set

import libcst as cst

from offramp.analysis.facts import Analysis, ApiCall, ClientCtor, ModelLiteral
from offramp.catalog import SdkSurface
from offramp.checks.clients import Left, ModuleLeft, client_code, client_left, module_left, refusal
from offramp.checks.ondata import holds
from offramp.codes import (
    LEGACY_API_CALL,
    MODULE_CLIENT_CALL,
    MODULE_CLIENT_CONFIG,
)
from offramp.mapping import map_model
from offramp.project.gate import MODULE, OPEN, Gate
from offramp.providers import Provider
from offramp.targets import Targets

if TYPE_CHECKING:
    from offramp.checks.familyplan import FamilyPlan


class Moves:
    """One file's decisions for `provider` (or a provider per request family, `targets`)."""

    def __init__(
        self,
        a: Analysis,
        provider: Provider,
        sdk: SdkSurface,
        models: Dict[str, str],
        allowed: Optional[Callable[[str, int], bool]] = None,
        gate: Gate = OPEN,
        targets: Optional[Targets] = None,
    ) -> None:
        self.a = a
        self.p = provider
        self.sdk = sdk
        self.models = models
        # `--to chat=deepseek,embeddings=qwen`: a provider per request family (familyplan.py)
        self.targets = targets if targets is not None and targets.split else None
        self.families: Optional[FamilyPlan] = None
        # Sites the project's routes freeze (project/gate.py): a request through them stays where it is.
        self.gate = gate
        # (code, line) -> may this rule act here? (--select/--ignore, per-file-ignores, suppressions)
        self.allowed = allowed or (lambda code, line: True)
        self.claimed: Set[int] = set()  # nodes an earlier edit already rewrites
        # Key env reads feeding a client left on OpenAI/Azure: they keep their name (see kept_keys).
        self.kept: Dict[int, str] = {}
        self.kept_names: Set[str] = set()
        self.left_literals: Set[int] = set()  # URL literals aiming a client fix leaves on OpenAI
        self.hinted: Set[int] = set()  # constructors retargeted on the route gate's hint (noted once)
        self._module_left: Optional[List[Optional[ModuleLeft]]] = None  # (`module_left`, once asked)

    def note(self, line: int, text: str) -> None:
        """A note for the person migrating; `fix` shows it (the planner keeps it), a check has no use for it."""

    def stmt(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.a.statement_of.get(id(node))

    def client_provider(self, c: ClientCtor) -> Provider:
        return self.families.clients.get(id(c), self.p) if self.families is not None else self.p

    def call_provider(self, call: ApiCall) -> Provider:
        return self.families.calls.get(id(call.node), self.p) if self.families is not None else self.p

    def literal_provider(self, lit: ModelLiteral) -> Provider:
        """The provider a model literal's requests go to: its calls', its wrapper's, else its model's family's."""
        if self.families is None or self.targets is None:
            return self.p
        if lit.calls:
            found = {p.id: p for p in (self.call_provider(c) for c in lit.calls)}
            return next(iter(found.values())) if len(found) == 1 else self.p
        if lit.owner is not None:
            return self.client_provider(lit.owner)
        return self.targets.for_model_family(self.sdk.model_family(lit.value))

    def target_hosts(self) -> Set[str]:
        hosts = self.targets.hosts() if self.targets is not None else self.p.hosts
        return {h.lower() for h in hosts}

    def retargets(self, c: ClientCtor) -> bool:
        """Whether `client` (below) points `c` at the provider, rather than leaving a TODO or nothing."""
        if not (self.blocked(c) and self.allowed(client_code(c), c.span.line)):
            return False
        return self.stays(c) is None and self.client_left(c) is None

    def client_left(self, c: ClientCtor) -> Optional[Left]:
        """Why `fix` gives `c` a TODO rather than moving it to its provider (checks/clients.py decides)."""
        p = self.client_provider(c)
        family = self.targets.for_family if self.targets is not None else None  # (a deployment: its request's)
        target = lambda v: map_model(v, p, self.sdk, self.models).target  # noqa: E731
        return client_left(c, self.a, p, target, self.sdk, self.models, family)

    def stays(self, c: ClientCtor) -> Optional[str]:
        """Why `c` stays where it is, if it does: the route gate holds it (project/gate.py), or it is an
        Azure client in a file whose requests send Azure OpenAI On Your Data (checks/ondata.py)."""
        held = self.gate.stops(c.span)
        return holds(c, self.a) if held is None else held

    def library_refuses(self, c: ClientCtor) -> Optional[str]:
        """Why the wrapper's library would not take what `fix` writes (checks/clients.py `refusal`)."""
        p = self.client_provider(c)
        return refusal(c, self.a, p, lambda v: map_model(v, p, self.sdk, self.models).target)

    def blocked(self, c: ClientCtor) -> bool:
        """Whether `c` goes to OpenAI/Azure: as the file shows, or as the project does (its base URL
        read from a configuration file holding OpenAI's URL or nothing: the route gate's hint)."""
        if c.target.blocked:
            return True
        where = self.gate.config_host(c.span) if not c.azure and c.wrapper is None else None
        if where is None:
            return False
        if id(c) not in self.hinted and self.gate.stops(c.span) is None:  # (held: it gets nothing)
            self.hinted.add(id(c))
            self.note(c.span.line, f"`{c.cls}` took OpenAI's URL from {where}; it now gets {self.p.name}'s URL here")
        return True

    def module_left(self) -> Optional[ModuleLeft]:
        """Why the module-level client stays where it is, as the file shows it (checks/clients.py decides)."""
        if self._module_left is None:
            self._module_left = [module_left(self.a, self.p, self.sdk, self.models)]
        return self._module_left[0]

    @property
    def held(self) -> List[ModelLiteral]:
        """Deployments with no provider model on the Azure module route: while any, it stays whole on Azure."""
        left = self.module_left()
        return left.deployments if left is not None else []

    def module_stays(self) -> bool:
        """Whether the module client goes to OpenAI/Azure and this fix leaves it there: a deployment
        with no provider model holds it (checks/azure_routes.py), or its rules are switched off. Then
        nothing of that route moves: its key variables, its deployments, its `engine=`."""
        target = self.a.module_target
        module_calls = [c for c in self.a.calls if c.via in ("module", "v0")]
        if target is None or not target.blocked or not (self.a.module_assigns or module_calls):
            return False
        first = min([m.span.line for m in self.a.module_assigns] + [c.span.line for c in module_calls])
        return (
            bool(self.held)
            or self.route_held_module() is not None
            or not any(
                self.allowed(code, first) for code in (MODULE_CLIENT_CONFIG, MODULE_CLIENT_CALL, LEGACY_API_CALL)
            )
        )

    def route_held_module(self) -> Optional[str]:
        """Why the route gate holds this file's module-level client where it is, if it does (or, where no
        route judges it, why its key holds it: checks/modulekey.py)."""
        held = self.gate.stops(MODULE)
        if held is None:
            held = next((r for m in self.a.module_assigns for r in [self.gate.stops(m.span)] if r), None)
        left = self.module_left() if held is None and self.a.module_assigns else None
        if left is not None and left.caller_key:
            held = f"its key is what the caller passes as `{left.caller_key}`, which may be an OpenAI key"
        return held
