"""Where offramp's data (rules/) lives: inside the installed package, else the source checkout.

A module of its own, standard library `os` only, so that the no-parse path of `offramp check`
can find the data without importing the catalog.
"""

from __future__ import annotations

import os


def rules_path() -> str | None:
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "rules"), os.path.join(os.path.dirname(os.path.dirname(here)), "rules")):
        if os.path.isdir(candidate):
            return candidate
    return None
