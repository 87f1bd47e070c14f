"""OFR205: retired, redirected and never-served provider ids on requests that already go to the provider.

Code migrated before DeepSeek retired `deepseek-chat` (2026-07-24) fails today; code naming
`deepseek-v4-flash` silently runs on another model. `check` says so wherever the id is written (also a
settings module), `fix --to deepseek` writes the successor the provider file names, and never guesses
for a typo or touches a route to another provider.
"""

from __future__ import annotations

import re
from pathlib import Path

from helpers import run_cli

APP = """import os
from openai import OpenAI
from settings import REASONER

client = OpenAI(base_url="https://api.deepseek.com/v1", api_key=os.environ["DEEPSEEK_API_KEY"])
client.chat.completions.create(model="deepseek-chat", messages=[])
client.chat.completions.create(model=REASONER, messages=[])
client.chat.completions.create(model="deepseek-flsh", messages=[])
client.chat.completions.create(model="deepseek-v4-flash", messages=[])
client.chat.completions.create(model="deepseek-flash", messages=[])
kimi = OpenAI(base_url="https://api.moonshot.cn/v1", api_key=os.environ["MOONSHOT_API_KEY"])
kimi.chat.completions.create(model="moonshot-v1-8k", messages=[])
local = OpenAI(base_url="http://localhost:8000/v1", api_key="x")
local.chat.completions.create(model="deepseek-chat", messages=[])
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, "utf-8")
    (tmp_path / "settings.py").write_text('REASONER = "deepseek-reasoner"\n', "utf-8")
    return tmp_path


def _ofr205(stdout: str) -> list:
    return sorted(m.group(1) for m in re.finditer(r"^(\S+:\d+:\d+:) OFR205 ", stdout, re.M))


def test_check_reports_each_gone_id_where_it_is_written(tmp_path: Path) -> None:
    proc = run_cli(["check", "--select", "OFR205", "."], _project(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert _ofr205(proc.stdout) == [
        "app.py:12:36:",
        "app.py:6:38:",
        "app.py:8:38:",
        "app.py:9:38:",
        "settings.py:1:12:",
    ]
    out = proc.stdout
    assert "DeepSeek model `deepseek-chat` was retired on 2026-07-24, so requests with it fail" in out
    assert "`deepseek-reasoner` was retired on 2026-07-24" in out and "request at app.py:7" in out
    assert (
        "`deepseek-flsh` is not a model DeepSeek serves (request at app.py:8) (did you mean `deepseek-flash`?)" in out
    )
    assert "`deepseek-v4-flash` is an old name DeepSeek now answers with `deepseek-flash`" in out
    assert "Kimi (Moonshot AI) model `moonshot-v1-8k` was retired on 2026-08-31" in out


def test_fix_writes_the_successor_and_nothing_else(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = run_cli(["fix", "--to", "deepseek", "."], root)
    # (the typo and the Kimi id stay, and fix says so as `check --to deepseek` then does; it used to exit 0 on
    # each file's own findings, which do not judge these requests' provider models: the routes do)
    assert proc.returncode == 1 and "2 findings remain" in proc.stderr, proc.stderr
    app = (root / "app.py").read_text("utf-8")
    assert app == (
        APP.replace(
            'model="deepseek-chat", messages=[])\nclient', 'model="deepseek-flash", messages=[])\nclient', 1
        ).replace('"deepseek-v4-flash"', '"deepseek-flash"')
    )
    assert (root / "settings.py").read_text("utf-8") == 'REASONER = "deepseek-flash"\n'
    # the typo, the Kimi route (another provider) and the local server stay; a second run changes nothing
    after = run_cli(["check", "--select", "OFR205", "."], root)
    assert _ofr205(after.stdout) == ["app.py:12:36:", "app.py:8:38:"]
    again = run_cli(["fix", "--to", "deepseek", "."], root)
    assert "Rewrote 0 files" in again.stderr and (root / "app.py").read_text("utf-8") == app


def test_fix_to_another_provider_leaves_deepseek_ids_alone(tmp_path: Path) -> None:
    root = _project(tmp_path)
    proc = run_cli(["check", "--to", "qwen", "--select", "OFR205", "."], root)
    assert "[*]" not in "".join(line for line in proc.stdout.splitlines() if " OFR205 " in line)
    run_cli(["fix", "--to", "qwen", "."], root)
    assert (root / "app.py").read_text("utf-8") == APP
    assert (root / "settings.py").read_text("utf-8") == 'REASONER = "deepseek-reasoner"\n'


# -- configuration files: the id beside the provider's endpoint ----------------------------------

CONFIGS = {
    ".env": "DEEPSEEK_BASE_URL=https://api.deepseek.com/v1\nDEEPSEEK_MODEL=deepseek-chat\n"
    "OTHER_MODEL=deepseek-flash\nTYPO_MODEL=deepseek-flsh\n",
    "config.yaml": "llm:\n  base_url: https://api.moonshot.cn/v1\n  model: moonshot-v1-8k\n"
    "  fallback_model: kimi-k2.6\n",
    "local.yaml": "llm:\n  base_url: http://localhost:8000/v1\n  model: deepseek-chat\n",
    "plain.yaml": "llm:\n  model: deepseek-chat\n",  # no endpoint: nothing says where it goes
}


def test_config_files_naming_a_retired_id_beside_the_providers_endpoint(tmp_path: Path) -> None:
    for name, text in CONFIGS.items():
        (tmp_path / name).write_text(text, "utf-8")
    out = run_cli(["check", "."], tmp_path).stdout
    assert _ofr205(out) == [".env:2:16:", ".env:4:12:", "config.yaml:3:10:"]
    assert "DeepSeek model `deepseek-chat` was retired on 2026-07-24" in out
    assert "(with the endpoint on line 1 of this file): use `deepseek-flash`" in out
    assert "`moonshot-v1-8k` was retired on 2026-08-31" in out and "use `kimi-k2.6`" in out
    assert "did you mean `deepseek-flash`?" in out
    # the same with a target; not offered as fixable: fix leaves configuration values it did not derive
    targeted = run_cli(["check", "--to", "deepseek", "."], tmp_path).stdout
    assert _ofr205(targeted) == _ofr205(out) and "OFR205" in targeted
    assert not re.search(r"OFR205 .*\[\*\]", targeted)
    run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    assert (tmp_path / ".env").read_text("utf-8") == CONFIGS[".env"]


# -- check's [*] is what fix does ---------------------------------------------------------------

HELD = """import os
from openai import OpenAI

ok = OpenAI(base_url="https://api.deepseek.com/v1", api_key=os.environ["DEEPSEEK_API_KEY"])
ok.chat.completions.create(model="deepseek-chat", messages=[])
own = OpenAI(base_url="https://api.deepseek.com/v1", api_key=os.environ["MY_KEY"])
own.chat.completions.create(model="deepseek-reasoner", messages=[])
"""


def test_check_offers_only_the_successors_fix_writes(tmp_path: Path) -> None:
    """A request whose key is one fix does not move (`MY_KEY`) stays as it is, model included (the
    route gate holds it): check said `[*]` for its retired id and fix then left it."""
    (tmp_path / "app.py").write_text(HELD, "utf-8")
    proc = run_cli(["check", "--to", "deepseek", "--select", "OFR205", "."], tmp_path)
    lines = {ln.split(" ", 1)[0]: ln for ln in proc.stdout.splitlines() if re.match(r"\S+:\d+:\d+: OFR205 ", ln)}
    assert sorted(lines) == ["app.py:5:34:", "app.py:7:35:"], proc.stdout
    assert lines["app.py:5:34:"].endswith("[*]") and not lines["app.py:7:35:"].endswith("[*]")
    assert "a credential that is not DeepSeek's" in proc.stdout
    run_cli(["fix", "--to", "deepseek", "."], tmp_path)
    fixed = (tmp_path / "app.py").read_text("utf-8")
    assert fixed == HELD.replace('"deepseek-chat"', '"deepseek-flash"')
