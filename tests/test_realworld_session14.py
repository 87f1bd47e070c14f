"""Session 14's misses from real projects and the ones session 13 left, each as the smallest program with the shape;
every test fails on the code before its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from helpers import concise_check, run_cli


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_calls_in_with_headers_raise_decorators_match_and_print_arguments_are_call_sites(tmp_path: Path) -> None:
    """A request function called where the index kept no value: a `with` header without `as`, `raise`, a
    decorator, a `match` subject, inside an f-string or an attribute handed to `print`. Each call's model was left
    out of the request's models: fix moved the client to Qwen, those OpenAI models went with it, and check after
    fix said "All checks passed!"."""
    emb = (
        "from openai import OpenAI\n\n\n"
        "def embed(q, client: OpenAI, model):\n"
        "    return client.embeddings.create(model=model, input=q)\n\n\n"
        "def stream(client: OpenAI, model):\n"
        "    return client.chat.completions.with_streaming_response.create(model=model, messages=[])\n"
    )
    main = (
        "from openai import OpenAI\n\nfrom emb import embed, stream\n\nclient = OpenAI()\n\n\n"
        "def a():\n"
        '    with stream(client, "gpt-4o"):\n'
        "        pass\n\n\n"
        "def b(texts):\n"
        '    raise ValueError(embed(texts, client, "text-embedding-3-large"))\n\n\n'
        '@embed("x", client, "text-embedding-ada-002")\n'
        "def c(texts):\n"
        "    pass\n\n\n"
        "def d(texts):\n"
        '    match embed(texts, client, "text-embedding-3-small"):\n'
        "        case _:\n"
        "            pass\n\n\n"
        "def e(texts):\n"
        """    print(f"{embed(texts, client, 'text-embedding-3-large')}")\n\n\n"""
        "def f(texts):\n"
        '    print("x", embed(texts, client, "text-embedding-ada-002").data)\n'
    )
    _write(tmp_path, {"emb.py": emb, "main.py": main})
    lines = {
        line.split(":")[1] for line in concise_check(tmp_path) if line.startswith("main.py:") and " OFR201 " in line
    }
    assert lines == {"9", "14", "17", "23", "29", "33"}, lines
    run_cli(["fix", "--to", "qwen", "."], tmp_path)
    after = (tmp_path / "main.py").read_text("utf-8")
    assert "gpt-4o" not in after and "text-embedding-3" not in after and "text-embedding-ada" not in after, after
    assert concise_check(tmp_path) == ["All checks passed! (2 files checked)"]
