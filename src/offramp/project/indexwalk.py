"""The walk under the project index's builder (indexer.py): statements only, and what their headers hold.

indexer.py's `_Builder` reads bindings, definitions and branches; this base class keeps the walk's state,
visits nested statements without their expressions (the index's cost was in walking every expression),
and finds the call sites and environment reads and writes in a statement's own lines: the part of the walk
that the watched text (`Watch`) decides, apart from what the bindings mean.
"""

from __future__ import annotations

import ast
import bisect
from typing import Any, List, Optional, Set, Tuple

from offramp.project.exprs import ExprReader, import_error
from offramp.project.index import Branch, Expr, ModuleIndex, Site, Watch

# As the per-file analysis reads them (analysis/collector.py): `setdefault` writes the variable.
_ENV_READ = frozenset({"getenv", "environ.get", "environ.pop"})
_ENV_WRITE = frozenset({"environ.setdefault"})
_HTTP_METHODS = frozenset({"post", "request", "stream"})
# Methods that are everywhere in other roles (`dict.get`): a site only when a `headers=` argument
# can carry a credential (`requests.get(f"{ENDPOINT}/openai/deployments", headers={"api-key": KEY})`).
_HTTP_WITH_HEADERS = frozenset({"get", "put", "patch", "delete"})


class Walk(ExprReader, ast.NodeVisitor):
    """The traversal under indexer.py's `_Builder`: its state, statements only, and the call sites and environment
    reads and writes in each statement's own expressions (`Site`s, `env_reads`, `env_writes`)."""

    def __init__(self, text: str, m: ModuleIndex, watch: Watch) -> None:
        super().__init__(text)
        self.watch = watch
        self.m = m
        self.scope = ""  # current function key
        self.cls: Optional[str] = None
        self.self_name: Optional[str] = None
        self.conditional = 0
        self.branch: Branch = ()
        self.loops = 0
        self.matches = 0  # (`match` arms: Site.arms says nothing of them, as a `match` may leave every case)
        self.fallback = 0  # inside `except ImportError:` (generic_visit)
        # The names and attributes the `if` bodies around here test as set (`if self.base_url:`): read there, they
        # hold no None and no "" (`("set", e)`, project/flow.py)
        self.tested_set: Tuple[str, ...] = ()
        self.text = text
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.site_lines: Set[int] = self.lines_of(watch.site_offsets(text))
        self.env_lines: Set[int] = self.lines_of(watch.env_offsets(text))

    def lines_of(self, offsets: List[int]) -> Set[int]:
        return {bisect.bisect_right(self.starts, i) for i in offsets}

    # -- traversal: statements only ----------------------------------------------------------
    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.stmt):
            if self.site_lines:
                self.sites_in(node)
            if self.env_lines:
                self.env_reads_in(node)
        return super().visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        """Into nested statements only: expressions are read where they matter (bindings, returns, sites).
        Walking every expression node cost most of the index's time (measured 2/3 on the SDK corpora)."""
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.stmt):
                        self.visit(item)
                    elif isinstance(item, (ast.ExceptHandler, ast.match_case)):
                        # (`except ImportError: AzureOpenAI = None`, a fallback: the import stays the binding)
                        missing = isinstance(item, ast.ExceptHandler) and import_error(item.type)
                        self.fallback += missing
                        for sub in item.body:
                            self.visit(sub)
                        self.fallback -= missing

    def sites_in(self, node: ast.stmt) -> None:
        """Calls in the statement's own expressions (not its nested statements), when its header lines
        hold text that can start a site."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        if not any(n in self.site_lines for n in _header_lines(node)):
            return
        for item in _header_exprs(node):
            for n in ast.walk(item):
                if isinstance(n, ast.Call):
                    self.site_call(n)

    def env_reads_in(self, node: ast.stmt) -> None:
        """Environment reads in the statement's own expressions (a definition's decorators, defaults and
        bases too), as the per-file analysis finds them (analysis/collector.py): `ModuleIndex.env_reads`."""
        decorators = getattr(node, "decorator_list", [])
        lines = _header_lines(node, min([d.lineno for d in decorators], default=node.lineno))
        if not any(n in self.env_lines for n in lines):
            return
        written = {id(t) for t in node.targets} if isinstance(node, ast.Assign) else set()  # a write, not a read
        names = self.watch.env_names
        for item in _header_exprs(node):
            for n in ast.walk(item):
                if isinstance(n, ast.Call) and n.args:
                    path = self.os_path(n.func)
                    if path in _ENV_READ or path in _ENV_WRITE:
                        name = _literal(n.args[0]) if path in _ENV_READ else None
                        if name is not None:
                            self.m.env_reads.append((name, self.span(n.args[0])))
                        continue
                    for a in n.args:  # other readers: `Secret.from_env_var("OPENAI_API_KEY")`
                        name = _literal(a)
                        if name is not None and name in names:
                            self.m.env_reads.append((name, self.span(a)))
                elif isinstance(n, ast.Subscript) and id(n) not in written:
                    key = _literal(n.slice)
                    if key is not None and (key in names or self.os_path(n.value) == "environ"):
                        self.m.env_reads.append((key, self.span(n.slice)))

    def scoped(self, value: Expr) -> Expr:
        return ("in", self.scope, value) if self.scope else value

    # -- sites -----------------------------------------------------------------------------
    def site_call(self, node: ast.Call) -> None:
        func = node.func
        path = self.os_path(func)
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        kind = None
        if path in ("environ.update", "environ.setdefault", "putenv"):
            self.env_update(node)
        elif last in self.watch.wrappers:
            kind = "ctor"
        elif isinstance(func, ast.Attribute) and (
            last in _HTTP_METHODS or (last in _HTTP_WITH_HEADERS and any(k.arg == "headers" for k in node.keywords))
        ):
            kind = "http"
        elif isinstance(func, ast.Attribute) and self.watch.resource_chain(func):
            kind = "call"
        elif isinstance(func, ast.Attribute) and last in self.watch.reopens:
            kind = "reopen"  # (chroma's `client.get_collection("docs")`: project/reopens.py)
        elif last in self.watch.classes or (isinstance(func, ast.Attribute) and last in ("Client", "AsyncClient")):
            kind = "new"  # (routes.py asks the flow whether the name is the SDK's class)
        if kind is not None:
            kwargs = [(k.arg or "**", self.expr(k.value)) for k in node.keywords]
            args = [self.expr(a) for a in node.args if not isinstance(a, ast.Starred)]
            self.m.sites.append(Site(kind, self.expr(func), kwargs, self.span(node), self.scope, args))

    def env_update(self, node: ast.Call) -> None:
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            if len(node.args) > 1:  # setdefault / putenv
                self.m.env_writes.append((node.args[0].value, self.scoped(self.expr(node.args[1])), self.span(node)))
            return
        for a in node.args:
            if isinstance(a, ast.Dict):
                for k, v in zip(a.keys, a.values):
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        self.m.env_writes.append((k.value, self.scoped(self.expr(v)), self.span(k)))
        for kw in node.keywords:
            if kw.arg:
                self.m.env_writes.append((kw.arg, self.scoped(self.expr(kw.value)), self.span(kw)))


def _header_lines(node: ast.stmt, first: int = 0) -> range:
    """The lines of a statement before its nested statements (from `first`, where given)."""
    body = getattr(node, "body", None)
    last = body[0].lineno - 1 if isinstance(body, list) and body else (node.end_lineno or node.lineno)
    first = first or node.lineno
    return range(first, max(first, last) + 1)


def _header_exprs(node: ast.stmt) -> List[ast.AST]:
    """A statement's own expressions, not those of its nested statements (a definition's decorators,
    parameters and bases are its own)."""
    out: List[ast.AST] = []
    for _, value in ast.iter_fields(node):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.withitem):
                item = item.context_expr
            if isinstance(item, (ast.expr, ast.arguments, ast.keyword)):
                out.append(item)
    return out


def _literal(node: ast.AST) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
