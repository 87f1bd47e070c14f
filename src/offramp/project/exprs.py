"""How the project index keeps a value: an `ast` expression as an `Expr` (index.py), with its positions.

A literal keeps its value (secrets masked: entries are cached on disk and their values end up in
messages) and its span; a name, an attribute, a call, a subscript keep their shape; an environment
read (`os.environ["X"]`, `os.getenv("X", default)`, through `os` aliases) is an `("env", ...)` with
whether it may be None; what offramp cannot follow is `("unknown", why)`. indexer.py's walk decides
which expressions are kept; this is how.
"""

from __future__ import annotations

import ast
from typing import Any, List, Optional, Tuple

from offramp.analysis.sites import OsNames, dotted
from offramp.project.index import DYNAMIC, Expr, SpanT
from offramp.redact import redact
from offramp.syntax.lines import code_lines

_ENV_GET = ("getenv", "environ.get", "environ.setdefault")


class ExprReader:
    """Expressions of one module's text as `Expr`s; `os` (the walk fills it from the module's imports, as the
    per-file analysis does: analysis/sites.py) says which names are the `os` module and its members."""

    def __init__(self, text: str) -> None:
        self.lines = code_lines(text, keepends=True)
        self.os = OsNames()

    # -- positions -------------------------------------------------------------------------
    def _col(self, line: int, offset: int) -> int:
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if text.isascii():
                return offset + 1
            return len(text.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1
        return offset + 1

    def span(self, node: ast.AST) -> SpanT:
        line = getattr(node, "lineno", 1)
        end = getattr(node, "end_lineno", line) or line
        return (
            line,
            self._col(line, getattr(node, "col_offset", 0)),
            end,
            self._col(end, getattr(node, "end_col_offset", 0) or 0),
        )

    def keyword_span(self, kw: ast.keyword) -> SpanT:
        """The name of `name=value` (as LibCST's span of the keyword)."""
        line, offset = kw.lineno, kw.col_offset
        return (line, self._col(line, offset), line, self._col(line, offset + len(str(kw.arg).encode("utf-8"))))

    # -- expressions -----------------------------------------------------------------------
    def os_path(self, node: ast.AST) -> Optional[str]:
        return self.os.path(dotted(node))

    def expr(self, node: Optional[ast.AST], depth: int = 0) -> Expr:
        if node is None:
            return ("unknown", "missing")
        if depth > 30:
            return ("unknown", "nested too deeply")
        d = depth + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return ("str", _masked(node.value), self.span(node))
            if node.value is None:
                return ("none", self.span(node))
            return ("const",)
        if isinstance(node, ast.JoinedStr):
            parts = []
            inner = []
            for v in node.values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    parts.append(_masked(v.value))
                else:
                    parts.append(DYNAMIC)
                    if isinstance(v, ast.FormattedValue):
                        inner.append(self.expr(v.value, d))
            return ("fstr", "".join(parts), self.span(node), tuple(inner))
        if isinstance(node, ast.Name):
            return ("name", node.id)
        if isinstance(node, ast.Attribute):
            return ("attr", self.expr(node.value, d), node.attr)
        if isinstance(node, ast.Call):
            env = self.env_read(node, d)
            if env is not None:
                return env
            args = tuple(
                ("star", self.expr(a.value, d)) if isinstance(a, ast.Starred) else self.expr(a, d) for a in node.args
            )
            kwargs = tuple((k.arg or "**", self.expr(k.value, d)) for k in node.keywords)
            return ("call", self.expr(node.func, d), args, kwargs, self.span(node))
        if isinstance(node, ast.Subscript):
            env = self.env_read(node, d)
            if env is not None:
                return env
            return ("sub", self.expr(node.value, d), self.expr(node.slice, d))
        if isinstance(node, ast.IfExp):
            return ("alt", (self.expr(node.body, d), self.expr(node.orelse, d)))
        if isinstance(node, ast.BoolOp):
            if len(node.values) > 8:  # `a and b and ...` 20000 long: nested tuples that deep cannot be hashed
                return ("unknown", "a long boolean expression")
            out = self.expr(node.values[-1], d)
            for v in reversed(node.values[:-1]):
                out = ("or", self.expr(v, d), out) if isinstance(node.op, ast.Or) else ("alt", (self.expr(v, d), out))
            return out
        if isinstance(node, ast.Await):
            return self.expr(node.value, d)
        if isinstance(node, ast.Dict):
            return (
                "dict",
                tuple(
                    (k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else None, self.expr(v, d))
                    for k, v in zip(node.keys, node.values)
                ),
            )
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return ("seq", tuple(self.expr(e, d) for e in node.elts))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            # a list of its element: the calls in it are call sites (`[embed(t, client, "text-embedding-3-large")
            # for t in texts]` was none, so the function's model parameter took only its other calls' models and
            # that one went to the provider unreported); its loop variable is an element of what it loops over
            return ("seq", (self.looped(node.generators, self.expr(node.elt, d), d),))
        if isinstance(node, ast.DictComp):
            return ("dict", ((None, self.looped(node.generators, self.expr(node.value, d), d)),))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.expr(node.left, d), self.expr(node.right, d)
            if left[0] in ("str", "fstr") or right[0] in ("str", "fstr"):
                # `"https://" + host`, and `self.api_base + "/completions"` (wukong-robot's raw request) alike: the
                # text with a hole for each part that is no string, the holes of f-strings kept in order
                (lt, lh), (rt, rh) = _text_part(left), _text_part(right)
                return ("fstr", lt + rt, self.span(node), lh + rh)
            return ("unknown", "computed")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # Path(...) / "config.json"
            return ("div", self.expr(node.left, d), self.expr(node.right, d))
        if isinstance(node, ast.NamedExpr):
            return self.expr(node.value, d)
        return ("unknown", "computed")

    def looped(self, generators: List[ast.comprehension], elt: Expr, depth: int) -> Expr:
        """`elt` with the loop variable of a single `for name in iterable` read as an element of the iterable
        (chat-langchain's `[_init_retrying_model(fallback.id) for fallback in FALLBACK_MODELS]`)."""
        if len(generators) != 1 or not isinstance(generators[0].target, ast.Name):
            return elt
        return _substituted(elt, generators[0].target.id, ("iter", self.expr(generators[0].iter, depth)))

    def env_read(self, node: ast.AST, depth: int) -> Optional[Expr]:
        if isinstance(node, ast.Call) and node.args and self.os_path(node.func) in _ENV_GET:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                default = self.expr(node.args[1], depth) if len(node.args) > 1 else None
                if default is None:
                    kw = next((k.value for k in node.keywords if k.arg == "default"), None)
                    default = self.expr(kw, depth) if kw is not None else None
                # getenv("X") and getenv("X", None) return None when X is unset (the SDK then reads OPENAI_API_KEY)
                nullable = default is None or default[0] == "none"
                return ("env", first.value, default, self.span(first), nullable)
        if isinstance(node, ast.Subscript) and self.os_path(node.value) == "environ":
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return ("env", key.value, None, self.span(key), False)
        return None


def _substituted(e: Any, name: str, value: Expr) -> Any:
    """`e` with each read of the name `name` replaced by `value`."""
    if not isinstance(e, tuple):
        return e
    if len(e) == 2 and e[0] == "name" and e[1] == name:
        return value
    return tuple(_substituted(x, name, value) for x in e)


def _masked(value: str) -> str:
    """A literal as the index keeps it: secrets masked (keys, URL passwords and tokens), since entries are
    cached on disk and their values end up in messages. Short strings without a URL cannot hold one."""
    if len(value) < 16 and "://" not in value:
        return value
    return redact(value)


def annotation(node: Optional[ast.AST]) -> str:
    """The class a parameter's annotation names: `OpenAI` of `Optional[OpenAI]`, `OpenAI | None`, "OpenAI". Of
    `AsyncOpenAI | AsyncAzureOpenAI` (khoj's), the plain client: it may be aimed at any server, so its models are
    no Azure deployments (Azure only when every class is, as analysis/clients.py `annotation_client` says)."""
    if node is None:
        return ""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Subscript):  # Optional[OpenAI]
        return annotation(node.slice)
    if isinstance(node, ast.BinOp):  # OpenAI | None
        names = [n for n in (annotation(node.left), annotation(node.right)) if n]
        return next((n for n in names if "azure" not in n.rsplit(".", 1)[-1].lower()), names[0] if names else "")
    return dotted(node) or ""


def import_error(node: Optional[ast.expr]) -> bool:
    """An `except` clause for a missing package: ImportError or ModuleNotFoundError (alone or in a tuple)."""
    names = node.elts if isinstance(node, ast.Tuple) else [node] if node is not None else []
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names)


def is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _text_part(e: Expr) -> Tuple[str, Tuple[Expr, ...]]:
    """A part of a concatenation as f-string text and its holes: a string is its text, an f-string its text and
    holes, anything else one hole."""
    if e[0] == "str":
        return e[1], ()
    if e[0] == "fstr":
        return e[1], tuple(e[3])
    return DYNAMIC, (e,)
