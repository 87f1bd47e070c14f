"""Where in a file's text each planned change of a plan is written, and for which finding.

The planner records, as it plans, the finding each edit, TODO and inserted statement is for
(plan.py's `Origin`). This module turns those records into regions of the file as it was: a
change planned at a node rewrites that node's text; a TODO is written above its statement (the
statement's line up to its first token); statements inserted after a node begin on the line
after it, and an `import os` inserted before one on that node's line. fixes/suggest.py attaches
each replacement it cuts from the rewrite to the finding of the smallest region holding it.

Only a report that carries fixes asks for this (`Options.origins`): positions cost a code
generation of the module (analysis/positions.py).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from offramp.analysis.positions import Position, node_positions
from offramp.fixes.plan import AFTER, EDIT, Origin, Plan
from offramp.fixes.textdiff import LINE_BREAK
from offramp.types import Finding


@dataclass(frozen=True)
class Region:
    """old[start:end] (offsets in the file's text) is where the change for `origin` is written."""

    start: int
    end: int
    origin: Origin
    name: str = ""  # an import's: the name it binds (start and end -1, see import_origin)


def regions(module: cst.Module, plan: Plan, text: str) -> List[Region]:
    """The regions of the plan's changes in `text` (the code `module` was parsed from), in plan order."""
    if not plan.origins and not plan.imported:
        return []
    wanted = {node_id for _, node_id, _ in plan.origins}
    positions: Dict[int, Position] = {id(n): p for n, p in node_positions(module).items() if id(n) in wanted}
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def offset(line: int, column: int) -> int:
        if line > len(starts):
            return len(text)
        return min(starts[line - 1] + column, len(text))

    out = []
    for where, node_id, origin in plan.origins:
        pos = positions.get(node_id)
        if pos is None or (where == EDIT and node_id in plan.dropped):  # (an edit around it wrote its text)
            continue
        start, end = offset(pos[0], pos[1]), offset(pos[2], pos[3])
        if where == EDIT:
            out.append(Region(start, end, origin))
        elif where == AFTER:
            line = bisect.bisect_right(starts, max(end - 1, start))  # the node's last line
            out.append(Region(end, starts[line] if line < len(starts) else len(text), origin))
        else:  # TODO, BEFORE: written on the lines above the statement
            line_start = starts[bisect.bisect_right(starts, start) - 1]
            out.append(Region(line_start, start, origin))
    return out + [Region(-1, -1, origin, name) for name, origin in plan.imported]


class Tracer:
    """apply.py's record of the edited nodes whose text an edit around them wrote anew (a wrapper's model
    argument rebuilt from its own mapping): their region is not where their change is written."""

    def __init__(self, dropped: Set[int]) -> None:
        self.dropped = dropped
        self.outputs: List[Tuple[int, cst.CSTNode]] = []  # (edited node, what its edits made of it)
        self.outputs_at: List[int] = []  # their count as each open edited node was entered

    def enter(self) -> None:
        self.outputs_at.append(len(self.outputs))

    def leave(self, key: int, node: cst.CSTNode) -> None:
        """The edited node `key` became `node`: what the edited nodes inside it became is in it, or dropped."""
        at = self.outputs_at.pop()
        inner, self.outputs[at:] = self.outputs[at:], []
        if inner:
            kept, stack = set(), [node]
            while stack:
                n = stack.pop()
                kept.add(id(n))
                stack.extend(n.children)
            self.dropped.update(k for k, out in inner if id(out) not in kept)
        self.outputs.append((key, node))


def origin_at(start: int, end: int, found: Sequence[Region]) -> Optional[Origin]:
    """The finding a replacement of old[start:end] is for: the origin of the smallest region holding it
    (an insertion: its point), else of the smallest region it overlaps (a statement removed with its
    line break), else None. Of two regions alike, the one planned first."""
    holding = origins_holding(start, end, found)
    if holding:
        return holding[0]
    placed = [r for r in found if not r.name and start < r.end and r.start < end]
    return min(placed, key=lambda r: r.end - r.start).origin if placed else None


def origins_holding(start: int, end: int, found: Sequence[Region]) -> List[Origin]:
    """The origins of the regions holding old[start:end], the smallest first: the change it is written in,
    then the changes around that one (a call rebuilt around its model argument)."""
    holding = [r for r in found if not r.name and r.start <= start and end <= r.end]
    return [r.origin for r in sorted(holding, key=lambda r: r.end - r.start)]  # (stable: planned first)


def import_origins(
    old: str, new: str, start: int, end: int, new_start: int, new_end: int, found: Sequence[Region]
) -> List[Origin]:
    """The findings a change to the imports is for (old[start:end] becomes new[new_start:new_end]), in the
    order they were planned: an import the plan adds or removes has no node to point at, so it is known
    by the names it binds. The change must be on an import line (old), insert import lines (new), or
    delete an assignment (the Azure clean-up's credentials, apply.py).
    Several when several fixes need what it binds (`import os`): one fix carries it, the first planned."""
    line_start = _statement_start(old, start)
    eol = old.find("\n", start)
    # on an import line: after its keyword, or replacing text from the line's start (`from` -> `import`)
    on_import = _IMPORT.match(old[line_start:start]) or (
        start < end and _IMPORT.match(old[line_start : len(old) if eol < 0 else eol])
    )
    added = new[new_start:new_end]
    removed = old[start:end].lstrip()
    if start < end and not removed and not added.strip() and _IMPORT.match(old[end : end + 80]):
        # blank lines removed above an import the plan rewrote (its group joined the one above): its names
        line_end = old.find("\n", end)
        words = set(_WORD.findall(old[end : len(old) if line_end < 0 else line_end]))
        return list(dict.fromkeys(r.origin for r in found if r.name and r.name in words))
    if not (
        on_import
        or (start == end and added.strip() and all(_IMPORT.match(x) for x in added.splitlines() if x.strip()))
        # an import or a credential statement deleted (with the blank line above it)
        or (not added.strip() and (_ASSIGN.match(removed) or _IMPORT.match(removed)))
    ):
        return []
    words = set(_WORD.findall(old[start:end] + " " + added))
    out = list(dict.fromkeys(r.origin for r in found if r.name and r.name in words))
    if out or not on_import:
        return out
    # part of an import line (its module's name, `openai` -> `openai_like`): the names the line binds
    line_end = old.find("\n", end)
    words = set(_WORD.findall(old[line_start : len(old) if line_end < 0 else line_end]))
    return list(dict.fromkeys(r.origin for r in found if r.name and r.name in words))


def _statement_start(old: str, start: int) -> int:
    """Where the line of old[start] begins, or the first line of the parenthesized import it is inside
    (`from m import (\n    A,\n    B,\n)`: a name removed from its own line is still on an import line)."""
    line_start = old.rfind("\n", 0, start) + 1
    if _IMPORT.match(old[line_start:start]):
        return line_start
    opened = old.rfind("(", 0, start)
    if opened < 0 or ")" in old[opened:start]:
        return line_start
    head = old.rfind("\n", 0, opened) + 1
    return head if _IMPORT.match(old[head:opened]) and "#" not in old[head:opened] else line_start


_IMPORT = re.compile(r"\A[ \t]*(?:import|from)[ \t]")  # (\A: linear under `search` too)
_WORD = re.compile(r"\w+")
_ASSIGN = re.compile(r"\w+\s*=[^=]")


def finding_for(origin: Origin, findings: Sequence[Finding]) -> Optional[int]:
    """The index of the finding `origin` names in `findings`: same rule and span, else same rule and line,
    else the one it was planned within's."""
    if origin.span is not None:
        for i, f in enumerate(findings):
            if f.code == origin.code and f.span == origin.span:
                return i
    for i, f in enumerate(findings):
        if f.code == origin.code and f.span.line == origin.line:
            return i
    return finding_for(origin.within, findings) if origin.within is not None else None
