"""Shared test helpers: run offramp as a real subprocess, compare snapshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("OFFRAMP_UPDATE_SNAPSHOTS") == "1"


def run_cli(
    args: Sequence[str], cwd: Path, env: Optional[dict] = None, input: Optional[str] = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run the installed command exactly as a user would (separate process, real exit code)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OFFRAMP_")}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "200"})
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "offramp", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


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
