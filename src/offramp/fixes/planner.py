"""Decide the edits for one file from its facts: the fix never re-discovers what analysis found.

Each fact the checks report as fixable gets one edit; what cannot be automated gets one
`# TODO[offramp]: ... (OFRnnn)` comment above its statement. Edits are functions applied to
the *updated* node during the transform, so nested edits (a renamed env var inside a client
constructor that is itself rewritten) compose.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple
from urllib.parse import urlsplit

import libcst as cst

from offramp.analysis.facts import Analysis, ApiCall, ClientCtor, EnvAccess, ModelLiteral, ModuleAssign, UrlLiteral
from offramp.analysis.values import string_value, template_value
from offramp.catalog import SdkSurface, load_wrappers
from offramp.checks.azure_routes import only_on_azure_module_route, unmapped_module_deployments
from offramp.checks.capabilities import told_elsewhere, used_parameters
from offramp.checks.models import call_is_live, call_is_relevant, literal_is_live, sends_images
from offramp.fixes import semantics
from offramp.fixes.edits import env_read, kwarg_index, rename_kwarg, retarget_args, retarget_dict, string_like
from offramp.fixes.families import FamilyPlan, plan_families, plan_splits, stuck_todo
from offramp.fixes.gate import CRED, HOST, KEYREAD, MODEL, MODULE, OPEN, SEEN, URL, WRITE, Effect, Gate, overlaps
from offramp.fixes.keyreads import KeyReads, empty_default, may_be_none, strict_read
from offramp.fixes.placement import after_environment_loaded, is_import_line, os_import_site
from offramp.hosts import is_secret_value
from offramp.mapping import is_provider_model, map_model
from offramp.providers import ENDPOINT_FAMILIES, Provider
from offramp.redact import redact, without_url_credentials
from offramp.targets import Targets
from offramp.types import Span

Edit = Callable[[cst.CSTNode], cst.CSTNode]
AZURE_IDENTITY = "azure.identity"


@dataclass
class Plan:
    edits: Dict[int, List[Edit]] = field(default_factory=dict)
    todos: Dict[int, List[str]] = field(default_factory=dict)
    insert_after: Dict[int, List[cst.BaseStatement]] = field(default_factory=dict)
    insert_before: Dict[int, List[cst.BaseStatement]] = field(default_factory=dict)  # a function's own `import os`
    add_imports: List[Tuple[str, Optional[str]]] = field(default_factory=list)
    remove_imports: List[Tuple[str, str, Optional[str]]] = field(default_factory=list)
    azure_cleanup: bool = False
    changes: Counter = field(default_factory=Counter)
    notes: List[Tuple[int, str]] = field(default_factory=list)  # (line, text)
    todo_codes: Counter = field(default_factory=Counter)
    # What the plan moves to the provider (fixes/gate.py): (role, span) pairs the route gate reads.
    effects: List[Effect] = field(default_factory=list)

    # The provider what it moves goes to, when the target names one per request family (fixes/families.py)
    to: str = ""

    def moves(self, role: str, span: Span) -> None:
        self.effects.append(Effect(role, span, self.to))

    def edit(self, node: cst.CSTNode, fn: Edit) -> None:
        self.edits.setdefault(id(node), []).append(fn)

    allowed: Callable[[str, int], bool] = lambda code, line: True

    def todo(self, stmt: Optional[cst.CSTNode], text: str, code: str, line: int = 0) -> None:
        if stmt is None or not self.allowed(code, line):
            return
        entry = _one_line(redact(f"{text} ({code})"))  # a URL quoted in a TODO keeps no credential
        bucket = self.todos.setdefault(id(stmt), [])
        if entry not in bucket:
            bucket.append(entry)
            self.todo_codes[code] += 1

    @property
    def empty(self) -> bool:
        return not (self.edits or self.todos or self.insert_after or self.insert_before)


class Planner:
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
        self.a = a
        # `--to chat=deepseek,embeddings=qwen`: a provider per request family (fixes/families.py)
        self.targets = targets if targets is not None and targets.split else None
        self.families: Optional[FamilyPlan] = None
        self.own_key = False  # a client moved to a family's own provider always gets that provider's key
        self.region = region
        # Sites the project's routes freeze (fixes/gate.py): a request through them stays where it is.
        self.gate = gate
        # line -> is it test code? (testcode.in_test_code): a test's placeholder key stays as it is
        self.in_test = in_test or (lambda line: False)
        # (code, line) -> may this rule act here? (--select/--ignore, per-file-ignores, suppressions)
        self.allowed = allowed or (lambda code, line: True)
        self.p = provider
        self.sdk = sdk
        self.models = models
        self.base = provider.base_url(region).rstrip("/")
        self.plan = Plan()
        self.claimed: Set[int] = set()  # nodes an earlier edit already rewrites
        # Key env reads feeding a client left on OpenAI/Azure: they keep their name (see kept_keys).
        self.kept: Dict[int, str] = {}
        self.kept_names: Set[str] = set()
        self.rewritten: Set[int] = set()  # base URL literals rewritten where they are defined
        self.left_literals: Set[int] = set()  # URL literals aiming a client fix leaves on OpenAI
        self.hinted: Set[int] = set()  # constructors retargeted on the route gate's hint (noted once)
        self._parents: Optional[Dict[int, cst.CSTNode]] = None  # see path_to
        # Deployments with no provider model on the Azure module route: while any, it stays whole on Azure.
        self.held = unmapped_module_deployments(a, provider, sdk, models)
        self._key_reads: Optional[KeyReads] = None  # see never_none

    def stmt(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.a.statement_of.get(id(node))

    def path_to(self, node: cst.CSTNode) -> List[cst.CSTNode]:
        """The module, ..., `node`. The parent map behind it is built on the first question and kept
        for the others: a whole-tree walk per Azure client made `fix` quadratic (391 s on a
        generated 20k-line module, most of it here)."""
        if self._parents is None:
            self._parents = _parents_of(self.a.module)
        return _path_to(self._parents, self.a.module, node)

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

    def client_provider(self, c: ClientCtor) -> Provider:
        return self.families.clients.get(id(c), self.p) if self.families is not None else self.p

    def call_provider(self, call: ApiCall) -> Provider:
        return self.families.calls.get(id(call.node), self.p) if self.families is not None else self.p

    def target_hosts(self) -> Set[str]:
        hosts = self.targets.hosts() if self.targets is not None else self.p.hosts
        return {h.lower() for h in hosts}

    # -- entry ------------------------------------------------------------------------------
    def run(self) -> Plan:
        self.plan.allowed = self.allowed
        if self.targets is not None:
            self.families = plan_families(self, self.targets)
            self.plan.to = self.p.id
        self.kept_keys()
        for c in self.a.clients:
            if self.blocked(c) and self.allowed("OFR102" if c.azure else "OFR101", c.span.line):
                held = self.gate.stops(c.span)
                if held is None:
                    with self.using(self.client_provider(c)):
                        self.client(c)
                else:
                    self.plan.todo(
                        self.stmt(c.node),
                        f"`{c.cls}` left as it is: {held}; move its host, key and model together",
                        "OFR102" if c.azure else "OFR101",
                        c.span.line,
                    )
        if self.families is not None:
            plan_splits(self, self.families)
        self.module_config()
        self.exports_off()
        self.swap_bound()
        for e in self.a.env:
            if (
                e.node is not None
                and e.role == "key"
                and "ADMIN" not in e.name.upper()
                and e.name != self.p.key_env
                and not (self.targets is not None and any(e.name == p.key_env for p in self.targets.providers))
                and self.allowed("OFR301", e.span.line)
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
                    elif why.startswith("a request in "):  # from the route gate
                        text = f"kept `{e.name}`: {why} (renamed, it would send the {self.p.name} key there)"
                    else:
                        text = (
                            f"kept `{e.name}`: it feeds {why}, which stays where it is "
                            f"(renamed, it would send the {self.p.name} key there)"
                        )
                    self.plan.notes.append((e.span.line, text))
                    continue
                self.env_key(e)
        for lit in self.a.models:
            if lit.also_key:  # a model id also used as a key here is this file's to map (invariant 5), never another's
                self.plan.moves(SEEN, lit.span)
            if literal_is_live(lit, self.a) and self.allowed("OFR202" if lit.azure else "OFR201", lit.span.line):
                self.plan.moves(SEEN, lit.span)  # this file decides it (a key use may hold it): no other file does
                held = self.gate.stops(lit.span)
                if held is None:
                    with self.using(self.literal_provider(lit)):
                        self.model(lit)
                else:
                    self.plan.notes.append((lit.span.line, f"kept model `{lit.value}`: {held}"))
        for call in self.a.calls:
            if (
                call.via == "v0"
                and not self.module_stays()
                and call_is_live(call, self.a)
                and self.allowed("OFR202", call.span.line)
            ):
                for old in ("engine", "deployment_id"):
                    if kwarg_index(call.node.args, old) >= 0:
                        self.plan.edit(call.node, _renamed_kwarg(old, "model"))
                        self.plan.changes["engine= to model="] += 1
            with self.using(self.call_provider(call)):
                if call_is_relevant(call, self.a, frozenset(self.p.hosts)):
                    self.capabilities(call, rerouted=semantics.plan_call(self, call))
        for provider in self.targets.providers if self.targets is not None else [self.p]:
            with self.using(provider):
                calls = [c for c in self.a.calls if self.call_provider(c).id == provider.id or self.targets is None]
                semantics.plan_file(self, [c for c in calls if call_is_relevant(c, self.a, frozenset(self.p.hosts))])
        for u in self.a.urls:
            if id(u.node) not in self.claimed and self.allowed("OFR106", u.span.line):
                held = self.gate.stops(u.span)
                if held is None:
                    self.url(u)
                elif u.node is not None:
                    self.plan.todo(
                        self.stmt(u.node),
                        f"URL left as it is: {held}; move its host, key and model together",
                        "OFR106",
                        u.span.line,
                    )
        self.models_for_other_files()
        return self.plan

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
        from offramp.fixes.crossfile import literal_edits

        moved = [e.span for e in self.plan.effects if e.role == MODEL]
        for node, span, new in literal_edits(self.a.module, self.gate.models):
            if any(overlaps(span, s) for s in moved) or not self.allowed("OFR201", span.line):
                continue
            self.plan.edit(node, _to_string(new))
            self.plan.moves(MODEL, span)
            self.plan.changes["model"] += 1

    # -- keys -------------------------------------------------------------------------------
    def retargets(self, c: ClientCtor) -> bool:
        """Whether `client` (below) points `c` at the provider, rather than leaving a TODO or nothing."""
        if not (self.blocked(c) and self.allowed("OFR102" if c.azure else "OFR101", c.span.line)):
            return False
        if self.gate.stops(c.span) is not None:
            return False
        if c.wrapper is not None and not c.star_kwargs:
            return self.client_provider(c).endpoint(c.family) != "no"
        if c.config_dict:  # (mem0's embedder config is one: a provider without embeddings keeps it)
            return self.client_provider(c).endpoint(c.family) != "no"
        return not c.star_kwargs

    def unknown_consumers(self) -> List[Tuple[cst.CSTNode, str, bool]]:
        """Key arguments of calls offramp does not know (`Agent(api_key=KEY)` of an in-house framework
        that sends it to OpenAI itself): the key read they get keeps its name, and a client that moves
        beside them reads the provider's variable instead (`shared_key`). Renamed, the provider key went
        to OpenAI through them (the oracle's unknown_framework shape)."""
        if not any(e.role == "key" and not e.write for e in self.a.env):
            return []
        known = {id(c.node) for c in self.a.clients}
        # A key given by position to a class offramp does not know, in a file with clients of its own (where a
        # read they share would be renamed); elsewhere the routes decide (`Translator(key)` of issue 13 moves
        # with the client its base class builds). A call inside a known constructor is a value for it
        # (`api_key=SecretStr(KEY)`).
        within = {id(n) for c in self.a.clients if isinstance(c.node, cst.Call) for n in _subtree(c.node)}
        by_position = bool(self.a.clients)
        # keys handed to what stays on OpenAI (a library's default client, a config dict naming its provider)
        out: List[Tuple[cst.CSTNode, str, bool]] = [(value, label, False) for value, label in self.a.held_keys]
        for node in self.a.keyword_calls:
            if id(node) in known:
                continue
            callee = (
                node.func.attr.value
                if isinstance(node.func, cst.Attribute)
                else (node.func.value if isinstance(node.func, cst.Name) else "")
            )
            if not callee or callee in _KNOWN_CALLABLES:
                continue
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value.lower() in _KEY_KWARGS:
                    out.append((arg.value, f"`{callee}` (a call offramp cannot follow)", False))
                elif by_position and callee[:1].isupper() and id(node) not in within and _plain_value(arg):
                    out.append((arg.value, f"`{callee}` (a call offramp cannot follow)", False))  # `Agent(KEY)`
                elif isinstance(arg.value, cst.Dict):  # headers={"X-OpenAI-Api-Key": KEY} (Weaviate)
                    for el in arg.value.elements:
                        if isinstance(el, cst.DictElement) and _openai_key_header(el.key):
                            out.append((el.value, f"`{callee}` (it hands the key on to OpenAI)", False))
        return out

    def blocked(self, c: ClientCtor) -> bool:
        """Whether `c` goes to OpenAI/Azure: as the file shows, or as the project does (its base URL
        read from a configuration file holding OpenAI's URL or nothing: the route gate's hint)."""
        if c.target.blocked:
            return True
        where = self.gate.config_host(c.span) if not c.azure and c.wrapper is None else None
        if where is None:
            return False
        if id(c) not in self.hinted:
            self.hinted.add(id(c))
            self.plan.notes.append(
                (c.span.line, f"`{c.cls}` took OpenAI's URL from {where}; it now gets {self.p.name}'s URL here")
            )
        return True

    def kept_keys(self) -> None:
        """The key variables `fix` keeps: `_kept_keys`, then the writes of values it cannot trace."""
        self._kept_keys()
        self.untraced_writes()

    def untraced_writes(self) -> None:
        """Keep `os.environ["OPENAI_API_KEY"] = value` when `value` is not a key variable this fix
        renames (a parameter, an attribute, a configuration value). Writes follow reads only when
        the written value follows too: a real project wrote its configured OpenAI key
        (`os.environ["OPENAI_API_KEY"] = openai_key`), and renamed, that key went to the provider
        through the migrated client reading the provider's variable."""
        reads = [e for e in self.a.env if e.node is not None and e.role == "key" and not e.write]
        renamed = {id(e.node) for e in reads if id(e.node) not in self.kept}
        names = {b for e in reads if id(e.node) in renamed for b in _bound_names(self.stmt(e.node), e.node)}
        kept_reads = {e.name: self.kept[id(e.node)] for e in reads if id(e.node) not in renamed}
        untraced: Dict[str, str] = {}
        for e in self.a.env:
            if e.node is None or e.role != "key" or not e.write or id(e.node) in self.kept:
                continue
            if e.name in kept_reads:  # writes follow reads: a read of it here keeps its name
                self.kept[id(e.node)] = kept_reads[e.name]
                continue
            value = e.default if e.default is not None else self.assigned_value(e)
            if value is None or string_value(value) is not None:
                continue  # (a literal: a key written into the file is env_key's to refuse)
            inside = _subtree(value)
            if any(id(n) in renamed or (isinstance(n, cst.Name) and n.value in names) for n in inside):
                continue
            code = cst.Module(body=[]).code_for_node(value)
            self.kept[id(e.node)] = f"{UNTRACED} `{_short(code)}`, which offramp cannot trace to a key variable"
            untraced.setdefault(e.name, f"{UNTRACED_TOO} `{_short(code)}` on line {e.span.line}")
        # The variable then stays whole in this file: ChuanhuChatGPT saves it, writes it from a
        # parameter or from a traced value, and restores it; half renamed, the restore wrote the
        # other variable. (A client here reading it gets the provider's variable: shared_key.)
        for e in self.a.env:
            if e.node is not None and e.role == "key" and e.name in untraced:
                self.kept.setdefault(id(e.node), untraced[e.name])

    def _kept_keys(self) -> None:
        """Find the key env reads that feed a client left on OpenAI/Azure: renaming them to the
        provider's variable would send the provider's key to OpenAI/Azure.

        A read feeds a client when it is written inside the constructor call, or is assigned (or a
        parameter default) under a name the call mentions; names are matched by spelling, whatever
        their scope, so a doubt keeps the name. A write (`os.environ["OPENAI_API_KEY"] = ...`) is
        kept when such a client has no key argument and so reads the variable itself.
        """
        left: List[Tuple[cst.CSTNode, str, bool]] = []  # (node, label, reads the environment itself)
        for c in self.a.clients:
            # Any client that stays where it is (OpenAI, Azure, a local server, a proxy, another provider)
            # keeps the key it reads; only one already aimed at this provider may take its variable.
            at_provider = c.target.kind == "provider" and c.target.host.lower() in self.target_hosts()
            if not self.retargets(c) and not at_provider:
                keys = ("api_key",) + (tuple(c.wrapper.key_args) if c.wrapper is not None else ())
                implicit = c.star_kwargs or not any(k in c.keywords for k in keys)
                left.append((c.node, f"`{c.cls}`", implicit))
                self.left_literals.update(id(n) for n in c.target_literals)
                self.claimed.update(id(n) for n in c.target_literals)  # no OFR106 rewrite under it either
        left += self.unknown_consumers()
        self.gate_kept()
        if self.module_stays():
            keys = [m for m in self.a.module_assigns if m.role == "key"]
            for m in keys:
                left.append((m.value, "the module-level client", False))
            if not keys:
                left.append((cst.Name("openai"), "the module-level client", True))
        if not left:
            return
        inside: Dict[int, str] = {}
        names: Dict[str, str] = {}
        implicit_label = None
        for node, label, implicit in left:
            if implicit:
                implicit_label = implicit_label or label
            sub = _subtree(node)
            # (`api_key` of `api_key=key` names the parameter, not a value: matched, it kept every
            # `openai.api_key = os.getenv(...)` of the file with the client)
            keywords = {id(n.keyword) for n in sub if isinstance(n, cst.Arg) and n.keyword is not None}
            for n in sub:
                inside.setdefault(id(n), label)
                if id(n) in keywords:
                    continue
                if isinstance(n, cst.Name):
                    names.setdefault(n.value, label)
                elif isinstance(n, cst.Attribute):
                    names.setdefault(n.attr.value, label)
        for e in self.a.env:
            if e.node is None or e.role != "key":
                continue
            if e.write:
                if implicit_label is not None and e.name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
                    self.kept[id(e.node)] = implicit_label
                continue
            if id(e.node) in inside:
                self.kept[id(e.node)] = inside[id(e.node)]
                continue
            for bound in _bound_names(self.stmt(e.node), e.node):
                if bound in names:
                    self.kept[id(e.node)] = names[bound]
                    self.kept_names.add(bound)
                    break

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
            or not any(self.allowed(code, first) for code in ("OFR103", "OFR104", "OFR105"))
        )

    def gate_kept(self) -> None:
        """Key variables the routes freeze: read by a request that stays on OpenAI/Azure (or goes to a
        proxy, a local server, another provider), they keep their name; a client that moves and reads
        the same variable gets the provider's variable instead (`shared_key`)."""
        if not self.gate:
            return
        for e in self.a.env:
            if e.node is None or e.role != "key":
                continue
            held = self.gate.stops_write(e.name) if e.write else self.gate.stops(e.span)
            if held is None:
                continue
            self.kept.setdefault(id(e.node), held)
            if not e.write:
                self.kept_names.update(_bound_names(self.stmt(e.node), e.node))

    def route_held_module(self) -> Optional[str]:
        """Why the route gate holds this file's module-level client where it is, if it does."""
        held = self.gate.stops(MODULE)
        if held is None:
            held = next((r for m in self.a.module_assigns for r in [self.gate.stops(m.span)] if r), None)
        return held

    def shared_key(self, value: cst.BaseExpression, label: str, line: int) -> bool:
        """Whether a retargeted client's key argument reads a key kept for a client left on OpenAI
        (then the argument is replaced by the provider's variable, and a note says so)."""
        if not any(
            id(n) in self.kept or (isinstance(n, cst.Name) and n.value in self.kept_names) for n in _subtree(value)
        ):
            return False
        self.plan.notes.append(
            (line, f"{label} read the key a client left on OpenAI/Azure uses; it now reads {self.p.key_env}")
        )
        return True

    def written_key(self, kind: Optional[str], label: str, value: cst.BaseExpression, line: int) -> bool:
        """Whether a key argument (or `openai.api_key = ...`) is replaced by the provider's variable.

        A value written into the file is never the provider's key: a literal, or a name, attribute,
        default or dict entry that a literal reaches (`kind`, from Resolver.key_source). When a real
        key is reached through a name, the argument is replaced and a note says so; the literal
        itself stays where it is, reported by OFR302 (fix never writes nor deletes a key).
        In test code a placeholder (`api_key="fake_key"`) is kept: the test needs no real key, and
        an environment read would fail where the tests run.
        """
        if kind == "literal" and self.in_test(line):
            return False
        if string_value(value) is not None:
            return True
        if kind == "secret":
            text = f"{label} got a key written into this file; it now reads {self.p.key_env}: delete that key (OFR302)"
            self.plan.notes.append((line, text))
        return kind is not None

    def env_key(self, e: EnvAccess) -> None:
        """Rename an OpenAI key variable to the provider's, unless that would hand it an OpenAI key.

        `os.environ["OPENAI_API_KEY"] = "sk-..."` (or `setdefault`) keeps its name and gets a TODO:
        renamed, it would give the OpenAI key to the provider. A read's hard-coded key default
        (`os.getenv("OPENAI_API_KEY", "sk-...")`) becomes None as the variable is renamed.
        """
        assert e.node is not None
        value = e.default if e.default is not None else self.assigned_value(e) if e.write else None
        secret = value is not None and is_secret_value(string_value(value) or "")
        if secret and e.write:
            self.plan.todo(
                self.stmt(e.node),
                f"`{e.name}` is set to a key written into this file, so it was not renamed to {self.p.key_env} "
                f"(that would send the key to {self.p.name}); set {self.p.key_env} to your {self.p.name} key",
                "OFR301",
                e.span.line,
            )
            return
        self.plan.edit(e.node, _to_string(self.p.key_env))
        self.plan.moves(CRED, e.span)
        if not e.write:
            self.plan.moves(KEYREAD, e.span)  # a read alone: the route gate asks where its key goes
        if e.write:
            self.plan.moves(WRITE + e.name, e.span)
        self.plan.changes["environment variable"] += 1
        if e.reader is not None and (secret or may_be_none(e)):
            self.never_none(e.reader)  # the key written as the default goes with it
        if secret and value is not None:
            self.plan.notes.append(
                (e.span.line, f"dropped the key written as the default of `{e.name}` (now {self.p.key_env}) (OFR302)")
            )

    def needs_os(self, node: cst.CSTNode) -> None:
        """The edit of `node` reads `os.environ`: `import os` at the top of the file, or in the function
        around it when that function imports the SDK itself (fixes/placement.py says why), or none
        when that function imports `os` already."""
        sdk = self.sdk
        packages = {m.split(".")[0] for m in (*sdk.sdk_modules, *sdk.entry_modules, *sdk.wrapper_modules)}
        kind, site = os_import_site(self.path_to(node), packages)
        if kind == "module":
            self.plan.add_imports.append(("os", None))
        if site is None:
            return
        bucket = self.plan.insert_before.setdefault(id(site), [])
        if not bucket:
            bucket.append(cst.parse_statement("import os\n"))

    def never_none(self, call: cst.Call) -> None:
        """`os.getenv(NEW)` returns None while NEW is unset, and the SDK then sends OPENAI_API_KEY to the
        provider: the read becomes strict, or gets the default "" (fixes/keyreads.py says which, and why)."""
        if self._key_reads is None:
            if self._parents is None:
                self._parents = _parents_of(self.a.module)
            values = {id(m.value) for m in self.a.module_assigns if m.role == "key"}
            self._key_reads = KeyReads(self.a.module, self._parents, values)
        if self._key_reads.credential_only(call):
            edit, needs_os = strict_read(call)
            self.plan.edit(call, edit)
            if needs_os:  # `getenv("KEY")` from `from os import getenv` became `os.environ["KEY"]`
                self.needs_os(call)
                if isinstance(call.func, cst.Name):
                    alias = call.func.value if call.func.value != "getenv" else None
                    self.plan.remove_imports.append(("os", "getenv", alias))
        else:
            self.plan.edit(call, empty_default())

    def assigned_value(self, e: EnvAccess) -> Optional[cst.BaseExpression]:
        """The value of `os.environ["NAME"] = value` (or `env["NAME"] = value`) for a write's name literal."""
        stmt = self.stmt(e.node) if e.node is not None else None
        if not isinstance(stmt, cst.SimpleStatementLine):
            return None
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for t in small.targets:
                    target = t.target
                    if isinstance(target, cst.Subscript) and any(
                        isinstance(el.slice, cst.Index) and el.slice.value is e.node for el in target.slice
                    ):
                        return small.value
        return None

    # -- clients ------------------------------------------------------------------------------
    def base_url_mode(self, c: ClientCtor, arg: Optional[cst.BaseExpression]) -> str:
        """How a client's base URL argument is pointed at the provider, so that a second run has
        nothing left to do and an override the program takes (a parameter, an option) still works.

        "literal": the argument becomes the provider's URL (no argument, a literal, an expression).
        "keep": the argument names a constant, attribute, parameter default or or-chain whose OpenAI
        URL literal(s) are rewritten where they are written (as model literals are); it stays.
        "or": the argument is a name or attribute no OpenAI literal reaches (a parameter, an option
        that may be None): it becomes `<arg> or "<provider URL>"`, keeping the override.
        """
        if c.azure or c.target.kind != "openai":
            return "literal"
        if (
            isinstance(arg, cst.BooleanOperation)
            and isinstance(arg.operator, cst.Or)
            and (string_value(arg.right) or "").rstrip("/") == self.base
        ):
            return "keep"  # `base_url or "<provider URL>"`, from an earlier run
        if arg is None or isinstance(arg, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return "literal"
        if (
            isinstance(arg, cst.BooleanOperation)
            and isinstance(arg.operator, cst.Or)
            and isinstance(arg.left, (cst.Name, cst.Attribute, cst.Subscript))
            and self.openai_base_literal(arg.right)
            and id(arg.right) not in self.left_literals
        ):
            # invariant 5: `args.base_url or "https://api.openai.com/v1"`: the user's setting stays, the default moves
            if id(arg.right) not in self.rewritten:
                self.rewritten.add(id(arg.right))
                self.plan.edit(arg.right, _to_string(self.base))
                self.plan.changes["URL"] += 1
            return "keep"
        if not isinstance(arg, (cst.Name, cst.Attribute, cst.Subscript)):
            return "literal"  # a call (`os.getenv("OPENAI_BASE_URL", ...)`), an or-chain: replaced
        openai = [n for n in c.target_literals if self.openai_base_literal(n)]
        if any(id(n) in self.left_literals for n in openai):
            return "literal"  # the URL also aims a client left on OpenAI, with its OpenAI key: it stays
        for n in openai:
            if id(n) not in self.rewritten:
                self.rewritten.add(id(n))
                self.plan.edit(n, _to_string(self.base))
                self.plan.changes["URL"] += 1
        unset = re.search(r"when (\S+) is unset", c.target.detail)
        if unset and "OPENAI" in unset.group(1).upper():
            # `OPENAI_BASE_URL` may well hold OpenAI's URL: the provider's key must not go there
            return "literal"
        if openai and "=None)" not in c.target.detail:
            return "keep"
        return "or"

    def openai_base_literal(self, node: cst.CSTNode) -> bool:
        """A string literal holding OpenAI's API root (`https://api.openai.com[/v1][/]`)."""
        value = string_value(node) if isinstance(node, cst.SimpleString) else None
        if value is None:
            return False
        parts = urlsplit(value.strip())
        host = (parts.hostname or "").lower()
        return (
            parts.scheme in ("http", "https")
            and (host == "openai.com" or host.endswith(".openai.com"))
            and parts.path.rstrip("/") in ("", "/v1")
            and not parts.query
        )

    def client(self, c: ClientCtor) -> None:
        stmt = self.stmt(c.node)
        self.claimed.update(id(n) for n in c.target_literals)  # the base URL literal is replaced below
        if c.wrapper is not None and not c.star_kwargs:
            self.wrapper_client(c)
            return
        if c.config_dict:
            self.dict_client(c)
            return
        if c.star_kwargs:
            self.plan.todo(
                stmt,
                f"client built from **kwargs: pass {c.wrapper.fix_base_url_arg if c.wrapper else 'base_url'}="
                f"{self.base!r} and the "
                f"{self.p.key_env} key for {self.p.name}",
                "OFR101" if not c.azure else "OFR102",
                c.span.line,
            )
            return
        self.claimed.update(id(n) for n in c.target_literals)
        azure_class = c.qualified in self.sdk.azure_clients
        drop = set(self.sdk.openai_only_args)
        if azure_class:
            drop |= set(self.sdk.azure_only_args)
        assert isinstance(c.node, cst.Call)  # config dicts went to dict_client above
        args = {a.keyword.value: a for a in c.node.args if a.keyword is not None}
        dropped = sorted(k for k in args if k in drop)
        if c.azure:
            dropped = sorted(dropped + self.azure_entries(args))
        key_arg = args.get("api_key")
        add_key = (
            key_arg is None
            or self.own_key
            or self.written_key(c.hardcoded_keys.get("api_key"), "`api_key=`", key_arg.value, c.span.line)
            or self.shared_key(key_arg.value, "`api_key=`", c.span.line)
            or self.azure_credential(c, "api_key", key_arg.value)
        )
        quote = _quote_of(c.node)
        plain = None
        if azure_class:
            plain = "AsyncOpenAI" if "Async" in c.qualified.rsplit(".", 1)[-1] else "OpenAI"
            self.azure_imports(c, plain)
            if c.base is not None:
                self.subclass_base(c, plain)
            self.plan.azure_cleanup = True
        base = self.base
        provider_key = self.p.key_env
        base_arg = args.get("base_url")
        mode = "literal" if azure_class else self.base_url_mode(c, base_arg.value if base_arg is not None else None)
        if mode == "keep" and base_arg is not None and not add_key and not dropped:
            self.plan.moves(HOST, c.span)
            return  # the URL is rewritten where it is defined; the call itself needs nothing

        def edit(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Call)
            renamed = plain is not None and c.base is None  # (a subclass's base is renamed where it is written)
            call = node.with_changes(func=_plain_func(node.func, plain)) if renamed and plain else node
            i = kwarg_index(call.args, "base_url")
            template = call.args[i].value if i >= 0 else None
            url = string_like(template if isinstance(template, cst.SimpleString) else _first_string(node), base)
            values: List[Tuple[str, cst.BaseExpression]] = []
            if mode == "literal" or template is None:
                values.append(("base_url", url))
            elif mode == "or":
                values.append(("base_url", _or_default(template, _first_string(node), base)))
            if add_key:
                values.append(("api_key", env_read(provider_key, quote)))
            return retarget_args(call, dropped, values)

        self.plan.edit(c.node, edit)
        self.plan.moves(HOST, c.span)
        if add_key:
            self.plan.moves(CRED, c.span)
            self.needs_os(c.node)
        self.plan.changes["Azure client" if azure_class else "client"] += 1
        if dropped:
            self.plan.notes.append(
                (
                    c.span.line,
                    f"dropped {', '.join(a + '=' for a in dropped)} from `{c.cls}` (not meaningful at {self.p.name})",
                )
            )
        dep = args.get("azure_deployment")
        if dep is not None:
            value = string_value(dep.value) or self.deployment_literal(c, dep.value)
            choice = map_model(value, self.p, self.sdk, self.models) if value else None
            target = choice.target if choice else None
            if target:
                self.plan.todo(
                    stmt,
                    f'this client sent every call to Azure deployment `{value}`; pass model="{target}" on its calls',
                    "OFR202",
                    c.span.line,
                )
            else:
                self.plan.todo(
                    stmt,
                    f"this client sent every call to an Azure deployment ({f'`{value}`' if value else 'dynamic'}); "
                    f"pass a {self.p.name} model on its calls",
                    "OFR202",
                    c.span.line,
                )

    def azure_entries(self, args: Dict[str, cst.Arg]) -> List[str]:
        """Drop what only Azure reads from a client's dict arguments (`default_query={"api-version": ...}`,
        `default_headers={"api-key": ...}` on a plain client aimed at Azure by hand): the provider would
        get Azure's API version, or Azure's key. Returns the arguments left with nothing else (they go)."""
        gone: List[str] = []
        for name, keys in self.sdk.azure_only_entries.items():
            arg = args.get(name)
            if arg is None or not isinstance(arg.value, cst.Dict):
                continue
            elements = arg.value.elements
            found = [
                k
                for el in elements
                if isinstance(el, cst.DictElement)
                for k in [string_value(el.key)]
                if k is not None and k.lower() in keys
            ]
            if not found:
                continue
            if len(found) == len(elements):
                gone.append(name)
            else:
                self.plan.edit(arg.value, lambda node, found=found: retarget_dict(node, found, []))
        return gone

    def azure_credential(self, c: ClientCtor, arg: str, value: cst.BaseExpression) -> bool:
        """Whether an Azure client's key argument holds Azure's credential (the app's config, a secret
        store, a token) rather than a key variable this fix renames: then the provider's key replaces it.
        A key written into the file was judged by `written_key` (a test's placeholder stays)."""
        if not c.azure or c.hardcoded_keys.get(arg) is not None or string_value(value) is not None:
            return False
        if self.renamed_key_read(value):
            return False
        self.plan.notes.append(
            (c.span.line, f"the key of `{c.cls}` was Azure's credential; it now reads {self.p.key_env}")
        )
        return True

    def deployment_literal(self, c: ClientCtor, expr: cst.BaseExpression) -> Optional[str]:
        """The one deployment name literal that reaches `expr` (a constant, a default), if analysis found it."""
        inside = {id(n) for n in _subtree(expr)}
        values = {
            lit.value
            for lit in self.a.models
            if lit.azure and lit.template == "{}" and (lit.owner is c or id(lit.node) in inside)
        }
        if not values:
            names = {n.value for n in _subtree(expr) if isinstance(n, cst.Name)}
            values = {
                lit.value
                for lit in self.a.models
                if lit.arg == "azure_deployment"
                and lit.owner is None
                and names & set(_bound_names(self.stmt(lit.node), lit.node))
            }
        return values.pop() if len(values) == 1 else None

    def wrapper_client(self, c: ClientCtor) -> None:
        """LangChain / LlamaIndex / LiteLLM: point the wrapper at the provider, in the library's own terms."""
        spec = c.wrapper
        assert spec is not None
        assert isinstance(c.node, cst.Call)  # wrappers are calls; only config dicts are not
        stmt = self.stmt(c.node)
        if self.p.endpoint(c.family) == "no":
            # Pointing it at a provider without that API would only move the failure; a person decides.
            self.plan.todo(
                stmt,
                f"{self.p.name} does not serve the OpenAI `{c.family}` API used by `{c.cls}`",
                "OFR401",
                c.span.line,
            )
            return
        if spec.fix_model_wrap:
            self.wrapped_model(c)
            return
        args = {a.keyword.value: a for a in c.node.args if a.keyword is not None}
        dropped = [a for a in args if a in spec.drop_args]
        values: List[Tuple[str, cst.BaseExpression]] = []
        quote = _quote_of(c.node)
        base_arg = next((a for a in spec.base_url_args if a in args), spec.fix_base_url_arg)
        template = args[base_arg].value if base_arg in args else None
        base_mode = self.base_url_mode(c, template)
        base = self.base + "/" if spec.fix_base_url_slash else self.base
        base_value = string_like(template if isinstance(template, cst.SimpleString) else _first_string(c.node), base)
        if base_mode == "literal" or template is None:
            values.append((base_arg, base_value))
        elif base_mode == "or":
            values.append((base_arg, _or_default(template, _first_string(c.node), base)))
        key_arg = next((a for a in spec.key_args if a in args), None)
        if spec.fix_key_value:
            # (a key object offramp cannot read, Haystack's `Secret.from_env_var(...)`: always the provider's)
            value = spec.fix_key_value.format(env=self.p.key_env).replace('"', quote)
            values.append((key_arg or spec.fix_key_arg, cst.parse_expression(value)))
            self.plan.moves(CRED, c.span)
            for q in spec.fix_imports:
                module, _, name = q.rpartition(".")
                self.plan.add_imports.append((module, name))
        elif (
            key_arg is None
            or self.own_key
            or self.written_key(c.hardcoded_keys.get(key_arg), f"`{key_arg}=`", args[key_arg].value, c.span.line)
            or self.shared_key(args[key_arg].value, f"`{key_arg}=`", c.span.line)
            or self.azure_credential(c, key_arg, args[key_arg].value)
        ):
            values.append((key_arg or spec.fix_key_arg, env_read(self.p.key_env, quote)))
            self.needs_os(c.node)
            self.plan.moves(CRED, c.span)
        client_arg = self.client_argument(c, values, dropped, args, base_arg, key_arg) if spec.fix_client else None
        deployments = [a for a in spec.deployment_args if a in args]
        has_model = any(a in args for a in spec.model_args)
        if deployments:
            dropped += deployments
            if not has_model:
                value = string_value(args[deployments[0]].value) or self.deployment_literal(
                    c, args[deployments[0]].value
                )
                choice = map_model(value, self.p, self.sdk, self.models) if value else None
                if choice is not None and choice.target:
                    values.append((spec.fix_model_arg, string_like(_first_string(c.node), choice.target)))
                else:
                    self.plan.todo(
                        stmt,
                        f"map Azure deployment `{value}` to a {self.p.name} model ([tool.offramp.models])"
                        if value
                        else f"the Azure deployment is chosen at run time: "
                        f"pass a {self.p.name} model as `{spec.fix_model_arg}=`",
                        "OFR202",
                        c.span.line,
                    )
                    values.append((spec.fix_model_arg, args[deployments[0]].value))
        elif c.default_model:
            choice = map_model(c.default_model, self.p, self.sdk, self.models)
            if choice.target:
                values.append((spec.fix_model_arg, string_like(_first_string(c.node), choice.target)))
        for name, expr in spec.fix_extra:
            if name not in args and name not in c.keywords:  # (a **dict may set it already)
                values.append((name, cst.parse_expression(expr)))
        if spec.fix_capabilities and spec.fix_capabilities.arg not in c.keywords:
            from offramp.fixes.frameworks import capabilities

            values.append((spec.fix_capabilities.arg, capabilities(spec.fix_capabilities, self.p, quote)))
        if spec.fix_model_arg not in spec.model_args[:1]:
            # the new class names its model argument differently:
            # OpenAIEmbedding(model=) -> OpenAILikeEmbedding(model_name=)
            for a in spec.model_args:
                if a in args and a != spec.fix_model_arg:
                    self.plan.edit(c.node, _renamed_kwarg(a, spec.fix_model_arg))
        new_class = None
        if spec.fix_class and spec.fix_class not in (c.qualified,) and not spec.function:
            module, _, new_class = spec.fix_class.rpartition(".")
            plain_spec = load_wrappers().get(spec.fix_class)
            same = {spec.fix_class, *(plain_spec.names if plain_spec is not None else ())}
            if not self.imported_for(c.node, new_class, same):
                # (a ChatOpenAI the file already imports, from langchain_community say, is the same class)
                self.plan.add_imports.append((module, new_class))
            if isinstance(c.node.func, cst.Name):
                old_obj = c.qualified.rpartition(".")[2]
                asname = c.node.func.value if c.node.func.value != old_obj else None
                for q in spec.names:
                    mod, _, obj = q.rpartition(".")
                    if obj == old_obj:
                        self.plan.remove_imports.append((mod, obj, asname))

        def edit(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Call)
            call = node if new_class is None else node.with_changes(func=cst.Name(new_class))
            if client_arg is not None:  # built from the call as edited (its key read renamed, say)
                return retarget_args(call, dropped, [*values, client_arg(call)])
            return retarget_args(call, dropped, values)

        self.plan.edit(c.node, edit)
        self.plan.moves(HOST, c.span)
        self.plan.changes[f"{spec.id} client"] += 1
        for a in dropped:  # (an endpoint URL in a dropped argument goes with it: no TODO for it)
            if a in args:
                self.claimed.update(id(n) for n in _subtree(args[a].value))
        if dropped:
            self.plan.notes.append(
                (c.span.line, f"dropped {', '.join(a + '=' for a in sorted(dropped))} from `{c.cls}`")
            )
        if spec.fix_note and new_class:
            self.plan.notes.append((c.span.line, f"`{new_class}` {spec.fix_note}"))

    def client_argument(
        self,
        c: ClientCtor,
        values: List[Tuple[str, cst.BaseExpression]],
        dropped: List[str],
        args: Dict[str, cst.Arg],
        base_arg: str,
        key_arg: Optional[str],
    ) -> Callable[[cst.Call], Tuple[str, cst.BaseExpression]]:
        """Semantic Kernel: the base URL and key planned for the call go into the client argument instead
        (the key argument as the edit finds it, when it stays: its read may be renamed meanwhile)."""
        spec = c.wrapper
        assert spec is not None and spec.fix_client is not None and isinstance(c.node, cst.Call)
        planned = dict(values)
        key_name = key_arg or spec.fix_key_arg
        new_key = planned.get(key_name)
        code = cst.Module([]).code_for_node
        arg, template = spec.fix_client
        values[:] = [(a, v) for a, v in values if a not in (base_arg, key_name)]
        dropped.extend(a for a in spec.key_args if a in args)

        def client(call: cst.Call) -> Tuple[str, cst.BaseExpression]:
            key = new_key or next(a.value for a in call.args if a.keyword is not None and a.keyword.value == key_arg)
            return arg, cst.parse_expression(template.format(base_url=code(planned[base_arg]), api_key=code(key)))

        for q in spec.fix_imports:
            module, _, name = q.rpartition(".")
            self.plan.add_imports.append((module, name))
        if not any(a in c.keywords for a in (*spec.model_args, *spec.deployment_args)):
            self.plan.todo(
                self.stmt(c.node),
                f"`{c.cls}` takes its model from its settings (environment or .env): pass "
                f"{spec.fix_model_arg}= a {self.p.name} model",
                "OFR203",
                c.span.line,
            )
        return client

    def wrapped_model(self, c: ClientCtor) -> None:
        """`Agent(model="gpt-4o")`: the model argument becomes a model object bound to a provider client."""
        from offramp.fixes.frameworks import wrap_model

        spec = c.wrapper
        assert spec is not None and isinstance(c.node, cst.Call)
        quote = _quote_of(c.node)
        default = cst.SimpleString(f"{quote}{c.default_model or ''}{quote}")
        if c.default_model:
            choice = map_model(c.default_model, self.p, self.sdk, self.models)
            if choice.target:
                default = string_like(_first_string(c.node), choice.target)
        base = cst.Module([]).code_for_node(string_like(_first_string(c.node), self.base))
        key = cst.Module([]).code_for_node(env_read(self.p.key_env, quote))
        arg = spec.model_args[0]
        position = spec.positional.index(arg) if arg in spec.positional else -1
        self.plan.edit(c.node, lambda node: wrap_model(node, arg, position, spec.fix_model_wrap, default, base, key))
        for q in spec.fix_imports:
            module, _, name = q.rpartition(".")
            self.plan.add_imports.append((module, name))
        self.needs_os(c.node)
        self.plan.moves(HOST, c.span)
        self.plan.moves(CRED, c.span)
        self.plan.changes[f"{spec.id} client"] += 1

    def exports_off(self) -> None:
        """Requests a framework sends by itself (trace export to OpenAI): turned off after the imports."""
        from offramp.fixes.frameworks import export_off

        for e in self.a.exports:
            if not self.allowed("OFR101", e.span.line):
                return
        wanted = [
            e
            for e in self.a.exports
            if not e.spec.when_no_endpoint or self.p.endpoint(e.spec.when_no_endpoint) != "yes"
        ]
        for anchor, text, imports in export_off(self.a.module, wanted):
            self.plan.insert_after.setdefault(id(anchor), []).append(cst.parse_statement(text + "\n"))
            for q in imports:
                module, _, name = q.rpartition(".")
                self.plan.add_imports.append((module, name))
            self.plan.changes["framework setting"] += 1

    def swap_bound(self) -> None:
        """`OpenAIResponsesModel(model, client)` whose client moves: the class the provider can serve."""
        for b in self.a.bound:
            if not self.retargets(b.owner) or self.p.endpoint(b.spec.family) == "yes" or not b.spec.fix_class:
                continue
            module, _, name = b.spec.fix_class.rpartition(".")
            self.plan.add_imports.append((module, name))
            self.plan.edit(b.node.func, lambda node, name=name: cst.Name(name))
            self.plan.changes[f"{b.spec.id} class"] += 1
            self.plan.notes.append(
                (b.span.line, f"`{name}` instead: {self.p.name} does not serve the `{b.spec.family}` API")
            )

    def dict_client(self, c: ClientCtor) -> None:
        """An AutoGen-style config dict: base_url and api_key entries for the provider, Azure keys gone."""
        from offramp.catalog import load_config_dict_spec

        spec = c.dict_spec or load_config_dict_spec()
        assert isinstance(c.node, cst.Dict)
        if self.p.endpoint(c.family) == "no":  # (mem0's embedder config: moved, it would only fail there)
            self.plan.todo(
                self.stmt(c.node),
                f"{self.p.name} does not serve the OpenAI `{c.family}` API this client config uses",
                "OFR401",
                c.span.line,
            )
            return
        entries = {string_value(el.key): el for el in c.node.elements if isinstance(el, cst.DictElement)}
        quote = _quote_of(c.node)
        base_key = next((k for k in spec.base_url_keys if k in entries), spec.fix_base_url_key)
        template = entries[base_key].value if base_key in entries else None
        values: List[Tuple[str, cst.BaseExpression]] = [
            (
                base_key,
                string_like(template if isinstance(template, cst.SimpleString) else _first_string(c.node), self.base),
            )
        ]
        key_key = next((k for k in spec.key_keys if k in entries), spec.key_keys[0])
        if (
            key_key not in entries
            or self.written_key(c.hardcoded_keys.get(key_key), f"{key_key!r}", entries[key_key].value, c.span.line)
            or self.shared_key(entries[key_key].value, f"{key_key!r}", c.span.line)
            or self.azure_credential(c, key_key, entries[key_key].value)
        ):
            values.append((key_key, env_read(self.p.key_env, quote)))
            self.needs_os(c.node)
            self.plan.moves(CRED, c.span)
        dropped = [k for k in entries if k in spec.drop_keys]

        def edit(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Dict)
            return retarget_dict(node, dropped, values)

        self.plan.edit(c.node, edit)
        self.plan.moves(HOST, c.span)
        self.plan.changes["config dict"] += 1
        if dropped:
            self.plan.notes.append((c.span.line, f"dropped {', '.join(repr(k) for k in dropped)} from a client config"))

    def subclass_base(self, c: ClientCtor, plain: str) -> None:
        """`class MyClient(AzureOpenAI)` whose `super().__init__` moves: the base becomes the plain
        class, and a TODO asks for provider models on its calls (offramp does not follow them there)."""
        assert c.base is not None
        self.plan.edit(c.base, lambda node: _plain_func(node, plain))
        self.plan.todo(
            self.stmt(c.node),
            f"this subclass now calls {self.p.name}: pass {self.p.name} models (not Azure deployments) "
            f"on the calls made through it",
            "OFR202",
            c.span.line,
        )

    def azure_imports(self, c: ClientCtor, plain: str) -> None:
        assert isinstance(c.node, cst.Call)
        func = c.base if c.base is not None else c.node.func
        if isinstance(func, cst.Name):
            module, _, obj = c.qualified.rpartition(".")
            # A drop-in module (`langfuse.openai`) serves the plain class too: keep the client on it.
            home = module if f"{module}.{plain}" in self.sdk.openai_clients else "openai"
            asname = func.value if func.value != obj else None
            self.plan.remove_imports.append((module, obj, asname))
            if self.imported_for(c.node, plain, {f"{home}.{plain}"}):
                return
            found = self.binding_import(c.node, func.value)
            if found is not None and asname is None and home == module:
                stmt, alias, top_level = found
                if not top_level and not self.used_besides_ctors(stmt, obj):
                    # `from openai import AsyncAzureOpenAI` in the branch that builds it (a lazy import):
                    # it becomes the plain class's import there, not a new import at the top of the file
                    self.plan.edit(alias, _renamed_alias(obj, plain))
                    return
            self.plan.add_imports.append((home, plain))

    def used_besides_ctors(self, stmt: cst.CSTNode, name: str) -> bool:
        """Is `name` read in the function around `stmt` other than by the Azure constructions the fix
        rewrites (`isinstance(client, AzureOpenAI)`)? Then its import must stay."""
        path = self.path_to(stmt)
        scope = next((n for n in reversed(path) if isinstance(n, cst.FunctionDef)), self.a.module)
        nodes = _subtree(scope)
        skip = {id(c.node.func) for c in self.a.clients if isinstance(c.node, cst.Call) and c.azure}
        for n in nodes:
            if isinstance(n, (cst.Import, cst.ImportFrom)):
                skip.update(id(m) for m in _subtree(n))
        return any(isinstance(n, cst.Name) and n.value == name and id(n) not in skip for n in nodes)

    def binding_import(
        self, node: cst.CSTNode, name: str
    ) -> Optional[Tuple[cst.SimpleStatementLine, cst.ImportAlias, bool]]:
        """The `from M import name` statement that `node` sees `name` from: the nearest one before it
        in the blocks around it (a function's, a branch's, the module's), with the alias that binds
        it and whether it is at the top level of the module."""
        path = self.path_to(node)
        for depth in range(len(path) - 2, -1, -1):
            owner, child = path[depth], path[depth + 1]
            if not isinstance(owner, (cst.Module, cst.IndentedBlock)):
                continue
            if (
                depth > 0
                and isinstance(path[depth - 1], cst.ClassDef)
                and any(isinstance(n, (cst.FunctionDef, cst.Lambda)) for n in path[depth + 1 :])
            ):
                continue  # a class body's names are not visible in its methods
            body = list(owner.body)
            index = next((i for i, st in enumerate(body) if st is child), len(body))
            for stmt in reversed(body[:index]):
                if not isinstance(stmt, cst.SimpleStatementLine):
                    continue
                for small in stmt.body:
                    if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                        for alias in small.names:
                            bound = alias.evaluated_alias or alias.evaluated_name
                            if bound == name:
                                return stmt, alias, isinstance(owner, cst.Module)
        return None

    def imported_for(self, node: cst.CSTNode, name: str, qualified: Set[str]) -> bool:
        """Is `name`, where `node` sees it, an import of one of `qualified` (`from openai import
        AzureOpenAI, OpenAI` in the method, `ChatOpenAI` from langchain_community at the top)? Then the
        retargeted call uses that import, and a second one would only shadow or repeat it."""
        found = self.binding_import(node, name)
        if found is None:
            return False
        stmt, alias, _top = found
        for small in stmt.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and not isinstance(small.names, cst.ImportStar)
                and any(a is alias for a in small.names)
            ):
                return f"{_dotted(small.module)}.{alias.evaluated_name}" in qualified
        return False

    # -- module-level client ----------------------------------------------------------------
    def module_config(self) -> None:
        """Point the module-level client at the provider: host and key together, in each place the
        program sets either (a class's constructor, a `configure()` helper, the module), written in
        the form the file's SDK reads (openai<1: `api_base`, `api_type = "open_ai"`; openai>=1:
        `base_url`, `api_type = "openai"`), and on an Azure route with nothing of Azure's left:
        the key is the provider's whatever Azure credential it was (an AD token, the app's secret
        store), `api_version` and AD token settings go."""
        target = self.a.module_target
        module_calls = [c for c in self.a.calls if c.via in ("module", "v0")]
        assigns = self.a.module_assigns
        if target is None or not target.blocked or not self.a.module_client_used:
            return
        first = min([m.span.line for m in assigns] + [c.span.line for c in module_calls])
        if not any(self.allowed(code, first) for code in ("OFR103", "OFR104", "OFR105")):
            return
        if self.held:
            self.azure_route_stays(assigns)
            return
        route_held = self.route_held_module()
        if route_held is not None:
            where = module_calls[0].node if module_calls else assigns[0].node
            self.plan.todo(
                self.stmt(where),
                f"module-level client left as it is: {route_held}; move its host, key and model together",
                "OFR104",
                first,
            )
            return
        azure = target.kind == "azure"
        v0 = module_sdk_is_v0(module_calls, assigns)
        url = self.base if v0 else self.base + "/"  # openai>=1 glues module base_url and path without a slash
        base_attr = "api_base" if v0 else "base_url"
        if azure:
            self.plan.azure_cleanup = True  # an Azure AD credential only the key used goes with it
        for m in assigns:
            self.claimed.add(id(m.value))
            if m.role == "base-url" and m.attr == base_attr and not azure and _configured(m.value, url):
                # invariant 5: `if conf.base: openai.api_base = conf.base` is the user's choice of host (a
                # relay): it stays, with the provider's URL as the default when the setting is empty
                if not _defaults_to(m.value, url):
                    self.plan.edit(m.node, _assign_value(lambda old: _or_default(old, None, url)))
                    self.plan.notes.append(
                        (m.span.line, f"kept the configured base URL; {self.p.name}'s is its default")
                    )
                    self.plan.changes["module configuration"] += 1
                continue
            if m.role in ("base-url", "azure-endpoint"):
                self.plan.moves(HOST, m.span)
                if m.attr == base_attr:
                    self.plan.edit(m.node, _assign_value(_to_string(url)))
                else:  # `openai.api_base` in openai>=1 code is never read: the request would go to OpenAI
                    self.plan.edit(m.node, _assign_attr_value(base_attr, _to_string(url)))
                self.plan.changes["module configuration"] += 1
            elif m.role == "api-type":
                if (m.literal or "").lower().startswith("azure"):
                    value = "open_ai" if v0 else "openai"
                    self.plan.edit(m.node, _assign_value(_to_string(value)))
                    self.plan.changes["module configuration"] += 1
            elif m.role == "key":
                written = self.written_key(m.hardcoded_key, f"`openai.{m.attr}`", m.value, m.span.line)
                if written or (azure and not self.renamed_key_read(m.value)):
                    if not written:
                        self.plan.notes.append(
                            (m.span.line, f"`openai.{m.attr}` held an Azure credential; it now reads {self.p.key_env}")
                        )
                    key_env = self.p.key_env
                    self.plan.moves(CRED, m.span)
                    self.plan.moves(CRED, MODULE)
                    # (`api_key_path` names a file holding the key: the provider's key is set itself)
                    self.plan.edit(m.node, _assign_attr_value("api_key", _env_read_quoted_like(key_env)))
                    self.needs_os(m.node)
                    self.plan.changes["module configuration"] += 1
            elif m.role in ("api-version", "azure-auth") and azure:
                stmt = self.stmt(m.node)
                if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
                    self.plan.edit(stmt, lambda node: cst.RemoveFromParent())
                    self.plan.changes["module configuration"] += 1
        for call in module_calls:
            # openai<1.0 takes a key per request; with the module aimed at the provider it goes there too.
            i = kwarg_index(call.node.args, "api_key") if call.via == "v0" else -1
            if i >= 0 and self.written_key(
                call.hardcoded_keys.get("api_key"), "`api_key=`", call.node.args[i].value, call.span.line
            ):
                self.plan.edit(call.node, _set_kwarg("api_key", env_read(self.p.key_env, _quote_of(call.node))))
                self.needs_os(call.node)
                self.plan.changes["module configuration"] += 1
        alias, anchor = self.module_anchor(assigns)
        if alias is None:
            self.plan.add_imports.append(("openai", None))
            alias = "openai"
        base_line = f'{alias}.{base_attr} = "{url}"'
        key_line = f'{alias}.api_key = os.environ["{self.p.key_env}"]'
        type_line = None
        if not v0 and not any(m.role == "api-type" for m in assigns):
            # With OPENAI_API_KEY and AZURE_OPENAI_API_KEY both in the environment the SDK refuses to
            # guess ("Ambiguous use of module client"); saying which client we mean removes the doubt.
            type_line = f'{alias}.api_type = "openai"'
        groups = config_groups(assigns, self.outside_calls(assigns, module_calls))
        self.plan.moves(HOST, MODULE)
        if not all(has_key for _, has_key in groups.values()) or not any(m.role == "key" for m in assigns):
            self.plan.moves(CRED, MODULE)  # the key line goes in beside the host
        if not groups:
            return
        type_place = None if None in groups else next(iter(groups))
        for where, (has_base, has_key) in groups.items():
            lines = ([] if has_base else [base_line]) + ([] if has_key else [key_line])
            if where == type_place and type_line:
                lines.append(type_line)
            if not lines:
                continue
            here = self.group_anchor(assigns, where, anchor)
            if here is not None and not has_key:  # its `os.environ[...]` read must see the loaded .env
                uses = [self.path_to(n)[1:2] for n in [*(m.node for m in assigns), *(c.node for c in module_calls)]]
                here = after_environment_loaded(
                    self.a.module.body, here, [u[0] for u in uses if u], self.sdk.env_loaders
                )
            if here is None:
                self.plan.todo(
                    self.stmt(module_calls[0].node) if module_calls else None,
                    f"point the module-level client at {self.p.name}: {'; '.join(lines)}",
                    "OFR104",
                )
                continue
            if not has_key:  # else the SDK would send OPENAI_API_KEY (or AZURE_OPENAI_API_KEY) to the provider
                self.needs_os(here)
            stmts = [cst.parse_statement(line + "\n") for line in lines]
            self.plan.insert_after.setdefault(id(here), []).extend(stmts)
            self.plan.changes["module configuration"] += 1

    def azure_route_stays(self, assigns: List[ModuleAssign]) -> None:
        """The Azure module route stays whole: a TODO says which deployments keep it there."""
        names = ", ".join(f"`{lit.value}`" for lit in self.held)
        for m in assigns:
            self.claimed.add(id(m.value))
        self.plan.todo(
            self.stmt(assigns[0].node) if assigns else None,
            f"the module-level client stays on Azure OpenAI: {names} has no {self.p.name} model; map it under "
            f"[tool.offramp.models] and run fix again (host, key and model move together)",
            "OFR103",
            assigns[0].span.line if assigns else 0,
        )

    def renamed_key_read(self, value: cst.BaseExpression) -> bool:
        """Whether `value` reads a key variable this fix renames to the provider's (or already reads
        the provider's): `os.environ["AZURE_OPENAI_KEY"]`, `os.getenv(...)` with no fallback of the
        app's own, or a name assigned such a read. Anything else on an Azure route (a token, a call,
        the app's config) holds an Azure credential, which must not follow the host to the provider."""
        if isinstance(value, cst.Name):
            bound = next(
                (
                    small.value
                    for e in self.a.env
                    if e.node is not None and not e.write and e.role == "key"
                    for stmt in [self.stmt(e.node)]
                    if isinstance(stmt, cst.SimpleStatementLine)
                    for small in stmt.body
                    if isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                    and small.targets[0].target.value == value.value
                ),
                None,
            )
            if bound is None:
                return False
            value = bound
        for e in self.a.env:
            if e.node is None or e.write or e.role != "key" or not _reads_env(value, e.node):
                continue
            if e.default is not None and string_value(e.default) is None and not _is_none(e.default):
                return False  # `os.getenv("AZURE_OPENAI_KEY", settings.key)`: the app's Azure key behind it
            if e.name == self.p.key_env:
                return True
            return id(e.node) not in self.kept and "ADMIN" not in e.name.upper() and self.allowed("OFR301", e.span.line)
        return False

    def outside_calls(self, assigns: List[ModuleAssign], calls: List[ApiCall]) -> bool:
        """Whether a module call sits outside every class that configures the module client while
        no configuration applies everywhere: that route needs its own host and key."""
        owners = {id(m.owner) for m in assigns if m.owner is not None}
        if not owners or any(m.owner is None and m.role in ("key", "base-url", "azure-endpoint") for m in assigns):
            return False
        for call in calls:
            classes = [n for n in self.path_to(call.node) if isinstance(n, cst.ClassDef)]
            if not any(id(c) in owners for c in classes):
                return True
        return False

    def group_anchor(
        self, assigns: List[ModuleAssign], where: Optional[int], fallback: Optional[cst.CSTNode]
    ) -> Optional[cst.CSTNode]:
        """The statement after which a place's missing host or key goes: right after its host
        setting (else its key setting), in the same block, so both are set together; the
        module-level place with neither takes `fallback` (after the imports)."""
        for role in (("base-url", "azure-endpoint"), ("key",)):
            for m in assigns:
                if m.role in role and (id(m.owner) if m.owner is not None else None) == where:
                    stmt = self.stmt(m.node)
                    if stmt is not None:
                        return stmt
        return fallback

    def module_anchor(self, assigns: List[ModuleAssign]) -> Tuple[Optional[str], Optional[cst.CSTNode]]:
        """The name `openai` is bound to at module level, and the statement to insert after."""
        alias = None
        anchor: Optional[cst.CSTNode] = None
        body = list(self.a.module.body)
        for i, stmt in enumerate(body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    bound = _sdk_module_import(small, self.sdk.entry_modules)
                    if bound is not None:
                        # after the imports that follow it too: statements inside the import block
                        # would leave the imports below them "not at top of file" (E402)
                        end = i
                        while end + 1 < len(body) and is_import_line(body[end + 1]):
                            end += 1
                        alias, anchor = bound, body[end]
        key_assign = next((m for m in assigns if m.role == "key"), None)
        if key_assign is not None:
            top = self.stmt(key_assign.node)
            if top is not None and any(top is s for s in self.a.module.body):
                anchor = top
        if anchor is None:
            alias, anchor = self.local_module_import(assigns)
        if anchor is None:
            anchor = next((st for st in reversed(body) if is_import_line(st)), None)
        return alias, anchor

    def local_module_import(self, assigns: List[ModuleAssign]) -> Tuple[Optional[str], Optional[cst.CSTNode]]:
        """`import openai` inside the one function that uses the module client (a lazy import): the
        configuration goes right after it, so the module keeps importing the SDK only when needed."""
        uses = [m.node for m in assigns] + [c.node for c in self.a.calls if c.via in ("module", "v0")]
        if not uses:
            return None, None
        funcs = [n for n in _subtree(self.a.module) if isinstance(n, cst.FunctionDef)]  # outer before inner
        for func in reversed(funcs):  # innermost first: nested functions come after their parent
            inside = _subtree(func)
            ids = {id(n) for n in inside}
            if not all(id(u) in ids for u in uses):
                continue
            for n in inside:
                if isinstance(n, cst.SimpleStatementLine):
                    for small in n.body:
                        bound = _sdk_module_import(small, self.sdk.entry_modules)
                        if bound is not None:
                            return bound, n
            return None, None
        return None, None

    # -- models -------------------------------------------------------------------------------
    def model(self, lit: ModelLiteral) -> None:
        if lit.arg == "azure_deployment" and (lit.owner is None or lit.owner.wrapper is None):
            return  # the constructor argument goes; its TODO is on the client
        if lit.owner is not None and lit.owner.wrapper is not None and lit.arg in lit.owner.wrapper.deployment_args:
            return  # the wrapper edit turns the deployment into model=
        if lit.azure and lit.template == "{}" and is_provider_model(lit.value, self.p, self.models):
            return  # an earlier run's output (`text-embedding-v4` on a client left for review)
        choice = map_model(lit.value, self.p, self.sdk, self.models, sends_images(lit))
        stmt = self.stmt(lit.node)
        if choice.target and lit.also_key and not lit.azure and choice.target != lit.value:
            # invariant 5: rewritten alone, `PRICES[MODEL]` raised KeyError, `model == "gpt-4o"` took another branch
            self.plan.todo(
                stmt,
                f"map `{lit.value}` to `{choice.target}` here and where it is used as a key: {lit.also_key}",
                "OFR201",
                lit.span.line,
            )
            return
        if choice.target:
            if self.module_stays() and only_on_azure_module_route(lit, self.a):
                return  # its calls stay on Azure (module_config), where the deployment keeps its name
            if choice.target != lit.value or lit.template != "{}":
                written = lit.template.format(choice.target)
                self.plan.moves(MODEL, lit.span)
                self.plan.edit(lit.node, _to_string(written))
                self.plan.changes["model"] += 1
                if choice.is_embedding:
                    self.plan.notes.append(
                        (
                            lit.span.line,
                            f"embedding model `{lit.value}` -> `{choice.target}`: re-compute stored vectors (OFR404)",
                        )
                    )
            return
        if lit.azure:
            self.plan.todo(
                stmt,
                f"map Azure deployment `{lit.value}` to a {self.p.name} model ([tool.offramp.models])",
                "OFR202",
                lit.span.line,
            )
            if lit.template != "{}":  # LiteLLM: leave the azure/ route even before the model is chosen
                rerouted = lit.template.format(lit.value)
                self.plan.edit(lit.node, lambda n: string_like(n, rerouted))
        else:
            self.plan.todo(
                stmt, f"{self.p.name} has no equivalent for `{lit.value}` ({choice.family})", "OFR403", lit.span.line
            )

    # -- capabilities -------------------------------------------------------------------------
    def capabilities(self, call: ApiCall, rerouted: bool = False) -> None:
        stmt = self.stmt(call.node)
        why = self.families.stuck.get(id(call.node)) if self.families is not None else None
        if why is not None and self.targets is not None:
            own = self.targets.for_family(call.family)
            self.plan.todo(stmt, stuck_todo(own, call.family, why), "OFR401", call.span.line)
        status = self.p.endpoint(call.family) if call.family in ENDPOINT_FAMILIES else "no"
        if status == "no" and not rerouted:  # (rerouted: fixes/semantics.py sent it to an endpoint served)
            self.plan.todo(
                stmt, f"{self.p.name} does not serve the OpenAI `{call.family}` API", "OFR401", call.span.line
            )
        if call.family == "chat":
            for param in used_parameters(call):
                if self.p.parameter(param) == "no" and not told_elsewhere(param, self.p):
                    self.plan.todo(stmt, f"{self.p.name} does not support `{param}`", "OFR402", call.span.line)
        if call.dynamic_model is not None and not call.model_literals:
            self.plan.todo(
                stmt,
                f"model comes from {call.dynamic_model.origin}: set it to a {self.p.name} model",
                "OFR203",
                call.span.line,
            )

    # -- URLs --------------------------------------------------------------------------------
    def url(self, u: UrlLiteral) -> None:
        if u.node is None:  # fast-path facts carry no node; there is nothing to edit
            return
        stmt = self.stmt(u.node)
        if u.target.kind != "openai":
            self.plan.todo(
                stmt, f"Azure OpenAI endpoint: point it at {self.p.name} ({self.base})", "OFR106", u.span.line
            )
            return
        parts = urlsplit(u.url.replace("{...}", "x"))
        path = parts.path
        if not path.startswith("/v1"):
            self.plan.todo(stmt, f"OpenAI URL `{u.url}` has no {self.p.name} counterpart", "OFR106", u.span.line)
            return
        rest = path[3:].lstrip("/")
        family = self.sdk.rest_family(rest) if rest else None
        if rest and (family is None or self.p.endpoint(family) in ("no",)):
            self.plan.todo(stmt, f"{self.p.name} does not serve `/{rest}`", "OFR106", u.span.line)
            return
        host_prefix = f"{parts.scheme}://{parts.netloc}/v1"
        new_base = self.base

        def replace_text(text: str) -> str:
            return text.replace(host_prefix, new_base, 1)

        # The URL's userinfo and credential parameters (`?api-key=`) are OpenAI's: never copied.
        _, dropped = without_url_credentials(u.url)
        if dropped and not isinstance(u.node, cst.SimpleString):
            self.plan.todo(
                stmt,
                f"this OpenAI URL carries credentials ({', '.join(dropped)}): point it at {new_base} without them",
                "OFR106",
                u.span.line,
            )
            return
        if isinstance(u.node, cst.SimpleString):
            value = string_value(u.node)
            if value is None:
                return
            new_value, dropped = without_url_credentials(replace_text(value))
            if dropped:
                self.plan.edit(u.node, lambda n: string_like(n, new_value))
                self.plan.notes.append(
                    (
                        u.span.line,
                        f"dropped the URL's credentials ({', '.join(dropped)}): {self.p.name} gets its own key "
                        f"from {self.p.key_env}, never OpenAI's",
                    )
                )
            else:
                self.plan.edit(u.node, lambda n: _string_replace(n, host_prefix, new_base, new_value))
        elif isinstance(u.node, cst.FormattedString):
            self.plan.edit(u.node, lambda n: _fstring_replace(n, host_prefix, new_base))
        else:
            return
        self.plan.moves(HOST, u.span)
        if _whole_url(u):  # a URL alone (not prose): the route gate asks which key travels with it
            self.plan.moves(URL, u.span)
        self.plan.changes["URL"] += 1


UNTRACED = "the value written is"
UNTRACED_TOO = "it is also written from"
_KEY_KWARGS = frozenset({"api_key", "openai_api_key", "apikey", "key", "token", "api_token", "access_token"})


# Helpers whose key argument is no consumer (`os.getenv(key=...)`, `Secret.from_env_var`, pydantic's
# `SecretStr`). An SDK client or framework constructor is known by node (a `ClientCtor` of the file's
# analysis), never by its last name: `dspy.OpenAI(api_key=KEY)` and `guidance.models.OpenAI(...)` are other
# libraries' classes that send the key to api.openai.com themselves (matched by name, their key read was renamed).
_KNOWN_CALLABLES = frozenset({"getenv", "get", "setdefault", "environ", "Secret", "SecretStr", "from_env_var"})


def _plain_value(arg: cst.Arg) -> bool:
    """A positional argument handed on as it is (a name, `os.environ[...]`, `os.getenv(...)`), not computed from it."""
    node = arg.value
    if arg.star or arg.keyword is not None:
        return False
    return isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)) or (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _KNOWN_CALLABLES
    )


def _whole_url(u: UrlLiteral) -> bool:
    """A string that is a URL and nothing else (a value a request can use), not prose that mentions one."""
    value = string_value(u.node) if isinstance(u.node, cst.SimpleString) else None
    if value is None:
        return isinstance(u.node, cst.FormattedString)
    return value.strip() == value and not any(c.isspace() for c in value) and "://" in value


def _or_default(value: cst.BaseExpression, template: Optional[cst.SimpleString], url: str) -> cst.BaseExpression:
    """`value or "url"` (`value` a name, attribute or subscript: no parentheses needed)."""
    return cst.BooleanOperation(
        left=value,
        operator=cst.Or(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
        right=string_like(template, url),
    )


def module_sdk_is_v0(calls: Sequence[ApiCall], assigns: Sequence[ModuleAssign]) -> bool:
    """Whether the file's module client is openai<1's: its calls say so (`openai.ChatCompletion`
    against `openai.chat.completions`), else its configuration (`api_base`, `api_type = "azure_ad"`):
    each SDK reads only its own names, so the form written must be the one the code runs under."""
    if calls:
        return any(c.via == "v0" for c in calls)
    return any(
        m.attr in ("api_base", "api_key_path") or (m.literal or "").lower() in ("azure_ad", "open_ai") for m in assigns
    )


def config_groups(assigns: Sequence[ModuleAssign], outside: bool) -> Dict[Optional[int], Tuple[bool, bool]]:
    """The places that set the module client's host or key (id of the class whose body or methods
    do, None for the module and its functions), each with (sets the host, sets the key). A place
    that sets one gets the other beside it; with no such place, or module calls outside the classes
    that configure it (`outside`), the module itself is one."""
    groups: Dict[Optional[int], Tuple[bool, bool]] = {}
    for m in assigns:
        if m.role in ("key", "base-url", "azure-endpoint"):
            where = id(m.owner) if m.owner is not None else None
            has_base, has_key = groups.get(where, (False, False))
            groups[where] = (has_base or m.role != "key", has_key or m.role == "key")
    if not groups or outside:
        groups.setdefault(None, (False, False))
    return groups


def _reads_env(expr: cst.BaseExpression, name: cst.CSTNode) -> bool:
    """`expr` is `os.environ[<name>]`, `os.getenv(<name>[, default])` or `os.environ.get(...)`."""
    if isinstance(expr, cst.Subscript):
        return (
            (_dotted(expr.value) or "").endswith("environ")
            and len(expr.slice) == 1
            and isinstance(expr.slice[0].slice, cst.Index)
            and expr.slice[0].slice.value is name
        )
    if isinstance(expr, cst.Call):
        func = _dotted(expr.func) or ""
        return (
            (func.endswith("getenv") or func.endswith("environ.get")) and bool(expr.args) and expr.args[0].value is name
        )
    return False


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _configured(value: cst.BaseExpression, url: str) -> bool:
    """A base URL the program reads from its own settings (`conf.base`, `args.base_url`, `cfg["base"]`),
    or such a setting defaulting to `url` (an earlier run's output)."""
    return isinstance(value, (cst.Name, cst.Attribute, cst.Subscript)) or _defaults_to(value, url)


def _defaults_to(value: cst.BaseExpression, url: str) -> bool:
    """`<setting> or "<url>"`."""
    return (
        isinstance(value, cst.BooleanOperation)
        and isinstance(value.operator, cst.Or)
        and (string_value(value.right) or "").rstrip("/") == url.rstrip("/")
    )


def _one_line(text: str) -> str:
    """`text` fit for a comment: line breaks and other control characters escaped (`\\n`)."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _path_to(parents: Dict[int, cst.CSTNode], root: cst.CSTNode, target: cst.CSTNode) -> List[cst.CSTNode]:
    """`root`, ..., `target`: the nodes from `root` down to `target` (empty when it is not below),
    from a map of every node's parent (`_parents_of`)."""
    path = [target]
    while path[-1] is not root:
        parent = parents.get(id(path[-1]))
        if parent is None:
            return []
        path.append(parent)
    path.reverse()
    return path


def _parents_of(root: cst.CSTNode) -> Dict[int, cst.CSTNode]:
    """id(node) -> its parent, for every node below `root`."""
    parents: Dict[int, cst.CSTNode] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in _children(node):
            parents[id(child)] = node
            stack.append(child)
    return parents


_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The nodes directly below `node`, in no particular order: its dataclass fields that hold nodes
    (LibCST's `children` property rebuilds the node with a visitor to find them, ~10x slower)."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    out: List[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out


def _sdk_module_import(small: cst.BaseSmallStatement, entry_modules: frozenset) -> Optional[str]:
    """The name `import openai [as x]` (or a drop-in's `from langfuse.openai import openai`) binds."""
    if isinstance(small, cst.Import):
        names: Sequence[cst.ImportAlias] = small.names
    elif (
        isinstance(small, cst.ImportFrom)
        and small.module is not None
        and _dotted(small.module) in entry_modules
        and not isinstance(small.names, cst.ImportStar)
    ):
        names = small.names
    else:
        return None
    for name in names:
        if _dotted(name.name) == "openai":
            return name.asname.name.value if name.asname and isinstance(name.asname.name, cst.Name) else "openai"
    return None


def _renamed_alias(old: str, new: str) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        if isinstance(node, cst.ImportAlias) and node.evaluated_name == old:
            return node.with_changes(name=cst.Name(new))
        return node

    return edit


def _subtree(node: cst.CSTNode) -> List[cst.CSTNode]:
    """`node` and every node below it."""
    out: List[cst.CSTNode] = []

    class V(cst.CSTVisitor):
        def on_visit(self, n: cst.CSTNode) -> bool:
            out.append(n)
            return True

    node.visit(V())
    return out


def _bound_names(stmt: Optional[cst.CSTNode], node: cst.CSTNode) -> List[str]:
    """The names `node` (inside statement `stmt`) is stored under: assignment targets (a name, an
    attribute's last part, tuple members, a subscript's container) or the parameter it is the default of."""
    out: List[str] = []

    def targets(t: cst.BaseExpression) -> None:
        if isinstance(t, cst.Name):
            out.append(t.value)
        elif isinstance(t, cst.Attribute):
            out.append(t.attr.value)
        elif isinstance(t, cst.Subscript):
            targets(t.value)
        elif isinstance(t, (cst.Tuple, cst.List)):
            for el in t.elements:
                targets(el.value)

    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for t in small.targets:
                    targets(t.target)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                targets(small.target)
    elif isinstance(stmt, cst.FunctionDef):
        params = stmt.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            if param.default is not None and any(n is node for n in _subtree(param.default)):
                out.append(param.name.value)
    return out


def _quote_of(node: cst.CSTNode) -> str:
    s = _first_string(node)
    return s.quote if s is not None and s.quote in ('"', "'") else '"'


def _first_string(node: cst.CSTNode) -> Optional[cst.SimpleString]:
    found: List[cst.SimpleString] = []

    class V(cst.CSTVisitor):
        def visit_SimpleString(self, n: cst.SimpleString) -> bool:
            if not found:
                found.append(n)
            return False

    node.visit(V())
    return found[0] if found else None


def _dotted(node: cst.BaseExpression) -> Optional[str]:
    from offramp.analysis.values import dotted_name

    return dotted_name(node)


def _plain_func(func: cst.BaseExpression, plain: str) -> cst.BaseExpression:
    """`AzureOpenAI` -> `OpenAI`; `openai.lib.azure.AzureOpenAI` -> `openai.OpenAI`."""
    if isinstance(func, cst.Name):
        return cst.Name(plain)
    if isinstance(func, cst.Attribute):
        root: cst.BaseExpression = func
        while isinstance(root, cst.Attribute):
            root = root.value
        return cst.Attribute(value=root, attr=cst.Name(plain))
    return func


def _to_string(value: str) -> Callable[[Optional[cst.CSTNode]], cst.SimpleString]:
    """A node builder: `value` as a string literal quoted like the node it replaces."""
    return lambda old: string_like(old, value)


def _env_read_quoted_like(name: str) -> Callable[[cst.BaseExpression], cst.BaseExpression]:
    """A node builder: `os.environ["name"]`, quoted like the node it replaces."""
    return lambda old: env_read(name, _quote_of(old))


def _renamed_kwarg(old: str, new: str) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return rename_kwarg(node, old, new)

    return edit


def _set_kwarg(name: str, value: cst.BaseExpression) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        return retarget_args(node, (), [(name, value)])

    return edit


def _assign_value(make: Callable[[cst.BaseExpression], cst.BaseExpression]) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Assign)
        return node.with_changes(value=make(node.value))

    return edit


def _assign_attr_value(attr: str, make: Callable[[cst.BaseExpression], cst.BaseExpression]) -> Edit:
    def edit(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Assign)
        targets = []
        for t in node.targets:
            if isinstance(t.target, cst.Attribute):
                t = t.with_changes(target=t.target.with_changes(attr=cst.Name(attr)))
            targets.append(t)
        return node.with_changes(targets=targets, value=make(node.value))

    return edit


def _string_replace(node: cst.CSTNode, old: str, new: str, value: str) -> cst.CSTNode:
    """The URL `old` replaced by `new` in the literal's own source text, so its prefix, quotes
    (triple quotes around a multi-line config) and escapes stay; rebuilt from `value` when the URL
    is not written verbatim (escaped characters in it)."""
    if isinstance(node, cst.SimpleString) and old in node.value and "\\" not in new and node.quote[0] not in new:
        return node.with_changes(value=node.value.replace(old, new, 1))
    return string_like(node, value)


def _fstring_replace(node: cst.CSTNode, old: str, new: str) -> cst.CSTNode:
    assert isinstance(node, cst.FormattedString)
    parts = []
    done = False
    for part in node.parts:
        if not done and isinstance(part, cst.FormattedStringText) and old in part.value:
            part = part.with_changes(value=part.value.replace(old, new, 1))
            done = True
        parts.append(part)
    return node.with_changes(parts=parts)


_ = template_value


def _openai_key_header(key: cst.BaseExpression) -> bool:
    """A header or field that carries an OpenAI key to a service which calls OpenAI itself
    (`X-OpenAI-Api-Key` of Weaviate's vectorizers, `openai_api_key`)."""
    name = (string_value(key) or "").lower().replace("-", "_")
    return "openai" in name and ("key" in name or "token" in name)


def _short(code: str, width: int = 40) -> str:
    """One line of at most `width` characters, for a note quoting the code."""
    line = " ".join(code.split())
    return line if len(line) <= width else line[: width - 3] + "..."
