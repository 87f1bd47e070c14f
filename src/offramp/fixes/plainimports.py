"""`import os` added as libcst.codemod's AddImportsVisitor adds it, without loading libcst.codemod.

Importing libcst.codemod loads libcst.matchers, which defines a dataclass per node type: 0.21 CPU-s
and 7 MB of memory, a twentieth of `fix` on a generated 5k-line module (0.85 CPU-s and 99 MB for
LibCST's parse of it). Most rewrites add only plain module imports (`import os` for an environment
read), and for those the visitor's rule is short: after a leading docstring or `__strict__ = ...`,
the block of one-import statement lines is the file's imports; each module not already imported
there as itself goes at the end of that block, sorted, and the statement after the block gets a
blank line before it. `apply.py` calls this for plain imports and the visitor for anything else
(`from x import y`, aliases). tests/test_plainimports.py holds both to the same output.
"""

from __future__ import annotations

from typing import List, Sequence, Set, Union, cast

import libcst as cst

Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]


def is_import_line(stmt: cst.CSTNode) -> bool:
    """A statement line that is exactly one `import` or `from ... import` (matchers'
    `SimpleStatementLine(body=[ImportFrom() | Import()])`)."""
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom))
    )


def bound_modules(stmt: cst.Import) -> Set[str]:
    """The modules an `import` line makes usable by their own name: `import os` and `import os.path` both bind
    `os` (an added `import os` beside the second was one too many), `import os as _os` binds none."""
    out: Set[str] = set()
    for alias in stmt.names:
        if alias.asname is None:
            name = alias.evaluated_name
            out.update((name, name.split(".")[0]))
    return out


def add_plain_imports(module: cst.Module, modules: Sequence[str]) -> cst.Module:
    """`module` with `import m` for each of `modules` it does not import yet at its top; the
    module itself when there is none to add."""
    body: List[Statement] = list(module.body)
    start = 1 if _skip_first(module) else 0
    end = start
    have: Set[str] = set()
    while end < len(body) and is_import_line(body[end]):
        small = cast(cst.SimpleStatementLine, body[end]).body[0]
        if isinstance(small, cst.Import):
            have.update(bound_modules(small))
        end += 1
    wanted = sorted(set(modules) - have)
    if not wanted:
        return module
    added = [cst.parse_statement(f"import {name}", config=module.config_for_parsing) for name in wanted]
    return module.with_changes(body=[*body[:end], *added, *_blank_line_before(body[end:])])


def _skip_first(module: cst.Module) -> bool:
    """Whether the module opens with a docstring or a `__strict__ = ...` flag (never put imports above)."""
    if not module.body or not isinstance(module.body[0], cst.SimpleStatementLine) or len(module.body[0].body) != 1:
        return False
    small = module.body[0].body[0]
    if isinstance(small, cst.Assign):
        return (
            len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and small.targets[0].target.value == "__strict__"
        )
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)


def _blank_line_before(statements: List[Statement]) -> List[Statement]:
    """The statements, the first with a blank line above it unless it has one (as the visitor does)."""
    if not statements:
        return statements
    first = statements[0]
    if not first.leading_lines:
        return [first.with_changes(leading_lines=(cst.EmptyLine(),)), *statements[1:]]
    if first.leading_lines[0].comment is None:
        return statements
    return [first.with_changes(leading_lines=(cst.EmptyLine(), *first.leading_lines)), *statements[1:]]
