"""Load rules/wrappers.toml into typed objects: the framework classes and functions that build an OpenAI
client (`WrapperSpec`), the requests a framework sends by itself (`ExporterSpec`), the stores that
reopen a client (`ReopenerSpec`) and the configuration dicts that name a provider (`ConfigDictSpec`).

Split from catalog.py (636 lines), which keeps the rule catalogue and the SDK surface and finds the
data directory for both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Dict, Optional, Tuple

from offramp.catalog import CatalogError, rules_dir, rules_file


@dataclass(frozen=True)
class Capabilities:
    """wrappers.toml `fix-capabilities`: the model description argument a framework needs for a model it
    does not know (AutoGen's `model_info`)."""

    arg: str
    from_parameters: Tuple[Tuple[str, str], ...]  # entry -> provider [parameters] name ("yes" -> True)
    constants: Tuple[Tuple[str, object], ...]


@dataclass(frozen=True)
class WrapperSpec:
    """One entry of rules/wrappers.toml: a library class or function that builds an OpenAI client."""

    id: str
    names: Tuple[str, ...]
    function: bool
    azure: bool
    model_args: Tuple[str, ...]
    deployment_args: Tuple[str, ...]
    base_url_args: Tuple[str, ...]
    key_args: Tuple[str, ...]
    drop_args: Tuple[str, ...]
    default_model: Optional[str]
    fix_class: Optional[str]
    fix_model_arg: str
    fix_base_url_arg: str
    fix_key_arg: str
    fix_extra: Tuple[Tuple[str, str], ...]
    fix_note: str
    model_prefix: str
    family: str = "chat"
    function_families: Tuple[Tuple[str, str], ...] = ()
    # Parameter names of the leading positional arguments (`dspy.LM("openai/gpt-4o")`).
    positional: Tuple[str, ...] = ()
    # Arguments that take an SDK client the code builds (`OpenAIChatCompletionsModel(openai_client=...)`):
    # given one, the call is no route of its own, its model is that client's.
    client_args: Tuple[str, ...] = ()
    # The model argument may be a model object carrying its own client (`Agent(model=OpenAIChatCompletionsModel
    # (...))`): then the call is no route of its own.
    model_objects: bool = False
    # Functions that set the library's default client (`set_default_openai_client(client)`): in a file
    # calling one, the calls use that client (their model is its).
    default_client_setters: Tuple[str, ...] = ()
    # function:keyword whose argument (keyword or first positional) is the key of the library's default
    # OpenAI client, which stays on api.openai.com (`agents.set_default_openai_key:key`)
    default_key_setters: Tuple[str, ...] = ()
    # For a library with no base URL / key arguments: the model argument's new value, an expression with
    # {model}, {base_url} and {api_key}, and the imports it needs (`module.name`).
    fix_model_wrap: str = ""
    # For a library that takes a client instead of a base URL (Semantic Kernel's `async_client=`): the
    # argument and the client expression, with {base_url} and {api_key}; the key arguments go.
    fix_client: Optional[Tuple[str, str]] = None
    # An argument naming the library's provider (`init_chat_model(model_provider="openai")`): a route only when
    # it is one of `provider_values`.
    provider_arg: str = ""
    provider_values: Tuple[str, ...] = ()
    # providers (the argument's value, or a model's `provider:` prefix) that mean Azure OpenAI: `azure_openai`
    provider_azure_values: Tuple[str, ...] = ()
    # A route only for an OpenAI model (or one prefixed `model-prefix`): the library picks the provider from
    # the model's name (init_chat_model sends `claude-...` to Anthropic).
    openai_models_only: bool = False
    # The key argument's new value when the library takes a key object (Haystack `Secret`), with {env}.
    fix_key_value: str = ""
    fix_imports: Tuple[str, ...] = ()
    # An argument `fix` adds describing the provider's model (AutoGen's `model_info`): its name, entries
    # True when the provider's [parameters] status of the named parameter is "yes", and fixed entries.
    # Model names the library sends to another provider by itself when no base URL is given (AutoGen:
    # `claude-...` to Anthropic's OpenAI-compatible API).
    foreign_model_prefixes: Tuple[str, ...] = ()
    fix_capabilities: Optional[Capabilities] = None
    # The argument that sets how many inputs go in one embeddings request (LangChain's `chunk_size`):
    # `fix` lowers it to a provider's limit (Qwen: 10).
    batch_arg: str = ""
    # The library hands the base URL to openai>=1's module client (`openai.base_url = api_base`, DSPy's
    # dsp.GPT3), which glues it to the path without a slash: the URL `fix` writes ends in "/".
    fix_base_url_slash: bool = False
    # The library takes the endpoint's whole URL, not a base URL (lagent's `api_base=".../v1/chat/completions"`):
    # the path `fix` appends to the provider's base URL.
    fix_base_url_path: str = ""
    # The library builds requests only for model names with these prefixes (lagent 0.5's GPTAPI raises
    # NotImplementedError for others): a provider model without one keeps the client as it is, with a TODO.
    fix_model_names: Tuple[str, ...] = ()
    # Why `fix` cannot move the class at all (it accepts only OpenAI's model names and has no counterpart for
    # compatible servers: llama_index's OpenAIMultiModal): reported, never rewritten, the reason its TODO.
    fix_refused: str = ""
    # Variables the library reads its default model from before `default_model` (crewAI's MODEL, MODEL_NAME,
    # OPENAI_MODEL_NAME): the value the project's `.env` gives the first of them is the model `fix` maps.
    default_model_env: Tuple[str, ...] = ()
    # The library renamed its URL argument between versions (lagent: `openai_api_base=`, then `api_base=`): `fix`
    # moves only a call that names one of `base_url_args` (it keeps that name), and leaves a TODO on the others.
    fix_base_url_named: bool = False
    # The class's own methods make its requests through `self.<client>` with `model=self.<model>` (haystack's
    # generators): a subclass that builds that client itself has its requests there (analysis/inherited.py).
    self_requests: Optional[Tuple[str, str]] = None
    # Keywords that send the call to Azure OpenAI when given anything but False (LiteLLM's `azure=True`, kept for
    # old callers: litellm/main.py sets `custom_llm_provider = "azure"`); the call is an Azure one, as its
    # `deployment_id=` (a deployment argument) makes it too.
    azure_flag_args: Tuple[str, ...] = ()

    def family_of(self, qualified: str) -> str:
        """The endpoint family of this class, or of one of its functions (litellm.embedding -> embeddings)."""
        short = qualified.rsplit(".", 1)[-1]
        return dict(self.function_families).get(short, self.family)


_WRAPPER_KEYS = {
    "id",
    "classes",
    "functions",
    "azure",
    "model-args",
    "deployment-args",
    "azure-flag-args",
    "base-url-args",
    "key-args",
    "drop-args",
    "default-model",
    "fix-class",
    "fix-model-arg",
    "fix-base-url-arg",
    "fix-key-arg",
    "fix-extra",
    "fix-note",
    "model-prefix",
    "family",
    "function-families",
    "positional",
    "client-args",
    "model-objects",
    "default-client-setters",
    "default-key-setters",
    "fix-model-wrap",
    "batch-arg",
    "fix-client",
    "fix-key-value",
    "provider-arg",
    "openai-models-only",
    "fix-imports",
    "fix-capabilities",
    "foreign-model-prefixes",
    "fix-base-url-slash",
    "fix-base-url-path",
    "fix-model-names",
    "fix-base-url-named",
    "fix-refused",
    "default-model-env",
    "self-requests",
}


def _capabilities(raw: Optional[Dict[str, Any]]) -> Optional[Capabilities]:
    if raw is None:
        return None
    return Capabilities(
        raw["arg"], tuple(raw.get("from-parameters", {}).items()), tuple(raw.get("constants", {}).items())
    )


@lru_cache(maxsize=1)
def load_wrappers() -> Dict[str, WrapperSpec]:
    """Qualified class/function name -> its wrapper spec."""
    path = rules_dir() / "wrappers.toml"
    data = rules_file("wrappers.toml")
    out: Dict[str, WrapperSpec] = {}
    for raw in data.get("wrapper", []):
        where = f"{path.name}: wrapper {raw.get('id', '?')}"
        unknown = set(raw) - _WRAPPER_KEYS
        if unknown:
            raise CatalogError(f"{where}: unknown keys {sorted(unknown)}")
        try:
            model_args = tuple(raw["model-args"])
            base_url_args = tuple(raw.get("base-url-args", []))
            key_args = tuple(raw.get("key-args", []))
            spec = WrapperSpec(
                id=raw["id"],
                names=tuple(raw.get("classes", []) or raw.get("functions", [])),
                function="functions" in raw,
                azure=bool(raw.get("azure", False)),
                model_args=model_args,
                deployment_args=tuple(raw.get("deployment-args", [])),
                azure_flag_args=tuple(raw.get("azure-flag-args", [])),
                base_url_args=base_url_args,
                key_args=key_args,
                drop_args=tuple(raw.get("drop-args", [])),
                default_model=raw.get("default-model"),
                fix_class=raw.get("fix-class"),
                fix_model_arg=raw.get("fix-model-arg", model_args[0]),
                fix_base_url_arg=raw.get("fix-base-url-arg", base_url_args[0] if base_url_args else ""),
                fix_key_arg=raw.get("fix-key-arg", key_args[0] if key_args else ""),
                fix_extra=tuple(raw.get("fix-extra", {}).items()),
                fix_note=raw.get("fix-note", ""),
                model_prefix=raw.get("model-prefix", ""),
                family=raw.get("family", "chat"),
                function_families=tuple(raw.get("function-families", {}).items()),
                positional=tuple(raw.get("positional", [])),
                client_args=tuple(raw.get("client-args", [])),
                model_objects=bool(raw.get("model-objects", False)),
                default_client_setters=tuple(raw.get("default-client-setters", [])),
                default_key_setters=tuple(raw.get("default-key-setters", [])),
                fix_model_wrap=raw.get("fix-model-wrap", ""),
                fix_key_value=raw.get("fix-key-value", ""),
                provider_arg=raw.get("provider-arg", {}).get("arg", ""),
                provider_values=tuple(raw.get("provider-arg", {}).get("values", [])),
                provider_azure_values=tuple(raw.get("provider-arg", {}).get("azure-values", [])),
                openai_models_only=bool(raw.get("openai-models-only", False)),
                fix_client=(raw["fix-client"]["arg"], raw["fix-client"]["value"]) if "fix-client" in raw else None,
                fix_imports=tuple(raw.get("fix-imports", [])),
                fix_capabilities=_capabilities(raw.get("fix-capabilities")),
                foreign_model_prefixes=tuple(raw.get("foreign-model-prefixes", [])),
                batch_arg=raw.get("batch-arg", ""),
                fix_base_url_slash=bool(raw.get("fix-base-url-slash", False)),
                fix_base_url_path=raw.get("fix-base-url-path", ""),
                fix_model_names=tuple(raw.get("fix-model-names", [])),
                fix_base_url_named=bool(raw.get("fix-base-url-named", False)),
                fix_refused=raw.get("fix-refused", ""),
                default_model_env=tuple(raw.get("default-model-env", [])),
                self_requests=(
                    (raw["self-requests"]["client"], raw["self-requests"]["model"]) if "self-requests" in raw else None
                ),
            )
        except (KeyError, IndexError, TypeError) as e:
            raise CatalogError(f"{where}: missing or malformed key ({e})") from None
        if not (spec.base_url_args or spec.fix_model_wrap or spec.client_args):
            raise CatalogError(f"{where}: needs base-url-args, fix-model-wrap or client-args")
        for name in spec.names:
            out[name] = spec
    return out


@dataclass(frozen=True)
class ExporterSpec:
    """rules/wrappers.toml [[exporter]]: requests a framework sends by itself while its wrappers are used."""

    id: str
    what: str  # for messages: "the Agents SDK's trace export"
    host: str  # "": nothing to report, only a setting `fix` adds (the default API for the provider)
    wrappers: Tuple[str, ...]  # wrapper ids whose use (or default-client setters) turns it on
    off_calls: Tuple[str, ...]  # calls that turn it off
    fix: str  # the statement `fix` adds after the file's imports
    fix_imports: Tuple[str, ...]  # `module.name` it needs
    on_calls: Tuple[str, ...] = ()  # other calls that turn it on
    when_no_endpoint: str = ""  # only for a provider that does not serve this endpoint family


@lru_cache(maxsize=1)
def load_env_read_calls() -> frozenset:
    """rules/wrappers.toml `env-read-calls`: functions that read the variable their first argument names."""
    return frozenset(rules_file("wrappers.toml").get("env-read-calls", []))


@lru_cache(maxsize=1)
def load_exporters() -> Tuple[ExporterSpec, ...]:
    path = rules_dir() / "wrappers.toml"
    out = []
    for raw in rules_file("wrappers.toml").get("exporter", []):
        try:
            out.append(
                ExporterSpec(
                    id=raw["id"],
                    what=raw.get("what", ""),
                    host=raw.get("host", ""),
                    wrappers=tuple(raw.get("wrappers", [])),
                    off_calls=tuple(raw["off-calls"]),
                    fix=raw["fix"],
                    fix_imports=tuple(raw.get("fix-imports", [])),
                    on_calls=tuple(raw.get("on-calls", [])),
                    when_no_endpoint=raw.get("when-no-endpoint", ""),
                )
            )
        except (KeyError, TypeError) as e:
            raise CatalogError(f"{path.name}: exporter {raw.get('id', '?')} is missing {e}") from None
    return tuple(out)


@dataclass(frozen=True)
class ReopenerSpec:
    """rules/wrappers.toml [[reopener]]: a library call that rebuilds a wrapper from the configuration the library
    stored with it, unless the call is given the program's own object (chroma's `get_collection`)."""

    id: str
    wrappers: Tuple[str, ...]  # wrapper ids whose objects the library stores and rebuilds
    modules: Tuple[str, ...]  # the library: a receiver built by another library's call is not one
    methods: Tuple[str, ...]  # method names that reopen
    arg: str  # the keyword that hands the object over
    pass_from: Tuple[str, ...]  # methods whose `arg=` names the object the program gives its collections
    what: str  # for messages
    also_given_by: Tuple[str, ...] = ()  # other keywords that may hand the object over


@lru_cache(maxsize=1)
def load_reopeners() -> Tuple[ReopenerSpec, ...]:
    path = rules_dir() / "wrappers.toml"
    out = []
    for raw in rules_file("wrappers.toml").get("reopener", []):
        try:
            out.append(
                ReopenerSpec(
                    id=raw["id"],
                    wrappers=tuple(raw["wrappers"]),
                    modules=tuple(raw["modules"]),
                    methods=tuple(raw["methods"]),
                    arg=raw["arg"],
                    pass_from=tuple(raw.get("pass-from", [])),
                    what=raw["what"],
                    also_given_by=tuple(raw.get("also-given-by", [])),
                )
            )
        except (KeyError, TypeError) as e:
            raise CatalogError(f"{path.name}: reopener {raw.get('id', '?')} is missing {e}") from None
    return tuple(out)


@dataclass(frozen=True)
class NestedConfigDict:
    """rules/wrappers.toml [[config-dict.nested]]: a library's `{"provider": "openai", "config": {...}}`
    whose inner dict is a client configuration with the library's own key names (mem0)."""

    id: str
    provider_key: str
    providers: Tuple[str, ...]
    config_key: str
    require_any: Tuple[str, ...]
    base_url_keys: Tuple[str, ...]
    fix_base_url_key: str


@dataclass(frozen=True)
class TypedConfigDict:
    """rules/wrappers.toml [[config-dict.typed]]: a library's model configuration named by a type entry
    (agentscope's `{"model_type": "openai_chat", "model_name": ..., "client_args": {"base_url": ...}}`)."""

    id: str
    type_key: str
    types: Tuple[Tuple[str, str], ...]  # type value -> endpoint family
    model_keys: Tuple[str, ...]
    key_keys: Tuple[str, ...]
    drop_keys: Tuple[str, ...]
    client_key: str  # the entry holding the SDK client's keywords: the base URL goes in it


@dataclass(frozen=True)
class ConfigDictSpec:
    """rules/wrappers.toml [config-dict]: what makes a dict literal a client configuration."""

    model_keys: Tuple[str, ...]
    require_any: Tuple[str, ...]
    base_url_keys: Tuple[str, ...]
    key_keys: Tuple[str, ...]
    drop_keys: Tuple[str, ...]
    fix_base_url_key: str
    nested: Tuple[NestedConfigDict, ...] = ()
    typed: Tuple[TypedConfigDict, ...] = ()
    client_key: str = ""  # (a typed dict's: the base URL is an entry of this entry's dict)

    def typed_as(self, t: TypedConfigDict) -> ConfigDictSpec:
        """This spec with a typed dict's keys (its base URL inside its `client_key` entry)."""
        return replace(
            self,
            model_keys=t.model_keys,
            require_any=(),
            base_url_keys=("base_url",),
            key_keys=t.key_keys,
            drop_keys=t.drop_keys,
            fix_base_url_key="base_url",
            nested=(),
            typed=(),
            client_key=t.client_key,
        )

    def inside(self, nested: NestedConfigDict) -> ConfigDictSpec:
        """This spec with the keys the library reads in its nested config."""
        return replace(
            self,
            require_any=nested.require_any,
            base_url_keys=nested.base_url_keys,
            fix_base_url_key=nested.fix_base_url_key,
            nested=(),
        )


@lru_cache(maxsize=1)
def load_config_dict_spec() -> ConfigDictSpec:
    path = rules_dir() / "wrappers.toml"
    raw = rules_file("wrappers.toml").get("config-dict", {})
    try:
        return ConfigDictSpec(
            model_keys=tuple(raw["model-keys"]),
            require_any=tuple(raw["require-any"]),
            base_url_keys=tuple(raw["base-url-keys"]),
            key_keys=tuple(raw["key-keys"]),
            drop_keys=tuple(raw["drop-keys"]),
            fix_base_url_key=raw["fix-base-url-key"],
            nested=tuple(
                NestedConfigDict(
                    id=n["id"],
                    provider_key=n["provider-key"],
                    providers=tuple(n["providers"]),
                    config_key=n["config-key"],
                    require_any=tuple(n.get("require-any", [])),
                    base_url_keys=tuple(n["base-url-keys"]),
                    fix_base_url_key=n["fix-base-url-key"],
                )
                for n in raw.get("nested", [])
            ),
            typed=tuple(
                TypedConfigDict(
                    id=t["id"],
                    type_key=t["type-key"],
                    types=tuple(t["types"].items()),
                    model_keys=tuple(t["model-keys"]),
                    key_keys=tuple(t["key-keys"]),
                    drop_keys=tuple(t.get("drop-keys", [])),
                    client_key=t["client-key"],
                )
                for t in raw.get("typed", [])
            ),
        )
    except (KeyError, TypeError) as e:
        raise CatalogError(f"{path.name}: [config-dict] is missing {e}") from None
