"""Run the checks over many files: triage, the process pool, the findings cache, the project stage.

engine.py checks one file (read -> prefilter -> parse -> analyse -> check -> findings); this
module decides which files need that at all and where it runs. Most files of a repository are
answered here without a parse (a cache hit or a prefilter miss); the rest go to a process pool
when there are enough of them (POOL_MIN_FILES) to pay for one (in two rounds: pooled.py). The project
stage's route findings (project/stage.py) are then merged into the files they sit in (joinroutes.py).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from offramp.cache import FindingsCache, content_hash, settings_key
from offramp.catalog import load_rules, load_sdk
from offramp.codeshape import code_shape
from offramp.engine import (
    Options,
    check_source,
    display_paths,
    finish,
    make_options,
    resolve_provider,
    safe_check,
)
from offramp.joinroutes import route_stage, with_routes
from offramp.prefilter import known_miss, may_match, missed_bytes
from offramp.settings import Settings
from offramp.source import SourceError, SourceFile, decode, last_ast, read_bytes, read_snapshot
from offramp.stattable import MISS, PASS, StatTable
from offramp.types import FileResult, Finding, Premise
from offramp.userconfig.kind import KINDS as CONFIG_KINDS
from offramp.userconfig.kind import kind_of, too_large

if TYPE_CHECKING:
    from offramp.cache import FindingsCache


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
