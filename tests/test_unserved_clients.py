"""A client whose every request the provider cannot answer stays, whole, with a TODO (project/unserved.py).

DeepSeek serves no embeddings. Before, `fix --to deepseek` gave an embeddings-only client DeepSeek's URL and
key and left its OpenAI model: host and credential moved, the model could not, and every request failed at
the new host, while check offered the client as `[*]`. A client that also sends requests the provider
answers still moves; with `--to deepseek,embeddings=qwen` the embeddings go to Qwen, whole.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest
from helpers import run_cli

EMBED_ONLY = """from openai import OpenAI

client = OpenAI()


def embed(texts):
    return client.embeddings.create(input=texts, model="text-embedding-3-small")
"""

V0_EMBED_ONLY = """import openai


def embed(texts, model="text-embedding-ada-002"):
    return [d["embedding"] for d in openai.Embedding.create(input=texts, model=model)["data"]]
"""

CHAT_AND_EMBED = """from openai import OpenAI

client = OpenAI()


def ask(q):
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": q}])


def embed(texts):
    return client.embeddings.create(input=texts, model="text-embedding-3-small")
"""

# The client in one module, its only request (embeddings) in another.
FACTORY = "from openai import OpenAI\n\nclient = OpenAI()\n"
CALLER = """from factory import client


def embed(texts):
    return client.embeddings.create(input=texts, model="text-embedding-3-small")
"""


def _project(tmp_path: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def _concise(root: Path, *to: str) -> str:
    proc = run_cli(["check", *to, "--no-cache", "--output-format", "concise", "."], root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def _fix(root: Path, *to: str) -> None:
    proc = run_cli(["fix", *to, "."], root)
    assert proc.returncode in (0, 1), proc.stderr


@pytest.mark.parametrize(
    ("files", "site"),
    [
        ({"app.py": EMBED_ONLY}, "app.py:3:10: OFR101"),
        ({"app.py": V0_EMBED_ONLY}, "app.py:5:37: OFR105"),
        ({"factory.py": FACTORY, "caller.py": CALLER}, "factory.py:3:10: OFR101"),
    ],
    ids=["client", "v0-module-client", "client-in-another-module"],
)
def test_a_client_the_provider_answers_no_request_of_stays_whole(tmp_path: Path, files: Dict[str, str], site: str):
    root = _project(tmp_path, files)
    before = _concise(root, "--to", "deepseek")
    assert site in before and not any(line.startswith(site) and line.endswith("[*]") for line in before.splitlines())
    _fix(root, "--to", "deepseek")
    text = "\n".join((root / name).read_text("utf-8") for name in files)
    assert "deepseek.com" not in text and "DEEPSEEK_API_KEY" not in text  # neither host nor key moved alone
    assert "does not serve the OpenAI `embeddings` API this client is used for" in text  # the TODO says why
    after = _concise(root, "--to", "deepseek")
    path, code = site.split(":")[0], site.split()[-1]
    # still reported: the request still goes to OpenAI
    assert any(line.startswith(path + ":") and f" {code} " in line for line in after.splitlines())
    assert not [line for line in after.splitlines() if line.endswith("[*]")]


def test_a_client_that_also_sends_requests_the_provider_answers_moves(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app.py": CHAT_AND_EMBED})
    assert "app.py:3:10: OFR101" in _concise(root, "--to", "deepseek")
    assert any(
        line.startswith("app.py:3:10: OFR101") and line.endswith("[*]")
        for line in _concise(root, "--to", "deepseek").splitlines()
    )
    _fix(root, "--to", "deepseek")
    text = (root / "app.py").read_text("utf-8")
    assert 'base_url="https://api.deepseek.com' in text and 'os.environ["DEEPSEEK_API_KEY"]' in text
    assert "does not serve the OpenAI `embeddings` API (OFR401)" in text  # the embeddings request's own TODO


def test_a_family_target_that_serves_the_requests_moves_the_client(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app.py": EMBED_ONLY})
    to = ("--to", "deepseek,embeddings=qwen")
    assert any(line.endswith("[*]") for line in _concise(root, *to).splitlines())
    _fix(root, *to)
    text = (root / "app.py").read_text("utf-8")
    assert "dashscope" in text and "DASHSCOPE_API_KEY" in text and "text-embedding-3-small" not in text


def test_a_model_mapped_by_the_user_is_served(tmp_path: Path) -> None:
    """[tool.offramp.models] can name an id the catalogue has no equivalent for: then the client moves."""
    root = _project(tmp_path, {"app.py": EMBED_ONLY})
    (root / "pyproject.toml").write_text(
        '[tool.offramp.models]\n"text-embedding-3-small" = "qwen-embed-custom"\n', "utf-8"
    )
    assert any(line.endswith("[*]") for line in _concise(root, "--to", "qwen").splitlines())


def test_second_fix_changes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app.py": EMBED_ONLY, "b.py": V0_EMBED_ONLY})
    _fix(root, "--to", "deepseek")
    first = {p: (root / p).read_bytes() for p in ("app.py", "b.py")}
    _fix(root, "--to", "deepseek")
    assert first == {p: (root / p).read_bytes() for p in ("app.py", "b.py")}
    for name in ("app.py", "b.py"):
        compile((root / name).read_text("utf-8"), name, "exec")
