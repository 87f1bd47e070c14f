"""Run the checks over many files: triage, the process pool, the findings cache, the project stage.

engine.py checks one file (read -> prefilter -> parse -> analyse -> check -> findings); this
module decides which files need that at all and where it runs. Most files of a repository are
answered here without a parse (a cache hit or a prefilter miss); the rest go to a process pool
when there are enough of them (POOL_MIN_FILES) to pay for one (in two rounds: pooled.py). The project
stage's route findings (project/stage.py) are then merged into the files they sit in.
"""

from __future__ import annotations

import gc
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from offramp import codes
from offramp.cache import FindingsCache, content_hash, settings_key
from offramp.catalog import load_rules, load_sdk
from offramp.codeshape import code_shape
from offramp.engine import (
    Options,
    check_source,
    display_paths,
    file_result,
    finish,
    in_cells,
    in_module,
    make_finding,
    make_options,
    resolve_provider,
    safe_check,
)
from offramp.prefilter import known_miss, may_match, missed_bytes
from offramp.project.verdicts import held_back, held_names, moved_with, not_settled
from offramp.settings import Settings
from offramp.source import SourceError, SourceFile, decode, last_ast, read_bytes, read_snapshot
from offramp.stattable import MISS, PASS, StatTable, digest_of
from offramp.types import FileResult, Finding, Premise, Span
from offramp.userconfig.kind import KINDS as CONFIG_KINDS
from offramp.userconfig.kind import kind_of, too_large

if TYPE_CHECKING:
    from offramp.cache import FindingsCache
    from offramp.notebook import Notebook


def cache_key(opts: Options) -> str:
    return settings_key(
        repr(
            (
                sorted(opts.enabled),
                opts.provider,
                sorted(opts.models.items()),
                sorted((k, tuple(v)) for k, v in opts.per_file_ignores.items()),
                opts.targets,
            )
        )
    )


Task = Tuple[int, Path, str, Optional[str]]  # (index in the run, path, display path, content digest)


# (index, result, content digest for the cache, project index entry: (content digest, ModuleIndex) or None,
#  the premise of its LibCST analysis with the file's code_shape, for the cache, or None)
Outcome = Tuple[int, FileResult, Optional[str], Optional[Tuple[str, Any]], Optional[Tuple[str, Premise]]]


# Bytes of Python files that cannot match, kept for the project stage's search for files importing a
# module with SDK use (beyond this budget the search reads them again).
_KEEP_BUDGET = 64 << 20


# Below this many files that need parsing, a pool costs more (fork + LibCST import per worker,
# ~0.2 s) than it saves; each candidate file costs ~50-100 ms of CPU on real SDK code.
POOL_MIN_FILES = 12


def _check_many(args: Tuple[Sequence[Task], Options]) -> List[Outcome]:
    tasks, opts = args
    return [_check_one(i, p, opts, display, digest) for i, p, display, digest in tasks]


def _check_one(
    i: int,
    path: Path,
    opts: Options,
    display: str,
    digest: Optional[str],
    data: Optional[bytes] = None,
    index: bool = True,
) -> Outcome:
    """Check a file and, for a Python file, build its project index entry while its text is at hand
    (not with `index=False`: the pool's first round built it, pooled.py): in the pool, the index's parse
    runs beside the checks instead of after them in the main process. With the cache (`digest`), the
    premise of a LibCST analysis comes back with the file's code_shape."""
    sources: List[SourceFile] = []
    premises: List[Premise] = []
    result = safe_check(path, opts, display, data, sources, premises if digest is not None else None)
    kept = None
    if premises and sources and path.suffix in _PLAIN_PYTHON:
        shape = code_shape(sources[0].text)
        kept = (shape, premises[0]) if shape is not None else None
    entry = None
    if index and sources and path.suffix == ".py":
        from offramp.project.index import watch_from_rules  # lazy: start-up
        from offramp.project.indexer import build  # lazy: start-up

        text, watch = sources[0].text, watch_from_rules()
        try:
            if watch.may_route(text):  # the others are indexed only if a name leads there
                entry = (content_hash(sources[0].data), build(text, display, watch, last_ast(text)))
        except Exception:
            entry = None  # the main process builds it again (and reports what goes wrong)
    return (i, result, digest, entry, kept)


# Files whose text is the module (a notebook's module is its code cells: no premise is kept for it).
_PLAIN_PYTHON = (".py", ".pyi")


def _served(path: Path, data: bytes, display: str, opts: Options, found: FindingsCache) -> Optional[FileResult]:
    """A Python file's result from the premise of its last LibCST analysis, when its code_shape is unchanged
    (only comments outside brackets were edited: codeshape.py); None when it must be checked."""
    kept = found.premise(display) if path.suffix in _PLAIN_PYTHON else None
    if kept is None:
        return None
    try:
        src = decode(path, data)
        if "\0" in src.text or code_shape(src.text) != kept[0]:
            return None
        return finish(kept[1], src.text, display, opts)
    except Exception:  # (a cache never fails a run: the file is checked as if it were not there)
        return None


def _triage(
    files: Sequence[Path],
    displays: Sequence[str],
    opts: Options,
    cache: Callable[[], Optional[FindingsCache]],
    stats: Optional[StatTable] = None,
) -> Tuple[Dict[int, FileResult], List[Task], Dict[int, bytes], List[int], Dict[str, bytes], Dict[str, str]]:
    """Answer in this process every file that needs no parse: cache hits and prefilter misses.

    Each file is read once here; only files that can hold SDK use (a small share of a typical
    repository) go on to a parser, so a big tree with no OpenAI code never starts a pool nor
    imports LibCST. Configuration files are cached by content like code (a monorepo's ~1,000
    YAML/JSON files are scanned once, not on every run); unreadable paths go to `check_path`.
    The bytes of the files left to check come back too, for checking them in this process
    without a second read (a pool is sent paths instead), and the Python files that passed the
    prefilter (the seeds of the project stage's routes). `kept` holds the bytes of Python files
    by display path (seeds, and files that cannot match while a budget lasts): the project stage
    reads them from there, so every file is still read once per run.

    With a stat table (stattable.py), a file whose stat is the one recorded is not read at all: its
    verdict and digest come from the table, and the digests of such files (not notebooks) come back
    too (`known`), for the project stage to find index entries and recorded answers unread.
    """
    done: Dict[int, FileResult] = {}
    pending: List[Task] = []
    blobs: Dict[int, bytes] = {}
    seeds: List[int] = []
    kept: Dict[str, bytes] = {}
    known: Dict[str, str] = {}
    budget = _KEEP_BUDGET
    for i, (path, display) in enumerate(zip(files, displays)):
        name = os.fspath(path)  # (pathlib's properties, once per file, were ~5% of a warm run)
        kind = kind_of(name)
        config = kind in CONFIG_KINDS
        python = kind == "python" and name.endswith((".py", ".pyi"))
        notebook = kind == "notebook"  # (its code cells are a module of the project too)
        if known_miss(name, config):  # read by quickcheck before it handed over
            done[i] = FileResult(path=display, skipped_by_prefilter=True)
            earlier = missed_bytes(name) if python else None
            if earlier is not None:
                kept[display] = earlier
            continue
        if config and too_large(name):
            pending.append((i, path, display, None))  # check_path reports it (OFR001), unread
            continue
        vouched = stats.known(display, name) if stats is not None else None
        if vouched is not None:
            known_digest, verdict = vouched
            if verdict == MISS:
                done[i] = FileResult(path=display, skipped_by_prefilter=True)
                if not notebook:  # (the project reads a notebook as the module of its code cells)
                    known[display] = known_digest
                continue
            found = cache()
            if found is not None and known_digest == found.digest(display):
                done[i] = found.result(display)
                if python or notebook:
                    seeds.append(i)
                if not notebook:
                    known[display] = known_digest
                continue
        try:
            data, st = read_snapshot(path, opts.root)
        except SourceError:
            pending.append((i, path, display, None))  # check_path reports it as OFR001
            continue
        if not may_match(data, config):
            # Without a stat table, cheaper to answer again than to hash: the cache holds parsed files only.
            done[i] = FileResult(path=display, skipped_by_prefilter=True)
            if stats is not None:
                stats.record(display, st, content_hash(data), MISS)
            if python and len(data) <= budget:
                kept[display] = data
                budget -= len(data)
            continue
        blobs[i] = data
        if python or notebook:
            seeds.append(i)
            kept[display] = data
        found = cache()
        digest = content_hash(data) if found is not None else None
        if stats is not None and digest is not None:
            stats.record(display, st, digest, PASS)
        if found is not None and digest == found.digest(display):
            done[i] = found.result(display)
            del blobs[i]
            continue
        served = _served(path, data, display, opts, found) if found is not None and python else None
        if served is not None and found is not None:
            done[i] = served
            del blobs[i]
            found.store([(served, digest)])
        else:
            pending.append((i, path, display, digest))
    return done, pending, blobs, seeds, kept, known


def _before_fork() -> None:
    """Import, here and once, what checking a file with LibCST needs, when the pool's workers are forked
    from this process: they share it instead of each importing LibCST and the analysis (~0.25 CPU-s
    per worker; a cold `check -j 2` of the SDK corpora ~10.7 -> ~10.4 CPU-s). Under another start
    method (spawn, forkserver) the workers import it themselves, so this process does not."""
    import multiprocessing  # lazy: start-up

    if multiprocessing.get_start_method(allow_none=False) != "fork":
        return
    from offramp.analysis import analyze  # noqa: F401  # lazy: start-up
    from offramp.analysis.collector import LightCollector  # noqa: F401  # lazy: start-up
    from offramp.analysis.resolve import collect_and_resolve  # noqa: F401  # lazy: start-up
    from offramp.checks import all_checks  # lazy: start-up
    from offramp.checks.todos import check_todos  # noqa: F401  # lazy: start-up
    from offramp.project.index import watch_from_rules  # lazy: start-up
    from offramp.project.indexer import build  # noqa: F401  # lazy: start-up
    from offramp.suppress import parse_suppressions  # noqa: F401  # lazy: start-up
    from offramp.testcode import in_test_code  # noqa: F401  # lazy: start-up

    all_checks()
    watch_from_rules()
    load_rules()
    load_sdk()


def _batches(pending: Sequence[Task]) -> List[List[Task]]:
    """One file per batch, largest first: the slowest file never starts last (LPT scheduling).

    Only files that passed the prefilter get here, each costing 10-1000 ms to parse and
    analyse, so the ~0.1 ms of pickling per batch is noise and finer batches balance best.
    """

    def size(task: Task) -> int:
        try:
            return task[1].stat().st_size
        except OSError:
            return 0

    return [[task] for task in sorted(pending, key=size, reverse=True)]


# While `check` runs, young collections of the cyclic garbage collector every 50,000 allocations, not 700:
# LibCST's trees and the analyses allocate millions of objects, nearly none in cycles, and a cold check of
# the SDK corpora ran 2,947 young and 190 middle collections (0.33 of 6.6 CPU-s, -j 1); now 7 and none
# (0.06). Parsed trees are frozen and all is collected before each parse (source.parse_module). Not for
# `fix` (fixes/runner.py): its plans leave garbage in cycles, and its peak on the 5k-line module went
# 162 -> 223 MB with these thresholds.
_GC_THRESHOLD = (50_000, 20, 10)


def run(
    files: Sequence[Path],
    opts: Options,
    *,
    jobs: int = 0,
    progress: Optional[Callable[[int], None]] = None,
    cache_dir: Optional[Path] = None,
) -> List[FileResult]:
    """Check files: cheap triage here, parsing in a process pool when enough files need it.

    With `cache_dir`, files whose content is unchanged since the last run with the same
    settings are answered from the cache instead of being parsed.
    """
    before = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLD)  # (the pool's workers are forked with it)
    try:
        return _run(files, opts, jobs, progress, cache_dir)
    finally:
        gc.set_threshold(*before)


def _run(
    files: Sequence[Path],
    opts: Options,
    jobs: int,
    progress: Optional[Callable[[int], None]],
    cache_dir: Optional[Path],
) -> List[FileResult]:
    opened: List[FindingsCache] = []
    key = cache_key(opts) if cache_dir is not None else ""
    stats = StatTable.open(cache_dir, key) if cache_dir is not None else None

    def cache() -> Optional[FindingsCache]:
        """Opened on the first file that passes the prefilter: a tree without SDK use never reads it."""
        if cache_dir is None:
            return None
        if not opened:
            opened.append(FindingsCache.open(cache_dir, key))
        return opened[0]

    displays = display_paths(files, opts.root)
    done, pending, blobs, seeds, kept, known = _triage(files, displays, opts, cache, stats)
    # the project's other files, when the run's paths do not cover it: the routes read them, nothing else does
    context = display_paths(opts.context, opts.root)
    fresh: List[Tuple[FileResult, Optional[str]]] = []
    if progress and done:
        progress(len(done))
    jobs = jobs or os.cpu_count() or 1
    outcomes: List[Outcome] = []
    by_display = {**dict(zip(context, opts.context)), **dict(zip(displays, files))}
    project = [*displays, *context]  # (what the project stage reads)

    def read(display: str) -> Optional[bytes]:
        if display in kept:
            return kept[display]
        path = by_display.get(display)
        try:
            return read_bytes(path, opts.root) if path is not None else None
        except SourceError:
            return None

    # (its files with SDK use start routes as in a run over the whole project, after the named files; a run whose
    # named files have none runs no project stage, as before: quickcheck.py answers it the same)
    context_seeds = [d for d in context if d.endswith(".py") and may_match(read(d) or b"")] if seeds else []
    routed = None  # the project stage, when it ran beside the pool (pooled.py)
    state: Dict[str, Any] = {}  # (the stage's route cache, for with_routes: `route_stage`)
    if jobs == 1 or len(pending) < POOL_MIN_FILES:
        for i, path, display, digest in pending:
            outcomes.append(_check_one(i, path, opts, display, digest, blobs.pop(i, None)))
            if progress:
                progress(1)
    else:
        blobs.clear()  # workers read their own files: paths are cheaper to send than contents
        from offramp.workers import process_pool  # lazy: start-up

        _before_fork()
        with process_pool(jobs) as pool:  # Ctrl-C / SIGTERM: pending batches cancelled, no worker tracebacks
            if seeds and opts.provider is None:  # (with a provider, the stage reads the files' findings)
                from offramp.pooled import two_rounds  # lazy: start-up

                def stage(prebuilt: Dict[str, Tuple[str, Any]]) -> Any:
                    return route_stage(
                        project,
                        read,
                        [*(displays[i] for i in seeds), *context_seeds],
                        opts,
                        cache_dir,
                        prebuilt,
                        None,
                        known,
                        state,
                    )

                outcomes, routed = two_rounds(pool, [b[0] for b in _batches(pending)], opts, progress, stage)
            else:
                for part in pool.map(_check_many, [(b, opts) for b in _batches(pending)]):
                    outcomes.extend(part)
                    if progress:
                        progress(len(part))
    prebuilt: Dict[str, Tuple[str, Any]] = {}
    for i, result, digest, entry, premise in outcomes:
        done[i] = result
        if entry is not None:
            prebuilt[displays[i]] = entry
        if premise is not None and opened:
            opened[0].keep_premise(displays[i], *premise)
        if digest is not None and (result.parsed or result.skipped_by_prefilter):
            fresh.append((result, digest))
    if opened:
        opened[0].store(fresh)
        opened[0].save()
    if stats is not None:
        stats.save()
    results = [done[i] for i in range(len(files))]
    # (without SDK use in code, a configuration file's fixable findings still ask who reads it)
    if seeds or (
        opts.provider is not None
        and any(not r.path.endswith((".py", ".ipynb")) and any(f.fixable for f in r.findings) for r in results)
    ):
        seeded = [*(displays[i] for i in seeds), *context_seeds]
        results = with_routes(results, project, read, seeded, opts, cache_dir, prebuilt, routed, known, state, cache())
    return results


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
    results = _as_the_project_imports(results, displays, read, opts, findings)
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
        data = read(r.path) if r.path in local else None
        if data is None:
            continue
        # (a display path holds no NUL: the entry never meets a file's own)
        key, digest = f"{r.path}\0as the project imports: {' '.join(sorted(local[r.path]))}", content_hash(data)
        if found is not None and found.digest(key) == digest:
            out[i] = replace(found.result(key), path=r.path)
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


def iter_findings(results: Iterable[FileResult]) -> List[Finding]:
    out: List[Finding] = []
    for r in results:
        out.extend(r.findings)
    return sorted(out, key=Finding.sort_key)


def check_code(
    code: str, *, to: Optional[str] = None, path: str = "example.py", settings: Optional[Settings] = None
) -> List[Finding]:
    """Check a string of code (rule examples, tests, editors)."""
    settings = settings or Settings(root=Path("."))
    opts = make_options(settings, resolve_provider(to, settings))
    src = SourceFile(path=Path(path), data=code.encode(), text=code, encoding="utf-8", bom=False)
    result = check_source(src, path, opts)
    if may_match(src.data):
        result = with_routes([result], [path], lambda d: src.data if d == path else None, [path], opts)[0]
    return list(result.findings)
