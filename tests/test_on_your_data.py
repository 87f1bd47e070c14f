"""Azure OpenAI On Your Data (`extra_body={"data_sources": [...]}`, checks/ondata.py): only Azure serves it and
its body carries the search service's key, so the Azure requests that send it stay on Azure with their client,
built in the same module or another (project/routes.py), and check says so (OFR409, no `[*]` on the client).
The credential oracle runs both shapes (tests/fixtures/oracle/azure_on_your_data*)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import FIXTURES, run_cli

ELSEWHERE = FIXTURES / "oracle" / "azure_on_your_data_elsewhere"


def _findings(root: Path, *args: str) -> list:
    proc = run_cli(["check", "--to", "qwen", "--output-format", "json", *args, "."], root)
    return [(f["path"].rsplit("/", 1)[-1], f["code"], f["fixable"]) for f in json.loads(proc.stdout)["findings"]]


def test_a_client_of_another_module_stays_for_requests_that_send_on_your_data(tmp_path: Path) -> None:
    shutil.copytree(ELSEWHERE, tmp_path / "app")
    found = _findings(tmp_path / "app")
    assert ("main.py", "OFR409", False) in found, found
    assert ("clients.py", "OFR102", False) in found, found  # not fixable: it stays on Azure
    diff = run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path / "app").stdout
    assert "AzureOpenAI(" in diff and "On Your Data" in diff and "DASHSCOPE_API_KEY" not in diff, diff


def test_a_data_sources_dict_of_other_code_is_not_on_your_data(tmp_path: Path) -> None:
    """A dashboard's or a pipeline's own `data_sources` (no request body, no openai) is not reported."""
    (tmp_path / "dash.py").write_text(
        'import os\n\nCONFIG = {"data_sources": ["postgres", "mysql"], "token": os.getenv("DASH_TOKEN")}\n',
        encoding="utf-8",
    )
    assert not [f for f in _findings(tmp_path) if f[1] == "OFR409"]


_AZURE_CLIENT = """import os

from openai import AzureOpenAI

client = AzureOpenAI(
    azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
    api_key=os.environ["AZURE_OPENAI_API_KEY"],
    api_version="2024-06-01",
)
"""
_SOURCE = '{"type": "azure_search", "parameters": {"authentication": {"key": os.environ["SEARCH_KEY"]}}}'


def _held_on_azure(root: Path, body_file: str) -> None:
    """The Azure client stays (not fixable, a TODO naming On Your Data), its key keeps its name, and the
    `data_sources` body is reported where it is written."""
    found = _findings(root)
    assert (body_file, "OFR409", False) in found, found
    assert ("main.py", "OFR102", False) in found, found
    diff = run_cli(["fix", "--to", "qwen", "--diff", "."], root).stdout
    assert "On Your Data" in diff and "DASHSCOPE_API_KEY" not in diff and "qwen" not in diff, diff


def test_a_data_sources_body_built_with_dict_call_stays_on_azure(tmp_path: Path) -> None:
    """`extra_body=dict(data_sources=[...])` is the same body as the literal: fix moved the client and sent the
    search key to the provider."""
    (tmp_path / "main.py").write_text(
        _AZURE_CLIENT
        + "\n\ndef ask(q):\n    return client.chat.completions.create(\n"
        + '        model="gpt-4o",\n        messages=[{"role": "user", "content": q}],\n'
        + f"        extra_body=dict(data_sources=[{_SOURCE}]),\n    )\n",
        encoding="utf-8",
    )
    _held_on_azure(tmp_path, "main.py")


def test_a_data_sources_body_built_in_another_module_stays_on_azure(tmp_path: Path) -> None:
    """`extra_body=search.extra()`, the body's dict written in a module that names neither openai nor extra_body."""
    (tmp_path / "search.py").write_text(f'import os\n\n\ndef extra():\n    return {{"data_sources": [{_SOURCE}]}}\n')
    (tmp_path / "main.py").write_text(
        _AZURE_CLIENT.replace("\nclient", "from search import extra\n\nclient")
        + "\n\ndef ask(q):\n    return client.chat.completions.create(\n"
        + '        model="gpt-4o", messages=[{"role": "user", "content": q}], extra_body=extra()\n    )\n',
        encoding="utf-8",
    )
    _held_on_azure(tmp_path, "search.py")


def test_a_raw_on_your_data_request_whose_body_is_built_in_another_module_is_reported(tmp_path: Path) -> None:
    """`requests.post(f"{ENDPOINT}/openai/deployments/.../chat/completions", json=build_body(q))`, the body in
    body.py: reported there, and the request's key keeps its name (it goes to Azure)."""
    (tmp_path / "body.py").write_text(
        f'import os\n\n\ndef build_body(q):\n    return {{"messages": [q], "data_sources": [{_SOURCE}]}}\n'
    )
    (tmp_path / "main.py").write_text(
        "import os\n\nimport requests\n\nfrom body import build_body\n\n"
        'ENDPOINT = os.environ["AZURE_OPENAI_ENDPOINT"]\nKEY = os.environ["AZURE_OPENAI_API_KEY"]\n\n\n'
        "def ask(q):\n"
        '    url = f"{ENDPOINT}/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01"\n'
        '    return requests.post(url, headers={"api-key": KEY}, json=build_body(q)).json()\n',
        encoding="utf-8",
    )
    found = _findings(tmp_path)
    assert ("body.py", "OFR409", False) in found, found
    proc = run_cli(["check", "--to", "qwen", "."], tmp_path)
    assert "On Your Data" in proc.stdout.split("OFR301 environment variable `AZURE_OPENAI_API_KEY`")[1], proc.stdout
    assert "DASHSCOPE_API_KEY" not in run_cli(["fix", "--to", "qwen", "--diff", "."], tmp_path).stdout
