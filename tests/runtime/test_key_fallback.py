"""A migrated program never sends the OpenAI key to the provider, also while the provider's variable is unset.

`OpenAI(api_key=None)` reads OPENAI_API_KEY itself: a key read renamed to `os.getenv("DASHSCOPE_API_KEY")`
returned None on a machine that still had only the OpenAI key, and the SDK sent that key to DashScope
(ARCHITECTURE.md, invariant 4). Run against the real SDK with the network replaced: without the
provider's variable every attempt fails or stays off, and no request carries the OpenAI key; with it,
every attempt reaches the provider with the provider's key.
"""

from __future__ import annotations

from pathlib import Path

import harness
import pytest
from test_migrated_programs import migrate

PROGRAM = Path(__file__).resolve().parents[1] / "fixtures" / "runtime" / "v1_key_reads_unset.py"
OPENAI_KEY = "sk-old-openai-key-0123456789"
ATTEMPTS = ("direct", "through_a_name", "optional_feature", "module_client")


def outcomes(stdout: str) -> dict:
    return dict(line.split(" ", 1) for line in stdout.splitlines() if line.split(" ", 1)[0] in ATTEMPTS)


@pytest.mark.parametrize("provider_id", ["qwen", "deepseek"])
def test_no_openai_key_when_provider_variable_unset(provider_id: str, tmp_path: Path) -> None:
    target, _ = migrate(PROGRAM.name, provider_id, tmp_path)
    run = harness.run_program_full(target, env={"OPENAI_API_KEY": OPENAI_KEY}, tmp_path=tmp_path / "run")
    for r in run.requests:
        assert OPENAI_KEY not in r.url and not any(OPENAI_KEY in v for v in r.headers.values()), (
            f"the OpenAI key went to {r.url}"
        )
    assert outcomes(run.stdout) == {
        "direct": "failed KeyError",  # os.environ["<provider key>"]: fails loudly, naming the variable
        "through_a_name": "failed KeyError",
        "optional_feature": "off",  # os.environ.get("<provider key>", ""): the switch still works
        "module_client": "failed KeyError",
    }, run.stdout + run.stderr


@pytest.mark.parametrize("provider_id", ["qwen", "deepseek"])
def test_provider_key_when_set(provider_id: str, tmp_path: Path) -> None:
    target, provider = migrate(PROGRAM.name, provider_id, tmp_path)
    env = {"OPENAI_API_KEY": OPENAI_KEY, provider.key_env: f"key-for-{provider_id}"}
    run = harness.run_program_full(target, env=env, tmp_path=tmp_path / "run")
    assert outcomes(run.stdout) == dict.fromkeys(ATTEMPTS, "sent"), run.stdout + run.stderr
    host = provider.base_url().split("/")[2]
    assert len(run.requests) == len(ATTEMPTS)
    for r in run.requests:
        assert r.host == host, r.url
        assert r.bearer == f"key-for-{provider_id}", r.headers
