"""Base URL arguments and settings `fix` keeps as the program's override, and the values they may hold.

The planner keeps a base URL the program configures (`OpenAI(base_url=api_base or "<provider URL>")`, a name
whose OpenAI literals it rewrites where they are written, `if args.api_base: openai.api_base = args.api_base`)
and gives the client the provider's key. Every other value that argument may hold then still decides where the
request goes, with the provider's key: the route gate (project/gate.py) moves such a route only when each of
them moves too. FastChat's endpoint registry handed its servers' URLs to `api_base`, and the provider's key went
to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, List, Optional, Tuple

from offramp.hosts import classify_url
from offramp.project import sources as src
from offramp.project.sources import Route, Source
from offramp.providers import Provider
from offramp.types import Span

if TYPE_CHECKING:
    from offramp.project.gate import RouteJudge

# An effect of fix's plans only (project/gate.py `Effect`): a constructor, or the module client, whose base URL
# setting the planner keeps as the program's override, beside its HOST effect.
OVERRIDE = "override"
Covered = Callable[[str, Optional[Span], str], bool]


def override_moves(judge: RouteJudge, r: Route, covered: Covered, p: Provider) -> bool:
    """Whether a constructor given a base URL that may be None (`OpenAI(base_url=self.endpoint)`) reaches only
    the provider once the planner rewrote it. The planner keeps such an argument as the override it is
    (`self.endpoint or "<provider URL>"`) and gives the client the provider's key, so each value the argument
    holds when set must move too: a local server or a configured host kept it, and the provider's key went
    there (devika's LM Studio client from config.toml; FastChat's `api_base or "https://api.openai.com/v1"`)."""
    # a server the program names (`os.environ["OPENAI_BASE_URL"] = "http://localhost:8000/v1"`): kept
    if not all(judge.host_moves(s, covered, p) for s in r.host if _server(judge, s)):
        return False
    built: List[Tuple[str, Optional[Span]]] = [(r.client_file, r.client_span), *r.other_clients]
    if r.kind in ("module", "v0"):
        # `if args.api_base is not None: openai.api_base = args.api_base` (FastChat): the planner keeps the
        # setting (`_configured`) and puts the provider's key beside it, which then went to that host
        if judge.predicted:  # (check: the settings the planner would keep, fixes/moduleclient.py `_configured`)
            configured = [s for s in r.host if _configured(s) and not _azure_file_setting(s, r)]
            return all(judge.host_moves(s, covered, p) for s in configured)
        files = {r.file, *(s.file for s in r.host if not isinstance(s, src.Parameter) and s.file)}
        built = [(path, src.MODULE) for path in files | {path for path, _ in r.other_clients}]
    elif r.kind != "client":
        return True
    if not any(isinstance(s, src.SdkDefault) and s.reason == src.UNSET_GIVEN for s in r.host) and not any(
        covered(path, span, OVERRIDE) for path, span in built
    ):
        return True
    if r.kind == "client" and any(
        isinstance(s, src.EnvRead) and s.file and src.openai_url_variable(s.name) for s in r.host
    ):
        return True  # the planner writes the provider's URL over the argument (sdkclients `base_url_mode`)
    # (not a read of OPENAI_BASE_URL or an Azure endpoint variable, the SDK's own or the code's: the planner writes
    # the provider's URL over it)
    kept = [s for s in r.host if not isinstance(s, (src.SdkDefault, src.Parameter)) and not src.may_be_unset(s)]
    kept = [s for s in kept if not _rewritten_here(judge, s, r) and not _url_variable(s)]
    return all(judge.host_moves(s, covered, p) for s in kept)


def _azure_file_setting(s: Source, r: Route) -> bool:
    """A configuration file's value read in the Azure request's own file: the setting there configures an Azure
    module client, which the planner does not keep (it writes the provider's URL over it: ChatPaper's
    `openai.api_base = self.config.get("AzureOPenAI", "OPENAI_API_BASE")` beside `openai.api_type = "azure"`)."""
    return r.azure and isinstance(s, src.ConfigValue) and s.reader.rpartition(":")[0] == r.file


def _url_variable(s: Source) -> bool:
    return isinstance(s, src.EnvRead) and (not s.file or src.openai_url_variable(s.name))


def _configured(s: Source) -> bool:
    """A value of a name, attribute or subscript offramp cannot see (`args.api_base`, `cfg["base"]`), or a
    configuration file's: what the module planner keeps as the user's setting."""
    if isinstance(s, src.Unknown):
        return s.reason in ("a value offramp cannot see", "subscript")
    return isinstance(s, src.ConfigValue) and not src.may_be_unset(s)


def _server(judge: RouteJudge, s: Source) -> bool:
    """A URL of a local server or another host (not OpenAI's, not Azure's)."""
    return _url_kind(judge, s) in ("local", "other")


def _rewritten_here(judge: RouteJudge, s: Source, r: Route) -> bool:
    """An OpenAI URL literal of the constructor's own file: the planner rewrites it where it is written
    when it keeps the argument (sdkclients `base_url_mode`)."""
    return isinstance(s, src.Literal) and s.file == r.client_file and _url_kind(judge, s) == "openai"


def _url_kind(judge: RouteJudge, s: Source) -> str:
    value = s.value if isinstance(s, (src.Literal, src.ConfigValue)) else None
    return classify_url(value, judge.sdk, judge.provider_hosts).kind if value else ""
