"""`import os` where isort (Ruff's `I` rules) puts it: in the file's standard-library block.

libcst's AddImportsVisitor appends a new import after the last one at the top of the file, so
`from openai import OpenAI` followed by the added `import os` is an unsorted block (I001) in
every project that runs Ruff's isort rules. This places a standard-library `import NAME` in the
first block of standard-library imports, before the first `from` import there and in name order
among the `import` lines (isort's defaults), or as a block of its own above the first block of
other imports, one blank line between them. The lines after the imports are left as they are.
"""

from __future__ import annotations

import sys
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from offramp.analysis.values import dotted_name
from offramp.fixes.plainimports import bound_modules

# Python 3.9 has no sys.stdlib_module_names; offramp adds only `import os`.
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"os"}


def add_stdlib_import(module: cst.Module, name: str) -> Optional[cst.Module]:
    """`module` with `import NAME` placed in its import block (NAME: a standard-library module), the
    module itself when the block already imports it, None when the file has no block to sort it into."""
    body = list(module.body)
    start = 1 if body and _docstring(body[0]) else 0
    end = start
    while end < len(body) and _imports(body[end]):
        end += 1
    head = [i for i in range(start, end) if not _is_future(body[i])]
    if not head or name not in _STDLIB:
        return None
    if any(isinstance(s, cst.Import) and name in bound_modules(s) for i in head for s in _small(body[i])):
        return module
    groups = _groups(body, head)
    new = cst.parse_statement(f"import {name}\n")
    assert isinstance(new, cst.SimpleStatementLine)
    stdlib = next((g for g in groups if any(_section(body[i]) == "stdlib" for i in g)), None)
    if stdlib is None:  # a block of its own, above the first block of other imports
        at, gap = groups[0][0], [cst.EmptyLine()]
    else:
        at, gap = next((i for i in stdlib if _after(body[i], name)), stdlib[-1] + 1), []
    if at < len(body) and at in (stdlib or groups[0])[:1]:
        # The blank lines above the block go above the new first line; comments stay with their import.
        first = body[at]
        lines = list(first.leading_lines)
        blanks = 0
        while blanks < len(lines) and lines[blanks].comment is None:
            blanks += 1
        new = new.with_changes(leading_lines=lines[:blanks])
        body[at] = first.with_changes(leading_lines=[*gap, *lines[blanks:]])
    body.insert(at, new)
    return module.with_changes(body=body)


def _docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _small(stmt: cst.BaseStatement) -> Sequence[cst.BaseSmallStatement]:
    return stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()


def _imports(stmt: cst.BaseStatement) -> bool:
    small = _small(stmt)
    return bool(small) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small)


def _is_future(stmt: cst.BaseStatement) -> bool:
    return any(
        isinstance(s, cst.ImportFrom) and s.module is not None and dotted_name(s.module) == "__future__"
        for s in _small(stmt)
    )


def _section(stmt: cst.BaseStatement) -> str:
    modules = []
    for s in _small(stmt):
        if isinstance(s, cst.Import):
            modules += [dotted_name(a.name) or "" for a in s.names]
        elif isinstance(s, cst.ImportFrom):
            modules.append("." if s.relative or s.module is None else dotted_name(s.module) or "")
    return "stdlib" if modules and all(m.split(".")[0] in _STDLIB for m in modules) else "other"


def _groups(body: Sequence[cst.BaseStatement], head: Sequence[int]) -> List[List[int]]:
    """The import statements split where a blank line separates them (isort's sections)."""
    groups: List[List[int]] = []
    for i in head:
        stmt = body[i]
        blank = isinstance(stmt, cst.SimpleStatementLine) and any(line.comment is None for line in stmt.leading_lines)
        if not groups or blank or groups[-1][-1] != i - 1:
            groups.append([])
        groups[-1].append(i)
    return groups


def _after(stmt: cst.BaseStatement, name: str) -> bool:
    """Whether `import NAME` sorts before `stmt` (isort: `import` lines by name, then `from` lines)."""
    small = _small(stmt)
    if any(isinstance(s, cst.ImportFrom) for s in small):
        return True
    names = [n for s in small if isinstance(s, cst.Import) for n in (dotted_name(a.name) or "" for a in s.names)]
    return bool(names) and names[0].lower() > name.lower()


def sort_added_names(old: cst.Module, new: cst.Module) -> cst.Module:
    """`new` (`old` with names added to its `from` imports) with each `from` import that gained names in
    isort's order (Ruff's `order-by-type`: constants, classes, then the rest, each case-insensitively),
    when its names were in that order before: `from openai import AsyncAzureOpenAI, AsyncOpenAI`, not
    the `AsyncOpenAI, AsyncAzureOpenAI` libcst's AddImportsVisitor writes. Each place keeps its comma."""
    # The n-th import from a module stays its n-th (AddImportsVisitor adds names to the first, or a new
    # statement for a module no statement imports from): keyed by module alone, a file with two
    # `from typing import ...` lines had the first sorted when the last one was.
    before = {key: s for key, s in _numbered(_top_from_imports(old))}
    changes: Dict[cst.BaseSmallStatement, cst.BaseSmallStatement] = {}
    for key, stmt in _numbered(_top_from_imports(new)):
        was = before.get(key)
        if was is None or isinstance(stmt.names, cst.ImportStar) or isinstance(was.names, cst.ImportStar):
            continue
        names = list(stmt.names)
        if len(names) == len(was.names) or [a.evaluated_name for a in was.names] != _isort(was.names):
            continue
        order = sorted(names, key=lambda a: _member_key(a.evaluated_name))
        changes[stmt] = stmt.with_changes(names=[a.with_changes(comma=p.comma) for a, p in zip(order, names)])
    if not changes:
        return new
    body = [
        s.with_changes(body=[changes.get(x, x) for x in s.body]) if isinstance(s, cst.SimpleStatementLine) else s
        for s in new.body
    ]
    return new.with_changes(body=body)


def _top_from_imports(module: cst.Module) -> List[cst.ImportFrom]:
    return [
        x
        for s in module.body
        if isinstance(s, cst.SimpleStatementLine)
        for x in s.body
        if isinstance(x, cst.ImportFrom)
    ]


def _numbered(imports: Sequence[cst.ImportFrom]) -> List[Tuple[tuple, cst.ImportFrom]]:
    """Each import with its module's key and its place among the imports from that module."""
    seen: Dict[tuple, int] = {}
    out = []
    for stmt in imports:
        key = _from_key(stmt)
        seen[key] = seen.get(key, -1) + 1
        out.append(((*key, seen[key]), stmt))
    return out


def _from_key(stmt: cst.ImportFrom) -> tuple:
    return len(stmt.relative), dotted_name(stmt.module) if stmt.module is not None else ""


def _isort(names: Sequence[cst.ImportAlias]) -> List[str]:
    return sorted((a.evaluated_name for a in names), key=_member_key)


def _member_key(name: str) -> tuple:
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower()
