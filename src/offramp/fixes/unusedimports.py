"""Imports a fix made unused, removed with libcst.codemod's RemoveImportsVisitor, without its cost on a
large file where the text already shows the answer, and without the comments written above them."""

from __future__ import annotations

import ast
import re
import symtable
import warnings
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Set, Tuple, Union, cast

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import

from offramp.source import note_cpython_accepts

if TYPE_CHECKING:
    from libcst.codemod.visitors import RemoveImportsVisitor


Removal = Tuple[str, Optional[str], Optional[str]]  # module, object (None: `import module`), alias


def remove_imports(module: cst.Module, removals: Sequence[Removal]) -> Tuple[cst.Module, Optional[str]]:
    """RemoveImportsVisitor: drop these imports where nothing uses them any more.

    The visitor copies the module and runs scope and qualified-name analysis over all of it
    (plus three more passes), a third of a large file's `fix`. When the text shows that the names
    those imports bind appear nowhere but in the import statements themselves, no analysis can
    find a use (no reference, no `__all__` entry, no string annotation): the visitor then runs on
    those statements alone, with the same result. Also the module's code when it was generated
    for the module returned (else None).
    """
    if not removals:
        return module, None
    found = _imports_to_remove(module, removals)
    if not found:
        return module, None
    code = module.code
    lines = {id(line): line for _, line, _ in found}
    inside = "".join(module.code_for_node(line) for line in lines.values())
    names = {name for _, _, bound in found for name in bound}
    if any(_count_word(code, n) != _count_word(inside, n) for n in names):
        if _all_referenced(code, names):
            return module, code  # every one still in use: the visitor would keep them all
        remover = _remover(removals)  # used somewhere, maybe: analyse it all
        return _with_comments_carried(remover.transform_module(module), remover), None
    # One small module of those statements, each followed by a marker line that says where its
    # result ends (it may be removed altogether).
    body = list(module.body)
    at = sorted({i for i, _, _ in found})
    marker = cst.SimpleStatementLine(body=[cst.Expr(cst.Name(_MARKER))])
    small = module.with_changes(body=[stmt for i in at for stmt in (body[i], marker)])
    results: List[List[Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]]] = [[]]
    remover = _remover(removals)
    for stmt in remover.transform_module(small).body:
        if _is_marker(stmt):
            results.append([])
        else:
            results[-1].append(stmt)
    assert len(results) == len(at) + 1 and not results[-1]
    for i, new in reversed(list(zip(at, results))):
        body[i : i + 1] = new
    return _with_comments_carried(module.with_changes(body=body), remover), None


def _with_comments_carried(module: cst.Module, remover: RemoveImportsVisitor) -> cst.Module:
    if not getattr(remover, "kept_comments", False):  # (no import with comments above it went: nothing to walk)
        return module
    new = module.visit(_CarryComments())
    assert isinstance(new, cst.Module)
    return new


_MARKER = "__offramp_end_of_statement__"


def _remover(removals: Sequence[Removal]) -> RemoveImportsVisitor:
    """RemoveImportsVisitor for these removals (libcst.codemod is loaded here, when it is needed),
    that leaves a marker line holding the comments above an import line it removes altogether."""
    from libcst.codemod import CodemodContext  # lazy: start-up (plainimports.py)
    from libcst.codemod.visitors import RemoveImportsVisitor  # lazy: start-up

    class KeepingComments(RemoveImportsVisitor):
        def leave_SimpleStatementLine(
            self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
        ) -> cst.SimpleStatementLine:
            if updated_node.body or not any(line.comment is not None for line in original_node.leading_lines):
                return updated_node
            self.kept_comments = True
            return _comments_marker(original_node.leading_lines)

    ctx = CodemodContext()
    for mod, obj, asname in removals:
        RemoveImportsVisitor.remove_unused_import(ctx, mod, obj, asname)
    return KeepingComments(ctx)


_COMMENTS = "__offramp_comments_of_a_removed_import__"


def _comments_marker(lines: Sequence[cst.EmptyLine]) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=[cst.Expr(cst.Name(_COMMENTS))], leading_lines=lines)


def _is_comments_marker(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.Name) and small.value.value == _COMMENTS


class _CarryComments(cst.CSTTransformer):
    """The comments above a removed import go to the statement after it (or the end of its block), as
    when the import's line alone is deleted (Ruff's F401 fix): `## Uncomment the LLM you want to use`
    is the user's text, which the import's removal must not take with it."""

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, footer = _carried(updated_node.body, updated_node.footer)
        return updated_node.with_changes(body=body, footer=footer)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body, footer = _carried(updated_node.body, updated_node.footer)
        if not body:  # the block held nothing else: keep it valid as the visitor left it
            return updated_node.with_changes(body=[s for s in updated_node.body if not _is_comments_marker(s)])
        return updated_node.with_changes(body=body, footer=footer)


def _carried(
    stmts: Sequence[cst.BaseStatement], footer: Sequence[cst.EmptyLine]
) -> Tuple[List[cst.BaseStatement], List[cst.EmptyLine]]:
    out: List[cst.BaseStatement] = []
    pending: List[cst.EmptyLine] = []
    for stmt in stmts:
        if _is_comments_marker(stmt):
            pending.extend(cast(cst.SimpleStatementLine, stmt).leading_lines)
        elif pending and isinstance(stmt, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            out.append(stmt.with_changes(leading_lines=[*pending, *stmt.leading_lines]))
            pending = []
        else:
            out.append(stmt)
    return out, [*pending, *footer]


def _is_marker(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.Name) and small.value.value == _MARKER


def _all_referenced(code: str, names: Set[str]) -> bool:
    """Whether each name is bound by one import at module level, nowhere else, and read after it.

    Then that import has a reference, and RemoveImportsVisitor keeps it. CPython's symbol table
    (C, one parse) says so for the common case of a large file that still names the class it
    imported (`client: AzureOpenAI` in a signature after `AzureOpenAI(...)` became `OpenAI(...)`),
    where the visitor's copy, scope analysis and five walks took over half of `fix` (a generated
    5k-line module: 70 of 124 s). Any doubt (another binding, a local one, syntax this Python
    cannot compile) answers False, and the visitor decides.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(code)
            note_cpython_accepts(code)  # (onefile.py need not parse the rewrite again)
            top = symtable.symtable(code, "<fix>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    imported: Dict[str, List[Tuple[int, int]]] = {}
    # Where each name is read (annotations too: the symbol table skips them under
    # `from __future__ import annotations`).
    read: Dict[str, List[Tuple[int, int]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                imported.setdefault(bound, []).append((node.lineno, node.col_offset))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read.setdefault(node.id, []).append((node.lineno, node.col_offset))
    for name in names:
        where = imported.get(name, [])
        # A read before the import, even in a function that runs later, is left to the visitor.
        if len(where) != 1 or not any(at > where[0] for at in read.get(name, ())):
            return False
        try:
            sym = top.lookup(name)
        except KeyError:
            return False
        if not sym.is_imported() or sym.is_assigned() or sym.is_parameter():
            return False
        stack = list(top.get_children())
        while stack:
            table = stack.pop()
            stack.extend(table.get_children())
            try:
                inner = table.lookup(name)
            except KeyError:
                continue
            if inner.is_assigned() or inner.is_imported() or inner.is_parameter() or not inner.is_global():
                return False  # bound (or declared global and rebound) in a function or class
    return True  # bound once, module-wide: every read of the name is a reference to that import


def _count_word(text: str, word: str) -> int:
    return len(re.findall(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text))


def _imports_to_remove(module: cst.Module, removals: Sequence[Removal]) -> List[Tuple[int, cst.CSTNode, Set[str]]]:
    """(index of the top-level statement, the statement line, the names it binds) of every import
    that RemoveImportsVisitor would consider for these removals."""
    modules = {mod: asname for mod, obj, asname in removals if obj is None}
    objects: Dict[str, Set[Tuple[str, Optional[str]]]] = {}
    for mod, obj, asname in removals:
        if obj is not None:
            objects.setdefault(mod, set()).add((obj, asname))
    found: List[Tuple[int, cst.CSTNode, Set[str]]] = []

    def bound(line: cst.SimpleStatementLine) -> Set[str]:
        names: Set[str] = set()
        for small in line.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    name = alias.evaluated_name
                    if name in modules and alias.evaluated_alias == modules[name]:
                        names.add(alias.evaluated_alias or name.split(".")[0])
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                wanted = objects.get(get_absolute_module_from_package_for_import(None, small) or "", set())
                for alias in small.names:
                    if (alias.evaluated_name, alias.evaluated_alias) in wanted:
                        names.add(alias.evaluated_alias or alias.evaluated_name)
        return names

    class Find(cst.CSTVisitor):
        index = 0

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.SimpleStatementLine):
                names = bound(node)
                if names:
                    found.append((self.index, node, names))
                return False
            return not isinstance(node, cst.BaseExpression)

    finder = Find()
    for i, stmt in enumerate(module.body):
        finder.index = i
        stmt.visit(finder)
    return found
