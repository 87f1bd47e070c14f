"""The credential-flow oracle: no secret may reach a host it was not meant for.

Why
---
The worst thing a migration can do is send a secret to the wrong party: the provider's key
to api.openai.com, Azure or a company proxy; an OpenAI key, an Azure key or an Azure AD
token to the provider (ARCHITECTURE.md, invariant 4). Such a program compiles, often even
works, and a review of the diff rarely shows it (the key travels through a renamed variable,
an SDK default or a library that reads ``OPENAI_API_KEY``). Running the migrated program does.

How
---
An :class:`Oracle` gives every origin its own secret: ``OPENAI_API_KEY``, the Azure key
variables, an Azure AD token (served by a fake ``azure.identity``, see :func:`install_fake_azure`),
every shipped provider's ``key-env`` and any extra variable a program reads. The program runs
under the harness (``harness.py`` / ``batch.py``), which records every request at the
transport; :meth:`Oracle.leaks` then looks for every secret anywhere in every request (any
header, the URL's path and query, the body) and compares the request's host with the hosts
that secret is meant for:

* the OpenAI key: api.openai.com only;
* Azure keys and the Azure AD token: Azure hosts only (``*.openai.azure.com`` and the other
  Azure AI domains);
* provider P's key: the hosts of P's base URLs in ``rules/providers/P.toml``.

A program may declare more (``Origin.also``: "this project's proxy on localhost is meant to
get the OpenAI key"), which its unmigrated original must then prove by passing the oracle.

The second mode (:meth:`Oracle.env` with ``unset``) removes the target provider's variable:
the program may then fail, but it must not fall back to a secret of another origin (the SDK
reads ``OPENAI_API_KEY`` when ``api_key=os.getenv("NEW_KEY")`` is ``None``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple
from urllib.parse import unquote, urlsplit

from harness import CapturedRequest

from offramp.providers import Provider

__all__ = [
    "AAD_TOKEN",
    "AAD_TOKEN_ENV",
    "AZURE",
    "AZURE_ENDPOINT",
    "AZURE_SUFFIXES",
    "FAKE_AZURE_DIR",
    "OPENAI",
    "ForeignSecret",
    "Leak",
    "Oracle",
    "Origin",
    "Secret",
    "install_fake_azure",
]

#: The fake ``azure.identity`` (a package tree copied next to the program it serves).
FAKE_AZURE_DIR = Path(__file__).resolve().parent / "_fake_azure"
#: The variable the fake ``azure.identity`` reads its token from.
AAD_TOKEN_ENV = "OFFRAMP_ORACLE_AAD_TOKEN"
#: How the oracle names the Azure AD token (a `Secret.source`; see `Oracle.secret_of`).
AAD_TOKEN = "Azure AD token from azure.identity"
#: The Azure OpenAI resource every program is given (``AZURE_OPENAI_ENDPOINT``).
AZURE_ENDPOINT = "https://oracle-resource.openai.azure.com"
#: Domains of Azure OpenAI / Azure AI endpoints (an Azure secret may go to any host under them).
AZURE_SUFFIXES = (
    "openai.azure.com",
    "cognitiveservices.azure.com",
    "services.ai.azure.com",
    "models.ai.azure.com",
)


@dataclass(frozen=True)
class Origin:
    """Who issued a secret, and the hosts it is meant for."""

    name: str  # "OpenAI", "Azure", "DeepSeek", ...
    hosts: Tuple[str, ...] = ()  # exact host names
    suffixes: Tuple[str, ...] = ()  # any host under one of these domains
    proxies: Tuple[str, ...] = ()  # hosts the program sends this origin's secret to on purpose

    def owns(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.hosts or any(host.endswith("." + s) for s in self.suffixes)

    def serves(self, host: str) -> bool:
        return self.owns(host) or host.lower().rstrip(".") in self.proxies

    def also(self, hosts: Iterable[str]) -> Origin:
        """This origin, also meant for `hosts` (a proxy the program was written for)."""
        return Origin(self.name, self.hosts, self.suffixes, tuple(sorted({*self.proxies, *hosts})))

    def describe(self) -> str:
        return ", ".join([*self.hosts, *(f"*.{s}" for s in self.suffixes), *self.proxies]) or "no host"


OPENAI = Origin("OpenAI", hosts=("api.openai.com",))
AZURE = Origin("Azure", suffixes=AZURE_SUFFIXES)


@dataclass(frozen=True)
class Secret:
    value: str
    origin: Origin
    source: str  # where the program gets it: the variable, or "azure.identity token"

    @property
    def label(self) -> str:
        return f"{self.origin.name} secret ({self.source})"


@dataclass(frozen=True)
class Leak:
    """One secret found in one request to a host it is not meant for."""

    request: CapturedRequest
    secret: Secret
    where: str  # "authorization header", "query", "body", ...
    destination: str  # what the host is: "OpenAI", "Azure", "DeepSeek", "other"

    def __str__(self) -> str:
        return (
            f"{self.request.method} {self.request.url} (host: {self.destination}) carried the "
            f"{self.secret.label} in its {self.where}; it is meant only for {self.secret.origin.describe()}"
        )


class ForeignSecret(AssertionError):
    """A request carried a secret to a host it was not meant for."""


def _secret_value(label: str, prefix: str = "oracle") -> str:
    # Distinct, recognisable, and never a substring of another (fixed-length digest at the end).
    digest = hashlib.sha256(label.encode()).hexdigest()[:16]
    return f"{prefix}-{label.lower().replace('_', '-')}-{digest}"


@dataclass(frozen=True)
class Oracle:
    """Secrets by origin, the environment that hands them out, and the check of captured requests."""

    secrets: Tuple[Secret, ...]
    plain_env: Mapping[str, str] = field(default_factory=dict)  # non-secret variables (endpoints, models)

    def __post_init__(self) -> None:
        values = [s.value for s in self.secrets]
        for a in values:
            clash = [b for b in values if b != a and a in b]
            if clash:
                raise ValueError(f"secret {a!r} is part of {clash}: the oracle could not tell them apart")

    @classmethod
    def build(
        cls,
        providers: Iterable[Provider],
        *,
        extra: Mapping[str, Origin] = {},
        also: Mapping[str, Sequence[str]] = {},
        plain_env: Mapping[str, str] = {},
        literals: Mapping[str, Origin] = {},
    ) -> Oracle:
        """An oracle for a program that may read the key of any of `providers`.

        `extra`: more key variables, each with its origin (a company proxy's key).
        `also`: origin name -> more hosts it is meant for (the program's own proxy).
        `literals`: secret values written in the program's source, with their origin.
        """

        def widen(origin: Origin) -> Origin:
            return origin.also(also[origin.name]) if origin.name in also else origin

        secrets = [
            Secret("sk-" + _secret_value("OPENAI_API_KEY"), widen(OPENAI), "OPENAI_API_KEY"),
            Secret(_secret_value("AZURE_OPENAI_API_KEY"), widen(AZURE), "AZURE_OPENAI_API_KEY"),
            Secret(_secret_value("AZURE_OPENAI_KEY"), widen(AZURE), "AZURE_OPENAI_KEY"),
            Secret(_secret_value("azure-ad-token"), widen(AZURE), AAD_TOKEN),
        ]
        for p in providers:
            origin = widen(Origin(p.name, hosts=tuple(p.hosts)))
            secrets.append(Secret(_secret_value(p.key_env), origin, p.key_env))
        secrets += [Secret(_secret_value(var), widen(origin), var) for var, origin in extra.items()]
        secrets += [Secret(value, widen(origin), f"literal {value!r}") for value, origin in literals.items()]
        env = {"AZURE_OPENAI_ENDPOINT": AZURE_ENDPOINT, **plain_env}
        return cls(tuple(secrets), env)

    # -- the environment ---------------------------------------------------------------------

    def env(self, unset: Iterable[str] = ()) -> Dict[str, str]:
        """Every variable with its secret (minus `unset`), the non-secret variables, the AAD token."""
        gone = set(unset)
        out = {k: v for k, v in self.plain_env.items() if k not in gone}
        for s in self.secrets:
            if s.source == AAD_TOKEN:
                out[AAD_TOKEN_ENV] = s.value
            elif not s.source.startswith("literal ") and s.source not in gone:
                out[s.source] = s.value
        return out

    def secret_of(self, source: str) -> str:
        return next(s.value for s in self.secrets if s.source == source)

    # -- the check ---------------------------------------------------------------------------

    def destination(self, host: str) -> str:
        """What a host is: the origin that owns it, a proxy the program declared, else "other"."""
        for s in self.secrets:
            if s.origin.owns(host):
                return s.origin.name
        for s in self.secrets:
            if s.origin.serves(host):
                return f"the program's own {s.origin.name} proxy"
        return "other"

    def leaks(self, requests: Sequence[CapturedRequest]) -> List[Leak]:
        found: List[Leak] = []
        for r in requests:
            places = _places(r)
            for s in self.secrets:
                if s.origin.serves(r.host):
                    continue
                for where, text in places:
                    if s.value in text:
                        found.append(Leak(r, s, where, self.destination(r.host)))
        return found

    def check(self, requests: Sequence[CapturedRequest], context: str = "") -> None:
        """Raise :class:`ForeignSecret` naming every request that carried a foreign secret."""
        leaks = self.leaks(requests)
        if leaks:
            head = f"{context}: " if context else ""
            lines = "\n".join(f"  {leak}" for leak in leaks)
            raise ForeignSecret(f"{head}{len(leaks)} foreign secret(s) sent:\n{lines}")


def _places(r: CapturedRequest) -> List[Tuple[str, str]]:
    """Every part of a request a secret could travel in, named for the message."""
    parts = urlsplit(r.url)
    places = [(f"{name} header", value) for name, value in r.headers.items()]
    for name, value in r.headers.items():  # `Authorization: Basic base64(user:key)`
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "basic":
            with contextlib.suppress(ValueError):
                places.append((f"{name} header (Basic, decoded)", base64.b64decode(token).decode("utf-8", "replace")))
    places.append(("URL query", unquote(parts.query)))
    places.append(("URL path", unquote(parts.path)))
    places.append(("URL user info", unquote(parts.netloc.rpartition("@")[0])))
    places.append(("body", unquote(r.body.decode("utf-8", errors="replace"))))  # JSON, or a form
    return places


def install_fake_azure(project: Path) -> None:
    """Put the fake ``azure.identity`` next to a program (its directory is first on sys.path)."""
    shutil.copytree(FAKE_AZURE_DIR / "azure", project / "azure", dirs_exist_ok=True)
