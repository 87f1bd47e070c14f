"""Which entries of a configuration file a fix may change: only together with their readers, and a
file's endpoint and key together or neither.

A configuration file has no meaning of its own: the program that reads it decides where its values
go. So a value moves to the provider only when the code that reads it moves too (`FileReaders`,
built by `offramp.userconfig.readers` from the project's Python code as the same fix run leaves it):

- a file no Python code of the run reads (another service's `.env`, a framework's YAML) is not
  changed at all; a file read by code that still goes to OpenAI / Azure is not changed either;
- in a `.env` file, each variable follows its readers: a variable still read by code that was not
  migrated ("held") keeps its name and value; one whose readers were all migrated ("moved") follows
  them; one no Python code reads moves only along with the file's endpoint;
- the endpoint variables and the key variables of one `.env` move together or not at all: a
  provider URL next to a live OpenAI key sends that key to the provider through any program that
  reads both (the SDK does, implicitly). When only some could move, none does and a
  `# TODO[offramp]:` comment says why;
- a model or deployment value moves only when its readers moved, or the same file moves its
  endpoint: a provider model next to an OpenAI or Azure endpoint fails at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Set, Tuple

from offramp.catalog import renamable_key
from offramp.hosts import is_secret_value
from offramp.providers import Provider
from offramp.userconfig.meaning import Ctx, Verdict, analyse
from offramp.userconfig.text import Parsed

MIGRATED = "migrated"  # every reader the run shows was migrated (or the caller vouches for it)
UNMIGRATED = "unmigrated"  # a reader still goes to OpenAI / Azure
UNKNOWN = "unknown"  # no reader in the run: the file is not ours to change

MOVED = "moved"  # a variable whose readers were all migrated
HELD = "held"  # a variable still read by code that was not migrated (or that offramp cannot follow)

_HOST_COUNTERS = ("url", "api-type")
_MODEL_COUNTERS = ("model", "deployment")


@dataclass(frozen=True)
class FileReaders:
    """What the run shows about the readers of one configuration file.

    `env` (`.env` files): variable -> MOVED or HELD; a variable absent from it is read by no Python
    code of the run. None: every variable counts as MOVED (the caller vouches for the readers, as
    the tests of the rewriting itself do). `why` says, for a note, why nothing may change.
    """

    state: str = MIGRATED
    env: Optional[Mapping[str, str]] = None
    held_by: Mapping[str, str] = field(default_factory=dict)  # variable -> "app.py" (a reader not migrated)
    why: str = ""

    def verdict(self, name: str) -> str:
        if self.env is None:
            return MOVED
        return self.env.get(name, "")


ALL_MIGRATED = FileReaders()


@dataclass
class Decision:
    """The entries (by index) a fix may change, and the TODO comment to leave instead when there is one."""

    values: Set[int] = field(default_factory=set)
    keys: Set[int] = field(default_factory=set)  # key variables renamed or replaced
    todo: Optional[Tuple[int, str]] = None  # (entry index to put it above, text)


def first_changes(parsed: Parsed, ctx: Ctx) -> Dict[int, Verdict]:
    """The value change the fix would make in each entry (the first verdict with a new value)."""
    out: Dict[int, Verdict] = {}
    for i, e in enumerate(parsed.entries):
        if e.value is None:
            continue
        for v in analyse(i, e, ctx):
            if v.new_value is not None:
                out[i] = v
                break
    return out


def decide_structured(changes: Mapping[int, Verdict], readers: FileReaders) -> Decision:
    """YAML / TOML / JSON / INI: every value change, or none (the code reading the file decides)."""
    if readers.state != MIGRATED:
        return Decision()
    return Decision(values=set(changes))


def decide_env(
    parsed: Parsed, ctx: Ctx, changes: Mapping[int, Verdict], readers: FileReaders, provider: Provider
) -> Decision:
    """`.env`: which values and key variables move (see the module's rules)."""
    if readers.state != MIGRATED:
        return Decision()
    entries = parsed.entries

    def name(i: int) -> str:
        return entries[i].key or ""

    hosts = [i for i, v in changes.items() if v.counter in _HOST_COUNTERS]
    models = [i for i, v in changes.items() if v.counter in _MODEL_COUNTERS]
    key_vars = [
        i
        for i, e in enumerate(entries)
        if e.key_span is not None
        and e.key
        and e.key != provider.key_env
        and renamable_key(e.key, ctx.sdk.env_role(e.key))
    ]
    movable_keys = ctx.renamed | ctx.disabled
    held = [i for i in sorted({*hosts, *key_vars}) if readers.verdict(name(i)) == HELD]
    out = Decision()
    out.values = {i for i in models if readers.verdict(name(i)) == MOVED}
    if held:
        would = [i for i in hosts if readers.verdict(name(i)) != HELD]
        would += [i for i in movable_keys if readers.verdict(name(i)) == MOVED]
        if would:  # part of the pair could move, part cannot: neither does
            names = ", ".join(dict.fromkeys(name(i) for i in held))
            where = ", ".join(dict.fromkeys(readers.held_by[name(i)] for i in held if name(i) in readers.held_by))
            text = (
                f"endpoint and key variables stay until every program reading them moves to {provider.name}: "
                f"{names} {'is' if len(held) == 1 else 'are'} still read by code that was not migrated"
                + (f" ({where})" if where else "")
            )
            out.todo = (min(would + held), text)
        return out
    moving_hosts = [i for i in hosts if readers.verdict(name(i)) in (MOVED, "")]
    keys = {i for i in movable_keys if readers.verdict(name(i)) == MOVED or (moving_hosts and i in key_vars)}
    live = [i for i in key_vars if i not in keys and _live_secret(parsed, i)]
    if moving_hosts and live:
        names = ", ".join(dict.fromkeys(name(i) for i in live))
        text = (
            f"endpoint and key variables stay: {names} keeps an OpenAI/Azure key that would go to "
            f"{provider.name} with them (remove it, or set {provider.key_env} instead)"
        )
        out.todo = (min(moving_hosts + live), text)
        out.keys = {i for i in keys if not moving_hosts or readers.verdict(name(i)) == MOVED}
        return out
    out.values |= set(moving_hosts)
    out.values |= {i for i in models if readers.verdict(name(i)) == "" and moving_hosts}
    out.keys = keys
    return out


def _live_secret(parsed: Parsed, i: int) -> bool:
    tok = parsed.entries[i].value
    return tok is not None and is_secret_value(tok.value)
