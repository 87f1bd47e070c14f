"""Which key sources `fix` replaces when it moves a route: the route gate's view of the planner's key decisions.

Kept apart from project/gate.py (the freeze and its bookkeeping) because these are facts about the
planner (fixes/sdkclients.py `add_key`, fixes/moduleclient.py, fixes/keyvars.py `written_key`) that the
gate and check's prediction must agree with, whatever decides the rest of the route.
"""

from __future__ import annotations

from typing import Callable

from offramp.catalog import load_sdk
from offramp.hosts import is_secret_value
from offramp.project.sources import AZURE_AD_TOKEN, FALLBACK_READ, RESULT_OF, EnvRead, Literal, Route, Source, Unknown
from offramp.redact import MASK
from offramp.types import Span

AZURE_IDENTITY = RESULT_OF + "azure.identity."  # (a token provider: the call flow.py cannot follow)


def implicit_key(s: Source) -> bool:
    """A credential fix replaces whenever it rewrites the constructor: none given (the SDK reads the
    variable), an Azure AD token, or an Azure identity token provider passed as the key (Azure's v1 API
    through the plain client, `OpenAI(base_url=f"{endpoint}/openai/v1/", api_key=token_provider)`):
    the converted client gets the provider's key argument (planner `azure_credential`)."""
    if isinstance(s, EnvRead):
        return not s.file
    return isinstance(s, Unknown) and (s.reason == AZURE_AD_TOKEN or s.reason.startswith(AZURE_IDENTITY))


def adds_key(r: Route, moves: Callable[[Source], bool]) -> bool:
    """Whether fix gives the request the provider's key, as the planner decides it (its `add_key`:
    fixes/sdkclients.py for a constructor, the key line of fixes/moduleclient.py for the module client).
    A fixable finding on the constructor or the module client does not say; the route's key sources
    do. A source is replaced when it is the SDK's own read (`implicit_key`), a key written into the
    code (a literal: the planner's `written_key` replaces a key any literal reaches) or a read that is
    itself moved (`moves`). Any other key stays what it was: `openai.api_key = self.api_key` keeps
    the caller's key.

    One difference is the planner's, not the prediction's: a constructor with the SDK's own read has
    no key argument, and fix adds one whatever the program writes into the variable (xiaogpt's
    `os.environ["OPENAI_API_KEY"] = openai_key`: tests/fixtures/oracle/env_write_namespace); the
    module client's own read means only that some path sets no key, and fix adds its key line only
    where no place sets one (`if key: openai.api_key = key` keeps the caller's)."""
    if r.kind not in ("module", "v0") and not r.other_clients and any(implicit_key(s) for s in r.credential):
        return True  # (with several constructions, another one's own key argument may stay: openai-agents)
    return (
        every_key_replaced(r, moves)
        or kept_read_replaced(r, moves)
        or renamed_reads_replace(r, moves)
        or written_key_replaced(r)
    )


def written_key_replaced(r: Route) -> bool:
    """Whether the planner replaces a client's key argument because a key is written into its file (fixes/keyvars.py
    `written_key`, from analysis/flow.py `key_source`): a real key literal reaches it, or every value it may take
    is a literal or None (`api_key=None`, a placeholder, a parameter's default key). The whole argument becomes the
    provider's read, whatever else reaches it (a caller's argument)."""
    if r.kind != "client" or not r.client_file:
        return False
    written = [s for s in r.credential if isinstance(s, Literal) and s.file == r.client_file]
    if any(s.value and not placeholder(s.value) for s in written):
        return True
    others = [
        s
        for s in r.credential
        if s not in written and not (isinstance(s, Unknown) and s.reason.endswith(FALLBACK_READ))
    ]
    return bool(written) and not others


def kept_read_replaced(r: Route, moves: Callable[[Source], bool]) -> bool:
    """Whether every plain construction of the route names a key read that stays (another request still needs
    it): the planner then replaces that whole `api_key=` argument by the provider's read (fixes/keyvars.py
    `shared_key`) instead of renaming the read. AgentVerse's default client reads OPENAI_API_KEY, which a chat
    class's own client, left on OpenAI, reads too (tests/fixtures/oracle/branch_default_client)."""

    sdk = load_sdk()

    def kept(file: str, span: Span) -> bool:
        # (a key variable's read the planner keeps: one no rule names, `OPENAICOM_KEY`, is never its to keep)
        return any(
            isinstance(s, EnvRead)
            and s.file == file
            and s.span == span
            and not moves(s)
            and sdk.env_role(s.name) == "key"
            for s in r.credential
        )

    return bool(r.key_reads) and all(any(kept(f, at) for f, at in reads) for reads in r.key_reads)


def every_key_replaced(r: Route, moves: Callable[[Source], bool]) -> bool:
    """Whether each key source of the route is one fix replaces: the SDK's own read, a key written into the
    code, or a read that is itself moved (`moves`)."""
    return all(implicit_key(s) or (isinstance(s, Literal) and bool(s.value)) or moves(s) for s in r.credential)


def renamed_reads_replace(r: Route, moves: Callable[[Source], bool]) -> bool:
    """Whether renaming the key reads written inside a constructor replaces its whole key (the constructor
    itself is not rewritten for its key). Each source must be one fix replaces; a `None` given as the key
    (and the SDK's read of OPENAI_API_KEY behind it) counts only as the default of such a read on the
    same line (`os.environ.get("OPENAI_API_KEY", None)`): the renamed read becomes strict (fixes/keyvars.py
    `never_none`). Kept, `os.environ.get("OPENAI_EMBEDDING_API_KEY", api_key)` sent the caller's key (the
    user's OpenAI key) to the provider whenever the new variable was unset (ChuanhuChatGPT)."""
    reads = [s for s in r.credential if isinstance(s, EnvRead) and s.file and s.span is not None and moves(s)]

    def read_default(s: Source) -> bool:
        return isinstance(s, Literal) and any(
            x.file == s.file
            and s.span is not None
            and x.span is not None
            and x.span.line == s.span.line
            and (x.span.end_line, x.span.end_column) <= (s.span.line, s.span.column)
            for x in reads
        )

    fallback_ok = all(read_default(s) for s in r.credential if isinstance(s, Literal) and s.value is None)
    return all(
        moves(s) or (fallback_ok and isinstance(s, Unknown) and s.reason.endswith(FALLBACK_READ)) for s in r.credential
    )


def placeholder(value: str) -> bool:
    """A key literal that is no secret. The index masks real keys (`sk-********`), and a masked value
    reads as a placeholder to `is_secret_value`: a masked one is taken for a secret."""
    return MASK not in value and not is_secret_value(value)
