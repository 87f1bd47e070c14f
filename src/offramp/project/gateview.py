"""One file's view of the route gate's decision (project/gate.py): the sites it freezes, with the reason a
person reads in the TODO or note, and what the routes hand the file's planner."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple

from offramp.types import Span


def overlaps(a: Span, b: Span) -> bool:
    # (called millions of times on a large file: MODULE is the one span at line 0, and comparing
    # fields beats the dataclass's tuple-building __eq__)
    if not a.line or not b.line:
        return a.line == b.line == 0
    return (a.line, a.column) < (b.end_line, b.end_column) and (b.line, b.column) < (a.end_line, a.end_column)


@dataclass
class Gate:
    """The frozen sites of one file, each with the reason a person reads in the TODO or note."""

    spans: Dict[Span, str] = field(default_factory=dict)
    env_writes: Dict[str, str] = field(default_factory=dict)  # variable -> reason (writes follow reads)
    # Model literals of this file that requests in other files send (`CHAT_MODEL = "gpt-4o"` in
    # settings.py): span -> (value, the provider's model). Rewritten with the routes that use them.
    models: Dict[Span, Tuple[str, str]] = field(default_factory=dict)
    # Constructors whose base URL the project shows to be OpenAI's, read from a configuration file
    # (`OpenAI(base_url=settings["base_url"])` with settings.json's `"https://api.openai.com/v1"` or
    # `null`): span -> where it is read. The file alone cannot tell; the planner retargets them.
    config_hosts: Dict[Span, str] = field(default_factory=dict)
    # With a provider per request family (offramp.targets): each constructor on a route, span -> the
    # endpoint families of the requests the routes send through it (fixes/families.py picks the provider).
    families: Dict[Span, Tuple[str, ...]] = field(default_factory=dict)
    # Key reads of this file that a route the project follows takes as its credential: handed to a
    # call the file alone cannot follow (`OpenAiLlm(api_key=os.environ[...])`), the route says where
    # the key goes, and the route gate moves or holds it with that request.
    routed_keys: Tuple[Span, ...] = ()
    # Constructions of the project's subclass of a plain SDK client in a file the class is imported into
    # (`Tuned(api_key=...)` of `class Tuned(OpenAI)` in models.py): span -> the SDK class. The file alone cannot
    # tell it is a client; the planner retargets it as that class's constructor (Route.subclass_ctors).
    subclass_ctors: Dict[Span, str] = field(default_factory=dict)
    # Reopening calls of a file that does not build the wrapper they rebuild (chroma's `get_collection` in
    # query.py, the embedding function in store.py: project/reopens.py): span -> the name of the program's
    # function to hand them, "" for a TODO.
    reopens: Dict[Span, str] = field(default_factory=dict)
    # TODOs only the routes can write (a base URL that may be unset, OFR107: fixes/routegate.py): span of the
    # statement they stand above -> (rule code, text)
    todos: Dict[Span, Tuple[str, str]] = field(default_factory=dict)
    # Requests of this file whose run-time model needs no "model comes from ..." TODO (OFR203), which check does not
    # report there either (runner.py): every route of each is aimed away from OpenAI and Azure (checks/routes.py
    # `settled_requests`), or its model is a literal the plans rewrite or the provider serves
    # (`RouteJudge.models_resolved`: `settings.CHAT_MODEL`). The span of each request.
    settled: Tuple[Span, ...] = ()
    # Where the module client of this file's requests goes, configured in other modules for a local server or a
    # host that is not OpenAI's, Azure's or a provider's (config.py's `openai.api_base = "http://localhost:8000/v1"`,
    # checks/routes.py `aimed_away`), the file setting none of its host: its planner leaves the module client, its
    # requests and their models as one file would ("": the file alone decides)
    module_away: str = ""
    # Libraries whose imports in this file are a module of the project (project/locallibs.py: `from agents import
    # Agent` beside the folder's own agents.py): the planner's analysis reads them as the project's, so nothing of
    # the library's is planned there, and no TODO (the file's check says nothing of them either: runner.py)
    local: FrozenSet[str] = frozenset()
    # `spans` indexed for `stops`, rebuilt when it has grown (spans are only ever added: Decision.freeze)
    _index_cache: Optional[_SpanIndex] = field(default=None, init=False, repr=False, compare=False)

    def families_at(self, span: Span) -> Tuple[str, ...]:
        return next((f for s, f in self.families.items() if overlaps(s, span)), ())

    def config_host(self, span: Span) -> Optional[str]:
        return next((why for s, why in self.config_hosts.items() if overlaps(s, span)), None)

    def stops(self, span: Span) -> Optional[str]:
        """The reason of the first frozen span (in the order frozen) that overlaps `span`.

        Asked for every site of a plan: a scan of every frozen span each time cost ~9 s of `fix` on
        a generated 20k-line module. Frozen spans are indexed by the line they start on (rebuilt
        when more are frozen); a span that overlaps `span` starts on or before its last line
        and ends on or after its first (_SpanIndex)."""
        if not self.spans:
            return None
        best: Optional[Tuple[int, str]] = None
        for order, frozen, reason in self._index().near(span):
            if (best is None or order < best[0]) and overlaps(frozen, span):
                best = (order, reason)
        return best[1] if best is not None else None

    def _index(self) -> _SpanIndex:
        if self._index_cache is None or self._index_cache.size != len(self.spans):
            self._index_cache = _SpanIndex(self.spans)
        return self._index_cache

    def stops_write(self, name: str) -> Optional[str]:
        return self.env_writes.get(name)

    def __bool__(self) -> bool:
        return bool(
            self.spans
            or self.env_writes
            or self.models
            or self.config_hosts
            or self.families
            or self.routed_keys
            or self.subclass_ctors
            or self.reopens
            or self.todos
            or self.settled
            or self.module_away
        )

    def settles(self, request: Span, model: Span) -> bool:
        """Whether the run-time model at `model`, sent by the request at `request`, needs no OFR203 TODO."""
        return request in self.settled or any(overlaps(model, s) for s in self.settled)

    def routed(self, span: Span) -> bool:
        return any(overlaps(s, span) for s in self.routed_keys)

    def copy(self, spans: Optional[Dict[Span, str]] = None, env_writes: Optional[Dict[str, str]] = None) -> Gate:
        return Gate(
            dict(self.spans if spans is None else spans),
            dict(self.env_writes if env_writes is None else env_writes),
            dict(self.models),
            dict(self.config_hosts),
            dict(self.families),
            self.routed_keys,
            dict(self.subclass_ctors),
            dict(self.reopens),
            dict(self.todos),
            self.settled,
            self.module_away,
            self.local,
        )


class _SpanIndex:
    """Frozen spans for `Gate.stops`: the short ones sorted by first line, the few long ones apart.

    A short span (at most SHORT lines) that overlaps a query starts within SHORT lines before the
    query's first line and no later than its last: a window found by bisection.
    """

    SHORT = 64

    def __init__(self, spans: Dict[Span, str]) -> None:
        self.size = len(spans)
        rows = list(enumerate(spans.items()))
        short = sorted((s.line, i, s, why) for i, (s, why) in rows if s.line and s.end_line - s.line <= self.SHORT)
        self.starts = [r[0] for r in short]
        self.short = [(i, s, why) for _, i, s, why in short]
        self.long = [(i, s, why) for i, (s, why) in rows if not s.line or s.end_line - s.line > self.SHORT]

    def near(self, span: Span) -> List[Tuple[int, Span, str]]:
        if not span.line:
            return self.long
        lo = bisect_left(self.starts, span.line - self.SHORT)
        hi = bisect_right(self.starts, span.end_line)
        return self.short[lo:hi] + self.long


OPEN = Gate()
