"""The nesting of a YAML or JSON file's entries, with positions: which entries form one mapping, and
where each entry's text starts and ends.

The scanners (yamlfile, jsonfile) give each entry its last key only, which is all a per-value check
needs. A framework's configuration (`provider:` with its sibling `config:` mapping in an AutoGen
component) is a block of entries that moves as one (userconfig/frameworkfiles.py): this module tells
which entries those are, and the spans an edit removes or inserts after. YAML nesting is read from
the key columns of scan_yaml's entries (block mappings and `- key:` sequence items; a flow mapping
`{...}` is a leaf of kind "flow"); JSON from its tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

from offramp.userconfig.jsonfile import _json_tokens
from offramp.userconfig.text import Invalid, Text, Tok
from offramp.userconfig.yamlfile import scan_yaml


@dataclass
class Node:
    """One `key: value` entry. `group` names the mapping it belongs to (its siblings share it);
    `parent` is the entry whose value that mapping is (-1 at the top). `start`/`end` cover the
    entry with its nested lines (YAML: whole lines, the line ending included; JSON: key to value)."""

    key: str
    key_span: Tuple[int, int]
    value: Optional[Tok]  # a scalar value (string, number, bool); None for a mapping or sequence
    group: int
    parent: int
    start: int
    end: int
    indent: str  # YAML: the key's column as spaces; JSON: the indentation of the key's line
    kind: str = "scalar"  # "scalar" | "map" | "flow" (a YAML `{...}` / `[...]`) | "seq" | "none"
    item: bool = False  # YAML: the entry starts a sequence item (`- key: value`)
    inner: int = -1  # JSON "map": just after its `{`


@dataclass
class Outline:
    kind: str  # "yaml" | "json"
    text: str
    nodes: List[Node]
    eol: str

    def children(self, i: int) -> List[int]:
        return [j for j, n in enumerate(self.nodes) if n.parent == i]

    def siblings(self, i: int) -> List[int]:
        g = self.nodes[i].group
        return [j for j, n in enumerate(self.nodes) if n.group == g]

    def child(self, i: int, dotted: str) -> Optional[int]:
        """The entry at the dotted key path below entry `i` (-1: the top level)."""
        at = i
        for part in dotted.split("."):
            at = next((j for j in (self.children(at) if at >= 0 else self.top()) if self.nodes[j].key == part), -2)
            if at < 0:
                return None
        return at

    def sibling(self, i: int, key: str) -> Optional[int]:
        return next((j for j in self.siblings(i) if self.nodes[j].key == key), None)

    def top(self) -> List[int]:
        return [j for j, n in enumerate(self.nodes) if n.parent == -1]

    def path(self, i: int) -> List[str]:
        """The keys from the top level down to entry `i`'s parent."""
        out: List[str] = []
        p = self.nodes[i].parent
        while p >= 0:
            out.append(self.nodes[p].key)
            p = self.nodes[p].parent
        return out[::-1]


_EOL = re.compile(r"\r\n|\r|\n")


def outline(kind: str, text: str) -> Optional[Outline]:
    """The outline of a YAML or JSON text; None when it does not parse (the scanners report that)."""
    m = _EOL.search(text)
    eol = m.group(0) if m else "\n"
    if kind == "json":
        nodes = _json(text)
        return None if nodes is None else Outline("json", text, nodes, eol)
    if kind == "yaml":
        return Outline("yaml", text, _yaml(Text(text)), eol)
    return None


# -- YAML ------------------------------------------------------------------------------------------


def _yaml(t: Text) -> List[Node]:
    text = t.text
    nodes: List[Node] = []
    stack: List[Tuple[int, int, int]] = []  # (key column, group, parent) of the open mappings
    # (column, index) of the nodes that may still be the parent of a later key: each one's column
    # above the last's, so the nearest node left of a column is found by popping (a backward scan
    # over all nodes per top-level key made a 1.9 MB file 2x slower per MB than a 1 MB one)
    shallower: List[Tuple[int, int]] = []
    groups = 0
    for e in scan_yaml(t).entries:
        if e.key is None or e.key_span is None:
            continue
        ks = e.key_span[0]
        row = bisect_right(t.starts, ks) - 1
        line_start, line_end = t.lines[row]
        col = ks - line_start
        lead = text[line_start:ks]
        item = "-" in lead
        if lead.strip(" \t-"):
            continue  # a key after other text on its line (`a: {b: c}` is read as a flow value)
        while stack and stack[-1][0] > col:
            stack.pop()
        while shallower and shallower[-1][0] >= col:
            shallower.pop()
        if stack and stack[-1][0] == col and not item:
            group, parent = stack[-1][1], stack[-1][2]
        else:
            if stack and stack[-1][0] == col:
                stack.pop()
            parent = shallower[-1][1] if shallower else -1  # the last node indented less than this key
            groups += 1
            group = groups
            stack.append((col, group, parent))
        after = text[e.key_span[1] : line_end].lstrip(" \t:").lstrip(" \t")
        if e.value is not None:
            kind = "scalar"
        elif after[:1] in ("{", "["):
            kind = "flow"
        elif after[:1] in ("|", ">"):
            kind = "scalar"  # a block scalar: its lines are the entry's
        else:
            kind = "none"
        node = Node(e.key, e.key_span, e.value, group, parent, line_start, 0, " " * col, kind, item)
        nodes.append(node)
        shallower.append((col, len(nodes) - 1))
        node.end = _yaml_end(t, row, col, node)
    for n in nodes:
        if n.parent >= 0 and nodes[n.parent].kind == "none":
            nodes[n.parent].kind = "map"
        if n.start == 0 and t.bom:
            n.start = t.lines[0][0]
    return nodes


def _yaml_end(t: Text, row: int, col: int, node: Node) -> int:
    """Where the entry's text ends: after the last line indented deeper than its key (a sequence at
    the key's own column included), comments and blank lines at the end left out."""
    text = t.text
    last = row
    for r in range(row + 1, len(t.lines)):
        start, end = t.lines[r]
        line = text[start:end]
        body = line.lstrip(" \t")
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        if indent > col or (indent == col and body[:1] == "-" and node.value is None and not node.item):
            last = r
            continue
        break
    return t.starts[last + 1] if last + 1 < len(t.starts) else len(text)


# -- JSON ------------------------------------------------------------------------------------------


def _json(text: str) -> Optional[List[Node]]:
    try:
        toks = _json_tokens(text, 1 if text.startswith("\ufeff") else 0)
    except Invalid:
        return None
    if not toks:
        return None
    nodes: List[Node] = []
    try:
        _json_value(text, toks, 0, -1, nodes, [0])
    except (IndexError, RecursionError):
        return None
    return nodes


def _line_indent(text: str, at: int) -> str:
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    line = text[start:at]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _json_value(
    text: str, toks: Sequence[Tuple[str, int, int, Any]], i: int, owner: int, nodes: List[Node], groups: List[int]
) -> int:
    """Reads the value at token `i` (its entries go to `nodes`, owned by entry `owner`); returns the next token."""
    kind = toks[i][0]
    if kind == "{":
        groups[0] += 1
        group = groups[0]
        if owner >= 0 and nodes[owner].kind != "seq":
            nodes[owner].kind, nodes[owner].inner = "map", toks[i][2]
        i += 1
        while toks[i][0] != "}":
            k = toks[i]
            if k[0] != "s" or toks[i + 1][0] != ":":
                raise IndexError
            v = toks[i + 2]
            value = None
            if v[0] == "s":
                exact = text[v[1] + 1 : v[2] - 1] == v[3]
                value = Tok(v[1], v[2], v[3], '"', v[1] + 1 if exact else -1)
            elif v[0] == "l":
                value = Tok(v[1], v[2], text[v[1] : v[2]], "", v[1])
            node = Node(k[3], (k[1], k[2]), value, group, owner, k[1], 0, _line_indent(text, k[1]))
            if v[0] == "[":
                node.kind = "seq"
            nodes.append(node)
            me = len(nodes) - 1
            i = _json_value(text, toks, i + 2, me, nodes, groups)
            node.end = toks[i - 1][2]
            if toks[i][0] == ",":
                i += 1
        return i + 1
    if kind == "[":
        i += 1
        while toks[i][0] != "]":
            i = _json_value(text, toks, i, owner, nodes, groups)  # a mapping in a list: its entries are the list's
            if toks[i][0] == ",":
                i += 1
        return i + 1
    return i + 1
