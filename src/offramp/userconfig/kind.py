"""Which files offramp reads as configuration, judged by name (and size) alone.

Apart from the scanners (scan.py, fix.py) because file discovery and the no-parse path of
`offramp check` ask this for every file of a tree, and must not pay for the scanners' imports.
"""

from __future__ import annotations

import os
import stat

CONFIG_GLOBS = (
    ".env",
    ".env.*",
    "*.env",
    "*.yaml",
    "*.yml",
    "*.toml",
    "*.json",
    "*.ini",
    "*.cfg",
    "*.conf",
    "*.prompty",
)
MAX_CONFIG_BYTES = 2 * 1024 * 1024
KINDS = ("env", "yaml", "toml", "json", "ini", "prompty")
# Message catalogues: `locales/de/errors.json` maps INVALID_OPENAI_API_KEY to a sentence. Its
# keys look like settings and are not (seen in AgentGPT: 100 reports, none real).
_CATALOGUE_DIRS = frozenset({"locales", "locale", "i18n", "l10n", "lang", "langs", "translations"})
# Machine-written files that are JSON but never configuration.
_SKIP_NAMES = frozenset({"package-lock.json", "npm-shrinkwrap.json"})
_SUFFIX_KIND = {
    "yaml": "yaml",
    "yml": "yaml",
    "toml": "toml",
    "json": "json",
    "ini": "ini",
    "cfg": "ini",
    "conf": "ini",
    "prompty": "prompty",  # a prompt with YAML front matter (promptflow, prompty): the front matter is read
}


def config_kind(path: str | os.PathLike[str]) -> str | None:
    """The format of a configuration file, by name: env, yaml, toml, json, ini or prompty; None for other files.

    `.env`, `.env.local`, `.env.example` and `prod.env` are "env"; `.env.yaml` is YAML. Files
    inside a message-catalogue directory (`locales/`, `i18n/`, ...) are translations, not settings,
    unless they are `.env` files.
    """
    text = os.fspath(path).replace(os.sep, "/").rstrip("/")
    directory, _, name = text.rpartition("/")
    kind = _kind_by_name(name.lower())
    if kind is None or kind == "env" or not directory:
        return kind
    if any(part.lower() in _CATALOGUE_DIRS for part in directory.split("/")):
        return None
    return kind


def _kind_by_name(name: str) -> str | None:
    if name in _SKIP_NAMES:
        return None
    _, dot, ext = name.rpartition(".")
    if name == ".env":
        return "env"
    if name.startswith(".env."):
        return _SUFFIX_KIND.get(ext, "env")
    if not dot:
        return None
    if ext == "env":
        return "env"
    return _SUFFIX_KIND.get(ext)


def kind_of(path: str | os.PathLike[str]) -> str:
    """What a file given to check or fix is read as: "notebook" (`.ipynb`), a configuration format
    (`config_kind`: env, yaml, toml, json, ini, prompty), else "python" (`settings.py` is code
    whatever the name says, and so is any other file named on the command line). The one dispatch
    of check, fix and the report's suggestions."""
    suffix = os.path.splitext(os.fspath(path))[1]
    if suffix == ".ipynb":
        return "notebook"
    if suffix in (".py", ".pyi"):
        return "python"
    return config_kind(path) or "python"


def read_as_config(path: str | os.PathLike[str]) -> bool:
    """Whether a file given to check or fix is read as configuration (`kind_of`)."""
    return kind_of(path) in KINDS


TOO_LARGE = f"larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB, the limit for configuration files; not read"


def too_large(path: str | os.PathLike[str]) -> bool:
    """Whether a file read as configuration is over the size limit (reported, never scanned).

    Directory walks skip such files (`is_config_file`); a path named on the command line gets
    here, and is reported instead (an OFR001 finding, a fix error). Scanning costs ~50x the file
    in memory (a 50 MB JSON file took 2.7 GB), and configuration is never that large.
    A symbolic link is judged by the read, which decides first whether it may be followed.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return False  # the read reports it
    return stat.S_ISREG(st.st_mode) and st.st_size > MAX_CONFIG_BYTES and read_as_config(path)


def is_config_file(path: str | os.PathLike[str]) -> bool:
    """Whether offramp reads this file as configuration (by name; files over 2 MB are skipped).

    A path that does not exist is judged by its name alone.
    """
    if config_kind(path) is None:
        return False
    try:
        return os.stat(path).st_size <= MAX_CONFIG_BYTES
    except OSError:
        return True
