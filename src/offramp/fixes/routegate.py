"""Run the route gate over a planned `fix`: routes of the project, then re-plans until nothing new freezes.

Kept apart from project/gate.py (the decision itself, pure data in and out) because this part reads
the project: it builds the routes of the files being fixed with the same project stage `check`
uses, from the bytes as they are before any write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from offramp import codes
from offramp.catalog import load_sdk
from offramp.checks.base import CheckContext
from offramp.checks.lifecycle import written_elsewhere
from offramp.checks.routes import env_model, host_targets, sent_as_deployment, settled_requests
from offramp.checks.unsetbase import unset_base, unset_cause
from offramp.engine import display_path
from offramp.project.decision import CRED, HOST, KEYREAD, MODEL, URL, Decision, Effect
from offramp.project.files import routes_of_files
from offramp.project.gate import MODULE, Gate, RouteJudge, overlaps
from offramp.project.sources import ConfigValue, Literal, Route
from offramp.providers import ENDPOINT_FAMILIES, Provider, known_provider_hosts
from offramp.source import SourceError, read_bytes
from offramp.types import Span

if TYPE_CHECKING:
    from offramp.engine import Options
    from offramp.fixes.onefile import FixResult

#: More rounds than real projects need (each round strands what the last one froze; two is usual).
MAX_ROUNDS = 8


def project_routes_for(results: Sequence[FixResult], root: Path, context: Sequence[Path] = ()) -> list:
    """The routes of the files fixed, and of the `context` files (read, never planned nor written)."""
    named = {r.display: r.path for r in results}
    return routes_of_files({**{display_path(p, root): p for p in context}, **named}, root)


def gate_results(
    results: List[FixResult],
    provider: Provider,
    opts: Options,
    replan: Callable[[Sequence[Tuple[Path, Gate]]], List[FixResult]],
    region: Optional[str] = None,
    env_values: Optional[Callable[[Dict[str, bytes]], Dict[str, Dict[str, str]]]] = None,
) -> List[FixResult]:
    """`env_values(new texts)`: the variables of the `.env` files fix rewrites once the code is fixed
    (userconfig/plan.py `env_values`)."""
    local = _local_gates(results, opts.root)
    if local.gates:  # (first: what their first plans took for a library's is no route, nor an edit of the library's)
        where = {r.display: i for i, r in enumerate(results)}
        for fresh in replan([(results[where[d]].path, g) for d, g in local.gates.items()]):
            results[where[fresh.display]] = fresh
    try:
        routes = project_routes_for(results, opts.root, opts.context)
    except Exception:  # the per-file plans stand (check reports the project stage's error as OFR002)
        return results
    if not routes and not any(e.role in (URL, KEYREAD) for r in results for e in r.effects):
        return results  # (with none, every URL the plans rewrite is on no route: those stay)
    judge = RouteJudge(
        routes,
        provider,
        known_provider_hosts(),
        load_sdk(),
        targets=opts.targets,
        models=opts.models,
        per_file_ignores=opts.per_file_ignores,
        context={display_path(p, opts.root) for p in opts.context},
    )
    where = {r.display: i for i, r in enumerate(results)}
    decision = local
    hinted = judge.reopens(judge.subclass_ctors(judge.routed_keys(judge.client_families(judge.config_hosts()))))
    hinted = judge.modules_aimed_away(hinted)
    for d, g in local.gates.items():
        hinted.gates.setdefault(d, Gate()).local = g.local
    redo = [d for d, g in hinted.gates.items() if d in where and _hinted(g, results[where[d]])]
    if redo:  # clients whose OpenAI host comes from a configuration file: planned again, retargeted
        decision = hinted
        for fresh in replan([(results[where[d]].path, decision.gate(d)) for d in redo]):
            results[where[fresh.display]] = fresh
    first = _effects(results)
    for _ in range(MAX_ROUNDS):
        new = judge.decide(_effects(results), decision).only_where(first)
        redo = [d for d, g in new.gates.items() if d in where and g != decision.gate(d) and _touched(results[where[d]])]
        decision = new
        if not redo:
            break
        for fresh in replan([(results[where[d]].path, decision.gate(d)) for d in redo]):
            results[where[fresh.display]] = fresh
    effects = _effects(results)
    sdk = load_sdk()

    def target(value: str, to: Provider) -> Optional[str]:
        return written_elsewhere(value, to, sdk, opts.models, opts.enabled)

    before = {d: dict(g.models) for d, g in decision.gates.items()}
    if codes.OPENAI_MODEL in opts.enabled or codes.MODEL_RETIRED in opts.enabled:
        decision = judge.models_elsewhere(decision, effects, target)
    redo = [d for d, g in decision.gates.items() if d in where and g.models != before.get(d, {})]
    for fresh in replan([(results[where[d]].path, decision.gate(d)) for d in redo]):
        results[where[fresh.display]] = fresh
    todos = unset_base_todos(routes, _effects(results), judge, decision, opts, region)
    for d, found in request_todos(routes, _effects(results), judge, opts, decision).items():
        for span, todo in found.items():
            todos.setdefault(d, {}).setdefault(span, todo)
    for d, found in todos.items():
        decision.gates.setdefault(d, Gate()).todos.update(found)
    redo = list(todos)
    # requests aimed away from OpenAI and Azure, or whose model the plans settled (as check asks them): no
    # OFR203 TODO; files that wrote one are planned again without it
    ctx = CheckContext(sdk=sdk, provider=provider, models=opts.models, targets=opts.targets)
    settled = settled_requests(routes, ctx, known_provider_hosts())
    effects = {d: list(es) for d, es in _effects(results).items()}
    if env_values is not None and any(r.todo_codes.get(codes.DYNAMIC_MODEL) for r in results):
        texts = {r.display: t.encode("utf-8") for r in results if (t := r.settle().new_text) is not None}
        _env_models(effects, routes, env_values(texts))
    for d, spans in judge.models_resolved(effects).items():
        settled.setdefault(d, []).extend(spans)
    for d, spans in settled.items():
        if d in where and results[where[d]].todo_codes.get(codes.DYNAMIC_MODEL):
            decision.gates.setdefault(d, Gate()).settled = tuple(spans)
            redo.append(d)
    for fresh in replan([(results[where[d]].path, decision.gate(d)) for d in dict.fromkeys(redo) if d in where]):
        results[where[fresh.display]] = fresh
    return results


def _local_gates(results: Sequence[FixResult], root: Path) -> Decision:
    """A gate for each Python file whose imports of a library are a module of the project (project/locallibs.py:
    `from agents import Agent` beside the folder's own agents.py), as check reads it (joinroutes.py `with_routes`)."""
    from offramp.project.locallibs import local_libraries  # lazy: start-up

    paths = {r.display: r.path for r in results}

    def read(display: str) -> Optional[bytes]:
        try:
            return read_bytes(paths[display], root)
        except SourceError:
            return None

    return Decision({d: Gate(local=found) for d, found in local_libraries(paths, read).items()})


def _env_models(effects: Dict[str, List[Effect]], routes: Sequence[Route], values: Dict[str, Dict[str, str]]) -> None:
    """A MODEL effect at each `.env` line a route's model is read from that fix rewrites (the variable's read in the
    code then holds the provider's model: `Gate.models_resolved` settles it, as check does from that line's [*])."""
    for r in routes:
        for s in r.model:
            if isinstance(s, ConfigValue) and s.loaded and s.span is not None:
                new = values.get(s.file, {}).get(s.key)
                if new is not None and new != s.value:
                    effects.setdefault(s.file, []).append(Effect(MODEL, s.span))


def unset_base_todos(
    routes: Sequence[Route],
    effects: Dict[str, List[Effect]],
    judge: RouteJudge,
    decision: Decision,
    opts: Options,
    region: Optional[str],
) -> Dict[str, Dict[Span, Tuple[str, str]]]:
    """The TODO of each client whose base URL may be unset (OFR107) that fix leaves: the value is configured
    (a null in the configuration file, an assignment that may not run), which fix does not decide, or the
    route gate held the client (then its reason is said, and the planner writes no TODO of its own there).
    A client the plans retargeted has none. No line numbers: a second run must find the same text."""
    sdk = load_sdk()
    hosts = known_provider_hosts()
    out: Dict[str, Dict[Span, Tuple[str, str]]] = {}
    for r in routes:
        if r.alone or codes.BASE_URL_MAY_BE_UNSET not in opts.enabled:
            continue
        found = unset_base(r, host_targets(r, CheckContext(sdk=sdk), hosts))
        if found is None:
            continue
        moved = [e.span for e in effects.get(found.file, ()) if e.role == HOST]
        if any(overlaps(found.span, m) for m in moved) or (r.kind in ("module", "v0") and MODULE in moved):
            continue
        p = judge.provider_of(r)
        cause = unset_cause(found, lines=False)
        held = decision.gate(found.file).stops(found.span)
        why = (
            f"{held}; its base URL comes from {cause}"
            if held
            else f"its base URL comes from {cause}, which fix does not decide"
        )
        text = (
            f"`{r.client or 'openai'}` left as it is: {why}; where it is unset, the requests go to "
            f"{found.default.host}. Set it to {p.name}'s URL {p.base_url(region)} with the {p.key_env} key and a "
            f"{p.name} model, or make that URL the code's default"
        )
        out.setdefault(found.file, {})[found.span] = (codes.BASE_URL_MAY_BE_UNSET, text)
    return out


def request_todos(
    routes: Sequence[Route],
    effects: Dict[str, List[Effect]],
    judge: RouteJudge,
    opts: Options,
    decision: Optional[Decision] = None,
) -> Dict[str, Dict[Span, Tuple[str, str]]]:
    """The TODOs of requests made through a client the plans move where the request's own file cannot
    see the client (`from evals.registry import client`, `client, model = get_client()`): an API the
    provider does not serve (OFR401: `client.beta.assistants.create(...)`), a model read from an
    environment variable (OFR203), an Azure deployment no mapping names (OFR202, `deployment_todos`). The
    texts the file's own planner writes for a call it sees (planner `capabilities`, fixes/literals.py), so a
    request both see gets each once. A request through a client the route gate holds on OpenAI or Azure (an
    Azure deployment with no provider model) gets the TODO of the API the provider lacks, as the planner writes it
    for a call it sees whether its client moves or not: check still reports it (OFR401); its deployments are
    the client's TODO's, its model stays with it."""
    out: Dict[str, Dict[Span, Tuple[str, str]]] = {}
    ctx = CheckContext(sdk=judge.sdk)
    for r in routes:
        if r.client_span is None:
            continue
        moves = judge.stranded(r, effects) is None and any(
            e.role == HOST and overlaps(e.span, r.client_span) for e in effects.get(r.client_file, ())
        )
        if not moves and (r.alone or not _on_openai_or_azure(r, ctx, judge)):
            continue  # (a client already at the provider: the file's own check and fix say it)
        p = judge.provider_of(r)
        for file, span, todo in deployment_todos(r, p, opts, decision) if moves else ():
            out.setdefault(file, {}).setdefault(span, todo)
        if not r.sdk_method or not r.family:
            continue
        status = p.endpoint(r.family) if r.family in ENDPOINT_FAMILIES else "no"
        read = env_model(r)
        if status == "no" and codes.UNSUPPORTED_ENDPOINT in opts.enabled:
            text = f"{p.name} does not serve the OpenAI `{r.family}` API"
            out.setdefault(r.file, {})[r.span] = (codes.UNSUPPORTED_ENDPOINT, text)
        elif moves and read is not None and codes.DYNAMIC_MODEL in opts.enabled:
            text = f"model comes from environment variable `{read.name}`: set it to a {p.name} model"
            out.setdefault(r.file, {})[r.span] = (codes.DYNAMIC_MODEL, text)
    return out


def _on_openai_or_azure(r: Route, ctx: CheckContext, judge: RouteJudge) -> bool:
    """Whether the route's client may send its request to OpenAI or Azure (an Azure client's endpoint variable)."""
    targets = host_targets(r, ctx, judge.provider_hosts)
    return any(t.blocked or (r.azure and t.kind in ("env", "dynamic")) for _, t in targets)


def deployment_todos(
    r: Route, p: Provider, opts: Options, decision: Optional[Decision]
) -> List[Tuple[str, Span, Tuple[str, str]]]:
    """The TODO of each Azure deployment a moving route sends from a file other than its client's (whose own
    planner sees it: fixes/literals.py), that no mapping names and the plans do not rewrite: check reports it
    there (OFR202, checks/routes.py `_models`), and left alone it would go to the provider as a model id."""
    if not r.azure or codes.AZURE_DEPLOYMENT not in opts.enabled or r.alone:
        return []
    ctx = CheckContext(sdk=load_sdk(), provider=p, models=opts.models)
    out = []
    for s in r.model:
        if not isinstance(s, Literal) or not s.value or s.template or not s.file or s.file == r.client_file:
            continue
        value = s.value
        if not value.strip() or (r.mixed and ctx.sdk.is_openai_model(value)) or not sent_as_deployment(r, value, ctx):
            continue
        if ctx.target(value) is not None or (decision is not None and s.span in decision.gate(s.file).models):
            continue
        text = f"map Azure deployment `{value}` to a {p.name} model ([tool.offramp.models])"
        out.append((s.file, s.span, (codes.AZURE_DEPLOYMENT, text)))
    return out


def _effects(results: Sequence[FixResult]) -> Dict[str, List[Effect]]:
    return {r.display: r.effects for r in results}


def _hinted(g: Gate, r: FixResult) -> bool:
    """Whether the file is planned again with what the routes tell: a constructor's configured host or
    families, or a key read the routes follow that its first plan kept (handed to a call it could not follow)."""
    if g.config_hosts or g.families or g.subclass_ctors or g.reopens or g.module_away:
        return True
    return bool(r.notes) and any(
        not any(e.role == CRED and overlaps(e.span, s) for e in r.effects) for s in g.routed_keys
    )


def _touched(r: FixResult) -> bool:
    """Whether a gate can change this file's plan: only a file that had something planned (an edit,
    a TODO or a note) has a site a gate could hold back."""
    return bool(r.effects or r.changes or r.todo_codes or r.notes)
