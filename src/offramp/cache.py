"""A content-hash cache of findings, so an unchanged tree is checked in a fraction of the time.

Keyed like Ruff's cache by tool version and settings, but by file *content* (not mtime), so
it stays valid across `git checkout`, CI caches and copied trees. One JSON file per settings
key under `.offramp_cache/`, replaced atomically: concurrent runs never see a torn file, the
last writer wins, and a corrupt or foreign file is simply ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Dict, Iterable, Optional, Tuple

from offramp import __version__
from offramp.types import FileResult, Finding, Span

CACHE_DIR_NAME = ".offramp_cache"
_FORMAT = 1


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def settings_key(options_repr: str) -> str:
    """Version, the shipped knowledge (rules/ data) and the options that change findings."""
    from offramp.catalog import rules_dir

    h = hashlib.sha256()
    h.update(f"{_FORMAT}\0{__version__}\0{options_repr}".encode())
    root = rules_dir()
    for path in sorted(root.rglob("*.toml")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:24]


class FindingsCache:
    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.file = directory / f"findings-{key}.json"
        self.entries: Dict[str, Tuple[str, list]] = {}
        self.dirty = False

    @classmethod
    def open(cls, directory: Path, key: str) -> FindingsCache:
        cache = cls(directory, key)
        try:
            raw = json.loads(cache.file.read_text(encoding="utf-8"))
            if raw.get("format") == _FORMAT:
                cache.entries = {p: (e[0], e[1]) for p, e in raw["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            cache.entries = {}
        return cache

    def digest(self, display: str) -> Optional[str]:
        entry = self.entries.get(display)
        return entry[0] if entry else None

    def result(self, display: str) -> FileResult:
        _, findings = self.entries[display]
        return FileResult(path=display, findings=tuple(_finding(d) for d in findings), parsed=True)

    def store(self, results: Iterable[Tuple[FileResult, Optional[str]]]) -> None:
        for result, digest in results:
            if digest is None:
                continue
            self.entries[result.path] = (digest, [_dict(f) for f in result.findings])
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Created by offramp automatically.\n*\n", encoding="utf-8")
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# offramp cache\n", encoding="utf-8")
            payload = json.dumps({"format": _FORMAT, "files": {p: list(e) for p, e in self.entries.items()}})
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".findings-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(payload)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a read-only checkout simply runs without a cache


def _dict(f: Finding) -> dict:
    d = asdict(f)
    d["span"] = [f.span.line, f.span.column, f.span.end_line, f.span.end_column]
    return d


def _finding(d: dict) -> Finding:
    d = dict(d)
    d["span"] = Span(*d["span"])
    return Finding(**d)
