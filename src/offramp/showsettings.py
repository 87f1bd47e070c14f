"""`check --show-settings`: the settings a run would use, and where they came from (Ruff's option).

Printed as TOML-like `key = value` lines with JSON values, so a reader can paste them into
`[tool.offramp]` and a script can parse them line by line.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, List, Optional, Sequence

from offramp.cache import CACHE_DIR_NAME
from offramp.engine import resolve_targets

if TYPE_CHECKING:
    from offramp.providers import Provider
    from offramp.settings import Settings


def render_settings(settings: Settings, provider: Optional[Provider], paths: Sequence[str]) -> str:
    def line(key: str, value: object) -> str:
        return f"{key} = {json.dumps(value, ensure_ascii=False)}"

    out: List[str] = [
        f"Resolved settings for: {', '.join(paths) or '.'}",
        f"Settings path: {settings.config_file if settings.config_file is not None else 'none (defaults)'}",
        "",
        line("root", str(settings.root)),
        line("target", settings.target),
        line("region", settings.region),
        line("select", list(settings.select)),
        line("extend-select", list(settings.extend_select)),
        line("ignore", list(settings.ignore)),
        line("per-file-ignores", {k: list(v) for k, v in settings.per_file_ignores.items()}),
        line("exclude", list(settings.exclude)),
        line("extend-exclude", list(settings.extend_exclude)),
        line("respect-gitignore", settings.respect_gitignore),
        line("config-files", settings.config_files),
        line("output-format", settings.output_format or "full"),
        line("cache-dir", str(settings.root / CACHE_DIR_NAME)),
        line("models", dict(settings.models)),
        line("providers", sorted(settings.providers)),
        line("enabled-rules", sorted(settings.enabled_codes())),
    ]
    if provider is None:
        return "\n".join(out) + "\n"
    targets = resolve_targets(settings, settings.region)
    split = targets is not None and targets.split
    for p in targets.providers if targets is not None and split else [provider]:
        out += [
            "",
            f"[provider.{p.id}]",
            line("name", p.name),
            line("base-url", p.base_url()),
            line("key-env", p.key_env),
            line("custom", p.custom),
        ]
        if split and targets is not None:  # the request families this provider gets (offramp.targets)
            out.append(line("families", targets.families_of(p.id)))
    return "\n".join(out) + "\n"
