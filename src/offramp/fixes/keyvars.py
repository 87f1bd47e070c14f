"""Which key variables a fix renames to the provider's, and which keep their name.

A read of `OPENAI_API_KEY` renamed to the provider's variable hands the provider's key to whatever
consumes it: a client left on OpenAI/Azure, a call offramp cannot follow, a library that reads the
variable itself (issue 14: the DeepSeek key went to OpenAI that way). So a read keeps its name
unless every consumer moves, writes follow their reads, a value written from something offramp
cannot trace keeps the variable whole, and a client that moves but shares a kept read gets the
provider's variable instead. Also here: when a key argument is replaced by the provider's
variable (a key written into the file, an Azure credential), and reads that must not be None.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from offramp.analysis.facts import EnvAccess
from offramp.analysis.values import string_value
from offramp.codes import OPENAI_ENV_VAR
from offramp.fixes.gate import CRED, KEYREAD, WRITE, writes_follow_reads
from offramp.fixes.keyreads import KeyReads, empty_default, may_be_none, strict_read
from offramp.fixes.planedits import to_string
from offramp.fixes.planstate import PlannerState
from offramp.hosts import is_secret_value
from offramp.syntax.tree import bound_names, dotted, module_parents, subtree


class KeyVariables(PlannerState):
    """`Planner`'s decisions about key variables (a mixin: it reads the planner's state, see planner.py)."""

    def unknown_consumers(self) -> List[Tuple[cst.CSTNode, str, bool]]:
        """Key arguments of calls offramp does not know (`Agent(api_key=KEY)` of an in-house framework
        that sends it to OpenAI itself): the key read they get keeps its name, and a client that moves
        beside them reads the provider's variable instead (`shared_key`). Renamed, the provider key went
        to OpenAI through them (the oracle's unknown_framework shape)."""
        if not any(e.role == "key" and not e.write for e in self.a.env):
            return []
        known = {id(c.node) for c in self.a.clients}
        # A key given by position to a class offramp does not know, in a file with clients of its own (where a
        # read they share would be renamed); elsewhere the routes decide (`Translator(key)` of issue 13 moves
        # with the client its base class builds). A call inside a known constructor is a value for it
        # (`api_key=SecretStr(KEY)`).
        within = {id(n) for c in self.a.clients if isinstance(c.node, cst.Call) for n in subtree(c.node)}
        by_position = bool(self.a.clients)
        # key reads a route the project follows takes (the gate moves or holds them with its request)
        routed = {
            id(e.node)
            for e in self.a.env
            if self.gate and e.node is not None and not e.write and e.role == "key" and self.gate.routed(e.span)
        }
        # keys handed to what stays on OpenAI (a library's default client, a config dict naming its provider)
        out: List[Tuple[cst.CSTNode, str, bool]] = [(value, label, False) for value, label in self.a.held_keys]
        for node in self.a.keyword_calls:
            if id(node) in known:
                continue
            callee = (
                node.func.attr.value
                if isinstance(node.func, cst.Attribute)
                else (node.func.value if isinstance(node.func, cst.Name) else "")
            )
            if not callee or callee in _KNOWN_CALLABLES:
                continue
            for arg in node.args:
                if routed and any(id(n) in routed for n in subtree(arg.value)):
                    continue
                if arg.keyword is not None and arg.keyword.value.lower() in _KEY_KWARGS:
                    out.append((arg.value, f"`{callee}` (a call offramp cannot follow)", False))
                elif by_position and callee[:1].isupper() and id(node) not in within and _plain_value(arg):
                    out.append((arg.value, f"`{callee}` (a call offramp cannot follow)", False))  # `Agent(KEY)`
                elif isinstance(arg.value, cst.Dict):  # headers={"X-OpenAI-Api-Key": KEY} (Weaviate)
                    for el in arg.value.elements:
                        if isinstance(el, cst.DictElement) and _openai_key_header(el.key):
                            out.append((el.value, f"`{callee}` (it hands the key on to OpenAI)", False))
        return out

    def kept_keys(self) -> None:
        """The key variables `fix` keeps: `_kept_keys`, then the writes of values it cannot trace."""
        self._kept_keys()
        self.untraced_writes()

    def untraced_writes(self) -> None:
        """Keep `os.environ["OPENAI_API_KEY"] = value` when `value` is not a key variable this fix
        renames (a parameter, an attribute, a configuration value). Writes follow reads only when
        the written value follows too: a real project wrote its configured OpenAI key
        (`os.environ["OPENAI_API_KEY"] = openai_key`), and renamed, that key went to the provider
        through the migrated client reading the provider's variable."""
        reads = [e for e in self.a.env if e.node is not None and e.role == "key" and not e.write]
        renamed = {id(e.node) for e in reads if id(e.node) not in self.kept}
        names = {
            b
            for e in reads
            if e.node is not None and id(e.node) in renamed
            for b in bound_names(self.stmt(e.node), e.node)
        }
        kept_reads = [(e.name, self.kept[id(e.node)]) for e in reads if id(e.node) not in renamed]
        writes = [e for e in self.a.env if e.node is not None and e.role == "key" and e.write]
        for e, why in writes_follow_reads(kept_reads, [(e.name, e) for e in writes if id(e.node) not in self.kept]):
            self.kept[id(e.node)] = why  # a read of it here keeps its name
        untraced: Dict[str, str] = {}
        for e in writes:
            if id(e.node) in self.kept:
                continue
            value = e.default if e.default is not None else self.assigned_value(e)
            if value is None or string_value(value) is not None:
                continue  # (a literal: a key written into the file is env_key's to refuse)
            inside = subtree(value)
            if any(id(n) in renamed or (isinstance(n, cst.Name) and n.value in names) for n in inside):
                continue
            code = cst.Module(body=[]).code_for_node(value)
            self.kept[id(e.node)] = f"{UNTRACED} `{_short(code)}`, which offramp cannot trace to a key variable"
            untraced.setdefault(e.name, f"{UNTRACED_TOO} `{_short(code)}` on line {e.span.line}")
        # The variable then stays whole in this file: ChuanhuChatGPT saves it, writes it from a
        # parameter or from a traced value, and restores it; half renamed, the restore wrote the
        # other variable. (A client here reading it gets the provider's variable: shared_key.)
        for e in self.a.env:
            if e.node is not None and e.role == "key" and e.name in untraced:
                self.kept.setdefault(id(e.node), untraced[e.name])

    def _kept_keys(self) -> None:
        """Find the key env reads that feed a client left on OpenAI/Azure: renaming them to the
        provider's variable would send the provider's key to OpenAI/Azure.

        A read feeds a client when it is written inside the constructor call, or is assigned (or a
        parameter default) under a name the call mentions; names are matched by spelling, whatever
        their scope, so a doubt keeps the name. A write (`os.environ["OPENAI_API_KEY"] = ...`) is
        kept when such a client has no key argument and so reads the variable itself.
        """
        left: List[Tuple[cst.CSTNode, str, bool]] = []  # (node, label, reads the environment itself)
        for c in self.a.clients:
            # Any client that stays where it is (OpenAI, Azure, a local server, a proxy, another provider)
            # keeps the key it reads; only one already aimed at this provider may take its variable.
            at_provider = c.target.kind == "provider" and c.target.host.lower() in self.target_hosts()
            if not self.retargets(c) and not at_provider:
                keys = ("api_key",) + (tuple(c.wrapper.key_args) if c.wrapper is not None else ())
                implicit = c.star_kwargs or not any(k in c.keywords for k in keys)
                left.append((c.node, f"`{c.cls}`", implicit))
                self.left_literals.update(id(n) for n in c.target_literals)
                self.claimed.update(id(n) for n in c.target_literals)  # no OFR106 rewrite under it either
        left += self.unknown_consumers()
        self.gate_kept()
        if self.module_stays():
            module_keys = [m for m in self.a.module_assigns if m.role == "key"]
            for m in module_keys:
                left.append((m.value, "the module-level client", False))
            if not module_keys:
                left.append((cst.Name("openai"), "the module-level client", True))
        if not left:
            return
        inside: Dict[int, str] = {}
        names: Dict[str, str] = {}
        implicit_label = None
        for node, label, implicit in left:
            if implicit:
                implicit_label = implicit_label or label
            sub = subtree(node)
            # (`api_key` of `api_key=key` names the parameter, not a value: matched, it kept every
            # `openai.api_key = os.getenv(...)` of the file with the client)
            keywords = {id(n.keyword) for n in sub if isinstance(n, cst.Arg) and n.keyword is not None}
            for n in sub:
                inside.setdefault(id(n), label)
                if id(n) in keywords:
                    continue
                if isinstance(n, cst.Name):
                    names.setdefault(n.value, label)
                elif isinstance(n, cst.Attribute):
                    names.setdefault(n.attr.value, label)
        for e in self.a.env:
            if e.node is None or e.role != "key":
                continue
            if e.write:
                if implicit_label is not None and e.name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
                    self.kept[id(e.node)] = implicit_label
                continue
            if id(e.node) in inside:
                self.kept[id(e.node)] = inside[id(e.node)]
                continue
            for bound in bound_names(self.stmt(e.node), e.node):
                if bound in names:
                    self.kept[id(e.node)] = names[bound]
                    self.kept_names.add(bound)
                    break

    def gate_kept(self) -> None:
        """Key variables the routes freeze: read by a request that stays on OpenAI/Azure (or goes to a
        proxy, a local server, another provider), they keep their name; a client that moves and reads
        the same variable gets the provider's variable instead (`shared_key`)."""
        if not self.gate:
            return
        for e in self.a.env:
            if e.node is None or e.role != "key":
                continue
            held = self.gate.stops_write(e.name) if e.write else self.gate.stops(e.span)
            if held is None:
                continue
            self.kept.setdefault(id(e.node), held)
            if not e.write:
                self.kept_names.update(bound_names(self.stmt(e.node), e.node))

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

    def env_key(self, e: EnvAccess) -> None:
        """Rename an OpenAI key variable to the provider's, unless that would hand it an OpenAI key.

        `os.environ["OPENAI_API_KEY"] = "sk-..."` (or `setdefault`) keeps its name and gets a TODO:
        renamed, it would give the OpenAI key to the provider. A read's hard-coded key default
        (`os.getenv("OPENAI_API_KEY", "sk-...")`) becomes None as the variable is renamed.
        """
        assert e.node is not None
        value = e.default if e.default is not None else self.assigned_value(e) if e.write else None
        secret = value is not None and is_secret_value(string_value(value) or "")
        if secret and e.write:
            self.plan.todo(
                self.stmt(e.node),
                f"`{e.name}` is set to a key written into this file, so it was not renamed to {self.p.key_env} "
                f"(that would send the key to {self.p.name}); set {self.p.key_env} to your {self.p.name} key",
                OPENAI_ENV_VAR,
                e.span.line,
            )
            return
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
            if self._parents is None:
                self._parents = module_parents(self.a.module)
            values = {id(m.value) for m in self.a.module_assigns if m.role == "key"}
            self._key_reads = KeyReads(self.a.module, self._parents, values)
        if self._key_reads.credential_only(call):
            edit, needs_os = strict_read(call)
            self.plan.edit(call, edit)
            if needs_os:  # `getenv("KEY")` from `from os import getenv` became `os.environ["KEY"]`
                self.needs_os(call)
                if isinstance(call.func, cst.Name):
                    alias = call.func.value if call.func.value != "getenv" else None
                    self.plan.remove_imports.append(("os", "getenv", alias))
        else:
            self.plan.edit(call, empty_default())

    def assigned_value(self, e: EnvAccess) -> Optional[cst.BaseExpression]:
        """The value of `os.environ["NAME"] = value` (or `env["NAME"] = value`) for a write's name literal."""
        stmt = self.stmt(e.node) if e.node is not None else None
        if not isinstance(stmt, cst.SimpleStatementLine):
            return None
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for t in small.targets:
                    target = t.target
                    if isinstance(target, cst.Subscript) and any(
                        isinstance(el.slice, cst.Index) and el.slice.value is e.node for el in target.slice
                    ):
                        return small.value
        return None

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
                and "ADMIN" not in e.name.upper()
                and self.allowed(OPENAI_ENV_VAR, e.span.line)
            )
        return False


UNTRACED = "the value written is"
UNTRACED_TOO = "it is also written from"
_KEY_KWARGS = frozenset({"api_key", "openai_api_key", "apikey", "key", "token", "api_token", "access_token"})


# Helpers whose key argument is no consumer (`os.getenv(key=...)`, `Secret.from_env_var`, pydantic's
# `SecretStr`). An SDK client or framework constructor is known by node (a `ClientCtor` of the file's
# analysis), never by its last name: `dspy.OpenAI(api_key=KEY)` and `guidance.models.OpenAI(...)` are other
# libraries' classes that send the key to api.openai.com themselves (matched by name, their key read was renamed).
_KNOWN_CALLABLES = frozenset({"getenv", "get", "setdefault", "environ", "Secret", "SecretStr", "from_env_var"})


def _plain_value(arg: cst.Arg) -> bool:
    """A positional argument handed on as it is (a name, `os.environ[...]`, `os.getenv(...)`), not computed from it."""
    node = arg.value
    if arg.star or arg.keyword is not None:
        return False
    return isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)) or (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _KNOWN_CALLABLES
    )


def _openai_key_header(key: cst.BaseExpression) -> bool:
    """A header or field that carries an OpenAI key to a service which calls OpenAI itself
    (`X-OpenAI-Api-Key` of Weaviate's vectorizers, `openai_api_key`)."""
    name = (string_value(key) or "").lower().replace("-", "_")
    return "openai" in name and ("key" in name or "token" in name)


def _short(code: str, width: int = 40) -> str:
    """One line of at most `width` characters, for a note quoting the code."""
    line = " ".join(code.split())
    return line if len(line) <= width else line[: width - 3] + "..."


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
