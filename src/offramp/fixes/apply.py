"""Apply a Plan to a module: one transform pass, then imports tidied with libcst.codemod's visitors
(loaded only when a rewrite needs them: plainimports.py says why)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union, cast

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import Assignment, MetadataWrapper, Scope, ScopeProvider

from offramp.analysis.values import dotted_name
from offramp.checks.todos import joined, same_text, wrapped
from offramp.fixes.importplace import add_stdlib_import, sort_added_names
from offramp.fixes.placement import is_import_line
from offramp.fixes.plainimports import add_plain_imports
from offramp.fixes.plainimports import is_import_line as is_one_import
from offramp.fixes.plan import AZURE_IDENTITY, Plan
from offramp.fixes.provenance import Tracer
from offramp.fixes.unusedimports import Removal, remove_imports
from offramp.fixes.wrap import Bracketed, ending_call, hugged_split, rewrap_statement, width, wrap_statement
from offramp.syntax.tree import module_parents

if TYPE_CHECKING:
    pass

_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
_BRACKETS = (cst.Call, cst.Dict, cst.List, cst.Set)
_TRACKED = (*_BRACKETS, cst.SimpleStatementLine)


class _Apply(cst.CSTTransformer):
    def __init__(
        self,
        plan: Plan,
        default_indent: str = "    ",
        line_length: Optional[int] = None,
        inside: Optional[Set[int]] = None,
    ) -> None:
        super().__init__()
        self.plan = plan
        self.inside = inside  # the nodes with something of the plan below them (`_above_plan`); None: all
        self.default_indent = default_indent
        self.line_length = line_length
        self.indents: List[str] = []  # the indentation of each block the transform is inside
        self.edited_calls: Set[int] = set()  # calls an edit changed, in the statement being left
        self.edits_made = 0  # edits applied so far, and that count when each open bracket was entered
        self.edits_at: List[int] = []
        self.tracer = Tracer(plan.dropped) if plan.trace else None  # which edits an edit around them replaced
        self.first: Optional[int] = None  # the module's first statement, and the comments above it (its header)
        self.header: Sequence[cst.EmptyLine] = ()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _TRACKED):
            self.edits_at.append(self.edits_made)
        if self.tracer is not None and id(node) in self.plan.edits:
            self.tracer.enter()
        # A subtree with nothing of the plan in it stays as it is (LibCST would copy every node of it):
        # `on_leave` still sees its root, which may carry an edit itself.
        return super().on_visit(node) and (self.inside is None or id(node) in self.inside)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        self.indents.append(self.default_indent if node.indent is None else node.indent)
        return True

    # Edits may replace a node with one of another type, which the generic signature cannot express.
    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel]:
        node = updated_node
        key = id(original_node)
        if isinstance(original_node, cst.IndentedBlock):
            self.indents.pop()
        for fn in self.plan.edits.get(key, ()):
            node = fn(node)
            self.edits_made += 1
        edited = isinstance(original_node, _TRACKED) and self.edits_at.pop() != self.edits_made
        if edited and isinstance(original_node, _BRACKETS):
            node = self._fit_hugged(original_node, node)
        if isinstance(node, cst.Call) and node is not updated_node:
            self.edited_calls.add(id(node))
        if isinstance(node, cst.SimpleStatementLine) and isinstance(original_node, cst.SimpleStatementLine):
            node = self._fit(original_node, node, edited)
        own = len(node.leading_lines) if isinstance(node, _STATEMENTS) else 0  # (the lines above it before the TODOs)
        if key in self.plan.todos and isinstance(node, _STATEMENTS) and hasattr(node, "leading_lines"):
            room = None if self.line_length is None else self.line_length - sum(len(i) for i in self.indents)
            # (above the module's first statement, the TODOs of an earlier run are the module's header)
            seen = self.header if self.first == key else ()
            node = node.with_changes(leading_lines=todo_lines(node.leading_lines, self.plan.todos[key], room, seen))
        if self.tracer is not None and key in self.plan.edits:
            self.tracer.leave(key, node)
        before = self.plan.insert_before.get(key, [])
        extra = self.plan.insert_after.get(key, [])
        if (
            extra
            and self.line_length is not None
            and is_import_line(node)
            and not any(line.comment is None for line in _statement(extra[0]).leading_lines)
        ):
            # configuration inserted after the imports: a blank line between, as isort (Ruff's I001) wants
            first = _statement(extra[0])
            extra = [first.with_changes(leading_lines=[cst.EmptyLine(), *first.leading_lines]), *extra[1:]]
        if extra and self.line_length is not None:  # (a split client: fixes/families.py) as `ruff format` wraps it
            extra = [self._fit_new(x) for x in extra]
        if (before or extra) and isinstance(node, _STATEMENTS):
            if before:  # the comments and blank lines above the statement stay above what now opens it; the TODOs
                # written for the statement stay on it (above the function's new `import os`, a second run found
                # its TODO one line too high and wrote it again: crewAI's tests/llms/azure/test_azure.py)
                lines = list(node.leading_lines)
                before = [before[0].with_changes(leading_lines=lines[:own]), *before[1:]]
                node = node.with_changes(leading_lines=lines[own:])
            return cst.FlattenSentinel([*before, node, *extra])
        return node

    def _fit_new(self, node: cst.BaseStatement) -> cst.BaseStatement:
        """An inserted statement ending in a call, wrapped when it does not fit in the line length."""
        call = ending_call(node) if isinstance(node, cst.SimpleStatementLine) else None
        if call is None or not isinstance(node, cst.SimpleStatementLine) or self.line_length is None:
            return node
        indent = sum(len(i) for i in self.indents)
        after = width(node)
        if after is None or indent + after <= self.line_length:
            return node
        return wrap_statement(node, call, indent, self.default_indent, self.line_length)

    def _fit_hugged(self, original: Bracketed, node: cst.CSTNode) -> cst.CSTNode:
        """An edited call, dict, list or set with its items on one line of their own, one item a line
        when that line no longer fits (wrap.py `hugged_split`)."""
        if self.line_length is None or not isinstance(node, _BRACKETS):
            return node
        indent = sum(len(i) for i in self.indents)
        return hugged_split(original, node, indent, self.default_indent, self.line_length)

    def _fit(
        self, original: cst.SimpleStatementLine, node: cst.SimpleStatementLine, edited: bool
    ) -> cst.SimpleStatementLine:
        """`node` with the call that ends it wrapped, when an edit of that call took a statement that
        fitted in the line length past it (or, over lines, an edit in it: wrap.py `rewrap_statement`)."""
        calls, self.edited_calls = self.edited_calls, set()
        if self.line_length is None or not edited:
            return node
        call = ending_call(node)
        if call is None:
            return node
        indent = sum(len(i) for i in self.indents)
        before, after = width(original), width(node)
        if before is None and after is None:
            return rewrap_statement(original, node, call, indent, self.default_indent, self.line_length)
        if id(call) not in calls or before is None or after is None:
            return node
        if indent + after <= self.line_length or indent + before > self.line_length:
            return node
        return wrap_statement(node, call, indent, self.default_indent, self.line_length)


def apply_plan(module: cst.Module, plan: Plan, line_length: Optional[int] = None) -> cst.Module:
    """The module with the plan's edits. With `line_length` (the project uses Ruff), calls an edit made too
    long are wrapped (wrap.py) and an added `import os` is sorted into its block (importplace.py)."""
    return _apply(module, plan, line_length)[0]


def apply_plan_text(module: cst.Module, plan: Plan, line_length: Optional[int] = None) -> str:
    """`apply_plan(...).code`, generated once: tidying the imports may have generated it already (a
    large file's code generation takes about a fifth of its parse)."""
    new, code = _apply(module, plan, line_length)
    return new.code if code is None else code


def _apply(module: cst.Module, plan: Plan, line_length: Optional[int]) -> Tuple[cst.Module, Optional[str]]:
    applier = _Apply(plan, module.default_indent, line_length, _above_plan(module, plan))
    if module.body:
        applier.first, applier.header = id(module.body[0]), module.header
    new = module.visit(applier)
    assert isinstance(new, cst.Module)
    gone: Set[str] = set()  # the names of the Azure credential statements deleted
    if plan.azure_cleanup:
        new = remove_unused_azure_credentials(new, gone)
    added = list(dict.fromkeys(plan.add_imports))
    for mod, obj in list(added):
        placed = add_stdlib_import(new, mod) if obj is None and line_length is not None else None
        if placed is not None:  # sorted into the file's standard-library block (importplace.py)
            new = placed
            added.remove((mod, obj))
    if added:
        before_added = new
        new = _add_imports(new, added)
        if line_length is not None:  # (a Ruff project) names added to a sorted `from` import keep it sorted
            new = sort_added_names(before_added, new)
    removals: List[Removal] = list(dict.fromkeys(plan.remove_imports))
    if plan.azure_cleanup:
        for obj in _azure_identity_names(new):
            removals += [(AZURE_IDENTITY, obj, None), (AZURE_IDENTITY + ".aio", obj, None)]
            gone.add(obj)
        removals.append(("openai.lib.azure", "AzureADTokenProvider", None))
        plan.cleaned_up({*gone, "AzureADTokenProvider"})
    return remove_imports(new, removals)


def _above_plan(module: cst.Module, plan: Plan) -> Optional[Set[int]]:
    """The nodes the transform must go into: every one with a node the plan edits, annotates or
    inserts at below it. Only they change; the rest of the tree is kept as it is instead of copied
    (on a generated 5k-line module the copy was ~0.5 s of each rewrite). None when a planned node
    is not in the module's parent map (then the transform goes everywhere, as LibCST does)."""
    parents = module_parents(module)
    inside: Set[int] = set()
    for key in {*plan.edits, *plan.todos, *plan.insert_before, *plan.insert_after}:
        node_id = key
        while node_id != id(module):
            parent = parents.get(node_id)
            if parent is None:
                return None
            node_id = id(parent)
            if node_id in inside:
                break
            inside.add(node_id)
    return inside


def _add_imports(module: cst.Module, added: Sequence[Tuple[str, Optional[str]]]) -> cst.Module:
    """AddImportsVisitor, run on the module's head only (plain `import x` lines: as it would, by
    plainimports.py, without loading libcst.codemod).

    It reads and changes nothing but the import block at the top (the statements before the first
    other one, after a docstring) and the blank line before the statement that follows it, yet
    copies and walks the whole module twice: on the head alone it does the same in no time.
    """
    body = list(module.body)
    n = 1 if body and not is_one_import(body[0]) else 0  # a docstring or `__strict__` flag, maybe
    while n < len(body) and is_one_import(body[n]):
        n += 1
    head = module.with_changes(body=body[: n + 1])  # and the statement after the imports
    if all(obj is None and mod != "__future__" for mod, obj in added):
        new_head = add_plain_imports(head, [mod for mod, _ in added])
    else:
        from libcst.codemod import CodemodContext  # lazy: start-up (plainimports.py)
        from libcst.codemod.visitors import AddImportsVisitor  # lazy: start-up

        ctx = CodemodContext()
        for mod, obj in added:
            AddImportsVisitor.add_needed_import(ctx, mod, obj)
        new_head = AddImportsVisitor(ctx).transform_module(head)
    if new_head is head or new_head.deep_equals(head):
        return module
    return module.with_changes(body=[*new_head.body, *body[n + 1 :]])


def _azure_identity_names(module: cst.Module) -> list:
    names: List[Optional[str]] = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if (
                    isinstance(small, cst.ImportFrom)
                    and small.module is not None
                    and not isinstance(small.names, cst.ImportStar)
                    and (dotted_name(small.module) or "").startswith(AZURE_IDENTITY)
                ):
                    names.extend(dotted_name(a.name) for a in small.names)
    return [n for n in names if n]


def remove_unused_azure_credentials(module: cst.Module, gone: Optional[Set[str]] = None) -> cst.Module:
    """Delete `x = get_bearer_token_provider(...)`-style statements whose name is no longer used.

    Only statements whose value is an `azure.identity` call and whose every target is unread
    go; everything else stays, so no user code disappears silently. A statement read only by
    statements that go (`cred = DefaultAzureCredential()` read by `token = get_...(cred, ...)`)
    goes too: one scope analysis, then a fixed point over the references, instead of analysing
    the module again after each round of deletions.
    """
    azure_names = _names_bound_by_azure_imports(module)

    def may_be_azure(call: cst.Call) -> bool:  # only a name an `azure...` import binds can be azure.identity's
        return azure_names is None or _root_name(call.func) in azure_names

    if not any(may_be_azure(call) for _, _, call in _assignments_of_calls(module)):
        return module  # the common case: no scope analysis of the whole module
    wrapper = MetadataWrapper(module)
    scopes = wrapper.resolve(ScopeProvider)
    candidates: Dict[int, Tuple[List[Assignment], Set[int]]] = {}
    rest = []
    for stmt, assign, call in _assignments_of_calls(wrapper.module):
        scope = scopes.get(call.func)
        names = {q.name for q in scope.get_qualified_names_for(call.func)} if scope is not None else set()
        if may_be_azure(call) and any(n.startswith(AZURE_IDENTITY + ".") for n in names):
            _add_candidate(candidates, stmt, assign, scopes)
        else:
            rest.append((stmt, assign, call))
    # `token = credential.get_token(...)`: a call on what such a statement binds (its only binding) is the
    # credential's too; without it an Azure AD token would still be fetched at import, for nothing
    grown = True
    while grown:
        grown = False
        for stmt, assign, call in rest:
            root = _root_node(call.func)
            scope = scopes.get(root) if root is not None else None
            if id(stmt) in candidates or root is None or scope is None:
                continue
            bindings = list(scope[root.value])
            # (a builtin's binding has no node: `str(...)`, `len(...)` are never the credential's)
            if bindings and all(
                isinstance(b, Assignment) and any(id(b.node) in nodes for _, nodes in candidates.values())
                for b in bindings
            ):
                grown = _add_candidate(candidates, stmt, assign, scopes) or grown
    doomed: Set[int] = set()
    inside: Set[int] = set()  # every node of a doomed statement: references from there do not count
    changed = True
    while changed:
        changed = False
        for key, (assignments, nodes) in candidates.items():
            if key not in doomed and all(id(r.node) in inside for a in assignments for r in a.references):
                doomed.add(key)
                inside |= nodes
                changed = True
    if not doomed:
        return module
    if gone is not None:  # (their names: fixes/provenance.py)
        gone.update(a.name for key in doomed for a in candidates[key][0])

    class Drop(cst.CSTTransformer):
        def on_visit(self, node: cst.CSTNode) -> bool:
            return not isinstance(node, (cst.SimpleStatementLine, cst.BaseExpression))

        def on_leave(  # type: ignore[override]
            self, original_node: cst.CSTNode, updated_node: cst.CSTNode
        ) -> Union[cst.CSTNode, cst.RemovalSentinel]:
            return cst.RemoveFromParent() if id(original_node) in doomed else updated_node

    result = wrapper.module.visit(Drop())
    assert isinstance(result, cst.Module)
    return result


def _add_candidate(
    candidates: Dict[int, Tuple[List[Assignment], Set[int]]],
    stmt: cst.SimpleStatementLine,
    assign: cst.Assign,
    scopes: Mapping[cst.CSTNode, Optional[Scope]],
) -> bool:
    """Record `stmt` (whose targets are all plain names) as one that goes once its names are unread."""
    assignments: List[Assignment] = []
    for t in assign.targets:
        target_scope = scopes.get(t.target) if isinstance(t.target, cst.Name) else None
        if target_scope is None:
            return False
        assignments.extend(cast(Assignment, a) for a in target_scope[cast(cst.Name, t.target).value])
    candidates[id(stmt)] = (assignments, _node_ids(stmt))
    return True


def _assignments_of_calls(module: cst.Module) -> List[Tuple[cst.SimpleStatementLine, cst.Assign, cst.Call]]:
    """`x = f(...)` (and `x = f(...).attr`) statement lines, found without walking into expressions."""
    found = []

    class Find(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.SimpleStatementLine):
                small = node.body[0] if len(node.body) == 1 else None
                value = small.value if isinstance(small, cst.Assign) else None
                while isinstance(value, cst.Attribute):
                    value = value.value
                if isinstance(small, cst.Assign) and isinstance(value, cst.Call):
                    found.append((node, small, value))
                return False
            return not isinstance(node, cst.BaseExpression)

    module.visit(Find())
    return found


def _names_bound_by_azure_imports(module: cst.Module) -> Optional[Set[str]]:
    """The names `import azure...` and `from azure... import ...` bind; None for any name at all
    (`from azure... import *`)."""
    names: Optional[Set[str]] = set()

    class Find(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            nonlocal names
            if isinstance(node, cst.Import) and names is not None:
                for alias in node.names:
                    if alias.evaluated_name.split(".")[0] == "azure":
                        names.add(alias.evaluated_alias or "azure")
            elif isinstance(node, cst.ImportFrom) and names is not None:
                module_name = get_absolute_module_from_package_for_import(None, node) or ""
                if module_name.split(".")[0] == "azure":
                    if isinstance(node.names, cst.ImportStar):
                        names = None
                    else:
                        names.update(alias.evaluated_alias or alias.evaluated_name for alias in node.names)
            return not isinstance(node, (cst.BaseExpression, cst.Import, cst.ImportFrom))

    module.visit(Find())
    return names


def _root_node(func: cst.BaseExpression) -> Optional[cst.Name]:
    """The `a` of `a.b.c(...)`'s callee, when that is a name (not a call's result, a subscript...)."""
    while isinstance(func, cst.Attribute):
        func = func.value
    return func if isinstance(func, cst.Name) else None


def _root_name(func: cst.BaseExpression) -> Optional[str]:
    """`a` for `a`, `a.b.c`; None for what is no (dotted) name."""
    while isinstance(func, cst.Attribute):
        func = func.value
    return func.value if isinstance(func, cst.Name) else None


def _node_ids(node: cst.CSTNode) -> Set[int]:
    ids = set()

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            ids.add(id(node))
            return True

    node.visit(Collect())
    return ids


def todo_lines(
    existing: Sequence[cst.EmptyLine],
    texts: List[str],
    width: Optional[int] = None,
    seen: Sequence[cst.EmptyLine] = (),
) -> List[cst.EmptyLine]:
    """Leading comment lines with each TODO added once (a second fix run adds nothing: also not one among the
    `seen` lines above them), wrapped to `width` columns (the project's Ruff line length less the statement's
    indentation) when given."""
    have = [
        text.partition(": ")[2]
        for _, _, text in joined([line.comment.value if line.comment else "" for line in (*seen, *existing)])
    ]
    out = list(existing)
    for text in texts:
        if not any(same_text(text, old) for old in have):
            out += [cst.EmptyLine(indent=True, comment=cst.Comment(c)) for c in wrapped(text, width)]
            have.append(text)
    return out


def _statement(node: cst.BaseStatement) -> Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]:
    """A statement as LibCST's two kinds of it (both have `leading_lines`; their base does not say so)."""
    return cast(Union[cst.SimpleStatementLine, cst.BaseCompoundStatement], node)
