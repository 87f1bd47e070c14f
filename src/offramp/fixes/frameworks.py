"""Fix pieces for frameworks without base URL / key arguments (rules/wrappers.toml).

`Agent(model="gpt-4o")` of the OpenAI Agents SDK names only a model: host and key come from the SDK's
default client, and the requests use the Responses API. Its fix binds the model to a client of the
provider where the agent is built, through the chat-completions model class (`fix-model-wrap`), so host,
key and model move together in one edit and no global default is touched. The requests a framework
sends by itself (trace export to api.openai.com) are turned off after the file's imports (`[[exporter]]`).
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import libcst as cst

from offramp.analysis.facts import Export
from offramp.fixes.plainimports import is_import_line
from offramp.providers import Provider
from offramp.syntax.arguments import retarget_args
from offramp.wrappers import Capabilities


def wrap_model(
    call: cst.Call, arg: str, position: int, template: str, model: cst.BaseExpression, base_url: str, key: str
) -> cst.Call:
    """`call` with its model argument (`arg=`, or the positional one at `position` >= 0) set to the template
    filled with the model expression, base URL literal and key read.

    `model` is used when the call has no such argument (the library's default model, mapped)."""
    code = cst.Module([]).code_for_node
    args = list(call.args)
    if 0 <= position < len(args) and args[position].keyword is None and not args[position].star:
        value = args[position].value
        args[position] = args[position].with_changes(
            value=cst.parse_expression(template.format(model=code(value), base_url=base_url, api_key=key))
        )
        return call.with_changes(args=args)
    current = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == arg), model)
    wrapped = cst.parse_expression(template.format(model=code(current), base_url=base_url, api_key=key))
    return retarget_args(call, (), [(arg, wrapped)])


def import_block_end(module: cst.Module) -> Optional[cst.BaseStatement]:
    """The last statement of the imports at the top of the module (after a docstring), if any."""
    body = list(module.body)
    n = 1 if body and not is_import_line(body[0]) else 0
    last = None
    while n < len(body) and is_import_line(body[n]):
        last = body[n]
        n += 1
    return last


def export_off(module: cst.Module, exports: Sequence[Export]) -> List[Tuple[cst.BaseStatement, str, Tuple[str, ...]]]:
    """(statement to insert after, statement text, imports) for each framework export left on."""
    anchor = import_block_end(module)
    if anchor is None:
        return []
    seen = set()
    out = []
    for e in exports:
        if e.spec.id not in seen:
            seen.add(e.spec.id)
            out.append((anchor, e.spec.fix, e.spec.fix_imports))
    return out


def capabilities(spec: Capabilities, provider: Provider, quote: str = '"') -> cst.BaseExpression:
    """The provider's model description a framework asks for (AutoGen's `model_info`), from its [parameters]:
    an entry is True only where the provider data says "yes" (a "partial" or "unknown" feature is off)."""
    entries = [(k, provider.parameter(p) == "yes") for k, p in spec.from_parameters] + list(spec.constants)
    body = ", ".join(f"{quote}{k}{quote}: {_literal(v, quote)}" for k, v in entries)
    return cst.parse_expression("{" + body + "}")


def _literal(value: object, quote: str) -> str:
    if isinstance(value, str):
        return f"{quote}{value}{quote}"
    return repr(value)
