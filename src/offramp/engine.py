"""The per-file pipeline: read -> prefilter -> parse -> analyse -> check -> findings.

Stages below this module are pure functions of their inputs; this module runs them for one
file (Python, notebook or configuration file) and turns that file's failures into findings
(OFR000/OFR001/OFR002) instead of crashing the run. Which files run, where (a process pool),
and what the cache answers is runner.py's.
"""

from __future__ import annotations

import ast
import hashlib
import os
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple

from offramp import codes
from offramp.catalog import load_rules, load_sdk
from offramp.redact import redact
from offramp.settings import ConfigError, Settings, _selected
from offramp.source import SourceError, SourceFile, decode, derived, on_deep_stack, parse_module, read_bytes
from offramp.syntax.lines import code_lines
from offramp.types import FileResult, Finding, Premise, Span

if TYPE_CHECKING:
    from offramp.analysis import Analysis
    from offramp.catalog import SdkSurface
    from offramp.notebook import Notebook
    from offramp.providers import Provider
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
    # `fix` records which finding each change is for (fixes/provenance.py): a report's fixes ask for it
    origins: bool = False
    # the project's other Python files when the run's paths do not cover it (api.py `context_files`): read for the
    # routes only, never reported on nor written
    context: Tuple[Path, ...] = ()


def resolve_provider(name: Optional[str], settings: Settings, region: Optional[str] = None) -> Optional[Provider]:
    """A shipped provider, a custom one from config, or a shipped one with config overrides."""
    if not name:
        return None
    # (lazy: a run without a provider never loads the provider catalogue, ~10 ms of a warm check)
    from offramp.providers import CatalogError, builtin_providers, parse_provider  # lazy: start-up

    builtin = builtin_providers()
    custom = settings.providers.get(name)
    where = f"{settings.config_file}: tool.offramp.providers.{name}" if settings.config_file else name
    try:
        if region is not None and region in getattr(builtin.get(name), "base_urls", ()):
            # the region's model map, before the user's overrides (which may also add a region)
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
            from offramp.closest import did_you_mean  # lazy: start-up

            known = sorted(set(builtin) | set(settings.providers))
            hint = did_you_mean(name, known)
            raise ConfigError(f"unknown provider {name!r}{hint}; known providers: {', '.join(known)}")
        if region is not None and provider.default_region != region:  # a region the user's config adds
            provider.base_url(region)
            provider = replace(provider, default_region=region)
    except CatalogError as e:
        raise ConfigError(str(e)) from None
    return provider


def resolve_targets(settings: Settings, region: Optional[str] = None) -> Optional[Targets]:
    """The provider of each request family `settings.target` names (offramp.targets), or None when it
    names no provider. A plain provider name is the one-family case."""
    from offramp.targets import TargetError, is_family_spec  # lazy: start-up
    from offramp.targets import resolve_targets as resolve  # lazy: start-up

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
    from offramp.targets import is_family_spec  # lazy: start-up

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


def _provider_hosts() -> Tuple[str, ...]:
    """providers.known_provider_hosts, the catalogue loaded when a file is analysed (a warm run may analyse none)."""
    from offramp.providers import known_provider_hosts  # lazy: start-up

    return known_provider_hosts()


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


def display_paths(paths: Sequence[Path], root: Path) -> List[str]:
    """`display_path` of each path, the root and the working directory resolved once (~2,000 files: a run's
    share of `os.path.abspath` was ~10 ms of a ~0.25 s warm check)."""
    base = os.path.abspath(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    cwd = os.getcwd()
    plain = os.sep == "/" and cwd == base  # (the usual run: `offramp check .` in the project root)
    out = []
    for path in paths:
        name = os.fspath(path)
        if plain and not name.startswith("/") and "/." not in f"/{name}" and "//" not in name and name:
            out.append(name)  # (already a normal relative path below the root: `abspath` would give it back)
            continue
        absolute = os.path.normpath(name if os.path.isabs(name) else os.path.join(cwd, name))
        if absolute.startswith(prefix):
            out.append(absolute[len(prefix) :].replace(os.sep, "/"))
        else:
            out.append("." if absolute == base else absolute.replace(os.sep, "/"))
    return out


def fingerprint(code: str, line_text: str, occurrence: int) -> str:
    h = hashlib.sha256(f"{code}\0{' '.join(line_text.split())}\0{occurrence}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:20]


def make_finding(
    code: str,
    display: str,
    span: Span,
    args: Mapping[str, object],
    *,
    fixable: Optional[bool] = None,
    severity: Optional[str] = None,
    hint: str = "",
) -> Finding:
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


def check_source(
    src: SourceFile,
    display: str,
    opts: Options,
    premises: Optional[List[Premise]] = None,
    local: FrozenSet[str] = frozenset(),
) -> FileResult:
    """Analyse decoded source. Parse failures become OFR000 findings. `premises`, when given, receives the
    premise of a file analysed with LibCST (runner._triage serves a comment edit of it from the cache). `local`:
    the libraries whose imports here are a module of the project (project/locallibs.py; analysis `analyze`)."""
    from offramp.analysis import Analysis, needs_scopes  # lazy: start-up
    from offramp.analysis.quick import quick_facts  # lazy: start-up

    sdk = load_sdk()
    analysis = None
    if not needs_scopes(src.text, sdk):
        # No client can live here: the stdlib parser finds URLs, keys and env reads ~10x faster.
        quick = quick_facts(src.text, sdk, _provider_hosts())
        if quick is not None:
            analysis = Analysis(
                module=None,  # type: ignore[arg-type]
                env=quick.env,
                urls=quick.urls,
                keys=quick.keys,
                on_your_data=quick.on_your_data,
            )
    if analysis is not None:
        return _report(analysis, sdk, src, display, opts)[0]
    # Parse, scope analysis and checks all recurse once per nesting level: on a deep-stack thread,
    # code nested as deeply as CPython accepts (~200 brackets) is analysed instead of failing.
    return on_deep_stack(_check_with_libcst, src, display, opts, sdk, premises, local)


def _check_with_libcst(
    src: SourceFile,
    display: str,
    opts: Options,
    sdk: SdkSurface,
    premises: Optional[List[Premise]] = None,
    local: FrozenSet[str] = frozenset(),
) -> FileResult:
    import libcst as cst  # lazy: start-up: only here, the prefilter and the fast path never need it

    from offramp.analysis import analyze  # lazy: start-up

    try:
        module = parse_module(src.text)  # screened: deep nesting cannot crash LibCST's native parser
    except cst.ParserSyntaxError as e:
        span, detail = _syntax_error(src.text, e)
        return file_result(
            [make_finding(codes.SYNTAX_ERROR, display, span, {"detail": detail})], src.text, display, opts, False
        )
    except RecursionError:
        return file_result(
            [make_finding(codes.SYNTAX_ERROR, display, Span(1, 1, 1, 1), {"detail": "expressions nested too deeply"})],
            src.text,
            display,
            opts,
            False,
        )
    try:
        analysis = analyze(module, src.text, sdk, _provider_hosts(), local=local)
    except RecursionError:
        return file_result(
            [
                make_finding(
                    codes.ANALYSIS_FAILED, display, Span(1, 1, 1, 1), {"detail": "expressions nested too deeply"}
                )
            ],
            src.text,
            display,
            opts,
            True,
        )
    # `fix` checks the file it plans each time the route gate plans it again (three times on a generated
    # 5k-line module, 0.08 CPU-s each): the same tree, display and options give the same findings.
    # (The entry keeps `opts` alive, so its id names no other options while the entry exists.)
    key = ("report", display, id(opts), tuple(sorted(local)))
    _, result, premise = derived(module, key, lambda: (opts, *_report(analysis, sdk, src, display, opts)))
    if premises is not None and premise is not None:
        premises.append(premise)
    return result


def _report(
    analysis: Analysis, sdk: SdkSurface, src: SourceFile, display: str, opts: Options
) -> Tuple[FileResult, Optional[Premise]]:
    """The file's result, and its premise (None with a provider per family: see codeshape.py)."""
    from offramp.checks import CheckContext, run_checks  # lazy: start-up

    ctx = CheckContext(sdk=sdk, provider=opts.provider, models=opts.models, targets=opts.targets)
    if opts.targets is not None:
        from offramp.checks.families import run_per_family  # lazy: start-up

        hits = run_per_family(analysis, ctx, opts.targets, run_checks)
    else:
        hits = run_checks(analysis, ctx)
    rules = load_rules()
    findings = tuple(
        make_finding(h.code, display, h.span, h.args, fixable=h.fixable, severity=h.severity, hint=h.hint)
        for h in hits
        if not (rules[h.code].needs_target and opts.provider is None)
    )
    premise = Premise(findings, tuple((h.code, h.span.line) for h in hits))
    return finish(premise, src.text, display, opts), premise if opts.targets is None else None


def finish(premise: Premise, text: str, display: str, opts: Options) -> FileResult:
    """The result of a file whose checks found `premise`: its TODOs, suppressions and `file_result` read `text`."""
    from offramp.checks import Hit  # lazy: start-up
    from offramp.checks.todos import check_todos  # lazy: start-up
    from offramp.suppress import parse_suppressions  # lazy: start-up

    findings = list(premise.findings)
    hits = [Hit(code, Span(line, 1, line, 1), {}) for code, line in premise.hits]
    rules = load_rules()
    for h in check_todos(text, hits):
        if not (rules[h.code].needs_target and opts.provider is None):
            findings.append(
                make_finding(h.code, display, h.span, h.args, fixable=h.fixable, severity=h.severity, hint=h.hint)
            )
    sup = parse_suppressions(text)
    findings = [f for f in findings if not sup.covers(f.code, f.span.line)]
    return file_result(findings, text, display, opts, True)


def file_ignores(display: str, opts: Options) -> frozenset:
    """Codes `per-file-ignores` switches off for this path (globs on the root-relative path)."""
    return ignored_in(display, opts.per_file_ignores)


def ignored_in(display: str, per_file_ignores: Mapping[str, Tuple[str, ...]]) -> frozenset:
    ignored: set = set()
    p = PurePosixPath(display)
    for pattern, selected in per_file_ignores.items():
        if fnmatchcase(display, pattern) or fnmatchcase(p.name, pattern) or p.match(pattern):
            ignored.update(c for c in load_rules() if _selected(c, selected))
    return frozenset(ignored)


# Findings that mean the same in test code: the file was not checked, or a real key is in it.
_SAME_IN_TESTS = ("OFR0", codes.HARDCODED_API_KEY)


def unreadable(display: str, detail: str, opts: Options) -> FileResult:
    """OFR001 at the top of a file offramp could not read or decode (the file is then skipped)."""
    return file_result(
        [make_finding(codes.UNREADABLE_FILE, display, Span(1, 1, 1, 1), {"detail": detail})], "", display, opts, False
    )


def file_result(findings: List[Finding], text: str, display: str, opts: Options, parsed: bool) -> FileResult:
    """A file's result: its findings sorted and deduplicated, enabled and not ignored for the file, marked in
    test code, each with its fingerprint."""
    from offramp.testcode import in_test_code  # lazy: start-up

    ignored = file_ignores(display, opts)
    lines = code_lines(text)
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
    premises: Optional[List[Premise]] = None,
) -> FileResult:
    """Check one file. `sources`, when given, receives the decoded source of a Python file that passed
    the prefilter (the pool's workers index it for the project stage without reading it again), and
    `premises` the premise of its LibCST analysis (`check_source`)."""
    from offramp.prefilter import may_match  # lazy: start-up
    from offramp.userconfig.kind import KINDS, MAX_CONFIG_BYTES, TOO_LARGE, kind_of, too_large  # lazy: start-up

    display = display or display_path(path, opts.root)
    try:
        if too_large(path):  # not read at all
            raise SourceError(TOO_LARGE)
        data = read_bytes(path, opts.root) if data is None else data
        if len(data) > MAX_CONFIG_BYTES and kind_of(path) in KINDS:  # through a link
            raise SourceError(TOO_LARGE)
    except SourceError as e:
        return unreadable(display, str(e), opts)
    kind = kind_of(path)
    if kind in KINDS:
        # Config files name models without mentioning OpenAI (`model: gpt-4o`): their own tokens.
        if not may_match(data, config=True):
            return FileResult(path=display, skipped_by_prefilter=True)
        return check_config(path, data, display, opts)
    if not may_match(data):
        return FileResult(path=display, skipped_by_prefilter=True)
    if kind == "notebook":
        return check_notebook(path, data, display, opts)
    try:
        src = decode(path, data)
    except SourceError as e:
        return unreadable(display, str(e), opts)
    if sources is not None:
        sources.append(src)
    return check_source(src, display, opts, premises)


def check_config(path: Path, data: bytes, display: str, opts: Options) -> FileResult:
    """.env / YAML / TOML / JSON / INI: keys, endpoints and model names outside the code."""
    from offramp.userconfig.kind import config_kind  # lazy: start-up
    from offramp.userconfig.scan import scan_config  # lazy: start-up

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return unreadable(display, f"not valid UTF-8: {e.reason}", opts)
    hits = scan_config(
        display, text, load_sdk(), _provider_hosts(), opts.provider, dict(opts.models), kind=config_kind(path)
    )
    rules = load_rules()
    findings = [
        make_finding(h.code, display, h.span, h.args, fixable=h.fixable)
        for h in hits
        if not (rules[h.code].needs_target and opts.provider is None)
    ]
    return file_result(findings, text, display, opts, True)


def notebook_source(path: Path, data: bytes) -> Tuple[Notebook, SourceFile]:
    """(Notebook, SourceFile of its code cells as one module); raises SourceError when unreadable."""
    from offramp.notebook import NotebookError, load  # lazy: start-up

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
        return unreadable(display, str(e), opts)
    if not src.text:
        return FileResult(path=display, parsed=False)
    result = check_source(src, display, opts)
    if nb.unparsed:  # cells masked whole so that the rest could be analysed
        broken = [
            make_finding(codes.SYNTAX_ERROR, display, Span(line, column, line, column), {"detail": detail})
            for line, column, detail in nb.unparsed
        ]
        result = replace(
            result, findings=file_result([*result.findings, *broken], src.text, display, opts, True).findings
        )
    return replace(result, findings=tuple(in_cells(nb, result.findings)))


def in_cells(nb: Notebook, findings: Iterable[Finding]) -> List[Finding]:
    """Findings on lines of the notebook's module (`nb.text`) at their (cell, line in cell)."""
    mapped = []
    for f in findings:
        cell, line = nb.locate(f.span.line)
        end_cell, end_line = nb.locate(f.span.end_line)
        end_line = end_line if end_cell == cell else line
        shift = len(nb.margins.get(cell - 1, "")) if cell else 0  # IPython dedented the cell
        span = Span(line, f.span.column + shift, end_line, f.span.end_column + shift)
        mapped.append(replace(f, span=span, cell=cell))
    return mapped


def in_module(nb: Notebook, findings: Iterable[Finding]) -> List[Finding]:
    """`in_cells` undone: findings at (cell, line in cell) on lines of the notebook's module, where the
    project stage's routes and `fix`'s plans have their spans."""
    lines = {(at[0] + 1, at[1]): n for n, at in enumerate(nb.line_map, 1) if at is not None}
    mapped = []
    for f in findings:
        if f.cell is None:
            mapped.append(f)
            continue
        shift = len(nb.margins.get(f.cell - 1, ""))
        line = lines.get((f.cell, f.span.line), f.span.line)
        end_line = lines.get((f.cell, f.span.end_line), line)
        span = Span(line, max(f.span.column - shift, 0), end_line, max(f.span.end_column - shift, 0))
        mapped.append(replace(f, span=span, cell=None))
    return mapped


def safe_check(
    path: Path,
    opts: Options,
    display: Optional[str] = None,
    data: Optional[bytes] = None,
    sources: Optional[List[SourceFile]] = None,
    premises: Optional[List[Premise]] = None,
) -> FileResult:
    """Check one file; an internal error becomes an OFR002 finding instead of ending the run."""
    display = display or display_path(path, opts.root)
    try:
        return check_path(path, opts, display=display, data=data, sources=sources, premises=premises)
    except Exception as e:
        detail = f"internal error: {type(e).__name__}: {e}".splitlines()[0]
        return file_result(
            [make_finding(codes.ANALYSIS_FAILED, display, Span(1, 1, 1, 1), {"detail": detail})],
            "",
            display,
            opts,
            False,
        )
