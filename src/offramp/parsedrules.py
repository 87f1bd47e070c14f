"""rules/ files parsed once per machine, not once per run.

Every run of `check` reads openai.toml, catalog.toml and wrappers.toml (~100 KB). `tomllib` is pure
Python: parsing them cost ~15-25 ms of a ~0.3 s warm check of a 2,000-file project after one edit
(bench/figures.py, figure 3), more than reading the project's changed files. The parsed documents
are kept as `marshal` in the user's offramp directory (userstore.py), named by the file's content
digest, so an edited or upgraded rules file is simply parsed again; each is signed with the machine
key like the tree's cache files (marshal is not safe on crafted input, and a copy from another
machine is ignored). A document marshal cannot hold (a TOML date) is parsed on every run.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import sys
from typing import Any, Dict, Optional

from offramp.userstore import machine_key, read_regular_file, replace_file, user_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

_VERSION = b"offramp parsed rules 1\0"


def parse(path: str) -> Dict[str, Any]:
    """The document of the TOML file at `path` (its errors reach the caller, as tomllib raises them)."""
    with open(path, "rb") as f:
        data = f.read()
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    name = os.path.basename(path).replace(".", "-")
    home, key = user_dir(), machine_key()
    kept = _kept(home, key, name, digest) if home is not None and key is not None else None
    if kept is not None:
        return kept
    doc = tomllib.loads(data.decode("utf-8"))
    if home is not None and key is not None:
        _keep(home, key, name, digest, doc)
    return doc


def _file(home: Any, name: str, digest: str) -> Any:
    return home / "rules" / f"{name}-{digest}.marshal"


def _mac(key: bytes, digest: str, payload: bytes) -> bytes:
    return hmac.new(key, _VERSION + digest.encode() + b"\0" + payload, hashlib.sha256).digest()


def _kept(home: Any, key: bytes, name: str, digest: str) -> Optional[Dict[str, Any]]:
    data = read_regular_file(_file(home, name, digest), 16 << 20)
    if data is None or len(data) < 32:
        return None
    mac, payload = data[:32], data[32:]
    if not hmac.compare_digest(mac, _mac(key, digest, payload)):
        return None
    try:
        doc = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return doc if isinstance(doc, dict) else None


def _keep(home: Any, key: bytes, name: str, digest: str, doc: Dict[str, Any]) -> None:
    """Write the parsed document (never fails a run: a read-only home simply parses every time)."""
    try:
        payload = marshal.dumps(doc, 4)
    except ValueError:  # (a TOML date or time: not a marshal type)
        return
    path = _file(home, name, digest)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in path.parent.glob(f"{name}-*.marshal"):  # an earlier version of the same file
            if old.name != path.name:
                old.unlink()
        replace_file(path, _mac(key, digest, payload) + payload)  # (a copy that did not verify is replaced)
    except OSError:
        pass
