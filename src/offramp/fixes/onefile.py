"""Fix one file: plan it, apply the plan, verify the result, and write it (or its diff).

A file is written only when its new text parses, and only through an atomic rename that
keeps its encoding, BOM, line endings and permissions. A file without edits is never opened
for writing, so its bytes and mtime stay as they were. Python files, notebooks and
configuration files each have their path here; which files are fixed together, in which
order and in which process is fixes/runner.py's.
"""

from __future__ import annotations

import difflib
import functools
import os
import weakref
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from offramp import codes
from offramp.catalog import load_sdk
from offramp.engine import (
    Options,
    check_config,
    check_notebook,
    check_source,
    display_path,
    file_ignores,
    notebook_source,
)
from offramp.fixes.outcome import Failed, Fixed, Outcome, Refused, Unchanged
from offramp.fixes.rewriteparses import unparsable, verified
from offramp.outpaths import from_cwd
from offramp.prefilter import may_match
from offramp.project.decision import MODEL, Effect
from offramp.project.gate import OPEN, Gate
from offramp.providers import Provider, known_provider_hosts
from offramp.redact import split_diff
from offramp.source import (
    FileChanged,
    NestingError,
    SourceError,
    SourceFile,
    before_forget,
    decode,
    kept,
    on_deep_stack,
    parse_module,
    read_snapshot,
    reusing_parses,
    write_atomic,
)
from offramp.syntax.lines import code_lines
from offramp.testcode import in_test_code
from offramp.types import Finding
from offramp.userconfig.kind import KINDS, MAX_CONFIG_BYTES, TOO_LARGE, kind_of, too_large
from offramp.userconfig.plan import fix_text
from offramp.userconfig.together import UNKNOWN, UNMIGRATED, FileReaders

if TYPE_CHECKING:
    import libcst as cst

    from offramp.fixes.plan import Plan
    from offramp.fixes.provenance import Region
    from offramp.userconfig.together import FileReaders


@dataclass
class FixResult:
    path: Path
    display: str
    outcome: Outcome = field(default_factory=Unchanged)  # fixes/outcome.py; `changed` and `error` read it
    diff: str = ""
    changes: Counter = field(default_factory=Counter)
    todo_codes: Counter = field(default_factory=Counter)
    notes: List[Tuple[int, str]] = field(default_factory=list)
    remaining: List[Finding] = field(default_factory=list)
    # The bytes `remaining` was found in (the file as written, or as `--diff` shows it), or None when it was not
    # found in what the file holds after the run: fixes/runner.py `as_checked` then checks the file again.
    checked: Optional[bytes] = field(default=None, repr=False)
    todos: List[Tuple[int, str]] = field(default_factory=list)  # TODO[offramp] comments in the result
    hidden_hunks: List[str] = field(default_factory=list)  # `fix --diff`: hunks not shown (they hold a secret)
    new_text: Optional[str] = None  # a Python file's text as fixed (also with --diff): its configuration files' readers
    effects: List[Effect] = field(default_factory=list)  # what the plan moves (project/gate.py)
    origins: List[Region] = field(default_factory=list)  # with `Options.origins`: which finding each change is for
    pending: Optional[Pending] = None  # the write (or diff) `commit` makes once the whole project is planned
    # The rewrite still to be parsed and checked (`finish`): the route gate may plan the file again,
    # and a check of a rewrite that is replaced is a whole analysis thrown away.
    recheck: Optional[SourceFile] = field(default=None, repr=False)
    delivered: Optional[Tuple[str, str]] = field(default=None, repr=False)  # (old, new) text `commit` wrote or showed
    # A plan not yet applied (`_fix_path`): the route gate may plan the file again, and each rewrite
    # it replaces was an apply and a code generation thrown away. `settle` applies it.
    later: Optional[Callable[..., None]] = field(default=None, repr=False, compare=False)

    def settle(self) -> FixResult:
        """Apply the plan put off by `_fix_path`, if any: `pending`, `new_text`, `recheck`, `todos`
        (or `remaining` and the outcome) as if it had been applied when it was made. Never raises."""
        later, self.later = self.later, None
        if later is not None:
            try:
                on_deep_stack(later, self)
            except Exception as e:  # as `_fix_path` reports an exception of `fix_source`
                fresh = FixResult(path=self.path, display=self.display, outcome=Failed(internal_error(e)))
                self.__dict__.update(fresh.__dict__)
        return self

    def __getstate__(self) -> Dict[str, Any]:
        """Pickled (a process pool's result) with its plan applied: the plan holds the tree."""
        self.settle()
        return self.__dict__

    @property
    def changed(self) -> bool:
        """The rewrite was written (with `--diff`: shown)."""
        return isinstance(self.outcome, Fixed)

    @property
    def error(self) -> Optional[str]:
        """Why the file was left as it was when something stopped its fix (Refused, Failed), else None."""
        return self.outcome.reason if isinstance(self.outcome, (Refused, Failed)) else None


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
    defer: bool = False,
) -> Tuple[Optional[str], FixResult]:
    """The new text of one file (None: no change) and what was done. `verify=False`: the caller
    parses the new text with LibCST itself (`finish`), so it is not parsed here too. `defer`: a plan
    on the tree `reusing_parses` keeps is not applied yet (None, with `result.later` set; see
    `FixResult.settle`)."""
    # parse, analysis, rewrite and re-parse all walk the tree recursively: a deep stack lets
    # them through code nested as deeply as Python accepts
    return on_deep_stack(_fix_source, src, display, provider, opts, region, gate, verify, defer)


def _fix_source(
    src: SourceFile,
    display: str,
    provider: Provider,
    opts: Options,
    region: Optional[str],
    gate: Gate,
    verify: bool,
    defer: bool = False,
) -> Tuple[Optional[str], FixResult]:
    import libcst as cst  # lazy: start-up

    from offramp.analysis import analyze  # lazy: start-up
    from offramp.fixes.envdefaults import env_defaults  # lazy: start-up
    from offramp.fixes.planner import Planner  # lazy: start-up

    result = FixResult(path=src.path, display=display)
    try:
        module = parse_module(src.text)
    except NestingError as e:
        result.outcome = Failed(f"cannot parse file: {e}; left unchanged (see OFR000)")
        return None, result
    except (cst.ParserSyntaxError, RecursionError):
        result.outcome = Failed("cannot parse file; left unchanged (see OFR000)")
        return None, result
    sdk = load_sdk()
    allowed = _allowed(src.text, display, opts)
    try:
        hosts = known_provider_hosts()
        analysis = analyze(
            module, src.text, sdk, hosts, gate.subclass_ctors, gate.reopens, gate.module_away, gate.local
        )
        in_test = in_test_code(display, src.text)
        framework_defaults = any(c.wrapper is not None and c.wrapper.default_model_env for c in analysis.clients)
        env = env_defaults(src.path, opts.root) if framework_defaults else None
        plan = Planner(
            analysis, provider, sdk, dict(opts.models), region, allowed, in_test, gate, opts.targets, env
        ).run()
        result.changes, result.todo_codes, result.notes = plan.changes, plan.todo_codes, plan.notes
        result.effects = list(plan.effects)
        if plan.empty:
            return None, result
        plan.trace = opts.origins
        if defer and not verify and kept(analysis.module):
            # (the route gate may plan this file again from the kept tree: applied once it is known
            # which plan stays, or before the tree is dropped)
            result.later = functools.partial(_put_off, src, analysis.module, plan)
            before_forget(functools.partial(_settle_if_alive, weakref.ref(result)))
            return None, result
        new_text = _applied(src, analysis.module, plan, result)
    except RecursionError:
        result.outcome = Failed(_TOO_DEEP)
        return None, result
    if new_text == src.text:
        return None, result
    # The old tree, its analysis and the plan are done with: freed before the new text is parsed
    # (parse_module drops the tree `reusing_parses` keeps), so the two trees (each ~16 kB per line)
    # are never alive together. With `verify=False` the caller parses it (`finish`, after the route
    # gate, which may plan this file again from the kept tree).
    del module, analysis, plan
    return verified(src.text, new_text, verify, result), result


_TOO_DEEP = "expressions nested too deeply to rewrite; left unchanged (see OFR002)"


def _put_off(
    src: SourceFile, module: cst.Module, plan: Plan, result: FixResult, *, before: List[Finding], read: Snapshot
) -> None:
    """The rest of `_fix_source` and `_fix_path` for a plan they put off (`FixResult.settle`)."""
    try:
        new_text: Optional[str] = _applied(src, module, plan, result)
    except RecursionError:
        result.outcome = Failed(_TOO_DEEP)
        new_text = None
    del module, plan
    if new_text == src.text:
        new_text = None
    if new_text is not None:
        new_text = verified(src.text, new_text, False, result)
    _settle_path(result, src, new_text, before, read)


def _applied(src: SourceFile, module: cst.Module, plan: Plan, result: FixResult) -> str:
    """The text of `module` with the plan applied; with `plan.trace`, where each change is written and
    for which finding in `result.origins` (fixes/provenance.py)."""
    from offramp.fixes.apply import apply_plan_text  # lazy: start-up
    from offramp.rufflength import line_length  # lazy: start-up

    new_text = apply_plan_text(module, plan, line_length(src.path))
    if plan.trace:
        from offramp.fixes.provenance import regions  # lazy: start-up

        result.origins = regions(module, plan, src.text)
    return new_text


def _settle_if_alive(ref: weakref.ReferenceType) -> None:
    result = ref()
    if result is not None:
        result.settle()


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
        return FixResult(path=path, display=display_path(path, opts.root), outcome=Failed(internal_error(e)))


def commit(result: FixResult, diff: bool) -> None:
    """Deliver a planned rewrite: show it as a diff, or write it if the file is still what was read."""
    pending, result.pending = result.pending, None
    if pending is not None:
        result.delivered = (pending.old, pending.new)
        if not _deliver(result, result.path, pending.old, pending.new, pending.new_bytes, diff, pending.read):
            result.checked = None  # (the file still holds what was read, not the rewrite `remaining` describes)


def internal_error(e: Exception) -> str:
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
    display = display_path(path, opts.root)
    try:
        if too_large(path):  # not read at all
            raise SourceError(TOO_LARGE)
        data, st = read_snapshot(path, opts.root)
        kind = kind_of(path)
        if kind in KINDS:
            if len(data) > MAX_CONFIG_BYTES:  # through a link
                raise SourceError(TOO_LARGE)
            return fix_config_file(path, (data, st), display, provider, opts, diff, region, readers)
        if not may_match(data) and not gate.subclass_ctors and not gate.reopens and not gate.todos:
            return _models_only(path, (data, st), display, gate, opts)
        if kind == "notebook":
            return fix_notebook(path, (data, st), display, provider, opts, diff, region, gate)
        src = decode(path, data)
    except SourceError as e:
        return FixResult(path=path, display=display, outcome=Failed(f"cannot read file: {e}"))
    # What check does not report, fix does not touch; and check has a fast path for the many
    # files that mention openai without importing it, which spares them a full LibCST analysis.
    before = list(check_source(src, display, opts, local=gate.local).findings)
    hinted = [*gate.config_hosts, *gate.subclass_ctors, *gate.reopens]
    if not before and not gate.todos and all(gate.stops(span) is not None for span in hinted):
        # (a client whose OpenAI host only the project shows, `OpenAI(base_url=settings.BASE_URL)` with
        # the URL in a file the program loads, has no finding in its own file: the gate says it moves;
        # held back, it stays as it was, without a TODO its file gives no reason for)
        return _models_only(path, (data, st), display, gate, opts, src)
    try:
        new_text, result = fix_source(src, display, provider, opts, region, gate, verify=False, defer=True)
    except Exception as e:
        return FixResult(path=path, display=display, outcome=Failed(internal_error(e)))
    if result.later is not None:  # applied by `settle`
        result.later = functools.partial(result.later, before=before, read=(data, st))
        return result
    _settle_path(result, src, new_text, before, (data, st))
    return result


def _settle_path(
    result: FixResult, src: SourceFile, new_text: Optional[str], before: List[Finding], read: Snapshot
) -> None:
    """What `_fix_path` records of a file's rewrite (None: no change)."""
    if new_text is None:
        result.remaining = before
        result.checked = read[0]
        result.todos = _todos(src.text)
        return
    try:
        new_bytes = src.encode(new_text)
    except UnicodeEncodeError:
        result.outcome = Refused(f"the rewrite cannot be stored as {src.encoding}; left unchanged")
        return
    result.pending = Pending(src.text, new_text, new_bytes, read)
    result.new_text = new_text
    result.recheck = SourceFile(path=src.path, data=new_bytes, text=new_text, encoding=src.encoding, bom=src.bom)
    result.todos = _todos(new_text)


def finish(result: FixResult, opts: Options, check: bool = True) -> FixResult:
    """Parse a planned rewrite with LibCST (a bug guard: one that does not parse is refused) and,
    with `check`, check it for what remains: once per file, after the route gate's last plan."""
    final, result.recheck = result.settle().recheck, None
    if final is None:
        return result
    import libcst as cst  # lazy: start-up (a rewrite was planned: LibCST is loaded already)

    try:
        with reusing_parses():  # the guard's parse is the check's (parse_module frees the last plan's tree first)
            parse_module(final.text)
            if check:
                result.remaining = list(check_source(final, result.display, opts).findings)
                result.checked = final.data
    except (SyntaxError, cst.ParserSyntaxError, ValueError, RecursionError) as e:  # pragma: no cover - a bug guard
        result.outcome = Refused(unparsable(e))
        result.pending = None
        result.new_text = None
        result.changes.clear()
    return result


Snapshot = Tuple[bytes, os.stat_result]  # what was read: the bytes and their stat (see write_atomic)


def _allowed(text: str, display: str, opts: Options) -> Callable[[str, int], bool]:
    """Whether `fix` may act on a finding of `code` at `line`: one check reports (enabled, not ignored
    for the file, not suppressed on its line)."""
    from offramp.suppress import parse_suppressions  # lazy: start-up

    suppressed = parse_suppressions(text)
    ignored = file_ignores(display, opts)

    def allowed(code: str, line: int) -> bool:
        return code in opts.enabled and code not in ignored and not suppressed.covers(code, line)

    return allowed


def _models_only(
    path: Path, read: Snapshot, display: str, gate: Gate, opts: Options, src: Optional[SourceFile] = None
) -> FixResult:
    """A file with nothing of its own to fix whose model literals requests elsewhere send (fixes/crossfile.py)."""
    # (what check says of it: nothing, its bytes cannot match or its own check found nothing)
    result = FixResult(path=path, display=display, checked=read[0])
    if not gate.models or path.suffix != ".py":
        return result
    from offramp.fixes.crossfile import rewrite_models  # lazy: start-up

    try:
        src = src or decode(path, read[0])
        new_text, effects, result.origins = rewrite_models(
            src.text, gate.models, _allowed(src.text, display, opts), opts.origins
        )
        new_bytes = src.encode(new_text) if new_text is not None else None
    except Exception:  # unparseable or unencodable: the literal stays, and check still reports it
        return result
    if new_text is None or new_bytes is None or new_text == src.text:
        return result
    result.changes["model"] += sum(e.role == MODEL for e in effects)
    result.effects = effects
    result.pending = Pending(src.text, new_text, new_bytes, read)
    result.new_text = new_text
    # checked as a rewrite is (`finish`): a model written there may be one the provider retired
    result.checked = None
    result.recheck = SourceFile(path=src.path, data=new_bytes, text=new_text, encoding=src.encoding, bom=src.bom)
    return result


def _deliver(
    result: FixResult, path: Path, old: str, new: str, new_bytes: bytes, diff: bool, read: Optional[Snapshot]
) -> bool:
    """Show the change as a diff, or write `new_bytes` over `path` atomically, provided the file
    is still what was `read`. False (`result.outcome` Refused or Failed, nothing changed)
    when the file cannot be written.

    A symbolic link is never written through, even to a file inside the project: its target is
    fixed as itself when the run includes it (discovery then leaves the link out), and otherwise
    the run excluded it, so it is not ours to change.
    """
    if os.path.islink(path):
        result.outcome = Refused(
            "a symbolic link; offramp never writes through one (fix the file it points to); left unchanged"
        )
        result.changes.clear()
        return False
    if diff:
        result.diff, result.hidden_hunks = unified_diff(from_cwd(str(path)), old, new)  # for `git apply`
        result.outcome = Fixed()
        return True
    try:
        write_atomic(path, new_bytes, expect=read)
    except FileChanged:
        result.outcome = Refused("changed on disk while offramp worked on it; left unchanged (run fix again)")
        result.changes.clear()
        return False
    except OSError as e:
        result.outcome = Failed(f"cannot write file: {e.strerror or e}; left unchanged")
        return False
    result.outcome = Fixed()
    return True


def _todos(text: str) -> List[Tuple[int, str]]:
    """(line, "TODO[offramp]: text") of each TODO comment, a wrapped one's lines joined."""
    from offramp.checks.todos import joined  # lazy: start-up

    return [(first + 1, todo) for first, _, todo in joined(code_lines(text))]


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
    data = read[0]
    readers = readers or FileReaders(UNKNOWN)

    result = FixResult(path=path, display=display)
    try:
        bom = data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.outcome = Failed("not valid UTF-8; left unchanged")
        return result
    if readers.state in (UNKNOWN, UNMIGRATED):  # nothing of it moves (decide_structured / decide_env): no need to plan
        new_text, counts = text, Counter[str]()
    else:
        new_text, counts = fix_text(display, text, provider, opts, region, readers)
    if counts.get("todo"):
        result.todo_codes[codes.FOREIGN_CREDENTIAL] += counts.pop("todo")
    elif new_text == text and readers.why:
        result.notes.append((1, f"not rewritten: {readers.why} (a configuration file moves only with its readers)"))
    result.changes.update({f"config {k}": n for k, n in counts.items() if k != "left" and n})
    final = data
    if new_text != text:
        new_bytes = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")
        result.pending = Pending(text, new_text, new_bytes, read)
        final = new_bytes
    result.remaining = list(check_config(path, final, display, opts).findings)
    result.checked = final
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
    from offramp.notebook import rebuild  # lazy: start-up

    nb, src = notebook_source(path, data)
    if not src.text:
        return FixResult(path=path, display=display)
    try:
        new_text, result = fix_source(src, display, provider, opts, region, gate)
    except Exception as e:
        return FixResult(path=path, display=display, outcome=Failed(internal_error(e)))
    if new_text is None:
        result.remaining = list(check_notebook(path, data, display, opts).findings)
        result.checked = data
        return result
    new_raw = rebuild(nb, new_text)
    if new_raw is None:
        result.outcome = Refused("the notebook's JSON layout could not be reproduced exactly; left unchanged")
        return result
    new_bytes = (b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"") + new_raw.encode("utf-8")
    result.pending = Pending(nb.raw, new_raw, new_bytes, read)
    result.new_text = new_raw  # (its code cells read configuration files too: userconfig/readers.programs)
    result.remaining = list(check_notebook(path, new_bytes, display, opts).findings)
    result.checked = new_bytes
    new_nb, _ = notebook_source(path, new_bytes)
    result.todos = [(new_nb.locate(line)[1], todo) for line, todo in _todos(new_nb.text)]
    return result


def unified_diff(display: str, old: str, new: str) -> Tuple[str, List[str]]:
    """The change as a unified diff without the hunks that would show a secret, and one line
    per hunk left out (masking it instead would print a patch that does not apply)."""
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
