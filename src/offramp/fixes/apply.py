"""Apply a Plan to a module: one transform pass, then imports tidied with libcst.codemod's visitors."""

from __future__ import annotations

from typing import List, Optional, Union

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, ScopeProvider

from offramp.fixes.edits import todo_lines
from offramp.fixes.planner import AZURE_IDENTITY, Plan

_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


class _Apply(cst.CSTTransformer):
    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    # Edits may replace a node with one of another type, which the generic signature cannot express.
    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]:
        node = updated_node
        key = id(original_node)
        for fn in self.plan.edits.get(key, ()):
            node = fn(node)
        if key in self.plan.todos and isinstance(node, _STATEMENTS) and hasattr(node, "leading_lines"):
            node = node.with_changes(leading_lines=todo_lines(node.leading_lines, self.plan.todos[key]))
        extra = self.plan.insert_after.get(key)
        if extra and isinstance(node, _STATEMENTS):
            return cst.FlattenSentinel([node, *extra])
        return node


def apply_plan(module: cst.Module, plan: Plan) -> cst.Module:
    new = module.visit(_Apply(plan))
    assert isinstance(new, cst.Module)
    if plan.azure_cleanup:
        new = remove_unused_azure_credentials(new)
    if plan.add_imports or plan.remove_imports or plan.azure_cleanup:
        ctx = CodemodContext()
        for mod, obj in dict.fromkeys(plan.add_imports):
            AddImportsVisitor.add_needed_import(ctx, mod, obj)
        for mod, obj, asname in dict.fromkeys(plan.remove_imports):
            RemoveImportsVisitor.remove_unused_import(ctx, mod, obj, asname)
        if plan.azure_cleanup:
            for obj in _azure_identity_names(new):
                RemoveImportsVisitor.remove_unused_import(ctx, AZURE_IDENTITY, obj)
                RemoveImportsVisitor.remove_unused_import(ctx, AZURE_IDENTITY + ".aio", obj)
            RemoveImportsVisitor.remove_unused_import(ctx, "openai.lib.azure", "AzureADTokenProvider")
        new = AddImportsVisitor(ctx).transform_module(new)
        new = RemoveImportsVisitor(ctx).transform_module(new)
    return new


def _azure_identity_names(module: cst.Module) -> list:
    names: List[Optional[str]] = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and small.module is not None
                    and not isinstance(small.names, cst.ImportStar)
                ):
                    from offramp.analysis.values import dotted_name

                    if (dotted_name(small.module) or "").startswith(AZURE_IDENTITY):
                        names.extend(dotted_name(a.name) for a in small.names)
    return [n for n in names if n]


def remove_unused_azure_credentials(module: cst.Module) -> cst.Module:
    """Delete `x = get_bearer_token_provider(...)`-style statements whose name is no longer used.

    Only statements whose value is an `azure.identity` call and whose every target is unread
    go; everything else stays, so no user code disappears silently.
    """
    wrapper = MetadataWrapper(module)
    scopes = wrapper.resolve(ScopeProvider)
    qnames = wrapper.resolve(QualifiedNameProvider)
    doomed = set()

    class Find(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            if len(node.body) != 1 or not isinstance(node.body[0], cst.Assign):
                return
            assign = node.body[0]
            value = assign.value
            if not isinstance(value, cst.Call):
                return
            found = qnames.get(value.func, set())
            names = {q.name for q in (found() if callable(found) else found)}
            if not any(n.startswith(AZURE_IDENTITY + ".") for n in names):
                return
            for t in assign.targets:
                if not isinstance(t.target, cst.Name):
                    return
                scope = scopes.get(t.target)
                if scope is None:
                    return
                for a in scope[t.target.value]:
                    if a.references:
                        return
            doomed.add(id(node))

    wrapper.module.visit(Find())
    if not doomed:
        return wrapper.module

    class Drop(cst.CSTTransformer):
        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> Union[cst.SimpleStatementLine, cst.RemovalSentinel]:
            return cst.RemoveFromParent() if id(original_node) in doomed else updated_node

    result = wrapper.module.visit(Drop())
    assert isinstance(result, cst.Module)
    return remove_unused_azure_credentials(result) if result.code != module.code else result
