"""The project stage of `check`: index the modules requests can reach, build routes, check them.

It runs once per run in the main process, after the per-file checks (with a pool, beside their LibCST
checks: offramp/pooled.py): the per-file cache stays valid (a file's own findings depend on its
content only) and the route findings, which depend on several files, are recomputed from index
entries that are themselves cached by content.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from offramp import codes
from offramp.checks.azure_routes import modules_held_without_provider
from offramp.checks.base import TURNED_OFF, CheckContext, Hit
from offramp.checks.lifecycle import successor, written_elsewhere
from offramp.checks.routegroup import group
from offramp.checks.routes import check_routes, provider_model_reads, settled_requests
from offramp.project.decision import (
    AZKEY,
    CRED,
    HOST,
    KEYREAD,
    MODEL,
    URL,
    WRITE,
    Decision,
    Effect,
    writes_follow_reads,
)
from offramp.project.flow import Flow
from offramp.project.gate import MODULE, RouteJudge, overlaps
from offramp.project.index import ModuleIndex, watch_from_rules
from offramp.project.lastroutes import PROGRAMS, LastRoutes, Result, needs_routes
from offramp.project.objects import Ctx
from offramp.project.ondata import imported_body_hits
from offramp.project.reach import imports_sdk, project_routes
from offramp.project.sources import ConfigValue, EnvRead, Route
from offramp.project.tree import Project
from offramp.providers import known_provider_hosts
from offramp.types import Span
from offramp.userconfig.kind import config_kind
from offramp.userconfig.readers import config_display, endpoint_variable, env_assignments, unread_configs

#: Every finding of a file (a configuration file `fix` leaves whole: `unread_configs`).
WHOLE_FILE = Span(1, 0, 1 << 31, 0)
_WITH_READERS = "a configuration file moves only with its readers"


def route_hits(
    displays: Sequence[str],
    read: Callable[[str], Optional[bytes]],
    seeds: Sequence[str],
    root: Path,
    ctx: CheckContext,
    cache_dir: Optional[Path] = None,
    prebuilt: Optional[Dict[str, Tuple[str, ModuleIndex]]] = None,
    effects: Optional[Dict[str, List[Effect]]] = None,
    last: Optional[LastRoutes] = None,
) -> Result:
    """Findings by display path, the sites `fix` would hold back (project/gate.py) by display path
    with the reason (a configuration file it leaves whole: WHOLE_FILE), and the variables whose
    writes and names it keeps (writes follow reads). `seeds`: the Python files that can hold SDK use
    (passed the prefilter). `effects`: what fix would move, as the per-file findings tell
    (`predicted_effects`).

    With a cache (`cache_dir`, or `last` already opened), the findings of the last run are reused when
    nothing the routes read changed (project/lastroutes.py); otherwise index entries of unchanged files
    are reused.
    """
    if not needs_routes(seeds, ctx, effects):
        return {}, {}, {}, {}, {}
    if last is None and cache_dir is not None:
        last = LastRoutes(cache_dir, displays, read, seeds, root, ctx, prebuilt)
    got = last.reused() if last is not None else None
    if got is not None:
        return got
    project = (
        last.project(recorded=True)
        if last is not None
        else Project(displays, read, root, watch_from_rules(), None, prebuilt)
    )
    routes = project_routes(project, seeds, displays)

    def sdk_file(path: str) -> bool:
        m = project.indexed.get(path)
        return m is not None and imports_sdk(m)

    def unbound(path: str, name: str) -> bool:
        m = project.indexed.get(path)
        return (
            m is not None
            and not m.star_imports
            and name not in m.imports
            and name not in m.bindings
            and name not in m.classes
            and name not in m.functions
            and not any(name in f.locals or any(p[0] == name for p in f.params) for f in m.functions.values())
        )

    hosts = known_provider_hosts()
    found = group(check_routes([r for r in routes if not r.alone], ctx, hosts, sdk_file, unbound))
    for path, body in imported_body_hits(routes, project.indexed, project.module, ctx).items():
        found.setdefault(path, []).extend(body)
    held: Dict[str, Dict[Span, str]] = {}
    writes: Dict[str, str] = {}
    resolved: Dict[str, List[Span]] = {}  # requests whose model the plans settle: no OFR203 there
    moved: Dict[str, List[Span]] = {}  # constructions fix retargets on the route gate's word (Route.subclass_ctors)
    readers = routes  # the routes as fix leaves them, which decide the configuration files it rewrites
    module_moved: Set[str] = set()  # files whose module-level client fix moves
    if ctx.provider is not None and effects is not None:
        hosts = known_provider_hosts()
        judge = RouteJudge(
            routes,
            ctx.provider,
            hosts,
            ctx.sdk,
            predicted=True,
            targets=ctx.targets,
            models=ctx.models,
            per_file_ignores=ctx.per_file_ignores,
            context=ctx.context,
        )
        effects = {p: list(es) for p, es in effects.items()}
        for r in routes:  # (its host and its key move with it: the planner rewrites the whole construction)
            for path, span, _ in r.subclass_ctors:
                effects.setdefault(path, []).extend([Effect(HOST, span), Effect(CRED, span)])
                moved.setdefault(path, []).append(span)
        retargeted: Set[Tuple[str, Span]] = set()
        aimed: Dict[Tuple[str, Span], Hit] = {}  # their findings: what fix does there is the finding's fix
        for path, g in judge.config_hosts().gates.items():
            # a client whose OpenAI host only the project shows (a configuration file, a `.env` the
            # program loads): fix retargets it (fixes/routegate.py), its own file has no finding saying so;
            # and its key read, which the file alone kept for a client that stays, is renamed with it
            for span, source in g.config_hosts.items():
                effects.setdefault(path, []).extend([Effect(HOST, span), Effect(CRED, span), Effect(KEYREAD, span)])
                moved.setdefault(path, []).append(span)
                retargeted.add((path, span))
                route = next((r for r in routes if (r.client_file, r.client_span) == (path, span)), None)
                if route is not None:
                    target = f"api.openai.com (its base URL comes from {source})"
                    aimed[(path, span)] = Hit(codes.OPENAI_CLIENT, span, {"cls": route.client, "target": target}, True)
        # Such a client no longer reads its URL from the file (it gets the provider's literal): fix decides the
        # file's readers from the code it wrote, so a file only that URL was read from stays (NO_ROUTE_READS)
        readers = [_without_config_host(r) if (r.client_file, r.client_span) in retargeted else r for r in routes]
        for m in project.modules():  # a fixable OFR301 on `os.environ["X"] = ...` renames a write of X
            for name, _, written in m.env_writes:
                at = Span(*written)
                if any(e.role == CRED and overlaps(e.span, at) for e in effects.get(m.path, ())):
                    effects[m.path].append(Effect(WRITE + name, at))
                    # a write is not a read: its name follows the reads (writes follow reads), not the sites
                    effects[m.path] = [e for e in effects[m.path] if not (e.role == KEYREAD and overlaps(e.span, at))]
        decision = Decision()
        current = effects
        for _ in range(8):
            # as fix decides on the plans made again with the sites held back (fixes/routegate.py): a
            # client held back moves no host, so a key read beside it is on no route that moves
            new = judge.decide(current, decision).only_where(effects)
            if new.size() == decision.size():
                break
            decision = new
            current = {p: [e for e in es if not decision.gate(p).stops(e.span)] for p, es in effects.items()}
        _writes_follow_reads(project, effects, decision)
        module_moved = {p for p, es in current.items() if any(e.role == HOST and e.span == MODULE for e in es)}
        held = {p: dict(g.spans) for p, g in decision.gates.items() if g.spans}
        found = _aimed_by_config(found, aimed, held)
        for r in routes:  # a configuration file read by a request that stays, stays whole (userconfig)
            files = {s for s in (*r.host, *r.credential, *r.model) if isinstance(s, ConfigValue)}
            why = judge.stranded(r, effects) if files else None
            for s in files if why is not None else ():
                where = config_display(s, root)
                if where is not None:
                    held.setdefault(where, {})[WHOLE_FILE] = f"fix leaves this file as it is: {why}"

        for path, spans in _successors_held(judge, found, current, decision, ctx).items():
            for span, why in spans.items():
                held.setdefault(path, {}).setdefault(span, why)
        found, rewritten = _models_fix_writes(judge, found, current, decision, ctx, read)
        # (as fix asks it once it has rewritten them: fixes/routegate.py)
        with_models = {p: list(es) for p, es in current.items()}
        for path, literals in rewritten.items():
            with_models.setdefault(path, []).extend(Effect(MODEL, span) for span in literals)
        resolved = judge.models_resolved(with_models)
        writes = dict(decision.writes)
        for m in project.modules():  # a held write is found at its statement (`os.environ["X"] = ...`)
            for name, _, written in m.env_writes:
                if name in writes:
                    held.setdefault(m.path, {})[Span(*written)] = writes[name]
        for path, span, why in values_of_held_writes(project, writes, ctx.sdk):
            held.setdefault(path, {}).setdefault(span, why)
    if ctx.provider is None:  # (no route gate: only an Azure module route that no provider can take is held)
        held = modules_held_without_provider(routes, ctx.sdk, ctx.models)
    if ctx.provider is not None and effects:
        wanted = {p: config_kind(p) for p, es in effects.items() if es and not p.endswith(PROGRAMS)}
        # files where fix renames key reads (a fixable OFR301 the routes do not hold): a `.env` key other code
        # still reads stays (userconfig/readers.py)
        renamed = {
            p for p, es in current.items() if any(e.role == KEYREAD and not held.get(p, {}).get(e.span) for e in es)
        }
        unread, kept = unread_configs(
            {p: k for p, k in wanted.items() if k}, readers, displays, read, root, module_moved, renamed
        )
        for p, why in unread.items():
            held.setdefault(p, {})[WHOLE_FILE] = f"fix leaves this file as it is: {why} ({_WITH_READERS})"
        for p, names in _env_read_by_held(judge, readers, current, wanted, unread).items():
            for n, why in names.items():
                kept.setdefault(p, {}).setdefault(n, why)
        for p, names in kept.items():
            for line, why in _env_lines(read(p), names, ctx).items():
                held.setdefault(p, {})[Span(line, 0, line, 1 << 31)] = why
    settled = settled_requests(routes, ctx, known_provider_hosts()) if ctx.provider is not None else {}
    for path, calls in resolved.items():  # (a model the plans settle needs no OFR203 either)
        settled.setdefault(path, []).extend(calls)
        # nor a route's own (a variable the `.env` it loads sets to a model the plans rewrite: its line says it)
        if path in found:
            found[path] = [
                h for h in found[path] if h.code != codes.DYNAMIC_MODEL or not any(overlaps(h.span, c) for c in calls)
            ]
    if ctx.provider is not None:  # (and the reads of a model variable the loaded `.env` sets to a provider model)
        for path, reads in provider_model_reads(routes, ctx).items():
            settled.setdefault(path, []).extend(reads)
    if last is not None:
        last.store(project, (found, held, writes, moved, settled))
    return found, held, writes, moved, settled


def _successors_held(
    judge: RouteJudge,
    found: Dict[str, List[Hit]],
    effects: Dict[str, List[Effect]],
    decision: Decision,
    ctx: CheckContext,
) -> Dict[str, Dict[Span, str]]:
    """The fixable OFR205 findings whose successor `fix` does not write: fix rewrites a provider's retired
    id only on requests that move whole (`RouteJudge.models_elsewhere`, as fixes/routegate.py asks it), so
    an id on a request the gate holds (a key of the program's own variable beside the provider's URL) or
    read from a configuration file stays. Each with the reason of a held route it is on."""
    wanted = {(p, h.span) for p, hs in found.items() for h in hs if h.code == codes.MODEL_RETIRED and h.fixable}
    if not wanted:
        return {}

    def target(value: str, to: Any) -> Optional[str]:
        return None if ctx.sdk.is_openai_model(value) else successor(value, to)

    probe = Decision({p: g.copy() for p, g in decision.gates.items()}, dict(decision.writes))
    written = judge.models_elsewhere(probe, effects, target)
    out: Dict[str, Dict[Span, str]] = {}
    for path, span in sorted(wanted, key=repr):
        if span in written.gate(path).models:
            continue
        why = next(
            (
                reason
                for r in judge.routes
                if any(getattr(s, "file", "") == path and getattr(s, "span", None) == span for s in r.model)
                and (reason := judge.stranded(r, effects)) is not None
            ),
            _RETIRED_LEFT,
        )
        out.setdefault(path, {})[span] = why
    return out


def _models_fix_writes(
    judge: RouteJudge,
    found: Dict[str, List[Hit]],
    effects: Dict[str, List[Effect]],
    decision: Decision,
    ctx: CheckContext,
    read: Callable[[str], Optional[bytes]],
) -> Tuple[Dict[str, List[Hit]], Dict[str, List[Span]]]:
    """The route findings of an OpenAI model id, fixable where `fix` rewrites it with its requests; and by
    file, the literals it rewrites so (where no suppression on their line and no `per-file-ignores` entry of
    the file stops it, as fix's `allowed`: `check` dropped the request's OFR203 for a literal fix kept).

    A constant of settings.py, a parameter default handed on to the method that makes the request:
    fix rewrites such a literal once every route it reaches moves (`RouteJudge.models_elsewhere`, as
    fixes/routegate.py asks it), so check must offer it too; but not one whose name is also a key
    (`PRICES[CHAT_MODEL]`), which fix leaves with a TODO (analysis/keyuses.py `literals_at`).
    """
    if ctx.provider is None:
        return found, {}
    kinds = (codes.OPENAI_MODEL, codes.AZURE_DEPLOYMENT)
    wanted = {(p, h.span) for p, hs in found.items() for h in hs if h.code in kinds and not h.fixable}

    def target(value: str, to: Any) -> Optional[str]:
        return written_elsewhere(value, to, ctx.sdk, ctx.models, ctx.enabled)

    probe = Decision({p: g.copy() for p, g in decision.gates.items()}, dict(decision.writes))
    written = judge.models_elsewhere(probe, effects, target)
    paths = sorted(p for p, g in written.gates.items() if g.models and p.endswith(".py"))
    if not paths:
        return found, {}
    from offramp.analysis.keyuses import literals_at  # lazy: LibCST, which a warm run need not load
    from offramp.engine import ignored_in  # lazy: start-up
    from offramp.source import parse_module  # lazy: LibCST
    from offramp.suppress import parse_suppressions  # lazy: start-up

    fixable: Set[Tuple[str, Span]] = set()
    rewritten: Dict[str, List[Span]] = {}
    for path in paths:
        data = read(path)
        if data is None:
            continue
        text = data.decode("utf-8-sig", "replace")
        try:
            module = parse_module(text)
        except Exception:  # (unparseable: its own OFR001 says so, and fix leaves it)
            continue
        sup = parse_suppressions(text)
        ignored = codes.OPENAI_MODEL in ignored_in(path, ctx.per_file_ignores)
        for _, span, _, also_key in literals_at(module, written.gate(path).models):
            if also_key:
                continue
            if (path, span) in wanted:
                fixable.add((path, span))
            if not ignored and not sup.covers(codes.OPENAI_MODEL, span.line):
                rewritten.setdefault(path, []).append(span)
    if not fixable:
        return found, rewritten
    return {
        p: [replace(h, fixable=True) if h.code in kinds and (p, h.span) in fixable else h for h in hs]
        for p, hs in found.items()
    }, rewritten


_RETIRED_LEFT = "fix leaves this id: it is not a literal on a request that moves whole"


def values_of_held_writes(project: Project, writes: Dict[str, str], sdk: Any) -> List[Tuple[str, Span, str]]:
    """The key reads whose value a held write puts into its variable, as the per-file rule keeps them
    (checks/keptkeys.py `values_of_kept_writes`): babyagi's `os.environ["OPENAI_API_KEY"] =
    os.getenv("OPENAI_API_KEY")` beside a request elsewhere that stays on OpenAI. Renamed, the read put
    the provider's key into `OPENAI_API_KEY`, and that request sent it to OpenAI."""
    out: List[Tuple[str, Span, str]] = []
    flow: Optional[Flow] = None
    for m in project.modules():
        for name, expr, written in m.env_writes:
            if name not in writes:
                continue
            flow = flow or Flow(sdk, project.module, project.read_config)
            why = f"its value is written to `{name}` (line {written[0]}), which keeps its name: {writes[name]}"
            for s in flow.sources(Ctx(m.name, ""), expr):
                if isinstance(s, EnvRead) and s.file and s.span is not None:
                    out.append((s.file, s.span, why))
    return out


def _writes_follow_reads(project: Project, effects: Dict[str, List[Effect]], decision: Decision) -> None:
    """Hold `os.environ["X"] = ...` where a read of X in the same file is held, as fix does (gate.py
    `writes_follow_reads`): the write's [*] was a promise fix did not keep. The reads' names are the
    index's (`ModuleIndex.env_reads`)."""
    for m in project.modules():
        if not m.env_writes:
            continue
        gate = decision.gate(m.path)
        reads = [(name, Span(*at)) for name, at in m.env_reads]
        kept: List[Tuple[str, str]] = []
        for e in effects.get(m.path, ()):
            why = gate.stops(e.span) if e.role == KEYREAD else None
            name = next((n for n, at in reads if overlaps(at, e.span)), None) if why is not None else None
            if name is not None and why is not None:
                kept.append((name, why))
        for at, why in writes_follow_reads(kept, [(name, Span(*at)) for name, _, at in m.env_writes]):
            decision.freeze(m.path, at, why)


def _aimed_by_config(
    found: Dict[str, List[Hit]], aimed: Dict[Tuple[str, Span], Hit], held: Dict[str, Dict[Span, str]]
) -> Dict[str, List[Hit]]:
    """The finding of each client fix aims at the provider because its OpenAI URL comes from a configuration file
    (`aimed`), where fix does so; where the route gate holds it, the route's own findings say why (an OFR107
    of a null URL, an OFR303 of a key from the same file). Retargeted, the client no longer reads a base URL
    that may be unset: no OFR107 there."""
    out = {p: list(hs) for p, hs in found.items()}
    for (path, span), hit in aimed.items():
        if any(overlaps(s, span) for s in held.get(path, {})):
            continue
        hits = [h for h in out.get(path, []) if not (h.code == codes.BASE_URL_MAY_BE_UNSET and h.span == span)]
        out[path] = [*hits, hit]
    return out


def _without_config_host(r: Route) -> Route:
    return replace(r, host=frozenset(s for s in r.host if not isinstance(s, ConfigValue)))


def _env_read_by_held(
    judge: RouteJudge,
    routes: Sequence[Route],
    effects: Dict[str, List[Effect]],
    wanted: Dict[str, Optional[str]],
    unread: Dict[str, str],
) -> Dict[str, Dict[str, str]]:
    """Per `.env` file of the run, the variables a request under its directory reads that the route gate holds
    (variable -> that request): fix keeps them (userconfig/readers.py `env_readers`: a reader not migrated), so
    check offers none of them. rag-postgres-openai-python's `.env.sample` had its embedding model variables offered
    [*], read into the embeddings request of a client that stays (an Azure token beside it), and left by fix."""
    out: Dict[str, Dict[str, str]] = {}
    for display, kind in wanted.items():
        if kind != "env" or display in unread:
            continue
        rel = display.rpartition("/")[0]
        for r in routes:
            where = r.client_file or r.file
            if rel and not (where == rel or where.startswith(rel + "/")):
                continue
            names = {s.name for s in (*r.host, *r.credential, *r.model) if isinstance(s, EnvRead) and s.file}
            if names and judge.stranded(r, effects) is not None:
                for n in names:
                    out.setdefault(display, {}).setdefault(n, f"a request that stays ({r.where})")
    return out


def _env_lines(data: Optional[bytes], names: Dict[str, str], ctx: CheckContext) -> Dict[int, str]:
    """The lines of a `.env` file `fix` keeps because of `names` (variable -> who else receives it): those
    variables' lines, and the endpoint variables' (a file's endpoints and keys move together)."""
    out: Dict[int, str] = {}
    if not names or data is None:
        return out
    # (a key or endpoint that stays holds the file's endpoints with it; a model variable holds its line)
    pairs = [n for n in names if ctx.sdk.env_role(n) == "key" or endpoint_variable(ctx.sdk, n)]
    who = names[pairs[0]] if pairs else ""
    for line, name in env_assignments(data.decode("utf-8", "replace")):
        if name in names:
            out[line] = f"`{name}` is also handed to {names[name]}"
        elif pairs and endpoint_variable(ctx.sdk, name):
            out[line] = f"the file's keys stay ({who} receives them); its endpoints stay with them"
    return out


#: Per-file rules whose fixable findings say what `fix` moves (project/gate.py roles): the route
#: gate of `check` reads them where `fix` reads its plans, so both hold back the same sites.
_MOVES = {
    codes.OPENAI_CLIENT: (HOST, CRED),
    codes.AZURE_OPENAI_CLIENT: (HOST, CRED),
    codes.OPENAI_URL: (HOST, URL),
    codes.OPENAI_ENV_VAR: (CRED, KEYREAD),
    codes.OPENAI_MODEL: (MODEL,),
    codes.AZURE_DEPLOYMENT: (MODEL,),
}
_MODULE_RULES = (codes.MODULE_CLIENT_CONFIG, codes.MODULE_CLIENT_CALL, codes.LEGACY_API_CALL)


def predicted_effects(findings: Sequence[Any]) -> List[Effect]:
    """What `fix` would move in one file, from that file's fixable findings."""
    out: List[Effect] = []
    for f in findings:
        if not f.fixable or f.hint.startswith(TURNED_OFF):
            continue
        if f.code in _MODULE_RULES:
            out += [Effect(HOST, MODULE), Effect(CRED, MODULE)]
        for role in _MOVES.get(f.code, ()):
            if role in (KEYREAD, URL) and not f.path.endswith(PROGRAMS):
                # (configuration files are not judged as sites: their readers are. A file read by no code, or by
                # a request that stays, stays whole: `unread_configs` and the routes' WHOLE_FILE below)
                continue
            out.append(Effect(role, f.span))
        if f.code == codes.AZURE_OPENAI_CLIENT and f.path.endswith(PROGRAMS):
            out.append(Effect(AZKEY, f.span))
    return out
