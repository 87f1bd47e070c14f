"""Checks turn an Analysis into hits: one module per rule family, each a plain function.

A hit carries the rule code, where it is, the values for the rule's message template and
whether this particular instance can be fixed. The engine formats, filters and suppresses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Callable, List

from offramp.checks.base import CheckContext, Hit

if TYPE_CHECKING:
    from offramp.analysis.facts import Analysis

__all__ = ["CheckContext", "Hit", "all_checks", "run_checks"]


@lru_cache(maxsize=1)
def all_checks() -> List[Callable[[Analysis, CheckContext], List[Hit]]]:
    """The per-file checks, imported on first use: the project stage and a warm run import `offramp.checks`
    for `Hit` and `CheckContext` alone, and the checks import LibCST (~0.2 s)."""
    from offramp.checks.capabilities import check_capabilities  # lazy: start-up
    from offramp.checks.clients import check_clients  # lazy: start-up
    from offramp.checks.models import check_models  # lazy: start-up
    from offramp.checks.ondata import check_on_your_data  # lazy: start-up
    from offramp.checks.secrets import check_env, check_keys  # lazy: start-up
    from offramp.checks.semantics import check_semantics  # lazy: start-up

    return [check_clients, check_models, check_env, check_keys, check_capabilities, check_semantics, check_on_your_data]


def run_checks(analysis: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    for check in all_checks():
        hits.extend(check(analysis, ctx))
    return hits
