"""The project stage's last findings, kept in the route cache, and whether this run can reuse them.

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

from offramp.cache import MarshalCache, finding_data, finding_from_data, settings_key
from offramp.checks.base import CheckContext, Hit
from offramp.project.index import ModuleIndex, watch_from_rules
from offramp.project.inputs import RouteInputs
from offramp.project.tree import IndexCache, Project, module_names
from offramp.redact import redact, redact_all
from offramp.stattable import digest_of
from offramp.types import Finding, Span

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


class RouteCache(MarshalCache):
    """The last run's route findings and what they read, in a signed file of their own (`routes-<key>.bin`) beside
    the index entries (`index-<key>.json`): a warm run whose routes still hold reads ~0.3 MB, not the ~1.3 MB of
    entries (~15 ms to read, verify and decode on the bench project, and as much to write them back)."""

    #: (fingerprint, (configuration files read -> digest, hits, held, writes, moved, settled))
    ROUTES = "\0routes"
    #: What those routes read of the Python files (project/inputs.py): (fingerprint, record), stored as is
    #: (bytes and numbers under file names: nothing masking would change, and ~2,000 files' worth of it).
    INPUTS = "\0inputs"
    #: `module_names` of the run's files: (digest of the file names and libraries, (names, canonical)).
    LAYOUT = "\0layout"
    #: The findings of the files the routes add one to, as joinroutes.with_routes joined them, for the ROUTES they
    #: were joined with: (fingerprint, (enabled codes, {display: (content digest, findings as stored)})).
    JOINED = "\0joined"

    _CONTEXT = "offramp route cache"

    def __init__(self, directory: Path, key: str) -> None:
        super().__init__(directory, key)
        self.file = directory / f"routes-{key}.bin"
        self.fresh = False  # ROUTES set by this run: masked when saved (what was read was masked when written)

    def _stored(self) -> Dict[str, Tuple[str, Any]]:
        """Literal values hold keys: the route findings are masked before they reach the disk."""
        out = dict(self.entries)
        value = out.get(self.ROUTES)
        if self.fresh and value is not None and isinstance(value[1], tuple) and value[1]:
            reads = {redact(k): v for k, v in value[1][0].items()}  # a masked name reads as changed: recomputed
            out[self.ROUTES] = (value[0], (reads, *redact_all(value[1][1:])))
        return out


class LastRoutes:
    """The route cache (`RouteCache`) and the index entries (`IndexCache`, opened when first needed) for one run."""

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
        """`known`: content digests of the files this run did not read (runner._triage)."""
        self._key = settings_key("project-index-11")
        self._dir = cache_dir
        # the routes of each set of options in a file of their own (the index entries serve all): a run with
        # `--to` and one without, alternating (a hook and an editor, say), each found the other's and recomputed
        self.routes = RouteCache.open(cache_dir, settings_key(f"project-routes-11\0{_options_of(ctx)!r}"))
        self._index: Optional[IndexCache] = None
        self.known = known or {}
        self.fingerprint = fingerprint(displays, read, seeds, root, ctx, self.known)
        self._project = (displays, read, root, prebuilt)
        self._asked = False
        self._layout: Optional[Tuple[Dict[str, str], Dict[str, Tuple[str, bool]]]] = None
        self.inputs = RouteInputs()
        self.reused_now = False  # (the findings of ROUTES are this run's: `reused` gave them)

    @property
    def cache(self) -> IndexCache:
        """The index entries, read on first use."""
        if self._index is None:
            self._index = IndexCache.open(self._dir, self._key)
        return self._index

    def project(self, recorded: bool = False, entries: bool = True) -> Project:
        """A fresh project of this run's files; `entries`: with the index cache; `recorded`: it takes the answers
        of files not edited since the last run from its record (`RouteInputs.answers`)."""
        displays, read, root, prebuilt = self._project
        watch = watch_from_rules()
        layout = self._layout or self._kept_layout(displays, watch.libraries)
        cache = self.cache if entries else None
        project = Project(displays, read, root, watch, cache, prebuilt, layout, self.known)
        self._layout = (project.names, project.canonical)  # (the second project of a run: not computed again)
        record = self.routes.entries.get(RouteCache.INPUTS) if recorded else None
        if record is not None:
            try:
                project.recorded = self.inputs.answers(project, record[1])
            except (TypeError, ValueError, IndexError, EOFError):
                project.recorded = None
        return project

    def _kept_layout(
        self, displays: Sequence[str], libraries: Any
    ) -> Tuple[Dict[str, str], Dict[str, Tuple[str, bool]]]:
        """The last run's `module_names` of the same files and libraries (~12 ms for 2,000 files), else computed
        here and kept (saved with the route cache)."""
        h = hashlib.blake2b(digest_size=16)
        h.update("\0".join(displays).encode("utf-8", "surrogatepass") + b"\1" + repr(sorted(libraries)).encode())
        key = h.hexdigest()
        kept = self.routes.entries.get(RouteCache.LAYOUT)
        if kept is not None and kept[0] == key:
            try:
                names, canonical = kept[1]
                if isinstance(names, dict) and isinstance(canonical, dict):
                    return names, canonical
            except (TypeError, ValueError):
                pass
        layout = module_names(displays, libraries)
        self.routes.entries[RouteCache.LAYOUT] = (key, layout)
        self.routes.dirty = True
        return layout

    def reused(self) -> Optional[Result]:
        """The last run's findings, when the options, the files of the run, the configuration files the code
        loads and every answer and index entry the routes read are the same; else None (asked once: the
        second time, None)."""
        if self._asked:
            return None
        self._asked = True
        routes = self.routes
        stored, inputs = routes.entries.get(RouteCache.ROUTES), routes.entries.get(RouteCache.INPUTS)
        if stored is None or inputs is None or not stored[0] == inputs[0] == self.fingerprint:
            return None
        # (an edited file's entry is built again to compare, never looked up: its digest is new)
        project = self.project(entries=False)
        try:
            reads, hits, held_data, writes_data, moved_data, settled_data = stored[1]
            now = self.inputs.unchanged(project, inputs[1]) if project.configs_unchanged(reads) else None
            if now is None:
                return None
            if now[1] != inputs[1][1]:  # the edited files' new digests: the next run does not ask them again
                routes.entries[RouteCache.INPUTS] = (self.fingerprint, now)
                routes.dirty = True
            routes.save()
            held = {p: {Span(*k): v for k, v in h} for p, h in held_data.items()}
            moved = {p: [Span(*k) for k in ks] for p, ks in moved_data.items()}
            settled = {p: [Span(*k) for k in ks] for p, ks in settled_data.items()}
            found = _hits_from_data(hits)
            self.reused_now = True
            return found, held, dict(writes_data), moved, settled
        except (TypeError, ValueError, KeyError, IndexError, EOFError):
            return None

    def store(self, project: Project, result: Result) -> None:
        """Keep the findings computed from `project`, with what its routes read."""
        found, held, writes, moved, settled = result
        held_data = {p: [(tuple(vars(k).values()), v) for k, v in h.items()] for p, h in held.items()}
        moved_data = {p: [tuple(vars(k).values()) for k in ks] for p, ks in moved.items()}
        settled_data = {p: [tuple(vars(k).values()) for k in ks] for p, ks in settled.items()}
        routes = self.routes
        routes.entries[RouteCache.ROUTES] = (
            self.fingerprint,
            (project.config_reads, _hits_to_data(found), held_data, writes, moved_data, settled_data),
        )
        routes.fresh = True
        routes.entries.pop(RouteCache.JOINED, None)  # (joined with the findings these replace)
        previous = routes.entries.get(RouteCache.INPUTS)
        routes.entries[RouteCache.INPUTS] = (
            self.fingerprint,
            self.inputs.of(project, previous[1] if previous is not None else None),
        )
        routes.dirty = True
        routes.save()
        if self._index is not None:
            self._index.save()

    def joined(self, enabled: List[str]) -> Optional[Dict[str, Tuple[str, Tuple[Finding, ...]]]]:
        """What joinroutes.with_routes gave the files the routes add a finding to, when the routes are the ones it
        joined (reused this run, same options and codes): display -> (content digest, findings); else None.
        A file whose bytes are the same gets the same findings: joining reads only them, its own findings (a
        function of its bytes) and the routes' word."""
        entry = self.routes.entries.get(RouteCache.JOINED) if self.reused_now else None
        if entry is None or entry[0] != self.fingerprint or entry[1][0] != enabled:
            return None
        try:
            return {d: (digest, tuple(finding_from_data(f) for f in data)) for d, (digest, data) in entry[1][1].items()}
        except (TypeError, ValueError, KeyError):
            return None

    def keep_joined(self, enabled: List[str], joined: Dict[str, Tuple[str, Tuple[Finding, ...]]]) -> None:
        """Keep what `joined` would give next time (only files joined anew: the others were kept as they are)."""
        routes = self.routes
        entry = routes.entries.get(RouteCache.JOINED)
        known = {}
        if entry is not None and entry[0] == self.fingerprint and entry[1][0] == enabled:
            known = dict(entry[1][1])
        known.update({d: (digest, [finding_data(f) for f in findings]) for d, (digest, findings) in joined.items()})
        routes.entries[RouteCache.JOINED] = (self.fingerprint, (enabled, known))
        routes.dirty = True
        routes.save()


def _options_of(ctx: CheckContext) -> Tuple[Any, ...]:
    """The options the routes depend on."""
    found = (ctx.provider, sorted(ctx.models.items()), ctx.targets, sorted(ctx.per_file_ignores.items()))
    return (*found, sorted(ctx.context)) if ctx.context else found  # (the routes a run holds for its context)


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
    h.update(repr((*_options_of(ctx), str(root))).encode())
    h.update(b"held-3")  # the entry holds the held sites too, and the configuration files fix leaves
    h.update("\0".join(displays).encode("utf-8", "surrogatepass") + b"\1")
    h.update("\0".join(seeds).encode("utf-8", "surrogatepass") + b"\1")
    for d in displays:
        if ctx.provider is not None and not d.endswith(PROGRAMS):
            # (a new configuration file may need a WHOLE_FILE entry; a .env file's names decide it, and
            # whether a YAML / JSON / .prompty file holds a framework's client block: frameworkfiles.py)
            named = d.rpartition("/")[2].startswith(".env") or d.endswith(_NAMED_BY_CONTENT)
            digest = (digest_of(d, known, read) or "-") if named else "-"
            h.update(d.encode("utf-8", "surrogatepass") + b"\0" + digest.encode())
            continue
        if d.endswith(".ipynb") or (ctx.provider is not None and d.endswith(PROGRAMS)):
            digest = digest_of(d, known, read) or "-"
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
