"""Where a client sends its requests: the target of a base URL expression.

A base URL is followed to its values (flow.py's `ValueFlow`): a literal is classified by host
(OpenAI, Azure, a known provider, a local server), an environment read by its variable (an Azure
endpoint variable is Azure wherever it points; an unset `OPENAI_BASE_URL` is the SDK's default
host), `None` is the SDK's default. One path to a blocked host is enough: blocked wins over unknown.
The clients built with these targets are clients.py's (`ClientResolver` is built on this layer).
"""

from __future__ import annotations

from typing import Iterable, List, Optional, Tuple, cast

import libcst as cst

from offramp.analysis.collector import FullCollector
from offramp.analysis.flow import ClassCtx, ValueFlow, falsy_literal
from offramp.analysis.values import Target, classify_url, template_value


class TargetResolver(ValueFlow):
    """The targets of one file's base URL expressions (a layer of the resolver: see resolve.py)."""

    def __init__(self, c: FullCollector) -> None:
        super().__init__(c)
        self.sdk = c.sdk

    def targets_of(self, exprs: Iterable[cst.BaseExpression], cls: ClassCtx) -> Tuple[Target, List[cst.CSTNode]]:
        best: Optional[Target] = None
        literals: List[cst.CSTNode] = []
        for e in exprs:
            t, lits = self.target_of(e, cls)
            literals += lits
            if best is None or (t.blocked and not best.blocked):
                best = t
        return best or Target("dynamic"), literals

    def target_of(
        self, expr: cst.BaseExpression, cls: ClassCtx, env_fallback: bool = True, skip_falsy: bool = False
    ) -> Tuple[Target, List[cst.CSTNode]]:
        """Where a base-URL expression points. Blocked wins over unknown: one path to OpenAI is enough."""
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            # `os.getenv("OPENAI_BASE_URL") or "https://provider/v1"`: an unset variable yields
            # the right-hand side, not the SDK's default host.
            left, left_lits = self.target_of(expr.left, cls, env_fallback=False, skip_falsy=True)
            right, right_lits = self.target_of(expr.right, cls, env_fallback)
            return self.targets_of_pair(left, right), left_lits + right_lits
        found: List[Target] = []
        literals: List[cst.CSTNode] = []
        for node, _ in self.values_of(expr, cls):
            if skip_falsy and falsy_literal(node):
                continue
            azure_env = self.azure_endpoint_env(node, cls)
            if azure_env is not None:
                found.append(Target("azure", "", f"Azure OpenAI (${azure_env})"))
                continue
            text = template_value(node) if isinstance(node, cst.BaseExpression) else None
            if text is not None:
                found.append(classify_url(text, self.sdk, self.c.provider_hosts, endpoint=True))
                literals.append(node)
                continue
            if isinstance(node, cst.Name) and node.value == "None":
                found.append(Target("openai", "api.openai.com", "api.openai.com (base_url=None)"))
                continue
            env = self.env_read(node)
            if env is not None:
                name, default = env
                if default is not None:
                    t, lits = self.target_of(default, cls, env_fallback)
                    found.append(t)
                    literals += lits
                elif env_fallback and self.sdk.env_role(name) == "base-url" and isinstance(node, cst.Call):
                    found.append(Target("openai", "api.openai.com", f"api.openai.com (when {name} is unset)"))
                else:
                    found.append(Target("env", detail=f"${name}"))
                continue
            found.append(Target("dynamic"))
        blocked = [t for t in found if t.blocked]
        if blocked:
            return blocked[0], literals
        known = [t for t in found if t.kind not in ("dynamic",)]
        return (known[0] if known else Target("dynamic")), literals

    @staticmethod
    def targets_of_pair(left: Target, right: Target) -> Target:
        """Blocked wins, then anything known over dynamic (as in `target_of`)."""
        for t in (left, right):
            if t.blocked:
                return t
        for t in (left, right):
            if t.kind != "dynamic":
                return t
        return Target("dynamic")

    def azure_endpoint_env(self, node: cst.CSTNode, cls: ClassCtx) -> Optional[str]:
        """The Azure endpoint variable a base URL is built on (`os.environ["AZURE_OPENAI_ENDPOINT"]`, also
        as the head of `... + "/openai/deployments/x"` or of an f-string), read with no default: wherever
        it points, it is Azure's endpoint, and a client given it talks to Azure with Azure's key.

        The head may be a name bound to the read, trimmed: Azure's samples build the v1 API's client as
        `OpenAI(base_url=f"{endpoint.rstrip('/')}/openai/v1/", api_key=token_provider)` (no finding before)."""
        built = False
        while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            node, built = node.left, True
        if isinstance(node, cst.FormattedString) and node.parts:
            first = node.parts[0]
            if isinstance(first, cst.FormattedStringExpression):
                node, built = first.expression, True
        while (
            built
            and isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in ("rstrip", "strip", "removesuffix")
        ):
            node = node.func.value
        # (built: the head is an expression, the left of a `+`, an f-string's first part or a call's receiver)
        heads = [n for n, _ in self.values_of(cast(cst.BaseExpression, node), cls)] if built else [node]
        for head in heads:
            env = self.env_read(head)
            if env is None or (env[1] is not None and not built):
                continue
            name = env[0]
            # (projects name it their own way, AZURE_OPENAI_API_BASE, AOAI_ENDPOINT: the prefix says whose it is)
            if name.upper().startswith(("AZURE_", "AOAI_")) and self.sdk.env_role(name) == "base-url":
                return name
        return None
