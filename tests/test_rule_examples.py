"""Every rule's INVALID examples must produce it and its VALID examples must not (Fixit-style); an
INVALID example with its fixed form is also what `offramp fix --to P` writes, and what the fixes a
report attaches to its findings (SARIF `fixes`, rdjson `suggestions`) give when all are applied.

The same examples are printed by `offramp explain`, so the docs are tested documentation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import UPDATE

from offramp import api
from offramp.catalog import load_rules
from offramp.runner import check_code
from offramp.types import Example

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
    from offramp.fixes.suggest import apply_edits, suggest_fixes

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
    edits = [e for s in suggested.values() for e in s.edits]
    api.fix(["."], overrides={"target": to}, echo=lambda m="", **kw: None)
    written = (tmp_path / "example.py").read_text(encoding="utf-8")
    if UPDATE and written != fixed:  # provider data changed: OFFRAMP_UPDATE_SNAPSHOTS=1, then review the diff
        _update_fixed_form(to, fixed, written)
        fixed = written
    assert apply_edits(example.code, edits) == written, "the suggestions do not give what fix writes"
    assert written == fixed, "fix does not write the fixed form (OFFRAMP_UPDATE_SNAPSHOTS=1 rewrites it)"


def _update_fixed_form(to: str, old: str, new: str) -> None:
    catalog = Path(__file__).resolve().parents[1] / "rules" / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    entry = 'fixed = {{ to = "{}", code = {} }}'
    assert text.count(entry.format(to, json.dumps(old))) == 1, "fixed form not found as written: edit it by hand"
    catalog.write_text(text.replace(entry.format(to, json.dumps(old)), entry.format(to, json.dumps(new))), "utf-8")
