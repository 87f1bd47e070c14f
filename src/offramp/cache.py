"""A content-hash cache of findings, so an unchanged tree is checked in a fraction of the time.

Keyed like Ruff's cache by tool version and settings, but by file *content* (not mtime), so
it stays valid across `git checkout` and copied trees. One file per settings key under
`.offramp_cache/` in the project root, replaced atomically: concurrent runs never see a torn
file, the last writer wins, and a corrupt or foreign file is simply ignored.

The directory sits in a tree that strangers write (a pull request can commit a cache whose
findings are blanked), so each file is signed: an HMAC-SHA256 with a per-machine key kept
outside every tree (`cache-key`, 32 random bytes, mode 0600, in the user cache directory:
`$XDG_CACHE_HOME/offramp`, else `~/.cache/offramp`, `~/Library/Caches/offramp` on macOS,
`%LOCALAPPDATA%\\offramp` on Windows). A file that does not verify is ignored; with no usable
key there is no cache. CI that keeps `.offramp_cache` between runs keeps that key with it.
Links and special files where the cache's files belong are never followed, and a write that
fails (a full disk) leaves no partial or temporary file behind.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import marshal
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Type, TypeVar

from offramp import __version__
from offramp.catalog import rules_dir
from offramp.redact import redact
from offramp.types import FileResult, Finding, Premise, Span
from offramp.userstore import create_once, machine_key, read_regular_file, replace_file

CACHE_DIR_NAME = ".offramp_cache"
_FORMAT = 3
_CACHEDIR_TAG = b"Signature: 8a477f597d28d172789f06886806bc55\n# offramp cache\n"  # bford.net/cachedir


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def code_stamp(package: Optional[Path] = None) -> bytes:
    """offramp's own modules by name, size and mtime: an edited development checkout (same version
    number) must not serve findings its old code made. A stat per module: ~0.7 ms for ~200 files
    (`Path.rglob` took ~3-4 ms of a ~0.19 s warm check)."""
    rows = []
    for rel, entry in _files_under(os.fspath(package or Path(__file__).resolve().parent), ".py"):
        st = entry.stat()
        rows.append(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}")
    return "\n".join(rows).encode()


def _files_under(root: str, suffix: str) -> List[Tuple[str, os.DirEntry[str]]]:
    """The files named `*suffix` below `root` (links not followed), by their relative POSIX path, sorted."""
    out = []
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel)) as it:
                for entry in it:
                    name = f"{rel}/{entry.name}" if rel else entry.name
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(name)
                    elif entry.name.endswith(suffix):
                        out.append((name, entry))
        except OSError:
            continue
    return sorted(out, key=lambda item: item[0])


def settings_key(options_repr: str) -> str:
    """Version, offramp's code and shipped knowledge (rules/ data) and the options that change findings."""
    h = hashlib.sha256()
    h.update(f"{_FORMAT}\0{__version__}\0{options_repr}".encode())
    h.update(own_stamp())
    return h.hexdigest()[:24]


# (the code stamp function, the rules directory) -> the digest of offramp's code and rules, for this process: a run
# asks for two keys (the findings cache and the project's), and each stat of ~200 modules and read of the rules
# cost ~3 ms of a ~0.2 s warm check. Keyed by the function so that a test's replacement of it is honoured.
_stamps: Dict[Tuple[Any, Path], bytes] = {}


def own_stamp() -> bytes:
    """The digest of offramp's code and shipped rules (what `settings_key` keys on), once a process."""
    return _own_stamp(code_stamp, rules_dir())


def _own_stamp(stamp: Any, root: Path) -> bytes:
    got = _stamps.get((stamp, root))
    if got is None:
        h = hashlib.sha256(stamp())
        for rel, entry in _files_under(os.fspath(root), ".toml"):
            h.update(rel.encode())
            with open(entry.path, "rb") as f:
                h.update(f.read())
        got = _stamps[(stamp, root)] = h.digest()
    return got


_C = TypeVar("_C", bound="FindingsCache")


class FindingsCache:
    #: The kind of file, in its signature: a file of one kind never verifies as another's (`_mac`).
    _CONTEXT = "offramp findings cache"

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.file = directory / f"findings-{key}.bin"
        self.key = key
        self.entries: Dict[str, Tuple[str, Any]] = {}  # (the index cache's values are dicts and tuples)
        # display -> (code_shape, the premise's hits, its findings as stored): the last LibCST analysis of
        # the file, which a comment edit reuses (runner._triage); decoded into findings only when used
        self.premises: Dict[str, Tuple[str, Any, Any]] = {}
        self.dirty = False

    @classmethod
    def open(cls: Type[_C], directory: Path, key: str) -> _C:
        cache = cls(directory, key)
        data = None if os.path.islink(directory) else read_regular_file(cache.file)
        secret = None if data is None else machine_key()
        if data is None or secret is None:
            return cache
        header, _, payload = data.partition(b"\n")
        try:
            mac = json.loads(header)["mac"]
            if not hmac.compare_digest(str(mac), cache._mac(secret, payload)):
                return cache
            cache.entries = cache._decode(payload)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError):
            cache.entries = {}
        return cache

    def _encode(self) -> bytes:
        """The entries as the signed payload: (digest, findings), and a file's premise after them. `marshal`, not
        JSON: ~0.3 ms to write and ~0.5 ms to read the bench project's ~120 entries, against ~3 and ~2.5 ms.
        Nothing is decoded before the signature is verified (`open`)."""
        premises = self.premises
        return marshal.dumps({p: (*e, *premises.get(p, ())) for p, e in self.entries.items()}, 4)

    def _decode(self, payload: bytes) -> Dict[str, Tuple[str, Any]]:
        raw = marshal.loads(payload)
        if not isinstance(raw, dict):
            raise ValueError(f"not a {type(self).__name__}")
        self.premises = {p: (e[2], e[3], e[4]) for p, e in raw.items() if len(e) == 5}
        return {p: (e[0], e[1]) for p, e in raw.items()}

    def _mac(self, secret: bytes, payload: bytes) -> str:
        context = f"{self._CONTEXT}\0{_FORMAT}\0{self.key}\0".encode()
        return hmac.new(secret, context + payload, hashlib.sha256).hexdigest()

    def digest(self, display: str) -> Optional[str]:
        entry = self.entries.get(display)
        return entry[0] if entry else None

    def result(self, display: str) -> FileResult:
        _, findings = self.entries[display]
        return FileResult(path=display, findings=tuple(finding_from_data(d) for d in findings), parsed=True)

    def store(self, results: Iterable[Tuple[FileResult, Optional[str]]]) -> None:
        for result, digest in results:
            if digest is None:
                continue
            self.entries[result.path] = (digest, [finding_data(f) for f in result.findings])
            self.dirty = True

    def premise(self, display: str) -> Optional[Tuple[str, Premise]]:
        """(code_shape, premise) of the file's last LibCST analysis, if one was kept."""
        kept = self.premises.get(display)
        if kept is None:
            return None
        shape, hits, findings = kept
        try:
            premise = Premise(tuple(finding_from_data(d) for d in findings), tuple((str(c), int(n)) for c, n in hits))
        except (TypeError, ValueError, KeyError):
            return None
        return (shape, premise) if isinstance(shape, str) else None

    def keep_premise(self, display: str, shape: str, premise: Premise) -> None:
        self.premises[display] = (shape, [list(h) for h in premise.hits], [finding_data(f) for f in premise.findings])
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        secret = machine_key()
        if secret is None:
            return
        try:
            if os.path.islink(self.directory):
                return  # a link in the tree must not carry our writes elsewhere
            self.directory.mkdir(parents=True, exist_ok=True)
            if os.path.islink(self.directory):
                return
            create_once(self.directory / ".gitignore", b"# Created by offramp automatically.\n*\n")
            create_once(self.directory / "CACHEDIR.TAG", _CACHEDIR_TAG)
            payload = self._encode()
            header = json.dumps({"format": _FORMAT, "mac": self._mac(secret, payload)}).encode()
            replace_file(self.file, header + b"\n" + payload)
        except OSError:
            pass  # a read-only checkout or a full disk simply runs without a cache


class MarshalCache(FindingsCache):
    """A signed cache of `marshal`led values under file names, without the findings cache's premises: nested
    tuples, dicts and bytes (JSON gave lists back: converting them cost 2.4 s of a 6 s warm run on the SDK
    corpora). `_stored` is what is written (a subclass masks there)."""

    def _stored(self) -> Dict[str, Tuple[str, Any]]:
        return self.entries

    def _encode(self) -> bytes:
        return marshal.dumps(self._stored(), 4)

    def _decode(self, payload: bytes) -> Dict[str, Tuple[str, Any]]:
        raw = marshal.loads(payload)
        if not isinstance(raw, dict):
            raise ValueError(f"not a {type(self).__name__}")
        return {p: (e[0], e[1]) for p, e in raw.items()}


def default_directory(root: Path, has_config: bool, paths: Sequence[str]) -> Path:
    """`.offramp_cache` in the project root of what is checked, never in an unrelated current directory.

    The root is the config file's directory when there is one; otherwise the current directory,
    unless the first path lies outside it (`check ../other`): then that directory (a file's parent).
    """
    if has_config or not paths:
        return root / CACHE_DIR_NAME
    first = os.path.abspath(paths[0])
    cwd = os.getcwd()
    if first == cwd or first.startswith(cwd.rstrip(os.sep) + os.sep) or not os.path.exists(first):
        return root / CACHE_DIR_NAME
    return Path(first if os.path.isdir(first) else os.path.dirname(first), CACHE_DIR_NAME)


def finding_data(f: Finding) -> dict:
    d = asdict(f)
    d["message"], d["hint"] = redact(f.message), redact(f.hint)  # never a secret on disk (made masked already)
    d["span"] = [f.span.line, f.span.column, f.span.end_line, f.span.end_column]
    return d


def finding_from_data(d: dict) -> Finding:
    d = dict(d)
    d["span"] = Span(*d["span"])
    return Finding(**d)
