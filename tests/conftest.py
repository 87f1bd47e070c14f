"""Test-suite settings: property tests are derandomised in CI so a run is reproducible."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Fixture projects are inputs, not tests: their own test files (a project's tests/test_app.py
# that names a variable offramp must see as a reader) import modules that are not on the path.
collect_ignore_glob = ["fixtures/*"]
