"""Shared test helpers: run offramp (in this process, or as a real subprocess), compare snapshots.

`run_cli` runs the command line in this process: the same entry point as the console script
(`offramp.entry.main`, so `check` tries the no-parse path first), the same environment, working
directory, argv, stdin and output streams a subprocess would get, the same exit code (SystemExit,
an uncaught exception's traceback and status 1), and the process-wide memos of offramp reset so
that each run starts as a fresh process would. Starting `python -m offramp` costs 0.25-0.4 CPU-s
(imports, rules data); the suite ran it ~1,500 times (11 min on 2 cores, 95% of it in those runs).

`run_process` is the real process: for tests about what only a process has (signals, a crash,
start-up imports, `python -m` and sys.path, the status the interpreter exits with). `run_cli`
starts one too when `env` sets a PYTHON* variable (read at start-up), and always under
`OFFRAMP_TEST_PROCESS=1`, to check that both ways agree.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("OFFRAMP_UPDATE_SNAPSHOTS") == "1"
ALWAYS_PROCESS = os.environ.get("OFFRAMP_TEST_PROCESS") == "1"


def cli_env(env: Optional[dict] = None) -> dict:
    """The environment of a run: this one without OFFRAMP_* settings, plain output, 200 columns."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "200"})
    full_env.update(env or {})
    return full_env


def run_process(
    args: Sequence[str], cwd: Path, env: Optional[dict] = None, input: Optional[str] = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `python -m offramp` exactly as a user would (separate process, real exit code)."""
    return subprocess.run(
        [sys.executable, "-m", "offramp", *args],
        cwd=cwd,
        env=cli_env(env),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# The multi-module fixture projects (tests/fixtures/projects/) with check snapshots (`.expected`, `.to-qwen.expected`:
# test_project_routes) and fix snapshots (`.fix-qwen.diff`: test_route_gate): one list, so a new project gets both.
PROJECT_SNAPSHOTS = (
    "shop",
    "agents",
    "subclasses",
    "framework_subclasses",
    "chroma_reopen",
    "provider_switch",
    "azure_factory_split",
    "provider_module_split",
    "azure_module_models",
)


def run_cli(
    args: Sequence[str], cwd: Path, env: Optional[dict] = None, input: Optional[str] = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """`run_process`'s result (stdout, stderr, returncode), from a run in this process (see the module doc)."""
    if ALWAYS_PROCESS or any(name.startswith("PYTHON") for name in env or ()):
        # PYTHONPATH, PYTHONHASHSEED...: read when an interpreter starts (a sitecustomize hook, say)
        return run_process(args, cwd, env=env, input=input, timeout=timeout)
    stdout, stderr = io.BytesIO(), io.BytesIO()
    with _as_a_process(args, cwd, cli_env(env), input or "", stdout, stderr, timeout) as status:
        from offramp.entry import main

        main()
    return subprocess.CompletedProcess(
        ["offramp", *args], status[0], _decoded(stdout.getvalue()), _decoded(stderr.getvalue())
    )


def _decoded(data: bytes) -> str:
    """As `subprocess.run(text=True)` reads a pipe: UTF-8, universal newlines."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=None).read()


class _Timeout(BaseException):
    pass


@contextlib.contextmanager
def _as_a_process(
    args: Sequence[str], cwd: Path, env: dict, input: str, stdout: io.BytesIO, stderr: io.BytesIO, timeout: float
) -> Iterator[List[int]]:
    """The process state a run sees and changes (environment, cwd, argv, streams, signal handlers,
    offramp's memos), set up as for a fresh `python -m offramp` and restored afterwards. Yields a
    one-item list that holds the exit status once the block ends."""
    saved_env, saved_cwd, saved_argv = dict(os.environ), os.getcwd(), sys.argv
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)}
    status = [0]
    out = io.TextIOWrapper(stdout, encoding="utf-8", errors="surrogateescape", write_through=True)
    err = io.TextIOWrapper(stderr, encoding="utf-8", errors="backslashreplace", write_through=True)
    _forget_process_memos()
    # A fresh process has none of this one's objects (pytest's, the suite's, earlier runs'): out of the
    # collector's scans for the run, as they would be. offramp collects before each parse
    # (source.parse_module), and that walked the whole test process: 0.1-0.8 CPU-s a run, by the size
    # the worker had grown to (test_bad_input.py: 31 CPU-s alone, 72 after test_fix_fixtures.py).
    gc.freeze()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.argv = ["offramp", *args]
    sys.stdin = io.TextIOWrapper(io.BytesIO(input.encode("utf-8")), encoding="utf-8")
    sys.stdout, sys.stderr = out, err

    def _expired(signum: int, frame: object) -> None:
        raise _Timeout

    signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        try:
            yield status
        except SystemExit as e:
            if e.code is None or isinstance(e.code, int):
                status[0] = e.code or 0
            else:
                print(e.code, file=err)
                status[0] = 1
        except _Timeout:
            raise subprocess.TimeoutExpired(["offramp", *args], timeout) from None
        except KeyboardInterrupt:
            traceback.print_exc(file=err)
            status[0] = -signal.SIGINT
        except Exception:
            traceback.print_exc(file=err)
            status[0] = 1
    finally:
        for stream in (out, err):
            stream.flush()
            stream.detach()  # the bytes stay readable (closing the wrapper would close them)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for s, handler in saved_signals.items():
            signal.signal(s, handler)
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        _forget_process_memos()
        gc.unfreeze()  # (and offramp freezes parsed trees for its one run: the garbage of the run is collected)


def _forget_process_memos() -> None:
    """What offramp remembers for the rest of its process, about the files it has read."""
    from offramp import cache, discover, prefilter, rawread, rufflength, source

    discover._handed = None
    cache._stamps.clear()
    prefilter._misses.clear()
    prefilter._miss_bytes.clear()
    prefilter._miss_total = 0
    source.forget_parse()
    source._swept.clear()
    rawread._roots.clear()
    source._last_ast.clear()
    rufflength._for_directory.cache_clear()


def fixable_after_fix(root: Path, provider_id: str) -> List[str]:
    """The fixable findings (`[*]`) that `check --to P` reports on a tree `fix --to P` has just rewritten.

    Anything left must be something fix cannot do: a fixable finding on fix's own output means check
    and fix disagree (a provider model that looks like an OpenAI one, a base URL fix writes that check
    still calls OpenAI...). One job, no cache: a fresh answer for these files.
    """
    check = run_cli(["check", "--to", provider_id, "-j", "1", "--no-cache", "--output-format", "concise", "."], root)
    assert check.returncode in (0, 1), check.stderr
    return [line for line in check.stdout.splitlines() if line.endswith("[*]")]


def concise_check(root: Path, provider_id: str = "qwen") -> List[str]:
    """The lines of `check --to P --no-cache` in the concise format."""
    return run_cli(
        ["check", "--to", provider_id, "--no-cache", "--output-format", "concise", "."], root
    ).stdout.splitlines()


def compare_snapshot(actual: str, expected_path: Path) -> None:
    if UPDATE or not expected_path.exists():
        if not UPDATE:
            pytest.fail(f"missing snapshot {expected_path}; run with OFFRAMP_UPDATE_SNAPSHOTS=1 and review it")
        expected_path.write_text(actual, encoding="utf-8")
        return
    expected = expected_path.read_text(encoding="utf-8")
    assert actual == expected, f"snapshot differs: {expected_path}"


def concise_lines(findings: List) -> str:
    from offramp.report.concise import line

    return "".join(line(f) + "\n" for f in findings)
