"""The small shared vocabulary of the checks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, AbstractSet, Any, Dict, Mapping, Optional, Tuple

from offramp import codes
from offramp.catalog import SdkSurface
from offramp.mapping import ModelChoice, map_model
from offramp.types import Severity, Span

if TYPE_CHECKING:
    from offramp.providers import Provider
    from offramp.targets import Targets


@dataclass
class Hit:
    """What a check reports before the engine makes it a Finding: the engine adds the rule's message, severity,
    suppressions and fingerprint in one place (engine.finish)."""

    code: str
    span: Span
    args: Dict[str, Any] = field(default_factory=dict)
    fixable: Optional[bool] = None  # None: the rule's default
    severity: Optional[Severity] = None  # None: the rule's default
    hint: str = ""


@dataclass(frozen=True)
class CheckContext:
    """What every check of one run reads: the SDK surface and the chosen provider, models and options, so the
    checks stay pure functions of a file's facts."""

    sdk: SdkSurface
    provider: Optional[Provider] = None
    models: Mapping[str, str] = field(default_factory=dict)
    # `--to chat=deepseek,embeddings=qwen` (offramp.targets): `provider` is the chat one
    targets: Optional[Targets] = None
    # the rules the run reports (None: all): what `fix` acts on too (checks/lifecycle.written_elsewhere)
    enabled: Optional[AbstractSet[str]] = None
    # `per-file-ignores` (glob -> codes): a finding ignored there is one `fix` does not act on either
    per_file_ignores: Mapping[str, Tuple[str, ...]] = field(default_factory=dict, compare=False)
    # files of the project outside the run's paths, read for the routes only (api.py `context_files`): no finding
    # is reported there and `fix` writes none of them
    context: AbstractSet[str] = field(default_factory=frozenset, compare=False)

    def for_family(self, endpoint_family: str) -> CheckContext:
        """The context of a request of `endpoint_family`: its own family's provider."""
        if self.targets is None or not endpoint_family:
            return self
        return replace(self, provider=self.targets.for_family(endpoint_family))

    def family_provider(self, endpoint_family: str) -> Optional[Provider]:
        """The provider a request of `endpoint_family` goes to (None: no provider)."""
        return self.for_family(endpoint_family).provider

    def choose(self, value: str, images: bool = False) -> Optional[ModelChoice]:
        if self.provider is None:
            return None
        return map_model(value, self.provider, self.sdk, self.models, images)

    def target(self, value: str) -> Optional[str]:
        """The provider's model for `value` (None: no provider, or no equivalent)."""
        choice = self.choose(value)
        return choice.target if choice is not None else None


# A route finding adds nothing on a line where the per-file checks already report one of these
# (`OpenAI(base_url=None)` is OFR101 there; OFR107 is for a None they cannot see).
COVERED_BY: Dict[str, Tuple[str, ...]] = {
    codes.BASE_URL_MAY_BE_UNSET: (codes.OPENAI_CLIENT, codes.AZURE_OPENAI_CLIENT, codes.MODULE_CLIENT_CONFIG),
    # (one model literal: the file's own finding names it by its class's clients, a route that may be OpenAI's
    # or Azure's by its id, so the two may differ in code)
    codes.OPENAI_MODEL: (codes.AZURE_DEPLOYMENT,),
    codes.AZURE_DEPLOYMENT: (codes.OPENAI_MODEL,),
}

# A route finding of these codes is never one of its own: it retells the per-file finding of the same code at the
# same span (joinroutes.with_routes), whose message says what the request's file alone shows ("calls api.openai.com
# (no base URL set in this file)") where the module client is configured in another module (checks/routes.py
# `_module_configured_elsewhere`).
RETOLD_BY_ROUTES: Tuple[str, ...] = (codes.MODULE_CLIENT_CALL, codes.LEGACY_API_CALL)
# The target of such a retelling where the routes show the request aimed away from OpenAI and Azure (config.py's
# `openai.api_base = "http://localhost:8000/v1"`, or a provider other than the chosen one): the file's finding is
# untrue and goes, with the findings inside the request that only a request to OpenAI or Azure has (AWAY_CODES),
# as in one file.
AIMED_AWAY = ""
AWAY_CODES: Tuple[str, ...] = (
    codes.OPENAI_MODEL,
    codes.AZURE_DEPLOYMENT,
    codes.DYNAMIC_MODEL,
    codes.MODEL_NOT_SERVED,
    codes.MODEL_RETIRED,
    codes.UNSUPPORTED_ENDPOINT,
    codes.UNSUPPORTED_PARAMETER,
    codes.UNMAPPED_MODEL,
    codes.EMBEDDING_REINDEX,
    codes.REASONING_CONTROL,
    codes.REASONING_NOT_REPLAYED,
    codes.STRUCTURED_OUTPUT,
    codes.REQUEST_LIMIT,
    codes.AZURE_ON_YOUR_DATA,
)
# The target of such a retelling where every host is the chosen provider's (config.py's `openai.api_base =
# "https://dashscope.aliyuncs.com/compatible-mode/v1"`, `--to qwen`): the file's finding goes, and of AWAY_CODES
# inside the request those of its model (the routes judge it: OFR204); what that provider lacks of the request
# stays (TO_PROVIDER_CODES), as one file reports it of a request already aimed there (checks/models.py
# `call_is_relevant`). A provider other than the chosen one is AIMED_AWAY: its request does not move.
AIMED_AT_CHOSEN = "\x00chosen"
TO_PROVIDER_CODES: Tuple[str, ...] = (
    codes.UNSUPPORTED_ENDPOINT,
    codes.UNSUPPORTED_PARAMETER,
    codes.REASONING_CONTROL,
    codes.REASONING_NOT_REPLAYED,
    codes.STRUCTURED_OUTPUT,
    codes.REQUEST_LIMIT,
)

# The hint of a framework's own request to OpenAI (the Agents SDK's trace export, checks/clients.py): its fix
# turns the request off after the imports and moves no host or key, so no route's hold is its hold
# (runner._held) and it predicts no route-gate effect (project/stage.predicted_effects).
TURNED_OFF = "fix turns it off: "
