"""The fast path for files that mention OpenAI but do not import the SDK's clients.

Such files (type imports, comments, a config module reading OPENAI_API_KEY) can only hold
URLs, keys and environment reads. The standard library's `ast` finds those about ten times
faster than a LibCST parse plus position metadata, which matters because in SDK-heavy trees
most files are of this kind. The facts have spans only; `fix` re-reads a file with LibCST when
it has something to change there.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from offramp.analysis.facts import EnvAccess, KeyLiteral, UrlLiteral
from offramp.analysis.sites import (
    ENV_READERS,
    ENV_SETDEFAULT,
    OsNames,
    dotted,
    env_subscript,
    holds_key,
    sends_a_body,
    url_site,
)
from offramp.catalog import SdkSurface
from offramp.hosts import DYNAMIC, MATCH_METHODS
from offramp.source import keep_ast, last_ast
from offramp.syntax.lines import code_lines
from offramp.types import Span


class QuickFacts:
    def __init__(self) -> None:
        self.env: List[EnvAccess] = []
        self.urls: List[UrlLiteral] = []
        self.keys: List[KeyLiteral] = []
        self.on_your_data: List[Span] = []  # (facts.Analysis.on_your_data)


class _Visitor(ast.NodeVisitor):
    def __init__(self, text: str, sdk: SdkSurface, provider_hosts: Tuple[str, ...]) -> None:
        self.lines = code_lines(text, keepends=True)
        self.sdk = sdk
        self.provider_hosts = provider_hosts
        self.facts = QuickFacts()
        self.os = OsNames()
        self.skip: Set[int] = set()
        self.claimed: Set[int] = set()
        self.in_raise = 0
        self.written: List[Tuple[EnvAccess, ast.expr]] = []  # env writes and the values written
        self.bound: List[Tuple[str, ast.expr]] = []  # `name = value` anywhere (matched by spelling)

    # -- traversal: ast.NodeVisitor's order, with its `visit_<Class>` lookup made once per class and the
    # nodes without fields (`Load`, `Store`, operators: a third of all) not visited (nothing is read there)
    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        method = _METHODS.get(kind)
        if method is None:
            method = _METHODS[kind] = getattr(_Visitor, "visit_" + kind.__name__, _Visitor.generic_visit)
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and item._fields:
                        self.visit(item)
            elif isinstance(value, ast.AST) and value._fields:
                self.visit(value)

    # ast columns are UTF-8 byte offsets; findings count characters, like LibCST.
    def _col(self, line: int, offset: int) -> int:
        if 0 < line <= len(self.lines):
            return len(self.lines[line - 1].encode("utf-8")[:offset].decode("utf-8", "replace")) + 1
        return offset + 1

    def span(self, node: ast.expr) -> Span:
        line, end_line = node.lineno, getattr(node, "end_lineno", node.lineno) or node.lineno
        return Span(
            line,
            self._col(line, node.col_offset),
            end_line,
            self._col(end_line, getattr(node, "end_col_offset", node.col_offset) or 0),
        )

    def keyword_span(self, kw: ast.keyword) -> Span:
        """The name of `name=value` (as LibCST's span of the keyword)."""
        line, offset = kw.lineno, kw.col_offset
        return Span(line, self._col(line, offset), line, self._col(line, offset + len(str(kw.arg).encode("utf-8"))))

    def visit_Dict(self, node: ast.Dict) -> None:
        for key in node.keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value in self.sdk.azure_only_body:
                self.facts.on_your_data.append(self.span(key))
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.os.imported(alias.name, alias.asname)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self.os.imported_from(node.module or "", alias.name, alias.asname)

    def _os_path(self, node: ast.AST) -> Optional[str]:
        return self.os.path(dotted(node))

    def _env(self, node: ast.expr, write: bool) -> bool:
        """Record an access; whether it was recorded (a variable of the SDK's, seen first here)."""
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return False
        role = self.sdk.env_role(node.value)
        if role is None or id(node) in self.claimed:
            return False
        self.claimed.add(id(node))
        self.facts.env.append(
            EnvAccess(
                node=None,
                span=self.span(node),
                name=node.value,
                role=role,
                write=write,
            )
        )
        return True

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, (ast.Constant, ast.JoinedStr)):
            self.skip.add(id(node.value))
        self.generic_visit(node)

    def _skip_match_operand(self, node: ast.expr) -> None:
        """A literal a URL is compared with or matched against (see the LibCST collector)."""
        if isinstance(node, (ast.Constant, ast.JoinedStr)):
            self.skip.add(id(node))
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            for el in node.elts:
                self._skip_match_operand(el)

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in [node.left, *node.comparators]:
            self._skip_match_operand(operand)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        self.in_raise += 1
        self.generic_visit(node)
        self.in_raise -= 1

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id == "dict":  # `dict(data_sources=[...])`
            for kw in node.keywords:
                if kw.arg in self.sdk.azure_only_body:
                    self.facts.on_your_data.append(self.keyword_span(kw))
        if isinstance(node.func, ast.Attribute) and node.func.attr in MATCH_METHODS:
            for arg in node.args:
                self._skip_match_operand(arg)
        for kw in node.keywords:  # documentation (see the LibCST collector)
            if kw.arg in self.sdk.doc_arguments:
                self._skip_match_operand(kw.value)
        path = self._os_path(node.func)
        if path in ENV_READERS and node.args:
            write = path == ENV_SETDEFAULT
            if self._env(node.args[0], write=write) and write and len(node.args) > 1:
                self.written.append((self.facts.env[-1], node.args[1]))
        else:
            for arg in node.args:
                if isinstance(arg, ast.Constant) and arg.value in self.sdk.env_roles:
                    self._env(arg, write=False)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            if isinstance(t, ast.Subscript):
                idx = t.slice
                name = idx.value if isinstance(idx, ast.Constant) and isinstance(idx.value, str) else None
                recorded = env_subscript(self._os_path(t.value), name, self.sdk) and self._env(idx, write=True)
                if recorded:
                    self.written.append((self.facts.env[-1], node.value))
            elif isinstance(t, ast.Name):
                self.bound.append((t.id, node.value))
        self.generic_visit(node)

    def mark_untraced(self) -> None:
        """What Planner.untraced_writes decides with LibCST, decided here on the `ast` tree: a write
        whose value reads no key variable, directly or through a name assigned from one."""
        if not self.written:
            return
        key_names = {e.name for e in self.facts.env if e.role == "key" and not e.write}

        def reads_key(value: ast.AST, names: Set[str]) -> bool:
            for n in ast.walk(value):
                if isinstance(n, ast.Constant) and n.value in key_names:
                    return True
                if isinstance(n, ast.Name) and n.id in names:
                    return True
            return False

        names = {name for name, value in self.bound if reads_key(value, set())}
        untraced = set()
        for e, value in self.written:
            if e.role != "key" or isinstance(value, ast.Constant) or reads_key(value, names):
                continue
            untraced.add(e.name)
        for e in self.facts.env:  # the variable stays whole in the file (Planner.untraced_writes)
            e.untraced = e.name in untraced

    def visit_Subscript(self, node: ast.Subscript) -> None:
        idx = node.slice
        name = idx.value if isinstance(idx, ast.Constant) and isinstance(idx.value, str) else None
        if isinstance(idx, ast.Constant) and env_subscript(self._os_path(node.value), name, self.sdk):
            self._env(idx, write=False)
        self.generic_visit(node)

    def _string(self, node: ast.expr, text: str) -> None:
        if holds_key(text):
            self.facts.keys.append(KeyLiteral(node=None, span=self.span(node)))
        if id(node) in self.skip or self.in_raise:
            return
        found = url_site(text, self.sdk, self.provider_hosts)
        if found is not None:
            plain = isinstance(node, ast.Constant)
            self.facts.urls.append(UrlLiteral(None, self.span(node), found[0], found[1], plain))

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self._string(node, node.value)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                parts.append(v.value)
            else:
                parts.append(DYNAMIC)  # (the unknown part of an f-string, as LibCST's template_value)
        if id(node) in self.skip:
            for v in node.values:
                self.skip.add(id(v))
        self._string(node, "".join(parts))
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                self.visit(v)


_METHODS: Dict[type, Callable[[_Visitor, Any], None]] = {}


def quick_facts(text: str, sdk: SdkSurface, provider_hosts: Tuple[str, ...]) -> Optional[QuickFacts]:
    """Facts from `ast`, or None when `ast` cannot read the file (the caller falls back to LibCST)."""
    tree = last_ast(text)  # (analysis.needs_scopes parsed it when an import looked like the SDK's)
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        keep_ast(text, tree)  # (the visitor does not change it)
    visitor = _Visitor(text, sdk, provider_hosts)
    try:
        visitor.visit(tree)
    except RecursionError:
        return None
    visitor.mark_untraced()
    if visitor.facts.on_your_data and not sends_a_body(text):
        visitor.facts.on_your_data = []
    return visitor.facts
