"""`fix --to chat=deepseek,embeddings=qwen`, run: each request at its family's provider, whole.

The fixture programs (tests/fixtures/fix/families/input/) send chat and embeddings through one
client, one async client on `self`, and one Azure OpenAI client (a chat and an embeddings
deployment). After `fix` every chat request must reach DeepSeek's host with the DeepSeek key and a
DeepSeek model, and every embeddings request DashScope's host with the DashScope key and a Qwen
embedding model: the provider emulation refuses a model the host does not serve, and the
credential-flow oracle (oracle.py) every secret sent to a host it is not meant for, the Azure key
included. With the provider variables unset the program may fail, but sends no other secret.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import harness
from emulation import spec_for
from oracle import Oracle

from offramp.engine import resolve_targets
from offramp.fixes.runner import fix_files
from offramp.providers import builtin_providers
from offramp.settings import Settings

INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "fix" / "families" / "input"
MAIN = """
import asyncio

import azure_client
import shared

print(shared.answer("hi"))
print(len(shared.embed("hello")))
print(asyncio.run(shared.Index().search("q")))
print(azure_client.summarise("text"), len(azure_client.vector("text")))
"""


def test_each_family_reaches_its_provider_with_its_key(tmp_path: Path) -> None:
    work = tmp_path / "app"
    work.mkdir()
    for name in ("shared.py", "azure_client.py"):
        shutil.copy(INPUTS / name, work / name)
    (work / "main.py").write_text(MAIN, encoding="utf-8")
    s = Settings(root=work, target="chat=deepseek,embeddings=qwen")
    targets = resolve_targets(s)
    assert targets is not None
    results = fix_files([work / "shared.py", work / "azure_client.py", work / "main.py"], s, targets.default, jobs=1)
    assert all(r.error is None for r in results) and results[0].changed and results[1].changed

    deepseek, qwen = builtin_providers()["deepseek"], builtin_providers()["qwen"]
    oracle = Oracle.build(builtin_providers().values())
    emulate = {"OFFRAMP_EMULATE": spec_for(deepseek, qwen)}
    run = harness.run_program_full(work / "main.py", env={**oracle.env(), **emulate}, tmp_path=tmp_path / "run")
    oracle.check(run.requests, "migrated")
    paths = sorted(r.path.rsplit("/", 1)[-1] for r in run.requests)
    assert paths == ["completions"] * 3 + ["embeddings"] * 3, paths
    for r in run.requests:
        if r.path.endswith("/chat/completions"):
            assert r.host in deepseek.hosts and r.bearer == oracle.secret_of("DEEPSEEK_API_KEY")
            assert r.json["model"] in set(deepseek.models.values()), r.json["model"]
        else:
            assert r.host in qwen.hosts and r.bearer == oracle.secret_of("DASHSCOPE_API_KEY")
            assert r.json["model"] == qwen.models["embedding-small"], r.json["model"]

    unset = oracle.env(unset=[deepseek.key_env, qwen.key_env])
    bare = harness.run_program_full(
        work / "main.py", env={**unset, **emulate}, tmp_path=tmp_path / "unset", check=False
    )
    oracle.check(bare.requests, "provider variables unset")
    assert bare.returncode != 0 and "DEEPSEEK_API_KEY" in bare.stderr
