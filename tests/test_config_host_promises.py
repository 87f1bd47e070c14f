"""A client whose OpenAI URL comes from a configuration file the code loads: `check --to` offers what `fix`
then does.

fix retargets such a client on the project's word (the route gate's config_hosts) and renames its key read
with it; check added only the host to its prediction, so the route looked stranded ("would carry a credential
that is not Qwen's"): no `[*]` on the key and the model fix then rewrote.
"""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli

APP = (
    "import json\nimport os\n\nfrom openai import OpenAI\n\n"
    'cfg = json.load(open("config.json"))\n'
    'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], base_url=cfg["base_url"])\n'
    "client.chat.completions.create(model={model}, messages=[])\n"
)


def _starred(root: Path) -> list:
    out = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], root).stdout
    return sorted(line.split(" ")[0] for line in out.splitlines() if line.endswith("[*]"))


def test_the_key_and_model_of_a_client_aimed_by_its_config_file_are_offered(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP.format(model='"gpt-4o"'), "utf-8")
    (tmp_path / "config.json").write_text('{"base_url": "https://api.openai.com/v1"}', "utf-8")
    # (the client too: fix aims it at the provider with a literal URL, and check says so at the client)
    assert _starred(tmp_path) == ["app.py:7:10:", "app.py:7:36:", "app.py:8:38:"]
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    app = (tmp_path / "app.py").read_text("utf-8")
    assert 'api_key=os.environ["DASHSCOPE_API_KEY"], base_url="https://dashscope' in app and "qwen3.8-max" in app
    assert _starred(tmp_path) == []
