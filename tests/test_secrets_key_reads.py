"""A key read from Streamlit's secrets (`st.secrets["OPENAI_API_KEY"]`, `st.secrets.get(...)`): `check --to`
offers exactly what `fix` does, and a client that moves never keeps an OpenAI secret.

Streamlit's `st.secrets` is read like `os.environ` (its root keys are exported to the environment too), and
the per-file rule renames the key it names. Yesterday fix moved `OpenAI(api_key=st.secrets["OPENAI_API_KEY"])`
with the read renamed while check's route gate, which took the read for an unknown value, said it stayed
(no `[*]`); and `st.secrets.get("DASHSCOPE_API_KEY")` returned None while the secret was not set yet, so
the SDK sent OPENAI_API_KEY (which Streamlit exports from the same secrets file) to the provider.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

CLIENT = (
    "import streamlit as st\nfrom openai import OpenAI\n\n"
    "client = OpenAI(api_key={key})\n"
    'st.write(client.chat.completions.create(model="gpt-4o", messages=[]))\n'
)
QWEN = 'base_url="https://dashscope.aliyuncs.com/compatible-mode/v1", '


def _offered_and_fixed(tmp_path: Path, code: str) -> tuple:
    (tmp_path / "app.py").write_text(code, "utf-8")
    check = run_cli(["check", "--to", "qwen", "--no-cache", "--output-format", "concise", "."], tmp_path)
    offered = sorted(line.split(" ")[1] for line in check.stdout.splitlines() if line.endswith("[*]"))
    proc = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    return offered, (tmp_path / "app.py").read_text("utf-8")


@pytest.mark.parametrize(
    ("key", "moved"),
    [
        ('st.secrets["OPENAI_API_KEY"]', 'st.secrets["DASHSCOPE_API_KEY"]'),
        # (None while the new secret is unset: the SDK would fall back to OPENAI_API_KEY)
        ('st.secrets.get("OPENAI_API_KEY")', 'st.secrets["DASHSCOPE_API_KEY"]'),
        ('st.secrets["openai"]["api_key"]', None),  # a key offramp cannot name: held, with a TODO
    ],
)
def test_check_offers_what_fix_does_with_a_secrets_key(tmp_path: Path, key: str, moved: str) -> None:
    offered, after = _offered_and_fixed(tmp_path, CLIENT.format(key=key))
    if moved is None:
        assert offered == [] and "TODO[offramp]" in after and QWEN not in after
        return
    assert offered == ["OFR101", "OFR201", "OFR301"], offered
    assert f"client = OpenAI({QWEN}api_key={moved})" in after, after
    again = run_cli(["fix", "--to", "qwen", "."], tmp_path)
    assert again.returncode == 0 and (tmp_path / "app.py").read_text("utf-8") == after


def test_a_secrets_key_bound_to_a_name_moves_with_its_client(tmp_path: Path) -> None:
    code = (
        "import streamlit as st\nfrom openai import OpenAI\n\n"
        'key = st.secrets.get("OPENAI_API_KEY")\n'
        "client = OpenAI(api_key=key)\n"
        'st.write(client.chat.completions.create(model="gpt-4o", messages=[]))\n'
    )
    offered, after = _offered_and_fixed(tmp_path, code)
    assert offered == ["OFR101", "OFR201", "OFR301"], offered
    assert 'key = st.secrets["DASHSCOPE_API_KEY"]\n' in after and f"OpenAI({QWEN}api_key=key)" in after, after


def test_the_module_client_keyed_from_secrets_moves_with_its_key(tmp_path: Path) -> None:
    """v0: `openai.api_key = st.secrets[...]` — check held it ("no request offramp can follow reads it")."""
    code = (
        "import streamlit as st\nimport openai\n\n"
        'openai.api_key = st.secrets["OPENAI_API_KEY"]\n'
        'resp = openai.ChatCompletion.create(model="gpt-3.5-turbo", messages=[])\n'
    )
    offered, after = _offered_and_fixed(tmp_path, code)
    assert offered == ["OFR103", "OFR105", "OFR201", "OFR301"], offered
    assert 'openai.api_key = st.secrets["DASHSCOPE_API_KEY"]\nopenai.api_base = "https://dashscope' in after, after
