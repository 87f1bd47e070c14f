"""Parse one file and collect its SDK facts (collector.py, then resolve.py).

LibCST is imported only when a module is analysed: `offramp.analysis.quick` (the stdlib-ast path)
and the project index import this package, and a warm `check` that parses nothing with LibCST
then never pays for its import (~0.2 CPU-s, half of a warm run on a 2,000-file project).
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Dict, FrozenSet, Mapping, Optional, Tuple

from offramp.analysis.sdkimports import ast_imports, brings_clients, cst_imports
from offramp.catalog import SdkSurface
from offramp.source import derived, last_ast, screen, was_screened_elsewhere
from offramp.types import Span

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    from offramp.analysis.facts import Analysis


def __getattr__(name: str) -> object:
    """`Analysis` (facts.py), imported when asked for: the project index imports this package for its small
    helpers (sites.py), and building one module's entry in a warm run need not define the ~20 fact classes."""
    if name == "Analysis":
        from offramp.analysis.facts import Analysis  # lazy: start-up

        return Analysis
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Analysis", "analyze", "imports_sdk", "needs_scopes"]


_FROM = re.compile(r"^[ \t]*from[ \t]+([\w.]+)[ \t]+import\b", re.M)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.M)


def imports_sdk(text: str, sdk: SdkSurface) -> bool:
    """Cheap textual test: does any import (also indented, in try/except) bring in the SDK's clients?

    `from openai.types.chat import ...` does not: files that only use the SDK's types are most of
    a library like openai-agents and need no scope analysis.
    """
    for m in _FROM.finditer(text):
        module = m.group(1)
        if module in sdk.entry_modules or module.split(".")[0] in sdk.wrapper_modules:
            return True
    for m in _IMPORT.finditer(text):
        for part in m.group(1).split(","):
            name = part.strip().split()[0] if part.strip() else ""
            top = name.split(".")[0]
            if top in sdk.sdk_modules or top in sdk.wrapper_modules:
                return True
    return False


def needs_scopes(text: str, sdk: SdkSurface) -> bool:
    """Whether `check` gives the file LibCST's parse and scope analysis rather than the stdlib fast path:
    its imports bring in an SDK client (`imports_sdk` from the text, then the parsed tree settles it,
    sdkimports.py). The tree is the screen's, which LibCST's parse needs anyway, and kept for the fast
    path and the index: the file is parsed by `ast` once either way."""
    if not imports_sdk(text, sdk):
        return False
    if was_screened_elsewhere(text):  # the pool's first round settled it on the same bytes (pooled.py)
        return True
    try:
        if not screen(text):
            return True  # (LibCST's parse reports the syntax error)
    except Exception:
        return True  # (nested too deeply: reported by LibCST's screened parse)
    tree = last_ast(text)
    return tree is None or brings_clients(ast_imports(tree), sdk)


def analyze(
    module: cst.Module,
    text: str,
    sdk: SdkSurface,
    provider_hosts: Tuple[str, ...],
    subclass_ctors: Optional[Mapping[Span, str]] = None,
    reopens: Optional[Mapping[Span, str]] = None,
    module_away: str = "",
    local: FrozenSet[str] = frozenset(),
) -> Analysis:
    """Run the one traversal; full scope analysis only where the SDK is imported (or the route gate names
    constructions of the project's SDK subclasses here, `subclass_ctors`: span -> the SDK class).

    Within `source.reusing_parses()` (`fix`: check, then fix the same tree) a module is analysed once.
    `module_away`: where the module client goes that another module configures for a local server (fix's route
    gate, `Gate.module_away`), where this file sets none of its host. `local`: the libraries whose imports here are
    a module of the project (project/locallibs.py: `from agents import Agent` beside the folder's own agents.py),
    read as a relative import's names are (`.agents.Agent`), which no rule names.
    """
    hints = dict(subclass_ctors or {})
    reopened = dict(reopens or {})
    key = (
        "analysis",
        id(sdk),
        provider_hosts,
        tuple(sorted((tuple(vars(s).values()), q) for s, q in hints.items())),
        tuple(sorted((tuple(vars(s).values()), q) for s, q in reopened.items())),
        module_away,
        tuple(sorted(local)),
    )
    return derived(
        module, key, lambda: _analyze(module, text, sdk, provider_hosts, hints, reopened, module_away, local)
    )


def _analyze(
    module: cst.Module,
    text: str,
    sdk: SdkSurface,
    provider_hosts: Tuple[str, ...],
    hints: Dict[Span, str],
    reopened: Dict[Span, str],
    module_away: str = "",
    local: FrozenSet[str] = frozenset(),
) -> Analysis:
    from libcst.metadata import MetadataWrapper  # lazy: start-up

    from offramp.analysis.collector import LightCollector  # lazy: start-up
    from offramp.analysis.facts import Analysis  # lazy: start-up
    from offramp.analysis.resolve import collect_and_resolve  # lazy: start-up
    from offramp.analysis.sites import sends_a_body  # lazy: start-up

    analysis = Analysis(module=module)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    imports = [i for i in cst_imports(module) if i[0].split(".")[0] not in local] if imports_sdk(text, sdk) else []
    if (imports and brings_clients(imports, sdk)) or hints or reopened:
        analysis.sdk_imported = True
        _resolve_scopes(wrapper)
        collect_and_resolve(sdk, provider_hosts, analysis, wrapper, hints, reopened, module_away, local)
    else:
        wrapper.visit(LightCollector(sdk, provider_hosts, analysis, wrapper))
    if analysis.on_your_data and not sends_a_body(text):  # (as quick.py decides it for the stdlib path)
        analysis.on_your_data = []
    return analysis


def _resolve_scopes(wrapper: MetadataWrapper) -> None:
    """LibCST's ScopeProvider result, without the wrapper's two idle batched walks.

    ScopeProvider and the ExpressionContextProvider it depends on are "batchable" providers
    that do all their work in `visit_Module`, with visitors of their own. Resolved through
    MetadataWrapper, each still costs a batched walk over every node that calls nothing: about
    a fifth of scope resolution on the PyPI corpora (measured 4.2-7.6 s -> 2.9-4.7 s CPU over the
    67 files that import the SDK). Here each provider's `visit_Module` runs directly and its
    result goes where the wrapper keeps resolved metadata, so the collector's dependency is
    already met. Should LibCST's internals ever differ, the wrapper resolves them as usual.
    """
    from libcst.metadata import ExpressionContextProvider, ScopeProvider  # lazy: start-up

    resolved = getattr(wrapper, "_metadata", None)
    if not isinstance(resolved, dict):
        return
    try:
        for provider_class in (ExpressionContextProvider, ScopeProvider):
            provider = provider_class()
            with provider.resolve(wrapper):
                provider.visit_Module(wrapper.module)
            resolved[provider_class] = MappingProxyType(dict(provider._computed))
    except (AttributeError, TypeError, KeyError):
        resolved.pop(ExpressionContextProvider, None)
        resolved.pop(ScopeProvider, None)
