"""No migrated program sends a secret to a host it was not meant for (ARCHITECTURE.md, invariant 4).

Every program is migrated with `offramp fix --to P` for every shipped provider and run with the
real SDK under the credential-flow oracle (oracle.py): each origin (OpenAI, Azure key, Azure AD
token, every provider) has its own secret, and a request that carries one to a host of another
origin fails the test with its URL and the secret's origin. Each migrated program runs twice:
with every variable set (it must run and send requests) and with the target provider's
variable unset (it may stop, but must not fall back to another origin's secret, as the SDK does
with `api_key=None`). The unmigrated originals pass the same oracle: that is what makes a
failure the migration's fault.

The runs of one SDK flavour share an interpreter (batch.py); a module fixture migrates and runs
only the cases pytest selected.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Dict, Optional, Tuple
from urllib.parse import quote, urlsplit

import pytest
from batch import Job, run_batch
from harness import CapturedRequest
from hypothesis import strategies as st
from oracle import AAD_TOKEN, AZURE, AZURE_ENDPOINT, OPENAI, ForeignSecret, Oracle, Origin
from oracle_generated import drawn, judge_generated, projects
from oracle_programs import PROGRAMS, RUNTIME, SHAPES, WRAPPERS
from oracle_runs import MODES, ORIGINAL, PROVIDERS, Case, Outcome, Program, run_cases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROVIDER_IDS = tuple(sorted(PROVIDERS))


# -- the oracle itself -----------------------------------------------------------------------------

ORACLE = Oracle.build(PROVIDERS.values())


def request(url: str, headers: Optional[Dict[str, str]] = None, body: bytes = b"") -> CapturedRequest:
    parts = urlsplit(url)
    return CapturedRequest("POST", url, parts.hostname or "", parts.path, dict(headers or {}), None, body)


@pytest.mark.parametrize(
    ("url", "where", "source", "origin"),
    [
        ("https://api.openai.com/v1/chat/completions", "authorization", "DEEPSEEK_API_KEY", "DeepSeek"),
        (
            "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions",
            "authorization",
            "OPENAI_API_KEY",
            "OpenAI",
        ),
        ("https://api.deepseek.com/v1/chat/completions", "api-key", "AZURE_OPENAI_API_KEY", "Azure"),
        ("https://api.moonshot.cn/v1/chat/completions", "authorization", AAD_TOKEN, "Azure"),
        (
            "https://oracle-resource.openai.azure.com/openai/deployments/x/chat/completions",
            "authorization",
            "ZAI_API_KEY",
            "Zhipu",
        ),
        ("http://localhost:8000/v1/chat/completions", "x-api-key", "ARK_API_KEY", ""),
        ("https://api.deepseek.com/v1/chat/completions?key={secret}", "query", "DASHSCOPE_API_KEY", "Qwen"),
        ("https://api.openai.com/v1/chat/completions", "body", "AZURE_OPENAI_KEY", "Azure"),
        ("https://api.deepseek.com/v1/chat/completions", "authorization", "MOONSHOT_API_KEY", "Moonshot"),
        ("https://gw.example/v1/chat/completions", "basic", "OPENAI_API_KEY", "OpenAI"),
        ("https://api.openai.com/v1/audio/transcriptions", "form", "STEP_API_KEY", "StepFun"),
    ],
)
def test_oracle_fails_on_a_fabricated_foreign_secret(url: str, where: str, source: str, origin: str) -> None:
    secret = ORACLE.secret_of(source)
    headers, body = {}, b""
    if where == "authorization":
        headers["authorization"] = f"Bearer {secret}"
    elif where == "body":
        body = b'{"model": "m", "api_key": "' + secret.encode() + b'"}'
    elif where == "basic":
        headers["authorization"] = "Basic " + base64.b64encode(f"user:{secret}".encode()).decode()
    elif where == "form":
        body = b"model=m&key=" + quote(secret).encode()
    elif where != "query":
        headers[where] = secret
    r = request(url.format(secret=secret), headers, body)
    with pytest.raises(ForeignSecret) as exc:
        ORACLE.check([r], context="fabricated")
    message = str(exc.value)
    assert r.url in message and source in message and origin in message, message


def test_oracle_passes_secrets_that_stay_at_home() -> None:
    deepseek = request(
        "https://api.deepseek.com/v1/chat/completions",
        {"authorization": f"Bearer {ORACLE.secret_of('DEEPSEEK_API_KEY')}"},
    )
    azure = request(
        f"{AZURE_ENDPOINT}/openai/deployments/d/chat/completions?api-version=2024-10-21",
        {"api-key": ORACLE.secret_of("AZURE_OPENAI_API_KEY")},
    )
    aad = request(
        "https://res.cognitiveservices.azure.com/openai/v1/chat/completions",
        {"authorization": f"Bearer {ORACLE.secret_of(AAD_TOKEN)}"},
    )
    openai = request(
        "https://api.openai.com/v1/embeddings", {"authorization": f"Bearer {ORACLE.secret_of('OPENAI_API_KEY')}"}
    )
    anonymous = request("http://localhost:8000/v1/models", {"authorization": "Bearer placeholder"})
    ORACLE.check([deepseek, azure, aad, openai, anonymous])


def test_oracle_origins_can_name_their_proxies_and_extra_keys() -> None:
    proxy = Origin("proxy", ("gw.example",))
    oracle = Oracle.build(PROVIDERS.values(), extra={"PROXY_KEY": proxy}, also={"OpenAI": ("localhost",)})
    local = request("http://localhost:8000/v1/chat", {"authorization": f"Bearer {oracle.secret_of('OPENAI_API_KEY')}"})
    oracle.check([local])
    with pytest.raises(ForeignSecret, match="proxy secret"):
        oracle.check([request("https://api.openai.com/v1/chat", {"authorization": oracle.secret_of("PROXY_KEY")})])
    with pytest.raises(ForeignSecret):  # the widening is per oracle
        ORACLE.check([local])


def test_oracle_environment_gives_every_origin_its_own_secret() -> None:
    env = ORACLE.env()
    keys = {p.key_env for p in PROVIDERS.values()}
    assert keys | {"OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_KEY"} <= set(env)
    secrets = [v for k, v in env.items() if k != "AZURE_OPENAI_ENDPOINT"]
    assert len(set(secrets)) == len(secrets) == len(keys) + 4  # + OpenAI, two Azure keys, the AAD token
    assert env["OPENAI_API_KEY"].startswith("sk-") and not env["DEEPSEEK_API_KEY"].startswith("sk-")
    assert "DASHSCOPE_API_KEY" not in ORACLE.env(unset=["DASHSCOPE_API_KEY"])


# -- migrated programs ---------------------------------------------------------------------------

# (program, modes): every shape project and runtime fixture, for every provider, in both modes.
LANDED: Dict[str, Tuple[str, ...]] = {
    "runtime/v0_legacy.py": MODES,
    "runtime/v0_openai.py": MODES,
    "runtime/v1_async_embeddings.py": MODES,
    "runtime/v1_azure.py": MODES,
    "runtime/v1_azure_key.py": MODES,
    "runtime/v1_client.py": MODES,
    "runtime/v1_key_reads_unset.py": MODES,
    "runtime/v1_module_azure.py": MODES,
    "runtime/v1_module_client.py": MODES,
    "runtime/wrappers_dspy.py": MODES,
    "runtime/wrappers_langchain_litellm.py": MODES,
    "runtime/wrappers_langchain_azure_llm.py": MODES,
    "shape/azure_settings": MODES,
    "shape/azure_on_your_data": MODES,
    "shape/azure_on_your_data_elsewhere": MODES,
    "shape/azure_subclass": MODES,
    "shape/azure_subclass_two_sites": MODES,
    "shape/configured_relay": MODES,
    "shape/configured_local_server": MODES,
    "shape/caller_base_url": MODES,
    "shape/cli_option_base_url": MODES,
    "shape/dataclass_key_field": MODES,
    "shape/dotenv_base_url": MODES,
    "shape/dotenv_local": MODES,
    "shape/dotenv_settings": MODES,
    "shape/env_write_namespace": MODES,
    "shape/env_write_own_value": MODES,
    "shape/factory_client_param": MODES,
    "shape/azure_v1_token": MODES,
    "shape/environ_alias": MODES,
    "shape/factory_module_client": MODES,
    "shape/forwarding_subclass": MODES,
    "shape/subclass_elsewhere": MODES,
    "shape/sdk_subclass_request_elsewhere": MODES,
    "shape/framework_subclass_elsewhere": MODES,
    "shape/litellm_none_key": MODES,
    "shape/litellm_model_elsewhere": MODES,
    "shape/handed_key": MODES,
    "shape/json_config_null": MODES,
    "shape/library_named_module": MODES,
    "shape/json_config_null_env_key": MODES,
    "shape/local_proxy": MODES,
    "shape/pydantic_client_args": MODES,
    "shape/raw_requests_azure": MODES,
    "shape/settings_module": MODES,
    "shape/sk_prefix": MODES,
    "shape/branch_default_client": MODES,
    "shape/unknown_framework": MODES,
    "shape/v0_azure_ad": MODES,
    "shape/v0_per_request_key": MODES,
    "shape/client_key_set_later": MODES,
    "shape/env_default_key": MODES,
    "shape/conditional_key_default": MODES,
    "shape/config_class_defaults": MODES,
    "shape/v0_azure_deployment_elsewhere": MODES,
    "shape/azure_factory_deployment_elsewhere": MODES,
    "shape/v0_local_server_elsewhere": MODES,
    "shape/module_local_server_elsewhere": MODES,
}
LANDED_CASES = [(program, mode) for program, modes in LANDED.items() for mode in modes]

# The whole cross product is 1,456 runs and 728 migrations (56 programs, 2026-12-07), ~85 CPU-s. By default
# every program runs for the providers of the fix snapshots, and every provider for a sample of programs (the
# v1 and v0 SDKs, an Azure client, a .env project, LangChain over LiteLLM): 538 runs. The rest is marked
# `exhaustive`, which CI selects (`-m "corpus or not corpus"`).
CORE_PROVIDERS = ("deepseek", "glm", "kimi", "qwen")
SAMPLE_PROGRAMS = (
    "runtime/v0_openai.py",
    "runtime/v1_azure_key.py",
    "runtime/v1_client.py",
    "runtime/wrappers_langchain_litellm.py",
    "shape/dotenv_base_url",
)
SWEEP = [
    pytest.param(
        program,
        provider_id,
        mode,
        id=f"{program}-{mode}-{provider_id}",
        marks=() if provider_id in CORE_PROVIDERS or program in SAMPLE_PROGRAMS else (pytest.mark.exhaustive,),
    )
    for provider_id in PROVIDER_IDS
    for program, mode in LANDED_CASES
]


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_unmigrated_program_keeps_its_secrets_at_home(program: str, oracle_outcomes: Dict[Case, Outcome]) -> None:
    """The control: the original programs pass the oracle, so a failure below is the migration's."""
    oracle_outcomes[(program, None, ORIGINAL)].judge()


@pytest.mark.parametrize(("program", "provider_id", "mode"), SWEEP)
def test_migrated_program_sends_no_foreign_secret(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    oracle_outcomes[(program, provider_id, mode)].judge()


def test_every_runtime_fixture_is_covered() -> None:
    on_disk = {p.name for p in (FIXTURES / "runtime").glob("*.py")}
    assert {name.split("/", 1)[1] for name in (*RUNTIME, *WRAPPERS)} == on_disk and len(RUNTIME) >= 8
    assert {p.name for p in (FIXTURES / "oracle").iterdir() if p.is_dir()} == {n.split("/", 1)[1] for n in SHAPES}
    assert set(LANDED) <= set(PROGRAMS) and len(PROVIDER_IDS) >= 13
    assert set(SAMPLE_PROGRAMS) <= set(LANDED) and set(CORE_PROVIDERS) <= set(PROVIDER_IDS)


@pytest.mark.parametrize(("program", "provider_id", "mode"), [("shape/handed_key", "qwen", "set")])
def test_key_handed_through_a_class_moves_with_its_client(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """Issue 13: the key read in main.py reaches `OpenAI(api_key=next(self.keys))` through `Translator(key)`
    and its base class. Yesterday that credential was a parameter and the translator stayed on OpenAI;
    now it goes to DashScope with the DashScope key, while the relay keeps OpenAI's key (its own read,
    and a read shared with a client factory, which stays on OpenAI with it)."""
    requests = oracle_outcomes[(program, provider_id, mode)].requests()
    by_host: Dict[str, set] = {}
    for r in requests:
        by_host.setdefault(r.host, set()).add((r.authorization or "").removeprefix("Bearer "))
    assert by_host["dashscope.aliyuncs.com"] == {ORACLE.secret_of("DASHSCOPE_API_KEY")}, by_host
    assert by_host["relay.internal"] == by_host["api.openai.com"] == {ORACLE.secret_of("OPENAI_API_KEY")}, by_host


@pytest.mark.parametrize(("program", "provider_id", "mode"), [("shape/forwarding_subclass", "glm", "set")])
def test_subclass_of_the_client_moves_with_its_construction(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """Issue 16: `Tuned(api_key=...)`, whose `__init__` hands its keywords on to `OpenAI.__init__`, is built
    like an OpenAI client: fix gives the construction the provider's base URL and key, and the request made
    through it in main.py its model. Yesterday the key read fed "a call offramp cannot follow" and kept its
    name, and the client stayed on api.openai.com with the OpenAI key."""
    requests = oracle_outcomes[(program, provider_id, mode)].requests()
    assert [r.host for r in requests] == ["open.bigmodel.cn"] * 2, [r.url for r in requests]
    assert {r.bearer for r in requests} == {ORACLE.secret_of("ZAI_API_KEY")}
    assert {r.json["model"] for r in requests} <= set(PROVIDERS[provider_id].models.values())


@pytest.mark.parametrize(("program", "provider_id", "mode"), [("shape/subclass_elsewhere", "kimi", "set")])
def test_subclass_built_in_another_module_moves_with_its_construction(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """Issue 16: `Assistant(api_key=...)` of `class Assistant(OpenAI)` in clients.py, built in main.py (which does
    not import the SDK): the routes show it is OpenAI's constructor, so fix gives it the provider's URL and key
    there and maps the model its method sends. Yesterday the key read fed "a call offramp cannot follow" and
    the request stayed on api.openai.com with the OpenAI key."""
    requests = oracle_outcomes[(program, provider_id, mode)].requests()
    assert [r.host for r in requests] == ["api.moonshot.cn"], [r.url for r in requests]
    assert {r.bearer for r in requests} == {ORACLE.secret_of("MOONSHOT_API_KEY")}
    assert {r.json["model"] for r in requests} <= set(PROVIDERS[provider_id].models.values())


@pytest.mark.parametrize(("program", "provider_id", "mode"), [("shape/v0_azure_deployment_elsewhere", "qwen", "set")])
def test_azure_module_client_of_an_unmapped_deployment_stays_whole_across_modules(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """config.py configures the v0 module client for Azure, main.py sends `engine="my-prod-deployment"`, which
    has no provider model. Yesterday fix moved config.py's settings alone: the request went to the provider with
    the provider's key and the Azure deployment name. Now the route stays on Azure whole: host, key, deployment."""
    outcome = oracle_outcomes[(program, provider_id, mode)]
    outcome.judge()
    requests = outcome.requests()
    assert [r.host for r in requests] == [urlsplit(AZURE_ENDPOINT).hostname], [r.url for r in requests]
    assert "/openai/deployments/my-prod-deployment/" in requests[0].path, requests[0].url
    assert requests[0].headers.get("api-key") == ORACLE.secret_of("AZURE_OPENAI_API_KEY"), requests[0].headers


@pytest.mark.parametrize(
    ("program", "provider_id", "mode"),
    [("shape/azure_factory_deployment_elsewhere", provider_id, "set") for provider_id in ("qwen", "glm")],
)
def test_azure_client_of_a_factory_with_an_unmapped_deployment_stays_whole_across_modules(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """factory.py's `make_client()` returns `AzureOpenAI(...)`; main.py sends `model="my-prod-deployment"` (no
    provider model) and `model="gpt-4o-mini"` through it. Yesterday fix moved the factory's client alone: both
    requests went to the provider with its key, the first with the Azure deployment name. Now the client stays on
    Azure whole: both requests go there with the Azure key, each deployment in its path."""
    outcome = oracle_outcomes[(program, provider_id, mode)]
    outcome.judge()
    requests = outcome.requests()
    assert [r.host for r in requests] == [urlsplit(AZURE_ENDPOINT).hostname] * 2, [r.url for r in requests]
    assert "/openai/deployments/my-prod-deployment/" in requests[0].path, requests[0].url
    assert "/openai/deployments/gpt-4o-mini/" in requests[1].path, requests[1].url
    assert {r.headers.get("api-key") for r in requests} == {ORACLE.secret_of("AZURE_OPENAI_API_KEY")}


@pytest.mark.parametrize(
    ("program", "provider_id", "mode"),
    [
        (program, provider_id, "set")
        for program in ("shape/v0_local_server_elsewhere", "shape/module_local_server_elsewhere")
        for provider_id in ("deepseek", "qwen")
    ],
)
def test_module_client_configured_for_a_local_server_elsewhere_is_left_alone(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """config.py points the module client at a self-hosted server with its own key; main.py calls it. No request
    reaches OpenAI, so fix leaves it: the request goes to the local server, with its key and its model as written
    (fix wrote "module-level client left as it is" TODOs there; check said it called api.openai.com)."""
    outcome = oracle_outcomes[(program, provider_id, mode)]
    outcome.judge()
    requests = outcome.requests()
    assert [r.host for r in requests] == ["localhost"], [r.url for r in requests]
    assert requests[0].bearer == outcome_secret("LOCAL_LLM_KEY", program), requests[0].headers
    assert requests[0].json["model"] == "gpt-4o", requests[0].json


def outcome_secret(variable: str, program: str) -> str:
    return PROGRAMS[program].oracle().secret_of(variable)


@pytest.mark.parametrize(
    ("program", "provider_id", "mode"),
    [("shape/dotenv_settings", "qwen", "set"), ("shape/dotenv_local", "deepseek", "set")],
)
def test_base_url_set_in_a_loaded_env_file_moves_with_the_key(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """Issue 13: `os.getenv("OPENAI_BASE_URL")` in a settings module, after `load_dotenv()` (or
    `load_dotenv(find_dotenv(".env.local"))` in the entry point), holds the `.env` file's OpenAI URL. Yesterday
    that was a variable offramp could not see: fix held the key, the client and the file, and the request
    stayed on api.openai.com with the OpenAI key. Now the client gets the provider's URL, the key read and
    the file's key move with it, and the model the file sets is mapped."""
    requests = oracle_outcomes[(program, provider_id, mode)].requests()
    provider = PROVIDERS[provider_id]
    assert requests and {r.host for r in requests} <= set(provider.hosts), [r.url for r in requests]
    assert {r.bearer for r in requests} == {ORACLE.secret_of(provider.key_env)}
    assert {r.json["model"] for r in requests} <= set(provider.models.values()), [r.json for r in requests]


def test_generated_project_keeps_its_secrets_at_home(tmp_path: Path) -> None:
    """The control of the generated projects (their migration is judged like the fixtures')."""
    found = drawn(projects())
    assert len(found) >= 10, len(found)
    judge_generated([(project, None) for project in found], tmp_path)


def test_generated_project_sends_no_foreign_secret(tmp_path: Path) -> None:
    """Generated projects migrated to a provider, run with its variable set and unset (120 examples
    of a wider sweep passed when this landed; the 15 here are the same on every run)."""
    found = drawn(st.tuples(projects(), st.sampled_from(PROVIDER_IDS)))
    assert len(found) >= 10, len(found)
    judge_generated(found, tmp_path)


# -- the oracle sees real SDK traffic --------------------------------------------------------------

LEAKY = {
    # The provider's key on a client that still goes to api.openai.com.
    "provider_key_to_openai": "import os\nfrom openai import OpenAI\n"
    "c = OpenAI(api_key=os.environ['DEEPSEEK_API_KEY'], max_retries=0)\n"
    "c.chat.completions.create(model='m', messages=[])\n",
    # `api_key=None` when the new variable is unset: the SDK falls back to OPENAI_API_KEY.
    "fallback_to_openai_key": "import os\nfrom openai import OpenAI\n"
    "c = OpenAI(api_key=os.getenv('DASHSCOPE_API_KEY'), base_url='https://dashscope.aliyuncs.com/compatible-mode/v1',"
    " max_retries=0)\nc.chat.completions.create(model='m', messages=[])\n",
}


def test_oracle_catches_real_sdk_leaks(tmp_path: Path) -> None:
    jobs = []
    for name, text in LEAKY.items():
        script = tmp_path / f"{name}.py"
        script.write_text(text, encoding="utf-8")
        unset = ["DASHSCOPE_API_KEY"] if name == "fallback_to_openai_key" else []
        jobs.append(Job(name, script, ORACLE.env(unset)))
    results = run_batch(jobs, tmp_path=tmp_path / "runs")
    with pytest.raises(ForeignSecret, match=r"https://api\.openai\.com/v1/chat/completions.*DeepSeek secret"):
        ORACLE.check(results["provider_key_to_openai"].checked())
    with pytest.raises(ForeignSecret, match=r"dashscope\.aliyuncs\.com.*OpenAI secret \(OPENAI_API_KEY\)"):
        ORACLE.check(results["fallback_to_openai_key"].checked())


def test_fake_azure_identity_hands_out_the_oracle_token(tmp_path: Path) -> None:
    program = Program("runtime/v1_azure.py", FIXTURES / "runtime" / "v1_azure.py")
    (outcome,) = run_cases({program.name: program}, [(program.name, None, ORIGINAL)], tmp_path).values()
    (r,) = outcome.requests()
    assert r.host == AZURE_ENDPOINT.split("//")[1]
    assert r.bearer == ORACLE.secret_of(AAD_TOKEN)
    assert AZURE.serves(r.host) and not OPENAI.serves(r.host)


@pytest.mark.parametrize(
    ("program", "provider_id", "mode"),
    [
        ("shape/framework_subclass_elsewhere", "deepseek", "set"),
        ("shape/sdk_subclass_request_elsewhere", "qwen", "set"),
    ],
)
def test_subclass_built_and_used_in_another_module_moves_whole(
    program: str, provider_id: str, mode: str, oracle_outcomes: Dict[Case, Outcome]
) -> None:
    """Issue 16: `Chat(model=..., api_key=os.getenv("OPENAI_API_KEY"))` of `class Chat(ChatOpenAI)` in llm.py, and
    `Assistant(api_key=...)` of `class Assistant(OpenAI)` with its request made in main.py, are built in a module
    that names neither library. Yesterday both stayed on api.openai.com with the OpenAI key (the key read
    kept its name); now the construction gets the provider's URL, key and model."""
    requests = oracle_outcomes[(program, provider_id, mode)].requests()
    provider = PROVIDERS[provider_id]
    assert requests and {r.host for r in requests} <= {h for h in provider.hosts}, [r.url for r in requests]
    assert {r.bearer for r in requests} == {ORACLE.secret_of(provider.key_env)}
    assert {r.json["model"] for r in requests} <= set(provider.models.values())
