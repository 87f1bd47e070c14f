"""The lines of Python source as its parser numbers them.

`str.splitlines` also breaks at form feed, vertical tab, \\x1c-\\x1e, NEL and the Unicode line and paragraph
separators, which Python's tokenizer reads as whitespace (a form feed between a module's sections is common in
GNU-style code). In such a file line N of `splitlines` is not line N of an `ast` or LibCST position: the project
index then mapped a request to the wrong line, lost its route, and `fix` moved a client while the settings
module's model went unreported ("All checks passed!" with gpt-4o sent to the provider). Positions, `# noqa`
lines and the index's line tables read lines from here.
"""

from __future__ import annotations

import io
import re
from typing import List

# The breaks `str.splitlines` makes that the tokenizer does not
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def code_lines(text: str, keepends: bool = False) -> List[str]:
    """`text.splitlines(keepends)`, broken at `\\n`, `\\r\\n` and `\\r` only."""
    if _OTHER_BREAKS.search(text) is None:  # (nearly every file: the C method)
        return text.splitlines(keepends)
    lines = io.StringIO(text, newline="").readlines()  # universal newlines, endings kept as they are
    return lines if keepends else [line.rstrip("\r\n") for line in lines]
