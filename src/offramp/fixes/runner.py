"""`offramp fix` over a project: plan every file, gate the routes, write (or diff) them, summarise.

Each file is planned on its own (fixes/onefile.py), in a process pool when there are enough of
them; the route gate (project/gate.py) then holds what must not move alone, the files are planned
again where it changed their plan, and only then is anything written. The summary says what
changed, what was left as a TODO, and which written model ids no source confirms.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from offramp import codes
from offramp.engine import Options, display_path, make_options, safe_check
from offramp.fixes.onefile import FixResult, commit, finish, fix_path, internal_error, plan_path
from offramp.fixes.outcome import Failed
from offramp.joinroutes import with_routes
from offramp.outpaths import from_cwd
from offramp.prefilter import may_match
from offramp.project.gate import OPEN, Gate
from offramp.project.tree import sharing_entries
from offramp.providers import Provider
from offramp.redact import redact
from offramp.settings import Settings
from offramp.source import SourceError, read_bytes, read_snapshot, reusing_parses, write_atomic
from offramp.types import FileResult
from offramp.userconfig.kind import read_as_config
from offramp.userconfig.plan import ConfigReaders, for_run, key
from offramp.workers import process_pool

if TYPE_CHECKING:
    from offramp.fixes.provenance import Region
    from offramp.targets import Targets

T = TypeVar("T")
R = TypeVar("R")


def _finish_many(args: Tuple[Sequence[FixResult], Options, bool]) -> List[FixResult]:
    results, opts, check = args
    return [finish(r, opts, check) for r in results]


def _finish_all(results: List[FixResult], opts: Options, jobs: int, check: bool = True) -> List[FixResult]:
    todo = [i for i, r in enumerate(results) if r.settle().recheck is not None]
    for i, r in zip(todo, _in_batches(_finish_many, [results[i] for i in todo], (opts, check), jobs)):
        results[i] = r
    return results


def _in_batches(many: Callable[[tuple], List[R]], items: Sequence[T], args: tuple, jobs: int) -> List[R]:
    """`many((items, *args))`, in this process for a few items, else in small batches on a process pool
    (results in the order of `items`). Small batches: an interrupt lets the running ones finish, and
    that should take moments."""
    if jobs == 1 or len(items) < 32:
        return many((items, *args))
    chunk = max(1, min(4, len(items) // (jobs * 8)))
    batches = [list(items[i : i + chunk]) for i in range(0, len(items), chunk)]
    out: List[R] = []
    with process_pool(jobs) as pool:
        for part in pool.map(many, [(b, *args) for b in batches]):
            out.extend(part)
    return out


def _plan_many(args: Tuple[Sequence[Tuple[Path, Gate]], Provider, Options, bool, Optional[str]]) -> List[FixResult]:
    items, provider, opts, diff, region = args
    return [plan_path(p, provider, opts, diff, region, None, gate) for p, gate in items]


def fix_files(
    files: Sequence[Path],
    settings: Settings,
    provider: Provider,
    *,
    diff: bool = False,
    jobs: int = 0,
    context: Sequence[Path] = (),
) -> List[FixResult]:
    """Fix `files`: the code first, then each configuration file as far as the code reading it was
    migrated (offramp.userconfig.plan). Results come in the order of `files`. `context`: files the route gate
    reads and never writes (`run_fix`)."""
    opts = replace(make_options(settings, provider), context=tuple(context))
    region = settings.region
    configs = [p for p in files if read_as_config(p)]
    if not configs:
        return _fix_code(files, provider, opts, diff, region, jobs)
    plan = for_run(files, provider, opts, region)
    others = [i for i, p in enumerate(files) if not read_as_config(p)]
    code = _fix_code(
        [files[i] for i in others], provider, opts, diff, region, jobs, _env_values(lambda: plan, opts, region)
    )
    readers = plan.after({r.display: r.new_text.encode("utf-8") for r in code if r.new_text is not None})
    out: List[Optional[FixResult]] = [None] * len(files)
    for i, r in zip(others, code):
        out[i] = r
    for i, p in enumerate(files):
        if out[i] is None:
            out[i] = fix_path(p, provider, opts, diff, region, readers.get(key(p)))
    return [r for r in out if r is not None]


EnvValues = Callable[[Dict[str, bytes]], Dict[str, Dict[str, str]]]


def _env_values(make: Callable[[], ConfigReaders], opts: Options, region: Optional[str]) -> EnvValues:
    """The route gate's question, with the readers of the configuration files built on the first one only (the
    gate asks it when a plan wrote an OFR203 TODO, which most runs do not)."""
    plans: List[ConfigReaders] = []

    def values(texts: Dict[str, bytes]) -> Dict[str, Dict[str, str]]:
        if not plans:
            plans.append(make())
        return plans[0].env_values(texts, opts, region)

    return values


def _fix_code(
    files: Sequence[Path],
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    jobs: int,
    env_values: Optional[EnvValues] = None,
) -> List[FixResult]:
    """Plan the code files with the route gate (`_plan_code`), and only then write (or diff) anything."""
    results = _plan_code(files, provider, opts, diff, region, jobs, env_values=env_values)
    for r in results:
        commit(r, diff)
    return results


def _plan_code(
    files: Sequence[Path],
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    jobs: int,
    check: bool = True,
    env_values: Optional[EnvValues] = None,
) -> List[FixResult]:
    """Plan every code file, let the project's routes freeze what must not move alone and rewrite
    what moves with its requests elsewhere (project/gate.py, fixes/routegate.py), and re-plan the
    files that changes. Nothing is written: each result's rewrite waits in `pending`, parsed and checked
    once its last plan is known (`finish`; `check=False`: parsed only)."""
    # A file the gate plans again is the file just planned, in a one-file run (a large module): its
    # parse and analysis are kept for the second plan. Never more than the last tree is kept.
    with reusing_parses():
        return _plan_and_gate(files, provider, opts, diff, region, jobs, check, env_values)


def _plan_and_gate(
    files: Sequence[Path],
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    jobs: int,
    check: bool,
    env_values: Optional[EnvValues],
) -> List[FixResult]:
    jobs = jobs or os.cpu_count() or 1
    results = _plan_all([(p, OPEN) for p in files], provider, opts, diff, region, jobs)
    # (also when no plan moves anything: a client whose OpenAI host is in a configuration file is
    # only seen as one by the project's routes)
    if any(r.effects or r.notes or r.todo_codes for r in results) or _routes_only(files, provider, opts):
        from offramp.fixes.routegate import gate_results  # lazy: start-up

        try:
            results = gate_results(
                results,
                provider,
                opts,
                lambda items: _plan_all(items, provider, opts, diff, region, jobs),
                region,
                env_values,
            )
        except Exception as e:  # a bug guard: nothing is written, and the error is said on the first file
            results = [r.settle() for r in results]
            first = next((r for r in results if r.pending is not None), results[0])
            first.outcome = Failed(f"{internal_error(e)} (in the route gate; no file written)")
            for r in results:
                r.pending = None
                r.new_text = None
                r.recheck = None
                r.changes.clear()
    return _finish_all(results, opts, jobs, check)


def _routes_only(files: Sequence[Path], provider: Provider, opts: Options) -> bool:
    """Whether a code file may hold what only the routes fix, when no plan of the project moves anything (then
    the route gate runs all the same). A byte search, no parse:
    - an id the provider retired (OFR205): already-migrated code has no plan of its own, and only the routes
      can rewrite it to the successor;
    - a base URL (`base_url=`, `openai.api_base`, `OPENAI_BASE_URL`) that may be unset is a route's finding
      (OFR107), whose TODO only the routes write (fixes/routegate.py `unset_base_todos`)."""
    needles: List[bytes] = []
    if codes.MODEL_RETIRED in opts.enabled:
        needles += [
            m.encode() for m, e in provider.lifecycle.models.items() if e.successor and e.status != "deprecated"
        ]
    base_url = codes.BASE_URL_MAY_BE_UNSET in opts.enabled
    if not needles and not base_url:
        return False
    for path in files:
        try:
            data = read_snapshot(path, opts.root)[0]  # (never a FIFO, which would block the run)
        except SourceError:
            continue
        if any(m in data for m in needles) or (base_url and _BASE_URL.search(data)):
            return True
    return False


_BASE_URL = re.compile(rb"base_url|api_base", re.I)


Planned = Tuple[str, str, Tuple["Region", ...]]  # a file's old and new text, and the regions of its changes


def planned_texts(files: Sequence[Path], settings: Settings, provider: Provider, jobs: int = 1) -> Dict[str, Planned]:
    """(old, new) text of every code file (Python, notebook JSON) `fix` would change, by display path,
    with where each planned change is written and for which finding (fixes/provenance.py), route gate
    included, nothing written: the suggestions of `check` are these edits."""
    opts = replace(make_options(settings, provider), origins=True)
    code = [p for p in files if not read_as_config(p)]
    env: Optional[EnvValues] = None
    if len(code) < len(files):  # (configuration files in the run: a `.env` may settle a run-time model)
        env = _env_values(lambda: for_run(files, provider, opts, settings.region), opts, settings.region)
    results = _plan_code(code, provider, opts, True, settings.region, jobs or 1, check=False, env_values=env)
    return {
        r.display: (r.pending.old, r.pending.new, tuple(r.origins))
        for r in results
        if r.pending is not None and not r.error
    }


def _plan_all(
    items: Sequence[Tuple[Path, Gate]], provider: Provider, opts: Options, diff: bool, region: Optional[str], jobs: int
) -> List[FixResult]:
    return _in_batches(_plan_many, items, (provider, opts, diff, region), jobs)


def run_fix(
    files: Sequence[Path],
    settings: Settings,
    provider: Provider,
    *,
    diff: bool,
    jobs: int,
    echo: Callable[..., None],
    report: Optional[Path] = None,
    command: str = "",
    collect: Optional[List[FixResult]] = None,
    context: Sequence[Path] = (),
) -> int:
    """Fix (or diff) `files`, print the summary; the exit code. `collect` receives the results. `context`: the
    project's other Python files, read for the routes only (api.py `context_files`): none of them is written."""
    with sharing_entries():  # (the check of what the run leaves indexes the files the route gate indexed)
        results = fix_files(files, settings, provider, diff=diff, jobs=jobs, context=context)
        as_checked(results, replace(make_options(settings, provider), context=tuple(context)))
    for r in results:  # shown from the current directory, as `check` shows them (findings stay root-relative)
        r.display = from_cwd(str(r.path))
    if collect is not None:
        collect.extend(results)
    report_error = None
    if report is not None:
        from offramp.fixes.report import render_report  # lazy: start-up

        try:  # atomic: a full disk or an interrupt leaves the previous report, never half of one
            report.parent.mkdir(parents=True, exist_ok=True)
            text = redact(render_report(results, provider, settings, diff=diff, command=command))
            write_atomic(report, text.encode("utf-8"))
        except OSError as e:  # the files are fixed already: still say what was done, then fail
            report_error = f"offramp: error: cannot write {report}: {e.strerror or e}"
    if diff:
        for r in results:
            if r.diff:
                echo(r.diff, nl=False)
    targets = make_options(settings, provider).targets
    summarise(results, provider, diff, lambda text: echo(redact(text), err=True), targets)
    if report_error:
        echo(report_error, err=True)
        return 2
    if any(r.error for r in results):
        return 1
    if diff:
        return 1 if any(r.changed for r in results) else 0
    return 1 if any(r.remaining for r in results) else 0


def as_checked(results: Sequence[FixResult], opts: Options) -> None:
    """Set each result's `remaining` to what `check --to P` says of its file once the run is delivered (as written,
    or with `--diff` as shown): its own findings, which the fix found in those bytes (`FixResult.checked`; a file
    the run left with an error is checked again), with the project stage's (offramp.joinroutes `with_routes`), which
    judges routes across files and the route gate's holds. The summary and the exit code are that verdict: each
    file's own findings alone missed a model defined in another module, a key that may be unset where another
    module reads it, and counted a run-time model a `.env` the fix rewrote now settles."""
    displays = [display_path(r.path, opts.root) for r in results]
    data: Dict[str, bytes] = {}
    checked: List[FileResult] = []
    seeds: List[str] = []
    for r, display in zip(results, displays):
        config = read_as_config(r.path)
        if r.checked is None:  # (a file left with an error: what check reads is what is on disk)
            found = safe_check(r.path, opts, display)
            with suppress(SourceError):
                data[display] = read_bytes(r.path, opts.root)
        elif not may_match(r.checked, config):  # (check_path: no parse, no finding)
            data[display] = r.checked
            found = FileResult(path=display, skipped_by_prefilter=True)
        else:
            data[display] = r.checked
            found = FileResult(path=display, findings=tuple(r.remaining), parsed=True)
        checked.append(found)
        # (check's seeds: the Python files and notebooks it read that pass the prefilter)
        if not config and r.path.suffix in (".py", ".pyi", ".ipynb") and may_match(data.get(display, b"")):
            seeds.append(display)
    context = [display_path(path, opts.root) for path in opts.context]
    for path, display in zip(opts.context, context):  # (read for the routes only: never written nor reported on)
        with suppress(SourceError):
            data[display] = read_bytes(path, opts.root)
    # (as check: without SDK use in code, a configuration file's fixable findings still ask who reads it)
    configs = [c for d, c in zip(displays, checked) if not d.endswith((".py", ".ipynb"))]
    if seeds or any(f.fixable for c in configs for f in c.findings):
        checked = with_routes(checked, [*displays, *context], data.get, seeds, opts)  # (not in `data`: unreadable)
    for r, found in zip(results, checked):
        r.remaining = list(found.findings)


def summarise(
    results: Sequence[FixResult],
    provider: Provider,
    diff: bool,
    out: Callable[[str], None],
    targets: Optional[Targets] = None,
) -> None:
    """What was done, and what is left. `targets`: one provider per request family (offramp.targets)."""
    name, spec = (targets.label(), targets.spec()) if targets is not None else (provider.name, provider.id)
    changes: Counter = Counter()
    todos: Counter = Counter()
    for r in results:
        if r.changed:  # what was written (or, with --diff, shown); a file left unchanged counts nothing
            changes.update(r.changes)
            todos.update(r.todo_codes)
        for line, note in r.notes:
            out(f"{r.display}:{line}: note: {note}")
        for hunk in r.hidden_hunks:
            out(hunk)
        if r.error:
            out(f"{r.display}: error: {r.error}")
    changed = sum(r.changed for r in results)
    verb = "Would rewrite" if diff else "Rewrote"
    detail = ", ".join(
        f"{n} {kind}{'s' if n != 1 and not kind.endswith('s') else ''}" for kind, n in sorted(changes.items())
    )
    out(f"{verb} {changed} file{'s' if changed != 1 else ''} for {name}" + (f" ({detail})" if detail else "") + ".")
    unwritten = [r for r in results if r.changes and r.error and not r.changed]
    if unwritten:
        n = sum(sum(r.changes.values()) for r in unwritten)
        out(
            f"Left {len(unwritten)} file{'s' if len(unwritten) != 1 else ''} unchanged because of the errors above "
            f"({n} change{'s' if n != 1 else ''} not made): " + ", ".join(r.display for r in unwritten) + "."
        )
    region = f" --region {provider.default_region}" if provider.regions else ""
    for model, why in unconfirmed_written(results, targets.providers if targets is not None else [provider]):
        verb = "Would write" if diff else "Wrote"
        out(f"{verb} `{model}`, unconfirmed: {why}; `offramp verify --to {spec}{region}` tries it.")
    if todos:
        out(
            f"Left {sum(todos.values())} TODO[offramp] comment{'s' if sum(todos.values()) != 1 else ''} for review: "
            + ", ".join(f"{code} x{n}" for code, n in sorted(todos.items()))
            + "."
        )
    remaining = sum(len(r.remaining) for r in results)  # (what `check --to` says of the fixed tree: `as_checked`)
    if remaining and diff:
        out(
            f"{remaining} finding{'s' if remaining != 1 else ''} would remain; "
            f"`offramp check --to {spec}` reports {'them' if remaining != 1 else 'it'} once the diff is applied."
        )
    elif remaining:
        out(
            f"{remaining} finding{'s remain' if remaining != 1 else ' remains'}; "
            f"run `offramp check --to {spec}` to see them."
        )


def unconfirmed_written(results: Sequence[FixResult], providers: Sequence[Provider]) -> List[Tuple[str, str]]:
    """(model id, why) for each id no source confirms for the provider's region that a rewrite names
    (offramp.knowledge.regions): fix writes the region's ids, and says which of them are not facts."""
    ids = {m: why for p in providers for m, why in p.unconfirmed.items()}
    texts = [r.delivered for r in results if r.changed and r.delivered is not None]
    return [
        (model, why)
        for model, why in sorted(ids.items())
        if any(_mentions(new, model) > _mentions(old, model) for old, new in texts)
    ]


def _mentions(text: str, model: str) -> int:
    """How often `model` stands alone in `text` (not inside a longer id such as `qwen-flash-2025`)."""
    n, at = 0, text.find(model)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(model)] if at + len(model) < len(text) else " "
        if not any(c.isalnum() or c in "_./-" for c in (before, after)):
            n += 1
        at = text.find(model, at + 1)
    return n
