"""Fixes in reports go to the finding the planner made each change for (fixes/provenance.py), not to
whichever finding's span a change happens to fall in.

Before, SARIF `fixes` were cut from the rewrite and attached by position: a key variable renamed
inside a client's call went with the client's fix (the client's span holds it), and a base URL
constant defined away from its client went with the file's first finding. reviewdog's suggestions
replace whole lines, so there one finding still carries a line's changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

from helpers import run_cli
from support.reportfixes import apply_chars, rdjson_fixes, sarif_fixes


def _fixes(root: Path, fmt: str) -> Dict[str, List[str]]:
    """rule -> the texts its fix inserts, for app.py."""
    out = run_cli(["check", "--to", "qwen", "--output-format", fmt, "-n", "."], root)
    assert out.returncode == 1, out.stderr
    found = (sarif_fixes if fmt == "sarif" else rdjson_fixes)(json.loads(out.stdout))
    texts: Dict[str, List[str]] = {}
    for result, reps in found["app.py" if fmt == "sarif" else next(iter(found))]:
        rule = result.get("ruleId") or result["code"]["value"]
        texts.setdefault(rule, []).extend(text for _, _, text in reps)
    return texts


def test_a_key_read_inside_a_client_call_carries_its_own_fix(tmp_path: Path) -> None:
    source = 'import os\nfrom openai import OpenAI\n\nclient = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))\n'
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    sarif = _fixes(tmp_path, "sarif")
    assert sarif == {
        "OFR101": ['base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", '],
        "OFR301": ['environ["DASHSCOPE_API_KEY"]'],
    }
    rdjson = _fixes(tmp_path, "rdjson")  # one line: one suggestion, the client's
    assert list(rdjson) == ["OFR101"] and "DASHSCOPE_API_KEY" in rdjson["OFR101"][0]


def test_a_base_url_constant_goes_with_the_client_that_reads_it(tmp_path: Path) -> None:
    source = (
        "from openai import OpenAI\n\n"
        'first = OpenAI(base_url="https://api.openai.com/v1")\n\n'
        'URL = "https://api.openai.com/v1"\n'
        "second = OpenAI(base_url=URL)\n"
    )
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    run = run_cli(["check", "--to", "qwen", "--output-format", "sarif", "-n", "."], tmp_path)
    results = sarif_fixes(json.loads(run.stdout))["app.py"]
    by_line = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: reps for r, reps in results}
    assert 5 in {line for (line, _), _, _ in by_line[6]}, by_line  # URL's line: the second client's fix
    assert 5 not in {line for (line, _), _, _ in by_line[3]}, by_line
    fixed = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert fixed.returncode in (0, 1), fixed.stderr
    everything = [rep for _, reps in results for rep in reps]
    assert apply_chars(source, everything) == (tmp_path / "app.py").read_text(encoding="utf-8")
