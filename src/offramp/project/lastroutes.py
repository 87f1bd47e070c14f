"""The project stage's last findings, kept in the index cache, and whether this run can reuse them.

A warm run whose edits no route reads (project/inputs.py) ends the project stage here. This module
imports the cache, the project's file table and the recorded inputs, and none of the route
machinery of project/stage.py (routes, flows, call sites, the gate, the route checks, the readers of
configuration files): a warm check of a 2,000-file project spent ~0.02 of its ~0.35 CPU-s importing
what it then did not run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from offramp.cache import content_hash, settings_key
from offramp.checks.base import CheckContext, Hit
from offramp.project.index import ModuleIndex, watch_from_rules
from offramp.project.inputs import RouteInputs
from offramp.project.tree import IndexCache, Project
from offramp.types import Span

#: The files whose code is a module of the project (a notebook's code cells are one: project/tree.py).
PROGRAMS = (".py", ".ipynb")

# Findings by display path, sites held back by path (with the reason), variables kept, constructions moved.
# (findings, held spans, held variable writes, constructions fix retargets, requests whose run-time model needs
# no OFR203: aimed away from OpenAI and Azure, or settled by the plans; project/stage.py `route_hits`)
Result = Tuple[
    Dict[str, List[Hit]], Dict[str, Dict[Span, str]], Dict[str, str], Dict[str, List[Span]], Dict[str, List[Span]]
]

_NAMED_BY_CONTENT = (".env", ".yaml", ".yml", ".json", ".prompty")


def needs_routes(seeds: Sequence[str], ctx: CheckContext, effects: Optional[Dict[str, Any]]) -> bool:
    """Whether the stage has anything to do: Python files that can hold SDK use, or (with a provider)
    fixable findings in configuration files, which ask who reads them."""
    return bool(seeds) or (ctx.provider is not None and any(not p.endswith(PROGRAMS) for p in effects or {}))


class LastRoutes:
    """The route entries of the index cache (`IndexCache.ROUTES`, `IndexCache.INPUTS`) for one run."""

    def __init__(
        self,
        cache_dir: Path,
        displays: Sequence[str],
        read: Callable[[str], Optional[bytes]],
        seeds: Sequence[str],
        root: Path,
        ctx: CheckContext,
        prebuilt: Optional[Dict[str, Tuple[str, ModuleIndex]]] = None,
        known: Optional[Dict[str, str]] = None,
    ) -> None:
        """`known`: content digests of the Python files this run did not read (runner._triage)."""
        self.cache = IndexCache.open(cache_dir, settings_key("project-index-10"))
        self.known = known or {}
        self.fingerprint = fingerprint(displays, read, seeds, root, ctx, self.known)
        self._project = (displays, read, root, prebuilt)
        self._asked = False
        self._layout: Optional[Tuple[Dict[str, str], Dict[str, Tuple[str, bool]]]] = None
        self.inputs = RouteInputs()

    def project(self, recorded: bool = False) -> Project:
        """A fresh project of this run's files, with the index cache; `recorded`: it takes the answers of
        files not edited since the last run from its record (`RouteInputs.answers`)."""
        displays, read, root, prebuilt = self._project
        project = Project(displays, read, root, watch_from_rules(), self.cache, prebuilt, self._layout, self.known)
        self._layout = (project.names, project.canonical)  # (the second project of a run: not computed again)
        record = self.cache.entries.get(IndexCache.INPUTS) if recorded else None
        if record is not None:
            try:
                project.recorded = self.inputs.answers(project, record[1])
            except (TypeError, ValueError, IndexError, EOFError):
                project.recorded = None
        return project

    def reused(self) -> Optional[Result]:
        """The last run's findings, when the options, the files of the run, the configuration files the code
        loads and every answer and index entry the routes read are the same; else None (asked once: the
        second time, None)."""
        if self._asked:
            return None
        self._asked = True
        cache = self.cache
        stored, inputs = cache.entries.get(IndexCache.ROUTES), cache.entries.get(IndexCache.INPUTS)
        if stored is None or inputs is None or not stored[0] == inputs[0] == self.fingerprint:
            return None
        project = self.project()
        try:
            reads, hits, held_data, writes_data, moved_data, settled_data = stored[1]
            now = self.inputs.unchanged(project, inputs[1]) if project.configs_unchanged(reads) else None
            if now is None:
                return None
            if cache.dirty:  # an edited module's entry is new: kept, and the record with its digest
                cache.entries[IndexCache.INPUTS] = (self.fingerprint, now)
                cache.save()
            # (else the file is not written again, ~1 MB on the bench project: the next run asks the
            # edited files again, a few questions each)
            held = {p: {Span(*k): v for k, v in h} for p, h in held_data.items()}
            moved = {p: [Span(*k) for k in ks] for p, ks in moved_data.items()}
            settled = {p: [Span(*k) for k in ks] for p, ks in settled_data.items()}
            return _hits_from_data(hits), held, dict(writes_data), moved, settled
        except (TypeError, ValueError, KeyError, IndexError, EOFError):
            return None

    def store(self, project: Project, result: Result) -> None:
        """Keep the findings computed from `project`, with what its routes read."""
        found, held, writes, moved, settled = result
        held_data = {p: [(tuple(vars(k).values()), v) for k, v in h.items()] for p, h in held.items()}
        moved_data = {p: [tuple(vars(k).values()) for k in ks] for p, ks in moved.items()}
        settled_data = {p: [tuple(vars(k).values()) for k in ks] for p, ks in settled.items()}
        self.cache.entries[IndexCache.ROUTES] = (
            self.fingerprint,
            (project.config_reads, _hits_to_data(found), held_data, writes, moved_data, settled_data),
        )
        self.cache.fresh.add(IndexCache.ROUTES)  # (masked when saved)
        previous = self.cache.entries.get(IndexCache.INPUTS)
        self.cache.entries[IndexCache.INPUTS] = (
            self.fingerprint,
            self.inputs.of(project, previous[1] if previous is not None else None),
        )
        self.cache.dirty = True
        self.cache.save()


def fingerprint(
    displays: Sequence[str],
    read: Callable[[str], Optional[bytes]],
    seeds: Sequence[str],
    root: Path,
    ctx: CheckContext,
    known: Optional[Dict[str, str]] = None,
) -> str:
    """What the routes depend on besides the Python files' answers and entries (`RouteInputs`): the options,
    the files of the run (their module names), the seeds, notebooks and, with a provider, configuration
    files and every program's bytes (`--to` also reads Python files for the `.env` variables they use:
    userconfig/readers.py `unread_configs`)."""
    h = hashlib.blake2b(digest_size=16)
    ignores = sorted(ctx.per_file_ignores.items())
    h.update(repr((ctx.provider, sorted(ctx.models.items()), ctx.targets, str(root), ignores)).encode())
    h.update(b"held-3")  # the entry holds the held sites too, and the configuration files fix leaves
    h.update("\0".join(displays).encode("utf-8", "surrogatepass") + b"\1")
    h.update("\0".join(seeds).encode("utf-8", "surrogatepass") + b"\1")
    for d in displays:
        if ctx.provider is not None and not d.endswith(PROGRAMS):
            # (a new configuration file may need a WHOLE_FILE entry; a .env file's names decide it, and
            # whether a YAML / JSON / .prompty file holds a framework's client block: frameworkfiles.py)
            named = "-"
            if d.rpartition("/")[2].startswith(".env") or d.endswith(_NAMED_BY_CONTENT):
                named = (known or {}).get(d) or ""
                if not named:
                    data = read(d)
                    named = content_hash(data) if data is not None else "-"
            h.update(d.encode("utf-8", "surrogatepass") + b"\0" + named.encode())
            continue
        if d.endswith(".ipynb") or (ctx.provider is not None and d.endswith(PROGRAMS)):
            digest = (known or {}).get(d)
            if digest is None:
                data = read(d)
                digest = content_hash(data) if data is not None else "-"
            h.update(d.encode("utf-8", "surrogatepass") + b"\0" + digest.encode())
    return h.hexdigest()


def _hits_to_data(found: Dict[str, List[Hit]]) -> Dict[str, list]:
    return {
        path: [(h.code, tuple(vars(h.span).values()), dict(h.args), h.fixable, h.severity, h.hint) for h in hits]
        for path, hits in found.items()
    }


def _hits_from_data(data: Dict[str, list]) -> Dict[str, List[Hit]]:
    return {
        path: [
            Hit(code, Span(*span), dict(args), fixable, severity, hint)
            for code, span, args, fixable, severity, hint in hits
        ]
        for path, hits in data.items()
    }
