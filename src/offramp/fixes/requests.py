"""Plan what a file's requests need: the v0 call's conversion, a TODO for what the provider lacks, and what
only the project's routes know (their TODOs, the model literals other files' requests send).

What the provider lacks for a request is decided once, for `check` and `fix` (checks/capabilities.py
`call_gaps`); here it becomes TODO comments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Tuple, cast

from offramp.analysis.facts import ApiCall
from offramp.analysis.positions import node_positions
from offramp.checks.capabilities import call_gaps
from offramp.checks.models import call_is_live, call_is_relevant
from offramp.codes import AZURE_DEPLOYMENT, DYNAMIC_MODEL, LEGACY_API_CALL, UNSUPPORTED_ENDPOINT, UNSUPPORTED_PARAMETER
from offramp.fixes import semantics
from offramp.fixes.crossfile import plan_models
from offramp.fixes.families import stuck_todo
from offramp.fixes.planedits import renamed_kwarg
from offramp.fixes.planstate import PlannerState
from offramp.project.decision import ENGINE, MODEL
from offramp.syntax.arguments import kwarg_index
from offramp.syntax.tree import statement_around
from offramp.types import Span

if TYPE_CHECKING:
    from offramp.fixes.planner import Planner


class Requests(PlannerState):
    """`Planner`'s part for requests (a mixin: it reads the planner's state, see planner.py)."""

    def request(self, call: ApiCall) -> None:
        """One request: the v0 call's `engine=` / `deployment_id=` become `model=`, then what its provider lacks."""
        if (
            call.via == "v0"
            and not self.module_stays()
            # (a request the routes leave where it is, through `openai.api_base = input("Azure endpoint: ")`: there
            # `deployment_id=` is what the Azure endpoint needs, and `model=` alone fails in openai 0.x)
            and self.gate.stops(call.span) is None
            and call_is_live(call, self.a)
            and self.allowed(AZURE_DEPLOYMENT, call.span.line)
        ):
            if any(kwarg_index(call.node.args, k) >= 0 for k in ("engine", "deployment_id")):
                self.plan.moves(ENGINE, call.span)
            with self.plan.for_finding(LEGACY_API_CALL, call.span):  # (the v0 call's conversion)
                for old in ("engine", "deployment_id"):
                    if kwarg_index(call.node.args, old) >= 0:
                        self.plan.edit(call.node, renamed_kwarg(old, "model"))
                        self.plan.changes["engine= to model="] += 1
                self.deployment_in_kwargs(call)
        with self.using(self.call_provider(call)):
            if call_is_relevant(call, self.a, frozenset(self.p.hosts)):
                self.capabilities(call, rerouted=semantics.plan_call(cast("Planner", self), call))

    def file_requests(self) -> None:
        """What the provider of each request family asks of the file's requests as a whole (fixes/semantics.py)."""
        for provider in self.targets.providers if self.targets is not None else [self.p]:
            with self.using(provider):
                calls = [c for c in self.a.calls if self.call_provider(c).id == provider.id or self.targets is None]
                semantics.plan_file(
                    cast("Planner", self), [c for c in calls if call_is_relevant(c, self.a, frozenset(self.p.hosts))]
                )

    def route_todos(self) -> None:
        """The TODOs only the project's routes can write (`Gate.todos`), above the statement at each span."""
        todos = self.own_route_todos()
        if not todos:
            return
        for node, r in node_positions(self.a.module).items():
            found = todos.get(Span(r[0], r[1] + 1, r[2], r[3] + 1))
            if found is not None:
                self.plan.todo(statement_around(node, self.parents()), found[1], found[0], r[0])

    def own_route_todos(self) -> Dict[Span, Tuple[str, str]]:
        """`Gate.todos` but those on a line where this file's own findings report the client or the module
        configuration (OFR101 / OFR102 / OFR103): `check` drops the route's finding there (checks/routes.py
        COVERED_BY), and the file's own TODO, if any, says what is left."""
        if not self.gate.todos:
            return {}
        lines = {c.span.line for c in self.a.clients if c.target.blocked}
        if self.a.module_target is not None and self.a.module_target.blocked:
            lines |= {m.span.line for m in self.a.module_assigns}
        # (a request this file sees as an SDK call is its own planner's: `capabilities`, or the rewrite of a
        # Responses call into chat completions that fixes/semantics.py makes)
        calls = {c.span.line for c in self.a.calls}
        return {
            s: t
            for s, t in self.gate.todos.items()
            if s.line not in lines and not (t[0] in (UNSUPPORTED_ENDPOINT, DYNAMIC_MODEL) and s.line in calls)
        }

    def deployment_in_kwargs(self, call: ApiCall) -> None:
        """A v0 request of the Azure module route whose deployment may come in a `**` it hands on
        (`openai.ChatCompletion.create(**PARAMS, ...)`, `PARAMS = {"engine": ...}`; AOAISearchDemo hands on its
        settings so): converted, openai 0.x sends it to `/engines/<deployment>/...` at the provider, with no
        model. A TODO, which check reports. (A `**` whose keys offramp cannot read holds the route whole.)"""
        target = call.module_target or self.a.module_target
        if target is None or target.kind != "azure":
            return
        if any(kwarg_index(call.node.args, k) >= 0 for k in ("engine", "deployment_id", "model")):
            return
        star = next((a for a in call.node.args if a.star == "**"), None)
        if star is None:
            return
        code = self.a.module.code_for_node(star.value)
        self.plan.todo(
            self.stmt(call.node),
            f"the Azure deployment may come in `**{code}` (`engine=`, `deployment_id=`): at {self.p.name} the "
            "request needs `model=` instead",
            AZURE_DEPLOYMENT,
            call.span.line,
        )

    def models_for_other_files(self) -> None:
        """Literals that requests of other files send, which the route gate moves with those requests."""
        moved = [e.span for e in self.plan.effects if e.role == MODEL]
        plan_models(self.plan, self.a.module, self.gate.models, self.allowed, moved)

    def capabilities(self, call: ApiCall, rerouted: bool = False) -> None:
        """A TODO for each thing the provider lacks for `call` (checks/capabilities.py `call_gaps` decides)."""
        stmt = self.stmt(call.node)
        why = self.families.stuck.get(id(call.node)) if self.families is not None else None
        if why is not None and self.targets is not None:
            own = self.targets.for_family(call.family)
            self.plan.todo(stmt, stuck_todo(own, call.family, why), UNSUPPORTED_ENDPOINT, call.span.line)
        status, params = call_gaps(call, self.p)
        if status == "no" and not rerouted:  # (rerouted: fixes/semantics.py sent it to an endpoint served)
            self.plan.todo(
                stmt,
                f"{self.p.name} does not serve the OpenAI `{call.family}` API",
                UNSUPPORTED_ENDPOINT,
                call.span.line,
            )
        for param, pstatus in params:
            if pstatus == "no":
                self.plan.todo(stmt, f"{self.p.name} does not support `{param}`", UNSUPPORTED_PARAMETER, call.span.line)
        if (
            call.dynamic_model is not None
            and not call.model_literals
            and not self.gate.settles(call.span, call.dynamic_model.span)
        ):
            self.plan.todo(
                self.model_stmt(call.dynamic_model, stmt),
                f"model comes from {call.dynamic_model.origin}: set it to a {self.p.name} model",
                DYNAMIC_MODEL,
                call.dynamic_model.span.line,  # (where check reports it: its suppression, its finding)
            )
