"""What fix's plans move and what the route gate decides: the roles of an `Effect` (host, credential, model...),
the `Decision` (per file, the frozen sites) and the wording of a held route's TODO.

Kept apart from project/gate.py (the judge that reaches the decision) because every planner reads this
vocabulary, and none of them needs the judge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple, TypeVar

from offramp.checks.azure_routes import MAP_IT as MAP_IT
from offramp.project.gateview import OPEN as OPEN
from offramp.project.gateview import Gate as Gate
from offramp.project.gateview import overlaps as overlaps
from offramp.project.overrides import OVERRIDE as OVERRIDE
from offramp.types import Span

HOST, CRED, MODEL = "host", "cred", "model"
WRITE = "write:"  # + variable name: the plan renames a write of it (`os.environ["OPENAI_API_KEY"] = ...`)
SEEN = "seen"  # a model literal the file's own planner decided (rewritten or held): never rewritten from elsewhere
# the plan renames a v0 request's `engine=` / `deployment_id=` to `model=` (the request, at its span): only for a
# request that moves, since openai 0.x at an Azure endpoint needs the deployment parameter
ENGINE = "engine"
# An OpenAI URL literal the plan rewrites where it is written (with a HOST effect at the same span).
# On no route the project explains, the key that travels with it is unknown: it stays (`loose`).
URL = "url"
# A key variable read the plan renames (with a CRED effect at the same span). On no route the project
# explains, where its key goes is unknown: it keeps its name (renamed, the provider key could go to
# OpenAI, or to a URL left as it is beside it).
KEYREAD = "keyread"
# check's prediction only: an Azure client converted by fix (a fixable OFR102 on the constructor), whose key
# argument the planner replaces by the provider's read unless it is a key variable it renames or a key written
# into the file (fixes/sdkclients.py `azure_credential`): its credential moves with it, whatever it was
AZKEY = "azkey"
KEY_LOOSE = (
    "no request offramp can follow reads it, so it cannot tell where this key is sent "
    "(renamed alone, the provider key could go to OpenAI)"
)
WRITE_UNREAD = (
    "no request offramp can follow reads it, and a library the program uses may "
    "(renamed, that library would find it unset)"
)
LOOSE = (
    "no request offramp can follow uses it, so it cannot tell which key is sent with it "
    "(moved alone, the URL would take that key to the provider)"
)


@dataclass(frozen=True)
class Effect:
    """Something a file's plan moves to the provider: its `role` at `span` (MODULE: the module client)."""

    role: str
    span: Span
    # The provider it moves to, when a target names one per request family (offramp.targets); "" with one
    to: str = ""


W = TypeVar("W")


def writes_follow_reads(kept_reads: Iterable[Tuple[str, str]], writes: Iterable[Tuple[str, W]]) -> List[Tuple[W, str]]:
    """The writes of one file that keep their variable's name, each with its reason: those of a variable
    a read of which in the same file keeps its name (`kept_reads`: (variable, why), in the file's order;
    the last read's reason is the write's). `fix` keeps the variable's name throughout the file (planner
    `untraced_writes`), and `check --to` holds those writes (project/stage.py): renamed alone, the write
    set a variable nothing read any more (SuperAGI's `os.environ["OPENAI_API_KEY"] = get_config(...) or key`)."""
    kept = dict(kept_reads)
    return [(w, kept[name]) for name, w in writes if name in kept]


@dataclass
class Decision:
    """What the routes allow: per file, the frozen spans; for the whole program, the variables whose
    writes are frozen (`only_where` hands each file the ones it writes)."""

    gates: Dict[str, Gate] = field(default_factory=dict)
    writes: Dict[str, str] = field(default_factory=dict)  # variable -> reason (writes follow reads)

    def gate(self, path: str) -> Gate:
        return self.gates.get(path, OPEN)

    def size(self) -> int:
        return sum(len(g.spans) for g in self.gates.values()) + len(self.writes)

    def only_where(self, effects: Dict[str, List[Effect]]) -> Decision:
        """The frozen sites a plan would have moved. A gate only ever takes edits away, so a site
        no plan moved needs no freezing, and its own TODO (an API the provider lacks, a client built
        from **kwargs) says more than "left as it is" would."""
        out = Decision(writes=dict(self.writes))
        for path in set(self.gates) | set(effects):
            g = self.gate(path)
            moved = [e.span for e in effects.get(path, ()) if e.role != SEEN and not e.role.startswith(WRITE)]
            spans = {s: why for s, why in g.spans.items() if any(overlaps(s, m) for m in moved)}
            written = {e.role[len(WRITE) :] for e in effects.get(path, ()) if e.role.startswith(WRITE)}
            writes = {name: why for name, why in self.writes.items() if name in written}
            if (
                spans
                or writes
                or g.models
                or g.config_hosts
                or g.families
                or g.routed_keys
                or g.subclass_ctors
                or g.reopens
                or g.todos
                or g.settled
                or g.module_away
                or g.local
            ):
                out.gates[path] = g.copy(spans, writes)
        return out

    def freeze(self, path: str, span: Optional[Span], reason: str) -> None:
        if not path or span is None:
            return
        g = self.gates.setdefault(path, Gate())
        g.spans.setdefault(span, reason)

    def freeze_write(self, name: str, reason: str) -> None:
        self.writes.setdefault(name, reason)


#: How the reason of a route held on Azure for a deployment with no provider model is written
#: (`RouteJudge.unmapped_deployment`): its TODO says it as one file does (`held_todo`).
UNMAPPED_DEPLOYMENT = "Azure deployment "


def held_todo(what: str, why: str) -> str:
    """The TODO of `what` (`` `AzureOpenAI` ``, "module-level client") the route gate holds for `why`. Held on Azure
    for an unmapped deployment, it reads as the TODO of a client one file keeps there (fixes/sdkclients.py
    `left_todo`, moduleclient.py `azure_route_stays`): "stays on Azure OpenAI: ...; map it ... and run fix again"."""
    if why.startswith(UNMAPPED_DEPLOYMENT) and why.endswith(MAP_IT):
        return (
            f"{what} stays on Azure OpenAI: {why[: -len(MAP_IT)]}; map it under [tool.offramp.models] and run fix "
            "again (host, key and model move together)"
        )
    return f"{what} left as it is: {why}; move its host, key and model together"
