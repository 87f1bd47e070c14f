"""What the transform applies to one file: edits by node, TODO comments by statement, statements to insert,
imports to add and remove, and what the plan moves to the provider (for the route gate).

The planner (planner.py) fills it; apply.py is the one writer that applies it, and crossfile.py fills
one for a file with no plan of its own (a model literal that requests of other files send). Apart
from the planner so that neither needs it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import libcst as cst

from offramp.fixes.planedits import Edit
from offramp.project.gate import Effect
from offramp.redact import redact
from offramp.types import Span

AZURE_IDENTITY = "azure.identity"


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

    def moves(self, role: str, span: Span) -> None:
        self.effects.append(Effect(role, span, self.to))

    def edit(self, node: cst.CSTNode, fn: Edit) -> None:
        self.edits.setdefault(id(node), []).append(fn)

    allowed: Callable[[str, int], bool] = lambda code, line: True

    def todo(self, stmt: Optional[cst.CSTNode], text: str, code: str, line: int = 0) -> None:
        if stmt is None or not self.allowed(code, line):
            return
        entry = _one_line(redact(f"{text} ({code})"))  # a URL quoted in a TODO keeps no credential
        bucket = self.todos.setdefault(id(stmt), [])
        if entry not in bucket:
            bucket.append(entry)
            self.todo_codes[code] += 1

    @property
    def empty(self) -> bool:
        return not (self.edits or self.todos or self.insert_after or self.insert_before)


def _one_line(text: str) -> str:
    """`text` fit for a comment: line breaks and other control characters escaped (`\\n`)."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)
