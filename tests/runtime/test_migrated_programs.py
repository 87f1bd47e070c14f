"""Migrated programs run with the real openai SDK and really talk to the provider.

Each program in tests/fixtures/runtime/ is written for OpenAI or Azure OpenAI. The test runs
`offramp fix --to PROVIDER` on a copy, then executes it with the network replaced at the
transport level (see harness.py), and asserts that every request goes to the provider's host
and base path, authenticates with `Bearer <provider key>` and names the model the provider
data maps the original model to. A string comparison of the rewritten source could not catch
SDK quirks such as the module client's base_url needing a trailing slash; these tests do.

Every shipped provider is covered, and everything expected (host, path, key variable, model)
is derived from its rules/providers/*.toml data. The programs of one SDK flavour run in one
interpreter that imports the SDK once and forks per program (batch.py); a module fixture
migrates and runs only the cases that pytest selected.
"""

from __future__ import annotations

import shutil
import traceback
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pytest
from batch import Job, JobResult, run_batch
from harness import CapturedRequest, HarnessError

from offramp.catalog import load_sdk
from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.mapping import map_model
from offramp.providers import Provider, builtin_providers
from offramp.settings import Settings

PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"
PROVIDERS = tuple(sorted(builtin_providers()))
CHAT_PROGRAMS = ("v1_client.py", "v1_azure.py", "v1_azure_key.py", "v1_module_client.py", "v1_module_azure.py")
V0_PROGRAMS = ("v0_legacy.py", "v0_openai.py")
EMBEDDINGS_PROGRAM = "v1_async_embeddings.py"
# The OpenAI model or Azure deployment name each program sends, in request order.
SOURCE_MODELS = {
    "v1_client.py": ("gpt-4o", "gpt-4o-mini"),
    "v1_azure.py": ("gpt-4o-mini",),
    "v1_azure_key.py": ("gpt-35-turbo",),
    "v1_module_client.py": ("gpt-4.1",),
    "v1_module_azure.py": ("gpt-4o",),
    EMBEDDINGS_PROGRAM: ("text-embedding-3-small", "o3-mini"),
    "v0_legacy.py": ("gpt-35-turbo",),
    "v0_openai.py": ("gpt-3.5-turbo",),
    "v1_key_reads_unset.py": ("gpt-4o-mini",) * 4,  # test_key_fallback.py runs it
}
# Old variables are set too: a migrated program must not use them.
OLD_ENV = {
    "OPENAI_API_KEY": "sk-old-openai-key",
    "AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com",
    "AZURE_OPENAI_API_KEY": "old-azure",
    "AZURE_OPENAI_KEY": "old-azure",
}


def _provider(provider_id: str) -> Provider:
    return builtin_providers()[provider_id]


def target_for(model: str, provider: Provider) -> Optional[str]:
    return map_model(model, provider, load_sdk(), {}).target


def serves_embeddings(provider_id: str) -> bool:
    p = _provider(provider_id)
    return p.endpoint("embeddings") != "no" and target_for("text-embedding-3-small", p) is not None


EMBEDDING_PROVIDERS = tuple(p for p in PROVIDERS if serves_embeddings(p))
NO_EMBEDDING_PROVIDERS = tuple(p for p in PROVIDERS if _provider(p).endpoint("embeddings") == "no")


def key_for(provider: Provider) -> str:
    return f"key-for-{provider.id}"


def env_for(provider: Provider) -> Dict[str, str]:
    return {provider.key_env: key_for(provider), **OLD_ENV}


def migrate(name: str, provider_id: str, tmp_path: Path) -> Tuple[Path, Provider]:
    work = tmp_path / "project"
    work.mkdir(parents=True)
    target = work / name
    shutil.copy(PROGRAMS / name, target)
    settings = Settings(root=work)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    (result,) = fix_files([target], settings, provider, jobs=1)
    assert result.error is None, result.error
    assert result.changed
    return target, provider


def assert_at_provider(requests: List[CapturedRequest], provider: Provider, program: str) -> None:
    assert requests, "the program sent no request"
    base = provider.base_url()
    host = base.split("/")[2]
    base_path = "/" + base.split("/", 3)[3] if base.count("/") > 2 else ""
    sources = SOURCE_MODELS[program]
    assert len(requests) == len(sources), [r.url for r in requests]
    for r, source in zip(requests, sources):
        assert r.host == host, f"request went to {r.url}"
        assert r.path.startswith(base_path + "/"), f"unexpected path {r.path} (base {base})"
        assert "//" not in r.path and not r.path[len(base_path) + 1 :].startswith("v1"), r.path
        assert r.headers.get("authorization") == f"Bearer {key_for(provider)}", r.headers
        assert "api-key" not in r.headers  # no Azure key header left behind
        assert "openai-organization" not in r.headers
        assert r.json is not None, r.body
        expected = target_for(source, provider)
        if expected is None:  # no equivalent: the model is left as written (and reported)
            assert r.json.get("model") == source, r.json
        else:
            assert r.json.get("model") == expected, (source, r.json)
            assert expected in set(provider.models.values())


# -- batches -------------------------------------------------------------------------------------

Case = Tuple[str, str]  # (program, provider id)


def _selected(request: pytest.FixtureRequest, test_name: str) -> List[Case]:
    """The (program, provider) cases of `test_name` that this pytest run will execute."""
    cases = []
    for item in request.session.items:
        if getattr(item, "originalname", None) != test_name or getattr(item, "module", None) is not request.module:
            continue
        params = item.callspec.params
        cases.append((params.get("program", EMBEDDINGS_PROGRAM), params["provider_id"]))
    return sorted(set(cases))


class Outcome:
    def __init__(self, provider: Provider, program: str, result: Optional[JobResult], error: Optional[str]) -> None:
        self.provider, self.program, self.result, self.error = provider, program, result, error

    def requests(self) -> List[CapturedRequest]:
        if self.error is not None:
            pytest.fail(self.error, pytrace=False)
        assert self.result is not None
        return self.result.checked()


def _migrate_and_run(
    cases: Sequence[Case], tmp: Path, sdk: str, preload: Sequence[str] = ("openai",)
) -> Dict[Case, Outcome]:
    outcomes: Dict[Case, Outcome] = {}
    jobs: List[Job] = []
    for program, pid in cases:
        provider = _provider(pid)
        try:
            path, provider = migrate(program, pid, tmp / pid / program.replace(".", "_"))
        except Exception:
            outcomes[(program, pid)] = Outcome(provider, program, None, "migration failed:\n" + traceback.format_exc())
            continue
        jobs.append(Job(f"{pid}:{program}", path, env_for(provider)))
    results = run_batch(jobs, tmp_path=tmp / "runs", sdk=sdk, preload=preload)
    for job in jobs:
        pid, program = job.name.split(":", 1)
        outcomes[(program, pid)] = Outcome(_provider(pid), program, results[job.name], None)
    return outcomes


@pytest.fixture(scope="module")
def v1_outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Dict[Case, Outcome]:
    cases = _selected(request, "test_v1_program_reaches_provider") + _selected(
        request, "test_async_embeddings_reach_provider"
    )
    return _migrate_and_run(cases, tmp_path_factory.mktemp("v1"), "v1")


@pytest.fixture(scope="module")
def v0_outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, v0_python: Path
) -> Dict[Case, Outcome]:
    cases = _selected(request, "test_v0_program_reaches_provider")
    return _migrate_and_run(cases, tmp_path_factory.mktemp("v0"), "v0")


# -- tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider_id", PROVIDERS)
@pytest.mark.parametrize("program", CHAT_PROGRAMS)
def test_v1_program_reaches_provider(program: str, provider_id: str, v1_outcomes: Dict[Case, Outcome]) -> None:
    outcome = v1_outcomes[(program, provider_id)]
    assert_at_provider(outcome.requests(), outcome.provider, program)


@pytest.mark.parametrize("provider_id", EMBEDDING_PROVIDERS)
def test_async_embeddings_reach_provider(provider_id: str, v1_outcomes: Dict[Case, Outcome]) -> None:
    outcome = v1_outcomes[(EMBEDDINGS_PROGRAM, provider_id)]
    requests = outcome.requests()
    assert [r.path.rsplit("/", 1)[-1] for r in requests] == ["embeddings", "completions"]
    assert_at_provider(requests, outcome.provider, EMBEDDINGS_PROGRAM)
    assert requests[0].json["model"] == outcome.provider.models["embedding-small"]


@pytest.mark.parametrize("provider_id", NO_EMBEDDING_PROVIDERS)
def test_embeddings_without_provider_support_get_a_todo(provider_id: str, tmp_path: Path) -> None:
    path, provider = migrate(EMBEDDINGS_PROGRAM, provider_id, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert f"# TODO[offramp]: {provider.name} does not serve the OpenAI `embeddings` API (OFR401)" in text
    assert "text-embedding-3-small" in text  # no invented model


@pytest.mark.parametrize("provider_id", PROVIDERS)
@pytest.mark.parametrize("program", V0_PROGRAMS)
def test_v0_program_reaches_provider(program: str, provider_id: str, v0_outcomes: Dict[Case, Outcome]) -> None:
    outcome = v0_outcomes[(program, provider_id)]
    assert_at_provider(outcome.requests(), outcome.provider, program)


def test_every_provider_and_program_is_covered() -> None:
    assert set(PROVIDERS) == set(builtin_providers()) and len(PROVIDERS) >= 13
    assert set(EMBEDDING_PROVIDERS) | set(NO_EMBEDDING_PROVIDERS) <= set(PROVIDERS)
    assert {"qwen", "glm"} <= set(EMBEDDING_PROVIDERS) and {"deepseek", "kimi"} <= set(NO_EMBEDDING_PROVIDERS)
    on_disk = {p.name for p in PROGRAMS.glob("v[01]_*.py")}
    assert on_disk == set(SOURCE_MODELS), "a runtime program without expected models (or a stale entry)"


def test_unmigrated_program_still_goes_to_openai(tmp_path: Path, run_program) -> None:
    """The control: without the fix the same program calls api.openai.com, so the assertions above can fail."""
    requests = run_program(PROGRAMS / "v1_module_client.py", env={"OPENAI_API_KEY": "sk-old-openai-key"})
    assert [r.host for r in requests] == ["api.openai.com"]


def test_batch_isolates_programs_and_reports_failures(tmp_path: Path) -> None:
    """The forked batch must be as strict as one process per program: no state leaks, no silent pass."""
    progs = {
        "sets_module_base": "import openai\nopenai.api_key = 'k'\nopenai.base_url = 'https://elsewhere.example/v1/'\n"
        "openai.max_retries = 0\nopenai.chat.completions.create(model='m', messages=[])\n",
        "module_default": "import os, openai\nassert 'ONLY_FIRST' not in os.environ\nopenai.max_retries = 0\n"
        "openai.chat.completions.create(model='m', messages=[])\n",
        "exits_3": "import sys\nprint('bye')\nsys.exit(3)\n",
        "escapes": "import socket\ntry:\n    socket.create_connection(('93.184.216.34', 443), timeout=1)\n"
        "except OSError:\n    pass\n",
    }
    jobs = []
    for name, text in progs.items():
        script = tmp_path / f"{name}.py"
        script.write_text(text, encoding="utf-8")
        env = {"OPENAI_API_KEY": "sk-old"}
        if name == "sets_module_base":
            env["ONLY_FIRST"] = "1"
        jobs.append(Job(name, script, env))
    results = run_batch(jobs, tmp_path=tmp_path / "runs")
    assert [r.host for r in results["sets_module_base"].checked()] == ["elsewhere.example"]
    assert [r.host for r in results["module_default"].checked()] == ["api.openai.com"]
    with pytest.raises(HarnessError, match=r"exited non-zero(.|\n)*bye"):
        results["exits_3"].checked()
    with pytest.raises(HarnessError, match="bypassed the intercepted transports"):
        results["escapes"].checked()
    with pytest.raises(ValueError, match="OPENAI_BASE_URL"):
        run_batch([Job("a", jobs[0].script, {"OPENAI_BASE_URL": "x"}), Job("b", jobs[0].script, {})], tmp_path=tmp_path)
