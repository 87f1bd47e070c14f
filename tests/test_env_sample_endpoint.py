"""A `.env.sample` documenting an Azure setup for an openai 0.x program, its endpoint a placeholder
(`OPENAI_API_BASE=https://my-resource.openai.azure.com/`): the file's endpoint moves with its API type and
key, or none of them does.

Yesterday `fix` turned `OPENAI_API_TYPE=azure` into `openai` and `OPENAI_API_KEY` into `DASHSCOPE_API_KEY`
but kept the Azure endpoint (a placeholder host has no finding of its own), so the migrated sample paired
the provider's key with Azure's endpoint, against the rule that a file's endpoints and keys move together
(offramp.userconfig.together); with a real Azure host the same file moved whole.
"""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli

APP = (
    "import os\n\nimport openai\nfrom dotenv import load_dotenv\n\nload_dotenv()\n\n"
    'openai.api_key = os.getenv("OPENAI_API_KEY")\n\n\n'
    "def ask(q):\n"
    '    return openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[{"role": "user", "content": q}])\n'
)
SAMPLE = (
    "OPENAI_API_TYPE=azure\n"
    "OPENAI_API_BASE=https://my-resource.openai.azure.com/\n"
    "OPENAI_API_VERSION=2023-05-15\n"
    "OPENAI_API_KEY=your-azure-key\n"
)


def _starred(root: Path) -> list:
    out = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], root).stdout
    return [line.split(" ")[0] for line in out.splitlines() if line.endswith("[*]") and line.startswith(".env")]


def test_a_placeholder_azure_endpoint_moves_with_the_files_type_and_key(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, "utf-8")
    (tmp_path / ".env.sample").write_text(SAMPLE, "utf-8")
    starred = _starred(tmp_path)
    assert ".env.sample:2:1:" in starred, starred
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env.sample").read_text("utf-8") == (
        "OPENAI_API_TYPE=openai\n"
        "OPENAI_API_BASE=https://dashscope.aliyuncs.com/compatible-mode/v1/\n"  # (its slash kept, as any endpoint's)
        "OPENAI_API_VERSION=2023-05-15\n"
        "DASHSCOPE_API_KEY=your-azure-key\n"
    )
    assert _starred(tmp_path) == []


def test_a_placeholder_endpoint_of_a_file_that_stays_stays_too(tmp_path: Path) -> None:
    """Its reader left on Azure (a key fix does not move): the file is left whole, and check offers nothing."""
    (tmp_path / "app.py").write_text(APP.replace('os.getenv("OPENAI_API_KEY")', "load_key()"), "utf-8")
    (tmp_path / ".env.sample").write_text(SAMPLE, "utf-8")
    assert _starred(tmp_path) == []
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert (tmp_path / ".env.sample").read_text("utf-8") == SAMPLE


def test_a_type_read_at_run_time_is_set_with_the_module_clients_host(tmp_path: Path) -> None:
    """`openai.api_type = os.getenv("OPENAI_API_TYPE")` beside the sample's `azure`: fix moved the module
    client's host and key but kept the read, so openai 0.x sent the provider's key to an Azure-style path
    (`/openai/deployments/...`) at the provider, and the sample stayed whole with a TODO (its type variable
    "still read by code that was not migrated") though check offered its key."""
    app = APP.replace(
        'openai.api_key = os.getenv("OPENAI_API_KEY")\n',
        'openai.api_type = os.getenv("OPENAI_API_TYPE")\nopenai.api_key = os.getenv("OPENAI_API_KEY")\n',
    )
    (tmp_path / "app.py").write_text(app, "utf-8")
    (tmp_path / ".env.sample").write_text(SAMPLE, "utf-8")
    # the type's line is offered too: fix writes `open_ai` into the code, so nothing reads the variable after it
    # (check held it as read by "code no request offramp can follow", then found it changed)
    starred = _starred(tmp_path)
    assert ".env.sample:4:1:" in starred and ".env.sample:1:17:" in starred, starred
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    fixed = (tmp_path / "app.py").read_text("utf-8")
    assert 'openai.api_type = "open_ai"\n' in fixed and "OPENAI_API_TYPE" not in fixed, fixed
    sample = (tmp_path / ".env.sample").read_text("utf-8")
    assert sample.startswith("OPENAI_API_TYPE=openai\n") and "DASHSCOPE_API_KEY=your-azure-key" in sample, sample
