"""Run many programs under the harness for the price of one interpreter start-up.

Why
---
Importing the openai SDK costs about a second of CPU per process; the runtime tests run
every program for every shipped provider (13 x 7), so starting a fresh interpreter per
program would spend most of the suite's time importing the same package.  ``run_batch``
starts *one* harness child (same interpreter, same interceptor, same clean environment as
:func:`harness.run_program`), imports the SDK there once, and then ``fork()``\\ s a child per
program.  Each forked child gets

* its own capture file (the interceptor's ``_CAPTURE_FILE`` is re-pointed, and a ``boot``
  record is written, so a child that was never intercepted is still detected),
* exactly the environment :func:`harness.run_program` would give it (``os.environ`` is
  replaced before the program runs),
* its own working directory, ``sys.argv``, ``sys.path[0]`` and stdout/stderr files,
* a fresh copy of every module-level setting (fork copies the parent, which never used the
  SDK, so no client, key or base URL leaks from one program into the next).

The one thing a fork cannot redo is reading the environment *at SDK import time*
(openai 0.x reads ``OPENAI_API_KEY``/``OPENAI_API_BASE``/... then; 1.x reads
``OPENAI_API_TYPE``).  So the parent imports the SDK under the variables all jobs share, and
``run_batch`` refuses a batch whose jobs differ in any ``OPENAI*``/``AZURE*`` variable.

Every job is then checked like :func:`harness.run_program_full` checks a process: non-zero
exit, a missing ``boot`` record, an un-intercepted network attempt or a patch error make
that job (only) fail, with its stdout/stderr in the message.

Without ``os.fork`` (Windows) every job simply runs in its own process through the harness.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import harness

__all__ = ["Job", "JobResult", "run_batch"]

_IMPORT_TIME_ENV = re.compile(r"^(OPENAI|AZURE)")

# Runs inside the harness child.  Standard library only; must work on every Python the
# harness supports (the v0 venv uses the same interpreter version as the tests).
_DRIVER = r"""
import json, os, runpy, signal, sys, traceback

spec = json.load(open(os.environ["OFFRAMP_BATCH_SPEC"], encoding="utf-8"))
for name in spec["preload"]:
    __import__(name)
import sitecustomize  # the interceptor, already loaded by `site`


def _warm_up():
    # What every program would otherwise pay again in its fork (~70 of ~90 ms a program): the HTTP stack
    # and the resource modules the SDK imports lazily, the pydantic schemas of the common responses, the
    # platform headers, and the CA bundle each client's SSL context loads (the transports are
    # intercepted: no context is ever used for a connection, so one per set of arguments is shared).
    # Nothing is sent and no module-level setting of the SDK is touched.
    import ssl

    made = {}
    create = ssl.create_default_context

    def create_default_context(purpose=ssl.Purpose.SERVER_AUTH, *, cafile=None, capath=None, cadata=None):
        key = (purpose, cafile, capath, cadata)
        if key not in made:
            made[key] = create(purpose, cafile=cafile, capath=capath, cadata=cadata)
        return made[key]

    ssl.create_default_context = create_default_context
    try:
        # openai 3.x on httpx2 builds each client's context with httpcore2's own default_ssl_context
        # (SSLContext + load_verify_locations), which the cache above does not see: 56 of the ~60 CPU-ms
        # of every program run in the batch (the oracle's 1,000 runs: 60 CPU-s), measured 2026-12-06.
        import httpcore2

        made_default = {}
        default = httpcore2.default_ssl_context

        def default_ssl_context(*, _trust_env=True):
            key = (_trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
            if key not in made_default:
                made_default[key] = default(_trust_env=_trust_env)
            return made_default[key]

        httpcore2.default_ssl_context = default_ssl_context
    except (ImportError, AttributeError):  # another HTTP stack (httpx: ssl.create_default_context, above)
        pass
    try:
        import openai

        client = openai.OpenAI(api_key="warm-up", base_url="http://127.0.0.1:9/v1")
        openai.AsyncOpenAI(api_key="warm-up", base_url="http://127.0.0.1:9/v1")
        client.default_headers
        for name in ("chat", "completions", "embeddings", "responses", "models"):
            getattr(client, name)
        client.chat.completions
        from openai.types import Completion, CreateEmbeddingResponse
        from openai.types.chat import ChatCompletion, ChatCompletionChunk

        for model in (ChatCompletion, ChatCompletionChunk, CreateEmbeddingResponse, Completion):
            model.model_rebuild()
    except Exception:  # openai 0.x (no clients), or another version's layout: the programs import it themselves
        pass


if spec.get("warm_up", True):
    _warm_up()
# The SDK's objects out of the collector's reach: a fork's collections no longer walk (and copy, page by
# page) the parent's heap. 2-3 of the ~20 CPU-ms of a run (2026-12-06: an empty program 9 -> 7 ms, one
# chat request 22 -> 19.5 ms), over the oracle's and the runtime tests' ~1,500 runs.
import gc

gc.freeze()

codes = []
for job in spec["jobs"]:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(err, 2)
            signal.alarm(int(spec["timeout"]))
            sitecustomize._CAPTURE_FILE = job["capture"]
            sitecustomize._write({"kind": "boot", "forked": True, "python": sys.version, "argv": [job["script"]]})
            os.environ.clear()
            os.environ.update(job["env"])
            os.chdir(job["cwd"])
            sys.argv = [job["script"]]
            sys.path[0] = os.path.dirname(job["script"])
            try:
                runpy.run_path(job["script"], run_name="__main__")
                code = 0
            except SystemExit as exc:
                if exc.code is None:
                    code = 0
                elif isinstance(exc.code, int):
                    code = exc.code
                else:
                    print(exc.code, file=sys.stderr)
                    code = 1
            except BaseException:
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    codes.append(os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status))

with open(os.environ["OFFRAMP_BATCH_RESULT"], "w", encoding="utf-8") as fh:
    json.dump(codes, fh)
"""


@dataclass(frozen=True)
class Job:
    """One program to run: its path and the application environment it sees."""

    name: str  # unique within the batch; used in messages and directory names
    script: Path
    env: Dict[str, str]


@dataclass
class JobResult:
    name: str
    requests: List[harness.CapturedRequest] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    returncode: Optional[int] = None
    error: Optional[str] = None  # set when the run must count as a failure
    exit_only: bool = False  # the only failure is the exit code (the run was intercepted throughout)

    def checked(self, allow_exit: bool = False) -> List[harness.CapturedRequest]:
        """The requests, or a test failure carrying the reason.

        `allow_exit`: a non-zero exit is no failure (a program run without a variable it needs
        may stop), but an escape from the interceptor still is.
        """
        if self.error and not (allow_exit and self.exit_only):
            raise harness.HarnessError(f"{self.name}: {self.error}")
        return self.requests


def _common_env(jobs: Sequence[Job]) -> Dict[str, str]:
    common = dict(jobs[0].env)
    for job in jobs[1:]:
        common = {k: v for k, v in common.items() if job.env.get(k) == v}
    for job in jobs:
        differing = sorted(k for k, v in job.env.items() if common.get(k) != v and _IMPORT_TIME_ENV.match(k))
        if differing:
            raise ValueError(
                f"job {job.name} differs from the batch in {', '.join(differing)}: the SDK reads those at import "
                "time, which happens once per batch; run it in its own batch"
            )
    return common


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _check_job(job: Job, run_dir: Path, returncode: Optional[int]) -> JobResult:
    stdout, stderr = _read_text(run_dir / "stdout.txt"), _read_text(run_dir / "stderr.txt")
    result = JobResult(job.name, stdout=stdout, stderr=stderr, returncode=returncode)
    details = f"\nprogram: {job.script} (exit {returncode})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
    try:
        records = harness._read_records(run_dir / "capture.jsonl")
    except harness.HarnessError as exc:
        result.error = str(exc) + details
        return result
    if not any(r.get("kind") == "boot" for r in records):
        result.error = "the program never started under the interceptor (no boot record)" + details
    elif any(r.get("kind") == "blocked" for r in records):
        blocked = [r for r in records if r.get("kind") == "blocked"]
        lines = "\n".join(f"  {r['what']} -> {r.get('host')!r}:{r.get('port')!r}" for r in blocked)
        result.error = f"network access that bypassed the intercepted transports:\n{lines}" + details
    elif any(r.get("kind") == "patch_error" for r in records):
        result.error = "the interceptor failed to patch" + details
    elif returncode != 0:
        result.error = "program exited non-zero" + details
        result.exit_only = True
    result.requests = [harness._to_captured(r) for r in records if r.get("kind") == "request"]
    return result


def run_batch(
    jobs: Sequence[Job],
    *,
    tmp_path: Path,
    sdk: str = "v1",
    preload: Sequence[str] = ("openai",),
    timeout_per_job: float = 60,
    python: Optional[Path] = None,
) -> Dict[str, JobResult]:
    """Run every job with the real SDK; return each job's result by name (failures included).

    `python` overrides the interpreter `sdk` names (a virtualenv with other libraries).
    """
    if not jobs:
        return {}
    if len({j.name for j in jobs}) != len(jobs):
        raise ValueError("job names must be unique")
    tmp_path = Path(tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return {j.name: _run_alone(j, tmp_path, sdk, timeout_per_job) for j in jobs}

    common = _common_env(jobs)
    batch_dir = tmp_path / f"offramp-batch-{time.monotonic_ns()}"
    batch_dir.mkdir()
    home = batch_dir / "home"
    home.mkdir()
    specs, dirs = [], {}
    for i, job in enumerate(jobs):
        run_dir = batch_dir / f"{i:03d}-{re.sub(r'[^A-Za-z0-9_.-]', '_', job.name)}"
        run_dir.mkdir()
        (run_dir / "home").mkdir()
        dirs[job.name] = run_dir
        specs.append(
            {
                "script": str(Path(job.script).resolve()),
                "cwd": str(run_dir),
                "env": harness._child_env(job.env, run_dir / "capture.jsonl", run_dir / "home"),
                "capture": str(run_dir / "capture.jsonl"),
                "stdout": str(run_dir / "stdout.txt"),
                "stderr": str(run_dir / "stderr.txt"),
            }
        )
    spec_file = batch_dir / "spec.json"
    result_file = batch_dir / "result.json"
    spec_file.write_text(
        json.dumps({"preload": list(preload), "jobs": specs, "timeout": max(1, int(timeout_per_job))}),
        encoding="utf-8",
    )
    env = dict(common, OFFRAMP_BATCH_SPEC=str(spec_file), OFFRAMP_BATCH_RESULT=str(result_file))
    run = harness.run_program_full(
        _DRIVER, env=env, sdk=sdk, tmp_path=batch_dir, timeout=30 + timeout_per_job * len(jobs), python=python
    )
    if run.requests:
        raise harness.HarnessError(f"the batch driver itself sent requests: {run.requests}")
    codes = json.loads(result_file.read_text(encoding="utf-8"))
    if len(codes) != len(jobs):
        raise harness.HarnessError(f"the batch driver ran {len(codes)} of {len(jobs)} jobs\n{run.stderr}")
    return {job.name: _check_job(job, dirs[job.name], code) for job, code in zip(jobs, codes)}


def _run_alone(job: Job, tmp_path: Path, sdk: str, timeout: float) -> JobResult:  # pragma: no cover - Windows
    try:
        run = harness.run_program_full(job.script, env=job.env, sdk=sdk, tmp_path=tmp_path, timeout=timeout)
    except harness.HarnessError as exc:
        return JobResult(job.name, error=str(exc))
    return JobResult(job.name, run.requests, run.stdout, run.stderr, run.returncode)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("import this module from the runtime tests")
