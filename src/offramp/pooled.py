"""The pool's work in two rounds, so that the project stage runs beside the LibCST checks, not after them.

In one round (runner.py's `_check_many`), the project stage waited for the last file's check: it
needs every module's index entry, and each came back with its file's findings. On 2 cores one
core then sat idle for the ~0.55 CPU-s of routes (a cold `check -j 2` of the SDK corpora, whose
files are nearly all modules a request can reach). So the pool works in two rounds:

1. every file, largest first: a file with no SDK import is checked whole (the stdlib parser's fast
   path, cheap), a configuration file or a notebook too; a module that imports the SDK only gets its
   parse screened (`source.screen`, the `ast.parse` that LibCST's parse is guarded by) and its index
   entry built from that tree, unless that tree shows no import of a client (analysis.needs_scopes:
   the SDK's exceptions alone, an import in a docstring), then it is checked whole on that tree;
2. the LibCST checks of those modules, largest first, each told that its text passed the screen in
   round 1 (`source.screened_elsewhere`: the same bytes are not parsed by `ast` twice).

The main process runs the project stage as soon as round 1 is back, while the workers run round 2.
The findings are those of one round: each file is checked as before, and the index entries are the
same trees indexed the same way.
"""

from __future__ import annotations

import gc
from concurrent.futures import Executor, Future
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from offramp.cache import content_hash
from offramp.engine import Options
from offramp.runner import Outcome, Task, _check_one
from offramp.source import SourceError, decode, last_ast, read_bytes, screen, screened_elsewhere

# (the outcome of a file checked whole in round 1, else None; its index entry: (content digest, ModuleIndex)
#  or None; the content digest of the bytes whose screen passed in round 1, else None)
First = Tuple[Optional[Outcome], Optional[Tuple[str, Any]], Optional[str]]

# The project stage's result, or the exception it raised, given back by a call (joinroutes.with_routes)
Routed = Callable[[], Any]


def two_rounds(
    pool: Executor,
    tasks: Sequence[Task],
    opts: Options,
    progress: Optional[Callable[[int], None]],
    stage: Callable[[Dict[str, Tuple[str, Any]]], Any],
) -> Tuple[List[Outcome], Routed]:
    """The outcomes of `tasks` (in their order) and the project stage `stage(prebuilt index entries)`, run
    here while the pool checks the modules that import the SDK."""
    first = [pool.submit(_first, task, opts) for task in tasks]
    outcomes: Dict[int, Outcome] = {}
    prebuilt: Dict[str, Tuple[str, Any]] = {}
    second: List[Tuple[int, Optional[Tuple[str, Any]], Future[Outcome]]] = []
    for task, future in zip(tasks, first):
        done, entry, screened = future.result()
        if entry is not None:
            prebuilt[task[2]] = entry
        if done is not None:
            outcomes[task[0]] = done
            if progress:
                progress(1)
        else:  # (queued behind round 1, in the same largest-first order)
            second.append((task[0], entry, pool.submit(_second, task, opts, screened)))
    routed = _captured(stage, prebuilt)
    for i, entry, checked in second:
        _, result, digest, _, kept = checked.result()
        outcomes[i] = (i, result, digest, entry, kept)
        if progress:
            progress(1)
    return [outcomes[task[0]] for task in tasks], routed


def _captured(stage: Callable[[Dict[str, Tuple[str, Any]]], Any], prebuilt: Dict[str, Tuple[str, Any]]) -> Routed:
    """`stage(prebuilt)` now; what it returned or raised, later (joinroutes.with_routes handles its exceptions).

    The stage's project holds its modules in reference cycles (~50k objects on the SDK corpora, the
    index entries included): collected here, beside the pool, they are not left to the first collection
    after the run (runner.run restores the collector's thresholds), which took 0.1-0.2 CPU-s after it."""
    try:
        got = stage(prebuilt)
    except Exception as e:
        error = e

        def raised() -> Any:
            raise error

        return raised
    finally:
        gc.collect()
    return lambda: got


def _first(task: Task, opts: Options) -> First:
    """Round 1 for one file (see the module's docstring)."""
    from offramp.analysis import imports_sdk, needs_scopes  # lazy: start-up
    from offramp.catalog import load_sdk  # lazy: start-up
    from offramp.prefilter import may_match  # lazy: start-up

    i, path, display, digest = task
    if path.suffix != ".py":  # (no index entry: runner._check_one)
        return _check_one(i, path, opts, display, digest), None, None
    try:
        data = read_bytes(path, opts.root)
        src = decode(path, data) if may_match(data) else None
    except SourceError:
        src = None
    if src is None or not imports_sdk(src.text, load_sdk()):  # checked whole (unreadable: reported there)
        outcome = _check_one(i, path, opts, display, digest, src.data if src is not None else None)
        return outcome, outcome[3], None
    from offramp.project.index import watch_from_rules  # lazy: start-up
    from offramp.project.indexer import build  # lazy: start-up

    try:
        accepted = screen(src.text)
    except Exception:  # (round 2 screens it again, and reports what goes wrong)
        accepted = False
    if accepted and not needs_scopes(src.text, load_sdk()):  # (on the tree the screen just kept)
        outcome = _check_one(i, path, opts, display, digest, src.data)  # the fast path, on that tree too
        return outcome, outcome[3], None
    entry = None
    text, watch, digest_now = src.text, watch_from_rules(), content_hash(src.data)
    try:
        if watch.may_route(text):  # as runner._check_one does it, after the same screen
            entry = (digest_now, build(text, display, watch, last_ast(text)))
    except Exception:
        entry = None  # the main process builds it again (and reports what goes wrong)
    return None, entry, digest_now if accepted else None


def _second(task: Task, opts: Options, screened: Optional[str]) -> Outcome:
    """Round 2: the check of a module whose index entry round 1 built; `screened`: the content digest of
    the bytes whose screen passed there (the file is screened again if it changed since)."""
    i, path, display, digest = task
    data, text = None, None
    if screened is not None:
        try:
            data = read_bytes(path, opts.root)
            text = decode(path, data).text if content_hash(data) == screened else None
        except SourceError:
            data = None
    with screened_elsewhere(text):
        return _check_one(i, path, opts, display, digest, data, index=False)
