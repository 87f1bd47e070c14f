"""Fixtures for the runtime tests (see ``harness.py`` for why they exist).

* ``run_program`` -- :func:`harness.run_program` bound to this test's
  ``tmp_path``, so a test writes ``run_program(src, env={...})``.
* ``run_program_full`` -- same, returning :class:`harness.RunResult`
  (stdout/stderr/records) for tests about the harness itself.
* ``oracle_outcomes`` -- module-scoped: migrates and runs, under the credential-flow oracle, the
  cases the module's selected tests name (see ``oracle_runs.selected_cases``).
* ``wrappers_python`` -- session-scoped: a virtualenv with the pinned LangChain, LiteLLM and DSPy
  (``WRAPPER_PINS``), built on first use and cached like the v0 one.
* ``frameworks_python`` -- the same for the OpenAI Agents SDK and AutoGen (``FRAMEWORK_PINS``).
* ``v0_python`` -- session-scoped: builds (or reuses) the ``openai==0.28.1``
  virtualenv once and returns its interpreter.  Tests using ``sdk="v0"``
  should request it so the one-off build cost is paid in fixture setup and
  reported there, not inside the first test's body.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness


@pytest.fixture(scope="session")
def v0_python() -> Path:
    """Interpreter of the legacy-SDK venv (built on first use, reused afterwards)."""
    return harness.ensure_v0_venv()


# DSPy 3 beside LiteLLM (which it uses for embeddings): +~10 s on the LangChain and LiteLLM install (numpy for
# dspy.Embedder's results).
WRAPPER_PINS = ("langchain-openai==1.7.3", "litellm==1.106.2", "dspy[numpy]==3.4.1")


# The OpenAI Agents SDK, AutoGen's OpenAI client and LangChain 1.x (init_chat_model, create_agent): ~30 s to
# install on an empty cache (14 s + 17 s measured 2026-12-05 on the loaded shared machine).
FRAMEWORK_PINS = (
    "openai-agents==0.24.0",
    "autogen-ext[openai]==0.7.5",
    "autogen-core==0.7.5",
    "langchain==1.5.2",
    "langchain-openai==1.7.3",
)


@pytest.fixture(scope="session")
def wrappers_python() -> Path:
    """Interpreter of a venv with the pinned wrapper libraries (built on first use, reused afterwards)."""
    return _pinned_venv("wrappers", WRAPPER_PINS)


@pytest.fixture(scope="session")
def frameworks_python() -> Path:
    """Interpreter of a venv with the pinned agent frameworks (built on first use, reused afterwards)."""
    return _pinned_venv("frameworks", FRAMEWORK_PINS)


def _pinned_venv(name: str, pins: tuple) -> Path:
    digest = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:12]
    root = Path(os.environ.get("OFFRAMP_WRAPPERS_VENV", Path.home() / ".cache" / "offramp" / "test-venvs"))
    venv = root / f"{name}-{digest}-py{sys.version_info[0]}{sys.version_info[1]}"
    python = venv / "bin" / "python"
    stamp = venv / ".offramp-ready"
    if stamp.exists():
        return python
    root.mkdir(parents=True, exist_ok=True)
    # One builder at a time (pytest-xdist workers, two checkouts' test runs): the others wait for it
    # and reuse its venv, as harness.ensure_v0_venv does; without the lock one run deleted the venv
    # another was installing into.
    with open(root / f"{venv.name}.lock", "a+") as lock:
        try:
            import fcntl

            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        except ImportError:  # Windows: no lock, accept the (rare) race
            pass
        if not stamp.exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins],
                check=True,
                timeout=900,
            )
            stamp.write_text("\n".join(pins))
    return python


@pytest.fixture(scope="module")
def oracle_outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, v0_python: Path) -> Any:
    from oracle_programs import PROGRAMS
    from oracle_runs import run_cases, selected_cases

    cases = selected_cases(request)
    sdks = {PROGRAMS[name].sdk for name, _, _ in cases}
    pythons = {"wrappers": request.getfixturevalue("wrappers_python")} if "wrappers" in sdks else {}
    return run_cases(PROGRAMS, cases, tmp_path_factory.mktemp("oracle"), pythons)


@pytest.fixture
def run_program(tmp_path: Path) -> Callable[..., list[harness.CapturedRequest]]:
    def _run(source: str | Path, *, env: dict[str, str], sdk: str = "v1", timeout: float = 60):
        return harness.run_program(source, env=env, sdk=sdk, tmp_path=tmp_path, timeout=timeout)

    return _run


@pytest.fixture
def run_program_full(tmp_path: Path) -> Callable[..., harness.RunResult]:
    def _run(source: str | Path, *, env: dict[str, str], sdk: str = "v1", **kwargs: Any):
        return harness.run_program_full(source, env=env, sdk=sdk, tmp_path=tmp_path, **kwargs)

    return _run
