"""What the analysis learned about one file: SDK facts, each tied to the node it came from.

Facts describe code, not problems: checks decide what is a finding, fixes decide what to
rewrite. They keep their LibCST node so that a fix edits exactly what the check reported,
and a Span so that findings never need the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Union

from offramp.hosts import Target
from offramp.wrappers import ConfigDictSpec, ExporterSpec, ReopenerSpec, WrapperSpec

if TYPE_CHECKING:  # annotations only: the ast fast path builds facts without importing libcst
    import libcst as cst
from offramp.types import Span


@dataclass(eq=False)
class ClientCtor:
    """`OpenAI(...)`, `AzureOpenAI(...)` and friends."""

    node: Union[cst.Call, cst.Dict]  # a Dict when `config_dict` is set
    span: Span
    cls: str  # the name as written, for messages
    qualified: str  # openai.OpenAI, openai.AzureOpenAI, ...
    azure: bool
    target: Target
    # Literal(s) that decided the target (a base_url string), so the URL check does not repeat it.
    target_literals: Tuple[cst.CSTNode, ...] = ()
    star_kwargs: bool = False
    star_kwargs_resolved: bool = False
    # The class `fix` would have to change to move it, written in this module: `class Llm(AzureChatOpenAI)`
    # (its base, the class it would become): fix leaves a TODO, as other modules may build the class too.
    kept_subclass: Optional[Tuple[str, str]] = None
    keywords: Tuple[str, ...] = ()
    # Set for library classes/functions from rules/wrappers.toml (LangChain, LlamaIndex, LiteLLM).
    wrapper: Optional[WrapperSpec] = None
    # The wrapper's own default model when the call names none (it still needs one at the provider).
    default_model: Optional[str] = None
    family: str = "chat"  # wrappers: the endpoint family they call
    config_dict: bool = False  # `node` is a dict literal configuring a client (AutoGen config_list entries)
    dict_spec: Optional[ConfigDictSpec] = None  # its key names, when a library's own (mem0's nested config)
    # Key arguments (`api_key=`, `openai_api_key=`, a config dict's "api_key") whose value is written
    # into this file, by name: "secret" when a real key literal reaches it, "literal" when only
    # placeholders or None do (Resolver.key_source). Never the value itself.
    hardcoded_keys: Dict[str, str] = field(default_factory=dict)
    # `super().__init__(...)` in `class MyClient(AzureOpenAI)`: the base class expression (the fix
    # renames it there, not the call's callee).
    base: Optional[cst.BaseExpression] = None
    # A wrapper's model argument that no literal reaches (`ChatOpenAI(model_name=self.llm.get_model())`):
    # moved to the provider, it still sends whatever that value is (OFR203, as for an SDK call's model=).
    dynamic_model: Optional[DynamicModel] = None


@dataclass(eq=False)
class Export:
    """A request a framework sends by itself, beside the model's (the Agents SDK's trace export)."""

    node: cst.Call  # the file's first call into the framework
    span: Span
    spec: ExporterSpec


@dataclass(eq=False)
class Reopen:
    """A call that rebuilds a wrapper from what the library stored (chroma's `client.get_collection("docs")`
    without `embedding_function=`), and the program's own object `fix` hands it instead (None: no single one
    the call can see)."""

    node: cst.Call
    span: Span
    spec: ReopenerSpec
    method: str
    given: Optional[str]
    family: str  # the rebuilt wrapper's (a provider without it gets the wrapper's own TODO, not this one's)


@dataclass(eq=False)
class Bound:
    """A framework object bound to a client of this file whose class `fix` swaps with the client's move
    (`OpenAIResponsesModel(...)` -> `OpenAIChatCompletionsModel(...)`, for providers without that API)."""

    node: cst.Call
    span: Span
    spec: WrapperSpec
    owner: ClientCtor


@dataclass(eq=False)
class ModelLiteral:
    """A string literal that reaches an SDK call's model (or deployment) argument."""

    node: cst.CSTNode  # SimpleString or ConcatenatedString
    span: Span
    value: str
    arg: str  # model | engine | deployment_id | azure_deployment
    azure: bool  # the value names an Azure deployment
    calls: List[ApiCall] = field(default_factory=list)
    owner: Optional[ClientCtor] = None  # the wrapper construction it configures
    template: str = "{}"  # how a replacement is written back (LiteLLM: "openai/{}")
    # Where the name it is bound to is also compared or looked up (analysis/keyuses.py): then it is
    # not rewritten alone. Empty when it is not.
    also_key: str = ""
    # Where that name is tested for a substring (`"ollama" in model`): (the string, where). A key use only for a
    # new value that answers the test otherwise (`key_use`).
    probes: Tuple[Tuple[str, str], ...] = ()
    # The model its client's requests send, made by the catalogue's parent class (analysis/inherited.py):
    # rewritten with the client's move, as a request's own model is.
    inherited: bool = False

    def key_use(self, new: Optional[str]) -> str:
        """Where the name it is bound to is also used as a key that `new` in its place would not satisfy as it
        does ("" when nowhere): a lookup or comparison always, a substring probe when its answer changes."""
        if self.also_key or new is None:
            return self.also_key
        written = self.template.format(new)
        return next((text for needle, text in self.probes if (needle in self.value) != (needle in written)), "")


@dataclass(eq=False)
class DynamicModel:
    """A model argument whose value offramp cannot rewrite (env var, attribute of another object...)."""

    span: Span
    origin: str
    # the expression at `span`: fix writes its TODO above the statement that holds it, where check reports
    # it (llama-index's `{"model": self.model, **kwargs}` in a helper that every request spreads with `**`)
    node: Optional[cst.CSTNode] = None


@dataclass(eq=False)
class ApiCall:
    """A call into the SDK's resource tree: client, module client or legacy v0 class."""

    node: cst.Call
    span: Span
    via: str  # "client" | "module" | "v0"
    path: str  # e.g. "chat.completions.create" (v0: "ChatCompletion.create")
    display: str  # the callee as written
    family: str  # endpoint family (rules/openai.toml [resources])
    clients: Tuple[ClientCtor, ...] = ()  # constructions this call may go through (empty: unknown/annotated)
    azure: bool = False  # goes through an Azure client (model= is a deployment name)
    keywords: Tuple[str, ...] = ()  # explicit keyword names plus keys of resolved **dicts
    response_format: Optional[str] = None  # json_object | json_schema | text | None
    tool_choice: Optional[str] = None
    image_input: bool = False
    model_literals: List[ModelLiteral] = field(default_factory=list)
    # Other model ids that reach it (the provider's own: an earlier run's `self.config.model = "glm-5.3-flash"`),
    # so a second `fix` judges the call by the model the first one wrote (checks/semantics.py `target_models`)
    other_models: List[str] = field(default_factory=list)
    dynamic_model: Optional[DynamicModel] = None
    hardcoded_keys: Dict[str, str] = field(default_factory=dict)  # v0 calls' api_key=, as on ClientCtor
    module_target: Optional[Target] = None  # module and v0 calls: where the module client goes from here


@dataclass(eq=False)
class ModuleAssign:
    """`openai.<attr> = value` (module-level client configuration, v1 or v0)."""

    node: cst.Assign
    span: Span
    attr: str
    role: str  # from rules/openai.toml [module-config]
    value: cst.BaseExpression
    target: Optional[Target] = None  # for base-url / azure-endpoint assignments
    literal: Optional[str] = None
    hardcoded_key: Optional[str] = None  # role "key": "secret" | "literal" | None, as ClientCtor.hardcoded_keys
    owner: Optional[cst.ClassDef] = None  # the class whose body or method sets it (None: module or function)


@dataclass(eq=False)
class EnvAccess:
    """A read or write of an OpenAI environment variable."""

    node: Optional[cst.CSTNode]  # the string literal naming the variable (None from the fast path)
    span: Span
    name: str
    role: str
    write: bool = False
    default: Optional[cst.BaseExpression] = None
    # The `os.getenv(...)` / `os.environ.get(...)` call that reads it: it returns None when the
    # variable is unset (unless given a default). None for `os.environ[...]` and other readers.
    reader: Optional[cst.Call] = None
    # The fast path's word on a write: its value is no key variable's read nor a name bound to one
    # (`os.environ["OPENAI_API_KEY"] = api_key`): `fix` keeps its name (Planner.untraced_writes).
    untraced: bool = False


@dataclass(eq=False)
class UrlLiteral:
    """An OpenAI or Azure URL written in the file: the checks report it and `fix` rewrites it whole when it is a
    plain literal."""

    node: Optional[cst.CSTNode]  # None from the fast path (analysis/quick.py)
    span: Span
    url: str
    target: Target
    plain: bool = True  # a plain string literal (not an f-string): fix can rewrite it whole (checks/clients.py)


@dataclass(eq=False)
class KeyLiteral:
    """A key written in the file as a literal: a secret in the code, reported where it sits (never printed)."""

    node: Optional[cst.CSTNode]  # None from the fast path (analysis/quick.py)
    span: Span


@dataclass(eq=False)
class Analysis:
    """All facts of one file."""

    module: cst.Module
    sdk_imported: bool = False
    clients: List[ClientCtor] = field(default_factory=list)
    calls: List[ApiCall] = field(default_factory=list)
    module_assigns: List[ModuleAssign] = field(default_factory=list)
    module_target: Optional[Target] = None  # where the implicit module client goes (None: unused)
    env: List[EnvAccess] = field(default_factory=list)
    urls: List[UrlLiteral] = field(default_factory=list)
    keys: List[KeyLiteral] = field(default_factory=list)
    models: List[ModelLiteral] = field(default_factory=list)
    exports: List[Export] = field(default_factory=list)
    reopens: List[Reopen] = field(default_factory=list)
    bound: List[Bound] = field(default_factory=list)
    # Every call with a keyword argument (or a class-like name and arguments), in source order: the planner
    # asks which calls it does not know take a key (`Agent(api_key=KEY)`, `Agent(KEY)`); a whole-tree walk
    # per question cost ~1 s on a 5k-line file.
    keyword_calls: List[cst.Call] = field(default_factory=list)
    # (value, what takes it) of keys handed to something that stays on OpenAI and is no client offramp moves
    # (`set_default_openai_key(KEY)`, a config dict naming its provider): their key reads keep their names
    held_keys: List[Tuple[cst.BaseExpression, str]] = field(default_factory=list)
    # Azure OpenAI "On Your Data" request bodies (`extra_body={"data_sources": [...]}`): the dict holding
    # `data_sources`. Only Azure serves it, and the search service's credentials travel in it.
    on_your_data: List[Span] = field(default_factory=list)  # (the key's)
    # Statement that contains each fact node, for TODO comments and suppression lookups.
    statement_of: Dict[int, cst.CSTNode] = field(default_factory=dict)

    @property
    def module_client_used(self) -> bool:
        """The module client is called here, or aimed (key, URL, API type, Azure auth): not only tuned.

        A lone `openai.proxy = ...` (or `openai.organization`, `openai.api_version`) in a helper that
        never calls the module client says nothing about where its requests go, and configuring the
        module client for the whole program from that file would be a guess (an eager import too).
        """
        return any(c.via in ("module", "v0") for c in self.calls) or any(
            m.role in ("key", "base-url", "azure-endpoint", "api-type", "azure-auth") for m in self.module_assigns
        )
