"""OFR405-OFR408 and OFR108: what breaks after the base URL moves, and how each call is rewritten.

A request that reaches the provider with the provider's key and model can still fail on its
first call: `reasoning_effort=` that Qwen does not read (thinking is `extra_body={"enable_thinking":
...}`), a `json_schema` response format DeepSeek answers with 400 "This response_format type is
unavailable now", eleven embedding inputs where Qwen takes ten, a temperature Kimi's K2 models fix.
The facts are the provider's (`[semantics.*]` in rules/providers/*.toml, offramp.semantics); this
module decides, per call, what differs (`Gap`, checks/gaps.py) and, where a correct rewrite exists,
the rewrite of the call (`Gap.edit`); the Responses API (responses.py) and structured outputs
(structured.py) have modules of their own. The check reports the gaps with the provider's own words
and source; the fix planner applies the same edits (or writes the gap's TODO) to calls whose route
moves, and never to a call the route gate holds.
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import libcst as cst

from offramp import codes
from offramp.analysis.facts import Analysis, ApiCall, ClientCtor
from offramp.analysis.positions import node_positions
from offramp.analysis.values import string_value
from offramp.catalog import load_sdk
from offramp.checks.base import CheckContext, Hit
from offramp.checks.gaps import Gap, dict_get, kwarg
from offramp.checks.models import call_is_relevant, sends_images
from offramp.checks.structured import structured_gaps
from offramp.mapping import map_model
from offramp.providers import Provider
from offramp.semantics import cited
from offramp.syntax.arguments import kwarg_index, rename_kwarg, retarget_args, retarget_dict
from offramp.types import Span

#: OpenAI shut the Assistants API (assistants, threads, runs, messages) down on this day.
ASSISTANTS_SHUTDOWN = "2026-08-26"
_ASSISTANTS = ("assistants", "threads")


# -- reading a call ----------------------------------------------------------------------------


def _bool(node: Optional[cst.BaseExpression]) -> Optional[bool]:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def target_models(call: ApiCall, provider: Provider, ctx_models) -> List[str]:
    """The model ids the call will send at the provider (after `fix`); empty when unknown."""
    sdk = load_sdk()
    mapped = [
        map_model(lit.value, provider, sdk, dict(ctx_models), sends_images(lit)).target for lit in call.model_literals
    ]
    out = [t or lit.value for t, lit in zip(mapped, call.model_literals)] or list(call.other_models)
    if not out and call.node is not None:  # a model id the analysis does not track (the provider's own)
        written = kwarg(call.node, "model")
        value = string_value(written) if written is not None else None
        out = [value] if value else []
    return out


def _stream(call: cst.Call) -> Optional[bool]:
    """True / False when the call says so with a literal (absent: False), None when it is computed."""
    value = kwarg(call, "stream")
    if value is None:
        return False
    return _bool(value)


# -- edits -------------------------------------------------------------------------------------


def _set_extra_body(call: cst.Call, key: str, value: cst.BaseExpression, replacing: str) -> Optional[cst.Call]:
    """`replacing=` becomes `extra_body={key: value}` in its place, or `key` joins an `extra_body`
    dict literal already there; None when `extra_body` is something else (a name, a call)."""
    existing = kwarg(call, "extra_body")
    if existing is None:
        entry = cst.Dict([cst.DictElement(cst.SimpleString(f'"{key}"'), value)])
        if kwarg_index(call.args, replacing) >= 0:
            call = rename_kwarg(call, replacing, "extra_body")
        return retarget_args(call, (), [("extra_body", entry)])
    if not isinstance(existing, cst.Dict):
        return None
    call = retarget_args(call, (replacing,), [])
    return retarget_args(call, (), [("extra_body", retarget_dict(existing, (), [(key, value)]))])


def _thinking_value(control: str, on: bool) -> Tuple[str, cst.BaseExpression]:
    if control == "enable_thinking":
        return "enable_thinking", cst.Name("True" if on else "False")
    kind = "enabled" if on else "disabled"
    return "thinking", cst.parse_expression(f'{{"type": "{kind}"}}')


def _can_edit_extra_body(call: cst.Call, key: str) -> bool:
    """`extra_body` is absent, or a dict literal that does not set `key` already (the code's own choice)."""
    existing = kwarg(call, "extra_body")
    return existing is None or (isinstance(existing, cst.Dict) and dict_get(existing, key) is None)


# -- the gaps of one call ------------------------------------------------------------------------


def call_gaps(
    call: ApiCall, provider: Provider, models: Sequence[str], module: Optional[cst.Module] = None
) -> List[Gap]:
    """Everything that differs for this call at `provider` (`models`: what it sends there; `module`:
    the file, for rewrites that follow the call's result)."""
    if call.node is None:
        return []
    if call.family == "chat" and call.via in ("client", "module"):
        return (
            _reasoning(call, provider, models)
            + _sampling(call, provider, models)
            + _while_thinking(call, provider, models)
            + structured_gaps(call, provider, models, module)
            + _images(call, provider, models)
        )
    if call.family == "embeddings":
        return _batch(call, provider) + _dimensions(call, provider, models)
    return []


def _dimensions(call: ApiCall, p: Provider, models: Sequence[str]) -> List[Gap]:
    """`dimensions=N` that the provider's embedding model does not offer ([embedding-dimensions])."""
    value = kwarg(call.node, "dimensions")
    if not isinstance(value, cst.Integer) or len(set(models)) != 1:
        return []
    allowed = (p.embedding_dimensions.get(models[0]) or {}).get("allowed")
    if not allowed or int(value.value) in allowed:
        return []
    src = cited(p.sources.get("embedding-dimensions", ()), p.dates.get("embedding-dimensions", ""))
    sizes = ", ".join(str(n) for n in sorted(allowed, reverse=True))
    return [
        Gap(
            codes.REQUEST_LIMIT,
            f"`{models[0]}` at {p.name} offers dimensions {sizes}, not {value.value}{src}",
            todo=f"`{models[0]}` offers dimensions {sizes}: pick one (and size the vector index for it)",
        )
    ]


def _reasoning(call: ApiCall, p: Provider, models: Sequence[str]) -> List[Gap]:
    r = p.semantics.reasoning
    if r is None:
        return []
    node = call.node
    src = cited(
        r.source, r.date, {"reasoning_effort": "reasoning_effort", "thinking-type": "thinking"}.get(r.control, "")
    )
    effort_node = kwarg(node, "reasoning_effort")
    model = models[0] if len(set(models)) == 1 else None
    spread = effort_node is None and "reasoning_effort" in call.keywords  # from **options
    if spread and r.control != "reasoning_effort" and not (model is not None and r.takes_effort(model)):
        return [
            Gap(
                codes.REASONING_CONTROL,
                f"{p.name} does not read `reasoning_effort` as OpenAI does{src}",
                todo=f"`reasoning_effort` comes from a **dict here: {p.name}'s switch is "
                + (
                    'extra_body={"enable_thinking": ...}'
                    if r.control == "enable_thinking"
                    else 'extra_body={"thinking": ...}'
                ),
            )
        ]
    if effort_node is None:
        if model and r.needs_stream(model) and _stream(node) is False and kwarg(node, "extra_body") is None:
            return [
                Gap(
                    codes.REASONING_CONTROL,
                    f"{p.name}: `{model}` thinks by default and answers a non-streaming call with "
                    f'"{r.stream_only_error}"{cited(r.source, r.date, "error text")}',
                    todo=f'{p.name} answers "{r.stream_only_error}": pass stream=True, or '
                    'extra_body={"enable_thinking": False}',
                )
            ]
        return []
    effort = string_value(effort_node)
    takes_effort = r.control == "reasoning_effort" or (model is not None and r.takes_effort(model))
    levels = "|".join(sorted(set(r.efforts.values()))) or "as OpenAI's"
    how = {
        "enable_thinking": 'extra_body={"enable_thinking": True|False}',
        "thinking-type": 'extra_body={"thinking": {"type": "enabled"|"disabled"}}',
        "reasoning_effort": f"reasoning_effort={levels}",
    }["reasoning_effort" if takes_effort else r.control]
    text = f"{p.name} does not read `reasoning_effort` as OpenAI does: its control is {how}{src}"
    if effort is None:
        if takes_effort and not r.efforts:
            return []
        return [Gap(codes.REASONING_CONTROL, text, todo=f"`reasoning_effort` is computed here: {p.name} takes {how}")]
    on = effort not in r.off
    if not on and model and r.thinks_always(model):
        return [
            Gap(
                codes.REASONING_CONTROL,
                f"`{model}` always thinks at {p.name}: reasoning_effort `{effort}` is not honoured{src}",
                todo=f"`{model}` always thinks at {p.name}: reasoning_effort `{effort}` cannot be honoured",
            )
        ]
    if takes_effort:
        if r.efforts.get(effort, effort) == effort and (on or r.control != "reasoning_effort"):
            return []  # accepted as written
        if on:
            new = r.efforts[effort]
            return [
                Gap(
                    codes.REASONING_CONTROL,
                    f"{p.name} takes reasoning_effort {levels}, not `{effort}`{src}",
                    edit=lambda c: retarget_args(c, (), [("reasoning_effort", cst.SimpleString(f'"{new}"'))]),
                    note=f"reasoning_effort `{effort}` -> `{new}` ({p.name}'s levels)",
                )
            ]
        key, value = _thinking_value("thinking-type", False)
    else:
        key, value = _thinking_value(r.control, on)
    if on and model and r.needs_stream(model) and _stream(node) is not True:
        return [
            Gap(
                codes.REASONING_CONTROL,
                text,
                todo=f'{p.name} answers "{r.stream_only_error}" for `{model}`: stream the call or turn thinking off',
            )
        ]
    if not _can_edit_extra_body(node, key):
        return [
            Gap(
                codes.REASONING_CONTROL,
                text,
                todo=f"add the thinking switch to `extra_body` by hand: {p.name} takes {how}",
            )
        ]

    def edit(c: cst.Call) -> cst.Call:
        out = _set_extra_body(c, key, value, "reasoning_effort")
        return out if out is not None else c

    shown = cst.Module([]).code_for_node(value)
    return [
        Gap(
            codes.REASONING_CONTROL,
            text,
            edit=edit,
            note=f"reasoning_effort `{effort}` -> extra_body {key}={shown} ({p.name})",
        )
    ]


def _sampling(call: ApiCall, p: Provider, models: Sequence[str]) -> List[Gap]:
    """Kimi's K2/K3 models fix temperature, top_p, n and the penalties: a value is a 400."""
    r = p.semantics.reasoning
    if r is None or not r.fixed_sampling or not models or not all(r.fixed(m) for m in models):
        return []
    node = call.node
    sent = [name for name in r.fixed_params if kwarg(node, name) is not None]
    if not sent:
        return []
    src = cited(r.source, r.date, "fixed")
    fixed = ", ".join(f"`{s}`" for s in sent)
    text = f'{p.name} fixes {fixed} on `{models[0]}` and answers "{r.fixed_sampling_error}"{src}'
    if "n" in sent:
        return [
            Gap(
                codes.REASONING_CONTROL,
                text,
                todo=f"`{models[0]}` answers with one choice only (n is fixed at {p.name}): drop `n=`",
            )
        ]
    return [
        Gap(
            codes.REASONING_CONTROL,
            text,
            edit=lambda c: retarget_args(c, sent, []),
            note=f"dropped {', '.join(sent)}: fixed on `{models[0]}` at {p.name}",
        )
    ]


def _while_thinking(call: ApiCall, p: Provider, models: Sequence[str]) -> List[Gap]:
    """Parameters a model refuses while it thinks (DeepSeek: logprobs), on a call that leaves it thinking."""
    r = p.semantics.reasoning
    if r is None or not r.thinking_rejects or not models or not all(r.thinks_unless_told(m) for m in models):
        return []
    node = call.node
    sent = [name for name in r.thinking_rejects if kwarg(node, name) is not None]
    effort = string_value(kwarg(node, "reasoning_effort") or cst.Name("x"))
    extra = kwarg(node, "extra_body")
    switch = dict_get(extra, "thinking") if isinstance(extra, cst.Dict) else None
    if not sent or effort in r.off or switch is not None:
        return []
    src = cited(r.source, r.date, "thinking mode")
    names = ", ".join(f"`{s}`" for s in sent)
    return [
        Gap(
            codes.REASONING_CONTROL,
            f"`{models[0]}` thinks by default at {p.name}, and {names} are refused in thinking mode{src}",
            todo=f"{names} fail while `{models[0]}` thinks at {p.name}: turn thinking off for this call or drop them",
        )
    ]


def wrapper_batch_gap(c: ClientCtor, p: Provider) -> Optional[Gap]:
    """A library embeddings client (LangChain's OpenAIEmbeddings, 1,000 inputs per request by default)
    at a provider that takes fewer: its batch argument set to the provider's limit."""
    lim = p.semantics.limits
    w = c.wrapper
    if lim.embedding_batch is None or w is None or not w.batch_arg or c.family != "embeddings" or c.star_kwargs:
        return None
    n, arg = lim.embedding_batch, w.batch_arg
    node = c.node
    if isinstance(node, cst.Call):
        given = kwarg(node, arg)
        if given is not None and isinstance(given, cst.Integer) and int(given.value) <= n:
            return None
    text = _batch_text(p)
    if arg in c.keywords and not (isinstance(node, cst.Call) and kwarg(node, arg) is not None):
        # set through **options: a second `chunk_size=` would be a TypeError
        return Gap(
            codes.REQUEST_LIMIT,
            text,
            todo=f"{p.name} embeds at most {n} inputs per request: set `{arg}` to {n} or less",
        )
    return Gap(
        codes.REQUEST_LIMIT,
        text,
        edit=lambda call: retarget_args(call, (), [(arg, cst.Integer(str(n)))]),
        note=f"{arg}={n}: {p.name} embeds at most {n} inputs per request",
    )


def _images(call: ApiCall, p: Provider, models: Sequence[str]) -> List[Gap]:
    """Image parts sent to a model the provider serves text-only (no vision model to route them to)."""
    if not call.image_input or not models or p.parameter("image_input") not in ("no", "partial"):
        return []
    seeing = {p.models.get("vision"), p.models.get("vision-cheap")} - {None}
    blind = [m for m in models if m not in seeing]
    if not blind:
        return []
    quirk = next((q for q in p.quirks if "image" in q.id), None)
    why = f": {quirk.text}{cited(quirk.source, quirk.date)}" if quirk else ""
    vision = p.models.get("vision")
    instead = f"name its vision model `{vision}`" if vision else "send this request to a provider with a vision model"
    return [
        Gap(
            codes.REQUEST_LIMIT,
            f"`{blind[0]}` takes no image parts at {p.name}{why}",
            todo=f"`{blind[0]}` takes no images at {p.name}: {instead}",
        )
    ]


def _batch_text(p: Provider) -> str:
    lim = p.semantics.limits
    src = cited(lim.source, lim.date, "error text")
    words, n = lim.embedding_batch_error, lim.embedding_batch
    return f'{p.name} takes at most {n} embedding inputs per request and answers more with "{words}"{src}'


def _batch(call: ApiCall, p: Provider) -> List[Gap]:
    lim = p.semantics.limits
    if lim.embedding_batch is None:
        return []
    value = kwarg(call.node, "input")
    if value is None or string_value(value) is not None:
        return []
    n = lim.embedding_batch
    if isinstance(value, (cst.List, cst.Tuple)) and not any(isinstance(e, cst.StarredElement) for e in value.elements):
        if len(value.elements) <= n:
            return []
    elif isinstance(value, (cst.Name, cst.Attribute)) and not _plural(value):
        return []  # `input=text`: one string, most likely (a TODO on every such call would be noise)
    return [
        Gap(
            codes.REQUEST_LIMIT,
            _batch_text(p),
            todo=f"{p.name} embeds at most {n} inputs per request: send `input` in batches of {n}",
        )
    ]


def _plural(name: cst.BaseExpression) -> bool:
    """`texts`, `self.chunks`, `doc_batch`: a name that holds many inputs."""
    last = (name.attr.value if isinstance(name, cst.Attribute) else getattr(name, "value", "")).lower()
    return (last.endswith("s") and not last.endswith("ss")) or any(w in last for w in ("batch", "list", "chunk"))


def replay_gaps(a: Analysis, provider: Provider, calls: Sequence[ApiCall]) -> List[Gap]:
    """Tool loops that rebuild the assistant message from `.content` only, at a provider that needs
    `reasoning_content` back (appending `response.choices[0].message` itself replays it)."""
    r = provider.semantics.reasoning
    if r is None or not r.replay or not any(c.family == "chat" and "tools" in c.keywords for c in calls):
        return []
    out = []
    src = cited(r.source, r.date, "reasoning_content")
    for d in _assistant_dicts(a.module):
        out.append(
            Gap(
                codes.REASONING_NOT_REPLAYED,
                f'{provider.name} answers a replayed tool call without reasoning_content with "{r.replay_error}"{src}',
                todo=f"{provider.name} needs the assistant message's `reasoning_content` back: append "
                '`response.choices[0].message` itself, or add "reasoning_content"',
                node=d,
            )
        )
    return out


def _assistant_dicts(module: cst.Module) -> List[cst.Dict]:
    out: List[cst.Dict] = []

    class V(cst.CSTVisitor):
        def visit_Dict(self, node: cst.Dict) -> None:
            keys = {string_value(el.key): el.value for el in node.elements if isinstance(el, cst.DictElement)}
            rebuilt = "tool_calls" in keys and string_value(keys.get("role") or cst.Name("x")) == "assistant"
            spread = any(isinstance(el, cst.StarredDictElement) for el in node.elements)
            if rebuilt and "reasoning_content" not in keys and not spread:
                out.append(node)

    module.visit(V())
    return out


def assistants_gap(call: ApiCall) -> Optional[Gap]:
    if call.family not in _ASSISTANTS:
        return None
    return Gap(
        codes.ASSISTANTS_API_SHUT_DOWN,
        f"`{call.display}`: OpenAI shut the Assistants API down on {ASSISTANTS_SHUTDOWN}",
        todo=f"the Assistants API was shut down on {ASSISTANTS_SHUTDOWN}: keep the thread yourself and call "
        "chat.completions with tools (or the Responses API where the provider serves it)",
    )


# -- the check -------------------------------------------------------------------------------------


def _may_move(call: ApiCall) -> bool:
    """Whether `fix` can move the call's route (and so rewrite its parameters): its clients are
    known and built from arguments offramp reads (fixes/semantics.call_moves decides for real)."""
    if call.via == "module":
        return True
    return (
        call.via == "client"
        and bool(call.clients)
        and not any(c.star_kwargs and not c.star_kwargs_resolved for c in call.clients)
    )


def check_semantics(a: Analysis, ctx: CheckContext) -> List[Hit]:
    hits: List[Hit] = []
    for call in a.calls:
        g = assistants_gap(call)
        if g is not None:
            hits.append(Hit(g.code, call.span, {"detail": g.text}, fixable=False))
    p = ctx.provider
    if p is None:
        return hits
    hosts = frozenset(p.hosts)
    for c in a.clients:
        g = wrapper_batch_gap(c, p) if (c.target.blocked or c.target.host in hosts) else None
        if g is not None:
            hits.append(Hit(g.code, c.span, {"detail": g.text}, fixable=g.edit is not None))
    relevant = [c for c in a.calls if call_is_relevant(c, a, hosts)]
    for call in relevant:
        for g in call_gaps(call, p, target_models(call, p, ctx.models), a.module):
            hits.append(Hit(g.code, call.span, {"detail": g.text}, fixable=g.edit is not None and _may_move(call)))
    gaps = replay_gaps(a, p, relevant)
    if gaps:
        positions = node_positions(a.module)

        for g in gaps:
            r = positions.get(g.node) if g.node is not None else None
            if r is not None:
                hits.append(Hit(g.code, Span(r[0], r[1] + 1, r[2], r[3] + 1), {"detail": g.text}, fixable=False))
    return hits
