"""Rename the key variables a fix moves to the provider's.

Which reads and writes keep their name is decided once for `check` and `fix` (checks/keptkeys.py:
renamed, they would hand the provider's key to something left on OpenAI/Azure). Here the rest is
renamed, a client that moves but shares a kept read gets the provider's variable instead, a key
argument is replaced by the provider's variable (a key written into the file, an Azure credential),
and a renamed read that must not be None becomes strict.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from offramp.analysis.facts import EnvAccess
from offramp.analysis.values import string_value
from offramp.catalog import renamable_key
from offramp.checks.keptkeys import UNTRACED, UNTRACED_TOO, WRITTEN, consumer_label
from offramp.codes import OPENAI_ENV_VAR
from offramp.fixes.keyreads import KeyReads, empty_default, may_be_none, strict_read
from offramp.fixes.planedits import to_string
from offramp.fixes.planstate import PlannerState
from offramp.project.decision import CRED, KEYREAD, WRITE
from offramp.syntax.tree import dotted, subtree


class KeyVariables(PlannerState):
    """`Planner`'s decisions about key variables (a mixin: it reads the planner's state, see planner.py)."""

    def shared_key(self, value: cst.BaseExpression, label: str, line: int) -> bool:
        """Whether a retargeted client's key argument reads a key kept for a client left on OpenAI
        (then the argument is replaced by the provider's variable, and a note says so)."""
        if not any(
            id(n) in self.kept or (isinstance(n, cst.Name) and n.value in self.kept_names) for n in subtree(value)
        ):
            return False
        self.plan.notes.append(
            (line, f"{label} read the key a client left on OpenAI/Azure uses; it now reads {self.p.key_env}")
        )
        return True

    def written_key(self, kind: Optional[str], label: str, value: cst.BaseExpression, line: int) -> bool:
        """Whether a key argument (or `openai.api_key = ...`) is replaced by the provider's variable.

        A value written into the file is never the provider's key: a literal, or a name, attribute,
        default or dict entry that a literal reaches (`kind`, from Resolver.key_source). When a real
        key is reached through a name, the argument is replaced and a note says so; the literal
        itself stays where it is, reported by OFR302 (fix never writes nor deletes a key).
        In test code a placeholder (`api_key="fake_key"`) is kept: the test needs no real key, and
        an environment read would fail where the tests run.
        """
        if kind == "literal" and self.in_test(line):
            return False
        if string_value(value) is not None:
            return True
        if kind == "secret":
            text = f"{label} got a key written into this file; it now reads {self.p.key_env}: delete that key (OFR302)"
            self.plan.notes.append((line, text))
        return kind is not None

    def env_var(self, e: EnvAccess) -> None:
        """An OpenAI key variable: renamed to the provider's (`env_key`), or kept with a note saying why
        (checks/keptkeys.py decides which, for `check` too)."""
        if (
            e.node is None
            or not renamable_key(e.name, e.role)
            or e.name == self.p.key_env
            or (self.targets is not None and any(e.name == p.key_env for p in self.targets.providers))
            or not self.allowed(OPENAI_ENV_VAR, e.span.line)
        ):
            return
        why = self.key_left(e)  # (checks/keptkeys.py decides, for check's `[*]` too)
        if why is None:
            with self.plan.for_finding(OPENAI_ENV_VAR, e.span):
                self.env_key(e)
        elif why == WRITTEN:  # renamed, it would give the key written here to the provider
            with self.plan.for_finding(OPENAI_ENV_VAR, e.span):
                self.plan.todo(
                    self.stmt(e.node),
                    f"`{e.name}` is set to a key written into this file, so it was not renamed to {self.p.key_env} "
                    f"(that would send the key to {self.p.name}); set {self.p.key_env} to your {self.p.name} key",
                    OPENAI_ENV_VAR,
                    e.span.line,
                )
        elif why.startswith("no request "):  # from the route gate: a read on no route
            self.plan.notes.append((e.span.line, f"kept `{e.name}`: {why}"))
        elif why.startswith(UNTRACED_TOO):
            text = f"kept `{e.name}`: {why}, which offramp cannot trace to a key variable; the variable keeps its name"
            self.plan.notes.append((e.span.line, text + " throughout this file"))
        elif why.startswith(UNTRACED):
            text = f"kept `{e.name}`: {why} (renamed, that value would go to {self.p.name}); "
            self.plan.notes.append(
                (e.span.line, text + f"rename it to `{self.p.key_env}` once it holds your {self.p.name} key")
            )
        elif not consumer_label(why):  # from the route gate: why the request stays
            text = f"kept `{e.name}`: {why} (renamed, it would send the {self.p.name} key there)"
            self.plan.notes.append((e.span.line, text))
        else:
            text = f"kept `{e.name}`: it feeds {why}, which stays where it is"
            self.plan.notes.append((e.span.line, text + f" (renamed, it would send the {self.p.name} key there)"))

    def env_key(self, e: EnvAccess) -> None:
        """Rename an OpenAI key variable to the provider's, unless that would hand it an OpenAI key.

        `os.environ["OPENAI_API_KEY"] = "sk-..."` (or `setdefault`) keeps its name and gets a TODO:
        renamed, it would give the OpenAI key to the provider. A read's hard-coded key default
        (`os.getenv("OPENAI_API_KEY", "sk-...")`) becomes None as the variable is renamed.
        """
        assert e.node is not None
        value = self.written_secret(e)
        secret = value is not None
        self.plan.edit(e.node, to_string(self.p.key_env))
        self.plan.moves(CRED, e.span)
        if not e.write:
            self.plan.moves(KEYREAD, e.span)  # a read alone: the route gate asks where its key goes
        if e.write:
            self.plan.moves(WRITE + e.name, e.span)
        self.plan.changes["environment variable"] += 1
        if e.reader is not None and (secret or may_be_none(e)):
            self.never_none(e.reader)  # the key written as the default goes with it
        if secret and value is not None:
            self.plan.notes.append(
                (e.span.line, f"dropped the key written as the default of `{e.name}` (now {self.p.key_env}) (OFR302)")
            )

    def never_none(self, call: cst.Call) -> None:
        """`os.getenv(NEW)` returns None while NEW is unset, and the SDK then sends OPENAI_API_KEY to the
        provider: the read becomes strict, or gets the default "" (fixes/keyreads.py says which, and why)."""
        if self._key_reads is None:
            values = {id(m.value) for m in self.a.module_assigns if m.role == "key"}
            self._key_reads = KeyReads(self.a.module, self.parents(), values)
        if self._key_reads.credential_only(call):
            edit, needs_os = strict_read(call)
            self.plan.edit(call, edit)
            if needs_os:  # `getenv("KEY")` from `from os import getenv` became `os.environ["KEY"]`
                self.needs_os(call)
                if isinstance(call.func, cst.Name):
                    alias = call.func.value if call.func.value != "getenv" else None
                    self.plan.remove_import("os", "getenv", alias)
        else:
            self.plan.edit(call, empty_default())

    def renamed_key_read(self, value: cst.BaseExpression) -> bool:
        """Whether `value` reads a key variable this fix renames to the provider's (or already reads
        the provider's): `os.environ["AZURE_OPENAI_KEY"]`, `os.getenv(...)` with no fallback of the
        app's own, or a name assigned such a read. Anything else on an Azure route (a token, a call,
        the app's config) holds an Azure credential, which must not follow the host to the provider."""
        if isinstance(value, cst.Name):
            bound = next(
                (
                    small.value
                    for e in self.a.env
                    if e.node is not None and not e.write and e.role == "key"
                    for stmt in [self.stmt(e.node)]
                    if isinstance(stmt, cst.SimpleStatementLine)
                    for small in stmt.body
                    if isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                    and small.targets[0].target.value == value.value
                ),
                None,
            )
            if bound is None:
                return False
            value = bound
        for e in self.a.env:
            if e.node is None or e.write or e.role != "key" or not _reads_env(value, e.node):
                continue
            if e.default is not None and string_value(e.default) is None and not _is_none(e.default):
                return False  # `os.getenv("AZURE_OPENAI_KEY", settings.key)`: the app's Azure key behind it
            if e.name == self.p.key_env:
                return True
            return (
                id(e.node) not in self.kept
                and renamable_key(e.name, e.role)
                and self.allowed(OPENAI_ENV_VAR, e.span.line)
            )
        return False


def _reads_env(expr: cst.BaseExpression, name: cst.CSTNode) -> bool:
    """`expr` is `os.environ[<name>]`, `os.getenv(<name>[, default])` or `os.environ.get(...)`."""
    if isinstance(expr, cst.Subscript):
        return (
            (dotted(expr.value) or "").endswith("environ")
            and len(expr.slice) == 1
            and isinstance(expr.slice[0].slice, cst.Index)
            and expr.slice[0].slice.value is name
        )
    if isinstance(expr, cst.Call):
        func = dotted(expr.func) or ""
        return (
            (func.endswith("getenv") or func.endswith("environ.get")) and bool(expr.args) and expr.args[0].value is name
        )
    return False


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"
