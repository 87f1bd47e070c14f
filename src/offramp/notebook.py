"""Jupyter notebooks as Python: code cells joined into one module, and back again.

The cells of a notebook share one namespace (a client made in cell 2 is used in cell 7), so
they are analysed as one module. IPython syntax (`%magic`, `!shell`, `%%cell magics`) is
masked with `pass` lines that keep the line count and indentation, and restored verbatim on
the way back. The JSON is read with the standard library; a fix is written only when the
notebook's own serialisation style can be reproduced exactly, so everything outside the
changed cells stays byte-for-byte the same.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

BOUNDARY = "# offramp-notebook-cell {}"
# Unindented magics become comments (so the import block stays an import block); indented ones
# become `pass`, because a block that holds only comments is not valid Python.
# IPython's automagic: `pip install x` without the `%` runs in a notebook (and is never Python).
_AUTOMAGIC = re.compile(r"^(\s*)(?:pip|conda|mamba)\s+(?:install|uninstall)\b")
_MASK = "# offramp-masked-line {}"
_MASK_INDENTED = "pass  # offramp-masked-line {}"
_BOUNDARY = re.compile(r"# offramp-notebook-cell (\d+)")
_MASKED = re.compile(r"^(\s*)(?:pass  )?# offramp-masked-line (\d+)$")


class NotebookError(Exception):
    """Not a notebook we can read; the message is one line."""


@dataclass
class Notebook:
    """A notebook read as one module (its code cells joined, IPython syntax masked): the analysis sees Python,
    and each line maps back to its cell for findings and for writing the fix into the notebook."""

    raw: str
    data: Dict[str, Any]
    # virtual module text, and for each of its lines: (cell index (0-based), line in cell (1-based)) or None
    text: str = ""
    line_map: List[Optional[Tuple[int, int]]] = field(default_factory=list)
    masked: Dict[int, str] = field(default_factory=dict)  # mask id -> original line
    code_cells: List[int] = field(default_factory=list)
    trailing_blanks: Dict[int, int] = field(default_factory=dict)  # cell index -> empty lines ending it
    margins: Dict[int, str] = field(default_factory=dict)  # cell index -> indentation IPython removes
    # Cells that are not Python even with IPython syntax masked (pasted output, a stray prose
    # line): masked whole so the rest of the notebook is still analysed; (virtual line of the
    # error, column, message) each, reported as OFR000 at that cell.
    unparsed: List[Tuple[int, int, str]] = field(default_factory=list)

    def locate(self, line: int) -> Tuple[Optional[int], int]:
        """(1-based cell number, 1-based line in the cell) for a line of the virtual module."""
        if 0 < line <= len(self.line_map) and self.line_map[line - 1] is not None:
            cell, in_cell = self.line_map[line - 1]  # type: ignore[misc]
            return cell + 1, in_cell
        return None, line


def _source(cell: Dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def load(raw: str) -> Notebook:
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise NotebookError(f"not valid notebook JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookError("not a Jupyter notebook (no `cells` list)")
    nb = Notebook(raw=raw, data=data)
    lines: List[str] = []
    found = data.get("metadata")
    meta: Dict[str, Any] = found if isinstance(found, dict) else {}
    default = _language(meta, ("language_info", "name"), ("kernelspec", "language")) or "python"
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        found = cell.get("metadata")
        cell_meta: Dict[str, Any] = found if isinstance(found, dict) else {}
        if not _is_python(_language(cell_meta, *_CELL_LANGUAGE) or default):
            continue  # a C# cell of a polyglot notebook is not ours to read, nor a syntax error
        nb.code_cells.append(index)
        lines.append(BOUNDARY.format(index))
        nb.line_map.append(None)
        body = _lines(_source(cell))
        nb.trailing_blanks[index] = len(body) - len(_without_trailing_blanks(body))
        margin = _margin(body)
        if margin:  # IPython dedents a cell before running it
            nb.margins[index] = margin
            body = [line[len(margin) :] if line.startswith(margin) else "" for line in body]
        masks = _cell_masks(body)
        error = _syntax_error(
            "\n".join(line if m is None else m + (_MASK_INDENTED if m else _MASK) for line, m in zip(body, masks))
        )
        if error is not None:
            nb.unparsed.append((len(lines) + error[0], error[1], error[2]))
            masks = [""] * len(body)
        originals = _lines(_source(cell))
        for n, (line, indent) in enumerate(zip(body, masks), 1):
            if indent is not None:
                mask_id = len(nb.masked)
                nb.masked[mask_id] = originals[n - 1]
                line = indent + (_MASK_INDENTED if indent else _MASK).format(mask_id)
            lines.append(line)
            nb.line_map.append((index, n))
    nb.text = "\n".join(lines) + "\n" if lines else ""
    return nb


# Where notebook front ends record a cell's language: .NET Interactive / Polyglot Notebooks, VS Code.
_CELL_LANGUAGE = (("polyglot_notebook", "kernelName"), ("dotnet_interactive", "language"), ("vscode", "languageId"))


def _language(meta: Dict[str, Any], *paths: Tuple[str, str]) -> str:
    for outer, inner in paths:
        value = meta.get(outer)
        if isinstance(value, dict) and isinstance(value.get(inner), str) and value[inner].strip():
            return value[inner].strip().lower()
    return ""


def _is_python(language: str) -> bool:
    return "python" in language or language in ("py", "ipython")


def _lines(source: str) -> List[str]:
    """A cell's lines, split where Python splits them (str.splitlines also splits at form feeds
    and U+2028, which may sit inside a string literal)."""
    lines = source.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _margin(lines: List[str]) -> str:
    """The indentation every non-blank line starts with (textwrap.dedent's margin)."""
    margin: Optional[str] = None
    for line in lines:
        if not line.strip():
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if margin is None:
            margin = indent
        else:
            k = 0
            while k < min(len(margin), len(indent)) and margin[k] == indent[k]:
                k += 1
            margin = margin[:k]
        if not margin:
            return ""
    return margin or ""


# IPython cell magics whose body is Python run in the notebook's namespace (`%%time` runs the
# body and reports how long it took); any other cell magic (`%%bash`, `%%writefile`) holds text
# that is not Python.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_CELL_MAGIC = re.compile(r"%%(\w*)")
# Escapes that start an IPython line (IPython's ESCAPE_SINGLES): `!shell`, `%magic`, `?help`,
# and autocall's `/f x`, `,f a b`, `;f a b`; none of them can start a Python statement.
_ESCAPES = "!%?/,;"


def _cell_masks(body: List[str]) -> List[Optional[str]]:
    """Per line of a (dedented) cell: None to keep it, or the indentation of the `pass`/comment
    that masks it, following IPython's input transformer rules (IPython.core.inputtransformer2):
    a `%%magic` first line, then per logical line an escape at its start (`!ls`, `%pip`), an
    assignment from one (`x = !ls`, `x = %sx ls`), automagic `pip install`, or a `?` as its last
    token (`obj?`). Lines are grouped into logical lines by a scan that knows strings, brackets
    and backslash continuations, so a prompt string with a line ending in `?` or starting with `!`
    is Python (it was masked, and the cell reported as not parsing)."""
    masks: List[Optional[str]] = [None] * len(body)
    i = next((k for k, line in enumerate(body) if line.strip()), len(body))
    if i < len(body) and body[i].startswith("%%"):
        if _CELL_MAGIC.match(body[i]).group(1) not in PYTHON_BODY_CELL_MAGICS:  # type: ignore[union-attr]
            return [""] * len(body)
        masks[i] = ""
        i += 1
    while i < len(body):
        line = body[i]
        indent = line[: len(line) - len(line.lstrip())]
        stripped = line.lstrip()
        if stripped and (stripped[0] in _ESCAPES or _AUTOMAGIC.match(line) or _magic_assignment(stripped)):
            masks[i] = indent
            while body[i].endswith("\\") and i + 1 < len(body):  # IPython joins continued lines
                i += 1
                masks[i] = indent
            i += 1
            continue
        state = _ScanState()
        first = i
        _scan(line, state)
        while state.open() and i + 1 < len(body):
            i += 1
            _scan(body[i], state)
        if state.last == "?":  # `obj?`, `obj.method??`: help
            for k in range(first, i + 1):
                masks[k] = indent
        i += 1
    return masks


@dataclass
class _ScanState:
    """Where a line-by-line scan of a cell stands (in a string, in brackets, after a backslash): a line magic
    only starts a statement, never continues one."""

    quote: str = ""  # the quote of the string the scan is inside ('"""', "'", ...), or ""
    depth: int = 0  # open brackets
    backslash: bool = False  # the line ended with a backslash continuation
    last: str = ""  # the last token's last character outside strings ("#" for a comment)
    assign: int = -1  # offset of the first `=` outside brackets and strings on the first line

    def open(self) -> bool:
        return bool(self.quote) or self.depth > 0 or self.backslash


_NOT_ASSIGN_BEFORE = set("=<>!+-*/%&|^@:~")


def _scan(line: str, state: _ScanState) -> None:
    """Advance `state` over one physical line (linear: each character is looked at once)."""
    state.backslash = False
    i, n = 0, len(line)
    while i < n:
        if state.quote:
            q = state.quote
            if line[i] == "\\":
                if i + 1 == n and len(q) == 1:  # an escaped newline continues a one-line string
                    return
                i += 2
                continue
            if line.startswith(q, i):
                state.quote, state.last = "", q[0]
                i += len(q)
                continue
            i += 1
            continue
        ch = line[i]
        if ch == "#":
            state.last = "#"
            return
        if ch in "'\"":
            state.quote = ch * 3 if line.startswith(ch * 3, i) else ch
            i += len(state.quote)
            continue
        if ch == "\\" and i + 1 == n:
            state.backslash = True
            return
        if ch in "([{":
            state.depth += 1
        elif ch in ")]}":
            state.depth = max(0, state.depth - 1)
        elif ch == "=" and state.depth == 0 and state.assign < 0 and _assign_at(line, i):
            state.assign = i
        if not ch.isspace():
            state.last = ch
        i += 1
    if len(state.quote) == 1:  # a one-line string left open: Python's error, not a continuation
        state.quote = ""


def _assign_at(line: str, i: int) -> bool:
    """Whether the `=` at `i` is an assignment (not `==`, `<=`, `+=`, `!=` ...)."""
    return (i == 0 or line[i - 1] not in _NOT_ASSIGN_BEFORE) and line[i + 1 : i + 2] != "="


def _magic_assignment(line: str) -> bool:
    """`x = !ls` or `x = %sx ls` (IPython's SystemAssign and MagicAssign)."""
    state = _ScanState()
    _scan(line, state)
    if state.assign <= 0:
        return False
    rest = line[state.assign + 1 :].lstrip()
    return rest.startswith("!") or bool(re.match(r"%\w", rest))


def _without_trailing_blanks(lines: List[str]) -> List[str]:
    end = len(lines)
    while end and lines[end - 1] == "":
        end -= 1
    return lines[:end]


def _syntax_error(code: str) -> Optional[Tuple[int, int, str]]:
    """(line, column, message) when a cell is not Python on its own; None when it is (or may be).

    Each cell runs on its own in Jupyter, so each must parse on its own; top-level `await` is
    allowed, as IPython allows it. Only a SyntaxError counts: a cell too deeply nested for this
    check is left to the parser that runs on a deep stack.
    """
    flags = ast.PyCF_ONLY_AST | getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
    try:
        compile(code, "<cell>", "exec", flags, dont_inherit=True)
    except SyntaxError as e:
        return (e.lineno or 1, max(1, e.offset or 1), str(e.msg))
    except ValueError as e:  # a NUL byte
        return (1, 1, str(e))
    except (RecursionError, MemoryError):
        return None
    return None


def _split_source(text: str) -> List[str]:
    """Jupyter's list-of-lines form: every line keeps its newline except the last."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def _serialisers(raw: str) -> List[Dict[str, Any]]:
    styles = []
    for indent in (1, 2, 4, None):
        for sort_keys in (True, False):
            for ensure_ascii in (False, True):
                styles.append({"indent": indent, "sort_keys": sort_keys, "ensure_ascii": ensure_ascii})
    return styles


def _dump(data: Dict[str, Any], style: Dict[str, Any], trailing: str) -> str:
    return json.dumps(data, **style) + trailing


def rebuild(nb: Notebook, new_text: str) -> Optional[str]:
    """The notebook with its code cells replaced from `new_text`; None when that cannot be done exactly.

    A notebook saved with CRLF line endings (a Windows checkout with core.autocrlf) keeps them;
    a cell whose first statement the fix removed (an import merged into an earlier cell's)
    takes its boundary comment with it, and the boundary is put back where the old text had it.
    """
    raw = nb.raw
    crlf = "\r\n" in raw and raw.count("\n") == raw.count("\r\n")
    if crlf:
        raw = raw.replace("\r\n", "\n")
    trailing = raw[len(raw.rstrip("\n")) :]
    style = next((s for s in _serialisers(raw) if _dump(nb.data, s, trailing) == raw), None)
    if style is None:
        return None
    new_text = _restore_boundaries(nb.text, new_text)
    cells: Dict[int, List[str]] = {}
    current: Optional[int] = None
    for line in new_text.split("\n"):
        m = _BOUNDARY.fullmatch(line)
        if m:
            current = int(m.group(1))
            cells[current] = []
            continue
        if current is None:
            if line.strip():  # something landed above the first cell (e.g. an added import)
                cells.setdefault(-1, []).append(line)
            continue
        mm = _MASKED.match(line)
        if mm:
            line = nb.masked[int(mm.group(2))]
        elif line:
            line = nb.margins.get(current, "") + line
        cells[current].append(line)
    if sorted(k for k in cells if k >= 0) != nb.code_cells:
        return None
    if -1 in cells and nb.code_cells:
        cells[nb.code_cells[0]] = cells.pop(-1) + cells[nb.code_cells[0]]
    data = json.loads(raw)
    for index in nb.code_cells:
        body = cells[index]
        body = _without_trailing_blanks(body) + [""] * nb.trailing_blanks.get(index, 0)
        old_source = _source(data["cells"][index])
        new_source = "\n".join(body) + ("\n" if old_source.endswith("\n") else "")
        if new_source == old_source:
            continue
        cell = data["cells"][index]
        cell["source"] = _split_source(new_source) if isinstance(cell.get("source"), list) else new_source
    out = _dump(data, style, trailing)
    return out.replace("\n", "\r\n") if crlf else out


def _restore_boundaries(old: str, new: str) -> str:
    """`new` with the cell boundaries it lost put back at the place that corresponds to theirs in `old`.

    Only the stretch between the boundaries that survived on either side, less the lines that
    start and end both alike, is aligned: difflib without its junk heuristic took 115 s on a
    20,000-line notebook with many blank lines; this takes 0.1 s on a 20,000-line cell changed
    at both ends.
    """
    new_lines = new.split("\n")
    old_lines = old.split("\n")
    present = {line: j for j, line in enumerate(new_lines) if _BOUNDARY.fullmatch(line)}
    kept = [(i, present[line]) for i, line in enumerate(old_lines) if line in present]
    if len(kept) == sum(1 for line in old_lines if _BOUNDARY.fullmatch(line)):
        return new
    import difflib  # lazy: start-up (a fix of a notebook only)

    inserts = []
    stretches = zip([(0, 0), *kept], [*kept, (len(old_lines), len(new_lines))])
    for (o1, n1), (o2, n2) in stretches:
        missing = [i for i in range(o1, o2) if _BOUNDARY.fullmatch(old_lines[i]) and old_lines[i] not in present]
        if not missing:
            continue
        while o1 < o2 and n1 < n2 and old_lines[o1] == new_lines[n1] and o1 < missing[0]:  # the same start
            o1, n1 = o1 + 1, n1 + 1
        while o2 > o1 and n2 > n1 and old_lines[o2 - 1] == new_lines[n2 - 1] and o2 > missing[-1] + 1:  # same end
            o2, n2 = o2 - 1, n2 - 1
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines[o1:o2], new_lines[n1:n2]).get_opcodes():
            inserts += [(n1 + min(j1 + (i - o1 - i1), j2), i) for i in missing if i1 <= i - o1 < i2 and tag != "equal"]
    for j, i in sorted(inserts, reverse=True):
        new_lines.insert(j, old_lines[i])
    return "\n".join(new_lines)
