"""Point the module-level client (`openai.api_key = ...`, `openai.ChatCompletion.create(...)`) at the provider.

Module configuration is spread over the program (a class's constructor, a `configure()` helper, the
module) and written in the form of the SDK the file runs under: openai<1 reads `api_base` and
`api_type = "open_ai"`, openai>=1 reads `base_url`; the wrong form is silently ignored and the
request goes to OpenAI. So host and key are set together in each place that sets either, the lines
missing are inserted where they run (after the imports, after `load_dotenv()`), and an Azure route
loses its `api_version` and AD token settings. A route that a deployment with no provider model
holds on Azure stays whole, with a TODO.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, cast

import libcst as cst

from offramp.analysis.facts import ApiCall, ModuleAssign
from offramp.analysis.values import string_value
from offramp.checks.clients import module_urls
from offramp.codes import LEGACY_API_CALL, MODULE_CLIENT_CALL, MODULE_CLIENT_CONFIG
from offramp.fixes.placement import after_environment_loaded, is_import_line
from offramp.fixes.plan import Origin
from offramp.fixes.planedits import (
    assign_attr_value,
    assign_value,
    env_read_quoted_like,
    or_default,
    to_string,
    with_kwarg,
)
from offramp.fixes.planstate import PlannerState
from offramp.project.decision import CRED, HOST, held_todo
from offramp.project.gate import MODULE, OVERRIDE
from offramp.syntax.arguments import env_read, kwarg_index
from offramp.syntax.tree import dotted, quote_of, subtree


class ModuleClient(PlannerState):
    """`Planner`'s decisions about the module-level client (a mixin: it reads the planner's state, see planner.py)."""

    def module_config(self) -> None:
        """Point the module-level client at the provider: host and key together, in each place the
        program sets either (a class's constructor, a `configure()` helper, the module), written in
        the form the file's SDK reads (openai<1: `api_base`, `api_type = "open_ai"`; openai>=1:
        `base_url`, `api_type = "openai"`), and on an Azure route with nothing of Azure's left:
        the key is the provider's whatever Azure credential it was (an AD token, the app's secret
        store), `api_version` and AD token settings go."""
        target = self.a.module_target
        module_calls = [c for c in self.a.calls if c.via in ("module", "v0")]
        assigns = self.a.module_assigns
        if target is None or not target.blocked or not self.a.module_client_used:
            return
        first = min([m.span.line for m in assigns] + [c.span.line for c in module_calls])
        if not any(self.allowed(code, first) for code in (MODULE_CLIENT_CONFIG, MODULE_CLIENT_CALL, LEGACY_API_CALL)):
            return
        if self.held:
            self.azure_route_stays(assigns)
            return
        route_held = self.route_held_module()
        if route_held is not None:
            self.module_held(route_held, module_calls, assigns)
            return
        azure = target.kind == "azure"
        v0 = module_sdk_is_v0(module_calls, assigns)
        url = self.base if v0 else self.base + "/"  # openai>=1 glues module base_url and path without a slash
        base_attr = "api_base" if v0 else "base_url"
        if azure:
            # an Azure AD credential only the key used goes with it (for the key's setting, else the first)
            key = next((m for m in assigns if m.role == "key"), assigns[0] if assigns else None)
            self.plan.clean_azure(Origin(MODULE_CLIENT_CONFIG, key.span.line, key.span) if key is not None else None)
        for m in assigns:
            self.plan.origin = Origin(MODULE_CLIENT_CONFIG, m.span.line, m.span)
            self.claimed.add(id(m.value))
            if m.role == "base-url" and m.attr == base_attr and not azure and _configured(m.value, url):
                # invariant 5: `if conf.base: openai.api_base = conf.base` is the user's choice of host (a
                # relay): it stays, with the provider's URL as the default when the setting is empty
                self.plan.moves(OVERRIDE, MODULE)  # (what it may hold decides: project/gate.py `override_moves`)
                if not _defaults_to(m.value, url):
                    self.plan.edit(m.node, assign_value(lambda old: or_default(old, None, url)))
                    self.plan.notes.append(
                        (m.span.line, f"kept the configured base URL; {self.p.name}'s is its default")
                    )
                    self.plan.changes["module configuration"] += 1
                continue
            if m.role in ("base-url", "azure-endpoint"):
                self.plan.moves(HOST, m.span)
                if m.attr == base_attr:
                    self.plan.edit(m.node, assign_value(to_string(url)))
                else:  # `openai.api_base` in openai>=1 code is never read: the request would go to OpenAI
                    self.plan.edit(m.node, assign_attr_value(base_attr, to_string(url)))
                self.plan.changes["module configuration"] += 1
            elif m.role == "api-type":
                # (also a type read at run time, `os.getenv("OPENAI_API_TYPE")`: a `.env.sample` saying `azure`
                # made openai 0.x send the provider's key to `/openai/deployments/...` at the provider's host)
                if m.literal is None or m.literal.lower().startswith("azure"):
                    value = "open_ai" if v0 else "openai"
                    self.plan.edit(m.node, assign_value(to_string(value)))
                    self.plan.changes["module configuration"] += 1
            elif m.role == "key":
                written = self.written_key(m.hardcoded_key, f"`openai.{m.attr}`", m.value, m.span.line)
                if written or (azure and not self.renamed_key_read(m.value)):
                    if not written:
                        self.plan.notes.append(
                            (m.span.line, f"`openai.{m.attr}` held an Azure credential; it now reads {self.p.key_env}")
                        )
                    key_env = self.p.key_env
                    self.plan.moves(CRED, m.span)
                    self.plan.moves(CRED, MODULE)
                    # (`api_key_path` names a file holding the key: the provider's key is set itself)
                    self.plan.edit(m.node, assign_attr_value("api_key", env_read_quoted_like(key_env)))
                    self.needs_os(m.node)
                    self.plan.changes["module configuration"] += 1
            elif m.role in ("api-version", "azure-auth") and azure:
                stmt = self.stmt(m.node)
                if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
                    self.plan.edit(stmt, _removed)
                    self.plan.changes["module configuration"] += 1
        for call in module_calls:
            code = MODULE_CLIENT_CALL if call.via == "module" else LEGACY_API_CALL
            self.plan.origin = Origin(code, call.span.line, call.span)
            # openai<1.0 takes a key per request; with the module aimed at the provider it goes there too.
            i = kwarg_index(call.node.args, "api_key") if call.via == "v0" else -1
            if i >= 0 and self.written_key(
                call.hardcoded_keys.get("api_key"), "`api_key=`", call.node.args[i].value, call.span.line
            ):
                self.plan.edit(call.node, with_kwarg("api_key", env_read(self.p.key_env, quote_of(call.node))))
                self.needs_os(call.node)
                self.plan.changes["module configuration"] += 1
        # the lines that point the module client at the provider: the first call's (else the first setting's)
        if module_calls:
            call = module_calls[0]
            code = MODULE_CLIENT_CALL if call.via == "module" else LEGACY_API_CALL
            self.plan.origin = Origin(code, call.span.line, call.span)
        elif assigns:
            self.plan.origin = Origin(MODULE_CLIENT_CONFIG, assigns[0].span.line, assigns[0].span)
        alias, anchor = self.module_anchor(assigns)
        if alias is None:
            self.plan.add_import("openai", None)
            alias = "openai"
        base_line = f'{alias}.{base_attr} = "{url}"'
        key_line = f'{alias}.api_key = os.environ["{self.p.key_env}"]'
        type_line = None
        if not v0 and not any(m.role == "api-type" for m in assigns):
            # With OPENAI_API_KEY and AZURE_OPENAI_API_KEY both in the environment the SDK refuses to
            # guess ("Ambiguous use of module client"); saying which client we mean removes the doubt.
            type_line = f'{alias}.api_type = "openai"'
        groups = config_groups(assigns, self.outside_calls(assigns, module_calls))
        self.plan.moves(HOST, MODULE)
        if not all(has_key for _, has_key in groups.values()) or not any(m.role == "key" for m in assigns):
            self.plan.moves(CRED, MODULE)  # the key line goes in beside the host
        if not groups:
            return
        type_place = None if None in groups else next(iter(groups))
        for where, (has_base, has_key) in groups.items():
            lines = ([] if has_base else [base_line]) + ([] if has_key else [key_line])
            if where == type_place and type_line:
                lines.append(type_line)
            if not lines:
                continue
            here = self.group_anchor(assigns, where, anchor)
            if here is not None and not has_key:  # its `os.environ[...]` read must see the loaded .env
                uses = [self.path_to(n)[1:2] for n in [*(m.node for m in assigns), *(c.node for c in module_calls)]]
                here = after_environment_loaded(
                    self.a.module.body, here, [u[0] for u in uses if u], self.sdk.env_loaders
                )
            if here is None:
                self.plan.todo(
                    self.stmt(module_calls[0].node) if module_calls else None,
                    f"point the module-level client at {self.p.name}: {'; '.join(lines)}",
                    MODULE_CLIENT_CALL,
                )
                continue
            if not has_key:  # else the SDK would send OPENAI_API_KEY (or AZURE_OPENAI_API_KEY) to the provider
                self.needs_os(here)
            stmts = [cst.parse_statement(line + "\n") for line in lines]
            self.plan.after(here, stmts)
            self.plan.changes["module configuration"] += 1

    def module_held(self, why: str, calls: List[ApiCall], assigns: List[ModuleAssign]) -> None:
        """The TODO of a module-level route the route gate holds, coded as the finding it stands above (OFR103
        on the configuration, OFR104 on a call, OFR105 on a v0 call: check then sees it answered). A v0 request
        that sets its own key or base URL (`api_key=`, `**kwargs`) is said to be left itself: the module-level
        client may not even be configured (XAgent's per-model API settings)."""
        own = [c for c in calls if c.via == "v0" and _sets_its_own(c.node)] if not assigns else []
        for c in own:
            what = ", ".join(_own_settings(c.node))
            self.plan.todo(
                self.stmt(c.node),
                f"request left as it is: {why}; it passes its own settings ({what}): move its host, key and model "
                "together",
                LEGACY_API_CALL,
                c.span.line,
            )
        for m in assigns:  # (its base URL stays with its key: checks/clients.py `module_urls`)
            self.claimed.update(module_urls(m))
        rest = [c for c in calls if c not in own]
        if own and not rest:
            return
        at: cst.CSTNode = rest[0].node if rest else assigns[0].node
        code = (LEGACY_API_CALL if rest[0].via == "v0" else MODULE_CLIENT_CALL) if rest else MODULE_CLIENT_CONFIG
        line = rest[0].span.line if rest else assigns[0].span.line
        text = held_todo("module-level client", why)
        self.plan.todo(self.stmt(at), text, code, line)

    def azure_route_stays(self, assigns: List[ModuleAssign]) -> None:
        """The Azure module route stays whole: a TODO says which deployments keep it there."""
        names = ", ".join(f"`{lit.value}`" for lit in self.held)
        for m in assigns:
            self.claimed.add(id(m.value))
        self.plan.todo(
            self.stmt(assigns[0].node) if assigns else None,
            f"the module-level client stays on Azure OpenAI: {names} has no {self.p.name} model; map it under "
            f"[tool.offramp.models] and run fix again (host, key and model move together)",
            MODULE_CLIENT_CONFIG,
            assigns[0].span.line if assigns else 0,
        )

    def outside_calls(self, assigns: List[ModuleAssign], calls: List[ApiCall]) -> bool:
        """Whether a module call sits outside every class that configures the module client while
        no configuration applies everywhere: that route needs its own host and key."""
        owners = {id(m.owner) for m in assigns if m.owner is not None}
        if not owners or any(m.owner is None and m.role in ("key", "base-url", "azure-endpoint") for m in assigns):
            return False
        for call in calls:
            classes = [n for n in self.path_to(call.node) if isinstance(n, cst.ClassDef)]
            if not any(id(c) in owners for c in classes):
                return True
        return False

    def group_anchor(
        self, assigns: List[ModuleAssign], where: Optional[int], fallback: Optional[cst.CSTNode]
    ) -> Optional[cst.CSTNode]:
        """The statement after which a place's missing host or key goes: right after its host
        setting (else its key setting), in the same block, so both are set together; the
        module-level place with neither takes `fallback` (after the imports)."""
        for role in (("base-url", "azure-endpoint"), ("key",)):
            for m in assigns:
                if m.role in role and (id(m.owner) if m.owner is not None else None) == where:
                    stmt = self.stmt(m.node)
                    if stmt is not None:
                        return stmt
        return fallback

    def module_anchor(self, assigns: List[ModuleAssign]) -> Tuple[Optional[str], Optional[cst.CSTNode]]:
        """The name `openai` is bound to at module level, and the statement to insert after."""
        alias = None
        anchor: Optional[cst.CSTNode] = None
        body = list(self.a.module.body)
        for i, stmt in enumerate(body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    bound = _sdk_module_import(small, self.sdk.entry_modules)
                    if bound is not None:
                        # after the imports that follow it too: statements inside the import block
                        # would leave the imports below them "not at top of file" (E402)
                        end = i
                        while end + 1 < len(body) and is_import_line(body[end + 1]):
                            end += 1
                        alias, anchor = bound, body[end]
        key_assign = next((m for m in assigns if m.role == "key"), None)
        if key_assign is not None:
            top = self.stmt(key_assign.node)
            if top is not None and any(top is s for s in self.a.module.body):
                anchor = top
        if anchor is None:
            alias, anchor = self.local_module_import(assigns)
        if anchor is None:
            anchor = next((st for st in reversed(body) if is_import_line(st)), None)
        return alias, anchor

    def local_module_import(self, assigns: List[ModuleAssign]) -> Tuple[Optional[str], Optional[cst.CSTNode]]:
        """`import openai` inside the one function that uses the module client (a lazy import): the
        configuration goes right after it, so the module keeps importing the SDK only when needed."""
        uses = [m.node for m in assigns] + [c.node for c in self.a.calls if c.via in ("module", "v0")]
        if not uses:
            return None, None
        funcs = [n for n in subtree(self.a.module) if isinstance(n, cst.FunctionDef)]  # outer before inner
        for func in reversed(funcs):  # innermost first: nested functions come after their parent
            inside = subtree(func)
            ids = {id(n) for n in inside}
            if not all(id(u) in ids for u in uses):
                continue
            for n in inside:
                if isinstance(n, cst.SimpleStatementLine):
                    for small in n.body:
                        bound = _sdk_module_import(small, self.sdk.entry_modules)
                        if bound is not None:
                            return bound, n
            return None, None
        return None, None


def module_sdk_is_v0(calls: Sequence[ApiCall], assigns: Sequence[ModuleAssign]) -> bool:
    """Whether the file's module client is openai<1's: its calls say so (`openai.ChatCompletion`
    against `openai.chat.completions`), else its configuration (`api_base`, `api_type = "azure_ad"`):
    each SDK reads only its own names, so the form written must be the one the code runs under."""
    if calls:
        return any(c.via == "v0" for c in calls)
    return any(
        m.attr in ("api_base", "api_key_path") or (m.literal or "").lower() in ("azure_ad", "open_ai") for m in assigns
    )


def config_groups(assigns: Sequence[ModuleAssign], outside: bool) -> Dict[Optional[int], Tuple[bool, bool]]:
    """The places that set the module client's host or key (id of the class whose body or methods
    do, None for the module and its functions), each with (sets the host, sets the key). A place
    that sets one gets the other beside it; with no such place, or module calls outside the classes
    that configure it (`outside`), the module itself is one."""
    groups: Dict[Optional[int], Tuple[bool, bool]] = {}
    for m in assigns:
        if m.role in ("key", "base-url", "azure-endpoint"):
            where = id(m.owner) if m.owner is not None else None
            has_base, has_key = groups.get(where, (False, False))
            groups[where] = (has_base or m.role != "key", has_key or m.role == "key")
    if not groups or outside:
        groups.setdefault(None, (False, False))
    return groups


def _configured(value: cst.BaseExpression, url: str) -> bool:
    """A base URL the program reads from its own settings (`conf.base`, `args.base_url`, `cfg["base"]`),
    or such a setting defaulting to `url` (an earlier run's output)."""
    return isinstance(value, (cst.Name, cst.Attribute, cst.Subscript)) or _defaults_to(value, url)


def _defaults_to(value: cst.BaseExpression, url: str) -> bool:
    """`<setting> or "<url>"`."""
    return (
        isinstance(value, cst.BooleanOperation)
        and isinstance(value.operator, cst.Or)
        and (string_value(value.right) or "").rstrip("/") == url.rstrip("/")
    )


def _sdk_module_import(small: cst.BaseSmallStatement, entry_modules: frozenset) -> Optional[str]:
    """The name `import openai [as x]` (or a drop-in's `from langfuse.openai import openai`) binds."""
    if isinstance(small, cst.Import):
        names: Sequence[cst.ImportAlias] = small.names
    elif (
        isinstance(small, cst.ImportFrom)
        and small.module is not None
        and dotted(small.module) in entry_modules
        and not isinstance(small.names, cst.ImportStar)
    ):
        names = small.names
    else:
        return None
    for name in names:
        if dotted(name.name) == "openai":
            return name.asname.name.value if name.asname and isinstance(name.asname.name, cst.Name) else "openai"
    return None


def _removed(node: cst.CSTNode) -> cst.CSTNode:
    """The edit that deletes a statement (LibCST's sentinel, which the plan's applier hands back as it is)."""
    return cast(cst.CSTNode, cst.RemoveFromParent())


_OWN = ("api_key", "api_base", "api_type")


def _own_settings(call: cst.Call) -> List[str]:
    """What a v0 request sets for itself over the module configuration (project/perrequest.py): `api_key=`,
    `api_base=`, `api_type=`, or a `**dict` that may hold them."""
    out = [f"`{a.keyword.value}=`" for a in call.args if a.keyword is not None and a.keyword.value in _OWN]
    out += [f"`**{dotted(a.value) or 'kwargs'}`" for a in call.args if a.star == "**"]
    return out


def _sets_its_own(call: cst.Call) -> bool:
    return bool(_own_settings(call))
