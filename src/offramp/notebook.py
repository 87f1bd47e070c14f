"""Jupyter notebooks as Python: code cells joined into one module, and back again.

The cells of a notebook share one namespace (a client made in cell 2 is used in cell 7), so
they are analysed as one module. IPython syntax (`%magic`, `!shell`, `%%cell magics`) is
masked with `pass` lines that keep the line count and indentation, and restored verbatim on
the way back. The JSON is read with the standard library; a fix is written only when the
notebook's own serialisation style can be reproduced exactly, so everything outside the
changed cells stays byte-for-byte the same.
"""

from __future__ import annotations

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
    """The notebook with its code cells replaced from `new_text`; None when that cannot be done exactly."""
    trailing = nb.raw[len(nb.raw.rstrip("\n")) :]
    style = next((s for s in _serialisers(nb.raw) if _dump(nb.data, s, trailing) == nb.raw), None)
    if style is None:
        return None
    cells: Dict[int, List[str]] = {}
    current: Optional[int] = None
    for line in new_text.split("\n"):
        m = re.fullmatch(r"# offramp-notebook-cell (\d+)", line)
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
    data = json.loads(nb.raw)
    for index in nb.code_cells:
        body = cells[index]
        while body and body[-1] == "" and len(body) > 0:
            body.pop()
        new_source = "\n".join(body)
        old_source = _source(data["cells"][index])
        if new_source.rstrip("\n") == old_source.rstrip("\n"):
            continue
        if old_source.endswith("\n") and not new_source.endswith("\n"):
            new_source += "\n"
        cell = data["cells"][index]
        cell["source"] = _split_source(new_source) if isinstance(cell.get("source"), list) else new_source
    return _dump(data, style, trailing)
