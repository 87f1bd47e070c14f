"""Where inserted module-level configuration goes so that it works when it runs, not only when it parses.

`openai.api_key = os.environ["DASHSCOPE_API_KEY"]` inserted after the imports but above the
program's `load_dotenv()` raises KeyError at import on every machine that keeps its keys in `.env`
(issue 14: "code that compiles and crashes"). The configuration goes after the last module-level
statement that loads the environment from a file (`load_dotenv()`, `dotenv.load_dotenv(find_dotenv())`,
`if os.path.exists(".env"): load_dotenv()`; the names are data: rules/openai.toml [environment]
loaders) that comes before the first statement using the module client, and after the imports
that directly follow that statement (a statement between them would leave them "not at top of
file", E402). A loader called only inside a function (`def main(): load_dotenv(); ...`) runs after
the module's top level, wherever the configuration goes: such programs are left as they are.
"""

from __future__ import annotations

from typing import Collection, List, Optional, Sequence, Tuple

import libcst as cst

from offramp.analysis.values import dotted_name


def loads_environment(stmt: cst.CSTNode, loaders: Collection[str]) -> bool:
    """Whether running `stmt` may call one of `loaders` (not counting the bodies of the functions,
    classes and lambdas it defines, which do not run with it)."""
    found: List[bool] = []

    class V(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> bool:
            name = dotted_name(node.func) or ""
            if name.rpartition(".")[2] in loaders:
                found.append(True)
            return not found

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    stmt.visit(V())
    return bool(found)


def after_environment_loaded(
    body: Sequence[cst.BaseStatement],
    anchor: cst.CSTNode,
    uses: Collection[cst.CSTNode],
    loaders: Collection[str],
) -> cst.CSTNode:
    """The statement of the module `body` to insert after instead of `anchor`: the last one loading
    the environment between `anchor` and the first statement after it among `uses` (the module's
    statements that use what is configured), followed by the import lines right after it."""
    start = next((i for i, st in enumerate(body) if st is anchor), None)
    if start is None:
        return anchor  # inside a function or branch: it runs after the module's top level
    used = {id(u) for u in uses}
    stop = next((i for i in range(start + 1, len(body)) if id(body[i]) in used), len(body))
    at = start
    for i in range(start + 1, stop):
        if loads_environment(body[i], loaders):
            at = i
    if at == start:
        return anchor
    while at + 1 < stop and is_import_line(body[at + 1]):
        at += 1
    return body[at]


def is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def os_import_site(path: Sequence[cst.CSTNode], packages: Collection[str]) -> Tuple[str, Optional[cst.BaseStatement]]:
    """Where the `import os` for a new `os.environ[...]` read goes (`path`: the module, ..., the node
    that reads it): ("module", None) at the top of the file; ("bound", None) nowhere, the function
    around it imports `os` itself (or takes it as a parameter); ("function", stmt) before `stmt`, the
    first statement of a function that imports the SDK itself, after its docstring.

    A function that imports what it uses (`def tool(): from openai import OpenAI; ...`) is often run
    from its own source, where the module's globals do not exist (sandboxes and workers that ship a
    function's text; issue 14): the module-level `import os` fix would add is not visible there, and
    `os.environ[...]` raises NameError. The import opens the body because any binding makes `os`
    local to the whole function: placed lower, it would leave earlier uses unbound (UnboundLocalError).
    So is a function whose decorator declares the imports it runs with (babyagi's functionz:
    `@func.register_function(imports=["litellm"])` stores the function's text and executes it with
    those imports only). Other functions run from their source that import nothing of the SDK
    themselves are not recognised (module globals are assumed visible there).
    """
    module: Tuple[str, Optional[cst.BaseStatement]] = ("module", None)
    func = next((n for n in reversed(path) if isinstance(n, cst.FunctionDef)), None)
    if func is None or not isinstance(func.body, cst.IndentedBlock) or not func.body.body:
        return module
    params = func.params
    if any(p.name.value == "os" for p in [*params.posonly_params, *params.params, *params.kwonly_params]):
        return ("bound", None)
    imports_sdk = False
    for stmt in func.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Import):
                if any(dotted_name(a.name) == "os" and a.asname is None for a in small.names):
                    return ("bound", None)
                modules = [dotted_name(a.name) or "" for a in small.names]
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                modules = [dotted_name(small.module) or ""]
            else:
                continue
            imports_sdk = imports_sdk or any(m.split(".")[0] in packages for m in modules)
    body = list(func.body.body)
    first = body[0]
    docstring = (
        isinstance(first, cst.SimpleStatementLine)
        and isinstance(first.body[0], cst.Expr)
        and isinstance(first.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
    if not (imports_sdk or _declares_imports(func)) or (docstring and len(body) == 1):
        return module
    return ("function", body[1] if docstring else first)


def _declares_imports(func: cst.FunctionDef) -> bool:
    """A decorator call with an `imports=` argument: the registry runs the function's own text."""
    return any(
        isinstance(d.decorator, cst.Call)
        and any(a.keyword is not None and a.keyword.value == "imports" for a in d.decorator.args)
        for d in func.decorators
    )
