""" "did you mean" for a mistyped provider, rule code or configuration key.

difflib's ratio (stdlib, no dependency) on case-folded names; 0.6 is its default cutoff: `qwn`
finds `qwen`, `OFR1O1` finds `OFR101`, `extend-exlude` finds `extend-exclude`, while an
unrelated word suggests nothing rather than something misleading.
"""

from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean `x`?)`, or "" when nothing is close."""
    by_folded = {c.casefold(): c for c in choices}
    found = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    return f" (did you mean `{by_folded[found[0]]}`?)" if found else ""
