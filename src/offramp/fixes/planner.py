"""Collect the edits for one file from its facts: the fix never re-discovers what analysis found, nor decides again
what `check` decided.

`Planner.run` is the driver: the order one file's facts are planned in (clients, module client, key variables,
model literals, requests, URLs, then what the project's routes ask), filling a `Plan` of plan.py; and the state
the parts share (`kept`, `claimed`, `rewritten`, the provider in use). Whether a fact moves is decided once, in
checks/, for `check`'s `[*]` and `fix` alike: a client (checks/clients.py `client_left`, checks/moves.py
`retargets`), a URL (`url_left`), a key variable (checks/keptkeys.py `key_left`), a request's gaps at the provider
(checks/capabilities.py `call_gaps`), the provider per request family (checks/familyplan.py, checks/moves.py
`literal_provider`). Each part turns a decided fact into edits, TODOs and notes, one module per subject, each a
mixin of `Planner`: key variables (keyvars.py), SDK clients and their Azure conversion (sdkclients.py), framework
wrappers (wrapperclients.py), the module-level client (moduleclient.py), model and URL literals (literals.py),
requests (requests.py). Mixins rather than functions taking the planner, because the parts ask each other as they
build (a client's key argument asks `written_key` and `shared_key`).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Set

import libcst as cst

from offramp.analysis.facts import Analysis, DynamicModel
from offramp.catalog import SdkSurface
from offramp.checks.familyplan import plan_families
from offramp.checks.keptkeys import KeptKeys
from offramp.fixes.families import plan_splits
from offramp.fixes.keyreads import KeyReads
from offramp.fixes.keyvars import KeyVariables
from offramp.fixes.literals import Literals
from offramp.fixes.moduleclient import ModuleClient
from offramp.fixes.placement import os_import_site
from offramp.fixes.plan import Plan
from offramp.fixes.requests import Requests
from offramp.fixes.sdkclients import SdkClients
from offramp.fixes.wrapperclients import WrapperClients
from offramp.project.gate import OPEN, Gate
from offramp.providers import Provider
from offramp.syntax.tree import module_parents, path_between, statement_around
from offramp.targets import Targets
from offramp.types import Span


class Planner(KeyVariables, SdkClients, WrapperClients, ModuleClient, Literals, Requests, KeptKeys):
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
        env_defaults: Optional[Dict[str, str]] = None,
    ) -> None:
        # What moves (checks/moves.py): the state `check` asks about too.
        KeptKeys.__init__(self, a, provider, sdk, models, allowed=allowed, gate=gate, targets=targets)
        self.own_key = False  # a client moved to a family's own provider always gets that provider's key
        self.region = region
        # the variables of the project's `.env` nearest to the file (fixes/envdefaults.py): a framework's default model
        self.env_defaults = env_defaults or {}
        # line -> is it test code? (testcode.in_test_code): a test's placeholder key stays as it is
        self.in_test = in_test or (lambda line: False)
        self.base = provider.base_url(region).rstrip("/")
        self.plan = Plan()
        self.rewritten: Set[int] = set()  # base URL literals rewritten where they are defined
        self._parents: Optional[Dict[int, cst.CSTNode]] = None  # see parents
        self._key_reads: Optional[KeyReads] = None  # see never_none

    def note(self, line: int, text: str) -> None:
        self.plan.notes.append((line, text))

    def parents(self) -> Dict[int, cst.CSTNode]:
        """Each node's parent (by id). Built on the first question and kept for the others: a whole-tree walk
        per Azure client made `fix` quadratic (391 s on a generated 20k-line module, most of it in `path_to`)."""
        if self._parents is None:
            self._parents = module_parents(self.a.module)
        return self._parents

    def path_to(self, node: cst.CSTNode) -> List[cst.CSTNode]:
        """The module, ..., `node`."""
        return path_between(self.parents(), self.a.module, node)

    def model_stmt(self, model: DynamicModel, stmt: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]:
        """Where the "model comes from ..." TODO of a run-time `model` goes: above the statement that holds it,
        where check reports it (checks/models.py), else `stmt` (the request's or the client's)."""
        if model.node is None:
            return stmt
        return statement_around(model.node, self.parents()) or stmt

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
            self.client_site(c)
        if self.families is not None:
            plan_splits(self, self.families)
        with self.plan.planning(None):  # (each module assignment and call sets its own)
            self.module_config()
        self.exports_off()
        self.reopened()
        self.swap_bound()
        for e in self.a.env:
            self.env_var(e)
        for lit in self.a.models:
            self.model_literal(lit)
        for call in self.a.calls:
            self.request(call)
        self.file_requests()
        for u in self.a.urls:
            self.url_literal(u)
        self.models_for_other_files()
        self.route_todos()
        return self.plan

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
