"""A YAML configuration file the code reads through `os.path.expandvars` (placeholders such as
`${OPENAI_API_KEY}` filled from the environment) at `Path(__file__).parent.parent / "config.yaml"`.

The project index did not follow the read through `expandvars`, so the file had no reader: `fix` left it
with the note "no code in this run reads it" (wrong: the package's settings module reads it), and a
client whose OpenAI URL came from it stayed on OpenAI while its key read was kept.
"""

from __future__ import annotations

from pathlib import Path

from helpers import run_cli

SETTINGS = (
    "import os\nfrom pathlib import Path\n\nimport yaml\n\n"
    'CONFIG_PATH = Path(__file__).parent.parent / "config.yaml"\n\n\n'
    "def load_config():\n"
    "    with open(CONFIG_PATH) as f:\n"
    "        return yaml.safe_load(os.path.expandvars(f.read()))\n\n\n"
    "CONFIG = load_config()\n"
)
CHAT = (
    "import os\n\nfrom openai import OpenAI\n\nfrom app.settings import CONFIG\n\n"
    'client = OpenAI(api_key={key}, base_url=CONFIG["llm"]["base_url"])\n\n\n'
    "def ask(q):\n"
    '    return client.chat.completions.create(model=CONFIG["llm"]["model"], messages=[])\n'
)


def _tree(root: Path, key: str, config: str) -> Path:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("", "utf-8")
    (root / "app" / "settings.py").write_text(SETTINGS, "utf-8")
    (root / "app" / "chat.py").write_text(CHAT.format(key=key), "utf-8")
    (root / "config.yaml").write_text(config, "utf-8")
    return root


def test_the_settings_module_is_the_reader_of_the_file(tmp_path: Path) -> None:
    config = "llm:\n  api_key: ${OPENAI_API_KEY}\n  base_url: https://api.openai.com/v1\n  model: gpt-4o\n"
    root = _tree(tmp_path, 'CONFIG["llm"]["api_key"]', config)
    check = run_cli(["check", "--to", "qwen", "--no-cache", "."], root)
    assert "config.yaml:4:10: OFR201" in check.stdout, check.stdout
    assert "takes a value from it" not in check.stdout
    assert "a request in app/chat.py" in check.stdout
    fix = run_cli(["fix", "--to", "qwen", "."], root)
    assert "takes a value from it" not in fix.stderr, fix.stderr
    assert (root / "config.yaml").read_text("utf-8") == config


def test_the_file_moves_with_the_client_that_reads_it(tmp_path: Path) -> None:
    config = "llm:\n  base_url: https://api.openai.com/v1\n  model: gpt-4o\n"
    root = _tree(tmp_path, 'os.environ["OPENAI_API_KEY"]', config)
    run_cli(["fix", "--to", "qwen", "."], root)
    assert (root / "config.yaml").read_text("utf-8") == (
        "llm:\n  base_url: https://dashscope.aliyuncs.com/compatible-mode/v1\n  model: qwen3.8-max\n"
    )
    chat = (root / "app" / "chat.py").read_text("utf-8")
    assert (
        'OpenAI(api_key=os.environ["DASHSCOPE_API_KEY"], base_url="https://dashscope.aliyuncs.com/compatible-mode/v1")'
        in chat
    )
