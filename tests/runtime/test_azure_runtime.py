"""Azure programs after `fix --to P`, run with the real SDK (v0 and v1): moved whole, or not at all.

The fix fixtures about Azure conversion (tests/fixtures/fix/input/) are migrated, given a call at
the end, and run under the harness with every origin holding its own secret: OpenAI's key, the
Azure key variables, an Azure AD token variable, a key in the app's own config module. A program
that moves must send every request to the provider's host and base path, with the provider's key
as the only credential, a provider model in the body, no `/engines/` or `/deployments/` path, no
`api-version` query and none of those secrets anywhere (header, URL, body). A program whose route
cannot move whole (a deployment with no provider model) must still go to Azure, with Azure's key,
and never carry the provider's key. Without the fix the same programs go to Azure (the control).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from batch import Job, JobResult, run_batch
from harness import CapturedRequest

from offramp.engine import resolve_provider
from offramp.fixes.runner import fix_files
from offramp.providers import Provider, builtin_providers
from offramp.settings import Settings

INPUT = Path(__file__).resolve().parents[1] / "fixtures" / "fix" / "input"
PROVIDERS = ("qwen", "deepseek", "glm", "kimi")
MESSAGES = "[{'role': 'user', 'content': 'hi'}]"
AZURE_HOST = "contoso.openai.azure.com"
FOREIGN = {
    "OPENAI_API_KEY": "sk-openai-secret-0001",
    "AZURE_OPENAI_API_KEY": "azure-key-secret-0002",
    "AZURE_OPENAI_KEY": "azure-key-secret-0002",
    "AZURE_OPENAI_AD_TOKEN": "aad-token-secret-0003",
    "AZURE_OPENAI_ENDPOINT": f"https://{AZURE_HOST}/",
}
CONFIG_SECRET = "azure-config-secret-0004"  # the app's own settings module (azure_v1_credentials.py)
SECRETS = {v for k, v in FOREIGN.items() if k != "AZURE_OPENAI_ENDPOINT"} | {CONFIG_SECRET}

# fixture -> (SDK, the call appended to the migrated program, requests it sends, does it move)
PROGRAMS: Dict[str, Tuple[str, str, int, bool]] = {
    "azure_v0_ad_token.py": ("v0", f"print(chat({MESSAGES}))", 1, True),
    "azure_v0_v1_names.py": ("v0", "print(ask('hi'))", 1, True),
    "azure_module_in_class.py": (
        "v0",
        f"print(AzureChat('https://{AZURE_HOST}/').ask({MESSAGES}))\nprint(ask_openai({MESSAGES}))",
        2,
        True,
    ),
    "legacy_v0.py": ("v0", f"print(chat({MESSAGES}))\nprint(chat_custom({MESSAGES}))", 2, True),
    "azure_v0_unmapped_deployment.py": ("v0", f"print(summarise({MESSAGES}))\nprint(classify({MESSAGES}))", 2, False),
    "azure_module_sdk_forms.py": ("v1", "print(ask('hi'))", 1, True),
    "module_azure.py": ("v1", "", 1, True),
    "azure_plain_client_by_hand.py": ("v1", "print(ask('hi').id)", 2, True),
    "azure_subclass.py": ("v1", "print(SearchClient().chat.completions.create(model=MODEL, messages=[]).id)", 1, True),
    "azure_v1_credentials.py": (
        "v1",
        "print(ask('hi'))\n"
        "for c in (from_config, from_env):\n"
        "    print(c.chat.completions.create(model=MODEL, messages=[]).id)",  # MODEL: the provider's flagship
        3,
        True,
    ),
}
# A stand-in for azure.identity next to each program: the AD token it hands out is a secret of its own,
# so a migrated program that still fetched and sent it would be caught, not stopped by an ImportError.
FAKE_AZURE_IDENTITY = """import collections, os
AccessToken = collections.namedtuple("AccessToken", "token expires_on")
class DefaultAzureCredential:
    def get_token(self, *scopes, **kwargs):
        return AccessToken(os.environ["AZURE_OPENAI_AD_TOKEN"], 2**31)
def get_bearer_token_provider(credential, *scopes):
    return lambda: credential.get_token(*scopes).token
"""
SETTINGS_MODULE = f"class config:\n    azure_openai_key = {CONFIG_SECRET!r}\n    endpoint = 'https://{AZURE_HOST}/'\n"


def _provider(provider_id: str) -> Provider:
    return builtin_providers()[provider_id]


def _key(provider: Provider) -> str:
    return f"key-for-{provider.id}"


def _project(program: str, where: Path) -> Path:
    where.mkdir(parents=True)
    shutil.copy(INPUT / program, where / program)
    (where / "settings.py").write_text(SETTINGS_MODULE, encoding="utf-8")
    (where / "azure" / "identity").mkdir(parents=True)
    (where / "azure" / "__init__.py").write_text("", encoding="utf-8")
    (where / "azure" / "identity" / "__init__.py").write_text(FAKE_AZURE_IDENTITY, encoding="utf-8")
    return where / program


def _migrate(program: str, provider_id: str, where: Path) -> Path:
    target = _project(program, where)
    settings = Settings(root=where)
    provider = resolve_provider(provider_id, settings)
    assert provider is not None
    (result,) = fix_files([target], settings, provider, jobs=1)
    assert result.error is None, result.error
    return target


def _with_driver(path: Path, program: str, provider: Provider) -> Path:
    text = path.read_text(encoding="utf-8")
    driver = PROGRAMS[program][1].replace("MODEL", repr(provider.models["flagship"]))
    path.write_text(text + "\n\n" + driver + "\n", encoding="utf-8")
    return path


def _run(cases: List[Tuple[str, str]], tmp: Path, migrate: bool) -> Dict[Tuple[str, str], JobResult]:
    results: Dict[Tuple[str, str], JobResult] = {}
    for sdk in ("v0", "v1"):
        jobs = []
        for program, pid in cases:
            if PROGRAMS[program][0] != sdk:
                continue
            where = tmp / sdk / pid / program.replace(".", "_")
            path = _migrate(program, pid, where) if migrate else _project(program, where)
            jobs.append(
                Job(
                    f"{pid}:{program}",
                    _with_driver(path, program, _provider(pid)),
                    {**FOREIGN, pid_key(pid): _key(_provider(pid))},
                )
            )
        for name, result in run_batch(jobs, tmp_path=tmp / sdk / "runs", sdk=sdk).items():
            pid, program = name.split(":", 1)
            results[(program, pid)] = result
    return results


def pid_key(provider_id: str) -> str:
    return _provider(provider_id).key_env


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, v0_python: Path) -> Dict[Tuple[str, str], JobResult]:
    cases = [(program, pid) for program in PROGRAMS for pid in PROVIDERS]
    return _run(cases, tmp_path_factory.mktemp("azure"), migrate=True)


def _secrets_in(r: CapturedRequest) -> List[str]:
    text = " ".join([r.url, *r.headers.values(), r.body.decode("utf-8", "replace")])
    return sorted(s for s in SECRETS if s in text)


def assert_at_provider(requests: List[CapturedRequest], provider: Provider, count: int) -> None:
    base = provider.base_url()
    host = base.split("/")[2]
    base_path = "/" + base.split("/", 3)[3] if base.count("/") > 2 else ""
    assert len(requests) == count, [r.url for r in requests]
    for r in requests:
        assert r.host == host, f"request went to {r.url}"
        assert r.path.startswith(base_path + "/"), r.path
        assert "/engines/" not in r.path and "/deployments/" not in r.path, r.path
        assert "api-version" not in r.query, r.url
        assert r.bearer == _key(provider), r.headers
        assert "api-key" not in r.headers and "openai-version" not in r.headers, r.headers
        assert _secrets_in(r) == [], f"foreign secret sent to {r.host}: {_secrets_in(r)}"
        assert r.json is not None and r.json.get("model") in set(provider.models.values()), r.json


def assert_still_on_azure(requests: List[CapturedRequest], provider: Provider, count: int) -> None:
    assert len(requests) == count, [r.url for r in requests]
    for r in requests:
        assert r.host == AZURE_HOST, f"request went to {r.url}"
        assert r.headers.get("api-key") == FOREIGN["AZURE_OPENAI_KEY"], r.headers
        assert _key(provider) not in " ".join([r.url, *r.headers.values()]), "the provider key went to Azure"


@pytest.mark.parametrize("provider_id", PROVIDERS)
@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_azure_program_moves_whole_or_not_at_all(
    program: str, provider_id: str, outcomes: Dict[Tuple[str, str], JobResult]
) -> None:
    requests = outcomes[(program, provider_id)].checked()
    _sdk, _driver, count, moves = PROGRAMS[program]
    if moves:
        assert_at_provider(requests, _provider(provider_id), count)
    else:
        assert_still_on_azure(requests, _provider(provider_id), count)


def test_unmigrated_programs_go_to_azure(tmp_path: Path, v0_python: Path) -> None:
    """The control: before the fix these programs talk to Azure, so the assertions above can fail."""
    cases = [
        (p, "qwen") for p in ("azure_v0_unmapped_deployment.py", "azure_module_sdk_forms.py", "azure_v0_ad_token.py")
    ]
    results = _run(cases, tmp_path, migrate=False)
    for case in cases:
        hosts = {r.host for r in results[case].checked()}
        assert hosts == {AZURE_HOST}, (case, hosts)
