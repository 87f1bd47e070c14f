"""What a site of one file is (an environment read or write, a key literal, an OpenAI/Azure URL in code), whatever
parser read the file.

Two walks find them: the stdlib `ast` one of analysis/quick.py (`check` of a file that does not import the SDK,
about ten times faster) and the LibCST one of analysis/collector.py (every file `fix` plans, and `check` of a file
with the SDK, whose edits need LibCST nodes). Each walks its own tree and says what a node is (a call through the
os module, a string in code or in a docstring, a comparison operand); the questions that decide whether that is a
site are answered here, once. tests/test_sites_agree.py runs both walks over every fixture file and finds the same
sites at the same spans.
"""

from __future__ import annotations

import ast
from typing import Dict, Optional, Set, Tuple

from offramp.catalog import SdkSurface
from offramp.hosts import DYNAMIC, KEY_RE, Target, classify_url, is_placeholder_host, is_placeholder_key, urls_in

#: The os functions that read a variable by its name (first argument); `environ.setdefault` also writes it.
ENV_READERS = frozenset({"getenv", "environ.get", "environ.setdefault", "environ.pop"})
ENV_SETDEFAULT = "environ.setdefault"


def dotted(node: ast.AST) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain of the stdlib tree, else None (values.dotted_name for LibCST's)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class OsNames:
    """The names a file binds to the os module (`import os as o`) and to its attributes (`from os import
    environ as env`), so that `o.getenv` and `env.get` are recognised as what they are."""

    def __init__(self) -> None:
        self.aliases: Set[str] = {"os"}  # names bound to the os module
        self.names: Dict[str, str] = {}  # local name -> os attribute

    def imported(self, module: str, asname: Optional[str]) -> None:
        """`import <module> [as <asname>]`."""
        if module == "os":
            self.aliases.add(asname or "os")

    def imported_from(self, module: str, name: str, asname: Optional[str]) -> None:
        """`from <module> import <name> [as <asname>]`."""
        if module == "os":
            self.names[asname or name] = name

    def path(self, dotted: Optional[str]) -> Optional[str]:
        """`os.environ.get` -> 'environ.get' when its head is really the os module (or one of its attributes)."""
        if not dotted:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.aliases:
            return rest or None
        if head in self.names:
            return self.names[head] + ("." + rest if rest else "")
        return None


def env_subscript(os_path: Optional[str], name: Optional[str], sdk: SdkSurface) -> bool:
    """`os.environ["X"]`, and a mapping handed to a subprocess indexed by one of the SDK's variables
    (`env["OPENAI_BASE_URL"] = ...`): an environment access."""
    return os_path == "environ" or name in sdk.env_roles


def holds_key(text: str) -> bool:
    """Whether a string holds a key that is not a placeholder (also in a docstring: a secret is a secret)."""
    return any(not is_placeholder_key(m.group(0)) for m in KEY_RE.finditer(text))


def url_site(text: str, sdk: SdkSurface, provider_hosts: Tuple[str, ...]) -> Optional[Tuple[str, Target]]:
    """The first OpenAI / Azure URL of a string in code (not a docstring, a comparison operand, a documentation
    argument or an exception message: the walks say which), with where it goes; placeholders are none."""
    lowered = text.lower()
    if "openai" not in lowered and "azure" not in lowered:
        return None
    for url in urls_in(text):
        target = classify_url(url, sdk, provider_hosts)
        if target.blocked and not is_placeholder_host(target.host):
            return url.replace(DYNAMIC, "{...}"), target
    return None


def sends_a_body(text: str) -> bool:
    """A `data_sources` dict is Azure On Your Data only in code that sends request bodies to OpenAI-like APIs
    (`extra_body=`, or a file that names openai): not in a dashboard's or a pipeline's own configuration."""
    return "extra_body" in text or "openai" in text.lower()
