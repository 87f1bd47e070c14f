"""Hosts, URLs and keys: where a string points, and whether it is a secret. No LibCST here.

Kept free of heavy imports because discovery, the config-file scanner and the ast fast path
use it on files that are never parsed with LibCST.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from offramp.catalog import SdkSurface, host_matches

URL_RE = re.compile(r"(?:https?|wss?)://[^\s\"'<>`]+", re.IGNORECASE)
# Resource names that only ever appear in documentation, error messages and tests (`fake.openai.azure.com`).
_PLACEHOLDER_LABEL = re.compile(
    r"^(x+|y+|your[-_].*|.*[-_]?resource[-_]?name.*|example.*|my[-_]?resource|(fake|dummy)([-_].*)?|<.*>|\{.*\}|\*)$",
    re.I,
)
# OpenAI-style secret keys. DeepSeek and DashScope issue keys of the same shape.
KEY_RE = re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")
_PLACEHOLDER_BODY = re.compile(
    r"^(?:proj-|svcacct-|admin-)?([x*.\-_0]+|\.\.\.|your.*|test.*|fake.*|dummy.*|placeholder.*)$", re.I
)
_MASKED = re.compile(r"(.)\1{7}")
DYNAMIC = "\x00"  # stands for the unknown parts of an f-string
# `url.startswith("https://api.openai.com")`: the literal is a pattern the program matches a URL
# against, not a destination (the analysis leaves such literals, and comparison operands, alone).
MATCH_METHODS = frozenset({"startswith", "endswith", "removeprefix", "removesuffix"})


def is_placeholder_key(key: str) -> bool:
    return _placeholder_body(key[3:])


def is_secret_value(value: str) -> bool:
    """Whether a value given where an API key goes (`api_key="..."`, `OPENAI_API_KEY=...`) is a real secret.

    `sk-` keys are judged as OFR302 judges them (is_placeholder_key); any other value (an Azure
    key, another provider's key) by the same measure of its whole text. Empty values, values with
    blanks ("<your key here>") and environment references (`${VAR}`, `$VAR`, LiteLLM's
    `os.environ/VAR`) are not secrets; neither are "YOUR_KEY", "EMPTY" or "xxx".
    """
    v = value.strip()
    if not v or any(c.isspace() for c in v) or v.startswith(("$", "os.environ/")) or "${" in v:
        return False
    return not (is_placeholder_key(v) if v.startswith("sk-") else _placeholder_body(v))


def _placeholder_body(body: str) -> bool:
    if _PLACEHOLDER_BODY.match(body):
        return True
    core = re.sub(r"^(proj-|svcacct-|admin-)", "", body)
    letters = sum(c.isalpha() for c in core)
    digits = sum(c.isdigit() for c in core)
    # A run of eight equal characters is a masked key (`sk-j7caBpkRoxxxxxxxxxxxxxxxxxxxxxxxxxxxx` in gpt_academic's
    # docstrings): in a random key of 150 base-62 characters its chance is about 1e-10.
    return len(set(core.lower())) < 6 or letters == 0 or digits == 0 or bool(_MASKED.search(core))


@dataclass(frozen=True)
class Target:
    """Where a client or URL sends requests.

    kind: "openai" (OpenAI's hosts), "azure", "local" (loopback, private, in-cluster names),
    "provider" (a known compatible provider), "other" (some other public host),
    "env" (decided by the environment at run time), "dynamic" (not knowable statically).
    """

    kind: str
    host: str = ""
    detail: str = ""

    @property
    def blocked(self) -> bool:
        return self.kind in ("openai", "azure")

    def describe(self) -> str:
        return self.detail or self.host or self.kind

    def for_azure_client(self) -> Target:
        """Where an Azure client given this URL sends requests: Azure, unless the URL is a local server, a
        provider or another host (a resource name offramp cannot classify is still Azure's)."""
        if self.kind in ("local", "provider", "other"):
            return self
        return Target("azure", self.host, self.host or "Azure OpenAI")


_LOCAL_SUFFIXES = (".local", ".internal", ".lan", ".svc", ".cluster.local", ".localhost", ".home.arpa", ".test")


# Azure OpenAI deployment names: 2-64 letters, digits, `-`, `_` and `.` (Azure portal / ARM validation)
_DEPLOYMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")


def may_name_deployment(value: str) -> bool:
    """Whether an Azure OpenAI deployment can be named `value` (`openai/gpt-4o`, `thenlper/gte-small` cannot)."""
    return _DEPLOYMENT_NAME.fullmatch(value) is not None


def is_local_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in ("localhost", "0.0.0.0", "host.docker.internal"):
        return True
    import ipaddress  # lazy: start-up (~1 ms; a warm check asks no host)

    try:
        ip = ipaddress.ip_address(host)
        return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified
    except ValueError:
        pass
    return "." not in host or host.endswith(_LOCAL_SUFFIXES)


def classify_url(url: str, sdk: SdkSurface, provider_hosts: Iterable[str], *, endpoint: bool = False) -> Target:
    """Classify a URL (possibly with DYNAMIC holes) by its host.

    `endpoint`: the URL is where an OpenAI SDK client (or an OpenAI-named setting) sends
    requests. Only then does a bare host that every Azure AI service shares
    (`https://res.cognitiveservices.azure.com/`) count as Azure OpenAI; elsewhere it takes an
    Azure OpenAI path (`/openai/...`), because the same host serves Content Safety, Document
    Intelligence and Speech, which no provider replaces.
    """
    text = url.strip()
    if DYNAMIC in text:
        # A hole in the host (f"https://{name}.openai.azure.com") still tells us the domain.
        probe = text.replace(DYNAMIC, "dynamic-part")
        try:
            parts = urlsplit(probe)
            host = (parts.hostname or "").lower()
        except ValueError:
            return Target("dynamic")
        if not host or "." not in host.replace("dynamic-part", ""):
            return Target("dynamic")
        shown = host.replace("dynamic-part", "<resource>")
        if not endpoint and _other_azure_service(host, parts.path, sdk):
            return Target("other", "", shown)
        if host_matches(host, sdk.azure_hosts):
            return Target("azure", "", shown)
        if host_matches(host, sdk.openai_hosts):
            return Target("openai", "", shown)
        return Target("dynamic", "", shown)
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return Target("dynamic")
    if not host:
        return Target("dynamic")
    if host_matches(host, sdk.openai_hosts):
        return Target("openai", host, host)
    if not endpoint and _other_azure_service(host, parts.path, sdk):
        return Target("other", host, host)
    if host_matches(host, sdk.azure_hosts):
        return Target("azure", host, host)
    if is_local_host(host):
        return Target("local", host, host)
    if host_matches(host, provider_hosts) or any(host.endswith("." + h) for h in provider_hosts):
        return Target("provider", host, host)
    return Target("other", host, host)


def _other_azure_service(host: str, path: str, sdk: SdkSurface) -> bool:
    """A host shared by all Azure AI services, and a path that is not Azure OpenAI's."""
    if not host_matches(host, sdk.azure_shared_hosts):
        return False
    path = path.lower().replace(DYNAMIC, "")
    return not any(path == p or path.startswith(p.rstrip("/") + "/") for p in sdk.azure_shared_paths)


def is_placeholder_host(host: str) -> bool:
    """`xxx.openai.azure.com`, `YOUR_RESOURCE.openai.azure.com`: documentation, not an endpoint."""
    return bool(_PLACEHOLDER_LABEL.match(host.split(".", 1)[0]))


def urls_in(text: str) -> list:
    return [m.group(0).rstrip(".,;:)]}") for m in URL_RE.finditer(text)]
