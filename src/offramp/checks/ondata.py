"""Azure OpenAI On Your Data: a request body with `data_sources` (rules/openai.toml `azure-only-body`).

Microsoft's sample chat app (microsoft/sample-app-aoai-chatGPT) sends every chat request with
`extra_body={"data_sources": [{"type": "azure_search", "parameters": {..., "authentication":
{"type": "api_key", "key": SEARCH_KEY}}}]}`: Azure runs the search and grounds the answer in it. No other
provider serves it, and the body carries the search service's endpoint and key. `fix` moved the file's
Azure client to the provider, so every request sent the Azure AI Search key to the provider's host
and got answers grounded in nothing. Such a client stays on Azure (with a TODO: the retrieval has to be
rebuilt before the route can move), and each `data_sources` body is reported (OFR409).

Here a client built in the same file as the body is held; the project's routes hold an Azure client
built in another module for the requests of a module that sends such bodies (project/routes.py).
"""

from __future__ import annotations

from typing import List, Optional

from offramp import codes
from offramp.analysis.facts import Analysis, ClientCtor
from offramp.checks.base import CheckContext, Hit
from offramp.project.ondata import on_your_data_reason

REASON = on_your_data_reason("this file")


def holds(c: ClientCtor, a: Analysis) -> Optional[str]:
    """Why `c` stays on Azure, if it is an Azure client in a file that sends On Your Data bodies."""
    return REASON if c.azure and a.on_your_data else None


def check_on_your_data(a: Analysis, ctx: CheckContext) -> List[Hit]:
    p = ctx.provider
    if p is None:
        return []
    return [Hit(codes.AZURE_ON_YOUR_DATA, span, {"provider": p.name}) for span in a.on_your_data]
