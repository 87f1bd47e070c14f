"""Run git on a stranger's repository without running any command the repository configures.

offramp asks git questions (which files are ignored, which lines changed since a ref), and a
scanned repository's `.git/config` (plus the files it `include`s, its submodules' configs and
its committed `.gitattributes`) can name commands that git runs while answering them. Each one
is switched off, with settings given on the command line or in the environment, which git
ranks above every configuration file:

- `core.fsmonitor` (run whenever the index is read): `core.fsmonitor=false`;
- hooks (`post-index-change` runs when `git diff` refreshes the index): `core.hooksPath=/dev/null`;
- `filter.<driver>.clean` / `process` (run to hash a modified work-tree file) and `smudge`:
  the drivers are named only in configuration, so each configured one is listed first
  (`git config --list`, includes followed, `GIT_CONFIG` unset) and blanked, with `required=false` so that a blank
  driver is not an error; handed over in `GIT_CONFIG_COUNT` variables, so that a driver name
  containing `=` cannot escape the way it would in `-c name=value`. The listing is then repeated
  to verify that git honoured them (git older than 2.31 ignores those variables);
- `diff.<driver>.textconv` / `command` and `diff.external`: `--no-textconv --no-ext-diff`
  (and the drivers blanked as above), `GIT_EXTERNAL_DIFF` dropped from the environment;
- submodules (git asks each whether it is dirty, with *its* configuration): `--ignore-submodules=all`;
- the network (a partial clone fetches missing objects over ssh with `core.sshCommand`, a
  remote helper, credential helpers, an askpass program): `GIT_ALLOW_PROTOCOL` set empty so no
  transport is allowed, `GIT_NO_LAZY_FETCH=1`, `GIT_TERMINAL_PROMPT=0`;
- the pager: `--no-pager` (and git's output is always captured, never a terminal).

Importing this module costs nothing beyond `os`: discovery's no-parse path uses it.
"""

from __future__ import annotations

import os
import subprocess

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from typing import Dict, List, Optional, Sequence, Tuple

GIT_SAFE = ("--no-pager", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null")

# (section, variable) of driver settings that name a command, and the value that disables it.
_DRIVER_COMMANDS = {
    ("filter", "clean"): "",
    ("filter", "smudge"): "",
    ("filter", "process"): "",
    ("filter", "required"): "false",
    ("diff", "textconv"): "",
    ("diff", "command"): "",
    ("merge", "driver"): "",
}


# GIT_CONFIG makes `git config` alone read another file, so the listing would miss the drivers.
_DROPPED = ("GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_CONFIG")


class GitUnsafe(Exception):
    """git could not be run with the repository's commands switched off."""


def safe_env(overrides: Sequence[Tuple[str, str]] = ()) -> Dict[str, str]:
    """The environment for a git child: no network, no external diff, and `overrides` as config."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(GIT_ALLOW_PROTOCOL="", GIT_NO_LAZY_FETCH="1", GIT_TERMINAL_PROMPT="0")
    try:
        first = int(env.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        first = 0
    for i, (key, value) in enumerate(overrides, start=first):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    if overrides:
        env["GIT_CONFIG_COUNT"] = str(first + len(overrides))
    return env


def run(
    args: Sequence[str], cwd: str, env: Optional[Dict[str, str]] = None, timeout: float = 120, input: bytes = b""
) -> subprocess.CompletedProcess:
    """`git <args>` in `cwd` with the fixed switches; OSError / SubprocessError reach the caller."""
    return subprocess.run(
        ["git", *GIT_SAFE, *args],
        cwd=cwd,
        env=safe_env() if env is None else env,
        input=input,
        capture_output=True,
        timeout=timeout,
    )


def neutralised_env(cwd: str) -> Dict[str, str]:
    """An environment in which no driver command configured for the repository at `cwd` can run.

    Raises GitUnsafe when git cannot list its configuration or does not honour the overrides.
    """
    seen = dict(_config_values(cwd, safe_env()))
    overrides = [(key, off) for key in seen for off in [_switched_off(key)] if off is not None]
    env = safe_env(overrides)
    if overrides:
        final = dict(_config_values(cwd, env))  # the last value of a key is the one git uses
        left = [key for key, value in final.items() if _switched_off(key) not in (None, value)]
        if left:
            raise GitUnsafe(f"this git ignores GIT_CONFIG_COUNT (needs git 2.31 or newer), so {left[0]} would run")
    return env


def _switched_off(key: str) -> Optional[str]:
    """The value that disables `key` when it is a driver setting naming a command, else None."""
    section, _, rest = key.partition(".")
    if "." not in rest:
        return None
    return _DRIVER_COMMANDS.get((section.lower(), rest.rpartition(".")[2].lower()))


def _config_values(cwd: str, env: Dict[str, str]) -> List[Tuple[str, str]]:
    """Every (key, value) git sees, in the order git reads them (the last one of a key wins)."""
    try:
        proc = run(["config", "--list", "-z"], cwd, env=env)
    except (OSError, subprocess.SubprocessError) as e:
        raise GitUnsafe(str(e)) from None
    if proc.returncode != 0:
        msg = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GitUnsafe(f"git config failed: {msg[-1] if msg else proc.returncode}")
    pairs = []
    for entry in proc.stdout.decode("utf-8", errors="surrogateescape").split("\0"):
        if entry:
            key, _, value = entry.partition("\n")
            pairs.append((key, value))
    return pairs
