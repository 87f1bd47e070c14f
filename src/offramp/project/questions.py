"""What the project stage asks of a Python file's bytes, by name, so that the answers can be recorded.

Which modules the routes follow is decided by cheap questions on every file's text (does it post,
import this module, name that method, load a `.env` file?), and the routes themselves are computed
from the index entries of the modules loaded. A warm run after an edit asks the edited files the
same questions again: when every answer and every index entry is the same, so are the routes
(project/stage.py `RouteInputs`), and the whole stage is a few hashes (a warm `check` of a
2,000-file project after one edit: the routes were ~0.2 of its ~0.8 CPU-s).

Each question is a pure function of the file's bytes (None: unreadable) and of an argument that is
itself a plain value (str, bytes, tuples of them), so an answer asked again of the same bytes is the
same, and argument and answer can be stored.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Tuple

from offramp.project.index import Watch

Question = Callable[[Optional[bytes], Any, Watch], Any]


def posts(data: Optional[bytes]) -> bool:
    """Whether the text can hold a raw HTTP request that sends something (`.post(`, `headers=`)."""
    return data is not None and any(m in data for m in (b".post(", b".request(", b".stream(", b"headers="))


_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([^\n)]*)|import[ \t]+([^\n#;]+))", re.M)


def imported(data: bytes, name: str, package: bool) -> List[Tuple[str, Optional[str]]]:
    """(module, attribute) pairs of a file's import lines, relative modules made absolute."""
    out: List[Tuple[str, Optional[str]]] = []
    for m in _IMPORT_LINE.finditer(data):
        if m.group(3) is not None:
            for part in m.group(3).decode("utf-8", "replace").split(","):
                words = part.split()
                if words:
                    out.append((words[0], None))
            continue
        module = m.group(1).decode("utf-8", "replace")
        level = len(module) - len(module.lstrip("."))
        if level:
            parts = name.split(".") if package else name.split(".")[:-1]
            parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
            rest = module.lstrip(".")
            module = ".".join([*parts, rest] if rest else parts)
        for part in m.group(2).decode("utf-8", "replace").split(","):
            words = part.split()
            out.append((module, words[0] if words else None))
    return out


@lru_cache(maxsize=64)
def _importing(stems: Tuple[str, ...]) -> re.Pattern[bytes]:
    names = b"|".join(re.escape(s.encode("utf-8", "surrogateescape")) for s in stems)
    return re.compile(rb"^[ \t]*(?:from|import)[ \t][^\n]*\b(?:" + names + rb")\b", re.M)


def _imports(data: Optional[bytes], where: Tuple[str, bool], watch: Watch) -> Optional[List[Tuple[str, Optional[str]]]]:
    """The file's import lines, resolved (`where`: its module name and whether it is a package); None when it
    has none."""
    if data is None or b"import" not in data:
        return None
    return imported(data, where[0], where[1])


def _may_import(data: Optional[bytes], stems: Tuple[str, ...], watch: Watch) -> bool:
    """Whether an import line names one of the modules `stems` (their last names): a regex picks the few
    files worth resolving."""
    return data is not None and b"import" in data and _importing(stems).search(data) is not None


def _may_route(data: Optional[bytes], _: Any, watch: Watch) -> bool:
    return data is not None and watch.may_route(data.decode("utf-8", "replace"))


def _posts(data: Optional[bytes], _: Any, watch: Watch) -> bool:
    return posts(data)


@lru_cache(maxsize=4)
def _chain(segments: frozenset) -> re.Pattern[bytes]:
    names = b"|".join(re.escape(s.encode()) for s in sorted(segments) if s[:1].islower())
    return re.compile(rb"\.(?:" + names + rb")\.(?:create|parse|stream|generate|edit)\w*\s*\(")


def _requests(data: Optional[bytes], _: Any, watch: Watch) -> bool:
    """Whether the text can send a request through an SDK client it was handed (`client.chat.completions.create(`,
    `.embeddings.create(`) although it names no SDK: swarm's `def get_completion(client, ...)` in utils.py."""
    return data is not None and b"." in data and _chain(watch.segments).search(data) is not None


def _names_host(data: Optional[bytes], hosts: Tuple[bytes, ...], watch: Watch) -> bool:
    return data is not None and b"://" in data and any(h in data for h in hosts)


def _any_word(data: Optional[bytes], words: Tuple[bytes, ...], watch: Watch) -> bool:
    return data is not None and any(w in data for w in words)


def _binds(data: Optional[bytes], name: str, watch: Watch) -> bool:
    """Whether the module binds `name` at its top level (a `def`, `class`, assignment or import, also inside an
    `if`/`try`/`with` block), or may (a star import, a module `__getattr__`): `from agents import make_client` takes
    a module of the importer's directory named `agents` only when it does (tree.py `Project.import_target`)."""
    if data is None:
        return False
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    stack: List[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in (name, "__getattr__"):
                return True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*" or (alias.asname or alias.name.split(".")[0]) == name:
                    return True
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t)):
                return True
        else:
            for block in ("body", "orelse", "finalbody", "handlers"):
                stack.extend(getattr(node, block, None) or ())
    return False


#: name -> question; the names are what a recorded answer is stored under.
QUESTIONS: Dict[str, Question] = {
    "route": _may_route,
    "posts": _posts,
    "requests": _requests,
    "imports": _imports,
    "may-import": _may_import,
    "host": _names_host,
    "words": _any_word,
    "binds": _binds,
}
