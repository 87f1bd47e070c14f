"""Decide from a file's bytes alone whether it can hold anything offramp reports.

Most files of a repository never mention OpenAI; reading them is unavoidable, parsing them
is not. The tokens are data (`[packages] prefilter` and `config-prefilter` in
rules/openai.toml): every finding the Python checks or the configuration scanners can
produce contains one of them (case-insensitively), so a file without any is answered
"nothing found" by both `offramp check` paths (engine triage and `quickcheck`) and by `fix`.
"""

from __future__ import annotations

import os

from offramp.rulesdir import parsed, rules_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

_tokens: Tuple[Tuple[bytes, ...], Tuple[bytes, ...]] | None = None
# The tokens grouped under a part of each that the others of the group share (`agents` for "from agents" and
# "import agents"): one search for that part stands for the group unless it is found (one search fewer per
# file and per token sharing it: a warm check reads ~2,000 files, ~9 of its ~37 ms of searches).
_plans: Tuple[Tuple[Tuple[bytes, Tuple[bytes, ...]], ...], ...] | None = None
# Files this process already read and found unable to match, by path (normalised), with their identity and
# version: (config?, st_dev, st_ino, st_size, st_mtime_ns). When `quickcheck` declines halfway through a
# tree, the full path asks here (one stat) instead of reading those files a second time; other files cost
# a lookup, not a stat.
_misses: Dict[str, Tuple[bool, int, int, int, int]] = {}
# Their bytes too (Python files, up to a budget): the project stage looks for files that import a
# module with SDK use (`from .clients import get_client`) among them without reading them again.
_miss_bytes: Dict[Tuple[bool, int, int, int, int], bytes] = {}
_MISS_BUDGET = 64 << 20
_miss_total = 0


def _load() -> Tuple[Tuple[bytes, ...], Tuple[bytes, ...]]:
    global _tokens
    if _tokens is None:
        root = rules_path()
        if root is None:
            raise LookupError("offramp's rules/ data directory is missing from this installation")
        packages = parsed(os.path.join(root, "openai.toml"))["packages"]
        python = tuple(t.lower().encode() for t in packages["prefilter"])
        config = tuple(t.lower().encode() for t in packages["config-prefilter"])
        _tokens = (python, config)
    return _tokens


def _plan(tokens: Tuple[bytes, ...]) -> Tuple[Tuple[bytes, Tuple[bytes, ...]], ...]:
    """(part, tokens containing it): a token of several words under its last word (of 4 bytes or more)."""
    groups: Dict[bytes, List[bytes]] = {}
    for token in tokens:
        last = token.rsplit(b" ", 1)[-1]
        groups.setdefault(last if len(last) >= 4 else token, []).append(token)
    return tuple((part, tuple(group)) for part, group in groups.items())


def may_match(data: bytes, config: bool = False) -> bool:
    """False only when no finding is possible: the file never needs parsing or scanning.

    `config` selects the configuration-file tokens (a `.env`, YAML, TOML, JSON or INI file can
    name a model under a `model:` key without ever saying "openai").
    """
    global _plans
    if _plans is None:
        _plans = tuple(_plan(tokens) for tokens in _load())
    lowered = data.lower()
    for part, group in _plans[1 if config else 0]:
        if part in lowered and (group == (part,) or any(token in lowered for token in group)):
            return True
    return False


def _key(st: os.stat_result, config: bool) -> Tuple[bool, int, int, int, int]:
    return (config, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def remember_miss(
    path: str | os.PathLike[str], st: os.stat_result, config: bool = False, data: Optional[bytes] = None
) -> None:
    """Record that the file `st` describes (as read) cannot match, and keep its bytes while the budget lasts."""
    global _miss_total
    key = _key(st, config)
    _misses[os.path.normpath(path)] = key
    if data is not None and not config and _miss_total + len(data) <= _MISS_BUDGET:
        _miss_bytes[key] = data
        _miss_total += len(data)


def missed_bytes(path: str | os.PathLike[str]) -> Optional[bytes]:
    """The bytes `remember_miss` kept for this very version of a Python file, if any."""
    key = _misses.get(os.path.normpath(path)) if _miss_bytes else None
    if key is None:
        return None
    try:
        return _miss_bytes.get(key) if _key(os.stat(path), False) == key else None
    except OSError:
        return None


def known_miss(path: str | os.PathLike[str], config: bool = False) -> bool:
    """Whether this process already read this very version of `path` and found it unable to match."""
    key = _misses.get(os.path.normpath(path)) if _misses else None
    if key is None:
        return False
    try:
        return _key(os.stat(path), config) == key
    except OSError:
        return False
