"""The readers of a fix run's configuration files, from its Python code before and after the fix.

`offramp fix` fixes the Python files first; then each configuration file with the `FileReaders`
this module derives (`offramp.userconfig.readers`): the view before is taken before any file is
written, the view after from the fixed texts (the same with `--diff`, where nothing is written).
Nothing is indexed when no configuration file of the run would change even with every reader
migrated, which is the common case (most trees hold no OpenAI settings outside the code).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from offramp.configkind import config_kind
from offramp.providers import Provider
from offramp.source import SourceError, read_bytes
from offramp.userconfig.compose import is_compose_file
from offramp.userconfig.readers import View, build_view, env_readers, structured_readers
from offramp.userconfig.together import UNKNOWN, FileReaders


class ConfigReaders:
    """Built with the run's files before anything is fixed; `after(...)` once the Python files are."""

    def __init__(
        self,
        files: Sequence[Path],
        root: Path,
        provider: Provider,
        display: Callable[[Path], str],
        would_change: Callable[[Path], Optional[List[str]]],
    ) -> None:
        """`would_change(path)`: None when the configuration file would not change with every reader
        migrated, else the variables it defines (empty for a structured file)."""
        self.root = root
        self.provider = provider
        self.by_display: Dict[str, Path] = {display(p): p for p in files}
        self.pys = [d for d in self.by_display if d.endswith(".py")]
        self.wanted: Dict[Path, List[str]] = {}
        for p in files:
            if config_kind(p) is None or p.suffix in (".py", ".ipynb"):
                continue
            try:
                names = would_change(p)
            except Exception:  # the fix of that file reports it; here it is only a candidate less
                names = None
            if names is not None:
                self.wanted[p] = names
        self.displays = {p: display(p) for p in self.wanted}
        self.compose: List[Tuple[Path, str]] = []
        if any(config_kind(p) == "env" for p in self.wanted):
            for p in files:
                if is_compose_file(p.name):
                    data = self._disk(display(p))
                    if data is not None:
                        self.compose.append((Path(os.path.abspath(p)), data.decode("utf-8", "replace")))
        self.names = sorted({n for ns in self.wanted.values() for n in ns})
        self.before: Optional[View] = None
        self.failed = ""
        if self.wanted and self.pys:
            try:
                self.before = build_view(self.pys, self._disk, root, self.names)
            except Exception as e:  # never a crash of the fix: the files are then left as they are
                self.failed = f"{type(e).__name__}: {e}".splitlines()[0]

    def _disk(self, display: str) -> Optional[bytes]:
        path = self.by_display.get(display)
        try:
            return read_bytes(path, self.root) if path is not None else None
        except (SourceError, OSError):
            return None

    def after(self, new_texts: Dict[str, bytes]) -> Dict[str, FileReaders]:
        """The readers of each configuration file that could change, by `key(path)`; `new_texts`: the
        fixed Python files by display path."""
        if not self.wanted:
            return {}
        if self.failed:
            why = f"offramp could not work out who reads it (internal error: {self.failed})"
            return {key(p): FileReaders(UNKNOWN, why=why) for p in self.wanted}
        if self.before is None:
            return {key(p): FileReaders(UNKNOWN, why="no Python code in this run reads it") for p in self.wanted}

        def read(display: str) -> Optional[bytes]:
            return new_texts[display] if display in new_texts else self._disk(display)

        try:
            after = build_view(self.pys, read, self.root, self.names)
            out: Dict[str, FileReaders] = {}
            for p, names in self.wanted.items():
                if config_kind(p) == "env":
                    display = self.displays[p]
                    out[key(p)] = env_readers(
                        display, names, self.before, after, self.provider, self.root, self.pys, self.compose
                    )
                else:
                    out[key(p)] = structured_readers(p, after, self.provider, self.root)
        except Exception as e:
            self.failed = f"{type(e).__name__}: {e}".splitlines()[0]
            return self.after(new_texts)
        return out


def key(path: Path) -> str:
    """A file's key in `ConfigReaders.after`: the same file given as a relative or an absolute path."""
    return os.path.abspath(path)
