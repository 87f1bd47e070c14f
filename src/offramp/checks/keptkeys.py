"""Which key variables a migration keeps under their name: renamed, they would hand the provider's key
to something that stays on OpenAI/Azure.

A read of `OPENAI_API_KEY` renamed to the provider's variable hands the provider's key to whatever
consumes it: a client left on OpenAI/Azure, a call offramp cannot follow, a library that reads the
variable itself (issue 14: the DeepSeek key went to OpenAI that way). So a read keeps its name
unless every consumer moves, writes follow their reads, and a value written from something offramp
cannot trace keeps the variable whole. `check` asks this for OFR301's `[*]`, `fix` before renaming
(fixes/keyvars.py renames the rest).
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from offramp.analysis.facts import EnvAccess
from offramp.analysis.values import string_value
from offramp.checks.moves import Moves
from offramp.hosts import is_secret_value
from offramp.project.decision import writes_follow_reads
from offramp.syntax.scopes import FunctionScopes
from offramp.syntax.tree import bound_names, subtree


class KeptKeys(Moves):
    """`Moves` with the key variables kept (`kept`, `kept_names`): `kept_keys()` decides them."""

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
        self.values_of_kept_writes()

    def values_of_kept_writes(self) -> None:
        """Keep the key reads whose value a kept write puts into its variable: babyagi's
        `os.environ["OPENAI_API_KEY"] = os.getenv("OPENAI_API_KEY")`, with a request elsewhere that stays
        on OpenAI and reads the variable. The write kept its name and the read became the provider's
        variable, so the provider's key went to OpenAI through every reader of `OPENAI_API_KEY`. A kept
        read in turn keeps the writes of its variable in the file (writes follow reads)."""
        reads = [(e, e.node) for e in self.a.env if e.node is not None and e.role == "key" and not e.write]
        writes = [e for e in self.a.env if e.node is not None and e.role == "key" and e.write]
        done: Set[int] = set()
        while True:
            fresh = [e for e in writes if id(e.node) in self.kept and id(e.node) not in done]
            if not fresh:
                return
            for w in fresh:
                done.add(id(w.node))
                value = w.default if w.default is not None else self.assigned_value(w)
                if value is None:
                    continue
                inside = {id(n) for n in subtree(value)}
                names = {n.value for n in subtree(value) if isinstance(n, cst.Name)}
                why = f"the write to `{w.name}` on line {w.span.line}"
                for r, node in reads:
                    if id(node) in self.kept:
                        continue
                    if id(node) in inside or names & set(bound_names(self.stmt(node), node)):
                        self.kept[id(node)] = why
                        for e, _ in writes_follow_reads([(r.name, why)], [(x.name, x) for x in writes]):
                            self.kept.setdefault(id(e.node), why)

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
        parameter default) under a name the call mentions; names are matched by spelling (a doubt keeps
        the name), a function's local variable only by what that function runs (syntax/scopes.py). A write
        (`os.environ["OPENAI_API_KEY"] = ...`) is kept when such a client has no key argument and so reads
        the variable itself.
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
        uses: Dict[str, List[Tuple[cst.Name, str]]] = {}  # plain names, to match a function's locals
        attrs: Set[str] = set()
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
                    uses.setdefault(n.value, []).append((n, label))
                elif isinstance(n, cst.Attribute):
                    names.setdefault(n.attr.value, label)
                    attrs.add(n.attr.value)
        scopes = FunctionScopes(self.a.module)
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
                feeds = names.get(bound)
                local = scopes.local_to(self.stmt(e.node), bound) if feeds and bound not in attrs else None
                if local is not None:  # a function's local: only what that function runs sees it
                    feeds = next((why for n, why in uses[bound] if scopes.sees(local, n)), None)
                if feeds is not None:
                    self.kept[id(e.node)] = feeds
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
            # (a write no route reads is held where it is written: project/gate.py WRITE_UNREAD)
            held = (self.gate.stops_write(e.name) or self.gate.stops(e.span)) if e.write else self.gate.stops(e.span)
            if held is None:
                continue
            self.kept.setdefault(id(e.node), held)
            if not e.write:
                self.kept_names.update(bound_names(self.stmt(e.node), e.node))

    def key_left(self, e: EnvAccess) -> Optional[str]:
        """Why `fix` does not rename the key variable of `e` (after `kept_keys()`), None when it does: it is
        kept (`kept`), or it is a write of a key written into this file (WRITTEN). check's `[*]` on OFR301
        (checks/secrets.py) and fix's plan (fixes/keyvars.py) ask this."""
        if e.node is None:
            return None
        why = self.kept.get(id(e.node))
        if why is None and e.write and self.written_secret(e) is not None:
            return WRITTEN
        return why

    def written_secret(self, e: EnvAccess) -> Optional[cst.BaseExpression]:
        """The key written into this file that `e` carries, else None: a read's default
        (`os.getenv(NAME, "sk-...")`) or what a write sets (`os.environ[NAME] = "sk-..."`,
        `os.environ.setdefault(NAME, "sk-...")`). Such a write keeps its name (renamed, it would hand that
        key to the provider): check does not offer it, fix gives it a TODO (keyvars.env_key)."""
        value = e.default if e.default is not None else self.assigned_value(e) if e.write else None
        return value if value is not None and is_secret_value(string_value(value) or "") else None

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


def consumer_label(why: str) -> bool:
    """Whether a kept read's reason names what consumes the key (`` `openai.OpenAI` ``, the module-level client,
    a config dict) rather than saying why the route gate holds its request (`a request in app.py does not move`,
    `Qwen does not serve the OpenAI `moderations` API this client is used for`): fix's note reads "it feeds
    <consumer>" only for the first."""
    return bool(_CONSUMER.match(why)) or why.startswith(("the module-level client", "a config dict"))


_CONSUMER = re.compile(r"`[^`]+`(?: \(.*\))?$")  # `openai.OpenAI`, `Agent` (a call offramp cannot follow)


UNTRACED = "the value written is"
WRITTEN = "it is set to a key written into this file"  # (key_left: a write of a literal key keeps its name)
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
