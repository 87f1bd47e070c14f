"""A route's base URL that may be unset (OFR107): where, and why, the SDK's default host may get the request.

Kept apart from checks/routes.py because `fix` asks the same question (fixes/routegate.py leaves such a client
with a TODO worded by `unset_cause`): check's finding and fix's TODO come from one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from offramp import codes
from offramp.checks.base import Hit
from offramp.checks.routegroup import RouteHit
from offramp.hosts import Target
from offramp.project.sources import ConfigValue, EnvRead, Literal, Route, SdkDefault, Source
from offramp.types import Span


@dataclass(frozen=True)
class UnsetBase:
    """Where a route's base URL may be unset (OFR107): the SDK's default host it then reaches, and why."""

    default: SdkDefault
    cause: Optional[Source]  # the null, None or unset variable; None: an assignment that may not run
    file: str  # where a person acts: the assignment that may not run, or the client
    span: Span


def unset_base(route: Route, targets: List[Tuple[Source, Target]]) -> Optional[UnsetBase]:
    """A base URL aimed elsewhere that may be unset: then the SDK's default host gets the request (`check`
    reports it; `fix` leaves the client, with a TODO saying so: fixes/routegate.py). `targets`: host_targets."""
    defaults = [s for s, _ in targets if isinstance(s, SdkDefault) and s.reason.startswith("when")]
    if not defaults:
        return None
    default = defaults[0]
    causes: List[Source] = [s for s, _ in targets if isinstance(s, ConfigValue) and not s.value]
    causes += [s for s, _ in targets if isinstance(s, Literal) and not s.value]
    causes += [s for s, _ in targets if isinstance(s, EnvRead) and s.file and not s.has_default]
    if not causes and not default.file:
        return None
    where_file = default.file or route.client_file or route.file
    where_span = default.span or route.client_span or route.span
    return UnsetBase(default, sorted(causes, key=repr)[0] if causes else None, where_file, where_span)


def unset_cause(found: UnsetBase, lines: bool) -> str:
    """Where a base URL that may be unset comes from (OFR107): for the finding, with where it is read or assigned
    (`lines`), or for fix's TODO (fixes/routegate.py), which carries no line numbers: a second run must find the
    TODO it wrote the same."""
    s = found.cause
    if isinstance(s, ConfigValue):
        state = "null" if s.present else "missing"
        return (
            f"`{s.key}` in {s.file} (read at {s.reader}), which is {state}"
            if lines
            else f"`{s.key}` in {s.file} ({state})"
        )
    if isinstance(s, EnvRead):
        return f"environment variable `{s.name}`" + (", which may be unset" if lines else " (may be unset)")
    if isinstance(s, Literal):
        return f"`{s.value!r}` at {s.file}:{s.span.line}" if lines else f"`{s.value!r}` in {s.file}"
    if s is None:
        return "an assignment that may not run" + (f" ({found.default.reason})" if lines else "")
    return "a value that may be unset" if lines else "an assignment that may not run"


def unset_base_hits(route: Route, targets: List[Tuple[Source, Target]]) -> List[RouteHit]:
    found = unset_base(route, targets)
    if found is None:
        return []
    args = {"call": route.client or "openai", "source": unset_cause(found, lines=True), "host": found.default.host}
    return [RouteHit(found.file, Hit(codes.BASE_URL_MAY_BE_UNSET, found.span, args), route.where)]
