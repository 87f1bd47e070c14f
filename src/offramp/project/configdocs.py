"""Configuration documents the code loads (`json.load(open("config.json"))`, `yaml.safe_load`, dotenv).

project/flow.py follows a value to the key path it is read from; these functions find the file a
path written in code names (next to the reader, then up to the project root, never outside it) and
read it as Python data, so the value at that key path can be a Source like any literal.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional


def parse_config(text: str, suffix: str) -> Optional[Any]:
    """A configuration document as Python data: JSON, TOML, YAML (PyYAML when installed), .env."""
    suffix = suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(text)
        if suffix == ".toml":
            from offramp.tomlcache import toml_module  # lazy: start-up

            return toml_module().loads(text)
        if suffix in (".yaml", ".yml"):
            try:
                import yaml  # lazy: start-up (and optional: PyYAML may be missing)
            except ImportError:
                return _flat_yaml(text)
            return yaml.safe_load(text)
        if suffix in (".ini", ".cfg", ".conf"):
            import configparser  # lazy: start-up

            parser = configparser.ConfigParser(interpolation=None)
            parser.read_string(text)
            return {name: dict(parser[name]) for name in parser.sections()}
        if suffix == ".env" or suffix == "":
            return _dotenv(text)
    except Exception:
        return None
    return None


def _scalar(raw: str) -> Optional[str]:
    raw = raw.split(" #", 1)[0].strip()
    if raw in ("", "null", "~", "None"):
        return None
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def _flat_yaml(text: str) -> Dict[str, Any]:
    """Top-level and one-level nested `key: value` pairs: enough for app settings without PyYAML."""
    out: Dict[str, Any] = {}
    section: Optional[Dict[str, Any]] = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or ":" not in line:
            continue
        key, _, value = line.partition(":")
        indented = line[0] in " \t"
        if not indented:
            if value.strip():
                out[key.strip()] = _scalar(value)
                section = None
            else:
                section = out.setdefault(key.strip(), {})
        elif section is not None:
            section[key.strip()] = _scalar(value)
    return out


def _dotenv(text: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        out[key.strip()] = _scalar(value)
    return out


def relative_to(reader: str, written: str, root: Path) -> Optional[Path]:
    """Where a path written in code (`open("config.json")`) is on disk: next to the reader, then up to the root."""
    if not written or "\0" in written:
        return None
    root = root.resolve()
    here = (root / reader).parent
    candidates = []
    p = Path(written)
    if p.is_absolute():
        return None
    while True:
        candidates.append(here / p)
        if here == root or root not in here.parents:
            break
        here = here.parent
    for c in candidates:
        try:
            real = c.resolve()
        except (OSError, RuntimeError):
            continue
        if (real == root or root in real.parents) and real.is_file():
            return real
    return None
