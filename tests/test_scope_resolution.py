"""Scopes resolved without MetadataWrapper's idle batched walks give exactly the wrapper's answer."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import ExpressionContextProvider, MetadataWrapper, ScopeProvider

import offramp.analysis as analysis_module
from offramp.runner import check_code

CHECK = Path(__file__).parent / "fixtures" / "check"
SOURCES = sorted(p for p in CHECK.glob("*.py"))


def test_scopes_match_the_wrappers_own_resolution() -> None:
    checked = 0
    for path in SOURCES:
        try:
            module = cst.parse_module(path.read_text(encoding="utf-8"))
        except cst.ParserSyntaxError:
            continue  # the fixtures for unparseable input
        checked += 1
        ours = MetadataWrapper(module, unsafe_skip_copy=True)
        analysis_module._resolve_scopes(ours)
        theirs = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
        mine = ours.resolve(ScopeProvider)  # already there: returned, not recomputed
        # Same size; the same scope for every node of the tree (string annotations are parsed
        # into fresh nodes on each resolution, so those keys differ by identity only).
        assert len(mine) == len(theirs), path.name
        common = [node for node in theirs if node in mine]
        assert len(common) > len(theirs) * 0.9, path.name
        for node in common:
            scope, other = theirs[node], mine[node]
            assert type(other) is type(scope)
            assert sorted(a.name for a in other.assignments) == sorted(a.name for a in scope.assignments)
    assert checked >= 20


def test_the_collector_does_not_trigger_a_batched_walk_for_scopes(monkeypatch: pytest.MonkeyPatch) -> None:
    import libcst.metadata.wrapper as wrapper_module

    def refuse(wrapper, providers):  # type: ignore[no-untyped-def]
        kinds = {type(p) for p in providers}
        assert not kinds & {ScopeProvider, ExpressionContextProvider}, kinds
        return real(wrapper, providers)

    real = wrapper_module._gen_batchable
    monkeypatch.setattr(wrapper_module, "_gen_batchable", refuse)
    findings = check_code("from openai import OpenAI\nclient = OpenAI()\n")
    assert [f.code for f in findings] == ["OFR101"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_findings_do_not_depend_on_how_scopes_were_resolved(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = path.read_text(encoding="utf-8")
    fast = check_code(code, path=path.name)
    monkeypatch.setattr(analysis_module, "_resolve_scopes", lambda wrapper: None)
    assert check_code(code, path=path.name) == fast
