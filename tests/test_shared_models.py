"""A model constant of another module shared by a request that moves and one that stays (project/sharedmodels.py).

`MODEL = "gpt-4o"` in settings.py, sent by `client` (plain `OpenAI()`, movable) in app.py and by a second request that
stays: a client at Qwen's URL with Qwen's key (with `--to deepseek` it does not move), or an `OpenAI(api_key=
fetch_key())` whose key offramp cannot follow. The same code in one file is the reference: the literal stays for the
request that stays (invariant 2), and `client` is held with it ("its model `gpt-4o` stays: ..."), with no [*].
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
from helpers import run_cli

SETTINGS = 'MODEL = "gpt-4o"\n'
CLIENT = """client = OpenAI()


def ask(q):
    return client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])
"""
# (the imports of the request that stays, and its code)
STAYS = {
    "qwen": (
        "import os\n",
        'other = OpenAI(base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", '
        'api_key=os.environ["DASHSCOPE_API_KEY"])\n',
    ),
    "vault": ("from vault import fetch_key\n", "other = OpenAI(api_key=fetch_key())\n"),
}
OTHER_ASK = """

def other_ask(q):
    return other.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}])
"""


def _project(root: Path, stays: str, one: bool) -> Path:
    """settings.py, app.py (`client`) and other.py (the request that stays); `one`: all of it in app.py."""
    root.mkdir()
    imports, other = STAYS[stays]
    head = "from openai import OpenAI\n\n"
    if one:
        (root / "app.py").write_text(imports + head + SETTINGS + other + CLIENT + OTHER_ASK, "utf-8")
    else:
        here = "from settings import MODEL\n\n"
        (root / "settings.py").write_text(SETTINGS, "utf-8")
        (root / "app.py").write_text(head + here + CLIENT, "utf-8")
        (root / "other.py").write_text(imports + head + here + other + OTHER_ASK, "utf-8")
    return root


def _check(root: Path, to: str) -> str:
    return run_cli(["check", "--no-cache", "--output-format", "concise", "--to", to, "."], root).stdout


def _texts(root: Path) -> Dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted(root.glob("*.py"))}


@pytest.mark.parametrize(("stays", "to"), [("qwen", "deepseek"), ("vault", "qwen"), ("vault", "deepseek")])
def test_a_model_constant_shared_with_a_request_that_stays_holds_the_other_request_as_one_file_does(
    tmp_path: Path, stays: str, to: str
) -> None:
    """Across files check offered the client and the constant `[*]`, and fix moved `client` to the provider with
    `gpt-4o` (after which check said OFR204) or, where the staying request is at Qwen, rewrote the constant to
    DeepSeek's id, sending it to DashScope ("All checks passed!"). One file holds `client` with a TODO."""
    one, split = _project(tmp_path / "one", stays, True), _project(tmp_path / "split", stays, False)
    for root in (one, split):
        out = _check(root, to)
        assert "[*]" not in out and "OFR201 OpenAI model `gpt-4o`" in out, out
    before = _texts(split)
    run_cli(["fix", "--to", to, "."], split)
    after = _texts(split)
    kept = "".join(line for line in after["other.py"].splitlines(True) if not line.startswith("# TODO[offramp]"))
    assert after["settings.py"] == before["settings.py"] and kept == before["other.py"], after
    assert "its model `gpt-4o` stays" in after["app.py"] and "base_url" not in after["app.py"], after["app.py"]
    again = _check(split, to)
    # (no request of app.py sends `gpt-4o` to the provider: the Qwen request's OFR204 is the one the code had)
    assert not any("OFR204" in line and "app.py:" in line.split("(request")[-1] for line in again.splitlines()), again
    assert "All checks passed!" not in again, again


def test_shared_with_a_request_at_the_chosen_provider_the_constant_and_the_client_move(tmp_path: Path) -> None:
    """With `--to qwen` the request at Qwen's URL is already at the chosen provider: the constant becomes Qwen's id,
    `client` moves with it, and the migration completes (unchanged)."""
    split = _project(tmp_path / "split", "qwen", False)
    assert "[*]" in _check(split, "qwen")
    run_cli(["fix", "--to", "qwen", "."], split)
    after = _texts(split)
    assert after["settings.py"] == 'MODEL = "qwen3.8-max"\n', after["settings.py"]
    assert "dashscope.aliyuncs.com" in after["app.py"], after["app.py"]
    assert "All checks passed!" in _check(split, "qwen")
