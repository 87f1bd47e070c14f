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
