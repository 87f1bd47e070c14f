"""Point framework wrappers (LangChain, LlamaIndex, LiteLLM, Semantic Kernel, agent SDKs) at the provider.

Each wrapper is pointed in its own library's terms, as rules/wrappers.toml describes it: its base
URL and key arguments, a class that speaks to OpenAI-compatible hosts when the one used does not,
a client object for frameworks that take one (Semantic Kernel), a model object for those that take
a model name (`Agent(model="gpt-4o")`), trace export to OpenAI switched off. Separate from
sdkclients.py because the knowledge differs: an SDK client has one shape, a wrapper has the shape
its spec gives.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple, cast

import libcst as cst

from offramp.analysis.facts import ClientCtor
from offramp.analysis.frameworks import positional_kwargs
from offramp.analysis.values import dotted_name, string_value
from offramp.checks.clients import client_code
from offramp.codes import AZURE_DEPLOYMENT, DYNAMIC_MODEL, OPENAI_CLIENT
from offramp.fixes.frameworks import capabilities, export_off, wrap_model
from offramp.fixes.plan import Origin
from offramp.fixes.planedits import Edit, or_default, renamed_kwarg
from offramp.fixes.planstate import PlannerState
from offramp.mapping import map_model
from offramp.project.decision import CRED, HOST
from offramp.syntax.arguments import as_keywords, env_read, retarget_args, string_like
from offramp.syntax.tree import first_string, quote_of, subtree
from offramp.wrappers import load_wrappers


class WrapperClients(PlannerState):
    """`Planner`'s decisions about framework wrappers (a mixin: it reads the planner's state, see planner.py)."""

    def wrapper_client(self, c: ClientCtor) -> None:
        """LangChain / LlamaIndex / LiteLLM: point the wrapper at the provider, in the library's own terms."""
        spec = c.wrapper
        assert spec is not None
        assert isinstance(c.node, cst.Call)  # wrappers are calls; only config dicts are not
        stmt = self.stmt(c.node)
        if spec.fix_model_wrap:
            self.wrapped_model(c)
            return
        args = {a.keyword.value: a for a in c.node.args if a.keyword is not None}
        # `dspy.AzureOpenAI(endpoint, "2024-02-01", "gpt-4o", key)`: an argument the fix drops or replaces given by
        # position is written as a keyword first (the others keep their places: `dspy.LM("openai/gpt-4o")`)
        named = dict(zip(positional_kwargs(c.node, spec), c.node.args))
        changed = {*spec.drop_args, *spec.deployment_args, *spec.base_url_args, *spec.key_args}
        by_keyword = len(named) if changed & set(named) else 0
        args = {**{k: a for k, a in list(named.items())[:by_keyword]}, **args}
        dropped = [a for a in args if a in spec.drop_args]
        values: List[Tuple[str, cst.BaseExpression]] = []
        quote = quote_of(c.node)
        base_arg = next((a for a in spec.base_url_args if a in args), spec.fix_base_url_arg)
        template = args[base_arg].value if base_arg in args else None
        base_mode = self.base_url_mode(c, template)
        base = self.base + "/" if spec.fix_base_url_slash else self.base
        if spec.fix_base_url_path:
            base = self.base.rstrip("/") + "/" + spec.fix_base_url_path
        base_value = string_like(template if isinstance(template, cst.SimpleString) else first_string(c.node), base)
        if base_mode == "literal" or template is None:
            values.append((base_arg, base_value))
        elif base_mode == "or":
            values.append((base_arg, or_default(template, first_string(c.node), base)))
        key_arg = next((a for a in spec.key_args if a in args), None)
        if spec.fix_key_value:
            # (a key object offramp cannot read, Haystack's `Secret.from_env_var(...)`: always the provider's)
            value = spec.fix_key_value.format(env=self.p.key_env).replace('"', quote)
            values.append((key_arg or spec.fix_key_arg, cst.parse_expression(value)))
            self.plan.moves(CRED, c.span)
            for q in spec.fix_imports:
                module, _, name = q.rpartition(".")
                self.plan.add_import(module, name)
        elif (
            key_arg is None
            or self.own_key
            or self.written_key(c.hardcoded_keys.get(key_arg), f"`{key_arg}=`", args[key_arg].value, c.span.line)
            or self.shared_key(args[key_arg].value, f"`{key_arg}=`", c.span.line)
            or self.azure_credential(c, key_arg, args[key_arg].value)
        ):
            values.append((key_arg or spec.fix_key_arg, env_read(self.p.key_env, quote)))
            self.needs_os(c.node)
            self.plan.moves(CRED, c.span)
        client_arg = self.client_argument(c, values, dropped, args, base_arg, key_arg) if spec.fix_client else None
        deployments = [a for a in spec.deployment_args if a in args]
        has_model = any(a in args or a in named for a in spec.model_args)
        if deployments:
            dropped += deployments
            if not has_model:
                deployment = string_value(args[deployments[0]].value) or self.deployment_literal(
                    c, args[deployments[0]].value
                )
                choice = map_model(deployment, self.p, self.sdk, self.models) if deployment else None
                if choice is not None and choice.target:
                    values.append((spec.fix_model_arg, string_like(first_string(c.node), choice.target)))
                else:
                    self.plan.todo(
                        stmt,
                        f"map Azure deployment `{deployment}` to a {self.p.name} model ([tool.offramp.models])"
                        if deployment
                        else f"the Azure deployment is chosen at run time: "
                        f"pass a {self.p.name} model as `{spec.fix_model_arg}=`",
                        AZURE_DEPLOYMENT,
                        c.span.line,
                    )
                    values.append((spec.fix_model_arg, args[deployments[0]].value))
        elif c.default_model:
            choice = map_model(self.default_model(c), self.p, self.sdk, self.models)
            if choice.target:
                values.append((spec.fix_model_arg, string_like(first_string(c.node), choice.target)))
        if c.dynamic_model is not None and not self.gate.settles(c.span, c.dynamic_model.span):
            # moved, it still sends whatever that value is (SuperAGI's `model_name=self.llm.get_model()`)
            self.plan.todo(
                self.model_stmt(c.dynamic_model, stmt),
                f"model comes from {c.dynamic_model.origin}: set it to a {self.p.name} model",
                DYNAMIC_MODEL,
                c.dynamic_model.span.line,  # (where check reports it: its suppression, its finding)
            )
        for name, expr in spec.fix_extra:
            if name not in args and name not in c.keywords:  # (a **dict may set it already)
                values.append((name, cst.parse_expression(expr)))
        if spec.fix_capabilities and spec.fix_capabilities.arg not in c.keywords:
            values.append((spec.fix_capabilities.arg, capabilities(spec.fix_capabilities, self.p, quote)))
        if spec.fix_model_arg not in spec.model_args[:1]:
            # the new class names its model argument differently:
            # OpenAIEmbedding(model=) -> OpenAILikeEmbedding(model_name=)
            for a in spec.model_args:
                if a in args and a != spec.fix_model_arg:
                    self.plan.edit(c.node, renamed_kwarg(a, spec.fix_model_arg))
        new_class = None
        qualified_call = ""  # `langchain_openai.OpenAI(...)` where the file's `OpenAI` is another class
        in_module = False  # `dspy.AzureOpenAI(...)` -> `dspy.OpenAI(...)`: the module the call names has the class
        if spec.fix_class and spec.fix_class not in (c.qualified,) and not spec.function:
            module, _, new_class = spec.fix_class.rpartition(".")
            plain_spec = load_wrappers().get(spec.fix_class)
            same = {spec.fix_class, *(plain_spec.names if plain_spec is not None else ())}
            in_module = isinstance(c.node.func, cst.Attribute) and dotted_name(c.node.func.value) == module
            top = module.split(".")[0]
            if not in_module and not self.imported_for(c.node, new_class, same):
                if self.bound_otherwise(new_class, same) and not self.bound_otherwise(top, {top}):
                    # (`OpenAI` taken: by the SDK's client this plan converts, `from openai import OpenAI`, say)
                    self.plan.add_import(module)
                    qualified_call = module
                else:
                    # (a ChatOpenAI the file already imports, from langchain_community say, is the same class)
                    self.plan.add_import(module, new_class)
            if isinstance(c.node.func, cst.Name):
                old_obj = c.qualified.rpartition(".")[2]
                asname = c.node.func.value if c.node.func.value != old_obj else None
                for q in spec.names:
                    mod, _, obj = q.rpartition(".")
                    if obj == old_obj:
                        self.plan.remove_import(mod, obj, asname)

        def edit(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Call)
            if by_keyword:
                node = node.with_changes(args=as_keywords(node.args, list(named)[:by_keyword]))
            if new_class is not None:
                func = node.func
                new = func.with_changes(attr=cst.Name(new_class)) if in_module else cst.Name(new_class)
                if qualified_call:
                    new = cst.parse_expression(f"{qualified_call}.{new_class}")
                node = node.with_changes(func=new)
            call = node
            if client_arg is not None:  # built from the call as edited (its key read renamed, say)
                return retarget_args(call, dropped, [*values, client_arg(call)])
            return retarget_args(call, dropped, values)

        self.plan.edit(c.node, edit)
        self.plan.moves(HOST, c.span)
        self.plan.changes[f"{spec.id} client"] += 1
        for a in dropped:  # (an endpoint URL in a dropped argument goes with it: no TODO for it)
            if a in args:
                self.claimed.update(id(n) for n in subtree(args[a].value))
        if dropped:
            self.plan.notes.append(
                (c.span.line, f"dropped {', '.join(a + '=' for a in sorted(dropped))} from `{c.cls}`")
            )
        if spec.fix_note and new_class:
            self.plan.notes.append((c.span.line, f"`{new_class}` {spec.fix_note}"))

    def client_argument(
        self,
        c: ClientCtor,
        values: List[Tuple[str, cst.BaseExpression]],
        dropped: List[str],
        args: Dict[str, cst.Arg],
        base_arg: str,
        key_arg: Optional[str],
    ) -> Callable[[cst.Call], Tuple[str, cst.BaseExpression]]:
        """Semantic Kernel: the base URL and key planned for the call go into the client argument instead
        (the key argument as the edit finds it, when it stays: its read may be renamed meanwhile)."""
        spec = c.wrapper
        assert spec is not None and spec.fix_client is not None and isinstance(c.node, cst.Call)
        planned = dict(values)
        key_name = key_arg or spec.fix_key_arg
        new_key = planned.get(key_name)
        code = cst.Module([]).code_for_node
        arg, template = spec.fix_client
        values[:] = [(a, v) for a, v in values if a not in (base_arg, key_name)]
        dropped.extend(a for a in spec.key_args if a in args)

        def client(call: cst.Call) -> Tuple[str, cst.BaseExpression]:
            key = new_key or next(a.value for a in call.args if a.keyword is not None and a.keyword.value == key_arg)
            return arg, cst.parse_expression(template.format(base_url=code(planned[base_arg]), api_key=code(key)))

        for q in spec.fix_imports:
            module, _, name = q.rpartition(".")
            self.plan.add_import(module, name)
        if not any(a in c.keywords for a in (*spec.model_args, *spec.deployment_args)):
            self.plan.todo(
                self.stmt(c.node),
                f"`{c.cls}` takes its model from its settings (environment or .env): pass "
                f"{spec.fix_model_arg}= a {self.p.name} model",
                DYNAMIC_MODEL,
                c.span.line,
            )
        return client

    def default_model(self, c: ClientCtor) -> str:
        """The model a construction given none sends: the library's default, or the OpenAI model the project's `.env`
        sets the variable the library reads first to (crewAI's `OPENAI_MODEL_NAME=gpt-4o`: fixes/envdefaults.py)."""
        assert c.default_model is not None
        for name in c.wrapper.default_model_env if c.wrapper is not None else ():
            value = self.env_defaults.get(name, "")
            if value:
                bare = value.removeprefix("openai/")
                return bare if self.sdk.is_openai_model(bare) else c.default_model
        return c.default_model

    def wrapped_model(self, c: ClientCtor) -> None:
        """`Agent(model="gpt-4o")`: the model argument becomes a model object bound to a provider client."""
        spec = c.wrapper
        assert spec is not None and isinstance(c.node, cst.Call)
        quote = quote_of(c.node)
        default = cst.SimpleString(f"{quote}{c.default_model or ''}{quote}")
        if c.default_model:
            choice = map_model(self.default_model(c), self.p, self.sdk, self.models)
            if choice.target:
                default = string_like(first_string(c.node), choice.target)
        base = cst.Module([]).code_for_node(string_like(first_string(c.node), self.base))
        key = cst.Module([]).code_for_node(env_read(self.p.key_env, quote))
        arg = spec.model_args[0]
        position = spec.positional.index(arg) if arg in spec.positional else -1
        self.plan.edit(
            c.node,
            lambda node: wrap_model(cast(cst.Call, node), arg, position, spec.fix_model_wrap, default, base, key),
        )
        for q in spec.fix_imports:
            module, _, name = q.rpartition(".")
            self.plan.add_import(module, name)
        self.needs_os(c.node)
        self.plan.moves(HOST, c.span)
        self.plan.moves(CRED, c.span)
        self.plan.changes[f"{spec.id} client"] += 1

    def exports_off(self) -> None:
        """Requests a framework sends by itself (trace export to OpenAI): turned off after the imports."""
        for e in self.a.exports:
            if not self.allowed(OPENAI_CLIENT, e.span.line):
                return
        wanted = [
            e
            for e in self.a.exports
            if not e.spec.when_no_endpoint or self.p.endpoint(e.spec.when_no_endpoint) != "yes"
        ]
        for anchor, text, imports in export_off(self.a.module, wanted):
            with self.plan.for_finding(OPENAI_CLIENT, wanted[0].span):
                self.plan.after(anchor, [cst.parse_statement(text + "\n")])
                for q in imports:
                    module, _, name = q.rpartition(".")
                    self.plan.add_import(module, name)
            self.plan.changes["framework setting"] += 1

    def reopened(self) -> None:
        """`client.get_collection("docs")`: handed the program's own embedding function, or a TODO."""
        for r in self.a.reopens:
            if not self.allowed(OPENAI_CLIENT, r.span.line) or self.p.endpoint(r.family) == "no":
                continue  # (a provider without the API: the function's own TODO says so)
            if r.given is None:
                self.plan.todo(
                    self.stmt(r.node),
                    f"pass `{r.spec.arg}=` the {self.p.name} embedding function to `{r.method}`: without it "
                    f"{r.spec.what}",
                    OPENAI_CLIENT,
                    r.span.line,
                )
                continue
            value = cst.Name(r.given)
            self.plan.edit(
                r.node,
                cast(Edit, lambda node, v=value, arg=r.spec.arg: retarget_args(node, (), [(arg, v)])),
                Origin(OPENAI_CLIENT, r.span.line, r.span),
            )
            self.plan.moves(HOST, r.span)
            self.plan.moves(CRED, r.span)
            self.plan.changes[f"{r.spec.id} call"] += 1

    def swap_bound(self) -> None:
        """`OpenAIResponsesModel(model, client)` whose client moves: the class the provider can serve."""
        for b in self.a.bound:
            if not self.retargets(b.owner) or self.p.endpoint(b.spec.family) == "yes" or not b.spec.fix_class:
                continue
            module, _, name = b.spec.fix_class.rpartition(".")
            code = client_code(b.owner)
            origin = Origin(code, b.owner.span.line, b.owner.span)
            self.plan.add_import(module, name, origin)
            self.plan.edit(b.node.func, cast(Edit, lambda node, name=name: cst.Name(name)), origin)
            self.plan.changes[f"{b.spec.id} class"] += 1
            self.plan.notes.append(
                (b.span.line, f"`{name}` instead: {self.p.name} does not serve the `{b.spec.family}` API")
            )
