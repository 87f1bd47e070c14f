"""Jupyter notebooks as Python: code cells joined into one module, and back again.

The cells of a notebook share one namespace (a client made in cell 2 is used in cell 7), so
they are analysed as one module. IPython syntax (`%magic`, `!shell`, `%%cell magics`) is
masked with `pass` lines that keep the line count and indentation, and restored verbatim on
the way back. The JSON is read with the standard library; a fix is written only when the
notebook's own serialisation style can be reproduced exactly, so everything outside the
changed cells stays byte-for-byte the same.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

BOUNDARY = "# offramp-notebook-cell {}"
_MAGIC = re.compile(r"^(\s*)(%|!)")
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
    raw: str
    data: Dict[str, Any]
    # virtual module text, and for each of its lines: (cell index (0-based), line in cell (1-based)) or None
    text: str = ""
    line_map: List[Optional[Tuple[int, int]]] = field(default_factory=list)
    masked: Dict[int, str] = field(default_factory=dict)  # mask id -> original line
    code_cells: List[int] = field(default_factory=list)
    trailing_blanks: Dict[int, int] = field(default_factory=dict)  # cell index -> empty lines ending it
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
    language = str(data.get("metadata", {}).get("language_info", {}).get("name", "python")).lower()
    if language not in ("python", ""):
        nb.text = ""
        return nb
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        nb.code_cells.append(index)
        lines.append(BOUNDARY.format(index))
        nb.line_map.append(None)
        body = _source(cell).splitlines()
        nb.trailing_blanks[index] = len(body) - len(_without_trailing_blanks(body))
        cell_magic = bool(body) and body[0].lstrip().startswith("%%")
        masks: List[Optional[str]] = []  # per line: the indent of its mask, or None to keep it
        for line in body:
            magic = _MAGIC.match(line) or _AUTOMAGIC.match(line)
            if cell_magic or magic or (line.rstrip().endswith("?") and not line.lstrip().startswith("#")):
                masks.append("" if cell_magic else magic.group(1) if magic else "")
            else:
                masks.append(None)
        error = _syntax_error(
            "\n".join(line if m is None else m + (_MASK_INDENTED if m else _MASK) for line, m in zip(body, masks))
        )
        if error is not None:
            nb.unparsed.append((len(lines) + error[0], error[1], error[2]))
            masks = [""] * len(body)
        for n, (line, indent) in enumerate(zip(body, masks), 1):
            if indent is not None:
                mask_id = len(nb.masked)
                nb.masked[mask_id] = line
                line = indent + (_MASK_INDENTED if indent else _MASK).format(mask_id)
            lines.append(line)
            nb.line_map.append((index, n))
    nb.text = "\n".join(lines) + "\n" if lines else ""
    return nb


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
    import ast

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
    """`new` with the cell boundaries it lost put back at the place that corresponds to theirs in `old`."""
    new_lines = new.split("\n")
    present = {line for line in new_lines if _BOUNDARY.fullmatch(line)}
    old_lines = old.split("\n")
    missing = [i for i, line in enumerate(old_lines) if _BOUNDARY.fullmatch(line) and line not in present]
    if not missing:
        return new
    inserts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        inserts += [(min(j1 + (i - i1), j2), i) for i in missing if i1 <= i < i2 and tag != "equal"]
    for j, i in sorted(inserts, reverse=True):
        new_lines.insert(j, old_lines[i])
    return "\n".join(new_lines)
