"""What the planner's parts share, declared once for the type checker.

`Planner` (planner.py) is assembled from one mixin per subject (keyvars.py, sdkclients.py,
wrapperclients.py, moduleclient.py, literals.py) on top of the decisions `check` shares
(checks/moves.py, checks/keptkeys.py), and each of them reads the planner's state and asks
questions another part answers (a client's key argument asks `written_key`, a client asks
`retargets`). Each mixin subclasses `PlannerState` so that mypy knows those names and
their types; the declarations exist only while type checking (at run time this is an empty
class), so the state itself is still set in one place, `Planner.__init__`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Set

if TYPE_CHECKING:
    import libcst as cst

    from offramp.analysis.facts import Analysis, ClientCtor, DynamicModel, EnvAccess, ModelLiteral
    from offramp.catalog import SdkSurface
    from offramp.fixes.keyreads import KeyReads
    from offramp.fixes.plan import Plan
    from offramp.project.gate import Gate
    from offramp.providers import Provider


class PlannerState:
    """The state and the questions of `Planner` its mixins use (see the module docstring)."""

    if TYPE_CHECKING:
        a: Analysis
        p: Provider
        sdk: SdkSurface
        models: Dict[str, str]
        base: str
        plan: Plan
        gate: Gate
        allowed: Callable[[str, int], bool]
        in_test: Callable[[int], bool]
        own_key: bool
        held: List[ModelLiteral]
        claimed: Set[int]
        kept: Dict[int, str]
        kept_names: Set[str]
        rewritten: Set[int]
        left_literals: Set[int]
        hinted: Set[int]
        _parents: Optional[Dict[int, cst.CSTNode]]
        _key_reads: Optional[KeyReads]

        # checks/moves.py, checks/keptkeys.py (what moves, asked by `check` too)
        def stmt(self, node: cst.CSTNode) -> Optional[cst.CSTNode]: ...
        def model_stmt(self, model: DynamicModel, stmt: Optional[cst.CSTNode]) -> Optional[cst.CSTNode]: ...
        def client_provider(self, c: ClientCtor) -> Provider: ...
        def target_hosts(self) -> Set[str]: ...
        def retargets(self, c: ClientCtor) -> bool: ...
        def library_refuses(self, c: ClientCtor) -> Optional[str]: ...
        def module_stays(self) -> bool: ...
        def route_held_module(self) -> Optional[str]: ...
        def assigned_value(self, e: EnvAccess) -> Optional[cst.BaseExpression]: ...
        def written_secret(self, e: EnvAccess) -> Optional[cst.BaseExpression]: ...
        def note(self, line: int, text: str) -> None: ...

        # planner.py
        def path_to(self, node: cst.CSTNode) -> List[cst.CSTNode]: ...
        def needs_os(self, node: cst.CSTNode) -> None: ...

        # keyvars.py
        def written_key(self, kind: Optional[str], label: str, value: cst.BaseExpression, line: int) -> bool: ...
        def shared_key(self, value: cst.BaseExpression, label: str, line: int) -> bool: ...
        def renamed_key_read(self, value: cst.BaseExpression) -> bool: ...

        # sdkclients.py
        def base_url_mode(self, c: ClientCtor, arg: Optional[cst.BaseExpression]) -> str: ...
        def azure_credential(self, c: ClientCtor, arg: str, value: cst.BaseExpression) -> bool: ...
        def deployment_literal(self, c: ClientCtor, expr: cst.BaseExpression) -> Optional[str]: ...
        def imported_for(self, node: cst.CSTNode, name: str, qualified: Set[str]) -> bool: ...

        # wrapperclients.py
        def wrapper_client(self, c: ClientCtor) -> None: ...
