"""`offramp fix`: plan, apply, verify and write (or diff) each file, then summarise.

A file is written only when its new text parses, and only through an atomic rename that
keeps its encoding, BOM, line endings and permissions. A file without edits is never opened
for writing, so its bytes and mtime stay as they were.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from offramp.config import Settings
from offramp.engine import Options, check_source, display_path, file_ignores, make_options
from offramp.fixes.gate import OPEN, Effect, Gate
from offramp.outpaths import from_cwd
from offramp.prefilter import may_match
from offramp.providers import Provider
from offramp.source import (
    FileChanged,
    NestingError,
    SourceError,
    SourceFile,
    decode,
    on_deep_stack,
    parse_module,
    read_snapshot,
    reusing_parses,
    write_atomic,
)
from offramp.types import Finding

if TYPE_CHECKING:
    from offramp.targets import Targets
    from offramp.userconfig.together import FileReaders
from offramp.workers import process_pool


@dataclass
class FixResult:
    path: Path
    display: str
    changed: bool = False
    diff: str = ""
    error: Optional[str] = None
    changes: Counter = field(default_factory=Counter)
    todo_codes: Counter = field(default_factory=Counter)
    notes: List[Tuple[int, str]] = field(default_factory=list)
    remaining: List[Finding] = field(default_factory=list)
    todos: List[Tuple[int, str]] = field(default_factory=list)  # TODO[offramp] comments in the result
    hidden_hunks: List[str] = field(default_factory=list)  # `fix --diff`: hunks not shown (they hold a secret)
    new_text: Optional[str] = None  # a Python file's text as fixed (also with --diff): its configuration files' readers
    effects: List[Effect] = field(default_factory=list)  # what the plan moves (fixes/gate.py)
    pending: Optional[Pending] = None  # the write (or diff) `commit` makes once the whole project is planned
    # The rewrite still to be parsed and checked (`finish`): the route gate may plan the file again,
    # and a check of a rewrite that is replaced is a whole analysis thrown away.
    recheck: Optional[SourceFile] = field(default=None, repr=False)
    delivered: Optional[Tuple[str, str]] = field(default=None, repr=False)  # (old, new) text `commit` wrote or showed


@dataclass
class Pending:
    """A planned rewrite not yet delivered: `fix` plans every file before it writes any, because the
    route gate may still freeze sites of a file once other files' plans are known."""

    old: str
    new: str
    new_bytes: bytes
    read: Optional[Tuple[bytes, os.stat_result]]


def fix_source(
    src: SourceFile,
    display: str,
    provider: Provider,
    opts: Options,
    region: Optional[str] = None,
    gate: Gate = OPEN,
    verify: bool = True,
) -> Tuple[Optional[str], FixResult]:
    """The new text of one file (None: no change) and what was done. `verify=False`: the caller
    parses the new text with LibCST itself (`finish`), so it is not parsed here too."""
    # parse, analysis, rewrite and re-parse all walk the tree recursively: a deep stack lets
    # them through code nested as deeply as Python accepts
    return on_deep_stack(_fix_source, src, display, provider, opts, region, gate, verify)


def _fix_source(
    src: SourceFile, display: str, provider: Provider, opts: Options, region: Optional[str], gate: Gate, verify: bool
) -> Tuple[Optional[str], FixResult]:
    import libcst as cst

    from offramp.analysis import analyze
    from offramp.catalog import load_sdk
    from offramp.fixes.apply import apply_plan
    from offramp.fixes.planner import Planner
    from offramp.providers import known_provider_hosts
    from offramp.rufflength import line_length
    from offramp.testcode import in_test_code

    result = FixResult(path=src.path, display=display)
    try:
        module = parse_module(src.text)
    except NestingError as e:
        result.error = f"cannot parse file: {e}; left unchanged (see OFR000)"
        return None, result
    except (cst.ParserSyntaxError, RecursionError):
        result.error = "cannot parse file; left unchanged (see OFR000)"
        return None, result
    from offramp.suppress import parse_suppressions

    sdk = load_sdk()
    suppressed = parse_suppressions(src.text)
    ignored = file_ignores(display, opts)

    def allowed(code: str, line: int) -> bool:
        return code in opts.enabled and code not in ignored and not suppressed.covers(code, line)

    try:
        analysis = analyze(module, src.text, sdk, known_provider_hosts())
        in_test = in_test_code(display, src.text)
        plan = Planner(analysis, provider, sdk, dict(opts.models), region, allowed, in_test, gate, opts.targets).run()
        result.changes, result.todo_codes, result.notes = plan.changes, plan.todo_codes, plan.notes
        result.effects = list(plan.effects)
        if plan.empty:
            return None, result
        new_text = apply_plan(analysis.module, plan, line_length(src.path)).code
    except RecursionError:
        result.error = "expressions nested too deeply to rewrite; left unchanged (see OFR002)"
        return None, result
    if new_text == src.text:
        return None, result
    # The old tree, its analysis and the plan are done with: freed before the new text is parsed
    # (parse_module drops the tree `reusing_parses` keeps), so the two trees (each ~16 kB per line)
    # are never alive together. With `verify=False` the caller parses it (`finish`, after the route
    # gate, which may plan this file again from the kept tree).
    del module, analysis, plan
    try:
        if _cpython_parses(src.text):  # newer syntax than this interpreter's is checked by LibCST alone
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a SyntaxWarning about the file's own escapes is not news
                ast.parse(new_text)
        if verify:
            parse_module(new_text)
    except (SyntaxError, cst.ParserSyntaxError, ValueError, RecursionError) as e:  # pragma: no cover - a bug guard
        result.error = _unparsable(e)
        return None, result
    return new_text, result


def _unparsable(e: BaseException) -> str:
    detail = (str(e).splitlines() or [type(e).__name__])[0]
    return f"refused: the rewrite would not parse ({detail}); file left unchanged"


def _cpython_parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def fix_path(
    path: Path,
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    readers: Optional[FileReaders] = None,
) -> FixResult:
    """Fix one file on its own (no route gate); a failure is reported on that file and never stops the
    run. `readers`: of a configuration file (offramp.userconfig.plan); without them, a configuration
    file is not changed."""
    result = plan_path(path, provider, opts, diff, region, readers)
    finish(result, opts)
    commit(result, diff)
    return result


def plan_path(
    path: Path,
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    readers: Optional[FileReaders] = None,
    gate: Gate = OPEN,
) -> FixResult:
    """Plan one file: its new text waits in `result.pending` for `commit`."""
    try:
        with reusing_parses():  # check, fix, verify, check again: two texts, parsed once each
            return _fix_path(path, provider, opts, diff, region, readers, gate)
    except Exception as e:
        return FixResult(path=path, display=display_path(path, opts.root), error=_internal_error(e))


def commit(result: FixResult, diff: bool) -> None:
    """Deliver a planned rewrite: show it as a diff, or write it if the file is still what was read."""
    pending, result.pending = result.pending, None
    if pending is not None:
        result.delivered = (pending.old, pending.new)
        _deliver(result, result.path, pending.old, pending.new, pending.new_bytes, diff, pending.read)


def _internal_error(e: Exception) -> str:
    detail = (str(e).splitlines() or [""])[0]
    return f"internal error: {type(e).__name__}{': ' + detail if detail else ''}; left unchanged"


def _fix_path(
    path: Path,
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    readers: Optional[FileReaders],
    gate: Gate,
) -> FixResult:
    from offramp.configkind import MAX_CONFIG_BYTES, TOO_LARGE, read_as_config, too_large

    display = display_path(path, opts.root)
    try:
        if too_large(path):  # not read at all
            raise SourceError(TOO_LARGE)
        data, st = read_snapshot(path, opts.root)
        if read_as_config(path):
            if len(data) > MAX_CONFIG_BYTES:  # through a link
                raise SourceError(TOO_LARGE)
            return fix_config_file(path, (data, st), display, provider, opts, diff, region, readers)
        if not may_match(data):
            return _models_only(path, (data, st), display, gate)
        if path.suffix == ".ipynb":
            return fix_notebook(path, (data, st), display, provider, opts, diff, region, gate)
        src = decode(path, data)
    except SourceError as e:
        return FixResult(path=path, display=display, error=f"cannot read file: {e}")
    # What check does not report, fix does not touch; and check has a fast path for the many
    # files that mention openai without importing it, which spares them a full LibCST analysis.
    before = list(check_source(src, display, opts).findings)
    if not before:
        return _models_only(path, (data, st), display, gate, src)
    try:
        new_text, result = fix_source(src, display, provider, opts, region, gate, verify=False)
    except Exception as e:
        return FixResult(path=path, display=display, error=_internal_error(e))
    if new_text is None:
        result.remaining = before
        result.todos = _todos(src.text)
        return result
    try:
        new_bytes = src.encode(new_text)
    except UnicodeEncodeError:
        result.error = f"the rewrite cannot be stored as {src.encoding}; left unchanged"
        return result
    result.pending = Pending(src.text, new_text, new_bytes, (data, st))
    result.new_text = new_text
    result.recheck = SourceFile(path=src.path, data=new_bytes, text=new_text, encoding=src.encoding, bom=src.bom)
    result.todos = _todos(new_text)
    return result


def finish(result: FixResult, opts: Options, check: bool = True) -> FixResult:
    """Parse a planned rewrite with LibCST (a bug guard: one that does not parse is refused) and,
    with `check`, check it for what remains: once per file, after the route gate's last plan."""
    final, result.recheck = result.recheck, None
    if final is None:
        return result
    import libcst as cst  # (a rewrite was planned: LibCST is loaded already)

    try:
        with reusing_parses():  # the guard's parse is the check's (parse_module frees the last plan's tree first)
            parse_module(final.text)
            if check:
                result.remaining = list(check_source(final, result.display, opts).findings)
    except (SyntaxError, cst.ParserSyntaxError, ValueError, RecursionError) as e:  # pragma: no cover - a bug guard
        result.error = _unparsable(e)
        result.pending = None
        result.new_text = None
        result.changes.clear()
    return result


T = TypeVar("T")
R = TypeVar("R")


def _finish_many(args: Tuple[Sequence[FixResult], Options, bool]) -> List[FixResult]:
    results, opts, check = args
    return [finish(r, opts, check) for r in results]


def _finish_all(results: List[FixResult], opts: Options, jobs: int, check: bool = True) -> List[FixResult]:
    todo = [i for i, r in enumerate(results) if r.recheck is not None]
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


Snapshot = Tuple[bytes, os.stat_result]  # what was read: the bytes and their stat (see write_atomic)


def _models_only(path: Path, read: Snapshot, display: str, gate: Gate, src: Optional[SourceFile] = None) -> FixResult:
    """A file with nothing of its own to fix whose model literals requests elsewhere send (fixes/crossfile.py)."""
    result = FixResult(path=path, display=display)
    if not gate.models or path.suffix != ".py":
        return result
    from offramp.fixes.crossfile import rewrite_models

    try:
        src = src or decode(path, read[0])
        new_text, n = rewrite_models(src.text, gate.models)
        new_bytes = src.encode(new_text) if new_text is not None else None
    except Exception:  # unparseable or unencodable: the literal stays, and check still reports it
        return result
    if new_text is None or new_bytes is None or new_text == src.text:
        return result
    result.changes["model"] += n
    result.pending = Pending(src.text, new_text, new_bytes, read)
    result.new_text = new_text
    return result


def _deliver(
    result: FixResult, path: Path, old: str, new: str, new_bytes: bytes, diff: bool, read: Optional[Snapshot]
) -> bool:
    """Show the change as a diff, or write `new_bytes` over `path` atomically, provided the file
    is still what was `read`. False (and `result.error` set, nothing changed) when the file cannot
    be written.

    A symbolic link is never written through, even to a file inside the project: its target is
    fixed as itself when the run includes it (discovery then leaves the link out), and otherwise
    the run excluded it, so it is not ours to change.
    """
    if os.path.islink(path):
        result.error = "a symbolic link; offramp never writes through one (fix the file it points to); left unchanged"
        result.changes.clear()
        return False
    result.changed = True
    if diff:
        result.diff, result.hidden_hunks = unified_diff(from_cwd(str(path)), old, new)  # for `git apply`
        return True
    try:
        write_atomic(path, new_bytes, expect=read)
    except FileChanged:
        result.error = "changed on disk while offramp worked on it; left unchanged (run fix again)"
        result.changed = False
        result.changes.clear()
        return False
    except OSError as e:
        result.error = f"cannot write file: {e.strerror or e}; left unchanged"
        result.changed = False
        return False
    return True


def _todos(text: str) -> List[Tuple[int, str]]:
    """(line, "TODO[offramp]: text") of each TODO comment, a wrapped one's lines joined."""
    from offramp.checks.todos import joined

    return [(first + 1, todo) for first, _, todo in joined(text.splitlines())]


def fix_config_file(
    path: Path,
    read: Snapshot,
    display: str,
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    readers: Optional[FileReaders] = None,
) -> FixResult:
    """Configuration files: values (and .env key names) rewritten in place, everything else kept,
    as far as the code that reads them was migrated (`readers`, offramp.userconfig.together)."""
    from offramp.engine import check_config
    from offramp.userconfig.plan import fix_text
    from offramp.userconfig.together import UNKNOWN, UNMIGRATED, FileReaders

    data = read[0]
    readers = readers or FileReaders(UNKNOWN)

    result = FixResult(path=path, display=display)
    try:
        bom = data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.error = "not valid UTF-8; left unchanged"
        return result
    if readers.state in (UNKNOWN, UNMIGRATED):  # nothing of it moves (decide_structured / decide_env): no need to plan
        new_text, counts = text, Counter()
    else:
        new_text, counts = fix_text(display, text, provider, opts, region, readers)
    if counts.get("todo"):
        result.todo_codes["OFR303"] += counts.pop("todo")
    elif new_text == text and readers.why:
        result.notes.append((1, f"not rewritten: {readers.why} (a configuration file moves only with its readers)"))
    result.changes.update({f"config {k}": n for k, n in counts.items() if k != "left" and n})
    final = data
    if new_text != text:
        new_bytes = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
        result.pending = Pending(text, new_text, new_bytes, read)
        final = new_bytes
    result.remaining = list(check_config(path, final, display, opts).findings)
    return result


def fix_notebook(
    path: Path,
    read: Snapshot,
    display: str,
    provider: Provider,
    opts: Options,
    diff: bool,
    region: Optional[str],
    gate: Gate = OPEN,
) -> FixResult:
    """Fix the code cells as one module, then put them back into the notebook's JSON unchanged elsewhere."""
    data = read[0]
    from offramp.engine import check_notebook, notebook_source
    from offramp.notebook import rebuild

    nb, src = notebook_source(path, data)
    if not src.text:
        return FixResult(path=path, display=display)
    try:
        new_text, result = fix_source(src, display, provider, opts, region, gate)
    except Exception as e:
        return FixResult(path=path, display=display, error=_internal_error(e))
    if new_text is None:
        result.remaining = list(check_notebook(path, data, display, opts).findings)
        return result
    new_raw = rebuild(nb, new_text)
    if new_raw is None:
        result.error = "the notebook's JSON layout could not be reproduced exactly; left unchanged"
        return result
    new_bytes = (b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"") + new_raw.encode("utf-8")
    result.pending = Pending(nb.raw, new_raw, new_bytes, read)
    result.remaining = list(check_notebook(path, new_bytes, display, opts).findings)
    new_nb, _ = notebook_source(path, new_bytes)
    result.todos = [(new_nb.locate(line)[1], todo) for line, todo in _todos(new_nb.text)]
    return result


def unified_diff(display: str, old: str, new: str) -> Tuple[str, List[str]]:
    """The change as a unified diff without the hunks that would show a secret, and one line
    per hunk left out (masking it instead would print a patch that does not apply)."""
    from offramp.redact import split_diff

    lines = difflib.unified_diff(
        _patch_lines(old), _patch_lines(new), fromfile=f"a/{display.lstrip('/')}", tofile=f"b/{display.lstrip('/')}"
    )
    # A last line without a newline is marked as `diff` and `git apply` expect; unmarked, it ran into
    # the next file's header and the patch did not apply.
    return split_diff("".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in lines))


def _patch_lines(text: str) -> List[str]:
    """Lines as `patch` sees them: split at "\\n" only (str.splitlines also splits at form feeds,
    "\\x1c"... and a lone "\\r", which `git apply` reads as part of a line)."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def _plan_many(args: Tuple[Sequence[Tuple[Path, Gate]], Provider, Options, bool, Optional[str]]) -> List[FixResult]:
    items, provider, opts, diff, region = args
    return [plan_path(p, provider, opts, diff, region, None, gate) for p, gate in items]


def fix_files(
    files: Sequence[Path], settings: Settings, provider: Provider, *, diff: bool = False, jobs: int = 0
) -> List[FixResult]:
    """Fix `files`: the code first, then each configuration file as far as the code reading it was
    migrated (offramp.userconfig.plan). Results come in the order of `files`."""
    from offramp.configkind import read_as_config
    from offramp.userconfig.plan import for_run, key

    opts = make_options(settings, provider)
    region = settings.region
    configs = [p for p in files if read_as_config(p)]
    if not configs:
        return _fix_code(files, provider, opts, diff, region, jobs)
    plan = for_run(files, provider, opts, region)
    others = [i for i, p in enumerate(files) if not read_as_config(p)]
    code = _fix_code([files[i] for i in others], provider, opts, diff, region, jobs)
    readers = plan.after({r.display: r.new_text.encode("utf-8") for r in code if r.new_text is not None})
    out: List[Optional[FixResult]] = [None] * len(files)
    for i, r in zip(others, code):
        out[i] = r
    for i, p in enumerate(files):
        if out[i] is None:
            out[i] = fix_path(p, provider, opts, diff, region, readers.get(key(p)))
    return [r for r in out if r is not None]


def _fix_code(
    files: Sequence[Path], provider: Provider, opts: Options, diff: bool, region: Optional[str], jobs: int
) -> List[FixResult]:
    """Plan the code files with the route gate (`_plan_code`), and only then write (or diff) anything."""
    results = _plan_code(files, provider, opts, diff, region, jobs)
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
) -> List[FixResult]:
    """Plan every code file, let the project's routes freeze what must not move alone and rewrite
    what moves with its requests elsewhere (fixes/gate.py, fixes/routegate.py), and re-plan the
    files that changes. Nothing is written: each result's rewrite waits in `pending`, parsed and checked
    once its last plan is known (`finish`; `check=False`: parsed only)."""
    # A file the gate plans again is the file just planned, in a one-file run (a large module): its
    # parse and analysis are kept for the second plan. Never more than the last tree is kept.
    with reusing_parses():
        return _plan_and_gate(files, provider, opts, diff, region, jobs, check)


def _plan_and_gate(
    files: Sequence[Path], provider: Provider, opts: Options, diff: bool, region: Optional[str], jobs: int, check: bool
) -> List[FixResult]:
    jobs = jobs or os.cpu_count() or 1
    results = _plan_all([(p, OPEN) for p in files], provider, opts, diff, region, jobs)
    # (also when no plan moves anything: a client whose OpenAI host is in a configuration file is
    # only seen as one by the project's routes)
    if any(r.effects or r.notes or r.todo_codes for r in results) or _names_a_retired_model(files, provider, opts):
        from offramp.fixes.routegate import gate_results

        try:
            results = gate_results(
                results, provider, opts, lambda items: _plan_all(items, provider, opts, diff, region, jobs)
            )
        except Exception as e:  # a bug guard: nothing is written, and the error is said on the first file
            first = next((r for r in results if r.pending is not None), results[0])
            first.error = f"{_internal_error(e)} (in the route gate; no file written)"
            for r in results:
                r.pending = None
                r.new_text = None
                r.recheck = None
                r.changes.clear()
    return _finish_all(results, opts, jobs, check)


def _names_a_retired_model(files: Sequence[Path], provider: Provider, opts: Options) -> bool:
    """Whether a code file mentions an id the provider retired (OFR205): already-migrated code has no
    plan of its own, and only the routes can rewrite it to the successor. A byte search, no parse."""
    if "OFR205" not in opts.enabled:
        return False
    gone = [m.encode() for m, e in provider.lifecycle.models.items() if e.successor and e.status != "deprecated"]
    if not gone:
        return False
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(m in data for m in gone):
            return True
    return False


def planned_texts(
    files: Sequence[Path], settings: Settings, provider: Provider, jobs: int = 1
) -> Dict[str, Tuple[str, str]]:
    """(old, new) text of every code file (Python, notebook JSON) `fix` would change, by display path,
    route gate included, nothing written: the suggestions of `check` are these edits."""
    from offramp.configkind import read_as_config

    opts = make_options(settings, provider)
    code = [p for p in files if not read_as_config(p)]
    results = _plan_code(code, provider, opts, True, settings.region, jobs or 1, check=False)
    return {r.display: (r.pending.old, r.pending.new) for r in results if r.pending is not None and not r.error}


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
) -> int:
    """Fix (or diff) `files`, print the summary; the exit code. `collect` receives the results."""
    from offramp.redact import redact

    results = fix_files(files, settings, provider, diff=diff, jobs=jobs)
    for r in results:  # shown from the current directory, as `check` shows them (findings stay root-relative)
        r.display = from_cwd(str(r.path))
    if collect is not None:
        collect.extend(results)
    report_error = None
    if report is not None:
        from offramp.fixes.report import render_report

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
    remaining = sum(len(r.remaining) for r in results)
    if remaining and not diff:
        out(
            f"{remaining} finding{'s remain' if remaining != 1 else ' remains'}; "
            f"run `offramp check --to {spec}` to see them."
        )


def unconfirmed_written(results: Sequence[FixResult], providers: Sequence[Provider]) -> List[Tuple[str, str]]:
    """(model id, why) for each id no source confirms for the provider's region that a rewrite names
    (offramp.knowledge.regions): fix writes the region's ids, and says which of them are not facts."""
    ids = {m: why for p in providers for m, why in p.unconfirmed.items()}
    texts = [r.delivered for r in results if r.changed and r.delivered is not None]
    out = []
    for model, why in sorted(ids.items()):
        named = re.compile(rf"(?<![\w./-]){re.escape(model)}(?![\w./-])")
        if any(len(named.findall(new)) > len(named.findall(old)) for old, new in texts):
            out.append((model, why))
    return out
