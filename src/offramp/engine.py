"""Run the pipeline over files: read -> prefilter -> parse -> analyse -> check -> findings.

Stages below this module are pure functions of their inputs; this module owns the process
pool and turns per-file failures into findings instead of crashing the run.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from offramp.catalog import load_rules, load_sdk
from offramp.config import ConfigError, Settings
from offramp.providers import CatalogError, Provider, builtin_providers, known_provider_hosts, parse_provider
from offramp.source import SourceError, SourceFile, decode, on_deep_stack, parse_module, read_bytes
from offramp.types import FileResult, Finding, Span

if TYPE_CHECKING:
    from offramp.analysis import Analysis
    from offramp.cache import FindingsCache
    from offramp.catalog import SdkSurface
    from offramp.notebook import Notebook
    from offramp.targets import Targets


@dataclass(frozen=True)
class Options:
    """Everything a worker needs to check a file; picklable."""

    enabled: frozenset
    provider: Optional[Provider] = None
    models: Mapping[str, str] = field(default_factory=dict)
    per_file_ignores: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    root: Path = Path(".")
    # `--to chat=deepseek,embeddings=qwen`: a provider per request family (offramp.targets); None with one
    targets: Optional[Targets] = None


def resolve_provider(name: Optional[str], settings: Settings, region: Optional[str] = None) -> Optional[Provider]:
    """A shipped provider, a custom one from config, or a shipped one with config overrides."""
    if not name:
        return None
    builtin = builtin_providers()
    custom = settings.providers.get(name)
    where = f"{settings.config_file}: tool.offramp.providers.{name}" if settings.config_file else name
    try:
        if region is not None and name in builtin:  # the region's model map, before the user's overrides
            builtin = {**builtin, name: builtin[name].in_region(region)}
        if custom is not None:
            data = dict(custom)
            data.setdefault("id", name)
            if name in builtin:
                base = builtin[name]
                over = parse_provider({"base-url": {base.default_region: base.base_url()}, **data}, where, custom=True)
                provider = replace(
                    base,
                    base_urls={**base.base_urls, **(over.base_urls if "base-url" in data else {})},
                    key_env=data.get("key-env", base.key_env),
                    models={**base.models, **over.models},
                )
            else:
                provider = parse_provider(data, where, custom=True)
        elif name in builtin:
            provider = builtin[name]
        else:
            from offramp.closest import did_you_mean

            known = sorted(set(builtin) | set(settings.providers))
            hint = did_you_mean(name, known)
            raise ConfigError(f"unknown provider {name!r}{hint}; known providers: {', '.join(known)}")
        if region is not None and provider.default_region != region:
            provider = provider.in_region(region)
    except CatalogError as e:
        raise ConfigError(str(e)) from None
    return provider


def resolve_targets(settings: Settings, region: Optional[str] = None) -> Optional[Targets]:
    """The provider of each request family `settings.target` names (offramp.targets), or None when it
    names no provider. A plain provider name is the one-family case."""
    from offramp.targets import TargetError, is_family_spec
    from offramp.targets import resolve_targets as resolve

    if not settings.target:
        return None
    text = settings.target if is_family_spec(settings.target) else f"chat={settings.target}"
    try:
        return resolve(text, lambda name: _provider(name, settings, region))
    except TargetError as e:
        raise ConfigError(str(e)) from None


def _provider(name: str, settings: Settings, region: Optional[str]) -> Provider:
    provider = resolve_provider(name, settings, region)
    assert provider is not None
    return provider


def make_options(settings: Settings, provider: Optional[Provider]) -> Options:
    from offramp.targets import is_family_spec

    targets = None
    if provider is not None and is_family_spec(settings.target):
        found = resolve_targets(settings, settings.region)
        targets = found if found is not None and found.split and found.default.id == provider.id else None
    return Options(
        enabled=settings.enabled_codes(),
        provider=provider,
        models=dict(settings.models),
        per_file_ignores=dict(settings.per_file_ignores),
        root=settings.root,
        targets=targets,
    )


def display_path(path: Path, root: Path) -> str:
    """Paths in output are relative to the project root (so SARIF and baselines are portable)."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if absolute.startswith(prefix):  # string work: this runs once per file of the tree
        return absolute[len(prefix) :].replace(os.sep, "/")
    if absolute == base:
        return "."
    return absolute.replace(os.sep, "/")  # outside the root: absolute, so that it can be shown from anywhere


def fingerprint(code: str, line_text: str, occurrence: int) -> str:
    h = hashlib.sha256(f"{code}\0{' '.join(line_text.split())}\0{occurrence}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:20]


def _finding(
    code: str,
    display: str,
    span: Span,
    args: Mapping[str, object],
    *,
    fixable: Optional[bool] = None,
    severity: Optional[str] = None,
    hint: str = "",
) -> Finding:
    from offramp.redact import redact

    rule = load_rules()[code]
    # Masked here, where every finding is made: messages quote URLs and values from the file, and
    # a finding goes on to every output format, the findings cache on disk and baselines.
    args = {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    try:
        message = rule.message.format(**args)
    except (KeyError, IndexError):
        message = rule.summary
    return Finding(
        path=display,
        span=span,
        code=code,
        name=rule.name,
        severity=severity or rule.severity,  # type: ignore[arg-type]
        message=message,
        fixable=rule.fixable if fixable is None else fixable,
        hint=redact(hint),
    )


def _syntax_error(text: str, e: Exception) -> Tuple[Span, str]:
    """CPython's own parser gives the clearest message and position; LibCST's is the fallback."""
    import ast

    try:
        ast.parse(text)
    except SyntaxError as se:
        line = se.lineno or 1
        col = se.offset or 1
        return Span(line, col, line, col), (se.msg or "invalid syntax").splitlines()[0]
    except (ValueError, RecursionError, MemoryError) as ve:
        return Span(1, 1, 1, 1), str(ve).splitlines()[0]
    line = getattr(e, "editor_line", 1)
    col = getattr(e, "editor_column", 1)
    msg = str(getattr(e, "message", "syntax error")).splitlines()[0]
    return Span(line, col, line, col), msg


def check_source(src: SourceFile, display: str, opts: Options) -> FileResult:
    """Analyse decoded source. Parse failures become OFR000 findings."""
    from offramp.analysis import Analysis, imports_sdk
    from offramp.analysis.quick import quick_facts

    sdk = load_sdk()
    analysis = None
    if not imports_sdk(src.text, sdk):
        # No client can live here: the stdlib parser finds URLs, keys and env reads ~10x faster.
        quick = quick_facts(src.text, sdk, known_provider_hosts())
        if quick is not None:
            analysis = Analysis(module=None, env=quick.env, urls=quick.urls, keys=quick.keys)  # type: ignore[arg-type]
    if analysis is not None:
        return _report(analysis, sdk, src, display, opts)
    # Parse, scope analysis and checks all recurse once per nesting level: on a deep-stack thread,
    # code nested as deeply as CPython accepts (~200 brackets) is analysed instead of failing.
    return on_deep_stack(_check_with_libcst, src, display, opts, sdk)


def _check_with_libcst(src: SourceFile, display: str, opts: Options, sdk: SdkSurface) -> FileResult:
    import libcst as cst  # only here: the prefilter and the fast path never need it

    from offramp.analysis import analyze

    try:
        module = parse_module(src.text)  # screened: deep nesting cannot crash LibCST's native parser
    except cst.ParserSyntaxError as e:
        span, detail = _syntax_error(src.text, e)
        return _finish([_finding("OFR000", display, span, {"detail": detail})], src.text, display, opts, False)
    except RecursionError:
        return _finish(
            [_finding("OFR000", display, Span(1, 1, 1, 1), {"detail": "expressions nested too deeply"})],
            src.text,
            display,
            opts,
            False,
        )
    try:
        analysis = analyze(module, src.text, sdk, known_provider_hosts())
    except RecursionError:
        return _finish(
            [_finding("OFR002", display, Span(1, 1, 1, 1), {"detail": "expressions nested too deeply"})],
            src.text,
            display,
            opts,
            True,
        )
    return _report(analysis, sdk, src, display, opts)


def _report(analysis: Analysis, sdk: SdkSurface, src: SourceFile, display: str, opts: Options) -> FileResult:
    from offramp.checks import CheckContext, run_checks
    from offramp.checks.todos import check_todos
    from offramp.suppress import parse_suppressions

    ctx = CheckContext(sdk=sdk, provider=opts.provider, models=opts.models, targets=opts.targets)
    if opts.targets is not None:
        from offramp.checks.families import run_per_family

        hits = run_per_family(analysis, ctx, opts.targets, run_checks)
    else:
        hits = run_checks(analysis, ctx)
    hits += check_todos(src.text, hits)
    rules = load_rules()
    findings = []
    for h in hits:
        if rules[h.code].needs_target and opts.provider is None:
            continue
        findings.append(_finding(h.code, display, h.span, h.args, fixable=h.fixable, severity=h.severity, hint=h.hint))
    sup = parse_suppressions(src.text)
    findings = [f for f in findings if not sup.covers(f.code, f.span.line)]
    return _finish(findings, src.text, display, opts, True)


def file_ignores(display: str, opts: Options) -> frozenset:
    """Codes `per-file-ignores` switches off for this path (globs on the root-relative path)."""
    from fnmatch import fnmatchcase
    from pathlib import PurePosixPath

    from offramp.config import _selected

    ignored: set = set()
    p = PurePosixPath(display)
    for pattern, codes in opts.per_file_ignores.items():
        if fnmatchcase(display, pattern) or fnmatchcase(p.name, pattern) or p.match(pattern):
            ignored.update(c for c in load_rules() if _selected(c, codes))
    return frozenset(ignored)


# Findings that mean the same in test code: the file was not checked, or a real key is in it.
_SAME_IN_TESTS = ("OFR0", "OFR302")


def _finish(findings: List[Finding], text: str, display: str, opts: Options, parsed: bool) -> FileResult:
    from offramp.testcode import in_test_code

    ignored = file_ignores(display, opts)
    lines = text.splitlines()
    counts: Dict[Tuple[str, str], int] = {}
    out = []
    in_test = in_test_code(display, text if display.endswith((".py", ".pyi", ".ipynb")) else "")
    for f in sorted(set(findings), key=Finding.sort_key):
        if f.code not in opts.enabled or f.code in ignored:
            continue
        if not f.code.startswith(_SAME_IN_TESTS) and in_test(f.span.line):
            f = replace(f, severity="info", message=f"{f.message} (test code)")
        line_text = lines[f.span.line - 1] if 0 < f.span.line <= len(lines) else ""
        key = (f.code, " ".join(line_text.split()))
        n = counts.get(key, 0)
        counts[key] = n + 1
        out.append(replace(f, fingerprint=fingerprint(f.code, line_text, n)))
    return FileResult(path=display, findings=tuple(out), parsed=parsed)


def check_path(
    path: Path,
    opts: Options,
    data: Optional[bytes] = None,
    display: Optional[str] = None,
    sources: Optional[List[SourceFile]] = None,
) -> FileResult:
    """Check one file. `sources`, when given, receives the decoded source of a Python file that passed
    the prefilter (the pool's workers index it for the project stage without reading it again)."""
    from offramp.configkind import MAX_CONFIG_BYTES, TOO_LARGE, read_as_config, too_large
    from offramp.prefilter import may_match

    display = display or display_path(path, opts.root)
    try:
        if too_large(path):  # not read at all
            raise SourceError(TOO_LARGE)
        data = read_bytes(path, opts.root) if data is None else data
        if len(data) > MAX_CONFIG_BYTES and read_as_config(path):  # through a link
            raise SourceError(TOO_LARGE)
    except SourceError as e:
        return _finish([_finding("OFR001", display, Span(1, 1, 1, 1), {"detail": str(e)})], "", display, opts, False)
    if read_as_config(path):
        # Config files name models without mentioning OpenAI (`model: gpt-4o`): their own tokens.
        if not may_match(data, config=True):
            return FileResult(path=display, skipped_by_prefilter=True)
        return check_config(path, data, display, opts)
    if not may_match(data):
        return FileResult(path=display, skipped_by_prefilter=True)
    if path.suffix == ".ipynb":
        return check_notebook(path, data, display, opts)
    try:
        src = decode(path, data)
    except SourceError as e:
        return _finish([_finding("OFR001", display, Span(1, 1, 1, 1), {"detail": str(e)})], "", display, opts, False)
    if sources is not None:
        sources.append(src)
    return check_source(src, display, opts)


def check_config(path: Path, data: bytes, display: str, opts: Options) -> FileResult:
    """.env / YAML / TOML / JSON / INI: keys, endpoints and model names outside the code."""
    from offramp.catalog import load_sdk
    from offramp.configfiles import config_kind, scan_config

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return _finish(
            [_finding("OFR001", display, Span(1, 1, 1, 1), {"detail": f"not valid UTF-8: {e.reason}"})],
            "",
            display,
            opts,
            False,
        )
    hits = scan_config(
        display, text, load_sdk(), known_provider_hosts(), opts.provider, dict(opts.models), kind=config_kind(path)
    )
    rules = load_rules()
    findings = [
        _finding(h.code, display, h.span, h.args, fixable=h.fixable)
        for h in hits
        if not (rules[h.code].needs_target and opts.provider is None)
    ]
    return _finish(findings, text, display, opts, True)


def notebook_source(path: Path, data: bytes) -> Tuple[Notebook, SourceFile]:
    """(Notebook, SourceFile of its code cells as one module); raises SourceError when unreadable."""
    from offramp.notebook import NotebookError, load

    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SourceError(f"notebook is not valid UTF-8: {e.reason}") from None
    try:
        nb = load(raw)
    except NotebookError as e:
        raise SourceError(str(e)) from None
    return nb, SourceFile(path=path, data=nb.text.encode("utf-8"), text=nb.text, encoding="utf-8", bom=False)


def check_notebook(path: Path, data: bytes, display: str, opts: Options) -> FileResult:
    """Findings point at (cell, line in cell), like Ruff's `nb.ipynb:cell 3:2:5`."""
    try:
        nb, src = notebook_source(path, data)
    except SourceError as e:
        return _finish([_finding("OFR001", display, Span(1, 1, 1, 1), {"detail": str(e)})], "", display, opts, False)
    if not src.text:
        return FileResult(path=display, parsed=False)
    result = check_source(src, display, opts)
    if nb.unparsed:  # cells masked whole so that the rest could be analysed
        broken = [
            _finding("OFR000", display, Span(line, column, line, column), {"detail": detail})
            for line, column, detail in nb.unparsed
        ]
        result = replace(result, findings=_finish([*result.findings, *broken], src.text, display, opts, True).findings)
    mapped = []
    for f in result.findings:
        cell, line = nb.locate(f.span.line)
        end_cell, end_line = nb.locate(f.span.end_line)
        end_line = end_line if end_cell == cell else line
        shift = len(nb.margins.get(cell - 1, "")) if cell else 0  # IPython dedented the cell
        span = Span(line, f.span.column + shift, end_line, f.span.end_column + shift)
        mapped.append(replace(f, span=span, cell=cell))
    return replace(result, findings=tuple(mapped))


def check_code(
    code: str, *, to: Optional[str] = None, path: str = "example.py", settings: Optional[Settings] = None
) -> List[Finding]:
    """Check a string of code (rule examples, tests, editors)."""
    settings = settings or Settings(root=Path("."))
    opts = make_options(settings, resolve_provider(to, settings))
    src = SourceFile(path=Path(path), data=code.encode(), text=code, encoding="utf-8", bom=False)
    result = check_source(src, path, opts)
    from offramp.prefilter import may_match

    if may_match(src.data):
        result = with_routes([result], [path], lambda d: src.data if d == path else None, [path], opts)[0]
    return list(result.findings)


def cache_key(opts: Options) -> str:
    from offramp.cache import settings_key

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
# (index, result, content digest for the cache, project index entry: (content digest, ModuleIndex) or None)
Outcome = Tuple[int, FileResult, Optional[str], Optional[Tuple[str, Any]]]

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
    i: int, path: Path, opts: Options, display: str, digest: Optional[str], data: Optional[bytes] = None
) -> Outcome:
    """Check a file and, for a Python file, build its project index entry while its text is at hand:
    in the pool, the index's parse runs beside the checks instead of after them in the main process."""
    sources: List[SourceFile] = []
    result = _safe_check(path, opts, display, data, sources)
    entry = None
    if sources and path.suffix == ".py":
        from offramp.analysis.quick import last_tree
        from offramp.cache import content_hash
        from offramp.project.index import build, watch_from_rules

        text, watch = sources[0].text, watch_from_rules()
        try:
            if watch.may_route(text):  # the others are indexed only if a name leads there
                entry = (content_hash(sources[0].data), build(text, display, watch, last_tree(text)))
        except Exception:
            entry = None  # the main process builds it again (and reports what goes wrong)
    return (i, result, digest, entry)


def _safe_check(
    path: Path,
    opts: Options,
    display: Optional[str] = None,
    data: Optional[bytes] = None,
    sources: Optional[List[SourceFile]] = None,
) -> FileResult:
    """Check one file; an internal error becomes an OFR002 finding instead of ending the run."""
    display = display or display_path(path, opts.root)
    try:
        return check_path(path, opts, display=display, data=data, sources=sources)
    except Exception as e:
        detail = f"internal error: {type(e).__name__}: {e}".splitlines()[0]
        return _finish([_finding("OFR002", display, Span(1, 1, 1, 1), {"detail": detail})], "", display, opts, False)


def _triage(
    files: Sequence[Path], displays: Sequence[str], opts: Options, cache: Callable[[], Optional[FindingsCache]]
) -> Tuple[Dict[int, FileResult], List[Task], Dict[int, bytes], List[int], Dict[str, bytes]]:
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
    """
    from offramp.cache import content_hash
    from offramp.configkind import read_as_config, too_large
    from offramp.prefilter import known_miss, may_match, missed_bytes

    done: Dict[int, FileResult] = {}
    pending: List[Task] = []
    blobs: Dict[int, bytes] = {}
    seeds: List[int] = []
    kept: Dict[str, bytes] = {}
    budget = _KEEP_BUDGET
    for i, (path, display) in enumerate(zip(files, displays)):
        config = read_as_config(path)
        python = not config and path.suffix in (".py", ".pyi")
        if known_miss(path, config):  # read by quickcheck before it handed over
            done[i] = FileResult(path=display, skipped_by_prefilter=True)
            earlier = missed_bytes(path) if python else None
            if earlier is not None:
                kept[display] = earlier
            continue
        if config and too_large(path):
            pending.append((i, path, display, None))  # check_path reports it (OFR001), unread
            continue
        try:
            data = read_bytes(path, opts.root)
        except SourceError:
            pending.append((i, path, display, None))  # check_path reports it as OFR001
            continue
        if not may_match(data, config):
            # Cheaper to answer again than to hash: never cached, so the cache holds parsed files only.
            done[i] = FileResult(path=display, skipped_by_prefilter=True)
            if python and len(data) <= budget:
                kept[display] = data
                budget -= len(data)
            continue
        blobs[i] = data
        if python:
            seeds.append(i)
            kept[display] = data
        found = cache()
        digest = content_hash(data) if found is not None else None
        if found is not None and digest == found.digest(display):
            done[i] = found.result(display)
            del blobs[i]
        else:
            pending.append((i, path, display, digest))
    return done, pending, blobs, seeds, kept


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
    opened: List[FindingsCache] = []

    def cache() -> Optional[FindingsCache]:
        """Opened on the first file that passes the prefilter: a tree without SDK use never pays for the key."""
        if cache_dir is None:
            return None
        if not opened:
            from offramp.cache import FindingsCache

            opened.append(FindingsCache.open(cache_dir, cache_key(opts)))
        return opened[0]

    displays = [display_path(p, opts.root) for p in files]
    done, pending, blobs, seeds, kept = _triage(files, displays, opts, cache)
    fresh: List[Tuple[FileResult, Optional[str]]] = []
    if progress and done:
        progress(len(done))
    jobs = jobs or os.cpu_count() or 1
    outcomes: List[Outcome] = []
    if jobs == 1 or len(pending) < POOL_MIN_FILES:
        for i, path, display, digest in pending:
            outcomes.append(_check_one(i, path, opts, display, digest, blobs.pop(i, None)))
            if progress:
                progress(1)
    else:
        blobs.clear()  # workers read their own files: paths are cheaper to send than contents
        from offramp.workers import process_pool

        with process_pool(jobs) as pool:  # Ctrl-C / SIGTERM: pending batches cancelled, no worker tracebacks
            for part in pool.map(_check_many, [(b, opts) for b in _batches(pending)]):
                outcomes.extend(part)
                if progress:
                    progress(len(part))
    prebuilt: Dict[str, Tuple[str, Any]] = {}
    for i, result, digest, entry in outcomes:
        done[i] = result
        if entry is not None:
            prebuilt[displays[i]] = entry
        if digest is not None and (result.parsed or result.skipped_by_prefilter):
            fresh.append((result, digest))
    if opened:
        opened[0].store(fresh)
        opened[0].save()
    results = [done[i] for i in range(len(files))]
    # (without SDK use in code, a configuration file's fixable findings still ask who reads it)
    if seeds or (
        opts.provider is not None
        and any(not r.path.endswith((".py", ".ipynb")) and any(f.fixable for f in r.findings) for r in results)
    ):
        by_display = dict(zip(displays, files))

        def read(display: str) -> Optional[bytes]:
            if display in kept:
                return kept[display]
            path = by_display.get(display)
            try:
                return read_bytes(path, opts.root) if path is not None else None
            except SourceError:
                return None

        results = with_routes(results, displays, read, [displays[i] for i in seeds], opts, cache_dir, prebuilt)
    return results


def with_routes(
    results: List[FileResult],
    displays: Sequence[str],
    read: Callable[[str], Optional[bytes]],
    seeds: Sequence[str],
    opts: Options,
    cache_dir: Optional[Path] = None,
    prebuilt: Optional[Dict[str, Tuple[str, Any]]] = None,
) -> List[FileResult]:
    """The per-file results plus the project stage's route findings (project/stage.py), in the files they sit in.

    A route finding on a line where the per-file checks already report the same code adds nothing
    and is dropped; suppressions and per-file ignores apply as to any finding.
    """
    from offramp.checks import CheckContext, Hit
    from offramp.checks.routes import COVERED_BY
    from offramp.project.stage import predicted_effects, route_hits
    from offramp.suppress import parse_suppressions

    ctx = CheckContext(sdk=load_sdk(), provider=opts.provider, models=opts.models, targets=opts.targets)
    effects = {r.path: predicted_effects(r.findings) for r in results} if opts.provider is not None else None
    held: Dict[str, Dict[Span, str]] = {}
    writes: Dict[str, str] = {}
    try:
        hits, held, writes = route_hits(displays, read, seeds, opts.root, ctx, cache_dir, prebuilt, effects)
    except RecursionError:  # every file already has its own findings; routes add to them, never crash them
        return results
    except Exception as e:  # an internal error: said where the routes start, like OFR002 for one file
        detail = f"internal error in the project stage: {type(e).__name__}: {e}".splitlines()[0]
        hits = {seeds[0]: [Hit("OFR002", Span(1, 1, 1, 1), {"detail": detail})]}
    out = list(results)
    where = {r.path: i for i, r in enumerate(results)}
    for display, spans in held.items():  # what `fix` holds back is not fixable, whatever the file alone says
        i = where.get(display)
        if i is not None:
            out[i] = replace(out[i], findings=_held(out[i].findings, spans))
    if writes:  # notebooks and .env files: a variable kept in code keeps its name there too
        for i, r in enumerate(out):
            if not r.path.endswith(".py"):
                out[i] = replace(r, findings=_held_names(r.findings, writes))
    results = out
    if not hits:
        return results
    rules = load_rules()
    out = list(results)
    for display, file_hits in hits.items():
        i = where.get(display)
        if i is None or not display.endswith(".py"):
            continue
        data = read(display)
        text = data.decode("utf-8-sig", "replace") if data is not None else ""
        have = {(f.code, f.span.line) for f in results[i].findings}
        have |= {(code, line) for code, covers in COVERED_BY.items() for c, line in list(have) if c in covers}
        sup = parse_suppressions(text)
        new = [
            _finding(h.code, display, h.span, h.args, fixable=h.fixable, severity=h.severity, hint=h.hint)
            for h in file_hits
            if not (rules[h.code].needs_target and opts.provider is None)
            and (h.code, h.span.line) not in have
            and not sup.covers(h.code, h.span.line)
        ]
        if new:
            finished = _finish([*results[i].findings, *new], text, display, opts, True)
            out[i] = replace(results[i], findings=finished.findings, parsed=results[i].parsed or True)
    return out


def _held(findings: Sequence[Finding], spans: Dict[Span, str]) -> List[Finding]:
    from offramp.fixes.gate import MODULE, overlaps

    module = spans.get(MODULE)
    out = []
    for f in findings:
        why = module if module is not None and f.code in ("OFR103", "OFR104", "OFR105") else None
        why = why or next((r for s, r in spans.items() if s != MODULE and overlaps(s, f.span)), None)
        out.append(_not_fixable(f, why) if why is not None and f.fixable else f)
    return out


def _not_fixable(f: Finding, why: str) -> Finding:
    """`f` as `check --to` shows what `fix` holds back: no `[*]`, and the reason as its hint."""
    text = why[0].upper() + why[1:] if why.startswith("fix leaves") else f"Not fixed alone: {why}"
    return replace(f, fixable=False, hint=(f.hint + " " if f.hint else "") + f"{text}.")


_NAMED = re.compile(r"environment variable `([A-Za-z_][A-Za-z0-9_]*)`")


def _held_names(findings: Sequence[Finding], writes: Dict[str, str]) -> List[Finding]:
    """OFR301 findings on a variable `fix` keeps (writes follow reads): not fixable. The variable is
    the one the rule's message names (`environment variable `X` ...`)."""
    from offramp.configkind import config_kind

    held = {}
    for f in findings:
        m = _NAMED.match(f.message) if f.code == "OFR301" and f.fixable else None
        if m and m.group(1) in writes:
            held[id(f)] = writes[m.group(1)]
    if held and findings and config_kind(findings[0].path) == "env":
        # a `.env` file's endpoint and key move together or not at all (offramp.userconfig.together)
        why = next(iter(held.values()))
        held = {id(f): held.get(id(f), why) for f in findings if f.fixable}
    return [_not_fixable(f, held[id(f)]) if id(f) in held else f for f in findings]


def iter_findings(results: Iterable[FileResult]) -> List[Finding]:
    out: List[Finding] = []
    for r in results:
        out.extend(r.findings)
    return sorted(out, key=Finding.sort_key)
