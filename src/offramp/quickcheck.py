"""`offramp check` for the run that has nothing to parse, without importing click, rich or LibCST.

Most runs on a big repository, and most pre-commit runs, touch no file that mentions OpenAI:
then the answer is "All checks passed!" and the whole cost is Python's start-up plus reading
each file once. Importing the full command line (click, rich, the catalog, dataclasses...)
would cost several times that, so the console script tries this first.

It is all-or-nothing: it answers only when the options are ones it understands, the settings
hold nothing that needs validating beyond what it checks, every file is a plain readable file
and no file passes the byte prefilter. Otherwise it returns None *before printing anything*
and the full command line runs from scratch, so the output can never differ from it (tests
compare both paths). It uses the same discovery, settings lookup and prefilter code as the full
path; only the option parsing is its own.
"""

from __future__ import annotations

import os
import sys

from offramp.discover import discover_paths
from offramp.prefilter import may_match, remember_miss
from offramp.rawread import not_text, read_regular_stat
from offramp.rulesdir import rules_path
from offramp.settingsfile import find_settings
from offramp.userconfig.kind import MAX_CONFIG_BYTES, read_as_config

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

# Flags that only change what a run with findings would do (or nothing at all here).
_IGNORED_FLAGS = frozenset({"--exit-zero", "-n", "--no-cache", "-v", "--verbose"})
_QUIET_FLAGS = frozenset({"-q", "--quiet"})  # a clean run then prints nothing
_IGNORED_WITH_VALUE = frozenset({"-j", "--jobs", "--cache-dir"})
_BOOL_FLAGS = {
    "--force-exclude": ("force_exclude", True),
    "--respect-gitignore": ("respect_gitignore", True),
    "--no-respect-gitignore": ("respect_gitignore", False),
    "--config-files": ("config_files", True),
    "--no-config-files": ("config_files", False),
}
_SETTINGS = {
    "respect-gitignore": bool,
    "config-files": bool,
    "exclude": list,
    "extend-exclude": list,
    "target": str,
    "output-format": str,
}
# Formats whose report of a clean run is the footer alone (see report.concise.footer).
_FOOTER_FORMATS = ("full", "concise")


def run(args: List[str]) -> Optional[int]:
    """The exit code of `offramp check ARGS` when it can be answered here, else None."""
    parsed = _parse(args)
    if parsed is None:
        return None
    if os.environ.get("OFFRAMP_OUTPUT_FILE"):
        return None
    paths: List[str] = parsed.pop("paths") or ["."]
    start = paths[0] if os.path.exists(paths[0]) else "."
    try:
        found, table = find_settings(start, _load_toml)
    except Exception:  # the full path reports it
        return None
    options = _settings(table) if found is not None else {}
    if options is None or not _known_provider(parsed.get("target") or options.get("target")):
        return None
    fmt = parsed.get("output_format") or os.environ.get("OFFRAMP_OUTPUT_FORMAT") or options.get("output-format")
    if fmt not in (None, *_FOOTER_FORMATS):
        return None
    root = os.path.dirname(found) if found is not None else os.getcwd()
    files, missing = discover_paths(
        paths,
        root=root,
        excludes=tuple(options.get("exclude", ())) + tuple(options.get("extend-exclude", ())),
        respect_gitignore=parsed.get("respect_gitignore", options.get("respect-gitignore", True)),
        force_exclude=parsed.get("force_exclude", False),
        config_files=parsed.get("config_files", options.get("config-files", True)),
        hand_over=True,
    )
    if missing:
        return None
    for path in files:
        try:
            data, st = read_regular_stat(path, root)
        except (OSError, ValueError):
            return None  # the full path reports it (OFR001), a link out of the project too
        if not_text(path, data):
            return None  # reported as unreadable (OFR001) by the full path
        config = read_as_config(path)
        if may_match(data, config) or (config and st.st_size > MAX_CONFIG_BYTES):  # the full path reports it
            return None  # files read so far are remembered: the full path does not read them again
        remember_miss(path, st, config, data if path.endswith((".py", ".pyi")) else None)
    n = len(files)
    if not parsed.get("quiet"):
        sys.stdout.write(f"All checks passed! ({n} file{'s' if n != 1 else ''} checked)\n")
        sys.stdout.flush()
    return 0


def _parse(args: List[str]) -> Optional[Dict[str, Any]]:
    out: Dict[str, Any] = {"paths": []}
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            out["paths"].extend(args[i:])
            break
        if not arg.startswith("-") or arg == "-":
            if arg == "-":
                return None
            out["paths"].append(arg)
            continue
        name, eq, value = arg.partition("=")
        if arg in _IGNORED_FLAGS:
            continue
        if arg in _QUIET_FLAGS:
            out["quiet"] = True
            continue
        if arg in _BOOL_FLAGS:
            key, flag = _BOOL_FLAGS[arg]
            out[key] = flag
            continue
        if name in _IGNORED_WITH_VALUE or name in ("--to", "--output-format"):
            if not eq:
                if i >= len(args):
                    return None
                value = args[i]
                i += 1
            if name in ("-j", "--jobs") and not value.isdigit():
                return None
            if name == "--to":
                out["target"] = value
            if name == "--output-format":
                out["output_format"] = value
            continue
        return None  # anything else: the full command line
    if not all(out["paths"]):
        return None
    return out


def _settings(table: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The settings table when every key is one this path understands and well-typed, else None."""
    if not isinstance(table, dict):
        return None
    for key, value in table.items():
        kind = _SETTINGS.get(key)
        if kind is None or not isinstance(value, kind):
            return None
        if isinstance(value, list) and not all(isinstance(x, str) for x in value):
            return None
    return table


def _known_provider(target: Optional[str]) -> bool:
    """A target must be a built-in provider's id (custom providers and regions go the full way)."""
    if target is None:
        return True
    root = rules_path()
    return (
        root is not None
        and target.replace("-", "").isalnum()
        and os.path.isfile(os.path.join(root, "providers", f"{target}.toml"))
    )


def _load_toml(path: str) -> Dict[str, Any]:
    from offramp.tomlcache import parse  # lazy: start-up (a tree without a settings file)

    return parse(path)
