"""Where a route's host, credential and model come from: the `Source` values and the `Route` itself.

A Source keeps the place a value is defined (file and span, a variable name, a key path in a
configuration file) so that a finding can sit where a person must act and a fix can rewrite a
definition once for every route it reaches. All are frozen, hashable and picklable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Tuple, Union

from offramp import codes
from offramp.types import Span

#: The module-level client of a file (its configuration, inserted or rewritten) as one "site": the
#: route gate's MODULE, and a module route's configuration homes (`Route.other_clients`).
MODULE = Span(0, 0, 0, 0)


@dataclass(frozen=True)
class Literal:
    """A value written in the code; `value` None is the literal `None` (unset)."""

    file: str
    span: Span
    value: Optional[str]
    template: bool = False  # an f-string: `{...}` marks the holes


@dataclass(frozen=True)
class EnvRead:
    """An environment variable; `file` empty when the SDK reads it implicitly (no argument given)."""

    name: str
    file: str = ""
    span: Optional[Span] = None
    has_default: bool = False
    nullable: bool = False  # `os.getenv(name)`: None when unset (`os.environ[name]` raises instead)


@dataclass(frozen=True)
class ConfigValue:
    """A key of a configuration file the code loads; `value` None when null or `present` is False."""

    file: str
    key: str
    value: Optional[str]
    present: bool
    reader: str  # "settings.py:12": the code that loads the file
    # The value of an environment variable as a `.env` file the program loads sets it (`load_dotenv()`
    # at `reader`): the code reads the variable, and this file is where a person changes it.
    loaded: bool = False
    span: Optional[Span] = None  # (loaded) the variable's line in the file, when found


@dataclass(frozen=True)
class Parameter:
    """A value that comes in as a parameter of a function: the route's source is whatever its callers pass."""

    name: str
    file: str
    span: Optional[Span] = None


# The credential of an Azure client given a token (`azure_ad_token_provider=`) and no key argument:
# `fix` gives the converted client the provider's key, as it does a client that reads one implicitly.
AZURE_AD_TOKEN = "an Azure AD token"
# The reason of a value returned by a call outside the project (`result of azure.identity.get_bearer_token_provider()`)
RESULT_OF = "result of "


@dataclass(frozen=True)
class Unknown:
    """A source offramp cannot follow, with the reason: a route with an unknown host or key is reported as such,
    never taken to be safe."""

    reason: str
    file: str = ""
    span: Optional[Span] = None


@dataclass(frozen=True)
class SdkDefault:
    """What the SDK (or framework) uses when nothing is configured: api.openai.com, or Azure's endpoint."""

    host: str
    reason: str
    azure: bool = False
    file: str = ""  # where the fallback arises (a conditional `openai.api_base = ...`), if not the client
    span: Optional[Span] = None


Source = Union[Literal, EnvRead, ConfigValue, Parameter, Unknown, SdkDefault]


@dataclass(frozen=True)
class Route:
    """One request site with everything that decides where it goes, what it carries and what it asks for."""

    file: str
    span: Span
    call: str  # the callee as written, for messages
    kind: str  # client | module | v0 | framework | http | reopen (project/reopens.py)
    family: str  # endpoint family (rules/openai.toml [resources]), "" when unknown
    azure: bool
    host: FrozenSet[Source] = field(default_factory=frozenset)
    credential: FrozenSet[Source] = field(default_factory=frozenset)
    model: FrozenSet[Source] = field(default_factory=frozenset)
    client: str = ""  # the client's construction as written (`OpenAI`, `get_client`), or the module client
    client_file: str = ""  # where the client was constructed (for the host finding)
    client_span: Optional[Span] = None
    # Further constructions the request's client may come from (`A() if x else B()`, a subclass built
    # in two factories): the constructor is "rewritten" only when every one of them is. For a module
    # route: the other files configuring the module client, each as (path, the module site 0:0-0:0).
    other_clients: Tuple[Tuple[str, Span], ...] = ()
    # Some of its constructions are plain clients although `azure` (one of them is Azure's): fix converts
    # only the Azure ones with the provider's key, so check may not predict that for the route
    mixed: bool = False
    # Constructions of a project subclass of a plain SDK client that adds methods only (`class Tuned(OpenAI)`),
    # by keywords (file, span, the SDK class): the SDK's constructor, which `fix` retargets where it is written,
    # also in a file the class is imported into (the route gate hands them to that file's plan).
    subclass_ctors: Tuple[Tuple[str, Span, str], ...] = ()
    # A construction of a project subclass of a framework or SDK class in another module that `fix` leaves as it
    # is (its class has an `__init__` of its own, or would have to change): why. The route is held whole (its host,
    # key and model stay) and the construction, handed to its file's plan as `subclass_todo`, gets a TODO.
    held: str = ""
    subclass_todo: Tuple[Tuple[str, Span, str], ...] = ()
    # A reopening call (kind `reopen`): the rules/wrappers.toml [[reopener]] id; `client` is the name of the
    # program's function it is handed ("": none it can see, a TODO)
    reopener: str = ""
    # How the library wants a model id written: LiteLLM's "openai/{}" for an OpenAI-compatible server (a bare
    # `qwen3.8-max` made LiteLLM raise "LLM Provider NOT provided"). A model literal of another file that the
    # route gate rewrites (`Gate.models`) is written so, as the file's own planner writes one (fixes/literals.py).
    model_template: str = "{}"
    # What a v0 request sets for itself over the module configuration (HOST / CRED of project/gate.py: its own
    # `api_base=` / `api_key=`), or what is written into a client after its construction (`client.api_key = ...`):
    # the module client or the constructor moving does not move those (project/perrequest.py, project/routes.py
    # `set_later`).
    own: Tuple[str, ...] = ()
    # Module / v0 routes: the other files with requests through the module client that run in the same
    # program (project/routes.py `linked`). The module client is process-wide: configured for the provider
    # in one of them, it moves this request too, so a request held here holds their configuration as well.
    process: Tuple[str, ...] = ()
    # Client routes: per plain construction, the key variable reads its `api_key=` names itself (`api_key=KEY`
    # with `KEY = os.environ.get("OPENAI_API_KEY")` in the same module), as (file, span). Where such a read is
    # kept (another request still needs it), fix replaces the whole argument by the provider's read (planner
    # `shared_key`), which check's prediction must know (project/gate.py).
    key_reads: Tuple[Tuple[Tuple[str, Span], ...], ...] = ()
    # Client routes: the request's receiver may also be an object of another library (`client = Anthropic()` in one
    # branch of the factory that returns `model, client`), so some models reaching it may be that library's
    foreign_receiver: bool = False
    # Client routes: the request is a method of the SDK's client (`client.beta.assistants.create`), not a
    # framework's call handed the client (`OpenAIResponsesModel("gpt-4o", client)`)
    sdk_method: bool = False
    # The environment writes (`os.environ["OPENAI_API_KEY"] = ...`) of a variable the request reads, in modules
    # that run in its program (project/routes.py `linked`), as (file, span of the write): a write no route
    # reaches serves only what offramp cannot see, a library that reads the variable itself (project/gate.py)
    writes: Tuple[Tuple[str, Span], ...] = ()

    @property
    def alone(self) -> bool:
        """A client no request offramp can follow goes through (project/routes.py `unreached`): judged by
        the route gate, but no finding of its own (the per-file checks report the constructor)."""
        return self.kind == "client" and self.span == self.client_span and self.file == self.client_file

    @property
    def where(self) -> str:
        return f"{self.file}:{self.span.line}"


#: The host a plain client reaches when no base URL is given (or the one given may be unset).
OPENAI_DEFAULT = SdkDefault("api.openai.com", "the SDK's default host")
#: The reason of the SDK default a constructor reaches when the base URL it is given may be None.
UNSET_GIVEN = "when the configured base URL is unset"


def every_route(routes: Iterable[Route], test: Callable[[Route], Optional[bool]]) -> Dict[str, List[Span]]:
    """Per file, the requests (their spans) every route of which passes `test`; a route `test` answers None for
    does not count. Routes of one request share its file and span (a client chosen by a branch: one each)."""
    return all_passed((r.file, r.span, ok) for r in routes for ok in [test(r)] if ok is not None)


def all_passed(verdicts: Iterable[Tuple[str, Span, bool]]) -> Dict[str, List[Span]]:
    """Per file, the places (spans) every verdict on which passed."""
    passed: Dict[Tuple[str, Span], bool] = {}
    for path, span, ok in verdicts:
        passed[(path, span)] = passed.get((path, span), True) and ok
    out: Dict[str, List[Span]] = {}
    for (path, span), ok in passed.items():
        if ok:
            out.setdefault(path, []).append(span)
    return out


#: The findings of a request's host (its client, the module client): fix moves the host only where they are on.
HOST_CODES = frozenset((codes.OPENAI_CLIENT, codes.AZURE_OPENAI_CLIENT, codes.MODULE_CLIENT_CONFIG))


def left_out(route: Route, per_file_ignores: Mapping[str, Tuple[str, ...]]) -> bool:
    """Whether `per-file-ignores` leaves the route out of the migration: its request's file and its client's turn
    off every host finding (`"tests/*" = ["OFR"]`), so neither check nor fix moves it. Such a request is not one
    that stays: a model it shares with requests that move is rewritten with them, and it reports nothing in the
    files it reaches (a settings module)."""
    if not per_file_ignores:
        return False
    from offramp.engine import ignored_in  # lazy: start-up

    files = {f for f in (route.file, route.client_file) if f}
    return bool(files) and all(ignored_in(f, per_file_ignores) >= HOST_CODES for f in files)


def openai_url_variable(name: str) -> bool:
    """`OPENAI_BASE_URL` & co may well hold OpenAI's URL: `fix` writes the provider's URL over a client's base URL
    read from one (fixes/sdkclients.py `base_url_mode`), and the route gate judges the client so (gate.py)."""
    return "OPENAI" in name.upper()


def may_be_unset(s: Source) -> bool:
    """A base URL value that can be None at run time, so the SDK falls back to its default host."""
    if isinstance(s, Literal):
        return s.value is None or s.value == ""
    if isinstance(s, ConfigValue):
        return not s.value
    # A variable the code reads with no default (`os.getenv("LLM_BASE_URL")`): None when it is unset, and the SDK
    # then reads OPENAI_BASE_URL or takes api.openai.com (`os.environ[...]` raises instead). Azure clients refuse
    # to run without an endpoint (client_host asks only for plain clients). Where the variable is the SDK's own
    # (OPENAI_BASE_URL) the per-file finding of the client says so, and OFR107 is dropped there (COVERED_BY).
    return isinstance(s, EnvRead) and bool(s.file) and s.nullable


FALLBACK_READ = " reads when the key given is None"


def with_fallback_read(given: Set[Source], env: str, reader: str) -> Set[Source]:
    """A key's sources plus, when one of them is None (`api_key=None` as a default, a `null` in the
    config, the Agents SDK's LitellmModel built by its provider), the read of `env` that `reader` (the
    SDK, a framework) then makes itself. Counted as "no secret", fix moved such a route's URL and the
    library sent OPENAI_API_KEY to the provider."""
    if any(isinstance(s, (Literal, ConfigValue)) and s.value is None for s in given):
        given.add(Unknown(f"`{env}`, which {reader}{FALLBACK_READ}"))
    return given


def made_by_another_library(v: object, sdk_modules: Sequence[str]) -> bool:
    """An object another library's class makes (`Anthropic()`: "result of anthropic.Anthropic()")."""
    if not isinstance(v, Unknown) or not v.reason.startswith(RESULT_OF) or not v.reason.endswith("()"):
        return False
    qualified = v.reason[len(RESULT_OF) : -2]
    top, _, last = qualified.partition(".")
    return bool(last) and top not in sdk_modules and last.rsplit(".", 1)[-1][:1].isupper()
