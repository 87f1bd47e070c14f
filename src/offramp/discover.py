"""Turn command-line paths into the list of files to check.

Directories are walked for Python files, skipping what a user never wants linted (VCS
metadata, virtualenvs, build output) and what .gitignore ignores. Git itself answers the
.gitignore question when the tree is a repository (`git ls-files`: a tracked file is checked
even when a .gitignore matches it), because git's own matching is the only exactly right one;
outside a repository the .gitignore files are read with `pathspec`'s git semantics.

Paths are plain strings until `discover` returns: the no-parse path of `offramp check`
(`quickcheck`) walks with these same functions and must not pay for pathlib, dataclasses or
typing at start-up.
"""

from __future__ import annotations

import fnmatch
import os

from offramp.userconfig.kind import is_config_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

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


def _git_listing(directory: str) -> Optional[Tuple[Set[str], Set[str]]]:
    """What git would check under `directory`: (files, opaque directories), relative to it; None without git.

    `git ls-files --cached --others --exclude-standard` is the files git tracks (checked even
    when a .gitignore matches them, as git does) plus the untracked files no ignore rule
    matches, judged by git's own matcher with .git/info/exclude and core.excludesFile. Run in
    `directory`, it answers relative to it whatever its path from the cwd or through a link.
    Submodules and nested repositories are listed as a directory (git does not look inside):
    those are "opaque" and their subtree is judged by their own .gitignore files.
    """
    if not _in_git_work_tree(directory):
        return None  # what git would say (status 128), without starting it
    import subprocess  # lazy: start-up

    from offramp import gitsafe  # lazy: start-up

    try:
        proc = gitsafe.run(["ls-files", "--cached", "--others", "--exclude-standard", "-z"], directory, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:  # 128: not a repository (or one git refuses, e.g. another owner's)
        return None
    files: Set[str] = set()
    opaque: Set[str] = set()
    for raw in proc.stdout.split(b"\0"):
        if not raw:
            continue
        rel = os.fsdecode(raw)
        if rel.endswith("/"):  # an untracked nested repository
            opaque.add(rel[:-1])
        else:  # a submodule is listed like a file: the walk tells it by meeting a directory
            files.add(rel)
    return files, opaque


class _GitignoreMatcher:
    """Outside git: the .gitignore files read with `pathspec`'s git semantics, the deepest decisive rule winning.

    A walk never enters an ignored directory, so (as in git) a file below one cannot be
    re-included. `pathspec` is imported only when a .gitignore is found (~30 ms).
    """

    def __init__(self) -> None:
        self.specs: Dict[str, Any] = {}  # directory -> its GitIgnoreSpec (None: no .gitignore there)

    def add_dir(self, directory: str) -> Any:
        spec = self.specs.get(directory, False)
        if spec is not False:
            return spec
        spec = None
        try:
            with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:  # none here (or unreadable)
            lines = []
        if lines:
            from pathspec import GitIgnoreSpec  # lazy: start-up

            spec = GitIgnoreSpec.from_lines(lines)
        self.specs[directory] = spec
        return spec

    def ignored(self, path: str, is_dir: bool, bases: Sequence[str]) -> bool:
        """Whether `path` is ignored by the .gitignore files of `bases` (outermost first)."""
        for base in reversed(bases):
            spec = self.specs.get(base)
            if spec is None:
                continue
            rel = _relative(path, base)
            verdict = spec.check_file(rel + "/" if is_dir else rel).include
            if verdict is not None:
                return bool(verdict)
        return False


def _parents_below(directory: str, root: str) -> List[str]:
    """The directories from `root` down to `directory`'s parent, when `directory` lies below `root`."""
    real_dir, real_root = os.path.realpath(directory), os.path.realpath(root)
    rel = _relative(real_dir, real_root, outside="")
    if rel in ("", ".") or os.path.isabs(rel):
        return []
    parts = rel.split("/")[:-1]
    out = [real_root]
    for part in parts:
        out.append(os.path.join(out[-1], part))
    return out


def walk(
    directory: str, root: str, excludes: Sequence[str], respect_gitignore: bool, config_files: bool = False
) -> List[str]:
    """The files to check under `directory`, in a stable order: a directory's files (sorted), then its subdirectories.

    With `respect_gitignore`, git says what it ignores when `directory` is in a work tree (a
    tracked file is always checked); elsewhere the .gitignore files from `root` down are read.
    Symlinked directories are not entered (a link cannot make the walk loop; a bind mount is
    caught by the device/inode set). Unreadable directories are passed over, as `os.walk` does.
    A symlinked file whose target the walk finds too is left out: the file is checked and fixed
    once, as itself (the reader refuses links that leave the project, see rawread).
    """
    found: List[str] = []
    try:
        st = os.stat(directory)
    except OSError:
        return found
    listing = _git_listing(directory) if respect_gitignore else None
    matcher = _GitignoreMatcher() if respect_gitignore else None
    listed: Set[str] = set()
    opaque: Set[str] = set()
    git_dirs: Set[str] = set()
    top_bases: List[str] = []
    if listing is not None:
        listed, opaque = listing
        for rel in (*listed, *opaque):
            while "/" in rel:
                rel = rel.rsplit("/", 1)[0]
                if rel in git_dirs:
                    break
                git_dirs.add(rel)
    elif matcher is not None:
        top_bases = [d for d in _parents_below(directory, root) if matcher.add_dir(d) is not None]
    seen_dirs: Set[Tuple[int, int]] = {(st.st_dev, st.st_ino)}
    real_root = os.path.realpath(root)
    # (path, path relative to `directory`, .gitignore directories that apply, judged by git)
    stack: List[Tuple[str, str, List[str], bool]] = [(directory, "", top_bases, listing is not None)]
    links: List[str] = []
    while stack:
        here, rel_dir, bases, by_git = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=_name)
        except OSError:
            continue
        has_rules = matcher is not None and not by_git and any(e.name == ".gitignore" for e in entries)
        if has_rules and matcher is not None and matcher.add_dir(here) is not None:
            bases = [*bases, here]
        # Exclude patterns are judged on the real path relative to the root; the walk does not
        # follow links, so one realpath per directory serves all its entries.
        rel_here = _relative(os.path.realpath(here), real_root) if excludes else ""
        subdirs = []
        for entry in entries:
            name = entry.name
            path = entry.path
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if name in DEFAULT_EXCLUDES or _is_venv(path):
                    continue
                if excludes and _matches(_child(rel_here, name, path, real_root), excludes):
                    continue
                child_by_git = by_git
                if by_git:
                    if rel in opaque or rel in listed:  # a nested repository or a submodule: its own rules judge
                        child_by_git = False
                    elif rel not in git_dirs:
                        continue
                elif matcher is not None and matcher.ignored(path, True, bases):
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
                    subdirs.append((path, rel, [] if by_git else bases, child_by_git))
                continue
            if not (name.endswith(SOURCE_SUFFIXES) or (config_files and is_config_file(path))):
                continue
            if excludes and _matches(_child(rel_here, name, path, real_root), excludes):
                continue
            if by_git:
                if rel not in listed:
                    continue
            elif matcher is not None and matcher.ignored(path, False, bases):
                continue
            found.append(path)
            if entry.is_symlink():
                links.append(path)
        stack.extend(reversed(subdirs))
    if links:
        found = _without_links_to(found, links, directory)
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


# The last walk of `quickcheck`, which gives way to the full command line in the same process (entry.py): the
# full path walks the same tree with the same options, ~10 ms of a ~0.3 s warm check of 2,000 files. Taken once.
_handed: Optional[Tuple[Tuple[Any, ...], Tuple[List[str], List[str]]]] = None


def discover_paths(
    paths: Iterable[str],
    *,
    root: str,
    excludes: Sequence[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    config_files: bool = False,
    hand_over: bool = False,
) -> Tuple[List[str], List[str]]:
    """(files, missing paths). Explicit files are always kept (unless `force_exclude`), directories are walked.
    `hand_over`: keep the answer for the next call of this process with the same arguments (quickcheck)."""
    global _handed
    paths = list(paths)
    key = (tuple(paths), root, tuple(excludes), respect_gitignore, force_exclude, config_files, os.getcwd())
    handed, _handed = _handed, None
    if handed is not None and handed[0] == key:
        return list(handed[1][0]), list(handed[1][1])
    found = _discover_paths(paths, root, excludes, respect_gitignore, force_exclude, config_files)
    if hand_over:
        _handed = (key, (list(found[0]), list(found[1])))
    return found


def _discover_paths(
    paths: List[str],
    root: str,
    excludes: Sequence[str],
    respect_gitignore: bool,
    force_exclude: bool,
    config_files: bool,
) -> Tuple[List[str], List[str]]:
    files: List[str] = []
    missing: List[str] = []
    seen: Set[str] = set()
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
    from pathlib import Path  # lazy: start-up

    files, missing = discover_paths(
        paths,
        root=str(root),
        excludes=excludes,
        respect_gitignore=respect_gitignore,
        force_exclude=force_exclude,
        config_files=config_files,
    )
    return Discovery(files=tuple(Path(f) for f in files), missing=tuple(missing))
