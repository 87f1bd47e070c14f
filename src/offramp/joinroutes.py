"""Join the project stage's route findings with the per-file results: the files they sit in, as the project imports.

runner.py decides which files are checked and where; once their own findings are back, the project stage
(project/stage.py, or the last run's routes: project/lastroutes.py) says what the routes between modules add,
retell or hold back. This module does that joining, apart from the run's triage and pool, because check
(runner.py), fix (fixes/runner.py) and `check_code` all join the same way.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from offramp import codes
from offramp.catalog import load_rules, load_sdk
from offramp.engine import Options, check_source, display_paths, file_result, in_cells, in_module, make_finding
from offramp.project.verdicts import held_back, held_names, moved_with, not_settled
from offramp.source import decode
from offramp.stattable import digest_of
from offramp.types import FileResult, Finding, Span

if TYPE_CHECKING:
    from offramp.cache import FindingsCache
    from offramp.notebook import Notebook


def route_stage(
    displays: Sequence[str],
    read: Callable[[str], Optional[bytes]],
    seeds: Sequence[str],
    opts: Options,
    cache_dir: Optional[Path],
    prebuilt: Optional[Dict[str, Tuple[str, Any]]],
    effects: Optional[Dict[str, Any]] = None,
    known: Optional[Dict[str, str]] = None,
    state: Optional[Dict[str, Any]] = None,
) -> Any:
    """The project stage's result (project/lastroutes.py `Result`): the last run's when no route reads an
    edit, else computed (project/stage.py `route_hits`). `state["last"]`: the route cache of the run, for
    `with_routes` to keep the files' results joined with those findings (`LastRoutes.joined`)."""
    from offramp.checks import CheckContext  # lazy: start-up
    from offramp.project.lastroutes import LastRoutes, needs_routes  # lazy: start-up

    ctx = CheckContext(
        sdk=load_sdk(),
        provider=opts.provider,
        models=opts.models,
        targets=opts.targets,
        enabled=opts.enabled,
        per_file_ignores=opts.per_file_ignores,
        context=frozenset(display_paths(opts.context, opts.root)),
    )
    # a warm run whose edits no route reads ends here, without importing the route machinery
    last = None
    if cache_dir is not None and needs_routes(seeds, ctx, effects):
        last = LastRoutes(cache_dir, displays, read, seeds, opts.root, ctx, prebuilt, known)
        if state is not None:
            state["last"] = last
    got = last.reused() if last is not None else None
    if got is None:
        from offramp.project.stage import route_hits  # lazy: start-up

        got = route_hits(displays, read, seeds, opts.root, ctx, None, prebuilt, effects, last)
    return got


def with_routes(
    results: List[FileResult],
    displays: Sequence[str],
    read: Callable[[str], Optional[bytes]],
    seeds: Sequence[str],
    opts: Options,
    cache_dir: Optional[Path] = None,
    prebuilt: Optional[Dict[str, Tuple[str, Any]]] = None,
    routed: Optional[Callable[[], Any]] = None,
    known: Optional[Dict[str, str]] = None,
    state: Optional[Dict[str, Any]] = None,
    findings: Optional[FindingsCache] = None,
) -> List[FileResult]:
    """The per-file results plus the project stage's route findings (project/stage.py), in the files they sit in
    (`routed`: the stage's result, or its exception, when it ran beside the pool: pooled.py; `findings`: the run's
    findings cache, for the files checked again as the project imports).

    A route finding on a line where the per-file checks already report the same code adds nothing
    and is dropped; suppressions and per-file ignores apply as to any finding.
    """
    from offramp.checks import Hit  # lazy: start-up
    from offramp.checks.base import COVERED_BY, RETOLD_BY_ROUTES  # lazy: start-up
    from offramp.checks.todos import answered_by_routes  # lazy: start-up
    from offramp.suppress import parse_suppressions  # lazy: start-up

    # a notebook's findings at the lines of its module while the routes are joined (engine.in_module)
    notebooks = _notebooks(results, read)
    results = [
        replace(r, findings=tuple(in_module(notebooks[r.path], r.findings))) if r.path in notebooks else r
        for r in results
    ]
    results = _as_the_project_imports(results, displays, read, opts, findings, known)
    effects = None
    if opts.provider is not None:
        from offramp.project.stage import predicted_effects  # lazy: start-up

        effects = {r.path: predicted_effects(r.findings) for r in results}
    held: Dict[str, Dict[Span, str]] = {}
    writes: Dict[str, str] = {}
    moved: Dict[str, List[Span]] = {}
    settled: Dict[str, List[Span]] = {}
    try:
        got = (
            routed()
            if routed is not None
            else route_stage(displays, read, seeds, opts, cache_dir, prebuilt, effects, known, state)
        )
        hits, held, writes, moved, settled = got
    except RecursionError:  # every file already has its own findings; routes add to them, never crash them
        return _in_cells(results, notebooks)
    except Exception as e:  # an internal error: said where the routes start, like OFR002 for one file
        detail = f"internal error in the project stage: {type(e).__name__}: {e}".splitlines()[0]
        hits = {seeds[0]: [Hit(codes.ANALYSIS_FAILED, Span(1, 1, 1, 1), {"detail": detail})]}
    out = list(results)
    where = {r.path: i for i, r in enumerate(results)}
    for display, built in moved.items():  # a subclass construction fix retargets on the routes' word: its key too
        i = where.get(display)
        if i is not None:
            out[i] = replace(out[i], findings=tuple(moved_with(out[i].findings, built)))
    for display, requests in settled.items():  # a run-time model on a request the project shows aimed elsewhere
        i = where.get(display)
        if i is not None:
            out[i] = replace(out[i], findings=tuple(not_settled(out[i].findings, requests)))
    for display, spans in held.items():  # what `fix` holds back is not fixable, whatever the file alone says
        i = where.get(display)
        if i is not None:
            out[i] = replace(out[i], findings=tuple(held_back(out[i].findings, spans)))
    if writes:  # notebooks and .env files: a variable kept in code keeps its name there too
        for i, r in enumerate(out):
            if not r.path.endswith(".py"):
                out[i] = replace(r, findings=tuple(held_names(r.findings, writes)))
    results = out
    if not hits:
        return _in_cells(results, notebooks)
    rules = load_rules()
    out = list(results)
    last = state.get("last") if state is not None else None
    enabled = sorted(opts.enabled)
    last_joined = last.joined(enabled) if last is not None else None
    joined: Dict[str, Tuple[str, Tuple[Finding, ...]]] = {}
    for display, file_hits in hits.items():
        i = where.get(display)
        if i is None or not (display.endswith(".py") or display in notebooks):
            continue
        earlier = last_joined.get(display) if last_joined is not None and display not in notebooks else None
        digest = digest_of(display, known, read) if earlier is not None else None
        if earlier is not None and earlier[0] == digest:
            # (the routes and these bytes are the last run's: so is what joining them with a finding gave)
            out[i] = replace(results[i], findings=earlier[1], parsed=results[i].parsed or True)
            continue
        text: Optional[str] = None  # (read only when needed: most files the routes touch need none)
        retold = {(h.code, h.span): h for h in file_hits if h.code in RETOLD_BY_ROUTES}
        if retold:  # (the file's own finding, its message from where the routes show the request goes)
            deployments = {h.span: h for h in file_hits if h.code == codes.AZURE_DEPLOYMENT}
            kept, named = _retold(results[i].findings, retold, display, deployments)
            out[i] = results[i] = replace(results[i], findings=tuple(kept))
            file_hits = [
                _named(h, named[h.span], text := _text_of(display, read, notebooks, text))
                if h.code == codes.AZURE_DEPLOYMENT and h.span in named
                else h
                for h in file_hits
                if h.code not in RETOLD_BY_ROUTES
            ]
        have = {(f.code, f.span.line) for f in results[i].findings}
        have |= {(code, line) for code, covers in COVERED_BY.items() for c, line in list(have) if c in covers}
        adds = [
            h
            for h in file_hits
            if not (rules[h.code].needs_target and opts.provider is None)
            and not any((h.code, line) in have for line in range(h.span.line, max(h.span.line, h.span.end_line) + 1))
        ]
        if not adds:  # (the text is read for its suppressions only when the routes add a finding: ~170 files a run)
            continue
        text = _text_of(display, read, notebooks, text)
        sup = parse_suppressions(text)
        new = [
            make_finding(h.code, display, h.span, h.args, fixable=h.fixable, severity=h.severity, hint=h.hint)
            for h in adds
            if not sup.covers(h.code, h.span.line)
        ]
        if new:
            new = held_back(new, held.get(display, {}))  # (a route finding fix holds back is not fixable either)
            own = [
                f
                for f in results[i].findings
                if not (f.code == codes.FIX_TODO_LEFT and answered_by_routes(f.span.line, f.message, text, file_hits))
            ]
            finished = file_result([*own, *new], text, display, opts, True)
            out[i] = replace(results[i], findings=finished.findings, parsed=results[i].parsed or True)
            if last is not None and display not in notebooks:
                digest = digest or digest_of(display, known, read)
                if digest is not None:
                    joined[display] = (digest, out[i].findings)
    if last is not None and joined:
        last.keep_joined(enabled, joined)
    return _in_cells(out, notebooks)


def _as_the_project_imports(
    results: List[FileResult],
    displays: Sequence[str],
    read: Callable[[str], Optional[bytes]],
    opts: Options,
    found: Optional[FindingsCache] = None,
    known: Optional[Dict[str, str]] = None,
) -> List[FileResult]:
    """The results, each Python file whose imports of a library are a module of the project (project/locallibs.py:
    `from agents import Agent` beside the folder's own agents.py) checked again with that word, as fix plans it
    (`Gate.local`): its own analysis, cached by its content, took them for the library's. The second analysis is
    cached too (`found`), by the file's content and those libraries: a warm run parsed every such file again."""
    from offramp.project.locallibs import local_libraries  # lazy: start-up

    try:
        local = local_libraries(displays, read)
    except Exception:  # (a bug guard: the files' own results stand)
        return results
    out = list(results)
    fresh: List[Tuple[FileResult, Optional[str]]] = []
    for i, r in enumerate(results):
        digest = digest_of(r.path, known, read) if r.path in local else None
        if digest is None:
            continue
        # (a display path holds no NUL: the entry never meets a file's own)
        key = f"{r.path}\0as the project imports: {' '.join(sorted(local[r.path]))}"
        if found is not None and found.digest(key) == digest:
            out[i] = replace(found.result(key), path=r.path)
            continue
        data = read(r.path)
        if data is None:
            continue
        try:
            out[i] = check_source(decode(Path(r.path), data), r.path, opts, local=local[r.path])
        except Exception:  # (as above; the file's own analysis of the same text ran)
            continue
        fresh.append((replace(out[i], path=key), digest))
    if found is not None and fresh:
        found.store(fresh)
        found.save()
    return out


def _retold(
    findings: Iterable[Finding], retold: Dict[Tuple[str, Span], Any], display: str, deployments: Dict[Span, Any]
) -> Tuple[List[Finding], Dict[Span, bool]]:
    """`findings` with the message of each one a route hit retells (same code, same span: `RETOLD_BY_ROUTES`).
    Where the routes show the request aimed away from OpenAI and Azure (`AIMED_AWAY`: a local server or a provider
    configured in another module), that finding goes, and with it those inside the request only such a request has
    (`AWAY_CODES`: its model, the APIs and parameters a provider lacks), as the file reports none of them in one
    file; a request to the chosen provider's host (`AIMED_AT_CHOSEN`) keeps what that provider lacks. Inside a
    request the routes show going to Azure (`azure`), the file's "OpenAI model" (OFR201) is the deployment the
    route names (OFR202, `deployments`: the route's hit at its span): it goes, and that hit takes its place with its
    `[*]` (returned: span -> fixable)."""
    from offramp.checks.base import AIMED_AT_CHOSEN, AIMED_AWAY, AWAY_CODES, TO_PROVIDER_CODES  # lazy: start-up

    # (a request to the chosen provider's host keeps what that provider lacks of it: `AIMED_AT_CHOSEN`)
    away = {
        span: h.args["target"]
        for (_, span), h in retold.items()
        if h.args.get("target") in (AIMED_AWAY, AIMED_AT_CHOSEN)
    }
    azure = [span for (_, span), h in retold.items() if h.args.get("azure")]
    out = []
    named: Dict[Span, bool] = {}
    for f in findings:
        h = retold.get((f.code, f.span))
        if h is not None and h.args.get("target") in (AIMED_AWAY, AIMED_AT_CHOSEN):
            continue
        if f.code == codes.OPENAI_MODEL and f.span in deployments and any(_within(f.span, s) for s in azure):
            named[f.span] = f.fixable
            continue
        if f.code in AWAY_CODES and any(
            _within(f.span, span) and not (to == AIMED_AT_CHOSEN and f.code in TO_PROVIDER_CODES)
            for span, to in away.items()
        ):
            continue
        out.append(replace(f, message=make_finding(f.code, display, f.span, h.args).message) if h is not None else f)
    return out, named


def _text_of(
    display: str, read: Callable[[str], Optional[bytes]], notebooks: Dict[str, Notebook], text: Optional[str]
) -> str:
    """A file's text as the engine reads it (a notebook's: its module), unless `text` already holds it."""
    if text is not None:
        return text
    if display in notebooks:
        return notebooks[display].text
    data = read(display)
    return data.decode("utf-8-sig", "replace") if data is not None else ""


def _named(hit: Any, fixable: bool, text: str) -> Any:
    """A route's OFR202 hit in place of the file's OFR201 at its span (`_retold`): with that finding's `[*]`, and the
    keyword the file writes it under (`engine=`, as one file says it; the route knows only the value)."""
    lines = text.splitlines()
    before = lines[hit.span.line - 1][: hit.span.column - 1] if 0 < hit.span.line <= len(lines) else ""
    found = re.search(r"\b(engine|deployment_id)\s*=\s*$", before)
    args = {**hit.args, "arg": found.group(1)} if found else hit.args
    return replace(hit, args=args, fixable=fixable)


def _within(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (inner.end_line, inner.end_column) <= (
        outer.end_line,
        outer.end_column,
    )


def _notebooks(results: Sequence[FileResult], read: Callable[[str], Optional[bytes]]) -> Dict[str, Notebook]:
    """The notebooks among `results` with a finding, or that the routes may report on, read as modules."""
    from offramp.notebook import NotebookError  # lazy: start-up (a run without notebooks)
    from offramp.notebook import load as load_notebook  # lazy: start-up

    out = {}
    for r in results:
        if not r.path.endswith(".ipynb") or r.skipped_by_prefilter:
            continue
        data = read(r.path)
        try:
            out[r.path] = load_notebook(data.decode("utf-8-sig")) if data is not None else None
        except (UnicodeDecodeError, NotebookError):
            continue
    return {d: nb for d, nb in out.items() if nb is not None}


def _in_cells(results: List[FileResult], notebooks: Dict[str, Notebook]) -> List[FileResult]:
    return [
        replace(r, findings=tuple(in_cells(notebooks[r.path], r.findings))) if r.path in notebooks else r
        for r in results
    ]
