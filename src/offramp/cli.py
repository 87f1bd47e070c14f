"""The command line: parse options, call api.py (`check()`, `fix()`), pick a reporter, set the exit code.

No analysis logic lives here. Exit codes follow Ruff: 0 nothing found, 1 findings, 2 the run
could not be trusted (usage, config or internal error). Errors are one line, never a traceback
(`--verbose` shows it).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, List, Optional, Sequence, TypeVar

import click

from offramp import __version__, api
from offramp.catalog import CatalogError
from offramp.redact import redact
from offramp.settings import (
    OUTPUT_FORMATS,  # one list of format names, shared with the config validator
    ConfigError,
    load_settings,
)

if TYPE_CHECKING:
    from offramp.providers import Provider
    from offramp.settings import Settings
    from offramp.types import FileResult, Finding

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"offramp: error: {redact(message)}", err=True)  # a config error may quote a value
    sys.exit(code)


def common_options(f: F) -> F:
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Use this config file instead of discovering pyproject.toml / offramp.toml.",
        ),
        click.option("--select", multiple=True, help="Rule codes or prefixes to enable (comma-separated)."),
        click.option(
            "--extend-select", multiple=True, help="Rule codes or prefixes to enable on top of the selection."
        ),
        click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable (comma-separated)."),
        click.option("--exclude", multiple=True, help="Glob patterns to exclude (replaces the configured list)."),
        click.option("--extend-exclude", multiple=True, help="Glob patterns to exclude on top of the configured ones."),
        click.option(
            "--force-exclude",
            is_flag=True,
            help="Apply excludes to paths given on the command line too (for pre-commit).",
        ),
        click.option(
            "--config-files/--no-config-files",
            default=None,
            help="Also scan .env, YAML, TOML, JSON and INI files found in directories (default: on).",
        ),
        click.option(
            "--respect-gitignore/--no-respect-gitignore",
            default=None,
            help="Skip files ignored by .gitignore (default: on).",
        ),
        click.option(
            "--to",
            "target",
            metavar="PROVIDER",
            help="Target provider (see `offramp providers`), or one per request family: chat=deepseek,embeddings=qwen.",
        ),
        click.option("--region", help="Provider region for the base URL, e.g. cn or intl."),
        click.option(
            "-j", "--jobs", type=click.IntRange(min=0), default=0, show_default="CPU count", help="Worker processes."
        ),
        click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and extra detail."),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


@contextmanager
def _progress(total: int) -> Iterator[Optional[Callable[[int], None]]]:
    """A progress bar on a terminal for a long run (200 files or more), else nothing."""
    if not (sys.stderr.isatty() and total >= 200 and not os.environ.get("CI")):
        yield None
        return
    from rich.console import Console  # lazy: start-up
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # lazy: start-up

    with Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("check", total=total)
        yield lambda n: bar.advance(task, n)


class Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so that it unwinds like Ctrl-C: temporary files removed, pools stopped."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _handle_sigterm() -> None:
    import signal  # lazy: start-up

    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)


def guarded(f: F) -> F:
    """Turn every failure into a one-line error and exit code 2."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbose = kwargs.get("verbose", False)
        _handle_sigterm()
        try:
            return f(*args, **kwargs)
        except (ConfigError, CatalogError, api.UsageError) as e:
            _fail(str(e))
        except KeyboardInterrupt as e:
            terminated = isinstance(e, Terminated)
            click.echo(f"offramp: {'terminated' if terminated else 'interrupted'}", err=True)
            sys.exit(143 if terminated else 130)
        except (click.exceptions.Exit, click.ClickException, SystemExit, BrokenPipeError):
            raise  # click ends a run whose reader went away (`| head`) quietly, with status 1
        except Exception as e:
            if verbose:
                raise
            detail = (str(e).splitlines() or [""])[0]
            _fail(f"internal error: {type(e).__name__}: {detail} (run with --verbose for the traceback)")

    return wrapper  # type: ignore[return-value]


class _Commands(click.Group):
    """The top-level group: a usage error anywhere below it (an unknown option or command, a missing
    argument, a bad choice) is one `offramp: error:` line with exit code 2, not click's four lines."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as e:
            _usage_error(e)
            raise  # unreachable: _usage_error exits or re-raises

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            _usage_error(e)


def _usage_error(e: click.UsageError) -> None:
    if isinstance(e, getattr(click.exceptions, "NoArgsIsHelpError", ())):
        raise e  # `offramp` alone: click's help text, as before
    message = " ".join(e.format_message().split())
    where = e.ctx.command_path if e.ctx is not None else "offramp"
    _fail(f"{message} (see `{where} --help`)", e.exit_code)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="offramp", message="%(prog)s %(version)s")
def main() -> None:
    """Find OpenAI / Azure OpenAI SDK use that breaks from mainland China, and move it to a compatible provider."""


def quiet_option(f: F) -> F:
    return click.option("-q", "--quiet", is_flag=True, help="Print findings (or the diff) only: no summary, no notes.")(
        f
    )


def cache_options(f: F) -> F:
    f = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="OFFRAMP_CACHE_DIR",
        help="Where to keep the findings cache (default: .offramp_cache in the project root).",
    )(f)
    return click.option("-n", "--no-cache", is_flag=True, help="Do not read or write the findings cache.")(f)


@main.command()
@click.argument("paths", nargs=-1)
@common_options
@cache_options
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    envvar="OFFRAMP_OUTPUT_FORMAT",
    help="Output format (default: full, or `output-format` from config).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="OFFRAMP_OUTPUT_FILE",
    help="Write the report to this file instead of stdout.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print counts per rule (name, fixable) instead of each finding.")
@click.option(
    "--fix", "apply_fix", is_flag=True, help="Apply fixes first (as `offramp fix`), then report what remains."
)
@quiet_option
@click.option("--show-settings", is_flag=True, help="Print the resolved settings and exit.")
@click.option("--diff-base", metavar="REF", help="Only report findings on lines changed since the merge base with REF.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hide findings recorded in this baseline (see `offramp baseline`).",
)
@guarded
def check(
    paths: Sequence[str],
    config_path: Optional[Path],
    output_format: Optional[str],
    output_file: Optional[Path],
    exit_zero: bool,
    statistics: bool,
    force_exclude: bool,
    jobs: int,
    verbose: bool,
    no_cache: bool,
    cache_dir: Optional[Path],
    diff_base: Optional[str],
    baseline_file: Optional[Path],
    apply_fix: bool = False,
    quiet: bool = False,
    show_settings: bool = False,
    **kw: Any,
) -> None:
    """Report OpenAI / Azure OpenAI SDK use in PATHS (default: the current directory).

    With --to PROVIDER, also report what that provider cannot do for this code.
    """
    if show_settings:
        from offramp.showsettings import render_settings  # lazy: start-up

        settings, provider = api.load(paths, config_path, kw)
        click.echo(render_settings(settings, provider, paths), nl=False)
        return
    fix_failed = False
    if apply_fix:  # Ruff's `check --fix`: fix, then report what remains in the check's format
        done = _fix(paths, config_path, False, force_exclude, jobs, quiet, kw)
        settings, provider, files = done.settings, done.provider, done.files
        fix_failed = any(r.error for r in done.fixed)  # a file left unchanged with an error
        # what remains is what `check` then says, project stage included (a client the route gate held is not
        # `[*]`, a model defined in another module is reported there): each file's own findings alone said less
        got = _check(paths, config_path, force_exclude, jobs, no_cache, cache_dir, kw)
        files, results, findings = got.files, got.results, got.findings
    else:
        got = _check(paths, config_path, force_exclude, jobs, no_cache, cache_dir, kw)
        settings, provider, files, results, findings = got.settings, got.provider, got.files, got.results, got.findings
    notes = []
    if diff_base:
        from offramp.vcs import changed_lines, split_by_change  # lazy: start-up

        findings, hidden = split_by_change(findings, settings.root, changed_lines(diff_base, settings.root))
        if hidden:
            notes.append(f"{len(hidden)} finding(s) on lines unchanged since {diff_base} not shown")
    if baseline_file is not None:
        from offramp.baseline import apply_baseline, load_baseline  # lazy: start-up

        before = len(findings)
        findings, stale = apply_baseline(findings, load_baseline(baseline_file))
        if before - len(findings):
            notes.append(f"{before - len(findings)} finding(s) in the baseline not shown")
        if stale:
            notes.append(
                f"{stale} baseline entr{'y no longer matches' if stale == 1 else 'ies no longer match'};"
                f" refresh with `offramp baseline -o {baseline_file}`"
            )
    _report(findings, results, files, settings, provider, output_format, output_file, statistics, quiet, jobs)
    for note in [] if quiet else notes:
        click.echo(f"offramp: {note}", err=True)
    sys.exit(0 if exit_zero else 1 if findings or fix_failed else 0)


def _report(
    findings: List[Finding],
    results: Sequence[FileResult],
    files: Sequence[Path],
    settings: Settings,
    provider: Optional[Provider],
    output_format: Optional[str],
    output_file: Optional[Path],
    statistics: bool,
    quiet: bool,
    jobs: int,
) -> None:
    """The report `check` prints (also `check --fix` and `fix --output-format`, for what remains)."""
    from offramp.report import ReportContext, get_reporter  # lazy: start-up
    from offramp.targets import is_family_spec  # lazy: start-up

    fmt = output_format or settings.output_format or "full"
    color = fmt == "full" and output_file is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    from offramp.outpaths import rebased, repository_root  # lazy: start-up

    # Shown relative to the current directory (SARIF: to the repository root, its %SRCROOT%).
    base = repository_root(settings.root) if fmt == "sarif" else Path.cwd()
    extra: dict = {"root": str(base), "root_uri": base.as_uri() + "/", "quiet": quiet}
    shown = rebased(findings, settings.root, str(base))
    if fmt in ("sarif", "rdjson") and provider is not None and not statistics:
        # Only these formats carry fixes, and only a target provider gives one: the rewrite runs
        # here, in memory, after the (cached) check, never for the other formats.
        from offramp.fixes.suggest import suggest_fixes  # lazy: start-up
        from offramp.runner import iter_findings  # lazy: start-up

        fixes = suggest_fixes(findings, settings, provider, every=iter_findings(results), jobs=jobs, files=files)
        extra["fixes"] = {shown[f]: fix for f, fix in fixes.items() if f in shown}
    findings = [shown[f] for f in findings]
    ctx = ReportContext(
        files=len(files),
        parsed=sum(r.parsed for r in results),
        results=results,
        target=(settings.target if is_family_spec(settings.target) else provider.id) if provider else None,
        region=settings.region,
        color=color,
        tool_version=__version__,
        extra=extra,
    )
    if statistics:
        from offramp.report.statistics import render_statistics  # lazy: start-up

        text = render_statistics(findings, ctx, fmt)
    else:
        text = get_reporter(fmt)(findings, ctx)
    _emit(text, output_file)


@main.command("baseline")
@click.argument("paths", nargs=-1)
@common_options
@cache_options
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".offramp-baseline.json"),
    show_default=True,
    help="Where to write the baseline.",
)
@guarded
def baseline_cmd(
    paths: Sequence[str],
    config_path: Optional[Path],
    output_file: Path,
    force_exclude: bool,
    jobs: int,
    verbose: bool,
    no_cache: bool,
    cache_dir: Optional[Path],
    **kw: Any,
) -> None:
    """Record today's findings so `check --baseline FILE` reports only new ones."""
    from offramp.baseline import write_baseline  # lazy: start-up

    findings = _check(paths, config_path, force_exclude, jobs, no_cache, cache_dir, kw).findings
    _emit(write_baseline(findings, output_file), output_file)
    click.echo(f"offramp: recorded {len(findings)} finding(s) in {output_file}", err=True)


def _emit(text: str, output_file: Optional[Path]) -> None:
    from offramp.report import printable  # lazy: start-up

    text = printable(text)  # an undecodable file name must not crash the report
    if output_file is None:
        click.echo(text, nl=False)
        return
    from offramp.source import write_atomic  # lazy: start-up

    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output_file, text.encode("utf-8"))  # creates it; never through a symbolic link
    except OSError as e:
        raise api.UsageError(f"cannot write {output_file}: {e.strerror or e}") from None


@main.command("rules")
@click.option(
    "--output-format",
    type=click.Choice(("table", "json", "markdown")),
    default="table",
    help="markdown: docs/rules.md, the page rule links point at.",
)
@guarded
def rules_cmd(output_format: str) -> None:
    """List the rule codes."""
    from offramp.explain import render_rules  # lazy: start-up

    click.echo(render_rules(output_format), nl=False)


@main.command()
@click.argument("code")
@guarded
def explain(code: str) -> None:
    """Show a rule's documentation and examples."""
    from offramp.explain import render_rule  # lazy: start-up

    click.echo(render_rule(code.upper()))


@main.group(invoke_without_command=True)
@click.option("--output-format", type=click.Choice(("table", "json")), default="table")
@click.pass_context
def providers(ctx: click.Context, output_format: str) -> None:
    """List the target providers (`offramp providers show ID` for one)."""
    if ctx.invoked_subcommand is None:
        from offramp.explain import render_providers, render_providers_json  # lazy: start-up

        _guard_call(render_providers_json if output_format == "json" else lambda: render_providers(_configured()))


def _configured() -> str:
    """`Target (pyproject.toml): chat -> deepseek, embeddings -> qwen`: the target the settings here name
    (offramp.targets), or "" (none, or a configuration `check` would refuse: it says why)."""
    from offramp.engine import resolve_targets  # lazy: start-up
    from offramp.targets import families  # lazy: start-up

    try:
        settings = load_settings(Path("."))
        targets = resolve_targets(settings, settings.region)
    except ConfigError:
        return ""
    if targets is None:
        return ""
    chosen = ", ".join(f"{f} -> {targets.of(f).id}" for f in families())
    return f"Target ({settings.config_file}): {chosen}"


def _guard_call(fn: Callable[[], str]) -> None:
    guarded(lambda verbose=False: click.echo(fn(), nl=False))()


@providers.command("show")
@click.argument("provider_id")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@guarded
def providers_show(provider_id: str, config_path: Optional[Path]) -> None:
    """Base URL, key variable, model map, capability matrix and sources of one provider."""
    from offramp.engine import resolve_provider  # lazy: start-up
    from offramp.explain import render_provider  # lazy: start-up

    settings = load_settings(Path("."), config_path)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    click.echo(render_provider(provider), nl=False)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--to", "target", metavar="PROVIDER", help="The provider to verify (see `offramp providers`).")
@click.option("--region", help="Provider region for the base URL, e.g. cn or intl.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Use this config file.")
@click.option("--dry-run", is_flag=True, help="Print the requests verify would send, and send none.")
@click.option(
    "--timeout", type=click.FloatRange(min=0.1, max=600), default=20.0, show_default=True, help="Seconds per request."
)
@click.option("--base-url", help="Send the requests here instead of the provider's base URL (a gateway, a proxy).")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and extra detail.")
@guarded
def verify(
    paths: Sequence[str],
    target: Optional[str],
    region: Optional[str],
    config_path: Optional[Path],
    dry_run: bool,
    timeout: float,
    base_url: Optional[str],
    verbose: bool,
) -> None:
    """Send the smallest request for each capability the project's routes to --to use, with your key
    (from the provider's variable, never printed), and say per route: works, fails (the provider's
    error), or not tried. The only command that uses the network."""
    from offramp.verify.command import verify as run_verify  # lazy: start-up

    settings, provider = api.load(paths, config_path, {"target": target, "region": region})
    if provider is None:
        raise api.UsageError("verify needs a provider: --to PROVIDER (or `target` in the configuration)")
    from offramp.engine import make_options  # lazy: start-up

    if make_options(settings, provider).targets is not None:  # a provider per request family (offramp.targets)
        raise api.UsageError(f"verify checks one provider at a time: run it with --to {provider.id}, then the others")
    code, text = run_verify(api.discover_files(paths, settings, False), settings, provider, dry_run, timeout, base_url)
    click.echo(text, nl=False)
    sys.exit(code)


@main.command()
@click.argument("paths", nargs=-1)
@common_options
@click.option("--diff", is_flag=True, help="Print a unified diff instead of writing files; exit 1 if there is one.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    help="Also report the findings that remain after fixing, in this format (as `check --fix`).",
)
@quiet_option
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a pull-request-ready markdown summary of the migration to this file.",
)
@guarded
def fix(
    paths: Sequence[str],
    config_path: Optional[Path],
    diff: bool,
    exit_zero: bool,
    force_exclude: bool,
    jobs: int,
    verbose: bool,
    report_file: Optional[Path] = None,
    output_format: Optional[str] = None,
    quiet: bool = False,
    **kw: Any,
) -> None:
    """Rewrite PATHS to use the provider given by --to (or `target` in config)."""
    if diff and output_format:
        raise api.UsageError("--output-format cannot be combined with --diff (the diff is the output)")
    done = _fix(paths, config_path, diff, force_exclude, jobs, quiet, kw, report_file)
    if output_format:  # what `check` then says (see `check --fix`); no cache written by `fix`
        got = _check(paths, config_path, force_exclude, jobs, True, None, kw)
        settings, provider = done.settings, done.provider
        _report(got.findings, got.results, got.files, settings, provider, output_format, None, False, quiet, jobs)
    sys.exit(0 if exit_zero else done.code)


def _check(
    paths: Sequence[str],
    config_path: Optional[Path],
    force_exclude: bool,
    jobs: int,
    no_cache: bool,
    cache_dir: Optional[Path],
    kw: dict,
) -> api.Checked:
    """Shared by `check` and `baseline`."""
    return api.check(
        paths,
        config_path,
        force_exclude=force_exclude,
        jobs=jobs,
        no_cache=no_cache,
        cache_dir=cache_dir,
        overrides=kw,
        progress=_progress,
    )


def _fix(
    paths: Sequence[str],
    config_path: Optional[Path],
    diff: bool,
    force_exclude: bool,
    jobs: int,
    quiet: bool,
    kw: dict,
    report_file: Optional[Path] = None,
) -> api.FixRun:
    """Shared by `fix` and `check --fix`."""
    return api.fix(
        paths,
        config_path,
        diff=diff,
        force_exclude=force_exclude,
        jobs=jobs,
        overrides=kw,
        echo=_quiet_echo if quiet else click.echo,
        report_file=report_file,
        command=" ".join(["offramp", *sys.argv[1:]]) if sys.argv else "",
    )


def _quiet_echo(message: Any = None, nl: bool = True, err: bool = False, **kw: Any) -> None:
    """`-q`: the diff and errors only; no notes, no summary."""
    if not err or ": error: " in str(message) or str(message).startswith("offramp: error"):
        click.echo(message, nl=nl, err=err, **kw)
