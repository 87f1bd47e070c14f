"""Cutting a rewrite into per-finding fixes: the replacements turning a file's text into what `offramp fix`
writes, each attached to the finding the plan made it for (fixes/provenance.py's regions), in the two
shapes reports carry (fixes/suggest.py says which and when).

- the texts are compared line by line, then word by word (fixes/textdiff.py), so a replacement covers
  what changed rather than whole lines;
- a replacement goes to the finding the plan made it for; a finding without a fix (no `[*]`) carries
  only what the plan made for it that is a TODO comment. A replacement the text diff cut across two
  planned changes, so that the inner one's fix alone would not parse, goes to the change around it.
  What the plan records no finding for (an import whose names no planned change binds, a configuration
  file's or a notebook's change) goes to the fixable finding whose span it falls in, else on its
  lines, else to the file's first fixable finding: the fallback by position, which
  `test_fixes_on_the_fix_fixtures_come_from_the_plan` holds at none on the fix fixtures;
- SARIF's `edits` are as small as they come; reviewdog's `line_edits` replace whole lines, so a run of
  lines goes to one of the findings its replacements are for (the fixable one whose span starts first
  and holds the others');
- an added import goes with the fix that uses a name it binds when only one does; a finding's whole
  share goes to the file's first fixable finding when applying it alone would leave a Python file
  that does not parse; replacements of findings the report does not show are left out; a file whose
  replacements would write a secret gets no fixes.

Positions count in the file's decoded text (without a BOM) and Python's line breaks (CRLF, CR, LF);
columns are 1-based code points, with UTF-8 byte columns alongside for reviewdog.
"""

from __future__ import annotations

import ast
import bisect
import re
import textwrap
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from offramp.fixes.provenance import Region, finding_for, import_origins, origin_at, origins_holding
from offramp.fixes.rewriteparses import cpython_parses
from offramp.fixes.textdiff import LINE_BREAK, Raw, raw_edits
from offramp.redact import secret_spans
from offramp.source import parse_module
from offramp.types import Finding

_HIDDEN = -1  # owner of a replacement that belongs to a finding the report does not show


@dataclass(frozen=True)
class Edit:
    """Replace old[start:end] (offsets in the decoded text) with `text`; line/column positions are
    1-based with an exclusive end, in code points and (for reviewdog) UTF-8 bytes."""

    start: int
    end: int
    text: str
    line: int
    column: int
    end_line: int
    end_column: int
    byte_column: int
    end_byte_column: int


@dataclass(frozen=True)
class Suggestion:
    """One finding's fix: replacements in the finding's own file, sorted and not overlapping.

    `edits` are as small as they come, each the finding's the plan made it for (SARIF): two findings
    on one line (a key variable renamed inside a client's call) each carry their own. `line_edits`
    are for a pull-request suggestion, which replaces whole lines, so two on one line would undo
    each other (reviewdog): a line's replacements go to one finding, joined into one, and no other
    finding's `line_edits` touch a line these touch. Either may be empty.
    """

    description: str
    edits: Tuple[Edit, ...]
    line_edits: Tuple[Edit, ...]
    traced: bool = False  # each replacement is attached by the finding the plan made it for (provenance.py)


# -- attribution ---------------------------------------------------------------------------------


class _Positions:
    """Offsets <-> (line, column) in one text, lines broken as spans break them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def offset(self, line: int, column: int) -> int:
        if line < 1:
            return 0
        if line > len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + max(column, 1) - 1, len(self.text))

    def touched_line(self, offset: int) -> int:
        """The line of `offset`, where the end of a text that ends with a line break counts as
        its last line (an insertion there is written in front of that line break, see _edit)."""
        if offset == len(self.text) and len(self.starts) > 1 and self.starts[-1] == len(self.text):
            return len(self.starts) - 1
        return self.line(offset)

    def position(self, offset: int) -> Tuple[int, int, int]:
        """(line, code-point column, UTF-8 byte column)."""
        line = self.line(offset)
        head = self.text[self.starts[line - 1] : offset]
        return line, len(head) + 1, len(head.encode("utf-8", "surrogatepass")) + 1


def _span_offsets(f: Finding, pos: _Positions) -> Tuple[int, int]:
    s = f.span
    start = pos.offset(s.line, s.column)
    end = pos.offset(s.end_line, s.end_column) if s.end_line >= s.line else start
    return start, max(start, end)


def _touches(e: Raw, start: int, end: int) -> bool:
    if e.start == e.end:
        return start <= e.start <= end
    if start == end:
        return e.start <= start <= e.end
    return e.start < end and start < e.end


def _edit_lines(e: Raw, pos: _Positions) -> Tuple[int, int]:
    last = e.end - 1 if e.end > e.start else e.start
    return pos.line(e.start), pos.line(max(last, e.start))


def _owner(
    e: Raw,
    pos: _Positions,
    shown: Sequence[Finding],
    hidden: Sequence[Finding],
    planned: Sequence[Region],
    new: str = "",
) -> Optional[int]:
    # the finding the planner made the change for (fixes/provenance.py): the first a fix is shown for
    origin = origin_at(e.start, e.end, planned)
    origins = [origin] if origin is not None else import_origins(pos.text, new, *_offsets(e), planned)
    todo = _comment_lines(new[e.new_start : e.new_end]) and e.start == e.end
    for group, hide in ((shown, False), (hidden, True)):
        i = next((i for i in (finding_for(o, group) for o in origins) if i is not None), None)
        # (a finding without a fix carries only what the plan made for it that is a TODO)
        if i is not None and (group[i].fixable or todo):
            e.traced = True
            if not hide:
                e.outer = _outer(e, i, group, planned)
            return _HIDDEN if hide else i
    first, last = _edit_lines(e, pos)
    for group, found in ((shown, None), (hidden, _HIDDEN)):
        for i, f in enumerate(group):
            if f.fixable and _touches(e, *_span_offsets(f, pos)):
                return i if found is None else found
        for i, f in enumerate(group):
            if f.fixable and f.span.line <= last and max(f.span.end_line, f.span.line) >= first:
                return i if found is None else found
    return None


def _outer(e: Raw, owner: int, shown: Sequence[Finding], planned: Sequence[Region]) -> Optional[int]:
    """The fixable finding, other than `owner`, of the smallest planned change around the one `e` is in."""
    for origin in origins_holding(e.start, e.end, planned)[1:]:
        i = finding_for(origin, shown)
        if i is not None and i != owner and shown[i].fixable:
            return i
    return None


def _comment_lines(text: str) -> bool:
    """Whether `text` is whole lines of comments (a TODO the plan writes above a statement)."""
    lines = text.splitlines()
    return bool(text) and LINE_BREAK.search(text[-2:]) is not None and all(x.lstrip().startswith("#") for x in lines)


def _offsets(e: Raw) -> Tuple[int, int, int, int]:
    return e.start, e.end, e.new_start, e.new_end


def _imports_to_their_users(alone: Sequence[Raw], raws: Sequence[Raw], old: str, new: str) -> None:
    """An added import belongs to no finding's span: when the fixes using a name it binds are all one
    finding's, it goes with that fix (`import os` with the `os.environ[...]` a client's fix writes), so
    that fix accepted alone still runs. Otherwise, and whenever the rewrite also removes or changes an
    import (its two halves could land in different fixes), it stays nobody's (see attribute).
    `alone`: the replacements that share their lines with no other (only those can move)."""
    candidates = [e for e in alone if e.owner is None and e.start == e.end]
    bound = [(e, _names_bound(new[e.new_start : e.new_end])) for e in candidates]
    bound = [(e, names) for e, names in bound if names]
    if not bound or _imports_removed(old, new):
        return
    for e, names in bound:
        used = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
        owners = {
            0 if u.owner is None else u.owner  # (nobody's goes to the first finding)
            for u in raws
            if u is not e and u.owner != _HIDDEN and used.search(new, u.new_start, u.new_end)
        }
        if len(owners) == 1:
            e.owner = owners.pop()


def _imports_removed(old: str, new: str) -> bool:
    """Whether an import statement of `old` is not in `new` (or either text is not Python ast reads)."""
    trees = []
    for text in (old, new):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                trees.append(ast.parse(text))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return True
    before, after = (
        Counter(ast.dump(n) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))) for tree in trees
    )
    return bool(before - after)


def _names_bound(text: str) -> Set[str]:
    """The names a run of whole import statements binds; empty for any other text."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(textwrap.dedent(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    if not tree.body or not all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in tree.body):
        return set()
    return {
        (alias.asname or alias.name.split(".")[0])
        for node in tree.body
        for alias in node.names  # type: ignore[attr-defined]
        if alias.name != "*"
    }


def _secret_spans(text: str) -> List[Tuple[int, int]]:
    """Where in `text` the report redaction would mask a secret."""
    return secret_spans(text)


def _writes_secret(start: int, end: int, secrets: Sequence[Tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in secrets)


def _size(e: Raw) -> int:
    return max(e.end - e.start, e.new_end - e.new_start)


def _compatible(a: Optional[int], b: Optional[int]) -> Optional[Tuple[Optional[int]]]:
    """The owner of two merged replacements, or None when they must stay apart."""
    if a == b:
        return (a,)
    if a is None and b != _HIDDEN:
        return (b,)
    if b is None and a != _HIDDEN:
        return (a,)
    return None


def attribute(
    old: str,
    new: str,
    shown: Sequence[Finding],
    hidden: Sequence[Finding] = (),
    *,
    python: bool = True,
    description: str = "",
    found: Sequence[Region] = (),
) -> Dict[int, Suggestion]:
    """The replacements turning `old` into `new`, as fixes keyed by index into `shown`.

    `shown` are the findings the report shows for this file (in report order), `hidden` the ones
    it does not; `found`, where the plan wrote each change and for which finding. A finding
    without a fix (not `fixable`) carries only what the plan made for it, its TODO; what the plan
    made for no finding shown goes to a fixable one. Empty when there is nothing to attach or
    nothing safe to say.
    """
    order = sorted(range(len(shown)), key=lambda i: not shown[i].fixable)  # the first fixable is 0
    if not shown or old == new or not shown[order[0]].fixable:
        return {}
    ranked = [shown[i] for i in order]
    pos = _Positions(old)
    secrets = _secret_spans(new)
    notebook = any(f.cell is not None for f in shown)  # cell positions are not positions in the file
    raws = [
        replace(e, owner=0 if notebook else _owner(e, pos, ranked, hidden, found, new)) for e in raw_edits(old, new)
    ]
    lined = [replace(e) for e in raws]
    # `edits`: each replacement is the finding's the plan made it for (else a fixable one it falls in).
    fine = _grouped(_clean_up(raws, old, new, secrets), pos, old, new, secrets, python)
    # `line_edits`: fixes of different findings never share a line (see Suggestion), so the replacements
    # on a run of lines go to one of the findings they are for: a fixable one, the one whose span starts
    # first and holds the others' (a call's rather than its model's or key's).
    lined = _clean_up(lined, old, new, secrets)
    for block in _line_blocks(lined, pos):
        owners = [e.owner for e in block if e.owner is not None]
        shown_owners = [o for o in owners if o != _HIDDEN]
        fixing = sorted({o for o in shown_owners if ranked[o].fixable}, key=lambda o: _outermost(ranked[o]))
        owner = next(iter(fixing), next(iter(shown_owners), next(iter(owners), None)))
        if (
            owner is not None
            and owner != _HIDDEN
            and not ranked[owner].fixable
            and any(e.owner != owner for e in block)
        ):
            owner = 0  # (a finding without a fix carries its TODO alone)
        for e in block:
            e.traced = e.traced and e.owner == owner
            e.owner = owner
    by_line = _grouped(lined, pos, old, new, secrets, python)
    if fine is None or by_line is None:
        return {}
    out = {}
    for k in sorted({*fine, *by_line}):
        lines = []
        for block in _line_blocks(by_line.get(k, []), pos):
            joined = Raw(block[0].start, block[-1].end, block[0].new_start, block[-1].new_end)
            lines.extend([joined] if not _writes_secret(joined.new_start, joined.new_end, secrets) else block)
        out[order[k]] = Suggestion(
            description,
            tuple(_edit(e, old, new, pos) for e in fine.get(k, [])),
            tuple(_edit(e, old, new, pos) for e in lines),
            all(e.traced for e in fine.get(k, [])),
        )
    return out


def _outermost(f: Finding) -> Tuple[int, int, int, int]:
    s = f.span
    return s.line, s.column, -s.end_line, -s.end_column


def _grouped(
    raws: List[Raw], pos: _Positions, old: str, new: str, secrets: Sequence[Tuple[int, int]], python: bool
) -> Optional[Dict[int, List[Raw]]]:
    """The replacements by the finding they go to (the file's first for what is nobody's), each
    finding's complete on its own; None when one would write a secret."""
    _imports_to_their_users([b[0] for b in _line_blocks(raws, pos) if len(b) == 1], raws, old, new)
    groups: Dict[int, List[Raw]] = defaultdict(list)
    kept = [e for e in raws if e.owner != _HIDDEN]
    for e in kept:
        if _writes_secret(e.new_start, e.new_end, secrets):
            return None
        groups[0 if e.owner is None else e.owner].append(e)
    return _complete(old, new, groups, kept) if python else groups


def _clean_up(raws: List[Raw], old: str, new: str, secrets: Sequence[Tuple[int, int]]) -> List[Raw]:
    """A word diff still leaves fragments (`gpt-4o-mini` -> `qwen-flash` as `gpt`->`qwen` and
    `4o-mini`->`flash`): as in diff-match-patch's semantic clean-up, an unchanged stretch no
    longer than the changes on both sides of it joins them, when all three are within one line
    (a TODO line inserted above a call stays apart from the change to the call) and the two
    are for the same finding."""
    while True:
        joined: List[Raw] = []
        for e in raws:
            prev = joined[-1] if joined else None
            owner = _compatible(prev.owner, e.owner) if prev is not None else None
            if (
                prev is not None
                and owner is not None
                and e.start - prev.end <= min(_size(prev), _size(e))
                and not LINE_BREAK.search(old, prev.start, e.end)
                and not LINE_BREAK.search(new, prev.new_start, e.new_end)
                and not _writes_secret(prev.new_end, e.new_start, secrets)
            ):
                prev.traced = prev.traced and e.traced and prev.owner == e.owner
                prev.end, prev.new_end, prev.owner = e.end, e.new_end, owner[0]
            else:
                joined.append(e)
        if len(joined) == len(raws):
            return joined
        raws = joined


def _line_blocks(raws: Sequence[Raw], pos: _Positions) -> List[List[Raw]]:
    """Sorted replacements in runs that share lines (a replacement ending at column 1 touches that line)."""
    blocks: List[List[Raw]] = []
    last = 0
    for e in sorted(raws, key=lambda r: r.start):
        if blocks and pos.touched_line(e.start) <= last:
            blocks[-1].append(e)
            last = max(last, pos.touched_line(e.end))
        else:
            blocks.append([e])
            last = pos.touched_line(e.end)
    return blocks


def _complete(old: str, new: str, groups: Dict[int, List[Raw]], every: List[Raw]) -> Dict[int, List[Raw]]:
    """Each fix must leave a file that parses when applied alone; merge the ones that do not: into the fix of
    the planned change around theirs (the text diff cut a replacement across the two), else the first."""
    use_ast = _parses(old, True)
    if not any(not _parses(_apply(old, new, v), use_ast) for v in groups.values()):
        return groups
    bad = [k for k, v in groups.items() if not _parses(_apply(old, new, v), use_ast)]
    for k in bad:
        outer = {e.outer for e in groups[k]}
        into = outer.pop() if len(outer) == 1 else None
        if k != 0 and into is not None and into in groups:
            groups[into] = sorted([*groups[into], *groups.pop(k)], key=lambda r: r.start)
            for e in groups[into]:
                e.owner = into
    bad = [k for k, v in groups.items() if not _parses(_apply(old, new, v), use_ast)]
    for k in bad:
        if k != 0:
            for e in groups[k]:
                e.traced = False
            groups.setdefault(0, []).extend(groups.pop(k))
    if _parses(_apply(old, new, groups[0]), use_ast):
        return groups
    everything = [e for e in every if e.owner != _HIDDEN]
    if _parses(_apply(old, new, everything), use_ast):
        return {0: [replace(e, traced=False) for e in everything]}
    return {}


def _apply(old: str, new: str, edits: Iterable[Raw]) -> str:
    out, pos = [], 0
    for e in sorted(edits, key=lambda r: r.start):
        out.append(old[pos : e.start])
        out.append(new[e.new_start : e.new_end])
        pos = e.end
    out.append(old[pos:])
    return "".join(out)


def _parses(text: str, use_ast: bool) -> bool:
    if use_ast:
        return cpython_parses(text)
    try:
        parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return False
    return True


def _edit(e: Raw, old: str, new: str, pos: _Positions) -> Edit:
    start, end, text = e.start, e.end, new[e.new_start : e.new_end]
    # A position past the final line break names a line the file does not have (reviewdog cannot
    # show it): an insertion there goes in front of that line break instead, the same text.
    nl = "\r\n" if old.endswith("\r\n") else old[-1:] if old.endswith(("\r", "\n")) else ""
    if nl and end == len(old) and text.endswith(nl):
        if start == end:
            start = end = len(old) - len(nl)
            text = nl + text[: -len(nl)]
        elif old[start:end].endswith(nl):
            end, text = end - len(nl), text[: -len(nl)]
    line, column, byte_column = pos.position(start)
    end_line, end_column, end_byte_column = pos.position(end)
    return Edit(start, end, text, line, column, end_line, end_column, byte_column, end_byte_column)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with the replacements made (they must not overlap)."""
    out, pos = [], 0
    for e in sorted(edits, key=lambda r: (r.start, r.end)):
        out.append(text[pos : e.start])
        out.append(e.text)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)
