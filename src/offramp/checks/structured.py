"""OFR407: structured outputs (`response_format` json_schema, `.parse()`) at a provider that rejects them.

DeepSeek answers json_schema with 400 "This response_format type is unavailable now": the request
becomes json_object with the schema in a system message, and a `.parse()` call whose result is read
only as `.choices[0].message.parsed` becomes `create()` with the reply validated by the same
pydantic model (`Model.model_validate_json(...content)`). Anything else gets a TODO.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from offramp import codes
from offramp.analysis.facts import ApiCall
from offramp.checks.gaps import Gap, dict_get, kwarg, parents_for, result_reads
from offramp.providers import Provider
from offramp.semantics import cited
from offramp.syntax.arguments import retarget_args

_SCHEMA_PROMPT = "Reply with one JSON object that follows this JSON schema: "


def structured_gaps(
    call: ApiCall, p: Provider, models: Sequence[str], module: Optional[cst.Module] = None
) -> List[Gap]:
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
            parse_edit, others = rewrite
            return [
                Gap(
                    codes.STRUCTURED_OUTPUT,
                    text,
                    edit=parse_edit,
                    others=others,
                    imports=(("json", None),),
                    note=f".parse() -> create() with json_object, the schema in a system message and the reply "
                    f"validated by the same model ({p.name})",
                )
            ]
        parsed = "`.parsed` (and a refusal's `.refusal`)"
        return [
            Gap(
                codes.STRUCTURED_OUTPUT,
                text,
                todo=f"{p.name} rejects the json_schema `.parse()` sends: call `chat.completions.create` with "
                'response_format={"type": "json_object"}, the schema in a system message, and validate the reply '
                f"with the same model's `model_validate_json`; {parsed} no longer exist",
            )
        ]
    rf = kwarg(node, "response_format")
    spec = dict_get(rf, "json_schema") if rf is not None else None
    schema = dict_get(spec, "schema") if spec is not None else None
    messages = kwarg(node, "messages")
    if schema is None or messages is None:
        return [
            Gap(
                codes.STRUCTURED_OUTPUT,
                text,
                todo='send response_format={"type": "json_object"} with the JSON schema in a system message '
                f"({p.name} rejects json_schema)",
            )
        ]

    def edit(c: cst.Call) -> cst.Call:
        msgs = kwarg(c, "messages")
        rf_now = kwarg(c, "response_format")
        spec_now = dict_get(rf_now, "json_schema") if rf_now is not None else None
        schema_now = dict_get(spec_now, "schema") if spec_now is not None else None
        if msgs is None or schema_now is None:
            return c
        system = cst.parse_expression(f'{{"role": "system", "content": "{_SCHEMA_PROMPT}" + json.dumps(SCHEMA)}}')
        system = system.deep_replace(_find_name(system, "SCHEMA"), schema_now)
        new_msgs = _with_system(msgs, system)
        return retarget_args(
            c, (), [("response_format", cst.parse_expression('{"type": "json_object"}')), ("messages", new_msgs)]
        )

    return [
        Gap(
            codes.STRUCTURED_OUTPUT,
            text,
            edit=edit,
            imports=(("json", None),),
            note=f"json_schema -> json_object with the schema in a system message ({p.name})",
        )
    ]


def _with_system(messages: cst.BaseExpression, system: cst.BaseExpression) -> cst.BaseExpression:
    """`[system, *messages]`, or the system message put first in a list literal (alone in an empty one:
    `[system]`, not `[system, ]`)."""
    if isinstance(messages, cst.List) and not messages.elements:
        return messages.with_changes(elements=[cst.Element(system)])
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
    parents = parents_for(module)
    reads = result_reads(call, parents, _is_parsed_read)
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
