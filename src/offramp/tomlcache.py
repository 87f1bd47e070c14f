"""TOML files parsed once per machine, not once per run: rules/, and the project's settings file.

Every run of `check` reads openai.toml, catalog.toml and wrappers.toml (~100 KB). `tomllib` is pure
Python: parsing them cost ~15-25 ms of a ~0.3 s warm check of a 2,000-file project after one edit
(bench/figures.py, figure 3), more than reading the project's changed files. The parsed documents
are kept as `marshal` in the user's offramp directory (userstore.py), named by the file's content
digest, so an edited or upgraded rules file is simply parsed again; each is signed with the machine
key like the tree's cache files (marshal is not safe on crafted input, and a copy from another
machine is ignored). A document marshal cannot hold (a TOML date) is parsed on every run. The same
goes for the settings file a run reads (pyproject.toml, offramp.toml): `tomllib` itself (~6 ms to
import) is then not imported at all by a warm run.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import sys

from offramp.userstore import machine_key, read_regular_file, replace_file, user_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

_VERSION = b"offramp parsed rules 1\0"


def parse(path: str) -> Dict[str, Any]:
    """The document of the TOML file at `path`. Its errors reach the caller as tomllib raises them: OSError,
    UnicodeDecodeError, or TOMLDecodeError (a ValueError)."""
    with open(path, "rb") as f:
        data = f.read()
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    name = os.path.basename(path).replace(".", "-")
    home, key = user_dir(), machine_key()
    kept = _kept(home, key, name, digest) if home is not None and key is not None else None
    if kept is not None:
        return kept
    doc = toml_module().loads(data.decode("utf-8"))
    if home is not None and key is not None:
        _keep(home, key, name, digest, doc)
    return doc


def derived(name: str, digest: str) -> Optional[Dict[str, Any]]:
    """A value computed from the rules and kept under `name` by `keep_derived` for `digest` (of the code and
    rules that computed it), verified as a parsed file is; None when there is none."""
    home, key = user_dir(), machine_key()
    return _kept(home, key, f"derived-{name}", digest) if home is not None and key is not None else None


def keep_derived(name: str, digest: str, value: Dict[str, Any]) -> None:
    """Keep `value` (marshal types only) for `derived`; the copy for another digest is replaced."""
    home, key = user_dir(), machine_key()
    if home is not None and key is not None:
        _keep(home, key, f"derived-{name}", digest, value)


def toml_module() -> Any:
    """tomllib (its backport tomli before Python 3.11), imported when a file is parsed."""
    if sys.version_info >= (3, 11):
        try:
            import tomllib  # lazy: start-up
        except ImportError:  # (a Python built without it: the backport, as on 3.9 and 3.10)
            import tomli as tomllib  # lazy: start-up
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib  # lazy: start-up
    return tomllib


def _file(home: str, name: str, digest: str) -> str:
    return os.path.join(home, "rules", f"{name}-{digest}.marshal")


def _mac(key: bytes, digest: str, payload: bytes) -> bytes:
    return hmac.new(key, _VERSION + digest.encode() + b"\0" + payload, hashlib.sha256).digest()


def _kept(home: str, key: bytes, name: str, digest: str) -> Optional[Dict[str, Any]]:
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


def _keep(home: str, key: bytes, name: str, digest: str, doc: Dict[str, Any]) -> None:
    """Write the parsed document (never fails a run: a read-only home simply parses every time)."""
    try:
        payload = marshal.dumps(doc, 4)
    except ValueError:  # (a TOML date or time: not a marshal type)
        return
    path = _file(home, name, digest)
    folder, base = os.path.split(path)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        for old in os.listdir(folder):  # an earlier version of the same file
            if old.startswith(f"{name}-") and old.endswith(".marshal") and old != base:
                os.unlink(os.path.join(folder, old))
        replace_file(path, _mac(key, digest, payload) + payload)  # (a copy that did not verify is replaced)
    except OSError:
        pass
