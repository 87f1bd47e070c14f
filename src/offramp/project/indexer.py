"""Build one module's project index entry (index.py's `ModuleIndex`) with one walk of its `ast`.

The walk keeps only what crosses module boundaries: imports, module-level bindings, classes and
their attributes, functions with their parameters, locals and returns, request sites, environment
writes and statement calls, each value as an `Expr`. It is the cheap half of the analysis: the
stdlib parser, no scopes, positions only for the nodes it keeps, and literals masked before an
entry is cached.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any, List, Optional, Tuple

from offramp.analysis.sites import dotted, sends_a_body
from offramp.project.exprs import ExprReader, annotation, is_none
from offramp.project.index import (
    ClassInfo,
    Expr,
    FuncInfo,
    ModuleIndex,
    Site,
    SpanT,
    Watch,
    word_offsets,
)
from offramp.project.indexwalk import Walk

_NOT_CALL_SITES = frozenset({"print", "debug", "info", "warning", "error", "exception", "critical", "append", "extend"})


class _Builder(Walk):
    """The walk: fills one `ModuleIndex` (`m`), tracking the class, function and branch it is in (its traversal and
    its call sites: indexwalk.py's `Walk`)."""

    # -- bindings ----------------------------------------------------------------------------
    def bind(self, name: str, value: Expr) -> None:
        if self.cls is not None and not self.scope:
            self.m.classes[self.cls].attrs.setdefault(name, []).append(value)
        elif self.scope:
            fn = self.m.functions[self.scope]
            fn.locals.setdefault(name, []).append(value)
            fn.branches.setdefault(name, []).append(self.branch)
        else:
            self.m.bindings.setdefault(name, []).append(value)

    def bind_target(self, target: ast.AST, value: Expr, value_node: Optional[ast.AST]) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value)
        elif isinstance(target, ast.Attribute):
            base = dotted(target.value)
            if self.cls is not None and base is not None and base == self.self_name:
                self.m.classes[self.cls].attrs.setdefault(target.attr, []).append(self.scoped(value))
            elif base is not None and self.scope == "" and base in self.m.classes:
                self.m.classes[base].attrs.setdefault(target.attr, []).append(value)
            elif base is not None and "." not in base and self.global_object(base):
                # `bp.openai_client = AsyncOpenAI(...)` in a Blueprint's start-up hook, read by the request
                # handlers as `bp.openai_client` (a module-level object of another library): kept as the
                # module binding `bp.openai_client`, which project/flow.py reads before the object's class
                self.m.bindings.setdefault(f"{base}.{target.attr}", []).append(self.scoped(value))
            self.m.sites.append(
                Site(
                    "assign",
                    self.expr(target),
                    [("value", value)],
                    self.span(target),
                    self.scope,
                    [],
                    self.conditional > 0,
                    self.branch if self.conditional == len(self.branch) and not self.matches else (),
                )
            )
        elif isinstance(target, ast.Subscript):
            key = target.slice
            named = isinstance(key, ast.Constant) and isinstance(key.value, str)
            if self.os_path(target.value) == "environ":
                if named:
                    self.m.env_writes.append((key.value, self.scoped(value), self.span(target)))  # type: ignore[attr-defined]
            elif named and isinstance(target.value, ast.Name):
                # `args["api_key"] = "EMPTY"`: the dict also holds this entry (a binding of its own, which
                # `Flow.dict_entry` reads beside the dict's literal; AgentVerse's local-server branch)
                self.bind(target.value.id, ("dict", ((key.value, value),)))  # type: ignore[attr-defined]
        elif (
            isinstance(target, (ast.Tuple, ast.List))
            and isinstance(value_node, (ast.Tuple, ast.List))
            and len(target.elts) == len(value_node.elts)
        ):
            for t, v in zip(target.elts, value_node.elts):
                self.bind_target(t, self.expr(v), v)
        elif isinstance(target, (ast.Tuple, ast.List)) and not any(isinstance(t, ast.Starred) for t in target.elts):
            # `client, model = get_client()`: each name is that element of what the value holds (a function
            # returning `client, model`); unbound, the request made through `client` had no route, fix moved the
            # client's host and key and left the model it returned (an Azure deployment) with no TODO
            for i, t in enumerate(target.elts):
                self.bind_target(t, ("elt", value, i, len(target.elts)), None)

    def global_object(self, name: str) -> bool:
        """A name the module binds and the current function (if any) does not: a module-level object."""
        if name not in self.m.bindings or name in self.m.classes or name == self.self_name:
            return False
        fn = self.m.functions.get(self.scope) if self.scope else None
        return fn is None or (name not in fn.locals and all(p[0] != name for p in fn.params))

    def visit_Assign(self, node: ast.Assign) -> None:
        self.held_calls(node.value, lambdas_only=True)  # `f = lambda t: embed(t, client, "gpt-4o")`
        value = self.field_default(node.value)
        for t in node.targets:
            if self.fallback and isinstance(t, ast.Name) and t.id in self.m.imports and is_none(node.value):
                continue  # (a fallback for a missing package: see generic_visit)
            self.bind_target(t, value, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.bind_target(node.target, self.field_default(node.value), node.value)
        elif self.cls is not None and self.scope == "" and isinstance(node.target, ast.Name):
            self.m.classes[self.cls].attrs.setdefault(node.target.id, [])  # a field without default
        self.generic_visit(node)

    def field_default(self, node: ast.expr) -> Expr:
        """A value, or in a class body the default a field declaration holds: `x: dict = Field(default={...})`
        (pydantic), `field(default=...)` (dataclasses); a `default_factory` is a value computed at run time."""
        if self.cls is None or self.scope or not isinstance(node, ast.Call):
            return self.expr(node)
        func = node.func
        if (func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else "") not in (
            "Field",
            "field",
        ):
            return self.expr(node)
        given = next((k.value for k in node.keywords if k.arg == "default"), None)
        if given is None and node.args and not isinstance(node.args[0], ast.Starred):
            given = node.args[0]  # pydantic's `Field(default, ...)`
        if given is None or (isinstance(given, ast.Constant) and given.value is Ellipsis):
            return ("unknown", "a field without a default")
        return self.expr(given)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self.bind_target(item.optional_vars, self.expr(item.context_expr), item.context_expr)
            else:
                self.held_calls(item.context_expr)  # `with stream(client, "gpt-4o"):` binds nothing
        self.generic_visit(node)

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def visit_For(self, node: ast.For) -> None:
        # `for name in ["gpt-4o", "gpt-4o-mini"]:` binds each element
        if isinstance(node.target, ast.Name):
            self.bind(node.target.id, ("iter", self.expr(node.iter)))
        self._loop(node)

    def _loop(self, node: ast.AST) -> None:
        self.loops += 1  # (a binding in one arm reaches the other arm on the next turn)
        self.generic_visit(node)
        self.loops -= 1

    def arms(self, node: ast.AST, bodies: List[List[ast.stmt]], first_set: Tuple[str, ...] = ()) -> None:
        """Visit each arm of an `if`/`match` with its place in `branch` (outside loops only); `first_set`: what the
        first arm's test shows set (`if self.base_url:`)."""
        saved, tested = self.branch, self.tested_set
        for i, body in enumerate(bodies):
            if not self.loops:
                self.branch = (*saved, (getattr(node, "lineno", 0), getattr(node, "col_offset", 0), i))
            self.tested_set = (*tested, *first_set) if i == 0 else tested
            for stmt in body:
                self.visit(stmt)
        self.branch, self.tested_set = saved, tested

    def expr(self, node: Optional[ast.AST], depth: int = 0) -> Expr:
        """A base URL argument of a call in such a body (`OpenAI(base_url=self.base_url)` under `if self.base_url:`)
        is `("set", e)`: only those (whether the SDK's default may be reached), as the other values keep the shapes
        the sites and keys are matched by."""
        e = super().expr(node, depth)
        if not self.tested_set or not isinstance(node, ast.Call) or e[0] != "call" or len(e[3]) != len(node.keywords):
            return e
        kwargs = tuple(
            (k, ("set", x))
            if k in _BASE_KEYWORDS
            and isinstance(n.value, (ast.Name, ast.Attribute))
            and dotted(n.value) in self.tested_set
            else (k, x)
            for n, (k, x) in zip(node.keywords, e[3])
        )
        return ("call", e[1], e[2], kwargs, *e[4:])

    def visit_Match(self, node: ast.Match) -> None:
        self.held_calls(node.subject)
        subject = dotted(node.subject) or ""
        for case in node.cases if subject else ():
            values = _case_values(case.pattern)
            if values and case.guard is None and case.body:
                self.selector(subject.rsplit(".", 1)[-1], values, case.body)
        self.conditional, self.matches = self.conditional + 1, self.matches + 1
        self.arms(node, [c.body for c in node.cases])
        self.conditional, self.matches = self.conditional - 1, self.matches - 1

    def selector(self, name: str, values: Tuple[str, ...], body: List[ast.stmt]) -> None:
        """An arm that runs only when `name` holds one of `values` (`if provider == "openai":`, `case "azure":`)."""
        self.m.selectors.append((name, values, body[0].lineno, body[-1].end_lineno or body[-1].lineno))

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def _conditional(self, node: ast.AST) -> None:
        self.conditional += 1
        self.generic_visit(node)
        self.conditional -= 1

    def held_calls(self, node: Optional[ast.AST], lambdas_only: bool = False) -> None:
        """The calls inside an expression whose value no binding, return or statement call keeps (an `if`/`while`
        test, `x += f(...)`, `yield f(...)`, `assert`, a lambda's body, a `with` header without `as`, `raise`, a
        decorator, a `match` subject, an argument of `print(...)`) as call sites: there `embed(t, client,
        "text-embedding-ada-002")` was none, the request function's model parameter took only its other calls'
        models, and that one went to the provider unreported."""
        if node is None:
            return
        roots = [n.body for n in ast.walk(node) if isinstance(n, ast.Lambda)] if lambdas_only else [node]
        for root in roots:
            for n in ast.walk(root):
                if (
                    isinstance(n, ast.Call)
                    and (n.args or n.keywords)
                    and _passes_names(n)
                    # (`isinstance(self._client, X)`, `len(...)`: no call site, and an argument of one reads as a
                    # value handed on; the calls inside it are walked on their own)
                    and not (isinstance(n.func, ast.Name) and n.func.id in _BUILTINS)
                ):
                    self.m.calls.append((self.scope, self.expr(n), self.branch))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.held_calls(node.value)
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        self.held_calls(node.test)
        self.generic_visit(node)
        if isinstance(node.test, ast.Name):
            self.set_after(node.test.id)

    def visit_Raise(self, node: ast.Raise) -> None:
        self.held_calls(node.exc)  # `raise Error(ask(client, "gpt-4o"))`
        self.held_calls(node.cause)
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        self.held_calls(node.test)
        self.walrus(node.test)
        chosen = _test_values(node.test)
        if chosen is not None and node.body:
            self.selector(*chosen, node.body)
        self.conditional += 1
        self.arms(node, [node.body, node.orelse], _set_tested(node.test))
        self.conditional -= 1
        guarded = _unset_tested(node.test)
        if guarded is not None and not node.orelse and _leaves(node.body):
            self.set_after(guarded)

    def set_after(self, name: str) -> None:
        """`if not api_key: raise ValueError(...)` (or `return`, `sys.exit()`; `assert api_key`): past it the name
        is set, so the environment reads it was bound to so far are no None (no OFR304 on a key the code guards)."""
        if self.scope:
            fn = self.m.functions[self.scope]
            if name in fn.locals:
                fn.locals[name] = [_never_none(e) for e in fn.locals[name]]
        elif self.cls is None and name in self.m.bindings:
            self.m.bindings[name] = [_never_none(e) for e in self.m.bindings[name]]

    def visit_While(self, node: ast.While) -> None:
        self.held_calls(node.test)
        self.walrus(node.test)
        self._loop(node)

    def walrus(self, test: ast.expr) -> None:
        """`if KEY := (args.key or os.getenv("OPENAI_API_KEY")):` binds KEY for the body and after it."""
        for n in ast.walk(test):
            if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
                self.bind(n.target.id, self.expr(n.value))

    visit_Try = _conditional

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.os.imported(alias.name, alias.asname)
            if alias.asname:
                self.m.imports[alias.asname] = (alias.name, None)
            else:
                top = alias.name.split(".")[0]
                self.m.imports.setdefault(top, (top, None))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        # A relative module keeps its dots (`..config`): the module's own name is known only to the
        # project (tree.py), which makes it absolute (`place`), so an entry can be built anywhere.
        module = "." * (node.level or 0) + (node.module or "")
        if module == "os":
            for alias in node.names:
                self.os.imported_from(module, alias.name, alias.asname)
                if alias.asname:  # `from os import environ as env`: `env["X"]` reads X
                    self.env_lines |= self.lines_of(word_offsets(self.text, (alias.asname,)))
        for alias in node.names:
            if alias.name == "*":
                self.m.star_imports.append(module)
            else:
                self.m.imports[alias.asname or alias.name] = (module, alias.name)

    # -- definitions -------------------------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.scope or self.cls is not None:
            return  # nested classes: out of the index's reach
        for d in node.decorator_list:
            self.held_calls(d)
        bases = [dotted(b) or "" for b in node.bases]
        decorators = {
            (dotted(d.func if isinstance(d, ast.Call) else d) or "").rsplit(".", 1)[-1] for d in node.decorator_list
        }
        kind = "plain"
        last = {b.rsplit(".", 1)[-1] for b in bases}
        if "dataclass" in decorators:
            kind = "dataclass"
        elif last & {"BaseSettings"}:
            kind = "settings"
        elif last & {"BaseModel"}:
            kind = "pydantic"
        elif last & {"Enum", "StrEnum", "IntEnum"}:
            kind = "enum"
        info = ClassInfo(bases=bases, kind=kind, line=node.lineno)
        self.m.classes[node.name] = info
        for stmt in node.body:  # model_config = SettingsConfigDict(env_prefix="APP_")
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call):
                for k in stmt.value.keywords:
                    if k.arg == "env_prefix" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str):
                        info.env_prefix = k.value.value
            if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":  # pydantic v1
                for s in stmt.body:
                    named = isinstance(s, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "env_prefix" for t in s.targets
                    )
                    if (
                        named
                        and isinstance(s, ast.Assign)
                        and isinstance(s.value, ast.Constant)
                        and isinstance(s.value.value, str)
                    ):
                        info.env_prefix = s.value.value
        self.cls = node.name
        for stmt in node.body:
            self.visit(stmt)
        self.cls = None

    def _function(self, node: Any) -> None:
        for d in node.decorator_list:  # `@cached(embed(client, "text-embedding-3-small"))`: run where it is defined
            self.held_calls(d)
        if self.scope:
            # nested function: its bindings count as the enclosing function's (closures read them)
            for stmt in node.body:
                self.visit(stmt)
            return
        key = f"{self.cls}.{node.name}" if self.cls else node.name
        a = node.args
        positional = [*a.posonlyargs, *a.args]
        defaults: List[Optional[ast.AST]] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        params: List[Tuple[str, Optional[Expr], str]] = []
        for p, dflt in zip(positional, defaults):
            params.append((p.arg, self.expr(dflt) if dflt is not None else None, annotation(p.annotation)))
        for p, dflt in zip(a.kwonlyargs, a.kw_defaults):
            params.append((p.arg, self.expr(dflt) if dflt is not None else None, annotation(p.annotation)))
        if a.kwarg is not None:
            params.append(("**" + a.kwarg.arg, None, ""))
        self.m.functions[key] = FuncInfo(params=params, line=node.lineno, positional=len(positional))
        outer_self = self.self_name
        static = any((dotted(d) or "").endswith("staticmethod") for d in node.decorator_list)
        self.self_name = positional[0].arg if self.cls and positional and not static else None
        self.scope = key
        saved = (self.conditional, self.branch, self.loops)
        self.conditional, self.branch, self.loops = 0, (), 0
        for stmt in node.body:
            self.visit(stmt)
        self.conditional, self.branch, self.loops = saved
        self.scope = ""
        self.self_name = outer_self
        if self.cls is None:
            self.m.bindings.setdefault(node.name, []).append(("func", key))

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Expr(self, node: ast.Expr) -> None:
        call = node.value
        if isinstance(call, ast.Await):
            call = call.value
        if not isinstance(call, ast.Call):
            self.held_calls(call)  # `yield f(...)`, `a or f(...)`
        if isinstance(call, ast.Call) and (call.args or call.keywords) and _passes_names(call):
            self.m.calls.append((self.scope, self.expr(call), self.branch))
        elif isinstance(call, ast.Call):  # `print(ask(client, q))`, `print(f"{ask(client, q)}")`, `print(ask(..).text)`
            for arg in (*call.args, *(k.value for k in call.keywords)):
                self.held_calls(arg)
        if isinstance(call, ast.Call):
            self.dotenv_load(call)
            self.base_init(call)
        # `parser.read("config.ini")` (configparser): the object now holds that file's sections; `self.config.read(...)`
        # in a method (ChatPaper's Reader): the attribute does, as an assignment to it would
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("read", "read_file")
            and isinstance(call.func.value, (ast.Name, ast.Attribute))
            and call.args
        ):
            opened: Expr = ("call", ("name", "open"), (self.expr(call.args[0]),), (), self.span(call))
            if isinstance(call.func.value, ast.Name):
                self.bind(call.func.value.id, opened)
            elif self.cls is not None and dotted(call.func.value.value) == self.self_name:
                self.m.classes[self.cls].attrs.setdefault(call.func.value.attr, []).append(self.scoped(opened))

    def base_init(self, call: ast.Call) -> None:
        """`super().__init__(client_args=args)` in a method: a pydantic model (or a dataclass) keeps each keyword as
        the field of that name, read later as `self.client_args` (AgentVerse's OpenAIChat)."""
        func = call.func
        if (
            self.cls is None
            or not self.scope
            or self.m.classes[self.cls].kind == "settings"  # (its fields are environment variables: class_attr)
            or not isinstance(func, ast.Attribute)
            or func.attr != "__init__"
            or not isinstance(func.value, ast.Call)
            or not isinstance(func.value.func, ast.Name)
            or func.value.func.id != "super"
        ):
            return
        for k in call.keywords:
            if k.arg is not None:
                self.m.classes[self.cls].attrs.setdefault(k.arg, []).append(self.scoped(self.expr(k.value)))

    def dotenv_load(self, call: ast.Call) -> None:
        """`load_dotenv()`, `dotenv.load_dotenv(".env.local", override=True)`, `load_dotenv(find_dotenv())`."""
        func = call.func
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if last is None or last not in self.watch.loaders:
            return
        arg = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "dotenv_path"), None)
        if isinstance(arg, ast.Starred):
            return
        self.m.dotenv.append((self.scope, self.expr(arg) if arg is not None else None, self.span(call)))

    def visit_Return(self, node: ast.Return) -> None:
        if self.scope and node.value is not None:
            self.m.functions[self.scope].returns.append(self.expr(node.value))
        self.generic_visit(node)


def _test_values(test: ast.expr) -> Optional[Tuple[str, Tuple[str, ...]]]:
    """`provider == "openai"`, `"openai" == cfg.provider`, `provider in ("openai", "azure")` and their
    `or`: the name compared (its last part) and the strings that make the test true; None otherwise."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        parts = [_test_values(v) for v in test.values]
        names = {p[0] for p in parts if p is not None}
        if None in parts or len(names) != 1:
            return None
        return names.pop(), tuple(v for p in parts if p is not None for v in p[1])
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(op, ast.Eq) and isinstance(left, ast.Constant):
        left, right = right, left
    name = dotted(left)
    if not name:
        return None
    if isinstance(op, ast.Eq) and isinstance(right, ast.Constant) and isinstance(right.value, str):
        return name.rsplit(".", 1)[-1], (right.value,)
    if (
        isinstance(op, ast.In)
        and isinstance(right, (ast.Tuple, ast.List, ast.Set))
        and right.elts
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in right.elts)
    ):
        return name.rsplit(".", 1)[-1], tuple(e.value for e in right.elts)  # type: ignore[attr-defined]
    return None


def _case_values(pattern: ast.pattern) -> Tuple[str, ...]:
    """The strings a `case` pattern matches (`case "openai":`, `case "azure" | "azure_openai":`), or ()."""
    if isinstance(pattern, ast.MatchValue):
        v = pattern.value
        return (v.value,) if isinstance(v, ast.Constant) and isinstance(v.value, str) else ()
    if isinstance(pattern, ast.MatchOr):
        found = [_case_values(p) for p in pattern.patterns]
        return tuple(v for f in found for v in f) if all(found) else ()
    return ()


_BUILTINS = frozenset(dir(builtins))


# The keywords a base URL is given by (the SDK's, LangChain's, LiteLLM's, Azure's)
_BASE_KEYWORDS = frozenset({"base_url", "api_base", "openai_api_base", "azure_endpoint", "endpoint"})


def _set_tested(test: ast.expr) -> Tuple[str, ...]:
    """The names and attributes `if NAME:`, `if self.x is not None:` or an `and` of such tests show set."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return tuple(n for v in test.values for n in _set_tested(v))
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.IsNot)
        and is_none(test.comparators[0])
    ):
        test = test.left
    name = dotted(test) if isinstance(test, (ast.Name, ast.Attribute)) else None
    return (name,) if name else ()


def _unset_tested(test: ast.expr) -> Optional[str]:
    """The name `if not NAME:` or `if NAME is None:` tests (also as the first test of an `or`), else None."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        test = test.values[0]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name):
        return test.operand.id
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is)
        and is_none(test.comparators[0])
    ):
        return test.left.id
    return None


_EXITS = frozenset({"exit", "quit", "sys.exit", "os._exit", "st.stop"})


def _leaves(body: List[ast.stmt]) -> bool:
    """Whether a block always ends the function or the program: its last statement raises, returns or exits."""
    last = body[-1] if body else None
    if isinstance(last, (ast.Raise, ast.Return)):
        return True
    return isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and dotted(last.value.func) in _EXITS


def _never_none(e: Expr) -> Expr:
    """`e` with its environment reads taken as set (`("env", name, default, span, nullable)`)."""
    tag = e[0] if e else ""
    if tag == "env" and len(e) > 4 and e[4]:
        return (*e[:4], False, *e[5:])
    if tag == "or":
        return ("or", _never_none(e[1]), _never_none(e[2]), *e[3:])
    if tag == "alt":
        return ("alt", tuple(_never_none(x) for x in e[1]), *e[2:])
    return e


def _passes_names(call: ast.Call) -> bool:
    """Whether a statement call may be a call site worth an entry: `print(...)`, logging and `list.append`
    calls are everywhere and hand nothing to a route (a literal argument counts: `bot.ask("gpt-4o")`)."""
    func = call.func
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return last not in _NOT_CALL_SITES


def build(text: str, path: str, watch: Watch, tree: Optional[ast.Module] = None) -> ModuleIndex:
    """Index one module's source (`tree`: its `ast`, when already parsed); a file that does not parse
    gives an empty entry (the checks report it). Its name and relative imports are set by `place` once
    the project knows where it sits."""
    m = ModuleIndex(name="", path=path, package=False)
    try:
        tree = ast.parse(text) if tree is None else tree
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return m
    try:
        _Builder(text, m, watch).visit(tree)
    except RecursionError:
        return ModuleIndex(name="", path=path, package=False)
    m.body_keys = body_keys(text, tree, watch.azure_body)
    m.on_your_data = bool(m.body_keys) and sends_a_body(text)
    return m


def body_keys(text: str, tree: ast.Module, keys: Tuple[str, ...]) -> List[SpanT]:
    """Where the module's dicts hold one of `keys`: `{"data_sources": [...]}`, `dict(data_sources=[...])` (the
    text says no first)."""
    if not any(key in text for key in keys):
        return []
    reader = ExprReader(text)
    out: List[SpanT] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            out.extend(
                reader.span(k)
                for k in node.keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value in keys
            )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            out.extend(reader.keyword_span(kw) for kw in node.keywords if kw.arg in keys)
    return sorted(out)
