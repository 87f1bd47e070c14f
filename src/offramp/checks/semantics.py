"""OFR405-OFR408 and OFR108: what breaks after the base URL moves, and how each call is rewritten.

A request that reaches the provider with the provider's key and model can still fail on its
first call: `reasoning_effort=` that Qwen does not read (thinking is `extra_body={"enable_thinking":
...}`), a `json_schema` response format DeepSeek answers with 400 "This response_format type is
unavailable now", eleven embedding inputs where Qwen takes ten, a temperature Kimi's K2 models fix.
The facts are the provider's (`[semantics.*]` in rules/providers/*.toml, offramp.semantics); this
module decides, per call, what differs (`Gap`) and, where a correct rewrite exists, the rewrite of
the call (`Gap.edit`). The check reports the gaps with the provider's own words and source; the fix
planner applies the same edits (or writes the gap's TODO) to calls whose route moves, and never to a
call the route gate holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

import libcst as cst

from offramp.analysis.facts import Analysis, ApiCall, ClientCtor
from offramp.analysis.values import string_value
from offramp.checks.base import CheckContext, Hit
from offramp.checks.models import call_is_relevant
from offramp.fixes.edits import kwarg_index, rename_kwarg, retarget_args, retarget_dict
from offramp.mapping import map_model
from offramp.providers import Provider
from offramp.semantics import cited

CallEdit = Callable[[cst.Call], cst.Call]

#: OpenAI shut the Assistants API (assistants, threads, runs, messages) down on this day.
ASSISTANTS_SHUTDOWN = "2026-08-26"
_ASSISTANTS = ("assistants", "threads")
_SCHEMA_PROMPT = "Reply with one JSON object that follows this JSON schema: "


@dataclass
class Gap:
    """One difference between what a call asks for and what the provider does with it."""

    code: str
    text: str  # the finding: what differs, in the provider's words, with source
    todo: str = ""  # the TODO fix writes when there is no edit
    edit: Optional[CallEdit] = None  # the rewrite of the call node (None: a TODO)
    imports: Tuple[Tuple[str, Optional[str]], ...] = ()
    note: str = ""  # what fix says it did
    node: Optional[cst.CSTNode] = None  # reported here instead of the call (a rebuilt assistant message)
    # Edits of other nodes that go with the call's (`resp.output_text` -> `resp.choices[0].message.content`)
    others: Tuple[Tuple[cst.CSTNode, Callable[[cst.CSTNode], cst.CSTNode]], ...] = ()


# -- reading a call ----------------------------------------------------------------------------


def kwarg(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    i = kwarg_index(call.args, name)
    return call.args[i].value if i >= 0 else None


def _bool(node: Optional[cst.BaseExpression]) -> Optional[bool]:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def _dict_get(node: cst.BaseExpression, key: str) -> Optional[cst.BaseExpression]:
    if not isinstance(node, cst.Dict):
        return None
    for el in node.elements:
        if isinstance(el, cst.DictElement) and string_value(el.key) == key:
            return el.value
    return None


def target_models(call: ApiCall, provider: Provider, ctx_models) -> List[str]:
    """The model ids the call will send at the provider (after `fix`); empty when unknown."""
    from offramp.catalog import load_sdk
    from offramp.checks.models import sends_images

    sdk = load_sdk()
    out = [
        map_model(lit.value, provider, sdk, dict(ctx_models), sends_images(lit)).target for lit in call.model_literals
    ]
    out = [t or lit.value for t, lit in zip(out, call.model_literals)]
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
    return existing is None or (isinstance(existing, cst.Dict) and _dict_get(existing, key) is None)


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
            + _structured(call, provider, models, module)
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
            "OFR408",
            f"`{models[0]}` at {p.name} offers dimensions {sizes}, not {value.value}{src}",
            todo=f"`{models[0]}` offers dimensions {sizes}: pick one (and size the vector index for it)",
        )
    ]


# -- Responses -> chat completions ------------------------------------------------------------------

#: responses.create arguments with a chat.completions counterpart (None: folded into `messages`).
_RESPONSES_ARGS = {
    "model": "model",
    "input": None,
    "instructions": None,
    "temperature": "temperature",
    "top_p": "top_p",
    "max_output_tokens": "max_tokens",
    "user": "user",
}


def responses_gaps(call: ApiCall, provider: Provider, module: cst.Module, parents=None) -> List[Gap]:
    """`client.responses.create(input=..., instructions=...)` at a provider without `/responses` under
    its base URL: the same request as `chat.completions.create`, its `output_text` read from
    `choices[0].message.content`; anything else (tools, `previous_response_id`, a list input, a
    result used otherwise) gets a TODO."""
    status = provider.endpoint("responses")
    if call.family != "responses" or not call.path.endswith("responses.create") or status not in ("no", "partial"):
        return []
    node = call.node
    text = f"{provider.name} serves no `/responses` under its chat base URL: the call becomes chat.completions"
    todo = (
        f"{provider.name} serves no Responses API here: call chat.completions.create with messages "
        "(tools, previous_response_id and built-in tools have no direct counterpart)"
    )
    names = [a.keyword.value if a.keyword else None for a in node.args]
    func = node.func
    inp = kwarg(node, "input")
    if (
        None in names
        or any(n not in _RESPONSES_ARGS for n in names)
        or inp is None
        or isinstance(inp, (cst.List, cst.Tuple, cst.Dict, cst.ListComp))
        or not (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Attribute)
            and func.value.attr.value == "responses"
        )
    ):
        return [Gap("OFR401", text, todo=todo)] if status == "partial" else []
    if parents is None:
        parents = _parents_for(module)
    uses = _output_text_uses(node, parents)
    if uses is None:
        return [Gap("OFR401", text, todo=todo)] if status == "partial" else []

    def edit(c: cst.Call) -> cst.Call:
        msgs = []
        ins, inp_now = kwarg(c, "instructions"), kwarg(c, "input")
        if ins is not None:
            msgs.append(cst.Element(_message("system", ins)))
        msgs.append(cst.Element(_message("user", inp_now)))
        for i in range(len(msgs) - 1):
            msgs[i] = msgs[i].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        c = retarget_args(c, ("instructions",), [("input", cst.List(msgs))])
        c = rename_kwarg(c, "input", "messages")
        if kwarg_index(c.args, "max_output_tokens") >= 0:
            c = rename_kwarg(c, "max_output_tokens", "max_tokens")
        base = c.func.value.value  # type: ignore[attr-defined]
        chat = cst.Attribute(cst.Attribute(base, cst.Name("chat")), cst.Name("completions"))
        return c.with_changes(func=c.func.with_changes(value=chat))  # type: ignore[attr-defined]

    def content(attr: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(attr, cst.Attribute)
        first = cst.Subscript(
            cst.Attribute(attr.value, cst.Name("choices")), [cst.SubscriptElement(cst.Index(cst.Integer("0")))]
        )
        return cst.Attribute(cst.Attribute(first, cst.Name("message")), cst.Name("content"))

    return [
        Gap(
            "OFR401",
            text,
            edit=edit,
            others=tuple((u, content) for u in uses),
            note=f"responses.create -> chat.completions.create ({provider.name} serves no /responses here)",
        )
    ]


_PARENTS: List[Tuple[cst.Module, dict]] = []


def _parents_for(module: cst.Module) -> dict:
    """The module's parent map, kept for the next Responses call of the same module (one walk per file)."""
    from offramp.fixes.planner import _parents_of

    if not _PARENTS or _PARENTS[0][0] is not module:
        _PARENTS[:] = [(module, _parents_of(module))]
    return _PARENTS[0][1]


def _message(role: str, content: cst.BaseExpression) -> cst.Dict:
    return cst.Dict(
        [
            cst.DictElement(
                cst.SimpleString('"role"'),
                cst.SimpleString(f'"{role}"'),
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            ),
            cst.DictElement(cst.SimpleString('"content"'), content),
        ]
    )


def _output_text_uses(call: cst.Call, parents) -> Optional[List[cst.Attribute]]:
    """The `.output_text` reads of the call's result when that is all the code reads of it."""

    def read(node: cst.CSTNode, parents) -> Optional[cst.Attribute]:
        up = parents.get(id(node))
        ok = isinstance(up, cst.Attribute) and up.value is node and up.attr.value == "output_text"
        return up if ok else None

    return _result_reads(call, parents, read)


def _result_reads(call: cst.Call, parents, read) -> Optional[List[cst.Attribute]]:
    """The reads `read` accepts of the call's result when that is all the code reads of it: on the call
    itself (`create(...).output_text`) or on the one name it is assigned to in its scope; None otherwise."""
    expr: cst.CSTNode = call
    parent = parents.get(id(call))
    if isinstance(parent, cst.Await):  # `r = await client.responses.create(...)`
        expr, parent = parent, parents.get(id(parent))
    direct = read(expr, parents)
    if direct is not None:
        return [direct]
    if not (
        isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name)
    ):
        return None
    name = parent.targets[0].target.value
    scope = parent
    while scope is not None and not isinstance(scope, (cst.FunctionDef, cst.Module)):
        scope = parents.get(id(scope))
    if scope is None:
        return None
    uses: List[cst.Attribute] = []
    other = [False]

    class V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value != name or n is parent.targets[0].target:
                return
            up = parents.get(id(n))
            found = read(n, parents)
            if found is not None:
                uses.append(found)
            elif not (isinstance(up, cst.Attribute) and up.attr is n):
                other[0] = True

        def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
            return n is scope

    scope.visit(V())
    return None if other[0] or not uses else uses


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
                "OFR405",
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
                    "OFR405",
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
        return [Gap("OFR405", text, todo=f"`reasoning_effort` is computed here: {p.name} takes {how}")]
    on = effort not in r.off
    if not on and model and r.thinks_always(model):
        return [
            Gap(
                "OFR405",
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
                    "OFR405",
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
                "OFR405",
                text,
                todo=f'{p.name} answers "{r.stream_only_error}" for `{model}`: stream the call or turn thinking off',
            )
        ]
    if not _can_edit_extra_body(node, key):
        return [Gap("OFR405", text, todo=f"add the thinking switch to `extra_body` by hand: {p.name} takes {how}")]

    def edit(c: cst.Call) -> cst.Call:
        out = _set_extra_body(c, key, value, "reasoning_effort")
        return out if out is not None else c

    shown = cst.Module([]).code_for_node(value)
    return [Gap("OFR405", text, edit=edit, note=f"reasoning_effort `{effort}` -> extra_body {key}={shown} ({p.name})")]


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
            Gap("OFR405", text, todo=f"`{models[0]}` answers with one choice only (n is fixed at {p.name}): drop `n=`")
        ]
    return [
        Gap(
            "OFR405",
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
    switch = _dict_get(extra, "thinking") if isinstance(extra, cst.Dict) else None
    if not sent or effort in r.off or switch is not None:
        return []
    src = cited(r.source, r.date, "thinking mode")
    names = ", ".join(f"`{s}`" for s in sent)
    return [
        Gap(
            "OFR405",
            f"`{models[0]}` thinks by default at {p.name}, and {names} are refused in thinking mode{src}",
            todo=f"{names} fail while `{models[0]}` thinks at {p.name}: turn thinking off for this call or drop them",
        )
    ]


def _structured(call: ApiCall, p: Provider, models: Sequence[str], module: Optional[cst.Module] = None) -> List[Gap]:
    if call.response_format != "json_schema":
        return []
    so = p.semantics.structured
    if so is None:
        return []  # the provider's [parameters] status is reported by OFR402
    if models and all(so.takes_json_schema(m) for m in models):
        return []
    src = cited(so.source, so.date, "error text")
    on = f" on `{models[0]}`" if len(set(models)) == 1 else ""
    if so.json_schema_error:
        text = f'{p.name} answers response_format json_schema{on} with "{so.json_schema_error}"{src}'
    else:
        text = f"{p.name} accepts response_format json_schema only on some models, not{on or ' on this one'}{src}"
    node = call.node
    if call.path.endswith(".parse"):
        rewrite = _parse_rewrite(call.node, module) if module is not None else None
        if rewrite is not None:
            edit, others = rewrite
            return [
                Gap(
                    "OFR407",
                    text,
                    edit=edit,
                    others=others,
                    imports=(("json", None),),
                    note=f".parse() -> create() with json_object, the schema in a system message and the reply "
                    f"validated by the same model ({p.name})",
                )
            ]
        parsed = "`.parsed` (and a refusal's `.refusal`)"
        return [
            Gap(
                "OFR407",
                text,
                todo=f"{p.name} rejects the json_schema `.parse()` sends: call `chat.completions.create` with "
                'response_format={"type": "json_object"}, the schema in a system message, and validate the reply '
                f"with the same model's `model_validate_json`; {parsed} no longer exist",
            )
        ]
    rf = kwarg(node, "response_format")
    spec = _dict_get(rf, "json_schema") if rf is not None else None
    schema = _dict_get(spec, "schema") if spec is not None else None
    messages = kwarg(node, "messages")
    if schema is None or messages is None:
        return [
            Gap(
                "OFR407",
                text,
                todo='send response_format={"type": "json_object"} with the JSON schema in a system message '
                f"({p.name} rejects json_schema)",
            )
        ]

    def edit(c: cst.Call) -> cst.Call:
        msgs = kwarg(c, "messages")
        rf_now = kwarg(c, "response_format")
        spec_now = _dict_get(rf_now, "json_schema") if rf_now is not None else None
        schema_now = _dict_get(spec_now, "schema") if spec_now is not None else None
        if msgs is None or schema_now is None:
            return c
        system = cst.parse_expression(f'{{"role": "system", "content": "{_SCHEMA_PROMPT}" + json.dumps(SCHEMA)}}')
        system = system.deep_replace(_find_name(system, "SCHEMA"), schema_now)
        if isinstance(msgs, cst.List):
            new_msgs: cst.BaseExpression = msgs.with_changes(
                elements=[
                    cst.Element(system, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                    *msgs.elements,
                ]
            )
        else:
            new_msgs = cst.List(
                [
                    cst.Element(system, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                    cst.StarredElement(msgs),
                ]
            )
        return retarget_args(
            c, (), [("response_format", cst.parse_expression('{"type": "json_object"}')), ("messages", new_msgs)]
        )

    return [
        Gap(
            "OFR407",
            text,
            edit=edit,
            imports=(("json", None),),
            note=f"json_schema -> json_object with the schema in a system message ({p.name})",
        )
    ]


def _with_system(messages: cst.BaseExpression, system: cst.BaseExpression) -> cst.BaseExpression:
    """`[system, *messages]`, or the system message put first in a list literal."""
    first = cst.Element(system, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    if isinstance(messages, cst.List):
        return messages.with_changes(elements=[first, *messages.elements])
    return cst.List([first, cst.StarredElement(messages)])


def _parse_rewrite(call: cst.Call, module: cst.Module):
    """`.parse(..., response_format=Model)` whose result is read only as `.choices[0].message.parsed`:
    the edit of the call (create() with json_object and the schema as a system message) and of each
    read (`Model.model_validate_json(<result>.choices[0].message.content)`); None when the code reads
    anything else (`.refusal`, the whole completion, `n` choices) or the model is not a plain name."""
    model = kwarg(call, "response_format")
    if not isinstance(model, (cst.Name, cst.Attribute)) or kwarg(call, "messages") is None:
        return None
    names = [a.keyword.value if a.keyword else None for a in call.args]
    if None in names or "n" in names or not isinstance(call.func, cst.Attribute) or call.func.attr.value != "parse":
        return None
    parents = _parents_for(module)
    reads = _result_reads(call, parents, _is_parsed_read)
    if reads is None:
        return None

    def edit(c: cst.Call) -> cst.Call:
        msgs, model_now = kwarg(c, "messages"), kwarg(c, "response_format")
        if msgs is None or model_now is None:
            return c
        system = cst.parse_expression(
            f'{{"role": "system", "content": "{_SCHEMA_PROMPT}" + json.dumps(M.model_json_schema())}}'
        )
        system = system.deep_replace(_find_name(system, "M"), model_now)
        completions = c.func.value  # type: ignore[attr-defined]
        root = completions.value.value  # `client` or `client.beta`
        if isinstance(root, cst.Attribute) and root.attr.value == "beta":
            root = root.value
        func = cst.Attribute(
            cst.Attribute(cst.Attribute(root, cst.Name("chat")), cst.Name("completions")), cst.Name("create")
        )
        c = c.with_changes(func=func)
        return retarget_args(
            c,
            (),
            [
                ("response_format", cst.parse_expression('{"type": "json_object"}')),
                ("messages", _with_system(msgs, system)),
            ],
        )

    def validated(read: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(read, cst.Attribute)
        content = read.with_changes(attr=cst.Name("content"))
        return cst.Call(cst.Attribute(model, cst.Name("model_validate_json")), [cst.Arg(content)])

    return edit, tuple((r, validated) for r in reads)


def _is_parsed_read(node: cst.CSTNode, parents) -> Optional[cst.Attribute]:
    """`<node>.choices[0].message.parsed`: the outer Attribute, else None."""
    choices = parents.get(id(node))
    if not (isinstance(choices, cst.Attribute) and choices.value is node and choices.attr.value == "choices"):
        return None
    first = parents.get(id(choices))
    if not (isinstance(first, cst.Subscript) and len(first.slice) == 1 and isinstance(first.slice[0].slice, cst.Index)):
        return None
    index = first.slice[0].slice.value
    if not (isinstance(index, cst.Integer) and index.value == "0"):
        return None
    message = parents.get(id(first))
    if not (isinstance(message, cst.Attribute) and message.attr.value == "message"):
        return None
    parsed = parents.get(id(message))
    if isinstance(parsed, cst.Attribute) and parsed.attr.value == "parsed":
        return parsed
    return None


def _find_name(tree: cst.CSTNode, name: str) -> cst.CSTNode:
    found: List[cst.CSTNode] = []

    class V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value == name:
                found.append(n)

    tree.visit(V())
    return found[0]


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
        return Gap("OFR408", text, todo=f"{p.name} embeds at most {n} inputs per request: set `{arg}` to {n} or less")
    return Gap(
        "OFR408",
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
            "OFR408",
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
            "OFR408",
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
                "OFR406",
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
        "OFR108",
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
        from offramp.analysis.positions import node_positions

        positions = node_positions(a.module)
        from offramp.types import Span

        for g in gaps:
            r = positions.get(g.node)
            if r is not None:
                hits.append(Hit(g.code, Span(r[0], r[1] + 1, r[2], r[3] + 1), {"detail": g.text}, fixable=False))
    return hits
