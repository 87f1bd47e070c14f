"""What the transform applies to one file: edits by node, TODO comments by statement, statements to insert,
imports to add and remove, and what the plan moves to the provider (for the route gate).

The planner (planner.py) fills it; apply.py is the one writer that applies it, and crossfile.py fills
one for a file with no plan of its own (a model literal that requests of other files send). Apart
from the planner so that neither needs it.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import libcst as cst

from offramp.fixes.planedits import Edit
from offramp.project.decision import Effect
from offramp.redact import redact
from offramp.types import Span

AZURE_IDENTITY = "azure.identity"


@dataclass(frozen=True)
class Origin:
    """The finding a planned change is for: its rule and the span `check` reports it at (a TODO knows
    only its line). fixes/suggest.py attaches the change to that finding's fix."""

    code: str
    line: int
    span: Optional[Span] = None
    # The finding being planned when this one's TODO was written (Plan.todo): its fix carries the TODO
    # when `check` reports no finding of `code` on `line` (the TODO an Azure client's conversion leaves
    # about its deployment, coded OFR202, above the client that OFR102 reports)
    within: Optional[Origin] = None


# Where a planned change is written, relative to the node it is planned at (fixes/provenance.py):
EDIT, TODO, AFTER, BEFORE = "edit", "todo", "after", "before"


@dataclass
class Plan:
    edits: Dict[int, List[Edit]] = field(default_factory=dict)
    todos: Dict[int, List[str]] = field(default_factory=dict)
    insert_after: Dict[int, List[cst.BaseStatement]] = field(default_factory=dict)
    insert_before: Dict[int, List[cst.BaseStatement]] = field(default_factory=dict)  # a function's own `import os`
    add_imports: List[Tuple[str, Optional[str]]] = field(default_factory=list)
    remove_imports: List[Tuple[str, str, Optional[str]]] = field(default_factory=list)
    azure_cleanup: bool = False
    changes: Counter = field(default_factory=Counter)
    notes: List[Tuple[int, str]] = field(default_factory=list)  # (line, text)
    todo_codes: Counter = field(default_factory=Counter)
    # What the plan moves to the provider (project/gate.py): (role, span) pairs the route gate reads.
    effects: List[Effect] = field(default_factory=list)

    # The provider what it moves goes to, when the target names one per request family (fixes/families.py)
    to: str = ""
    # Which finding each change is for: (where, id of the node it is planned at, origin), in plan order
    origins: List[Tuple[str, int, Origin]] = field(default_factory=list)
    origin: Optional[Origin] = None  # the finding being planned (`for_finding`): the default of every change
    imported: List[Tuple[str, Origin]] = field(default_factory=list)  # (name an import binds, origin)
    cleaning: List[Origin] = field(default_factory=list)  # the findings the Azure clean-up is for
    # Whether apply.py notes, in `dropped`, the edited nodes whose edit an edit around them replaced
    # (a wrapper's model argument rebuilt from its own mapping): their text is that edit's
    trace: bool = False
    dropped: Set[int] = field(default_factory=set)

    def for_finding(self, code: str, span: Span) -> ContextManager[None]:
        """Plan the changes for the finding `check` reports as `code` at `span`."""
        return self.planning(Origin(code, span.line, span))

    @contextmanager
    def planning(self, origin: Optional[Origin]) -> Iterator[None]:
        """Plan with `origin` the default (a part that sets `origin` as it goes sets it back)."""
        saved, self.origin = self.origin, origin
        try:
            yield
        finally:
            self.origin = saved

    def _mark(self, where: str, node: cst.CSTNode, origin: Optional[Origin]) -> None:
        origin = origin or self.origin
        if origin is not None:
            self.origins.append((where, id(node), origin))

    def moves(self, role: str, span: Span) -> None:
        self.effects.append(Effect(role, span, self.to))

    def edit(self, node: cst.CSTNode, fn: Edit, origin: Optional[Origin] = None) -> None:
        self.edits.setdefault(id(node), []).append(fn)
        self._mark(EDIT, node, origin)

    def add_import(self, module: str, obj: Optional[str] = None, origin: Optional[Origin] = None) -> None:
        self.add_imports.append((module, obj))
        self._bound(obj or module.split(".")[0], origin)

    def remove_import(self, module: str, obj: str, asname: Optional[str], origin: Optional[Origin] = None) -> None:
        self.remove_imports.append((module, obj, asname))
        self._bound(asname or obj, origin)

    def clean_azure(self, origin: Optional[Origin] = None) -> None:
        """Remove the Azure credentials nothing reads any more once the plan is applied (apply.py)."""
        self.azure_cleanup = True
        origin = origin or self.origin
        if origin is not None:
            self.cleaning.append(origin)

    def cleaned_up(self, names: Set[str]) -> None:
        """What the Azure clean-up removed (the names its statements and imports bound) is for the findings
        that asked for it."""
        if self.trace:
            self.imported += [(name, origin) for origin in self.cleaning for name in sorted(names)]

    def _bound(self, name: str, origin: Optional[Origin]) -> None:
        """An import added or removed that binds `name`: imports have no node of the plan to point at."""
        origin = origin or self.origin
        if origin is not None:
            self.imported.append((name, origin))

    def after(self, node: cst.CSTNode, stmts: Sequence[cst.BaseStatement]) -> None:
        """Insert `stmts` after the statement `node`."""
        self.insert_after.setdefault(id(node), []).extend(stmts)
        self._mark(AFTER, node, None)

    def before(self, node: cst.CSTNode, stmt: cst.BaseStatement) -> None:
        """Insert `stmt` before the statement `node`, once."""
        bucket = self.insert_before.setdefault(id(node), [])
        if not bucket:
            bucket.append(stmt)
        self._mark(BEFORE, node, None)

    allowed: Callable[[str, int], bool] = lambda code, line: True

    def todo(self, stmt: Optional[cst.CSTNode], text: str, code: str, line: int = 0) -> None:
        if stmt is None or not self.allowed(code, line):
            return
        entry = _one_line(redact(f"{text} ({code})"))  # a URL quoted in a TODO keeps no credential
        bucket = self.todos.setdefault(id(stmt), [])
        if entry not in bucket:
            bucket.append(entry)
            self.todo_codes[code] += 1
            here = self.origin  # (the finding being planned knows its span too)
            same = here is not None and here.code == code and here.line in (line, 0)
            self._mark(TODO, stmt, here if same else Origin(code, line, within=here))

    @property
    def empty(self) -> bool:
        return not (self.edits or self.todos or self.insert_after or self.insert_before)


def _one_line(text: str) -> str:
    """`text` fit for a comment: line breaks and other control characters escaped (`\\n`)."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)
