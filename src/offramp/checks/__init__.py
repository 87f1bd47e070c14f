"""Checks turn an Analysis into hits: one module per rule family, each a plain function.

A hit carries the rule code, where it is, the values for the rule's message template and
whether this particular instance can be fixed. The engine formats, filters and suppresses.
"""

from __future__ import annotations

from typing import Callable, List

from offramp.analysis.facts import Analysis
from offramp.checks.base import CheckContext, Hit
from offramp.checks.capabilities import check_capabilities
from offramp.checks.clients import check_clients
from offramp.checks.models import check_models
from offramp.checks.secrets import check_env, check_keys
from offramp.checks.semantics import check_semantics

CHECKS: List[Callable[[Analysis, CheckContext], List[Hit]]] = [
    check_clients,
    check_models,
    check_env,
    check_keys,
    check_capabilities,
    check_semantics,
]

__all__ = ["CHECKS", "CheckContext", "Hit", "run_checks"]


def run_checks(analysis: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    for check in CHECKS:
        hits.extend(check(analysis, ctx))
    return hits
