"""Every rule's INVALID examples must produce it and its VALID examples must not (Fixit-style); an
INVALID example with its fixed form is also what `offramp fix --to P` writes, and what the fixes a
report attaches to its findings (SARIF `fixes`, rdjson `suggestions`) give when all are applied.

The same examples are printed by `offramp explain`, so the docs are tested documentation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Mapping

import pytest
from helpers import UPDATE
from support.reportfixes import apply_bytes, apply_chars, rdjson_fixes, sarif_fixes

from offramp import api
from offramp.catalog import load_rules
from offramp.fixes.suggest import Suggestion, suggest_fixes
from offramp.report import ReportContext, get_reporter
from offramp.runner import check_code
from offramp.types import Example, Finding

RULES = load_rules()
CASES = [(code, "invalid", i, ex) for code, r in RULES.items() for i, ex in enumerate(r.invalid)] + [
    (code, "valid", i, ex) for code, r in RULES.items() for i, ex in enumerate(r.valid)
]
FIXED = [(code, i, ex) for code, r in RULES.items() for i, ex in enumerate(r.invalid) if ex.fixed is not None]


@pytest.mark.parametrize(("code", "kind", "index", "example"), CASES, ids=[f"{c}-{k}-{i}" for c, k, i, _ in CASES])
def test_example(code: str, kind: str, index: int, example) -> None:  # type: ignore[no-untyped-def]
    codes = [f.code for f in check_code(example.code, to=example.to)]
    if kind == "invalid":
        assert code in codes, f"{code} INVALID example {index} not reported; got {codes}"
    else:
        assert code not in codes, f"{code} VALID example {index} reported"


def test_every_rule_has_examples_unless_meta() -> None:
    for code, rule in RULES.items():
        if code in ("OFR001", "OFR002"):
            continue  # an unreadable file or an analysis failure cannot be written as a code example
        assert rule.invalid, f"{code} has no INVALID example"


def test_catalogue_shape() -> None:
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))
    for code, r in RULES.items():
        assert code[3] in "01234", code
        assert r.needs_target == code.startswith("OFR4") or code == "OFR203"
        assert r.name == r.name.lower() and " " not in r.name


@pytest.mark.parametrize(("code", "index", "example"), FIXED, ids=[f"{c}-invalid-{i}" for c, i, _ in FIXED])
def test_fixed_example(
    code: str, index: int, example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One example tests the check (the rule is reported, fixable), the fix (it writes the fixed form) and
    the report's suggestions: the SARIF `fixes` and rdjson `suggestions` printed for the file, applied
    as their consumers apply them, give what fix writes; the rule's own finding carries one, and when
    it is the only finding with a fix, that fix alone gives the fixed form."""
    assert example.fixed is not None
    to, fixed = example.fixed.to, example.fixed.code
    (tmp_path / "example.py").write_text(example.code, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checked = api.check(["."], no_cache=True, overrides={"target": to})
    assert checked.provider is not None
    ours = [f for f in checked.findings if f.code == code]
    assert ours and all(f.fixable for f in ours), f"{code} INVALID example {index}: not reported as fixable"
    suggested = suggest_fixes(checked.findings, checked.settings, checked.provider, files=checked.files)
    assert any(f in suggested for f in ours), f"{code} INVALID example {index}: its finding carries no fix"
    reports = _reports(checked, suggested)
    api.fix(["."], overrides={"target": to}, echo=lambda m="", **kw: None)
    written = (tmp_path / "example.py").read_text(encoding="utf-8")
    if UPDATE and written != fixed:  # provider data changed: OFFRAMP_UPDATE_SNAPSHOTS=1, then review the diff
        _update_fixed_form(to, fixed, written)
        fixed = written
    for fmt, found, apply in (("sarif", sarif_fixes, apply_chars), ("rdjson", rdjson_fixes, apply_bytes)):
        (path, per_finding), *others = found(reports[fmt]).items()
        assert path.endswith("example.py") and not others
        everything = [r for _, reps in per_finding for r in reps]
        assert apply(example.code, everything) == written, f"{fmt}: the suggestions do not give what fix writes"
        own = [reps for result, reps in per_finding if _rule_of(result) == code]
        assert own, f"{fmt}: the {code} finding carries no fix"
        if len(per_finding) == len(own) == 1:
            assert apply(example.code, own[0]) == written, f"{fmt}: the {code} finding's fix alone is not the fix"
    assert written == fixed, "fix does not write the fixed form (OFFRAMP_UPDATE_SNAPSHOTS=1 rewrites it)"


def _reports(checked: api.Checked, suggested: Mapping[Finding, Suggestion]) -> Dict[str, dict]:
    """The SARIF and rdjson documents `check --to P --output-format F` prints for the example."""
    root = Path.cwd()
    ctx = ReportContext(
        files=len(checked.files),
        parsed=sum(r.parsed for r in checked.results),
        results=checked.results,
        target=checked.provider.id if checked.provider else None,
        extra={"root": str(root), "root_uri": root.as_uri() + "/", "fixes": dict(suggested)},
    )
    return {fmt: json.loads(get_reporter(fmt)(checked.findings, ctx)) for fmt in ("sarif", "rdjson")}


def _rule_of(result: dict) -> str:
    """A SARIF result's `ruleId`, an rdjson diagnostic's `code.value`."""
    return str(result["ruleId"] if "ruleId" in result else result["code"]["value"])


def _update_fixed_form(to: str, old: str, new: str) -> None:
    catalog = Path(__file__).resolve().parents[1] / "rules" / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    entry = 'fixed = {{ to = "{}", code = {} }}'
    assert text.count(entry.format(to, json.dumps(old))) == 1, "fixed form not found as written: edit it by hand"
    catalog.write_text(text.replace(entry.format(to, json.dumps(old)), entry.format(to, json.dumps(new))), "utf-8")
