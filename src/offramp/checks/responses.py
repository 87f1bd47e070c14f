"""OFR401: `client.responses.create(...)` at a provider that serves no `/responses`, as chat completions.

The same request goes to `chat.completions.create` with `instructions` and `input` folded into
`messages`, and each `.output_text` read of its result becomes `.choices[0].message.content`;
anything else (tools, `previous_response_id`, a list input, a result used otherwise) gets a TODO.
"""

from __future__ import annotations

from typing import List, Optional, cast

import libcst as cst

from offramp import codes
from offramp.analysis.facts import ApiCall
from offramp.checks.gaps import Gap, kwarg, parents_for, result_reads
from offramp.providers import Provider
from offramp.syntax.arguments import kwarg_index, rename_kwarg, retarget_args

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
        return [Gap(codes.UNSUPPORTED_ENDPOINT, text, todo=todo)] if status == "partial" else []
    if parents is None:
        parents = parents_for(module)
    uses = _output_text_uses(node, parents)
    if uses is None:
        return [Gap(codes.UNSUPPORTED_ENDPOINT, text, todo=todo)] if status == "partial" else []

    def edit(c: cst.Call) -> cst.Call:
        msgs = []
        ins, inp_now = kwarg(c, "instructions"), kwarg(c, "input")
        if ins is not None:
            msgs.append(cst.Element(_message("system", ins)))
        msgs.append(cst.Element(_message("user", cast(cst.BaseExpression, inp_now))))  # (judged with its input)
        for i in range(len(msgs) - 1):
            msgs[i] = msgs[i].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        c = retarget_args(c, ("instructions",), [("input", cst.List(msgs))])
        c = rename_kwarg(c, "input", "messages")
        if kwarg_index(c.args, "max_output_tokens") >= 0:
            c = rename_kwarg(c, "max_output_tokens", "max_tokens")
        base = c.func.value.value  # type: ignore[attr-defined]
        chat = cst.Attribute(cst.Attribute(base, cst.Name("chat")), cst.Name("completions"))
        return c.with_changes(func=c.func.with_changes(value=chat))

    def content(attr: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(attr, cst.Attribute)
        first = cst.Subscript(
            cst.Attribute(attr.value, cst.Name("choices")), [cst.SubscriptElement(cst.Index(cst.Integer("0")))]
        )
        return cst.Attribute(cst.Attribute(first, cst.Name("message")), cst.Name("content"))

    return [
        Gap(
            codes.UNSUPPORTED_ENDPOINT,
            text,
            edit=edit,
            others=tuple((u, content) for u in uses),
            note=f"responses.create -> chat.completions.create ({provider.name} serves no /responses here)",
        )
    ]


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

    return result_reads(call, parents, read)
