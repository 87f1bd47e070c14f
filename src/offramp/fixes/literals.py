"""Rewrite the model ids, deployment names and OpenAI URLs a file writes as literals.

A model literal is mapped to the provider's model where it is written (a constant in settings.py,
not the call that uses it), unless it is also used as a key (`PRICES[MODEL]`, `startswith("gpt-")`:
rewritten alone, the program raised KeyError or took another branch) or its calls stay on Azure.
A URL literal keeps its own quotes, prefix and path; credentials in it (userinfo, `?api-key=`) are
OpenAI's and never copied to the provider's URL.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import libcst as cst

from offramp.analysis.facts import ModelLiteral, UrlLiteral
from offramp.analysis.values import string_value
from offramp.checks.azure_routes import only_on_azure_module_route
from offramp.checks.clients import client_code
from offramp.checks.models import sends_images
from offramp.codes import AZURE_DEPLOYMENT, OPENAI_MODEL, OPENAI_URL, UNMAPPED_MODEL
from offramp.fixes.crossfile import key_use_todo
from offramp.fixes.plan import Origin
from offramp.fixes.planedits import to_string
from offramp.fixes.planstate import PlannerState
from offramp.hosts import urls_in
from offramp.mapping import is_provider_model, map_model
from offramp.project.gate import HOST, MODEL, URL
from offramp.redact import without_url_credentials
from offramp.syntax.arguments import string_like


class Literals(PlannerState):
    """`Planner`'s decisions about literals (a mixin: it reads the planner's state, see planner.py)."""

    def model(self, lit: ModelLiteral) -> None:
        if (
            lit.arg == "azure_deployment"
            and not lit.calls
            and not lit.inherited
            and (lit.owner is None or lit.owner.wrapper is None)
        ):
            # The constructor argument goes; its TODO is on the client. A literal that also reaches a
            # request's model= (haystack's `azure_deployment: str = "text-embedding-ada-002"` default,
            # sent as `model=self.azure_deployment`) is that request's model, mapped with it: left, the
            # converted client sent it to the provider, and a second run mapped it.
            return
        if lit.owner is not None and lit.owner.wrapper is not None and lit.arg in lit.owner.wrapper.deployment_args:
            return  # the wrapper edit turns the deployment into model=
        if lit.owner is not None and lit.owner.kept_subclass:
            return  # its class stays (a TODO): the deployment keeps its name
        if lit.azure and lit.template == "{}" and is_provider_model(lit.value, self.p, self.models):
            return  # an earlier run's output (`text-embedding-v4` on a client left for review)
        choice = map_model(lit.value, self.p, self.sdk, self.models, sends_images(lit))
        stmt = self.stmt(lit.node)
        if choice.target and lit.also_key and not lit.azure and choice.target != lit.value:
            # invariant 5: rewritten alone, `PRICES[MODEL]` raised KeyError, `model == "gpt-4o"` took another branch
            self.plan.todo(
                stmt,
                key_use_todo(lit.value, choice.target, lit.also_key),
                OPENAI_MODEL,
                lit.span.line,
            )
            return
        if choice.target:
            if self.module_stays() and only_on_azure_module_route(lit, self.a):
                return  # its calls stay on Azure (module_config), where the deployment keeps its name
            if choice.target != lit.value or lit.template != "{}":
                written = lit.template.format(choice.target)
                self.plan.moves(MODEL, lit.span)
                self.plan.edit(lit.node, to_string(written))
                self.plan.changes["model"] += 1
                if choice.is_embedding:
                    self.plan.notes.append(
                        (
                            lit.span.line,
                            f"embedding model `{lit.value}` -> `{choice.target}`: re-compute stored vectors (OFR404)",
                        )
                    )
            return
        if lit.azure:
            self.plan.todo(
                stmt,
                f"map Azure deployment `{lit.value}` to a {self.p.name} model ([tool.offramp.models])",
                AZURE_DEPLOYMENT,
                lit.span.line,
            )
            if lit.template != "{}":  # LiteLLM: leave the azure/ route even before the model is chosen
                rerouted = lit.template.format(lit.value)
                # (the route's prefix is the client's move, OFR102's fix; the deployment keeps its name)
                owner = lit.owner
                origin = Origin(client_code(owner), owner.span.line, owner.span) if owner is not None else None
                self.plan.edit(lit.node, lambda n: string_like(n, rerouted), origin)
        else:
            self.plan.todo(
                stmt,
                f"{self.p.name} has no equivalent for `{lit.value}` ({choice.family})",
                UNMAPPED_MODEL,
                lit.span.line,
            )

    def url(self, u: UrlLiteral) -> None:
        if u.node is None:  # fast-path facts carry no node; there is nothing to edit
            return
        stmt = self.stmt(u.node)
        if u.target.kind != "openai":
            self.plan.todo(
                stmt, f"Azure OpenAI endpoint: point it at {self.p.name} ({self.base})", OPENAI_URL, u.span.line
            )
            return
        parts = urlsplit(u.url.replace("{...}", "x"))
        path = parts.path
        if not path.startswith("/v1"):
            self.plan.todo(stmt, f"OpenAI URL `{u.url}` has no {self.p.name} counterpart", OPENAI_URL, u.span.line)
            return
        rest = path[3:].lstrip("/")
        family = self.sdk.rest_family(rest) if rest else None
        if rest and (family is None or self.p.endpoint(family) in ("no",)):
            self.plan.todo(stmt, f"{self.p.name} does not serve `/{rest}`", OPENAI_URL, u.span.line)
            return
        host_prefix = f"{parts.scheme}://{parts.netloc}/v1"
        new_base = self.base
        # Every mention of the same OpenAI URL in the literal moves at once (source code kept in a string,
        # `mod.write(r"""...openai.api_base = "https://api.openai.com/v1"...""")`): one at a time, each
        # run of fix moved the next and a second run was not a no-op. Another URL on that host stays.
        value_text = string_value(u.node) if isinstance(u.node, cst.SimpleString) else None
        count = -1 if value_text is not None and _same_url_only(value_text, u.url, host_prefix) else 1

        def replace_text(text: str) -> str:
            return text.replace(host_prefix, new_base, count)

        # The URL's userinfo and credential parameters (`?api-key=`) are OpenAI's: never copied.
        _, dropped = without_url_credentials(u.url)
        if dropped and not isinstance(u.node, cst.SimpleString):
            self.plan.todo(
                stmt,
                f"this OpenAI URL carries credentials ({', '.join(dropped)}): point it at {new_base} without them",
                OPENAI_URL,
                u.span.line,
            )
            return
        if isinstance(u.node, cst.SimpleString):
            value = string_value(u.node)
            if value is None:
                return
            new_value, dropped = without_url_credentials(replace_text(value))
            if dropped:
                self.plan.edit(u.node, lambda n: string_like(n, new_value))
                self.plan.notes.append(
                    (
                        u.span.line,
                        f"dropped the URL's credentials ({', '.join(dropped)}): {self.p.name} gets its own key "
                        f"from {self.p.key_env}, never OpenAI's",
                    )
                )
            else:
                self.plan.edit(u.node, lambda n: _string_replace(n, host_prefix, new_base, new_value, count))
        elif isinstance(u.node, cst.FormattedString):
            self.plan.edit(u.node, lambda n: _fstring_replace(n, host_prefix, new_base))
        else:
            return
        # The route gate asks which key travels with it, in prose too (a YAML text, an escaped endpoint): a URL
        # no request offramp can follow uses stays, with a TODO, as `check` predicts (project/stage.py _MOVES).
        self.plan.moves(HOST, u.span)
        self.plan.moves(URL, u.span)
        self.plan.changes["URL"] += 1


def _same_url_only(text: str, url: str, host_prefix: str) -> bool:
    """Whether `text` mentions `host_prefix` more than once, each time as the URL `url` itself."""
    mentions = [found for found in urls_in(text) if found.startswith(host_prefix)]
    return len(mentions) > 1 and len(mentions) == text.count(host_prefix) and all(m == url for m in mentions)


def _string_replace(node: cst.CSTNode, old: str, new: str, value: str, count: int = 1) -> cst.CSTNode:
    """The URL `old` replaced by `new` in the literal's own source text, so its prefix, quotes
    (triple quotes around a multi-line config) and escapes stay; rebuilt from `value` when the URL
    is not written verbatim (escaped characters in it). `count`: how many mentions (-1: all)."""
    if isinstance(node, cst.SimpleString) and old in node.value and "\\" not in new and node.quote[0] not in new:
        return node.with_changes(value=node.value.replace(old, new, count))
    return string_like(node, value)


def _fstring_replace(node: cst.CSTNode, old: str, new: str) -> cst.CSTNode:
    assert isinstance(node, cst.FormattedString)
    parts = []
    done = False
    for part in node.parts:
        if not done and isinstance(part, cst.FormattedStringText) and old in part.value:
            part = part.with_changes(value=part.value.replace(old, new, 1))
            done = True
        parts.append(part)
    return node.with_changes(parts=parts)
