"""The rewrite goes only into the parts of the tree its plan touches; the rest is kept, not copied."""

from __future__ import annotations

import libcst as cst

from offramp.fixes import apply
from offramp.fixes.plan import Plan

CODE = """import openai


def a():
    return openai.OpenAI(base_url="https://api.openai.com/v1")


def b():
    client = openai.OpenAI()
    return client


class C:
    def m(self):
        return [x for x in range(3)]
"""


def _plan(module: cst.Module) -> Plan:
    a, b = module.body[1], module.body[2]
    assert isinstance(a, cst.FunctionDef) and isinstance(b, cst.FunctionDef)
    ret = a.body.body[0]
    assert isinstance(ret, cst.SimpleStatementLine)
    call = ret.body[0].value  # type: ignore[attr-defined]
    url = call.args[0].value
    plan = Plan()
    plan.edit(url, lambda node: node.with_changes(value='"https://example.invalid/v1"'))
    plan.todo(b.body.body[0], "check the key", "OFR101")
    return plan


def test_untouched_subtrees_are_kept_and_the_result_is_the_full_walks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    module = cst.parse_module(CODE)
    new = apply.apply_plan(module, _plan(module))
    assert new.body[3] is module.body[3]  # class C: nothing planned in it
    assert new.body[0] is module.body[0]
    assert new.body[1] is not module.body[1] and new.body[2] is not module.body[2]
    assert "https://example.invalid/v1" in new.code and "TODO[offramp]: check the key (OFR101)" in new.code
    # LibCST's own full walk (every subtree copied) gives the same code
    monkeypatch.setattr(apply, "_above_plan", lambda module, plan: None)
    full = apply.apply_plan(module, _plan(module))
    assert full.body[3] is not module.body[3]
    assert full.code == new.code
