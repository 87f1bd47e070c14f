"""The programs the credential-flow oracle runs: the runtime fixtures and the shape projects.

Each shape project (tests/fixtures/oracle/<shape>/, entry point `main.py`) reproduces a shape of
issue 14 in which a migration sent a secret to a host it was not meant for. What the oracle must
know beyond the defaults (a proxy the project reaches on purpose, a key variable of its own, a
key written in a file) is said here, not in the project, so `fix` never rewrites it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

from oracle import AZURE, OPENAI, Origin
from oracle_runs import Program

__all__ = ["LOCAL_SERVER", "MODULE_CLIENT_ENV", "PROGRAMS", "RUNTIME", "SHAPES", "WRAPPERS"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The v1 module client refuses to choose when OPENAI_API_KEY and Azure credentials are both set.
MODULE_CLIENT_ENV = ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT")
# The key of a self-hosted server on this machine (a decoy: no request of it reaches OpenAI).
LOCAL_SERVER = Origin("Local server", hosts=("localhost",))

RUNTIME: Dict[str, Program] = {
    f"runtime/{p.name}": Program(
        f"runtime/{p.name}",
        p,
        sdk="v0" if p.name.startswith("v0_") else "v1",
        drop=MODULE_CLIENT_ENV if p.name == "v1_module_client.py" else (),
    )
    for p in sorted((FIXTURES / "runtime").glob("v[01]_*.py"))
}

# LangChain and LiteLLM read OPENAI_API_KEY themselves (own venv: conftest.wrappers_python).
# OpenAIEmbeddings downloads tiktoken's cl100k_base (404 from the harness) unless the migration
# turned the tokenizer off, so the program may stop after its chat request.
_WRAPPER_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
WRAPPERS: Dict[str, Program] = {
    p.name: p
    for p in (
        Program(
            "runtime/wrappers_langchain_litellm.py",
            FIXTURES / "runtime" / "wrappers_langchain_litellm.py",
            sdk="wrappers",
            plain_env=_WRAPPER_ENV,
            preload=("openai", "langchain_openai", "litellm"),
            may_stop=True,
        ),
        # LangChain's Azure completions class (it reads AZURE_OPENAI_API_KEY, then OPENAI_API_KEY).
        Program(
            "runtime/wrappers_langchain_azure_llm.py",
            FIXTURES / "runtime" / "wrappers_langchain_azure_llm.py",
            sdk="wrappers",
            plain_env=_WRAPPER_ENV,
            preload=("openai", "langchain_openai"),
        ),
        # DSPy 3 sends chat through its own HTTP client and embeddings through LiteLLM; without a key
        # argument both read OPENAI_API_KEY.
        Program(
            "runtime/wrappers_dspy.py",
            FIXTURES / "runtime" / "wrappers_dspy.py",
            sdk="wrappers",
            plain_env=_WRAPPER_ENV,
            preload=("openai", "litellm", "dspy"),
        ),
    )
}

_SHAPES = FIXTURES / "oracle"
SHAPES: Dict[str, Program] = {
    p.name: p
    for p in (
        # Azure OpenAI On Your Data: every request's body carries the Azure AI Search key (sample-app-aoai-chatGPT).
        Program("shape/azure_on_your_data", _SHAPES / "azure_on_your_data", extra={"AZURE_SEARCH_KEY": AZURE}),
        # The same, with the Azure client built by a factory in another module.
        Program(
            "shape/azure_on_your_data_elsewhere",
            _SHAPES / "azure_on_your_data_elsewhere",
            extra={"AZURE_SEARCH_KEY": AZURE},
        ),
        # A raw REST call to Azure shares the key read of the SDK client.
        Program("shape/raw_requests_azure", _SHAPES / "raw_requests_azure"),
        # The key is copied into OPENAI_API_KEY for a client and a REST call that read the default.
        Program("shape/environ_alias", _SHAPES / "environ_alias", extra={"PROD_OPENAI_API_KEY": OPENAI}),
        # A key read written back into its own variable (babyagi), then a REST call that stays reads it.
        Program("shape/env_write_own_value", _SHAPES / "env_write_own_value"),
        # A local gateway (it forwards to OpenAI) shares the key variable of the cloud client.
        Program("shape/local_proxy", _SHAPES / "local_proxy", also={"OpenAI": ("localhost",)}),
        # The key's `sk-` prefix picks the OpenAI client, anything else the Azure one.
        Program("shape/sk_prefix", _SHAPES / "sk_prefix"),
        # Which key is set picks the module's client (OpenAI or Azure) in the `else:` of a guarded import, and a
        # class builds its own client from the same module values (AgentVerse).
        Program("shape/branch_default_client", _SHAPES / "branch_default_client"),
        # openai 0.x, api_type "azure_ad", the key is an Entra ID token.
        Program("shape/v0_azure_ad", _SHAPES / "v0_azure_ad", sdk="v0"),
        # openai 0.x configured for Azure in config.py, a deployment with no provider model named in main.py: the
        # route stays on Azure whole (moved, config.py sent the deployment name to the provider with its key).
        Program("shape/v0_azure_deployment_elsewhere", _SHAPES / "v0_azure_deployment_elsewhere", sdk="v0"),
        # The same with an `AzureOpenAI` built by a factory in factory.py: main.py sends a deployment with no provider
        # model and one with a model through it. The client stays on Azure whole, both requests with it (moved, the
        # factory sent the deployment name to the provider with its key, and check named only main.py's request).
        Program("shape/azure_factory_deployment_elsewhere", _SHAPES / "azure_factory_deployment_elsewhere"),
        # openai 0.x pointed at a self-hosted server with its own key in config.py; main.py calls the module client. No
        # request reaches OpenAI: fix leaves it (it wrote "left as it is" TODOs; check said it called api.openai.com).
        Program(
            "shape/v0_local_server_elsewhere",
            _SHAPES / "v0_local_server_elsewhere",
            sdk="v0",
            extra={"LOCAL_LLM_KEY": LOCAL_SERVER},
        ),
        # The same with the openai>=1 module client (`openai.base_url`, `openai.chat.completions.create`).
        Program(
            "shape/module_local_server_elsewhere",
            _SHAPES / "module_local_server_elsewhere",
            extra={"LOCAL_LLM_KEY": LOCAL_SERVER},
            drop=MODULE_CLIENT_ENV,
        ),
        # `client.api_key = ...` after the construction (from config.json, and from a team variable).
        Program(
            "shape/client_key_set_later",
            _SHAPES / "client_key_set_later",
            extra={"TEAM_OPENAI_KEY": OPENAI},
            literals={"sk-proj-oracleSetLaterKey0a1b2c3d4e5f": OPENAI},
            drop=MODULE_CLIENT_ENV,
        ),
        # A key read whose default is the caller's key (the user's OpenAI key, from config.json or the environment),
        # copied into that variable by a settings module (ChuanhuChatGPT): renamed, the OpenAI key went to the provider.
        Program(
            "shape/env_default_key",
            _SHAPES / "env_default_key",
            literals={"sk-proj-oracleDefaultKey3f2e1d0c9b8a": OPENAI},
        ),
        # openai 0.x requests with their own `api_key=` (from config.json, and from a key pool through `**kwargs`).
        Program(
            "shape/v0_per_request_key",
            _SHAPES / "v0_per_request_key",
            sdk="v0",
            extra={"OPENAI_KEY": OPENAI},
            literals={"sk-proj-oracleV0RequestKey5e4d3c2b1a09": OPENAI},
        ),
        # OPENAI_BASE_URL and OPENAI_API_KEY come from a .env file (python-dotenv).
        Program(
            "shape/dotenv_base_url",
            _SHAPES / "dotenv_base_url",
            literals={"sk-proj-oracleDotenvKey7c41e09b2d5a": OPENAI},
        ),
        # A settings module calls load_dotenv() and reads base URL, key and model; a factory module builds
        # the client; main.py calls it. The base URL is OpenAI's in .env only (issue 13).
        Program(
            "shape/dotenv_settings",
            _SHAPES / "dotenv_settings",
            literals={"sk-proj-fixtureDotenvKey1a2b3c4d5e6f": OPENAI},
        ),
        # The entry point loads .env.local through find_dotenv() before importing a settings class.
        Program(
            "shape/dotenv_local",
            _SHAPES / "dotenv_local",
            literals={"sk-proj-fixtureLocalKey9f8e7d6c5b4a": OPENAI},
        ),
        # A settings module holds model, base URL and key; app.py builds the client.
        Program("shape/settings_module", _SHAPES / "settings_module"),
        # config.json names the key variable and a null base URL.
        Program("shape/json_config_null", _SHAPES / "json_config_null"),
        # config.json holds a null base URL; the key is read in the code.
        Program("shape/json_config_null_env_key", _SHAPES / "json_config_null_env_key"),
        # A subclass of AzureOpenAI built from a settings module (key and endpoint read there).
        Program("shape/azure_settings", _SHAPES / "azure_settings"),
        # A subclass of AzureOpenAI without its own __init__, built by a factory with the connection.
        Program("shape/azure_subclass", _SHAPES / "azure_subclass"),
        # The same subclass built in two modules: a request in its method goes where either says.
        Program("shape/azure_subclass_two_sites", _SHAPES / "azure_subclass_two_sites"),
        # `return openai` from a factory that configures the module client; the key's variable is in config.json.
        Program("shape/factory_module_client", _SHAPES / "factory_module_client", drop=MODULE_CLIENT_ENV),
        # A relay the user configures (`if conf.base: openai.base_url = conf.base`) gets the OpenAI key.
        Program(
            "shape/configured_relay",
            _SHAPES / "configured_relay",
            also={"OpenAI": ("relay.internal",)},
            plain_env={"LLM_RELAY_URL": "http://relay.internal:8080/v1/"},
            drop=MODULE_CLIENT_ENV,
        ),
        # A local server's base URL read from config.toml, None on a path that builds no client (devika's LM Studio
        # client): fix kept the URL as an override (`self.api_endpoint or "<provider URL>"`) and gave the client the
        # provider's key, which then went to the local server.
        Program("shape/configured_local_server", _SHAPES / "configured_local_server"),
        # The base URL and key of each endpoint handed in by the caller from the project's endpoint registry
        # (FastChat's api_provider.py): fix kept `api_base or "<provider URL>"` and gave the client the
        # provider's key, which then went to the local servers the registry names.
        Program("shape/caller_base_url", _SHAPES / "caller_base_url"),
        # The module client aimed at a server of the user's own by a command-line option that is None unless given
        # (FastChat's gen_api_answer.py): fix kept the option and put the provider's key beside it, inside the `if`.
        Program(
            "shape/cli_option_base_url",
            _SHAPES / "cli_option_base_url",
            also={"OpenAI": ("localhost",)},
            drop=MODULE_CLIENT_ENV,
        ),
        # An in-house framework (raw REST to api.openai.com) shares the key read of an SDK client.
        Program("shape/unknown_framework", _SHAPES / "unknown_framework"),
        # Keys handed through a class and its base to the client (issue 13); one read also handed to a relay.
        Program("shape/handed_key", _SHAPES / "handed_key", also={"OpenAI": ("relay.internal",)}),
        # A dataclass field without a default holds the key (xiaogpt): set from the settings elsewhere.
        Program("shape/dataclass_key_field", _SHAPES / "dataclass_key_field"),
        # A configured key written to OPENAI_API_KEY for a client in a namespace package (xiaogpt).
        Program("shape/env_write_namespace", _SHAPES / "env_write_namespace"),
        # A factory method builds the client from configured fields; a registry hands it to the request
        # as a parameter, so no request offramp follows goes through the constructor (ChatDev).
        Program("shape/factory_client_param", _SHAPES / "factory_client_param"),
        # The project's subclasses of OpenAI: one adds a method, one hands its keywords on to the SDK.
        Program("shape/forwarding_subclass", _SHAPES / "forwarding_subclass"),
        # The same kind of class built in a module that does not import the SDK (the route gate hands it to fix).
        Program("shape/subclass_elsewhere", _SHAPES / "subclass_elsewhere"),
        # The same class built in a module that does not import the SDK, and its request sent there too.
        Program("shape/sdk_subclass_request_elsewhere", _SHAPES / "sdk_subclass_request_elsewhere"),
        # LangChain's ChatOpenAI subclassed in llm.py, built in main.py (project/subclassctors.py).
        Program(
            "shape/framework_subclass_elsewhere",
            _SHAPES / "framework_subclass_elsewhere",
            sdk="wrappers",
            plain_env=_WRAPPER_ENV,
            preload=("openai", "langchain_openai"),
        ),
        # LiteLLM with a key attribute left None (the Agents SDK's LitellmModel): it reads OPENAI_API_KEY.
        Program(
            "shape/litellm_none_key",
            _SHAPES / "litellm_none_key",
            sdk="wrappers",
            plain_env=_WRAPPER_ENV,
            preload=("openai", "litellm"),
        ),
        # The same class given its model id and key by its caller: the caller's literal becomes `openai/<model>`.
        Program(
            "shape/litellm_model_elsewhere",
            _SHAPES / "litellm_model_elsewhere",
            sdk="wrappers",
            plain_env=_WRAPPER_ENV,
            preload=("openai", "litellm"),
        ),
        # Azure's v1 API through the plain client: f"{endpoint.rstrip('/')}/openai/v1/" and a token provider.
        Program("shape/azure_v1_token", _SHAPES / "azure_v1_token"),
        # The app's backend in a module named after the SDK (`app/llms/openai.py`, SuperAGI): taken for
        # the SDK, its client had no route and got the provider's URL with the OpenAI key the caller passed.
        Program("shape/library_named_module", _SHAPES / "library_named_module"),
        # A pydantic model keeps the key and base URL of a module's default client in a dict field for a client
        # of its own (AgentVerse): renamed for the default client, the provider key went to api.openai.com there.
        Program("shape/pydantic_client_args", _SHAPES / "pydantic_client_args"),
        # A key read whose default is a placeholder or None (khoj): moved, the read must never be None.
        Program("shape/conditional_key_default", _SHAPES / "conditional_key_default"),
        # A settings class whose defaults name OpenAI's URL and a placeholder key, the real key from the user's
        # config file (MetaGPT's LLMConfig): moved alone, the URL default took that OpenAI key to the provider.
        Program(
            "shape/config_class_defaults",
            _SHAPES / "config_class_defaults",
            literals={"sk-proj-oracleClassDefaults7a6b5c4d3e": OPENAI},
        ),
    )
}

PROGRAMS: Dict[str, Program] = {**RUNTIME, **WRAPPERS, **SHAPES}
