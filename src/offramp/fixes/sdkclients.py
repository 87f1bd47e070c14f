"""Point the SDK's own clients at the provider: `OpenAI(...)`, `AzureOpenAI(...)`, config dicts.

A client's host and key move together or not at all (ARCHITECTURE.md, invariant 1): its base URL
argument (or the literal it names) and its key argument are rewritten in one edit. An Azure client
becomes the plain class with nothing of Azure's left: Azure-only arguments and dict entries go,
its Azure credential is replaced by the provider's key, its deployment becomes a TODO naming the
model to pass, and its import follows it (the plain class's import where the Azure one was, when
that import is a lazy one inside a function). Whether a client moves at all (`blocked`, `retargets`)
is decided with `check` (checks/moves.py).
"""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Sequence, Set, Tuple, cast
from urllib.parse import urlsplit

import libcst as cst

from offramp.analysis.facts import ClientCtor, ModelLiteral
from offramp.analysis.values import string_value
from offramp.checks.clients import DEPLOYMENTS, KWARGS, SUBCLASS, UNSERVED, Left, client_code, left_by_conversion
from offramp.codes import AZURE_DEPLOYMENT, OPENAI_CLIENT, UNSUPPORTED_ENDPOINT
from offramp.fixes.planedits import Edit, also_imported, or_default, plain_func, renamed_alias, to_string
from offramp.fixes.planstate import PlannerState
from offramp.mapping import map_model
from offramp.project.decision import CRED, HOST, held_todo
from offramp.project.gate import OVERRIDE, overlaps
from offramp.project.sources import openai_url_variable
from offramp.syntax.arguments import env_read, kwarg_index, retarget_args, retarget_dict, string_like
from offramp.syntax.tree import bound_names, dotted, first_string, quote_of, subtree
from offramp.wrappers import load_config_dict_spec


class SdkClients(PlannerState):
    """`Planner`'s decisions about SDK clients (a mixin: it reads the planner's state, see planner.py)."""

    def client_site(self, c: ClientCtor) -> None:
        """A client aimed at OpenAI/Azure: moved (`client`), or a TODO when the project's routes hold it."""
        if not (self.blocked(c) and self.allowed(client_code(c), c.span.line)):
            return
        held = self.stays(c)
        # (a wrapper its library would refuse where fix moved it: its own TODO says why)
        if held is None or (c.wrapper is not None and self.library_refuses(c) is not None):
            with self.using(self.client_provider(c)), self.plan.for_finding(client_code(c), c.span):
                self.client(c)
        elif not any(overlaps(s, c.span) for s in self.own_route_todos()):  # (else the route's TODO says it)
            self.plan.todo(
                self.stmt(c.node),
                held_todo(f"`{c.cls}`", held),
                client_code(c),
                c.span.line,
            )

    def client(self, c: ClientCtor) -> None:
        """Move `c` to the provider, or write the TODO of why not (checks/clients.py `client_left` decides)."""
        self.claimed.update(id(n) for n in c.target_literals)  # the base URL literal is replaced below
        left = self.client_left(c)
        if left is not None:
            self.left_todo(c, left)
        elif c.wrapper is not None and not c.star_kwargs:
            self.wrapper_client(c)
        elif c.config_dict:
            self.dict_client(c)
        else:
            self.sdk_client(c)

    def left_todo(self, c: ClientCtor, left: Left) -> None:
        """The TODO of a client `fix` leaves where it is, for the reason `left`."""
        stmt = self.stmt(c.node)
        base_arg = c.wrapper.fix_base_url_arg if c.wrapper is not None else "base_url"
        if left.kind == SUBCLASS and c.kept_subclass is not None:
            kept_base, kept_plain = c.kept_subclass
            text = (
                f"`{c.cls}` is a subclass of `{kept_base}`: make its base `{kept_plain}` and build it (here and "
                f'wherever it is built) with {base_arg}="{self.base}", the {self.p.key_env} key and a {self.p.name} '
                "model"
            )
        elif left.kind == KWARGS:
            text = f"client built from **kwargs: pass {base_arg}={self.base!r} and the {self.p.key_env} key"
            text += f" for {self.p.name}"
        elif left.kind == DEPLOYMENTS:  # moved, its requests would name a model the provider does not serve
            verb, it = ("have", "them") if left.why.startswith("deployments ") else ("has", "it")
            text = (
                f"`{c.cls}` stays on Azure OpenAI: Azure {left.why} {verb} no {self.p.name} model; map {it} "
                "under [tool.offramp.models] and run fix again (host, key and model move together)"
            )
        elif left.kind == UNSERVED:  # moved, it would only fail there (mem0's embedder config); a person decides
            what = f"used by `{c.cls}`" if c.wrapper is not None else "this client config uses"
            text = f"{self.p.name} does not serve the OpenAI `{c.family}` API {what}"
            self.plan.todo(stmt, text, UNSUPPORTED_ENDPOINT, c.span.line)
            return
        else:  # REFUSED (coded OFR101 for an Azure wrapper too, as it always was)
            text = f"{left.why}; then give it {self.p.name}'s URL, the {self.p.key_env} key and a {self.p.name} model"
            self.plan.todo(stmt, text, OPENAI_CLIENT, c.span.line)
            return
        self.plan.todo(stmt, text, client_code(c), c.span.line)

    def sdk_client(self, c: ClientCtor) -> None:
        """`OpenAI(...)`, `AzureOpenAI(...)`: base URL and key for the provider in one edit, Azure's arguments gone."""
        stmt = self.stmt(c.node)
        self.claimed.update(id(n) for n in c.target_literals)
        azure_class = c.qualified in self.sdk.azure_clients
        drop = set(self.sdk.openai_only_args)
        if azure_class:
            drop |= set(self.sdk.azure_only_args)
        assert isinstance(c.node, cst.Call)  # config dicts went to dict_client above
        args = {a.keyword.value: a for a in c.node.args if a.keyword is not None}
        dropped = sorted(k for k in args if k in drop)
        if c.azure:
            dropped = sorted(dropped + self.azure_entries(args))
        key_arg = args.get("api_key")
        add_key = (
            key_arg is None
            or self.own_key
            or self.written_key(c.hardcoded_keys.get("api_key"), "`api_key=`", key_arg.value, c.span.line)
            or self.shared_key(key_arg.value, "`api_key=`", c.span.line)
            or self.azure_credential(c, "api_key", key_arg.value)
        )
        quote = quote_of(c.node)
        plain = None
        if azure_class:
            self.claimed.difference_update(left_by_conversion(c, self.a, self.sdk))  # (their own finding's TODO)
            plain = "AsyncOpenAI" if "Async" in c.qualified.rsplit(".", 1)[-1] else "OpenAI"
            plain = self.azure_imports(c, plain)
            if c.base is not None:
                self.subclass_base(c, plain)
            self.plan.clean_azure()
        base = self.base
        provider_key = self.p.key_env
        base_arg = args.get("base_url")
        mode = "literal" if azure_class else self.base_url_mode(c, base_arg.value if base_arg is not None else None)
        if mode != "literal" and base_arg is not None:
            self.plan.moves(OVERRIDE, c.span)  # (the argument stays: project/gate.py `override_moves`)
        if mode == "keep" and base_arg is not None and not add_key and not dropped:
            self.plan.moves(HOST, c.span)
            return  # the URL is rewritten where it is defined; the call itself needs nothing

        def edit(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Call)
            renamed = plain is not None and c.base is None  # (a subclass's base is renamed where it is written)
            call = node.with_changes(func=plain_func(node.func, plain)) if renamed and plain else node
            i = kwarg_index(call.args, "base_url")
            template = call.args[i].value if i >= 0 else None
            url = string_like(template if isinstance(template, cst.SimpleString) else first_string(node), base)
            values: List[Tuple[str, cst.BaseExpression]] = []
            if mode == "literal" or template is None:
                values.append(("base_url", url))
            elif mode == "or":
                values.append(("base_url", or_default(template, first_string(node), base)))
            if add_key:
                values.append(("api_key", env_read(provider_key, quote)))
            return retarget_args(call, dropped, values)

        self.plan.edit(c.node, edit)
        self.plan.moves(HOST, c.span)
        if add_key:
            self.plan.moves(CRED, c.span)
            self.needs_os(c.node)
        self.plan.changes["Azure client" if azure_class else "client"] += 1
        if dropped:
            self.plan.notes.append(
                (
                    c.span.line,
                    f"dropped {', '.join(a + '=' for a in dropped)} from `{c.cls}` (not meaningful at {self.p.name})",
                )
            )
        dep = args.get("azure_deployment")
        if dep is not None:
            lits = self.deployment_literals(c, dep.value)
            if lits and all(lit.calls or lit.inherited for lit in lits):
                return  # the client's requests send it as their model: mapped there (fixes/literals.py)
            value = string_value(dep.value) or _one_value(lits)
            choice = map_model(value, self.p, self.sdk, self.models) if value else None
            target = choice.target if choice else None
            if target:
                self.plan.todo(
                    stmt,
                    f'this client sent every call to Azure deployment `{value}`; pass model="{target}" on its calls',
                    AZURE_DEPLOYMENT,
                    c.span.line,
                )
            else:
                self.plan.todo(
                    stmt,
                    f"this client sent every call to an Azure deployment ({f'`{value}`' if value else 'dynamic'}); "
                    f"pass a {self.p.name} model on its calls",
                    AZURE_DEPLOYMENT,
                    c.span.line,
                )

    def base_url_mode(self, c: ClientCtor, arg: Optional[cst.BaseExpression]) -> str:
        """How a client's base URL argument is pointed at the provider, so that a second run has
        nothing left to do and an override the program takes (a parameter, an option) still works.

        "literal": the argument becomes the provider's URL (no argument, a literal, an expression).
        "keep": the argument names a constant, attribute, parameter default or or-chain whose OpenAI
        URL literal(s) are rewritten where they are written (as model literals are); it stays.
        "or": the argument is a name or attribute no OpenAI literal reaches (a parameter, an option
        that may be None): it becomes `<arg> or "<provider URL>"`, keeping the override.
        """
        if c.azure or c.target.kind != "openai":
            return "literal"
        if (
            isinstance(arg, cst.BooleanOperation)
            and isinstance(arg.operator, cst.Or)
            and (string_value(arg.right) or "").rstrip("/") == self.base
        ):
            return "keep"  # `base_url or "<provider URL>"`, from an earlier run
        if arg is None or isinstance(arg, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return "literal"
        if (
            isinstance(arg, cst.BooleanOperation)
            and isinstance(arg.operator, cst.Or)
            and isinstance(arg.left, (cst.Name, cst.Attribute, cst.Subscript))
            and self.openai_base_literal(arg.right)
            and id(arg.right) not in self.left_literals
        ):
            # invariant 5: `args.base_url or "https://api.openai.com/v1"`: the user's setting stays, the default moves
            if id(arg.right) not in self.rewritten:
                self.rewritten.add(id(arg.right))
                self.plan.edit(arg.right, to_string(self.base))
                self.plan.changes["URL"] += 1
            return "keep"
        if not isinstance(arg, (cst.Name, cst.Attribute, cst.Subscript)):
            return "literal"  # a call (`os.getenv("OPENAI_BASE_URL", ...)`), an or-chain: replaced
        openai = [n for n in c.target_literals if self.openai_base_literal(n)]
        if any(id(n) in self.left_literals for n in openai):
            return "literal"  # the URL also aims a client left on OpenAI, with its OpenAI key: it stays
        for n in openai:
            if id(n) not in self.rewritten:
                self.rewritten.add(id(n))
                self.plan.edit(n, to_string(self.base))
                self.plan.changes["URL"] += 1
        unset = re.search(r"when (\S+) is unset", c.target.detail)
        if unset and openai_url_variable(unset.group(1)):
            # `OPENAI_BASE_URL` may well hold OpenAI's URL: the provider's key must not go there
            return "literal"
        if openai and "=None)" not in c.target.detail:
            return "keep"
        return "or"

    def openai_base_literal(self, node: cst.CSTNode) -> bool:
        """A string literal holding OpenAI's API root (`https://api.openai.com[/v1][/]`)."""
        value = string_value(node) if isinstance(node, cst.SimpleString) else None
        if value is None:
            return False
        parts = urlsplit(value.strip())
        host = (parts.hostname or "").lower()
        return (
            parts.scheme in ("http", "https")
            and (host == "openai.com" or host.endswith(".openai.com"))
            and parts.path.rstrip("/") in ("", "/v1")
            and not parts.query
        )

    def dict_client(self, c: ClientCtor) -> None:
        """An AutoGen-style config dict: base_url and api_key entries for the provider, Azure keys gone."""
        spec = c.dict_spec or load_config_dict_spec()
        assert isinstance(c.node, cst.Dict)
        entries = {string_value(el.key): el for el in c.node.elements if isinstance(el, cst.DictElement)}
        quote = quote_of(c.node)
        found = entries.get(spec.client_key) if spec.client_key else None
        outer = found.value if found is not None else None
        if spec.client_key and outer is not None and not isinstance(outer, cst.Dict):
            self.plan.todo(  # (agentscope's `"client_args": kwargs`: where its base URL comes from is not here)
                self.stmt(c.node),
                f"`{spec.client_key}` is computed at run time: give it base_url={self.base!r} and this config "
                f"the {self.p.key_env} key and a {self.p.name} model together",
                OPENAI_CLIENT,
                c.span.line,
            )
            return
        inner = (
            {string_value(el.key): el for el in outer.elements if isinstance(el, cst.DictElement)}
            if isinstance(outer, cst.Dict)
            else {}
        )
        holder = inner if spec.client_key else entries  # (agentscope: the base URL sits in `client_args`)
        base_key = next((k for k in spec.base_url_keys if k in holder), spec.fix_base_url_key)
        template = holder[base_key].value if base_key in holder else None
        url = string_like(template if isinstance(template, cst.SimpleString) else first_string(c.node), self.base)
        values: List[Tuple[str, cst.BaseExpression]] = []
        if not spec.client_key:
            values.append((base_key, url))
        elif isinstance(outer, cst.Dict):
            self.plan.edit(outer, cast(Edit, lambda node, k=base_key, v=url: retarget_dict(node, [], [(k, v)])))
        else:
            values.append(
                (spec.client_key, cst.Dict([cst.DictElement(string_like(first_string(c.node), base_key), url)]))
            )
        key_key = next((k for k in spec.key_keys if k in entries), spec.key_keys[0])
        if (
            key_key not in entries
            or self.written_key(c.hardcoded_keys.get(key_key), f"{key_key!r}", entries[key_key].value, c.span.line)
            or self.shared_key(entries[key_key].value, f"{key_key!r}", c.span.line)
            or self.azure_credential(c, key_key, entries[key_key].value)
        ):
            values.append((key_key, env_read(self.p.key_env, quote)))
            self.needs_os(c.node)
            self.plan.moves(CRED, c.span)
        dropped = [k for k in entries if k in spec.drop_keys]

        def edit(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Dict)
            return retarget_dict(node, dropped, values)

        self.plan.edit(c.node, edit)
        self.plan.moves(HOST, c.span)
        self.plan.changes["config dict"] += 1
        if dropped:
            self.plan.notes.append((c.span.line, f"dropped {', '.join(repr(k) for k in dropped)} from a client config"))

    def azure_entries(self, args: Dict[str, cst.Arg]) -> List[str]:
        """Drop what only Azure reads from a client's dict arguments (`default_query={"api-version": ...}`,
        `default_headers={"api-key": ...}` on a plain client aimed at Azure by hand): the provider would
        get Azure's API version, or Azure's key. Returns the arguments left with nothing else (they go)."""
        gone: List[str] = []
        for name, keys in self.sdk.azure_only_entries.items():
            arg = args.get(name)
            if arg is None or not isinstance(arg.value, cst.Dict):
                continue
            elements = arg.value.elements
            found = [
                k
                for el in elements
                if isinstance(el, cst.DictElement)
                for k in [string_value(el.key)]
                if k is not None and k.lower() in keys
            ]
            if not found:
                continue
            if len(found) == len(elements):
                gone.append(name)
            else:
                self.plan.edit(arg.value, cast(Edit, lambda node, found=found: retarget_dict(node, found, [])))
        return gone

    def azure_credential(self, c: ClientCtor, arg: str, value: cst.BaseExpression) -> bool:
        """Whether an Azure client's key argument holds Azure's credential (the app's config, a secret
        store, a token) rather than a key variable this fix renames: then the provider's key replaces it.
        A key written into the file was judged by `written_key` (a test's placeholder stays)."""
        if not c.azure or c.hardcoded_keys.get(arg) is not None or string_value(value) is not None:
            return False
        if self.renamed_key_read(value):
            return False
        self.plan.notes.append(
            (c.span.line, f"the key of `{c.cls}` was Azure's credential; it now reads {self.p.key_env}")
        )
        return True

    def deployment_literals(self, c: ClientCtor, expr: cst.BaseExpression) -> List[ModelLiteral]:
        """The deployment name literals that reach `expr` (a constant, a default), as analysis found them."""
        inside = {id(n) for n in subtree(expr)}
        found = [
            lit
            for lit in self.a.models
            if lit.azure and lit.template == "{}" and (lit.owner is c or id(lit.node) in inside)
        ]
        if not found:
            names = {n.value for n in subtree(expr) if isinstance(n, cst.Name)}
            found = [
                lit
                for lit in self.a.models
                if lit.arg == "azure_deployment"
                and lit.owner is None
                and names & set(bound_names(self.stmt(lit.node), lit.node))
            ]
        return found

    def deployment_literal(self, c: ClientCtor, expr: cst.BaseExpression) -> Optional[str]:
        """The one deployment name that reaches `expr`, if analysis found exactly one."""
        return _one_value(self.deployment_literals(c, expr))

    def subclass_base(self, c: ClientCtor, plain: str) -> None:
        """`class MyClient(AzureOpenAI)` whose `super().__init__` moves: the base becomes the plain
        class, and a TODO asks for provider models on its calls (offramp does not follow them there)."""
        assert c.base is not None
        self.plan.edit(c.base, lambda node: plain_func(cast(cst.BaseExpression, node), plain))
        self.plan.todo(
            self.stmt(c.node),
            f"this subclass now calls {self.p.name}: pass {self.p.name} models (not Azure deployments) "
            f"on the calls made through it",
            AZURE_DEPLOYMENT,
            c.span.line,
        )

    def azure_imports(self, c: ClientCtor, plain: str) -> str:
        """Imports the plain class where the Azure one was; the name the rewritten call uses for it
        (`openai.OpenAI` where the file already binds `OpenAI` to something else: llama_index's
        `OpenAI`, which a new `from openai import OpenAI` would shadow for the code that uses it)."""
        assert isinstance(c.node, cst.Call)
        func = c.base if c.base is not None else c.node.func
        if isinstance(func, cst.Name):
            module, _, obj = c.qualified.rpartition(".")
            # A drop-in module (`langfuse.openai`) serves the plain class too: keep the client on it.
            home = module if f"{module}.{plain}" in self.sdk.openai_clients else "openai"
            asname = func.value if func.value != obj else None
            self.plan.remove_import(module, obj, asname)
            if self.imported_for(c.node, plain, {f"{home}.{plain}"}):
                return plain
            top = home.split(".")[0]
            if self.bound_otherwise(plain, {f"{home}.{plain}", f"openai.{plain}"}) and not self.bound_otherwise(
                top, {top}
            ):
                self.plan.add_import(home)
                return f"{home}.{plain}"
            found = self.binding_import(c.node, func.value)
            if found is not None and asname is None and home == module:
                stmt, alias, top_level = found
                if not top_level and not self.used_besides_ctors(stmt, obj):
                    # `from openai import AsyncAzureOpenAI` in the branch that builds it (a lazy import):
                    # it becomes the plain class's import there, not a new import at the top of the file
                    self.plan.edit(alias, renamed_alias(obj, plain))
                    return plain
                if not top_level:
                    # still named there: the plain class joins that import (a new one at the top would
                    # escape the `try: ... except ImportError` or the branch that guards it)
                    owner = next(
                        small
                        for small in stmt.body
                        if isinstance(small, cst.ImportFrom)
                        and not isinstance(small.names, cst.ImportStar)
                        and any(a is alias for a in small.names)
                    )
                    self.plan.edit(owner, also_imported(plain))
                    return plain
            self.plan.add_import(home, plain)
        return plain

    def bound_otherwise(self, name: str, imports: Set[str]) -> bool:
        """Does the file bind `name` other than by importing one of `imports` (qualified names: `openai.OpenAI`,
        or `openai` for the module itself)? The file's bindings are read once, on the first question."""
        if not hasattr(self, "_bindings"):
            self._bindings = _bindings(self.a.module.code)
        if self._bindings is None:
            return True  # (code CPython does not parse: assume the worst)
        # (and what this plan imports already: LangChain's `AzureOpenAI` converted gets `from langchain_openai import
        # OpenAI`, which a `from openai import OpenAI` for the SDK's Azure client below it then shadowed)
        planned = {f"{m}.{o}" if o else m for m, o in self.plan.add_imports if (o or m.split(".")[0]) == name}
        return any(q not in imports for q in (*self._bindings.get(name, ()), *planned))

    def used_besides_ctors(self, stmt: cst.CSTNode, name: str) -> bool:
        """Is `name` read in the function around `stmt` other than by the Azure constructions the fix
        rewrites (`isinstance(client, AzureOpenAI)`)? Then its import must stay."""
        path = self.path_to(stmt)
        scope = next((n for n in reversed(path) if isinstance(n, cst.FunctionDef)), self.a.module)
        nodes = subtree(scope)
        skip = {id(c.node.func) for c in self.a.clients if isinstance(c.node, cst.Call) and c.azure}
        for n in nodes:
            if isinstance(n, (cst.Import, cst.ImportFrom)):
                skip.update(id(m) for m in subtree(n))
        return any(isinstance(n, cst.Name) and n.value == name and id(n) not in skip for n in nodes)

    def binding_import(
        self, node: cst.CSTNode, name: str
    ) -> Optional[Tuple[cst.SimpleStatementLine, cst.ImportAlias, bool]]:
        """The `from M import name` statement that `node` sees `name` from: the nearest one before it
        in the blocks around it (a function's, a branch's, the module's), with the alias that binds
        it and whether it is at the top level of the module."""
        path = self.path_to(node)
        for depth in range(len(path) - 2, -1, -1):
            owner, child = path[depth], path[depth + 1]
            if (
                depth > 0
                and isinstance(path[depth - 1], cst.ClassDef)
                and any(isinstance(n, (cst.FunctionDef, cst.Lambda)) for n in path[depth + 1 :])
            ):
                continue  # a class body's names are not visible in its methods
            if isinstance(owner, cst.Try) and child is owner.orelse:
                # `try: from openai import X` / `except ImportError: ...` / `else: X(...)`
                found = _import_binding(list(owner.body.body), name)
                if found is not None:
                    return found[0], found[1], False
                continue
            if not isinstance(owner, (cst.Module, cst.IndentedBlock)):
                continue
            body = list(owner.body)
            index = next((i for i, st in enumerate(body) if st is child), len(body))
            found = _import_binding(body[:index], name)
            if found is not None:
                return found[0], found[1], isinstance(owner, cst.Module) and found[2]
        return None

    def imported_for(self, node: cst.CSTNode, name: str, qualified: Set[str]) -> bool:
        """Is `name`, where `node` sees it, an import of one of `qualified` (`from openai import
        AzureOpenAI, OpenAI` in the method, `ChatOpenAI` from langchain_community at the top)? Then the
        retargeted call uses that import, and a second one would only shadow or repeat it."""
        found = self.binding_import(node, name)
        if found is None:
            return False
        stmt, alias, _top = found
        for small in stmt.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and not isinstance(small.names, cst.ImportStar)
                and any(a is alias for a in small.names)
            ):
                return f"{dotted(small.module)}.{alias.evaluated_name}" in qualified
        return False


def _bindings(code: str) -> Optional[Dict[str, Set[str]]]:
    """Each name the module binds anywhere, with what binds it: the qualified name an absolute import gives
    it (`from llama_index.llms import OpenAI`: "llama_index.llms.OpenAI"; `import openai.lib`: "openai"), ""
    for anything else (an assignment, a def or class, a parameter, a relative import). None: no parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    out: Dict[str, Set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.setdefault(node.id, set()).add("")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.setdefault(node.name, set()).add("")
        elif isinstance(node, ast.arg):
            out.setdefault(node.arg, set()).add("")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                absolute = node.module is not None and not node.level
                out.setdefault(alias.asname or alias.name, set()).add(f"{node.module}.{alias.name}" if absolute else "")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                out.setdefault(name, set()).add(alias.name if alias.asname else name)
    return out


def _import_binding(
    stmts: Sequence[cst.CSTNode], name: str
) -> Optional[Tuple[cst.SimpleStatementLine, cst.ImportAlias, bool]]:
    """The last `from M import name` among `stmts` (looking into the body of a `try:`, which binds
    the name for the code after it when the import worked), with its alias and whether it is one
    of `stmts` itself rather than inside a `try:`."""
    for stmt in reversed(stmts):
        if isinstance(stmt, cst.Try):
            found = _import_binding(list(stmt.body.body), name)
            if found is not None:
                return found[0], found[1], False
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if (alias.evaluated_alias or alias.evaluated_name) == name:
                        return stmt, alias, True
    return None


def _one_value(lits: List[ModelLiteral]) -> Optional[str]:
    """The value the literals agree on, None when they name none or several."""
    values = {lit.value for lit in lits}
    return values.pop() if len(values) == 1 else None
