"""Every rule's INVALID examples must produce it and its VALID examples must not (Fixit-style).

The same examples are printed by `offramp explain`, so the docs are tested documentation.
"""

from __future__ import annotations

import pytest

from offramp.catalog import load_rules
from offramp.runner import check_code

RULES = load_rules()
CASES = [(code, "invalid", i, ex) for code, r in RULES.items() for i, ex in enumerate(r.invalid)] + [
    (code, "valid", i, ex) for code, r in RULES.items() for i, ex in enumerate(r.valid)
]


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
