"""Turn command-line paths into the list of files to check.

Directories are walked for Python files, skipping what a user never wants linted (VCS
metadata, virtualenvs, build output) and what .gitignore ignores. Git itself answers the
.gitignore question when the tree is a repository, because git's own matching is the only
exactly right one; outside a repository the .gitignore files are read with a small matcher.

Paths are plain strings until `discover` returns: the no-parse path of `offramp check`
(`quickcheck`) walks with these same functions and must not pay for pathlib, dataclasses or
typing at start-up.
"""

from __future__ import annotations

import fnmatch
import os

from offramp.configkind import is_config_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Iterable, List, Optional, Sequence, Set, Tuple

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


class Discovery:
    """What `discover` found: the files to check, and the command-line paths that do not exist."""

    __slots__ = ("files", "missing")

    def __init__(self, files: Tuple[Path, ...], missing: Tuple[str, ...]) -> None:
        self.files = files
        self.missing = missing


def _matches(rel: str, patterns: Sequence[str]) -> bool:
    """Ruff-like exclude semantics: a pattern matches a path component, or the relative path as a glob."""
    parts = [p for p in rel.split("/") if p and p != "."]
    for pat in patterns:
        p = pat.rstrip("/")
        if "/" not in p:
            if any(fnmatch.fnmatchcase(part, p) for part in parts):
                return True
        elif fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(rel, p + "/*") or rel.startswith(p.lstrip("./") + "/"):
            return True
    return False


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _relative(path: str, root: str, outside: str | None = None) -> str:
    """`path` relative to `root` (both real paths); `outside` (else `path`) when it lies outside."""
    if path == root:
        return "."
    prefix = root if root.endswith(os.sep) else root + os.sep
    if path.startswith(prefix):
        return _posix(path[len(prefix) :])
    return _posix(path if outside is None else outside)


def is_excluded(path: str, root: str, patterns: Sequence[str]) -> bool:
    """Whether an exclude pattern matches `path` (judged where it really is, relative to `root`)."""
    if not patterns:
        return False
    return _matches(_relative(os.path.realpath(path), os.path.realpath(root), outside=path), patterns)


def _is_venv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def _in_git_work_tree(directory: str) -> bool:
    """Whether git could answer for `directory`: a `.git` above it, or git told where by the environment."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    here = os.path.realpath(directory)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def _git_ignored(directory: str, candidates: List[str]) -> Optional[Set[str]]:
    """Ask git which of `candidates` it ignores; None when git or a repository is not there.

    Paths go to git absolute (and with symlinks resolved, as git sees its work tree): a path
    relative to our cwd would be read relative to `directory`, so `offramp check proj` with
    `proj` in its own .gitignore would drop every file.
    """
    if not candidates:
        return set()
    if not _in_git_work_tree(directory):
        return None  # what git would say (status 128), without starting it
    import subprocess

    from offramp import gitsafe

    asked = {os.path.realpath(c): c for c in candidates}
    try:
        proc = gitsafe.run(
            ["check-ignore", "--stdin", "-z"], directory, input=b"\0".join(os.fsencode(p) for p in asked), timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode not in (0, 1):  # 128: not a repository
        return None
    return {asked[os.fsdecode(p)] for p in proc.stdout.split(b"\0") if p and os.fsdecode(p) in asked}


class _GitignoreMatcher:
    """Fallback for trees outside git: the common subset of gitignore syntax."""

    def __init__(self) -> None:
        self.rules: List[Tuple[str, str, bool, bool]] = []  # (base dir, pattern, negated, dir_only)

    def add_dir(self, directory: str) -> None:
        try:
            with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:  # none here (or unreadable)
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

    def ignored(self, path: str, is_dir: bool) -> bool:
        result = False
        name = os.path.basename(path)
        for base, pat, neg, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            prefix = base if base.endswith(os.sep) else base + os.sep
            if not path.startswith(prefix):
                continue
            rel = _posix(path[len(prefix) :])
            anchored = "/" in pat
            hit = fnmatch.fnmatchcase(rel, pat.lstrip("/")) if anchored else fnmatch.fnmatchcase(name, pat)
            if hit:
                result = not neg
        return result


def walk(
    directory: str, root: str, excludes: Sequence[str], respect_gitignore: bool, config_files: bool = False
) -> List[str]:
    """The files to check under `directory`, in a stable order: a directory's files (sorted), then its subdirectories.

    Symlinked directories are not entered (a link cannot make the walk loop; a bind mount is
    caught by the device/inode set). Unreadable directories are passed over, as `os.walk` does.
    A symlinked file whose target the walk finds too is left out: the file is checked and fixed
    once, as itself (the reader refuses links that leave the project, see rawread).
    """
    matcher = _GitignoreMatcher() if respect_gitignore else None
    found: List[str] = []
    try:
        st = os.stat(directory)
    except OSError:
        return found
    seen_dirs: Set[Tuple[int, int]] = {(st.st_dev, st.st_ino)}
    real_root = os.path.realpath(root)
    stack = [directory]
    links: List[str] = []
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=_name)
        except OSError:
            continue
        if matcher is not None and any(e.name == ".gitignore" for e in entries):
            matcher.add_dir(here)
        # Exclude patterns are judged on the real path relative to the root; the walk does not
        # follow links, so one realpath per directory serves all its entries.
        rel_here = _relative(os.path.realpath(here), real_root) if excludes else ""
        subdirs = []
        for entry in entries:
            name = entry.name
            path = entry.path
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name in DEFAULT_EXCLUDES or _is_venv(path):
                    continue
                if excludes and _matches(_child(rel_here, name, path, real_root), excludes):
                    continue
                if matcher is not None and matcher.ignored(path, True):
                    continue
                if entry.is_symlink():
                    continue
                try:
                    est = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                key = (est.st_dev, est.st_ino)
                if key not in seen_dirs:
                    seen_dirs.add(key)
                    subdirs.append(path)
                continue
            if not (name.endswith(SOURCE_SUFFIXES) or (config_files and is_config_file(path))):
                continue
            if excludes and _matches(_child(rel_here, name, path, real_root), excludes):
                continue
            if matcher is not None and matcher.ignored(path, False):
                continue
            found.append(path)
            if entry.is_symlink():
                links.append(path)
        stack.extend(reversed(subdirs))
    if links:
        found = _without_links_to(found, links, directory)
    if respect_gitignore and found:
        ignored = _git_ignored(directory, found)
        if ignored is not None:
            found = [f for f in found if f not in ignored]
    return found


def _without_links_to(found: List[str], links: List[str], directory: str) -> List[str]:
    """`found` less the `links` whose target is one of the other files found (in the walk of `directory`)."""
    real_dir = os.path.realpath(directory)
    is_link = set(links)
    # The walk enters no linked directory: below `directory`, a file's real path is its path.
    real = {os.path.join(real_dir, os.path.relpath(f, directory)) for f in found if f not in is_link}
    doubles = {link for link in links if os.path.realpath(link) in real}
    return [f for f in found if f not in doubles] if doubles else found


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _child(rel_here: str, name: str, path: str, real_root: str) -> str:
    if os.path.islink(path):  # judged where the link points, as for a path given on the command line
        return _relative(os.path.realpath(path), real_root)
    return name if rel_here in (".", "") else f"{rel_here}/{name}"


def discover_paths(
    paths: Iterable[str],
    *,
    root: str,
    excludes: Sequence[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    config_files: bool = False,
) -> Tuple[List[str], List[str]]:
    """(files, missing paths). Explicit files are always kept (unless `force_exclude`), directories are walked."""
    files: List[str] = []
    missing: List[str] = []
    seen: Set[str] = set()
    paths = list(paths)
    for raw in paths:
        if os.path.isdir(raw):
            if force_exclude and is_excluded(raw, root, list(excludes) + list(DEFAULT_EXCLUDES)):
                continue
            candidates = walk(raw, root, excludes, respect_gitignore, config_files)
        elif os.path.lexists(raw):
            if force_exclude and is_excluded(raw, root, excludes):
                continue
            candidates = [raw]
        else:
            missing.append(raw)
            continue
        if len(paths) == 1:  # one walk never yields a file twice
            files.extend(candidates)
            continue
        for c in candidates:
            key = os.path.abspath(c)
            if key not in seen:
                seen.add(key)
                files.append(c)
    return files, missing


def discover(
    paths: Iterable[str],
    *,
    root: Path,
    excludes: Sequence[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    config_files: bool = False,
) -> Discovery:
    """`discover_paths` with `Path` objects, for the rest of the pipeline."""
    from pathlib import Path

    files, missing = discover_paths(
        paths,
        root=str(root),
        excludes=excludes,
        respect_gitignore=respect_gitignore,
        force_exclude=force_exclude,
        config_files=config_files,
    )
    return Discovery(files=tuple(Path(f) for f in files), missing=tuple(missing))
