"""The Fixit 2 rule offramp is benchmarked against (bench/run.py runs it with `fixit lint`).

It does the part of offramp's job that a Fixit user would write first: flag every construction
of an OpenAI / Azure OpenAI client, alias-proof, by asking LibCST's QualifiedNameProvider what
the called name refers to. `from openai import OpenAI as O; O()`, `import openai as oa;
oa.AzureOpenAI()` and `from openai import Client` are found; a class of your own that happens
to be called `OpenAI` is not.

This is the idiomatic way to write it in Fixit, and the cost profile offramp must beat: Fixit
computes the metadata for every Python file it is given (it has no pre-filter), then walks the
tree once. Run it by hand with

    PYTHONPATH=bench fixit --rules fixit_rule:OpenAIClientConstruction lint PATH...
    PYTHONPATH=bench fixit --rules fixit_rule:OpenAIClientConstruction test
"""

from __future__ import annotations

from typing import ClassVar, List, Union

import libcst as cst
from fixit import Invalid, LintRule, Valid
from libcst.metadata import QualifiedNameProvider

CLIENT_CLASSES = frozenset(
    {
        "openai.OpenAI",
        "openai.AsyncOpenAI",
        "openai.AzureOpenAI",
        "openai.AsyncAzureOpenAI",
        "openai.Client",
        "openai.AsyncClient",
    }
)


class OpenAIClientConstruction(LintRule):
    """An OpenAI / Azure OpenAI SDK client is constructed here (it calls a region-blocked endpoint)."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    VALID: ClassVar[List[Union[str, Valid]]] = [
        Valid("from mylib import OpenAI\nOpenAI()"),
        Valid("class OpenAI:\n    pass\nOpenAI()"),
        Valid("import openai\nopenai.types.Completion()"),
        Valid("from openai import OpenAI\nclient: OpenAI"),
    ]
    INVALID: ClassVar[List[Union[str, Invalid]]] = [
        Invalid("from openai import OpenAI\nclient = OpenAI()"),
        Invalid("from openai import AsyncOpenAI as Async\nclient = Async(base_url='x')"),
        Invalid("import openai\nclient = openai.AzureOpenAI(azure_endpoint='https://x.openai.azure.com')"),
        Invalid("import openai as oa\nclient = oa.AsyncAzureOpenAI()"),
        Invalid("from openai import Client, AsyncClient\nc = Client()"),
        Invalid("def make():\n    from openai import AsyncClient\n    return AsyncClient()"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        for qname in self.get_metadata(QualifiedNameProvider, node.func, set()):
            if qname.name in CLIENT_CLASSES:
                self.report(node, f"{qname.name} client constructed: it calls a region-blocked endpoint")
                return
