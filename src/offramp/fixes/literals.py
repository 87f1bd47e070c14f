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
from offramp.checks.clients import AZURE_URL, CREDENTIALS, NO_COUNTERPART, client_code, held_on_azure, url_left
from offramp.checks.lifecycle import successor
from offramp.checks.models import KEY_USE, MAPPED, UNMAPPED, literal_is_live, model_move, owner_left, sends_images
from offramp.codes import AZURE_DEPLOYMENT, OPENAI_MODEL, OPENAI_URL, UNMAPPED_MODEL
from offramp.fixes.crossfile import key_use_todo
from offramp.fixes.plan import Origin
from offramp.fixes.planedits import to_string
from offramp.fixes.planstate import PlannerState
from offramp.hosts import urls_in
from offramp.mapping import map_model
from offramp.project.decision import HOST, MODEL, SEEN, URL
from offramp.redact import without_url_credentials
from offramp.syntax.arguments import string_like


class Literals(PlannerState):
    """`Planner`'s decisions about literals (a mixin: it reads the planner's state, see planner.py)."""

    def model_literal(self, lit: ModelLiteral) -> None:
        """A model id or deployment name the file writes: mapped for its requests' provider (`model`), or kept with a
        note when the project's routes hold it."""
        # a model id also used as a key here (or probed) is this file's to map (invariant 5), never another's
        if lit.also_key or lit.probes:
            self.plan.moves(SEEN, lit.span)
        code = AZURE_DEPLOYMENT if lit.azure else OPENAI_MODEL
        if not (literal_is_live(lit, self.a) and self.allowed(code, lit.span.line)):
            return
        self.plan.moves(SEEN, lit.span)  # this file decides it (a key use may hold it): no other file does
        held = self.gate.stops(lit.span)
        if held is None:
            with self.using(self.literal_provider(lit)), self.plan.for_finding(code, lit.span):
                self.model(lit)
        else:
            self.plan.notes.append((lit.span.line, f"kept model `{lit.value}`: {held}"))

    def url_literal(self, u: UrlLiteral) -> None:
        """An OpenAI/Azure URL the file writes that no client claimed: the provider's (`url`), or a TODO when the
        project's routes hold it."""
        if id(u.node) in self.claimed or not self.allowed(OPENAI_URL, u.span.line):
            return
        held = self.gate.stops(u.span)
        if held is None:
            with self.plan.for_finding(OPENAI_URL, u.span):
                self.url(u)
        elif u.node is not None:
            self.plan.todo(
                self.stmt(u.node),
                f"URL left as it is: {held}; move its host, key and model together",
                OPENAI_URL,
                u.span.line,
            )

    def model(self, lit: ModelLiteral) -> None:
        """Map `lit` to the provider's model, or write the TODO of why not (checks/models.py `model_move` decides).
        A literal that also reaches a request's model= (haystack's `azure_deployment: str = "..."` default, sent as
        `model=self.azure_deployment`) is that request's model, mapped with it."""
        choice = map_model(lit.value, self.p, self.sdk, self.models, sends_images(lit))
        left = owner_left(lit.owner, self.a, self.p, lambda v: map_model(v, self.p, self.sdk, self.models).target)
        client_held = held_on_azure(lit, self.client_left)
        move = model_move(lit, self.a, self.p, choice, self.models, self.module_stays(), left, client_held)
        stmt = self.stmt(lit.node)
        if move == KEY_USE and choice.target:
            todo = key_use_todo(lit.value, choice.target, lit.key_use(choice.target))
            self.plan.todo(stmt, todo, OPENAI_MODEL, lit.span.line)
            return
        if move == MAPPED and choice.target:
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
        if move != UNMAPPED:  # (WITH_CLIENT: the client's edit takes it; KEPT: it stays as it is)
            return
        if lit.azure:
            self.plan.todo(
                stmt,
                f"map Azure deployment `{lit.value}` to a {self.p.name} model ([tool.offramp.models])",
                AZURE_DEPLOYMENT,
                lit.span.line,
            )
            if lit.template != "{}":  # LiteLLM: leave the azure/ route even before the model is chosen
                # (a deployment named for an id the provider retired, `azure/deepseek-chat`: that id's successor,
                # which check's OFR205 would ask of a second run)
                rerouted = lit.template.format(successor(lit.value, self.p) or lit.value)
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
        left = url_left(u, self.sdk, self.p)  # (the decision check's `[*]` shows)
        if left is not None:
            if left.kind == AZURE_URL:
                text = f"Azure OpenAI endpoint: point it at {self.p.name} ({self.base})"
            elif left.kind == NO_COUNTERPART:
                text = f"OpenAI URL `{u.url}` has no {self.p.name} counterpart"
            elif left.kind == CREDENTIALS:  # (OpenAI's: never copied to the provider's URL)
                text = f"this OpenAI URL carries credentials ({left.why}): point it at {self.base} without them"
            else:
                text = f"{self.p.name} does not serve `{left.why}`"
            self.plan.todo(stmt, text, OPENAI_URL, u.span.line)
            return
        parts = urlsplit(u.url.replace("{...}", "x"))
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
