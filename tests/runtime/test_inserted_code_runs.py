"""Code `fix` inserts works when the program runs, not only when it parses (ARCHITECTURE.md, invariant 6).

Two shapes of issue 14 that compiled and crashed, run with the real SDK and the network replaced:
module configuration that reads the provider's key inserted above the program's `load_dotenv()`
(KeyError at import), and a key read inserted into a function that is executed from its own source,
where the module-level `import os` fix added does not exist (NameError).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import harness
import pytest

from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.settings import Settings

FIX_INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "fix" / "input"
OPENAI_KEY = "sk-old-openai-key-0123456789"

DOTENV_PROGRAM = """import os

import openai
from dotenv import load_dotenv

load_dotenv()

reply = openai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
print(reply.id)
"""

FROM_SOURCE_MAIN = """import inspect

import tools

namespace = {}
exec(inspect.getsource(tools.summarise), namespace)  # a fresh namespace, as a sandbox runs it
print(namespace["summarise"]("hi").id)
"""


def fix(work: Path, name: str, provider_id: str):  # type: ignore[no-untyped-def]
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    (result,) = fix_files([work / name], settings, provider, jobs=1)
    assert result.changed and result.error is None
    return provider


def assert_at_provider(run: harness.RunResult, provider, key: str) -> None:  # type: ignore[no-untyped-def]
    assert len(run.requests) == 1, run.stdout + run.stderr
    (r,) = run.requests
    assert r.host == provider.base_url().split("/")[2], r.url
    assert r.bearer == key, r.headers


@pytest.mark.parametrize("provider_id", ["qwen", "deepseek"])
def test_module_configuration_reads_the_key_after_load_dotenv(provider_id: str, tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    (work / "app.py").write_text(DOTENV_PROGRAM, encoding="utf-8")
    provider = fix(work, "app.py", provider_id)
    (work / ".env").write_text(f"{provider.key_env}=key-from-dotenv\n", encoding="utf-8")
    run = harness.run_program_full(work / "app.py", env={"OPENAI_API_KEY": OPENAI_KEY}, tmp_path=tmp_path / "run")
    assert_at_provider(run, provider, "key-from-dotenv")


@pytest.mark.parametrize("provider_id", ["qwen", "deepseek"])
def test_function_run_from_its_own_source_reads_the_key(provider_id: str, tmp_path: Path) -> None:
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(FIX_INPUTS / "function_own_imports.py", work / "tools.py")
    (work / "main.py").write_text(FROM_SOURCE_MAIN, encoding="utf-8")
    provider = fix(work, "tools.py", provider_id)
    env = {"OPENAI_API_KEY": OPENAI_KEY, provider.key_env: f"key-for-{provider_id}"}
    run = harness.run_program_full(work / "main.py", env=env, tmp_path=tmp_path / "run")
    assert_at_provider(run, provider, f"key-for-{provider_id}")


REGISTRY_TOOLS = """from openai import OpenAI

from registry import register


@register(imports=["openai"])
def summarise(text):
    client = OpenAI(max_retries=0)
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
"""

REGISTRY = '''import inspect
import textwrap

FUNCTIONS = {}


def register(imports):
    def keep(fn):
        FUNCTIONS[fn.__name__] = (imports, textwrap.dedent(inspect.getsource(fn)).split("\\n", 1)[1])
        return fn

    return keep


def run(name, *args):
    """Like babyagi's functionz: the stored text, executed with the declared imports only."""
    imports, source = FUNCTIONS[name]
    namespace = {}
    for module in imports:
        exec(f"from {module} import *", namespace)
    exec(source, namespace)
    return namespace[name](*args)
'''

REGISTRY_MAIN = """import registry
import tools

print(registry.run("summarise", "hi").id)
"""


@pytest.mark.parametrize("provider_id", ["qwen", "deepseek"])
def test_function_a_registry_runs_with_its_declared_imports_reads_the_key(provider_id: str, tmp_path: Path) -> None:
    """babyagi's `@func.register_function(imports=[...])` stores a function's text and runs it with
    the imports it declares: a module-level `import os` is not there (NameError)."""
    work = tmp_path / "project"
    work.mkdir()
    (work / "tools.py").write_text(REGISTRY_TOOLS, encoding="utf-8")
    (work / "registry.py").write_text(REGISTRY, encoding="utf-8")
    (work / "main.py").write_text(REGISTRY_MAIN, encoding="utf-8")
    provider = fix(work, "tools.py", provider_id)
    env = {"OPENAI_API_KEY": OPENAI_KEY, provider.key_env: f"key-for-{provider_id}"}
    run = harness.run_program_full(work / "main.py", env=env, tmp_path=tmp_path / "run")
    assert_at_provider(run, provider, f"key-for-{provider_id}")
