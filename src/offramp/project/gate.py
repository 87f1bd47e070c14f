"""The route gate: which sites `fix` may rewrite, decided per request rather than per site.

The planner (fixes/planner.py) sees one file; a request's host, credential and model are often defined
in several. A site that looks safe to rewrite alone (`OPENAI_API_KEY` renamed, `CHAT_MODEL` mapped) is
only right if every request it reaches moves to the provider whole: renamed alone, it sent provider keys
to OpenAI, Azure and company proxies, and Azure secrets to the provider (issue 14). So `fix` plans every
file once, records what each plan would move (`Effect`: host, credential or model, at a span), and asks
the project's routes (project/routes.py) which requests end at the provider with its credential. The
sources of every other route are *frozen*: their files are planned again and left as they are (a TODO
where a person must act). Freezing can strand another route (a client whose key read was frozen), so
the decision is repeated until nothing new freezes; the frozen set only grows, so this ends.
"""

from __future__ import annotations

from typing import Callable, Collection, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from offramp.checks.azure_routes import MAP_IT as MAP_IT
from offramp.checks.azure_routes import deployment_maps
from offramp.hosts import classify_url
from offramp.mapping import is_provider_model
from offramp.project.decision import (
    AZKEY,
    CRED,
    HOST,
    KEY_LOOSE,
    KEYREAD,
    LOOSE,
    MODEL,
    SEEN,
    UNMAPPED_DEPLOYMENT,
    URL,
    WRITE,
    WRITE_UNREAD,
    Decision,
    Effect,
)
from offramp.project.gateview import OPEN as OPEN
from offramp.project.gateview import Gate as Gate
from offramp.project.gateview import overlaps as overlaps
from offramp.project.overrides import OVERRIDE as OVERRIDE
from offramp.project.overrides import override_moves
from offramp.project.replacedkeys import adds_key, every_key_replaced, placeholder, renamed_reads_replace
from offramp.project.sharedmodels import hold_sharers
from offramp.project.sources import (
    MODULE,
    ConfigValue,
    EnvRead,
    Literal,
    Parameter,
    Route,
    SdkDefault,
    Source,
    Unknown,
    every_route,
    left_out,
)
from offramp.project.unserved import unserved_clients
from offramp.providers import Provider
from offramp.targets import Targets
from offramp.types import Span


def ordered_models(r: Route) -> List[Literal]:
    """The route's model literals written in the project, in a fixed order (reasons must not change from run
    to run)."""
    found = [s for s in r.model if isinstance(s, Literal) and s.file and s.value and not s.template]
    return sorted(found, key=lambda s: (s.file, s.span.line if s.span else 0, s.span.column if s.span else 0))


class RouteJudge:
    """Decides, from the planned effects, which routes end at the provider with its credential."""

    def __init__(
        self,
        routes: Sequence[Route],
        provider: Provider,
        provider_hosts: Sequence[str],
        sdk,
        predicted: bool = False,
        targets: Optional[Targets] = None,
        models: Mapping[str, str] = {},
        per_file_ignores: Mapping[str, Tuple[str, ...]] = {},
        context: Collection[str] = (),
    ) -> None:
        """`predicted`: the effects come from fixable findings (`check`), not from plans (`fix`); a
        finding on a constructor does not say whether fix replaces its key argument, so the judge
        assumes it does only for what the planner replaces: a key the SDK reads itself, or one
        written into the code. `targets`: a provider per request family (offramp.targets); each
        route is then judged against the provider of its own family. `models`: the user's model map
        ([tool.offramp.models]), which can give a model the catalogue has no equivalent for."""
        self.predicted = predicted
        self.routes = list(routes)
        self.p = provider
        self.targets = targets if targets is not None and targets.split else None
        self.sdk = sdk
        self.provider_hosts = tuple(provider_hosts)
        self._explained: Optional[Dict[str, List[Span]]] = None
        self._unsplit: Optional[Set[Tuple[str, Optional[Span]]]] = None
        self.models = dict(models)
        self._unserved: Optional[Dict[int, str]] = None
        self.ignores = dict(per_file_ignores)
        self.context = frozenset(context)

    def decide(self, effects: Dict[str, List[Effect]], before: Optional[Decision] = None) -> Decision:
        out = Decision(
            {k: g.copy() for k, g in (before.gates if before else {}).items()},
            dict(before.writes) if before else {},
        )
        unseen: Dict[str, str] = {}  # file -> why a request there whose model offramp cannot (all) see stays
        reasons: Dict[int, str] = {}
        for r in self.routes:
            reason = self.stranded(r, effects)
            if reason is None and before is not None:
                reason = self.model_stays(r, before)
            if reason is None:
                reason = self.unserved_clients.get(id(r))
            if reason is None:
                reason = self.outside_the_run(r)
            if reason is not None:
                reasons[id(r)] = reason
        hold_sharers(self, reasons)  # (a model literal another file writes, shared with a route that stays)
        for r in self.routes:
            reason = reasons.get(id(r))
            if reason is None:
                continue
            # (not only none seen: mem0's `self.config.model = "gpt-5-mini"` is written into an attribute of an
            # attribute, which the flow does not follow, beside configured models it does)
            if not r.model or any(isinstance(s, (Unknown, Parameter)) for s in r.model):
                for path in {r.file, r.client_file} - {""}:
                    unseen.setdefault(path, reason)
            for role in ("host", "credential", "model"):
                for s in getattr(r, role):
                    out.freeze(getattr(s, "file", ""), getattr(s, "span", None), reason)
                    if isinstance(s, SdkDefault) and s.file:
                        out.freeze(s.file, MODULE, reason)
                    if role == "credential" and isinstance(s, EnvRead):
                        out.freeze_write(s.name, reason)
            if r.client_file and r.client_span is not None:
                out.freeze(r.client_file, r.client_span, reason)
            for path, span in r.other_clients:
                out.freeze(path, span, reason)
            if r.kind in ("module", "v0"):
                out.freeze(r.file, MODULE, reason)
                out.freeze(r.file, r.span, reason)  # (its `engine=` stays: ENGINE)
                for path in r.process:
                    out.freeze(path, MODULE, reason)
            if r.kind == "http":
                out.freeze(r.file, r.span, reason)
        # A write no route reads (`os.environ["OPENAI_API_KEY"] = "sk-xxx"` in a script for guidance, which reads
        # it itself): renamed, it serves no request that moves, and the library finds the variable unset.
        reached = [(path, span) for r in self.routes for path, span in r.writes]
        for path, es in effects.items():
            for e in es:
                if e.role.startswith(WRITE) and not any(p == path and overlaps(s, e.span) for p, s in reached):
                    out.freeze(path, e.span, WRITE_UNREAD)
        # (a subclass construction the routes hand to a file's plan is no host of that file's own: its other key
        # reads stay loose, as they were when the file had no plan)
        hinted = {(path, span) for r in self.routes for path, span, _ in (*r.subclass_ctors, *r.subclass_todo)}
        for path, es in effects.items():
            explained = self.explained.get(path, [])
            loose = [e.span for e in es if e.role == URL and not any(overlaps(e.span, s) for s in explained)]
            for span in loose:
                out.freeze(path, span, LOOSE)
            # A key read is loose when no route reads it and it is not written inside a host the plan moves
            # (a constructor or client dict the routes do not model): renamed, the provider key goes wherever
            # the code sends it, most likely OpenAI. A client moving elsewhere in the file says nothing of it:
            # renamed with it, the provider key went to a raw request to a company gateway and to a call
            # offramp cannot follow.
            hosts = [e.span for e in es if e.role == HOST and e.span not in loose and (path, e.span) not in hinted]
            for e in es:
                if e.role == KEYREAD and not any(overlaps(e.span, s) for s in (*explained, *hosts)):
                    out.freeze(path, e.span, KEY_LOOSE)
                # A model on no route, beside a request that stays and whose model offramp cannot see (handed
                # through `**kwargs`, a function stored on the instance): most likely that request's, which would
                # then name a provider model at OpenAI (modelscope-agent's `self.model or 'gpt-4o-mini'`).
                # (a model written inside a construction that moves, a config dict's `"model"`, moves with it)
                if (
                    e.role == MODEL
                    and path in unseen
                    and not any(overlaps(e.span, s) for s in explained)
                    and not any(h.role == HOST and h.span != MODULE and overlaps(e.span, h.span) for h in es)
                ):
                    out.freeze(path, e.span, unseen[path])
        return out

    @property
    def explained(self) -> Dict[str, List[Span]]:
        """Per file, the spans the routes account for: where hosts are written, clients built, raw
        requests sent. A URL literal outside all of them is on no route the project explains."""
        if self._explained is None:
            out: Dict[str, List[Span]] = {}
            for r in self.routes:
                for s in (*r.host, *r.credential, *r.model):
                    span = getattr(s, "span", None)
                    if getattr(s, "file", "") and span is not None:
                        out.setdefault(s.file, []).append(span)
                if r.client_file and r.client_span is not None:
                    out.setdefault(r.client_file, []).append(r.client_span)
                for path, span in r.other_clients:
                    out.setdefault(path, []).append(span)
                out.setdefault(r.file, []).append(r.span)
            self._explained = out
        return self._explained

    def models_elsewhere(
        self, decision: Decision, effects: Dict[str, List[Effect]], target: Callable[[str, Provider], Optional[str]]
    ) -> Decision:
        """Add the model literals that requests of migrated routes send but no plan rewrote: a
        constant of another module (`settings.CHAT_MODEL`), a dataclass default. Each is rewritten
        only when every route it reaches moves (a frozen one stays, invariant 2): the decision keeps
        only the freezes of sites a plan moved (`Decision.only_where`), so a literal no plan touched
        is checked against the routes that stay here."""
        moving: List[Route] = []
        staying: Dict[str, List[Span]] = {}
        for r in self.routes:
            if left_out(r, self.ignores):
                continue  # (per-file-ignores: neither a request that moves nor one that stays)
            if not r.host or self.stranded(r, effects) is not None:
                if r.host and all(self.at_a_provider(s, self.provider_of(r)) for s in r.host):
                    continue  # (at the provider already: it serves the id the rewrite writes)
                for s in r.model:
                    if isinstance(s, Literal) and s.file and s.span is not None:
                        staying.setdefault(s.file, []).append(s.span)
            else:
                moving.append(r)
        for r in moving:
            for s in r.model:
                if not isinstance(s, Literal) or s.template or not s.value or not s.file:
                    continue
                gate = decision.gate(s.file)
                if gate.stops(s.span) is not None or gate.models.get(s.span):
                    continue
                if any(overlaps(s.span, at) for at in staying.get(s.file, ())):
                    continue  # (camel's EmbeddingModelType member: also the model of a request left on OpenAI)
                if any(e.role in (MODEL, SEEN) and overlaps(e.span, s.span) for e in effects.get(s.file, ())):
                    continue  # the file's own plan maps it, or holds it (a key use, a comparison)
                prefix = r.model_template.partition("{}")[0]
                bare = s.value[len(prefix) :] if prefix and s.value.startswith(prefix) else s.value
                new = target(bare, self.provider_of(r))
                if new:
                    new = r.model_template.format(new)  # (LiteLLM: `openai/<model>`, as fixes/literals.py writes it)
                if new and new != s.value:
                    decision.gates.setdefault(s.file, Gate()).models[s.span] = (s.value, new)
        return decision

    def models_resolved(self, effects: Dict[str, List[Effect]]) -> Dict[str, List[Span]]:
        """Per file, the SDK requests and framework clients whose model the plans settle: the one answer to "is
        this request's model source resolved and moved?", which check (runner.py drops the file's own OFR203
        there) and fix (the planner writes no "model comes from ..." TODO there, `Gate.resolved`) both read.
        `effects`: what the plans move, with the literals of other files the route gate rewrites
        (`models_elsewhere`) among them.

        Settled: every model source is a literal a plan rewrites for the request's provider (a MODEL effect) or
        one that provider serves already, or a variable read with such a literal as its default
        (`os.getenv("CHAT_MODEL", "gpt-4o")`, as in one file). `settings.CHAT_MODEL = "gpt-4o"`, rewritten in
        the same run as the client, is settled; one also sent by a request that stays is not rewritten, and the
        TODO stays true."""
        # (every route of a request, or of a framework client, is)
        kinds = ("client", "module", "v0", "framework")
        return every_route(self.routes, lambda r: self.model_settled(r, effects) if r.kind in kinds else None)

    def model_settled(self, r: Route, effects: Dict[str, List[Effect]]) -> bool:
        p = self.provider_of(r)
        prefix = r.model_template.partition("{}")[0]
        literals = 0
        loaded = {s.key for s in r.model if isinstance(s, ConfigValue) and s.loaded}
        for s in r.model:
            if isinstance(s, EnvRead) and (s.has_default or s.name in loaded):
                continue  # (its default, or the `.env` line the program loads, is a source of its own)
            if not ((isinstance(s, ConfigValue) and s.loaded) or (isinstance(s, Literal) and not s.template)):
                return False
            value, at = s.value, s.span
            if not value or not s.file or at is None:
                return False
            literals += 1
            bare = value[len(prefix) :] if prefix and value.startswith(prefix) else value
            if is_provider_model(bare, p, self.models):
                continue
            moved = effects.get(s.file, ())
            if not any(e.role == MODEL and e.to in ("", p.id) and overlaps(e.span, at) for e in moved):
                return False
        return literals > 0

    def at_a_provider(self, s: Source, p: Provider) -> bool:
        """Whether host source `s` is provider `p`'s URL. Another provider's (a Qwen request, `--to deepseek`) would
        get an id it does not serve: the literal it shares with a request that moves stays, as in one file."""
        if not isinstance(s, (Literal, ConfigValue)) or not s.value:
            return False
        t = classify_url(s.value, self.sdk, self.provider_hosts)
        return t.kind == "provider" and t.host.lower() in {h.lower() for h in p.hosts}

    def config_hosts(self) -> Decision:
        """The constructors whose every host source is OpenAI's API read from a configuration file
        (its URL, a `null`, a missing key: the SDK's default), so that the planner aims them at the
        provider with a literal URL (the file is then rewritten or not with its other readers;
        this request no longer depends on it)."""
        out = Decision()
        for r in self.routes:
            if r.kind != "client" or r.azure or not r.client_file or r.client_span is None or r.other_clients:
                continue
            files = sorted({s.file for s in r.host if isinstance(s, ConfigValue)})
            if files and all(self.openai_default(s, r.host) for s in r.host):
                g = out.gates.setdefault(r.client_file, Gate())
                g.config_hosts[r.client_span] = ", ".join(files)
        return out

    def modules_aimed_away(self, into: Decision) -> Decision:
        """The files whose module / v0 requests all go where other modules configure the module client for a local
        server or another host that is not OpenAI's, Azure's or a provider's (checks/routes.py `aimed_away`): the
        planner leaves their module client, requests and models as one file would (`Gate.module_away`), with no TODO:
        no request of theirs reaches OpenAI or Azure."""
        from offramp.checks.base import CheckContext  # lazy: start-up
        from offramp.checks.routes import aimed_away, host_targets  # lazy: start-up

        ctx = CheckContext(sdk=self.sdk)
        away: Dict[str, Set[str]] = {}
        for r in self.routes:
            if r.kind not in ("module", "v0"):
                continue
            targets = host_targets(r, ctx, self.provider_hosts)
            if not aimed_away(r, targets, self.sdk):
                away[r.file] = set()  # (one request that may go elsewhere: the file decides, as it did)
            elif away.get(r.file) != set():
                away.setdefault(r.file, set()).update(t.describe() for _, t in targets)
        for path, hosts in away.items():
            if hosts:
                into.gates.setdefault(path, Gate()).module_away = ", ".join(sorted(hosts))
        return into

    def subclass_ctors(self, into: Decision) -> Decision:
        """The constructions of project subclasses of a plain SDK client that its routes show (every
        construction of the class built by keywords, the class adding methods only): the planner of the file
        that builds one retargets it as the SDK's constructor. Also the framework subclasses built elsewhere
        (project/subclassctors.py), and those it leaves, which it then sees to write their TODO."""
        for r in self.routes:
            for path, span, qualified in (*r.subclass_ctors, *r.subclass_todo):
                into.gates.setdefault(path, Gate()).subclass_ctors[span] = qualified
        return into

    def reopens(self, into: Decision) -> Decision:
        """The reopening calls of files that do not build the function they rebuild (project/reopens.py)."""
        for r in self.routes:
            if r.kind == "reopen":
                into.gates.setdefault(r.file, Gate()).reopens[r.span] = r.client
        return into

    def client_families(self, into: Decision) -> Decision:
        """With a provider per request family: the families of the requests each constructor serves, as
        the project's routes see them (a request in another file, or through a factory or a parameter,
        is one the constructor's own file may not tie to it)."""
        if self.targets is None:
            return into
        found: Dict[Tuple[str, Span], Set[str]] = {}
        for r in self.routes:
            if r.kind == "client" and r.client_file and r.client_span is not None and r.family:
                found.setdefault((r.client_file, r.client_span), set()).add(r.family)
        for (path, span), fams in found.items():
            into.gates.setdefault(path, Gate()).families[span] = tuple(sorted(fams))
        return into

    def routed_keys(self, into: Decision) -> Decision:
        """The key reads each file hands to a request the routes follow (`Gate.routed_keys`)."""
        found: Dict[str, Set[Span]] = {}
        for r in self.routes:
            for s in r.credential:
                if isinstance(s, EnvRead) and s.file and s.span is not None:
                    found.setdefault(s.file, set()).add(s.span)
        for path, spans in found.items():
            g = into.gates.setdefault(path, Gate())
            g.routed_keys = tuple(sorted(spans, key=lambda x: (x.line, x.column)))
        return into

    def openai_default(self, s: Source, host: Collection[Source] = ()) -> bool:
        """Whether `s` sends the request to OpenAI's API. A variable the code reads counts when the
        `.env` file the program loads sets it (`ConfigValue.loaded`, among `host`) to OpenAI's URL."""
        if isinstance(s, ConfigValue):
            return not s.value or classify_url(s.value, self.sdk, self.provider_hosts).kind == "openai"
        if isinstance(s, SdkDefault):
            return not s.azure
        if isinstance(s, EnvRead) and s.file:
            loaded = [c for c in host if isinstance(c, ConfigValue) and c.loaded and c.key == s.name]
            return bool(loaded) and all(self.openai_default(c) for c in loaded)
        return isinstance(s, EnvRead) and not s.file and s.name == "OPENAI_BASE_URL"

    # -- one route -------------------------------------------------------------------------
    def provider_of(self, r: Route) -> Provider:
        """The provider the route's request should end at: the one of its family (offramp.targets)."""
        return self.targets.for_family(r.family) if self.targets is not None and r.family else self.p

    def stranded(self, r: Route, effects: Dict[str, List[Effect]]) -> Optional[str]:
        """None when the route ends at the provider with the provider's credential after the planned
        edits; otherwise why not (the text of the TODOs and notes on its sources)."""
        if not r.host and not r.credential:
            return None  # nothing known about it: nothing of it can be frozen either
        if r.held:
            return r.held  # (a subclass construction fix leaves: project/subclassctors.py)
        p = self.provider_of(r)
        unmapped = self.unmapped_deployment(r, p)
        if unmapped is not None:
            return unmapped
        if self.predicted and self.targets is not None and p.id != self.targets.default.id and self.unsplit(r):
            # `fix` moves a client sending two families' requests from several files to the chat provider
            # (fixes/families.py: it splits only what one file shows), and then this request strands it
            return f"a request in {r.file} does not move to {p.name}"

        def covered(path: str, span: Optional[Span], role: str) -> bool:
            return (
                bool(path)
                and span is not None
                and any(e.role == role and e.to in ("", p.id) and overlaps(e.span, span) for e in effects.get(path, ()))
            )

        def moves(s: Source) -> bool:
            return self.cred_moves(s, covered, p)

        def rewrites(path: str, span: Optional[Span], role: str) -> bool:
            """A constructor rewritten for `role`; for its key, an edit of the whole call (planner `add_key`),
            or renamed reads inside it that replace every key source (replacedkeys.renamed_reads_replace)."""
            if role != CRED or self.predicted or span is None:
                return covered(path, span, role)
            mine = [e.span for e in effects.get(path, ()) if e.role == CRED and e.to in ("", p.id)]
            # (a constructor moved for its host whose key is a renamed read of another line, `api_key = os.getenv(
            # "OPENAI_API_KEY", "x" if local else None)`, is replaced as check predicts it: khoj's initialization.py)
            return any(e.contains(span) for e in mine) or (
                (covered(path, span, role) or covered(path, span, HOST)) and renamed_reads_replace(r, moves)
            )

        def whole(role: str) -> bool:
            if r.kind == "client" and role in r.own:
                # `client.api_key = ...` after the construction: the key the constructor gets is replaced at
                # run time, so every source must be one fix replaces (`client.base_url = ...`: held)
                return role == CRED and every_key_replaced(r, moves)
            if (
                r.client_file
                and rewrites(r.client_file, r.client_span, role)
                and all(rewrites(path, span, role) for path, span in r.other_clients)
            ):
                if role == CRED and self.predicted and (not r.azure or r.mixed):
                    # (an Azure client converted gets the provider's key whatever its key was: planner
                    # `azure_credential`; a plain client aimed at Azure's endpoint too, `AsyncOpenAI(base_url=
                    # f"{endpoint}/openai/v1/", api_key=token_provider)`, which its fixable OFR102 says)
                    built = [(r.client_file, r.client_span), *r.other_clients]
                    return all(covered(path, span, AZKEY) for path, span in built) or adds_key(r, moves)
                return True  # the constructor is rewritten: its own arguments decide, whatever they were
            if r.kind in ("module", "v0"):
                if role == HOST and role in r.own:
                    return False  # the request's own `api_base=`: its sources decide
                files = {r.file} | {s.file for s in r.host if isinstance(s, SdkDefault) and s.file}
                files |= {path for path, _ in r.other_clients}
                if not any(covered(f, MODULE, role) for f in files):
                    return False
                if role in r.own:  # its own `api_key=`: replaced where a key is written into the code, else kept
                    return adds_key(r, moves)
                if role == CRED and self.predicted and not r.azure:
                    return adds_key(r, moves)
                return True
            return False

        fixed = [s for s in r.host if not isinstance(s, Parameter)]
        # A parameter (`def chat(api_url=...)`) is the caller's override: it keeps working after its
        # default moves, and where the caller points it is the caller's choice, as it was before.
        host_ok = (whole(HOST) and self.override_moves(r, covered, p)) or (
            bool(fixed) and all(self.host_moves(s, covered, p) for s in fixed)
        )
        if r.kind == "http" and not r.credential:
            return None  # no credential travels with it: moving its URL alone sends no secret anywhere
        cred_ok = whole(CRED) or all(moves(s) for s in r.credential)
        if host_ok and cred_ok:
            return None
        # No line number: the reason goes into TODO comments, and a second run must find the same text
        # after the first one's insertions moved the request down.
        what = f"a client built in {r.file}" if r.alone else f"a request in {r.file}"
        if not host_ok:
            return f"{what} does not move to {p.name}"
        return f"{what} would carry a credential that is not {p.name}'s"

    def outside_the_run(self, r: Route) -> Optional[str]:
        """Why a route stays whole: one of its sites is in a file of the project the run reads but does not fix
        (`offramp fix app.py`, config.py configuring the module client app.py's requests use). Moved in the named
        files alone, the request would carry what that file still says (its host, its key, its model)."""
        if not self.context:
            return None
        files = {r.file, r.client_file, *(path for path, _ in r.other_clients), *r.process}
        files |= {getattr(s, "file", "") for s in (*r.host, *r.credential, *r.model)}
        outside = sorted(f for f in files if f in self.context)
        if not outside:
            return None
        return f"it is configured in {outside[0]}, which this run does not fix (run fix on the whole project)"

    def unmapped_deployment(self, r: Route, p: Provider) -> Optional[str]:
        """Why an Azure route stays on Azure whole: a deployment it names has no model at the provider
        (checks/azure_routes.py). The file configuring the module client (`openai.api_type = "azure"` in
        config.py) sees no deployment of its own; moved alone, it sent app.py's `engine="my-prod-deployment"`
        to the provider with the provider's key. The same for an Azure client built in another file (a factory
        in factory.py, `make_client().chat.completions.create(model="my-prod-deployment")` in app.py): every route
        through its constructions is then held with it, those naming a mapped deployment too. A client the
        provider answers none of the requests of keeps that reason (project/unserved.py), as in one file
        (checks/clients.py `client_left`)."""
        if r.kind not in ("module", "v0", "client") or not r.azure:
            return None
        if r.kind == "client" and id(r) in self.unserved_clients:
            return None
        for s in ordered_models(r):
            if not deployment_maps(s.value or "", p, self.sdk, self.models):
                return f"{UNMAPPED_DEPLOYMENT}`{s.value}` of `{r.call}` in {r.file} has no {p.name} model{MAP_IT}"
        return None

    @property
    def unserved_clients(self) -> Dict[int, str]:
        """Per route (by `id`), why its client stays: the provider answers none of its requests
        (project/unserved.py)."""
        if self._unserved is None:
            self._unserved = unserved_clients(self.routes, self.provider_of, self.sdk, self.models)
        return self._unserved

    @staticmethod
    def model_stays(r: Route, decision: Decision) -> Optional[str]:
        """Why a model literal the route sends stays where a plan would have rewritten it (an earlier round
        froze it for another request, which stays): the route then stays whole too. sweep's `self.model =
        'gpt-4o'` is sent both by a request through `OpenAI()` and, handed on, by the proxy's request that
        keeps its key: the first client moved to the provider with `gpt-4o` and no TODO."""
        for s in ordered_models(r):
            why = decision.gate(s.file).stops(s.span) if s.span is not None else None
            if why is not None:
                return f"its model `{s.value}` stays: {why}"
        return None

    def unsplit(self, r: Route) -> bool:
        """Whether the route's constructor also serves another family's provider from another file."""
        if self._unsplit is None:
            assert self.targets is not None
            providers: Dict[Tuple[str, Span], Set[str]] = {}
            files: Dict[Tuple[str, Span], Set[str]] = {}
            for x in self.routes:
                if x.kind == "client" and x.client_file and x.client_span is not None and x.family:
                    key = (x.client_file, x.client_span)
                    providers.setdefault(key, set()).add(self.provider_of(x).id)
                    files.setdefault(key, set()).add(x.file)
            self._unsplit = {k for k, ids in providers.items() if len(ids) > 1 and files[k] != {k[0]}}
        return r.kind == "client" and (r.client_file, r.client_span) in self._unsplit

    def override_moves(self, r: Route, covered, p: Provider) -> bool:
        return override_moves(self, r, covered, p)  # (project/overrides.py)

    def host_moves(self, s: Source, covered, p: Provider) -> bool:
        if isinstance(s, (Literal, ConfigValue)) and s.value:
            t = classify_url(s.value, self.sdk, self.provider_hosts)
            if t.kind == "provider" and t.host.lower() in {h.lower() for h in p.hosts}:
                return True
        if isinstance(s, (Literal, EnvRead)) and s.file:
            return covered(s.file, s.span, HOST)
        return False

    def cred_moves(self, s: Source, covered, p: Provider) -> bool:
        if isinstance(s, EnvRead):
            if s.name == p.key_env:
                return True
            # (predicted: a constructor's fixable finding spans its key argument too, but says nothing
            # of a read written there: only the read's own finding does, `OpenAI(api_key=os.environ[
            # "OPENAICOM_KEY"])` was offered and left)
            return bool(s.file) and covered(s.file, s.span, KEYREAD if self.predicted else CRED)
        if isinstance(s, Literal):
            if not s.value or placeholder(s.value):
                # None or "": no secret (the SDK's own fallback is a source of its own); a placeholder
                # ("fake_key" in test code, which the planner keeps) is no secret either
                return True
            return covered(s.file, s.span, CRED)
        return False
