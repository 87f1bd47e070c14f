"""Which lines changed since a git ref: the basis of `--diff-base`, like Semgrep's baseline commit.

We ask git (merge-base, then a zero-context diff of the working tree against it, with rename
detection) instead of parsing history ourselves; new untracked files count as changed whole.
git runs with every command the scanned repository configures switched off (see gitsafe), so
it never fetches: in a partial clone whose base objects are missing, the error says so.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from offramp import gitsafe
from offramp.settings import ConfigError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class ChangedLines:
    """Changed line numbers per absolute path; `None` means the whole file is new."""

    files: Dict[Path, Optional[Set[int]]]

    def covers(self, path: Path, first: int, last: int) -> bool:
        key = Path(os.path.abspath(path))
        if key not in self.files:
            return False
        lines = self.files[key]
        return lines is None or any(n in lines for n in range(first, last + 1))


def _git(args: List[str], cwd: Path, env: Dict[str, str]) -> str:
    try:
        proc = gitsafe.run(args, str(cwd), env=env)
    except (OSError, subprocess.SubprocessError) as e:
        raise ConfigError(f"--diff-base needs git: {e}") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip().splitlines()
        raise ConfigError(f"--diff-base: git {' '.join(args[:2])} failed: {msg[-1] if msg else proc.returncode}")
    return proc.stdout.decode("utf-8", errors="surrogateescape")


def changed_lines(ref: str, cwd: Path) -> ChangedLines:
    try:
        env = gitsafe.neutralised_env(str(cwd))
    except gitsafe.GitUnsafe as e:
        raise ConfigError(f"--diff-base: {e}") from None
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd, env).strip())
    base = _git(["merge-base", ref, "HEAD"], cwd, env).strip()
    quiet = ["--no-color", "--no-ext-diff", "--no-textconv", "--ignore-submodules=all"]
    diff = _git(["diff", "--unified=0", *quiet, "-M", base, "--"], top, env)
    files: Dict[Path, Optional[Set[int]]] = {}
    current: Optional[Path] = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = None if name == "/dev/null" else Path(os.path.abspath(top / _strip_prefix(name)))
            if current is not None:
                files.setdefault(current, set())
        elif line.startswith("new file mode") and current is not None:
            pass
        elif current is not None:
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
                lines = files.get(current)
                if lines is not None:
                    lines.update(range(start, start + count))
    for name in _git(["ls-files", "--others", "--exclude-standard", "-z"], top, env).split("\0"):
        if name:
            files[Path(os.path.abspath(top / name))] = None
    return ChangedLines(files)


def _strip_prefix(name: str) -> str:
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode()
    return name[2:] if name.startswith(("b/", "a/")) else name


def split_by_change(findings: List, root: Path, changes: ChangedLines) -> Tuple[List, List]:
    kept: List = []
    dropped: List = []
    for f in findings:
        (kept if changes.covers(root / f.path, f.span.line, f.span.end_line) else dropped).append(f)
    return kept, dropped
