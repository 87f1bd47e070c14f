"""Docker Compose files: which `.env` variables they hand to services that are not Python.

A Compose file passes a `.env` file to a service (`env_file: .env`) and fills `${VAR}` in its
`environment:` from the `.env` beside it. When that service is built from another language's
directory (a `package.json` there and no Python: `build: ./frontend`), renaming the variable or
moving its value would change that service, which offramp does not read: such variables are held
(offramp.userconfig.readers). Services run from an image only (`image: redis`) are not judged.

Read line by line (PyYAML is not a dependency): `services:` at the top, one block per service,
and in it `build:` (or its `context:`), `env_file:` (a path, a list of paths, or `- path: ...`
items) and `environment:` (list or mapping). Anchors, merges and multi-line strings are not
followed; what is not understood holds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set

from offramp.userconfig.meaning import ENV_REF

_NAME = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$|\.compose\.ya?ml$", re.I)
_KEY = re.compile(r"([A-Za-z0-9_.\-]+|\"[^\"]*\"|'[^']*')[ \t]*:(?:[ \t]+(.*))?$")


def is_compose_file(name: str) -> bool:
    """`docker-compose.yml`, `compose.yaml`, `docker-compose.prod.yml`, `app.compose.yaml`."""
    return bool(_NAME.search(name))


@dataclass
class Service:
    name: str
    context: Optional[str] = None
    env_files: List[str] = field(default_factory=list)
    refs: Set[str] = field(default_factory=set)  # ${VAR} in its section


def _scalar(raw: str) -> str:
    raw = raw.split(" #", 1)[0].strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def services(text: str) -> List[Service]:
    """The services of a Compose file, with their build context, env files and `${VAR}` references."""
    out: List[Service] = []
    in_services = False
    service_indent: Optional[int] = None
    current: Optional[Service] = None
    key_indent: Optional[int] = None
    section = ""  # the service key whose children are being read: build | env_file | other
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            in_services = stripped.split(" #", 1)[0].rstrip() == "services:"
            current, service_indent = None, None
            continue
        if not in_services:
            continue
        if service_indent is None or indent <= service_indent:
            service_indent = indent
            m = _KEY.match(stripped)
            current = Service(_scalar(m.group(1))) if m else None
            if current is not None:
                out.append(current)
            key_indent, section = None, ""
            continue
        if current is None:
            continue
        for ref in ENV_REF.finditer(stripped):
            current.refs.add(ref.group("a") or ref.group("b") or ref.group("c"))
        if key_indent is None or indent <= key_indent:
            key_indent = indent
            m = _KEY.match(stripped)
            if m is None:
                section = ""
                continue
            section = _scalar(m.group(1))
            value = _scalar(m.group(2) or "")
            if section == "build" and value:
                current.context = value
            elif section == "env_file" and value:
                if value.startswith("["):
                    current.env_files += [_scalar(v) for v in value.strip("[]").split(",") if v.strip()]
                else:
                    current.env_files.append(value)
            continue
        item = stripped[1:].strip() if stripped.startswith("-") else stripped
        if section == "env_file":
            m = _KEY.match(item)
            if m is not None and _scalar(m.group(1)) == "path":
                current.env_files.append(_scalar(m.group(2) or ""))
            elif m is None:
                current.env_files.append(_scalar(item))
        elif section == "build":
            m = _KEY.match(item)
            if m is not None and _scalar(m.group(1)) == "context":
                current.context = _scalar(m.group(2) or "")
    return out


def held_by_other_services(
    compose: Path, text: str, env_file: Path, names: List[str], other_service: Callable[[Path], bool]
) -> Dict[str, str]:
    """Variables of `env_file` a service built from another language's directory receives, with who:
    all of them when the service names the file in `env_file:`, and those it references as `${VAR}`
    when `env_file` is the `.env` beside the Compose file (Compose fills them from it)."""
    here = compose.parent
    target = env_file.resolve()
    out: Dict[str, str] = {}
    for s in services(text):
        if s.context is None or not other_service((here / s.context).resolve()):
            continue
        who = f"the `{s.name}` service of {compose.name}"
        if any((here / f).resolve() == target for f in s.env_files if f):
            for n in names:
                out.setdefault(n, who)
        if target == (here / ".env").resolve():
            for n in names:
                if n in s.refs:
                    out.setdefault(n, who)
    return out
