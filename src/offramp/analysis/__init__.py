"""Parse one file and collect its SDK facts (see collector.py and resolve.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Tuple

from offramp.analysis.facts import Analysis
from offramp.catalog import SdkSurface

if TYPE_CHECKING:
    import libcst as cst

__all__ = ["Analysis", "analyze", "imports_sdk"]


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


def analyze(module: cst.Module, text: str, sdk: SdkSurface, provider_hosts: Tuple[str, ...]) -> Analysis:
    """Run the one traversal; full scope analysis only where the SDK is imported."""
    from libcst.metadata import MetadataWrapper

    from offramp.analysis.collector import FullCollector, LightCollector

    analysis = Analysis(module=module)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    if imports_sdk(text, sdk):
        analysis.sdk_imported = True
        wrapper.visit(FullCollector(sdk, provider_hosts, analysis, wrapper))
    else:
        wrapper.visit(LightCollector(sdk, provider_hosts, analysis, wrapper))
    return analysis
