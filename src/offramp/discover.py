"""Turn command-line paths into the list of files to check.

Directories are walked for Python files, skipping what a user never wants linted (VCS
metadata, virtualenvs, build output) and what .gitignore ignores. Git itself answers the
.gitignore question when the tree is a repository, because git's own matching is the only
exactly right one; outside a repository the .gitignore files are read with a small matcher.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from offramp.configfiles import is_config_file

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".env",
    "env",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".offramp_cache",
    ".eggs",
    "__pypackages__",
    "_build",
    "buck-out",
    ".ipynb_checkpoints",
)


# The scanned repository's .git/config is not ours to trust: `core.fsmonitor` names a command
# that git runs whenever it reads the index (check-ignore does). Turn it off for our calls.
GIT_SAFE = ("-c", "core.fsmonitor=false")


@dataclass(frozen=True)
class Discovery:
    files: Tuple[Path, ...]
    missing: Tuple[str, ...]


def _matches(rel: PurePosixPath, patterns: Sequence[str]) -> bool:
    """Ruff-like exclude semantics: a pattern matches a path component, or the relative path as a glob."""
    text = str(rel)
    for pat in patterns:
        p = pat.rstrip("/")
        if "/" not in p:
            if any(fnmatch.fnmatchcase(part, p) for part in rel.parts):
                return True
        elif (
            fnmatch.fnmatchcase(text, p) or fnmatch.fnmatchcase(text, p + "/*") or text.startswith(p.lstrip("./") + "/")
        ):
            return True
    return False


def is_excluded(path: Path, root: Path, patterns: Sequence[str]) -> bool:
    if not patterns:
        return False
    try:
        rel = PurePosixPath(path.resolve().relative_to(root.resolve()).as_posix())
    except (RuntimeError, OSError):  # a symlink loop: judge the link by where it sits
        try:
            rel = PurePosixPath(Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix())
        except ValueError:
            rel = PurePosixPath(path.as_posix())
    except ValueError:
        rel = PurePosixPath(path.as_posix())
    return _matches(rel, patterns)


def _is_venv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def _git_ignored(directory: Path, candidates: List[Path]) -> Optional[Set[Path]]:
    """Ask git which of `candidates` it ignores; None when git or a repository is not there.

    Paths go to git absolute (and with symlinks resolved, as git sees its work tree): a path
    relative to our cwd would be read relative to `directory`, so `offramp check proj` with
    `proj` in its own .gitignore would drop every file.
    """
    if not candidates:
        return set()
    asked = {os.path.realpath(c): c for c in candidates}
    try:
        proc = subprocess.run(
            ["git", *GIT_SAFE, "-C", str(directory), "check-ignore", "--stdin", "-z"],
            input=b"\0".join(os.fsencode(p) for p in asked),
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode not in (0, 1):  # 128: not a repository
        return None
    return {asked[os.fsdecode(p)] for p in proc.stdout.split(b"\0") if p and os.fsdecode(p) in asked}


class _GitignoreMatcher:
    """Fallback for trees outside git: the common subset of gitignore syntax."""

    def __init__(self, root: Path) -> None:
        self.rules: List[Tuple[Path, str, bool, bool]] = []  # (base, pattern, negated, dir_only)
        self.root = root

    def add_dir(self, directory: Path) -> None:
        gi = directory / ".gitignore"
        if not gi.is_file():
            return
        try:
            lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        for line in lines:
            line = line.rstrip()
            if not line or line.startswith("#"):
                continue
            neg = line.startswith("!")
            if neg:
                line = line[1:]
            dir_only = line.endswith("/")
            self.rules.append(
                (directory, line.strip("/") if "/" in line.rstrip("/") else line.rstrip("/"), neg, dir_only)
            )

    def ignored(self, path: Path, is_dir: bool) -> bool:
        result = False
        for base, pat, neg, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            anchored = "/" in pat
            hit = fnmatch.fnmatchcase(rel, pat.lstrip("/")) if anchored else fnmatch.fnmatchcase(path.name, pat)
            if hit:
                result = not neg
        return result


def _walk(
    directory: Path, root: Path, excludes: Sequence[str], respect_gitignore: bool, config_files: bool = False
) -> Iterator[Path]:
    matcher = _GitignoreMatcher(directory) if respect_gitignore else None
    found: List[Path] = []
    seen_dirs: Set[Tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(directory, followlinks=False):
        here = Path(dirpath)
        try:
            st = here.stat()
            key = (st.st_dev, st.st_ino)
        except OSError:
            continue
        if key in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        if matcher is not None:
            matcher.add_dir(here)
        keep = []
        for d in sorted(dirnames):
            sub = here / d
            if d in DEFAULT_EXCLUDES or _is_venv(sub) or is_excluded(sub, root, excludes):
                continue
            if matcher is not None and matcher.ignored(sub, True):
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not (name.endswith(SOURCE_SUFFIXES) or (config_files and is_config_file(here / name))):
                continue
            f = here / name
            if is_excluded(f, root, excludes) or (matcher is not None and matcher.ignored(f, False)):
                continue
            if f.is_dir():
                continue
            found.append(f)
    if respect_gitignore and found:
        ignored = _git_ignored(directory, found)
        if ignored is not None:
            found = [f for f in found if f not in ignored]
    yield from found


def discover(
    paths: Iterable[str],
    *,
    root: Path,
    excludes: Sequence[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    config_files: bool = False,
) -> Discovery:
    """Explicit files are always kept (unless `force_exclude`), directories are walked."""
    files: List[Path] = []
    missing: List[str] = []
    seen: Set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if force_exclude and is_excluded(p, root, list(excludes) + list(DEFAULT_EXCLUDES)):
                continue
            candidates = list(_walk(p, root, excludes, respect_gitignore, config_files))
        elif p.exists() or p.is_symlink():
            if force_exclude and is_excluded(p, root, excludes):
                continue
            candidates = [p]
        else:
            missing.append(raw)
            continue
        for c in candidates:
            key = Path(os.path.abspath(c))
            if key not in seen:
                seen.add(key)
                files.append(c)
    return Discovery(files=tuple(files), missing=tuple(missing))
