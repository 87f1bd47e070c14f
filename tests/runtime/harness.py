"""Run a Python program against the *real* OpenAI SDK with the network replaced.

Why
---
offramp rewrites code that uses the OpenAI SDK so it talks to an
OpenAI-compatible provider (DeepSeek, Qwen/DashScope, Zhipu GLM, Moonshot
Kimi, ...).  A rewrite that *looks* right can still send requests to
``api.openai.com``, with the wrong key or to a mangled path (the SDK's URL
joining has quirks).  The only convincing check is to run the rewritten
program with the real SDK and look at what it puts on the wire.

There is no network here (nor in CI), so :func:`run_program` starts the
program in a subprocess whose ``sitecustomize`` (``tests/runtime/_site``)
swaps the HTTP *transport* for a recorder that answers with canned
OpenAI-shaped JSON.  Everything above the transport -- client construction,
env var lookups, base-URL joining, auth headers, response parsing -- is the
real SDK code.  The recorded requests come back as :class:`CapturedRequest`.

Loud failure, never a silent pass
---------------------------------
:func:`run_program` raises :class:`HarnessError` when

* the program exits non-zero (the message carries its stdout/stderr),
* the program tried to reach the network by a path that was not intercepted
  (``socket.getaddrinfo``/``connect`` to a non-loopback host) -- even if the
  program caught the resulting exception and exited 0,
* the interceptor did not load at all (no ``boot`` record),
* the program runs longer than ``timeout``.

Isolation
---------
The child gets a *clean* environment: only ``PATH``, a throw-away ``HOME``
(so no ``~/.netrc`` or user config can inject credentials), a few locale /
OS essentials, ``PYTHONPATH`` pointing at the interceptor, and exactly the
``env`` the test passes.  ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` etc. of
the developer running the tests never leak in.

SDK flavours
------------
``sdk="v1"``: the interpreter running the tests (it must have ``openai``
installed; today openai 3.x on ``httpx2``), or ``$OFFRAMP_V1_PYTHON``.

``sdk="v0"``: legacy ``openai==0.28.1`` (``requests`` + ``aiohttp``), which
cannot live next to openai>=1 and so gets its own virtualenv, built once and
reused: see :func:`ensure_v0_venv`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "SITE_DIR",
    "V0_OPENAI_VERSION",
    "V0_REQUIREMENTS",
    "CapturedRequest",
    "HarnessError",
    "RunResult",
    "ensure_v0_venv",
    "run_program",
    "run_program_full",
    "v0_venv_dir",
]

#: Directory put on the child's PYTHONPATH; holds only ``sitecustomize.py``.
SITE_DIR = Path(__file__).resolve().parent / "_site"

#: The legacy SDK the v0 tests run against.
V0_OPENAI_VERSION = "0.28.1"

#: Everything installed into the v0 venv.  numpy because openai 0.28.1's
#: ``Embedding.create`` refuses to run without it (it always asks for base64
#: vectors and decodes them with numpy) -- real 0.x users had it installed.
V0_REQUIREMENTS = (f"openai=={V0_OPENAI_VERSION}", "numpy")

#: Env var naming the JSON-lines capture file inside the child.
CAPTURE_ENV = "OFFRAMP_CAPTURE_FILE"

# Host environment variables the child may inherit: needed to start a
# process at all (PATH, SYSTEMROOT on Windows) or to keep text I/O sane.
# Nothing credential- or SDK-related belongs here.
_PASSTHROUGH_ENV = (
    "PATH",
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "WINDIR",
    "COMSPEC",
    "PATHEXT",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
)


class HarnessError(AssertionError):
    """The program failed, escaped interception, or the harness itself broke.

    Subclasses ``AssertionError`` so pytest reports it as a test failure
    with the full message (child stderr included).
    """


@dataclass(frozen=True)
class CapturedRequest:
    """One HTTP request the program sent, as seen at the transport level."""

    method: str
    url: str
    host: str
    path: str
    headers: dict[str, str]  # header names lower-cased; repeated headers joined with ", "
    json: Any | None  # parsed JSON body, or None when the body is empty / not JSON
    body: bytes = field(default=b"", repr=False)  # raw body bytes (multipart uploads etc.)
    via: str = ""  # which patched hook saw it, e.g. "httpx2.HTTPTransport"

    @property
    def authorization(self) -> str | None:
        """The ``Authorization`` header, if any."""
        return self.headers.get("authorization")

    @property
    def bearer(self) -> str | None:
        """The token of an ``Authorization: Bearer <token>`` header, if any."""
        auth = self.authorization
        if auth and auth[:7].lower() == "bearer ":
            return auth[7:]
        return None

    @property
    def query(self) -> str:
        return urlsplit(self.url).query


@dataclass(frozen=True)
class RunResult:
    """Everything :func:`run_program_full` observed about one run."""

    requests: list[CapturedRequest]
    stdout: str
    stderr: str
    returncode: int
    records: list[dict[str, Any]]  # raw capture records (boot, patched, request, blocked, ...)
    duration: float

    @property
    def patched(self) -> list[str]:
        """Names of the hooks the interceptor installed in the child."""
        out: list[str] = []
        for rec in self.records:
            if rec.get("kind") == "patched":
                out.extend(rec.get("what", []))
        return out


# ---------------------------------------------------------------------------
# v0 virtualenv
# ---------------------------------------------------------------------------

_V0_PYTHON_CACHE: dict[Path, Path] = {}


def _venv_python(venv: Path) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def v0_venv_dir() -> Path:
    """Where the legacy-SDK virtualenv lives.

    ``$OFFRAMP_V0_VENV`` if set; otherwise a per-Python-version directory in
    the user cache (``$XDG_CACHE_HOME`` or ``~/.cache``), so it survives
    across test sessions and fresh clones on the same machine.
    """
    override = os.environ.get("OFFRAMP_V0_VENV")
    if override:
        return Path(override).expanduser().resolve()
    cache_root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return cache_root / "offramp" / "test-venvs" / f"openai-{V0_OPENAI_VERSION}-{tag}"


def _stamp_for(venv: Path) -> Path:
    return venv / "offramp-harness-ready.json"


def _venv_ready(venv: Path) -> bool:
    stamp = _stamp_for(venv)
    if not stamp.is_file() or not _venv_python(venv).exists():
        return False
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("requirements") == list(V0_REQUIREMENTS)


def _run_checked(cmd: list[str], what: str, timeout: float = 900) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise HarnessError(
            f"{what} failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )


def _build_v0_venv(venv: Path) -> None:
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    py = _venv_python(venv)
    # Fast path: a pip-less venv filled by the *outer* pip (`pip --python`,
    # pip >= 22.3) skips ensurepip, which is most of venv creation time.
    outer_pip = (
        subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True).returncode == 0
    )
    if outer_pip:
        _run_checked([sys.executable, "-m", "venv", "--without-pip", str(venv)], "creating v0 venv")
        installer = [sys.executable, "-m", "pip", "--python", str(py)]
    else:
        _run_checked([sys.executable, "-m", "venv", str(venv)], "creating v0 venv")
        installer = [str(py), "-m", "pip"]
    _run_checked(
        [
            *installer,
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            *V0_REQUIREMENTS,
        ],
        f"installing {' '.join(V0_REQUIREMENTS)} into {venv}",
    )
    # Prove the install imports before declaring the venv ready.
    _run_checked(
        [
            str(py),
            "-c",
            f"import openai, requests, aiohttp, numpy; assert openai.version.VERSION == {V0_OPENAI_VERSION!r}",
        ],
        "checking the v0 venv",
    )
    _stamp_for(venv).write_text(
        json.dumps({"requirements": list(V0_REQUIREMENTS), "python": sys.version, "created": time.time()}),
        encoding="utf-8",
    )


def ensure_v0_venv(venv: Path | None = None) -> Path:
    """Return the python of a virtualenv with ``openai==0.28.1``, building it if needed.

    Built at most once per machine (a stamp file marks a finished build, so
    an interrupted build is redone, not trusted) and memoised per process.
    Concurrent builders (pytest-xdist workers) serialise on a lock file.
    """
    venv = (venv or v0_venv_dir()).resolve()
    cached = _V0_PYTHON_CACHE.get(venv)
    if cached is not None:
        return cached
    if not _venv_ready(venv):
        venv.parent.mkdir(parents=True, exist_ok=True)
        lock_path = venv.parent / (venv.name + ".lock")
        with open(lock_path, "a+") as lock:
            try:
                import fcntl

                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            except ImportError:  # Windows: no lock, accept the (rare) race
                pass
            if not _venv_ready(venv):
                _build_v0_venv(venv)
    py = _venv_python(venv)
    _V0_PYTHON_CACHE[venv] = py
    return py


# ---------------------------------------------------------------------------
# Running a program
# ---------------------------------------------------------------------------


def _child_env(env: dict[str, str], capture_file: Path, home: Path) -> dict[str, str]:
    child: dict[str, str] = {k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ}
    child.setdefault("PATH", os.defpath)
    child.update(
        {
            "HOME": str(home),
            "USERPROFILE": str(home),
            "PYTHONPATH": str(SITE_DIR),
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONUNBUFFERED": "1",
            CAPTURE_ENV: str(capture_file),
        }
    )
    for key, value in env.items():
        if not isinstance(value, str):
            raise TypeError(f"env[{key!r}] must be a str, got {type(value).__name__}")
        if key in (CAPTURE_ENV, "PYTHONPATH"):
            raise ValueError(f"env may not override {key}: the interceptor depends on it")
        child[key] = value
    return child


def _headers_dict(pairs: list[list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _to_captured(rec: dict[str, Any]) -> CapturedRequest:
    body = base64.b64decode(rec.get("body_b64") or "")
    parsed: Any | None = None
    if body:
        try:
            parsed = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            parsed = None
    parts = urlsplit(rec["url"])
    return CapturedRequest(
        method=rec["method"],
        url=rec["url"],
        host=(parts.hostname or ""),
        path=parts.path,
        headers=_headers_dict(rec.get("headers", [])),
        json=parsed,
        body=body,
        via=rec.get("via", ""),
    )


def _read_records(capture_file: Path) -> list[dict[str, Any]]:
    if not capture_file.exists():
        return []
    records = []
    for n, line in enumerate(capture_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError as exc:
            raise HarnessError(f"corrupt capture record on line {n} of {capture_file}: {line!r}") from exc
    return records


def _python_for(sdk: str) -> Path:
    if sdk == "v1":
        return Path(os.environ.get("OFFRAMP_V1_PYTHON") or sys.executable)
    if sdk == "v0":
        return ensure_v0_venv()
    raise ValueError(f"sdk must be 'v0' or 'v1', not {sdk!r}")


def run_program_full(
    source: str | Path,
    *,
    env: dict[str, str],
    sdk: str = "v1",
    tmp_path: Path,
    timeout: float = 60,
    python: str | Path | None = None,
    check: bool = True,
) -> RunResult:
    """Like :func:`run_program` but returns stdout/stderr/records as well.

    ``source`` is program text (``str``) or a path to a ``.py`` file (run in
    place, so its sibling modules import).  ``python`` overrides the
    interpreter chosen by ``sdk``.  With ``check=False`` a non-zero exit is
    returned instead of raised; escaping interception always raises.
    """
    tmp_path = Path(tmp_path)
    run_dir = tmp_path / f"offramp-run-{time.monotonic_ns()}"
    run_dir.mkdir(parents=True)
    home = run_dir / "home"
    home.mkdir()
    capture_file = run_dir / "capture.jsonl"

    if isinstance(source, Path):
        script = source.resolve()
        if not script.is_file():
            raise HarnessError(f"program file not found: {script}")
    else:
        script = run_dir / "program.py"
        script.write_text(textwrap.dedent(source), encoding="utf-8")

    interpreter = Path(python) if python is not None else _python_for(sdk)
    cmd = [str(interpreter), str(script)]
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            cwd=str(run_dir),
            env=_child_env(env, capture_file, home),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise HarnessError(
            f"program timed out after {timeout}s: {script}\n"
            f"--- stdout ---\n{exc.stdout or ''}\n--- stderr ---\n{exc.stderr or ''}"
        ) from None
    duration = time.monotonic() - started

    records = _read_records(capture_file)

    def _details() -> str:
        return (
            f"program: {script} (interpreter {interpreter}, exit {proc.returncode})\n"
            f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
        )

    if not any(r.get("kind") == "boot" for r in records):
        raise HarnessError(
            "the network interceptor (tests/runtime/_site/sitecustomize.py) did not load in the child; "
            "requests would not have been intercepted\n" + _details()
        )
    blocked = [r for r in records if r.get("kind") == "blocked"]
    if blocked:
        lines = "\n".join(
            f"  {r['what']} -> {r.get('host')!r}:{r.get('port')!r}\n{r.get('stack', '')}" for r in blocked
        )
        raise HarnessError(
            f"the program attempted {len(blocked)} network access(es) that bypassed the intercepted "
            f"transports (they would have been real requests):\n{lines}\n" + _details()
        )
    patch_errors = [r for r in records if r.get("kind") == "patch_error"]
    if patch_errors:
        raise HarnessError(f"the interceptor failed to patch: {patch_errors}\n" + _details())
    if check and proc.returncode != 0:
        raise HarnessError("program exited non-zero\n" + _details())

    requests = [_to_captured(r) for r in records if r.get("kind") == "request"]
    return RunResult(
        requests=requests,
        stdout=proc.stdout,
        stderr=proc.stderr,
        returncode=proc.returncode,
        records=records,
        duration=duration,
    )


def run_program(
    source: str | Path,
    *,
    env: dict[str, str],
    sdk: str = "v1",
    tmp_path: Path,
    timeout: float = 60,
) -> list[CapturedRequest]:
    """Run ``source`` with the real SDK and return the requests it sent, in order.

    ``env`` is the *complete* set of application environment variables the
    program sees (provider keys etc.); nothing else leaks from the caller.
    Raises :class:`HarnessError` on a non-zero exit, an un-intercepted
    network attempt, or a timeout.
    """
    return run_program_full(source, env=env, sdk=sdk, tmp_path=tmp_path, timeout=timeout).requests
