"""The project stage of `check`: index the modules requests can reach, build routes, check them.

It runs once per run in the main process, after the per-file checks: the per-file cache stays
valid (a file's own findings depend on its content only) and the route findings, which depend on
several files, are recomputed from index entries that are themselves cached by content.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set

from offramp.catalog import load_sdk
from offramp.checks.base import CheckContext, Hit
from offramp.checks.routes import check_routes, group
from offramp.project.flow import Flow
from offramp.project.index import ModuleIndex, watch_from_rules
from offramp.project.routes import RouteFinder
from offramp.project.sources import Route
from offramp.project.tree import IndexCache, Project
from offramp.providers import known_provider_hosts


def importers(project: Project, seeds: Sequence[str], candidates: Sequence[str]) -> List[str]:
    """Files among `candidates` with an import line naming one of the seed modules (`from .clients import ...`)."""
    stems: Set[str] = set()
    for d in seeds:
        entry = project.canonical.get(d)
        if entry is not None:
            stems.add(entry[0].rsplit(".", 1)[-1])
    if not stems:
        return []
    alternation = b"|".join(re.escape(s.encode()) for s in sorted(stems))
    pattern = re.compile(rb"^[ \t]*(?:from|import)[ \t][^\n]*\b(?:" + alternation + rb")\b", re.M)
    out = []
    for d in candidates:
        data = project.read(d)
        if data is not None and b"import" in data and pattern.search(data):
            out.append(d)
    return out


def imports_sdk(m: ModuleIndex) -> bool:
    sdk = load_sdk()
    tops = set(sdk.sdk_modules) | set(sdk.wrapper_modules)
    return any(module.split(".")[0] in tops or module in sdk.entry_modules for module, _ in m.imports.values())


def project_routes(project: Project, seeds: Sequence[str], displays: Sequence[str]) -> List[Route]:
    for d in seeds:
        project.load(d)
    seed_set = set(seeds)
    others = [d for d in displays if d.endswith(".py") and d not in seed_set]
    for d in importers(project, seeds, others):
        project.load(d)
    sdk = load_sdk()
    flow = Flow(sdk, project.module, project.read_config)
    return RouteFinder(flow, sdk, known_provider_hosts()).routes(project.modules())


def route_hits(
    displays: Sequence[str],
    read: Callable[[str], Optional[bytes]],
    seeds: Sequence[str],
    root: Path,
    ctx: CheckContext,
    cache_dir: Optional[Path] = None,
) -> Dict[str, List[Hit]]:
    """Findings by display path. `seeds`: the Python files that can hold SDK use (passed the prefilter)."""
    if not seeds:
        return {}
    cache = None
    if cache_dir is not None:
        from offramp.cache import settings_key

        cache = IndexCache.open(cache_dir, settings_key("project-index"))
    project = Project(displays, read, root, watch_from_rules(), cache)
    routes = project_routes(project, seeds, displays)
    if cache is not None:
        cache.save()

    def sdk_file(path: str) -> bool:
        m = project.indexed.get(path)
        return m is not None and imports_sdk(m)

    return group(check_routes(routes, ctx, known_provider_hosts(), sdk_file))
