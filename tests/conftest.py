"""Test-suite settings: property tests are derandomised in CI so a run is reproducible, and
offramp's source is compiled once before the tests start processes that import it."""

from __future__ import annotations

import compileall
import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Fixture projects are inputs, not tests: their own test files (a project's tests/test_app.py
# that names a variable offramp must see as a reader) import modules that are not on the path.
collect_ignore_glob = ["fixtures/*"]


def pytest_configure(config: pytest.Config) -> None:
    """Compile offramp's modules once, in the controller, before any test starts a `python -m offramp`.

    With PYTHONDONTWRITEBYTECODE=1 (CI sets it; so do many Docker images) no process writes the
    bytecode of an editable install's source, so every child compiled all of offramp again: 0.45 of
    the 0.55 CPU-s of a one-file `check` (measured 2026-12-06), for each of the suite's several
    hundred children. compileall writes the pyc files regardless, beside the source, as Python's
    own import would have without the variable (`__pycache__/` is ignored by git). A package
    directory that is not writable is left as it is: its children compile as before.
    """
    if not sys.dont_write_bytecode or hasattr(config, "workerinput"):
        return
    import offramp

    package = Path(offramp.__file__).parent
    if os.access(package, os.W_OK):
        compileall.compile_dir(str(package), quiet=2, workers=1)
