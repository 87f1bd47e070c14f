"""Parse one file and collect its SDK facts (see collector.py and resolve.py)."""

from __future__ import annotations

import re
from typing import Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper

from offramp.analysis.collector import FullCollector, LightCollector
from offramp.analysis.facts import Analysis
from offramp.catalog import SdkSurface

__all__ = ["Analysis", "analyze", "imports_sdk"]


def imports_sdk(text: str, sdk: SdkSurface) -> bool:
    """Cheap textual test for `import openai` / `from openai... import` anywhere (also indented)."""
    names = "|".join(re.escape(m) for m in sdk.sdk_modules)
    return re.search(rf"^[ \t]*(?:from[ \t]+(?:{names})\b|import[ \t]+[^\n]*\b(?:{names})\b)", text, re.M) is not None


def analyze(module: cst.Module, text: str, sdk: SdkSurface, provider_hosts: Tuple[str, ...]) -> Analysis:
    """Run the one traversal; full scope analysis only where the SDK is imported."""
    analysis = Analysis(module=module)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    if imports_sdk(text, sdk):
        analysis.sdk_imported = True
        wrapper.visit(FullCollector(sdk, provider_hosts, analysis))
    else:
        wrapper.visit(LightCollector(sdk, provider_hosts, analysis))
    return analysis
