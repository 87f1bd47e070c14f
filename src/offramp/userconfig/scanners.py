"""One scanner per format, by the kind `offramp.userconfig.kind` gives a file."""

from __future__ import annotations

from typing import Callable, Dict, Optional

from offramp.userconfig.envfile import scan_env
from offramp.userconfig.frameworkfiles import front_matter_end
from offramp.userconfig.inifile import scan_ini
from offramp.userconfig.jsonfile import scan_json
from offramp.userconfig.text import Parsed, Text
from offramp.userconfig.tomlfile import scan_toml
from offramp.userconfig.yamlfile import scan_yaml


def scan_prompty(t: Text) -> Parsed:
    """A `.prompty` file: its YAML front matter (the prompt after it is text sent to the model)."""
    end = front_matter_end(t.text)
    return scan_yaml(Text(t.text[:end])) if end else Parsed()


SCANNERS: Dict[str, Callable[[Text], Optional[Parsed]]] = {
    "env": scan_env,
    "yaml": scan_yaml,
    "toml": scan_toml,
    "json": scan_json,
    "ini": scan_ini,
    "prompty": scan_prompty,
}
