"""Whether a file's import statements bring in an SDK client, read from its parsed tree.

`analysis.imports_sdk` answers from the text with two regular expressions: cheap, but a docstring's
example (`    from agents import Agent`) passes it, and so does an import of the SDK's exceptions or
sentinels alone (`from openai import APIError, NOT_GIVEN`). Neither can make a request, yet each sent
its file to LibCST's parse and scope analysis: on the SDK corpora, a quarter of the text analysed so
(openai-agents' retry, converter and session modules). Once the file is parsed anyway (the screen's
`ast` tree; LibCST's module in `fix` and the analysis), its import statements settle it. Both trees go
through the same rule (`brings_clients`), and the project stage's index through it too, so `check`,
`fix` and the route checks take the same path for a file.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Tuple

from offramp.catalog import SdkSurface

if TYPE_CHECKING:
    import libcst as cst

# (module as written, with a relative import's dots; the names `from` imports, None for `import module`)
Imported = Tuple[str, Optional[Tuple[str, ...]]]

# The statement fields that hold more statements (if/else, try/except/finally, loops, with, def, class, match)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def brings_clients(imports: Iterable[Imported], sdk: SdkSurface) -> bool:
    """True when an import can bind a client, the module client or a wrapper library's class: `import openai`
    (any module of the SDK or of a wrapper library), `from <wrapper> import ...`, or `from <entry module>
    import X` where X is not one of rules/openai.toml's inert names (exceptions, sentinels, types)."""
    for module, names in imports:
        top = module.split(".")[0]
        if top in sdk.wrapper_modules or (names is None and top in sdk.sdk_modules):
            return True
        if names is not None and module in sdk.entry_modules and any(not _inert(n, sdk) for n in names):
            return True
    return False


def _inert(name: str, sdk: SdkSurface) -> bool:
    return name in sdk.inert_names or name.endswith("Error")


def ast_imports(tree: ast.Module) -> Iterator[Imported]:
    """The import statements of a stdlib tree, nested ones included (statements only: no expression is
    visited, so this costs a small share of a parse)."""
    stack: List[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            yield "." * (node.level or 0) + (node.module or ""), tuple(a.name for a in node.names)
        else:
            for block in _BLOCKS:
                stack.extend(getattr(node, block, None) or ())


def cst_imports(module: cst.Module) -> Iterator[Imported]:
    """The same for a LibCST module (`fix` and the analysis have that tree, not the stdlib one)."""
    import libcst as cst  # lazy: start-up
    from libcst.helpers import get_full_name_for_node  # lazy: start-up

    stack: List[object] = list(module.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite, cst.IndentedBlock)):
            stack.extend(node.body)
        elif isinstance(node, cst.Import):
            for alias in node.names:
                yield get_full_name_for_node(alias.name) or "", None
        elif isinstance(node, cst.ImportFrom):
            dots = "".join("." for _ in node.relative)
            name = get_full_name_for_node(node.module) if node.module is not None else ""
            names = (
                ("*",)
                if isinstance(node.names, cst.ImportStar)
                else tuple(get_full_name_for_node(a.name) or "" for a in node.names)
            )
            yield dots + (name or ""), names
        elif isinstance(node, (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler, cst.MatchCase)):
            stack.append(node.body)
        elif isinstance(node, cst.BaseCompoundStatement):
            for block in _BLOCKS:
                value = getattr(node, block, None)
                if isinstance(value, (list, tuple)):
                    stack.extend(value)
                elif value is not None:
                    stack.append(value)
