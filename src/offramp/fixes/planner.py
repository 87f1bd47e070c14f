"""Decide the edits for one file from its facts: the fix never re-discovers what analysis found.

Each fact the checks report as fixable gets one edit; what cannot be automated gets one
`# TODO[offramp]: ... (OFRnnn)` comment above its statement. Edits are functions applied to
the *updated* node during the transform, so nested edits (a renamed env var inside a client
constructor that is itself rewritten) compose.

This module is the driver and the state one file's planning shares: `Planner.run` (the order the
decisions are taken in, filling a `Plan` of plan.py) and the bookkeeping every part
reads and writes (`kept`, `claimed`, `rewritten`, the provider in use). The decisions themselves
live in one module per subject, each a mixin of `Planner`: key variables (keyvars.py), SDK
clients and their Azure conversion (sdkclients.py), framework wrappers (wrapperclients.py), the
module-level client (moduleclient.py), model and URL literals (literals.py). Mixins rather than
functions taking the planner, because the subjects ask each other as they decide (a client's
key argument asks `written_key` and `shared_key`, the kept keys ask `retargets` and
`module_stays`): each stays one method of one object, wherever it is written. What moves at all
(which clients, which key variables keep their name, the provider per request family) is the
planner's base class `KeptKeys` (checks/moves.py, checks/keptkeys.py, checks/familyplan.py), which
`check` builds on its own to mark a finding `[*]` exactly as `fix` will act. Once 1,909 lines
in one module; split with no change in behaviour (`fix --diff` byte-identical on the corpora).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst

from offramp.analysis.facts import Analysis, ApiCall, ModelLiteral
from offramp.analysis.positions import node_positions
from offramp.catalog import SdkSurface, renamable_key
from offramp.checks.capabilities import told_elsewhere, used_parameters
from offramp.checks.clients import client_code
from offramp.checks.familyplan import plan_families
from offramp.checks.keptkeys import UNTRACED, UNTRACED_TOO, KeptKeys, consumer_label
from offramp.checks.models import call_is_live, call_is_relevant, literal_is_live
from offramp.codes import (
    AZURE_DEPLOYMENT,
    DYNAMIC_MODEL,
    LEGACY_API_CALL,
    OPENAI_ENV_VAR,
    OPENAI_MODEL,
    OPENAI_URL,
    UNSUPPORTED_ENDPOINT,
    UNSUPPORTED_PARAMETER,
)
from offramp.fixes import semantics
from offramp.fixes.crossfile import plan_models
from offramp.fixes.families import plan_splits, stuck_todo
from offramp.fixes.keyreads import KeyReads
from offramp.fixes.keyvars import KeyVariables
from offramp.fixes.literals import Literals
from offramp.fixes.moduleclient import ModuleClient
from offramp.fixes.placement import os_import_site
from offramp.fixes.plan import Plan
from offramp.fixes.planedits import renamed_kwarg
from offramp.fixes.sdkclients import SdkClients
from offramp.fixes.wrapperclients import WrapperClients
from offramp.project.gate import MODEL, OPEN, SEEN, Gate, overlaps
from offramp.providers import ENDPOINT_FAMILIES, Provider
from offramp.syntax.arguments import kwarg_index
from offramp.syntax.tree import module_parents, path_between, statement_around
from offramp.targets import Targets
from offramp.types import Span


class Planner(KeyVariables, SdkClients, WrapperClients, ModuleClient, Literals, KeptKeys):
    """One file's plan: the facts of `a` turned into edits, TODOs and notes for `provider`."""

    def __init__(
        self,
        a: Analysis,
        provider: Provider,
        sdk: SdkSurface,
        models: Dict[str, str],
        region: Optional[str] = None,
        allowed: Optional[Callable[[str, int], bool]] = None,
        in_test: Optional[Callable[[int], bool]] = None,
        gate: Gate = OPEN,
        targets: Optional[Targets] = None,
    ) -> None:
        # What moves (checks/moves.py): the state `check` asks about too.
        KeptKeys.__init__(self, a, provider, sdk, models, allowed=allowed, gate=gate, targets=targets)
        self.own_key = False  # a client moved to a family's own provider always gets that provider's key
        self.region = region
        # line -> is it test code? (testcode.in_test_code): a test's placeholder key stays as it is
        self.in_test = in_test or (lambda line: False)
        self.base = provider.base_url(region).rstrip("/")
        self.plan = Plan()
        self.rewritten: Set[int] = set()  # base URL literals rewritten where they are defined
        self._parents: Optional[Dict[int, cst.CSTNode]] = None  # see path_to
        self._key_reads: Optional[KeyReads] = None  # see never_none

    def note(self, line: int, text: str) -> None:
        self.plan.notes.append((line, text))

    def path_to(self, node: cst.CSTNode) -> List[cst.CSTNode]:
        """The module, ..., `node`. The parent map behind it is built on the first question and kept
        for the others: a whole-tree walk per Azure client made `fix` quadratic (391 s on a
        generated 20k-line module, most of it here)."""
        if self._parents is None:
            self._parents = module_parents(self.a.module)
        return path_between(self._parents, self.a.module, node)

    def line(self, node_span: Span) -> int:
        return int(node_span.line)

    @contextmanager
    def using(self, provider: Provider) -> Iterator[None]:
        """Plan with `provider` (a family's own, fixes/families.py) in place of the chat provider."""
        saved = (self.p, self.base, self.own_key, self.plan.to)
        self.p, self.base = provider, provider.base_url(self.region).rstrip("/")
        self.own_key = self.targets is not None and provider.id != self.targets.default.id
        self.plan.to = provider.id if self.targets is not None else ""
        try:
            yield
        finally:
            self.p, self.base, self.own_key, self.plan.to = saved

    def run(self) -> Plan:
        self.plan.allowed = self.allowed
        if self.targets is not None:
            self.families = plan_families(self, self.targets)
            self.plan.to = self.p.id
        self.kept_keys()
        for c in self.a.clients:
            if self.blocked(c) and self.allowed(client_code(c), c.span.line):
                held = self.stays(c)
                # (a wrapper its library would refuse where fix moved it: its own TODO says why)
                if held is None or (c.wrapper is not None and self.library_refuses(c) is not None):
                    code = client_code(c)
                    with self.using(self.client_provider(c)), self.plan.for_finding(code, c.span):
                        self.client(c)
                elif not any(overlaps(s, c.span) for s in self.own_route_todos()):  # (else the route's TODO says it)
                    self.plan.todo(
                        self.stmt(c.node),
                        f"`{c.cls}` left as it is: {held}; move its host, key and model together",
                        client_code(c),
                        c.span.line,
                    )
        if self.families is not None:
            plan_splits(self, self.families)
        with self.plan.planning(None):  # (each module assignment and call sets its own)
            self.module_config()
        self.exports_off()
        self.reopened()
        self.swap_bound()
        for e in self.a.env:
            if (
                e.node is not None
                and renamable_key(e.name, e.role)
                and e.name != self.p.key_env
                and not (self.targets is not None and any(e.name == p.key_env for p in self.targets.providers))
                and self.allowed(OPENAI_ENV_VAR, e.span.line)
            ):
                if id(e.node) in self.kept:
                    why = self.kept[id(e.node)]
                    if why.startswith("no request "):  # from the route gate: a read on no route
                        text = f"kept `{e.name}`: {why}"
                    elif why.startswith(UNTRACED_TOO):
                        text = (
                            f"kept `{e.name}`: {why}, which offramp cannot trace to a key variable; the "
                            f"variable keeps its name throughout this file"
                        )
                    elif why.startswith(UNTRACED):
                        text = (
                            f"kept `{e.name}`: {why} (renamed, that value would go to {self.p.name}); "
                            f"rename it to `{self.p.key_env}` once it holds your {self.p.name} key"
                        )
                    elif not consumer_label(why):  # from the route gate: why the request stays
                        text = f"kept `{e.name}`: {why} (renamed, it would send the {self.p.name} key there)"
                    else:
                        text = (
                            f"kept `{e.name}`: it feeds {why}, which stays where it is "
                            f"(renamed, it would send the {self.p.name} key there)"
                        )
                    self.plan.notes.append((e.span.line, text))
                    continue
                with self.plan.for_finding(OPENAI_ENV_VAR, e.span):
                    self.env_key(e)
        for lit in self.a.models:
            if lit.also_key:  # a model id also used as a key here is this file's to map (invariant 5), never another's
                self.plan.moves(SEEN, lit.span)
            if literal_is_live(lit, self.a) and self.allowed(
                AZURE_DEPLOYMENT if lit.azure else OPENAI_MODEL, lit.span.line
            ):
                self.plan.moves(SEEN, lit.span)  # this file decides it (a key use may hold it): no other file does
                held = self.gate.stops(lit.span)
                if held is None:
                    code = AZURE_DEPLOYMENT if lit.azure else OPENAI_MODEL
                    with self.using(self.literal_provider(lit)), self.plan.for_finding(code, lit.span):
                        self.model(lit)
                else:
                    self.plan.notes.append((lit.span.line, f"kept model `{lit.value}`: {held}"))
        for call in self.a.calls:
            if (
                call.via == "v0"
                and not self.module_stays()
                and call_is_live(call, self.a)
                and self.allowed(AZURE_DEPLOYMENT, call.span.line)
            ):
                with self.plan.for_finding(LEGACY_API_CALL, call.span):  # (the v0 call's conversion)
                    for old in ("engine", "deployment_id"):
                        if kwarg_index(call.node.args, old) >= 0:
                            self.plan.edit(call.node, renamed_kwarg(old, "model"))
                            self.plan.changes["engine= to model="] += 1
                    self.deployment_in_kwargs(call)
            with self.using(self.call_provider(call)):
                if call_is_relevant(call, self.a, frozenset(self.p.hosts)):
                    self.capabilities(call, rerouted=semantics.plan_call(self, call))
        for provider in self.targets.providers if self.targets is not None else [self.p]:
            with self.using(provider):
                calls = [c for c in self.a.calls if self.call_provider(c).id == provider.id or self.targets is None]
                semantics.plan_file(self, [c for c in calls if call_is_relevant(c, self.a, frozenset(self.p.hosts))])
        for u in self.a.urls:
            if id(u.node) not in self.claimed and self.allowed(OPENAI_URL, u.span.line):
                held = self.gate.stops(u.span)
                if held is None:
                    with self.plan.for_finding(OPENAI_URL, u.span):
                        self.url(u)
                elif u.node is not None:
                    self.plan.todo(
                        self.stmt(u.node),
                        f"URL left as it is: {held}; move its host, key and model together",
                        OPENAI_URL,
                        u.span.line,
                    )
        self.models_for_other_files()
        self.route_todos()
        return self.plan

    def route_todos(self) -> None:
        """The TODOs only the project's routes can write (`Gate.todos`), above the statement at each span."""
        todos = self.own_route_todos()
        if not todos:
            return
        for node, r in node_positions(self.a.module).items():
            found = todos.get(Span(r[0], r[1] + 1, r[2], r[3] + 1))
            if found is not None:
                if self._parents is None:
                    self._parents = module_parents(self.a.module)
                self.plan.todo(statement_around(node, self._parents), found[1], found[0], r[0])

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

    def models_for_other_files(self) -> None:
        """Literals that requests of other files send, which the route gate moves with those requests."""
        moved = [e.span for e in self.plan.effects if e.role == MODEL]
        plan_models(self.plan, self.a.module, self.gate.models, self.allowed, moved)

    def needs_os(self, node: cst.CSTNode) -> None:
        """The edit of `node` reads `os.environ`: `import os` at the top of the file, or in the function
        around it when that function imports the SDK itself (fixes/placement.py says why), or none
        when that function imports `os` already."""
        sdk = self.sdk
        packages = {m.split(".")[0] for m in (*sdk.sdk_modules, *sdk.entry_modules, *sdk.wrapper_modules)}
        kind, site = os_import_site(self.path_to(node), packages)
        if kind == "module":
            self.plan.add_import("os", None)
        if site is None:
            return
        self.plan.before(site, cst.parse_statement("import os\n"))

    def capabilities(self, call: ApiCall, rerouted: bool = False) -> None:
        stmt = self.stmt(call.node)
        why = self.families.stuck.get(id(call.node)) if self.families is not None else None
        if why is not None and self.targets is not None:
            own = self.targets.for_family(call.family)
            self.plan.todo(stmt, stuck_todo(own, call.family, why), UNSUPPORTED_ENDPOINT, call.span.line)
        status = self.p.endpoint(call.family) if call.family in ENDPOINT_FAMILIES else "no"
        if status == "no" and not rerouted:  # (rerouted: fixes/semantics.py sent it to an endpoint served)
            self.plan.todo(
                stmt,
                f"{self.p.name} does not serve the OpenAI `{call.family}` API",
                UNSUPPORTED_ENDPOINT,
                call.span.line,
            )
        if call.family == "chat":
            for param in used_parameters(call):
                if self.p.parameter(param) == "no" and not told_elsewhere(param, self.p):
                    self.plan.todo(
                        stmt, f"{self.p.name} does not support `{param}`", UNSUPPORTED_PARAMETER, call.span.line
                    )
        if (
            call.dynamic_model is not None
            and not call.model_literals
            and not self.gate.settles(call.span, call.dynamic_model.span)
        ):
            self.plan.todo(
                stmt,
                f"model comes from {call.dynamic_model.origin}: set it to a {self.p.name} model",
                DYNAMIC_MODEL,
                call.dynamic_model.span.line,  # (where check reports it: its suppression, its finding)
            )
