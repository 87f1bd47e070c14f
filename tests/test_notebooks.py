"""Notebooks: code cells are checked and fixed as one module; the JSON outside changed cells is untouched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import FIXTURES, compare_snapshot, run_cli

NB = FIXTURES / "notebooks"


def test_check_reports_cell_and_line(tmp_path: Path) -> None:
    shutil.copy(NB / "demo.ipynb", tmp_path / "demo.ipynb")
    proc = run_cli(["check", "--output-format", "concise"], tmp_path)
    lines = [line for line in proc.stdout.splitlines() if ": OFR" in line]
    assert [line.split(" OFR")[0] + " OFR" + line.split(" OFR")[1][:3] for line in lines] == [
        "demo.ipynb:cell 2:5:10: OFR101",
        "demo.ipynb:cell 3:1:45: OFR201",
        "demo.ipynb:cell 5:3:42: OFR201",
    ]
    doc = json.loads(run_cli(["check", "--output-format", "json"], tmp_path).stdout)
    assert [f["cell"] for f in doc["findings"]] == [2, 3, 5]


@pytest.mark.parametrize("name", ["demo.ipynb", "two_space.ipynb"])
def test_fix_rewrites_only_changed_cells(name: str, tmp_path: Path) -> None:
    work = tmp_path / name
    shutil.copy(NB / name, work)
    proc = run_cli(["fix", "--to", "qwen", name], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    after = work.read_text(encoding="utf-8")
    compare_snapshot(after, NB / "expected-qwen" / name)
    before = json.loads((NB / name).read_text(encoding="utf-8"))
    data = json.loads(after)
    # magics, outputs, metadata and markdown survive; only code sources changed
    assert data["cells"][1]["source"][:2] == ["%pip install openai\n", "!echo hi\n"]
    assert data["cells"][3] == before["cells"][3]
    assert data["cells"][0] == before["cells"][0]
    assert data["cells"][2]["outputs"] == before["cells"][2]["outputs"]
    assert data["metadata"] == before["metadata"]
    again = run_cli(["fix", "--to", "qwen", "--diff", name], tmp_path)
    assert again.returncode == 0 and again.stdout == ""


def test_unreproducible_layout_is_left_alone(tmp_path: Path) -> None:
    work = tmp_path / "custom_layout.ipynb"
    shutil.copy(NB / "custom_layout.ipynb", work)
    proc = run_cli(["fix", "--to", "qwen", "custom_layout.ipynb"], tmp_path)
    assert proc.returncode == 1
    assert "JSON layout could not be reproduced" in proc.stderr
    assert work.read_bytes() == (NB / "custom_layout.ipynb").read_bytes()


def test_broken_notebook_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.ipynb").write_text('{"cells": [ openai', encoding="utf-8")
    proc = run_cli(["check", "--output-format", "concise"], tmp_path)
    assert proc.returncode == 1
    assert "bad.ipynb:1:1: OFR001 cannot read file: not valid notebook JSON" in proc.stdout
