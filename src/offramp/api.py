"""offramp as a library: `check()` and `fix()` over paths, for the command line, editors and tests.

cli.py parses options and prints; from settings to findings and fixed files everything is here,
with no terminal in sight: a progress callback and an `echo` function are the only ways out.
Usage problems (a missing path, `fix` without a target) raise `UsageError`, configuration
problems `ConfigError`; the command line turns both into one `offramp: error:` line and exit 2.
"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, List, Mapping, Optional, Sequence, Tuple

from offramp.settings import ConfigError, load_settings, validate_selectors
from offramp.types import FileResult, Finding

if TYPE_CHECKING:
    from offramp.fixes.onefile import FixResult
    from offramp.providers import Provider
    from offramp.settings import Settings
    from offramp.types import FileResult, Finding

# Given the number of files to check, a context that yields the run's progress callback (or None).
Progress = Callable[[int], ContextManager[Optional[Callable[[int], None]]]]


class UsageError(Exception):
    """A request the user must change: said in one line, exit code 2."""


@dataclass
class Checked:
    """What `check()` found: the settings and provider it ran with, the files, per-file results, findings."""

    settings: Settings
    provider: Optional[Provider]
    files: Tuple[Path, ...]
    results: List[FileResult]
    findings: List[Finding]


@dataclass
class FixRun:
    """What one `fix()` run did: the exit code (0 nothing left, 1 findings `check --to` then reports, or a diff),
    and one FixResult per file (each with its typed outcome, fixes/outcome.py's `Fixed | Unchanged | Refused |
    Failed`)."""

    code: int
    settings: Settings
    provider: Provider
    files: Tuple[Path, ...]
    fixed: List[FixResult]


def split_values(values: Sequence[str]) -> List[str]:
    """`--select A,B --select C` -> [A, B, C]."""
    out: List[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def load(
    paths: Sequence[str], config_path: Optional[Path] = None, overrides: Optional[Mapping[str, Any]] = None
) -> Tuple[Settings, Optional[Provider]]:
    """The settings for `paths` (discovered from the first one, or `config_path`) with the command line's
    `overrides` (select, ignore, extend_select, exclude, extend_exclude, respect_gitignore, config_files,
    target, region), and the default target provider."""
    from offramp.engine import resolve_targets  # lazy: start-up

    kw = overrides or {}
    start = Path(paths[0]) if paths else Path(".")
    if not start.exists():
        start = Path(".")
    settings = load_settings(start, config_path)
    over: dict = {}
    for name in ("select", "ignore", "extend_select"):
        if kw.get(name):
            over[name] = validate_selectors(split_values(kw[name]), f"--{name.replace('_', '-')}")
    for name in ("exclude", "extend_exclude"):
        if kw.get(name):
            over[name] = tuple(split_values(kw[name]))
    if kw.get("respect_gitignore") is not None:
        over["respect_gitignore"] = kw["respect_gitignore"]
    if kw.get("config_files") is not None:
        over["config_files"] = kw["config_files"]
    if kw.get("target"):
        over["target"] = kw["target"]
    if kw.get("region"):
        over["region"] = kw["region"]
    settings = settings.with_overrides(**over)
    try:
        targets = resolve_targets(settings, settings.region)
        provider = targets.default if targets is not None else None
    except ConfigError as e:
        if kw.get("target") or settings.config_file is None or str(e).startswith(str(settings.config_file)):
            raise
        # the target came from the configuration: say which file to edit
        raise ConfigError(f"{settings.config_file}: `target`: {e}") from None
    return settings, provider


def discover_files(paths: Sequence[str], settings: Settings, force_exclude: bool = False) -> Tuple[Path, ...]:
    """The files to check under `paths` (default: the current directory), as the settings select them."""
    from offramp.discover import discover  # lazy: start-up

    d = discover(
        paths or ["."],
        root=settings.root,
        excludes=settings.excludes,
        respect_gitignore=settings.respect_gitignore,
        force_exclude=force_exclude,
        config_files=settings.config_files,
    )
    if d.missing:
        raise UsageError(f"path does not exist: {d.missing[0]}")
    return d.files


def context_files(
    paths: Sequence[str], files: Sequence[Path], settings: Settings, force_exclude: bool = False
) -> Tuple[Path, ...]:
    """The other Python files the named ones may import, when the run's paths do not cover them (`offramp fix
    app.py`, a pre-commit hook handing over the changed files): read for the routes only (mypy's `follow_imports =
    silent`). Unread, a module the named files import was unknown: config.py configuring the module client for Qwen,
    `fix --to deepseek app.py` wrote DeepSeek's configuration into app.py and sent the Qwen requests there.

    They are the files under each named file's import root (the folder its top-level package sits in, as Python puts
    a script's folder on `sys.path`), inside the settings root, discovered with the run's excludes and .gitignore
    rules. Not the whole settings root: unrelated trees there (test fixtures, examples) name modules `config` or
    `json` too, and one of them taken for the module a named file imports changed what its routes were."""
    root = os.path.abspath(settings.root)
    covered = [a.rstrip(os.sep) for a in map(os.path.abspath, paths or ".")]

    def under(path: str, base: str) -> bool:
        return path == base or path.startswith(base + os.sep)

    if any(under(root, a) for a in covered):
        return ()  # (`check .` from the root: every base is covered; asked of ~2,000 files, a stat each)
    bases = set()
    for f in files:
        if f.suffix != ".py":
            continue
        d = os.path.dirname(os.path.abspath(f))
        while d != root and under(d, root) and os.path.isfile(os.path.join(d, "__init__.py")):
            d = os.path.dirname(d)
        if under(d, root):
            bases.add(d)
    # (a base the run's paths cover has nothing more to read: `check .` walks the tree once)
    bases = {b for b in bases if not any(under(b, a) for a in covered)}
    if not bases:
        return ()
    named = {os.path.abspath(p) for p in files}
    found = discover_files(sorted(bases), settings, force_exclude)
    return tuple(dict.fromkeys(p for p in found if p.suffix == ".py" and os.path.abspath(p) not in named))


def _print(message: Any = "", nl: bool = True, err: bool = False, **kw: Any) -> None:
    print(message, end="\n" if nl else "", file=sys.stderr if err else sys.stdout)


def _no_progress(total: int) -> ContextManager[Optional[Callable[[int], None]]]:
    return nullcontext(None)


def check(
    paths: Sequence[str],
    config_path: Optional[Path] = None,
    *,
    force_exclude: bool = False,
    jobs: int = 0,
    no_cache: bool = False,
    cache_dir: Optional[Path] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    progress: Progress = _no_progress,
) -> Checked:
    """Check `paths` (`check` and `baseline`): the findings cache is used unless `no_cache`."""
    from offramp.cache import default_directory  # lazy: start-up
    from offramp.engine import make_options  # lazy: start-up
    from offramp.runner import iter_findings, run  # lazy: start-up

    settings, provider = load(paths, config_path, overrides)
    files = discover_files(paths, settings, force_exclude)
    context = context_files(paths, files, settings, force_exclude)
    opts = replace(make_options(settings, provider), context=context)
    default = default_directory(settings.root, settings.config_file is not None, paths)
    directory = None if no_cache else (cache_dir or default)
    with progress(len(files)) as step:
        results = run(files, opts, jobs=jobs, progress=step, cache_dir=directory)
    return Checked(settings, provider, files, results, iter_findings(results))


def fix(
    paths: Sequence[str],
    config_path: Optional[Path] = None,
    *,
    diff: bool = False,
    force_exclude: bool = False,
    jobs: int = 0,
    overrides: Optional[Mapping[str, Any]] = None,
    echo: Optional[Callable[..., None]] = None,
    report_file: Optional[Path] = None,
    command: str = "",
) -> FixRun:
    """Fix `paths` for the target provider (`fix` and `check --fix`); with `diff`, print a diff and write
    nothing. `echo` prints the diff, notes and the summary; `command` is quoted in `report_file`."""
    from offramp.fixes.runner import run_fix  # lazy: start-up

    settings, provider = load(paths, config_path, overrides)
    if provider is None:
        raise UsageError("fix needs a target provider: --to PROVIDER (or `target` in config)")
    files = discover_files(paths, settings, force_exclude)
    fixed: List[FixResult] = []
    code = run_fix(
        files,
        settings,
        provider,
        diff=diff,
        jobs=jobs,
        echo=echo or _print,
        report=report_file,
        command=command,
        collect=fixed,
        context=context_files(paths, files, settings, force_exclude),
    )
    return FixRun(code, settings, provider, files, fixed)


def remaining(fixed: Sequence[FixResult]) -> Tuple[List[FileResult], List[Finding]]:
    """What a fix left, as check results: what `check --to` says of each file as written (with `diff`: as the
    diff shows it), project stage included (fixes/runner.py `as_checked`)."""
    results = [FileResult(path=r.display, findings=tuple(r.remaining), parsed=True) for r in fixed]
    return results, sorted((f for r in results for f in r.findings), key=Finding.sort_key)
