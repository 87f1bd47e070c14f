"""What the last routes read of each Python file, and whether a warm run's files still say the same.

The routes are a function of the options, the run's files and configuration documents (all in the
stage's fingerprint), of the answers the stage asked of files' bytes (project/questions.py) and of
the index entries it loaded. Nothing else of a Python file reaches them: a file never asked nor
loaded cannot change them, whatever its edit. So the last run's routes still hold when, in every
file whose bytes changed, each recorded question has the same answer and the entry loaded (if one
was) is the same; only the changed files are asked again. After a one-line edit of a 2,000-file
project the stage re-indexes that file and hashes the others instead of computing every route.

Stored in the route cache (project/lastroutes.py `RouteCache`) as is, beside the masked route
findings: digests, arguments and answers are bytes, numbers and booleans, so a question is asked
again with exactly its recorded argument.
"""

from __future__ import annotations

import hashlib
import marshal
from typing import Any, Callable, Dict, List, Optional, Tuple

from offramp.project.questions import QUESTIONS
from offramp.project.tree import MISSING, Project

# (the questions asked: [(question, marshalled argument)],
#  display -> (content digest, indices of the questions asked of it, hash of their answers, entry hash or None,
#              the answers themselves when each is True, False or None, else None))
Record = Tuple[
    List[Tuple[bytes, bytes]],
    Dict[str, Tuple[bytes, Tuple[int, ...], bytes, Optional[bytes], Optional[Tuple[Optional[bool], ...]]]],
]


def _hash(value: Any) -> bytes:
    """Answers and entries are plain values (str, bytes, bool, None, tuples, lists, dicts and dataclasses
    of them, never sets), so their repr is the same in every process."""
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=12).digest()


class RouteInputs:
    """Digests by display path, computed once a run (`unchanged` then `of` ask for the same files)."""

    def __init__(self) -> None:
        self.digests: Dict[str, bytes] = {}

    def digest(self, project: Project, display: str) -> bytes:
        got = self.digests.get(display)
        if got is None:
            known = project.digest_of(display)
            got = self.digests[display] = bytes.fromhex(known) if known is not None else b"-"
        return got

    def of(self, project: Project, previous: Any = None) -> Record:
        """What `project` was asked and loaded while the routes were computed. The entry hash of a file
        whose bytes are those of the `previous` record is that record's (hashing the repr of ~200 entries
        was most of the cost of recording)."""
        before = previous[1] if isinstance(previous, tuple) and len(previous) == 2 else None
        if not isinstance(before, dict):
            before = {}
        files: Dict[str, Tuple[bytes, Tuple[int, ...], bytes, Optional[bytes], Optional[Tuple[Optional[bool], ...]]]]
        files = {}
        for d in sorted({*project.asked, *project.entries}):
            asked = project.asked.get(d, {})
            which = tuple(asked)
            digest = self.digest(project, d)
            entry = project.entries.get(d)
            loaded = None
            if entry is not None:
                old = before.get(d)
                if isinstance(old, tuple) and len(old) == 5 and old[0] == digest and isinstance(old[3], bytes):
                    loaded = old[3]
                else:
                    loaded = _hash(entry[1])
            answers = tuple(asked.values())
            plain = answers if all(a is None or a is True or a is False for a in answers) else None
            files[d] = (digest, which, _hash(list(answers)), loaded, plain)
        return [(q.encode(), marshal.dumps(arg)) for q, arg in project.questions], files

    def answers(self, project: Project, record: Any) -> Callable[[str, int, Tuple[str, Any]], Any]:
        """What `project.ask` asks before reading a file: the recorded answer of a file whose bytes are those
        of the record, to a question asked then with the same argument (answers are pure functions of the
        bytes: project/questions.py); `MISSING` otherwise. When the routes are recomputed after an edit,
        the ~2,000 files not edited are not searched again (11,120 questions on the bench project)."""
        table, files = record
        index = {(q.decode(), marshal.loads(arg)): j for j, (q, arg) in enumerate(table)}

        def recorded(display: str, number: int, key: Tuple[str, Any]) -> Any:
            kept = files.get(display)
            try:
                if kept is None or kept[4] is None or kept[0] != self.digest(project, display):
                    return MISSING
                j = index.get(key)
                return MISSING if j is None or j not in kept[1] else kept[4][kept[1].index(j)]
            except (TypeError, ValueError, IndexError):  # (a record of another shape: asked again)
                return MISSING

        return recorded

    def unchanged(self, project: Project, record: Any) -> Optional[Record]:
        """The record brought up to date when every changed file answers as recorded and loads the same entry
        (a fresh `project`: the files it loads here are its modules); None when something differs."""
        table, files = record
        questions: Dict[int, Tuple[str, Any]] = {}
        now = dict(files)
        for d, (digest, which, answers, loaded, plain) in files.items():
            current = self.digest(project, d)
            if current == digest:
                continue
            data = project.read(d)
            asked = []
            for i in which:
                if i not in questions:
                    questions[i] = (table[i][0].decode(), marshal.loads(table[i][1]))
                q, arg = questions[i]
                asked.append(QUESTIONS[q](data, arg, project.watch))
            if _hash(asked) != answers:
                return None
            if loaded is not None:
                project.load(d)
                entry = project.entries.get(d)
                if entry is None or _hash(entry[1]) != loaded:
                    return None
            now[d] = (current, which, answers, loaded, plain)  # (the same answers)
        return table, now
