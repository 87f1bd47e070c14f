"""Notebooks: code cells are checked and fixed as one module; the JSON outside changed cells is untouched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import List

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


def _notebook(*cells: str) -> str:
    """A notebook in Jupyter's own layout (indent 1, sorted keys, one code cell per source)."""
    doc = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": cell.splitlines(keepends=True),
            }
            for cell in cells
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


SDK_CELL = (
    'from openai import OpenAI\n\nclient = OpenAI()\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
)


def test_automagic_pip_install_is_ipython_not_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_text(_notebook('pip install "openai>=1"\n', SDK_CELL), encoding="utf-8")
    proc = run_cli(["check", "--output-format", "concise", "nb.ipynb"], tmp_path)
    codes = [line.split(": ")[1].split()[0] for line in proc.stdout.splitlines() if ": OFR" in line]
    assert "OFR000" not in codes and "OFR101" in codes and "OFR201" in codes, proc.stdout


def test_a_cell_that_is_not_python_is_reported_and_the_rest_still_checked_and_fixed(tmp_path: Path) -> None:
    prose = "Response from the agent:\n Based on my search, here's what I found\n"
    work = tmp_path / "nb.ipynb"
    work.write_text(_notebook(prose, SDK_CELL), encoding="utf-8")
    proc = run_cli(["check", "--output-format", "concise", "nb.ipynb"], tmp_path)
    lines = [line for line in proc.stdout.splitlines() if ": OFR" in line]
    assert lines[0].startswith("nb.ipynb:cell 1:2:") and " OFR000 " in lines[0], proc.stdout
    assert any(line.startswith("nb.ipynb:cell 2:") and " OFR201 " in line for line in lines), proc.stdout
    fixed = run_cli(["fix", "--to", "qwen", "nb.ipynb"], tmp_path)
    assert fixed.returncode in (0, 1), fixed.stderr
    data = json.loads(work.read_text(encoding="utf-8"))
    assert "".join(data["cells"][0]["source"]) == prose  # the broken cell, byte for byte
    assert "dashscope" in "".join(data["cells"][1]["source"])
    again = run_cli(["fix", "--to", "qwen", "--diff", "nb.ipynb"], tmp_path)
    assert again.returncode == 0 and again.stdout == ""


def _fix_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    from click.testing import CliRunner

    from offramp.cli import main

    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["fix", "--to", "qwen", *args])


@pytest.mark.parametrize("name", ["import_into_earlier_cell.ipynb", "trailing_blank_lines.ipynb"])
def test_fix_snapshot(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell whose first import the fix merged into an earlier cell's keeps its place (it
    used to be left unchanged with an error); changed cells keep their trailing blank lines."""
    work = tmp_path / name
    shutil.copy(NB / name, work)
    result = _fix_in_process(tmp_path, monkeypatch, name)
    assert "error" not in result.output, result.output
    after = work.read_text(encoding="utf-8")
    compare_snapshot(after, NB / "expected-qwen" / name)
    before = json.loads((NB / name).read_text(encoding="utf-8"))
    assert len(json.loads(after)["cells"]) == len(before["cells"])
    again = _fix_in_process(tmp_path, monkeypatch, "--diff", name)
    assert again.exit_code == 0 and again.stdout == ""


def test_crlf_notebook_is_fixed_and_keeps_crlf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Windows checkout (core.autocrlf) has CRLF notebooks: fixed like the LF one, CRLF kept."""
    work = tmp_path / "demo.ipynb"
    work.write_bytes((NB / "demo.ipynb").read_bytes().replace(b"\n", b"\r\n"))
    result = _fix_in_process(tmp_path, monkeypatch, "demo.ipynb")
    assert "error" not in result.output, result.output
    expected = (NB / "expected-qwen" / "demo.ipynb").read_bytes().replace(b"\n", b"\r\n")
    assert work.read_bytes() == expected


def test_summary_counts_only_what_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(NB / "custom_layout.ipynb", tmp_path / "custom_layout.ipynb")
    shutil.copy(NB / "demo.ipynb", tmp_path / "demo.ipynb")
    result = _fix_in_process(tmp_path, monkeypatch, "custom_layout.ipynb", "demo.ipynb")
    assert result.exit_code == 1
    written = _fix_in_process(tmp_path, monkeypatch, "--diff", str(NB / "demo.ipynb"))
    wrote_line = next(line for line in written.stderr.splitlines() if line.startswith("Would rewrite 1 file"))
    summary = [line for line in result.stderr.splitlines() if line.startswith(("Rewrote", "Left 1 file"))]
    assert summary[0] == wrote_line.replace("Would rewrite", "Rewrote"), result.stderr
    assert summary[1].startswith("Left 1 file unchanged because of the errors above (") and summary[1].endswith(
        "): custom_layout.ipynb."
    ), result.stderr


def _check_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> List[str]:
    from click.testing import CliRunner

    from offramp.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "concise", *args])
    return [line.split(" [*]")[0] for line in result.stdout.splitlines() if ": OFR" in line]


def test_ipython_syntax_is_read_as_ipython_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A prompt string with a line ending in `?` or starting with `!`/`%` is a string (the cell
    that made the client was 'cannot parse' and the client missed); `x = !ls` and `x = %sx ls`
    are IPython (the whole notebook was unparseable); a `%%time` cell's body is Python; IPython
    dedents a cell with leading indentation (columns count in the cell as written); `%%bash` is not Python."""
    shutil.copy(NB / "ipython_syntax.ipynb", tmp_path)
    lines = _check_in_process(tmp_path, monkeypatch, "ipython_syntax.ipynb")
    assert [line.split(" `")[0] for line in lines] == [
        "ipython_syntax.ipynb:cell 2:5:10: OFR101",
        "ipython_syntax.ipynb:cell 4:3:11: OFR201 OpenAI model",
        "ipython_syntax.ipynb:cell 5:2:52: OFR201 OpenAI model",
    ], lines


def test_other_language_cells_of_a_polyglot_notebook_are_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C# (kernelspec and cell metadata) and F# (VS Code's languageId) cells are not Python
    syntax errors; the Python cell among them is checked and fixed."""
    shutil.copy(NB / "polyglot.ipynb", tmp_path)
    lines = _check_in_process(tmp_path, monkeypatch, "polyglot.ipynb")
    assert [line.split(" `")[0] for line in lines] == [
        "polyglot.ipynb:cell 3:2:10: OFR101",
        "polyglot.ipynb:cell 3:3:38: OFR201 OpenAI model",
    ], lines


@pytest.mark.parametrize("name", ["ipython_syntax.ipynb", "polyglot.ipynb"])
def test_fix_keeps_ipython_and_other_languages(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / name
    shutil.copy(NB / name, work)
    result = _fix_in_process(tmp_path, monkeypatch, name)
    assert "error" not in result.output, result.output
    compare_snapshot(work.read_text(encoding="utf-8"), NB / "expected-qwen" / name)
    assert _check_in_process(tmp_path, monkeypatch, name) == []


# Shapes the route gate holds back in a Python file (tests/fixtures/oracle): the same code in a notebook's
# cells was planned site by site, without the project's routes, and moved half a request.
_GATED = {
    # a raw REST call to Azure shares the key read of the SDK client: renamed, the provider key went to Azure
    "raw_rest_shares_the_key": (
        "import os\nimport requests\nfrom openai import AzureOpenAI\n\n"
        'AZURE_KEY = os.getenv("AZURE_OPENAI_API_KEY")\nENDPOINT = os.environ["AZURE_OPENAI_ENDPOINT"]\n'
        'client = AzureOpenAI(api_key=AZURE_KEY, azure_endpoint=ENDPOINT, api_version="2024-10-21")\n',
        'requests.get(f"{ENDPOINT}/openai/deployments?api-version=2022-12-01", headers={"api-key": AZURE_KEY})\n',
        'client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n',
    ),
    # the v0 module client's key is the user's `--api_key` (ChatPaper): moving api_base alone sent that OpenAI
    # key to the provider
    "module_key_from_arguments": (
        "import openai\n\n\nclass Reader:\n    def __init__(self, args=None):\n"
        "        self.keys = [args.api_key]\n\n    def chat(self, text):\n        openai.api_key = self.keys[0]\n"
        "        return openai.ChatCompletion.create(\n"
        '            model="gpt-3.5-turbo", messages=[{"role": "user", "content": text}]\n        )\n',
    ),
}


@pytest.mark.parametrize("shape", sorted(_GATED))
def test_a_notebook_is_gated_by_its_routes_as_the_same_python_file_is(shape: str, tmp_path: Path) -> None:
    from offramp.notebook import load

    cells = _GATED[shape]
    (tmp_path / "nb").mkdir()
    (tmp_path / "py").mkdir()
    (tmp_path / "nb" / "main.ipynb").write_text(_notebook(*cells), encoding="utf-8")
    as_python = load(_notebook(*cells)).text
    (tmp_path / "py" / "main.py").write_text(as_python, encoding="utf-8")
    for d in ("nb", "py"):
        assert run_cli(["fix", "--to", "qwen", "."], tmp_path / d).returncode in (0, 1)
    fixed = load((tmp_path / "nb" / "main.ipynb").read_text(encoding="utf-8")).text.replace("main.ipynb", "main.py")
    assert fixed == (tmp_path / "py" / "main.py").read_text(encoding="utf-8")
    assert fixed != as_python, "nothing was fixed: the shape no longer tests the gate"
    # and what fix held back is still reported, at its cell
    after = run_cli(["check", "--to", "qwen", "--output-format", "concise", "."], tmp_path / "nb")
    assert after.returncode == 1 and "main.ipynb:cell " in after.stdout, after.stdout
